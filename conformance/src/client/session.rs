//! One `h1spec client` run: start the hostile origin with the response cases that apply, have
//! the client fetch each case's two URLs, judge, and stop the origin.

use super::judge::{ClientJudge, ProxyJudge};
use super::origin::Origin;
use super::proxy::{BackProxy, Running, Through};
use super::subject::{Client, Fetching};
use crate::corpus::{Case, Section};
use crate::pipeline::{self, CaseResult, Selection};

/// Whether a response case is run against clients: one that answers GET or HEAD (a client is
/// asked to fetch URLs, not to CONNECT), whose response is not interim or a protocol switch
/// (those are followed by what a client cannot be asked to fetch here).
pub fn runs(case: &Case) -> bool {
    let first_line = case.raw.split("\\r\\n").next().unwrap_or_default();
    let status = first_line.split(' ').nth(1).unwrap_or_default();
    super::applies(case) && matches!(case.request_method.as_str(), "GET" | "HEAD") && !status.starts_with('1')
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
    Ok(pipeline::run(&subject, &ClientJudge, sections, selection, jobs, progress))
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
    Ok(pipeline::run(&subject, &ProxyJudge, sections, selection, 1, progress))
}
