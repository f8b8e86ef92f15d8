//! The authority grammar of RFC 3986 §3.2, shared by absolute-form and authority-form targets and
//! by the Host field (RFC 9112 §3.2).
//!
//! ```text
//! authority   = [ userinfo "@" ] host [ ":" port ]
//! host        = IP-literal / IPv4address / reg-name
//! IP-literal  = "[" ( IPv6address / IPvFuture  ) "]"
//! reg-name    = *( unreserved / pct-encoded / sub-delims )
//! port        = *DIGIT
//! ```

use super::field::{defect, Defect};
use super::Span;
use crate::chars::{hex_value, is, run_of, run_of_unrolled, HEX, REG_NAME, USERINFO};
use crate::ErrorKind;

/// Where the parts of an authority lie, relative to the start of the bytes parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AuthoritySpans {
    pub(crate) userinfo: Option<Span>,
    pub(crate) host: Span,
    /// `None` without a colon; an empty span for `host:`.
    pub(crate) port: Option<Span>,
}

impl AuthoritySpans {
    /// The same spans for bytes that started `by` bytes later in a larger buffer.
    pub(crate) fn moved_by(self, by: usize) -> Self {
        AuthoritySpans {
            userinfo: self.userinfo.map(|s| s.moved_by(by)),
            host: self.host.moved_by(by),
            port: self.port.map(|s| s.moved_by(by)),
        }
    }
}

/// Parses `bytes` as an authority. `kind` is the error reported, at the first offending byte.
pub(crate) fn parse_authority(bytes: &[u8], allow_userinfo: bool, kind: ErrorKind) -> Result<AuthoritySpans, Defect> {
    let mut userinfo = None;
    let mut host_start = 0;
    if allow_userinfo {
        if let Some(at) = bytes.iter().position(|&b| b == b'@') {
            // userinfo = *( unreserved / pct-encoded / sub-delims / ":" ); it cannot hold "@".
            check_chars(&bytes[..at], 0, USERINFO, kind)?;
            userinfo = Some(Span::new(0, at));
            host_start = at + 1;
        }
    }
    let rest = &bytes[host_start..];
    let host_len = if rest.first() == Some(&b'[') {
        let Some(close) = rest.iter().position(|&b| b == b']') else {
            return defect(kind, host_start + rest.len());
        };
        if !is_ip_literal_inside(&rest[1..close]) {
            return defect(kind, host_start + 1);
        }
        close + 1
    } else {
        // One pass for the usual host; the exact check only when pct-encoding shows up.
        let mut len = run_of_unrolled(rest, REG_NAME);
        if rest.get(len) == Some(&b'%') {
            len = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
            check_chars(&rest[..len], host_start, REG_NAME, kind)?;
        }
        len
    };
    let host = Span::new(host_start, host_start + host_len);
    let after = host.end;
    let port = match bytes.get(after) {
        None => None,
        Some(b':') => {
            if let Some(bad) = bytes[after + 1..].iter().position(|b| !b.is_ascii_digit()) {
                return defect(kind, after + 1 + bad);
            }
            Some(Span::new(after + 1, bytes.len()))
        }
        Some(_) => return defect(kind, after),
    };
    Ok(AuthoritySpans { userinfo, host, port })
}

/// Checks that every byte of `bytes` is in `class` or starts a valid `pct-encoded` triplet.
/// Reports `kind` at `base` plus the first offending index.
pub(crate) fn check_chars(bytes: &[u8], base: usize, class: u16, kind: ErrorKind) -> Result<(), Defect> {
    let mut i = 0;
    while i < bytes.len() {
        i += run_of(&bytes[i..], class);
        let Some(&b) = bytes.get(i) else { break };
        if b == b'%' {
            // pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §2.1)
            let ok = bytes.get(i + 1).is_some_and(|&h| is(h, HEX)) && bytes.get(i + 2).is_some_and(|&h| is(h, HEX));
            if !ok {
                return defect(kind, base + i);
            }
            i += 3;
        } else {
            return defect(kind, base + i);
        }
    }
    Ok(())
}

/// `IPv6address / IPvFuture`, the inside of an `IP-literal`.
fn is_ip_literal_inside(s: &[u8]) -> bool {
    match s.first() {
        Some(b'v' | b'V') => is_ipv_future(&s[1..]),
        _ => is_ipv6(s),
    }
}

/// `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`, without the "v".
fn is_ipv_future(s: &[u8]) -> bool {
    let Some(dot) = s.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (version, rest) = (&s[..dot], &s[dot + 1..]);
    !version.is_empty()
        && version.iter().all(|&b| is(b, HEX))
        && !rest.is_empty()
        && rest.iter().all(|&b| is(b, REG_NAME) || b == b':')
}

/// `IPv6address` (RFC 3986 §3.2.2): eight 16-bit pieces, with at most one `::` standing for one
/// or more zero pieces, and the last two pieces optionally written as an IPv4 address.
pub(crate) fn is_ipv6(s: &[u8]) -> bool {
    let compressed = s.windows(2).position(|w| w == b"::");
    let (left, right) = match compressed {
        Some(i) => (&s[..i], &s[i + 2..]),
        None => (&s[..0], s),
    };
    if right.windows(2).any(|w| w == b"::") {
        return false;
    }
    let Some(left_pieces) = count_pieces(left, false) else {
        return false;
    };
    let Some(right_pieces) = count_pieces(right, true) else {
        return false;
    };
    match compressed {
        Some(_) => left_pieces + right_pieces <= 7,
        None => right_pieces == 8,
    }
}

/// Counts the 16-bit pieces of a colon-separated run of `h16`, where the last may be an IPv4
/// address (worth two pieces) if `ipv4_last`. `None` if malformed; an empty run has none.
fn count_pieces(s: &[u8], ipv4_last: bool) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut parts = s.split(|&b| b == b':').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if last && ipv4_last && part.contains(&b'.') {
            if !is_ipv4(part) {
                return None;
            }
            count += 2;
        } else if (1..=4).contains(&part.len()) && part.iter().all(|&b| hex_value(b).is_some()) {
            count += 1;
        } else {
            return None;
        }
    }
    Some(count)
}

/// `IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet`, where a dec-octet is
/// 0–255 without leading zeros.
fn is_ipv4(s: &[u8]) -> bool {
    let mut octets = 0;
    for part in s.split(|&b| b == b'.') {
        octets += 1;
        let valid = match part {
            [d] => d.is_ascii_digit(),
            [b'1'..=b'9', rest @ ..] if rest.len() <= 2 && rest.iter().all(u8::is_ascii_digit) => {
                part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 255
            }
            _ => false,
        };
        if !valid {
            return false;
        }
    }
    octets == 4
}

/// Checks a path (`class` [`PATH`](crate::chars::PATH)) or a query
/// ([`QUERY`](crate::chars::QUERY)) of a request-target.
pub(crate) fn check_path(bytes: &[u8], base: usize, class: u16) -> Result<(), Defect> {
    check_chars(bytes, base, class, ErrorKind::InvalidTarget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_forms() {
        for ok in [
            &b"::"[..],
            b"::1",
            b"1::",
            b"2001:db8::7",
            b"1:2:3:4:5:6:7:8",
            b"::ffff:192.0.2.1",
            b"1:2:3:4:5:6:1.2.3.4",
            b"fe80::1:2",
        ] {
            assert!(is_ipv6(ok), "{}", ok.escape_ascii());
        }
        for bad in [
            &b""[..],
            b":::",
            b"1:2:3:4:5:6:7:8:9",
            b"1:2:3:4:5:6:7",
            b"1::2::3",
            b"12345::",
            b"::1.2.3",
            b"::256.1.1.1",
            b"::01.1.1.1",
            b"g::",
            b"1:2:3:4:5:6:7::8",
            b"1.2.3.4::",
        ] {
            assert!(!is_ipv6(bad), "{}", bad.escape_ascii());
        }
    }

    #[test]
    fn authorities() {
        let a = parse_authority(b"user:pw@[::1]:8080", true, ErrorKind::InvalidHost).unwrap();
        assert_eq!(a.userinfo, Some(Span::new(0, 7)));
        assert_eq!(a.host, Span::new(8, 13));
        assert_eq!(a.port, Some(Span::new(14, 18)));
        let a = parse_authority(b"example.com:", false, ErrorKind::InvalidHost).unwrap();
        assert_eq!(a.port, Some(Span::new(12, 12)));
        assert!(parse_authority(b"[v1.x:y]", false, ErrorKind::InvalidHost).is_ok());
        let err = |s: &[u8]| parse_authority(s, false, ErrorKind::InvalidHost).unwrap_err().at;
        assert_eq!(err(b"a b"), 1);
        assert_eq!(err(b"a:8o"), 3);
        assert_eq!(err(b"[::1"), 4);
        assert_eq!(err(b"[::1]x"), 5);
        assert_eq!(err(b"u@h"), 1);
        assert_eq!(err(b"a%2"), 1);
        assert!(parse_authority(b"%41.com", false, ErrorKind::InvalidHost).is_ok());
    }
}
