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

mod client;
mod go;
mod inprocess;
mod origin;
mod proxy;
mod shim;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use super::lifecycle::installed;
use super::{Implementation, Role};

pub use client::{exchange, Ending};
use go::go_build;
pub use inprocess::read_h1wire;
use inprocess::{read_httparse, InProcess};
use origin::{origin, Keep, Origin};
pub use proxy::PROXY_QUIET;
use proxy::{Proxies, Proxy};
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
