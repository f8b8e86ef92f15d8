//! Responses: the status line (RFC 9112 §4) and response framing (RFC 9112 §6.3 rules 1–7).

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::{Framing, ResponseTo, Version};
use h1wire_check::StartLine;

fn status_of(m: &h1wire_check::Message) -> (u16, &[u8]) {
    match &m.start {
        StartLine::Response { status, reason } => (*status, reason),
        StartLine::Request { .. } => panic!("not a response"),
    }
}

#[test]
fn status_lines() {
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    assert_eq!((status_of(&m), m.version, &m.body[..]), ((200, &b"OK"[..]), Version::Http11, &b"hi"[..]));
    let m = accept_response(ResponseTo::Other, b"HTTP/1.0 404 Not \tFound \xe9\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(status_of(&m), (404, &b"Not \tFound \xe9"[..]));
    // The reason may be empty, but the SP before it is required.
    assert_eq!(status_of(&accept_response(ResponseTo::Other, b"HTTP/1.1 204 \r\n\r\n")), (204, &b""[..]));
    for (bad, kind, offset) in [
        (&b"HTTP/1.1 200\r\n\r\n"[..], InvalidStatusLine, 12),
        (b"HTTP/1.1 20 OK\r\n\r\n", InvalidStatusCode, 11),
        (b"HTTP/1.1 2000 OK\r\n\r\n", InvalidStatusCode, 12),
        (b"HTTP/1.1 099 X\r\n\r\n", InvalidStatusCode, 9),
        (b"HTTP/1.1 000 X\r\n\r\n", InvalidStatusCode, 9),
        (b"HTTP/1.1 2x0 X\r\n\r\n", InvalidStatusCode, 10),
        (b"HTTP/1.1  200 OK\r\n\r\n", InvalidStatusCode, 9),
        (b"HTTP/1.1 200 O\x00K\r\n\r\n", InvalidReasonPhrase, 14),
        (b"HTTP/1.1 200 OK\x7f\r\n\r\n", InvalidReasonPhrase, 15),
        (b"HTTP/1.1 200 OK\n\r\n", BareLf, 15),
        (b"HTTP/1.1 200 OK\rX", BareCr, 16),
        (b"http/1.1 200 OK\r\n\r\n", InvalidVersion, 0),
        (b"HTTP/1.1\t200 OK\r\n\r\n", InvalidVersion, 8),
        (b"HTTP/1.12 200 OK\r\n\r\n", InvalidVersion, 8),
        (b"\r\nHTTP/1.1 200 OK\r\n\r\n", InvalidVersion, 0),
        (b"HTTP/2.0 200 OK\r\n\r\n", UnsupportedVersion, 0),
        (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", InvalidFieldName, 20),
    ] {
        reject_response(ResponseTo::Other, bad, kind, offset);
    }
    // 600..=999 are read and reported as they are (a client treats them as 5xx, RFC 9110 §15).
    for code in [600u16, 799, 999] {
        let m =
            accept_response(ResponseTo::Other, format!("HTTP/1.1 {code} X\r\nContent-Length: 1\r\n\r\nx").as_bytes());
        assert_eq!((status_of(&m).0, &m.body[..]), (code, &b"x"[..]));
    }
    // HTTP/1.2 reads as HTTP/1.1 (RFC 9110 §2.5): its chunked body is chunked.
    let m =
        accept_response(ResponseTo::Other, b"HTTP/1.2 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n");
    assert_eq!((m.version, m.framing, &m.body[..]), (Version::Http11, Framing::Chunked, &b"x"[..]));
}

#[test]
fn responses_that_never_have_a_body() {
    for (method, status) in [
        ("HEAD", "200"),
        ("GET", "204"),
        ("GET", "304"),
        ("GET", "100"),
        ("GET", "101"),
        ("CONNECT", "200"),
        ("CONNECT", "299"),
    ] {
        let input = format!("HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\nhello");
        let m = accept_response(ResponseTo::of_method(method), input.as_bytes());
        assert_eq!((m.framing, m.body.len()), (Framing::Empty, 0), "{method} {status}");
        assert_eq!(m.consumed, input.len() as u64 - 5);
    }
    // A failed CONNECT is an ordinary response.
    let m = accept_response(ResponseTo::Connect, b"HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\nno");
    assert_eq!(m.body, b"no");
    // Even where they are ignored, malformed framing fields are refused.
    reject_response(ResponseTo::Head, b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", InvalidContentLength, 33);
}

#[test]
fn response_framing() {
    let m = accept_response(
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    );
    assert_eq!((m.framing, &m.body[..]), (Framing::Chunked, &b"hi"[..]));
    // Transfer-Encoding overrides Content-Length in a response (rule 3).
    let m = accept_response(
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    );
    assert_eq!((m.framing, &m.body[..]), (Framing::Chunked, &b"hi"[..]));
    // Unknown codings are fine in responses; chunked not final means "until close".
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: br, chunked\r\n\r\n0\r\n\r\n");
    assert_eq!(m.framing, Framing::Chunked);
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes");
    assert_eq!((m.framing, &m.body[..]), (Framing::UntilClose, &b"raw bytes"[..]));
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n");
    assert_eq!((m.framing, &m.body[..]), (Framing::UntilClose, &b"0\r\n\r\n"[..]));
    // HTTP/1.0 with Transfer-Encoding: faulty framing, read until close (RFC 9112 §6.1).
    let m = accept_response(ResponseTo::Other, b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assert_eq!(m.framing, Framing::UntilClose);
    // No length at all: until close.
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\n\r\nall of it");
    assert_eq!((m.framing, &m.body[..], m.consumed), (Framing::UntilClose, &b"all of it"[..], 28));
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!((m.framing, m.body.len()), (Framing::UntilClose, 0));
    reject_response(
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        DuplicateContentLength,
        36,
    );
    reject_response(ResponseTo::Other, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", UnexpectedEof, 41);
    reject_response(
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        ChunkedTwice,
        45,
    );
    let small = config(|c| c.max_body_bytes = 4);
    reject_response_with(&small, ResponseTo::Other, b"HTTP/1.1 200 OK\r\n\r\nhello", BodyTooLarge, 23);
    accept_response_with(&small, ResponseTo::Other, b"HTTP/1.1 200 OK\r\n\r\nhell");
}

#[test]
fn interim_responses_are_messages() {
    // `check::run` stops at the first message: a 1xx counts.
    let m = accept_response(
        ResponseTo::Other,
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!((status_of(&m).0, m.consumed), (100, 25));
    let m = accept_response(ResponseTo::Other, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n\x00binary");
    assert_eq!((status_of(&m).0, m.consumed), (101, 51));
}

#[test]
fn obs_fold_in_responses_is_an_opt_in() {
    let input = b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b \r\n\tc\r\nContent-Length: 0\r\n\r\n";
    reject_response(ResponseTo::Other, input, ObsFold, 30);
    let lenient = config(|c| c.allow_obs_fold = true);
    let m = accept_response_with(&lenient, ResponseTo::Other, input);
    assert_eq!(header(&m, "x-folded"), Some(&b"a b c"[..]));
    let m = accept_response_with(&lenient, ResponseTo::Other, b"HTTP/1.1 200 OK\r\nX:\r\n b\r\n\r\n");
    assert_eq!(header(&m, "x"), Some(&b"b"[..]));
    // Never for framing fields: unfolding must not decide where a message ends.
    reject_response_with(
        &lenient,
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nContent-Length:\r\n 5\r\n\r\nhello",
        ObsFold,
        17,
    );
    reject_response_with(
        &lenient,
        ResponseTo::Other,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n",
        ObsFold,
        17,
    );
}
