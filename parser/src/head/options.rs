//! The fields that steer a connection rather than a message: `Connection` and its options
//! (RFC 9110 §7.6.1), which decide whether the connection persists (RFC 9112 §9.3); `Upgrade`
//! (RFC 9110 §7.8); and `Expect: 100-continue` (RFC 9110 §10.1.1).

use super::field::{FieldSpan, KnownName, KnownSet};
use crate::Version;

/// What a head's `Connection`, `Upgrade` and `Expect` fields say, as the connection machine reads
/// them.
///
/// The parser recognises these fields as it scans them, so a head without any costs nothing here.
///
/// # Examples
///
/// ```
/// use h1wire::{Event, Parse, RequestParser, Version};
///
/// let mut parser = RequestParser::new();
/// let out = parser.parse(b"PUT /f HTTP/1.1\r\nHost: a\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").unwrap();
/// let Some(Event::Head { head, .. }) = out.event else { panic!() };
/// let options = head.connection_options();
/// assert!(options.close() && options.expects_continue() && !options.upgrade());
/// assert!(!options.persists(Version::Http11));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConnectionOptions {
    close: bool,
    keep_alive: bool,
    upgrade: bool,
    expect_continue: bool,
}

/// The comma-separated elements of a list value (RFC 9110 §5.6.1), empty ones dropped.
fn tokens(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(|t| t.trim_ascii()).filter(|t| !t.is_empty())
}

impl ConnectionOptions {
    /// Adds what one field line says, its name already recognised.
    fn add(&mut self, name: KnownName, value: &[u8]) {
        match name {
            KnownName::Connection => {
                for t in tokens(value) {
                    self.close |= t.eq_ignore_ascii_case(b"close");
                    self.keep_alive |= t.eq_ignore_ascii_case(b"keep-alive");
                }
            }
            KnownName::Upgrade => self.upgrade = true,
            KnownName::Expect => self.expect_continue |= value.eq_ignore_ascii_case(b"100-continue"),
            _ => {}
        }
    }

    /// What the parsed field lines of a head say.
    pub(crate) fn of_spans(buf: &[u8], fields: &[FieldSpan], known: KnownSet) -> Self {
        let mut o = ConnectionOptions::default();
        if known.has_options() {
            for field in fields {
                o.add(field.known, field.value(buf));
            }
        }
        o
    }

    /// What fields about to be written say.
    pub(crate) fn of_pairs(fields: &[(&str, &[u8])]) -> Self {
        let mut o = ConnectionOptions::default();
        for (name, value) in fields {
            o.add(KnownName::of(name.as_bytes()), value);
        }
        o
    }

    /// `Connection: close`: the sender closes the connection after this exchange.
    pub fn close(&self) -> bool {
        self.close
    }

    /// `Connection: keep-alive`: an HTTP/1.0 sender asks to keep the connection.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// An `Upgrade` field is present (RFC 9110 §7.8).
    pub fn upgrade(&self) -> bool {
        self.upgrade
    }

    /// `Expect: 100-continue` (RFC 9110 §10.1.1).
    pub fn expects_continue(&self) -> bool {
        self.expect_continue
    }

    /// Whether a message with these options, of `version`, lets the connection persist: HTTP/1.1
    /// unless `close`; HTTP/1.0 only with `keep-alive` (RFC 9112 §9.3, and RFC 7230 §A.1.2 for
    /// the HTTP/1.0 keep-alive convention).
    pub fn persists(&self, version: Version) -> bool {
        !self.close && (version == Version::Http11 || self.keep_alive)
    }
}
