//! The suite's judge: a case's full expectation (status, rule name, every pinned part of an
//! accepted message) against what h1wire did.

use h1wire::{ErrorKind, Framing};
use h1wire_check::{Message, Refused, StartLine};

use crate::contract::{latin1, Verdict};
use crate::corpus::{Case, Expect, Section};
use crate::pipeline::{CaseResult, Judge, Judgment, Subject};

use super::subject::{InProcess, Observed};

/// The case's full expectation: status, rule name, every pinned part of an accepted message.
pub struct Expectation;

impl Judge<Observed> for Expectation {
    fn judge(&self, section: &Section, case: &Case, observed: &Observed) -> CaseResult {
        let expected = match case.expect {
            Expect::Accept => "accept".to_string(),
            Expect::Reject => format!("reject with one of {:?}", case.status),
            Expect::Incomplete => "incomplete: wait for more".to_string(),
        };
        let failures = case.failures(observed);
        let verdict = if failures.is_empty() { Judgment::Pass } else { Judgment::Fail };
        let actual =
            if failures.is_empty() { Verdict::of(observed.outcome.clone()).to_json() } else { failures.join("; ") };
        CaseResult::new(section, case, verdict, expected, actual)
    }
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
    /// Runs the case against h1wire: whole, one byte at a time and split everywhere (which must
    /// agree), then compares the outcome with the expectation.
    pub fn check(&self) -> Checked {
        let observed = InProcess.observe(self);
        let failures = self.failures(&observed);
        let verdict = Verdict::of(observed.outcome.clone());
        Checked { outcome: observed.outcome, verdict, failures }
    }

    /// Every way an observation differs from the case's expectation.
    fn failures(&self, observed: &Observed) -> Vec<String> {
        let mut failures: Vec<String> = observed.split.iter().map(|why| format!("split invariance: {why}")).collect();
        failures.extend(self.compare(&observed.outcome));
        failures
    }

    fn compare(&self, outcome: &Result<Message, Refused>) -> Vec<String> {
        let mut f = Vec::new();
        let outcome = match outcome {
            Ok(m) => Ok(m),
            Err(Refused::Error(e)) => Err(e),
            Err(Refused::NoMessage) => {
                // Nothing at all: what a recipient sees as a close before any message.
                let cut_short =
                    self.expect == Expect::Incomplete && self.error.is_none_or(|e| e == ErrorKind::UnexpectedEof);
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
                if let Some(want) = self.error {
                    if want != e.kind() {
                        f.push(format!("expected error {}, got {}", want.name(), e.kind().name()));
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
