//! Addresses: percent-encoding and -decoding (with the `percent-encoding`
//! and `form_urlencoded` crates), and the URL of a document.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What stays as it is in a path segment: the unreserved characters of
/// RFC 3986, and `/` between the segments of a document path.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Decodes `%XX` escapes of a path; the result must be UTF-8, and every
/// `%` must start an escape.
pub(crate) fn decode_path(input: &str) -> Result<String, String> {
    check_escapes(input)?;
    percent_decode_str(input)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| "the text is not valid UTF-8".to_string())
}

/// Checks a query string before it is read: `form_urlencoded` (under
/// `warp::query`) would take a stray `%` literally and invalid UTF-8 as
/// U+FFFD, and a garbled request deserves a 400 instead.
pub(crate) fn check_query(raw: &str) -> Result<(), String> {
    for part in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        check_escapes(key)?;
        let key_text = percent_decode_str(key).decode_utf8_lossy();
        check_escapes(value).map_err(|e| format!("parameter '{key_text}': {e}"))?;
        percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| format!("parameter '{key_text}': the text is not valid UTF-8"))?;
        percent_decode_str(key).decode_utf8().map_err(|_| "a parameter name is not valid UTF-8".to_string())?;
    }
    Ok(())
}

/// Every `%` followed by two hex digits.
fn check_escapes(input: &str) -> Result<(), String> {
    let bytes = input.as_bytes();
    for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'%') {
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        if hex.is_none() {
            return Err("malformed percent-encoding".to_string());
        }
    }
    Ok(())
}

/// Percent-encodes a query component (spaces as `+`).
pub(crate) fn encode_component(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Percent-encodes a `/`-separated document path for a URL (slashes kept).
pub(crate) fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// The URL of a document (with `#page=N` for a PDF page).
pub(crate) fn document_url(path: &str, page: Option<u32>) -> String {
    match page {
        Some(page) => format!("/documents/{}#page={page}", encode_path(path)),
        None => format!("/documents/{}", encode_path(path)),
    }
}

/// The last value of a parameter in a raw query string, decoded (for the
/// error pages, which read `ui` even from a query that is not valid).
pub(crate) fn last_param(raw: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(raw.as_bytes()).filter(|(k, _)| k == name).last().map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_and_encoding() {
        assert_eq!(decode_path("a%2Fb%20c").as_deref(), Ok("a/b c"));
        assert!(decode_path("%zz").is_err());
        assert!(decode_path("%ff").is_err());
        assert!(decode_path("%f").is_err());
        assert!(check_query("q=%ff%fe").is_err());
        assert!(check_query("q=%zz").is_err());
        assert!(check_query("q=a+b&lang=fi").is_ok());
        assert_eq!(encode_component("ä b&"), "%C3%A4+b%26");
        assert_eq!(encode_path("sv/ström brott.pdf"), "sv/str%C3%B6m%20brott.pdf");
        assert_eq!(last_param("ui=fi&ui=sv&q=%zz", "ui").as_deref(), Some("sv"));
    }
}
