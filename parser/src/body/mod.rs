//! Message bodies: how long they are ([`Framing`], decided once from the head) and how they are
//! decoded (by length, chunked, or until the connection closes).

mod chunked;
mod framing;

pub use framing::Framing;
pub(crate) use framing::{
    parse_content_length, request_framing, request_framing_by_length, response_framing, response_framing_by_length,
    response_has_no_body, Codings,
};

use alloc::vec::Vec;

use crate::head::field::{defect, Defect, FieldSpan};
use crate::head::Span;
use crate::{Config, ErrorKind};
use chunked::{ChunkStep, ChunkedDecoder};

/// What one decoding step found; spans are places in the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyStep {
    Partial,
    Data(Span),
    Trailers(Span),
    End,
}

/// Decodes one body, chosen once by its framing.
#[derive(Clone, Debug)]
pub(crate) enum BodyDecoder {
    Length { remaining: u64 },
    Chunked(ChunkedDecoder),
    UntilClose { total: u64 },
}

impl BodyDecoder {
    pub(crate) fn new(framing: Framing) -> Self {
        match framing {
            Framing::Empty => BodyDecoder::Length { remaining: 0 },
            Framing::Length(n) => BodyDecoder::Length { remaining: n },
            Framing::Chunked => BodyDecoder::Chunked(ChunkedDecoder::new()),
            Framing::UntilClose => BodyDecoder::UntilClose { total: 0 },
        }
    }

    /// Decodes from the front of `input`, the bytes not yet consumed. Returns how many bytes
    /// the step consumed, which is none unless it found something.
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        trailers: &mut Vec<FieldSpan>,
        config: &Config,
    ) -> Result<(usize, BodyStep), Defect> {
        let available = input.len();
        match self {
            BodyDecoder::Length { remaining: 0 } => Ok((0, BodyStep::End)),
            BodyDecoder::Length { remaining } => {
                if available == 0 {
                    return Ok((0, BodyStep::Partial));
                }
                let n = usize::try_from(*remaining).map_or(available, |r| r.min(available));
                *remaining -= n as u64;
                Ok((n, BodyStep::Data(Span::new(0, n))))
            }
            BodyDecoder::UntilClose { total } => {
                if available == 0 {
                    return Ok((0, BodyStep::Partial));
                }
                // `total` never exceeds the maximum, so `room` is the bytes still allowed.
                let room = config.max_body_bytes - *total;
                if let Some(room) = usize::try_from(room).ok().filter(|&room| room < available) {
                    return defect(ErrorKind::BodyTooLarge, room);
                }
                *total += available as u64;
                Ok((available, BodyStep::Data(Span::new(0, available))))
            }
            BodyDecoder::Chunked(decoder) => {
                let (consumed, step) = decoder.decode(input, trailers, config)?;
                let step = match step {
                    ChunkStep::Partial => BodyStep::Partial,
                    ChunkStep::Data(span) => BodyStep::Data(span),
                    ChunkStep::Trailers(span) => BodyStep::Trailers(span),
                    ChunkStep::End => BodyStep::End,
                };
                Ok((consumed, step))
            }
        }
    }

    /// Decodes body data in place (see [`ChunkedDecoder::decode_in_place`]): returns the bytes of
    /// `buf` used, the length of the data now at its front, and whether more data may follow.
    /// Data delimited by length or by the close is already in place and is not moved.
    pub(crate) fn decode_in_place(&mut self, buf: &mut [u8], config: &Config) -> Result<(usize, usize, bool), Defect> {
        let (consumed, len) = match self {
            BodyDecoder::Chunked(decoder) => decoder.decode_in_place(buf, config)?,
            BodyDecoder::Length { .. } | BodyDecoder::UntilClose { .. } => {
                match self.decode(buf, &mut Vec::new(), config)? {
                    (n, BodyStep::Data(_)) => (n, n),
                    (_, BodyStep::Partial | BodyStep::End | BodyStep::Trailers(_)) => (0, 0),
                }
            }
        };
        Ok((consumed, len, self.has_more()))
    }

    /// Whether body data may still follow.
    fn has_more(&self) -> bool {
        match self {
            BodyDecoder::Length { remaining } => *remaining > 0,
            BodyDecoder::Chunked(decoder) => !decoder.data_done(),
            BodyDecoder::UntilClose { .. } => true,
        }
    }

    /// How many bytes passed to the decoder it has looked at without consuming them.
    pub(crate) fn pending(&self) -> usize {
        match self {
            BodyDecoder::Chunked(decoder) => decoder.pending(),
            BodyDecoder::Length { .. } | BodyDecoder::UntilClose { .. } => 0,
        }
    }

    /// Whether the peer closing the connection now ends the body (rather than cutting it short).
    pub(crate) fn ends_at_close(&self) -> bool {
        match self {
            BodyDecoder::Length { remaining } => *remaining == 0,
            BodyDecoder::Chunked(decoder) => decoder.is_done(),
            BodyDecoder::UntilClose { .. } => true,
        }
    }
}
