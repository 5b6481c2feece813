//! What an rtnetlink monitor watches: groups to join, dumps that give the
//! full state, and the identity of each object ([`RouteTracker`] implements
//! [`Tracker`] for the [monitor](crate::monitor)).
//!
//! Identities, read through the typed views: a link is its index; an
//! address its family, link, prefix length and address; a route its
//! family, table, destination, source, TOS and metric (and for IPv6, which
//! keeps routes apart by nexthop, its device and gateway unless it is
//! multipath); a neighbour its
//! family, link and address (and MAC for bridge FDB entries); a rule its
//! whole content (rules have no other identity); a nexthop object its id.
//! Attributes that change on their own (statistics, carrier counters, cache
//! timers, IPv6 route expiry) and the link header's change mask do not
//! count as changes.
//!
//! One known gap: `ip -6 route replace` that moves a route to another device
//! or gateway is notified as a new route (with `NLM_F_REPLACE`) under another
//! identity, so the old one stays in the view until the next resync.

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
        let mut h = h;
        if let Some(h) = h.as_mut() {
            h.write_u16(new_type);
        }
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
                key.extend_from_slice(&v.priority().unwrap_or(0).to_ne_bytes());
                push_ip(key, v.dst());
                push_ip(key, v.src());
                // IPv6 keeps routes that differ only in their nexthop apart (every link's
                // fe80::/64, metric 256); a multipath route is one object.
                if hd.family == AF_INET6 && v.multipath_attr().is_none() {
                    key.extend_from_slice(&v.oif().unwrap_or(0).to_ne_bytes());
                    push_ip(key, v.gateway());
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::same;
    use crate::route::link::LinkStats64;
    use crate::route::routes::RtaCacheInfo;
    use crate::route::{Link, Nexthop, Prefix, Route};
    use zerocopy::FromZeros;

    const ALL: RouteTracker = RouteTracker {
        objects: Objects::ALL,
        family: 0,
    };

    fn key(t: &RouteTracker, b: &[u8]) -> Option<(Vec<u8>, Change)> {
        let mut k = Vec::new();
        let c = t.identify(&Msg::new_checked(b).unwrap(), &mut k).unwrap()?;
        Some((k, c))
    }

    fn same_state(a: &[u8], b: &[u8]) -> bool {
        same(
            &ALL,
            &Msg::new_checked(a).unwrap(),
            &Msg::new_checked(b).unwrap(),
        )
    }

    fn route(r: &Route, ty: u16) -> Vec<u8> {
        let mut b = Vec::new();
        r.write_msg(&mut b, ty, 0).unwrap();
        b
    }

    fn r(dst: &str) -> Route {
        let mut r = Route::new(dst.parse::<Prefix>().unwrap());
        r.oif = Some(1);
        r
    }

    #[test]
    fn routes_are_keyed_by_table_prefix_tos_and_metric() {
        let a = route(&r("10.0.0.0/24"), RTM_NEWROUTE);
        let (ka, c) = key(&ALL, &a).unwrap();
        assert_eq!(c, Change::Set);
        // The delete of the same route: same key.
        assert_eq!(
            key(&ALL, &route(&r("10.0.0.0/24"), RTM_DELROUTE)),
            Some((ka.clone(), Change::Remove))
        );
        // Another gateway or device is another state of the same route.
        let mut b = r("10.0.0.0/24");
        b.oif = Some(2);
        assert_eq!(key(&ALL, &route(&b, RTM_NEWROUTE)).unwrap().0, ka);
        assert!(!same_state(&a, &route(&b, RTM_NEWROUTE)));
        // Another prefix length, table, metric or TOS is another route.
        let mut others = vec![
            r("10.0.0.0/25"),
            r("10.0.0.0/24"),
            r("10.0.0.0/24"),
            r("10.0.0.0/24"),
        ];
        others[1].table = 100;
        others[2].priority = Some(7);
        others[3].tos = 0x10;
        for o in &others {
            assert_ne!(key(&ALL, &route(o, RTM_NEWROUTE)).unwrap().0, ka, "{o:?}");
        }
        // IPv6 and IPv4 keys never collide; the family filter applies.
        let v6 = route(&r("2001:db8::/64"), RTM_NEWROUTE);
        assert_ne!(key(&ALL, &v6).unwrap().0, ka);
        let v4only = RouteTracker {
            family: AF_INET,
            ..ALL
        };
        assert_eq!(key(&v4only, &v6), None);
        // IPv6 routes that differ only in their device are two routes; IPv4 ones one route.
        let mut v6b = r("2001:db8::/64");
        v6b.oif = Some(2);
        assert_ne!(
            key(&ALL, &route(&v6b, RTM_NEWROUTE)).unwrap().0,
            key(&ALL, &v6).unwrap().0
        );
        assert!(key(&v4only, &a).is_some());
        // Cache entries are not part of the table.
        let mut cloned = r("10.0.0.1/32");
        cloned.flags = RTM_F_CLONED;
        assert_eq!(key(&ALL, &route(&cloned, RTM_NEWROUTE)), None);
    }

    #[test]
    fn route_cache_info_and_expiry_are_volatile() {
        let mut a = r("2001:db8::/64");
        a.priority = Some(1024);
        let mut b = a.clone();
        let mut ci = RtaCacheInfo::new_zeroed();
        ci.lastuse = 5.into();
        a.cacheinfo = Some(ci);
        ci.lastuse = 9.into();
        ci.used = 3.into();
        b.cacheinfo = Some(ci);
        a.expires = Some(100);
        b.expires = Some(97);
        let (ma, mb) = (route(&a, RTM_NEWROUTE), route(&b, RTM_NEWROUTE));
        assert_ne!(ma, mb);
        assert_eq!(key(&ALL, &ma), key(&ALL, &mb));
        assert!(same_state(&ma, &mb));
        b.protocol = 4;
        assert!(!same_state(&ma, &route(&b, RTM_NEWROUTE)));
    }

    #[test]
    fn a_captured_route_is_identified_through_its_view() {
        let b = include_bytes!("../../tests/fixtures/route/newroute_local_lo.bin");
        let m = Msg::new_checked(&b[..]).unwrap();
        let v = RouteView::parse(&m).unwrap();
        let (k, c) = key(&ALL, b).unwrap();
        assert_eq!(c, Change::Set);
        let mut want = RTM_NEWROUTE.to_ne_bytes().to_vec();
        let h = v.header;
        want.extend_from_slice(&[h.family, h.dst_len, h.src_len, h.tos]);
        want.extend_from_slice(&v.table().to_ne_bytes());
        want.extend_from_slice(&v.priority().unwrap_or(0).to_ne_bytes());
        push_ip(&mut want, v.dst());
        push_ip(&mut want, v.src());
        assert_eq!(k, want);
        // Not followed when routes are not asked for.
        let links = RouteTracker {
            objects: Objects {
                link: true,
                ..Objects::default()
            },
            family: 0,
        };
        assert_eq!(key(&links, b), None);
    }

    fn link(l: &Link) -> Vec<u8> {
        let mut b = Vec::new();
        l.write_msg(&mut b, RTM_NEWLINK, 0).unwrap();
        b
    }

    #[test]
    fn links_are_keyed_by_index_and_counters_are_volatile() {
        let mut a = Link::named("v0");
        a.index = 7;
        a.mtu = Some(1500);
        a.flags = 1;
        let mut b = a.clone();
        b.change = 1; // a notification's change mask is not state
        b.carrier_changes = Some(4);
        let mut st = LinkStats64::new_zeroed();
        st.rx_packets = 1000.into();
        b.stats64 = Some(st);
        let (ma, mb) = (link(&a), link(&b));
        assert_eq!(key(&ALL, &ma).unwrap().0, key(&ALL, &mb).unwrap().0);
        assert!(same_state(&ma, &mb));
        b.mtu = Some(9000);
        assert!(!same_state(&ma, &link(&b)));
        let mut c = a.clone();
        c.index = 8;
        assert_ne!(key(&ALL, &ma).unwrap().0, key(&ALL, &link(&c)).unwrap().0);
        // Bridge-port views of a link are not the link.
        let mut bridge = a.clone();
        bridge.family = AF_BRIDGE;
        assert_eq!(key(&ALL, &link(&bridge)), None);
    }

    #[test]
    fn nexthops_are_their_id_and_deletes_are_synthesized_from_the_last_message() {
        let nh = |id| {
            let mut b = Vec::new();
            Nexthop {
                family: AF_INET,
                id,
                blackhole: true,
                ..Default::default()
            }
            .write_msg(&mut b, RTM_NEWNEXTHOP, 0)
            .unwrap();
            b
        };
        let (k5, _) = key(&ALL, &nh(5)).unwrap();
        assert_ne!(k5, key(&ALL, &nh(6)).unwrap().0);
        let m = nh(5);
        let mut out = Vec::new();
        ALL.delete(&Msg::new_checked(&m[..]).unwrap(), &mut out)
            .unwrap();
        let del = Msg::new_checked(&out[..]).unwrap();
        assert_eq!(del.msg_type(), RTM_DELNEXTHOP);
        assert_eq!(del.payload(), &m[16..]);
        assert_eq!(key(&ALL, &out), Some((k5, Change::Remove)));
    }

    #[test]
    fn groups_follow_objects_and_families() {
        use groups::*;
        let t = RouteTracker {
            objects: Objects {
                route: true,
                addr: true,
                ..Objects::default()
            },
            family: AF_INET6,
        };
        assert_eq!(t.groups(), vec![RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE]);
        assert_eq!(ALL.groups().len(), 9);
    }

    #[test]
    fn malformed_messages_are_errors() {
        let mut b = route(&r("10.0.0.0/24"), RTM_NEWROUTE);
        let n = b.len();
        b[n - 8..n - 6].copy_from_slice(&200u16.to_ne_bytes()); // an attribute longer than the message
        let mut k = Vec::new();
        assert!(ALL
            .identify(&Msg::new_checked(&b[..]).unwrap(), &mut k)
            .is_err());
    }
}
