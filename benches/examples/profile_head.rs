//! A fixed amount of head parsing, for instruction counts under callgrind:
//!
//! ```sh
//! cargo build --profile bench -p h1wire-benches --example profile_head
//! valgrind --tool=callgrind target/release/examples/profile_head h1wire 1024 1000
//! ```
//!
//! Arguments: `h1wire` (parse only) | `h1wire-read` (parse, then read the method, the target and
//! every field name and value, as a server must) | `h1wire-bytewise` | `httparse`, the input (a
//! head size in bytes, or `curl`, `health`, `short`, `long`, `hundred`), the repetitions; or `chunked`, a chunk size, the repetitions (a
//! 64 KiB body through h1wire's request path, as events); or `chunked-in-place`, the same decoded
//! with `parse_body_in_place`. With `MACHINE` set in the environment, h1wire's heads go through the
//! resumable machine only (the whole-head fast path off), to compare the two.

use h1wire::{Event, Parse, RequestParser};
use h1wire_benches::long_head;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("h1wire", String::as_str);
    if which == "chunked-in-place" {
        // The same body decoded in place (`parse_body_in_place`), REPS times from a fresh copy.
        let chunk: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
        let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
        let input = [h1wire_benches::CHUNKED_HEAD, &h1wire_benches::chunked_body(1 << 16, chunk)].concat();
        let mut parser = RequestParser::new();
        let mut buf = input.clone();
        let mut total = 0;
        for _ in 0..reps {
            buf.copy_from_slice(&input);
            let head = parser.parse(std::hint::black_box(&buf)).expect("valid").consumed;
            let step = parser.parse_body_in_place(&mut buf[head..]).expect("valid");
            total += step.len;
            let rest = &buf[head + step.consumed..];
            assert!(matches!(parser.parse(rest).expect("valid").event, Some(Event::EndOfMessage)));
        }
        println!("chunked in place: {total} bytes");
        return;
    }
    if which == "chunked" {
        // A 64 KiB body in chunks of INPUT bytes, decoded REPS times.
        let chunk: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);
        let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
        let input = [h1wire_benches::CHUNKED_HEAD, &h1wire_benches::chunked_body(1 << 16, chunk)].concat();
        let mut parser = RequestParser::new();
        let mut total = 0;
        for _ in 0..reps {
            let mut at = 0;
            loop {
                let out = parser.parse(std::hint::black_box(&input[at..])).expect("valid");
                at += out.consumed;
                match out.event {
                    Some(Event::Data(d)) => total += d.len(),
                    Some(Event::EndOfMessage) => break,
                    _ => {}
                }
            }
        }
        println!("chunked: {total} bytes");
        return;
    }
    let input = match args.get(2).map_or("1024", String::as_str) {
        "curl" => h1wire_benches::REQ_CURL.to_vec(),
        "health" => h1wire_benches::REQ_HEALTH.to_vec(),
        "short" => h1wire_benches::REQ_SHORT.to_vec(),
        "long" => h1wire_benches::REQ_LONG.to_vec(),
        "hundred" => h1wire_benches::hundred_fields(),
        size => long_head(size.parse().expect("a size or an input name")),
    };
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut parser = RequestParser::new();
    if std::env::var_os("MACHINE").is_some() {
        parser.set_whole_heads(false);
    }
    let mut fields = 0;
    // httparse as the comparison benchmark (and hyper) calls it: uninitialised headers, reused.
    let mut headers = [const { std::mem::MaybeUninit::uninit() }; 128];
    for _ in 0..reps {
        fields += match which {
            "httparse" => {
                let mut req = httparse::Request::new(&mut []);
                let status = req.parse_with_uninit_headers(std::hint::black_box(&input), &mut headers);
                assert!(status.expect("valid").is_complete());
                req.headers.len()
            }
            mode => {
                if mode == "h1wire-bytewise" {
                    for end in 1..input.len() {
                        assert!(parser.parse(&input[..end]).expect("valid").event.is_none());
                    }
                }
                let n = match parser.parse(std::hint::black_box(&input)).expect("valid").event {
                    // `h1wire-read` does what a server must, as the comparison benchmark does:
                    // read the method, the target and every field name and value.
                    Some(Event::Head { head, .. }) if mode == "h1wire-read" => {
                        std::hint::black_box((head.method(), head.target().as_str()));
                        let mut n = 0;
                        for field in head.fields().iter() {
                            std::hint::black_box((field.name().as_bytes(), field.value()));
                            n += 1;
                        }
                        n
                    }
                    Some(Event::Head { head, .. }) => head.fields().len(),
                    _ => panic!("head expected"),
                };
                assert!(matches!(parser.parse(&[]).expect("end").event, Some(Event::EndOfMessage)));
                n
            }
        };
    }
    println!("{which}: {fields} fields");
}
