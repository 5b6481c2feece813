//! Per-device IP settings (`RTM_NEWNETCONF`/`DELNETCONF`/`GETNETCONF`):
//! `struct netconfmsg` and the `NETCONFA_*` attributes, the borrowed view
//! [`NetconfView`], and the requests [`NetconfGet`] (one device, one
//! family) and [`NetconfDump`] (every device; `ip netconf show`).
//!
//! The kernel sends these for `forwarding`, `rp_filter`, `mc_forwarding`,
//! `proxy_neigh`, `ignore_routes_with_linkdown`, `input` and
//! `bc_forwarding` of a device, of `all` (`NETCONFA_IFINDEX_ALL`, -1) and
//! of `default` (-2). Values are `s32`; a value of the wrong size leaves
//! its field unset (kept in `malformed_attrs()`), never an error.
//!
//! # References
//! `include/uapi/linux/netconf.h`, `rtnetlink(7)`.

use super::{family_name, RTM_GETNETCONF};
use crate::conn::ToMsg;
use crate::schema::{attr_table, fixed_header, typed_attrs, value_names, ValueKind::*};
use crate::wire::{self, MsgFlags, MsgWriter};
use core::fmt;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct netconfmsg`: the family alone (attributes start 4 bytes in).
///
/// ```text
/// +--------+ - - - - - - - - - +
/// | family |  (padding to 4)   |
/// +--------+ - - - - - - - - - +
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
#[doc(alias = "netconfmsg")]
pub struct NetconfMsg {
    /// `ncm_family`: `AF_INET`, `AF_INET6`, `AF_MPLS`.
    pub family: u8,
}

fixed_header! {
    /// `netconfmsg` field by field, for decoders.
    pub static NETCONFMSG: NetconfMsg = "netconfmsg" {
        family => "ncm_family", U8, Enum(super::AF_NAMES);
    }
}

attr_table! {
    /// A netconf attribute type (`NETCONFA_*`).
    enum NetconfAttr;
    /// The `NETCONFA_*` set.
    static NETCONFA_SET = "netconf";
    Ifindex = 1, NETCONFA_IFINDEX, "NETCONFA_IFINDEX", I32;
    Forwarding = 2, NETCONFA_FORWARDING, "NETCONFA_FORWARDING", I32;
    RpFilter = 3, NETCONFA_RP_FILTER, "NETCONFA_RP_FILTER", I32;
    McForwarding = 4, NETCONFA_MC_FORWARDING, "NETCONFA_MC_FORWARDING", I32;
    ProxyNeigh = 5, NETCONFA_PROXY_NEIGH, "NETCONFA_PROXY_NEIGH", I32;
    IgnoreRoutesWithLinkdown = 6, NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, "NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", I32;
    Input = 7, NETCONFA_INPUT, "NETCONFA_INPUT", I32;
    BcForwarding = 8, NETCONFA_BC_FORWARDING, "NETCONFA_BC_FORWARDING", I32;
}

/// `NETCONFA_IFINDEX_ALL`: the `all` settings.
pub const NETCONFA_IFINDEX_ALL: i32 = -1;
/// `NETCONFA_IFINDEX_DEFAULT`: the `default` settings (for new devices).
pub const NETCONFA_IFINDEX_DEFAULT: i32 = -2;

/// `RTNLGRP_IPV4_NETCONF`.
pub const RTNLGRP_IPV4_NETCONF: u32 = 24;
/// `RTNLGRP_IPV6_NETCONF`.
pub const RTNLGRP_IPV6_NETCONF: u32 = 25;
/// `RTNLGRP_MPLS_NETCONF`.
pub const RTNLGRP_MPLS_NETCONF: u32 = 29;
/// The multicast group of each family's netconf events: (family, group).
pub const NETCONF_GROUPS: [(u8, u32); 3] = [
    (super::AF_INET, RTNLGRP_IPV4_NETCONF),
    (super::AF_INET6, RTNLGRP_IPV6_NETCONF),
    (super::AF_MPLS, RTNLGRP_MPLS_NETCONF),
];

value_names! {
    /// iproute2's name of an `rp_filter` value (`off`, `strict`, `loose`).
    rp_filter_name, parse_rp_filter, i32 {
        0 => "off",
        1 => "strict",
        2 => "loose",
    }
}

typed_attrs! {
    /// A netconf message, decoded in one pass.
    #[derive(Clone, Copy, Debug)]
    pub struct NetconfView<'a>: NetconfMsg, NETCONFA_SET, "a netconf message" {
        /// `NETCONFA_IFINDEX`: a device, or `NETCONFA_IFINDEX_ALL` / `_DEFAULT`.
        pub ifindex: i32 = NETCONFA_IFINDEX,
        /// `NETCONFA_FORWARDING`.
        pub forwarding: i32 = NETCONFA_FORWARDING,
        /// `NETCONFA_RP_FILTER` (0 off, 1 strict, 2 loose).
        pub rp_filter: i32 = NETCONFA_RP_FILTER,
        /// `NETCONFA_MC_FORWARDING`.
        pub mc_forwarding: i32 = NETCONFA_MC_FORWARDING,
        /// `NETCONFA_PROXY_NEIGH`.
        pub proxy_neigh: i32 = NETCONFA_PROXY_NEIGH,
        /// `NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN`.
        pub ignore_routes_with_linkdown: i32 = NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN,
        /// `NETCONFA_INPUT` (MPLS).
        pub input: i32 = NETCONFA_INPUT,
        /// `NETCONFA_BC_FORWARDING`.
        pub bc_forwarding: i32 = NETCONFA_BC_FORWARDING,
    }
}

/// Whose settings a netconf message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetconfDev {
    /// `all` (`NETCONFA_IFINDEX_ALL`).
    All,
    /// `default` (`NETCONFA_IFINDEX_DEFAULT`).
    Default,
    /// A device, by index (another negative value is kept as it came).
    Index(i32),
}

impl<'a> NetconfView<'a> {
    /// `ncm_family`.
    pub fn family(&self) -> u8 {
        self.header.family
    }
    /// Whose settings these are (`None`: no `NETCONFA_IFINDEX`).
    pub fn dev(&self) -> Option<NetconfDev> {
        self.ifindex.map(|i| match i {
            NETCONFA_IFINDEX_ALL => NetconfDev::All,
            NETCONFA_IFINDEX_DEFAULT => NetconfDev::Default,
            i => NetconfDev::Index(i),
        })
    }
    /// The settings present, in the order iproute2 prints them, each with
    /// iproute2's name (`forwarding`, `rp_filter`...). `bc_forwarding`,
    /// which iproute2 does not print, comes last.
    pub fn settings(&self) -> impl Iterator<Item = (NetconfAttr, &'static str, i32)> + '_ {
        [
            (NetconfAttr::Forwarding, "forwarding", self.forwarding),
            (NetconfAttr::RpFilter, "rp_filter", self.rp_filter),
            (
                NetconfAttr::McForwarding,
                "mc_forwarding",
                self.mc_forwarding,
            ),
            (NetconfAttr::ProxyNeigh, "proxy_neigh", self.proxy_neigh),
            (
                NetconfAttr::IgnoreRoutesWithLinkdown,
                "ignore_routes_with_linkdown",
                self.ignore_routes_with_linkdown,
            ),
            (NetconfAttr::Input, "input", self.input),
            (
                NetconfAttr::BcForwarding,
                "bc_forwarding",
                self.bc_forwarding,
            ),
        ]
        .into_iter()
        .filter_map(|(k, n, v)| v.map(|v| (k, n, v)))
    }
}

/// One family's settings of one device (`RTM_GETNETCONF` with
/// `NETCONFA_IFINDEX`); the kernel answers with one `RTM_NEWNETCONF`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetconfGet {
    /// `AF_INET`, `AF_INET6` or `AF_MPLS` (not 0: the kernel needs one).
    pub family: u8,
    /// A device index, or `NETCONFA_IFINDEX_ALL` / `_DEFAULT`.
    pub ifindex: i32,
}

impl ToMsg for NetconfGet {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNETCONF, 0, 0, 0);
        w.fixed(&NetconfMsg {
            family: self.family,
        });
        w.attr_i32(NETCONFA_IFINDEX, self.ifindex)?;
        w.finish()?;
        Ok(super::attrs_at(core::mem::size_of::<NetconfMsg>()))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "get {} netconf of ",
            family_name(self.family).unwrap_or("?")
        )?;
        match self.ifindex {
            NETCONFA_IFINDEX_ALL => f.write_str("all"),
            NETCONFA_IFINDEX_DEFAULT => f.write_str("default"),
            i => write!(f, "dev index {i}"),
        }
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NETCONFA_SET.path_name(path, None)
    }
}

/// Every device's settings of one family (0: every family), as
/// `ip netconf show` asks for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetconfDump {
    /// `AF_INET`, `AF_INET6`, `AF_MPLS`, or 0 for all.
    pub family: u8,
}

impl ToMsg for NetconfDump {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, RTM_GETNETCONF, MsgFlags::DUMP, 0, 0);
        w.fixed(&NetconfMsg {
            family: self.family,
        });
        w.finish()?;
        Ok(super::attrs_at(core::mem::size_of::<NetconfMsg>()))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dump netconf")?;
        if self.family != 0 {
            write!(f, " family {}", family_name(self.family).unwrap_or("?"))?;
        }
        Ok(())
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NETCONFA_SET.path_name(path, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{AF_INET, AF_INET6, RTM_NEWNETCONF};
    use crate::wire::Msg;

    #[test]
    fn a_netconf_message_reads_field_by_field() {
        #[rustfmt::skip]
        let mut b: Vec<u8> = vec![
            0, 0, 0, 0, // nlmsg_len (patched below)
            80, 0, // RTM_NEWNETCONF
            0, 0, // flags
            0, 0, 0, 0, // seq
            0, 0, 0, 0, // port
            2, 0, 0, 0, // netconfmsg: AF_INET, padding
            8, 0, 1, 0, // NETCONFA_IFINDEX
        ];
        b.extend_from_slice(&(-1i32).to_ne_bytes());
        b.extend_from_slice(&[8, 0, 3, 0]); // NETCONFA_RP_FILTER
        b.extend_from_slice(&2i32.to_ne_bytes());
        b.extend_from_slice(&[8, 0, 2, 0]); // NETCONFA_FORWARDING
        b.extend_from_slice(&1i32.to_ne_bytes());
        b.extend_from_slice(&[5, 0, 4, 0, 1, 0, 0, 0]); // NETCONFA_MC_FORWARDING, 1 byte: malformed
        b.extend_from_slice(&[8, 0, 99, 0, 0, 0, 0, 0]); // unknown, kept
        let n = b.len() as u32;
        b[..4].copy_from_slice(&n.to_ne_bytes());
        let m = Msg::new_checked(&b[..]).unwrap();
        assert_eq!(m.msg_type(), RTM_NEWNETCONF);
        let v = NetconfView::parse(&m).unwrap();
        assert_eq!(v.family(), AF_INET);
        assert_eq!(v.dev(), Some(NetconfDev::All));
        assert_eq!(v.rp_filter, Some(2));
        assert_eq!(rp_filter_name(2), Some("loose"));
        assert_eq!(v.mc_forwarding, None);
        assert_eq!(v.malformed_attrs().count(), 1);
        assert_eq!(
            v.unknown_attrs().map(|a| a.kind()).collect::<Vec<_>>(),
            [99]
        );
        // ip's order, not the message's.
        let s: Vec<_> = v.settings().map(|(_, n, x)| (n, x)).collect();
        assert_eq!(s, [("forwarding", 1), ("rp_filter", 2)]);
    }

    #[test]
    fn requests_as_the_kernel_reads_them() {
        let mut b = Vec::new();
        let at = NetconfGet {
            family: AF_INET6,
            ifindex: 7,
        }
        .write(&mut b)
        .unwrap();
        assert_eq!(at, 20);
        #[rustfmt::skip]
        let mut want: Vec<u8> = vec![
            28, 0, 0, 0, // nlmsg_len
            82, 0, // RTM_GETNETCONF
            0, 0, // flags (the engine adds NLM_F_REQUEST)
            0, 0, 0, 0, // seq
            0, 0, 0, 0, // port
            10, 0, 0, 0, // netconfmsg: AF_INET6, padding
            8, 0, 1, 0, // NETCONFA_IFINDEX
        ];
        want.extend_from_slice(&7i32.to_ne_bytes());
        assert_eq!(b, want);
        let mut b = Vec::new();
        NetconfDump { family: 0 }.write(&mut b).unwrap();
        assert_eq!(b.len(), 20);
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), RTM_GETNETCONF);
        assert_eq!(
            u16::from_ne_bytes([b[6], b[7]]) & MsgFlags::DUMP,
            MsgFlags::DUMP
        );
    }
}
