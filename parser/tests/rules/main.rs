//! The rule tests of h1wire, one binary: every input is parsed whole, one byte at a time, cut in
//! two at every offset, with the body as events and in place, and with trailing data after it
//! (`h1wire_check::split_invariant`), and all runs must agree before the outcome is looked at.

mod common;

mod chunked;
mod conn;
mod fields;
mod framing;
mod host;
mod limits;
mod request_line;
mod response;
mod stream;
mod write;
