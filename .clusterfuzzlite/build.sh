#!/usr/bin/env bash
# OSS-Fuzz / ClusterFuzzLite build: compiles every cargo-fuzz target and copies it, with its seed
# corpus and the dictionary, into $OUT.
#
# Environment (set by OSS-Fuzz; set them yourself to run this in a plain shell):
#   SRC              the folder holding the h1spec checkout (as $SRC/h1spec)
#   OUT              where the fuzzer binaries, seed zips and dictionaries go
#   CARGO_FUZZ_ARGS  extra `cargo fuzz build` arguments (optional; e.g. "-s none" on stable)
#   CARGO_TARGET_DIR where cargo builds (optional; default fuzz/target)
#   H1SPEC_DIR       the checkout itself, when it is not $SRC/h1spec (optional)
# A stable toolchain works too: fuzz/rustc-wrapper lets it accept cargo-fuzz's nightly flags.
set -euxo pipefail
: "${SRC:?set SRC}" "${OUT:?set OUT}"
cd "${H1SPEC_DIR:-$SRC/h1spec}"
cargo run -q -p h1spec -- seeds --out fuzz/seeds
mapfile -t targets < <(cargo fuzz list)
cd fuzz
# shellcheck disable=SC2086
cargo fuzz build -O ${CARGO_FUZZ_ARGS:-}
for t in "${targets[@]}"; do
    cp "${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$t" "$OUT/"
    cp http.dict "$OUT/$t.dict"
    if [ -d "seeds/$t" ]; then
        (cd "seeds/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
    fi
done
