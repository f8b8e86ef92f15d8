//! Drives a parser over an input cut into reads and collects an owned outcome.
//!
//! The loop is the one a server runs: one buffer, a cursor to the first unconsumed byte, the
//! consumed bytes dropped once per read (before the new bytes are appended), never once per
//! event. So the bytes moved stay within the input's size however many events it holds;
//! [`Counts`] reports them, and the tests hold the driver to it.

use h1wire::{
    Closed, Config, Error, Event, Fields, Framing, Parse, RequestHead, RequestParser, ResponseHead, ResponseParser,
    ResponseTo, Version,
};

/// Which kind of message to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request.
    Request,
    /// A response to the request `ResponseTo` describes.
    Response(ResponseTo),
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

/// Which way the parser takes a head that is all in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadPath {
    /// The fast path where it applies, as in production.
    Whole,
    /// The resumable machine only (the fast path turned off).
    Machine,
}

/// Why no message came out of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The parser refused the bytes (a message cut short is [`ErrorKind::UnexpectedEof`]).
    ///
    /// [`ErrorKind::UnexpectedEof`]: h1wire::ErrorKind::UnexpectedEof
    Error(Error),
    /// The input ended before a message began: there was nothing to parse.
    NoMessage,
}

impl Refused {
    /// The parser's error, if it refused something.
    pub fn error(&self) -> Option<Error> {
        match self {
            Refused::Error(e) => Some(*e),
            Refused::NoMessage => None,
        }
    }
}

impl From<Error> for Refused {
    fn from(e: Error) -> Self {
        Refused::Error(e)
    }
}

/// How body data is taken from the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// As [`Event::Data`] slices.
    Events,
    /// Decoded in place with [`Parse::parse_body_in_place`].
    InPlace,
}

/// What a run cost the driver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Reads handed to the parser.
    pub reads: usize,
    /// Events the parser returned.
    pub events: usize,
    /// Bytes moved to compact the buffer (the unconsumed tail, once per read).
    pub moved: u64,
}

/// A parser whose heads the driver can record.
trait Subject: Parse + Sized {
    fn describe<'a>(head: &Self::Head<'a>) -> (StartLine, Version, Vec<(String, Vec<u8>)>)
    where
        Self: 'a;
}

fn owned_fields(fields: Fields<'_>) -> Vec<(String, Vec<u8>)> {
    fields.iter().map(|f| (String::from(f.name().as_str()), f.unfolded_value().into_owned())).collect()
}

impl Subject for RequestParser {
    fn describe<'a>(head: &RequestHead<'a>) -> (StartLine, Version, Vec<(String, Vec<u8>)>)
    where
        Self: 'a,
    {
        let start = StartLine::Request { method: head.method().into(), target: head.target().as_str().into() };
        (start, head.version(), owned_fields(head.fields()))
    }
}

impl Subject for ResponseParser {
    fn describe<'a>(head: &ResponseHead<'a>) -> (StartLine, Version, Vec<(String, Vec<u8>)>)
    where
        Self: 'a,
    {
        let start = StartLine::Response { status: head.status(), reason: head.reason().into() };
        (start, head.version(), owned_fields(head.fields()))
    }
}

/// Parses the first message of `input`, handing the parser the pieces between the cut points
/// `cuts` (ascending offsets; out-of-range and out-of-order ones are ignored), then the end of
/// input as the peer closing the connection.
///
/// # Errors
///
/// The parser's error ([`Refused::Error`]; a message cut short by the end of input is
/// [`ErrorKind::UnexpectedEof`](h1wire::ErrorKind::UnexpectedEof)), or [`Refused::NoMessage`]
/// for an empty input.
///
/// # Panics
///
/// When the parser breaks its contract (consumes more than it was given, consumes without an
/// event, gives a second head before the end of the first message, an empty data event, a
/// body other than its Content-Length): the harness exists to catch those.
pub fn run(kind: Kind, config: &Config, input: &[u8], cuts: &[usize]) -> Result<Message, Refused> {
    run_with(kind, config, input, cuts, Body::Events).0
}

/// [`run`], with the body taken as `body` says, and what the run cost.
pub fn run_with(
    kind: Kind,
    config: &Config,
    input: &[u8],
    cuts: &[usize],
    body: Body,
) -> (Result<Message, Refused>, Counts) {
    run_on(kind, config, input, cuts, body, HeadPath::Whole)
}

/// [`run_with`], with heads taken the way `path` says.
pub fn run_on(
    kind: Kind,
    config: &Config,
    input: &[u8],
    cuts: &[usize],
    body: Body,
    path: HeadPath,
) -> (Result<Message, Refused>, Counts) {
    let mut counts = Counts::default();
    let whole = path == HeadPath::Whole;
    let outcome = match kind {
        Kind::Request => {
            let mut parser = RequestParser::with_config(config.clone());
            parser.set_whole_heads(whole);
            drive(parser, input, cuts, body, &mut counts)
        }
        Kind::Response(to) => {
            let mut parser = ResponseParser::with_config(config.clone(), to);
            parser.set_whole_heads(whole);
            drive(parser, input, cuts, body, &mut counts)
        }
    };
    (outcome, counts)
}

fn drive<P: Subject>(
    mut parser: P,
    input: &[u8],
    cuts: &[usize],
    body: Body,
    counts: &mut Counts,
) -> Result<Message, Refused> {
    let mut message: Option<Message> = None;
    // Whether the in-place body reader is to be asked before `parse`.
    let mut body_more = false;
    let (mut buf, mut start): (Vec<u8>, usize) = (Vec::new(), 0);
    let mut from = 0;
    let ends = cuts.iter().copied().filter(|&c| c > 0 && c < input.len()).chain([input.len()]);
    for end in ends {
        if end <= from {
            continue;
        }
        // One read: compact once, then append.
        if start > 0 {
            counts.moved += (buf.len() - start) as u64;
            buf.drain(..start);
            start = 0;
        }
        buf.extend_from_slice(&input[from..end]);
        from = end;
        counts.reads += 1;
        loop {
            if body == Body::InPlace && body_more {
                let step = parser.parse_body_in_place(&mut buf[start..])?;
                let available = buf.len() - start;
                assert!(step.len <= step.consumed && step.consumed <= available, "{step:?} of {available} bytes");
                message.as_mut().expect("a body after a head").body.extend_from_slice(&buf[start..][..step.len]);
                start += step.consumed;
                body_more = step.more;
                if step.more {
                    break;
                }
            }
            let available = buf.len() - start;
            // The event borrows the parser; it is dropped at the end of this block.
            let (consumed, ended) = {
                let out = parser.parse(&buf[start..])?;
                let consumed = out.consumed;
                assert!(consumed <= available, "consumed {consumed} of {available} bytes");
                let Some(event) = out.event else {
                    assert_eq!(consumed, 0, "consumed bytes without an event");
                    break;
                };
                counts.events += 1;
                let ended = matches!(event, Event::EndOfMessage);
                match event {
                    Event::Head { head, framing } => {
                        assert!(message.is_none(), "a second head before the end of the first message");
                        let (start_line, version, headers) = P::describe(&head);
                        body_more = true;
                        message = Some(Message {
                            start: start_line,
                            version,
                            headers,
                            framing,
                            body: Vec::new(),
                            trailers: Vec::new(),
                            consumed: 0,
                        });
                    }
                    Event::Data(data) => {
                        assert!(!data.is_empty(), "empty data event");
                        message.as_mut().expect("data after a head").body.extend_from_slice(data);
                    }
                    Event::Trailers(trailers) => {
                        message.as_mut().expect("trailers after a head").trailers = owned_fields(trailers);
                    }
                    Event::EndOfMessage => {}
                }
                (consumed, ended)
            };
            start += consumed;
            if ended {
                return Ok(finish(message, parser.offset()));
            }
        }
    }
    match parser.handle_eof()? {
        Closed::EndOfBody => Ok(finish(message, parser.offset() + (buf.len() - start) as u64)),
        Closed::BetweenMessages => Err(Refused::NoMessage),
    }
}

fn finish(message: Option<Message>, consumed: u64) -> Message {
    let mut message = message.expect("the end of a message after its head");
    message.consumed = consumed;
    if let Framing::Length(n) = message.framing {
        assert_eq!(message.body.len() as u64, n, "body length differs from Content-Length");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunked request of `n` one-byte chunks.
    fn one_byte_chunks(n: usize) -> Vec<u8> {
        let mut input = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..n {
            input.extend_from_slice(b"1\r\nx\r\n");
        }
        input.extend_from_slice(b"0\r\n\r\n");
        input
    }

    #[test]
    fn the_driver_moves_each_byte_at_most_once_per_read() {
        let input = one_byte_chunks(20_000);
        let config = Config::default();
        // Fed whole: one read, 20,000 data events, nothing moved (a drain per event would move
        // about 120 KB × 20,000 / 2 = 1.2 GB).
        let (outcome, counts) = run_with(Kind::Request, &config, &input, &[], Body::Events);
        assert_eq!(outcome.unwrap().body.len(), 20_000);
        assert_eq!((counts.reads, counts.moved), (1, 0));
        assert_eq!(counts.events, 20_002);
        // Fed in reads of 1000 bytes: at most the unconsumed tail of each read moves, which is
        // less than one chunk line.
        let cuts: Vec<usize> = (1000..input.len()).step_by(1000).collect();
        for body in [Body::Events, Body::InPlace] {
            let (outcome, counts) = run_with(Kind::Request, &config, &input, &cuts, body);
            assert_eq!(outcome.unwrap().body.len(), 20_000);
            assert_eq!(counts.reads, cuts.len() + 1);
            assert!(counts.moved <= 6 * counts.reads as u64, "{counts:?}");
        }
    }

    #[test]
    fn an_empty_input_holds_no_message_and_a_cut_one_is_unexpected_eof() {
        let config = Config::default();
        assert_eq!(run(Kind::Request, &config, b"", &[]), Err(Refused::NoMessage));
        let cut = run(Kind::Request, &config, b"GET / HTTP/1.1\r\n", &[]).unwrap_err();
        assert_eq!(cut.error().map(|e| e.kind()), Some(h1wire::ErrorKind::UnexpectedEof));
    }
}
