//! A real proxy → origin chain judged against what its proxy meant.

use super::{clip, origin_form, Class, Difference, Part, Seen, Side};
use crate::diff::{End, Message};

/// A real chain's reading against its proxy's meaning. `meant` are the messages the proxy
/// forwarded for the stream, one per upstream connection to its recording origin, each with
/// whether the recorder got its body whole; `chain` is what the origin behind the same proxy
/// read of the same stream. The origin may refuse what the proxy forwards (it then reads a
/// prefix of what was meant); any other difference in the messages' method, target or body, or
/// in their number, moves a boundary between the two hops. Fewer messages with no refusal count only when nobody is
/// `waiting`: a proxy holding a body back until a `100 Continue`, or a client stream cut short
/// inside a message, leaves the two hops waiting on each other, which is a stall, not a desync.
pub fn chain(proxy: &str, meant: &[(Message, bool)], chain: Seen<'_>, waiting: bool) -> Option<Difference> {
    let read = &chain.reading.messages;
    // A body the recorder did not get whole (it answered once the proxy paused) is no measure
    // of what the proxy meant: only its method and target are compared then.
    let same = |(x, whole): &(Message, bool), y: &Message| {
        x.method == y.method && origin_form(&x.target) == origin_form(&y.target) && (!whole || x.body == y.body)
    };
    let refused = matches!(chain.reading.end, End::Refused { .. });
    let first_apart = (0..read.len().min(meant.len())).find(|&i| !same(&meant[i], &read[i]));
    let what = match first_apart {
        Some(i) => format!("message {} differs", i + 1),
        None if read.len() > meant.len() => format!("{} messages where the proxy meant {}", read.len(), meant.len()),
        None if read.len() < meant.len() && !refused && !waiting => {
            format!("{} messages where the proxy meant {}, and no refusal", read.len(), meant.len())
        }
        None => return None,
    };
    let list = |ms: &[Message]| {
        let items: Vec<String> = ms
            .iter()
            .map(|m| {
                let target = clip(&m.target.escape_ascii().to_string());
                format!("{} {target} ({} B)", String::from_utf8_lossy(&m.method), m.body.len())
            })
            .collect();
        if items.is_empty() {
            "nothing".to_owned()
        } else {
            items.join(", ")
        }
    };
    let meant_messages: Vec<Message> = meant.iter().map(|(m, _)| m.clone()).collect();
    let says = format!("forwards {}", list(&meant_messages));
    let a = Side { name: proxy.into(), says, error: None, rule: None, status: None };
    let b = Side {
        name: chain.name.into(),
        says: format!("the origin read {} ({what})", list(read)),
        error: None,
        rule: None,
        status: None,
    };
    // What differs in the first message apart, so that shapes that move a boundary the same way
    // are one finding; a different number of messages has no part.
    let part = first_apart.map(|i| {
        let (x, y) = (&meant[i].0, &read[i]);
        if x.method != y.method {
            Part::Method
        } else if origin_form(&x.target) != origin_form(&y.target) {
            Part::Target
        } else {
            Part::Body
        }
    });
    Some(Difference {
        class: Class::ChainDesync,
        part,
        message: first_apart.unwrap_or(read.len().min(meant.len())),
        a,
        b,
    })
}
