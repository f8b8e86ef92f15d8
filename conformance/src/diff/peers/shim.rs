//! Parsers behind a shim: a program that reads streams and prints the contract's lines.

use std::io::Write;
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use super::{DEADLINE, MAX_ANSWER};
use crate::diff::{Implementation, Observation, Reading, Role};

/// A program that reads streams and prints `h1spec parse --stream` lines for each. It runs in
/// batch mode (`--batch`: frames of `LEN\n` then LEN bytes, each answered with its lines and an
/// empty line), one process per thread that needs one, kept between streams: starting Python
/// or Node costs 100 ms or more, reading a stream well under one.
pub(super) struct Shim {
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) command: Vec<String>,
    pub(super) idle: Mutex<Vec<ShimProcess>>,
}

impl Shim {
    pub(super) fn new(name: &str, role: Role, command: Vec<String>) -> Shim {
        Shim { name: name.into(), role, command, idle: Mutex::new(Vec::new()) }
    }
}

/// One running shim in batch mode.
pub(super) struct ShimProcess {
    pub(super) child: std::process::Child,
    pub(super) stdin: std::process::ChildStdin,
    pub(super) lines: std::sync::mpsc::Receiver<String>,
}

impl ShimProcess {
    pub(super) fn spawn(command: &[String]) -> Result<ShimProcess, String> {
        use std::os::unix::process::CommandExt;
        use std::process::Stdio;
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .arg("--batch")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", command[0]))?;
        crate::diff::lifecycle::track(child.id());
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(ShimProcess { child, stdin, lines })
    }

    /// The lines for one stream, within [`DEADLINE`] and [`MAX_ANSWER`].
    pub(super) fn read(&mut self, stream: &[u8]) -> Result<String, String> {
        let frame = [format!("{}\n", stream.len()).as_bytes(), stream].concat();
        self.stdin
            .write_all(&frame)
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("writing to the shim: {e}"))?;
        let until = Instant::now() + DEADLINE;
        let mut out = String::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.is_empty() => return Ok(out),
                Ok(line) => {
                    out.push_str(&line);
                    out.push('\n');
                    if out.len() > MAX_ANSWER {
                        return Err("the shim's answer is too long".into());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("no answer within {} ms", DEADLINE.as_millis()))
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Err("the shim exited".into()),
            }
        }
    }
}

impl Drop for ShimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        crate::diff::lifecycle::untrack(self.child.id());
    }
}

impl Implementation for Shim {
    fn name(&self) -> &str {
        &self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut process = match idle {
            Some(p) => p,
            None => ShimProcess::spawn(&self.command)?,
        };
        // A process that failed is dropped (and killed); the next read starts a fresh one.
        let lines = process.read(stream)?;
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(process);
        Ok(Reading::from_lines(&lines)?.into())
    }
}
