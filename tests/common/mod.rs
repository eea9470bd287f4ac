//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tietopankki::KnowledgeBank;

/// The shared test material beside the project (`../shared`), checking that
/// `what` is inside it. Every test that calls this is marked
/// `#[ignore = "needs ../shared"]`: plain `cargo test --release` reports it as
/// ignored (a visible skip, not a pass), and `cargo test --release --
/// --include-ignored` (or `-- --ignored`) runs it. Running one is asking for
/// the material, so missing material fails the test (in CI, `CI=true`, and
/// everywhere else) instead of passing it silently.
pub fn shared_dir(what: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared");
    let wanted = dir.join(what);
    assert!(
        wanted.exists(),
        "shared test material missing: {} (expected beside the project; without it, run the tests without \
         --ignored/--include-ignored and this one is reported as ignored)",
        wanted.display()
    );
    dir
}

/// The crate's own test fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// A documents folder and an index in temporary folders.
pub struct TempBank {
    pub docs: tempfile::TempDir,
    pub index: tempfile::TempDir,
}

impl TempBank {
    pub fn new() -> TempBank {
        TempBank { docs: tempdir(), index: tempdir() }
    }

    /// Writes a file (creating folders) in the documents folder.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.docs.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn open(&self) -> KnowledgeBank {
        KnowledgeBank::builder().documents_dir(self.docs.path()).index_dir(self.index.path()).open().unwrap()
    }
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Paths of the hits of a query, best first.
pub fn hit_paths(bank: &KnowledgeBank, query: &str) -> Vec<String> {
    bank.search(&tietopankki::SearchRequest::new(query).limit(20)).unwrap().hits.into_iter().map(|h| h.path).collect()
}

/// Copies a folder tree (files only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// How often the `wait_*` helpers look again.
pub const POLL_EVERY: Duration = Duration::from_millis(20);

/// How long [`wait_until`] waits for what a watcher, a server or a child
/// process does in the background: generous, so that a loaded CI machine
/// does not make a test fail, while a condition that holds ends the wait at
/// once (no fixed sleep races the event).
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Looks at `probe` every [`POLL_EVERY`] until it gives `Some`, for at most
/// `limit`; `None` if it never did.
pub fn poll_for<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if start.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// Waits until `condition` holds, for at most [`DEADLINE`]; fails the test
/// saying `what` was awaited if it never does. Returns how long it took.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    match poll_for(DEADLINE, || condition().then(|| start.elapsed())) {
        Some(took) => took,
        None => panic!("waited {DEADLINE:?} in vain for: {what}"),
    }
}
