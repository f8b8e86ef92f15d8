//! The probe against servers whose behaviour is known: the reference server (no MUST failure, no
//! desync risk), a naive server with one flaw at a time (each flagged where it should be), and
//! hostile servers (every exchange ends within its deadline, with what it could read).

use std::time::{Duration, Instant};

use h1spec::corpus::{self, Level, Section};
use h1spec::net::{self, End, Plan, Until};
use h1spec::pipeline::{self, CaseResult, DesyncVerdict, Judgment, RunNotes, Selection};
use h1spec::probe::session::Probing;
use h1spec::probe::{Live, Target, Timing};

use crate::servers::{self, Flaws, Hostile};

fn sections() -> Vec<Section> {
    corpus::embedded().unwrap()
}

fn probe(addr: std::net::SocketAddr, sections: &[Section], selection: &Selection) -> Vec<CaseResult> {
    probe_with_notes(addr, sections, selection).0
}

fn probe_with_notes(
    addr: std::net::SocketAddr,
    sections: &[Section],
    selection: &Selection,
) -> (Vec<CaseResult>, RunNotes) {
    let timing = Timing { deadline: Duration::from_millis(1000), ..Timing::default() };
    let live = Live::connect(Target::parse(&addr.to_string()).unwrap(), timing).expect("the server answers the canary");
    let probing = Probing::new(&live, 3, Duration::from_secs(600));
    let results = pipeline::run(&probing, &probing.judge(), sections, selection, 8, &|_| {});
    (results, live.notes())
}

/// Probes a naive server with each set of flaws, side by side (the runs mostly wait on deadlines),
/// with every case of `sections`, SHOULD-level ones included.
fn probe_each(flaws: &[Flaws], sections: &[Section]) -> Vec<(Vec<CaseResult>, RunNotes)> {
    let all = Selection { strict: true, ..Selection::default() };
    std::thread::scope(|scope| {
        let handles: Vec<_> = flaws
            .iter()
            .map(|&f| {
                let all = &all;
                scope.spawn(move || probe_with_notes(servers::naive(f).addr(), sections, all))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn risks(results: &[CaseResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.is_desync_risk())
        .map(|r| format!("{}: {}", r.id, r.desync.as_ref().unwrap().difference))
        .collect()
}

fn find<'r>(results: &'r [CaseResult], id: &str) -> &'r CaseResult {
    results.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn risk_class(r: &CaseResult) -> Option<&'static str> {
    r.desync.as_ref().filter(|d| d.verdict == DesyncVerdict::Risk).map(|d| d.class.name())
}

#[test]
fn the_reference_server_passes_every_must_case_with_no_desync_risk() {
    let server = h1spec::server::start(std::net::TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let results = probe(server.addr(), &sections(), &Selection { strict: true, ..Selection::default() });
    let bad: Vec<String> = results
        .iter()
        .filter(|r| r.is_must_failure() || r.is_desync_risk())
        .map(|r| format!("{}: {} / {:?}", r.id, r.actual, r.desync))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let checked = results.iter().filter(|r| r.desync.is_some()).count();
    assert!(checked >= 140, "only {checked} framing cases checked for desync");
    assert!(results.iter().filter(|r| r.verdict == Judgment::Pass).count() >= 500);
}

/// Each flaw, the case that must show it, and how.
#[test]
fn each_flaw_of_a_broken_server_is_flagged_and_allowed_choices_are_not() {
    let with = [
        Flaws::default(),
        Flaws { te_cl_by_cl: true, ..Flaws::default() },
        Flaws { first_of_two_cl: true, ..Flaws::default() },
        Flaws { chunk_size_hex_prefix: true, ..Flaws::default() },
        Flaws { cl_ignored_on_get: true, ..Flaws::default() },
        Flaws { space_before_colon: true, ..Flaws::default() },
        Flaws { bare_lf: true, ..Flaws::default() },
        Flaws { unfold: true, ..Flaws::default() },
        Flaws { post_body_until_close: true, ..Flaws::default() },
    ];
    let mut runs: Vec<Vec<CaseResult>> = probe_each(&with, &sections()).into_iter().map(|(r, _)| r).collect();
    let baseline = runs.remove(0);
    let base_risks: Vec<String> = baseline
        .iter()
        .filter(|r| r.is_desync_risk())
        .map(|r| format!("{}: {}", r.id, r.desync.as_ref().unwrap().difference))
        .collect();
    assert!(base_risks.is_empty(), "the naive server without flaws frames like the RFC: {base_risks:?}");

    // Framing flaws: a desync risk of the right class on the case that exposes it.
    for (results, id, class) in [
        (&runs[0], "te-cl-classic", "TE.CL"),
        (&runs[1], "cl-cl-conflict", "CL.CL"),
        (&runs[2], "chunk-size-0x-hides-request", "chunked"),
        (&runs[3], "cl-0-get-body-is-a-request", "CL.0"),
    ] {
        assert_eq!(risk_class(find(&baseline, id)), None, "{id} without the flaw");
        let r = find(results, id);
        assert_eq!(risk_class(r), Some(class), "{id}: {:?}", r.desync);
    }

    // Whitespace before the colon: a MUST failure of RFC 9112 §5.1.
    let results = &runs[4];
    assert_eq!(find(&baseline, "field-space-before-colon").verdict, Judgment::Pass);
    let r = find(results, "field-space-before-colon");
    assert_eq!((r.verdict, r.level, r.section.as_str()), (Judgment::Fail, Level::Must, "RFC 9112 §5.1"), "{r:?}");

    // Bare LF: RFC 9112 §2.2 lets a recipient accept it, so it shows at its level (MAY, where
    // either choice passes) and adds no MUST failure and no desync risk.
    let results = &runs[5];
    let r = find(results, "request-line-bare-lf");
    assert_eq!((r.level, r.verdict), (Level::May, Judgment::Pass));
    assert!(r.actual.starts_with("200"), "the server's choice is reported: {}", r.actual);
    assert!(find(&baseline, "request-line-bare-lf").actual.starts_with("400"));
    let must = |rs: &[CaseResult]| rs.iter().filter(|r| r.is_must_failure()).map(|r| r.id.clone()).collect::<Vec<_>>();
    let base_must = must(&baseline);
    let added: Vec<String> = must(results).into_iter().filter(|id| !base_must.contains(id)).collect();
    assert!(added.is_empty(), "bare LF adds no MUST failure: {added:?}");
    let risks: Vec<String> = results
        .iter()
        .filter(|r| r.is_desync_risk())
        .map(|r| format!("{}: {}", r.id, r.desync.as_ref().unwrap().difference))
        .collect();
    assert!(risks.is_empty(), "{risks:#?}");

    // A POST without framing fields read as a body until the close (0.CL): the canary is taken as
    // body, and sent alone the head, a whole message to the RFC, is left waiting (the second
    // technique).
    let r = find(&runs[7], "zero-cl-post-then-request");
    assert_eq!(risk_class(r), Some("0.CL"), "{:?}", r.desync);
    assert!(r.desync.as_ref().unwrap().evidence.contains("sent alone"), "{:?}", r.desync);
    assert!(!find(&baseline, "zero-cl-post-then-request").desync.as_ref().unwrap().evidence.contains("sent alone"));

    // Replacing obs-fold by SP is allowed (RFC 9112 §5.2): no desync risk.
    let results = &runs[6];
    assert!(
        results.iter().all(|r| !r.is_desync_risk()),
        "{:?}",
        results.iter().filter(|r| r.is_desync_risk()).collect::<Vec<_>>()
    );
}

/// The published shapes, each against a server with that one flaw; and the servers that must
/// show no risk: one that reads huge numerals as announced, one that closes after accepting a bad
/// chunk line, one that does not pipeline, one that hangs after one case.
#[test]
fn published_shapes_are_flagged_and_correct_or_closed_servers_are_not() {
    let with = [
        Flaws { big_numerals: true, ..Flaws::default() },
        Flaws { chunk_bare_lf: true, ..Flaws::default() },
        Flaws { chunk_bare_lf_then_close: true, ..Flaws::default() },
        Flaws { empty_cl_absent: true, ..Flaws::default() },
        Flaws { te_ignored_in_http10: true, ..Flaws::default() },
        Flaws { no_pipelining: true, ..Flaws::default() },
        Flaws { hang_on_underscore: true, ..Flaws::default() },
        Flaws { refuse_post: true, ..Flaws::default() },
        Flaws { chunk_bare_lf_once: true, ..Flaws::default() },
        Flaws { ext_hangs: true, ..Flaws::default() },
    ];
    let runs = probe_each(&with, &sections());

    // Huge numerals read as the numbers they are, the body waited for: no risk, no MUST failure
    // on the huge-number cases.
    let (big, _) = &runs[0];
    assert!(risks(big).is_empty(), "{:#?}", risks(big));
    for id in ["cl-huge", "cl-overflow-u64", "chunk-size-overflow"] {
        let r = find(big, id);
        assert_eq!(r.desync.as_ref().unwrap().verdict, DesyncVerdict::Consistent, "{id}: {:?}", r.desync);
        assert_eq!(r.verdict, Judgment::Pass, "{id}: {}", r.actual);
    }

    // A bare LF after a chunk size, read on: a chunked risk, confirmed, with reproduce lines.
    let (lf, _) = &runs[1];
    for id in ["chunk-size-bare-lf", "funky-size-bare-lf"] {
        let r = find(lf, id);
        assert_eq!(risk_class(r), Some("chunked"), "{id}: {:?}", r.desync);
        let d = r.desync.as_ref().unwrap();
        assert!(d.difference.contains("chunk-line-bare-lf") && d.difference.contains("read on"), "{}", d.difference);
        assert_eq!(d.reproduced.map(|p| (p.times, p.of)), Some((3, 3)));
        assert!(d.reproduce[0].ends_with(&format!("--case {id} -v")), "{:?}", d.reproduce);
        assert!(d.reproduce[1].starts_with("printf '") && d.reproduce[1].contains("5\\nhello"), "{:?}", d.reproduce);
    }
    // Accepted, then closed: a MUST failure, no desync.
    let (closes, _) = &runs[2];
    assert!(risks(closes).is_empty(), "{:#?}", risks(closes));
    let r = find(closes, "chunk-size-bare-lf");
    assert_eq!((r.verdict, r.desync.as_ref().unwrap().verdict), (Judgment::Fail, DesyncVerdict::Consistent), "{r:?}");

    // An empty Content-Length read as absent, and Transfer-Encoding ignored in HTTP/1.0.
    let (empty, _) = &runs[3];
    assert_eq!(risk_class(find(empty, "cl-empty-then-request")), Some("CL.CL"));
    let (http10, _) = &runs[4];
    let r = find(http10, "te-chunked-http10-keep-alive");
    assert!(risk_class(r).is_some(), "{:?}", r.desync);

    // No pipelining: said once, no risk.
    let (single, notes) = &runs[5];
    assert!(risks(single).is_empty(), "{:#?}", risks(single));
    assert!(notes.notes.iter().any(|n| n.contains("pipelined")), "{notes:?}");
    assert!(single.iter().any(|r| r.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Inconclusive)));

    // Hangs after one case: one outage, no risk cascade.
    let (hung, notes) = &runs[6];
    assert!(risks(hung).is_empty(), "{:#?}", risks(hung));
    assert_eq!(notes.outages.len(), 1, "{notes:?}");
    assert!(!notes.outages[0].recovered);
    assert!(hung.iter().filter(|r| r.actual.starts_with("inconclusive")).count() > 10);

    // Refuses every POST (a static file server): said once; a POST case it answers 501 is
    // skipped, not failed, and shows no risk.
    let (static_files, notes) = &runs[7];
    assert!(risks(static_files).is_empty(), "{:#?}", risks(static_files));
    assert!(notes.notes.iter().any(|n| n.contains("(control)") && n.contains("501")), "{notes:?}");
    let r = find(static_files, "te-and-cl");
    assert_eq!(r.verdict, Judgment::Skip, "{r:?}");
    assert!(r.actual.contains("capability control"), "{}", r.actual);
    // A GET case is judged as usual.
    assert_eq!(find(static_files, "field-space-before-colon").verdict, Judgment::Pass);

    // Lenient once, strict after: the risk does not show again, so it is unstable, counted apart
    // and not in the exit status.
    let (once, _) = &runs[8];
    assert!(risks(once).is_empty(), "{:#?}", risks(once));
    let unstable: Vec<&CaseResult> =
        once.iter().filter(|r| r.desync.as_ref().is_some_and(|d| d.verdict == DesyncVerdict::Unstable)).collect();
    assert_eq!(unstable.len(), 1, "{unstable:#?}");
    assert_eq!(unstable[0].desync.as_ref().unwrap().reproduced.map(|p| (p.times, p.of)), Some((0, 3)));
    let summary = pipeline::Summary::of(once);
    assert_eq!((summary.desync_risks, summary.desync_unstable), (0, 1));

    // Waits on every chunk extension, valid or not: where a case has a control (the same
    // extension made valid), the server misreads the control too, so the attack is
    // inconclusive, not a risk.
    let (hangs, _) = &runs[9];
    let r = find(hangs, "chunk-ext-bare-lf-kestrel");
    let d = r.desync.as_ref().unwrap();
    assert_eq!(d.verdict, DesyncVerdict::Inconclusive, "{d:?}");
    assert!(d.difference.contains("the control"), "{}", d.difference);
}

/// Every published shape against a server with the one flaw it exposes: a risk on that case, none
/// on the flaw-free server (which the test above runs on the whole corpus).
#[test]
fn each_published_shape_is_flagged_on_the_server_with_its_flaw() {
    let shapes: Vec<Section> = sections().into_iter().filter(|s| s.file == "smuggling-shapes").collect();
    let with: Vec<(Flaws, &[&str])> = vec![
        (Flaws::default(), &[]),
        (
            Flaws { underscore_as_dash: true, ..Flaws::default() },
            &["content-length-underscore-name", "transfer-encoding-underscore-name"],
        ),
        (Flaws { python_int: true, ..Flaws::default() }, &["cl-underscore-digits"]),
        (Flaws { te_unrecognised_ignored: true, ..Flaws::default() }, &["te-chunked-trailing-comma"]),
        (Flaws { lf_inside_lines: true, ..Flaws::default() }, &["bare-lf-head-then-canary"]),
        (
            Flaws { quoted_ext_across_lines: true, lax_quoted_ext: true, ..Flaws::default() },
            &["chunk-ext-quoted-unterminated-hides-request"],
        ),
        (Flaws { bare_cr_line_end: true, ..Flaws::default() }, &["field-value-leading-bare-cr-hides-cl"]),
        (Flaws { leading_space_new_field: true, ..Flaws::default() }, &["cl-obs-fold-node"]),
        (Flaws { lax_quoted_ext: true, ..Flaws::default() }, &["chunk-ext-quoted-cr", "chunk-ext-quoted-lf"]),
        (Flaws { spill: true, ..Flaws::default() }, &["funky-term-spill"]),
        (Flaws { any_two_bytes_after_data: true, ..Flaws::default() }, &["funky-two-one"]),
        (
            Flaws { te_first_line_only: true, ..Flaws::default() },
            &["te-gunicorn-conflicting-lines", "te-chunked-then-gzip-lines-with-body"],
        ),
        (Flaws { expect_early: true, ..Flaws::default() }, &["expect-100-early-answer-then-body"]),
        (Flaws { cl_ignored_on_get: true, ..Flaws::default() }, &["cl-0-gadget-prefix"]),
        (Flaws { space_before_colon: true, ..Flaws::default() }, &["te-space-before-colon-alone"]),
        (Flaws { chunk_bare_lf: true, ..Flaws::default() }, &["chunk-ext-bare-lf-kestrel", "funky-size-bare-lf"]),
        (Flaws { invalid_te_falls_back_to_cl: true, ..Flaws::default() }, &["te-invalid-beside-cl-gunicorn"]),
    ];
    let flaws: Vec<Flaws> = with.iter().map(|&(f, _)| f).collect();
    let runs: Vec<Vec<CaseResult>> = probe_each(&flaws, &shapes).into_iter().map(|(r, _)| r).collect();
    assert!(risks(&runs[0]).is_empty(), "the flaw-free server: {:#?}", risks(&runs[0]));
    // It takes a 17 KB chunk extension: reading it as announced is allowed, so a SHOULD failure
    // (RFC 9112 §7.1.1: a server ought to limit them), not a risk.
    let r = find(&runs[0], "chunk-ext-over-16k");
    assert_eq!((r.verdict, r.level), (Judgment::Fail, Level::Should), "{r:?}");
    assert_eq!(r.desync.as_ref().unwrap().verdict, DesyncVerdict::Consistent, "{:?}", r.desync);
    for ((flaws, ids), results) in with.iter().zip(&runs).skip(1) {
        for id in *ids {
            let r = find(results, id);
            assert!(r.is_desync_risk(), "{flaws:?} on {id}: {:?}", r.desync);
        }
    }
}

#[test]
fn hostile_servers_end_each_exchange_within_its_deadline() {
    let request = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for mode in [Hostile::Endless, Hostile::Trickle, Hostile::Huge, Hostile::Silent, Hostile::Reset, Hostile::Garbage] {
        let server = servers::hostile(mode);
        let started = Instant::now();
        let plan = Plan::responses(request, 1, Duration::ZERO, started + Duration::from_millis(700));
        let ex = net::exchange(server.addr(), &plan);
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "{mode:?} took {took:?}");
        assert!(ex.responses.is_empty(), "{mode:?}: no complete response can come: {:?}", ex.responses);
        match mode {
            // The body limit (64 MiB) or the deadline, whichever comes first; nothing is kept.
            Hostile::Endless => assert!(
                matches!(&ex.end, End::Timeout)
                    || matches!(&ex.end, End::Malformed { rule, .. } if rule == "body-too-large"),
                "{:?}",
                ex.end
            ),
            // A 1 GiB declared body is refused at the head, before any of it is read.
            Hostile::Huge => {
                assert!(matches!(&ex.end, End::Malformed { rule, .. } if rule == "body-too-large"), "{:?}", ex.end)
            }
            Hostile::Trickle | Hostile::Silent => assert_eq!(ex.end, End::Timeout),
            Hostile::Reset => assert!(matches!(ex.end, End::Reset | End::Closed), "{:?}", ex.end),
            Hostile::Garbage => {
                assert!(matches!(&ex.end, End::Malformed { rule, .. } if rule == "invalid-version"), "{:?}", ex.end)
            }
        }
    }
}

#[test]
fn hostile_servers_cannot_make_a_quiet_exchange_keep_more_than_its_cap_or_its_deadline() {
    // The diff's way of reading: every byte until the close or a silence, up to a cap.
    let request = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for mode in [Hostile::Endless, Hostile::Trickle, Hostile::Huge, Hostile::Silent, Hostile::Reset, Hostile::Garbage] {
        let server = servers::hostile(mode);
        let started = Instant::now();
        let plan = Plan {
            bytes: request,
            until: Until::Quiet(Some(Duration::from_millis(300))),
            deadline: started + Duration::from_millis(700),
            half_close: true,
            keep: 64 * 1024,
        };
        let ex = net::exchange(server.addr(), &plan);
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "{mode:?} took {took:?}");
        assert!(ex.received.len() <= 64 * 1024, "{mode:?} kept {} bytes", ex.received.len());
        assert!(ex.responses.is_empty(), "nothing is parsed");
        if mode == Hostile::Endless {
            assert_eq!(ex.received.len(), 64 * 1024, "an endless answer fills the cap and stops there");
        }
    }
}

#[test]
fn a_server_that_never_answers_the_canary_is_unreachable_and_the_run_does_not_start() {
    for mode in [Hostile::Silent, Hostile::Garbage, Hostile::Reset] {
        let server = servers::hostile(mode);
        let started = Instant::now();
        let timing = Timing { deadline: Duration::from_millis(500), ..Timing::default() };
        let live = Live::connect(Target::parse(&server.addr().to_string()).unwrap(), timing);
        assert!(live.is_err(), "{mode:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{mode:?}");
    }
}
