//! Netlink bytes: `nlmsghdr` and `nlattr` views, a writer, control messages and
//! extended ACKs.
//!
//! This module never does I/O and never allocates while reading: every view
//! borrows the buffer it was given, and payload slices live as long as that
//! buffer. Views are validated once (`new_checked`); after that no accessor
//! panics. Bad input is a [`Error`] that says where and why.
//!
//! # References
//! `netlink(7)`, `include/uapi/linux/netlink.h`.

mod attr;
mod ctrl;
mod error;
mod flags;
mod msg;
mod text;
mod writer;

pub use attr::{
    Attr, AttrIter, AttrPath, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK,
};
pub use ctrl::{
    Control, DoneMsg, ErrorMsg, ExtAck, MissingAttr, PolicyInfo, NLMSGERR_ATTR_COOKIE,
    NLMSGERR_ATTR_MISS_NEST, NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS,
    NLMSGERR_ATTR_POLICY,
};
pub use error::Error;
pub use flags::{FlagContext, FlagName, MsgFlags};
pub use msg::{Msg, MsgHeader, MsgIter, NLMSG_HDRLEN};
pub use text::{ipv6_text, AddrText, Escaped, IPV6_TEXT_MAX};
pub use writer::{MsgWriter, Nest};

/// `Result` with a wire [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Netlink alignment: messages and attributes start on 4-byte boundaries.
pub const ALIGNTO: usize = 4;

/// Rounds `len` up to the netlink alignment (`NLMSG_ALIGN` / `NLA_ALIGN`).
#[inline]
pub const fn align(len: usize) -> usize {
    (len + ALIGNTO - 1) & !(ALIGNTO - 1)
}

/// `NLMSG_NOOP`: nothing; skip it.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error, or an ACK when the error code is 0.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: the end of a multipart (dump) reply.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`: data lost (never sent by current kernels; understood anyway).
pub const NLMSG_OVERRUN: u16 = 4;
/// `NLMSG_MIN_TYPE`: first message type a protocol may use for its own messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

/// A netlink protocol (the third argument of `socket(AF_NETLINK, SOCK_RAW, proto)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Protocol(pub i32);

macro_rules! protocols {
    ($($(#[$m:meta])* $name:ident = $val:expr, $cname:literal, $short:literal;)*) => {
        impl Protocol {
            $($(#[$m])* #[doc(alias = $cname)] pub const $name: Protocol = Protocol($val);)*
            /// Every protocol number with a name, in numeric order.
            pub const KNOWN: &'static [Protocol] = &[$(Protocol::$name),*];
            /// The kernel's constant name (`NETLINK_ROUTE`), if this number has one.
            pub fn c_name(self) -> Option<&'static str> {
                match self.0 { $($val => Some($cname),)* _ => None }
            }
            /// The short name used on the command line (`route`), if any.
            pub fn short_name(self) -> Option<&'static str> {
                match self.0 { $($val => Some($short),)* _ => None }
            }
            /// Parses a short name (`route`), a constant name (`NETLINK_ROUTE`) or a number.
            pub fn from_name(s: &str) -> Option<Protocol> {
                let lower = s.to_ascii_lowercase();
                let lower = lower.strip_prefix("netlink_").unwrap_or(&lower);
                $(if lower == $short { return Some(Protocol::$name); })*
                s.parse::<i32>().ok().filter(|n| (0..32).contains(n)).map(Protocol)
            }
        }
    };
}

protocols! {
    /// Routing, links, addresses, neighbours, rules (rtnetlink).
    ROUTE = 0, "NETLINK_ROUTE", "route";
    /// Reserved for user-space protocols: process to process.
    USERSOCK = 2, "NETLINK_USERSOCK", "usersock";
    /// Formerly ip_queue.
    FIREWALL = 3, "NETLINK_FIREWALL", "firewall";
    /// Socket monitoring (`ss`).
    SOCK_DIAG = 4, "NETLINK_SOCK_DIAG", "sock_diag";
    /// Netfilter ULOG.
    NFLOG = 5, "NETLINK_NFLOG", "nflog";
    /// IPsec.
    XFRM = 6, "NETLINK_XFRM", "xfrm";
    /// SELinux event notifications.
    SELINUX = 7, "NETLINK_SELINUX", "selinux";
    /// Open-iSCSI.
    ISCSI = 8, "NETLINK_ISCSI", "iscsi";
    /// Auditing.
    AUDIT = 9, "NETLINK_AUDIT", "audit";
    /// FIB lookup.
    FIB_LOOKUP = 10, "NETLINK_FIB_LOOKUP", "fib_lookup";
    /// Kernel connector (proc events, ...).
    CONNECTOR = 11, "NETLINK_CONNECTOR", "connector";
    /// Netfilter subsystem (nftables, conntrack, nflog, nfqueue).
    NETFILTER = 12, "NETLINK_NETFILTER", "netfilter";
    /// IPv6 firewall (obsolete).
    IP6_FW = 13, "NETLINK_IP6_FW", "ip6_fw";
    /// DECnet routing messages (obsolete).
    DNRTMSG = 14, "NETLINK_DNRTMSG", "dnrtmsg";
    /// Kernel uevents (hotplug).
    KOBJECT_UEVENT = 15, "NETLINK_KOBJECT_UEVENT", "uevent";
    /// Generic netlink.
    GENERIC = 16, "NETLINK_GENERIC", "generic";
    /// SCSI transports.
    SCSITRANSPORT = 18, "NETLINK_SCSITRANSPORT", "scsitransport";
    /// eCryptfs.
    ECRYPTFS = 19, "NETLINK_ECRYPTFS", "ecryptfs";
    /// RDMA.
    RDMA = 20, "NETLINK_RDMA", "rdma";
    /// Crypto layer.
    CRYPTO = 21, "NETLINK_CRYPTO", "crypto";
    /// SMC monitoring.
    SMC = 22, "NETLINK_SMC", "smc";
}

impl core::fmt::Display for Protocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.short_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// Name of a control message type (`NLMSG_ERROR`), if `ty` is one.
pub fn control_type_name(ty: u16) -> Option<&'static str> {
    Some(match ty {
        NLMSG_NOOP => "NLMSG_NOOP",
        NLMSG_ERROR => "NLMSG_ERROR",
        NLMSG_DONE => "NLMSG_DONE",
        NLMSG_OVERRUN => "NLMSG_OVERRUN",
        _ => return None,
    })
}
