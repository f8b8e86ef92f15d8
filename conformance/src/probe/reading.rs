//! The readings the RFC allows a server of the bytes a case sends: how many requests it reads
//! and what it does after them. Each reading comes from a sentence of RFC 9110 or RFC 9112; the
//! probe calls a server's responses consistent only when they match one of them.
//!
//! | reading | the RFC's words |
//! | --- | --- |
//! | strict (h1wire, default config) | RFC 9112 as written |
//! | bare LF ends the start line and field lines | RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator and ignore any preceding CR" (start line and fields only: chunk lines end in CRLF, §7.1) |
//! | obs-fold replaced by SP | RFC 9112 §5.2: a server "MUST either reject the message ... or replace each received obs-fold with one or more SP octets" |
//! | CR, LF, NUL in a field value replaced by SP | RFC 9110 §5.5: "a recipient of CR, LF, or NUL within a field value MUST either reject the message or replace each of those characters with SP" |
//! | a Content-Length list of one repeated value read as that value | RFC 9112 §6.3 rule 5, RFC 9110 §8.6 |
//! | Transfer-Encoding processed, then the connection closed | RFC 9112 §6.3 rule 3 (with Content-Length), §6.1 (in HTTP/1.0): "close the connection after processing" |
//! | with `Expect: 100-continue`: a final answer before the body, then the close | RFC 9110 §10.1.1: a server that answers before reading the content indicates whether it "intends to close the connection ... or continue reading" |
//! | a size over a configured limit, or a numeral too large for h1wire's integers: read as announced | RFC 9110 §8.6: "a recipient MUST anticipate potentially large decimal numerals"; refusing with 4xx/5xx and closing is the other allowed answer |
//!
//! Nothing else is allowed: in particular a bare LF in a chunk line, any other byte after chunk
//! data, or a framing field a strict reader does not see.

use h1wire::{Config, ErrorKind, Event, Parse, RequestParser};

use crate::head::{self, head_end};

/// Why a reading refuses a message: the probe judges a server that accepts it by this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A rule that decides where the message ends or which framing fields a reader sees: line
    /// ends, field syntax, Content-Length, Transfer-Encoding, chunked. A server that accepts it
    /// and reads on disagrees with a strict hop on where the message ends.
    Framing(ErrorKind),
    /// Only a size limit of h1wire's, or a numeral larger than its integers: the RFC also lets a
    /// server read the message as announced.
    Limit(ErrorKind),
    /// A rule about something else (method, target, version, Host): accepting it is a MUST
    /// failure, not a framing disagreement.
    Other(ErrorKind),
}

impl Cause {
    /// The rule broken.
    pub fn kind(self) -> ErrorKind {
        match self {
            Cause::Framing(k) | Cause::Limit(k) | Cause::Other(k) => k,
        }
    }

    /// The cause of h1wire's refusal `kind` of `bytes` (the refused message and what follows).
    pub fn of(kind: ErrorKind, bytes: &[u8]) -> Cause {
        use ErrorKind as K;
        match kind {
            K::HeadTooLarge
            | K::TooManyFields
            | K::TargetTooLong
            | K::BodyTooLarge
            | K::ChunkExtensionsTooLarge
            | K::TrailersTooLarge
            | K::ChunkSizeOverflow => Cause::Limit(kind),
            // `1*DIGIT` too large for 64 bits is a valid length (RFC 9110 §8.6), not a defect.
            K::InvalidContentLength if content_lengths(bytes).iter().any(|v| is_big_numeral(v)) => Cause::Limit(kind),
            K::BareCr
            | K::BareLf
            | K::ChunkLineBareLf
            | K::InvalidFieldName
            | K::WhitespaceBeforeColon
            | K::MissingColon
            | K::InvalidFieldValue
            | K::ObsFold
            | K::WhitespaceBeforeFirstField
            | K::InvalidContentLength
            | K::DuplicateContentLength
            | K::TransferEncodingWithContentLength
            | K::InvalidTransferEncoding
            | K::ChunkedNotFinal
            | K::ChunkedTwice
            | K::UnknownTransferCoding
            | K::TransferEncodingInHttp10
            | K::ContentInConnect
            | K::InvalidChunkSize
            | K::InvalidChunkExtension
            | K::InvalidChunkDataEnd => Cause::Framing(kind),
            _ => Cause::Other(kind),
        }
    }
}

/// What a reading does once its complete requests are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Nothing more: every byte was read.
    Idle,
    /// The bytes end inside a message: the server waits for the rest and answers nothing more.
    Waits,
    /// It closes the connection (after processing a message whose framing is faulty).
    Closes,
    /// It refuses the next message, for this cause.
    Refuses(Cause),
}

/// One reading the RFC allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Which sentence of the RFC allows it.
    pub name: &'static str,
    /// Requests read completely (each gets a response).
    pub complete: usize,
    /// What follows them.
    pub then: Then,
    /// The last complete request is the canary alone (not glued to bytes left by the case), so
    /// its response must be the canary's as on its own.
    pub canary_alone: bool,
}

impl Reading {
    /// The most responses a server reading this way sends: one more where it refuses (the
    /// refusal), and for a non-framing refusal the canary's after it (a server may accept what
    /// only breaks a rule about something else).
    pub fn most(self) -> usize {
        match self.then {
            Then::Refuses(Cause::Other(_)) => self.complete + 2,
            Then::Refuses(_) => self.complete + 1,
            _ => self.complete,
        }
    }

    /// The refusal this reading ends with, if any.
    pub fn refusal(self) -> Option<Cause> {
        match self.then {
            Then::Refuses(cause) => Some(cause),
            _ => None,
        }
    }
}

/// Every reading the RFC allows of `sent` (a case's bytes, then a canary of `canary_len` bytes),
/// the strict one first, without repeats.
pub fn allowed(sent: &[u8], canary_len: usize) -> Vec<Reading> {
    let strict = read(sent, canary_len, &Config::default(), "strict (RFC 9112)");
    let mut readings = vec![strict];
    let mut bare_lf = Config::default();
    bare_lf.allow_bare_lf = true;
    readings.push(read(sent, canary_len, &bare_lf, "bare LF ends the start line and field lines (RFC 9112 §2.2)"));
    if let Some(unfolded) = unfold_first_head(sent) {
        readings.push(read(&unfolded, canary_len, &Config::default(), "obs-fold replaced by SP (RFC 9112 §5.2)"));
    }
    if let Some(spaced) = controls_to_sp(sent) {
        readings.push(read(
            &spaced,
            canary_len,
            &Config::default(),
            "CR, LF, NUL in a value replaced by SP (RFC 9110 §5.5)",
        ));
    }
    if let Some(one) = one_content_length(sent) {
        readings.push(read(
            &one,
            canary_len,
            &Config::default(),
            "a list of one repeated Content-Length (RFC 9112 §6.3)",
        ));
    }
    if head::expects_continue(sent) && strict.refusal().is_none() {
        // RFC 9110 §10.1.1: a server may answer with a final status before the content arrives;
        // it then closes, or reads and discards the content (the strict reading).
        readings.push(Reading {
            name: "answered before the body, then the close (RFC 9110 §10.1.1)",
            complete: 1,
            then: Then::Closes,
            canary_alone: false,
        });
    }
    match strict.refusal() {
        Some(Cause::Framing(ErrorKind::TransferEncodingWithContentLength | ErrorKind::TransferEncodingInHttp10)) => {
            readings.push(Reading {
                name: "Transfer-Encoding processed, then the close (RFC 9112 §6.1, §6.3 rule 3)",
                complete: strict.complete + 1,
                then: Then::Closes,
                canary_alone: false,
            });
        }
        Some(Cause::Limit(kind)) => {
            let name = "the size read as announced (RFC 9110 §8.6)";
            readings.push(if matches!(kind, ErrorKind::ChunkSizeOverflow | ErrorKind::InvalidContentLength) {
                // A numeral past 2^64: the body it announces does not end within these bytes.
                Reading { name, complete: strict.complete, then: Then::Waits, canary_alone: false }
            } else {
                let mut relaxed = Config::default();
                relaxed.max_head_bytes = usize::MAX;
                relaxed.max_fields = usize::MAX;
                relaxed.max_target_bytes = usize::MAX;
                relaxed.max_body_bytes = u64::MAX;
                relaxed.max_chunk_line_bytes = usize::MAX;
                relaxed.max_chunk_ext_bytes = u64::MAX;
                relaxed.max_trailer_bytes = usize::MAX;
                read(sent, canary_len, &relaxed, name)
            });
        }
        _ => {}
    }
    let mut unique: Vec<Reading> = Vec::new();
    for r in readings {
        if !unique.iter().any(|u| (u.complete, u.then, u.canary_alone) == (r.complete, r.then, r.canary_alone)) {
            unique.push(r);
        }
    }
    unique
}

/// How h1wire with `config` reads `bytes` as a stream of requests.
pub fn read(bytes: &[u8], canary_len: usize, config: &Config, name: &'static str) -> Reading {
    let mut parser = RequestParser::with_config(config.clone());
    let (mut start, mut complete, mut message_start, mut last_start) = (0, 0, 0, None);
    let mut in_message = false;
    let then = loop {
        match parser.parse(&bytes[start..]) {
            Err(e) => break Then::Refuses(Cause::of(e.kind(), &bytes[message_start..])),
            Ok(out) => {
                let at = start;
                start += out.consumed;
                match out.event {
                    // Out of bytes: between messages with all read, or inside one.
                    None if start == bytes.len() && !in_message => break Then::Idle,
                    None => break Then::Waits,
                    Some(Event::Head { .. }) => {
                        message_start = at;
                        in_message = true;
                    }
                    Some(Event::EndOfMessage) => {
                        complete += 1;
                        last_start = Some(message_start);
                        message_start = start;
                        in_message = false;
                    }
                    Some(_) => {}
                }
            }
        }
    };
    let canary_alone = then == Then::Idle && last_start == Some(bytes.len() - canary_len);
    Reading { name, complete, then, canary_alone }
}

/// The Content-Length values of the first head, as sent.
fn content_lengths(bytes: &[u8]) -> Vec<&[u8]> {
    head::values(bytes, b"content-length").collect()
}

/// `1*DIGIT` too long for 64 bits.
fn is_big_numeral(value: &[u8]) -> bool {
    let digits = value.iter().skip_while(|&&b| b == b'0').count();
    !value.is_empty()
        && value.iter().all(u8::is_ascii_digit)
        && (digits > 20 || (digits == 20 && value > &b"18446744073709551615"[..]))
}

/// `bytes` with each obs-fold (CRLF then SP or HTAB) of the first head replaced by one SP, or
/// `None` when it has none.
pub fn unfold_first_head(bytes: &[u8]) -> Option<Vec<u8>> {
    let end = head_end(bytes)? - 4;
    let (head, rest) = bytes.split_at(end);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < head.len() {
        if head[i..].starts_with(b"\r\n") && head.get(i + 2).is_some_and(|&b| b == b' ' || b == b'\t') {
            out.push(b' ');
            i += 2;
        } else {
            out.push(head[i]);
            i += 1;
        }
    }
    (out.len() != head.len()).then(|| [&out[..], rest].concat())
}

/// `bytes` with each CR, LF or NUL inside a field value of the first head (after the colon of a
/// CRLF-ended line, and not part of that CRLF) replaced by SP, or `None` when there is none.
pub fn controls_to_sp(bytes: &[u8]) -> Option<Vec<u8>> {
    let end = head_end(bytes)?;
    let mut out = bytes.to_vec();
    let mut changed = false;
    // The first line is the request line: skip it.
    let mut line_start = bytes.windows(2).position(|w| w == b"\r\n")? + 2;
    while line_start < end - 2 {
        let line_end = line_start + bytes[line_start..].windows(2).position(|w| w == b"\r\n")?;
        if let Some(colon) = bytes[line_start..line_end].iter().position(|&b| b == b':') {
            for b in &mut out[line_start + colon + 1..line_end] {
                if matches!(*b, b'\r' | b'\n' | 0) {
                    *b = b' ';
                    changed = true;
                }
            }
        }
        line_start = line_end + 2;
    }
    changed.then_some(out)
}

/// `bytes` with the first head's Content-Length lines replaced by one line holding their value,
/// when together they are a list of one valid value repeated (`5, 5`, or two lines of `5`), or
/// `None` otherwise.
pub fn one_content_length(bytes: &[u8]) -> Option<Vec<u8>> {
    let end = head_end(bytes)?;
    let values: Vec<&[u8]> =
        content_lengths(bytes).into_iter().flat_map(|v| v.split(|&b| b == b',')).map(<[u8]>::trim_ascii).collect();
    let first = *values.first()?;
    let repeated = values.len() > 1
        && !first.is_empty()
        && first.iter().all(u8::is_ascii_digit)
        && values.iter().all(|v| *v == first);
    if !repeated {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut written = false;
    for line in bytes[..end - 2].split_inclusive(|&b| b == b'\n') {
        let is_cl =
            line.iter().position(|&b| b == b':').is_some_and(|c| line[..c].eq_ignore_ascii_case(b"content-length"));
        if !is_cl {
            out.extend_from_slice(line);
        } else if !written {
            out.extend_from_slice(b"Content-Length: ");
            out.extend_from_slice(first);
            out.extend_from_slice(b"\r\n");
            written = true;
        }
    }
    out.extend_from_slice(&bytes[end - 2..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(r: &Reading) -> (usize, Then) {
        (r.complete, r.then)
    }

    #[test]
    fn the_strict_reading_counts_requests_and_says_why_it_stops() {
        let two = b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        let r = read(two, 28, &Config::default(), "");
        assert_eq!((r.complete, r.then, r.canary_alone), (2, Then::Idle, true));
        let te_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        let r = read(te_cl, 0, &Config::default(), "");
        assert_eq!(shape(&r), (0, Then::Refuses(Cause::Framing(ErrorKind::TransferEncodingWithContentLength))));
        let cut = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n";
        assert_eq!(shape(&read(cut, 0, &Config::default(), "")), (1, Then::Waits));
        let no_host = b"GET / HTTP/1.1\r\n\r\n";
        assert_eq!(
            shape(&read(no_host, 0, &Config::default(), "")),
            (0, Then::Refuses(Cause::Other(ErrorKind::MissingHost)))
        );
    }

    #[test]
    fn bare_lf_is_allowed_in_heads_and_never_in_chunk_lines() {
        let head = b"GET / HTTP/1.1\nHost: a\n\n";
        let shapes: Vec<_> = allowed(head, 0).iter().map(shape).collect();
        assert!(shapes.contains(&(1, Then::Idle)), "{shapes:?}");
        let chunk = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n";
        let readings = allowed(chunk, 0);
        assert!(readings.iter().all(|r| r.complete == 0), "no reading the RFC allows takes it: {readings:?}");
        assert_eq!(readings[0].refusal(), Some(Cause::Framing(ErrorKind::ChunkLineBareLf)));
    }

    #[test]
    fn the_rfc_transforms_touch_only_what_they_name() {
        let folded = b"POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        // "one or more SP octets" (RFC 9112 §5.2): the CRLF becomes SP, the fold's own SP stays.
        let unfolded = b"POST / HTTP/1.1\r\nHost: a\r\nX: y  Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert_eq!(unfold_first_head(folded).as_deref(), Some(&unfolded[..]));
        assert_eq!(unfold_first_head(b"GET / HTTP/1.1\r\n\r\n"), None);

        let cr = b"POST / HTTP/1.1\r\nHost: a\r\nX: \rContent-Length: 5\r\n\r\nhello";
        assert_eq!(
            controls_to_sp(cr).as_deref(),
            Some(&b"POST / HTTP/1.1\r\nHost: a\r\nX:  Content-Length: 5\r\n\r\nhello"[..])
        );
        assert_eq!(controls_to_sp(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n\0"), None, "only the head's values");

        let list = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello";
        assert_eq!(
            one_content_length(list).as_deref(),
            Some(&b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"[..])
        );
        let lines = b"POST / HTTP/1.1\r\nContent-Length: 5\r\nHost: a\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(
            one_content_length(lines).as_deref(),
            Some(&b"POST / HTTP/1.1\r\nContent-Length: 5\r\nHost: a\r\n\r\nhello"[..])
        );
        assert_eq!(one_content_length(b"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n"), None);
        assert_eq!(one_content_length(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), None);
    }

    #[test]
    fn sizes_past_a_limit_or_past_64_bits_may_be_read_as_announced() {
        for big in ["99999999999999999999999", "18446744073709551616"] {
            let bytes =
                format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {big}\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            let readings = allowed(bytes.as_bytes(), 27);
            assert_eq!(readings[0].refusal(), Some(Cause::Limit(ErrorKind::InvalidContentLength)));
            assert!(readings.iter().any(|r| shape(r) == (0, Then::Waits)), "{readings:?}");
        }
        let chunk = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n";
        assert!(allowed(chunk, 0).iter().any(|r| shape(r) == (0, Then::Waits)));
        // 2^40 bytes: over h1wire's 1 GiB default, a valid length to the RFC.
        let large = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1099511627776\r\n\r\n";
        let readings = allowed(large, 0);
        assert_eq!(readings[0].refusal(), Some(Cause::Limit(ErrorKind::BodyTooLarge)));
        assert!(readings.iter().any(|r| shape(r) == (0, Then::Waits)));
        // An empty or signed length is a defect, not a large number.
        let empty = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n";
        assert_eq!(allowed(empty, 0)[0].refusal(), Some(Cause::Framing(ErrorKind::InvalidContentLength)));
        assert!(allowed(empty, 0).iter().all(|r| r.then != Then::Waits));
    }

    #[test]
    fn transfer_encoding_beside_content_length_may_be_processed_then_closed() {
        let te_cl = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        let shapes: Vec<_> = allowed(te_cl, 0).iter().map(shape).collect();
        assert!(shapes.contains(&(1, Then::Closes)), "{shapes:?}");
    }
}
