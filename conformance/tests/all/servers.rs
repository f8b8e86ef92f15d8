//! Servers for the tests, each on 127.0.0.1 with an ephemeral port, stopped when dropped: server
//! processes ([`Process`]), a hostile server (for the probe's bounds) and a naive one with
//! switchable flaws (for its findings). The naive server has its own small parser, deliberately
//! not h1wire's.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A server process a test started, killed and reaped when dropped, with the folder it runs in
/// (removed then) if it has one.
pub struct Process {
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    pub dir: Option<std::path::PathBuf>,
}

impl Process {
    /// Starts `command` and takes its address from the first line it prints, the part after
    /// `marker` up to the next space (`listening on 127.0.0.1:4242`).
    pub fn start_printing_addr(command: &mut std::process::Command, marker: &str) -> Process {
        use std::io::BufRead;
        let mut child = command.stdout(std::process::Stdio::piped()).spawn().expect("the server starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split(marker).nth(1).and_then(|rest| rest.split_whitespace().next()).map(str::to_owned);
        Process { addr: addr.unwrap_or_else(|| panic!("no address after {marker:?} in {line:?}")), child, dir: None }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A server thread that accepts until dropped.
pub type Running = h1spec::background::Background;

/// Runs `handle` on a thread per connection; connection threads end on their own (each has a
/// timeout or a bounded amount of work).
pub fn spawn(handle: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> Running {
    Running::serve(TcpListener::bind("127.0.0.1:0").unwrap(), usize::MAX, handle).unwrap()
}

/// What a hostile server does to every connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// A chunked response that never ends, as fast as the socket takes it.
    Endless,
    /// A valid response, one byte per 200 ms.
    Trickle,
    /// A head announcing a 1 GiB body, then the body as fast as it goes.
    Huge,
    /// Reads and never answers.
    Silent,
    /// Closes at once with the request unread, which resets the connection.
    Reset,
    /// Bytes that are not HTTP.
    Garbage,
}

pub fn hostile(mode: Hostile) -> Running {
    spawn(move |mut stream, stop| {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(3)));
        let mut buf = [0u8; 4096];
        // Every mode ends within a few seconds whatever the client does.
        let until = std::time::Instant::now() + Duration::from_secs(4);
        let live = || !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until;
        match mode {
            Hostile::Reset => {
                std::thread::sleep(Duration::from_millis(100));
                drop(stream);
            }
            Hostile::Silent => {
                while live() {
                    if let Ok(0) = stream.read(&mut buf) {
                        return;
                    }
                }
            }
            Hostile::Garbage => {
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02 not http at all\r\n\r\n");
            }
            Hostile::Trickle => {
                let _ = stream.read(&mut buf);
                for &b in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".iter() {
                    if !live() || stream.write_all(&[b]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
            Hostile::Endless | Hostile::Huge => {
                let _ = stream.read(&mut buf);
                let head: &[u8] = match mode {
                    Hostile::Endless => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                    _ => b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n",
                };
                if stream.write_all(head).is_err() {
                    return;
                }
                let chunk = [b'x'; 16 * 1024];
                let framed = [&b"4000\r\n"[..], &chunk, b"\r\n"].concat();
                let piece: &[u8] = if matches!(mode, Hostile::Endless) { &framed } else { &chunk };
                while live() && stream.write_all(piece).is_ok() {}
            }
        }
    })
}

/// The flaws the naive server can have.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flaws {
    /// With Transfer-Encoding and Content-Length both present, frame by Content-Length.
    pub te_cl_by_cl: bool,
    /// With two different Content-Length values, use the first.
    pub first_of_two_cl: bool,
    /// A POST without Content-Length or Transfer-Encoding has a body that runs until the close.
    pub post_body_until_close: bool,
    /// Read a chunk-size as its longest hex prefix and ignore the rest of the line, and skip
    /// trailer lines unread.
    pub chunk_size_hex_prefix: bool,
    /// Ignore Content-Length on GET (the body is read as the next request).
    pub cl_ignored_on_get: bool,
    /// Accept whitespace between a field name and its colon.
    pub space_before_colon: bool,
    /// Accept bare LF as a line end (RFC 9112 §2.2 lets a recipient do so).
    pub bare_lf: bool,
    /// Replace obs-fold by SP (RFC 9112 §5.2 lets a recipient do so).
    pub unfold: bool,
    /// Not a flaw: read Content-Length and chunk sizes of any length as the numbers they are,
    /// and wait for the body they announce (RFC 9110 §8.6).
    pub big_numerals: bool,
    /// Accept a bare LF ending a chunk-size line and read on (Go's CVE-2025-22871).
    pub chunk_bare_lf: bool,
    /// Accept a bare LF ending a chunk-size line, answer, then close (a MUST failure, no desync).
    pub chunk_bare_lf_then_close: bool,
    /// Read an empty Content-Length as absent (golang/go#61679).
    pub empty_cl_absent: bool,
    /// Ignore Transfer-Encoding in HTTP/1.0 requests and keep the connection.
    pub te_ignored_in_http10: bool,
    /// Answer only the first request of each read and drop what follows it (no pipelining).
    pub no_pipelining: bool,
    /// Stop answering anything, on every connection, once a request with a `Content_Length`
    /// field arrives (a denial of service).
    pub hang_on_underscore: bool,
    /// Read `_` in a field name as `-`, as CGI-style servers do.
    pub underscore_as_dash: bool,
    /// Read a Content-Length as Python's `int()` does: `5_0` is 50 and `+5` is 5 (tornado before
    /// 6.3.3).
    pub python_int: bool,
    /// Take a bare CR in a head as a line end (llhttp's CVE-2023-30589).
    pub bare_cr_line_end: bool,
    /// Read a line starting with whitespace as a field of its own (llhttp's CVE-2024-27982).
    pub leading_space_new_field: bool,
    /// Take any byte inside a quoted chunk extension (Netty's CVE-2026-33870).
    pub lax_quoted_ext: bool,
    /// Read chunk data past its size up to the next CRLF (TERM.SPILL).
    pub spill: bool,
    /// Take any two bytes after chunk data as its CRLF (h11's CVE-2025-43859).
    pub any_two_bytes_after_data: bool,
    /// Use only the first Transfer-Encoding line (gunicorn's CVE-2024-1135).
    pub te_first_line_only: bool,
    /// A Transfer-Encoding whose list is not exactly `chunked` is ignored (the body is then empty).
    pub te_unrecognised_ignored: bool,
    /// A chunk-size line ends at the first CRLF outside a quoted-string (Netty and Jetty read
    /// quoted extensions across line ends).
    pub quoted_ext_across_lines: bool,
    /// Neither take a bare LF as a line end nor refuse it: lines end at CRLF only and a LF is
    /// kept inside them, so a bare-LF head runs on into the next request.
    pub lf_inside_lines: bool,
    /// Accept a bare LF after a chunk size the first time only, refuse it after: a behaviour
    /// that does not repeat.
    pub chunk_bare_lf_once: bool,
    /// Never finish reading a chunk-size line that has an extension (wait for more bytes),
    /// valid or not.
    pub ext_hangs: bool,
    /// Not a flaw: answer every POST with 501 and close, as a static file server does.
    pub refuse_post: bool,
    /// With an invalid Transfer-Encoding beside Content-Length, frame by the length (gunicorn's
    /// CVE-2024-6827).
    pub invalid_te_falls_back_to_cl: bool,
    /// Answer a request with `Expect: 100-continue` at once and read its body as the next
    /// request.
    pub expect_early: bool,
}

/// A small keep-alive server with its own parser: strict about framing unless a flaw says
/// otherwise, lax about everything else (targets, Host), answering `200 ok` to every request it
/// reads (`404` where the request line holds "404"), and `400` (then close) to what it refuses.
pub fn naive(flaws: Flaws) -> Running {
    let hung = Arc::new(AtomicBool::new(false));
    let lenient_used = Arc::new(AtomicBool::new(false));
    spawn(move |mut stream, stop| {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
        let until = std::time::Instant::now() + Duration::from_secs(10);
        let mut buf: Vec<u8> = Vec::new();
        let mut read = [0u8; 8192];
        // `chunk_bare_lf_once`: the first connection to send a bare LF after a chunk size gets
        // the leniency, for the whole connection; every other connection gets none.
        let mut flaws = flaws;
        let mut decided = false;
        loop {
            if flaws.hang_on_underscore && buf.windows(15).any(|w| w == b"Content_Length:") {
                hung.store(true, Ordering::SeqCst);
            }
            if hung.load(Ordering::SeqCst) {
                // Hold the connection, answer nothing, until the test ends or the bound passes.
                while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            if flaws.chunk_bare_lf_once && !decided && buf.windows(2).any(|w| w == b"5\n") {
                decided = true;
                flaws.chunk_bare_lf = !lenient_used.swap(true, Ordering::SeqCst);
            }
            match naive_request(&buf, flaws) {
                Parsed::Need => {}
                Parsed::Bad => {
                    let _ =
                        stream.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                    return;
                }
                Parsed::Bad501 => {
                    let _ = stream
                        .write_all(b"HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                    return;
                }
                Parsed::Request { used, close } => {
                    // A path with "404" in it is one this server does not have.
                    let missing =
                        buf[..used].split(|&b| b == b'\n').next().is_some_and(|l| l.windows(3).any(|w| w == b"404"));
                    buf.drain(..used);
                    if flaws.no_pipelining {
                        buf.clear();
                    }
                    let answer: &[u8] = if missing {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing"
                    } else {
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    };
                    let _ = stream.write_all(answer);
                    if close {
                        return;
                    }
                    continue;
                }
            }
            if stop.load(Ordering::SeqCst) || std::time::Instant::now() > until || buf.len() > 1 << 20 {
                return;
            }
            match stream.read(&mut read) {
                Ok(0) => return,
                Ok(n) => buf.extend_from_slice(&read[..n]),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(_) => return,
            }
        }
    })
}

enum Parsed {
    Need,
    Bad,
    Bad501,
    Request { used: usize, close: bool },
}

/// Where the first CRLF outside a quoted-string is.
fn crlf_outside_quotes(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, w) in bytes.windows(2).enumerate() {
        match w {
            [b'"', _] => quoted = !quoted,
            [b'\r', b'\n'] if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `field-value` (RFC 9110 §5.5): no control byte but HTAB.
fn is_field_value(s: &[u8]) -> bool {
    s.iter().all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )` (RFC 9112 §7.1.1).
fn is_chunk_ext(mut s: &[u8], lax_quoted: bool) -> bool {
    let ows = |s: &mut &[u8]| *s = s.trim_ascii_start();
    let token = |s: &mut &[u8]| {
        let n = s.iter().take_while(|&&b| is_token(&[b])).count();
        *s = &s[n..];
        n > 0
    };
    loop {
        ows(&mut s);
        if s.is_empty() {
            return true;
        }
        let Some(rest) = s.strip_prefix(b";") else { return false };
        s = rest;
        ows(&mut s);
        if !token(&mut s) {
            return false;
        }
        let before = s;
        ows(&mut s);
        if let Some(rest) = s.strip_prefix(b"=") {
            s = rest;
            ows(&mut s);
            if let Some(rest) = s.strip_prefix(b"\"") {
                let Some(end) = rest.iter().position(|&b| b == b'"') else { return false };
                if !lax_quoted && rest[..end].iter().any(|&b| b == b'\\' || (b < 0x20 && b != b'\t') || b == 0x7f) {
                    return false;
                }
                s = &rest[end + 1..];
            } else if !token(&mut s) {
                return false;
            }
        } else if s.len() != before.len() && !s.starts_with(b";") {
            // Whitespace after a name must lead to `=` or `;`.
            return false;
        }
    }
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The naive parser: one request from the front of `buf`.
fn naive_request(buf: &[u8], flaws: Flaws) -> Parsed {
    // The head ends at an empty line; a bare LF is a line end only with the flaw.
    // With the flaw, the first empty line ends the head whichever line ends it uses.
    let crlf = h1spec::head::head_end(buf);
    let lf = flaws.bare_lf.then(|| buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2)).flatten();
    let lf_crlf = flaws.bare_lf.then(|| buf.windows(3).position(|w| w == b"\n\r\n").map(|i| i + 3)).flatten();
    let Some(head_end) = [crlf, lf, lf_crlf].into_iter().flatten().min() else {
        return Parsed::Need;
    };
    let head = &buf[..head_end];
    let mut lines: Vec<&[u8]> = Vec::new();
    if flaws.lf_inside_lines {
        // Split at CRLF only; a LF stays in its line.
        let mut rest = head;
        while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
            lines.push(&rest[..i]);
            rest = &rest[i + 2..];
        }
    }
    for line in head.split(|&b| b == b'\n').filter(|_| !flaws.lf_inside_lines) {
        let trimmed = match line.strip_suffix(b"\r") {
            Some(l) => l,
            None if flaws.bare_lf || line.is_empty() => line,
            None => return Parsed::Bad,
        };
        if trimmed.contains(&b'\r') && flaws.bare_cr_line_end {
            lines.extend(trimmed.split(|&b| b == b'\r'));
            continue;
        }
        if trimmed.contains(&b'\r') {
            return Parsed::Bad;
        }
        lines.push(trimmed);
    }
    let request_line = lines[0];
    let parts: Vec<&[u8]> = request_line.split(|&b| b == b' ').collect();
    let parts_ok = parts.len() == 3 || (flaws.lf_inside_lines && parts.len() > 3);
    if !parts_ok || !is_token(parts[0]) || !parts[2].starts_with(b"HTTP/1.") {
        return Parsed::Bad;
    }
    let method = parts[0];
    if flaws.refuse_post && method == b"POST" {
        return Parsed::Bad501;
    }
    let mut fields: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for line in &lines[1..] {
        if line.is_empty() {
            break;
        }
        let line: &[u8] = if flaws.leading_space_new_field { line.trim_ascii_start() } else { line };
        if line[0] == b' ' || line[0] == b'\t' {
            match fields.last_mut() {
                Some((_, value)) if flaws.unfold => {
                    value.push(b' ');
                    value.extend_from_slice(line.trim_ascii());
                    continue;
                }
                _ => return Parsed::Bad,
            }
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else { return Parsed::Bad };
        let mut name = &line[..colon];
        if flaws.space_before_colon {
            name = name.trim_ascii_end();
        }
        if !is_token(name) || !is_field_value(&line[colon + 1..]) {
            return Parsed::Bad;
        }
        let mut name = name.to_ascii_lowercase();
        if flaws.underscore_as_dash {
            name.iter_mut().filter(|b| **b == b'_').for_each(|b| *b = b'-');
        }
        fields.push((name, line[colon + 1..].trim_ascii().to_vec()));
    }
    let values = |n: &[u8]| fields.iter().filter(|(f, _)| f == n).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let cls = values(b"content-length");
    let tes = values(b"transfer-encoding");
    let close = values(b"connection").iter().any(|v| v.eq_ignore_ascii_case(b"close"));
    let http10 = parts[2] == b"HTTP/1.0";
    let mut length = None;
    for cl in &cls {
        if cl.is_empty() && flaws.empty_cl_absent {
            continue;
        }
        let digits: Vec<u8> = cl.iter().copied().filter(|&b| !(flaws.python_int && (b == b'_' || b == b'+'))).collect();
        let cl = &digits;
        if cl.is_empty() || !cl.iter().all(u8::is_ascii_digit) || (cl.len() > 15 && !flaws.big_numerals) {
            return Parsed::Bad;
        }
        // Past 15 digits (only with `big_numerals`): a length no test sends that many bytes of.
        let n: usize = std::str::from_utf8(cl).unwrap().parse().unwrap_or(usize::MAX);
        match length {
            None => length = Some(n),
            Some(first) if first == n || flaws.first_of_two_cl => {}
            Some(_) => return Parsed::Bad,
        }
    }
    // The codings of every Transfer-Encoding line, as one list: only `chunked`, once, and
    // never in HTTP/1.0 (RFC 9112 §6.1).
    let codings: Vec<Vec<u8>> = if http10 && flaws.te_ignored_in_http10 {
        Vec::new()
    } else {
        let lines = if flaws.te_first_line_only { &tes[..tes.len().min(1)] } else { &tes[..] };
        lines.iter().flat_map(|v| v.split(|&b| b == b',').map(|c| c.trim_ascii().to_ascii_lowercase())).collect()
    };
    let chunked = match &codings[..] {
        [] => false,
        [only] if only == b"chunked" && !http10 => true,
        _ if flaws.invalid_te_falls_back_to_cl && length.is_some() => false,
        _ if flaws.te_unrecognised_ignored => false,
        _ => return Parsed::Bad,
    };
    if chunked && length.is_some() && !flaws.te_cl_by_cl {
        return Parsed::Bad;
    }
    if flaws.cl_ignored_on_get && method == b"GET" {
        length = None;
    }
    let expects = values(b"expect").iter().any(|v| v.eq_ignore_ascii_case(b"100-continue"));
    if flaws.expect_early && expects {
        return Parsed::Request { used: head_end, close };
    }
    let body = &buf[head_end..];
    match (chunked && !(flaws.te_cl_by_cl && length.is_some()), length) {
        (true, _) => match naive_chunked(body, flaws) {
            Some(Ok((used, lenient))) => Parsed::Request { used: head_end + used, close: close || lenient },
            Some(Err(())) => Parsed::Bad,
            None => Parsed::Need,
        },
        (false, Some(n)) if body.len() >= n => Parsed::Request { used: head_end + n, close },
        (false, Some(_)) => Parsed::Need,
        (false, None) if flaws.post_body_until_close && method == b"POST" => Parsed::Need,
        (false, None) => Parsed::Request { used: head_end, close },
    }
}

/// A chunked body: `Some(Ok((length, close)))` (`close` when a leniency that closes was used),
/// `Some(Err)` when malformed, `None` when incomplete.
fn naive_chunked(body: &[u8], flaws: Flaws) -> Option<Result<(usize, bool), ()>> {
    let mut at = 0;
    let mut lenient = false;
    loop {
        let crlf = if flaws.quoted_ext_across_lines {
            crlf_outside_quotes(&body[at..]).map(|i| (i + at, 2))
        } else {
            body[at..].windows(2).position(|w| w == b"\r\n").map(|i| (i + at, 2))
        };
        let lf_ok = flaws.chunk_bare_lf || flaws.chunk_bare_lf_then_close;
        let lf = body[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| (i + at, 1))
            .filter(|&(i, _)| lf_ok && (i == at || body[i - 1] != b'\r'));
        let (line_end, ending) = match (crlf, lf) {
            (Some(c), Some(l)) if l.0 < c.0 => l,
            (Some(c), _) => c,
            (None, Some(l)) => l,
            (None, None) => return None,
        };
        lenient |= ending == 1 && flaws.chunk_bare_lf_then_close;
        let line = &body[at..line_end];
        if flaws.ext_hangs && line.contains(&b';') {
            return None;
        }
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let rest = &line[digits..];
        let ext_ok = rest.is_empty() || (rest.starts_with(b";") && is_chunk_ext(rest, flaws.lax_quoted_ext));
        if digits == 0 || (digits > 15 && !flaws.big_numerals) || !(flaws.chunk_size_hex_prefix || ext_ok) {
            return Some(Err(()));
        }
        let size = usize::from_str_radix(std::str::from_utf8(&line[..digits]).unwrap(), 16).unwrap_or(usize::MAX);
        at = line_end + ending;
        if size == 0 {
            // Trailers, up to the empty line: field lines as in the head.
            loop {
                let end = body[at..].windows(2).position(|w| w == b"\r\n")? + at;
                let line = &body[at..end];
                let field = line
                    .iter()
                    .position(|&b| b == b':')
                    .is_some_and(|c| is_token(&line[..c]) && is_field_value(&line[c + 1..]));
                if !line.is_empty() && !field && !flaws.chunk_size_hex_prefix {
                    return Some(Err(()));
                }
                let empty = end == at;
                at = end + 2;
                if empty {
                    return Some(Ok((at, lenient)));
                }
            }
        }
        if body.len().saturating_sub(at) < size.saturating_add(2) {
            return None;
        }
        if flaws.any_two_bytes_after_data {
            at += size + 2;
            continue;
        }
        if &body[at + size..at + size + 2] != b"\r\n" {
            if flaws.spill {
                at = at + size + body[at + size..].windows(2).position(|w| w == b"\r\n")? + 2;
                continue;
            }
            return Some(Err(()));
        }
        at += size + 2;
    }
}
