//! Stage 5: search. Builds a tantivy query from what the person typed
//! (see [`crate::query`]), ranks with BM25 over several analysed fields, and
//! returns hits with snippets, pages and facet counts.
//!
//! Each query word becomes a group of clauses, summed:
//! stems in the title (weighted highest), in headings and tags, and in the
//! body, in each of the three languages; the exact form (a bonus, so the
//! form typed ranks first); the folded form (ä=a, at a lower weight); the
//! compound tails (a lower weight); and, only when the word is found nowhere,
//! the words of the index one edit away, at a lower weight. Documents that contain every
//! word get a bonus, so ranking leans towards AND while partial matches
//! still come back.

use std::collections::HashMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

use crate::analysis::{exact_key, fold, stopwords, Analyzer, MIN_TAIL_CHARS};
use crate::document::{page_of, Format};
use crate::error::{Error, Result};
use crate::facets::{FacetCache, FacetCollector};
use crate::lang::Lang;
use crate::query::{self, ParsedQuery};
use crate::schema::Fields;
use crate::snippet::{make_snippet, QueryWord};

/// Weights of the clauses of one query word.
mod weight {
    pub const TITLE: f32 = 3.0;
    pub const HEADS: f32 = 1.8;
    pub const BODY: f32 = 1.0;
    pub const EXACT: f32 = 0.4;
    pub const FOLDED: f32 = 0.6;
    pub const TAILS: f32 = 0.5;
    pub const CORRECTION: f32 = 0.9;
    pub const NEAR: f32 = 0.45;
    pub const HEAD_PARTS: f32 = 0.25;
    pub const LANGUAGE_PRIOR: f32 = 1.5;
    pub const JOINED: f32 = 0.8;
    pub const ALL_WORDS: f32 = 0.6;
    pub const PHRASE: f32 = 1.5;
}

/// The most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// How deep paging may go.
pub const MAX_OFFSET: usize = 10_000;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// A search: the query text plus optional filters and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// What the person typed (may contain phrases, exclusions and filters).
    pub query: String,
    /// How many hits to return (at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// How many hits to skip (for paging).
    pub offset: usize,
    /// Only documents in this language.
    pub lang: Option<Lang>,
    /// Only documents of this format.
    pub format: Option<Format>,
    /// Only documents with this tag.
    pub tag: Option<String>,
    /// Only documents under this top-level folder.
    pub folder: Option<String>,
    /// Whether to count facets.
    pub facets: bool,
}

impl SearchRequest {
    /// A request for `query` with 10 hits and no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            lang: None,
            format: None,
            tag: None,
            folder: None,
            facets: false,
        }
    }

    /// Sets the number of hits.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets the paging offset.
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Restricts to one language.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Restricts to one format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Restricts to one tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Restricts to one top-level folder.
    pub fn folder(mut self, folder: impl Into<String>) -> Self {
        self.folder = Some(folder.into());
        self
    }

    /// Asks for facet counts.
    pub fn with_facets(mut self) -> Self {
        self.facets = true;
        self
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchHit {
    /// Path relative to the documents folder, `/`-separated.
    pub path: String,
    /// The document's title.
    pub title: String,
    /// The document's language.
    pub lang: Lang,
    /// The document's format.
    pub format: Format,
    /// Relevance score (higher is better; only comparable within one search).
    pub score: f32,
    /// For PDFs, the page of the best-matching passage.
    pub page: Option<u32>,
    /// The best-matching passage as HTML-safe text, matched words in `<mark>…</mark>`.
    pub snippet: String,
}

/// A facet value and how many matching documents have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FacetCount {
    /// The value (`fi`, `pdf`, a tag, a folder name).
    pub value: String,
    /// Number of matching documents.
    pub count: u64,
}

/// Facet counts for the current query (before the request's own filters on
/// that facet are applied only in the sense that filters narrow every count).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facets {
    /// Counts by language.
    pub lang: Vec<FacetCount>,
    /// Counts by format.
    pub format: Vec<FacetCount>,
    /// Counts by tag.
    pub tag: Vec<FacetCount>,
    /// Counts by top-level folder.
    pub folder: Vec<FacetCount>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// How many documents match in all.
    pub total: usize,
    /// The requested page of hits, best first.
    pub hits: Vec<SearchHit>,
    /// Facet counts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

/// Runs a search on a searcher.
pub(crate) fn search(
    searcher: &Searcher,
    fields: &Fields,
    facet_cache: &FacetCache,
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
    let parsed = query::parse(&request.query);
    let stats = Statistics::new(searcher);
    let Some(built) = build_query(&stats, fields, &parsed, request)? else {
        return Ok(SearchResults {
            query: request.query.clone(),
            total: 0,
            hits: Vec::new(),
            facets: request.facets.then(Facets::default),
        });
    };
    let fetch = request.offset + request.limit;
    // With a bonus to add, more candidates than shown are ranked first.
    let candidates = if built.all_words_bonus.is_some() { fetch + RERANK_MARGIN } else { fetch };
    let (top, total, facets) = if request.facets {
        let collector =
            (TopDocs::with_limit(candidates).order_by_score(), Count, FacetCollector::new(facet_cache, searcher));
        let (top, total, facets) = searcher.search_with_statistics_provider(&built.query, &collector, &stats)?;
        (top, total, Some(facets))
    } else {
        let collector = (TopDocs::with_limit(candidates).order_by_score(), Count);
        let (top, total) = searcher.search_with_statistics_provider(&built.query, &collector, &stats)?;
        (top, total, None)
    };
    let mut top = match &built.all_words_bonus {
        Some(bonus) => rerank_with_bonus(&stats, bonus.as_ref(), top)?,
        None => top,
    };
    top.truncate(fetch);
    let top = tie_break_by_recency(searcher, top);
    let mut hits = Vec::new();
    for (score, address) in top.into_iter().skip(request.offset) {
        hits.push(load_hit(searcher, fields, address, score, &built.snippet_words)?);
    }
    Ok(SearchResults { query: request.query.clone(), total, hits, facets })
}

/// Orders equal scores by the document's date, newest first.
/// The searcher with its term statistics remembered for one search: a
/// query names the same terms many times (to test them while it is built,
/// in its clauses and in the all-words bonus), and each look-up reads every
/// segment's dictionary.
struct Statistics<'a> {
    searcher: &'a Searcher,
    doc_freqs: std::cell::RefCell<HashMap<Term, u64>>,
    num_tokens: std::cell::RefCell<HashMap<tantivy::schema::Field, u64>>,
}

impl<'a> Statistics<'a> {
    fn new(searcher: &'a Searcher) -> Self {
        Statistics { searcher, doc_freqs: Default::default(), num_tokens: Default::default() }
    }

    /// The number of documents holding `term` (remembered).
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&count) = self.doc_freqs.borrow().get(term) {
            return Ok(count);
        }
        let count = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), count);
        Ok(count)
    }
}

impl std::ops::Deref for Statistics<'_> {
    type Target = Searcher;

    fn deref(&self) -> &Searcher {
        self.searcher
    }
}

impl tantivy::query::Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        if let Some(&count) = self.num_tokens.borrow().get(&field) {
            return Ok(count);
        }
        let count = tantivy::query::Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        self.num_tokens.borrow_mut().insert(field, count);
        Ok(count)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        tantivy::query::Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Statistics::doc_freq(self, term)
    }
}

/// How many candidates beyond those shown get the all-words bonus before
/// the final ranking.
const RERANK_MARGIN: usize = 100;

/// Adds the all-words bonus to the candidates' scores and sorts them again.
///
/// The bonus is a conjunction of every word's clauses; computed over the
/// whole index it doubled the scoring work of a multi-word query. It only
/// raises documents that already match every word, which rank high without
/// it, so adding it to the best candidates gives the same top results.
fn rerank_with_bonus(
    searcher: &Statistics,
    bonus: &dyn Query,
    mut top: Vec<(Score, DocAddress)>,
) -> Result<Vec<(Score, DocAddress)>> {
    let weight = bonus.weight(tantivy::query::EnableScoring::enabled_from_statistics_provider(searcher, searcher))?;
    // By segment, then document, so each segment's scorer only moves forward.
    top.sort_by_key(|&(_, address)| (address.segment_ord, address.doc_id));
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for (score, address) in &mut top {
        if current.as_ref().is_none_or(|(ord, _)| *ord != address.segment_ord) {
            let scorer = weight.scorer(searcher.segment_reader(address.segment_ord), 1.0)?;
            current = Some((address.segment_ord, scorer));
        }
        let Some((_, scorer)) = current.as_mut() else { continue };
        if scorer.doc() < address.doc_id {
            scorer.seek(address.doc_id);
        }
        if scorer.doc() == address.doc_id {
            *score += scorer.score();
        }
    }
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(top)
}

fn tie_break_by_recency(searcher: &Searcher, mut top: Vec<(Score, DocAddress)>) -> Vec<(Score, DocAddress)> {
    let recency = |addr: &DocAddress| -> i64 {
        let segment = searcher.segment_reader(addr.segment_ord);
        segment.fast_fields().i64("recency").ok().and_then(|c| c.first(addr.doc_id)).unwrap_or(0)
    };
    let mut keyed: Vec<(Score, i64, DocAddress)> = top.drain(..).map(|(s, a)| (s, recency(&a), a)).collect();
    keyed.sort_by(|a, b| {
        let (sa, sb) = ((a.0 * 1e4).round(), (b.0 * 1e4).round());
        sb.total_cmp(&sa).then(b.1.cmp(&a.1))
    });
    keyed.into_iter().map(|(s, _, a)| (s, a)).collect()
}

fn load_hit(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
    score: Score,
    words: &[QueryWord],
) -> Result<SearchHit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let lang = text_of(fields.lang).parse::<Lang>().unwrap_or(Lang::En);
    let format = text_of(fields.format).parse::<Format>().unwrap_or(Format::Text);
    let text = text_of(fields.text);
    let snippet = make_snippet(&text, lang, words);
    let page_starts = page_starts(&doc, fields);
    let page = match (format, snippet.offset) {
        (Format::Pdf, Some(offset)) => page_of(&page_starts, offset),
        (Format::Pdf, None) if !page_starts.is_empty() => Some(1),
        _ => None,
    };
    Ok(SearchHit {
        path: text_of(fields.path),
        title: text_of(fields.title_text),
        lang,
        format,
        score,
        page,
        snippet: snippet.html,
    })
}

/// Decodes the stored page start offsets.
pub(crate) fn page_starts(doc: &TantivyDocument, fields: &Fields) -> Vec<usize> {
    doc.get_first(fields.page_starts)
        .and_then(|v| v.as_bytes())
        .map(|b| b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize).collect())
        .unwrap_or_default()
}

/// A built query and what the snippet generator should look for.
struct BuiltQuery {
    query: Box<dyn Query>,
    /// The bonus for documents holding every query word, added to the best
    /// candidates only (see [`rerank_with_bonus`]).
    all_words_bonus: Option<Box<dyn Query>>,
    snippet_words: Vec<QueryWord>,
}

fn term_query(field: tantivy::schema::Field, key: &str, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(q), boost))
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

fn build_query(
    searcher: &Statistics,
    fields: &Fields,
    parsed: &ParsedQuery,
    request: &SearchRequest,
) -> Result<Option<BuiltQuery>> {
    let analyzer = Analyzer::get();
    let langs = query_langs(request, parsed);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();

    // Filters.
    let mut filter = |values: Vec<String>, field| {
        if values.is_empty() {
            return;
        }
        let options: Vec<(Occur, Box<dyn Query>)> = values
            .iter()
            .map(|v| {
                (
                    Occur::Should,
                    Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic))
                        as Box<dyn Query>,
                )
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(options))));
    };
    let mut langs_filter: Vec<String> =
        parsed.langs.iter().filter_map(|l| l.parse::<Lang>().ok()).map(|l| l.code().to_string()).collect();
    if !parsed.langs.is_empty() && langs_filter.is_empty() {
        langs_filter = parsed.langs.clone(); // unknown language: matches nothing, as asked
    }
    langs_filter.extend(request.lang.map(|l| l.code().to_string()));
    filter(langs_filter, fields.lang);
    let mut formats: Vec<String> = parsed
        .formats
        .iter()
        .map(|f| f.parse::<Format>().map(|f| f.name().to_string()).unwrap_or_else(|_| f.clone()))
        .collect();
    formats.extend(request.format.map(|f| f.name().to_string()));
    filter(formats, fields.format);
    let mut tags = parsed.tags.clone();
    tags.extend(request.tag.as_ref().map(|t| t.to_lowercase()));
    filter(tags, fields.tag);
    let mut folders = parsed.folders.clone();
    folders.extend(request.folder.clone());
    filter(folders, fields.folder);
    let has_filters = !clauses.is_empty();

    // Exclusions: any stem of the excluded word in any text field.
    for excluded in &parsed.excluded {
        for word in excluded {
            for &lang in &langs {
                let key = analyzer.stem(lang, word);
                for field in [fields.title, fields.heads, fields.body] {
                    clauses.push((Occur::MustNot, term_query(field, &key, 1.0)));
                }
            }
        }
    }

    // Words: stop words are dropped unless the query is nothing but them.
    let content: Vec<&String> = parsed.words.iter().filter(|w| !stopwords::is_stop_word_anywhere(w)).collect();
    let words: Vec<&String> = if content.is_empty() { parsed.words.iter().collect() } else { content };
    let mut snippet_words: Vec<QueryWord> = Vec::new();
    let mut word_queries: Vec<Box<dyn Query>> = Vec::new();
    let mut extra_clauses: Clauses = Vec::new();
    for word in &words {
        let (core, extras) = word_query(searcher, fields, &langs, word)?;
        word_queries.push(core);
        extra_clauses.extend(extras);
        snippet_words.push(QueryWord::new(word));
    }
    let mut should: Vec<(Occur, Box<dyn Query>)> =
        word_queries.iter().map(|q| (Occur::Should, q.box_clone())).collect();
    should.extend(extra_clauses);
    // Two words typed apart may be one compound in the text ("avustus kalenteri").
    for pair in words.windows(2) {
        let joined = format!("{}{}", pair[0], pair[1]);
        let mut keys: Vec<String> = langs.iter().map(|&l| analyzer.stem(l, &joined)).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            for (field, w) in [
                (fields.title, weight::TITLE),
                (fields.heads, weight::HEADS),
                (fields.body, weight::BODY),
                (fields.tails, weight::TAILS),
            ] {
                should.push((Occur::Should, term_query(field, &key, w * weight::JOINED)));
            }
        }
        snippet_words.push(QueryWord::new(&joined));
    }
    let all_words_bonus: Option<Box<dyn Query>> = (word_queries.len() >= 2).then(|| {
        let all: Vec<(Occur, Box<dyn Query>)> = word_queries.iter().map(|q| (Occur::Must, q.box_clone())).collect();
        Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), weight::ALL_WORDS)) as Box<dyn Query>
    });
    if !should.is_empty() {
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(should))));
    }

    // Phrases: required, in any language's analysis. The stem fields hold
    // no stop words, so those are skipped, keeping the other words' offsets.
    for phrase in &parsed.phrases {
        let mut variants: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut only_stop_words = false;
        for &lang in &langs {
            let keys: Vec<(usize, String)> = phrase
                .iter()
                .enumerate()
                .filter(|(_, w)| !stopwords::is_stop_word(lang, w))
                .map(|(offset, w)| (offset, analyzer.stem(lang, w)))
                .collect();
            only_stop_words |= keys.is_empty();
            for (field, w) in
                [(fields.title, weight::TITLE), (fields.heads, weight::HEADS), (fields.body, weight::BODY)]
            {
                let mut terms: Vec<(usize, Term)> =
                    keys.iter().map(|(offset, k)| (*offset, Term::from_field_text(field, k))).collect();
                let query: Box<dyn Query> = match terms.len() {
                    0 => continue,
                    1 => Box::new(TermQuery::new(terms.remove(0).1, IndexRecordOption::WithFreqs)),
                    _ => Box::new(PhraseQuery::new_with_offset(terms)),
                };
                variants.push((Occur::Should, Box::new(BoostQuery::new(query, w * weight::PHRASE))));
            }
        }
        if only_stop_words {
            // Nothing but stop words in some language: every word's exact
            // form in one document (their order is not kept for them).
            let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for word in phrase {
                let forms: Vec<(Occur, Box<dyn Query>)> = langs
                    .iter()
                    .map(|&lang| (Occur::Should, term_query(fields.exact, &exact_key(lang, word), weight::EXACT)))
                    .collect();
                all.push((Occur::Must, Box::new(BooleanQuery::new(forms))));
            }
            variants.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(variants))));
        // The words as written rank the phrase's exact forms first.
        for &lang in &langs {
            for word in phrase {
                let key = exact_key(lang, word);
                if searcher.doc_freq(&Term::from_field_text(fields.exact, &key))? > 0 {
                    clauses.push((Occur::Should, term_query(fields.exact, &key, weight::EXACT)));
                }
            }
        }
        snippet_words.extend(phrase.iter().map(|w| QueryWord::new(w)));
    }

    // A mild preference for documents in the language the query is written in.
    let mut evidence_words: Vec<&String> = words.clone();
    evidence_words.extend(parsed.phrases.iter().flatten());
    if langs.len() > 1 {
        if let Some((lang, share)) = query_language(searcher, fields, &evidence_words)? {
            let prior = TermQuery::new(Term::from_field_text(fields.lang, lang.code()), IndexRecordOption::Basic);
            clauses
                .push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(prior), weight::LANGUAGE_PRIOR * share))));
        }
    }

    let has_terms = !words.is_empty() || !parsed.phrases.is_empty();
    if !has_terms {
        if !has_filters {
            return Ok(None);
        }
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Ok(Some(BuiltQuery { query: Box::new(BooleanQuery::new(clauses)), all_words_bonus, snippet_words }))
}

/// Boolean clauses of a query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// The clauses for one query word (see the module docs).
fn word_query(searcher: &Statistics, fields: &Fields, langs: &[Lang], word: &str) -> Result<(Box<dyn Query>, Clauses)> {
    let (mut clauses, extras, found) = word_clauses(searcher, fields, langs, word, 1.0)?;
    if found == 0 && word.chars().count() >= 5 {
        // Found in no form: read it as a typo of the words in the index one
        // edit away, each searched like a typed word at a lower weight.
        for correction in corrections(searcher, fields, langs, word)? {
            let (more, _, _) = word_clauses(searcher, fields, langs, &correction, weight::CORRECTION)?;
            clauses.extend(more);
        }
    }
    Ok((Box::new(BooleanQuery::new(clauses)), extras))
}

/// The stem, exact, folded and tail clauses of a word, scaled by `scale`,
/// and how many postings they reach (0: the word is in no document).
fn word_clauses(
    searcher: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
    scale: f32,
) -> Result<(Clauses, Clauses, u64)> {
    let analyzer = Analyzer::get();
    let mut keys: Vec<String> = langs.iter().map(|&l| analyzer.stem(l, word)).collect();
    keys.sort();
    keys.dedup();
    let mut folded: Vec<String> = langs.iter().map(|&l| analyzer.folded(l, word)).collect();
    folded.sort();
    folded.dedup();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut found = 0u64;
    for key in &keys {
        for (field, w) in [(fields.title, weight::TITLE), (fields.heads, weight::HEADS), (fields.body, weight::BODY)] {
            found += searcher.doc_freq(&Term::from_field_text(field, key))?;
            clauses.push((Occur::Should, term_query(field, key, w * scale)));
        }
        if key.chars().count() >= MIN_TAIL_CHARS {
            found += searcher.doc_freq(&Term::from_field_text(fields.tails, key))?;
            clauses.push((Occur::Should, term_query(fields.tails, key, weight::TAILS * scale)));
        }
    }
    // Near forms: a stem one or two letters longer or shorter than the
    // query's ("sähkökatkos" ~ "sähkökatko", "aikan" ~ "aika"), where the
    // stemmer split one word's forms or two close derivations; low weight.
    // A word already in a large share of the documents needs no widening:
    // its own forms rank enough documents, and the extra clauses over long
    // posting lists would cost more than they add.
    let common = found > COMMON_WORD_MIN_DOCS.max(searcher.num_docs() / 20);
    let (near, heads) = if common { Default::default() } else { related_keys(searcher, fields, &keys)? };
    for near in near {
        for (field, w) in [(fields.title, weight::TITLE), (fields.heads, weight::HEADS), (fields.body, weight::BODY)] {
            clauses.push((Occur::Should, term_query(field, &near, w * weight::NEAR * scale)));
        }
    }
    // Compounds that begin with the word: kept apart from the word's own
    // clauses so they add a little score but never count as the word
    // itself (for the all-words bonus).
    let mut extras: Clauses = Vec::new();
    for head in heads {
        for (field, w) in [(fields.title, weight::TITLE), (fields.heads, weight::HEADS), (fields.body, weight::BODY)] {
            extras.push((Occur::Should, term_query(field, &head, w * weight::HEAD_PARTS * scale)));
        }
    }
    for &lang in langs {
        let key = exact_key(lang, word);
        // (Stop words are only here: the stem fields leave them out.)
        let exact_docs = searcher.doc_freq(&Term::from_field_text(fields.exact, &key))?;
        if exact_docs > 0 {
            found += exact_docs;
            clauses.push((Occur::Should, term_query(fields.exact, &key, weight::EXACT * scale)));
        }
    }
    for key in &folded {
        found += searcher.doc_freq(&Term::from_field_text(fields.folded, key))?;
        clauses.push((Occur::Should, term_query(fields.folded, key, weight::FOLDED * scale)));
        // The folded field holds only keys that folding changed: a word
        // written without its accents in a document is in the body field.
        if !keys.contains(key) {
            found += searcher.doc_freq(&Term::from_field_text(fields.body, key))?;
            clauses.push((Occur::Should, term_query(fields.body, key, weight::FOLDED * scale)));
        }
    }
    Ok((clauses, extras, found))
}

/// Documents a word's own forms must reach (and a twentieth of the bank)
/// before its near forms and compounds are left out.
const COMMON_WORD_MIN_DOCS: u64 = 500;

/// Shortest stem that takes part in near-form matching, in characters.
const NEAR_MIN_CHARS: usize = 5;

/// Shortest stem that can be the first part of a compound.
const HEAD_MIN_CHARS: usize = 4;
/// Shortest rest of a compound after its first part.
const HEAD_REST_MIN_CHARS: usize = 3;
/// How many dictionary terms of a prefix scan may give near forms.
const NEAR_SCAN_LIMIT: usize = 64;
/// How many dictionary terms one prefix scan reads at most, per segment.
const PREFIX_SCAN_LIMIT: usize = 2_000;

/// Body stems related to the query's stems, found in the index's own
/// vocabulary (see [`word_clauses`]):
/// - near forms: stems one or two letters longer or shorter;
/// - compounds that begin with the word: a stem that starts with the query
///   stem and whose rest (after a Swedish linking -s-) is itself a stem of
///   the index, so "beredskap" finds "beredskapsplan" (plan is a word) and
///   "tila" finds "tilavuokra" but not "tilaisuus" (isuus is not).
fn related_keys(searcher: &Statistics, fields: &Fields, keys: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    let mut near: Vec<String> = Vec::new();
    let mut heads: Vec<String> = Vec::new();
    let known = |term: &str| -> Result<bool> { Ok(searcher.doc_freq(&Term::from_field_text(fields.body, term))? > 0) };
    for key in keys {
        let chars: Vec<char> = key.chars().collect();
        if chars.len() < HEAD_MIN_CHARS || !chars.iter().all(|c| c.is_alphabetic()) {
            continue;
        }
        for cut in 1..=2 {
            if chars.len() < NEAR_MIN_CHARS + cut {
                break;
            }
            let shorter: String = chars[..chars.len() - cut].iter().collect();
            if !keys.contains(&shorter) && !near.contains(&shorter) && known(&shorter)? {
                near.push(shorter);
            }
        }
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(fields.body)?;
            let mut stream = inverted.terms().range().ge(key.as_bytes()).into_stream()?;
            let mut scanned = 0;
            while stream.advance() && scanned < PREFIX_SCAN_LIMIT {
                scanned += 1;
                let bytes = stream.key();
                if !bytes.starts_with(key.as_bytes()) {
                    break;
                }
                let Ok(term) = std::str::from_utf8(bytes) else { continue };
                if keys.iter().any(|k| k == term) || near.iter().any(|o| o == term) || heads.iter().any(|o| o == term) {
                    continue;
                }
                let rest = &term[key.len()..];
                let extra = rest.chars().count();
                if (1..=2).contains(&extra) {
                    // Near forms only from the first terms of the scan (the
                    // closest in the dictionary's order).
                    if chars.len() >= NEAR_MIN_CHARS && scanned <= NEAR_SCAN_LIMIT {
                        near.push(term.to_string());
                    }
                    continue;
                }
                let rest = rest.strip_prefix('s').filter(|r| r.chars().count() >= HEAD_REST_MIN_CHARS).unwrap_or(rest);
                if rest.chars().count() >= HEAD_REST_MIN_CHARS && rest.chars().all(char::is_alphabetic) && known(rest)?
                {
                    heads.push(term.to_string());
                }
            }
        }
    }
    near.truncate(12);
    heads.truncate(24);
    Ok((near, heads))
}

/// Words of the index one edit (insertion, deletion, substitution or swap of
/// two letters) away from `word` as typed, or from its accent-free form,
/// most frequent first (at most three).
fn corrections(searcher: &Statistics, fields: &Fields, langs: &[Lang], word: &str) -> Result<Vec<String>> {
    let mut found: HashMap<String, u64> = HashMap::new();
    let mut forms = vec![word.to_string()];
    if fold(word) != word {
        forms.push(fold(word));
    }
    for &lang in langs {
        for form in &forms {
            let automaton = FuzzyTermQuery::new(Term::from_field_text(fields.exact, &exact_key(lang, form)), 1, true)
                .automaton()?;
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(fields.exact)?;
                let mut stream = inverted.terms().search(&automaton).into_stream()?;
                while stream.advance() {
                    let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                    let Some((_, candidate)) = key.split_once(':') else { continue };
                    *found.entry(candidate.to_string()).or_insert(0) += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    let mut ranked: Vec<(String, u64)> = found.into_iter().filter(|(c, _)| c != word).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranked.into_iter().take(3).map(|(c, _)| c).collect())
}

/// Which language the query's words are written in, judged by how common
/// their exact forms are in each language's documents. `None` when the
/// evidence is thin or split.
fn query_language(searcher: &Statistics, fields: &Fields, words: &[&String]) -> Result<Option<(Lang, f32)>> {
    let mut evidence = [0f64; 3];
    for (slot, &lang) in Lang::ALL.iter().enumerate() {
        let docs = searcher.doc_freq(&Term::from_field_text(fields.lang, lang.code()))?.max(1) as f64;
        for word in words {
            let df = searcher.doc_freq(&Term::from_field_text(fields.exact, &exact_key(lang, word)))? as f64;
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
