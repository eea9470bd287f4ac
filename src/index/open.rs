//! Opening an index folder: the index as it is, a new one where there is
//! none, or a rebuild from scratch when the schema changed (an index written
//! by a newer tietopankki is left alone); with its reader, its fields and
//! the analysis tokenizers registered.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::schema::{Fields, SCHEMA_VERSION};
use super::CommitPayload;
use crate::error::{Error, Result};

/// An open index with what searching and syncing it need.
pub(crate) struct Opened {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// Counts the documents tantivy's indexing threads have analysed.
    pub(crate) indexed_counter: Arc<AtomicU64>,
}

/// Opens (or creates, or rebuilds) the index in `dir`; an index that cannot
/// be read is [`Error::CorruptIndex`].
pub(crate) fn open_index(dir: &Path) -> Result<Opened> {
    let corrupt = |err: Error| {
        let path = dir.to_path_buf();
        match err {
            Error::Tantivy { source, .. } => {
                Error::CorruptIndex { path, reason: source.to_string(), source: Some(Box::new(source)) }
            }
            Error::OpenDirectory(source) => {
                Error::CorruptIndex { path, reason: source.to_string(), source: Some(Box::new(source)) }
            }
            Error::Engine(reason) => Error::CorruptIndex { path, reason, source: None },
            other => other,
        }
    };
    let index = open_or_create(dir).map_err(corrupt)?;
    let fields = Fields::from_schema(&index.schema())
        .ok_or_else(|| Error::Engine("index schema is missing fields".to_string()))
        .map_err(corrupt)?;
    let indexed_counter = Arc::new(AtomicU64::new(0));
    crate::analysis::tokenizer::register(index.tokenizers(), indexed_counter.clone());
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .try_into()
        .map_err(|e: tantivy::TantivyError| corrupt(Error::tantivy("opening the index reader", e)))?;
    Ok(Opened { index, reader, fields, indexed_counter })
}

/// The message of a caught panic.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown fault".to_string())
}

/// Files tantivy writes in an index folder; only these are removed on rebuild.
fn is_index_file(name: &str) -> bool {
    name == "meta.json"
        || name == ".managed.json"
        || name.starts_with(".tantivy-")
        || [".idx", ".pos", ".term", ".store", ".fast", ".fieldnorm", ".del"].iter().any(|e| name.ends_with(e))
}

fn open_or_create(dir: &Path) -> Result<Index> {
    let io_err = |e: std::io::Error| Error::IndexDir { path: dir.to_path_buf(), reason: e.to_string() };
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let (schema, _) = Fields::build();
    if dir.join("meta.json").exists() {
        let directory = MmapDirectory::open(dir)?;
        let index = Index::open(directory)?;
        let payload = CommitPayload::read(&index);
        let schema_ok = index.schema() == schema;
        let version_ok = payload.schema_version == SCHEMA_VERSION || index.load_metas()?.payload.is_none();
        if schema_ok && version_ok {
            return Ok(index);
        }
        // An index written by a newer tietopankki is left alone: an older
        // binary must not throw away what a newer one built.
        if payload.schema_version > SCHEMA_VERSION {
            return Err(Error::SchemaMismatch {
                path: dir.to_path_buf(),
                found: payload.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        tracing::info!(found = payload.schema_version, expected = SCHEMA_VERSION, "index schema changed: rebuilding");
        drop(index);
        for entry in std::fs::read_dir(dir).map_err(io_err)?.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if is_index_file(&name) {
                std::fs::remove_file(entry.path()).map_err(io_err)?;
            }
        }
    }
    let directory = MmapDirectory::open(dir)?;
    Ok(Index::create(directory, schema, tantivy::IndexSettings::default())?)
}
