//! How long a message body is (RFC 9112 §6.3), decided once from the head.
//!
//! The order of the checks follows §6.3: bodiless responses first, then Transfer-Encoding, then
//! Content-Length. Everything that could make two recipients disagree on where a message ends —
//! duplicate lengths, Transfer-Encoding next to Content-Length, an unknown or non-final coding in
//! a request — is refused, because such disagreement is what request smuggling exploits.

use crate::chars::{is, is_ows, run_of, QDTEXT, TCHAR};
use crate::head::field::{defect, Defect, FieldSpan, KnownName, KnownSet};
use crate::{Config, ErrorKind, ResponseTo, Version};

/// How the body of a message is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framing {
    /// No body: a request without Content-Length or Transfer-Encoding, or a response that cannot
    /// have one (1xx, 204, 304, to HEAD, 2xx to CONNECT).
    Empty,
    /// Exactly this many bytes (Content-Length).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 §7.1).
    Chunked,
    /// Everything until the connection closes (responses only).
    UntilClose,
}

/// What the framing fields of a head say, once checked line by line.
#[derive(Default)]
struct FramingFields {
    /// The Content-Length value and its field line.
    content_length: Option<(u64, usize)>,
    /// The first Transfer-Encoding field line.
    transfer_encoding: Option<usize>,
    /// Whether the last coding listed is `chunked`.
    chunked_last: bool,
    chunked_seen: bool,
    /// Where the first coding other than the ones RFC 9112 §7 registers was named.
    unknown_coding: Option<usize>,
}

impl FramingFields {
    fn read(buf: &[u8], fields: &[FieldSpan]) -> Result<Self, Defect> {
        let mut out = FramingFields::default();
        for field in fields {
            match field.known {
                KnownName::ContentLength => {
                    if field.folded {
                        return defect(ErrorKind::ObsFold, field.line);
                    }
                    if out.content_length.is_some() {
                        return defect(ErrorKind::DuplicateContentLength, field.line);
                    }
                    let value = parse_content_length(field.value(buf), field.value_start, field.line)?;
                    out.content_length = Some((value, field.line));
                }
                KnownName::TransferEncoding => {
                    if field.folded {
                        return defect(ErrorKind::ObsFold, field.line);
                    }
                    out.transfer_encoding.get_or_insert(field.line);
                    out.read_codings(field.value(buf), field.value_start)?;
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Reads one Transfer-Encoding value (RFC 9112 §6.1, RFC 9110 §5.6.1):
    ///
    /// ```text
    /// Transfer-Encoding  = #transfer-coding           ; empty elements are ignored
    /// transfer-coding    = token *( OWS ";" OWS transfer-parameter )
    /// transfer-parameter = token BWS "=" BWS ( token / quoted-string )
    /// ```
    fn read_codings(&mut self, value: &[u8], base: usize) -> Result<(), Defect> {
        let bad = |at: usize| defect(ErrorKind::InvalidTransferEncoding, base + at);
        let skip_ows = |mut i: usize| {
            while value.get(i).is_some_and(|&b| is_ows(b)) {
                i += 1;
            }
            i
        };
        let mut i = 0;
        let mut codings = 0;
        loop {
            i = skip_ows(i);
            match value.get(i) {
                None => break,
                Some(b',') => {
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let start = i;
            i += run_of(&value[i..], TCHAR);
            if i == start {
                return bad(i);
            }
            let name = &value[start..i];
            let mut has_parameters = false;
            loop {
                let j = skip_ows(i);
                if value.get(j) != Some(&b';') {
                    i = j;
                    break;
                }
                has_parameters = true;
                i = skip_ows(j + 1);
                let name_len = run_of(&value[i..], TCHAR);
                if name_len == 0 {
                    return bad(i);
                }
                i = skip_ows(i + name_len);
                if value.get(i) != Some(&b'=') {
                    return bad(i);
                }
                i = skip_ows(i + 1);
                i = match value.get(i) {
                    Some(b'"') => match quoted_string_len(&value[i..]) {
                        Some(len) => i + len,
                        None => return bad(i),
                    },
                    _ => match run_of(&value[i..], TCHAR) {
                        0 => return bad(i),
                        len => i + len,
                    },
                };
            }
            if i < value.len() && value[i] != b',' {
                return bad(i);
            }
            codings += 1;
            self.note_coding(name, has_parameters, base + start)?;
        }
        if codings == 0 {
            return bad(0);
        }
        Ok(())
    }

    fn note_coding(&mut self, name: &[u8], has_parameters: bool, at: usize) -> Result<(), Defect> {
        if name.eq_ignore_ascii_case(b"chunked") {
            // RFC 9112 §7.1: chunked defines no parameters, "their presence SHOULD be treated as
            // an error"; §6.1: a sender MUST NOT apply chunked more than once.
            if has_parameters {
                return defect(ErrorKind::InvalidTransferEncoding, at);
            }
            if self.chunked_seen {
                return defect(ErrorKind::ChunkedTwice, at);
            }
            self.chunked_seen = true;
            self.chunked_last = true;
            return Ok(());
        }
        self.chunked_last = false;
        // The codings registered for HTTP/1.1 (RFC 9112 §7, RFC 9110 §8.4.1).
        const KNOWN: [&[u8]; 5] = [b"gzip", b"x-gzip", b"deflate", b"compress", b"x-compress"];
        if !KNOWN.iter().any(|k| name.eq_ignore_ascii_case(k)) && self.unknown_coding.is_none() {
            self.unknown_coding = Some(at);
        }
        Ok(())
    }
}

/// A Transfer-Encoding list read across field lines with the parser's rules, for the writer:
/// what it writes must be what the parser accepts.
#[derive(Default)]
pub(crate) struct Codings(FramingFields);

impl Codings {
    /// Adds one Transfer-Encoding field value; `Err` when it is not a valid coding list or
    /// applies chunked twice.
    pub(crate) fn add(&mut self, value: &[u8]) -> Result<(), ()> {
        self.0.read_codings(value, 0).map_err(|_| ())
    }

    /// Whether the last coding so far is chunked.
    pub(crate) fn chunked_last(&self) -> bool {
        self.0.chunked_last
    }
}

/// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` at the start of `s`: its length.
pub(crate) fn quoted_string_len(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            b'\\' if s.get(i + 1).is_some_and(|&b| b == b'\t' || b >= 0x20 && b != 0x7f) => i += 2,
            b if is(b, QDTEXT) => i += 1,
            _ => return None,
        }
    }
}

/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6). A list such as `5, 5` is more than one value.
pub(crate) fn parse_content_length(value: &[u8], base: usize, line: usize) -> Result<u64, Defect> {
    if value.is_empty() {
        return defect(ErrorKind::InvalidContentLength, line);
    }
    let mut n: u64 = 0;
    for (i, &b) in value.iter().enumerate() {
        if b == b',' {
            return defect(ErrorKind::DuplicateContentLength, base + i);
        }
        if !b.is_ascii_digit() {
            return defect(ErrorKind::InvalidContentLength, base + i);
        }
        n = match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(b - b'0'))) {
            Some(n) => n,
            None => return defect(ErrorKind::InvalidContentLength, base + i),
        };
    }
    Ok(n)
}

fn checked_length(length: u64, line: usize, config: &Config) -> Result<Framing, Defect> {
    if length > config.max_body_bytes {
        return defect(ErrorKind::BodyTooLarge, line);
    }
    Ok(if length == 0 { Framing::Empty } else { Framing::Length(length) })
}

/// Decides the framing of a request (RFC 9112 §6.3, rules 3–6).
pub(crate) fn request_framing(
    buf: &[u8],
    method: &[u8],
    version: Version,
    fields: &[FieldSpan],
    known: KnownSet,
    config: &Config,
) -> Result<Framing, Defect> {
    if !known.has_framing() {
        // §6.3 rule 7: neither field, no body.
        return Ok(Framing::Empty);
    }
    let f = FramingFields::read(buf, fields)?;
    if let Some(te) = f.transfer_encoding {
        // §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty; §6.3 rule 3: with
        // Content-Length too, a server MAY reject, which is the only smuggling-safe choice.
        if version == Version::Http10 {
            return defect(ErrorKind::TransferEncodingInHttp10, te);
        }
        if let Some((_, cl)) = f.content_length {
            return defect(ErrorKind::TransferEncodingWithContentLength, te.max(cl));
        }
        // §6.3 rule 4 (chunked not final: MUST answer 400) outranks §6.1 (unknown coding:
        // SHOULD answer 501), so `Transfer-Encoding: xchunked` is a 400.
        if !f.chunked_last {
            return defect(ErrorKind::ChunkedNotFinal, te);
        }
        if let Some(at) = f.unknown_coding {
            return defect(ErrorKind::UnknownTransferCoding, at);
        }
        if method == b"CONNECT" {
            return defect(ErrorKind::ContentInConnect, te);
        }
        return Ok(Framing::Chunked);
    }
    match f.content_length {
        Some((n, line)) if n > 0 && method == b"CONNECT" => defect(ErrorKind::ContentInConnect, line),
        Some((n, line)) => checked_length(n, line, config),
        None => Ok(Framing::Empty),
    }
}

/// [`request_framing`] for a request without Transfer-Encoding, from its one Content-Length
/// value, if any. `None` where [`request_framing`] refuses.
#[inline]
pub(crate) fn request_framing_by_length(method: &[u8], length: Option<&[u8]>, config: &Config) -> Option<Framing> {
    let length = length.map(|value| parse_content_length(value, 0, 0)).transpose().ok()?;
    match length {
        None => Some(Framing::Empty),
        Some(n) if n > 0 && method == b"CONNECT" => None,
        Some(n) => checked_length(n, 0, config).ok(),
    }
}

/// [`response_framing`] for a response without Transfer-Encoding, from its one Content-Length
/// value, if any. `None` where [`response_framing`] refuses.
#[inline]
pub(crate) fn response_framing_by_length(
    to: ResponseTo,
    status: u16,
    length: Option<&[u8]>,
    config: &Config,
) -> Option<Framing> {
    // The length is read even where the status rules it out, as `response_framing` does: a
    // malformed Content-Length is never passed along.
    let length = length.map(|value| parse_content_length(value, 0, 0)).transpose().ok()?;
    if response_has_no_body(to, status) {
        return Some(Framing::Empty);
    }
    match length {
        None => Some(Framing::UntilClose),
        Some(n) => checked_length(n, 0, config).ok(),
    }
}

/// Whether a response can never have content, whatever its fields say (RFC 9112 §6.3 rules
/// 1–2): 1xx, 204, 304, a response to HEAD, a 2xx to CONNECT.
pub(crate) fn response_has_no_body(to: ResponseTo, status: u16) -> bool {
    to == ResponseTo::Head
        || (100..200).contains(&status)
        || status == 204
        || status == 304
        || (to == ResponseTo::Connect && (200..300).contains(&status))
}

/// Decides the framing of a response (RFC 9112 §6.3, rules 1–7).
pub(crate) fn response_framing(
    buf: &[u8],
    to: ResponseTo,
    status: u16,
    version: Version,
    fields: &[FieldSpan],
    known: KnownSet,
    config: &Config,
) -> Result<Framing, Defect> {
    // The framing fields are checked even where they are then ignored, so that a malformed
    // Content-Length is never silently passed along.
    let f = if known.has_framing() { FramingFields::read(buf, fields)? } else { FramingFields::default() };
    if response_has_no_body(to, status) {
        return Ok(Framing::Empty);
    }
    if f.transfer_encoding.is_some() {
        // Rule 3: Transfer-Encoding overrides Content-Length; a non-final chunked (or any coding
        // in HTTP/1.0, §6.1) means the body runs until the connection closes.
        return Ok(if f.chunked_last && version == Version::Http11 { Framing::Chunked } else { Framing::UntilClose });
    }
    match f.content_length {
        Some((n, line)) => checked_length(n, line, config),
        None => Ok(Framing::UntilClose),
    }
}
