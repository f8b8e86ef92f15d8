//! `h1spec suite` as a user runs it.

use std::process::Command;

#[test]
fn suite_prints_the_table_and_the_summary_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_h1spec"))
        .arg("suite")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let last = text.lines().last().unwrap();
    let words: Vec<&str> = last.split(' ').collect();
    assert_eq!(words.len(), 6, "{last}");
    assert_eq!((words[1], words[3], words[4], words[5]), ("cases,", "passed,", "0", "failed"));
    assert!(words[0].parse::<usize>().unwrap() >= 400);
    assert_eq!(words[0], words[2]);
    assert!(text.starts_with("section"), "{text}");
    assert!(text.contains("RFC 9112 §7 Chunked transfer coding"));
}
