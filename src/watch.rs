//! Live updates (feature `watch`): watches a documents folder and says when
//! it is time to sync.
//!
//! File events (notify's recommended watcher, recursive) are debounced: the
//! watcher waits for a quiet period, then until every changed file's size and
//! modification time stay the same across two looks a moment apart, so a
//! file still being copied is not indexed half-written. A periodic full
//! re-scan covers events that were lost (network folders, overflowing event
//! queues, a watcher that could not start).
//!
//! ```no_run
//! use std::sync::Arc;
//! use tietopankki::watch::{FolderWatcher, WatchOptions};
//!
//! # fn main() -> tietopankki::Result<()> {
//! let bank = Arc::new(tietopankki::KnowledgeBank::builder().open()?);
//! let synced = Arc::clone(&bank);
//! let watcher = FolderWatcher::start("documents", WatchOptions::default(), move |_trigger| {
//!     let _ = synced.sync();
//! })?;
//! // ... serve searches from `bank` ...
//! watcher.stop();
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::document::is_ignored_name;
use crate::document::Format;
use crate::error::{Error, Result};

/// Timing of a [`FolderWatcher`].
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet period after the last file event before anything happens.
    pub debounce: Duration,
    /// Time between the two looks at a changed file's size and modification time.
    pub settle: Duration,
    /// The longest time to wait for changing files to settle (a sync runs anyway then).
    pub max_settle: Duration,
    /// Interval of the full re-scan; `None` for none.
    pub rescan: Option<Duration>,
    /// Paths whose events are ignored (e.g. an index folder inside the documents folder).
    pub ignore: Vec<PathBuf>,
    /// How often the folder itself is looked at (was it removed or replaced?).
    pub check: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(300),
            settle: Duration::from_millis(200),
            max_settle: Duration::from_secs(120),
            rescan: Some(Duration::from_secs(30)),
            ignore: Vec::new(),
            check: Duration::from_secs(1),
        }
    }
}

/// Why the watcher calls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// These paths changed (files or folders, maybe removed) and have settled.
    Changed(Vec<PathBuf>),
    /// The periodic full re-scan is due.
    Rescan,
}

enum Message {
    Paths(Vec<PathBuf>),
    Stop,
}

/// Watches a folder on a background thread; see the [module docs](self).
///
/// The callback runs on the watcher's thread, one call at a time, so a sync
/// run from it never overlaps another sync started by the watcher.
///
/// The folder is looked at every [`WatchOptions::check`]: when it has been
/// removed, file events stop ([`FolderWatcher::is_watching`] is `false`);
/// when it is back (recreated, or replaced by another folder of the same
/// name), events are set up on it again and a full re-scan is due.
#[derive(Debug)]
pub struct FolderWatcher {
    sender: mpsc::Sender<Message>,
    thread: Option<JoinHandle<()>>,
    watching: Arc<AtomicBool>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Paths(paths) => write!(f, "Paths({paths:?})"),
            Message::Stop => f.write_str("Stop"),
        }
    }
}

impl FolderWatcher {
    /// Starts watching `dir`, calling `on_change` when a sync is due.
    ///
    /// When file events are unavailable (the watcher cannot start), the
    /// periodic re-scan still runs and a warning is logged; only a missing
    /// folder is an error.
    pub fn start<F>(dir: impl Into<PathBuf>, options: WatchOptions, on_change: F) -> Result<FolderWatcher>
    where
        F: FnMut(Trigger) + Send + 'static,
    {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(Error::DocumentsNotFound(dir));
        }
        let (sender, receiver) = mpsc::channel::<Message>();
        let watching = Arc::new(AtomicBool::new(false));
        let mut events = EventSource::new(&dir, &options, sender.clone(), Arc::clone(&watching));
        events.arm();
        tracing::debug!(dir = %dir.display(), events = events.is_armed(), "watching");
        let thread = std::thread::Builder::new()
            .name("tietopankki-watch".to_string())
            .spawn(move || watch_loop(&options, &receiver, events, on_change))?;
        Ok(FolderWatcher { sender, thread: Some(thread), watching })
    }

    /// Whether file events are being received now (otherwise only the
    /// re-scan runs): `false` while the folder is missing or events could
    /// not be set up on it.
    pub fn is_watching(&self) -> bool {
        self.watching.load(Ordering::SeqCst)
    }

    /// The same as [`FolderWatcher::is_watching`].
    pub fn has_events(&self) -> bool {
        self.is_watching()
    }

    /// A handle that reads [`FolderWatcher::is_watching`] from elsewhere.
    pub fn watching_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.watching)
    }

    /// Stops watching and waits for a callback in progress to return.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.sender.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The identity of a folder: device and inode where the platform has them,
/// so a folder replaced by another of the same name is told apart.
fn folder_identity(dir: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// The file events of the watched folder: a notify watcher on the folder as
/// it is now, set up again when the folder is replaced.
struct EventSource {
    dir: PathBuf,
    ignore: Vec<PathBuf>,
    sender: mpsc::Sender<Message>,
    watching: Arc<AtomicBool>,
    watcher: Option<RecommendedWatcher>,
    /// The folder the watcher is on.
    armed_on: Option<(u64, u64)>,
    /// When to try again to set up file events that failed (`None`: they did not fail).
    retry_at: Option<Instant>,
    /// Failed attempts in a row, for the back-off.
    failures: u32,
    /// Set by the event handler when the watched folder itself was removed:
    /// its watch is dead even if a new folder of the same name (and, as file
    /// systems reuse them, maybe the same inode) is there by the next look.
    root_removed: Arc<AtomicBool>,
}

/// The longest wait before trying again to set up file events that failed;
/// the first retries come sooner (a full inotify table often frees up soon).
const RETRY_ARM: Duration = Duration::from_secs(30);

/// The wait before the next attempt after `failures` failed ones in a row:
/// 250 ms doubling up to [`RETRY_ARM`].
fn retry_delay(failures: u32) -> Duration {
    Duration::from_millis(250).saturating_mul(1u32 << failures.saturating_sub(1).min(7)).min(RETRY_ARM)
}

impl EventSource {
    fn new(dir: &Path, options: &WatchOptions, sender: mpsc::Sender<Message>, watching: Arc<AtomicBool>) -> Self {
        let ignore: Vec<PathBuf> =
            options.ignore.iter().map(|p| p.canonicalize().unwrap_or_else(|_| p.clone())).collect();
        EventSource {
            dir: dir.to_path_buf(),
            ignore,
            sender,
            watching,
            watcher: None,
            armed_on: None,
            retry_at: None,
            failures: 0,
            root_removed: Arc::new(AtomicBool::new(false)),
        }
    }

    fn is_armed(&self) -> bool {
        self.watcher.is_some()
    }

    /// Sets up file events on the folder as it is now.
    fn arm(&mut self) {
        self.watcher = None;
        self.armed_on = folder_identity(&self.dir);
        if self.armed_on.is_none() {
            self.watching.store(false, Ordering::SeqCst);
            return;
        }
        self.root_removed.store(false, Ordering::SeqCst);
        let events = self.sender.clone();
        let ignore = self.ignore.clone();
        let root = self.dir.clone();
        let root_removed = Arc::clone(&self.root_removed);
        let handler = move |result: notify::Result<notify::Event>| match result {
            Ok(event) => {
                if matches!(event.kind, EventKind::Remove(_)) && event.paths.iter().any(|p| p == &root) {
                    root_removed.store(true, Ordering::SeqCst);
                }
                if !is_relevant_kind(&event.kind) {
                    return;
                }
                let paths: Vec<PathBuf> = event.paths.into_iter().filter(|p| is_relevant_path(p, &ignore)).collect();
                if !paths.is_empty() {
                    let _ = events.send(Message::Paths(paths));
                }
            }
            Err(err) => {
                tracing::warn!(%err, "file watcher error; the periodic re-scan will catch up");
                // An overflow loses events: ask for a look at the whole folder.
                let _ = events.send(Message::Paths(Vec::new()));
            }
        };
        self.watcher = match notify::recommended_watcher(handler) {
            Ok(mut watcher) => match watcher.watch(&self.dir, RecursiveMode::Recursive) {
                Ok(()) => Some(watcher),
                Err(err) => {
                    tracing::warn!(%err, dir = %self.dir.display(), "cannot watch the documents folder; re-scanning periodically only");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(%err, "no file watcher available; re-scanning periodically only");
                None
            }
        };
        if self.watcher.is_some() {
            self.failures = 0;
            self.retry_at = None;
        } else {
            self.failures = self.failures.saturating_add(1);
            self.retry_at = Some(Instant::now() + retry_delay(self.failures));
        }
        self.watching.store(self.watcher.is_some(), Ordering::SeqCst);
    }

    /// Looks at the folder: returns `true` when events were set up anew on a
    /// folder that came back or was replaced (its content is then unknown).
    fn check(&mut self) -> bool {
        let now = folder_identity(&self.dir);
        if self.root_removed.swap(false, Ordering::SeqCst) {
            // Whatever is there now, the old watch is gone: set up anew.
            self.armed_on = None;
        }
        match now {
            None => {
                if self.watcher.take().is_some() || self.armed_on.take().is_some() {
                    tracing::warn!(dir = %self.dir.display(), "the documents folder is gone; waiting for it to come back");
                }
                self.watching.store(false, Ordering::SeqCst);
                false
            }
            Some(identity) if Some(identity) != self.armed_on => {
                tracing::info!(dir = %self.dir.display(), "the documents folder is back or was replaced: watching it again");
                self.arm();
                true
            }
            Some(_) if self.watcher.is_none() && self.retry_at.is_some_and(|at| Instant::now() >= at) => {
                self.arm();
                self.watcher.is_some()
            }
            Some(_) => false,
        }
    }
}

fn is_relevant_kind(kind: &EventKind) -> bool {
    match kind {
        // Only "closed after writing" among the access events: a write finished.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Events on documents, folders (or removed things that may have been
/// either); not on hidden or temporary files or ignored paths.
fn is_relevant_path(path: &Path, ignore: &[PathBuf]) -> bool {
    if ignore.iter().any(|i| path.starts_with(i)) {
        return false;
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    if is_ignored_name(name) {
        return false;
    }
    Format::from_path(path).is_some() || path.extension().is_none() || path.is_dir()
}

/// What a file looked like at one moment: size and modification time.
type Stamp = Option<(u64, SystemTime)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return None;
    }
    Some((meta.len(), meta.modified().ok()?))
}

/// Sizes and modification times of every document under `dir`.
fn snapshot_folder(dir: &Path) -> BTreeMap<PathBuf, Stamp> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(e.file_name().to_string_lossy().as_ref()))
        .flatten()
        .filter(|e| !e.file_type().is_dir() && Format::from_path(e.path()).is_some())
        .map(|e| (e.path().to_path_buf(), stamp(e.path())))
        .collect()
}

fn snapshot_paths(paths: &BTreeSet<PathBuf>) -> BTreeMap<PathBuf, Stamp> {
    paths.iter().map(|p| (p.clone(), stamp(p))).collect()
}

/// Waits until `paths` (or, when empty, every document under `dir`) keep the
/// same size and modification time across two looks `settle` apart, or
/// until `max_wait` has passed. Returns whether they settled.
pub fn wait_until_stable(dir: &Path, paths: &[PathBuf], settle: Duration, max_wait: Duration) -> bool {
    let set: BTreeSet<PathBuf> = paths.iter().cloned().collect();
    let look = || if set.is_empty() { snapshot_folder(dir) } else { snapshot_paths(&set) };
    let deadline = Instant::now() + max_wait;
    let mut before = look();
    loop {
        std::thread::sleep(settle);
        let after = look();
        if after == before && !recently_modified(&after, settle) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        before = after;
    }
}

/// Whether a file was modified less than `window` ago (its writer may still be busy).
fn recently_modified(stamps: &BTreeMap<PathBuf, Stamp>, window: Duration) -> bool {
    let now = SystemTime::now();
    stamps.values().flatten().any(|(_, mtime)| now.duration_since(*mtime).map(|age| age < window).unwrap_or(false))
}

fn watch_loop<F: FnMut(Trigger)>(
    options: &WatchOptions,
    receiver: &mpsc::Receiver<Message>,
    mut events: EventSource,
    mut on_change: F,
) {
    let dir = events.dir.clone();
    let dir = dir.as_path();
    let mut next_rescan = options.rescan.map(|every| Instant::now() + every);
    let mut next_check = Instant::now() + options.check;
    loop {
        let until = next_rescan.map_or(next_check, |at| at.min(next_check));
        match receiver.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(Message::Paths(first)) => {
                let mut pending: BTreeSet<PathBuf> = first.iter().cloned().collect();
                let mut whole_folder = first.is_empty();
                // Debounce: wait for a quiet period.
                loop {
                    match receiver.recv_timeout(options.debounce) {
                        Ok(Message::Paths(more)) => {
                            whole_folder |= more.is_empty();
                            pending.extend(more);
                        }
                        Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                        Err(RecvTimeoutError::Timeout) => break,
                    }
                }
                if !settle(dir, options, receiver, &mut pending, &mut whole_folder) {
                    return;
                }
                let trigger =
                    if whole_folder { Trigger::Rescan } else { Trigger::Changed(pending.into_iter().collect()) };
                tracing::debug!(?trigger, "documents changed");
                on_change(trigger);
            }
            Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                let mut due = next_rescan.is_some_and(|at| Instant::now() >= at);
                if Instant::now() >= next_check {
                    due |= events.check();
                    next_check = Instant::now() + options.check;
                }
                if due {
                    let mut pending = BTreeSet::new();
                    if !settle(dir, options, receiver, &mut pending, &mut true) {
                        return;
                    }
                    on_change(Trigger::Rescan);
                    next_rescan = options.rescan.map(|every| Instant::now() + every);
                }
            }
        }
    }
}

/// Waits until the pending paths (or the whole folder) stop changing; file
/// events that arrive meanwhile join the batch and mean "not yet". Returns
/// `false` when asked to stop.
fn settle(
    dir: &Path,
    options: &WatchOptions,
    receiver: &mpsc::Receiver<Message>,
    pending: &mut BTreeSet<PathBuf>,
    whole_folder: &mut bool,
) -> bool {
    let deadline = Instant::now() + options.max_settle;
    loop {
        let paths: Vec<PathBuf> = if *whole_folder { Vec::new() } else { pending.iter().cloned().collect() };
        let mut settled = wait_until_stable(dir, &paths, options.settle, Duration::ZERO);
        while let Ok(message) = receiver.try_recv() {
            match message {
                Message::Paths(more) => {
                    *whole_folder |= more.is_empty();
                    pending.extend(more);
                    settled = false;
                }
                Message::Stop => return false,
            }
        }
        if settled {
            return true;
        }
        if Instant::now() >= deadline {
            tracing::warn!("files kept changing; syncing anyway");
            return true;
        }
    }
}

#[cfg(test)]
mod tests;
