//! Finding one's way in the bank beside searching: completions of what is
//! being typed, and the documents related to one.

use super::KnowledgeBank;
use crate::error::Result;
use crate::search::{self, SearchRequest};

impl KnowledgeBank {
    /// Completions of what is being typed in a search box: words of the
    /// bank's own vocabulary that begin with the last word typed (the most
    /// common first, the query's other words kept), then titles of which
    /// every typed word begins a word (ä/ö/å or not). At most `limit`; none
    /// for a last word under two letters.
    pub fn suggest(&self, typed: &str, limit: usize) -> Result<Vec<search::Completion>> {
        let words: Vec<&str> = typed.split_whitespace().collect();
        let Some(last) = words.last().map(|w| crate::analysis::lower(w)) else { return Ok(Vec::new()) };
        if last.chars().count() < 2 || limit == 0 {
            return Ok(Vec::new());
        }
        let head: String = words[..words.len() - 1].iter().map(|w| format!("{w} ")).collect();
        let searcher = self.reader.searcher();
        let mut out: Vec<search::Completion> = search::complete_word(&searcher, &self.fields, &last, limit)?
            .into_iter()
            .filter(|(word, _)| *word != last || words.len() > 1)
            .map(|(word, documents)| search::Completion {
                text: format!("{head}{word}"),
                kind: search::CompletionKind::Word,
                documents,
            })
            .collect();
        out.truncate(limit.saturating_sub(limit / 3).max(1));
        let typed_folded: Vec<String> =
            words.iter().map(|w| crate::analysis::fold(&crate::analysis::lower(w))).collect();
        for document in self.documents()? {
            if out.len() >= limit {
                break;
            }
            let title = crate::analysis::fold(&crate::analysis::lower(&document.title));
            let title_words: Vec<&str> = title.split(|c: char| !c.is_alphanumeric()).collect();
            if typed_folded.iter().all(|t| title_words.iter().any(|w| w.starts_with(t.as_str()))) {
                out.push(search::Completion {
                    text: document.title,
                    kind: search::CompletionKind::Title,
                    documents: 1,
                });
            }
        }
        Ok(out)
    }

    /// Up to `limit` documents on the same subject as the one at `path`,
    /// in any language: the documents of the other languages on the
    /// concepts of its most distinctive words (when the term list knows
    /// them), then those a search for the words finds; never itself.
    pub fn related(&self, path: &str, limit: usize) -> Result<Vec<search::SearchHit>> {
        let record = self.document(path)?;
        let text = format!("{} {} {}", record.title, record.headings.join(" "), record.text.unwrap_or_default());
        let words = search::distinctive_words(&self.reader.searcher(), &self.fields, &text, record.lang, 8)?;
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let request = SearchRequest::new(words.join(" ")).limit(limit + 1).other_languages(true);
        let request = SearchRequest { other_languages_limit: limit, ..request };
        let results = self.search(&request)?;
        let same = results.hits.into_iter().filter(|h| h.path != path);
        let other = results.other_languages.map(|o| o.hits).unwrap_or_default().into_iter();
        // The concepts' documents in the other languages first: on the
        // shared corpus they are more often on the same topic (54 % of the
        // first k against 47 % taken in turn and 25 % after the words' hits).
        let mut out: Vec<search::SearchHit> = other.chain(same).filter(|h| h.path != path).collect();
        out.truncate(limit);
        Ok(out)
    }
}
