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

# Head-parsing benchmarks, h1wire beside httparse.
bench:
    cargo bench -p h1wire-benches

# Fuzz one target for SECS seconds (nightly, or stable with RUSTC_BOOTSTRAP=1). Needs cargo-fuzz.
fuzz TARGET="parse_request" SECS="60":
    cd fuzz && cargo +nightly fuzz run {{TARGET}} -- -max_total_time={{SECS}}
