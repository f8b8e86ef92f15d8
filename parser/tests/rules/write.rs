//! The writer: what it refuses (never escapes), how it frames bodies, and that the parser reads
//! back exactly what it wrote.

use h1wire::write::{encode_request_head, encode_response_head, Request, Response, WriteError};
use h1wire::{Framing, ResponseTo, Version};
use h1wire_check::{run, Kind, StartLine};

fn request(method: &str, target: &str, fields: &[(&str, &[u8])]) -> Result<Vec<u8>, WriteError> {
    let mut out = Vec::new();
    let mut body = encode_request_head(&Request { method, target, version: Version::Http11, fields }, &mut out)?;
    body.finish(&[], &mut out)?;
    Ok(out)
}

fn response(
    status: u16,
    reason: &[u8],
    fields: &[(&str, &[u8])],
    method: &str,
    peer: Version,
) -> Result<(Vec<u8>, bool), WriteError> {
    let to = ResponseTo::of_method(method);
    let mut out = Vec::new();
    let mut body =
        encode_response_head(&Response { version: Version::Http11, status, reason, fields }, to, peer, &mut out)?;
    let allows = body.allows_data();
    if allows {
        body.encode_data(b"abc", &mut out)?;
    }
    body.finish(&[], &mut out)?;
    Ok((out, allows))
}

const HOST: (&str, &[u8]) = ("Host", b"a");

#[test]
fn control_bytes_are_refused_never_escaped() {
    for bad in [&b"a\rb"[..], b"a\nb", b"a\r\nX-Injected: 1", b"a\x00b", b"a\x7fb", b"a\x01"] {
        assert_eq!(
            request("GET", "/", &[HOST, ("X", bad)]),
            Err(WriteError::InvalidFieldValue { index: 1 }),
            "{bad:?}"
        );
    }
    // Surrounding whitespace would be stripped by the recipient: refused so what is read is what was written.
    for bad in [&b" a"[..], b"a ", b"\ta"] {
        assert_eq!(request("GET", "/", &[HOST, ("X", bad)]), Err(WriteError::InvalidFieldValue { index: 1 }));
    }
    assert!(request("GET", "/", &[HOST, ("X", b"a \t b\x80\xff")]).is_ok(), "inner whitespace and obs-text are fine");
    for bad in ["", "X Y", "X:Y", "X\r\n", "é"] {
        assert_eq!(request("GET", "/", &[HOST, (bad, b"v")]), Err(WriteError::InvalidFieldName { index: 1 }));
    }
    for bad in ["", "G T", "GET\r\n", "G(T"] {
        assert_eq!(request(bad, "/", &[HOST]), Err(WriteError::InvalidMethod));
    }
    for (method, bad) in
        [("GET", "/a b"), ("GET", "/a\r\nX: y"), ("GET", ""), ("GET", "*"), ("CONNECT", "/"), ("GET", "/%zz")]
    {
        assert_eq!(request(method, bad, &[HOST]), Err(WriteError::InvalidTarget), "{method} {bad:?}");
    }
    assert_eq!(response(200, b"O\r\nK", &[], "GET", Version::Http11), Err(WriteError::InvalidReason));
    for bad in [0, 99, 600, 1000] {
        assert_eq!(response(bad, b"X", &[], "GET", Version::Http11), Err(WriteError::InvalidStatus));
    }
}

#[test]
fn host_and_framing_fields_are_checked() {
    assert_eq!(request("GET", "/", &[]), Err(WriteError::InvalidHost));
    assert_eq!(request("GET", "/", &[HOST, HOST]), Err(WriteError::InvalidHost));
    assert_eq!(request("GET", "/", &[("Host", b"a b")]), Err(WriteError::InvalidHost));
    let cl = ("Content-Length", &b"3"[..]);
    let te = ("Transfer-Encoding", &b"chunked"[..]);
    assert_eq!(request("POST", "/", &[HOST, cl, te]), Err(WriteError::InvalidFraming { index: 2 }));
    assert_eq!(request("POST", "/", &[HOST, cl, cl]), Err(WriteError::InvalidFraming { index: 2 }));
    assert_eq!(request("POST", "/", &[HOST, ("Content-Length", b"-1")]), Err(WriteError::InvalidFraming { index: 1 }));
    assert_eq!(
        request("POST", "/", &[HOST, ("Transfer-Encoding", b"chunked, gzip")]),
        Err(WriteError::InvalidFraming { index: 1 })
    );
    // Found by the connection fuzzer: a CONNECT with content, which the parser refuses
    // (RFC 9110 §9.3.6), must not be written either.
    let connect = ("Host", &b"example.com:443"[..]);
    for framing in [("Content-Length", &b"3"[..]), ("Transfer-Encoding", &b"chunked"[..])] {
        assert_eq!(
            request("CONNECT", "example.com:443", &[connect, framing]),
            Err(WriteError::InvalidFraming { index: 1 })
        );
    }
    assert!(request("CONNECT", "example.com:443", &[connect, ("Content-Length", b"0")]).is_ok());
    let mut out = Vec::new();
    let resp = Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[te] };
    assert_eq!(
        encode_response_head(&resp, ResponseTo::Other, Version::Http10, &mut out).err(),
        Some(WriteError::InvalidFraming { index: 0 })
    );
    assert!(out.is_empty(), "nothing is written on error");
}

#[test]
fn response_framing_is_chosen_like_go() {
    // Declared length: used as is.
    let (out, _) = response(200, b"OK", &[("Content-Length", b"3")], "GET", Version::Http11).unwrap();
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
    // Unknown length to HTTP/1.1: chunked.
    let (out, _) = response(200, b"OK", &[], "GET", Version::Http11).unwrap();
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    // Unknown length to HTTP/1.0: until close, and said so.
    let (out, _) = response(200, b"OK", &[], "GET", Version::Http10).unwrap();
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
    // No body at all: 1xx, 204, 304, HEAD, 2xx to CONNECT.
    for (status, method) in [(100, "GET"), (204, "GET"), (304, "GET"), (200, "HEAD"), (200, "CONNECT")] {
        let (out, allows) = response(status, b"X", &[], method, Version::Http11).unwrap();
        assert!(!allows, "{status} {method}");
        assert!(out.ends_with(b"X\r\n\r\n"), "{status} {method}: {}", String::from_utf8_lossy(&out));
    }
}

#[test]
fn body_encoders_enforce_their_framing() {
    let mut out = Vec::new();
    let req =
        Request { method: "POST", target: "/", version: Version::Http11, fields: &[HOST, ("Content-Length", b"4")] };
    let mut body = encode_request_head(&req, &mut out).unwrap();
    body.encode_data(b"ab", &mut out).unwrap();
    assert_eq!(body.encode_data(b"abc", &mut out), Err(WriteError::BodyTooLong));
    assert_eq!(body.finish(&[("T", b"1")], &mut out), Err(WriteError::TrailersNotAllowed));
    assert!(!body.finish(&[], &mut out).unwrap().reusable, "two bytes short");
    assert_eq!(body.finish(&[], &mut out), Err(WriteError::BodyNotAllowed), "finished twice");

    let req = Request { method: "GET", target: "/", version: Version::Http11, fields: &[HOST] };
    let mut body = encode_request_head(&req, &mut Vec::new()).unwrap();
    assert_eq!(body.encode_data(b"x", &mut out), Err(WriteError::BodyNotAllowed), "no framing fields, no body");

    let req = Request {
        method: "POST",
        target: "/",
        version: Version::Http11,
        fields: &[HOST, ("Transfer-Encoding", b"chunked")],
    };
    let mut out = Vec::new();
    let mut body = encode_request_head(&req, &mut out).unwrap();
    assert_eq!(body.finish(&[("Bad\r\nName", b"x")], &mut out), Err(WriteError::InvalidFieldName { index: 0 }));
}

#[test]
fn what_is_written_is_what_is_read() {
    let fields: [(&str, &[u8]); 4] =
        [HOST, ("X-Obs", b"caf\xe9"), ("X-Inner", b"a  b"), ("Transfer-Encoding", b"gzip, chunked")];
    let mut out = Vec::new();
    let req = Request { method: "PATCH", target: "/p?q=1", version: Version::Http11, fields: &fields };
    let mut body = encode_request_head(&req, &mut out).unwrap();
    for piece in [&b"one "[..], b"", b"two"] {
        body.encode_data(piece, &mut out).unwrap();
    }
    body.finish(&[("Digest", b"x")], &mut out).unwrap();
    let m = run(Kind::Request, &Default::default(), &out, &[]).unwrap();
    assert_eq!(m.start, StartLine::Request { method: "PATCH".into(), target: "/p?q=1".into() });
    assert_eq!(m.headers, fields.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect::<Vec<_>>());
    assert_eq!((m.framing, &m.body[..]), (Framing::Chunked, &b"one two"[..]));
    assert_eq!(m.trailers, [("Digest".to_string(), b"x".to_vec())]);
    assert_eq!(m.consumed, out.len() as u64);
}
