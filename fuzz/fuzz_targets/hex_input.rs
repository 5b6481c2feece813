//! The hex reader of `nlkit decode` (`nlkit::decode::hex`) on arbitrary
//! text, and what it reads decoded as rtnetlink: never a panic, never more
//! bytes out than the text can stand for (a `hexdump -C` `*` line is capped).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlkit::decode::hex;

fuzz_target!(|data: &[u8]| {
    let _ = hex::is_text(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = hex::layout(text);
    match hex::parse(text) {
        Ok(bytes) => {
            assert!(bytes.len() <= text.len() + hex::MAX_REPEAT);
            let _ = nlkit::decode::decode(nlkit::Protocol::ROUTE, &bytes).first_problem();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
