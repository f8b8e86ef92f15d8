//! The differential run: every stream to every peer, the differences tallied, new ones kept,
//! then a bounded mutation loop, then each finding minimised.
//!
//! 1. **Corpus**: each request case of the corpus, followed by a canary request, is one
//!    stream.
//! 2. **Mutations**: streams picked from the pool (the corpus, then every stream that showed a
//!    difference not seen before) are mutated ([`super::mutate`]) and read again, until the
//!    count or the time runs out.
//! 3. **Findings**: a difference no quirk explains is a finding, grouped by its
//!    [signature](Difference::signature); the first stream of each is minimised
//!    ([`super::minimise`]) against the two implementations involved, then read by every peer
//!    for the report.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::compare::{self, Class, Difference, Seen};
use super::quirks::Quirks;
use super::{minimise, mutate, Implementation, Observation, Reading, Role};
use crate::canary::DIFF as CANARY;
use crate::corpus::{CaseKind, Expect, Level, Section};
use crate::pipeline::Selection;

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
            Stream { bytes, source: c.id.clone(), forbidden }
        })
        .collect()
}

/// Differences no quirk explains, of one class between two implementations (see
/// [`Difference::group`]), with the first stream that showed one.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// What identifies it: class, part and the two implementations.
    pub group: String,
    /// The first difference's finer signature (with each side's error word); the
    /// minimised stream keeps it.
    pub signature: String,
    /// The difference, as first seen.
    pub difference: Difference,
    /// The corpus case the stream came from (`mutated from …` for a mutation).
    pub source: String,
    /// Streams that showed it.
    pub count: usize,
    /// Up to ten corpus cases (or mutations) that showed it, the first included.
    pub sources: Vec<String>,
    /// The first stream that showed it (minimised when `minimised`).
    #[serde(serialize_with = "super::as_latin1")]
    pub stream: Vec<u8>,
    /// Its length before minimisation.
    pub original_len: usize,
    /// Whether `stream` was minimised.
    pub minimised: bool,
    /// Every peer's reading of `stream`, as `(peer, summary)`.
    pub readings: Vec<(String, String)>,
    /// Whether those readings show the difference again. A finding that does not is
    /// timing-dependent (or was minimised on a chance reading); the report says so.
    pub reproduced: bool,
}

/// A difference a quirk explains.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
pub struct PeerInfo {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its version line.
    pub version: String,
}

/// A real proxy → origin chain's verdict over the run.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Default, Serialize)]
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
    /// Reads that failed (a shim crashed, a server did not answer): not differences.
    pub failures: Vec<String>,
    /// Wall-clock seconds the run took.
    pub seconds: f64,
    /// The mutation seed.
    pub seed: u64,
}

/// One peer's reading of a stream.
struct Observed<'a> {
    peer: &'a dyn Implementation,
    result: Result<Observation, String>,
}

/// Every peer's reading of `bytes`, the servers in parallel (a proxy takes a quarter of a
/// second to fall silent; the parsers take microseconds).
fn observe<'a>(peers: &'a [Box<dyn Implementation>], bytes: &[u8]) -> Vec<Observed<'a>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = peers
            .iter()
            .map(|p| {
                let remote = matches!(p.role(), Role::Origin | Role::Proxy | Role::Chain);
                if remote {
                    Err(scope.spawn(move || p.read(bytes)))
                } else {
                    Ok(p.read(bytes))
                }
            })
            .collect();
        peers
            .iter()
            .zip(handles)
            .map(|(p, h)| {
                let result = h.unwrap_or_else(|h| h.join().unwrap_or_else(|_| Err("the reader panicked".into())));
                Observed { peer: p.as_ref(), result }
            })
            .collect()
    })
}

/// Readings of forwarded bytes (plus the canary) by the parsers, shared across streams: a
/// proxy forwards the same bytes for many streams.
#[derive(Default)]
struct ForwardCache(Mutex<HashMap<ForwardKey, Result<Reading, String>>>);

/// A parser's name and the bytes a proxy forwarded.
type ForwardKey = (String, Vec<u8>);

impl ForwardCache {
    /// `peer`'s reading of `bytes` as an origin is asked to read them ([`compare::kept_open`]),
    /// alone or followed by the canary.
    fn read(&self, peer: &dyn Implementation, bytes: &[u8], canary: bool) -> Result<Reading, String> {
        let stream = [compare::kept_open(bytes).as_slice(), if canary { CANARY } else { b"" }].concat();
        let key = (peer.name().to_owned(), stream);
        if let Some(r) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return r.clone();
        }
        let r = peer.read(&key.1).map(|o| o.reading);
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, r.clone());
        r
    }
}

/// Every difference among `observed` for `stream`, and the reads that failed.
fn differences(
    observed: &[Observed<'_>],
    stream: &Stream,
    parsers: &[&dyn Implementation],
    cache: &ForwardCache,
) -> (Vec<Difference>, Vec<String>) {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    let ok: Vec<(&dyn Implementation, &Observation)> = observed
        .iter()
        .filter_map(|o| match &o.result {
            Ok(obs) => Some((o.peer, obs)),
            Err(e) => {
                failures.push(format!("{} on a stream from {}: {e}", o.peer.name(), stream.source));
                None
            }
        })
        .collect();
    fn seen<'a>((p, o): &(&'a dyn Implementation, &'a Observation)) -> Seen<'a> {
        Seen { name: p.name(), role: p.role(), reading: &o.reading }
    }
    // The client's stream ends inside a message: a proxy still streaming that message has not
    // ended it, so bytes it forwarded that are not a whole message mean nothing yet.
    let cut = matches!(super::peers::read_h1wire(&stream.bytes).end, super::End::Cut { .. });
    // What a proxy ended as a message: every connection's bytes, except a partial one when the
    // client's stream is cut (a proxy that sends a head announcing a body it never sends,
    // because it frames the message otherwise, is the smuggling this looks for).
    let ended = |b: &&Vec<u8>| !cut || super::peers::whole_message(b);
    // A chain is judged only against its own proxy's meaning, never pairwise.
    for chain in ok.iter().filter(|(p, _)| p.role() == Role::Chain) {
        let proxy = ok.iter().find(|(p, _)| Some(p.name()) == chain.0.proxy());
        if let Some((proxy, seen_by_proxy)) = proxy {
            let sent: Vec<&Vec<u8>> = seen_by_proxy.forwarded.iter().collect();
            let meant: Vec<_> = sent.iter().map(|b| super::peers::proxy_message(b)).collect();
            // Who waits on whom when the origin answered fewer messages than the proxy meant.
            // The proxy held a body back for a `100 Continue` the origin did not send; or the
            // first message the origin did not answer is the last the proxy forwarded, and it
            // is not whole by its own fields, and the proxy read nothing after it (it still
            // streams a body its client never finished), so nobody has ended it yet. A stall,
            // not a desync. A proxy that forwarded more after such a message, or refused what
            // followed it, ended it there.
            let held_back =
                chain.1.forwarded.iter().any(|b| crate::head::expects_continue(b) && !super::peers::whole_message(b));
            let unanswered = chain.1.reading.messages.len();
            let read_on = matches!(seen_by_proxy.reading.end, super::End::Refused { .. });
            let proxy_waits = unanswered + 1 == sent.len()
                && sent.last().is_some_and(|b| !super::peers::whole_message(b))
                && !read_on;
            out.extend(compare::chain(proxy.name(), &meant, seen(chain), held_back || proxy_waits));
        }
    }
    let ok: Vec<_> = ok.into_iter().filter(|(p, _)| p.role() != Role::Chain).collect();
    for (i, x) in ok.iter().enumerate() {
        for y in &ok[i + 1..] {
            out.extend(compare::compare(seen(x), seen(y)));
        }
        if let Some(rule) = &stream.forbidden {
            out.extend(compare::forbidden(seen(x), rule));
        }
        if x.0.role() == Role::Proxy {
            for bytes in x.1.forwarded.iter().filter(ended) {
                for parser in parsers {
                    match (cache.read(*parser, bytes, false), cache.read(*parser, bytes, true)) {
                        (Ok(alone), Ok(then)) => {
                            let seen = |r| Seen { name: parser.name(), role: parser.role(), reading: r };
                            out.extend(compare::forwarded(x.0.name(), bytes, seen(&alone), seen(&then)));
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            failures.push(format!("{} on bytes {} forwarded: {e}", parser.name(), x.0.name()));
                        }
                    }
                }
            }
        }
    }
    (out, failures)
}

/// The tally while the run goes on.
#[derive(Default)]
struct Tally {
    matrix: BTreeMap<String, BTreeMap<Class, (usize, usize)>>,
    findings: BTreeMap<String, Finding>,
    /// Fine signatures seen: a stream with a new one joins the mutation pool.
    signatures: std::collections::BTreeSet<String>,
    known: BTreeMap<String, Known>,
    failures: Vec<String>,
    /// Per chain: streams it and its proxy both read.
    chain_streams: BTreeMap<String, usize>,
}

/// The pair of a difference, named as [`Difference::group`] names it (alphabetically).
fn pair_key(d: &Difference) -> String {
    pair(&d.a.name, &d.b.name)
}

/// Two peers' names as the matrix keys them (alphabetically).
fn pair(a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x} × {y}")
}

impl Tally {
    /// Counts the chains that read a stream, with their proxy.
    fn count_chains(&mut self, observed: &[Observed<'_>]) {
        let read = |name: Option<&str>| observed.iter().any(|o| Some(o.peer.name()) == name && o.result.is_ok());
        for o in observed.iter().filter(|o| o.peer.role() == Role::Chain) {
            if o.result.is_ok() && read(o.peer.proxy()) {
                *self.chain_streams.entry(o.peer.name().to_owned()).or_default() += 1;
            }
        }
    }

    /// Adds a stream's differences; returns whether any unexplained one had a signature not
    /// seen before.
    fn add(&mut self, stream: &Stream, diffs: Vec<Difference>, failures: Vec<String>, quirks: &Quirks) -> bool {
        self.failures.extend(failures.into_iter().take(50usize.saturating_sub(self.failures.len())));
        let mut new = false;
        for d in diffs {
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
            new |= self.signatures.insert(signature.clone());
            let group = d.group();
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
                            signature,
                            difference: d,
                            source: stream.source.clone(),
                            count: 1,
                            sources: vec![stream.source.clone()],
                            stream: stream.bytes.clone(),
                            original_len: stream.bytes.len(),
                            minimised: false,
                            readings: Vec::new(),
                            reproduced: false,
                        },
                    );
                }
            }
        }
        new
    }
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
fn severity(f: &Finding) -> (usize, bool) {
    let class = Class::ALL.iter().position(|c| *c == f.difference.class).unwrap_or(usize::MAX);
    (class, f.difference.part != Some(super::compare::Part::Body))
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
        t.add(stream, diffs, failures, quirks);
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
            let stream = Stream { bytes: mutated.bytes, source, forbidden: None };
            let observed = observe(peers, &stream.bytes);
            let (diffs, failures) = differences(&observed, &stream, &parsers, &cache);
            let mut t = lock(&tally);
            t.count_chains(&observed);
            let new = t.add(&stream, diffs, failures, quirks);
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
            && f.difference.class != Class::ForbiddenAccepted
            && minimise_started.elapsed() < settings.minimise_time;
        if may_minimise {
            let sides: Vec<&dyn Implementation> =
                peers.iter().filter(|p| f.difference.involves(p.name())).map(|p| p.as_ref()).collect();
            let signature = f.signature.clone();
            let stream_of = |bytes: &[u8]| Stream { bytes: bytes.to_vec(), source: f.source.clone(), forbidden: None };
            let small = minimise::minimise(&f.stream, settings.minimise_budget, |candidate| {
                if candidate.is_empty() || minimise_started.elapsed() > settings.minimise_time {
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
        let observed = observe(peers, &f.stream);
        let again = Stream { bytes: f.stream.clone(), source: f.source.clone(), forbidden: None };
        let (diffs, _) = differences(&observed, &again, &parsers, &cache);
        f.reproduced = f.difference.class == Class::ForbiddenAccepted || diffs.iter().any(|d| d.group() == f.group);
        f.readings = observed
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
            .collect();
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
        failures: tally.failures,
        seconds: started.elapsed().as_secs_f64(),
        seed: settings.seed,
    }
}

/// The parsers among `sides` (for a proxy finding: the origin that reads what it forwards).
fn sides_parsers<'a>(sides: &[&'a dyn Implementation]) -> Vec<&'a dyn Implementation> {
    sides.iter().copied().filter(|p| p.role() == Role::Parser).collect()
}
