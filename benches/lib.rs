//! Benchmarks live in `benches/`; this library only exists so the package builds.
