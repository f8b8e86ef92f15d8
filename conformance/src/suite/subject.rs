//! The suite's subject: h1wire in this process, run through the harness (whole, one byte at a
//! time, cut at every offset, with the body as events and in place, and with trailing data).

use h1wire::ResponseTo;
use h1wire_check::{split_invariant, Kind, Message, Refused};

use crate::corpus::{Case, CaseKind};
use crate::pipeline::Subject;

/// h1wire in this process.
pub struct InProcess;

/// What h1wire did with a case.
#[derive(Debug)]
pub struct Observed {
    /// What it made of the first message (whole input at once).
    pub outcome: Result<Message, Refused>,
    /// How the outcome changed when the input was fed one byte at a time or cut at some offset,
    /// if it did.
    pub split: Option<String>,
}

impl Subject for InProcess {
    type Observation = Observed;

    fn name(&self) -> String {
        "h1wire".into()
    }

    fn observe(&self, case: &Case) -> Observed {
        let input = case.bytes();
        let (kind, config) = (case.message_kind(), case.config());
        match split_invariant(kind, &config, &input) {
            Ok(outcome) => Observed { outcome, split: None },
            Err(why) => Observed { outcome: h1wire_check::run(kind, &config, &input, &[]), split: Some(why) },
        }
    }
}

impl Case {
    /// What the harness parses: a request, or a response to the case's request method.
    pub fn message_kind(&self) -> Kind {
        match self.kind {
            CaseKind::Request => Kind::Request,
            CaseKind::Response => Kind::Response(ResponseTo::of_method(&self.request_method)),
        }
    }
}
