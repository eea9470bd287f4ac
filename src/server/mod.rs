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
mod http;
mod i18n;
mod page;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::KnowledgeBank;

use self::state::AppState;

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

/// Runs the service until Ctrl-C or SIGTERM.
///
/// Syncs the index first, prints the address to open, then serves while the
/// documents folder is watched. On a signal it stops accepting connections,
/// lets running requests finish and waits for a running sync to commit.
pub fn run(config: ServeConfig) -> Result<()> {
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
        serve(state, listener, shutdown_signal()).await;
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
pub fn start(config: ServeConfig) -> Result<Server> {
    let socket = bind(&config.addr)?;
    let prepared = Prepared::new(config)?;
    let runtime = build_runtime()?;
    let listener = runtime.block_on(async { tokio::net::TcpListener::from_std(socket) })?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new().name("tietopankki-server".to_string()).spawn(move || {
        let state = prepared.state.clone();
        runtime.block_on(serve(state, listener, async move {
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
    fn new(config: ServeConfig) -> Result<Prepared> {
        if !config.documents_dir.is_dir() {
            return Err(Error::DocumentsNotFound(config.documents_dir.clone()));
        }
        // Before any work: a second server on this index stops here.
        let serving = state::ServeLock::acquire(&config.index_dir)?;
        let mut builder = KnowledgeBank::builder()
            .documents_dir(&config.documents_dir)
            .index_dir(&config.index_dir)
            .limits(config.limits)
            .ocr(config.ocr.clone());
        if let Some(exe) = &config.extract_worker {
            builder = builder.extract_worker(exe);
        }
        if let Some(path) = &config.glossary {
            builder = builder.glossary(crate::Glossary::load(path)?);
        }
        let bank = builder.open()?;
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

/// How long a client may take to send the headers of a request, and how
/// long a kept-alive connection may wait idle for the next one.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a connection may stay open, whatever it does.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(600);
/// Most connections open at once. When all are taken, a new client is not
/// left waiting: the connection that has waited longest without a request
/// being answered (a slow or idle client) is closed to make room.
const MAX_CONNECTIONS: usize = 256;
/// Most connections one client address may hold. Past it, that client's
/// own oldest idle connection gives way (or, all busy, the new one is
/// refused), so one machine cannot take every place from the others.
const MAX_PER_CLIENT: usize = 64;
/// Largest request head (request line and headers) read, in bytes.
const MAX_HEAD_BYTES: usize = 96 * 1024;

/// One open connection, as the accept loop sees it.
struct ConnectionSlot {
    accepted: std::time::Instant,
    /// The client's address (without the port).
    client: std::net::IpAddr,
    /// Requests being answered on it now.
    busy: std::sync::atomic::AtomicUsize,
    /// Told to close to make room for a new client.
    close: tokio::sync::Notify,
}

/// The open connections, so that a slow client can give way to a new one.
#[derive(Default)]
struct Connections {
    open: std::sync::Mutex<std::collections::HashMap<u64, Arc<ConnectionSlot>>>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u64, Arc<ConnectionSlot>>> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new connection from `client`. When that client already
    /// holds [`MAX_PER_CLIENT`] connections, first closes its oldest one
    /// answering no request; when all [`MAX_CONNECTIONS`] places are taken,
    /// the oldest such one of anybody. `None` when there is none to close
    /// (the new one is then refused).
    fn admit(&self, id: u64, client: std::net::IpAddr) -> Option<Arc<ConnectionSlot>> {
        use std::sync::atomic::Ordering;
        let mut open = self.lock();
        let own = open.values().filter(|slot| slot.client == client).count();
        if own >= MAX_PER_CLIENT || open.len() >= MAX_CONNECTIONS {
            let only_own = own >= MAX_PER_CLIENT;
            let oldest_idle = open
                .iter()
                .filter(|(_, slot)| !only_own || slot.client == client)
                .filter(|(_, slot)| slot.busy.load(Ordering::SeqCst) == 0)
                .min_by_key(|(_, slot)| slot.accepted)
                .map(|(&id, _)| id);
            let slot = open.remove(&oldest_idle?)?;
            slot.close.notify_one();
        }
        let slot = Arc::new(ConnectionSlot {
            accepted: std::time::Instant::now(),
            client,
            busy: std::sync::atomic::AtomicUsize::new(0),
            close: tokio::sync::Notify::new(),
        });
        open.insert(id, Arc::clone(&slot));
        Some(slot)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }
}

/// Counts a request as being answered while it lives.
struct Busy(Arc<ConnectionSlot>);

impl Busy {
    fn new(slot: &Arc<ConnectionSlot>) -> Busy {
        slot.busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Busy(Arc::clone(slot))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let service = hyper_util::service::TowerToHyperService::new(warp::service(http::routes(state)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Connections::default());
    let mut next_id = 0u64;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer.ip()),
                Err(err) => {
                    // Out of file descriptors, typically: wait a moment.
                    tracing::warn!(%err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        next_id += 1;
        let id = next_id;
        let Some(slot) = connections.admit(id, client) else {
            tracing::warn!("every connection is busy answering; a new one is refused");
            drop(stream);
            continue;
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES);
        let per_connection = service.clone();
        let counted = Arc::clone(&slot);
        let connection = builder.serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper::service::service_fn(move |request| {
                let busy = Busy::new(&counted);
                let answer = hyper::service::Service::call(&per_connection, request);
                async move {
                    let answer = answer.await;
                    drop(busy);
                    answer
                }
            }),
        );
        let connection = graceful.watch(connection);
        let connections = Arc::clone(&connections);
        tokio::spawn(async move {
            tokio::select! {
                ended = tokio::time::timeout(CONNECTION_LIFETIME, connection) => match ended {
                    Ok(Ok(())) => {}
                    Ok(Err(err)) => tracing::debug!(%err, "connection ended with an error"),
                    Err(_) => tracing::debug!("connection open too long: closed"),
                },
                _ = slot.close.notified() => tracing::debug!("slow or idle connection closed to make room"),
            }
            connections.remove(id);
        });
    }
    drop(listener);
    tracing::debug!("no new connections; letting requests in flight finish");
    // Requests in flight may finish; connections still open after the grace period are dropped.
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after {} s; closing them", SHUTDOWN_GRACE.as_secs());
        }
    }
}

/// How long requests in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use std::sync::atomic::Ordering;

    const ONE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn one_client_gives_way_to_itself_and_never_takes_the_others_places() {
        let connections = Connections::default();
        let others: Vec<_> = (0..10u64).filter_map(|id| connections.admit(id, OTHER)).collect();
        assert_eq!(others.len(), 10);
        // The other client's connections are busy answering: never closed for this one.
        for slot in &others {
            slot.busy.fetch_add(1, Ordering::SeqCst);
        }
        for id in 100..100 + MAX_PER_CLIENT as u64 + 50 {
            assert!(connections.admit(id, ONE).is_some(), "client refused at {id}");
        }
        let open = connections.lock();
        assert_eq!(open.values().filter(|s| s.client == ONE).count(), MAX_PER_CLIENT);
        assert_eq!(open.values().filter(|s| s.client == OTHER).count(), 10);
        // The newest of the client's connections stay; its oldest were closed.
        assert!(open.contains_key(&(100 + MAX_PER_CLIENT as u64 + 49)));
        assert!(!open.contains_key(&100));
    }

    #[test]
    fn a_client_whose_connections_are_all_busy_is_refused_another() {
        let connections = Connections::default();
        for id in 0..MAX_PER_CLIENT as u64 {
            let slot = connections.admit(id, ONE);
            assert!(slot.is_some());
            if let Some(slot) = slot {
                slot.busy.fetch_add(1, Ordering::SeqCst);
            }
        }
        assert!(connections.admit(999, ONE).is_none());
        assert!(connections.admit(1000, OTHER).is_some(), "another client still gets in");
    }

    #[test]
    fn when_every_place_is_taken_the_oldest_idle_of_anybody_gives_way() {
        let connections = Connections::default();
        let mut id = 0u64;
        // Many clients, fewer than the per-client cap each, fill every place.
        while connections.lock().len() < MAX_CONNECTIONS {
            let client = IpAddr::V4(Ipv4Addr::new(10, 0, (id / 32) as u8, 1));
            assert!(connections.admit(id, client).is_some());
            id += 1;
        }
        assert!(connections.admit(id, OTHER).is_some());
        let open = connections.lock();
        assert_eq!(open.len(), MAX_CONNECTIONS);
        assert!(!open.contains_key(&0), "the oldest idle connection was closed");
    }
}
