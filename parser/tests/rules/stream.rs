//! Stream behaviour: pipelined messages, the buffer contract, stream offsets, sticky errors and
//! the end of input.

use h1wire::{Closed, ErrorKind, Event, Framing, Parse, RequestParser, ResponseParser, ResponseTo};

/// Feeds `input` in pieces of `piece` bytes and records every event as text.
fn events(parser: &mut RequestParser, input: &[u8], piece: usize) -> Vec<String> {
    let mut log = Vec::new();
    let mut buf = Vec::new();
    for chunk in input.chunks(piece) {
        buf.extend_from_slice(chunk);
        loop {
            let out = match parser.parse(&buf) {
                Ok(out) => out,
                Err(e) => {
                    log.push(format!("error {} at {}", e.kind().name(), e.offset()));
                    return log;
                }
            };
            let consumed = out.consumed;
            match out.event {
                None => break,
                Some(Event::Head { head, framing }) => log.push(format!("head {} {framing:?}", head.target().as_str())),
                Some(Event::Data(d)) => log.push(format!("data {}", String::from_utf8_lossy(d))),
                Some(Event::Trailers(t)) => log.push(format!("trailers {}", t.len())),
                Some(Event::EndOfMessage) => log.push("end".into()),
            }
            buf.drain(..consumed);
        }
    }
    log
}

/// Data events may be split differently; join adjacent ones to compare.
fn joined(log: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in log {
        match (out.last_mut(), e.strip_prefix("data ")) {
            (Some(last), Some(d)) if last.starts_with("data ") => last.push_str(d),
            _ => out.push(e),
        }
    }
    out
}

const PIPELINE: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n\
POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n\
GET /d HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn pipelined_requests_in_order_for_every_piece_size() {
    let expected = [
        "head /a Empty",
        "end",
        "head /b Length(5)",
        "data hello",
        "end",
        "head /c Chunked",
        "data abc",
        "trailers 1",
        "end",
        "head /d Empty",
        "end",
    ];
    for piece in 1..=PIPELINE.len() {
        let mut parser = RequestParser::new();
        assert_eq!(joined(events(&mut parser, PIPELINE, piece)), expected, "pieces of {piece}");
        assert_eq!(parser.offset(), PIPELINE.len() as u64);
        assert_eq!(parser.handle_eof(), Ok(Closed::BetweenMessages));
    }
}

#[test]
fn errors_carry_stream_offsets_and_stick() {
    let input = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nX: \x01\r\n\r\n";
    let mut parser = RequestParser::new();
    let log = events(&mut parser, input, input.len());
    assert_eq!(log.last().unwrap(), "error invalid-field-value at 57");
    // Sticky: the same error again, whatever comes next.
    let again = parser.parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_err();
    assert_eq!((again.kind(), again.offset()), (ErrorKind::InvalidFieldValue, 57));
    assert_eq!(parser.handle_eof().unwrap_err().kind(), ErrorKind::InvalidFieldValue);
}

#[test]
fn end_of_input() {
    let mut parser = RequestParser::new();
    assert_eq!(parser.handle_eof(), Ok(Closed::BetweenMessages));

    let mut parser = RequestParser::new();
    assert!(parser.parse(b"GET / HT").unwrap().event.is_none());
    let err = parser.handle_eof().unwrap_err();
    assert_eq!((err.kind(), err.offset(), err.status()), (ErrorKind::UnexpectedEof, 8, None));

    // A response read until close ends at the close.
    let mut parser = ResponseParser::new(ResponseTo::Other);
    let out = parser.parse(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
    assert!(matches!(out.event, Some(Event::Head { framing: Framing::UntilClose, .. })));
    let out = parser.parse(b"body").unwrap();
    assert!(matches!(out.event, Some(Event::Data(b"body"))));
    assert_eq!(parser.handle_eof(), Ok(Closed::EndOfBody));
}

#[test]
fn a_shrunk_buffer_restarts_the_head_instead_of_panicking() {
    let mut parser = RequestParser::new();
    assert!(parser.parse(b"GET /long/path HT").unwrap().event.is_none());
    // Contract broken: fewer bytes than before. The parser starts the head again.
    assert!(parser.parse(b"GET /").unwrap().event.is_none());
    let out = parser.parse(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    assert!(matches!(out.event, Some(Event::Head { head, .. }) if head.target().as_str() == "/x"));
}

#[test]
fn responses_in_sequence_with_their_methods() {
    let mut parser = ResponseParser::new(ResponseTo::Head);
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    let out = parser.parse(input).unwrap();
    assert!(matches!(out.event, Some(Event::Head { framing: Framing::Empty, .. })));
    let rest = &input[out.consumed..];
    assert!(matches!(parser.parse(rest).unwrap().event, Some(Event::EndOfMessage)));
    parser.set_response_to(ResponseTo::Other);
    let out = parser.parse(rest).unwrap();
    assert!(matches!(out.event, Some(Event::Head { framing: Framing::Length(3), .. })));
    let rest = &rest[out.consumed..];
    assert!(matches!(parser.parse(rest).unwrap().event, Some(Event::Data(b"abc"))));
}

#[test]
fn shrunk_buffers_in_a_body_never_panic() {
    let head = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    for partial in [&b"5;ext"[..], b"0\r\nTrailer: x"] {
        let mut parser = RequestParser::new();
        let out = parser.parse(head).unwrap();
        assert!(matches!(out.event, Some(Event::Head { .. })));
        assert!(parser.parse(partial).unwrap().event.is_none());
        // Contract broken: the caller hands fewer bytes than it already passed.
        assert!(parser.parse(&partial[..2]).unwrap().event.is_none());
        assert!(parser.parse(&[]).unwrap().event.is_none());
    }
}
