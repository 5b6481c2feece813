//! Policy routing rules (`RTM_NEWRULE`/`GETRULE`/`DELRULE`): `fib_rule_hdr` and `FRA_*`.

use super::{Prefix, AF_INET, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE};
use crate::conn::ToMsg;
use crate::schema::Name;
use crate::schema::{attr_table, fixed_header, typed_attrs, value_names, Int, Names, ValueKind::*};
use crate::wire::{self, MsgFlags, MsgWriter};
use core::fmt;
use std::net::IpAddr;
use zerocopy::byteorder::{NativeEndian, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct fib_rule_hdr`.
///
/// ```text
/// +--------+---------+---------+--------+
/// | family | dst_len | src_len |  tos   |
/// +--------+---------+---------+--------+
/// | table  |  res1   |  res2   | action |
/// +--------+---------+---------+--------+
/// |             flags (u32)             |
/// +-------------------------------------+
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
#[doc(alias = "fib_rule_hdr")]
#[allow(missing_docs)]
pub struct FibRuleHdr {
    pub family: u8,
    pub dst_len: u8,
    pub src_len: u8,
    pub tos: u8,
    /// Low 8 bits of the table (the whole id is in `FRA_TABLE`).
    pub table: u8,
    pub res1: u8,
    pub res2: u8,
    /// `FR_ACT_*`.
    pub action: u8,
    /// `FIB_RULE_*`.
    pub flags: U32<NativeEndian>,
}

fixed_header! {
    /// `fib_rule_hdr` field by field, for decoders.
    pub static FIB_RULE_HDR: FibRuleHdr = "fib_rule_hdr" {
        family => "family", U8, Enum(super::AF_NAMES);
        dst_len => "dst_len", U8, Dec;
        src_len => "src_len", U8, Dec;
        tos => "tos", U8, Hex;
        table => "table", U8, Enum(super::TABLE_NAMES);
        action => "action", U8, Enum(FR_ACT_NAMES);
        flags => "flags", U32, Hex;
    }
}

/// `FR_ACT_*` by their constant names, for decoders.
#[rustfmt::skip]
pub const FR_ACT_NAMES: Names = &[
    (0, "FR_ACT_UNSPEC"), (1, "FR_ACT_TO_TBL"), (2, "FR_ACT_GOTO"), (3, "FR_ACT_NOP"),
    (6, "FR_ACT_BLACKHOLE"), (7, "FR_ACT_UNREACHABLE"), (8, "FR_ACT_PROHIBIT"),
];

impl FibRuleHdr {
    /// Size on the wire.
    pub const LEN: usize = 12;
}

attr_table! {
    /// A rule attribute type (`FRA_*`).
    enum RuleAttr;
    /// The `FRA_*` set.
    static FRA_SET = "rule";
    Unspec = 0, FRA_UNSPEC, "FRA_UNSPEC", Bytes;
    Dst = 1, FRA_DST, "FRA_DST", Ip;
    Src = 2, FRA_SRC, "FRA_SRC", Ip;
    Iifname = 3, FRA_IIFNAME, "FRA_IIFNAME", Str;
    Goto = 4, FRA_GOTO, "FRA_GOTO", U32;
    Unused2 = 5, FRA_UNUSED2, "FRA_UNUSED2", Ip;
    Priority = 6, FRA_PRIORITY, "FRA_PRIORITY", U32;
    Fwmark = 10, FRA_FWMARK, "FRA_FWMARK", U32;
    Flow = 11, FRA_FLOW, "FRA_FLOW", U32;
    TunId = 12, FRA_TUN_ID, "FRA_TUN_ID", Int(crate::schema::Int::BeU64);
    SuppressIfgroup = 13, FRA_SUPPRESS_IFGROUP, "FRA_SUPPRESS_IFGROUP", U32;
    SuppressPrefixlen = 14, FRA_SUPPRESS_PREFIXLEN, "FRA_SUPPRESS_PREFIXLEN", U32;
    Table = 15, FRA_TABLE, "FRA_TABLE", Enum(Int::U32, super::TABLE_NAMES);
    Fwmask = 16, FRA_FWMASK, "FRA_FWMASK", U32;
    Oifname = 17, FRA_OIFNAME, "FRA_OIFNAME", Str;
    Pad = 18, FRA_PAD, "FRA_PAD", Bytes;
    L3mdev = 19, FRA_L3MDEV, "FRA_L3MDEV", U8;
    UidRange = 20, FRA_UID_RANGE, "FRA_UID_RANGE", Counters(Int::U32, &["start", "end"]);
    Protocol = 21, FRA_PROTOCOL, "FRA_PROTOCOL", Enum(Int::U8, super::RTPROT_NAMES);
    IpProto = 22, FRA_IP_PROTO, "FRA_IP_PROTO", U8;
    SportRange = 23, FRA_SPORT_RANGE, "FRA_SPORT_RANGE", Counters(Int::U16, &["start", "end"]);
    DportRange = 24, FRA_DPORT_RANGE, "FRA_DPORT_RANGE", Counters(Int::U16, &["start", "end"]);
    Dscp = 25, FRA_DSCP, "FRA_DSCP", U8;
}

/// `FR_ACT_*`: what a matching rule does.
pub mod fr_act {
    /// `FR_ACT_UNSPEC`
    pub const UNSPEC: u8 = 0;
    /// `FR_ACT_TO_TBL`: look up a table.
    pub const TO_TBL: u8 = 1;
    /// `FR_ACT_GOTO`: jump to another rule.
    pub const GOTO: u8 = 2;
    /// `FR_ACT_NOP`
    pub const NOP: u8 = 3;
    /// `FR_ACT_BLACKHOLE`
    pub const BLACKHOLE: u8 = 6;
    /// `FR_ACT_UNREACHABLE`
    pub const UNREACHABLE: u8 = 7;
    /// `FR_ACT_PROHIBIT`
    pub const PROHIBIT: u8 = 8;
}

value_names! {
    /// iproute2's name of a rule action (`to_tbl`, `goto`, `blackhole`...).
    action_name, parse_action, u8 {
        fr_act::UNSPEC => "unspec",
        fr_act::TO_TBL => "to_tbl",
        fr_act::GOTO => "goto",
        fr_act::NOP => "nop",
        fr_act::BLACKHOLE => "blackhole",
        fr_act::UNREACHABLE => "unreachable",
        fr_act::PROHIBIT => "prohibit",
    }
}

/// `RTN_NAT`: the action iproute2 sends for `nat ADDR` (refused by the kernel).
pub const FR_ACT_NAT: u8 = 10;

/// IP protocol names, as `/etc/protocols` (netbase) gives them and
/// iproute2 prints `ipproto`.
#[rustfmt::skip]
pub const IP_PROTO_NAMES: &[(u8, &str)] = &[
    (0, "ip"), (1, "icmp"), (2, "igmp"), (3, "ggp"), (4, "ipencap"), (5, "st"), (6, "tcp"),
    (8, "egp"), (9, "igp"), (12, "pup"), (17, "udp"), (20, "hmp"), (22, "xns-idp"), (27, "rdp"),
    (29, "iso-tp4"), (33, "dccp"), (36, "xtp"), (37, "ddp"), (38, "idpr-cmtp"), (41, "ipv6"),
    (43, "ipv6-route"), (44, "ipv6-frag"), (45, "idrp"), (46, "rsvp"), (47, "gre"), (50, "esp"),
    (51, "ah"), (57, "skip"), (58, "ipv6-icmp"), (59, "ipv6-nonxt"), (60, "ipv6-opts"),
    (73, "rspf"), (81, "vmtp"), (88, "eigrp"), (89, "ospf"), (93, "ax.25"), (94, "ipip"),
    (97, "etherip"), (98, "encap"), (103, "pim"), (108, "ipcomp"), (112, "vrrp"), (115, "l2tp"),
    (124, "isis"), (132, "sctp"), (133, "fc"), (135, "mobility-header"), (136, "udplite"),
    (137, "mpls-in-ip"), (138, "manet"), (139, "hip"), (140, "shim6"), (141, "wesp"),
    (142, "rohc"), (143, "ethernet"),
];

/// An IP protocol's name (`tcp`), if `/etc/protocols` has one.
pub fn ip_proto_name(p: u8) -> Option<&'static str> {
    IP_PROTO_NAMES.iter().find(|e| e.0 == p).map(|e| e.1)
}

/// Parses an IP protocol: a number (0-255) or a name of [`IP_PROTO_NAMES`].
pub fn parse_ip_proto(s: &str) -> Option<u8> {
    s.parse()
        .ok()
        .or_else(|| IP_PROTO_NAMES.iter().find(|e| e.1 == s).map(|e| e.0))
}

/// An action's name, or its number.
pub fn action_str(a: u8) -> String {
    action_name(a).map(str::to_string).unwrap_or(a.to_string())
}

/// `FIB_RULE_PERMANENT`
pub const FIB_RULE_PERMANENT: u32 = 1;
/// `FIB_RULE_INVERT` (`not`)
pub const FIB_RULE_INVERT: u32 = 2;
/// `FIB_RULE_UNRESOLVED`
pub const FIB_RULE_UNRESOLVED: u32 = 4;
/// `FIB_RULE_IIF_DETACHED`
pub const FIB_RULE_IIF_DETACHED: u32 = 8;
/// `FIB_RULE_OIF_DETACHED`
pub const FIB_RULE_OIF_DETACHED: u32 = 0x10;

typed_attrs! {
    /// A rule message, decoded in one pass.
    #[derive(Clone, Copy, Debug)]
    pub struct RuleView<'a>: FibRuleHdr, FRA_SET, "a rule message" {
        /// `FRA_DST`.
        pub dst: IpAddr => IpAddr = FRA_DST,
        /// `FRA_SRC`.
        pub src: IpAddr => IpAddr = FRA_SRC,
        /// `FRA_IIFNAME`.
        pub iifname: Name<'a> => String = FRA_IIFNAME,
        /// `FRA_OIFNAME`.
        pub oifname: Name<'a> => String = FRA_OIFNAME,
        /// `FRA_GOTO`.
        pub goto: u32 => u32 = FRA_GOTO,
        /// `FRA_PRIORITY`.
        pub priority: u32 => u32 = FRA_PRIORITY,
        /// `FRA_FWMARK`.
        pub fwmark: u32 => u32 = FRA_FWMARK,
        /// `FRA_FWMASK`.
        pub fwmask: u32 => u32 = FRA_FWMASK,
        /// `FRA_TABLE` (the owned form's `table` merges it with the header's).
        pub table_attr: u32 = FRA_TABLE,
        /// `FRA_SUPPRESS_PREFIXLEN`.
        pub suppress_prefixlen: u32 => u32 = FRA_SUPPRESS_PREFIXLEN,
        /// `FRA_SUPPRESS_IFGROUP`.
        pub suppress_ifgroup: u32 => u32 = FRA_SUPPRESS_IFGROUP,
        /// `FRA_L3MDEV`.
        pub l3mdev: u8 => u8 = FRA_L3MDEV,
        /// `FRA_PROTOCOL`.
        pub protocol: u8 => u8 = FRA_PROTOCOL,
        /// `FRA_IP_PROTO`.
        pub ip_proto: u8 => u8 = FRA_IP_PROTO,
        /// `FRA_SPORT_RANGE` (`struct fib_rule_port_range`).
        pub sport_range: (u16, u16) => (u16, u16) = FRA_SPORT_RANGE,
        /// `FRA_DPORT_RANGE`.
        pub dport_range: (u16, u16) => (u16, u16) = FRA_DPORT_RANGE,
        /// `FRA_UID_RANGE` (`struct fib_rule_uid_range`).
        pub uid_range: (u32, u32) => (u32, u32) = FRA_UID_RANGE,
        /// `FRA_TUN_ID` (network order on the wire; host order here).
        pub tun_id: u64 as Be => u64 = FRA_TUN_ID,
        /// `FRA_FLOW`: realms, `from << 16 | to`.
        pub flow: u32 => u32 = FRA_FLOW,
        /// `FRA_UNUSED2`: where iproute2 puts the address of a `nat` rule
        /// (`RTA_GATEWAY`, 5); kernels since 2.6.30 refuse such rules.
        pub nat_gateway: IpAddr => IpAddr = FRA_UNUSED2,
    };
    /// A rule, owned.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    owned Rule (Self::owned_rest, Rule::write_rest) {
        /// `family`.
        pub family: u8,
        /// `dst_len`.
        pub dst_len: u8,
        /// `src_len`.
        pub src_len: u8,
        /// `tos`.
        pub tos: u8,
        /// The table: `FRA_TABLE`, else the header's.
        pub table: u32,
        /// `fr_act::*`.
        pub action: u8,
        /// `FIB_RULE_*`.
        pub flags: u32,
    }
}

impl<'a> RuleView<'a> {
    /// The table: `FRA_TABLE`, else the header's.
    pub fn table(&self) -> u32 {
        self.table_attr.unwrap_or(u32::from(self.header.table))
    }
    /// `action`.
    pub fn action(&self) -> u8 {
        self.header.action
    }
    /// The header fields and the table, for the owned form.
    fn owned_rest(&self, o: &mut Rule) {
        let h = self.header;
        o.family = h.family;
        o.dst_len = h.dst_len;
        o.src_len = h.src_len;
        o.tos = h.tos;
        o.table = self.table();
        o.action = h.action;
        o.flags = h.flags.get();
    }
}

impl Rule {
    fn header(&self) -> FibRuleHdr {
        FibRuleHdr {
            family: self.family,
            dst_len: self.dst_len,
            src_len: self.src_len,
            tos: self.tos,
            table: if self.table < 256 {
                self.table as u8
            } else {
                0
            },
            action: self.action,
            flags: self.flags.into(),
            ..Default::default()
        }
    }
    /// `FRA_TABLE`, when the table is set.
    fn write_rest(&self, w: &mut MsgWriter<'_>, _request: bool) -> wire::Result<()> {
        if self.table != 0 {
            w.attr_u32(FRA_TABLE, self.table)?;
        }
        Ok(())
    }

    /// Writes a whole message with every attribute that is set.
    pub fn write_msg(&self, buf: &mut Vec<u8>, ty: u16, flags: u16) -> wire::Result<()> {
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        w.fixed(&self.header());
        self.write_attrs(&mut w, false)?;
        w.finish().map(drop)
    }
}

impl fmt::Display for Rule {
    /// iproute2's form: `from 10.0.0.0/8 iif v0 fwmark 0x1 lookup 100`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags & FIB_RULE_INVERT != 0 {
            f.write_str("not ")?;
        }
        f.write_str("from ")?;
        match self.src {
            Some(s) => write!(
                f,
                "{}",
                Prefix::new(s, self.src_len).unwrap_or(Prefix::host(s))
            )?,
            None => f.write_str("all")?,
        }
        if let Some(d) = self.dst {
            write!(
                f,
                " to {}",
                Prefix::new(d, self.dst_len).unwrap_or(Prefix::host(d))
            )?;
        }
        if let Some(m) = self.fwmark {
            write!(f, " fwmark {m:#x}")?;
            if let Some(k) = self.fwmask.filter(|&k| k != u32::MAX) {
                write!(f, "/{k:#x}")?;
            }
        }
        if let Some(i) = &self.iifname {
            write!(f, " iif {i}")?;
        }
        if let Some(o) = &self.oifname {
            write!(f, " oif {o}")?;
        }
        if self.l3mdev == Some(1) {
            f.write_str(" lookup [l3mdev-table]")?;
        }
        match self.action {
            fr_act::TO_TBL if self.l3mdev != Some(1) => {
                write!(f, " lookup {}", super::table_str(self.table))?
            }
            fr_act::GOTO => write!(
                f,
                " goto {}",
                self.goto.map(|g| g.to_string()).unwrap_or("none".into())
            )?,
            fr_act::TO_TBL | fr_act::UNSPEC => {}
            a => write!(f, " {}", action_str(a))?,
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RuleOp {
    Add,
    Delete,
}

/// Adds or deletes a rule.
///
/// ```
/// use nlkit::route::RuleRequest;
/// let r = RuleRequest::add(nlkit::route::AF_INET).from("10.0.0.0/8".parse().unwrap()).table(100).priority(1000);
/// assert_eq!(r.to_string(), "add rule priority 1000 from 10.0.0.0/8 lookup 100");
/// ```
#[derive(Clone, Debug)]
pub struct RuleRequest {
    op: RuleOp,
    /// The rule to send.
    pub rule: Rule,
}

impl RuleRequest {
    /// `ip rule add` for a family (`AF_INET`/`AF_INET6`), action `lookup main` until changed.
    pub fn add(family: u8) -> RuleRequest {
        RuleRequest {
            op: RuleOp::Add,
            rule: Rule {
                family,
                action: fr_act::TO_TBL,
                table: super::RT_TABLE_MAIN,
                ..Default::default()
            },
        }
    }
    /// `ip rule del` for a family; the fields set select the rule.
    pub fn delete(family: u8) -> RuleRequest {
        RuleRequest {
            op: RuleOp::Delete,
            rule: Rule {
                family,
                ..Default::default()
            },
        }
    }
    /// Deletes a rule as it was dumped.
    pub fn delete_rule(rule: Rule) -> RuleRequest {
        RuleRequest {
            op: RuleOp::Delete,
            rule,
        }
    }
    /// Adds an owned rule.
    pub fn add_rule(rule: Rule) -> RuleRequest {
        RuleRequest {
            op: RuleOp::Add,
            rule,
        }
    }
    /// `from PREFIX`.
    pub fn from(mut self, p: Prefix) -> Self {
        self.rule.src = Some(p.addr());
        self.rule.src_len = p.len();
        self
    }
    /// `to PREFIX`.
    pub fn to(mut self, p: Prefix) -> Self {
        self.rule.dst = Some(p.addr());
        self.rule.dst_len = p.len();
        self
    }
    /// `priority N`.
    pub fn priority(mut self, p: u32) -> Self {
        self.rule.priority = Some(p);
        self
    }
    /// `lookup TABLE`.
    pub fn table(mut self, t: u32) -> Self {
        self.rule.table = t;
        self.rule.action = fr_act::TO_TBL;
        self
    }
    /// `iif NAME`.
    pub fn iif(mut self, n: &str) -> Self {
        self.rule.iifname = Some(n.to_string());
        self
    }
    /// `oif NAME`.
    pub fn oif(mut self, n: &str) -> Self {
        self.rule.oifname = Some(n.to_string());
        self
    }
    /// `fwmark MARK/MASK`.
    pub fn fwmark(mut self, mark: u32, mask: Option<u32>) -> Self {
        self.rule.fwmark = Some(mark);
        self.rule.fwmask = mask;
        self
    }
    /// An action other than a lookup (`fr_act::BLACKHOLE`, `UNREACHABLE`, `PROHIBIT`, `NOP`).
    pub fn action(mut self, a: u8) -> Self {
        self.rule.action = a;
        if a != fr_act::TO_TBL {
            self.rule.table = 0;
        }
        self
    }
    /// `goto PRIORITY`.
    pub fn goto(mut self, target: u32) -> Self {
        self.rule.action = fr_act::GOTO;
        self.rule.goto = Some(target);
        self.rule.table = 0;
        self
    }
    /// `l3mdev`: look up the table of the VRF device the packet is on.
    pub fn l3mdev(mut self) -> Self {
        self.rule.l3mdev = Some(1);
        self.rule.table = 0;
        self
    }
    /// `not`: invert the match.
    pub fn invert(mut self) -> Self {
        self.rule.flags |= FIB_RULE_INVERT;
        self
    }
    /// `protocol P`.
    pub fn protocol(mut self, p: u8) -> Self {
        self.rule.protocol = Some(p);
        self
    }
}

impl fmt::Display for RuleRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for RuleRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let (ty, flags) = match self.op {
            RuleOp::Add => (RTM_NEWRULE, MsgFlags::CREATE | MsgFlags::EXCL),
            RuleOp::Delete => (RTM_DELRULE, 0),
        };
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        w.fixed(&self.rule.header());
        self.rule.write_attrs(&mut w, true)?;
        w.finish()?;
        Ok(super::attrs_at(FibRuleHdr::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.op {
            RuleOp::Add => "add",
            RuleOp::Delete => "delete",
        };
        write!(f, "{verb} rule")?;
        if self.rule.family != AF_INET {
            write!(
                f,
                " family {}",
                super::family_name(self.rule.family).unwrap_or("?")
            )?;
        }
        if let Some(p) = self.rule.priority {
            write!(f, " priority {p}")?;
        }
        write!(f, " {}", self.rule)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        FRA_SET.path_name(path, None)
    }
}

/// A rule dump for one family (strict checking allows no other filter).
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleDump {
    /// `AF_INET`, `AF_INET6`, or 0 for all.
    pub family: u8,
}

impl ToMsg for RuleDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETRULE, MsgFlags::DUMP, 0, 0);
        w.fixed(&FibRuleHdr {
            family: self.family,
            ..Default::default()
        });
        w.finish()?;
        Ok(super::attrs_at(FibRuleHdr::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump rules")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::MsgIter;
    use proptest::prelude::*;

    #[test]
    fn header_bytes() {
        let mut want = vec![
            2,   // family AF_INET
            0,   // dst_len
            8,   // src_len
            0,   // tos
            100, // table
            0,   // res1
            0,   // res2
            1,   // action FR_ACT_TO_TBL
        ];
        want.extend_from_slice(&0u32.to_ne_bytes()); // flags
        let r = RuleRequest::add(AF_INET)
            .from("10.0.0.0/8".parse().unwrap())
            .table(100);
        assert_eq!(r.rule.header().as_bytes(), &want[..]);
        let (h, _) = FibRuleHdr::ref_from_prefix(&want[..]).unwrap();
        assert_eq!(h.action, fr_act::TO_TBL);
    }

    #[test]
    fn add_emits_bytes_and_describes() {
        let r = RuleRequest::add(AF_INET)
            .priority(100)
            .fwmark(1, None)
            .action(fr_act::BLACKHOLE);
        let mut buf = Vec::new();
        assert_eq!(r.write(&mut buf).unwrap(), 28);
        let mut want = Vec::new();
        want.extend_from_slice(&44u32.to_ne_bytes()); // nlmsg_len
        want.extend_from_slice(&RTM_NEWRULE.to_ne_bytes()); // nlmsg_type
        want.extend_from_slice(&0x600u16.to_ne_bytes()); // CREATE|EXCL
        want.extend_from_slice(&[0; 8]); // seq, pid
        want.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 6]); // AF_INET ... FR_ACT_BLACKHOLE
        want.extend_from_slice(&0u32.to_ne_bytes()); // flags
        want.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&FRA_PRIORITY.to_ne_bytes()); // FRA_PRIORITY
        want.extend_from_slice(&100u32.to_ne_bytes());
        want.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&FRA_FWMARK.to_ne_bytes()); // FRA_FWMARK
        want.extend_from_slice(&1u32.to_ne_bytes());
        assert_eq!(buf, want);
        assert_eq!(
            r.to_string(),
            "add rule priority 100 from all fwmark 0x1 blackhole"
        );
    }

    #[test]
    fn l3mdev_and_goto_bytes() {
        let r = RuleRequest::add(AF_INET).priority(1000).l3mdev();
        let mut buf = Vec::new();
        r.write(&mut buf).unwrap();
        let attrs = &buf[28..];
        let mut want = Vec::new();
        want.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&FRA_PRIORITY.to_ne_bytes()); // FRA_PRIORITY
        want.extend_from_slice(&1000u32.to_ne_bytes());
        want.extend_from_slice(&5u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&FRA_L3MDEV.to_ne_bytes()); // FRA_L3MDEV
        want.extend_from_slice(&[1, 0, 0, 0]); // 1 + padding
        assert_eq!(attrs, &want[..]);
        assert_eq!(
            r.to_string(),
            "add rule priority 1000 from all lookup [l3mdev-table]"
        );
        let g = RuleRequest::add(AF_INET).priority(5).goto(7);
        assert_eq!(g.to_string(), "add rule priority 5 from all goto 7");
        assert_eq!(g.rule.action, fr_act::GOTO);
    }

    proptest! {
        #[test]
        fn owned_round_trip(
            hdr in (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>()),
            table in any::<u32>(),
            src in proptest::option::of(any::<[u8; 4]>().prop_map(IpAddr::from)),
            iif in proptest::option::of("[a-z0-9]{1,15}"),
            prio in proptest::option::of(any::<u32>()),
            mark in proptest::option::of((any::<u32>(), any::<u32>())),
            ports in proptest::option::of((any::<u16>(), any::<u16>())),
            uids in proptest::option::of((any::<u32>(), any::<u32>())),
            tun in proptest::option::of(any::<u64>()),
        ) {
            let r = Rule {
                family: hdr.0, src_len: hdr.1, tos: hdr.2, action: hdr.3, flags: hdr.4,
                table, src, iifname: iif, priority: prio,
                fwmark: mark.map(|m| m.0), fwmask: mark.map(|m| m.1),
                dport_range: ports, uid_range: uids, tun_id: tun,
                ..Default::default()
            };
            let mut buf = Vec::new();
            r.write_msg(&mut buf, RTM_NEWRULE, 0).unwrap();
            let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
            prop_assert_eq!(RuleView::parse(&m).unwrap().to_owned(), r);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(v) = RuleView::parse_payload(&b) {
                let r = v.to_owned();
                let _ = r.to_string();
                let _ = v.unknown_attrs().count();
            }
        }
    }
}

#[cfg(test)]
mod tun_id_tests {
    use super::*;
    use crate::route::attrs::{Int, Num, ValueKind};

    /// The kernel sends `FRA_TUN_ID` in network byte order (`nla_put_be64`).
    #[test]
    fn tun_id_is_big_endian_in_the_table() {
        let def = FRA_SET.get(FRA_TUN_ID).unwrap();
        assert!(matches!(def.value, ValueKind::Int(Int::BeU64)));
        let wire = 0x0102_0304_0506_0708u64.to_be_bytes();
        assert_eq!(
            Int::BeU64.read(&wire),
            Some(Num::Unsigned(0x0102_0304_0506_0708))
        );
    }
}
