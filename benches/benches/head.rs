//! Head parsing: h1wire fed the whole head at once and one byte at a time, beside httparse on
//! the same bytes (one shot, and the re-parse from the start a user of httparse has to do as
//! each byte arrives).
//!
//! `cargo bench -p h1wire-benches --bench head`
#![allow(missing_docs, reason = "criterion_group! generates undocumented functions")]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use h1wire::{Event, RequestParser};
use h1wire_benches::long_head;

/// Parses one head with a reused parser and returns its field count.
fn h1wire_once(parser: &mut RequestParser, input: &[u8]) -> usize {
    let n = match parser.parse(input).expect("valid head").event {
        Some(Event::Head { head, .. }) => head.fields().len(),
        _ => panic!("head expected"),
    };
    // The body is empty: one more step ends the message and readies the parser for the next.
    assert!(matches!(parser.parse(&[]).expect("end").event, Some(Event::End)));
    n
}

/// Feeds the head as if it arrived one byte per read: the buffer grows by one byte per call.
fn h1wire_bytewise(parser: &mut RequestParser, input: &[u8]) -> usize {
    for end in 1..input.len() {
        assert!(parser.parse(&input[..end]).expect("valid prefix").event.is_none());
    }
    h1wire_once(parser, input)
}

fn httparse_once(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(input).expect("valid head") {
        httparse::Status::Complete(_) => req.headers.len(),
        httparse::Status::Partial => panic!("complete head expected"),
    }
}

fn httparse_bytewise(input: &[u8]) -> usize {
    for end in 1..input.len() {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        assert!(req.parse(&input[..end]).expect("valid prefix").is_partial());
    }
    httparse_once(input)
}

fn long_heads(c: &mut Criterion) {
    let mut group = c.benchmark_group("long_head");
    for size in [1024, 8192] {
        let input = long_head(size);
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut parser = RequestParser::new();
        group.bench_with_input(BenchmarkId::new("h1wire/one_shot", size), &input, |b, i| {
            b.iter(|| h1wire_once(&mut parser, black_box(i)))
        });
        group.bench_with_input(BenchmarkId::new("h1wire/one_byte_at_a_time", size), &input, |b, i| {
            b.iter(|| h1wire_bytewise(&mut parser, black_box(i)))
        });
        group.bench_with_input(BenchmarkId::new("httparse/one_shot", size), &input, |b, i| {
            b.iter(|| httparse_once(black_box(i)))
        });
        if size <= 1024 {
            // Quadratic: only on the short head, or it would dominate the run.
            group.bench_with_input(BenchmarkId::new("httparse/reparse_each_byte", size), &input, |b, i| {
                b.iter(|| httparse_bytewise(black_box(i)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, long_heads);
criterion_main!(benches);
