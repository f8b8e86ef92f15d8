//! Limits and leniencies. Every limit has a default a production server can keep; every leniency
//! is off by default and names the attack it opens.

/// How strict the parser is and how much it accepts.
///
/// Build one from [`Config::default`] and change the fields you need:
///
/// ```
/// let mut config = h1wire::Config::default();
/// config.max_head_bytes = 16 * 1024; // what Node and h11 allow
/// let parser = h1wire::RequestParser::with_config(config);
/// # let _ = parser;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Longest head (start line, field lines and the empty line that ends them, plus any empty
    /// lines skipped before a request line), in bytes. Past it: [`HeadTooLarge`], 431.
    ///
    /// Default 64 KiB. Node and h11 allow 16 KiB, which large cookie jars do exceed; Go allows
    /// 1 MiB and hyper about 400 KiB, which let every idle connection pin that much memory.
    ///
    /// [`HeadTooLarge`]: crate::ErrorKind::HeadTooLarge
    pub max_head_bytes: usize,
    /// Most field lines in a head, and in a trailer section. Past it: [`TooManyFields`], 431.
    ///
    /// Default 100, as Apache's `LimitRequestFields` and hyper. Browsers send about 20.
    ///
    /// [`TooManyFields`]: crate::ErrorKind::TooManyFields
    pub max_fields: usize,
    /// Longest request-target, in bytes. Past it: [`TargetTooLong`], 414.
    ///
    /// Default 8 KiB: RFC 9112 §3 recommends accepting request lines of at least 8,000 bytes;
    /// nginx and Apache stop at about 8 KiB.
    ///
    /// [`TargetTooLong`]: crate::ErrorKind::TargetTooLong
    pub max_target_bytes: usize,
    /// Largest body: a larger Content-Length, or a chunked or close-delimited body that grows
    /// past it, is refused with [`BodyTooLarge`], 413.
    ///
    /// Default 1 GiB: larger than any upload a general-purpose server expects, small enough that
    /// a forged length of 2^63 is refused at the head. A client downloading large files raises it.
    ///
    /// [`BodyTooLarge`]: crate::ErrorKind::BodyTooLarge
    pub max_body_bytes: u64,
    /// Longest chunk-size line (size and extensions, without CRLF). Past it:
    /// [`ChunkExtensionsTooLarge`], 413.
    ///
    /// Default 1 KiB: 16 hex digits and room for any extension seen in practice.
    ///
    /// [`ChunkExtensionsTooLarge`]: crate::ErrorKind::ChunkExtensionsTooLarge
    pub max_chunk_line_bytes: usize,
    /// Most chunk-extension bytes in one body, summed over its chunks. Past it:
    /// [`ChunkExtensionsTooLarge`], 413.
    ///
    /// Default 16 KiB, as hyper. Without this bound a peer can send a gigabyte of extensions
    /// with one-byte chunks, costing the server work the body size limit never sees.
    ///
    /// [`ChunkExtensionsTooLarge`]: crate::ErrorKind::ChunkExtensionsTooLarge
    pub max_chunk_ext_bytes: u64,
    /// Longest trailer section, in bytes. Past it: [`TrailersTooLarge`], 431.
    ///
    /// Default 16 KiB, as hyper: trailers carry checksums and signatures, not cookies.
    ///
    /// [`TrailersTooLarge`]: crate::ErrorKind::TrailersTooLarge
    pub max_trailer_bytes: usize,
    /// Accept a bare LF as the end of the start line and of field lines (in the head and in a
    /// trailer section), as RFC 9112 §2.2 lets a recipient do: "a recipient MAY recognize a
    /// single LF as a line terminator and ignore any preceding CR".
    ///
    /// Off by default. A front end that does not treat a bare LF as a line end sees
    /// `X: a\nTransfer-Encoding: chunked` as one field while this parser sees two: a
    /// request-smuggling desync.
    ///
    /// Chunk lines are not covered: a bare LF ending a chunk-size line, chunk data or the
    /// last-chunk line is always refused with [`ChunkLineBareLf`] (RFC 9112 §7.1 requires CRLF
    /// there; accepting it is CVE-2025-22871 in Go).
    ///
    /// [`ChunkLineBareLf`]: crate::ErrorKind::ChunkLineBareLf
    pub allow_bare_lf: bool,
    /// In responses, replace obs-fold (a line starting with SP or HTAB) by joining it to the
    /// previous field value, as RFC 9112 §5.2 lets a user agent do. Requests always refuse it.
    ///
    /// Off by default: a proxy that forwards the folded line as-is while another hop unfolds it
    /// lets a response header be hidden from one of them (response splitting). Framing fields
    /// (Content-Length, Transfer-Encoding) are refused when folded even with this option.
    pub allow_obs_fold: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_head_bytes: 64 * 1024,
            max_fields: 100,
            max_target_bytes: 8 * 1024,
            max_body_bytes: 1 << 30,
            max_chunk_line_bytes: 1024,
            max_chunk_ext_bytes: 16 * 1024,
            max_trailer_bytes: 16 * 1024,
            allow_bare_lf: false,
            allow_obs_fold: false,
        }
    }
}
