//! From positioned glyphs to text: word gaps, line breaks, column order
//! and line-end hyphenation.
//!
//! Content-stream order is kept within a column (it beats geometric
//! sorting on single-column documents, see the README's order figures);
//! only when a page clearly has two columns drawn interleaved do we reorder
//! lines by column.

/// One glyph placed on the page (page space, after CTM).
#[derive(Clone, Copy, Debug)]
pub struct Glyph {
    /// Origin.
    pub x: f32,
    /// Origin.
    pub y: f32,
    /// End of the glyph's advance.
    pub ex: f32,
    /// End of the glyph's advance.
    pub ey: f32,
    /// Unit baseline direction.
    pub dx: f32,
    /// Unit baseline direction.
    pub dy: f32,
    /// Effective font size in page units.
    pub size: f32,
    /// Byte range of the glyph's text in the page text buffer.
    pub start: u32,
    /// Byte range end.
    pub end: u32,
}

/// Fraction of the font size above which a horizontal gap is a word break.
/// LaTeX's shrunk interword space is ~0.22 em, kerning rarely exceeds 0.1 em.
const WORD_GAP: f32 = 0.15;

/// The smaller gap that suffices when the producer wrote a space glyph.
const SPACE_GAP: f32 = 0.05;

struct Line {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    horizontal: bool,
    /// Words of the line: (byte start in `text`, x start, x end).
    words: Vec<(usize, f32, f32)>,
}

impl Line {
    fn new(g: &Glyph) -> Line {
        Line { text: String::new(), x0: g.x, x1: g.x, y: g.y, size: g.size, horizontal: true, words: Vec::new() }
    }
}

/// The combining mark a spacing accent stands for, when drawn as a glyph of
/// its own over a letter (LaTeX's OT1 fonts draw "ä" as "a" and "¨").
fn combining_mark(accent: char) -> Option<char> {
    Some(match accent {
        '\u{a8}' | '\u{308}' => '\u{308}',             // diaeresis
        '\u{2da}' | '\u{b0}' | '\u{30a}' => '\u{30a}', // ring
        '\u{b4}' | '\u{2ca}' | '\u{301}' => '\u{301}', // acute
        '`' | '\u{2cb}' | '\u{300}' => '\u{300}',      // grave
        '^' | '\u{2c6}' | '\u{302}' => '\u{302}',      // circumflex
        '~' | '\u{2dc}' | '\u{303}' => '\u{303}',      // tilde
        '\u{2c7}' | '\u{30c}' => '\u{30c}',            // caron
        '\u{b8}' | '\u{327}' => '\u{327}',             // cedilla
        '\u{2dd}' | '\u{30b}' => '\u{30b}',            // double acute
        '\u{2d8}' | '\u{306}' => '\u{306}',            // breve
        '\u{2d9}' | '\u{307}' => '\u{307}',            // dot above
        '\u{af}' | '\u{2c9}' | '\u{304}' => '\u{304}', // macron
        _ => return None,
    })
}

/// The single character of a glyph's text, if it has exactly one.
fn single_char(glyph: &Glyph, buf: &str) -> Option<char> {
    let mut chars = buf.get(glyph.start as usize..glyph.end as usize)?.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Whether `accent` is drawn over `letter`: on its line, its middle within
/// the letter's advance (not beside it, as "^" or "~" in running text are).
fn is_over(accent: &Glyph, letter: &Glyph) -> bool {
    let along = |x: f32, y: f32| (x - letter.x) * letter.dx + (y - letter.y) * letter.dy;
    let advance = along(letter.ex, letter.ey);
    let middle = along((accent.x + accent.ex) / 2.0, (accent.y + accent.ey) / 2.0);
    let across = (accent.y - letter.y) * letter.dx - (accent.x - letter.x) * letter.dy;
    let size = letter.size.max(0.5);
    advance > 0.0 && across.abs() < size && middle > 0.1 * advance && middle < 0.9 * advance
}

/// The letter with the accent composed into one precomposed character (NFC),
/// if Unicode has one ("a" + "¨" → "ä"; a dotless "ı" takes it as "i").
fn compose(letter: char, mark: char) -> Option<char> {
    use unicode_normalization::UnicodeNormalization;
    let base = if letter == '\u{131}' { 'i' } else { letter };
    let mut composed = [base, mark].into_iter().nfc();
    let c = composed.next()?;
    (composed.next().is_none() && c != base).then_some(c)
}

/// Folds accents drawn as glyphs of their own into the letters they sit
/// on, whichever side of the letter the producer drew them (pdfTeX with OT1
/// fonts draws the accent first, then the letter under it). Returns the new
/// glyphs and their text, or `None` when the page has no such accent.
fn compose_accents(glyphs: &[Glyph], buf: &str) -> Option<(Vec<Glyph>, String)> {
    let is_accent = |g: &Glyph| single_char(g, buf).and_then(combining_mark).is_some();
    if !glyphs.iter().any(is_accent) {
        return None;
    }
    // For each glyph: its text replaced (a composed letter), or dropped (an accent folded in).
    let mut replaced: Vec<Option<char>> = vec![None; glyphs.len()];
    let mut dropped = vec![false; glyphs.len()];
    for (i, accent) in glyphs.iter().enumerate() {
        let Some(mark) = single_char(accent, buf).and_then(combining_mark) else { continue };
        // The letter drawn next first (TeX's order), then the one before.
        for j in [i + 1, i.wrapping_sub(1)] {
            let Some(letter) = glyphs.get(j) else { continue };
            if dropped[j] || replaced[j].is_some() || !is_over(accent, letter) {
                continue;
            }
            let Some(base) = single_char(letter, buf).filter(|c| c.is_alphabetic()) else { continue };
            if let Some(c) = compose(base, mark) {
                replaced[j] = Some(c);
                dropped[i] = true;
                break;
            }
        }
    }
    if !dropped.contains(&true) {
        return None;
    }
    let mut text = String::with_capacity(buf.len());
    let mut out = Vec::with_capacity(glyphs.len());
    for (i, g) in glyphs.iter().enumerate() {
        if dropped[i] {
            continue;
        }
        let start = text.len();
        match replaced[i] {
            Some(c) => text.push(c),
            None => text.push_str(buf.get(g.start as usize..g.end as usize).unwrap_or("")),
        }
        out.push(Glyph { start: start as u32, end: text.len() as u32, ..*g });
    }
    Some((out, text))
}

/// Builds the page text from glyphs in content-stream order.
pub fn page_text(glyphs: &[Glyph], buf: &str) -> String {
    let composed = compose_accents(glyphs, buf);
    let (glyphs, buf) = match &composed {
        Some((glyphs, text)) => (glyphs.as_slice(), text.as_str()),
        None => (glyphs, buf),
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut cur =
        Line { text: String::new(), x0: 0.0, x1: 0.0, y: 0.0, size: 0.0, horizontal: true, words: Vec::new() };
    // `prev` is the last non-blank glyph: word breaks are judged by the
    // visible gap between inked glyphs. A space glyph in between lowers the
    // threshold (the producer meant a break) but does not decide alone:
    // ps2pdf writes spaces whose advance is cancelled by negative Tc/Tw.
    let mut prev: Option<Glyph> = None;
    let mut saw_space = false;
    for g in glyphs {
        let t = buf.get(g.start as usize..g.end as usize).unwrap_or("");
        if t.chars().all(char::is_whitespace) {
            saw_space = true;
            continue;
        }
        let mut space = false;
        if let Some(p) = prev {
            let (vx, vy) = (g.x - p.ex, g.y - p.ey);
            let along = vx * p.dx + vy * p.dy;
            let perp = vy * p.dx - vx * p.dy;
            let s = p.size.max(g.size).max(0.5);
            let same_dir = g.dx * p.dx + g.dy * p.dy > 0.95;
            // A jump far to the right on the same baseline is a column
            // gutter or table gap: treat it as a line break so columns can
            // be ordered; word spaces never come near 3 em.
            let new_line = !same_dir || perp.abs() > 0.6 * s || along < -2.0 * s || along > 3.0 * s;
            if new_line {
                if !cur.text.trim().is_empty() {
                    lines.push(std::mem::replace(&mut cur, Line::new(g)));
                } else {
                    cur.text.clear();
                    cur.words.clear();
                }
            } else {
                let em = p.size.max(0.5);
                space = along > WORD_GAP * em || saw_space && along > SPACE_GAP * em;
            }
        }
        saw_space = false;
        if cur.text.is_empty() {
            cur.x0 = g.x;
            cur.y = g.y;
            cur.size = g.size;
            cur.horizontal = g.dx > 0.99;
            cur.words.push((0, g.x, g.ex));
        } else if space {
            cur.text.push(' ');
            cur.words.push((cur.text.len(), g.x, g.ex));
        }
        cur.text.push_str(t);
        if let Some(w) = cur.words.last_mut() {
            w.2 = w.2.max(g.ex);
        }
        cur.x1 = cur.x1.max(g.ex);
        cur.size = cur.size.max(g.size);
        prev = Some(*g);
    }
    if !cur.text.trim().is_empty() {
        lines.push(cur);
    }
    let lines = text_tables(lines);
    let order = column_order(&lines);
    let mut out = String::new();
    for i in order {
        if let Some(l) = lines.get(i) {
            let t = l.text.trim();
            if t.is_empty() {
                continue;
            }
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// A horizontal gap of this many ems inside a physical row separates table
/// cells (plain-text tables in monospace type have two or more blanks).
const CELL_GAP: f32 = 1.1;

/// One physical row: the lines drawn on one baseline, left to right.
struct Row {
    lines: Vec<usize>,
    y: f32,
    size: f32,
    x0: f32,
    x1: f32,
    /// x of each word that follows a cell-sized gap.
    gap_starts: Vec<f32>,
}

/// Plain-text tables with wrapped cells (pandoc's multiline tables printed
/// in a monospace font, e.g. through enscript) are drawn line by line, so
/// a cell's second line comes after the neighbouring cells' first lines.
/// When a block of rows lines up on column starts and its table rows are
/// separated by blank lines, each table row is re-read cell by cell (column
/// 1 top to bottom, then column 2, ...). Anything less regular keeps stream
/// order.
fn text_tables(lines: Vec<Line>) -> Vec<Line> {
    if lines.len() < 4 || lines.iter().any(|l| !l.horizontal) {
        return lines;
    }
    let rows = physical_rows(&lines);
    let mut out_order: Vec<Line> = Vec::with_capacity(lines.len());
    let mut taken = vec![false; lines.len()];
    let mut emitted: Vec<(usize, Vec<Line>)> = Vec::new(); // (first line index of block, new lines)
    let mut i = 0;
    while i < rows.len() {
        let Some(r) = rows.get(i) else { break };
        if r.gap_starts.is_empty() {
            i += 1;
            continue;
        }
        // Grow a block from this tabular row.
        let left = r.x0;
        let mut right = r.x1;
        let mut j = i + 1;
        while let (Some(prev), Some(next)) = (rows.get(j - 1), rows.get(j)) {
            let s = prev.size.max(next.size).max(0.5);
            let step = prev.y - next.y;
            if step < 0.5 * s || step > 3.0 * s {
                break;
            }
            let blank = step > 1.8 * s;
            let tabular = !next.gap_starts.is_empty();
            let continuation =
                !blank && (next.x0 >= left + s || next.x1 - left <= 0.5 * (right - left)) && next.x1 <= right + s;
            if !(tabular || continuation) {
                break;
            }
            right = right.max(next.x1);
            j += 1;
        }
        let block = rows.get(i..j).unwrap_or(&[]);
        if let Some(new_lines) = read_table(block, &lines, left) {
            for r in block {
                for &li in &r.lines {
                    if let Some(t) = taken.get_mut(li) {
                        *t = true;
                    }
                }
            }
            if let Some(first) = block.first().and_then(|r| r.lines.first()) {
                emitted.push((*first, new_lines));
            }
        }
        i = j.max(i + 1);
    }
    if emitted.is_empty() {
        return lines;
    }
    let mut blocks = emitted.into_iter().peekable();
    for (li, l) in lines.into_iter().enumerate() {
        while let Some((_, new_lines)) = blocks.next_if(|(first, _)| *first <= li) {
            out_order.extend(new_lines);
        }
        if !taken.get(li).copied().unwrap_or(false) {
            out_order.push(l);
        }
    }
    for (_, new_lines) in blocks {
        out_order.extend(new_lines);
    }
    out_order
}

fn physical_rows(lines: &[Line]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let s = l.size.max(0.5);
        let mut gaps = Vec::new();
        for w in l.words.windows(2) {
            if let [a, b] = w {
                if b.1 - a.2 > CELL_GAP * s {
                    gaps.push(b.1);
                }
            }
        }
        if let Some(r) = rows.last_mut() {
            if (r.y - l.y).abs() < 0.3 * r.size.max(s) && l.x0 >= r.x1 - 0.5 {
                if l.x0 - r.x1 > CELL_GAP * s {
                    gaps.push(l.x0);
                }
                r.lines.push(i);
                r.x1 = r.x1.max(l.x1);
                r.size = r.size.max(s);
                r.gap_starts.extend(gaps);
                continue;
            }
        }
        rows.push(Row { lines: vec![i], y: l.y, size: s, x0: l.x0, x1: l.x1, gap_starts: gaps });
    }
    rows
}

/// Reads a block of rows as a table with wrapped cells, or `None` when the
/// block is not clearly one.
fn read_table(block: &[Row], lines: &[Line], left: f32) -> Option<Vec<Line>> {
    let s = block.iter().map(|r| r.size).fold(0.5, f32::max);
    let tol = 0.5 * s;
    // Column starts: positions where at least two rows start a cell.
    let mut xs: Vec<f32> = Vec::new();
    for r in block {
        xs.extend(r.gap_starts.iter().copied());
        if r.x0 > left + s {
            xs.push(r.x0);
        }
    }
    xs.sort_by(f32::total_cmp);
    let mut columns = vec![left];
    let mut k = 0;
    while k < xs.len() {
        let x = *xs.get(k)?;
        let n = xs.iter().skip(k).take_while(|&&y| y - x <= tol).count();
        if n >= 2 && x > left + tol {
            columns.push(x);
        }
        k += n.max(1);
    }
    if columns.len() < 2 {
        return None;
    }
    // Every cell start must be on a column.
    let on_column = |x: f32| columns.iter().any(|c| (c - x).abs() <= tol);
    if block.iter().any(|r| r.gap_starts.iter().any(|&x| !on_column(x)) || !on_column(r.x0)) {
        return None;
    }
    // Table rows are separated by blank lines.
    let mut groups: Vec<&[Row]> = Vec::new();
    let mut start = 0;
    for k in 1..=block.len() {
        let split = match (block.get(k - 1), block.get(k)) {
            (Some(a), Some(b)) => a.y - b.y > 1.8 * a.size.max(b.size),
            _ => true,
        };
        if split {
            groups.push(block.get(start..k)?);
            start = k;
        }
    }
    if groups.len() < 2 || groups.iter().all(|g| g.len() < 2) {
        return None;
    }
    let col_of = |x: f32| columns.iter().rposition(|&c| c <= x + tol).unwrap_or(0);
    let mut out = Vec::new();
    for g in groups {
        for (c, &cx) in columns.iter().enumerate() {
            for r in g {
                let mut cell = Line {
                    text: String::new(),
                    x0: cx,
                    x1: cx,
                    y: r.y,
                    size: r.size,
                    horizontal: true,
                    words: Vec::new(),
                };
                for l in r.lines.iter().filter_map(|&li| lines.get(li)) {
                    for (n, w) in l.words.iter().enumerate() {
                        if col_of(w.1) != c {
                            continue;
                        }
                        let end = l.words.get(n + 1).map(|v| v.0).unwrap_or(l.text.len());
                        let t = l.text.get(w.0..end).unwrap_or("").trim();
                        if !cell.text.is_empty() {
                            cell.text.push(' ');
                        }
                        cell.text.push_str(t);
                        cell.x1 = cell.x1.max(w.2);
                    }
                }
                if !cell.text.is_empty() {
                    out.push(cell);
                }
            }
        }
    }
    Some(out)
}

/// Reorders lines when the page has two columns whose lines are drawn
/// interleaved (left, right, left, ...). Otherwise keeps stream order.
fn column_order(lines: &[Line]) -> Vec<usize> {
    let ident: Vec<usize> = (0..lines.len()).collect();
    if lines.len() < 6 || lines.iter().any(|l| !l.horizontal) {
        return ident;
    }
    let min_x = lines.iter().map(|l| l.x0).fold(f32::INFINITY, f32::min);
    let max_x = lines.iter().map(|l| l.x1).fold(f32::NEG_INFINITY, f32::max);
    let width = max_x - min_x;
    if width <= 0.0 {
        return ident;
    }
    // Find a gutter: an x that no line crosses, with many lines each side.
    let mid_lo = min_x + width * 0.3;
    let mid_hi = min_x + width * 0.7;
    let mut best: Option<(f32, usize)> = None;
    let steps = 40;
    for k in 0..=steps {
        let gx = mid_lo + (mid_hi - mid_lo) * k as f32 / steps as f32;
        let crossing = lines.iter().filter(|l| l.x0 < gx - 1.0 && l.x1 > gx + 1.0).count();
        if crossing * 10 <= lines.len() && best.is_none_or(|(_, c)| crossing < c) {
            best = Some((gx, crossing));
        }
    }
    let Some((gx, _)) = best else { return ident };
    let left: Vec<usize> = (0..lines.len()).filter(|&i| lines.get(i).is_some_and(|l| l.x1 <= gx + 1.0)).collect();
    let right: Vec<usize> = (0..lines.len()).filter(|&i| lines.get(i).is_some_and(|l| l.x0 >= gx - 1.0)).collect();
    if left.len() < 5 || right.len() < 5 {
        return ident;
    }
    // Only prose columns: table cells are short and must keep row order.
    let avg_chars = |ix: &[usize]| {
        let total: usize = ix.iter().filter_map(|&i| lines.get(i)).map(|l| l.text.chars().count()).sum();
        total / ix.len().max(1)
    };
    if avg_chars(&left) < 25 || avg_chars(&right) < 25 {
        return ident;
    }
    // Interleaved? Count switches between columns in stream order.
    let side = |i: usize| lines.get(i).map(|l| l.x1 <= gx + 1.0).unwrap_or(true);
    let switches = (1..lines.len()).filter(|&i| side(i) != side(i - 1)).count();
    if switches <= 4 {
        return ident; // already column by column
    }
    // Full-width lines (titles) stay in place relative to the columns by y:
    // emit in order of bands separated by full-width lines.
    let mut out = Vec::with_capacity(lines.len());
    let mut band_left = Vec::new();
    let mut band_right = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.x1 <= gx + 1.0 {
            band_left.push(i);
        } else if l.x0 >= gx - 1.0 {
            band_right.push(i);
        } else {
            out.append(&mut band_left);
            out.append(&mut band_right);
            out.push(i);
        }
    }
    out.append(&mut band_left);
    out.append(&mut band_right);
    out
}

fn ends_with_hyphen_word(line: &str) -> Option<&str> {
    let stem = line.strip_suffix('-')?;
    let word_start = stem.rfind(|c: char| c.is_whitespace()).map(|i| i + 1).unwrap_or(0);
    let word = stem.get(word_start..)?;
    let last = word.chars().last()?;
    if !last.is_alphabetic() {
        return None;
    }
    Some(word)
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_lowercase().next().unwrap_or(c), 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'ö' | 'å')
}

/// Evidence from the whole document for line-end hyphenation decisions.
#[derive(Default)]
pub struct HyphenEvidence {
    /// Hyphenated compounds written inside lines (lowercased).
    pub compounds: std::collections::HashSet<String>,
    /// All words of the document, lowercased and sorted (for prefix search).
    pub words: Vec<String>,
    /// The producer is known not to hyphenate automatically (office suites,
    /// browsers, ReportLab, fpdf): a line-end hyphen is then a real one.
    pub producer_keeps_hyphens: bool,
}

impl HyphenEvidence {
    fn has_word_with_prefix(&self, prefix: &str) -> bool {
        let i = self.words.partition_point(|w| w.as_str() < prefix);
        self.words.get(i).is_some_and(|w| w.starts_with(prefix))
    }
}

/// Joins words split by a line-end hyphen where the joined word is more
/// likely than a hyphenated compound.
///
/// A split is joined when the document elsewhere has a word starting like
/// the joined word (`kri-` + `isiviestintä` → `kriisiviestintä`, attested
/// by `kriisiviestintä`). Otherwise kept as compounds: anything the
/// document also writes hyphenated inside a line, the same vowel on both
/// sides (the Finnish rule, `toiminta-avustus`), a capitalised or digit-led
/// continuation, a first part in capitals or with digits (`EU-`, `2025-`),
/// known prefixes (`icke-`), a continuation that is a conjunction
/// (`sydän- ja verisuonitaudit`), and every line-end hyphen from producers
/// that do not hyphenate. The rest (typesetter hyphenation) is joined.
pub fn dehyphenate(text: &str, ev: &HyphenEvidence) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut carry: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let owned;
        let line: &str = match carry.take() {
            Some(c) => {
                owned = c;
                &owned
            }
            None => lines.get(i).copied().unwrap_or(""),
        };
        let next = lines.get(i + 1).copied().unwrap_or("");
        if let Some(word) = ends_with_hyphen_word(line) {
            let next_word: &str = next.split_whitespace().next().unwrap_or("");
            let next_clean = next_word.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            let word_l = word.to_lowercase();
            let first = next_word.chars().next();
            let last = word.chars().last();
            let join = match (first, last) {
                (Some(f), Some(l)) if f.is_lowercase() => {
                    let joined = format!("{word_l}{next_clean}");
                    let probe_len = word_l.chars().count() + next_clean.chars().count().min(3);
                    let probe: String = joined.chars().take(probe_len).collect();
                    let same_vowel = is_vowel(f) && f.to_lowercase().eq(l.to_lowercase());
                    // "sydän- ja verisuonitaudit", "mor- eller farföräldrar":
                    // a first part that shares its ending with the next word.
                    let conjunction =
                        matches!(next_clean.as_str(), "ja" | "tai" | "sekä" | "och" | "eller" | "samt" | "and" | "or");
                    if conjunction || ev.compounds.contains(&format!("{word_l}-{next_clean}")) {
                        false
                    } else if next_clean.chars().count() >= 2 && ev.has_word_with_prefix(&probe) {
                        true
                    } else if same_vowel {
                        // Finnish writes a hyphen between equal vowels of a
                        // compound (toiminta-avustus, ruoka-apua). English
                        // hyphenation patterns applied to Finnish also split
                        // long vowels (tilaisu-uden); without evidence for
                        // the joined word, the compound reading wins.
                        false
                    } else {
                        let has_digit = word.chars().any(|c| c.is_ascii_digit());
                        // The last part of "English-speak-": is it a name?
                        let last_part = word.rsplit('-').next().unwrap_or(word);
                        let capital = last_part.chars().next().is_some_and(char::is_uppercase);
                        let prefix = matches!(word_l.as_str(), "icke" | "non" | "anti" | "e" | "self");
                        !(ev.producer_keeps_hyphens || has_digit || capital || prefix)
                    }
                }
                _ => false,
            };
            if join {
                let stem = line.strip_suffix('-').unwrap_or(line);
                out.push_str(stem);
                let trimmed = next.trim_start();
                let (w, rest) = match trimmed.find(char::is_whitespace) {
                    Some(k) => (trimmed.get(..k).unwrap_or(""), trimmed.get(k..).unwrap_or("").trim_start()),
                    None => (trimmed, ""),
                };
                out.push_str(w);
                out.push('\n');
                i += 1;
                if rest.is_empty() {
                    i += 1;
                } else {
                    // The rest of the next line is examined in its turn.
                    carry = Some(rest.to_string());
                }
                continue;
            }
        }
        out.push_str(line);
        if i + 1 < lines.len() {
            out.push('\n');
        }
        i += 1;
    }
    out
}

/// True for a line that is only the page number (`2`, `- 2 -`, `2/5`,
/// `Sivu 2`, `Page 2`, `Sida 2`).
pub fn is_page_number_line(line: &str, pno: usize) -> bool {
    let t = line.trim();
    let t = t
        .strip_prefix("Sivu ")
        .or_else(|| t.strip_prefix("Page "))
        .or_else(|| t.strip_prefix("Sida "))
        .or_else(|| t.strip_prefix("sivu "))
        .unwrap_or(t);
    let t = t.split('/').next().unwrap_or(t);
    let t = t.split(" of ").next().unwrap_or(t);
    let core = t.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    core.parse::<usize>().is_ok_and(|n| n == pno)
}

/// Collects lowercased words of a page (letters and digits), leaving out
/// the two halves of every line-end hyphen split: they are what the
/// evidence is about, not evidence.
pub fn collect_words(text: &str, words: &mut Vec<String>) {
    let mut after_hyphen = false;
    for line in text.lines() {
        let ends_split = ends_with_hyphen_word(line).is_some();
        let tokens: Vec<&str> = line.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let n = tokens.len();
        for (k, w) in tokens.iter().enumerate() {
            if (k == 0 && after_hyphen) || (k + 1 == n && ends_split) {
                continue;
            }
            if w.chars().count() >= 2 {
                words.push(w.to_lowercase());
            }
        }
        after_hyphen = ends_split;
    }
}

/// Collects hyphenated compounds written inside lines (lowercased).
pub fn inline_compounds(text: &str, set: &mut std::collections::HashSet<String>) {
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let n = words.len();
        for (k, w) in words.iter().enumerate() {
            // The last word of a line may be a line-end split; skip it.
            if k + 1 == n && w.ends_with('-') {
                continue;
            }
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
            if w.contains('-') && !w.starts_with('-') && !w.ends_with('-') {
                set.insert(w.to_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dehyphenation_rules() {
        let none = HyphenEvidence::default();
        assert_eq!(dehyphenate("yhdis-\ntys on", &none), "yhdistys\non");
        let fin =
            HyphenEvidence { words: vec!["avustuksen".to_string(), "toiminta".to_string()], ..Default::default() };
        assert_eq!(dehyphenate("toiminta-\navustus", &fin), "toiminta-\navustus");
        assert_eq!(dehyphenate("English-speak-\ning", &fin), "English-speaking\n");
        assert_eq!(dehyphenate("Teams-\nyhteys", &none), "Teams-\nyhteys");
        assert_eq!(dehyphenate("icke-\ndiskriminering", &none), "icke-\ndiskriminering");
        assert_eq!(dehyphenate("EU-\nrahoitus", &none), "EU-\nrahoitus");
        // A shared ending before a conjunction stays apart, even with the
        // joined letters attested elsewhere.
        let attested = HyphenEvidence { words: vec!["sydänjakso".to_string()], ..Default::default() };
        assert_eq!(dehyphenate("sydän-\nja verisuonitaudit", &attested), "sydän-\nja verisuonitaudit");
        assert_eq!(dehyphenate("mor-\neller farföräldrar", &none), "mor-\neller farföräldrar");
        let mut ev = HyphenEvidence::default();
        ev.compounds.insert("kriisi-viestintä".to_string());
        assert_eq!(dehyphenate("kriisi-\nviestintä", &ev), "kriisi-\nviestintä");
        ev.words = vec!["kriisiviestintä".to_string()];
        assert_eq!(dehyphenate("Kri-\nisiviestintää on", &ev), "Kriisiviestintää\non");
        let office = HyphenEvidence { producer_keeps_hyphens: true, ..Default::default() };
        assert_eq!(dehyphenate("Hyte-\nneuvottelut", &office), "Hyte-\nneuvottelut");
        assert_eq!(dehyphenate("a b-\nc d-\ne f", &none), "a bc\nde\nf");
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number_line("- 2 -", 2));
        assert!(is_page_number_line("2", 2));
        assert!(is_page_number_line("Sivu 3/4", 3));
        assert!(!is_page_number_line("2", 3));
    }
}
