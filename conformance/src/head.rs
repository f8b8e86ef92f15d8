//! Facts about raw HTTP/1.1 text that need no parser: where the first head ends, its field lines,
//! whether it asks for `100-continue`. The harness uses them to build, transform and describe
//! the streams it sends; whether a message is valid is only ever h1wire's call.

/// Where the first head ends: just after its CRLF CRLF, or `None` when the bytes hold none.
///
/// ```
/// assert_eq!(h1spec::head::head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), Some(27));
/// assert_eq!(h1spec::head::head_end(b"GET / HTTP/1.1\r\n"), None);
/// ```
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// The field lines of the first head (after the start line, up to the empty line), each without
/// its line end. Lines are split at LF, with a CR before it dropped.
///
/// ```
/// let lines: Vec<&[u8]> = h1spec::head::field_lines(b"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\r\nY: c").collect();
/// assert_eq!(lines, [&b"Host: a"[..], b"X: b"]);
/// ```
pub fn field_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let head = &bytes[..head_end(bytes).unwrap_or(bytes.len())];
    head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).skip(1).take_while(|l| !l.is_empty())
}

/// The values of the first head's fields named `name` (any case), trimmed.
pub fn values<'a>(bytes: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    field_lines(bytes).filter_map(move |line| {
        let colon = line.iter().position(|&b| b == b':')?;
        line[..colon].eq_ignore_ascii_case(name).then(|| line[colon + 1..].trim_ascii())
    })
}

/// Whether a line of the first head (up to its CRLF CRLF, or all the bytes when there is none),
/// with surrounding whitespace trimmed, is `Expect: 100-continue`. Deliberately wide: a line
/// after a bare-LF empty line or with leading whitespace counts too, so that whoever waits on
/// it (the diff's recording origin, the probe's readings) also waits where a lax reader would.
///
/// ```
/// assert!(h1spec::head::expects_continue(b"POST / HTTP/1.1\r\nexpect:  100-Continue\r\n\r\n"));
/// assert!(!h1spec::head::expects_continue(b"POST / HTTP/1.1\r\n\r\nExpect: 100-continue\r\n\r\n"));
/// ```
pub fn expects_continue(bytes: &[u8]) -> bool {
    let head = &bytes[..head_end(bytes).unwrap_or(bytes.len())];
    head.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii();
        line.len() >= 7
            && line[..7].eq_ignore_ascii_case(b"expect:")
            && line[7..].trim_ascii().eq_ignore_ascii_case(b"100-continue")
    })
}

/// The method of a request: its first token, up to the first space (empty when that is not
/// UTF-8 or there is no space).
///
/// ```
/// assert_eq!(h1spec::head::method(b"HEAD / HTTP/1.1\r\n"), "HEAD");
/// assert_eq!(h1spec::head::method(b"garbage"), "");
/// ```
pub fn method(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|&b| b == b' ').unwrap_or(0);
    std::str::from_utf8(&bytes[..end]).unwrap_or("")
}

/// The path part of a request-target: an absolute-form target (`http://host/p`, as a proxy
/// sends it) gives what follows its authority (`/` when nothing does); any other target is
/// itself.
///
/// ```
/// use h1spec::head::target_path;
/// assert_eq!(target_path(b"http://a.example:8080/x?y"), b"/x?y");
/// assert_eq!(target_path(b"http://a.example"), b"/");
/// assert_eq!(target_path(b"/x"), b"/x");
/// ```
pub fn target_path(target: &[u8]) -> &[u8] {
    match target.windows(3).position(|w| w == b"://") {
        Some(i) => {
            let rest = &target[i + 3..];
            rest.iter().position(|&b| b == b'/').map_or(b"/", |j| &rest[j..])
        }
        None => target,
    }
}
