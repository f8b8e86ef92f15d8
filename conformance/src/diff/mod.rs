//! `h1spec diff`: differential testing of real HTTP/1.1 implementations.
//!
//! Request smuggling is two implementations disagreeing about a byte stream. This module feeds
//! the same stream of pipelined requests to several implementations and compares their
//! readings:
//!
//! - [`Reading`]: what one implementation made of a stream, as messages (method, target,
//!   version, fields, body, trailers) and how the stream ended (cleanly, cut short, refused).
//! - [`Implementation`]: anything that reads a stream. Parsers in process (h1wire, httparse,
//!   picohttpparser), parsers behind a shim (a program that reads stdin and prints the
//!   `h1spec parse --stream` JSON lines: h11, Node's llhttp, Go's net/http), servers that echo
//!   their reading ("origins"), and proxies in front of a recording origin ("transducers"); see
//!   [`peers`].
//! - [`mod@compare`]: the first difference between two readings, as a [`compare::Class`] in the HTTP
//!   Garden's terms, named in ours.
//! - [`quirks`]: each peer's known, accepted differences with their reasons; everything else is
//!   reported.
//! - [`mutate`] and [`minimise`]: new streams from the corpus, and the smallest stream that
//!   still shows a difference.
//! - [`run`]: the loop, bounded in count and time; [`crate::report::diff`] renders the matrix
//!   and the findings.

pub mod behaviour;
pub mod compare;
pub mod features;
pub mod lifecycle;
pub mod minimise;
pub mod mutate;
pub mod peers;
pub mod quirks;
pub mod run;
pub mod save;
pub mod session;

mod pico;

use base64::Engine as _;

use crate::contract::{bytes_of_latin1, Echo, Line, Verdict};
use serde::{Serialize, Serializer};

/// One message as an implementation read it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The method.
    #[serde(serialize_with = "as_latin1")]
    pub method: Vec<u8>,
    /// The request-target.
    #[serde(serialize_with = "as_latin1")]
    pub target: Vec<u8>,
    /// The version, as the implementation reports it (`HTTP/1.1`).
    pub version: String,
    /// Header fields, in the order reported.
    #[serde(serialize_with = "pairs_latin1")]
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
    /// Trailer fields.
    #[serde(serialize_with = "pairs_latin1")]
    pub trailers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The decoded body.
    #[serde(serialize_with = "as_latin1")]
    pub body: Vec<u8>,
    /// Received fields the implementation does not report (lowercase names; Go keeps the
    /// effective host apart, and drops Content-Length beside Transfer-Encoding): left out on
    /// both sides when its fields are compared.
    #[serde(skip)]
    pub fields_lack: Vec<Vec<u8>>,
}

/// Bytes written as Latin-1 text (see [`as_latin1`]), read back.
pub(crate) fn from_latin1<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    Ok(bytes_of_latin1(&text))
}

pub(crate) fn as_latin1<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::contract::latin1(bytes))
}

fn pairs_latin1<S: Serializer>(pairs: &[(Vec<u8>, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(pairs.len()))?;
    for (name, value) in pairs {
        seq.serialize_element(&[crate::contract::latin1(name), crate::contract::latin1(value)])?;
    }
    seq.end()
}

/// How far into a message a refusal came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The head was refused (or cut short).
    Head,
    /// The head was read; its body was refused.
    Body,
    /// The implementation does not say.
    Unknown,
}

/// How a stream's reading ended after its last message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "kebab-case")]
pub enum End {
    /// On a message boundary: nothing was left, or the implementation stops reading the
    /// connection there (it does not persist, or it switches protocols).
    Clean,
    /// Inside a message: the implementation waits for bytes that never came.
    Cut {
        /// The stage the message was at.
        stage: Stage,
    },
    /// The implementation refused a message.
    Refused {
        /// The status it answers (or would answer), 0 where it does not say.
        status: u16,
        /// Its error, in its own words.
        error: String,
        /// The name it gives the error, where it gives one: h1wire's rule, a shim's `error`
        /// field (llhttp's `HPE_` code, h11's exception class), httparse's error variant.
        /// Quirks match it whole (`rule`), never a word of the prose.
        #[serde(skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
        /// A server answered what followed the refused message on the same connection: it read
        /// on after refusing (RFC 9112 §6.3 and §9.6 want the connection closed after a framing
        /// error). Only servers show it: a shim stops at its refusal.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        read_on: bool,
        /// The stage the refusal came at.
        stage: Stage,
    },
    /// A server closed the connection without a word after its last answer: the stream ended
    /// either cleanly or inside a message, which cannot be told apart from outside.
    Closed,
}

/// What one implementation made of a stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// The messages it read, in order.
    pub messages: Vec<Message>,
    /// How the reading ended.
    #[serde(flatten)]
    pub end: End,
}

impl Reading {
    /// A reading from `h1spec parse --stream` JSON lines (the shim contract): one `accept` line
    /// per message, then possibly one `reject` line.
    ///
    /// # Errors
    ///
    /// A line that is not JSON or not of the contract's shape.
    pub fn from_lines(text: &str) -> Result<Reading, String> {
        let mut messages = Vec::new();
        for text in text.lines().filter(|l| !l.trim().is_empty()) {
            let line: Line = serde_json::from_str(text).map_err(|e| format!("{e}: {text:.200}"))?;
            match line.verdict.as_deref() {
                Some("accept") => messages.push(Message::decoded(
                    [&line.method, &line.target, &line.version, &line.body],
                    [&line.headers, &line.trailers],
                    &line.fields_lack,
                    bytes_of_latin1,
                )),
                Some("reject") => {
                    let rule = line.error.clone().filter(|e| !e.is_empty());
                    let error = match (line.error, line.message) {
                        (Some(e), Some(m)) => format!("{e}: {m}"),
                        (Some(e), None) => e,
                        (None, m) => m.unwrap_or_else(|| "refused".into()),
                    };
                    let end = ended(line.status, error, rule, line.stage);
                    return Ok(Reading { messages, end });
                }
                _ => return Err(format!("not a verdict line: {text:.200}")),
            }
        }
        Ok(Reading { messages, end: End::Clean })
    }

    /// The reading of h1spec's own verdicts (`h1spec parse --stream` in this process), without a
    /// trip through JSON.
    pub fn from_verdicts(verdicts: &[Verdict]) -> Reading {
        let mut messages = Vec::new();
        for verdict in verdicts {
            match verdict {
                Verdict::Accept { method, target, version, headers, trailers, body, .. } => {
                    messages.push(Message::decoded(
                        [method.as_deref().unwrap_or_default(), target.as_deref().unwrap_or_default(), version, body],
                        [headers, trailers],
                        &[],
                        bytes_of_latin1,
                    ));
                }
                Verdict::Reject { status, error, message, stage, .. } => {
                    let end = ended(status.map(u64::from), format!("{error}: {message}"), Some(error.clone()), *stage);
                    return Reading { messages, end };
                }
            }
        }
        Reading { messages, end: End::Clean }
    }

    /// A one-line account of the reading, for reports.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .messages
            .iter()
            .map(|m| {
                format!(
                    "{} {} ({} B body)",
                    String::from_utf8_lossy(&m.method),
                    String::from_utf8_lossy(&m.target).chars().take(40).collect::<String>(),
                    m.body.len()
                )
            })
            .collect();
        parts.push(match &self.end {
            End::Clean => "end".into(),
            End::Cut { .. } => "waits for more".into(),
            End::Refused { status, error, .. } => {
                format!("refuses: {status} {}", error.chars().take(80).collect::<String>())
            }
            End::Closed => "closes".into(),
        });
        parts.join("; ")
    }
}

/// How a reading that stopped at a refusal (or, with no status, inside a message) ends.
fn ended(status: Option<u64>, error: String, rule: Option<String>, stage: Option<crate::contract::Stage>) -> End {
    let stage = match stage {
        Some(crate::contract::Stage::Head) => Stage::Head,
        Some(crate::contract::Stage::Body) => Stage::Body,
        None => Stage::Unknown,
    };
    match status {
        None => End::Cut { stage },
        Some(status) => End::Refused { status: u16::try_from(status).unwrap_or(0), error, rule, read_on: false, stage },
    }
}

/// `[name, value]` pairs of text as byte pairs.
fn pairs_of(pairs: &[[String; 2]], bytes: fn(&str) -> Vec<u8>) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs.iter().map(|[name, value]| (bytes(name), bytes(value))).collect()
}

/// Field names lowercased, as `fields_lack` is compared.
fn lowercase(names: &[String]) -> Vec<Vec<u8>> {
    names.iter().map(|n| n.to_ascii_lowercase().into_bytes()).collect()
}

/// Base64 of an echo origin's JSON as bytes.
fn unbase64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default()
}

impl Message {
    /// A message from an echo origin's answer (base64 strings).
    pub fn from_echo(echo: &Echo) -> Message {
        Message::decoded(
            [&echo.method, &echo.target, &echo.version, &echo.body],
            [&echo.headers, &echo.trailers],
            &echo.fields_lack,
            unbase64,
        )
    }

    /// A message from the contract's text: method, target, version (as is) and body; headers
    /// and trailers as `[name, value]`; the fields not reported; `bytes` decodes each text
    /// (Latin-1 for verdict lines, base64 for echo origins).
    fn decoded(
        [method, target, version, body]: [&str; 4],
        [headers, trailers]: [&[[String; 2]]; 2],
        lack: &[String],
        bytes: fn(&str) -> Vec<u8>,
    ) -> Message {
        Message {
            method: bytes(method),
            target: bytes(target),
            version: version.to_owned(),
            fields: pairs_of(headers, bytes),
            trailers: pairs_of(trailers, bytes),
            body: bytes(body),
            fields_lack: lowercase(lack),
        }
    }
}

/// What kind of implementation a peer is: it decides what its reading can be compared on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A parser that reads the whole stream, bodies included.
    Parser,
    /// A parser of heads only (httparse, picohttpparser): only the first head is compared.
    HeadParser,
    /// A server answering each request with its reading: it cannot say whether a stream ended
    /// cleanly or inside a message.
    Origin,
    /// A proxy: its reading is what it forwards, whose fields it rewrites (only method, target
    /// and body are compared), and its forwarded bytes are read again by every parser.
    Proxy,
    /// A real proxy in front of a real origin: its reading is what reached the origin, judged
    /// only against its own proxy's meaning ([`compare::chain`]), never pairwise.
    Chain,
}

/// What an implementation gives back for one stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Its reading.
    pub reading: Reading,
    /// For a proxy: the bytes it forwarded, one entry per upstream connection that carried any,
    /// each meant by the proxy as one message (it ended the connection's message there and
    /// moved on). For a chain: the bytes that crossed each upstream connection to the origin.
    /// The parsers read again only the entries that hold a whole message ([`peers::whole_message`]).
    pub forwarded: Vec<Vec<u8>>,
}

impl From<Reading> for Observation {
    fn from(reading: Reading) -> Self {
        Observation { reading, forwarded: Vec::new() }
    }
}

/// Anything that reads a stream of requests.
pub trait Implementation: Send + Sync {
    /// Its name in reports and on the command line.
    fn name(&self) -> &str;
    /// What its readings can be compared on.
    fn role(&self) -> Role;
    /// Reads one stream (one connection's bytes, then the client closing).
    ///
    /// # Errors
    ///
    /// The implementation itself failed (a shim crashed, a server did not answer): not a
    /// reading, and not a difference.
    fn read(&self, stream: &[u8]) -> Result<Observation, String>;
    /// For an echo origin: where it listens, so that chains can put a proxy in front of it.
    fn listens(&self) -> Option<std::net::SocketAddr> {
        None
    }
    /// For a chain: the name of its proxy.
    fn proxy(&self) -> Option<&str> {
        None
    }
}
