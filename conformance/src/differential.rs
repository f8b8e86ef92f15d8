//! Differential checks against peers, starting with httparse (what `diff_httparse` fuzzes).
//!
//! Where both accept a request head, method, target, version and the field list must match.
//! Where they disagree, the disagreement must be on the closed list below, each with its reason,
//! in the spirit of rustls' list of known divergences.

use h1wire::{ErrorKind, Event, Parse, RequestParser};

/// Rules h1wire enforces on a request head that httparse does not check: h1wire refuses, and
/// httparse accepts. Each entry says why the difference is deliberate.
pub const STRICTER_THAN_HTTPARSE: &[(ErrorKind, &str)] = &[
    (ErrorKind::MissingHost, "httparse parses syntax only; RFC 9112 §3.2 Host rules are h1wire's"),
    (ErrorKind::DuplicateHost, "as above: more than one Host is a 400 (RFC 9112 §3.2)"),
    (ErrorKind::InvalidHost, "as above: Host must be uri-host [\":\" port]"),
    (ErrorKind::InvalidTarget, "httparse takes any visible ASCII as a target; h1wire applies RFC 3986 per form"),
    (ErrorKind::TargetFormNotAllowed, "httparse does not tie target forms to methods (RFC 9112 §3.2.3, §3.2.4)"),
    (ErrorKind::BareLf, "httparse accepts LF-only line ends; h1wire only with allow_bare_lf (desync risk)"),
    (ErrorKind::InvalidContentLength, "httparse does not decide framing (RFC 9112 §6.3)"),
    (ErrorKind::DuplicateContentLength, "httparse does not decide framing"),
    (ErrorKind::TransferEncodingWithContentLength, "httparse does not decide framing"),
    (ErrorKind::InvalidTransferEncoding, "httparse does not decide framing"),
    (ErrorKind::ChunkedNotFinal, "httparse does not decide framing"),
    (ErrorKind::ChunkedTwice, "httparse does not decide framing"),
    (ErrorKind::UnknownTransferCoding, "httparse does not decide framing"),
    (ErrorKind::TransferEncodingInHttp10, "httparse does not decide framing"),
    (ErrorKind::ContentInConnect, "httparse does not decide framing"),
    (ErrorKind::BodyTooLarge, "httparse has no body limit"),
    (ErrorKind::HeadTooLarge, "httparse has no head size limit"),
    (ErrorKind::TooManyFields, "h1wire allows 100 fields; the comparison gives httparse 128 slots"),
    (ErrorKind::TargetTooLong, "httparse has no target length limit"),
];

/// httparse errors on request heads h1wire accepts, each with why it is deliberate.
pub const LAXER_THAN_HTTPARSE: &[(&str, &str)] =
    &[("Version", "HTTP/1.2 to HTTP/1.9 read as HTTP/1.1 (RFC 9110 §2.5 SHOULD); httparse takes only 1.0 and 1.1")];

/// Compares h1wire with httparse on `data` as a request.
///
/// # Errors
///
/// A description of a disagreement that is not on the lists above.
pub fn diff_httparse(data: &[u8]) -> Result<(), String> {
    let mut slots = [httparse::EMPTY_HEADER; 128];
    let mut theirs = httparse::Request::new(&mut slots);
    let their_result = theirs.parse(data);
    let mut parser = RequestParser::new();
    let ours = parser.parse(data);
    match (their_result, ours) {
        (Ok(httparse::Status::Complete(n)), Ok(out)) => match out.event {
            Some(Event::Head { head, .. }) => {
                let same = |what: &str, a: &[u8], b: &[u8]| {
                    if a == b {
                        Ok(())
                    } else {
                        Err(format!(
                            "{what}: h1wire {:?}, httparse {:?}",
                            a.escape_ascii().to_string(),
                            b.escape_ascii().to_string()
                        ))
                    }
                };
                same("method", head.method().as_bytes(), theirs.method.unwrap_or_default().as_bytes())?;
                same("target", head.target().as_str().as_bytes(), theirs.path.unwrap_or_default().as_bytes())?;
                let their_version = theirs.version.map(|v| if v == 1 { "HTTP/1.1" } else { "HTTP/1.0" });
                same("version", head.version().as_str().as_bytes(), their_version.unwrap_or_default().as_bytes())?;
                let ours: Vec<(&str, &[u8])> = head.fields().iter().map(|f| (f.name().as_str(), f.value())).collect();
                let theirs: Vec<(&str, &[u8])> =
                    theirs.headers.iter().map(|h| (h.name, h.value.trim_ascii_end())).collect();
                if ours != theirs {
                    return Err(format!("fields: h1wire {ours:?}, httparse {theirs:?}"));
                }
                if n != out.consumed {
                    return Err(format!("head length: h1wire {}, httparse {n}", out.consumed));
                }
                Ok(())
            }
            _ => Err("httparse has a complete head, h1wire wants more bytes".into()),
        },
        (Ok(httparse::Status::Complete(_)), Err(e)) => {
            if STRICTER_THAN_HTTPARSE.iter().any(|(kind, _)| *kind == e.kind()) {
                Ok(())
            } else {
                Err(format!("h1wire refuses ({}: {e}) what httparse accepts", e.kind().name()))
            }
        }
        (Err(their_error), Ok(out)) if out.event.is_some() => {
            let name = format!("{their_error:?}");
            if LAXER_THAN_HTTPARSE.iter().any(|(n, _)| *n == name) {
                Ok(())
            } else {
                Err(format!("httparse refuses ({name}) what h1wire accepts"))
            }
        }
        // Both refuse, or at least one of them needs more bytes: nothing to compare.
        _ => Ok(()),
    }
}
