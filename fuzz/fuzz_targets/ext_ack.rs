#![no_main]
//! `ExtAck::parse` on a raw TLV area, at a fuzzed base offset.

use libfuzzer_sys::fuzz_target;
use nlkit::wire::ExtAck;

fuzz_target!(|data: &[u8]| {
    let (base, tlvs) = match data.split_first() {
        Some((b, rest)) => (*b as usize * 4, rest),
        None => (0, data),
    };
    let x = ExtAck::parse(tlvs, base);
    let _ = (x.message(), x.is_empty(), x.missing, x.offset, x.cookie);
    if let Some(p) = x.policy {
        let _ = (p.to_string(), p.type_name());
    }
});
