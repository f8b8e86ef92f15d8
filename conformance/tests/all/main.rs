//! The tests of h1spec, one binary: the CLI as a user runs it, the corpus (expectations and
//! snapshots), the differential check against httparse, the fuzz checks on known inputs, and the
//! property tests.

mod cli_parse;
mod cli_suite;
mod corpus;
mod differential;
mod fuzz_checks;
mod probe;
mod roundtrip;
mod servers;
