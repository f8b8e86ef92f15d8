//! The request-target (RFC 9112 §3.2) in its four forms, decomposed into URI parts as Go's
//! `url.URL` does: scheme, userinfo, host, port, path and query, each borrowed from the request.
//!
//! ```text
//! request-target = origin-form / absolute-form / authority-form / asterisk-form
//! origin-form    = absolute-path [ "?" query ]
//! absolute-form  = absolute-URI                  ; RFC 3986 §4.3
//! authority-form = uri-host ":" port             ; CONNECT only
//! asterisk-form  = "*"                           ; OPTIONS only
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::authority::{check_path, parse_authority, AuthoritySpans};
use super::field::{defect, Defect};
use super::Span;
use crate::chars::{hex_value, PATH, QUERY};
use crate::ErrorKind;

/// Which of the four request-target forms a request used (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetForm {
    /// `/path?query`: the usual form towards an origin server.
    Origin,
    /// `scheme://authority/path?query`: the form towards a proxy.
    Absolute,
    /// `host:port`: CONNECT only.
    Authority,
    /// `*`: OPTIONS only, asking about the server as a whole.
    Asterisk,
}

/// Where each URI part of a target lies, relative to the target's first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TargetSpans {
    pub(crate) form: TargetForm,
    pub(crate) scheme: Option<Span>,
    pub(crate) authority: Option<AuthoritySpans>,
    pub(crate) path: Span,
    pub(crate) query: Option<Span>,
}

impl TargetSpans {
    pub(crate) fn bare(form: TargetForm, path: Span) -> Self {
        TargetSpans { form, scheme: None, authority: None, path, query: None }
    }

    pub(crate) fn origin(path: Span, query: Option<Span>) -> Self {
        TargetSpans { query, ..TargetSpans::bare(TargetForm::Origin, path) }
    }
}

/// Parses and checks the request-target `raw` of a request with `method`.
pub(crate) fn parse_target(raw: &[u8], method: &[u8]) -> Result<TargetSpans, Defect> {
    let bad_form = || defect(ErrorKind::TargetFormNotAllowed, 0);
    if raw.is_empty() {
        return defect(ErrorKind::InvalidTarget, 0);
    }
    if method == b"CONNECT" {
        // RFC 9110 §9.3.6: CONNECT uses authority-form; the other forms are recognisable by
        // their first bytes or by "://".
        if raw[0] == b'/' || raw == b"*" || raw.windows(3).any(|w| w == b"://") {
            return bad_form();
        }
        return parse_authority_form(raw);
    }
    match raw[0] {
        b'/' => parse_origin_form(raw),
        b'*' if raw.len() == 1 => {
            if method == b"OPTIONS" {
                Ok(TargetSpans::bare(TargetForm::Asterisk, Span::new(0, 1)))
            } else {
                bad_form()
            }
        }
        // `host:port` is also a valid absolute-URI (scheme "host", path "port"), but nobody
        // means that: outside CONNECT it is the authority-form used with the wrong method.
        _ if parse_authority_form(raw).is_ok() => bad_form(),
        _ => parse_absolute_form(raw),
    }
}

fn parse_origin_form(raw: &[u8]) -> Result<TargetSpans, Defect> {
    // Every byte is already in the TARGET class, which is PATH and QUERY plus "?", "%", "[" and
    // "]". Without the last three the grammar holds by construction: the path ends at the first
    // "?", and the query may hold "?".
    let mut query_at = None;
    if !raw.iter().enumerate().any(|(i, &b)| match b {
        b'%' | b'[' | b']' => true,
        b'?' => {
            query_at.get_or_insert(i);
            false
        }
        _ => false,
    }) {
        let path_len = query_at.unwrap_or(raw.len());
        let query = query_at.map(|q| Span::new(q + 1, raw.len()));
        return Ok(TargetSpans { query, ..TargetSpans::bare(TargetForm::Origin, Span::new(0, path_len)) });
    }
    let (path, query) = split_query(raw, 0)?;
    Ok(TargetSpans { query, ..TargetSpans::bare(TargetForm::Origin, path) })
}

/// Splits `raw[start..]` into a path (`*( pchar / "/" )`) and an optional query after the first
/// "?" (`*( pchar / "/" / "?" )`), checking both.
fn split_query(raw: &[u8], start: usize) -> Result<(Span, Option<Span>), Defect> {
    let rest = &raw[start..];
    let path_len = rest.iter().position(|&b| b == b'?').unwrap_or(rest.len());
    check_path(&rest[..path_len], start, PATH)?;
    let path = Span::new(start, start + path_len);
    if path_len == rest.len() {
        return Ok((path, None));
    }
    let query_start = start + path_len + 1;
    check_path(&raw[query_start..], query_start, QUERY)?;
    Ok((path, Some(Span::new(query_start, raw.len()))))
}

fn parse_authority_form(raw: &[u8]) -> Result<TargetSpans, Defect> {
    let authority = parse_authority(raw, false, ErrorKind::InvalidTarget)?;
    // RFC 9110 §9.3.6: a CONNECT target with an empty or invalid port is refused.
    let Some(port) = authority.port else {
        return defect(ErrorKind::InvalidTarget, raw.len());
    };
    if port_number(port.of(raw)).is_none() {
        return defect(ErrorKind::InvalidTarget, port.start);
    }
    Ok(TargetSpans {
        authority: Some(authority),
        ..TargetSpans::bare(TargetForm::Authority, Span::new(raw.len(), raw.len()))
    })
}

/// A port number in 1..=65535 (0 is reserved and cannot be connected to).
pub(crate) fn port_number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 {
        return None;
    }
    let n = digits.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    u16::try_from(n).ok().filter(|&n| n != 0)
}

fn parse_absolute_form(raw: &[u8]) -> Result<TargetSpans, Defect> {
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
    let scheme_len =
        raw.iter().position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))).unwrap_or(raw.len());
    if scheme_len == 0 || !raw[0].is_ascii_alphabetic() {
        return defect(ErrorKind::InvalidTarget, 0);
    }
    if raw.get(scheme_len) != Some(&b':') {
        return defect(ErrorKind::InvalidTarget, scheme_len);
    }
    let scheme = Span::new(0, scheme_len);
    let is_http = {
        let s = scheme.of(raw);
        s.eq_ignore_ascii_case(b"http") || s.eq_ignore_ascii_case(b"https")
    };
    let mut at = scheme_len + 1;
    let mut authority = None;
    if raw[at..].starts_with(b"//") {
        at += 2;
        let len = raw[at..].iter().position(|&b| b == b'/' || b == b'?').unwrap_or(raw.len() - at);
        let parsed = parse_authority(&raw[at..at + len], true, ErrorKind::InvalidTarget)
            .map_err(|d| Defect { at: d.at + at, ..d })?;
        let parsed = parsed.moved_by(at);
        if is_http {
            // RFC 9110 §4.2.1: an http(s) URI with an empty host is invalid; §4.2.4: userinfo in
            // one is to be treated as an error (it is a phishing vector).
            if parsed.host.is_empty() {
                return defect(ErrorKind::InvalidTarget, at);
            }
            if let Some(userinfo) = parsed.userinfo {
                return defect(ErrorKind::InvalidTarget, userinfo.start);
            }
        }
        authority = Some(parsed);
        at += len;
    } else if is_http {
        return defect(ErrorKind::InvalidTarget, at);
    }
    // After an authority the path is empty or starts with "/"; without one it may be rootless.
    // Either way it is a run of pchar and "/", which `split_query` checks.
    let (path, query) = split_query(raw, at)?;
    Ok(TargetSpans { form: TargetForm::Absolute, scheme: Some(scheme), authority, path, query })
}

/// A request-target, checked against the grammar of its form and split into its URI parts.
///
/// Every part is a slice of the request as received: nothing is decoded or lower-cased, so
/// compare the scheme and host case-insensitively. [`decoded_path`](Target::decoded_path) gives
/// the percent-decoded path.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Parse, RequestParser, TargetForm};
///
/// let mut parser = RequestParser::new();
/// let req = b"GET http://user.example:8080/a%20b?x=1 HTTP/1.1\r\nHost: other\r\n\r\n";
/// let Some(Event::Head { head, .. }) = parser.parse(req).unwrap().event else { panic!() };
/// let target = head.target();
/// assert_eq!(target.form(), TargetForm::Absolute);
/// assert_eq!(target.scheme(), Some("http"));
/// assert_eq!(target.host(), Some("user.example"));
/// assert_eq!(target.port(), Some("8080"));
/// assert_eq!(target.path(), "/a%20b");
/// assert_eq!(target.decoded_path().as_deref(), Some("/a b"));
/// assert_eq!(target.query(), Some("x=1"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    raw: &'a str,
    /// Borrowed from the parser, which found them while scanning: handing out a target copies
    /// no parts.
    spans: &'a TargetSpans,
}

impl<'a> Target<'a> {
    #[inline]
    pub(crate) fn new(raw: &'a [u8], spans: &'a TargetSpans) -> Self {
        // Every byte of a target is in the TARGET class, which is ASCII.
        let raw = core::str::from_utf8(raw).expect("targets are ASCII");
        Target { raw, spans }
    }

    #[inline]
    fn part(&self, span: Span) -> &'a str {
        &self.raw[span.start..span.end]
    }

    /// The request-target exactly as received.
    #[inline]
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Which of the four forms it is.
    #[inline]
    pub fn form(&self) -> TargetForm {
        self.spans.form
    }

    /// The scheme, in absolute-form.
    #[inline]
    pub fn scheme(&self) -> Option<&'a str> {
        self.spans.scheme.map(|s| self.part(s))
    }

    /// The whole authority (`[userinfo@]host[:port]`), in absolute-form with an authority and in
    /// authority-form.
    pub fn authority(&self) -> Option<&'a str> {
        let a = self.spans.authority?;
        let start = a.userinfo.map_or(a.host.start, |u| u.start);
        let end = a.port.map_or(a.host.end, |p| p.end);
        Some(&self.raw[start..end])
    }

    /// The userinfo before `@`, in absolute-form with a scheme other than http and https (for
    /// those, userinfo is refused, RFC 9110 §4.2.4).
    pub fn userinfo(&self) -> Option<&'a str> {
        self.spans.authority?.userinfo.map(|s| self.part(s))
    }

    /// The host, with the brackets of an IP literal: `example.com`, `192.0.2.1`, `[::1]`.
    #[inline]
    pub fn host(&self) -> Option<&'a str> {
        self.spans.authority.map(|a| self.part(a.host))
    }

    /// The port digits after the host's colon (possibly empty in absolute-form).
    #[inline]
    pub fn port(&self) -> Option<&'a str> {
        self.spans.authority?.port.map(|s| self.part(s))
    }

    /// The path as received (still percent-encoded): `/a/b` in origin-form, possibly empty in
    /// absolute-form, `*` in asterisk-form, empty in authority-form.
    #[inline]
    pub fn path(&self) -> &'a str {
        self.part(self.spans.path)
    }

    /// The query after the first `?`, without it.
    #[inline]
    pub fn query(&self) -> Option<&'a str> {
        self.spans.query.map(|s| self.part(s))
    }

    /// The path with percent-encoding decoded, or `None` when the decoded bytes are not UTF-8.
    /// Borrowed when the path holds no `%`. The raw [`path`](Target::path) stays the one to
    /// route on when `%2F` matters.
    pub fn decoded_path(&self) -> Option<Cow<'a, str>> {
        let path = self.path();
        if !path.contains('%') {
            return Some(Cow::Borrowed(path));
        }
        let bytes = path.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            // The grammar check guarantees two hex digits after each "%".
            match (
                bytes[i],
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                (b'%', Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                (b, _, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).ok().map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(raw: &str, method: &str) -> Result<TargetForm, (ErrorKind, usize)> {
        parse_target(raw.as_bytes(), method.as_bytes()).map(|t| t.form).map_err(|d| (d.kind, d.at))
    }

    #[test]
    fn forms_and_methods() {
        assert_eq!(form("/", "GET"), Ok(TargetForm::Origin));
        assert_eq!(form("/a/b;c=d?x=/?&y", "GET"), Ok(TargetForm::Origin));
        assert_eq!(form("*", "OPTIONS"), Ok(TargetForm::Asterisk));
        assert_eq!(form("*", "GET"), Err((ErrorKind::TargetFormNotAllowed, 0)));
        assert_eq!(form("example.com:443", "CONNECT"), Ok(TargetForm::Authority));
        assert_eq!(form("[::1]:443", "CONNECT"), Ok(TargetForm::Authority));
        assert_eq!(form("/", "CONNECT"), Err((ErrorKind::TargetFormNotAllowed, 0)));
        assert_eq!(form("http://a/", "CONNECT"), Err((ErrorKind::TargetFormNotAllowed, 0)));
        assert_eq!(form("example.com", "CONNECT"), Err((ErrorKind::InvalidTarget, 11)));
        assert_eq!(form("example.com:", "CONNECT"), Err((ErrorKind::InvalidTarget, 12)));
        assert_eq!(form("example.com:0", "CONNECT"), Err((ErrorKind::InvalidTarget, 12)));
        assert_eq!(form("example.com:65536", "CONNECT"), Err((ErrorKind::InvalidTarget, 12)));
        assert_eq!(form("127.0.0.1:80", "GET"), Err((ErrorKind::TargetFormNotAllowed, 0)));
        assert_eq!(form("http://example.com", "GET"), Ok(TargetForm::Absolute));
        assert_eq!(form("HTTPS://example.com:/x?q", "GET"), Ok(TargetForm::Absolute));
        assert_eq!(form("urn:isbn:123", "GET"), Ok(TargetForm::Absolute));
        assert_eq!(form("ftp://u:p@h/f", "GET"), Ok(TargetForm::Absolute));
        assert_eq!(form("http://u@h/", "GET"), Err((ErrorKind::InvalidTarget, 7)));
        assert_eq!(form("http:///x", "GET"), Err((ErrorKind::InvalidTarget, 7)));
        assert_eq!(form("http:/x", "GET"), Err((ErrorKind::InvalidTarget, 5)));
        assert_eq!(form("/a%zz", "GET"), Err((ErrorKind::InvalidTarget, 2)));
        assert_eq!(form("/a[b]", "GET"), Err((ErrorKind::InvalidTarget, 2)));
        assert_eq!(form("1http://x/", "GET"), Err((ErrorKind::InvalidTarget, 0)));
    }

    #[test]
    fn decoded_path() {
        let decoded = |raw: &'static str| {
            let spans = parse_target(raw.as_bytes(), b"GET").unwrap();
            let path = Target::new(raw.as_bytes(), &spans).decoded_path();
            (path.as_deref().map(String::from), matches!(path, Some(Cow::Borrowed(_))))
        };
        assert_eq!(decoded("/a%2Fb"), (Some("/a/b".into()), false));
        assert_eq!(decoded("/%C3%A9"), (Some("/é".into()), false));
        assert_eq!(decoded("/%FF"), (None, false));
        assert_eq!(decoded("/plain"), (Some("/plain".into()), true));
    }
}
