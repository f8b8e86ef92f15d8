# Everyday recipes. `just` installs in a second: `pip install rust-just`.

# List the recipes.
default:
    @just --list

# The test suite, as CI runs it.
test:
    cargo test --workspace --all-features

# Formatting, lints and docs, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --all-features -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Everything CI runs.
ci:
    bash .ci/run

# Parse one message file (or - for stdin) and print the JSON verdict.
parse FILE *ARGS:
    cargo run -q -p h1spec -- parse {{ARGS}} {{FILE}}

# Every corpus case against h1wire, as a table by RFC section.
suite:
    cargo run -q -p h1spec -- suite

# Every benchmark, saved as the criterion baseline NAME (default "current").
bench NAME="current":
    cargo bench -p h1wire-benches -- --save-baseline {{NAME}}

# Every benchmark, compared with a saved baseline.
bench-compare BASE:
    cargo bench -p h1wire-benches -- --baseline {{BASE}}

# RUNS runs of the comparison benchmarks, written up as BENCHMARKS.md (ratios with their spread, instruction counts, the machine).
benchmarks-md RUNS="3":
    #!/usr/bin/env bash
    set -euo pipefail
    rm -rf target/criterion-runs
    cargo build -q --profile bench -p h1wire-benches --example profile_head
    for n in $(seq 1 {{RUNS}}); do
        cargo bench -p h1wire-benches --bench compare -- --warm-up-time 1 --measurement-time 3
        mkdir -p target/criterion-runs && cp -r target/criterion target/criterion-runs/$n
    done
    python3 benches/report.py > BENCHMARKS.md

# Callgrind instruction counts (repeatable) for WHICH (h1wire, h1wire-read, h1wire-bytewise, httparse) on INPUT (curl, health, short, long, hundred, a size).
instructions WHICH="h1wire" INPUT="long":
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build -q --profile bench -p h1wire-benches --example profile_head
    count() { valgrind --tool=callgrind --callgrind-out-file=/tmp/h1wire-callgrind.$1 target/release/examples/profile_head {{WHICH}} {{INPUT}} $1 2>&1 | grep -oE 'Collected : [0-9]+' | grep -oE '[0-9]+'; }
    a=$(count 1000); b=$(count 2000)
    echo "{{WHICH}} {{INPUT}}: $(( (b - a) / 1000 )) instructions per parse (callgrind_annotate /tmp/h1wire-callgrind.2000 for the profile)"

# Fuzz seeds from the conformance cases (and crash regressions) into fuzz/seeds/.
seeds:
    cargo run -q -p h1spec -- seeds

# Fuzz one target for SECS seconds from its working corpus and the seeds (needs cargo-fuzz; stable Rust works, see fuzz/rustc-wrapper).
fuzz TARGET="parse_request" SECS="60": seeds
    mkdir -p fuzz/corpus/{{TARGET}}
    cargo fuzz run -O -a {{TARGET}} fuzz/corpus/{{TARGET}} fuzz/seeds/{{TARGET}} -- -max_total_time={{SECS}} -dict=fuzz/http.dict -print_final_stats=1

# Fuzz every target (as `cargo fuzz list` names them) for SECS seconds each, one after the other.
fuzz-all SECS="60": seeds
    for t in $(cargo fuzz list); do just fuzz $t {{SECS}} || exit 1; done

# Minimize a target's working corpus.
cmin TARGET="parse_request":
    cargo fuzz cmin -O -a {{TARGET}} fuzz/corpus/{{TARGET}}

# Line coverage of a target over its working corpus (needs: rustup component add llvm-tools-preview --toolchain nightly).
fuzz-coverage TARGET="parse_request":
    cargo +nightly fuzz coverage {{TARGET}} fuzz/corpus/{{TARGET}}
    sysroot=$(rustc +nightly --print sysroot) && "$sysroot"/lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-cov report \
        fuzz/target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release/{{TARGET}} \
        -instr-profile=fuzz/coverage/{{TARGET}}/coverage.profdata -ignore-filename-regex='/.cargo/|rustc/'

# What CI runs for fuzzing: build every target, run each briefly from the seeds.
fuzz-smoke SECS="20":
    bash .ci/fuzz-smoke {{SECS}}

# The OSS-Fuzz / ClusterFuzzLite build script, in a plain shell (writes the targets to $OUT).
oss-fuzz-build OUT="/tmp/h1spec-oss-fuzz-out":
    mkdir -p {{OUT}}
    H1SPEC_DIR="$PWD" SRC=$(dirname "$PWD") OUT={{OUT}} bash .clusterfuzzlite/build.sh

# Probe real servers side by side (reference, nginx, Python, Node, Go, Apache, lighttpd, HAProxy) and write PEERS.md; installs what is missing with apt-get.
peers:
    python3 peers/run.py --install

# `h1spec client --all`: h1wire, every client shim (curl, Python's http.client, urllib3, h11, aiohttp, Node's http and fetch, Go's net/http, hyper) and nginx, HAProxy and Apache as proxies on the way back, side by side in CLIENTS.md, SHOULD cases included. Installs what is missing (apt-get, pip; hyper's shim builds with cargo).
clients:
    #!/usr/bin/env bash
    set -euo pipefail
    need=()
    for p in curl go nginx haproxy apache2; do
        command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || need+=("$p")
    done
    pkgs=()
    for p in "${need[@]}"; do case "$p" in go) pkgs+=(golang-go);; *) pkgs+=("$p");; esac; done
    if [ ${#pkgs[@]} -gt 0 ]; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    fi
    # A package just installed may have started its server as a system service: stop it (a
    # server that was there before is left alone).
    for s in "${need[@]}"; do case "$s" in nginx|haproxy|apache2) pkill -x "$s" 2>/dev/null || true;; esac; done
    for m in urllib3 h11 aiohttp; do python3 -c "import $m" 2>/dev/null || pip install -q "$m"; done
    cargo build -q --release -p h1spec
    target/release/h1spec client --all --strict --markdown CLIENTS.md
    echo "wrote CLIENTS.md"

# Install the peers h1spec diff compares (Debian packages, h11 from PyPI); needs root for apt-get.
diff-peers:
    #!/usr/bin/env bash
    set -euo pipefail
    missing=()
    for p in nginx haproxy apache2 lighttpd go node; do command -v $p >/dev/null || missing+=($p); done
    if [ ${#missing[@]} -gt 0 ]; then
        pkgs=$(printf '%s\n' "${missing[@]}" | sed 's/^go$/golang-go/; s/^node$/nodejs/' | tr '\n' ' ')
        apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
        # A package just installed may have started its server as a system service: h1spec
        # starts its own, so stop those (only the ones this recipe installed).
        for s in nginx haproxy apache2 lighttpd; do
            case " $pkgs " in *" $s "*) service $s stop >/dev/null 2>&1 || pkill -x $s || true;; esac
        done
    fi
    python3 -c "import h11" 2>/dev/null || pip install -q h11

# Differential run: every peer on the corpus, then MINUTES of mutations, written up as DIFFERENCES.md.
diff MINUTES="10": diff-peers
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build -q --release -p h1spec
    secs=$(( {{MINUTES}} * 60 ))
    target/release/h1spec diff --mutations 1000000 --mutation-time $secs --minimise-time 300 \
        --format markdown --output DIFFERENCES.md --save-json target/diff.json
    sed -i "3i Run at commit $(git rev-parse --short HEAD) on $(date -u +%F), $(nproc) cores." DIFFERENCES.md
    # `h1spec diff --from target/diff.json --format markdown` writes the report again without a run.
    echo "wrote DIFFERENCES.md ($(grep -c '^### F' DIFFERENCES.md) findings about messages)"

# The outputs a refactoring must keep, written to DIR: `h1spec suite`, `h1spec parse` on the samples (plain, --response, --stream), and the probe of the reference server (JSON, strict JSON, console) with ports normalised. Compare two checkouts with `diff -r`.
outputs DIR:
    #!/usr/bin/env bash
    set -uo pipefail
    cargo build -q -p h1spec
    b=target/debug/h1spec; out={{DIR}}; mkdir -p "$out"
    norm() { sed -E 's/127\.0\.0\.1:[0-9]+/ADDR/g; s/nc 127.0.0.1 [0-9]+/nc ADDR/g'; }
    $b suite > "$out/suite.txt" 2>&1
    for f in corpus/samples/*.http; do
        for mode in "" --response --stream; do
            { $b parse $mode "$f"; echo "rc=$?"; } > "$out/parse-$(basename "$f")$mode.json" 2>&1
        done
    done
    $b probe --format json 2>/dev/null | norm > "$out/probe-reference.json"
    $b probe --format json --strict 2>/dev/null | norm > "$out/probe-reference-strict.json"
    $b probe 2>/dev/null | norm | sed -E 's/[0-9.]+ ?m?s\b/T/g' > "$out/probe-reference-console.txt"
    echo "wrote $out"
