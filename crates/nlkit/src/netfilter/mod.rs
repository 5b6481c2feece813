//! nfnetlink (`NETLINK_NETFILTER`): the `nfgenmsg` header every subsystem
//! shares, subsystem ids, and the subsystems nlkit speaks: [`conntrack`],
//! [`queue`] (NFQUEUE), [`log`] (NFLOG); [`summary`] turns their payloads
//! into one-line packet summaries. For decoders: [`msg_type_name`],
//! [`fixed_header`], [`attr_set`], [`flag_context`].
//!
//! A message type is `subsystem << 8 | message`; the payload starts with
//! [`NfGenMsg`] (family, version, a big-endian resource id: a queue number,
//! a log group, a CPU). Nothing here does I/O; requests go through
//! [`Connection`](crate::Connection).
//!
//! # References
//! uapi `linux/netfilter/nfnetlink.h`; the kernel's `net/netfilter/nfnetlink.c`.

pub mod conntrack;
pub mod decode;
pub mod log;
pub mod queue;
mod reader;
pub mod summary;

use crate::route::attrs::{field, AttrSet, FixedHeader, Int, Show};
use crate::wire::{self, FlagContext, Msg};
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct nfgenmsg`.
///
/// ```text
/// +--------+---------+-------------------+
/// | family | version |  res_id (be16)    |
/// +--------+---------+-------------------+
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "nfgenmsg")]
pub struct NfGenMsg {
    /// `nfgen_family`: `AF_INET`, `AF_INET6`, `AF_UNSPEC`...
    pub family: u8,
    /// `version`: [`NFNETLINK_V0`] (or `V1` where a subsystem gives it a meaning).
    pub version: u8,
    /// `res_id`: the queue number, log group or CPU, big-endian.
    pub res_id: U16<BigEndian>,
}

impl NfGenMsg {
    /// Size on the wire.
    pub const LEN: usize = 4;

    /// A header for `family` with version 0 and resource id `res_id`.
    pub fn new(family: u8, res_id: u16) -> NfGenMsg {
        NfGenMsg {
            family,
            version: NFNETLINK_V0,
            res_id: U16::new(res_id),
        }
    }

    /// The header at the start of `m`'s payload.
    pub fn of(m: &Msg<&[u8]>) -> wire::Result<NfGenMsg> {
        m.fixed::<NfGenMsg>().map(|(h, _)| *h)
    }
}

/// `NFNETLINK_V0`.
pub const NFNETLINK_V0: u8 = 0;
/// `NFNETLINK_V1`: for a conntrack flush, "only this family".
pub const NFNETLINK_V1: u8 = 1;

/// `NFNL_SUBSYS_NONE`
pub const NFNL_SUBSYS_NONE: u8 = 0;
/// `NFNL_SUBSYS_CTNETLINK`: connection tracking.
pub const NFNL_SUBSYS_CTNETLINK: u8 = 1;
/// `NFNL_SUBSYS_CTNETLINK_EXP`: expectations.
pub const NFNL_SUBSYS_CTNETLINK_EXP: u8 = 2;
/// `NFNL_SUBSYS_QUEUE`: NFQUEUE.
pub const NFNL_SUBSYS_QUEUE: u8 = 3;
/// `NFNL_SUBSYS_ULOG`: NFLOG.
pub const NFNL_SUBSYS_ULOG: u8 = 4;
/// `NFNL_SUBSYS_OSF`
pub const NFNL_SUBSYS_OSF: u8 = 5;
/// `NFNL_SUBSYS_IPSET`
pub const NFNL_SUBSYS_IPSET: u8 = 6;
/// `NFNL_SUBSYS_ACCT`
pub const NFNL_SUBSYS_ACCT: u8 = 7;
/// `NFNL_SUBSYS_CTNETLINK_TIMEOUT`
pub const NFNL_SUBSYS_CTNETLINK_TIMEOUT: u8 = 8;
/// `NFNL_SUBSYS_CTHELPER`
pub const NFNL_SUBSYS_CTHELPER: u8 = 9;
/// `NFNL_SUBSYS_NFTABLES`
pub const NFNL_SUBSYS_NFTABLES: u8 = 10;
/// `NFNL_SUBSYS_NFT_COMPAT`
pub const NFNL_SUBSYS_NFT_COMPAT: u8 = 11;
/// `NFNL_SUBSYS_HOOK`
pub const NFNL_SUBSYS_HOOK: u8 = 12;

/// `NFNL_MSG_BATCH_BEGIN` (`NLMSG_MIN_TYPE`): opens a transaction; `res_id` names the subsystem.
pub const NFNL_MSG_BATCH_BEGIN: u16 = wire::NLMSG_MIN_TYPE;
/// `NFNL_MSG_BATCH_END`: closes it.
pub const NFNL_MSG_BATCH_END: u16 = wire::NLMSG_MIN_TYPE + 1;

/// Subsystem names by id, for decoders.
pub const SUBSYS_NAMES: &[(u8, &str)] = &[
    (0, "NONE"),
    (1, "CTNETLINK"),
    (2, "CTNETLINK_EXP"),
    (3, "QUEUE"),
    (4, "ULOG"),
    (5, "OSF"),
    (6, "IPSET"),
    (7, "ACCT"),
    (8, "CTNETLINK_TIMEOUT"),
    (9, "CTHELPER"),
    (10, "NFTABLES"),
    (11, "NFT_COMPAT"),
    (12, "HOOK"),
];

/// The message type of message `msg` of subsystem `subsys`.
pub const fn msg_type(subsys: u8, msg: u8) -> u16 {
    ((subsys as u16) << 8) | msg as u16
}

/// The subsystem of a message type (`NFNL_SUBSYS_ID`).
pub const fn subsys_of(ty: u16) -> u8 {
    (ty >> 8) as u8
}

/// The message of a message type (`NFNL_MSG_TYPE`).
pub const fn msg_of(ty: u16) -> u8 {
    ty as u8
}

/// The name of a netfilter message type (`IPCTNL_MSG_CT_NEW`,
/// `NFQNL_MSG_PACKET`, `NFULNL_MSG_CONFIG`, `NFNL_MSG_BATCH_BEGIN`), for
/// decoders; `None` for a subsystem or message nlkit does not know.
pub fn msg_type_name(ty: u16) -> Option<&'static str> {
    match ty {
        NFNL_MSG_BATCH_BEGIN => return Some("NFNL_MSG_BATCH_BEGIN"),
        NFNL_MSG_BATCH_END => return Some("NFNL_MSG_BATCH_END"),
        _ => {}
    }
    let msg = msg_of(ty);
    match subsys_of(ty) {
        NFNL_SUBSYS_CTNETLINK => conntrack::msg_name(msg),
        NFNL_SUBSYS_QUEUE => queue::msg_name(msg),
        NFNL_SUBSYS_ULOG => log::msg_name(msg),
        _ => None,
    }
}

/// A message type by name (case-insensitive), for `--type` parsing.
pub fn msg_type_from_name(name: &str) -> Option<u16> {
    (0..=0x0cffu16).find(|&t| msg_type_name(t).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// Names a message type with its subsystem (`CTNETLINK IPCTNL_MSG_CT_NEW`,
/// `QUEUE 9` for a message nlkit has no name for); `None` for an unknown subsystem.
pub fn describe(ty: u16) -> Option<String> {
    if ty == NFNL_MSG_BATCH_BEGIN || ty == NFNL_MSG_BATCH_END {
        return msg_type_name(ty).map(String::from);
    }
    let sub = subsys_of(ty);
    let subname = SUBSYS_NAMES.iter().find(|(i, _)| *i == sub)?.1;
    Some(match msg_type_name(ty) {
        Some(n) => format!("{subname} {n}"),
        None => format!("{subname} {}", msg_of(ty)),
    })
}

/// `nfgenmsg` field by field, for decoders.
pub static NFGENMSG: FixedHeader = FixedHeader {
    name: "nfgenmsg",
    size: NfGenMsg::LEN,
    fields: &[
        field("nfgen_family", 0, Int::U8, Show::Dec),
        field("version", 1, Int::U8, Show::Dec),
        field("res_id", 2, Int::BeU16, Show::Dec),
    ],
};

/// The fixed header of a netfilter message: `nfgenmsg`, for every subsystem.
pub fn fixed_header(ty: u16) -> Option<&'static FixedHeader> {
    (ty >= wire::NLMSG_MIN_TYPE).then_some(&NFGENMSG)
}

/// The attribute set after the `nfgenmsg` of a message type, if nlkit knows it.
pub fn attr_set(ty: u16) -> Option<&'static AttrSet> {
    let msg = msg_of(ty);
    match subsys_of(ty) {
        NFNL_SUBSYS_CTNETLINK => Some(conntrack::attr_set(msg)),
        NFNL_SUBSYS_QUEUE => Some(queue::attr_set(msg)),
        NFNL_SUBSYS_ULOG => Some(log::attr_set(msg)),
        _ => None,
    }
}

/// Which meaning the high `nlmsg_flags` bits have for a message type.
pub fn flag_context(ty: u16) -> FlagContext {
    match (subsys_of(ty), msg_of(ty)) {
        (NFNL_SUBSYS_CTNETLINK, conntrack::IPCTNL_MSG_CT_NEW) => FlagContext::New,
        (NFNL_SUBSYS_CTNETLINK, conntrack::IPCTNL_MSG_CT_DELETE) => FlagContext::Delete,
        (NFNL_SUBSYS_CTNETLINK, _) => FlagContext::Get,
        _ => FlagContext::Unknown,
    }
}

/// The address in a `nfqnl_msg_packet_hw` / `nfulnl_msg_packet_hw`
/// (`be16 len, pad, addr[8]`); a payload too short for its length is an error.
pub(crate) fn read_hw_addr<'a>(a: &wire::Attr<'a>) -> wire::Result<&'a [u8]> {
    let b = a.payload();
    let size = wire::Error::PayloadSize {
        kind: a.kind(),
        expected: 12,
        got: b.len(),
    };
    let n = match b {
        [h, l, ..] => usize::from(u16::from_be_bytes([*h, *l])).min(8),
        _ => return Err(size),
    };
    b.get(4..4 + n).ok_or(size)
}

/// The first `N` bytes of a packet header attribute (more are allowed:
/// later kernels may grow the struct).
pub(crate) fn header_bytes<const N: usize>(a: &wire::Attr<'_>) -> wire::Result<[u8; N]> {
    let b = a.payload();
    b.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or(wire::Error::PayloadSize {
            kind: a.kind(),
            expected: N,
            got: b.len(),
        })
}

/// A `nfqnl_msg_packet_timestamp` / `nfulnl_msg_packet_timestamp`: (seconds, microseconds).
pub(crate) fn read_timestamp(a: &wire::Attr<'_>) -> wire::Result<(u64, u64)> {
    let x: [u8; 16] = a.array()?;
    let (s, u) = x.split_at(8);
    let be = |b: &[u8]| b.iter().fold(0u64, |acc, &v| acc << 8 | u64::from(v));
    Ok((be(s), be(u)))
}

/// `NFQA_VLAN` / `NFULA_VLAN` (the nested `*_VLAN_PROTO` and `*_VLAN_TCI`,
/// numbered alike in both): (protocol, TCI), 0 for one that is missing.
pub(crate) fn read_vlan(a: &wire::Attr<'_>) -> wire::Result<(u16, u16)> {
    let (mut proto, mut tci) = (0, 0);
    for v in a.nested() {
        let v = v?;
        match v.kind() {
            queue::NFQA_VLAN_PROTO => proto = v.be_u16()?,
            queue::NFQA_VLAN_TCI => tci = v.be_u16()?,
            _ => {}
        }
    }
    Ok((proto, tci))
}

/// One declaration for the attributes a queued packet and a logged packet
/// share (the same meaning under different numbers: `NFQA_MARK` is 3,
/// `NFULA_MARK` 2): the caller names each one's constant and adds its own
/// fields; [`typed_attrs!`](crate::typed_attrs) makes the view, so a value
/// that does not read stays raw in `malformed_attrs()` and never fails the packet.
macro_rules! packet_view {
    (
        $(#[$sm:meta])*
        pub struct $Name:ident<$lt:lifetime>: $SET:ident, $what:literal;
        mark = $MARK:ident, timestamp = $TS:ident, indev = $IN:ident, outdev = $OUT:ident,
        physindev = $PIN:ident, physoutdev = $POUT:ident, hwaddr = $HW:ident,
        payload = $PL:ident, uid = $UID:ident, gid = $GID:ident, ct = $CT:ident,
        ct_info = $CTI:ident, vlan = $VLAN:ident, l2hdr = $L2:ident;
        { $($own:tt)* }
    ) => {
        $crate::typed_attrs! {
            $(#[$sm])*
            ///
            /// An attribute whose value does not read leaves its field `None`
            /// and is listed by `malformed_attrs()`; unknown ones by `unknown_attrs()`.
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub struct $Name<$lt>: $crate::netfilter::NfGenMsg, $SET, $what {
                $($own)*
                /// `skb->mark`.
                pub mark: u32 as Be = $MARK,
                /// Receive time (seconds, microseconds).
                pub timestamp: (u64, u64) = $TS with $crate::netfilter::read_timestamp,
                /// Input interface.
                pub indev: u32 as Be = $IN,
                /// Output interface.
                pub outdev: u32 as Be = $OUT,
                /// Bridge port the packet came in on.
                pub physindev: u32 as Be = $PIN,
                /// Bridge port it goes out on.
                pub physoutdev: u32 as Be = $POUT,
                /// Source hardware address.
                pub hwaddr: &$lt [u8] = $HW with $crate::netfilter::read_hw_addr,
                /// The packet (from the network header), up to the copy range.
                pub payload: &$lt [u8] = $PL,
                /// Owner uid.
                pub uid: u32 as Be = $UID,
                /// Owner gid.
                pub gid: u32 as Be = $GID,
                /// Conntrack entry attributes, read with `conntrack()`.
                pub ct: &$lt [u8] = $CT,
                /// `enum ip_conntrack_info`.
                pub ct_info: u32 as Be = $CTI,
                /// VLAN protocol and TCI.
                pub vlan: (u16, u16) = $VLAN with $crate::netfilter::read_vlan,
                /// The link-layer header.
                pub l2hdr: &$lt [u8] = $L2,
            }
        }

        impl<$lt> $Name<$lt> {
            /// `nfgen_family` (`AF_INET`, `AF_INET6`, `AF_BRIDGE`...).
            pub fn family(&self) -> u8 {
                self.header.family
            }

            /// The conntrack entry the packet belongs to (with the `CONNTRACK` flag).
            pub fn conntrack(&self) -> Option<$crate::wire::Result<$crate::netfilter::conntrack::Conntrack<$lt>>> {
                self.ct.map(|b| $crate::netfilter::conntrack::Conntrack::parse_attrs(self.header.family, b))
            }
        }
    };
}
pub(crate) use packet_view;

/// Address family names as conntrack prints them (`ipv4`, `ipv6`).
pub fn l3_name(family: u8) -> &'static str {
    match i32::from(family) {
        libc::AF_INET => "ipv4",
        libc::AF_INET6 => "ipv6",
        _ => "unknown",
    }
}

/// Parses `ipv4`/`inet`/`ipv6`/`inet6`/`unspec`... into an address family.
pub fn parse_l3(s: &str) -> Option<u8> {
    Some(match s {
        "ipv4" | "inet" | "ip" => libc::AF_INET as u8,
        "ipv6" | "inet6" | "ip6" => libc::AF_INET6 as u8,
        "unspec" | "any" => libc::AF_UNSPEC as u8,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_split_and_join() {
        let t = msg_type(NFNL_SUBSYS_CTNETLINK, 2);
        assert_eq!(t, 0x0102);
        assert_eq!(subsys_of(t), 1);
        assert_eq!(msg_of(t), 2);
        assert_eq!(describe(t).unwrap(), "CTNETLINK IPCTNL_MSG_CT_DELETE");
        assert_eq!(describe(0x10).unwrap(), "NFNL_MSG_BATCH_BEGIN");
        assert_eq!(describe(0x7f00), None);
        assert_eq!(msg_type_name(0x0300), Some("NFQNL_MSG_PACKET"));
        assert_eq!(msg_type_name(0x0401), Some("NFULNL_MSG_CONFIG"));
        assert_eq!(msg_type_from_name("ipctnl_msg_ct_get"), Some(0x0101));
        assert_eq!(attr_set(0x0100).unwrap().name, "conntrack");
        assert_eq!(attr_set(0x0302).unwrap().name, "queue-config");
        assert_eq!(fixed_header(0x0100).unwrap().size, 4);
        assert_eq!(flag_context(0x0100), FlagContext::New);
    }

    #[test]
    fn nfgenmsg_layout() {
        let h = NfGenMsg::new(2, 0x0102);
        assert_eq!(h.as_bytes(), &[2, 0, 0x01, 0x02]);
    }
}
