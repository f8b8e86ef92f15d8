//! A server on a thread of its own: it accepts connections until it is dropped, serves each on a
//! thread of its own, at most a given number at once, and on drop stops accepting and joins
//! its accept loop. The reference server, the diff's recording origin and the tests' flawed and
//! hostile servers all run on it.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A connection handler: the connection, and the flag that says the server is stopping (a
/// handler that may run long checks it).
pub type Handler = dyn Fn(TcpStream, &AtomicBool) + Send + Sync + 'static;

/// A server running in the background; dropping it stops it.
pub struct Background {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    accept: Option<JoinHandle<()>>,
}

impl Background {
    /// Serves `listener` with `handle`, at most `max` connections at once (more are closed as
    /// they arrive).
    ///
    /// # Errors
    ///
    /// The listener's address cannot be read.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let server = h1spec::background::Background::serve(listener, 8, |mut conn, _| {
    ///     let _ = conn.write_all(b"hi");
    /// })
    /// .unwrap();
    /// let mut got = String::new();
    /// std::net::TcpStream::connect(server.addr()).unwrap().read_to_string(&mut got).unwrap();
    /// assert_eq!(got, "hi");
    /// ```
    pub fn serve(
        listener: TcpListener,
        max: usize,
        handle: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static,
    ) -> io::Result<Background> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (Arc::clone(&stop), Arc::clone(&active));
        let accept = std::thread::spawn(move || accept(&listener, &flag, &count, max, Arc::new(handle)));
        Ok(Background { addr, stop, active, accept: Some(accept) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections it is serving now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Accepts on `listener` until `stop` is set (checked at each connection), serving each
/// connection with `handle` on a thread of its own, at most `max` at once; `active` counts them.
pub fn accept(
    listener: &TcpListener,
    stop: &Arc<AtomicBool>,
    active: &Arc<AtomicUsize>,
    max: usize,
    handle: Arc<Handler>,
) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(conn) = conn else { continue };
        if active.load(Ordering::SeqCst) >= max {
            drop(conn);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (stop, active, handle) = (Arc::clone(stop), Arc::clone(active), Arc::clone(&handle));
        std::thread::spawn(move || {
            handle(conn, &stop);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}
