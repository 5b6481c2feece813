//! Neighbours (`RTM_NEWNEIGH`/`GETNEIGH`/`DELNEIGH`): `ndmsg` and `NDA_*`.

use super::{family_of, NewMode, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH};
use crate::conn::ToMsg;
use crate::schema::{
    attr_table, fixed_header, mac_string, struct_value, typed_attrs, Int, Names, ValueKind::*,
};
use crate::wire::{self, MsgFlags, MsgWriter};
use core::fmt;
use std::net::IpAddr;
use zerocopy::byteorder::{NativeEndian, I32, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct ndmsg`.
///
/// ```text
/// +--------+--------+-----------------+
/// | family |  pad1  |   pad2 (u16)    |
/// +--------+--------+-----------------+
/// |          ifindex (i32)            |
/// +-----------------+--------+--------+
/// |   state (u16)   | flags  |  type  |
/// +-----------------+--------+--------+
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
#[doc(alias = "ndmsg")]
pub struct NdMsg {
    /// `ndm_family`.
    pub family: u8,
    /// `ndm_pad1`.
    pub pad1: u8,
    /// `ndm_pad2`.
    pub pad2: U16<NativeEndian>,
    /// `ndm_ifindex`.
    pub ifindex: I32<NativeEndian>,
    /// `ndm_state` (`NUD_*`).
    pub state: U16<NativeEndian>,
    /// `ndm_flags` (`NTF_*`).
    pub flags: u8,
    /// `ndm_type`.
    pub ty: u8,
}

fixed_header! {
    /// `ndmsg` field by field, for decoders.
    pub static NDMSG: NdMsg = "ndmsg" {
        family => "ndm_family", U8, Enum(super::AF_NAMES);
        ifindex => "ndm_ifindex", I32, Dec;
        state => "ndm_state", U16, Bits(NUD_NAMES);
        flags => "ndm_flags", U8, Bits(NTF_FLAGS);
        ty => "ndm_type", U8, Enum(super::RTN_NAMES);
    }
}

impl NdMsg {
    /// Size on the wire.
    pub const LEN: usize = 12;
}

/// `struct nda_cacheinfo` (`NDA_CACHEINFO`): ages in clock ticks.
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
#[doc(alias = "nda_cacheinfo")]
#[allow(missing_docs)]
pub struct NdaCacheInfo {
    pub confirmed: U32<NativeEndian>,
    pub used: U32<NativeEndian>,
    pub updated: U32<NativeEndian>,
    pub refcnt: U32<NativeEndian>,
}

attr_table! {
    /// A neighbour attribute type (`NDA_*`).
    enum NeighAttr;
    /// The `NDA_*` set.
    static NDA_SET = "neigh";
    Unspec = 0, NDA_UNSPEC, "NDA_UNSPEC", Bytes;
    Dst = 1, NDA_DST, "NDA_DST", Ip;
    Lladdr = 2, NDA_LLADDR, "NDA_LLADDR", Mac;
    Cacheinfo = 3, NDA_CACHEINFO, "NDA_CACHEINFO", Counters(Int::U32, &["ndm_confirmed", "ndm_used", "ndm_updated", "ndm_refcnt"]);
    Probes = 4, NDA_PROBES, "NDA_PROBES", U32;
    Vlan = 5, NDA_VLAN, "NDA_VLAN", U16;
    Port = 6, NDA_PORT, "NDA_PORT", BeU16;
    Vni = 7, NDA_VNI, "NDA_VNI", U32;
    Ifindex = 8, NDA_IFINDEX, "NDA_IFINDEX", U32;
    Master = 9, NDA_MASTER, "NDA_MASTER", U32;
    LinkNetnsid = 10, NDA_LINK_NETNSID, "NDA_LINK_NETNSID", I32;
    SrcVni = 11, NDA_SRC_VNI, "NDA_SRC_VNI", U32;
    Protocol = 12, NDA_PROTOCOL, "NDA_PROTOCOL", Enum(Int::U8, super::RTPROT_NAMES);
    NhId = 13, NDA_NH_ID, "NDA_NH_ID", U32;
    FdbExtAttrs = 14, NDA_FDB_EXT_ATTRS, "NDA_FDB_EXT_ATTRS", NestedAny;
    FlagsExt = 15, NDA_FLAGS_EXT, "NDA_FLAGS_EXT", U32;
    NdmStateMask = 16, NDA_NDM_STATE_MASK, "NDA_NDM_STATE_MASK", U16;
    NdmFlagsMask = 17, NDA_NDM_FLAGS_MASK, "NDA_NDM_FLAGS_MASK", U8;
}

/// `NUD_INCOMPLETE`
pub const NUD_INCOMPLETE: u16 = 0x01;
/// `NUD_REACHABLE`
pub const NUD_REACHABLE: u16 = 0x02;
/// `NUD_STALE`
pub const NUD_STALE: u16 = 0x04;
/// `NUD_DELAY`
pub const NUD_DELAY: u16 = 0x08;
/// `NUD_PROBE`
pub const NUD_PROBE: u16 = 0x10;
/// `NUD_FAILED`
pub const NUD_FAILED: u16 = 0x20;
/// `NUD_NOARP`
pub const NUD_NOARP: u16 = 0x40;
/// `NUD_PERMANENT`
pub const NUD_PERMANENT: u16 = 0x80;
/// `NUD_NONE`
pub const NUD_NONE: u16 = 0x00;

/// `NUD_*` states, without the prefix (iproute2 prints them so too).
pub const NUD_NAMES: Names = &[
    (0x01, "INCOMPLETE"),
    (0x02, "REACHABLE"),
    (0x04, "STALE"),
    (0x08, "DELAY"),
    (0x10, "PROBE"),
    (0x20, "FAILED"),
    (0x40, "NOARP"),
    (0x80, "PERMANENT"),
];

/// Neighbour states as iproute2 prints them (`["REACHABLE"]`; `["NONE"]` for 0).
pub fn nud_names(state: u16) -> Vec<&'static str> {
    if state == 0 {
        return vec!["NONE"];
    }
    super::bit_names(u32::from(state), NUD_NAMES)
}

/// Parses a state word (`permanent`, `REACHABLE`, `noarp`...).
pub fn parse_nud(s: &str) -> Option<u16> {
    let up = s.to_ascii_uppercase();
    if up == "NONE" {
        return Some(0);
    }
    NUD_NAMES
        .iter()
        .find(|(_, n)| *n == up)
        .map(|(b, _)| *b as u16)
}

/// `NTF_USE`
pub const NTF_USE: u8 = 0x01;
/// `NTF_SELF`
pub const NTF_SELF: u8 = 0x02;
/// `NTF_MASTER`
pub const NTF_MASTER: u8 = 0x04;
/// `NTF_PROXY`
pub const NTF_PROXY: u8 = 0x08;
/// `NTF_EXT_LEARNED`
pub const NTF_EXT_LEARNED: u8 = 0x10;
/// `NTF_OFFLOADED`
pub const NTF_OFFLOADED: u8 = 0x20;
/// `NTF_STICKY`
pub const NTF_STICKY: u8 = 0x40;
/// `NTF_ROUTER`
pub const NTF_ROUTER: u8 = 0x80;

/// `NTF_*` flags by their constant names, without the prefix, for decoders.
#[rustfmt::skip]
pub const NTF_FLAGS: Names = &[
    (0x01, "USE"), (0x02, "SELF"), (0x04, "MASTER"), (0x08, "PROXY"), (0x10, "EXT_LEARNED"),
    (0x20, "OFFLOADED"), (0x40, "STICKY"), (0x80, "ROUTER"),
];

const NTF_NAMES: &[(u32, &str)] = &[
    (0x01, "use"),
    (0x02, "self"),
    (0x04, "master"),
    (0x08, "proxy"),
    (0x10, "extern_learn"),
    (0x20, "offload"),
    (0x40, "sticky"),
    (0x80, "router"),
];

/// Neighbour flags with iproute2's words (`router`, `proxy`, `extern_learn`).
pub fn ntf_names(flags: u8) -> Vec<&'static str> {
    super::bit_names(u32::from(flags), NTF_NAMES)
}

struct_value!(NdaCacheInfo);

typed_attrs! {
    /// A neighbour message, decoded in one pass.
    #[derive(Clone, Copy, Debug)]
    pub struct NeighView<'a>: NdMsg, NDA_SET, "a neighbour message" {
        /// `NDA_DST`.
        pub dst: IpAddr => IpAddr = NDA_DST,
        /// `NDA_LLADDR`.
        pub lladdr: &'a [u8] => Vec<u8> = NDA_LLADDR,
        /// `NDA_CACHEINFO`.
        @reported pub cacheinfo: NdaCacheInfo => NdaCacheInfo = NDA_CACHEINFO,
        /// `NDA_PROBES`.
        @reported pub probes: u32 => u32 = NDA_PROBES,
        /// `NDA_VLAN`.
        pub vlan: u16 => u16 = NDA_VLAN,
        /// `NDA_MASTER`.
        pub master: u32 => u32 = NDA_MASTER,
        /// `NDA_PROTOCOL`.
        pub protocol: u8 => u8 = NDA_PROTOCOL,
        /// `NDA_FLAGS_EXT`.
        pub flags_ext: u32 => u32 = NDA_FLAGS_EXT,
    };
    /// A neighbour, owned.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    owned Neigh (Self::owned_rest, Neigh::write_rest) {
        /// `ndm_family`.
        pub family: u8,
        /// `ndm_ifindex`.
        pub ifindex: u32,
        /// `ndm_state`: `NUD_*`.
        pub state: u16,
        /// `ndm_flags`: `NTF_*`.
        pub flags: u8,
        /// `ndm_type`.
        pub ntype: u8,
    }
}

impl<'a> NeighView<'a> {
    /// `ndm_ifindex`.
    pub fn ifindex(&self) -> u32 {
        self.header.ifindex.get() as u32
    }
    /// `ndm_state`.
    pub fn state(&self) -> u16 {
        self.header.state.get()
    }
    /// `ndm_flags`.
    pub fn flags(&self) -> u8 {
        self.header.flags
    }
    /// `ndm_family`.
    pub fn family(&self) -> u8 {
        self.header.family
    }
    /// The header fields, for the owned form.
    fn owned_rest(&self, o: &mut Neigh) {
        o.family = self.family();
        o.ifindex = self.ifindex();
        o.state = self.state();
        o.flags = self.flags();
        o.ntype = self.header.ty;
    }
}

impl Neigh {
    fn header(&self) -> NdMsg {
        NdMsg {
            family: self.family,
            ifindex: (self.ifindex as i32).into(),
            state: self.state.into(),
            flags: self.flags,
            ty: self.ntype,
            ..Default::default()
        }
    }
    /// Every attribute is one field: nothing more to write.
    fn write_rest(&self, _: &mut MsgWriter<'_>, _request: bool) -> wire::Result<()> {
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NeighOp {
    New(NewMode),
    Delete,
}

/// Adds, replaces or deletes a neighbour entry (permanent by default).
///
/// ```
/// use nlkit::route::NeighRequest;
/// let r = NeighRequest::add(3, "10.0.0.2".parse().unwrap(), &[2, 0, 0, 0, 0, 1]).dev_name("v0");
/// assert_eq!(r.to_string(), "add neighbour 10.0.0.2 lladdr 02:00:00:00:00:01 dev v0 nud permanent");
/// ```
#[derive(Clone, Debug)]
pub struct NeighRequest {
    op: NeighOp,
    /// The entry to send.
    pub neigh: Neigh,
    dev: Option<String>,
}

impl NeighRequest {
    fn new(op: NeighOp, ifindex: u32, dst: IpAddr, lladdr: Option<&[u8]>) -> NeighRequest {
        NeighRequest {
            op,
            neigh: Neigh {
                family: family_of(&dst),
                ifindex,
                state: if matches!(op, NeighOp::New(_)) {
                    NUD_PERMANENT
                } else {
                    0
                },
                dst: Some(dst),
                lladdr: lladdr.map(<[u8]>::to_vec),
                ..Default::default()
            },
            dev: None,
        }
    }
    /// `ip neigh add ADDR lladdr MAC dev INDEX nud permanent`.
    pub fn add(ifindex: u32, dst: IpAddr, lladdr: &[u8]) -> NeighRequest {
        NeighRequest::new(NeighOp::New(NewMode::Add), ifindex, dst, Some(lladdr))
    }
    /// `ip neigh replace ...`.
    pub fn replace(ifindex: u32, dst: IpAddr, lladdr: &[u8]) -> NeighRequest {
        NeighRequest::new(NeighOp::New(NewMode::Replace), ifindex, dst, Some(lladdr))
    }
    /// `ip neigh change ...`: changes an existing entry, creates none (`ENOENT`).
    pub fn change(ifindex: u32, dst: IpAddr, lladdr: &[u8]) -> NeighRequest {
        NeighRequest::new(NeighOp::New(NewMode::Modify), ifindex, dst, Some(lladdr))
    }
    /// `ip neigh del ADDR dev INDEX`.
    pub fn delete(ifindex: u32, dst: IpAddr) -> NeighRequest {
        NeighRequest::new(NeighOp::Delete, ifindex, dst, None)
    }
    /// Sets the state (`NUD_*`).
    pub fn state(mut self, s: u16) -> Self {
        self.neigh.state = s;
        self
    }
    /// Sets flags (`NTF_*`, e.g. `NTF_ROUTER`, `NTF_PROXY`).
    pub fn flags(mut self, f: u8) -> Self {
        self.neigh.flags = f;
        self
    }
    /// Names the device in messages.
    pub fn dev_name(mut self, n: &str) -> Self {
        self.dev = Some(n.to_string());
        self
    }
}

impl fmt::Display for NeighRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for NeighRequest {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let (ty, flags) = match self.op {
            NeighOp::New(m) => (RTM_NEWNEIGH, m.flags()),
            NeighOp::Delete => (RTM_DELNEIGH, 0),
        };
        let mut w = MsgWriter::new(buf, ty, flags, 0, 0);
        w.fixed(&self.neigh.header());
        self.neigh.write_attrs(&mut w, true)?;
        w.finish()?;
        Ok(super::attrs_at(NdMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.neigh;
        let verb = match self.op {
            NeighOp::New(m) => m.verb(),
            NeighOp::Delete => "delete",
        };
        write!(f, "{verb} neighbour")?;
        if let Some(d) = n.dst {
            write!(f, " {d}")?;
        }
        if let Some(l) = &n.lladdr {
            write!(f, " lladdr {}", mac_string(l))?;
        }
        match &self.dev {
            Some(d) => write!(f, " dev {d}")?,
            None => write!(f, " dev index {}", n.ifindex)?,
        }
        if matches!(self.op, NeighOp::New(_)) {
            write!(
                f,
                " nud {}",
                nud_names(n.state).join(",").to_ascii_lowercase()
            )?;
        }
        Ok(())
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NDA_SET.path_name(path, None)
    }
}

/// `NTF_EXT_MANAGED` (in `NDA_FLAGS_EXT`): the kernel keeps the entry resolved.
pub const NTF_EXT_MANAGED: u32 = 0x01;

/// One neighbour, asked for by address and link (`ip neigh get ADDR dev D`);
/// with `proxy`, a proxy entry.
#[derive(Clone, Copy, Debug)]
pub struct NeighGet {
    /// The link.
    pub ifindex: u32,
    /// The neighbour's address.
    pub dst: IpAddr,
    /// A proxy entry (`NTF_PROXY`).
    pub proxy: bool,
}

impl fmt::Display for NeighGet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

impl ToMsg for NeighGet {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNEIGH, 0, 0, 0);
        w.fixed(&NdMsg {
            family: family_of(&self.dst),
            ifindex: (self.ifindex as i32).into(),
            flags: if self.proxy { NTF_PROXY } else { 0 },
            ..Default::default()
        });
        w.attr_ip(NDA_DST, self.dst)?;
        w.finish()?;
        Ok(super::attrs_at(NdMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = if self.proxy { "proxy " } else { "" };
        write!(
            f,
            "get neighbour {p}{} dev index {}",
            self.dst, self.ifindex
        )
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NDA_SET.path_name(path, None)
    }
}

/// A neighbour dump, filtered by the kernel (strict checking) on link and master.
#[derive(Clone, Copy, Debug, Default)]
pub struct NeighDump {
    /// `AF_INET`, `AF_INET6`, `AF_BRIDGE` (the FDB), or 0 for all.
    pub family: u8,
    /// Only this link (`NDA_IFINDEX`; 0: all).
    pub ifindex: u32,
    /// Only ports of this master (`NDA_MASTER`; 0: all).
    pub master: u32,
    /// Proxy entries (`NTF_PROXY`) instead of the cache.
    pub proxy: bool,
}

impl ToMsg for NeighDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNEIGH, MsgFlags::DUMP, 0, 0);
        w.fixed(&NdMsg {
            family: self.family,
            flags: if self.proxy { NTF_PROXY } else { 0 },
            ..Default::default()
        });
        if self.ifindex != 0 {
            w.attr_u32(NDA_IFINDEX, self.ifindex)?;
        }
        if self.master != 0 {
            w.attr_u32(NDA_MASTER, self.master)?;
        }
        w.finish()?;
        Ok(super::attrs_at(NdMsg::LEN))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump neighbours")?;
        if self.ifindex != 0 {
            write!(f, " dev index {}", self.ifindex)?;
        }
        Ok(())
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NDA_SET.path_name(path, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::MsgIter;
    use proptest::prelude::*;

    #[test]
    fn ndmsg_bytes() {
        let mut want = vec![
            2, // ndm_family AF_INET
            0, // ndm_pad1
        ];
        want.extend_from_slice(&0u16.to_ne_bytes()); // ndm_pad2
        want.extend_from_slice(&3i32.to_ne_bytes()); // ndm_ifindex
        want.extend_from_slice(&NUD_PERMANENT.to_ne_bytes()); // ndm_state
        want.push(NTF_ROUTER); // ndm_flags
        want.push(0); // ndm_type
        let (h, _) = NdMsg::ref_from_prefix(&want[..]).unwrap();
        assert_eq!(h.ifindex.get(), 3);
        assert_eq!(nud_names(h.state.get()), ["PERMANENT"]);
        assert_eq!(ntf_names(h.flags), ["router"]);
        let n = Neigh {
            family: 2,
            ifindex: 3,
            state: NUD_PERMANENT,
            flags: NTF_ROUTER,
            ..Default::default()
        };
        assert_eq!(n.header().as_bytes(), &want[..]);
    }

    #[test]
    fn add_emits_bytes() {
        let r = NeighRequest::add(3, "10.0.0.2".parse().unwrap(), &[2, 0, 0, 0, 0, 1]);
        let mut buf = Vec::new();
        assert_eq!(r.write(&mut buf).unwrap(), 28);
        let mut want = Vec::new();
        want.extend_from_slice(&48u32.to_ne_bytes()); // nlmsg_len
        want.extend_from_slice(&RTM_NEWNEIGH.to_ne_bytes()); // nlmsg_type
        want.extend_from_slice(&0x600u16.to_ne_bytes()); // CREATE|EXCL
        want.extend_from_slice(&[0; 8]); // seq, pid
        want.extend_from_slice(&[2, 0, 0, 0]); // family AF_INET, pads
        want.extend_from_slice(&3i32.to_ne_bytes()); // ndm_ifindex
        want.extend_from_slice(&NUD_PERMANENT.to_ne_bytes()); // ndm_state
        want.extend_from_slice(&[0, 0]); // ndm_flags, ndm_type
        want.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&NDA_DST.to_ne_bytes()); // NDA_DST
        want.extend_from_slice(&[10, 0, 0, 2]);
        want.extend_from_slice(&10u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&NDA_LLADDR.to_ne_bytes()); // NDA_LLADDR
        want.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0, 0]); // MAC + padding
        assert_eq!(buf, want);
    }

    proptest! {
        #[test]
        fn owned_round_trip(
            hdr in (any::<u8>(), any::<u32>(), any::<u16>(), any::<u8>(), any::<u8>()),
            dst in proptest::option::of(any::<[u8; 16]>().prop_map(IpAddr::from)),
            ll in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
            ci in proptest::option::of(any::<[u32; 4]>()),
            probes in proptest::option::of(any::<u32>()),
            vlan in proptest::option::of(any::<u16>()),
            master in proptest::option::of(any::<u32>()),
        ) {
            let n = Neigh {
                family: hdr.0, ifindex: hdr.1, state: hdr.2, flags: hdr.3, ntype: hdr.4,
                dst, lladdr: ll, probes, vlan, master,
                cacheinfo: ci.map(|c| NdaCacheInfo { confirmed: c[0].into(), used: c[1].into(), updated: c[2].into(), refcnt: c[3].into() }),
                ..Default::default()
            };
            let mut buf = Vec::new();
            n.write_msg(&mut buf, RTM_NEWNEIGH, 0).unwrap();
            let (_, m) = MsgIter::new(&buf).next().unwrap().unwrap();
            prop_assert_eq!(NeighView::parse(&m).unwrap().to_owned(), n);
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Ok(v) = NeighView::parse_payload(&b) {
                let _ = v.to_owned();
                let _ = v.unknown_attrs().count();
            }
        }
    }
}
