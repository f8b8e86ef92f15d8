//! The tests of h1spec, one binary: the CLI as a user runs it, the corpus (expectations and
//! snapshots), the differential check against httparse, the fuzz checks on known inputs, and the
//! property tests, the reference server, and the probe against known servers.

mod cli_parse;
mod cli_probe;
mod cli_suite;
mod client;
mod corpus;
mod diff;
mod differential;
mod fuzz_checks;
mod layers;
mod peers;
mod probe;
mod reference_server;
mod roundtrip;
mod servers;
