//! A client and a server Connection driven by an arbitrary sequence of sends, deliveries of
//! received pieces and closes: neither may refuse what the other wrote, nothing may panic or loop.
#![no_main]

use h1wire_check::conversation::{connection, Action};

libfuzzer_sys::fuzz_target!(|actions: Vec<Action<'_>>| connection(&actions));
