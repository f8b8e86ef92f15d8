//! picohttpparser (H2O's request parser, a C library) in process, as its users call it: one
//! header array, `phr_parse_request` on the bytes so far (through `h1spec-pico`, the one
//! wrapper the benchmarks share). It parses heads only.

use h1spec_pico as pico;

use super::{End, Message, Reading, Stage};

/// The first head of `stream` as picohttpparser reads it (100 header slots, as H2O gives it).
pub(super) fn read(stream: &[u8]) -> Reading {
    let mut headers = [pico::Header::EMPTY; 100];
    match pico::parse_request(stream, &mut headers) {
        Err(pico::Error::Partial) => Reading { messages: Vec::new(), end: End::Cut { stage: Stage::Head } },
        Err(pico::Error::Invalid(n)) => Reading {
            messages: Vec::new(),
            end: End::Refused {
                status: 0,
                error: format!("phr_parse_request returned {n}"),
                rule: None,
                read_on: false,
                stage: Stage::Head,
            },
        },
        Ok(head) => {
            let fields = headers[..head.count]
                .iter()
                .map(|h| {
                    let (name, value) = h.pair();
                    (name.to_vec(), value.to_vec())
                })
                .collect();
            let m = Message {
                method: head.method.to_vec(),
                target: head.path.to_vec(),
                version: format!("HTTP/1.{}", head.minor_version),
                fields,
                ..Message::default()
            };
            Reading { messages: vec![m], end: End::Clean }
        }
    }
}
