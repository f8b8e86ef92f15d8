//! Helpers shared by the rule tests.

use h1wire::{Config, ErrorKind, ResponseTo};
use h1wire_check::{split_invariant, Kind, Message, Refused, StartLine};

/// The outcome every way of feeding `input` agrees on.
pub fn outcome(kind: Kind, config: &Config, input: &[u8]) -> Result<Message, Refused> {
    split_invariant(kind, config, input)
        .unwrap_or_else(|why| panic!("split invariance broken for {:?}:\n{why}", input.escape_ascii().to_string()))
}

fn expect_accept(kind: Kind, config: &Config, input: &[u8]) -> Message {
    match outcome(kind, config, input) {
        Ok(m) => m,
        Err(e) => panic!("{:?} refused: {e:?}", input.escape_ascii().to_string()),
    }
}

fn expect_reject(kind: Kind, config: &Config, input: &[u8], rule: ErrorKind, offset: u64) {
    match outcome(kind, config, input) {
        Ok(m) => panic!("{:?} accepted, expected {}: {m:?}", input.escape_ascii().to_string(), rule.name()),
        Err(Refused::Error(e)) => {
            assert_eq!((e.kind(), e.offset()), (rule, offset), "{:?}: {e}", input.escape_ascii().to_string())
        }
        Err(Refused::NoMessage) => panic!("no message, expected {}", rule.name()),
    }
}

pub fn accept(input: &[u8]) -> Message {
    expect_accept(Kind::Request, &Config::default(), input)
}

pub fn accept_with(config: &Config, input: &[u8]) -> Message {
    expect_accept(Kind::Request, config, input)
}

pub fn reject(input: &[u8], rule: ErrorKind, offset: u64) {
    expect_reject(Kind::Request, &Config::default(), input, rule, offset)
}

pub fn reject_with(config: &Config, input: &[u8], rule: ErrorKind, offset: u64) {
    expect_reject(Kind::Request, config, input, rule, offset)
}

pub fn accept_response(to: ResponseTo, input: &[u8]) -> Message {
    expect_accept(Kind::Response(to), &Config::default(), input)
}

pub fn accept_response_with(config: &Config, to: ResponseTo, input: &[u8]) -> Message {
    expect_accept(Kind::Response(to), config, input)
}

pub fn reject_response(to: ResponseTo, input: &[u8], rule: ErrorKind, offset: u64) {
    expect_reject(Kind::Response(to), &Config::default(), input, rule, offset)
}

pub fn reject_response_with(config: &Config, to: ResponseTo, input: &[u8], rule: ErrorKind, offset: u64) {
    expect_reject(Kind::Response(to), config, input, rule, offset)
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
