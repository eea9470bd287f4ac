//! The connection loop: hyper's HTTP/1 connections, served by the warp
//! filter of [`super::routes`].
//!
//! warp's own `serve` cannot give what this loop does: a timeout for
//! reading a request's headers (a slow client holding a connection open),
//! a cap on open connections overall and per client address (with the
//! oldest idle one giving way), a cap on the size of a request head, a
//! longest lifetime per connection, and a graceful shutdown with a grace
//! period.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::routes;
use super::state::AppState;

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

/// Serves `listener` until `shutdown` resolves, then lets requests in
/// flight finish for a grace period.
pub(super) async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let service = hyper_util::service::TowerToHyperService::new(warp::service(routes::routes(state)));
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
