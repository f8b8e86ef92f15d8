//! The connection machine, both roles driven against each other in memory (as quinn-proto's
//! `Pair` does): every state, pipelining, keep-alive, 100-continue, short bodies, trailers, and
//! the Upgrade / CONNECT hand-off with bytes after the head.

use h1wire::conn::{ConnEvent, Connection, Role, State};
use h1wire::write::{encode_request_head, Request, Response, WriteError};
use h1wire::{ErrorKind, Parse, ResponseParser, ResponseTo, Version};

/// Polls until the connection needs data, pauses, closes or switches; events as text.
fn drain(conn: &mut Connection) -> Vec<String> {
    let mut log = Vec::new();
    loop {
        let event = match conn.poll_event() {
            Ok(e) => e,
            Err(e) => {
                log.push(format!("error {}", e.kind().name()));
                return log;
            }
        };
        let (text, stop) = match event {
            ConnEvent::Request { head, framing, expects_continue } => (
                format!(
                    "request {} {} {framing:?}{}",
                    head.method(),
                    head.target().as_str(),
                    if expects_continue { " expects-continue" } else { "" }
                ),
                false,
            ),
            ConnEvent::Response { head, framing } => (format!("response {} {framing:?}", head.status()), false),
            ConnEvent::Data(d) => (format!("data {}", String::from_utf8_lossy(d)), false),
            ConnEvent::Trailers(t) => {
                (format!("trailers {:?}", t.iter().map(|f| f.name().as_str().to_owned()).collect::<Vec<_>>()), false)
            }
            ConnEvent::EndOfMessage => ("end".into(), false),
            ConnEvent::NeedData => ("need-data".into(), true),
            ConnEvent::Paused => ("paused".into(), true),
            ConnEvent::ConnectionClosed => ("closed".into(), true),
            ConnEvent::SwitchedProtocol => ("switched".into(), true),
        };
        log.push(text);
        if stop {
            return log;
        }
    }
}

const HOST: (&str, &[u8]) = ("Host", b"example.com");

fn get(target: &str) -> Request<'_> {
    Request { method: "GET", target, version: Version::Http11, fields: &[HOST] }
}

fn ok(body_len: &'static [u8]) -> [(&'static str, &'static [u8]); 1] {
    [("Content-Length", body_len)]
}

/// Sends a complete response with `body`, declared by Content-Length.
fn respond(server: &mut Connection, status: u16, body: &[u8], out: &mut Vec<u8>) {
    let len = body.len().to_string();
    let fields = [("Content-Length", len.as_bytes())];
    server.send_response(&Response { version: Version::Http11, status, reason: b"OK", fields: &fields }, out).unwrap();
    server.send_data(body, out).unwrap();
    server.send_end(&[], out).unwrap();
}

#[test]
fn one_cycle_through_every_state_and_back_to_idle() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    assert_eq!((client.our_state(), client.their_state()), (State::Idle, State::Idle));
    let mut wire = Vec::new();
    let fields = [HOST, ("Content-Length", &b"5"[..])];
    client
        .send_request(&Request { method: "POST", target: "/up", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    assert_eq!(client.our_state(), State::SendBody);
    client.send_data(b"hello", &mut wire).unwrap();
    client.send_end(&[], &mut wire).unwrap();
    assert_eq!(client.our_state(), State::Done);

    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request POST /up Length(5)", "data hello", "end", "paused"]);
    assert_eq!((server.our_state(), server.their_state()), (State::SendResponse, State::Done));
    let mut back = Vec::new();
    respond(&mut server, 200, b"hi", &mut back);
    assert_eq!((server.our_state(), server.their_state()), (State::Idle, State::Idle));

    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 200 Length(2)", "data hi", "end", "need-data"]);
    assert_eq!((client.our_state(), client.their_state()), (State::Idle, State::Idle));
    // And again on the same connection.
    let mut wire = Vec::new();
    client.send_request(&get("/again"), &mut wire).unwrap();
    client.send_end(&[], &mut wire).unwrap();
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request GET /again Empty", "end", "paused"]);
    // A clean close between messages.
    let mut back = Vec::new();
    respond(&mut server, 204, b"", &mut back);
    server.handle_eof();
    assert_eq!(drain(&mut server), ["closed"]);
    assert_eq!(server.their_state(), State::Closed);
}

#[test]
fn three_pipelined_requests_in_one_write_are_answered_in_order() {
    let mut wire = Vec::new();
    for target in ["/1", "/2", "/3"] {
        let _ = encode_request_head(&get(target), &mut wire).unwrap().finish(&[], &mut wire).unwrap();
    }
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(&wire);
    let mut answers = Vec::new();
    let mut log = Vec::new();
    for i in 0..3 {
        log.extend(drain(&mut server));
        respond(&mut server, 200, format!("r{i}").as_bytes(), &mut answers);
    }
    log.extend(drain(&mut server));
    assert_eq!(
        log,
        [
            "request GET /1 Empty",
            "end",
            "paused",
            "request GET /2 Empty",
            "end",
            "paused",
            "request GET /3 Empty",
            "end",
            "paused",
            "need-data"
        ]
    );
    // The answers, read back in order by a client-side parser.
    let mut parser = ResponseParser::new(ResponseTo::Other);
    let mut rest = &answers[..];
    let mut bodies = Vec::new();
    while !rest.is_empty() {
        let out = parser.parse(rest).unwrap();
        if let Some(h1wire::Event::Data(d)) = out.event {
            bodies.push(String::from_utf8_lossy(d).into_owned());
        }
        rest = &rest[out.consumed..];
    }
    assert_eq!(bodies, ["r0", "r1", "r2"]);
}

#[test]
fn expect_100_continue_both_ways() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let fields = [HOST, ("Content-Length", &b"4"[..]), ("Expect", &b"100-continue"[..])];
    let mut wire = Vec::new();
    client
        .send_request(&Request { method: "PUT", target: "/f", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    assert!(client.is_waiting_for_continue());
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request PUT /f Length(4) expects-continue", "need-data"]);
    let mut back = Vec::new();
    server
        .send_response(&Response { version: Version::Http11, status: 100, reason: b"Continue", fields: &[] }, &mut back)
        .unwrap();
    assert_eq!(back, b"HTTP/1.1 100 Continue\r\n\r\n");
    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 100 Empty", "need-data"]);
    assert!(!client.is_waiting_for_continue());
    let mut wire = Vec::new();
    client.send_data(b"data", &mut wire).unwrap();
    client.send_end(&[], &mut wire).unwrap();
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["data data", "end", "paused"]);
    let mut back = Vec::new();
    respond(&mut server, 201, b"", &mut back);
    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 201 Empty", "end", "need-data"]);
    assert_eq!((client.our_state(), server.our_state()), (State::Idle, State::Idle));
}

#[test]
fn a_final_response_instead_of_100_closes_the_connection() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let fields = [HOST, ("Content-Length", &b"1000000"[..]), ("Expect", &b"100-continue"[..])];
    let mut wire = Vec::new();
    client
        .send_request(&Request { method: "POST", target: "/big", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request POST /big Length(1000000) expects-continue", "need-data"]);
    let mut back = Vec::new();
    respond(&mut server, 413, b"", &mut back);
    assert!(String::from_utf8_lossy(&back).contains("Connection: close\r\n"), "{}", String::from_utf8_lossy(&back));
    assert_eq!(server.our_state(), State::MustClose);
    client.handle_bytes(&back);
    // The client still owes its body (or a close): nothing more is read until it decides.
    assert_eq!(drain(&mut client), ["response 413 Empty", "end", "paused"]);
    assert!(!client.is_waiting_for_continue());
    assert_eq!(client.their_state(), State::MustClose);
}

#[test]
fn http10_keep_alive_and_close() {
    // Asked for keep-alive, with a known length: kept, and said so.
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(drain(&mut server), ["request GET /a Empty", "end", "paused"]);
    let mut back = Vec::new();
    respond(&mut server, 200, b"x", &mut back);
    assert!(
        back.ends_with(b"Content-Length: 1\r\nConnection: keep-alive\r\n\r\nx"),
        "{}",
        String::from_utf8_lossy(&back)
    );
    assert_eq!(server.our_state(), State::Idle);

    // Asked for keep-alive, body of unknown length: delimited by the close instead.
    server.handle_bytes(b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(drain(&mut server), ["request GET /b Empty", "end", "paused"]);
    let mut back = Vec::new();
    server
        .send_response(&Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[] }, &mut back)
        .unwrap();
    server.send_data(b"stream", &mut back).unwrap();
    server.send_end(&[], &mut back).unwrap();
    assert_eq!(back, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstream");
    assert_eq!(server.our_state(), State::MustClose);

    // No keep-alive asked: closed after the response.
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"GET / HTTP/1.0\r\n\r\n");
    drain(&mut server);
    let mut back = Vec::new();
    respond(&mut server, 200, b"x", &mut back);
    assert!(!String::from_utf8_lossy(&back).contains("Connection"));
    assert_eq!(server.our_state(), State::MustClose);
    server.handle_eof();
    assert_eq!(drain(&mut server), ["closed"]);

    // A client reading an HTTP/1.0 response without keep-alive must close too.
    let mut client = Connection::new(Role::Client);
    let mut wire = Vec::new();
    client
        .send_request(&Request { method: "GET", target: "/", version: Version::Http10, fields: &[] }, &mut wire)
        .unwrap();
    client.send_end(&[], &mut wire).unwrap();
    client.handle_bytes(b"HTTP/1.0 200 OK\r\n\r\nall of it");
    client.handle_eof();
    assert_eq!(drain(&mut client), ["response 200 UntilClose", "data all of it", "end", "closed"]);
}

#[test]
fn http11_close_is_honoured_both_ways() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let mut wire = Vec::new();
    let fields = [HOST, ("Connection", &b"close"[..])];
    client
        .send_request(&Request { method: "GET", target: "/", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    client.send_end(&[], &mut wire).unwrap();
    server.handle_bytes(&wire);
    drain(&mut server);
    let mut back = Vec::new();
    respond(&mut server, 200, b"bye", &mut back);
    assert!(String::from_utf8_lossy(&back).contains("Connection: close\r\n"));
    assert_eq!(server.our_state(), State::MustClose);
    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 200 Length(3)", "data bye", "end", "need-data"]);
    assert_eq!(client.our_state(), State::MustClose);
    assert_eq!(client.send_request(&get("/"), &mut Vec::new()), Err(WriteError::OutOfOrder));
}

#[test]
fn a_body_shorter_than_its_content_length_is_not_reusable() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let mut wire = Vec::new();
    client.send_request(&get("/short"), &mut wire).unwrap();
    client.send_end(&[], &mut wire).unwrap();
    server.handle_bytes(&wire);
    drain(&mut server);
    let mut back = Vec::new();
    let fields = ok(b"10");
    server
        .send_response(&Response { version: Version::Http11, status: 200, reason: b"OK", fields: &fields }, &mut back)
        .unwrap();
    server.send_data(b"only4", &mut back).unwrap();
    assert_eq!(server.send_data(b"toolong", &mut back), Err(WriteError::BodyTooLong));
    server.send_end(&[], &mut back).unwrap();
    assert_eq!(server.our_state(), State::MustClose);
    // The client sees the short body, then the close cuts it.
    client.handle_bytes(&back);
    client.handle_eof();
    assert_eq!(drain(&mut client), ["response 200 Length(10)", "data only4", "error unexpected-eof"]);
    assert_eq!(client.their_state(), State::Error);
}

#[test]
fn chunked_bodies_with_trailers_both_ways() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let mut wire = Vec::new();
    let fields = [HOST, ("Transfer-Encoding", &b"chunked"[..])];
    client
        .send_request(&Request { method: "POST", target: "/t", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    client.send_data(b"part1,", &mut wire).unwrap();
    client.send_data(b"", &mut wire).unwrap();
    client.send_data(b"part2", &mut wire).unwrap();
    client.send_end(&[("Checksum", b"abc"), ("X-Done", b"1")], &mut wire).unwrap();
    server.handle_bytes(&wire);
    assert_eq!(
        drain(&mut server),
        [
            "request POST /t Chunked",
            "data part1,",
            "data part2",
            "trailers [\"Checksum\", \"X-Done\"]",
            "end",
            "paused"
        ]
    );
    // A response of unknown length to an HTTP/1.1 client is chunked; trailers ride along.
    let mut back = Vec::new();
    server
        .send_response(&Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[] }, &mut back)
        .unwrap();
    server.send_data(b"streamed", &mut back).unwrap();
    server.send_end(&[("Server-Timing", b"db;dur=53")], &mut back).unwrap();
    client.handle_bytes(&back);
    assert_eq!(
        drain(&mut client),
        ["response 200 Chunked", "data streamed", "trailers [\"Server-Timing\"]", "end", "need-data"]
    );
    assert_eq!((client.our_state(), server.our_state()), (State::Idle, State::Idle));
}

#[test]
fn upgrade_hands_off_the_bytes_after_the_head_on_both_sides() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let mut wire = Vec::new();
    let fields = [HOST, ("Connection", &b"upgrade"[..]), ("Upgrade", &b"echo"[..])];
    client
        .send_request(&Request { method: "GET", target: "/chat", version: Version::Http11, fields: &fields }, &mut wire)
        .unwrap();
    client.send_end(&[], &mut wire).unwrap();
    // The client speaks the new protocol right away, in the same write.
    wire.extend_from_slice(b"\x00raw client bytes");
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request GET /chat Empty", "end", "paused"]);
    let mut back = Vec::new();
    let switching = [("Connection", &b"upgrade"[..]), ("Upgrade", &b"echo"[..])];
    server
        .send_response(
            &Response { version: Version::Http11, status: 101, reason: b"Switching Protocols", fields: &switching },
            &mut back,
        )
        .unwrap();
    server.send_end(&[], &mut back).unwrap();
    assert_eq!((server.our_state(), server.their_state()), (State::SwitchedProtocol, State::SwitchedProtocol));
    assert_eq!(drain(&mut server), ["switched"]);
    assert_eq!(server.take_unconsumed(), b"\x00raw client bytes");

    back.extend_from_slice(b"raw server bytes");
    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 101 Empty", "end", "switched"]);
    assert_eq!(client.our_state(), State::SwitchedProtocol);
    assert_eq!(client.take_unconsumed(), b"raw server bytes");
}

#[test]
fn connect_hands_off_the_tunnel_on_both_sides() {
    let mut client = Connection::new(Role::Client);
    let mut server = Connection::new(Role::Server);
    let mut wire = Vec::new();
    let fields = [("Host", &b"example.com:443"[..])];
    client
        .send_request(
            &Request { method: "CONNECT", target: "example.com:443", version: Version::Http11, fields: &fields },
            &mut wire,
        )
        .unwrap();
    client.send_end(&[], &mut wire).unwrap();
    wire.extend_from_slice(b"\x16\x03\x01 client hello");
    server.handle_bytes(&wire);
    assert_eq!(drain(&mut server), ["request CONNECT example.com:443 Empty", "end", "paused"]);
    let mut back = Vec::new();
    server
        .send_response(
            &Response { version: Version::Http11, status: 200, reason: b"Connection Established", fields: &[] },
            &mut back,
        )
        .unwrap();
    assert_eq!(back, b"HTTP/1.1 200 Connection Established\r\n\r\n", "no framing fields on a tunnel");
    server.send_end(&[], &mut back).unwrap();
    assert_eq!(server.take_unconsumed(), b"\x16\x03\x01 client hello");
    back.extend_from_slice(b"\x16\x03\x03 server hello");
    client.handle_bytes(&back);
    assert_eq!(drain(&mut client), ["response 200 Empty", "end", "switched"]);
    assert_eq!(client.take_unconsumed(), b"\x16\x03\x03 server hello");
}

#[test]
fn a_refused_connect_or_upgrade_stays_http() {
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(drain(&mut server), ["request GET / Empty", "end", "paused"]);
    let mut back = Vec::new();
    respond(&mut server, 200, b"no upgrade", &mut back);
    assert_eq!(server.take_unconsumed(), b"", "nothing to take: still HTTP");
    assert_eq!(drain(&mut server), ["request GET /next Empty", "end", "paused"]);
}

#[test]
fn protocol_errors_yield_the_answer_and_close() {
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(drain(&mut server), ["error transfer-encoding-with-content-length"]);
    assert_eq!(server.their_state(), State::Error);
    let mut back = Vec::new();
    server.send_error_response(&mut back).unwrap();
    assert_eq!(back, b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(server.our_state(), State::MustClose);
    assert_eq!(server.send_error_response(&mut back), Err(WriteError::OutOfOrder));

    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"GET / HTTP/3.0\r\n\r\n");
    drain(&mut server);
    let mut back = Vec::new();
    server.send_error_response(&mut back).unwrap();
    assert!(back.starts_with(b"HTTP/1.1 505 HTTP Version Not Supported\r\n"));
}

#[test]
fn events_out_of_order_are_refused() {
    let mut server = Connection::new(Role::Server);
    let mut out = Vec::new();
    let resp = Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[] };
    assert_eq!(server.send_response(&resp, &mut out), Err(WriteError::OutOfOrder), "no request yet");
    assert_eq!(server.send_data(b"x", &mut out), Err(WriteError::OutOfOrder));
    assert_eq!(server.send_request(&get("/"), &mut out), Err(WriteError::WrongRole), "servers do not send requests");
    assert_eq!(server.send_error_response(&mut out), Err(WriteError::NothingToAnswer), "nothing was refused");
    server.handle_bytes(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    drain(&mut server);
    let switch = Response { version: Version::Http11, status: 101, reason: b"Switching", fields: &[] };
    assert_eq!(server.send_response(&switch, &mut out), Err(WriteError::UnrequestedSwitch), "101 without Upgrade");
    assert!(out.is_empty());

    let mut old = Connection::new(Role::Server);
    old.handle_bytes(b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
    assert_eq!(drain(&mut old), ["request PUT / Length(1)", "need-data"], "HTTP/1.0: the expectation is ignored");
    let go_on = Response { version: Version::Http11, status: 100, reason: b"Continue", fields: &[] };
    assert_eq!(old.send_response(&go_on, &mut out), Err(WriteError::InterimToHttp10));
    assert!(out.is_empty());

    let mut client = Connection::new(Role::Client);
    assert_eq!(client.send_response(&resp, &mut out), Err(WriteError::WrongRole), "clients do not send responses");
    client.send_request(&get("/"), &mut out).unwrap();
    assert_eq!(client.send_request(&get("/"), &mut out), Err(WriteError::OutOfOrder), "no client pipelining");
    assert_eq!(client.send_data(b"x", &mut out), Err(WriteError::BodyNotAllowed));
    client.send_end(&[], &mut out).unwrap();
    client.handle_bytes(b"HTTP/1.1 101 Switching Protocols\r\n\r\n");
    assert_eq!(drain(&mut client), ["error unrequested-switch"]);

    let mut idle = Connection::new(Role::Client);
    idle.handle_bytes(b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(idle.poll_event().unwrap_err().kind(), ErrorKind::UnexpectedResponse);
}

#[test]
fn a_client_unfolds_obs_fold_as_a_user_agent_must_and_a_server_refuses_it() {
    // RFC 9112 §5.2: a user agent MUST replace each obs-fold with SP; requests never fold.
    let mut client = Connection::new(Role::Client);
    let mut out = Vec::new();
    client.send_request(&get("/"), &mut out).unwrap();
    client.send_end(&[], &mut out).unwrap();
    client.handle_bytes(b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n");
    match client.poll_event().unwrap() {
        ConnEvent::Response { head, .. } => {
            let x = head.fields().iter().next().unwrap();
            assert_eq!((x.name().as_str(), &x.unfolded_value()[..]), ("X", &b"a b"[..]));
        }
        other => panic!("{other:?}"),
    }
    let mut server = Connection::new(Role::Server);
    server.handle_bytes(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n");
    assert_eq!(drain(&mut server), ["error obs-fold"]);
}
