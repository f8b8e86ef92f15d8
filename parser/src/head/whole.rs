//! The whole-head fast path: a head that arrived in one piece, parsed in one straight pass.
//!
//! Almost every head arrives whole in one read. For that case the start line and the field lines
//! are taken in one loop with every position in locals, the names the head rules act on are
//! recognised as each line ends, and the loop notes where the one Host and the one
//! Content-Length line are, so that their values are read once after it (the Content-Length by
//! the framing rules) and no pass over the fields follows.
//!
//! The fast path accepts only the common shape: a plain start line, `token ":" OWS value CRLF`
//! field lines and a CRLF ending the head. At the first byte of anything else (a bare LF, an
//! obs-fold, a second Host, a Content-Length the machine would refuse, a limit reached) it gives
//! up, and the resumable machine scans the head from its first byte; that machine reports the
//! exact error and offset, and takes the leniencies the [`Config`] allows. So the fast path never
//! refuses anything itself: whatever it accepts, the machine accepts with the same parts (the
//! split-invariance checks and the `whole_head` fuzz target compare the two).
//!
//! It runs only when the empty line ending a head is already in the buffer ([`holds_end`]), so
//! a head split across reads is scanned once, by the machine, as before.

use alloc::vec::Vec;

use super::authority::AuthoritySpans;
use super::field::{push_known, whole_line, FieldSpan, KnownName, KnownSet};
use super::host::plain_host;
use super::{HeadScanner, StartLineScanner};
use crate::chars::is_ows;
use crate::Config;

/// What the field loop noted of the fields the head rules act on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Noted {
    /// The one Host value's parts (requests only), as [`check_host`](super::host::check_host)
    /// would record them.
    pub(crate) host: Option<AuthoritySpans>,
    /// Where the one Content-Length line is among the fields: its value is the framing's to
    /// read.
    pub(crate) content_length: Option<usize>,
}

/// Whether `buf` holds an empty line after a line end (`CRLF CRLF`), which a complete, plain
/// head does: the fast path is tried only then. The usual read ends with the head, so its last
/// four bytes are looked at first; otherwise (a body or the next request follows in the same
/// read) the bytes are searched sixteen at a time.
#[inline]
pub(crate) fn holds_end(buf: &[u8]) -> bool {
    buf.ends_with(b"\r\n\r\n") || search::find_empty_line(buf)
}

impl<S: StartLineScanner> HeadScanner<S> {
    /// Parses the head at the front of `buf` in one pass when it is whole and plain: pushes its
    /// field lines onto `out` (which must be empty), leaves the start line and the known names
    /// in the scanner, and returns the head's length with what the loop noted. `None` for
    /// anything else; the caller then clears `out`, resets the scanner and lets the machine scan
    /// from the first byte.
    ///
    /// `request` notes the Host values (a response has no Host rule).
    ///
    /// Not inlined into the parser's step, which the chunked and byte-per-read paths share.
    #[inline(never)]
    pub(crate) fn whole(
        &mut self,
        buf: &[u8],
        out: &mut Vec<FieldSpan>,
        config: &Config,
        request: bool,
    ) -> Option<(usize, Noted)> {
        let buf = &buf[..buf.len().min(config.max_head_bytes)];
        let start = self.start.whole(buf, config)?;
        let lines = field_lines(buf, start, out, config.max_fields, request)?;
        let mut noted = Noted::default();
        if let Some(field) = out.get(lines.host) {
            noted.host = Some(plain_host(field.value(buf))?.moved_by(field.value_start));
        }
        noted.content_length = (lines.length != NONE).then_some(lines.length);
        self.finish_whole(lines.end, lines.known);
        Some((lines.end, noted))
    }
}

/// What [`field_lines`] found: where the head ends, the known names, and where the one Host and
/// the one Content-Length line are in the field list (`NONE` when there is none).
struct Lines {
    end: usize,
    known: KnownSet,
    host: usize,
    length: usize,
}

const NONE: usize = usize::MAX;

/// The field lines from `p` to the empty line ending the head, pushed onto `out`; `None` at the
/// first line the machine must take. On its own, so that the loop keeps its few values in
/// registers: the Host and Content-Length values are read after it, from their positions.
#[inline(never)]
fn field_lines(buf: &[u8], mut p: usize, out: &mut Vec<FieldSpan>, max_fields: usize, request: bool) -> Option<Lines> {
    let mut lines = Lines { end: 0, known: KnownSet::default(), host: NONE, length: NONE };
    loop {
        let b = *buf.get(p)?;
        if b == b'\r' {
            // The empty line ending the head; a bare CR is the machine's to report.
            if buf.get(p + 1) != Some(&b'\n') {
                return None;
            }
            lines.end = p + 2;
            return Some(lines);
        }
        let (field, next) = whole_line(buf, p)?;
        // A line starting with whitespace continues this one (obs-fold, RFC 9112 §5.2): the
        // machine refuses it or, where allowed, unfolds it.
        if out.len() == max_fields || is_ows(*buf.get(next)?) {
            return None;
        }
        // A second Host (RFC 9112 §3.2) or Content-Length (RFC 9110 §8.6) is the machine's to
        // refuse.
        match field.known {
            KnownName::Host if request => {
                if lines.host != NONE {
                    return None;
                }
                lines.host = out.len();
            }
            KnownName::ContentLength => {
                if lines.length != NONE {
                    return None;
                }
                lines.length = out.len();
            }
            _ => {}
        }
        push_known(out, &mut lines.known, field);
        p = next;
    }
}

/// The search for `CRLF CRLF`: sixteen positions at a time with SSE2 (every x86-64 CPU has it,
/// chosen at compile time), four bytes at a time elsewhere.
mod search {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[allow(clippy::cast_possible_wrap, reason = "the lanes are bytes; the sign does not matter")]
    pub(super) fn find_empty_line(buf: &[u8]) -> bool {
        use safe_arch::{cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};
        let (cr, lf) = (set_splat_i8_m128i(b'\r' as i8), set_splat_i8_m128i(b'\n' as i8));
        let at = |i: usize| m128i::from(*buf[i..].first_chunk::<16>().expect("16 bytes"));
        let mut i = 0;
        // Lane k of the four loads holds bytes i+k .. i+k+3: all four match at a CRLF CRLF
        // starting at i+k.
        while i + 19 <= buf.len() {
            let hits = cmp_eq_mask_i8_m128i(at(i), cr)
                & cmp_eq_mask_i8_m128i(at(i + 1), lf)
                & cmp_eq_mask_i8_m128i(at(i + 2), cr)
                & cmp_eq_mask_i8_m128i(at(i + 3), lf);
            if move_mask_i8_m128i(hits) != 0 {
                return true;
            }
            i += 16;
        }
        buf[i..].windows(4).any(|w| w == b"\r\n\r\n")
    }

    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    pub(super) fn find_empty_line(buf: &[u8]) -> bool {
        buf.windows(4).any(|w| w == b"\r\n\r\n")
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn finds_the_empty_line_wherever_it_is() {
            for len in 0..70 {
                for at in 0..len.max(4) - 3 {
                    let mut buf = alloc::vec![b'a'; len];
                    if len >= 4 {
                        buf[at..at + 4].copy_from_slice(b"\r\n\r\n");
                    }
                    assert_eq!(super::find_empty_line(&buf), len >= 4, "{len} {at}");
                    if len >= 4 {
                        buf[at + 2] = b'x';
                        assert!(!super::find_empty_line(&buf), "{len} {at}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod taken_tests {
    use super::*;
    use crate::head::field::LineRules;
    use crate::head::{RequestLineScanner, StatusLineScanner};
    use crate::Framing;

    const RULES: LineRules = LineRules { allow_bare_lf: false, allow_obs_fold: false };

    /// The oracle tests compare the two paths; this one makes sure the fast path is the one that
    /// takes the usual heads (were it to give up on everything, the two would still agree).
    #[test]
    fn takes_the_usual_heads_whole() {
        let config = Config::default();
        let requests: [&[u8]; 4] = [
            b"GET /health HTTP/1.1\r\nHost: 10.0.0.17:8080\r\nConnection: close\r\n\r\n",
            b"POST /a?b=c HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello",
            b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\ty\r\n\r\n",
            b"GET / HTTP/1.0\r\n\r\n",
        ];
        for input in requests {
            assert!(holds_end(input));
            let mut head: HeadScanner<RequestLineScanner> = HeadScanner::new(RULES);
            let mut out = Vec::new();
            let taken = head.whole(input, &mut out, &config, true);
            assert!(taken.is_some(), "{}", input.escape_ascii());
        }
        let mut head: HeadScanner<StatusLineScanner> = HeadScanner::new(RULES);
        let mut out = Vec::new();
        let input = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        let (end, noted) = head.whole(input, &mut out, &config, false).unwrap();
        assert_eq!((end, noted.content_length, out.len()), (38, Some(0), 1));
        assert_eq!(out[0].value(input), b"2");
    }

    #[test]
    fn leaves_the_rest_to_the_machine() {
        let config = Config::default();
        let others: [&[u8]; 6] = [
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n X: folded\r\n\r\n",
            b"GET / HTTP/1.1\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        ];
        for input in others {
            let mut head: HeadScanner<RequestLineScanner> = HeadScanner::new(RULES);
            let mut out = Vec::new();
            assert!(head.whole(input, &mut out, &config, true).is_none(), "{}", input.escape_ascii());
        }
        // A Content-Length value is the framing rules' to read (after the loop); one they
        // refuse sends the head to the machine as well.
        for value in [&b"+5"[..], b"1,1", b"", b"99999999999999999999"] {
            assert_eq!(crate::body::request_framing_by_length(b"GET", Some(value), &config), None);
            let to = crate::ResponseTo::Other;
            assert_eq!(crate::body::response_framing_by_length(to, 200, Some(value), &config), None);
        }
        assert_eq!(crate::body::request_framing_by_length(b"GET", Some(b"5"), &config), Some(Framing::Length(5)));
    }
}
