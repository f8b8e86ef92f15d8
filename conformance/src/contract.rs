//! The JSON that h1spec and other programs exchange, as types: what `h1spec parse` prints (a
//! [`Verdict`]), what a shim prints for each message of a stream ([`Line`], the same shape with
//! every field optional, `peers/shims/README.md`), and what an echo origin answers ([`Echo`]).
//! Nothing here parses HTTP or judges; the output of `h1spec parse` is a documented contract and
//! stays byte for byte what it is.

use serde::{Deserialize, Serialize};

/// Which kind of message a verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// A request.
    Request,
    /// A response.
    Response,
}

/// Where in a message a stream's reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The head was refused or cut short.
    Head,
    /// The head was read and the body was not.
    Body,
}

/// The JSON object `h1spec parse` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    /// The first message was accepted.
    Accept {
        /// `"request"` or `"response"`.
        kind: MessageKind,
        /// The method (requests).
        #[serde(skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// The request-target (requests).
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        /// `HTTP/1.0` or `HTTP/1.1`.
        version: String,
        /// The status code (responses).
        #[serde(skip_serializing_if = "Option::is_none")]
        status_code: Option<u16>,
        /// The reason phrase (responses).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Header fields as `[name, value]` pairs, in order.
        headers: Vec<[String; 2]>,
        /// Trailer fields as `[name, value]` pairs, in order.
        trailers: Vec<[String; 2]>,
        /// The decoded body.
        body: String,
        /// The decoded body's length in bytes.
        body_len: usize,
        /// Input bytes the first message used.
        consumed: u64,
    },
    /// The first message was refused, or cut short by the end of input.
    Reject {
        /// The status a server should answer, `null` for a message cut short.
        status: Option<u16>,
        /// The kebab-case name of the rule broken.
        error: String,
        /// The offset of the defect in the input.
        offset: u64,
        /// What is wrong, in words.
        message: String,
        /// In a stream (`h1spec parse --stream`): `head` when the message's head was refused or
        /// cut short, `body` when the head was read and its body was not.
        #[serde(skip_serializing_if = "Option::is_none")]
        stage: Option<Stage>,
    },
}

/// Bytes as a string of the code points of the same values (Latin-1).
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Latin-1 text back into bytes: a code point below 256 is the byte of the same value; a string
/// holding any other code point (a shim that printed UTF-8) is taken as its UTF-8 bytes.
pub fn bytes_of_latin1(text: &str) -> Vec<u8> {
    if text.chars().all(|c| u32::from(c) < 256) {
        text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
    } else {
        text.as_bytes().to_vec()
    }
}

/// One line a shim prints: a verdict of `h1spec parse --stream`'s shape, every field optional
/// (a shim says what its implementation knows), and the fields it does not report.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Line {
    /// `accept` or `reject`.
    pub verdict: Option<String>,
    /// The method.
    #[serde(default)]
    pub method: String,
    /// The request-target.
    #[serde(default)]
    pub target: String,
    /// The version.
    #[serde(default)]
    pub version: String,
    /// Header fields as `[name, value]`.
    #[serde(default)]
    pub headers: Vec<[String; 2]>,
    /// Trailer fields as `[name, value]`.
    #[serde(default)]
    pub trailers: Vec<[String; 2]>,
    /// The body.
    #[serde(default)]
    pub body: String,
    /// A refusal's status, `null` when the stream ended inside a message.
    pub status: Option<u64>,
    /// A refusal's rule or error.
    pub error: Option<String>,
    /// A refusal's words.
    pub message: Option<String>,
    /// Where a refusal came.
    pub stage: Option<Stage>,
    /// Received fields the implementation does not report.
    #[serde(default)]
    pub fields_lack: Vec<String>,
}

/// What an echo origin answers about a request it read: every part as base64 of its bytes. (The
/// fields are in the order the reference server's echo has always written them.)
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Echo {
    /// The body.
    #[serde(default)]
    pub body: String,
    /// Received fields the origin does not report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields_lack: Vec<String>,
    /// Header fields as `[name, value]`.
    #[serde(default)]
    pub headers: Vec<[String; 2]>,
    /// The method.
    #[serde(default)]
    pub method: String,
    /// The request-target.
    #[serde(default)]
    pub target: String,
    /// Trailer fields as `[name, value]`.
    #[serde(default)]
    pub trailers: Vec<[String; 2]>,
    /// The version, as text.
    #[serde(default)]
    pub version: String,
}
