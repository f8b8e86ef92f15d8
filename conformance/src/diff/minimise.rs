//! The smallest stream that still shows a difference: whole lines removed first, then ever
//! smaller runs of bytes (delta debugging, Zeller and Hildebrandt 2002), within a budget of
//! tries, since each try runs real implementations.
//!
//! What keeps a stream readable as HTTP is kept: line ends, request lines and Host lines are
//! never touched, so a minimised stream is still made of requests a person recognises; a
//! finding that rests on them was found on a stream that already had them so.

/// Shrinks `stream` while `still` holds, trying at most `budget` candidates. Returns the
/// smallest stream found (the input itself when nothing smaller holds).
pub fn minimise(stream: &[u8], budget: usize, mut still: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let mut best = stream.to_vec();
    let mut tries = 0;
    let mut attempt = |candidate: &[u8], best: &mut Vec<u8>, tries: &mut usize| -> bool {
        if *tries >= budget || candidate.len() >= best.len() {
            return false;
        }
        *tries += 1;
        if still(candidate) {
            *best = candidate.to_vec();
            true
        } else {
            false
        }
    };
    // Whole lines, last first (trailing messages and fields go first), but for request lines
    // and Host lines.
    let mut i = line_count(&best);
    while i > 0 {
        i -= 1;
        let keep = best.split_inclusive(|&b| b == b'\n').nth(i).is_some_and(|l| request_line(l) || host_line(l));
        if !keep {
            let candidate = without_line(&best, i);
            attempt(&candidate, &mut best, &mut tries);
        }
        i = i.min(line_count(&best));
    }
    // Runs of bytes, halving their length, none of them kept ones.
    // Which bytes are kept changes only when `best` does: computed then, not per candidate.
    let mut keep = kept(&best);
    let mut size = best.len() / 2;
    while size >= 1 && tries < budget {
        let mut at = 0;
        while at < best.len() && tries < budget {
            let end = (at + size).min(best.len());
            let shrunk = !keep[at..end].iter().any(|&k| k)
                && attempt(&[&best[..at], &best[end..]].concat(), &mut best, &mut tries);
            if shrunk {
                keep = kept(&best);
            } else {
                at += size;
            }
        }
        size /= 2;
    }
    best
}

/// A request line: a method of capital letters, a space, and an `HTTP/1.x` version at the end.
fn request_line(line: &[u8]) -> bool {
    let line = line.trim_ascii_end();
    let method = line.iter().take_while(|b| b.is_ascii_uppercase()).count();
    method > 0 && line.get(method) == Some(&b' ') && line.len() > 8 && line[line.len() - 8..].starts_with(b"HTTP/1.")
}

fn host_line(line: &[u8]) -> bool {
    line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"host:")
}

/// Which bytes of `s` are kept: CR and LF, request lines and Host lines.
fn kept(s: &[u8]) -> Vec<bool> {
    let mut out = Vec::with_capacity(s.len());
    for line in s.split_inclusive(|&b| b == b'\n') {
        let (host, request) = (host_line(line), request_line(line));
        out.extend(line.iter().map(|&b| b == b'\r' || b == b'\n' || host || request));
    }
    out
}

fn line_count(s: &[u8]) -> usize {
    s.split_inclusive(|&b| b == b'\n').count()
}

fn without_line(s: &[u8], n: usize) -> Vec<u8> {
    s.split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter(|&(i, _)| i != n)
        .flat_map(|(_, l)| l.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_what_the_property_needs_and_what_makes_it_http() {
        let stream = b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nTransfer-Encoding: chunked\r\nY: 2\r\n\r\n0\r\n\r\n";
        let small = minimise(stream, 10_000, |s| s.windows(7).any(|w| w == b"chunked"));
        assert_eq!(small, b"GET / HTTP/1.1\r\nHost: a\r\nchunked\r\n");
        let lines = minimise(stream, 10_000, |s| s.starts_with(b"GET") && s.ends_with(b"\r\n\r\n"));
        assert_eq!(lines, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    #[test]
    fn stays_within_its_budget() {
        let mut calls = 0;
        let _ = minimise(&[b'a'; 1000], 25, |_| {
            calls += 1;
            false
        });
        assert_eq!(calls, 25);
    }
}
