//! Capped stream decoding. lopdf leaves ordinary streams compressed on
//! load; we decode content, font and CMap streams here so that every byte
//! counts against the per-stream and per-document budgets, and a
//! decompression bomb stops at the cap instead of exhausting memory.

use lopdf::{Object, Stream};
use std::io::Read;

/// The outcome of decoding one stream.
pub struct Decoded {
    /// The decoded bytes (possibly cut at the cap).
    pub data: Vec<u8>,
    /// True when the cap cut the output short.
    pub capped: bool,
    /// True when a filter failed and `data` is what was decoded before it.
    pub damaged: bool,
}

fn filters(stream: &Stream) -> Vec<Vec<u8>> {
    match stream.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match o {
                Object::Name(n) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn has_predictor(stream: &Stream) -> bool {
    let check = |o: &Object| match o {
        Object::Dictionary(d) => matches!(d.get(b"Predictor"), Ok(Object::Integer(p)) if *p > 1),
        _ => false,
    };
    match stream.dict.get(b"DecodeParms") {
        Ok(Object::Array(a)) => a.iter().any(check),
        Ok(o) => check(o),
        Err(_) => false,
    }
}

/// Inflates zlib (or, failing that, raw deflate) data up to `cap` bytes.
/// Corrupt tails keep what was inflated before them, as poppler does.
fn inflate(input: &[u8], cap: usize) -> (Vec<u8>, bool, bool) {
    let zlib_ok = match input {
        [a, b, ..] => a & 0x0F == 8 && (u16::from(*a) << 8 | u16::from(*b)) % 31 == 0,
        _ => false,
    };
    let mut out = Vec::with_capacity(input.len().saturating_mul(4).min(cap).min(1 << 24));
    let mut buf = [0u8; 32 * 1024];
    let mut damaged = false;
    let mut capped = false;
    let mut reader: Box<dyn Read> = if zlib_ok {
        Box::new(flate2::read::ZlibDecoder::new(input))
    } else {
        Box::new(flate2::read::DeflateDecoder::new(input))
    };
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = cap.saturating_sub(out.len());
                if n > room {
                    out.extend_from_slice(buf.get(..room).unwrap_or_default());
                    capped = true;
                    break;
                }
                out.extend_from_slice(buf.get(..n).unwrap_or_default());
            }
            Err(_) => {
                damaged = true;
                break;
            }
        }
    }
    (out, capped, damaged)
}

fn ascii_hex(input: &[u8]) -> Vec<u8> {
    decode_hex(input).0
}

/// Decodes hex digits up to and including a closing `>` (other bytes, such
/// as white space, are skipped; an odd final digit is padded with 0, as the
/// PDF spec says). Returns the bytes and how many input bytes were used.
/// Serves `ASCIIHexDecode`, hex strings in content streams and in CMaps.
pub(super) fn decode_hex(input: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(input.len() / 2);
    let mut hi: Option<u8> = None;
    let mut used = 0;
    for &c in input {
        used += 1;
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b'>' => break,
            _ => continue,
        };
        match hi.take() {
            Some(h) => out.push(h << 4 | v),
            None => hi = Some(v),
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    (out, used)
}

fn ascii85(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 4 / 5 + 4);
    let mut group = [0u32; 5];
    let mut n = 0usize;
    let body = input.strip_prefix(b"<~").unwrap_or(input);
    for &c in body {
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0, 0, 0, 0]),
            b'!'..=b'u' => {
                if let Some(slot) = group.get_mut(n) {
                    *slot = u32::from(c - b'!');
                }
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u32, |a, &d| a.wrapping_mul(85).wrapping_add(d));
                    out.extend_from_slice(&v.to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let v = group.iter().fold(0u32, |a, &d| a.wrapping_mul(85).wrapping_add(d));
        out.extend_from_slice(v.to_be_bytes().get(..n - 1).unwrap_or_default());
    }
    out
}

/// Decodes a stream's data through its filters, producing at most `cap`
/// bytes. Unknown filters (image codecs) give an error string.
pub fn decode(stream: &Stream, cap: usize) -> Result<Decoded, String> {
    let fs = filters(stream);
    if fs.is_empty() {
        let mut data = stream.content.clone();
        let capped = data.len() > cap;
        data.truncate(cap);
        return Ok(Decoded { data, capped, damaged: false });
    }
    let simple = fs.iter().all(|f| {
        matches!(f.as_slice(), b"FlateDecode" | b"Fl" | b"ASCIIHexDecode" | b"AHx" | b"ASCII85Decode" | b"A85")
    });
    if !simple || has_predictor(stream) {
        // lopdf handles LZW, RunLength and predictors; it refuses rather
        // than truncates at the limit.
        return match stream.decompressed_content_with_limit(cap) {
            Ok(data) => Ok(Decoded { data, capped: false, damaged: false }),
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                Ok(Decoded { data: Vec::new(), capped: true, damaged: false })
            }
            Err(e) => Err(format!("cannot decode stream ({e})")),
        };
    }
    let mut data: Vec<u8> = Vec::new();
    let mut first = true;
    let mut capped = false;
    let mut damaged = false;
    for f in &fs {
        let input: &[u8] = if first { &stream.content } else { &data };
        let next = match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let (o, c, d) = inflate(input, cap);
                capped |= c;
                damaged |= d;
                o
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(input),
            _ => ascii85(input),
        };
        data = next;
        first = false;
    }
    if data.len() > cap {
        data.truncate(cap);
        capped = true;
    }
    Ok(Decoded { data, capped, damaged })
}

/// Most raw-stream recoveries per document (each scans the file).
pub const MAX_RAW_RECOVERIES: usize = 64;

/// Recovers stream `id` straight from the file bytes when the parser could
/// not read it (typically a missing or wrong `/Length`, which poppler also
/// repairs): the data runs from the `stream` keyword of the last `N G obj`
/// header to the next `endstream`. Only the dictionary's filter names are
/// kept, which is all content-stream decoding needs.
pub fn raw_stream(file: &[u8], id: lopdf::ObjectId) -> Option<Stream> {
    let header = format!("{} {} obj", id.0, id.1);
    let h = header.as_bytes();
    let mut at = None;
    let mut from = 0;
    while let Some(p) = find(file.get(from..)?, h).map(|p| p + from) {
        let before_ok = p == 0 || file.get(p - 1).is_some_and(|c| !c.is_ascii_digit());
        if before_ok {
            at = Some(p + h.len());
        }
        from = p + h.len();
    }
    let start = at?;
    let rest = file.get(start..)?;
    let kw = find(rest, b"stream")?;
    let dict = rest.get(..kw)?;
    if find(dict, b"endobj").is_some() {
        return None;
    }
    let mut data_start = kw + b"stream".len();
    if rest.get(data_start) == Some(&b'\r') {
        data_start += 1;
    }
    if rest.get(data_start) == Some(&b'\n') {
        data_start += 1;
    }
    let body = rest.get(data_start..)?;
    let mut end = find(body, b"endstream")?;
    while end > 0 && body.get(end - 1).is_some_and(|c| *c == b'\n' || *c == b'\r') {
        end -= 1;
    }
    let content = body.get(..end)?.to_vec();
    let mut names: Vec<Object> = Vec::new();
    for (pat, name) in [
        (&b"/FlateDecode"[..], &b"FlateDecode"[..]),
        (b"/Fl ", b"FlateDecode"),
        (b"/Fl/", b"FlateDecode"),
        (b"/ASCIIHexDecode", b"ASCIIHexDecode"),
        (b"/ASCII85Decode", b"ASCII85Decode"),
    ] {
        if find(dict, pat).is_some() {
            names.push(Object::Name(name.to_vec()));
        }
    }
    if find(dict, b"/Filter").is_some() && names.is_empty() {
        return None; // a filter we cannot apply
    }
    let mut d = lopdf::Dictionary::new();
    if !names.is_empty() {
        d.set("Filter", Object::Array(names));
    }
    Some(Stream::new(d, content))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = *needle.first()?;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let p = hay.get(i..)?.iter().position(|&c| c == first)? + i;
        if hay.get(p..p + needle.len())? == needle {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_filters() {
        assert_eq!(ascii_hex(b"48 65 6C6C 6F>"), b"Hello");
        assert_eq!(ascii85(b"87cURD]i,\"Ebo80~>"), b"Hello World!");
    }

    #[test]
    fn inflate_caps() {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(&vec![b' '; 1_000_000]);
        let z = e.finish().unwrap_or_default();
        let (o, capped, _) = inflate(&z, 1000);
        assert_eq!(o.len(), 1000);
        assert!(capped);
    }
}
