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

/// Statuses that say the server refused the message as malformed, as opposed to reading it and
/// answering about the resource (404, 405, and 501 for a method it does not implement).
const REFUSALS: &[u16] = &[400, 411, 413, 414, 431, 505];

/// Whether a first response says the server did not process the message: a refusal, a 501
/// (an unknown transfer coding, or method), or a server error. A 404 or 405 answers a message
/// that was read.
fn not_processed(status: u16) -> bool {
    REFUSALS.contains(&status) || status >= 500
}

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
        let (sent, readings, linger, deadline) = match (desync_run, case.expect) {
            (Some(_), _) => {
                let sent = [&bytes[..], &self.canary].concat();
                let readings = Reading::allowed(&sent, self.canary.len());
                (sent, readings, self.timing.linger, deadline)
            }
            (None, Expect::Incomplete) => {
                (bytes.clone(), vec![Reading::ONE], Duration::ZERO, Instant::now() + self.timing.incomplete_wait)
            }
            (None, _) => (bytes.clone(), vec![Reading::ONE], Duration::ZERO, deadline),
        };
        let most = readings.iter().map(|r| r.most()).max().unwrap_or(1);
        let plan = Plan { bytes: &sent, first_answers, responses: most, linger, deadline };
        let ex = exchange(self.target.addr, &plan);
        let (verdict, expected, actual) = judge(case, &ex, self.timing);
        let mut result = CaseResult::new(section, case, verdict, expected, actual);
        if let Some(class) = desync_run {
            let (mut verdict, why) = classify(case, &ex, &readings, &self.baseline);
            let mut evidence = evidence(&sent, &ex, &why);
            // The second way: the head alone, where the RFC says no body follows it.
            if let Some(waited) = self.head_alone(&bytes) {
                verdict = DesyncVerdict::Risk;
                evidence.push_str(&format!(" And {waited}"));
            }
            result.desync = Some(Desync { verdict, class: class.name(), evidence });
        }
        result
    }
}

impl Live {
    /// Sends only the head of `case_bytes` when every reading the RFC allows takes it as a whole
    /// message with no body, and watches whether the server answers or waits: a server that
    /// waits expects body bytes the RFC says were not announced. (A head the RFC refuses may
    /// still announce a body to a lax reader; the canary judges those.) Returns what it saw when
    /// the server waited.
    fn head_alone(&self, case_bytes: &[u8]) -> Option<String> {
        let head_len = case_bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = &case_bytes[..head_len];
        let no_body = Reading::allowed(head, 0).iter().all(|r| r.complete >= 1 && !r.refused_after);
        if !no_body {
            return None;
        }
        let plan = Plan {
            bytes: head,
            first_answers: ResponseTo::of_method(first_token(head)),
            responses: 1,
            linger: Duration::ZERO,
            deadline: Instant::now() + self.timing.incomplete_wait,
        };
        let ex = exchange(self.target.addr, &plan);
        let silent = ex.responses.is_empty() && ex.interim == 0 && ex.end == End::Timeout;
        silent.then(|| {
            format!(
                "sent alone, the head (which the RFC reads as a whole message) got no answer in {} ms: the server waits for body bytes that were not announced.",
                self.timing.incomplete_wait.as_millis()
            )
        })
    }
}

/// The method of a request: its first token.
fn first_token(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|&b| b == b' ').unwrap_or(0);
    std::str::from_utf8(&bytes[..end]).unwrap_or("")
}

/// The RFC's reading of what a framing case sends (the case, then the canary): h1wire's
/// reading, as complete requests and whether one after them is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reading {
    /// Requests read completely, the canary among them when nothing is refused.
    complete: usize,
    /// A request after them is refused. A server may refuse it too (and close), or accept it
    /// where the refusal is not about framing (a missing Host, say); then it answers it and the
    /// canary after it as on its own. Either is consistent; anything else is not.
    refused_after: bool,
    /// The last complete request is the canary alone (not glued to bytes left by the case), so
    /// its response must be the canary's as on its own.
    canary_alone: bool,
}

impl Reading {
    /// One response, the case's (no canary).
    const ONE: Reading = Reading { complete: 1, refused_after: false, canary_alone: false };

    /// The readings the RFC allows a server: h1wire's (strict), one that accepts bare LF as a
    /// line end (RFC 9112 §2.2 MAY), and one that replaces the first head's obs-folds by SP
    /// (RFC 9112 §5.2 lets a server do so instead of answering 400).
    fn allowed(sent: &[u8], canary_len: usize) -> Vec<Reading> {
        let of = |bytes: &[u8], bare_lf: bool| {
            let (complete, refused_after, last_start) = rfc_reading(bytes, bare_lf);
            let canary_alone = !refused_after && last_start == bytes.len() - canary_len;
            Reading { complete, refused_after, canary_alone }
        };
        let mut readings = vec![of(sent, false), of(sent, true)];
        if let Some(unfolded) = unfold_first_head(sent) {
            readings.push(of(&unfolded, false));
        }
        readings.dedup();
        readings
    }

    /// The most responses a consistent server sends: with a refused request, the one answer
    /// more of a server that accepts it, and the canary's.
    fn most(self) -> usize {
        self.complete + if self.refused_after { 2 } else { 0 }
    }
}

/// `bytes` with each obs-fold (CRLF then SP or HTAB) of the first head replaced by one SP, or
/// `None` when it has none.
fn unfold_first_head(bytes: &[u8]) -> Option<Vec<u8>> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let (head, rest) = bytes.split_at(head_end);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < head.len() {
        if head[i..].starts_with(b"\r\n") && head.get(i + 2).is_some_and(|&b| b == b' ' || b == b'\t') {
            out.push(b' ');
            i += 2;
        } else {
            out.push(head[i]);
            i += 1;
        }
    }
    (out.len() != head.len()).then(|| [&out[..], rest].concat())
}

/// How h1wire reads `bytes` as a stream of requests (with bare LF as a line end when `bare_lf`):
/// the complete requests before the first refused or incomplete one, whether one was refused,
/// and where the last complete one began.
fn rfc_reading(bytes: &[u8], bare_lf: bool) -> (usize, bool, usize) {
    let mut config = h1wire::Config::default();
    config.allow_bare_lf = bare_lf;
    let mut parser = RequestParser::with_config(config);
    let (mut start, mut messages, mut message_start, mut last_start) = (0, 0, 0, 0);
    loop {
        match parser.parse(&bytes[start..]) {
            Err(_) => return (messages, true, last_start),
            Ok(out) => {
                let at = start;
                start += out.consumed;
                match out.event {
                    None => return (messages, false, last_start),
                    Some(h1wire::Event::Head { .. }) => message_start = at,
                    Some(h1wire::Event::EndOfMessage) => {
                        messages += 1;
                        last_start = message_start;
                    }
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
            if case.may_accept_if_closed {
                expected.push_str("; or an answer by Transfer-Encoding, then the close (RFC 9112 §6.3)");
            }
            let refused = first.is_some_and(|r| case.status.contains(&r.status));
            let processed = case.may_accept_if_closed && first.is_some_and(|r| (200..300).contains(&r.status));
            ((refused || processed) && (!case.must_close || closed), expected)
        }
        Expect::Accept => {
            let read = first.is_some_and(|r| (r.status < 500 || r.status == 501) && !REFUSALS.contains(&r.status));
            (read, format!("the request read and answered (any status but {REFUSALS:?} or a 5xx other than 501)"))
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
fn classify(case: &Case, ex: &Exchange, readings: &[Reading], baseline: &Seen) -> (DesyncVerdict, String) {
    let Some(first) = ex.responses.first() else {
        return match ex.end {
            End::Timeout => (
                DesyncVerdict::Risk,
                "no response before the deadline: the server waits for bytes the RFC says were not announced".into(),
            ),
            _ => (DesyncVerdict::Refused, "the server closed without answering".into()),
        };
    };
    if not_processed(first.status) {
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
    let canary = last.status == baseline.status && last.body_prefix == baseline.body_prefix;
    let most = readings.iter().map(|r| r.most()).max().unwrap_or(1);
    let consistent = readings.iter().any(|r| {
        let k = r.complete;
        if r.refused_after {
            (got == k + 1 && last.status >= 400) || (got == k + 2 && canary)
        } else {
            got == k && (canary || !r.canary_alone)
        }
    });
    if consistent {
        return (DesyncVerdict::Consistent, "the responses of the RFC's reading, the canary's as on its own".into());
    }
    if got > most {
        return (
            DesyncVerdict::Risk,
            format!(
                "{got} responses where the RFC's reading gives at most {most}: part of a body was read as a request"
            ),
        );
    }
    if got == most {
        return (
            DesyncVerdict::Risk,
            format!(
                "the canary got {} instead of {}: bytes left over from the case were read with it",
                last.status, baseline.status
            ),
        );
    }
    match ex.end {
        End::Timeout | End::Open => (
            DesyncVerdict::Risk,
            format!("{got} responses, then silence: the canary was taken as body, or the server waits for more"),
        ),
        _ => (
            DesyncVerdict::Inconclusive,
            format!("{got} responses, then the server closed: its reading cannot be told"),
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
    fn the_rfc_readings_count_requests() {
        let two = b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(rfc_reading(two, false), (2, false, 46));
        let te_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(rfc_reading(te_cl, false), (0, true, 0));
        let cut = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nGET / HTTP/1.1\r\n\r\n";
        assert_eq!(rfc_reading(cut, false), (1, true, 0));
        assert_eq!(rfc_reading(b"GET / HTTP/1.1\nHost: a\n\n", false), (0, true, 0));
        assert_eq!(rfc_reading(b"GET / HTTP/1.1\nHost: a\n\n", true), (1, false, 0));
        let folded = b"POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        // "one or more SP octets" (RFC 9112 §5.2): the CRLF becomes SP, the fold's own SP stays.
        let unfolded = b"POST / HTTP/1.1\r\nHost: a\r\nX: y  Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(unfold_first_head(folded).as_deref(), Some(&unfolded[..]));
        assert_eq!(unfold_first_head(b"GET / HTTP/1.1\r\n\r\n"), None);
        // Three readings of the folded request: refused, refused, one request then a refusal.
        let readings = Reading::allowed(folded, 0);
        assert_eq!(readings.iter().map(|r| (r.complete, r.refused_after)).collect::<Vec<_>>(), [(0, true), (1, true)]);
        assert_eq!(first_token(b"HEAD / HTTP/1.1\r\n"), "HEAD");
    }
}
