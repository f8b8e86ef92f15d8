//! Byte classes of the HTTP and URI grammars, as 256-entry tables built at compile time.
//!
//! One table of bit flags, so that each scanning loop is one load and one mask per byte.

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///          / DIGIT / ALPHA` (RFC 9110 §5.6.2). Tokens: methods, field names, codings.
pub(crate) const TCHAR: u8 = 1;
/// `field-vchar / SP / HTAB` with `obs-text` (RFC 9110 §5.5): every byte a field value may hold.
/// The same set is `reason-phrase` (RFC 9112 §4).
pub(crate) const VALUE: u8 = 1 << 1;
/// Bytes that may appear anywhere in a request-target: `unreserved / sub-delims / ":" / "@" / "/" /
/// "?" / "%"`, plus `[` `]` for IP literals (RFC 3986 §2, §3.2.2). The structure is checked later.
pub(crate) const TARGET: u8 = 1 << 2;
/// `pchar` without `pct-encoded` (RFC 3986 §3.3): `unreserved / sub-delims / ":" / "@"`.
pub(crate) const PCHAR: u8 = 1 << 3;
/// `unreserved / sub-delims` (RFC 3986 §2.2, §2.3): `reg-name` bytes besides `pct-encoded`.
pub(crate) const REG_NAME: u8 = 1 << 4;
/// `qdtext` (RFC 9110 §5.6.4): `HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text`.
pub(crate) const QDTEXT: u8 = 1 << 5;
/// `HEXDIG`.
pub(crate) const HEX: u8 = 1 << 6;

const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        )
}

const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

const fn is_sub_delim(b: u8) -> bool {
    matches!(b, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

const fn class_of(b: u8) -> u8 {
    let mut c = 0;
    if is_tchar(b) {
        c |= TCHAR;
    }
    // VCHAR is %x21-7E; obs-text is %x80-FF.
    if b == b' ' || b == b'\t' || (b >= 0x21 && b != 0x7f) {
        c |= VALUE;
    }
    if is_unreserved(b) || is_sub_delim(b) {
        c |= REG_NAME | PCHAR | TARGET;
    }
    if matches!(b, b':' | b'@') {
        c |= PCHAR | TARGET;
    }
    if matches!(b, b'/' | b'?' | b'%' | b'[' | b']') {
        c |= TARGET;
    }
    if b == b'\t' || b == b' ' || b == 0x21 || (b >= 0x23 && b <= 0x5b) || (b >= 0x5d && b <= 0x7e) || b >= 0x80 {
        c |= QDTEXT;
    }
    if b.is_ascii_hexdigit() {
        c |= HEX;
    }
    c
}

#[allow(clippy::cast_possible_truncation, reason = "the index stays below 256")]
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// Whether `b` belongs to (one of) the classes in `mask`.
#[inline(always)]
pub(crate) fn is(b: u8, mask: u8) -> bool {
    CLASS[b as usize] & mask != 0
}

/// The length of the longest prefix of `bytes` whose bytes all belong to `mask`.
#[inline(always)]
pub(crate) fn run_of(bytes: &[u8], mask: u8) -> usize {
    bytes.iter().position(|&b| !is(b, mask)).unwrap_or(bytes.len())
}

/// The value of one hex digit, if it is one.
#[inline]
pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `b` is optional whitespace: `OWS = *( SP / HTAB )` (RFC 9110 §5.6.3).
#[inline(always)]
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_the_abnf() {
        assert!(is(b'~', TCHAR) && !is(b'(', TCHAR) && !is(b':', TCHAR) && !is(0x80, TCHAR));
        assert!(is(b' ', VALUE) && is(b'\t', VALUE) && is(0xff, VALUE));
        assert!(!is(0, VALUE) && !is(b'\r', VALUE) && !is(0x7f, VALUE) && !is(0x1f, VALUE));
        assert!(is(b'@', PCHAR) && !is(b'/', PCHAR) && is(b'/', TARGET) && !is(b'#', TARGET));
        assert!(!is(b'"', QDTEXT) && !is(b'\\', QDTEXT) && is(b'!', QDTEXT) && is(0x80, QDTEXT));
        assert!(!is(b'{', TARGET) && !is(b' ', TARGET) && !is(b'|', TARGET));
        assert_eq!(run_of(b"abc:d", TCHAR), 3);
        assert_eq!(hex_value(b'F'), Some(15));
        assert_eq!(hex_value(b'g'), None);
    }
}
