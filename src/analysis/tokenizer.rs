//! The analysis as tantivy tokenizers, so that tantivy's own indexing
//! threads run it on the text of each field and queued documents hold only
//! text (not millions of token strings).
//!
//! Every field has one language per document, but a tantivy tokenizer
//! belongs to a field, not a document: the indexer therefore prefixes each
//! indexed (never stored) value with a language tag, `\u{2}fi\u{3}`, which
//! the tokenizer reads and drops.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};

use super::{words, Analyzer};
use crate::lang::Lang;

const TAG_OPEN: char = '\u{2}';
const TAG_CLOSE: char = '\u{3}';

/// Tokenizer names used in the schema.
pub mod names {
    /// Stem keys (title and headings).
    pub const STEM: &str = "tp_stem";
    /// Stem keys of the body; also counts indexed documents.
    pub const BODY: &str = "tp_body";
    /// Language-tagged exact forms.
    pub const EXACT: &str = "tp_exact";
    /// Folded stem keys.
    pub const FOLDED: &str = "tp_folded";
    /// Compound tail keys.
    pub const TAILS: &str = "tp_tails";
}

/// Prefixes `text` with the language tag the tokenizers read.
pub fn tag_text(lang: Lang, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push(TAG_OPEN);
    out.push_str(lang.code());
    out.push(TAG_CLOSE);
    out.push_str(text);
    out
}

/// Splits a tagged text into its language and the text (untagged text is English).
fn untag(text: &str) -> (Lang, &str, usize) {
    if let Some(rest) = text.strip_prefix(TAG_OPEN) {
        if let Some((code, body)) = rest.split_once(TAG_CLOSE) {
            if let Ok(lang) = code.parse() {
                return (lang, body, text.len() - body.len());
            }
        }
    }
    (Lang::En, text, 0)
}

/// Which keys a tokenizer emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Stem keys.
    Stem,
    /// `lang:word` exact forms (no joined hyphen forms).
    Exact,
    /// Folded stem keys.
    Folded,
    /// Compound tail keys.
    Tails,
}

impl Analyzer {
    /// The tokens of one kind for a text in `lang`.
    pub fn tokens(&self, lang: Lang, text: &str, kind: KeyKind) -> Vec<Token> {
        let mut out = Vec::new();
        let code = lang.code();
        for word in cached_words(text).iter() {
            let token = |text: String| Token {
                offset_from: word.start,
                offset_to: word.end,
                position: word.position as usize,
                text,
                position_length: 1,
            };
            match kind {
                KeyKind::Exact => {
                    if !word.joined {
                        out.push(token(format!("{code}:{}", word.lower)));
                    }
                }
                KeyKind::Stem => self.with_keys(lang, &word.lower, |k| out.push(token(k.stem.clone()))),
                KeyKind::Folded => self.with_keys(lang, &word.lower, |k| out.push(token(k.folded.clone()))),
                KeyKind::Tails => {
                    self.with_keys(lang, &word.lower, |k| out.extend(k.tails.iter().map(|t| token(t.clone()))))
                }
            }
        }
        out
    }
}

/// The words of a text, remembered for the last few texts on this thread:
/// each text is indexed in four fields (stems, exact, folded, tails), so
/// splitting it once saves three passes.
fn cached_words(text: &str) -> std::rc::Rc<Vec<super::Word>> {
    use std::cell::RefCell;
    use std::rc::Rc;
    const KEEP: usize = 4;
    /// (hash, length, words) of recent texts.
    type Recent = Vec<(u64, usize, Rc<Vec<super::Word>>)>;
    thread_local! {
        static RECENT: RefCell<Recent> = const { RefCell::new(Vec::new()) };
    }
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((_, _, found)) = recent.iter().find(|(h, len, _)| *h == hash && *len == text.len()) {
            return found.clone();
        }
        let split = Rc::new(words(text));
        if recent.len() >= KEEP {
            recent.remove(0);
        }
        recent.push((hash, text.len(), split.clone()));
        split
    })
}

/// A tantivy tokenizer emitting one kind of key.
#[derive(Clone)]
pub struct KeyTokenizer {
    kind: KeyKind,
    /// Counts the texts tokenized (used on the body field to know how far
    /// the writer has got).
    counter: Option<Arc<AtomicU64>>,
}

impl Tokenizer for KeyTokenizer {
    type TokenStream<'a> = KeyTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KeyTokenStream {
        if let Some(counter) = &self.counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let (lang, body, shift) = untag(text);
        let mut tokens = Analyzer::get().tokens(lang, body, self.kind);
        for token in &mut tokens {
            token.offset_from += shift;
            token.offset_to += shift;
        }
        KeyTokenStream { tokens: tokens.into_iter(), current: Token::default() }
    }
}

/// The tokens of one text.
pub struct KeyTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl TokenStream for KeyTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Registers the tokenizers; `body_counter` counts body texts tokenized.
pub fn register(manager: &TokenizerManager, body_counter: Arc<AtomicU64>) {
    let make = |kind, counter| TextAnalyzer::from(KeyTokenizer { kind, counter });
    manager.register(names::STEM, make(KeyKind::Stem, None));
    manager.register(names::BODY, make(KeyKind::Stem, Some(body_counter)));
    manager.register(names::EXACT, make(KeyKind::Exact, None));
    manager.register(names::FOLDED, make(KeyKind::Folded, None));
    manager.register(names::TAILS, make(KeyKind::Tails, None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_text_is_analysed_in_its_language() {
        let mut tokenizer = KeyTokenizer { kind: KeyKind::Exact, counter: None };
        let text = tag_text(Lang::Sv, "Strömavbrott i föreningen");
        let mut stream = tokenizer.token_stream(&text);
        let mut keys = Vec::new();
        while stream.advance() {
            keys.push(stream.token().text.clone());
            assert_eq!(
                &text[stream.token().offset_from..stream.token().offset_to].to_lowercase(),
                &keys.last().unwrap()[3..]
            );
        }
        assert_eq!(keys, vec!["sv:strömavbrott", "sv:i", "sv:föreningen"]);
    }

    #[test]
    fn counter_counts_texts() {
        let counter = Arc::new(AtomicU64::new(0));
        let mut tokenizer = KeyTokenizer { kind: KeyKind::Stem, counter: Some(counter.clone()) };
        let _ = tokenizer.token_stream("plain");
        let _ = tokenizer.token_stream(&tag_text(Lang::Fi, "kotivara"));
        assert_eq!(counter.load(Ordering::Relaxed), 2);
        assert_eq!(untag("\u{2}xx\u{3}text").0, Lang::En);
    }
}
