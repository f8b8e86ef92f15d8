//! The whole-head fast path against the resumable machine: the first byte picks a request or a
//! response and the configuration, the rest is fed whole to a parser with the fast path and to
//! one without; both must report the same events, heads read in full, and the same error at the
//! same offset.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1wire_check::fuzz::whole_head(data));
