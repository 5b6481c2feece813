//! What the decoder knows about message types, fixed headers and attributes,
//! per protocol. rtnetlink comes whole from `nlkit::route` (type names,
//! family headers field by field, attribute sets); what is here is only what
//! the library has no table for: the generic netlink header and `nlctrl`'s
//! typed attributes (`nlkit::genl::ctrl` names them but has no value kinds
//! or policy sets), written with the library's table types.
//!
//! Everything goes through one function, [`message_spec`].

use nlkit::route::attrs::{field, AttrDef, AttrSet, FixedHeader, Int, Names, Show, ValueKind};
use nlkit::wire::{FlagContext, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
use nlkit::Protocol;

/// What the tables say about one message.
#[derive(Debug, Clone, Copy)]
pub struct MsgSpec {
    /// Type name (`RTM_NEWLINK`, `NLMSG_ERROR`, `GENL_ID_CTRL`), if known.
    pub name: Option<&'static str>,
    /// Which meaning the high flag bits have.
    pub flag_ctx: FlagContext,
    /// The fixed header after `nlmsghdr`, if the protocol has one.
    pub fixed: Option<&'static FixedHeader>,
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

const CONTROL: &[(u16, &str)] = &[
    (NLMSG_NOOP, "NLMSG_NOOP"),
    (NLMSG_ERROR, "NLMSG_ERROR"),
    (NLMSG_DONE, "NLMSG_DONE"),
    (NLMSG_OVERRUN, "NLMSG_OVERRUN"),
];

/// Everything the tables know about a message of type `ty` on `proto`;
/// `payload` is the message payload (generic netlink looks at the command).
pub fn message_spec(proto: Protocol, ty: u16, payload: &[u8]) -> MsgSpec {
    if let Some(&(_, name)) = CONTROL.iter().find(|(t, _)| *t == ty) {
        let flag_ctx = match ty {
            NLMSG_NOOP => FlagContext::Unknown,
            _ => FlagContext::Ack,
        };
        return MsgSpec {
            name: Some(name),
            flag_ctx,
            ..MsgSpec::RAW
        };
    }
    match proto {
        Protocol::ROUTE => route_spec(ty),
        Protocol::GENERIC => genl_spec(ty, payload),
        _ => MsgSpec::RAW,
    }
}

fn route_spec(ty: u16) -> MsgSpec {
    use nlkit::route;
    let Some(name) = route::msg_type_name(ty) else {
        return MsgSpec::RAW;
    };
    MsgSpec {
        name: Some(name),
        flag_ctx: route::flag_context(ty),
        fixed: route::fixed_header(ty),
        has_attrs: true,
        attrs: route::attr_set(ty),
    }
}

// ---------------------------------------------------------- generic netlink

use nlkit::genl::GENL_ID_CTRL;

const fn a(kind: u16, name: &'static str, value: ValueKind) -> AttrDef {
    AttrDef { kind, name, value }
}

#[rustfmt::skip]
static CTRL_CMDS: Names = &[
    (0, "CTRL_CMD_UNSPEC"), (1, "CTRL_CMD_NEWFAMILY"), (2, "CTRL_CMD_DELFAMILY"),
    (3, "CTRL_CMD_GETFAMILY"), (4, "CTRL_CMD_NEWOPS"), (5, "CTRL_CMD_DELOPS"),
    (6, "CTRL_CMD_GETOPS"), (7, "CTRL_CMD_NEWMCAST_GRP"), (8, "CTRL_CMD_DELMCAST_GRP"),
    (9, "CTRL_CMD_GETMCAST_GRP"), (10, "CTRL_CMD_GETPOLICY"),
];

static GENL_CTRL_HDR: FixedHeader = FixedHeader {
    name: "genlmsghdr",
    size: nlkit::genl::GENL_HDRLEN,
    fields: &[
        field("cmd", 0, Int::U8, Show::Enum(CTRL_CMDS)),
        field("version", 1, Int::U8, Show::Dec),
    ],
};

static GENL_HDR: FixedHeader = FixedHeader {
    name: "genlmsghdr",
    size: nlkit::genl::GENL_HDRLEN,
    fields: &[
        field("cmd", 0, Int::U8, Show::Dec),
        field("version", 1, Int::U8, Show::Dec),
    ],
};

#[rustfmt::skip]
static OP_FLAGS: Names = &[
    (0x1, "GENL_ADMIN_PERM"), (0x2, "GENL_CMD_CAP_DO"), (0x4, "GENL_CMD_CAP_DUMP"),
    (0x8, "GENL_CMD_CAP_HASPOL"), (0x10, "GENL_UNS_ADMIN_PERM"),
];

#[rustfmt::skip]
static CTRL_OP: AttrSet = AttrSet { name: "ctrl-op", defs: &[
    a(1, "CTRL_ATTR_OP_ID", ValueKind::U32),
    a(2, "CTRL_ATTR_OP_FLAGS", ValueKind::Bits(Int::U32, OP_FLAGS)),
]};

#[rustfmt::skip]
static CTRL_GRP: AttrSet = AttrSet { name: "ctrl-mcast-group", defs: &[
    a(1, "CTRL_ATTR_MCAST_GRP_NAME", ValueKind::Str),
    a(2, "CTRL_ATTR_MCAST_GRP_ID", ValueKind::U32),
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
pub static POLICY_TYPE: AttrSet = AttrSet { name: "policy-type", defs: &[
    a(1, "NL_POLICY_TYPE_ATTR_TYPE", ValueKind::Enum(Int::U32, NL_ATTR_TYPES)),
    a(2, "NL_POLICY_TYPE_ATTR_MIN_VALUE_S", ValueKind::Int(Int::I64)),
    a(3, "NL_POLICY_TYPE_ATTR_MAX_VALUE_S", ValueKind::Int(Int::I64)),
    a(4, "NL_POLICY_TYPE_ATTR_MIN_VALUE_U", ValueKind::Int(Int::U64)),
    a(5, "NL_POLICY_TYPE_ATTR_MAX_VALUE_U", ValueKind::Int(Int::U64)),
    a(6, "NL_POLICY_TYPE_ATTR_MIN_LENGTH", ValueKind::U32),
    a(7, "NL_POLICY_TYPE_ATTR_MAX_LENGTH", ValueKind::U32),
    a(8, "NL_POLICY_TYPE_ATTR_POLICY_IDX", ValueKind::U32),
    a(9, "NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", ValueKind::U32),
    a(10, "NL_POLICY_TYPE_ATTR_BITFIELD32_MASK", ValueKind::U32),
    a(11, "NL_POLICY_TYPE_ATTR_PAD", ValueKind::Bytes),
    a(12, "NL_POLICY_TYPE_ATTR_MASK", ValueKind::Int(Int::Uint)),
]};

#[rustfmt::skip]
static CTRL_OP_POLICY: AttrSet = AttrSet { name: "ctrl-op-policy", defs: &[
    a(1, "CTRL_ATTR_POLICY_DO", ValueKind::U32),
    a(2, "CTRL_ATTR_POLICY_DUMP", ValueKind::U32),
]};

static OP_ITEM: ValueKind = ValueKind::Nested(&CTRL_OP);
static GRP_ITEM: ValueKind = ValueKind::Nested(&CTRL_GRP);
static POLICY_ATTR: ValueKind = ValueKind::Nested(&POLICY_TYPE);
static POLICY_ATTRS: ValueKind = ValueKind::Array(&POLICY_ATTR);
static OP_POLICY_ITEM: ValueKind = ValueKind::Nested(&CTRL_OP_POLICY);

/// `CTRL_ATTR_*`: `nlctrl`.
#[rustfmt::skip]
pub static CTRL: AttrSet = AttrSet { name: "ctrl", defs: &[
    a(1, "CTRL_ATTR_FAMILY_ID", ValueKind::U16),
    a(2, "CTRL_ATTR_FAMILY_NAME", ValueKind::Str),
    a(3, "CTRL_ATTR_VERSION", ValueKind::U32),
    a(4, "CTRL_ATTR_HDRSIZE", ValueKind::U32),
    a(5, "CTRL_ATTR_MAXATTR", ValueKind::U32),
    a(6, "CTRL_ATTR_OPS", ValueKind::Array(&OP_ITEM)),
    a(7, "CTRL_ATTR_MCAST_GROUPS", ValueKind::Array(&GRP_ITEM)),
    a(8, "CTRL_ATTR_POLICY", ValueKind::Array(&POLICY_ATTRS)),
    a(9, "CTRL_ATTR_OP_POLICY", ValueKind::Array(&OP_POLICY_ITEM)),
    a(10, "CTRL_ATTR_OP", ValueKind::U32),
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
    if let Some(&(v, _)) = CONTROL.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
        return Some(v);
    }
    match proto {
        Protocol::ROUTE => nlkit::route::msg_type_from_name(name),
        Protocol::GENERIC
            if name.eq_ignore_ascii_case("GENL_ID_CTRL") || name.eq_ignore_ascii_case("NLCTRL") =>
        {
            Some(GENL_ID_CTRL)
        }
        _ => None,
    }
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
        assert_eq!(type_from_name(Protocol::ROUTE, "nlmsg_done"), Some(3));
        assert_eq!(type_from_name(Protocol::GENERIC, "nlctrl"), Some(0x10));
    }

    #[test]
    fn sets_have_unique_types() {
        for set in [&CTRL, &POLICY_TYPE, &CTRL_OP, &CTRL_GRP, &CTRL_OP_POLICY] {
            let mut kinds: Vec<u16> = set.defs.iter().map(|a| a.kind).collect();
            kinds.sort();
            let n = kinds.len();
            kinds.dedup();
            assert_eq!(kinds.len(), n, "duplicate type in {}", set.name);
        }
    }
}
