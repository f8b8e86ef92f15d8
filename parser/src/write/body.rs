//! Body encoders: by length, chunked, or until the connection closes — the mirror of the
//! decoders in `body/`.

use alloc::vec::Vec;

use super::WriteError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Empty,
    Length { remaining: u64 },
    Chunked,
    UntilClose,
    Finished,
}

/// Encodes one body; made by [`encode_request_head`](super::encode_request_head) or
/// [`encode_response_head`](super::encode_response_head).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "the body must be finished, even when empty"]
pub struct BodyEncoder {
    kind: Kind,
}

/// How a finished body left the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finished {
    /// Whether the connection can carry another message: false when the body was delimited by
    /// the close, or ended short of its declared Content-Length (the peer still waits for the
    /// rest).
    pub reusable: bool,
}

impl BodyEncoder {
    pub(crate) fn empty() -> Self {
        BodyEncoder { kind: Kind::Empty }
    }

    pub(crate) fn length(n: u64) -> Self {
        BodyEncoder { kind: if n == 0 { Kind::Empty } else { Kind::Length { remaining: n } } }
    }

    pub(crate) fn chunked() -> Self {
        BodyEncoder { kind: Kind::Chunked }
    }

    pub(crate) fn until_close() -> Self {
        BodyEncoder { kind: Kind::UntilClose }
    }

    pub(crate) fn is_chunked(&self) -> bool {
        self.kind == Kind::Chunked
    }

    /// Whether the body ends by closing the connection.
    pub fn is_until_close(&self) -> bool {
        self.kind == Kind::UntilClose
    }

    /// Whether the message may carry body data at all.
    pub fn allows_data(&self) -> bool {
        !matches!(self.kind, Kind::Empty | Kind::Finished)
    }

    /// Appends `data` as body, framed, to `out`. Empty data writes nothing (an empty chunk would
    /// end a chunked body).
    ///
    /// # Errors
    ///
    /// [`WriteError::BodyTooLong`] past the declared length (nothing is written then);
    /// [`WriteError::BodyNotAllowed`] for a message without a body or after `finish`.
    pub fn encode_data(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), WriteError> {
        match &mut self.kind {
            Kind::Empty | Kind::Finished if data.is_empty() => Ok(()),
            Kind::Empty | Kind::Finished => Err(WriteError::BodyNotAllowed),
            Kind::Length { remaining } => {
                if data.len() as u64 > *remaining {
                    return Err(WriteError::BodyTooLong);
                }
                *remaining -= data.len() as u64;
                out.extend_from_slice(data);
                Ok(())
            }
            Kind::Chunked => {
                if !data.is_empty() {
                    write_hex(data.len() as u64, out);
                    out.extend_from_slice(b"\r\n");
                    out.extend_from_slice(data);
                    out.extend_from_slice(b"\r\n");
                }
                Ok(())
            }
            Kind::UntilClose => {
                out.extend_from_slice(data);
                Ok(())
            }
        }
    }

    /// Ends the body: the last chunk and `trailers` for a chunked body, nothing otherwise.
    ///
    /// # Errors
    ///
    /// [`WriteError::TrailersNotAllowed`] for trailers on a body that is not chunked;
    /// [`WriteError::InvalidFieldName`] / [`WriteError::InvalidFieldValue`] for a bad trailer;
    /// [`WriteError::BodyNotAllowed`] when already finished.
    pub fn finish(&mut self, trailers: &[(&str, &[u8])], out: &mut Vec<u8>) -> Result<Finished, WriteError> {
        if !trailers.is_empty() && self.kind != Kind::Chunked {
            return Err(WriteError::TrailersNotAllowed);
        }
        let reusable = match self.kind {
            Kind::Finished => return Err(WriteError::BodyNotAllowed),
            Kind::Empty => true,
            Kind::Length { remaining } => remaining == 0,
            Kind::UntilClose => false,
            Kind::Chunked => {
                for (index, (name, value)) in trailers.iter().enumerate() {
                    super::head::check_field(index, name, value)?;
                }
                out.extend_from_slice(b"0\r\n");
                for (name, value) in trailers {
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(value);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
                true
            }
        };
        self.kind = Kind::Finished;
        Ok(Finished { reusable })
    }
}

/// Lower-case hex without leading zeros.
#[allow(clippy::cast_possible_truncation, reason = "each digit is masked to four bits")]
fn write_hex(n: u64, out: &mut Vec<u8>) {
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        out.push(b"0123456789abcdef"[(n >> (i * 4) & 0xf) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex() {
        for (n, s) in [(0, "0"), (1, "1"), (15, "f"), (16, "10"), (300_000, "493e0"), (u64::MAX, "ffffffffffffffff")] {
            let mut out = Vec::new();
            write_hex(n, &mut out);
            assert_eq!(out, s.as_bytes());
        }
    }
}
