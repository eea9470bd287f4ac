//! Snippets: the passage of a document that best matches the query, with the
//! matched words marked — also when the match came through a stem, a folded
//! letter, a compound part or a typo — and the page it lies on.

use crate::analysis::{fold, lower, push_folded, word_spans, Analyzer};
use crate::lang::Lang;

/// One query word, prepared for matching against document words.
#[derive(Debug, Clone)]
pub struct QueryWord {
    /// The word as typed, lowercased.
    pub lower: String,
    /// The folded form of `lower`.
    pub folded: String,
    /// Stem keys in each language.
    pub stems: Vec<String>,
    /// Folded stem keys in each language.
    pub folded_stems: Vec<String>,
}

impl QueryWord {
    /// Prepares a lowercased query word.
    pub fn new(lower: &str) -> QueryWord {
        let analyzer = Analyzer::get();
        let mut stems: Vec<String> = Lang::ALL.iter().map(|&l| analyzer.stem(l, lower)).collect();
        stems.sort();
        stems.dedup();
        let mut folded_stems: Vec<String> = Lang::ALL.iter().map(|&l| analyzer.folded(l, lower)).collect();
        folded_stems.sort();
        folded_stems.dedup();
        QueryWord { lower: lower.to_string(), folded: fold(lower), stems, folded_stems }
    }

    /// Whether a document word (lowercased) in `lang` matches this query word.
    fn matches(&self, analyzer: &Analyzer, lang: Lang, lower: &str, folded_doc_word: &str) -> bool {
        if lower == self.lower || folded_doc_word == self.folded {
            return true;
        }
        let keyed = analyzer.with_keys(lang, lower, |keys| {
            // Same stem; same folded stem; or a compound ending with a form
            // of the query word.
            self.stems.contains(&keys.stem)
                || self.folded_stems.contains(&keys.folded)
                || keys.tails.iter().any(|k| self.stems.contains(k))
        });
        if keyed {
            return true;
        }
        // Typo: one edit away on the folded forms, for words of five letters or more.
        self.folded.chars().count() >= 5 && within_one_edit(&self.folded, folded_doc_word)
    }
}

/// A cheap test that a document word could match some query word at all.
///
/// Every way of matching (stem, folded, compound tail, one typo) leaves the
/// start or the middle of the query word in the document word, so a piece of
/// three letters (four for long words) from either must be there. The
/// pieces of all query words are packed into integers and compared in one
/// rolling pass over the (folded) document word.
struct Anchors {
    /// Which byte pairs begin a piece (bit `a << 8 | b`): a word without
    /// one of these pairs is rejected after one look-up per byte.
    pairs: Vec<u64>,
    /// Three-byte pieces, as little-endian integers.
    three: Vec<u32>,
    /// Four-byte pieces.
    four: Vec<u32>,
    /// Query words under three bytes: a document word must start with one.
    short: Vec<Vec<u8>>,
}

impl Anchors {
    fn new(query: &[QueryWord]) -> Anchors {
        let mut anchors = Anchors { pairs: vec![0; 1024], three: Vec::new(), four: Vec::new(), short: Vec::new() };
        for q in query {
            let q = q.folded.as_bytes();
            if q.len() < 3 {
                anchors.short.push(q.to_vec());
                continue;
            }
            let width = if q.len() >= 6 { 4 } else { 3 };
            for from in [0, 2] {
                let Some(piece) = q.get(from..from + width) else { continue };
                let mut bytes = [0u8; 4];
                bytes[..width].copy_from_slice(piece);
                let pair = usize::from(piece[0]) << 8 | usize::from(piece[1]);
                anchors.pairs[pair / 64] |= 1 << (pair % 64);
                let value = u32::from_le_bytes(bytes);
                if width == 3 {
                    anchors.three.push(value);
                } else {
                    anchors.four.push(value);
                }
            }
        }
        anchors
    }

    /// Whether the folded document word holds a piece of some query word.
    fn may_match(&self, folded_doc_word: &[u8]) -> bool {
        self.may_match_mapped(folded_doc_word, |b| b)
    }

    /// [`Anchors::may_match`] for an ASCII word as written (lowercased on the fly).
    fn may_match_ascii(&self, word: &[u8]) -> bool {
        self.may_match_mapped(word, |b| b.to_ascii_lowercase())
    }

    fn may_match_mapped(&self, word: &[u8], map: impl Fn(u8) -> u8) -> bool {
        if self.short.iter().any(|s| word.len() >= s.len() && word.iter().zip(s).all(|(&w, &s)| map(w) == s)) {
            return true;
        }
        let has_pair = word.windows(2).any(|w| {
            let pair = usize::from(map(w[0])) << 8 | usize::from(map(w[1]));
            self.pairs[pair / 64] & (1 << (pair % 64)) != 0
        });
        if !has_pair {
            return false;
        }
        // The last four bytes read, the newest in the high byte.
        let mut window = 0u32;
        for (i, &b) in word.iter().enumerate() {
            window = (window >> 8) | (u32::from(map(b)) << 24);
            if i >= 2 && self.three.contains(&(window >> 8)) {
                return true;
            }
            if i >= 3 && self.four.contains(&window) {
                return true;
            }
        }
        false
    }
}

/// Whether two strings are at most one edit (insert, delete, substitute, swap) apart.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == la && prefix == lb {
        return true;
    }
    let suffix_eq = |x: &[char], y: &[char]| x == y;
    if la == lb {
        // substitution or transposition
        suffix_eq(&a[prefix + 1..], &b[prefix + 1..])
            || (prefix + 1 < la
                && a[prefix] == b[prefix + 1]
                && a[prefix + 1] == b[prefix]
                && suffix_eq(&a[prefix + 2..], &b[prefix + 2..]))
    } else if la > lb {
        suffix_eq(&a[prefix + 1..], &b[prefix..])
    } else {
        suffix_eq(&a[prefix..], &b[prefix + 1..])
    }
}

/// A snippet: HTML-safe text with `<mark>` around matched words, and the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// Escaped HTML fragment; matched words are wrapped in `<mark>…</mark>`.
    pub html: String,
    /// Byte offset in the document text where the best passage starts.
    pub offset: Option<usize>,
}

/// How many words the passage window spans.
const WINDOW_WORDS: usize = 28;
/// Target length of a snippet in characters.
const SNIPPET_CHARS: usize = 240;
/// How far past the first match the scan for a better passage goes (bytes).
const SCAN_AFTER_FIRST_MATCH: usize = 1_536;
/// Documents longer than this are only scanned up to it (bytes).
const MAX_SCAN_BYTES: usize = 8 << 20;

/// Builds the snippet for `text` (in `lang`) and the query words.
pub fn make_snippet(text: &str, lang: Lang, query: &[QueryWord]) -> Snippet {
    let analyzer = Analyzer::get();
    let mut end_scan = text.len().min(MAX_SCAN_BYTES);
    while !text.is_char_boundary(end_scan) {
        end_scan -= 1;
    }
    // Matches as (word index, start, end, query word), found in one pass
    // without allocating per word; the scan stops at the first window that
    // holds every query word, since no window can be better than that.
    let anchors = Anchors::new(query);
    let mut matches: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut folded = String::new();
    let mut best = (0usize, 0usize, 0usize); // (distinct, count, index of the window's first match)
    let mut seen = vec![0usize; query.len()];
    let (mut lo, mut distinct) = (0usize, 0usize);
    for (index, (start, end)) in word_spans(&text[..end_scan]).enumerate() {
        folded.clear();
        let word = &text[start..end];
        if word.is_ascii() {
            if !anchors.may_match_ascii(word.as_bytes()) {
                continue;
            }
            folded.push_str(word);
            folded.make_ascii_lowercase();
        } else {
            for c in word.chars().flat_map(char::to_lowercase) {
                push_folded(&mut folded, c);
            }
            if !anchors.may_match(folded.as_bytes()) {
                continue;
            }
        }
        let lower = lower(&text[start..end]);
        let Some(q) = query.iter().position(|q| q.matches(analyzer, lang, &lower, &folded)) else { continue };
        matches.push((index, start, end, q));
        // Slide the window over the matches so far.
        let hi = matches.len() - 1;
        if seen[q] == 0 {
            distinct += 1;
        }
        seen[q] += 1;
        while matches[hi].0 - matches[lo].0 >= WINDOW_WORDS {
            let ql = matches[lo].3;
            seen[ql] -= 1;
            if seen[ql] == 0 {
                distinct -= 1;
            }
            lo += 1;
        }
        if (distinct, hi - lo + 1) > (best.0, best.1) {
            best = (distinct, hi - lo + 1, lo);
        }
        if best.0 == query.len() && index > matches[best.2].0 + WINDOW_WORDS {
            break;
        }
        // A passage near the first match is good enough: stop a few
        // kilobytes after it rather than reading the whole document.
        if start > matches[0].1 + SCAN_AFTER_FIRST_MATCH {
            break;
        }
    }
    let Some(&(_, first_start, _, _)) = matches.get(best.2) else {
        return Snippet { html: excerpt(text, 0, &[]), offset: None };
    };
    // Start a few words before the first match; near the beginning, at the beginning.
    let start = if first_start < SNIPPET_CHARS / 3 {
        0
    } else {
        let before = &text[..first_start];
        let mut cut = first_start;
        for (words_back, (i, _)) in before.char_indices().rev().filter(|(_, c)| c.is_whitespace()).enumerate() {
            cut = i + 1;
            if words_back >= 4 {
                break;
            }
        }
        cut
    };
    let marks: Vec<(usize, usize)> = matches.iter().map(|&(_, s, e, _)| (s, e)).collect();
    Snippet { html: excerpt(text, start, &marks), offset: Some(first_start) }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts about [`SNIPPET_CHARS`] characters from `start`, ending at a word
/// boundary, escapes them and marks the given spans.
fn excerpt(text: &str, start: usize, marks: &[(usize, usize)]) -> String {
    let mut end = start;
    let mut chars = 0;
    for (i, c) in text[start..].char_indices() {
        end = start + i + c.len_utf8();
        chars += 1;
        if chars >= SNIPPET_CHARS && c.is_whitespace() {
            break;
        }
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut cursor = start;
    for &(s, e) in marks.iter().filter(|&&(s, e)| s >= start && e <= end) {
        if s < cursor {
            continue;
        }
        out.push_str(&collapse(&escape_html(&text[cursor..s])));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[s..e]));
        out.push_str("</mark>");
        cursor = e;
    }
    out.push_str(&collapse(&escape_html(&text[cursor..end])));
    let trimmed = out.trim_end().to_string();
    if end < text.len() {
        format!("{trimmed} …")
    } else {
        trimmed
    }
}

/// Folds runs of white space (including line breaks) into one space.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_find_pieces_of_query_words() {
        let q = vec![QueryWord::new("sahkokatko"), QueryWord::new("tila"), QueryWord::new("ja")];
        let anchors = Anchors::new(&q);
        assert!(anchors.may_match(b"sahkokatkon"));
        assert!(anchors.may_match(b"kerhotilan"));
        assert!(anchors.may_match(b"jasen"));
        // A typo in the first letters still leaves the middle piece.
        assert!(anchors.may_match(b"xahkokatko"));
        assert!(!anchors.may_match(b"yhdistys"));
        assert!(!anchors.may_match(b"ti"));
        assert!(anchors.may_match_ascii(b"Sahkokatkon"));
        assert!(anchors.may_match_ascii(b"JASEN"));
        assert!(!anchors.may_match_ascii(b"Yhdistys"));
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("avustushakmus", "avustushakemus"));
        assert!(within_one_edit("varautminen", "varautuminen"));
        assert!(within_one_edit("abcd", "abdc"));
        assert!(!within_one_edit("abcd", "badc"));
        assert!(!within_one_edit("kissa", "koira"));
    }

    #[test]
    fn marks_inflected_and_folded_matches() {
        let text = "Johdanto. Pitkän sähkökatkon aikana yhdistys avaa kerhotilan. Lisätietoja myöhemmin.";
        let q = vec![QueryWord::new("sahkokatko"), QueryWord::new("tila")];
        let s = make_snippet(text, Lang::Fi, &q);
        assert!(s.html.contains("<mark>sähkökatkon</mark>"), "{}", s.html);
        assert!(s.html.contains("<mark>kerhotilan</mark>"), "{}", s.html);
        assert!(s.offset.is_some());
    }

    #[test]
    fn escapes_document_text() {
        let text = "Varoitus <script>alert(1)</script> ja sähkökatko";
        let s = make_snippet(text, Lang::Fi, &[QueryWord::new("sähkökatko")]);
        assert!(!s.html.contains("<script>"), "{}", s.html);
        assert!(s.html.contains("&lt;script&gt;"));
    }
}
