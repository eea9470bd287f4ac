//! Standard PDF single-byte encodings, the Adobe Glyph List (a generous
//! Latin subset, with diacritic names composed through NFC) and approximate
//! widths of the standard 14 fonts.
//!
//! The tables map a byte code straight to a Unicode scalar (0 = undefined),
//! because every caller wants text, not glyph names; glyph names enter only
//! through `/Differences`, which [`glyph_name_to_unicode`] resolves.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// The base encodings a simple font can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseEncoding {
    /// Adobe StandardEncoding (the default of Type 1 fonts).
    Standard,
    /// WinAnsiEncoding (Windows code page 1252).
    WinAnsi,
    /// MacRomanEncoding.
    MacRoman,
    /// PDFDocEncoding (text strings outside content streams).
    PdfDoc,
    /// The Symbol font's built-in encoding.
    Symbol,
}

const MAC_ROMAN_HIGH: [char; 128] = [
    'Ä', 'Å', 'Ç', 'É', 'Ñ', 'Ö', 'Ü', 'á', 'à', 'â', 'ä', 'ã', 'å', 'ç', 'é', 'è', //
    'ê', 'ë', 'í', 'ì', 'î', 'ï', 'ñ', 'ó', 'ò', 'ô', 'ö', 'õ', 'ú', 'ù', 'û', 'ü', //
    '†', '°', '¢', '£', '§', '•', '¶', 'ß', '®', '©', '™', '´', '¨', '≠', 'Æ', 'Ø', //
    '∞', '±', '≤', '≥', '¥', 'µ', '∂', '∑', '∏', 'π', '∫', 'ª', 'º', 'Ω', 'æ', 'ø', //
    '¿', '¡', '¬', '√', 'ƒ', '≈', '∆', '«', '»', '…', '\u{a0}', 'À', 'Ã', 'Õ', 'Œ', 'œ', //
    '–', '—', '“', '”', '‘', '’', '÷', '◊', 'ÿ', 'Ÿ', '⁄', '€', '‹', '›', 'ﬁ', 'ﬂ', //
    '‡', '·', '‚', '„', '‰', 'Â', 'Ê', 'Á', 'Ë', 'È', 'Í', 'Î', 'Ï', 'Ì', 'Ó', 'Ô', //
    '\u{f8ff}', 'Ò', 'Ú', 'Û', 'Ù', 'ı', 'ˆ', '˜', '¯', '˘', '˙', '˚', '¸', '˝', '˛', 'ˇ',
];

const PDF_DOC_80: [char; 33] = [
    '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', //
    '’', '‚', '™', 'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\0', '€',
];

const PDF_DOC_18: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];

/// StandardEncoding above 0x7F, as (code, char) pairs.
const STANDARD_HIGH: &[(u8, char)] = &[
    (0xA1, '¡'),
    (0xA2, '¢'),
    (0xA3, '£'),
    (0xA4, '⁄'),
    (0xA5, '¥'),
    (0xA6, 'ƒ'),
    (0xA7, '§'),
    (0xA8, '¤'),
    (0xA9, '\''),
    (0xAA, '“'),
    (0xAB, '«'),
    (0xAC, '‹'),
    (0xAD, '›'),
    (0xAE, 'ﬁ'),
    (0xAF, 'ﬂ'),
    (0xB1, '–'),
    (0xB2, '†'),
    (0xB3, '‡'),
    (0xB4, '·'),
    (0xB6, '¶'),
    (0xB7, '•'),
    (0xB8, '‚'),
    (0xB9, '„'),
    (0xBA, '”'),
    (0xBB, '»'),
    (0xBC, '…'),
    (0xBD, '‰'),
    (0xBF, '¿'),
    (0xC1, '`'),
    (0xC2, '´'),
    (0xC3, 'ˆ'),
    (0xC4, '˜'),
    (0xC5, '¯'),
    (0xC6, '˘'),
    (0xC7, '˙'),
    (0xC8, '¨'),
    (0xCA, '˚'),
    (0xCB, '¸'),
    (0xCD, '˝'),
    (0xCE, '˛'),
    (0xCF, 'ˇ'),
    (0xD0, '—'),
    (0xE1, 'Æ'),
    (0xE3, 'ª'),
    (0xE8, 'Ł'),
    (0xE9, 'Ø'),
    (0xEA, 'Œ'),
    (0xEB, 'º'),
    (0xF1, 'æ'),
    (0xF5, 'ı'),
    (0xF8, 'ł'),
    (0xF9, 'ø'),
    (0xFA, 'œ'),
    (0xFB, 'ß'),
];

const SYMBOL_UPPER: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
const SYMBOL_LOWER: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
const SYMBOL_HIGH: &[(u8, char)] = &[
    (0xA0, '€'),
    (0xA1, 'ϒ'),
    (0xA2, '′'),
    (0xA3, '≤'),
    (0xA4, '⁄'),
    (0xA5, '∞'),
    (0xA6, 'ƒ'),
    (0xAB, '↔'),
    (0xAC, '←'),
    (0xAD, '↑'),
    (0xAE, '→'),
    (0xAF, '↓'),
    (0xB0, '°'),
    (0xB1, '±'),
    (0xB2, '″'),
    (0xB3, '≥'),
    (0xB4, '×'),
    (0xB5, '∝'),
    (0xB6, '∂'),
    (0xB7, '•'),
    (0xB8, '÷'),
    (0xB9, '≠'),
    (0xBA, '≡'),
    (0xBB, '≈'),
    (0xBC, '…'),
    (0xC5, '⊕'),
    (0xC6, '∅'),
    (0xC7, '∩'),
    (0xC8, '∪'),
    (0xCE, '∈'),
    (0xCF, '∉'),
    (0xD0, '∠'),
    (0xD1, '∇'),
    (0xD2, '®'),
    (0xD3, '©'),
    (0xD4, '™'),
    (0xD5, '∏'),
    (0xD6, '√'),
    (0xD7, '⋅'),
    (0xD8, '¬'),
    (0xD9, '∧'),
    (0xDA, '∨'),
    (0xE5, '∑'),
    (0xF2, '∫'),
];

/// The character a base encoding gives `code`, if any.
pub fn base_char(enc: BaseEncoding, code: u8) -> Option<char> {
    let c = match enc {
        // WinAnsiEncoding is Windows-1252 (one table, in the text reader)
        // except where it differs, written out here: the five codes the
        // code page leaves undefined have no glyph, nor do the controls.
        BaseEncoding::WinAnsi => match code {
            0x20..=0x7E => code as char,
            0x81 | 0x8D | 0x8F | 0x90 | 0x9D => '\0',
            0x80..=0x9F => crate::extract::text::windows_1252(code),
            // WinAnsi prints 0xA0 as a space and 0xAD as a hyphen glyph.
            0xA0 => ' ',
            0xA1..=0xFF => char::from(code),
            _ => '\0',
        },
        BaseEncoding::Standard => match code {
            0x27 => '’',
            0x60 => '‘',
            0x20..=0x7E => code as char,
            _ => lookup_pairs(STANDARD_HIGH, code),
        },
        BaseEncoding::MacRoman => match code {
            0x20..=0x7E => code as char,
            0x80..=0xFF => MAC_ROMAN_HIGH.get(usize::from(code - 0x80)).copied().unwrap_or('\0'),
            _ => '\0',
        },
        BaseEncoding::PdfDoc => match code {
            0x09 | 0x0A | 0x0D => code as char,
            0x18..=0x1F => PDF_DOC_18.get(usize::from(code - 0x18)).copied().unwrap_or('\0'),
            0x20..=0x7E => code as char,
            0x80..=0xA0 => PDF_DOC_80.get(usize::from(code - 0x80)).copied().unwrap_or('\0'),
            0xA1..=0xFF => char::from(code),
            _ => '\0',
        },
        BaseEncoding::Symbol => match code {
            0x41..=0x5A => SYMBOL_UPPER.chars().nth(usize::from(code - 0x41)).unwrap_or('\0'),
            0x61..=0x7A => SYMBOL_LOWER.chars().nth(usize::from(code - 0x61)).unwrap_or('\0'),
            0x22 => '∀',
            0x24 => '∃',
            0x27 => '∋',
            0x2A => '∗',
            0x2D => '−',
            0x40 => '≅',
            0x5C => '∴',
            0x5E => '⊥',
            0x60 => '\u{f8e5}',
            0x7E => '∼',
            0x20..=0x7D => code as char,
            _ => lookup_pairs(SYMBOL_HIGH, code),
        },
    };
    (c != '\0').then_some(c)
}

fn lookup_pairs(pairs: &[(u8, char)], code: u8) -> char {
    pairs.iter().find(|(c, _)| *c == code).map(|(_, ch)| *ch).unwrap_or('\0')
}

/// PDFDocEncoding / UTF-16BE text string (document info) to a Rust string.
pub fn decode_text_string(bytes: &[u8]) -> String {
    if bytes.len() >= 2 && bytes.first() == Some(&0xFE) && bytes.get(1) == Some(&0xFF) {
        let units: Vec<u16> =
            bytes.get(2..).unwrap_or_default().chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if bytes.len() >= 3 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(bytes.get(3..).unwrap_or_default()).into_owned();
    }
    bytes.iter().filter_map(|&b| base_char(BaseEncoding::PdfDoc, b)).collect()
}

/// Glyph names that are not a base letter plus accent names.
const AGL_PLAIN: &[(&str, &str)] = &[
    ("space", " "),
    ("exclam", "!"),
    ("quotedbl", "\""),
    ("numbersign", "#"),
    ("dollar", "$"),
    ("percent", "%"),
    ("ampersand", "&"),
    ("quotesingle", "'"),
    ("quoteright", "’"),
    ("parenleft", "("),
    ("parenright", ")"),
    ("asterisk", "*"),
    ("plus", "+"),
    ("comma", ","),
    ("hyphen", "-"),
    ("period", "."),
    ("slash", "/"),
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("colon", ":"),
    ("semicolon", ";"),
    ("less", "<"),
    ("equal", "="),
    ("greater", ">"),
    ("question", "?"),
    ("at", "@"),
    ("bracketleft", "["),
    ("backslash", "\\"),
    ("bracketright", "]"),
    ("asciicircum", "^"),
    ("underscore", "_"),
    ("grave", "`"),
    ("quoteleft", "‘"),
    ("braceleft", "{"),
    ("bar", "|"),
    ("braceright", "}"),
    ("asciitilde", "~"),
    ("exclamdown", "¡"),
    ("cent", "¢"),
    ("sterling", "£"),
    ("currency", "¤"),
    ("yen", "¥"),
    ("brokenbar", "¦"),
    ("section", "§"),
    ("dieresis", "¨"),
    ("copyright", "©"),
    ("ordfeminine", "ª"),
    ("guillemotleft", "«"),
    ("guillemetleft", "«"),
    ("logicalnot", "¬"),
    ("registered", "®"),
    ("macron", "¯"),
    ("degree", "°"),
    ("plusminus", "±"),
    ("twosuperior", "²"),
    ("threesuperior", "³"),
    ("onesuperior", "¹"),
    ("acute", "´"),
    ("mu", "µ"),
    ("mu1", "µ"),
    ("paragraph", "¶"),
    ("periodcentered", "·"),
    ("middot", "·"),
    ("cedilla", "¸"),
    ("ordmasculine", "º"),
    ("guillemotright", "»"),
    ("guillemetright", "»"),
    ("onequarter", "¼"),
    ("onehalf", "½"),
    ("threequarters", "¾"),
    ("questiondown", "¿"),
    ("multiply", "×"),
    ("divide", "÷"),
    ("endash", "–"),
    ("emdash", "—"),
    ("figuredash", "‒"),
    ("quotedblleft", "“"),
    ("quotedblright", "”"),
    ("quotesinglbase", "‚"),
    ("quotedblbase", "„"),
    ("quotereversed", "‛"),
    ("dagger", "†"),
    ("daggerdbl", "‡"),
    ("bullet", "•"),
    ("ellipsis", "…"),
    ("perthousand", "‰"),
    ("guilsinglleft", "‹"),
    ("guilsinglright", "›"),
    ("fraction", "⁄"),
    ("Euro", "€"),
    ("euro", "€"),
    ("trademark", "™"),
    ("minus", "−"),
    ("circumflex", "ˆ"),
    ("tilde", "˜"),
    ("breve", "˘"),
    ("dotaccent", "˙"),
    ("ring", "˚"),
    ("hungarumlaut", "˝"),
    ("ogonek", "˛"),
    ("caron", "ˇ"),
    ("florin", "ƒ"),
    ("nbspace", "\u{a0}"),
    ("nonbreakingspace", "\u{a0}"),
    ("sfthyphen", "\u{ad}"),
    ("softhyphen", "\u{ad}"),
    ("AE", "Æ"),
    ("ae", "æ"),
    ("OE", "Œ"),
    ("oe", "œ"),
    ("Oslash", "Ø"),
    ("oslash", "ø"),
    ("germandbls", "ß"),
    ("Eth", "Ð"),
    ("eth", "ð"),
    ("Thorn", "Þ"),
    ("thorn", "þ"),
    ("dotlessi", "ı"),
    ("dotlessj", "ȷ"),
    ("Lslash", "Ł"),
    ("lslash", "ł"),
    ("Dcroat", "Đ"),
    ("dcroat", "đ"),
    ("Dslash", "Đ"),
    ("dmacron", "đ"),
    ("Hbar", "Ħ"),
    ("hbar", "ħ"),
    ("Tbar", "Ŧ"),
    ("tbar", "ŧ"),
    ("kgreenlandic", "ĸ"),
    ("Eng", "Ŋ"),
    ("eng", "ŋ"),
    ("napostrophe", "ŉ"),
    ("Ldot", "Ŀ"),
    ("ldot", "ŀ"),
    ("IJ", "Ĳ"),
    ("ij", "ĳ"),
    ("longs", "ſ"),
    ("ff", "ff"),
    ("fi", "fi"),
    ("fl", "fl"),
    ("ffi", "ffi"),
    ("ffl", "ffl"),
    ("st", "st"),
    ("dotlessi.sc", "i"),
    ("lozenge", "◊"),
    ("notequal", "≠"),
    ("lessequal", "≤"),
    ("greaterequal", "≥"),
    ("infinity", "∞"),
    ("partialdiff", "∂"),
    ("summation", "∑"),
    ("product", "∏"),
    ("integral", "∫"),
    ("radical", "√"),
    ("approxequal", "≈"),
    ("Delta", "∆"),
    ("increment", "∆"),
    ("Omega", "Ω"),
    ("pi", "π"),
    ("arrowleft", "←"),
    ("arrowright", "→"),
    ("arrowup", "↑"),
    ("arrowdown", "↓"),
    ("arrowboth", "↔"),
    ("checkmark", "✓"),
    ("blackcircle", "●"),
    ("whitebullet", "◦"),
    ("openbullet", "◦"),
    ("filledbox", "■"),
    ("H22073", "□"),
    ("H18543", "▪"),
    ("H18551", "▫"),
    ("H18533", "●"),
    ("triagrt", "►"),
    ("numero", "№"),
    ("estimated", "℮"),
    ("afii61664", "\u{200c}"),
    ("afii00208", "―"),
    ("afii10017", "А"),
    ("uni00A0", "\u{a0}"),
    ("commaaccent", "\u{326}"),
    ("apostrophemod", "ʼ"),
    ("primes", "′"),
    ("minute", "′"),
    ("second", "″"),
    ("exclamdbl", "‼"),
    ("asteriskmath", "∗"),
    ("periodmath", "."),
    ("Alpha", "Α"),
    ("Beta", "Β"),
    ("Gamma", "Γ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Sigma", "Σ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("theta", "θ"),
    ("lambda", "λ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("phi", "φ"),
    ("omega", "ω"),
];

/// Accent suffixes of AGL names, as combining marks (composed with NFC).
const ACCENTS: &[(&str, char)] = &[
    ("dieresis", '\u{308}'),
    ("acute", '\u{301}'),
    ("grave", '\u{300}'),
    ("circumflex", '\u{302}'),
    ("tilde", '\u{303}'),
    ("ring", '\u{30A}'),
    ("cedilla", '\u{327}'),
    ("caron", '\u{30C}'),
    ("macron", '\u{304}'),
    ("breve", '\u{306}'),
    ("dotaccent", '\u{307}'),
    ("hungarumlaut", '\u{30B}'),
    ("ogonek", '\u{328}'),
    ("commaaccent", '\u{327}'),
];

fn agl_table() -> &'static HashMap<&'static str, &'static str> {
    static T: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    T.get_or_init(|| AGL_PLAIN.iter().copied().collect())
}

/// Resolves a glyph name to Unicode text: the Adobe Glyph List subset,
/// `uniXXXX[XXXX...]`, `uXXXX[XX]`, letter + accent names, ligature names
/// (`f_f_i`), and suffixed variants (`a.sc`, `fi.alt`).
pub fn glyph_name_to_unicode(name: &str) -> Option<String> {
    if name.is_empty() || name == ".notdef" {
        return None;
    }
    // Variant suffix: "a.sc" reads as "a".
    let base = match name.find('.') {
        Some(0) => return None,
        Some(i) => name.get(..i).unwrap_or(name),
        None => name,
    };
    if base.contains('_') {
        let mut out = String::new();
        for part in base.split('_') {
            out.push_str(&single_name(part)?);
        }
        return Some(out);
    }
    single_name(base)
}

fn single_name(name: &str) -> Option<String> {
    if let Some(s) = agl_table().get(name) {
        return Some((*s).to_string());
    }
    let mut chars = name.chars();
    let first = chars.next()?;
    if name.len() == 1 && first.is_ascii_alphabetic() {
        return Some(name.to_string());
    }
    if let Some(hex) = name.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut out = String::new();
            let mut i = 0;
            while let Some(chunk) = hex.get(i..i + 4) {
                let v = u32::from_str_radix(chunk, 16).ok()?;
                out.push(char::from_u32(v)?);
                i += 4;
            }
            return Some(out);
        }
    }
    if let Some(hex) = name.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).ok()?;
            return char::from_u32(v).map(String::from);
        }
    }
    // Base letter + accent name, e.g. "Adieresis", "scaron", "Tcommaaccent".
    if first.is_ascii_alphabetic() {
        let rest = name.get(1..)?;
        for (acc, mark) in ACCENTS {
            if rest == *acc {
                let mark =
                    if *acc == "commaaccent" && matches!(first, 'S' | 's' | 'T' | 't') { '\u{326}' } else { *mark };
                let composed: String = [first, mark].iter().collect::<String>().nfc().collect();
                if composed.chars().count() == 1 {
                    return Some(composed);
                }
            }
        }
    }
    None
}

/// Helvetica widths for 0x20..=0x7E (from the AFM, in 1/1000 em).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

/// Times-Roman widths for 0x20..=0x7E.
const TIMES: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500,
    500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889,
    722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500,
    444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480,
    200, 480, 541,
];

/// Which standard-14 metrics approximate a font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdMetrics {
    /// Helvetica / Arial and other sans fonts.
    Helvetica,
    /// Times and other serif fonts.
    Times,
    /// Courier: every glyph 600.
    Courier,
}

/// Picks approximate metrics from a /BaseFont name.
pub fn std_metrics_for(base_font: &str) -> StdMetrics {
    let lower = base_font.to_ascii_lowercase();
    if lower.contains("courier") || lower.contains("mono") {
        StdMetrics::Courier
    } else if lower.contains("times") || lower.contains("serif") && !lower.contains("sans") {
        StdMetrics::Times
    } else {
        StdMetrics::Helvetica
    }
}

/// Approximate advance width (1/1000 em) of `c` in the given metrics.
pub fn std_width(m: StdMetrics, c: char) -> f32 {
    if m == StdMetrics::Courier {
        return 600.0;
    }
    let table = if m == StdMetrics::Times { &TIMES } else { &HELVETICA };
    let base = if c.is_ascii() {
        c
    } else {
        // An accented letter is as wide as its base letter.
        c.to_string().nfd().next().unwrap_or(c)
    };
    let code = base as u32;
    if (0x20..=0x7E).contains(&code) {
        table.get((code - 0x20) as usize).map(|&w| f32::from(w)).unwrap_or(500.0)
    } else {
        match c {
            'Æ' | 'Œ' | '—' | '‰' | '™' => 1000.0,
            'æ' | 'œ' => 722.0,
            '–' | '€' | '•' => 500.0,
            'ß' => 556.0,
            _ => 500.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names_resolve() {
        assert_eq!(glyph_name_to_unicode("adieresis").as_deref(), Some("ä"));
        assert_eq!(glyph_name_to_unicode("Aring").as_deref(), Some("Å"));
        assert_eq!(glyph_name_to_unicode("scaron").as_deref(), Some("š"));
        assert_eq!(glyph_name_to_unicode("fi").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_unicode("f_f_l").as_deref(), Some("ffl"));
        assert_eq!(glyph_name_to_unicode("uni00E4").as_deref(), Some("ä"));
        assert_eq!(glyph_name_to_unicode("u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_name_to_unicode("a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_unicode("g123"), None);
    }

    #[test]
    fn base_encodings() {
        assert_eq!(base_char(BaseEncoding::WinAnsi, 0xE4), Some('ä'));
        assert_eq!(base_char(BaseEncoding::WinAnsi, 0x96), Some('–'));
        assert_eq!(base_char(BaseEncoding::WinAnsi, 0x80), Some('€'));
        assert_eq!(base_char(BaseEncoding::WinAnsi, 0x9F), Some('Ÿ'));
        for undefined in [0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x1F] {
            assert_eq!(base_char(BaseEncoding::WinAnsi, undefined), None, "{undefined:#x}");
        }
        assert_eq!(base_char(BaseEncoding::MacRoman, 0x8A), Some('ä'));
        assert_eq!(base_char(BaseEncoding::Standard, 0xAE), Some('ﬁ'));
        assert_eq!(base_char(BaseEncoding::Symbol, 0x61), Some('α'));
        assert_eq!(decode_text_string(b"\xfe\xff\x00\xc5\x00b"), "Åb");
        assert_eq!(decode_text_string(b"\xc5bo"), "Åbo");
    }
}
