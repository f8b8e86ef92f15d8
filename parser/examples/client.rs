//! A small HTTP/1.1 client built only on h1wire and `std::net`: fetches one URL and prints the
//! status line to stderr and the body to stdout.
//!
//! ```sh
//! cargo run -p h1wire --example client -- http://127.0.0.1:8080/
//! ```
//!
//! Only `http://host:port/path` URLs; a 10 s read timeout and a 64 MiB body limit keep it bounded.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use h1wire::conn::{ConnEvent, Connection, Role};
use h1wire::write::Request;
use h1wire::Version;

const MAX_BODY: usize = 64 << 20;

fn main() -> io::Result<()> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:8080/".into());
    let rest = url.strip_prefix("http://").ok_or_else(|| io::Error::other("only http:// URLs"))?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;

    let mut conn = Connection::new(Role::Client);
    let mut out = Vec::new();
    let fields = [("Host", authority.as_bytes()), ("User-Agent", &b"h1wire-example-client"[..])];
    let request = Request { method: "GET", target: path, version: Version::Http11, fields: &fields };
    conn.send_request(&request, &mut out).map_err(io::Error::other)?;
    conn.send_end(&[], &mut out).map_err(io::Error::other)?;
    stream.write_all(&out)?;

    let mut body = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match conn.poll_event().map_err(io::Error::other)? {
            ConnEvent::Response { head, .. } => {
                eprintln!("{} {} {}", head.version().as_str(), head.status(), String::from_utf8_lossy(head.reason()));
            }
            ConnEvent::Data(data) => {
                if body.len() + data.len() > MAX_BODY {
                    return Err(io::Error::other("response body over the example's limit"));
                }
                body.extend_from_slice(data);
            }
            ConnEvent::EndOfMessage | ConnEvent::ConnectionClosed | ConnEvent::SwitchedProtocol => break,
            ConnEvent::Trailers(_) | ConnEvent::Request { .. } | ConnEvent::Paused => {}
            ConnEvent::NeedData => match stream.read(&mut buf)? {
                0 => conn.handle_eof(),
                n => conn.handle_bytes(&buf[..n]),
            },
        }
    }
    io::stdout().write_all(&body)
}
