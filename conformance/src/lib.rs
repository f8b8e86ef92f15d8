//! # h1spec: an HTTP/1.1 conformance harness built on h1wire
//!
//! This crate holds what the `h1spec` command does, as functions the tests call directly; the
//! binary only parses arguments and renders. Every mode runs one way: a case from the corpus
//! goes to a subject, what the subject did is observed, a judge says what it means, a report
//! renders it.
//!
//! ```text
//!  corpus ──► subject ──────────► observation ──────► judge ──────────► report
//!  (data)     h1wire in process   a Message, a        pure functions    console, JSON,
//!             a live server       Reading, an         of observations   JUnit, Markdown
//!             other parsers,      Exchange            and the case
//!             origins, proxies    (typed data)
//! ```
//!
//! | layer | modules |
//! | --- | --- |
//! | data | [`corpus`] (the cases: [`corpus::schema`], [`mod@corpus::load`], [`corpus::escape`]), [`contract`] (the JSON other programs exchange with h1spec), [`head`] (facts about raw text) |
//! | subjects | [`suite`] (h1wire in process), [`probe`] (a live server: [`probe::wire`] reads its responses within bounds), [`diff::peers`] (other parsers, origins and proxies, one descriptor each), [`server`] (the reference server) |
//! | judges | [`suite`]'s case check, [`probe::reading`] and [`probe::judge`] (the RFC's readings and the desync verdicts), [`mod@diff::compare`] and [`diff::quirks`] (the differential comparator), [`differential`] (httparse, for the fuzzer) |
//! | reports | [`report`] (probe and suite: console, JSON, JUnit), [`mod@diff::report`] (console, Markdown, JSON) |
//! | runs | [`pipeline`] (cases × subject, in parallel), [`mod@probe::session`], [`mod@diff::session`], [`mod@diff::run`] (streams, mutations, minimisation), [`mod@parse`] (`h1spec parse`), [`seeds`] |
//!
//! Not all of it is one pipeline yet: `diff` still has its own `Implementation` subject and
//! `Reading` observation beside [`pipeline::Subject`], and a probe subject still judges inside
//! its run (it calls the pure judges, but returns judged results).

// Only `h1spec-pico` (its own crate) calls picohttpparser through FFI; nothing here is unsafe.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod background;
pub mod canary;
pub mod contract;
pub mod corpus;
pub mod diff;
pub mod differential;
pub mod head;
pub mod net;
pub mod parse;
pub mod pipeline;
pub mod probe;
pub mod report;
pub mod seeds;
pub mod server;
pub mod suite;
