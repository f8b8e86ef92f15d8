//! The features of a stream that explain most differences between readers: facts read off its
//! bytes (no parser decides them), with which a finding is tagged, so that a reader sees at
//! once "HTTP/1.0 + Transfer-Encoding" or "bare LF in a chunk line" instead of working it out
//! from the bytes.

use serde::{Deserialize, Serialize};

/// One feature of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// An HTTP/1.0 request with a Transfer-Encoding field (RFC 9112 §6.1: faulty framing).
    Http10WithTransferEncoding,
    /// An HTTP/1.0 request asking to persist (`Connection: keep-alive`).
    Http10KeepAlive,
    /// Transfer-Encoding and Content-Length in one head (RFC 9112 §6.3 rule 3).
    TransferEncodingWithContentLength,
    /// A CONNECT request.
    Connect,
    /// An Upgrade field.
    Upgrade,
    /// `Expect: 100-continue`.
    ExpectContinue,
    /// A line of a head ended by a bare LF (RFC 9112 §2.2 lets a recipient accept it there).
    BareLfInHead,
    /// A chunk line ended by a bare LF (RFC 9112 §7.1 requires CRLF there).
    BareLfInChunkLine,
    /// A field line folded onto the next (obs-fold, RFC 9112 §5.2).
    ObsFold,
    /// A NUL byte.
    Nul,
    /// A numeral of 2^64 or more in a length or a chunk size.
    Overflow,
    /// A chunk extension longer than 100 bytes (RFC 9112 §7.1.1 lets a server limit them).
    LongChunkExtension,
}

impl Feature {
    /// Its kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Http10WithTransferEncoding => "http10-with-transfer-encoding",
            Feature::Http10KeepAlive => "http10-keep-alive",
            Feature::TransferEncodingWithContentLength => "transfer-encoding-with-content-length",
            Feature::Connect => "connect",
            Feature::Upgrade => "upgrade",
            Feature::ExpectContinue => "expect-continue",
            Feature::BareLfInHead => "bare-lf-in-head",
            Feature::BareLfInChunkLine => "bare-lf-in-chunk-line",
            Feature::ObsFold => "obs-fold",
            Feature::Nul => "nul",
            Feature::Overflow => "overflow",
            Feature::LongChunkExtension => "long-chunk-extension",
        }
    }
}

/// Where the first head ends, whatever its line ends: after the first empty line.
fn head_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if at > line.len() && (line == b"\n" || line == b"\r\n") {
            return at;
        }
    }
    bytes.len()
}

/// Whether the numeral `digits` begins with (in `radix`, after leading zeros) is 2^64 or more.
fn at_least_2_64(digits: &[u8], radix: u32) -> bool {
    let run: Vec<u8> = digits
        .iter()
        .copied()
        .take_while(|b| b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
        .skip_while(|&b| b == b'0')
        .collect();
    let text = std::str::from_utf8(&run).unwrap_or_default();
    run.len() > 40 || u128::from_str_radix(text, radix).is_ok_and(|n| n >= 1 << 64)
}

/// A chunked body's size lines, and the line ends after each chunk's data (`\r\n`, `\n`, or
/// whatever stands there), walked as the sizes say until the last chunk or the bytes run out.
fn chunks(mut body: &[u8]) -> (Vec<&[u8]>, Vec<&[u8]>) {
    let (mut lines, mut ends) = (Vec::new(), Vec::new());
    while let Some(eol) = body.iter().position(|&b| b == b'\n') {
        let line = &body[..=eol];
        lines.push(line);
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let size = std::str::from_utf8(&line[..digits]).ok().and_then(|h| usize::from_str_radix(h, 16).ok());
        body = &body[eol + 1..];
        match size {
            Some(n) if n > 0 && body.len() >= n => {
                let rest = &body[n..];
                let end = if rest.starts_with(b"\r\n") { 2 } else { usize::from(rest.starts_with(b"\n")) };
                // No line end at all (the data runs on): what stands there, which is no bare LF.
                ends.push(if end > 0 { &rest[..end] } else { &rest[..rest.len().min(2)] });
                body = &rest[end..];
            }
            _ => break,
        }
    }
    (lines, ends)
}

/// The features of the first message of `stream` (a NUL anywhere in it).
///
/// ```
/// use h1spec::diff::features::{features, Feature};
/// let f = features(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n");
/// assert_eq!(f, [Feature::Http10WithTransferEncoding, Feature::BareLfInChunkLine]);
/// ```
pub fn features(stream: &[u8]) -> Vec<Feature> {
    let head_end = head_len(stream);
    let head = &stream[..head_end];
    let lines: Vec<&[u8]> = head.split_inclusive(|&b| b == b'\n').collect();
    let start = lines.first().map(|l| l.trim_ascii_end()).unwrap_or_default();
    let field = |name: &[u8]| {
        lines.iter().skip(1).find_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            l[..colon].trim_ascii().eq_ignore_ascii_case(name).then(|| l[colon + 1..].trim_ascii())
        })
    };
    // A request line ends with its version, a status line starts with it.
    let http10 = start.ends_with(b"HTTP/1.0") || start.starts_with(b"HTTP/1.0 ");
    let te = field(b"transfer-encoding");
    let mut out = Vec::new();
    let mut tag = |on: bool, f: Feature| {
        if on {
            out.push(f);
        }
    };
    tag(http10 && te.is_some(), Feature::Http10WithTransferEncoding);
    let keep_alive = field(b"connection").is_some_and(|v| v.eq_ignore_ascii_case(b"keep-alive"));
    tag(http10 && keep_alive, Feature::Http10KeepAlive);
    tag(te.is_some() && field(b"content-length").is_some(), Feature::TransferEncodingWithContentLength);
    tag(start.starts_with(b"CONNECT "), Feature::Connect);
    tag(field(b"upgrade").is_some(), Feature::Upgrade);
    tag(field(b"expect").is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue")), Feature::ExpectContinue);
    tag(lines.iter().any(|l| l.ends_with(b"\n") && !l.ends_with(b"\r\n")), Feature::BareLfInHead);
    // Chunk lines: after a chunked head, each size line and the line end after each chunk's
    // data, found by walking the chunks as their sizes say.
    let chunked = te.is_some_and(|v| v.to_ascii_lowercase().windows(7).any(|w| w == b"chunked"));
    let (chunk_lines, data_ends) = if chunked { chunks(&stream[head_end..]) } else { (Vec::new(), Vec::new()) };
    let bare = |l: &&[u8]| l.ends_with(b"\n") && !l.ends_with(b"\r\n");
    tag(chunk_lines.iter().chain(&data_ends).any(bare), Feature::BareLfInChunkLine);
    tag(lines.iter().skip(1).any(|l| l.first().is_some_and(|&b| b == b' ' || b == b'\t')), Feature::ObsFold);
    tag(stream.contains(&0), Feature::Nul);
    let overflow = field(b"content-length").is_some_and(|v| at_least_2_64(v, 10))
        || chunk_lines.iter().any(|l| at_least_2_64(l, 16));
    tag(overflow, Feature::Overflow);
    let long_extension =
        chunk_lines.iter().any(|l| l.iter().position(|&b| b == b';').is_some_and(|i| l.len() - i > 100));
    tag(long_extension, Feature::LongChunkExtension);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_feature_is_read_off_the_bytes() {
        let cases: &[(&[u8], &[Feature])] = &[
            (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &[]),
            (b"GET / HTTP/1.1\nHost: a\n\n", &[Feature::BareLfInHead]),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &[Feature::Http10KeepAlive]),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                &[Feature::TransferEncodingWithContentLength],
            ),
            (b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", &[Feature::Connect]),
            (b"GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n", &[Feature::Upgrade]),
            (b"POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", &[Feature::ExpectContinue]),
            (b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", &[Feature::ObsFold]),
            (b"GET / HTTP/1.1\r\nX: a\0\r\n\r\n", &[Feature::Nul]),
            (b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n", &[Feature::Overflow]),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", &[Feature::Overflow]),
        ];
        for (bytes, want) in cases {
            assert_eq!(features(bytes), *want, "{}", bytes.escape_ascii());
        }
        let ext =
            [&b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;e="[..], &[b'x'; 120], b"\r\na\r\n0\r\n\r\n"]
                .concat();
        assert_eq!(features(&ext), [Feature::LongChunkExtension]);
        // A chunk whose data takes the CR of its line end leaves a bare LF after it.
        let cr_eaten = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nello\r\n0\r\n\r\n";
        assert_eq!(features(cr_eaten), [Feature::BareLfInChunkLine]);
        let whole = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        assert_eq!(features(whole), []);
        // A bare LF in the body of a message that is not chunked is no chunk line.
        assert_eq!(features(b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n1\n"), []);
    }
}
