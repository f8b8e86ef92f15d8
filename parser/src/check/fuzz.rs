//! The fuzzing entry points: each takes arbitrary bytes or a structured input and panics on a
//! broken invariant. The fuzz targets in `fuzz/` call these, and the test suites call them on the
//! corpus, so the same checks run in both.

use alloc::vec::Vec;

use super::{run, Message, Role};
use crate::body::{BodyDecoder, BodyStep};
use crate::head::field::FieldSpan;
use crate::{Config, Error, Framing};

fn cuts_of(data: &[u8], selector: u8) -> [usize; 1] {
    [(usize::from(selector) * data.len() / 256).max(1)]
}

/// Runs `data` whole, one byte at a time and cut once, asserts that all agree and that the
/// outcome respects the input and the limits.
fn same_however_cut(role: Role<'_>, data: &[u8], selector: u8) -> Result<Message, Error> {
    let config = Config::default();
    let whole = run(role, &config, data, &[]);
    let bytewise: Vec<usize> = (1..data.len()).collect();
    assert_eq!(run(role, &config, data, &bytewise), whole, "one byte at a time");
    assert_eq!(run(role, &config, data, &cuts_of(data, selector)), whole, "cut once");
    match &whole {
        Ok(m) => {
            assert!(m.consumed <= data.len() as u64, "consumed more than the input");
            assert!(m.body.len() as u64 <= m.consumed, "a body larger than the bytes used");
            assert!(m.headers.len() <= config.max_fields && m.trailers.len() <= config.max_fields);
            if let Framing::Length(n) = m.framing {
                assert!(n <= config.max_body_bytes);
            }
        }
        Err(e) => assert!(e.offset() <= data.len() as u64, "an error past the input: {e}"),
    }
    whole
}

/// `parse_request`: any bytes as a request.
pub fn parse_request(data: &[u8]) {
    let selector = data.first().copied().unwrap_or(0);
    let _ = same_however_cut(Role::Request, data, selector);
}

/// `parse_response`: the first byte picks the request method (GET, HEAD, CONNECT, POST),
/// the rest is a response to it.
pub fn parse_response(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else { return };
    let method = ["GET", "HEAD", "CONNECT", "POST"][usize::from(first % 4)];
    let _ = same_however_cut(Role::Response(method), rest, first);
}

/// Decodes `data` as a chunked body alone, fed in the given pieces; `(body, trailer count,
/// consumed)` or the error.
fn decode_chunked(data: &[u8], piece: usize) -> Result<(Vec<u8>, usize, usize), Error> {
    decode_chunked_from(&mut BodyDecoder::new(Framing::Chunked), data, piece, 0)
}

/// Goes on decoding `data` with `decoder`, which has used `base` bytes of the stream before it.
fn decode_chunked_from(
    decoder: &mut BodyDecoder,
    data: &[u8],
    piece: usize,
    base: usize,
) -> Result<(Vec<u8>, usize, usize), Error> {
    let config = Config::default();
    let mut spans: Vec<FieldSpan> = Vec::new();
    let mut body = Vec::new();
    let (mut start, mut end, mut trailers) = (0, 0, 0);
    loop {
        let (consumed, step) = decoder
            .decode(&data[start..end], &mut spans, &config)
            .map_err(|d| Error::new(d.kind, (base + start + d.at) as u64))?;
        match step {
            BodyStep::Data(span) => body.extend_from_slice(&data[start + span.start..start + span.end]),
            BodyStep::Trailers(_) => trailers = spans.len(),
            BodyStep::End => return Ok((body, trailers, start + consumed)),
            BodyStep::Partial if end == data.len() => {
                return Err(Error::new(crate::ErrorKind::UnexpectedEof, (base + data.len()) as u64))
            }
            BodyStep::Partial => end = (end + piece).min(data.len()),
        }
        assert!(consumed <= end - start);
        start += consumed;
    }
}

/// [`decode_chunked`] with the data decoded in place, then the trailers as events.
fn decode_chunked_in_place(data: &[u8], piece: usize) -> Result<(Vec<u8>, usize, usize), Error> {
    let config = Config::default();
    let mut decoder = BodyDecoder::new(Framing::Chunked);
    let mut buf = Vec::new();
    let (mut body, mut used, mut fed) = (Vec::new(), 0, 0);
    loop {
        let (consumed, len, more) =
            decoder.decode_in_place(&mut buf, &config).map_err(|d| Error::new(d.kind, (used + d.at) as u64))?;
        assert!(len <= consumed && consumed <= buf.len());
        body.extend_from_slice(&buf[..len]);
        buf.drain(..consumed);
        used += consumed;
        if !more {
            break;
        }
        if fed == data.len() {
            return Err(Error::new(crate::ErrorKind::UnexpectedEof, data.len() as u64));
        }
        let end = (fed + piece).min(data.len());
        buf.extend_from_slice(&data[fed..end]);
        fed = end;
    }
    let (_, trailers, rest) = decode_chunked_from(&mut decoder, &data[used..], piece, used)?;
    Ok((body, trailers, used + rest))
}

/// `chunked`: any bytes as a chunked body, decoded alone, whole and one byte at a time, with the
/// data as events and in place.
pub fn chunked(data: &[u8]) {
    let whole = decode_chunked(data, data.len().max(1));
    assert_eq!(decode_chunked(data, 1), whole, "one byte at a time");
    assert_eq!(decode_chunked_in_place(data, data.len().max(1)), whole, "in place");
    assert_eq!(decode_chunked_in_place(data, 1), whole, "in place, one byte at a time");
    if let Ok((body, _, consumed)) = &whole {
        assert!(body.len() <= *consumed && *consumed <= data.len());
    }
}

/// A message to write and read back (`roundtrip`).
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// A request (else a response to GET).
    pub request: bool,
    /// Request method.
    pub method: &'a str,
    /// Request target.
    pub target: &'a str,
    /// Response status.
    pub status: u16,
    /// Response reason.
    pub reason: &'a [u8],
    /// Fields besides Host and framing.
    pub fields: Vec<(&'a str, &'a [u8])>,
    /// The body: `None`, one piece with a declared length, or chunks (with trailers).
    pub body: Option<(Vec<&'a [u8]>, bool)>,
    /// Trailers, for a chunked body.
    pub trailers: Vec<(&'a str, &'a [u8])>,
}

fn is_framing(name: &str) -> bool {
    ["host", "content-length", "transfer-encoding"].iter().any(|f| name.eq_ignore_ascii_case(f))
}

/// `roundtrip`: whatever the writer accepts, the parser reads back identically (or refuses
/// only for a size limit the writer does not know).
pub fn roundtrip(plan: &Plan<'_>) {
    use crate::write::{encode_request_head, encode_response_head, Request, Response};
    use alloc::string::{String, ToString};
    let mut fields: Vec<(&str, &[u8])> = Vec::new();
    if plan.request {
        fields.push(("Host", b"example.com"));
    }
    fields.extend(plan.fields.iter().copied().filter(|(n, _)| !is_framing(n)));
    let length;
    let (pieces, chunked): (Vec<&[u8]>, bool) = plan.body.clone().unwrap_or_default();
    let no_body = !plan.request && ((100..200).contains(&plan.status) || plan.status == 204 || plan.status == 304);
    let has_body = plan.body.is_some() && !no_body;
    if has_body && chunked {
        fields.push(("Transfer-Encoding", b"chunked"));
    } else if has_body {
        length = pieces.iter().map(|p| p.len()).sum::<usize>().to_string();
        fields.push(("Content-Length", length.as_bytes()));
    }
    // A response of unknown length to HTTP/1.1 is chunked, and the writer says so.
    let writer_adds_chunked = !plan.request && !no_body && !has_body;
    let mut out = Vec::new();
    let head = if plan.request {
        encode_request_head(
            &Request { method: plan.method, target: plan.target, version: crate::Version::Http11, fields: &fields },
            &mut out,
        )
    } else {
        let resp =
            Response { version: crate::Version::Http11, status: plan.status, reason: plan.reason, fields: &fields };
        encode_response_head(&resp, "GET", crate::Version::Http11, &mut out)
    };
    let Ok(mut encoder) = head else { return };
    let mut body = Vec::new();
    if has_body {
        for piece in &pieces {
            encoder.encode_data(piece, &mut out).expect("within the declared length");
            body.extend_from_slice(piece);
        }
    }
    let trailers: &[(&str, &[u8])] = if has_body && chunked { &plan.trailers } else { &[] };
    let trailers_out: Vec<(&str, &[u8])> = trailers.iter().copied().filter(|(n, _)| !is_framing(n)).collect();
    if encoder.finish(&trailers_out, &mut out).is_err() {
        // A trailer the writer refuses: nothing was written to read back.
        return;
    }
    let role = if plan.request { Role::Request } else { Role::Response("GET") };
    let m = match run(role, &Config::default(), &out, &[]) {
        Ok(m) => m,
        Err(e) if matches!(e.status().map(|s| s.code()), Some(413 | 414 | 431)) => return,
        Err(e) => panic!("the parser refused what the writer wrote: {e}\n{}", out.escape_ascii()),
    };
    let owned = |l: &[(&str, &[u8])]| l.iter().map(|(n, v)| (String::from(*n), v.to_vec())).collect::<Vec<_>>();
    let mut expected = owned(&fields);
    if writer_adds_chunked {
        expected.push((String::from("Transfer-Encoding"), b"chunked".to_vec()));
    }
    assert_eq!(m.headers, expected);
    assert_eq!(m.trailers, owned(&trailers_out));
    assert_eq!(m.body, body);
    assert_eq!(m.consumed, out.len() as u64);
}

/// One step of a client/server conversation (`connection`).
#[derive(Clone, Debug)]
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
    use crate::conn::{ConnEvent, Connection, Role as ConnRole};
    use crate::write::{Request, Response};
    let mut client = Connection::new(ConnRole::Client);
    let mut server = Connection::new(ConnRole::Server);
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
                let mut fields: Vec<(&str, &[u8])> = alloc::vec![("Host", host)];
                let len = body
                    .as_ref()
                    .map(|b| alloc::string::ToString::to_string(&b.iter().map(|p| p.len()).sum::<usize>()));
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
                let req = Request { method, target, version: crate::Version::Http11, fields: &fields };
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
                let resp = Response { version: crate::Version::Http11, status: 100, reason: b"Continue", fields: &[] };
                let _ = server.send_response(&resp, &mut to_client);
            }
            Action::Respond { status, body, declared, close } => {
                let len = alloc::string::ToString::to_string(&body.len());
                let mut fields: Vec<(&str, &[u8])> = Vec::new();
                if *declared {
                    fields.push(("Content-Length", len.as_bytes()));
                }
                if *close {
                    fields.push(("Connection", b"close"));
                }
                let status = 100 + status % 500;
                let resp = Response { version: crate::Version::Http11, status, reason: b"R", fields: &fields };
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
                conn.receive(&pending[..n]);
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
                        Err(e) if eof && e.kind() == crate::ErrorKind::UnexpectedEof => break,
                        Err(e) => panic!("one h1wire endpoint refused the other's bytes: {e}"),
                    }
                }
            }
            Action::Eof(to_srv) => {
                if *to_srv {
                    server.receive_eof();
                    server_eof = true;
                } else {
                    client.receive_eof();
                    client_eof = true;
                }
            }
        }
    }
}
