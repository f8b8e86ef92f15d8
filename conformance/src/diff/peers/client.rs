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
        let Ok(head) = drive(Kind::Response(ResponseTo::Head), &config, &answer[at..], &[]) else { break };
        let status = match head.start {
            StartLine::Response { status, .. } => status,
            StartLine::Request { .. } => break,
        };
        let peek = Answer { status, fields: head.headers.clone(), body: Vec::new() };
        let m = if status >= 200 && to_head(&peek) {
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
                    let end = End::Refused { status: a.status, error: e, rule: None, stage: Stage::Unknown };
                    return Reading { messages, end };
                }
            }
        } else {
            let error = format!("{} {}", a.status, String::from_utf8_lossy(&reason));
            return Reading {
                messages,
                end: End::Refused { status: a.status, error, rule: None, stage: Stage::Unknown },
            };
        }
    }
    Reading { messages, end: End::Closed }
}
