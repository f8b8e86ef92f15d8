//! The fuzz targets' checks, run in the test suite on known inputs: every corpus case through
//! the parse targets, the chunked decoder on every chunked body, and the structured targets on
//! scripted inputs, including the two crashes the fuzzers found.

use h1spec::corpus::{self, CaseKind};
use h1wire_check::conversation::{self, Action};
use h1wire_check::fuzz::{self, Plan};

#[test]
fn parse_checks_hold_on_every_corpus_case() {
    for section in corpus::load(&corpus::default_dir()).unwrap() {
        for case in &section.cases {
            let raw = case.bytes();
            match case.kind {
                CaseKind::Request => {
                    fuzz::parse_request(&raw);
                    if let Some(end) = h1spec::head::head_end(&raw) {
                        fuzz::chunked(&raw[end..]);
                    }
                }
                CaseKind::Response => {
                    let selector =
                        ["GET", "HEAD", "CONNECT", "POST"].iter().position(|m| *m == case.request_method).unwrap_or(0);
                    let mut seed = vec![u8::try_from(selector).unwrap()];
                    seed.extend_from_slice(&raw);
                    fuzz::parse_response(&seed);
                }
            }
        }
    }
}

/// The fast path against the machine on every corpus case, under every configuration the
/// `whole_head` target can pick (leniencies and small limits), and with the case twice in a row
/// (the second head comes after a first message, in the same buffer).
#[test]
fn whole_head_check_holds_on_every_corpus_case() {
    for section in corpus::load(&corpus::default_dir()).unwrap() {
        for case in &section.cases {
            let raw = case.bytes();
            let twice = [&raw[..], &raw[..]].concat();
            let to = ["GET", "HEAD", "CONNECT", "POST"].iter().position(|m| *m == case.request_method).unwrap_or(0);
            let base = match case.kind {
                CaseKind::Request => fuzz::whole_head_selector(None),
                CaseKind::Response => fuzz::whole_head_selector(Some(u8::try_from(to).unwrap())),
            };
            for options in [0u8, 8, 16, 24, 32, 56] {
                for input in [&raw, &twice] {
                    fuzz::whole_head(&[&[base | options][..], input].concat());
                }
            }
        }
    }
}

#[test]
fn roundtrip_check_on_plans() {
    let base = Plan {
        request: true,
        method: "POST",
        target: "/x?y",
        status: 200,
        reason: b"OK",
        fields: vec![("X-A", b"caf\xe9"), ("Content-Length", b"99")],
        body: Some((vec![b"ab", b"", b"cd"], true)),
        trailers: vec![("T", b"1")],
    };
    fuzz::roundtrip(&base);
    fuzz::roundtrip(&Plan { body: Some((vec![b"abcd"], false)), ..base.clone() });
    fuzz::roundtrip(&Plan { method: "G T", ..base.clone() }); // refused by the writer: nothing to check
                                                              // Found by the roundtrip fuzzer: a response with no body plan is chunked by the writer,
                                                              // which adds the field itself.
    fuzz::roundtrip(&Plan { request: false, body: None, fields: vec![], ..base.clone() });
    fuzz::roundtrip(&Plan { request: false, status: 204, ..base.clone() });
}

#[test]
fn connection_check_on_scripted_conversations() {
    use Action::*;
    let request = |method, body: Option<Vec<&'static [u8]>>, chunked, expect_continue, finish| Request {
        method,
        body,
        chunked,
        expect_continue,
        close: false,
        upgrade: false,
        finish,
    };
    // A keep-alive exchange, a 100-continue exchange, a chunked one, then a close.
    conversation::connection(&[
        request(0, None, false, false, true),
        Deliver(true, 1000),
        Respond { status: 100, body: b"hi", declared: true, close: false },
        Deliver(false, 1000),
        request(1, Some(vec![b"data"]), false, true, false),
        Deliver(true, 1000),
        Continue,
        Deliver(false, 1000),
        ClientData(b"data"),
        ClientEnd,
        Deliver(true, 1000),
        Respond { status: 101, body: b"", declared: false, close: false },
        Deliver(false, 1000),
        request(3, Some(vec![b"a", b"b"]), true, false, true),
        Deliver(true, 3),
        Deliver(true, 1000),
        Respond { status: 400, body: b"no", declared: false, close: true },
        Deliver(false, 1000),
        Eof(false),
        Deliver(false, 0),
    ]);
    // Found by the connection fuzzer: a CONNECT with content was written, then refused by the
    // server. The writer now refuses it, so the server never sees it.
    conversation::connection(&[request(4, Some(vec![b"x"]), false, false, true), Deliver(true, 1000)]);
    conversation::connection(&[request(4, Some(vec![b"x"]), true, false, true), Deliver(true, 1000)]);
}
