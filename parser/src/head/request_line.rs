//! The request line (RFC 9112 §3), scanned incrementally.
//!
//! ```text
//! request-line = method SP request-target SP HTTP-version
//! method       = token
//! ```
//!
//! Separators are exactly one SP: RFC 9112 §3 lets a recipient split on any whitespace, which is
//! how `GET /a HTTP/1.1 /b` becomes two different requests in two parsers. We do not.

use super::field::{defect, Defect};
use super::request::RequestLine;
use super::target::{parse_target, TargetForm, TargetSpans};
use super::{is_version, version_at, version_byte_ok, Span, StartLineScanner, Version};
use crate::chars::{run_of, run_of_unrolled, PATH, QUERY, TARGET, TCHAR};
use crate::{Config, ErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the request line, where empty lines are skipped (RFC 9112 §2.2).
    Leading,
    LeadingCr,
    Method,
    Target,
    Version,
    Cr,
}

/// Scans a request line, keeping its place between calls.
#[derive(Clone, Debug)]
pub(crate) struct RequestLineScanner {
    state: State,
    version_start: usize,
    /// Whether the fast path already checked the target and put its parts in `line.parts`.
    target_checked: bool,
    /// Filled in as the line is scanned: method and target spans, then parts and version.
    line: RequestLine,
}

impl Default for RequestLineScanner {
    fn default() -> Self {
        RequestLineScanner {
            state: State::Leading,
            version_start: 0,
            target_checked: false,
            line: RequestLine {
                method: Span::default(),
                target: Span::default(),
                parts: TargetSpans::bare(TargetForm::Origin, Span::default()),
                version: Version::Http11,
            },
        }
    }
}

impl RequestLineScanner {
    /// A complete, plain request line at `start` (`token SP target SP HTTP/d.d CRLF`): records
    /// its parts and returns the position after its CRLF. `None` when it is not all here or is
    /// anything else; the state machine then takes it byte by byte.
    #[inline]
    fn whole_line(&mut self, buf: &[u8], start: usize, config: &Config) -> Option<usize> {
        let rest = &buf[start..];
        // GET, most requests' method, is one compare; any other token is scanned.
        let method = if rest.starts_with(b"GET ") { 3 } else { run_of_unrolled(rest, TCHAR) };
        if method == 0 || rest.get(method) != Some(&b' ') {
            return None;
        }
        let target_start = method + 1;
        let (target, checked) = scan_target(&rest[target_start..], &rest[..method], &mut self.line.parts);
        if target == 0 || target > config.max_target_bytes || rest.get(target_start + target) != Some(&b' ') {
            return None;
        }
        let version = target_start + target + 1;
        let line = rest.get(version..version + 10)?;
        if !is_version(line) || line[8..] != *b"\r\n" {
            return None;
        }
        self.line.method = Span::new(start, start + method);
        self.line.target = Span::new(start + target_start, start + target_start + target);
        self.version_start = start + version;
        self.target_checked = checked;
        Some(start + version + 10)
    }

    /// Completes the line once its CRLF has been read: checks the target (unless the fast path
    /// did) and the version.
    fn finish(&mut self, buf: &[u8]) -> Result<bool, Defect> {
        let (method, target) = (self.line.method, self.line.target);
        if !self.target_checked {
            self.line.parts =
                parse_target(target.of(buf), method.of(buf)).map_err(|d| Defect { at: d.at + target.start, ..d })?;
        }
        self.line.version = version_at(buf, self.version_start)?;
        Ok(true)
    }
}

/// The length of the request-target at the front of `t` (a run of [`TARGET`] bytes) and, for
/// the usual target, its parts: an origin-form without pct-encoding or brackets is checked as it
/// is scanned (path bytes, then query bytes after the first "?"), so it is not read again: its
/// parts go to `parts`, and the flag says so.
#[inline]
fn scan_target(t: &[u8], method: &[u8], parts: &mut TargetSpans) -> (usize, bool) {
    if t.first() != Some(&b'/') || method == b"CONNECT" {
        return (run_of(t, TARGET), false);
    }
    let path = run_of_unrolled(t, PATH);
    let mut end = path;
    if t.get(path) == Some(&b'?') {
        end += 1 + run_of_unrolled(&t[path + 1..], QUERY);
    }
    if t.get(end) != Some(&b' ') {
        // Something else follows (pct-encoding, brackets, the end of the buffer): the general
        // check will say what.
        return (end + run_of(&t[end..], TARGET), false);
    }
    let query = (end > path).then(|| Span::new(path + 1, end));
    *parts = TargetSpans::origin(Span::new(0, path), query);
    (end, true)
}

impl StartLineScanner for RequestLineScanner {
    type Line = RequestLine;

    fn line(&self) -> &RequestLine {
        &self.line
    }

    fn reset(&mut self) {
        self.state = State::Leading;
        self.target_checked = false;
    }

    #[inline]
    fn whole(&mut self, buf: &[u8], config: &Config) -> Option<usize> {
        let end = self.whole_line(buf, 0, config)?;
        if !self.target_checked {
            self.line.parts = parse_target(self.line.target.of(buf), self.line.method.of(buf)).ok()?;
        }
        self.line.version = version_at(buf, self.version_start).ok()?;
        Some(end)
    }

    fn step(&mut self, buf: &[u8], pos: &mut usize, config: &Config) -> Result<bool, Defect> {
        let mut p = *pos;
        let result = loop {
            let Some(&b) = buf.get(p) else { break Ok(false) };
            match self.state {
                State::Leading if b != b'\r' && b != b'\n' => {
                    self.line.method = Span::new(p, p);
                    if let Some(end) = self.whole_line(buf, p, config) {
                        // The common case: the whole line is here and plain.
                        p = end;
                        break self.finish(buf);
                    }
                    self.state = State::Method;
                }
                State::Leading => match b {
                    b'\r' => {
                        self.state = State::LeadingCr;
                        p += 1;
                    }
                    b'\n' if config.allow_bare_lf => p += 1,
                    b'\n' => break defect(ErrorKind::BareLf, p),
                    _ => {
                        self.line.method = Span::new(p, p);
                        self.state = State::Method;
                    }
                },
                State::LeadingCr => {
                    if b != b'\n' {
                        break defect(ErrorKind::BareCr, p);
                    }
                    self.state = State::Leading;
                    p += 1;
                }
                State::Method => {
                    p += run_of(&buf[p..], TCHAR);
                    let Some(&b) = buf.get(p) else { continue };
                    match b {
                        b' ' if p > self.line.method.start => {
                            self.line.method.end = p;
                            p += 1;
                            self.line.target = Span::new(p, p);
                            self.state = State::Target;
                        }
                        b'\r' | b'\n' if p > self.line.method.start => break defect(ErrorKind::InvalidRequestLine, p),
                        _ => break defect(ErrorKind::InvalidMethod, p),
                    }
                }
                State::Target => {
                    p += run_of(&buf[p..], TARGET);
                    if p - self.line.target.start > config.max_target_bytes {
                        break defect(ErrorKind::TargetTooLong, self.line.target.start + config.max_target_bytes);
                    }
                    let Some(&b) = buf.get(p) else { continue };
                    match b {
                        b' ' if p == self.line.target.start => break defect(ErrorKind::InvalidTarget, p),
                        b' ' => {
                            self.line.target.end = p;
                            p += 1;
                            self.version_start = p;
                            self.state = State::Version;
                        }
                        b'\r' | b'\n' => break defect(ErrorKind::InvalidRequestLine, p),
                        _ => break defect(ErrorKind::InvalidTarget, p),
                    }
                }
                State::Version => {
                    let i = p - self.version_start;
                    if i < 8 {
                        if !version_byte_ok(i, b) {
                            break defect(ErrorKind::InvalidVersion, p);
                        }
                        p += 1;
                        continue;
                    }
                    match b {
                        b'\r' => {
                            self.state = State::Cr;
                            p += 1;
                        }
                        b'\n' if config.allow_bare_lf => {
                            p += 1;
                            break self.finish(buf);
                        }
                        b'\n' => break defect(ErrorKind::BareLf, p),
                        _ => break defect(ErrorKind::InvalidVersion, p),
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
