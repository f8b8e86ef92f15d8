//! Heads are parsed without touching the heap: the field index is allocated once, when the
//! parser is made, and reused. A counting global allocator checks it.
#![allow(unsafe_code, reason = "a global allocator is an unsafe trait; h1wire itself has no unsafe")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use h1wire::{Event, Parse, RequestParser, ResponseParser, ResponseTo};

struct Counting;

thread_local! {
    // Per thread: the test harness's own threads allocate while the test runs (on a busy
    // machine, a report that a test runs long), and those are not the parser's. A const
    // `Cell` needs no allocation and no destructor, so the allocator may touch it.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn counted() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let t = f();
    (t, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn parsing_heads_and_bodies_allocates_nothing() {
    let mut input = b"POST /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n".to_vec();
    for i in 0..98 {
        input.extend_from_slice(format!("X-Field-{i}: value {i}\r\n").as_bytes());
    }
    input.extend_from_slice(b"\r\n5;ext=1\r\nhello\r\n0\r\nChecksum: x\r\n\r\n");
    let mut parser = RequestParser::new();
    let mut response = ResponseParser::new(ResponseTo::Other);
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let (events, allocations) = count(|| {
        let mut events = 0;
        for _ in 0..10 {
            // Whole, then the same message one byte at a time.
            for piece in [input.len(), 1] {
                let mut start = 0;
                let mut end = 0;
                while start < input.len() {
                    end = (end + piece).min(input.len()).max(end);
                    let out = parser.parse(&input[start..end]).expect("valid");
                    if let Some(event) = &out.event {
                        if let Event::Head { head, .. } = event {
                            assert_eq!(head.fields().len(), 100);
                        }
                        events += 1;
                    } else if end == input.len() {
                        panic!("stalled");
                    }
                    start += out.consumed;
                }
            }
            let out = response.parse(resp).expect("valid");
            events += usize::from(out.event.is_some());
            let mut rest = &resp[out.consumed..];
            while let Some(event) = response.parse(rest).expect("valid").event {
                events += 1;
                if matches!(event, Event::EndOfMessage) {
                    break;
                }
                rest = &rest[2..];
            }
        }
        events
    });
    assert!(events >= 10 * 2 * 5, "{events} events");
    assert_eq!(allocations, 0, "heap allocations while parsing");
}
