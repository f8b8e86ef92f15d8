//! The response head: status line and fields, and what a response answers.

use super::field::{FieldSpan, KnownSet};
use super::options::ConnectionOptions;
use super::{Fields, Span, Version};

/// Where a status line's parts lie in the head buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StatusLine {
    pub(crate) version: Version,
    pub(crate) code: u16,
    pub(crate) reason: Span,
}

/// The request a response answers, as far as it changes how the response is framed (RFC 9112
/// §6.3): a response to HEAD never has content, a 2xx to CONNECT opens a tunnel, and every other
/// method frames its response by its fields.
///
/// The parser, the writer and the connection take it; [`of_method`](Self::of_method) maps a
/// method name.
///
/// ```
/// use h1wire::ResponseTo;
///
/// assert_eq!(ResponseTo::of_method("HEAD"), ResponseTo::Head);
/// assert_eq!(ResponseTo::of_method("POST"), ResponseTo::Other);
/// assert_eq!(ResponseTo::of_method("head"), ResponseTo::Other); // methods are case-sensitive
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ResponseTo {
    /// A `HEAD` request: the response has no content, whatever its fields say (RFC 9110 §9.3.2).
    Head,
    /// A `CONNECT` request: a 2xx response has no content and turns the connection into a
    /// tunnel (RFC 9110 §9.3.6).
    Connect,
    /// Any other method.
    #[default]
    Other,
}

impl ResponseTo {
    /// The context for a request with `method` (compared case-sensitively, RFC 9110 §9.1).
    pub fn of_method(method: &str) -> Self {
        match method {
            "HEAD" => ResponseTo::Head,
            "CONNECT" => ResponseTo::Connect,
            _ => ResponseTo::Other,
        }
    }
}

/// A response head, borrowed from the caller's buffer: version, status code, reason and fields.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Parse, ResponseParser, ResponseTo};
///
/// let mut parser = ResponseParser::new(ResponseTo::Other);
/// let out = parser.parse(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").unwrap();
/// let Some(Event::Head { head, .. }) = out.event else { panic!("head expected") };
/// assert_eq!(head.status(), 404);
/// assert_eq!(head.reason(), b"Not Found");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ResponseHead<'a> {
    buf: &'a [u8],
    line: &'a StatusLine,
    fields: &'a [FieldSpan],
    known: KnownSet,
}

impl<'a> ResponseHead<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a [u8], line: &'a StatusLine, fields: &'a [FieldSpan], known: KnownSet) -> Self {
        ResponseHead { buf, line, fields, known }
    }

    /// The HTTP version of the status line (any `HTTP/1.x` with x above 1 reads as
    /// [`Version::Http11`], RFC 9110 §2.5).
    #[inline]
    pub fn version(&self) -> Version {
        self.line.version
    }

    /// The status code as received: 100 to 999. Codes from 600 are not HTTP's (RFC 9110 §15
    /// calls them invalid); [`status_class`](Self::status_class) says how to treat them.
    #[inline]
    pub fn status(&self) -> u16 {
        self.line.code
    }

    /// The class a client acts on, 1 to 5: the first digit of the status, and 5 for a code of 600
    /// or more, which a client SHOULD process as a 5xx (Server Error) (RFC 9110 §15).
    ///
    /// ```
    /// use h1wire::{Event, Parse, ResponseParser, ResponseTo};
    ///
    /// let mut parser = ResponseParser::new(ResponseTo::Other);
    /// let out = parser.parse(b"HTTP/1.1 999 Library Error\r\nContent-Length: 0\r\n\r\n").unwrap();
    /// let Some(Event::Head { head, .. }) = out.event else { panic!() };
    /// assert_eq!((head.status(), head.status_class()), (999, 5));
    /// ```
    #[inline]
    pub fn status_class(&self) -> u16 {
        (self.line.code / 100).min(5)
    }

    /// The reason phrase as received (possibly empty; it may hold obs-text bytes).
    #[inline]
    pub fn reason(&self) -> &'a [u8] {
        self.line.reason.of(self.buf)
    }

    /// The header fields, in order.
    #[inline]
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.buf, self.fields)
    }

    /// What the `Connection`, `Upgrade` and `Expect` fields say.
    pub fn connection_options(&self) -> ConnectionOptions {
        ConnectionOptions::of_spans(self.buf, self.fields, self.known)
    }
}
