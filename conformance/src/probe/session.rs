//! One `h1spec probe` run from start to end: the reference server when no address is given, the
//! controls, every selected case within the run's time bound, and what the run learnt.

use std::time::{Duration, Instant};

use crate::corpus::{Case, Section};
use crate::pipeline::{self, CaseResult, RunNotes, Selection, Subject};

use super::observation::Observed;
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
    let live = Live::connect(target, plan.timing).map_err(|e| e.to_string())?.with_confirm(plan.confirm);
    let bounded = Bounded { live: &live, started: Instant::now(), bound: plan.max_time };
    let results = pipeline::run(&bounded, &live.judge(), sections, &plan.selection, plan.jobs, progress);
    let name = if plan.addr.is_some() { addr } else { format!("{addr} (the reference server)") };
    Ok(Run { name, results, notes: live.notes() })
}

/// The live subject, stopped at the run's time bound: cases not started by then are skipped.
struct Bounded<'a> {
    live: &'a Live,
    started: Instant,
    bound: Duration,
}

impl Subject for Bounded<'_> {
    type Observation = Observed;

    fn name(&self) -> String {
        self.live.name()
    }

    fn observe(&self, case: &Case) -> Observed {
        if self.started.elapsed() > self.bound {
            return Observed::NotSent(format!("the run's bound of {} s was reached", self.bound.as_secs()));
        }
        self.live.observe(case)
    }
}
