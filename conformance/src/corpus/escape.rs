//! The escapes of a case's `raw` string: `\r \n \t \0 \\`, `\xHH` for any byte, and
//! `\R(N,TEXT)` for TEXT repeated N times.

/// Decodes the escapes of a `raw` string into bytes.
///
/// # Errors
///
/// A description of the first malformed escape, or of a character outside ASCII (write those
/// bytes as `\xHH`).
pub fn decode(raw: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !b.is_ascii() {
            return Err(format!("byte {i}: write non-ASCII bytes as \\xHH"));
        }
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&e) = bytes.get(i + 1) else {
            return Err(format!("byte {i}: escape at the end"));
        };
        i += 2;
        match e {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let hex = raw.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(hex.ok_or_else(|| format!("byte {i}: \\x needs two hex digits"))?);
                i += 2;
            }
            b'R' => {
                let rest = &raw[i..];
                let close = rest.find(')').ok_or_else(|| format!("byte {i}: \\R( without )"))?;
                let inner = rest.strip_prefix('(').ok_or_else(|| format!("byte {i}: \\R needs ("))?;
                let (count, text) =
                    inner[..close - 1].split_once(',').ok_or_else(|| format!("byte {i}: \\R(N,TEXT)"))?;
                let count: usize = count.parse().map_err(|_| format!("byte {i}: bad \\R count"))?;
                let text = decode(text)?;
                for _ in 0..count {
                    out.extend_from_slice(&text);
                }
                i += close + 1;
            }
            other => return Err(format!("byte {}: unknown escape \\{}", i - 1, other as char)),
        }
    }
    Ok(out)
}

/// Bytes as a `raw` string ([`decode`] gives them back): CR, LF, HTAB, NUL and `\\` as
/// escapes, printable ASCII as it is (but `'`, which ends a TOML literal string), the rest as
/// `\xHH`.
///
/// ```
/// use h1spec::corpus::{decode, encode};
///
/// let bytes = b"GET / HTTP/1.1\r\nX: '\x00\xff\\\r\n\r\n";
/// assert_eq!(encode(bytes), r"GET / HTTP/1.1\r\nX: \x27\0\xff\\\r\n\r\n");
/// assert_eq!(decode(&encode(bytes)).unwrap(), bytes);
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0 => out.push_str("\\0"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\x27"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode() {
        assert_eq!(decode(r"a\r\n\t\0\\\x7f\xFF").unwrap(), b"a\r\n\t\0\\\x7f\xff");
        assert_eq!(decode(r"x\R(3,ab\r\n)y").unwrap(), b"xab\r\nab\r\nab\r\ny");
        assert!(decode(r"\q").is_err());
        assert!(decode(r"\x1").is_err());
        assert!(decode("é").is_err());
        assert!(decode(r"\R(2,a").is_err());
    }
}
