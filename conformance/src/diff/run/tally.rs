//! The tally while a run goes on: the matrix of pairs, the findings by behaviour, the known
//! differences and the chains' counts.

use std::collections::BTreeMap;

use super::read::Observed;
use super::{Finding, Known, Stream};
use crate::diff::behaviour;
use crate::diff::compare::{Class, Difference};
use crate::diff::quirks::Quirks;
use crate::diff::Role;

/// The tally while the run goes on.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) matrix: BTreeMap<String, BTreeMap<Class, (usize, usize)>>,
    pub(super) findings: BTreeMap<String, Finding>,
    /// Fine signatures seen: a stream with a new one joins the mutation pool.
    signatures: std::collections::BTreeSet<String>,
    pub(super) known: BTreeMap<String, Known>,
    pub(super) failures: Vec<String>,
    /// Per chain: streams it and its proxy both read.
    /// Per corpus case the RFC says MUST be refused: the peers that read it as a message.
    pub(super) forbidden: BTreeMap<String, std::collections::BTreeSet<String>>,
    pub(super) chain_streams: BTreeMap<String, usize>,
}

/// The pair of a difference, named as [`Difference::group`] names it (alphabetically).
fn pair_key(d: &Difference) -> String {
    pair(&d.a.name, &d.b.name)
}

/// Two peers' names as the matrix keys them (alphabetically).
pub(super) fn pair(a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x} × {y}")
}

impl Tally {
    /// Counts the chains that read a stream, with their proxy.
    pub(super) fn count_chains(&mut self, observed: &[Observed<'_>]) {
        let read = |name: Option<&str>| observed.iter().any(|o| Some(o.peer.name()) == name && o.result.is_ok());
        for o in observed.iter().filter(|o| o.peer.role() == Role::Chain) {
            if o.result.is_ok() && read(o.peer.proxy()) {
                *self.chain_streams.entry(o.peer.name().to_owned()).or_default() += 1;
            }
        }
    }

    /// Adds a stream's differences; returns whether any unexplained one had a signature not
    /// seen before.
    pub(super) fn add(
        &mut self,
        stream: &Stream,
        readers: &[String],
        diffs: Vec<Difference>,
        failures: Vec<String>,
        quirks: &Quirks,
    ) -> bool {
        self.failures.extend(failures.into_iter().take(50usize.saturating_sub(self.failures.len())));
        let mut new = false;
        let mut unexplained = Vec::new();
        if stream.forbidden.is_some() {
            self.forbidden.entry(stream.source.clone()).or_default();
        }
        for d in diffs {
            if d.class == Class::ForbiddenAccepted {
                self.forbidden.entry(stream.source.clone()).or_default().insert(d.a.name.clone());
            }
            let cell = self.matrix.entry(pair_key(&d)).or_default().entry(d.class).or_default();
            let signature = d.signature();
            if let Some((peer, quirk)) = quirks.explain(&d) {
                cell.1 += 1;
                self.known
                    .entry(signature.clone())
                    .or_insert_with(|| Known { signature, peer: peer.into(), reason: quirk.reason.clone(), count: 0 })
                    .count += 1;
                continue;
            }
            cell.0 += 1;
            new |= self.signatures.insert(signature);
            unexplained.push(d);
        }
        for k in behaviour::keyed(readers, &unexplained) {
            let group = k.key;
            match self.findings.get_mut(&group) {
                Some(f) => {
                    f.count += 1;
                    if f.sources.len() < 10 && !f.sources.contains(&stream.source) {
                        f.sources.push(stream.source.clone());
                    }
                }
                None => {
                    self.findings.insert(
                        group.clone(),
                        Finding {
                            group,
                            signature: k.difference.signature(),
                            partition: k.partition,
                            features: Vec::new(),
                            difference: k.difference,
                            source: stream.source.clone(),
                            count: 1,
                            sources: vec![stream.source.clone()],
                            stream: stream.bytes.clone(),
                            original_len: stream.bytes.len(),
                            minimised: false,
                            readings: Vec::new(),
                            reproduced: false,
                            rules: (stream.forbidden.clone(), stream.must_close.clone()),
                        },
                    );
                }
            }
        }
        new
    }
}
