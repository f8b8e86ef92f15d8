//! The request line (RFC 9112 §3): method, single-SP separators, request-target forms, version.

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::Version;
use h1wire_check::StartLine;

#[test]
fn well_formed_request_lines() {
    let m = accept(b"GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(m.start, StartLine::Request { method: "GET".into(), target: "/index.html".into() });
    assert_eq!(m.version, Version::Http11);
    assert_eq!(m.consumed, 37);
    // Any token is a method, case-sensitive (RFC 9110 §9.1).
    let m = accept(b"M-SEARCH!#$%&'*+.^_`|~ / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(matches!(m.start, StartLine::Request { ref method, .. } if method == "M-SEARCH!#$%&'*+.^_`|~"));
    accept(b"get / HTTP/1.1\r\nHost: a\r\n\r\n");
    // HTTP/1.0 needs no Host.
    assert_eq!(accept(b"GET / HTTP/1.0\r\n\r\n").version, Version::Http10);
}

#[test]
fn empty_lines_before_the_request_line_are_skipped() {
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
    let m = accept(b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(m.consumed, 31);
    reject(b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", BareLf, 0);
    reject(b"\r\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", BareCr, 1);
}

#[test]
fn methods_must_be_tokens() {
    reject(b" / HTTP/1.1\r\nHost: a\r\n\r\n", InvalidMethod, 0);
    reject(b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", InvalidMethod, 1);
    reject(b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", InvalidMethod, 3);
    reject(b"G\x00T / HTTP/1.1\r\n\r\n", InvalidMethod, 1);
    reject(b"GET\xc3\xa9 / HTTP/1.1\r\n\r\n", InvalidMethod, 3);
    reject(b"GET\r\n\r\n", InvalidRequestLine, 3);
}

#[test]
fn separators_are_single_spaces() {
    reject(b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 4);
    reject(b"GET /  HTTP/1.1\r\nHost: a\r\n\r\n", InvalidVersion, 6);
    reject(b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", InvalidVersion, 14);
    reject(b"GET /\tHTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 5);
    // HTTP/0.9's bare "GET /" is not HTTP/1.x.
    reject(b"GET /\r\n\r\n", InvalidRequestLine, 5);
    reject(b"GET / HTTP/1.1\n", BareLf, 14);
    reject(b"GET / HTTP/1.1\rX", BareCr, 15);
}

#[test]
fn targets_hold_only_rfc3986_bytes() {
    let input = b"GET /a?b=c&d=%41;e:f@g/h?i!$'()*+,~-._ HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_eq!(target(&accept(input)), "/a?b=c&d=%41;e:f@g/h?i!$'()*+,~-._");
    for (bad, offset) in [
        (&b"GET /a b HTTP/1.1\r\n\r\n"[..], 7),
        (b"GET /a\"b HTTP/1.1\r\n\r\n", 6),
        (b"GET /<script> HTTP/1.1\r\n\r\n", 5),
        (b"GET /a{b} HTTP/1.1\r\n\r\n", 6),
        (b"GET /a|b HTTP/1.1\r\n\r\n", 6),
        (b"GET /a\\b HTTP/1.1\r\n\r\n", 6),
        (b"GET /a^b HTTP/1.1\r\n\r\n", 6),
        (b"GET /a`b HTTP/1.1\r\n\r\n", 6),
        (b"GET /a#frag HTTP/1.1\r\n\r\n", 6),
        (b"GET /\x7f HTTP/1.1\r\n\r\n", 5),
        (b"GET /\x00 HTTP/1.1\r\n\r\n", 5),
        (b"GET /\xff HTTP/1.1\r\n\r\n", 5),
        (b"GET /%4 HTTP/1.1\r\n\r\n", 5),
        (b"GET /%zz HTTP/1.1\r\n\r\n", 5),
        (b"GET /a?%g0 HTTP/1.1\r\n\r\n", 7),
        (b"GET /[::1] HTTP/1.1\r\n\r\n", 5),
    ] {
        let kind = if bad.contains(&b' ') && bad.iter().filter(|&&b| b == b' ').count() > 2 {
            InvalidVersion
        } else {
            InvalidTarget
        };
        reject(bad, kind, offset);
    }
}

#[test]
fn the_four_target_forms() {
    // origin-form
    accept(b"GET /where?q=now HTTP/1.1\r\nHost: a\r\n\r\n");
    // absolute-form, towards a proxy
    let m = accept(b"GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n");
    assert_eq!(target(&m), "http://www.example.org/pub/WWW/TheProject.html");
    // authority-form, CONNECT only
    accept(b"CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
    // asterisk-form, OPTIONS only
    accept(b"OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n");
}

#[test]
fn target_forms_are_tied_to_methods() {
    reject(b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 4);
    reject(b"OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 8);
    reject(b"GET www.example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 4);
    reject(b"GET 10.0.0.1:80 HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 4);
    reject(b"CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 8);
    reject(b"CONNECT http://a:80/ HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 8);
    reject(b"CONNECT * HTTP/1.1\r\nHost: a\r\n\r\n", TargetFormNotAllowed, 8);
    reject(b"CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 9);
    reject(b"CONNECT a: HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 10);
    reject(b"CONNECT a:0 HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 10);
    reject(b"CONNECT a:99999 HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 10);
    reject(b"CONNECT u@a:80 HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 9);
    accept(b"CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n");
}

#[test]
fn absolute_form_rules() {
    accept(b"GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
    accept(b"GET HTTP://EXAMPLE.COM:/?x HTTP/1.1\r\nHost: example.com\r\n\r\n");
    // Other schemes follow the generic URI grammar (a proxy decides whether it serves them).
    accept(b"GET ftp://user:pw@files.example/f.txt HTTP/1.1\r\nHost: files.example\r\n\r\n");
    accept(b"GET urn:example:animal HTTP/1.1\r\nHost: a\r\n\r\n");
    // RFC 9110 §4.2.1: no empty host in an http URI; §4.2.4: userinfo is an error.
    reject(b"GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 11);
    reject(b"GET http://user@example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 11);
    reject(b"GET http:/a HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 9);
    reject(b"GET http://a b/ HTTP/1.1\r\nHost: a\r\n\r\n", InvalidVersion, 13);
    reject(b"GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 15);
    reject(b"GET 1http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", InvalidTarget, 4);
}

#[test]
fn versions() {
    // RFC 9112 §2.3: HTTP-version is case-sensitive, one digit each side of the dot.
    for (bad, offset) in [
        (&b"GET / http/1.1\r\n\r\n"[..], 6),
        (b"GET / HTTP/1.1.1\r\n\r\n", 14),
        (b"GET / HTTP/11\r\n\r\n", 12),
        (b"GET / HTTP/1\r\n\r\n", 12),
        (b"GET / HTTP/a.1\r\n\r\n", 11),
        (b"GET / HTTP 1.1\r\n\r\n", 10),
        (b"GET / HTTP/1.10\r\n\r\n", 14),
        (b"GET / HTTPS/1.1\r\n\r\n", 10),
        (b"GET / \r\n\r\n", 6),
    ] {
        reject(bad, InvalidVersion, offset);
    }
    // Other major versions are 505 (RFC 9110 §15.6.6); so is HTTP/0.9, which has no head.
    for v in ["0.9", "2.0", "3.0", "9.9"] {
        let input = format!("GET / HTTP/{v}\r\nHost: a\r\n\r\n");
        reject(input.as_bytes(), UnsupportedVersion, 6);
    }
    // A higher minor version of HTTP/1 reads as HTTP/1.1 (RFC 9110 §2.5 SHOULD), Host rule
    // included.
    for v in ["1.2", "1.9"] {
        let m = accept(format!("GET / HTTP/{v}\r\nHost: a\r\n\r\n").as_bytes());
        assert_eq!(m.version, Version::Http11);
        reject(format!("GET / HTTP/{v}\r\n\r\n").as_bytes(), MissingHost, 17);
    }
}

#[test]
fn errors_map_to_statuses() {
    let status = |input: &[u8]| {
        h1wire_check::run(h1wire_check::Kind::Request, &Default::default(), input, &[])
            .unwrap_err()
            .error()
            .unwrap()
            .status()
            .map(|s| s.code())
    };
    assert_eq!(status(b"GET / HTTP/2.0\r\n\r\n"), Some(505));
    assert_eq!(status(b"GET / HTTP/2\r\n\r\n"), Some(400));
    assert_eq!(status(b"GET /"), None);
}
