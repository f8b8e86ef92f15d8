//! `h1spec suite`: every corpus case against h1wire, in process, as a table by RFC section.

use std::fmt::Write as _;

use crate::corpus::Section;

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

/// Runs every case of `sections` against h1wire.
pub fn run(sections: &[Section]) -> Report {
    let mut report = Report::default();
    for section in sections {
        let mut passed = 0;
        for case in &section.cases {
            let checked = case.check();
            if checked.failures.is_empty() {
                passed += 1;
            } else {
                report.failures.push((case.id.clone(), checked.failures.join("; ")));
            }
        }
        report.rows.push(Row { title: section.title.clone(), cases: section.cases.len(), passed });
    }
    report
}
