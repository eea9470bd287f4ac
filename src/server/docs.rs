//! `GET /documents/{path}`: the original files, and nothing outside the documents folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::pages;
use super::reply::{streamed, Streamed};
use super::request::RequestContext;
use super::state::AppState;
use super::urls::{decode_path, encode_path};
use crate::{is_ignored_name, Format};

/// Resolves a URL path (still percent-encoded, relative to `/documents/`) to
/// a regular document file inside `root` (which must be canonical).
///
/// Refuses empty, `.` and `..` components, absolute paths, backslashes,
/// NUL, colons, hidden and temporary files, anything whose real location
/// (symlinks followed) is outside `root`, and files of other formats.
pub(crate) fn resolve(root: &Path, raw: &str) -> Option<(PathBuf, Format)> {
    let decoded = decode_path(raw).ok()?;
    if decoded.is_empty() || decoded.starts_with('/') || decoded.contains('\0') {
        return None;
    }
    // Where `\` and `:` separate paths and drives; elsewhere they are
    // ordinary letters of a file name.
    if cfg!(windows) && decoded.contains(['\\', ':']) {
        return None;
    }
    let mut path = root.to_path_buf();
    for part in decoded.split('/') {
        if part.is_empty() || part == "." || part == ".." || is_ignored_name(part) {
            return None;
        }
        path.push(part);
    }
    Format::from_path(&path)?;
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) || !real.is_file() {
        return None;
    }
    let format = Format::from_path(&real)?;
    Some((real, format))
}

/// The size of the blocks a document is sent in: the memory one download
/// holds, whatever the size of the file.
const BLOCK_BYTES: usize = 64 * 1024;

/// Serves one document file, streamed from disk in blocks, with `HEAD`,
/// a single `Range`, `ETag` / `If-None-Match` and `Last-Modified` /
/// `If-Modified-Since`.
pub(crate) async fn serve(state: Arc<AppState>, request: &RequestContext, raw: &str) -> Streamed {
    let root = state.documents_root.clone();
    let raw_owned = raw.to_string();
    let resolved = tokio::task::spawn_blocking(move || resolve(&root, &raw_owned)).await.ok().flatten();
    let Some((path, format)) = resolved else {
        tracing::debug!(path = %request.path, "document refused or missing");
        return streamed(pages::not_found(request));
    };
    let opened = match tokio::fs::File::open(&path).await {
        Ok(file) => file.metadata().await.map(|meta| (file, meta)),
        Err(err) => Err(err),
    };
    let (mut file, meta) = match opened {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "cannot read a document");
            return streamed(pages::not_found(request));
        }
    };
    let len = meta.len();
    let modified = meta.modified().ok();
    let etag = entity_tag(&meta);

    let mut resp = Streamed::new(Default::default());
    file_headers(resp.headers_mut(), &path, format, &etag, modified);

    if is_not_modified(request, &etag, modified) {
        *resp.status_mut() = StatusCode::NOT_MODIFIED;
        return resp;
    }
    let range = match request.header(header::RANGE) {
        Some(value) if if_range_holds(request, &etag, modified) => parse_range(value, len),
        _ => RangeAsked::Whole,
    };
    let (start, count) = match range {
        RangeAsked::Whole => (0, len),
        RangeAsked::Part { start, end } => {
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            (start, end - start + 1)
        }
        RangeAsked::Unsatisfiable => {
            *resp.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return resp;
        }
    };
    resp.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    if request.method == warp::http::Method::HEAD {
        return resp;
    }
    if start > 0 {
        use tokio::io::AsyncSeekExt;
        if let Err(err) = file.seek(std::io::SeekFrom::Start(start)).await {
            tracing::warn!(path = %path.display(), %err, "cannot seek in a document");
            return streamed(pages::not_found(request));
        }
    }
    use tokio::io::AsyncReadExt;
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(count), BLOCK_BYTES);
    let (parts, _) = resp.into_parts();
    let body = warp::reply::Reply::into_response(warp::reply::stream(stream));
    Streamed::from_parts(parts, body.into_body())
}

/// The headers of a document: its type and name, the sandbox, and the
/// validators.
fn file_headers(
    headers: &mut header::HeaderMap,
    path: &Path,
    format: Format,
    etag: &str,
    modified: Option<std::time::SystemTime>,
) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.mime()));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("document");
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition = format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{}", encode_path(name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Whatever a browser makes of a file, it runs nothing from it.
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(value) = modified.and_then(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m)).ok()) {
        headers.insert(header::LAST_MODIFIED, value);
    }
}

/// A validator that changes whenever the file does: size, modification
/// time and inode.
fn entity_tag(meta: &std::fs::Metadata) -> String {
    let mtime =
        meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0u64;
    format!("\"{:x}-{:x}-{:x}\"", meta.len(), mtime, inode)
}

/// Whether the client's copy is current: `If-None-Match` names the tag
/// (or `*`), or, without it, `If-Modified-Since` is not before the file's
/// modification time (to the second).
fn is_not_modified(request: &RequestContext, etag: &str, modified: Option<std::time::SystemTime>) -> bool {
    if let Some(tags) = request.header(header::IF_NONE_MATCH) {
        return tags.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == etag || t == "*");
    }
    match (request.header(header::IF_MODIFIED_SINCE).and_then(|v| httpdate::parse_http_date(v).ok()), modified) {
        (Some(since), Some(modified)) => whole_seconds(modified) <= whole_seconds(since),
        _ => false,
    }
}

/// Whether a `Range` applies: no `If-Range`, or one naming the current
/// tag or date.
fn if_range_holds(request: &RequestContext, etag: &str, modified: Option<std::time::SystemTime>) -> bool {
    let Some(value) = request.header(header::IF_RANGE) else { return true };
    let value = value.trim();
    if value.starts_with('"') {
        return value == etag;
    }
    match (httpdate::parse_http_date(value).ok(), modified) {
        (Some(date), Some(modified)) => whole_seconds(modified) == whole_seconds(date),
        _ => false,
    }
}

fn whole_seconds(time: std::time::SystemTime) -> u64 {
    time.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
enum RangeAsked {
    /// The whole file (no range, several ranges, or a range not understood).
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// A range that starts past the end.
    Unsatisfiable,
}

fn parse_range(value: &str, len: u64) -> RangeAsked {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return RangeAsked::Whole };
    if spec.contains(',') {
        return RangeAsked::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return RangeAsked::Whole };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| s.parse::<u64>().ok();
    match (first.is_empty(), last.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => match number(last) {
            Some(0) => RangeAsked::Unsatisfiable,
            Some(_) if len == 0 => RangeAsked::Unsatisfiable,
            Some(n) => RangeAsked::Part { start: len.saturating_sub(n), end: len - 1 },
            None => RangeAsked::Whole,
        },
        // bytes=A- or bytes=A-B
        (false, _) => {
            let Some(start) = number(first) else { return RangeAsked::Whole };
            let end = if last.is_empty() { Some(u64::MAX) } else { number(last) };
            match end {
                Some(end) if end < start => RangeAsked::Whole,
                Some(_) if start >= len => RangeAsked::Unsatisfiable,
                Some(end) => RangeAsked::Part { start, end: end.min(len - 1) },
                None => RangeAsked::Whole,
            }
        }
        (true, true) => RangeAsked::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().canonicalize().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(root.join("fi")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(root.join("fi/a.md"), "# A").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(root.join(".hidden.md"), "# H").unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(root.join("notes.exe"), "x").unwrap_or_else(|e| panic!("{e}"));
        assert!(resolve(&root, "fi/a.md").is_some());
        assert!(resolve(&root, "fi%2Fa.md").is_some());
        for bad in [
            "../fi/a.md",
            "fi/../fi/a.md",
            "%2e%2e/fi/a.md",
            "fi/%2E%2E/fi/a.md",
            "..%2ffi%2fa.md",
            "%2fetc%2fpasswd",
            "/etc/passwd",
            "fi\\a.md",
            "fi%5ca.md",
            "fi/a.md%00",
            ".hidden.md",
            "notes.exe",
            "fi",
            "fi/",
            "",
            "fi//a.md",
            "./fi/a.md",
            "C:%5cwindows",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad} must be refused");
        }
    }

    #[test]
    fn ranges() {
        use RangeAsked::*;
        assert_eq!(parse_range("bytes=0-9", 100), Part { start: 0, end: 9 });
        assert_eq!(parse_range("bytes=90-", 100), Part { start: 90, end: 99 });
        assert_eq!(parse_range("bytes=90-500", 100), Part { start: 90, end: 99 });
        assert_eq!(parse_range("bytes=-10", 100), Part { start: 90, end: 99 });
        assert_eq!(parse_range("bytes=-500", 100), Part { start: 0, end: 99 });
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 100), Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(parse_range("items=0-1", 100), Whole);
        assert_eq!(parse_range("bytes=x-1", 100), Whole);
    }
}
