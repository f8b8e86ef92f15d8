//! Readings judged against the RFC itself, for corpus cases that say what it requires: a message
//! that MUST be refused, and a refusal after which the connection must close.

use super::{clip, Class, Difference, Seen, Side};
use crate::diff::{End, Role};

/// A server that refused a message after which the RFC requires the connection closed
/// (`rule`, from the corpus case), and answered what followed; or, when `even_if_read`, one
/// that read that message (where the RFC lets it, as for Transfer-Encoding with
/// Content-Length, RFC 9112 §6.3: "the server MUST close the connection after responding to
/// such a request") and then read the next message on the same connection.
pub fn read_on(seen: Seen<'_>, rule: &str, even_if_read: bool) -> Option<Difference> {
    let says = match &seen.reading.end {
        End::Refused { status, read_on: true, .. } => {
            format!("refuses with {status}, then answers what follows on the same connection")
        }
        _ if even_if_read && matches!(seen.role, Role::Origin | Role::Proxy) && seen.reading.messages.len() >= 2 => {
            "reads it, then reads the next message on the same connection".to_owned()
        }
        _ => return None,
    };
    let status = match &seen.reading.end {
        End::Refused { status, .. } => Some(*status),
        _ => None,
    };
    Some(Difference {
        class: Class::ReadOn,
        part: None,
        message: seen.reading.messages.len(),
        a: Side { name: seen.name.into(), says, error: None, rule: None, status },
        b: Side {
            name: "RFC".into(),
            says: format!("MUST close after it: {}", clip(rule)),
            error: None,
            rule: Some(rule.into()),
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
