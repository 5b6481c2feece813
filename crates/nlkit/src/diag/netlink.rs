//! netlink_diag: `AF_NETLINK` sockets.
//!
//! # References
//! `linux/netlink_diag.h`, `net/netlink/diag.c`.

use super::{AttrTable, SkMemInfo, AF_NETLINK};
use crate::conn::ToMsg;
use crate::wire::{self, Msg};
use core::fmt;
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `NETLINK_DIAG_MEMINFO`.
pub const NETLINK_DIAG_MEMINFO: u16 = 0;
/// `NETLINK_DIAG_GROUPS`: the groups bitmap (unsigned longs).
pub const NETLINK_DIAG_GROUPS: u16 = 1;
/// `NETLINK_DIAG_RX_RING`.
pub const NETLINK_DIAG_RX_RING: u16 = 2;
/// `NETLINK_DIAG_TX_RING`.
pub const NETLINK_DIAG_TX_RING: u16 = 3;
/// `NETLINK_DIAG_FLAGS`: `NDIAG_FLAG_*`.
pub const NETLINK_DIAG_FLAGS: u16 = 4;
/// `NDIAG_PROTO_ALL`.
pub const PROTO_ALL: u8 = 0xff;
/// `NDIAG_SHOW_MEMINFO`.
pub const SHOW_MEMINFO: u32 = 1;
/// `NDIAG_SHOW_GROUPS`.
pub const SHOW_GROUPS: u32 = 2;
/// `NDIAG_SHOW_RING_CFG`.
pub const SHOW_RING_CFG: u32 = 4;
/// `NDIAG_SHOW_FLAGS`.
pub const SHOW_FLAGS: u32 = 8;
/// `NETLINK_CONNECTED` state.
pub const CONNECTED: u8 = 1;

/// `struct netlink_diag_req`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "netlink_diag_req")]
#[allow(missing_docs)]
pub struct NetlinkDiagReq {
    pub family: u8,
    pub protocol: u8,
    pub pad: U16<NativeEndian>,
    pub ino: U32<NativeEndian>,
    pub show: U32<NativeEndian>,
    pub cookie: [U32<NativeEndian>; 2],
}

/// `struct netlink_diag_msg`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "netlink_diag_msg")]
#[allow(missing_docs)]
pub struct NetlinkDiagMsg {
    pub family: u8,
    pub ty: u8,
    /// `NETLINK_ROUTE`...
    pub protocol: u8,
    /// 0 unconnected, 1 connected.
    pub state: u8,
    pub portid: U32<NativeEndian>,
    pub dst_portid: U32<NativeEndian>,
    pub dst_group: U32<NativeEndian>,
    pub ino: U32<NativeEndian>,
    pub cookie: [U32<NativeEndian>; 2],
}

/// A dump of netlink sockets (every protocol, or one).
#[derive(Clone, Copy, Debug)]
pub struct NetlinkDump {
    /// A protocol, or [`PROTO_ALL`].
    pub protocol: u8,
    /// `SHOW_*` bits.
    pub show: u32,
}

impl ToMsg for NetlinkDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let req = NetlinkDiagReq {
            family: AF_NETLINK,
            protocol: self.protocol,
            show: self.show.into(),
            ..Default::default()
        };
        super::write_dump(buf, &req)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump netlink sockets")
    }
}

/// One netlink socket of a dump.
#[derive(Clone, Copy, Debug)]
pub struct NetlinkSock<'a> {
    /// The fixed header.
    pub hdr: &'a NetlinkDiagMsg,
    /// The attributes, indexed; unknown ones kept raw.
    pub attrs: AttrTable<'a, 8>,
}

impl<'a> NetlinkSock<'a> {
    /// Parses one reply.
    pub fn parse(msg: Msg<&'a [u8]>) -> wire::Result<Self> {
        let (hdr, attrs) = super::parse_reply(msg)?;
        Ok(NetlinkSock { hdr, attrs })
    }
    /// The first word of the groups bitmap (groups 1..=64), 0 if none.
    pub fn groups(&self) -> u64 {
        let p = self.attrs.get(NETLINK_DIAG_GROUPS).unwrap_or(&[]);
        let mut b = [0u8; 8];
        let n = p.len().min(8);
        b[..n].copy_from_slice(&p[..n]);
        u64::from_ne_bytes(b)
    }
    /// `NETLINK_DIAG_MEMINFO`.
    pub fn skmeminfo(&self) -> Option<SkMemInfo<'a>> {
        self.attrs.get(NETLINK_DIAG_MEMINFO).map(SkMemInfo::new)
    }
    /// `NETLINK_DIAG_FLAGS`.
    pub fn flags(&self) -> Option<u32> {
        self.attrs.u32(NETLINK_DIAG_FLAGS)
    }
}

/// ss's short name of a netlink protocol (`rtnl`, `tcpdiag`, `genl`...).
pub fn ss_proto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "rtnl",
        1 => "unused",
        2 => "usersock",
        3 => "fw",
        4 => "tcpdiag",
        5 => "nflog",
        6 => "xfrm",
        7 => "selinux",
        8 => "iscsi",
        9 => "audit",
        10 => "fiblookup",
        11 => "connector",
        12 => "nft",
        13 => "ip6fw",
        14 => "dec-rt",
        15 => "uevent",
        16 => "genl",
        18 => "scsi-trans",
        19 => "ecryptfs",
        20 => "rdma",
        21 => "crypto",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SOCK_DIAG_BY_FAMILY;
    use crate::wire::MsgWriter;

    #[test]
    fn layouts_and_groups() {
        assert_eq!(core::mem::size_of::<NetlinkDiagReq>(), 20);
        assert_eq!(core::mem::size_of::<NetlinkDiagMsg>(), 28);
        let hdr = NetlinkDiagMsg {
            family: AF_NETLINK,
            protocol: 0,
            portid: 5.into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut w = MsgWriter::new(&mut out, SOCK_DIAG_BY_FAMILY, 2, 1, 0);
        w.fixed(&hdr);
        w.attr(NETLINK_DIAG_GROUPS, &0x11u64.to_ne_bytes()).unwrap();
        w.finish().unwrap();
        let s = NetlinkSock::parse(Msg::new_checked(&out[..]).unwrap()).unwrap();
        assert_eq!(s.groups(), 0x11);
        assert_eq!(s.hdr.portid.get(), 5);
        assert!(s.skmeminfo().is_none());
    }
}
