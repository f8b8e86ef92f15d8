//! The one error type: which rule was broken, where, and what a server should answer.

use core::fmt;

/// A refused message: the rule it broke ([`ErrorKind`]) and the byte offset in the stream where the
/// parser saw the defect.
///
/// The offset counts every byte handed to the parser since it was created, so it points into the
/// connection's byte stream, not into one buffer.
///
/// # Examples
///
/// ```
/// use h1wire::{ErrorKind, Parse, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let err = parser.parse(b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidFieldName);
/// assert_eq!(err.offset(), 28); // the space inside "Bad Name"
/// assert_eq!(err.status().map(|s| s.code()), Some(400));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    offset: u64,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: u64) -> Self {
        Error { kind, offset }
    }

    /// The rule the input broke.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The offset in the stream of the byte where the defect was seen (for a rule that concerns a
    /// whole field, the start of that field line).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The status a server should answer with, or `None` when the peer closed the connection in
    /// the middle of a message (there is nobody left to answer).
    pub fn status(&self) -> Option<ErrorStatus> {
        self.kind.status()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.description(), self.offset)?;
        match self.status() {
            Some(status) => write!(f, " (answer {status})"),
            None => Ok(()),
        }
    }
}

impl core::error::Error for Error {}

/// The status code a server answers a refused request with.
///
/// Only the codes a message parser can decide on are here; each is named as in RFC 9110 §15.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorStatus {
    /// 400: the message is malformed.
    BadRequest,
    /// 413: the content is larger than the configured maximum.
    ContentTooLarge,
    /// 414: the request-target is longer than the configured maximum.
    UriTooLong,
    /// 431: the header (or trailer) section is larger than the configured maximum.
    RequestHeaderFieldsTooLarge,
    /// 501: a transfer coding the parser does not implement (RFC 9112 §6.1).
    NotImplemented,
    /// 505: a well-formed HTTP version other than 1.0 and 1.1.
    HttpVersionNotSupported,
}

impl ErrorStatus {
    /// The numeric status code.
    ///
    /// ```
    /// assert_eq!(h1wire::ErrorStatus::UriTooLong.code(), 414);
    /// ```
    pub fn code(self) -> u16 {
        match self {
            ErrorStatus::BadRequest => 400,
            ErrorStatus::ContentTooLarge => 413,
            ErrorStatus::UriTooLong => 414,
            ErrorStatus::RequestHeaderFieldsTooLarge => 431,
            ErrorStatus::NotImplemented => 501,
            ErrorStatus::HttpVersionNotSupported => 505,
        }
    }

    /// The reason phrase RFC 9110 gives the code.
    pub fn reason(self) -> &'static str {
        match self {
            ErrorStatus::BadRequest => "Bad Request",
            ErrorStatus::ContentTooLarge => "Content Too Large",
            ErrorStatus::UriTooLong => "URI Too Long",
            ErrorStatus::RequestHeaderFieldsTooLarge => "Request Header Fields Too Large",
            ErrorStatus::NotImplemented => "Not Implemented",
            ErrorStatus::HttpVersionNotSupported => "HTTP Version Not Supported",
        }
    }
}

impl fmt::Display for ErrorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.reason())
    }
}

macro_rules! error_kinds {
    ($( $(#[$doc:meta])* $kind:ident => $name:literal, $status:ident, $desc:literal; )*) => {
        /// The rule a refused message broke.
        ///
        /// Every kind maps to one [`ErrorStatus`] (or none, for a message cut short) and has a
        /// stable kebab-case [`name`](ErrorKind::name), used by `h1spec parse` and the corpus.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$doc])* $kind, )*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),*];

            /// The stable kebab-case name of the rule, e.g. `"duplicate-content-length"`.
            pub fn name(self) -> &'static str {
                match self { $(ErrorKind::$kind => $name,)* }
            }

            /// The status a server should answer with (`None` for [`ErrorKind::UnexpectedEof`]).
            pub fn status(self) -> Option<ErrorStatus> {
                error_kinds!(@status self, $($kind => $status),*)
            }

            /// What is wrong, in words a person can act on, with the RFC section.
            pub fn description(self) -> &'static str {
                match self { $(ErrorKind::$kind => $desc,)* }
            }
        }
    };
    (@status $self:ident, $($kind:ident => $status:ident),*) => {
        match $self {
            $(ErrorKind::$kind => error_kinds!(@one $status),)*
        }
    };
    (@one None) => { None };
    (@one $status:ident) => { Some(ErrorStatus::$status) };
}

error_kinds! {
    // Line endings (RFC 9112 §2.2).
    /// A CR not followed by LF (reported at the byte where the LF should have been).
    BareCr => "bare-cr", BadRequest,
        "bare CR: a CR must be followed by LF (RFC 9112 §2.2)";
    /// A LF not preceded by CR in the start line or a field line, while `allow_bare_lf` is off.
    BareLf => "bare-lf", BadRequest,
        "bare LF: lines must end with CRLF (RFC 9112 §2.2)";
    /// A LF not preceded by CR ending a chunk-size line, the data of a chunk or the last-chunk
    /// line. Always refused: RFC 9112 §2.2 lets a recipient take a bare LF as the end of the
    /// start line and of field lines only.
    ChunkLineBareLf => "chunk-line-bare-lf", BadRequest,
        "bare LF in a chunk line: chunk lines end with CRLF; RFC 9112 §2.2 allows a bare LF only in the start line and field lines (RFC 9112 §7.1)";

    // Request line (RFC 9112 §3).
    /// The method is empty or holds a byte outside `tchar`.
    InvalidMethod => "invalid-method", BadRequest,
        "the method must be a token (RFC 9112 §3.1)";
    /// The request line ended before its three parts were seen, or a part was followed by the
    /// wrong separator.
    InvalidRequestLine => "invalid-request-line", BadRequest,
        "the request line must be method SP request-target SP HTTP-version CRLF (RFC 9112 §3)";
    /// The request-target holds a byte RFC 3986 does not allow there, or does not match any of
    /// the four request-target forms.
    InvalidTarget => "invalid-target", BadRequest,
        "the request-target does not match its form's grammar (RFC 9112 §3.2, RFC 3986)";
    /// A valid request-target of a form the method may not use: authority-form is for CONNECT
    /// only, asterisk-form for OPTIONS only, and CONNECT must use authority-form.
    TargetFormNotAllowed => "target-form-not-allowed", BadRequest,
        "this request-target form is not allowed with this method (RFC 9112 §3.2.3, §3.2.4)";
    /// The request-target is longer than `max_target_bytes`.
    TargetTooLong => "target-too-long", UriTooLong,
        "the request-target is longer than the configured maximum (RFC 9112 §3)";
    /// The HTTP-version is not `HTTP/` DIGIT `.` DIGIT.
    InvalidVersion => "invalid-version", BadRequest,
        "the HTTP-version must be HTTP/DIGIT.DIGIT, case-sensitive (RFC 9112 §2.3)";
    /// A well-formed HTTP-version other than 1.0 and 1.1.
    UnsupportedVersion => "unsupported-version", HttpVersionNotSupported,
        "only HTTP/1.0 and HTTP/1.1 are supported (RFC 9110 §15.6.6)";

    // Status line (RFC 9112 §4).
    /// The status line's parts are not separated by single spaces.
    InvalidStatusLine => "invalid-status-line", BadRequest,
        "the status line must be HTTP-version SP status-code SP [reason-phrase] CRLF (RFC 9112 §4)";
    /// The status code is not three digits in 100..=999.
    InvalidStatusCode => "invalid-status-code", BadRequest,
        "the status code must be three digits, the first from 1 to 9 (RFC 9112 §4, RFC 9110 §15)";
    /// The reason phrase holds a control character.
    InvalidReasonPhrase => "invalid-reason-phrase", BadRequest,
        "the reason phrase may hold only HTAB, SP, VCHAR and obs-text (RFC 9112 §4)";

    // Field lines (RFC 9112 §5, RFC 9110 §5).
    /// A field name is empty or holds a byte outside `tchar`.
    InvalidFieldName => "invalid-field-name", BadRequest,
        "a field name must be a token (RFC 9110 §5.1)";
    /// Whitespace between a field name and its colon.
    WhitespaceBeforeColon => "whitespace-before-colon", BadRequest,
        "no whitespace is allowed between a field name and the colon (RFC 9112 §5.1)";
    /// A field line without a colon.
    MissingColon => "missing-colon", BadRequest,
        "a field line must hold a colon after the field name (RFC 9112 §5)";
    /// A field value holds NUL, DEL or another control character.
    InvalidFieldValue => "invalid-field-value", BadRequest,
        "a field value may hold only VCHAR, SP, HTAB and obs-text (RFC 9110 §5.5)";
    /// A line folded onto the previous field line (`obs-fold`).
    ObsFold => "obs-fold", BadRequest,
        "obsolete line folding is not allowed here (RFC 9112 §5.2)";
    /// Whitespace at the start of the first field line, right after the start line.
    WhitespaceBeforeFirstField => "whitespace-before-first-field", BadRequest,
        "whitespace between the start line and the first field line (RFC 9112 §2.2)";
    /// The head is longer than `max_head_bytes`.
    HeadTooLarge => "head-too-large", RequestHeaderFieldsTooLarge,
        "the header section is longer than the configured maximum (RFC 6585 §5)";
    /// More field lines than `max_fields`.
    TooManyFields => "too-many-fields", RequestHeaderFieldsTooLarge,
        "more field lines than the configured maximum (RFC 6585 §5)";

    // Host (RFC 9112 §3.2).
    /// An HTTP/1.1 request without a Host field.
    MissingHost => "missing-host", BadRequest,
        "an HTTP/1.1 request must carry a Host field (RFC 9112 §3.2)";
    /// A request with more than one Host field line.
    DuplicateHost => "duplicate-host", BadRequest,
        "a request must not carry more than one Host field (RFC 9112 §3.2)";
    /// A Host value that is not `uri-host [ ":" port ]`.
    InvalidHost => "invalid-host", BadRequest,
        "the Host value must be uri-host [\":\" port] (RFC 9112 §3.2, RFC 3986 §3.2.2)";

    // Framing (RFC 9112 §6).
    /// A Content-Length value that is not `1*DIGIT` fitting in 64 bits.
    InvalidContentLength => "invalid-content-length", BadRequest,
        "Content-Length must be one decimal number (RFC 9110 §8.6, RFC 9112 §6.3)";
    /// More than one Content-Length value, in one field line or several.
    DuplicateContentLength => "duplicate-content-length", BadRequest,
        "more than one Content-Length value (RFC 9112 §6.3)";
    /// A request with both Transfer-Encoding and Content-Length.
    TransferEncodingWithContentLength => "transfer-encoding-with-content-length", BadRequest,
        "a request with both Transfer-Encoding and Content-Length (RFC 9112 §6.1, §6.3)";
    /// A Transfer-Encoding value that is not a list of transfer codings.
    InvalidTransferEncoding => "invalid-transfer-encoding", BadRequest,
        "Transfer-Encoding must be a list of transfer codings (RFC 9112 §6.1)";
    /// A request whose final transfer coding is not `chunked`.
    ChunkedNotFinal => "chunked-not-final", BadRequest,
        "chunked must be the final transfer coding of a request (RFC 9112 §6.3)";
    /// `chunked` applied more than once.
    ChunkedTwice => "chunked-twice", BadRequest,
        "the chunked coding must not be applied more than once (RFC 9112 §6.1)";
    /// A request with a transfer coding the parser does not implement.
    UnknownTransferCoding => "unknown-transfer-coding", NotImplemented,
        "unknown transfer coding (RFC 9112 §6.1)";
    /// Transfer-Encoding in an HTTP/1.0 request.
    TransferEncodingInHttp10 => "transfer-encoding-in-http10", BadRequest,
        "Transfer-Encoding in an HTTP/1.0 message means its framing is faulty (RFC 9112 §6.1)";
    /// A CONNECT request that declares content.
    ContentInConnect => "content-in-connect", BadRequest,
        "a CONNECT request has no content (RFC 9110 §9.3.6)";
    /// A declared or decoded body longer than `max_body_bytes`.
    BodyTooLarge => "body-too-large", ContentTooLarge,
        "the body is longer than the configured maximum (RFC 9110 §15.5.14)";

    // Chunked coding (RFC 9112 §7.1).
    /// A chunk-size that is not `1*HEXDIG`, or is followed by something else than `;` or CRLF.
    InvalidChunkSize => "invalid-chunk-size", BadRequest,
        "a chunk-size must be hexadecimal digits, then extensions or CRLF (RFC 9112 §7.1)";
    /// A chunk-size larger than 64 bits.
    ChunkSizeOverflow => "chunk-size-overflow", BadRequest,
        "the chunk-size does not fit in 64 bits (RFC 9112 §7.1)";
    /// A chunk extension that does not match `chunk-ext`.
    InvalidChunkExtension => "invalid-chunk-extension", BadRequest,
        "a chunk extension must be ; name [= token / quoted-string] (RFC 9112 §7.1.1)";
    /// A chunk-size line longer than `max_chunk_line_bytes`, or more extension bytes in one body
    /// than `max_chunk_ext_bytes`.
    ChunkExtensionsTooLarge => "chunk-extensions-too-large", ContentTooLarge,
        "the chunk extensions are longer than the configured maximum (RFC 9112 §7.1.1)";
    /// Chunk data not followed by CRLF.
    InvalidChunkDataEnd => "invalid-chunk-data-end", BadRequest,
        "chunk data must be followed by CRLF (RFC 9112 §7.1)";
    /// A trailer section longer than `max_trailer_bytes`.
    TrailersTooLarge => "trailers-too-large", RequestHeaderFieldsTooLarge,
        "the trailer section is longer than the configured maximum (RFC 9112 §7.1.2)";

    // Connection (see `conn`).
    /// A response arrived while no request was outstanding.
    UnexpectedResponse => "unexpected-response", None,
        "a response arrived with no request outstanding (RFC 9112 §9.3)";
    /// A 101 response to a request that did not ask to upgrade.
    UnrequestedSwitch => "unrequested-switch", None,
        "a 101 response to a request without Upgrade (RFC 9110 §7.8)";

    // End of input.
    /// The peer closed the connection in the middle of a message.
    UnexpectedEof => "unexpected-eof", None,
        "the connection closed before the message was complete (RFC 9112 §8)";
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn names_are_unique_kebab_case() {
        for (i, a) in ErrorKind::ALL.iter().enumerate() {
            assert!(a.name().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            for b in &ErrorKind::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
            }
        }
    }

    #[test]
    fn display_names_rule_offset_and_status() {
        let e = Error::new(ErrorKind::TargetTooLong, 9);
        assert_eq!(
            e.to_string(),
            "the request-target is longer than the configured maximum (RFC 9112 §3) at byte 9 (answer 414 URI Too Long)"
        );
        assert_eq!(Error::new(ErrorKind::UnexpectedEof, 3).status(), None);
    }
}
