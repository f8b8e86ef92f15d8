//! Reading one stream with every peer, and the differences among the readings.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Stream;
use crate::canary::DIFF as CANARY;
use crate::diff::compare::{self, Difference, Seen};
use crate::diff::{peers, End, Implementation, Message, Observation, Reading, Role};

/// One peer's reading of a stream.
pub(super) struct Observed<'a> {
    pub(super) peer: &'a dyn Implementation,
    pub(super) result: Result<Observation, String>,
}

/// Every peer's reading of `bytes`, the servers in parallel (a proxy takes a quarter of a
/// second to fall silent; the parsers take microseconds).
pub(super) fn observe<'a>(peers: &'a [Box<dyn Implementation>], bytes: &[u8]) -> Vec<Observed<'a>> {
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
pub(super) struct ForwardCache(Mutex<HashMap<ForwardKey, Result<Reading, String>>>);

/// A parser's name and the bytes a proxy forwarded.
type ForwardKey = (String, Vec<u8>);

impl ForwardCache {
    /// `peer`'s reading of `bytes` as an origin is asked to read them ([`compare::kept_open`]),
    /// alone or followed by the canary.
    pub(super) fn read(&self, peer: &dyn Implementation, bytes: &[u8], canary: bool) -> Result<Reading, String> {
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
pub(super) fn differences(
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
    // What a proxy ended as a message: every connection's bytes that hold the whole body their
    // head announces, or whose body the client's stream held (a proxy that sends a head
    // announcing a body it never sends, because it frames the message otherwise, is the
    // smuggling this looks for). A proxy still streaming a body the client's stream never had
    // (a length past its end, by any reader's limits) has not ended that message.
    let ended = |b: &&Vec<u8>| peers::whole_message(b) || peers::could_supply(b, &stream.bytes);
    // A chain is judged only against its own proxy's meaning, never pairwise.
    for chain in ok.iter().filter(|(p, _)| p.role() == Role::Chain) {
        let proxy = ok.iter().find(|(p, _)| Some(p.name()) == chain.0.proxy());
        if let Some((proxy, seen_by_proxy)) = proxy {
            // What the proxy meant is what it wrote on this chain's upstream connections, read
            // by the framing fields it wrote (several messages on one connection when it keeps
            // its origin's connection open). Not what it wrote to its recorder: a proxy's next
            // step depends on its origin's answers (Apache keeps its client's connection after
            // an `Expect: 100-continue` request only when the origin sent a 100), so another
            // origin may rightly get other messages.
            let written: Vec<(&[u8], Message, bool)> =
                chain.1.forwarded.iter().flat_map(|b| peers::proxy_messages(b)).collect();
            let meant: Vec<(Message, bool)> = written.iter().map(|(_, m, whole)| (m.clone(), *whole)).collect();
            // Who waits on whom when the origin answered fewer messages than the proxy meant: a
            // proxy that holds a body back for a `100 Continue` the origin does not send, or one
            // that forwarded a head announcing a body the client's stream never had (a length
            // past the stream's end, a chunked body with no last chunk), and waits for the rest
            // of it. A stall, not a desync. A proxy that forwarded a head announcing a body the
            // client did send, and not that body, frames the message otherwise than its own
            // fields say: that is the desync.
            // A proxy that refused its client's message after forwarding part of it (its reading
            // has fewer messages than it forwarded) aborted that request: it never meant it
            // whole either. One that refused what came after a message it forwarded did not.
            let aborted = matches!(seen_by_proxy.reading.end, End::Refused { .. })
                && seen_by_proxy.reading.messages.len() < seen_by_proxy.forwarded.len();
            // A proxy relays what follows a CONNECT only once the origin accepted the tunnel
            // (RFC 9110 §9.3.6), so one it forwarded without the body its fields announce waits
            // on an origin that waits for that body.
            let waiting = written.iter().any(|(b, m, whole)| {
                !whole
                    && (aborted
                        || m.method == b"CONNECT"
                        || crate::head::expects_continue(b)
                        || !peers::could_supply(b, &stream.bytes))
            });
            out.extend(compare::chain(proxy.name(), &meant, seen(chain), waiting));
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
        if let Some(close) = &stream.must_close {
            out.extend(compare::read_on(seen(x), &close.rule, close.even_if_read));
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

/// The readers among `observed` that read the stream (parsers, origins and proxies): the peers
/// a behaviour partitions.
pub(super) fn readers(observed: &[Observed<'_>]) -> Vec<String> {
    observed
        .iter()
        .filter(|o| o.result.is_ok() && matches!(o.peer.role(), Role::Parser | Role::Origin | Role::Proxy))
        .map(|o| o.peer.name().to_owned())
        .collect()
}
