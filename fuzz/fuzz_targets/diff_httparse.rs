//! h1wire against httparse: where both accept a request head, method, target, version and
//! fields match; any accept/reject disagreement must be on h1spec::differential's closed list.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(why) = h1spec::differential::diff_httparse(data) {
        panic!("{why}");
    }
});
