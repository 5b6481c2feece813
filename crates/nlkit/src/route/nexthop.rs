//! Nexthop objects (`RTM_NEWNEXTHOP`/`GETNEXTHOP`/`DELNEXTHOP`): `nhmsg` and `NHA_*`.

use super::{
    family_of, split_header, NewMode, WriteExt, RTM_DELNEXTHOP, RTM_GETNEXTHOP,
    RTM_GETNEXTHOPBUCKET, RTM_NEWNEXTHOP,
};
use crate::conn::ToMsg;
use crate::schema::{attr_table, fixed_header, unknown, ValueKind::*};
use crate::wire::{self, Attr, AttrIter, Msg, MsgFlags, MsgWriter};
use core::fmt;
use std::net::IpAddr;
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct nhmsg`.
///
/// ```text
/// +--------+--------+----------+--------+
/// | family | scope  | protocol | resvd  |
/// +--------+--------+----------+--------+
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
#[doc(alias = "nhmsg")]
#[allow(missing_docs)]
pub struct NhMsg {
    pub family: u8,
    pub scope: u8,
    pub protocol: u8,
    pub resvd: u8,
    /// `RTNH_F_*`.
    pub flags: U32<NativeEndian>,
}

fixed_header! {
    /// `nhmsg` field by field, for decoders.
    pub static NHMSG: NhMsg = "nhmsg" {
        family => "nh_family", U8, Enum(super::AF_NAMES);
        scope => "nh_scope", U8, Enum(super::SCOPE_NAMES);
        protocol => "nh_protocol", U8, Enum(super::RTPROT_NAMES);
        flags => "nh_flags", U32, Bits(super::routes::RTM_F_FLAGS);
    }
}

impl NhMsg {
    /// Size on the wire.
    pub const LEN: usize = 8;
}

/// `struct nexthop_grp`: one member of `NHA_GROUP`.
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
#[doc(alias = "nexthop_grp")]
pub struct NexthopGrp {
    /// Member nexthop id.
    pub id: U32<NativeEndian>,
    /// Weight - 1 (low 8 bits).
    pub weight: u8,
    /// Weight - 1 (high 8 bits, newer kernels).
    pub weight_high: u8,
    /// Reserved.
    pub resvd2: U16<NativeEndian>,
}

attr_table! {
    /// A nexthop attribute type (`NHA_*`).
    enum NexthopAttr;
    /// The `NHA_*` set.
    static NHA_SET = "nexthop";
    Unspec = 0, NHA_UNSPEC, "NHA_UNSPEC", Bytes;
    Id = 1, NHA_ID, "NHA_ID", U32;
    Group = 2, NHA_GROUP, "NHA_GROUP", Struct("nexthop_grp[]");
    GroupType = 3, NHA_GROUP_TYPE, "NHA_GROUP_TYPE", U16;
    Blackhole = 4, NHA_BLACKHOLE, "NHA_BLACKHOLE", Flag;
    Oif = 5, NHA_OIF, "NHA_OIF", U32;
    Gateway = 6, NHA_GATEWAY, "NHA_GATEWAY", Ip;
    EncapType = 7, NHA_ENCAP_TYPE, "NHA_ENCAP_TYPE", U16;
    Encap = 8, NHA_ENCAP, "NHA_ENCAP", NestedAny;
    Groups = 9, NHA_GROUPS, "NHA_GROUPS", Flag;
    Master = 10, NHA_MASTER, "NHA_MASTER", U32;
    Fdb = 11, NHA_FDB, "NHA_FDB", Flag;
    ResGroup = 12, NHA_RES_GROUP, "NHA_RES_GROUP", Nested(&NHA_RES_GROUP_SET);
    ResBucket = 13, NHA_RES_BUCKET, "NHA_RES_BUCKET", Nested(&NHA_RES_BUCKET_SET);
    OpFlags = 14, NHA_OP_FLAGS, "NHA_OP_FLAGS", U32;
    GroupStats = 15, NHA_GROUP_STATS, "NHA_GROUP_STATS", Bytes;
    HwStatsEnable = 16, NHA_HW_STATS_ENABLE, "NHA_HW_STATS_ENABLE", U32;
    HwStatsUsed = 17, NHA_HW_STATS_USED, "NHA_HW_STATS_USED", U32;
}

attr_table! {
    /// A resilient group's attribute type (`NHA_RES_GROUP_*`).
    enum ResGroupAttr;
    /// The `NHA_RES_GROUP_*` set (timers in `clock_t`: 1/100 s).
    static NHA_RES_GROUP_SET = "nexthop resilient group";
    Pad = 0, NHA_RES_GROUP_PAD, "NHA_RES_GROUP_PAD", Bytes;
    Buckets = 1, NHA_RES_GROUP_BUCKETS, "NHA_RES_GROUP_BUCKETS", U16;
    IdleTimer = 2, NHA_RES_GROUP_IDLE_TIMER, "NHA_RES_GROUP_IDLE_TIMER", U32;
    UnbalancedTimer = 3, NHA_RES_GROUP_UNBALANCED_TIMER, "NHA_RES_GROUP_UNBALANCED_TIMER", U32;
    UnbalancedTime = 4, NHA_RES_GROUP_UNBALANCED_TIME, "NHA_RES_GROUP_UNBALANCED_TIME", U64;
}

attr_table! {
    /// A resilient group bucket's attribute type (`NHA_RES_BUCKET_*`).
    enum ResBucketAttr;
    /// The `NHA_RES_BUCKET_*` set (the idle time in `clock_t`: 1/100 s).
    static NHA_RES_BUCKET_SET = "nexthop bucket";
    Pad = 0, NHA_RES_BUCKET_PAD, "NHA_RES_BUCKET_PAD", Bytes;
    Index = 1, NHA_RES_BUCKET_INDEX, "NHA_RES_BUCKET_INDEX", U16;
    IdleTime = 2, NHA_RES_BUCKET_IDLE_TIME, "NHA_RES_BUCKET_IDLE_TIME", U64;
    NhId = 3, NHA_RES_BUCKET_NH_ID, "NHA_RES_BUCKET_NH_ID", U32;
}

/// `NEXTHOP_GRP_TYPE_MPATH`: hash-threshold multipath.
pub const NEXTHOP_GRP_TYPE_MPATH: u16 = 0;
/// `NEXTHOP_GRP_TYPE_RES`: a resilient group (buckets).
pub const NEXTHOP_GRP_TYPE_RES: u16 = 1;

/// A resilient group's parameters (`NHA_RES_GROUP`); timers in `clock_t`
/// (1/100 s). In a request, what is `None` is left to the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResGroup {
    /// `NHA_RES_GROUP_BUCKETS`.
    pub buckets: Option<u16>,
    /// `NHA_RES_GROUP_IDLE_TIMER`.
    pub idle_timer: Option<u32>,
    /// `NHA_RES_GROUP_UNBALANCED_TIMER`.
    pub unbalanced_timer: Option<u32>,
    /// `NHA_RES_GROUP_UNBALANCED_TIME` (reported, never sent).
    pub unbalanced_time: Option<u64>,
}

impl ResGroup {
    /// Reads the nest's attributes; a value of the wrong size is left unset.
    pub fn parse(a: &Attr<'_>) -> wire::Result<ResGroup> {
        let mut g = ResGroup::default();
        for x in a.nested() {
            let x = x?;
            match x.kind() {
                NHA_RES_GROUP_BUCKETS => g.buckets = x.u16().ok(),
                NHA_RES_GROUP_IDLE_TIMER => g.idle_timer = x.u32().ok(),
                NHA_RES_GROUP_UNBALANCED_TIMER => g.unbalanced_timer = x.u32().ok(),
                NHA_RES_GROUP_UNBALANCED_TIME => g.unbalanced_time = x.u64().ok(),
                _ => {}
            }
        }
        Ok(g)
    }
    fn write(&self, w: &mut MsgWriter<'_>) -> wire::Result<()> {
        w.nest(NHA_RES_GROUP, |w| {
            w.opt_u16(NHA_RES_GROUP_BUCKETS, self.buckets)?;
            w.opt_u32(NHA_RES_GROUP_IDLE_TIMER, self.idle_timer)?;
            w.opt_u32(NHA_RES_GROUP_UNBALANCED_TIMER, self.unbalanced_timer)
        })
        .map(drop)
    }
}

/// One bucket of a resilient group (`RTM_NEWNEXTHOPBUCKET`).
#[derive(Clone, Copy, Debug)]
pub struct NexthopBucketView<'a> {
    /// The family header.
    pub header: &'a NhMsg,
    /// `NHA_ID`: the group.
    pub id: Option<u32>,
    /// `NHA_RES_BUCKET_INDEX`.
    pub index: Option<u16>,
    /// `NHA_RES_BUCKET_IDLE_TIME`, in `clock_t` (1/100 s).
    pub idle_time: Option<u64>,
    /// `NHA_RES_BUCKET_NH_ID`: the member the bucket sends to.
    pub nh_id: Option<u32>,
}

impl<'a> NexthopBucketView<'a> {
    /// Decodes a bucket message.
    pub fn parse(msg: &Msg<&'a [u8]>) -> wire::Result<Self> {
        let (header, attrs, attrs_at) = split_header::<NhMsg>(msg.payload_ref())?;
        let mut v = NexthopBucketView {
            header,
            id: None,
            index: None,
            idle_time: None,
            nh_id: None,
        };
        for a in AttrIter::with_offset(attrs, attrs_at) {
            let a = a?;
            match a.kind() {
                NHA_ID => v.id = a.u32().ok(),
                NHA_RES_BUCKET => {
                    for x in a.nested() {
                        let x = x?;
                        match x.kind() {
                            NHA_RES_BUCKET_INDEX => v.index = x.u16().ok(),
                            NHA_RES_BUCKET_IDLE_TIME => v.idle_time = x.u64().ok(),
                            NHA_RES_BUCKET_NH_ID => v.nh_id = x.u32().ok(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(v)
    }
}

/// A bucket dump (`RTM_GETNEXTHOPBUCKET`, `NLM_F_DUMP`), filtered by the
/// kernel; or, with `index`, one bucket (`ip nexthop bucket get`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NexthopBucketDump {
    /// Only this group's buckets (`NHA_ID`); needed with `index`.
    pub id: Option<u32>,
    /// Only buckets whose member goes out of this device (`NHA_OIF`).
    pub oif: Option<u32>,
    /// Only buckets whose member's device has this master (`NHA_MASTER`).
    pub master: Option<u32>,
    /// Only buckets that send to this member (`NHA_RES_BUCKET_NH_ID`).
    pub nh_id: Option<u32>,
    /// One bucket: a get, not a dump (`NHA_RES_BUCKET_INDEX`).
    pub index: Option<u16>,
}

impl ToMsg for NexthopBucketDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let flags = if self.index.is_some() {
            0
        } else {
            MsgFlags::DUMP
        };
        let mut w = MsgWriter::new(buf, RTM_GETNEXTHOPBUCKET, flags, 0, 0);
        w.fixed(&NhMsg::default());
        w.opt_u32(NHA_ID, self.id)?;
        w.opt_u32(NHA_OIF, self.oif)?;
        w.opt_u32(NHA_MASTER, self.master)?;
        if self.nh_id.is_some() || self.index.is_some() {
            w.nest(NHA_RES_BUCKET, |w| {
                w.opt_u16(NHA_RES_BUCKET_INDEX, self.index)?;
                w.opt_u32(NHA_RES_BUCKET_NH_ID, self.nh_id)
            })?;
        }
        w.finish()?;
        Ok(super::attrs_at(NhMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, self.id) {
            (Some(i), Some(id)) => write!(f, "get nexthop bucket id {id} index {i}"),
            _ => f.write_str("dump nexthop buckets"),
        }
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NHA_SET.path_name(path, None)
    }
}

/// A nexthop message, decoded in one pass.
#[derive(Clone, Copy, Debug)]
pub struct NexthopView<'a> {
    /// The family header.
    pub header: &'a NhMsg,
    /// `NHA_ID`.
    pub id: Option<u32>,
    /// `NHA_GROUP` members, raw (see [`NexthopView::group`]).
    pub group_raw: Option<&'a [u8]>,
    /// `NHA_GROUP_TYPE`.
    pub group_type: Option<u16>,
    /// `NHA_BLACKHOLE`.
    pub blackhole: bool,
    /// `NHA_OIF`.
    pub oif: Option<u32>,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_FDB`.
    pub fdb: bool,
    /// `NHA_RES_GROUP`: a resilient group's buckets and timers.
    pub res_group: Option<ResGroup>,
    attrs: &'a [u8],
    attrs_at: usize,
}

impl<'a> NexthopView<'a> {
    /// Decodes a nexthop message.
    pub fn parse(msg: &Msg<&'a [u8]>) -> wire::Result<Self> {
        Self::parse_payload(msg.payload_ref())
    }
    /// Decodes the payload of a nexthop message.
    pub fn parse_payload(payload: &'a [u8]) -> wire::Result<Self> {
        let (header, attrs, attrs_at) = split_header::<NhMsg>(payload)?;
        let mut v = NexthopView {
            header,
            id: None,
            group_raw: None,
            group_type: None,
            blackhole: false,
            oif: None,
            gateway: None,
            fdb: false,
            res_group: None,
            attrs,
            attrs_at,
        };
        for a in AttrIter::with_offset(attrs, attrs_at) {
            let a = a?;
            // A value of the wrong size leaves its field unset (the
            // attribute stays in `attrs`): it never fails the message.
            match a.kind() {
                NHA_ID => v.id = a.u32().ok(),
                NHA_GROUP if a.payload().len() % 8 == 0 => v.group_raw = Some(a.payload()),
                NHA_GROUP_TYPE => v.group_type = a.u16().ok(),
                NHA_BLACKHOLE => v.blackhole = true,
                NHA_OIF => v.oif = a.u32().ok(),
                NHA_GATEWAY => v.gateway = a.ip().ok(),
                NHA_FDB => v.fdb = true,
                NHA_RES_GROUP => v.res_group = Some(ResGroup::parse(&a)?),
                _ => {}
            }
        }
        Ok(v)
    }
    /// Group members: (id, weight).
    pub fn group(&self) -> impl Iterator<Item = (u32, u16)> + 'a {
        self.group_raw
            .unwrap_or(&[])
            .chunks_exact(8)
            .filter_map(|c| NexthopGrp::read_from_bytes(c).ok())
            .map(|g| {
                (
                    g.id.get(),
                    u16::from_le_bytes([g.weight, g.weight_high]).saturating_add(1),
                )
            })
    }
    /// Every attribute.
    pub fn attrs(&self) -> AttrIter<'a> {
        AttrIter::with_offset(self.attrs, self.attrs_at)
    }
    /// Attributes nlkit does not know, kept raw.
    pub fn unknown_attrs(&self) -> impl Iterator<Item = Attr<'a>> + 'a {
        unknown(&NHA_SET, self.attrs())
    }
    /// The owned form.
    pub fn to_owned(&self) -> Nexthop {
        Nexthop {
            family: self.header.family,
            scope: self.header.scope,
            protocol: self.header.protocol,
            flags: self.header.flags.get(),
            id: self.id.unwrap_or(0),
            group: self.group().collect(),
            group_type: self.group_type,
            blackhole: self.blackhole,
            oif: self.oif,
            gateway: self.gateway,
            fdb: self.fdb,
            res_group: self.res_group,
        }
    }
}

/// A nexthop object, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct Nexthop {
    pub family: u8,
    pub scope: u8,
    pub protocol: u8,
    pub flags: u32,
    pub id: u32,
    /// Members (id, weight 1..=256).
    pub group: Vec<(u32, u16)>,
    pub group_type: Option<u16>,
    pub blackhole: bool,
    pub oif: Option<u32>,
    pub gateway: Option<IpAddr>,
    pub fdb: bool,
    /// `NHA_RES_GROUP`, for a resilient group.
    pub res_group: Option<ResGroup>,
}

impl Nexthop {
    fn write_body(&self, w: &mut MsgWriter<'_>) -> wire::Result<()> {
        w.fixed(&NhMsg {
            family: self.family,
            scope: self.scope,
            protocol: self.protocol,
            resvd: 0,
            flags: self.flags.into(),
        });
        if self.id != 0 {
            w.attr_u32(NHA_ID, self.id)?;
        }
        if !self.group.is_empty() {
            let mut g = Vec::with_capacity(self.group.len() * 8);
            for &(id, weight) in &self.group {
                let [lo, hi] = weight.saturating_sub(1).to_le_bytes();
                g.extend_from_slice(
                    NexthopGrp {
                        id: id.into(),
                        weight: lo,
                        weight_high: hi,
                        resvd2: 0.into(),
                    }
                    .as_bytes(),
                );
            }
            w.attr(NHA_GROUP, &g)?;
        }
        w.opt_u16(NHA_GROUP_TYPE, self.group_type)?;
        w.opt_flag(NHA_BLACKHOLE, self.blackhole)?;
        w.opt_u32(NHA_OIF, self.oif)?;
        w.opt_ip(NHA_GATEWAY, self.gateway)?;
        w.opt_flag(NHA_FDB, self.fdb)?;
        if let Some(g) = &self.res_group {
            g.write(w)?;
        }
        Ok(())
    }
    /// Writes a whole message.
    pub fn write_msg(&self, buf: &mut Vec<u8>, ty: u16, flags: u16) -> wire::Result<()> {
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        self.write_body(&mut w)?;
        w.finish().map(drop)
    }
}

/// Creates or deletes a nexthop object.
///
/// ```
/// use nlkit::route::nexthop::NexthopRequest;
/// let r = NexthopRequest::add_gateway(1, "10.9.0.2".parse().unwrap(), 3);
/// assert_eq!(r.to_string(), "add nexthop id 1 via 10.9.0.2 dev index 3");
/// ```
#[derive(Clone, Debug)]
pub struct NexthopRequest {
    mode: Option<NewMode>,
    /// The nexthop to send.
    pub nexthop: Nexthop,
}

impl NexthopRequest {
    /// `ip nexthop add id ID via GW dev INDEX`.
    pub fn add_gateway(id: u32, gw: IpAddr, oif: u32) -> NexthopRequest {
        NexthopRequest {
            mode: Some(NewMode::Add),
            nexthop: Nexthop {
                family: family_of(&gw),
                protocol: super::rtprot::BOOT,
                id,
                gateway: Some(gw),
                oif: Some(oif),
                ..Default::default()
            },
        }
    }
    /// `ip nexthop add id ID dev INDEX`.
    pub fn add_dev(id: u32, family: u8, oif: u32) -> NexthopRequest {
        NexthopRequest {
            mode: Some(NewMode::Add),
            nexthop: Nexthop {
                family,
                protocol: super::rtprot::BOOT,
                id,
                oif: Some(oif),
                ..Default::default()
            },
        }
    }
    /// `ip nexthop add id ID blackhole` (the kernel wants a family: `AF_INET` or `AF_INET6`).
    pub fn add_blackhole(id: u32, family: u8) -> NexthopRequest {
        NexthopRequest {
            mode: Some(NewMode::Add),
            nexthop: Nexthop {
                family,
                protocol: super::rtprot::BOOT,
                id,
                blackhole: true,
                ..Default::default()
            },
        }
    }
    /// `ip nexthop add id ID group A,WEIGHT/B...`.
    pub fn add_group(id: u32, members: Vec<(u32, u16)>) -> NexthopRequest {
        NexthopRequest {
            mode: Some(NewMode::Add),
            nexthop: Nexthop {
                protocol: super::rtprot::BOOT,
                id,
                group: members,
                ..Default::default()
            },
        }
    }
    /// Adds an owned nexthop with a create mode.
    pub fn create(nexthop: Nexthop, mode: NewMode) -> NexthopRequest {
        NexthopRequest {
            mode: Some(mode),
            nexthop,
        }
    }
    /// `ip nexthop del id ID`.
    pub fn delete(id: u32) -> NexthopRequest {
        NexthopRequest {
            mode: None,
            nexthop: Nexthop {
                id,
                ..Default::default()
            },
        }
    }
}

impl fmt::Display for NexthopRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for NexthopRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let (ty, flags) = match self.mode {
            Some(m) => (RTM_NEWNEXTHOP, m.flags()),
            None => (RTM_DELNEXTHOP, 0),
        };
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        self.nexthop.write_body(&mut w)?;
        w.finish()?;
        Ok(super::attrs_at(NhMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.nexthop;
        let verb = self.mode.map(NewMode::verb).unwrap_or("delete");
        write!(f, "{verb} nexthop id {}", n.id)?;
        if let Some(g) = n.gateway {
            write!(f, " via {g}")?;
        }
        if let Some(o) = n.oif {
            write!(f, " dev index {o}")?;
        }
        if n.blackhole {
            f.write_str(" blackhole")?;
        }
        if !n.group.is_empty() {
            let g: Vec<String> = n.group.iter().map(|(i, w)| format!("{i},{w}")).collect();
            write!(f, " group {}", g.join("/"))?;
        }
        Ok(())
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NHA_SET.path_name(path, None)
    }
}

/// A nexthop dump.
#[derive(Clone, Copy, Debug, Default)]
pub struct NexthopDump {
    /// Only nexthops through this device (`NHA_OIF`; 0: all).
    pub oif: u32,
    /// Only groups (`NHA_GROUPS`).
    pub groups: bool,
    /// Only nexthops whose device has this master (`NHA_MASTER`; 0: all).
    pub master: u32,
}

impl ToMsg for NexthopDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNEXTHOP, MsgFlags::DUMP, 0, 0);
        w.fixed(&NhMsg::default());
        if self.oif != 0 {
            w.attr_u32(NHA_OIF, self.oif)?;
        }
        w.opt_flag(NHA_GROUPS, self.groups)?;
        if self.master != 0 {
            w.attr_u32(NHA_MASTER, self.master)?;
        }
        w.finish()?;
        Ok(super::attrs_at(NhMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump nexthops")
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NHA_SET.path_name(path, None)
    }
}

/// `ip nexthop get id ID`: one nexthop object, by id (`RTM_GETNEXTHOP`
/// without `NLM_F_DUMP`; `ENOENT` if there is none).
///
/// ```
/// use nlkit::route::nexthop::NexthopGet;
/// assert_eq!(NexthopGet { id: 7 }.to_string(), "get nexthop id 7");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NexthopGet {
    /// The id asked for.
    pub id: u32,
}

impl fmt::Display for NexthopGet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for NexthopGet {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNEXTHOP, 0, 0, 0);
        w.fixed(&NhMsg::default());
        w.attr_u32(NHA_ID, self.id)?;
        w.finish()?;
        Ok(super::attrs_at(NhMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "get nexthop id {}", self.id)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NHA_SET.path_name(path, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::MsgIter;
    use proptest::prelude::*;

    #[test]
    fn header_and_group_bytes() {
        let mut want = vec![
            2, // nh_family AF_INET
            0, // nh_scope
            3, // nh_protocol RTPROT_BOOT
            0, // resvd
        ];
        want.extend_from_slice(&0u32.to_ne_bytes()); // nh_flags
        let (h, _) = NhMsg::ref_from_prefix(&want[..]).unwrap();
        assert_eq!(h.protocol, 3);
        let r = NexthopRequest::add_group(10, vec![(1, 1), (2, 3)]);
        let mut buf = Vec::new();
        r.write(&mut buf).unwrap();
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let v = NexthopView::parse(&m).unwrap();
        let mut g = Vec::new();
        g.extend_from_slice(&1u32.to_ne_bytes()); // id 1
        g.extend_from_slice(&[0, 0, 0, 0]); // weight 1 (stored as 0), high, resvd2
        g.extend_from_slice(&2u32.to_ne_bytes()); // id 2
        g.extend_from_slice(&[2, 0, 0, 0]); // weight 3 (stored as 2)
        assert_eq!(v.group_raw.unwrap(), &g[..]);
        assert_eq!(v.group().collect::<Vec<_>>(), [(1, 1), (2, 3)]);
    }

    #[test]
    fn odd_sizes_never_fail_the_view() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, RTM_NEWNEXTHOP, 0, 0, 0);
        w.fixed(&NhMsg::default());
        w.attr_u32(NHA_ID, 7).unwrap();
        w.attr(NHA_GROUP, &[1, 0, 0, 0, 0]).unwrap(); // 5 bytes: not whole nexthop_grp records
        w.attr(NHA_OIF, &[3, 0]).unwrap(); // 2 bytes: not a u32
        w.finish().unwrap();
        let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
        let v = NexthopView::parse(&m).unwrap();
        assert_eq!(v.id, Some(7));
        assert_eq!(v.group_raw, None);
        assert_eq!(v.oif, None);
        // Kept raw.
        assert_eq!(v.attrs().count(), 3);
    }

    proptest! {
        #[test]
        fn owned_round_trip(
            hdr in (any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>()),
            id in 1u32..,
            group in proptest::collection::vec((any::<u32>(), 1u16..=256), 0..4),
            bh in any::<bool>(),
            oif in proptest::option::of(any::<u32>()),
            gw in proptest::option::of(any::<[u8; 4]>().prop_map(IpAddr::from)),
        ) {
            let n = Nexthop {
                family: hdr.0, scope: hdr.1, protocol: hdr.2, flags: hdr.3, id,
                group, blackhole: bh, oif, gateway: gw, ..Default::default()
            };
            let mut buf = Vec::new();
            n.write_msg(&mut buf, RTM_NEWNEXTHOP, 0).unwrap();
            let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
            prop_assert_eq!(NexthopView::parse(&m).unwrap().to_owned(), n);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(v) = NexthopView::parse_payload(&b) {
                let _ = v.to_owned();
                let _ = v.unknown_attrs().count();
            }
        }
    }
}
