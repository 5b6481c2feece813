//! `/dev/net/tun`: the character device through which tun/tap devices are
//! made, attached and made persistent. Not netlink: a few ioctls on an open
//! descriptor (`TUNSETIFF`, `TUNSETPERSIST`, `TUNSETOWNER`, `TUNSETGROUP`),
//! wrapped here so that the typed API ([`crate::route::tuntap`]) holds no
//! `unsafe`. A device is made in the network namespace the descriptor was
//! opened in, so [`TunFile::open`] takes a [`Netns`].
//!
//! # References
//! `Documentation/networking/tuntap.rst`, `include/uapi/linux/if_tun.h`.

use super::netns::Netns;
use super::sys::{self, TunValue};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// The tun clone device.
pub const TUN_DEVICE: &str = "/dev/net/tun";

/// An open `/dev/net/tun` (closed on drop; a device that is not persistent
/// goes away with the last descriptor attached to it).
#[derive(Debug)]
pub struct TunFile {
    fd: OwnedFd,
}

impl TunFile {
    /// Opens `/dev/net/tun` read-write (close-on-exec), in `netns` if given.
    pub fn open(netns: Option<Netns<'_>>) -> io::Result<TunFile> {
        let open = || {
            rustix::fs::open(
                TUN_DEVICE,
                rustix::fs::OFlags::RDWR | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::empty(),
            )
            .map_err(io::Error::from)
        };
        let fd = match netns {
            Some(ns) => ns.run(open)?,
            None => open()?,
        };
        Ok(TunFile { fd })
    }

    /// `TUNSETIFF`: attaches to (or makes) device `name` with `flags`
    /// (`IFF_TUN`/`IFF_TAP`, `IFF_NO_PI`...); an empty name lets the kernel
    /// pick one. Returns the device's name.
    pub fn set_iff(&self, name: &[u8], flags: u16) -> io::Result<Vec<u8>> {
        let got = sys::tun_set_iff(self.fd.as_fd(), name, flags)?;
        let len = got.iter().position(|&b| b == 0).unwrap_or(got.len());
        Ok(got[..len].to_vec())
    }

    /// `TUNSETPERSIST`: the device outlives its descriptors, or not.
    pub fn set_persist(&self, on: bool) -> io::Result<()> {
        sys::tun_set_value(self.fd.as_fd(), TunValue::Persist, on.into())
    }

    /// `TUNSETOWNER`: the user that may attach.
    pub fn set_owner(&self, uid: u32) -> io::Result<()> {
        sys::tun_set_value(self.fd.as_fd(), TunValue::Owner, uid.into())
    }

    /// `TUNSETGROUP`: the group that may attach.
    pub fn set_group(&self, gid: u32) -> io::Result<()> {
        sys::tun_set_value(self.fd.as_fd(), TunValue::Group, gid.into())
    }
}

impl AsFd for TunFile {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
