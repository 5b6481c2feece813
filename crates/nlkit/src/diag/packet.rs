//! packet_diag: `AF_PACKET` sockets.
//!
//! # References
//! `linux/packet_diag.h`, `net/packet/diag.c`.

use super::{read_padded, AttrTable, SkMemInfo, AF_PACKET};
use crate::conn::ToMsg;
use crate::wire::{self, Msg};
use core::fmt;
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `PACKET_DIAG_INFO`: `struct packet_diag_info`.
pub const PACKET_DIAG_INFO: u16 = 0;
/// `PACKET_DIAG_MCLIST`.
pub const PACKET_DIAG_MCLIST: u16 = 1;
/// `PACKET_DIAG_RX_RING`.
pub const PACKET_DIAG_RX_RING: u16 = 2;
/// `PACKET_DIAG_TX_RING`.
pub const PACKET_DIAG_TX_RING: u16 = 3;
/// `PACKET_DIAG_FANOUT`.
pub const PACKET_DIAG_FANOUT: u16 = 4;
/// `PACKET_DIAG_UID`.
pub const PACKET_DIAG_UID: u16 = 5;
/// `PACKET_DIAG_MEMINFO`.
pub const PACKET_DIAG_MEMINFO: u16 = 6;
/// `PACKET_DIAG_FILTER`.
pub const PACKET_DIAG_FILTER: u16 = 7;

/// `PACKET_SHOW_*`.
pub mod show {
    /// `PACKET_SHOW_INFO`.
    pub const INFO: u32 = 1;
    /// `PACKET_SHOW_MCLIST`.
    pub const MCLIST: u32 = 2;
    /// `PACKET_SHOW_RING_CFG`.
    pub const RING_CFG: u32 = 4;
    /// `PACKET_SHOW_FANOUT`.
    pub const FANOUT: u32 = 8;
    /// `PACKET_SHOW_MEMINFO`.
    pub const MEMINFO: u32 = 16;
    /// `PACKET_SHOW_FILTER`.
    pub const FILTER: u32 = 32;
}

/// `struct packet_diag_req`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "packet_diag_req")]
#[allow(missing_docs)]
pub struct PacketDiagReq {
    pub family: u8,
    pub protocol: u8,
    pub pad: U16<NativeEndian>,
    pub ino: U32<NativeEndian>,
    pub show: U32<NativeEndian>,
    pub cookie: [U32<NativeEndian>; 2],
}

/// `struct packet_diag_msg`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "packet_diag_msg")]
#[allow(missing_docs)]
pub struct PacketDiagMsg {
    pub family: u8,
    /// `SOCK_RAW` (3) or `SOCK_DGRAM` (2).
    pub ty: u8,
    /// The ethertype bound to (the kernel converts it to host order).
    pub num: U16<NativeEndian>,
    pub ino: U32<NativeEndian>,
    pub cookie: [U32<NativeEndian>; 2],
}

/// `struct packet_diag_info`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct PacketInfo {
    /// Bound interface index.
    pub index: U32<NativeEndian>,
    pub version: U32<NativeEndian>,
    pub reserve: U32<NativeEndian>,
    pub copy_thresh: U32<NativeEndian>,
    pub tstamp: U32<NativeEndian>,
    /// `PDI_RUNNING` 1, `PDI_AUXDATA` 2, `PDI_ORIGDEV` 4, `PDI_VNETHDR` 8, `PDI_LOSS` 16.
    pub flags: U32<NativeEndian>,
}

/// `struct packet_diag_ring` (`PACKET_DIAG_RX_RING`, `PACKET_DIAG_TX_RING`).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct PacketRing {
    pub block_size: U32<NativeEndian>,
    pub block_nr: U32<NativeEndian>,
    pub frame_size: U32<NativeEndian>,
    pub frame_nr: U32<NativeEndian>,
    pub retire_tmo: U32<NativeEndian>,
    pub sizeof_priv: U32<NativeEndian>,
    pub features: U32<NativeEndian>,
}

/// A dump of packet sockets.
#[derive(Clone, Copy, Debug)]
pub struct PacketDump {
    /// [`show`] bits.
    pub show: u32,
}

impl ToMsg for PacketDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let req = PacketDiagReq {
            family: AF_PACKET,
            show: self.show.into(),
            ..Default::default()
        };
        super::write_dump(buf, &req)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump packet sockets")
    }
}

/// One packet socket of a dump.
#[derive(Clone, Copy, Debug)]
pub struct PacketSock<'a> {
    /// The fixed header.
    pub hdr: &'a PacketDiagMsg,
    /// The attributes, indexed; unknown ones kept raw.
    pub attrs: AttrTable<'a, 8>,
}

impl<'a> PacketSock<'a> {
    /// Parses one reply.
    pub fn parse(msg: Msg<&'a [u8]>) -> wire::Result<Self> {
        let (hdr, attrs) = super::parse_reply(msg)?;
        Ok(PacketSock { hdr, attrs })
    }
    /// `PACKET_DIAG_INFO`.
    pub fn info(&self) -> Option<PacketInfo> {
        self.attrs.get(PACKET_DIAG_INFO).map(read_padded)
    }
    /// `PACKET_DIAG_RX_RING` or `PACKET_DIAG_TX_RING`.
    pub fn ring(&self, kind: u16) -> Option<PacketRing> {
        self.attrs.get(kind).map(read_padded)
    }
    /// `PACKET_DIAG_FANOUT`: group id (low 16 bits) and type (high 16 bits).
    pub fn fanout(&self) -> Option<u32> {
        self.attrs.u32(PACKET_DIAG_FANOUT)
    }
    /// `PACKET_DIAG_UID`.
    pub fn uid(&self) -> Option<u32> {
        self.attrs.u32(PACKET_DIAG_UID)
    }
    /// `PACKET_DIAG_MEMINFO`.
    pub fn skmeminfo(&self) -> Option<SkMemInfo<'a>> {
        self.attrs.get(PACKET_DIAG_MEMINFO).map(SkMemInfo::new)
    }
}

/// The name iproute2 gives an ethertype (`ip`, `arp`, `ipv6`, `all`...).
pub fn ether_proto_name(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0060 => "loop",
        0x0200 => "pup",
        0x0800 => "ip",
        0x0805 => "x25",
        0x0806 => "arp",
        0x08ff => "bpq",
        0x6000 => "dec",
        0x6004 => "lat",
        0x8035 => "rarp",
        0x809b => "atalk",
        0x80f3 => "aarp",
        0x8137 => "ipx",
        0x86dd => "ipv6",
        0x8863 => "ppp_disc",
        0x8864 => "ppp_ses",
        0x0001 => "802_3",
        0x0002 => "ax25",
        0x0003 => "all",
        0x0004 => "802_2",
        0x0005 => "snap",
        0x000c => "can",
        0x8100 => "802.1Q",
        0x88a8 => "802.1ad",
        0x8847 => "mpls_uc",
        0x8848 => "mpls_mc",
        0x6558 => "teb",
        0x88cc => "LLDP",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SOCK_DIAG_BY_FAMILY;
    use crate::wire::MsgWriter;

    #[test]
    fn layouts_and_parse() {
        assert_eq!(core::mem::size_of::<PacketDiagReq>(), 20);
        assert_eq!(core::mem::size_of::<PacketDiagMsg>(), 16);
        assert_eq!(core::mem::size_of::<PacketInfo>(), 24);
        let hdr = PacketDiagMsg {
            family: AF_PACKET,
            ty: 3,
            num: 0x0003.into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut w = MsgWriter::new(&mut out, SOCK_DIAG_BY_FAMILY, 2, 1, 0);
        w.fixed(&hdr);
        w.attr(PACKET_DIAG_INFO, &[2, 0, 0, 0]).unwrap();
        w.finish().unwrap();
        let s = PacketSock::parse(Msg::new_checked(&out[..]).unwrap()).unwrap();
        assert_eq!(s.hdr.num.get(), 3);
        assert_eq!(s.info().unwrap().index.get(), 2);
        assert_eq!(s.info().unwrap().flags.get(), 0);
    }
}
