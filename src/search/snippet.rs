//! Snippets: the passage of a document that best matches the query, with the
//! matched words marked — also when the match came through a stem, a folded
//! letter, a compound part or a typo — and the page it lies on.

use crate::analysis::{fold, lower, push_folded, Analyzer};
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
/// pieces of all query words are packed into integers; [`Anchors::scan`]
/// tests them in one rolling pass over the folded bytes of a whole text.
struct Anchors {
    /// Bits set by a hash of every three-byte piece: a clear bit rejects a
    /// window at once.
    three_bits: [u64; HASH_WORDS],
    /// Bits set by a hash of every four-byte piece.
    four_bits: [u64; HASH_WORDS],
    /// Three-byte pieces, as little-endian integers.
    three: Vec<u32>,
    /// Four-byte pieces.
    four: Vec<u32>,
    /// Query words under three bytes: a document word must start with one.
    short: Vec<Vec<u8>>,
}

/// Size of the piece bitmaps in 64-bit words (4,096 bits).
const HASH_WORDS: usize = 64;

/// The bit of a piece in a piece bitmap.
fn piece_bit(piece: u32) -> (usize, u64) {
    let hash = (piece.wrapping_mul(0x9E37_79B1) >> 20) as usize;
    ((hash / 64) % HASH_WORDS, 1 << (hash % 64))
}

/// What the scan does with each byte: 0 for ASCII that is not a letter or
/// digit, the lowercased byte for an ASCII letter or digit, and 128 for the
/// bytes of multi-byte characters.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte >= 128 {
            128
        } else if byte.is_ascii_alphanumeric() {
            byte.to_ascii_lowercase()
        } else {
            0
        };
        b += 1;
    }
    table
};

/// The state of the word being read by [`Anchors::scan`].
struct ScanWord {
    start: usize,
    /// The last four folded bytes, the newest in the high byte.
    window: u32,
    /// Folded bytes read so far.
    len: usize,
    /// The first two folded bytes (for short query words).
    head: [u8; 2],
    /// Whether a piece of a query word was seen.
    hit: bool,
}

impl ScanWord {
    /// A word starting at byte `start`, nothing read yet.
    fn at(start: usize) -> ScanWord {
        ScanWord { start, window: 0, len: 0, head: [0; 2], hit: false }
    }
}

impl Anchors {
    fn new(query: &[QueryWord]) -> Anchors {
        let mut anchors = Anchors {
            three_bits: [0; HASH_WORDS],
            four_bits: [0; HASH_WORDS],
            three: Vec::new(),
            four: Vec::new(),
            short: Vec::new(),
        };
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
                let value = u32::from_le_bytes(bytes);
                if width == 3 {
                    let (word, bit) = piece_bit(value);
                    anchors.three_bits[word] |= bit;
                    anchors.three.push(value);
                } else {
                    let (word, bit) = piece_bit(value);
                    anchors.four_bits[word] |= bit;
                    anchors.four.push(value);
                }
            }
        }
        anchors
    }

    /// Adds one folded byte to the word being read.
    #[inline(always)]
    fn push(&self, word: &mut ScanWord, byte: u8) {
        word.window = (word.window >> 8) | (u32::from(byte) << 24);
        if let Some(slot) = word.head.get_mut(word.len) {
            *slot = byte;
        }
        word.len += 1;
        if word.hit || word.len < 3 {
            return;
        }
        let three = word.window >> 8;
        let (at, bit) = piece_bit(three);
        if self.three_bits[at] & bit != 0 && self.three.contains(&three) {
            word.hit = true;
        } else if word.len >= 4 {
            let (at, bit) = piece_bit(word.window);
            word.hit = self.four_bits[at] & bit != 0 && self.four.contains(&word.window);
        }
    }

    /// Whether the word read holds a piece of some query word.
    fn may_match(&self, word: &ScanWord) -> bool {
        word.hit
            || self
                .short
                .iter()
                .any(|s| word.len >= s.len() && word.head.get(..s.len()).is_some_and(|h| h == s.as_slice()))
    }

    /// Reads the words of `text` as [`word_spans`] does, folding them on the
    /// fly, and calls `candidate(index, start, end)` for each word that
    /// holds a piece of some query word (`index` counts every word of the
    /// text). Stops when `candidate` returns false.
    fn scan(&self, text: &str, mut candidate: impl FnMut(usize, usize, usize) -> bool) {
        let bytes = text.as_bytes();
        let mut word: Option<ScanWord> = None;
        let mut index = 0;
        let mut folded = String::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let class = BYTE_CLASS[usize::from(b)];
            if class != 0 && class < 128 {
                let current = word.get_or_insert_with(|| ScanWord::at(i));
                self.push(current, class);
                i += 1;
                continue;
            }
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else { break };
            let width = c.len_utf8();
            let apostrophe = word.is_some()
                && (c == '\'' || c == '’')
                && text.get(i + width..).and_then(|rest| rest.chars().next()).is_some_and(char::is_alphabetic);
            if apostrophe || (class == 128 && c.is_alphanumeric()) {
                let current = word.get_or_insert_with(|| ScanWord::at(i));
                folded.clear();
                for lower in c.to_lowercase() {
                    push_folded(&mut folded, lower);
                }
                for &byte in folded.as_bytes() {
                    self.push(current, byte);
                }
            } else if let Some(ended) = word.take() {
                if self.may_match(&ended) && !candidate(index, ended.start, i) {
                    return;
                }
                index += 1;
            }
            i += width;
        }
        if let Some(ended) = word {
            if self.may_match(&ended) {
                candidate(index, ended.start, bytes.len());
            }
        }
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

/// How far past the first match the scan for further passages goes (bytes).
const PASSAGE_SCAN_BYTES: usize = 64 * 1024;

/// One match: (word index, start, end, query word).
type Match = (usize, usize, usize, usize);

/// Builds the snippet for `text` (in `lang`) and the query words: the best
/// passage near the first match.
pub fn make_snippet(text: &str, lang: Lang, query: &[QueryWord]) -> Snippet {
    let matches = find_matches(text, lang, query, SCAN_AFTER_FIRST_MATCH, true);
    match best_windows(&matches, query.len(), 1).first() {
        Some(&lo) => passage(text, &matches, lo),
        None => Snippet { html: excerpt(text, 0, &[]), offset: None },
    }
}

/// Up to `max` passages of `text` that match the query, the best first: a
/// passage holding more of the query's words is better, then one with more
/// matches. Passages do not overlap. No match gives no passage.
pub fn make_passages(text: &str, lang: Lang, query: &[QueryWord], max: usize) -> Vec<Snippet> {
    let matches = find_matches(text, lang, query, PASSAGE_SCAN_BYTES, false);
    best_windows(&matches, query.len(), max).into_iter().map(|lo| passage(text, &matches, lo)).collect()
}

/// The matched words of `text` in reading order, up to `scan_after` bytes
/// past the first one (and [`MAX_SCAN_BYTES`] in all). With `stop_early`,
/// the scan also stops at the first window that holds every query word,
/// since no window can be better than that.
fn find_matches(text: &str, lang: Lang, query: &[QueryWord], scan_after: usize, stop_early: bool) -> Vec<Match> {
    let analyzer = Analyzer::get();
    let mut end_scan = text.len().min(MAX_SCAN_BYTES);
    while !text.is_char_boundary(end_scan) {
        end_scan -= 1;
    }
    let anchors = Anchors::new(query);
    let mut matches: Vec<Match> = Vec::new();
    let mut folded = String::new();
    let mut seen = vec![0usize; query.len()];
    let (mut lo, mut distinct) = (0usize, 0usize);
    // The first word of a window found to hold every query word: the scan
    // goes on to the end of that window (to mark all of it), then stops.
    let mut full_window_at: Option<usize> = None;
    anchors.scan(&text[..end_scan], |index, start, end| {
        if full_window_at.is_some_and(|first| index > first + WINDOW_WORDS) {
            return false;
        }
        let word = &text[start..end];
        folded.clear();
        for c in word.chars().flat_map(char::to_lowercase) {
            push_folded(&mut folded, c);
        }
        let lower = lower(word);
        let Some(q) = query.iter().position(|q| q.matches(analyzer, lang, &lower, &folded)) else { return true };
        matches.push((index, start, end, q));
        if stop_early {
            // Slide a window over the matches so far; one with every word ends the scan.
            if seen[q] == 0 {
                distinct += 1;
            }
            seen[q] += 1;
            while index - matches[lo].0 >= WINDOW_WORDS {
                let ql = matches[lo].3;
                seen[ql] -= 1;
                if seen[ql] == 0 {
                    distinct -= 1;
                }
                lo += 1;
            }
            if distinct == query.len() && full_window_at.is_none() {
                full_window_at = Some(matches[lo].0);
            }
        }
        start <= matches[0].1 + scan_after
    });
    matches
}

/// The first match of each of the best `max` windows of [`WINDOW_WORDS`]
/// words, as indexes into `matches`: most distinct query words first, then
/// most matches, then the earliest; windows that overlap one already taken
/// are skipped. The result is in order of quality.
fn best_windows(matches: &[Match], query_words: usize, max: usize) -> Vec<usize> {
    let mut windows: Vec<(usize, usize, usize)> = Vec::with_capacity(matches.len()); // (distinct, count, lo)
    let mut seen = vec![0usize; query_words];
    let (mut hi, mut distinct) = (0usize, 0usize);
    for lo in 0..matches.len() {
        while hi < matches.len() && matches[hi].0 - matches[lo].0 < WINDOW_WORDS {
            if seen[matches[hi].3] == 0 {
                distinct += 1;
            }
            seen[matches[hi].3] += 1;
            hi += 1;
        }
        windows.push((distinct, hi - lo, lo));
        let q = matches[lo].3;
        seen[q] -= 1;
        if seen[q] == 0 {
            distinct -= 1;
        }
    }
    windows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    let mut taken: Vec<usize> = Vec::new();
    for (_, _, lo) in windows {
        if taken.len() >= max {
            break;
        }
        let first_word = matches[lo].0;
        if taken.iter().all(|&t| first_word.abs_diff(matches[t].0) >= 2 * WINDOW_WORDS) {
            taken.push(lo);
        }
    }
    taken
}

/// The passage that starts a few words before `matches[lo]`, with the
/// matches in it marked.
fn passage(text: &str, matches: &[Match], lo: usize) -> Snippet {
    let first_start = matches[lo].1;
    // Start a few words before the first match; near the beginning, at the beginning.
    let start = if first_start < SNIPPET_CHARS / 3 {
        0
    } else {
        let before = &text[..first_start];
        let mut cut = first_start;
        for (words_back, (i, c)) in before.char_indices().rev().filter(|(_, c)| c.is_whitespace()).enumerate() {
            // Past the whole space character: a no-break space is two bytes.
            cut = i + c.len_utf8();
            if words_back >= 4 {
                break;
            }
        }
        cut
    };
    let marks: Vec<(usize, usize)> = matches.iter().map(|&(_, s, e, _)| (s, e)).collect();
    Snippet { html: excerpt(text, start, &marks), offset: Some(first_start) }
}

/// The start of a text as a snippet with nothing marked (the fallback when
/// a snippet cannot be made).
pub fn plain_excerpt(text: &str) -> Snippet {
    Snippet { html: excerpt(text, 0, &[]), offset: None }
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
    use crate::analysis::word_spans;

    /// The words of `text` that [`Anchors::scan`] offers, with their index.
    fn candidates<'t>(query: &[QueryWord], text: &'t str) -> Vec<(usize, &'t str)> {
        let mut found = Vec::new();
        Anchors::new(query).scan(text, |index, start, end| {
            found.push((index, &text[start..end]));
            true
        });
        found
    }

    #[test]
    fn anchors_find_pieces_of_query_words() {
        let q = vec![QueryWord::new("sahkokatko"), QueryWord::new("tila"), QueryWord::new("ja")];
        let text = "sahkokatkon kerhotilan jasen xahkokatko yhdistys ti Sähkökatkon JASEN Yhdistys";
        let words: Vec<&str> = candidates(&q, text).into_iter().map(|(_, w)| w).collect();
        // A typo in the first letters still leaves the middle piece.
        assert_eq!(words, ["sahkokatkon", "kerhotilan", "jasen", "xahkokatko", "Sähkökatkon", "JASEN"]);
    }

    #[test]
    fn the_scan_reads_words_as_word_spans_does() {
        let text = "Don’t stop: l'état, 'quoted' Ärrä-äks 2024/25 O'Neill’s ÖVERSIKT kerho\u{2019} 漢字テスト Œuvre ß ﬁne e\u{301}tude";
        let q = vec![QueryWord::new("ta"), QueryWord::new("rra"), QueryWord::new("neill"), QueryWord::new("oversikt")];
        let anchors = Anchors::new(&q);
        // The reference: every word of word_spans, folded as a whole, tested piece by piece.
        let expected: Vec<(usize, &str)> = word_spans(text)
            .enumerate()
            .map(|(i, (s, e))| (i, &text[s..e]))
            .filter(|(_, w)| {
                let mut folded = String::new();
                for c in w.chars().flat_map(char::to_lowercase) {
                    push_folded(&mut folded, c);
                }
                let f = folded.as_bytes();
                let piece = |p: u32, width: usize| f.windows(width).any(|x| x == &p.to_le_bytes()[..width]);
                anchors.three.iter().any(|&p| piece(p, 3))
                    || anchors.four.iter().any(|&p| piece(p, 4))
                    || anchors.short.iter().any(|s| f.starts_with(s))
            })
            .collect();
        assert!(expected.len() >= 3, "{expected:?}");
        assert_eq!(candidates(&q, text), expected);
        // Every word, when a short query word matches them all.
        let every: Vec<&str> = word_spans(text).map(|(s, e)| &text[s..e]).collect();
        let mut all = Vec::new();
        Anchors { short: vec![Vec::new()], ..Anchors::new(&[]) }.scan(text, |i, s, e| {
            all.push((i, &text[s..e]));
            true
        });
        assert_eq!(all, every.into_iter().enumerate().collect::<Vec<_>>());
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
