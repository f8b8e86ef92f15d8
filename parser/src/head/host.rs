//! The Host field (RFC 9112 §3.2): exactly one in an HTTP/1.1 request, at most one in any request,
//! and always `uri-host [ ":" port ]`.

use super::authority::{parse_authority, AuthoritySpans};
use super::field::{defect, Defect, FieldSpan, KnownName, KnownSet};
use super::{Span, Version};
use crate::chars::{run_of_unrolled, REG_NAME};
use crate::ErrorKind;

/// Checks the Host rules over a request's fields and records where the Host value's parts lie
/// in `found`. `head_end` is where the head ended, reported for a missing Host.
#[inline]
pub(crate) fn check_host(
    buf: &[u8],
    fields: &[FieldSpan],
    known: KnownSet,
    version: Version,
    head_end: usize,
    found: &mut Option<AuthoritySpans>,
) -> Result<(), Defect> {
    *found = None;
    let hosts = if known.contains(KnownName::Host) { fields } else { &[] };
    for field in hosts.iter().filter(|f| f.known == KnownName::Host) {
        if found.is_some() {
            return defect(ErrorKind::DuplicateHost, field.line);
        }
        // An empty value is allowed: it is what a client sends when the target has no authority.
        let value = field.value(buf);
        let spans = match plain_host(value) {
            Some(spans) => spans,
            None => parse_authority(value, false, ErrorKind::InvalidHost)
                .map_err(|d| Defect { at: d.at + field.value_start, ..d })?,
        };
        *found = Some(spans.moved_by(field.value_start));
    }
    if found.is_none() && version == Version::Http11 {
        return defect(ErrorKind::MissingHost, head_end - 1);
    }
    Ok(())
}

/// The usual Host value, a reg-name or IPv4 address without pct-encoding and an optional
/// `":" port`, in one pass: its spans. `None` for anything else, which
/// [`parse_authority`] then checks in full (and refuses where it must).
#[inline]
pub(crate) fn plain_host(value: &[u8]) -> Option<AuthoritySpans> {
    let host = run_of_unrolled(value, REG_NAME);
    let port = match value.get(host) {
        None => None,
        Some(b':') if value[host + 1..].iter().all(u8::is_ascii_digit) => Some(Span::new(host + 1, value.len())),
        Some(_) => return None,
    };
    Some(AuthoritySpans { userinfo: None, host: Span::new(0, host), port })
}

/// A host and optional port, from a Host field or an authority-bearing request-target.
///
/// ```
/// use h1wire::{Event, Parse, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let Some(Event::Head { head, .. }) = parser.parse(b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").unwrap().event
/// else { panic!() };
/// let host = head.host().unwrap();
/// assert_eq!((host.host(), host.port()), ("[::1]", Some("8080")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authority<'a> {
    host: &'a str,
    port: Option<&'a str>,
}

impl<'a> Authority<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a [u8], spans: AuthoritySpans) -> Self {
        let text = |s: Span| core::str::from_utf8(s.of(buf)).expect("authorities are ASCII");
        Authority { host: text(spans.host), port: spans.port.map(text) }
    }

    /// The host: a registered name, an IPv4 address, or an IP literal in brackets. Possibly
    /// empty (a Host field may be empty). Compare it case-insensitively.
    #[inline]
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The digits after the colon, if there was a colon (they may be empty).
    #[inline]
    pub fn port(&self) -> Option<&'a str> {
        self.port
    }
}
