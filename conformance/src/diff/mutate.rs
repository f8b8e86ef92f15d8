//! Mutations of a stream, at the byte and at the message level: the kinds of change the
//! published smuggling techniques are made of (a stray CR, LF, NUL, SP or HTAB; a field line
//! duplicated or dropped; a framing field added; a length changed; a boundary moved).

/// One kind of mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// Insert one of CR, LF, NUL, SP, HTAB, VT, FF, `,`, `;`, `"`, 0x80, 0xFF.
    InsertByte,
    /// Delete one byte.
    DeleteByte,
    /// Replace one byte with one of the bytes above.
    ReplaceByte,
    /// Duplicate a line.
    DuplicateLine,
    /// Drop a line.
    DropLine,
    /// Turn a CRLF into LF, or a LF into CRLF.
    LineEnding,
    /// Change a run of digits (a length, a chunk size, a version).
    ChangeNumber,
    /// Add a framing field line after the first line (Transfer-Encoding, Content-Length,
    /// with the variations smuggling uses).
    AddFramingField,
    /// Insert or remove an empty line where a head ends.
    MoveBoundary,
    /// Turn a request line's `HTTP/1.1` into `HTTP/1.0`, or back (HTTP/1.0 changes framing:
    /// Transfer-Encoding is faulty there, and persistence needs `Connection: keep-alive`).
    Version,
    /// Append a long chunk extension to a chunk-size line (RFC 9112 §7.1.1 lets a server limit
    /// them: a SHOULD-level limit that readers set differently).
    ChunkExtension,
}

const BYTES: &[u8] = b"\r\n\0 \t\x0b\x0c,;\"\x80\xff";
const FRAMING: &[&str] = &[
    "Transfer-Encoding: chunked",
    "Transfer-Encoding:  chunked",
    "Transfer-Encoding: chunked, identity",
    "Transfer-Encoding: identity, chunked",
    "Transfer-Encoding: xchunked",
    "Transfer-Encoding : chunked",
    "Transfer-Encoding:\tchunked",
    "transfer-encoding: CHUNKED",
    "Transfer-Encoding: \"chunked\"",
    "Content-Length: 0",
    "Content-Length: 5",
    "Content-Length: 50",
    "Content-Length: +5",
    "Content-Length: 5, 5",
    "Content-Length: 05",
    "Content-Length: 5 ",
    "Content-Length: 0x5",
    "Expect: 100-continue",
    "Connection: close",
    "Connection: keep-alive",
    "Upgrade: h2c",
];
const NUMBERS: &[&str] = &["0", "1", "2", "5", "9", "00", "10", "ff", "FF", "-1", "+1", "1 ", "18446744073709551616"];

impl Mutation {
    /// Every mutation.
    pub const ALL: [Mutation; 11] = [
        Mutation::InsertByte,
        Mutation::DeleteByte,
        Mutation::ReplaceByte,
        Mutation::DuplicateLine,
        Mutation::DropLine,
        Mutation::LineEnding,
        Mutation::ChangeNumber,
        Mutation::AddFramingField,
        Mutation::MoveBoundary,
        Mutation::Version,
        Mutation::ChunkExtension,
    ];

    /// Its kebab-case name, for the trigger a finding reports.
    pub fn name(self) -> &'static str {
        match self {
            Mutation::InsertByte => "insert-byte",
            Mutation::DeleteByte => "delete-byte",
            Mutation::ReplaceByte => "replace-byte",
            Mutation::DuplicateLine => "duplicate-line",
            Mutation::DropLine => "drop-line",
            Mutation::LineEnding => "line-ending",
            Mutation::ChangeNumber => "change-number",
            Mutation::AddFramingField => "add-framing-field",
            Mutation::MoveBoundary => "move-boundary",
            Mutation::Version => "version",
            Mutation::ChunkExtension => "chunk-extension",
        }
    }

    /// Applies the mutation at a place `rng` picks, and says what it did (`insert-byte \r at
    /// 37`); `None` for a mutation with nowhere to apply, which leaves the stream as it is.
    pub fn apply(self, stream: &[u8], rng: &mut fastrand::Rng) -> (Vec<u8>, Option<String>) {
        let mut s = stream.to_vec();
        let lines = line_starts(stream);
        let shown = |bytes: &[u8]| bytes.escape_ascii().to_string();
        let what = match self {
            Mutation::InsertByte => {
                let (at, b) = (rng.usize(..=s.len()), BYTES[rng.usize(..BYTES.len())]);
                s.insert(at, b);
                Some(format!("{} {} at {at}", self.name(), shown(&[b])))
            }
            Mutation::DeleteByte if !s.is_empty() => {
                let at = rng.usize(..s.len());
                let b = s.remove(at);
                Some(format!("{} {} at {at}", self.name(), shown(&[b])))
            }
            Mutation::ReplaceByte if !s.is_empty() => {
                let (at, b) = (rng.usize(..s.len()), BYTES[rng.usize(..BYTES.len())]);
                let was = std::mem::replace(&mut s[at], b);
                Some(format!("{} {} with {} at {at}", self.name(), shown(&[was]), shown(&[b])))
            }
            Mutation::DuplicateLine if !lines.is_empty() => {
                let (a, b) = lines[rng.usize(..lines.len())];
                let line = s[a..b].to_vec();
                s.splice(b..b, line.iter().copied());
                Some(format!("{} `{}`", self.name(), shown(line.trim_ascii_end())))
            }
            Mutation::DropLine if lines.len() > 1 => {
                let (a, b) = lines[rng.usize(1..lines.len())];
                let line: Vec<u8> = s.drain(a..b).collect();
                Some(format!("{} `{}`", self.name(), shown(line.trim_ascii_end())))
            }
            Mutation::LineEnding => {
                let lfs: Vec<usize> = s.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect();
                (!lfs.is_empty()).then(|| {
                    let i = lfs[rng.usize(..lfs.len())];
                    if i > 0 && s[i - 1] == b'\r' {
                        s.remove(i - 1);
                        format!("{} CRLF to LF at {}", self.name(), i - 1)
                    } else {
                        s.insert(i, b'\r');
                        format!("{} LF to CRLF at {i}", self.name())
                    }
                })
            }
            Mutation::ChangeNumber => {
                let runs = digit_runs(&s);
                (!runs.is_empty()).then(|| {
                    let (a, b) = runs[rng.usize(..runs.len())];
                    let to = NUMBERS[rng.usize(..NUMBERS.len())];
                    let was: Vec<u8> = s.splice(a..b, to.bytes()).collect();
                    format!("{} {} to {to} at {a}", self.name(), shown(&was))
                })
            }
            Mutation::AddFramingField => lines.first().map(|&(_, end)| {
                let field = FRAMING[rng.usize(..FRAMING.len())];
                s.splice(end..end, [field.as_bytes(), b"\r\n"].concat());
                format!("{} `{field}`", self.name())
            }),
            Mutation::MoveBoundary => {
                let ends: Vec<usize> =
                    s.windows(4).enumerate().filter(|(_, w)| *w == b"\r\n\r\n").map(|(i, _)| i).collect();
                (!ends.is_empty()).then(|| {
                    let i = ends[rng.usize(..ends.len())];
                    if rng.bool() {
                        s.drain(i..i + 2);
                        format!("{} removes an empty line at {i}", self.name())
                    } else {
                        s.splice(i..i, *b"\r\n");
                        format!("{} adds an empty line at {i}", self.name())
                    }
                })
            }
            Mutation::Version => {
                let versions: Vec<usize> = lines
                    .iter()
                    .filter_map(|&(a, b)| {
                        let line = &s[a..b];
                        let v = line.windows(8).rposition(|w| w == b"HTTP/1.1" || w == b"HTTP/1.0")?;
                        (line[..v].ends_with(b" ")).then_some(a + v + 7)
                    })
                    .collect();
                (!versions.is_empty()).then(|| {
                    let i = versions[rng.usize(..versions.len())];
                    s[i] = if s[i] == b'1' { b'0' } else { b'1' };
                    format!("{} HTTP/1.{} at {}", self.name(), s[i] as char, i - 7)
                })
            }
            Mutation::ChunkExtension => {
                // A chunk-size line: hex digits alone on a line that follows a line end.
                let sizes: Vec<usize> = lines
                    .iter()
                    .filter(|&&(a, b)| {
                        let line = s[a..b].trim_ascii_end();
                        !line.is_empty() && line.iter().all(u8::is_ascii_hexdigit) && a > 0
                    })
                    .map(|&(a, b)| a + s[a..b].trim_ascii_end().len())
                    .collect();
                (!sizes.is_empty()).then(|| {
                    let at = sizes[rng.usize(..sizes.len())];
                    let n = [100, 1024, 4096, 16384][rng.usize(..4)];
                    s.splice(at..at, [b";e=".as_slice(), &vec![b'x'; n]].concat());
                    format!("{} of {} bytes at {at}", self.name(), n + 3)
                })
            }
            _ => None,
        };
        (s, what)
    }
}

/// `(start, end)` of each line, the end after its LF.
fn line_starts(s: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    out
}

fn digit_runs(s: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i].is_ascii_hexdigit() && (i == 0 || !s[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < s.len() && s[i].is_ascii_hexdigit() {
                i += 1;
            }
            if i == s.len() || !s[i].is_ascii_alphabetic() {
                out.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A mutated stream and the mutations that made it, in the order applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutated {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What each mutation did (`change-number 5 to 50 at 61`).
    pub applied: Vec<String>,
}

/// One to three mutations of `stream`, each picked at random.
pub fn mutate(stream: &[u8], rng: &mut fastrand::Rng) -> Mutated {
    let mut s = stream.to_vec();
    let mut applied = Vec::new();
    for _ in 0..rng.usize(1..=3) {
        let (next, what) = Mutation::ALL[rng.usize(..Mutation::ALL.len())].apply(&s, rng);
        s = next;
        applied.extend(what);
    }
    // A lone CR at the very end (a line end cut in half) is no message: whether a reader waits
    // for its LF or ignores it at the close says nothing about where messages end, and would
    // only file that as a difference.
    while s.ends_with(b"\r") {
        s.pop();
    }
    Mutated { bytes: s, applied }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
    const CHUNKED: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";

    #[test]
    fn no_mutated_stream_ends_in_a_lone_cr() {
        let mut rng = fastrand::Rng::with_seed(3);
        let stream = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r";
        assert!((0..200).all(|_| !mutate(stream, &mut rng).bytes.ends_with(b"\r")));
    }

    #[test]
    fn each_mutation_changes_a_stream_it_applies_to_and_says_how() {
        let mut rng = fastrand::Rng::with_seed(7);
        for m in Mutation::ALL {
            let changed = (0..20).map(|_| m.apply(CHUNKED, &mut rng)).find(|(s, _)| s != CHUNKED);
            let (_, what) = changed.unwrap_or_else(|| panic!("{m:?} never changed the stream"));
            assert!(what.as_deref().is_some_and(|w| w.starts_with(m.name())), "{m:?}: {what:?}");
        }
        // Nowhere to apply: nothing changes, and nothing is said.
        assert_eq!(Mutation::ChunkExtension.apply(GET, &mut rng), (GET.to_vec(), None));
    }

    #[test]
    fn the_new_mutations_reach_http10_and_long_chunk_extensions() {
        let mut rng = fastrand::Rng::with_seed(2);
        let (v, _) = Mutation::Version.apply(GET, &mut rng);
        assert!(v.starts_with(b"POST / HTTP/1.0\r\n"), "{}", v.escape_ascii());
        let (e, what) = Mutation::ChunkExtension.apply(CHUNKED, &mut rng);
        assert!(e.windows(103).any(|w| w.starts_with(b";e=") && w[3..].iter().all(|&b| b == b'x')), "{what:?}");
    }

    #[test]
    fn change_number_hits_lengths_and_add_framing_adds_a_line() {
        let mut rng = fastrand::Rng::with_seed(1);
        let lengths: Vec<Vec<u8>> = (0..50).map(|_| Mutation::ChangeNumber.apply(GET, &mut rng).0).collect();
        assert!(lengths.iter().any(|s| !s.windows(17).any(|w| w == b"Content-Length: 3")));
        let (added, what) = Mutation::AddFramingField.apply(GET, &mut rng);
        assert_eq!(line_starts(&added).len(), line_starts(GET).len() + 1);
        assert!(added.starts_with(b"POST / HTTP/1.1\r\n"));
        assert!(what.is_some_and(|w| w.starts_with("add-framing-field `")));
    }
}
