//! A client and a server Connection driven by an arbitrary sequence of sends, deliveries of
//! received pieces and closes: neither may refuse what the other wrote, nothing may panic or loop.
#![no_main]

use arbitrary::Arbitrary;
use h1wire::check::fuzz::{connection, Action};

#[derive(Arbitrary, Debug)]
enum Step<'a> {
    Request { method: u8, body: Option<Vec<&'a [u8]>>, chunked: bool, expect_continue: bool, close: bool, upgrade: bool, finish: bool },
    ClientData(&'a [u8]),
    ClientEnd,
    Continue,
    Respond { status: u16, body: &'a [u8], declared: bool, close: bool },
    Deliver(bool, u16),
    Eof(bool),
}

libfuzzer_sys::fuzz_target!(|steps: Vec<Step<'_>>| {
    let actions: Vec<Action<'_>> = steps
        .into_iter()
        .map(|s| match s {
            Step::Request { method, body, chunked, expect_continue, close, upgrade, finish } => {
                Action::Request { method, body, chunked, expect_continue, close, upgrade, finish }
            }
            Step::ClientData(d) => Action::ClientData(d),
            Step::ClientEnd => Action::ClientEnd,
            Step::Continue => Action::Continue,
            Step::Respond { status, body, declared, close } => Action::Respond { status, body, declared, close },
            Step::Deliver(to_server, max) => Action::Deliver(to_server, max),
            Step::Eof(to_server) => Action::Eof(to_server),
        })
        .collect();
    connection(&actions);
});
