//! The canary: a plain GET sent after a case on the same connection, so that a reading which
//! swallows or splits the case's bytes shows on the message after it. Every mode builds it here.
//!
//! - The probe asks for the target's own path (one the server answers with 200) and compares
//!   the canary's response with the one it gets alone.
//! - The diff asks for [`DIFF_PATH`], which no case uses, and looks for it among the messages an
//!   implementation read (and inside their bodies).

/// The canary for `path` on `host`, marked with `X-H1spec: canary` for whoever reads the logs.
///
/// ```
/// assert_eq!(
///     h1spec::canary::request("/", "a"),
///     b"GET / HTTP/1.1\r\nHost: a\r\nX-H1spec: canary\r\n\r\n"
/// );
/// ```
pub fn request(path: &str, host: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nX-H1spec: canary\r\n\r\n").into_bytes()
}

/// The path of the diff's canary.
pub const DIFF_PATH: &str = "/h1spec-canary";

/// The diff's canary, `request(DIFF_PATH, "h1spec")` as a constant.
pub const DIFF: &[u8] = b"GET /h1spec-canary HTTP/1.1\r\nHost: h1spec\r\nX-H1spec: canary\r\n\r\n";

#[cfg(test)]
mod tests {
    #[test]
    fn the_diffs_canary_is_the_one_form() {
        assert_eq!(super::DIFF, super::request(super::DIFF_PATH, "h1spec"));
    }
}
