//! # h1spec: an HTTP/1.1 conformance harness built on h1wire
//!
//! This crate holds what the `h1spec` command does, as functions the tests call directly. For
//! now that is [`parse`]: the `h1spec parse` verdict on one message.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod parse;
