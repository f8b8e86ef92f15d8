//! The client side of one exchange with a server, and its responses read back as readings.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use h1wire::ResponseTo;
use h1wire_check::{run as drive, Kind, StartLine};

use super::{DEADLINE, MAX_ANSWER};
use crate::diff::{End, Message, Reading, Stage};
use crate::net::{Plan, Until};

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
/// or (per `ending`) falls silent, within [`DEADLINE`] and [`MAX_ANSWER`] (one
/// [`crate::net::exchange`]).
///
/// # Errors
///
/// No connection could be made.
pub fn exchange(addr: SocketAddr, stream: &[u8], ending: Ending) -> Result<Vec<u8>, String> {
    let plan = Plan {
        bytes: stream,
        until: Until::Quiet(match ending {
            Ending::HalfClose => None,
            Ending::Idle(quiet) => Some(quiet),
        }),
        deadline: Instant::now() + DEADLINE,
        half_close: ending == Ending::HalfClose,
        keep: MAX_ANSWER,
    };
    let ex = crate::net::exchange(addr, &plan);
    match ex.end {
        crate::net::End::Unreachable(e) => Err(format!("{addr}: {e}")),
        _ => Ok(ex.received),
    }
}

/// Whether `rest` (what a server sent after refusing a message) holds another final response:
/// the server read on after its refusal.
fn answers_more(rest: &[u8]) -> bool {
    let config = h1wire::Config::default();
    let mut at = 0;
    while at < rest.len() && rest[at..].starts_with(b"HTTP/1.") {
        let Ok(m) = drive(Kind::Response(ResponseTo::Head), &config, &rest[at..], &[]) else { return false };
        match m.start {
            StartLine::Response { status, .. } if status >= 200 => return true,
            _ => at += usize::try_from(m.consumed).unwrap_or(rest.len()),
        }
    }
    false
}

/// One response, as far as the diff needs it.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) fields: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

/// Reads a server's answer as a reading: each echo (`X-H1spec-Echo`, or a proxy's
/// `X-H1spec-Seq`) is a message `message_of` makes; the first other final response is a
/// refusal, and ends the reading; interim responses are skipped.
///
/// A response to HEAD has no body whatever its framing fields say (RFC 9110 §9.3.2), so each
/// head is read first and `to_head` says from it whether it answers a HEAD request.
pub(super) fn readings_of_responses(
    answer: &[u8],
    to_head: impl Fn(&Answer) -> bool,
    message_of: impl Fn(&Answer) -> Result<Message, String>,
) -> Reading {
    let mut messages = Vec::new();
    let mut at = 0;
    let config = h1wire::Config::default();
    while at < answer.len() {
        if !answer[at..].starts_with(b"HTTP/") {
            // An HTTP/0.9 reply: a body with no status line, which is how a server answers a
            // request line without a version. It refuses the request as HTTP/1.x.
            let error = "a reply without a status line (HTTP/0.9)".to_owned();
            let end = End::Refused {
                status: 0,
                error,
                rule: Some("http09-reply".into()),
                read_on: false,
                stage: Stage::Head,
            };
            return Reading { messages, end };
        }
        let Ok(head) = drive(Kind::Response(ResponseTo::Head), &config, &answer[at..], &[]) else { break };
        let status = match head.start {
            StartLine::Response { status, .. } => status,
            StartLine::Request { .. } => break,
        };
        let peek = Answer { status, fields: head.headers.clone(), body: Vec::new() };
        // A server's own error to a HEAD request has no body whatever its Content-Length says
        // (RFC 9110 §9.3.2): when nothing, or the next status line, follows the head, there is
        // no body to read.
        let rest = &answer[(at + usize::try_from(head.consumed).unwrap_or(answer.len())).min(answer.len())..];
        let bodiless = rest.is_empty() || rest.starts_with(b"HTTP/1.");
        let m = if status >= 200 && (to_head(&peek) || bodiless) {
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
                    let end =
                        End::Refused { status: a.status, error: e, rule: None, read_on: false, stage: Stage::Unknown };
                    return Reading { messages, end };
                }
            }
        } else {
            let error = format!("{} {}", a.status, String::from_utf8_lossy(&reason));
            let read_on = answers_more(&answer[at..]);
            let end = End::Refused { status: a.status, error, rule: None, read_on, stage: Stage::Unknown };
            return Reading { messages, end };
        }
    }
    Reading { messages, end: End::Closed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(answer: &[u8]) -> Reading {
        readings_of_responses(answer, |_| false, |_| Err("no echo here".into()))
    }

    #[test]
    fn a_proxys_own_replies_are_read_whatever_they_answer() {
        // A 400 to a HEAD request: a Content-Length, and no body.
        let head_refused = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 150\r\nConnection: close\r\n\r\n";
        assert!(matches!(read(head_refused).end, End::Refused { status: 400, .. }), "{:?}", read(head_refused));
        // An HTTP/0.9 reply: a body, no status line.
        let r = read(b"<html>400 Bad Request</html>");
        assert!(matches!(&r.end, End::Refused { status: 0, rule: Some(rule), .. } if rule == "http09-reply"), "{r:?}");
        // A body that is there is still read.
        let with_body = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad";
        assert!(matches!(read(with_body).end, End::Refused { status: 400, .. }));
        assert!(matches!(read(with_body).end, End::Refused { read_on: false, .. }), "it stopped there");
        // A server that answers what followed its refusal read on.
        let then = [&with_body[..], b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"].concat();
        assert!(matches!(read(&then).end, End::Refused { status: 400, read_on: true, .. }));
    }
}
