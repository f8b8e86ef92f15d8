//! `h1spec save-finding`: a finding of a diff report written into the corpus as a case, with
//! h1wire's reading of its first message as the expectation, for a person to review.

use serde::Serialize;

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
/// corpus file `to` as a case named `id` (default `diff-CLASS-N`), after checking that the file
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
    #[derive(serde::Deserialize)]
    struct Report {
        findings: Vec<Finding>,
    }
    #[derive(serde::Deserialize)]
    struct Finding {
        stream: String,
        signature: String,
        difference: Difference,
    }
    #[derive(serde::Deserialize)]
    struct Difference {
        class: String,
    }
    let text = std::fs::read_to_string(report).map_err(|e| format!("{}: {e}", report.display()))?;
    let mut json: Report = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", report.display()))?;
    let finding = number
        .checked_sub(1)
        .filter(|&i| i < json.findings.len())
        .map(|i| json.findings.swap_remove(i))
        .ok_or_else(|| format!("the report has no finding F{number}"))?;
    // The report holds streams as Latin-1 text, one character per byte.
    let stream: Vec<u8> = finding.stream.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    let id = id.unwrap_or_else(|| format!("diff-{}-{number}", finding.difference.class));
    let note = format!("Found by h1spec diff: {}. The expectation is h1wire's reading; review it.", finding.signature);
    let case = case_from_stream(&id, &stream, &note);
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
