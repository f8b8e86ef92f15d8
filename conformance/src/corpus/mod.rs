//! The conformance corpus: `corpus/cases/*.toml`, one file per RFC section, the one source of
//! truth for the snapshot suite, the fuzz seeds and the live-server probe.
//!
//! # Format
//!
//! ```toml
//! [section]
//! id = "9112-5"
//! title = "RFC 9112 §5 Field syntax"
//!
//! [[case]]
//! id = "field-space-before-colon"          # unique across the corpus
//! rfc = ["RFC 9112 §5.1", "RFC 7230 §3.2.4"]
//! level = "MUST"                           # MUST / SHOULD / MAY
//! raw = 'GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n'
//! expect = "reject"                        # accept / reject / incomplete
//! status = [400]                           # reject: what a server may answer
//! error = "whitespace-before-colon"        # h1wire's rule name (optional)
//! cve = "CVE-2019-16276"                   # optional
//! requirement = "No whitespace is allowed between the field name and colon."  # optional
//! desync = "TE.CL"                         # framing cases: the class a misreading opens
//! must_close = true                        # the server MUST close after answering
//! may_accept_if_closed = true              # a live server may also answer 2xx, then close
//! ```
//!
//! `raw` is a TOML literal string whose escapes this module decodes: `\r \n \t \0 \\`, `\xHH`
//! for any byte, and `\R(N,TEXT)` for TEXT (itself escaped, without `)`) repeated N times. A
//! response case says `role = "response"` and, when it matters, `request_method = "HEAD"`, and
//! `recipient = "user-agent"` when the rule is a user agent's (obs-fold, RFC 9112 §5.2; the
//! default recipient is a proxy).
//! Accepted cases may pin `method`, `target`, `version`, `status_code`, `reason`, `headers`,
//! `trailers`, `body`, `body_len`, `consumed` and `framing` (`empty`, `length`, `chunked`,
//! `until-close`); each one given is checked.
//!
//! The module is the data and nothing else: [`schema`] (the types), [`mod@load`] (reading and
//! checking the files, and the cases derived from them), [`escape`] (the `raw` escapes). Running a
//! case against h1wire is `crate::suite`'s; the live probe is `crate::probe`'s.

pub mod escape;
pub mod load;
pub mod schema;

pub use escape::{decode, encode};
pub use load::{default_dir, embedded, load, load_str, LoadError, EMBEDDED};
pub use schema::{Case, CaseKind, DesyncClass, Expect, Level, Recipient, Section};
