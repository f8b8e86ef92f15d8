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

#[cfg(test)]
mod tests {
    #[test]
    fn long_head_has_the_asked_size_and_parses() {
        let head = super::long_head(8192);
        assert_eq!(head.len(), 8192);
        let outcome = h1wire::check::run(h1wire::check::Role::Request, &Default::default(), &head, &[]).unwrap();
        assert_eq!(outcome.headers.len(), 20);
    }
}
