//! Proxies in front of a recording origin, and the recorder that keeps what they forward.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::background::Background;
use crate::diff::lifecycle::{free_port, Process, TempDir};
use crate::diff::{Implementation, Message, Observation, Role};
use crate::parse::{parse_stream, Options, Verdict};

use super::client::{exchange, Ending};
use super::client::{readings_of_responses, Answer};
use super::origin::reads_plain_request;
use super::{read_h1wire, Prepare, ProxySetup, DEADLINE, MAX_ANSWER};

/// The origin behind a proxy: it records the bytes of each upstream connection and answers
/// the first request on it (as h1wire reads it) with `X-H1spec-Seq: N`, then closes, so that
/// each connection carries one message as the proxy means it.
pub(super) struct Recorder {
    pub(super) addr: SocketAddr,
    pub(super) log: Arc<Mutex<Vec<Recorded>>>,
    server: Background,
}

impl Recorder {
    pub(super) fn start() -> Result<Recorder, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let server = Background::serve(listener, 64, move |conn, _| record(conn, &l)).map_err(|e| e.to_string())?;
        Ok(Recorder { addr: server.addr(), log, server })
    }

    /// Waits (at most `within`) until no upstream connection is open.
    pub(super) fn settle(&self, within: Duration) {
        let until = Instant::now() + within;
        while self.server.active() > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// What one upstream connection carried.
#[derive(Clone, Debug)]
pub(super) struct Recorded {
    pub(super) bytes: Vec<u8>,
}

/// One upstream connection: read until h1wire has a whole request and 20 ms pass without more
/// bytes (so that bytes the proxy sends after what h1wire takes as the end are kept too), or
/// until [`RECORDER_QUIET`] passes without bytes, or h1wire refuses; then answer and close.
pub(super) fn record(mut conn: TcpStream, log: &Mutex<Vec<Recorded>>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0; 16 * 1024];
    let mut last = Instant::now();
    let mut continued = false;
    let mut verdict = None;
    let _ = conn.set_read_timeout(Some(Duration::from_millis(10)));
    loop {
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                last = Instant::now();
                // h1wire's reading changes only when bytes arrive.
                verdict = parse_stream(&got, &Options::default()).into_iter().next();
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        let quiet = last.elapsed();
        let done = match &verdict {
            Some(Verdict::Accept { .. }) => quiet >= Duration::from_millis(20),
            Some(Verdict::Reject { status: Some(_), .. }) => true,
            Some(Verdict::Reject { stage: Some(crate::parse::Stage::Body), .. })
                if !continued && crate::head::expects_continue(&got) =>
            {
                // The proxy waits for a 100 before it sends the body (RFC 9110 §10.1.1).
                continued = true;
                let _ = conn.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
                false
            }
            _ => quiet >= RECORDER_QUIET,
        };
        if done || started.elapsed() > DEADLINE || got.len() > MAX_ANSWER {
            break;
        }
    }
    let seq = {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(Recorded { bytes: got });
        log.len() - 1
    };
    let answer = format!("HTTP/1.1 200 OK\r\nX-H1spec-Seq: {seq}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = conn.write_all(answer.as_bytes());
    let _ = conn.shutdown(Shutdown::Both);
}

/// The proxy's own reading of what it forwarded: the message it wrote. Its output is
/// normalised, so h1wire's reading is the proxy's; where h1wire refuses it (a proxy may forward
/// what h1wire's rules forbid: no Host, a control byte in a value, more fields than h1wire's
/// limit), the lenient reading (no rule but its own framing fields).
pub fn proxy_message(bytes: &[u8]) -> Message {
    proxy_message_of(bytes)
}

/// Whether the client's `stream` could have supplied the body the head of `forwarded`
/// announces, after the client's own head for that request (the first whose request line has
/// the same method and, in origin-form, target; else the first): as many bytes as its
/// Content-Length (a length past 2^64 never), or a chunked body through its last chunk; no
/// framing field announces nothing, which any stream supplies.
pub fn could_supply(forwarded: &[u8], stream: &[u8]) -> bool {
    let (m, _) = lenient(forwarded);
    let field = |name: &[u8]| m.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let path = crate::head::target_path;
    // The client's request line this message came from, and the bytes after its head.
    let mut at = 0;
    let mut start = None;
    for line in stream.split_inclusive(|&b| b == b'\n') {
        let (method, rest) = line.split_at(line.iter().position(|&b| b == b' ').unwrap_or(0));
        let target = rest.trim_ascii().split(|&b| b == b' ').next().unwrap_or_default();
        if start.is_none() && method == m.method.as_slice() && path(target) == path(&m.target) {
            start = Some(at);
        }
        at += line.len();
    }
    let head = start.unwrap_or(0);
    let after = crate::head::head_end(&stream[head..])
        .or_else(|| stream[head..].windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .map_or(stream.len(), |end| head + end);
    let rest = &stream[after..];
    if is_chunked(&m) {
        return dechunk(rest).1;
    }
    match field(b"content-length") {
        Some(v) => {
            std::str::from_utf8(&v).ok().and_then(|v| v.trim().parse::<usize>().ok()).is_some_and(|n| n <= rest.len())
        }
        None => true,
    }
}

/// Whether `bytes` hold the whole body their own framing fields announce (read with no rule
/// but those fields).
pub fn whole_message(bytes: &[u8]) -> bool {
    !bytes.is_empty() && lenient(bytes).1
}

fn proxy_message_of(bytes: &[u8]) -> Message {
    match read_h1wire(bytes).messages.into_iter().next() {
        Some(m) => m,
        None => lenient(bytes).0,
    }
}

/// A message read with no rule but its own framing, for bytes a proxy wrote: the request line
/// split at spaces, every line up to an empty one split at its first colon, and the body its
/// own framing fields give (chunked, then Content-Length, then none). Also says whether the
/// bytes hold that whole body: a proxy streaming a body its client cut short sends less.
pub(super) fn lenient(bytes: &[u8]) -> (Message, bool) {
    let (m, whole, _) = lenient_counted(bytes);
    (m, whole)
}

/// Whether a message a proxy wrote is chunked: any of its Transfer-Encoding lines names chunked
/// (a proxy may write an empty one before the real one).
fn is_chunked(m: &Message) -> bool {
    m.fields.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case(b"transfer-encoding") && v.to_ascii_lowercase().windows(7).any(|w| w == b"chunked")
    })
}

/// [`lenient`], and how many bytes the message took (all of them when it is not whole).
fn lenient_counted(bytes: &[u8]) -> (Message, bool, usize) {
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    let mut used = 0;
    let mut take = || {
        lines.next().map(|l| {
            used += l.len();
            l.trim_ascii_end()
        })
    };
    let start = take().unwrap_or_default();
    let mut parts = start.splitn(3, |&b| b == b' ');
    let mut m = Message {
        method: parts.next().unwrap_or_default().to_vec(),
        target: parts.next().unwrap_or_default().to_vec(),
        version: String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned(),
        ..Message::default()
    };
    let mut ended = false;
    while let Some(line) = take() {
        if line.is_empty() {
            ended = true;
            break;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            m.fields.push((line[..colon].to_vec(), line[colon + 1..].trim_ascii().to_vec()));
        }
    }
    if !ended {
        return (m, false, bytes.len());
    }
    let body = &bytes[used..];
    let field = |name: &[u8]| m.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    if is_chunked(&m) {
        let (decoded, whole, took) = dechunk_counted(body);
        m.body = decoded;
        return (m, whole, used + took);
    }
    let Some(length) = field(b"content-length") else { return (m, true, used) };
    // A length too large for a usize (2^64 and up) is a body no stream here holds: not whole.
    match std::str::from_utf8(&length).ok().and_then(|v| v.trim().parse::<usize>().ok()) {
        Some(n) if body.len() >= n => {
            m.body = body[..n].to_vec();
            (m, true, used + n)
        }
        Some(_) => {
            m.body = body.to_vec();
            (m, false, bytes.len())
        }
        None => (m, false, bytes.len()),
    }
}

/// The messages a proxy wrote on one upstream connection, in order, each framed by the fields
/// it wrote: its bytes, the message, and whether it is whole (only the last may not be). A proxy that keeps its
/// upstream connection open (HAProxy with an origin that does) writes several.
pub fn proxy_messages(bytes: &[u8]) -> Vec<(&[u8], Message, bool)> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (_, whole, took) = lenient_counted(rest);
        let one = &rest[..took.min(rest.len())];
        let message = proxy_message_of(one);
        // After a CONNECT its origin accepts, the connection is a tunnel (RFC 9110 §9.3.6): what
        // the proxy relays next is the client's bytes, not messages it wrote.
        let tunnel = message.method == b"CONNECT";
        out.push((one, message, whole));
        if !whole || took == 0 || tunnel {
            break;
        }
        rest = &rest[took.min(rest.len())..];
    }
    out
}

/// Chunked data decoded leniently (sizes in hex, extensions and trailers skipped), and whether
/// the last chunk was reached.
pub(super) fn dechunk(body: &[u8]) -> (Vec<u8>, bool) {
    let (out, whole, _) = dechunk_counted(body);
    (out, whole)
}

/// [`dechunk`], and how many bytes the body took (through its trailer section when whole).
fn dechunk_counted(all: &[u8]) -> (Vec<u8>, bool, usize) {
    let mut out = Vec::new();
    let mut body = all;
    let used = |rest: &[u8]| all.len() - rest.len();
    loop {
        let Some(eol) = body.iter().position(|&b| b == b'\n') else { return (out, false, all.len()) };
        let line = body[..eol].trim_ascii_end();
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let Some(size) = std::str::from_utf8(&line[..digits]).ok().and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            return (out, false, all.len());
        };
        body = &body[eol + 1..];
        if size == 0 {
            // The trailer section ends with an empty line (RFC 9112 §7.1.2): the body is whole
            // only once that line came.
            let end = if body.starts_with(b"\r\n") {
                Some(2)
            } else if body.starts_with(b"\n") {
                Some(1)
            } else {
                let crlf = body.windows(3).position(|w| w == b"\n\r\n").map(|i| i + 3);
                let lf = body.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
                crlf.into_iter().chain(lf).min()
            };
            return match end {
                Some(n) => (out, true, used(&body[n..])),
                None => (out, false, all.len()),
            };
        }
        if body.len() < size {
            out.extend_from_slice(body);
            return (out, false, all.len());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        let skip = body.iter().take(2).take_while(|&&b| b == b'\r' || b == b'\n').count();
        body = &body[skip..];
    }
}

/// How long a proxy must stay silent before its answer is taken as complete: longer than
/// [`RECORDER_QUIET`], so that the answer to a message h1wire finds incomplete (which the
/// recorder gives once the proxy has sent nothing more for that long) still reaches the client.
pub const PROXY_QUIET: Duration = Duration::from_millis(450);

/// How long the recorder waits, after the last byte of a message h1wire finds incomplete,
/// before it takes the proxy to have ended the message there.
pub const RECORDER_QUIET: Duration = Duration::from_millis(250);

/// A proxy in front of a [`Recorder`]. It reads one stream at a time, so that the recorder's
/// log is that stream's: a [`Pool`] lends each instance to one reader.
pub(super) struct Proxy {
    pub(super) addr: SocketAddr,
    pub(super) recorder: Recorder,
    pub(super) _process: Process,
    pub(super) _tmp: TempDir,
}

impl Proxy {
    pub(super) fn start(name: &str, setup: &ProxySetup, peers: &Path) -> Result<Proxy, String> {
        let recorder = Recorder::start()?;
        let (addr, process, tmp) = launch(name, setup, peers, recorder.addr.port())?;
        let proxy = Proxy { addr, recorder, _process: process, _tmp: tmp };
        reads_plain_request(name, |s| proxy.read(s))?;
        Ok(proxy)
    }
}

/// Starts the proxy `setup` describes, forwarding to 127.0.0.1:`upstream`, in a folder of its
/// own, and waits until it listens.
pub(crate) fn launch(
    name: &str,
    setup: &ProxySetup,
    peers: &Path,
    upstream: u16,
) -> Result<(SocketAddr, Process, TempDir), String> {
    let tmp = TempDir::new(name)?;
    let port = free_port()?;
    let dir = tmp.path();
    match setup.prepare {
        Prepare::Nothing => {}
        Prepare::TmpDir => std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?,
        Prepare::WorldReadable => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
        }
    }
    let text = std::fs::read_to_string(peers.join("proxies").join(setup.template))
        .map_err(|e| format!("{}: {e}", setup.template))?
        .replace("@PORT@", &port.to_string())
        .replace("@ORIGIN@", &upstream.to_string())
        .replace("@DIR@", &dir.display().to_string());
    let config = dir.join(setup.config);
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    let mut command = Command::new(setup.program);
    for arg in setup.args {
        match *arg {
            "@CONFIG@" => command.arg(&config),
            "@DIR@" => command.arg(dir),
            other => command.arg(other),
        };
    }
    command.current_dir(dir);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut process = Process::start(name, &mut command, Some(&dir.join("stdout.log")))?;
    process.wait_listening(addr, Duration::from_secs(20))?;
    Ok((addr, process, tmp))
}

/// One instance of something that reads one stream at a time (a proxy and its recorder, a
/// chain and its tap: what they record must be one stream's).
pub(super) trait Instance: Send {
    fn read(&self, stream: &[u8]) -> Result<Observation, String>;
}

/// Instances of one peer; a stream takes whichever is free.
pub(super) struct Pool<T> {
    pub(super) name: String,
    pub(super) role: Role,
    /// For a chain: its proxy's name.
    pub(super) proxy: Option<String>,
    pub(super) free: Mutex<Vec<T>>,
    pub(super) ready: std::sync::Condvar,
}

impl<T: Instance> Pool<T> {
    pub(super) fn new(name: &str, role: Role, proxy: Option<String>, all: Vec<T>) -> Self {
        Pool { name: name.into(), role, proxy, free: Mutex::new(all), ready: std::sync::Condvar::new() }
    }
}

impl<T: Instance> Implementation for Pool<T> {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let instance = loop {
            match free.pop() {
                Some(p) => break p,
                None => free = self.ready.wait(free).unwrap_or_else(|e| e.into_inner()),
            }
        };
        drop(free);
        let seen = instance.read(stream);
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(instance);
        self.ready.notify_one();
        seen
    }
    fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }
}

impl Instance for Proxy {
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        Proxy::read(self, stream)
    }
}

impl Proxy {
    pub(super) fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        self.recorder.settle(Duration::from_secs(1));
        self.recorder.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let answer = exchange(self.addr, stream, Ending::Idle(PROXY_QUIET))?;
        self.recorder.settle(Duration::from_secs(1));
        let log = self.recorder.log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let seq = |r: &Answer| -> Option<usize> {
            r.field("x-h1spec-seq").and_then(|v| std::str::from_utf8(v).ok()).and_then(|v| v.trim().parse().ok())
        };
        // A response relayed from the recorder answers the request the proxy forwarded there.
        let to_head = |r: &Answer| seq(r).and_then(|n| log.get(n)).is_some_and(|c| c.bytes.starts_with(b"HEAD "));
        let relayed = std::cell::RefCell::new(Vec::new());
        let mut reading = readings_of_responses(&answer, to_head, |r| {
            let n = seq(r).ok_or("a response with a bad X-H1spec-Seq")?;
            let c = log.get(n).ok_or("a response the recorder did not send")?;
            relayed.borrow_mut().push(whole_message(&c.bytes));
            Ok(proxy_message(&c.bytes))
        });
        // The recorder answers a body that stops coming once it has been quiet a while; a proxy
        // still streaming a body its client never finished has not ended that message: it
        // waits for the rest, as a server would.
        if let Some(first_partial) = relayed.into_inner().iter().position(|whole| !whole) {
            if first_partial < reading.messages.len() {
                reading.messages.truncate(first_partial);
                reading.end = crate::diff::End::Cut { stage: crate::diff::Stage::Body };
            }
        }
        // Every connection that carried bytes: the proxy ended a message there. (A connection
        // opened and left empty is no message.)
        let forwarded = log.into_iter().filter(|c| !c.bytes.is_empty()).map(|c| c.bytes).collect();
        Ok(Observation { reading, forwarded })
    }
}

/// Starts a proxy named `name` as `setup` says, in front of a recording origin, as `instances`
/// instances (a proxy no descriptor names: the tests' toy proxies).
///
/// # Errors
///
/// It could not start, or did not forward a plain request.
pub fn start_proxy_with(name: &str, setup: &ProxySetup, instances: usize) -> Result<Box<dyn Implementation>, String> {
    let dir = super::peers_dir();
    let all = (0..instances.max(1)).map(|_| Proxy::start(name, setup, &dir)).collect::<Result<Vec<_>, _>>()?;
    Ok(Box::new(Pool::new(name, Role::Proxy, None, all)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorder_waits_for_a_body_a_proxy_streams_slowly() {
        let recorder = Recorder::start().unwrap();
        let mut conn = TcpStream::connect(recorder.addr).unwrap();
        conn.write_all(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello").unwrap();
        // Slower than h1wire's 20 ms for a whole message, within the recorder's quiet time.
        std::thread::sleep(RECORDER_QUIET / 2);
        conn.write_all(b"world").unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\nX-H1spec-Seq: 0"), "{answer}");
        recorder.settle(Duration::from_secs(1));
        let log = recorder.log.lock().unwrap();
        assert_eq!(log.len(), 1);
        assert!(log[0].bytes.ends_with(b"helloworld") && whole_message(&log[0].bytes), "the whole body was kept");
    }

    #[test]
    fn one_upstream_connection_kept_open_carries_several_messages() {
        let kept = b"GET /a HTTP/1.1\r\nHost: o\r\n\r\nPOST /b HTTP/1.1\r\nHost: o\r\nContent-Length: 3\r\n\r\nabcPOST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\nT: 1\r\n\r\nPOST /d HTTP/1.1\r\nContent-Length: 9\r\n\r\nab";
        let read: Vec<(String, String, bool)> = proxy_messages(kept)
            .iter()
            .map(|(_, m, whole)| (m.target.escape_ascii().to_string(), m.body.escape_ascii().to_string(), *whole))
            .collect();
        let want = [("/a", "", true), ("/b", "abc", true), ("/c", "xyz", true), ("/d", "ab", false)];
        assert_eq!(read, want.map(|(t, b, w)| (t.to_owned(), b.to_owned(), w)));
        assert_eq!(proxy_messages(kept)[3].0, b"POST /d HTTP/1.1\r\nContent-Length: 9\r\n\r\nab", "each its own bytes");
        assert_eq!(proxy_messages(b"GET / HTTP/1.1\r\n\r\n").len(), 1);
        let two_lines = b"POST / HTTP/1.0\r\ntransfer-encoding: \r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(proxy_messages(two_lines).len(), 1, "the second Transfer-Encoding line frames it");
        let tunnel = b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(proxy_messages(tunnel).len(), 1, "after a CONNECT, the bytes relayed are a tunnel's");
    }

    #[test]
    fn the_lenient_reading_frames_what_h1wire_refuses() {
        // No Host, a control byte in a value: h1wire refuses; the proxy's own framing still says
        // where the message ends.
        let (m, whole) = lenient(b"POST /a HTTP/1.1\r\nX: \x15\r\nContent-Length: 3\r\n\r\nabcGET");
        assert_eq!(
            (m.method.as_slice(), m.target.as_slice(), m.body.as_slice(), whole),
            (&b"POST"[..], &b"/a"[..], &b"abc"[..], true)
        );
        assert_eq!(proxy_message(b"POST /a HTTP/1.1\r\nX: \x15\r\nContent-Length: 3\r\n\r\nabc").body, b"abc");
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: 1\r\n\r\n";
        assert_eq!(lenient(chunked), (lenient(chunked).0, true));
        assert_eq!(lenient(chunked).0.body, b"hello");
        // Cut short: the body its head announces is not all there.
        assert!(!lenient(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").1);
        assert!(!lenient(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").1);
        // A last chunk whose trailer section never ends (the next request line is no trailer).
        assert!(!lenient(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nGET /x HTTP/1.1\r\n").1);
        assert!(lenient(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").1);
        assert!(!lenient(b"GET / HTTP/1.1\r\nHost: a\r\n").1, "no end of head");
        assert!(lenient(b"GET / HTTP/1.1\nHost: a\n\n").1, "bare LF heads too");
        let overflow = b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\nabc";
        assert!(!lenient(overflow).1, "a length past 2^64 is no whole message here");
        // Whether a client's stream could have supplied the body a forwarded head announces.
        let stream = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        assert!(could_supply(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", stream));
        assert!(!could_supply(overflow, stream), "no stream holds 2^64 bytes");
        assert!(!could_supply(b"POST / HTTP/1.1\r\nContent-Length: 500\r\n\r\n", stream));
        assert!(!could_supply(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\n\r\n5\r\nhello"
        ));
        // A length the whole stream holds, but not what follows this request's head.
        let short =
            b"GET / HTTP/1.1\r\nContent-Length: 50\r\nHost: a\r\n\r\nGET /h1spec-canary HTTP/1.1\r\nHost: h1spec\r\n";
        assert!(!could_supply(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\nGET /h1spec-canary", short));
        // A chunk larger than what follows, with a last-chunk line inside its data.
        let big = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nff\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        assert!(!could_supply(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nff\r\n0\r\n\r\n", big));
    }
}
