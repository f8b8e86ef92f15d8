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
//! | `nginx`, `haproxy`, `apache2`, `lighttpd` | proxy | in front of a recording origin, `peers/proxies/` | Debian packages |
//!
//! Every server listens on 127.0.0.1 on a free port, in a temporary directory, as a process
//! group of its own (see [`super::lifecycle`]), and is asked one request before the run.

mod chain;
mod client;
pub(crate) mod go;
mod inprocess;
mod origin;
pub(crate) mod proxy;
mod shim;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::lifecycle::installed;
use super::{Implementation, Role};

pub use chain::start_chain_with;
pub use client::{exchange, Ending};
use go::go_build;
pub use inprocess::read_h1wire;
use inprocess::{read_httparse, InProcess};
use origin::{origin, Keep, Origin};
pub use proxy::{
    could_supply, proxy_message, proxy_messages, start_proxy_with, whole_message, PROXY_QUIET, RECORDER_QUIET,
};
use shim::Shim;

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

/// A peer h1spec knows how to start: one descriptor says everything about it. Adding a peer is
/// one entry in [`ALL`] (and, if it needs one, a shim, an origin program or a proxy config in
/// `peers/`).
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
    /// What must be on this machine for it to run.
    pub needs: Needs,
    /// How its version is told.
    pub version: VersionOf,
    /// How it is started.
    pub launch: Launch,
}

/// What a peer needs on this machine.
#[derive(Clone, Copy, Debug)]
pub enum Needs {
    /// Nothing beyond h1spec.
    Nothing,
    /// A program on the `PATH`.
    Program(&'static str),
    /// A module importable by `python3`.
    PythonModule(&'static str),
}

/// How a peer's version is told for the report.
#[derive(Clone, Copy, Debug)]
pub enum VersionOf {
    /// A fixed text.
    Text(&'static str),
    /// The first non-empty line a command prints (stdout, then stderr).
    Command(&'static str, &'static [&'static str]),
}

/// How a peer is started.
#[derive(Clone, Copy, Debug)]
pub enum Launch {
    /// A parser in this process: the function that reads a stream.
    InProcess(fn(&[u8]) -> super::Reading),
    /// A shim program (see `peers/shims/README.md`).
    Shim(Program),
    /// An echo origin program, given its port as its last argument.
    Origin(Program),
    /// The reference server in echo mode, in this process.
    Reference,
    /// A proxy in front of a recording origin.
    Proxy(ProxySetup),
}

/// A program under `peers/`.
#[derive(Clone, Copy, Debug)]
pub enum Program {
    /// An interpreter and a script, relative to `peers/`.
    Script(&'static str, &'static str),
    /// A Go source file, relative to `peers/`, built once under the name given.
    Go(&'static str, &'static str),
}

/// How a proxy is started from its config template in `peers/proxies/` (or at an absolute
/// path; `@PORT@`, `@ORIGIN@` and `@DIR@` filled in).
#[derive(Clone, Copy, Debug)]
pub struct ProxySetup {
    /// The template in `peers/proxies/`.
    pub template: &'static str,
    /// The file name the filled config gets in the proxy's folder.
    pub config: &'static str,
    /// The program.
    pub program: &'static str,
    /// Its arguments; `@CONFIG@` is the filled config's path, `@DIR@` the proxy's folder.
    pub args: &'static [&'static str],
    /// What the folder needs first.
    pub prepare: Prepare,
}

/// What a proxy's folder needs before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prepare {
    /// Nothing.
    Nothing,
    /// A `tmp/` inside it (nginx's temporary paths).
    TmpDir,
    /// Readable by all (Apache drops to `nobody` before serving).
    WorldReadable,
}

const H1WIRE_VERSION: &str = concat!("h1wire ", env!("CARGO_PKG_VERSION"));
const H11_VERSION: VersionOf = VersionOf::Command(
    "python3",
    &["-c", "import h11, sys; print('h11', h11.__version__, 'on Python', sys.version.split()[0])"],
);
const NODE_VERSION: VersionOf = VersionOf::Command(
    "node",
    &["-e", "console.log('node ' + process.version + ', llhttp ' + process.versions.llhttp)"],
);
const GO_VERSION: VersionOf = VersionOf::Command("go", &["version"]);

/// Every peer, in report order.
pub const ALL: &[Spec] = &[
    Spec {
        name: "h1wire",
        role: Role::Parser,
        about: "h1wire (this project), in process",
        install: "",
        needs: Needs::Nothing,
        version: VersionOf::Text(H1WIRE_VERSION),
        launch: Launch::InProcess(read_h1wire),
    },
    Spec {
        name: "httparse",
        role: Role::HeadParser,
        about: "httparse 1.x (hyper's head parser)",
        install: "",
        needs: Needs::Nothing,
        version: VersionOf::Text("httparse 1 (Cargo.lock has the exact version)"),
        launch: Launch::InProcess(read_httparse),
    },
    Spec {
        name: "picohttpparser",
        role: Role::HeadParser,
        about: "picohttpparser (H2O's head parser)",
        install: "",
        needs: Needs::Nothing,
        version: VersionOf::Text("picohttpparser-sys 1.0.0"),
        launch: Launch::InProcess(super::pico::read),
    },
    Spec {
        name: "h11",
        role: Role::Parser,
        about: "Python h11",
        install: "pip install h11",
        needs: Needs::PythonModule("h11"),
        version: H11_VERSION,
        launch: Launch::Shim(Program::Script("python3", "shims/h11_parse.py")),
    },
    Spec {
        name: "llhttp",
        role: Role::Parser,
        about: "Node's HTTP parser (llhttp)",
        install: "apt-get install nodejs",
        needs: Needs::Program("node"),
        version: NODE_VERSION,
        launch: Launch::Shim(Program::Script("node", "shims/node_parse.js")),
    },
    Spec {
        name: "go-readrequest",
        role: Role::Parser,
        about: "Go net/http ReadRequest",
        install: "apt-get install golang-go",
        needs: Needs::Program("go"),
        version: GO_VERSION,
        launch: Launch::Shim(Program::Go("shims/go/parse.go", "parse")),
    },
    Spec {
        name: "h1spec-server",
        role: Role::Origin,
        about: "the reference server (h1wire's Connection)",
        install: "",
        needs: Needs::Nothing,
        version: VersionOf::Text(H1WIRE_VERSION),
        launch: Launch::Reference,
    },
    Spec {
        name: "node-server",
        role: Role::Origin,
        about: "Node's http server",
        install: "apt-get install nodejs",
        needs: Needs::Program("node"),
        version: NODE_VERSION,
        launch: Launch::Origin(Program::Script("node", "origins/node_echo.js")),
    },
    Spec {
        name: "go-server",
        role: Role::Origin,
        about: "Go's net/http server",
        install: "apt-get install golang-go",
        needs: Needs::Program("go"),
        version: GO_VERSION,
        launch: Launch::Origin(Program::Go("origins/go/echo.go", "echo")),
    },
    Spec {
        name: "h11-server",
        role: Role::Origin,
        about: "a threaded server on Python h11",
        install: "pip install h11",
        needs: Needs::PythonModule("h11"),
        version: H11_VERSION,
        launch: Launch::Origin(Program::Script("python3", "origins/h11_echo.py")),
    },
    Spec {
        name: "nginx",
        role: Role::Proxy,
        about: "nginx as a reverse proxy",
        install: "apt-get install nginx",
        needs: Needs::Program("nginx"),
        version: VersionOf::Command("nginx", &["-v"]),
        launch: Launch::Proxy(ProxySetup {
            template: "nginx.conf",
            config: "nginx.conf",
            program: "nginx",
            args: &["-p", "@DIR@", "-c", "@CONFIG@", "-g", "daemon off;"],
            prepare: Prepare::TmpDir,
        }),
    },
    Spec {
        name: "haproxy",
        role: Role::Proxy,
        about: "HAProxy as a reverse proxy",
        install: "apt-get install haproxy",
        needs: Needs::Program("haproxy"),
        version: VersionOf::Command("haproxy", &["-v"]),
        launch: Launch::Proxy(ProxySetup {
            template: "haproxy.cfg",
            config: "haproxy.cfg",
            program: "haproxy",
            args: &["-f", "@CONFIG@", "-db"],
            prepare: Prepare::Nothing,
        }),
    },
    Spec {
        name: "apache2",
        role: Role::Proxy,
        about: "Apache httpd mod_proxy",
        install: "apt-get install apache2",
        needs: Needs::Program("apache2"),
        version: VersionOf::Command("apache2", &["-v"]),
        launch: Launch::Proxy(ProxySetup {
            template: "apache2.conf",
            config: "httpd.conf",
            program: "apache2",
            args: &["-f", "@CONFIG@", "-DFOREGROUND"],
            prepare: Prepare::WorldReadable,
        }),
    },
    Spec {
        name: "lighttpd",
        role: Role::Proxy,
        about: "lighttpd mod_proxy",
        install: "apt-get install lighttpd",
        needs: Needs::Program("lighttpd"),
        version: VersionOf::Command("lighttpd", &["-v"]),
        launch: Launch::Proxy(ProxySetup {
            template: "lighttpd.conf",
            config: "lighttpd.conf",
            program: "lighttpd",
            args: &["-D", "-f", "@CONFIG@"],
            prepare: Prepare::Nothing,
        }),
    },
];

/// The spec named `name`.
pub fn spec(name: &str) -> Option<&'static Spec> {
    ALL.iter().find(|s| s.name == name)
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why `name` cannot run on this machine, or `None` when it can.
pub fn missing(name: &str) -> Option<String> {
    let Some(spec) = spec(name) else { return Some(format!("no peer is called {name}")) };
    let need = |program: &str| (!installed(program)).then(|| format!("`{program}` is not installed"));
    match spec.needs {
        Needs::Nothing => None,
        Needs::Program(program) => need(program),
        Needs::PythonModule(module) => {
            need("python3").or_else(|| (!python_has(module)).then(|| format!("{module} is not installed")))
        }
    }
}

/// A version line for the report.
pub fn version(name: &str) -> String {
    match spec(name).map(|s| s.version) {
        Some(VersionOf::Text(text)) => text.into(),
        Some(VersionOf::Command(program, args)) => Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| {
                let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
                text.lines().find(|l| !l.trim().is_empty()).unwrap_or("?").trim().to_owned()
            })
            .unwrap_or_else(|| "?".into()),
        None => "?".into(),
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

/// The command that runs `program`, with the peers' folder `dir`.
fn command_of(program: Program, dir: &Path) -> Result<Command, String> {
    Ok(match program {
        Program::Script(interpreter, script) => {
            let mut c = Command::new(interpreter);
            c.arg(dir.join(script));
            c
        }
        Program::Go(source, binary) => Command::new(go_build(&dir.join(source), binary)?),
    })
}

/// Starts the peer `name`; a proxy as `instances` instances, each with its recording origin,
/// so that that many streams go through it at once (a proxy reads one stream at a time, since
/// its recording origin must know which stream the bytes it records belong to).
///
/// # Errors
///
/// It is not installed, could not be built or started, or did not answer.
pub fn start_with(name: &str, instances: usize) -> Result<Box<dyn Implementation>, String> {
    let spec = spec(name).ok_or_else(|| format!("no peer is called {name}"))?;
    if let Some(why) = missing(name) {
        return Err(why);
    }
    let dir = peers_dir();
    Ok(match spec.launch {
        Launch::InProcess(read) => Box::new(InProcess { name: spec.name, role: spec.role, read }),
        Launch::Shim(program) => {
            let command = command_of(program, &dir)?;
            let mut argv = vec![command.get_program().to_string_lossy().into_owned()];
            argv.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
            Box::new(Shim::new(name, spec.role, argv))
        }
        Launch::Reference => {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            let running = crate::server::start_echo(listener).map_err(|e| e.to_string())?;
            let addr = running.addr();
            Box::new(Origin { name: name.into(), addr, _keep: Keep::Reference(running) }).checked()?
        }
        Launch::Origin(program) => {
            let base = command_of(program, &dir)?;
            origin(name, |port| {
                let mut c = Command::new(base.get_program());
                c.args(base.get_args()).arg(port.to_string());
                Ok(c)
            })?
        }
        Launch::Proxy(setup) => start_proxy_with(name, &setup, instances)?,
    })
}

/// The name of the chain of `proxy` in front of `origin`.
pub fn chain_name(proxy: &str, origin: &str) -> String {
    format!("{proxy} → {origin}")
}

/// Starts the proxy `proxy` in front of the running echo origin `origin` (through a tap), as
/// `instances` instances: a real chain, whose reading is what reached the origin.
///
/// # Errors
///
/// `proxy` is not a proxy, `origin` is not a running echo origin, or the chain could not start
/// or did not carry a plain request.
pub fn start_chain(
    proxy: &str,
    origin: &dyn Implementation,
    instances: usize,
) -> Result<Box<dyn Implementation>, String> {
    let Some(Launch::Proxy(setup)) = spec(proxy).map(|s| s.launch) else {
        return Err(format!("{proxy} is not a proxy"));
    };
    start_chain_with(proxy, &setup, origin, instances)
}

#[cfg(test)]
mod timing {
    #[test]
    #[ignore = "a manual measurement"]
    fn time_each_peer() {
        let stream =
            [b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc".as_slice(), crate::canary::DIFF].concat();
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
