//! What a live server's responses mean: pure functions of what was sent, what came back and the
//! readings the RFC allows ([`super::reading`]). Nothing here touches a socket.

use std::fmt::Write as _;

use crate::corpus::{Case, Expect, Level};
use crate::pipeline::{DesyncVerdict, Judgment};

use super::reading::{Cause, Reading, Then};
use crate::net::{End, Exchange, Seen};

/// Statuses that say the server refused the message as malformed, as opposed to reading it and
/// answering about the resource (404, 405, and 501 for a method it does not implement).
const REFUSALS: &[u16] = &[400, 411, 413, 414, 431, 505];

/// Whether a first response says the server did not process the message: a refusal, a 501
/// (an unknown transfer coding, or method), or a server error. A 404 or 405 answers a message
/// that was read.
pub fn not_processed(status: u16) -> bool {
    REFUSALS.contains(&status) || status >= 500
}

/// An error status: what a server answers when it refuses (any 4xx or 5xx).
fn is_error(seen: &Seen) -> bool {
    seen.status >= 400
}

/// How a case's exchange ended, in words.
pub fn describe_end(end: &End) -> String {
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
pub fn describe(ex: &Exchange) -> String {
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

/// Judges the first response against the case. `limit` is set when the RFC's reading refuses
/// the case only for a size limit or a numeral too large for h1wire's integers: then any error
/// status, or waiting for the body as announced, conforms (RFC 9110 §8.6).
pub fn judge(case: &Case, ex: &Exchange, limit: bool, incomplete_wait_ms: u128) -> (Judgment, String, String) {
    let first = ex.responses.first();
    let actual = describe(ex);
    let closed = matches!(ex.end, End::Closed | End::Reset) && ex.responses.len() <= 1;
    let (ok, expected) = match case.expect {
        Expect::Reject if limit => {
            let mut expected = "a refusal with any 4xx or 5xx".to_string();
            if case.must_close {
                expected.push_str(", then the connection closed");
            }
            expected.push_str("; or the size read as announced, waiting for it (RFC 9110 §8.6)");
            let refused = first.is_some_and(is_error) && (!case.must_close || closed);
            let waits = first.is_none() && ex.end == End::Timeout;
            (refused || waits, expected)
        }
        Expect::Reject => {
            let mut expected = format!("a refusal: one of {:?}", case.status);
            if case.must_close {
                expected.push_str(", then the connection closed");
            }
            if case.may_accept_if_closed {
                expected.push_str("; or an answer by Transfer-Encoding, then the close (RFC 9112 §6.1, §6.3)");
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
            (!answered, format!("no answer to an incomplete message (watched {incomplete_wait_ms} ms)"))
        }
    };
    // RFC 2119 MAY: either outcome conforms; the result says what the server chose.
    let verdict = if ok || case.level == Level::May { Judgment::Pass } else { Judgment::Fail };
    (verdict, expected, actual)
}

/// Whether `ex` is what a server reading the bytes as `r` sends.
fn fits(r: &Reading, ex: &Exchange, last_is_canary: bool) -> bool {
    let (got, k) = (ex.responses.len(), r.complete);
    let closed = matches!(ex.end, End::Closed | End::Reset);
    let error_at = |i: usize| ex.responses.get(i).is_some_and(is_error);
    match r.then {
        Then::Idle => got == k && (!r.canary_alone || last_is_canary),
        Then::Waits => got == k,
        Then::Closes => got == k && closed,
        // A server may accept what breaks only a rule about something else, or refuse it and read
        // on (its framing is not in doubt): either way the canary after it is answered as alone.
        Then::Refuses(Cause::Other(_)) => (got == k + 1 && error_at(k)) || (got == k + 2 && last_is_canary),
        Then::Refuses(_) => got == k + 1 && error_at(k),
    }
}

/// The desync verdict of a framing case sent with the canary after it, and one sentence saying
/// why: what the server did against what the RFC's readings do. `readings[0]` is the strict one.
pub fn classify(ex: &Exchange, readings: &[Reading], baseline: &Seen) -> (DesyncVerdict, String) {
    let got = ex.responses.len();
    let closed = matches!(ex.end, End::Closed | End::Reset);
    let last_is_canary =
        ex.responses.last().is_some_and(|s| s.status == baseline.status && s.body_prefix == baseline.body_prefix);
    if let Some(r) = readings.iter().find(|r| fits(r, ex, last_is_canary)) {
        // The response to the message the reading refuses, if it is the last one.
        return match (r.then, ex.responses.get(r.complete)) {
            (Then::Refuses(cause), Some(refusal)) if got == r.complete + 1 && not_processed(refusal.status) => (
                DesyncVerdict::Refused,
                format!("refused with {} ({}), as the RFC's reading does", refusal.status, cause.kind().name()),
            ),
            (Then::Refuses(cause), Some(answer)) if got == r.complete + 1 => (
                DesyncVerdict::Refused,
                format!(
                    "answered {} to the message the RFC refuses ({}) and read nothing after it",
                    answer.status,
                    cause.kind().name()
                ),
            ),
            (Then::Waits, _) => (
                DesyncVerdict::Consistent,
                format!("{got} responses, then it waits for the rest of a message, as the reading \"{}\" does", r.name),
            ),
            _ => (DesyncVerdict::Consistent, format!("the responses of the reading \"{}\"", r.name)),
        };
    }
    let strict = readings.first().copied();
    if let Some((k, cause)) = strict.and_then(|s| s.refusal().map(|c| (s.complete, c))) {
        if matches!(cause, Cause::Framing(_) | Cause::Limit(_)) && got > k {
            let answer = &ex.responses[k];
            let rule = cause.kind();
            if not_processed(answer.status) && got > k + 1 {
                return (
                    DesyncVerdict::Risk,
                    format!(
                        "refused the message ({}) that the RFC refuses for its framing ({}), then read what followed as a request ({} more responses): once the framing is invalid nobody knows where the next message starts (RFC 9112 §6.3: close the connection)",
                        answer.status,
                        rule.name(),
                        got - k - 1
                    ),
                );
            }
            if !not_processed(answer.status) {
                if closed && got == k + 1 {
                    return (
                        DesyncVerdict::Consistent,
                        format!(
                            "accepted ({}) a message the RFC refuses ({}), then closed the connection: nothing after it was read on this connection",
                            answer.status,
                            rule.name()
                        ),
                    );
                }
                let read_on = if got > k + 1 {
                    format!("answered {} more", got - k - 1)
                } else {
                    "kept the connection waiting for more bytes".to_string()
                };
                return (
                    DesyncVerdict::Risk,
                    format!(
                        "accepted ({}) what the RFC refuses ({}: {}) and read on ({read_on}): a hop that refuses it, or reads it as the RFC does, disagrees on where this message ends",
                        answer.status,
                        rule.name(),
                        rule.description()
                    ),
                );
            }
        }
    }
    let most = readings.iter().map(|r| r.most()).max().unwrap_or(1);
    if got == 0 {
        return if closed {
            (DesyncVerdict::Refused, "the server closed without answering".into())
        } else {
            (
                DesyncVerdict::Risk,
                "no response before the deadline: the server waits for bytes that no reading the RFC allows announces"
                    .into(),
            )
        };
    }
    let last = ex.responses.last().expect("at least one");
    if got > most {
        return (
            DesyncVerdict::Risk,
            format!(
                "{got} responses where the RFC's readings give at most {most}: part of a body was read as a request"
            ),
        );
    }
    let fewest = readings.iter().map(|r| r.complete).min().unwrap_or(0);
    // Only with a response before the canary's: a first response may look like the canary's by
    // chance (a POST answered with the same page).
    if got >= 2 && got < fewest && last_is_canary {
        return (
            DesyncVerdict::Risk,
            format!(
                "the canary was answered after {} responses where the RFC's readings give at least {fewest}: bytes before it were read as the body of an earlier message",
                got - 1
            ),
        );
    }
    if got == most && !last_is_canary {
        let changed = if last.status == baseline.status {
            format!(
                "the canary's answer changed (the same {} but a {}-byte body where it had {} bytes)",
                last.status, last.body_len, baseline.body_len
            )
        } else {
            format!("the canary was answered {} where on its own it gets {}", last.status, baseline.status)
        };
        return (DesyncVerdict::Risk, format!("{changed}: bytes left over from the case were read with it"));
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::probe::reading::allowed;
    use h1wire::ErrorKind;

    pub(crate) fn seen(status: u16) -> Seen {
        Seen { status, reason: String::new(), body_len: 2, body_prefix: b"ok".to_vec() }
    }

    pub(crate) fn ex(statuses: &[u16], end: End) -> Exchange {
        Exchange {
            responses: statuses.iter().map(|&s| seen(s)).collect(),
            interim: 0,
            end,
            write_failed: false,
            received: Vec::new(),
        }
    }

    pub(crate) const CANARY: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    fn verdict(case: &[u8], statuses: &[u16], end: End) -> DesyncVerdict {
        let sent = [case, CANARY].concat();
        classify(&ex(statuses, end), &allowed(&sent, CANARY.len()), &seen(200)).0
    }

    #[test]
    fn accepting_a_framing_error_and_reading_on_is_a_risk_and_closing_after_it_is_not() {
        let bare_lf_chunk = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n";
        assert_eq!(verdict(bare_lf_chunk, &[200, 200], End::Open), DesyncVerdict::Risk);
        assert_eq!(verdict(bare_lf_chunk, &[200], End::Timeout), DesyncVerdict::Risk);
        assert_eq!(verdict(bare_lf_chunk, &[200], End::Closed), DesyncVerdict::Consistent);
        assert_eq!(verdict(bare_lf_chunk, &[400], End::Closed), DesyncVerdict::Refused);
        assert_eq!(verdict(bare_lf_chunk, &[400, 200], End::Open), DesyncVerdict::Risk);
        // A 404 answers the message: accepted, whatever the page says.
        let (v, why) = classify(
            &ex(&[404, 200], End::Open),
            &allowed(&[&bare_lf_chunk[..], CANARY].concat(), CANARY.len()),
            &seen(200),
        );
        assert_eq!(v, DesyncVerdict::Risk);
        assert!(why.starts_with("accepted (404)"), "{why}");
        // One response that happens to look like the canary's, then the close: nothing to tell.
        let te = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(verdict(te, &[200], End::Closed), DesyncVerdict::Inconclusive);
        // A refusal after a message read whole names the refusal's status, not the first one's.
        let then_bad = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n";
        let sent = [&then_bad[..], CANARY].concat();
        let (v, why) = classify(&ex(&[200, 400], End::Closed), &allowed(&sent, CANARY.len()), &seen(200));
        assert_eq!(v, DesyncVerdict::Refused);
        assert!(why.starts_with("refused with 400"), "{why}");
        let empty_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n";
        assert_eq!(verdict(empty_cl, &[200, 200], End::Open), DesyncVerdict::Risk);
    }

    #[test]
    fn a_non_framing_refusal_may_be_accepted() {
        let no_host = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(verdict(no_host, &[200, 200], End::Open), DesyncVerdict::Consistent);
        assert_eq!(verdict(no_host, &[400], End::Closed), DesyncVerdict::Refused);
        // Read as no body: "hello" glued to the canary changes its answer.
        assert_eq!(verdict(no_host, &[200, 400], End::Closed), DesyncVerdict::Risk);
        // Refused for Host and read on: its framing is not in doubt.
        assert_eq!(verdict(no_host, &[400, 200], End::Open), DesyncVerdict::Consistent);
    }

    #[test]
    fn huge_lengths_may_be_waited_for_or_refused() {
        let huge = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n";
        assert_eq!(verdict(huge, &[], End::Timeout), DesyncVerdict::Consistent);
        assert_eq!(verdict(huge, &[413], End::Closed), DesyncVerdict::Refused);
        assert_eq!(verdict(huge, &[400, 200], End::Open), DesyncVerdict::Risk);
    }

    #[test]
    fn te_with_cl_may_be_processed_then_closed_but_not_kept() {
        let te_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(verdict(te_cl, &[200], End::Closed), DesyncVerdict::Consistent);
        assert_eq!(verdict(te_cl, &[200, 200], End::Open), DesyncVerdict::Risk);
        let http10 = b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(verdict(http10, &[200, 200], End::Open), DesyncVerdict::Risk);
        assert_eq!(verdict(http10, &[200, 400], End::Closed), DesyncVerdict::Risk);
        assert_eq!(verdict(http10, &[200], End::Closed), DesyncVerdict::Consistent);
    }

    #[test]
    fn the_readings_the_rfc_allows_are_consistent() {
        let bare_lf_head = b"GET / HTTP/1.1\nHost: a\n\n";
        assert_eq!(verdict(bare_lf_head, &[200, 200], End::Open), DesyncVerdict::Consistent);
        assert_eq!(verdict(bare_lf_head, &[400], End::Closed), DesyncVerdict::Refused);
        let list = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello";
        assert_eq!(verdict(list, &[200, 200], End::Open), DesyncVerdict::Consistent);
        let plain = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(verdict(plain, &[200, 200], End::Open), DesyncVerdict::Consistent);
        assert_eq!(verdict(plain, &[200, 200, 200], End::Open), DesyncVerdict::Risk);
        assert_eq!(verdict(plain, &[200], End::Closed), DesyncVerdict::Inconclusive);
        assert!(matches!(crate::probe::reading::Cause::of(ErrorKind::MissingHost, b""), Cause::Other(_)));
    }
}
