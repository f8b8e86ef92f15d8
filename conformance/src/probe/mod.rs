//! `h1spec probe`: the corpus against a live server over TCP, with desync detection.
//!
//! Each request case goes on a connection of its own. A case without a desync class is sent
//! alone and judged by the first response. A framing case is sent followed by a **canary** (a
//! plain GET of the target's path, whose answer the probe learnt first on a connection of its
//! own): the responses are then compared with the RFC's reading of the bytes, which h1wire gives
//! (how many requests they hold). The server either refused, or answered as the RFC reads the
//! bytes and then answered the canary as before (consistent), or read them another way: an extra
//! response (it read part of a body as a request), a missing canary (it took the canary as body,
//! or waits for body bytes the RFC says were not announced), or a changed canary (leftover bytes
//! were glued to it). Where the connection closed before the probe could tell, it says
//! inconclusive rather than guess.

pub mod wire;

use std::fmt::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use h1wire::{Parse, RequestParser, ResponseTo};

use crate::corpus::{Case, CaseKind, Expect, Level, Section};
use crate::pipeline::{CaseResult, Desync, DesyncVerdict, Judgment, Subject};
use wire::{exchange, End, Exchange, Plan, Seen};

/// Statuses that say the server refused the message as malformed or unsupported, as opposed to
/// reading it and answering about the resource (404, 405, …).
const REFUSALS: &[u16] = &[400, 411, 413, 414, 431, 501, 505];

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

/// A live server under test.
pub struct Live {
    target: Target,
    timing: Timing,
    canary: Vec<u8>,
    /// The canary's response on a connection of its own.
    baseline: Seen,
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
        let plan = Plan {
            bytes: &canary,
            first_answers: ResponseTo::Other,
            responses: 1,
            linger: Duration::ZERO,
            deadline: Instant::now() + timing.deadline,
        };
        let ex = exchange(target.addr, &plan);
        match (ex.responses.first(), &ex.end) {
            (_, End::Unreachable(e)) => Err(Unreachable(format!("{}: {e}", target.addr))),
            (Some(seen), _) => Ok(Live { baseline: seen.clone(), target, timing, canary }),
            (None, end) => {
                Err(Unreachable(format!("{}: no response to GET {} ({})", target.addr, target.path, describe_end(end))))
            }
        }
    }

    /// The canary's response, as learnt before the run.
    pub fn baseline(&self) -> &Seen {
        &self.baseline
    }
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
        let bytes = case.bytes();
        let deadline = Instant::now() + self.timing.deadline;
        let first_answers = ResponseTo::of_method(first_token(&bytes));
        let desync_run = case.desync.filter(|_| case.expect != Expect::Incomplete);
        let (sent, reading, linger, deadline) = match (desync_run, case.expect) {
            (Some(_), _) => {
                let sent = [&bytes[..], &self.canary].concat();
                let reading = Reading::expected(case.expect, &sent);
                (sent, reading, self.timing.linger, deadline)
            }
            (None, Expect::Incomplete) => {
                (bytes.clone(), Reading::ONE, Duration::ZERO, Instant::now() + self.timing.incomplete_wait)
            }
            (None, _) => (bytes.clone(), Reading::ONE, Duration::ZERO, deadline),
        };
        let plan = Plan { bytes: &sent, first_answers, responses: reading.responses, linger, deadline };
        let ex = exchange(self.target.addr, &plan);
        let (verdict, expected, actual) = judge(case, &ex, self.timing);
        let mut result = CaseResult::new(section, case, verdict, expected, actual);
        if let Some(class) = desync_run {
            let (verdict, why) = classify(case, &ex, reading, &self.baseline);
            result.desync = Some(Desync { verdict, class: class.name(), evidence: evidence(&sent, &ex, &why) });
        }
        result
    }
}

/// The method of a request: its first token.
fn first_token(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|&b| b == b' ').unwrap_or(0);
    std::str::from_utf8(&bytes[..end]).unwrap_or("")
}

/// The responses a framing case sent with the canary after it should get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reading {
    /// How many.
    responses: usize,
    /// The last one is the canary's (as on its own); otherwise it is a refusal of bytes the RFC
    /// reading refuses after the complete requests.
    canary_last: bool,
}

impl Reading {
    /// One response, the case's.
    const ONE: Reading = Reading { responses: 1, canary_last: false };

    /// What the RFC's reading of `sent` (the case, then the canary) gives. For a case the RFC
    /// refuses, a server that accepts it anyway is expected to answer it once and then the
    /// canary: anything else shows it framed the bytes another way.
    fn expected(expect: Expect, sent: &[u8]) -> Self {
        if expect == Expect::Reject {
            return Reading { responses: 2, canary_last: true };
        }
        let (complete, refused_after) = rfc_reading(sent);
        Reading { responses: complete + usize::from(refused_after), canary_last: !refused_after }
    }
}

/// How h1wire reads `bytes` as a stream of requests: the complete requests before the first
/// refused or incomplete one, and whether one was refused.
fn rfc_reading(bytes: &[u8]) -> (usize, bool) {
    let mut parser = RequestParser::new();
    let (mut start, mut messages) = (0, 0);
    loop {
        match parser.parse(&bytes[start..]) {
            Err(_) => return (messages, true),
            Ok(out) => {
                start += out.consumed;
                match out.event {
                    None => return (messages, false),
                    Some(h1wire::Event::EndOfMessage) => messages += 1,
                    Some(_) => {}
                }
            }
        }
    }
}

fn describe_end(end: &End) -> String {
    match end {
        End::Open => "the connection stayed open".into(),
        End::Closed => "then the server closed the connection".into(),
        End::Reset => "then the server reset the connection".into(),
        End::Timeout => "then nothing more before the deadline".into(),
        End::Malformed { rule, offset } => format!("then bytes that are not a response ({rule} at byte {offset})"),
        End::Unreachable(e) => format!("could not connect: {e}"),
    }
}

/// What came back, in words.
fn describe(ex: &Exchange) -> String {
    let mut text = String::new();
    if ex.responses.is_empty() {
        text.push_str("no response");
    } else {
        let list: Vec<String> = ex.responses.iter().map(Seen::describe).collect();
        text.push_str(&list.join(", then "));
    }
    let _ = write!(text, "; {}", describe_end(&ex.end));
    if ex.write_failed {
        text.push_str(" (before the probe had sent everything)");
    }
    text
}

/// Judges the first response against the case.
fn judge(case: &Case, ex: &Exchange, timing: Timing) -> (Judgment, String, String) {
    let first = ex.responses.first();
    let actual = describe(ex);
    let closed = matches!(ex.end, End::Closed | End::Reset) && ex.responses.len() <= 1;
    let (ok, expected) = match case.expect {
        Expect::Reject => {
            let mut expected = format!("a refusal: one of {:?}", case.status);
            if case.must_close {
                expected.push_str(", then the connection closed");
            }
            let refused = first.is_some_and(|r| case.status.contains(&r.status));
            (refused && (!case.must_close || closed), expected)
        }
        Expect::Accept => {
            let read = first.is_some_and(|r| r.status < 500 && !REFUSALS.contains(&r.status));
            (read, format!("the request read and answered (any status but {REFUSALS:?} or 5xx)"))
        }
        Expect::Incomplete => {
            let answered = first.is_some_and(|r| r.status < 400);
            (
                !answered,
                format!("no answer to an incomplete message (watched {} ms)", timing.incomplete_wait.as_millis()),
            )
        }
    };
    // RFC 2119 MAY: either outcome conforms; the result says what the server chose.
    let verdict = if ok || case.level == Level::May { Judgment::Pass } else { Judgment::Fail };
    (verdict, expected, actual)
}

/// The desync verdict of a framing case sent with the canary after it.
fn classify(case: &Case, ex: &Exchange, reading: Reading, baseline: &Seen) -> (DesyncVerdict, String) {
    let wanted = reading.responses;
    let Some(first) = ex.responses.first() else {
        return match ex.end {
            End::Timeout => (
                DesyncVerdict::Risk,
                "no response before the deadline: the server waits for bytes the RFC says were not announced".into(),
            ),
            _ => (DesyncVerdict::Refused, "the server closed without answering".into()),
        };
    };
    if first.status >= 400 {
        if case.must_close && ex.responses.len() > 1 {
            return (
                DesyncVerdict::Risk,
                "refused, but kept the connection and read what followed as a request (RFC 9112 §6.3: close)".into(),
            );
        }
        return (DesyncVerdict::Refused, format!("refused with {}", first.status));
    }
    let got = ex.responses.len();
    let last = ex.responses.last().expect("at least the first");
    let same_as_baseline = last.status == baseline.status && last.body_prefix == baseline.body_prefix;
    if got > wanted {
        return (
            DesyncVerdict::Risk,
            format!("{got} responses where the RFC's reading gives {wanted}: part of a body was read as a request"),
        );
    }
    if got == wanted && reading.canary_last && same_as_baseline {
        return (DesyncVerdict::Consistent, "the case's responses, then the canary's as on its own".into());
    }
    if got == wanted && !reading.canary_last && last.status >= 400 {
        return (DesyncVerdict::Consistent, "the case's responses, then a refusal of the bytes the RFC refuses".into());
    }
    if got == wanted {
        return (
            DesyncVerdict::Risk,
            format!(
                "the last response was {} where the RFC's reading gives {}: the bytes were framed another way",
                last.status,
                if reading.canary_last { baseline.status.to_string() } else { "a refusal".into() }
            ),
        );
    }
    match ex.end {
        End::Timeout | End::Open => (
            DesyncVerdict::Risk,
            format!(
                "{got} of {wanted} responses, then silence: the canary was taken as body, or the server waits for more"
            ),
        ),
        _ => (
            DesyncVerdict::Inconclusive,
            format!("{got} of {wanted} responses, then the server closed: its reading cannot be told"),
        ),
    }
}

/// What was sent and what came back, escaped and cut to a readable length.
fn evidence(sent: &[u8], ex: &Exchange, why: &str) -> String {
    let mut shown = sent.escape_ascii().to_string();
    if shown.len() > 400 {
        shown.truncate(400);
        shown.push('…');
    }
    format!("{why}. Sent: \"{shown}\". Received: {}.", describe(ex))
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
    fn the_rfc_reading_counts_requests() {
        assert_eq!(
            rfc_reading(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"),
            (2, false)
        );
        assert_eq!(
            rfc_reading(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            (0, true)
        );
        assert_eq!(
            rfc_reading(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nGET / HTTP/1.1\r\n\r\n"),
            (1, true)
        );
        assert_eq!(first_token(b"HEAD / HTTP/1.1\r\n"), "HEAD");
    }
}
