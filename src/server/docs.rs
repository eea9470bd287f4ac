//! `GET /documents/{path}`: the original files, and nothing outside the documents folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::http::{encode_path, percent_decode, response, Request, Resp};
use super::page;
use super::state::AppState;
use crate::{is_ignored_name, Format};

/// Resolves a URL path (still percent-encoded, relative to `/documents/`) to
/// a regular document file inside `root` (which must be canonical).
///
/// Refuses empty, `.` and `..` components, absolute paths, backslashes,
/// NUL, colons, hidden and temporary files, anything whose real location
/// (symlinks followed) is outside `root`, and files of other formats.
pub(crate) fn resolve(root: &Path, raw: &str) -> Option<(PathBuf, Format)> {
    let decoded = percent_decode(raw, false).ok()?;
    if decoded.is_empty() || decoded.starts_with('/') || decoded.contains(['\\', '\0', ':']) {
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

/// Serves one document file.
pub(crate) async fn serve(state: &Arc<AppState>, request: &Request, raw: &str) -> Resp {
    let root = state.documents_root.clone();
    let raw_owned = raw.to_string();
    let resolved = tokio::task::spawn_blocking(move || resolve(&root, &raw_owned)).await.ok().flatten();
    let Some((path, format)) = resolved else {
        tracing::debug!(path = %request.path, "document refused or missing");
        return page::error_page(request, StatusCode::NOT_FOUND);
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "cannot read a document");
            return page::error_page(request, StatusCode::NOT_FOUND);
        }
    };
    let content_type = match format {
        Format::Pdf => "application/pdf",
        Format::Markdown => "text/markdown; charset=utf-8",
        Format::Text => "text/plain; charset=utf-8",
    };
    let mut resp = response(StatusCode::OK, content_type, bytes);
    let headers = resp.headers_mut();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("document");
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition = format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{}", encode_path(name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if format != Format::Pdf {
        // Shown as text; if a browser renders it anyway, it runs nothing.
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    }
    resp
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
}
