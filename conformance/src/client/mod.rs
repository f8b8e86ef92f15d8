//! `h1spec client`: HTTP clients against a hostile origin, the mirror of the probe. A client
//! that reads a response's body with another length than the RFC's leaves bytes for the next
//! response, or takes bytes of it: response smuggling, the user agent's side of a desync.
//!
//! Each response case of the corpus is served by [`origin::Origin`] on a path of its own. A
//! client fetches two URLs on one connection: the case's, then the canary's
//! ([`CANARY`]). The origin sends the case's response as the RFC frames it (its first
//! `consumed` bytes), then holds the canary back until the client asks for it (or a short
//! pause ends): a client that reads the case's body as the RFC does asks at once and gets the
//! canary; one that waits for more body bytes takes the canary's first bytes as that body, and
//! its second response is not the canary. Holding the canary back keeps a client that drops
//! what it read ahead (many do, when they think a response is over) from hiding the misreading.
//!
//! | layer | module |
//! | --- | --- |
//! | model | this file: what a client made of each response ([`Fetched`], [`Observed`]) and the case's paths |
//! | subject | [`origin`] (the hostile origin), [`subject`] (h1wire's own client, in process; any other client through a shim), [`proxy`] (a proxy in front of the origin, read by h1wire's client) |
//! | judge | [`judge`] (an observation → a result, pure) |
//! | run | [`session`] (start the origin, run each case, stop) |

pub mod judge;
pub mod origin;
pub mod proxy;
pub mod session;
pub mod subject;

use serde::Serialize;

use crate::corpus::{Case, CaseKind};

/// The second response on every connection when the case's was read as the RFC reads it.
pub const CANARY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nX-H1spec: canary\r\n\r\nh1spec-canary";

/// The canary's status and body, as a client reads them.
pub const CANARY_BODY: &[u8] = b"h1spec-canary";

/// The path a case's response is served on. A case whose response answers a HEAD request has
/// a path that starts with `/HEAD/`: the shim contract tells clients to send HEAD there.
pub fn case_path(case: &Case) -> String {
    let head = if case.request_method.eq_ignore_ascii_case("HEAD") { "/HEAD" } else { "" };
    format!("{head}/c/{}/1", case.id)
}

/// The canary's path for a case (any path that is not a case's first gets the canary).
pub fn canary_path(case: &Case) -> String {
    format!("/c/{}/2", case.id)
}

/// Whether a case is one a client is tested on: a response case.
pub fn applies(case: &Case) -> bool {
    case.kind == CaseKind::Response
}

/// What a client made of one response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Fetched {
    /// It read a response.
    Accept {
        /// The status code.
        status: u16,
        /// The body, as the client handed it to its caller (Latin-1 in JSON).
        #[serde(serialize_with = "as_latin1")]
        body: Vec<u8>,
    },
    /// It reported an error instead of a response.
    Reject {
        /// The error, in the client's words.
        error: String,
    },
    /// Nothing came back for it: the client stopped, or ran past its deadline.
    Missing {
        /// Why, in words.
        why: String,
    },
}

fn as_latin1<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::contract::latin1(bytes))
}

impl Fetched {
    /// In words, for a report.
    pub fn summary(&self) -> String {
        match self {
            Fetched::Accept { status, body } => {
                let shown: String = body.escape_ascii().to_string().chars().take(40).collect();
                format!("{status} with a {} B body \"{shown}\"", body.len())
            }
            Fetched::Reject { error } => format!("an error: {error}"),
            Fetched::Missing { why } => format!("nothing: {why}"),
        }
    }

    /// Whether it is the canary.
    pub fn is_canary(&self) -> bool {
        matches!(self, Fetched::Accept { status: 200, body } if body == CANARY_BODY)
    }
}

/// What a client made of a case's two URLs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observed {
    /// The case's response.
    pub first: Fetched,
    /// The canary's (fetched on the same connection when the client reuses it).
    pub second: Fetched,
}
