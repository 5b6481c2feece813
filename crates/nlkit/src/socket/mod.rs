//! Netlink sockets: the only part of nlkit that does I/O.
//!
//! [`Socket`] opens any protocol (close-on-exec), binds with a kernel-chosen
//! or requested port id, joins and leaves multicast groups (any number, above
//! 32 too), sends to the kernel, another port id or groups, and receives whole
//! datagrams (never truncated: the size is peeked first) together with who
//! sent them, the group they came on, the netns id and credentials.
//! [`netns`] opens sockets in other network namespaces without moving the
//! caller's thread. [`tun`] wraps the ioctls of `/dev/net/tun`.
//!
//! # References
//! `netlink(7)`, `socket(7)`, `setns(2)`.

pub mod netns;
mod sys;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod tun;

use crate::wire::Protocol;
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// A netlink socket.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
    proto: Protocol,
}

/// Where a datagram came from, and what the kernel told about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvInfo {
    /// Bytes of the datagram (all of it is in the buffer).
    pub len: usize,
    /// The sender's port id (0: the kernel).
    pub port_id: u32,
    /// The destination group mask of the datagram (`nl_groups`; 0 for unicast).
    pub groups: u32,
    /// The group number it came on (with [`Socket::set_pktinfo`]; works above 32 too).
    pub group: Option<u32>,
    /// The sender's network namespace id (with [`Socket::set_listen_all_nsid`]).
    pub nsid: Option<i32>,
    /// Sender credentials (with [`Socket::set_passcred`]).
    pub creds: Option<Credentials>,
}

/// `SCM_CREDENTIALS` of a datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Process id.
    pub pid: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

/// Where to send a datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dest {
    /// Destination port id (0: the kernel, or nobody when sending to groups).
    pub port_id: u32,
    /// Destination group mask (groups 1..=32 as bits 0..=31).
    pub groups: u32,
}

impl Dest {
    /// The kernel.
    pub const KERNEL: Dest = Dest {
        port_id: 0,
        groups: 0,
    };
    /// Another socket, by port id.
    pub fn port(port_id: u32) -> Dest {
        Dest { port_id, groups: 0 }
    }
    /// Group number `group` (1..=32).
    pub fn group(group: u32) -> io::Result<Dest> {
        Ok(Dest {
            port_id: 0,
            groups: group_mask(group)?,
        })
    }
}

/// The bind/`nl_groups` mask bit of group `group` (1..=32).
pub fn group_mask(group: u32) -> io::Result<u32> {
    if (1..=32).contains(&group) {
        Ok(1 << (group - 1))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "group {group} has no bit in a 32-bit mask (1..=32); join it with add_membership"
            ),
        ))
    }
}

/// An `io::Error` that says what was being done and keeps the kernel's errno
/// (an `io::Error::new(kind, text)` would lose it: see [`errno`]).
#[derive(Debug)]
struct WithContext {
    what: String,
    source: io::Error,
}

impl std::fmt::Display for WithContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.source)
    }
}

// No `source()`: the text already holds the cause, and a chain would repeat it.
impl std::error::Error for WithContext {}

/// Adds `what` to `e`'s text, keeping its kind and errno.
pub(crate) fn with_context(e: io::Error, what: impl Into<String>) -> io::Error {
    io::Error::new(
        e.kind(),
        WithContext {
            what: what.into(),
            source: e,
        },
    )
}

/// The errno behind `e`: its `raw_os_error()`, or that of the error nlkit
/// wrapped with context (`join ... group 1: Operation not permitted`).
pub fn errno(e: &io::Error) -> Option<i32> {
    e.raw_os_error().or_else(|| {
        e.get_ref()?
            .downcast_ref::<WithContext>()
            .and_then(|c| errno(&c.source))
    })
}

/// The largest datagram the kernel fills a dump with (`netlink_dump`: 32 KiB
/// less the skb overhead); [`Socket::recv`] always offers at least this much.
pub const DUMP_CHUNK: usize = 32 * 1024;

/// Most datagrams [`Socket::recv_many`] takes per call.
pub const MAX_RECV_MANY: usize = sys::MAX_MMSG;

/// The host name of an address, as `ip -r` shows it: `getnameinfo(3)`
/// (`/etc/hosts`, DNS... as `nsswitch.conf` says) with `NI_NAMEREQD`;
/// `None` if it has none. An IPv4-mapped IPv6 address is looked up as the
/// IPv4 address, as iproute2 does. It may block on DNS; callers cache.
pub fn host_name(addr: std::net::IpAddr) -> Option<String> {
    let addr = match addr {
        std::net::IpAddr::V6(a) => a
            .to_ipv4_mapped()
            .map_or(std::net::IpAddr::V6(a), std::net::IpAddr::V4),
        a => a,
    };
    sys::name_of_addr(addr)
}

/// Initial receive buffer size: bigger than any kernel dump chunk (32 KiB).
pub const DEFAULT_RECV_BUF: usize = 64 * 1024;

impl Socket {
    /// Opens an unbound socket for `proto`, close-on-exec.
    pub fn new(proto: Protocol) -> io::Result<Socket> {
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::RAW,
            SocketFlags::CLOEXEC,
            // NETLINK_ROUTE is protocol 0, which rustix spells as "no protocol".
            rustix::net::RawProtocol::new(proto.0 as u32).map(rustix::net::Protocol::from_raw),
        )
        .map_err(|e| with_context(e.into(), format!("socket(AF_NETLINK, {proto})")))?;
        Ok(Socket { fd, proto })
    }

    /// Opens a socket for `proto` and binds it with a kernel-chosen port id.
    pub fn open(proto: Protocol) -> io::Result<Socket> {
        let s = Socket::new(proto)?;
        s.bind(0, 0)?;
        Ok(s)
    }

    /// Wraps a descriptor that is a netlink socket of `proto`.
    pub fn from_fd(fd: OwnedFd, proto: Protocol) -> Socket {
        Socket { fd, proto }
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.proto
    }

    /// Binds to `port_id` (0: the kernel chooses) and the groups in `groups` (a mask, group 1 = bit 0).
    pub fn bind(&self, port_id: u32, groups: u32) -> io::Result<()> {
        rustix::net::bind(&self.fd, &SocketAddrNetlink::new(port_id, groups)).map_err(|e| {
            with_context(
                e.into(),
                format!(
                    "bind netlink {} port {port_id} groups {groups:#x}",
                    self.proto
                ),
            )
        })
    }

    /// The port id the socket is bound to (0 before binding).
    pub fn port_id(&self) -> io::Result<u32> {
        let a = rustix::net::getsockname(&self.fd)?;
        let nl = SocketAddrNetlink::try_from(a).map_err(io::Error::from)?;
        Ok(nl.pid())
    }

    /// Joins group number `group` (`NETLINK_ADD_MEMBERSHIP`; any number, above 32 too).
    pub fn add_membership(&self, group: u32) -> io::Result<()> {
        sys::set_int_opt(
            self.fd.as_fd(),
            sys::SOL_NETLINK,
            libc::NETLINK_ADD_MEMBERSHIP,
            group as i32,
        )
        .map_err(|e| with_context(e, format!("join {} group {group}", self.proto)))
    }

    /// Leaves group number `group` (`NETLINK_DROP_MEMBERSHIP`).
    pub fn drop_membership(&self, group: u32) -> io::Result<()> {
        sys::set_int_opt(
            self.fd.as_fd(),
            sys::SOL_NETLINK,
            libc::NETLINK_DROP_MEMBERSHIP,
            group as i32,
        )
        .map_err(|e| with_context(e, format!("leave {} group {group}", self.proto)))
    }

    /// The group numbers this socket is a member of (`NETLINK_LIST_MEMBERSHIPS`).
    pub fn memberships(&self) -> io::Result<Vec<u32>> {
        let words = sys::list_memberships(self.fd.as_fd())?;
        let mut out = Vec::new();
        for (i, w) in words.iter().enumerate() {
            for bit in 0..32 {
                if w & (1 << bit) != 0 {
                    out.push(i as u32 * 32 + bit + 1);
                }
            }
        }
        Ok(out)
    }

    /// Sends one datagram (which may hold many messages) to the kernel.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.send_to(buf, Dest::KERNEL)
    }

    /// Sends one datagram to `dest`.
    ///
    /// Sending to groups with port id 0 delivers to the groups first and then
    /// to the kernel's socket of the protocol; where the protocol has none
    /// (`NETLINK_USERSOCK`), the kernel answers `ECONNREFUSED` *after* the
    /// group delivery succeeded. That is not a failure and is not reported.
    pub fn send_to(&self, buf: &[u8], dest: Dest) -> io::Result<usize> {
        self.send_vectored(&[io::IoSlice::new(buf)], dest)
    }

    /// Sends several buffers as one datagram (scatter/gather); see [`Socket::send_to`].
    pub fn send_vectored(&self, bufs: &[io::IoSlice<'_>], dest: Dest) -> io::Result<usize> {
        match sys::sendmsg(self.fd.as_fd(), bufs, dest.port_id, dest.groups, 0) {
            Err(e)
                if e.raw_os_error() == Some(libc::ECONNREFUSED)
                    && dest.groups != 0
                    && dest.port_id == 0 =>
            {
                Ok(bufs.iter().map(|b| b.len()).sum())
            }
            r => r,
        }
    }

    /// Receives one whole datagram into `buf` (replacing its contents, growing
    /// it as needed: the datagram's size is peeked first, without copying, so
    /// nothing is ever truncated). An overrun is an error of kind
    /// `ENOBUFS`; see [`is_overrun`].
    pub fn recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        self.recv_flags(buf, 0)
    }

    /// Receives one datagram into a fixed buffer with one system call (no
    /// sizing, no zeroing: for hot loops such as a packet queue). Returns
    /// `(copied, full_len)`; `full_len > buf.len()` means the datagram was cut.
    /// Without `block`, an empty socket is `WouldBlock`.
    pub fn recv_into(&self, buf: &mut [u8], block: bool) -> io::Result<(usize, usize)> {
        use rustix::net::RecvFlags;
        let flags = if block {
            RecvFlags::TRUNC
        } else {
            RecvFlags::TRUNC | RecvFlags::DONTWAIT
        };
        rustix::net::recv(self, buf, flags).map_err(io::Error::from)
    }

    /// Receives up to `lens.len()` datagrams (at most 64) with one system
    /// call (`recvmmsg`), datagram `i` into `buf[i * slot..]`; `lens[i]` is
    /// its full length (more than `slot`: it was cut). With `block`, waits
    /// for the first and takes what else is queued (`MSG_WAITFORONE`);
    /// without, an empty socket is `WouldBlock`. Returns how many came. An
    /// overrun is `ENOBUFS` (reported on the call after the datagrams that
    /// came before it).
    pub fn recv_many(
        &self,
        buf: &mut [u8],
        slot: usize,
        lens: &mut [usize],
        block: bool,
    ) -> io::Result<usize> {
        let flags = if block {
            libc::MSG_WAITFORONE
        } else {
            libc::MSG_DONTWAIT
        };
        sys::recvmmsg(self.fd.as_fd(), buf, slot, lens, flags)
    }

    /// Waits until a datagram is queued (or `timeout` passes: `false`).
    pub fn wait_readable(&self, timeout: Option<Duration>) -> io::Result<bool> {
        use rustix::event::{poll, PollFd, PollFlags, Timespec};
        let mut fds = [PollFd::new(self, PollFlags::IN)];
        let ts = timeout.map(|t| Timespec {
            tv_sec: t.as_secs() as _,
            tv_nsec: t.subsec_nanos() as _,
        });
        loop {
            match poll(&mut fds, ts.as_ref()) {
                Ok(n) => return Ok(n > 0),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// [`Socket::recv`] without blocking: `WouldBlock` when nothing is queued.
    pub fn recv_nonblocking(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        self.recv_flags(buf, libc::MSG_DONTWAIT)
    }

    fn recv_flags(&self, buf: &mut Vec<u8>, flags: libc::c_int) -> io::Result<RecvInfo> {
        // Size the datagram first: MSG_PEEK|MSG_TRUNC with an empty buffer copies nothing and returns its length.
        let peek = sys::recvmsg(self.fd.as_fd(), &mut [], flags | libc::MSG_PEEK)?;
        // Offer at least DUMP_CHUNK bytes: the kernel sizes the next dump
        // datagram by the largest buffer a receive has offered, so an
        // exact-size read would keep every dump chunk at one page (and
        // cost eight times the system calls a 32 KiB chunk does).
        // Not cleared first: only bytes past the last datagram's length
        // (usually none) are zeroed before the kernel overwrites them.
        buf.resize(peek.full_len.max(DUMP_CHUNK), 0);
        let r = sys::recvmsg(self.fd.as_fd(), &mut buf[..], flags)?;
        // Another thread may have taken the peeked datagram; a larger one would be reported as truncated.
        if r.full_len > buf.len() {
            return Err(io::Error::other(format!(
                "a {}-byte datagram was cut to {} bytes: another thread received from this socket between \
                 sizing and reading (share a Connection, not a Socket)",
                r.full_len,
                buf.len()
            )));
        }
        buf.truncate(r.full_len);
        Ok(RecvInfo {
            len: r.full_len,
            port_id: r.pid,
            groups: r.groups,
            group: r.group.filter(|&g| g != 0),
            nsid: r.nsid,
            creds: r.creds.map(|(pid, uid, gid)| Credentials { pid, uid, gid }),
        })
    }

    fn set_nl_opt(&self, name: libc::c_int, what: &str, on: bool) -> io::Result<()> {
        sys::set_int_opt(self.fd.as_fd(), sys::SOL_NETLINK, name, on as i32)
            .map_err(|e| with_context(e, format!("setsockopt {what}")))
    }

    /// `NETLINK_EXT_ACK`: errors carry a message and the offending attribute.
    pub fn set_ext_ack(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_EXT_ACK, "NETLINK_EXT_ACK", on)
    }
    /// `NETLINK_GET_STRICT_CHK`: the kernel checks dump requests strictly (and filters).
    pub fn set_strict_check(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_GET_STRICT_CHK, "NETLINK_GET_STRICT_CHK", on)
    }
    /// `NETLINK_CAP_ACK`: ACKs and errors echo only the request's header.
    pub fn set_cap_ack(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_CAP_ACK, "NETLINK_CAP_ACK", on)
    }
    /// `NETLINK_NO_ENOBUFS`: never report overruns (messages are still lost).
    pub fn set_no_enobufs(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_NO_ENOBUFS, "NETLINK_NO_ENOBUFS", on)
    }
    /// `NETLINK_LISTEN_ALL_NSID`: receive notifications from every netns with an id.
    pub fn set_listen_all_nsid(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_LISTEN_ALL_NSID, "NETLINK_LISTEN_ALL_NSID", on)
    }
    /// `NETLINK_PKTINFO`: tell the group each datagram came on.
    pub fn set_pktinfo(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_PKTINFO, "NETLINK_PKTINFO", on)
    }
    /// `NETLINK_BROADCAST_ERROR`: a send to groups fails if delivery to a member failed.
    pub fn set_broadcast_error(&self, on: bool) -> io::Result<()> {
        self.set_nl_opt(libc::NETLINK_BROADCAST_ERROR, "NETLINK_BROADCAST_ERROR", on)
    }
    /// `SO_PASSCRED`: receive sender credentials.
    pub fn set_passcred(&self, on: bool) -> io::Result<()> {
        Ok(rustix::net::sockopt::set_socket_passcred(&self.fd, on)?)
    }
    /// `SO_RCVBUF` (the kernel doubles it), or `SO_RCVBUFFORCE` when `force`
    /// (needs `CAP_NET_ADMIN`; goes past `rmem_max`).
    pub fn set_recv_buffer_size(&self, bytes: usize, force: bool) -> io::Result<()> {
        if force {
            Ok(rustix::net::sockopt::set_socket_recv_buffer_size_force(
                &self.fd, bytes,
            )?)
        } else {
            Ok(rustix::net::sockopt::set_socket_recv_buffer_size(
                &self.fd, bytes,
            )?)
        }
    }
    /// The receive buffer size as the kernel accounts it.
    pub fn recv_buffer_size(&self) -> io::Result<usize> {
        Ok(rustix::net::sockopt::socket_recv_buffer_size(&self.fd)?)
    }
    /// `SO_SNDBUF`.
    pub fn set_send_buffer_size(&self, bytes: usize) -> io::Result<()> {
        Ok(rustix::net::sockopt::set_socket_send_buffer_size(
            &self.fd, bytes,
        )?)
    }
    /// The send buffer size as the kernel accounts it.
    pub fn send_buffer_size(&self) -> io::Result<usize> {
        Ok(rustix::net::sockopt::socket_send_buffer_size(&self.fd)?)
    }
    /// Non-blocking mode (`O_NONBLOCK`).
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        Ok(rustix::io::ioctl_fionbio(&self.fd, on)?)
    }
    /// Receive timeout (`SO_RCVTIMEO`); `None` blocks forever. A timed-out
    /// receive is an error of kind `WouldBlock`.
    pub fn set_recv_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        Ok(rustix::net::sockopt::set_socket_timeout(
            &self.fd,
            rustix::net::sockopt::Timeout::Recv,
            t,
        )?)
    }
}

/// True if `e` is a netlink overrun: the kernel dropped messages because the
/// receive buffer was full (`ENOBUFS`).
pub fn is_overrun(e: &io::Error) -> bool {
    errno(e) == Some(libc::ENOBUFS)
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}
impl From<Socket> for OwnedFd {
    fn from(s: Socket) -> OwnedFd {
        s.fd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_errno_under_context() {
        // Units run from 0 to 31: anything above is refused by netlink_create().
        let e = Socket::new(Protocol(40)).unwrap_err();
        assert_eq!(errno(&e), Some(libc::EPROTONOSUPPORT), "{e}");
        assert!(e.to_string().starts_with("socket(AF_NETLINK, "), "{e}");
        assert_eq!(
            crate::Error::io("open", e).errno(),
            Some(libc::EPROTONOSUPPORT)
        );
        let s = Socket::open(Protocol::ROUTE).unwrap();
        let e = s.add_membership(0).unwrap_err();
        assert_eq!(errno(&e), Some(libc::EINVAL), "{e}");
        assert_eq!(
            e.to_string(),
            "join route group 0: Invalid argument (os error 22)"
        );
    }
}
