//! h1wire beside httparse and picohttpparser on the same inputs, in the same run.
//!
//! `cargo bench -p h1wire-benches --bench compare`; `just benchmarks-md` turns one run into
//! BENCHMARKS.md with the ratios.
#![allow(missing_docs, reason = "criterion_group! generates undocumented functions")]

use std::hint::black_box;
use std::mem::MaybeUninit;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use h1spec_pico as pico;
use h1wire::{Event, Parse, RequestParser, ResponseParser, ResponseTo};
use h1wire_benches::*;

// Every implementation is called the way servers call it (storage kept across calls, nothing
// set up per call that a server would not pay) and does what a server must: it reads the method,
// the target and every field name and value. `black_box` keeps those reads from being optimised
// away.

/// h1wire: one parser per connection, reused; the head's parts read through its accessors.
fn h1wire_request(parser: &mut RequestParser, input: &[u8]) -> usize {
    let n = match parser.parse(input).expect("valid").event {
        Some(Event::Head { head, .. }) => {
            black_box(head.method());
            black_box(head.target().as_str());
            let mut n = 0;
            for field in head.fields().iter() {
                black_box((field.name().as_bytes(), field.value()));
                n += 1;
            }
            n
        }
        _ => panic!("head expected"),
    };
    assert!(matches!(parser.parse(&[]).expect("end").event, Some(Event::EndOfMessage)));
    n
}

fn h1wire_response(parser: &mut ResponseParser, input: &[u8]) -> usize {
    let n = match parser.parse(input).expect("valid").event {
        Some(Event::Head { head, .. }) => {
            black_box((head.status(), head.reason()));
            let mut n = 0;
            for field in head.fields().iter() {
                black_box((field.name().as_bytes(), field.value()));
                n += 1;
            }
            n
        }
        _ => panic!("head expected"),
    };
    assert!(matches!(parser.parse(&[]).expect("end").event, Some(Event::EndOfMessage)));
    n
}

/// httparse as hyper calls it: header storage left uninitialised and reused.
fn httparse_request<'b>(headers: &mut [MaybeUninit<httparse::Header<'b>>], input: &'b [u8]) -> usize {
    let mut req = httparse::Request::new(&mut []);
    assert!(req.parse_with_uninit_headers(input, headers).expect("valid").is_complete());
    black_box((req.method, req.path));
    for h in req.headers.iter() {
        black_box((h.name, h.value));
    }
    req.headers.len()
}

fn httparse_response<'b>(headers: &mut [MaybeUninit<httparse::Header<'b>>], input: &'b [u8]) -> usize {
    let mut resp = httparse::Response::new(&mut []);
    let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(&mut resp, input, headers);
    assert!(parsed.expect("valid").is_complete());
    black_box((resp.code, resp.reason));
    for h in resp.headers.iter() {
        black_box((h.name, h.value));
    }
    resp.headers.len()
}

/// picohttpparser as its users call it: one header array, reused.
fn pico_request<'a>(headers: &mut [pico::Header<'a>], input: &'a [u8]) -> usize {
    let head = pico::parse_request(input, headers).expect("valid");
    assert_eq!(head.consumed, input.len());
    black_box((head.method, head.path));
    for h in &headers[..head.count] {
        black_box(h.pair());
    }
    head.count
}

fn pico_response<'a>(headers: &mut [pico::Header<'a>], input: &'a [u8]) -> usize {
    let head = pico::parse_response(input, headers).expect("valid");
    assert_eq!(head.consumed, input.len());
    black_box((head.status, head.reason));
    for h in &headers[..head.count] {
        black_box(h.pair());
    }
    head.count
}

fn heads(c: &mut Criterion) {
    let browser = browser_request();
    let hundred = hundred_fields();
    let requests: [(&str, &[u8]); 6] = [
        ("req_curl", REQ_CURL),
        ("req_health", REQ_HEALTH),
        ("req_short", REQ_SHORT),
        ("req_long", REQ_LONG),
        ("req_browser_20", &browser),
        ("req_100_fields", &hundred),
    ];
    for (name, input) in requests {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut parser = RequestParser::new();
        group.bench_function("h1wire", |b| b.iter(|| h1wire_request(&mut parser, black_box(input))));
        let mut headers = [const { MaybeUninit::uninit() }; 128];
        group.bench_function("httparse", |b| b.iter(|| httparse_request(&mut headers, black_box(input))));
        let mut headers = [pico::Header::EMPTY; 128];
        group.bench_function("picohttpparser", |b| b.iter(|| pico_request(&mut headers, black_box(input))));
        group.finish();
    }
    for (name, input) in [("resp_short", RESP_SHORT), ("resp_long", RESP_LONG)] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(input.len() as u64));
        let mut parser = ResponseParser::new(ResponseTo::Other);
        group.bench_function("h1wire", |b| b.iter(|| h1wire_response(&mut parser, black_box(input))));
        let mut headers = [const { MaybeUninit::uninit() }; 128];
        group.bench_function("httparse", |b| b.iter(|| httparse_response(&mut headers, black_box(input))));
        let mut headers = [pico::Header::EMPTY; 128];
        group.bench_function("picohttpparser", |b| b.iter(|| pico_response(&mut headers, black_box(input))));
        group.finish();
    }
}

/// An 8 KiB head arriving one byte per read: h1wire resumes; httparse and picohttpparser users
/// re-parse from byte 0 each time (picohttpparser's `last_len` only skips the end-of-head search).
fn bytewise(c: &mut Criterion) {
    let input = long_head(8192);
    let mut group = c.benchmark_group("head_8k_one_byte_at_a_time");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(10);
    let mut parser = RequestParser::new();
    group.bench_function("h1wire", |b| {
        b.iter(|| {
            for end in 1..input.len() {
                assert!(parser.parse(black_box(&input[..end])).expect("valid").event.is_none());
            }
            h1wire_request(&mut parser, &input)
        })
    });
    group.bench_function("h1wire_one_shot", |b| b.iter(|| h1wire_request(&mut parser, black_box(&input))));
    // Reads of realistic sizes: 64 bytes, and one TCP segment (1460 bytes, the Ethernet MSS).
    for piece in [64, 1460] {
        group.bench_function(format!("h1wire_reads_of_{piece}"), |b| {
            b.iter(|| {
                let mut end = piece;
                while end < input.len() {
                    assert!(parser.parse(black_box(&input[..end])).expect("valid").event.is_none());
                    end += piece;
                }
                h1wire_request(&mut parser, &input)
            })
        });
    }
    let mut headers = [const { MaybeUninit::uninit() }; 128];
    group.bench_function("httparse", |b| {
        b.iter(|| {
            for end in 1..input.len() {
                let mut req = httparse::Request::new(&mut []);
                let parsed = req.parse_with_uninit_headers(black_box(&input[..end]), &mut headers);
                assert!(parsed.expect("valid").is_partial());
            }
            httparse_request(&mut headers, &input)
        })
    });
    group.finish();
}

/// h1wire's decoder on a chunked body after its head (the public path).
fn h1wire_chunked(parser: &mut RequestParser, input: &[u8]) -> usize {
    let mut total = 0;
    let mut at = 0;
    loop {
        let out = parser.parse(&input[at..]).expect("valid");
        at += out.consumed;
        match out.event {
            Some(Event::Data(d)) => total += d.len(),
            Some(Event::EndOfMessage) => return total,
            Some(_) => {}
            None => panic!("the whole body is there"),
        }
    }
}

/// h1wire's in-place decoder (`parse_body_in_place`), which moves the data over the chunk framing
/// in one call as picohttpparser does; the head is parsed too (about 0.1 µs of the time).
fn h1wire_chunked_in_place(parser: &mut RequestParser, buf: &mut [u8]) -> usize {
    let head = parser.parse(buf).expect("valid").consumed;
    let step = parser.parse_body_in_place(&mut buf[head..]).expect("valid");
    assert!(!step.more);
    assert!(matches!(parser.parse(&buf[head + step.consumed..]).expect("valid").event, Some(Event::EndOfMessage)));
    step.len
}

fn pico_chunked(buf: &mut [u8]) -> usize {
    pico::decode_chunked(buf).expect("valid").0
}

fn chunked(c: &mut Criterion) {
    for chunk in [4096, 16] {
        let body = chunked_body(1 << 20, chunk);
        let with_head = [CHUNKED_HEAD, &body].concat();
        let mut group = c.benchmark_group(format!("chunked_1mib_in_{chunk}b_chunks"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.sample_size(20);
        let mut parser = RequestParser::new();
        group.bench_function("h1wire", |b| {
            b.iter(|| assert_eq!(h1wire_chunked(&mut parser, black_box(&with_head)), 1 << 20))
        });
        group.bench_function("h1wire_in_place", |b| {
            b.iter_batched_ref(
                || with_head.clone(),
                |buf| assert_eq!(h1wire_chunked_in_place(&mut parser, buf), 1 << 20),
                BatchSize::LargeInput,
            )
        });
        group.bench_function("picohttpparser", |b| {
            b.iter_batched_ref(|| body.clone(), |buf| assert_eq!(pico_chunked(buf), 1 << 20), BatchSize::LargeInput)
        });
        group.finish();
    }
}

/// h1wire's whole request path: head, Host rules and the framing decision, with a body.
fn request_path(c: &mut Criterion) {
    let input = [REQ_LONG.strip_suffix(b"\r\n").unwrap(), b"Content-Length: 5\r\n\r\nhello"].concat();
    let mut group = c.benchmark_group("request_path");
    group.throughput(Throughput::Elements(1));
    let mut parser = RequestParser::new();
    group.bench_with_input(BenchmarkId::new("h1wire", "req_long_with_body"), &input, |b, input| {
        b.iter(|| {
            let mut at = 0;
            loop {
                let out = parser.parse(&input[at..]).expect("valid");
                at += out.consumed;
                if matches!(out.event, Some(Event::EndOfMessage)) {
                    break at;
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, heads, bytewise, chunked, request_path);
criterion_main!(benches);
