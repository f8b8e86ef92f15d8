//! The request head: request line, fields and the Host rules.

use super::authority::AuthoritySpans;
use super::field::{FieldSpan, KnownSet};
use super::host::Authority;
use super::options::ConnectionOptions;
use super::target::{Target, TargetSpans};
use super::{Fields, Span, Version};

/// Where a request line's parts lie in the head buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestLine {
    pub(crate) method: Span,
    pub(crate) target: Span,
    /// Relative to `target.start`.
    pub(crate) parts: TargetSpans,
    pub(crate) version: Version,
}

/// A request head, borrowed from the caller's buffer: method, request-target, version and fields.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Parse, RequestParser, Version};
///
/// let mut parser = RequestParser::new();
/// let out = parser.parse(b"POST /submit?a=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n").unwrap();
/// let Some(Event::Head { head, .. }) = out.event else { panic!("head expected") };
/// assert_eq!(head.method(), "POST");
/// assert_eq!(head.target().path(), "/submit");
/// assert_eq!(head.version(), Version::Http11);
/// assert_eq!(head.authority().unwrap().host(), "example.com");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    buf: &'a [u8],
    line: &'a RequestLine,
    host: &'a Option<AuthoritySpans>,
    fields: &'a [FieldSpan],
    known: KnownSet,
}

impl<'a> RequestHead<'a> {
    /// `host`: where the Host value's parts lie, as [`check_host`](super::host::check_host) found;
    /// `known`: the recognised names among `fields`.
    #[inline]
    pub(crate) fn new(
        buf: &'a [u8],
        line: &'a RequestLine,
        host: &'a Option<AuthoritySpans>,
        fields: &'a [FieldSpan],
        known: KnownSet,
    ) -> Self {
        RequestHead { buf, line, host, fields, known }
    }

    /// The method, a case-sensitive token (`GET`, `POST`, …).
    ///
    /// ```
    /// use h1wire::{Event, Parse, RequestParser};
    ///
    /// for method in ["GET", "PATCH", "get", "M-SEARCH"] {
    ///     let request = format!("{method} / HTTP/1.1\r\nHost: a\r\n\r\n");
    ///     let mut parser = RequestParser::new();
    ///     let Some(Event::Head { head, .. }) = parser.parse(request.as_bytes()).unwrap().event else { panic!() };
    ///     assert_eq!(head.method(), method);
    /// }
    /// ```
    #[inline]
    pub fn method(&self) -> &'a str {
        // The methods RFC 9110 §9 and RFC 5789 define come back as static strings, with no pass
        // over the bytes; any other token is turned into a `str` here (it is ASCII).
        match self.line.method.of(self.buf) {
            b"GET" => "GET",
            b"POST" => "POST",
            b"HEAD" => "HEAD",
            b"PUT" => "PUT",
            b"DELETE" => "DELETE",
            b"OPTIONS" => "OPTIONS",
            b"CONNECT" => "CONNECT",
            b"TRACE" => "TRACE",
            b"PATCH" => "PATCH",
            other => core::str::from_utf8(other).expect("methods are tokens"),
        }
    }

    /// The request-target, checked and split into its parts.
    #[inline]
    pub fn target(&self) -> Target<'a> {
        Target::new(self.line.target.of(self.buf), &self.line.parts)
    }

    /// The HTTP version of the request line.
    #[inline]
    pub fn version(&self) -> Version {
        self.line.version
    }

    /// The header fields, in order.
    #[inline]
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.buf, self.fields)
    }

    /// What the `Connection`, `Upgrade` and `Expect` fields say (recognised while the head was
    /// scanned; nothing is read again when there are none).
    pub fn connection_options(&self) -> ConnectionOptions {
        ConnectionOptions::of_spans(self.buf, self.fields, self.known)
    }

    /// The Host field's value, split into host and port.
    #[inline]
    pub fn host(&self) -> Option<Authority<'a>> {
        self.host.map(|spans| Authority::new(self.buf, spans))
    }

    /// The authority the request is for: the request-target's when it has one (absolute-form
    /// and authority-form; RFC 9112 §3.2.2 says a server then ignores Host), otherwise Host's.
    #[inline]
    pub fn authority(&self) -> Option<Authority<'a>> {
        let target = self.line.target.start;
        match self.line.parts.authority {
            Some(spans) => Some(Authority::new(self.buf, spans.moved_by(target))),
            None => self.host(),
        }
    }

    /// The head as received, from the method to the empty line.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        &self.buf[self.line.method.start..]
    }
}
