//! `h1spec save-finding`: a finding of a diff report written into the corpus as a case, with
//! h1wire's reading of its first message as the expectation, for a person to review.

use serde::Serialize;

use super::run::Outcome;
use crate::corpus::{self, Expect, Level};
use crate::parse::{parse, Options, Verdict};

/// A new case as the corpus files write it; `None` fields are left out.
#[derive(Serialize)]
struct NewCase<'a> {
    id: &'a str,
    rfc: Vec<String>,
    level: Level,
    raw: String,
    expect: Expect,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Vec<u16>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumed: Option<u64>,
    note: &'a str,
}

#[derive(Serialize)]
struct Cases<'a> {
    case: [NewCase<'a>; 1],
}

/// A corpus case (TOML, one `[[case]]` table) for `stream`, with h1wire's reading of its first
/// message as the expectation and the section its rule cites (RFC 9112 §2.1, message format,
/// when h1wire accepts).
///
/// ```
/// let text = h1spec::diff::save::case_from_stream("x", b"GET / HTTP/1.1\r\nX : y\r\n\r\n", "found");
/// assert!(text.starts_with("[[case]]\nid = \"x\"\n"), "{text}");
/// assert!(text.contains("error = \"whitespace-before-colon\""), "{text}");
/// let file = format!("[section]\nid = \"t\"\ntitle = \"t\"\n\n{text}");
/// assert!(h1spec::corpus::load_str("t", &file).is_ok());
/// ```
pub fn case_from_stream(id: &str, stream: &[u8], note: &str) -> String {
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
    let mut case = NewCase {
        id,
        rfc: vec!["RFC 9112 §2.1".into()],
        level: Level::Must,
        raw: corpus::encode(stream),
        expect: Expect::Accept,
        status: None,
        error: None,
        method: None,
        target: None,
        consumed: None,
        note,
    };
    match parse(stream, &Options::default()) {
        Verdict::Accept { method, target, consumed, .. } => {
            (case.method, case.target, case.consumed) = (method, target, Some(consumed));
        }
        Verdict::Reject { status, error, message, .. } => {
            case.rfc = vec![cite(&message)];
            match status {
                Some(code) => (case.expect, case.status, case.error) = (Expect::Reject, Some(vec![code]), Some(error)),
                None => case.expect = Expect::Incomplete,
            }
        }
    }
    toml::to_string(&Cases { case: [case] }).expect("a case serializes")
}

/// Appends finding `number` (from 1) of the diff report at `report` (its `--save-json`) to the
/// corpus file `to` as a case named `id` (default `diff-RULE-N` after the rule h1wire refuses
/// it by, or `diff-CLASS-N` when it accepts), after checking that the file
/// still loads with it. Returns the id.
///
/// # Errors
///
/// A description: the report cannot be read or has no such finding, or the file would not load.
pub fn save_finding(
    report: &std::path::Path,
    number: usize,
    id: Option<String>,
    to: &std::path::Path,
) -> Result<String, String> {
    let text = std::fs::read_to_string(report).map_err(|e| format!("{}: {e}", report.display()))?;
    let outcome: Outcome = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", report.display()))?;
    let finding = number
        .checked_sub(1)
        .and_then(|i| outcome.findings.get(i))
        .ok_or_else(|| format!("the report has no finding F{number}"))?;
    let stream = &finding.stream;
    // Named after what the case tests: the rule h1wire refuses it by, else the class.
    let id = id.unwrap_or_else(|| match parse(stream, &Options::default()) {
        Verdict::Reject { error, status: Some(_), .. } => format!("diff-{error}-{number}"),
        _ => format!("diff-{}-{number}", finding.difference.class.name()),
    });
    let features: Vec<&str> = finding.features.iter().map(|f| f.name()).collect();
    let features = if features.is_empty() { String::new() } else { format!(" (features: {})", features.join(", ")) };
    let note = format!(
        "Found by h1spec diff: {}{features}, first from {}. The expectation is h1wire's reading; review it.",
        finding.group, finding.source
    );
    let case = case_from_stream(&id, stream, &note);
    let existing = std::fs::read_to_string(to).unwrap_or_default();
    let mut all = existing.clone();
    if existing.is_empty() {
        all.push_str("[section]\nid = \"diff-findings\"\ntitle = \"Found by h1spec diff\"\n");
    }
    all.push('\n');
    all.push_str(&case);
    // The case must load beside the others before it is written.
    corpus::load_str(&to.display().to_string(), &all).map_err(|e| e.to_string())?;
    std::fs::write(to, all).map_err(|e| format!("{}: {e}", to.display()))?;
    Ok(id)
}
