//! picohttpparser (H2O's request parser, a C library) in process, as its users call it: one
//! header array, `phr_parse_request` on the bytes so far. It parses heads only.
#![allow(unsafe_code, reason = "calling picohttpparser, a C library, needs FFI")]

use picohttpparser_sys as pico;

use super::{End, Message, Reading, Stage};

/// The bytes a picohttpparser result points at.
fn slice<'a>(ptr: *const std::ffi::c_char, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: picohttpparser points into the input it was given, which outlives the use here.
    unsafe { std::slice::from_raw_parts(ptr.cast(), len) }
}

/// The first head of `stream` as picohttpparser reads it (100 header slots, as H2O gives it).
pub(super) fn read(stream: &[u8]) -> Reading {
    let mut headers = [pico::phr_header::default(); 100];
    let (mut method, mut method_len, mut path, mut path_len) = (std::ptr::null(), 0, std::ptr::null(), 0);
    let (mut minor, mut count) = (0, headers.len());
    // SAFETY: every pointer is valid for the lengths given; picohttpparser only reads `stream`
    // and writes the out-parameters and at most `count` headers.
    let n = unsafe {
        pico::phr_parse_request(
            stream.as_ptr().cast(),
            stream.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor,
            headers.as_mut_ptr(),
            &mut count,
            0,
        )
    };
    match n {
        -2 => Reading { messages: Vec::new(), end: End::Cut { stage: Stage::Head } },
        n if n < 0 => Reading {
            messages: Vec::new(),
            end: End::Refused { status: 0, error: format!("phr_parse_request returned {n}"), stage: Stage::Head },
        },
        _ => {
            let fields = headers[..count]
                .iter()
                .map(|h| (slice(h.name, h.name_len).to_vec(), slice(h.value, h.value_len).to_vec()))
                .collect();
            let m = Message {
                method: slice(method, method_len).to_vec(),
                target: slice(path, path_len).to_vec(),
                version: format!("HTTP/1.{minor}"),
                fields,
                ..Message::default()
            };
            Reading { messages: vec![m], end: End::Clean }
        }
    }
}
