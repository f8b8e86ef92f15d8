//! # h1wire: a strict, sans-io HTTP/1.1 codec
//!
//! h1wire reads and writes HTTP/1.1 messages. It does **no IO**: it never reads a socket, never
//! looks at a clock, never spawns a thread. You receive bytes however you like and hand them in;
//! h1wire hands back events that borrow from those bytes, and writes the messages you give it
//! into a `Vec<u8>` you send.
//!
//! ```text
//!  bytes in  ──► RequestParser / ResponseParser ──► Event::Head (method, target, fields…), Data, Trailers, EndOfMessage
//!                 (split anywhere, never re-read)  └► Error { kind, offset, status } ─► answer 400/413/414/431/501/505
//!  messages  ──► write::encode_request_head / encode_response_head ──► bytes out, then BodyEncoder for the body
//!  both ways ──► conn::Connection: one request, then its response; keep-alive, 100-continue, Upgrade/CONNECT
//! ```
//!
//! It is **strict by default**, following RFC 9110 and RFC 9112: everything that could make two
//! implementations disagree about where a message starts or ends is refused with a typed
//! [`Error`] naming the rule, the byte offset and the status a server should answer. The few
//! leniencies RFC 9112 permits are named, off-by-default options of [`Config`], each documented
//! with the attack it opens. The writer applies the same rules to what it writes.
//!
//! ## Which type do I want?
//!
//! | you are writing | use | it gives you |
//! | --- | --- | --- |
//! | a server or proxy reading requests | [`RequestParser`] (methods in [`Parse`]) | [`Event`]s with [`RequestHead`], body data, trailers |
//! | a client or proxy reading responses | [`ResponseParser`], told what each answers ([`ResponseTo`]) | [`Event`]s with [`ResponseHead`] |
//! | the bytes of a message you send | [`write::encode_request_head`], [`write::encode_response_head`] | the head written, a [`write::BodyEncoder`] for the body |
//! | a whole connection, either end | [`conn::Connection`] ([`conn::Role::Server`] or [`conn::Role::Client`]) | [`conn::ConnEvent`]s, the order of things enforced, the raw stream after a protocol switch |
//! | interop with the `http` crate | `interop` (feature `http`) | `http::Request<()>` / `http::Response<()>` from heads and back |
//!
//! ## Parse: a server's read loop
//!
//! Keep a cursor into your buffer and compact it once per read, not once per event:
//!
//! ```
//! use h1wire::{Event, Parse, RequestParser};
//!
//! // Bytes as they might come off a socket, cut at arbitrary places.
//! let reads: [&[u8]; 3] = [b"GET /a HTTP/1.1\r\nHo", b"st: example.com\r\n\r\nGET /b HT", b"TP/1.1\r\nHost: x\r\n\r\n"];
//!
//! let mut parser = RequestParser::new();
//! let (mut buf, mut start) = (Vec::new(), 0);
//! let mut paths = Vec::new();
//! for read in reads {
//!     buf.drain(..start); // drop what was consumed, once per read
//!     start = 0;
//!     buf.extend_from_slice(read);
//!     loop {
//!         let out = parser.parse(&buf[start..]).expect("valid requests");
//!         start += out.consumed;
//!         let Some(event) = out.event else { break }; // need more bytes
//!         if let Event::Head { head, .. } = event {
//!             paths.push(head.target().path().to_owned());
//!         }
//!     }
//! }
//! assert_eq!(paths, ["/a", "/b"]);
//! ```
//!
//! ## Write: a response
//!
//! ```
//! use h1wire::write::{encode_response_head, Response};
//! use h1wire::{ResponseTo, Version};
//!
//! let mut out = Vec::new();
//! let head = Response { version: Version::Http11, status: 200, reason: b"OK", fields: &[("Content-Length", b"2")] };
//! let mut body = encode_response_head(&head, ResponseTo::Other, Version::Http11, &mut out).unwrap();
//! body.encode_data(b"hi", &mut out).unwrap();
//! body.finish(&[], &mut out).unwrap();
//! assert_eq!(out, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
//! ```
//!
//! ## Connection: both layers, in order
//!
//! ```
//! use h1wire::conn::{ConnEvent, Connection, Role};
//! use h1wire::write::Request;
//! use h1wire::Version;
//!
//! let mut client = Connection::new(Role::Client);
//! let mut wire = Vec::new();
//! let get = Request { method: "GET", target: "/", version: Version::Http11, fields: &[("Host", b"example.com")] };
//! client.send_request(&get, &mut wire).unwrap();
//! client.send_end(&[], &mut wire).unwrap();
//! assert_eq!(wire, b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
//!
//! client.handle_bytes(b"HTTP/1.1 204 No Content\r\n\r\n");
//! assert!(matches!(client.poll_event().unwrap(), ConnEvent::Response { .. }));
//! assert!(matches!(client.poll_event().unwrap(), ConnEvent::EndOfMessage));
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
mod message;
pub mod write;

pub use body::Framing;
pub use config::Config;
pub use error::{Error, ErrorKind, ErrorStatus};
pub use head::{
    Authority, ConnectionOptions, Field, FieldName, Fields, RequestHead, ResponseHead, ResponseTo, Target, TargetForm,
    Version,
};
pub use message::{Closed, Event, InPlace, Output, Parse, RequestParser, ResponseParser};

// The README's examples are compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
