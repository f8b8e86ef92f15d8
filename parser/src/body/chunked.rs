//! The chunked transfer coding (RFC 9112 §7.1), decoded incrementally. Size lines and the CRLF
//! after each chunk are consumed byte by byte, so they may be split anywhere; chunk data is handed
//! out as slices of the caller's buffer; the trailer section is held until it is complete.
//!
//! ```text
//! chunked-body   = *chunk last-chunk trailer-section CRLF
//! chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-size     = 1*HEXDIG
//! last-chunk     = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-val  = token / quoted-string
//! ```

use alloc::vec::Vec;

use crate::chars::{hex_value, is, is_ows, HEX, QDTEXT, TCHAR};
use crate::head::field::{defect, Defect, FieldScanner, FieldSpan, FieldStep, LineRules};
use crate::head::Span;
use crate::{Config, ErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The first digit of a chunk-size.
    SizeStart,
    Size,
    /// Whitespace after the size: only `;` may follow.
    SizeBws,
    /// After `;`: whitespace, then an extension name.
    ExtName {
        started: bool,
    },
    /// Whitespace after an extension name: `=` or `;` may follow.
    ExtNameBws,
    /// After `=`: whitespace, then a token or a quoted-string.
    ExtValueStart,
    ExtToken,
    ExtQuoted,
    ExtQuotedPair,
    /// After an extension value: whitespace, `;` or CRLF.
    ExtValueEnd {
        bws: bool,
    },
    SizeLf,
    Data,
    DataCr,
    DataLf,
    Trailers,
    Done,
}

/// What [`ChunkedDecoder::decode`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ChunkStep {
    /// More input is needed.
    Partial,
    /// Chunk data, at this place in the input.
    Data(Span),
    /// A non-empty trailer section, at this place in the input; its fields are in the span list.
    Trailers(Span),
    /// The body is complete.
    End,
}

/// Decodes one chunked body.
#[derive(Clone, Debug)]
pub(crate) struct ChunkedDecoder {
    state: State,
    /// The chunk-size being read, then the bytes of the chunk still to come.
    size: u64,
    line_len: usize,
    ext_total: u64,
    body_total: u64,
    trailers: FieldScanner,
    /// How far the trailer section has been scanned, from its first byte.
    trailer_pos: usize,
    /// Bytes at the front of the caller's buffer already decoded but not yet reported consumed:
    /// bytes are only consumed together with an event, so a size line split over two reads is
    /// handed in again, and skipped.
    held: usize,
}

impl ChunkedDecoder {
    pub(crate) fn new() -> Self {
        ChunkedDecoder {
            state: State::SizeStart,
            size: 0,
            line_len: 0,
            ext_total: 0,
            body_total: 0,
            trailers: FieldScanner::new(),
            trailer_pos: 0,
            held: 0,
        }
    }

    /// Decodes from the front of `input`: the bytes not yet consumed. Returns how many bytes the
    /// step consumed (none without an event) and what it found.
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        trailers: &mut Vec<FieldSpan>,
        config: &Config,
    ) -> Result<(usize, ChunkStep), Defect> {
        if self.held > input.len() {
            // The caller dropped bytes it was not told to drop; wait for them rather than panic.
            return Ok((0, ChunkStep::Partial));
        }
        let mut at = self.held;
        Ok(match self.decode_from(input, &mut at, trailers, config)? {
            ChunkStep::Partial => {
                self.held = at;
                (0, ChunkStep::Partial)
            }
            step => {
                self.held = 0;
                (at, step)
            }
        })
    }

    /// Decodes chunk data in place: moves the data of every chunk `buf` holds to its front,
    /// dropping the size lines and CRLFs between them, until `buf` ends or the trailer section
    /// begins (which [`decode`](Self::decode) then reads). Returns the bytes used and the length
    /// of the data now at the front. The state machine is exact to the byte, so every byte looked
    /// at is used, even inside a size line.
    pub(crate) fn decode_in_place(&mut self, buf: &mut [u8], config: &Config) -> Result<(usize, usize), Defect> {
        if self.held > buf.len() {
            return Ok((0, 0));
        }
        let (mut at, mut len) = (self.held, 0);
        loop {
            match self.state {
                State::Trailers | State::Done => break,
                State::Data => {
                    let n = self.take_data(buf.len() - at);
                    if n == 0 {
                        break;
                    }
                    move_data(buf, at, len, n);
                    (at, len) = (at + n, len + n);
                }
                _ => {
                    if !self.framing_step(buf, &mut at, config)? {
                        break;
                    }
                }
            }
        }
        self.held = 0;
        Ok((at, len))
    }

    /// Whether all the chunk data has been read (the trailer section or the end is next).
    pub(crate) fn data_done(&self) -> bool {
        matches!(self.state, State::Trailers | State::Done)
    }

    /// Decodes from `input[*at..]`, moving `*at` past what it decoded. Trailer bytes are not
    /// passed until the whole trailer section is there (`*at` stays at its start).
    fn decode_from(
        &mut self,
        input: &[u8],
        at: &mut usize,
        trailers: &mut Vec<FieldSpan>,
        config: &Config,
    ) -> Result<ChunkStep, Defect> {
        loop {
            match self.state {
                State::Done => return Ok(ChunkStep::End),
                State::Trailers => return self.decode_trailers(input, at, trailers, config),
                State::Data => {
                    let n = self.take_data(input.len() - *at);
                    if n == 0 {
                        return Ok(ChunkStep::Partial);
                    }
                    let data = Span::new(*at, *at + n);
                    *at += n;
                    return Ok(ChunkStep::Data(data));
                }
                _ => {
                    if !self.framing_step(input, at, config)? {
                        return Ok(ChunkStep::Partial);
                    }
                }
            }
        }
    }

    /// In the data of a chunk, with `available` bytes of input: how many of them are data (none
    /// when nothing is available), counted off the chunk.
    #[inline(always)]
    fn take_data(&mut self, available: usize) -> usize {
        let n = usize::try_from(self.size).map_or(available, |size| size.min(available));
        self.size -= n as u64;
        if self.size == 0 {
            self.state = State::DataCr;
        }
        n
    }

    /// Reads chunk framing (a size line and its extensions, the CRLF after the data) from
    /// `input[*at..]`: a whole CRLF or plain size line at once, else one byte. `false` when the
    /// input is used up.
    #[inline(always)]
    fn framing_step(&mut self, input: &[u8], at: &mut usize, config: &Config) -> Result<bool, Defect> {
        if self.state == State::DataCr && input.get(*at..*at + 2) == Some(b"\r\n") {
            // The CRLF after a chunk's data, and usually the next size line right after it.
            *at += 2;
            self.state = State::SizeStart;
        }
        if self.state == State::SizeStart && self.plain_size_line(input, at, config)? {
            return Ok(true);
        }
        let Some(&b) = input.get(*at) else { return Ok(false) };
        self.line_byte(b, *at, config)?;
        *at += 1;
        Ok(true)
    }

    /// The common size line, `1*16HEXDIG CRLF` with no extension, taken in one pass when it is
    /// all here. Limits and errors are those `line_byte` would give; anything else (extensions,
    /// more than 16 digits, a partial line) is left to it and this returns `false`.
    #[inline]
    fn plain_size_line(&mut self, input: &[u8], at: &mut usize, config: &Config) -> Result<bool, Defect> {
        let rest = &input[*at..];
        let (mut size, mut digits) = (0u64, 0);
        while let Some(v) = rest.get(digits).and_then(|&b| hex_value(b)) {
            if digits == 16 {
                return Ok(false);
            }
            size = size << 4 | u64::from(v);
            digits += 1;
        }
        if digits == 0 || digits > config.max_chunk_line_bytes || rest.get(digits..digits + 2) != Some(b"\r\n") {
            return Ok(false);
        }
        self.count_chunk(size, *at + digits, config)?;
        self.size = size;
        *at += digits + 2;
        self.line_len = 0;
        self.state = if size == 0 { State::Trailers } else { State::Data };
        Ok(true)
    }

    /// Counts a chunk's size against the body limit, as soon as the size is read; `at` is where
    /// the size ended.
    fn count_chunk(&mut self, size: u64, at: usize, config: &Config) -> Result<(), Defect> {
        self.body_total = self.body_total.saturating_add(size);
        if self.body_total > config.max_body_bytes {
            return defect(ErrorKind::BodyTooLarge, at);
        }
        Ok(())
    }

    /// Consumes one byte of a chunk-size line or of the CRLF after chunk data.
    fn line_byte(&mut self, b: u8, at: usize, config: &Config) -> Result<(), Defect> {
        let in_line = !matches!(self.state, State::SizeLf | State::DataCr | State::DataLf);
        if in_line && b != b'\r' && b != b'\n' {
            self.line_len += 1;
            if self.line_len > config.max_chunk_line_bytes {
                return defect(ErrorKind::ChunkExtensionsTooLarge, at);
            }
            if !matches!(self.state, State::SizeStart | State::Size) || !is(b, HEX) {
                self.ext_total += 1;
                if self.ext_total > config.max_chunk_ext_bytes {
                    return defect(ErrorKind::ChunkExtensionsTooLarge, at);
                }
            }
        }
        let ext_error = || defect(ErrorKind::InvalidChunkExtension, at);
        self.state = match (self.state, b) {
            (State::SizeStart, _) => match hex_value(b) {
                Some(v) => {
                    self.size = u64::from(v);
                    State::Size
                }
                None => return defect(ErrorKind::InvalidChunkSize, at),
            },
            (State::Size, _) if hex_value(b).is_some() => {
                if self.size > u64::MAX >> 4 {
                    return defect(ErrorKind::ChunkSizeOverflow, at);
                }
                self.size = self.size << 4 | u64::from(hex_value(b).unwrap_or(0));
                State::Size
            }
            (State::Size, _) => {
                // The size is complete: count it against the body limit before anything else.
                self.count_chunk(self.size, at, config)?;
                match b {
                    b';' => State::ExtName { started: false },
                    b' ' | b'\t' => State::SizeBws,
                    _ => return self.line_end(b, at, ErrorKind::InvalidChunkSize),
                }
            }
            (State::SizeBws, b' ' | b'\t') => State::SizeBws,
            (State::SizeBws, b';') => State::ExtName { started: false },
            (State::SizeBws, _) => return defect(ErrorKind::InvalidChunkSize, at),
            (State::ExtName { started: false }, _) if is_ows(b) => State::ExtName { started: false },
            (State::ExtName { .. }, _) if is(b, TCHAR) => State::ExtName { started: true },
            (State::ExtName { started: true }, b'=') => State::ExtValueStart,
            (State::ExtName { started: true }, b';') => State::ExtName { started: false },
            (State::ExtName { started: true }, b' ' | b'\t') => State::ExtNameBws,
            (State::ExtName { started: true }, b'\r' | b'\n') => {
                return self.line_end(b, at, ErrorKind::InvalidChunkExtension)
            }
            (State::ExtName { .. }, _) => return ext_error(),
            (State::ExtNameBws, b' ' | b'\t') => State::ExtNameBws,
            (State::ExtNameBws, b'=') => State::ExtValueStart,
            (State::ExtNameBws, b';') => State::ExtName { started: false },
            (State::ExtNameBws, _) => return ext_error(),
            (State::ExtValueStart, b' ' | b'\t') => State::ExtValueStart,
            (State::ExtValueStart, b'"') => State::ExtQuoted,
            (State::ExtValueStart | State::ExtToken, _) if is(b, TCHAR) => State::ExtToken,
            (State::ExtValueStart, _) => return ext_error(),
            (State::ExtQuoted, b'"') => State::ExtValueEnd { bws: false },
            (State::ExtQuoted, b'\\') => State::ExtQuotedPair,
            (State::ExtQuoted, _) if is(b, QDTEXT) => State::ExtQuoted,
            (State::ExtQuoted, _) => return ext_error(),
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            (State::ExtQuotedPair, _) if b == b'\t' || (b >= 0x20 && b != 0x7f) => State::ExtQuoted,
            (State::ExtQuotedPair, _) => return ext_error(),
            (State::ExtToken | State::ExtValueEnd { .. }, b' ' | b'\t') => State::ExtValueEnd { bws: true },
            (State::ExtToken | State::ExtValueEnd { .. }, b';') => State::ExtName { started: false },
            (State::ExtToken | State::ExtValueEnd { bws: false }, b'\r' | b'\n') => {
                return self.line_end(b, at, ErrorKind::InvalidChunkExtension)
            }
            (State::ExtToken | State::ExtValueEnd { .. }, _) => return ext_error(),
            (State::SizeLf, b'\n') => return self.line_done(),
            (State::SizeLf, _) => return defect(ErrorKind::BareCr, at),
            (State::DataCr, b'\r') => State::DataLf,
            // RFC 9112 §2.2's bare-LF allowance does not reach chunk lines (§7.1): a hop that
            // ends this line at the LF and one that waits for CRLF disagree on where the next
            // chunk starts (CVE-2025-22871).
            (State::DataCr, b'\n') => return defect(ErrorKind::ChunkLineBareLf, at),
            (State::DataLf, b'\n') => State::SizeStart,
            (State::DataCr | State::DataLf, _) => return defect(ErrorKind::InvalidChunkDataEnd, at),
            // `decode` hands these states no single bytes.
            (State::Data | State::Trailers | State::Done, _) => self.state,
        };
        Ok(())
    }

    /// The size line ends at `b`, which must be the CR of a CRLF: a bare LF is refused whatever
    /// `allow_bare_lf` says (RFC 9112 §2.2 covers the start line and field lines, not chunk
    /// lines); anything else is a `kind` error.
    fn line_end(&mut self, b: u8, at: usize, kind: ErrorKind) -> Result<(), Defect> {
        match b {
            b'\r' => {
                self.state = State::SizeLf;
                Ok(())
            }
            b'\n' => defect(ErrorKind::ChunkLineBareLf, at),
            _ => defect(kind, at),
        }
    }

    fn line_done(&mut self) -> Result<(), Defect> {
        self.line_len = 0;
        self.state = if self.size == 0 { State::Trailers } else { State::Data };
        Ok(())
    }

    fn decode_trailers(
        &mut self,
        input: &[u8],
        at: &mut usize,
        trailers: &mut Vec<FieldSpan>,
        config: &Config,
    ) -> Result<ChunkStep, Defect> {
        let section = &input[*at..];
        if self.trailer_pos > section.len() {
            // The caller dropped bytes it was not told to drop; wait for them rather than panic.
            return Ok(ChunkStep::Partial);
        }
        let bounded = &section[..section.len().min(config.max_trailer_bytes)];
        if self.trailer_pos == 0 {
            trailers.clear();
        }
        let rules = LineRules { allow_bare_lf: config.allow_bare_lf, allow_obs_fold: false };
        let shift = |d: Defect| Defect { at: d.at + *at, ..d };
        match self.trailers.step(bounded, &mut self.trailer_pos, rules, trailers, config.max_fields).map_err(shift)? {
            FieldStep::Partial => {
                if self.trailer_pos >= config.max_trailer_bytes {
                    return defect(ErrorKind::TrailersTooLarge, *at + config.max_trailer_bytes);
                }
                Ok(ChunkStep::Partial)
            }
            FieldStep::End => {
                let section = Span::new(*at, *at + self.trailer_pos);
                *at = section.end;
                self.state = State::Done;
                Ok(if trailers.is_empty() { ChunkStep::End } else { ChunkStep::Trailers(section) })
            }
        }
    }

    /// How many bytes have been looked at but not consumed.
    pub(crate) fn pending(&self) -> usize {
        if self.state == State::Trailers {
            self.held + self.trailer_pos
        } else {
            self.held
        }
    }

    /// Whether the whole body, trailers included, has been decoded.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }
}

/// Moves the `n` bytes of chunk data at `from` to `to` (never after `from`), as `copy_within`
/// does. A short chunk is moved as one 16-byte block when that fits the buffer and writes only
/// over bytes already used (before `from + n`): the bytes it writes past `to + n` are consumed
/// framing, which the data that follows overwrites. This spares a `memmove` call per small chunk.
#[inline(always)]
fn move_data(buf: &mut [u8], from: usize, to: usize, n: usize) {
    const BLOCK: usize = 16;
    if n <= BLOCK && from + BLOCK <= buf.len() && to + BLOCK <= from + n {
        let block: [u8; BLOCK] = buf[from..from + BLOCK].try_into().expect("a block");
        buf[to..to + BLOCK].copy_from_slice(&block);
    } else {
        buf.copy_within(from..from + n, to);
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::vec::Vec;

    use crate::{Event, Parse, RequestParser};

    /// A chunked body whose chunks have the given sizes, with data that differs from byte to
    /// byte, and that data.
    fn body(sizes: impl Iterator<Item = usize>) -> (Vec<u8>, Vec<u8>) {
        let (mut wire, mut data) = (Vec::new(), Vec::new());
        for (i, size) in sizes.enumerate() {
            let chunk: Vec<u8> = (0..size).map(|j| b"abcdefghijklmnopqrstuvwxyz"[(i * 7 + j) % 26]).collect();
            wire.extend_from_slice(format!("{size:x}\r\n").as_bytes());
            wire.extend_from_slice(&chunk);
            wire.extend_from_slice(b"\r\n");
            data.extend_from_slice(&chunk);
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        (wire, data)
    }

    #[test]
    fn in_place_decoding_keeps_every_byte_of_chunks_of_any_size() {
        // Short chunks are moved as 16-byte blocks where that only overwrites used bytes: no
        // mix of sizes (each alone, rising, falling) may lose or clobber a byte still to move.
        let mixes: [Vec<usize>; 4] = [
            (1..=40).collect(),
            (1..=40).rev().collect(),
            (0..60).map(|i| [1, 17, 2, 16, 15, 3][i % 6]).collect(),
            (0..60).map(|i| 1 + i % 5).collect(),
        ];
        let singles = (1..=40).map(|size| alloc::vec![size; 12]);
        for sizes in mixes.into_iter().chain(singles) {
            let (wire, data) = body(sizes.iter().copied());
            let mut buf = [&b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"[..], &wire].concat();
            let mut parser = RequestParser::new();
            let head = parser.parse(&buf).unwrap().consumed;
            let step = parser.parse_body_in_place(&mut buf[head..]).unwrap();
            assert!(!step.more, "{sizes:?}");
            assert_eq!(&buf[head..head + step.len], &data[..], "{sizes:?}");
            let rest = &buf[head + step.consumed..];
            assert!(matches!(parser.parse(rest).unwrap().event, Some(Event::EndOfMessage)), "{sizes:?}");
        }
    }
}
