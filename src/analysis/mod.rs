//! Stage 3: analysis. Splits text into words and turns each word into the
//! keys the index stores, with the stemmer of the document's language:
//!
//! - **stem**: the word's stem (Finnish/Swedish/English), the main match key;
//! - **exact**: the lowercased word as written, so exact forms rank first;
//! - **folded**: the stem of the word with ä→a, ö→o, å→a (and other accents
//!   removed), kept in a field of its own so "sahkokatko" finds "sähkökatko"
//!   without ever making "sää" and "saa" the same word in the main field;
//! - **tails**: the endings of a long word's stem that could be the last part
//!   of a compound ("valmiussuunnitelm" → … "suunnitelm"), so a query for
//!   "suunnitelma" finds "valmiussuunnitelmassa".
//!
//! The same functions analyse queries, so both sides always agree.

mod fold;
pub mod stem;
pub mod stopwords;
pub mod tokenizer;

use std::rc::Rc;
use std::sync::OnceLock;

use crate::lang::Lang;
pub use fold::{fold, push_folded};
use stem::{StemLang, WordStemmer};

/// Shortest compound part (in characters) that a tail may be.
pub const MIN_TAIL_CHARS: usize = 4;
/// Shortest head (in characters) left before a tail.
pub const MIN_HEAD_CHARS: usize = 3;

/// A word found in a text, with its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the word's first character.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The word in lower case, typographic apostrophes made plain.
    pub lower: String,
    /// The word's position (hyphenated parts get one each; the joined form
    /// shares the position of the last part).
    pub position: u32,
    /// Whether this is the joined form of a hyphenated word ("vuokraavustus").
    pub joined: bool,
}

/// Splits text into words: runs of letters and digits, with an apostrophe
/// allowed inside a word. A hyphenated word ("vuokra-avustus") gives its
/// parts and also the joined form, which is how compounds are written in
/// their other spelling.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for_each_word(text, |start, end, position, joined, lower| {
        out.push(Word { start, end, lower: lower.to_string(), position, joined });
    });
    out
}

/// The words of [`words`], given one at a time to `f(start, end, position,
/// joined, lower)` with the lowercased word in a reused buffer, so reading a
/// text allocates nothing per word.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(usize, usize, u32, bool, &str)) {
    let mut position = 0u32;
    let mut lowered = String::new();
    let mut joined = String::new();
    // Parts of the current hyphenated group: (start, end).
    let mut group: Vec<(usize, usize)> = Vec::new();
    let mut flush_group =
        |group: &mut Vec<(usize, usize)>, position: u32, f: &mut dyn FnMut(usize, usize, u32, bool, &str)| {
            if let (Some(&(start, _)), Some(&(_, end)), true) = (group.first(), group.last(), group.len() > 1) {
                joined.clear();
                for &(s, e) in group.iter() {
                    push_lower(&mut joined, &text[s..e]);
                }
                f(start, end, position.saturating_sub(1), true, &joined);
            }
            group.clear();
        };
    for (start, end) in word_spans(text) {
        lowered.clear();
        push_lower(&mut lowered, &text[start..end]);
        f(start, end, position, false, &lowered);
        position += 1;
        group.push((start, end));
        // A hyphen directly followed by a letter or digit continues the group.
        let mut after = text[end..].chars();
        let continues = matches!(after.next(), Some('-' | '‐')) && after.next().is_some_and(char::is_alphanumeric);
        if !continues {
            flush_group(&mut group, position, &mut f);
        }
    }
    flush_group(&mut group, position, &mut f);
}

/// The byte spans of the words of a text (letters and digits, an apostrophe
/// inside a word), without allocating; ASCII is read byte by byte.
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let char_at = move |i: usize| -> Option<(char, usize)> {
        let b = *bytes.get(i)?;
        if b < 128 {
            Some((b as char, 1))
        } else {
            text.get(i..)?.chars().next().map(|c| (c, c.len_utf8()))
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            // Runs of ASCII punctuation and spaces, skipped a byte at a time.
            while bytes.get(i).is_some_and(|b| b.is_ascii() && !b.is_ascii_alphanumeric()) {
                i += 1;
            }
            let (c, width) = char_at(i)?;
            if c.is_alphanumeric() {
                break;
            }
            i += width;
        }
        let start = i;
        // The ASCII letters and digits of the word, a byte at a time.
        while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        while let Some((c, width)) = char_at(i) {
            let inside_apostrophe =
                (c == '\'' || c == '’') && char_at(i + width).is_some_and(|(next, _)| next.is_alphabetic());
            if c.is_alphanumeric() || inside_apostrophe {
                i += width;
            } else {
                break;
            }
        }
        Some((start, i))
    })
}

/// Lower case, with the typographic apostrophe made plain (`’` → `'`).
pub(crate) fn lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_lower(&mut out, s);
    out
}

/// Appends [`lower`] of `s` to `out`.
fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.push_str(s);
        let from = out.len() - s.len();
        if let Some(added) = out.get_mut(from..) {
            added.make_ascii_lowercase();
        }
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase).map(|c| if c == '’' { '\'' } else { c }));
    }
}

/// The key of a lowercased word as written, in the exact field:
/// language-tagged (`fi:kotivaran`), so the same form tells which language
/// a query is in.
pub(crate) fn exact_key(lang: Lang, lower: &str) -> String {
    let mut key = String::with_capacity(lower.len() + 3);
    push_exact_key(&mut key, lang, lower);
    key
}

/// Appends [`exact_key`] to `out`.
pub(crate) fn push_exact_key(out: &mut String, lang: Lang, lower: &str) {
    out.push_str(lang.code());
    out.push(':');
    out.push_str(lower);
}

/// The stemmers of the three languages, built once.
pub struct Analyzer {
    fi: WordStemmer,
    sv: WordStemmer,
    en: WordStemmer,
}

impl Analyzer {
    /// The shared analyzer.
    pub fn get() -> &'static Analyzer {
        static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
        ANALYZER.get_or_init(|| Analyzer {
            fi: WordStemmer::new(StemLang::Fi),
            sv: WordStemmer::new(StemLang::Sv),
            en: WordStemmer::new(StemLang::En),
        })
    }

    /// The stem key of a lowercased word in a language.
    pub fn stem(&self, lang: Lang, word: &str) -> String {
        if word.chars().all(|c| c.is_ascii_digit()) {
            return word.to_string();
        }
        match lang {
            Lang::Fi => self.fi.stem(word),
            Lang::Sv => self.sv.stem(word),
            // American and British spellings meet: organize/organise,
            // analyze/analyse.
            Lang::En if word.contains("iz") || word.contains("yz") => {
                self.en.stem(&word.replace("iz", "is").replace("yz", "ys"))
            }
            Lang::En => self.en.stem(word),
        }
    }

    /// The folded key: the stem of the accent-free word.
    pub fn folded(&self, lang: Lang, word: &str) -> String {
        fold(&self.stem(lang, &fold(word)))
    }

    /// The keys of the possible last parts of a compound: the word's every
    /// ending of at least [`MIN_TAIL_CHARS`] letters that leaves a head of at
    /// least [`MIN_HEAD_CHARS`], each stemmed as a word of its own. Ending-only
    /// matching keeps precision: "tila" matches "kerhotilan" but neither
    /// "tilaisuus" nor "tilanne". None for English, which writes its
    /// compounds apart (leaving them out changed no development query).
    /// Keys shorter than [`MIN_TAIL_CHARS`] are dropped: a query looks up
    /// only longer keys among the tails.
    pub fn tail_keys(&self, lang: Lang, lower: &str) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        if lang == Lang::En {
            // English writes its compounds apart ("preparedness plan").
            return keys;
        }
        for tail in compound_tails(lang, lower) {
            let key = self.stem(lang, tail);
            if key.chars().count() >= MIN_TAIL_CHARS && !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// Calls `f` with the keys of a lowercased word (see [`Analyzer::keys`]).
    pub fn with_keys<R>(&self, lang: Lang, lower: &str, f: impl FnOnce(&WordKeys) -> R) -> R {
        f(&self.keys(lang, lower))
    }

    /// The keys of a lowercased word, computed once per thread and
    /// remembered: word frequencies follow Zipf's law, so most words of a
    /// text have been seen before and cost one hash look-up.
    pub fn keys(&self, lang: Lang, lower: &str) -> Rc<WordKeys> {
        thread_local! {
            static CACHE: std::cell::RefCell<[WordCache; 3]> = std::cell::RefCell::new(Default::default());
        }
        let slot = match lang {
            Lang::Fi => 0,
            Lang::Sv => 1,
            Lang::En => 2,
        };
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cache = &mut cache[slot];
            if let Some(keys) = cache.young.get(lower) {
                return keys.clone();
            }
            if let Some((word, keys)) = cache.old.remove_entry(lower) {
                cache.insert(word, keys.clone());
                return keys;
            }
            let stem = self.stem(lang, lower);
            // Folding an ASCII word changes nothing: its folded key is its folded stem.
            let folded = if lower.is_ascii() { fold(&stem) } else { self.folded(lang, lower) };
            let keys = Rc::new(WordKeys {
                lower: lower.into(),
                stop: stopwords::is_stop_word(lang, lower),
                stem,
                folded,
                tails: self.tail_keys(lang, lower),
            });
            cache.insert(lower.into(), keys.clone());
            keys
        })
    }
}

/// How many words each thread remembers per language in each of the word
/// cache's two generations. This bounds the memory: a word with its keys
/// takes about 400 bytes (measured on the forms in `shared/lang`), so at
/// most about 13 MB per language and thread, reached only by a thread
/// that has read some 30,000 distinct words of that language.
const WORD_CACHE_ENTRIES: usize = 16_384;

/// A bounded memory of word keys in two generations: when the young one is
/// full it becomes the old one (the previous old one is dropped), and a word
/// found in the old one moves back to the young one, so frequent words stay.
#[derive(Default)]
struct WordCache {
    young: std::collections::HashMap<Box<str>, Rc<WordKeys>, WordHashBuilder>,
    old: std::collections::HashMap<Box<str>, Rc<WordKeys>, WordHashBuilder>,
}

impl WordCache {
    fn insert(&mut self, word: Box<str>, keys: Rc<WordKeys>) {
        if self.young.len() >= WORD_CACHE_ENTRIES {
            self.old = std::mem::take(&mut self.young);
            self.young.reserve(WORD_CACHE_ENTRIES);
        }
        self.young.insert(word, keys);
    }
}

/// A fast hasher for the word cache (xxh3 with a per-process random seed, so
/// crafted words cannot force collisions).
#[derive(Clone)]
struct WordHashBuilder(u64);

impl Default for WordHashBuilder {
    fn default() -> Self {
        use std::hash::{BuildHasher, Hasher};
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u8(0);
            h.finish()
        });
        WordHashBuilder(seed)
    }
}

impl std::hash::BuildHasher for WordHashBuilder {
    type Hasher = WordHasher;
    fn build_hasher(&self) -> WordHasher {
        WordHasher(self.0)
    }
}

/// See [`WordHashBuilder`].
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The keys of one word (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordKeys {
    /// The word itself, lowercased.
    pub lower: Box<str>,
    /// Whether the word is a stop word of the language (see [`stopwords`]):
    /// the stem fields leave it out.
    pub stop: bool,
    /// The stem key.
    pub stem: String,
    /// The folded stem key.
    pub folded: String,
    /// Keys of the word's possible compound tails.
    pub tails: Vec<String>,
}

/// The endings of a word that could be the last part of a compound: every
/// ending of at least [`MIN_TAIL_CHARS`] characters that leaves a head of at
/// least [`MIN_HEAD_CHARS`] and starts where a word of `lang` can start (see
/// [`may_start_part`]; see also [`Analyzer::tail_keys`]).
pub fn compound_tails(lang: Lang, word: &str) -> impl Iterator<Item = &str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut boundaries: Vec<usize> = Vec::new();
    if chars.len() >= MIN_HEAD_CHARS + MIN_TAIL_CHARS && chars.iter().all(|&(_, c)| c.is_alphabetic()) {
        for at in MIN_HEAD_CHARS..=chars.len() - MIN_TAIL_CHARS {
            let letter = |i: usize| chars.get(i).map(|&(_, c)| c);
            if may_start_part(lang, letter(at - 1), [letter(at), letter(at + 1), letter(at + 2)]) {
                boundaries.push(chars[at].0);
            }
        }
    }
    boundaries.into_iter().map(move |i| &word[i..])
}

/// Whether the last part of a compound can start with the letters `next`
/// (the first three of the ending) after the letter `prev`.
///
/// Finnish joins the parts of a compound at a syllable boundary: a part
/// starts with one consonant and a vowel (kerho|tila), with a vowel after a
/// vowel it does not form a long vowel or diphthong with (kaupunki|avustus),
/// or, in loanwords, with a consonant cluster after a vowel
/// (kunta|strategia). Swedish parts start with a vowel, a consonant, or a
/// consonant cluster Swedish words begin with (beredskaps|planen). Other
/// endings are never the last part of a compound, and leaving them out
/// halves the keys a Finnish word needs.
pub fn may_start_part(lang: Lang, prev: Option<char>, next: [Option<char>; 3]) -> bool {
    let vowel = |c: Option<char>| c.is_some_and(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'ö' | 'å'));
    let [first, second, third] = next;
    let (Some(p), Some(a), Some(b)) = (prev, first, second) else { return false };
    // A consonant cluster that begins words: two consonants and a vowel, or str, spr, skr, spl.
    let cluster = (vowel(third) && is_onset_cluster(a, b))
        || a == 's' && matches!((b, third), ('k' | 'p' | 't', Some('r')) | ('p', Some('l')));
    match lang {
        Lang::Fi => {
            if vowel(first) {
                vowel(prev) && p != a && !is_fi_diphthong(p, a)
            } else {
                vowel(second) || vowel(prev) && cluster
            }
        }
        Lang::Sv => {
            vowel(first)
                || vowel(second)
                || cluster
                || vowel(third) && matches!((a, b), ('s' | 't' | 'd' | 'h' | 'l', 'j') | ('g' | 'k', 'n'))
                || a == 's' && matches!((b, third), ('k' | 't', Some('j')))
        }
        Lang::En => false,
    }
}

/// Whether `a` followed by `b` forms a long vowel or a Finnish diphthong.
fn is_fi_diphthong(a: char, b: char) -> bool {
    matches!(
        (a, b),
        (_, 'i') | ('a' | 'e' | 'i' | 'o', 'u') | ('e' | 'i' | 'ä' | 'ö', 'y') | ('i', 'e') | ('u', 'o') | ('y', 'ö')
    )
}

/// Two consonants that begin words in both Swedish and Finnish loanwords
/// (plan, kriisi, strategia).
fn is_onset_cluster(a: char, b: char) -> bool {
    matches!(
        (a, b),
        ('b' | 'd' | 'f' | 'g' | 'k' | 'p' | 't', 'r')
            | ('b' | 'f' | 'g' | 'k' | 'p' | 's', 'l')
            | ('s', 'k' | 'm' | 'n' | 'p' | 't' | 'v')
            | ('k' | 't', 'v')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.lower).collect()
    }

    #[test]
    fn splits_words_and_keeps_apostrophes_inside() {
        assert_eq!(
            lowers("Föreningens plan: 72 h, the city's grant."),
            vec!["föreningens", "plan", "72", "h", "the", "city's", "grant"]
        );
    }

    #[test]
    fn hyphenated_words_give_parts_and_joined_form() {
        let w = words("Vuokra-avustus haettava");
        let lows: Vec<_> = w.iter().map(|w| (w.lower.as_str(), w.position, w.joined)).collect();
        assert_eq!(
            lows,
            vec![("vuokra", 0, false), ("avustus", 1, false), ("vuokraavustus", 1, true), ("haettava", 2, false)]
        );
        assert_eq!(&"Vuokra-avustus haettava"[w[2].start..w[2].end], "Vuokra-avustus");
    }

    #[test]
    fn english_spelling_variants_meet() {
        let a = Analyzer::get();
        assert_eq!(a.stem(Lang::En, "organizations"), a.stem(Lang::En, "organisations"));
        assert_eq!(a.stem(Lang::En, "analyze"), a.stem(Lang::En, "analyse"));
    }

    #[test]
    fn folding_is_separate_from_stems() {
        let a = Analyzer::get();
        assert_ne!(a.stem(Lang::Fi, "sää"), a.stem(Lang::Fi, "saa"));
        assert_eq!(a.folded(Lang::Fi, "sähkökatko"), a.folded(Lang::Fi, "sahkokatko"));
        assert_eq!(a.folded(Lang::Sv, "strömavbrott"), a.folded(Lang::Sv, "stromavbrott"));
    }

    #[test]
    fn tails_of_compounds() {
        let tails: Vec<_> = compound_tails(Lang::Fi, "kerhotila").collect();
        assert_eq!(tails, ["hotila", "tila"]);
        assert_eq!(compound_tails(Lang::Fi, "tila").count(), 0);
        assert!(compound_tails(Lang::Fi, "kaupunkiavustus").any(|t| t == "avustus"));
        assert!(compound_tails(Lang::Fi, "kuntastrategia").any(|t| t == "strategia"));
        assert!(!compound_tails(Lang::Fi, "kaupunkiavustus").any(|t| t == "unkiavustus" || t == "iavustus"));
        let sv: Vec<_> = compound_tails(Lang::Sv, "hyresavtal").collect();
        assert_eq!(sv, ["esavtal", "savtal", "avtal"]);
        assert!(compound_tails(Lang::Sv, "krisstrategi").any(|t| t == "strategi"));
        assert_eq!(compound_tails(Lang::En, "preparedness").count(), 0);
        let a = Analyzer::get();
        let tila = a.stem(Lang::Fi, "tila");
        assert!(a.tail_keys(Lang::Fi, "kerhotilan").contains(&tila));
        assert!(!a.tail_keys(Lang::Fi, "tilaisuus").contains(&tila));
        assert!(!a.tail_keys(Lang::Fi, "tilanne").contains(&tila));
        assert_ne!(a.stem(Lang::Fi, "tilanne"), tila, "tilanne (situation) is not tila (space)");
        assert_eq!(a.stem(Lang::Fi, "tilanne"), a.stem(Lang::Fi, "tilanteessa"));
        let suunnitelma = a.stem(Lang::Fi, "suunnitelma");
        assert!(a.tail_keys(Lang::Fi, "valmiussuunnitelmassa").contains(&suunnitelma));
        let plan = a.stem(Lang::Sv, "plan");
        assert!(a.tail_keys(Lang::Sv, "beredskapsplanen").contains(&plan));
    }
}
