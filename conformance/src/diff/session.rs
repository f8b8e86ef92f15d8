//! One `h1spec diff` run from start to end: start the peers asked for, load the quirks and the
//! corpus, run the streams, stop every process, and return the outcome for a report.

use std::time::Duration;

use super::quirks::Quirks;
use super::run::{self, Outcome, PeerInfo, Settings};
use super::{lifecycle, peers, Role};
use crate::pipeline::Selection;

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The peers by name (empty: every peer `h1spec diff --list` names).
    pub peers: Vec<String>,
    /// Which corpus cases become streams.
    pub selection: Selection,
    /// Mutations, time bounds, seed, jobs.
    pub settings: Settings,
    /// Streams to read as they are, each named (a file's name), in place of the corpus: no
    /// canary is added, so a finding's stream reads again exactly as the report shows it.
    pub streams: Vec<(String, Vec<u8>)>,
}

/// Runs `plan`, saying what it does through `progress`. Peers that cannot start are listed in
/// the outcome's `not_run`; every process started is stopped before this returns, and on
/// Ctrl-C.
///
/// # Errors
///
/// A description when a peer name is unknown, fewer than two peers start, or the quirks or the
/// corpus do not load.
pub fn run(plan: &Plan, progress: &(dyn Fn(&str) + Sync)) -> Result<Outcome, String> {
    lifecycle::stop_all_on_interrupt();
    let names: Vec<String> =
        if plan.peers.is_empty() { peers::ALL.iter().map(|s| s.name.to_owned()).collect() } else { plan.peers.clone() };
    if let Some(bad) = names.iter().find(|n| peers::spec(n).is_none()) {
        return Err(format!("no peer is called {bad} (h1spec diff --list names them)"));
    }
    let quirks = Quirks::load(&peers::peers_dir().join("quirks"))?;
    let sections = crate::corpus::embedded().map_err(|e| e.to_string())?;
    let (mut started, mut infos, mut not_run) = (Vec::new(), Vec::new(), Vec::new());
    for name in &names {
        progress(&format!("starting {name}"));
        match peers::start_with(name, plan.settings.jobs) {
            Ok(p) => {
                infos.push(PeerInfo { name: name.clone(), role: p.role(), version: peers::version(name) });
                started.push(p);
            }
            Err(why) => {
                progress(&format!("{name} not run: {why}"));
                not_run.push((name.clone(), why));
            }
        }
    }
    // Chains: each proxy that started in front of each echo origin that started.
    let proxies: Vec<String> =
        started.iter().filter(|p| p.role() == Role::Proxy).map(|p| p.name().to_owned()).collect();
    let mut chains = Vec::new();
    for proxy in &proxies {
        for origin in started.iter().filter(|p| p.listens().is_some()) {
            let name = peers::chain_name(proxy, origin.name());
            progress(&format!("starting {name}"));
            match peers::start_chain(proxy, origin.as_ref(), plan.settings.jobs) {
                Ok(c) => {
                    let version = format!("{} → {}", peers::version(proxy), peers::version(origin.name()));
                    infos.push(PeerInfo { name, role: Role::Chain, version });
                    chains.push(c);
                }
                Err(why) => {
                    progress(&format!("{name} not run: {why}"));
                    not_run.push((name, why));
                }
            }
        }
    }
    started.extend(chains);
    if started.len() < 2 {
        drop(started);
        lifecycle::stop_all(Duration::from_secs(1));
        return Err("fewer than two peers could run".into());
    }
    let streams = if plan.streams.is_empty() {
        run::corpus_streams(&sections, &plan.selection)
    } else {
        let given = |(name, bytes): &(String, Vec<u8>)| run::Stream {
            bytes: bytes.clone(),
            source: name.clone(),
            forbidden: None,
            must_close: None,
        };
        plan.streams.iter().map(given).collect()
    };
    let mut outcome = run::run(&started, streams, &quirks, &plan.settings, progress);
    drop(started);
    lifecycle::stop_all(Duration::from_secs(1));
    outcome.shapes = sections
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| outcome.forbidden.contains_key(&c.id))
        .filter_map(|c| Some((c.id.clone(), c.desync?)))
        .collect();
    outcome.peers = infos;
    outcome.not_run = not_run;
    Ok(outcome)
}
