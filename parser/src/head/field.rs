//! Field lines (RFC 9112 §5, RFC 9110 §5): the scanner shared by header and trailer sections, and
//! the borrowed [`Fields`] view handed to the caller.
//!
//! ```text
//! field-line   = field-name ":" OWS field-value OWS
//! field-name   = token
//! field-value  = *field-content          ; VCHAR, SP, HTAB, obs-text
//! obs-fold     = OWS CRLF RWS            ; refused, or unfolded in responses on request
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;

use crate::chars::{is, is_ows, run_of, run_of_unrolled, value_run, TCHAR};
use crate::ErrorKind;

/// A defect found while scanning, at a position relative to the scanned buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Defect {
    pub(crate) kind: ErrorKind,
    pub(crate) at: usize,
}

pub(crate) fn defect<T>(kind: ErrorKind, at: usize) -> Result<T, Defect> {
    Err(Defect { kind, at })
}

/// The line-ending rules in force for one scan.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineRules {
    pub(crate) allow_bare_lf: bool,
    pub(crate) allow_obs_fold: bool,
}

/// The field names the parser and the connection act on, recognised once as each line completes
/// so that the Host, framing and connection rules never compare names again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KnownName {
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    Expect,
    Upgrade,
    Other,
}

impl KnownName {
    /// The known name `name` is, compared case-insensitively (RFC 9110 §5.1), or `Other`.
    ///
    /// No two known names share a length, so the length picks the one candidate, and the bytes
    /// are compared as one or two words that may overlap (the first and the last four or eight
    /// bytes, and the middle eight of a longer name), each ORed with 0x20 and compared with the
    /// lowercase name. For a token that compare is exact: `b | 0x20` equals a lowercase letter
    /// only when `b` is that letter in either case, and equals `-` only when `b` is `-` (CR is
    /// not a token byte). Every other length, most names, costs one test.
    #[inline(always)]
    pub(crate) fn of(name: &[u8]) -> KnownName {
        const CASE4: u32 = 0x2020_2020;
        const CASE8: u64 = 0x2020_2020_2020_2020;
        const fn w4(s: &[u8], at: usize) -> u32 {
            u32::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]])
        }
        const fn w8(s: &[u8], at: usize) -> u64 {
            u64::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3], s[at + 4], s[at + 5], s[at + 6], s[at + 7]])
        }
        let is4 = |at: usize, lower: u32| {
            name.get(at..at + 4).is_some_and(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | CASE4 == lower)
        };
        let is8 = |at: usize, lower: u64| {
            name.get(at..at + 8)
                .and_then(|w| w.first_chunk::<8>())
                .is_some_and(|w| u64::from_le_bytes(*w) | CASE8 == lower)
        };
        // The lowercase words, computed at compile time.
        const HOST: u32 = w4(b"host", 0);
        const EXPECT: [u32; 2] = [w4(b"expect", 0), w4(b"expect", 2)];
        const UPGRADE: [u32; 2] = [w4(b"upgrade", 0), w4(b"upgrade", 3)];
        const CONNECTION: (u64, u32) = (w8(b"connection", 0), w4(b"connection", 6));
        const CONTENT_LENGTH: [u64; 2] = [w8(b"content-length", 0), w8(b"content-length", 6)];
        const TRANSFER_ENCODING: (u64, u64, u32) =
            (w8(b"transfer-encoding", 0), w8(b"transfer-encoding", 8), w4(b"transfer-encoding", 13));
        match name.len() {
            4 if is4(0, HOST) => KnownName::Host,
            6 if is4(0, EXPECT[0]) && is4(2, EXPECT[1]) => KnownName::Expect,
            7 if is4(0, UPGRADE[0]) && is4(3, UPGRADE[1]) => KnownName::Upgrade,
            10 if is8(0, CONNECTION.0) && is4(6, CONNECTION.1) => KnownName::Connection,
            14 if is8(0, CONTENT_LENGTH[0]) && is8(6, CONTENT_LENGTH[1]) => KnownName::ContentLength,
            17 if is8(0, TRANSFER_ENCODING.0) && is8(8, TRANSFER_ENCODING.1) && is4(13, TRANSFER_ENCODING.2) => {
                KnownName::TransferEncoding
            }
            _ => KnownName::Other,
        }
    }

    fn bit(self) -> u8 {
        match self {
            KnownName::Host => 1,
            KnownName::ContentLength => 2,
            KnownName::TransferEncoding => 4,
            KnownName::Connection => 8,
            KnownName::Expect => 16,
            KnownName::Upgrade => 32,
            KnownName::Other => 0,
        }
    }
}

/// Which of the [`KnownName`]s a section holds, gathered as its lines are pushed, so that the
/// head rules skip their passes over the fields when there is nothing for them (most requests
/// have no Content-Length or Transfer-Encoding).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KnownSet(u8);

impl KnownSet {
    pub(crate) fn contains(self, name: KnownName) -> bool {
        self.0 & name.bit() != 0
    }

    /// Whether Content-Length or Transfer-Encoding is there.
    pub(crate) fn has_framing(self) -> bool {
        self.contains(KnownName::ContentLength) || self.contains(KnownName::TransferEncoding)
    }

    /// Whether Connection, Expect or Upgrade is there.
    pub(crate) fn has_options(self) -> bool {
        self.contains(KnownName::Connection) || self.contains(KnownName::Expect) || self.contains(KnownName::Upgrade)
    }
}

/// Where one field line lies in the section's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    /// Start of the line, which is also the start of the name.
    pub(crate) line: usize,
    pub(crate) name_end: usize,
    pub(crate) value_start: usize,
    /// End of the value without trailing OWS.
    pub(crate) value_end: usize,
    /// The value spans obs-folds (raw CRLF and whitespace inside).
    pub(crate) folded: bool,
    pub(crate) known: KnownName,
}

impl FieldSpan {
    const EMPTY: FieldSpan =
        FieldSpan { line: 0, name_end: 0, value_start: 0, value_end: 0, folded: false, known: KnownName::Other };

    #[inline]
    pub(crate) fn value<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[self.value_start..self.value_end]
    }
}

/// What one call to [`FieldScanner::step`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FieldStep {
    /// The buffer ended; call again with more.
    Partial,
    /// The empty line that ends the section has been consumed.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    LineStart,
    Name,
    /// Whitespace after a name: a colon next means whitespace before the colon, anything else
    /// a name with whitespace inside. Either way the defect is reported where the run started.
    NameWs {
        start: usize,
    },
    ValueOws,
    FoldOws,
    Value,
    ValueCr,
    EndCr,
}

/// An incremental scanner of a field section. It keeps its place between calls, so each byte is
/// examined once however the input is split (trailing OWS is looked at twice: once as value, once
/// when trimmed).
#[derive(Clone, Debug)]
pub(crate) struct FieldScanner {
    state: State,
    current: FieldSpan,
    /// The last complete line, held back until the next line shows it is not folded.
    pending: Option<FieldSpan>,
    known: KnownSet,
}

impl FieldScanner {
    pub(crate) fn new() -> Self {
        FieldScanner { state: State::LineStart, current: FieldSpan::EMPTY, pending: None, known: KnownSet(0) }
    }

    /// Ready for the next section.
    pub(crate) fn reset(&mut self) {
        self.state = State::LineStart;
        self.pending = None;
        self.known = KnownSet(0);
    }

    /// The known names among the lines pushed so far.
    pub(crate) fn known(&self) -> KnownSet {
        self.known
    }

    /// The section was taken whole by the fast path, which found these known names.
    pub(crate) fn finish_whole(&mut self, known: KnownSet) {
        self.known = known;
    }

    /// Scans `buf` from `*pos` (and moves it) until the section ends or the buffer runs out,
    /// pushing each field line onto `out` once the next line's first byte shows it is not
    /// continued by an obs-fold. More than `max_fields` lines is [`ErrorKind::TooManyFields`].
    pub(crate) fn step(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        rules: LineRules,
        out: &mut Vec<FieldSpan>,
        max_fields: usize,
    ) -> Result<FieldStep, Defect> {
        let mut p = *pos;
        // The usual section: plain lines, all here, taken without the state machine.
        if self.state == State::LineStart && self.pending.is_none() && self.take_plain(buf, &mut p, out, max_fields)? {
            *pos = p;
            return Ok(FieldStep::End);
        }
        let result = self.run(buf, &mut p, rules, out, max_fields);
        *pos = p;
        result
    }

    /// Takes whole, plain field lines from `*p` (with nothing pending), pushing each whose
    /// successor's first byte shows it is not continued by an obs-fold. Stops at anything else,
    /// for the state machine to take byte by byte; a line whose successor is not here yet or is
    /// whitespace is left pending. `true` when the empty line ending the section was taken.
    #[inline(never)]
    fn take_plain(
        &mut self,
        buf: &[u8],
        p: &mut usize,
        out: &mut Vec<FieldSpan>,
        max_fields: usize,
    ) -> Result<bool, Defect> {
        while let Some((field, next)) = whole_line(buf, *p) {
            *p = next;
            match buf.get(next) {
                Some(&b) if !is_ows(b) => push(out, &mut self.known, field, max_fields)?,
                _ => {
                    self.pending = Some(field);
                    return Ok(false);
                }
            }
        }
        if buf.get(*p..*p + 2) == Some(b"\r\n") {
            *p += 2;
            return Ok(true);
        }
        Ok(false)
    }

    fn run(
        &mut self,
        buf: &[u8],
        p: &mut usize,
        rules: LineRules,
        out: &mut Vec<FieldSpan>,
        max_fields: usize,
    ) -> Result<FieldStep, Defect> {
        loop {
            let Some(&b) = buf.get(*p) else {
                return Ok(FieldStep::Partial);
            };
            match self.state {
                State::LineStart => {
                    if is_ows(b) {
                        // A line starting with whitespace continues the previous one (§5.2),
                        // or, right after the start line, may hide a field (§2.2).
                        let Some(previous) = self.pending.take() else {
                            return defect(ErrorKind::WhitespaceBeforeFirstField, *p);
                        };
                        if !rules.allow_obs_fold {
                            return defect(ErrorKind::ObsFold, *p);
                        }
                        self.current = previous;
                        self.current.folded = true;
                        self.state = State::FoldOws;
                        *p += 1;
                        continue;
                    }
                    // With nothing pending, `step` has just tried the plain lines from here.
                    if let Some(done) = self.pending.take() {
                        push(out, &mut self.known, done, max_fields)?;
                        let start = *p;
                        if self.take_plain(buf, p, out, max_fields)? {
                            return Ok(FieldStep::End);
                        }
                        if *p > start {
                            continue;
                        }
                    }
                    match b {
                        b'\r' => {
                            self.state = State::EndCr;
                            *p += 1;
                        }
                        b'\n' if rules.allow_bare_lf => {
                            *p += 1;
                            return Ok(FieldStep::End);
                        }
                        b'\n' => return defect(ErrorKind::BareLf, *p),
                        _ if is(b, TCHAR) => {
                            self.current = FieldSpan { line: *p, ..FieldSpan::EMPTY };
                            self.state = State::Name;
                            *p += 1;
                        }
                        _ => return defect(ErrorKind::InvalidFieldName, *p),
                    }
                }
                State::Name => {
                    *p += run_of(&buf[*p..], TCHAR);
                    let Some(&b) = buf.get(*p) else { continue };
                    match b {
                        b':' => {
                            self.current.name_end = *p;
                            self.current.known = KnownName::of(&buf[self.current.line..*p]);
                            self.state = State::ValueOws;
                            *p += 1;
                        }
                        b' ' | b'\t' => self.state = State::NameWs { start: *p },
                        b'\r' | b'\n' => return defect(ErrorKind::MissingColon, *p),
                        _ => return defect(ErrorKind::InvalidFieldName, *p),
                    }
                }
                State::NameWs { start } => match b {
                    b' ' | b'\t' => *p += 1,
                    b':' => return defect(ErrorKind::WhitespaceBeforeColon, start),
                    b'\r' | b'\n' => return defect(ErrorKind::MissingColon, start),
                    _ => return defect(ErrorKind::InvalidFieldName, start),
                },
                State::ValueOws | State::FoldOws => {
                    *p += buf[*p..].iter().position(|&b| !is_ows(b)).unwrap_or(buf.len() - *p);
                    if *p == buf.len() {
                        continue;
                    }
                    if self.state == State::ValueOws || self.current.value_start == self.current.value_end {
                        self.current.value_start = *p;
                    }
                    self.state = State::Value;
                }
                State::Value => {
                    *p += value_run(&buf[*p..]);
                    let Some(&b) = buf.get(*p) else { continue };
                    match b {
                        b'\r' => {
                            self.end_value(buf, *p);
                            self.state = State::ValueCr;
                            *p += 1;
                        }
                        b'\n' if rules.allow_bare_lf => {
                            self.end_value(buf, *p);
                            self.end_line();
                            *p += 1;
                        }
                        b'\n' => return defect(ErrorKind::BareLf, *p),
                        _ => return defect(ErrorKind::InvalidFieldValue, *p),
                    }
                }
                State::ValueCr => {
                    if b != b'\n' {
                        return defect(ErrorKind::BareCr, *p);
                    }
                    self.end_line();
                    *p += 1;
                }
                State::EndCr => {
                    if b != b'\n' {
                        return defect(ErrorKind::BareCr, *p);
                    }
                    *p += 1;
                    return Ok(FieldStep::End);
                }
            }
        }
    }

    fn end_value(&mut self, buf: &[u8], line_end: usize) {
        self.current.value_end = trim_end(buf, self.current.value_start, line_end);
    }

    fn end_line(&mut self) {
        self.pending = Some(self.current);
        self.state = State::LineStart;
    }
}

/// Pushes a field line onto `out`, the caller having checked the limit, and notes its name.
#[inline(always)]
pub(crate) fn push_known(out: &mut Vec<FieldSpan>, known: &mut KnownSet, field: FieldSpan) {
    known.0 |= field.known.bit();
    out.push(field);
}

/// Pushes a complete field line onto `out`, refusing more than `max_fields`.
#[inline(always)]
fn push(out: &mut Vec<FieldSpan>, known: &mut KnownSet, field: FieldSpan, max_fields: usize) -> Result<(), Defect> {
    if out.len() == max_fields {
        return defect(ErrorKind::TooManyFields, field.line);
    }
    push_known(out, known, field);
    Ok(())
}

/// `value_start..line_end` without trailing OWS: its end.
#[inline]
fn trim_end(buf: &[u8], value_start: usize, mut line_end: usize) -> usize {
    while line_end > value_start && is_ows(buf[line_end - 1]) {
        line_end -= 1;
    }
    line_end
}

/// A complete, plain field line at `start` (`token ":" OWS value CRLF`, every byte valid): its
/// span and the position after its CRLF. `None` when the line is not all here or is anything
/// else; the state machine then takes it byte by byte and reports what is wrong.
#[inline(always)]
pub(crate) fn whole_line(buf: &[u8], start: usize) -> Option<(FieldSpan, usize)> {
    let name_end = start + run_of_unrolled(buf.get(start..)?, TCHAR);
    if name_end == start || buf.get(name_end) != Some(&b':') {
        return None;
    }
    let mut v = name_end + 1;
    while let Some(&(b' ' | b'\t')) = buf.get(v) {
        v += 1;
    }
    let end = v + value_run(buf.get(v..)?);
    if buf.get(end..end + 2) != Some(b"\r\n") {
        return None;
    }
    let field = FieldSpan {
        line: start,
        name_end,
        value_start: v,
        value_end: trim_end(buf, v, end),
        folded: false,
        known: KnownName::of(&buf[start..name_end]),
    };
    Some((field, end + 2))
}

/// The field lines of a head or of a trailer section, borrowed from the caller's buffer, in the
/// order received.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Parse, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let out = parser.parse(b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n").unwrap();
/// let Some(Event::Head { head, .. }) = out.event else { panic!() };
/// assert_eq!(head.fields().len(), 2);
/// assert_eq!(head.fields().get("accept"), Some(&b"*/*"[..]));
/// ```
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    buf: &'a [u8],
    spans: &'a [FieldSpan],
}

impl<'a> Fields<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a [u8], spans: &'a [FieldSpan]) -> Self {
        Fields { buf, spans }
    }

    /// The number of field lines.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no field lines.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The field lines in order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let buf = self.buf;
        self.spans.iter().map(move |s| Field::new(buf, s))
    }

    /// The value of the first field line named `name` (compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field line named `name` (compared case-insensitively), in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.iter().filter(move |f| f.name().eq_ignore_ascii_case(name)).map(|f| f.value())
    }
}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One field line: a name and a value with the surrounding whitespace removed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    name: &'a [u8],
    value: &'a [u8],
    folded: bool,
}

impl<'a> Field<'a> {
    #[inline]
    fn new(buf: &'a [u8], span: &FieldSpan) -> Self {
        Field { name: &buf[span.line..span.name_end], value: span.value(buf), folded: span.folded }
    }

    /// The field name as received (compare it case-insensitively). It was checked as a token
    /// when the line was scanned, so handing it out costs nothing.
    #[inline]
    pub fn name(&self) -> FieldName<'a> {
        FieldName(self.name)
    }

    /// The field value as received, without leading and trailing whitespace. It may hold
    /// `obs-text` bytes (0x80–0xFF); when [`is_folded`](Field::is_folded), it also holds the raw
    /// CRLF and whitespace of each obs-fold.
    #[inline]
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// Whether the value was continued over obs-fold lines (only with
    /// [`Config::allow_obs_fold`](crate::Config::allow_obs_fold), in responses).
    #[inline]
    pub fn is_folded(&self) -> bool {
        self.folded
    }

    /// The value with each obs-fold replaced by one SP, as RFC 9112 §5.2 asks of a recipient
    /// that accepts them. Borrowed when there was no fold.
    pub fn unfolded_value(&self) -> Cow<'a, [u8]> {
        if !self.folded {
            return Cow::Borrowed(self.value);
        }
        let mut out = Vec::with_capacity(self.value.len());
        let mut i = 0;
        while i < self.value.len() {
            let b = self.value[i];
            if b == b'\r' || b == b'\n' {
                // Drop the whitespace before and after the line break, keep one SP.
                while out.last().is_some_and(|&b| is_ows(b)) {
                    out.pop();
                }
                out.push(b' ');
                i += 1;
                while i < self.value.len() && (is_ows(self.value[i]) || self.value[i] == b'\n') {
                    i += 1;
                }
            } else {
                out.push(b);
                i += 1;
            }
        }
        Cow::Owned(out)
    }
}

/// A field name as received: a token (RFC 9110 §5.1), checked when its line was scanned, so
/// that reading it costs no more than reading the value. Field names are case-insensitive:
/// compare them with [`eq_ignore_ascii_case`](FieldName::eq_ignore_ascii_case).
///
/// ```
/// use h1wire::{Event, Parse, RequestParser};
///
/// let mut parser = RequestParser::new();
/// let out = parser.parse(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").unwrap();
/// let Some(Event::Head { head, .. }) = out.event else { panic!() };
/// let name = head.fields().iter().next().unwrap().name();
/// assert!(name.eq_ignore_ascii_case("host"));
/// assert_eq!(name.as_bytes(), b"Host");
/// assert_eq!(name.as_str(), "Host");
/// assert_eq!(name, "Host");
/// assert_eq!(name.to_string(), "Host");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldName<'a>(&'a [u8]);

impl<'a> FieldName<'a> {
    /// The name's bytes, as received.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The name as a string. A token is ASCII, so this cannot fail, but it makes the one pass
    /// over the name that the standard library needs to call bytes a `str` (h1wire uses no
    /// `unsafe`); [`as_bytes`](FieldName::as_bytes) and
    /// [`eq_ignore_ascii_case`](FieldName::eq_ignore_ascii_case) do not.
    pub fn as_str(&self) -> &'a str {
        core::str::from_utf8(self.0).expect("field names are tokens, and tokens are ASCII")
    }

    /// Whether the name is `other`, ignoring ASCII case (field names are case-insensitive,
    /// RFC 9110 §5.1).
    #[inline]
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other.as_bytes())
    }

    /// The name's length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the name is empty (never, for a name h1wire hands out: a token has a byte).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialEq<str> for FieldName<'_> {
    /// Byte for byte, case included; use `eq_ignore_ascii_case` to compare names as HTTP does.
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for FieldName<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Display for FieldName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for FieldName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.value.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [(&str, KnownName); 6] = [
        ("host", KnownName::Host),
        ("expect", KnownName::Expect),
        ("upgrade", KnownName::Upgrade),
        ("connection", KnownName::Connection),
        ("content-length", KnownName::ContentLength),
        ("transfer-encoding", KnownName::TransferEncoding),
    ];

    #[test]
    fn known_names_are_recognised_in_any_case_and_nothing_else_is() {
        for (name, kind) in KNOWN {
            assert_eq!(KnownName::of(name.as_bytes()), kind);
            assert_eq!(KnownName::of(name.to_ascii_uppercase().as_bytes()), kind);
            // Every token that differs from the name in one byte: the OR compare must agree
            // with a case-insensitive one.
            for at in 0..name.len() {
                for b in (0..=255u8).filter(|&b| is(b, TCHAR)) {
                    let mut other = name.as_bytes().to_vec();
                    other[at] = b;
                    let expected = if other.eq_ignore_ascii_case(name.as_bytes()) { kind } else { KnownName::Other };
                    assert_eq!(KnownName::of(&other), expected, "{}", other.escape_ascii());
                }
            }
        }
        for other in ["", "x", "hosts", "accept", "user-agent", "content-lengt", "te"] {
            assert_eq!(KnownName::of(other.as_bytes()), KnownName::Other, "{other}");
        }
    }
}
