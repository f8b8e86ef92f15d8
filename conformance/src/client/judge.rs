//! What a client's two responses mean for a case: a pure function of the case and the
//! [`Observed`]. The first response must be read as the RFC reads it for a user agent (or
//! refused, where the case says MUST refuse); the second must be the canary, as it is on its
//! own. A second response that is not the canary is a desync risk: the client took another
//! length for the case's body than the RFC gives, so the connection's responses are split two
//! ways (response smuggling, or response-queue poisoning through a proxy).

use super::proxy::Forwarded;
use super::{Fetched, Observed};
use crate::corpus::{Case, DesyncClass, Expect, Level, Section};
use crate::parse::Verdict;
use crate::pipeline::{CaseResult, Desync, DesyncVerdict, Judge, Judgment};
use crate::probe::reading::Cause;

/// What the RFC says a user agent makes of a case's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A response with this status and body.
    Read {
        /// The status code.
        status: u16,
        /// The body.
        body: Vec<u8>,
    },
    /// An error, not a response.
    Refuse,
}

impl Reading {
    /// Whether `fetched` is this reading: a response with its status and body.
    fn is_read_as(&self, fetched: &Fetched) -> bool {
        matches!((self, fetched), (Reading::Read { status, body }, Fetched::Accept { status: s, body: b }) if status == s && body == b)
    }
}

/// The RFC's reading of `case` for a user agent: h1wire's, which the corpus tests hold to the
/// case's expectations (status, body, framing), for an accepted case; a refusal for a MUST
/// reject or a response cut short.
pub fn reading(case: &Case) -> Reading {
    if case.expect != Expect::Accept {
        return Reading::Refuse;
    }
    reading_of(super::origin::user_agent_reading(case))
}

fn reading_of(verdict: Verdict) -> Reading {
    match verdict {
        Verdict::Accept { status_code: Some(status), body, .. } => {
            Reading::Read { status, body: crate::contract::bytes_of_latin1(&body) }
        }
        _ => Reading::Refuse,
    }
}

/// The other reading the RFC allows of a case h1wire refuses, where there is one. RFC 9112
/// §2.2, of a bare CR: "A recipient of such a bare CR MUST consider that element to be invalid
/// or replace each bare CR with SP before processing the element or forwarding the message."
/// A client that reads the response is then held to the reading of its bytes with each bare
/// CR made SP (a bare CR inside a Content-Length still makes that length invalid).
pub fn other_reading(case: &Case) -> Option<Reading> {
    if case.error != Some(h1wire::ErrorKind::BareCr) {
        return None;
    }
    let mut bytes = case.bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b' ';
        }
    }
    match reading_of(super::origin::user_agent_reading_of(case, &bytes)) {
        read @ Reading::Read { .. } => Some(read),
        Reading::Refuse => None,
    }
}

/// The class a misreading of `case` opens: the corpus's, else the one its framing gives (a
/// body read where there is none waits for bytes that are the next response's: 0.CL; a
/// chunked or length-delimited body read at another length: chunked or CL.CL); a response the
/// client should have refused splits what follows as pipelined responses would be.
pub fn class_of(case: &Case) -> DesyncClass {
    use h1wire::ErrorKind as K;
    if let Some(class) = case.desync {
        return class;
    }
    match (case.framing.as_deref(), case.error) {
        (Some("empty"), _) => DesyncClass::ZeroCl,
        (Some("chunked"), _) => DesyncClass::Chunked,
        (Some("length"), _) => DesyncClass::ClCl,
        // A refusal names the framing it is about.
        (
            _,
            Some(
                K::ChunkLineBareLf
                | K::ChunkedNotFinal
                | K::ChunkedTwice
                | K::InvalidChunkSize
                | K::ChunkSizeOverflow
                | K::InvalidChunkExtension
                | K::InvalidChunkDataEnd,
            ),
        ) => DesyncClass::Chunked,
        (_, Some(K::InvalidContentLength | K::DuplicateContentLength)) => DesyncClass::ClCl,
        (_, Some(K::TransferEncodingWithContentLength)) => DesyncClass::TeCl,
        (_, Some(K::InvalidTransferEncoding | K::UnknownTransferCoding)) => DesyncClass::TeTe,
        _ => DesyncClass::Pipelining,
    }
}

/// Whether a client may read a response the case refuses: a MAY refusal (obs-fold in a
/// response, a bare LF in a status line), or a reason phrase with a byte its grammar excludes
/// (RFC 9112 §4: "A client SHOULD ignore the reason-phrase content because it is not a
/// reliable channel for information"; no rule tells a client to refuse the response for it).
fn lenient_allowed(case: &Case) -> bool {
    case.level == Level::May || case.error == Some(h1wire::ErrorKind::InvalidReasonPhrase)
}

/// Whether the RFC lets a client refuse a response it could read: one with both
/// Transfer-Encoding and Content-Length (RFC 9112 §6.3 rule 3: "Such a message might indicate
/// an attempt to perform request smuggling (Section 11.2) or response splitting (Section 11.1)
/// and ought to be handled as an error"), or an HTTP/1.0 response with Transfer-Encoding
/// (§6.1: "MUST treat the message as if the framing is faulty", and a user agent discards a
/// response whose framing is invalid, §6.3 rule 5).
fn refusal_allowed(case: &Case) -> bool {
    use crate::diff::features::Feature;
    let features = crate::diff::features::features(&case.bytes());
    features.contains(&Feature::TransferEncodingWithContentLength)
        || features.contains(&Feature::Http10WithTransferEncoding)
}

/// Whether the case is a response the RFC refuses for its framing (line ends, fields,
/// Content-Length, Transfer-Encoding, chunked), not for its start line or a limit.
fn refused_for_framing(case: &Case) -> bool {
    case.error.is_some_and(|k| matches!(Cause::of(k, &case.bytes()), Cause::Framing(_)))
}

/// The client judge.
pub struct ClientJudge;

impl Judge<Observed> for ClientJudge {
    fn judge(&self, section: &Section, case: &Case, observed: &Observed) -> CaseResult {
        judge_as("client", section, case, observed)
    }
}

/// The client judge's verdict, with `who` read the responses ("client", "proxy") in its words.
fn judge_as(who: &str, section: &Section, case: &Case, observed: &Observed) -> CaseResult {
    let want = reading(case);
    let other = other_reading(case);
    let expected = match (&want, &other) {
        (Reading::Read { status, body }, _) => {
            format!("a {status} response with a {} B body, then the canary", body.len())
        }
        (Reading::Refuse, _) if lenient_allowed(case) => {
            "an error or the response (either is allowed), then the canary".to_owned()
        }
        (Reading::Refuse, Some(Reading::Read { status, body })) => format!(
            "an error, or (each bare CR made SP) a {status} response with a {} B body; then the canary",
            body.len()
        ),
        (Reading::Refuse, _) => "an error, then the canary (on this or a new connection)".to_owned(),
    };
    let read_the_other = other.as_ref().is_some_and(|o| o.is_read_as(&observed.first));
    let first_ok = read_the_other
        || want.is_read_as(&observed.first)
        || match (&want, &observed.first) {
            (Reading::Read { .. }, Fetched::Reject { .. }) if refusal_allowed(case) => true,
            // A MAY reading (a response its sender had no right to send): refusing it is allowed.
            (Reading::Read { .. }, Fetched::Reject { .. }) => case.level == Level::May,
            (Reading::Refuse, Fetched::Reject { .. }) => true,
            // A MAY refusal, or a reason phrase out of its grammar: reading it is allowed too.
            (Reading::Refuse, Fetched::Accept { .. }) => lenient_allowed(case),
            _ => false,
        };
    let actual = format!("{}, then {}", observed.first.summary(), observed.second.summary());
    let verdict = if first_ok { Judgment::Pass } else { Judgment::Fail };
    let mut result = CaseResult::new(section, case, verdict, expected, actual);
    // As the probe judges a server: reading a response the RFC refuses for its framing is a
    // risk by itself (the bytes end where no RFC reading ends them, and another party on
    // the path may end them elsewhere), even when the next response happens to line up.
    let framing_refused = want == Reading::Refuse
        && !read_the_other
        && case.level == Level::Must
        && refused_for_framing(case)
        && matches!(observed.first, Fetched::Accept { .. });
    // The case's request answered by the next response: the queue of responses is off by
    // one (response-queue poisoning), whatever came second.
    let took_the_next = observed.first.is_canary()
        && !matches!(&want, Reading::Read { status: 200, body } if body == super::CANARY_BODY);
    let desync = if matches!(observed.first, Fetched::Missing { .. }) {
        DesyncVerdict::Inconclusive
    } else if framing_refused || took_the_next {
        DesyncVerdict::Risk
    } else if observed.second.is_canary() {
        if matches!(observed.first, Fetched::Reject { .. }) {
            DesyncVerdict::Refused
        } else {
            DesyncVerdict::Consistent
        }
    } else {
        DesyncVerdict::Risk
    };
    let difference = match desync {
        DesyncVerdict::Risk if took_the_next => format!(
            "the {who} answered the case's request with the next response (the canary): it skipped the case's response, and every response after it answers the request before"
        ),
        DesyncVerdict::Risk if framing_refused => format!(
            "the {who} read as a response what the RFC says MUST be refused for its framing: {}",
            observed.first.summary()
        ),
        DesyncVerdict::Risk => format!(
            "the response after the case's was not the canary but {}: the client read the case's response with another length than the RFC's",
            observed.second.summary()
        ),
        _ => "the response after the case's was the canary".to_owned(),
    };
    // What the origin sent: the response as the RFC frames it, then the canary.
    let all = case.bytes();
    let framed = super::origin::framed_len(case).filter(|&n| n <= all.len()).unwrap_or(all.len());
    let sent =
        format!("{} then, held back, {}", crate::corpus::encode(&all[..framed]), crate::corpus::encode(super::CANARY));
    result.desync = Some(Desync::new(desync, class_of(case), difference, sent, observed.second.summary()));
    result
}

/// The judge of a proxy in front of the origin, read by h1wire's client: the client judge's
/// verdict on what came through, where the proxy's own 502 or 504 is its refusal, and beyond it
/// what a proxy must do that a client need not:
/// - forward the body the RFC reads, or nothing: another body means the proxy read the
///   response with another length, and on the upstream connection it reuses the rest is the
///   next response (a desync risk even when the canary comes through);
/// - not pass on obs-fold (RFC 9112 §5.2: a proxy "MUST either discard the message and
///   replace it with a 502 (Bad Gateway) response … or replace each received obs-fold with one
///   or more SP octets prior to interpreting the field value or forwarding the message
///   downstream");
/// - not pass on Content-Length beside Transfer-Encoding (§6.3: "An intermediary that chooses
///   to forward the message MUST first remove the received Content-Length field and process
///   the Transfer-Encoding (as described below) prior to forwarding the message downstream").
pub struct ProxyJudge;

/// The proxy's own refusal: a 502 (Bad Gateway) or 504 (Gateway Timeout) where the origin's
/// response, as the RFC reads it, has another status.
fn proxy_refusal(first: &Fetched, want: &Reading) -> Option<Fetched> {
    let Fetched::Accept { status, .. } = first else { return None };
    let theirs = matches!(want, Reading::Read { status: s, .. } if s == status);
    (matches!(status, 502 | 504) && !theirs).then(|| Fetched::Reject { error: format!("the proxy answered {status}") })
}

/// Whether a head has a line folded onto the one before (obs-fold, RFC 9112 §5.2).
fn has_obs_fold(head: &[u8]) -> bool {
    crate::head::field_lines(head).any(|l| l[0] == b' ' || l[0] == b'\t')
}

/// The value of the first field called `name` in a head.
/// (Wider than [`crate::head::values`]: a name with whitespace before its colon counts too, as
/// a lax reader downstream would take it.)
fn field<'h>(head: &'h [u8], name: &[u8]) -> Option<&'h [u8]> {
    crate::head::field_lines(head).find_map(|l| {
        let colon = l.iter().position(|&b| b == b':')?;
        l[..colon].trim_ascii().eq_ignore_ascii_case(name).then(|| l[colon + 1..].trim_ascii())
    })
}

/// Whether the connection ends after a response (RFC 9112 §9.3): `Connection: close`, or an
/// HTTP/1.0 response without `Connection: keep-alive`.
fn ends_connection(bytes: &[u8]) -> bool {
    let connection = field(bytes, b"connection").map(<[u8]>::to_ascii_lowercase);
    let has =
        |token: &[u8]| connection.as_ref().is_some_and(|v| v.split(|&b| b == b',').any(|t| t.trim_ascii() == token));
    has(b"close") || (bytes.starts_with(b"HTTP/1.0 ") && !has(b"keep-alive"))
}

/// What a proxy passed on that it must not, in words, from the head it sent.
pub fn forwarded_faults(head: &[u8]) -> Vec<&'static str> {
    let te = field(head, b"transfer-encoding").is_some();
    let cl = field(head, b"content-length").is_some();
    let mut faults = Vec::new();
    if has_obs_fold(head) {
        faults.push("it passed on an obs-fold (RFC 9112 §5.2: replace it with SP, or answer 502)");
    }
    if te && cl {
        faults.push("it passed on Content-Length beside Transfer-Encoding (RFC 9112 §6.3: remove the Content-Length)");
    }
    faults
}

impl Judge<Forwarded> for ProxyJudge {
    fn judge(&self, section: &Section, case: &Case, forwarded: &Forwarded) -> CaseResult {
        let want = reading(case);
        let mut observed = forwarded.observed.clone();
        if let Some(refusal) = proxy_refusal(&observed.first, &want) {
            observed.first = refusal;
        }
        let mut result = judge_as("proxy", section, case, &observed);
        // RFC 9112 §5.2 lets a proxy answer 502 to a response with obs-fold, where a user agent
        // must unfold it.
        if has_obs_fold(&case.bytes()) && matches!(observed.first, Fetched::Reject { .. }) {
            result.verdict = Judgment::Pass;
            result.expected = format!("{}, or the proxy's 502 (RFC 9112 §5.2)", result.expected);
        }
        let faults = forwarded_faults(&forwarded.head);
        if !faults.is_empty() {
            result.verdict = Judgment::Fail;
            result.actual = format!("{}; {}", result.actual, faults.join("; "));
        }
        // The length of the body the RFC reads, where the proxy forwarded another.
        let other_body = match (&want, &observed.first) {
            (Reading::Read { status, body }, Fetched::Accept { status: s, body: b }) if status == s && body != b => {
                Some(body.len())
            }
            _ => None,
        };
        // A response after which the connection ends carries nothing into the next: another
        // body length is a failure, not a desync (an HTTP/1.0 response read as chunked and
        // the connection closed, as RFC 9112 §6.1 asks).
        let other_body = other_body.filter(|_| !ends_connection(&case.bytes()));
        if let (Some(len), Some(desync)) = (other_body, result.desync.as_mut()) {
            if desync.verdict != DesyncVerdict::Risk {
                let difference = format!(
                    "the proxy forwarded {} where the RFC reads a {len} B body: it read the origin's response with another length, and on the upstream connection it reuses, the rest is taken for the next response",
                    observed.first.summary()
                );
                *desync = Desync::new(
                    DesyncVerdict::Risk,
                    desync.class,
                    difference,
                    desync.sent.clone(),
                    desync.received.clone(),
                );
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::CANARY_BODY;

    fn case(raw: &str, expect: &str, level: &str, method: &str) -> (Section, Case) {
        let status = if expect == "reject" { "status = [502]\n" } else { "" };
        let text = format!("[section]\nid = \"t\"\ntitle = \"t\"\n[[case]]\nid = \"x\"\nrfc = [\"RFC 9112 §6.3\"]\nlevel = \"{level}\"\nrole = \"response\"\nrequest_method = \"{method}\"\nraw = '{raw}'\nexpect = \"{expect}\"\n{status}");
        let mut section = crate::corpus::load_str("t.toml", &text).expect("a case");
        let c = section.cases.remove(0);
        (section, c)
    }

    fn canary() -> Fetched {
        Fetched::Accept { status: 200, body: CANARY_BODY.to_vec() }
    }

    #[test]
    fn the_rfcs_reading_passes_and_another_length_is_a_risk() {
        let (s, c) = case("HTTP/1.1 204 No Content\\r\\nContent-Length: 5\\r\\n\\r\\n", "accept", "MUST", "GET");
        assert_eq!(reading(&c), Reading::Read { status: 204, body: Vec::new() });
        let right = Observed { first: Fetched::Accept { status: 204, body: Vec::new() }, second: canary() };
        let r = ClientJudge.judge(&s, &c, &right);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Pass, DesyncVerdict::Consistent));
        // A client that read 5 body bytes after the 204 took "HTTP/" of the canary.
        let wrong = Observed {
            first: Fetched::Accept { status: 204, body: b"HTTP/".to_vec() },
            second: Fetched::Reject { error: "bad status line".into() },
        };
        let r = ClientJudge.judge(&s, &c, &wrong);
        assert_eq!(r.verdict, Judgment::Fail);
        let d = r.desync.unwrap();
        assert_eq!((d.verdict, d.class), (DesyncVerdict::Risk, DesyncClass::Pipelining));
    }

    #[test]
    fn a_must_refusal_must_be_an_error_and_a_may_one_may_be_read() {
        let (s, c) = case(
            "HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\nab",
            "reject",
            "MUST",
            "GET",
        );
        let refused = Observed { first: Fetched::Reject { error: "two lengths".into() }, second: canary() };
        let r = ClientJudge.judge(&s, &c, &refused);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Pass, DesyncVerdict::Refused));
        let read = Observed { first: Fetched::Accept { status: 200, body: b"a".to_vec() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &read).verdict, Judgment::Fail);
        let (s, c) = case("HTTP/1.1 200 OK\\nContent-Length: 0\\n\\n", "reject", "MAY", "GET");
        let read = Observed { first: Fetched::Accept { status: 200, body: Vec::new() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &read).verdict, Judgment::Pass);
    }

    #[test]
    fn a_response_with_both_framings_may_be_refused_as_the_rfc_advises() {
        let raw = "HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\na\\r\\n0\\r\\n\\r\\n";
        let (s, c) = case(raw, "accept", "MUST", "GET");
        let refused = Observed { first: Fetched::Reject { error: "TE with CL".into() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &refused).verdict, Judgment::Pass);
        let read = Observed { first: Fetched::Accept { status: 200, body: b"a".to_vec() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &read).verdict, Judgment::Pass);
        // A MAY reading (a response its sender had no right to send) may be refused too.
        let (s, c) = case("HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok", "accept", "MAY", "GET");
        assert_eq!(ClientJudge.judge(&s, &c, &refused).verdict, Judgment::Pass);
        let (s, c) = case("HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok", "accept", "MUST", "GET");
        assert_eq!(ClientJudge.judge(&s, &c, &refused).verdict, Judgment::Fail, "a MUST reading may not");
        // RFC 9112 §6.1: an HTTP/1.0 response with Transfer-Encoding has faulty framing.
        let (s, c) =
            case("HTTP/1.0 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n", "accept", "MUST", "GET");
        assert_eq!(ClientJudge.judge(&s, &c, &refused).verdict, Judgment::Pass);
        let chunked = Observed { first: Fetched::Accept { status: 200, body: Vec::new() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &chunked).verdict, Judgment::Fail, "its framing is not to be trusted");
    }

    #[test]
    fn a_client_may_ignore_a_reason_phrase_out_of_its_grammar() {
        let (s, mut c) = case("HTTP/1.1 200 O\\x01K\\r\\nContent-Length: 0\\r\\n\\r\\n", "reject", "MUST", "GET");
        let read = Observed { first: Fetched::Accept { status: 200, body: Vec::new() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &read).verdict, Judgment::Fail, "a MUST refusal by default");
        c.error = Some(h1wire::ErrorKind::InvalidReasonPhrase);
        assert_eq!(ClientJudge.judge(&s, &c, &read).verdict, Judgment::Pass, "RFC 9112 §4: a client SHOULD ignore it");
    }

    #[test]
    fn a_bare_cr_may_be_read_as_sp_and_nothing_else() {
        let (s, mut c) = case("HTTP/1.1 200 O\\rK\\r\\nContent-Length: 2\\r\\n\\r\\nok", "reject", "MUST", "GET");
        c.error = Some(h1wire::ErrorKind::BareCr);
        assert_eq!(other_reading(&c), Some(Reading::Read { status: 200, body: b"ok".to_vec() }));
        let read = Observed { first: Fetched::Accept { status: 200, body: b"ok".to_vec() }, second: canary() };
        let r = ClientJudge.judge(&s, &c, &read);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Pass, DesyncVerdict::Consistent));
        let refused = Observed { first: Fetched::Reject { error: "bare CR".into() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &refused).verdict, Judgment::Pass);
        let other = Observed { first: Fetched::Accept { status: 200, body: b"o".to_vec() }, second: canary() };
        let r = ClientJudge.judge(&s, &c, &other);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Fail, DesyncVerdict::Risk));
        // A bare CR inside the length leaves no length to read by: refusing is the only reading.
        let (_, mut c) = case("HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r3\\r\\n\\r\\nok", "reject", "MUST", "GET");
        c.error = Some(h1wire::ErrorKind::BareCr);
        assert_eq!(other_reading(&c), None);
    }

    fn through(first: Fetched, head: &[u8]) -> Forwarded {
        Forwarded { observed: Observed { first, second: canary() }, head: head.to_vec() }
    }

    #[test]
    fn a_proxy_may_answer_502_to_obs_fold_but_may_not_pass_it_on() {
        let (s, c) =
            case("HTTP/1.1 200 OK\\r\\nX: a\\r\\n b\\r\\nContent-Length: 0\\r\\n\\r\\n", "accept", "MUST", "GET");
        let refused =
            through(Fetched::Accept { status: 502, body: b"Bad Gateway".to_vec() }, b"HTTP/1.1 502 Bad Gateway\r\n");
        let r = ProxyJudge.judge(&s, &c, &refused);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Pass, DesyncVerdict::Refused));
        let unfolded = through(Fetched::Accept { status: 200, body: Vec::new() }, b"HTTP/1.1 200 OK\r\nX: a b\r\n");
        assert_eq!(ProxyJudge.judge(&s, &c, &unfolded).verdict, Judgment::Pass);
        let passed_on =
            through(Fetched::Accept { status: 200, body: Vec::new() }, b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n");
        let r = ProxyJudge.judge(&s, &c, &passed_on);
        assert_eq!(r.verdict, Judgment::Fail);
        assert!(r.actual.contains("obs-fold"), "{}", r.actual);
        // A client must unfold it: a client's error is a failure.
        let error = Observed { first: Fetched::Reject { error: "obs-fold".into() }, second: canary() };
        assert_eq!(ClientJudge.judge(&s, &c, &error).verdict, Judgment::Fail);
    }

    #[test]
    fn a_proxy_must_drop_content_length_beside_transfer_encoding() {
        let raw = "HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\na\\r\\n0\\r\\n\\r\\n";
        let (s, c) = case(raw, "accept", "MUST", "GET");
        let both = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\ntransfer-encoding: chunked\r\n";
        let r = ProxyJudge.judge(&s, &c, &through(Fetched::Accept { status: 200, body: b"a".to_vec() }, both));
        assert_eq!(r.verdict, Judgment::Fail);
        let te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
        let r = ProxyJudge.judge(&s, &c, &through(Fetched::Accept { status: 200, body: b"a".to_vec() }, te));
        assert_eq!(r.verdict, Judgment::Pass);
    }

    #[test]
    fn a_proxy_forwarding_another_body_is_a_risk_unless_the_connection_ends_after_it() {
        let (s, c) = case(
            "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n0\\r\\n\\r\\n",
            "accept",
            "MUST",
            "GET",
        );
        assert_eq!(reading(&c), Reading::Read { status: 200, body: b"0\r\n\r\n".to_vec() });
        let short = through(Fetched::Accept { status: 200, body: Vec::new() }, b"HTTP/1.1 200 OK\r\n");
        let r = ProxyJudge.judge(&s, &c, &short);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Fail, DesyncVerdict::Risk));
        // An HTTP/1.0 response ends its connection: the body read another way is a failure only.
        let (s, c) =
            case("HTTP/1.0 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n", "accept", "MUST", "GET");
        let r = ProxyJudge.judge(&s, &c, &short);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Fail, DesyncVerdict::Consistent));
        assert!(ends_connection(b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n\r\n"));
        assert!(!ends_connection(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n"));
    }

    #[test]
    fn the_next_response_taken_for_the_cases_is_a_risk() {
        let (s, c) = case("HTTP/1.1 000 OK\\r\\nContent-Length: 0\\r\\n\\r\\n", "reject", "MUST", "GET");
        let skipped = Observed { first: canary(), second: canary() };
        let d = ClientJudge.judge(&s, &c, &skipped).desync.unwrap();
        assert_eq!(d.verdict, DesyncVerdict::Risk);
        assert!(d.difference.contains("next response"), "{}", d.difference);
    }

    #[test]
    fn a_client_that_said_nothing_is_inconclusive_on_desync() {
        let (s, c) = case("HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok", "accept", "MUST", "GET");
        let hung = Observed {
            first: Fetched::Missing { why: "deadline".into() },
            second: Fetched::Missing { why: "deadline".into() },
        };
        let r = ClientJudge.judge(&s, &c, &hung);
        assert_eq!((r.verdict, r.desync.unwrap().verdict), (Judgment::Fail, DesyncVerdict::Inconclusive));
    }
}
