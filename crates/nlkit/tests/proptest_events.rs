//! Property tests for `nlkit::uevent` and `nlkit::connector`: what the
//! emitters write, the views read back exactly (both uevent formats, any
//! bytes in keys and values), the strict escaping maps back to the bytes, and
//! arbitrary bytes never make a parser panic.

use nlkit::connector::proc::ProcEvent;
use nlkit::connector::{self, CnMsg};
use nlkit::uevent::{self, emit_kernel, emit_udev, Event, Source};
use nlkit::wire::{Escaped, Msg};
use proptest::prelude::*;

/// A property: a key without `=` or NUL, a value without NUL.
fn prop() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    let key = prop::collection::vec(
        any::<u8>().prop_filter("no = or NUL", |b| *b != 0 && *b != b'='),
        1..12,
    );
    let value = prop::collection::vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..24);
    (key, value)
}

fn no_nul(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>().prop_filter("no NUL", |b| *b != 0), 0..max)
}

/// The inverse of `Escaped::strict`.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'\\')) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', Some(b'x')) => {
                out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).unwrap());
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[test]
fn strict_escaping_round_trips_the_hard_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"\\x41 literal",
        b"\xff\xfe\x00",
        "héllo wörld".as_bytes(),
        b"\xe2\x82", // a cut UTF-8 sequence
        b"tab\there\x7f",
        b"\\\\\\",
    ];
    for c in cases {
        let s = Escaped::strict(c).to_string();
        assert_eq!(unescape(&s), *c, "{s}");
    }
}

proptest! {
    #[test]
    fn kernel_format_round_trips(
        action in no_nul(10).prop_filter("no @", |a| !a.contains(&b'@') && !a.starts_with(b"libudev")),
        devpath in no_nul(30),
        props in prop::collection::vec(prop(), 0..10),
    ) {
        let pairs: Vec<(&[u8], &[u8])> = props.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        let mut buf = Vec::new();
        emit_kernel(&mut buf, &action, &devpath, &pairs);
        prop_assume!(!buf.starts_with(b"libudev\0"));
        let ev = Event::parse(&buf).unwrap();
        prop_assert_eq!(ev.source(), Source::Kernel);
        prop_assert_eq!(ev.action_bytes(), &action[..]);
        prop_assert_eq!(ev.devpath(), &devpath[..]);
        let back: Vec<(&[u8], &[u8])> = ev.properties().collect();
        prop_assert_eq!(back, pairs);
    }

    #[test]
    fn udev_format_round_trips(
        action in no_nul(10),
        devpath in no_nul(30),
        props in prop::collection::vec(prop(), 0..10),
    ) {
        let mut pairs: Vec<(&[u8], &[u8])> = vec![(b"ACTION", &action[..]), (b"DEVPATH", &devpath[..])];
        pairs.extend(props.iter().map(|(k, v)| (&k[..], &v[..])));
        let mut buf = Vec::new();
        emit_udev(&mut buf, &pairs);
        let ev = Event::parse(&buf).unwrap();
        prop_assert_eq!(ev.source(), Source::Udev);
        prop_assert_eq!(ev.action_bytes(), &action[..]);
        prop_assert_eq!(ev.devpath(), &devpath[..]);
        let back: Vec<(&[u8], &[u8])> = ev.properties().collect();
        prop_assert_eq!(back, pairs);
    }

    #[test]
    fn strict_escaping_is_lossless(b in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(unescape(&Escaped::strict(&b).to_string()), b);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(ev) = Event::parse(&b) {
            let _ = (ev.properties().count(), ev.seqnum(), ev.to_string());
        }
        let _ = uevent::describe(&b).to_string();
        let _ = connector::describe(&b).to_string();
        if let Ok(cn) = CnMsg::parse(&b) {
            if let Ok(ev) = ProcEvent::parse(cn.data()) {
                let _ = (ev.pid(), ev.exit_code(), ev.comm(), ev.to_string());
            }
        }
        if let Ok(m) = Msg::new_checked(&b[..]) {
            let _ = CnMsg::from_msg(&m);
        }
    }

    #[test]
    fn udev_lookalikes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..120)) {
        let mut b = b"libudev\0".to_vec();
        b.extend_from_slice(&0xfeedcafeu32.to_be_bytes());
        b.extend_from_slice(&tail);
        let _ = Event::parse(&b).map(|ev| ev.properties().count());
    }
}
