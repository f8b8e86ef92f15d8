//! The conformance corpus as a test: every case's expectation is asserted on its own, every case
//! runs whole, one byte at a time and cut at every offset, and each section's full outcomes are
//! an insta snapshot (`cargo insta review` shows any change as a diff).

use h1spec::corpus::{self, Case, Section};
use serde_json::Value;

fn sections() -> Vec<Section> {
    corpus::load(&corpus::default_dir()).expect("the corpus loads")
}

/// Long strings (the limit cases) are cut in the snapshot, with their length.
fn abbreviate(value: &mut Value) {
    match value {
        Value::String(s) if s.chars().count() > 96 => {
            let head: String = s.chars().take(48).collect();
            *s = format!("{head}…({} chars)", s.chars().count());
        }
        Value::Array(items) => items.iter_mut().for_each(abbreviate),
        Value::Object(map) => map.values_mut().for_each(abbreviate),
        _ => {}
    }
}

fn snapshot_line(case: &Case, verdict: &h1spec::parse::Verdict) -> String {
    let mut json = serde_json::to_value(verdict).unwrap();
    abbreviate(&mut json);
    format!("{} [{}] => {json}", case.id, case.rfc.join(", "))
}

#[test]
fn every_case_meets_its_expectation_and_matches_its_snapshot() {
    let sections = sections();
    // Sections run in parallel; each is checked and snapshotted on its own.
    let results: Vec<(String, String, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = sections
            .iter()
            .map(|section| {
                scope.spawn(move || {
                    let mut lines = Vec::new();
                    let mut failures = Vec::new();
                    for case in &section.cases {
                        let checked = case.check();
                        lines.push(snapshot_line(case, &checked.verdict));
                        failures.extend(checked.failures.iter().map(|f| format!("{}: {f}", case.id)));
                    }
                    (section.file.clone(), format!("{}\n\n{}\n", section.title, lines.join("\n")), failures)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let failures: Vec<&String> = results.iter().flat_map(|(_, _, f)| f).collect();
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
    for (file, text, _) in &results {
        insta::assert_snapshot!(file.as_str(), text);
    }
}

#[test]
fn the_corpus_is_large_and_well_formed() {
    let sections = sections();
    let cases: Vec<&Case> = sections.iter().flat_map(|s| &s.cases).collect();
    assert!(cases.len() >= 400, "{} cases", cases.len());
    for case in &cases {
        assert!(case.rfc.iter().all(|r| r.starts_with("RFC ")), "{}: {:?}", case.id, case.rfc);
        if let Some(cve) = &case.cve {
            let parts: Vec<&str> = cve.split('-').collect();
            assert!(parts.len() == 3 && parts[0] == "CVE" && parts[1].len() == 4, "{}: {cve}", case.id);
        }
    }
    // The smuggling classes the issue names each have cases.
    for needle in ["cl-te", "te-cl", "te-te", "cl-0", "zero-cl", "expect", "resp-head", "resp-close-delimited"] {
        assert!(cases.iter().any(|c| c.id.starts_with(needle)), "no case for {needle}");
    }
}

/// A section file holding one case.
fn file_of(toml_case: &str) -> String {
    format!("[section]\nid = \"t\"\ntitle = \"t\"\n\n[[case]]\n{toml_case}\n")
}

fn case(toml_case: &str) -> Case {
    corpus::load_str("t", &file_of(toml_case)).unwrap().cases.remove(0)
}

#[test]
fn the_checker_fails_wrong_expectations() {
    let base =
        "id = \"x\"\nrfc = [\"RFC 9112 §5\"]\nlevel = \"MUST\"\nraw = 'GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'\n";
    assert!(case(&format!("{base}expect = \"accept\"\nmethod = \"GET\"\nconsumed = 27")).check().failures.is_empty());
    for wrong in [
        "expect = \"reject\"\nstatus = [400]",
        "expect = \"incomplete\"",
        "expect = \"accept\"\nmethod = \"POST\"",
        "expect = \"accept\"\nconsumed = 26",
        "expect = \"accept\"\nheaders = [[\"Host\", \"b\"]]",
        "expect = \"accept\"\nframing = \"chunked\"",
    ] {
        assert!(!case(&format!("{base}{wrong}")).check().failures.is_empty(), "{wrong}");
    }
    let bad = "id = \"y\"\nrfc = [\"RFC 9112 §5\"]\nlevel = \"MUST\"\nraw = 'GET / HTTP/1.1\\r\\nHost: a\\r\\nX : y\\r\\n\\r\\n'\n";
    assert!(case(&format!("{bad}expect = \"reject\"\nstatus = [400]\nerror = \"whitespace-before-colon\""))
        .check()
        .failures
        .is_empty());
    assert!(!case(&format!("{bad}expect = \"reject\"\nstatus = [431]")).check().failures.is_empty());
    assert!(!case(&format!("{bad}expect = \"reject\"\nstatus = [400]\nerror = \"bare-lf\""))
        .check()
        .failures
        .is_empty());
}

#[test]
fn inconsistent_cases_do_not_load() {
    for (name, body) in [
        ("a", "id = \"a\"\nrfc = [\"RFC 1\"]\nlevel = \"MUST\"\nraw = 'x'\nexpect = \"reject\""),
        ("b", "id = \"b\"\nrfc = []\nlevel = \"MUST\"\nraw = 'x'\nexpect = \"incomplete\""),
        ("c", "id = \"c\"\nrfc = [\"RFC 1\"]\nlevel = \"MUST\"\nraw = '\\q'\nexpect = \"incomplete\""),
        ("d", "id = \"d\"\nrfc = [\"RFC 1\"]\nlevel = \"OFTEN\"\nraw = 'x'\nexpect = \"incomplete\""),
        ("e", "id = \"e\"\nrfc = [\"RFC 1\"]\nlevel = \"MUST\"\nraw = 'x'\nexpect = \"reject\"\nstatus = [400]\nmethod = \"GET\""),
    ] {
        assert!(corpus::load_str("t", &file_of(body)).is_err(), "case {name} loaded");
    }
    // A rule h1wire does not have is a load error that names it.
    let typo = "id = \"f\"\nrfc = [\"RFC 1\"]\nlevel = \"MUST\"\nraw = 'x'\nexpect = \"reject\"\nstatus = [400]\nerror = \"bare-lff\"";
    let err = corpus::load_str("t", &file_of(typo)).unwrap_err().to_string();
    assert!(err.contains("unknown rule \"bare-lff\""), "{err}");
}

#[test]
fn the_embedded_corpus_is_the_corpus_directory() {
    let on_disk = sections();
    let embedded = corpus::embedded().unwrap();
    let names = |s: &[Section]| s.iter().map(|s| (s.file.clone(), s.cases.len())).collect::<Vec<_>>();
    assert_eq!(names(&embedded), names(&on_disk), "corpus/cases and corpus::EMBEDDED differ: list every file there");
}

#[test]
fn every_case_states_its_requirement_and_framing_cases_their_class() {
    let sections = sections();
    let cases: Vec<&Case> = sections.iter().flat_map(|s| &s.cases).collect();
    assert!(cases.iter().all(|c| c.requirement.as_deref().is_some_and(|r| r.contains("RFC"))));
    let classed = cases.iter().filter(|c| c.desync.is_some()).count();
    assert!(classed >= 100, "{classed} framing cases");
    for class in ["CL.TE", "TE.CL", "TE.TE", "CL.0", "0.CL", "Expect", "pipelining"] {
        assert!(cases.iter().any(|c| c.desync.map(|d| d.name()) == Some(class)), "no {class} case");
    }
}
