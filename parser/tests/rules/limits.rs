//! Size limits and the statuses they map to: 414 for the target, 431 for heads and trailers,
//! 413 for bodies (see also chunked.rs for the chunk limits).

use crate::common::*;
use h1wire::ErrorKind::*;
use h1wire::{Config, ErrorKind};
use h1wire_check::{run, Kind};

const REQ: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";

#[test]
fn head_size_limit() {
    let exact = config(|c| c.max_head_bytes = REQ.len());
    accept_with(&exact, REQ);
    let short = config(|c| c.max_head_bytes = REQ.len() - 1);
    reject_with(&short, REQ, HeadTooLarge, REQ.len() as u64 - 1);
    // Empty lines skipped before the request line count too.
    let input = [&b"\r\n"[..], REQ].concat();
    reject_with(&exact, &input, HeadTooLarge, REQ.len() as u64);
    // Bytes after the head are not part of it.
    accept_with(&exact, &[REQ, b"GET / HTTP/1.1\r\n"].concat());
}

#[test]
fn field_count_limit() {
    let two = config(|c| c.max_fields = 2);
    accept_with(&two, b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n");
    reject_with(&two, b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", TooManyFields, 31);
}

#[test]
fn target_length_limit() {
    let five = config(|c| c.max_target_bytes = 5);
    accept_with(&five, b"GET /abcd HTTP/1.1\r\nHost: a\r\n\r\n");
    reject_with(&five, b"GET /abcde HTTP/1.1\r\nHost: a\r\n\r\n", TargetTooLong, 9);
    // Whichever limit is reached first wins.
    let both = config(|c| {
        c.max_target_bytes = 5;
        c.max_head_bytes = 8;
    });
    reject_with(&both, b"GET /abcde HTTP/1.1\r\nHost: a\r\n\r\n", HeadTooLarge, 8);
}

#[test]
fn statuses_of_the_limits() {
    for kind in [HeadTooLarge, TooManyFields, TrailersTooLarge] {
        assert_eq!(kind.status().unwrap().code(), 431);
    }
    assert_eq!(TargetTooLong.status().unwrap().code(), 414);
    for kind in [BodyTooLarge, ChunkExtensionsTooLarge] {
        assert_eq!(kind.status().unwrap().code(), 413);
    }
    assert_eq!(UnknownTransferCoding.status().unwrap().code(), 501);
    assert_eq!(UnsupportedVersion.status().unwrap().code(), 505);
    // Only a message cut short, and a client's findings about a response, leave nothing to answer.
    assert!(ErrorKind::ALL.iter().filter(|k| k.status().is_none()).eq([
        &UnexpectedResponse,
        &UnrequestedSwitch,
        &UnexpectedEof
    ]));
}

/// The default limits, on inputs too large to cut at every offset: whole, one byte at a time,
/// and at a few cut points must agree.
fn run_sampled(input: &[u8]) -> Result<h1wire_check::Message, h1wire::Error> {
    let config = Config::default();
    let whole = run(Kind::Request, &config, input, &[]);
    let bytewise: Vec<usize> = (1..input.len()).collect();
    assert_eq!(run(Kind::Request, &config, input, &bytewise), whole);
    for cut in [1, 7, input.len() / 3, input.len() / 2, input.len() - 2] {
        assert_eq!(run(Kind::Request, &config, input, &[cut]), whole, "cut at {cut}");
    }
    whole.map_err(|refused| refused.error().expect("a message"))
}

#[test]
fn default_limits() {
    let defaults = Config::default();
    assert_eq!(defaults.max_head_bytes, 64 * 1024);
    assert_eq!(defaults.max_fields, 100);
    assert_eq!(defaults.max_target_bytes, 8 * 1024);
    assert!(!defaults.allow_bare_lf && !defaults.allow_obs_fold);

    // 100 fields pass, 101 do not.
    let mut head = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 1..100 {
        head.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    assert!(run_sampled(&[&head[..], b"\r\n"].concat()).is_ok());
    let line = head.len() as u64;
    head.extend_from_slice(b"X-100: v\r\n\r\n");
    let err = run_sampled(&head).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (TooManyFields, line));

    // A head of exactly 64 KiB passes; one byte more does not.
    let mut big = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    big.resize(64 * 1024 - 4, b'v');
    big.extend_from_slice(b"\r\n\r\n");
    assert!(run_sampled(&big).is_ok());
    big.insert(40, b'v');
    let err = run_sampled(&big).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (HeadTooLarge, 64 * 1024));

    // A target of 8 KiB passes; one byte more is 414.
    let target = "/".repeat(8 * 1024);
    assert!(run_sampled(format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes()).is_ok());
    let err = run_sampled(format!("GET {target}a HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes()).unwrap_err();
    assert_eq!((err.kind(), err.offset()), (TargetTooLong, 4 + 8 * 1024));
}
