//! Connection options (RFC 9110 §7.6.1) and the other fields that steer a connection: whether it
//! persists (RFC 9112 §9.3), `Expect: 100-continue` (RFC 9110 §10.1.1) and `Upgrade` (§7.8).

use super::Fields;

/// What a head's connection-steering fields say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) close: bool,
    pub(crate) keep_alive: bool,
    pub(crate) upgrade: bool,
    pub(crate) expect_continue: bool,
}

fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(|t| t.trim_ascii()).filter(|t| !t.is_empty())
}

impl Options {
    /// What the given field lines say.
    pub(crate) fn of_lines<'a>(fields: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        let mut o = Options::default();
        for (name, value) in fields {
            if name.eq_ignore_ascii_case("connection") {
                for t in tokens(value) {
                    o.close |= t.eq_ignore_ascii_case(b"close");
                    o.keep_alive |= t.eq_ignore_ascii_case(b"keep-alive");
                }
            } else if name.eq_ignore_ascii_case("upgrade") {
                o.upgrade = true;
            } else if name.eq_ignore_ascii_case("expect") {
                o.expect_continue |= value.eq_ignore_ascii_case(b"100-continue");
            }
        }
        o
    }

    /// What a parsed head's fields say.
    pub(crate) fn of(fields: Fields<'_>) -> Self {
        Options::of_lines(fields.iter().map(|f| (f.name(), f.value())))
    }

    /// What fields about to be written say.
    pub(crate) fn of_pairs(fields: &[(&str, &[u8])]) -> Self {
        Options::of_lines(fields.iter().copied())
    }

    /// Whether a message with these options, of `version`, lets the connection persist: HTTP/1.1
    /// unless `close`; HTTP/1.0 only with `keep-alive` (RFC 9112 §9.3, and RFC 7230 §A.1.2 for
    /// the HTTP/1.0 keep-alive convention).
    pub(crate) fn persists(&self, version: crate::Version) -> bool {
        !self.close && (version == crate::Version::Http11 || self.keep_alive)
    }
}
