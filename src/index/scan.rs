//! The documents folder as it is now: the indexable files under it, each
//! with its stamp (what `stat` says of it), and the hash of a file's content.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use walkdir::WalkDir;

use crate::document::{is_ignored_name, Format};
use crate::error::FailedFile;

/// A file's identity for change detection: what `stat` says of it.
///
/// Size and modification time alone miss a changed file when both are kept
/// (`cp -p`, `rsync -a`, tar, unzip). The inode changes when a file is
/// replaced by a rename (rsync, editors' safe save), and the status-change
/// time (`ctime`) is set by the kernel on every write and cannot be set back
/// by a copying tool, so a file whose four values all match is unchanged.
/// Where the platform has no inode or ctime they are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    pub size: u64,
    /// Modification time, nanoseconds since 1970.
    pub mtime: i64,
    #[serde(default)]
    pub inode: u64,
    /// Status-change time, nanoseconds since 1970.
    #[serde(default)]
    pub ctime: i64,
}

impl FileStamp {
    /// Whether the file may have been written again, after it was read,
    /// within the timestamp granularity of its last change: such a second
    /// write leaves every stamp value equal (the "racily clean" case of git).
    /// `seen` is when the stamp was taken, nanoseconds since 1970; the file
    /// was read after that. A racy file's content hash is checked by later
    /// syncs.
    pub(crate) fn is_racy(&self, seen: i64) -> bool {
        // Sub-second parts mean the file system keeps fine timestamps, so
        // only the kernel's clock tick is at stake; without them (FAT, some
        // network file systems) a change can hide for up to two seconds.
        let coarse = self.mtime % 1_000_000_000 == 0 && self.ctime % 1_000_000_000 == 0;
        let window = if coarse { 2_000_000_000 } else { FINE_RACY_WINDOW_NANOS };
        self.mtime.max(self.ctime) >= seen.saturating_sub(window)
    }
}

/// The racy window on file systems with sub-second timestamps: well above
/// the kernel's coarse clock tick (at most 10 ms).
pub(crate) const FINE_RACY_WINDOW_NANOS: i64 = 50_000_000;

/// A file found in the documents folder.
#[derive(Debug, Clone)]
pub(crate) struct FoundFile {
    pub(crate) rel: String,
    pub(crate) abs: PathBuf,
    pub(crate) stamp: FileStamp,
    /// When the stamp was taken, nanoseconds since 1970.
    pub(crate) seen: i64,
}

/// What a scan of the documents folder found.
#[derive(Debug, Default)]
pub(crate) struct FolderScan {
    /// Indexable files: index key and absolute path.
    pub files: Vec<(String, PathBuf)>,
    /// Entries that look like documents but cannot be indexed, with the reason.
    pub skipped: Vec<FailedFile>,
}

/// Lists the indexable files under `root`. Hidden files and folders, editor
/// temp files and files of other formats are passed over in silence; a
/// document whose name is not valid UTF-8, a link pointing outside `root` or
/// a special file (pipe, socket, device) is listed in
/// [`FolderScan::skipped`] with the reason.
pub(crate) fn scan_folder(root: &Path) -> FolderScan {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut scan = FolderScan::default();
    let walker = WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| e.depth() == 0 || !is_ignored_name(e.file_name().to_string_lossy().as_ref())) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // An unreadable folder: its files cannot be listed.
                if let Some(path) =
                    err.path().and_then(|p| p.strip_prefix(root).ok()).filter(|p| !p.as_os_str().is_empty())
                {
                    let reason = "skipped: the folder cannot be read (permission denied?)".to_string();
                    scan.skipped.push(FailedFile { path: display_key(path), reason });
                }
                continue;
            }
        };
        let path = entry.path();
        let file_type = entry.file_type();
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let skip = |reason: &str| FailedFile { path: display_key(rel), reason: format!("skipped: {reason}") };
        if Format::from_path(path).is_none() {
            if let Some(advice) = crate::extract::unread_format_advice(path).filter(|_| file_type.is_file()) {
                scan.skipped.push(skip(advice));
            }
            continue;
        }
        if file_type.is_symlink() {
            // Follow a link only when its target is a file inside the folder.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(target) if target.starts_with(&canonical_root) => continue,
                Ok(_) => {
                    scan.skipped.push(skip("a link to a file outside the documents folder; copy the file in instead"));
                    continue;
                }
                Err(_) => {
                    scan.skipped.push(skip("a link whose target does not exist"));
                    continue;
                }
            }
        } else if !file_type.is_file() {
            if !file_type.is_dir() {
                scan.skipped.push(skip("not a regular file (a pipe, socket or device)"));
            }
            continue;
        }
        let Some(key) = relative_key(rel) else {
            scan.skipped.push(skip("the file name is not valid UTF-8 text; rename the file"));
            continue;
        };
        scan.files.push((key, path.to_path_buf()));
    }
    scan
}

/// A relative path for a report line, readable even when not valid UTF-8.
pub(crate) fn display_key(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Turns a relative path into the index key: `/`-separated, valid UTF-8.
pub(crate) fn relative_key(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let parts = parts?;
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

pub(crate) fn stamp_of(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0);
    let (inode, ctime) = inode_and_ctime(&meta);
    Some(FileStamp { size: meta.len(), mtime, inode, ctime })
}

#[cfg(unix)]
pub(crate) fn inode_and_ctime(meta: &std::fs::Metadata) -> (u64, i64) {
    use std::os::unix::fs::MetadataExt;
    let ctime = meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec());
    (meta.ino(), ctime)
}

#[cfg(not(unix))]
pub(crate) fn inode_and_ctime(_meta: &std::fs::Metadata) -> (u64, i64) {
    (0, 0)
}

/// The xxh3 hash of a file's content (the same as
/// [`Extracted::source_hash`](crate::document::Extracted)), read in blocks.
pub(crate) fn hash_file(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut block = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut block) {
            Ok(0) => return Some(hasher.digest()),
            Ok(n) => hasher.update(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

/// Now, nanoseconds since 1970.
pub(crate) fn now_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos().min(i64::MAX as u128) as i64).unwrap_or(0)
}
