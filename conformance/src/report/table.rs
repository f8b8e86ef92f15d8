//! The table `h1spec suite` prints: one row per corpus section, failures first.

use std::fmt::Write as _;

use crate::pipeline::{CaseResult, Judgment};

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

/// The result of a suite run, by section.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// One row per section, in corpus order.
    pub rows: Vec<Row>,
    /// `(case id, why)` for every failed case.
    pub failures: Vec<(String, String)>,
}

impl Table {
    /// The table of `results`, grouped by their corpus section in the order met.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut report = Table::default();
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
