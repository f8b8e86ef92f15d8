//! What a client's two responses mean for a case: a pure function of the case and the
//! [`Observed`]. The first response must be read as the RFC reads it for a user agent (or
//! refused, where the case says MUST refuse); the second must be the canary, as it is on its
//! own. A second response that is not the canary is a desync risk: the client took another
//! length for the case's body than the RFC gives, so the connection's responses are split two
//! ways (response smuggling, or response-queue poisoning through a proxy).

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
        let want = reading(case);
        let expected = match &want {
            Reading::Read { status, body } => {
                format!("a {status} response with a {} B body, then the canary", body.len())
            }
            Reading::Refuse if lenient_allowed(case) => {
                "an error or the response (either is allowed), then the canary".to_owned()
            }
            Reading::Refuse if let Some(Reading::Read { status, body }) = other_reading(case) => format!(
                "an error, or (each bare CR made SP) a {status} response with a {} B body; then the canary",
                body.len()
            ),
            Reading::Refuse => "an error, then the canary (on this or a new connection)".to_owned(),
        };
        let other = other_reading(case);
        let read_the_other = match (&other, &observed.first) {
            (Some(Reading::Read { status, body }), Fetched::Accept { status: s, body: b }) => status == s && body == b,
            _ => false,
        };
        let first_ok = read_the_other
            || match (&want, &observed.first) {
                (Reading::Read { status, body }, Fetched::Accept { status: s, body: b }) => status == s && body == b,
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
        let desync = if matches!(observed.first, Fetched::Missing { .. }) {
            DesyncVerdict::Inconclusive
        } else if framing_refused {
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
            DesyncVerdict::Risk if framing_refused => {
                "the client read as a response what the RFC says MUST be refused for its framing".to_owned()
            }
            DesyncVerdict::Risk => format!(
                "the response after the case's was not the canary but {}: the client read the case's response with another length than the RFC's",
                observed.second.summary()
            ),
            _ => "the response after the case's was the canary".to_owned(),
        };
        // What the origin sent: the response as the RFC frames it, then the canary.
        let all = case.bytes();
        let framed = super::origin::framed_len(case).filter(|&n| n <= all.len()).unwrap_or(all.len());
        let sent = format!(
            "{} then, held back, {}",
            crate::corpus::encode(&all[..framed]),
            crate::corpus::encode(super::CANARY)
        );
        result.desync = Some(Desync::new(desync, class_of(case), difference, sent, observed.second.summary()));
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
