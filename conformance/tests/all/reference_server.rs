//! The reference server (`h1spec serve`), started on 127.0.0.1 with an ephemeral port, checked
//! with curl and with a raw socket. Every socket has a timeout and the server is killed when the
//! test ends.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use crate::servers::Process;

fn start() -> Process {
    Process::start_printing_addr(
        Command::new(env!("CARGO_BIN_EXE_h1spec")).args(["serve", "127.0.0.1:0"]),
        "listening on ",
    )
}

fn curl(server: &Process, args: &[&str]) -> (Vec<u8>, String) {
    let out = Command::new("curl")
        .args(["-s", "-S", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl is installed (CI installs it)");
    assert!(out.status.success(), "curl {args:?} against {}: {}", server.addr, String::from_utf8_lossy(&out.stderr));
    (out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn connect(server: &Process) -> TcpStream {
    let stream = TcpStream::connect(&server.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// Reads until `pred` holds for what was read, or the peer closes.
fn read_until(stream: &mut TcpStream, pred: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0; 4096];
    while !pred(&got) {
        match stream.read(&mut buf).expect("read within the timeout") {
            0 => break,
            n => got.extend_from_slice(&buf[..n]),
        }
    }
    got
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn curl_against_the_reference_server() {
    let server = start();
    let url = format!("http://{}/", server.addr);
    let echo = format!("http://{}/echo", server.addr);

    let (body, _) = curl(&server, &[&url]);
    assert_eq!(body, b"hello from h1wire\n");

    let (body, log) = curl(&server, &["-v", "--http1.0", &url]);
    assert_eq!(body, b"hello from h1wire\n");
    assert!(log.contains("> GET / HTTP/1.0"), "{log}");

    // 300 KB of every byte value, sent chunked, returned byte for byte.
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]).collect();
    let file = std::env::temp_dir().join(format!("h1wire-echo-{}.bin", std::process::id()));
    std::fs::write(&file, &payload).unwrap();
    let data = format!("@{}", file.display());
    let (body, log) = curl(&server, &["-v", "-H", "Transfer-Encoding: chunked", "--data-binary", &data, &echo]);
    assert!(log.contains("> Transfer-Encoding: chunked"), "{log}");
    assert_eq!(body.len(), payload.len());
    assert!(body == payload, "echoed body differs");

    // Expect: 100-continue is answered before curl sends the body.
    let (body, log) = curl(&server, &["-v", "-H", "Expect: 100-continue", "--data-binary", &data, &echo]);
    assert!(log.contains("< HTTP/1.1 100 Continue"), "{log}");
    assert!(body == payload, "echoed body differs");
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn raw_socket_pipelining_upgrade_and_smuggling() {
    let server = start();

    // Three pipelined requests in one write: three answers, in order.
    let mut s = connect(&server);
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nlast").unwrap();
    let got = read_until(&mut s, |g| count(g, b"HTTP/1.1 ") == 3 && g.ends_with(b"last"));
    let text = String::from_utf8_lossy(&got);
    let statuses: Vec<_> = text.match_indices("HTTP/1.1 ").map(|(i, _)| &text[i + 9..i + 12]).collect();
    assert_eq!(statuses, ["200", "404", "200"], "{text}");
    assert!(text.ends_with("\r\n\r\nlast"), "{text}");

    // Upgrade: the bytes sent with the request are echoed after the 101, then the stream is raw.
    let mut s = connect(&server);
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nEARLY BYTES").unwrap();
    let got = read_until(&mut s, |g| g.ends_with(b"EARLY BYTES"));
    assert!(got.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"), "{}", String::from_utf8_lossy(&got));
    assert!(got.ends_with(b"\r\n\r\nEARLY BYTES"), "{}", String::from_utf8_lossy(&got));
    s.write_all(b"GET / HTTP/1.1\r\n\r\n\x00\xff").unwrap();
    let got = read_until(&mut s, |g| g.len() >= 20);
    assert_eq!(got, b"GET / HTTP/1.1\r\n\r\n\x00\xff", "no longer parsed as HTTP");

    // CL.TE: refused with 400 and closed; the hidden request is never answered.
    let mut s = connect(&server);
    s.write_all(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    let got = read_until(&mut s, |_| false);
    assert_eq!(got, b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}
