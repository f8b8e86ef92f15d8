//! Origins: servers that answer every request with their reading of it.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use crate::diff::lifecycle::{free_port, Process, TempDir};
use crate::diff::{Implementation, Message, Observation, Role};

use super::client::{exchange, Ending};
use super::client::{readings_of_responses, Answer};

/// What keeps a server alive while its subject lives.
pub(super) enum Keep {
    Reference(#[allow(dead_code, reason = "held for its drop")] crate::server::Running),
    Process(
        #[allow(dead_code, reason = "held for its drop")] Process,
        #[allow(dead_code, reason = "held for its drop")] TempDir,
    ),
}

/// A server that answers each request with its reading of it.
pub(super) struct Origin {
    pub(super) name: String,
    pub(super) addr: SocketAddr,
    pub(super) _keep: Keep,
}

pub(super) fn origin(
    name: &str,
    command: impl FnOnce(u16) -> Result<Command, String>,
) -> Result<Box<dyn Implementation>, String> {
    let tmp = TempDir::new(name)?;
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut c = command(port)?;
    c.current_dir(tmp.path());
    let mut process = Process::start(name, &mut c, Some(&tmp.path().join("log")))?;
    process.wait_listening(addr, Duration::from_secs(20))?;
    Box::new(Origin { name: name.into(), addr, _keep: Keep::Process(process, tmp) }).checked()
}

impl Origin {
    /// The origin, once it has read a plain request as the RFC does.
    pub(super) fn checked(self: Box<Self>) -> Result<Box<dyn Implementation>, String> {
        reads_plain_request(&self.name, |s| self.read(s))?;
        Ok(self)
    }
}

/// Checks, before a run, that a server (through `read`) reads a plain request as the RFC does.
pub(super) fn reads_plain_request(
    name: &str,
    read: impl Fn(&[u8]) -> Result<Observation, String>,
) -> Result<(), String> {
    let seen = read(b"GET /h1spec-check HTTP/1.1\r\nHost: h1spec\r\n\r\n")?.reading;
    match seen.messages.first() {
        Some(m) if m.target == b"/h1spec-check" => Ok(()),
        _ => Err(format!("{name} did not read a plain request as expected: {}", seen.summary())),
    }
}

impl Implementation for Origin {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        Role::Origin
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let answer = exchange(self.addr, stream, Ending::HalfClose)?;
        Ok(echoes(&answer).into())
    }
    fn listens(&self) -> Option<SocketAddr> {
        Some(self.addr)
    }
}

/// An echo origin's answers read back as its reading: each echo is a message.
pub(super) fn echoes(answer: &[u8]) -> crate::diff::Reading {
    // An echo server answers HEAD (and CONNECT) with the reading in a header, no body.
    let to_head = |r: &Answer| r.field("x-h1spec-echo-json").is_some();
    readings_of_responses(answer, to_head, |r| {
        let json = match r.field("x-h1spec-echo-json") {
            Some(b) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim_ascii())
                    .map_err(|e| format!("echo header: {e}"))?
            }
            None => r.body.clone(),
        };
        let echo: crate::contract::Echo = serde_json::from_slice(&json).map_err(|e| format!("echo JSON: {e}"))?;
        Ok(Message::from_echo(&echo))
    })
}
