//! rtnetlink messages nlkit has no typed module for (traffic control,
//! namespace ids, neighbour tables, bridge MDB and VLANs, stats...):
//! their family headers and attribute sets, so that decoders can name them.
//!
//! # References
//! `rtnetlink.h`, `pkt_sched.h`, `netconf.h`, `net_namespace.h`,
//! `neighbour.h`, `if_bridge.h`, `if_addrlabel.h`, `dcbnl.h`, `if_link.h`.

/// Netconf has a module of its own now; its names stay here too.
pub use super::netconf::{NetconfAttr, NETCONFA_SET, NETCONFMSG};
use super::AF_NAMES;
use crate::schema::{attr_table, field, FixedHeader, Int, Show, ValueKind::*};

const FAMILY: Show = Show::Enum(AF_NAMES);

/// `struct tcmsg` (qdiscs, classes, filters, chains).
pub static TCMSG: FixedHeader = FixedHeader {
    name: "tcmsg",
    size: 20,
    fields: &[
        field("tcm_family", 0, Int::U8, FAMILY),
        field("tcm_ifindex", 4, Int::I32, Show::Dec),
        field("tcm_handle", 8, Int::U32, Show::Hex),
        field("tcm_parent", 12, Int::U32, Show::Hex),
        field("tcm_info", 16, Int::U32, Show::Hex),
    ],
};

/// `struct tcamsg` (actions).
pub static TCAMSG: FixedHeader = FixedHeader {
    name: "tcamsg",
    size: 4,
    fields: &[field("tca_family", 0, Int::U8, FAMILY)],
};

/// `struct rtgenmsg`: the family alone (namespace ids, cache reports,
/// and old dump requests of any type).
pub static RTGENMSG: FixedHeader = FixedHeader {
    name: "rtgenmsg",
    size: 1,
    fields: &[field("rtgen_family", 0, Int::U8, FAMILY)],
};

/// `struct ndtmsg` (neighbour tables).
pub static NDTMSG: FixedHeader = FixedHeader {
    name: "ndtmsg",
    size: 4,
    fields: &[field("ndtm_family", 0, Int::U8, FAMILY)],
};

/// `struct dcbmsg`.
pub static DCBMSG: FixedHeader = FixedHeader {
    name: "dcbmsg",
    size: 4,
    fields: &[
        field("dcb_family", 0, Int::U8, FAMILY),
        field("cmd", 1, Int::U8, Show::Dec),
    ],
};

/// `struct prefixmsg`.
pub static PREFIXMSG: FixedHeader = FixedHeader {
    name: "prefixmsg",
    size: 12,
    fields: &[
        field("prefix_family", 0, Int::U8, FAMILY),
        field("prefix_ifindex", 4, Int::I32, Show::Dec),
        field("prefix_type", 8, Int::U8, Show::Dec),
        field("prefix_len", 9, Int::U8, Show::Dec),
        field("prefix_flags", 10, Int::U8, Show::Hex),
    ],
};

/// `struct nduseroptmsg`.
pub static NDUSEROPTMSG: FixedHeader = FixedHeader {
    name: "nduseroptmsg",
    size: 16,
    fields: &[
        field("nduseropt_family", 0, Int::U8, FAMILY),
        field("nduseropt_opts_len", 2, Int::U16, Show::Dec),
        field("nduseropt_ifindex", 4, Int::I32, Show::Dec),
        field("nduseropt_icmp_type", 8, Int::U8, Show::Dec),
        field("nduseropt_icmp_code", 9, Int::U8, Show::Dec),
    ],
};

/// `struct ifaddrlblmsg`.
pub static IFADDRLBLMSG: FixedHeader = FixedHeader {
    name: "ifaddrlblmsg",
    size: 12,
    fields: &[
        field("ifal_family", 0, Int::U8, FAMILY),
        field("ifal_prefixlen", 2, Int::U8, Show::Dec),
        field("ifal_flags", 3, Int::U8, Show::Hex),
        field("ifal_index", 4, Int::U32, Show::Dec),
        field("ifal_seq", 8, Int::U32, Show::Dec),
    ],
};

const FAMILY_IFINDEX: &[crate::schema::Field] = &[
    field("family", 0, Int::U8, FAMILY),
    field("ifindex", 4, Int::U32, Show::Dec),
];

/// `struct br_port_msg` (bridge MDB).
pub static BR_PORT_MSG: FixedHeader = FixedHeader {
    name: "br_port_msg",
    size: 8,
    fields: FAMILY_IFINDEX,
};

/// `struct br_vlan_msg` (bridge VLANs).
pub static BR_VLAN_MSG: FixedHeader = FixedHeader {
    name: "br_vlan_msg",
    size: 8,
    fields: FAMILY_IFINDEX,
};

/// `struct tunnel_msg`.
pub static TUNNEL_MSG: FixedHeader = FixedHeader {
    name: "tunnel_msg",
    size: 8,
    fields: &[
        field("family", 0, Int::U8, FAMILY),
        field("flags", 1, Int::U8, Show::Hex),
        field("ifindex", 4, Int::U32, Show::Dec),
    ],
};

/// `struct if_stats_msg`.
pub static IF_STATS_MSG: FixedHeader = FixedHeader {
    name: "if_stats_msg",
    size: 12,
    fields: &[
        field("family", 0, Int::U8, FAMILY),
        field("ifindex", 4, Int::U32, Show::Dec),
        field("filter_mask", 8, Int::U32, Show::Hex),
    ],
};

attr_table! {
    /// A traffic control attribute type (`TCA_*`).
    enum TcAttr;
    /// The `TCA_*` set.
    static TCA_SET = "tc";
    Kind = 1, TCA_KIND, "TCA_KIND", Str;
    Options = 2, TCA_OPTIONS, "TCA_OPTIONS", Bytes;
    Stats = 3, TCA_STATS, "TCA_STATS", Bytes;
    Xstats = 4, TCA_XSTATS, "TCA_XSTATS", Bytes;
    Rate = 5, TCA_RATE, "TCA_RATE", Bytes;
    Fcnt = 6, TCA_FCNT, "TCA_FCNT", Bytes;
    Stats2 = 7, TCA_STATS2, "TCA_STATS2", NestedAny;
    Stab = 8, TCA_STAB, "TCA_STAB", NestedAny;
    Pad = 9, TCA_PAD, "TCA_PAD", Bytes;
    DumpInvisible = 10, TCA_DUMP_INVISIBLE, "TCA_DUMP_INVISIBLE", Flag;
    Chain = 11, TCA_CHAIN, "TCA_CHAIN", U32;
    HwOffload = 12, TCA_HW_OFFLOAD, "TCA_HW_OFFLOAD", U8;
    IngressBlock = 13, TCA_INGRESS_BLOCK, "TCA_INGRESS_BLOCK", U32;
    EgressBlock = 14, TCA_EGRESS_BLOCK, "TCA_EGRESS_BLOCK", U32;
}

attr_table! {
    /// A namespace id attribute type (`NETNSA_*`).
    enum NetnsAttr;
    /// The `NETNSA_*` set.
    static NETNSA_SET = "nsid";
    Nsid = 1, NETNSA_NSID, "NETNSA_NSID", I32;
    Pid = 2, NETNSA_PID, "NETNSA_PID", U32;
    Fd = 3, NETNSA_FD, "NETNSA_FD", U32;
    TargetNsid = 4, NETNSA_TARGET_NSID, "NETNSA_TARGET_NSID", I32;
    CurrentNsid = 5, NETNSA_CURRENT_NSID, "NETNSA_CURRENT_NSID", I32;
}
