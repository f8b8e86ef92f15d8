//! What an origin makes of the bytes a proxy forwarded: the proxy meant them as one message, so
//! an origin that reads another number of messages (or one that swallows the canary) moves the
//! boundary the proxy meant.

use super::{clip, stage_name, Class, Difference, Seen, Side};
use crate::diff::{End, Message};

/// Forwarded bytes as an origin is asked to read them: a `Connection` field of the head renamed
/// `Xonnection` (same length), and an HTTP/1.0 request given `Connection: keep-alive`, so that
/// a proxy asking to close does not end the reading before the canary; the bytes that decide
/// framing are untouched.
pub fn kept_open(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let head_end = crate::head::head_end(bytes).unwrap_or(bytes.len());
    let mut i = 0;
    while i + 12 <= head_end {
        if out[i] == b'\n' && out[i + 1..i + 12].eq_ignore_ascii_case(b"connection:") {
            out[i + 1] = b'X';
        }
        i += 1;
    }
    if let Some(eol) = out.windows(2).position(|w| w == b"\r\n") {
        if out[..eol].ends_with(b" HTTP/1.0") {
            out.splice(eol + 2..eol + 2, b"Connection: keep-alive\r\n".iter().copied());
        }
    }
    out
}

/// What an origin makes of the bytes `proxy` forwarded on one upstream connection (meant as
/// one message), read as [`kept_open`]: `alone`, and `then` with [`crate::canary::DIFF`] after them. An
/// origin that refuses the bytes alone refuses what the proxy forwards (forwarded-refused); one
/// that reads anything but that message and then the canary moves the boundary the proxy meant
/// (proxy-smuggling).
pub fn forwarded(proxy: &str, bytes: &[u8], alone: Seen<'_>, then: Seen<'_>) -> Option<Difference> {
    let sent = Side {
        name: proxy.into(),
        says: format!("forwards one message of {} B on one connection", bytes.len()),
        error: None,
        rule: None,
        status: None,
    };
    if let (true, End::Refused { status, error, rule, stage, .. }) =
        (alone.reading.messages.is_empty(), &alone.reading.end)
    {
        let says = format!("refuses what it forwards (in the {}) with {status}: {}", stage_name(*stage), clip(error));
        let error = Some(format!("{error} ({status})"));
        let read = Side { name: alone.name.into(), says, error, rule: rule.clone(), status: Some(*status) };
        return Some(Difference { class: Class::ForwardedRefused, part: None, message: 0, a: sent, b: read });
    }
    let r = then.reading;
    let canary_second =
        r.messages.len() == 2 && r.messages[1].target == crate::canary::DIFF_PATH.as_bytes() && r.end == End::Clean;
    // A CONNECT or an Upgrade request ends the reading where it ends (the bytes after it may
    // be another protocol's), so no canary can follow it.
    let switches =
        |m: &Message| m.method == b"CONNECT" || m.fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(b"upgrade"));
    // An origin that reads the one message and then stops reading the connection (it does not
    // persist for it, as h11 with any HTTP/1.0 request) has not misread it, unless the canary
    // went into its body.
    // (A body that holds the canary's path because the client's own body did, as the proxy
    // framed it, is that body, not the canary.)
    let stops = r.messages.len() == 1
        && r.end == End::Clean
        && (switches(&r.messages[0])
            || !contains(&r.messages[0].body, crate::canary::DIFF_PATH.as_bytes())
            || r.messages[0].body == crate::diff::peers::proxy_message(bytes).body);
    if canary_second || stops {
        return None;
    }
    let read = Side { name: then.name.into(), says: clip(&r.summary()), error: None, rule: None, status: None };
    Some(Difference { class: Class::ProxySmuggling, part: None, message: 0, a: sent, b: read })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
