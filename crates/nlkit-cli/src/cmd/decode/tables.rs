//! What the decoder knows about message types, fixed headers and attributes,
//! per protocol: rtnetlink (`RTM_*`, `IFLA_*`, `IFA_*`, `RTA_*`, `NDA_*`,
//! `FRA_*`, `NHA_*`...) and generic netlink (`genlmsghdr`, `nlctrl`).
//!
//! Everything goes through one function, [`message_spec`], so that these
//! stop-gap tables can be swapped for `nlkit::route`'s own once that family
//! lands without touching the decoder. Names are the kernel's constant names
//! (`/usr/include/linux/rtnetlink.h`, `if_link.h`, `if_addr.h`, `neighbour.h`,
//! `fib_rules.h`, `nexthop.h`, `genetlink.h`) so they stay searchable.

use nlkit::wire::{FlagContext, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
use nlkit::Protocol;

/// Value names or flag names for an integer: `(value, name)`.
pub type Names = &'static [(u64, &'static str)];

/// Integer encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Int {
    U8,
    U16,
    U32,
    U64,
    S32,
    S64,
    /// Big-endian `u16` (a port).
    BeU16,
    /// `NLA_UINT`: 4 or 8 bytes.
    Uint,
}

impl Int {
    /// Payload size, `None` for variable (`Uint`).
    pub fn size(self) -> Option<usize> {
        Some(match self {
            Int::U8 => 1,
            Int::U16 | Int::BeU16 => 2,
            Int::U32 | Int::S32 => 4,
            Int::U64 | Int::S64 => 8,
            Int::Uint => return None,
        })
    }
}

/// How to show an attribute's payload.
#[derive(Debug)]
pub enum Val {
    /// An integer.
    Int(Int),
    /// An integer with value names.
    Enum(Int, Names),
    /// An integer made of flag bits.
    Bits(Int, Names),
    /// A string (NUL-terminated or not).
    Str,
    /// An IPv4 or IPv6 address (4 or 16 bytes).
    Ip,
    /// A link-layer address of any length (`00:11:22:33:44:55`).
    Lladdr,
    /// A flag: present, no payload.
    Flag,
    /// Opaque bytes.
    Binary,
    /// A C struct of counters, all of one width, with field names.
    Counters(Int, &'static [&'static str]),
    /// An array of integers.
    List(Int),
    /// A nested set with known names.
    Nested(&'static AttrSet),
    /// A nested set whose member names depend on something else (`IFLA_INFO_DATA`).
    NestedAny,
    /// A nested array: members are indexes, each holding `Val`.
    Array(&'static Val),
}

/// One attribute of a set.
#[derive(Debug)]
pub struct AttrDef {
    /// `nla_type`, without flags.
    pub kind: u16,
    /// The kernel's constant name.
    pub name: &'static str,
    /// How to show the payload.
    pub val: Val,
}

/// An attribute set.
#[derive(Debug)]
pub struct AttrSet {
    /// Short name of the set (`link`).
    #[allow(dead_code)] // shown by tests and kept for the swap to nlkit::route
    pub name: &'static str,
    /// Its members.
    pub attrs: &'static [AttrDef],
}

impl AttrSet {
    /// The member of type `kind`.
    pub fn get(&self, kind: u16) -> Option<&'static AttrDef> {
        self.attrs.iter().find(|a| a.kind == kind)
    }
}

/// How to show a field of a fixed header.
#[derive(Debug)]
pub enum Fmt {
    /// Decimal.
    Dec,
    /// Signed decimal.
    Signed,
    /// Hex.
    Hex,
    /// Named values.
    Enum(Names),
    /// Flag bits.
    Bits(Names),
}

/// One field of a fixed header.
#[derive(Debug)]
pub struct Field {
    /// Field name as in the C struct.
    pub name: &'static str,
    /// Byte offset in the struct.
    pub off: usize,
    /// Size: 1, 2 or 4 (native-endian).
    pub size: usize,
    /// Display.
    pub fmt: Fmt,
}

/// A family's fixed header (`struct ifinfomsg`...).
#[derive(Debug)]
pub struct FixedHdr {
    /// C struct name.
    pub name: &'static str,
    /// `sizeof` (before alignment).
    pub size: usize,
    /// Fields worth showing (padding left out).
    pub fields: &'static [Field],
}

/// What the tables say about one message.
#[derive(Debug, Clone, Copy)]
pub struct MsgSpec {
    /// Type name (`RTM_NEWLINK`, `NLMSG_ERROR`, `nlctrl`), if known.
    pub name: Option<&'static str>,
    /// Which meaning the high flag bits have.
    pub flag_ctx: FlagContext,
    /// The fixed header after `nlmsghdr`, if the protocol has one.
    pub fixed: Option<&'static FixedHdr>,
    /// True if attributes follow the fixed header.
    pub has_attrs: bool,
    /// Attribute names, when known.
    pub attrs: Option<&'static AttrSet>,
}

impl MsgSpec {
    const RAW: MsgSpec = MsgSpec {
        name: None,
        flag_ctx: FlagContext::Unknown,
        fixed: None,
        has_attrs: false,
        attrs: None,
    };
}

/// Everything the tables know about a message of type `ty` on `proto`;
/// `payload` is the message payload (generic netlink looks at the command).
///
/// This is the one entry point: replace its body to use `nlkit::route`'s
/// tables when they exist.
pub fn message_spec(proto: Protocol, ty: u16, payload: &[u8]) -> MsgSpec {
    let ctrl = |name| MsgSpec {
        name: Some(name),
        flag_ctx: FlagContext::Ack,
        ..MsgSpec::RAW
    };
    match ty {
        NLMSG_NOOP => {
            return MsgSpec {
                flag_ctx: FlagContext::Unknown,
                ..ctrl("NLMSG_NOOP")
            }
        }
        NLMSG_ERROR => return ctrl("NLMSG_ERROR"),
        NLMSG_DONE => return ctrl("NLMSG_DONE"),
        NLMSG_OVERRUN => return ctrl("NLMSG_OVERRUN"),
        _ => {}
    }
    match proto {
        Protocol::ROUTE => route_spec(ty),
        Protocol::GENERIC => genl_spec(ty, payload),
        _ => MsgSpec::RAW,
    }
}

// ---------------------------------------------------------------- rtnetlink

fn route_spec(ty: u16) -> MsgSpec {
    let Some(&(_, name, fixed, attrs)) = RTM_TYPES.iter().find(|(t, ..)| *t == ty) else {
        return MsgSpec::RAW;
    };
    // Types come in fours: NEW, DEL, GET, SET.
    let flag_ctx = match ty % 4 {
        0 => FlagContext::New,
        1 => FlagContext::Delete,
        2 => FlagContext::Get,
        _ => FlagContext::New,
    };
    MsgSpec {
        name: Some(name),
        flag_ctx,
        fixed,
        has_attrs: true,
        attrs,
    }
}

type RtmEntry = (
    u16,
    &'static str,
    Option<&'static FixedHdr>,
    Option<&'static AttrSet>,
);

#[rustfmt::skip]
static RTM_TYPES: &[RtmEntry] = &[
    (16, "RTM_NEWLINK", Some(&IFINFOMSG), Some(&IFLA)),
    (17, "RTM_DELLINK", Some(&IFINFOMSG), Some(&IFLA)),
    (18, "RTM_GETLINK", Some(&IFINFOMSG), Some(&IFLA)),
    (19, "RTM_SETLINK", Some(&IFINFOMSG), Some(&IFLA)),
    (20, "RTM_NEWADDR", Some(&IFADDRMSG), Some(&IFA)),
    (21, "RTM_DELADDR", Some(&IFADDRMSG), Some(&IFA)),
    (22, "RTM_GETADDR", Some(&IFADDRMSG), Some(&IFA)),
    (24, "RTM_NEWROUTE", Some(&RTMSG), Some(&RTA)),
    (25, "RTM_DELROUTE", Some(&RTMSG), Some(&RTA)),
    (26, "RTM_GETROUTE", Some(&RTMSG), Some(&RTA)),
    (28, "RTM_NEWNEIGH", Some(&NDMSG), Some(&NDA)),
    (29, "RTM_DELNEIGH", Some(&NDMSG), Some(&NDA)),
    (30, "RTM_GETNEIGH", Some(&NDMSG), Some(&NDA)),
    (32, "RTM_NEWRULE", Some(&FIB_RULE_HDR), Some(&FRA)),
    (33, "RTM_DELRULE", Some(&FIB_RULE_HDR), Some(&FRA)),
    (34, "RTM_GETRULE", Some(&FIB_RULE_HDR), Some(&FRA)),
    (36, "RTM_NEWQDISC", Some(&TCMSG), Some(&TCA)),
    (37, "RTM_DELQDISC", Some(&TCMSG), Some(&TCA)),
    (38, "RTM_GETQDISC", Some(&TCMSG), Some(&TCA)),
    (40, "RTM_NEWTCLASS", Some(&TCMSG), Some(&TCA)),
    (41, "RTM_DELTCLASS", Some(&TCMSG), Some(&TCA)),
    (42, "RTM_GETTCLASS", Some(&TCMSG), Some(&TCA)),
    (44, "RTM_NEWTFILTER", Some(&TCMSG), Some(&TCA)),
    (45, "RTM_DELTFILTER", Some(&TCMSG), Some(&TCA)),
    (46, "RTM_GETTFILTER", Some(&TCMSG), Some(&TCA)),
    (48, "RTM_NEWACTION", Some(&TCAMSG), None),
    (49, "RTM_DELACTION", Some(&TCAMSG), None),
    (50, "RTM_GETACTION", Some(&TCAMSG), None),
    (52, "RTM_NEWPREFIX", Some(&PREFIXMSG), None),
    (58, "RTM_GETMULTICAST", Some(&IFADDRMSG), Some(&IFA)),
    (62, "RTM_GETANYCAST", Some(&IFADDRMSG), Some(&IFA)),
    (64, "RTM_NEWNEIGHTBL", Some(&NDTMSG), None),
    (66, "RTM_GETNEIGHTBL", Some(&NDTMSG), None),
    (67, "RTM_SETNEIGHTBL", Some(&NDTMSG), None),
    (68, "RTM_NEWNDUSEROPT", Some(&NDUSEROPTMSG), None),
    (72, "RTM_NEWADDRLABEL", Some(&IFADDRLBLMSG), None),
    (73, "RTM_DELADDRLABEL", Some(&IFADDRLBLMSG), None),
    (74, "RTM_GETADDRLABEL", Some(&IFADDRLBLMSG), None),
    (78, "RTM_GETDCB", Some(&DCBMSG), None),
    (79, "RTM_SETDCB", Some(&DCBMSG), None),
    (80, "RTM_NEWNETCONF", Some(&NETCONFMSG), Some(&NETCONFA)),
    (81, "RTM_DELNETCONF", Some(&NETCONFMSG), Some(&NETCONFA)),
    (82, "RTM_GETNETCONF", Some(&NETCONFMSG), Some(&NETCONFA)),
    (84, "RTM_NEWMDB", Some(&BR_PORT_MSG), None),
    (85, "RTM_DELMDB", Some(&BR_PORT_MSG), None),
    (86, "RTM_GETMDB", Some(&BR_PORT_MSG), None),
    (88, "RTM_NEWNSID", Some(&RTGENMSG), Some(&NETNSA)),
    (89, "RTM_DELNSID", Some(&RTGENMSG), Some(&NETNSA)),
    (90, "RTM_GETNSID", Some(&RTGENMSG), Some(&NETNSA)),
    (92, "RTM_NEWSTATS", Some(&IF_STATS_MSG), None),
    (94, "RTM_GETSTATS", Some(&IF_STATS_MSG), None),
    (95, "RTM_SETSTATS", Some(&IF_STATS_MSG), None),
    (96, "RTM_NEWCACHEREPORT", None, None),
    (100, "RTM_NEWCHAIN", Some(&TCMSG), Some(&TCA)),
    (101, "RTM_DELCHAIN", Some(&TCMSG), Some(&TCA)),
    (102, "RTM_GETCHAIN", Some(&TCMSG), Some(&TCA)),
    (104, "RTM_NEWNEXTHOP", Some(&NHMSG), Some(&NHA)),
    (105, "RTM_DELNEXTHOP", Some(&NHMSG), Some(&NHA)),
    (106, "RTM_GETNEXTHOP", Some(&NHMSG), Some(&NHA)),
    (108, "RTM_NEWLINKPROP", Some(&IFINFOMSG), Some(&IFLA)),
    (109, "RTM_DELLINKPROP", Some(&IFINFOMSG), Some(&IFLA)),
    (110, "RTM_GETLINKPROP", Some(&IFINFOMSG), Some(&IFLA)),
    (112, "RTM_NEWVLAN", Some(&BR_VLAN_MSG), None),
    (113, "RTM_DELVLAN", Some(&BR_VLAN_MSG), None),
    (114, "RTM_GETVLAN", Some(&BR_VLAN_MSG), None),
    (116, "RTM_NEWNEXTHOPBUCKET", Some(&NHMSG), Some(&NHA)),
    (117, "RTM_DELNEXTHOPBUCKET", Some(&NHMSG), Some(&NHA)),
    (118, "RTM_GETNEXTHOPBUCKET", Some(&NHMSG), Some(&NHA)),
    (120, "RTM_NEWTUNNEL", Some(&TUNNEL_MSG), None),
    (121, "RTM_DELTUNNEL", Some(&TUNNEL_MSG), None),
    (122, "RTM_GETTUNNEL", Some(&TUNNEL_MSG), None),
];

/// Address families (`AF_*`).
#[rustfmt::skip]
pub static FAMILIES: Names = &[
    (0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (7, "AF_BRIDGE"), (10, "AF_INET6"),
    (16, "AF_NETLINK"), (17, "AF_PACKET"), (28, "AF_MPLS"), (128, "RTNL_FAMILY_IPMR"),
    (129, "RTNL_FAMILY_IP6MR"),
];

#[rustfmt::skip]
static ARPHRD: Names = &[
    (1, "ETHER"), (24, "IEEE1394"), (32, "INFINIBAND"), (768, "TUNNEL"), (769, "TUNNEL6"),
    (772, "LOOPBACK"), (776, "SIT"), (778, "IPGRE"), (823, "IP6GRE"), (65534, "NONE"),
    (65535, "VOID"),
];

#[rustfmt::skip]
static IFF: Names = &[
    (0x1, "UP"), (0x2, "BROADCAST"), (0x4, "DEBUG"), (0x8, "LOOPBACK"), (0x10, "POINTOPOINT"),
    (0x20, "NOTRAILERS"), (0x40, "RUNNING"), (0x80, "NOARP"), (0x100, "PROMISC"),
    (0x200, "ALLMULTI"), (0x400, "MASTER"), (0x800, "SLAVE"), (0x1000, "MULTICAST"),
    (0x2000, "PORTSEL"), (0x4000, "AUTOMEDIA"), (0x8000, "DYNAMIC"), (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"), (0x40000, "ECHO"),
];

#[rustfmt::skip]
static IFA_F: Names = &[
    (0x1, "SECONDARY"), (0x2, "NODAD"), (0x4, "OPTIMISTIC"), (0x8, "DADFAILED"),
    (0x10, "HOMEADDRESS"), (0x20, "DEPRECATED"), (0x40, "TENTATIVE"), (0x80, "PERMANENT"),
    (0x100, "MANAGETEMPADDR"), (0x200, "NOPREFIXROUTE"), (0x400, "MCAUTOJOIN"),
    (0x800, "STABLE_PRIVACY"),
];

#[rustfmt::skip]
static SCOPES: Names = &[
    (0, "RT_SCOPE_UNIVERSE"), (200, "RT_SCOPE_SITE"), (253, "RT_SCOPE_LINK"),
    (254, "RT_SCOPE_HOST"), (255, "RT_SCOPE_NOWHERE"),
];

#[rustfmt::skip]
static TABLES: Names = &[
    (0, "RT_TABLE_UNSPEC"), (252, "RT_TABLE_COMPAT"), (253, "RT_TABLE_DEFAULT"),
    (254, "RT_TABLE_MAIN"), (255, "RT_TABLE_LOCAL"),
];

#[rustfmt::skip]
static RTPROT: Names = &[
    (0, "RTPROT_UNSPEC"), (1, "RTPROT_REDIRECT"), (2, "RTPROT_KERNEL"), (3, "RTPROT_BOOT"),
    (4, "RTPROT_STATIC"), (8, "RTPROT_GATED"), (9, "RTPROT_RA"), (10, "RTPROT_MRT"),
    (11, "RTPROT_ZEBRA"), (12, "RTPROT_BIRD"), (13, "RTPROT_DNROUTED"), (14, "RTPROT_XORP"),
    (15, "RTPROT_NTK"), (16, "RTPROT_DHCP"), (17, "RTPROT_MROUTED"), (18, "RTPROT_KEEPALIVED"),
    (42, "RTPROT_BABEL"), (99, "RTPROT_OPENR"), (186, "RTPROT_BGP"), (187, "RTPROT_ISIS"),
    (188, "RTPROT_OSPF"), (189, "RTPROT_RIP"), (192, "RTPROT_EIGRP"),
];

#[rustfmt::skip]
static RTN: Names = &[
    (0, "RTN_UNSPEC"), (1, "RTN_UNICAST"), (2, "RTN_LOCAL"), (3, "RTN_BROADCAST"),
    (4, "RTN_ANYCAST"), (5, "RTN_MULTICAST"), (6, "RTN_BLACKHOLE"), (7, "RTN_UNREACHABLE"),
    (8, "RTN_PROHIBIT"), (9, "RTN_THROW"), (10, "RTN_NAT"), (11, "RTN_XRESOLVE"),
];

#[rustfmt::skip]
static RTM_F: Names = &[
    (0x1, "RTNH_F_DEAD"), (0x2, "RTNH_F_PERVASIVE"), (0x4, "RTNH_F_ONLINK"),
    (0x8, "RTNH_F_OFFLOAD"), (0x10, "RTNH_F_LINKDOWN"), (0x20, "RTNH_F_UNRESOLVED"),
    (0x40, "RTNH_F_TRAP"), (0x100, "RTM_F_NOTIFY"), (0x200, "RTM_F_CLONED"),
    (0x400, "RTM_F_EQUALIZE"), (0x800, "RTM_F_PREFIX"), (0x1000, "RTM_F_LOOKUP_TABLE"),
    (0x2000, "RTM_F_FIB_MATCH"), (0x4000, "RTM_F_OFFLOAD"), (0x8000, "RTM_F_TRAP"),
    (0x20000000, "RTM_F_OFFLOAD_FAILED"),
];

#[rustfmt::skip]
static NUD: Names = &[
    (0x1, "INCOMPLETE"), (0x2, "REACHABLE"), (0x4, "STALE"), (0x8, "DELAY"), (0x10, "PROBE"),
    (0x20, "FAILED"), (0x40, "NOARP"), (0x80, "PERMANENT"),
];

#[rustfmt::skip]
static NTF: Names = &[
    (0x1, "USE"), (0x2, "SELF"), (0x4, "MASTER"), (0x8, "PROXY"), (0x10, "EXT_LEARNED"),
    (0x20, "OFFLOADED"), (0x40, "STICKY"), (0x80, "ROUTER"),
];

#[rustfmt::skip]
static FR_ACT: Names = &[
    (0, "FR_ACT_UNSPEC"), (1, "FR_ACT_TO_TBL"), (2, "FR_ACT_GOTO"), (3, "FR_ACT_NOP"),
    (6, "FR_ACT_BLACKHOLE"), (7, "FR_ACT_UNREACHABLE"), (8, "FR_ACT_PROHIBIT"),
];

#[rustfmt::skip]
static OPERSTATE: Names = &[
    (0, "UNKNOWN"), (1, "NOTPRESENT"), (2, "DOWN"), (3, "LOWERLAYERDOWN"), (4, "TESTING"),
    (5, "DORMANT"), (6, "UP"),
];

static LINKMODE: Names = &[(0, "DEFAULT"), (1, "DORMANT"), (2, "TESTING")];

const fn f(name: &'static str, off: usize, size: usize, fmt: Fmt) -> Field {
    Field {
        name,
        off,
        size,
        fmt,
    }
}

const FAMILY: Fmt = Fmt::Enum(FAMILIES);

static IFINFOMSG: FixedHdr = FixedHdr {
    name: "ifinfomsg",
    size: 16,
    fields: &[
        f("ifi_family", 0, 1, FAMILY),
        f("ifi_type", 2, 2, Fmt::Enum(ARPHRD)),
        f("ifi_index", 4, 4, Fmt::Signed),
        f("ifi_flags", 8, 4, Fmt::Bits(IFF)),
        f("ifi_change", 12, 4, Fmt::Hex),
    ],
};

static IFADDRMSG: FixedHdr = FixedHdr {
    name: "ifaddrmsg",
    size: 8,
    fields: &[
        f("ifa_family", 0, 1, FAMILY),
        f("ifa_prefixlen", 1, 1, Fmt::Dec),
        f("ifa_flags", 2, 1, Fmt::Bits(IFA_F)),
        f("ifa_scope", 3, 1, Fmt::Enum(SCOPES)),
        f("ifa_index", 4, 4, Fmt::Dec),
    ],
};

static RTMSG: FixedHdr = FixedHdr {
    name: "rtmsg",
    size: 12,
    fields: &[
        f("rtm_family", 0, 1, FAMILY),
        f("rtm_dst_len", 1, 1, Fmt::Dec),
        f("rtm_src_len", 2, 1, Fmt::Dec),
        f("rtm_tos", 3, 1, Fmt::Hex),
        f("rtm_table", 4, 1, Fmt::Enum(TABLES)),
        f("rtm_protocol", 5, 1, Fmt::Enum(RTPROT)),
        f("rtm_scope", 6, 1, Fmt::Enum(SCOPES)),
        f("rtm_type", 7, 1, Fmt::Enum(RTN)),
        f("rtm_flags", 8, 4, Fmt::Bits(RTM_F)),
    ],
};

static NDMSG: FixedHdr = FixedHdr {
    name: "ndmsg",
    size: 12,
    fields: &[
        f("ndm_family", 0, 1, FAMILY),
        f("ndm_ifindex", 4, 4, Fmt::Signed),
        f("ndm_state", 8, 2, Fmt::Bits(NUD)),
        f("ndm_flags", 10, 1, Fmt::Bits(NTF)),
        f("ndm_type", 11, 1, Fmt::Enum(RTN)),
    ],
};

static FIB_RULE_HDR: FixedHdr = FixedHdr {
    name: "fib_rule_hdr",
    size: 12,
    fields: &[
        f("family", 0, 1, FAMILY),
        f("dst_len", 1, 1, Fmt::Dec),
        f("src_len", 2, 1, Fmt::Dec),
        f("tos", 3, 1, Fmt::Hex),
        f("table", 4, 1, Fmt::Enum(TABLES)),
        f("action", 7, 1, Fmt::Enum(FR_ACT)),
        f("flags", 8, 4, Fmt::Hex),
    ],
};

static NHMSG: FixedHdr = FixedHdr {
    name: "nhmsg",
    size: 8,
    fields: &[
        f("nh_family", 0, 1, FAMILY),
        f("nh_scope", 1, 1, Fmt::Enum(SCOPES)),
        f("nh_protocol", 2, 1, Fmt::Enum(RTPROT)),
        f("nh_flags", 4, 4, Fmt::Bits(RTM_F)),
    ],
};

static TCMSG: FixedHdr = FixedHdr {
    name: "tcmsg",
    size: 20,
    fields: &[
        f("tcm_family", 0, 1, FAMILY),
        f("tcm_ifindex", 4, 4, Fmt::Signed),
        f("tcm_handle", 8, 4, Fmt::Hex),
        f("tcm_parent", 12, 4, Fmt::Hex),
        f("tcm_info", 16, 4, Fmt::Hex),
    ],
};

static TCAMSG: FixedHdr = FixedHdr {
    name: "tcamsg",
    size: 4,
    fields: &[f("tca_family", 0, 1, FAMILY)],
};

static RTGENMSG: FixedHdr = FixedHdr {
    name: "rtgenmsg",
    size: 1,
    fields: &[f("rtgen_family", 0, 1, FAMILY)],
};

static NETCONFMSG: FixedHdr = FixedHdr {
    name: "netconfmsg",
    size: 1,
    fields: &[f("ncm_family", 0, 1, FAMILY)],
};

static NDTMSG: FixedHdr = FixedHdr {
    name: "ndtmsg",
    size: 4,
    fields: &[f("ndtm_family", 0, 1, FAMILY)],
};

static DCBMSG: FixedHdr = FixedHdr {
    name: "dcbmsg",
    size: 4,
    fields: &[f("dcb_family", 0, 1, FAMILY), f("cmd", 1, 1, Fmt::Dec)],
};

static PREFIXMSG: FixedHdr = FixedHdr {
    name: "prefixmsg",
    size: 12,
    fields: &[
        f("prefix_family", 0, 1, FAMILY),
        f("prefix_ifindex", 4, 4, Fmt::Signed),
        f("prefix_type", 8, 1, Fmt::Dec),
        f("prefix_len", 9, 1, Fmt::Dec),
        f("prefix_flags", 10, 1, Fmt::Hex),
    ],
};

static NDUSEROPTMSG: FixedHdr = FixedHdr {
    name: "nduseroptmsg",
    size: 16,
    fields: &[
        f("nduseropt_family", 0, 1, FAMILY),
        f("nduseropt_opts_len", 2, 2, Fmt::Dec),
        f("nduseropt_ifindex", 4, 4, Fmt::Signed),
        f("nduseropt_icmp_type", 8, 1, Fmt::Dec),
        f("nduseropt_icmp_code", 9, 1, Fmt::Dec),
    ],
};

static IFADDRLBLMSG: FixedHdr = FixedHdr {
    name: "ifaddrlblmsg",
    size: 12,
    fields: &[
        f("ifal_family", 0, 1, FAMILY),
        f("ifal_prefixlen", 2, 1, Fmt::Dec),
        f("ifal_flags", 3, 1, Fmt::Hex),
        f("ifal_index", 4, 4, Fmt::Dec),
        f("ifal_seq", 8, 4, Fmt::Dec),
    ],
};

static BR_PORT_MSG: FixedHdr = FixedHdr {
    name: "br_port_msg",
    size: 8,
    fields: &[f("family", 0, 1, FAMILY), f("ifindex", 4, 4, Fmt::Dec)],
};

static BR_VLAN_MSG: FixedHdr = FixedHdr {
    name: "br_vlan_msg",
    size: 8,
    fields: &[f("family", 0, 1, FAMILY), f("ifindex", 4, 4, Fmt::Dec)],
};

static TUNNEL_MSG: FixedHdr = FixedHdr {
    name: "tunnel_msg",
    size: 8,
    fields: &[
        f("family", 0, 1, FAMILY),
        f("flags", 1, 1, Fmt::Hex),
        f("ifindex", 4, 4, Fmt::Dec),
    ],
};

static IF_STATS_MSG: FixedHdr = FixedHdr {
    name: "if_stats_msg",
    size: 12,
    fields: &[
        f("family", 0, 1, FAMILY),
        f("ifindex", 4, 4, Fmt::Dec),
        f("filter_mask", 8, 4, Fmt::Hex),
    ],
};

const fn a(kind: u16, name: &'static str, val: Val) -> AttrDef {
    AttrDef { kind, name, val }
}

const U8: Val = Val::Int(Int::U8);
const U16: Val = Val::Int(Int::U16);
const U32: Val = Val::Int(Int::U32);
const U64: Val = Val::Int(Int::U64);
const S32: Val = Val::Int(Int::S32);

#[rustfmt::skip]
static STATS_FIELDS: &[&str] = &[
    "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped",
    "tx_dropped", "multicast", "collisions", "rx_length_errors", "rx_over_errors",
    "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors",
    "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
    "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler", "rx_otherhost_dropped",
];

/// `IFLA_*`: links.
#[rustfmt::skip]
pub static IFLA: AttrSet = AttrSet { name: "link", attrs: &[
    a(1, "IFLA_ADDRESS", Val::Lladdr),
    a(2, "IFLA_BROADCAST", Val::Lladdr),
    a(3, "IFLA_IFNAME", Val::Str),
    a(4, "IFLA_MTU", U32),
    a(5, "IFLA_LINK", U32),
    a(6, "IFLA_QDISC", Val::Str),
    a(7, "IFLA_STATS", Val::Counters(Int::U32, STATS_FIELDS)),
    a(8, "IFLA_COST", Val::Binary),
    a(9, "IFLA_PRIORITY", Val::Binary),
    a(10, "IFLA_MASTER", U32),
    a(11, "IFLA_WIRELESS", Val::Binary),
    a(12, "IFLA_PROTINFO", Val::NestedAny),
    a(13, "IFLA_TXQLEN", U32),
    a(14, "IFLA_MAP", Val::Binary),
    a(15, "IFLA_WEIGHT", U32),
    a(16, "IFLA_OPERSTATE", Val::Enum(Int::U8, OPERSTATE)),
    a(17, "IFLA_LINKMODE", Val::Enum(Int::U8, LINKMODE)),
    a(18, "IFLA_LINKINFO", Val::Nested(&IFLA_INFO)),
    a(19, "IFLA_NET_NS_PID", U32),
    a(20, "IFLA_IFALIAS", Val::Str),
    a(21, "IFLA_NUM_VF", U32),
    a(22, "IFLA_VFINFO_LIST", Val::NestedAny),
    a(23, "IFLA_STATS64", Val::Counters(Int::U64, STATS_FIELDS)),
    a(24, "IFLA_VF_PORTS", Val::NestedAny),
    a(25, "IFLA_PORT_SELF", Val::NestedAny),
    a(26, "IFLA_AF_SPEC", Val::Nested(&IFLA_AF_SPEC)),
    a(27, "IFLA_GROUP", U32),
    a(28, "IFLA_NET_NS_FD", U32),
    a(29, "IFLA_EXT_MASK", U32),
    a(30, "IFLA_PROMISCUITY", U32),
    a(31, "IFLA_NUM_TX_QUEUES", U32),
    a(32, "IFLA_NUM_RX_QUEUES", U32),
    a(33, "IFLA_CARRIER", U8),
    a(34, "IFLA_PHYS_PORT_ID", Val::Binary),
    a(35, "IFLA_CARRIER_CHANGES", U32),
    a(36, "IFLA_PHYS_SWITCH_ID", Val::Binary),
    a(37, "IFLA_LINK_NETNSID", S32),
    a(38, "IFLA_PHYS_PORT_NAME", Val::Str),
    a(39, "IFLA_PROTO_DOWN", U8),
    a(40, "IFLA_GSO_MAX_SEGS", U32),
    a(41, "IFLA_GSO_MAX_SIZE", U32),
    a(42, "IFLA_PAD", Val::Binary),
    a(43, "IFLA_XDP", Val::Nested(&IFLA_XDP)),
    a(44, "IFLA_EVENT", U32),
    a(45, "IFLA_NEW_NETNSID", S32),
    a(46, "IFLA_TARGET_NETNSID", S32),
    a(47, "IFLA_CARRIER_UP_COUNT", U32),
    a(48, "IFLA_CARRIER_DOWN_COUNT", U32),
    a(49, "IFLA_NEW_IFINDEX", S32),
    a(50, "IFLA_MIN_MTU", U32),
    a(51, "IFLA_MAX_MTU", U32),
    a(52, "IFLA_PROP_LIST", Val::Nested(&IFLA_PROP_LIST)),
    a(53, "IFLA_ALT_IFNAME", Val::Str),
    a(54, "IFLA_PERM_ADDRESS", Val::Lladdr),
    a(55, "IFLA_PROTO_DOWN_REASON", Val::NestedAny),
    a(56, "IFLA_PARENT_DEV_NAME", Val::Str),
    a(57, "IFLA_PARENT_DEV_BUS_NAME", Val::Str),
    a(58, "IFLA_GRO_MAX_SIZE", U32),
    a(59, "IFLA_TSO_MAX_SIZE", U32),
    a(60, "IFLA_TSO_MAX_SEGS", U32),
    a(61, "IFLA_ALLMULTI", U32),
    a(62, "IFLA_DEVLINK_PORT", Val::NestedAny),
    a(63, "IFLA_GSO_IPV4_MAX_SIZE", U32),
    a(64, "IFLA_GRO_IPV4_MAX_SIZE", U32),
    a(65, "IFLA_DPLL_PIN", Val::NestedAny),
    a(66, "IFLA_MAX_PACING_OFFLOAD_HORIZON", Val::Int(Int::Uint)),
    a(67, "IFLA_NETNS_IMMUTABLE", U8),
    a(68, "IFLA_HEADROOM", U16),
    a(69, "IFLA_TAILROOM", U16),
]};

#[rustfmt::skip]
static IFLA_INFO: AttrSet = AttrSet { name: "linkinfo", attrs: &[
    a(1, "IFLA_INFO_KIND", Val::Str),
    a(2, "IFLA_INFO_DATA", Val::NestedAny),
    a(3, "IFLA_INFO_XSTATS", Val::Binary),
    a(4, "IFLA_INFO_SLAVE_KIND", Val::Str),
    a(5, "IFLA_INFO_SLAVE_DATA", Val::NestedAny),
]};

#[rustfmt::skip]
static IFLA_XDP: AttrSet = AttrSet { name: "xdp", attrs: &[
    a(1, "IFLA_XDP_FD", S32),
    a(2, "IFLA_XDP_ATTACHED", Val::Enum(Int::U8, &[(0, "NONE"), (1, "DRV"), (2, "SKB"), (3, "HW"), (4, "MULTI")])),
    a(3, "IFLA_XDP_FLAGS", Val::Int(Int::U32)),
    a(4, "IFLA_XDP_PROG_ID", U32),
    a(5, "IFLA_XDP_DRV_PROG_ID", U32),
    a(6, "IFLA_XDP_SKB_PROG_ID", U32),
    a(7, "IFLA_XDP_HW_PROG_ID", U32),
    a(8, "IFLA_XDP_EXPECTED_FD", S32),
]};

#[rustfmt::skip]
static IFLA_PROP_LIST: AttrSet = AttrSet { name: "prop_list", attrs: &[
    a(53, "IFLA_ALT_IFNAME", Val::Str),
]};

#[rustfmt::skip]
static IFLA_AF_SPEC: AttrSet = AttrSet { name: "af_spec", attrs: &[
    a(2, "AF_INET", Val::Nested(&IFLA_INET)),
    a(7, "AF_BRIDGE", Val::NestedAny),
    a(10, "AF_INET6", Val::Nested(&IFLA_INET6)),
    a(28, "AF_MPLS", Val::NestedAny),
]};

#[rustfmt::skip]
static IFLA_INET: AttrSet = AttrSet { name: "inet", attrs: &[
    a(1, "IFLA_INET_CONF", Val::List(Int::U32)),
]};

#[rustfmt::skip]
static IFLA_INET6: AttrSet = AttrSet { name: "inet6", attrs: &[
    a(1, "IFLA_INET6_FLAGS", Val::Bits(Int::U32, &[(0x10, "RS_SENT"), (0x20, "RA_RCVD"), (0x40, "RA_MANAGED"), (0x80, "RA_OTHERCONF"), (0x80000000, "READY")])),
    a(2, "IFLA_INET6_CONF", Val::List(Int::S32)),
    a(3, "IFLA_INET6_STATS", Val::List(Int::U64)),
    a(4, "IFLA_INET6_MCAST", Val::Binary),
    a(5, "IFLA_INET6_CACHEINFO", Val::Counters(Int::U32, &["max_reasm_len", "tstamp", "reachable_time", "retrans_time"])),
    a(6, "IFLA_INET6_ICMP6STATS", Val::List(Int::U64)),
    a(7, "IFLA_INET6_TOKEN", Val::Ip),
    a(8, "IFLA_INET6_ADDR_GEN_MODE", Val::Enum(Int::U8, &[(0, "EUI64"), (1, "NONE"), (2, "STABLE_PRIVACY"), (3, "RANDOM")])),
    a(9, "IFLA_INET6_RA_MTU", U32),
]};

/// `IFA_*`: addresses.
#[rustfmt::skip]
pub static IFA: AttrSet = AttrSet { name: "addr", attrs: &[
    a(1, "IFA_ADDRESS", Val::Ip),
    a(2, "IFA_LOCAL", Val::Ip),
    a(3, "IFA_LABEL", Val::Str),
    a(4, "IFA_BROADCAST", Val::Ip),
    a(5, "IFA_ANYCAST", Val::Ip),
    a(6, "IFA_CACHEINFO", Val::Counters(Int::U32, &["ifa_prefered", "ifa_valid", "cstamp", "tstamp"])),
    a(7, "IFA_MULTICAST", Val::Ip),
    a(8, "IFA_FLAGS", Val::Bits(Int::U32, IFA_F)),
    a(9, "IFA_RT_PRIORITY", U32),
    a(10, "IFA_TARGET_NETNSID", S32),
    a(11, "IFA_PROTO", U8),
]};

#[rustfmt::skip]
static RTAX: AttrSet = AttrSet { name: "metrics", attrs: &[
    a(1, "RTAX_LOCK", U32),
    a(2, "RTAX_MTU", U32),
    a(3, "RTAX_WINDOW", U32),
    a(4, "RTAX_RTT", U32),
    a(5, "RTAX_RTTVAR", U32),
    a(6, "RTAX_SSTHRESH", U32),
    a(7, "RTAX_CWND", U32),
    a(8, "RTAX_ADVMSS", U32),
    a(9, "RTAX_REORDERING", U32),
    a(10, "RTAX_HOPLIMIT", U32),
    a(11, "RTAX_INITCWND", U32),
    a(12, "RTAX_FEATURES", U32),
    a(13, "RTAX_RTO_MIN", U32),
    a(14, "RTAX_INITRWND", U32),
    a(15, "RTAX_QUICKACK", U32),
    a(16, "RTAX_CC_ALGO", Val::Str),
    a(17, "RTAX_FASTOPEN_NO_COOKIE", U32),
]};

/// `RTA_*`: routes.
#[rustfmt::skip]
pub static RTA: AttrSet = AttrSet { name: "route", attrs: &[
    a(1, "RTA_DST", Val::Ip),
    a(2, "RTA_SRC", Val::Ip),
    a(3, "RTA_IIF", U32),
    a(4, "RTA_OIF", U32),
    a(5, "RTA_GATEWAY", Val::Ip),
    a(6, "RTA_PRIORITY", U32),
    a(7, "RTA_PREFSRC", Val::Ip),
    a(8, "RTA_METRICS", Val::Nested(&RTAX)),
    a(9, "RTA_MULTIPATH", Val::Binary),
    a(10, "RTA_PROTOINFO", Val::Binary),
    a(11, "RTA_FLOW", U32),
    a(12, "RTA_CACHEINFO", Val::Counters(Int::U32, &["rta_clntref", "rta_lastuse", "rta_expires", "rta_error", "rta_used", "rta_id", "rta_ts", "rta_tsage"])),
    a(13, "RTA_SESSION", Val::Binary),
    a(14, "RTA_MP_ALGO", Val::Binary),
    a(15, "RTA_TABLE", Val::Enum(Int::U32, TABLES)),
    a(16, "RTA_MARK", U32),
    a(17, "RTA_MFC_STATS", Val::Counters(Int::U64, &["mfcs_packets", "mfcs_bytes", "mfcs_wrong_if"])),
    a(18, "RTA_VIA", Val::Binary),
    a(19, "RTA_NEWDST", Val::Binary),
    a(20, "RTA_PREF", Val::Enum(Int::U8, &[(0, "MEDIUM"), (1, "HIGH"), (3, "LOW")])),
    a(21, "RTA_ENCAP_TYPE", U16),
    a(22, "RTA_ENCAP", Val::NestedAny),
    a(23, "RTA_EXPIRES", U32),
    a(24, "RTA_PAD", Val::Binary),
    a(25, "RTA_UID", U32),
    a(26, "RTA_TTL_PROPAGATE", U8),
    a(27, "RTA_IP_PROTO", U8),
    a(28, "RTA_SPORT", Val::Int(Int::BeU16)),
    a(29, "RTA_DPORT", Val::Int(Int::BeU16)),
    a(30, "RTA_NH_ID", U32),
]};

/// `NDA_*`: neighbours.
#[rustfmt::skip]
pub static NDA: AttrSet = AttrSet { name: "neigh", attrs: &[
    a(1, "NDA_DST", Val::Ip),
    a(2, "NDA_LLADDR", Val::Lladdr),
    a(3, "NDA_CACHEINFO", Val::Counters(Int::U32, &["ndm_confirmed", "ndm_used", "ndm_updated", "ndm_refcnt"])),
    a(4, "NDA_PROBES", U32),
    a(5, "NDA_VLAN", U16),
    a(6, "NDA_PORT", Val::Int(Int::BeU16)),
    a(7, "NDA_VNI", U32),
    a(8, "NDA_IFINDEX", U32),
    a(9, "NDA_MASTER", U32),
    a(10, "NDA_LINK_NETNSID", S32),
    a(11, "NDA_SRC_VNI", U32),
    a(12, "NDA_PROTOCOL", Val::Enum(Int::U8, RTPROT)),
    a(13, "NDA_NH_ID", U32),
    a(14, "NDA_FDB_EXT_ATTRS", Val::NestedAny),
    a(15, "NDA_FLAGS_EXT", Val::Int(Int::U32)),
    a(16, "NDA_NDM_STATE_MASK", U16),
    a(17, "NDA_NDM_FLAGS_MASK", U8),
]};

/// `FRA_*`: policy routing rules.
#[rustfmt::skip]
pub static FRA: AttrSet = AttrSet { name: "rule", attrs: &[
    a(1, "FRA_DST", Val::Ip),
    a(2, "FRA_SRC", Val::Ip),
    a(3, "FRA_IIFNAME", Val::Str),
    a(4, "FRA_GOTO", U32),
    a(6, "FRA_PRIORITY", U32),
    a(10, "FRA_FWMARK", U32),
    a(11, "FRA_FLOW", U32),
    a(12, "FRA_TUN_ID", Val::Binary),
    a(13, "FRA_SUPPRESS_IFGROUP", U32),
    a(14, "FRA_SUPPRESS_PREFIXLEN", U32),
    a(15, "FRA_TABLE", Val::Enum(Int::U32, TABLES)),
    a(16, "FRA_FWMASK", U32),
    a(17, "FRA_OIFNAME", Val::Str),
    a(18, "FRA_PAD", Val::Binary),
    a(19, "FRA_L3MDEV", U8),
    a(20, "FRA_UID_RANGE", Val::Counters(Int::U32, &["start", "end"])),
    a(21, "FRA_PROTOCOL", Val::Enum(Int::U8, RTPROT)),
    a(22, "FRA_IP_PROTO", U8),
    a(23, "FRA_SPORT_RANGE", Val::Counters(Int::U16, &["start", "end"])),
    a(24, "FRA_DPORT_RANGE", Val::Counters(Int::U16, &["start", "end"])),
]};

/// `NHA_*`: nexthops.
#[rustfmt::skip]
pub static NHA: AttrSet = AttrSet { name: "nexthop", attrs: &[
    a(1, "NHA_ID", U32),
    a(2, "NHA_GROUP", Val::Binary),
    a(3, "NHA_GROUP_TYPE", U16),
    a(4, "NHA_BLACKHOLE", Val::Flag),
    a(5, "NHA_OIF", U32),
    a(6, "NHA_GATEWAY", Val::Ip),
    a(7, "NHA_ENCAP_TYPE", U16),
    a(8, "NHA_ENCAP", Val::NestedAny),
    a(9, "NHA_GROUPS", Val::Flag),
    a(10, "NHA_MASTER", U32),
    a(11, "NHA_FDB", Val::Flag),
    a(12, "NHA_RES_GROUP", Val::NestedAny),
    a(13, "NHA_RES_BUCKET", Val::NestedAny),
]};

#[rustfmt::skip]
static TCA: AttrSet = AttrSet { name: "tc", attrs: &[
    a(1, "TCA_KIND", Val::Str),
    a(2, "TCA_OPTIONS", Val::Binary),
    a(3, "TCA_STATS", Val::Binary),
    a(4, "TCA_XSTATS", Val::Binary),
    a(5, "TCA_RATE", Val::Binary),
    a(6, "TCA_FCNT", Val::Binary),
    a(7, "TCA_STATS2", Val::NestedAny),
    a(8, "TCA_STAB", Val::NestedAny),
    a(9, "TCA_PAD", Val::Binary),
    a(10, "TCA_DUMP_INVISIBLE", Val::Flag),
    a(11, "TCA_CHAIN", U32),
    a(12, "TCA_HW_OFFLOAD", U8),
    a(13, "TCA_INGRESS_BLOCK", U32),
    a(14, "TCA_EGRESS_BLOCK", U32),
]};

#[rustfmt::skip]
static NETNSA: AttrSet = AttrSet { name: "nsid", attrs: &[
    a(1, "NETNSA_NSID", S32),
    a(2, "NETNSA_PID", U32),
    a(3, "NETNSA_FD", U32),
    a(4, "NETNSA_TARGET_NSID", S32),
    a(5, "NETNSA_CURRENT_NSID", S32),
]};

#[rustfmt::skip]
static NETCONFA: AttrSet = AttrSet { name: "netconf", attrs: &[
    a(1, "NETCONFA_IFINDEX", S32),
    a(2, "NETCONFA_FORWARDING", S32),
    a(3, "NETCONFA_RP_FILTER", S32),
    a(4, "NETCONFA_MC_FORWARDING", S32),
    a(5, "NETCONFA_PROXY_NEIGH", S32),
    a(6, "NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", S32),
    a(7, "NETCONFA_INPUT", S32),
    a(8, "NETCONFA_BC_FORWARDING", S32),
]};

// ---------------------------------------------------------- generic netlink

/// `GENL_ID_CTRL`: `nlctrl`'s fixed family id.
pub const GENL_ID_CTRL: u16 = 0x10;

#[rustfmt::skip]
static CTRL_CMDS: Names = &[
    (0, "CTRL_CMD_UNSPEC"), (1, "CTRL_CMD_NEWFAMILY"), (2, "CTRL_CMD_DELFAMILY"),
    (3, "CTRL_CMD_GETFAMILY"), (4, "CTRL_CMD_NEWOPS"), (5, "CTRL_CMD_DELOPS"),
    (6, "CTRL_CMD_GETOPS"), (7, "CTRL_CMD_NEWMCAST_GRP"), (8, "CTRL_CMD_DELMCAST_GRP"),
    (9, "CTRL_CMD_GETMCAST_GRP"), (10, "CTRL_CMD_GETPOLICY"),
];

static GENL_CTRL_HDR: FixedHdr = FixedHdr {
    name: "genlmsghdr",
    size: 4,
    fields: &[
        f("cmd", 0, 1, Fmt::Enum(CTRL_CMDS)),
        f("version", 1, 1, Fmt::Dec),
    ],
};

static GENL_HDR: FixedHdr = FixedHdr {
    name: "genlmsghdr",
    size: 4,
    fields: &[f("cmd", 0, 1, Fmt::Dec), f("version", 1, 1, Fmt::Dec)],
};

#[rustfmt::skip]
static OP_FLAGS: Names = &[
    (0x1, "GENL_ADMIN_PERM"), (0x2, "GENL_CMD_CAP_DO"), (0x4, "GENL_CMD_CAP_DUMP"),
    (0x8, "GENL_CMD_CAP_HASPOL"), (0x10, "GENL_UNS_ADMIN_PERM"),
];

#[rustfmt::skip]
static CTRL_OP: AttrSet = AttrSet { name: "ctrl-op", attrs: &[
    a(1, "CTRL_ATTR_OP_ID", U32),
    a(2, "CTRL_ATTR_OP_FLAGS", Val::Bits(Int::U32, OP_FLAGS)),
]};

#[rustfmt::skip]
static CTRL_GRP: AttrSet = AttrSet { name: "ctrl-mcast-group", attrs: &[
    a(1, "CTRL_ATTR_MCAST_GRP_NAME", Val::Str),
    a(2, "CTRL_ATTR_MCAST_GRP_ID", U32),
]};

#[rustfmt::skip]
static NL_ATTR_TYPES: Names = &[
    (0, "NL_ATTR_TYPE_INVALID"), (1, "NL_ATTR_TYPE_FLAG"), (2, "NL_ATTR_TYPE_U8"),
    (3, "NL_ATTR_TYPE_U16"), (4, "NL_ATTR_TYPE_U32"), (5, "NL_ATTR_TYPE_U64"),
    (6, "NL_ATTR_TYPE_S8"), (7, "NL_ATTR_TYPE_S16"), (8, "NL_ATTR_TYPE_S32"),
    (9, "NL_ATTR_TYPE_S64"), (10, "NL_ATTR_TYPE_BINARY"), (11, "NL_ATTR_TYPE_STRING"),
    (12, "NL_ATTR_TYPE_NUL_STRING"), (13, "NL_ATTR_TYPE_NESTED"),
    (14, "NL_ATTR_TYPE_NESTED_ARRAY"), (15, "NL_ATTR_TYPE_BITFIELD32"),
    (16, "NL_ATTR_TYPE_SINT"), (17, "NL_ATTR_TYPE_UINT"),
];

/// `NL_POLICY_TYPE_ATTR_*`: one attribute's policy.
#[rustfmt::skip]
pub static POLICY_TYPE: AttrSet = AttrSet { name: "policy-type", attrs: &[
    a(1, "NL_POLICY_TYPE_ATTR_TYPE", Val::Enum(Int::U32, NL_ATTR_TYPES)),
    a(2, "NL_POLICY_TYPE_ATTR_MIN_VALUE_S", Val::Int(Int::S64)),
    a(3, "NL_POLICY_TYPE_ATTR_MAX_VALUE_S", Val::Int(Int::S64)),
    a(4, "NL_POLICY_TYPE_ATTR_MIN_VALUE_U", U64),
    a(5, "NL_POLICY_TYPE_ATTR_MAX_VALUE_U", U64),
    a(6, "NL_POLICY_TYPE_ATTR_MIN_LENGTH", U32),
    a(7, "NL_POLICY_TYPE_ATTR_MAX_LENGTH", U32),
    a(8, "NL_POLICY_TYPE_ATTR_POLICY_IDX", U32),
    a(9, "NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", U32),
    a(10, "NL_POLICY_TYPE_ATTR_BITFIELD32_MASK", Val::Int(Int::U32)),
    a(11, "NL_POLICY_TYPE_ATTR_PAD", Val::Binary),
    a(12, "NL_POLICY_TYPE_ATTR_MASK", Val::Int(Int::Uint)),
]};

#[rustfmt::skip]
static CTRL_OP_POLICY: AttrSet = AttrSet { name: "ctrl-op-policy", attrs: &[
    a(1, "CTRL_ATTR_POLICY_DO", U32),
    a(2, "CTRL_ATTR_POLICY_DUMP", U32),
]};

static OP_ITEM: Val = Val::Nested(&CTRL_OP);
static GRP_ITEM: Val = Val::Nested(&CTRL_GRP);
static POLICY_ATTR: Val = Val::Nested(&POLICY_TYPE);
static POLICY_ATTRS: Val = Val::Array(&POLICY_ATTR);
static OP_POLICY_ITEM: Val = Val::Nested(&CTRL_OP_POLICY);

/// `CTRL_ATTR_*`: `nlctrl`.
#[rustfmt::skip]
pub static CTRL: AttrSet = AttrSet { name: "ctrl", attrs: &[
    a(1, "CTRL_ATTR_FAMILY_ID", U16),
    a(2, "CTRL_ATTR_FAMILY_NAME", Val::Str),
    a(3, "CTRL_ATTR_VERSION", U32),
    a(4, "CTRL_ATTR_HDRSIZE", U32),
    a(5, "CTRL_ATTR_MAXATTR", U32),
    a(6, "CTRL_ATTR_OPS", Val::Array(&OP_ITEM)),
    a(7, "CTRL_ATTR_MCAST_GROUPS", Val::Array(&GRP_ITEM)),
    a(8, "CTRL_ATTR_POLICY", Val::Array(&POLICY_ATTRS)),
    a(9, "CTRL_ATTR_OP_POLICY", Val::Array(&OP_POLICY_ITEM)),
    a(10, "CTRL_ATTR_OP", U32),
]};

fn genl_spec(ty: u16, payload: &[u8]) -> MsgSpec {
    if ty != GENL_ID_CTRL {
        // Other families have dynamic ids: the header is known, names are not.
        return MsgSpec {
            name: None,
            flag_ctx: FlagContext::Get,
            fixed: Some(&GENL_HDR),
            has_attrs: true,
            attrs: None,
        };
    }
    let flag_ctx = match payload.first() {
        Some(1 | 4 | 7) => FlagContext::New,
        Some(2 | 5 | 8) => FlagContext::Delete,
        _ => FlagContext::Get,
    };
    MsgSpec {
        name: Some("GENL_ID_CTRL"),
        flag_ctx,
        fixed: Some(&GENL_CTRL_HDR),
        has_attrs: true,
        attrs: Some(&CTRL),
    }
}

/// The name of a message type for `--type` parsing (`RTM_GETLINK` -> 18).
pub fn type_from_name(proto: Protocol, name: &str) -> Option<u16> {
    let up = name.to_ascii_uppercase();
    for (v, n) in [
        (NLMSG_NOOP, "NLMSG_NOOP"),
        (NLMSG_ERROR, "NLMSG_ERROR"),
        (NLMSG_DONE, "NLMSG_DONE"),
        (NLMSG_OVERRUN, "NLMSG_OVERRUN"),
    ] {
        if up == n {
            return Some(v);
        }
    }
    if proto == Protocol::ROUTE {
        return RTM_TYPES.iter().find(|e| e.1 == up).map(|e| e.0);
    }
    if proto == Protocol::GENERIC && (up == "GENL_ID_CTRL" || up == "NLCTRL") {
        return Some(GENL_ID_CTRL);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtm_types_have_their_headers() {
        let s = message_spec(Protocol::ROUTE, 18, &[]);
        assert_eq!(s.name, Some("RTM_GETLINK"));
        assert_eq!(s.fixed.unwrap().size, 16);
        assert_eq!(s.flag_ctx, FlagContext::Get);
        assert_eq!(
            message_spec(Protocol::ROUTE, 24, &[]).fixed.unwrap().size,
            12
        );
        assert_eq!(
            message_spec(Protocol::ROUTE, 20, &[]).fixed.unwrap().size,
            8
        );
        assert_eq!(
            message_spec(Protocol::ROUTE, 104, &[]).fixed.unwrap().size,
            8
        );
        assert_eq!(
            message_spec(Protocol::ROUTE, 2, &[]).flag_ctx,
            FlagContext::Ack
        );
        assert_eq!(message_spec(Protocol::USERSOCK, 16, &[]).name, None);
        assert_eq!(type_from_name(Protocol::ROUTE, "rtm_getroute"), Some(26));
    }

    #[test]
    fn sets_have_unique_types() {
        for set in [&IFLA, &IFA, &RTA, &NDA, &FRA, &NHA, &CTRL, &POLICY_TYPE] {
            let mut kinds: Vec<u16> = set.attrs.iter().map(|a| a.kind).collect();
            kinds.sort();
            let n = kinds.len();
            kinds.dedup();
            assert_eq!(kinds.len(), n, "duplicate type in {}", set.name);
        }
    }
}
