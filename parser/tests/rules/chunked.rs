//! The chunked coding (RFC 9112 §7.1): sizes, extensions, data CRLF, trailers and their limits.

use crate::common::*;
use h1wire::ErrorKind::*;

const HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
const BODY: u64 = HEAD.len() as u64;

fn chunked(body: &[u8]) -> Vec<u8> {
    [HEAD, body].concat()
}

#[test]
fn sizes_are_hex_and_data_is_decoded() {
    let m = accept(&chunked(b"a\r\n0123456789\r\nA\r\nabcdefghij\r\n1\r\nz\r\n00\r\n\r\n"));
    assert_eq!(m.body, b"0123456789abcdefghijz");
    let m = accept(&chunked(b"0000000000000000000005\r\nhello\r\n0\r\n\r\n"));
    assert_eq!(m.body, b"hello");
    let m = accept(&chunked(b"3\r\n\r\n\n\r\n0\r\n\r\n"));
    assert_eq!(m.body, b"\r\n\n", "chunk data is opaque");
    assert_eq!(accept(&chunked(b"0\r\n\r\n")).body, b"");
}

#[test]
fn bad_sizes() {
    for (body, kind, offset) in [
        (&b"\r\n"[..], InvalidChunkSize, 0),
        (b"g\r\n", InvalidChunkSize, 0),
        (b"-1\r\n", InvalidChunkSize, 0),
        (b"+5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
        (b"0x5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 1),
        (b" 5\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 0),
        (b"5 \r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 2),
        (b"5\t\r\nhello\r\n0\r\n\r\n", InvalidChunkSize, 2),
        (b"5\rhello\r\n0\r\n\r\n", BareCr, 2),
        (b"5\nhello\r\n0\r\n\r\n", ChunkLineBareLf, 1),
        (b"5\r\nhello0\r\n\r\n", InvalidChunkDataEnd, 8),
        (b"5\r\nhello\r0\r\n\r\n", InvalidChunkDataEnd, 9),
        (b"5\r\nhello\n0\r\n\r\n", ChunkLineBareLf, 8),
        (b"5\r\nhelloXX\r\n0\r\n\r\n", InvalidChunkDataEnd, 8),
        // 17 significant hex digits do not fit in 64 bits.
        (b"10000000000000000\r\n", ChunkSizeOverflow, 16),
        (b"fffffffffffffffff\r\n", ChunkSizeOverflow, 16),
    ] {
        reject(&chunked(body), kind, BODY + offset);
    }
}

#[test]
fn extensions_follow_the_grammar() {
    for ext in [
        &b";a"[..],
        b";a=b",
        b";a=\"b c\"",
        b";a=\"q\\\"uote\\\\\"",
        b" ;a",
        b"\t; a = b",
        b";a;b=c;d=\"e\"",
        b";a=b ;c",
        b";a=\"\xff\"",
    ] {
        let body = [&b"5"[..], ext, b"\r\nhello\r\n0", ext, b"\r\n\r\n"].concat();
        assert_eq!(accept(&chunked(&body)).body, b"hello", "{}", ext.escape_ascii());
    }
    for (ext, col) in [
        (&b";"[..], 1),
        (b";=b", 1),
        (b";a=", 3),
        (b";a =", 4),
        (b";a=b c", 5),
        (b";a=\"b", 5), // a CR cannot be inside a quoted-string
        (b";a=\"\x01\"", 4),
        (b";a=(b)", 3),
        (b";a ", 3),
        (b";a=b ", 5),
        (b";a\x00", 2),
        (b";a=\"b\"c", 6),
    ] {
        let body = [&b"5"[..], ext, b"\r\nhello\r\n0\r\n\r\n"].concat();
        reject(&chunked(&body), InvalidChunkExtension, BODY + 1 + col);
    }
}

#[test]
fn trailers_are_fields() {
    let m = accept(&chunked(b"5\r\nhello\r\n0\r\nChecksum: abc \r\nX-T: 1\r\n\r\nNEXT"));
    assert_eq!(m.trailers, [("Checksum".to_string(), b"abc".to_vec()), ("X-T".to_string(), b"1".to_vec())]);
    assert_eq!(m.consumed, BODY + 39);
    assert!(m.headers.iter().all(|(n, _)| n != "Checksum"), "trailers are not merged into headers");
    let trailer = BODY + 3;
    reject(&chunked(b"0\r\nBad Name: x\r\n\r\n"), InvalidFieldName, trailer + 3);
    reject(&chunked(b"0\r\nX: a\x00\r\n\r\n"), InvalidFieldValue, trailer + 4);
    reject(&chunked(b"0\r\nX: a\r\n b\r\n\r\n"), ObsFold, trailer + 6);
    reject(&chunked(b"0\r\n X: a\r\n\r\n"), WhitespaceBeforeFirstField, trailer);
    reject(&chunked(b"0\r\nX: a\n\r\n"), BareLf, trailer + 4);
    reject(&chunked(b"0\r\n\n"), BareLf, trailer);
}

#[test]
fn chunk_limits() {
    let small = config(|c| {
        c.max_chunk_line_bytes = 8;
        c.max_chunk_ext_bytes = 10;
        c.max_trailer_bytes = 12;
        c.max_body_bytes = 6;
    });
    accept_with(&small, &chunked(b"5;abcdef\r\nhello\r\n0\r\n\r\n"));
    reject_with(&small, &chunked(b"5;abcdefg\r\nhello\r\n0\r\n\r\n"), ChunkExtensionsTooLarge, BODY + 8);
    // The total over several lines: 6 + 5 extension bytes.
    reject_with(&small, &chunked(b"1;abcde\r\na\r\n1;abcd\r\nb\r\n0\r\n\r\n"), ChunkExtensionsTooLarge, BODY + 12 + 5);
    // Leading zeros count towards the line limit.
    reject_with(&small, &chunked(b"000000001\r\na\r\n0\r\n\r\n"), ChunkExtensionsTooLarge, BODY + 8);
    // The trailer section is counted with its final CRLF.
    accept_with(&small, &chunked(b"0\r\nA: 12345\r\n\r\n"));
    reject_with(&small, &chunked(b"0\r\nA: 123456\r\n\r\n"), TrailersTooLarge, BODY + 3 + 12);
    let few = config(|c| c.max_fields = 2);
    accept_with(&few, &chunked(b"0\r\nA:\r\nB:\r\n\r\n"));
    reject_with(&few, &chunked(b"0\r\nA:\r\nB:\r\nC:\r\n\r\n"), TooManyFields, BODY + 3 + 8);
    // The body limit applies to the sum of chunk sizes, checked as each size is read.
    accept_with(&small, &chunked(b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"));
    reject_with(&small, &chunked(b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"), BodyTooLarge, BODY + 9);
    reject(&chunked(b"ffffffffffffffff\r\n"), BodyTooLarge, BODY + 16);
}

#[test]
fn truncated_bodies_are_unexpected_eof() {
    let status =
        |input: &[u8]| h1wire_check::run(h1wire_check::Kind::Request, &Default::default(), input, &[]).unwrap_err();
    for body in [&b""[..], b"5", b"5\r\n", b"5\r\nhel", b"5\r\nhello", b"5\r\nhello\r\n", b"0\r\n", b"0\r\nX: y\r\n"] {
        let input = chunked(body);
        reject(&input, UnexpectedEof, input.len() as u64);
        assert_eq!(status(&input).error().and_then(|e| e.status()), None);
    }
}

/// RFC 9112 §2.2 lets a recipient take a bare LF as the end of the start line and of field lines
/// ("a recipient MAY recognize a single LF as a line terminator"); chunk lines are not field
/// lines and end in CRLF (§7.1). So `allow_bare_lf` reaches the trailer section but never a
/// chunk-size line, the end of chunk data or the last-chunk line (CVE-2025-22871).
#[test]
fn bare_lf_in_chunk_lines_is_refused_even_when_allowed_in_field_lines() {
    let lenient = config(|c| c.allow_bare_lf = true);
    for (body, offset) in [
        (&b"5\nhello\r\n0\r\n\r\n"[..], 1),
        (b"5;a\nhello\r\n0\r\n\r\n", 3),
        (b"5;a=\"b\"\nhello\r\n0\r\n\r\n", 7),
        (b"5\r\nhello\n0\r\n\r\n", 8),
        (b"5\r\nhello\r\n0\n\r\n", 11),
    ] {
        reject_with(&lenient, &chunked(body), ChunkLineBareLf, BODY + offset);
        reject(&chunked(body), ChunkLineBareLf, BODY + offset);
    }
    // The trailer section is field lines: there the option applies.
    let m = accept_with(&lenient, &chunked(b"5\r\nhello\r\n0\r\nX: a\n\n"));
    assert_eq!(m.body, b"hello");
    reject(&chunked(b"5\r\nhello\r\n0\r\nX: a\n\r\n"), BareLf, BODY + 17);
}
