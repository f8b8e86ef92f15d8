//! picohttpparser (H2O's HTTP/1.1 parser, a C library) behind one safe wrapper: the only
//! `unsafe` in the workspace that calls it. It is called as its users call it: the caller owns
//! one header array and hands it in on every call; nothing is copied, every slice borrows the
//! input. The benchmarks measure through it and `h1spec diff` reads heads with it.
//!
//! ```
//! let mut headers = [h1spec_pico::Header::EMPTY; 8];
//! let head = h1spec_pico::parse_request(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n", &mut headers).unwrap();
//! assert_eq!((head.method, head.path, head.minor_version, head.consumed), (&b"GET"[..], &b"/a"[..], 1, 28));
//! assert_eq!(headers[0].pair(), (&b"Host"[..], &b"x"[..]));
//! ```
#![allow(unsafe_code, reason = "calling picohttpparser, a C library, needs FFI")]

use picohttpparser_sys as pico;

/// One header slot, as picohttpparser fills it, borrowing the input `'a` it was filled from (so
/// that a slot cannot outlive the bytes it points into).
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct Header<'a>(pico::phr_header, std::marker::PhantomData<&'a [u8]>);

impl<'a> Header<'a> {
    /// An unused slot.
    pub const EMPTY: Header<'a> = Header(
        pico::phr_header { name: std::ptr::null(), name_len: 0, value: std::ptr::null(), value_len: 0 },
        std::marker::PhantomData,
    );

    /// The name and the value.
    #[inline]
    pub fn pair(&self) -> (&'a [u8], &'a [u8]) {
        (slice(self.0.name, self.0.name_len), slice(self.0.value, self.0.value_len))
    }
}

/// Why picohttpparser did not give a head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The head is not complete yet (`-2`).
    Partial,
    /// The head is malformed (`-1`, or another negative value, kept here).
    Invalid(i32),
}

/// A request head; `headers[..count]` of the array handed in hold its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method.
    pub method: &'a [u8],
    /// The request-target.
    pub path: &'a [u8],
    /// `x` of `HTTP/1.x`.
    pub minor_version: i32,
    /// How many header slots were filled.
    pub count: usize,
    /// The head's length.
    pub consumed: usize,
}

/// A response head; `headers[..count]` of the array handed in hold its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    /// `x` of `HTTP/1.x`.
    pub minor_version: i32,
    /// The status code.
    pub status: i32,
    /// The reason phrase.
    pub reason: &'a [u8],
    /// How many header slots were filled.
    pub count: usize,
    /// The head's length.
    pub consumed: usize,
}

/// The bytes a picohttpparser result points at: empty for a null pointer or a zero length.
#[inline]
fn slice<'a>(ptr: *const std::ffi::c_char, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: picohttpparser points into the input it was given; every caller ties the
    // lifetime of what it returns to that input.
    unsafe { std::slice::from_raw_parts(ptr.cast(), len) }
}

fn outcome(n: i32) -> Result<usize, Error> {
    match n {
        -2 => Err(Error::Partial),
        n if n < 0 => Err(Error::Invalid(n)),
        n => Ok(usize::try_from(n).expect("non-negative")),
    }
}

/// `phr_parse_request` on `input`, filling `headers` (as many slots as it has).
///
/// # Errors
///
/// [`Error::Partial`] when the head is not complete, [`Error::Invalid`] when it is malformed
/// (or has more fields than `headers` has slots).
#[inline]
pub fn parse_request<'a>(input: &'a [u8], headers: &mut [Header<'a>]) -> Result<Request<'a>, Error> {
    let (mut method, mut method_len, mut path, mut path_len) = (std::ptr::null(), 0, std::ptr::null(), 0);
    let (mut minor_version, mut count) = (0, headers.len());
    // SAFETY: every pointer is valid for the lengths given (`Header` is a transparent
    // `phr_header`); picohttpparser only reads `input` and writes the out-parameters and at most
    // `count` headers.
    let n = unsafe {
        pico::phr_parse_request(
            input.as_ptr().cast(),
            input.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor_version,
            headers.as_mut_ptr().cast::<pico::phr_header>(),
            &mut count,
            0,
        )
    };
    let consumed = outcome(n)?;
    Ok(Request { method: slice(method, method_len), path: slice(path, path_len), minor_version, count, consumed })
}

/// `phr_parse_response` on `input`, filling `headers`.
///
/// # Errors
///
/// As [`parse_request`].
#[inline]
pub fn parse_response<'a>(input: &'a [u8], headers: &mut [Header<'a>]) -> Result<Response<'a>, Error> {
    let (mut minor_version, mut status, mut msg, mut msg_len, mut count) = (0, 0, std::ptr::null(), 0, headers.len());
    // SAFETY: as in `parse_request`.
    let n = unsafe {
        pico::phr_parse_response(
            input.as_ptr().cast(),
            input.len(),
            &mut minor_version,
            &mut status,
            &mut msg,
            &mut msg_len,
            headers.as_mut_ptr().cast::<pico::phr_header>(),
            &mut count,
            0,
        )
    };
    let consumed = outcome(n)?;
    Ok(Response { minor_version, status, reason: slice(msg, msg_len), count, consumed })
}

/// Decodes a whole chunked body in place with `phr_decode_chunked` (trailers consumed): returns
/// the length of the data now at the front of `buf` and how many bytes followed the body.
///
/// # Errors
///
/// As [`parse_request`]: [`Error::Partial`] when the body is not complete.
///
/// ```
/// let mut body = *b"5\r\nhello\r\n0\r\n\r\nX";
/// assert_eq!(h1spec_pico::decode_chunked(&mut body), Ok((5, 1)));
/// assert_eq!(&body[..5], b"hello");
/// ```
#[inline]
pub fn decode_chunked(buf: &mut [u8]) -> Result<(usize, usize), Error> {
    // SAFETY: the decoder is plain data that picohttpparser documents as "zero-filled before start".
    let mut decoder: pico::phr_chunked_decoder = unsafe { std::mem::zeroed() };
    decoder.consume_trailer = 1;
    let mut size = buf.len();
    // SAFETY: `buf` is valid for `size` bytes; the body is decoded in place.
    let rest = unsafe { pico::phr_decode_chunked(&mut decoder, buf.as_mut_ptr().cast(), &mut size) };
    match rest {
        -2 => Err(Error::Partial),
        n if n < 0 => Err(Error::Invalid(i32::try_from(n).unwrap_or(i32::MIN))),
        n => Ok((size, usize::try_from(n).expect("non-negative"))),
    }
}
