//! Inputs shared by the benchmarks in `benches/`.

/// A browser-like GET whose head is about `size` bytes: 20 common fields, then a cookie padded
/// to reach the size.
pub fn long_head(size: usize) -> Vec<u8> {
    let mut head = b"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Referer: https://www.kittyhell.com/2010/03/\r\n\
Cache-Control: max-age=0\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: document\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-User: ?1\r\n\
DNT: 1\r\n\
Pragma: no-cache\r\n\
If-None-Match: \"5d8c72a5edda8d6a\"\r\n\
If-Modified-Since: Sat, 20 Nov 2010 10:15:21 GMT\r\n\
Cookie: "
        .to_vec();
    let mut i = 0;
    while head.len() + 4 < size {
        head.extend_from_slice(format!("c{i}=v{i}; ").as_bytes());
        i += 1;
    }
    head.truncate(size - 4);
    head.extend_from_slice(b"\r\n\r\n");
    head
}

/// What curl sends for `curl http://example.com/` (3 fields, 78 bytes): the shape of most API and
/// tooling traffic.
pub const REQ_CURL: &[u8] = b"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

/// A load balancer's health check (2 fields, 62 bytes).
pub const REQ_HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: 10.0.0.17:8080\r\nConnection: close\r\n\r\n";

/// A short request, about 70 bytes.
pub const REQ_SHORT: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*\r\nX-Id: 7\r\n\r\n";

/// A short response, about 70 bytes.
pub const RESP_SHORT: &[u8] = b"HTTP/1.1 200 OK\r\nServer: h1wire-bench\r\nContent-Length: 0\r\nX-Id: 7\r\n\r\n";

/// A longer request, about 700 bytes: an API call from a browser.
pub const REQ_LONG: &[u8] = b"GET /api/v2/orders?status=open&page=3&per_page=50 HTTP/1.1\r\n\
Host: shop.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: application/json, text/plain, */*\r\n\
Accept-Language: en-GB,en;q=0.7,fr;q=0.3\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Referer: https://shop.example.com/account/orders?tab=open\r\n\
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dGhpcyBpcyBub3QgYSByZWFsIHRva2Vu\r\n\
X-Request-Id: 6f1c2a9e-4b7d-4f7a-9d1e-2b8c5a3f0e11\r\n\
Connection: keep-alive\r\n\
Sec-Fetch-Dest: empty\r\n\
Sec-Fetch-Mode: cors\r\n\
Sec-Fetch-Site: same-origin\r\n\
Priority: u=0\r\n\r\n";

/// A longer response, about 700 bytes.
pub const RESP_LONG: &[u8] = b"HTTP/1.1 200 OK\r\n\
Date: Sat, 21 Nov 2026 10:00:00 GMT\r\n\
Server: h1wire-bench/1.0\r\n\
Content-Type: application/json; charset=utf-8\r\n\
Content-Length: 0\r\n\
Cache-Control: private, max-age=0, must-revalidate\r\n\
ETag: \"5d8c72a5edda8d6a1f3c\"\r\n\
Last-Modified: Fri, 20 Nov 2026 08:30:00 GMT\r\n\
Vary: Accept-Encoding, Authorization\r\n\
Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n\
Content-Security-Policy: default-src 'self'; img-src 'self' data:; script-src 'self'\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Frame-Options: DENY\r\n\
Referrer-Policy: strict-origin-when-cross-origin\r\n\
Set-Cookie: session=4f1e2d3c4b5a69788796a5b4c3d2e1f0; Path=/; Secure; HttpOnly; SameSite=Lax\r\n\
X-Request-Id: 6f1c2a9e-4b7d-4f7a-9d1e-2b8c5a3f0e11\r\n\r\n";

/// A browser-like request with 20 fields, including a cookie jar.
pub fn browser_request() -> Vec<u8> {
    long_head(1600)
}

/// A request with 100 field lines (Host and 99 more).
pub fn hundred_fields() -> Vec<u8> {
    let mut head = b"GET /many HTTP/1.1\r\nHost: example.com\r\n".to_vec();
    for i in 1..100 {
        head.extend_from_slice(format!("X-Field-{i:02}: value number {i}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A chunked body of `total` bytes in chunks of `chunk` bytes (the last may be shorter), ending
/// with the last chunk and no trailers.
pub fn chunked_body(total: usize, chunk: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(total + total / chunk * 8 + 8);
    let mut left = total;
    let mut byte = 0u8;
    while left > 0 {
        let n = chunk.min(left);
        out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        out.extend((0..n).map(|_| {
            byte = byte.wrapping_add(31);
            byte
        }));
        out.extend_from_slice(b"\r\n");
        left -= n;
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// The head a chunked body is sent under, for h1wire's request path.
pub const CHUNKED_HEAD: &[u8] = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n";

#[cfg(test)]
mod tests {
    #[test]
    fn inputs_parse_and_have_their_shapes() {
        use h1wire_check::{run, Kind};
        let config = Default::default();
        for (input, len) in [(super::REQ_SHORT, 60..80), (super::REQ_LONG, 600..800)] {
            assert!(len.contains(&input.len()), "{}", input.len());
            run(Kind::Request, &config, input, &[]).unwrap();
        }
        for (input, len) in [(super::RESP_SHORT, 60..80), (super::RESP_LONG, 600..800)] {
            assert!(len.contains(&input.len()), "{}", input.len());
            run(Kind::Response(h1wire::ResponseTo::Other), &config, input, &[]).unwrap();
        }
        assert_eq!(run(Kind::Request, &config, &super::hundred_fields(), &[]).unwrap().headers.len(), 100);
        assert_eq!(run(Kind::Request, &config, &super::browser_request(), &[]).unwrap().headers.len(), 20);
        let body = [super::CHUNKED_HEAD, &super::chunked_body(1 << 20, 4096)].concat();
        assert_eq!(run(Kind::Request, &config, &body, &[]).unwrap().body.len(), 1 << 20);
    }

    #[test]
    fn long_head_has_the_asked_size_and_parses() {
        let head = super::long_head(8192);
        assert_eq!(head.len(), 8192);
        let outcome = h1wire_check::run(h1wire_check::Kind::Request, &Default::default(), &head, &[]).unwrap();
        assert_eq!(outcome.headers.len(), 20);
    }
}
