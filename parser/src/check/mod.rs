//! Drives a parser over a whole input cut into pieces and collects an owned outcome. The
//! `h1spec parse` command, the test suites and the fuzz targets all go through here, so they
//! check the same things.
//!
//! This is a harness, not part of the codec's API: it allocates freely and may change.
//!
//! ```
//! use h1wire::check::{run, Role};
//!
//! let outcome = run(Role::Request, &Default::default(), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &[3, 9]);
//! assert_eq!(outcome.unwrap().consumed, 27);
//! ```

use alloc::format;

use alloc::string::String;
use alloc::vec::Vec;

use crate::{
    Closed, Config, Error, ErrorKind, Event, Fields, Framing, InPlace, RequestParser, ResponseParser, Version,
};

/// Which kind of message to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role<'m> {
    /// A request.
    Request,
    /// A response to a request with this method.
    Response(&'m str),
}

/// The start line of a parsed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine {
    /// A request line.
    Request {
        /// The method.
        method: String,
        /// The request-target as received.
        target: String,
    },
    /// A status line.
    Response {
        /// The status code.
        status: u16,
        /// The reason phrase as received.
        reason: Vec<u8>,
    },
}

/// Everything the parser reported about the first message of an input, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The start line.
    pub start: StartLine,
    /// The HTTP version.
    pub version: Version,
    /// Header fields; folded values are unfolded.
    pub headers: Vec<(String, Vec<u8>)>,
    /// How the body was delimited.
    pub framing: Framing,
    /// The decoded body.
    pub body: Vec<u8>,
    /// Trailer fields.
    pub trailers: Vec<(String, Vec<u8>)>,
    /// Input bytes the message used.
    pub consumed: u64,
}

fn owned_fields(fields: Fields<'_>) -> Vec<(String, Vec<u8>)> {
    fields.iter().map(|f| (String::from(f.name()), f.unfolded_value().into_owned())).collect()
}

/// A parser of either role, with its events reduced to what [`Message`] records.
#[allow(clippy::large_enum_variant, reason = "one parser per run, never moved on a hot path")]
enum Parser {
    Request(RequestParser),
    Response(ResponseParser),
}

/// What one parse step told us, owned.
enum Step {
    Need,
    Head(StartLine, Version, Vec<(String, Vec<u8>)>, Framing),
    Data(Vec<u8>),
    Trailers(Vec<(String, Vec<u8>)>),
    End,
}

impl Parser {
    fn step(&mut self, buf: &[u8]) -> Result<(usize, Step), Error> {
        match self {
            Parser::Request(p) => {
                let out = p.parse(buf)?;
                let step = match out.event {
                    Some(Event::Head { head, framing }) => Step::Head(
                        StartLine::Request { method: head.method().into(), target: head.target().as_str().into() },
                        head.version(),
                        owned_fields(head.fields()),
                        framing,
                    ),
                    other => Self::body_step(other),
                };
                Ok((out.consumed, step))
            }
            Parser::Response(p) => {
                let out = p.parse(buf)?;
                let step = match out.event {
                    Some(Event::Head { head, framing }) => Step::Head(
                        StartLine::Response { status: head.status(), reason: head.reason().into() },
                        head.version(),
                        owned_fields(head.fields()),
                        framing,
                    ),
                    other => Self::body_step(other),
                };
                Ok((out.consumed, step))
            }
        }
    }

    fn body_step<H>(event: Option<Event<'_, H>>) -> Step {
        match event {
            None => Step::Need,
            Some(Event::Data(d)) => Step::Data(d.into()),
            Some(Event::Trailers(t)) => Step::Trailers(owned_fields(t)),
            Some(Event::End) => Step::End,
            Some(Event::Head { .. }) => unreachable!("heads are matched by the caller"),
        }
    }

    fn in_place(&mut self, buf: &mut [u8]) -> Result<InPlace, Error> {
        match self {
            Parser::Request(p) => p.parse_body_in_place(buf),
            Parser::Response(p) => p.parse_body_in_place(buf),
        }
    }

    fn handle_eof(&mut self) -> Result<Closed, Error> {
        match self {
            Parser::Request(p) => p.handle_eof(),
            Parser::Response(p) => p.handle_eof(),
        }
    }

    fn offset(&self) -> u64 {
        match self {
            Parser::Request(p) => p.offset(),
            Parser::Response(p) => p.offset(),
        }
    }
}

/// Parses the first message of `input`, handing the parser the pieces between the cut points
/// `cuts` (ascending offsets; out-of-range ones are ignored), then the end of input as the peer
/// closing the connection.
///
/// # Errors
///
/// The parser's error; a message cut short by the end of input is
/// [`ErrorKind::UnexpectedEof`].
pub fn run(role: Role<'_>, config: &Config, input: &[u8], cuts: &[usize]) -> Result<Message, Error> {
    run_with(role, config, input, cuts, false)
}

/// [`run`], reading the body with `parse_body_in_place` instead of `Data` events when
/// `in_place` is set.
///
/// # Errors
///
/// As [`run`].
pub fn run_with(
    role: Role<'_>,
    config: &Config,
    input: &[u8],
    cuts: &[usize],
    in_place: bool,
) -> Result<Message, Error> {
    let mut parser = match role {
        Role::Request => Parser::Request(RequestParser::with_config(config.clone())),
        Role::Response(method) => Parser::Response(ResponseParser::with_config(config.clone(), method)),
    };
    let mut message: Option<Message> = None;
    // Whether the in-place body reader is to be asked before `parse`.
    let mut body_more = false;
    let mut buf: Vec<u8> = Vec::new();
    let mut from = 0;
    let ends = cuts.iter().copied().filter(|&c| c > 0 && c < input.len()).chain([input.len()]);
    for end in ends {
        if end < from {
            continue;
        }
        buf.extend_from_slice(&input[from..end]);
        from = end;
        loop {
            if in_place && body_more {
                let step = parser.in_place(&mut buf)?;
                assert!(step.len <= step.consumed && step.consumed <= buf.len(), "{step:?} of {} bytes", buf.len());
                message.as_mut().expect("a body after a head").body.extend_from_slice(&buf[..step.len]);
                buf.drain(..step.consumed);
                body_more = step.more;
                if step.more {
                    break;
                }
            }
            let (consumed, step) = parser.step(&buf)?;
            assert!(consumed <= buf.len(), "consumed {consumed} of {} bytes", buf.len());
            assert!(consumed == 0 || !matches!(step, Step::Need), "consumed {consumed} bytes without an event");
            buf.drain(..consumed);
            match step {
                Step::Need => break,
                Step::Head(start, version, headers, framing) => {
                    assert!(message.is_none(), "a second head before the end of the first message");
                    body_more = true;
                    message = Some(Message {
                        start,
                        version,
                        headers,
                        framing,
                        body: Vec::new(),
                        trailers: Vec::new(),
                        consumed: 0,
                    });
                }
                Step::Data(data) => {
                    assert!(!data.is_empty(), "empty data event");
                    message.as_mut().expect("data after a head").body.extend_from_slice(&data);
                }
                Step::Trailers(trailers) => message.as_mut().expect("trailers after a head").trailers = trailers,
                Step::End => return finish(message, parser.offset()),
            }
        }
    }
    match parser.handle_eof()? {
        Closed::EndOfBody => finish(message, parser.offset() + buf.len() as u64),
        Closed::BetweenMessages => Err(Error::new(ErrorKind::UnexpectedEof, parser.offset())),
    }
}

fn finish(message: Option<Message>, consumed: u64) -> Result<Message, Error> {
    let mut message = message.expect("End after a head");
    message.consumed = consumed;
    if let Framing::Length(n) = message.framing {
        assert_eq!(message.body.len() as u64, n, "body length differs from Content-Length");
    }
    Ok(message)
}

/// Runs `input` whole, one byte at a time, and cut in two at every offset, with body data read as
/// events and again in place (`parse_body_in_place`), and returns the
/// outcome if all runs agree.
///
/// # Errors
///
/// A description of the first run that disagreed with the whole-input run.
pub fn split_invariant(role: Role<'_>, config: &Config, input: &[u8]) -> Result<Result<Message, Error>, String> {
    let whole = run(role, config, input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    for in_place in [false, true] {
        let how = if in_place { "body in place, " } else { "" };
        if in_place {
            let whole_in_place = run_with(role, config, input, &[], true);
            if whole_in_place != whole {
                return Err(format!("body in place: {whole_in_place:?}\nwhole: {whole:?}"));
            }
        }
        let one_byte = run_with(role, config, input, &bytewise, in_place);
        if one_byte != whole {
            return Err(format!("{how}one byte at a time: {one_byte:?}\nwhole: {whole:?}"));
        }
        for cut in 1..input.len() {
            let split = run_with(role, config, input, &[cut], in_place);
            if split != whole {
                return Err(format!("{how}cut at {cut}: {split:?}\nwhole: {whole:?}"));
            }
        }
    }
    Ok(whole)
}

pub mod fuzz;
