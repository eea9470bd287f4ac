//! The HTTP service (feature `server`): JSON API and web page over a [`crate::KnowledgeBank`].
//!
//! [`run`] is `tietopankki serve`: it syncs the index with the documents
//! folder, starts watching the folder (feature `watch`, with a periodic
//! re-scan as a fallback) and serves until Ctrl-C or SIGTERM. [`start`] does
//! the same on a background thread and hands back a [`Server`] handle, for
//! tests and for embedding.
//!
//! Routes: `/` (the search page), `/documents/{path}` (original files),
//! `/assets/*` (embedded CSS and JS), `/api/search`, `/api/documents`,
//! `/api/documents/{path}`, `/api/status`, `/api/openapi.json`,
//! `POST /api/reindex` (only with an admin token) and `/healthz`.

mod api;
mod docs;
mod error;
mod feed;
mod i18n;
mod listen;
mod pages;
mod params;
mod reply;
mod request;
mod routes;
mod state;
mod templates;
mod urls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::config::Config;
use crate::error::{Error, Result};

use self::state::AppState;

/// Runs the service until Ctrl-C or SIGTERM.
///
/// Syncs the index first, prints the address to open, then serves while the
/// documents folder is watched. On a signal it stops accepting connections,
/// lets running requests finish and waits for a running sync to commit.
pub fn run(config: Config) -> Result<()> {
    init_logging();
    // Bind first: a busy port is reported before any indexing work.
    let socket = bind(&config.addr)?;
    let prepared = Prepared::new(config)?;
    let runtime = build_runtime()?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(socket)?;
        let addr = listener.local_addr()?;
        let state = prepared.state.clone();
        let documents = state.bank.status().map(|s| s.documents).unwrap_or(0);
        println!(
            "tietopankki: serving {documents} documents from {} at http://{addr}/",
            state.config.documents_dir.display()
        );
        tracing::info!(%addr, documents, "listening");
        listen::serve(state, listener, shutdown_signal()).await;
        Ok::<(), Error>(())
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    prepared.finish();
    result
}

/// A server running on a background thread (see [`start`]).
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server gracefully and waits for it (and any running sync) to finish.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Starts the service on a background thread: syncs the index, binds the
/// address (use port 0 for any free port), starts the watcher and returns
/// once the server accepts connections. Logging is left to the caller.
pub fn start(config: Config) -> Result<Server> {
    let socket = bind(&config.addr)?;
    let prepared = Prepared::new(config)?;
    let runtime = build_runtime()?;
    let listener = runtime.block_on(async { tokio::net::TcpListener::from_std(socket) })?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("tietopankki-server".to_string()).spawn(move || {
        let state = prepared.state.clone();
        runtime.block_on(listen::serve(state, listener, async move {
            let _ = stop_rx.await;
        }));
        runtime.shutdown_timeout(std::time::Duration::from_secs(10));
        prepared.finish();
    })?;
    Ok(Server { addr, stop: Some(stop_tx), thread: Some(thread) })
}

/// The bank, synced and watched, before the listener exists.
struct Prepared {
    state: Arc<AppState>,
    watcher: state::Watching,
    _serving: state::ServeLock,
}

impl Prepared {
    fn new(config: Config) -> Result<Prepared> {
        config.check()?;
        if !config.documents_dir.is_dir() {
            return Err(Error::DocumentsNotFound(config.documents_dir.clone()));
        }
        // Before any work: a second server on this index stops here.
        let serving = state::ServeLock::acquire(&config.index_dir)?;
        let bank = crate::KnowledgeBankBuilder::from_config(&config)?.open()?;
        let state = Arc::new(AppState::new(Arc::new(bank), config)?);
        state.sync_now("startup")?;
        let watcher = state::Watching::start(&state);
        Ok(Prepared { state, watcher, _serving: serving })
    }

    /// Stops the watcher and text recognition, and waits for a running sync to finish.
    fn finish(self) {
        self.state.begin_shutdown();
        self.watcher.stop();
        self.state.wait_for_recognition();
        self.state.wait_for_sync();
        tracing::info!("stopped");
    }
}

/// Binds the listening socket (non-blocking, for tokio).
fn bind(addr: &str) -> Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| Error::Io(std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"))))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn build_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("tietopankki-http").build()?)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();
}
