//! Message heads: the start line (request line or status line) and the header section.
//!
//! A head is scanned incrementally by [`HeadScanner`], which keeps its place between calls and
//! records where each part lies; the borrowed views ([`RequestHead`], [`ResponseHead`]) are built
//! from those places once the empty line ending the head has arrived.

pub(crate) mod authority;
pub(crate) mod field;
pub(crate) mod host;
pub(crate) mod options;
pub(crate) mod request;
mod request_line;
mod response;
mod status_line;
mod target;
pub(crate) mod whole;

pub use field::{Field, FieldName, Fields};
pub use host::Authority;
pub use options::ConnectionOptions;
pub use request::RequestHead;
pub use response::{ResponseHead, ResponseTo};
pub use target::{Target, TargetForm};

pub(crate) use authority::parse_authority;
pub(crate) use request_line::RequestLineScanner;
pub(crate) use response::StatusLine;
pub(crate) use status_line::StatusLineScanner;
pub(crate) use target::parse_target;

use alloc::vec::Vec;

use crate::{Config, ErrorKind};
use field::{defect, Defect, FieldScanner, FieldSpan, FieldStep, LineRules};

/// A range of bytes in a buffer, as two offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Span {
    #[inline]
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    #[inline]
    pub(crate) fn of<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[self.start..self.end]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn moved_by(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }
}

/// The HTTP version of a message (RFC 9112 §2.3). Only 1.0 and 1.1 exist on this wire: a
/// higher minor version of HTTP/1 (`HTTP/1.2`) is read as HTTP/1.1, the highest this codec
/// conforms to (RFC 9110 §2.5); any other major version is refused with 505.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `HTTP/1.0`
    Http10,
    /// `HTTP/1.1`
    Http11,
}

impl Version {
    /// The version as written on the wire.
    ///
    /// ```
    /// assert_eq!(h1wire::Version::Http11.as_str(), "HTTP/1.1");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// Checks byte `i` (0..8) of `HTTP-version = "HTTP/" DIGIT "." DIGIT`; the name is
/// case-sensitive (RFC 9112 §2.3).
fn version_byte_ok(i: usize, b: u8) -> bool {
    match i {
        0..=4 => b == b"HTTP/"[i],
        5 | 7 => b.is_ascii_digit(),
        _ => b == b'.',
    }
}

/// Whether the first eight bytes of `b` are an `HTTP-version` ([`version_byte_ok`] for each): the
/// whole-line fast paths' check.
#[inline]
fn is_version(b: &[u8]) -> bool {
    b.len() >= 8 && b[..8].iter().enumerate().all(|(i, &b)| version_byte_ok(i, b))
}

/// The version whose eight bytes start at `at`, already checked with [`version_byte_ok`].
///
/// RFC 9110 §2.5: a recipient SHOULD treat a message of a higher minor version than it conforms
/// to as if it were of the highest minor version it conforms to, so `HTTP/1.2`..`HTTP/1.9` read
/// as HTTP/1.1. `HTTP/0.9` and majors other than 1 are refused (505).
fn version_at(buf: &[u8], at: usize) -> Result<Version, Defect> {
    match (buf[at + 5], buf[at + 7]) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', _) => Ok(Version::Http11),
        _ => defect(ErrorKind::UnsupportedVersion, at),
    }
}

/// A scanner of one kind of start line. The line it finds stays inside it (the head views borrow
/// it from there), so no parts are copied about once per head.
pub(crate) trait StartLineScanner: Default {
    /// What the scanner found, with spans into the head buffer.
    type Line;
    /// Scans from `*pos` (and moves it); `true` once the line is complete.
    fn step(&mut self, buf: &[u8], pos: &mut usize, config: &Config) -> Result<bool, Defect>;
    /// The line found; meaningful once [`step`](Self::step) has returned `true`.
    fn line(&self) -> &Self::Line;
    /// The start line at the front of `buf` when it is whole and plain, checked in full as
    /// [`step`](Self::step) would check it: its length, the line then being in
    /// [`line`](Self::line). `None` for anything else, which `step` then scans from the start.
    fn whole(&mut self, buf: &[u8], config: &Config) -> Option<usize>;
    /// Ready for the next line. Only the scanning state is reset: the last line's parts stay
    /// until the next line overwrites them (a new head is never read before they are).
    fn reset(&mut self);
}

/// Scans a head: a start line, then field lines until the empty line, within the head limits.
#[derive(Clone, Debug)]
pub(crate) struct HeadScanner<S: StartLineScanner> {
    pos: usize,
    start: S,
    line_done: bool,
    fields: FieldScanner,
    rules: LineRules,
}

impl<S: StartLineScanner> HeadScanner<S> {
    pub(crate) fn new(rules: LineRules) -> Self {
        HeadScanner { pos: 0, start: S::default(), line_done: false, fields: FieldScanner::new(), rules }
    }

    /// Ready for the next head.
    pub(crate) fn reset(&mut self) {
        self.pos = 0;
        self.start.reset();
        self.line_done = false;
        self.fields.reset();
    }

    /// Whether any byte of a head has been seen.
    pub(crate) fn started(&self) -> bool {
        self.pos > 0
    }

    /// How many bytes of the head have been scanned.
    pub(crate) fn scanned(&self) -> usize {
        self.pos
    }

    /// The known field names among the fields scanned so far.
    pub(crate) fn known(&self) -> field::KnownSet {
        self.fields.known()
    }

    /// The start line, once scanned.
    pub(crate) fn line(&self) -> Option<&S::Line> {
        self.line_done.then(|| self.start.line())
    }

    /// Scans `buf`, which holds the head from its first byte, from where the last call stopped.
    /// Returns the head's length once the head is complete (the start line is then in
    /// [`line`](Self::line)); each field line is pushed onto `out` as it completes. Only small
    /// values travel back, as this runs once per received piece.
    #[inline]
    pub(crate) fn step(
        &mut self,
        buf: &[u8],
        out: &mut Vec<FieldSpan>,
        config: &Config,
    ) -> Result<Option<usize>, Defect> {
        let limit = buf.len().min(config.max_head_bytes);
        let bounded = &buf[..limit];
        // A caller that hands a shorter buffer than before has dropped bytes we scanned: start
        // again rather than index past its end.
        if self.pos > bounded.len() {
            self.reset();
            out.clear();
        }
        if !self.line_done {
            self.line_done = self.start.step(bounded, &mut self.pos, config)?;
            if !self.line_done {
                return self.partial(config);
            }
        }
        match self.fields.step(bounded, &mut self.pos, self.rules, out, config.max_fields)? {
            FieldStep::Partial => self.partial(config),
            FieldStep::End => Ok(Some(self.pos)),
        }
    }

    /// The head was taken whole by the fast path ([`whole`](Self::whole)), up to `end`.
    fn finish_whole(&mut self, end: usize, known: field::KnownSet) {
        self.pos = end;
        self.line_done = true;
        self.fields.finish_whole(known);
    }

    fn partial<T>(&self, config: &Config) -> Result<Option<T>, Defect> {
        if self.pos >= config.max_head_bytes {
            return defect(ErrorKind::HeadTooLarge, config.max_head_bytes);
        }
        Ok(None)
    }
}
