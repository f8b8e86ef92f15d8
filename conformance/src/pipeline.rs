//! The one pipeline every mode runs: case → subject → observation → judgment → report.
//!
//! A [`Subject`] is what the cases run against (h1wire in process, a live server, …); it turns a
//! case into an observation, typed data that says what happened and nothing about what it
//! means. A [`Judge`] turns the case and the observation into a [`CaseResult`]: the case's
//! identity and requirement, a [`Judgment`], what was expected and what happened, and for
//! framing cases what the desync check found. The reporters (`crate::report`) read only these
//! results, so they know nothing of h1wire or of sockets.

use serde::Serialize;

use crate::corpus::{Case, DesyncClass, Level, Section};

/// Pass, fail or skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Judgment {
    /// The subject did what the case requires.
    Pass,
    /// It did not.
    Fail,
    /// The case was not run against this subject (not selected, or it does not apply).
    Skip,
}

/// What the desync check of a framing case found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesyncVerdict {
    /// The responses match the RFC's reading of the bytes: the case's, then the canary's.
    Consistent,
    /// The subject refused the message (and closed, where the case requires it).
    Refused,
    /// The subject read the bytes another way: a front end reading them as the RFC does would
    /// disagree with it about where the message ends.
    Risk,
    /// The probe cannot tell (for example, the server closed after its first response).
    Inconclusive,
    /// A risk seen once that did not show again when the case was sent again: counted apart,
    /// not in the exit status.
    Unstable,
}

/// How often a risk showed again when the case was sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Reproduced {
    /// Times it showed again.
    pub times: usize,
    /// Times the case was sent again.
    pub of: usize,
}

/// The desync part of a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Desync {
    /// What the check found.
    pub verdict: DesyncVerdict,
    /// The class, as the corpus names it (`CL.TE`, `TE.CL`, …).
    pub class: DesyncClass,
    /// One sentence: what the server did, against what the RFC's readings do.
    pub difference: String,
    /// The exact bytes sent (the case, then the canary), escaped as `printf` reads them.
    pub sent: String,
    /// What came back, in words.
    pub received: String,
    /// For a risk: how often it showed again when the case was sent again.
    pub reproduced: Option<Reproduced>,
    /// Commands that send the same bytes again (`h1spec probe ADDR --case ID -v`, and a
    /// `printf … | nc` line).
    pub reproduce: Vec<String>,
    /// The difference, the bytes and the responses in one text, for a person to check.
    pub evidence: String,
}

impl Desync {
    /// A desync part from its pieces; `evidence` joins them.
    pub fn new(verdict: DesyncVerdict, class: DesyncClass, difference: String, sent: String, received: String) -> Self {
        let evidence = format!("{difference}. Sent: \"{sent}\". Received: {received}.");
        Desync { verdict, class, difference, sent, received, reproduced: None, reproduce: Vec::new(), evidence }
    }
}

/// A server that stopped answering plain requests during a run (a denial of service), and the
/// case that was running when it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outage {
    /// The case after which the server no longer answered (with several jobs, one of the cases
    /// running at the time).
    pub case: String,
    /// What the liveness check saw.
    pub evidence: String,
    /// Whether the server answered again later in the run.
    pub recovered: bool,
}

/// What a run learnt about its subject beside the cases: the controls' outcomes and outages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunNotes {
    /// One sentence per control that changes how results read (a server that does not
    /// pipeline, one that refuses POST bodies).
    pub notes: Vec<String>,
    /// Servers that stopped answering.
    pub outages: Vec<Outage>,
}

/// One case against one subject. The JSON form is a stable contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The RFC section the case is filed under (its first reference).
    pub section: String,
    /// `MUST`, `SHOULD` or `MAY`.
    pub level: Level,
    /// The normative sentence.
    pub requirement: String,
    /// Pass, fail or skip.
    pub verdict: Judgment,
    /// What the case requires, in words.
    pub expected: String,
    /// What happened, in words.
    pub actual: String,
    /// For framing cases run against a live server: what the desync check found.
    pub desync: Option<Desync>,
    /// The title of the corpus section (file) the case comes from; for grouping, not in the
    /// JSON contract.
    #[serde(skip)]
    pub group: String,
}

impl CaseResult {
    /// A result for `case` with the given judgment, expectation and observation.
    pub fn new(section: &Section, case: &Case, verdict: Judgment, expected: String, actual: String) -> Self {
        CaseResult {
            id: case.id.clone(),
            section: case.rfc.first().cloned().unwrap_or_default(),
            level: case.level,
            requirement: case.requirement.clone().unwrap_or_default(),
            verdict,
            expected,
            actual,
            desync: None,
            group: section.title.clone(),
        }
    }

    /// Whether the result counts against the subject: a failed MUST case, or a desync risk.
    pub fn is_must_failure(&self) -> bool {
        self.verdict == Judgment::Fail && self.level == Level::Must
    }

    /// Whether the desync check found a risk.
    pub fn is_desync_risk(&self) -> bool {
        self.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Risk)
    }
}

/// Which cases run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Run SHOULD-level cases too (they are skipped otherwise).
    pub strict: bool,
    /// Only cases citing this section (`6.1` matches `§6.1` and `§6.1.2`).
    pub section: Option<String>,
    /// Only this case.
    pub case: Option<String>,
}

impl Selection {
    /// Whether `case` is selected by `--case` and `--section` (cases not selected are left out
    /// of the run and of its counts).
    pub fn selects(&self, case: &Case) -> bool {
        let by_id = self.case.as_ref().is_none_or(|id| &case.id == id);
        let by_section = self.section.as_ref().is_none_or(|section| {
            let wanted = format!("§{section}");
            case.rfc.iter().any(|r| {
                r.split_whitespace()
                    .any(|w| w == wanted || w.strip_prefix(&wanted).is_some_and(|rest| rest.starts_with('.')))
            })
        });
        by_id && by_section
    }

    /// Why a selected `case` is skipped, or `None` when it runs.
    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        if case.level == Level::Should && !self.strict {
            return Some("SHOULD level (run with --strict)".into());
        }
        None
    }
}

/// What the cases run against. A subject observes and judges nothing: what it did with a case
/// is its [`Subject::Observation`], typed data a [`Judge`] reads.
pub trait Subject: Sync {
    /// What it did with one case.
    type Observation;
    /// A name for the reports (`h1wire`, `127.0.0.1:8080`).
    fn name(&self) -> String;
    /// Runs one case and records what happened.
    fn observe(&self, case: &Case) -> Self::Observation;
}

/// What an observation means for a case: a pure function of the two (and of what the judge was
/// given before the run, such as a server's controls).
pub trait Judge<O>: Sync {
    /// The result of `case`, from `section`, given what was observed.
    fn judge(&self, section: &Section, case: &Case, observed: &O) -> CaseResult;
}

/// Runs every selected case of `sections` against `subject` and has `judge` judge each, on
/// `jobs` threads, in corpus order; `progress` is called after each case.
pub fn run<S: Subject + ?Sized>(
    subject: &S,
    judge: &dyn Judge<S::Observation>,
    sections: &[Section],
    selection: &Selection,
    jobs: usize,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> Vec<CaseResult> {
    let all: Vec<(&Section, &Case)> = sections
        .iter()
        .flat_map(|s| s.cases.iter().map(move |c| (s, c)))
        .filter(|(_, c)| selection.selects(c))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<CaseResult>>> = all.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(section, case)) = all.get(i) else { break };
                let result = match selection.skip_reason(case) {
                    Some(why) => CaseResult::new(section, case, Judgment::Skip, String::new(), why),
                    None => judge.judge(section, case, &subject.observe(case)),
                };
                progress(&result);
                *slots[i].lock().expect("no thread panics holding it") = Some(result);
            });
        }
    });
    slots.into_iter().filter_map(|s| s.into_inner().expect("no thread panics holding it")).collect()
}

/// Counts over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Cases.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed (any level).
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Desync risks found (confirmed ones: unstable risks are counted apart).
    pub desync_risks: usize,
    /// Risks seen once that did not show again.
    pub desync_unstable: usize,
}

impl Summary {
    /// The counts of `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let count = |j: Judgment| results.iter().filter(|r| r.verdict == j).count();
        Summary {
            total: results.len(),
            passed: count(Judgment::Pass),
            failed: count(Judgment::Fail),
            skipped: count(Judgment::Skip),
            desync_risks: results.iter().filter(|r| r.is_desync_risk()).count(),
            desync_unstable: results
                .iter()
                .filter(|r| r.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Unstable))
                .count(),
        }
    }
}
