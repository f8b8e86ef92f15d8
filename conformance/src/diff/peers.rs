//! The implementations `h1spec diff` compares, and how each is started.
//!
//! | name | role | what it is | needs |
//! |---|---|---|---|
//! | `h1wire` | parser | this project's codec, in process | nothing |
//! | `httparse` | head parser | hyper's head parser, in process | nothing |
//! | `picohttpparser` | head parser | H2O's head parser, in process (FFI) | nothing |
//! | `h11` | parser | Python's h11, `peers/shims/h11_parse.py` | `pip install h11` |
//! | `llhttp` | parser | Node's parser, `peers/shims/node_parse.js` | `node` |
//! | `go-readrequest` | parser | Go's `http.ReadRequest`, `peers/shims/go/parse.go` | `golang-go` |
//! | `h1spec-server` | origin | the reference server in echo mode, in process | nothing |
//! | `node-server` | origin | Node's `http` server, `peers/origins/node_echo.js` | `node` |
//! | `go-server` | origin | Go's `net/http` server, `peers/origins/go/echo.go` | `golang-go` |
//! | `h11-server` | origin | a server on h11, `peers/origins/h11_echo.py` | `pip install h11` |
//! | `nginx`, `haproxy`, `apache2` | proxy | in front of a recording origin, `peers/proxies/` | Debian packages |
//!
//! Every server listens on 127.0.0.1 on a free port, in a temporary directory, as a process
//! group of its own (see [`super::lifecycle`]), and is asked one request before the run.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use h1wire::ResponseTo;
use h1wire_check::{run as drive, Kind, StartLine};

use super::lifecycle::{free_port, installed, Process, TempDir};
use super::{End, Implementation, Message, Observation, Reading, Role, Stage};
use crate::parse::{parse_stream, Options, Verdict};

/// How long one exchange with a server (or one shim run) may take.
pub const DEADLINE: Duration = Duration::from_secs(3);
/// The most bytes taken from a server or a shim for one stream.
pub const MAX_ANSWER: usize = 4 << 20;

/// Where the peers' programs and configs are (`peers/` of this repository, or `H1SPEC_PEERS`).
pub fn peers_dir() -> PathBuf {
    std::env::var_os("H1SPEC_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../peers"))
}

/// Where built peer programs (the Go ones) are kept between runs.
fn build_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("h1spec-peers")
}

/// A peer h1spec knows how to start.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Its name.
    pub name: &'static str,
    /// Its role.
    pub role: Role,
    /// What it is.
    pub about: &'static str,
    /// How to install what it needs (empty: nothing).
    pub install: &'static str,
}

/// Every peer, in report order.
pub const ALL: &[Spec] = &[
    Spec { name: "h1wire", role: Role::Parser, about: "h1wire (this project), in process", install: "" },
    Spec { name: "httparse", role: Role::HeadParser, about: "httparse 1.x (hyper's head parser)", install: "" },
    Spec { name: "picohttpparser", role: Role::HeadParser, about: "picohttpparser (H2O's head parser)", install: "" },
    Spec { name: "h11", role: Role::Parser, about: "Python h11", install: "pip install h11" },
    Spec {
        name: "llhttp",
        role: Role::Parser,
        about: "Node's HTTP parser (llhttp)",
        install: "apt-get install nodejs",
    },
    Spec {
        name: "go-readrequest",
        role: Role::Parser,
        about: "Go net/http ReadRequest",
        install: "apt-get install golang-go",
    },
    Spec {
        name: "h1spec-server",
        role: Role::Origin,
        about: "the reference server (h1wire's Connection)",
        install: "",
    },
    Spec { name: "node-server", role: Role::Origin, about: "Node's http server", install: "apt-get install nodejs" },
    Spec { name: "go-server", role: Role::Origin, about: "Go's net/http server", install: "apt-get install golang-go" },
    Spec {
        name: "h11-server",
        role: Role::Origin,
        about: "a threaded server on Python h11",
        install: "pip install h11",
    },
    Spec { name: "nginx", role: Role::Proxy, about: "nginx as a reverse proxy", install: "apt-get install nginx" },
    Spec {
        name: "haproxy",
        role: Role::Proxy,
        about: "HAProxy as a reverse proxy",
        install: "apt-get install haproxy",
    },
    Spec { name: "apache2", role: Role::Proxy, about: "Apache httpd mod_proxy", install: "apt-get install apache2" },
];

/// The spec named `name`.
pub fn spec(name: &str) -> Option<&'static Spec> {
    ALL.iter().find(|s| s.name == name)
}

fn python_has_h11() -> bool {
    Command::new("python3")
        .args(["-c", "import h11"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why `name` cannot run on this machine, or `None` when it can.
pub fn missing(name: &str) -> Option<String> {
    let need = |program: &str| (!installed(program)).then(|| format!("`{program}` is not installed"));
    match name {
        "h1wire" | "httparse" | "picohttpparser" | "h1spec-server" => None,
        "h11" | "h11-server" => need("python3").or_else(|| (!python_has_h11()).then(|| "h11 is not installed".into())),
        "llhttp" | "node-server" => need("node"),
        "go-readrequest" | "go-server" => need("go"),
        "nginx" | "haproxy" | "apache2" => need(name),
        _ => Some(format!("no peer is called {name}")),
    }
}

/// A version line for the report.
pub fn version(name: &str) -> String {
    let first_line = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| {
                let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
                text.lines().find(|l| !l.trim().is_empty()).unwrap_or("?").trim().to_owned()
            })
            .unwrap_or_else(|| "?".into())
    };
    match name {
        "h1wire" | "h1spec-server" => format!("h1wire {}", env!("CARGO_PKG_VERSION")),
        "httparse" => "httparse 1 (Cargo.lock has the exact version)".into(),
        "picohttpparser" => "picohttpparser-sys 1.0.0".into(),
        "h11" | "h11-server" => first_line(
            "python3",
            &["-c", "import h11, sys; print('h11', h11.__version__, 'on Python', sys.version.split()[0])"],
        ),
        "llhttp" | "node-server" => first_line(
            "node",
            &["-e", "console.log('node ' + process.version + ', llhttp ' + process.versions.llhttp)"],
        ),
        "go-readrequest" | "go-server" => first_line("go", &["version"]),
        "nginx" => first_line("nginx", &["-v"]),
        "haproxy" => first_line("haproxy", &["-v"]),
        "apache2" => first_line("apache2", &["-v"]),
        _ => "?".into(),
    }
}

/// Starts the peer `name` (a proxy as one instance).
///
/// # Errors
///
/// It is not installed, could not be built or started, or did not answer.
pub fn start(name: &str) -> Result<Box<dyn Implementation>, String> {
    start_with(name, 1)
}

/// Starts the peer `name`; a proxy as `instances` instances, each with its recording origin,
/// so that that many streams go through it at once (a proxy reads one stream at a time, since
/// its recording origin must know which stream the bytes it records belong to).
///
/// # Errors
///
/// It is not installed, could not be built or started, or did not answer.
pub fn start_with(name: &str, instances: usize) -> Result<Box<dyn Implementation>, String> {
    if let Some(why) = missing(name) {
        return Err(why);
    }
    let dir = peers_dir();
    let shim = |role: Role, program: &str, script: PathBuf| -> Box<dyn Implementation> {
        Box::new(Shim::new(name, role, vec![program.into(), script.display().to_string()]))
    };
    Ok(match name {
        "h1wire" => Box::new(InProcess { name: "h1wire", role: Role::Parser, read: read_h1wire }),
        "httparse" => Box::new(InProcess { name: "httparse", role: Role::HeadParser, read: read_httparse }),
        "picohttpparser" => {
            Box::new(InProcess { name: "picohttpparser", role: Role::HeadParser, read: super::pico::read })
        }
        "h11" => shim(Role::Parser, "python3", dir.join("shims/h11_parse.py")),
        "llhttp" => shim(Role::Parser, "node", dir.join("shims/node_parse.js")),
        "go-readrequest" => {
            let binary = go_build(&dir.join("shims/go/parse.go"), "parse")?;
            Box::new(Shim::new(name, Role::Parser, vec![binary.display().to_string()]))
        }
        "h1spec-server" => {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let running = crate::server::start_echo(listener).map_err(|e| e.to_string())?;
            let addr = running.addr();
            Box::new(Origin { name: name.into(), addr, _keep: Keep::Reference(running) }).checked()?
        }
        "node-server" => origin(name, |port| {
            let mut c = Command::new("node");
            c.arg(dir.join("origins/node_echo.js")).arg(port.to_string());
            Ok(c)
        })?,
        "go-server" => {
            let binary = go_build(&dir.join("origins/go/echo.go"), "echo")?;
            origin(name, |port| {
                let mut c = Command::new(&binary);
                c.arg(port.to_string());
                Ok(c)
            })?
        }
        "h11-server" => origin(name, |port| {
            let mut c = Command::new("python3");
            c.arg(dir.join("origins/h11_echo.py")).arg(port.to_string());
            Ok(c)
        })?,
        "nginx" | "haproxy" | "apache2" => {
            let all = (0..instances.max(1)).map(|_| Proxy::start(name, &dir)).collect::<Result<Vec<_>, _>>()?;
            Box::new(Proxies { name: name.into(), free: Mutex::new(all), ready: std::sync::Condvar::new() })
        }
        _ => return Err(format!("no peer is called {name}")),
    })
}

/// Builds a Go program once into the build directory (Go's own cache there too).
fn go_build(source: &Path, name: &str) -> Result<PathBuf, String> {
    let dir = build_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let binary = dir.join(format!("go-{name}"));
    let fresh = |b: &Path| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        matches!((modified(b), modified(source)), (Some(b), Some(s)) if b >= s)
    };
    if fresh(&binary) {
        return Ok(binary);
    }
    let out = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&binary)
        .arg(source)
        .env("GOCACHE", dir.join("gocache"))
        .env("GOPATH", dir.join("gopath"))
        .env("GO111MODULE", "off")
        .output()
        .map_err(|e| format!("cannot run go: {e}"))?;
    if !out.status.success() {
        return Err(format!("go build {} failed: {}", source.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(binary)
}

/// A parser in this process.
struct InProcess {
    name: &'static str,
    role: Role,
    read: fn(&[u8]) -> Reading,
}

impl Implementation for InProcess {
    fn name(&self) -> &str {
        self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        Ok((self.read)(stream).into())
    }
}

/// h1wire through `h1spec parse --stream`'s own code, so that it follows the shim contract.
pub fn read_h1wire(stream: &[u8]) -> Reading {
    Reading::from_verdicts(&parse_stream(stream, &Options::default()))
}

/// The first head as httparse reads it, with reused uninitialised header storage as hyper
/// calls it (100 slots, as h1wire's default).
fn read_httparse(stream: &[u8]) -> Reading {
    let mut headers = [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; 100];
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(stream, &mut headers) {
        Ok(httparse::Status::Complete(_)) => {
            let m = Message {
                method: req.method.unwrap_or_default().as_bytes().to_vec(),
                target: req.path.unwrap_or_default().as_bytes().to_vec(),
                version: format!("HTTP/1.{}", req.version.unwrap_or(0)),
                fields: req.headers.iter().map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec())).collect(),
                ..Message::default()
            };
            Reading { messages: vec![m], end: End::Clean }
        }
        Ok(httparse::Status::Partial) => Reading { messages: Vec::new(), end: End::Cut { stage: Stage::Head } },
        Err(e) => Reading {
            messages: Vec::new(),
            end: End::Refused { status: 0, error: format!("{e:?}"), stage: Stage::Head },
        },
    }
}

/// A program that reads streams and prints `h1spec parse --stream` lines for each. It runs in
/// batch mode (`--batch`: frames of `LEN\n` then LEN bytes, each answered with its lines and an
/// empty line), one process per thread that needs one, kept between streams: starting Python
/// or Node costs 100 ms or more, reading a stream well under one.
struct Shim {
    name: String,
    role: Role,
    command: Vec<String>,
    idle: Mutex<Vec<ShimProcess>>,
}

impl Shim {
    fn new(name: &str, role: Role, command: Vec<String>) -> Shim {
        Shim { name: name.into(), role, command, idle: Mutex::new(Vec::new()) }
    }
}

/// One running shim in batch mode.
struct ShimProcess {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    lines: std::sync::mpsc::Receiver<String>,
}

impl ShimProcess {
    fn spawn(command: &[String]) -> Result<ShimProcess, String> {
        use std::os::unix::process::CommandExt;
        use std::process::Stdio;
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .arg("--batch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", command[0]))?;
        super::lifecycle::track(child.id());
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(ShimProcess { child, stdin, lines })
    }

    /// The lines for one stream, within [`DEADLINE`] and [`MAX_ANSWER`].
    fn read(&mut self, stream: &[u8]) -> Result<String, String> {
        let frame = [format!("{}\n", stream.len()).as_bytes(), stream].concat();
        self.stdin
            .write_all(&frame)
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("writing to the shim: {e}"))?;
        let until = Instant::now() + DEADLINE;
        let mut out = String::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.is_empty() => return Ok(out),
                Ok(line) => {
                    out.push_str(&line);
                    out.push('\n');
                    if out.len() > MAX_ANSWER {
                        return Err("the shim's answer is too long".into());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("no answer within {} ms", DEADLINE.as_millis()))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err("the shim exited".into()),
            }
        }
    }
}

impl Drop for ShimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        super::lifecycle::untrack(self.child.id());
    }
}

impl Implementation for Shim {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut process = match idle {
            Some(p) => p,
            None => ShimProcess::spawn(&self.command)?,
        };
        // A process that failed is dropped (and killed); the next read starts a fresh one.
        let lines = process.read(stream)?;
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(process);
        Ok(Reading::from_lines(&lines)?.into())
    }
}

/// What keeps a server alive while its subject lives.
enum Keep {
    Reference(#[allow(dead_code, reason = "held for its drop")] crate::server::Running),
    Process(
        #[allow(dead_code, reason = "held for its drop")] Process,
        #[allow(dead_code, reason = "held for its drop")] TempDir,
    ),
}

/// A server that answers each request with its reading of it.
struct Origin {
    name: String,
    addr: SocketAddr,
    _keep: Keep,
}

fn origin(name: &str, command: impl FnOnce(u16) -> Result<Command, String>) -> Result<Box<dyn Implementation>, String> {
    let tmp = TempDir::new(name)?;
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut c = command(port)?;
    c.current_dir(tmp.path());
    let mut process = Process::start(name, &mut c, Some(&tmp.path().join("log")))?;
    process.wait_listening(addr, Duration::from_secs(20))?;
    Box::new(Origin { name: name.into(), addr, _keep: Keep::Process(process, tmp) }).checked()
}

impl Origin {
    /// The origin, once it has read a plain request as the RFC does.
    fn checked(self: Box<Self>) -> Result<Box<dyn Implementation>, String> {
        reads_plain_request(&self.name, |s| self.read(s))?;
        Ok(self)
    }
}

/// Checks, before a run, that a server (through `read`) reads a plain request as the RFC does.
fn reads_plain_request(name: &str, read: impl Fn(&[u8]) -> Result<Observation, String>) -> Result<(), String> {
    let seen = read(b"GET /h1spec-check HTTP/1.1\r\nHost: h1spec\r\n\r\n")?.reading;
    match seen.messages.first() {
        Some(m) if m.target == b"/h1spec-check" => Ok(()),
        _ => Err(format!("{name} did not read a plain request as expected: {}", seen.summary())),
    }
}

impl Implementation for Origin {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        Role::Origin
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let answer = exchange(self.addr, stream, Ending::HalfClose)?;
        // An echo server answers HEAD (and CONNECT) with the reading in a header, no body.
        let to_head = |r: &Answer| r.field("x-h1spec-echo-json").is_some();
        Ok(readings_of_responses(&answer, to_head, |r| {
            // HEAD and CONNECT answers carry the reading in a header (no body may follow).
            let json = match r.field("x-h1spec-echo-json") {
                Some(b) => {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD
                        .decode(b.trim_ascii())
                        .map_err(|e| format!("echo header: {e}"))?
                }
                None => r.body.clone(),
            };
            let echo: crate::contract::Echo = serde_json::from_slice(&json).map_err(|e| format!("echo JSON: {e}"))?;
            Ok(Message::from_echo(&echo))
        })
        .into())
    }
}

/// How the client side of an exchange ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Close the sending side once the stream is sent (the client is done), then read until
    /// the server closes. Origins answer every complete request before closing.
    HalfClose,
    /// Keep the connection open and stop reading once the server has been silent this long.
    /// Proxies may drop pipelined requests they have not started once the client half-closes
    /// (HAProxy does, at random), so they are read this way.
    Idle(Duration),
}

/// Sends `stream` on a new connection and returns every byte the server sends, until it closes
/// or (per `ending`) falls silent, within [`DEADLINE`] and [`MAX_ANSWER`].
///
/// # Errors
///
/// No connection could be made.
pub fn exchange(addr: SocketAddr, stream: &[u8], ending: Ending) -> Result<Vec<u8>, String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| format!("{addr}: {e}"))?;
    let until = Instant::now() + DEADLINE;
    s.set_write_timeout(Some(DEADLINE)).map_err(|e| e.to_string())?;
    // A server may close before taking everything: what it answered still counts.
    let _ = s.write_all(stream);
    if ending == Ending::HalfClose {
        let _ = s.shutdown(Shutdown::Write);
    }
    let mut answer = Vec::new();
    let mut buf = [0; 16 * 1024];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || answer.len() >= MAX_ANSWER {
            break;
        }
        let wait = match ending {
            Ending::HalfClose => left,
            Ending::Idle(quiet) => left.min(quiet),
        };
        s.set_read_timeout(Some(wait)).map_err(|e| e.to_string())?;
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    Ok(answer)
}

/// One response, as far as the diff needs it.
struct Answer {
    status: u16,
    fields: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Answer {
    fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

/// Reads a server's answer as a reading: each echo (`X-H1spec-Echo`, or a proxy's
/// `X-H1spec-Seq`) is a message `message_of` makes; the first other final response is a
/// refusal, and ends the reading; interim responses are skipped.
///
/// A response to HEAD has no body whatever its framing fields say (RFC 9110 §9.3.2), so each
/// head is read first and `to_head` says from it whether it answers a HEAD request.
fn readings_of_responses(
    answer: &[u8],
    to_head: impl Fn(&Answer) -> bool,
    message_of: impl Fn(&Answer) -> Result<Message, String>,
) -> Reading {
    let mut messages = Vec::new();
    let mut at = 0;
    let config = h1wire::Config::default();
    while at < answer.len() {
        let Ok(head) = drive(Kind::Response(ResponseTo::Head), &config, &answer[at..], &[]) else { break };
        let status = match head.start {
            StartLine::Response { status, .. } => status,
            StartLine::Request { .. } => break,
        };
        let peek = Answer { status, fields: head.headers.clone(), body: Vec::new() };
        let m = if status >= 200 && to_head(&peek) {
            head
        } else {
            match drive(Kind::Response(ResponseTo::Other), &config, &answer[at..], &[]) {
                Ok(m) => m,
                Err(_) => break,
            }
        };
        at += usize::try_from(m.consumed).unwrap_or(answer.len());
        let StartLine::Response { status, reason } = m.start else { break };
        if status < 200 {
            continue;
        }
        let a = Answer { status, fields: m.headers, body: m.body };
        let echoed = ["x-h1spec-echo", "x-h1spec-echo-json", "x-h1spec-seq"].iter().any(|n| a.field(n).is_some());
        if echoed {
            match message_of(&a) {
                Ok(message) => messages.push(message),
                Err(e) => {
                    let end = End::Refused { status: a.status, error: e, stage: Stage::Unknown };
                    return Reading { messages, end };
                }
            }
        } else {
            let error = format!("{} {}", a.status, String::from_utf8_lossy(&reason));
            return Reading { messages, end: End::Refused { status: a.status, error, stage: Stage::Unknown } };
        }
    }
    Reading { messages, end: End::Closed }
}

/// The origin behind a proxy: it records the bytes of each upstream connection and answers
/// the first request on it (as h1wire reads it) with `X-H1spec-Seq: N`, then closes, so that
/// each connection carries one message as the proxy means it.
struct Recorder {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    active: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start() -> Result<Recorder, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let active = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, a, s) = (Arc::clone(&log), Arc::clone(&active), Arc::clone(&stop));
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                if a.load(Ordering::SeqCst) >= 64 {
                    continue;
                }
                a.fetch_add(1, Ordering::SeqCst);
                let (l, a) = (Arc::clone(&l), Arc::clone(&a));
                std::thread::spawn(move || {
                    record(conn, &l);
                    a.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Recorder { addr, log, active, stop, accept: Some(accept) })
    }

    /// Waits (at most `within`) until no upstream connection is open.
    fn settle(&self, within: Duration) {
        let until = Instant::now() + within;
        while self.active.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(a) = self.accept.take() {
            let _ = a.join();
        }
    }
}

/// What one upstream connection carried.
#[derive(Clone, Debug)]
struct Recorded {
    bytes: Vec<u8>,
    /// Whether the bytes hold the whole message their own framing fields announce ([`lenient`]);
    /// a proxy streaming a body its client cut short sends less, and those bytes are not one
    /// message as the proxy means it.
    whole: bool,
}

/// One upstream connection: read until h1wire has a whole request and 20 ms pass without more
/// bytes (so that bytes the proxy sends after what h1wire takes as the end are kept too), or
/// until 300 ms pass without bytes, or h1wire refuses; then answer and close.
fn record(mut conn: TcpStream, log: &Mutex<Vec<Recorded>>) {
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
            _ => quiet >= Duration::from_millis(300),
        };
        if done || started.elapsed() > DEADLINE || got.len() > MAX_ANSWER {
            break;
        }
    }
    // Whole by the message's own framing fields, whatever h1wire's other rules say of it.
    let whole = !got.is_empty() && lenient(&got).1;
    let seq = {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(Recorded { bytes: got, whole });
        log.len() - 1
    };
    let answer = format!("HTTP/1.1 200 OK\r\nX-H1spec-Seq: {seq}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = conn.write_all(answer.as_bytes());
    let _ = conn.shutdown(Shutdown::Both);
}

/// The proxy's own reading of what it forwarded: the message it wrote. Its output is
/// normalised, so h1wire's reading is the proxy's; where h1wire refuses it (a proxy may forward
/// what h1wire's rules forbid: no Host, a control byte in a value, more fields than h1wire's
/// limit), the [`lenient`] reading.
fn proxy_message(bytes: &[u8]) -> Message {
    match read_h1wire(bytes).messages.into_iter().next() {
        Some(m) => m,
        None => lenient(bytes).0,
    }
}

/// A message read with no rule but its own framing, for bytes a proxy wrote: the request line
/// split at spaces, every line up to an empty one split at its first colon, and the body its
/// own framing fields give (chunked, then Content-Length, then none). Also says whether the
/// bytes hold that whole body: a proxy streaming a body its client cut short sends less.
fn lenient(bytes: &[u8]) -> (Message, bool) {
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
        return (m, false);
    }
    let body = &bytes[used..];
    let field = |name: &[u8]| m.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    if field(b"transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().windows(7).any(|w| w == b"chunked")) {
        let (decoded, whole) = dechunk(body);
        m.body = decoded;
        return (m, whole);
    }
    let length = field(b"content-length").and_then(|v| std::str::from_utf8(&v).ok()?.trim().parse::<usize>().ok());
    match length {
        Some(n) => {
            m.body = body.iter().copied().take(n).collect();
            let whole = body.len() >= n;
            (m, whole)
        }
        None => (m, true),
    }
}

/// Chunked data decoded leniently (sizes in hex, extensions and trailers skipped), and whether
/// the last chunk was reached.
fn dechunk(mut body: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(eol) = body.iter().position(|&b| b == b'\n') else { return (out, false) };
        let line = body[..eol].trim_ascii_end();
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let Some(size) = std::str::from_utf8(&line[..digits]).ok().and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            return (out, false);
        };
        body = &body[eol + 1..];
        if size == 0 {
            return (out, true);
        }
        if body.len() < size {
            out.extend_from_slice(body);
            return (out, false);
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        let skip = body.iter().take(2).take_while(|&&b| b == b'\r' || b == b'\n').count();
        body = &body[skip..];
    }
}

/// How long a proxy must stay silent before its answer is taken as complete.
pub const PROXY_QUIET: Duration = Duration::from_millis(250);

/// A proxy in front of a [`Recorder`]. It reads one stream at a time, so that the recorder's
/// log is that stream's: [`Proxies`] lends each instance to one reader.
struct Proxy {
    addr: SocketAddr,
    recorder: Recorder,
    _process: Process,
    _tmp: TempDir,
}

impl Proxy {
    fn start(name: &str, peers: &Path) -> Result<Proxy, String> {
        let recorder = Recorder::start()?;
        let tmp = TempDir::new(name)?;
        let port = free_port()?;
        let dir = tmp.path();
        let fill = |template: &str, out: &str| -> Result<PathBuf, String> {
            let text = std::fs::read_to_string(peers.join("proxies").join(template))
                .map_err(|e| format!("{template}: {e}"))?;
            let text = text
                .replace("@PORT@", &port.to_string())
                .replace("@ORIGIN@", &recorder.addr.port().to_string())
                .replace("@DIR@", &dir.display().to_string());
            let path = dir.join(out);
            std::fs::write(&path, text).map_err(|e| e.to_string())?;
            Ok(path)
        };
        let mut command = match name {
            "nginx" => {
                std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
                let conf = fill("nginx.conf", "nginx.conf")?;
                let mut c = Command::new("nginx");
                c.arg("-p").arg(dir).arg("-c").arg(conf).args(["-g", "daemon off;"]);
                c
            }
            "haproxy" => {
                let conf = fill("haproxy.cfg", "haproxy.cfg")?;
                let mut c = Command::new("haproxy");
                c.arg("-f").arg(conf).arg("-db");
                c
            }
            "apache2" => {
                // Apache drops to `nobody` before serving: its folder must be readable then.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
                let conf = fill("apache2.conf", "httpd.conf")?;
                let mut c = Command::new("apache2");
                c.arg("-f").arg(conf).arg("-DFOREGROUND");
                c
            }
            _ => return Err(format!("no proxy is called {name}")),
        };
        command.current_dir(dir);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut process = Process::start(name, &mut command, Some(&dir.join("stdout.log")))?;
        process.wait_listening(addr, Duration::from_secs(20))?;
        let proxy = Proxy { addr, recorder, _process: process, _tmp: tmp };
        reads_plain_request(name, |s| proxy.read(s))?;
        Ok(proxy)
    }
}

/// Instances of one proxy; a stream takes whichever is free.
struct Proxies {
    name: String,
    free: Mutex<Vec<Proxy>>,
    ready: std::sync::Condvar,
}

impl Implementation for Proxies {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        Role::Proxy
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let proxy = loop {
            match free.pop() {
                Some(p) => break p,
                None => free = self.ready.wait(free).unwrap_or_else(|e| e.into_inner()),
            }
        };
        drop(free);
        let seen = proxy.read(stream);
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(proxy);
        self.ready.notify_one();
        seen
    }
}

impl Proxy {
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
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
        let reading = readings_of_responses(&answer, to_head, |r| {
            let n = seq(r).ok_or("a response with a bad X-H1spec-Seq")?;
            let c = log.get(n).ok_or("a response the recorder did not send")?;
            Ok(proxy_message(&c.bytes))
        });
        // Only connections that carried a whole message: a connection opened and left empty, or
        // a body the client itself cut short, is no message.
        let forwarded = log.into_iter().filter(|c| c.whole).map(|c| c.bytes).collect();
        Ok(Observation { reading, forwarded })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!lenient(b"GET / HTTP/1.1\r\nHost: a\r\n").1, "no end of head");
        assert!(lenient(b"GET / HTTP/1.1\nHost: a\n\n").1, "bare LF heads too");
    }
}

#[cfg(test)]
mod timing {
    #[test]
    #[ignore = "a manual measurement"]
    fn time_each_peer() {
        let stream =
            [b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".as_slice(), super::super::compare::CANARY]
                .concat();
        for spec in super::ALL {
            let started = std::time::Instant::now();
            let p = match super::start(spec.name) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("{}: {e}", spec.name);
                    continue;
                }
            };
            let boot = started.elapsed();
            let _ = p.read(&stream);
            let t = std::time::Instant::now();
            let r = p.read(&stream).map(|o| o.reading.summary());
            eprintln!(
                "{:<16} start {:>6.0} ms, read {:>6.1} ms: {:?}",
                spec.name,
                boot.as_secs_f64() * 1e3,
                t.elapsed().as_secs_f64() * 1e3,
                r
            );
        }
    }
}
