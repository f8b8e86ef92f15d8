//! The probe against real servers installed from the package registries: nginx (Debian's
//! package), started by the test as its own process on 127.0.0.1 with the config the repository
//! ships, and stopped when the test ends.
//!
//! On a machine without nginx the test says so and checks nothing, unless
//! `H1SPEC_REQUIRE_PEERS` is set (CI sets it, after installing nginx), when a missing nginx
//! fails it.

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::servers::Process;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn installed(program: &str) -> bool {
    let found =
        Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("H1SPEC_REQUIRE_PEERS").is_none(),
            "{program} is required (H1SPEC_REQUIRE_PEERS) but not installed"
        );
        eprintln!("{program} is not installed: this test checks nothing here (CI installs it)");
    }
    found
}

/// nginx runs as one process (`master_process off` in its config), so killing it leaves no
/// worker behind.
fn start_nginx() -> Process {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("h1spec-nginx-{}-{port}", std::process::id()));
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../peers/nginx/nginx.conf")).unwrap();
    std::fs::write(dir.join("nginx.conf"), config.replace("@PORT@", &port.to_string())).unwrap();
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let peer = Process { child, addr: format!("127.0.0.1:{port}"), dir: Some(dir) };
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "nginx did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    peer
}

#[test]
fn nginx_is_probed_with_a_valid_report() {
    if !installed("nginx") {
        return;
    }
    let nginx = start_nginx();
    let addr = nginx.addr.clone();
    let out = Command::new(env!("CARGO_BIN_EXE_h1spec"))
        .args(["probe", &addr, "--format", "json", "-j", "8"])
        .output()
        .expect("h1spec runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let summary = &json["summary"];
    let total = summary["total"].as_u64().unwrap();
    assert_eq!(
        total,
        summary["passed"].as_u64().unwrap()
            + summary["failed"].as_u64().unwrap()
            + summary["skipped"].as_u64().unwrap()
    );
    assert!(summary["passed"].as_u64().unwrap() > 300, "nginx answers most cases as the RFC says: {summary}");
    // nginx keeps the connection open for what it reads, so framing cases get a verdict.
    let consistent =
        json["results"].as_array().unwrap().iter().filter(|r| r["desync"]["verdict"] == "consistent").count();
    assert!(consistent > 20, "{consistent} consistent framing cases");
}
