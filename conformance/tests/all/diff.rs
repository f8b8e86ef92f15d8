//! `h1spec diff` on two deliberately different toy peers (and a toy proxy built on the lax one):
//! every class of difference is detected, a finding is minimised, quirks explain what they
//! name, and nothing is reported where the two agree.

use h1spec::canary::DIFF as CANARY;
use h1spec::diff::compare::{Class, Part};
use h1spec::diff::peers::read_h1wire;
use h1spec::diff::quirks::Quirks;
use h1spec::diff::run::{run, MustClose, Outcome, Settings, Stream};
use h1spec::diff::{End, Implementation, Message, Observation, Reading, Role, Stage};

/// A lax parser with the classic mistakes: bare LF ends lines, Transfer-Encoding is ignored
/// (only Content-Length frames a body), `//` in a path is collapsed, Host is never required,
/// and a malformed version is answered 505. What it frames, it reports with the bytes it took.
fn lax(stream: &[u8]) -> (Reading, Vec<Vec<u8>>) {
    let mut messages = Vec::new();
    let mut taken = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let rest = &stream[at..];
        let Some(head_end) =
            rest.windows(2).position(|w| w == b"\n\n").map(|p| p + 2).or_else(|| h1spec::head::head_end(rest))
        else {
            return (Reading { messages, end: End::Cut { stage: Stage::Head } }, taken);
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).replace('\r', "");
        let mut lines = head.lines();
        let start: Vec<&str> = lines.next().unwrap_or_default().split(' ').collect();
        let refuse = |status: u16, error: &str| End::Refused {
            status,
            error: error.into(),
            rule: None,
            read_on: false,
            stage: Stage::Head,
        };
        if start.len() != 3 || start[0].is_empty() {
            return (Reading { messages, end: refuse(400, "bad request line") }, taken);
        }
        if !matches!(start[2], "HTTP/1.0" | "HTTP/1.1") {
            return (Reading { messages, end: refuse(505, "bad version") }, taken);
        }
        let fields: Vec<(Vec<u8>, Vec<u8>)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().as_bytes().to_vec(), v.trim().as_bytes().to_vec()))
            .collect();
        let length = fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"content-length"))
            .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<usize>().ok())
            .unwrap_or(0);
        if rest.len() < head_end + length {
            return (Reading { messages, end: End::Cut { stage: Stage::Body } }, taken);
        }
        let mut target = start[1].to_owned();
        while target.contains("//") {
            target = target.replace("//", "/");
        }
        messages.push(Message {
            method: start[0].as_bytes().to_vec(),
            target: target.into_bytes(),
            version: start[2].into(),
            fields,
            body: rest[head_end..head_end + length].to_vec(),
            ..Message::default()
        });
        taken.push(rest[..head_end + length].to_vec());
        at += head_end + length;
    }
    (Reading { messages, end: End::Clean }, taken)
}

struct Toy {
    name: &'static str,
    role: Role,
}

impl Implementation for Toy {
    fn name(&self) -> &str {
        self.name
    }
    fn role(&self) -> Role {
        self.role
    }
    fn read(&self, stream: &[u8]) -> Result<Observation, String> {
        Ok(match self.role {
            // The strict toy is h1wire, through the shim contract.
            Role::Parser if self.name == "strict" => read_h1wire(stream).into(),
            // The proxy forwards what the lax reading framed, one message per connection.
            // It answers its own refusal, then reads on.
            Role::Proxy => {
                let (mut reading, taken) = lax(stream);
                if let End::Refused { read_on, .. } = &mut reading.end {
                    *read_on = true;
                }
                Observation { reading, forwarded: taken }
            }
            // The lax proxy in front of h1wire, one upstream connection per message: the
            // origin reads each connection's bytes as its own stream.
            Role::Chain => {
                let (_, taken) = lax(stream);
                let mut reading = Reading { messages: Vec::new(), end: End::Closed };
                for bytes in &taken {
                    let r = read_h1wire(bytes);
                    reading.messages.extend(r.messages);
                    if let End::Refused { .. } = r.end {
                        reading.end = r.end;
                        break;
                    }
                }
                Observation { reading, forwarded: taken }
            }
            _ => lax(stream).0.into(),
        })
    }
    fn proxy(&self) -> Option<&str> {
        (self.role == Role::Chain).then_some("lax-proxy")
    }
}

fn toys() -> Vec<Box<dyn Implementation>> {
    vec![
        Box::new(Toy { name: "strict", role: Role::Parser }),
        Box::new(Toy { name: "lax", role: Role::Parser }),
        Box::new(Toy { name: "lax-proxy", role: Role::Proxy }),
        Box::new(Toy { name: "lax-proxy → strict", role: Role::Chain }),
    ]
}

fn stream(bytes: &[u8], forbidden: Option<&str>) -> Stream {
    Stream {
        bytes: [bytes, CANARY].concat(),
        source: "toy".into(),
        forbidden: forbidden.map(Into::into),
        must_close: None,
    }
}

fn settings() -> Settings {
    Settings { mutations: 0, jobs: 2, ..Settings::default() }
}

fn streams() -> Vec<Stream> {
    vec![
        // Bare LF: the lax one reads it, h1wire refuses (accept-refuse).
        stream(b"GET / HTTP/1.1\nHost: a\n\n", None),
        // `//` collapsed (interpretation, target).
        stream(b"GET //a HTTP/1.1\r\nHost: a\r\n\r\n", None),
        // A malformed version: 400 against 505 (refusal-status).
        // ...which the lax proxy answers, then answers the canary after it: a refusal the RFC
        // says must close the connection, read on (read-on).
        Stream {
            must_close: Some(MustClose { rule: "close after a bad version".into(), even_if_read: false }),
            ..stream(b"GET / HTTP/1.x\r\nHost: a\r\n\r\n", None)
        },
        // Transfer-Encoding ignored, with padding for the minimiser to remove: the lax one
        // refuses the chunk as a request line, and its proxy forwards a head whose chunked body
        // h1wire then takes from the canary (proxy-smuggling).
        stream(
            b"POST /upload HTTP/1.1\r\nHost: example.com\r\nUser-Agent: toy\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            None,
        ),
        // The same head alone, with no canary: h1wire waits for the chunks, the lax one has read
        // a whole message (message-count).
        Stream {
            bytes: b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            source: "toy".into(),
            forbidden: None,
            must_close: None,
        },
        // No Host in HTTP/1.1, which the RFC says MUST be refused (forbidden-accepted).
        stream(b"GET / HTTP/1.1\r\n\r\n", Some("an HTTP/1.1 request must carry a Host field (RFC 9112 §3.2)")),
        // A head over h1wire's 64 KiB limit, which the lax toy reads (limit).
        stream(&[&b"GET /big HTTP/1.1\r\nHost: a\r\nX: "[..], &[b'a'; 70_000], b"\r\n\r\n"].concat(), None),
        // Plain: no difference.
        stream(b"GET /same HTTP/1.1\r\nHost: a\r\n\r\n", None),
    ]
}

/// Whether a finding's partition puts `a` and `b` in different groups.
fn splits(f: &h1spec::diff::run::Finding, a: &str, b: &str) -> bool {
    let group = |name: &str| f.partition.iter().position(|g| g.iter().any(|n| n == name));
    matches!((group(a), group(b)), (Some(x), Some(y)) if x != y)
}

fn classes(outcome: &Outcome) -> Vec<Class> {
    let mut c: Vec<Class> = outcome.findings.iter().map(|f| f.difference.class).collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn every_class_is_detected_between_two_toy_peers() {
    let outcome = run(&toys(), streams(), &Quirks::default(), &settings(), &|_| {});
    let found = classes(&outcome);
    for class in Class::ALL {
        assert!(found.contains(&class), "{} not found; found {found:?}", class.name());
    }
    let target = outcome
        .findings
        .iter()
        .find(|f| f.difference.class == Class::Interpretation && splits(f, "lax", "strict"))
        .expect("the collapsed path");
    assert_eq!(target.difference.part, Some(Part::Target));
    let status = outcome.findings.iter().find(|f| f.difference.class == Class::RefusalStatus).unwrap();
    assert!(status.difference.a.says.contains("400") || status.difference.b.says.contains("400"), "{status:?}");
    assert!(outcome.findings.iter().all(|f| f.reproduced), "toys are deterministic");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    // The plain stream, alone, shows nothing.
    let plain = run(&toys(), vec![streams().pop().unwrap()], &Quirks::default(), &settings(), &|_| {});
    assert!(plain.findings.is_empty(), "{:?}", plain.findings);
}

#[test]
fn a_finding_is_minimised_and_keeps_its_difference() {
    let padded = streams().remove(3);
    assert!(padded.bytes.starts_with(b"POST /upload"));
    let outcome = run(&toys(), vec![padded], &Quirks::default(), &settings(), &|_| {});
    let smuggling =
        outcome.findings.iter().find(|f| f.difference.class == Class::ProxySmuggling).expect("the toy proxy smuggles");
    assert!(smuggling.minimised, "{smuggling:?}");
    assert!(
        smuggling.stream.len() < smuggling.original_len * 3 / 4,
        "{} of {}",
        smuggling.stream.len(),
        smuggling.original_len
    );
    // The padding is gone; what decides framing is kept, and so are the request lines, Host
    // lines and line ends that make it read as HTTP.
    let text = String::from_utf8_lossy(&smuggling.stream);
    assert!(text.starts_with("POST /upload HTTP/1.1\r\nHost: example.com\r\n"), "{text}");
    assert!(!text.contains("User-Agent"), "{text}");
    assert!(text.to_ascii_lowercase().contains("chunked"), "{text}");
    // Read again by every peer, it still shows the difference.
    assert!(smuggling.reproduced);
    assert_eq!(smuggling.readings.len(), toys().len());
}

#[test]
fn quirks_move_what_they_explain_out_of_the_findings() {
    let mut quirks = Quirks::default();
    quirks.insert(
        "lax",
        Quirks::parse(
            "[[quirk]]\nclass = \"accept-refuse\"\nother_error = \"bare-lf\"\nreason = \"the lax toy reads bare LF (RFC 9112 §2.2 MAY)\"\n",
        )
        .unwrap(),
    );
    let only_lf = vec![streams().remove(0)];
    let outcome = run(&toys(), only_lf.clone(), &quirks, &settings(), &|_| {});
    let strict_lax = |o: &Outcome| {
        o.findings.iter().any(|f| f.difference.class == Class::AcceptRefuse && splits(f, "lax", "strict"))
    };
    assert!(!strict_lax(&outcome), "{:?}", outcome.findings);
    assert!(outcome.known.iter().any(|k| k.peer == "lax" && k.reason.contains("MAY")), "{:?}", outcome.known);
    let cell = outcome.matrix.get("lax × strict").and_then(|m| m.get(&Class::AcceptRefuse)).copied();
    assert_eq!(cell, Some((0, 1)), "{:?}", outcome.matrix);
    let without = run(&toys(), only_lf, &Quirks::default(), &settings(), &|_| {});
    assert!(strict_lax(&without), "{:?}", without.findings);
}

#[test]
fn a_finding_saves_as_a_corpus_case_that_loads() {
    let case = h1spec::diff::save::case_from_stream(
        "toy-te-ignored",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n",
        "found by a test",
    );
    let file = format!("[section]\nid = \"toy\"\ntitle = \"Toy\"\n\n{case}");
    let section = h1spec::corpus::load_str("toy.toml", &file).unwrap();
    let saved = &section.cases[0];
    assert_eq!(saved.id, "toy-te-ignored");
    assert!(saved.check().failures.is_empty(), "{:?}", saved.check().failures);
    let refused = h1spec::diff::save::case_from_stream("toy-bare-lf", b"GET / HTTP/1.1\nHost: a\n\n", "x");
    assert!(refused.contains("expect = \"reject\"") && refused.contains("error = \"bare-lf\""), "{refused}");
    assert!(refused.contains("RFC 9112 §2.2"), "{refused}");
}

/// h1spec starts every peer as its own process group in a temporary folder; an interrupt stops
/// them all and removes the folders.
#[test]
fn an_interrupted_run_leaves_no_process_and_no_folder() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node is not installed: nothing to interrupt");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("h1spec-interrupt-{}", std::process::id()));
    // This run's peers: the processes working in a folder under `tmp` (other runs on the
    // machine have their own).
    let running = || {
        let Ok(procs) = std::fs::read_dir("/proc") else { return 0 };
        procs
            .flatten()
            .filter(|p| p.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()))
            .filter(|p| std::fs::read_link(p.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&tmp)))
            .count()
    };
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_h1spec"))
        .args([
            "diff",
            "--peers",
            "h1wire,h1spec-server,node-server",
            "--mutations",
            "100000000",
            "--mutation-time",
            "120",
        ])
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (at most 60 s) until the run reads streams: every peer is up by then.
    let stderr = child.stderr.take().unwrap();
    let (send, progress) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let started = std::time::Instant::now();
    while !progress.recv_timeout(std::time::Duration::from_secs(60)).unwrap_or_default().contains("streams") {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the run did not start");
    }
    assert!(running() > 0, "the Node origin runs");
    assert!(std::fs::read_dir(&tmp).unwrap().count() > 0, "in a temporary folder");
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > until {
            let _ = child.kill();
            panic!("h1spec did not stop on SIGINT");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    assert_eq!(running(), 0, "no peer process is left");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "no folder is left");
    let _ = std::fs::remove_dir(&tmp);
}

/// The tests' toy reverse proxy (`tests/fixtures/toy_proxy.py`), framing requests as `framing`
/// says: `rfc`, or `cl-only` (Transfer-Encoding ignored).
fn toy_proxy(framing: &'static str) -> h1spec::diff::peers::ProxySetup {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    h1spec::diff::peers::ProxySetup {
        template: leak(format!("{fixtures}/toy-proxy-{framing}.conf")),
        config: "toy.conf",
        program: "python3",
        args: Box::leak(vec![leak(format!("{fixtures}/toy_proxy.py")), "@CONFIG@"].into_boxed_slice()),
        prepare: h1spec::diff::peers::Prepare::Nothing,
    }
}

#[test]
fn a_chain_whose_proxy_ignores_transfer_encoding_desyncs_and_one_that_frames_as_the_rfc_does_not() {
    use h1spec::diff::peers::{start, start_chain_with, start_proxy_with};
    let origin = start("h1spec-server").expect("the reference server starts in process");
    // A chunked POST with a request hidden after its last chunk: framed by Content-Length
    // (absent: no body), the proxy forwards the head alone, and the origin waits for its
    // chunks, so the proxy's next request lands in that body.
    let smuggle = Stream {
        source: "smuggle".into(),
        ..stream(
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hidden HTTP/1.1\r\nHost: a\r\n\r\n",
            None,
        )
    };
    let plain = Stream {
        source: "plain".into(),
        ..stream(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", None)
    };
    let mut verdicts = Vec::new();
    for framing in ["cl-only", "rfc"] {
        let setup = toy_proxy(framing);
        let name = format!("toy-{framing}");
        let proxy = start_proxy_with(&name, &setup, 1).expect("the toy proxy starts");
        let chain = start_chain_with(&name, &setup, origin.as_ref(), 1).expect("the toy chain starts");
        let peers = vec![proxy, chain];
        let quick = Settings { minimise_time: std::time::Duration::ZERO, ..settings() };
        let outcome = run(&peers, vec![smuggle.clone(), plain.clone()], &Quirks::default(), &quick, &|_| {});
        assert_eq!(outcome.chains.len(), 1, "{outcome:?}");
        // Confirmed: shown again when the stream was read again (a busy machine can make a
        // chain look short once; the report says so too).
        let confirmed = outcome.findings.iter().filter(|f| f.difference.class == Class::ChainDesync && f.reproduced);
        let shown: Vec<String> = confirmed.map(|f| f.source.clone()).collect();
        verdicts.push((framing, outcome.chains[0].streams, shown));
    }
    let smuggled = vec![smuggle.source.clone()];
    assert_eq!(
        verdicts,
        [("cl-only", 2, smuggled), ("rfc", 2, vec![])],
        "the flawed chain desyncs on the chunked stream only"
    );
}

#[test]
fn a_saved_report_renders_again_as_it_was_written() {
    let mut outcome = run(&toys(), streams(), &Quirks::default(), &settings(), &|_| {});
    outcome.command = "h1spec diff --peers toys".into();
    let json = h1spec::report::diff::json(&outcome);
    let back: Outcome = serde_json::from_str(&json).expect("the JSON report reads back");
    assert_eq!(h1spec::report::diff::markdown(&back), h1spec::report::diff::markdown(&outcome));
    assert_eq!(back.findings[0].stream, outcome.findings[0].stream, "bytes survive as Latin-1 text");
}

#[test]
fn save_finding_names_the_case_after_what_it_tests() {
    let outcome = run(&toys(), vec![streams().remove(0)], &Quirks::default(), &settings(), &|_| {});
    let dir = std::env::temp_dir().join(format!("h1spec-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (report, corpus) = (dir.join("diff.json"), dir.join("found.toml"));
    std::fs::write(&report, h1spec::report::diff::json(&outcome)).unwrap();
    let n = outcome.findings.iter().position(|f| f.difference.class == Class::AcceptRefuse).unwrap() + 1;
    let id = h1spec::diff::save::save_finding(&report, n, None, &corpus).expect("saved");
    assert_eq!(id, format!("diff-bare-lf-{n}"), "named after the rule h1wire refuses it by");
    let section = h1spec::corpus::load_str("found.toml", &std::fs::read_to_string(&corpus).unwrap()).unwrap();
    assert!(section.cases[0].check().failures.is_empty());
    assert!(section.cases[0].note.as_deref().is_some_and(|n| n.contains("first from toy")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_proxy_still_streaming_a_body_its_client_cut_short_waits_and_reads_no_message() {
    use h1spec::diff::{peers::start_proxy_with, End, Stage};
    let proxy = start_proxy_with("toy-streaming", &toy_proxy("streaming"), 1).expect("the toy proxy starts");
    // The recorder answers once the body stops coming; the proxy relays that answer, but it
    // never had the whole body, so it ended no message: it waits, as h1wire does.
    let cut = proxy.read(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc").expect("read");
    assert!(cut.reading.messages.is_empty(), "{:?}", cut.reading);
    assert_eq!(cut.reading.end, End::Cut { stage: Stage::Body });
    assert_eq!(cut.forwarded.len(), 1, "what it forwarded is still kept");
    // The whole body, streamed: one message.
    let whole = proxy.read(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc").expect("read");
    assert_eq!(whole.reading.messages.len(), 1, "{:?}", whole.reading);
    assert_eq!(whole.reading.messages[0].body, b"abc");
}
