//! The `connection` fuzz check: a client and a server [`Connection`] driven against each other
//! by a script of sends, deliveries of pieces and closes.

use h1wire::conn::{ConnEvent, Connection, Role};
use h1wire::write::{Request, Response};
use h1wire::{ErrorKind, Version};

/// One step of a client/server conversation (`connection`).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Action<'a> {
    /// The client sends a request head (method picked by the number), and maybe a body.
    Request {
        /// Picks GET, POST, HEAD, PUT, CONNECT, OPTIONS.
        method: u8,
        /// Body pieces, if any.
        body: Option<Vec<&'a [u8]>>,
        /// Chunked rather than Content-Length.
        chunked: bool,
        /// Send `Expect: 100-continue`.
        expect_continue: bool,
        /// Send `Connection: close`.
        close: bool,
        /// Send `Upgrade: echo`.
        upgrade: bool,
        /// Send the body and end right away.
        finish: bool,
    },
    /// The client sends more body.
    ClientData(&'a [u8]),
    /// The client ends its message.
    ClientEnd,
    /// The server sends `100 Continue`.
    Continue,
    /// The server sends a final response.
    Respond {
        /// The status code.
        status: u16,
        /// The body.
        body: &'a [u8],
        /// Declare Content-Length (else chunked / close-delimited as the writer picks).
        declared: bool,
        /// Send `Connection: close`.
        close: bool,
    },
    /// Up to this many pending bytes travel to the server (true) or the client (false),
    /// which then polls.
    Deliver(bool, u16),
    /// The client (false) or server (true) sees the peer close.
    Eof(bool),
}

/// `connection`: a client and a server `Connection` driven by `actions`; neither may ever
/// refuse what the other wrote (only a close mid-message may end in `unexpected-eof`), and
/// nothing panics or loops.
pub fn connection(actions: &[Action<'_>]) {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let (mut client_eof, mut server_eof) = (false, false);
    for action in actions {
        match action {
            Action::Request { method, body, chunked, expect_continue, close, upgrade, finish } => {
                let (method, target) = [
                    ("GET", "/"),
                    ("POST", "/p"),
                    ("HEAD", "/"),
                    ("PUT", "/u"),
                    ("CONNECT", "example.com:443"),
                    ("OPTIONS", "*"),
                ][usize::from(*method % 6)];
                let host: &[u8] = if method == "CONNECT" { b"example.com:443" } else { b"example.com" };
                let mut fields: Vec<(&str, &[u8])> = vec![("Host", host)];
                let len = body.as_ref().map(|b| b.iter().map(|p| p.len()).sum::<usize>().to_string());
                match (&len, chunked) {
                    (Some(_), true) => fields.push(("Transfer-Encoding", b"chunked")),
                    (Some(n), false) => fields.push(("Content-Length", n.as_bytes())),
                    (None, _) => {}
                }
                if *expect_continue {
                    fields.push(("Expect", b"100-continue"));
                }
                if *close {
                    fields.push(("Connection", b"close"));
                }
                if *upgrade {
                    fields.push(("Upgrade", b"echo"));
                }
                let req = Request { method, target, version: Version::Http11, fields: &fields };
                if client.send_request(&req, &mut to_server).is_ok() && *finish {
                    for piece in body.iter().flatten() {
                        let _ = client.send_data(piece, &mut to_server);
                    }
                    let _ = client.send_end(&[], &mut to_server);
                }
            }
            Action::ClientData(data) => {
                let _ = client.send_data(data, &mut to_server);
            }
            Action::ClientEnd => {
                let _ = client.send_end(&[], &mut to_server);
            }
            Action::Continue => {
                let resp = Response { version: Version::Http11, status: 100, reason: b"Continue", fields: &[] };
                let _ = server.send_response(&resp, &mut to_client);
            }
            Action::Respond { status, body, declared, close } => {
                let len = body.len().to_string();
                let mut fields: Vec<(&str, &[u8])> = Vec::new();
                if *declared {
                    fields.push(("Content-Length", len.as_bytes()));
                }
                if *close {
                    fields.push(("Connection", b"close"));
                }
                let status = 100 + status % 500;
                let resp = Response { version: Version::Http11, status, reason: b"R", fields: &fields };
                if server.send_response(&resp, &mut to_client).is_ok() {
                    let _ = server.send_data(body, &mut to_client);
                    let _ = server.send_end(&[], &mut to_client);
                }
            }
            Action::Deliver(to_srv, max) => {
                let (pending, conn, eof) = if *to_srv {
                    (&mut to_server, &mut server, server_eof)
                } else {
                    (&mut to_client, &mut client, client_eof)
                };
                let n = pending.len().min(usize::from(*max));
                conn.handle_bytes(&pending[..n]);
                pending.drain(..n);
                // Every poll consumes bytes or changes state, so this bound is never reached
                // by a correct machine; reaching it is a hang.
                let mut polls = 0;
                loop {
                    polls += 1;
                    assert!(polls < 100_000, "poll_event loops");
                    match conn.poll_event() {
                        Ok(
                            ConnEvent::NeedData
                            | ConnEvent::Paused
                            | ConnEvent::ConnectionClosed
                            | ConnEvent::SwitchedProtocol,
                        ) => break,
                        Ok(_) => {}
                        Err(e) if eof && e.kind() == ErrorKind::UnexpectedEof => break,
                        Err(e) => panic!("one h1wire endpoint refused the other's bytes: {e}"),
                    }
                }
            }
            Action::Eof(to_srv) => {
                if *to_srv {
                    server.handle_eof();
                    server_eof = true;
                } else {
                    client.handle_eof();
                    client_eof = true;
                }
            }
        }
    }
}
