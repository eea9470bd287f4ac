//! The HTTP service (feature `server`): JSON API and web page over a [`crate::KnowledgeBank`].

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
    /// Seconds between full re-scans of the documents folder.
    pub rescan_secs: u64,
}

/// Runs the service until Ctrl-C or SIGTERM.
pub fn run(_config: ServeConfig) -> crate::Result<()> {
    Err(crate::Error::InvalidRequest("the server is not implemented yet".to_string()))
}
