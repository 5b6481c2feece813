//! Generic netlink (`NETLINK_GENERIC`): families are found by name through
//! the `nlctrl` family, which gives their id, version, operations and
//! multicast groups. Ids are dynamic (a family reloaded gets a new one), so
//! clients resolve by name every time they connect.
//!
//! # References
//! `genetlink.h`, `include/uapi/linux/genetlink.h`.

pub mod decode;
pub mod nltest;

use crate::conn::{Connection, ToMsg};
use crate::error::{Error, Result};
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

/// A table of attribute names for one attribute set: `(type, name, nested set)`.
pub type AttrNames = &'static [(u16, &'static str, Option<&'static AttrSet>)];

/// One attribute set: its name and members.
#[derive(Debug)]
pub struct AttrSet {
    /// Name of the set (`"ctrl"`).
    pub name: &'static str,
    /// Members.
    pub attrs: AttrNames,
}

impl AttrSet {
    /// The name of the attribute at `path` (outermost first), following nests.
    pub fn name_of(&self, path: &[u16]) -> Option<String> {
        let (&first, rest) = path.split_first()?;
        let &(_, name, nested) = self.attrs.iter().find(|(t, _, _)| *t == first)?;
        if rest.is_empty() {
            return Some(name.to_string());
        }
        match nested {
            Some(set) => set.name_of(rest).map(|inner| format!("{name} > {inner}")),
            // Arrays of nests: the middle level is an index.
            None => None,
        }
    }
    /// The name of one attribute type in this set.
    pub fn name(&self, kind: u16) -> Option<&'static str> {
        self.attrs
            .iter()
            .find(|(t, _, _)| *t == kind)
            .map(|(_, n, _)| *n)
    }
}

/// `nlctrl` commands and attributes (`CTRL_CMD_*`, `CTRL_ATTR_*`).
pub mod ctrl {
    use super::AttrSet;
    /// Get one family (by name or id), or dump all.
    pub const CTRL_CMD_GETFAMILY: u8 = 3;
    /// Get a family's policy.
    pub const CTRL_CMD_GETPOLICY: u8 = 10;
    /// Family id (u16).
    pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
    /// Family name (string).
    pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
    /// Version (u32).
    pub const CTRL_ATTR_VERSION: u16 = 3;
    /// Size of the family's own header (u32).
    pub const CTRL_ATTR_HDRSIZE: u16 = 4;
    /// Highest attribute type (u32).
    pub const CTRL_ATTR_MAXATTR: u16 = 5;
    /// Operations (nested array).
    pub const CTRL_ATTR_OPS: u16 = 6;
    /// Multicast groups (nested array).
    pub const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
    /// Policy (nested).
    pub const CTRL_ATTR_POLICY: u16 = 8;
    /// Per-op policy (nested).
    pub const CTRL_ATTR_OP_POLICY: u16 = 9;
    /// Op (u32).
    pub const CTRL_ATTR_OP: u16 = 10;
    /// Op id (u32), inside an op.
    pub const CTRL_ATTR_OP_ID: u16 = 1;
    /// Op flags (u32), inside an op.
    pub const CTRL_ATTR_OP_FLAGS: u16 = 2;
    /// Group name (string), inside a group.
    pub const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
    /// Group id (u32), inside a group.
    pub const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

    /// Attributes of one op.
    pub static OP: AttrSet = AttrSet {
        name: "ctrl-op",
        attrs: &[
            (1, "CTRL_ATTR_OP_ID", None),
            (2, "CTRL_ATTR_OP_FLAGS", None),
        ],
    };
    /// Attributes of one multicast group.
    pub static GROUP: AttrSet = AttrSet {
        name: "ctrl-mcast-group",
        attrs: &[
            (1, "CTRL_ATTR_MCAST_GRP_NAME", None),
            (2, "CTRL_ATTR_MCAST_GRP_ID", None),
        ],
    };
    /// The `nlctrl` attribute set.
    pub static CTRL: AttrSet = AttrSet {
        name: "ctrl",
        attrs: &[
            (1, "CTRL_ATTR_FAMILY_ID", None),
            (2, "CTRL_ATTR_FAMILY_NAME", None),
            (3, "CTRL_ATTR_VERSION", None),
            (4, "CTRL_ATTR_HDRSIZE", None),
            (5, "CTRL_ATTR_MAXATTR", None),
            (6, "CTRL_ATTR_OPS", None),
            (7, "CTRL_ATTR_MCAST_GROUPS", None),
            (8, "CTRL_ATTR_POLICY", None),
            (9, "CTRL_ATTR_OP_POLICY", None),
            (10, "CTRL_ATTR_OP", None),
        ],
    };
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
        self.names?.name_of(path)
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
