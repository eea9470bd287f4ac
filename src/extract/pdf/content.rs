//! Content-stream tokenizer and text-state interpreter.
//!
//! We tokenize content streams ourselves instead of using lopdf's
//! `Content::decode`: a single malformed token there fails the whole stream,
//! while here it costs only that token. The interpreter tracks the graphics
//! and text state just far enough to place every glyph (origin, end, size,
//! direction) in page space; layout happens in `layout.rs`.

use super::fonts::Font;
use super::layout::Glyph;
use super::objects::{deref, number_array};
use super::stream;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

/// Maximum nesting of form XObjects (each level also guards cycles).
const MAX_FORM_DEPTH: usize = 12;
/// Maximum depth of the `q` graphics-state stack we keep.
const MAX_GS_DEPTH: usize = 256;
/// Maximum nesting of arrays in operands.
const MAX_ARRAY_DEPTH: usize = 8;
/// Glyphs kept per page; beyond it the page is cut (with a warning).
const MAX_GLYPHS_PER_PAGE: usize = 2_000_000;

#[derive(Debug, Clone)]
enum Operand {
    Num(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Arr(Vec<Operand>),
    Other,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(c, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

enum Token<'a> {
    Operand(Operand),
    Op(&'a [u8]),
    ArrEnd,
    DictEnd,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        while let Some(&c) = self.s.get(self.i) {
            if is_ws(c) {
                self.i += 1;
            } else if c == b'%' {
                while let Some(&c) = self.s.get(self.i) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular(&mut self) -> &'a [u8] {
        let start = self.i;
        while let Some(&c) = self.s.get(self.i) {
            if is_ws(c) || is_delim(c) {
                break;
            }
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or_default()
    }

    fn literal(&mut self) -> Vec<u8> {
        // self.i is just past '('
        let mut out = Vec::new();
        let mut depth = 1u32;
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            match c {
                b'\\' => {
                    let Some(&n) = self.s.get(self.i) else { break };
                    self.i += 1;
                    match n {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.s.get(self.i) == Some(&b'\n') {
                                self.i += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(n - b'0');
                            for _ in 0..2 {
                                match self.s.get(self.i) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        _ => out.push(n),
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
        out
    }

    fn hex(&mut self) -> Vec<u8> {
        let (bytes, used) = stream::decode_hex(self.s.get(self.i..).unwrap_or(&[]));
        self.i += used;
        bytes
    }

    fn next(&mut self, depth: usize) -> Option<Token<'a>> {
        self.skip_ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'(' => {
                self.i += 1;
                Some(Token::Operand(Operand::Str(self.literal())))
            }
            b'<' => {
                if self.s.get(self.i + 1) == Some(&b'<') {
                    self.i += 2;
                    // Dictionaries only matter as operands of BDC/DP/BI: skip.
                    self.skip_dict();
                    return Some(Token::Operand(Operand::Other));
                }
                self.i += 1;
                Some(Token::Operand(Operand::Str(self.hex())))
            }
            b'>' => {
                self.i += 1;
                if self.s.get(self.i) == Some(&b'>') {
                    self.i += 1;
                }
                Some(Token::DictEnd)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if depth >= MAX_ARRAY_DEPTH {
                        // Too deep: swallow to the matching bracket.
                        self.skip_until(b']');
                        break;
                    }
                    match self.next(depth + 1) {
                        None | Some(Token::ArrEnd) => break,
                        Some(Token::Operand(o)) => {
                            if items.len() < 100_000 {
                                items.push(o)
                            }
                        }
                        Some(Token::Op(_)) | Some(Token::DictEnd) => items.push(Operand::Other),
                    }
                }
                Some(Token::Operand(Operand::Arr(items)))
            }
            b']' => {
                self.i += 1;
                Some(Token::ArrEnd)
            }
            b'/' => {
                self.i += 1;
                Some(Token::Operand(Operand::Name(self.regular().to_vec())))
            }
            b'{' | b'}' | b')' => {
                self.i += 1;
                Some(Token::Operand(Operand::Other))
            }
            _ => {
                let w = self.regular();
                if w.is_empty() {
                    self.i += 1;
                    return Some(Token::Operand(Operand::Other));
                }
                let first = w.first().copied().unwrap_or(b'x');
                if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
                    Some(Token::Operand(Operand::Num(parse_num(w))))
                } else if w == b"true" || w == b"false" || w == b"null" {
                    Some(Token::Operand(Operand::Other))
                } else {
                    Some(Token::Op(w))
                }
            }
        }
    }

    fn skip_until(&mut self, end: u8) {
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            if c == end {
                break;
            }
        }
    }

    fn skip_dict(&mut self) {
        let mut depth = 1u32;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'(' => {
                    self.i += 1;
                    let _ = self.literal();
                    continue;
                }
                b'<' if self.s.get(self.i + 1) == Some(&b'<') => {
                    depth += 1;
                    self.i += 2;
                    continue;
                }
                b'>' if self.s.get(self.i + 1) == Some(&b'>') => {
                    depth -= 1;
                    self.i += 2;
                    if depth == 0 {
                        return;
                    }
                    continue;
                }
                _ => self.i += 1,
            }
        }
    }

    /// Skips inline image data after `ID`: up to whitespace + `EI` + delimiter.
    fn skip_inline_image(&mut self) {
        self.i += 1; // the single whitespace after ID
        while self.i + 2 <= self.s.len() {
            if self.s.get(self.i) == Some(&b'E')
                && self.s.get(self.i + 1) == Some(&b'I')
                && self.i > 0
                && self.s.get(self.i - 1).is_some_and(|&c| is_ws(c))
                && self.s.get(self.i + 2).is_none_or(|&c| is_ws(c) || is_delim(c))
            {
                self.i += 2;
                return;
            }
            self.i += 1;
        }
        self.i = self.s.len();
    }
}

fn parse_num(w: &[u8]) -> f32 {
    // Fast path for plain numbers; tolerate garbage like "--5" or "1.2.3".
    let s = std::str::from_utf8(w).unwrap_or("0");
    if let Ok(v) = s.parse::<f32>() {
        return if v.is_finite() { v } else { 0.0 };
    }
    let t = s.trim_start_matches(['-', '+']);
    let neg = s.starts_with('-');
    let mut end = 0;
    let mut dot = false;
    for (k, ch) in t.char_indices() {
        if ch.is_ascii_digit() || (ch == '.' && !dot) {
            dot |= ch == '.';
            end = k + 1;
        } else {
            break;
        }
    }
    let v = t.get(..end).and_then(|x| x.parse::<f32>().ok()).unwrap_or(0.0);
    if neg {
        -v
    } else {
        v
    }
}

/// A 2D affine matrix [a b c d e f].
#[derive(Clone, Copy, Debug)]
pub struct Mat(pub [f32; 6]);

impl Mat {
    pub const ID: Mat = Mat([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    /// self × other.
    pub fn mul(&self, o: &Mat) -> Mat {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        Mat([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
    fn translate(tx: f32, ty: f32) -> Mat {
        Mat([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
}

#[derive(Clone)]
struct Gs {
    ctm: Mat,
    font: Option<Rc<Font>>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
}

/// What one page's interpretation produced.
#[derive(Default)]
pub struct PageOutput {
    /// Glyphs in content-stream order.
    pub glyphs: Vec<Glyph>,
    /// Text of all glyphs, indexed by `Glyph::start..end`.
    pub text: String,
    /// Text-showing operators seen.
    pub text_ops: usize,
    /// Image XObjects / inline images drawn.
    pub images: usize,
    /// Problems (font names etc.).
    pub problems: Vec<String>,
    /// True when the deadline passed during this page.
    pub timed_out: bool,
    /// True when a cap cut this page short.
    pub capped: bool,
}

/// Document-wide state shared by all pages.
pub struct Ctx<'d> {
    pub doc: &'d Document,
    /// Loaded fonts, keyed by the address of their dictionary in `doc`.
    pub fonts: HashMap<usize, Rc<Font>>,
    pub deadline: Instant,
    /// Remaining decoded-bytes budget for the document.
    pub budget: usize,
    pub max_stream: usize,
    pub warned_fonts: std::collections::HashSet<String>,
}

fn sub_dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match d.get(key).ok().map(|o| deref(doc, o)) {
        Some(Object::Dictionary(x)) => Some(x),
        _ => None,
    }
}

fn ligature_expand(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{fb00}' => "ff",
        '\u{fb01}' => "fi",
        '\u{fb02}' => "fl",
        '\u{fb03}' => "ffi",
        '\u{fb04}' => "ffl",
        '\u{fb05}' | '\u{fb06}' => "st",
        _ => return None,
    })
}

struct Interp<'c, 'd> {
    ctx: &'c mut Ctx<'d>,
    out: PageOutput,
    gs: Gs,
    stack: Vec<Gs>,
    tm: Mat,
    tlm: Mat,
    form_stack: Vec<ObjectId>,
    ops: usize,
}

impl<'c, 'd> Interp<'c, 'd> {
    fn font_for(&mut self, res: Option<&Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let doc = self.ctx.doc;
        let entry = res.and_then(|r| sub_dict(doc, r, b"Font")).and_then(|f| f.get(name).ok());
        let Some(Object::Dictionary(fd)) = entry.map(|e| deref(doc, e)) else {
            return Some(self.fallback_font(name));
        };
        // Cache by the dictionary's address: it lives as long as the
        // document, whether it is an indirect object or written inline.
        let key = fd as *const Dictionary as usize;
        if let Some(f) = self.ctx.fonts.get(&key) {
            return Some(f.clone());
        }
        let font = Rc::new(Font::load(doc, fd, &mut self.ctx.budget));
        let label = String::from_utf8_lossy(name).into_owned();
        for p in &font.problems {
            let msg = format!("font {label}: {p}");
            if self.ctx.warned_fonts.insert(msg.clone()) {
                self.out.problems.push(msg);
            }
        }
        self.ctx.fonts.insert(key, font.clone());
        Some(font)
    }

    /// A font name missing from the resources: read the text as
    /// Helvetica with the standard encoding, as poppler does, rather than
    /// dropping it.
    fn fallback_font(&mut self, name: &[u8]) -> Rc<Font> {
        let msg = format!(
            "font {}: not in the page resources; read as Helvetica, StandardEncoding",
            String::from_utf8_lossy(name)
        );
        if self.ctx.warned_fonts.insert(msg.clone()) {
            self.out.problems.push(msg);
        }
        if let Some(f) = self.ctx.fonts.get(&0) {
            return f.clone();
        }
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Font".to_vec()));
        d.set("Subtype", Object::Name(b"Type1".to_vec()));
        d.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
        let font = Rc::new(Font::load(self.ctx.doc, &d, &mut self.ctx.budget));
        self.ctx.fonts.insert(0, font.clone());
        font
    }

    fn show(&mut self, bytes: &[u8]) {
        self.out.text_ops += 1;
        let Some(font) = self.gs.font.clone() else { return };
        if self.out.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
            self.out.capped = true;
            return;
        }
        let g = &self.gs;
        let (fs, th, tc, tw, rise) = (g.size, g.th, g.tc, g.tw, g.rise);
        let m = self.tm.mul(&g.ctm);
        let [a, b, c, d, _, _] = m.0;
        let len = (a * a + b * b).sqrt();
        let (dx, dy) = if len > 1e-6 { (a / len, b / len) } else { (1.0, 0.0) };
        let size = (fs * (c * c + d * d).sqrt()).abs().max(0.01);
        let vertical = font.vertical;
        let mut x = 0.0f32;
        let mut y = 0.0f32;
        let out = &mut self.out;
        font.decode(bytes, |text, w, is_space| {
            let (ox, oy) = m.apply(x, y + rise);
            let adv_glyph = w * fs * th;
            let full_adv = (w * fs + tc + if is_space { tw } else { 0.0 }) * th;
            if let Some(t) = text {
                // A space's extent is its full advance (with Tc/Tw): ps2pdf
                // cancels spaces with negative Tw, and such a space is no
                // word break.
                let blank = t.chars().all(char::is_whitespace);
                let adv = if blank { full_adv } else { adv_glyph };
                let (ex, ey) = if vertical { m.apply(x, y + rise - fs) } else { m.apply(x + adv, y + rise) };
                let start = out.text.len();
                for ch in t.chars() {
                    match ligature_expand(ch) {
                        Some(s) => out.text.push_str(s),
                        None => {
                            if ch != '\u{ad}' {
                                out.text.push(ch)
                            }
                        }
                    }
                }
                let end = out.text.len();
                if end > start {
                    out.glyphs.push(Glyph { x: ox, y: oy, ex, ey, dx, dy, size, start: start as u32, end: end as u32 });
                }
            }
            if vertical {
                y -= fs + tc + if is_space { tw } else { 0.0 };
            } else {
                x += full_adv;
            }
        });
        self.tm = Mat::translate(x, y).mul(&self.tm);
    }

    fn next_line(&mut self, tx: f32, ty: f32) {
        self.tlm = Mat::translate(tx, ty).mul(&self.tlm);
        self.tm = self.tlm;
    }

    fn run(&mut self, content: &[u8], res: Option<&'d Dictionary>, depth: usize) {
        let mut lx = Lexer { s: content, i: 0 };
        let mut ops: Vec<Operand> = Vec::with_capacity(8);
        let num = |ops: &Vec<Operand>, k: usize| -> f32 {
            match ops.len().checked_sub(k + 1).and_then(|i| ops.get(i)) {
                Some(Operand::Num(v)) => *v,
                _ => 0.0,
            }
        };
        while let Some(tok) = lx.next(0) {
            let op = match tok {
                Token::Operand(o) => {
                    if ops.len() < 64 {
                        ops.push(o);
                    }
                    continue;
                }
                Token::ArrEnd | Token::DictEnd => continue,
                Token::Op(op) => op,
            };
            self.ops += 1;
            if self.ops.is_multiple_of(4096) && Instant::now() > self.ctx.deadline {
                self.out.timed_out = true;
                return;
            }
            match op {
                b"BT" => {
                    self.tm = Mat::ID;
                    self.tlm = Mat::ID;
                }
                b"Tf" => {
                    self.gs.size = num(&ops, 0);
                    let name = ops.iter().rev().find_map(|o| match o {
                        Operand::Name(n) => Some(n.clone()),
                        _ => None,
                    });
                    self.gs.font = name.and_then(|n| self.font_for(res, &n));
                }
                b"Tc" => self.gs.tc = num(&ops, 0),
                b"Tw" => self.gs.tw = num(&ops, 0),
                b"Tz" => self.gs.th = num(&ops, 0) / 100.0,
                b"TL" => self.gs.tl = num(&ops, 0),
                b"Ts" => self.gs.rise = num(&ops, 0),
                b"Td" => self.next_line(num(&ops, 1), num(&ops, 0)),
                b"TD" => {
                    self.gs.tl = -num(&ops, 0);
                    self.next_line(num(&ops, 1), num(&ops, 0));
                }
                b"Tm" => {
                    self.tlm =
                        Mat([num(&ops, 5), num(&ops, 4), num(&ops, 3), num(&ops, 2), num(&ops, 1), num(&ops, 0)]);
                    self.tm = self.tlm;
                }
                b"T*" => self.next_line(0.0, -self.gs.tl),
                b"Tj" => {
                    if let Some(Operand::Str(s)) = ops.last() {
                        let s = s.clone();
                        self.show(&s);
                    }
                }
                b"'" => {
                    self.next_line(0.0, -self.gs.tl);
                    if let Some(Operand::Str(s)) = ops.last() {
                        let s = s.clone();
                        self.show(&s);
                    }
                }
                b"\"" => {
                    self.gs.tw = num(&ops, 2);
                    self.gs.tc = num(&ops, 1);
                    self.next_line(0.0, -self.gs.tl);
                    if let Some(Operand::Str(s)) = ops.last() {
                        let s = s.clone();
                        self.show(&s);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Arr(items)) = ops.pop() {
                        self.out.text_ops += 1;
                        for it in items {
                            match it {
                                Operand::Str(s) => self.show(&s),
                                Operand::Num(n) => {
                                    let g = &self.gs;
                                    if self.gs.font.as_ref().is_some_and(|f| f.vertical) {
                                        self.tm = Mat::translate(0.0, -n / 1000.0 * g.size).mul(&self.tm);
                                    } else {
                                        self.tm = Mat::translate(-n / 1000.0 * g.size * g.th, 0.0).mul(&self.tm);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"q" if self.stack.len() < MAX_GS_DEPTH => self.stack.push(self.gs.clone()),
                b"Q" => {
                    if let Some(g) = self.stack.pop() {
                        self.gs = g;
                    }
                }
                b"cm" => {
                    let m = Mat([num(&ops, 5), num(&ops, 4), num(&ops, 3), num(&ops, 2), num(&ops, 1), num(&ops, 0)]);
                    self.gs.ctm = m.mul(&self.gs.ctm);
                }
                b"Do" => {
                    if let Some(Operand::Name(n)) = ops.last() {
                        let n = n.clone();
                        self.do_xobject(res, &n, depth);
                    }
                }
                b"BI" => {}
                b"ID" => {
                    lx.skip_inline_image();
                    self.out.images += 1;
                }
                _ => {}
            }
            ops.clear();
        }
    }

    fn do_xobject(&mut self, res: Option<&'d Dictionary>, name: &[u8], depth: usize) {
        let doc = self.ctx.doc;
        let Some(xobjs) = res.and_then(|r| sub_dict(doc, r, b"XObject")) else { return };
        let Ok(entry) = xobjs.get(name) else { return };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Object::Stream(s) = deref(doc, entry) else { return };
        let subtype = s.dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok()).unwrap_or_default();
        if subtype == b"Image" {
            self.out.images += 1;
            return;
        }
        if subtype != b"Form" && subtype != b"PS" {
            return;
        }
        if depth >= MAX_FORM_DEPTH {
            return;
        }
        if let Some(id) = id {
            if self.form_stack.contains(&id) {
                // A form drawing itself: its text was already read once.
                return;
            }
        }
        let cap = self.ctx.max_stream.min(self.ctx.budget);
        let decoded = match stream::decode(s, cap) {
            Ok(d) => d,
            Err(e) => {
                self.out.problems.push(format!("form XObject: {e}"));
                return;
            }
        };
        self.ctx.budget = self.ctx.budget.saturating_sub(decoded.data.len());
        if decoded.capped {
            self.out.capped = true;
        }
        let form_res = sub_dict(doc, &s.dict, b"Resources").or(res);
        let matrix = match s.dict.get(b"Matrix").ok().map(|o| deref(doc, o)) {
            Some(Object::Array(a)) => {
                let v: Vec<f32> = a
                    .iter()
                    .map(|o| match o {
                        Object::Integer(i) => *i as f32,
                        Object::Real(r) => *r,
                        _ => 0.0,
                    })
                    .collect();
                match v.as_slice() {
                    [a, b, c, d, e, f] => Mat([*a, *b, *c, *d, *e, *f]),
                    _ => Mat::ID,
                }
            }
            _ => Mat::ID,
        };
        let saved_gs = self.gs.clone();
        let saved_stack = std::mem::take(&mut self.stack);
        let (saved_tm, saved_tlm) = (self.tm, self.tlm);
        self.gs.ctm = matrix.mul(&self.gs.ctm);
        if let Some(id) = id {
            self.form_stack.push(id);
        }
        self.run(&decoded.data, form_res, depth + 1);
        if id.is_some() {
            self.form_stack.pop();
        }
        self.gs = saved_gs;
        self.stack = saved_stack;
        self.tm = saved_tm;
        self.tlm = saved_tlm;
    }
}

/// Draws an annotation's appearance stream (a form XObject) placed at the
/// annotation's rectangle, appending to `out`. This is how form-field
/// values and free-text notes become text, as in poppler.
pub fn interpret_appearance<'d>(
    ctx: &mut Ctx<'d>,
    out: PageOutput,
    form: &'d lopdf::Stream,
    rect: [f32; 4],
) -> PageOutput {
    let doc = ctx.doc;
    let bbox = number_array(doc, &form.dict, b"BBox");
    let (bx, by) = match bbox.as_slice() {
        [x0, y0, ..] => (*x0, *y0),
        _ => (0.0, 0.0),
    };
    let [x0, y0, _, _] = rect;
    let mut it = new_interp(ctx, out);
    // Map the form's bbox origin onto the rectangle's corner; scaling is
    // irrelevant for reading order and word breaks within one field.
    it.gs.ctm = Mat::translate(x0 - bx, y0 - by);
    let cap = it.ctx.max_stream.min(it.ctx.budget);
    let Ok(decoded) = stream::decode(form, cap) else { return it.out };
    it.ctx.budget = it.ctx.budget.saturating_sub(decoded.data.len());
    let res = sub_dict(doc, &form.dict, b"Resources");
    it.run(&decoded.data, res, 1);
    it.out
}

fn new_interp<'c, 'd>(ctx: &'c mut Ctx<'d>, out: PageOutput) -> Interp<'c, 'd> {
    Interp {
        ctx,
        out,
        gs: Gs { ctm: Mat::ID, font: None, size: 0.0, tc: 0.0, tw: 0.0, th: 1.0, tl: 0.0, rise: 0.0 },
        stack: Vec::new(),
        tm: Mat::ID,
        tlm: Mat::ID,
        form_stack: Vec::new(),
        ops: 0,
    }
}

/// Interprets one page's content (already concatenated and decoded).
pub fn interpret_page<'d>(ctx: &mut Ctx<'d>, content: &[u8], res: Option<&'d Dictionary>) -> PageOutput {
    let mut it = new_interp(ctx, PageOutput::default());
    it.run(content, res, 0);
    it.out
}
