//! Any bytes as a response; the first byte picks the request it answers (GET, HEAD, CONNECT,
//! POST), so every framing context is covered. Same invariants as parse_request.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1wire_check::fuzz::parse_response(data));
