//! Old home of the schema machinery, now in [`crate::schema`]: these
//! re-exports keep the old paths (`nlkit::route::attrs::AttrSet`...) working
//! for one release. New code imports from [`crate::schema`].

pub use crate::schema::{
    bits_text, enum_name, escape_bytes, field, format_value, hex, inner, mac_string, parse_mac,
    read_raw, read_struct, typed, unknown, walk, AttrDef, AttrNode, AttrSet, AttrValue, Be, Field,
    FieldValue, FixedHeader, Inner, Int, Name, NameBuf, Names, Num, PathInfo, Records, Show,
    Siblings, SubMessage, Typed, Value, ValueKind, MAX_DEPTH,
};
pub use crate::{attr_table, typed_attrs, value_names};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{attr_set, describe_fixed, fixed_header_len, msg_type_name};
    use crate::wire::{Attr, AttrIter, MsgIter, NLA_F_NESTED};

    /// A real `RTM_NEWLINK` for a veth (`fx0`, mtu 1400), captured in a fresh netns.
    const VETH: &[u8] = include_bytes!("../../tests/fixtures/route/newlink_veth.bin");

    #[test]
    fn walk_a_captured_link() {
        let (_, m) = MsgIter::new(VETH).next().unwrap().unwrap();
        let ty = m.msg_type();
        assert_eq!(msg_type_name(ty), Some("RTM_NEWLINK"));
        let fixed = fixed_header_len(ty).unwrap();
        let head = describe_fixed(ty, m.payload()).unwrap();
        assert!(head.starts_with("family unspec type 1 index "), "{head}");
        let attrs = AttrIter::with_offset(&m.payload()[fixed..], 16 + fixed);
        let mut lines = Vec::new();
        walk(attr_set(ty), attrs, 0, &mut |n| {
            lines.push(format!(
                "{}{} {}",
                "  ".repeat(n.depth),
                n.name().unwrap_or("?"),
                n.value()
            ))
        })
        .unwrap();
        assert!(
            lines.contains(&"IFLA_IFNAME \"fx0\"".to_string()),
            "{lines:#?}"
        );
        assert!(lines.contains(&"IFLA_MTU 1400".to_string()), "{lines:#?}");
        assert!(
            lines.contains(&"  IFLA_INFO_KIND \"veth\"".to_string()),
            "{lines:#?}"
        );
        assert!(lines
            .iter()
            .any(|l| l.starts_with("IFLA_ADDRESS ") && l.len() == 13 + 17));
        assert!(lines.iter().any(|l| l.starts_with("IFLA_STATS64 0x")));
    }

    #[test]
    fn info_data_by_kind_and_unknowns() {
        // IFLA_LINKINFO { KIND "vxlan", DATA { VXLAN_ID 42, PORT 4789 (BE) }, 99: raw }
        let mut data = Vec::new();
        data.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        data.extend_from_slice(&1u16.to_ne_bytes()); // IFLA_VXLAN_ID
        data.extend_from_slice(&42u32.to_ne_bytes());
        data.extend_from_slice(&6u16.to_ne_bytes()); // nla_len
        data.extend_from_slice(&15u16.to_ne_bytes()); // IFLA_VXLAN_PORT
        data.extend_from_slice(&[0x12, 0xb5, 0, 0]); // 4789, network order, padding
        let mut info = Vec::new();
        info.extend_from_slice(&10u16.to_ne_bytes()); // nla_len
        info.extend_from_slice(&1u16.to_ne_bytes()); // IFLA_INFO_KIND
        info.extend_from_slice(b"vxlan\0\0\0");
        info.extend_from_slice(&((4 + data.len()) as u16).to_ne_bytes()); // nla_len
        info.extend_from_slice(&(2 | NLA_F_NESTED).to_ne_bytes()); // IFLA_INFO_DATA
        info.extend_from_slice(&data);
        let mut buf = Vec::new();
        buf.extend_from_slice(&((4 + info.len()) as u16).to_ne_bytes()); // nla_len
        buf.extend_from_slice(&(18 | NLA_F_NESTED).to_ne_bytes()); // IFLA_LINKINFO
        buf.extend_from_slice(&info);
        buf.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        buf.extend_from_slice(&999u16.to_ne_bytes()); // unknown type
        buf.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        let mut out = Vec::new();
        walk(
            Some(&crate::route::link::LINK_SET),
            AttrIter::new(&buf),
            0,
            &mut |n| out.push((n.depth, n.name(), n.value())),
        )
        .unwrap();
        assert_eq!(
            out,
            [
                (0, Some("IFLA_LINKINFO"), String::new()),
                (1, Some("IFLA_INFO_KIND"), "\"vxlan\"".to_string()),
                (1, Some("IFLA_INFO_DATA"), String::new()),
                (2, Some("IFLA_VXLAN_ID"), "42".to_string()),
                (2, Some("IFLA_VXLAN_PORT"), "4789".to_string()),
                (0, None, "0xdeadbeef".to_string()),
            ]
        );
        let u: Vec<_> = unknown(&crate::route::link::LINK_SET, AttrIter::new(&buf)).collect();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].kind(), 999);
        assert_eq!(
            parse_mac("02:00:00:00:00:0a"),
            Some(vec![2, 0, 0, 0, 0, 10])
        );
        assert_eq!(parse_mac("02:00:zz"), None);
    }

    #[test]
    fn fixed_headers_and_typed_values() {
        use crate::route::{fixed_header, RTM_NEWLINK};
        let mut ifi = [0u8; 16];
        ifi[2..4].copy_from_slice(&772u16.to_ne_bytes()); // ifi_type ARPHRD_LOOPBACK
        ifi[4..8].copy_from_slice(&1i32.to_ne_bytes()); // ifi_index
        ifi[8..12].copy_from_slice(&0x49u32.to_ne_bytes()); // ifi_flags
        let h = fixed_header(RTM_NEWLINK).unwrap();
        let shown: Vec<String> = h.read(&ifi).iter().map(|f| f.to_string()).collect();
        assert_eq!(
            shown,
            [
                "ifi_family 0 (AF_UNSPEC)",
                "ifi_type 772 (LOOPBACK)",
                "ifi_index 1",
                "ifi_flags 0x49 (UP|LOOPBACK|RUNNING)",
                "ifi_change 0x0",
            ]
        );
        // A short header gives the fields it holds.
        assert_eq!(h.read(&ifi[..4]).len(), 2);

        let op = [2u8];
        let a = Attr::new(16, &op, 0); // IFLA_OPERSTATE
        let t = typed(crate::route::link::LINK_SET.get(16).unwrap().value, &a)
            .unwrap()
            .unwrap();
        assert_eq!(
            (t.text.as_str(), t.names.as_deref()),
            ("2 (DOWN)", Some("DOWN"))
        );
        assert_eq!(format_value(Some(ValueKind::Enum(Int::U8, &[])), &a), "2");
        let bad = [0xdc, 0x05];
        let a = Attr::new(4, &bad, 0);
        assert_eq!(
            typed(ValueKind::U32, &a),
            Err("2 bytes of payload, expected 4".to_string())
        );
        let stats = [1u8, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
        let a = Attr::new(23, &stats, 0);
        let t = typed(ValueKind::Counters(Int::U64, &["rx", "tx"]), &a)
            .unwrap()
            .unwrap();
        assert_eq!(t.text, "rx 1, tx 2");
        let t = typed(
            ValueKind::Bits(Int::U32, &[(1, "A")]),
            &Attr::new(1, &[3, 0, 0, 0], 0),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.text, "0x3 (A|0x2)");
    }

    #[test]
    fn every_set_has_unique_types() {
        use crate::route::{attr_set, MSG_TYPES};
        fn check(set: &'static AttrSet, seen: &mut Vec<&'static str>) {
            if seen.contains(&set.name) {
                return;
            }
            seen.push(set.name);
            let mut kinds: Vec<u16> = set.defs.iter().map(|d| d.kind).collect();
            kinds.sort();
            let n = kinds.len();
            kinds.dedup();
            assert_eq!(kinds.len(), n, "duplicate type in {}", set.name);
            for d in set.defs {
                for s in d.value.sets() {
                    check(s, seen);
                }
            }
        }
        let mut seen = Vec::new();
        for &t in MSG_TYPES {
            if let Some(s) = attr_set(t) {
                check(s, &mut seen);
            }
        }
        for k in ["veth", "bridge", "vlan", "macvlan", "vxlan", "tun"] {
            check(crate::route::link::info_data_set(k).unwrap(), &mut seen);
        }
        assert!(seen.len() > 15, "{seen:?}");
    }
}
