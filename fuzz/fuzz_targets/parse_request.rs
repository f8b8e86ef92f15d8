//! Any bytes as a request: no panic, the same outcome whole, one byte at a time and cut once
//! (the first byte picks where), and an outcome within the input and the limits.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1wire_check::fuzz::parse_request(data));
