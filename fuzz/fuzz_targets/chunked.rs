//! Any bytes as a chunked body, decoded alone: whole and one byte at a time agree, and the
//! decoded body never exceeds the bytes consumed.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1wire::check::fuzz::chunked(data));
