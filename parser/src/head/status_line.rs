//! The status line (RFC 9112 §4), scanned incrementally.
//!
//! ```text
//! status-line   = HTTP-version SP status-code SP [ reason-phrase ]
//! status-code   = 3DIGIT                      ; 100..=999 read, RFC 9110 §15
//! reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
//! ```
//!
//! The SP after the status code is required even when the reason is empty; no empty lines are
//! skipped before a status line (RFC 9112 §2.2 allows that for requests only).
//!
//! RFC 9110 §15 calls codes outside 100..=599 invalid, yet tells a client to process a response
//! with one as a 5xx rather than drop it: 600..=999 are read (libraries use them for their own
//! errors), and the head says to treat them as 5xx. `000`..`099` are not a status at all.

use super::field::{defect, Defect};
use super::response::StatusLine;
use super::{is_version, version_at, version_byte_ok, Span, StartLineScanner, Version};
use crate::chars::value_run;
use crate::{Config, ErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Version,
    Code,
    Reason,
    Cr,
}

/// Scans a status line, keeping its place between calls.
#[derive(Clone, Debug)]
pub(crate) struct StatusLineScanner {
    state: State,
    code_start: usize,
    line: StatusLine,
}

impl Default for StatusLineScanner {
    fn default() -> Self {
        StatusLineScanner {
            state: State::Version,
            code_start: 0,
            line: StatusLine { version: Version::Http11, code: 0, reason: Span::default() },
        }
    }
}

impl StatusLineScanner {
    /// Completes the line once its CRLF has been read.
    fn finish(&mut self, buf: &[u8]) -> Result<bool, Defect> {
        let code = buf[self.code_start..self.code_start + 3].iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
        self.line.version = version_at(buf, 0)?;
        self.line.code = code;
        Ok(true)
    }
}

impl StartLineScanner for StatusLineScanner {
    type Line = StatusLine;

    fn line(&self) -> &StatusLine {
        &self.line
    }

    fn reset(&mut self) {
        self.state = State::Version;
    }

    #[inline]
    fn whole(&mut self, buf: &[u8], _: &Config) -> Option<usize> {
        // `HTTP/d.d SP 3DIGIT SP` then the reason phrase and CRLF.
        let start = buf.first_chunk::<13>()?;
        let plain = is_version(start)
            && start[8] == b' '
            && (b'1'..=b'9').contains(&start[9])
            && start[10].is_ascii_digit()
            && start[11].is_ascii_digit()
            && start[12] == b' ';
        if !plain {
            return None;
        }
        let version = version_at(buf, 0).ok()?;
        let end = 13 + value_run(&buf[13..]);
        if buf.get(end..end + 2) != Some(b"\r\n") {
            return None;
        }
        let code = start[9..12].iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
        self.line = StatusLine { version, code, reason: Span::new(13, end) };
        Some(end + 2)
    }

    fn step(&mut self, buf: &[u8], pos: &mut usize, config: &Config) -> Result<bool, Defect> {
        let mut p = *pos;
        let result = loop {
            let Some(&b) = buf.get(p) else { break Ok(false) };
            match self.state {
                State::Version => {
                    if p < 8 {
                        if !version_byte_ok(p, b) {
                            break defect(ErrorKind::InvalidVersion, p);
                        }
                    } else if b == b' ' {
                        version_at(buf, 0)?;
                        self.code_start = p + 1;
                        self.state = State::Code;
                    } else {
                        break defect(ErrorKind::InvalidVersion, p);
                    }
                    p += 1;
                }
                State::Code => {
                    let i = p - self.code_start;
                    if i < 3 {
                        if !b.is_ascii_digit() || (i == 0 && b == b'0') {
                            break defect(ErrorKind::InvalidStatusCode, p);
                        }
                    } else if b == b' ' {
                        self.line.reason = Span::new(p + 1, p + 1);
                        self.state = State::Reason;
                    } else if b.is_ascii_digit() {
                        break defect(ErrorKind::InvalidStatusCode, p);
                    } else {
                        break defect(ErrorKind::InvalidStatusLine, p);
                    }
                    p += 1;
                }
                State::Reason => {
                    p += value_run(&buf[p..]);
                    let Some(&b) = buf.get(p) else { continue };
                    match b {
                        b'\r' => {
                            self.line.reason.end = p;
                            self.state = State::Cr;
                            p += 1;
                        }
                        b'\n' if config.allow_bare_lf => {
                            self.line.reason.end = p;
                            p += 1;
                            break self.finish(buf);
                        }
                        b'\n' => break defect(ErrorKind::BareLf, p),
                        _ => break defect(ErrorKind::InvalidReasonPhrase, p),
                    }
                }
                State::Cr => {
                    if b != b'\n' {
                        break defect(ErrorKind::BareCr, p);
                    }
                    p += 1;
                    break self.finish(buf);
                }
            }
        };
        *pos = p;
        result
    }
}
