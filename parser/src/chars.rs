//! Byte classes of the HTTP and URI grammars, as 256-entry tables built at compile time.
//!
//! One table of bit flags, so that each scanning loop is one load and one mask per byte; field
//! values, the bulk of a head, go sixteen bytes at a time with SSE2 and eight elsewhere
//! ([`value_run`]).

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///          / DIGIT / ALPHA` (RFC 9110 §5.6.2). Tokens: methods, field names, codings.
pub(crate) const TCHAR: u16 = 1;
/// `field-vchar / SP / HTAB` with `obs-text` (RFC 9110 §5.5): every byte a field value may hold.
/// The same set is `reason-phrase` (RFC 9112 §4).
pub(crate) const VALUE: u16 = 1 << 1;
/// Bytes that may appear anywhere in a request-target: `unreserved / sub-delims / ":" / "@" / "/" /
/// "?" / "%"`, plus `[` `]` for IP literals (RFC 3986 §2, §3.2.2). The structure is checked later.
pub(crate) const TARGET: u16 = 1 << 2;
/// `pchar` without `pct-encoded` (RFC 3986 §3.3): `unreserved / sub-delims / ":" / "@"`.
pub(crate) const PCHAR: u16 = 1 << 3;
/// `unreserved / sub-delims` (RFC 3986 §2.2, §2.3): `reg-name` bytes besides `pct-encoded`.
pub(crate) const REG_NAME: u16 = 1 << 4;
/// `qdtext` (RFC 9110 §5.6.4): `HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text`.
pub(crate) const QDTEXT: u16 = 1 << 5;
/// `HEXDIG`.
pub(crate) const HEX: u16 = 1 << 6;
/// `userinfo` bytes besides `pct-encoded` (RFC 3986 §3.2.1): `unreserved / sub-delims / ":"`.
pub(crate) const USERINFO: u16 = 1 << 7;
/// Path bytes besides `pct-encoded`: `pchar / "/"` (RFC 3986 §3.3).
pub(crate) const PATH: u16 = 1 << 8;
/// Query bytes besides `pct-encoded`: `pchar / "/" / "?"` (RFC 3986 §3.4).
pub(crate) const QUERY: u16 = 1 << 9;

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

const fn class_of(b: u8) -> u16 {
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
    if is_unreserved(b) || is_sub_delim(b) || b == b':' {
        c |= USERINFO;
    }
    if c & PCHAR != 0 || b == b'/' {
        c |= PATH | QUERY;
    }
    if b == b'?' {
        c |= QUERY;
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
static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// Whether `b` belongs to (one of) the classes in `mask`.
#[inline(always)]
pub(crate) fn is(b: u8, mask: u16) -> bool {
    CLASS[b as usize] & mask != 0
}

/// The length of the longest prefix of `bytes` whose bytes all belong to `mask`.
#[inline(always)]
pub(crate) fn run_of(bytes: &[u8], mask: u16) -> usize {
    bytes.iter().position(|&b| !is(b, mask)).unwrap_or(bytes.len())
}

/// [`run_of`] four bytes per loop turn, for runs that are usually long (field names): one bounds
/// check per four bytes instead of one per byte.
///
/// Not sixteen bytes per step with SSE2 as values are: on names that was fewer instructions but
/// more time (100 fields, values on SSE2 either way: 18,719 instructions instead of 19,787, yet
/// about 2.06 µs instead of 1.82 in an interleaved timing), because the end of a name then comes from a chain of vector
/// operations the CPU must wait for, where the end of this loop is a branch it predicts and runs
/// past.
#[inline]
pub(crate) fn run_of_unrolled(bytes: &[u8], mask: u16) -> usize {
    let mut i = 0;
    while let Some(w) = bytes[i..].first_chunk::<4>() {
        if !is(w[0], mask) {
            return i;
        }
        if !is(w[1], mask) {
            return i + 1;
        }
        if !is(w[2], mask) {
            return i + 2;
        }
        if !is(w[3], mask) {
            return i + 3;
        }
        i += 4;
    }
    i + run_of(&bytes[i..], mask)
}

/// Field values sixteen bytes at a time with SSE2, which every x86-64 CPU has. It is chosen at
/// compile time (`target_feature = "sse2"` is on by default for x86-64), so there is no run-time
/// detection and nothing to set up; `safe_arch` wraps the intrinsics safely, and h1wire itself
/// has no `unsafe`. Other targets use the portable loops.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod block {
    use safe_arch::{cmp_eq_mask_i8_m128i, m128i, min_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i};

    #[allow(clippy::cast_possible_wrap, reason = "the lanes are bytes; the sign does not matter")]
    fn splat(b: u8) -> m128i {
        set_splat_i8_m128i(b as i8)
    }

    #[allow(clippy::cast_sign_loss, reason = "a 16-bit lane mask")]
    fn mask(lanes: m128i) -> u32 {
        move_mask_i8_m128i(lanes) as u32
    }

    /// Bit `i` is set when byte `i` may not appear in a field value: below 0x20 or DEL (HTAB is
    /// flagged too; the caller lets it through).
    #[inline(always)]
    pub(super) fn value_stops(chunk: &[u8; 16]) -> u32 {
        let x = m128i::from(*chunk);
        let control = cmp_eq_mask_i8_m128i(min_u8_m128i(x, splat(0x1f)), x);
        let del = cmp_eq_mask_i8_m128i(x, splat(0x7f));
        mask(control | del)
    }
}

/// The length of the longest prefix of `bytes` that may appear in a field value ([`VALUE`]).
///
/// Sixteen bytes at a time with SSE2 ([`block`]); elsewhere eight at a time in a word
/// ([`value_flags`]). The first flagged byte ends the run unless it is HTAB, the one control byte
/// a value may hold.
#[inline(always)]
pub(crate) fn value_run(bytes: &[u8]) -> usize {
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let i = 0;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let mut i = 0;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    while let Some(chunk) = bytes[i..].first_chunk::<16>() {
        let stops = block::value_stops(chunk);
        if stops == 0 {
            i += 16;
            continue;
        }
        i += stops.trailing_zeros() as usize;
        if bytes[i] != b'\t' {
            return i;
        }
        i += 1;
    }
    i + value_run_words(&bytes[i..])
}

/// `(x - 0x20…20) & !x & 0x80…80` is non-zero exactly when some byte of `x` is below 0x20, and
/// the same test on `x ^ 0x7F…7F` with 0x01…01 finds a 0x7F byte.
#[inline(always)]
fn value_flags(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    let del = x ^ (ONES * 0x7f);
    control | (del.wrapping_sub(ONES) & !del & HIGH)
}

/// [`value_run`] eight bytes at a time, in a word: portable.
#[inline(always)]
fn value_run_words(bytes: &[u8]) -> usize {
    let mut i = 0;
    // Two words per turn while 16 bytes remain (long values: user agents, cookies, tokens).
    while let Some(pair) = bytes[i..].first_chunk::<16>() {
        let low = value_flags(u64::from_le_bytes(*pair.first_chunk::<8>().expect("16 bytes hold 8")));
        let high = value_flags(u64::from_le_bytes(*pair.last_chunk::<8>().expect("16 bytes hold 8")));
        if low | high == 0 {
            i += 16;
            continue;
        }
        let (at, flagged) = if low != 0 { (i, low) } else { (i + 8, high) };
        i = at + (flagged.trailing_zeros() / 8) as usize;
        if bytes[i] != b'\t' {
            return i;
        }
        i += 1;
    }
    while let Some(word) = bytes[i..].first_chunk::<8>() {
        let flagged = value_flags(u64::from_le_bytes(*word));
        if flagged != 0 {
            // The lowest flagged byte is exact (a borrow only runs towards higher bytes, so
            // bytes above a true hit may be flagged falsely, never bytes below it).
            i += (flagged.trailing_zeros() / 8) as usize;
            if bytes[i] != b'\t' {
                return i;
            }
            i += 1;
            continue;
        }
        i += 8;
    }
    i + run_of(&bytes[i..], VALUE)
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
    fn value_run_agrees_with_the_table_for_every_byte_at_every_position() {
        for bad in 0..=255u8 {
            for len in 0..24 {
                for pos in 0..=len {
                    let mut bytes = [b'v'; 24];
                    if pos < len {
                        bytes[pos] = bad;
                    }
                    let bytes = &bytes[..len];
                    assert_eq!(value_run(bytes), run_of(bytes, VALUE), "byte {bad:#x} at {pos} of {len}");
                    assert_eq!(value_run_words(bytes), run_of(bytes, VALUE), "byte {bad:#x} at {pos} of {len}");
                    assert_eq!(run_of_unrolled(bytes, TCHAR), run_of(bytes, TCHAR), "{bad:#x} at {pos}");
                }
            }
        }
    }

    #[test]
    fn classes_match_the_abnf() {
        assert!(is(b'~', TCHAR) && !is(b'(', TCHAR) && !is(b':', TCHAR) && !is(0x80, TCHAR));
        assert!(is(b' ', VALUE) && is(b'\t', VALUE) && is(0xff, VALUE));
        assert!(!is(0, VALUE) && !is(b'\r', VALUE) && !is(0x7f, VALUE) && !is(0x1f, VALUE));
        assert!(is(b'@', PCHAR) && !is(b'/', PCHAR) && is(b'/', TARGET) && !is(b'#', TARGET));
        assert!(!is(b'"', QDTEXT) && !is(b'\\', QDTEXT) && is(b'!', QDTEXT) && is(0x80, QDTEXT));
        assert!(!is(b'{', TARGET) && !is(b' ', TARGET) && !is(b'|', TARGET));
        assert_eq!(run_of(b"abc:d", TCHAR), 3);
        assert!(is(b':', USERINFO) && !is(b'@', USERINFO) && is(b'/', PATH) && !is(b'?', PATH) && is(b'?', QUERY));
        assert_eq!(hex_value(b'F'), Some(15));
        assert_eq!(hex_value(b'g'), None);
    }
}
