//! `h1spec probe`: the corpus against a live server over TCP, with desync detection.
//!
//! Before the cases, controls: the canary (a plain GET of the target's path) on its own, two
//! canaries pipelined, a POST with a small body, and the CL.0 gadget path. Each request case then
//! goes on a connection of its own. A case without a desync class is sent alone and judged by its
//! first response ([`judge::judge`]). A framing case is sent followed by the canary, and the
//! responses are compared with the readings the RFC allows ([`reading::allowed`], each from a
//! sentence of RFC 9110 or 9112) by [`judge::classify`]: refused, consistent, a risk (the server
//! accepted what the RFC refuses for its framing and read on, refused it and read on, or answered
//! more, fewer or different requests than any allowed reading), or inconclusive. A risk is then
//! checked against the case's control (the same shape made valid) and the pipelining control,
//! and confirmed by sending it again (`unstable` when it does not show again). After a case that
//! got nothing an allowed reading expects, a plain request on a fresh connection checks that the
//! server still answers; one that stopped is an outage, reported once ([`Live::notes`]).
//!
//! The subject observes and the judge decides:
//!
//! | layer | module |
//! | --- | --- |
//! | subject | this file: [`Live`] sends (through [`crate::net`], within bounds) and records |
//! | observation | [`observation`]: the controls, and each case's exchanges ([`observation::Observed`]) |
//! | judge | [`verdict::ProbeJudge`] (an observation → a result), over [`judge`] and [`reading`] (pure functions of bytes and responses) |
//! | run | [`session`]: [`session::Probing`] decides what to send for each case, with the judge's pure functions, and runs the cases |

pub mod judge;
pub mod observation;
pub mod reading;
pub mod session;
pub mod verdict;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::corpus::{Case, Expect};
use crate::net::{exchange, End, Exchange, Plan};
use crate::pipeline::{Outage, RunNotes};
use observation::Controls;

/// Where the probe points, parsed from `127.0.0.1:8080` or `http://host:port/path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The address connected to.
    pub addr: SocketAddr,
    /// `host:port` as given, for Host fields.
    pub authority: String,
    /// A path the server answers with 200 (default `/`): the canary asks for it.
    pub path: String,
}

impl Target {
    /// Parses an address as the command line gives it.
    ///
    /// # Errors
    ///
    /// A description of what is wrong: no port, a name that does not resolve, a scheme other than
    /// `http`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = match text.split_once("://") {
            Some(("http", rest)) => rest,
            Some((scheme, _)) => return Err(format!("{scheme}: only http:// is probed (no TLS)")),
            None => text,
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let addr = authority
            .to_socket_addrs()
            .map_err(|e| format!("{authority}: {e} (give host:port)"))?
            .next()
            .ok_or_else(|| format!("{authority}: no address"))?;
        Ok(Target { addr, authority: authority.to_string(), path: path.to_string() })
    }
}

/// How long to wait.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// The most one case may take.
    pub deadline: Duration,
    /// How long to watch for anything more after the responses the probe waited for (an extra
    /// response, or the close).
    pub linger: Duration,
    /// How long an incomplete message is watched: a conforming server stays silent.
    pub incomplete_wait: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            deadline: Duration::from_secs(2),
            linger: Duration::from_millis(150),
            incomplete_wait: Duration::from_millis(300),
        }
    }
}

/// The path the CL.0 gadget cases hide before the canary: one a server does not have, so that
/// its answer (usually 404) differs from the canary's.
pub const GADGET_PATH: &str = "/h1spec-gadget-404";

/// A live server under test: it sends what it is asked to, within bounds, and records what comes
/// back; it judges nothing ([`session::Probing`] decides what to send, [`verdict::ProbeJudge`]
/// what it means).
pub struct Live {
    target: Target,
    timing: Timing,
    controls: Controls,
    /// The server stopped answering plain requests after this case.
    outage: Mutex<Option<Outage>>,
    /// When the last liveness check during an outage began.
    last_alive_check: Mutex<Option<Instant>>,
}

/// Why a probe cannot start.
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreachable {}

impl Live {
    /// Checks that the server answers the canary, and runs the controls.
    ///
    /// # Errors
    ///
    /// [`Unreachable`] when it does not connect or does not answer the canary with a response.
    pub fn connect(target: Target, timing: Timing) -> Result<Self, Unreachable> {
        let canary = crate::canary::request(&target.path, &target.authority);
        let ex = send(target.addr, &canary, 1, Duration::ZERO, Instant::now() + timing.deadline);
        let baseline = match (ex.responses.first(), &ex.end) {
            (_, End::Unreachable(e)) => return Err(Unreachable(format!("{}: {e}", target.addr))),
            (Some(seen), _) => seen.clone(),
            (None, end) => {
                return Err(Unreachable(format!(
                    "{}: no response to GET {} ({})",
                    target.addr,
                    target.path,
                    judge::describe_end(end)
                )))
            }
        };
        // The pipelining control: two plain requests in one write.
        let two = [&canary[..], &canary].concat();
        let ex = send(target.addr, &two, 2, Duration::ZERO, Instant::now() + timing.deadline);
        let pipelines = ex.responses.len() == 2;
        // The capability control: a POST with a small body.
        let post = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Length: 5\r\nX-H1spec: capability\r\n\r\nhello",
            target.path, target.authority
        );
        let ex = send(target.addr, post.as_bytes(), 1, Duration::ZERO, Instant::now() + timing.deadline);
        let refuses_bodies = ex.responses.first().map(|r| r.status).filter(|&s| matches!(s, 405 | 411 | 413 | 501));
        // The gadget control: the path the CL.0 gadget cases hide, on its own connection.
        let gadget = format!("GET {GADGET_PATH} HTTP/1.1\r\nHost: {}\r\n\r\n", target.authority);
        let ex = send(target.addr, gadget.as_bytes(), 1, Duration::ZERO, Instant::now() + timing.deadline);
        let gadget_blind =
            ex.responses.first().is_none_or(|g| g.status == baseline.status && g.body_prefix == baseline.body_prefix);
        Ok(Live {
            controls: Controls { canary, baseline, pipelines, refuses_bodies, gadget_blind },
            target,
            timing,
            outage: Mutex::new(None),
            last_alive_check: Mutex::new(None),
        })
    }

    /// What the controls showed.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// What the controls and the liveness checks found, for the report's opening lines.
    pub fn notes(&self) -> RunNotes {
        let mut notes = Vec::new();
        if !self.controls.pipelines {
            notes.push(
                "the server did not answer two plain requests pipelined on one connection (control): verdicts that rest on the canary are inconclusive, not risks"
                    .to_string(),
            );
        }
        if self.controls.gadget_blind {
            notes.push(format!(
                "the server answers {GADGET_PATH} as it answers the canary's path (control): the CL.0 gadget cases cannot show a request prefixed to the canary"
            ));
        }
        if let Some(status) = self.controls.refuses_bodies {
            notes.push(format!(
                "the server answers a plain POST with a 5-byte body with {status} (control): it does not take request bodies at this path, so a POST case answered {status} is skipped rather than failed (its desync check stands)"
            ));
        }
        let outages = self.outage.lock().expect("no thread panics holding it").iter().cloned().collect();
        RunNotes { notes, outages }
    }

    /// Whether the server answers the canary on a fresh connection.
    fn alive(&self) -> Result<(), String> {
        let canary = &self.controls.canary;
        let ex = send(self.target.addr, canary, 1, Duration::ZERO, Instant::now() + self.timing.deadline);
        match ex.responses.first() {
            Some(_) => Ok(()),
            None => Err(format!("a plain GET {} on a fresh connection got {}", self.target.path, judge::describe(&ex))),
        }
    }

    /// After a case that did not get what an allowed reading expects: checks that the server
    /// still answers, and records an outage if it does not. `true` when it answers.
    pub fn check_alive(&self, case: &Case) -> bool {
        match self.alive() {
            Ok(()) => true,
            Err(evidence) => {
                let mut outage = self.outage.lock().expect("no thread panics holding it");
                if outage.is_none() {
                    *outage = Some(Outage { case: case.id.clone(), evidence, recovered: false });
                }
                false
            }
        }
    }

    /// While an outage is recorded: the case after which the server stopped answering, unless it
    /// answers again now (then the outage is marked recovered).
    pub fn down(&self) -> Option<String> {
        let case = {
            let outage = self.outage.lock().expect("no thread panics holding it");
            match outage.as_ref() {
                Some(o) if !o.recovered => o.case.clone(),
                _ => return None,
            }
        };
        // One check per deadline, shared by every job: a server that is down costs the run one
        // deadline at a time, not one per case.
        {
            let mut last = self.last_alive_check.lock().expect("no thread panics holding it");
            if last.is_some_and(|at| at.elapsed() < self.timing.deadline) {
                return Some(case);
            }
            *last = Some(Instant::now());
        }
        if self.alive().is_ok() {
            if let Some(o) = self.outage.lock().expect("no thread panics holding it").as_mut() {
                o.recovered = true;
            }
            return None;
        }
        Some(case)
    }
}

/// One exchange on a fresh connection: `bytes`, waiting for `responses` answers to GETs (or the
/// answer to a HEAD where `bytes` start with one), then `linger` more.
fn send(addr: SocketAddr, bytes: &[u8], responses: usize, linger: Duration, deadline: Instant) -> Exchange {
    exchange(addr, &Plan::responses(bytes, responses, linger, deadline))
}

/// `bytes` escaped as `printf` reads them: printable ASCII as is (with `\\`, `'` and `%`
/// escaped), `\r`, `\n`, `\t`, and `\xHH` for the rest.
pub fn printf_escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b'%' => out.push_str("%%"),
            b'\'' => out.push_str("\\x27"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

impl Live {
    /// A name for the reports.
    pub fn name(&self) -> String {
        self.target.authority.clone()
    }

    /// Where the probe points.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The deadlines.
    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// A case without a desync class, alone on a fresh connection: one response waited for (an
    /// incomplete message is watched for the shorter incomplete wait).
    pub fn send_alone(&self, case: &Case) -> Exchange {
        let deadline = match case.expect {
            Expect::Incomplete => self.timing.incomplete_wait,
            _ => self.timing.deadline,
        };
        send(self.target.addr, &case.bytes(), 1, Duration::ZERO, Instant::now() + deadline)
    }

    /// `sent` (a case or a control, then the canary) on a fresh connection, waiting for `most`
    /// responses, then the linger.
    pub fn send_with_canary(&self, sent: &[u8], most: usize) -> Exchange {
        send(self.target.addr, sent, most, self.timing.linger, Instant::now() + self.timing.deadline)
    }

    /// A head alone on a fresh connection, watched for the incomplete wait.
    pub fn send_head(&self, head: &[u8]) -> Exchange {
        send(self.target.addr, head, 1, Duration::ZERO, Instant::now() + self.timing.incomplete_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_from_the_forms_the_command_takes() {
        let t = Target::parse("127.0.0.1:8080").unwrap();
        assert_eq!((t.authority.as_str(), t.path.as_str()), ("127.0.0.1:8080", "/"));
        let t = Target::parse("http://127.0.0.1:9/health?x=1").unwrap();
        assert_eq!((t.addr.port(), t.path.as_str()), (9, "/health?x=1"));
        assert!(Target::parse("https://127.0.0.1:443/").is_err());
        assert!(Target::parse("127.0.0.1").is_err());
    }

    #[test]
    fn printf_escaping_round_trips_through_printf() {
        let bytes = b"GET /%41 HTTP/1.1\r\nX: 'a'\\\t\x00\xff\n";
        let escaped = printf_escaped(bytes);
        let out = std::process::Command::new("printf").arg(&escaped).output().expect("printf runs");
        assert_eq!(out.stdout, bytes, "{escaped}");
    }
}
