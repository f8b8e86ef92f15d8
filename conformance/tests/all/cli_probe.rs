//! `h1spec probe` as a user runs it: the binary against the embedded reference server, against
//! Python's http.server (present wherever Python is), and against nothing.

use std::process::{Command, Stdio};

use crate::servers::Process;

fn h1spec(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_h1spec")).args(args).output().expect("h1spec runs")
}

#[test]
fn with_no_arguments_it_probes_the_reference_server_and_exits_0() {
    let out = h1spec(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("h1spec probe 127.0.0.1:"), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" failed, 0 desync risks") && last.contains(", 0 failed,"), "{last}");
}

/// Python's http.server on an ephemeral port (it prints
/// `Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...`).
fn python_server() -> Process {
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/samples");
    let mut command = Command::new("python3");
    command.args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", samples]).stderr(Stdio::null());
    let mut server = Process::start_printing_addr(&mut command, "(http://");
    server.addr = server.addr.trim_end_matches(")").trim_end_matches('/').to_owned();
    server
}

#[test]
fn python_http_server_fails_with_a_json_and_a_junit_report() {
    let server = python_server();
    let addr = server.addr.clone();
    let out = h1spec(&["probe", &addr, "--format", "json", "-j", "8"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["target"], addr.as_str());
    for key in ["total", "passed", "failed", "skipped", "desync_risks"] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    assert!(json["summary"]["failed"].as_u64().unwrap() > 0, "http.server accepts requests the RFC refuses");
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len() as u64, json["summary"]["total"].as_u64().unwrap());
    for r in results {
        for key in ["id", "section", "level", "requirement", "verdict", "expected", "actual"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
        assert!(["pass", "fail", "skip"].contains(&r["verdict"].as_str().unwrap()));
        match &r["desync"] {
            serde_json::Value::Null => {}
            d => {
                assert!(
                    ["consistent", "refused", "risk", "inconclusive"].contains(&d["verdict"].as_str().unwrap()),
                    "{d}"
                );
                assert!(d["class"].is_string() && d["evidence"].is_string());
            }
        }
    }

    let file = std::env::temp_dir().join(format!("h1spec-junit-{}.xml", std::process::id()));
    let out = h1spec(&["probe", &addr, "--format", "junit", "--output", file.to_str().unwrap(), "-j", "8"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), "{}", &xml[..200]);
    assert_eq!(xml.matches("<testsuite ").count(), xml.matches("</testsuite>").count());
    assert!(xml.contains("<failure "), "failures are reported");
}

#[test]
fn an_unreachable_server_or_bad_arguments_exit_2() {
    // Port 1 on loopback: nothing listens there (and binding it needs privileges).
    let out = h1spec(&["probe", "127.0.0.1:1", "--timeout", "500"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("h1spec: 127.0.0.1:1:"));
    assert_eq!(h1spec(&["probe", "--format", "yaml"]).status.code(), Some(2));
    assert_eq!(h1spec(&["probe", "https://127.0.0.1:443/"]).status.code(), Some(2));
}
