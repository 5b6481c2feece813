//! Kobject uevents (`NETLINK_KOBJECT_UEVENT`): device add/remove/change...
//! as the kernel sends them (group 1) and as udevd re-sends them after rule
//! processing (group 2).
//!
//! - [`Event`] reads either format in place (no copy, no allocation): the
//!   kernel's `action@devpath\0KEY=VALUE\0...` (no `nlmsghdr`, `SEQNUM`
//!   last) and udev's `libudev\0` header (magic `0xfeedcafe`, big-endian)
//!   followed by the properties at `properties_off`. Bytes that are not
//!   UTF-8 are kept; [`crate::wire::Escaped`] shows them losslessly.
//! - [`Listener`] receives them and checks who sent them: only messages with
//!   credentials of uid 0 are taken (`SO_PASSCRED`), and on group 1 only those
//!   from port id 0 (the kernel); anything else is dropped and counted in
//!   [`Stats::untrusted`]. An overrun (`ENOBUFS`) is reported as
//!   [`Received::Lost`] with the number of overruns since the start; it never
//!   ends the listener. A large receive buffer is asked for
//!   (`SO_RCVBUFFORCE` when privileged, `SO_RCVBUF` otherwise).
//! - [`inject`] hands a kernel-format uevent to the kernel's uevent socket of
//!   the current network namespace, which broadcasts it to group 1 as if it
//!   were its own (adding `SEQNUM`); it needs `CAP_SYS_ADMIN` over that netns.
//!
//! Net-device uevents are delivered only in the device's network namespace;
//! other devices' uevents reach every namespace owned by the initial user
//! namespace.
//!
//! Nothing here panics on any input.
//!
//! ```
//! use nlkit::uevent::{emit_kernel, Action, Event, Source};
//!
//! let mut buf = Vec::new();
//! emit_kernel(&mut buf, b"add", b"/devices/virtual/net/d0",
//!     &[(b"SUBSYSTEM", b"net"), (b"INTERFACE", b"d0"), (b"SEQNUM", b"42")]);
//! assert_eq!(buf, b"add@/devices/virtual/net/d0\0SUBSYSTEM=net\0INTERFACE=d0\0SEQNUM=42\0");
//! let ev = Event::parse(&buf)?;
//! assert_eq!((ev.source(), ev.action()), (Source::Kernel, Some(Action::Add)));
//! assert_eq!(ev.subsystem(), Some(&b"net"[..]));
//! assert_eq!(ev.seqnum(), Some(42));
//! assert_eq!(ev.properties().nth(1), Some((&b"INTERFACE"[..], &b"d0"[..])));
//! # Ok::<(), nlkit::uevent::ParseError>(())
//! ```
//!
//! # References
//! `lib/kobject_uevent.c`; systemd's `sd-device/device-monitor.c` (the udev
//! header); `udevadm(8)`.

pub mod decode;
mod event;

pub use event::{
    emit_kernel, emit_udev, udev_hash, Action, Event, ParseError, Properties, Source, UdevHeader,
    UDEV_HEADER_LEN, UDEV_MAGIC, UDEV_PREFIX,
};

use crate::socket::{group_mask, is_overrun, RecvInfo, Socket};
use crate::wire::{ErrorMsg, Msg, MsgWriter, Protocol, NLMSG_ERROR, NLMSG_MIN_TYPE};
use crate::{Error, KernelError, Result};
use core::fmt;
use std::time::Duration;

/// The kernel's multicast group.
pub const GROUP_KERNEL: u32 = 1;
/// udevd's multicast group.
pub const GROUP_UDEV: u32 = 2;
/// The receive buffer a [`Listener`] asks for: 128 MiB, as udevd does (a
/// limit, not an allocation).
pub const RECV_BUFFER: usize = 128 << 20;

/// Which groups to listen to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sources {
    /// Group 1: the kernel's uevents.
    pub kernel: bool,
    /// Group 2: udevd's events.
    pub udev: bool,
}

impl Sources {
    /// Both groups.
    pub const BOTH: Sources = Sources {
        kernel: true,
        udev: true,
    };
    /// The kernel's group only.
    pub const KERNEL: Sources = Sources {
        kernel: true,
        udev: false,
    };
    /// udevd's group only.
    pub const UDEV: Sources = Sources {
        kernel: false,
        udev: true,
    };
    fn mask(self) -> u32 {
        let bit = |on: bool, g| if on { group_mask(g).unwrap_or(0) } else { 0 };
        bit(self.kernel, GROUP_KERNEL) | bit(self.udev, GROUP_UDEV)
    }
}

/// What a [`Listener`] has seen since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events handed out.
    pub events: u64,
    /// Messages dropped because of their sender (not uid 0, no credentials,
    /// or on group 1 not from the kernel, or unicast).
    pub untrusted: u64,
    /// Messages from a trusted sender that did not parse (handed out as [`Received::Malformed`]).
    pub malformed: u64,
    /// Overruns (`ENOBUFS`): each means one or more events were lost.
    pub overruns: u64,
}

/// One thing a [`Listener`] received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// An event.
    Event {
        /// The event, borrowing the listener's buffer.
        event: Event<'a>,
        /// `CLOCK_MONOTONIC` when it was received (what `udevadm monitor` prints).
        at: Duration,
    },
    /// The receive buffer overflowed: the kernel dropped events. The listener
    /// carries on.
    Lost {
        /// Overruns since the listener was opened, this one included.
        overruns: u64,
    },
    /// A trusted sender's message that is not a uevent; kept whole.
    Malformed {
        /// The message.
        raw: &'a [u8],
        /// Why it is not a uevent.
        error: ParseError,
    },
}

/// A socket that receives uevents and checks their senders.
#[derive(Debug)]
pub struct Listener {
    sock: Socket,
    buf: Vec<u8>,
    stats: Stats,
    recv_buffer: usize,
}

impl Listener {
    /// Opens a listener in the current network namespace.
    pub fn open(sources: Sources) -> Result<Listener> {
        let sock = Socket::new(Protocol::KOBJECT_UEVENT)
            .map_err(|e| Error::io("open uevent socket", e))?;
        Listener::with_socket(sock, sources)
    }

    /// Sets up `sock`, a fresh `NETLINK_KOBJECT_UEVENT` socket (for example
    /// one opened in another netns with [`crate::socket::netns::Netns::run`]):
    /// credentials on, a large receive buffer, bound to `sources`' groups.
    pub fn with_socket(sock: Socket, sources: Sources) -> Result<Listener> {
        sock.set_passcred(true)
            .map_err(|e| Error::io("SO_PASSCRED on uevent socket", e))?;
        // SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it, SO_RCVBUF up to rmem_max.
        if sock.set_recv_buffer_size(RECV_BUFFER, true).is_err() {
            sock.set_recv_buffer_size(RECV_BUFFER, false)
                .map_err(|e| Error::io("SO_RCVBUF on uevent socket", e))?;
        }
        let recv_buffer = sock.recv_buffer_size().unwrap_or(0);
        sock.bind(0, sources.mask())
            .map_err(|e| Error::io("bind uevent socket", e))?;
        Ok(Listener {
            sock,
            buf: Vec::with_capacity(8192),
            stats: Stats::default(),
            recv_buffer,
        })
    }

    /// The socket (for a receive timeout, polling...).
    pub fn socket(&self) -> &Socket {
        &self.sock
    }
    /// The receive buffer the kernel granted, in bytes.
    pub fn recv_buffer(&self) -> usize {
        self.recv_buffer
    }
    /// Counts since the listener was opened.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// True if a message with `info` comes from someone allowed to send uevents.
    fn trusted(info: &RecvInfo) -> bool {
        let root = info.creds.is_some_and(|c| c.uid == 0);
        let kernel_group = info.groups & group_mask(GROUP_KERNEL).unwrap_or(0) != 0;
        let udev_group = info.groups & group_mask(GROUP_UDEV).unwrap_or(0) != 0;
        root && (udev_group || (kernel_group && info.port_id == 0))
    }

    /// Waits for the next event, overrun or malformed message; messages from
    /// untrusted senders are dropped (and counted) on the way. A receive
    /// timeout set on [`Listener::socket`] ends the wait with an
    /// [`Error::Io`] of kind `WouldBlock`.
    pub fn recv(&mut self) -> Result<Received<'_>> {
        loop {
            match self.sock.recv(&mut self.buf) {
                Err(e) if is_overrun(&e) => {
                    self.stats.overruns += 1;
                    return Ok(Received::Lost {
                        overruns: self.stats.overruns,
                    });
                }
                // A signal (with a receive timeout set, receives are not restarted).
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("receive uevent", e)),
                Ok(info) if Self::trusted(&info) => break,
                Ok(_) => self.stats.untrusted += 1,
            }
        }
        let at = monotonic_now();
        match Event::parse(&self.buf) {
            Ok(event) => {
                self.stats.events += 1;
                Ok(Received::Event { event, at })
            }
            Err(error) => {
                self.stats.malformed += 1;
                Ok(Received::Malformed {
                    raw: &self.buf,
                    error,
                })
            }
        }
    }
}

/// `CLOCK_MONOTONIC` now.
pub fn monotonic_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Sends `event` (kernel format, see [`emit_kernel`]; at most about 2 KiB)
/// to the kernel's uevent socket of the current network namespace and waits
/// for its answer. The kernel appends `SEQNUM` and broadcasts it to group 1
/// from port id 0, with the sender's credentials.
///
/// Needs `CAP_SYS_ADMIN` over the netns (`EPERM` otherwise); too long a
/// message is `EINVAL`.
pub fn inject(event: &[u8]) -> Result<()> {
    let what = "inject uevent";
    let sock =
        Socket::open(Protocol::KOBJECT_UEVENT).map_err(|e| Error::io("open uevent socket", e))?;
    sock.set_recv_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| Error::io(what, e))?;
    let _ = sock.set_ext_ack(true); // the reason with the errno, where the kernel gives one
    let mut buf = Vec::new();
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_ACK) as u16;
    let mut w = MsgWriter::new(&mut buf, NLMSG_MIN_TYPE, flags, 1, 0);
    w.bytes(event);
    w.finish().map_err(|source| Error::Build {
        what: what.into(),
        source,
    })?;
    sock.send(&buf).map_err(|e| Error::io(what, e))?;
    let mut reply = Vec::new();
    loop {
        let info = sock.recv(&mut reply).map_err(|e| Error::io(what, e))?;
        if info.port_id != 0 {
            continue;
        }
        let malformed = |source| Error::Malformed {
            what: what.into(),
            source,
        };
        let msg = Msg::new_checked(&reply[..]).map_err(malformed)?;
        if msg.msg_type() != NLMSG_ERROR || msg.seq() != 1 {
            continue;
        }
        let err = ErrorMsg::parse(&msg).map_err(malformed)?;
        return match err.errno() {
            0 => Ok(()),
            n => Err(Error::Kernel(Box::new(KernelError {
                errno: n.abs(),
                message: err.ext_ack.message().map(|m| m.into_owned()),
                what: Some(what.into()),
                ..Default::default()
            }))),
        };
    }
}

/// A uevent datagram explained: the event and its properties, or why it is
/// not one. For the decoder (`nlkit decode --proto uevent`).
pub fn describe(bytes: &[u8]) -> impl fmt::Display + '_ {
    Describe(bytes)
}

struct Describe<'a>(&'a [u8]);

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Event::parse(self.0) {
            Ok(ev) => write!(f, "{ev}"),
            Err(e) => write!(f, "not a uevent ({} bytes): {e}", self.0.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::Credentials;

    #[test]
    fn sender_checks() {
        let creds = |uid| {
            Some(Credentials {
                pid: 1,
                uid,
                gid: 0,
            })
        };
        let info = |port_id, groups, creds| RecvInfo {
            port_id,
            groups,
            creds,
            ..RecvInfo::default()
        };
        assert!(Listener::trusted(&info(0, 1, creds(0))));
        assert!(
            !Listener::trusted(&info(1234, 1, creds(0))),
            "user port on group 1"
        );
        assert!(!Listener::trusted(&info(0, 1, creds(1000))), "uid 1000");
        assert!(!Listener::trusted(&info(0, 1, None)), "no credentials");
        assert!(
            Listener::trusted(&info(4321, 2, creds(0))),
            "udevd on group 2"
        );
        assert!(!Listener::trusted(&info(4321, 2, creds(1000))));
        assert!(!Listener::trusted(&info(0, 0, creds(0))), "unicast");
    }

    #[test]
    fn describe_says_what_it_is() {
        let mut b = Vec::new();
        emit_kernel(&mut b, b"add", b"/devices/x", &[(b"SUBSYSTEM", b"net")]);
        assert_eq!(
            describe(&b).to_string(),
            "kernel add /devices/x (net)\n  SUBSYSTEM=net"
        );
        assert_eq!(
            describe(b"libudev\0\0\0").to_string(),
            "not a uevent (10 bytes): udev message of 10 bytes is shorter than its 40-byte header"
        );
    }
}
