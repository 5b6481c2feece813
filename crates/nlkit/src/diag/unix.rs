//! unix_diag: `AF_UNIX` sockets.
//!
//! # References
//! `linux/unix_diag.h`, `net/unix/diag.c`.

use super::{read_padded, AttrTable, SkMemInfo, AF_UNIX};
use crate::conn::ToMsg;
use crate::wire::{self, Msg};
use core::fmt;
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `UNIX_DIAG_NAME`: the bound address (abstract names start with a NUL).
pub const UNIX_DIAG_NAME: u16 = 0;
/// `UNIX_DIAG_VFS`: the bound file's inode and device.
pub const UNIX_DIAG_VFS: u16 = 1;
/// `UNIX_DIAG_PEER`: the peer's inode.
pub const UNIX_DIAG_PEER: u16 = 2;
/// `UNIX_DIAG_ICONS`: inodes of connections not yet accepted.
pub const UNIX_DIAG_ICONS: u16 = 3;
/// `UNIX_DIAG_RQLEN`: receive and send queues.
pub const UNIX_DIAG_RQLEN: u16 = 4;
/// `UNIX_DIAG_MEMINFO`: `SK_MEMINFO_*`.
pub const UNIX_DIAG_MEMINFO: u16 = 5;
/// `UNIX_DIAG_SHUTDOWN`.
pub const UNIX_DIAG_SHUTDOWN: u16 = 6;
/// `UNIX_DIAG_UID`.
pub const UNIX_DIAG_UID: u16 = 7;

/// `UDIAG_SHOW_*`: what a dump asks for.
pub mod show {
    /// `UDIAG_SHOW_NAME`.
    pub const NAME: u32 = 1;
    /// `UDIAG_SHOW_VFS`.
    pub const VFS: u32 = 2;
    /// `UDIAG_SHOW_PEER`.
    pub const PEER: u32 = 4;
    /// `UDIAG_SHOW_ICONS`.
    pub const ICONS: u32 = 8;
    /// `UDIAG_SHOW_RQLEN`.
    pub const RQLEN: u32 = 16;
    /// `UDIAG_SHOW_MEMINFO`.
    pub const MEMINFO: u32 = 32;
    /// `UDIAG_SHOW_UID`.
    pub const UID: u32 = 64;
}

/// `struct unix_diag_req`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "unix_diag_req")]
#[allow(missing_docs)]
pub struct UnixDiagReq {
    pub family: u8,
    pub protocol: u8,
    pub pad: U16<NativeEndian>,
    pub states: U32<NativeEndian>,
    pub ino: U32<NativeEndian>,
    pub show: U32<NativeEndian>,
    pub cookie: [U32<NativeEndian>; 2],
}

/// `struct unix_diag_msg`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "unix_diag_msg")]
pub struct UnixDiagMsg {
    /// `AF_UNIX`.
    pub family: u8,
    /// `SOCK_STREAM` (1), `SOCK_DGRAM` (2), `SOCK_SEQPACKET` (5).
    pub ty: u8,
    /// [`State`](super::State) number.
    pub state: u8,
    /// Padding.
    pub pad: u8,
    /// Inode.
    pub ino: U32<NativeEndian>,
    /// Cookie.
    pub cookie: [U32<NativeEndian>; 2],
}

/// `struct unix_diag_vfs`.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct UnixVfs {
    pub ino: U32<NativeEndian>,
    pub dev: U32<NativeEndian>,
}

/// A dump of unix sockets.
#[derive(Clone, Copy, Debug)]
pub struct UnixDump {
    /// States, a bit per [`State`](super::State).
    pub states: u32,
    /// What to report ([`show`] bits).
    pub show: u32,
}

impl ToMsg for UnixDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let req = UnixDiagReq {
            family: AF_UNIX,
            states: self.states.into(),
            show: self.show.into(),
            cookie: [u32::MAX.into(), u32::MAX.into()],
            ..Default::default()
        };
        super::write_dump(buf, &req)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump unix sockets")
    }
}

/// One unix socket of a dump.
#[derive(Clone, Copy, Debug)]
pub struct UnixSock<'a> {
    /// The fixed header.
    pub hdr: &'a UnixDiagMsg,
    /// The attributes, indexed; unknown ones kept raw.
    pub attrs: AttrTable<'a, 8>,
}

impl<'a> UnixSock<'a> {
    /// Parses one reply.
    pub fn parse(msg: Msg<&'a [u8]>) -> wire::Result<Self> {
        let (hdr, attrs) = super::parse_reply(msg)?;
        Ok(UnixSock { hdr, attrs })
    }
    /// The bound name, as sent (abstract names begin with a NUL).
    pub fn name(&self) -> Option<&'a [u8]> {
        self.attrs.get(UNIX_DIAG_NAME)
    }
    /// The peer's inode.
    pub fn peer(&self) -> Option<u32> {
        self.attrs.u32(UNIX_DIAG_PEER)
    }
    /// Receive and send queue (`UNIX_DIAG_RQLEN`).
    pub fn queues(&self) -> Option<(u32, u32)> {
        let p = self.attrs.get(UNIX_DIAG_RQLEN)?;
        let r = u32::from_ne_bytes(p.get(0..4)?.try_into().ok()?);
        let w = u32::from_ne_bytes(p.get(4..8)?.try_into().ok()?);
        Some((r, w))
    }
    /// `UNIX_DIAG_VFS`.
    pub fn vfs(&self) -> Option<UnixVfs> {
        self.attrs.get(UNIX_DIAG_VFS).map(read_padded)
    }
    /// Inodes of pending connections (`UNIX_DIAG_ICONS`).
    pub fn icons(&self) -> impl Iterator<Item = u32> + 'a {
        self.attrs
            .get(UNIX_DIAG_ICONS)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
    }
    /// `UNIX_DIAG_MEMINFO`.
    pub fn skmeminfo(&self) -> Option<SkMemInfo<'a>> {
        self.attrs.get(UNIX_DIAG_MEMINFO).map(SkMemInfo::new)
    }
    /// `UNIX_DIAG_SHUTDOWN`.
    pub fn shutdown(&self) -> Option<u8> {
        self.attrs.u8(UNIX_DIAG_SHUTDOWN)
    }
    /// `UNIX_DIAG_UID`.
    pub fn uid(&self) -> Option<u32> {
        self.attrs.u32(UNIX_DIAG_UID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SOCK_DIAG_BY_FAMILY;
    use crate::wire::MsgWriter;

    #[test]
    fn request_and_reply() {
        assert_eq!(core::mem::size_of::<UnixDiagReq>(), 24);
        assert_eq!(core::mem::size_of::<UnixDiagMsg>(), 16);
        let mut buf = Vec::new();
        UnixDump {
            states: 0xfff,
            show: show::NAME | show::PEER,
        }
        .write(&mut buf)
        .unwrap();
        let m = Msg::new_checked(&buf[..]).unwrap();
        let (r, _) = m.fixed::<UnixDiagReq>().unwrap();
        assert_eq!(
            (r.family, r.show.get(), r.states.get()),
            (AF_UNIX, 5, 0xfff)
        );

        let hdr = UnixDiagMsg {
            family: AF_UNIX,
            ty: 1,
            state: 10,
            ino: 9.into(),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut w = MsgWriter::new(&mut out, SOCK_DIAG_BY_FAMILY, 2, 1, 0);
        w.fixed(&hdr);
        w.attr(UNIX_DIAG_NAME, b"\0abc").unwrap();
        w.attr_u32(UNIX_DIAG_PEER, 12).unwrap();
        let rq: Vec<u8> = [3u32, 4].iter().flat_map(|v| v.to_ne_bytes()).collect();
        w.attr(UNIX_DIAG_RQLEN, &rq).unwrap();
        w.attr(UNIX_DIAG_ICONS, &rq).unwrap();
        w.attr(99, b"x").unwrap();
        w.finish().unwrap();
        let s = UnixSock::parse(Msg::new_checked(&out[..]).unwrap()).unwrap();
        assert_eq!(s.name(), Some(&b"\0abc"[..]));
        assert_eq!(s.peer(), Some(12));
        assert_eq!(s.queues(), Some((3, 4)));
        assert_eq!(s.icons().collect::<Vec<_>>(), [3, 4]);
        assert_eq!(
            s.attrs
                .iter()
                .filter_map(|a| a.ok())
                .last()
                .map(|a| a.kind()),
            Some(99)
        );
    }
}
