//! What the probe saw, as typed data: the controls before the run, and for each case the
//! exchanges it had. Nothing here says what they mean ([`super::verdict`] does).

use crate::net::{Exchange, Seen};

/// What the controls sent before the cases showed about the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controls {
    /// The canary: a plain GET of the target's path.
    pub canary: Vec<u8>,
    /// The canary's response on a connection of its own.
    pub baseline: Seen,
    /// The server answered two plain requests pipelined on one connection: without that, the
    /// canary cannot tell anything and canary-based risks are inconclusive.
    pub pipelines: bool,
    /// How the server answered a POST with a small body on its own, when it refused it.
    pub refuses_bodies: Option<u16>,
    /// The gadget path of the CL.0 cases is answered as the canary's path: a request prefixed
    /// to the canary cannot show.
    pub gadget_blind: bool,
}

/// One send of a framing case with the canary after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Try {
    /// The case's bytes, then the canary, on one connection.
    pub exchange: Exchange,
    /// The case's head alone on a connection of its own, sent when every reading the RFC allows
    /// takes it as a whole message with no body.
    pub head_alone: Option<Exchange>,
}

/// A case's control (the same shape made valid), sent with the canary after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    /// The bytes sent: the control, then the canary.
    pub sent: Vec<u8>,
    /// What came back.
    pub exchange: Exchange,
}

/// What happened to one case.
// One observation exists per running case and is judged at once: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// It was not sent, for this reason.
    NotSent(String),
    /// Sent alone (a case without a desync class).
    Alone {
        /// What came back.
        exchange: Exchange,
        /// After no response at all: whether the server still answered a plain request on a
        /// fresh connection.
        still_answers: Option<bool>,
    },
    /// Sent with the canary after it (a framing case).
    WithCanary {
        /// The bytes sent: the case, then the canary.
        sent: Vec<u8>,
        /// The first send.
        first: Try,
        /// After a first send that looked like a risk or could not be told: whether the server
        /// still answered a plain request on a fresh connection.
        still_answers: Option<bool>,
        /// After a risk: the case's control.
        control: Option<Control>,
        /// After a risk that stood against the controls: the case sent again, to confirm it.
        again: Vec<Try>,
    },
}
