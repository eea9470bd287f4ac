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

use std::rc::Rc;

use super::{for_each_word, push_exact_key, Analyzer, WordKeys};
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

/// Where a word of a text is: byte span, position and whether it is the
/// joined form of a hyphenated word (see [`super::words`]).
struct WordAt {
    start: usize,
    end: usize,
    position: u32,
    joined: bool,
}

/// A text split into words, with each word's keys.
struct Analysed {
    words: Vec<WordAt>,
    keys: Vec<Rc<WordKeys>>,
    /// Whether each word is the first of its form in the text: the fields
    /// that record only which documents hold a key (exact, tails) take each
    /// form once.
    first: Vec<bool>,
}

/// The analysis of a text, remembered for the last few texts on this thread:
/// each text is indexed in four fields (stems, exact, folded, tails), so
/// analysing it once saves three passes.
fn cached_analysis(lang: Lang, text: &str) -> Rc<Analysed> {
    use std::cell::RefCell;
    const KEEP: usize = 4;
    /// (language, hash, length, analysis) of recent texts.
    type Recent = Vec<(Lang, u64, usize, Rc<Analysed>)>;
    thread_local! {
        static RECENT: RefCell<Recent> = const { RefCell::new(Vec::new()) };
    }
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((.., found)) = recent.iter().find(|(l, h, len, _)| *l == lang && *h == hash && *len == text.len()) {
            return found.clone();
        }
        let analyzer = Analyzer::get();
        let (mut words, mut keys) = (Vec::new(), Vec::new());
        for_each_word(text, |start, end, position, joined, lower| {
            words.push(WordAt { start, end, position, joined });
            keys.push(analyzer.keys(lang, lower));
        });
        // Words of the same form share their keys (see Analyzer::keys).
        let mut seen: std::collections::HashSet<*const WordKeys, PointerHash> = Default::default();
        let first = keys.iter().map(|k| seen.insert(Rc::as_ptr(k))).collect();
        let analysed = Rc::new(Analysed { words, keys, first });
        if recent.len() >= KEEP {
            recent.remove(0);
        }
        recent.push((lang, hash, text.len(), analysed.clone()));
        analysed
    })
}

/// Hashes pointers with one multiplication.
#[derive(Default, Clone, Copy)]
struct PointerHash;

impl std::hash::BuildHasher for PointerHash {
    type Hasher = PointerHasher;

    fn build_hasher(&self) -> PointerHasher {
        PointerHasher(0)
    }
}

/// See [`PointerHash`].
struct PointerHasher(u64);

impl std::hash::Hasher for PointerHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = (value as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(26);
    }

    fn finish(&self) -> u64 {
        self.0
    }
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
        KeyTokenStream {
            text: cached_analysis(lang, body),
            next: 0,
            tail: 0,
            lang,
            kind: self.kind,
            shift,
            token: Token::default(),
        }
    }
}

/// The keys of one text, made one at a time into a single reused token (no
/// allocation per token).
pub struct KeyTokenStream {
    text: Rc<Analysed>,
    /// Index of the next word to read.
    next: usize,
    /// Index of the next tail key of the current word (`next - 1`).
    tail: usize,
    lang: Lang,
    kind: KeyKind,
    /// Length of the language tag before the text (token offsets include it).
    shift: usize,
    token: Token,
}

impl TokenStream for KeyTokenStream {
    fn advance(&mut self) -> bool {
        loop {
            if self.kind == KeyKind::Tails && self.next > 0 {
                if let Some(tail) = self.text.keys[self.next - 1].tails.get(self.tail) {
                    self.tail += 1;
                    self.token.text.clear();
                    self.token.text.push_str(tail);
                    return true;
                }
            }
            let (Some(word), Some(keys)) = (self.text.words.get(self.next), self.text.keys.get(self.next)) else {
                return false;
            };
            let first = self.text.first.get(self.next).copied().unwrap_or(true);
            self.next += 1;
            self.tail = 0;
            // Stop words keep only their exact form (and their position);
            // the presence fields take each form once per text.
            let skip = match self.kind {
                KeyKind::Exact => !first,
                KeyKind::Tails => keys.stop || !first,
                KeyKind::Stem | KeyKind::Folded => keys.stop,
            };
            if skip {
                // No keys for this word, its tails included (see `tail`).
                self.tail = usize::MAX;
                continue;
            }
            self.token.offset_from = word.start + self.shift;
            self.token.offset_to = word.end + self.shift;
            self.token.position = word.position as usize;
            self.token.position_length = 1;
            let text = &mut self.token.text;
            text.clear();
            match self.kind {
                KeyKind::Exact if !word.joined => push_exact_key(text, self.lang, &keys.lower),
                KeyKind::Stem => text.push_str(&keys.stem),
                // Only where folding changes the key: a word without
                // accents is found through its stem in the main fields.
                KeyKind::Folded if keys.folded != keys.stem => text.push_str(&keys.folded),
                // Tails are given at the top of the loop; joined forms
                // have no exact key.
                _ => continue,
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
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

    /// The tokens a tokenizer of `kind` makes of `text` tagged with `lang`,
    /// with the tagged text (token offsets point into it).
    fn tokens_of(kind: KeyKind, lang: Lang, text: &str) -> (Vec<Token>, String) {
        let mut tokenizer = KeyTokenizer { kind, counter: None };
        let text = tag_text(lang, text);
        let mut stream = tokenizer.token_stream(&text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        (tokens, text)
    }

    fn keys_of(kind: KeyKind, lang: Lang, text: &str) -> Vec<String> {
        tokens_of(kind, lang, text).0.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn tagged_text_is_analysed_in_its_language() {
        let (tokens, text) = tokens_of(KeyKind::Exact, Lang::Sv, "Strömavbrott i föreningen");
        for token in &tokens {
            assert_eq!(&text[token.offset_from..token.offset_to].to_lowercase(), &token.text[3..]);
        }
        let keys: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(keys, vec!["sv:strömavbrott", "sv:i", "sv:föreningen"]);
    }

    #[test]
    fn presence_fields_take_each_form_once_per_text() {
        let text = "Kerhotila ja kerhotila, KERHOTILAN ja kerhotila";
        assert_eq!(keys_of(KeyKind::Exact, Lang::Fi, text), ["fi:kerhotila", "fi:ja", "fi:kerhotilan"]);
        // Stems keep every occurrence (they carry positions and frequencies),
        // stop words aside.
        let stem = Analyzer::get().stem(Lang::Fi, "kerhotila");
        let stems = keys_of(KeyKind::Stem, Lang::Fi, text);
        assert_eq!(stems, [stem.clone(), stem.clone(), stem.clone(), stem]);
        let analyzer = Analyzer::get();
        let mut expected = analyzer.tail_keys(Lang::Fi, "kerhotila");
        expected.extend(analyzer.tail_keys(Lang::Fi, "kerhotilan"));
        assert_eq!(keys_of(KeyKind::Tails, Lang::Fi, text), expected);
        assert!(expected.contains(&analyzer.stem(Lang::Fi, "tila")), "{expected:?}");
    }

    #[test]
    fn stop_words_keep_only_their_exact_form_and_position() {
        let (tokens, _) = tokens_of(KeyKind::Stem, Lang::Sv, "planen för krisen och stormen");
        let positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 2, 4]);
        assert_eq!(keys_of(KeyKind::Exact, Lang::Sv, "planen för krisen").len(), 3);
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
