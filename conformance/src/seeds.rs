//! `h1spec seeds`: fuzz seed corpora from the conformance cases, so every fuzz target starts from
//! every known edge case, plus the crash regressions kept in `corpus/regressions/<target>/`.

use std::path::Path;

use crate::corpus::{CaseKind, Section};

/// The method-selector byte `parse_response` reads first (its index in GET, HEAD, CONNECT, POST).
fn method_selector(method: &str) -> u8 {
    match method {
        "HEAD" => 1,
        "CONNECT" => 2,
        "POST" => 3,
        _ => 0,
    }
}

/// The bytes after the head of a chunked request: a seed for the `chunked` target.
fn chunked_body(raw: &[u8]) -> Option<&[u8]> {
    let end = crate::head::head_end(raw)?;
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    head.contains("transfer-encoding: chunked").then(|| &raw[end..])
}

/// Writes the seeds under `out/<target>/`; returns how many files each target got.
///
/// # Errors
///
/// An IO error creating or writing a file.
pub fn write(sections: &[Section], regressions: &Path, out: &Path) -> std::io::Result<Vec<(String, usize)>> {
    let mut counts = Vec::new();
    let mut put = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), bytes)?;
        match counts.iter_mut().find(|(t, _): &&mut (String, usize)| t == target) {
            Some((_, n)) => *n += 1,
            None => counts.push((target.to_string(), 1)),
        }
        Ok(())
    };
    for case in sections.iter().flat_map(|s| &s.cases) {
        let raw = case.bytes();
        match case.kind {
            CaseKind::Request => {
                put("whole_head", &case.id, &[&[h1wire_check::fuzz::whole_head_selector(None)][..], &raw].concat())?;
                put("parse_request", &case.id, &raw)?;
                put("diff_httparse", &case.id, &raw)?;
                if let Some(body) = chunked_body(&raw) {
                    put("chunked", &case.id, body)?;
                }
            }
            CaseKind::Response => {
                let mut seed = vec![method_selector(&case.request_method)];
                seed.extend_from_slice(&raw);
                put("parse_response", &case.id, &seed)?;
                seed[0] = h1wire_check::fuzz::whole_head_selector(Some(method_selector(&case.request_method)));
                put("whole_head", &case.id, &seed)?;
            }
        }
    }
    if let Ok(targets) = std::fs::read_dir(regressions) {
        for target in targets.flatten().filter(|e| e.path().is_dir()) {
            let name = target.file_name().to_string_lossy().into_owned();
            for file in std::fs::read_dir(target.path())?.flatten() {
                put(
                    &name,
                    &format!("regression-{}", file.file_name().to_string_lossy()),
                    &std::fs::read(file.path())?,
                )?;
            }
        }
    }
    Ok(counts)
}
