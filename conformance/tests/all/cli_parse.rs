//! `h1spec parse` as a user runs it: the binary, a file or standard input, one JSON line.

use std::io::Write;
use std::process::{Command, Stdio};

fn h1spec(args: &[&str], stdin: Option<&[u8]>) -> (serde_json::Value, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_h1spec"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("h1spec runs");
    child.stdin.take().unwrap().write_all(stdin.unwrap_or_default()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "exactly one JSON line: {text}");
    (serde_json::from_str(&text).expect("valid JSON"), out.status.code().unwrap())
}

#[test]
fn parses_the_readme_sample_in_any_piece_size() {
    let (whole, code) = h1spec(&["parse", "corpus/samples/post-chunked.http"], None);
    assert_eq!(code, 0);
    assert_eq!(whole["verdict"], "accept");
    assert_eq!(whole["method"], "POST");
    assert_eq!(whole["target"], "/upload?name=report.txt");
    assert_eq!(whole["body"], "hello, world!");
    assert_eq!(whole["body_len"], 13);
    assert_eq!(whole["trailers"], serde_json::json!([["Checksum", "sha256-abc"]]));
    for n in ["1", "2", "7", "1000"] {
        let (split, _) = h1spec(&["parse", "--chunk-size", n, "corpus/samples/post-chunked.http"], None);
        assert_eq!(split, whole, "--chunk-size {n}");
    }
}

#[test]
fn refuses_cl_te_smuggling_with_exit_zero() {
    let (v, code) = h1spec(&["parse", "corpus/samples/smuggle-cl-te.http"], None);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "reject");
    assert_eq!(v["status"], 400);
    assert_eq!(v["error"], "transfer-encoding-with-content-length");
    assert_eq!(v["offset"], 55);
}

#[test]
fn reads_standard_input_and_responses() {
    let (v, _) = h1spec(&["parse", "--response", "-"], Some(b"HTTP/1.1 204 No Content\r\n\r\nextra"));
    assert_eq!(
        (v["kind"].as_str(), v["status_code"].as_u64(), v["consumed"].as_u64()),
        (Some("response"), Some(204), Some(27))
    );
    let (v, _) = h1spec(&["parse", "--response", "--request-method", "HEAD", "corpus/samples/response-200.http"], None);
    assert_eq!((v["body_len"].as_u64(), v["consumed"].as_u64()), (Some(0), Some(64)));
    let (v, _) = h1spec(&["parse"], Some(b"GET / HTTP/1.1\r\nHost: a\r\n"));
    assert_eq!(
        (v["verdict"].as_str(), v["status"].is_null(), v["error"].as_str()),
        (Some("reject"), true, Some("unexpected-eof"))
    );
}

#[test]
fn a_missing_file_is_a_usage_error_not_a_verdict() {
    let out = Command::new(env!("CARGO_BIN_EXE_h1spec")).args(["parse", "/nonexistent/x.http"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// The JSON lines `program args…` prints for `stream` on its standard input, run from the
/// repository's root (where the shims' paths start).
fn lines_of(program: &str, args: &[&str], stream: &[u8]) -> Vec<serde_json::Value> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("it runs");
    child.stdin.take().unwrap().write_all(stream).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).expect("JSON")).collect()
}

/// `--stream`: the shim contract of `h1spec diff`, one line per message, the shims agreeing
/// with h1wire on a plain pipelined stream (where they are installed).
#[test]
fn stream_mode_prints_one_line_per_message_as_the_shims_do() {
    let stream = b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHo";
    let run = |program: &str, args: &[&str]| lines_of(program, args, stream);
    let ours = run(env!("CARGO_BIN_EXE_h1spec"), &["parse", "--stream"]);
    assert_eq!(ours.len(), 3, "{ours:?}");
    assert_eq!((ours[0]["target"].as_str(), ours[1]["body"].as_str()), (Some("/a"), Some("abc")));
    assert_eq!(ours[2]["verdict"], "reject");
    assert_eq!(ours[2]["status"], serde_json::Value::Null, "cut short");
    assert_eq!(ours[2]["stage"], "head");
    let mut shims = vec![("node", "peers/shims/node_parse.js")];
    let h11 = Command::new("python3")
        .args(["-c", "import h11"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if h11 {
        shims.push(("python3", "peers/shims/h11_parse.py"));
    } else {
        // CI installs the peers and sets H1SPEC_REQUIRE_PEERS: there, a missing h11 fails.
        assert!(
            std::env::var_os("H1SPEC_REQUIRE_PEERS").is_none(),
            "h11 is required (H1SPEC_REQUIRE_PEERS) but not installed"
        );
        eprintln!("h11 is not installed (pip install h11): its shim is not checked here");
    }
    for (program, script) in shims {
        let theirs = run(program, &[script]);
        assert_eq!(theirs.len(), 3, "{script}: {theirs:?}");
        for (a, b) in ours.iter().zip(&theirs).take(2) {
            for key in ["method", "target", "version", "headers", "body"] {
                assert_eq!(a[key], b[key], "{script}: {key}");
            }
        }
        assert_eq!(theirs[2]["status"], serde_json::Value::Null, "{script}");
    }
}

/// A shim stops reading where its implementation stops, and nowhere else: Node's llhttp hands
/// the connection over only when the request asks to upgrade (`Connection: upgrade` with an
/// `Upgrade` field); an `Upgrade` field alone is read past.
#[test]
fn a_shim_stops_at_an_upgrade_only_where_its_implementation_does() {
    let messages = |stream: &[u8]| {
        lines_of("node", &["peers/shims/node_parse.js"], stream).iter().filter(|l| l["verdict"] == "accept").count()
    };
    let second = b"GET /two HTTP/1.1\r\nHost: a\r\n\r\n";
    let field_alone = [&b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n"[..], second].concat();
    let asked = [&b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"[..], second].concat();
    assert_eq!(messages(&field_alone), 2, "an Upgrade field alone is read past");
    assert_eq!(messages(&asked), 1, "an upgrade asked for hands the connection over");
}
