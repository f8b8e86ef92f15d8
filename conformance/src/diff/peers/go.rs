//! Go peers are built once into the build directory, with Go's own cache there too.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where built peer programs (the Go ones) are kept between runs.
pub(crate) fn build_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("h1spec-peers")
}

/// Builds a Go program once into the build directory (Go's own cache there too).
pub(crate) fn go_build(source: &Path, name: &str) -> Result<PathBuf, String> {
    let dir = build_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let binary = dir.join(format!("go-{name}"));
    let fresh = |b: &Path| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        matches!((modified(b), modified(source)), (Some(b), Some(s)) if b >= s)
    };
    if fresh(&binary) {
        return Ok(binary);
    }
    let out = Command::new("go")
        .arg("build")
        .arg("-o")
        .arg(&binary)
        .arg(source)
        .env("GOCACHE", dir.join("gocache"))
        .env("GOPATH", dir.join("gopath"))
        .env("GO111MODULE", "off")
        .output()
        .map_err(|e| format!("cannot run go: {e}"))?;
    if !out.status.success() {
        return Err(format!("go build {} failed: {}", source.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(binary)
}
