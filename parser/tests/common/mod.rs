//! Helpers shared by the rule tests: every input is parsed whole, one byte at a time and cut in
//! two at every offset, and all runs must agree before the outcome is looked at.
#![allow(dead_code)]

use h1wire::check::{split_invariant, Message, Role, StartLine};
use h1wire::{Config, Error, ErrorKind};

pub fn outcome(role: Role<'_>, config: &Config, input: &[u8]) -> Result<Message, Error> {
    split_invariant(role, config, input)
        .unwrap_or_else(|why| panic!("split invariance broken for {:?}:\n{why}", input.escape_ascii().to_string()))
}

/// The offset of the first occurrence of `needle` in `input`.
pub fn at(input: &[u8], needle: &str) -> u64 {
    input
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("{needle:?} not in input")) as u64
}

fn expect_accept(role: Role<'_>, config: &Config, input: &[u8]) -> Message {
    match outcome(role, config, input) {
        Ok(m) => m,
        Err(e) => panic!("{:?} refused: {e} ({})", input.escape_ascii().to_string(), e.kind().name()),
    }
}

fn expect_reject(role: Role<'_>, config: &Config, input: &[u8], kind: ErrorKind, offset: u64) {
    match outcome(role, config, input) {
        Ok(m) => panic!("{:?} accepted, expected {}: {m:?}", input.escape_ascii().to_string(), kind.name()),
        Err(e) => assert_eq!((e.kind(), e.offset()), (kind, offset), "{:?}: {e}", input.escape_ascii().to_string()),
    }
}

pub fn accept(input: &[u8]) -> Message {
    expect_accept(Role::Request, &Config::default(), input)
}

pub fn accept_with(config: &Config, input: &[u8]) -> Message {
    expect_accept(Role::Request, config, input)
}

pub fn reject(input: &[u8], kind: ErrorKind, offset: u64) {
    expect_reject(Role::Request, &Config::default(), input, kind, offset)
}

pub fn reject_with(config: &Config, input: &[u8], kind: ErrorKind, offset: u64) {
    expect_reject(Role::Request, config, input, kind, offset)
}

pub fn accept_response(method: &str, input: &[u8]) -> Message {
    expect_accept(Role::Response(method), &Config::default(), input)
}

pub fn accept_response_with(config: &Config, method: &str, input: &[u8]) -> Message {
    expect_accept(Role::Response(method), config, input)
}

pub fn reject_response(method: &str, input: &[u8], kind: ErrorKind, offset: u64) {
    expect_reject(Role::Response(method), &Config::default(), input, kind, offset)
}

pub fn reject_response_with(config: &Config, method: &str, input: &[u8], kind: ErrorKind, offset: u64) {
    expect_reject(Role::Response(method), config, input, kind, offset)
}

pub fn target(m: &Message) -> &str {
    match &m.start {
        StartLine::Request { target, .. } => target,
        StartLine::Response { .. } => panic!("not a request"),
    }
}

pub fn header<'m>(m: &'m Message, name: &str) -> Option<&'m [u8]> {
    m.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| &v[..])
}

/// The default config changed by `f`.
pub fn config(f: impl FnOnce(&mut Config)) -> Config {
    let mut c = Config::default();
    f(&mut c);
    c
}
