//! The connection machine, for both roles: bytes in, events out; messages in, bytes out.
//!
//! [`Connection`] wraps the message parsers and the writer and enforces the order of things on
//! one HTTP/1.1 connection: one request, then its response (after any 1xx), then the next; keep-
//! alive or close; `Expect: 100-continue`; and the hand-off of the raw stream after a protocol
//! switch. It owns a receive buffer, so events borrow from the connection; it never does IO.
//!
//! Every rule that moves the state lives in one table, in `conn/state.rs`, with the RFC section
//! on each row; this module keeps the bytes, the parser and the encoder.
//!
//! # Kinds of methods
//!
//! - **inputs**: [`handle_bytes`](Connection::handle_bytes), [`handle_eof`](Connection::handle_eof);
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
//! conn.handle_bytes(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
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

pub use state::{Role, State};

use alloc::vec::Vec;
use core::mem;

use crate::body::response_has_no_body;
use crate::head::ConnectionOptions;
use crate::write::head::encode_response_head_with;
use crate::write::{encode_request_head, encode_response_head, BodyEncoder, Request, Response, WriteError};
use crate::{
    Config, Error, ErrorKind, Event, Fields, Framing, Parse, RequestHead, RequestParser, ResponseHead, ResponseParser,
    ResponseTo, Version,
};
use state::{Machine, Reading, Refused, RequestFacts, ResponseFacts, ResponsePlan};

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
    /// More bytes are needed: hand them in with [`handle_bytes`](Connection::handle_bytes) (or
    /// the end of input with [`handle_eof`](Connection::handle_eof)).
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

/// The parser of the peer's messages.
#[allow(clippy::large_enum_variant, reason = "one parser per connection, never moved on a hot path")]
enum Reader {
    Requests(RequestParser),
    Responses(ResponseParser),
}

/// A parser event with the head's role made explicit.
enum Incoming<'a> {
    Request(RequestHead<'a>, Framing),
    Response(ResponseHead<'a>, Framing),
    Data(&'a [u8]),
    Trailers(Fields<'a>),
    End,
}

/// One parse step of either parser, heads mapped by `head`; at end of input the close is applied.
fn parse_step<'a, P: Parse>(
    parser: &'a mut P,
    buf: &'a [u8],
    eof: bool,
    head: fn(P::Head<'a>, Framing) -> Incoming<'a>,
) -> Result<(usize, Option<Incoming<'a>>), Error> {
    let out = if eof { parser.parse_closed(buf)? } else { parser.parse(buf)? };
    let event = out.event.map(|event| match event {
        Event::Head { head: h, framing } => head(h, framing),
        Event::Data(d) => Incoming::Data(d),
        Event::Trailers(t) => Incoming::Trailers(t),
        Event::EndOfMessage => Incoming::End,
    });
    Ok((out.consumed, event))
}

impl Reader {
    fn parse<'a>(&'a mut self, buf: &'a [u8], eof: bool) -> Result<(usize, Option<Incoming<'a>>), Error> {
        match self {
            Reader::Requests(p) => parse_step(p, buf, eof, Incoming::Request),
            Reader::Responses(p) => parse_step(p, buf, eof, Incoming::Response),
        }
    }

    fn offset(&self) -> u64 {
        match self {
            Reader::Requests(p) => p.offset(),
            Reader::Responses(p) => p.offset(),
        }
    }
}

/// One HTTP/1.1 connection, either role. See the [module docs](self).
pub struct Connection {
    reader: Reader,
    /// Bytes received; those before `start` are consumed and dropped at the next receive.
    recv: Vec<u8>,
    start: usize,
    eof: bool,
    machine: Machine,
    encoder: Option<BodyEncoder>,
    error: Option<Error>,
}

impl Connection {
    /// A connection with the default [`Config`] for its role: a client is a user agent, which
    /// MUST unfold obs-fold in responses (RFC 9112 §5.2), so it gets
    /// [`allow_obs_fold`](Config::allow_obs_fold).
    pub fn new(role: Role) -> Self {
        Connection::with_config(role, Config { allow_obs_fold: role == Role::Client, ..Config::default() })
    }

    /// A connection with the given limits and leniencies, as given (a client should keep
    /// [`allow_obs_fold`](Config::allow_obs_fold) on; see [`Connection::new`]).
    pub fn with_config(role: Role, config: Config) -> Self {
        let reader = match role {
            Role::Server => Reader::Requests(RequestParser::with_config(config)),
            Role::Client => Reader::Responses(ResponseParser::with_config(config, ResponseTo::Other)),
        };
        Connection {
            reader,
            recv: Vec::new(),
            start: 0,
            eof: false,
            machine: Machine::new(role),
            encoder: None,
            error: None,
        }
    }

    /// Our side's state.
    pub fn our_state(&self) -> State {
        self.machine.our()
    }

    /// The peer's state.
    pub fn their_state(&self) -> State {
        self.machine.their()
    }

    /// Client: whether we sent `Expect: 100-continue` and no response has come yet (send the
    /// body once this turns false, or after a timeout of your choosing).
    pub fn is_waiting_for_continue(&self) -> bool {
        self.machine.waiting_for_continue()
    }

    /// Hands in bytes received from the peer. The bytes already consumed are dropped here,
    /// once per call, not once per event.
    pub fn handle_bytes(&mut self, data: &[u8]) {
        self.recv.drain(..self.start);
        self.start = 0;
        self.recv.extend_from_slice(data);
    }

    /// Tells the connection the peer closed its side.
    pub fn handle_eof(&mut self) {
        self.eof = true;
    }

    /// After a protocol switch, takes every byte received and not consumed as HTTP: the start of
    /// the new protocol's stream. Empty in any other state.
    pub fn take_unconsumed(&mut self) -> Vec<u8> {
        if self.machine.our() != State::SwitchedProtocol {
            return Vec::new();
        }
        self.recv.drain(..self.start);
        self.start = 0;
        mem::take(&mut self.recv)
    }

    fn fail(&mut self, error: Error) -> Error {
        self.machine.fault();
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
        match self.machine.reading() {
            Reading::Read => {}
            Reading::Switched => return Ok(ConnEvent::SwitchedProtocol),
            Reading::Closed => return Ok(ConnEvent::ConnectionClosed),
            Reading::Paused => return Ok(ConnEvent::Paused),
            Reading::NothingAsked if self.start < self.recv.len() => {
                // Bytes from a server that was asked nothing answer nothing.
                let at = self.reader.offset();
                return Err(self.fail(Error::new(ErrorKind::UnexpectedResponse, at)));
            }
            Reading::AwaitClose | Reading::NothingAsked => {
                if self.eof && self.machine.closed().is_ok() {
                    return Ok(ConnEvent::ConnectionClosed);
                }
                return Ok(ConnEvent::NeedData);
            }
        }
        if self.machine.skipping_interim() {
            // The 1xx head was handed out; its end is not an event for the caller.
            match self.reader.parse(&self.recv[self.start..], self.eof) {
                Ok((n, Some(Incoming::End))) => {
                    self.start += n;
                    self.machine.interim_skipped();
                }
                Ok(_) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
        self.read()
    }

    fn is_client(&self) -> bool {
        self.machine.role() == Role::Client
    }

    fn read(&mut self) -> Result<ConnEvent<'_>, Error> {
        let Connection { reader, recv, start, eof, machine, error, .. } = self;
        let at = reader.offset();
        let (n, event) = match reader.parse(&recv[*start..], *eof) {
            Ok(step) => step,
            Err(e) => {
                machine.fault();
                *error = Some(e);
                return Err(e);
            }
        };
        *start += n;
        let Some(event) = event else {
            if *eof && machine.closed().is_ok() {
                return Ok(ConnEvent::ConnectionClosed);
            }
            return Ok(ConnEvent::NeedData);
        };
        Ok(match event {
            Incoming::Request(head, framing) => {
                let facts = RequestFacts {
                    to: ResponseTo::of_method(head.method()),
                    version: head.version(),
                    options: head.connection_options(),
                    has_body: framing != Framing::Empty,
                };
                let accepted = machine.request(facts);
                debug_assert!(accepted.is_ok(), "a head is read only on an idle connection");
                ConnEvent::Request { head, framing, expects_continue: machine.expects_continue() }
            }
            Incoming::Response(head, framing) => {
                let facts = ResponseFacts {
                    status: head.status(),
                    version: head.version(),
                    options: head.connection_options(),
                    framing,
                };
                if let Err(kind) = machine.response_read(facts) {
                    let e = Error::new(kind, at);
                    machine.fault();
                    *error = Some(e);
                    return Err(e);
                }
                ConnEvent::Response { head, framing }
            }
            Incoming::Data(d) => ConnEvent::Data(d),
            Incoming::Trailers(t) => ConnEvent::Trailers(t),
            Incoming::End => {
                let ended = machine.end(machine.peer(), true);
                debug_assert!(ended.is_ok(), "the parser ends only a message it began");
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
    /// [`WriteError::WrongRole`] on a server connection; [`WriteError::OutOfOrder`] unless both
    /// sides are idle (no client pipelining); any error of [`encode_request_head`].
    pub fn send_request(&mut self, req: &Request<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
        if !self.is_client() {
            return Err(WriteError::WrongRole);
        }
        if !self.machine.allows(state::Input::Request) {
            return Err(WriteError::OutOfOrder);
        }
        let encoder = encode_request_head(req, out)?;
        let to = ResponseTo::of_method(req.method);
        let facts = RequestFacts {
            to,
            version: req.version,
            options: ConnectionOptions::of_pairs(req.fields),
            has_body: encoder.allows_data(),
        };
        self.machine.request(facts).map_err(|()| WriteError::OutOfOrder)?;
        if let Reader::Responses(p) = &mut self.reader {
            p.set_response_to(to);
        }
        self.encoder = Some(encoder);
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
    /// [`WriteError::WrongRole`] on a client connection; [`WriteError::OutOfOrder`] unless a
    /// request head arrived and no final response was sent, or for a 101 before the request is
    /// complete; [`WriteError::InterimToHttp10`]; [`WriteError::UnrequestedSwitch`] for a 101 to
    /// a request without `Upgrade`; any error of [`encode_response_head`].
    pub fn send_response(&mut self, resp: &Response<'_>, out: &mut Vec<u8>) -> Result<(), WriteError> {
        if self.is_client() {
            return Err(WriteError::WrongRole);
        }
        let to = self.machine.response_to();
        let length_known = response_has_no_body(to, resp.status)
            || resp.fields.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
        let plan = self
            .machine
            .plan_response(resp.status, ConnectionOptions::of_pairs(resp.fields), length_known)
            .map_err(|refused| match refused {
                Refused::OutOfOrder => WriteError::OutOfOrder,
                Refused::InterimToHttp10 => WriteError::InterimToHttp10,
                Refused::UnrequestedSwitch => WriteError::UnrequestedSwitch,
            })?;
        match plan {
            ResponsePlan::Interim => {
                let _ = encode_response_head(resp, to, Version::Http11, out)?.finish(&[], out)?;
                self.machine.response_sent(plan, false);
            }
            ResponsePlan::Final { version, added, .. } => {
                let encoder = encode_response_head_with(resp, to, version, added, out)?;
                self.machine.response_sent(plan, encoder.is_until_close());
                self.encoder = Some(encoder);
            }
        }
        Ok(())
    }

    /// Writes body data of the message we are sending.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] before a head; the encoder's errors (too long, no body).
    pub fn send_data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), WriteError> {
        let us = self.machine.role();
        match (&mut self.encoder, self.machine.allows(state::Input::Data(us))) {
            (Some(encoder), true) => encoder.encode_data(data, out),
            _ => Err(WriteError::OutOfOrder),
        }
    }

    /// Ends the message we are sending, with `trailers` if its body is chunked.
    ///
    /// # Errors
    ///
    /// [`WriteError::OutOfOrder`] before a head; the encoder's errors.
    pub fn send_end(&mut self, trailers: &[(&str, &[u8])], out: &mut Vec<u8>) -> Result<(), WriteError> {
        let us = self.machine.role();
        let (Some(encoder), true) = (&mut self.encoder, self.machine.allows(state::Input::End(us))) else {
            return Err(WriteError::OutOfOrder);
        };
        let finished = encoder.finish(trailers, out)?;
        self.encoder = None;
        self.machine.end(us, finished.reusable).map_err(|()| WriteError::OutOfOrder)
    }

    /// Server: after [`poll_event`](Self::poll_event) returned an error with a status, writes
    /// the response a server should send — that status, `Connection: close`, no body — and
    /// leaves the connection to be closed.
    ///
    /// # Errors
    ///
    /// [`WriteError::NothingToAnswer`] when there is no such error; [`WriteError::WrongRole`]
    /// on a client connection; [`WriteError::OutOfOrder`] when a response was already begun.
    pub fn send_error_response(&mut self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let status = self.error.and_then(|e| e.status()).ok_or(WriteError::NothingToAnswer)?;
        if self.is_client() {
            return Err(WriteError::WrongRole);
        }
        if !self.machine.allows(state::Input::Refusal) {
            return Err(WriteError::OutOfOrder);
        }
        let head = Response {
            version: Version::Http11,
            status: status.code(),
            reason: status.reason().as_bytes(),
            fields: &[("Connection", b"close"), ("Content-Length", b"0")],
        };
        let _ = encode_response_head(&head, ResponseTo::Other, Version::Http11, out)?.finish(&[], out)?;
        self.machine.refused().map_err(|()| WriteError::OutOfOrder)
    }
}
