//! The sock_diag views and the filter parser on arbitrary input: errors,
//! never panics, and every accessor of a view that parsed works.

use nlkit::diag::filter::{self, Numeric};
use nlkit::diag::inet::InetSock;
use nlkit::diag::netlink::NetlinkSock;
use nlkit::diag::packet::PacketSock;
use nlkit::diag::unix::UnixSock;
use nlkit::wire::Msg;
use proptest::prelude::*;

fn msg(payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
    b.extend_from_slice(&20u16.to_ne_bytes());
    b.extend_from_slice(&2u16.to_ne_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(payload);
    b
}

/// A family header of `hdr` bytes, then well-formed attributes of any type
/// and any (odd) length, then possibly some garbage.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>(), 0..80),
        proptest::collection::vec(
            (0u16..32, proptest::collection::vec(any::<u8>(), 0..40)),
            0..12,
        ),
        proptest::collection::vec(any::<u8>(), 0..6),
    )
        .prop_map(|(hdr, attrs, tail)| {
            let mut b = hdr;
            while b.len() % 4 != 0 {
                b.push(0);
            }
            for (ty, p) in attrs {
                b.extend_from_slice(&((4 + p.len()) as u16).to_ne_bytes());
                b.extend_from_slice(&ty.to_ne_bytes());
                b.extend_from_slice(&p);
                while b.len() % 4 != 0 {
                    b.push(0);
                }
            }
            b.extend_from_slice(&tail);
            b
        })
}

proptest! {
    #[test]
    fn views_never_panic(payload in payload()) {
        let b = msg(&payload);
        let m = Msg::new_checked(&b[..]).unwrap();
        if let Ok(s) = InetSock::parse(m) {
            let _ = (s.src(), s.dst(), s.sport(), s.dport(), s.state());
            let _ = (s.tcp_info(), s.meminfo(), s.skmeminfo().map(|m| m.at(8)), s.vegas(), s.dctcp(), s.bbr());
            let _ = (s.cong(), s.ulp_name(), s.shutdown(), s.mark(), s.cgroup_id(), s.tos(), s.tclass());
            let _ = (s.class_id(), s.v6only(), s.protocol());
            prop_assert!(s.attrs.iter().all(|a| a.is_ok()));
        }
        if let Ok(s) = UnixSock::parse(m) {
            let _ = (s.name(), s.peer(), s.queues(), s.vfs(), s.icons().count(), s.skmeminfo(), s.shutdown(), s.uid());
        }
        if let Ok(s) = NetlinkSock::parse(m) {
            let _ = (s.groups(), s.skmeminfo(), s.flags());
        }
        if let Ok(s) = PacketSock::parse(m) {
            let _ = (s.info(), s.uid(), s.skmeminfo(), s.fanout(), s.ring(2));
        }
    }

    #[test]
    fn filter_parser_never_panics(words in proptest::collection::vec(
        prop_oneof![
            Just("(".to_string()), Just(")".to_string()), Just("or".to_string()),
            Just("and".to_string()), Just("not".to_string()), Just("sport".to_string()),
            Just("dport".to_string()), Just("src".to_string()), Just("dst".to_string()),
            Just("=".to_string()), Just(">".to_string()), Just("<=".to_string()),
            Just("autobound".to_string()), Just("fwmark".to_string()),
            "[:\\[\\]0-9a-f./*]{0,12}",
        ], 0..12)) {
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        if let Ok(p) = filter::parse(&w, 0, &Numeric) {
            if let Some(e) = p.expr {
                // a tree that parsed compiles (or says why), never panics
                let _ = filter::compile(&e);
            }
        }
    }
}
