//! What the request handlers share: the bank, the settings and the state of syncing.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::{KnowledgeBank, SyncReport};

/// The outcome of the last sync the server ran.
#[derive(Debug, Clone, Default)]
pub(crate) struct SyncInfo {
    /// When it finished, seconds since 1970.
    pub finished: Option<i64>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What started it (`startup`, `watch`, `rescan`, `admin`).
    pub reason: String,
    /// Its report, when it succeeded.
    pub report: Option<SyncReport>,
    /// Its error, when it failed.
    pub error: Option<String>,
}

pub(crate) struct AppState {
    pub bank: Arc<KnowledgeBank>,
    pub config: Config,
    /// The documents folder, canonicalised: nothing outside it is served.
    pub documents_root: PathBuf,
    /// The index folder, canonicalised when it exists (the watcher ignores it).
    #[cfg_attr(not(feature = "watch"), allow(dead_code))]
    pub index_root: PathBuf,
    info: Mutex<SyncInfo>,
    gate: Mutex<()>,
    syncing: AtomicBool,
    stopping: AtomicBool,
    /// Whether file events arrive (set by the watcher, which re-arms itself).
    watching: std::sync::OnceLock<Arc<AtomicBool>>,
    /// Stops the background text recognition (set on shutdown).
    ocr_cancel: Arc<AtomicBool>,
    /// The thread reading scanned pages, while it runs.
    ocr_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Bounds the searches running at once (they are CPU-bound): more
    /// requests wait their turn instead of crowding the cores.
    pub search_permits: tokio::sync::Semaphore,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(bank: Arc<KnowledgeBank>, config: Config) -> Result<AppState> {
        let documents_root = config.documents_dir.canonicalize()?;
        let index_root = config.index_dir.canonicalize().unwrap_or_else(|_| config.index_dir.clone());
        Ok(AppState {
            bank,
            config,
            documents_root,
            index_root,
            info: Mutex::new(SyncInfo::default()),
            gate: Mutex::new(()),
            syncing: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            watching: std::sync::OnceLock::new(),
            ocr_cancel: Arc::new(AtomicBool::new(false)),
            ocr_thread: Mutex::new(None),
            search_permits: tokio::sync::Semaphore::new(
                2 * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            ),
        })
    }

    /// Runs a sync now (blocking), unless the server is shutting down.
    /// Syncs started by the server never overlap.
    pub fn sync_now(&self, reason: &str) -> Result<SyncReport> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err(Error::ShuttingDown);
        }
        let _gate = lock(&self.gate);
        // The bank logs one line per sync at info; the span names what started it.
        let _span = tracing::info_span!("sync", reason).entered();
        self.syncing.store(true, Ordering::SeqCst);
        let started = Instant::now();
        let result = self.bank.sync();
        let duration_ms = started.elapsed().as_millis() as u64;
        self.syncing.store(false, Ordering::SeqCst);
        let mut info = lock(&self.info);
        info.finished = Some(crate::index::now_secs());
        info.duration_ms = duration_ms;
        info.reason = reason.to_string();
        match &result {
            Ok(report) => {
                info.report = Some(report.clone());
                info.error = None;
                tracing::debug!(duration_ms, changed = report.changed_anything(), "sync done");
            }
            Err(err) => {
                // The counts of an earlier run do not belong to this one.
                info.report = None;
                info.error = Some(err.to_string());
                tracing::error!(%err, "sync failed");
            }
        }
        drop(info);
        if result.is_ok() {
            self.start_recognition();
        }
        result
    }

    /// Starts reading the scanned pages that wait, on a thread of its own,
    /// unless it runs already. It reads until no scan is left that it can
    /// read (new ones found by a sync meanwhile included).
    fn start_recognition(&self) {
        if !self.config.ocr.enabled || self.stopping.load(Ordering::SeqCst) {
            return;
        }
        let mut slot = lock(&self.ocr_thread);
        if slot.as_ref().is_some_and(|thread| !thread.is_finished()) {
            return;
        }
        let bank = Arc::clone(&self.bank);
        let cancel = Arc::clone(&self.ocr_cancel);
        let thread = std::thread::Builder::new().name("tietopankki-ocr".to_string()).spawn(move || loop {
            match bank.recognise_scans(&cancel, &mut |_| {}) {
                Ok(report) => {
                    for scan in &report.recognised {
                        tracing::info!(path = %scan.path, pages = scan.pages_read, confidence = ?scan.confidence, "scanned pages read");
                    }
                    if let Some(why) = &report.unavailable {
                        if !report.waiting.is_empty() {
                            tracing::warn!(scans = report.waiting.len(), "text recognition is not available: {why}");
                        }
                    }
                    if report.recognised.is_empty() || report.cancelled {
                        return;
                    }
                }
                Err(err) => {
                    tracing::error!(%err, "text recognition failed");
                    return;
                }
            }
        });
        match thread {
            Ok(thread) => *slot = Some(thread),
            Err(err) => tracing::warn!(%err, "cannot start the text recognition thread"),
        }
    }

    /// Stops the background text recognition and waits for it (what it
    /// read is kept; the page it was on is read next time).
    pub fn wait_for_recognition(&self) {
        self.ocr_cancel.store(true, Ordering::SeqCst);
        if let Some(thread) = lock(&self.ocr_thread).take() {
            let _ = thread.join();
        }
    }

    pub fn sync_info(&self) -> SyncInfo {
        lock(&self.info).clone()
    }

    /// Whether the documents folder is being watched for file events now.
    pub fn is_watching(&self) -> bool {
        self.watching.get().is_some_and(|flag| flag.load(Ordering::SeqCst))
    }

    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::SeqCst)
    }

    /// No new syncs start after this.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Waits for a running sync to commit.
    pub fn wait_for_sync(&self) {
        drop(lock(&self.gate));
    }
}

/// Held while a server runs on an index: a second `serve` on the same index
/// would sync and watch twice, and answer from a bank the other one changes.
/// The lock is the operating system's (released when the process ends, even
/// when killed), on a file `serve.lock` in the index folder.
pub(crate) struct ServeLock {
    _file: std::fs::File,
}

/// The name of the lock file in the index folder.
const SERVE_LOCK: &str = "serve.lock";

impl ServeLock {
    pub fn acquire(index_dir: &std::path::Path) -> Result<ServeLock> {
        std::fs::create_dir_all(index_dir)
            .map_err(|e| Error::IndexDir { path: index_dir.to_path_buf(), reason: e.to_string() })?;
        let path = index_dir.join(SERVE_LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::IndexDir { path: index_dir.to_path_buf(), reason: e.to_string() })?;
        match file.try_lock() {
            Ok(()) => Ok(ServeLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(Error::AlreadyServing { index: index_dir.to_path_buf(), lock: path })
            }
            Err(std::fs::TryLockError::Error(err)) => Err(Error::Io(err)),
        }
    }
}

/// The watcher (or, without the `watch` feature, a periodic re-scan thread).
pub(crate) struct Watching {
    #[cfg(feature = "watch")]
    watcher: Option<crate::watch::FolderWatcher>,
    #[cfg(not(feature = "watch"))]
    rescan: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl Watching {
    #[cfg(feature = "watch")]
    pub fn start(state: &Arc<AppState>) -> Watching {
        use crate::watch::{FolderWatcher, Trigger, WatchOptions};
        let options = WatchOptions {
            rescan: (state.config.rescan_secs > 0).then(|| std::time::Duration::from_secs(state.config.rescan_secs)),
            ignore: vec![state.index_root.clone()],
            ..WatchOptions::default()
        };
        let synced = Arc::clone(state);
        let watcher = FolderWatcher::start(&state.config.documents_dir, options, move |trigger| {
            let reason = match trigger {
                Trigger::Changed(_) => "watch",
                Trigger::Rescan => "rescan",
            };
            let _ = synced.sync_now(reason);
        });
        match watcher {
            Ok(watcher) => {
                let _ = state.watching.set(watcher.watching_flag());
                Watching { watcher: Some(watcher) }
            }
            Err(err) => {
                tracing::warn!(%err, "cannot watch the documents folder");
                Watching { watcher: None }
            }
        }
    }

    #[cfg(not(feature = "watch"))]
    pub fn start(state: &Arc<AppState>) -> Watching {
        use std::sync::mpsc::RecvTimeoutError;
        if state.config.rescan_secs == 0 {
            return Watching { rescan: None };
        }
        let every = std::time::Duration::from_secs(state.config.rescan_secs);
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let synced = Arc::clone(state);
        let thread = std::thread::Builder::new().name("tietopankki-rescan".to_string()).spawn(move || loop {
            match stopped.recv_timeout(every) {
                Err(RecvTimeoutError::Timeout) => {
                    let _ = synced.sync_now("rescan");
                }
                _ => return,
            }
        });
        match thread {
            Ok(thread) => Watching { rescan: Some((stop, thread)) },
            Err(err) => {
                tracing::warn!(%err, "cannot start the re-scan thread");
                Watching { rescan: None }
            }
        }
    }

    pub fn stop(self) {
        #[cfg(feature = "watch")]
        if let Some(watcher) = self.watcher {
            watcher.stop();
        }
        #[cfg(not(feature = "watch"))]
        if let Some((stop, thread)) = self.rescan {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}
