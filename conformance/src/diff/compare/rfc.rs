//! Readings judged against the RFC itself, for corpus cases that say what it requires: a message
//! that MUST be refused, and a refusal after which the connection must close.

use super::{clip, Class, Difference, Seen, Side};
use crate::diff::{End, Role};

/// A server that refused a message after which the RFC requires the connection closed
/// (`rule`, from the corpus case), and answered what followed.
pub fn read_on(seen: Seen<'_>, rule: &str) -> Option<Difference> {
    let End::Refused { status, read_on: true, .. } = &seen.reading.end else { return None };
    let says = format!("refuses with {status}, then answers what follows on the same connection");
    Some(Difference {
        class: Class::ReadOn,
        part: None,
        message: seen.reading.messages.len(),
        a: Side { name: seen.name.into(), says, error: None, rule: None, status: Some(*status) },
        b: Side {
            name: "RFC".into(),
            says: format!("MUST close after refusing: {}", clip(rule)),
            error: None,
            rule: None,
            status: None,
        },
    })
}

/// A reading of the first message where the RFC requires a refusal (`rule`, from the corpus
/// case).
pub fn forbidden(seen: Seen<'_>, rule: &str) -> Option<Difference> {
    if seen.role == Role::HeadParser {
        return None; // it does not decide framing, where most of these rules are
    }
    let m = seen.reading.messages.first()?;
    Some(Difference {
        class: Class::ForbiddenAccepted,
        part: None,
        message: 0,
        a: Side::of_message(seen.name, m, 0),
        b: Side {
            name: "RFC".into(),
            says: format!("MUST refuse: {}", clip(rule)),
            error: Some(rule.into()),
            rule: Some(rule.into()),
            status: None,
        },
    })
}
