//! Generic netlink (`NETLINK_GENERIC`): families are found by name through
//! the `nlctrl` family, which gives their id, version, operations and
//! multicast groups. Ids are dynamic (a family reloaded gets a new one), so
//! clients resolve by name every time they connect.
//!
//! # References
//! `genetlink.h`, `include/uapi/linux/genetlink.h`.

pub mod decode;
pub mod nltest;
pub mod policy;

use crate::conn::{Connection, ToMsg};
use crate::error::{Error, Result};
use crate::schema::fixed_header;
use crate::socket::Socket;
use crate::wire::{self, Attr, AttrIter, Msg, MsgFlags, MsgWriter};
use std::fmt;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct genlmsghdr`.
///
/// ```text
/// +--------+---------+------------------+
/// | cmd u8 | version | reserved (u16)   |
/// +--------+---------+------------------+
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
#[doc(alias = "genlmsghdr")]
pub struct GenlHeader {
    /// Command.
    pub cmd: u8,
    /// Family version.
    pub version: u8,
    /// Reserved.
    pub reserved: [u8; 2],
}

/// Size of `struct genlmsghdr`.
pub const GENL_HDRLEN: usize = 4;
/// `GENL_ID_CTRL`: the fixed id of `nlctrl`.
pub const GENL_ID_CTRL: u16 = 0x10;

pub use crate::schema::AttrSet;

fixed_header! {
    /// `genlmsghdr` field by field, for decoders (any family: commands by number).
    pub static GENLMSGHDR: GenlHeader = "genlmsghdr" {
        cmd => "cmd", U8, Dec;
        version => "version", U8, Dec;
    }
}

/// `nlctrl` commands and attributes (`CTRL_CMD_*`, `CTRL_ATTR_*`).
#[allow(missing_docs)]
pub mod ctrl {
    use crate::schema::{attr_table, fixed_header, Int, Names, ValueKind, ValueKind::*};
    /// Get one family (by name or id), or dump all.
    pub const CTRL_CMD_GETFAMILY: u8 = 3;
    /// Get a family's policy.
    pub const CTRL_CMD_GETPOLICY: u8 = 10;
    /// `CTRL_CMD_*`, by number.
    #[rustfmt::skip]
    pub const CTRL_CMD_NAMES: Names = &[
        (0, "CTRL_CMD_UNSPEC"), (1, "CTRL_CMD_NEWFAMILY"), (2, "CTRL_CMD_DELFAMILY"),
        (3, "CTRL_CMD_GETFAMILY"), (4, "CTRL_CMD_NEWOPS"), (5, "CTRL_CMD_DELOPS"),
        (6, "CTRL_CMD_GETOPS"), (7, "CTRL_CMD_NEWMCAST_GRP"), (8, "CTRL_CMD_DELMCAST_GRP"),
        (9, "CTRL_CMD_GETMCAST_GRP"), (10, "CTRL_CMD_GETPOLICY"),
    ];

    fixed_header! {
        /// `genlmsghdr` of `nlctrl` messages: commands by name.
        pub static CTRL_HDR: super::GenlHeader = "genlmsghdr" {
            cmd => "cmd", U8, Enum(CTRL_CMD_NAMES);
            version => "version", U8, Dec;
        }
    }

    /// `GENL_*` op flags, by their constant names.
    #[rustfmt::skip]
    pub const OP_FLAG_NAMES: Names = &[
        (0x1, "GENL_ADMIN_PERM"), (0x2, "GENL_CMD_CAP_DO"), (0x4, "GENL_CMD_CAP_DUMP"),
        (0x8, "GENL_CMD_CAP_HASPOL"), (0x10, "GENL_UNS_ADMIN_PERM"),
    ];

    /// `NL_ATTR_TYPE_*`: the policy type of an attribute.
    #[rustfmt::skip]
    pub const NL_ATTR_TYPE_NAMES: Names = &[
        (0, "NL_ATTR_TYPE_INVALID"), (1, "NL_ATTR_TYPE_FLAG"), (2, "NL_ATTR_TYPE_U8"),
        (3, "NL_ATTR_TYPE_U16"), (4, "NL_ATTR_TYPE_U32"), (5, "NL_ATTR_TYPE_U64"),
        (6, "NL_ATTR_TYPE_S8"), (7, "NL_ATTR_TYPE_S16"), (8, "NL_ATTR_TYPE_S32"),
        (9, "NL_ATTR_TYPE_S64"), (10, "NL_ATTR_TYPE_BINARY"), (11, "NL_ATTR_TYPE_STRING"),
        (12, "NL_ATTR_TYPE_NUL_STRING"), (13, "NL_ATTR_TYPE_NESTED"),
        (14, "NL_ATTR_TYPE_NESTED_ARRAY"), (15, "NL_ATTR_TYPE_BITFIELD32"),
        (16, "NL_ATTR_TYPE_SINT"), (17, "NL_ATTR_TYPE_UINT"),
    ];

    attr_table! {
        /// An attribute of one op (`CTRL_ATTR_OP_*`).
        enum OpAttr;
        /// Attributes of one op.
        static OP = "ctrl-op";
        Id = 1, CTRL_ATTR_OP_ID, "CTRL_ATTR_OP_ID", U32;
        Flags = 2, CTRL_ATTR_OP_FLAGS, "CTRL_ATTR_OP_FLAGS", Bits(Int::U32, OP_FLAG_NAMES);
    }

    attr_table! {
        /// An attribute of one multicast group (`CTRL_ATTR_MCAST_GRP_*`).
        enum GroupAttr;
        /// Attributes of one multicast group.
        static GROUP = "ctrl-mcast-group";
        Name = 1, CTRL_ATTR_MCAST_GRP_NAME, "CTRL_ATTR_MCAST_GRP_NAME", Str;
        Id = 2, CTRL_ATTR_MCAST_GRP_ID, "CTRL_ATTR_MCAST_GRP_ID", U32;
    }

    attr_table! {
        /// An attribute of one attribute's policy (`NL_POLICY_TYPE_ATTR_*`).
        enum PolicyTypeAttr;
        /// `NL_POLICY_TYPE_ATTR_*`: one attribute's policy.
        static POLICY_TYPE = "policy-type";
        Type = 1, NL_POLICY_TYPE_ATTR_TYPE, "NL_POLICY_TYPE_ATTR_TYPE", Enum(Int::U32, NL_ATTR_TYPE_NAMES);
        MinValueS = 2, NL_POLICY_TYPE_ATTR_MIN_VALUE_S, "NL_POLICY_TYPE_ATTR_MIN_VALUE_S", Int(Int::I64);
        MaxValueS = 3, NL_POLICY_TYPE_ATTR_MAX_VALUE_S, "NL_POLICY_TYPE_ATTR_MAX_VALUE_S", Int(Int::I64);
        MinValueU = 4, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, "NL_POLICY_TYPE_ATTR_MIN_VALUE_U", Int(Int::U64);
        MaxValueU = 5, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, "NL_POLICY_TYPE_ATTR_MAX_VALUE_U", Int(Int::U64);
        MinLength = 6, NL_POLICY_TYPE_ATTR_MIN_LENGTH, "NL_POLICY_TYPE_ATTR_MIN_LENGTH", U32;
        MaxLength = 7, NL_POLICY_TYPE_ATTR_MAX_LENGTH, "NL_POLICY_TYPE_ATTR_MAX_LENGTH", U32;
        PolicyIdx = 8, NL_POLICY_TYPE_ATTR_POLICY_IDX, "NL_POLICY_TYPE_ATTR_POLICY_IDX", U32;
        PolicyMaxtype = 9, NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE, "NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", U32;
        Bitfield32Mask = 10, NL_POLICY_TYPE_ATTR_BITFIELD32_MASK, "NL_POLICY_TYPE_ATTR_BITFIELD32_MASK", U32;
        Pad = 11, NL_POLICY_TYPE_ATTR_PAD, "NL_POLICY_TYPE_ATTR_PAD", Bytes;
        Mask = 12, NL_POLICY_TYPE_ATTR_MASK, "NL_POLICY_TYPE_ATTR_MASK", Int(Int::Uint);
    }

    attr_table! {
        /// An attribute of one op's policies (`CTRL_ATTR_POLICY_*`).
        enum OpPolicyAttr;
        /// `CTRL_ATTR_POLICY_DO`/`DUMP`: the policy indexes of one op.
        static OP_POLICY = "ctrl-op-policy";
        Do = 1, CTRL_ATTR_POLICY_DO, "CTRL_ATTR_POLICY_DO", U32;
        Dump = 2, CTRL_ATTR_POLICY_DUMP, "CTRL_ATTR_POLICY_DUMP", U32;
    }

    static OP_ITEM: ValueKind = Nested(&OP);
    static GROUP_ITEM: ValueKind = Nested(&GROUP);
    static POLICY_ATTR: ValueKind = Nested(&POLICY_TYPE);
    static POLICY_ATTRS: ValueKind = Array(&POLICY_ATTR);
    static OP_POLICY_ITEM: ValueKind = Nested(&OP_POLICY);

    attr_table! {
        /// An `nlctrl` attribute (`CTRL_ATTR_*`).
        enum CtrlAttr;
        /// The `nlctrl` attribute set.
        static CTRL = "ctrl";
        FamilyId = 1, CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID", U16;
        FamilyName = 2, CTRL_ATTR_FAMILY_NAME, "CTRL_ATTR_FAMILY_NAME", Str;
        Version = 3, CTRL_ATTR_VERSION, "CTRL_ATTR_VERSION", U32;
        Hdrsize = 4, CTRL_ATTR_HDRSIZE, "CTRL_ATTR_HDRSIZE", U32;
        Maxattr = 5, CTRL_ATTR_MAXATTR, "CTRL_ATTR_MAXATTR", U32;
        Ops = 6, CTRL_ATTR_OPS, "CTRL_ATTR_OPS", Array(&OP_ITEM);
        McastGroups = 7, CTRL_ATTR_MCAST_GROUPS, "CTRL_ATTR_MCAST_GROUPS", Array(&GROUP_ITEM);
        Policy = 8, CTRL_ATTR_POLICY, "CTRL_ATTR_POLICY", Array(&POLICY_ATTRS);
        OpPolicy = 9, CTRL_ATTR_OP_POLICY, "CTRL_ATTR_OP_POLICY", Array(&OP_POLICY_ITEM);
        Op = 10, CTRL_ATTR_OP, "CTRL_ATTR_OP", U32;
    }
}

/// Op flags (`GENL_ADMIN_PERM`...), with names.
pub mod op_flags {
    /// Needs `CAP_NET_ADMIN`.
    pub const GENL_ADMIN_PERM: u32 = 0x01;
    /// Has a do handler.
    pub const GENL_CMD_CAP_DO: u32 = 0x02;
    /// Has a dump handler.
    pub const GENL_CMD_CAP_DUMP: u32 = 0x04;
    /// Has a policy.
    pub const GENL_CMD_CAP_HASPOL: u32 = 0x08;
    /// Needs `CAP_NET_ADMIN` in the netns's user namespace.
    pub const GENL_UNS_ADMIN_PERM: u32 = 0x10;

    /// Short names of the set flags (`["admin", "do", "dump"]`).
    pub fn names(flags: u32) -> Vec<&'static str> {
        [
            (GENL_ADMIN_PERM, "admin-perm"),
            (GENL_UNS_ADMIN_PERM, "uns-admin-perm"),
            (GENL_CMD_CAP_DO, "do"),
            (GENL_CMD_CAP_DUMP, "dump"),
            (GENL_CMD_CAP_HASPOL, "has-policy"),
        ]
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
        .collect()
    }
}

/// A generic netlink family, as `nlctrl` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Family {
    /// Family id (the netlink message type of its messages).
    pub id: u16,
    /// Name.
    pub name: String,
    /// Version.
    pub version: u32,
    /// Size of the family's own header after `genlmsghdr`.
    pub hdrsize: u32,
    /// Highest attribute type.
    pub maxattr: u32,
    /// Operations.
    pub ops: Vec<Op>,
    /// Multicast groups.
    pub groups: Vec<McastGroup>,
}

/// One operation (command) of a family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Op {
    /// Command number.
    pub id: u32,
    /// `GENL_*` flags (see [`op_flags`]).
    pub flags: u32,
}

/// One multicast group of a family.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct McastGroup {
    /// Name.
    pub name: String,
    /// Group number (for `add_membership`).
    pub id: u32,
}

impl Family {
    /// Parses a `CTRL_CMD_NEWFAMILY` message.
    pub fn parse(msg: &Msg<&[u8]>) -> wire::Result<Family> {
        let (_, attrs) = msg.fixed::<GenlHeader>()?;
        let mut f = Family::default();
        let base = wire::NLMSG_HDRLEN + GENL_HDRLEN;
        for a in AttrIter::with_offset(attrs, base) {
            let a = a?;
            match a.kind() {
                ctrl::CTRL_ATTR_FAMILY_ID => f.id = a.u16()?,
                ctrl::CTRL_ATTR_FAMILY_NAME => f.name = a.str()?.to_string(),
                ctrl::CTRL_ATTR_VERSION => f.version = a.u32()?,
                ctrl::CTRL_ATTR_HDRSIZE => f.hdrsize = a.u32()?,
                ctrl::CTRL_ATTR_MAXATTR => f.maxattr = a.u32()?,
                ctrl::CTRL_ATTR_OPS => {
                    for op in a.nested() {
                        let mut o = Op::default();
                        for x in op?.nested() {
                            let x = x?;
                            match x.kind() {
                                ctrl::CTRL_ATTR_OP_ID => o.id = x.u32()?,
                                ctrl::CTRL_ATTR_OP_FLAGS => o.flags = x.u32()?,
                                _ => {}
                            }
                        }
                        f.ops.push(o);
                    }
                }
                ctrl::CTRL_ATTR_MCAST_GROUPS => {
                    for g in a.nested() {
                        let mut grp = McastGroup::default();
                        for x in g?.nested() {
                            let x = x?;
                            match x.kind() {
                                ctrl::CTRL_ATTR_MCAST_GRP_NAME => grp.name = x.str()?.to_string(),
                                ctrl::CTRL_ATTR_MCAST_GRP_ID => grp.id = x.u32()?,
                                _ => {}
                            }
                        }
                        f.groups.push(grp);
                    }
                }
                _ => {}
            }
        }
        Ok(f)
    }

    /// The number of the multicast group called `name`.
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|g| g.name == name).map(|g| g.id)
    }

    /// The op with command number `cmd`.
    pub fn op(&self, cmd: u8) -> Option<Op> {
        self.ops.iter().copied().find(|o| o.id == cmd as u32)
    }
}

/// A generic netlink request: family id, command, version, and attributes
/// written by a closure.
pub struct Request<'a> {
    /// Family id.
    pub family: u16,
    /// Command.
    pub cmd: u8,
    /// Version.
    pub version: u8,
    /// Extra flags (`DUMP`...).
    pub flags: u16,
    /// Writes the attributes.
    pub attrs: &'a dyn Fn(&mut MsgWriter<'_>) -> wire::Result<()>,
    /// What it does, for error messages.
    pub what: &'a str,
    /// The family's attribute names, to name the attribute an error points at.
    pub names: Option<&'a AttrSet>,
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("genl::Request")
            .field("family", &self.family)
            .field("cmd", &self.cmd)
            .field("what", &self.what)
            .finish()
    }
}

fn no_attrs(_: &mut MsgWriter<'_>) -> wire::Result<()> {
    Ok(())
}

impl<'a> Request<'a> {
    /// A request without attributes.
    pub fn new(family: u16, cmd: u8, version: u8, what: &'a str) -> Self {
        Request {
            family,
            cmd,
            version,
            flags: 0,
            attrs: &no_attrs,
            what,
            names: None,
        }
    }
}

impl ToMsg for Request<'_> {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, self.family, self.flags, 0, 0);
        w.fixed(&GenlHeader {
            cmd: self.cmd,
            version: self.version,
            reserved: [0; 2],
        });
        (self.attrs)(&mut w)?;
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + GENL_HDRLEN)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        self.names?.path_name(path, None)
    }
}

/// A received generic netlink message: its header and attributes.
#[derive(Clone, Copy, Debug)]
pub struct GenlMsg<'a> {
    /// Family id (message type).
    pub family: u16,
    /// The header.
    pub header: &'a GenlHeader,
    /// The attributes (after the family's own header, if it has one).
    pub attrs: &'a [u8],
    /// Offset of `attrs` in the message.
    pub attrs_at: usize,
}

impl<'a> GenlMsg<'a> {
    /// Splits a message into header and attributes.
    pub fn parse(msg: &Msg<&'a [u8]>) -> wire::Result<GenlMsg<'a>> {
        let (header, attrs) = msg.fixed::<GenlHeader>()?;
        Ok(GenlMsg {
            family: msg.msg_type(),
            header,
            attrs,
            attrs_at: wire::NLMSG_HDRLEN + GENL_HDRLEN,
        })
    }
    /// The attributes.
    pub fn attrs(&self) -> AttrIter<'a> {
        AttrIter::with_offset(self.attrs, self.attrs_at)
    }
    /// The first attribute of type `kind`.
    pub fn attr(&self, kind: u16) -> wire::Result<Option<Attr<'a>>> {
        self.attrs().find(kind)
    }
}

/// Asks `nlctrl` for the family called `name`.
pub fn resolve(conn: &Connection, name: &str) -> Result<Family> {
    let what = format!("resolve generic netlink family {name:?}");
    let write = |w: &mut MsgWriter<'_>| w.attr_str(ctrl::CTRL_ATTR_FAMILY_NAME, name).map(|_| ());
    let req = Request {
        attrs: &write,
        names: Some(&ctrl::CTRL),
        ..Request::new(GENL_ID_CTRL, ctrl::CTRL_CMD_GETFAMILY, 2, &what)
    };
    let mut fam = None;
    conn.request(&req, |m| {
        fam = Some(Family::parse(&m).map_err(|e| Error::Malformed {
            what: what.clone(),
            source: e,
        })?);
        Ok(())
    })
    .map_err(|e| match e.kernel() {
        Some(k) if k.errno == libc::ENOENT => {
            Error::Invalid(format!("{what}: no such family (is its module loaded?)"))
        }
        _ => e,
    })?;
    fam.ok_or_else(|| Error::Invalid(format!("{what}: nlctrl answered with no family")))
}

/// Lists every family `nlctrl` knows.
pub fn families(conn: &Connection) -> Result<Vec<Family>> {
    let what = "list generic netlink families";
    let req = Request {
        flags: MsgFlags::DUMP,
        names: Some(&ctrl::CTRL),
        ..Request::new(GENL_ID_CTRL, ctrl::CTRL_CMD_GETFAMILY, 2, what)
    };
    conn.dump_consistent(&req, 3, Vec::new, |v, m| {
        v.push(Family::parse(&m).map_err(|e| Error::Malformed {
            what: what.into(),
            source: e,
        })?);
        Ok(())
    })
}

/// Joins the multicast group `group` of `family` on `sock`.
pub fn join_group(sock: &Socket, family: &Family, group: &str) -> Result<u32> {
    let id = family.group(group).ok_or_else(|| {
        Error::Invalid(format!(
            "family {} has no multicast group {group:?}",
            family.name
        ))
    })?;
    sock.add_membership(id)
        .map_err(|e| Error::io(format!("join {} group {group}", family.name), e))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes_and_names() {
        let write = |w: &mut MsgWriter<'_>| {
            w.attr_str(ctrl::CTRL_ATTR_FAMILY_NAME, "nlctrl")
                .map(|_| ())
        };
        let req = Request {
            attrs: &write,
            names: Some(&ctrl::CTRL),
            ..Request::new(GENL_ID_CTRL, 3, 2, "x")
        };
        let mut buf = Vec::new();
        assert_eq!(req.write(&mut buf).unwrap(), 20);
        let mut want = Vec::new();
        want.extend_from_slice(&32u32.to_ne_bytes()); // nlmsg_len
        want.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes()); // nlmsg_type: nlctrl
        want.extend_from_slice(&0u16.to_ne_bytes()); // flags (the engine adds REQUEST|ACK)
        want.extend_from_slice(&0u32.to_ne_bytes()); // seq
        want.extend_from_slice(&0u32.to_ne_bytes()); // pid
        want.extend_from_slice(&[3, 2, 0, 0]); // cmd GETFAMILY, version 2, reserved
        want.extend_from_slice(&11u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&2u16.to_ne_bytes()); // CTRL_ATTR_FAMILY_NAME
        want.extend_from_slice(b"nlctrl\0\0"); // "nlctrl", NUL, padding
        assert_eq!(buf, want);
        assert_eq!(
            req.attr_name(&[2]).as_deref(),
            Some("CTRL_ATTR_FAMILY_NAME")
        );
        assert_eq!(op_flags::names(0x0b), ["admin-perm", "do", "has-policy"]);
    }
}
