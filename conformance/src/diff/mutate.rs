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
    "Upgrade: h2c",
];
const NUMBERS: &[&str] = &["0", "1", "2", "5", "9", "00", "10", "ff", "FF", "-1", "+1", "1 ", "18446744073709551616"];

impl Mutation {
    /// Every mutation.
    pub const ALL: [Mutation; 9] = [
        Mutation::InsertByte,
        Mutation::DeleteByte,
        Mutation::ReplaceByte,
        Mutation::DuplicateLine,
        Mutation::DropLine,
        Mutation::LineEnding,
        Mutation::ChangeNumber,
        Mutation::AddFramingField,
        Mutation::MoveBoundary,
    ];

    /// Applies the mutation at a place `rng` picks. A mutation with nowhere to apply leaves
    /// the stream as it is.
    pub fn apply(self, stream: &[u8], rng: &mut fastrand::Rng) -> Vec<u8> {
        let mut s = stream.to_vec();
        let lines = line_starts(stream);
        match self {
            Mutation::InsertByte => s.insert(rng.usize(..=s.len()), BYTES[rng.usize(..BYTES.len())]),
            Mutation::DeleteByte if !s.is_empty() => {
                s.remove(rng.usize(..s.len()));
            }
            Mutation::ReplaceByte if !s.is_empty() => {
                let i = rng.usize(..s.len());
                s[i] = BYTES[rng.usize(..BYTES.len())];
            }
            Mutation::DuplicateLine if !lines.is_empty() => {
                let (a, b) = lines[rng.usize(..lines.len())];
                let line = s[a..b].to_vec();
                s.splice(b..b, line);
            }
            Mutation::DropLine if lines.len() > 1 => {
                let (a, b) = lines[rng.usize(1..lines.len())];
                s.drain(a..b);
            }
            Mutation::LineEnding => {
                let lfs: Vec<usize> = s.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect();
                if let Some(&i) = (!lfs.is_empty()).then(|| &lfs[rng.usize(..lfs.len())]) {
                    if i > 0 && s[i - 1] == b'\r' {
                        s.remove(i - 1);
                    } else {
                        s.insert(i, b'\r');
                    }
                }
            }
            Mutation::ChangeNumber => {
                let runs = digit_runs(&s);
                if !runs.is_empty() {
                    let (a, b) = runs[rng.usize(..runs.len())];
                    s.splice(a..b, NUMBERS[rng.usize(..NUMBERS.len())].bytes());
                }
            }
            Mutation::AddFramingField => {
                if let Some(&(_, end)) = lines.first() {
                    let mut line = FRAMING[rng.usize(..FRAMING.len())].as_bytes().to_vec();
                    line.extend_from_slice(b"\r\n");
                    s.splice(end..end, line);
                }
            }
            Mutation::MoveBoundary => {
                let ends: Vec<usize> =
                    s.windows(4).enumerate().filter(|(_, w)| *w == b"\r\n\r\n").map(|(i, _)| i).collect();
                if let Some(&i) = (!ends.is_empty()).then(|| &ends[rng.usize(..ends.len())]) {
                    if rng.bool() {
                        s.drain(i..i + 2);
                    } else {
                        s.splice(i..i, *b"\r\n");
                    }
                }
            }
            _ => {}
        }
        s
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

/// One to three mutations of `stream`, each picked at random.
pub fn mutate(stream: &[u8], rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut s = stream.to_vec();
    for _ in 0..rng.usize(1..=3) {
        s = Mutation::ALL[rng.usize(..Mutation::ALL.len())].apply(&s, rng);
    }
    // A lone CR at the very end (a line end cut in half) is no message: whether a reader waits
    // for its LF or ignores it at the close says nothing about where messages end, and would
    // only file that as a difference.
    while s.ends_with(b"\r") {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";

    #[test]
    fn no_mutated_stream_ends_in_a_lone_cr() {
        let mut rng = fastrand::Rng::with_seed(3);
        let stream = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r";
        assert!((0..200).all(|_| !mutate(stream, &mut rng).ends_with(b"\r")));
    }

    #[test]
    fn each_mutation_changes_a_stream_it_applies_to() {
        let mut rng = fastrand::Rng::with_seed(7);
        for m in Mutation::ALL {
            let changed = (0..20).any(|_| m.apply(GET, &mut rng) != GET);
            assert!(changed, "{m:?} never changed the stream");
        }
    }

    #[test]
    fn change_number_hits_lengths_and_add_framing_adds_a_line() {
        let mut rng = fastrand::Rng::with_seed(1);
        let lengths: Vec<Vec<u8>> = (0..50).map(|_| Mutation::ChangeNumber.apply(GET, &mut rng)).collect();
        assert!(lengths.iter().any(|s| !s.windows(17).any(|w| w == b"Content-Length: 3")));
        let added = Mutation::AddFramingField.apply(GET, &mut rng);
        assert_eq!(line_starts(&added).len(), line_starts(GET).len() + 1);
        assert!(added.starts_with(b"POST / HTTP/1.1\r\n"));
    }
}
