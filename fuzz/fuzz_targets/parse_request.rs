//! Any bytes as a request: never a panic, and the same outcome whole, one byte at a time and cut
//! in two at a place chosen by the input.
#![no_main]

use h1wire::check::{run, Role};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = h1wire::Config::default();
    let whole = run(Role::Request, &config, data, &[]);
    let bytewise: Vec<usize> = (1..data.len()).collect();
    assert_eq!(run(Role::Request, &config, data, &bytewise), whole, "one byte at a time");
    if data.len() > 1 {
        let cut = usize::from(data[0]) * data.len() / 256;
        assert_eq!(run(Role::Request, &config, data, &[cut.max(1)]), whole, "cut at {cut}");
    }
    if let Ok(message) = &whole {
        assert!(message.consumed <= data.len() as u64, "consumed more than the input");
    }
});
