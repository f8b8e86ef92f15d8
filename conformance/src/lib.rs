//! # h1spec: an HTTP/1.1 conformance harness built on h1wire
//!
//! This crate holds what the `h1spec` command does, as functions the tests call directly. For
//! now: [`parse`] (the `h1spec parse` verdict on one message), [`corpus`] (the conformance
//! cases) and [`suite`] (`h1spec suite`, every case against h1wire).

// Only `diff::pico` opts out, to call picohttpparser (a C library) through FFI.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod contract;
pub mod corpus;
pub mod diff;
pub mod differential;
pub mod head;
pub mod parse;
pub mod pipeline;
pub mod probe;
pub mod report;
pub mod seeds;
pub mod server;
pub mod suite;
