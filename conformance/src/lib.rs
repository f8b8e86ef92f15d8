//! # h1spec: an HTTP/1.1 conformance harness built on h1wire
//!
//! This crate holds what the `h1spec` command does, as functions the tests call directly; the
//! binary only parses arguments and renders. Every mode runs one way: a case from the corpus
//! goes to a subject, what the subject did is observed, a judge says what it means, a report
//! renders it.
//!
//! ```text
//!  corpus ──► subject ──────────► observation ──────► judge ──────────► report
//!  (data)     h1wire in process   an Exchange, a      pure functions    console, JSON,
//!             a live server       Reading, an         of observations   JUnit, Markdown
//!             other parsers,      Observed            and the case
//!             origins, proxies    (typed data)
//! ```
//!
//! Layers, lowest first. A module imports only from its own layer or those below (the test
//! `layers` checks it from the source, with this table):
//!
//! | layer | modules |
//! | --- | --- |
//! | data | [`corpus`] (the cases: [`corpus::schema`], [`mod@corpus::load`], [`corpus::escape`]), [`contract`] (the JSON other programs exchange with h1spec), [`head`] (facts about raw text), [`canary`] |
//! | network | [`net`] (the one bounded client exchange), [`background`] (the one background server) |
//! | model | [`pipeline`] ([`pipeline::Subject`], [`pipeline::Judge`], the results), [`probe::observation`], [`diff`] ([`diff::Implementation`] and its [`diff::Reading`]s), [`client`] (what a client made of a response) |
//! | subjects | [`suite::subject`] (h1wire in process), [`probe`] ([`probe::Live`], a live server), [`diff::peers`] (other parsers, origins and proxies, one descriptor each), [`server`] (the reference server), [`mod@parse`] (`h1spec parse`), [`client::origin`] (the hostile origin), [`client::subject`] (HTTP clients), [`client::proxy`] (proxies on the way back) |
//! | judges | [`suite::expectation`], [`probe::reading`], [`probe::judge`] and [`probe::verdict`] (the RFC's readings and the desync verdicts), [`mod@diff::compare`] and [`diff::quirks`] (the differential comparator), [`differential`] (httparse, for the fuzzer), [`client::judge`] |
//! | runs | [`suite`] ([`suite::run()`]), [`mod@probe::session`] (what to send for each case), [`mod@diff::run`] (streams, mutations, minimisation), [`mod@diff::session`], [`diff::save`], [`seeds`], [`mod@client::session`] |
//! | reports | [`report`]: [`report::cases`] (probe and suite: console, JSON, JUnit), [`report::table`] (the suite's table), [`report::diff`] (console, Markdown, JSON) |
//!
//! Two kinds of subject share this shape. A corpus case runs on a [`pipeline::Subject`], whose
//! observation a [`pipeline::Judge`] turns into a result. A raw stream (the diff's mutations and
//! minimised streams have no case) runs on a [`diff::Implementation`], whose
//! [`diff::Observation`] the comparator judges against the other implementations'.

// Only `h1spec-pico` (its own crate) calls picohttpparser through FFI; nothing here is unsafe.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod background;
pub mod canary;
pub mod client;
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
