//! # h1wire-check: the test harness beside h1wire
//!
//! What the test suites, the fuzz targets and `h1spec` use to drive h1wire and check it, kept out
//! of the codec so that the product crate carries no test asserts:
//!
//! - [`drive`]: parse the first message of an input cut into reads, the way a server's read loop
//!   does (a cursor into one buffer, compacted once per read), into an owned [`Message`];
//! - [`split`]: the same input whole, one byte at a time, cut at every offset, with the body read
//!   as events and in place, with heads through the fast path and through the resumable machine
//!   only, and followed by trailing data, must give one outcome;
//! - [`fuzz`] and [`conversation`]: the checks behind each fuzz target, which the test suites
//!   also run on the corpus.
//!
//! The checks panic on a broken invariant: that is how a fuzzer learns of it.
//!
//! ```
//! use h1wire_check::{run, Kind};
//!
//! let message = run(Kind::Request, &Default::default(), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &[3, 9]).unwrap();
//! assert_eq!(message.consumed, 27);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod conversation;
pub mod drive;
pub mod fuzz;
pub mod split;

pub use drive::{run, run_on, run_with, Body, Counts, HeadPath, Kind, Message, Refused, StartLine};
pub use split::split_invariant;
