//! The writer: message heads and bodies to bytes.
//!
//! Everything written is checked first, with the same rules the parser applies: a CR, LF or NUL
//! in a value is refused, never escaped, so nothing this writer produces can split a message or
//! smuggle one. The body's framing is chosen as Go's `chunkWriter` does: a declared
//! Content-Length is used; otherwise a response is chunked towards an HTTP/1.1 peer and delimited
//! by closing the connection towards an HTTP/1.0 peer.
//!
//! ```
//! use h1wire::write::{encode_response_head, Response};
//! use h1wire::{ResponseTo, Version};
//!
//! let mut out = Vec::new();
//! let head = Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[("Content-Type", b"text/plain")] };
//! let mut body = encode_response_head(&head, ResponseTo::Other, Version::Http11, &mut out).unwrap();
//! body.encode_data(b"hello", &mut out).unwrap();
//! body.finish(&[], &mut out).unwrap();
//! assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
//! ```

mod body;
pub(crate) mod head;

pub use body::{BodyEncoder, Finished};
pub use head::{encode_request_head, encode_response_head, Request, Response};

use core::fmt;

/// Why something could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteError {
    /// The method is not a token.
    InvalidMethod,
    /// The request-target does not match its form's grammar, or the form does not suit the
    /// method (see [`ErrorKind::InvalidTarget`](crate::ErrorKind::InvalidTarget)).
    InvalidTarget,
    /// The status code is not in 100..=599.
    InvalidStatus,
    /// The reason phrase holds a control character.
    InvalidReason,
    /// The field at this index has a name that is not a token.
    InvalidFieldName {
        /// Index in the field list.
        index: usize,
    },
    /// The field at this index has a value with a control character (CR, LF, NUL, …) or with
    /// leading or trailing whitespace (which a recipient would strip).
    InvalidFieldValue {
        /// Index in the field list.
        index: usize,
    },
    /// The framing fields given cannot be sent: two Content-Length fields, Content-Length with
    /// Transfer-Encoding, an invalid Content-Length, a Transfer-Encoding not ending in chunked,
    /// or Transfer-Encoding towards an HTTP/1.0 peer.
    InvalidFraming {
        /// Index in the field list of the field in question.
        index: usize,
    },
    /// An HTTP/1.1 request without exactly one Host field (RFC 9112 §3.2).
    InvalidHost,
    /// More body than the declared Content-Length.
    BodyTooLong,
    /// Body data for a message that cannot have a body (1xx, 204, 304, a response to HEAD, a
    /// request without framing fields), or after the body was finished.
    BodyNotAllowed,
    /// Trailers on a body that is not chunked.
    TrailersNotAllowed,
    /// The connection is not in a state where this can be sent: a request while another is in
    /// flight, body data before a head or after the end, a response before a request, a 101
    /// before the request is complete (see [`Connection`](crate::conn::Connection)).
    OutOfOrder,
    /// A request sent by a server connection, or a response by a client connection.
    WrongRole,
    /// A version HTTP/1.1 cannot write (an `http` crate head of HTTP/2 or HTTP/3).
    UnsupportedVersion,
    /// A 1xx response to an HTTP/1.0 request (RFC 9110 §15.2: a server MUST NOT send one).
    InterimToHttp10,
    /// A 101 (Switching Protocols) to a request that did not ask for it with `Upgrade`, or to an
    /// HTTP/1.0 request (RFC 9110 §7.8, §15.2.2).
    UnrequestedSwitch,
    /// An error response with no refused message to answer (see
    /// [`Connection::send_error_response`](crate::conn::Connection::send_error_response)).
    NothingToAnswer,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::InvalidMethod => f.write_str("the method is not a token"),
            WriteError::InvalidTarget => f.write_str("the request-target is invalid for this method"),
            WriteError::InvalidStatus => f.write_str("the status code is not in 100..=599"),
            WriteError::InvalidReason => f.write_str("the reason phrase holds a control character"),
            WriteError::InvalidFieldName { index } => write!(f, "field {index}: the name is not a token"),
            WriteError::InvalidFieldValue { index } => {
                write!(f, "field {index}: the value holds a control character or surrounding whitespace")
            }
            WriteError::InvalidFraming { index } => write!(f, "field {index}: conflicting or invalid framing"),
            WriteError::InvalidHost => f.write_str("an HTTP/1.1 request needs exactly one valid Host field"),
            WriteError::BodyTooLong => f.write_str("more body than the declared Content-Length"),
            WriteError::BodyNotAllowed => f.write_str("this message has no body"),
            WriteError::TrailersNotAllowed => f.write_str("trailers need a chunked body"),
            WriteError::OutOfOrder => f.write_str("not allowed in the connection's current state"),
            WriteError::WrongRole => f.write_str("this connection does not send this kind of message"),
            WriteError::UnsupportedVersion => f.write_str("only HTTP/1.0 and HTTP/1.1 can be written"),
            WriteError::InterimToHttp10 => f.write_str("no 1xx response may be sent to an HTTP/1.0 client"),
            WriteError::UnrequestedSwitch => f.write_str("a 101 needs an HTTP/1.1 request with Upgrade"),
            WriteError::NothingToAnswer => f.write_str("no refused message to answer"),
        }
    }
}

impl core::error::Error for WriteError {}
