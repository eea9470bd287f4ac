//! What an incremental export last sent to one cluster and index: a small
//! JSON file in the index folder (`export/<hash>.json`, the hash of the
//! cluster URL and the index name), mapping each record id to its document
//! and revision. It is written atomically (a temporary file, then a rename)
//! after every acknowledged batch, and holds only what the cluster
//! acknowledged, so a run that stops midway loses nothing: the next run
//! sends the rest. The index's schema rebuild removes only tantivy's own
//! files by name, never this folder.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The folder of the state files, inside the index folder.
pub const STATE_DIR: &str = "export";

/// One record the cluster holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The record's document.
    pub path: String,
    /// The document's revision when sent; empty when the cluster rejected
    /// the record (it is sent again next time).
    pub rev: String,
}

/// The state of the export to one cluster and index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportState {
    /// The cluster's URL.
    pub url: String,
    /// The index name.
    pub index: String,
    /// [`super::ExportOptions::fingerprint`] of the run that sent the records.
    pub fingerprint: String,
    /// Record id → what was sent.
    pub sent: BTreeMap<String, Sent>,
}

impl ExportState {
    /// Where the state of `url` and `index` is kept.
    pub fn file(index_dir: &Path, url: &str, index: &str) -> PathBuf {
        let key = xxhash_rust::xxh3::xxh3_64(format!("{url}\n{index}").as_bytes());
        index_dir.join(STATE_DIR).join(format!("{key:016x}.json"))
    }

    /// Reads the state file, or an empty state when there is none yet.
    pub fn load(file: &Path, url: &str, index: &str) -> std::io::Result<ExportState> {
        match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e} (delete the file to send everything again)", file.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(ExportState { url: url.to_string(), index: index.to_string(), ..ExportState::default() })
            }
            Err(e) => Err(e),
        }
    }

    /// Writes the state file atomically.
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, file)
    }

    /// Each document's revision as the cluster holds it, or `None` when its
    /// records disagree (one was rejected, or a run stopped between them).
    pub fn revisions(&self) -> HashMap<&str, Option<&str>> {
        let mut out: HashMap<&str, Option<&str>> = HashMap::new();
        for sent in self.sent.values() {
            let rev = Some(sent.rev.as_str()).filter(|r| !r.is_empty());
            out.entry(sent.path.as_str()).and_modify(|known| *known = known.filter(|k| Some(*k) == rev)).or_insert(rev);
        }
        out
    }
}
