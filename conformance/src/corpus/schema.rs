//! The corpus's types: a section (one file) and its cases, with the enums the files use.

use std::fmt;

use h1wire::{Config, ErrorKind};
use serde::{Deserialize, Deserializer};

use super::escape::decode;

/// Requirement level of the rule a case tests (RFC 2119).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum Level {
    /// An absolute requirement.
    #[serde(rename = "MUST")]
    Must,
    /// A recommendation.
    #[serde(rename = "SHOULD")]
    Should,
    /// An option.
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    /// The RFC 2119 keyword: `MUST`, `SHOULD` or `MAY`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which kind of message a case holds (the key is `role` in the files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    /// A request (the default).
    #[default]
    Request,
    /// A response, to a request with the case's `request_method`.
    Response,
}

/// Who reads a response, when the rule depends on it (RFC 9112 §5.2 on obs-fold).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    /// A proxy, which may refuse what a user agent must accept (the default).
    #[default]
    Proxy,
    /// A user agent: h1wire runs with `allow_obs_fold`, as a user agent must.
    UserAgent,
}

/// The request-smuggling class a framing case probes: which two readings of the bytes a
/// disagreement between a front end and this server would come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
pub enum DesyncClass {
    /// The front end frames by Content-Length, the back end by Transfer-Encoding.
    #[serde(rename = "CL.TE")]
    ClTe,
    /// The front end frames by Transfer-Encoding, the back end by Content-Length.
    #[serde(rename = "TE.CL")]
    TeCl,
    /// Both honour Transfer-Encoding, but one of them does not see it (an obfuscated field).
    #[serde(rename = "TE.TE")]
    TeTe,
    /// Two Content-Length values, or one that one side reads differently.
    #[serde(rename = "CL.CL")]
    ClCl,
    /// The back end ignores a Content-Length (on GET, say) and reads the body as a request.
    #[serde(rename = "CL.0")]
    Cl0,
    /// The back end waits for a body the front end says is not there.
    #[serde(rename = "0.CL")]
    ZeroCl,
    /// The chunked coding itself read two ways (sizes, extensions, line ends, trailers).
    #[serde(rename = "chunked")]
    Chunked,
    /// `Expect: 100-continue` handled two ways.
    Expect,
    /// Pipelined requests split two ways.
    #[serde(rename = "pipelining")]
    Pipelining,
}

impl DesyncClass {
    /// Every class, in the order reports list them.
    pub const ALL: &'static [DesyncClass] = &[
        DesyncClass::ClTe,
        DesyncClass::TeCl,
        DesyncClass::TeTe,
        DesyncClass::ClCl,
        DesyncClass::Cl0,
        DesyncClass::ZeroCl,
        DesyncClass::Chunked,
        DesyncClass::Expect,
        DesyncClass::Pipelining,
    ];

    /// The name used in the corpus and the reports.
    pub fn name(self) -> &'static str {
        match self {
            DesyncClass::ClTe => "CL.TE",
            DesyncClass::TeCl => "TE.CL",
            DesyncClass::TeTe => "TE.TE",
            DesyncClass::ClCl => "CL.CL",
            DesyncClass::Cl0 => "CL.0",
            DesyncClass::ZeroCl => "0.CL",
            DesyncClass::Chunked => "chunked",
            DesyncClass::Expect => "Expect",
            DesyncClass::Pipelining => "pipelining",
        }
    }
}

impl fmt::Display for DesyncClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a conforming recipient does with the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// It accepts the first message.
    Accept,
    /// It refuses the message (a server answers one of `status`).
    Reject,
    /// The message is cut short: a recipient waits for more and, at the close, drops it.
    Incomplete,
}

/// One conformance case, as written in the corpus.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Case {
    pub id: String,
    pub rfc: Vec<String>,
    pub level: Level,
    #[serde(default, rename = "role")]
    pub kind: CaseKind,
    #[serde(default = "default_method")]
    pub request_method: String,
    #[serde(default)]
    pub recipient: Recipient,
    pub raw: String,
    pub expect: Expect,
    #[serde(default)]
    pub status: Vec<u16>,
    #[serde(default, deserialize_with = "rule_name")]
    pub error: Option<ErrorKind>,
    pub cve: Option<String>,
    pub note: Option<String>,
    /// The normative sentence the case tests (filled in from the rule's description when the
    /// file gives none).
    pub requirement: Option<String>,
    /// For framing cases, the desync class a misreading would open.
    pub desync: Option<DesyncClass>,
    /// For framing cases: the same shape made valid (escaped as `raw`). The probe sends it when
    /// the case shows a risk; a server that does not read the control as the RFC does either
    /// (a slow or non-pipelining server, say) makes the risk inconclusive.
    pub control: Option<String>,
    /// The RFC requires the server to close the connection after answering (RFC 9112 §6.3).
    #[serde(default)]
    pub must_close: bool,
    /// A server may also process the message and answer it, provided it then closes (RFC 9112
    /// §6.3 rule 3: Transfer-Encoding with Content-Length). h1wire refuses; a live server is
    /// judged by both.
    #[serde(default)]
    pub may_accept_if_closed: bool,
    pub method: Option<String>,
    pub target: Option<String>,
    pub version: Option<String>,
    pub status_code: Option<u16>,
    pub reason: Option<String>,
    pub headers: Option<Vec<[String; 2]>>,
    pub trailers: Option<Vec<[String; 2]>>,
    pub body: Option<String>,
    pub body_len: Option<u64>,
    pub consumed: Option<u64>,
    pub framing: Option<String>,
}

/// An h1wire rule by its kebab-case name; an unknown name fails the load.
fn rule_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorKind>, D::Error> {
    use serde::de::Error as _;
    let name: Option<String> = Option::deserialize(d)?;
    name.map(|n| {
        ErrorKind::ALL.iter().copied().find(|k| k.name() == n).ok_or_else(|| {
            D::Error::custom(format!("unknown rule {n:?} (one of h1wire's rule names, e.g. \"bare-lf\")"))
        })
    })
    .transpose()
}

fn default_method() -> String {
    "GET".into()
}

/// A section: one corpus file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Short id, e.g. `9112-5`.
    pub id: String,
    /// Title, e.g. `RFC 9112 §5 Field syntax`.
    pub title: String,
    /// The file's stem, e.g. `9112-05-fields` (filled in on load).
    #[serde(skip)]
    pub file: String,
    /// The cases, in file order (filled in on load).
    #[serde(skip)]
    pub cases: Vec<Case>,
}

impl Case {
    /// The raw bytes (the corpus was validated on load, so they decode).
    pub fn bytes(&self) -> Vec<u8> {
        decode(&self.raw).unwrap_or_default()
    }

    /// The parser configuration the case runs with: the defaults, and for a user agent
    /// `allow_obs_fold`.
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.allow_obs_fold = self.recipient == Recipient::UserAgent;
        config
    }
}
