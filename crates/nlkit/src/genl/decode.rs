//! Generic netlink's decoder descriptors: any family's `genlmsghdr` with
//! unnamed attributes ([`GENERIC`], the fallback for ids nobody named), and
//! `nlctrl` ([`NLCTRL`], fixed id `GENL_ID_CTRL`) with typed attributes.
//!
//! The typed `nlctrl` tables are here until the shared schema module
//! declares them next to `genl::ctrl` (they were the CLI's).

use crate::decode::{Family, MsgSpec};
use crate::route::attrs::{field, AttrDef, AttrSet, FixedHeader, Int, Names, Show, ValueKind};
use crate::wire::FlagContext;

/// Any generic netlink family: the header is known, the names are not.
pub static GENERIC: Generic = Generic;

/// `nlctrl`, the family that lists the others.
pub static NLCTRL: Nlctrl = Nlctrl;

/// The descriptor of a generic netlink message of a family nlkit has no tables for.
#[derive(Debug)]
pub struct Generic;

/// The descriptor of `nlctrl`.
#[derive(Debug)]
pub struct Nlctrl;

/// `genlmsghdr` with the command as a number.
pub static GENL_HDR: FixedHeader = FixedHeader {
    name: "genlmsghdr",
    size: super::GENL_HDRLEN,
    fields: &[
        field("cmd", 0, Int::U8, Show::Dec),
        field("version", 1, Int::U8, Show::Dec),
    ],
};

impl Family for Generic {
    fn name(&self) -> &str {
        "generic"
    }
    fn message(&self, _ty: u16, _payload: &[u8]) -> Option<MsgSpec> {
        Some(MsgSpec {
            name: None,
            flag_ctx: FlagContext::Get,
            fixed: Some(&GENL_HDR),
            legacy: None,
            has_attrs: true,
            attrs: None,
        })
    }
}

impl Family for Nlctrl {
    fn name(&self) -> &str {
        "nlctrl"
    }
    fn message(&self, _ty: u16, payload: &[u8]) -> Option<MsgSpec> {
        let flag_ctx = match payload.first() {
            Some(1 | 4 | 7) => FlagContext::New,
            Some(2 | 5 | 8) => FlagContext::Delete,
            _ => FlagContext::Get,
        };
        Some(MsgSpec {
            name: Some("GENL_ID_CTRL"),
            flag_ctx,
            fixed: Some(&GENL_CTRL_HDR),
            legacy: None,
            has_attrs: true,
            attrs: Some(&CTRL),
        })
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        (name.eq_ignore_ascii_case("GENL_ID_CTRL") || name.eq_ignore_ascii_case("NLCTRL"))
            .then_some(super::GENL_ID_CTRL)
    }
}

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
    size: super::GENL_HDRLEN,
    fields: &[
        field("cmd", 0, Int::U8, Show::Enum(CTRL_CMDS)),
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

/// `CTRL_ATTR_*`: `nlctrl`, typed.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nlctrl_and_any_family() {
        let s = NLCTRL.message(0x10, &[3, 2, 0, 0]).unwrap();
        assert_eq!(s.name, Some("GENL_ID_CTRL"));
        assert_eq!(s.flag_ctx, FlagContext::Get);
        assert_eq!(
            NLCTRL.message(0x10, &[1]).unwrap().flag_ctx,
            FlagContext::New
        );
        assert_eq!(
            NLCTRL.message(0x10, &[5]).unwrap().flag_ctx,
            FlagContext::Delete
        );
        assert_eq!(NLCTRL.type_by_name("nlctrl"), Some(0x10));
        let g = GENERIC.message(0x1234, &[]).unwrap();
        assert_eq!(
            (g.name, g.fixed.unwrap().size, g.attrs.is_none()),
            (None, 4, true)
        );
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
