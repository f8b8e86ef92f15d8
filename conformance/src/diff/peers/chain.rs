//! Real proxy → real origin chains: a proxy whose upstream is an echo origin, through a tap that
//! keeps what crossed each upstream connection in both directions.
//!
//! The tap is what makes a chain judgeable. An origin that reads a request the proxy never
//! meant (one hidden in a body) answers it on the upstream connection; the proxy, expecting one
//! response, may drop the extra one, so the client alone would never see it. The tap sees the
//! origin's every answer, and each answer is the origin's reading of a request (an echo), so the
//! chain's reading is exactly what reached the origin.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::background::Background;
use crate::diff::lifecycle::{Process, TempDir};
use crate::diff::{End, Implementation, Observation, Reading, Role};

use super::client::{exchange, Ending};
use super::origin::echoes;
use super::proxy::{launch, Instance, Pool, PROXY_QUIET};
use super::{ProxySetup, DEADLINE, MAX_ANSWER};

/// What crossed one upstream connection.
#[derive(Clone, Debug)]
pub(super) struct Crossed {
    /// From the proxy to the origin.
    pub(super) to_origin: Vec<u8>,
    /// From the origin to the proxy.
    pub(super) from_origin: Vec<u8>,
    /// The origin closed its side.
    pub(super) origin_closed: bool,
    /// When bytes last crossed, either way.
    pub(super) last: Instant,
}

impl Default for Crossed {
    fn default() -> Self {
        Crossed { to_origin: Vec::new(), from_origin: Vec::new(), origin_closed: false, last: Instant::now() }
    }
}

type Log = Arc<Mutex<Vec<Arc<Mutex<Crossed>>>>>;

/// A relay between a proxy and an origin that keeps what it relays.
pub(super) struct Tap {
    addr: SocketAddr,
    log: Log,
    /// Both ends of every connection relayed since the last reset, to close them at the next.
    open: Arc<Mutex<Vec<TcpStream>>>,
    _server: Background,
}

impl Tap {
    pub(super) fn start(origin: SocketAddr) -> Result<Tap, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let log: Log = Arc::default();
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (l, o) = (Arc::clone(&log), Arc::clone(&open));
        let server = Background::serve(listener, 64, move |proxy_side, stop| relay(proxy_side, origin, &l, &o, stop))
            .map_err(|e| e.to_string())?;
        Ok(Tap { addr: server.addr(), log, open, _server: server })
    }

    /// Closes every connection relayed so far and forgets what crossed them, so that what the
    /// tap keeps next is one stream's.
    fn reset(&self) {
        for s in self.open.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Waits (at most `within`) until no bytes have crossed for `quiet`: an origin slowed by a
    /// busy machine still gets to answer what it read.
    fn settle(&self, quiet: Duration, within: Duration) {
        let until = Instant::now() + within;
        while Instant::now() < until {
            // Only the times are looked at: nothing is copied while the tap waits.
            let busy = self
                .log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|c| c.lock().unwrap_or_else(|e| e.into_inner()).last.elapsed() < quiet);
            if !busy {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn crossed(&self) -> Vec<Crossed> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().map(|c| c.lock().unwrap_or_else(|e| e.into_inner()).clone()).collect()
    }
}

/// Relays one connection from the proxy to `origin` and back, keeping at most [`MAX_ANSWER`]
/// bytes each way, until either side closes, the tap resets or [`DEADLINE`] twice over.
fn relay(proxy_side: TcpStream, origin: SocketAddr, log: &Log, open: &Mutex<Vec<TcpStream>>, stop: &AtomicBool) {
    let Ok(origin_side) = TcpStream::connect_timeout(&origin, Duration::from_secs(2)) else { return };
    let entry = Arc::new(Mutex::new(Crossed::default()));
    log.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::clone(&entry));
    {
        let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
        open.extend(proxy_side.try_clone().ok());
        open.extend(origin_side.try_clone().ok());
    }
    let until = Instant::now() + 2 * DEADLINE;
    let (Ok(from_proxy), Ok(to_proxy)) = (proxy_side.try_clone(), proxy_side.try_clone()) else { return };
    let (Ok(from_origin), Ok(to_origin)) = (origin_side.try_clone(), origin_side.try_clone()) else { return };
    let back = Arc::clone(&entry);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let closed = pump(from_origin, to_proxy, until, stop, |b| {
                let mut c = back_of(&back);
                keep(&mut c.from_origin, b);
                c.last = Instant::now();
            });
            back_of(&back).origin_closed = closed;
        });
        pump(from_proxy, to_origin, until, stop, |b| {
            let mut c = back_of(&entry);
            keep(&mut c.to_origin, b);
            c.last = Instant::now();
        });
    });
}

fn back_of(entry: &Mutex<Crossed>) -> std::sync::MutexGuard<'_, Crossed> {
    entry.lock().unwrap_or_else(|e| e.into_inner())
}

fn keep(into: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_ANSWER.saturating_sub(into.len());
    into.extend_from_slice(&bytes[..room.min(bytes.len())]);
}

/// Copies `from` to `to` until `from` ends (then half-closes `to`), either fails, or the time or
/// the tap is up. Returns whether `from` closed.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    until: Instant,
    stop: &AtomicBool,
    mut record: impl FnMut(&[u8]),
) -> bool {
    let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
    let mut buf = [0; 16 * 1024];
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        match from.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return true;
            }
            Ok(n) => {
                record(&buf[..n]);
                if to.write_all(&buf[..n]).is_err() {
                    return false;
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return false,
        }
    }
    false
}

/// A proxy in front of an echo origin, through a [`Tap`].
pub(super) struct Chain {
    addr: SocketAddr,
    tap: Tap,
    _process: Process,
    _tmp: TempDir,
}

impl Chain {
    pub(super) fn start(name: &str, setup: &ProxySetup, peers: &Path, origin: SocketAddr) -> Result<Chain, String> {
        let tap = Tap::start(origin)?;
        let (addr, process, tmp) = launch(name, setup, peers, tap.addr.port())?;
        let chain = Chain { addr, tap, _process: process, _tmp: tmp };
        let seen = chain.read(b"GET /h1spec-check HTTP/1.1\r\nHost: h1spec\r\n\r\n")?.reading;
        match seen.messages.first() {
            Some(m) if m.target == b"/h1spec-check" => Ok(chain),
            _ => Err(format!("{name}: the origin did not read a plain request through the proxy: {}", seen.summary())),
        }
    }
}

impl Instance for Chain {
    /// The stream through the proxy; the reading is the origin's, from its answers on every
    /// upstream connection in the order they opened, and `forwarded` what crossed each.
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        self.tap.reset();
        exchange(self.addr, stream, Ending::Idle(PROXY_QUIET))?;
        // The proxy may fall silent while a busy origin is still reading: let what the origin
        // answers cross the tap before it is read.
        self.tap.settle(Duration::from_millis(250), Duration::from_millis(2000));
        let crossed = self.tap.crossed();
        self.tap.reset();
        let mut reading = Reading { messages: Vec::new(), end: End::Closed };
        for c in &crossed {
            let r = echoes(&c.from_origin);
            let silent_close = r.messages.is_empty() && c.origin_closed && !c.to_origin.is_empty();
            reading.messages.extend(r.messages);
            if let End::Refused { .. } = r.end {
                reading.end = r.end;
                break;
            }
            if silent_close {
                // Closing without a word is how some origins refuse.
                let error = "the origin closed the connection without answering".to_owned();
                reading.end =
                    End::Refused { status: 0, error, rule: None, read_on: false, stage: crate::diff::Stage::Unknown };
                break;
            }
        }
        let forwarded = crossed.into_iter().map(|c| c.to_origin).filter(|b| !b.is_empty()).collect();
        Ok(Observation { reading, forwarded })
    }
}

/// Starts the proxy `proxy`, as `setup` says, in front of the running echo origin `origin`, as
/// `instances` instances.
///
/// # Errors
///
/// `origin` is not a running echo origin, or the chain could not start or carry a plain
/// request.
pub fn start_chain_with(
    proxy: &str,
    setup: &ProxySetup,
    origin: &dyn Implementation,
    instances: usize,
) -> Result<Box<dyn Implementation>, String> {
    let addr = origin.listens().ok_or_else(|| format!("{} is not an echo origin", origin.name()))?;
    let name = super::chain_name(proxy, origin.name());
    let dir = super::peers_dir();
    let all = (0..instances.max(1)).map(|_| Chain::start(&name, setup, &dir, addr)).collect::<Result<Vec<_>, _>>()?;
    Ok(Box::new(Pool::new(&name, Role::Chain, Some(proxy.to_owned()), all)))
}
