//! One exchange with a live server: send bytes on a fresh connection, read what comes back as
//! HTTP/1.1 responses, and stop at a bound — never trusting the server.
//!
//! Memory stays bounded whatever the server does: the receive buffer is compacted once per read
//! and never holds more than one head ([`MAX_HEAD`]) plus one read; of a body only its length and
//! its first [`BODY_PREFIX`] bytes are kept; at most [`MAX_RESPONSES`] responses are recorded. Time
//! is bounded by the deadline passed in, checked before every read.

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use h1wire::{Config, Event, Parse, ResponseParser, ResponseTo};

/// The longest response head the probe reads.
pub const MAX_HEAD: usize = 64 * 1024;
/// How much of each response body is kept (to compare the canary's responses).
pub const BODY_PREFIX: usize = 256;
/// The most responses recorded from one exchange.
pub const MAX_RESPONSES: usize = 16;
/// The largest response body the probe reads through before calling it an observation.
pub const MAX_BODY: u64 = 64 << 20;

/// One response, as much of it as the report needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The status code.
    pub status: u16,
    /// The reason phrase, lossily as text.
    pub reason: String,
    /// The body's length.
    pub body_len: u64,
    /// The body's first bytes.
    pub body_prefix: Vec<u8>,
}

impl Seen {
    /// `200 OK (18 bytes)`.
    pub fn describe(&self) -> String {
        format!("{} {} ({} body bytes)", self.status, self.reason, self.body_len)
    }
}

/// How an exchange ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The probe had what it waited for, and the connection was still open.
    Open,
    /// The server closed the connection.
    Closed,
    /// The server reset the connection.
    Reset,
    /// The deadline passed while the probe was still waiting for bytes.
    Timeout,
    /// The server sent bytes that are not a valid response: the h1wire rule, at this offset.
    Malformed {
        /// The kebab-case rule name.
        rule: String,
        /// The offset in the response stream.
        offset: u64,
    },
    /// The server could not be reached.
    Unreachable(String),
}

/// What came back from one connection.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Final responses (1xx interim responses are counted, not kept), in order.
    pub responses: Vec<Seen>,
    /// Interim (1xx) responses seen.
    pub interim: usize,
    /// How it ended.
    pub end: End,
    /// Writing the request failed part-way (the server closed or reset first).
    pub write_failed: bool,
}

/// What to send and when to stop.
pub struct Plan<'a> {
    /// The bytes, sent in one write.
    pub bytes: &'a [u8],
    /// What the first response answers (HEAD responses have no body); later ones answer GETs.
    pub first_answers: ResponseTo,
    /// Stop once this many final responses arrived...
    pub responses: usize,
    /// ...after waiting this long for anything more (an extra response, or the close).
    pub linger: Duration,
    /// Give up at this instant.
    pub deadline: Instant,
}

/// Connects to `addr`, sends the plan's bytes, and reads responses as the plan says.
pub fn exchange(addr: SocketAddr, plan: &Plan<'_>) -> Exchange {
    let started = Instant::now();
    let mut ex = Exchange { responses: Vec::new(), interim: 0, end: End::Open, write_failed: false };
    let timeout = plan.deadline.saturating_duration_since(started).max(Duration::from_millis(1));
    let mut stream = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) => {
            ex.end = End::Unreachable(e.to_string());
            return ex;
        }
    };
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(timeout));
    if stream.write_all(plan.bytes).is_err() {
        // The server may have answered and closed before taking everything: read what it sent.
        ex.write_failed = true;
    }
    read_responses(&mut stream, plan, &mut ex);
    let _ = stream.shutdown(Shutdown::Both);
    ex
}

fn read_responses(stream: &mut TcpStream, plan: &Plan<'_>, ex: &mut Exchange) {
    // A user agent (obs-fold unfolded, RFC 9112 §5.2), within the probe's bounds.
    let mut config = Config::default();
    config.allow_obs_fold = true;
    config.max_head_bytes = MAX_HEAD;
    config.max_body_bytes = MAX_BODY;
    let mut parser = ResponseParser::with_config(config, plan.first_answers);
    let (mut buf, mut start) = (Vec::with_capacity(16 * 1024), 0);
    let mut read = vec![0u8; 16 * 1024];
    let mut current: Option<Seen> = None;
    // Once the wanted responses are in, wait only `linger` more.
    let mut stop_at = plan.deadline;
    loop {
        // Parse what is buffered.
        loop {
            let out = match parser.parse(&buf[start..]) {
                Ok(out) => out,
                Err(e) => {
                    ex.end = End::Malformed { rule: e.kind().name().into(), offset: e.offset() };
                    return;
                }
            };
            start += out.consumed;
            match out.event {
                None => break,
                Some(Event::Head { head, .. }) => {
                    current = Some(Seen {
                        status: head.status(),
                        reason: String::from_utf8_lossy(head.reason()).into_owned(),
                        body_len: 0,
                        body_prefix: Vec::new(),
                    });
                }
                Some(Event::Data(data)) => {
                    if let Some(seen) = &mut current {
                        seen.body_len += data.len() as u64;
                        let room = BODY_PREFIX.saturating_sub(seen.body_prefix.len());
                        seen.body_prefix.extend_from_slice(&data[..room.min(data.len())]);
                    }
                }
                Some(Event::Trailers(_)) => {}
                Some(Event::EndOfMessage) => {
                    let Some(seen) = current.take() else { continue };
                    if (100..200).contains(&seen.status) && seen.status != 101 {
                        ex.interim += 1;
                        continue;
                    }
                    let switched = seen.status == 101;
                    ex.responses.push(seen);
                    parser.set_response_to(ResponseTo::Other);
                    if switched || ex.responses.len() >= MAX_RESPONSES {
                        // After a 101 the bytes are another protocol's.
                        return;
                    }
                    if ex.responses.len() >= plan.responses {
                        stop_at = stop_at.min(Instant::now() + plan.linger);
                    }
                }
            }
        }
        let now = Instant::now();
        if now >= stop_at {
            if now >= plan.deadline || ex.responses.len() < plan.responses {
                ex.end = End::Timeout;
            }
            return;
        }
        let _ = stream.set_read_timeout(Some(stop_at - now));
        // One read: compact once, then append.
        buf.drain(..start);
        start = 0;
        match stream.read(&mut read) {
            Ok(0) => {
                // The close may end a body delimited by it.
                match parser.parse_closed(&buf) {
                    Ok(out) if matches!(out.event, Some(Event::EndOfMessage)) => {
                        if let Some(seen) = current.take() {
                            ex.responses.push(seen);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        ex.end = End::Malformed { rule: e.kind().name().into(), offset: e.offset() };
                        return;
                    }
                }
                ex.end = End::Closed;
                return;
            }
            Ok(n) => buf.extend_from_slice(&read[..n]),
            Err(e) if matches!(e.kind(), IoErrorKind::WouldBlock | IoErrorKind::TimedOut) => {}
            Err(e) if e.kind() == IoErrorKind::Interrupted => {}
            Err(_) => {
                ex.end = End::Reset;
                return;
            }
        }
    }
}
