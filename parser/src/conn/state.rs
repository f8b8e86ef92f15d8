//! The states of one side of a connection, and which way the other side's events move them.

/// Where one side of a connection is, named for what comes next (compare h11's states).
///
/// A connection has two: [`our_state`](super::Connection::our_state) for what we send and
/// [`their_state`](super::Connection::their_state) for what the peer sends.
///
/// ```text
///            ┌──────────────── keep-alive: both Done → both Idle ─────────────┐
///            ▼                                                                │
///   Idle ──(head)──► SendBody ──(end)──► Done ──(not keep-alive)──► MustClose ─(close)─► Closed
///    │  server only: our side is SendResponse from the request head to the final response head
///    └─ 101 to Upgrade / 2xx to CONNECT ──► SwitchedProtocol (the bytes are the caller's)
///   any protocol error ──► Error
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Between messages: the next thing is a head.
    Idle,
    /// Server, our side: a request head arrived; a response head (1xx or final) comes next.
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
