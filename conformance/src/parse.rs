//! `h1spec parse`: one message in, one JSON verdict out. Other tools rely on this output; keep
//! it stable.
//!
//! ```text
//! {"verdict":"accept","kind":"request","method":"GET","target":"/","version":"HTTP/1.1",
//!  "headers":[["Host","a"]],"trailers":[],"body":"","body_len":0,"consumed":27}
//! {"verdict":"reject","status":400,"error":"bare-lf","offset":14,"message":"…"}
//! ```
//!
//! Every string maps each byte to the code point of the same value (Latin-1), so any byte of
//! the input survives the trip through JSON.

pub use crate::contract::{latin1, MessageKind, Stage, Verdict};
use h1wire::{Config, ErrorKind, Event, Output, Parse, RequestParser, ResponseTo};
use h1wire_check::{run, Kind, Message, Refused, StartLine};

/// Which message to parse and how to feed it.
#[derive(Clone, Debug)]
pub struct Options {
    /// Parse a response (to a request with `request_method`) instead of a request.
    pub response: bool,
    /// The method of the request a response answers (it decides HEAD and CONNECT framing).
    pub request_method: String,
    /// Hand the parser pieces of this many bytes; `None` for the whole input at once.
    pub chunk_size: Option<usize>,
    /// Read a response as a user agent, which unfolds obs-fold (RFC 9112 §5.2); otherwise as a
    /// proxy, which refuses it.
    pub user_agent: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { response: false, request_method: "GET".into(), chunk_size: None, user_agent: false }
    }
}

fn pairs(fields: &[(String, Vec<u8>)]) -> Vec<[String; 2]> {
    fields.iter().map(|(name, value)| [name.clone(), latin1(value)]).collect()
}

impl Verdict {
    /// The verdict `h1spec parse` prints for an outcome. An input that holds no message at all
    /// (it is empty) is reported as cut short at byte 0.
    pub fn of(outcome: Result<Message, Refused>) -> Self {
        match outcome {
            Ok(m) => {
                let (kind, method, target, status_code, reason) = match m.start {
                    StartLine::Request { method, target } => {
                        (MessageKind::Request, Some(method), Some(target), None, None)
                    }
                    StartLine::Response { status, reason } => {
                        (MessageKind::Response, None, None, Some(status), Some(latin1(&reason)))
                    }
                };
                Verdict::Accept {
                    kind,
                    method,
                    target,
                    version: m.version.as_str().to_owned(),
                    status_code,
                    reason,
                    headers: pairs(&m.headers),
                    trailers: pairs(&m.trailers),
                    body: latin1(&m.body),
                    body_len: m.body.len(),
                    consumed: m.consumed,
                }
            }
            Err(Refused::Error(e)) => Verdict::Reject {
                status: e.status().map(|s| s.code()),
                error: e.kind().name().to_owned(),
                offset: e.offset(),
                message: e.to_string(),
                stage: None,
            },
            Err(Refused::NoMessage) => Verdict::Reject {
                status: None,
                error: ErrorKind::UnexpectedEof.name().to_owned(),
                offset: 0,
                message: format!("{} at byte 0", ErrorKind::UnexpectedEof.description()),
                stage: None,
            },
        }
    }

    /// The verdict as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a verdict always serializes")
    }
}

/// Parses the first message of `input` as `h1spec parse` does: in pieces of
/// `options.chunk_size`, with the end of input as the peer closing the connection.
///
/// ```
/// use h1spec::parse::{parse, Options, Verdict};
///
/// let verdict = parse(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", &Options::default());
/// assert!(matches!(verdict, Verdict::Accept { consumed: 27, .. }));
/// ```
pub fn parse(input: &[u8], options: &Options) -> Verdict {
    let kind =
        if options.response { Kind::Response(ResponseTo::of_method(&options.request_method)) } else { Kind::Request };
    let cuts: Vec<usize> = match options.chunk_size {
        Some(n) if n > 0 => (n..input.len()).step_by(n).collect(),
        _ => Vec::new(),
    };
    let mut config = Config::default();
    config.allow_obs_fold = options.user_agent;
    Verdict::of(run(kind, &config, input, &cuts))
}

/// Reads `input` as one connection's stream of requests, the way a server reads them: message
/// after message, until the input ends, a message is refused, or a message after which the
/// connection does not go on: it does not persist (RFC 9112 §9.3), or it asks to switch
/// protocols (CONNECT, Upgrade), so the bytes after it may not be HTTP/1.1. One verdict per
/// message; when the stream did not end on a message boundary, the last is a reject (status
/// `null` when the input ended inside a message) with its `stage`. This is the shim contract of
/// `h1spec diff` (`peers/shims/README.md`).
///
/// ```
/// use h1spec::parse::{parse_stream, Options, Verdict};
///
/// let two = b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c";
/// let verdicts = parse_stream(two, &Options::default());
/// assert_eq!(verdicts.len(), 3);
/// // `consumed` is where each message ends in the stream.
/// assert!(matches!(verdicts[1], Verdict::Accept { consumed: 56, .. }));
/// assert!(matches!(verdicts[2], Verdict::Reject { status: None, stage: Some(h1spec::parse::Stage::Head), .. }));
/// ```
pub fn parse_stream(input: &[u8], options: &Options) -> Vec<Verdict> {
    let mut config = Config::default();
    config.allow_obs_fold = options.user_agent;
    let mut verdicts = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let rest = &input[at..];
        let goes_on = head_goes_on(rest, &config);
        let outcome = run(Kind::Request, &config, rest, &[]);
        let used = outcome.as_ref().map(|m| m.consumed).ok();
        let mut verdict = Verdict::of(outcome);
        match &mut verdict {
            Verdict::Accept { consumed, .. } => *consumed += at as u64,
            Verdict::Reject { offset, stage, .. } => {
                *offset += at as u64;
                *stage = Some(if goes_on.is_some() { Stage::Body } else { Stage::Head });
            }
        }
        verdicts.push(verdict);
        match (used, goes_on) {
            (Some(n), Some(true)) => at += usize::try_from(n).expect("within the input"),
            _ => break,
        }
    }
    verdicts
}

/// Whether the connection goes on after the request whose head starts `rest`: `None` when the
/// head is refused or incomplete.
fn head_goes_on(rest: &[u8], config: &Config) -> Option<bool> {
    let mut parser = RequestParser::with_config(config.clone());
    match parser.parse_closed(rest) {
        Ok(Output { event: Some(Event::Head { head, .. }), .. }) => {
            let options = head.connection_options();
            Some(options.persists(head.version()) && !options.upgrade() && head.method() != "CONNECT")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_json_has_the_documented_shape() {
        let v = parse(b"GET /x HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n", &Options::default());
        assert_eq!(
            v.to_json(),
            r#"{"verdict":"accept","kind":"request","method":"GET","target":"/x","version":"HTTP/1.1","headers":[["Host","a"],["X","café"]],"trailers":[],"body":"","body_len":0,"consumed":37}"#
        );
        let options = Options { response: true, chunk_size: Some(1), ..Options::default() };
        let v = parse(b"HTTP/1.0 200 OK\r\n\r\n\x00\xff", &options);
        assert_eq!(
            v.to_json(),
            r#"{"verdict":"accept","kind":"response","version":"HTTP/1.0","status_code":200,"reason":"OK","headers":[],"trailers":[],"body":"\u0000ÿ","body_len":2,"consumed":21}"#
        );
    }

    #[test]
    fn reject_json_has_the_documented_shape() {
        let v = parse(b"GET / HTTP/1.1\n", &Options::default());
        let json: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
        assert_eq!(json["verdict"], "reject");
        assert_eq!(json["status"], 400);
        assert_eq!(json["error"], "bare-lf");
        assert_eq!(json["offset"], 14);
        assert!(json["message"].as_str().unwrap().contains("RFC 9112 §2.2"));
        let cut = parse(b"GET / HTTP/1.1\r\nHost: a\r\n", &Options::default()).to_json();
        assert!(cut.starts_with(r#"{"verdict":"reject","status":null,"error":"unexpected-eof","offset":25,"#), "{cut}");
        let empty = parse(b"", &Options::default()).to_json();
        assert_eq!(
            empty,
            r#"{"verdict":"reject","status":null,"error":"unexpected-eof","offset":0,"message":"the connection closed before the message was complete (RFC 9112 §8) at byte 0"}"#
        );
    }
}
