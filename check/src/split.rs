//! The split-invariance check: an input must give one outcome however it is cut into reads,
//! however its body is taken, and whatever follows it.

use h1wire::{Config, ErrorKind, Framing};

use crate::drive::{run, run_on, run_with, Body, HeadPath, Kind, Message, Refused};

/// Bytes appended after a message in the trailing-data run (as h11's `test_io` does): the start
/// of a next message must change nothing about the first.
const TRAILING: &[u8] = b"GET /next HTTP/1.1\r\n";

/// Runs `input` whole, one byte at a time and cut in two at every offset, each with body data
/// read as events and again in place; whole with the whole-head fast path off (a whole head
/// otherwise takes it, a split one never does); then whole with trailing data after it. Returns
/// the outcome if all runs agree.
///
/// The trailing-data run applies where the bytes after the input cannot belong to the message:
/// an accepted message not delimited by the close, or a refusal seen before the end of input.
///
/// # Errors
///
/// A description of the first run that disagreed with the whole-input run.
pub fn split_invariant(kind: Kind, config: &Config, input: &[u8]) -> Result<Result<Message, Refused>, String> {
    let whole = run(kind, config, input, &[]);
    let machine = run_on(kind, config, input, &[], Body::Events, HeadPath::Machine).0;
    if machine != whole {
        return Err(format!("the resumable machine alone: {machine:?}\nwhole, fast path on: {whole:?}"));
    }
    let bytewise: Vec<usize> = (1..input.len()).collect();
    for body in [Body::Events, Body::InPlace] {
        let how = if body == Body::InPlace { "body in place, " } else { "" };
        if body == Body::InPlace {
            let whole_in_place = run_with(kind, config, input, &[], body).0;
            if whole_in_place != whole {
                return Err(format!("body in place: {whole_in_place:?}\nwhole: {whole:?}"));
            }
        }
        let one_byte = run_with(kind, config, input, &bytewise, body).0;
        if one_byte != whole {
            return Err(format!("{how}one byte at a time: {one_byte:?}\nwhole: {whole:?}"));
        }
        for cut in 1..input.len() {
            let split = run_with(kind, config, input, &[cut], body).0;
            if split != whole {
                return Err(format!("{how}cut at {cut}: {split:?}\nwhole: {whole:?}"));
            }
        }
    }
    let trailing_applies = match &whole {
        Ok(m) => m.framing != Framing::UntilClose,
        Err(Refused::Error(e)) => e.kind() != ErrorKind::UnexpectedEof,
        Err(Refused::NoMessage) => false,
    };
    if trailing_applies {
        let followed = run(kind, config, &[input, TRAILING].concat(), &[]);
        if followed != whole {
            return Err(format!("with trailing data: {followed:?}\nwhole: {whole:?}"));
        }
    }
    Ok(whole)
}
