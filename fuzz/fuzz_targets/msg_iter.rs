#![no_main]
//! `MsgIter` over arbitrary bytes, and every accessor of each message it yields.

use libfuzzer_sys::fuzz_target;
use nlkit::wire::{Msg, MsgIter};

fuzz_target!(|data: &[u8]| {
    let _ = Msg::new_checked(data);
    let mut it = MsgIter::new(data);
    while let Some(m) = it.next() {
        match m {
            Ok((at, m)) => {
                assert!(at + m.len() as usize <= data.len());
                let _ = (m.msg_type(), m.flags(), m.seq(), m.port_id(), m.payload());
                let _ = m.fixed::<[u8; 4]>();
                let _ = m.fixed::<[u8; 16]>();
            }
            Err(e) => {
                let _ = (e.to_string(), e.offset());
                assert!(it.next().is_none(), "the iterator stops after an error");
                break;
            }
        }
    }
});
