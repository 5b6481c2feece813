//! `nlkit decode`'s library half on arbitrary bytes: every protocol the
//! registry has a descriptor for (and one it has none for), generic netlink
//! with and without a family hint, the one-line summary and ext-ack path
//! naming. Never a panic, and a description never points past the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlkit::decode::{AttrDesc, Decoder, MsgDesc, Registry};
use nlkit::wire::MsgIter;
use nlkit::Protocol;

fn check_attrs(attrs: &[AttrDesc<'_>], len: usize) {
    for a in attrs {
        assert!(a.offset + a.payload.len() <= len);
        if let Some(kids) = &a.attributes {
            check_attrs(kids, len);
        }
    }
}

fn check(m: &MsgDesc<'_>, len: usize) {
    assert!(m.offset <= len);
    if let Some(a) = &m.attributes {
        check_attrs(a, len);
    }
    if let Some(r) = m.control.as_ref().and_then(|c| c.request.as_deref()) {
        check(r, len);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut decoders: Vec<Decoder<'static>> = Registry::builtin()
        .protocols()
        .chain([Protocol::USERSOCK])
        .map(Decoder::new)
        .collect();
    decoders.push(Decoder::new(Protocol::GENERIC).genl_family("nlctrl").unwrap());
    // An attribute path taken from the input's first bytes.
    let path: Vec<u16> = data
        .chunks_exact(2)
        .take(4)
        .map(|c| u16::from_ne_bytes([c[0], c[1]]))
        .collect();
    for d in &decoders {
        let decoded = d.decode(data);
        for m in &decoded.messages {
            check(m, data.len());
        }
        let _ = decoded.first_problem().map(|p| p.to_string());
        for (_, m) in MsgIter::new(data).flatten() {
            let _ = d.summary(&m).to_string();
            let _ = d.attr_path_name(m.msg_type(), m.payload(), &path);
        }
    }
});
