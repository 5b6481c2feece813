//! Links (`RTM_NEWLINK`/`GETLINK`/`SETLINK`/`DELLINK`): `ifinfomsg` and `IFLA_*`.
//!
//! [`LinkView`] decodes a message in one pass without allocating; [`Link`] is
//! the owned form, and the content of [`LinkRequest`]s. Kinds understood:
//! veth, bridge, vlan, macvlan, vxlan, tun; any other kind keeps its
//! `IFLA_INFO_DATA` raw.

use super::{NewMode, WriteExt, AF_INET6, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK};
use crate::conn::ToMsg;
use crate::schema::{
    attr_table, enum_name, fixed_header, read_raw, typed_attrs, AttrSet, AttrValue, Int, Name,
    Names, SubMessage, ValueKind::*,
};
use crate::wire::{self, Attr, MsgFlags, MsgWriter};
use core::fmt;
use std::net::IpAddr;
use zerocopy::byteorder::{NativeEndian, I32, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct ifinfomsg`: the family header of link messages.
///
/// ```text
/// +--------+--------+-----------------+
/// | family |  pad   |   type (u16)    |
/// +--------+--------+-----------------+
/// |           index (i32)             |
/// +-----------------------------------+
/// |           flags (u32)             |
/// +-----------------------------------+
/// |           change (u32)            |
/// +-----------------------------------+
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
#[doc(alias = "ifinfomsg")]
pub struct IfInfoMsg {
    /// `ifi_family` (`AF_UNSPEC` mostly).
    pub family: u8,
    /// Padding.
    pub pad: u8,
    /// `ifi_type`: `ARPHRD_*` (1 Ethernet, 772 loopback).
    pub ty: U16<NativeEndian>,
    /// `ifi_index`.
    pub index: I32<NativeEndian>,
    /// `ifi_flags`: `IFF_*`.
    pub flags: U32<NativeEndian>,
    /// `ifi_change`: which flags a request changes.
    pub change: U32<NativeEndian>,
}

fixed_header! {
    /// `ifinfomsg` field by field, for decoders.
    pub static IFINFOMSG: IfInfoMsg = "ifinfomsg" {
        family => "ifi_family", U8, Enum(super::AF_NAMES);
        ty => "ifi_type", U16, Enum(ARPHRD_NAMES);
        index => "ifi_index", I32, Dec;
        flags => "ifi_flags", U32, Bits(IFF_FLAGS);
        change => "ifi_change", U32, Hex;
    }
}

/// `ARPHRD_*` link types (`ifi_type`), without the prefix: the common ones.
#[rustfmt::skip]
pub const ARPHRD_NAMES: Names = &[
    (1, "ETHER"), (24, "IEEE1394"), (32, "INFINIBAND"), (768, "TUNNEL"), (769, "TUNNEL6"),
    (772, "LOOPBACK"), (776, "SIT"), (778, "IPGRE"), (823, "IP6GRE"), (65534, "NONE"),
    (65535, "VOID"),
];

impl IfInfoMsg {
    /// Size on the wire.
    pub const LEN: usize = 16;
    /// A header for link `index` (0: none), flags and change mask.
    pub fn new(index: u32, flags: u32, change: u32) -> IfInfoMsg {
        IfInfoMsg {
            index: (index as i32).into(),
            flags: flags.into(),
            change: change.into(),
            ..Default::default()
        }
    }
}

/// `struct rtnl_link_stats64` (`IFLA_STATS64`). Older kernels send fewer
/// fields; the missing ones read 0.
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
#[doc(alias = "rtnl_link_stats64")]
#[allow(missing_docs)]
pub struct LinkStats64 {
    pub rx_packets: U64<NativeEndian>,
    pub tx_packets: U64<NativeEndian>,
    pub rx_bytes: U64<NativeEndian>,
    pub tx_bytes: U64<NativeEndian>,
    pub rx_errors: U64<NativeEndian>,
    pub tx_errors: U64<NativeEndian>,
    pub rx_dropped: U64<NativeEndian>,
    pub tx_dropped: U64<NativeEndian>,
    pub multicast: U64<NativeEndian>,
    pub collisions: U64<NativeEndian>,
    pub rx_length_errors: U64<NativeEndian>,
    pub rx_over_errors: U64<NativeEndian>,
    pub rx_crc_errors: U64<NativeEndian>,
    pub rx_frame_errors: U64<NativeEndian>,
    pub rx_fifo_errors: U64<NativeEndian>,
    pub rx_missed_errors: U64<NativeEndian>,
    pub tx_aborted_errors: U64<NativeEndian>,
    pub tx_carrier_errors: U64<NativeEndian>,
    pub tx_fifo_errors: U64<NativeEndian>,
    pub tx_heartbeat_errors: U64<NativeEndian>,
    pub tx_window_errors: U64<NativeEndian>,
    pub rx_compressed: U64<NativeEndian>,
    pub tx_compressed: U64<NativeEndian>,
    pub rx_nohandler: U64<NativeEndian>,
    pub rx_otherhost_dropped: U64<NativeEndian>,
}

/// The counters of `rtnl_link_stats64` (and of `rtnl_link_stats`, in 32 bits), in order.
#[rustfmt::skip]
pub const LINK_STATS_FIELDS: &[&str] = &[
    "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped",
    "tx_dropped", "multicast", "collisions", "rx_length_errors", "rx_over_errors",
    "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors",
    "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
    "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler", "rx_otherhost_dropped",
];

impl LinkStats64 {
    /// Reads as many fields as `b` holds (whole `u64`s); the rest are 0.
    pub fn from_payload(b: &[u8]) -> LinkStats64 {
        let mut s = LinkStats64::default();
        let dst = s.as_mut_bytes();
        let n = b.len().min(dst.len()) / 8 * 8;
        dst[..n].copy_from_slice(&b[..n]);
        s
    }
}

impl AttrValue<'_> for LinkStats64 {
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        Ok(Self::from_payload(a.payload()))
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr(kind, self.as_bytes()).map(drop)
    }
}

attr_table! {
    /// A link attribute type (`IFLA_*`).
    enum LinkAttr;
    /// The `IFLA_*` set.
    static LINK_SET = "link";
    Unspec = 0, IFLA_UNSPEC, "IFLA_UNSPEC", Bytes;
    Address = 1, IFLA_ADDRESS, "IFLA_ADDRESS", Mac;
    Broadcast = 2, IFLA_BROADCAST, "IFLA_BROADCAST", Mac;
    Ifname = 3, IFLA_IFNAME, "IFLA_IFNAME", Str;
    Mtu = 4, IFLA_MTU, "IFLA_MTU", U32;
    Link = 5, IFLA_LINK, "IFLA_LINK", U32;
    Qdisc = 6, IFLA_QDISC, "IFLA_QDISC", Str;
    Stats = 7, IFLA_STATS, "IFLA_STATS", Counters(Int::U32, LINK_STATS_FIELDS);
    Cost = 8, IFLA_COST, "IFLA_COST", Bytes;
    Priority = 9, IFLA_PRIORITY, "IFLA_PRIORITY", Bytes;
    Master = 10, IFLA_MASTER, "IFLA_MASTER", U32;
    Wireless = 11, IFLA_WIRELESS, "IFLA_WIRELESS", Bytes;
    Protinfo = 12, IFLA_PROTINFO, "IFLA_PROTINFO", NestedAny;
    Txqlen = 13, IFLA_TXQLEN, "IFLA_TXQLEN", U32;
    Map = 14, IFLA_MAP, "IFLA_MAP", Struct("rtnl_link_ifmap");
    Weight = 15, IFLA_WEIGHT, "IFLA_WEIGHT", U32;
    Operstate = 16, IFLA_OPERSTATE, "IFLA_OPERSTATE", Enum(Int::U8, OPERSTATE_NAMES);
    Linkmode = 17, IFLA_LINKMODE, "IFLA_LINKMODE", Enum(Int::U8, LINKMODE_NAMES);
    Linkinfo = 18, IFLA_LINKINFO, "IFLA_LINKINFO", Nested(&LINKINFO_SET);
    NetNsPid = 19, IFLA_NET_NS_PID, "IFLA_NET_NS_PID", U32;
    Ifalias = 20, IFLA_IFALIAS, "IFLA_IFALIAS", Str;
    NumVf = 21, IFLA_NUM_VF, "IFLA_NUM_VF", U32;
    VfinfoList = 22, IFLA_VFINFO_LIST, "IFLA_VFINFO_LIST", NestedAny;
    Stats64 = 23, IFLA_STATS64, "IFLA_STATS64", Counters(Int::U64, LINK_STATS_FIELDS);
    VfPorts = 24, IFLA_VF_PORTS, "IFLA_VF_PORTS", NestedAny;
    PortSelf = 25, IFLA_PORT_SELF, "IFLA_PORT_SELF", NestedAny;
    AfSpec = 26, IFLA_AF_SPEC, "IFLA_AF_SPEC", Nested(&AF_SPEC_SET);
    Group = 27, IFLA_GROUP, "IFLA_GROUP", U32;
    NetNsFd = 28, IFLA_NET_NS_FD, "IFLA_NET_NS_FD", U32;
    ExtMask = 29, IFLA_EXT_MASK, "IFLA_EXT_MASK", U32;
    Promiscuity = 30, IFLA_PROMISCUITY, "IFLA_PROMISCUITY", U32;
    NumTxQueues = 31, IFLA_NUM_TX_QUEUES, "IFLA_NUM_TX_QUEUES", U32;
    NumRxQueues = 32, IFLA_NUM_RX_QUEUES, "IFLA_NUM_RX_QUEUES", U32;
    Carrier = 33, IFLA_CARRIER, "IFLA_CARRIER", U8;
    PhysPortId = 34, IFLA_PHYS_PORT_ID, "IFLA_PHYS_PORT_ID", Bytes;
    CarrierChanges = 35, IFLA_CARRIER_CHANGES, "IFLA_CARRIER_CHANGES", U32;
    PhysSwitchId = 36, IFLA_PHYS_SWITCH_ID, "IFLA_PHYS_SWITCH_ID", Bytes;
    LinkNetnsid = 37, IFLA_LINK_NETNSID, "IFLA_LINK_NETNSID", I32;
    PhysPortName = 38, IFLA_PHYS_PORT_NAME, "IFLA_PHYS_PORT_NAME", Str;
    ProtoDown = 39, IFLA_PROTO_DOWN, "IFLA_PROTO_DOWN", U8;
    GsoMaxSegs = 40, IFLA_GSO_MAX_SEGS, "IFLA_GSO_MAX_SEGS", U32;
    GsoMaxSize = 41, IFLA_GSO_MAX_SIZE, "IFLA_GSO_MAX_SIZE", U32;
    Pad = 42, IFLA_PAD, "IFLA_PAD", Bytes;
    Xdp = 43, IFLA_XDP, "IFLA_XDP", Nested(&XDP_SET);
    Event = 44, IFLA_EVENT, "IFLA_EVENT", U32;
    NewNetnsid = 45, IFLA_NEW_NETNSID, "IFLA_NEW_NETNSID", I32;
    TargetNetnsid = 46, IFLA_TARGET_NETNSID, "IFLA_TARGET_NETNSID", I32;
    CarrierUpCount = 47, IFLA_CARRIER_UP_COUNT, "IFLA_CARRIER_UP_COUNT", U32;
    CarrierDownCount = 48, IFLA_CARRIER_DOWN_COUNT, "IFLA_CARRIER_DOWN_COUNT", U32;
    NewIfindex = 49, IFLA_NEW_IFINDEX, "IFLA_NEW_IFINDEX", I32;
    MinMtu = 50, IFLA_MIN_MTU, "IFLA_MIN_MTU", U32;
    MaxMtu = 51, IFLA_MAX_MTU, "IFLA_MAX_MTU", U32;
    PropList = 52, IFLA_PROP_LIST, "IFLA_PROP_LIST", Nested(&LINK_SET);
    AltIfname = 53, IFLA_ALT_IFNAME, "IFLA_ALT_IFNAME", Str;
    PermAddress = 54, IFLA_PERM_ADDRESS, "IFLA_PERM_ADDRESS", Mac;
    ProtoDownReason = 55, IFLA_PROTO_DOWN_REASON, "IFLA_PROTO_DOWN_REASON", NestedAny;
    ParentDevName = 56, IFLA_PARENT_DEV_NAME, "IFLA_PARENT_DEV_NAME", Str;
    ParentDevBusName = 57, IFLA_PARENT_DEV_BUS_NAME, "IFLA_PARENT_DEV_BUS_NAME", Str;
    GroMaxSize = 58, IFLA_GRO_MAX_SIZE, "IFLA_GRO_MAX_SIZE", U32;
    TsoMaxSize = 59, IFLA_TSO_MAX_SIZE, "IFLA_TSO_MAX_SIZE", U32;
    TsoMaxSegs = 60, IFLA_TSO_MAX_SEGS, "IFLA_TSO_MAX_SEGS", U32;
    Allmulti = 61, IFLA_ALLMULTI, "IFLA_ALLMULTI", U32;
    DevlinkPort = 62, IFLA_DEVLINK_PORT, "IFLA_DEVLINK_PORT", NestedAny;
    GsoIpv4MaxSize = 63, IFLA_GSO_IPV4_MAX_SIZE, "IFLA_GSO_IPV4_MAX_SIZE", U32;
    GroIpv4MaxSize = 64, IFLA_GRO_IPV4_MAX_SIZE, "IFLA_GRO_IPV4_MAX_SIZE", U32;
    DpllPin = 65, IFLA_DPLL_PIN, "IFLA_DPLL_PIN", NestedAny;
    MaxPacingOffloadHorizon = 66, IFLA_MAX_PACING_OFFLOAD_HORIZON, "IFLA_MAX_PACING_OFFLOAD_HORIZON", Int(Int::Uint);
    NetnsImmutable = 67, IFLA_NETNS_IMMUTABLE, "IFLA_NETNS_IMMUTABLE", U8;
    Headroom = 68, IFLA_HEADROOM, "IFLA_HEADROOM", U16;
    Tailroom = 69, IFLA_TAILROOM, "IFLA_TAILROOM", U16;
}

attr_table! {
    /// An XDP attribute type (`IFLA_XDP_*`, inside `IFLA_XDP`).
    enum XdpAttr;
    /// The `IFLA_XDP_*` set.
    static XDP_SET = "xdp";
    Fd = 1, IFLA_XDP_FD, "IFLA_XDP_FD", I32;
    Attached = 2, IFLA_XDP_ATTACHED, "IFLA_XDP_ATTACHED", Enum(Int::U8, XDP_ATTACHED_NAMES);
    Flags = 3, IFLA_XDP_FLAGS, "IFLA_XDP_FLAGS", U32;
    ProgId = 4, IFLA_XDP_PROG_ID, "IFLA_XDP_PROG_ID", U32;
    DrvProgId = 5, IFLA_XDP_DRV_PROG_ID, "IFLA_XDP_DRV_PROG_ID", U32;
    SkbProgId = 6, IFLA_XDP_SKB_PROG_ID, "IFLA_XDP_SKB_PROG_ID", U32;
    HwProgId = 7, IFLA_XDP_HW_PROG_ID, "IFLA_XDP_HW_PROG_ID", U32;
    ExpectedFd = 8, IFLA_XDP_EXPECTED_FD, "IFLA_XDP_EXPECTED_FD", I32;
}

/// `XDP_ATTACHED_*`, without the prefix.
pub const XDP_ATTACHED_NAMES: Names =
    &[(0, "NONE"), (1, "DRV"), (2, "SKB"), (3, "HW"), (4, "MULTI")];

attr_table! {
    /// A per-family link attribute (`IFLA_AF_SPEC` holds one nest per address family).
    enum AfSpecAttr;
    /// The `IFLA_AF_SPEC` set: its types are address families.
    static AF_SPEC_SET = "af_spec";
    Inet = 2, AF_SPEC_INET, "AF_INET", Nested(&INET_SET);
    Bridge = 7, AF_SPEC_BRIDGE, "AF_BRIDGE", NestedAny;
    Inet6 = 10, AF_SPEC_INET6, "AF_INET6", Nested(&INET6_SET);
    Mpls = 28, AF_SPEC_MPLS, "AF_MPLS", NestedAny;
}

attr_table! {
    /// An IPv4 link attribute type (`IFLA_INET_*`, in `IFLA_AF_SPEC`).
    enum InetAttr;
    /// The `IFLA_INET_*` set.
    static INET_SET = "inet";
    Conf = 1, IFLA_INET_CONF, "IFLA_INET_CONF", List(Int::U32);
}

attr_table! {
    /// An IPv6 link attribute type (`IFLA_INET6_*`, in `IFLA_AF_SPEC`).
    enum Inet6Attr;
    /// The `IFLA_INET6_*` set.
    static INET6_SET = "inet6";
    Flags = 1, IFLA_INET6_FLAGS, "IFLA_INET6_FLAGS", Bits(Int::U32, INET6_IF_FLAGS);
    Conf = 2, IFLA_INET6_CONF, "IFLA_INET6_CONF", List(Int::I32);
    Stats = 3, IFLA_INET6_STATS, "IFLA_INET6_STATS", List(Int::U64);
    Mcast = 4, IFLA_INET6_MCAST, "IFLA_INET6_MCAST", Bytes;
    Cacheinfo = 5, IFLA_INET6_CACHEINFO, "IFLA_INET6_CACHEINFO", Counters(Int::U32, &["max_reasm_len", "tstamp", "reachable_time", "retrans_time"]);
    Icmp6stats = 6, IFLA_INET6_ICMP6STATS, "IFLA_INET6_ICMP6STATS", List(Int::U64);
    Token = 7, IFLA_INET6_TOKEN, "IFLA_INET6_TOKEN", Ip;
    AddrGenMode = 8, IFLA_INET6_ADDR_GEN_MODE, "IFLA_INET6_ADDR_GEN_MODE", Enum(Int::U8, ADDR_GEN_MODE_NAMES);
    RaMtu = 9, IFLA_INET6_RA_MTU, "IFLA_INET6_RA_MTU", U32;
}

/// `IF_RS_SENT` and friends (`IFLA_INET6_FLAGS`), without the prefix.
pub const INET6_IF_FLAGS: Names = &[
    (0x10, "RS_SENT"),
    (0x20, "RA_RCVD"),
    (0x40, "RA_MANAGED"),
    (0x80, "RA_OTHERCONF"),
    (0x8000_0000, "READY"),
];

/// `IN6_ADDR_GEN_MODE_*`, without the prefix.
pub const ADDR_GEN_MODE_NAMES: Names = &[
    (0, "EUI64"),
    (1, "NONE"),
    (2, "STABLE_PRIVACY"),
    (3, "RANDOM"),
];

attr_table! {
    /// A link-info attribute type (`IFLA_INFO_*`, inside `IFLA_LINKINFO`).
    enum LinkInfoAttr;
    /// The `IFLA_INFO_*` set.
    static LINKINFO_SET = "linkinfo";
    Kind = 1, IFLA_INFO_KIND, "IFLA_INFO_KIND", Str;
    Data = 2, IFLA_INFO_DATA, "IFLA_INFO_DATA", SubMessage(&INFO_DATA_BY_KIND);
    Xstats = 3, IFLA_INFO_XSTATS, "IFLA_INFO_XSTATS", Bytes;
    SlaveKind = 4, IFLA_INFO_SLAVE_KIND, "IFLA_INFO_SLAVE_KIND", Str;
    SlaveData = 5, IFLA_INFO_SLAVE_DATA, "IFLA_INFO_SLAVE_DATA", SubMessage(&INFO_SLAVE_DATA_BY_KIND);
}

attr_table! {
    /// A veth attribute type (`VETH_INFO_*`).
    enum VethAttr;
    /// The `VETH_INFO_*` set.
    static VETH_SET = "veth";
    Peer = 1, VETH_INFO_PEER, "VETH_INFO_PEER", HeaderThen(&IFINFOMSG, &LINK_SET);
}

attr_table! {
    /// A bridge attribute type (`IFLA_BR_*`).
    enum BridgeAttr;
    /// The `IFLA_BR_*` set.
    static BRIDGE_SET = "bridge";
    ForwardDelay = 1, IFLA_BR_FORWARD_DELAY, "IFLA_BR_FORWARD_DELAY", U32;
    HelloTime = 2, IFLA_BR_HELLO_TIME, "IFLA_BR_HELLO_TIME", U32;
    MaxAge = 3, IFLA_BR_MAX_AGE, "IFLA_BR_MAX_AGE", U32;
    AgeingTime = 4, IFLA_BR_AGEING_TIME, "IFLA_BR_AGEING_TIME", U32;
    StpState = 5, IFLA_BR_STP_STATE, "IFLA_BR_STP_STATE", U32;
    Priority = 6, IFLA_BR_PRIORITY, "IFLA_BR_PRIORITY", U16;
    VlanFiltering = 7, IFLA_BR_VLAN_FILTERING, "IFLA_BR_VLAN_FILTERING", U8;
    VlanProtocol = 8, IFLA_BR_VLAN_PROTOCOL, "IFLA_BR_VLAN_PROTOCOL", BeU16;
    GroupFwdMask = 9, IFLA_BR_GROUP_FWD_MASK, "IFLA_BR_GROUP_FWD_MASK", U16;
    RootId = 10, IFLA_BR_ROOT_ID, "IFLA_BR_ROOT_ID", Struct("ifla_bridge_id");
    BridgeId = 11, IFLA_BR_BRIDGE_ID, "IFLA_BR_BRIDGE_ID", Struct("ifla_bridge_id");
    RootPort = 12, IFLA_BR_ROOT_PORT, "IFLA_BR_ROOT_PORT", U16;
    RootPathCost = 13, IFLA_BR_ROOT_PATH_COST, "IFLA_BR_ROOT_PATH_COST", U32;
    TopologyChange = 14, IFLA_BR_TOPOLOGY_CHANGE, "IFLA_BR_TOPOLOGY_CHANGE", U8;
    TopologyChangeDetected = 15, IFLA_BR_TOPOLOGY_CHANGE_DETECTED, "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", U8;
    HelloTimer = 16, IFLA_BR_HELLO_TIMER, "IFLA_BR_HELLO_TIMER", U64;
    TcnTimer = 17, IFLA_BR_TCN_TIMER, "IFLA_BR_TCN_TIMER", U64;
    TopologyChangeTimer = 18, IFLA_BR_TOPOLOGY_CHANGE_TIMER, "IFLA_BR_TOPOLOGY_CHANGE_TIMER", U64;
    GcTimer = 19, IFLA_BR_GC_TIMER, "IFLA_BR_GC_TIMER", U64;
    GroupAddr = 20, IFLA_BR_GROUP_ADDR, "IFLA_BR_GROUP_ADDR", Mac;
    FdbFlush = 21, IFLA_BR_FDB_FLUSH, "IFLA_BR_FDB_FLUSH", Flag;
    McastRouter = 22, IFLA_BR_MCAST_ROUTER, "IFLA_BR_MCAST_ROUTER", U8;
    McastSnooping = 23, IFLA_BR_MCAST_SNOOPING, "IFLA_BR_MCAST_SNOOPING", U8;
    McastQueryUseIfaddr = 24, IFLA_BR_MCAST_QUERY_USE_IFADDR, "IFLA_BR_MCAST_QUERY_USE_IFADDR", U8;
    McastQuerier = 25, IFLA_BR_MCAST_QUERIER, "IFLA_BR_MCAST_QUERIER", U8;
    McastHashElasticity = 26, IFLA_BR_MCAST_HASH_ELASTICITY, "IFLA_BR_MCAST_HASH_ELASTICITY", U32;
    McastHashMax = 27, IFLA_BR_MCAST_HASH_MAX, "IFLA_BR_MCAST_HASH_MAX", U32;
    McastLastMemberCnt = 28, IFLA_BR_MCAST_LAST_MEMBER_CNT, "IFLA_BR_MCAST_LAST_MEMBER_CNT", U32;
    McastStartupQueryCnt = 29, IFLA_BR_MCAST_STARTUP_QUERY_CNT, "IFLA_BR_MCAST_STARTUP_QUERY_CNT", U32;
    McastLastMemberIntvl = 30, IFLA_BR_MCAST_LAST_MEMBER_INTVL, "IFLA_BR_MCAST_LAST_MEMBER_INTVL", U64;
    McastMembershipIntvl = 31, IFLA_BR_MCAST_MEMBERSHIP_INTVL, "IFLA_BR_MCAST_MEMBERSHIP_INTVL", U64;
    McastQuerierIntvl = 32, IFLA_BR_MCAST_QUERIER_INTVL, "IFLA_BR_MCAST_QUERIER_INTVL", U64;
    McastQueryIntvl = 33, IFLA_BR_MCAST_QUERY_INTVL, "IFLA_BR_MCAST_QUERY_INTVL", U64;
    McastQueryResponseIntvl = 34, IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", U64;
    McastStartupQueryIntvl = 35, IFLA_BR_MCAST_STARTUP_QUERY_INTVL, "IFLA_BR_MCAST_STARTUP_QUERY_INTVL", U64;
    NfCallIptables = 36, IFLA_BR_NF_CALL_IPTABLES, "IFLA_BR_NF_CALL_IPTABLES", U8;
    NfCallIp6tables = 37, IFLA_BR_NF_CALL_IP6TABLES, "IFLA_BR_NF_CALL_IP6TABLES", U8;
    NfCallArptables = 38, IFLA_BR_NF_CALL_ARPTABLES, "IFLA_BR_NF_CALL_ARPTABLES", U8;
    VlanDefaultPvid = 39, IFLA_BR_VLAN_DEFAULT_PVID, "IFLA_BR_VLAN_DEFAULT_PVID", U16;
    Pad = 40, IFLA_BR_PAD, "IFLA_BR_PAD", Bytes;
    VlanStatsEnabled = 41, IFLA_BR_VLAN_STATS_ENABLED, "IFLA_BR_VLAN_STATS_ENABLED", U8;
    McastStatsEnabled = 42, IFLA_BR_MCAST_STATS_ENABLED, "IFLA_BR_MCAST_STATS_ENABLED", U8;
    McastIgmpVersion = 43, IFLA_BR_MCAST_IGMP_VERSION, "IFLA_BR_MCAST_IGMP_VERSION", U8;
    McastMldVersion = 44, IFLA_BR_MCAST_MLD_VERSION, "IFLA_BR_MCAST_MLD_VERSION", U8;
    VlanStatsPerPort = 45, IFLA_BR_VLAN_STATS_PER_PORT, "IFLA_BR_VLAN_STATS_PER_PORT", U8;
    MultiBoolopt = 46, IFLA_BR_MULTI_BOOLOPT, "IFLA_BR_MULTI_BOOLOPT", Struct("br_boolopt_multi");
    McastQuerierState = 47, IFLA_BR_MCAST_QUERIER_STATE, "IFLA_BR_MCAST_QUERIER_STATE", Bytes;
}

attr_table! {
    /// A VLAN attribute type (`IFLA_VLAN_*`).
    enum VlanAttr;
    /// The `IFLA_VLAN_*` set.
    static VLAN_SET = "vlan";
    Id = 1, IFLA_VLAN_ID, "IFLA_VLAN_ID", U16;
    Flags = 2, IFLA_VLAN_FLAGS, "IFLA_VLAN_FLAGS", Struct("ifla_vlan_flags");
    EgressQos = 3, IFLA_VLAN_EGRESS_QOS, "IFLA_VLAN_EGRESS_QOS", Bytes;
    IngressQos = 4, IFLA_VLAN_INGRESS_QOS, "IFLA_VLAN_INGRESS_QOS", Bytes;
    Protocol = 5, IFLA_VLAN_PROTOCOL, "IFLA_VLAN_PROTOCOL", BeU16;
}

attr_table! {
    /// A macvlan attribute type (`IFLA_MACVLAN_*`).
    enum MacvlanAttr;
    /// The `IFLA_MACVLAN_*` set.
    static MACVLAN_SET = "macvlan";
    Mode = 1, IFLA_MACVLAN_MODE, "IFLA_MACVLAN_MODE", U32;
    Flags = 2, IFLA_MACVLAN_FLAGS, "IFLA_MACVLAN_FLAGS", U16;
    MacaddrMode = 3, IFLA_MACVLAN_MACADDR_MODE, "IFLA_MACVLAN_MACADDR_MODE", U32;
    Macaddr = 4, IFLA_MACVLAN_MACADDR, "IFLA_MACVLAN_MACADDR", Mac;
    MacaddrData = 5, IFLA_MACVLAN_MACADDR_DATA, "IFLA_MACVLAN_MACADDR_DATA", Bytes;
    MacaddrCount = 6, IFLA_MACVLAN_MACADDR_COUNT, "IFLA_MACVLAN_MACADDR_COUNT", U32;
    BcQueueLen = 7, IFLA_MACVLAN_BC_QUEUE_LEN, "IFLA_MACVLAN_BC_QUEUE_LEN", U32;
    BcQueueLenUsed = 8, IFLA_MACVLAN_BC_QUEUE_LEN_USED, "IFLA_MACVLAN_BC_QUEUE_LEN_USED", U32;
}

attr_table! {
    /// A VXLAN attribute type (`IFLA_VXLAN_*`).
    enum VxlanAttr;
    /// The `IFLA_VXLAN_*` set.
    static VXLAN_SET = "vxlan";
    Id = 1, IFLA_VXLAN_ID, "IFLA_VXLAN_ID", U32;
    Group = 2, IFLA_VXLAN_GROUP, "IFLA_VXLAN_GROUP", Ip;
    Link = 3, IFLA_VXLAN_LINK, "IFLA_VXLAN_LINK", U32;
    Local = 4, IFLA_VXLAN_LOCAL, "IFLA_VXLAN_LOCAL", Ip;
    Ttl = 5, IFLA_VXLAN_TTL, "IFLA_VXLAN_TTL", U8;
    Tos = 6, IFLA_VXLAN_TOS, "IFLA_VXLAN_TOS", U8;
    Learning = 7, IFLA_VXLAN_LEARNING, "IFLA_VXLAN_LEARNING", U8;
    Ageing = 8, IFLA_VXLAN_AGEING, "IFLA_VXLAN_AGEING", U32;
    Limit = 9, IFLA_VXLAN_LIMIT, "IFLA_VXLAN_LIMIT", U32;
    PortRange = 10, IFLA_VXLAN_PORT_RANGE, "IFLA_VXLAN_PORT_RANGE", Struct("ifla_vxlan_port_range");
    Proxy = 11, IFLA_VXLAN_PROXY, "IFLA_VXLAN_PROXY", U8;
    Rsc = 12, IFLA_VXLAN_RSC, "IFLA_VXLAN_RSC", U8;
    L2miss = 13, IFLA_VXLAN_L2MISS, "IFLA_VXLAN_L2MISS", U8;
    L3miss = 14, IFLA_VXLAN_L3MISS, "IFLA_VXLAN_L3MISS", U8;
    Port = 15, IFLA_VXLAN_PORT, "IFLA_VXLAN_PORT", BeU16;
    Group6 = 16, IFLA_VXLAN_GROUP6, "IFLA_VXLAN_GROUP6", Ip;
    Local6 = 17, IFLA_VXLAN_LOCAL6, "IFLA_VXLAN_LOCAL6", Ip;
    UdpCsum = 18, IFLA_VXLAN_UDP_CSUM, "IFLA_VXLAN_UDP_CSUM", U8;
    UdpZeroCsum6Tx = 19, IFLA_VXLAN_UDP_ZERO_CSUM6_TX, "IFLA_VXLAN_UDP_ZERO_CSUM6_TX", U8;
    UdpZeroCsum6Rx = 20, IFLA_VXLAN_UDP_ZERO_CSUM6_RX, "IFLA_VXLAN_UDP_ZERO_CSUM6_RX", U8;
    RemcsumTx = 21, IFLA_VXLAN_REMCSUM_TX, "IFLA_VXLAN_REMCSUM_TX", U8;
    RemcsumRx = 22, IFLA_VXLAN_REMCSUM_RX, "IFLA_VXLAN_REMCSUM_RX", U8;
    Gbp = 23, IFLA_VXLAN_GBP, "IFLA_VXLAN_GBP", Flag;
    RemcsumNopartial = 24, IFLA_VXLAN_REMCSUM_NOPARTIAL, "IFLA_VXLAN_REMCSUM_NOPARTIAL", Flag;
    CollectMetadata = 25, IFLA_VXLAN_COLLECT_METADATA, "IFLA_VXLAN_COLLECT_METADATA", U8;
    Label = 26, IFLA_VXLAN_LABEL, "IFLA_VXLAN_LABEL", BeU32;
    Gpe = 27, IFLA_VXLAN_GPE, "IFLA_VXLAN_GPE", Flag;
    // A flag in requests, a u8 in dumps: shown as dumps have it.
    TtlInherit = 28, IFLA_VXLAN_TTL_INHERIT, "IFLA_VXLAN_TTL_INHERIT", U8;
    Df = 29, IFLA_VXLAN_DF, "IFLA_VXLAN_DF", U8;
    Vnifilter = 30, IFLA_VXLAN_VNIFILTER, "IFLA_VXLAN_VNIFILTER", U8;
}

attr_table! {
    /// A tun/tap attribute type (`IFLA_TUN_*`).
    enum TunAttr;
    /// The `IFLA_TUN_*` set.
    static TUN_SET = "tun";
    Owner = 1, IFLA_TUN_OWNER, "IFLA_TUN_OWNER", U32;
    Group = 2, IFLA_TUN_GROUP, "IFLA_TUN_GROUP", U32;
    Type = 3, IFLA_TUN_TYPE, "IFLA_TUN_TYPE", U8;
    Pi = 4, IFLA_TUN_PI, "IFLA_TUN_PI", U8;
    VnetHdr = 5, IFLA_TUN_VNET_HDR, "IFLA_TUN_VNET_HDR", U8;
    Persist = 6, IFLA_TUN_PERSIST, "IFLA_TUN_PERSIST", U8;
    MultiQueue = 7, IFLA_TUN_MULTI_QUEUE, "IFLA_TUN_MULTI_QUEUE", U8;
    NumQueues = 8, IFLA_TUN_NUM_QUEUES, "IFLA_TUN_NUM_QUEUES", U32;
    NumDisabledQueues = 9, IFLA_TUN_NUM_DISABLED_QUEUES, "IFLA_TUN_NUM_DISABLED_QUEUES", U32;
}

attr_table! {
    /// A bridge port attribute type (`IFLA_BRPORT_*`, in `IFLA_INFO_SLAVE_DATA`), the common ones.
    enum BridgePortAttr;
    /// The `IFLA_BRPORT_*` set (up to `IFLA_BRPORT_LOCKED`).
    static BRPORT_SET = "bridge_slave";
    State = 1, IFLA_BRPORT_STATE, "IFLA_BRPORT_STATE", U8;
    Priority = 2, IFLA_BRPORT_PRIORITY, "IFLA_BRPORT_PRIORITY", U16;
    Cost = 3, IFLA_BRPORT_COST, "IFLA_BRPORT_COST", U32;
    Mode = 4, IFLA_BRPORT_MODE, "IFLA_BRPORT_MODE", U8;
    Guard = 5, IFLA_BRPORT_GUARD, "IFLA_BRPORT_GUARD", U8;
    Protect = 6, IFLA_BRPORT_PROTECT, "IFLA_BRPORT_PROTECT", U8;
    FastLeave = 7, IFLA_BRPORT_FAST_LEAVE, "IFLA_BRPORT_FAST_LEAVE", U8;
    Learning = 8, IFLA_BRPORT_LEARNING, "IFLA_BRPORT_LEARNING", U8;
    UnicastFlood = 9, IFLA_BRPORT_UNICAST_FLOOD, "IFLA_BRPORT_UNICAST_FLOOD", U8;
    Proxyarp = 10, IFLA_BRPORT_PROXYARP, "IFLA_BRPORT_PROXYARP", U8;
    LearningSync = 11, IFLA_BRPORT_LEARNING_SYNC, "IFLA_BRPORT_LEARNING_SYNC", U8;
    ProxyarpWifi = 12, IFLA_BRPORT_PROXYARP_WIFI, "IFLA_BRPORT_PROXYARP_WIFI", U8;
    RootId = 13, IFLA_BRPORT_ROOT_ID, "IFLA_BRPORT_ROOT_ID", Struct("ifla_bridge_id");
    BridgeId = 14, IFLA_BRPORT_BRIDGE_ID, "IFLA_BRPORT_BRIDGE_ID", Struct("ifla_bridge_id");
    DesignatedPort = 15, IFLA_BRPORT_DESIGNATED_PORT, "IFLA_BRPORT_DESIGNATED_PORT", U16;
    DesignatedCost = 16, IFLA_BRPORT_DESIGNATED_COST, "IFLA_BRPORT_DESIGNATED_COST", U16;
    Id = 17, IFLA_BRPORT_ID, "IFLA_BRPORT_ID", U16;
    No = 18, IFLA_BRPORT_NO, "IFLA_BRPORT_NO", U16;
    TopologyChangeAck = 19, IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", U8;
    ConfigPending = 20, IFLA_BRPORT_CONFIG_PENDING, "IFLA_BRPORT_CONFIG_PENDING", U8;
    MessageAgeTimer = 21, IFLA_BRPORT_MESSAGE_AGE_TIMER, "IFLA_BRPORT_MESSAGE_AGE_TIMER", U64;
    ForwardDelayTimer = 22, IFLA_BRPORT_FORWARD_DELAY_TIMER, "IFLA_BRPORT_FORWARD_DELAY_TIMER", U64;
    HoldTimer = 23, IFLA_BRPORT_HOLD_TIMER, "IFLA_BRPORT_HOLD_TIMER", U64;
    Flush = 24, IFLA_BRPORT_FLUSH, "IFLA_BRPORT_FLUSH", Flag;
    MulticastRouter = 25, IFLA_BRPORT_MULTICAST_ROUTER, "IFLA_BRPORT_MULTICAST_ROUTER", U8;
    Pad = 26, IFLA_BRPORT_PAD, "IFLA_BRPORT_PAD", Bytes;
    McastFlood = 27, IFLA_BRPORT_MCAST_FLOOD, "IFLA_BRPORT_MCAST_FLOOD", U8;
    McastToUcast = 28, IFLA_BRPORT_MCAST_TO_UCAST, "IFLA_BRPORT_MCAST_TO_UCAST", U8;
    VlanTunnel = 29, IFLA_BRPORT_VLAN_TUNNEL, "IFLA_BRPORT_VLAN_TUNNEL", U8;
    BcastFlood = 30, IFLA_BRPORT_BCAST_FLOOD, "IFLA_BRPORT_BCAST_FLOOD", U8;
    GroupFwdMask = 31, IFLA_BRPORT_GROUP_FWD_MASK, "IFLA_BRPORT_GROUP_FWD_MASK", U16;
    NeighSuppress = 32, IFLA_BRPORT_NEIGH_SUPPRESS, "IFLA_BRPORT_NEIGH_SUPPRESS", U8;
    Isolated = 33, IFLA_BRPORT_ISOLATED, "IFLA_BRPORT_ISOLATED", U8;
    BackupPort = 34, IFLA_BRPORT_BACKUP_PORT, "IFLA_BRPORT_BACKUP_PORT", U32;
    MrpRingOpen = 35, IFLA_BRPORT_MRP_RING_OPEN, "IFLA_BRPORT_MRP_RING_OPEN", U8;
    MrpInOpen = 36, IFLA_BRPORT_MRP_IN_OPEN, "IFLA_BRPORT_MRP_IN_OPEN", U8;
    McastEhtHostsLimit = 37, IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT, "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", U32;
    McastEhtHostsCnt = 38, IFLA_BRPORT_MCAST_EHT_HOSTS_CNT, "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", U32;
    Locked = 39, IFLA_BRPORT_LOCKED, "IFLA_BRPORT_LOCKED", U8;
}

/// `IFLA_INFO_DATA`: its set is chosen by the sibling `IFLA_INFO_KIND`.
pub static INFO_DATA_BY_KIND: SubMessage = SubMessage {
    name: "IFLA_INFO_KIND",
    selector: IFLA_INFO_KIND,
    sets: &[
        ("veth", &VETH_SET),
        ("bridge", &BRIDGE_SET),
        ("vlan", &VLAN_SET),
        ("macvlan", &MACVLAN_SET),
        ("macvtap", &MACVLAN_SET),
        ("vxlan", &VXLAN_SET),
        ("tun", &TUN_SET),
    ],
    headers: SubMessage::NO_HEADERS,
};

/// `IFLA_INFO_SLAVE_DATA`: its set is chosen by the sibling `IFLA_INFO_SLAVE_KIND`.
pub static INFO_SLAVE_DATA_BY_KIND: SubMessage = SubMessage {
    name: "IFLA_INFO_SLAVE_KIND",
    selector: IFLA_INFO_SLAVE_KIND,
    sets: &[("bridge", &BRPORT_SET)],
    headers: SubMessage::NO_HEADERS,
};

/// The attribute set of `IFLA_INFO_DATA` for a link kind, if nlkit knows it.
pub fn info_data_set(kind: &str) -> Option<&'static AttrSet> {
    INFO_DATA_BY_KIND.set_for(kind.as_bytes())
}

/// The attribute set of `IFLA_INFO_SLAVE_DATA` for a port kind (`bridge`).
pub fn info_slave_data_set(kind: &str) -> Option<&'static AttrSet> {
    INFO_SLAVE_DATA_BY_KIND.set_for(kind.as_bytes())
}

// ---------------------------------------------------------------------------
// Names.

/// `IFF_*` link flags, without the prefix, in bit order.
pub const IFF_FLAGS: Names = &[
    (IFF_UP, "UP"),
    (IFF_BROADCAST, "BROADCAST"),
    (IFF_DEBUG, "DEBUG"),
    (IFF_LOOPBACK, "LOOPBACK"),
    (IFF_POINTOPOINT, "POINTOPOINT"),
    (IFF_NOTRAILERS, "NOTRAILERS"),
    (IFF_RUNNING, "RUNNING"),
    (IFF_NOARP, "NOARP"),
    (IFF_PROMISC, "PROMISC"),
    (IFF_ALLMULTI, "ALLMULTI"),
    (IFF_MASTER, "MASTER"),
    (IFF_SLAVE, "SLAVE"),
    (IFF_MULTICAST, "MULTICAST"),
    (IFF_PORTSEL, "PORTSEL"),
    (IFF_AUTOMEDIA, "AUTOMEDIA"),
    (IFF_DYNAMIC, "DYNAMIC"),
    (IFF_LOWER_UP, "LOWER_UP"),
    (IFF_DORMANT, "DORMANT"),
    (IFF_ECHO, "ECHO"),
];

/// The flags `ip link` shows, in its order (`RUNNING` is not shown).
const IPROUTE2_IFF_ORDER: [u32; 18] = [
    IFF_LOOPBACK,
    IFF_BROADCAST,
    IFF_POINTOPOINT,
    IFF_MULTICAST,
    IFF_NOARP,
    IFF_ALLMULTI,
    IFF_PROMISC,
    IFF_NOTRAILERS,
    IFF_DEBUG,
    IFF_DYNAMIC,
    IFF_AUTOMEDIA,
    IFF_PORTSEL,
    IFF_MASTER,
    IFF_SLAVE,
    IFF_UP,
    IFF_LOWER_UP,
    IFF_DORMANT,
    IFF_ECHO,
];

/// `IFF_UP`
pub const IFF_UP: u32 = 0x1;
/// `IFF_BROADCAST`
pub const IFF_BROADCAST: u32 = 0x2;
/// `IFF_DEBUG`
pub const IFF_DEBUG: u32 = 0x4;
/// `IFF_LOOPBACK`
pub const IFF_LOOPBACK: u32 = 0x8;
/// `IFF_POINTOPOINT`
pub const IFF_POINTOPOINT: u32 = 0x10;
/// `IFF_NOTRAILERS`
pub const IFF_NOTRAILERS: u32 = 0x20;
/// `IFF_RUNNING`
pub const IFF_RUNNING: u32 = 0x40;
/// `IFF_NOARP`
pub const IFF_NOARP: u32 = 0x80;
/// `IFF_PROMISC`
pub const IFF_PROMISC: u32 = 0x100;
/// `IFF_ALLMULTI`
pub const IFF_ALLMULTI: u32 = 0x200;
/// `IFF_MASTER`
pub const IFF_MASTER: u32 = 0x400;
/// `IFF_SLAVE`
pub const IFF_SLAVE: u32 = 0x800;
/// `IFF_MULTICAST`
pub const IFF_MULTICAST: u32 = 0x1000;
/// `IFF_PORTSEL`
pub const IFF_PORTSEL: u32 = 0x2000;
/// `IFF_AUTOMEDIA`
pub const IFF_AUTOMEDIA: u32 = 0x4000;
/// `IFF_DYNAMIC`
pub const IFF_DYNAMIC: u32 = 0x8000;
/// `IFF_LOWER_UP`
pub const IFF_LOWER_UP: u32 = 0x10000;
/// `IFF_DORMANT`
pub const IFF_DORMANT: u32 = 0x20000;
/// `IFF_ECHO`
pub const IFF_ECHO: u32 = 0x40000;

/// Link flags as `ip link` shows them (`NO-CARRIER` first when up without
/// `RUNNING`; `RUNNING` itself is not shown): `["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]`.
pub fn iff_names(flags: u32) -> Vec<&'static str> {
    let mut v = Vec::new();
    if flags & IFF_UP != 0 && flags & IFF_RUNNING == 0 {
        v.push("NO-CARRIER");
    }
    v.extend(
        IPROUTE2_IFF_ORDER
            .iter()
            .filter(|&&bit| flags & bit != 0)
            .filter_map(|&bit| enum_name(IFF_FLAGS, u64::from(bit))),
    );
    v
}

/// Link flags exactly as `ip link` prints them: [`iff_names`], then `M-DOWN`
/// when the link's `IFLA_LINK` device (its lower device, or a veth's peer)
/// is in the same namespace and down. The caller knows that device's flags.
pub fn iff_names_iproute2(flags: u32, lower_down: bool) -> Vec<&'static str> {
    let mut v = iff_names(flags);
    if lower_down {
        v.push("M-DOWN");
    }
    v
}

/// Operational states (`IF_OPER_*`, RFC 2863), without the prefix.
pub const OPERSTATE_NAMES: Names = &[
    (0, "UNKNOWN"),
    (1, "NOTPRESENT"),
    (2, "DOWN"),
    (3, "LOWERLAYERDOWN"),
    (4, "TESTING"),
    (5, "DORMANT"),
    (6, "UP"),
];

/// Link modes (`IF_LINK_MODE_*`, `IFLA_LINKMODE`), without the prefix.
pub const LINKMODE_NAMES: Names = &[(0, "DEFAULT"), (1, "DORMANT"), (2, "TESTING")];

/// An operational state as iproute2 prints it (`UP`, `DOWN`; `?` if unknown).
pub fn operstate_name(s: u8) -> &'static str {
    enum_name(OPERSTATE_NAMES, u64::from(s)).unwrap_or("?")
}

/// `MACVLAN_MODE_*` names (`bridge`, `vepa`...).
pub fn macvlan_mode_name(m: u32) -> Option<&'static str> {
    Some(match m {
        1 => "private",
        2 => "vepa",
        4 => "bridge",
        8 => "passthru",
        16 => "source",
        _ => return None,
    })
}

/// Parses a macvlan mode name.
pub fn parse_macvlan_mode(s: &str) -> Option<u32> {
    (0..5)
        .map(|i| 1u32 << i)
        .find(|&m| macvlan_mode_name(m) == Some(s))
}

// ---------------------------------------------------------------------------
// The view.

typed_attrs! {
    /// A link message, decoded in one pass. Attribute payloads borrow the message.
    #[derive(Clone, Copy, Debug)]
    pub struct LinkView<'a>: IfInfoMsg, LINK_SET, "a link message" {
        /// `IFLA_IFNAME`.
        pub name: Name<'a> => String = IFLA_IFNAME,
        /// `IFLA_MTU`.
        pub mtu: u32 => u32 = IFLA_MTU,
        /// `IFLA_ADDRESS`.
        pub address: &'a [u8] => Vec<u8> = IFLA_ADDRESS,
        /// `IFLA_BROADCAST`.
        pub broadcast: &'a [u8] => Vec<u8> = IFLA_BROADCAST,
        /// `IFLA_TXQLEN`.
        pub txqlen: u32 => u32 = IFLA_TXQLEN,
        /// `IFLA_MASTER`.
        pub master: u32 => u32 = IFLA_MASTER,
        /// `IFLA_LINK`: the lower device (or the veth peer).
        pub link: u32 => u32 = IFLA_LINK,
        /// `IFLA_LINK_NETNSID`: the netns id `link` lives in.
        pub link_netnsid: i32 => i32 = IFLA_LINK_NETNSID,
        /// `IFLA_OPERSTATE`.
        pub operstate: u8 => u8 = IFLA_OPERSTATE,
        /// `IFLA_LINKMODE`.
        pub linkmode: u8 => u8 = IFLA_LINKMODE,
        /// `IFLA_QDISC`.
        pub qdisc: Name<'a> => String = IFLA_QDISC,
        /// `IFLA_IFALIAS`.
        pub alias: Name<'a> => String = IFLA_IFALIAS,
        /// `IFLA_GROUP`.
        pub group: u32 => u32 = IFLA_GROUP,
        /// `IFLA_NUM_TX_QUEUES`.
        pub num_tx_queues: u32 => u32 = IFLA_NUM_TX_QUEUES,
        /// `IFLA_NUM_RX_QUEUES`.
        pub num_rx_queues: u32 => u32 = IFLA_NUM_RX_QUEUES,
        /// `IFLA_CARRIER`.
        pub carrier: u8 => u8 = IFLA_CARRIER,
        /// `IFLA_GSO_MAX_SIZE`.
        pub gso_max_size: u32 => u32 = IFLA_GSO_MAX_SIZE,
        /// `IFLA_GSO_MAX_SEGS`.
        pub gso_max_segs: u32 => u32 = IFLA_GSO_MAX_SEGS,
        /// `IFLA_GRO_MAX_SIZE`.
        pub gro_max_size: u32 => u32 = IFLA_GRO_MAX_SIZE,
        // Only in kernel reports (left out of requests):
        /// `IFLA_MIN_MTU`.
        @reported pub min_mtu: u32 => u32 = IFLA_MIN_MTU,
        /// `IFLA_MAX_MTU`.
        @reported pub max_mtu: u32 => u32 = IFLA_MAX_MTU,
        /// `IFLA_PERM_ADDRESS`.
        @reported pub perm_address: &'a [u8] => Vec<u8> = IFLA_PERM_ADDRESS,
        /// `IFLA_PROMISCUITY`.
        @reported pub promiscuity: u32 => u32 = IFLA_PROMISCUITY,
        /// `IFLA_CARRIER_CHANGES`.
        @reported pub carrier_changes: u32 => u32 = IFLA_CARRIER_CHANGES,
        /// `IFLA_ALLMULTI`: the all-multicast count.
        @reported pub allmulti: u32 => u32 = IFLA_ALLMULTI,
        /// `IFLA_TSO_MAX_SIZE`.
        @reported pub tso_max_size: u32 => u32 = IFLA_TSO_MAX_SIZE,
        /// `IFLA_TSO_MAX_SEGS`.
        @reported pub tso_max_segs: u32 => u32 = IFLA_TSO_MAX_SEGS,
        /// `IFLA_STATS64`.
        @reported pub stats64: LinkStats64 => LinkStats64 = IFLA_STATS64,
        /// `IFLA_PROP_LIST` (its `IFLA_ALT_IFNAME`s: see [`LinkView::alt_names`]).
        pub prop_list: Attr<'a> = IFLA_PROP_LIST with read_raw,
        /// `IFLA_AF_SPEC` (per-family settings: see [`LinkView::addr_gen_mode`]).
        pub af_spec: Attr<'a> = IFLA_AF_SPEC with read_raw,
    }
    others (Self::link_info) {
        /// `IFLA_LINKINFO > IFLA_INFO_KIND`.
        pub kind: Option<&'a str>,
        /// `IFLA_LINKINFO > IFLA_INFO_DATA`.
        pub info_data: Option<Attr<'a>>,
        /// `IFLA_LINKINFO > IFLA_INFO_SLAVE_KIND`.
        pub slave_kind: Option<&'a str>,
        /// `IFLA_LINKINFO > IFLA_INFO_SLAVE_DATA`.
        pub slave_data: Option<Attr<'a>>,
    };
    /// A link, owned. Every attribute is optional; a request sends only
    /// what is set (see [`LinkRequest`]).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    owned @fallible Link (Self::owned_rest, Link::write_rest) {
        /// `ifi_family`.
        pub family: u8,
        /// `ifi_index`.
        pub index: u32,
        /// `ifi_type` (`ARPHRD_*`).
        pub link_type: u16,
        /// `ifi_flags`.
        pub flags: u32,
        /// `ifi_change`: flags a request changes.
        pub change: u32,
        /// `IFLA_PROP_LIST > IFLA_ALT_IFNAME` (only in kernel reports).
        pub alt_names: Vec<String>,
        /// `IFLA_LINKINFO`.
        pub info: Option<LinkInfo>,
    }
}

impl<'a> LinkView<'a> {
    /// `IFLA_LINKINFO`: its kind and data, for the `others` of the view.
    fn link_info(&mut self, a: Attr<'a>) -> wire::Result<()> {
        if a.kind() != IFLA_LINKINFO {
            return Ok(());
        }
        for i in a.nested() {
            let i = i?;
            match i.kind() {
                // Kinds are ASCII words; one that is not UTF-8 is unknown (its data stays raw).
                IFLA_INFO_KIND => self.kind = Name::new(i.payload()).to_str(),
                IFLA_INFO_DATA => self.info_data = Some(i),
                IFLA_INFO_SLAVE_KIND => self.slave_kind = Name::new(i.payload()).to_str(),
                IFLA_INFO_SLAVE_DATA => self.slave_data = Some(i),
                _ => {}
            }
        }
        Ok(())
    }

    /// `ifi_index`.
    pub fn index(&self) -> u32 {
        self.header.index.get() as u32
    }
    /// `ifi_flags` (`IFF_*`).
    pub fn flags(&self) -> u32 {
        self.header.flags.get()
    }
    /// `ifi_type` (`ARPHRD_*`).
    pub fn link_type(&self) -> u16 {
        self.header.ty.get()
    }
    /// True if `IFF_UP` is set.
    pub fn is_up(&self) -> bool {
        self.flags() & IFF_UP != 0
    }
    /// Alternative names (`IFLA_PROP_LIST > IFLA_ALT_IFNAME`).
    pub fn alt_names(&self) -> impl Iterator<Item = Name<'a>> + 'a {
        self.prop_list
            .map(|p| p.nested())
            .into_iter()
            .flatten()
            .map_while(Result::ok)
            .filter(|a| a.kind() == IFLA_ALT_IFNAME)
            .map(|a| Name::new(a.payload()))
    }
    /// `IFLA_AF_SPEC > AF_INET6 > IFLA_INET6_ADDR_GEN_MODE` (`IN6_ADDR_GEN_MODE_*`).
    pub fn addr_gen_mode(&self) -> Option<u8> {
        let spec = self.af_spec?;
        let inet6 = spec
            .nested()
            .map_while(Result::ok)
            .find(|a| a.kind() == AF_SPEC_INET6)?;
        let m = inet6
            .nested()
            .map_while(Result::ok)
            .find(|a| a.kind() == IFLA_INET6_ADDR_GEN_MODE)?;
        m.payload().first().copied()
    }
    /// The kind-specific data, decoded.
    pub fn info(&self) -> wire::Result<Option<LinkInfo>> {
        let Some(kind) = self.kind else {
            return Ok(None);
        };
        Ok(Some(LinkInfo {
            kind: kind.to_string(),
            data: match self.info_data {
                Some(d) => InfoData::parse(kind, &d)?,
                None => InfoData::None,
            },
            slave_kind: self.slave_kind.map(str::to_string),
            slave_data: self.slave_data.map(|a| a.payload().to_vec()),
        }))
    }
    /// The parts of the owned form that are not one attribute each.
    fn owned_rest(&self, o: &mut Link) -> wire::Result<()> {
        o.family = self.header.family;
        o.index = self.index();
        o.link_type = self.link_type();
        o.flags = self.flags();
        o.change = self.header.change.get();
        o.alt_names = self.alt_names().map(|n| n.to_string()).collect();
        o.info = self.info()?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Owned forms.

/// `IFLA_LINKINFO`: the kind and its data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkInfo {
    /// `IFLA_INFO_KIND` (`veth`, `bridge`...).
    pub kind: String,
    /// `IFLA_INFO_DATA`, decoded.
    pub data: InfoData,
    /// `IFLA_INFO_SLAVE_KIND` (`bridge` for a bridge port).
    pub slave_kind: Option<String>,
    /// `IFLA_INFO_SLAVE_DATA`, raw attributes.
    pub slave_data: Option<Vec<u8>>,
}

/// `IFLA_INFO_DATA` for the kinds nlkit knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum InfoData {
    /// No `IFLA_INFO_DATA`.
    #[default]
    None,
    /// veth: the peer to create (only in requests; dumps do not carry it).
    Veth {
        /// The peer's attributes (`VETH_INFO_PEER`).
        peer: Option<Box<Link>>,
        /// The netns to create the peer in (`IFLA_NET_NS_FD`/`PID` inside
        /// `VETH_INFO_PEER`; only in requests).
        netns: Option<NetnsTarget>,
    },
    /// bridge.
    Bridge(Bridge),
    /// 802.1Q VLAN.
    Vlan(Vlan),
    /// macvlan / macvtap.
    Macvlan(Macvlan),
    /// VXLAN.
    Vxlan(Vxlan),
    /// tun/tap (read only: the kernel does not create tun devices over rtnetlink).
    Tun(Tun),
    /// Another kind: the raw nested attributes.
    Raw(Vec<u8>),
}

typed_attrs! {
    /// Bridge settings (`IFLA_BR_*`), the common ones.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[allow(missing_docs)]
    pub struct Bridge {
        pub forward_delay: u32 = IFLA_BR_FORWARD_DELAY,
        pub hello_time: u32 = IFLA_BR_HELLO_TIME,
        pub max_age: u32 = IFLA_BR_MAX_AGE,
        pub ageing_time: u32 = IFLA_BR_AGEING_TIME,
        pub stp_state: u32 = IFLA_BR_STP_STATE,
        pub priority: u16 = IFLA_BR_PRIORITY,
        pub vlan_filtering: u8 = IFLA_BR_VLAN_FILTERING,
        /// Ethertype, host order (0x8100).
        pub vlan_protocol: u16 as Be = IFLA_BR_VLAN_PROTOCOL,
        pub vlan_default_pvid: u16 = IFLA_BR_VLAN_DEFAULT_PVID,
        pub mcast_snooping: u8 = IFLA_BR_MCAST_SNOOPING,
        pub group_fwd_mask: u16 = IFLA_BR_GROUP_FWD_MASK,
    }
}

typed_attrs! {
    /// VLAN settings (`IFLA_VLAN_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Vlan {
        /// `IFLA_VLAN_ID`.
        pub id: u16 = IFLA_VLAN_ID,
        /// `IFLA_VLAN_PROTOCOL`, host order (0x8100 802.1Q, 0x88a8 802.1ad).
        pub protocol: u16 as Be = IFLA_VLAN_PROTOCOL,
    }
}

typed_attrs! {
    /// macvlan settings (`IFLA_MACVLAN_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Macvlan {
        /// `IFLA_MACVLAN_MODE` (`MACVLAN_MODE_BRIDGE` = 4...).
        pub mode: u32 = IFLA_MACVLAN_MODE,
        /// `IFLA_MACVLAN_FLAGS`.
        pub flags: u16 = IFLA_MACVLAN_FLAGS,
        /// `IFLA_MACVLAN_BC_QUEUE_LEN`.
        pub bc_queue_len: u32 = IFLA_MACVLAN_BC_QUEUE_LEN,
        /// `IFLA_MACVLAN_BC_QUEUE_LEN_USED` (only in kernel reports).
        pub bc_queue_len_used: u32 = IFLA_MACVLAN_BC_QUEUE_LEN_USED,
    }
}

typed_attrs! {
    /// VXLAN settings (`IFLA_VXLAN_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Vxlan {
        /// `IFLA_VXLAN_ID` (VNI).
        pub id: u32 = IFLA_VXLAN_ID,
        /// `IFLA_VXLAN_GROUP`/`GROUP6`: the remote or multicast group.
        pub remote: IpAddr = IFLA_VXLAN_GROUP | IFLA_VXLAN_GROUP6,
        /// `IFLA_VXLAN_LOCAL`/`LOCAL6`.
        pub local: IpAddr = IFLA_VXLAN_LOCAL | IFLA_VXLAN_LOCAL6,
        /// `IFLA_VXLAN_LINK`: the underlying device.
        pub dev: u32 = IFLA_VXLAN_LINK,
        /// `IFLA_VXLAN_PORT`, host order.
        pub port: u16 as Be = IFLA_VXLAN_PORT,
        /// `IFLA_VXLAN_TTL`.
        pub ttl: u8 = IFLA_VXLAN_TTL,
        /// `IFLA_VXLAN_LEARNING`.
        pub learning: u8 = IFLA_VXLAN_LEARNING,
        /// `IFLA_VXLAN_AGEING`.
        pub ageing: u32 = IFLA_VXLAN_AGEING,
        /// `IFLA_VXLAN_TOS` (1 = inherit).
        pub tos: u8 = IFLA_VXLAN_TOS,
        /// `IFLA_VXLAN_PORT_RANGE`: the source ports, `low << 16 | high`
        /// (two big-endian u16s, low first).
        pub port_range: u32 as Be = IFLA_VXLAN_PORT_RANGE,
        /// `IFLA_VXLAN_PROXY`.
        pub proxy: u8 = IFLA_VXLAN_PROXY,
        /// `IFLA_VXLAN_RSC`.
        pub rsc: u8 = IFLA_VXLAN_RSC,
        /// `IFLA_VXLAN_L2MISS`.
        pub l2miss: u8 = IFLA_VXLAN_L2MISS,
        /// `IFLA_VXLAN_L3MISS`.
        pub l3miss: u8 = IFLA_VXLAN_L3MISS,
        /// `IFLA_VXLAN_UDP_CSUM`.
        pub udp_csum: u8 = IFLA_VXLAN_UDP_CSUM,
        /// `IFLA_VXLAN_UDP_ZERO_CSUM6_TX`.
        pub udp_zero_csum6_tx: u8 = IFLA_VXLAN_UDP_ZERO_CSUM6_TX,
        /// `IFLA_VXLAN_UDP_ZERO_CSUM6_RX`.
        pub udp_zero_csum6_rx: u8 = IFLA_VXLAN_UDP_ZERO_CSUM6_RX,
        /// `IFLA_VXLAN_LIMIT`: the FDB's size limit (0: none).
        pub limit: u32 = IFLA_VXLAN_LIMIT,
        /// `IFLA_VXLAN_DF` (0 unset, 1 set, 2 inherit).
        pub df: u8 = IFLA_VXLAN_DF,
        /// `IFLA_VXLAN_LABEL`: the IPv6 flow label, host order.
        pub label: u32 as Be = IFLA_VXLAN_LABEL,
    }
}

typed_attrs! {
    /// Bridge port settings (`IFLA_BRPORT_*`), the common ones.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct BridgePort {
        /// `IFLA_BRPORT_STATE` (`BR_STATE_*`: 0 disabled ... 4 blocking).
        pub state: u8 = IFLA_BRPORT_STATE,
        /// `IFLA_BRPORT_PRIORITY`.
        pub priority: u16 = IFLA_BRPORT_PRIORITY,
        /// `IFLA_BRPORT_COST`.
        pub cost: u32 = IFLA_BRPORT_COST,
        /// `IFLA_BRPORT_MODE`: hairpin.
        pub hairpin: u8 = IFLA_BRPORT_MODE,
        /// `IFLA_BRPORT_GUARD`: BPDU guard.
        pub guard: u8 = IFLA_BRPORT_GUARD,
        /// `IFLA_BRPORT_PROTECT`: root block.
        pub root_block: u8 = IFLA_BRPORT_PROTECT,
        /// `IFLA_BRPORT_FAST_LEAVE`.
        pub fast_leave: u8 = IFLA_BRPORT_FAST_LEAVE,
        /// `IFLA_BRPORT_LEARNING`.
        pub learning: u8 = IFLA_BRPORT_LEARNING,
        /// `IFLA_BRPORT_UNICAST_FLOOD`.
        pub flood: u8 = IFLA_BRPORT_UNICAST_FLOOD,
    }
}

typed_attrs! {
    /// tun/tap settings (`IFLA_TUN_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[allow(missing_docs)]
    pub struct Tun {
        pub owner: u32 = IFLA_TUN_OWNER,
        pub group: u32 = IFLA_TUN_GROUP,
        /// 1 tun, 2 tap (`IFF_TUN`/`IFF_TAP`).
        pub tun_type: u8 = IFLA_TUN_TYPE,
        pub pi: u8 = IFLA_TUN_PI,
        pub vnet_hdr: u8 = IFLA_TUN_VNET_HDR,
        pub persist: u8 = IFLA_TUN_PERSIST,
        pub multi_queue: u8 = IFLA_TUN_MULTI_QUEUE,
        pub num_queues: u32 = IFLA_TUN_NUM_QUEUES,
        pub num_disabled_queues: u32 = IFLA_TUN_NUM_DISABLED_QUEUES,
    }
}

impl InfoData {
    /// Decodes `IFLA_INFO_DATA` for `kind`.
    pub fn parse(kind: &str, data: &Attr<'_>) -> wire::Result<InfoData> {
        Ok(match kind {
            "veth" => {
                let mut peer = None;
                for a in data.nested() {
                    let a = a?;
                    if a.kind() == VETH_INFO_PEER {
                        let v = LinkView::parse_payload(a.payload())?;
                        peer = Some(Box::new(v.to_owned()?));
                    }
                }
                InfoData::Veth { peer, netns: None }
            }
            "bridge" => InfoData::Bridge(Bridge::parse_attrs(data.nested())?),
            "vlan" => InfoData::Vlan(Vlan::parse_attrs(data.nested())?),
            "macvlan" | "macvtap" => InfoData::Macvlan(Macvlan::parse_attrs(data.nested())?),
            "vxlan" => InfoData::Vxlan(Vxlan::parse_attrs(data.nested())?),
            "tun" => InfoData::Tun(Tun::parse_attrs(data.nested())?),
            _ => InfoData::Raw(data.payload().to_vec()),
        })
    }

    /// Appends `IFLA_INFO_DATA` (nothing for [`InfoData::None`]).
    pub fn write(&self, w: &mut MsgWriter<'_>) -> wire::Result<()> {
        match self {
            InfoData::None => Ok(()),
            InfoData::Raw(b) => w.attr(IFLA_INFO_DATA | wire::NLA_F_NESTED, b).map(drop),
            InfoData::Veth { peer, netns } => w
                .nest(IFLA_INFO_DATA, |w| {
                    if let Some(p) = peer {
                        w.nest(VETH_INFO_PEER, |w| {
                            w.fixed(&IfInfoMsg::new(p.index, p.flags, p.change));
                            p.write_attrs(w, false)?;
                            write_netns(w, *netns)
                        })?;
                    }
                    Ok(())
                })
                .map(drop),
            InfoData::Bridge(b) => w.nest(IFLA_INFO_DATA, |w| b.write_attrs(w)).map(drop),
            InfoData::Vlan(v) => w.nest(IFLA_INFO_DATA, |w| v.write_attrs(w)).map(drop),
            InfoData::Macvlan(m) => w.nest(IFLA_INFO_DATA, |w| m.write_attrs(w)).map(drop),
            InfoData::Vxlan(x) => w.nest(IFLA_INFO_DATA, |w| x.write_attrs(w)).map(drop),
            InfoData::Tun(t) => w.nest(IFLA_INFO_DATA, |w| t.write_attrs(w)).map(drop),
        }
    }
}

impl Link {
    /// A link with just a name (to create or look up).
    pub fn named(name: &str) -> Link {
        Link {
            name: Some(name.to_string()),
            ..Default::default()
        }
    }

    /// True if `IFF_UP` is set.
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    /// The kind (`veth`), if any.
    pub fn kind(&self) -> Option<&str> {
        self.info.as_ref().map(|i| i.kind.as_str())
    }

    /// Appends what [`write_attrs`](Self::write_attrs) does not write as one
    /// attribute per field: the alternative names (not in requests) and
    /// `IFLA_LINKINFO`.
    fn write_rest(&self, w: &mut MsgWriter<'_>, request: bool) -> wire::Result<()> {
        if !request && !self.alt_names.is_empty() {
            w.nest(IFLA_PROP_LIST, |w| {
                for n in &self.alt_names {
                    w.attr_str(IFLA_ALT_IFNAME, n)?;
                }
                Ok(())
            })?;
        }
        if let Some(info) = &self.info {
            w.nest(IFLA_LINKINFO, |w| {
                // A port's settings alone (`type bridge_slave`) go without a kind.
                if !info.kind.is_empty() {
                    w.attr_str(IFLA_INFO_KIND, &info.kind)?;
                }
                info.data.write(w)?;
                w.opt_str(IFLA_INFO_SLAVE_KIND, info.slave_kind.as_deref())?;
                if let Some(d) = &info.slave_data {
                    w.attr(IFLA_INFO_SLAVE_DATA | wire::NLA_F_NESTED, d)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Writes a whole message of type `ty` with `flags` (all attributes that
    /// are set, as a kernel notification would carry them).
    pub fn write_msg(&self, buf: &mut Vec<u8>, ty: u16, flags: u16) -> wire::Result<()> {
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        let mut h = IfInfoMsg::new(self.index, self.flags, self.change);
        h.family = self.family;
        h.ty = self.link_type.into();
        w.fixed(&h);
        self.write_attrs(&mut w, false)?;
        w.finish().map(drop)
    }
}

// ---------------------------------------------------------------------------
// Requests.

/// Appends `IFLA_NET_NS_FD` or `IFLA_NET_NS_PID` for `netns`, if any.
fn write_netns(w: &mut MsgWriter<'_>, netns: Option<NetnsTarget>) -> wire::Result<()> {
    match netns {
        Some(NetnsTarget::Fd(fd)) => w.attr_u32(IFLA_NET_NS_FD, fd).map(drop),
        Some(NetnsTarget::Pid(p)) => w.attr_u32(IFLA_NET_NS_PID, p).map(drop),
        None => Ok(()),
    }
}

/// Which namespace to move a link into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetnsTarget {
    /// `IFLA_NET_NS_FD`: an open netns file descriptor.
    Fd(u32),
    /// `IFLA_NET_NS_PID`: the netns of a process.
    Pid(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkOp {
    New(NewMode),
    Set,
    Delete,
    Get,
}

/// A link request: create (`add`), change (`set`), delete or get.
///
/// ```
/// use nlkit::route::LinkRequest;
/// let r = LinkRequest::add("v0").veth("v1").mtu(1400).up();
/// assert_eq!(r.to_string(), "add link v0 type veth peer v1 mtu 1400 up");
/// ```
#[derive(Clone, Debug)]
pub struct LinkRequest {
    op: LinkOp,
    /// The link's attributes to send.
    pub link: Link,
    /// Move into this namespace.
    pub netns: Option<NetnsTarget>,
    /// Set `IFLA_MASTER` to 0 (`nomaster`).
    nomaster: bool,
    /// The current name, for messages, when the request goes by index.
    label: Option<String>,
    /// `IFLA_AF_SPEC > AF_INET6 > IFLA_INET6_ADDR_GEN_MODE`.
    addr_gen_mode: Option<u8>,
}

impl LinkRequest {
    fn new(op: LinkOp, link: Link) -> LinkRequest {
        LinkRequest {
            op,
            link,
            netns: None,
            nomaster: false,
            label: None,
            addr_gen_mode: None,
        }
    }
    /// Creates link `name` (`ip link add NAME`); add a kind with [`veth`](Self::veth) etc.
    pub fn add(name: &str) -> LinkRequest {
        LinkRequest::new(LinkOp::New(NewMode::Add), Link::named(name))
    }
    /// Creates a link from an owned form, with the given create mode.
    pub fn create(link: Link, mode: NewMode) -> LinkRequest {
        LinkRequest::new(LinkOp::New(mode), link)
    }
    /// Changes link `index` (`ip link set`).
    pub fn set(index: u32) -> LinkRequest {
        LinkRequest::new(
            LinkOp::Set,
            Link {
                index,
                ..Default::default()
            },
        )
    }
    /// Changes the link called `name` (it cannot then be renamed in the same request).
    pub fn set_by_name(name: &str) -> LinkRequest {
        LinkRequest::new(LinkOp::Set, Link::named(name))
    }
    /// Deletes link `index`.
    pub fn delete(index: u32) -> LinkRequest {
        LinkRequest::set(index).with_op(LinkOp::Delete)
    }
    /// Deletes the link called `name`.
    pub fn delete_by_name(name: &str) -> LinkRequest {
        LinkRequest::new(LinkOp::Delete, Link::named(name))
    }
    /// Gets link `index`.
    pub fn get(index: u32) -> LinkRequest {
        LinkRequest::set(index).with_op(LinkOp::Get)
    }
    /// Gets the link called `name` (or with that alternative name).
    pub fn get_by_name(name: &str) -> LinkRequest {
        LinkRequest::new(LinkOp::Get, Link::named(name))
    }
    fn with_op(mut self, op: LinkOp) -> Self {
        self.op = op;
        self
    }
    /// Names the link in messages (`set link v0 ...`) when it goes by index.
    pub fn label(mut self, name: &str) -> Self {
        self.label = Some(name.to_string());
        self
    }
    fn kind(mut self, kind: &str, data: InfoData) -> Self {
        self.link.info = Some(LinkInfo {
            kind: kind.to_string(),
            data,
            ..Default::default()
        });
        self
    }
    /// A veth pair; the peer is called `peer`.
    pub fn veth(self, peer: &str) -> Self {
        self.kind(
            "veth",
            InfoData::Veth {
                peer: Some(Box::new(Link::named(peer))),
                netns: None,
            },
        )
    }
    /// A veth pair whose peer has these attributes (a name, a netns...).
    pub fn veth_peer(self, peer: Link) -> Self {
        self.kind(
            "veth",
            InfoData::Veth {
                peer: Some(Box::new(peer)),
                netns: None,
            },
        )
    }
    /// A veth pair whose peer has these attributes and is created in `netns`.
    pub fn veth_peer_in(self, peer: Link, netns: NetnsTarget) -> Self {
        self.kind(
            "veth",
            InfoData::Veth {
                peer: Some(Box::new(peer)),
                netns: Some(netns),
            },
        )
    }
    /// Settings of a bridge port (`ip link set P type bridge_slave ...`):
    /// `IFLA_INFO_SLAVE_KIND` bridge and its data, no kind of its own.
    pub fn bridge_port(mut self, p: BridgePort) -> wire::Result<Self> {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0, 0, 0, 0);
        p.write_attrs(&mut w)?;
        w.finish()?;
        self.link.info = Some(LinkInfo {
            kind: String::new(),
            data: InfoData::None,
            slave_kind: Some("bridge".into()),
            slave_data: Some(buf.get(wire::NLMSG_HDRLEN..).unwrap_or_default().to_vec()),
        });
        Ok(self)
    }
    /// A bridge.
    pub fn bridge(self, b: Bridge) -> Self {
        self.kind("bridge", InfoData::Bridge(b))
    }
    /// A VLAN `id` on link `parent` (802.1Q).
    pub fn vlan(mut self, parent: u32, id: u16) -> Self {
        self.link.link = Some(parent);
        self.kind(
            "vlan",
            InfoData::Vlan(Vlan {
                id: Some(id),
                protocol: None,
            }),
        )
    }
    /// A macvlan on link `parent` with `mode` (`MACVLAN_MODE_*`, 4 = bridge).
    pub fn macvlan(mut self, parent: u32, mode: u32) -> Self {
        self.link.link = Some(parent);
        self.kind(
            "macvlan",
            InfoData::Macvlan(Macvlan {
                mode: Some(mode),
                ..Default::default()
            }),
        )
    }
    /// A VXLAN device.
    pub fn vxlan(self, x: Vxlan) -> Self {
        self.kind("vxlan", InfoData::Vxlan(x))
    }
    /// Any kind, with raw `IFLA_INFO_DATA` attributes (or none).
    pub fn other_kind(self, kind: &str, data: Option<Vec<u8>>) -> Self {
        let d = data.map(InfoData::Raw).unwrap_or_default();
        self.kind(kind, d)
    }
    /// Sets the MTU.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.link.mtu = Some(mtu);
        self
    }
    /// Brings the link up.
    pub fn up(mut self) -> Self {
        self.link.flags |= IFF_UP;
        self.link.change |= IFF_UP;
        self
    }
    /// Brings the link down.
    pub fn down(mut self) -> Self {
        self.link.flags &= !IFF_UP;
        self.link.change |= IFF_UP;
        self
    }
    /// Renames the link (needs the request to go by index).
    pub fn name(mut self, name: &str) -> Self {
        self.link.name = Some(name.to_string());
        self
    }
    /// Sets the link-layer address.
    pub fn address(mut self, mac: &[u8]) -> Self {
        self.link.address = Some(mac.to_vec());
        self
    }
    /// Enslaves the link to `master` (a bridge).
    pub fn master(mut self, master: u32) -> Self {
        self.link.master = Some(master);
        self.nomaster = false;
        self
    }
    /// Releases the link from its master.
    pub fn nomaster(mut self) -> Self {
        self.link.master = None;
        self.nomaster = true;
        self
    }
    /// Sets the transmit queue length.
    pub fn txqlen(mut self, n: u32) -> Self {
        self.link.txqlen = Some(n);
        self
    }
    /// Sets the alias (`IFLA_IFALIAS`).
    pub fn alias(mut self, a: &str) -> Self {
        self.link.alias = Some(a.to_string());
        self
    }
    /// Moves the link into the netns open as `fd`.
    pub fn netns_fd(mut self, fd: u32) -> Self {
        self.netns = Some(NetnsTarget::Fd(fd));
        self
    }
    /// Moves the link into the netns of process `pid`.
    pub fn netns_pid(mut self, pid: u32) -> Self {
        self.netns = Some(NetnsTarget::Pid(pid));
        self
    }
    /// Sets the IPv6 address generation mode (`IN6_ADDR_GEN_MODE_*`, see
    /// [`ADDR_GEN_MODE_NAMES`]).
    pub fn addr_gen_mode(mut self, mode: u8) -> Self {
        self.addr_gen_mode = Some(mode);
        self
    }
    /// The link kind of the request, if any.
    pub fn info_kind(&self) -> Option<&str> {
        self.link.kind()
    }
}

impl fmt::Display for LinkRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for LinkRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let (ty, flags) = match self.op {
            LinkOp::New(m) => (RTM_NEWLINK, m.flags()),
            LinkOp::Set => (RTM_NEWLINK, 0),
            LinkOp::Delete => (RTM_DELLINK, 0),
            LinkOp::Get => (RTM_GETLINK, 0),
        };
        let l = &self.link;
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        w.fixed(&IfInfoMsg::new(l.index, l.flags, l.change));
        match self.op {
            LinkOp::Delete | LinkOp::Get => {
                // Names longer than IFNAMSIZ - 1 can only be alternative names.
                match l.name.as_deref() {
                    Some(n) if n.len() > 15 => w.attr_str(IFLA_ALT_IFNAME, n).map(drop)?,
                    n => w.opt_str(IFLA_IFNAME, n)?,
                }
                if self.op == LinkOp::Get {
                    // Skip VF info, as iproute2 does.
                    w.attr_u32(IFLA_EXT_MASK, 1)?;
                }
            }
            _ => {
                l.write_attrs(&mut w, true)?;
                if self.nomaster {
                    w.attr_u32(IFLA_MASTER, 0)?;
                }
                write_netns(&mut w, self.netns)?;
                if let Some(m) = self.addr_gen_mode {
                    w.nest(IFLA_AF_SPEC, |w| {
                        w.nest(AF_SPEC_INET6, |w| {
                            w.attr_u8(IFLA_INET6_ADDR_GEN_MODE, m).map(drop)
                        })
                        .map(drop)
                    })?;
                }
            }
        }
        w.finish()?;
        Ok(super::attrs_at(IfInfoMsg::LEN))
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.link;
        let verb = match self.op {
            LinkOp::New(m) => m.verb(),
            LinkOp::Set => "set",
            LinkOp::Delete => "delete",
            LinkOp::Get => "get",
        };
        write!(f, "{verb} link ")?;
        let renaming = matches!(self.op, LinkOp::Set) && l.index != 0 && l.name.is_some();
        match (&self.label, &l.name) {
            (Some(n), _) => f.write_str(n)?,
            (None, Some(n)) if !renaming => f.write_str(n)?,
            _ => write!(f, "index {}", l.index)?,
        }
        if let Some(info) = &l.info {
            write!(f, " type {}", info.kind)?;
            match &info.data {
                InfoData::Veth { peer: Some(p), .. } => {
                    if let Some(n) = &p.name {
                        write!(f, " peer {n}")?;
                    }
                }
                InfoData::Vlan(v) => {
                    if let Some(id) = v.id {
                        write!(f, " id {id}")?;
                    }
                }
                InfoData::Macvlan(m) => {
                    if let Some(n) = m.mode.and_then(macvlan_mode_name) {
                        write!(f, " mode {n}")?;
                    }
                }
                InfoData::Vxlan(x) => {
                    if let Some(id) = x.id {
                        write!(f, " id {id}")?;
                    }
                }
                _ => {}
            }
        }
        if matches!(self.op, LinkOp::Delete | LinkOp::Get) {
            return Ok(());
        }
        if renaming {
            write!(f, " name {}", l.name.as_deref().unwrap_or(""))?;
        }
        if let Some(m) = l.mtu {
            write!(f, " mtu {m}")?;
        }
        if let Some(a) = &l.address {
            write!(f, " address {}", crate::schema::mac_string(a))?;
        }
        if let Some(m) = l.master {
            write!(f, " master {m}")?;
        }
        if self.nomaster {
            f.write_str(" nomaster")?;
        }
        match self.netns {
            Some(NetnsTarget::Fd(fd)) => write!(f, " netns fd {fd}")?,
            Some(NetnsTarget::Pid(p)) => write!(f, " netns {p}")?,
            None => {}
        }
        if l.change & IFF_UP != 0 {
            f.write_str(if l.flags & IFF_UP != 0 {
                " up"
            } else {
                " down"
            })?;
        }
        Ok(())
    }

    fn attr_name(&self, path: &[u16]) -> Option<String> {
        LINK_SET.path_name(path, self.info_kind())
    }
}

/// Adds or removes an alternative name (`RTM_NEWLINKPROP`/`RTM_DELLINKPROP`).
#[derive(Clone, Debug)]
pub struct AltNameRequest {
    /// The link.
    pub index: u32,
    /// The alternative name.
    pub alt_name: String,
    /// Add (true) or delete.
    pub add: bool,
}

impl ToMsg for AltNameRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let ty = if self.add {
            super::RTM_NEWLINKPROP
        } else {
            super::RTM_DELLINKPROP
        };
        let flags = if self.add {
            MsgFlags::CREATE | MsgFlags::EXCL
        } else {
            0
        };
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        w.fixed(&IfInfoMsg::new(self.index, 0, 0));
        w.nest(IFLA_PROP_LIST, |w| {
            w.attr_str(IFLA_ALT_IFNAME, &self.alt_name).map(drop)
        })?;
        w.finish()?;
        Ok(super::attrs_at(IfInfoMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.add { "add" } else { "delete" };
        write!(
            f,
            "{verb} altname {} for link index {}",
            self.alt_name, self.index
        )
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        LINK_SET.path_name(path, None)
    }
}

/// Asks for the id this netns gives the netns open as `fd` (`RTM_GETNSID`
/// with `NETNSA_FD`); the answer is read with [`nsid_from_reply`].
#[derive(Clone, Copy, Debug)]
pub struct NsidRequest {
    /// An open netns file descriptor.
    pub fd: u32,
}

impl ToMsg for NsidRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, super::RTM_GETNSID, 0, 0, 0);
        // struct rtgenmsg: the family (unspecified), padded to 4.
        w.fixed(&[0u8; 4]);
        w.attr_u32(super::other::NETNSA_FD, self.fd)?;
        w.finish()?;
        Ok(super::attrs_at(4))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "get nsid of netns fd {}", self.fd)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        super::other::NETNSA_SET.path_name(path, None)
    }
}

/// `NETNSA_NSID` of an `RTM_NEWNSID` reply's payload (after `nlmsghdr`);
/// `None` if absent or negative (no id assigned).
pub fn nsid_from_reply(payload: &[u8]) -> Option<i32> {
    let attrs = payload.get(4..)?;
    wire::AttrIter::new(attrs)
        .map_while(Result::ok)
        .find(|a| a.kind() == super::other::NETNSA_NSID)
        .and_then(|a| Some(i32::from_ne_bytes(a.payload().get(..4)?.try_into().ok()?)))
        .filter(|&n| n >= 0)
}

/// A link dump (`RTM_GETLINK` with `NLM_F_DUMP`), optionally filtered by the
/// kernel (strict checking) on master and kind.
#[derive(Clone, Debug, Default)]
pub struct LinkDump {
    /// Only ports of this master (`IFLA_MASTER`).
    pub master: Option<u32>,
    /// Only links of this kind (`IFLA_LINKINFO > IFLA_INFO_KIND`).
    pub kind: Option<String>,
    /// `ifi_family`: 0, or `AF_INET6` for the IPv6 view of each link the
    /// kernel's addrconf answers (name, address, MTU, operstate, txqlen and
    /// the IPv6 settings, no qdisc or group), as `ip -6 addr` asks for.
    pub family: u8,
}

impl ToMsg for LinkDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETLINK, MsgFlags::DUMP, 0, 0);
        w.fixed(&IfInfoMsg {
            family: self.family,
            ..Default::default()
        });
        // The IPv6 view takes no attributes (strict checking refuses them).
        if self.family != AF_INET6 {
            w.attr_u32(IFLA_EXT_MASK, 1)?;
            w.opt_u32(IFLA_MASTER, self.master)?;
            if let Some(k) = &self.kind {
                w.nest(IFLA_LINKINFO, |w| w.attr_str(IFLA_INFO_KIND, k).map(drop))?;
            }
        }
        w.finish()?;
        Ok(super::attrs_at(IfInfoMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump links")?;
        if let Some(m) = self.master {
            write!(f, " master {m}")?;
        }
        if let Some(k) = &self.kind {
            write!(f, " type {k}")?;
        }
        Ok(())
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        LINK_SET.path_name(path, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{MsgIter, NLA_F_NESTED};
    use proptest::prelude::*;

    fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = ((4 + payload.len()) as u16).to_ne_bytes().to_vec();
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(payload);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn ifinfomsg_bytes() {
        let mut want = vec![
            0x00, // ifi_family AF_UNSPEC
            0x00, // pad
        ];
        want.extend_from_slice(&1u16.to_ne_bytes()); // ifi_type ARPHRD_ETHER
        want.extend_from_slice(&7i32.to_ne_bytes()); // ifi_index
        want.extend_from_slice(&0x11043u32.to_ne_bytes()); // ifi_flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
        want.extend_from_slice(&0u32.to_ne_bytes()); // ifi_change
        let (h, _) = IfInfoMsg::ref_from_prefix(&want[..]).unwrap();
        assert_eq!(h.index.get(), 7);
        assert_eq!(h.ty.get(), 1);
        assert_eq!(
            iff_names(h.flags.get()),
            ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
        );
        let mut mine = IfInfoMsg::new(7, 0x11043, 0);
        mine.ty = 1.into();
        assert_eq!(mine.as_bytes(), &want[..]);
        assert_eq!(core::mem::size_of::<IfInfoMsg>(), IfInfoMsg::LEN);
        assert_eq!(core::mem::size_of::<LinkStats64>(), 25 * 8);
    }

    #[test]
    fn add_veth_emits_bytes() {
        let mut buf = Vec::new();
        let r = LinkRequest::add("v0").veth("v1");
        assert_eq!(r.write(&mut buf).unwrap(), 32);
        let mut want = Vec::new();
        want.extend_from_slice(&88u32.to_ne_bytes()); // nlmsg_len
        want.extend_from_slice(&RTM_NEWLINK.to_ne_bytes()); // nlmsg_type
        want.extend_from_slice(&(MsgFlags::CREATE | MsgFlags::EXCL).to_ne_bytes()); // flags
        want.extend_from_slice(&0u32.to_ne_bytes()); // seq
        want.extend_from_slice(&0u32.to_ne_bytes()); // pid
        want.extend_from_slice(IfInfoMsg::default().as_bytes()); // ifinfomsg
        want.extend(attr(IFLA_IFNAME, b"v0\0")); // IFLA_IFNAME "v0"
        let peer = [IfInfoMsg::default().as_bytes(), &attr(IFLA_IFNAME, b"v1\0")].concat();
        let data = attr(VETH_INFO_PEER | NLA_F_NESTED, &peer); // VETH_INFO_PEER
        let info = [
            attr(IFLA_INFO_KIND, b"veth\0"),            // IFLA_INFO_KIND "veth"
            attr(IFLA_INFO_DATA | NLA_F_NESTED, &data), // IFLA_INFO_DATA
        ]
        .concat();
        want.extend(attr(IFLA_LINKINFO | NLA_F_NESTED, &info)); // IFLA_LINKINFO
        assert_eq!(buf, want);
        assert_eq!(r.to_string(), "add link v0 type veth peer v1");
        assert_eq!(
            r.attr_name(&[IFLA_LINKINFO, IFLA_INFO_DATA, VETH_INFO_PEER])
                .as_deref(),
            Some("IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER")
        );
        // And it parses back, peer included.
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let v = LinkView::parse(&m).unwrap();
        let l = v.to_owned().unwrap();
        assert_eq!(l.name.as_deref(), Some("v0"));
        match l.info.unwrap().data {
            InfoData::Veth { peer: Some(p), .. } => assert_eq!(p.name.as_deref(), Some("v1")),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn vlan_emit_and_parse() {
        let mut buf = Vec::new();
        LinkRequest::add("v0.10")
            .vlan(3, 10)
            .write(&mut buf)
            .unwrap();
        let mut data = attr(IFLA_VLAN_ID, &10u16.to_ne_bytes()); // IFLA_VLAN_ID 10
        data.truncate(6);
        let data = attr(IFLA_VLAN_ID, &10u16.to_ne_bytes());
        let info = [
            attr(IFLA_INFO_KIND, b"vlan\0"),
            attr(IFLA_INFO_DATA | NLA_F_NESTED, &data),
        ]
        .concat();
        let attrs = [
            attr(IFLA_IFNAME, b"v0.10\0"),             // IFLA_IFNAME
            attr(IFLA_LINK, &3u32.to_ne_bytes()),      // IFLA_LINK 3
            attr(IFLA_LINKINFO | NLA_F_NESTED, &info), // IFLA_LINKINFO
        ]
        .concat();
        assert_eq!(&buf[32..], &attrs[..]);
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let l = LinkView::parse(&m).unwrap().to_owned().unwrap();
        assert_eq!(l.link, Some(3));
        assert_eq!(
            l.info.unwrap().data,
            InfoData::Vlan(Vlan {
                id: Some(10),
                protocol: None
            })
        );
        // With a protocol: network order on the wire.
        let mut v = Vlan {
            id: Some(5),
            protocol: Some(0x88a8),
        };
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, RTM_NEWLINK, 0, 0, 0);
        InfoData::Vlan(v).write(&mut w).unwrap();
        w.finish().unwrap();
        assert_eq!(&buf[buf.len() - 4..], &[0x88, 0xa8, 0, 0]);
        v.id = None;
        let _ = v;
    }

    #[test]
    fn unknown_attrs_are_kept() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, RTM_NEWLINK, 0, 0, 0);
        w.fixed(&IfInfoMsg::new(2, 0, 0));
        w.attr_str(IFLA_IFNAME, "x").unwrap();
        w.attr_u32(900, 5).unwrap(); // from a kernel newer than us
        w.finish().unwrap();
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let v = LinkView::parse(&m).unwrap();
        let u: Vec<_> = v.unknown_attrs().collect();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].kind(), 900);
        assert_eq!(v.attrs().count(), 2);
        assert_eq!(LinkAttr::from_u16(900), LinkAttr::Unknown(900));
        assert_eq!(LinkAttr::Mtu.to_string(), "IFLA_MTU");
    }

    #[test]
    fn odd_values_never_fail_the_view() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, RTM_NEWLINK, 0, 0, 0);
        w.fixed(&IfInfoMsg::new(2, 0, 0));
        w.attr(IFLA_IFNAME, b"v\xe9\0").unwrap(); // a name that is not UTF-8
        w.attr(IFLA_IFALIAS, b"caf\xe9").unwrap(); // no NUL either
        w.attr(IFLA_MTU, &[0xdc, 0x05]).unwrap(); // 2 bytes: not a u32
        w.attr_u32(IFLA_TXQLEN, 1000).unwrap();
        w.finish().unwrap();
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let v = LinkView::parse(&m).unwrap();
        assert_eq!(v.name.unwrap().as_bytes(), b"v\xe9");
        assert_eq!(v.name.unwrap().to_string(), "v\\xe9");
        assert_eq!(v.alias.unwrap().as_bytes(), b"caf\xe9");
        assert_eq!(v.mtu, None);
        assert_eq!(v.txqlen, Some(1000));
        let bad: Vec<u16> = v.malformed_attrs().map(|a| a.kind()).collect();
        assert_eq!(bad, [IFLA_MTU]);
        let l = v.to_owned().unwrap();
        assert_eq!(l.name.as_deref(), Some("v\\xe9"));
        assert_eq!(l.alias.as_deref(), Some("caf\\xe9"));
    }

    #[test]
    fn set_describe() {
        let r = LinkRequest::set(4).label("v0").mtu(1400).down().nomaster();
        assert_eq!(r.to_string(), "set link v0 mtu 1400 nomaster down");
        let r = LinkRequest::set(4).name("v9");
        assert_eq!(r.to_string(), "set link index 4 name v9");
        assert_eq!(
            LinkRequest::delete_by_name("v0").to_string(),
            "delete link v0"
        );
    }

    fn arb_link() -> impl Strategy<Value = Link> {
        let info = prop_oneof![
            Just(None),
            (any::<u16>(), proptest::option::of(any::<u16>())).prop_map(|(id, p)| Some(LinkInfo {
                kind: "vlan".into(),
                data: InfoData::Vlan(Vlan {
                    id: Some(id),
                    protocol: p
                }),
                ..Default::default()
            })),
            (any::<u32>(), any::<u16>(), any::<[u8; 4]>()).prop_map(|(id, port, ip)| Some(
                LinkInfo {
                    kind: "vxlan".into(),
                    data: InfoData::Vxlan(Vxlan {
                        id: Some(id),
                        port: Some(port),
                        remote: Some(IpAddr::from(ip)),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            )),
            proptest::option::of(any::<u32>()).prop_map(|m| Some(LinkInfo {
                kind: "macvlan".into(),
                data: InfoData::Macvlan(Macvlan {
                    mode: m,
                    ..Default::default()
                }),
                slave_kind: Some("bridge".into()),
                slave_data: Some(vec![]),
            })),
        ];
        (
            (any::<u32>(), any::<u32>(), "[a-z0-9]{1,15}"),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<[u8; 6]>()),
            proptest::collection::vec("[a-z]{1,20}", 0..3),
            proptest::option::of(any::<i32>()),
            proptest::option::of(any::<u8>()),
            proptest::option::of(any::<[u64; 4]>()),
            info,
        )
            .prop_map(
                |((index, flags, name), mtu, mac, alt, nsid, op, st, info)| Link {
                    index,
                    flags,
                    name: Some(name),
                    mtu,
                    address: mac.map(|m| m.to_vec()),
                    alt_names: alt,
                    link_netnsid: nsid,
                    operstate: op,
                    stats64: st.map(|s| LinkStats64 {
                        rx_packets: s[0].into(),
                        tx_bytes: s[1].into(),
                        rx_otherhost_dropped: s[3].into(),
                        ..Default::default()
                    }),
                    info,
                    ..Default::default()
                },
            )
    }

    proptest! {
        #[test]
        fn owned_round_trip(l in arb_link()) {
            let mut buf = Vec::new();
            l.write_msg(&mut buf, RTM_NEWLINK, 0).unwrap();
            let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
            let back = LinkView::parse(&m).unwrap().to_owned().unwrap();
            prop_assert_eq!(back, l);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(v) = LinkView::parse_payload(&b) {
                let _ = v.to_owned();
                let _ = v.alt_names().count();
                let _ = v.unknown_attrs().count();
                let _ = crate::route::attrs::walk(Some(&LINK_SET), v.attrs(), 0, &mut |n| { let _ = n.value(); });
            }
        }
    }
}
