//! # h1wire: a strict, sans-io HTTP/1.1 codec
//!
//! h1wire parses HTTP/1.1 messages from bytes. It does **no IO**: it never reads a socket, never
//! looks at a clock, never spawns a thread. The caller receives bytes however it likes and hands
//! them in; h1wire hands back events that borrow from those bytes.
//!
//! ```text
//!   bytes from the peer ──► RequestParser / ResponseParser ──► Event::Head  (method, target, fields…)
//!   (split anywhere)          │ keeps its place between calls    Event::Data  (body, de-chunked)
//!                             │ never re-reads a byte            Event::Trailers
//!                             ▼                                  Event::End
//!                           Error { kind, offset, status }  ──► answer 400 / 413 / 414 / 431 / 501 / 505
//! ```
//!
//! It is **strict by default**, following RFC 9110 and RFC 9112: everything that could make two
//! implementations disagree about where a message starts or ends is refused with a typed
//! [`Error`] naming the rule, the byte offset and the status a server should answer. The few
//! leniencies RFC 9112 permits are named, off-by-default options of [`Config`], each documented
//! with the attack it opens.
//!
//! ## A server's read loop
//!
//! ```
//! use h1wire::{Event, RequestParser};
//!
//! // Bytes as they might come off a socket, cut at arbitrary places.
//! let reads: [&[u8]; 3] = [b"GET /a HTTP/1.1\r\nHo", b"st: example.com\r\n\r\nGET /b HT", b"TP/1.1\r\nHost: x\r\n\r\n"];
//!
//! let mut parser = RequestParser::new();
//! let mut buf = Vec::new();
//! let mut paths = Vec::new();
//! for read in reads {
//!     buf.extend_from_slice(read);
//!     loop {
//!         let out = parser.parse(&buf).expect("valid requests");
//!         let consumed = out.consumed;
//!         let Some(event) = out.event else { break }; // need more bytes
//!         if let Event::Head { head, .. } = event {
//!             paths.push(head.target().path().to_owned());
//!         }
//!         buf.drain(..consumed);
//!     }
//! }
//! assert_eq!(paths, ["/a", "/b"]);
//! ```
//!
//! ## Guarantees
//!
//! - **Incremental and linear**: a head may arrive one byte at a time; the parser resumes where
//!   it stopped, so total work stays linear, and every split of the same input gives the same
//!   outcome (the test suites check every split point).
//! - **Zero-copy**: heads, body data and trailers are slices of the caller's buffer; the only
//!   allocation is the field index, made once per parser and reused.
//! - **Bounded**: every size is limited ([`Config`]), and no input makes it panic or loop.
//! - `#![no_std]` with `alloc`, and no `unsafe`.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod body;
mod chars;
mod config;
pub mod conn;
mod error;
mod head;
#[cfg(feature = "http")]
pub mod interop;
pub mod message;
pub mod write;

pub use body::Framing;
pub use config::Config;
pub use error::{Error, ErrorKind, ErrorStatus};
pub use head::{
    Authority, ConnectionOptions, Field, Fields, RequestHead, ResponseHead, ResponseTo, Target, TargetForm, Version,
};
pub use message::{Closed, Event, InPlace, Output, Parse, RequestParser, ResponseParser};
