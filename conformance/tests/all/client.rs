//! `h1spec client`: h1wire's own client against the hostile origin, and toy clients with one
//! flaw each (`tests/fixtures/toy_client.py`), each flagged with the right class, while a
//! flaw-free toy shows no risk.

use h1spec::client::proxy::{self, BackProxy, PROXIES};
use h1spec::client::session::{self, AGAIN};
use h1spec::client::subject::{Client, H1wire, Shim};
use h1spec::corpus::DesyncClass;
use h1spec::diff::peers::{Prepare, ProxySetup};
use h1spec::pipeline::{CaseResult, DesyncVerdict, Judgment, Selection};

fn run(client: &dyn Client) -> Vec<CaseResult> {
    let sections = session::sections(h1spec::corpus::embedded().expect("the corpus loads"));
    session::run(client, &sections, &Selection::default(), 4, &|_| {}).expect("the origin starts")
}

fn toy(flaw: &str) -> Shim {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/toy_client.py");
    Shim { name: format!("toy-{flaw}"), program: "python3".into(), args: vec![script.into(), flaw.into()] }
}

fn risks(results: &[CaseResult]) -> Vec<(String, DesyncClass)> {
    results
        .iter()
        .filter(|r| r.is_desync_risk())
        .map(|r| (r.id.clone(), r.desync.as_ref().map(|d| d.class).unwrap_or(DesyncClass::Pipelining)))
        .collect()
}

fn failures(results: &[CaseResult]) -> Vec<String> {
    results.iter().filter(|r| r.is_must_failure()).map(|r| format!("{}: {}", r.id, r.actual)).collect()
}

#[test]
fn h1wire_as_a_client_passes_every_must_case_with_no_risk() {
    let results = run(&H1wire);
    assert!(results.len() > 40, "the response cases ran: {}", results.len());
    assert_eq!(failures(&results), Vec::<String>::new());
    assert_eq!(risks(&results), []);
    let consistent =
        results.iter().filter(|r| r.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Consistent));
    assert!(consistent.count() > 10, "the canary came after the responses h1wire read");
}

#[test]
fn a_flaw_free_toy_client_shows_no_risk_and_each_flawed_one_its_class() {
    let clean = run(&toy("none"));
    assert_eq!(risks(&clean), [], "{:?}", failures(&clean));
    let of = |flaw: &str, case: &str| {
        let results = run(&toy(flaw));
        let found = risks(&results);
        let hit = found.iter().find(|(id, _)| id == case).map(|(_, class)| *class);
        let verdict = results.iter().find(|r| r.id == case).map(|r| r.verdict);
        (hit, verdict, found.len())
    };
    // Transfer-Encoding with Content-Length read by the length (RFC 9112 §6.3 rule 3).
    let (class, verdict, _) = of("cl-over-te", "resp-te-and-cl-te-wins");
    assert_eq!((class, verdict), (Some(DesyncClass::Chunked), Some(Judgment::Fail)));
    // A body read after a 204 (RFC 9112 §6.3 rule 1): it waits for bytes that are the canary's.
    let (class, verdict, _) = of("body-after-204", "resp-204-no-body");
    assert_eq!((class, verdict), (Some(DesyncClass::ZeroCl), Some(Judgment::Fail)));
    // A chunk size ended by a bare LF (RFC 9112 §7.1; §2.2 does not cover chunk lines).
    let (class, verdict, _) = of("bare-lf-chunk", "resp-chunk-size-bare-lf");
    assert_eq!((class, verdict), (Some(DesyncClass::Chunked), Some(Judgment::Fail)));
}

#[test]
fn a_shim_that_does_not_start_or_prints_nothing_is_said_so_not_judged_a_risk() {
    let missing = Shim { name: "nothing".into(), program: "/nonexistent/client".into(), args: Vec::new() };
    let sections = session::sections(h1spec::corpus::embedded().expect("the corpus loads"));
    let selection = Selection { case: Some("resp-204-no-body".into()), ..Selection::default() };
    let results = session::run(&missing, &sections, &selection, 1, &|_| {}).expect("the origin starts");
    assert_eq!(results.len(), 1);
    assert!(results[0].actual.contains("does not start"), "{}", results[0].actual);
    assert_eq!(results[0].desync.as_ref().map(|d| d.verdict), Some(DesyncVerdict::Inconclusive));
}

#[test]
fn each_built_in_client_shim_reads_plain_responses_and_the_canary_after_them() {
    use h1spec::client::subject::{built_in, missing, BuiltIn, BUILT_IN};
    let sections = session::sections(h1spec::corpus::embedded().expect("the corpus loads"));
    let plain = ["resp-cl", "resp-chunked", "resp-head-ignores-cl"];
    for &BuiltIn { name, .. } in BUILT_IN {
        // A client this machine lacks (curl, urllib3) is said in one line; CI installs them.
        if let Some(why) = missing(name) {
            // CI installs them and sets H1SPEC_REQUIRE_PEERS: there, a missing one fails.
            assert!(std::env::var_os("H1SPEC_REQUIRE_PEERS").is_none(), "the {name} client is required: {why}");
            eprintln!("skipped: {why}");
            continue;
        }
        let shim = built_in(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        for case in plain {
            let selection = Selection { case: Some(case.into()), ..Selection::default() };
            let results = session::run(&shim, &sections, &selection, 1, &|_| {}).expect("the origin starts");
            let r = &results[0];
            assert_eq!(r.verdict, Judgment::Pass, "{name} on {case}: {}", r.actual);
            let d = r.desync.as_ref().map(|d| d.verdict);
            assert_eq!(d, Some(DesyncVerdict::Consistent), "{name} on {case}: {}", r.actual);
        }
    }
}

/// A toy reverse proxy (`tests/fixtures/toy_back_proxy.py`) in front of the origin, keeping one
/// upstream connection per client connection, framing responses as its config says.
fn toy_proxy(framing: &'static str) -> BackProxy {
    let template = match framing {
        "rfc" => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/toy-back-rfc.conf"),
        _ => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/toy-back-cl-first.conf"),
    };
    BackProxy {
        name: framing,
        setup: ProxySetup {
            template,
            config: "toy.conf",
            program: "python3",
            args: &[concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/toy_back_proxy.py"), "@CONFIG@"],
            prepare: Prepare::Nothing,
        },
        package: "python3",
    }
}

#[test]
fn a_proxy_that_takes_content_length_over_transfer_encoding_is_flagged_and_a_flaw_free_one_is_not() {
    let sections = session::sections(h1spec::corpus::embedded().expect("the corpus loads"));
    let results =
        session::run_through(&toy_proxy("rfc"), &sections, &Selection::default(), &|_| {}).expect("it starts");
    assert!(results.len() > 40, "the response cases ran: {}", results.len());
    assert_eq!(risks(&results), [], "the flaw-free toy proxy shows no risk");
    let results =
        session::run_through(&toy_proxy("cl-first"), &sections, &Selection::default(), &|_| {}).expect("it starts");
    let found = risks(&results);
    assert!(found.iter().any(|(id, _)| id == "resp-te-and-cl-te-wins"), "{found:?}");
    let d = results.iter().find(|r| r.id == "resp-te-and-cl-te-wins").and_then(|r| r.desync.as_ref()).unwrap();
    assert_eq!(d.reproduced.map(|p| p.times), Some(AGAIN), "it shows every time: {}", d.evidence);
}

#[test]
fn each_real_proxy_on_the_way_back_forwards_plain_responses_and_the_canary_after_them() {
    let sections = session::sections(h1spec::corpus::embedded().expect("the corpus loads"));
    for p in PROXIES {
        if let Some(why) = proxy::missing(p.name) {
            // CI installs nginx and sets H1SPEC_REQUIRE_PEERS: there, a missing nginx fails.
            let required = p.name == "nginx" && std::env::var_os("H1SPEC_REQUIRE_PEERS").is_some();
            assert!(!required, "the {} proxy is required: {why}", p.name);
            eprintln!("skipped: {why}");
            continue;
        }
        for case in ["resp-cl", "resp-chunked", "resp-head-ignores-cl"] {
            let selection = Selection { case: Some(case.into()), ..Selection::default() };
            let results = session::run_through(p, &sections, &selection, &|_| {}).expect("the proxy starts");
            let r = &results[0];
            assert_eq!(r.verdict, Judgment::Pass, "{} on {case}: {}", p.name, r.actual);
            let d = r.desync.as_ref().map(|d| d.verdict);
            assert_eq!(d, Some(DesyncVerdict::Consistent), "{} on {case}: {}", p.name, r.actual);
        }
    }
}
