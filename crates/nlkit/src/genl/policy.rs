//! Generic netlink policies (`CTRL_CMD_GETPOLICY`): what a family accepts,
//! as the kernel reports it. For each operation, the policy its `do` and
//! `dump` requests are checked against; for each policy, every attribute's
//! type and limits (value ranges, lengths, masks, the nested policy it
//! points at).
//!
//! The kernel answers a policy dump with one message per operation (or one
//! for the operation asked for) and then one message per attribute of every
//! policy those operations use. In the dump of all operations, the kernel
//! (up to 6.18 at least) numbers an operation that has only a dump handler
//! 0, not by its command (it takes the number from the empty `do` half):
//! what it sent is reported as it is, and the family's op list (`GETFAMILY`,
//! the ops that have a policy, in the same order) tells which op that is.
//! When one op was asked for, [`dump`] and [`policy`] put its number back.
//! [`PolicyMsg::parse`] reads one message,
//! [`dump`] streams them in the kernel's order (what `genl ctrl policy`
//! prints), [`policy`] collects them. Nothing here panics: a malformed
//! message is a [`wire::Error`], and limits the kernel adds later are kept as
//! raw attributes.
//!
//! # References
//! `include/uapi/linux/genetlink.h` (`CTRL_ATTR_POLICY`, `CTRL_ATTR_OP_POLICY`),
//! `include/uapi/linux/netlink.h` (`NL_ATTR_TYPE_*`, `NL_POLICY_TYPE_ATTR_*`),
//! `net/netlink/policy.c`.

use super::{ctrl, Request, GENL_ID_CTRL};
use crate::conn::Connection;
use crate::error::{Error, Result};
use crate::wire::{self, Attr, MsgFlags, MsgWriter};
use std::fmt;

/// `NL_POLICY_TYPE_ATTR_TYPE`: the attribute's type (`NL_ATTR_TYPE_*`).
pub const NL_POLICY_TYPE_ATTR_TYPE: u16 = 1;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_S`: smallest value, signed types.
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_S: u16 = 2;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_S`: largest value, signed types.
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_S: u16 = 3;
/// `NL_POLICY_TYPE_ATTR_MIN_VALUE_U`: smallest value, unsigned types.
pub const NL_POLICY_TYPE_ATTR_MIN_VALUE_U: u16 = 4;
/// `NL_POLICY_TYPE_ATTR_MAX_VALUE_U`: largest value, unsigned types.
pub const NL_POLICY_TYPE_ATTR_MAX_VALUE_U: u16 = 5;
/// `NL_POLICY_TYPE_ATTR_MIN_LENGTH`: shortest payload (binary, strings).
pub const NL_POLICY_TYPE_ATTR_MIN_LENGTH: u16 = 6;
/// `NL_POLICY_TYPE_ATTR_MAX_LENGTH`: longest payload (binary, strings).
pub const NL_POLICY_TYPE_ATTR_MAX_LENGTH: u16 = 7;
/// `NL_POLICY_TYPE_ATTR_POLICY_IDX`: the policy of a nested attribute.
pub const NL_POLICY_TYPE_ATTR_POLICY_IDX: u16 = 8;
/// `NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE`: the highest type of that policy.
pub const NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: u16 = 9;
/// `NL_POLICY_TYPE_ATTR_BITFIELD32_MASK`: the valid bits of a `bitfield32`.
pub const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: u16 = 10;
/// `NL_POLICY_TYPE_ATTR_PAD`: padding for 64-bit alignment.
pub const NL_POLICY_TYPE_ATTR_PAD: u16 = 11;
/// `NL_POLICY_TYPE_ATTR_MASK`: the valid bits of an unsigned integer.
pub const NL_POLICY_TYPE_ATTR_MASK: u16 = 12;

/// `CTRL_ATTR_POLICY_DO`.
pub const CTRL_ATTR_POLICY_DO: u16 = 1;
/// `CTRL_ATTR_POLICY_DUMP`.
pub const CTRL_ATTR_POLICY_DUMP: u16 = 2;

/// An attribute type as a policy reports it (`NL_ATTR_TYPE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttrType {
    /// `NL_ATTR_TYPE_FLAG`: present or absent, no payload.
    Flag,
    /// `NL_ATTR_TYPE_U8`.
    U8,
    /// `NL_ATTR_TYPE_U16`.
    U16,
    /// `NL_ATTR_TYPE_U32`.
    U32,
    /// `NL_ATTR_TYPE_U64`.
    U64,
    /// `NL_ATTR_TYPE_S8`.
    S8,
    /// `NL_ATTR_TYPE_S16`.
    S16,
    /// `NL_ATTR_TYPE_S32`.
    S32,
    /// `NL_ATTR_TYPE_S64`.
    S64,
    /// `NL_ATTR_TYPE_BINARY`.
    Binary,
    /// `NL_ATTR_TYPE_STRING`.
    String,
    /// `NL_ATTR_TYPE_NUL_STRING`: NUL-terminated.
    NulString,
    /// `NL_ATTR_TYPE_NESTED`.
    Nested,
    /// `NL_ATTR_TYPE_NESTED_ARRAY`: nests whose types are indexes.
    NestedArray,
    /// `NL_ATTR_TYPE_BITFIELD32`: `struct nla_bitfield32`.
    Bitfield32,
    /// `NL_ATTR_TYPE_SINT`: a signed integer of 4 or 8 bytes (6.8+).
    Sint,
    /// `NL_ATTR_TYPE_UINT`: an unsigned integer of 4 or 8 bytes (6.8+).
    Uint,
    /// A type number this table does not know (kept).
    Unknown(u32),
}

impl AttrType {
    /// The type of number `v`.
    pub fn from_u32(v: u32) -> AttrType {
        use AttrType::*;
        match v {
            1 => Flag,
            2 => U8,
            3 => U16,
            4 => U32,
            5 => U64,
            6 => S8,
            7 => S16,
            8 => S32,
            9 => S64,
            10 => Binary,
            11 => String,
            12 => NulString,
            13 => Nested,
            14 => NestedArray,
            15 => Bitfield32,
            16 => Sint,
            17 => Uint,
            o => Unknown(o),
        }
    }

    /// The name `genl ctrl policy` prints (`U32`, `NUL_STRING`, ...); `None`
    /// for a number this table does not know.
    pub fn name(self) -> Option<&'static str> {
        use AttrType::*;
        Some(match self {
            Flag => "FLAG",
            U8 => "U8",
            U16 => "U16",
            U32 => "U32",
            U64 => "U64",
            S8 => "S8",
            S16 => "S16",
            S32 => "S32",
            S64 => "S64",
            Binary => "BINARY",
            String => "STRING",
            NulString => "NUL_STRING",
            Nested => "NESTED",
            NestedArray => "NESTED_ARRAY",
            Bitfield32 => "BITFIELD32",
            Sint => "SINT",
            Uint => "UINT",
            Unknown(_) => return None,
        })
    }

    /// True for the types iproute2 6.1's `genl` names (it prints the newer
    /// `SINT` and `UINT` as `unknown`).
    pub fn known_to_iproute2_6_1(self) -> bool {
        !matches!(self, AttrType::Sint | AttrType::Uint | AttrType::Unknown(_))
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => f.write_str("unknown"),
        }
    }
}

/// The policies one operation's requests are checked against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpPolicy {
    /// The operation (command number).
    pub op: u32,
    /// The policy of its `do` requests (an index into the family's policies).
    pub do_policy: Option<u32>,
    /// The policy of its `dump` requests.
    pub dump_policy: Option<u32>,
}

/// What one policy says about one attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPolicy {
    /// The policy (index) this entry belongs to.
    pub policy: u32,
    /// The attribute type number it describes.
    pub attr: u16,
    /// The attribute's type (absent only in a malformed answer).
    pub kind: Option<AttrType>,
    /// Signed range, when the kernel reports both ends.
    pub range_s: Option<(i64, i64)>,
    /// Unsigned range, when the kernel reports both ends.
    pub range_u: Option<(u64, u64)>,
    /// Shortest payload.
    pub min_len: Option<u32>,
    /// Longest payload.
    pub max_len: Option<u32>,
    /// For a nest: the policy its members follow.
    pub nested_policy: Option<u32>,
    /// For a nest: the highest type of that policy.
    pub nested_maxtype: Option<u32>,
    /// For a `bitfield32`: the bits that may be set.
    pub bitfield32_mask: Option<u32>,
    /// For an unsigned integer: the bits that may be set.
    pub mask: Option<u64>,
    /// Limits this module does not know, kept as `(type, payload)`.
    pub unknown: Vec<(u16, Vec<u8>)>,
}

impl AttrPolicy {
    /// Reads the nest describing attribute `a` of policy `policy`.
    fn parse(policy: u32, a: &Attr<'_>) -> wire::Result<AttrPolicy> {
        let mut p = AttrPolicy {
            policy,
            attr: a.kind(),
            ..AttrPolicy::default()
        };
        let (mut min_s, mut max_s, mut min_u, mut max_u) = (None, None, None, None);
        for x in a.nested() {
            let x = x?;
            match x.kind() {
                NL_POLICY_TYPE_ATTR_TYPE => p.kind = Some(AttrType::from_u32(x.u32()?)),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_S => min_s = Some(x.u64()? as i64),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_S => max_s = Some(x.u64()? as i64),
                NL_POLICY_TYPE_ATTR_MIN_VALUE_U => min_u = Some(x.u64()?),
                NL_POLICY_TYPE_ATTR_MAX_VALUE_U => max_u = Some(x.u64()?),
                NL_POLICY_TYPE_ATTR_MIN_LENGTH => p.min_len = Some(x.u32()?),
                NL_POLICY_TYPE_ATTR_MAX_LENGTH => p.max_len = Some(x.u32()?),
                NL_POLICY_TYPE_ATTR_POLICY_IDX => p.nested_policy = Some(x.u32()?),
                NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE => p.nested_maxtype = Some(x.u32()?),
                NL_POLICY_TYPE_ATTR_BITFIELD32_MASK => p.bitfield32_mask = Some(x.u32()?),
                NL_POLICY_TYPE_ATTR_MASK => p.mask = Some(x.uint()?),
                NL_POLICY_TYPE_ATTR_PAD => {}
                k => p.unknown.push((k, x.payload().to_vec())),
            }
        }
        p.range_s = min_s.zip(max_s);
        p.range_u = min_u.zip(max_u);
        // One end alone is not a range: keep it rather than drop it.
        for (kind, v) in [
            (
                NL_POLICY_TYPE_ATTR_MIN_VALUE_S,
                min_s.filter(|_| max_s.is_none()).map(|v| v as u64),
            ),
            (
                NL_POLICY_TYPE_ATTR_MAX_VALUE_S,
                max_s.filter(|_| min_s.is_none()).map(|v| v as u64),
            ),
            (
                NL_POLICY_TYPE_ATTR_MIN_VALUE_U,
                min_u.filter(|_| max_u.is_none()),
            ),
            (
                NL_POLICY_TYPE_ATTR_MAX_VALUE_U,
                max_u.filter(|_| min_u.is_none()),
            ),
        ] {
            if let Some(v) = v {
                p.unknown.push((kind, v.to_ne_bytes().to_vec()));
            }
        }
        Ok(p)
    }
}

/// One message of a policy dump.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyMsg {
    /// The family's id.
    pub family_id: Option<u16>,
    /// Operation-to-policy entries (`CTRL_ATTR_OP_POLICY`).
    pub ops: Vec<OpPolicy>,
    /// Attribute entries (`CTRL_ATTR_POLICY`).
    pub attrs: Vec<AttrPolicy>,
}

impl PolicyMsg {
    /// Reads one `CTRL_CMD_GETPOLICY` answer.
    pub fn parse(msg: &wire::Msg<&[u8]>) -> wire::Result<PolicyMsg> {
        let g = super::GenlMsg::parse(msg)?;
        let mut out = PolicyMsg::default();
        for a in g.attrs() {
            let a = a?;
            match a.kind() {
                ctrl::CTRL_ATTR_FAMILY_ID => out.family_id = Some(a.u16()?),
                ctrl::CTRL_ATTR_OP_POLICY => {
                    for op in a.nested() {
                        let op = op?;
                        let mut o = OpPolicy {
                            op: u32::from(op.kind()),
                            ..OpPolicy::default()
                        };
                        for x in op.nested() {
                            let x = x?;
                            match x.kind() {
                                CTRL_ATTR_POLICY_DO => o.do_policy = Some(x.u32()?),
                                CTRL_ATTR_POLICY_DUMP => o.dump_policy = Some(x.u32()?),
                                _ => {}
                            }
                        }
                        out.ops.push(o);
                    }
                }
                ctrl::CTRL_ATTR_POLICY => {
                    for pol in a.nested() {
                        let pol = pol?;
                        for attr in pol.nested() {
                            out.attrs
                                .push(AttrPolicy::parse(u32::from(pol.kind()), &attr?)?);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Which family to ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyRef<'a> {
    /// By name (`nlctrl`).
    Name(&'a str),
    /// By id.
    Id(u16),
}

impl fmt::Display for FamilyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FamilyRef::Name(n) => write!(f, "{n}"),
            FamilyRef::Id(i) => write!(f, "id {i:#x}"),
        }
    }
}

/// A family's policies, collected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FamilyPolicy {
    /// The family's id.
    pub family_id: u16,
    /// Each operation's policies, in the kernel's order.
    pub ops: Vec<OpPolicy>,
    /// Every attribute entry of every policy, in the kernel's order.
    pub attrs: Vec<AttrPolicy>,
}

impl FamilyPolicy {
    /// The entries of policy `idx`.
    pub fn policy(&self, idx: u32) -> impl Iterator<Item = &AttrPolicy> + '_ {
        self.attrs.iter().filter(move |a| a.policy == idx)
    }
    /// The policies of operation `op`.
    pub fn op(&self, op: u32) -> Option<OpPolicy> {
        self.ops.iter().copied().find(|o| o.op == op)
    }
}

/// Streams the policy dump of `family` (only operation `op`'s, if given),
/// one message at a time, in the kernel's order.
pub fn dump(
    conn: &Connection,
    family: FamilyRef<'_>,
    op: Option<u32>,
    mut each: impl FnMut(PolicyMsg) -> Result<()>,
) -> Result<()> {
    let what = match op {
        Some(op) => format!("dump the policy of generic netlink family {family} op {op}"),
        None => format!("dump the policies of generic netlink family {family}"),
    };
    let write = |w: &mut MsgWriter<'_>| {
        match family {
            FamilyRef::Name(n) => w.attr_str(ctrl::CTRL_ATTR_FAMILY_NAME, n)?,
            FamilyRef::Id(i) => w.attr_u16(ctrl::CTRL_ATTR_FAMILY_ID, i)?,
        };
        if let Some(op) = op {
            w.attr_u32(ctrl::CTRL_ATTR_OP, op)?;
        }
        Ok(())
    };
    let req = Request {
        flags: MsgFlags::DUMP,
        attrs: &write,
        names: Some(&ctrl::CTRL),
        ..Request::new(GENL_ID_CTRL, ctrl::CTRL_CMD_GETPOLICY, 2, &what)
    };
    let mut d = conn.dump(&req)?;
    while let Some(m) = d.next() {
        let m = m.map_err(|e| no_such(e, &what))?;
        let mut pm = PolicyMsg::parse(&m).map_err(|e| Error::Malformed {
            what: what.clone(),
            source: e,
        })?;
        if let Some(asked) = op {
            // The kernel numbers a dump-only op 0 (see the module docs); we know which it is.
            for o in pm.ops.iter_mut().filter(|o| o.op == 0) {
                o.op = asked;
            }
        }
        each(pm)?;
    }
    Ok(())
}

/// ENOENT from `nlctrl` means the family (or the op) does not exist.
fn no_such(e: Error, what: &str) -> Error {
    match e.kernel() {
        Some(k) if k.errno == libc::ENOENT => Error::Invalid(format!(
            "{what}: no such family or operation (is its module loaded?)"
        )),
        _ => e,
    }
}

/// Collects the policy dump of `family` (only operation `op`'s, if given).
pub fn policy(conn: &Connection, family: FamilyRef<'_>, op: Option<u32>) -> Result<FamilyPolicy> {
    let mut out = FamilyPolicy::default();
    dump(conn, family, op, |m| {
        if let Some(id) = m.family_id {
            out.family_id = id;
        }
        out.ops.extend(m.ops);
        out.attrs.extend(m.attrs);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Msg, MsgIter};

    /// A policy answer as the kernel builds it: family id, then one policy
    /// nest holding one attribute nest.
    fn attr_msg(policy: u16, attr: u16, limits: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, GENL_ID_CTRL, MsgFlags::MULTI, 1, 0);
        w.fixed(&super::super::GenlHeader {
            cmd: ctrl::CTRL_CMD_GETPOLICY,
            version: 1,
            reserved: [0; 2],
        });
        w.attr_u16(ctrl::CTRL_ATTR_FAMILY_ID, 0x15).unwrap();
        w.nest(ctrl::CTRL_ATTR_POLICY, |w| {
            w.nest(policy, |w| {
                w.nest(attr, |w| {
                    for (k, v) in limits {
                        w.attr(*k, v)?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
            Ok(())
        })
        .unwrap();
        w.finish().unwrap();
        b
    }

    fn parse(b: &[u8]) -> PolicyMsg {
        let (_, m): (usize, Msg<&[u8]>) = MsgIter::new(b).next().unwrap().unwrap();
        PolicyMsg::parse(&m).unwrap()
    }

    #[test]
    fn attribute_entry_with_every_limit() {
        let b = attr_msg(
            3,
            7,
            &[
                (NL_POLICY_TYPE_ATTR_TYPE, &4u32.to_ne_bytes()), // U32
                (NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &1u64.to_ne_bytes()),
                (NL_POLICY_TYPE_ATTR_MAX_VALUE_U, &128u64.to_ne_bytes()),
                (NL_POLICY_TYPE_ATTR_MASK, &0xffu64.to_ne_bytes()),
                (NL_POLICY_TYPE_ATTR_PAD, &[]),
                (99, &[1, 2, 3, 4]), // a limit added by a later kernel
            ],
        );
        let m = parse(&b);
        assert_eq!(m.family_id, Some(0x15));
        assert!(m.ops.is_empty());
        let a = &m.attrs[0];
        assert_eq!((a.policy, a.attr, a.kind), (3, 7, Some(AttrType::U32)));
        assert_eq!(a.range_u, Some((1, 128)));
        assert_eq!(a.range_s, None);
        assert_eq!(a.mask, Some(0xff));
        assert_eq!(a.unknown, vec![(99, vec![1, 2, 3, 4])]);
    }

    #[test]
    fn signed_range_and_one_sided_limits() {
        let b = attr_msg(
            0,
            2,
            &[
                (NL_POLICY_TYPE_ATTR_TYPE, &8u32.to_ne_bytes()), // S32
                (NL_POLICY_TYPE_ATTR_MIN_VALUE_S, &(-5i64).to_ne_bytes()),
                (NL_POLICY_TYPE_ATTR_MAX_VALUE_S, &9i64.to_ne_bytes()),
                (NL_POLICY_TYPE_ATTR_MIN_VALUE_U, &3u64.to_ne_bytes()),
            ],
        );
        let a = &parse(&b).attrs[0];
        assert_eq!(a.kind, Some(AttrType::S32));
        assert_eq!(a.range_s, Some((-5, 9)));
        // A lone minimum is no range, and is kept rather than lost.
        assert_eq!(a.range_u, None);
        assert_eq!(
            a.unknown,
            vec![(NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 3u64.to_ne_bytes().to_vec())]
        );
    }

    #[test]
    fn op_entries() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, GENL_ID_CTRL, MsgFlags::MULTI, 1, 0);
        w.fixed(&super::super::GenlHeader {
            cmd: ctrl::CTRL_CMD_GETPOLICY,
            version: 1,
            reserved: [0; 2],
        });
        w.attr_u16(ctrl::CTRL_ATTR_FAMILY_ID, 0x10).unwrap();
        w.nest(ctrl::CTRL_ATTR_OP_POLICY, |w| {
            w.nest(3, |w| {
                w.attr_u32(CTRL_ATTR_POLICY_DO, 0)?;
                w.attr_u32(CTRL_ATTR_POLICY_DUMP, 1)?;
                Ok(())
            })?;
            Ok(())
        })
        .unwrap();
        w.finish().unwrap();
        let m = parse(&b);
        assert_eq!(
            m.ops,
            vec![OpPolicy {
                op: 3,
                do_policy: Some(0),
                dump_policy: Some(1)
            }]
        );
    }

    #[test]
    fn malformed_limit_is_an_error_not_a_panic() {
        // A type attribute of 2 bytes where the kernel sends a u32.
        let b = attr_msg(0, 1, &[(NL_POLICY_TYPE_ATTR_TYPE, &[1, 0])]);
        let (_, m): (usize, Msg<&[u8]>) = MsgIter::new(&b).next().unwrap().unwrap();
        assert!(PolicyMsg::parse(&m).is_err());
        // Every truncation of a good message parses or fails, never panics.
        let good = attr_msg(1, 2, &[(NL_POLICY_TYPE_ATTR_TYPE, &4u32.to_ne_bytes())]);
        for cut in 0..good.len() {
            // Iteration stops at the first framing error; every message before it is parsed.
            for (_, m) in MsgIter::new(&good[..cut]).map_while(|r| r.ok()) {
                let _ = PolicyMsg::parse(&m);
            }
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(AttrType::from_u32(12).to_string(), "NUL_STRING");
        assert_eq!(AttrType::from_u32(17).to_string(), "UINT");
        assert_eq!(AttrType::from_u32(40).to_string(), "unknown");
        assert!(!AttrType::Uint.known_to_iproute2_6_1());
        assert!(AttrType::Bitfield32.known_to_iproute2_6_1());
    }
}
