//! Clients under test: h1wire's own [`Connection`] as a client, in process ([`H1wire`]), and any
//! other client through a shim ([`Shim`]): a program given two URLs as its last two arguments,
//! which fetches them in order (on one connection where its client reuses connections) and
//! prints one JSON line per URL, in `h1spec parse --response`'s shape: `{"verdict":"accept",
//! "status_code":200,"body":"…"}` (the body as Latin-1 text), or `{"verdict":"reject",
//! "error":"…"}` for the client's error. A URL whose path starts with `/HEAD/` is fetched with
//! HEAD. The contract is written out in `peers/clients/README.md`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
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
        fetch_with_h1wire(first, second, None).0
    }
}

/// h1wire's client fetching two URLs, connecting to `via` in place of the URLs' own address
/// when it is given (a reverse proxy in front of the origin); also the bytes the first
/// response came in (all that was read while it was read).
pub(super) fn fetch_with_h1wire(first: &str, second: &str, via: Option<SocketAddr>) -> (Observed, Vec<u8>) {
    let until = Instant::now() + DEADLINE;
    let mut open = None;
    let mut raw = Vec::new();
    let first = fetch_one(&mut open, first, via, &mut raw, until);
    let second = fetch_one(&mut open, second, via, &mut Vec::new(), until);
    (Observed { first, second }, raw)
}

/// `http://host:port/path` as the address and the path.
fn split(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let slash = rest.find('/').unwrap_or(rest.len());
    Some((&rest[..slash], if slash < rest.len() { &rest[slash..] } else { "/" }))
}

fn fetch_one(
    open: &mut Option<(TcpStream, Connection)>,
    url: &str,
    via: Option<SocketAddr>,
    raw: &mut Vec<u8>,
    until: Instant,
) -> Fetched {
    let Some((authority, path)) = split(url) else { return Fetched::Missing { why: format!("not a URL: {url}") } };
    let reusable = open.as_ref().is_some_and(|(_, c)| c.our_state() == State::Idle && c.their_state() == State::Idle);
    if !reusable {
        let connected = match via {
            Some(addr) => TcpStream::connect(addr),
            None => TcpStream::connect(authority),
        };
        *open = match connected {
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
    let result = read_response(stream, conn, raw, until);
    if !matches!(result, Fetched::Accept { .. }) {
        *open = None;
    }
    result
}

/// Polls `conn`, reading from `stream` when it needs bytes, until the final response ends.
fn read_response(stream: &mut TcpStream, conn: &mut Connection, raw: &mut Vec<u8>, until: Instant) -> Fetched {
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
                    Ok(n) => {
                        raw.extend_from_slice(&chunk[..n]);
                        conn.handle_bytes(&chunk[..n]);
                    }
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

/// How a built-in client's shim runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// A script in `peers/clients/`, run by an interpreter (`python3`, `node`).
    Script {
        /// The interpreter.
        program: &'static str,
        /// The script.
        file: &'static str,
    },
    /// A Go program in `peers/clients/`, built once with `go build`.
    Go {
        /// The source file.
        file: &'static str,
    },
    /// A Rust crate in `peers/clients/`, built once with `cargo build --release`, outside the
    /// workspace (its dependencies are the client's, not h1spec's).
    Cargo {
        /// The crate's directory.
        dir: &'static str,
    },
}

/// A client h1spec ships a shim for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltIn {
    /// Its name (`h1spec client NAME`).
    pub name: &'static str,
    /// How its shim runs.
    pub runner: Runner,
    /// The Python module the client is, where it is one (`import NAME` must work).
    pub module: Option<&'static str>,
    /// The program the client is, where it is one the shim runs (curl).
    pub program: Option<&'static str>,
}

impl BuiltIn {
    const fn script(name: &'static str, program: &'static str, file: &'static str) -> BuiltIn {
        BuiltIn { name, runner: Runner::Script { program, file }, module: None, program: None }
    }

    /// Where its shim is, under the repository's `peers/clients/`.
    pub fn source(&self) -> String {
        match self.runner {
            Runner::Script { file, .. } | Runner::Go { file } => format!("peers/clients/{file}"),
            Runner::Cargo { dir } => format!("peers/clients/{dir}"),
        }
    }
}

/// The client shims in `peers/clients/`.
pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn { program: Some("curl"), ..BuiltIn::script("curl", "python3", "curl_client.py") },
    BuiltIn::script("python-http-client", "python3", "python_http_client.py"),
    BuiltIn { module: Some("urllib3"), ..BuiltIn::script("urllib3", "python3", "urllib3_client.py") },
    BuiltIn { module: Some("h11"), ..BuiltIn::script("h11", "python3", "h11_client.py") },
    BuiltIn { module: Some("aiohttp"), ..BuiltIn::script("aiohttp", "python3", "aiohttp_client.py") },
    BuiltIn::script("node-http", "node", "node_http.js"),
    BuiltIn::script("node-fetch", "node", "node_fetch.js"),
    BuiltIn { name: "go", runner: Runner::Go { file: "go_client.go" }, module: None, program: None },
    BuiltIn { name: "hyper", runner: Runner::Cargo { dir: "hyper" }, module: None, program: None },
];

/// The shim of a built-in client, by name (`curl`, `urllib3`, …: [`BUILT_IN`]), built first
/// where it is a program to build (once: later runs reuse the build).
///
/// # Errors
///
/// No built-in client has that name, or its shim does not build.
pub fn built_in(name: &str) -> Result<Shim, String> {
    let Some(client) = BUILT_IN.iter().find(|c| c.name == name) else {
        let names: Vec<&str> = BUILT_IN.iter().map(|c| c.name).collect();
        return Err(format!("no client is called {name} (h1wire, {}; run any other after --)", names.join(", ")));
    };
    let peers = crate::diff::peers::peers_dir();
    let shim = |program: String, args: Vec<String>| Shim { name: client.name.into(), program, args };
    match client.runner {
        Runner::Script { program, file } => {
            Ok(shim(program.into(), vec![peers.join("clients").join(file).display().to_string()]))
        }
        Runner::Go { file } => {
            let binary = crate::diff::peers::go::go_build(&peers.join("clients").join(file), client.name)?;
            Ok(shim(binary.display().to_string(), Vec::new()))
        }
        Runner::Cargo { dir } => {
            let target = crate::diff::peers::go::build_dir().join(dir);
            let manifest = peers.join("clients").join(dir).join("Cargo.toml");
            let out = Command::new("cargo")
                .args(["build", "--quiet", "--release", "--manifest-path"])
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target)
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !out.status.success() {
                let why = String::from_utf8_lossy(&out.stderr);
                return Err(format!("cargo build {} failed: {why}", manifest.display()));
            }
            let binary = target.join("release").join(format!("h1spec-{dir}-client"));
            Ok(shim(binary.display().to_string(), Vec::new()))
        }
    }
}

/// Why a built-in client cannot run here (its interpreter, its Python module, or the tool that
/// builds it is missing), or `None` when it can.
pub fn missing(name: &str) -> Option<String> {
    let client = BUILT_IN.iter().find(|c| c.name == name)?;
    let runs =
        |program: &str, args: &[&str]| Command::new(program).args(args).output().is_ok_and(|out| out.status.success());
    let (tool, version) = match client.runner {
        Runner::Script { program, .. } => (program, "--version"),
        Runner::Go { .. } => ("go", "version"),
        Runner::Cargo { .. } => ("cargo", "--version"),
    };
    if !runs(tool, &[version]) {
        return Some(format!("{tool} is not installed"));
    }
    if let Some(module) = client.module {
        if !runs("python3", &["-c", &format!("import {module}")]) {
            return Some(format!("Python's {module} is not installed (pip install {module})"));
        }
    }
    if let Some(program) = client.program {
        if !runs(program, &["--version"]) {
            return Some(format!("{program} is not installed"));
        }
    }
    None
}

/// The version of a built-in client or proxy, as its own tools say it (one line), or why not.
pub fn version(name: &str) -> String {
    let python = |module: &str| {
        vec!["python3".to_owned(), "-c".into(), format!("import {module}; print('{module}', {module}.__version__)")]
    };
    let command: Vec<String> = match name {
        "h1wire" => return concat!("h1wire ", env!("CARGO_PKG_VERSION")).to_owned(),
        "curl" => vec!["curl".into(), "--version".into()],
        "python-http-client" => vec!["python3".into(), "--version".into()],
        "urllib3" | "h11" | "aiohttp" => python(name),
        "node-http" => vec![
            "node".into(),
            "-e".into(),
            "console.log('node ' + process.version + ', llhttp ' + process.versions.llhttp)".into(),
        ],
        "node-fetch" => vec![
            "node".into(),
            "-e".into(),
            "console.log('undici ' + process.versions.undici + ' on node ' + process.version)".into(),
        ],
        "go" => vec!["go".into(), "version".into()],
        "hyper" => {
            // The version Cargo.lock pins for the shim's build.
            let lock = crate::diff::peers::peers_dir().join("clients/hyper/Cargo.lock");
            let text = std::fs::read_to_string(lock).unwrap_or_default();
            let pinned = text.split("[[package]]").find(|p| p.contains("name = \"hyper\"\n"));
            let v = pinned.and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")));
            return v.map_or_else(|| "hyper (version unknown)".into(), |v| format!("hyper {}", v.trim_matches('"')));
        }
        "nginx" => vec!["nginx".into(), "-v".into()],
        "haproxy" => vec!["haproxy".into(), "-v".into()],
        "apache2" => vec!["apache2".into(), "-v".into()],
        _ => return "unknown".into(),
    };
    let Ok(out) = Command::new(&command[0]).args(&command[1..]).output() else { return "not installed".into() };
    // nginx says its version on standard error.
    let text = [out.stdout, out.stderr].concat();
    String::from_utf8_lossy(&text).lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unknown").to_owned()
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
