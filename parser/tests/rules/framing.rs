//! Request body framing (RFC 9112 §6): Content-Length, Transfer-Encoding and their conflicts —
//! the rules request smuggling lives in.

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::Framing;

const HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\n";

fn post(fields: &str, body: &[u8]) -> Vec<u8> {
    let mut v = HEAD.to_vec();
    v.extend_from_slice(fields.as_bytes());
    v.extend_from_slice(b"\r\n");
    v.extend_from_slice(body);
    v
}

const LINE: u64 = HEAD.len() as u64;

#[test]
fn content_length_delimits_the_body() {
    let m = accept(&post("Content-Length: 5\r\n", b"helloGET / HTTP/1.1\r\n"));
    assert_eq!((m.framing, &m.body[..], m.consumed), (Framing::Length(5), &b"hello"[..], LINE + 21 + 5));
    let m = accept(&post("Content-Length: 0\r\n", b""));
    assert_eq!((m.framing, m.body.len()), (Framing::Empty, 0));
    let m = accept(&post("Content-Length: 007\r\n", b"1234567"));
    assert_eq!(m.framing, Framing::Length(7));
    // No framing field: no body (RFC 9112 §6.3 rule 7); what follows is the next request.
    let m = accept(&post("", b"hello"));
    assert_eq!((m.framing, m.consumed), (Framing::Empty, LINE + 2));
}

#[test]
fn content_length_must_be_one_number() {
    let value = LINE + "Content-Length: ".len() as u64;
    for (v, kind, col) in [
        ("", InvalidContentLength, None),
        ("+5", InvalidContentLength, Some(0)),
        ("-1", InvalidContentLength, Some(0)),
        ("5a", InvalidContentLength, Some(1)),
        ("0x5", InvalidContentLength, Some(1)),
        ("5 5", InvalidContentLength, Some(1)),
        ("1.0", InvalidContentLength, Some(1)),
        ("\"5\"", InvalidContentLength, Some(0)),
        ("18446744073709551616", InvalidContentLength, Some(19)),
        ("99999999999999999999999", InvalidContentLength, Some(19)),
        ("5,5", DuplicateContentLength, Some(1)),
        ("5, 6", DuplicateContentLength, Some(1)),
        (",5", DuplicateContentLength, Some(0)),
    ] {
        let input = post(&format!("Content-Length: {v}\r\n"), b"hello");
        reject(&input, kind, col.map_or(LINE, |c| value + c));
    }
    reject(&post("Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"), DuplicateContentLength, LINE + 19);
    reject(&post("Content-Length: 5\r\ncontent-length: 6\r\n", b"hello"), DuplicateContentLength, LINE + 19);
}

#[test]
fn chunked_delimits_the_body() {
    let m = accept(&post("Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\nNEXT"));
    assert_eq!((m.framing, &m.body[..]), (Framing::Chunked, &b"hello"[..]));
    assert_eq!(m.consumed, LINE + 30 + 15);
    for te in [
        "chunked",
        "CHUNKED",
        "Chunked",
        "gzip, chunked",
        "gzip,chunked",
        "x-gzip , deflate,chunked",
        "gzip;q=1, chunked",
        ", chunked",
        "chunked,",
        "gzip\r\nTransfer-Encoding: chunked",
    ] {
        let m = accept(&post(&format!("Transfer-Encoding: {te}\r\n"), b"0\r\n\r\n"));
        assert_eq!(m.framing, Framing::Chunked, "{te}");
    }
}

#[test]
fn transfer_encoding_conflicts_are_refused() {
    // CL.TE and TE.CL: both framing fields in one request (RFC 9112 §6.1).
    reject(
        &post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
        TransferEncodingWithContentLength,
        LINE + 19,
    );
    reject(
        &post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", b"0\r\n\r\n"),
        TransferEncodingWithContentLength,
        LINE + 28,
    );
    // chunked must be final in a request (RFC 9112 §6.3 rule 4).
    reject(&post("Transfer-Encoding: chunked, gzip\r\n", b""), ChunkedNotFinal, LINE);
    reject(&post("Transfer-Encoding: gzip\r\n", b""), ChunkedNotFinal, LINE);
    reject(&post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", b""), ChunkedNotFinal, LINE);
    reject(&post("Transfer-Encoding: chunked, chunked\r\n", b""), ChunkedTwice, LINE + 28);
    reject(&post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", b""), ChunkedTwice, LINE + 47);
    // TE in HTTP/1.0 means faulty framing (RFC 9112 §6.1).
    reject(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", TransferEncodingInHttp10, 17);
}

#[test]
fn transfer_encoding_obfuscations_are_refused() {
    let value = LINE + "Transfer-Encoding: ".len() as u64;
    // The classic TE.TE tricks. Without a final chunked, RFC 9112 §6.3's MUST (400) outranks
    // §6.1's SHOULD (501 for an unknown coding).
    for te in ["xchunked", "chunkedx", "chunked-false", "identity", "x", "chunk"] {
        reject(&post(&format!("Transfer-Encoding: {te}\r\n"), b"0\r\n\r\n"), ChunkedNotFinal, LINE);
    }
    for (te, col) in [("gzip, foo, chunked", 6), ("x, chunked", 0), ("identity, chunked", 0)] {
        reject(&post(&format!("Transfer-Encoding: {te}\r\n"), b"0\r\n\r\n"), UnknownTransferCoding, value + col);
    }
    for (te, col) in [
        ("\"chunked\"", 0),
        ("chunked;", 8),
        ("chunked;a=b", 0),
        ("chunked chunked", 8),
        ("chunked\x0b", 7),
        ("gzip;", 5),
        ("gzip;q", 6),
        ("gzip;q=", 7),
        ("gzip;q=\"1", 7),
        ("chunked/1.1", 7),
        (",", 0),
        ("", 0),
    ] {
        let kind = if te.contains('\x0b') { InvalidFieldValue } else { InvalidTransferEncoding };
        reject(&post(&format!("Transfer-Encoding: {te}\r\n"), b"0\r\n\r\n"), kind, value + col);
    }
    accept(&post("Transfer-Encoding: gzip;q=\"a,b\\\"\", chunked\r\n", b"0\r\n\r\n"));
    reject(
        &post("Transfer-Encoding:\tchunked\r\nTransfer-Encoding: \r\n", b""),
        InvalidTransferEncoding,
        LINE + 28 + 19,
    );
    reject(&post("Transfer-Encoding: chunked\r\n Content-Length: 5\r\n", b""), ObsFold, LINE + 28);
}

#[test]
fn connect_has_no_content() {
    reject(b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", ContentInConnect, 33);
    reject(b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", ContentInConnect, 33);
    let m = accept(b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n\x16\x03\x01");
    assert_eq!((m.framing, m.consumed), (Framing::Empty, 54));
}

#[test]
fn body_limit_is_413() {
    let small = config(|c| c.max_body_bytes = 10);
    accept_with(&small, &post("Content-Length: 10\r\n", b"0123456789"));
    reject_with(&small, &post("Content-Length: 11\r\n", b"0123456789a"), BodyTooLarge, LINE);
    reject(&post("Content-Length: 1073741825\r\n", b""), BodyTooLarge, LINE);
    reject(&post("Content-Length: 18446744073709551615\r\n", b""), BodyTooLarge, LINE);
    let status = h1wire_check::run(h1wire_check::Kind::Request, &small, &post("Content-Length: 11\r\n", b""), &[]);
    assert_eq!(status.unwrap_err().error().unwrap().status().unwrap().code(), 413);
}

#[test]
fn lookalike_names_are_not_framing_fields() {
    // A name with "_" is a different field: only Content-Length frames this body.
    let m = accept(&post("Transfer_Encoding: chunked\r\nContent-Length: 5\r\n", b"hello"));
    assert_eq!((m.framing, &m.body[..]), (Framing::Length(5), &b"hello"[..]));
}
