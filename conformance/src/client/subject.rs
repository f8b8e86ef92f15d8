//! Clients under test: h1wire's own [`Connection`] as a client, in process ([`H1wire`]), and any
//! other client through a shim ([`Shim`]): a program given two URLs as its last two arguments,
//! which fetches them in order (on one connection where its client reuses connections) and
//! prints one JSON line per URL, in `h1spec parse --response`'s shape: `{"verdict":"accept",
//! "status_code":200,"body":"…"}` (the body as Latin-1 text), or `{"verdict":"reject",
//! "error":"…"}` for the client's error. A URL whose path starts with `/HEAD/` is fetched with
//! HEAD. The contract is written out in `peers/clients/README.md`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use h1wire::conn::{ConnEvent, Connection, Role, State};
use h1wire::write::Request;
use h1wire::Version;

use super::origin::Origin;
use super::{canary_path, case_path, Fetched, Observed};
use crate::corpus::Case;
use crate::pipeline::Subject;

/// How long a client may take over a case's two URLs.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A client: it fetches two URLs in order and says what it made of each response.
pub trait Client: Sync {
    /// Its name in reports.
    fn name(&self) -> String;
    /// Fetches `first`, then `second`, on one connection where it reuses connections.
    fn fetch(&self, first: &str, second: &str) -> Observed;
}

/// A client against an origin: the [`Subject`] the pipeline runs.
pub struct Fetching<'a> {
    /// The client.
    pub client: &'a dyn Client,
    /// The origin serving the cases.
    pub origin: &'a Origin,
}

impl Subject for Fetching<'_> {
    type Observation = Observed;
    fn name(&self) -> String {
        self.client.name()
    }
    fn observe(&self, case: &Case) -> Observed {
        self.client.fetch(&self.origin.url(&case_path(case)), &self.origin.url(&canary_path(case)))
    }
}

/// h1wire's [`Connection`] in the client role, over TCP, as a user agent would use it: the
/// second URL goes on the same connection when both sides are idle after the first response,
/// on a new one otherwise.
pub struct H1wire;

impl Client for H1wire {
    fn name(&self) -> String {
        "h1wire".into()
    }

    fn fetch(&self, first: &str, second: &str) -> Observed {
        let until = Instant::now() + DEADLINE;
        let mut open = None;
        let first = fetch_one(&mut open, first, until);
        let second = fetch_one(&mut open, second, until);
        Observed { first, second }
    }
}

/// `http://host:port/path` as the address and the path.
fn split(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let slash = rest.find('/').unwrap_or(rest.len());
    Some((&rest[..slash], if slash < rest.len() { &rest[slash..] } else { "/" }))
}

fn fetch_one(open: &mut Option<(TcpStream, Connection)>, url: &str, until: Instant) -> Fetched {
    let Some((authority, path)) = split(url) else { return Fetched::Missing { why: format!("not a URL: {url}") } };
    let reusable = open.as_ref().is_some_and(|(_, c)| c.our_state() == State::Idle && c.their_state() == State::Idle);
    if !reusable {
        *open = match TcpStream::connect(authority) {
            Ok(s) => Some((s, Connection::new(Role::Client))),
            Err(e) => return Fetched::Missing { why: format!("cannot connect: {e}") },
        };
    }
    let Some((stream, conn)) = open.as_mut() else { return Fetched::Missing { why: "no connection".into() } };
    let method = if path.starts_with("/HEAD/") { "HEAD" } else { "GET" };
    let mut out = Vec::new();
    let request = Request { method, target: path, version: Version::Http11, fields: &[("Host", authority.as_bytes())] };
    if let Err(e) = conn.send_request(&request, &mut out).and_then(|()| conn.send_end(&[], &mut out)) {
        return Fetched::Missing { why: format!("h1wire would not write the request: {e:?}") };
    }
    if stream.write_all(&out).is_err() {
        *open = None;
        return Fetched::Reject { error: "the connection closed before the request went out".into() };
    }
    let result = read_response(stream, conn, until);
    if !matches!(result, Fetched::Accept { .. }) {
        *open = None;
    }
    result
}

/// Polls `conn`, reading from `stream` when it needs bytes, until the final response ends.
fn read_response(stream: &mut TcpStream, conn: &mut Connection, until: Instant) -> Fetched {
    let (mut status, mut body) = (None, Vec::new());
    let mut chunk = [0u8; 8192];
    loop {
        match conn.poll_event() {
            Ok(ConnEvent::Response { head, .. }) => {
                if head.status() >= 200 {
                    status = Some(head.status());
                }
            }
            Ok(ConnEvent::Data(d)) => body.extend_from_slice(d),
            Ok(ConnEvent::Trailers(_)) => {}
            Ok(ConnEvent::EndOfMessage | ConnEvent::SwitchedProtocol) => {
                if let Some(status) = status {
                    return Fetched::Accept { status, body };
                }
            }
            Ok(ConnEvent::NeedData) => {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Fetched::Missing { why: "no whole response before the deadline".into() };
                }
                let _ = stream.set_read_timeout(Some(left));
                match stream.read(&mut chunk) {
                    Ok(0) => conn.handle_eof(),
                    Ok(n) => conn.handle_bytes(&chunk[..n]),
                    Err(e) => return Fetched::Missing { why: format!("no whole response: {e}") },
                }
            }
            Ok(ConnEvent::ConnectionClosed) => {
                return Fetched::Reject { error: "the connection closed before a response".into() }
            }
            Ok(other @ (ConnEvent::Request { .. } | ConnEvent::Paused)) => {
                return Fetched::Missing { why: format!("h1wire said {other:?}") }
            }
            Err(e) => return Fetched::Reject { error: format!("{}: {e}", e.kind().name()) },
        }
    }
}

/// The client shims in `peers/clients/`, by name: the name, the program, the script.
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    ("curl", "python3", "curl_client.py"),
    ("python-http-client", "python3", "python_http_client.py"),
    ("urllib3", "python3", "urllib3_client.py"),
    ("h11", "python3", "h11_client.py"),
    ("node-http", "node", "node_http.js"),
    ("node-fetch", "node", "node_fetch.js"),
];

/// The shim of a built-in client, by name (`curl`, `urllib3`, …: [`BUILT_IN`]).
pub fn built_in(name: &str) -> Option<Shim> {
    let &(name, program, script) = BUILT_IN.iter().find(|(n, _, _)| *n == name)?;
    let path = crate::diff::peers::peers_dir().join("clients").join(script);
    Some(Shim { name: name.into(), program: program.into(), args: vec![path.display().to_string()] })
}

/// Why a built-in client cannot run here (its program, or its Python module, is missing), or
/// `None` when it can.
pub fn missing(name: &str) -> Option<String> {
    let &(name, program, _) = BUILT_IN.iter().find(|(n, _, _)| *n == name)?;
    // What the shim needs: its interpreter, and the client itself where that is not the
    // interpreter's own (curl's program, a Python module).
    let runs =
        |program: &str, args: &[&str]| Command::new(program).args(args).output().is_ok_and(|out| out.status.success());
    if !runs(program, &["--version"]) {
        return Some(format!("{program} is not installed"));
    }
    match name {
        "urllib3" | "h11" if !runs("python3", &["-c", &format!("import {name}")]) => {
            Some(format!("Python's {name} is not installed (pip install {name})"))
        }
        "curl" if !runs("curl", &["--version"]) => Some("curl is not installed".into()),
        _ => None,
    }
}

/// A client behind a shim: `program` run with `args` and the two URLs.
pub struct Shim {
    /// The name in reports.
    pub name: String,
    /// The program.
    pub program: String,
    /// Its arguments before the URLs.
    pub args: Vec<String>,
}

impl Client for Shim {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn fetch(&self, first: &str, second: &str) -> Observed {
        let missing =
            |why: String| Observed { first: Fetched::Missing { why: why.clone() }, second: Fetched::Missing { why } };
        let child = Command::new(&self.program)
            .args(&self.args)
            .args([first, second])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return missing(format!("{} does not start: {e}", self.program)),
        };
        let Some(mut stdout) = child.stdout.take() else { return missing("no output".into()) };
        // Read on a thread of its own so that a shim that hangs is killed at the deadline.
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let until = Instant::now() + DEADLINE;
        while child.try_wait().ok().flatten().is_none() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        let late = child.try_wait().ok().flatten().is_none();
        if late {
            let _ = child.kill();
        }
        let _ = child.wait();
        let text = reader.join().unwrap_or_default();
        let mut lines = text.lines().filter(|l| !l.trim().is_empty()).map(fetched_of_line);
        let why = if late { "the client ran past its deadline" } else { "the client printed no line for it" };
        let mut next = || lines.next().unwrap_or_else(|| Fetched::Missing { why: why.into() });
        let first = next();
        Observed { first, second: next() }
    }
}

/// One line of a shim's output.
pub fn fetched_of_line(line: &str) -> Fetched {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
        return Fetched::Missing { why: format!("not JSON: {}", line.chars().take(80).collect::<String>()) };
    };
    match v.get("verdict").and_then(|x| x.as_str()) {
        Some("accept") => {
            let status = v.get("status_code").and_then(serde_json::Value::as_u64).and_then(|s| u16::try_from(s).ok());
            let body = v.get("body").and_then(|b| b.as_str()).map(crate::contract::bytes_of_latin1).unwrap_or_default();
            match status {
                Some(status) => Fetched::Accept { status, body },
                None => Fetched::Missing { why: "an accept line without a status_code".into() },
            }
        }
        Some("reject") => {
            let error = v.get("error").and_then(|e| e.as_str()).unwrap_or("an error").to_owned();
            Fetched::Reject { error }
        }
        _ => Fetched::Missing { why: format!("no verdict: {}", line.chars().take(80).collect::<String>()) },
    }
}
