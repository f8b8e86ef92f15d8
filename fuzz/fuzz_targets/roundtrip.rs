//! A structured message (arbitrary method, target, fields, body pieces, trailers): whatever the
//! writer accepts, the parser must read back identically.
#![no_main]

use arbitrary::Arbitrary;
use h1wire::check::fuzz::{roundtrip, Plan};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    request: bool,
    method: &'a str,
    target: &'a str,
    status: u16,
    reason: &'a [u8],
    fields: Vec<(&'a str, &'a [u8])>,
    body: Option<(Vec<&'a [u8]>, bool)>,
    trailers: Vec<(&'a str, &'a [u8])>,
}

libfuzzer_sys::fuzz_target!(|input: Input<'_>| {
    roundtrip(&Plan {
        request: input.request,
        method: input.method,
        target: input.target,
        status: input.status,
        reason: input.reason,
        fields: input.fields,
        body: input.body,
        trailers: input.trailers,
    });
});
