//! The differential run: every stream to every peer, the differences tallied, new ones kept,
//! then a bounded mutation loop, then each finding minimised.
//!
//! 1. **Corpus**: each request case of the corpus, followed by a canary request, is one
//!    stream.
//! 2. **Mutations**: streams picked from the pool (the corpus, then every stream that showed a
//!    difference not seen before) are mutated ([`super::mutate`]) and read again, until the
//!    count or the time runs out.
//! 3. **Findings**: the differences no quirk explains make findings by behaviour
//!    ([`super::behaviour`]: the readers split into groups that read a stream alike); the
//!    first stream of each is minimised ([`super::minimise`]) against two of the peers
//!    involved, then read again by every peer, and the finding is written from that reading.

mod read;
mod tally;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::compare::{Class, Difference};
use super::features::features;
use super::quirks::Quirks;
use super::{behaviour, minimise, mutate, Implementation, Role};
use crate::canary::DIFF as CANARY;
use crate::corpus::{CaseKind, Expect, Level, Section};
use crate::pipeline::Selection;
use read::{differences, observe, readers, ForwardCache, Observed};
use tally::{pair, Tally};

/// How a run is bounded.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The most mutated streams.
    pub mutations: usize,
    /// The most time the mutation loop may take.
    pub mutation_time: Duration,
    /// The most time minimisation may take, over all findings.
    pub minimise_time: Duration,
    /// Tries per finding when minimising.
    pub minimise_budget: usize,
    /// The most findings minimised (in report order; the others keep their first stream).
    pub minimise_findings: usize,
    /// The mutation loop's random seed (a run is repeatable for a seed, up to timing).
    pub seed: u64,
    /// Streams read in parallel.
    pub jobs: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mutations: 1000,
            mutation_time: Duration::from_secs(60),
            minimise_time: Duration::from_secs(120),
            minimise_budget: 150,
            minimise_findings: 40,
            seed: 1,
            jobs: 2,
        }
    }
}

/// One stream and where it came from.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What made it: the corpus case, then the mutations applied to it in order
    /// (`te-cl-classic, mutated: change-number 5 to 50 at 61; version HTTP/1.0 at 9`).
    pub source: String,
    /// For a corpus case the RFC says MUST be refused: the rule.
    pub forbidden: Option<String>,
    /// For a corpus case after which the RFC says the connection must close: the rule, and
    /// whether it must close after reading the message too (not only after refusing it).
    pub must_close: Option<MustClose>,
}

/// A corpus case after which the RFC says a server must close the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MustClose {
    /// The rule.
    pub rule: String,
    /// The RFC lets a server read the message, provided it closes after answering it
    /// (Transfer-Encoding with Content-Length, RFC 9112 §6.3 rule 3): reading on after reading
    /// it breaks the rule too. Otherwise only a refusal is checked (a server with a larger
    /// limit may rightly read a message another refuses for its size, and go on).
    pub even_if_read: bool,
}

/// Each request case of the corpus, followed by the canary.
pub fn corpus_streams(sections: &[Section], selection: &Selection) -> Vec<Stream> {
    sections
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| c.kind == CaseKind::Request && selection.selects(c))
        .map(|c| {
            let mut bytes = c.bytes();
            bytes.extend_from_slice(CANARY);
            let forbidden = (c.expect == Expect::Reject && c.level == Level::Must && !c.may_accept_if_closed)
                .then(|| c.requirement.clone().unwrap_or_else(|| c.id.clone()));
            let must_close = (c.expect == Expect::Reject && c.must_close).then(|| MustClose {
                rule: c.requirement.clone().unwrap_or_else(|| c.id.clone()),
                even_if_read: c.may_accept_if_closed,
            });
            Stream { bytes, source: c.id.clone(), forbidden, must_close }
        })
        .collect()
}

/// A behaviour no quirk explains: the readers of a stream split into groups that read it
/// alike ([`crate::diff::behaviour`]), or a difference of one pair (a head parser, a proxy, a
/// chain, the RFC), with the first stream that showed it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// What identifies it: the class and the partition (`message-count: a, b | c`), or the class,
    /// part and pair ([`Difference::group`]).
    pub group: String,
    /// For a behaviour, the groups of readers that read its stream alike.
    pub partition: Vec<Vec<String>>,
    /// The features of its stream that explain most such differences.
    pub features: Vec<crate::diff::features::Feature>,
    /// The first difference's finer signature (with each side's error word); the
    /// minimised stream keeps it.
    pub signature: String,
    /// The difference that stands for it, as the report's stream shows it (read again after
    /// minimisation).
    pub difference: Difference,
    /// The trigger of its first stream: the corpus case, then the mutations applied to it.
    pub source: String,
    /// Streams that showed it.
    pub count: usize,
    /// Up to ten corpus cases (or mutations) that showed it, the first included.
    pub sources: Vec<String>,
    /// The first stream that showed it (minimised when `minimised`).
    #[serde(serialize_with = "super::as_latin1", deserialize_with = "super::from_latin1")]
    pub stream: Vec<u8>,
    /// Its length before minimisation.
    pub original_len: usize,
    /// Whether `stream` was minimised.
    pub minimised: bool,
    /// Every peer's reading of `stream`, as `(peer, summary)`.
    pub readings: Vec<(String, String)>,
    /// The rules of the corpus case its stream came from (what the RFC says of it), to judge
    /// it again by them.
    #[serde(skip)]
    pub rules: (Option<String>, Option<MustClose>),
    /// Whether those readings show the difference again. A finding that does not is
    /// timing-dependent (or was minimised on a chance reading); the report says so.
    pub reproduced: bool,
}

/// A difference a quirk explains.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Known {
    /// Its signature.
    pub signature: String,
    /// The peer whose quirk it is.
    pub peer: String,
    /// The quirk's reason.
    pub reason: String,
    /// Streams that showed it.
    pub count: usize,
}

/// A peer in the run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its version line.
    pub version: String,
}

/// A real proxy → origin chain's verdict over the run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChainVerdict {
    /// The chain (`nginx → go-server`).
    pub name: String,
    /// Its proxy.
    pub proxy: String,
    /// Streams it read (and its proxy read too, so that they could be compared).
    pub streams: usize,
    /// Streams on which the origin read other messages than the proxy meant.
    pub desync_streams: usize,
}

/// Everything a run found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// The peers compared.
    pub peers: Vec<PeerInfo>,
    /// Each real chain's verdict: the first thing a report says.
    pub chains: Vec<ChainVerdict>,
    /// Peers asked for that could not run, with why.
    pub not_run: Vec<(String, String)>,
    /// Streams from the corpus.
    pub corpus_streams: usize,
    /// Mutated streams.
    pub mutated_streams: usize,
    /// Per pair of peers (`a × b`, alphabetically; `RFC` for forbidden-accepted) and class: streams
    /// showing a difference, as `(unexplained, explained by a quirk)`.
    pub matrix: BTreeMap<String, BTreeMap<Class, (usize, usize)>>,
    /// The findings, most serious class first.
    pub findings: Vec<Finding>,
    /// The differences quirks explain.
    pub known: Vec<Known>,
    /// Each corpus case the RFC says MUST be refused, with the peers that read it as a message
    /// (explained by a quirk or not): the defence each proxy gives.
    pub forbidden: BTreeMap<String, Vec<String>>,
    /// The smuggling shape (the corpus's desync class) of each case in `forbidden` that has
    /// one: the report's defence-in-depth table goes by shape.
    #[serde(default)]
    pub shapes: BTreeMap<String, crate::corpus::DesyncClass>,
    /// Reads that failed (a shim crashed, a server did not answer): not differences.
    pub failures: Vec<String>,
    /// Wall-clock seconds the run took.
    pub seconds: f64,
    /// The mutation seed.
    pub seed: u64,
    /// The command that made the run, for the report's "reproduce with" (set by the binary).
    #[serde(default)]
    pub command: String,
}

/// Runs `work` over `items` on `jobs` threads.
fn parallel<T: Sync>(items: &[T], jobs: usize, work: impl Fn(&T) + Sync) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                work(item);
            });
        }
    });
}

/// The order findings are reported (and minimised) in: the classes that move boundaries first.
fn severity(f: &Finding) -> (usize, bool, bool) {
    let class = Class::ALL.iter().position(|c| *c == f.difference.class).unwrap_or(usize::MAX);
    // Within a class, behaviours (a group of peers, or one side against the readers) before the
    // differences of a single pair inside one group.
    (class, f.difference.part != Some(super::compare::Part::Body), f.partition.is_empty())
}

/// Runs the corpus streams, then the mutation loop, then minimisation, against `peers`.
/// `progress` is told what is happening, in words.
pub fn run(
    peers: &[Box<dyn Implementation>],
    streams: Vec<Stream>,
    quirks: &Quirks,
    settings: &Settings,
    progress: &(dyn Fn(&str) + Sync),
) -> Outcome {
    let started = Instant::now();
    let parsers: Vec<&dyn Implementation> =
        peers.iter().filter(|p| p.role() == Role::Parser).map(|p| p.as_ref()).collect();
    let cache = ForwardCache::default();
    let tally = Mutex::new(Tally::default());
    let pool = Mutex::new(streams.clone());
    fn lock(m: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    // 1. The corpus.
    let done = std::sync::atomic::AtomicUsize::new(0);
    parallel(&streams, settings.jobs, |stream| {
        let observed = observe(peers, &stream.bytes);
        let (diffs, failures) = differences(&observed, stream, &parsers, &cache);
        let mut t = lock(&tally);
        t.count_chains(&observed);
        t.add(stream, &readers(&observed), diffs, failures, quirks);
        drop(t);
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n % 50 == 0 || n == streams.len() {
            progress(&format!("corpus: {n}/{} streams", streams.len()));
        }
    });

    // 2. Mutations.
    let mutated = std::sync::atomic::AtomicUsize::new(0);
    let loop_started = Instant::now();
    let workers: Vec<u64> = (0..settings.jobs.max(1) as u64).collect();
    parallel(&workers, settings.jobs, |&worker| {
        let mut rng = fastrand::Rng::with_seed(settings.seed.wrapping_mul(1000).wrapping_add(worker));
        while loop_started.elapsed() < settings.mutation_time {
            let n = mutated.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n >= settings.mutations {
                break;
            }
            let base = {
                let pool = pool.lock().unwrap_or_else(|e| e.into_inner());
                if pool.is_empty() {
                    break;
                }
                pool[rng.usize(..pool.len())].clone()
            };
            let mutated = mutate::mutate(&base.bytes, &mut rng);
            // The trigger: the corpus case, then every mutation applied since, in order.
            let applied = mutated.applied.join("; ");
            let source = match (base.source.contains(", mutated: "), applied.is_empty()) {
                (_, true) => base.source.clone(),
                (true, false) => format!("{}; {applied}", base.source),
                (false, false) => format!("{}, mutated: {applied}", base.source),
            };
            let stream = Stream { bytes: mutated.bytes, source, forbidden: None, must_close: None };
            let observed = observe(peers, &stream.bytes);
            let (diffs, failures) = differences(&observed, &stream, &parsers, &cache);
            let mut t = lock(&tally);
            t.count_chains(&observed);
            let new = t.add(&stream, &readers(&observed), diffs, failures, quirks);
            drop(t);
            if new {
                pool.lock().unwrap_or_else(|e| e.into_inner()).push(stream);
            }
            if (n + 1) % 100 == 0 {
                progress(&format!("mutations: {} streams, {} findings", n + 1, lock(&tally).findings.len()));
            }
        }
    });
    let mutated_streams = mutated.load(std::sync::atomic::Ordering::Relaxed).min(settings.mutations);

    // 3. Minimise and read again.
    let mut findings: Vec<Finding> = lock(&tally).findings.values().cloned().collect();
    findings.sort_by_key(|f| (severity(f), std::cmp::Reverse(f.count)));
    let minimise_started = Instant::now();
    let slots: Vec<Mutex<Finding>> = findings.into_iter().map(Mutex::new).collect();
    let indices: Vec<usize> = (0..slots.len()).collect();
    parallel(&indices, settings.jobs, |&i| {
        let mut f = slots[i].lock().unwrap_or_else(|e| e.into_inner()).clone();
        let may_minimise = i < settings.minimise_findings
            && !matches!(f.difference.class, Class::ForbiddenAccepted | Class::ReadOn)
            && minimise_started.elapsed() < settings.minimise_time;
        let original = f.stream.clone();
        if may_minimise {
            let sides: Vec<&dyn Implementation> =
                peers.iter().filter(|p| f.difference.involves(p.name())).map(|p| p.as_ref()).collect();
            let signature = f.signature.clone();
            let stream_of = |bytes: &[u8]| Stream {
                bytes: bytes.to_vec(),
                source: f.source.clone(),
                forbidden: None,
                must_close: None,
            };
            // A smaller stream must not gain a feature the original lacks (cutting a byte from a
            // chunk's data can make its CRLF a bare LF): it would show another behaviour.
            let had = features(&f.stream);
            let small = minimise::minimise(&f.stream, settings.minimise_budget, |candidate| {
                if candidate.is_empty() || minimise_started.elapsed() > settings.minimise_time {
                    return false;
                }
                if !features(candidate).iter().all(|x| had.contains(x)) {
                    return false;
                }
                let observed: Vec<Observed<'_>> =
                    sides.iter().map(|p| Observed { peer: *p, result: p.read(candidate) }).collect();
                let (diffs, _) = differences(&observed, &stream_of(candidate), &sides_parsers(&sides), &cache);
                diffs.iter().any(|d| d.signature() == signature)
            });
            f.minimised = small.len() < f.stream.len();
            f.stream = small;
        }
        // Read again by every peer: the finding is written from this reading, not from the
        // stream it was first seen on.
        let read_again = |bytes: &[u8]| {
            let observed = observe(peers, bytes);
            let (forbidden, must_close) = f.rules.clone();
            let again = Stream { bytes: bytes.to_vec(), source: f.source.clone(), forbidden, must_close };
            let (diffs, _) = differences(&observed, &again, &parsers, &cache);
            let unexplained: Vec<Difference> = diffs.into_iter().filter(|d| quirks.explain(d).is_none()).collect();
            let found = behaviour::keyed(&readers(&observed), &unexplained).into_iter().find(|k| k.key == f.group);
            (found.map(|k| k.difference), summaries(observed))
        };
        let (mut found, mut readings) = read_again(&f.stream);
        if found.is_none() && f.minimised {
            // Minimised against its two sides, the stream lost the behaviour when every peer
            // read it: show the stream it was found on.
            f.stream = original;
            f.minimised = false;
            (found, readings) = read_again(&f.stream);
        }
        f.reproduced = found.is_some();
        if let Some(d) = found {
            f.difference = d;
        }
        f.readings = readings;
        f.features = features(&f.stream);
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = f;
        progress(&format!("findings: {} of {} read again", i + 1, slots.len()));
    });
    let findings = slots.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect();

    let tally = tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let chains = peers
        .iter()
        .filter(|p| p.role() == Role::Chain)
        .map(|p| {
            let proxy = p.proxy().unwrap_or_default().to_owned();
            let desync = tally
                .matrix
                .get(&pair(&proxy, p.name()))
                .and_then(|m| m.get(&Class::ChainDesync))
                .map_or(0, |c| c.0 + c.1);
            ChainVerdict {
                name: p.name().to_owned(),
                proxy,
                streams: tally.chain_streams.get(p.name()).copied().unwrap_or(0),
                desync_streams: desync,
            }
        })
        .collect();
    Outcome {
        peers: Vec::new(),
        chains,
        not_run: Vec::new(),
        corpus_streams: streams.len(),
        mutated_streams,
        matrix: tally.matrix,
        findings,
        known: tally.known.into_values().collect(),
        forbidden: tally.forbidden.into_iter().map(|(case, peers)| (case, peers.into_iter().collect())).collect(),
        shapes: BTreeMap::new(),
        failures: tally.failures,
        seconds: started.elapsed().as_secs_f64(),
        seed: settings.seed,
        command: String::new(),
    }
}

/// Every peer's reading, in words, with the bytes a proxy forwarded.
fn summaries(observed: Vec<Observed<'_>>) -> Vec<(String, String)> {
    observed
        .into_iter()
        .map(|o| {
            let text = match o.result {
                Ok(obs) => {
                    let mut text = obs.reading.summary();
                    for bytes in &obs.forwarded {
                        text.push_str(&format!("; forwarded `{}`", crate::corpus::encode(bytes)));
                    }
                    text
                }
                Err(e) => format!("(failed: {e})"),
            };
            (o.peer.name().to_owned(), text)
        })
        .collect()
}

/// The parsers among `sides` (for a proxy finding: the origin that reads what it forwards).
fn sides_parsers<'a>(sides: &[&'a dyn Implementation]) -> Vec<&'a dyn Implementation> {
    sides.iter().copied().filter(|p| p.role() == Role::Parser).collect()
}
