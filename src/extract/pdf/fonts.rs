//! Fonts: from a font dictionary to "code -> (Unicode text, advance)".
//!
//! Unicode is resolved per code in this order: ToUnicode CMap, the
//! `/Encoding` (with `/Differences` glyph names through the AGL, or a base
//! encoding), predefined CMaps for Type0 (Identity, UCS2/UTF16), and last
//! the embedded font program itself (TrueType `cmap` inverted, `post` or CFF
//! glyph names). A font that yields nothing costs its own text, not the page.

use super::cmap::CMap;
use super::encodings::{self, BaseEncoding};
use super::objects::deref;
use super::stream;
use lopdf::{Dictionary, Document, Object};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

/// Per-stream cap for font programs and CMaps (they are small in practice).
const FONT_STREAM_CAP: usize = 16 * 1024 * 1024;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Simple,
    Type3,
    Cid,
}

/// How a Type0 font splits and reads its codes.
#[derive(Debug)]
enum CidEncoding {
    /// Identity-H / Identity-V: two-byte codes equal to CIDs.
    Identity,
    /// UniXXX-UCS2 / UTF16 CMaps: codes are UTF-16BE Unicode.
    Unicode,
    /// An embedded CMap stream (codespaces + cid ranges).
    Embedded(Box<CMap>),
    /// Another predefined CMap we have no table for: two-byte codes.
    Other,
}

/// A font ready for decoding.
pub struct Font {
    kind: Kind,
    to_unicode: Option<CMap>,
    /// Simple fonts: text per code (already through ToUnicode/encoding).
    simple_text: Vec<Option<String>>,
    /// Simple fonts: advance per code in text space units (per 1 unit size).
    simple_widths: Vec<f32>,
    cid_enc: CidEncoding,
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
    cid_to_gid: Option<Vec<u16>>,
    font_file: Option<Vec<u8>>,
    font_is_cff: bool,
    gid_text: OnceCell<HashMap<u16, String>>,
    cid_cache: RefCell<HashMap<u64, Option<String>>>,
    /// The CIDFont uses an Adobe CJK character collection (Japan1, GB1,
    /// CNS1, Korea1), whose CIDs 1 to 95 are the printable ASCII range.
    ascii_collection: bool,
    /// Vertical writing (Identity-V): advances go down.
    pub vertical: bool,
    /// Problems found while loading (warnings for the caller).
    pub problems: Vec<String>,
    /// True when the font can give no Unicode for most codes.
    pub unreadable: bool,
}

fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().map(|o| deref(doc, o)).filter(|o| !matches!(o, Object::Null))
}

fn name_of(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// Decodes a font-related stream, charging the document's byte budget.
fn dec(s: &lopdf::Stream, budget: &mut usize) -> Result<stream::Decoded, String> {
    let cap = FONT_STREAM_CAP.min(*budget);
    let d = stream::decode(s, cap)?;
    *budget = budget.saturating_sub(d.data.len());
    Ok(d)
}

fn decode_stream_obj(o: Option<&Object>, budget: &mut usize) -> Option<Vec<u8>> {
    match o {
        Some(Object::Stream(s)) => dec(s, budget).ok().map(|d| d.data),
        _ => None,
    }
}

fn base_encoding_named(name: &str) -> Option<BaseEncoding> {
    match name {
        "WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
        "MacRomanEncoding" | "MacExpertEncoding" => Some(BaseEncoding::MacRoman),
        "StandardEncoding" => Some(BaseEncoding::Standard),
        "PDFDocEncoding" => Some(BaseEncoding::PdfDoc),
        _ => None,
    }
}

/// True when a decoded ToUnicode value is usable text (not empty, not only
/// control characters or U+FFFD, which some producers write as filler).
fn usable(s: &str) -> bool {
    !s.is_empty()
        && s.chars().any(|c| !c.is_control() && !matches!(c, '\u{fffd}' | '\u{fffe}' | '\u{ffff}'))
        && !s.chars().any(|c| matches!(c, '\u{fffe}' | '\u{ffff}'))
}

/// "a49" -> 49, "g200" -> 200 (one to three letters, then digits).
fn numbered_name(name: &str) -> Option<u32> {
    let letters = name.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let digits = name.get(letters..)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Font {
    /// Loads a font dictionary. Never fails: missing parts degrade to
    /// fallbacks and are listed in `problems`.
    /// `budget` is the document's remaining decoded-bytes allowance.
    pub fn load(doc: &Document, dict: &Dictionary, budget: &mut usize) -> Font {
        let subtype = name_of(get(doc, dict, b"Subtype")).unwrap_or_default();
        let base_font = name_of(get(doc, dict, b"BaseFont")).unwrap_or_default();
        let kind = match subtype.as_str() {
            "Type0" => Kind::Cid,
            "Type3" => Kind::Type3,
            _ => Kind::Simple,
        };
        let mut problems = Vec::new();
        let to_unicode = match get(doc, dict, b"ToUnicode") {
            Some(Object::Stream(s)) => match dec(s, budget) {
                Ok(d) => {
                    let cm = CMap::parse(&d.data);
                    if cm.is_empty() {
                        problems.push("unparseable ToUnicode CMap".to_string());
                        None
                    } else {
                        Some(cm)
                    }
                }
                Err(e) => {
                    problems.push(format!("ToUnicode CMap: {e}"));
                    None
                }
            },
            // "/ToUnicode /Identity-H" occurs; it means nothing useful.
            _ => None,
        };
        let mut font = Font {
            kind,
            to_unicode,
            simple_text: Vec::new(),
            simple_widths: Vec::new(),
            cid_enc: CidEncoding::Identity,
            cid_widths: HashMap::new(),
            default_width: 1.0,
            cid_to_gid: None,
            font_file: None,
            font_is_cff: false,
            gid_text: OnceCell::new(),
            cid_cache: RefCell::new(HashMap::new()),
            ascii_collection: false,
            vertical: false,
            problems,
            unreadable: false,
        };
        match kind {
            Kind::Cid => font.load_cid(doc, dict, budget),
            _ => font.load_simple(doc, dict, &base_font, budget),
        }
        font
    }

    fn load_font_file(&mut self, doc: &Document, descriptor: Option<&Dictionary>, budget: &mut usize) {
        let Some(fd) = descriptor else { return };
        if let Some(data) = decode_stream_obj(get(doc, fd, b"FontFile2"), budget) {
            self.font_file = Some(data);
        } else if let Some(o) = get(doc, fd, b"FontFile3") {
            let sub = match o {
                Object::Stream(s) => name_of(s.dict.get(b"Subtype").ok()),
                _ => None,
            };
            if let Some(data) = decode_stream_obj(Some(o), budget) {
                self.font_is_cff = sub.as_deref() != Some("OpenType");
                self.font_file = Some(data);
            }
        }
    }

    fn load_simple(&mut self, doc: &Document, dict: &Dictionary, base_font: &str, budget: &mut usize) {
        let descriptor = match get(doc, dict, b"FontDescriptor") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let flags = descriptor.and_then(|d| get(doc, d, b"Flags")).and_then(num).unwrap_or(0.0) as u32;
        let symbolic = flags & 4 != 0 && flags & 32 == 0;
        let subtype = name_of(get(doc, dict, b"Subtype")).unwrap_or_default();
        let stripped = base_font.split('+').next_back().unwrap_or(base_font);
        // Encoding: base + differences.
        let mut base = None;
        let mut diffs: Vec<(u8, String)> = Vec::new();
        match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => base = base_encoding_named(&String::from_utf8_lossy(n)),
            Some(Object::Dictionary(ed)) => {
                base = name_of(get(doc, ed, b"BaseEncoding")).and_then(|n| base_encoding_named(&n));
                if let Some(Object::Array(arr)) = get(doc, ed, b"Differences") {
                    let mut code: i64 = 0;
                    for item in arr {
                        match deref(doc, item) {
                            Object::Integer(i) => code = *i,
                            Object::Name(n) => {
                                if (0..256).contains(&code) {
                                    diffs.push((code as u8, String::from_utf8_lossy(n).into_owned()));
                                }
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        let lower = stripped.to_ascii_lowercase();
        let base = base.unwrap_or(if lower.starts_with("symbol") {
            BaseEncoding::Symbol
        } else if subtype == "TrueType" && !symbolic {
            BaseEncoding::WinAnsi
        } else {
            BaseEncoding::Standard
        });
        let mut names: Vec<Option<String>> = vec![None; 256];
        for (c, n) in diffs {
            if let Some(slot) = names.get_mut(usize::from(c)) {
                *slot = Some(n);
            }
        }
        // The font program is needed only for glyph names the AGL lacks.
        let needs_program = names.iter().flatten().any(|n| encodings::glyph_name_to_unicode(n).is_none());
        if needs_program {
            self.load_font_file(doc, descriptor, budget);
        }
        let is_dingbats = lower.contains("dingbats");
        let mut text: Vec<Option<String>> = Vec::with_capacity(256);
        let mut unresolved = 0;
        for code in 0..=255u8 {
            let mut t = self.to_unicode.as_ref().and_then(|cm| cm.lookup(u32::from(code), 1)).filter(|s| usable(s));
            if t.is_none() {
                if let Some(Some(n)) = names.get(usize::from(code)) {
                    t = encodings::glyph_name_to_unicode(n);
                    if t.is_none() {
                        t = self.embedded_text_for_name(n);
                    }
                    if t.is_none() && self.font_file.is_some() && !self.font_is_cff {
                        // "g18" / "glyph18" in subsets made from TrueType:
                        // the number is a glyph id of the embedded program.
                        let gid = n
                            .strip_prefix("glyph")
                            .or_else(|| n.strip_prefix('g'))
                            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                            .and_then(|d| d.parse::<u16>().ok());
                        if let Some(g) = gid {
                            t = self.gid_map().get(&g).cloned();
                        }
                    }
                    if t.is_none() {
                        // Names like "a49" / "g200" that carry their own code
                        // (TeX Type3 bitmap fonts): read the code as Latin-1.
                        t = numbered_name(n)
                            .filter(|v| *v == u32::from(code))
                            .and_then(|_| encodings::base_char(BaseEncoding::WinAnsi, code).map(String::from));
                    }
                    if t.is_none() && self.kind == Kind::Type3 {
                        // Type3 glyphs with private names (shapes): like
                        // poppler, fall back to the code's Latin-1 letter.
                        t = encodings::base_char(BaseEncoding::WinAnsi, code).map(String::from);
                    }
                    if t.is_none() {
                        unresolved += 1;
                    }
                }
            }
            if t.is_none() && !is_dingbats && names.get(usize::from(code)).is_some_and(|n| n.is_none()) {
                t = encodings::base_char(base, code).map(String::from);
            }
            text.push(t);
        }
        if unresolved > 0 {
            self.problems.push(format!("{unresolved} glyph names without Unicode"));
        }
        self.simple_text = text;
        // Widths.
        let metrics = encodings::std_metrics_for(stripped);
        let scale = if self.kind == Kind::Type3 {
            match get(doc, dict, b"FontMatrix") {
                Some(Object::Array(m)) => m.first().and_then(num).unwrap_or(0.001),
                _ => 0.001,
            }
        } else {
            0.001
        };
        let first = get(doc, dict, b"FirstChar").and_then(num).unwrap_or(0.0) as i64;
        let missing = descriptor.and_then(|d| get(doc, d, b"MissingWidth")).and_then(num).unwrap_or(0.0);
        let widths: Option<Vec<f32>> = match get(doc, dict, b"Widths") {
            Some(Object::Array(a)) => Some(a.iter().map(|o| num(deref(doc, o)).unwrap_or(missing)).collect()),
            _ => None,
        };
        let mut w = Vec::with_capacity(256);
        for code in 0..256i64 {
            let from_table = widths.as_ref().and_then(|ws| {
                code.checked_sub(first).and_then(|d| usize::try_from(d).ok()).and_then(|i| ws.get(i)).copied()
            });
            let v = match from_table {
                Some(v) => v * scale,
                None if widths.is_some() && missing > 0.0 => missing * scale,
                None => {
                    let c = self
                        .simple_text
                        .get(code as usize)
                        .and_then(|t| t.as_ref())
                        .and_then(|t| t.chars().next())
                        .unwrap_or('n');
                    encodings::std_width(metrics, c) * 0.001
                }
            };
            w.push(v);
        }
        self.simple_widths = w;
        if self.simple_text.iter().all(|t| t.is_none()) {
            self.unreadable = true;
        }
        // Everything the program could tell is now in `simple_text`.
        self.font_file = None;
    }

    fn load_cid(&mut self, doc: &Document, dict: &Dictionary, budget: &mut usize) {
        match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => {
                let n = String::from_utf8_lossy(n).into_owned();
                self.vertical = n.ends_with("-V");
                self.cid_enc = if n.starts_with("Identity") {
                    CidEncoding::Identity
                } else if n.contains("UCS2") || n.contains("UTF16") {
                    CidEncoding::Unicode
                } else {
                    CidEncoding::Other
                };
            }
            Some(Object::Stream(s)) => {
                let cm = dec(s, budget).map(|d| CMap::parse(&d.data)).unwrap_or_default();
                self.vertical = matches!(s.dict.get(b"WMode"), Ok(Object::Integer(1)));
                self.cid_enc = CidEncoding::Embedded(Box::new(cm));
            }
            _ => self.cid_enc = CidEncoding::Identity,
        }
        let desc = match get(doc, dict, b"DescendantFonts") {
            Some(Object::Array(a)) => a.first().map(|o| deref(doc, o)),
            Some(o @ Object::Dictionary(_)) => Some(o),
            _ => None,
        };
        let Some(Object::Dictionary(cidfont)) = desc else {
            self.problems.push("Type0 font without descendant font".into());
            return;
        };
        if let Some(Object::Dictionary(info)) = get(doc, cidfont, b"CIDSystemInfo") {
            let field = |k: &[u8]| match get(doc, info, k) {
                Some(Object::String(s, _)) => s.clone(),
                _ => Vec::new(),
            };
            self.ascii_collection = field(b"Registry") == b"Adobe"
                && matches!(field(b"Ordering").as_slice(), b"Japan1" | b"GB1" | b"CNS1" | b"Korea1");
        }
        self.default_width = get(doc, cidfont, b"DW").and_then(num).unwrap_or(1000.0) * 0.001;
        if let Some(Object::Array(w)) = get(doc, cidfont, b"W") {
            let items: Vec<&Object> = w.iter().map(|o| deref(doc, o)).collect();
            let mut i = 0;
            while i < items.len() && self.cid_widths.len() < 200_000 {
                let Some(first) = items.get(i).and_then(|o| num(o)) else { break };
                match items.get(i + 1) {
                    Some(Object::Array(ws)) => {
                        for (k, wo) in ws.iter().enumerate() {
                            if let Some(v) = num(deref(doc, wo)) {
                                self.cid_widths.insert((first as u32).saturating_add(k as u32), v * 0.001);
                            }
                        }
                        i += 2;
                    }
                    Some(o) => {
                        let last = num(o).unwrap_or(first);
                        let v = items.get(i + 2).and_then(|o| num(o)).unwrap_or(1000.0);
                        let (a, b) = (first as u32, (last as u32).min((first as u32).saturating_add(65_535)));
                        for c in a..=b {
                            self.cid_widths.insert(c, v * 0.001);
                        }
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        if let Some(Object::Stream(s)) = get(doc, cidfont, b"CIDToGIDMap") {
            if let Ok(d) = dec(s, budget) {
                self.cid_to_gid = Some(d.data.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect());
            }
        }
        let descriptor = match get(doc, cidfont, b"FontDescriptor") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        // The font program is read only when there is no ToUnicode: the
        // common case (Chromium, LibreOffice, Word) never pays for it.
        if self.to_unicode.is_none() && !matches!(self.cid_enc, CidEncoding::Unicode) {
            self.load_font_file(doc, descriptor, budget);
            if self.ascii_collection && (self.font_file.is_none() || self.gid_map().is_empty()) {
                self.problems
                    .push("no ToUnicode CMap: only the ASCII CIDs of the character collection are read".into());
            } else if self.font_file.is_none() {
                self.problems.push("no ToUnicode CMap and no embedded font: text dropped".into());
                self.unreadable = true;
            } else if self.gid_map().is_empty() {
                self.problems.push("no ToUnicode CMap and no usable cmap in the embedded font".into());
                self.unreadable = true;
            }
        }
    }

    /// For simple fonts with a glyph name the AGL does not know: look the
    /// name up in the embedded font and read its Unicode from the cmap.
    fn embedded_text_for_name(&self, name: &str) -> Option<String> {
        let data = self.font_file.as_ref()?;
        if self.font_is_cff {
            return None;
        }
        let raw = ttf_parser::RawFace::parse(data, 0).ok()?;
        let post = raw.table(ttf_parser::Tag::from_bytes(b"post")).and_then(ttf_parser::post::Table::parse)?;
        let gid = post.glyph_index_by_name(name)?;
        self.gid_map().get(&gid.0).cloned()
    }

    /// Glyph id -> text from the embedded font program, built on first use.
    fn gid_map(&self) -> &HashMap<u16, String> {
        self.gid_text.get_or_init(|| {
            let mut m = HashMap::new();
            let Some(data) = self.font_file.as_ref() else { return m };
            if self.font_is_cff {
                if let Some(cff) = ttf_parser::cff::Table::parse(data) {
                    for g in 0..cff.number_of_glyphs() {
                        if let Some(t) =
                            cff.glyph_name(ttf_parser::GlyphId(g)).and_then(encodings::glyph_name_to_unicode)
                        {
                            m.insert(g, t);
                        }
                    }
                }
                return m;
            }
            // RawFace needs only the table directory: PDF subsets often
            // drop tables that a full Face::parse insists on.
            let Ok(raw) = ttf_parser::RawFace::parse(data, 0) else { return m };
            let table = |tag: &[u8; 4]| raw.table(ttf_parser::Tag::from_bytes(tag));
            if let Some(cmap) = table(b"cmap").and_then(ttf_parser::cmap::Table::parse) {
                for sub in cmap.subtables {
                    let unicode = sub.is_unicode();
                    let symbol = sub.platform_id == ttf_parser::PlatformId::Windows && sub.encoding_id == 0;
                    if !unicode && !symbol {
                        continue;
                    }
                    let mut count = 0usize;
                    sub.codepoints(|cp| {
                        count += 1;
                        if count > 70_000 {
                            return;
                        }
                        let Some(gid) = sub.glyph_index(cp) else { return };
                        let cp = if symbol && (0xF000..=0xF0FF).contains(&cp) { cp - 0xF000 } else { cp };
                        let Some(c) = char::from_u32(cp) else { return };
                        if c.is_control() {
                            return;
                        }
                        // Prefer a non-private-use char; otherwise the first.
                        let pua = |ch: char| ('\u{e000}'..='\u{f8ff}').contains(&ch);
                        match m.get(&gid.0) {
                            Some(old) if !old.chars().next().is_some_and(pua) || pua(c) => {}
                            _ => {
                                m.insert(gid.0, c.to_string());
                            }
                        }
                    });
                }
            }
            if let Some(post) = table(b"post").and_then(ttf_parser::post::Table::parse) {
                for (g, name) in post.names().enumerate().take(65_535) {
                    let g = g as u16;
                    if m.contains_key(&g) {
                        continue;
                    }
                    if let Some(t) = encodings::glyph_name_to_unicode(name) {
                        m.insert(g, t);
                    }
                }
            }
            m
        })
    }

    fn cid_text(&self, code: u32, len: usize, cid: u32) -> Option<String> {
        if let Some(cached) = self.cid_cache.borrow().get(&(u64::from(code) | (len as u64) << 32)) {
            return cached.clone();
        }
        let mut t = self.to_unicode.as_ref().and_then(|cm| cm.lookup(code, len)).filter(|s| usable(s));
        if t.is_none() {
            if let CidEncoding::Unicode = self.cid_enc {
                let bytes = code.to_be_bytes();
                t = bytes.get(4 - len.min(4)..).map(super::cmap::utf16be);
            }
        }
        if t.is_none() && self.font_file.is_some() {
            let gid = match &self.cid_to_gid {
                Some(map) => map.get(cid as usize).copied(),
                None => u16::try_from(cid).ok(),
            };
            if let Some(g) = gid {
                t = self.gid_map().get(&g).cloned();
            }
        }
        if t.is_none() && self.ascii_collection && (1..=95).contains(&cid) {
            t = char::from_u32(0x1F + cid).map(String::from);
        }
        self.cid_cache.borrow_mut().insert(u64::from(code) | (len as u64) << 32, t.clone());
        t
    }

    /// Decodes a shown string: calls `f(text, advance, is_word_space)` per
    /// glyph, where `advance` is in text-space units for font size 1 and
    /// `is_word_space` says the code is the single byte 32 (Tw applies).
    pub fn decode(&self, bytes: &[u8], mut f: impl FnMut(Option<&str>, f32, bool)) {
        match self.kind {
            Kind::Simple | Kind::Type3 => {
                for &b in bytes {
                    let t = self.simple_text.get(usize::from(b)).and_then(|t| t.as_deref());
                    let w = self.simple_widths.get(usize::from(b)).copied().unwrap_or(0.5);
                    f(t, w, b == 32);
                }
            }
            Kind::Cid => {
                let mut i = 0;
                while i < bytes.len() {
                    let (code, len, cid) = match &self.cid_enc {
                        CidEncoding::Embedded(cm) => {
                            let (code, len) = cm.next_code(bytes, i, 2);
                            (code, len, cm.cid(code, len).unwrap_or(code))
                        }
                        CidEncoding::Other if self.to_unicode.is_some() => {
                            // A predefined CMap we lack (Shift-JIS, GBK...):
                            // the ToUnicode's codespaces still split codes.
                            let (code, len) =
                                self.to_unicode.as_ref().map(|cm| cm.next_code(bytes, i, 2)).unwrap_or((0, 1));
                            (code, len, code)
                        }
                        _ => {
                            // Identity and UCS2 codes are 2 bytes whatever
                            // the ToUnicode's codespace says.
                            let hi = bytes.get(i).copied().unwrap_or(0);
                            let (code, len) = match bytes.get(i + 1) {
                                Some(lo) => (u32::from(hi) << 8 | u32::from(*lo), 2),
                                None => (u32::from(hi), 1),
                            };
                            (code, len, code)
                        }
                    };
                    i += len.max(1);
                    let t = self.cid_text(code, len, cid);
                    let w = self.cid_widths.get(&cid).copied().unwrap_or(self.default_width);
                    f(t.as_deref(), w, len == 1 && code == 32);
                }
            }
        }
    }
}
