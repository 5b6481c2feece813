//! `nlkit route`: show, get, add, replace, append, del.
//!
//! ```text
//! nlkit route [show] [table T|all] [proto P] [type T] [dev D] [scope S]
//!             [[to|exact|root|match] PREFIX] [-4|-6]
//! nlkit route flush SELECTOR...   (the words of show; deletes what show lists)
//! nlkit route get [to] ADDR [from A] [iif D] [oif D] [mark M] [fibmatch]
//! nlkit route add|replace|append|change|del [TYPE] [to] PREFIX|default
//!             [via [inet|inet6] GW] [dev D] [table T] [metric|priority N]
//!             [proto P] [scope S] [src A] [from PREFIX] [tos N] [onlink]
//!             [mtu [lock] N] [advmss N] [hoplimit N] [initcwnd N] ...
//!             [nexthop [via GW] [dev D] [weight W] [onlink]]... [nhid N]
//!             [pref low|medium|high] [expires N]
//!   TYPE := unicast|local|broadcast|multicast|blackhole|unreachable|prohibit|throw|nat
//! ```
//!
//! As with `ip route`, `show` lists the main table and IPv4 unless told
//! otherwise (`table all` lists both families); `local`, `broadcast`, `nat`
//! and `anycast` routes go to table `local` unless a table is given. A
//! prefix with host bits set (`10.0.0.1/24`) is refused before sending.
//! `change` is `replace`.
//!
//! Human output is `ip route`'s (`-d` adds the defaults: type, table, proto,
//! scope). JSON (`-j`), one object per route: `type` (absent: unicast),
//! `dst` (`default`, `10.0.0.0/8` or a host address), `from` (the same
//! for a source prefix), `tos`, `nhid`, `gateway`, `via` (`{family, host}`: a gateway of
//! the other family), `dev`, `table` (absent: main), `protocol` (absent:
//! boot), `scope` (absent: global), `prefsrc`, `metric`, `flags` (array),
//! `mark`, `uid`, `expires` (seconds), `metrics` (array of one-key objects,
//! `{"mtu": 1400}`, plus `"lock": true` when locked), `pref`, `nexthops`
//! (`{gateway, via, dev, weight, flags}`), `cache` (`route get` of a cached
//! entry). As in iproute2, a key the listing is filtered on is left out:
//! `dev` (`dev D`), `table` (`table T`), `protocol`, `scope`.

use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::routes::{
    metric_name, pref_name, route_flag_names, RTAX_ADVMSS, RTAX_CWND, RTAX_FEATURES, RTAX_HOPLIMIT,
    RTAX_INITCWND, RTAX_INITRWND, RTAX_LOCK, RTAX_MTU, RTAX_QUICKACK, RTAX_REORDERING,
    RTAX_RTO_MIN, RTAX_RTT, RTAX_RTTVAR, RTAX_SSTHRESH, RTAX_WINDOW, RTM_F_CLONED, RTNH_F_ONLINK,
};
use nlkit::route::{
    family_of, parse_protocol, parse_route_type, parse_scope, parse_table, protocol_str,
    route_type_str, rtn, rtprot, scope_str, table_str, Handle, NextHop, Prefix, Route, RouteDump,
    RouteGet, RouteRequest, RouteView, AF_INET, AF_INET6, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
};
use nlkit::{AckMode, Connection};
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// `nlkit route help`.
pub const USAGE: &str = "\
Usage: nlkit route [show] [table T|all] [proto P] [type T] [dev D] [[exact|root|match] PREFIX]
       nlkit route flush [table T|all] [proto P] [type T] [dev D] [[exact|root|match] PREFIX]
       nlkit route get ADDR [from A] [iif D] [oif D] [mark M] [fibmatch]
       nlkit route add|replace|append|del [TYPE] PREFIX|default [via GW] [dev D] [table T]
                   [metric N] [proto P] [scope S] [src A] [mtu N] [onlink]
                   [nexthop via GW dev D weight W]... [nhid N]
       TYPE := unicast|local|broadcast|multicast|blackhole|unreachable|prohibit|throw";

/// How a listing's prefix selects routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// This very prefix.
    Exact,
    /// Prefixes inside it (not shorter).
    Root,
    /// Prefixes that contain it (not longer).
    Match,
}

/// What `route show` lists.
#[derive(Debug)]
pub struct RouteShow {
    /// `AF_INET`, `AF_INET6` or 0 (both).
    pub family: u8,
    /// Table, 0 for all.
    pub table: u32,
    /// Protocol (0: any).
    pub protocol: u8,
    /// Route type (0: any).
    pub kind: u8,
    /// Output device.
    pub oif: Option<u32>,
    /// Scope.
    pub scope: Option<u8>,
    /// Prefix selector.
    pub select: Option<(Select, Prefix)>,
    /// True if a table was named (the `table` key is then left out).
    pub table_given: bool,
}

/// `route get`.
#[derive(Debug)]
pub struct RouteGetCmd {
    /// The lookup.
    pub get: RouteGet,
}

/// How routes are printed.
#[derive(Clone, Copy, Debug, Default)]
pub struct RouteFmt {
    /// `-d`: show the defaults too (type, table, proto, scope).
    pub details: bool,
    /// Leave out `dev` (the listing is filtered by device).
    pub omit_dev: bool,
    /// Leave out `table` (the listing is filtered by table).
    pub omit_table: bool,
    /// Leave out `protocol` (the listing is filtered by protocol).
    pub omit_protocol: bool,
    /// Leave out `scope` (the listing is filtered by scope).
    pub omit_scope: bool,
}

/// Parses `nlkit route ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => parse_show(g, &mut Words::new("route show", rest), r),
        "get" | "g" => parse_get(g, &mut Words::new("route get", rest), r),
        "add" | "a" => parse_change(g, &mut Words::new("route add", rest), r, Op::Add),
        "replace" => parse_change(g, &mut Words::new("route replace", rest), r, Op::Replace),
        "change" => parse_change(g, &mut Words::new("route change", rest), r, Op::Change),
        "append" | "prepend" => {
            parse_change(g, &mut Words::new("route append", rest), r, Op::Append)
        }
        c if is_delete(c) => parse_change(g, &mut Words::new("route delete", rest), r, Op::Delete),
        "flush" | "f" => {
            if rest.is_empty() {
                return Err(CliError::usage(
                    "route flush: give what to flush (table T|all, dev D, proto P, type T...)",
                ));
            }
            match parse_show(g, &mut Words::new("route flush", rest), r)? {
                Parsed::Show(Show::Route(s)) => Ok(Parsed::Show(Show::RouteFlush(s))),
                p => Ok(p),
            }
        }
        c => Err(CliError::usage(format!(
            "route: unknown command {c:?}; try show, get, add, replace, append, del, flush"
        ))),
    }
}

fn table_of(w: &mut Words, kw: &str) -> Result<u32, CliError> {
    let v = w.value(kw)?;
    parse_table(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown table {v:?}")))
}

fn protocol_of(w: &mut Words, kw: &str) -> Result<u8, CliError> {
    let v = w.value(kw)?;
    parse_protocol(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown protocol {v:?}")))
}

fn scope_of(w: &mut Words) -> Result<u8, CliError> {
    let v = w.value("scope")?;
    parse_scope(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown scope {v:?}")))
}

fn type_of(w: &mut Words, kw: &str) -> Result<u8, CliError> {
    let v = w.value(kw)?;
    parse_route_type(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown route type {v:?}")))
}

fn parse_show(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut table: Option<u32> = None;
    let mut s = RouteShow {
        family: super::family(g),
        table: RT_TABLE_MAIN,
        protocol: 0,
        kind: 0,
        oif: None,
        scope: None,
        select: None,
        table_given: false,
    };
    while let Some(x) = w.next() {
        match x {
            "table" => {
                table = Some(match w.peek() {
                    Some("all") => {
                        w.next();
                        0
                    }
                    _ => table_of(w, "table")?,
                })
            }
            "proto" | "protocol" => s.protocol = protocol_of(w, x)?,
            "type" => s.kind = type_of(w, x)?,
            "dev" | "oif" => s.oif = Some(r.index(w.value(x)?)?),
            "scope" => s.scope = Some(scope_of(w)?),
            "to" | "exact" | "root" | "match" => {
                let sel = match x {
                    "root" => Select::Root,
                    "match" => Select::Match,
                    _ => Select::Exact,
                };
                let v = w.value(x)?;
                s.select = Some((sel, w.prefix_of(v)?));
            }
            _ if s.select.is_none() && !x.starts_with('-') => {
                s.select = Some((Select::Exact, w.prefix_of(x)?));
            }
            _ => return Err(w.unknown(x)),
        }
    }
    if let Some(t) = table {
        s.table = t;
        s.table_given = t != 0;
    }
    if s.family == 0 {
        s.family = match s.select {
            Some((_, p)) if !p.addr().is_unspecified() || !p.is_empty() => p.family(),
            _ if s.table == 0 => 0,
            _ => AF_INET,
        };
    }
    if let Some((sel, p)) = &mut s.select {
        if p.addr().is_unspecified() && p.is_empty() && s.family == AF_INET6 {
            *p = Prefix::default_for(AF_INET6);
        }
        if p.family() != s.family && s.family != 0 {
            return Err(w.err(format_args!("{p} is not of the family asked for")));
        }
        let _ = sel;
    }
    Ok(Parsed::Show(Show::Route(s)))
}

fn parse_get(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut dst: Option<IpAddr> = None;
    let mut get = RouteGet::new(IpAddr::from([0u8; 4]));
    while let Some(x) = w.next() {
        match x {
            "to" => dst = Some(w.ip("to")?),
            "from" => get.src = Some(w.ip("from")?),
            "iif" => get.iif = Some(r.index(w.value("iif")?)?),
            "oif" | "dev" => get.oif = Some(r.index(w.value(x)?)?),
            "mark" => get.mark = Some(w.num("mark")?),
            "fibmatch" => get.fib_match = true,
            _ if dst.is_none() && !x.starts_with('-') => {
                let p = w.prefix_of(x)?;
                if p.len() != Prefix::host(p.addr()).len() {
                    return Err(w.err(format_args!("{x:?}: an address is needed, not a prefix")));
                }
                dst = Some(p.addr());
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let dst = dst.ok_or_else(|| w.err("an address is needed"))?;
    let fam = super::family(g);
    if fam != 0 && family_of(&dst) != fam {
        return Err(w.err(format_args!("{dst} is not of the family asked for")));
    }
    if let Some(s) = get.src {
        if family_of(&s) != family_of(&dst) {
            return Err(w.err("\"from\" is not of the destination's family"));
        }
    }
    get.dst = dst;
    Ok(Parsed::Show(Show::RouteGet(RouteGetCmd { get })))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    /// Replace what exists, create nothing.
    Change,
    Append,
    Delete,
}

fn gateway(w: &mut Words, kw: &str) -> Result<IpAddr, CliError> {
    if matches!(w.peek(), Some("inet" | "inet6")) {
        w.next();
    }
    w.ip(kw)
}

/// The `RTAX_*` a metric keyword names.
fn metric_kind(x: &str) -> Option<u16> {
    Some(match x {
        "mtu" => RTAX_MTU,
        "advmss" => RTAX_ADVMSS,
        "hoplimit" => RTAX_HOPLIMIT,
        "initcwnd" => RTAX_INITCWND,
        "initrwnd" => RTAX_INITRWND,
        "window" => RTAX_WINDOW,
        "rtt" => RTAX_RTT,
        "rttvar" => RTAX_RTTVAR,
        "ssthresh" => RTAX_SSTHRESH,
        "cwnd" => RTAX_CWND,
        "reordering" => RTAX_REORDERING,
        "rto_min" => RTAX_RTO_MIN,
        "quickack" => RTAX_QUICKACK,
        "features" => RTAX_FEATURES,
        _ => return None,
    })
}

fn parse_change(
    g: &Global,
    w: &mut Words,
    r: &mut dyn Resolve,
    op: Op,
) -> Result<Parsed, CliError> {
    let mut kind: Option<u8> = None;
    let mut dst: Option<(Prefix, bool)> = None; // (prefix, was "default")
    let mut via: Option<IpAddr> = None;
    let mut dev: Option<(u32, String)> = None;
    let mut table: Option<u32> = None;
    let mut metric: Option<u32> = None;
    let mut proto: Option<u8> = None;
    let mut scope: Option<u8> = None;
    let mut prefsrc: Option<IpAddr> = None;
    let mut from: Option<Prefix> = None;
    let mut tos: Option<u8> = None;
    let mut onlink = false;
    let mut metrics: Vec<(u16, u32)> = Vec::new();
    let mut lock = 0u32;
    let mut hops: Vec<NextHop> = Vec::new();
    let mut nhid: Option<u32> = None;
    let mut pref: Option<u8> = None;
    let mut expires: Option<u32> = None;
    if let Some(t) = w.peek().and_then(parse_route_type) {
        w.next();
        kind = Some(t);
    }
    while let Some(x) = w.next() {
        if let Some(k) = metric_kind(x) {
            if w.peek() == Some("lock") {
                w.next();
                lock |= 1 << k;
            }
            let v: u32 = w.num(x)?;
            metrics.retain(|m| m.0 != k);
            metrics.push((k, v));
            continue;
        }
        match x {
            "to" => {
                let v = w.value("to")?;
                dst = Some((w.prefix_of(v)?, v == "default"));
            }
            "via" | "gw" => via = Some(gateway(w, x)?),
            "dev" | "oif" => {
                let n = w.value(x)?;
                dev = Some((r.index(n)?, n.to_string()));
            }
            "table" => table = Some(table_of(w, x)?),
            "metric" | "priority" | "preference" => metric = Some(w.num(x)?),
            "proto" | "protocol" => proto = Some(protocol_of(w, x)?),
            "scope" => scope = Some(scope_of(w)?),
            "src" => prefsrc = Some(w.ip("src")?),
            "from" => {
                let v = w.value("from")?;
                from = Some(w.prefix_of(v)?);
            }
            "tos" | "dsfield" => tos = Some(w.num(x)?),
            "onlink" => onlink = true,
            "nhid" => nhid = Some(w.num("nhid")?),
            "pref" => {
                pref = Some(match w.value("pref")? {
                    "low" => 3,
                    "medium" => 0,
                    "high" => 1,
                    v => return Err(w.err(format_args!("unknown pref {v:?}"))),
                })
            }
            "expires" => expires = Some(w.num("expires")?),
            "nexthop" => {
                let mut h = NextHop {
                    weight: 1,
                    ..Default::default()
                };
                loop {
                    match w.peek() {
                        Some("via") => {
                            w.next();
                            h.gateway = Some(gateway(w, "via")?);
                        }
                        Some("dev") => {
                            w.next();
                            h.ifindex = r.index(w.value("dev")?)?;
                        }
                        Some("weight") => {
                            w.next();
                            let wt: u16 = w.num("weight")?;
                            if !(1..=256).contains(&wt) {
                                return Err(
                                    w.err(format_args!("weight {wt} is out of range (1-256)"))
                                );
                            }
                            h.weight = wt;
                        }
                        Some("onlink") => {
                            w.next();
                            h.flags |= RTNH_F_ONLINK as u8;
                        }
                        _ => break,
                    }
                }
                if h.gateway.is_none() && h.ifindex == 0 {
                    return Err(w.err("\"nexthop\" needs \"via GW\" or \"dev D\""));
                }
                hops.push(h);
            }
            _ if dst.is_none() && !x.starts_with('-') => {
                dst = Some((w.prefix_of(x)?, x == "default" || x == "all" || x == "any"))
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let (mut p, is_default) = dst.ok_or_else(|| w.err("a destination prefix is needed"))?;
    let fam_opt = super::family(g);
    if is_default {
        let fam = if fam_opt != 0 {
            fam_opt
        } else {
            via.or(hops.iter().find_map(|h| h.gateway))
                .or(prefsrc)
                .or(from.map(|f| f.addr()))
                .map(|a| family_of(&a))
                .unwrap_or(AF_INET)
        };
        p = Prefix::default_for(fam);
    }
    if fam_opt != 0 && p.family() != fam_opt {
        return Err(w.err(format_args!("{p} is not of the family asked for")));
    }
    if !p.is_network() {
        return Err(w.err(format_args!(
            "invalid prefix for its length: {}/{} has host bits set",
            p.addr(),
            p.len()
        )));
    }
    if let Some(s) = prefsrc {
        if family_of(&s) != p.family() {
            return Err(w.err("\"src\" is not of the destination's family"));
        }
    }
    if !hops.is_empty() && (via.is_some() || nhid.is_some()) {
        return Err(w.err("\"nexthop\" cannot be combined with \"via\" or \"nhid\""));
    }
    let mut req = match op {
        Op::Add => RouteRequest::add(p),
        Op::Replace => RouteRequest::replace(p),
        Op::Change => RouteRequest::change(p),
        Op::Append => RouteRequest::append(p),
        Op::Delete => RouteRequest::delete(p),
    };
    if let Some(k) = kind {
        req = req.kind(k);
        if table.is_none()
            && op != Op::Delete
            && matches!(k, rtn::LOCAL | rtn::BROADCAST | rtn::NAT | rtn::ANYCAST)
        {
            req = req.table(RT_TABLE_LOCAL);
        }
    }
    if let Some(gw) = via {
        req = req.via(gw);
    }
    if let Some((i, n)) = &dev {
        req = req.dev(*i).dev_name(n);
    }
    if let Some(t) = table {
        req = req.table(t);
    }
    if let Some(m) = metric {
        req = req.metric(m);
    }
    if let Some(pr) = proto {
        req = req.protocol(pr);
    }
    if let Some(s) = scope {
        req = req.scope(s);
    }
    if let Some(s) = prefsrc {
        req = req.prefsrc(s);
    }
    if let Some(f) = from {
        if f.family() != p.family() {
            return Err(w.err("\"from\" is not of the destination's family"));
        }
        req.route.src = Some(f.addr());
        req.route.src_len = f.len();
    }
    if let Some(t) = tos {
        req.route.tos = t;
    }
    if onlink {
        req = req.onlink();
    }
    for (k, v) in metrics {
        req = req.metric_value(k, v);
    }
    if lock != 0 {
        req = req.metric_value(RTAX_LOCK, lock);
    }
    if !hops.is_empty() {
        for h in &mut hops {
            if let Some(gw) = h.gateway {
                if family_of(&gw) != p.family() {
                    h.via = h.gateway.take();
                }
            }
        }
        req = req.multipath(hops);
    }
    if let Some(id) = nhid {
        req = req.nh_id(id);
    }
    if let Some(pr) = pref {
        req = req.pref(pr);
    }
    if let Some(e) = expires {
        req = req.expires(e);
    }
    Ok(Parsed::Req(Req::Route(req)))
}

// ---------------------------------------------------------------------------
// Showing.

fn selected(v: &RouteView<'_>, sel: Select, p: &Prefix) -> bool {
    let (addr, len) = match v.dst {
        Some(a) => (a, v.header.dst_len),
        None => (Prefix::default_for(v.family()).addr(), 0),
    };
    if family_of(&addr) != p.family() {
        return false;
    }
    // Both cut to the shorter length, compared.
    let same_at = |l: u8| match (Prefix::new(addr, l), Prefix::new(p.addr(), l)) {
        (Some(a), Some(b)) => mask(&a) == mask(&b),
        _ => false,
    };
    match sel {
        Select::Exact => len == p.len() && same_at(len),
        Select::Root => len >= p.len() && same_at(p.len()),
        Select::Match => len <= p.len() && same_at(len),
    }
}

/// The network part of a prefix, as bytes.
fn mask(p: &Prefix) -> Vec<u8> {
    let bytes = match p.addr() {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let keep = (p.len() as usize).saturating_sub(i * 8).min(8);
            if keep == 0 {
                0
            } else {
                b & (0xffu8 << (8 - keep))
            }
        })
        .collect()
}

/// Runs `route show`.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &RouteShow,
) -> Result<(), CliError> {
    let fmt = RouteFmt {
        details: g.details,
        omit_dev: s.oif.is_some(),
        omit_table: s.table_given,
        omit_protocol: s.protocol != 0,
        omit_scope: s.scope.is_some(),
    };
    list_begin(out)?;
    let r = Handle::with(conn).routes(s.dump(), |v| {
        if !s.wants(&v) {
            return Ok(());
        }
        keep(print_route(out, &v, names, &fmt))
    });
    super::finish(r)?;
    list_end(out)
}

impl RouteShow {
    fn dump(&self) -> RouteDump {
        RouteDump {
            family: self.family,
            table: self.table,
            protocol: self.protocol,
            kind: self.kind,
            oif: self.oif.unwrap_or(0),
        }
    }

    /// True if the listing (or the flush) takes this route.
    fn wants(&self, v: &RouteView<'_>) -> bool {
        let fam = v.family();
        if fam != AF_INET && fam != AF_INET6 {
            return false;
        }
        if (self.family != 0 && fam != self.family)
            || (self.table != 0 && v.table() != self.table)
            || (self.protocol != 0 && v.protocol() != self.protocol)
            || (self.kind != 0 && v.kind() != self.kind)
            || self.oif.is_some_and(|o| v.oif != Some(o))
            || self.scope.is_some_and(|sc| v.scope() != sc)
            || v.flags() & RTM_F_CLONED != 0
        {
            return false;
        }
        match &self.select {
            Some((sel, p)) => selected(v, *sel, p),
            None => true,
        }
    }
}

const ESRCH: i32 = 3;

/// Runs `route flush`: dumps the routes `s` selects and deletes them in one
/// batch (acks for errors only), as iproute2 does, in rounds until none is
/// left (a deletion may bring others back, as with a multipath route), at
/// most 10. A route already gone (`ESRCH`) is not an error. Prints nothing.
pub fn flush(conn: &Connection, s: &RouteShow) -> Result<(), CliError> {
    for _ in 0..10 {
        let mut victims: Vec<Route> = Vec::new();
        Handle::with(conn).routes(s.dump(), |v| {
            // iproute2 leaves the IPv6 tables' built-in unreachable default alone.
            let builtin = v.family() == AF_INET6
                && v.header.dst_len == 0
                && v.kind() == rtn::UNREACHABLE
                && v.priority == Some(u32::MAX);
            if s.wants(&v) && !builtin {
                victims.push(v.to_owned().map_err(|e| nlkit::Error::Malformed {
                    what: "route flush: a dumped route".into(),
                    source: e,
                })?);
            }
            Ok(())
        })?;
        if victims.is_empty() {
            return Ok(());
        }
        let mut first = None;
        conn.batch(
            victims.into_iter().map(RouteRequest::delete_route),
            AckMode::ErrorsOnly,
            |_, r| {
                if let Err(e) = r {
                    if e.errno() != Some(ESRCH) && first.is_none() {
                        first = Some(e);
                    }
                }
            },
        )?;
        if let Some(e) = first {
            return Err(e.into());
        }
    }
    Ok(())
}

/// Runs `route get`.
pub fn get(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    c: &RouteGetCmd,
) -> Result<(), CliError> {
    let bytes = conn.get(&c.get)?;
    let what = || super::describe(&c.get);
    let (_, m) = nlkit::wire::MsgIter::new(&bytes)
        .next()
        .ok_or_else(|| CliError::Other(format!("{}: empty reply", what())))?
        .map_err(|e| nlkit::Error::Malformed {
            what: what(),
            source: e,
        })?;
    let v = RouteView::parse(&m).map_err(|e| nlkit::Error::Malformed {
        what: what(),
        source: e,
    })?;
    let fmt = RouteFmt {
        details: g.details,
        ..Default::default()
    };
    list_begin(out)?;
    print_route(out, &v, names, &fmt)?;
    list_end(out)
}

/// Prints one route (text, or a JSON array element with `-j`).
pub fn print_route(
    out: &mut Out,
    v: &RouteView<'_>,
    names: &mut Names,
    fmt: &RouteFmt,
) -> Result<(), CliError> {
    if out.json {
        out.array_item(&route_json(v, names, fmt))
    } else {
        out.line(route_text(v, names, fmt))
    }
}

fn host_len(fam: u8) -> u8 {
    if fam == AF_INET6 {
        128
    } else {
        32
    }
}

/// `10.0.0.0/8`, a host address, or `default`, as iproute2 writes a destination.
fn prefix_text(a: Option<IpAddr>, len: u8, fam: u8) -> String {
    match a {
        Some(a) if len == host_len(fam) => a.to_string(),
        Some(a) => format!("{a}/{len}"),
        None if len == 0 => "default".into(),
        None => format!("0/{len}"),
    }
}

fn family_word(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "inet"
    } else {
        "inet6"
    }
}

fn expires_of(v: &RouteView<'_>) -> Option<u64> {
    v.expires.or_else(|| {
        let e = v.cacheinfo?.expires.get();
        (e > 0).then(|| (e as u64).div_ceil(100))
    })
}

fn hops_of(v: &RouteView<'_>) -> Vec<NextHop> {
    if v.multipath_attr.is_none() {
        return Vec::new();
    }
    v.to_owned().map(|r| r.multipath).unwrap_or_default()
}

/// One route as `ip route` prints it (a multipath route takes several lines).
pub fn route_text(v: &RouteView<'_>, names: &mut Names, fmt: &RouteFmt) -> String {
    let fam = v.family();
    let mut s = String::new();
    if v.kind() != rtn::UNICAST || fmt.details {
        s += &route_type_str(v.kind());
        s += " ";
    }
    s += &prefix_text(v.dst, v.header.dst_len, fam);
    if v.src.is_some() || v.header.src_len != 0 {
        s += &format!(" from {}", prefix_text(v.src, v.header.src_len, fam));
    }
    if v.header.tos != 0 {
        s += &format!(" tos {:#x}", v.header.tos);
    }
    if let Some(id) = v.nh_id {
        s += &format!(" nhid {id}");
    }
    if let Some(g) = v.gateway {
        s += &format!(" via {g}");
    }
    if let Some(g) = v.via {
        s += &format!(" via {} {g}", family_word(&g));
    }
    if let (Some(o), false) = (v.oif, fmt.omit_dev) {
        s += &format!(" dev {}", names.name(o));
    }
    let table = v.table();
    if (table != RT_TABLE_MAIN || fmt.details) && !fmt.omit_table {
        s += &format!(" table {}", table_str(table));
    }
    if v.flags() & RTM_F_CLONED == 0 {
        if (v.protocol() != rtprot::BOOT || fmt.details) && !fmt.omit_protocol {
            s += &format!(" proto {}", protocol_str(v.protocol()));
        }
        if (v.scope() != RT_SCOPE_UNIVERSE || fmt.details) && !fmt.omit_scope {
            s += &format!(" scope {}", scope_str(v.scope()));
        }
    }
    if let Some(p) = v.prefsrc {
        s += &format!(" src {p}");
    }
    if let Some(m) = v.priority {
        s += &format!(" metric {m}");
    }
    for f in route_flag_names(v.flags()) {
        s += " ";
        s += f;
    }
    if let Some(m) = v.mark {
        s += &format!(" mark {m}");
    }
    if let Some(i) = v.iif {
        s += &format!(" iif {}", names.name(i));
    }
    if let Some(u) = v.uid {
        s += &format!(" uid {u}");
    }
    if v.flags() & RTM_F_CLONED == 0 {
        if let Some(e) = expires_of(v) {
            s += &format!(" expires {e}sec");
        }
    }
    let metrics: Vec<(u16, u32)> = v.metrics().collect();
    let lock = metrics
        .iter()
        .find(|m| m.0 == RTAX_LOCK)
        .map(|m| m.1)
        .unwrap_or(0);
    for (k, val) in metrics {
        if k == RTAX_LOCK {
            continue;
        }
        let name = metric_name(k)
            .map(str::to_string)
            .unwrap_or(format!("metric_{k}"));
        if lock & (1 << k) != 0 {
            s += &format!(" {name} lock {val}");
        } else {
            s += &format!(" {name} {val}");
        }
    }
    if let Some(p) = v.pref.and_then(pref_name) {
        s += &format!(" pref {p}");
    }
    for h in hops_of(v) {
        s += "\n\tnexthop";
        if let Some(g) = h.gateway {
            s += &format!(" via {g}");
        }
        if let Some(g) = h.via {
            s += &format!(" via {} {g}", family_word(&g));
        }
        if h.ifindex != 0 {
            s += &format!(" dev {}", names.name(h.ifindex));
        }
        s += &format!(" weight {}", h.weight);
        for f in route_flag_names(u32::from(h.flags)) {
            s += " ";
            s += f;
        }
    }
    if v.flags() & RTM_F_CLONED != 0 {
        s += "\n    cache";
        if let Some(e) = expires_of(v) {
            s += &format!(" expires {e}sec");
        }
    }
    s
}

/// One route as `ip -j route` prints it.
pub fn route_json(v: &RouteView<'_>, names: &mut Names, fmt: &RouteFmt) -> Value {
    let fam = v.family();
    let mut o = Map::new();
    if v.kind() != rtn::UNICAST || fmt.details {
        o.insert("type".into(), json!(route_type_str(v.kind())));
    }
    o.insert(
        "dst".into(),
        json!(prefix_text(v.dst, v.header.dst_len, fam)),
    );
    if v.src.is_some() || v.header.src_len != 0 {
        o.insert(
            "from".into(),
            json!(prefix_text(v.src, v.header.src_len, fam)),
        );
    }
    if v.header.tos != 0 {
        o.insert("tos".into(), json!(format!("{:#x}", v.header.tos)));
    }
    if let Some(id) = v.nh_id {
        o.insert("nhid".into(), json!(id));
    }
    if let Some(g) = v.gateway {
        o.insert("gateway".into(), json!(g.to_string()));
    }
    if let Some(g) = v.via {
        o.insert(
            "via".into(),
            json!({"family": family_word(&g), "host": g.to_string()}),
        );
    }
    if let (Some(d), false) = (v.oif, fmt.omit_dev) {
        o.insert("dev".into(), json!(names.name(d)));
    }
    let table = v.table();
    if (table != RT_TABLE_MAIN || fmt.details) && !fmt.omit_table {
        o.insert("table".into(), json!(table_str(table)));
    }
    if v.flags() & RTM_F_CLONED == 0 {
        if (v.protocol() != rtprot::BOOT || fmt.details) && !fmt.omit_protocol {
            o.insert("protocol".into(), json!(protocol_str(v.protocol())));
        }
        if (v.scope() != RT_SCOPE_UNIVERSE || fmt.details) && !fmt.omit_scope {
            o.insert("scope".into(), json!(scope_str(v.scope())));
        }
    }
    if let Some(p) = v.prefsrc {
        o.insert("prefsrc".into(), json!(p.to_string()));
    }
    if let Some(m) = v.priority {
        o.insert("metric".into(), json!(m));
    }
    o.insert("flags".into(), json!(route_flag_names(v.flags())));
    if let Some(m) = v.mark {
        o.insert("mark".into(), json!(m));
    }
    if let Some(i) = v.iif {
        o.insert("iif".into(), json!(names.name(i)));
    }
    if let Some(u) = v.uid {
        o.insert("uid".into(), json!(u));
    }
    if let Some(e) = expires_of(v) {
        o.insert("expires".into(), json!(e));
    }
    // iproute2 prints the cache flags before the metrics.
    if v.flags() & RTM_F_CLONED != 0 {
        o.insert("cache".into(), json!([]));
    }
    let metrics: Vec<(u16, u32)> = v.metrics().collect();
    let lock = metrics
        .iter()
        .find(|m| m.0 == RTAX_LOCK)
        .map(|m| m.1)
        .unwrap_or(0);
    let mx: Vec<Value> = metrics
        .iter()
        .filter(|m| m.0 != RTAX_LOCK)
        .map(|&(k, val)| {
            let name = metric_name(k)
                .map(str::to_string)
                .unwrap_or(format!("metric_{k}"));
            let mut m = Map::new();
            m.insert(name, json!(val));
            if lock & (1 << k) != 0 {
                m.insert("lock".into(), json!(true));
            }
            Value::Object(m)
        })
        .collect();
    if !mx.is_empty() {
        o.insert("metrics".into(), Value::Array(mx));
    }
    if let Some(p) = v.pref.and_then(pref_name) {
        o.insert("pref".into(), json!(p));
    }
    let hops = hops_of(v);
    if !hops.is_empty() {
        let hs: Vec<Value> = hops
            .iter()
            .map(|h| {
                let mut m = Map::new();
                if let Some(g) = h.gateway {
                    m.insert("gateway".into(), json!(g.to_string()));
                }
                if let Some(g) = h.via {
                    m.insert(
                        "via".into(),
                        json!({"family": family_word(&g), "host": g.to_string()}),
                    );
                }
                if h.ifindex != 0 {
                    m.insert("dev".into(), json!(names.name(h.ifindex)));
                }
                m.insert("weight".into(), json!(h.weight));
                m.insert("flags".into(), json!(route_flag_names(u32::from(h.flags))));
                Value::Object(m)
            })
            .collect();
        o.insert("nexthops".into(), Value::Array(hs));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_words() {
        assert_eq!(prefix_text(None, 0, AF_INET), "default");
        assert_eq!(
            prefix_text(Some("10.0.0.0".parse().unwrap()), 8, AF_INET),
            "10.0.0.0/8"
        );
        assert_eq!(
            prefix_text(Some("10.0.0.1".parse().unwrap()), 32, AF_INET),
            "10.0.0.1"
        );
        assert_eq!(
            prefix_text(Some("fd00::1".parse().unwrap()), 128, AF_INET6),
            "fd00::1"
        );
        let p: Prefix = "10.1.2.3/16".parse().unwrap();
        assert_eq!(mask(&p), vec![10, 1, 0, 0]);
        assert_eq!(metric_kind("mtu"), Some(RTAX_MTU));
    }
}
