//! Plain text files: UTF-8, or Windows-1252/Latin-1 when the bytes are not UTF-8.

use crate::document::Extracted;
use crate::error::FileError;

/// Decodes text bytes: UTF-8 (with or without BOM), else Windows-1252.
/// Files with NUL bytes are binary, not text.
pub fn decode_text(bytes: &[u8]) -> Result<String, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(FileError::NotText("binary data (NUL bytes)".to_string()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => Ok(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// Extracts a plain text file: the first short line is the title.
pub fn extract_text(bytes: &[u8], fallback_title: &str) -> Result<Extracted, FileError> {
    let text = decode_text(bytes)?;
    let first_line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let title = if !first_line.is_empty() && first_line.chars().count() <= 100 {
        first_line.to_string()
    } else {
        fallback_title.to_string()
    };
    Ok(Extracted { title: Some(title), text, ..Extracted::default() })
}

/// Maps one Windows-1252 byte to its character (Latin-1 plus the 0x80..0x9F
/// extras; the five codes it leaves undefined stay the C1 controls, as
/// Windows decodes them). The one table of the code page: the PDF reader's
/// WinAnsiEncoding is derived from it.
pub(crate) fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_fallback() {
        assert_eq!(decode_text(b"h\xe4lsa \x80").unwrap_or_default(), "hälsa €");
    }

    #[test]
    fn binary_is_rejected() {
        assert!(matches!(decode_text(b"ab\0cd"), Err(FileError::NotText(_))));
    }

    #[test]
    fn title_is_first_line() {
        let doc = extract_text(b"\n  Rubrik\nText.", "f").unwrap_or_default();
        assert_eq!(doc.title.as_deref(), Some("Rubrik"));
    }
}
