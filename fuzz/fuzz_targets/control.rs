#![no_main]
//! `Control::parse` on every message of arbitrary bytes: errors, ACKs, DONE,
//! extended ACKs and the echoed request.

use libfuzzer_sys::fuzz_target;
use nlkit::wire::{AttrPath, Control, MsgIter};

fuzz_target!(|data: &[u8]| {
    for m in MsgIter::new(data) {
        let Ok((_, m)) = m else { break };
        match Control::parse(&m) {
            Ok(Some(Control::Error(e))) => {
                let _ = (e.errno(), e.is_ack(), e.request_header(), e.ext_ack.message());
                let _ = e.ext_ack.policy.map(|p| p.to_string());
                if let Some(o) = e.ext_ack.offset {
                    let _ = AttrPath::resolve(e.request, 20, o as usize);
                }
            }
            Ok(Some(Control::Done(d))) => {
                let _ = d.ext_ack.message();
            }
            Ok(_) => {}
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
