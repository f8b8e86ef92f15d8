//! A structured message (arbitrary method, target, fields, body pieces, trailers): whatever the
//! writer accepts, the parser must read back identically.
#![no_main]

use h1wire_check::fuzz::{roundtrip, Plan};

libfuzzer_sys::fuzz_target!(|plan: Plan<'_>| roundtrip(&plan));
