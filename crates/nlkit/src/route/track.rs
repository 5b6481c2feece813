//! What an rtnetlink monitor watches: groups to join, dumps that give the
//! full state, and the identity of each object ([`RouteTracker`] implements
//! [`Tracker`] for the [monitor](crate::monitor)).
//!
//! Identities, read through the typed views: a link is its index; an
//! address its family, link, prefix length and address; a route its
//! family, table, destination, source, TOS and metric; a neighbour its
//! family, link and address (and MAC for bridge FDB entries); a rule its
//! whole content (rules have no other identity); a nexthop object its id.
//! Attributes that change on their own (statistics, carrier counters, cache
//! timers, IPv6 route expiry) and the link header's change mask do not
//! count as changes.

use super::addr::IFA_CACHEINFO;
use super::link::{
    IFLA_CARRIER_CHANGES, IFLA_CARRIER_DOWN_COUNT, IFLA_CARRIER_UP_COUNT, IFLA_STATS, IFLA_STATS64,
};
use super::neigh::{NDA_CACHEINFO, NDA_PROBES};
use super::routes::{RTA_CACHEINFO, RTA_EXPIRES, RTM_F_CLONED};
use super::{
    AddrDump, AddrView, LinkDump, LinkView, NeighDump, NeighView, NexthopDump, NexthopView,
    RouteDump, RouteView, RuleDump, RuleView, AF_BRIDGE, AF_UNSPEC, RTM_DELADDR, RTM_DELLINK,
    RTM_DELNEIGH, RTM_DELNEXTHOP, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK,
    RTM_NEWNEIGH, RTM_NEWNEXTHOP, RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::conn::ToMsg;
use crate::monitor::{Change, Tracker};
use crate::wire::{self, AttrIter, Msg};
use std::hash::Hasher;
use std::net::IpAddr;
use zerocopy::IntoBytes;

/// rtnetlink multicast groups (`RTNLGRP_*`), by number for `add_membership`.
pub mod groups {
    /// Links.
    pub const RTNLGRP_LINK: u32 = 1;
    /// Neighbours.
    pub const RTNLGRP_NEIGH: u32 = 3;
    /// IPv4 addresses.
    pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
    /// IPv4 routes.
    pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
    /// IPv4 rules.
    pub const RTNLGRP_IPV4_RULE: u32 = 8;
    /// IPv6 addresses.
    pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
    /// IPv6 routes.
    pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
    /// IPv6 rules.
    pub const RTNLGRP_IPV6_RULE: u32 = 19;
    /// Nexthop objects.
    pub const RTNLGRP_NEXTHOP: u32 = 32;
}

/// Which objects a monitor follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Objects {
    /// Links.
    pub link: bool,
    /// Addresses.
    pub addr: bool,
    /// Routes.
    pub route: bool,
    /// Neighbours.
    pub neigh: bool,
    /// Rules.
    pub rule: bool,
    /// Nexthop objects.
    pub nexthop: bool,
}

impl Objects {
    /// Everything.
    pub const ALL: Objects = Objects {
        link: true,
        addr: true,
        route: true,
        neigh: true,
        rule: true,
        nexthop: true,
    };

    /// Parses `link`, `addr`/`address`, `route`, `neigh`, `rule`, `nexthop`/`nh` or `all`.
    pub fn add(&mut self, word: &str) -> bool {
        match word {
            "link" => self.link = true,
            "addr" | "address" => self.addr = true,
            "route" => self.route = true,
            "neigh" | "neighbor" | "neighbour" => self.neigh = true,
            "rule" => self.rule = true,
            "nexthop" | "nh" => self.nexthop = true,
            "all" => *self = Objects::ALL,
            _ => return false,
        }
        true
    }
}

/// The rtnetlink tracker: which objects, and which address families (0: both).
#[derive(Clone, Copy, Debug)]
pub struct RouteTracker {
    /// Objects followed.
    pub objects: Objects,
    /// `AF_INET`, `AF_INET6`, or 0 for both.
    pub family: u8,
}

const AF_INET: u8 = libc::AF_INET as u8;
const AF_INET6: u8 = libc::AF_INET6 as u8;

impl RouteTracker {
    fn family_ok(&self, family: u8) -> bool {
        self.family == 0 || family == self.family
    }

    /// The identity of `msg` into `key` and, with `h`, its state into `h`
    /// (one decode for both).
    fn observe(
        &self,
        msg: &Msg<&[u8]>,
        key: &mut Vec<u8>,
        h: Option<&mut dyn Hasher>,
    ) -> wire::Result<Option<Change>> {
        let Some((new_type, change)) = new_type_of(msg.msg_type()) else {
            return Ok(None);
        };
        let o = self.objects;
        key.extend_from_slice(&new_type.to_ne_bytes());
        let h = h.map(|h| {
            h.write_u16(new_type);
            h
        });
        match new_type {
            RTM_NEWLINK if o.link => {
                let v = LinkView::parse(msg)?;
                // Bridge-port views (AF_BRIDGE) come on the link group too, but a link dump does not give them.
                if v.header.family != AF_UNSPEC {
                    return Ok(None);
                }
                key.extend_from_slice(&v.index().to_ne_bytes());
                if let Some(h) = h {
                    // The change mask says what a notification changed, not the state.
                    let hd = v.header;
                    h.write_u16(hd.ty.get());
                    h.write_i32(hd.index.get());
                    feed(h, hd.flags.as_bytes(), v.attrs(), LINK_VOLATILE);
                }
            }
            RTM_NEWADDR if o.addr => {
                let v = AddrView::parse(msg)?;
                if !self.family_ok(v.family()) {
                    return Ok(None);
                }
                key.extend_from_slice(&[v.family(), v.prefix_len()]);
                key.extend_from_slice(&v.index().to_ne_bytes());
                push_ip(key, v.local_addr());
                if let Some(h) = h {
                    feed(h, v.header.as_bytes(), v.attrs(), ADDR_VOLATILE);
                }
            }
            RTM_NEWROUTE if o.route => {
                let v = RouteView::parse(msg)?;
                // Cache entries are not part of the table.
                if !self.family_ok(v.family()) || v.flags() & RTM_F_CLONED != 0 {
                    return Ok(None);
                }
                let hd = v.header;
                key.extend_from_slice(&[hd.family, hd.dst_len, hd.src_len, hd.tos]);
                key.extend_from_slice(&v.table().to_ne_bytes());
                key.extend_from_slice(&v.priority.unwrap_or(0).to_ne_bytes());
                push_ip(key, v.dst);
                push_ip(key, v.src);
                if let Some(h) = h {
                    feed(h, v.header.as_bytes(), v.attrs(), ROUTE_VOLATILE);
                }
            }
            RTM_NEWNEIGH if o.neigh => {
                let v = NeighView::parse(msg)?;
                if !self.family_ok(v.family()) {
                    return Ok(None);
                }
                key.push(v.family());
                key.extend_from_slice(&v.ifindex().to_ne_bytes());
                push_ip(key, v.dst);
                if v.family() == AF_BRIDGE {
                    key.extend_from_slice(v.lladdr.unwrap_or(&[])); // FDB entries are keyed by MAC
                }
                if let Some(h) = h {
                    feed(h, v.header.as_bytes(), v.attrs(), NEIGH_VOLATILE);
                }
            }
            RTM_NEWRULE if o.rule => {
                let v = RuleView::parse(msg)?;
                if !self.family_ok(v.header.family) {
                    return Ok(None);
                }
                key.extend_from_slice(msg.payload());
                if let Some(h) = h {
                    h.write(msg.payload());
                }
            }
            // A nexthop is its id, whatever its family (groups have none).
            RTM_NEWNEXTHOP if o.nexthop => {
                let Some(id) = NexthopView::parse(msg)?.id else {
                    return Ok(None);
                };
                key.extend_from_slice(&id.to_ne_bytes());
                if let Some(h) = h {
                    h.write(msg.payload());
                }
            }
            _ => return Ok(None),
        }
        Ok(Some(change))
    }
}

/// The NEW type for a NEW or DEL type of the six followed objects.
fn new_type_of(ty: u16) -> Option<(u16, Change)> {
    Some(match ty {
        RTM_NEWLINK | RTM_NEWADDR | RTM_NEWROUTE | RTM_NEWNEIGH | RTM_NEWRULE | RTM_NEWNEXTHOP => {
            (ty, Change::Set)
        }
        RTM_DELLINK | RTM_DELADDR | RTM_DELROUTE | RTM_DELNEIGH | RTM_DELRULE | RTM_DELNEXTHOP => {
            (ty - 1, Change::Remove)
        }
        _ => return None,
    })
}

/// Appends an optional address, tagged with its length so that keys stay unambiguous.
fn push_ip(key: &mut Vec<u8>, ip: Option<IpAddr>) {
    match ip {
        None => key.push(0),
        Some(IpAddr::V4(a)) => {
            key.push(4);
            key.extend_from_slice(&a.octets());
        }
        Some(IpAddr::V6(a)) => {
            key.push(16);
            key.extend_from_slice(&a.octets());
        }
    }
}

/// Feeds a fixed header and the attributes that are not `volatile` to `h`.
fn feed(h: &mut dyn Hasher, header: &[u8], attrs: AttrIter<'_>, volatile: &[u16]) {
    h.write(header);
    for a in attrs {
        match a {
            Ok(a) if volatile.contains(&a.kind()) => {}
            Ok(a) => {
                h.write_u16(a.raw_type());
                h.write_usize(a.payload().len());
                h.write(a.payload());
            }
            Err(_) => {
                h.write_u8(0xff); // malformed tail: counts as a state of its own
                break;
            }
        }
    }
}

/// Volatile attributes, per object.
const LINK_VOLATILE: &[u16] = &[
    IFLA_STATS,
    IFLA_STATS64,
    IFLA_CARRIER_CHANGES,
    IFLA_CARRIER_UP_COUNT,
    IFLA_CARRIER_DOWN_COUNT,
];
const ADDR_VOLATILE: &[u16] = &[IFA_CACHEINFO];
const ROUTE_VOLATILE: &[u16] = &[RTA_CACHEINFO, RTA_EXPIRES];
const NEIGH_VOLATILE: &[u16] = &[NDA_CACHEINFO, NDA_PROBES];

impl Tracker for RouteTracker {
    /// The groups to join for these objects and families.
    fn groups(&self) -> Vec<u32> {
        use groups::*;
        let v4 = self.family == 0 || self.family == AF_INET;
        let v6 = self.family == 0 || self.family == AF_INET6;
        let o = self.objects;
        [
            (o.link, RTNLGRP_LINK),
            (o.neigh, RTNLGRP_NEIGH),
            (o.addr && v4, RTNLGRP_IPV4_IFADDR),
            (o.addr && v6, RTNLGRP_IPV6_IFADDR),
            (o.route && v4, RTNLGRP_IPV4_ROUTE),
            (o.route && v6, RTNLGRP_IPV6_ROUTE),
            (o.rule && v4, RTNLGRP_IPV4_RULE),
            (o.rule && v6, RTNLGRP_IPV6_RULE),
            (o.nexthop, RTNLGRP_NEXTHOP),
        ]
        .into_iter()
        .filter_map(|(on, g)| on.then_some(g))
        .collect()
    }

    fn identify(&self, msg: &Msg<&[u8]>, key: &mut Vec<u8>) -> wire::Result<Option<Change>> {
        self.observe(msg, key, None)
    }

    fn identify_state(
        &self,
        msg: &Msg<&[u8]>,
        key: &mut Vec<u8>,
        h: &mut dyn Hasher,
    ) -> wire::Result<Option<Change>> {
        self.observe(msg, key, Some(h))
    }

    fn state(&self, msg: &Msg<&[u8]>, h: &mut dyn Hasher) {
        if !matches!(self.observe(msg, &mut Vec::new(), Some(h)), Ok(Some(_))) {
            h.write(msg.payload()); // not an object this tracker follows: all of it
        }
    }

    fn dumps(&self) -> Vec<Box<dyn ToMsg + Send + Sync>> {
        let o = self.objects;
        let mut d: Vec<Box<dyn ToMsg + Send + Sync>> = Vec::new();
        if o.link {
            d.push(Box::new(LinkDump::default()));
        }
        if o.addr {
            d.push(Box::new(AddrDump {
                family: self.family,
                index: 0,
            }));
        }
        if o.route {
            d.push(Box::new(RouteDump {
                family: self.family,
                ..RouteDump::default()
            }));
        }
        if o.neigh {
            d.push(Box::new(NeighDump {
                family: self.family,
                ..NeighDump::default()
            }));
        }
        if o.rule {
            d.push(Box::new(RuleDump {
                family: self.family,
            }));
        }
        if o.nexthop {
            d.push(Box::new(NexthopDump::default()));
        }
        d
    }

    fn delete_type(&self, new_type: u16) -> u16 {
        new_type + 1 // RTM_DEL* = RTM_NEW* + 1 for every followed object
    }
}
