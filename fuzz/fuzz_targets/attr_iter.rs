#![no_main]
//! `AttrIter` over arbitrary bytes: nested sets followed, every typed getter tried.

use libfuzzer_sys::fuzz_target;
use nlkit::wire::{AttrIter, NLA_HDRLEN};

fn walk(it: AttrIter<'_>, depth: usize) {
    for a in it {
        let Ok(a) = a else { return };
        let _ = (a.u8(), a.u16(), a.u32(), a.u64(), a.i8(), a.i16(), a.i32(), a.i64());
        let _ = (a.be_u16(), a.be_u32(), a.be_u64(), a.uint());
        let _ = (a.cstr(), a.str(), a.ipv4(), a.ipv6(), a.ip(), a.mac(), a.flag());
        if depth < 16 && a.payload().len() >= NLA_HDRLEN {
            walk(a.nested(), depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    walk(AttrIter::new(data), 0);
    let _ = AttrIter::new(data).find(3);
});
