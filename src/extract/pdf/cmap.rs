//! CMap parsing: ToUnicode CMaps (bfchar / bfrange, including the array
//! form and multi-byte codes) and embedded CID CMaps (cidchar / cidrange),
//! plus code splitting by codespace ranges.
//!
//! The parser is a forgiving token scanner, not a PostScript interpreter:
//! real-world CMaps are often slightly malformed, and a mapping we can read
//! is worth more than strictness.

use std::collections::HashMap;

/// Upper bound on explicit entries kept from one CMap; a hostile CMap cannot
/// make us allocate without bound.
const MAX_ENTRIES: usize = 200_000;

/// One codespace range: codes of `len` bytes whose every byte lies within
/// the corresponding bytes of `lo` and `hi`.
#[derive(Clone, Debug)]
struct Codespace {
    len: usize,
    lo: [u8; 4],
    hi: [u8; 4],
}

/// The target of a range mapping.
#[derive(Clone, Debug)]
enum RangeDst {
    /// Unicode text of the first code; later codes increment the last char.
    Text(String),
    /// One text per code.
    Array(Vec<String>),
    /// A CID: first code maps to this CID, later codes to the next ones.
    Cid(u32),
}

#[derive(Clone, Debug)]
struct Range {
    len: usize,
    lo: u32,
    hi: u32,
    dst: RangeDst,
}

/// A parsed CMap.
#[derive(Clone, Debug, Default)]
pub struct CMap {
    codespaces: Vec<Codespace>,
    chars: HashMap<(u8, u32), String>,
    cids: HashMap<(u8, u32), u32>,
    /// Sorted by `lo` after parsing.
    ranges: Vec<Range>,
    /// `max_hi[i]` = the largest `hi` of `ranges[..=i]`: lets a lookup stop
    /// walking back as soon as no earlier range can contain the code.
    max_hi: Vec<u32>,
    /// bfchar entries by code value alone (for byte-length mismatches).
    chars_any: HashMap<u32, String>,
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Hex(Vec<u8>),
    Str(Vec<u8>),
    Name(&'a [u8]),
    Num(i64),
    Word(&'a [u8]),
    ArrOpen,
    ArrClose,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    fn next_tok(&mut self) -> Option<Tok<'a>> {
        loop {
            let c = *self.s.get(self.i)?;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0' => self.i += 1,
                b'%' => {
                    while let Some(&c) = self.s.get(self.i) {
                        if c == b'\n' || c == b'\r' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
        let c = *self.s.get(self.i)?;
        match c {
            b'<' => {
                if self.s.get(self.i + 1) == Some(&b'<') {
                    self.i += 2;
                    return Some(Tok::Word(b"<<"));
                }
                self.i += 1;
                let (out, used) = super::stream::decode_hex(self.s.get(self.i..).unwrap_or(&[]));
                self.i += used;
                Some(Tok::Hex(out))
            }
            b'>' => {
                self.i += if self.s.get(self.i + 1) == Some(&b'>') { 2 } else { 1 };
                Some(Tok::Word(b">>"))
            }
            b'(' => {
                self.i += 1;
                let mut depth = 1;
                let mut out = Vec::new();
                while let Some(&c) = self.s.get(self.i) {
                    self.i += 1;
                    match c {
                        b'\\' => {
                            if let Some(&n) = self.s.get(self.i) {
                                self.i += 1;
                                out.push(n);
                            }
                        }
                        b'(' => {
                            depth += 1;
                            out.push(c);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            out.push(c);
                        }
                        _ => out.push(c),
                    }
                }
                Some(Tok::Str(out))
            }
            b'[' => {
                self.i += 1;
                Some(Tok::ArrOpen)
            }
            b']' => {
                self.i += 1;
                Some(Tok::ArrClose)
            }
            b'{' | b'}' => {
                self.i += 1;
                Some(Tok::Word(b"{"))
            }
            b'/' => {
                self.i += 1;
                let start = self.i;
                self.skip_regular();
                Some(Tok::Name(self.s.get(start..self.i).unwrap_or_default()))
            }
            _ => {
                let start = self.i;
                self.skip_regular();
                if self.i == start {
                    self.i += 1;
                }
                let w = self.s.get(start..self.i).unwrap_or_default();
                if let Some(n) = std::str::from_utf8(w).ok().and_then(|t| t.parse::<i64>().ok()) {
                    Some(Tok::Num(n))
                } else {
                    Some(Tok::Word(w))
                }
            }
        }
    }

    fn skip_regular(&mut self) {
        while let Some(&c) = self.s.get(self.i) {
            if matches!(
                c,
                b' ' | b'\t'
                    | b'\r'
                    | b'\n'
                    | b'\x0c'
                    | b'\0'
                    | b'/'
                    | b'<'
                    | b'>'
                    | b'['
                    | b']'
                    | b'('
                    | b')'
                    | b'%'
                    | b'{'
                    | b'}'
            ) {
                break;
            }
            self.i += 1;
        }
    }
}

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().take(4).fold(0u32, |a, &b| a << 8 | u32::from(b))
}

/// UTF-16BE bytes to text; a lone odd byte is read as a Latin-1 char.
pub fn utf16be(bytes: &[u8]) -> String {
    if bytes.len() == 1 {
        return bytes.iter().map(|&b| char::from(b)).collect();
    }
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| match c {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from(*a),
            _ => 0,
        })
        .collect();
    String::from_utf16_lossy(&units)
}

fn increment_text(base: &str, offset: u32) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    if let Some(last) = chars.last_mut() {
        if let Some(c) = (*last as u32).checked_add(offset).and_then(char::from_u32) {
            *last = c;
        }
    }
    chars.into_iter().collect()
}

impl CMap {
    /// Parses CMap source text. Never fails: unreadable parts are skipped,
    /// and the caller judges the result by [`CMap::is_empty`].
    pub fn parse(src: &[u8]) -> CMap {
        let mut cm = CMap::default();
        let mut lx = Lexer { s: src, i: 0 };
        let mut toks: Vec<Tok> = Vec::new();
        #[derive(PartialEq)]
        enum Mode {
            None,
            Codespace,
            BfChar,
            BfRange,
            CidChar,
            CidRange,
        }
        let mut mode = Mode::None;
        let mut entries = 0usize;
        while let Some(t) = lx.next_tok() {
            if entries > MAX_ENTRIES {
                break;
            }
            if let Tok::Word(w) = t {
                match w {
                    b"begincodespacerange" => mode = Mode::Codespace,
                    b"beginbfchar" => mode = Mode::BfChar,
                    b"beginbfrange" => mode = Mode::BfRange,
                    b"begincidchar" => mode = Mode::CidChar,
                    b"begincidrange" => mode = Mode::CidRange,
                    b"endcodespacerange" | b"endbfchar" | b"endbfrange" | b"endcidchar" | b"endcidrange" => {
                        mode = Mode::None
                    }
                    _ => {}
                }
                toks.clear();
                continue;
            }
            if mode == Mode::None {
                continue;
            }
            // Arrays in bfrange: collect the whole array as one token group.
            if t == Tok::ArrOpen {
                let mut items = Vec::new();
                while let Some(t2) = lx.next_tok() {
                    match t2 {
                        Tok::ArrClose => break,
                        Tok::Hex(h) | Tok::Str(h) => items.push(utf16be(&h)),
                        Tok::Name(n) => items.push(
                            super::encodings::glyph_name_to_unicode(&String::from_utf8_lossy(n)).unwrap_or_default(),
                        ),
                        Tok::Word(_) => break,
                        _ => {}
                    }
                    if items.len() > 65_536 {
                        break;
                    }
                }
                if mode == Mode::BfRange && toks.len() == 2 {
                    if let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (toks.first(), toks.get(1)) {
                        cm.ranges.push(Range { len: lo.len(), lo: be(lo), hi: be(hi), dst: RangeDst::Array(items) });
                        entries += 1;
                    }
                }
                toks.clear();
                continue;
            }
            toks.push(t);
            match mode {
                Mode::Codespace if toks.len() == 2 => {
                    if let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (toks.first(), toks.get(1)) {
                        let len = lo.len().clamp(1, 4);
                        let mut l = [0u8; 4];
                        let mut h = [0u8; 4];
                        for k in 0..len {
                            l[k] = lo.get(k).copied().unwrap_or(0);
                            h[k] = hi.get(k).copied().unwrap_or(0xFF);
                        }
                        cm.codespaces.push(Codespace { len, lo: l, hi: h });
                    }
                    toks.clear();
                }
                Mode::BfChar if toks.len() == 2 => {
                    if let Some(Tok::Hex(src)) = toks.first() {
                        let key = (src.len().min(4) as u8, be(src));
                        let dst = match toks.get(1) {
                            Some(Tok::Hex(d)) | Some(Tok::Str(d)) => Some(utf16be(d)),
                            Some(Tok::Name(n)) => super::encodings::glyph_name_to_unicode(&String::from_utf8_lossy(n)),
                            _ => None,
                        };
                        if let Some(d) = dst {
                            cm.chars.insert(key, d);
                            entries += 1;
                        }
                    }
                    toks.clear();
                }
                Mode::BfRange if toks.len() == 3 => {
                    if let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) = (toks.first(), toks.get(1)) {
                        let dst = match toks.get(2) {
                            Some(Tok::Hex(d)) => Some(RangeDst::Text(utf16be(d))),
                            Some(Tok::Name(n)) => {
                                super::encodings::glyph_name_to_unicode(&String::from_utf8_lossy(n)).map(RangeDst::Text)
                            }
                            _ => None,
                        };
                        if let Some(dst) = dst {
                            cm.ranges.push(Range { len: lo.len(), lo: be(lo), hi: be(hi), dst });
                            entries += 1;
                        }
                    }
                    toks.clear();
                }
                Mode::CidChar if toks.len() == 2 => {
                    if let (Some(Tok::Hex(src)), Some(Tok::Num(cid))) = (toks.first(), toks.get(1)) {
                        cm.cids.insert((src.len().min(4) as u8, be(src)), (*cid).max(0) as u32);
                        entries += 1;
                    }
                    toks.clear();
                }
                Mode::CidRange if toks.len() == 3 => {
                    if let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Num(cid))) =
                        (toks.first(), toks.get(1), toks.get(2))
                    {
                        cm.ranges.push(Range {
                            len: lo.len(),
                            lo: be(lo),
                            hi: be(hi),
                            dst: RangeDst::Cid((*cid).max(0) as u32),
                        });
                        entries += 1;
                    }
                    toks.clear();
                }
                _ => {
                    if toks.len() > 3 {
                        toks.clear();
                    }
                }
            }
        }
        cm.finish();
        cm
    }

    /// Sorts ranges and builds the lookup helpers.
    fn finish(&mut self) {
        self.ranges.sort_by_key(|r| r.lo);
        let mut m = 0u32;
        self.max_hi = self
            .ranges
            .iter()
            .map(|r| {
                m = m.max(r.hi);
                m
            })
            .collect();
        for ((_, code), s) in &self.chars {
            self.chars_any.entry(*code).or_insert_with(|| s.clone());
        }
    }

    /// Ranges that contain `code`, most specific (largest `lo`) first.
    fn ranges_for(&self, code: u32) -> impl Iterator<Item = &Range> + '_ {
        let end = self.ranges.partition_point(|r| r.lo <= code);
        (0..end)
            .rev()
            .take_while(move |&i| self.max_hi.get(i).is_some_and(|&h| h >= code))
            .take(4096)
            .filter_map(move |i| self.ranges.get(i))
            .filter(move |r| code <= r.hi)
    }

    /// True when the CMap maps nothing.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty() && self.cids.is_empty()
    }

    /// Splits `bytes` at position `i` into the next code: (code, length).
    /// Falls back to `default_len` bytes when no codespace matches.
    pub fn next_code(&self, bytes: &[u8], i: usize, default_len: usize) -> (u32, usize) {
        let rest = bytes.get(i..).unwrap_or_default();
        if !self.codespaces.is_empty() {
            for n in 1..=4usize {
                let Some(cand) = rest.get(..n) else { break };
                let hit = self.codespaces.iter().any(|cs| {
                    cs.len == n && cand.iter().enumerate().all(|(k, b)| *b >= cs.lo[k.min(3)] && *b <= cs.hi[k.min(3)])
                });
                if hit {
                    return (be(cand), n);
                }
            }
        }
        let n = default_len.clamp(1, 4).min(rest.len()).max(1);
        (be(rest.get(..n).unwrap_or(rest)), n)
    }

    /// Unicode text of a code of `len` bytes.
    pub fn lookup(&self, code: u32, len: usize) -> Option<String> {
        let len8 = len.min(4) as u8;
        if let Some(s) = self.chars.get(&(len8, code)) {
            return Some(s.clone());
        }
        // Many producers write bfrange with a different byte count than the
        // codespace; accept any length match for the code value.
        for r in self.ranges_for(code) {
            if r.len == len || self.codespaces.is_empty() || r.len == 0 {
                let off = code - r.lo;
                return match &r.dst {
                    RangeDst::Text(t) => Some(increment_text(t, off)),
                    RangeDst::Array(a) => a.get(off as usize).cloned(),
                    RangeDst::Cid(_) => None,
                };
            }
        }
        if self.codespaces.is_empty() || len8 != 1 {
            return self.chars_any.get(&code).cloned();
        }
        None
    }

    /// CID of a code (for embedded Encoding CMaps of Type0 fonts).
    pub fn cid(&self, code: u32, len: usize) -> Option<u32> {
        if let Some(c) = self.cids.get(&(len.min(4) as u8, code)) {
            return Some(*c);
        }
        for r in self.ranges_for(code) {
            if r.len == len {
                if let RangeDst::Cid(c) = r.dst {
                    return Some(c.saturating_add(code - r.lo));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bfchar_bfrange_and_arrays() {
        let src = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0011> <00660069> endbfchar\n\
            2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<00E4> <00F6>] endbfrange\n\
            endcmap";
        let cm = CMap::parse(src);
        assert_eq!(cm.lookup(3, 2).as_deref(), Some(" "));
        assert_eq!(cm.lookup(0x11, 2).as_deref(), Some("fi"));
        assert_eq!(cm.lookup(0x22, 2).as_deref(), Some("C"));
        assert_eq!(cm.lookup(0x31, 2).as_deref(), Some("ö"));
        assert_eq!(cm.next_code(&[0, 0x22, 0x00], 0, 1), (0x22, 2));
    }

    #[test]
    fn parses_cidrange() {
        let cm =
            CMap::parse(b"1 begincodespacerange <00> <80> endcodespacerange 1 begincidrange <20> <7e> 1 endcidrange");
        assert_eq!(cm.cid(0x21, 1), Some(2));
    }
}
