//! Everything that moves a connection's state, in one place (as h11's `_state.py`).
//!
//! - [`next`]: the transitions an input triggers, one row each with the rule behind it, the same
//!   table for both sides of the connection;
//! - [`Machine::joint`]: the transitions that follow from both sides' states together
//!   (keep-alive, close, protocol switch);
//! - [`Machine`]'s methods: what each head tells the machine (persistence, 100-continue,
//!   Upgrade, CONNECT), and which responses a server may send.
//!
//! The [`Connection`](super::Connection) around it keeps the bytes, the parser and the encoder,
//! and asks the machine before it reads or writes.

use crate::head::ConnectionOptions;
use crate::{ErrorKind, Framing, ResponseTo, Version};

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// We send requests and read responses.
    Client,
    /// We read requests and send responses.
    Server,
}

/// Where one side of a connection is, named for what comes next (compare h11's states).
///
/// A connection has two: [`our_state`](super::Connection::our_state) for what we send and
/// [`their_state`](super::Connection::their_state) for what the peer sends. Both follow the same
/// table, whichever role is ours.
///
/// ```text
///            ┌──────────────── keep-alive: both Done → both Idle ─────────────┐
///            ▼                                                                │
///   Idle ──(head)──► SendBody ──(end)──► Done ──(not keep-alive)──► MustClose ─(close)─► Closed
///    │  the server's side is SendResponse from the request head to the final response head
///    └─ 101 to Upgrade / 2xx to CONNECT ──► SwitchedProtocol (the bytes are the caller's)
///   any protocol error ──► Error
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Between messages: the next thing is a head.
    Idle,
    /// The server's side, once a request head was sent: a response head (1xx or final) comes
    /// next.
    SendResponse,
    /// A head was sent; body data and the end of the message come next.
    SendBody,
    /// The message is complete; waiting for the other side to finish its own.
    Done,
    /// The message is complete and the connection will not carry another: close it.
    MustClose,
    /// The connection is closed.
    Closed,
    /// The connection now speaks another protocol (after 101, or a 2xx to CONNECT); take the
    /// unread bytes with [`take_unconsumed`](super::Connection::take_unconsumed).
    SwitchedProtocol,
    /// A protocol error happened; the connection is unusable.
    Error,
}

/// What happened on the connection. Heads come from the side that sends them; the other inputs
/// say which side they come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A request head (from the client).
    Request,
    /// A 1xx head other than 101 (from the server).
    Interim,
    /// A final response head, 101 included (from the server).
    Response,
    /// The server answers a message it could not read, and closes.
    Refusal,
    /// Body data.
    Data(Role),
    /// The end of a message.
    End(Role),
    /// That side closed the connection.
    Close(Role),
    /// That side's bytes broke a rule, so the stream can no longer be framed.
    Fault(Role),
}

/// The state `side` moves to on `input`, or `None` when the input is not allowed there.
///
/// Every input must be allowed by both sides' rows; an input from one side leaves the other
/// where it is unless a row says otherwise.
pub(crate) fn next(side: Role, state: State, input: Input) -> Option<State> {
    use Input::*;
    use Role::*;
    use State::*;
    let to = match (side, state, input) {
        // side    in state       input           → state          the rule
        //
        // A request starts an exchange on an idle connection: our client does not pipeline,
        // and a server reads the next request only once it has answered the last
        // (RFC 9112 §9.3.2: responses go in the order of the requests).
        (Client, Idle, Request) => SendBody,
        (Server, Idle, Request) => SendResponse,
        // Any number of 1xx come before the final response (RFC 9110 §15.2).
        (Server, SendResponse, Interim) => SendResponse,
        // One final response per request (RFC 9110 §15); a 101 is one too (§15.2.2).
        (Server, SendResponse, Response) => SendBody,
        // A server may answer before the request's content is complete (RFC 9110 §10.1.1).
        (Client, state, Interim | Response) => state,
        // A refused message gets its status and the close (RFC 9112 §2.2; RFC 9110 §15.5.1).
        (Server, Idle | SendResponse, Refusal) => MustClose,
        (Client, state, Refusal) => state,
        // The body, then its end where the framing says (RFC 9112 §6.3).
        (s, SendBody, Data(by)) if by == s => SendBody,
        (s, SendBody, End(by)) if by == s => Done,
        // A close between messages loses nothing (RFC 9112 §9.6); a server may also close
        // instead of answering, and its client learns it so (RFC 9112 §9.3.1 on retrying).
        (s, Idle | Done | MustClose | Closed, Close(by)) if by == s => Closed,
        (Server, SendResponse, Close(Server)) => Closed,
        // Bytes that break the grammar leave no way to find the next message (RFC 9112 §2.2, §8).
        (s, _, Fault(by)) if by == s => Error,
        // What one side does leaves the other where it is.
        (s, state, Data(by) | End(by) | Close(by) | Fault(by)) if by != s => state,
        _ => return None,
    };
    Some(to)
}

/// What the machine knows of the exchange in progress: the request and what it asked for.
#[derive(Clone, Copy, Debug, Default)]
struct Exchange {
    /// What the response answers, for its framing.
    to: ResponseTo,
    /// The request's version (the response is written for it).
    version11: bool,
    /// The request carried `Upgrade`.
    upgrade: bool,
    /// The client asked for 100-continue and no response has come yet.
    expect_continue: bool,
    /// The final response switches protocols (101, or a 2xx to CONNECT).
    switching: bool,
    /// An interim (1xx) head was read and its end is still to be skipped.
    interim: bool,
}

/// What a request head says that the machine needs, read from the head (server) or from what
/// is about to be written (client).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestFacts {
    pub(crate) to: ResponseTo,
    pub(crate) version: Version,
    pub(crate) options: ConnectionOptions,
    pub(crate) has_body: bool,
}

/// What a response head read by a client says that the machine needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResponseFacts {
    pub(crate) status: u16,
    pub(crate) version: Version,
    pub(crate) options: ConnectionOptions,
    pub(crate) framing: Framing,
}

/// Why the machine refuses a response a server wants to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not in this state.
    OutOfOrder,
    /// A 1xx to an HTTP/1.0 client.
    InterimToHttp10,
    /// A 101 nobody asked for.
    UnrequestedSwitch,
}

/// The `Connection` field a server adds to its response so the client knows what happens next.
pub(crate) type AddedField = Option<(&'static str, &'static [u8])>;

/// How a server's response is to be written, decided before it is; applied once it is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ResponsePlan {
    /// A 1xx other than 101: it has no body and the exchange goes on.
    Interim,
    /// A final response, written for a client of `version`.
    Final { version: Version, added: AddedField, persists: bool, switching: bool },
}

/// Both sides' states and what they depend on. Copyable, so that it can change while an event
/// borrows the connection's bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Machine {
    role: Role,
    client: State,
    server: State,
    /// Whether the connection may carry another exchange (RFC 9112 §9.3); once false, never
    /// true again.
    keep_alive: bool,
    exchange: Exchange,
}

/// What the connection may do with the bytes it has received, given the states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Parse them.
    Read,
    /// Nothing: the peer's message is complete and ours is not (we do not read ahead).
    Paused,
    /// Nothing but the close: both messages are done and the connection will not persist.
    AwaitClose,
    /// A client with no request outstanding: any byte answers nothing.
    NothingAsked,
    /// They belong to another protocol.
    Switched,
    /// None: the connection is closed or broken.
    Closed,
}

impl Machine {
    pub(crate) fn new(role: Role) -> Self {
        Machine { role, client: State::Idle, server: State::Idle, keep_alive: true, exchange: Exchange::default() }
    }

    pub(crate) fn role(&self) -> Role {
        self.role
    }

    /// The other end's role.
    pub(crate) fn peer(&self) -> Role {
        match self.role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }

    pub(crate) fn our(&self) -> State {
        self.state(self.role)
    }

    pub(crate) fn their(&self) -> State {
        self.state(self.peer())
    }

    fn state(&self, side: Role) -> State {
        match side {
            Role::Client => self.client,
            Role::Server => self.server,
        }
    }

    /// Whether both sides' rows allow `input` now.
    pub(crate) fn allows(&self, input: Input) -> bool {
        next(Role::Client, self.client, input).is_some() && next(Role::Server, self.server, input).is_some()
    }

    /// Moves both sides by the table, then applies the joint transitions. An input the table
    /// does not allow changes nothing and is reported.
    fn apply(&mut self, input: Input) -> Result<(), ()> {
        let (Some(client), Some(server)) =
            (next(Role::Client, self.client, input), next(Role::Server, self.server, input))
        else {
            return Err(());
        };
        self.client = client;
        self.server = server;
        self.joint();
        Ok(())
    }

    /// The transitions that follow from both states together, after every input.
    fn joint(&mut self) {
        use State::*;
        let done = |s: State| matches!(s, Done | MustClose);
        if self.exchange.switching {
            // After a 101 (RFC 9110 §7.8) or a 2xx to CONNECT (RFC 9110 §9.3.6), once both
            // messages of the exchange are complete, the bytes that follow are the new protocol's.
            if done(self.client) && done(self.server) {
                (self.client, self.server) = (SwitchedProtocol, SwitchedProtocol);
            }
        } else if !self.keep_alive {
            // No next exchange: a side that is done has only the close left (RFC 9112 §9.6).
            for side in [&mut self.client, &mut self.server] {
                if *side == Done {
                    *side = MustClose;
                }
            }
        } else if self.client == Done && self.server == Done {
            // Both done on a persistent connection: the next request may come (RFC 9112 §9.3).
            (self.client, self.server) = (Idle, Idle);
            self.exchange = Exchange::default();
        }
    }

    /// What to do with received bytes now.
    pub(crate) fn reading(&self) -> Reading {
        let finished = |s: State| matches!(s, State::Done | State::MustClose);
        match (self.their(), self.our()) {
            (State::SwitchedProtocol, _) => Reading::Switched,
            (State::Closed | State::Error, _) => Reading::Closed,
            (their, our) if finished(their) && !finished(our) => Reading::Paused,
            (their, _) if finished(their) => Reading::AwaitClose,
            (State::Idle, _) if self.role == Role::Client => Reading::NothingAsked,
            _ => Reading::Read,
        }
    }

    /// A request head, written (client) or read (server).
    pub(crate) fn request(&mut self, r: RequestFacts) -> Result<(), ()> {
        if !self.allows(Input::Request) {
            return Err(());
        }
        self.exchange = Exchange {
            to: r.to,
            version11: r.version == Version::Http11,
            upgrade: r.options.upgrade(),
            // RFC 9110 §10.1.1: only an HTTP/1.1 request with content waits for 100; a server
            // MUST ignore the expectation in an HTTP/1.0 request.
            expect_continue: r.options.expects_continue() && r.version == Version::Http11 && r.has_body,
            switching: false,
            interim: false,
        };
        // RFC 9112 §9.3: `close`, or HTTP/1.0 without keep-alive, ends the connection after
        // this exchange.
        self.keep_alive &= r.options.persists(r.version);
        self.apply(Input::Request)
    }

    /// A response head read by a client. A 1xx other than 101 is interim: its end is skipped.
    ///
    /// # Errors
    ///
    /// The rule the response breaks: no request outstanding, or a 101 nobody asked for.
    pub(crate) fn response_read(&mut self, r: ResponseFacts) -> Result<(), ErrorKind> {
        let x = self.exchange;
        let (input, switching, interim) = match r.status {
            // RFC 9110 §7.8: a server MUST NOT switch to a protocol the client did not offer.
            101 if !x.upgrade => return Err(ErrorKind::UnrequestedSwitch),
            101 => (Input::Response, true, false),
            100..=199 => (Input::Interim, false, true),
            200..=299 => (Input::Response, x.to == ResponseTo::Connect, false),
            _ => (Input::Response, false, false),
        };
        if !self.allows(input) {
            return Err(ErrorKind::UnexpectedResponse);
        }
        let x = &mut self.exchange;
        x.expect_continue = false;
        x.switching |= switching;
        x.interim = interim;
        if input == Input::Response {
            // RFC 9112 §9.3; a body delimited by the close ends the connection with it (§6.3).
            self.keep_alive &= r.options.persists(r.version) && r.framing != Framing::UntilClose;
        }
        self.apply(input).map_err(|()| ErrorKind::UnexpectedResponse)
    }

    /// Whether the end of an interim head is still to be skipped.
    pub(crate) fn skipping_interim(&self) -> bool {
        self.exchange.interim
    }

    /// The interim head's end was read.
    pub(crate) fn interim_skipped(&mut self) {
        self.exchange.interim = false;
    }

    /// How a server writes a response of `status` whose fields say `options`, and whose
    /// length its head makes known (declared, or no body at all) when `length_known`.
    pub(crate) fn plan_response(
        &self,
        status: u16,
        options: ConnectionOptions,
        length_known: bool,
    ) -> Result<ResponsePlan, Refused> {
        let x = self.exchange;
        if !self.allows(Input::Response) {
            return Err(Refused::OutOfOrder);
        }
        if status == 101 {
            // RFC 9110 §7.8, §15.2.2: only to an HTTP/1.1 request with Upgrade, and only once
            // that request is complete (its body is the old protocol's).
            if !(x.upgrade && x.version11) {
                return Err(Refused::UnrequestedSwitch);
            }
            if self.client != State::Done {
                return Err(Refused::OutOfOrder);
            }
        } else if (100..200).contains(&status) {
            // RFC 9110 §15.2: a server MUST NOT send a 1xx to an HTTP/1.0 client.
            return if x.version11 { Ok(ResponsePlan::Interim) } else { Err(Refused::InterimToHttp10) };
        }
        let switching = status == 101 || (x.to == ResponseTo::Connect && (200..300).contains(&status));
        // A client still waiting for 100-continue is told "no": it may never send the body,
        // and waiting for it could hang, so the connection closes after this response (RFC 9110
        // §10.1.1 lets the server close or read and discard; only closing is safe here).
        let persists = self.keep_alive && !options.close() && !x.expect_continue;
        let plan = if x.version11 {
            let added = (!switching && !persists && !options.close()).then_some(("Connection", &b"close"[..]));
            ResponsePlan::Final { version: Version::Http11, added, persists, switching }
        } else {
            // An HTTP/1.0 client keeps the connection only when told `keep-alive`, and only a
            // body whose end it can find without the close lets us say so (RFC 7230 §A.1.2).
            let persists = persists && length_known;
            let added = (!switching && persists && !options.keep_alive()).then_some(("Connection", &b"keep-alive"[..]));
            ResponsePlan::Final { version: Version::Http10, added, persists, switching }
        };
        Ok(plan)
    }

    /// A response written as `plan` says; `until_close` when its body ends with the connection.
    pub(crate) fn response_sent(&mut self, plan: ResponsePlan, until_close: bool) {
        self.exchange.expect_continue = false;
        let input = match plan {
            ResponsePlan::Interim => Input::Interim,
            ResponsePlan::Final { persists, switching, .. } => {
                self.keep_alive = persists && !until_close;
                self.exchange.switching = switching;
                Input::Response
            }
        };
        let applied = self.apply(input);
        debug_assert!(applied.is_ok(), "planned in this state");
    }

    /// The server answered a message it could not read, and will close.
    pub(crate) fn refused(&mut self) -> Result<(), ()> {
        self.apply(Input::Refusal)
    }

    /// The end of `side`'s message; `reusable` is false when the connection cannot carry
    /// another (a body delimited by the close, or cut short of its length).
    pub(crate) fn end(&mut self, side: Role, reusable: bool) -> Result<(), ()> {
        if !self.allows(Input::End(side)) {
            return Err(());
        }
        self.keep_alive &= reusable;
        self.apply(Input::End(side))
    }

    /// The peer closed the connection.
    pub(crate) fn closed(&mut self) -> Result<(), ()> {
        self.apply(Input::Close(self.peer()))
    }

    /// The peer's bytes broke a rule.
    pub(crate) fn fault(&mut self) {
        let applied = self.apply(Input::Fault(self.peer()));
        debug_assert!(applied.is_ok(), "a fault is allowed in every state");
    }

    /// Client: whether the request we sent waits for 100-continue.
    pub(crate) fn waiting_for_continue(&self) -> bool {
        self.role == Role::Client && self.exchange.expect_continue
    }

    /// Server: whether the request read waits for 100-continue.
    pub(crate) fn expects_continue(&self) -> bool {
        self.exchange.expect_continue
    }

    /// What the response of the current exchange answers.
    pub(crate) fn response_to(&self) -> ResponseTo {
        self.exchange.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [State; 8] = [
        State::Idle,
        State::SendResponse,
        State::SendBody,
        State::Done,
        State::MustClose,
        State::Closed,
        State::SwitchedProtocol,
        State::Error,
    ];

    #[test]
    fn a_fault_is_allowed_everywhere_and_a_request_only_when_both_are_idle() {
        for side in [Role::Client, Role::Server] {
            for state in STATES {
                assert_eq!(next(side, state, Input::Fault(side)), Some(State::Error));
                let request = next(side, state, Input::Request);
                assert_eq!(request.is_some(), state == State::Idle, "{side:?} {state:?}");
            }
        }
    }

    #[test]
    fn only_the_server_sends_responses_and_the_client_requests() {
        for state in STATES {
            assert_eq!(next(Role::Server, state, Input::Data(Role::Client)), Some(state));
            assert_eq!(next(Role::Client, state, Input::Response), Some(state));
        }
        assert_eq!(next(Role::Client, State::SendResponse, Input::Data(Role::Client)), None);
        assert_eq!(next(Role::Server, State::SendBody, Input::Request), None);
    }

    #[test]
    fn keep_alive_returns_both_sides_to_idle_and_close_leaves_must_close() {
        let facts = RequestFacts {
            to: ResponseTo::Other,
            version: Version::Http11,
            options: ConnectionOptions::default(),
            has_body: false,
        };
        let mut m = Machine::new(Role::Server);
        m.request(facts).unwrap();
        m.end(Role::Client, true).unwrap();
        let plan = m.plan_response(200, ConnectionOptions::default(), true).unwrap();
        m.response_sent(plan, false);
        m.end(Role::Server, true).unwrap();
        assert_eq!((m.our(), m.their()), (State::Idle, State::Idle));

        m.request(facts).unwrap();
        m.end(Role::Client, true).unwrap();
        let plan = m.plan_response(200, ConnectionOptions::default(), true).unwrap();
        m.response_sent(plan, true); // a body until the close
        m.end(Role::Server, false).unwrap();
        assert_eq!((m.our(), m.their()), (State::MustClose, State::MustClose));
        assert_eq!(m.reading(), Reading::AwaitClose);
    }
}
