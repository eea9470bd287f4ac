//! Stage 5: search. What the person typed is parsed ([`parse`]), each word
//! is resolved against the bank's own vocabulary into candidate index words
//! with the evidence behind each ([`EvidenceKind`]), and documents are scored
//! so that each query word counts once, with its best evidence, weighted by
//! how informative the word is; documents with more of the query's words
//! come first, then those where they stand close together. Hits come with
//! snippets ([`snippet`]), pages and facet counts ([`Facets`]), and on
//! request with the evidence behind them ([`Explanation`]).

mod dated;
mod explain;
mod facets;
pub mod parse;
mod proximity;
mod ranking;
mod related;
mod request;
mod resolve;
mod restore;
mod results;
mod score;
mod similar;
pub(crate) use similar::distinctive_words;
pub mod snippet;
mod spelling;
mod stats;
mod suggest;
pub(crate) use suggest::complete_word;
pub use suggest::{Completion, CompletionKind};
pub mod translate;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis::{stopwords, Analyzer};
use crate::document::{page_of, Format};
use crate::error::{Error, Result};
use crate::index::schema::Fields;
use crate::lang::Lang;
use explain::explain;
pub(crate) use facets::FacetCache;
use facets::FacetCollector;
pub use facets::{FacetCount, Facets};
use parse::ParsedQuery;
pub(crate) use request::parse_day;
pub use request::{
    SearchRequest, Sort, DEFAULT_OTHER_LANGUAGE_HITS, MAX_LIMIT, MAX_OFFSET, MAX_OTHER_LANGUAGE_HITS, MAX_QUERY_CHARS,
};
pub use resolve::EvidenceKind;
use resolve::ResolvedWord;
pub use results::{DateSource, Explanation, OtherLanguages, Passage, SearchHit, SearchResults, WordEvidence};
use snippet::{make_passages, QueryWord};

/// Passages shown per hit, at most.
pub const MAX_PASSAGES: usize = 3;
use stats::Statistics;

/// Runs a search on a searcher.
pub(crate) fn search(
    searcher: &Searcher,
    fields: &Fields,
    facet_cache: &FacetCache,
    translator: &translate::Translator,
    request: &SearchRequest,
) -> Result<SearchResults> {
    if request.query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::InvalidRequest(format!("the query is longer than {MAX_QUERY_CHARS} characters")));
    }
    if request.limit == 0 || request.limit > MAX_LIMIT {
        return Err(Error::InvalidRequest(format!("the number of hits must be between 1 and {MAX_LIMIT}")));
    }
    if request.offset > MAX_OFFSET {
        return Err(Error::InvalidRequest(format!("paging deeper than {MAX_OFFSET} hits is not supported")));
    }
    let parsed = parse::parse(&request.query);
    let stats = Statistics::new(searcher);
    let langs = query_langs(request, &parsed);
    let planned = plan(&stats, fields, &parsed, request, &langs)?;
    let resolved = planned.as_ref().map(|p| p.words.as_slice()).unwrap_or(&[]);
    // The other languages' part is a search of its own: it runs on a
    // second thread beside the main one (each with its own statistics).
    std::thread::scope(|scope| {
        let other = request.other_languages.then(|| {
            scope.spawn(|| {
                let stats = Statistics::new(searcher);
                search_other_languages(searcher, &stats, fields, translator, &parsed, resolved, request)
            })
        });
        let main = main_results(searcher, &stats, fields, facet_cache, request, planned.as_ref());
        let other_languages = match other {
            Some(thread) => {
                Some(thread.join().map_err(|_| Error::Engine("the search in other languages failed".to_string()))??)
            }
            None => None,
        };
        let mut results = main?;
        results.other_languages = other_languages;
        Ok(results)
    })
}

/// The main results of a planned search (none when it asks for nothing).
fn main_results(
    searcher: &Searcher,
    stats: &Statistics,
    fields: &Fields,
    facet_cache: &FacetCache,
    request: &SearchRequest,
    planned: Option<&Plan>,
) -> Result<SearchResults> {
    let Some(plan) = planned else {
        return Ok(SearchResults {
            query: request.query.clone(),
            total: 0,
            hits: Vec::new(),
            facets: request.facets.then(Facets::default),
            other_languages: None,
            suggestion: None,
        });
    };
    // A date filter or the newest-first order looks past the best page:
    // at most the deepest page's worth of the best hits is kept.
    let range = request.date_range()?;
    let dated = range.is_some() || request.sort == Sort::Date;
    let keep = if dated { MAX_OFFSET + MAX_LIMIT } else { request.offset + request.limit };
    let ranking = score::rank(stats, fields, &plan.words, &plan.constraints, keep, request.facets || range.is_some())?;
    let (mut candidates, mut total, idf) = (ranking.best, ranking.total, ranking.idf);
    let mut matching = ranking.matching;
    if let Some((from, to)) = range {
        let within = |secs: i64| (from..=to).contains(&secs);
        candidates.retain(|c| within(dated::recency(searcher, c.address)));
        for (ord, docs) in matching.iter_mut().enumerate() {
            docs.retain(|&doc_id| within(dated::recency(searcher, DocAddress::new(ord as u32, doc_id))));
        }
        total = matching.iter().map(Vec::len).sum();
    }
    let facets = if request.facets {
        let mut facets = count_facets(searcher, facet_cache, &matching)?;
        facets.year = dated::year_counts(searcher, &matching);
        Some(facets)
    } else {
        None
    };
    let candidates = match request.sort {
        Sort::Date => dated::newest_first(searcher, candidates),
        Sort::Relevance => {
            candidates.truncate(keep);
            dated::tie_break_by_recency(searcher, candidates)
        }
    };
    let mut hits = Vec::new();
    for candidate in candidates.into_iter().skip(request.offset).take(request.limit) {
        let mut hit = load_hit(searcher, fields, candidate.address, candidate.score, &plan.snippet_words)?;
        if request.explain {
            hit.explain = Some(explain(stats, fields, &plan.words, &idf, &candidate)?);
        }
        hits.push(hit);
    }
    let suggestion = suggest::suggestion(&request.query, &plan.words);
    Ok(SearchResults { query: request.query.clone(), total, hits, facets, other_languages: None, suggestion })
}

/// The other-languages part of the results: the query's plain words (not
/// its quoted phrases) mapped to concepts, and the concepts' terms in the
/// other languages searched in the documents of those languages, with the
/// query's other filters. Empty when the query names no concept, or when
/// it is limited to one language.
fn search_other_languages(
    searcher: &Searcher,
    stats: &Statistics,
    fields: &Fields,
    translator: &translate::Translator,
    parsed: &ParsedQuery,
    resolved: &[ResolvedWord],
    request: &SearchRequest,
) -> Result<OtherLanguages> {
    let mut out = OtherLanguages::default();
    if request.lang.is_some() || !parsed.langs.is_empty() {
        return Ok(out);
    }
    let content: Vec<String> = parsed.words.iter().filter(|w| !is_stop_word_as_typed(w)).cloned().collect();
    let found = query_concepts(translator, parsed, resolved);
    if found.matches.is_empty() {
        return Ok(out);
    }
    // The query's language: as the bank's words say, else as its concepts were named.
    let typed: Vec<&String> = content.iter().chain(parsed.phrases.iter().flatten()).collect();
    let query_lang = match query_language(stats, fields, &typed)? {
        Some((lang, _)) => Some(lang),
        None => translate::named_language(&found.matches),
    };
    let Some(query_lang) = query_lang else { return Ok(out) };
    let targets: Vec<Lang> = Lang::ALL.iter().copied().filter(|&l| l != query_lang).collect();
    let (words, marks_by_lang) = translate::concept_words(translator, &found, &targets);
    if words.is_empty() {
        return Ok(out);
    }
    out.langs = targets.clone();
    let mut filters = filter_terms(fields, parsed, request);
    filters.push(targets.iter().map(|l| Term::from_field_text(fields.lang, l.code())).collect());
    let excluded = excluded_terms(fields, parsed, &Lang::ALL);
    let constraints = score::Constraints { filters, excluded, required: Vec::new(), language: None };
    let keep = request.other_languages_limit.clamp(1, MAX_OTHER_LANGUAGE_HITS);
    let ranking = score::rank(stats, fields, &words, &constraints, keep, false)?;
    out.total = ranking.total;
    // A snippet marks the terms of its document's language only.
    let snippet_words: Vec<Vec<QueryWord>> =
        marks_by_lang.iter().map(|marks| marks.iter().map(|w| QueryWord::new(w)).collect()).collect();
    let mut candidates = ranking.best;
    candidates.truncate(keep);
    for candidate in dated::tie_break_by_recency(searcher, candidates) {
        let words_for = |lang: Lang| {
            let slot = Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0);
            snippet_words.get(slot).map(Vec::as_slice).unwrap_or(&[])
        };
        let mut hit = load_hit_with(searcher, fields, candidate.address, candidate.score, words_for)?;
        // Each concept's best term in this document.
        for (word, found) in words.iter().zip(&candidate.matches) {
            if let Some(evidence) = found.and_then(|m| word.evidence.get(m.evidence)) {
                if !hit.via.contains(&evidence.word) {
                    hit.via.push(evidence.word.clone());
                }
            }
        }
        if request.explain {
            hit.explain = Some(explain(stats, fields, &words, &ranking.idf, &candidate)?);
        }
        out.hits.push(hit);
    }
    Ok(out)
}

/// The concepts of the term list (and the dictionaries) a query names: each
/// word as typed and as search read it (ä/ö/å restored, a typo corrected;
/// stop words stay, for the terms they are part of, "well being"), and each
/// quoted phrase only as a whole term, never word by word.
fn query_concepts(
    translator: &translate::Translator,
    parsed: &ParsedQuery,
    resolved: &[ResolvedWord],
) -> translate::Found {
    let forms: Vec<Vec<String>> = parsed
        .words
        .iter()
        .map(|typed| {
            let mut forms = vec![typed.clone()];
            let read_as = resolved.iter().filter(|r| &r.typed == typed).flat_map(|r| r.evidence.iter());
            for evidence in read_as {
                if matches!(evidence.kind, resolve::EvidenceKind::Restored | resolve::EvidenceKind::Correction)
                    && !forms.contains(&evidence.word)
                {
                    forms.push(evidence.word.clone());
                }
            }
            forms
        })
        .collect();
    let mut found = translator.find_concepts(&forms);
    for phrase in &parsed.phrases {
        for whole in translate::find_whole_terms(&translator.domain, phrase) {
            if !found.matches.iter().any(|m| m.concept == whole.concept) {
                found.matches.push(whole);
            }
        }
    }
    found
}

/// What a query asks for, resolved against the bank.
struct Plan {
    /// The words that are scored (plain words, then the words of phrases).
    words: Vec<ResolvedWord>,
    constraints: score::Constraints,
    snippet_words: Vec<QueryWord>,
}

/// Resolves a parsed query into the words to score and the constraints to
/// meet; `None` when it asks for nothing.
fn plan(
    stats: &Statistics,
    fields: &Fields,
    parsed: &ParsedQuery,
    request: &SearchRequest,
    langs: &[Lang],
) -> Result<Option<Plan>> {
    let filters = filter_terms(fields, parsed, request);

    let excluded = excluded_terms(fields, parsed, langs);

    // Words: stop words are dropped unless the query is nothing but them.
    let content: Vec<String> = parsed.words.iter().filter(|w| !is_stop_word_as_typed(w)).cloned().collect();
    let mut words = if content.is_empty() && parsed.phrases.is_empty() {
        parsed.words.iter().map(|w| resolve::resolve_exact(langs, w)).collect()
    } else {
        resolve::resolve_words(stats, fields, langs, &content)?
    };
    let mut snippet_words: Vec<QueryWord> = Vec::new();
    for word in &words {
        snippet_words.push(QueryWord::new(&word.typed));
        snippet_words.extend(word.also_marks.iter().map(|w| QueryWord::new(w)));
    }

    // Phrases: required, in any language's analysis, with each word read
    // as it was resolved (ä/ö/å restored); their words are scored too.
    let mut required: Vec<Box<dyn Query>> = Vec::new();
    for phrase in &parsed.phrases {
        let phrase_content: Vec<String> = phrase.iter().filter(|w| !is_stop_word_as_typed(w)).cloned().collect();
        let resolved = resolve::resolve_words(stats, fields, langs, &phrase_content)?;
        required.push(phrase_query(fields, langs, phrase, &resolved));
        for word in &resolved {
            snippet_words.push(QueryWord::new(&word.typed));
            snippet_words.extend(word.also_marks.iter().map(|w| QueryWord::new(w)));
        }
        if resolved.is_empty() {
            words.extend(phrase.iter().map(|w| resolve::resolve_exact(langs, w)));
        }
        words.extend(resolved);
    }

    if words.is_empty() && filters.is_empty() {
        return Ok(None);
    }
    // A mild preference for documents in the language the query is written
    // in, judged on the words as meant: a word typed without ä/ö/å counts as
    // its one restored form, so it ranks as if typed with the letters.
    let evidence_words: Vec<&String> =
        parsed.words.iter().chain(parsed.phrases.iter().flatten()).map(|typed| restored_form(&words, typed)).collect();
    let language = if langs.len() > 1 {
        query_language(stats, fields, &evidence_words)?
            .map(|(lang, share)| (Term::from_field_text(fields.lang, lang.code()), share))
    } else {
        None
    };
    Ok(Some(Plan { words, constraints: score::Constraints { filters, excluded, required, language }, snippet_words }))
}

/// The terms of the query's `-excluded` words: any stem of them, in any
/// of `langs`, in any text field.
fn excluded_terms(fields: &Fields, parsed: &ParsedQuery, langs: &[Lang]) -> Vec<Term> {
    let analyzer = Analyzer::get();
    let mut excluded = Vec::new();
    for word in parsed.excluded.iter().flatten() {
        for &lang in langs {
            let key = analyzer.stem(lang, word);
            for field in [fields.title, fields.heads, fields.body] {
                excluded.push(Term::from_field_text(field, &key));
            }
        }
    }
    excluded
}

/// The filter groups of a query and request: each a list of terms of which
/// a document must hold one.
fn filter_terms(fields: &Fields, parsed: &ParsedQuery, request: &SearchRequest) -> Vec<Vec<Term>> {
    let mut groups = Vec::new();
    let mut group = |values: Vec<String>, field| {
        if !values.is_empty() {
            groups.push(values.iter().map(|v| Term::from_field_text(field, v)).collect());
        }
    };
    let mut langs: Vec<String> =
        parsed.langs.iter().filter_map(|l| l.parse::<Lang>().ok()).map(|l| l.code().to_string()).collect();
    if !parsed.langs.is_empty() && langs.is_empty() {
        langs = parsed.langs.clone(); // unknown language: matches nothing, as asked
    }
    langs.extend(request.lang.map(|l| l.code().to_string()));
    group(langs, fields.lang);
    let mut formats: Vec<String> = parsed
        .formats
        .iter()
        .map(|f| f.parse::<Format>().map(|f| f.name().to_string()).unwrap_or_else(|_| f.clone()))
        .collect();
    formats.extend(request.format.map(|f| f.name().to_string()));
    group(formats, fields.format);
    let mut tags = parsed.tags.clone();
    tags.extend(request.tag.as_ref().map(|t| t.to_lowercase()));
    group(tags, fields.tag);
    let mut folders = parsed.folders.clone();
    folders.extend(request.folder.clone());
    group(folders, fields.folder);
    groups
}

/// Most variants of one phrase searched (ambiguous restorations multiply).
const MAX_PHRASE_VARIANTS: usize = 8;

/// The query for a phrase: its words in order in the title, headings or
/// body, in each language's analysis, each word as typed or as restored.
/// The stem fields hold no stop words, so those are skipped, keeping the
/// other words' offsets; a phrase of stop words only needs every word's
/// exact form in one document.
fn phrase_query(fields: &Fields, langs: &[Lang], phrase: &[String], resolved: &[ResolvedWord]) -> Box<dyn Query> {
    let analyzer = Analyzer::get();
    let mut variants: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &lang in langs {
        // Each position's possible keys: the word's stem, and the stems of its restored forms.
        let mut positions: Vec<(usize, Vec<String>)> = Vec::new();
        let mut content = resolved.iter();
        for (offset, word) in phrase.iter().enumerate() {
            if stopwords::is_stop_word(lang, word) {
                if !stopwords::is_stop_word_anywhere(word) {
                    content.next();
                }
                continue;
            }
            let mut keys = vec![analyzer.stem(lang, word)];
            if let Some(found) = content.next().filter(|r| &r.typed == word) {
                for evidence in &found.evidence {
                    if evidence.kind == EvidenceKind::Restored {
                        if let resolve::Source::Stems(stems) = &evidence.source {
                            keys.extend(stems.iter().cloned());
                        }
                    }
                }
            }
            keys.dedup();
            positions.push((offset, keys));
        }
        if positions.is_empty() {
            let all: Vec<(Occur, Box<dyn Query>)> = phrase
                .iter()
                .map(|w| {
                    let term = Term::from_field_text(fields.exact, &crate::analysis::exact_key(lang, w));
                    (Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
                })
                .collect();
            variants.push((Occur::Should, Box::new(BooleanQuery::new(all))));
            continue;
        }
        let mut combinations: Vec<Vec<(usize, String)>> = vec![Vec::new()];
        for (offset, keys) in &positions {
            let mut next = Vec::new();
            for combination in &combinations {
                for key in keys {
                    let mut longer = combination.clone();
                    longer.push((*offset, key.clone()));
                    next.push(longer);
                }
            }
            next.truncate(MAX_PHRASE_VARIANTS);
            combinations = next;
        }
        for combination in combinations {
            for field in [fields.title, fields.heads, fields.body] {
                let mut terms: Vec<(usize, Term)> =
                    combination.iter().map(|(offset, k)| (*offset, Term::from_field_text(field, k))).collect();
                let query: Box<dyn Query> = if terms.len() == 1 {
                    Box::new(TermQuery::new(terms.remove(0).1, IndexRecordOption::Basic))
                } else {
                    Box::new(PhraseQuery::new_with_offset(terms))
                };
                variants.push((Occur::Should, query));
            }
        }
    }
    Box::new(BooleanQuery::new(variants))
}

/// Counts the facets of every matching document.
/// Counts the facet values of the matching documents (per segment, in id order).
fn count_facets(searcher: &Searcher, cache: &FacetCache, matching: &[Vec<tantivy::DocId>]) -> Result<Facets> {
    let collector = FacetCollector::new(cache, searcher);
    let mut fruits = Vec::new();
    for (ord, (segment, docs)) in searcher.segment_readers().iter().zip(matching).enumerate() {
        let mut child = collector.for_segment(ord as u32, segment)?;
        for &doc in docs.iter() {
            child.collect(doc, 0.0);
        }
        fruits.push(child.harvest());
    }
    Ok(collector.merge_fruits(fruits)?)
}

fn load_hit(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
    score: f32,
    words: &[QueryWord],
) -> Result<SearchHit> {
    load_hit_with(searcher, fields, address, score, |_| words)
}

/// [`load_hit`], the snippet marking the words `words_for` gives for the document's language.
fn load_hit_with<'w>(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
    score: f32,
    words_for: impl Fn(Lang) -> &'w [QueryWord],
) -> Result<SearchHit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let lang = text_of(fields.lang).parse::<Lang>().unwrap_or(Lang::En);
    let words = words_for(lang);
    let format = text_of(fields.format).parse::<Format>().unwrap_or(Format::Text);
    let text = text_of(fields.text);
    // A fault inside one hit's passages gives a plain excerpt, never a failed search.
    let found = std::panic::catch_unwind(|| make_passages(&text, lang, words, MAX_PASSAGES)).unwrap_or_default();
    let snippet = found.first().cloned().unwrap_or_else(|| snippet::plain_excerpt(&text));
    let page_starts = page_starts(&doc, fields);
    let page_at = |offset: Option<usize>| match (format, offset) {
        (Format::Pdf, Some(offset)) => page_of(&page_starts, offset),
        (Format::Pdf, None) if !page_starts.is_empty() => Some(1),
        _ => None,
    };
    let page = page_at(snippet.offset);
    let passages = if found.is_empty() { vec![snippet.clone()] } else { found };
    let passages: Vec<Passage> =
        passages.into_iter().map(|p| Passage { page: page_at(p.offset), text: p.html }).collect();
    let ocr_pages = doc
        .get_first(fields.ocr_pages)
        .and_then(|v| v.as_bytes())
        .map(crate::index::schema::decode_u32s)
        .unwrap_or_default();
    let stored_date = text_of(fields.date);
    let (date, date_source) = match crate::dates::iso_date(&stored_date) {
        Some(day) => (Some(day), DateSource::of_metadata(format)),
        None => {
            let mtime = doc.get_first(fields.mtime).and_then(|v| v.as_i64()).unwrap_or(0) / 1_000_000_000;
            (Some(crate::dates::day_of(mtime)), DateSource::FileModified)
        }
    };
    Ok(SearchHit {
        path: text_of(fields.path),
        title: text_of(fields.title_text),
        lang,
        format,
        score,
        page,
        snippet: snippet.html,
        passages,
        date,
        date_source,
        ocr: page.is_some_and(|p| ocr_pages.contains(&p)),
        explain: None,
        via: Vec::new(),
    })
}

/// Decodes the stored page start offsets.
pub(crate) fn page_starts(doc: &TantivyDocument, fields: &Fields) -> Vec<usize> {
    doc.get_first(fields.page_starts)
        .and_then(|v| v.as_bytes())
        .map(|b| crate::index::schema::decode_u32s(b).into_iter().map(|s| s as usize).collect())
        .unwrap_or_default()
}

/// A stop word, typed with or without its ä/ö/å.
fn is_stop_word_as_typed(word: &str) -> bool {
    stopwords::is_stop_word_anywhere(word) || stopwords::is_folded_stop_word(word)
}

/// The one form a word typed without ä/ö/å stands for in the bank (a sure
/// restoration), or the word itself.
fn restored_form<'a>(words: &'a [resolve::ResolvedWord], typed: &'a String) -> &'a String {
    words
        .iter()
        .filter(|w| &w.typed == typed)
        .flat_map(|w| w.evidence.iter())
        .find(|e| e.kind == resolve::EvidenceKind::Restored && e.form_confidence >= resolve::confidence::SAME_FORM)
        .map_or(typed, |e| &e.word)
}

/// The languages whose analyses a query is searched with.
fn query_langs(request: &SearchRequest, parsed: &ParsedQuery) -> Vec<Lang> {
    if let Some(lang) = request.lang {
        return vec![lang];
    }
    let from_filter: Vec<Lang> = parsed.langs.iter().filter_map(|l| l.parse().ok()).collect();
    if !from_filter.is_empty() {
        return from_filter;
    }
    Lang::ALL.to_vec()
}

/// Which language the query's words are written in, judged by how common
/// their exact forms are in each language's documents. `None` when the
/// evidence is thin or split.
fn query_language(stats: &Statistics, fields: &Fields, words: &[&String]) -> Result<Option<(Lang, f32)>> {
    let mut evidence = [0f64; 3];
    for (slot, &lang) in Lang::ALL.iter().enumerate() {
        let docs = stats.key_freq(fields.lang, lang.code())?.max(1) as f64;
        for word in words {
            let df = stats.key_freq(fields.exact, &crate::analysis::exact_key(lang, word))? as f64;
            evidence[slot] += df / docs;
        }
    }
    let total: f64 = evidence.iter().sum();
    if total <= 0.0 {
        return Ok(None);
    }
    let (best, value) = evidence.iter().enumerate().fold((0, 0.0), |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc });
    let share = value / total;
    Ok((share >= 0.6).then_some((Lang::ALL[best], share as f32)))
}
