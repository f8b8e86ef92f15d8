//! The one network layer: a bounded client exchange with a server that is never trusted.
//!
//! Every mode that talks to a live server (the probe, the diff's origins and proxies) sends bytes
//! on a fresh connection with [`exchange`] and stops at a bound the [`Plan`] sets:
//!
//! - time: the plan's deadline, checked before every read;
//! - memory: the receive buffer never holds more than one head ([`MAX_HEAD`]) plus one read; of a
//!   response body only its length and first [`BODY_PREFIX`] bytes are kept; at most
//!   [`MAX_RESPONSES`] responses are recorded; at most [`Plan::keep`] raw bytes are kept.
//!
//! Two ways to stop ([`Until`]): after a number of responses read as they arrive (the probe, which
//! must not wait for a close a keep-alive server never sends), or when the server closes or falls
//! silent (the diff, which reads every byte back afterwards).

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use h1wire::{Config, Event, Parse, ResponseParser, ResponseTo};

/// The longest response head read.
pub const MAX_HEAD: usize = 64 * 1024;
/// How much of each response body is kept (to compare the canary's responses).
pub const BODY_PREFIX: usize = 256;
/// The most responses recorded from one exchange.
pub const MAX_RESPONSES: usize = 16;
/// The largest response body read through before calling it an observation.
pub const MAX_BODY: u64 = 64 << 20;

/// One response, as much of it as a judge needs.
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
    /// `200 OK (18 body bytes)`.
    pub fn describe(&self) -> String {
        format!("{} {} ({} body bytes)", self.status, self.reason, self.body_len)
    }
}

/// How an exchange ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The exchange had what it waited for (or the server fell silent), and the connection was
    /// still open.
    Open,
    /// The server closed the connection.
    Closed,
    /// The server reset the connection.
    Reset,
    /// The deadline passed while the exchange was still waiting for bytes.
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Final responses (1xx interim responses are counted, not kept), in order; read only when
    /// the plan waits for responses.
    pub responses: Vec<Seen>,
    /// Interim (1xx) responses seen.
    pub interim: usize,
    /// How it ended.
    pub end: End,
    /// Writing the request failed part-way (the server closed or reset first).
    pub write_failed: bool,
    /// The first [`Plan::keep`] bytes the server sent.
    pub received: Vec<u8>,
}

/// When an exchange stops reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// Once this many final responses arrived, after waiting `linger` for anything more (an
    /// extra response, or the close). Responses are read as they arrive, the first as an answer
    /// to `first_answers` (HEAD responses have no body), later ones as answers to GETs.
    Responses {
        /// Final responses to wait for.
        count: usize,
        /// What the first response answers.
        first_answers: ResponseTo,
        /// How long to watch after the last one waited for.
        linger: Duration,
    },
    /// When the server closes, or (with a duration) has been silent this long. Nothing is
    /// parsed: the bytes are in [`Exchange::received`].
    Quiet(Option<Duration>),
}

/// What to send and when to stop.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    /// The bytes, sent in one write.
    pub bytes: &'a [u8],
    /// When to stop reading.
    pub until: Until,
    /// Give up at this instant.
    pub deadline: Instant,
    /// Close the sending side once the bytes are sent (the client is done).
    pub half_close: bool,
    /// How many received bytes to keep in [`Exchange::received`]; reading also stops there when
    /// nothing is parsed.
    pub keep: usize,
}

impl<'a> Plan<'a> {
    /// Sends `bytes` and waits for `count` responses, the first answering the bytes' own method,
    /// then `linger` more; nothing raw is kept.
    pub fn responses(bytes: &'a [u8], count: usize, linger: Duration, deadline: Instant) -> Self {
        let first_answers = ResponseTo::of_method(crate::head::method(bytes));
        Plan { bytes, until: Until::Responses { count, first_answers, linger }, deadline, half_close: false, keep: 0 }
    }
}

/// Connects to `addr`, sends the plan's bytes, and reads as the plan says.
pub fn exchange(addr: SocketAddr, plan: &Plan<'_>) -> Exchange {
    let mut ex =
        Exchange { responses: Vec::new(), interim: 0, end: End::Open, write_failed: false, received: Vec::new() };
    let timeout = plan.deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
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
    if plan.half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    read(&mut stream, plan, &mut ex);
    let _ = stream.shutdown(Shutdown::Both);
    ex
}

/// Reads responses as they arrive, within the plan's bounds.
struct Responses {
    parser: ResponseParser,
    buf: Vec<u8>,
    start: usize,
    current: Option<Seen>,
}

/// What the responses read so far ask of the read loop.
enum Next {
    /// Read more.
    More,
    /// The wanted responses are in: watch only `linger` more.
    Linger,
    /// Stop now (a 101, the response cap, or bytes that are not a response).
    Stop,
}

impl Responses {
    fn new(first_answers: ResponseTo) -> Self {
        // A user agent (obs-fold unfolded, RFC 9112 §5.2), within the exchange's bounds.
        let mut config = Config::default();
        config.allow_obs_fold = true;
        config.max_head_bytes = MAX_HEAD;
        config.max_body_bytes = MAX_BODY;
        let parser = ResponseParser::with_config(config, first_answers);
        Responses { parser, buf: Vec::with_capacity(16 * 1024), start: 0, current: None }
    }

    /// Parses what is buffered.
    fn parse(&mut self, ex: &mut Exchange, count: usize) -> Next {
        let mut next = Next::More;
        loop {
            let out = match self.parser.parse(&self.buf[self.start..]) {
                Ok(out) => out,
                Err(e) => {
                    ex.end = End::Malformed { rule: e.kind().name().into(), offset: e.offset() };
                    return Next::Stop;
                }
            };
            self.start += out.consumed;
            match out.event {
                None => return next,
                Some(Event::Head { head, .. }) => {
                    self.current = Some(Seen {
                        status: head.status(),
                        reason: String::from_utf8_lossy(head.reason()).into_owned(),
                        body_len: 0,
                        body_prefix: Vec::new(),
                    });
                }
                Some(Event::Data(data)) => {
                    if let Some(seen) = &mut self.current {
                        seen.body_len += data.len() as u64;
                        let room = BODY_PREFIX.saturating_sub(seen.body_prefix.len());
                        seen.body_prefix.extend_from_slice(&data[..room.min(data.len())]);
                    }
                }
                Some(Event::Trailers(_)) => {}
                Some(Event::EndOfMessage) => {
                    let Some(seen) = self.current.take() else { continue };
                    if (100..200).contains(&seen.status) && seen.status != 101 {
                        ex.interim += 1;
                        continue;
                    }
                    let switched = seen.status == 101;
                    ex.responses.push(seen);
                    self.parser.set_response_to(ResponseTo::Other);
                    if switched || ex.responses.len() >= MAX_RESPONSES {
                        // After a 101 the bytes are another protocol's.
                        return Next::Stop;
                    }
                    if ex.responses.len() >= count {
                        next = Next::Linger;
                    }
                }
            }
        }
    }

    /// Appends one read, compacting the buffer once.
    fn push(&mut self, bytes: &[u8]) {
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.extend_from_slice(bytes);
    }

    /// The server closed: the close may end a body delimited by it.
    fn closed(&mut self, ex: &mut Exchange) {
        match self.parser.parse_closed(&self.buf[self.start..]) {
            Ok(out) if matches!(out.event, Some(Event::EndOfMessage)) => {
                if let Some(seen) = self.current.take() {
                    ex.responses.push(seen);
                }
                ex.end = End::Closed;
            }
            Ok(_) => ex.end = End::Closed,
            Err(e) => ex.end = End::Malformed { rule: e.kind().name().into(), offset: e.offset() },
        }
    }
}

fn read(stream: &mut TcpStream, plan: &Plan<'_>, ex: &mut Exchange) {
    let (mut responses, count, linger, quiet) = match plan.until {
        Until::Responses { count, first_answers, linger } => (Some(Responses::new(first_answers)), count, linger, None),
        Until::Quiet(quiet) => (None, 0, Duration::ZERO, quiet),
    };
    let mut chunk = vec![0u8; 16 * 1024];
    // Once the wanted responses are in, wait only `linger` more.
    let mut stop_at = plan.deadline;
    loop {
        if let Some(r) = &mut responses {
            match r.parse(ex, count) {
                Next::Stop => return,
                Next::Linger => stop_at = stop_at.min(Instant::now() + linger),
                Next::More => {}
            }
        }
        let now = Instant::now();
        if now >= stop_at {
            if now >= plan.deadline || ex.responses.len() < count {
                ex.end = End::Timeout;
            }
            return;
        }
        let wait = quiet.map_or(stop_at - now, |q| q.min(stop_at - now));
        let _ = stream.set_read_timeout(Some(wait));
        match stream.read(&mut chunk) {
            Ok(0) => {
                match &mut responses {
                    Some(r) => r.closed(ex),
                    None => ex.end = End::Closed,
                }
                return;
            }
            Ok(n) => {
                let room = plan.keep.saturating_sub(ex.received.len());
                ex.received.extend_from_slice(&chunk[..n.min(room)]);
                match &mut responses {
                    Some(r) => r.push(&chunk[..n]),
                    // Nothing parsed: the kept bytes are all there is to read.
                    None if ex.received.len() >= plan.keep => return,
                    None => {}
                }
            }
            Err(e) if matches!(e.kind(), IoErrorKind::WouldBlock | IoErrorKind::TimedOut) => {
                // Silent for the plan's quiet time: done (the connection is still open).
                if quiet.is_some() && Instant::now() < plan.deadline {
                    return;
                }
            }
            Err(e) if e.kind() == IoErrorKind::Interrupted => {}
            Err(_) => {
                ex.end = End::Reset;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server that answers whatever it gets with `reply`, then does `then`.
    fn serve(reply: &'static [u8], close: bool) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
            if !close {
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        addr
    }

    #[test]
    fn responses_are_read_as_they_come_and_the_exchange_stops_after_the_linger() {
        let addr = serve(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false);
        let started = Instant::now();
        let plan =
            Plan::responses(b"GET / HTTP/1.1\r\n\r\n", 1, Duration::from_millis(50), started + Duration::from_secs(2));
        let ex = exchange(addr, &plan);
        assert_eq!((ex.responses.len(), ex.interim, &ex.end), (1, 1, &End::Open));
        assert_eq!(ex.responses[0].body_prefix, b"hi");
        assert!(started.elapsed() < Duration::from_millis(450), "stopped after the linger, not at the close");
        assert!(ex.received.is_empty(), "nothing raw kept");
    }

    #[test]
    fn a_quiet_exchange_keeps_the_bytes_up_to_its_cap_and_stops_at_the_close() {
        let addr = serve(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", true);
        let plan = Plan {
            bytes: b"GET / HTTP/1.1\r\n\r\n",
            until: Until::Quiet(None),
            deadline: Instant::now() + Duration::from_secs(2),
            half_close: true,
            keep: 20,
        };
        let ex = exchange(addr, &plan);
        assert_eq!(ex.received, b"HTTP/1.1 200 OK\r\nCon", "kept up to the cap");
        assert!(ex.responses.is_empty());
    }

    #[test]
    fn a_server_that_never_answers_costs_the_deadline_and_no_more() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let started = Instant::now();
        let plan = Plan::responses(b"GET / HTTP/1.1\r\n\r\n", 1, Duration::ZERO, started + Duration::from_millis(200));
        let ex = exchange(addr, &plan);
        assert_eq!(ex.end, End::Timeout);
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(listener);
    }
}
