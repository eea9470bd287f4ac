//! The trilingual term list: reading it, and finding its concepts by the
//! analysed keys of their terms.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::analysis::{fold, stopwords, Analyzer};
use crate::lang::Lang;

/// The project's own term list, built in.
const BUILTIN: &str = include_str!("terms.tsv");

/// A term list file larger than this is refused (the built-in one is 30 KB).
const MAX_GLOSSARY_BYTES: u64 = 32 << 20;

/// Where a concept's terms come from, which decides how much a translation
/// through it is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermSource {
    /// A domain term list (the built-in one, or one given with `--glossary`).
    Domain,
    /// A general dictionary (weaker: a word has many senses there).
    Dictionary,
}

/// One concept: its name and its terms in each language, the usual one first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// A short name (`preparedness_plan`), as in the first column.
    pub id: String,
    terms: [Vec<String>; 3],
    /// Where its terms come from.
    pub source: TermSource,
}

impl Concept {
    pub(crate) fn new(id: String, terms: [Vec<String>; 3], source: TermSource) -> Concept {
        Concept { id, terms, source }
    }

    /// The concept's terms in `lang`.
    pub fn terms(&self, lang: Lang) -> &[String] {
        &self.terms[slot(lang)]
    }
}

fn slot(lang: Lang) -> usize {
    Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
}

/// A line of a term list that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}, line {line}: {message}")]
pub struct GlossaryError {
    /// The file (or `built-in`).
    pub source_name: String,
    /// The line number, from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Concepts with their terms in Finnish, Swedish and English, found by the
/// stems of their terms.
///
/// The file format is one concept a line, tab-separated:
/// `concept<TAB>Finnish<TAB>Swedish<TAB>English`, each language's terms
/// separated by `;` (a term may be several words). `#` starts a comment
/// line; the first line may be the header `concept fi sv en`.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    concepts: Vec<Concept>,
    /// (language, stem of a one-word term) → concepts.
    words: HashMap<(Lang, String), Vec<usize>>,
    /// (language, stem without ä/ö/å) → concepts.
    folded: HashMap<(Lang, String), Vec<usize>>,
    /// (language, stem of the first word) → (concept, stems of all the term's words).
    phrases: HashMap<(Lang, String), Vec<PhraseTerm>>,
}

impl Glossary {
    /// The built-in term list.
    pub fn builtin() -> &'static Glossary {
        static BUILT: OnceLock<Glossary> = OnceLock::new();
        BUILT.get_or_init(|| {
            Glossary::parse(BUILTIN, "built-in", TermSource::Domain).unwrap_or_else(|err| {
                // A unit test keeps the built-in list readable; should it not be, search goes on without it.
                tracing::error!(%err, "the built-in term list cannot be read");
                Glossary::default()
            })
        })
    }

    /// Reads a term list file (see [`Glossary`] for the format).
    pub fn load(path: &Path) -> Result<Glossary, GlossaryError> {
        let name = path.display().to_string();
        let whole = |message: String| GlossaryError { source_name: name.clone(), line: 0, message };
        let size = std::fs::metadata(path).map_err(|e| whole(format!("cannot read the file: {e}")))?.len();
        if size > MAX_GLOSSARY_BYTES {
            return Err(whole(format!("the file is larger than {} MB", MAX_GLOSSARY_BYTES >> 20)));
        }
        let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| whole("not UTF-8 text".to_string()))?;
        Glossary::parse(&text, &name, TermSource::Domain)
    }

    /// Reads a term list from text; `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str, source: TermSource) -> Result<Glossary, GlossaryError> {
        let mut glossary = Glossary::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            let error = |message: String| GlossaryError { source_name: source_name.to_string(), line: i + 1, message };
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
            if i == 0 && cells.first().is_some_and(|c| c.eq_ignore_ascii_case("concept") || *c == "id") {
                continue;
            }
            if cells.len() != 4 {
                return Err(error(format!(
                    "expected 4 tab-separated columns (concept, fi, sv, en), found {}",
                    cells.len()
                )));
            }
            let id = cells[0];
            if id.is_empty() || id.chars().any(char::is_whitespace) {
                return Err(error("the concept name (first column) must be one word, e.g. preparedness_plan".into()));
            }
            let mut terms: [Vec<String>; 3] = Default::default();
            for (column, lang) in Lang::ALL.iter().enumerate() {
                terms[column] = cells[column + 1]
                    .split(';')
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|t| !t.is_empty())
                    .collect();
                if terms[column].is_empty() {
                    return Err(error(format!("no {} term for '{id}'", lang.code())));
                }
            }
            glossary.add(Concept { id: id.to_string(), terms, source });
        }
        Ok(glossary)
    }

    /// Adds the concepts of `other` (a local term list) to these.
    pub fn extend(&mut self, other: Glossary) {
        for concept in other.concepts {
            self.add(concept);
        }
    }

    /// The number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether there are no concepts.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// The concept at `index`.
    pub fn concept(&self, index: usize) -> Option<&Concept> {
        self.concepts.get(index)
    }

    fn add(&mut self, concept: Concept) {
        let analyzer = Analyzer::get();
        let index = self.concepts.len();
        for &lang in &Lang::ALL {
            for term in concept.terms(lang) {
                let stems: Vec<String> = crate::analysis::words(term)
                    .into_iter()
                    .map(|w| w.lower)
                    .filter(|w| !stopwords::is_stop_word(lang, w))
                    .map(|w| analyzer.stem(lang, &w))
                    .collect();
                match stems.as_slice() {
                    [] => {}
                    [one] => {
                        push_unique(self.words.entry((lang, one.clone())).or_default(), index);
                        push_unique(self.folded.entry((lang, fold(one))).or_default(), index);
                    }
                    [first, ..] => {
                        let entry = self.phrases.entry((lang, first.clone())).or_default();
                        if !entry.iter().any(|(c, s)| *c == index && *s == stems) {
                            entry.push((index, stems.clone()));
                        }
                    }
                }
            }
        }
        self.concepts.push(concept);
    }

    /// The concepts with a one-word term of stem `stem` in `lang`.
    pub(crate) fn words_named(&self, lang: Lang, stem: &str) -> Option<&[usize]> {
        self.words.get(&(lang, stem.to_string())).map(Vec::as_slice)
    }

    /// The concepts with a one-word term whose stem is `folded` without ä/ö/å.
    pub(crate) fn words_named_folded(&self, lang: Lang, folded: &str) -> Option<&[usize]> {
        self.folded.get(&(lang, folded.to_string())).map(Vec::as_slice)
    }

    /// The terms of several words in `lang` whose first word has stem `stem`.
    pub(crate) fn phrases_starting(&self, lang: Lang, stem: &str) -> impl Iterator<Item = (usize, &[String])> {
        self.phrases.get(&(lang, stem.to_string())).into_iter().flatten().map(|(c, s)| (*c, s.as_slice()))
    }
}

/// A term of several words: its concept, and the stems of its words.
type PhraseTerm = (usize, Vec<String>);

fn push_unique(list: &mut Vec<usize>, index: usize) {
    if !list.contains(&index) {
        list.push(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_reads_and_covers_the_domain() {
        let glossary = Glossary::parse(BUILTIN, "built-in", TermSource::Domain).expect("the built-in list reads");
        assert!(glossary.len() >= 250, "{} concepts", glossary.len());
    }

    #[test]
    fn a_bad_line_is_an_error_with_its_line_number() {
        let text =
            "concept\tfi\tsv\ten\n# a comment\nshelter\tväestönsuoja\tskyddsrum\tshelter\nbroken\tavustus\tbidrag\n";
        let err = Glossary::parse(text, "local.tsv", TermSource::Domain).unwrap_err();
        assert_eq!((err.line, err.source_name.as_str()), (4, "local.tsv"));
        assert!(err.to_string().starts_with("local.tsv, line 4: expected 4 tab-separated columns"), "{err}");
        let empty = Glossary::parse("grant\tavustus\t\tgrant\n", "x", TermSource::Domain).unwrap_err();
        assert!(empty.message.contains("no sv term"), "{empty}");
        let ok = Glossary::parse("grant\tavustus; tuki\tbidrag\tgrant; subsidy\n", "x", TermSource::Domain).unwrap();
        assert_eq!(ok.concept(0).map(|c| c.terms(Lang::En).to_vec()), Some(vec!["grant".into(), "subsidy".into()]));
    }
}
