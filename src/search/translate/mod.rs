//! Cross-language search: a query's words and two-word terms are mapped to
//! concepts of a trilingual term list ([`Glossary`]), and the concepts'
//! terms in the other two languages are searched, so that a Finnish query
//! also finds the Swedish and English documents on the same thing.
//!
//! The project's own term list (`terms.tsv` beside this file: associations,
//! grants, premises, volunteering, preparedness, wellbeing, equality, data
//! protection) is built in; a local one is added with `--glossary FILE`
//! ([`Glossary::load`], [`Glossary::extend`]). Terms are matched through the
//! same analysis as search: a query word matches a term when their stems
//! are the same (`väestönsuojassa` → `väestönsuoja`), with or without
//! ä/ö/å, and a compound query word matches through its last part
//! (`kriisiviestintäsuunnitelma` → `suunnitelma` is not a concept, but
//! `kotivarasuunnitelma` → `kotivara` is, through its first part).

pub mod freedict;
mod glossary;

pub use freedict::FreeDictStatus;
pub use glossary::{Concept, Glossary, GlossaryError, TermSource};

/// What cross-language search translates with: the domain term list (the
/// built-in one and any local one) and, when installed, the FreeDict
/// dictionaries for the words the list does not know.
#[derive(Debug, Default)]
pub struct Translator {
    /// The domain term list.
    pub domain: Glossary,
    /// Which dictionaries are installed.
    pub freedict: FreeDictStatus,
    /// The dictionaries, read on first need (about 0.3 s and 25 MB for all six).
    dictionary: std::sync::OnceLock<freedict::Dictionary>,
}

/// The concepts a query names: matches into the domain list (indexes below
/// its length) and into `extra`, the dictionary concepts found for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub matches: Vec<ConceptMatch>,
    pub extra: Vec<Concept>,
}

impl Translator {
    /// The built-in term list plus `local`, and the FreeDict dictionaries of `dictionary_dir`.
    pub fn new(local: Option<Glossary>, dictionary_dir: &std::path::Path) -> Translator {
        let mut domain = Glossary::builtin().clone();
        if let Some(local) = local {
            domain.extend(local);
        }
        Translator { domain, freedict: freedict::probe(dictionary_dir), dictionary: std::sync::OnceLock::new() }
    }

    /// The dictionaries, read the first time they are needed.
    fn dictionary(&self) -> &freedict::Dictionary {
        self.dictionary.get_or_init(|| {
            let (dictionary, status) = freedict::load(&self.freedict.dir);
            tracing::info!(dictionaries = ?status.found, headwords = dictionary.len(), "FreeDict dictionaries read");
            dictionary
        })
    }

    /// The concepts a query's words name: the domain list's, then, for each
    /// word it does not know, the dictionaries' headwords of the same stem.
    pub(crate) fn find_concepts(&self, words: &[Vec<String>]) -> Found {
        let mut found = Found { matches: find_concepts(&self.domain, words), extra: Vec::new() };
        // A general dictionary gives every sense of a word: beside the
        // domain list's concepts it only adds noise, so it speaks only for
        // queries the list has no concept for.
        if self.freedict.found.is_empty() || !found.matches.is_empty() {
            return found;
        }
        let dictionary = self.dictionary();
        let analyzer = Analyzer::get();
        for (i, forms) in words.iter().enumerate() {
            if found.matches.iter().any(|m| m.words.contains(&i)) {
                continue;
            }
            for &lang in &Lang::ALL {
                let Some(typed) = forms.first() else { continue };
                if stopwords::is_stop_word(lang, typed) {
                    continue;
                }
                for form in forms {
                    for concept in dictionary.concepts_named(lang, &analyzer.stem(lang, form)) {
                        if found.extra.iter().any(|c| c.id == concept.id && c.terms(lang) == concept.terms(lang)) {
                            continue;
                        }
                        let index = self.domain.len() + found.extra.len();
                        found.extra.push(concept);
                        found.matches.push(ConceptMatch {
                            concept: index,
                            langs: vec![lang],
                            words: vec![i],
                            through_part: false,
                        });
                    }
                }
            }
        }
        found
    }

    /// The concept at `index` of a [`Found`]'s numbering.
    pub(crate) fn concept<'a>(&'a self, found: &'a Found, index: usize) -> Option<&'a Concept> {
        self.domain.concept(index).or_else(|| found.extra.get(index.checked_sub(self.domain.len())?))
    }
}

use crate::analysis::{compound_tails, exact_key, fold, stopwords, Analyzer, MIN_TAIL_CHARS};
use crate::lang::Lang;

use super::resolve::{Evidence, EvidenceKind, ResolvedWord, Source};

/// How sure a translation through the domain term list is.
const DOMAIN_CONFIDENCE: f32 = 0.9;
/// How sure a translation through a general dictionary is.
const DICTIONARY_CONFIDENCE: f32 = 0.6;
/// A translated term found as the last part of a compound in the text.
const COMPOUND_SHARE: f32 = 0.7;
/// A query word matched to a concept through part of a compound only.
const PART_MATCH_SHARE: f32 = 0.8;
const TRANSLATED_TAILS: bool = true;
/// Terms of a concept searched per language, the usual ones first.
const MAX_TERMS_PER_LANGUAGE: usize = 3;

/// A concept a query names, and the query words that name it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConceptMatch {
    /// Index of the concept in the glossary.
    pub concept: usize,
    /// The languages whose terms the query words matched.
    pub langs: Vec<Lang>,
    /// Positions of the query words (in the content words given).
    pub words: Vec<usize>,
    /// Whether the match went through part of a compound.
    pub through_part: bool,
}

/// Adds a concept named at `positions` in `lang` to `found`, or merges it
/// into the match already there.
fn add_match(found: &mut Vec<ConceptMatch>, concept: usize, lang: Lang, positions: &[usize], part: bool) {
    if let Some(known) = found.iter_mut().find(|m| m.concept == concept) {
        if !known.langs.contains(&lang) {
            known.langs.push(lang);
        }
        for p in positions {
            if !known.words.contains(p) {
                known.words.push(*p);
            }
        }
        known.through_part &= part;
    } else {
        found.push(ConceptMatch { concept, langs: vec![lang], words: positions.to_vec(), through_part: part });
    }
}

/// Each position's stems in each language (in the order of [`Lang::ALL`]).
fn stems_by_lang(words: &[Vec<String>]) -> Vec<[Vec<String>; 3]> {
    let analyzer = Analyzer::get();
    words
        .iter()
        .map(|forms| {
            let mut by_lang: [Vec<String>; 3] = Default::default();
            for (slot, &lang) in Lang::ALL.iter().enumerate() {
                for form in forms {
                    let stem = analyzer.stem(lang, form);
                    if !by_lang[slot].contains(&stem) {
                        by_lang[slot].push(stem);
                    }
                }
            }
            by_lang
        })
        .collect()
}

/// The concepts named by `words`: for each content word of the query, in
/// order, its forms (as typed first, then the forms search read it as: ä/ö/å
/// restored, a typo corrected). Terms of several words are matched first,
/// then single words, then the parts of compound words.
pub(crate) fn find_concepts(glossary: &Glossary, words: &[Vec<String>]) -> Vec<ConceptMatch> {
    let analyzer = Analyzer::get();
    let mut found: Vec<ConceptMatch> = Vec::new();
    let mut covered = vec![false; words.len()];
    let stems = stems_by_lang(words);
    let same = |position: usize, slot: usize, stem: &str| {
        stems[position][slot].iter().any(|s| s == stem || fold(s) == fold(stem))
    };
    // Terms of two or more words, matched by their stems in order; the
    // terms leave out stop words, and so does the query here ("code of conduct").
    for (slot, &lang) in Lang::ALL.iter().enumerate() {
        let content: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].first().is_none_or(|typed| !stopwords::is_stop_word(lang, typed)))
            .collect();
        for k in 0..content.len() {
            for first in &stems[content[k]][slot] {
                for (concept, term) in glossary.phrases_starting(lang, first) {
                    let Some(span) = content.get(k..k + term.len()) else { continue };
                    if span.iter().zip(term).all(|(&i, s)| same(i, slot, s)) {
                        let (from, to) = (span[0], span[span.len() - 1]);
                        add_match(&mut found, concept, lang, &(from..=to).collect::<Vec<_>>(), false);
                        covered[from..=to].iter_mut().for_each(|c| *c = true);
                    }
                }
            }
        }
    }
    // Single words, by stem, or by the stem without ä/ö/å.
    for i in 0..words.len() {
        for (slot, &lang) in Lang::ALL.iter().enumerate() {
            if words[i].first().is_some_and(|typed| stopwords::is_stop_word(lang, typed)) {
                continue;
            }
            for stem in &stems[i][slot] {
                let concepts =
                    glossary.words_named(lang, stem).or_else(|| glossary.words_named_folded(lang, &fold(stem)));
                for &concept in concepts.unwrap_or(&[]) {
                    add_match(&mut found, concept, lang, &[i], false);
                    covered[i] = true;
                }
            }
        }
    }
    // A compound query word not matched whole: its last part, or its first part.
    for (i, forms) in words.iter().enumerate() {
        if covered[i] {
            continue;
        }
        for word in forms {
            for &lang in &[Lang::Fi, Lang::Sv] {
                for tail in compound_tails(lang, word) {
                    let head = &word[..word.len() - tail.len()];
                    let head = if lang == Lang::Sv { head.strip_suffix('s').unwrap_or(head) } else { head };
                    for part in [tail, head] {
                        if part.chars().count() < MIN_TAIL_CHARS {
                            continue;
                        }
                        let stem = analyzer.stem(lang, part);
                        for &concept in glossary.words_named(lang, &stem).unwrap_or(&[]) {
                            add_match(&mut found, concept, lang, &[i], true);
                        }
                    }
                }
            }
        }
    }
    found.sort_by_key(|m| m.words.iter().min().copied().unwrap_or(0));
    found
}

/// The concepts one of whose terms is exactly `phrase` (its words in order,
/// as stems, nothing more and nothing less): a quoted phrase is translated
/// only as a whole.
pub(crate) fn find_whole_terms(glossary: &Glossary, phrase: &[String]) -> Vec<ConceptMatch> {
    let forms: Vec<Vec<String>> =
        phrase.iter().filter(|w| !stopwords::is_stop_word_anywhere(w)).map(|w| vec![w.clone()]).collect();
    let n = forms.len();
    find_concepts(glossary, &forms)
        .into_iter()
        .filter(|m| !m.through_part && m.words.len() == n)
        .map(|m| ConceptMatch { words: Vec::new(), ..m })
        .collect()
}

/// The query words of cross-language search: one per concept, whose
/// evidence is each of the concept's terms in the `targets` languages.
/// A document gets a concept's best term, so documents naming more of the
/// query's concepts rank first, as in the main results.
/// Also returns, per language, the words a snippet of a document in that
/// language marks (the words of the terms in that language).
pub(crate) fn concept_words(
    translator: &Translator,
    found: &Found,
    targets: &[Lang],
) -> (Vec<ResolvedWord>, [Vec<String>; 3]) {
    let analyzer = Analyzer::get();
    let mut out = Vec::new();
    let mut marks_by_lang: [Vec<String>; 3] = Default::default();
    for matched in &found.matches {
        let Some(concept) = translator.concept(found, matched.concept) else { continue };
        let base = match concept.source {
            TermSource::Domain => DOMAIN_CONFIDENCE,
            TermSource::Dictionary => DICTIONARY_CONFIDENCE,
        } * if matched.through_part { PART_MATCH_SHARE } else { 1.0 };
        let mut evidence = Vec::new();
        let mut marks = Vec::new();
        for &lang in targets {
            // The usual terms: a long tail of variants costs more than it finds.
            for term in concept.terms(lang).iter().take(MAX_TERMS_PER_LANGUAGE) {
                let content: Vec<String> = crate::analysis::words(term)
                    .into_iter()
                    .map(|w| w.lower)
                    .filter(|w| !stopwords::is_stop_word(lang, w))
                    .collect();
                let Some(first) = content.first() else { continue };
                marks.extend(content.iter().cloned());
                if let Some(slot) = Lang::ALL.iter().position(|&l| l == lang) {
                    for word in &content {
                        if !marks_by_lang[slot].contains(word) {
                            marks_by_lang[slot].push(word.clone());
                        }
                    }
                }
                let stems: Vec<String> = content.iter().map(|w| analyzer.stem(lang, w)).collect();
                if content.len() == 1 {
                    evidence.push(Evidence {
                        kind: EvidenceKind::Translated,
                        word: term.clone(),
                        source: Source::Stems(stems.clone()),
                        forms: vec![exact_key(lang, first)],
                        confidence: base * 0.95,
                        form_confidence: base,
                    });
                    // The term as the last part of a compound in the text ("kerhotila" for "tila").
                    let tail: Vec<String> = stems.into_iter().filter(|s| s.chars().count() >= MIN_TAIL_CHARS).collect();
                    if TRANSLATED_TAILS && lang != Lang::En && !tail.is_empty() {
                        evidence.push(Evidence {
                            kind: EvidenceKind::Translated,
                            word: term.clone(),
                            source: Source::Tails(tail),
                            forms: Vec::new(),
                            confidence: base * COMPOUND_SHARE,
                            form_confidence: base * COMPOUND_SHARE,
                        });
                    }
                } else if let (Some(head), Some(last)) = (stems.first(), stems.last()) {
                    // A term of several words: its first and last word in the document.
                    evidence.push(Evidence {
                        kind: EvidenceKind::Translated,
                        word: term.clone(),
                        source: Source::Parts(vec![head.clone()], vec![last.clone()]),
                        forms: Vec::new(),
                        confidence: base * 0.9,
                        form_confidence: base * 0.9,
                    });
                }
            }
        }
        if !evidence.is_empty() {
            marks.sort();
            marks.dedup();
            out.push(ResolvedWord { typed: concept.id.clone(), evidence, also_marks: marks });
        }
    }
    (out, marks_by_lang)
}

/// The language a query's concepts were named in most, when one leads.
pub(crate) fn named_language(found: &[ConceptMatch]) -> Option<Lang> {
    let mut counts = [0usize; 3];
    for matched in found {
        for lang in &matched.langs {
            if let Some(slot) = Lang::ALL.iter().position(|l| l == lang) {
                counts[slot] += 1;
            }
        }
    }
    let best = counts.iter().copied().max().unwrap_or(0);
    let leaders: Vec<usize> = (0..3).filter(|&i| counts[i] == best).collect();
    (best > 0 && leaders.len() == 1).then(|| Lang::ALL[leaders[0]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(query: &str) -> Vec<Vec<String>> {
        crate::analysis::words(query).into_iter().map(|w| vec![w.lower]).collect()
    }

    fn ids(glossary: &Glossary, query: &str) -> Vec<String> {
        find_concepts(glossary, &words(query))
            .iter()
            .filter_map(|m| glossary.concept(m.concept).map(|c| c.id.clone()))
            .collect()
    }

    #[test]
    fn inflected_compound_and_two_word_query_words_name_their_concepts() {
        let glossary = Glossary::builtin();
        assert!(ids(glossary, "väestönsuojassa").contains(&"civil_defence_shelter".to_string()));
        assert!(ids(glossary, "vaestonsuojassa").contains(&"civil_defence_shelter".to_string()), "without ä/ö");
        assert!(ids(glossary, "beredskapsplanerna").contains(&"preparedness_plan".to_string()));
        assert!(ids(glossary, "emergency shelter").contains(&"civil_defence_shelter".to_string()));
        assert!(ids(glossary, "rekisteröidyn yhdistyksen").contains(&"registered_association".to_string()));
        // A compound not in the list, through its first part.
        assert!(ids(glossary, "kotivaralista").contains(&"home_emergency_supplies".to_string()));
        assert!(ids(glossary, "xyzzy").is_empty(), "a word with no concept names none");
        assert!(ids(glossary, "well being activities").contains(&"wellbeing".to_string()));
        assert!(ids(glossary, "code of conduct").contains(&"code_of_conduct".to_string()), "a stop word inside");
    }

    #[test]
    fn a_concept_becomes_one_query_word_with_the_other_languages_terms() {
        let translator = Translator { domain: Glossary::builtin().clone(), ..Translator::default() };
        assert!(translator.freedict.found.is_empty());
        let found = translator.find_concepts(&words("valmiussuunnitelma"));
        assert_eq!(named_language(&found.matches), Some(Lang::Fi));
        let (concepts, marks) = concept_words(&translator, &found, &[Lang::Sv, Lang::En]);
        assert!(marks[0].is_empty() && marks[1].contains(&"beredskapsplan".to_string()), "{marks:?}");
        let plan = concepts.iter().find(|w| w.typed == "preparedness_plan").expect("the concept");
        let terms: Vec<&str> = plan.evidence.iter().map(|e| e.word.as_str()).collect();
        assert!(terms.contains(&"beredskapsplan") && terms.contains(&"preparedness plan"), "{terms:?}");
        assert!(!terms.contains(&"valmiussuunnitelma"), "not the query's own language");
    }
}
