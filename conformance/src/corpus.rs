//! The conformance corpus: `corpus/cases/*.toml`, one file per RFC section, the one source of
//! truth for the snapshot suite, the fuzz seeds and the live-server probe.
//!
//! # Format
//!
//! ```toml
//! [section]
//! id = "9112-5"
//! title = "RFC 9112 §5 Field syntax"
//!
//! [[case]]
//! id = "field-space-before-colon"          # unique across the corpus
//! rfc = ["RFC 9112 §5.1", "RFC 7230 §3.2.4"]
//! level = "MUST"                           # MUST / SHOULD / MAY
//! raw = 'GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n'
//! expect = "reject"                        # accept / reject / incomplete
//! status = [400]                           # reject: what a server may answer
//! error = "whitespace-before-colon"        # h1wire's rule name (optional)
//! cve = "CVE-2019-16276"                   # optional
//! requirement = "No whitespace is allowed between the field name and colon."  # optional
//! desync = "TE.CL"                         # framing cases: the class a misreading opens
//! must_close = true                        # the server MUST close after answering
//! may_accept_if_closed = true              # a live server may also answer 2xx, then close
//! ```
//!
//! `raw` is a TOML literal string whose escapes this module decodes: `\r \n \t \0 \\`, `\xHH`
//! for any byte, and `\R(N,TEXT)` for TEXT (itself escaped, without `)`) repeated N times. A
//! response case says `role = "response"` and, when it matters, `request_method = "HEAD"`, and
//! `recipient = "user-agent"` when the rule is a user agent's (obs-fold, RFC 9112 §5.2; the
//! default recipient is a proxy).
//! Accepted cases may pin `method`, `target`, `version`, `status_code`, `reason`, `headers`,
//! `trailers`, `body`, `body_len`, `consumed` and `framing` (`empty`, `length`, `chunked`,
//! `until-close`); each one given is checked.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use h1wire::{Config, ErrorKind, Framing, ResponseTo};
use h1wire_check::{run, split_invariant, Kind, Message, Refused, StartLine};
use serde::Deserialize;

use crate::parse::{latin1, Verdict};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
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
    pub error: Option<String>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    section: Section,
    #[serde(rename = "case", default)]
    cases: Vec<Case>,
}

/// A corpus that could not be loaded.
#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// Where the corpus is: `corpus/cases` under the current directory, else in this source tree.
pub fn default_dir() -> PathBuf {
    let here = PathBuf::from("corpus/cases");
    if here.is_dir() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/cases")
    }
}

/// Loads and checks every `*.toml` section in `dir`, sorted by file name.
///
/// # Errors
///
/// A [`LoadError`] naming the file and the problem: unreadable, not the format, an escape that
/// does not decode, a duplicate id, an expectation that contradicts itself.
pub fn load(dir: &Path) -> Result<Vec<Section>, LoadError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| LoadError(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut ids = BTreeSet::new();
    let mut sections = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| LoadError(format!("{}: {e}", path.display())))?;
        let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let section = section_of(&name, &text, &mut ids).map_err(|e| LoadError(format!("{}: {e}", path.display())))?;
        sections.push(section);
    }
    Ok(sections)
}

/// Reads one section from the text of a corpus file named `name` (its stem), as [`load`]
/// checks it.
///
/// # Errors
///
/// A [`LoadError`] naming the problem, as [`load`].
///
/// # Examples
///
/// ```
/// let text = "[section]\nid = \"t\"\ntitle = \"t\"\n\n[[case]]\nid = \"x\"\nrfc = [\"RFC 9112 §2.1\"]\nlevel = \"MUST\"\nraw = ''\nexpect = \"incomplete\"\n";
/// let section = h1spec::corpus::load_str("t", text).unwrap();
/// assert!(section.cases[0].check().failures.is_empty());
/// ```
pub fn load_str(name: &str, text: &str) -> Result<Section, LoadError> {
    section_of(name, text, &mut BTreeSet::new())
}

/// One file's section; `ids` holds the case ids seen so far, across files.
fn section_of(name: &str, text: &str, ids: &mut BTreeSet<String>) -> Result<Section, LoadError> {
    let file: File = toml::from_str(text).map_err(|e| LoadError(e.to_string()))?;
    let mut section = file.section;
    section.file = name.to_string();
    for case in &file.cases {
        let at = |why: String| LoadError(format!("case {}: {why}", case.id));
        if !ids.insert(case.id.clone()) {
            return Err(at("duplicate id".into()));
        }
        decode(&case.raw).map_err(at)?;
        if let Some(control) = &case.control {
            decode(control).map_err(at)?;
        }
        validate(case).map_err(at)?;
    }
    let derived: Vec<Case> = file.cases.iter().filter_map(http10_keep_alive).collect();
    for case in &derived {
        if !ids.insert(case.id.clone()) {
            return Err(LoadError(format!("case {}: duplicate id (derived)", case.id)));
        }
    }
    section.cases = file.cases;
    section.cases.extend(derived);
    for case in &mut section.cases {
        if case.requirement.is_none() {
            case.requirement = Some(default_requirement(case));
        }
    }
    Ok(section)
}

/// The HTTP/1.0 keep-alive form of a framing request case that carries Transfer-Encoding: the
/// same bytes with `HTTP/1.0` and `Connection: keep-alive`. RFC 9112 §6.1: "A server or client
/// that receives an HTTP/1.0 message containing a Transfer-Encoding header field MUST treat the
/// message as if the framing is faulty, even if a Content-Length is present, and close the
/// connection after processing the message." So a server refuses it, or processes it and closes;
/// one that keeps the connection reads the next request where a hop that closes never does
/// (Go before 1.22 ignored Transfer-Encoding in HTTP/1.0 and read the chunks as requests).
fn http10_keep_alive(case: &Case) -> Option<Case> {
    const LINE_END: &str = " HTTP/1.1\\r\\n";
    let request_line_end = case.raw.find(LINE_END)?;
    let head = &case.raw[..case.raw.find("\\r\\n\\r\\n").unwrap_or(case.raw.len())];
    let eligible = case.kind == CaseKind::Request
        && case.desync.is_some()
        && case.expect != Expect::Incomplete
        && !case.raw[..request_line_end].contains("\\r\\n")
        && head.to_ascii_lowercase().contains("\\r\\ntransfer-encoding:");
    if !eligible {
        return None;
    }
    let raw = format!(
        "{} HTTP/1.0\\r\\nConnection: keep-alive\\r\\n{}",
        &case.raw[..request_line_end],
        &case.raw[request_line_end + LINE_END.len()..]
    );
    Some(Case {
        id: format!("{}-http10-keep-alive", case.id),
        rfc: vec!["RFC 9112 §6.1".into(), "RFC 9112 §6.3".into()],
        level: Level::Must,
        raw,
        expect: Expect::Reject,
        status: vec![400, 501],
        error: None,
        cve: None,
        note: Some(format!(
            "Derived from {}: the same bytes as an HTTP/1.0 keep-alive request. Go 1.19 ignores Transfer-Encoding in HTTP/1.0 and reads the chunks as the next request; Apache 2.4 frames it as chunked and keeps the connection.",
            case.id
        )),
        requirement: Some(
            "A server that receives an HTTP/1.0 message containing a Transfer-Encoding header field MUST treat the message as if the framing is faulty, even if a Content-Length is present, and close the connection after processing the message (RFC 9112 §6.1)."
                .into(),
        ),
        must_close: true,
        may_accept_if_closed: true,
        method: None,
        target: None,
        version: None,
        status_code: None,
        reason: None,
        headers: None,
        trailers: None,
        body: None,
        body_len: None,
        consumed: None,
        framing: None,
        ..case.clone()
    })
}

/// The requirement of a case whose file states none: the description of the rule h1wire names
/// for it (which cites the section), or the expectation in words.
fn default_requirement(case: &Case) -> String {
    let rule = case.error.as_deref().and_then(|name| ErrorKind::ALL.iter().find(|k| k.name() == name));
    match (rule, case.expect) {
        (Some(kind), _) => format!("{}.", capitalized(kind.description())),
        (None, Expect::Accept) => format!("A recipient accepts this message ({}).", case.rfc.join(", ")),
        (None, Expect::Reject) => format!("A recipient refuses this message ({}).", case.rfc.join(", ")),
        (None, Expect::Incomplete) => {
            format!(
                "A recipient waits for the rest of this message and never treats it as complete ({}).",
                case.rfc.join(", ")
            )
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The corpus compiled into the binary, so an installed `h1spec` runs from any directory. The
/// test `the_embedded_corpus_is_the_corpus_directory` keeps this list whole.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("9112-02-message", include_str!("../../corpus/cases/9112-02-message.toml")),
    ("9112-03-request-line", include_str!("../../corpus/cases/9112-03-request-line.toml")),
    ("9112-03.2-host", include_str!("../../corpus/cases/9112-03.2-host.toml")),
    ("9112-03.2-target", include_str!("../../corpus/cases/9112-03.2-target.toml")),
    ("9112-04-status-line", include_str!("../../corpus/cases/9112-04-status-line.toml")),
    ("9112-05-fields", include_str!("../../corpus/cases/9112-05-fields.toml")),
    ("9112-06-framing", include_str!("../../corpus/cases/9112-06-framing.toml")),
    ("9112-06.3-response-framing", include_str!("../../corpus/cases/9112-06.3-response-framing.toml")),
    ("9112-07-chunked", include_str!("../../corpus/cases/9112-07-chunked.toml")),
    ("cve-regressions", include_str!("../../corpus/cases/cve-regressions.toml")),
    ("diff-findings", include_str!("../../corpus/cases/diff-findings.toml")),
    ("limits", include_str!("../../corpus/cases/limits.toml")),
    ("smuggling-shapes", include_str!("../../corpus/cases/smuggling-shapes.toml")),
    ("smuggling", include_str!("../../corpus/cases/smuggling.toml")),
];

/// The corpus compiled into the binary ([`EMBEDDED`]), loaded and checked as [`load`] does.
///
/// # Errors
///
/// As [`load`] (a build with a broken corpus file).
pub fn embedded() -> Result<Vec<Section>, LoadError> {
    let mut ids = BTreeSet::new();
    EMBEDDED
        .iter()
        .map(|(name, text)| section_of(name, text, &mut ids).map_err(|e| LoadError(format!("{name}.toml: {e}"))))
        .collect()
}

fn validate(case: &Case) -> Result<(), String> {
    if case.rfc.is_empty() {
        return Err("no RFC section".into());
    }
    let accept_fields = case.method.is_some()
        || case.target.is_some()
        || case.status_code.is_some()
        || case.headers.is_some()
        || case.body.is_some()
        || case.consumed.is_some();
    match case.expect {
        Expect::Reject if case.status.is_empty() => Err("a reject needs the statuses a server may answer".into()),
        Expect::Accept | Expect::Incomplete if !case.status.is_empty() => Err("status is for rejects".into()),
        Expect::Reject | Expect::Incomplete if accept_fields => {
            Err("accepted fields on a case that is not accepted".into())
        }
        _ if case.kind == CaseKind::Response && (case.desync.is_some() || case.must_close) => {
            Err("desync and must_close are for requests".into())
        }
        _ if case.control.is_some() && case.desync.is_none() => Err("control is for framing cases".into()),
        _ if case.must_close && case.level == Level::May => Err("must_close on a MAY case: the RFC allows both".into()),
        _ if case.may_accept_if_closed && !(case.must_close && case.expect == Expect::Reject) => {
            Err("may_accept_if_closed is for rejects that must close".into())
        }
        _ => Ok(()),
    }
}

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

/// A corpus case (TOML) for `stream`, with h1wire's reading of its first message as the
/// expectation and the section its rule cites (RFC 9112 §2.1, message format, when h1wire
/// accepts). `h1spec save-finding` appends these to the corpus.
pub fn case_from_stream(id: &str, stream: &[u8], note: &str) -> String {
    use crate::parse::{parse, Options, Verdict};
    let quote = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut lines = vec!["[[case]]".to_owned(), format!("id = {}", quote(id))];
    let cite = |message: &str| {
        message
            .find("RFC ")
            .map(|at| {
                let rest = &message[at..];
                let end = rest.find([')', ',', ';']).unwrap_or(rest.len());
                rest[..end].trim().to_owned()
            })
            .unwrap_or_else(|| "RFC 9112 §2.1".into())
    };
    match parse(stream, &Options::default()) {
        Verdict::Accept { method, target, consumed, .. } => {
            lines.push(format!("rfc = [{}]", quote("RFC 9112 §2.1")));
            lines.push("level = \"MUST\"".into());
            lines.push(format!("raw = '{}'", encode(stream)));
            lines.push("expect = \"accept\"".into());
            if let Some(m) = method {
                lines.push(format!("method = {}", quote(&m)));
            }
            if let Some(t) = target {
                lines.push(format!("target = {}", quote(&t)));
            }
            lines.push(format!("consumed = {consumed}"));
        }
        Verdict::Reject { status, error, message, .. } => {
            lines.push(format!("rfc = [{}]", quote(&cite(&message))));
            lines.push("level = \"MUST\"".into());
            lines.push(format!("raw = '{}'", encode(stream)));
            match status {
                Some(code) => {
                    lines.push("expect = \"reject\"".into());
                    lines.push(format!("status = [{code}]"));
                    lines.push(format!("error = {}", quote(error)));
                }
                None => lines.push("expect = \"incomplete\"".into()),
            }
        }
    }
    lines.push(format!("note = {}", quote(note)));
    lines.join("\n") + "\n"
}

/// How one case fared against h1wire.
#[derive(Debug)]
pub struct Checked {
    /// What h1wire made of the first message (whole input at once).
    pub outcome: Result<Message, Refused>,
    /// The same as `h1spec parse` prints it.
    pub verdict: Verdict,
    /// Every way the outcome differs from the case's expectation; empty when the case passes.
    pub failures: Vec<String>,
}

impl Case {
    /// The raw bytes (the corpus was validated on load, so they decode).
    pub fn bytes(&self) -> Vec<u8> {
        decode(&self.raw).unwrap_or_default()
    }

    /// What the harness parses: a request, or a response to the case's request method.
    pub fn message_kind(&self) -> Kind {
        match self.kind {
            CaseKind::Request => Kind::Request,
            CaseKind::Response => Kind::Response(ResponseTo::of_method(&self.request_method)),
        }
    }

    /// The parser configuration the case runs with: the defaults, and for a user agent
    /// `allow_obs_fold`.
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        config.allow_obs_fold = self.recipient == Recipient::UserAgent;
        config
    }

    /// Runs the case against h1wire: whole, one byte at a time and split everywhere (which must
    /// agree), then compares the outcome with the expectation.
    pub fn check(&self) -> Checked {
        let input = self.bytes();
        let (kind, config) = (self.message_kind(), self.config());
        let (outcome, mut failures) = match split_invariant(kind, &config, &input) {
            Ok(outcome) => (outcome, Vec::new()),
            Err(why) => (run(kind, &config, &input, &[]), vec![format!("split invariance: {why}")]),
        };
        failures.extend(self.compare(&outcome));
        let verdict = Verdict::of(outcome.clone());
        Checked { outcome, verdict, failures }
    }

    fn compare(&self, outcome: &Result<Message, Refused>) -> Vec<String> {
        let mut f = Vec::new();
        let outcome = match outcome {
            Ok(m) => Ok(m),
            Err(Refused::Error(e)) => Err(e),
            Err(Refused::NoMessage) => {
                // Nothing at all: what a recipient sees as a close before any message.
                let cut_short = self.expect == Expect::Incomplete
                    && self.error.as_deref().is_none_or(|e| e == ErrorKind::UnexpectedEof.name());
                if !cut_short {
                    f.push(format!("expected {:?}, got no message", self.expect));
                }
                return f;
            }
        };
        match (self.expect, outcome) {
            (Expect::Accept, Ok(m)) => self.compare_accept(m, &mut f),
            (Expect::Accept, Err(e)) => f.push(format!("expected accept, got {} ({e})", e.kind().name())),
            (Expect::Reject, Ok(_)) => f.push(format!("expected reject {:?}, got accept", self.status)),
            (Expect::Incomplete, Ok(_)) => f.push("expected incomplete, got accept".into()),
            (Expect::Reject | Expect::Incomplete, Err(e)) => {
                let status = e.status().map(|s| s.code());
                match (self.expect, status) {
                    (Expect::Incomplete, None) => {}
                    (Expect::Incomplete, Some(s)) => {
                        f.push(format!("expected incomplete, got {s} {}", e.kind().name()))
                    }
                    (_, Some(s)) if self.status.contains(&s) => {}
                    (_, s) => f.push(format!("expected one of {:?}, got {s:?} {}", self.status, e.kind().name())),
                }
                if let Some(want) = &self.error {
                    if want != e.kind().name() {
                        f.push(format!("expected error {want}, got {}", e.kind().name()));
                    }
                }
            }
        }
        f
    }

    fn compare_accept(&self, m: &Message, f: &mut Vec<String>) {
        let mut pin = |what: &str, want: Option<String>, got: String| {
            if let Some(want) = want {
                if want != got {
                    f.push(format!("{what}: expected {want:?}, got {got:?}"));
                }
            }
        };
        let (method, target, status, reason) = match &m.start {
            StartLine::Request { method, target } => (method.clone(), target.clone(), String::new(), String::new()),
            StartLine::Response { status, reason } => {
                (String::new(), String::new(), status.to_string(), latin1(reason))
            }
        };
        pin("method", self.method.clone(), method);
        pin("target", self.target.clone(), target);
        pin("status_code", self.status_code.map(|s| s.to_string()), status);
        pin("reason", self.reason.clone(), reason);
        pin("version", self.version.clone(), m.version.as_str().into());
        pin("body", self.body.clone(), latin1(&m.body));
        pin("body_len", self.body_len.map(|n| n.to_string()), m.body.len().to_string());
        pin("consumed", self.consumed.map(|n| n.to_string()), m.consumed.to_string());
        let framing = match m.framing {
            Framing::Empty => "empty",
            Framing::Length(_) => "length",
            Framing::Chunked => "chunked",
            Framing::UntilClose => "until-close",
        };
        pin("framing", self.framing.clone(), framing.into());
        let fields = |list: &[(String, Vec<u8>)]| {
            format!("{:?}", list.iter().map(|(n, v)| [n.clone(), latin1(v)]).collect::<Vec<_>>())
        };
        pin("headers", self.headers.as_ref().map(|h| format!("{h:?}")), fields(&m.headers));
        pin("trailers", self.trailers.as_ref().map(|h| format!("{h:?}")), fields(&m.trailers));
    }
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
