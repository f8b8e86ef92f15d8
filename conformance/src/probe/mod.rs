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
//! The subject observes and the judge decides: `judge.rs` and `reading.rs` are pure functions of
//! bytes and responses; this file only sends, and `wire.rs` only reads, within bounds.

pub mod judge;
pub mod reading;
pub mod session;
pub mod wire;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use h1wire::ResponseTo;

use crate::corpus::{Case, CaseKind, Expect, Section};
use crate::pipeline::{CaseResult, Desync, DesyncVerdict, Judgment, Outage, Reproduced, RunNotes, Subject};
use reading::{Cause, Reading, Then};
use wire::{exchange, End, Exchange, Plan, Seen};

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

/// A live server under test.
pub struct Live {
    target: Target,
    timing: Timing,
    canary: Vec<u8>,
    /// The canary's response on a connection of its own.
    baseline: Seen,
    /// The server answered two plain requests pipelined on one connection: without that, the
    /// canary cannot tell anything and canary-based risks are inconclusive.
    pipelines: bool,
    /// How the server answered a POST with a small body on its own, when it refused it.
    refuses_bodies: Option<u16>,
    /// The gadget path of the CL.0 cases is answered as the canary's path: a request prefixed
    /// to the canary cannot show.
    gadget_blind: bool,
    /// How many times a risk is sent again to confirm it.
    confirm: usize,
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
    /// Checks that the server answers the canary, and remembers how.
    ///
    /// # Errors
    ///
    /// [`Unreachable`] when it does not connect or does not answer the canary with a response.
    pub fn connect(target: Target, timing: Timing) -> Result<Self, Unreachable> {
        let canary = format!("GET {} HTTP/1.1\r\nHost: {}\r\nX-H1spec: canary\r\n\r\n", target.path, target.authority)
            .into_bytes();
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
            baseline,
            target,
            timing,
            canary,
            pipelines,
            refuses_bodies,
            gadget_blind,
            confirm: 3,
            outage: Mutex::new(None),
            last_alive_check: Mutex::new(None),
        })
    }

    /// Sets how many times a risk is sent again before it is reported (default 3); 0 reports
    /// risks unconfirmed.
    pub fn with_confirm(mut self, times: usize) -> Self {
        self.confirm = times;
        self
    }

    /// The canary's response, as learnt before the run.
    pub fn baseline(&self) -> &Seen {
        &self.baseline
    }

    /// What the controls and the liveness checks found, for the report's opening lines.
    pub fn notes(&self) -> RunNotes {
        let mut notes = Vec::new();
        if !self.pipelines {
            notes.push(
                "the server did not answer two plain requests pipelined on one connection (control): verdicts that rest on the canary are inconclusive, not risks"
                    .to_string(),
            );
        }
        if self.gadget_blind {
            notes.push(format!(
                "the server answers {GADGET_PATH} as it answers the canary's path (control): the CL.0 gadget cases cannot show a request prefixed to the canary"
            ));
        }
        if let Some(status) = self.refuses_bodies {
            notes.push(format!(
                "the server answers a plain POST with a 5-byte body with {status} (control): it does not take request bodies at this path, so a POST case answered {status} is skipped rather than failed (its desync check stands)"
            ));
        }
        let outages = self.outage.lock().expect("no thread panics holding it").iter().cloned().collect();
        RunNotes { notes, outages }
    }

    /// Whether the server answers the canary on a fresh connection.
    fn alive(&self) -> Result<(), String> {
        let ex = send(self.target.addr, &self.canary, 1, Duration::ZERO, Instant::now() + self.timing.deadline);
        match ex.responses.first() {
            Some(_) => Ok(()),
            None => Err(format!("a plain GET {} on a fresh connection got {}", self.target.path, judge::describe(&ex))),
        }
    }

    /// After a case that did not get what an allowed reading expects: checks that the server
    /// still answers, and records an outage if it does not. `true` when it answers.
    fn check_alive(&self, case: &Case) -> bool {
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

    /// While an outage is recorded: whether the server answers again (and if so, marks the
    /// outage recovered).
    fn down(&self) -> Option<String> {
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
    let plan = Plan { bytes, first_answers: ResponseTo::of_method(first_token(bytes)), responses, linger, deadline };
    exchange(addr, &plan)
}

/// The method of a request: its first token.
fn first_token(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|&b| b == b' ').unwrap_or(0);
    std::str::from_utf8(&bytes[..end]).unwrap_or("")
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

impl Subject for Live {
    fn name(&self) -> String {
        self.target.authority.clone()
    }

    fn run(&self, section: &Section, case: &Case) -> CaseResult {
        if case.kind == CaseKind::Response {
            return CaseResult::new(
                section,
                case,
                Judgment::Skip,
                String::new(),
                "a response case: the probe sends requests".into(),
            );
        }
        if let Some(since) = self.down() {
            return CaseResult::new(
                section,
                case,
                Judgment::Skip,
                String::new(),
                format!("inconclusive: the server stopped answering plain requests after case {since}"),
            );
        }
        let bytes = case.bytes();
        // Refused by h1wire only for a size limit or a huge numeral: reading it as announced
        // conforms too (RFC 9110 §8.6).
        let limit = matches!(reading::read(&bytes, 0, &h1wire::Config::default(), "").refusal(), Some(Cause::Limit(_)));
        match case.desync.filter(|_| case.expect != Expect::Incomplete) {
            None => self.run_alone(section, case, &bytes, limit),
            Some(class) => self.run_with_canary(section, case, class, &bytes, limit),
        }
    }
}

impl Live {
    /// A case without a desync class: sent alone, judged by its first response.
    fn run_alone(&self, section: &Section, case: &Case, bytes: &[u8], limit: bool) -> CaseResult {
        let deadline = match case.expect {
            Expect::Incomplete => self.timing.incomplete_wait,
            _ => self.timing.deadline,
        };
        let ex = send(self.target.addr, bytes, 1, Duration::ZERO, Instant::now() + deadline);
        let (verdict, expected, actual) = judge::judge(case, &ex, limit, self.timing.incomplete_wait.as_millis());
        let (verdict, actual) = self.capable(verdict, bytes, &ex, actual);
        if ex.responses.is_empty() && case.expect != Expect::Incomplete && !self.check_alive(case) {
            return self.outage_result(section, case, expected, actual);
        }
        CaseResult::new(section, case, verdict, expected, actual)
    }

    /// A framing case: sent with the canary after it, judged against the readings the RFC
    /// allows; a risk is checked against the case's control, the pipelining control and the
    /// server's liveness, then confirmed by sending it again.
    fn run_with_canary(
        &self,
        section: &Section,
        case: &Case,
        class: crate::corpus::DesyncClass,
        bytes: &[u8],
        limit: bool,
    ) -> CaseResult {
        let sent = [bytes, &self.canary].concat();
        let readings = reading::allowed(&sent, self.canary.len());
        let run_once = || {
            let (ex, mut verdict, mut why) = self.exchange_judged(&sent, &readings);
            // The second way: the head alone, where every reading takes it as a whole message.
            if let Some(waited) = self.head_alone(bytes) {
                verdict = DesyncVerdict::Risk;
                why = format!("{why}; and {waited}");
            }
            (ex, verdict, why)
        };
        let (ex, mut verdict, mut why) = run_once();
        let (judgment, expected, actual) = judge::judge(case, &ex, limit, self.timing.incomplete_wait.as_millis());
        let (judgment, actual) = self.capable(judgment, bytes, &ex, actual);
        if matches!(verdict, DesyncVerdict::Risk | DesyncVerdict::Inconclusive) && !self.check_alive(case) {
            return self.outage_result(section, case, expected, actual);
        }
        let mut result = CaseResult::new(section, case, judgment, expected, actual);
        if verdict == DesyncVerdict::Risk {
            if let Some(control_why) = case.control.as_deref().and_then(|c| self.control_misread(c)) {
                verdict = DesyncVerdict::Inconclusive;
                why = format!(
                    "{why}; but the control (the same shape made valid) was not read as the RFC reads it either ({control_why}), so the difference cannot be told from how this server answers any such request"
                );
            }
        }
        if verdict == DesyncVerdict::Risk && !self.pipelines {
            verdict = DesyncVerdict::Inconclusive;
            why = format!(
                "{why} (but the server does not answer pipelined plain requests either: the canary cannot tell)"
            );
        }
        let mut reproduced = None;
        if verdict == DesyncVerdict::Risk && self.confirm > 0 {
            let times = (0..self.confirm).filter(|_| run_once().1 == DesyncVerdict::Risk).count();
            reproduced = Some(Reproduced { times, of: self.confirm });
            if times == 0 {
                verdict = DesyncVerdict::Unstable;
            }
        }
        let mut desync = Desync::new(verdict, class, why, printf_escaped(&sent), judge::describe(&ex));
        desync.reproduced = reproduced;
        let (host, port) = (self.target.addr.ip(), self.target.addr.port());
        desync.reproduce = vec![
            format!("h1spec probe {} --case {} -v", self.target.authority, case.id),
            format!("printf '{}' | nc {host} {port}", desync.sent),
        ];
        result.desync = Some(desync);
        result
    }

    /// `sent` on a fresh connection, waiting for the most responses any reading gives, and the
    /// verdict of what came back.
    fn exchange_judged(&self, sent: &[u8], readings: &[Reading]) -> (Exchange, DesyncVerdict, String) {
        let most = readings.iter().map(|r| r.most()).max().unwrap_or(1);
        let ex = send(self.target.addr, sent, most, self.timing.linger, Instant::now() + self.timing.deadline);
        let (verdict, why) = judge::classify(&ex, readings, &self.baseline);
        (ex, verdict, why)
    }

    /// Sends a case's control (escaped as `raw`) with the canary; `Some(why)` when the server
    /// does not read it as the RFC does.
    fn control_misread(&self, control: &str) -> Option<String> {
        let sent = [&crate::corpus::decode(control).unwrap_or_default()[..], &self.canary].concat();
        let readings = reading::allowed(&sent, self.canary.len());
        let (_, verdict, why) = self.exchange_judged(&sent, &readings);
        (verdict != DesyncVerdict::Consistent).then_some(why)
    }

    /// A failed case sent as a POST that the server answered with the status it gives every POST
    /// with a body (the capability control) shows nothing about the case's rule: it is skipped,
    /// not failed. Its desync check still stands.
    fn capable(&self, judgment: Judgment, bytes: &[u8], ex: &Exchange, actual: String) -> (Judgment, String) {
        let refused_like_any_post = self.refuses_bodies.is_some_and(|status| {
            first_token(bytes) == "POST" && ex.responses.first().is_some_and(|r| r.status == status)
        });
        if judgment == Judgment::Fail && refused_like_any_post {
            let why =
                format!("inconclusive: answered as every POST with a body is here (capability control): {actual}");
            (Judgment::Skip, why)
        } else {
            (judgment, actual)
        }
    }

    /// The result of a case after which the server stopped answering: the outage is the finding
    /// (reported once, by [`Live::notes`]); the case itself is inconclusive.
    fn outage_result(&self, section: &Section, case: &Case, expected: String, actual: String) -> CaseResult {
        let mut result = CaseResult::new(section, case, Judgment::Skip, expected, actual);
        result.actual = format!("inconclusive: the server stopped answering plain requests ({})", result.actual);
        result
    }

    /// Sends only the head of `case_bytes` when every reading the RFC allows takes it as a whole
    /// message with no body, and watches whether the server answers or waits: a server that
    /// waits expects body bytes the RFC says were not announced. (A head the RFC refuses may
    /// still announce a body to a lax reader; the canary judges those.) Returns what it saw when
    /// the server waited.
    fn head_alone(&self, case_bytes: &[u8]) -> Option<String> {
        let head = &case_bytes[..crate::head::head_end(case_bytes)?];
        let no_body = reading::allowed(head, 0).iter().all(|r: &Reading| r.complete >= 1 && r.then == Then::Idle);
        if !no_body {
            return None;
        }
        let ex = send(self.target.addr, head, 1, Duration::ZERO, Instant::now() + self.timing.incomplete_wait);
        let silent = ex.responses.is_empty() && ex.interim == 0 && ex.end == End::Timeout;
        silent.then(|| {
            format!(
                "sent alone, the head (which the RFC reads as a whole message) got no answer in {} ms: the server waits for body bytes that were not announced",
                self.timing.incomplete_wait.as_millis()
            )
        })
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
        assert_eq!(first_token(b"HEAD / HTTP/1.1\r\n"), "HEAD");
    }

    #[test]
    fn printf_escaping_round_trips_through_printf() {
        let bytes = b"GET /%41 HTTP/1.1\r\nX: 'a'\\\t\x00\xff\n";
        let escaped = printf_escaped(bytes);
        let out = std::process::Command::new("printf").arg(&escaped).output().expect("printf runs");
        assert_eq!(out.stdout, bytes, "{escaped}");
    }
}
