//! The ctnetlink attribute sets (`CTA_*`), one row per attribute, and the
//! value names (status bits, protocol states) conntrack-tools prints.

use crate::route::attrs::{attr_table, Int, Names, ValueKind::*};

attr_table! {
    /// A conntrack attribute type (`CTA_*`).
    enum CtAttr;
    /// The `CTA_*` set (top level of a conntrack message).
    static CTA_SET = "conntrack";
    Unspec = 0, CTA_UNSPEC, "CTA_UNSPEC", Bytes;
    TupleOrig = 1, CTA_TUPLE_ORIG, "CTA_TUPLE_ORIG", Nested(&CTA_TUPLE_SET);
    TupleReply = 2, CTA_TUPLE_REPLY, "CTA_TUPLE_REPLY", Nested(&CTA_TUPLE_SET);
    Status = 3, CTA_STATUS, "CTA_STATUS", Bits(Int::BeU32, IPS_NAMES);
    Protoinfo = 4, CTA_PROTOINFO, "CTA_PROTOINFO", Nested(&CTA_PROTOINFO_SET);
    Help = 5, CTA_HELP, "CTA_HELP", Nested(&CTA_HELP_SET);
    NatSrc = 6, CTA_NAT_SRC, "CTA_NAT_SRC", Nested(&CTA_NAT_SET);
    Timeout = 7, CTA_TIMEOUT, "CTA_TIMEOUT", BeU32;
    Mark = 8, CTA_MARK, "CTA_MARK", BeU32;
    CountersOrig = 9, CTA_COUNTERS_ORIG, "CTA_COUNTERS_ORIG", Nested(&CTA_COUNTERS_SET);
    CountersReply = 10, CTA_COUNTERS_REPLY, "CTA_COUNTERS_REPLY", Nested(&CTA_COUNTERS_SET);
    Use = 11, CTA_USE, "CTA_USE", BeU32;
    Id = 12, CTA_ID, "CTA_ID", BeU32;
    NatDst = 13, CTA_NAT_DST, "CTA_NAT_DST", Nested(&CTA_NAT_SET);
    TupleMaster = 14, CTA_TUPLE_MASTER, "CTA_TUPLE_MASTER", Nested(&CTA_TUPLE_SET);
    SeqAdjOrig = 15, CTA_SEQ_ADJ_ORIG, "CTA_SEQ_ADJ_ORIG", Nested(&CTA_SEQADJ_SET);
    SeqAdjReply = 16, CTA_SEQ_ADJ_REPLY, "CTA_SEQ_ADJ_REPLY", Nested(&CTA_SEQADJ_SET);
    Secmark = 17, CTA_SECMARK, "CTA_SECMARK", BeU32;
    Zone = 18, CTA_ZONE, "CTA_ZONE", BeU16;
    Secctx = 19, CTA_SECCTX, "CTA_SECCTX", Nested(&CTA_SECCTX_SET);
    Timestamp = 20, CTA_TIMESTAMP, "CTA_TIMESTAMP", Nested(&CTA_TIMESTAMP_SET);
    MarkMask = 21, CTA_MARK_MASK, "CTA_MARK_MASK", BeU32;
    Labels = 22, CTA_LABELS, "CTA_LABELS", Bytes;
    LabelsMask = 23, CTA_LABELS_MASK, "CTA_LABELS_MASK", Bytes;
    Synproxy = 24, CTA_SYNPROXY, "CTA_SYNPROXY", Nested(&CTA_SYNPROXY_SET);
    Filter = 25, CTA_FILTER, "CTA_FILTER", Nested(&CTA_FILTER_SET);
    StatusMask = 26, CTA_STATUS_MASK, "CTA_STATUS_MASK", Bits(Int::BeU32, IPS_NAMES);
    TimestampEvent = 27, CTA_TIMESTAMP_EVENT, "CTA_TIMESTAMP_EVENT", Int(Int::BeU64);
}

attr_table! {
    /// A tuple attribute type (`CTA_TUPLE_*`).
    enum TupleAttr;
    /// The `CTA_TUPLE_*` set.
    static CTA_TUPLE_SET = "conntrack-tuple";
    Unspec = 0, CTA_TUPLE_UNSPEC, "CTA_TUPLE_UNSPEC", Bytes;
    Ip = 1, CTA_TUPLE_IP, "CTA_TUPLE_IP", Nested(&CTA_IP_SET);
    Proto = 2, CTA_TUPLE_PROTO, "CTA_TUPLE_PROTO", Nested(&CTA_PROTO_SET);
    Zone = 3, CTA_TUPLE_ZONE, "CTA_TUPLE_ZONE", BeU16;
}

attr_table! {
    /// An address attribute type (`CTA_IP_*`).
    enum IpAttr;
    /// The `CTA_IP_*` set.
    static CTA_IP_SET = "conntrack-ip";
    Unspec = 0, CTA_IP_UNSPEC, "CTA_IP_UNSPEC", Bytes;
    V4Src = 1, CTA_IP_V4_SRC, "CTA_IP_V4_SRC", Ip;
    V4Dst = 2, CTA_IP_V4_DST, "CTA_IP_V4_DST", Ip;
    V6Src = 3, CTA_IP_V6_SRC, "CTA_IP_V6_SRC", Ip;
    V6Dst = 4, CTA_IP_V6_DST, "CTA_IP_V6_DST", Ip;
}

attr_table! {
    /// A layer-4 attribute type (`CTA_PROTO_*`).
    enum ProtoAttr;
    /// The `CTA_PROTO_*` set.
    static CTA_PROTO_SET = "conntrack-proto";
    Unspec = 0, CTA_PROTO_UNSPEC, "CTA_PROTO_UNSPEC", Bytes;
    Num = 1, CTA_PROTO_NUM, "CTA_PROTO_NUM", U8;
    SrcPort = 2, CTA_PROTO_SRC_PORT, "CTA_PROTO_SRC_PORT", BeU16;
    DstPort = 3, CTA_PROTO_DST_PORT, "CTA_PROTO_DST_PORT", BeU16;
    IcmpId = 4, CTA_PROTO_ICMP_ID, "CTA_PROTO_ICMP_ID", BeU16;
    IcmpType = 5, CTA_PROTO_ICMP_TYPE, "CTA_PROTO_ICMP_TYPE", U8;
    IcmpCode = 6, CTA_PROTO_ICMP_CODE, "CTA_PROTO_ICMP_CODE", U8;
    Icmpv6Id = 7, CTA_PROTO_ICMPV6_ID, "CTA_PROTO_ICMPV6_ID", BeU16;
    Icmpv6Type = 8, CTA_PROTO_ICMPV6_TYPE, "CTA_PROTO_ICMPV6_TYPE", U8;
    Icmpv6Code = 9, CTA_PROTO_ICMPV6_CODE, "CTA_PROTO_ICMPV6_CODE", U8;
}

attr_table! {
    /// A protocol-state attribute type (`CTA_PROTOINFO_*`).
    enum ProtoinfoAttr;
    /// The `CTA_PROTOINFO_*` set.
    static CTA_PROTOINFO_SET = "conntrack-protoinfo";
    Unspec = 0, CTA_PROTOINFO_UNSPEC, "CTA_PROTOINFO_UNSPEC", Bytes;
    Tcp = 1, CTA_PROTOINFO_TCP, "CTA_PROTOINFO_TCP", Nested(&CTA_PROTOINFO_TCP_SET);
    Dccp = 2, CTA_PROTOINFO_DCCP, "CTA_PROTOINFO_DCCP", Nested(&CTA_PROTOINFO_DCCP_SET);
    Sctp = 3, CTA_PROTOINFO_SCTP, "CTA_PROTOINFO_SCTP", Nested(&CTA_PROTOINFO_SCTP_SET);
}

attr_table! {
    /// A TCP state attribute type (`CTA_PROTOINFO_TCP_*`).
    enum TcpAttr;
    /// The `CTA_PROTOINFO_TCP_*` set.
    static CTA_PROTOINFO_TCP_SET = "conntrack-tcp";
    Unspec = 0, CTA_PROTOINFO_TCP_UNSPEC, "CTA_PROTOINFO_TCP_UNSPEC", Bytes;
    State = 1, CTA_PROTOINFO_TCP_STATE, "CTA_PROTOINFO_TCP_STATE", Enum(Int::U8, TCP_STATE_NAMES);
    WscaleOriginal = 2, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, "CTA_PROTOINFO_TCP_WSCALE_ORIGINAL", U8;
    WscaleReply = 3, CTA_PROTOINFO_TCP_WSCALE_REPLY, "CTA_PROTOINFO_TCP_WSCALE_REPLY", U8;
    FlagsOriginal = 4, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", Struct("nf_ct_tcp_flags");
    FlagsReply = 5, CTA_PROTOINFO_TCP_FLAGS_REPLY, "CTA_PROTOINFO_TCP_FLAGS_REPLY", Struct("nf_ct_tcp_flags");
}

attr_table! {
    /// A DCCP state attribute type (`CTA_PROTOINFO_DCCP_*`).
    enum DccpAttr;
    /// The `CTA_PROTOINFO_DCCP_*` set.
    static CTA_PROTOINFO_DCCP_SET = "conntrack-dccp";
    Unspec = 0, CTA_PROTOINFO_DCCP_UNSPEC, "CTA_PROTOINFO_DCCP_UNSPEC", Bytes;
    State = 1, CTA_PROTOINFO_DCCP_STATE, "CTA_PROTOINFO_DCCP_STATE", Enum(Int::U8, DCCP_STATE_NAMES);
    Role = 2, CTA_PROTOINFO_DCCP_ROLE, "CTA_PROTOINFO_DCCP_ROLE", U8;
    HandshakeSeq = 3, CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ, "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ", Int(Int::BeU64);
    Pad = 4, CTA_PROTOINFO_DCCP_PAD, "CTA_PROTOINFO_DCCP_PAD", Bytes;
}

attr_table! {
    /// An SCTP state attribute type (`CTA_PROTOINFO_SCTP_*`).
    enum SctpAttr;
    /// The `CTA_PROTOINFO_SCTP_*` set.
    static CTA_PROTOINFO_SCTP_SET = "conntrack-sctp";
    Unspec = 0, CTA_PROTOINFO_SCTP_UNSPEC, "CTA_PROTOINFO_SCTP_UNSPEC", Bytes;
    State = 1, CTA_PROTOINFO_SCTP_STATE, "CTA_PROTOINFO_SCTP_STATE", Enum(Int::U8, SCTP_STATE_NAMES);
    VtagOriginal = 2, CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, "CTA_PROTOINFO_SCTP_VTAG_ORIGINAL", BeU32;
    VtagReply = 3, CTA_PROTOINFO_SCTP_VTAG_REPLY, "CTA_PROTOINFO_SCTP_VTAG_REPLY", BeU32;
}

attr_table! {
    /// A counter attribute type (`CTA_COUNTERS_*`).
    enum CountersAttr;
    /// The `CTA_COUNTERS_*` set.
    static CTA_COUNTERS_SET = "conntrack-counters";
    Unspec = 0, CTA_COUNTERS_UNSPEC, "CTA_COUNTERS_UNSPEC", Bytes;
    Packets = 1, CTA_COUNTERS_PACKETS, "CTA_COUNTERS_PACKETS", Int(Int::BeU64);
    Bytes = 2, CTA_COUNTERS_BYTES, "CTA_COUNTERS_BYTES", Int(Int::BeU64);
    Packets32 = 3, CTA_COUNTERS32_PACKETS, "CTA_COUNTERS32_PACKETS", BeU32;
    Bytes32 = 4, CTA_COUNTERS32_BYTES, "CTA_COUNTERS32_BYTES", BeU32;
    Pad = 5, CTA_COUNTERS_PAD, "CTA_COUNTERS_PAD", Bytes;
}

attr_table! {
    /// A timestamp attribute type (`CTA_TIMESTAMP_*`).
    enum TimestampAttr;
    /// The `CTA_TIMESTAMP_*` set (nanoseconds since the epoch).
    static CTA_TIMESTAMP_SET = "conntrack-timestamp";
    Unspec = 0, CTA_TIMESTAMP_UNSPEC, "CTA_TIMESTAMP_UNSPEC", Bytes;
    Start = 1, CTA_TIMESTAMP_START, "CTA_TIMESTAMP_START", Int(Int::BeU64);
    Stop = 2, CTA_TIMESTAMP_STOP, "CTA_TIMESTAMP_STOP", Int(Int::BeU64);
    Pad = 3, CTA_TIMESTAMP_PAD, "CTA_TIMESTAMP_PAD", Bytes;
}

attr_table! {
    /// A NAT attribute type (`CTA_NAT_*`).
    enum NatAttr;
    /// The `CTA_NAT_*` set.
    static CTA_NAT_SET = "conntrack-nat";
    Unspec = 0, CTA_NAT_UNSPEC, "CTA_NAT_UNSPEC", Bytes;
    V4Minip = 1, CTA_NAT_V4_MINIP, "CTA_NAT_V4_MINIP", Ip;
    V4Maxip = 2, CTA_NAT_V4_MAXIP, "CTA_NAT_V4_MAXIP", Ip;
    Proto = 3, CTA_NAT_PROTO, "CTA_NAT_PROTO", Nested(&CTA_PROTONAT_SET);
    V6Minip = 4, CTA_NAT_V6_MINIP, "CTA_NAT_V6_MINIP", Ip;
    V6Maxip = 5, CTA_NAT_V6_MAXIP, "CTA_NAT_V6_MAXIP", Ip;
}

attr_table! {
    /// A NAT port attribute type (`CTA_PROTONAT_*`).
    enum ProtonatAttr;
    /// The `CTA_PROTONAT_*` set.
    static CTA_PROTONAT_SET = "conntrack-protonat";
    Unspec = 0, CTA_PROTONAT_UNSPEC, "CTA_PROTONAT_UNSPEC", Bytes;
    PortMin = 1, CTA_PROTONAT_PORT_MIN, "CTA_PROTONAT_PORT_MIN", BeU16;
    PortMax = 2, CTA_PROTONAT_PORT_MAX, "CTA_PROTONAT_PORT_MAX", BeU16;
}

attr_table! {
    /// A sequence-adjustment attribute type (`CTA_SEQADJ_*`).
    enum SeqadjAttr;
    /// The `CTA_SEQADJ_*` set.
    static CTA_SEQADJ_SET = "conntrack-seqadj";
    Unspec = 0, CTA_SEQADJ_UNSPEC, "CTA_SEQADJ_UNSPEC", Bytes;
    CorrectionPos = 1, CTA_SEQADJ_CORRECTION_POS, "CTA_SEQADJ_CORRECTION_POS", BeU32;
    OffsetBefore = 2, CTA_SEQADJ_OFFSET_BEFORE, "CTA_SEQADJ_OFFSET_BEFORE", BeU32;
    OffsetAfter = 3, CTA_SEQADJ_OFFSET_AFTER, "CTA_SEQADJ_OFFSET_AFTER", BeU32;
}

attr_table! {
    /// A synproxy attribute type (`CTA_SYNPROXY_*`).
    enum SynproxyAttr;
    /// The `CTA_SYNPROXY_*` set.
    static CTA_SYNPROXY_SET = "conntrack-synproxy";
    Unspec = 0, CTA_SYNPROXY_UNSPEC, "CTA_SYNPROXY_UNSPEC", Bytes;
    Isn = 1, CTA_SYNPROXY_ISN, "CTA_SYNPROXY_ISN", BeU32;
    Its = 2, CTA_SYNPROXY_ITS, "CTA_SYNPROXY_ITS", BeU32;
    Tsoff = 3, CTA_SYNPROXY_TSOFF, "CTA_SYNPROXY_TSOFF", BeU32;
}

attr_table! {
    /// A helper attribute type (`CTA_HELP_*`).
    enum HelpAttr;
    /// The `CTA_HELP_*` set.
    static CTA_HELP_SET = "conntrack-help";
    Unspec = 0, CTA_HELP_UNSPEC, "CTA_HELP_UNSPEC", Bytes;
    Name = 1, CTA_HELP_NAME, "CTA_HELP_NAME", Str;
    Info = 2, CTA_HELP_INFO, "CTA_HELP_INFO", Bytes;
}

attr_table! {
    /// A security-context attribute type (`CTA_SECCTX_*`).
    enum SecctxAttr;
    /// The `CTA_SECCTX_*` set.
    static CTA_SECCTX_SET = "conntrack-secctx";
    Unspec = 0, CTA_SECCTX_UNSPEC, "CTA_SECCTX_UNSPEC", Bytes;
    Name = 1, CTA_SECCTX_NAME, "CTA_SECCTX_NAME", Str;
}

attr_table! {
    /// A dump-filter attribute type (`CTA_FILTER_*`).
    enum FilterAttr;
    /// The `CTA_FILTER_*` set.
    static CTA_FILTER_SET = "conntrack-filter";
    Unspec = 0, CTA_FILTER_UNSPEC, "CTA_FILTER_UNSPEC", Bytes;
    OrigFlags = 1, CTA_FILTER_ORIG_FLAGS, "CTA_FILTER_ORIG_FLAGS", U32;
    ReplyFlags = 2, CTA_FILTER_REPLY_FLAGS, "CTA_FILTER_REPLY_FLAGS", U32;
}

attr_table! {
    /// A per-CPU statistics attribute type (`CTA_STATS_*`).
    enum StatsAttr;
    /// The `CTA_STATS_*` set (`IPCTNL_MSG_CT_GET_STATS_CPU`).
    static CTA_STATS_SET = "conntrack-stats-cpu";
    Unspec = 0, CTA_STATS_UNSPEC, "CTA_STATS_UNSPEC", Bytes;
    Searched = 1, CTA_STATS_SEARCHED, "CTA_STATS_SEARCHED", BeU32;
    Found = 2, CTA_STATS_FOUND, "CTA_STATS_FOUND", BeU32;
    New = 3, CTA_STATS_NEW, "CTA_STATS_NEW", BeU32;
    Invalid = 4, CTA_STATS_INVALID, "CTA_STATS_INVALID", BeU32;
    Ignore = 5, CTA_STATS_IGNORE, "CTA_STATS_IGNORE", BeU32;
    Delete = 6, CTA_STATS_DELETE, "CTA_STATS_DELETE", BeU32;
    DeleteList = 7, CTA_STATS_DELETE_LIST, "CTA_STATS_DELETE_LIST", BeU32;
    Insert = 8, CTA_STATS_INSERT, "CTA_STATS_INSERT", BeU32;
    InsertFailed = 9, CTA_STATS_INSERT_FAILED, "CTA_STATS_INSERT_FAILED", BeU32;
    Drop = 10, CTA_STATS_DROP, "CTA_STATS_DROP", BeU32;
    EarlyDrop = 11, CTA_STATS_EARLY_DROP, "CTA_STATS_EARLY_DROP", BeU32;
    Error = 12, CTA_STATS_ERROR, "CTA_STATS_ERROR", BeU32;
    SearchRestart = 13, CTA_STATS_SEARCH_RESTART, "CTA_STATS_SEARCH_RESTART", BeU32;
    ClashResolve = 14, CTA_STATS_CLASH_RESOLVE, "CTA_STATS_CLASH_RESOLVE", BeU32;
    ChainToolong = 15, CTA_STATS_CHAIN_TOOLONG, "CTA_STATS_CHAIN_TOOLONG", BeU32;
}

attr_table! {
    /// A global statistics attribute type (`CTA_STATS_GLOBAL_*`).
    enum StatsGlobalAttr;
    /// The `CTA_STATS_GLOBAL_*` set (`IPCTNL_MSG_CT_GET_STATS`).
    static CTA_STATS_GLOBAL_SET = "conntrack-stats-global";
    Unspec = 0, CTA_STATS_GLOBAL_UNSPEC, "CTA_STATS_GLOBAL_UNSPEC", Bytes;
    Entries = 1, CTA_STATS_GLOBAL_ENTRIES, "CTA_STATS_GLOBAL_ENTRIES", BeU32;
    MaxEntries = 2, CTA_STATS_GLOBAL_MAX_ENTRIES, "CTA_STATS_GLOBAL_MAX_ENTRIES", BeU32;
}

/// The names conntrack-tools gives the per-CPU counters (`-S`), by `CTA_STATS_*` type.
pub const STATS_NAMES: &[(u16, &str)] = &[
    (CTA_STATS_SEARCHED, "searched"),
    (CTA_STATS_FOUND, "found"),
    (CTA_STATS_NEW, "new"),
    (CTA_STATS_INVALID, "invalid"),
    (CTA_STATS_IGNORE, "ignore"),
    (CTA_STATS_DELETE, "delete"),
    (CTA_STATS_DELETE_LIST, "delete_list"),
    (CTA_STATS_INSERT, "insert"),
    (CTA_STATS_INSERT_FAILED, "insert_failed"),
    (CTA_STATS_DROP, "drop"),
    (CTA_STATS_EARLY_DROP, "early_drop"),
    (CTA_STATS_ERROR, "error"),
    (CTA_STATS_SEARCH_RESTART, "search_restart"),
    (CTA_STATS_CLASH_RESOLVE, "clash_resolve"),
    (CTA_STATS_CHAIN_TOOLONG, "chaintoolong"),
];

/// `CTA_FILTER` flag bits: which tuple fields a dump filter compares
/// (`CTA_FILTER_FLAG_*`, kernel-internal but part of the ABI).
pub mod filter_flag {
    /// Source address.
    pub const IP_SRC: u32 = 1 << 0;
    /// Destination address.
    pub const IP_DST: u32 = 1 << 1;
    /// Tuple zone.
    pub const TUPLE_ZONE: u32 = 1 << 2;
    /// Layer-4 protocol.
    pub const PROTO_NUM: u32 = 1 << 3;
    /// Source port.
    pub const PROTO_SRC_PORT: u32 = 1 << 4;
    /// Destination port.
    pub const PROTO_DST_PORT: u32 = 1 << 5;
    /// ICMP type.
    pub const ICMP_TYPE: u32 = 1 << 6;
    /// ICMP code.
    pub const ICMP_CODE: u32 = 1 << 7;
    /// ICMP id.
    pub const ICMP_ID: u32 = 1 << 8;
    /// ICMPv6 type.
    pub const ICMPV6_TYPE: u32 = 1 << 9;
    /// ICMPv6 code.
    pub const ICMPV6_CODE: u32 = 1 << 10;
    /// ICMPv6 id.
    pub const ICMPV6_ID: u32 = 1 << 11;
}

/// `IPS_*` status bits, by name without the prefix (as `conntrack -u` takes them).
#[rustfmt::skip]
pub const IPS_NAMES: Names = &[
    (1 << 0, "EXPECTED"), (1 << 1, "SEEN_REPLY"), (1 << 2, "ASSURED"), (1 << 3, "CONFIRMED"),
    (1 << 4, "SRC_NAT"), (1 << 5, "DST_NAT"), (1 << 6, "SEQ_ADJUST"), (1 << 7, "SRC_NAT_DONE"),
    (1 << 8, "DST_NAT_DONE"), (1 << 9, "DYING"), (1 << 10, "FIXED_TIMEOUT"), (1 << 11, "TEMPLATE"),
    (1 << 12, "UNTRACKED"), (1 << 13, "HELPER"), (1 << 14, "OFFLOAD"), (1 << 15, "HW_OFFLOAD"),
];

/// `IPS_SEEN_REPLY`
pub const IPS_SEEN_REPLY: u32 = 1 << 1;
/// `IPS_ASSURED`
pub const IPS_ASSURED: u32 = 1 << 2;
/// `IPS_CONFIRMED`
pub const IPS_CONFIRMED: u32 = 1 << 3;
/// `IPS_OFFLOAD`
pub const IPS_OFFLOAD: u32 = 1 << 14;
/// `IPS_HW_OFFLOAD`
pub const IPS_HW_OFFLOAD: u32 = 1 << 15;

/// TCP conntrack states (`TCP_CONNTRACK_*`) as conntrack-tools names them.
#[rustfmt::skip]
pub const TCP_STATE_NAMES: Names = &[
    (0, "NONE"), (1, "SYN_SENT"), (2, "SYN_RECV"), (3, "ESTABLISHED"), (4, "FIN_WAIT"),
    (5, "CLOSE_WAIT"), (6, "LAST_ACK"), (7, "TIME_WAIT"), (8, "CLOSE"), (9, "SYN_SENT2"),
];

/// SCTP conntrack states (`SCTP_CONNTRACK_*`).
#[rustfmt::skip]
pub const SCTP_STATE_NAMES: Names = &[
    (0, "NONE"), (1, "CLOSED"), (2, "COOKIE_WAIT"), (3, "COOKIE_ECHOED"), (4, "ESTABLISHED"),
    (5, "SHUTDOWN_SENT"), (6, "SHUTDOWN_RECD"), (7, "SHUTDOWN_ACK_SENT"), (8, "HEARTBEAT_SENT"),
    (9, "HEARTBEAT_ACKED"),
];

/// DCCP conntrack states (`CT_DCCP_*`).
#[rustfmt::skip]
pub const DCCP_STATE_NAMES: Names = &[
    (0, "NONE"), (1, "REQUEST"), (2, "RESPOND"), (3, "PARTOPEN"), (4, "OPEN"), (5, "CLOSEREQ"),
    (6, "CLOSING"), (7, "TIMEWAIT"), (8, "IGNORE"), (9, "INVALID"),
];

/// Layer-4 protocol names as conntrack-tools prints them.
pub const L4_NAMES: &[(u8, &str)] = &[
    (6, "tcp"),
    (17, "udp"),
    (136, "udplite"),
    (1, "icmp"),
    (58, "icmpv6"),
    (132, "sctp"),
    (47, "gre"),
    (33, "dccp"),
];

/// The name of a value in a table, if it has one.
pub fn name_of(names: Names, v: u32) -> Option<&'static str> {
    names.iter().find(|(k, _)| *k == v).map(|(_, n)| *n)
}

/// Layer-4 protocol name (`tcp`), `unknown` for the others (as conntrack prints them).
pub fn l4_name(proto: u8) -> &'static str {
    L4_NAMES
        .iter()
        .find(|(k, _)| *k == proto)
        .map_or("unknown", |(_, n)| n)
}

/// Parses a layer-4 protocol: a name (`tcp`, `udp`...) or a number.
pub fn parse_l4(s: &str) -> Option<u8> {
    let low = s.to_ascii_lowercase();
    L4_NAMES
        .iter()
        .find(|(_, n)| *n == low)
        .map(|(k, _)| *k)
        .or_else(|| match low.as_str() {
            "ipv6-icmp" | "icmp6" => Some(58),
            _ => low.parse().ok(),
        })
}

/// Parses a state name of protocol `proto` (`ESTABLISHED` for TCP).
pub fn parse_state(proto: u8, s: &str) -> Option<u8> {
    let names = match proto {
        6 => TCP_STATE_NAMES,
        132 => SCTP_STATE_NAMES,
        33 => DCCP_STATE_NAMES,
        _ => return None,
    };
    let up = s.to_ascii_uppercase();
    names.iter().find(|(_, n)| *n == up).map(|(k, _)| *k as u8)
}

/// Parses comma-separated status bit names (`SEEN_REPLY,ASSURED`; `UNSET` is none).
pub fn parse_status(s: &str) -> Option<u32> {
    let mut v = 0;
    for w in s.split(',') {
        let up = w.trim().to_ascii_uppercase();
        if up == "UNSET" {
            continue;
        }
        v |= IPS_NAMES.iter().find(|(_, n)| *n == up)?.0;
    }
    Some(v)
}
