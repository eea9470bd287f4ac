//! The settings of `tietopankki serve`.

use std::path::PathBuf;

/// Settings of `tietopankki serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The documents folder.
    pub documents_dir: PathBuf,
    /// The index folder.
    pub index_dir: PathBuf,
    /// Address to listen on, `IP:PORT`.
    pub addr: String,
    /// Bearer token enabling `POST /api/reindex`; `None` turns the route off.
    pub admin_token: Option<String>,
    /// Origins allowed by CORS (`*` for any); empty means no CORS headers.
    pub cors_origins: Vec<String>,
    /// Seconds between full re-scans of the documents folder (0: none).
    pub rescan_secs: u64,
    /// Per-file limits of extraction (size, time).
    pub limits: crate::ExtractLimits,
    /// Host names the server answers for besides IP addresses and
    /// `localhost` (others get 421: DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// The program extraction workers are started from (see
    /// [`crate::extract::worker`]); `None` reads files on threads.
    pub extract_worker: Option<PathBuf>,
    /// Text recognition of scanned pages, run in the background after each sync.
    pub ocr: crate::OcrOptions,
    /// A local term list added to the built-in one for cross-language search.
    pub glossary: Option<PathBuf>,
}

impl ServeConfig {
    /// Settings with the default folders (`documents`, `index`), address
    /// `127.0.0.1:8080`, no admin token, no CORS and a 30 s re-scan.
    pub fn new(documents_dir: impl Into<PathBuf>, index_dir: impl Into<PathBuf>) -> ServeConfig {
        ServeConfig {
            documents_dir: documents_dir.into(),
            index_dir: index_dir.into(),
            addr: crate::DEFAULT_ADDR.to_string(),
            admin_token: None,
            cors_origins: Vec::new(),
            rescan_secs: crate::DEFAULT_RESCAN_SECS,
            limits: crate::ExtractLimits::default(),
            allowed_hosts: Vec::new(),
            extract_worker: None,
            ocr: crate::OcrOptions::default(),
            glossary: None,
        }
    }
}

impl ServeConfig {
    /// Checks what the server would otherwise find only when it answers:
    /// each CORS origin must be `*` or `scheme://host[:port]`.
    pub fn check(&self) -> crate::Result<()> {
        for origin in &self.cors_origins {
            if origin != "*" && !is_origin(origin.trim_end_matches('/')) {
                return Err(crate::Error::InvalidRequest(format!(
                    "--cors-origin '{origin}' is not an origin: give it as https://name or http://name:port, or * for any"
                )));
            }
        }
        Ok(())
    }
}

/// `http://host[:port]` or `https://host[:port]`, nothing more.
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else { return false };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
        && text.parse::<warp::http::Uri>().is_ok_and(|uri| uri.authority().is_some())
}
