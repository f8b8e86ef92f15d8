//! The reference server: a small HTTP/1.1 server built only on h1wire's [`Connection`] and
//! `std::net`, one thread per connection. `h1spec` with no arguments probes it; `h1spec serve
//! ADDR` runs it on its own.
//!
//! - `GET /` (and `HEAD /`): 200 with a short body.
//! - `POST /echo`: the request body back (Content-Length or chunked; `Expect: 100-continue` is
//!   answered with `100 Continue`).
//! - `Upgrade: echo` on any request: 101, then every byte is echoed back raw, including bytes
//!   that arrived in the same read as the upgrade request.
//! - anything else: 404. A malformed request: the status h1wire names, then close.
//!
//! In echo mode ([`start_echo`], `h1spec serve --echo`), the origin `h1spec diff` compares:
//! every request is answered with 200 and its reading as JSON (method, target, version,
//! headers, trailers, body; strings in base64) and `X-H1spec-Echo: 1`.
//!
//! HTTP/1.0 and 1.1, keep-alive and pipelining come from [`Connection`]. Bounded: at most 64
//! connections at once, a 10 s read timeout, 16 MiB request bodies.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;
use std::time::Duration;

use h1wire::conn::{ConnEvent, Connection, Role, State};
use h1wire::write::Response;
use h1wire::Version;

use crate::background::Background;

use crate::contract::Echo;

/// Connections served at once; more are closed at accept.
pub const MAX_CONNECTIONS: usize = 64;
/// The largest request body kept.
pub const MAX_BODY: usize = 16 << 20;
/// How long a connection may stay silent.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The small site described above.
    Site,
    /// Every request answered with its reading, as JSON.
    Echo,
}

/// What the server keeps of a request until it answers it.
#[derive(Default)]
struct Pending {
    method: String,
    path: String,
    upgrade_echo: bool,
    body: Vec<u8>,
    /// In echo mode: the reading so far.
    echo: Option<Echo>,
    /// The request carried Upgrade (echo mode closes after answering it, as a server that
    /// does not switch may).
    upgrade_requested: bool,
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn b64_fields(fields: h1wire::Fields<'_>) -> Vec<[String; 2]> {
    fields.iter().map(|f| [b64(f.name().as_bytes()), b64(&f.unfolded_value())]).collect()
}

fn answer_echo(conn: &mut Connection, req: &mut Pending, out: &mut Vec<u8>) -> Result<(), h1wire::write::WriteError> {
    let mut echo = req.echo.take().unwrap_or_default();
    echo.body = b64(&req.body);
    let body = serde_json::to_string(&echo).expect("an echo serializes");
    let len = body.len().to_string();
    fn ok<'a>(fields: &'a [(&'a str, &'a [u8])]) -> Response<'a> {
        Response { version: Version::Http11, status: 200, reason: b"OK", fields }
    }
    if req.method == "HEAD" || req.method == "CONNECT" {
        // No body may follow: the reading goes in a header. A 2xx to CONNECT switches the
        // connection, which the echo server then closes.
        let json = b64(body.as_bytes());
        let fields = [("Content-Length", &b"0"[..]), ("X-H1spec-Echo-Json", json.as_bytes())];
        conn.send_response(&ok(&fields), out)?;
        return conn.send_end(&[], out);
    }
    let close: &[u8] = if req.upgrade_requested { b"close" } else { b"keep-alive" };
    let fields = [
        ("Content-Type", &b"application/json"[..]),
        ("Content-Length", len.as_bytes()),
        ("X-H1spec-Echo", b"1"),
        ("Connection", close),
    ];
    conn.send_response(&ok(&fields), out)?;
    conn.send_data(body.as_bytes(), out)?;
    conn.send_end(&[], out)
}

fn answer(conn: &mut Connection, req: &Pending, out: &mut Vec<u8>) -> Result<(), h1wire::write::WriteError> {
    if req.upgrade_echo {
        let fields = [("Connection", &b"upgrade"[..]), ("Upgrade", &b"echo"[..])];
        let head = Response { version: Version::Http11, status: 101, reason: b"Switching Protocols", fields: &fields };
        conn.send_response(&head, out)?;
        return conn.send_end(&[], out);
    }
    let (status, reason, body): (u16, &[u8], &[u8]) = match (req.method.as_str(), req.path.as_str()) {
        ("GET" | "HEAD", "/") => (200, b"OK", b"hello from h1wire\n"),
        ("POST", "/echo") => (200, b"OK", &req.body),
        _ => (404, b"Not Found", b"not found\n"),
    };
    let len = body.len().to_string();
    let fields = [("Content-Type", &b"application/octet-stream"[..]), ("Content-Length", len.as_bytes())];
    conn.send_response(&Response { version: Version::Http11, status, reason, fields: &fields }, out)?;
    if req.method != "HEAD" {
        conn.send_data(body, out)?;
    }
    conn.send_end(&[], out)
}

fn serve(mut stream: TcpStream, mode: Mode) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut conn = Connection::new(Role::Server);
    let mut req = Pending::default();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let mut out = Vec::new();
        loop {
            match conn.poll_event() {
                Ok(ConnEvent::Request { head, expects_continue, .. }) => {
                    let upgrade = head.fields().get("upgrade").is_some_and(|u| u.eq_ignore_ascii_case(b"echo"));
                    let echo = (mode == Mode::Echo).then(|| Echo {
                        method: b64(head.method().as_bytes()),
                        target: b64(head.target().as_str().as_bytes()),
                        version: head.version().as_str().to_owned(),
                        headers: b64_fields(head.fields()),
                        ..Echo::default()
                    });
                    req = Pending {
                        method: head.method().to_owned(),
                        path: head.target().path().to_owned(),
                        upgrade_echo: upgrade && head.version() == Version::Http11 && mode == Mode::Site,
                        body: Vec::new(),
                        echo,
                        upgrade_requested: upgrade || head.connection_options().upgrade(),
                    };
                    if expects_continue && (mode == Mode::Echo || (req.method == "POST" && req.path == "/echo")) {
                        let head = Response { version: Version::Http11, status: 100, reason: b"Continue", fields: &[] };
                        conn.send_response(&head, &mut out).map_err(io::Error::other)?;
                    }
                }
                Ok(ConnEvent::Data(data)) => {
                    if req.body.len() + data.len() > MAX_BODY {
                        return Err(io::Error::other("request body over the example's limit"));
                    }
                    req.body.extend_from_slice(data);
                }
                Ok(ConnEvent::Trailers(trailers)) => {
                    if let Some(echo) = req.echo.as_mut() {
                        echo.trailers = b64_fields(trailers);
                    }
                }
                Ok(ConnEvent::EndOfMessage | ConnEvent::Response { .. }) => {}
                Ok(ConnEvent::Paused) => {
                    if conn.our_state() != State::SendResponse {
                        break;
                    }
                    match mode {
                        Mode::Site => answer(&mut conn, &req, &mut out),
                        Mode::Echo => answer_echo(&mut conn, &mut req, &mut out),
                    }
                    .map_err(io::Error::other)?;
                }
                Ok(ConnEvent::NeedData) => break,
                Ok(ConnEvent::ConnectionClosed) => {
                    stream.write_all(&out)?;
                    return Ok(());
                }
                Ok(ConnEvent::SwitchedProtocol) => {
                    stream.write_all(&out)?;
                    if mode == Mode::Echo {
                        return stream.shutdown(std::net::Shutdown::Both);
                    }
                    return echo_raw(stream, conn.take_unconsumed());
                }
                Err(_) => {
                    // Answer with the status h1wire names (none if the client vanished mid-message).
                    let _ = conn.send_error_response(&mut out);
                    stream.write_all(&out)?;
                    return stream.shutdown(std::net::Shutdown::Both);
                }
            }
        }
        stream.write_all(&out)?;
        if conn.our_state() == State::MustClose {
            return stream.shutdown(std::net::Shutdown::Both);
        }
        match stream.read(&mut buf)? {
            0 => conn.handle_eof(),
            n => conn.handle_bytes(&buf[..n]),
        }
    }
}

/// After the upgrade: the stream is ours. Echo what came with the upgrade request, then the rest.
fn echo_raw(mut stream: TcpStream, early: Vec<u8>) -> io::Result<()> {
    stream.write_all(&early)?;
    let mut buf = [0; 16 * 1024];
    loop {
        match stream.read(&mut buf)? {
            0 => return Ok(()),
            n => stream.write_all(&buf[..n])?,
        }
    }
}

/// A reference server running on its own threads; dropping it stops it.
pub type Running = Background;

/// Starts the server on `listener`, in the background.
///
/// # Errors
///
/// The listener's address cannot be read.
pub fn start(listener: TcpListener) -> io::Result<Running> {
    start_with(listener, Mode::Site)
}

/// Starts the server in echo mode on `listener`, in the background.
///
/// # Errors
///
/// The listener's address cannot be read.
pub fn start_echo(listener: TcpListener) -> io::Result<Running> {
    start_with(listener, Mode::Echo)
}

fn start_with(listener: TcpListener, mode: Mode) -> io::Result<Running> {
    Background::serve(listener, MAX_CONNECTIONS, move |stream, _| {
        let _ = serve(stream, mode);
    })
}

/// Serves `listener` in `mode` in this thread, until the process ends (`h1spec serve`).
pub fn serve_forever(listener: &TcpListener, mode: Mode) {
    let handle: Arc<crate::background::Handler> = Arc::new(move |stream, _: &AtomicBool| {
        let _ = serve(stream, mode);
    });
    let (stop, active) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    crate::background::accept(listener, &stop, &active, MAX_CONNECTIONS, handle);
}
