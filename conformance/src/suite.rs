//! `h1spec suite`: every corpus case against h1wire, in process, as a table by RFC section.
//!
//! The subject is h1wire run through the harness: each case whole, one byte at a time, cut at
//! every offset, with the body as events and in place, and with trailing data; the judgment is
//! the case's full expectation (status, rule name, every pinned part of an accepted message).

use std::fmt::Write as _;

use crate::corpus::{Case, Expect, Section};
use crate::pipeline::{self, CaseResult, Judgment, Selection, Subject};

/// h1wire in this process.
pub struct InProcess;

impl Subject for InProcess {
    fn name(&self) -> String {
        "h1wire".into()
    }

    fn run(&self, section: &Section, case: &Case) -> CaseResult {
        let checked = case.check();
        let expected = match case.expect {
            Expect::Accept => "accept".to_string(),
            Expect::Reject => format!("reject with one of {:?}", case.status),
            Expect::Incomplete => "incomplete: wait for more".to_string(),
        };
        let verdict = if checked.failures.is_empty() { Judgment::Pass } else { Judgment::Fail };
        let actual = if checked.failures.is_empty() { checked.verdict.to_json() } else { checked.failures.join("; ") };
        CaseResult::new(section, case, verdict, expected, actual)
    }
}

/// The counts of one section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The section's title.
    pub title: String,
    /// Cases in the section.
    pub cases: usize,
    /// Cases whose outcome matched their expectation.
    pub passed: usize,
}

/// The result of a suite run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One row per section, in corpus order.
    pub rows: Vec<Row>,
    /// `(case id, why)` for every failed case.
    pub failures: Vec<(String, String)>,
}

impl Report {
    /// The table of `results`, grouped by their corpus section in the order met.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut report = Report::default();
        for r in results {
            if report.rows.last().is_none_or(|row| row.title != r.group) {
                report.rows.push(Row { title: r.group.clone(), cases: 0, passed: 0 });
            }
            let row = report.rows.last_mut().expect("pushed above");
            row.cases += 1;
            match r.verdict {
                Judgment::Fail => report.failures.push((r.id.clone(), r.actual.clone())),
                Judgment::Pass | Judgment::Skip => row.passed += 1,
            }
        }
        report
    }

    /// Total cases.
    pub fn cases(&self) -> usize {
        self.rows.iter().map(|r| r.cases).sum()
    }

    /// Total passed.
    pub fn passed(&self) -> usize {
        self.rows.iter().map(|r| r.passed).sum()
    }

    /// Total failed.
    pub fn failed(&self) -> usize {
        self.cases() - self.passed()
    }

    /// The table `h1spec suite` prints: failures first, then one line per section, then exactly
    /// `N cases, P passed, F failed`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (id, why) in &self.failures {
            let _ = writeln!(out, "FAIL {id}: {why}");
        }
        if !self.failures.is_empty() {
            out.push('\n');
        }
        let width = self.rows.iter().map(|r| r.title.chars().count()).max().unwrap_or(7).max(7);
        let _ = writeln!(out, "{:<width$}  {:>5}  {:>6}  {:>6}", "section", "cases", "passed", "failed");
        for r in &self.rows {
            let _ = writeln!(out, "{:<width$}  {:>5}  {:>6}  {:>6}", r.title, r.cases, r.passed, r.cases - r.passed);
        }
        let _ = writeln!(out, "{} cases, {} passed, {} failed", self.cases(), self.passed(), self.failed());
        out
    }
}

/// Runs every case of `sections` against h1wire, on all cores.
pub fn run(sections: &[Section]) -> Report {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results =
        pipeline::run(&InProcess, sections, &Selection { strict: true, ..Selection::default() }, jobs, &|_| {});
    Report::of(&results)
}
