//! One `h1spec client` run: start the hostile origin with the response cases that apply, have
//! the client fetch each case's two URLs, judge, and stop the origin.

use super::judge::{ClientJudge, ProxyJudge};
use super::origin::Origin;
use super::proxy::{BackProxy, Running, Through};
use super::subject::{Client, Fetching};
use crate::corpus::{Case, Section};
use crate::pipeline::{self, CaseResult, DesyncVerdict, Judge, Reproduced, Selection, Subject};

/// Whether a response case is run against clients: one that answers GET or HEAD (a client is
/// asked to fetch URLs, not to CONNECT), whose response is not a protocol switch (what follows
/// a 101 is another protocol's, which a client cannot be asked to fetch here). Interim
/// responses run: the client reads past them to the final one.
pub fn runs(case: &Case) -> bool {
    let first_line = case.raw.split("\\r\\n").next().unwrap_or_default();
    let status = first_line.split(' ').nth(1).unwrap_or_default();
    super::applies(case) && matches!(case.request_method.as_str(), "GET" | "HEAD") && status != "101"
}

/// The corpus's sections with only the cases [`runs`] keeps.
pub fn sections(all: Vec<Section>) -> Vec<Section> {
    all.into_iter()
        .map(|mut s| {
            s.cases.retain(runs);
            s
        })
        .filter(|s| !s.cases.is_empty())
        .collect()
}

/// Runs the selected cases of `sections` against `client` on `jobs` threads.
///
/// # Errors
///
/// The origin cannot start.
pub fn run(
    client: &dyn Client,
    sections: &[Section],
    selection: &Selection,
    jobs: usize,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> Result<Vec<CaseResult>, String> {
    let origin = Origin::start(sections.iter().flat_map(|s| &s.cases)).map_err(|e| format!("the origin: {e}"))?;
    let subject = Fetching { client, origin: &origin };
    let mut results = pipeline::run(&subject, &ClientJudge, sections, selection, jobs, progress);
    // A built-in client runs by its name; any other program after `--`.
    let name = client.name();
    let known = name == "h1wire" || super::subject::BUILT_IN.iter().any(|c| c.name == name);
    let command = if known { format!("h1spec client {name}") } else { format!("h1spec client -- {name}") };
    confirm(&subject, &ClientJudge, sections, &mut results, &command);
    Ok(results)
}

/// How many times a risk is looked at again.
pub const AGAIN: usize = 2;

/// Observes each case that showed a desync risk [`AGAIN`] more times: a risk that never shows
/// again is unstable (a timing of the client's, or of the machine's), not a finding; each risk
/// says how often it showed again, and the command that runs the case alone.
fn confirm<S: Subject>(
    subject: &S,
    judge: &dyn Judge<S::Observation>,
    sections: &[Section],
    results: &mut [CaseResult],
    command: &str,
) {
    for result in results.iter_mut().filter(|r| r.is_desync_risk()) {
        let Some((section, case)) =
            sections.iter().find_map(|s| s.cases.iter().find(|c| c.id == result.id).map(|c| (s, c)))
        else {
            continue;
        };
        let times = (0..AGAIN).filter(|_| judge.judge(section, case, &subject.observe(case)).is_desync_risk()).count();
        if let Some(desync) = result.desync.as_mut() {
            desync.reproduced = Some(Reproduced { times, of: AGAIN });
            if times == 0 {
                desync.verdict = DesyncVerdict::Unstable;
            }
            desync.reproduce = vec![format!("{command} --case {} -v", case.id)];
        }
    }
}

/// Runs the selected cases of `sections` through `proxy`, started in front of the origin, one
/// case at a time: the proxy reuses upstream connections across requests, and a request of
/// another case on the connection where the origin holds a canary back would get the canary.
///
/// # Errors
///
/// The origin or the proxy cannot start.
pub fn run_through(
    proxy: &BackProxy,
    sections: &[Section],
    selection: &Selection,
    progress: &(dyn Fn(&CaseResult) + Sync),
) -> Result<Vec<CaseResult>, String> {
    let origin = Origin::start(sections.iter().flat_map(|s| &s.cases)).map_err(|e| format!("the origin: {e}"))?;
    let running = Running::start(proxy, &origin).map_err(|e| format!("{}: {e}", proxy.name))?;
    let subject = Through { proxy: &running, origin: &origin };
    let mut results = pipeline::run(&subject, &ProxyJudge, sections, selection, 1, progress);
    confirm(&subject, &ProxyJudge, sections, &mut results, &format!("h1spec client --proxy {}", proxy.name));
    Ok(results)
}
