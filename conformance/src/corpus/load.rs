//! Reading the corpus: the files in `corpus/cases/` (or compiled into the binary), checked as
//! they load, and the cases derived from them.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::escape::decode;
use super::schema::{Case, CaseKind, Expect, Level, Section};

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
    let rule = case.error;
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
    ("9112-02-message", include_str!("../../../corpus/cases/9112-02-message.toml")),
    ("9112-03-request-line", include_str!("../../../corpus/cases/9112-03-request-line.toml")),
    ("9112-03.2-host", include_str!("../../../corpus/cases/9112-03.2-host.toml")),
    ("9112-03.2-target", include_str!("../../../corpus/cases/9112-03.2-target.toml")),
    ("9112-04-status-line", include_str!("../../../corpus/cases/9112-04-status-line.toml")),
    ("9112-05-fields", include_str!("../../../corpus/cases/9112-05-fields.toml")),
    ("9112-06-framing", include_str!("../../../corpus/cases/9112-06-framing.toml")),
    ("9112-06.3-response-framing", include_str!("../../../corpus/cases/9112-06.3-response-framing.toml")),
    ("9112-07-chunked", include_str!("../../../corpus/cases/9112-07-chunked.toml")),
    ("cve-regressions", include_str!("../../../corpus/cases/cve-regressions.toml")),
    ("diff-findings", include_str!("../../../corpus/cases/diff-findings.toml")),
    ("limits", include_str!("../../../corpus/cases/limits.toml")),
    ("smuggling-shapes", include_str!("../../../corpus/cases/smuggling-shapes.toml")),
    ("smuggling", include_str!("../../../corpus/cases/smuggling.toml")),
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
