//! Differential checks against peers, starting with httparse (what `diff_httparse` fuzzes).
//!
//! Where both accept a request head, method, target, version and the field list must match.
//! Where they disagree, the disagreement must be on the closed list below, each with its reason,
//! in the spirit of rustls' list of known divergences.

use std::sync::OnceLock;

use h1wire::{Event, Parse, RequestParser};

use crate::diff::compare::{Class, Difference, Side};
use crate::diff::quirks::Quirks;

/// The known differences of httparse and of h1wire, each with its reason: the quirk files the
/// diff reads (`peers/quirks/httparse.toml`, `peers/quirks/h1wire.toml`), compiled in, so that
/// the fuzzer and `h1spec diff` accept exactly the same differences.
fn quirks() -> &'static Quirks {
    static QUIRKS: OnceLock<Quirks> = OnceLock::new();
    QUIRKS.get_or_init(|| {
        let mut q = Quirks::default();
        for (peer, text) in [
            ("httparse", include_str!("../../peers/quirks/httparse.toml")),
            ("h1wire", include_str!("../../peers/quirks/h1wire.toml")),
        ] {
            q.insert(peer, Quirks::parse(text).expect("the quirk files parse (a test checks them)"));
        }
        q
    })
}

/// Whether a quirk explains h1wire and httparse disagreeing on accepting a head: the refusing
/// side's error is named (h1wire's rule name, or httparse's error variant).
fn explained(h1wire_error: Option<String>, httparse_error: Option<String>) -> bool {
    let side = |name: &str, error: Option<String>| Side {
        name: name.into(),
        says: String::new(),
        error: error.clone(),
        rule: error,
        status: None,
    };
    let d = Difference {
        class: Class::AcceptRefuse,
        part: None,
        message: 0,
        a: side("h1wire", h1wire_error),
        b: side("httparse", httparse_error),
    };
    quirks().explain(&d).is_some()
}

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
            // The rule's name only: its description would let a quirk match on prose (the
            // request line's description names the request-target).
            if explained(Some(e.kind().name().to_owned()), None) {
                Ok(())
            } else {
                Err(format!("h1wire refuses ({}: {e}) what httparse accepts", e.kind().name()))
            }
        }
        (Err(their_error), Ok(out)) if out.event.is_some() => {
            let name = format!("{their_error:?}");
            if explained(None, Some(name.clone())) {
                Ok(())
            } else {
                Err(format!("httparse refuses ({name}) what h1wire accepts"))
            }
        }
        // Both refuse, or at least one of them needs more bytes: nothing to compare.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quirk_files_explain_what_they_name_and_nothing_else() {
        let ours = |rule: &str| explained(Some(rule.to_owned()), None);
        for rule in ["missing-host", "invalid-target", "bare-lf", "duplicate-content-length", "head-too-large"] {
            assert!(ours(rule), "{rule}");
        }
        for rule in
            ["whitespace-before-colon", "obs-fold", "chunk-line-bare-lf", "invalid-field-value", "invalid-request-line"]
        {
            assert!(!ours(rule), "{rule}");
        }
        assert!(explained(None, Some("Version".into())));
        assert!(!explained(None, Some("Token".into())));
    }
}
