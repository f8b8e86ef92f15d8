//! The crate's layers, checked from its source: no module imports one from a layer above it.
//! The table is the one `lib.rs` draws; a module missing from it fails the test, so a new
//! module has to be placed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layers, lowest first, and the modules in each (a module's submodules are in its layer unless
/// listed themselves).
const LAYERS: &[(&str, &[&str])] = &[
    ("data", &["corpus", "contract", "head", "canary"]),
    ("network", &["net", "background"]),
    ("model", &["pipeline", "diff", "probe::observation", "client"]),
    (
        "subjects",
        &[
            "suite::subject",
            "probe",
            "diff::peers",
            "diff::pico",
            "diff::lifecycle",
            "server",
            "parse",
            "client::origin",
            "client::subject",
            "client::proxy",
        ],
    ),
    (
        "judges",
        &[
            "suite::expectation",
            "probe::judge",
            "probe::reading",
            "probe::verdict",
            "diff::compare",
            "diff::quirks",
            "diff::features",
            "diff::behaviour",
            "differential",
            "client::judge",
        ],
    ),
    (
        "runs",
        &[
            "suite",
            "probe::session",
            "diff::run",
            "diff::session",
            "diff::mutate",
            "diff::minimise",
            "diff::save",
            "seeds",
            "client::session",
        ],
    ),
    ("reports", &["report"]),
];

/// The layer of a module path (`probe::verdict`): the longest listed prefix's.
fn layer_of(module: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, modules)) in LAYERS.iter().enumerate() {
        for m in *modules {
            let covers = module == *m || module.starts_with(&format!("{m}::"));
            if covers && best.is_none_or(|(len, _)| m.len() > len) {
                best = Some((m.len(), i));
            }
        }
    }
    best.map(|(_, i)| i)
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file (`probe/verdict.rs` → `probe::verdict`, `diff/mod.rs` →
/// `diff`); `None` for `lib.rs`, the binary and test files.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop()?;
    if parts.first().is_some_and(|p| p == "bin") || last == "lib.rs" || last == "tests.rs" {
        return None;
    }
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    Some(parts)
}

/// The code of a file without comments, string-free enough for paths, and without its unit
/// tests (which may use anything).
fn code(text: &str) -> String {
    let unit_tests = ["#[cfg(test)]\nmod tests", "#[cfg(test)]\npub(crate) mod tests"];
    let end = unit_tests.iter().filter_map(|m| text.find(m)).min().unwrap_or(text.len());
    let text = &text[..end];
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

fn ident(bytes: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    (String::from_utf8_lossy(&bytes[start..i]).into_owned(), i)
}

/// Expands the path at `i` (after `crate::` or `super::`), with brace groups, into `out` as
/// segment lists relative to `prefix`.
fn expand(bytes: &[u8], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            i += 1;
            loop {
                i = expand(bytes, i, path.clone(), out);
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    Some(b'}') => return i + 1,
                    _ => return i,
                }
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if bytes.get(i) == Some(&b'}') {
                    return i + 1;
                }
            }
        }
        let (name, next) = ident(bytes, i);
        if name.is_empty() {
            out.push(path);
            return i;
        }
        path.push(name);
        i = next;
        if bytes[i..].starts_with(b"::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// The child modules a file declares (`mod name;`, `pub mod name;`).
fn children(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_string)
        })
        .collect()
}

/// Every crate path a file's code names, resolved from `module` (its own path): `crate::` and
/// `super::` paths anywhere, and `use` of its own child modules.
fn imports(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let kids = children(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
        let child = boundary && bytes[i..].starts_with(b"use ") && {
            let (name, _) = ident(bytes, i + 4);
            kids.contains(&name)
        };
        if child {
            i = expand(bytes, i + 4, module.to_vec(), &mut out);
        } else if boundary && bytes[i..].starts_with(b"crate::") {
            i = expand(bytes, i + 7, Vec::new(), &mut out);
        } else if boundary && bytes[i..].starts_with(b"super::") {
            // `super` of a file module is its parent; `super::super::` climbs again.
            let mut base = module.to_vec();
            base.pop();
            i += 7;
            while bytes[i..].starts_with(b"super::") {
                base.pop();
                i += 7;
            }
            i = expand(bytes, i, base, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn no_module_imports_one_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut unplaced = BTreeSet::new();
    let mut upward = Vec::new();
    let mut checked = 0;
    for file in &files {
        let Some(module) = module_of(&src, file) else { continue };
        let name = module.join("::");
        let Some(own) = layer_of(&name) else {
            unplaced.insert(name);
            continue;
        };
        for path in imports(&code(&std::fs::read_to_string(file).unwrap()), &module) {
            // The longest prefix that is a module: drop the item names at the end.
            let target =
                (1..=path.len()).rev().map(|n| path[..n].join("::")).find_map(|p| layer_of(&p).map(|l| (p, l)));
            if let Some((target, layer)) = target {
                checked += 1;
                if layer > own {
                    upward.push(format!("{name} ({}) imports {target} ({})", LAYERS[own].0, LAYERS[layer].0));
                }
            }
        }
    }
    assert!(unplaced.is_empty(), "modules in no layer (place them in LAYERS and in lib.rs): {unplaced:?}");
    assert!(checked > 100, "the scan found only {checked} imports: it is not reading the code");
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports from a layer above:\n{}", upward.join("\n"));
}

#[test]
fn the_scan_resolves_braces_and_super() {
    let code = "mod c;\nuse crate::{corpus::Case, net::{End, Seen}};\nuse super::super::x::Y;\npub use c::Z;";
    let found = imports(code, &["a".into(), "b".into()]);
    let found: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(found, ["corpus::Case", "net::End", "net::Seen", "x::Y", "a::b::c::Z"]);
    assert_eq!(layer_of("probe::verdict"), Some(4));
    assert_eq!(layer_of("probe"), Some(3));
    assert_eq!(layer_of("report::diff"), Some(6));
}
