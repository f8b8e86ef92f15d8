//! The hostile origin: each response case on its own path, sent exactly as its bytes say, with
//! the canary held back until the client asks for it. Bounded: a connection gets at most
//! [`MAX_REQUESTS`] answers and lives at most [`DEADLINE`], and a request head longer than
//! [`MAX_HEAD`] ends it, so a client that never reads, never closes or floods cannot hold it.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::CANARY;
use crate::background::Background;
use crate::corpus::{Case, Expect};

/// How long the canary is held back after a case's response, waiting for the client to ask.
pub const HOLD: Duration = Duration::from_millis(300);

/// The longest a connection is served.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// The most answers on one connection.
pub const MAX_REQUESTS: usize = 8;

/// The longest request head read.
pub const MAX_HEAD: usize = 16 * 1024;

/// What is sent for a case's path.
#[derive(Clone, Debug)]
struct Served {
    /// The case's response as the RFC frames it: its first `consumed` bytes.
    bytes: Vec<u8>,
    /// The origin closes after it: its body is delimited by the close (RFC 9112 §6.3 rule 8),
    /// or it is cut short (a case whose reading is "incomplete").
    close: bool,
}

/// The origin, serving until dropped.
pub struct Origin {
    server: Background,
    /// How many connections are holding a canary back now.
    holding: Arc<AtomicUsize>,
}

impl Origin {
    /// Starts an origin on 127.0.0.1 (an ephemeral port) serving `cases`.
    ///
    /// # Errors
    ///
    /// The port cannot be bound.
    pub fn start<'a>(cases: impl IntoIterator<Item = &'a Case>) -> io::Result<Origin> {
        let served: HashMap<String, Served> = cases
            .into_iter()
            .map(|c| {
                let all = c.bytes();
                let end = framed_len(c).filter(|&n| n <= all.len());
                let bytes = all[..end.unwrap_or(all.len())].to_vec();
                let close = c.framing.as_deref() == Some("until-close")
                    || c.expect == Expect::Incomplete
                    || (interim_len(c) > 0 && final_until_close(c));
                (c.id.clone(), Served { bytes, close })
            })
            .collect();
        let served = Arc::new(served);
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let holding = Arc::new(AtomicUsize::new(0));
        let h = Arc::clone(&holding);
        let server = Background::serve(listener, 64, move |conn, stop| serve(conn, &served, &h, stop))?;
        Ok(Origin { server, holding })
    }

    /// Waits (at most `within`) until no connection holds a canary back: every canary a
    /// client did not ask for has been sent, and its connection half-closed.
    pub fn settle(&self, within: Duration) {
        let until = Instant::now() + within;
        while self.holding.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// A URL for `path` on it.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }
}

/// h1wire's reading of a case's response as a user agent reads it (obs-fold unfolded, RFC 9112
/// §5.2), which the corpus tests hold to each case: where the response ends, and what it says.
///
/// Past interim responses: the reading is the final response's, and it ends where that ends.
/// RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior to
/// a final response, even if the client does not expect one."
pub fn user_agent_reading(case: &Case) -> crate::parse::Verdict {
    let bytes = case.bytes();
    let interim = interim_len(case);
    let mut verdict = user_agent_reading_of(case, &bytes[interim..]);
    let before = interim as u64;
    match &mut verdict {
        crate::parse::Verdict::Accept { consumed, .. } => *consumed += before,
        crate::parse::Verdict::Reject { offset, .. } => *offset += before,
    }
    verdict
}

/// How many bytes of interim responses (1xx other than 101, which ends HTTP/1.1 on the
/// connection) a case's response starts with, as a user agent reads them.
pub fn interim_len(case: &Case) -> usize {
    let bytes = case.bytes();
    let mut start = 0;
    while let crate::parse::Verdict::Accept { status_code: Some(status), consumed, .. } =
        user_agent_reading_of(case, &bytes[start..])
    {
        let Ok(used) = usize::try_from(consumed) else { break };
        if !(100..200).contains(&status) || status == 101 || used == 0 {
            break;
        }
        start += used;
    }
    start
}

/// Whether the final response after a case's interim ones is delimited by the close: one more
/// byte after it would be read as more of its body (RFC 9112 §6.3 rule 8).
fn final_until_close(case: &Case) -> bool {
    let bytes = case.bytes();
    let interim = interim_len(case);
    let end = |b: &[u8]| match user_agent_reading_of(case, b) {
        crate::parse::Verdict::Accept { consumed, .. } => Some(consumed),
        crate::parse::Verdict::Reject { .. } => None,
    };
    let more = [&bytes[interim..], b"x"].concat();
    matches!((end(&bytes[interim..]), end(&more)), (Some(a), Some(b)) if b > a)
}

/// [`user_agent_reading`] of other bytes than the case's (a reading the RFC allows beside its
/// first one: [`super::judge`]).
pub fn user_agent_reading_of(case: &Case, bytes: &[u8]) -> crate::parse::Verdict {
    let options = crate::parse::Options {
        response: true,
        request_method: case.request_method.clone(),
        user_agent: true,
        ..crate::parse::Options::default()
    };
    crate::parse::parse(bytes, &options)
}

/// Where a case's response ends as the RFC frames it: the case's `consumed`, else where
/// [`user_agent_reading`] ends it; `None` for a response it refuses (all of it is sent).
pub fn framed_len(case: &Case) -> Option<usize> {
    // A case's `consumed` is where its first message ends; past interim responses, the
    // response a client reads ends with the final one.
    if let (0, Some(n)) = (interim_len(case), case.consumed) {
        return usize::try_from(n).ok();
    }
    match user_agent_reading(case) {
        crate::parse::Verdict::Accept { consumed, .. } => usize::try_from(consumed).ok(),
        crate::parse::Verdict::Reject { .. } => None,
    }
}

/// What came next on a connection.
enum Next {
    /// A request head, by its path.
    Request(String),
    /// Nothing before the time given.
    Quiet,
    /// The client closed, sent a head too long, or the connection failed.
    Closed,
}

/// Reads the next request head from `conn` (bytes after it stay in `buf`) until `until`.
fn next_request(conn: &mut TcpStream, buf: &mut Vec<u8>, until: Instant, stop: &AtomicBool) -> Next {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = crate::head::head_end(buf) {
            let head: Vec<u8> = buf.drain(..end).collect();
            let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
            let target = line.split(|&b| b == b' ').nth(1).unwrap_or_default();
            // An absolute-form target (from a proxy) names the path after its authority.
            return Next::Request(String::from_utf8_lossy(crate::head::target_path(target)).into_owned());
        }
        if buf.len() > MAX_HEAD || stop.load(Ordering::Relaxed) {
            return Next::Closed;
        }
        if Instant::now() >= until {
            return Next::Quiet;
        }
        match conn.read(&mut chunk) {
            Ok(0) => return Next::Closed,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
            Err(_) => return Next::Closed,
        }
    }
}

/// The case a path asks for: `/c/ID/1`, or `/HEAD/c/ID/1`.
fn case_of<'a>(path: &str, served: &'a HashMap<String, Served>) -> Option<&'a Served> {
    let path = path.strip_prefix("/HEAD").unwrap_or(path);
    let id = path.strip_prefix("/c/")?.strip_suffix("/1")?;
    served.get(id)
}

/// One connection: each case path gets its response, then the canary once the client asks
/// for the next response (or [`HOLD`] passes); any other path gets the canary.
///
/// A canary nobody asked for ends what the origin sends on the connection (it half-closes):
/// a client still reading the case's body has its bytes, and a client or proxy that read the
/// case's response as the RFC does and keeps the connection idle (for another request later)
/// sees the close, instead of a stale canary answering its next request.
fn serve(mut conn: TcpStream, served: &HashMap<String, Served>, holding: &AtomicUsize, stop: &AtomicBool) {
    let _ = conn.set_read_timeout(Some(Duration::from_millis(20)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(1)));
    let until = Instant::now() + DEADLINE;
    let mut buf = Vec::new();
    let mut answered = 0;
    while answered < MAX_REQUESTS {
        let Next::Request(path) = next_request(&mut conn, &mut buf, until, stop) else { break };
        answered += 1;
        let Some(case) = case_of(&path, served) else {
            if conn.write_all(CANARY).is_err() {
                break;
            }
            continue;
        };
        if conn.write_all(&case.bytes).is_err() {
            break;
        }
        if case.close {
            // The body ends where the connection does.
            break;
        }
        holding.fetch_add(1, Ordering::SeqCst);
        let next = next_request(&mut conn, &mut buf, (Instant::now() + HOLD).min(until), stop);
        let sent = !matches!(next, Next::Closed) && conn.write_all(CANARY).is_ok();
        if matches!(next, Next::Quiet) && sent {
            // A client still reading the case's body gets the canary's bytes as more of it.
            let _ = conn.shutdown(Shutdown::Write);
        }
        holding.fetch_sub(1, Ordering::SeqCst);
        match next {
            // The client asked for its next response: the canary answered it.
            Next::Request(_) if sent => answered += 1,
            Next::Quiet if sent => {
                // Read on until the client closes (closing first would reset the connection
                // and could discard the canary before the client reads it).
                let _ = conn.set_read_timeout(Some(
                    until.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)),
                ));
                let _ = std::io::copy(&mut (&conn).take(1 << 20), &mut std::io::sink());
                break;
            }
            _ => break,
        }
    }
    let _ = conn.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, raw: &str, consumed: Option<u64>) -> Case {
        let text = format!("[section]\nid = \"t\"\ntitle = \"t\"\n[[case]]\nid = \"{id}\"\nrfc = [\"RFC 9112 §6.3\"]\nlevel = \"MUST\"\nrole = \"response\"\nraw = '{raw}'\nexpect = \"accept\"\n");
        let mut section = crate::corpus::load_str("t.toml", &text).expect("a case");
        let mut c = section.cases.remove(0);
        c.consumed = consumed;
        c
    }

    fn talk(origin: &Origin, send: &[&[u8]], pause: Duration) -> Vec<u8> {
        let mut conn = TcpStream::connect(origin.addr()).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        for (i, bytes) in send.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(pause);
            }
            conn.write_all(bytes).unwrap();
        }
        let mut got = Vec::new();
        let _ = conn.read_to_end(&mut got);
        got
    }

    #[test]
    fn the_canary_waits_for_the_clients_next_request_or_the_pause() {
        let c = case("short", "HTTP/1.1 204 No Content\\r\\nContent-Length: 5\\r\\n\\r\\nhello", Some(46));
        let origin = Origin::start([&c]).unwrap();
        let first = format!("GET {} HTTP/1.1\r\nHost: a\r\n\r\n", super::super::case_path(&c));
        let second = b"GET /c/short/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        // Asked at once: the 204 as the RFC frames it ("hello" is never sent), then the canary.
        let got = talk(&origin, &[first.as_bytes(), second], Duration::ZERO);
        let want = [&b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"[..], CANARY].concat();
        assert!(got.starts_with(&want), "{}", got.escape_ascii());
        // Never asked: the canary comes anyway once the pause ends.
        let mut conn = TcpStream::connect(origin.addr()).unwrap();
        conn.write_all(first.as_bytes()).unwrap();
        conn.set_read_timeout(Some(HOLD * 3)).unwrap();
        let mut got = Vec::new();
        let started = Instant::now();
        while !got.ends_with(CANARY) && started.elapsed() < HOLD * 3 {
            let mut chunk = [0; 512];
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
        assert!(got.ends_with(CANARY) && started.elapsed() >= HOLD, "{}", got.escape_ascii());
    }

    #[test]
    fn a_canary_nobody_asked_for_ends_the_connection_and_settles() {
        let c = case("ok", "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok", None);
        let origin = Origin::start([&c]).unwrap();
        let mut conn = TcpStream::connect(origin.addr()).unwrap();
        conn.write_all(b"GET /c/ok/1 HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
        conn.set_read_timeout(Some(DEADLINE)).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        origin.settle(HOLD * 3);
        assert!(started.elapsed() >= HOLD / 2, "it waited for the hold");
        // The response, the canary, then the origin's end of the connection, long before its
        // deadline: an idle connection kept by a proxy shows the close, not a stale answer.
        let mut got = Vec::new();
        conn.read_to_end(&mut got).unwrap();
        assert_eq!(got, [&b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"[..], CANARY].concat());
        assert!(started.elapsed() < DEADLINE / 2);
    }

    #[test]
    fn a_client_that_never_reads_or_floods_cannot_hold_it() {
        let c = case("big", "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok", None);
        let origin = Origin::start([&c]).unwrap();
        // Requests without end, never read: the origin stops at its caps and closes.
        let mut conn = TcpStream::connect(origin.addr()).unwrap();
        conn.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
        let request = b"GET /c/big/1 HTTP/1.1\r\nHost: a\r\n\r\n".repeat(50);
        let _ = conn.write_all(&request);
        let started = Instant::now();
        let flood = vec![b'a'; MAX_HEAD * 2];
        let _ = TcpStream::connect(origin.addr()).and_then(|mut c| c.write_all(&flood));
        // A client that resets at once.
        drop(TcpStream::connect(origin.addr()).unwrap());
        // The origin still answers a plain request afterwards, well within its deadline.
        let got = talk(&origin, &[b"GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"], Duration::ZERO);
        assert!(got.starts_with(CANARY), "{}", got.escape_ascii());
        assert!(started.elapsed() < DEADLINE, "it did not wait on the clients that hold on");
    }
}
