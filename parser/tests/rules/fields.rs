//! Field lines (RFC 9112 §5, RFC 9110 §5.1, §5.5) and line endings (RFC 9112 §2.2).

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::{Event, Parse, RequestParser};

#[test]
fn values_are_trimmed_of_ows_and_keep_obs_text() {
    let m = accept(
        b"GET / HTTP/1.1\r\nHost: a\r\nX-A:   spaced  out \t \r\nX-B:\r\nX-C: \t\r\nX-D: caf\xc3\xa9 \xff\r\n\r\n",
    );
    assert_eq!(header(&m, "x-a"), Some(&b"spaced  out"[..]));
    assert_eq!(header(&m, "x-b"), Some(&b""[..]));
    assert_eq!(header(&m, "x-c"), Some(&b""[..]));
    assert_eq!(header(&m, "x-d"), Some(&b"caf\xc3\xa9 \xff"[..]));
    // Every VCHAR and HTAB inside a value.
    let mut input = b"GET / HTTP/1.1\r\nHost: a\r\nX: a".to_vec();
    input.extend((0x21..0x7f).chain([b'\t', b' ']));
    input.extend_from_slice(b"z\r\n\r\n");
    accept(&input);
}

#[test]
fn names_are_tokens() {
    let m = accept(b"GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09azAZ: ok\r\n\r\n");
    assert_eq!(m.headers[1].0, "!#$%&'*+-.^_`|~09azAZ");
    let base = b"GET / HTTP/1.1\r\nHost: a\r\n";
    for (line, kind, col) in [
        (&b"Bad Name: x"[..], InvalidFieldName, 3),
        (b"Bad(Name): x", InvalidFieldName, 3),
        (b": empty name", InvalidFieldName, 0),
        (b"X\x00: x", InvalidFieldName, 1),
        (b"\xe9t\xe9: x", InvalidFieldName, 0),
        (b"Name : x", WhitespaceBeforeColon, 4),
        (b"Name\t: x", WhitespaceBeforeColon, 4),
        (b"Transfer-Encoding : chunked", WhitespaceBeforeColon, 17),
        (b"NoColon", MissingColon, 7),
        (b"NoColon  ", MissingColon, 7),
        (b"{X}: y", InvalidFieldName, 0),
    ] {
        let mut input = base.to_vec();
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n\r\n");
        reject(&input, kind, base.len() as u64 + col);
    }
}

#[test]
fn control_characters_are_refused_in_values() {
    let base = b"GET / HTTP/1.1\r\nHost: a\r\nX: a";
    for ctl in (0u8..0x20).filter(|&b| b != b'\t' && b != b'\r' && b != b'\n').chain([0x7f]) {
        let mut input = base.to_vec();
        input.extend_from_slice(&[ctl, b'b', b'\r', b'\n', b'\r', b'\n']);
        reject(&input, InvalidFieldValue, base.len() as u64);
    }
}

#[test]
fn lines_end_with_crlf() {
    reject(b"GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", BareLf, 23);
    reject(b"GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", BareCr, 24);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\n\n", BareLf, 25);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\n\rX", BareCr, 26);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", BareCr, 30);
}

#[test]
fn obs_fold_and_leading_whitespace_are_refused_in_requests() {
    reject(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", ObsFold, 31);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", ObsFold, 31);
    // RFC 9112 §2.2: whitespace before the first field could hide it from some parsers.
    reject(b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", WhitespaceBeforeFirstField, 16);
    // The option does not apply to requests (RFC 9112 §5.2: a server MUST reject or replace
    // obs-fold; rejecting is what closes the smuggling channel).
    let lenient = config(|c| c.allow_obs_fold = true);
    reject_with(&lenient, b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", ObsFold, 31);
}

#[test]
fn field_order_and_duplicates_are_kept() {
    let m = accept(b"GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nCookie: 1\r\naccept: y\r\n\r\n");
    let names: Vec<_> = m.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Host", "Accept", "Cookie", "accept"]);
}

#[test]
fn fields_view_finds_names_case_insensitively() {
    let mut parser = RequestParser::new();
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\naccept: y\r\n\r\n";
    let Some(Event::Head { head, .. }) = parser.parse(buf).unwrap().event else { panic!("head") };
    let fields = head.fields();
    assert_eq!(fields.get("ACCEPT"), Some(&b"x"[..]));
    assert_eq!(fields.get_all("accept").collect::<Vec<_>>(), [&b"x"[..], &b"y"[..]]);
    assert_eq!(fields.get("missing"), None);
    assert!(!fields.is_empty());
    assert_eq!(format!("{:?}", fields.iter().next().unwrap()), "Host: a");
}

#[test]
fn bare_lf_is_an_opt_in() {
    let lenient = config(|c| c.allow_bare_lf = true);
    let m = accept_with(&lenient, b"\nGET / HTTP/1.1\nHost: a\nX: b \n\n");
    assert_eq!(header(&m, "x"), Some(&b"b"[..]));
    assert_eq!(m.consumed, 31);
    // A bare CR stays an error: RFC 9112 §2.2 never allows it.
    reject_with(&lenient, b"GET / HTTP/1.1\nHost: a\rX: b\n\n", BareCr, 23);
}
