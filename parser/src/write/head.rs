//! Writing request and response heads, and deciding how their bodies are framed.

use alloc::vec::Vec;

use super::body::BodyEncoder;
use super::WriteError;
use crate::body::{parse_content_length, response_has_no_body, Codings};
use crate::chars::{is, is_ows, TARGET, TCHAR, VALUE};
use crate::head::{parse_authority, parse_target, ConnectionOptions};
use crate::{ErrorKind, ResponseTo, Version};

/// A request head to write. Fields are written in order, as given.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The method, a token.
    pub method: &'a str,
    /// The request-target, in the form the method calls for.
    pub target: &'a str,
    /// The version to write.
    pub version: Version,
    /// Header fields as (name, value) pairs.
    pub fields: &'a [(&'a str, &'a [u8])],
}

/// A response head to write. Fields are written in order, as given.
#[derive(Clone, Copy, Debug)]
pub struct Response<'a> {
    /// The version to write.
    pub version: Version,
    /// The status code, 100 to 599.
    pub status: u16,
    /// The reason phrase (may be empty; it may hold obs-text, as a proxy forwarding one needs).
    pub reason: &'a [u8],
    /// Header fields as (name, value) pairs.
    pub fields: &'a [(&'a str, &'a [u8])],
}

/// What the declared fields say about framing.
struct Declared {
    content_length: Option<u64>,
    chunked: bool,
}

fn check_fields(fields: &[(&str, &[u8])], peer: Version) -> Result<Declared, WriteError> {
    let mut declared = Declared { content_length: None, chunked: false };
    let mut te_index = None;
    let mut codings = Codings::default();
    for (index, (name, value)) in fields.iter().enumerate() {
        check_field(index, name, value)?;
        if name.eq_ignore_ascii_case("content-length") {
            // The parser's rule (one decimal number), within 19 digits.
            let n = if value.len() <= 19 { parse_content_length(value, 0, 0).ok() } else { None };
            match (declared.content_length, n) {
                (None, Some(n)) => declared.content_length = Some(n),
                _ => return Err(WriteError::InvalidFraming { index }),
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Only a list ending in chunked can be written: we chunk-encode, and nothing else
            // delimits a body the recipient can trust (RFC 9112 §6.1). The list may span lines.
            if peer == Version::Http10 || codings.add(value).is_err() {
                return Err(WriteError::InvalidFraming { index });
            }
            te_index = Some(index);
        }
    }
    if let Some(index) = te_index {
        if !codings.chunked_last() {
            return Err(WriteError::InvalidFraming { index });
        }
        declared.chunked = true;
    }
    if let (Some(index), Some(_)) = (te_index, declared.content_length) {
        return Err(WriteError::InvalidFraming { index });
    }
    Ok(declared)
}

/// Checks one field line: the name is a token; the value holds only field-vchar, SP, HTAB and
/// obs-text, without leading or trailing whitespace (which a recipient would strip).
pub(crate) fn check_field(index: usize, name: &str, value: &[u8]) -> Result<(), WriteError> {
    if name.is_empty() || !name.bytes().all(|b| is(b, TCHAR)) {
        return Err(WriteError::InvalidFieldName { index });
    }
    let edges_ok = value.first().is_none_or(|&b| !is_ows(b)) && value.last().is_none_or(|&b| !is_ows(b));
    if !edges_ok || !value.iter().all(|&b| is(b, VALUE)) {
        return Err(WriteError::InvalidFieldValue { index });
    }
    Ok(())
}

fn write_fields(fields: &[(&str, &[u8])], out: &mut Vec<u8>) {
    for (name, value) in fields {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
}

/// Writes a request head to `out` and returns the encoder for its body.
///
/// Framing: a `Content-Length` field gives a body of that length; a `Transfer-Encoding` ending in
/// `chunked` gives a chunked body; without either the request has no body (RFC 9112 §6.3 rule
/// 7). To stream a body of unknown length, declare `Transfer-Encoding: chunked`.
///
/// # Errors
///
/// A [`WriteError`] naming what is invalid; nothing is written then.
pub fn encode_request_head(req: &Request<'_>, out: &mut Vec<u8>) -> Result<BodyEncoder, WriteError> {
    let method = req.method.as_bytes();
    if method.is_empty() || !method.iter().all(|&b| is(b, TCHAR)) {
        return Err(WriteError::InvalidMethod);
    }
    let target = req.target.as_bytes();
    if !target.iter().all(|&b| is(b, TARGET)) || parse_target(target, method).is_err() {
        return Err(WriteError::InvalidTarget);
    }
    let declared = check_fields(req.fields, Version::Http11)?;
    let framing_index = || {
        req.fields
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding"))
            .unwrap_or(0)
    };
    if req.version == Version::Http10 && declared.chunked {
        return Err(WriteError::InvalidFraming { index: framing_index() });
    }
    // A CONNECT request has no content (RFC 9110 §9.3.6); the parser refuses one that declares
    // some, so the writer does too.
    if req.method == "CONNECT" && (declared.chunked || declared.content_length.is_some_and(|n| n > 0)) {
        return Err(WriteError::InvalidFraming { index: framing_index() });
    }
    let mut hosts = req.fields.iter().filter(|(n, _)| n.eq_ignore_ascii_case("host"));
    match (hosts.next(), hosts.next()) {
        (Some((_, value)), None) if parse_authority(value, false, ErrorKind::InvalidHost).is_ok() => {}
        (None, None) if req.version == Version::Http10 => {}
        _ => return Err(WriteError::InvalidHost),
    }
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(target);
    out.push(b' ');
    out.extend_from_slice(req.version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    write_fields(req.fields, out);
    out.extend_from_slice(b"\r\n");
    Ok(match (declared.content_length, declared.chunked) {
        (Some(n), _) => BodyEncoder::length(n),
        (None, true) => BodyEncoder::chunked(),
        (None, false) => BodyEncoder::empty(),
    })
}

/// Writes a response head to `out` for the request `to` describes, of `request_version`, and
/// returns the encoder for its body.
///
/// Framing: 1xx, 204, 304 and responses to HEAD have no body; a 2xx to CONNECT opens a tunnel and
/// has none either. Otherwise a `Content-Length` field gives a body of that length; a
/// `Transfer-Encoding` ending in chunked gives a chunked body; without either, the body is chunked
/// (and `Transfer-Encoding: chunked` is added) towards an HTTP/1.1 client, and delimited by
/// closing the connection towards an HTTP/1.0 client (the encoder then says the connection must
/// close, and `Connection: close` is added).
///
/// # Errors
///
/// A [`WriteError`] naming what is invalid; nothing is written then.
pub fn encode_response_head(
    resp: &Response<'_>,
    to: ResponseTo,
    request_version: Version,
    out: &mut Vec<u8>,
) -> Result<BodyEncoder, WriteError> {
    encode_response_head_with(resp, to, request_version, None, out)
}

/// [`encode_response_head`] with one more field, written after the given ones (the connection
/// adds `Connection` options this way).
pub(crate) fn encode_response_head_with(
    resp: &Response<'_>,
    to: ResponseTo,
    request_version: Version,
    extra: Option<(&str, &[u8])>,
    out: &mut Vec<u8>,
) -> Result<BodyEncoder, WriteError> {
    if !(100..=599).contains(&resp.status) {
        return Err(WriteError::InvalidStatus);
    }
    if !resp.reason.iter().all(|&b| is(b, VALUE)) {
        return Err(WriteError::InvalidReason);
    }
    let declared = check_fields(resp.fields, request_version)?;
    let no_body = response_has_no_body(to, resp.status);
    let encoder = match (no_body, declared.content_length, declared.chunked) {
        (true, _, _) => BodyEncoder::empty(),
        (false, Some(n), _) => BodyEncoder::length(n),
        (false, None, true) => BodyEncoder::chunked(),
        (false, None, false) if request_version == Version::Http11 => BodyEncoder::chunked(),
        (false, None, false) => BodyEncoder::until_close(),
    };
    let digit = |n: u16| b"0123456789"[usize::from(n % 10)];
    let status = [digit(resp.status / 100), digit(resp.status / 10), digit(resp.status)];
    out.extend_from_slice(resp.version.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(&status);
    out.push(b' ');
    out.extend_from_slice(resp.reason);
    out.extend_from_slice(b"\r\n");
    write_fields(resp.fields, out);
    write_fields(extra.as_slice(), out);
    if !no_body && declared.content_length.is_none() && !declared.chunked {
        if encoder.is_chunked() {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        } else if !has_close(resp.fields) && !extra.is_some_and(|e| has_close(&[e])) {
            out.extend_from_slice(b"Connection: close\r\n");
        }
    }
    out.extend_from_slice(b"\r\n");
    Ok(encoder)
}

/// Whether a `Connection` field among `fields` holds the `close` option.
pub(crate) fn has_close(fields: &[(&str, &[u8])]) -> bool {
    ConnectionOptions::of_pairs(fields).close()
}
