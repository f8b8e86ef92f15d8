//! Conversions to and from the [`http`] crate's types (feature `http`).
//!
//! Parsed heads become `http::Request<()>` / `http::Response<()>`; `http` heads are written with
//! the same checks as [`write`](crate::write).
//!
//! ```
//! use h1wire::{Event, Parse, RequestParser};
//!
//! let mut parser = RequestParser::new();
//! let Some(Event::Head { head, .. }) = parser.parse(b"GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n").unwrap().event else { panic!() };
//! let req = head.to_http().unwrap();
//! assert_eq!(req.uri().path(), "/x");
//! assert_eq!(req.headers()["host"], "a");
//!
//! let mut out = Vec::new();
//! let body = h1wire::interop::encode_http_request(&req, &mut out).unwrap();
//! assert_eq!(out, b"GET /x?y HTTP/1.1\r\nhost: a\r\n\r\n");
//! # let _ = body;
//! ```

use alloc::vec::Vec;

use crate::write::{encode_request_head, encode_response_head, BodyEncoder, Request, Response, WriteError};
use crate::{Fields, RequestHead, ResponseHead, ResponseTo, Version};

fn to_http_version(v: Version) -> http::Version {
    match v {
        Version::Http10 => http::Version::HTTP_10,
        Version::Http11 => http::Version::HTTP_11,
    }
}

fn from_http_version(v: http::Version) -> Result<Version, WriteError> {
    match v {
        http::Version::HTTP_10 => Ok(Version::Http10),
        http::Version::HTTP_11 => Ok(Version::Http11),
        // Not a version this wire can carry.
        _ => Err(WriteError::UnsupportedVersion),
    }
}

fn headers(fields: Fields<'_>, map: &mut http::HeaderMap) -> Result<(), http::Error> {
    map.reserve(fields.len());
    for field in fields.iter() {
        let name = http::HeaderName::from_bytes(field.name().as_bytes())?;
        let value = http::HeaderValue::from_bytes(&field.unfolded_value())?;
        map.append(name, value);
    }
    Ok(())
}

impl RequestHead<'_> {
    /// The head as an `http::Request<()>`: method, target (as the URI), version and fields in
    /// order (names lower-cased by `http`).
    ///
    /// # Errors
    ///
    /// An `http::Error` when `http` refuses a part h1wire accepted (it is stricter about some
    /// URIs, e.g. absolute-form with schemes other than http and https).
    pub fn to_http(&self) -> Result<http::Request<()>, http::Error> {
        let mut req = http::Request::builder()
            .method(http::Method::from_bytes(self.method().as_bytes())?)
            .uri(self.target().as_str())
            .version(to_http_version(self.version()))
            .body(())?;
        headers(self.fields(), req.headers_mut())?;
        Ok(req)
    }
}

impl ResponseHead<'_> {
    /// The head as an `http::Response<()>` (the reason phrase is dropped, as `http` keeps none).
    ///
    /// # Errors
    ///
    /// An `http::Error` when `http` refuses a field.
    pub fn to_http(&self) -> Result<http::Response<()>, http::Error> {
        let mut resp =
            http::Response::builder().status(self.status()).version(to_http_version(self.version())).body(())?;
        headers(self.fields(), resp.headers_mut())?;
        Ok(resp)
    }
}

fn pairs(map: &http::HeaderMap) -> Vec<(&str, &[u8])> {
    map.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect()
}

/// Writes the head of an `http::Request<()>` (see [`encode_request_head`]). The target is the
/// URI as given: its path and query for origin-form, the whole URI for absolute-form.
///
/// # Errors
///
/// As [`encode_request_head`]; [`WriteError::UnsupportedVersion`] for a version other than 1.0 / 1.1.
pub fn encode_http_request(req: &http::Request<()>, out: &mut Vec<u8>) -> Result<BodyEncoder, WriteError> {
    let fields = pairs(req.headers());
    let uri = req.uri();
    let target = if req.method() == http::Method::CONNECT {
        uri.authority().map(|a| alloc::string::String::from(a.as_str())).unwrap_or_default()
    } else if uri.scheme().is_some() {
        alloc::string::ToString::to_string(uri)
    } else {
        uri.path_and_query().map_or_else(|| "/".into(), |p| alloc::string::String::from(p.as_str()))
    };
    let head = Request {
        method: req.method().as_str(),
        target: &target,
        version: from_http_version(req.version())?,
        fields: &fields,
    };
    encode_request_head(&head, out)
}

/// Writes the head of an `http::Response<()>` answering the request `to` describes, with the
/// canonical reason phrase of its status (see
/// [`encode_response_head`]).
///
/// # Errors
///
/// As [`encode_response_head`]; [`WriteError::UnsupportedVersion`] for a version other than 1.0 / 1.1.
pub fn encode_http_response(
    resp: &http::Response<()>,
    to: ResponseTo,
    request_version: Version,
    out: &mut Vec<u8>,
) -> Result<BodyEncoder, WriteError> {
    let fields = pairs(resp.headers());
    let head = Response {
        version: from_http_version(resp.version())?,
        status: resp.status().as_u16(),
        reason: resp.status().canonical_reason().unwrap_or("").as_bytes(),
        fields: &fields,
    };
    encode_response_head(&head, to, request_version, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, Parse, ResponseParser};

    #[test]
    fn round_trip_through_http_types() {
        let mut parser = ResponseParser::new(ResponseTo::Other);
        let input = b"HTTP/1.0 404 Not Found\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n";
        let Some(Event::Head { head, .. }) = parser.parse(input).unwrap().event else { panic!() };
        let resp = head.to_http().unwrap();
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.version(), http::Version::HTTP_10);
        assert_eq!(resp.headers().get_all("x-a").iter().collect::<Vec<_>>(), ["1", "2"]);
        let mut out = Vec::new();
        let _ = encode_http_response(&resp, ResponseTo::Other, Version::Http10, &mut out).unwrap();
        assert_eq!(out, b"HTTP/1.0 404 Not Found\r\nx-a: 1\r\nx-a: 2\r\ncontent-length: 0\r\n\r\n");

        let req = http::Request::connect("example.com:443").header("host", "example.com:443").body(()).unwrap();
        let mut out = Vec::new();
        let _ = encode_http_request(&req, &mut out).unwrap();
        assert_eq!(out, b"CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n");
        let req = http::Request::get("http://proxy.example/x").header("host", "proxy.example").body(()).unwrap();
        let mut out = Vec::new();
        let _ = encode_http_request(&req, &mut out).unwrap();
        assert!(out.starts_with(b"GET http://proxy.example/x HTTP/1.1\r\n"));
        let req = http::Request::get("/").version(http::Version::HTTP_2).body(()).unwrap();
        assert_eq!(encode_http_request(&req, &mut Vec::new()), Err(WriteError::UnsupportedVersion));
    }
}
