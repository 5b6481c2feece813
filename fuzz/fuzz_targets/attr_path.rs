#![no_main]
//! `AttrPath::resolve` with a fuzzed message, attribute start and offset.

use libfuzzer_sys::fuzz_target;
use nlkit::wire::AttrPath;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let start = u16::from_ne_bytes([data[0], data[1]]) as usize;
    let off = u16::from_ne_bytes([data[2], data[3]]) as usize;
    let msg = &data[4..];
    if let Some(p) = AttrPath::resolve(msg, start, off) {
        assert!(p.types().len() <= 16);
        assert!(p.offset <= off);
        let _ = p.to_string();
    }
});
