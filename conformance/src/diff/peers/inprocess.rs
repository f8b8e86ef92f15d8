//! Parsers in this process: h1wire (through `h1spec parse --stream`'s own code) and httparse.

use crate::diff::{End, Implementation, Message, Observation, Reading, Role, Stage};
use crate::parse::{parse_stream, Options};

/// A parser in this process.
pub(super) struct InProcess {
    pub(super) name: &'static str,
    pub(super) role: Role,
    pub(super) read: fn(&[u8]) -> Reading,
}

impl Implementation for InProcess {
    fn name(&self) -> &str {
        self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        Ok((self.read)(stream).into())
    }
}

/// h1wire through `h1spec parse --stream`'s own code, so that it follows the shim contract.
pub fn read_h1wire(stream: &[u8]) -> Reading {
    Reading::from_verdicts(&parse_stream(stream, &Options::default()))
}

/// The first head as httparse reads it, with reused uninitialised header storage as hyper
/// calls it (100 slots, as h1wire's default).
pub(super) fn read_httparse(stream: &[u8]) -> Reading {
    let mut headers = [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; 100];
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(stream, &mut headers) {
        Ok(httparse::Status::Complete(_)) => {
            let m = Message {
                method: req.method.unwrap_or_default().as_bytes().to_vec(),
                target: req.path.unwrap_or_default().as_bytes().to_vec(),
                version: format!("HTTP/1.{}", req.version.unwrap_or(0)),
                fields: req.headers.iter().map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec())).collect(),
                ..Message::default()
            };
            Reading { messages: vec![m], end: End::Clean }
        }
        Ok(httparse::Status::Partial) => Reading { messages: Vec::new(), end: End::Cut { stage: Stage::Head } },
        Err(e) => Reading {
            messages: Vec::new(),
            end: End::Refused {
                status: 0,
                error: format!("{e:?}"),
                rule: Some(format!("{e:?}")),
                read_on: false,
                stage: Stage::Head,
            },
        },
    }
}
