//! rtnetlink (`NETLINK_ROUTE`): links, addresses, routes, neighbours, rules
//! and nexthop objects; per-device IP settings ([`netconf`]: a view and
//! requests, no owned form).
//!
//! For each object type there are three things:
//! - a borrowed view ([`LinkView`], [`AddrView`], [`RouteView`], [`NeighView`],
//!   [`RuleView`], [`NexthopView`]) decoded in one pass from a message; it
//!   holds `&'a` slices of the receive buffer, never allocates, and keeps
//!   attributes it does not understand (`unknown_attrs()`), so a kernel newer
//!   than nlkit never breaks a dump;
//! - an owned form ([`Link`], [`Addr`], [`Route`], [`Neigh`], [`Rule`],
//!   [`Nexthop`]) to keep, compare or build from;
//! - request builders implementing [`ToMsg`](crate::ToMsg), whose `describe`
//!   reads like iproute2 (`add route 10.1.0.0/24 via 10.9.0.2`) so kernel
//!   errors say what failed.
//!
//! [`Handle`] ties them to a [`Connection`](crate::Connection). The module
//! does no I/O itself except through that handle, and never panics on bad
//! input: a malformed message is a [`wire::Error`](crate::wire::Error).
//!
//! For generic decoding (`nlkit decode`): [`msg_type_name`],
//! [`fixed_header_len`], [`attr_set`], [`attr_name`], [`attr_path_name`],
//! [`describe_fixed`] and [`attrs::walk`].
//!
//! # References
//! `rtnetlink(7)`, `include/uapi/linux/rtnetlink.h`, `if_link.h`, `if_addr.h`,
//! `neighbour.h`, `fib_rules.h`, `nexthop.h`.

pub mod addr;
pub mod attrs;
pub mod decode;
mod handle;
pub mod link;
pub mod neigh;
pub mod netconf;
pub mod nexthop;
pub mod other;
pub mod routes;
pub mod rule;
pub mod track;
pub mod tuntap;

pub use crate::schema::{AttrDef, AttrNode, AttrSet, FixedHeader, ValueKind};
pub use addr::{Addr, AddrDump, AddrRequest, AddrView, IfAddrMsg};
pub use handle::Handle;
pub use link::{
    IfInfoMsg, InfoData, Link, LinkDump, LinkInfo, LinkRequest, LinkStats64, LinkView, NetnsTarget,
};
pub use neigh::{NdMsg, Neigh, NeighDump, NeighGet, NeighRequest, NeighView};
pub use netconf::{NetconfDev, NetconfDump, NetconfGet, NetconfMsg, NetconfView};
pub use nexthop::{
    Nexthop, NexthopBucketDump, NexthopBucketView, NexthopDump, NexthopGet, NexthopRequest,
    NexthopView, NhMsg, ResGroup,
};
pub use routes::{
    NextHop, Route, RouteCacheDump, RouteDump, RouteGet, RouteRequest, RouteView, RtMsg,
};
pub use rule::{FibRuleHdr, Rule, RuleDump, RuleRequest, RuleView};

use crate::schema::{value_names, Names};
use crate::wire::{self, MsgWriter};
use core::fmt;
use core::str::FromStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `AF_UNSPEC`.
pub const AF_UNSPEC: u8 = 0;
/// `AF_INET`.
pub const AF_INET: u8 = 2;
/// `AF_BRIDGE`.
pub const AF_BRIDGE: u8 = 7;
/// `AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `AF_MPLS`.
pub const AF_MPLS: u8 = 28;

value_names! {
    /// iproute2's name of an address family (`inet`, `inet6`).
    family_name, parse_family, u8 {
        AF_UNSPEC => "unspec",
        AF_INET => "inet",
        AF_BRIDGE => "bridge",
        AF_INET6 => "inet6",
        AF_MPLS => "mpls",
    }
}

/// Address families by their constant names (`AF_INET`), for decoders.
#[rustfmt::skip]
pub const AF_NAMES: Names = &[
    (0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (7, "AF_BRIDGE"), (10, "AF_INET6"),
    (16, "AF_NETLINK"), (17, "AF_PACKET"), (28, "AF_MPLS"), (128, "RTNL_FAMILY_IPMR"),
    (129, "RTNL_FAMILY_IP6MR"),
];

/// The address family of an IP address.
pub fn family_of(ip: &IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => AF_INET,
        IpAddr::V6(_) => AF_INET6,
    }
}

/// Generates the message type table.
macro_rules! msg_types {
    ($( $C:ident = $v:literal, $name:literal, $fixed:expr, $set:expr; )*) => {
        $(
            #[doc = concat!("`", $name, "`")]
            pub const $C: u16 = $v;
        )*
        /// The name of an rtnetlink message type (`RTM_NEWLINK`).
        pub fn msg_type_name(ty: u16) -> Option<&'static str> {
            match ty { $($v => Some($name),)* _ => None }
        }
        /// The family header (`ifinfomsg`) that starts the payload of an
        /// rtnetlink message of this type, field by field.
        pub fn fixed_header(ty: u16) -> Option<&'static FixedHeader> {
            match ty { $($v => Some($fixed),)* _ => None }
        }
        /// The attribute set that follows the family header of this message type.
        pub fn attr_set(ty: u16) -> Option<&'static AttrSet> {
            match ty { $($v => $set,)* _ => None }
        }
        /// Every known rtnetlink message type.
        pub const MSG_TYPES: &[u16] = &[$($v),*];
    };
}

/// The size of the family header (`ifinfomsg`: 16) that starts the
/// payload of an rtnetlink message of this type.
pub fn fixed_header_len(ty: u16) -> Option<usize> {
    fixed_header(ty).map(|h| h.size)
}

/// The message type called `name` (`RTM_GETLINK`, any case).
pub fn msg_type_from_name(name: &str) -> Option<u16> {
    MSG_TYPES
        .iter()
        .copied()
        .find(|&t| msg_type_name(t).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// What the high flag bits of a message of this type mean: rtnetlink
/// types come in fours (NEW, DEL, GET, SET).
pub fn flag_context(ty: u16) -> wire::FlagContext {
    match ty % 4 {
        1 => wire::FlagContext::Delete,
        2 => wire::FlagContext::Get,
        _ => wire::FlagContext::New,
    }
}

use addr::IFADDRMSG as IFADDR;
use link::IFINFOMSG as IFINFO;
use neigh::NDMSG;
use nexthop::NHMSG;
use other::{
    BR_PORT_MSG, BR_VLAN_MSG, DCBMSG, IFADDRLBLMSG, IF_STATS_MSG, NDTMSG, NDUSEROPTMSG, PREFIXMSG,
    RTGENMSG as RTGEN, TCAMSG, TCMSG, TUNNEL_MSG,
};
use routes::RTMSG;
use rule::FIB_RULE_HDR as FIBRULE;

msg_types! {
    RTM_NEWLINK = 16, "RTM_NEWLINK", &IFINFO, Some(&link::LINK_SET);
    RTM_DELLINK = 17, "RTM_DELLINK", &IFINFO, Some(&link::LINK_SET);
    RTM_GETLINK = 18, "RTM_GETLINK", &IFINFO, Some(&link::LINK_SET);
    RTM_SETLINK = 19, "RTM_SETLINK", &IFINFO, Some(&link::LINK_SET);
    RTM_NEWADDR = 20, "RTM_NEWADDR", &IFADDR, Some(&addr::ADDR_SET);
    RTM_DELADDR = 21, "RTM_DELADDR", &IFADDR, Some(&addr::ADDR_SET);
    RTM_GETADDR = 22, "RTM_GETADDR", &IFADDR, Some(&addr::ADDR_SET);
    RTM_NEWROUTE = 24, "RTM_NEWROUTE", &RTMSG, Some(&routes::RTA_SET);
    RTM_DELROUTE = 25, "RTM_DELROUTE", &RTMSG, Some(&routes::RTA_SET);
    RTM_GETROUTE = 26, "RTM_GETROUTE", &RTMSG, Some(&routes::RTA_SET);
    RTM_NEWNEIGH = 28, "RTM_NEWNEIGH", &NDMSG, Some(&neigh::NDA_SET);
    RTM_DELNEIGH = 29, "RTM_DELNEIGH", &NDMSG, Some(&neigh::NDA_SET);
    RTM_GETNEIGH = 30, "RTM_GETNEIGH", &NDMSG, Some(&neigh::NDA_SET);
    RTM_NEWRULE = 32, "RTM_NEWRULE", &FIBRULE, Some(&rule::FRA_SET);
    RTM_DELRULE = 33, "RTM_DELRULE", &FIBRULE, Some(&rule::FRA_SET);
    RTM_GETRULE = 34, "RTM_GETRULE", &FIBRULE, Some(&rule::FRA_SET);
    RTM_NEWQDISC = 36, "RTM_NEWQDISC", &TCMSG, Some(&other::TCA_SET);
    RTM_DELQDISC = 37, "RTM_DELQDISC", &TCMSG, Some(&other::TCA_SET);
    RTM_GETQDISC = 38, "RTM_GETQDISC", &TCMSG, Some(&other::TCA_SET);
    RTM_NEWTCLASS = 40, "RTM_NEWTCLASS", &TCMSG, Some(&other::TCA_SET);
    RTM_DELTCLASS = 41, "RTM_DELTCLASS", &TCMSG, Some(&other::TCA_SET);
    RTM_GETTCLASS = 42, "RTM_GETTCLASS", &TCMSG, Some(&other::TCA_SET);
    RTM_NEWTFILTER = 44, "RTM_NEWTFILTER", &TCMSG, Some(&other::TCA_SET);
    RTM_DELTFILTER = 45, "RTM_DELTFILTER", &TCMSG, Some(&other::TCA_SET);
    RTM_GETTFILTER = 46, "RTM_GETTFILTER", &TCMSG, Some(&other::TCA_SET);
    RTM_NEWACTION = 48, "RTM_NEWACTION", &TCAMSG, None;
    RTM_DELACTION = 49, "RTM_DELACTION", &TCAMSG, None;
    RTM_GETACTION = 50, "RTM_GETACTION", &TCAMSG, None;
    RTM_NEWPREFIX = 52, "RTM_NEWPREFIX", &PREFIXMSG, None;
    RTM_GETMULTICAST = 58, "RTM_GETMULTICAST", &IFADDR, Some(&addr::ADDR_SET);
    RTM_GETANYCAST = 62, "RTM_GETANYCAST", &IFADDR, Some(&addr::ADDR_SET);
    RTM_NEWNEIGHTBL = 64, "RTM_NEWNEIGHTBL", &NDTMSG, None;
    RTM_GETNEIGHTBL = 66, "RTM_GETNEIGHTBL", &NDTMSG, None;
    RTM_SETNEIGHTBL = 67, "RTM_SETNEIGHTBL", &NDTMSG, None;
    RTM_NEWNDUSEROPT = 68, "RTM_NEWNDUSEROPT", &NDUSEROPTMSG, None;
    RTM_NEWADDRLABEL = 72, "RTM_NEWADDRLABEL", &IFADDRLBLMSG, None;
    RTM_DELADDRLABEL = 73, "RTM_DELADDRLABEL", &IFADDRLBLMSG, None;
    RTM_GETADDRLABEL = 74, "RTM_GETADDRLABEL", &IFADDRLBLMSG, None;
    RTM_GETDCB = 78, "RTM_GETDCB", &DCBMSG, None;
    RTM_SETDCB = 79, "RTM_SETDCB", &DCBMSG, None;
    RTM_NEWNETCONF = 80, "RTM_NEWNETCONF", &netconf::NETCONFMSG, Some(&netconf::NETCONFA_SET);
    RTM_DELNETCONF = 81, "RTM_DELNETCONF", &netconf::NETCONFMSG, Some(&netconf::NETCONFA_SET);
    RTM_GETNETCONF = 82, "RTM_GETNETCONF", &netconf::NETCONFMSG, Some(&netconf::NETCONFA_SET);
    RTM_NEWMDB = 84, "RTM_NEWMDB", &BR_PORT_MSG, None;
    RTM_DELMDB = 85, "RTM_DELMDB", &BR_PORT_MSG, None;
    RTM_GETMDB = 86, "RTM_GETMDB", &BR_PORT_MSG, None;
    RTM_NEWNSID = 88, "RTM_NEWNSID", &RTGEN, Some(&other::NETNSA_SET);
    RTM_DELNSID = 89, "RTM_DELNSID", &RTGEN, Some(&other::NETNSA_SET);
    RTM_GETNSID = 90, "RTM_GETNSID", &RTGEN, Some(&other::NETNSA_SET);
    RTM_NEWSTATS = 92, "RTM_NEWSTATS", &IF_STATS_MSG, None;
    RTM_GETSTATS = 94, "RTM_GETSTATS", &IF_STATS_MSG, None;
    RTM_SETSTATS = 95, "RTM_SETSTATS", &IF_STATS_MSG, None;
    RTM_NEWCACHEREPORT = 96, "RTM_NEWCACHEREPORT", &RTGEN, None;
    RTM_NEWCHAIN = 100, "RTM_NEWCHAIN", &TCMSG, Some(&other::TCA_SET);
    RTM_DELCHAIN = 101, "RTM_DELCHAIN", &TCMSG, Some(&other::TCA_SET);
    RTM_GETCHAIN = 102, "RTM_GETCHAIN", &TCMSG, Some(&other::TCA_SET);
    RTM_NEWNEXTHOP = 104, "RTM_NEWNEXTHOP", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_DELNEXTHOP = 105, "RTM_DELNEXTHOP", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_GETNEXTHOP = 106, "RTM_GETNEXTHOP", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_NEWLINKPROP = 108, "RTM_NEWLINKPROP", &IFINFO, Some(&link::LINK_SET);
    RTM_DELLINKPROP = 109, "RTM_DELLINKPROP", &IFINFO, Some(&link::LINK_SET);
    RTM_GETLINKPROP = 110, "RTM_GETLINKPROP", &IFINFO, Some(&link::LINK_SET);
    RTM_NEWVLAN = 112, "RTM_NEWVLAN", &BR_VLAN_MSG, None;
    RTM_DELVLAN = 113, "RTM_DELVLAN", &BR_VLAN_MSG, None;
    RTM_GETVLAN = 114, "RTM_GETVLAN", &BR_VLAN_MSG, None;
    RTM_NEWNEXTHOPBUCKET = 116, "RTM_NEWNEXTHOPBUCKET", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_DELNEXTHOPBUCKET = 117, "RTM_DELNEXTHOPBUCKET", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_GETNEXTHOPBUCKET = 118, "RTM_GETNEXTHOPBUCKET", &NHMSG, Some(&nexthop::NHA_SET);
    RTM_NEWTUNNEL = 120, "RTM_NEWTUNNEL", &TUNNEL_MSG, None;
    RTM_DELTUNNEL = 121, "RTM_DELTUNNEL", &TUNNEL_MSG, None;
    RTM_GETTUNNEL = 122, "RTM_GETTUNNEL", &TUNNEL_MSG, None;
}

/// The constant name of the attribute at `path` (types at each nesting
/// level) in a message of type `msg_type`: `[4]` in `RTM_NEWLINK` is
/// `IFLA_MTU`. `IFLA_INFO_DATA` children need the link kind: see
/// [`attr_path_name`].
pub fn attr_name(msg_type: u16, path: &[u16]) -> Option<&'static str> {
    let (&last, parents) = path.split_last()?;
    let set = match parents {
        [] => attr_set(msg_type)?,
        _ => attr_set(msg_type)?.resolve(parents, None).set?,
    };
    set.name_of(last)
}

/// The whole path's name (`IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID`);
/// `info_kind` (`vxlan`) resolves `IFLA_INFO_DATA`.
pub fn attr_path_name(msg_type: u16, path: &[u16], info_kind: Option<&str>) -> Option<String> {
    attr_set(msg_type)?.path_name(path, info_kind)
}

/// Describes the family header at the start of `payload` for a message of
/// type `msg_type`, iproute2-style (`family inet dst_len 24 table main
/// proto static scope global type unicast`); `None` if the type is not one
/// of links, addresses, routes, neighbours, rules or nexthops, or the
/// payload is too short.
pub fn describe_fixed(msg_type: u16, payload: &[u8]) -> Option<String> {
    use zerocopy::FromBytes;
    let fam = |f: u8| family_name(f).map(str::to_string).unwrap_or(f.to_string());
    Some(match msg_type {
        16..=19 | 108..=110 => {
            let (h, _) = IfInfoMsg::ref_from_prefix(payload).ok()?;
            format!(
                "family {} type {} index {} flags {} change {:#x}",
                fam(h.family),
                h.ty.get(),
                h.index.get(),
                link::iff_names(h.flags.get()).join(","),
                h.change.get()
            )
        }
        20..=22 | 58 | 62 => {
            let (h, _) = IfAddrMsg::ref_from_prefix(payload).ok()?;
            format!(
                "family {} prefixlen {} flags {} scope {} index {}",
                fam(h.family),
                h.prefixlen,
                addr::ifa_flag_names(u32::from(h.flags)).join(","),
                scope_str(h.scope),
                h.index.get()
            )
        }
        24..=26 => {
            let (h, _) = RtMsg::ref_from_prefix(payload).ok()?;
            format!(
                "family {} dst_len {} src_len {} tos {} table {} proto {} scope {} type {} flags {:#x}",
                fam(h.family),
                h.dst_len,
                h.src_len,
                h.tos,
                table_str(u32::from(h.table)),
                protocol_str(h.protocol),
                scope_str(h.scope),
                route_type_str(h.ty),
                h.flags.get()
            )
        }
        28..=30 => {
            let (h, _) = NdMsg::ref_from_prefix(payload).ok()?;
            format!(
                "family {} ifindex {} state {} flags {} type {}",
                fam(h.family),
                h.ifindex.get(),
                neigh::nud_names(h.state.get()).join(","),
                neigh::ntf_names(h.flags).join(","),
                h.ty
            )
        }
        32..=34 => {
            let (h, _) = FibRuleHdr::ref_from_prefix(payload).ok()?;
            format!(
                "family {} dst_len {} src_len {} tos {} table {} action {} flags {:#x}",
                fam(h.family),
                h.dst_len,
                h.src_len,
                h.tos,
                table_str(u32::from(h.table)),
                rule::action_str(h.action),
                h.flags.get()
            )
        }
        104..=106 => {
            let (h, _) = NhMsg::ref_from_prefix(payload).ok()?;
            format!(
                "family {} scope {} protocol {} flags {:#x}",
                fam(h.family),
                scope_str(h.scope),
                protocol_str(h.protocol),
                h.flags.get()
            )
        }
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Names shared by several objects (iproute2's words).

/// `RT_SCOPE_UNIVERSE`.
pub const RT_SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_SITE`.
pub const RT_SCOPE_SITE: u8 = 200;
/// `RT_SCOPE_LINK`.
pub const RT_SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`.
pub const RT_SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`.
pub const RT_SCOPE_NOWHERE: u8 = 255;

value_names! {
    /// iproute2's name of a scope (`global`, `link`, `host`).
    scope_name, parse_scope, u8 {
        RT_SCOPE_UNIVERSE => "global",
        RT_SCOPE_SITE => "site",
        RT_SCOPE_LINK => "link",
        RT_SCOPE_HOST => "host",
        RT_SCOPE_NOWHERE => "nowhere",
    }
}

/// Scopes by their constant names (`RT_SCOPE_LINK`), for decoders.
#[rustfmt::skip]
pub const SCOPE_NAMES: Names = &[
    (0, "RT_SCOPE_UNIVERSE"), (200, "RT_SCOPE_SITE"), (253, "RT_SCOPE_LINK"),
    (254, "RT_SCOPE_HOST"), (255, "RT_SCOPE_NOWHERE"),
];

/// A scope's name, or its number.
pub fn scope_str(s: u8) -> String {
    scope_name(s).map(str::to_string).unwrap_or(s.to_string())
}

/// `RTN_UNICAST` and friends: route types.
pub mod rtn {
    /// `RTN_UNSPEC`
    pub const UNSPEC: u8 = 0;
    /// `RTN_UNICAST`
    pub const UNICAST: u8 = 1;
    /// `RTN_LOCAL`
    pub const LOCAL: u8 = 2;
    /// `RTN_BROADCAST`
    pub const BROADCAST: u8 = 3;
    /// `RTN_ANYCAST`
    pub const ANYCAST: u8 = 4;
    /// `RTN_MULTICAST`
    pub const MULTICAST: u8 = 5;
    /// `RTN_BLACKHOLE`
    pub const BLACKHOLE: u8 = 6;
    /// `RTN_UNREACHABLE`
    pub const UNREACHABLE: u8 = 7;
    /// `RTN_PROHIBIT`
    pub const PROHIBIT: u8 = 8;
    /// `RTN_THROW`
    pub const THROW: u8 = 9;
    /// `RTN_NAT`
    pub const NAT: u8 = 10;
    /// `RTN_XRESOLVE`
    pub const XRESOLVE: u8 = 11;
}

value_names! {
    /// iproute2's name of a route type (`unicast`, `local`, `blackhole`).
    route_type_name, parse_route_type, u8 {
        rtn::UNSPEC => "none",
        rtn::UNICAST => "unicast",
        rtn::LOCAL => "local",
        rtn::BROADCAST => "broadcast",
        rtn::ANYCAST => "anycast",
        rtn::MULTICAST => "multicast",
        rtn::BLACKHOLE => "blackhole",
        rtn::UNREACHABLE => "unreachable",
        rtn::PROHIBIT => "prohibit",
        rtn::THROW => "throw",
        rtn::NAT => "nat",
        rtn::XRESOLVE => "xresolve",
    }
}

/// Route types by their constant names (`RTN_UNICAST`), for decoders.
#[rustfmt::skip]
pub const RTN_NAMES: Names = &[
    (0, "RTN_UNSPEC"), (1, "RTN_UNICAST"), (2, "RTN_LOCAL"), (3, "RTN_BROADCAST"),
    (4, "RTN_ANYCAST"), (5, "RTN_MULTICAST"), (6, "RTN_BLACKHOLE"), (7, "RTN_UNREACHABLE"),
    (8, "RTN_PROHIBIT"), (9, "RTN_THROW"), (10, "RTN_NAT"), (11, "RTN_XRESOLVE"),
];

/// A route type's name, or its number.
pub fn route_type_str(t: u8) -> String {
    route_type_name(t)
        .map(str::to_string)
        .unwrap_or(t.to_string())
}

/// `RTPROT_*`: who installed a route.
pub mod rtprot {
    /// `RTPROT_UNSPEC`
    pub const UNSPEC: u8 = 0;
    /// `RTPROT_REDIRECT`
    pub const REDIRECT: u8 = 1;
    /// `RTPROT_KERNEL`
    pub const KERNEL: u8 = 2;
    /// `RTPROT_BOOT` (the default for `ip route add`)
    pub const BOOT: u8 = 3;
    /// `RTPROT_STATIC`
    pub const STATIC: u8 = 4;
    /// `RTPROT_RA`
    pub const RA: u8 = 9;
    /// `RTPROT_DHCP`
    pub const DHCP: u8 = 16;
}

value_names! {
    /// iproute2's name of a route protocol (`kernel`, `boot`, `static`).
    protocol_name, parse_protocol, u8 {
        0 => "unspec",
        1 => "redirect",
        2 => "kernel",
        3 => "boot",
        4 => "static",
        8 => "gated",
        9 => "ra",
        10 => "mrt",
        11 => "zebra",
        12 => "bird",
        13 => "dnrouted",
        14 => "xorp",
        15 => "ntk",
        16 => "dhcp",
        17 => "mrouted",
        18 => "keepalived",
        42 => "babel",
        99 => "openr",
        186 => "bgp",
        187 => "isis",
        188 => "ospf",
        189 => "rip",
        192 => "eigrp",
    }
}

/// Route protocols by their constant names (`RTPROT_KERNEL`), for decoders.
#[rustfmt::skip]
pub const RTPROT_NAMES: Names = &[
    (0, "RTPROT_UNSPEC"), (1, "RTPROT_REDIRECT"), (2, "RTPROT_KERNEL"), (3, "RTPROT_BOOT"),
    (4, "RTPROT_STATIC"), (8, "RTPROT_GATED"), (9, "RTPROT_RA"), (10, "RTPROT_MRT"),
    (11, "RTPROT_ZEBRA"), (12, "RTPROT_BIRD"), (13, "RTPROT_DNROUTED"), (14, "RTPROT_XORP"),
    (15, "RTPROT_NTK"), (16, "RTPROT_DHCP"), (17, "RTPROT_MROUTED"), (18, "RTPROT_KEEPALIVED"),
    (42, "RTPROT_BABEL"), (99, "RTPROT_OPENR"), (186, "RTPROT_BGP"), (187, "RTPROT_ISIS"),
    (188, "RTPROT_OSPF"), (189, "RTPROT_RIP"), (192, "RTPROT_EIGRP"),
];

/// A protocol's name, or its number.
pub fn protocol_str(p: u8) -> String {
    protocol_name(p)
        .map(str::to_string)
        .unwrap_or(p.to_string())
}

/// `RT_TABLE_MAIN`.
pub const RT_TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`.
pub const RT_TABLE_LOCAL: u32 = 255;
/// `RT_TABLE_DEFAULT`.
pub const RT_TABLE_DEFAULT: u32 = 253;
/// `RT_TABLE_UNSPEC`.
pub const RT_TABLE_UNSPEC: u32 = 0;

value_names! {
    /// iproute2's name of a routing table (`main`, `local`, `default`).
    table_name, parse_table, u32 {
        RT_TABLE_UNSPEC => "unspec",
        252 => "compat",
        RT_TABLE_DEFAULT => "default",
        RT_TABLE_MAIN => "main",
        RT_TABLE_LOCAL => "local",
    }
}

/// Tables by their constant names (`RT_TABLE_MAIN`), for decoders.
#[rustfmt::skip]
pub const TABLE_NAMES: Names = &[
    (0, "RT_TABLE_UNSPEC"), (252, "RT_TABLE_COMPAT"), (253, "RT_TABLE_DEFAULT"),
    (254, "RT_TABLE_MAIN"), (255, "RT_TABLE_LOCAL"),
];

/// A table's name, or its number.
pub fn table_str(t: u32) -> String {
    table_name(t).map(str::to_string).unwrap_or(t.to_string())
}

/// Names of the bits set in `v`, in table order; bits without a name are
/// shown as one hex number at the end.
pub(crate) fn bit_names(v: u32, table: &[(u32, &'static str)]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for &(bit, name) in table {
        if v & bit == bit && bit != 0 {
            out.push(name);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Prefixes.

/// An IP prefix: an address and a prefix length no longer than the
/// address. `0.0.0.0/0` is shown as `default`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// A prefix; `None` if `len` is longer than the address (33 for IPv4).
    pub fn new(addr: IpAddr, len: u8) -> Option<Prefix> {
        (len <= max_len(&addr)).then_some(Prefix { addr, len })
    }
    /// A host prefix (/32 or /128).
    pub fn host(addr: IpAddr) -> Prefix {
        Prefix {
            len: max_len(&addr),
            addr,
        }
    }
    /// The default route of a family (`0.0.0.0/0` or `::/0`).
    pub fn default_for(family: u8) -> Prefix {
        let addr = if family == AF_INET6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        };
        Prefix { addr, len: 0 }
    }
    /// The address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }
    /// The prefix length.
    pub fn len(&self) -> u8 {
        self.len
    }
    /// True for a /0.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// `AF_INET` or `AF_INET6`.
    pub fn family(&self) -> u8 {
        family_of(&self.addr)
    }
    /// True if `ip` is of this prefix's family and its first `len` bits are
    /// the prefix's (`10.0.0.0/8` contains `10.1.2.3`; a /0 contains every
    /// address of its family).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        fn first_bits(a: &[u8], b: &[u8], len: usize) -> bool {
            let (whole, rest) = (len / 8, len % 8);
            a[..whole] == b[..whole]
                && (rest == 0 || (a[whole] ^ b[whole]) & (0xffu8 << (8 - rest)) == 0)
        }
        let len = usize::from(self.len);
        match (self.addr, ip) {
            (IpAddr::V4(p), IpAddr::V4(a)) => first_bits(&p.octets(), &a.octets(), len),
            (IpAddr::V6(p), IpAddr::V6(a)) => first_bits(&p.octets(), &a.octets(), len),
            _ => false,
        }
    }
    /// True if the address has no bits set beyond the prefix length.
    pub fn is_network(&self) -> bool {
        let bits = |o: &[u8]| {
            o.iter().enumerate().all(|(i, b)| {
                let start = i * 8;
                let keep = (self.len as usize).saturating_sub(start).min(8);
                let mask = if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
                b & !mask == 0
            })
        };
        match self.addr {
            IpAddr::V4(a) => bits(&a.octets()),
            IpAddr::V6(a) => bits(&a.octets()),
        }
    }
}

fn max_len(a: &IpAddr) -> u8 {
    if a.is_ipv4() {
        32
    } else {
        128
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 && self.addr.is_unspecified() {
            f.write_str("default")
        } else if self.len == max_len(&self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.len)
        }
    }
}

/// A prefix that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixError(pub String);

impl fmt::Display for PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid prefix {:?}", self.0)
    }
}
impl std::error::Error for PrefixError {}

impl From<PrefixError> for crate::Error {
    fn from(e: PrefixError) -> crate::Error {
        crate::Error::Invalid(e.to_string())
    }
}

/// An address as iproute2 reads one in a prefix (`get_addr_ipv4`): IPv6 as
/// usual; IPv4 as one to four dot-separated parts, each a C number (`10`,
/// `0x0b`, `010` is octal 8) up to 255, the missing parts zero, so `10/8`,
/// `10.1/16` and `0/0` are what ip makes of them. `10.`, `10..1` are refused.
fn parse_addr_like_ip(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let mut out = [0u8; 4];
    for (i, part) in s.split('.').enumerate() {
        let slot = out.get_mut(i)?;
        let n = if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (!h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(h, 16).ok())??
        } else if part.len() > 1 && part.starts_with('0') {
            part.bytes()
                .all(|b| (b'0'..=b'7').contains(&b))
                .then(|| u32::from_str_radix(part, 8).ok())??
        } else {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u32>().ok())??
        };
        *slot = u8::try_from(n).ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(out)))
}

impl FromStr for Prefix {
    type Err = PrefixError;
    /// `10.0.0.0/8`, `fd00::/64`, a bare address (a host prefix), or `default` (IPv4).
    fn from_str(s: &str) -> Result<Prefix, PrefixError> {
        let err = || PrefixError(s.to_string());
        if s == "default" || s == "all" || s == "any" {
            return Ok(Prefix::default_for(AF_INET));
        }
        match s.split_once('/') {
            None => parse_addr_like_ip(s).map(Prefix::host).ok_or_else(err),
            Some((a, l)) => {
                let addr = parse_addr_like_ip(a).ok_or_else(err)?;
                if l.is_empty() || !l.bytes().all(|b| b.is_ascii_digit()) || l.len() > 3 {
                    return Err(err());
                }
                let len: u8 = l.parse().map_err(|_| err())?;
                Prefix::new(addr, len).ok_or_else(err)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Writing helpers.

/// Small helpers over [`MsgWriter`] for optional attributes.
pub(crate) trait WriteExt {
    fn opt_u16(&mut self, kind: u16, v: Option<u16>) -> wire::Result<()>;
    fn opt_u32(&mut self, kind: u16, v: Option<u32>) -> wire::Result<()>;
    fn opt_u64(&mut self, kind: u16, v: Option<u64>) -> wire::Result<()>;
    fn opt_str(&mut self, kind: u16, v: Option<&str>) -> wire::Result<()>;
    fn opt_ip(&mut self, kind: u16, v: Option<IpAddr>) -> wire::Result<()>;
    fn opt_flag(&mut self, kind: u16, v: bool) -> wire::Result<()>;
}

impl WriteExt for MsgWriter<'_> {
    fn opt_u16(&mut self, kind: u16, v: Option<u16>) -> wire::Result<()> {
        v.map_or(Ok(()), |v| self.attr_u16(kind, v).map(drop))
    }
    fn opt_u32(&mut self, kind: u16, v: Option<u32>) -> wire::Result<()> {
        v.map_or(Ok(()), |v| self.attr_u32(kind, v).map(drop))
    }
    fn opt_u64(&mut self, kind: u16, v: Option<u64>) -> wire::Result<()> {
        v.map_or(Ok(()), |v| self.attr_u64(kind, v).map(drop))
    }
    fn opt_str(&mut self, kind: u16, v: Option<&str>) -> wire::Result<()> {
        v.map_or(Ok(()), |v| self.attr_str(kind, v).map(drop))
    }
    fn opt_ip(&mut self, kind: u16, v: Option<IpAddr>) -> wire::Result<()> {
        v.map_or(Ok(()), |v| self.attr_ip(kind, v).map(drop))
    }
    fn opt_flag(&mut self, kind: u16, v: bool) -> wire::Result<()> {
        if v {
            self.attr_flag(kind)?;
        }
        Ok(())
    }
}

/// Where the attributes of a message start, given its family header size.
pub(crate) fn attrs_at(fixed: usize) -> usize {
    wire::NLMSG_HDRLEN + wire::align(fixed)
}

pub(crate) use crate::schema::split_header;

/// What a NEW request does to an existing object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewMode {
    /// `NLM_F_CREATE | NLM_F_EXCL`: fail with `EEXIST` if it exists (`ip ... add`).
    Add,
    /// `NLM_F_CREATE | NLM_F_REPLACE` (`ip ... replace`).
    Replace,
    /// `NLM_F_CREATE | NLM_F_APPEND` (`ip route append`).
    Append,
    /// No create flags: change an existing object (`ip link set`).
    Change,
    /// `NLM_F_REPLACE` alone: modify an existing object, never create one;
    /// `ENOENT` when there is none (`ip route change`, `ip neigh change`).
    Modify,
}

impl NewMode {
    pub(crate) fn flags(self) -> u16 {
        use crate::wire::MsgFlags as F;
        match self {
            NewMode::Add => F::CREATE | F::EXCL,
            NewMode::Replace => F::CREATE | F::REPLACE,
            NewMode::Append => F::CREATE | F::APPEND,
            NewMode::Change => 0,
            NewMode::Modify => F::REPLACE,
        }
    }
    pub(crate) fn verb(self) -> &'static str {
        match self {
            NewMode::Add => "add",
            NewMode::Replace => "replace",
            NewMode::Append => "append",
            NewMode::Change | NewMode::Modify => "change",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let p: Prefix = "10.1.0.0/24".parse().unwrap();
        assert_eq!(p.len(), 24);
        assert_eq!(p.to_string(), "10.1.0.0/24");
        assert!(p.is_network());
        assert!(!"10.1.0.1/24".parse::<Prefix>().unwrap().is_network());
        assert_eq!("10.1.0.1".parse::<Prefix>().unwrap().len(), 32);
        assert_eq!("default".parse::<Prefix>().unwrap().to_string(), "default");
        assert_eq!("fd00::/64".parse::<Prefix>().unwrap().len(), 64);
        for bad in [
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0.0/",
            "10./8",
            "10..1/8",
            "1.2.3.4.5",
            "256/8",
            "0x/8",
            "08/8",
            "x/1",
            "1.2.3.4/-1",
        ] {
            assert!(bad.parse::<Prefix>().is_err(), "{bad}");
        }
        assert!(Prefix::new("1.2.3.4".parse().unwrap(), 33).is_none());
        // iproute2's short and C-number forms (checked against ip 6.1).
        for (short, full) in [
            ("10.0.0/8", "10.0.0.0/8"),
            ("10.1/16", "10.1.0.0/16"),
            ("010.2.0.0/16", "8.2.0.0/16"),
            ("0x0b/8", "11.0.0.0/8"),
            ("0/0", "default"),
            ("10.1", "10.1.0.0/32"),
        ] {
            let p = short.parse::<Prefix>().unwrap();
            let want = full.parse::<Prefix>().unwrap();
            assert_eq!((p.addr(), p.len()), (want.addr(), want.len()), "{short}");
        }
    }

    #[test]
    fn prefix_contains() {
        let p = |s: &str| s.parse::<Prefix>().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(p("10.0.0.0/30").contains(&ip("10.0.0.3")));
        assert!(!p("10.0.0.0/30").contains(&ip("10.0.0.4")));
        assert!(p("10.0.0.0/8").contains(&ip("10.255.1.2")));
        assert!(
            p("10.0.0.1/29").contains(&ip("10.0.0.6")),
            "host bits ignored"
        );
        assert!(p("0.0.0.0/0").contains(&ip("192.0.2.1")));
        assert!(!p("0.0.0.0/0").contains(&ip("fd00::1")), "another family");
        assert!(p("10.0.1.1").contains(&ip("10.0.1.1")));
        assert!(!p("10.0.1.1").contains(&ip("10.0.1.0")));
        assert!(p("fd00::/16").contains(&ip("fd00:1::2")));
        assert!(!p("fd00::/17").contains(&ip("fd00:8000::1")));
        assert!(p("fd00::1/128").contains(&ip("fd00::1")));
    }

    #[test]
    fn names() {
        assert_eq!(msg_type_name(16), Some("RTM_NEWLINK"));
        assert_eq!(msg_type_name(106), Some("RTM_GETNEXTHOP"));
        assert_eq!(fixed_header_len(RTM_NEWROUTE), Some(12));
        assert_eq!(fixed_header_len(RTM_NEWADDR), Some(8));
        assert_eq!(fixed_header_len(RTM_NEWRULE), Some(12));
        assert_eq!(attr_name(RTM_NEWLINK, &[4]), Some("IFLA_MTU"));
        assert_eq!(attr_name(RTM_NEWROUTE, &[8, 2]), Some("RTAX_MTU"));
        assert_eq!(attr_name(RTM_NEWLINK, &[18, 1]), Some("IFLA_INFO_KIND"));
        assert_eq!(
            attr_path_name(RTM_NEWLINK, &[18, 2, 1], Some("vxlan")).as_deref(),
            Some("IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID")
        );
        assert_eq!(scope_name(253), Some("link"));
        assert_eq!(parse_scope("host"), Some(254));
        assert_eq!(route_type_name(6), Some("blackhole"));
        assert_eq!(protocol_name(2), Some("kernel"));
        assert_eq!(parse_table("main"), Some(254));
        assert_eq!(parse_table("100"), Some(100));
        assert_eq!(table_str(100), "100");
    }
}
