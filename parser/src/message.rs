//! The message parsers: a head, then its body, then the next message, as a stream of events.
//!
//! [`RequestParser`] and [`ResponseParser`] share one interface, the [`Parse`] trait, whose docs
//! state the buffer contract.

use alloc::vec::Vec;

use crate::body::{
    request_framing, request_framing_by_length, response_framing, response_framing_by_length, BodyDecoder, BodyStep,
    Framing,
};
use crate::head::authority::AuthoritySpans;
use crate::head::field::{Defect, FieldSpan, KnownName, KnownSet, LineRules};
use crate::head::host::check_host;
use crate::head::request::RequestLine;
use crate::head::whole::{self, Noted};
use crate::head::{
    Fields, HeadScanner, RequestHead, RequestLineScanner, ResponseHead, ResponseTo, StartLineScanner, StatusLine,
    StatusLineScanner,
};
use crate::{Config, Error, ErrorKind, Version};

/// One step of parsing.
#[derive(Debug)]
#[must_use = "`consumed` bytes must be dropped from the front of the buffer"]
pub struct Output<'a, H> {
    /// How many bytes from the front of the buffer this step consumed. The caller drops them
    /// before the next call. Always 0 when `event` is `None`.
    pub consumed: usize,
    /// What the step found, or `None` when more bytes are needed (append them to the buffer).
    pub event: Option<Event<'a, H>>,
}

/// What the parser found in the bytes, borrowed from them.
#[derive(Debug)]
pub enum Event<'a, H> {
    /// A complete head, and how its body is delimited.
    Head {
        /// The head.
        head: H,
        /// How the body that follows is delimited; [`Framing::Empty`] when there is none.
        framing: Framing,
    },
    /// A piece of the body, decoded (chunk framing removed). Pieces follow each other in order.
    Data(&'a [u8]),
    /// The trailer section of a chunked body, when it holds at least one field.
    Trailers(Fields<'a>),
    /// The message is complete; the next bytes belong to the next message.
    EndOfMessage,
}

/// What [`Parse::parse_body_in_place`] did to the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "`consumed` bytes must be dropped from the front of the buffer"]
pub struct InPlace {
    /// How many bytes from the front of the buffer were used; the caller drops them (after
    /// taking the data) before the next call.
    pub consumed: usize,
    /// The body data decoded, now at the front of the buffer: `buf[..len]`, with `len <=
    /// consumed`.
    pub len: usize,
    /// Whether more body data may follow. Once `false`, the data is complete: call `parse` for
    /// the trailers and [`Event::EndOfMessage`].
    pub more: bool,
}

/// How the peer closing the connection ended things (see [`Parse::handle_eof`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Between messages: nothing was lost.
    BetweenMessages,
    /// The close ended a body delimited by the close ([`Framing::UntilClose`]): the message is
    /// complete.
    EndOfBody,
}

/// What a step of the shared machinery found, as places in the buffer. Small on purpose: it is
/// returned for every received piece; the head's parts go to a slot of the parser instead.
enum Step {
    Partial,
    Head(Framing, usize),
    Data(crate::head::Span),
    Trailers(crate::head::Span),
    End,
}

enum Phase {
    Head,
    Body(BodyDecoder),
    /// A head without a body was reported: the next step reports the end of the message, at no
    /// more cost than a test (most requests are GETs).
    End,
}

/// What a role adds to the machinery: the rules that need the whole head (Host, RFC 9112 §3.2,
/// for requests; the framing, §6.3, for both), for a head the machine scanned and for one the
/// fast path took whole.
trait HeadRules {
    type Scanner: StartLineScanner;
    /// Whether the fast path notes Host values.
    const REQUEST: bool;

    /// The rules over the fields the machine scanned.
    fn finish(
        &mut self,
        buf: &[u8],
        line: &<Self::Scanner as StartLineScanner>::Line,
        fields: &[FieldSpan],
        known: KnownSet,
        end: usize,
        config: &Config,
    ) -> Result<Framing, Defect>;

    /// The rules from what the fast path noted in its field loop; `None` for a head the machine
    /// must take (it then says what is wrong, or reads what the fast path does not).
    fn finish_whole(
        &mut self,
        buf: &[u8],
        line: &<Self::Scanner as StartLineScanner>::Line,
        fields: &[FieldSpan],
        known: KnownSet,
        noted: Noted,
        config: &Config,
    ) -> Option<Framing>;
}

/// The head rules of requests, and where the last head's Host value lies.
struct RequestRules {
    host: Option<AuthoritySpans>,
}

impl HeadRules for RequestRules {
    type Scanner = RequestLineScanner;
    const REQUEST: bool = true;

    fn finish(
        &mut self,
        buf: &[u8],
        line: &RequestLine,
        fields: &[FieldSpan],
        known: KnownSet,
        end: usize,
        config: &Config,
    ) -> Result<Framing, Defect> {
        check_host(buf, fields, known, line.version, end, &mut self.host)?;
        request_framing(buf, line.method.of(buf), line.version, fields, known, config)
    }

    #[inline]
    fn finish_whole(
        &mut self,
        buf: &[u8],
        line: &RequestLine,
        fields: &[FieldSpan],
        known: KnownSet,
        noted: Noted,
        config: &Config,
    ) -> Option<Framing> {
        // An HTTP/1.1 request without Host is refused (RFC 9112 §3.2), by the machine.
        if noted.host.is_none() && line.version == Version::Http11 {
            return None;
        }
        self.host = noted.host;
        let method = line.method.of(buf);
        if known.contains(KnownName::TransferEncoding) {
            return request_framing(buf, method, line.version, fields, known, config).ok();
        }
        let length = noted.content_length.map(|i| fields[i].value(buf));
        request_framing_by_length(method, length, config)
    }
}

/// The head rules of responses: the framing, which depends on the request answered.
struct ResponseRules {
    to: ResponseTo,
}

impl HeadRules for ResponseRules {
    type Scanner = StatusLineScanner;
    const REQUEST: bool = false;

    fn finish(
        &mut self,
        buf: &[u8],
        line: &StatusLine,
        fields: &[FieldSpan],
        known: KnownSet,
        _: usize,
        config: &Config,
    ) -> Result<Framing, Defect> {
        response_framing(buf, self.to, line.code, line.version, fields, known, config)
    }

    #[inline]
    fn finish_whole(
        &mut self,
        buf: &[u8],
        line: &StatusLine,
        fields: &[FieldSpan],
        known: KnownSet,
        noted: Noted,
        config: &Config,
    ) -> Option<Framing> {
        if known.contains(KnownName::TransferEncoding) {
            return response_framing(buf, self.to, line.code, line.version, fields, known, config).ok();
        }
        let length = noted.content_length.map(|i| fields[i].value(buf));
        response_framing_by_length(self.to, line.code, length, config)
    }
}

/// The machinery shared by requests and responses, generic over the start line.
struct Reader<S: StartLineScanner> {
    config: Config,
    head: HeadScanner<S>,
    phase: Phase,
    /// Field places of the current head, then of its trailers; allocated once, reused.
    spans: Vec<FieldSpan>,
    /// Stream offset of the first byte of the buffer the caller passes next.
    offset: u64,
    failed: Option<Error>,
    /// Whether the fast path may take whole heads (off only to compare it with the machine).
    whole_heads: bool,
}

impl<S: StartLineScanner> Reader<S> {
    fn new(config: Config, allow_obs_fold: bool) -> Self {
        let rules = LineRules { allow_bare_lf: config.allow_bare_lf, allow_obs_fold };
        Reader {
            spans: Vec::with_capacity(config.max_fields.min(1024)),
            head: HeadScanner::new(rules),
            phase: Phase::Head,
            offset: 0,
            failed: None,
            whole_heads: true,
            config,
        }
    }

    fn fail(&mut self, defect: Defect) -> Error {
        let error = Error::new(defect.kind, self.offset + defect.at as u64);
        self.failed = Some(error);
        error
    }

    /// One step; `rules` are the role's head rules, which decide the framing. With `CLOSED` (the
    /// last bytes of a closed connection), where a step would ask for more, the close ends a
    /// close-delimited body, is a clean close, or cuts a message short.
    #[inline(always)]
    fn step<const CLOSED: bool, R: HeadRules<Scanner = S>>(
        &mut self,
        buf: &[u8],
        rules: &mut R,
    ) -> Result<(usize, Step), Error> {
        let (consumed, step) = self.step_open(buf, rules)?;
        if !CLOSED || !matches!(step, Step::Partial) {
            return Ok((consumed, step));
        }
        Ok(match self.handle_eof()? {
            Closed::EndOfBody => (0, Step::End),
            Closed::BetweenMessages => (0, Step::Partial),
        })
    }

    /// One step of an open connection. The two most common steps are each a test away: the end
    /// of a message without a body, and a head all in `buf` (the fast path).
    #[inline(always)]
    fn step_open<R: HeadRules<Scanner = S>>(&mut self, buf: &[u8], rules: &mut R) -> Result<(usize, Step), Error> {
        let result = match &mut self.phase {
            Phase::End => {
                // A failed parser never gets here: a failure leaves the phase where it failed.
                self.next_message();
                return Ok((0, Step::End));
            }
            Phase::Head => {
                if let Some(error) = self.failed {
                    return Err(error);
                }
                if self.whole_heads && !self.head.started() {
                    if let Some((end, framing)) = self.whole_head(buf, rules) {
                        self.offset += end as u64;
                        return Ok((end, Step::Head(framing, end)));
                    }
                }
                match self.head.step(buf, &mut self.spans, &self.config) {
                    Ok(None) => Ok((0, Step::Partial)),
                    Ok(Some(end)) => {
                        let line = self.head.line().expect("a complete head has a start line");
                        rules.finish(&buf[..end], line, &self.spans, self.head.known(), end, &self.config).map(
                            |framing| {
                                self.begin_body(framing);
                                (end, Step::Head(framing, end))
                            },
                        )
                    }
                    Err(defect) => Err(defect),
                }
            }
            Phase::Body(body) => {
                if let Some(error) = self.failed {
                    return Err(error);
                }
                match body.decode(buf, &mut self.spans, &self.config) {
                    Ok((_, BodyStep::Partial)) => Ok((0, Step::Partial)),
                    Ok((consumed, BodyStep::Data(span))) => Ok((consumed, Step::Data(span))),
                    Ok((consumed, BodyStep::Trailers(span))) => Ok((consumed, Step::Trailers(span))),
                    Ok((consumed, BodyStep::End)) => {
                        self.next_message();
                        Ok((consumed, Step::End))
                    }
                    Err(defect) => Err(defect),
                }
            }
        };
        self.account(result)
    }

    /// The fast path ([`whole`](crate::head::whole)): a head that is all in `buf` and plain,
    /// parsed in one pass. Its length, the head and its framing being recorded as the machine
    /// would record them; `None` (with everything reset) when the machine must scan it.
    #[inline]
    fn whole_head<R: HeadRules<Scanner = S>>(&mut self, buf: &[u8], rules: &mut R) -> Option<(usize, Framing)> {
        if !whole::holds_end(&buf[..buf.len().min(self.config.max_head_bytes)]) {
            return None;
        }
        let taken = self.head.whole(buf, &mut self.spans, &self.config, R::REQUEST).and_then(|(end, noted)| {
            let line = self.head.line().expect("a whole head has a start line");
            let known = self.head.known();
            let framing = rules.finish_whole(&buf[..end], line, &self.spans, known, noted, &self.config)?;
            Some((end, framing))
        });
        match taken {
            Some((end, framing)) => {
                self.begin_body(framing);
                Some((end, framing))
            }
            None => {
                self.head.reset();
                self.spans.clear();
                None
            }
        }
    }

    fn begin_body(&mut self, framing: Framing) {
        // Two assignments rather than one of a `match`, which built the whole enum (a chunked
        // decoder's worth of bytes) to copy it even for `End`.
        if framing == Framing::Empty {
            self.phase = Phase::End;
        } else {
            self.phase = Phase::Body(BodyDecoder::new(framing));
        }
    }

    /// Body data decoded in place (see [`RequestParser::parse_body_in_place`]).
    fn step_in_place(&mut self, buf: &mut [u8]) -> Result<InPlace, Error> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let Phase::Body(body) = &mut self.phase else {
            return Ok(InPlace { consumed: 0, len: 0, more: false });
        };
        let result = body.decode_in_place(buf, &self.config).map(|(consumed, len, more)| (consumed, (len, more)));
        let (consumed, (len, more)) = self.account(result)?;
        Ok(InPlace { consumed, len, more })
    }

    /// Moves the stream offset past the bytes a step consumed, or records its defect as the
    /// parser's error (at its stream offset).
    fn account<T>(&mut self, result: Result<(usize, T), Defect>) -> Result<(usize, T), Error> {
        match result {
            Ok((consumed, step)) => {
                self.offset += consumed as u64;
                Ok((consumed, step))
            }
            Err(defect) => Err(self.fail(defect)),
        }
    }

    /// Ends a bodyless message whose head was reported, if that is where the parser is: the
    /// step [`Parse::parse`] takes without a call.
    #[inline(always)]
    fn take_end(&mut self) -> bool {
        let end = matches!(self.phase, Phase::End);
        if end {
            self.next_message();
        }
        end
    }

    #[inline(always)]
    fn next_message(&mut self) {
        self.phase = Phase::Head;
        self.head.reset();
        self.spans.clear();
    }

    fn handle_eof(&mut self) -> Result<Closed, Error> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        // A cut-short message is reported at the end of the stream: past what was consumed and
        // what was looked at without being consumed.
        let closed = match &self.phase {
            Phase::Head if !self.head.started() => Closed::BetweenMessages,
            Phase::End => Closed::EndOfBody,
            Phase::Body(body) if body.ends_at_close() => Closed::EndOfBody,
            Phase::Head => return Err(self.fail(Defect { kind: ErrorKind::UnexpectedEof, at: self.head.scanned() })),
            Phase::Body(body) => {
                let at = body.pending();
                return Err(self.fail(Defect { kind: ErrorKind::UnexpectedEof, at }));
            }
        };
        if closed == Closed::EndOfBody {
            self.next_message();
        }
        Ok(closed)
    }

    /// The stream offset of the next byte the parser expects.
    fn offset(&self) -> u64 {
        self.offset
    }

    /// The event of a step, borrowing from `buf` and the reader; `head` builds the role's view.
    #[inline]
    fn event<'a, H>(
        &'a self,
        buf: &'a [u8],
        step: Step,
        head: impl FnOnce(&'a [u8], &'a S::Line, &'a [FieldSpan], KnownSet) -> H,
    ) -> Option<Event<'a, H>> {
        let spans = &self.spans;
        match step {
            Step::Partial => None,
            Step::Head(framing, end) => {
                let line = self.head.line().expect("complete with the head");
                Some(Event::Head { head: head(&buf[..end], line, spans, self.head.known()), framing })
            }
            Step::Data(span) => Some(Event::Data(span.of(buf))),
            Step::Trailers(span) => Some(Event::Trailers(Fields::new(span.of(buf), spans))),
            Step::End => Some(Event::EndOfMessage),
        }
    }
}

mod sealed {
    /// Only this crate's parsers implement [`Parse`](super::Parse).
    pub trait Sealed {}
    impl Sealed for super::RequestParser {}
    impl Sealed for super::ResponseParser {}
}

/// What [`RequestParser`] and [`ResponseParser`] share: parse a stream of messages of one
/// connection from bytes the caller owns.
///
/// # The buffer contract
///
/// The caller owns the bytes. Each call to [`parse`](Self::parse) gets the bytes received and
/// not yet consumed, in order. When the parser finds an event, it says how many bytes that
/// event consumed; the caller moves past those and passes the rest next time. When it finds none
/// (more bytes are needed), it consumes nothing: the caller keeps every byte and appends new ones
/// after them. The parser remembers how far it got into those bytes and never looks at one
/// twice, so its work grows linearly with the bytes however they are split; each call adds a
/// fixed cost of its own, which one-byte reads pay per byte and reads of a TCP segment barely see
/// (BENCHMARKS.md has the figures).
///
/// Keep a cursor into your buffer rather than removing consumed bytes after every event (that
/// moves the rest of the buffer each time, which is quadratic in a buffer of many small
/// events); compact once per read, before appending:
///
/// ```
/// use h1wire::{Event, Parse, RequestParser};
///
/// let reads: [&[u8]; 2] = [b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n1\r", b"\nb\r\n0\r\n\r\n"];
/// let mut parser = RequestParser::new();
/// let (mut buf, mut start) = (Vec::new(), 0);
/// let mut body = Vec::new();
/// for read in reads {
///     buf.drain(..start); // once per read: drop what was consumed
///     start = 0;
///     buf.extend_from_slice(read);
///     loop {
///         let out = parser.parse(&buf[start..]).unwrap();
///         start += out.consumed;
///         match out.event {
///             None => break, // need more bytes
///             Some(Event::Data(data)) => body.extend_from_slice(data),
///             Some(_) => {}
///         }
///     }
/// }
/// assert_eq!(body, b"ab");
/// ```
///
/// Body data comes as [`Event::Data`] slices of the buffer (nothing is copied), or, with
/// [`parse_body_in_place`](Self::parse_body_in_place), moved to the front of the buffer over the
/// chunk framing, all the chunks the buffer holds in one call.
///
/// # Errors
///
/// Every method that parses returns an [`Error`] naming the rule broken, its offset in the
/// stream and the status to answer. After an error the parser stays failed: every later call
/// returns the same error.
pub trait Parse: sealed::Sealed {
    /// The head this parser reads: [`RequestHead`] or [`ResponseHead`].
    type Head<'a>
    where
        Self: 'a;

    /// Parses from the front of `buf`: the bytes received and not yet consumed.
    ///
    /// # Errors
    ///
    /// The [`Error`] of a refused message (see the trait docs).
    fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, Self::Head<'a>>, Error>;

    /// [`parse`](Self::parse) for the bytes left after the peer closed the connection: where
    /// `parse` would ask for more bytes, this applies [`handle_eof`](Self::handle_eof) instead
    /// (a clean close gives no event; the close ends a body delimited by it).
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), and [`ErrorKind::UnexpectedEof`] for a message cut short.
    fn parse_closed<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, Self::Head<'a>>, Error>;

    /// Decodes the body data in `buf` in place, instead of one [`Event::Data`] per piece: the
    /// data of every chunk the buffer holds is moved to its front, over the chunk framing, in
    /// one call (as picohttpparser's `phr_decode_chunked` does). Data delimited by length is
    /// already in place and is not moved. Call it after [`Event::Head`]; once it says
    /// [`more`](InPlace::more) is `false`, call [`parse`](Self::parse) for the trailers and
    /// [`Event::EndOfMessage`]. Between heads it does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use h1wire::{Event, Parse, RequestParser};
    ///
    /// let mut parser = RequestParser::new();
    /// let mut buf = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
    ///                 5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".to_vec();
    /// let head_len = parser.parse(&buf).unwrap().consumed;
    ///
    /// let step = parser.parse_body_in_place(&mut buf[head_len..]).unwrap();
    /// assert_eq!(&buf[head_len..][..step.len], b"hello world");
    /// assert!(!step.more);
    /// let rest = &buf[head_len + step.consumed..];
    /// assert!(matches!(parser.parse(rest).unwrap().event, Some(Event::EndOfMessage)));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse): the same rules, at the same offsets.
    fn parse_body_in_place(&mut self, buf: &mut [u8]) -> Result<InPlace, Error>;

    /// Tells the parser the peer closed the connection (after every received byte was passed
    /// to [`parse`](Self::parse)); this is how a body delimited by the close ends
    /// ([`Closed::EndOfBody`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnexpectedEof`] when a message was cut short.
    fn handle_eof(&mut self) -> Result<Closed, Error>;

    /// The stream offset of the next byte to pass, i.e. the bytes consumed so far.
    fn offset(&self) -> u64;

    /// The configuration in force.
    fn config(&self) -> &Config;
}

/// Parses requests, one after the other, from the bytes of one connection. Its methods are
/// those of [`Parse`].
///
/// # Examples
///
/// Parse a request whose bytes arrive in two pieces:
///
/// ```
/// use h1wire::{Event, Framing, Parse, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let mut buf = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Enc".to_vec();
/// assert!(parser.parse(&buf).unwrap().event.is_none()); // not yet a whole head
///
/// buf.extend_from_slice(b"oding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
/// let (mut start, mut body) = (0, Vec::new());
/// loop {
///     let out = parser.parse(&buf[start..]).unwrap();
///     start += out.consumed;
///     match out.event {
///         Some(Event::Head { head, framing }) => {
///             assert_eq!(head.target().path(), "/upload");
///             assert_eq!(framing, Framing::Chunked);
///         }
///         Some(Event::Data(data)) => body.extend_from_slice(data),
///         Some(Event::Trailers(_)) => {}
///         Some(Event::EndOfMessage) => break,
///         None => unreachable!("the whole message is in the buffer"),
///     }
/// }
/// assert_eq!(body, b"hello");
/// ```
pub struct RequestParser {
    reader: Reader<RequestLineScanner>,
    /// Where the last head's Host value lies (the rest of the head is in the reader).
    rules: RequestRules,
}

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser::new()
    }
}

impl RequestParser {
    /// A parser with the default [`Config`].
    pub fn new() -> Self {
        RequestParser::with_config(Config::default())
    }

    /// A parser with the given limits and leniencies (obs-fold is refused in requests whatever
    /// the config says, RFC 9112 §5.2).
    pub fn with_config(config: Config) -> Self {
        RequestParser { reader: Reader::new(config, false), rules: RequestRules { host: None } }
    }

    /// Turns the whole-head fast path off (or on again), so that every head goes through the
    /// resumable machine: for the harness, which checks that both read every head alike. Not
    /// part of the API.
    #[doc(hidden)]
    pub fn set_whole_heads(&mut self, on: bool) {
        self.reader.whole_heads = on;
    }

    /// [`Parse::parse`], or with `CLOSED` [`Parse::parse_closed`].
    #[inline(never)]
    fn parse_as<'a, const CLOSED: bool>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, RequestHead<'a>>, Error> {
        let (consumed, step) = self.reader.step::<CLOSED, _>(buf, &mut self.rules)?;
        let host = &self.rules.host;
        let event =
            self.reader.event(buf, step, |buf, line, fields, known| RequestHead::new(buf, line, host, fields, known));
        Ok(Output { consumed, event })
    }
}

impl Parse for RequestParser {
    type Head<'a> = RequestHead<'a>;

    /// Inlined into the caller for the end of a bodyless message, a test and a few stores;
    /// everything else is one call.
    #[inline]
    fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, RequestHead<'a>>, Error> {
        if self.reader.take_end() {
            return Ok(Output { consumed: 0, event: Some(Event::EndOfMessage) });
        }
        self.parse_as::<false>(buf)
    }

    fn parse_closed<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, RequestHead<'a>>, Error> {
        self.parse_as::<true>(buf)
    }

    fn parse_body_in_place(&mut self, buf: &mut [u8]) -> Result<InPlace, Error> {
        self.reader.step_in_place(buf)
    }

    fn handle_eof(&mut self) -> Result<Closed, Error> {
        self.reader.handle_eof()
    }

    fn offset(&self) -> u64 {
        self.reader.offset()
    }

    fn config(&self) -> &Config {
        &self.reader.config
    }
}

/// Parses the responses of one connection, each to a request it is told of ([`ResponseTo`]).
/// Its methods are those of [`Parse`].
///
/// The request matters: a response to HEAD has no body, a 2xx to CONNECT opens a tunnel.
///
/// **obs-fold**: a user agent MUST unfold a folded field line of a response (RFC 9112 §5.2), so a
/// client reading responses with this parser must set [`Config::allow_obs_fold`]. It is off by
/// default because a proxy that forwards the response may instead refuse it and answer 502,
/// the choice that cannot hide a field from the next hop. [`Connection`](crate::conn::Connection)
/// in the client role is a user agent and turns it on.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Framing, Parse, ResponseParser, ResponseTo};
///
/// let mut parser = ResponseParser::new(ResponseTo::Head);
/// let out = parser.parse(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n").unwrap();
/// assert!(matches!(out.event, Some(Event::Head { framing: Framing::Empty, .. })));
/// ```
pub struct ResponseParser {
    reader: Reader<StatusLineScanner>,
    rules: ResponseRules,
}

impl ResponseParser {
    /// A parser with the default [`Config`], for the response to the request `to` describes.
    pub fn new(to: ResponseTo) -> Self {
        ResponseParser::with_config(Config::default(), to)
    }

    /// A parser with the given limits and leniencies.
    pub fn with_config(config: Config, to: ResponseTo) -> Self {
        let allow_obs_fold = config.allow_obs_fold;
        ResponseParser { reader: Reader::new(config, allow_obs_fold), rules: ResponseRules { to } }
    }

    /// Sets the request the next response answers (a 1xx response is followed by another
    /// response to the same request; after a final response, set the next request's).
    pub fn set_response_to(&mut self, to: ResponseTo) {
        self.rules.to = to;
    }

    /// Turns the whole-head fast path off (or on again): for the harness, as
    /// [`RequestParser`]'s. Not part of the API.
    #[doc(hidden)]
    pub fn set_whole_heads(&mut self, on: bool) {
        self.reader.whole_heads = on;
    }

    /// [`Parse::parse`], or with `CLOSED` [`Parse::parse_closed`].
    #[inline(never)]
    fn parse_as<'a, const CLOSED: bool>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, ResponseHead<'a>>, Error> {
        let (consumed, step) = self.reader.step::<CLOSED, _>(buf, &mut self.rules)?;
        Ok(Output { consumed, event: self.reader.event(buf, step, ResponseHead::new) })
    }
}

impl Parse for ResponseParser {
    type Head<'a> = ResponseHead<'a>;

    /// Inlined into the caller for the end of a bodyless message, a test and a few stores;
    /// everything else is one call.
    #[inline]
    fn parse<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, ResponseHead<'a>>, Error> {
        if self.reader.take_end() {
            return Ok(Output { consumed: 0, event: Some(Event::EndOfMessage) });
        }
        self.parse_as::<false>(buf)
    }

    fn parse_closed<'a>(&'a mut self, buf: &'a [u8]) -> Result<Output<'a, ResponseHead<'a>>, Error> {
        self.parse_as::<true>(buf)
    }

    fn parse_body_in_place(&mut self, buf: &mut [u8]) -> Result<InPlace, Error> {
        self.reader.step_in_place(buf)
    }

    fn handle_eof(&mut self) -> Result<Closed, Error> {
        self.reader.handle_eof()
    }

    fn offset(&self) -> u64 {
        self.reader.offset()
    }

    fn config(&self) -> &Config {
        &self.reader.config
    }
}
