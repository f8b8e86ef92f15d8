//! The httparse differential over every request in the corpus: the same check `diff_httparse`
//! fuzzes, on known inputs.

use h1spec::corpus::{self, CaseKind};
use h1spec::differential::diff_httparse;

#[test]
fn corpus_requests_agree_with_httparse_or_differ_deliberately() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for section in corpus::load(&corpus::default_dir()).unwrap() {
        for case in section.cases.iter().filter(|c| c.kind == CaseKind::Request) {
            compared += 1;
            if let Err(why) = diff_httparse(&case.bytes()) {
                failures.push(format!("{}: {why}", case.id));
            }
        }
    }
    assert!(compared > 400, "{compared}");
    assert!(failures.is_empty(), "{} undocumented differences:\n{}", failures.len(), failures.join("\n"));
}
