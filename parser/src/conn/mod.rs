//! The connection machine, for both roles: bytes in, events out; messages in, bytes out.
//!
//! [`Connection`] wraps the message parsers and the writer and enforces the order of things on
//! one HTTP/1.1 connection: one request, then its response (after any 1xx), then the next; keep-
//! alive or close; `Expect: 100-continue`; and the hand-off of the raw stream after a protocol
//! switch. It owns a receive buffer, so events borrow from the connection; it never does IO.
//!
//! # Kinds of methods
//!
//! - **inputs**: [`receive`](Connection::receive), [`receive_eof`](Connection::receive_eof);
//! - **outputs**: [`poll_event`](Connection::poll_event) — call it until it says
//!   [`NeedData`](ConnEvent::NeedData) or [`Paused`](ConnEvent::Paused);
//! - **sending**: [`send_request`](Connection::send_request),
//!   [`send_response`](Connection::send_response), [`send_data`](Connection::send_data),
//!   [`send_end`](Connection::send_end), [`send_error_response`](Connection::send_error_response),
//!   each appending bytes to a `Vec<u8>` the caller writes out;
//! - **getters**: [`our_state`](Connection::our_state), [`their_state`](Connection::their_state),
//!   [`is_waiting_for_continue`](Connection::is_waiting_for_continue);
//! - **hand-off**: [`take_unconsumed`](Connection::take_unconsumed).
//!
//! # Example: a server answering a pipelined pair of requests
//!
//! ```
//! use h1wire::conn::{ConnEvent, Connection, Role, State};
//! use h1wire::write::Response;
//! use h1wire::Version;
//!
//! let mut conn = Connection::new(Role::Server);
//! conn.receive(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
//! let mut out = Vec::new();
//! let mut paths = Vec::new();
//! loop {
//!     match conn.poll_event().unwrap() {
//!         ConnEvent::Request { head, .. } => paths.push(head.target().path().to_owned()),
//!         ConnEvent::EndOfMessage => {}
//!         ConnEvent::Paused => {
//!             // The request is complete; answer it before the next one is read.
//!             let head = Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[("Content-Length", b"2")] };
//!             conn.send_response(&head, &mut out).unwrap();
//!             conn.send_data(b"ok", &mut out).unwrap();
//!             conn.send_end(&[], &mut out).unwrap();
//!         }
//!         ConnEvent::NeedData => break,
//!         other => panic!("{other:?}"),
//!     }
//! }
//! assert_eq!(paths, ["/a", "/b"]);
//! assert_eq!(conn.our_state(), State::Idle);
//! assert_eq!(out.len(), 2 * 40);
//! ```

mod state;

pub use state::State;

use alloc::vec::Vec;
use core::mem;

use crate::body::response_has_no_body;
use crate::head::options::Options;
use crate::write::head::encode_response_head_with;
use crate::write::{encode_request_head, encode_response_head, BodyEncoder, Request, Response, WriteError};
use crate::{
    Config, Error, ErrorKind, Event, Fields, Framing, RequestHead, RequestParser, ResponseHead, ResponseParser, Version,
};

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// We send requests and read responses.
    Client,
    /// We read requests and send responses.
    Server,
}

/// What [`Connection::poll_event`] found.
#[derive(Debug)]
pub enum ConnEvent<'a> {
    /// Server: a request head.
    Request {
        /// The head.
        head: RequestHead<'a>,
        /// How its body is delimited.
        framing: Framing,
        /// The client sent `Expect: 100-continue` and may wait for a `100 Continue` (send one
        /// with [`Connection::send_response`], or send the final response instead).
        expects_continue: bool,
    },
    /// Client: a response head, interim (1xx) or final.
    Response {
        /// The head.
        head: ResponseHead<'a>,
        /// How its body is delimited.
        framing: Framing,
    },
    /// A piece of the body.
    Data(&'a [u8]),
    /// The trailer section of a chunked body.
    Trailers(Fields<'a>),
    /// The message the peer was sending is complete (not sent after interim 1xx responses; a
    /// 101 is a final response here, followed by [`SwitchedProtocol`](Self::SwitchedProtocol)).
    EndOfMessage,
    /// More bytes are needed: [`receive`](Connection::receive) them (or the end of input).
    NeedData,
    /// The peer's message is complete, and nothing more is read until we finish ours (server:
    /// send the response; pipelined requests wait in the buffer).
    Paused,
    /// The peer closed the connection between messages.
    ConnectionClosed,
    /// The connection switched protocols; the unread bytes are in
    /// [`take_unconsumed`](Connection::take_unconsumed).
    SwitchedProtocol,
}

#[allow(clippy::large_enum_variant, reason = "one parser per connection, never moved on a hot path")]
enum Reader {
    Requests(RequestParser),
    Responses(ResponseParser),
}

impl Reader {
    /// One parse step, with the head's role made explicit; at end of input, the close is applied.
    fn parse<'a>(&'a mut self, recv: &'a [u8], eof: bool) -> Result<(usize, Option<Incoming<'a>>), Error> {
        fn body<H>(event: Event<'_, H>) -> Incoming<'_> {
            match event {
                Event::Head { .. } => unreachable!("heads are mapped by the caller"),
                Event::Data(d) => Incoming::Data(d),
                Event::Trailers(t) => Incoming::Trailers(t),
                Event::End => Incoming::End,
            }
        }
        Ok(match self {
            Reader::Requests(p) => {
                let out = if eof { p.parse_closed(recv)? } else { p.parse(recv)? };
                let event = out.event.map(|e| match e {
                    Event::Head { head, framing } => Incoming::Request(head, framing),
                    other => body(other),
                });
                (out.consumed, event)
            }
            Reader::Responses(p) => {
                let out = if eof { p.parse_closed(recv)? } else { p.parse(recv)? };
                let event = out.event.map(|e| match e {
                    Event::Head { head, framing } => Incoming::Response(head, framing),
                    other => body(other),
                });
                (out.consumed, event)
            }
        })
    }

    fn offset(&self) -> u64 {
        match self {
            Reader::Requests(p) => p.offset(),
            Reader::Responses(p) => p.offset(),
        }
    }
}

/// What we know of the request of the current cycle.
#[derive(Clone, Copy, Debug, Default)]
struct Cycle {
    head_method: bool,
    connect: bool,
    version11: bool,
    upgrade: bool,
    /// Server: the client asked for 100-continue and has had no response yet. Client: we asked
    /// and have had no response yet.
    expect_continue: bool,
    /// The 101 / 2xx-to-CONNECT that switches protocols was sent (server) or received (client).
    switching: bool,
    /// A 1xx head was read: its end (it has no body) is not an event for the caller.
    interim: bool,
}

/// The state of both sides, apart from the bytes, so that it can change while an event borrows
/// the receive buffer.
#[derive(Clone, Copy, Debug)]
struct Machine {
    role: Role,
    our: State,
    their: State,
    keep_alive: bool,
    cycle: Cycle,
}

impl Machine {
    fn on_request_head(&mut self, o: HeadInfo) {
        self.cycle = Cycle {
            head_method: o.head_method,
            connect: o.connect,
            version11: o.version == Version::Http11,
            upgrade: o.options.upgrade,
            // RFC 9110 §10.1.1: only an HTTP/1.1 client waits for 100, and only with a body.
            expect_continue: o.options.expect_continue && o.version == Version::Http11 && o.has_body,
            switching: false,
            interim: false,
        };
        self.keep_alive &= o.options.persists(o.version);
        self.their = State::SendBody;
        self.our = State::SendResponse;
    }

    fn on_response_head(&mut self, status: u16, o: HeadInfo, at: u64) -> Result<(), Error> {
        self.cycle.expect_continue = false;
        if status == 101 {
            if !self.cycle.upgrade {
                return Err(Error::new(ErrorKind::UnrequestedSwitch, at));
            }
            self.cycle.switching = true;
        } else if (100..200).contains(&status) {
            self.cycle.interim = true;
            return Ok(());
        } else if self.cycle.connect && (200..300).contains(&status) {
            self.cycle.switching = true;
        }
        self.keep_alive &= o.options.persists(o.version) && o.framing != Framing::UntilClose;
        self.their = State::SendBody;
        Ok(())
    }

    fn on_end(&mut self) {
        self.their = State::Done;
        self.advance();
    }

    /// After either side finished: switch protocols, start the next cycle, or wait to close.
    fn advance(&mut self) {
        let done = |s: State| matches!(s, State::Done | State::MustClose);
        if self.cycle.switching {
            if done(self.our) && done(self.their) {
                self.our = State::SwitchedProtocol;
                self.their = State::SwitchedProtocol;
            }
        } else if !self.keep_alive {
            // No next cycle: each side that is done only has the close left.
            for side in [&mut self.our, &mut self.their] {
                if done(*side) {
                    *side = State::MustClose;
                }
            }
        } else if done(self.our) && done(self.their) {
            self.our = State::Idle;
            self.their = State::Idle;
            self.cycle = Cycle::default();
        }
    }
}

/// One HTTP/1.1 connection, either role. See the [module docs](self).
pub struct Connection {
    reader: Reader,
    recv: Vec<u8>,
    /// Bytes of `recv` the last event consumed, dropped at the next poll.
    consumed: usize,
    eof: bool,
    m: Machine,
    encoder: Option<BodyEncoder>,
    error: Option<Error>,
}

impl Connection {
    /// A connection with the default [`Config`].
    pub fn new(role: Role) -> Self {
        Connection::with_config(role, Config::default())
    }

    /// A connection with the given limits and leniencies.
    pub fn with_config(role: Role, config: Config) -> Self {
        let reader = match role {
            Role::Server => Reader::Requests(RequestParser::with_config(config)),
            Role::Client => Reader::Responses(ResponseParser::with_config(config, "GET")),
        };
        Connection {
            reader,
            recv: Vec::new(),
            consumed: 0,
            eof: false,
            m: Machine { role, our: State::Idle, their: State::Idle, keep_alive: true, cycle: Cycle::default() },
            encoder: None,
            error: None,
        }
    }

    /// Our side's state.
    pub fn our_state(&self) -> State {
        self.m.our
    }

    /// The peer's state.
    pub fn their_state(&self) -> State {
        self.m.their
    }

    /// Client: whether we sent `Expect: 100-continue` and no response has come yet (send the
    /// body once this turns false, or after a timeout of your choosing).
    pub fn is_waiting_for_continue(&self) -> bool {
        self.m.role == Role::Client && self.m.cycle.expect_continue
    }

    /// Hands in bytes received from the peer.
    pub fn receive(&mut self, data: &[u8]) {
        self.recv.extend_from_slice(data);
    }

    /// Tells the connection the peer closed its side.
    pub fn receive_eof(&mut self) {
        self.eof = true;
    }

    /// After a protocol switch, takes every byte received and not consumed as HTTP: the start of
    /// the new protocol's stream. Empty in any other state.
    pub fn take_unconsumed(&mut self) -> Vec<u8> {
        if self.m.our != State::SwitchedProtocol {
            return Vec::new();
        }
        self.recv.drain(..self.consumed);
        self.consumed = 0;
        mem::take(&mut self.recv)
    }

    fn fail(&mut self, error: Error) -> Error {
        self.m.their = State::Error;
        self.error = Some(error);
        error
    }

    /// The next event from the received bytes.
    ///
    /// # Errors
    ///
    /// The parse [`Error`] of a malformed message (then [`their_state`](Self::their_state) is
    /// [`State::Error`]; a server answers with
    /// [`send_error_response`](Self::send_error_response)), or a response that does not fit the
    /// request ([`ErrorKind::UnexpectedResponse`], [`ErrorKind::UnrequestedSwitch`]).
    pub fn poll_event(&mut self) -> Result<ConnEvent<'_>, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        self.recv.drain(..self.consumed);
        self.consumed = 0;
        let finished = |s: State| matches!(s, State::Done | State::MustClose);
        match self.m.their {
            State::SwitchedProtocol => return Ok(ConnEvent::SwitchedProtocol),
            // `fail` sets the error returned above whenever the state is Error.
            State::Closed | State::Error => return Ok(ConnEvent::ConnectionClosed),
            their if finished(their) && !finished(self.m.our) => return Ok(ConnEvent::Paused),
            their if finished(their) => {
                // Both done and not keep-alive: only the close is left to see.
                if self.eof {
                    self.m.their = State::Closed;
                    return Ok(ConnEvent::ConnectionClosed);
                }
                return Ok(ConnEvent::NeedData);
            }
            _ => {}
        }
        if self.m.role == Role::Client && self.m.our == State::Idle {
            // Nothing was asked: bytes from the server now answer nothing.
            if !self.recv.is_empty() {
                let at = self.reader.offset();
                return Err(self.fail(Error::new(ErrorKind::UnexpectedResponse, at)));
            }
            if self.eof {
                self.m.their = State::Closed;
                return Ok(ConnEvent::ConnectionClosed);
            }
            return Ok(ConnEvent::NeedData);
        }
        if self.m.cycle.interim {
            // The 1xx head was handed out; its end is not an event for the caller.
            match self.reader.parse(&self.recv, self.eof) {
                Ok((_, Some(Incoming::End))) => self.m.cycle.interim = false,
                Ok(_) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
        self.read()
    }

    fn read(&mut self) -> Result<ConnEvent<'_>, Error> {
        let Connection { reader, recv, consumed, eof, m, error, .. } = self;
        let at = reader.offset();
        let (n, event) = match reader.parse(recv, *eof) {
            Ok(step) => step,
            Err(e) => {
                m.their = State::Error;
                *error = Some(e);
                return Err(e);
            }
        };
        *consumed = n;
        let Some(event) = event else {
            if *eof {
                m.their = State::Closed;
                return Ok(ConnEvent::ConnectionClosed);
            }
            return Ok(ConnEvent::NeedData);
        };
        Ok(match event {
            Incoming::Request(head, framing) => {
                m.on_request_head(HeadInfo::of_request(&head, framing));
                ConnEvent::Request { head, framing, expects_continue: m.cycle.expect_continue }
            }
            Incoming::Response(head, framing) => {
                if let Err(e) = m.on_response_head(head.status(), HeadInfo::of_response(&head, framing), at) {
                    m.their = State::Error;
                    *error = Some(e);
                    return Err(e);
                }
                ConnEvent::Response { head, framing }
            }
            Incoming::Data(d) => ConnEvent::Data(d),
            Incoming::Trailers(t) => ConnEvent::Trailers(t),
            Incoming::End => {
                m.on_end();
                ConnEvent::EndOfMessage
            }
        })
    }

    /// Client: writes a request head to `out`. Declare `Content-Length` or
    /// `Transfer-Encoding: chunked` for a body (see [`encode_request_head`]); then
    /// [`send_data`](Self::send_data) and [`send_end`](Self::send_end).
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] unless both sides are idle (no client pipelining); any error of
    /// [`encode_request_head`].
    pub fn send_request(&mut self, req: &Request<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
        if self.m.role != Role::Client || self.m.our != State::Idle || self.m.their != State::Idle {
            return Err(WriteError::OutOfOrder);
        }
        let encoder = encode_request_head(req, out)?;
        let options = Options::of_pairs(req.fields);
        self.m.keep_alive &= options.persists(req.version);
        self.m.cycle = Cycle {
            head_method: req.method == "HEAD",
            connect: req.method == "CONNECT",
            version11: req.version == Version::Http11,
            upgrade: options.upgrade,
            expect_continue: options.expect_continue && encoder.allows_data(),
            switching: false,
            interim: false,
        };
        if let Reader::Responses(p) = &mut self.reader {
            p.set_request_method(req.method);
        }
        self.encoder = Some(encoder);
        self.m.our = State::SendBody;
        Ok(())
    }

    /// Server: writes a response head to `out`: any number of 1xx, then one final response
    /// (whose body follows with [`send_data`](Self::send_data) and [`send_end`](Self::send_end)).
    ///
    /// Sending `100 Continue` tells a client that asked for it to send its body; a final response
    /// to a client still waiting for it makes the connection close after it (with
    /// `Connection: close`). A request body still arriving after the response is read as usual,
    /// and the next request waits until it is complete. To an
    /// HTTP/1.0 client that asked for keep-alive, `Connection: keep-alive` is added when the
    /// response's length is known; `Connection: close` is added to an HTTP/1.1 response when the
    /// connection will close.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] unless a request head arrived and no final response was sent,
    /// for a 1xx to an HTTP/1.0 client, or for a 101 to a request without `Upgrade` (or before
    /// the request is complete); any error of [`encode_response_head`].
    pub fn send_response(&mut self, resp: &Response<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let m = &mut self.m;
        if m.role != Role::Server || m.our != State::SendResponse {
            return Err(WriteError::OutOfOrder);
        }
        let method = if m.cycle.head_method {
            "HEAD"
        } else if m.cycle.connect {
            "CONNECT"
        } else {
            "GET"
        };
        let version = if m.cycle.version11 { Version::Http11 } else { Version::Http10 };
        let switching = resp.status == 101 || (m.cycle.connect && (200..300).contains(&resp.status));
        if resp.status == 101 && !(m.cycle.upgrade && m.cycle.version11 && m.their == State::Done) {
            return Err(WriteError::OutOfOrder);
        }
        if (100..200).contains(&resp.status) && resp.status != 101 {
            if !m.cycle.version11 {
                // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
                return Err(WriteError::OutOfOrder);
            }
            let _ = encode_response_head(resp, method, version, out)?.finish(&[], out)?;
            m.cycle.expect_continue = false;
            return Ok(());
        }
        let options = Options::of_pairs(resp.fields);
        // A client still waiting for 100-continue is told "no": it may never send the body, and
        // waiting for it could hang, so the connection closes after this response (RFC 9110
        // §10.1.1 lets the server either close or read and discard; only closing is safe here).
        let persists = m.keep_alive && !options.close && !m.cycle.expect_continue;
        // An HTTP/1.0 client keeps the connection only when told `keep-alive`, and only a body
        // whose end it can find without the close lets us say so (RFC 7230 §A.1.2).
        let http10_persists = version == Version::Http10 && persists && frames_by_length(resp, method);
        let extra: Option<(&str, &[u8])> = match version {
            _ if switching => None,
            Version::Http10 if http10_persists && !options.keep_alive => Some(("Connection", b"keep-alive")),
            Version::Http11 if !persists && !options.close => Some(("Connection", b"close")),
            _ => None,
        };
        let encoder = encode_response_head_with(resp, method, version, extra, out)?;
        let persists = if version == Version::Http10 { http10_persists } else { persists };
        m.keep_alive = persists && !encoder.is_until_close();
        m.cycle.switching = switching;
        m.cycle.expect_continue = false;
        m.our = State::SendBody;
        self.encoder = Some(encoder);
        Ok(())
    }

    /// Writes body data of the message we are sending.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] before a head; the encoder's errors (too long, no body).
    pub fn send_data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), WriteError> {
        match (&mut self.encoder, self.m.our) {
            (Some(encoder), State::SendBody) => encoder.encode_data(data, out),
            _ => Err(WriteError::OutOfOrder),
        }
    }

    /// Ends the message we are sending, with `trailers` if its body is chunked.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] before a head; the encoder's errors.
    pub fn send_end(&mut self, trailers: &[(&str, &[u8])], out: &mut Vec<u8>) -> Result<(), WriteError> {
        let (Some(encoder), State::SendBody) = (&mut self.encoder, self.m.our) else {
            return Err(WriteError::OutOfOrder);
        };
        let finished = encoder.finish(trailers, out)?;
        self.encoder = None;
        let m = &mut self.m;
        m.keep_alive &= finished.reusable;
        m.our = State::Done;
        m.advance();
        Ok(())
    }

    /// Server: after [`poll_event`](Self::poll_event) returned an error with a status, writes
    /// the response a server should send — that status, `Connection: close`, no body — and
    /// leaves the connection to be closed.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] when there is no such error, or a response was already begun.
    pub fn send_error_response(&mut self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let status = self.error.and_then(|e| e.status()).ok_or(WriteError::OutOfOrder)?;
        if self.m.role != Role::Server || !matches!(self.m.our, State::Idle | State::SendResponse) {
            return Err(WriteError::OutOfOrder);
        }
        let head = Response {
            version: Version::Http11,
            status: status.code(),
            reason: status.reason().as_bytes(),
            fields: &[("Connection", b"close"), ("Content-Length", b"0")],
        };
        let _ = encode_response_head(&head, "GET", Version::Http11, out)?.finish(&[], out)?;
        self.m.our = State::MustClose;
        Ok(())
    }
}

/// Whether a response's body length is known from its head (declared, or none at all), so that
/// an HTTP/1.0 client can tell where it ends without a close.
fn frames_by_length(resp: &Response<'_>, method: &str) -> bool {
    response_has_no_body(method.as_bytes(), resp.status)
        || resp.fields.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
}

/// A parser event with the head's role made explicit.
enum Incoming<'a> {
    Request(RequestHead<'a>, Framing),
    Response(ResponseHead<'a>, Framing),
    Data(&'a [u8]),
    Trailers(Fields<'a>),
    End,
}

/// What a head says that the state machine needs, copied out of the borrowed event.
#[derive(Clone, Copy)]
struct HeadInfo {
    version: Version,
    options: Options,
    framing: Framing,
    head_method: bool,
    connect: bool,
    has_body: bool,
}

impl HeadInfo {
    fn of_request(head: &RequestHead<'_>, framing: Framing) -> Self {
        HeadInfo {
            version: head.version(),
            options: Options::of(head.fields()),
            framing,
            head_method: head.method() == "HEAD",
            connect: head.method() == "CONNECT",
            has_body: framing != Framing::Empty,
        }
    }

    fn of_response(head: &ResponseHead<'_>, framing: Framing) -> Self {
        HeadInfo {
            version: head.version(),
            options: Options::of(head.fields()),
            framing,
            head_method: false,
            connect: false,
            has_body: framing != Framing::Empty,
        }
    }
}
