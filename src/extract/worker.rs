//! Extraction in worker processes, where a limit really holds.
//!
//! A reader on a thread of the indexing process cannot be stopped from
//! outside, and its memory is the process's memory. A worker process is the
//! same binary started with [`WORKER_ARG`]; it limits its own address space
//! with `setrlimit(RLIMIT_AS)` ([`ExtractLimits::max_memory_bytes`]) and
//! reads files one after another, as asked on its standard input, answering
//! each on its standard output (one JSON line each). The parent kills it when
//! a file takes longer than [`ExtractLimits::max_time`] (plus a short grace),
//! and starts a new one for the next file. A worker that dies (out of memory,
//! a crash) costs that one file, reported with the reason. This is how
//! Recoll's filters, Tika's forked server and Paperless's workers isolate
//! their parsers.
//!
//! The `tietopankki` binary runs its workers with
//! [`KnowledgeBankBuilder::extract_worker`](crate::KnowledgeBankBuilder::extract_worker);
//! a program embedding the library can do the same by calling
//! [`run_worker`] when its first argument is [`WORKER_ARG`].

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::ExtractLimits;
use crate::document::{Extracted, Format};
use crate::error::FileError;

/// The first argument that makes the binary a worker.
pub const WORKER_ARG: &str = "__extract-worker";

/// Test hook: a worker reading a file of this name spins forever (it shows
/// that the wall-clock kill holds). Only honoured when set in the worker's
/// environment.
pub const HANG_ON_ENV: &str = "TIETOPANKKI_TEST_HANG_ON";
/// Test hook: a worker reading a file of this name allocates memory until
/// its limit stops it.
pub const ALLOCATE_ON_ENV: &str = "TIETOPANKKI_TEST_ALLOCATE_ON";

/// Extra time past the budget before the worker is killed (the PDF reader
/// checks the budget itself and usually stops first).
const KILL_GRACE: Duration = Duration::from_secs(2);

#[derive(serde::Serialize, serde::Deserialize)]
struct Job {
    path: PathBuf,
    max_file_bytes: u64,
    max_time_ms: u64,
}

type Answer = Result<(Format, Extracted), FileError>;

/// The worker's side: sets its memory limit, then reads the files asked on
/// standard input until it closes. Returns the process exit code.
pub fn run_worker(max_memory_bytes: u64) -> i32 {
    if let Err(err) = limit_memory(max_memory_bytes) {
        eprintln!("tietopankki worker: cannot set the memory limit: {err}");
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return 1 };
        let Ok(job) = serde_json::from_str::<Job>(&line) else { return 2 };
        test_hooks(&job.path);
        let limits = ExtractLimits {
            max_file_bytes: job.max_file_bytes,
            max_time: Duration::from_millis(job.max_time_ms),
            max_memory_bytes,
        };
        let answer: Answer = std::panic::catch_unwind(|| super::extract_file_unguarded(&job.path, &limits))
            .unwrap_or_else(|panic| Err(FileError::Internal(super::panic_message(panic.as_ref()))));
        let Ok(json) = serde_json::to_string(&answer) else { return 3 };
        if writeln!(out, "{json}").and_then(|_| out.flush()).is_err() {
            return 0;
        }
    }
    0
}

fn limit_memory(bytes: u64) -> std::io::Result<()> {
    use rustix::process::{setrlimit, Resource, Rlimit};
    setrlimit(Resource::As, Rlimit { current: Some(bytes), maximum: Some(bytes) }).map_err(std::io::Error::from)
}

fn test_hooks(path: &Path) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if std::env::var(HANG_ON_ENV).is_ok_and(|v| !v.is_empty() && v == name) {
        #[allow(clippy::empty_loop)]
        loop {
            std::hint::spin_loop();
        }
    }
    if std::env::var(ALLOCATE_ON_ENV).is_ok_and(|v| !v.is_empty() && v == name) {
        let mut held: Vec<Vec<u8>> = Vec::new();
        loop {
            held.push(vec![1u8; 16 << 20]);
        }
    }
}

/// The parent's side: one worker process, started on first use and again
/// after it was killed or died.
pub(crate) struct Worker {
    exe: PathBuf,
    running: Option<Running>,
}

struct Running {
    child: Arc<Mutex<Child>>,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Worker {
    pub(crate) fn new(exe: &Path) -> Worker {
        Worker { exe: exe.to_path_buf(), running: None }
    }

    fn start(&self, limits: &ExtractLimits) -> std::io::Result<Running> {
        let mut child = Command::new(&self.exe)
            .arg(WORKER_ARG)
            .arg(limits.max_memory_bytes.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let input = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        let output = BufReader::new(child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?);
        Ok(Running { child: Arc::new(Mutex::new(child)), input, output })
    }

    /// Reads one file in the worker process. `None` when no worker could be
    /// started or spoken to (the caller then reads the file itself).
    pub(crate) fn extract(&mut self, path: &Path, limits: &ExtractLimits) -> Option<Answer> {
        if self.running.is_none() {
            match self.start(limits) {
                Ok(running) => self.running = Some(running),
                Err(err) => {
                    tracing::warn!(%err, exe = %self.exe.display(), "cannot start an extraction worker");
                    return None;
                }
            }
        }
        let running = self.running.as_mut()?;
        let job = Job {
            path: path.to_path_buf(),
            max_file_bytes: limits.max_file_bytes,
            max_time_ms: limits.max_time.as_millis().min(u64::MAX as u128) as u64,
        };
        let line = serde_json::to_string(&job).ok()?;
        if writeln!(running.input, "{line}").and_then(|_| running.input.flush()).is_err() {
            // The worker is gone: once more with a new one.
            self.stop();
            let mut fresh = self.start(limits).ok()?;
            writeln!(fresh.input, "{line}").and_then(|_| fresh.input.flush()).ok()?;
            self.running = Some(fresh);
        }
        let running = self.running.as_mut()?;

        // The wall-clock kill: a watchdog that the answer cancels.
        let killed = Arc::new(AtomicBool::new(false));
        let (cancel, cancelled) = mpsc::channel::<()>();
        let watched = Arc::clone(&running.child);
        let flag = Arc::clone(&killed);
        let budget = limits.max_time.saturating_add(KILL_GRACE.min(limits.max_time));
        let watchdog = std::thread::Builder::new().name("tietopankki-worker-watchdog".to_string()).spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = cancelled.recv_timeout(budget) {
                flag.store(true, Ordering::SeqCst);
                if let Ok(mut child) = watched.lock() {
                    let _ = child.kill();
                }
            }
        });

        let mut answer = String::new();
        let read = running.output.read_line(&mut answer);
        let _ = cancel.send(());
        if let Ok(watchdog) = watchdog {
            let _ = watchdog.join();
        }
        let parsed = match read {
            Ok(n) if n > 0 => serde_json::from_str::<Answer>(&answer).ok(),
            _ => None,
        };
        match parsed {
            Some(answer) => Some(answer),
            None => {
                let status = self.stop();
                let reason = if killed.load(Ordering::SeqCst) {
                    tracing::warn!(path = %path.display(), "extraction timed out; worker killed");
                    FileError::TimedOut(limits.max_time.as_secs().max(1))
                } else {
                    tracing::warn!(path = %path.display(), ?status, "extraction worker died");
                    died_of(status, limits)
                };
                Some(Err(reason))
            }
        }
    }

    /// Ends the worker process (if any) and returns how it ended.
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let running = self.running.take()?;
        drop(running.input);
        let mut child = running.child.lock().ok()?;
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing its input ends a worker's loop; it is then reaped.
        if let Some(running) = self.running.take() {
            drop(running.input);
            if let Ok(mut child) = running.child.lock() {
                let _ = child.wait();
            }
        }
    }
}

/// Why a worker died without an answer. Out of address space, Rust aborts
/// (SIGABRT) or the kernel kills (SIGKILL, SIGSEGV on a failed stack map).
fn died_of(status: Option<std::process::ExitStatus>, limits: &ExtractLimits) -> FileError {
    use std::os::unix::process::ExitStatusExt;
    let mb = limits.max_memory_bytes / (1024 * 1024);
    match status.and_then(|s| s.signal()) {
        Some(6) | Some(9) | Some(11) | Some(7) => FileError::MemoryLimit(mb),
        Some(signal) => FileError::Internal(format!("the reader process ended with signal {signal}")),
        None => FileError::Internal("the reader process ended without an answer".to_string()),
    }
}
