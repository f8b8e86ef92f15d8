//! The fuzzing checks on bytes and on message plans: each takes arbitrary input and panics on a
//! broken invariant. The fuzz targets in `fuzz/` call these, and the test suites call them on
//! the corpus, so the same checks run in both.

use h1wire::write::{encode_request_head, encode_response_head, Request, Response};
use h1wire::{
    Config, Event, Fields, Framing, Parse, RequestHead, RequestParser, ResponseHead, ResponseParser, ResponseTo,
    Version,
};

use crate::drive::{run, run_with, Body, Kind, Message, Refused};

fn cut_of(data: &[u8], selector: u8) -> [usize; 1] {
    [(usize::from(selector) * data.len() / 256).max(1)]
}

/// Runs `data` whole, one byte at a time and cut once, asserts that all agree and that the
/// outcome respects the input and the limits.
fn same_however_cut(kind: Kind, data: &[u8], selector: u8) -> Result<Message, Refused> {
    let config = Config::default();
    let whole = run(kind, &config, data, &[]);
    let bytewise: Vec<usize> = (1..data.len()).collect();
    assert_eq!(run(kind, &config, data, &bytewise), whole, "one byte at a time");
    assert_eq!(run(kind, &config, data, &cut_of(data, selector)), whole, "cut once");
    match &whole {
        Ok(m) => {
            assert!(m.consumed <= data.len() as u64, "consumed more than the input");
            assert!(m.body.len() as u64 <= m.consumed, "a body larger than the bytes used");
            assert!(m.headers.len() <= config.max_fields && m.trailers.len() <= config.max_fields);
            if let Framing::Length(n) = m.framing {
                assert!(n <= config.max_body_bytes);
            }
        }
        Err(Refused::Error(e)) => assert!(e.offset() <= data.len() as u64, "an error past the input: {e}"),
        Err(Refused::NoMessage) => assert!(data.is_empty(), "no message in {} bytes", data.len()),
    }
    whole
}

/// `parse_request`: any bytes as a request.
pub fn parse_request(data: &[u8]) {
    let selector = data.first().copied().unwrap_or(0);
    let _ = same_however_cut(Kind::Request, data, selector);
}

/// The request a `parse_response` input answers, picked by its first byte: GET, HEAD, CONNECT,
/// POST (the seeds write this byte; see `h1spec seeds`).
pub fn response_to_of_selector(selector: u8) -> ResponseTo {
    [ResponseTo::Other, ResponseTo::Head, ResponseTo::Connect, ResponseTo::Other][usize::from(selector % 4)]
}

/// `parse_response`: the first byte picks the request (see [`response_to_of_selector`]), the
/// rest is a response to it.
pub fn parse_response(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else { return };
    let _ = same_however_cut(Kind::Response(response_to_of_selector(first)), rest, first);
}

/// The parser, limits and leniencies a `whole_head` input picks with its first byte: bit 0 a
/// response (else a request), bits 1–2 the request a response answers (as
/// [`response_to_of_selector`]), bit 3 [`Config::allow_bare_lf`], bit 4
/// [`Config::allow_obs_fold`], bit 5 small limits (so that the fast path meets each of them).
pub fn whole_head_setup(selector: u8) -> (Kind, Config) {
    let mut config = Config::default();
    config.allow_bare_lf = selector & 8 != 0;
    config.allow_obs_fold = selector & 16 != 0;
    if selector & 32 != 0 {
        config.max_head_bytes = 96;
        config.max_fields = 3;
        config.max_target_bytes = 12;
        config.max_body_bytes = 9;
    }
    let kind = if selector & 1 == 0 { Kind::Request } else { Kind::Response(response_to_of_selector(selector >> 1)) };
    (kind, config)
}

/// The selector byte [`whole_head`] reads first for a corpus case with default limits: a request
/// (0), or a response to the request at `method_index` in GET, HEAD, CONNECT, POST.
pub fn whole_head_selector(response_to: Option<u8>) -> u8 {
    response_to.map_or(0, |m| 1 | (m % 4) << 1)
}

/// Every event of up to four messages in `input` (fed whole, so heads take the fast path where it
/// applies), each described with everything a caller can ask of it, then the error or the end.
fn described_events<P: Parse + Describe>(mut parser: P, input: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut messages = 0;
    while messages < 4 {
        match parser.parse(&input[at..]) {
            Err(e) => {
                out.push(format!("error {:?} at {} ({e})", e.kind(), e.offset()));
                return out;
            }
            Ok(step) => {
                let consumed = step.consumed;
                let Some(event) = step.event else { break };
                if matches!(event, Event::EndOfMessage) {
                    messages += 1;
                }
                out.push(format!("{consumed} {}", P::describe_event(event)));
                at += consumed;
            }
        }
    }
    match parser.handle_eof() {
        Ok(closed) => out.push(format!("closed {closed:?} at {}", parser.offset())),
        Err(e) => out.push(format!("at close: error {:?} at {}", e.kind(), e.offset())),
    }
    out
}

/// How [`whole_head`] describes the events of each parser.
trait Describe: Parse {
    fn describe_event(event: Event<'_, Self::Head<'_>>) -> String;
}

fn describe_fields(fields: Fields<'_>) -> String {
    let lines: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {:?} folded={}", f.name(), f.value().escape_ascii().to_string(), f.is_folded()))
        .collect();
    lines.join(" | ")
}

fn describe_other<H>(event: Event<'_, H>) -> String {
    match event {
        Event::Head { .. } => unreachable!("heads are described by their parser"),
        Event::Data(data) => format!("data {:?}", data.escape_ascii().to_string()),
        Event::Trailers(fields) => format!("trailers {}", describe_fields(fields)),
        Event::EndOfMessage => String::from("end"),
    }
}

impl Describe for RequestParser {
    fn describe_event(event: Event<'_, RequestHead<'_>>) -> String {
        let Event::Head { head, framing } = event else { return describe_other(event) };
        let t = head.target();
        format!(
            "head {} {:?} form={:?} scheme={:?} authority={:?} userinfo={:?} host={:?} port={:?} path={:?} \
             query={:?} {:?} | Host {:?} | authority {:?} | {:?} | {} | {framing:?} | {} bytes",
            head.method(),
            t.as_str(),
            t.form(),
            t.scheme(),
            t.authority(),
            t.userinfo(),
            t.host(),
            t.port(),
            t.path(),
            t.query(),
            head.version(),
            head.host(),
            head.authority(),
            head.connection_options(),
            describe_fields(head.fields()),
            head.as_bytes().len(),
        )
    }
}

impl Describe for ResponseParser {
    fn describe_event(event: Event<'_, ResponseHead<'_>>) -> String {
        let Event::Head { head, framing } = event else { return describe_other(event) };
        format!(
            "head {} {:?} {:?} | {:?} | {} | {framing:?}",
            head.status(),
            head.reason().escape_ascii().to_string(),
            head.version(),
            head.connection_options(),
            describe_fields(head.fields()),
        )
    }
}

/// `whole_head`: the whole-head fast path against the resumable machine on any bytes. The first
/// byte picks the parser and its configuration ([`whole_head_setup`]); the rest is fed whole to
/// a parser with the fast path and to one without: both must give the same events, described
/// with everything a caller can ask of a head, for up to four messages, and the same error at the
/// same offset.
pub fn whole_head(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else { return };
    let (kind, config) = whole_head_setup(selector);
    let (fast, machine) = match kind {
        Kind::Request => {
            let mut machine = RequestParser::with_config(config.clone());
            machine.set_whole_heads(false);
            (described_events(RequestParser::with_config(config), input), described_events(machine, input))
        }
        Kind::Response(to) => {
            let mut machine = ResponseParser::with_config(config.clone(), to);
            machine.set_whole_heads(false);
            (described_events(ResponseParser::with_config(config, to), input), described_events(machine, input))
        }
    };
    assert_eq!(fast, machine, "the fast path and the machine differ on {}", input.escape_ascii());
}

/// The head the `chunked` check puts before its body bytes.
pub const CHUNKED_HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

/// `chunked`: any bytes as a chunked body (after [`CHUNKED_HEAD`]), decoded whole and one byte at
/// a time, with the data as events and in place: all four agree, and the decoded body is never
/// larger than the bytes it came from.
pub fn chunked(data: &[u8]) {
    let input = [CHUNKED_HEAD, data].concat();
    let config = Config::default();
    let bytewise: Vec<usize> = (CHUNKED_HEAD.len() + 1..input.len()).collect();
    let whole = run(Kind::Request, &config, &input, &[]);
    assert_eq!(run(Kind::Request, &config, &input, &bytewise), whole, "one byte at a time");
    assert_eq!(run_with(Kind::Request, &config, &input, &[], Body::InPlace).0, whole, "in place");
    assert_eq!(run_with(Kind::Request, &config, &input, &bytewise, Body::InPlace).0, whole, "in place, bytewise");
    match whole {
        Ok(m) => {
            assert_eq!(m.framing, Framing::Chunked);
            let used = m.consumed - CHUNKED_HEAD.len() as u64;
            assert!(m.body.len() as u64 <= used && used <= data.len() as u64);
        }
        Err(refused) => {
            let e = refused.error().expect("the head is a message");
            assert!(e.offset() >= CHUNKED_HEAD.len() as u64, "the head is refused: {e}");
        }
    }
}

/// A message to write and read back (`roundtrip`).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Plan<'a> {
    /// A request (else a response to GET).
    pub request: bool,
    /// Request method.
    pub method: &'a str,
    /// Request target.
    pub target: &'a str,
    /// Response status.
    pub status: u16,
    /// Response reason.
    pub reason: &'a [u8],
    /// Fields besides Host and framing.
    pub fields: Vec<(&'a str, &'a [u8])>,
    /// The body: `None`, or its pieces, declared by length (`false`) or chunked (`true`, with
    /// the trailers).
    pub body: Option<(Vec<&'a [u8]>, bool)>,
    /// Trailers, for a chunked body.
    pub trailers: Vec<(&'a str, &'a [u8])>,
}

fn is_framing(name: &str) -> bool {
    ["host", "content-length", "transfer-encoding"].iter().any(|f| name.eq_ignore_ascii_case(f))
}

/// `roundtrip`: whatever the writer accepts, the parser reads back identically (or refuses
/// only for a size limit the writer does not know).
pub fn roundtrip(plan: &Plan<'_>) {
    let mut fields: Vec<(&str, &[u8])> = Vec::new();
    if plan.request {
        fields.push(("Host", b"example.com"));
    }
    fields.extend(plan.fields.iter().copied().filter(|(n, _)| !is_framing(n)));
    let length;
    let (pieces, chunked): (Vec<&[u8]>, bool) = plan.body.clone().unwrap_or_default();
    let no_body = !plan.request && ((100..200).contains(&plan.status) || plan.status == 204 || plan.status == 304);
    let has_body = plan.body.is_some() && !no_body;
    if has_body && chunked {
        fields.push(("Transfer-Encoding", b"chunked"));
    } else if has_body {
        length = pieces.iter().map(|p| p.len()).sum::<usize>().to_string();
        fields.push(("Content-Length", length.as_bytes()));
    }
    // A response of unknown length to HTTP/1.1 is chunked, and the writer says so.
    let writer_adds_chunked = !plan.request && !no_body && !has_body;
    let mut out = Vec::new();
    let head = if plan.request {
        let req = Request { method: plan.method, target: plan.target, version: Version::Http11, fields: &fields };
        encode_request_head(&req, &mut out)
    } else {
        let resp = Response { version: Version::Http11, status: plan.status, reason: plan.reason, fields: &fields };
        encode_response_head(&resp, ResponseTo::Other, Version::Http11, &mut out)
    };
    let Ok(mut encoder) = head else { return };
    let mut body = Vec::new();
    if has_body {
        for piece in &pieces {
            encoder.encode_data(piece, &mut out).expect("within the declared length");
            body.extend_from_slice(piece);
        }
    }
    let trailers: &[(&str, &[u8])] = if has_body && chunked { &plan.trailers } else { &[] };
    let trailers_out: Vec<(&str, &[u8])> = trailers.iter().copied().filter(|(n, _)| !is_framing(n)).collect();
    if encoder.finish(&trailers_out, &mut out).is_err() {
        // A trailer the writer refuses: nothing was written to read back.
        return;
    }
    let kind = if plan.request { Kind::Request } else { Kind::Response(ResponseTo::Other) };
    let m = match run(kind, &Config::default(), &out, &[]) {
        Ok(m) => m,
        Err(Refused::Error(e)) if matches!(e.status().map(|s| s.code()), Some(413 | 414 | 431)) => return,
        Err(e) => panic!("the parser refused what the writer wrote: {e:?}\n{}", out.escape_ascii()),
    };
    let owned = |l: &[(&str, &[u8])]| l.iter().map(|(n, v)| (String::from(*n), v.to_vec())).collect::<Vec<_>>();
    let mut expected = owned(&fields);
    if writer_adds_chunked {
        expected.push((String::from("Transfer-Encoding"), b"chunked".to_vec()));
    }
    assert_eq!(m.headers, expected);
    assert_eq!(m.trailers, owned(&trailers_out));
    assert_eq!(m.body, body);
    assert_eq!(m.consumed, out.len() as u64);
}
