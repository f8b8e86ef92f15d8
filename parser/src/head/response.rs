//! The response head: status line and fields.

use super::field::FieldSpan;
use super::{Fields, Span, Version};

/// Where a status line's parts lie in the head buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StatusLine {
    pub(crate) version: Version,
    pub(crate) code: u16,
    pub(crate) reason: Span,
}

/// A response head, borrowed from the caller's buffer: version, status code, reason and fields.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, ResponseParser};
///
/// let mut parser = ResponseParser::new("GET");
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
}

impl<'a> ResponseHead<'a> {
    pub(crate) fn new(buf: &'a [u8], line: &'a StatusLine, fields: &'a [FieldSpan]) -> Self {
        ResponseHead { buf, line, fields }
    }

    /// The HTTP version of the status line.
    pub fn version(&self) -> Version {
        self.line.version
    }

    /// The status code, 100 to 599.
    pub fn status(&self) -> u16 {
        self.line.code
    }

    /// The reason phrase as received (possibly empty; it may hold obs-text bytes).
    pub fn reason(&self) -> &'a [u8] {
        self.line.reason.of(self.buf)
    }

    /// The header fields, in order.
    pub fn fields(&self) -> Fields<'a> {
        Fields::new(self.buf, self.fields)
    }
}
