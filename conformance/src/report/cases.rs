//! Reports of a probe or suite run: console, JSON and JUnit. They read [`CaseResult`]s only;
//! they never judge.
//!
//! The JSON form is a contract other tools read:
//!
//! ```text
//! {"target": "...", "results": [{"id","section","level","requirement","verdict":"pass"|"fail"|"skip",
//!   "expected","actual","desync":null|{"verdict":"consistent"|"refused"|"risk"|"inconclusive"|"unstable",
//!   "class","difference","sent","received","reproduced":null|{"times","of"},"reproduce":[...],
//!   "evidence"}}, ...],
//!  "notes": {"notes":[...], "outages":[{"case","evidence","recovered"}]},
//!  "summary": {"total","passed","failed","skipped","desync_risks","desync_unstable"}}
//! ```

use std::fmt::Write as _;

use serde::Serialize;

use crate::corpus::DesyncClass;
use crate::pipeline::{CaseResult, DesyncVerdict, Judgment, RunNotes, Summary};

/// How the console report looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// ANSI colours (off for a pipe and with `NO_COLOR`).
    pub colour: bool,
    /// List passing and skipped cases too, not only failures.
    pub verbose: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The last line: `N tests, P passed, S skipped, F failed, R desync risks` (and the unstable
/// risks when there are any).
pub fn summary_line(summary: &Summary) -> String {
    let mut line = format!(
        "{} tests, {} passed, {} skipped, {} failed, {} desync risks",
        summary.total, summary.passed, summary.skipped, summary.failed, summary.desync_risks
    );
    if summary.desync_unstable > 0 {
        let _ = write!(line, " ({} unstable)", summary.desync_unstable);
    }
    line
}

/// One line per desync class: how many of its cases were risks, unstable, consistent, refused
/// and inconclusive. Empty when no case had a desync check.
pub fn class_table(results: &[CaseResult]) -> String {
    let mut classes: Vec<DesyncClass> = Vec::new();
    for d in results.iter().filter_map(|r| r.desync.as_ref()) {
        if !classes.contains(&d.class) {
            classes.push(d.class);
        }
    }
    // The corpus's order of classes, whatever order the cases ran in.
    classes.sort_by_key(|c| DesyncClass::ALL.iter().position(|k| k == c));
    if classes.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{:<12} {:>6} {:>9} {:>11} {:>8} {:>13}\n",
        "class", "risks", "unstable", "consistent", "refused", "inconclusive"
    );
    for class in classes {
        let count = |v: DesyncVerdict| {
            results.iter().filter_map(|r| r.desync.as_ref()).filter(|d| d.class == class && d.verdict == v).count()
        };
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>9} {:>11} {:>8} {:>13}",
            class.name(),
            count(DesyncVerdict::Risk),
            count(DesyncVerdict::Unstable),
            count(DesyncVerdict::Consistent),
            count(DesyncVerdict::Refused),
            count(DesyncVerdict::Inconclusive)
        );
    }
    out
}

/// The console report: cases grouped by corpus section (only the sections with something to
/// show, unless verbose), each failure with its requirement, expectation and observation; the
/// desync risks in a block of their own with their evidence; the summary line last.
/// `title` is the command and its subject (`h1spec probe 127.0.0.1:8080`).
pub fn console(title: &str, results: &[CaseResult], notes: &RunNotes, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}\n");
    let table = class_table(results);
    if !table.is_empty() {
        let _ = writeln!(out, "{table}");
    }
    for note in &notes.notes {
        let _ = writeln!(out, "{} {note}", style.paint("33", "Note:"));
    }
    for o in &notes.outages {
        let again = if o.recovered { "; it answered again later" } else { "" };
        let _ = writeln!(
            out,
            "{} the server stopped answering after case {} (denial of service): {}{again}",
            style.paint("1;31", "Outage:"),
            o.case,
            o.evidence
        );
    }
    if !notes.notes.is_empty() || !notes.outages.is_empty() {
        out.push('\n');
    }
    let mut group: Option<&str> = None;
    for r in results {
        let shown = style.verbose || r.verdict == Judgment::Fail;
        if !shown {
            continue;
        }
        if group != Some(r.group.as_str()) {
            group = Some(&r.group);
            let _ = writeln!(out, "{}", style.paint("1", &r.group));
        }
        match r.verdict {
            Judgment::Pass => {
                let desync = r
                    .desync
                    .as_ref()
                    .map(|d| format!(" {}: {:?}", d.class, d.verdict).to_lowercase())
                    .unwrap_or_default();
                let _ = writeln!(out, "  {} {} [{}]{desync}", style.paint("32", "✔"), r.id, r.level);
            }
            Judgment::Skip => {
                let _ = writeln!(out, "  {} {} ({})", style.paint("33", "–"), r.id, r.actual);
            }
            Judgment::Fail => {
                let _ = writeln!(out, "  {} {} [{}, {}]", style.paint("31", "✗"), r.id, r.level, r.section);
                let _ = writeln!(out, "      Requirement: {}", r.requirement);
                let _ = writeln!(out, "      Expected: {}", r.expected);
                let _ = writeln!(out, "      Actual: {}", r.actual);
            }
        }
    }
    let risks: Vec<&CaseResult> = results.iter().filter(|r| r.is_desync_risk()).collect();
    if !risks.is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1;31", "Desync risks"));
        for r in risks {
            let desync = r.desync.as_ref().expect("a risk has its desync part");
            let seen = desync.reproduced.map(|p| format!(", reproduced {}/{}", p.times, p.of)).unwrap_or_default();
            let _ = writeln!(out, "  {} {} [{}{seen}]", style.paint("31", "⚠"), r.id, desync.class);
            let _ = writeln!(out, "      {}.", desync.difference);
            let _ = writeln!(out, "      Sent: {}", desync.sent);
            let _ = writeln!(out, "      Received: {}", desync.received);
            for line in &desync.reproduce {
                let _ = writeln!(out, "      Reproduce: {line}");
            }
        }
    }
    let unstable: Vec<&CaseResult> =
        results.iter().filter(|r| r.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Unstable)).collect();
    if !unstable.is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1;33", "Unstable (seen once, not again: not counted as risks)"));
        for r in unstable {
            let desync = r.desync.as_ref().expect("filtered on it");
            let _ = writeln!(out, "  ? {} [{}]: {}.", r.id, desync.class, desync.difference);
        }
    }
    let summary = Summary::of(results);
    let _ = writeln!(out, "\n{}", summary_line(&summary));
    out
}

/// The JSON report.
#[derive(Serialize)]
struct JsonReport<'a> {
    target: &'a str,
    results: &'a [CaseResult],
    notes: &'a RunNotes,
    summary: Summary,
}

/// The JSON report (see the module docs for its stable shape).
pub fn json(target: &str, results: &[CaseResult], notes: &RunNotes) -> String {
    let report = JsonReport { target, results, notes, summary: Summary::of(results) };
    serde_json::to_string_pretty(&report).expect("the report serializes")
}

/// The JUnit XML report: one test suite per corpus section, one test case per case; a failure
/// carries the requirement, expectation and observation; a desync risk is a failure too.
/// `title` names the report (`h1spec probe 127.0.0.1:8080`).
pub fn junit(title: &str, results: &[CaseResult]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new(title);
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in results {
        if suites.last().is_none_or(|s| s.name.as_str() != r.group) {
            suites.push(TestSuite::new(r.group.clone()));
        }
        let status = match (r.verdict, r.is_desync_risk()) {
            (Judgment::Skip, _) => TestCaseStatus::skipped(),
            (Judgment::Pass, false) => TestCaseStatus::success(),
            (_, risk) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let mut text =
                    format!("Requirement: {}\nExpected: {}\nActual: {}", r.requirement, r.expected, r.actual);
                if risk {
                    let desync = r.desync.as_ref().expect("a risk has its desync part");
                    let _ = write!(text, "\nDesync risk ({}): {}", desync.class, desync.evidence);
                }
                status.set_description(text);
                status.set_message(if risk { "desync risk" } else { "requirement not met" });
                status
            }
        };
        let mut case = TestCase::new(r.id.clone(), status);
        case.set_classname(format!("{} {}", r.level, r.section));
        suites.last_mut().expect("pushed above").add_test_case(case);
    }
    report.add_test_suites(suites);
    report.to_string().expect("the report serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Desync, DesyncVerdict};

    fn result(id: &str, verdict: Judgment, desync: Option<DesyncVerdict>) -> CaseResult {
        CaseResult {
            id: id.into(),
            section: "RFC 9112 §6.3".into(),
            level: crate::corpus::Level::Must,
            requirement: "A server MUST close.".into(),
            verdict,
            expected: "400".into(),
            actual: "200".into(),
            desync: desync.map(|verdict| {
                let mut d = Desync::new(verdict, DesyncClass::TeCl, "read on".into(), "x\\r\\n".into(), "200".into());
                d.reproduce = vec!["h1spec probe t --case b -v".into()];
                d
            }),
            group: "Smuggling".into(),
        }
    }

    #[test]
    fn reports_show_failures_risks_and_the_summary() {
        let results = [
            result("a", Judgment::Pass, None),
            result("b", Judgment::Fail, Some(DesyncVerdict::Risk)),
            result("c", Judgment::Skip, None),
        ];
        let notes = RunNotes { notes: vec!["no pipelining".into()], outages: Vec::new() };
        let text = console("h1spec probe t", &results, &notes, Style::default());
        assert!(text.contains("\nTE.CL             1         0           0        0             0\n"), "{text}");
        assert!(text.contains("Note: no pipelining\n"), "{text}");
        assert!(text.contains("✗ b [MUST, RFC 9112 §6.3]\n      Requirement: A server MUST close.\n      Expected: 400\n      Actual: 200"));
        assert!(
            text.contains("Desync risks\n  ⚠ b [TE.CL]\n      read on.\n      Sent: x\\r\\n\n      Received: 200\n      Reproduce: h1spec probe t --case b -v\n"),
            "{text}"
        );
        assert!(!text.contains("✔ a"), "passes are listed only when verbose");
        assert!(text.ends_with("\n3 tests, 1 passed, 1 skipped, 1 failed, 1 desync risks\n"), "{text}");

        let json: serde_json::Value = serde_json::from_str(&json("t", &results, &notes)).unwrap();
        assert_eq!(json["notes"]["notes"][0], "no pipelining");
        assert_eq!(json["summary"]["desync_risks"], 1);
        assert_eq!(json["results"][1]["desync"]["verdict"], "risk");
        assert_eq!(json["results"][0]["desync"], serde_json::Value::Null);
        assert_eq!(json["results"][2]["verdict"], "skip");
        assert!(json["results"][0].get("group").is_none());

        let xml = junit("t", &results);
        assert!(xml.contains("<testsuite name=\"Smuggling\" tests=\"3\""), "{xml}");
        assert!(xml.contains("<failure message=\"desync risk\""), "{xml}");
        assert!(xml.contains("<skipped"), "{xml}");
    }
}
