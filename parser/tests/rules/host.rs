//! The Host field (RFC 9112 §3.2, RFC 3986 §3.2.2).

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::{Event, Parse, RequestParser};

#[test]
fn http11_needs_exactly_one_host() {
    reject(b"GET / HTTP/1.1\r\n\r\n", MissingHost, 17);
    reject(b"GET / HTTP/1.1\r\nX: y\r\n\r\n", MissingHost, 23);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", DuplicateHost, 25);
    reject(b"GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", DuplicateHost, 25);
    // More than one Host is refused for every version.
    reject(b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", DuplicateHost, 25);
    accept(b"GET / HTTP/1.0\r\nHost: a\r\n\r\n");
    // Absolute-form still needs Host in HTTP/1.1.
    reject(b"GET http://a/ HTTP/1.1\r\n\r\n", MissingHost, 25);
}

#[test]
fn host_values() {
    for ok in [
        "example.com",
        "example.com:8080",
        "EXAMPLE.com:",
        "192.0.2.1:80",
        "[2001:db8::1]",
        "[2001:db8::1]:443",
        "[::ffff:192.0.2.1]",
        "[v7.fe80::a+en1]",
        "xn--bcher-kva.example",
        "a%2Db.example",
        "sub_domain.example",
        "!$&'()*+,;=",
        "",
    ] {
        let input = format!("GET / HTTP/1.1\r\nHost: {ok}\r\n\r\n");
        accept(input.as_bytes());
    }
    let base = "GET / HTTP/1.1\r\nHost: ".len() as u64;
    for (bad, col) in [
        ("a b", 1),
        ("a/b", 1),
        ("a@b", 1),
        ("user@host", 4),
        ("a:b", 2),
        ("a:80:81", 4),
        ("[::1", 4),
        ("[::1]x", 5),
        ("[1::2::3]", 1),
        ("[fe80::1%25eth0]", 1),
        ("::1", 1),
        ("a%zz", 1),
        ("a\"b", 1),
        ("aé", 1),
        ("exa mple.com", 3),
        ("a?b", 1),
        ("a#b", 1),
    ] {
        let input = format!("GET / HTTP/1.1\r\nHost: {bad}\r\n\r\n");
        reject(input.as_bytes(), InvalidHost, base + col);
    }
}

#[test]
fn target_authority_wins_and_both_are_exposed() {
    let mut parser = RequestParser::new();
    let buf = b"GET http://origin.example:81/x HTTP/1.1\r\nHost: other.example\r\n\r\n";
    let Some(Event::Head { head, .. }) = parser.parse(buf).unwrap().event else { panic!("head") };
    let host = head.host().unwrap();
    assert_eq!((host.host(), host.port()), ("other.example", None));
    let authority = head.authority().unwrap();
    assert_eq!((authority.host(), authority.port()), ("origin.example", Some("81")));
    assert_eq!(head.target().authority(), Some("origin.example:81"));

    let mut parser = RequestParser::new();
    let buf = b"GET /x HTTP/1.1\r\nHost: only.example:8080\r\n\r\n";
    let Some(Event::Head { head, .. }) = parser.parse(buf).unwrap().event else { panic!("head") };
    assert_eq!(head.authority().unwrap().host(), "only.example");
    assert_eq!(head.target().authority(), None);
}
