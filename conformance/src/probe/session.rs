//! One `h1spec probe` run from start to end: the reference server when no address is given, the
//! controls, every selected case within the run's time bound ([`Probing`]: what to send for
//! each), and what the run learnt.

use std::time::{Duration, Instant};

use crate::corpus::{Case, CaseKind, Expect, Section};
use crate::pipeline::{self, CaseResult, DesyncVerdict, RunNotes, Selection, Subject};

use super::observation::{Control, Observed, Try};
use super::reading::{self, Reading};
use super::verdict::{first_verdict, framing_class, head_alone, stands, ProbeJudge};
use super::{Live, Target, Timing};

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The server (`127.0.0.1:8080` or `http://host:port/path`); `None` starts the reference
    /// server for the length of the run.
    pub addr: Option<String>,
    /// Which cases run.
    pub selection: Selection,
    /// Deadlines.
    pub timing: Timing,
    /// How many times a risk is sent again.
    pub confirm: usize,
    /// Connections in parallel.
    pub jobs: usize,
    /// The most the run may take; cases not started by then are skipped.
    pub max_time: Duration,
}

/// What a run gives a report.
#[derive(Debug)]
pub struct Run {
    /// The name of the server for the report (`ADDR`, or `ADDR (the reference server)`).
    pub name: String,
    /// One result per selected case, in corpus order.
    pub results: Vec<CaseResult>,
    /// The controls' notes and any outage.
    pub notes: RunNotes,
}

impl Run {
    /// Whether the run counts against the server: a failed MUST case, a confirmed desync risk
    /// or an outage.
    pub fn is_failure(&self) -> bool {
        self.results.iter().any(|r| r.is_must_failure() || r.is_desync_risk()) || !self.notes.outages.is_empty()
    }
}

/// Runs `plan` over `sections`; `progress` is called after each case.
///
/// # Errors
///
/// A description when the reference server cannot start, the address does not parse, or the
/// server does not answer the canary.
pub fn run(plan: &Plan, sections: &[Section], progress: &(dyn Fn(&CaseResult) + Sync)) -> Result<Run, String> {
    // No address: the reference server, for the length of the run.
    let (_reference, addr) = match &plan.addr {
        Some(addr) => (None, addr.clone()),
        None => {
            let running = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(crate::server::start)
                .map_err(|e| format!("cannot start the reference server: {e}"))?;
            let addr = running.addr().to_string();
            (Some(running), addr)
        }
    };
    let target = Target::parse(&addr)?;
    let live = Live::connect(target, plan.timing).map_err(|e| e.to_string())?;
    let probing = Probing::new(&live, plan.confirm, plan.max_time);
    let results = pipeline::run(&probing, &probing.judge(), sections, &plan.selection, plan.jobs, progress);
    let name = if plan.addr.is_some() { addr } else { format!("{addr} (the reference server)") };
    Ok(Run { name, results, notes: live.notes() })
}

/// The probe's subject: the live server, and the order of sends for each case. The first send
/// is the case (with the canary after a framing case); what follows depends on what the RFC's
/// readings make of it (the liveness check, the case's control, the confirmations), decided
/// with the judge's own pure functions, so what is sent and what the result says agree. Cases
/// not started within the run's time bound are not sent.
pub struct Probing<'a> {
    live: &'a Live,
    /// How many times a risk is sent again to confirm it.
    confirm: usize,
    started: Instant,
    bound: Duration,
}

impl<'a> Probing<'a> {
    /// Probing `live`, confirming each risk `confirm` times, for at most `bound`.
    pub fn new(live: &'a Live, confirm: usize, bound: Duration) -> Self {
        Probing { live, confirm, started: Instant::now(), bound }
    }

    /// The judge of what this subject observes.
    pub fn judge(&self) -> ProbeJudge {
        ProbeJudge {
            target: self.live.target().clone(),
            controls: self.live.controls().clone(),
            incomplete_wait: self.live.timing().incomplete_wait,
        }
    }

    /// A framing case: sent with the canary after it (and its head alone, where that tells
    /// something); after what looks like a risk, the liveness check and the case's control; after
    /// a risk that stands, the same again to confirm it.
    fn with_canary(&self, case: &Case) -> Observed {
        let (live, controls) = (self.live, self.live.controls());
        let bytes = case.bytes();
        let sent = [&bytes[..], &controls.canary].concat();
        let readings = reading::allowed(&sent, controls.canary.len());
        let head = head_alone(&bytes);
        let wait = live.timing().incomplete_wait;
        let try_once = || Try {
            exchange: live.send_with_canary(&sent, most(&readings)),
            head_alone: head.map(|h| live.send_head(h)),
        };
        let first = try_once();
        let seen = first_verdict(&first, &readings, controls, wait);
        let mut still_answers = None;
        let mut control = None;
        let mut again = Vec::new();
        if matches!(seen.0, DesyncVerdict::Risk | DesyncVerdict::Inconclusive) {
            still_answers = Some(live.check_alive(case));
        }
        if still_answers != Some(false) && seen.0 == DesyncVerdict::Risk {
            control = case.control.as_deref().map(|c| {
                let sent = [&crate::corpus::decode(c).unwrap_or_default()[..], &controls.canary].concat();
                let readings = reading::allowed(&sent, controls.canary.len());
                Control { exchange: live.send_with_canary(&sent, most(&readings)), sent }
            });
            if stands(seen, control.as_ref(), controls).0 == DesyncVerdict::Risk {
                again = (0..self.confirm).map(|_| try_once()).collect();
            }
        }
        Observed::WithCanary { sent, first, still_answers, control, again }
    }
}

/// The most responses any reading gives: how many to wait for.
fn most(readings: &[Reading]) -> usize {
    readings.iter().map(|r| r.most()).max().unwrap_or(1)
}

impl Subject for Probing<'_> {
    type Observation = Observed;

    fn name(&self) -> String {
        self.live.name()
    }

    fn observe(&self, case: &Case) -> Observed {
        if self.started.elapsed() > self.bound {
            return Observed::NotSent(format!("the run's bound of {} s was reached", self.bound.as_secs()));
        }
        if case.kind == CaseKind::Response {
            return Observed::NotSent("a response case: the probe sends requests".into());
        }
        if let Some(since) = self.live.down() {
            return Observed::NotSent(format!(
                "inconclusive: the server stopped answering plain requests after case {since}"
            ));
        }
        if framing_class(case).is_some() {
            return self.with_canary(case);
        }
        let exchange = self.live.send_alone(case);
        let still_answers =
            (exchange.responses.is_empty() && case.expect != Expect::Incomplete).then(|| self.live.check_alive(case));
        Observed::Alone { exchange, still_answers }
    }
}
