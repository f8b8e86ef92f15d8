//! Any bytes as a chunked body (after a fixed head): whole and one byte at a time, as events and
//! in place, all agree; the decoded body never exceeds the bytes consumed.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1wire_check::fuzz::chunked(data));
