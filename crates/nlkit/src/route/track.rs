//! What an rtnetlink monitor watches: groups to join, dumps that give the
//! full state, and the identity of each object ([`RouteTracker`] implements
//! [`Tracker`](crate::monitor::Tracker) for [`Monitor`](crate::monitor::Monitor)).
//!
//! Identities: a link is its family and index; an address its family, link,
//! prefix length and address; a route its family, table, destination,
//! source, TOS and metric; a neighbour its family, link and address; a rule
//! its whole content (rules have no other identity); a nexthop object its id. Attributes that change
//! on their own (statistics, cache timestamps) do not count as changes.

use super::{
    AddrDump, LinkDump, NeighDump, NexthopDump, RouteDump, RuleDump, RTM_DELADDR, RTM_DELLINK,
    RTM_DELNEIGH, RTM_DELNEXTHOP, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK,
    RTM_NEWNEIGH, RTM_NEWNEXTHOP, RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::conn::ToMsg;
use crate::monitor::{Change, Tracker};
use crate::wire::{AttrIter, Msg, NLMSG_HDRLEN};

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
    /// The groups to join for these objects and families.
    pub fn groups(&self) -> Vec<u32> {
        use groups::*;
        let v4 = self.family == 0 || self.family == AF_INET;
        let v6 = self.family == 0 || self.family == AF_INET6;
        let o = self.objects;
        let mut g = Vec::new();
        let mut add = |cond: bool, n: u32| {
            if cond {
                g.push(n)
            }
        };
        add(o.link, RTNLGRP_LINK);
        add(o.neigh, RTNLGRP_NEIGH);
        add(o.addr && v4, RTNLGRP_IPV4_IFADDR);
        add(o.addr && v6, RTNLGRP_IPV6_IFADDR);
        add(o.route && v4, RTNLGRP_IPV4_ROUTE);
        add(o.route && v6, RTNLGRP_IPV6_ROUTE);
        add(o.rule && v4, RTNLGRP_IPV4_RULE);
        add(o.rule && v6, RTNLGRP_IPV6_RULE);
        add(o.nexthop, RTNLGRP_NEXTHOP);
        g
    }

    fn family_ok(&self, family: u8) -> bool {
        self.family == 0 || family == self.family
    }
}

/// Attributes that change by themselves, per message type: left out when
/// deciding whether an object changed.
fn volatile(new_type: u16, attr: u16) -> bool {
    match new_type {
        RTM_NEWLINK => matches!(attr, 7 | 23 | 43), // IFLA_STATS, IFLA_STATS64, IFLA_CARRIER_CHANGES
        RTM_NEWADDR => attr == 6,                   // IFA_CACHEINFO
        RTM_NEWROUTE => attr == 12,                 // RTA_CACHEINFO
        RTM_NEWNEIGH => matches!(attr, 3 | 4),      // NDA_CACHEINFO, NDA_PROBES
        _ => false,
    }
}

fn fixed_len(new_type: u16) -> usize {
    match new_type {
        RTM_NEWLINK => 16,
        RTM_NEWADDR => 8,
        RTM_NEWROUTE | RTM_NEWNEIGH | RTM_NEWRULE => 12,
        RTM_NEWNEXTHOP => 8,
        _ => 0,
    }
}

/// The NEW type for a NEW or DEL type of the five followed objects.
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

fn find(attrs: &[u8], kind: u16) -> Option<&[u8]> {
    AttrIter::new(attrs)
        .flatten()
        .find(|a| a.kind() == kind)
        .map(|a| a.payload())
}

impl Tracker for RouteTracker {
    fn identify(&self, msg: &Msg<&[u8]>) -> Option<(Vec<u8>, Change)> {
        let (new_type, change) = new_type_of(msg.msg_type())?;
        let p = msg.payload_ref();
        let fixed = fixed_len(new_type);
        let hdr = p.get(..fixed)?;
        let attrs = p.get(crate::wire::align(fixed)..).unwrap_or(&[]);
        let family = hdr[0];
        let mut key = vec![new_type as u8, family];
        match new_type {
            // Bridge-port views (AF_BRIDGE) come on the link group too, but a link dump does not give them.
            RTM_NEWLINK if self.objects.link && family == 0 => key.extend_from_slice(&hdr[4..8]), // ifi_index
            RTM_NEWADDR if self.objects.addr && self.family_ok(family) => {
                key.push(hdr[1]); // prefix length
                key.extend_from_slice(&hdr[4..8]); // ifa_index
                key.extend_from_slice(find(attrs, 2).or_else(|| find(attrs, 1)).unwrap_or(&[]));
                // IFA_LOCAL, else IFA_ADDRESS
            }
            RTM_NEWROUTE if self.objects.route && self.family_ok(family) => {
                let flags = u32::from_ne_bytes(hdr[8..12].try_into().ok()?); // rtm_flags
                if flags & super::routes::RTM_F_CLONED != 0 {
                    return None; // cache entries are not part of the table
                }
                let table = find(attrs, 15) // RTA_TABLE
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_ne_bytes)
                    .unwrap_or(hdr[4] as u32);
                key.extend_from_slice(&table.to_ne_bytes());
                key.extend_from_slice(&[hdr[1], hdr[2], hdr[3]]); // dst_len, src_len, tos
                for (kind, width) in [(1u16, 16usize), (2, 16), (6, 4)] {
                    // RTA_DST, RTA_SRC, RTA_PRIORITY, each padded to a fixed width
                    let v = find(attrs, kind).unwrap_or(&[]);
                    let mut field = vec![0u8; width];
                    field[..v.len().min(width)].copy_from_slice(&v[..v.len().min(width)]);
                    key.extend_from_slice(&field);
                }
            }
            RTM_NEWNEIGH if self.objects.neigh && self.family_ok(family) => {
                key.extend_from_slice(&hdr[4..8]); // ndm_ifindex
                key.extend_from_slice(find(attrs, 1).unwrap_or(&[])); // NDA_DST
                if let Some(lladdr) = find(attrs, 2).filter(|_| family == libc::AF_BRIDGE as u8) {
                    key.extend_from_slice(lladdr); // FDB entries are keyed by MAC
                }
            }
            RTM_NEWRULE if self.objects.rule && self.family_ok(family) => {
                key.extend_from_slice(p);
            }
            // A nexthop is its id, whatever its family (groups have none).
            RTM_NEWNEXTHOP if self.objects.nexthop => {
                key.truncate(1);
                key.extend_from_slice(find(attrs, 1)?); // NHA_ID
            }
            _ => return None,
        }
        Some((key, change))
    }

    fn wants(&self, msg: &Msg<&[u8]>) -> bool {
        let Some((new_type, _)) = new_type_of(msg.msg_type()) else {
            return false;
        };
        let family = msg.payload().first().copied().unwrap_or(0);
        let o = self.objects;
        match new_type {
            RTM_NEWLINK => o.link,
            RTM_NEWADDR => o.addr && self.family_ok(family),
            RTM_NEWROUTE => o.route && self.family_ok(family),
            RTM_NEWNEIGH => o.neigh && self.family_ok(family),
            RTM_NEWRULE => o.rule && self.family_ok(family),
            RTM_NEWNEXTHOP => o.nexthop,
            _ => false,
        }
    }

    fn dumps(&self) -> Vec<Box<dyn ToMsg + '_>> {
        let o = self.objects;
        let mut d: Vec<Box<dyn ToMsg>> = Vec::new();
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
        new_type + 1
    }

    fn same(&self, a: &[u8], b: &[u8]) -> bool {
        let (Ok(ma), Ok(mb)) = (Msg::new_checked(a), Msg::new_checked(b)) else {
            return a == b;
        };
        if ma.msg_type() != mb.msg_type() {
            return false;
        }
        let ty = ma.msg_type();
        let fixed = crate::wire::align(fixed_len(ty));
        let (pa, pb) = (ma.payload(), mb.payload());
        let (Some(ha), Some(hb)) = (pa.get(..fixed), pb.get(..fixed)) else {
            return pa == pb;
        };
        // Link flags' change mask and route/address header bytes that are not state are compared as they are.
        if ha != hb {
            return false;
        }
        let mut ia = AttrIter::with_offset(&pa[fixed..], NLMSG_HDRLEN)
            .filter(|x| !x.as_ref().is_ok_and(|x| volatile(ty, x.kind())));
        let mut ib = AttrIter::with_offset(&pb[fixed..], NLMSG_HDRLEN)
            .filter(|x| !x.as_ref().is_ok_and(|x| volatile(ty, x.kind())));
        loop {
            match (ia.next(), ib.next()) {
                (None, None) => return true,
                (Some(Ok(x)), Some(Ok(y)))
                    if x.raw_type() == y.raw_type() && x.payload() == y.payload() => {}
                _ => return false,
            }
        }
    }
}
