//! `nlkit route`: show, get, add, replace, append, del.
//!
//! ```text
//! nlkit route [show] [table T|all|cache] [cached] [proto P|all] [type T] [dev D] [iif D]
//!             [scope S|all] [tos T] [metric N] [mark M] [via [inet|inet6] P]
//!             [src P] [realms [FROM/]TO] [from [root|match|exact] P]
//!             [[to|exact|root|match] PREFIX] [-4|-6]
//! nlkit route flush SELECTOR...   (the words of show; deletes what show lists)
//! nlkit route get [to] ADDR [from A] [iif D] [oif D] [mark M] [tos T] [uid U]
//!             [ipproto P] [sport N] [dport N] [connected] [fibmatch]
//! nlkit route add|replace|append|change|del [TYPE] [to] PREFIX|default
//!             [via [inet|inet6] GW] [dev D] [table T] [metric|priority N]
//!             [proto P] [scope S] [src A] [from PREFIX] [tos N] [onlink]
//!             [realms [FROM/]TO] [encap mpls L[/L...]]
//!             [mtu [lock] N] [advmss N] [hoplimit N] [initcwnd N] [rtt [lock] T]
//!             [rttvar [lock] T] [rto_min T] [features ecn] [congctl [lock] NAME]
//!             [quickack 0|1] [fastopen_no_cookie 0|1] ...
//!             [nexthop [via GW] [dev D] [weight W] [onlink]]... [nhid N]
//!             [pref low|medium|high] [expires N]
//!   TYPE := unicast|local|broadcast|multicast|blackhole|unreachable|prohibit|throw|nat
//!   T    := N (kernel units) | Nms | Ns | N.Ns
//! ```
//!
//! As with `ip route`, `show` lists the main table and IPv4 unless told
//! otherwise (`table all` lists both families; `cached` the routing cache:
//! IPv4 exceptions such as learnt path MTUs, IPv6 cached routes); `local`, `broadcast`, `nat`
//! and `anycast` routes go to table `local` unless a table is given. A
//! prefix with host bits set (`10.0.0.1/24`) is refused before sending.
//! `change` replaces and creates nothing.
//!
//! Output is `ip route`'s, byte for byte (trailing blanks included; `-d`
//! adds the defaults: type, proto, scope), and `-j` is `ip -j route`'s, key
//! for key: see `crates/nlkit-cli/docs/json.md`. One writer
//! ([`write_route`]) states each field once for both forms, borrows from
//! the message, and writes into one buffer that goes to stdout in large
//! pieces: no map, `Value` or per-route allocation while listing.

use super::emit::{json_str, Emit, Fmt, Put};
use super::nexthop::write_nexthop;
use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::routes::{
    metric_name, mpls_labels, parse_realms, pref_name, realm_name, RtaCacheInfo,
    LWTUNNEL_ENCAP_MPLS, ROUTE_FLAG_NAMES, RTAX_ADVMSS, RTAX_CC_ALGO, RTAX_CWND,
    RTAX_FASTOPEN_NO_COOKIE, RTAX_FEATURES, RTAX_HOPLIMIT, RTAX_INITCWND, RTAX_INITRWND, RTAX_LOCK,
    RTAX_MTU, RTAX_QUICKACK, RTAX_REORDERING, RTAX_RTO_MIN, RTAX_RTT, RTAX_RTTVAR, RTAX_SSTHRESH,
    RTAX_WINDOW, RTA_FLOW, RTA_GATEWAY, RTA_VIA, RTM_F_CLONED, RTNH_F_ONLINK,
};
use nlkit::route::rule::parse_ip_proto;
use nlkit::route::{
    family_of, parse_protocol, parse_route_type, parse_scope, parse_table, protocol_name,
    route_type_name, rtn, rtprot, scope_name, table_name, Handle, NextHop, NexthopGet, NexthopView,
    Prefix, Route, RouteDump, RouteGet, RouteRequest, RouteView, AF_INET, AF_INET6,
    RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, RT_TABLE_MAIN,
};
use nlkit::wire::AttrIter;
use nlkit::{AckMode, Connection};
use std::collections::HashMap;
use std::net::IpAddr;

/// `RTAX_FEATURE_ECN`.
const RTAX_FEATURE_ECN: u32 = 1;

/// `nlkit route help`.
pub const USAGE: &str = "\
Usage: nlkit route [show] [table T|all|cache] [cached] [proto P] [type T] [dev D] [scope S] [tos T]
                   [metric N] [via P] [src P] [realms R] [from P] [[exact|root|match] PREFIX]
       nlkit route flush SELECTOR (as show)
       nlkit route get ADDR [from A] [iif D] [oif D] [mark M] [tos T] [uid U] [ipproto P]
                   [sport N] [dport N] [connected] [fibmatch]
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
#[derive(Debug, Default)]
pub struct RouteShow {
    /// `AF_INET`, `AF_INET6` or 0 (both).
    pub family: u8,
    /// Table, 0 for all.
    pub table: u32,
    /// Protocol (`proto P`; `proto all`: none).
    pub protocol: Option<u8>,
    /// Route type (0: any).
    pub kind: u8,
    /// Output device.
    pub oif: Option<u32>,
    /// Input device (`iif`).
    pub iif: Option<u32>,
    /// Scope (`scope all`: none).
    pub scope: Option<u8>,
    /// Destination prefix selector; no prefix: ip's family-less `default`
    /// (a /0 of either family).
    pub select: Option<(Select, Option<Prefix>)>,
    /// Source prefix selector (`from [root|match|exact] P`), likewise.
    pub from: Option<(Select, Option<Prefix>)>,
    /// `tos`.
    pub tos: Option<u8>,
    /// `metric`.
    pub metric: Option<u32>,
    /// `via PREFIX`: gateways inside it.
    pub via: Option<Prefix>,
    /// `src PREFIX`: preferred sources inside it.
    pub prefsrc: Option<Prefix>,
    /// `realms`: (value, mask) of `RTA_FLOW`, as iproute2 builds them.
    pub realms: Option<(u32, u32)>,
    /// `mark`.
    pub mark: Option<u32>,
    /// `cached`, `cloned`, `table cache`: the route cache (exceptions) instead of the routes.
    pub cloned: bool,
    /// `vrf NAME`: the VRF's table without its `local` and `broadcast`
    /// routes, as ip lists it.
    pub vrf: bool,
}

/// `route get`.
#[derive(Debug)]
pub struct RouteGetCmd {
    /// The lookup.
    pub get: RouteGet,
    /// `connected`.
    pub connected: bool,
}

/// How routes are printed: what a listing's filter leaves out (as
/// iproute2 leaves out what every line would repeat) and the options.
#[derive(Clone, Copy, Debug, Default)]
pub struct RouteFmt {
    /// `-d`: show the defaults too (type, proto, scope; table outside a table listing).
    pub details: bool,
    /// `-s`: the cache's use counters.
    pub stats: bool,
    /// Leave out `dev` (the listing is filtered by device).
    pub omit_dev: bool,
    /// Leave out `iif`.
    pub omit_iif: bool,
    /// Leave out `table` (the listing is of one table).
    pub omit_table: bool,
    /// Leave out `protocol` (the listing is filtered by protocol).
    pub omit_protocol: bool,
    /// Leave out `scope` (the listing is filtered by scope).
    pub omit_scope: bool,
    /// Leave out `tos`.
    pub omit_tos: bool,
    /// Leave out `metric`.
    pub omit_metric: bool,
    /// Leave out the gateway (filtered by one host).
    pub omit_via: bool,
    /// Leave out `src` (filtered by one host).
    pub omit_prefsrc: bool,
    /// Leave out `realms` (filtered by both realms).
    pub omit_realms: bool,
    /// `-o`: the breaks inside a route (before each `nexthop`, before
    /// `cache`) written as `\`, as ip's `_SL_` (not before `nh_info`: ip
    /// writes a real one there).
    pub oneline: bool,
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

/// A listing's selector: how, and the prefix (`None`: a /0 of either family).
type Selector = Option<(Select, Option<Prefix>)>;

/// `root|match|exact PREFIX` (or a bare PREFIX: exact) after `kw`.
fn selector(w: &mut Words, kw: &str, fam: u8) -> Result<Selector, CliError> {
    let sel = match w.peek() {
        Some("root") => Select::Root,
        Some("match") => Select::Match,
        Some("exact") => Select::Exact,
        _ => {
            let v = w.value(kw)?;
            return listing_prefix(w, Select::Exact, v, fam);
        }
    };
    let kw = w.next().unwrap_or(kw);
    let v = w.value(kw)?;
    listing_prefix(w, sel, v, fam)
}

/// A listing's prefix word as ip's `get_prefix` reads it with the family
/// of `-4`/`-6` (`fam`; 0: none). Its family never sets the listing's: a
/// prefix of the other family selects nothing (`route show fd00::/64`
/// lists IPv4, so nothing), and with `fam` it is an error. `default` is a
/// /0 of `fam`, or of either family; `all` and `any` are a /0 of `fam`, or
/// no filter at all.
fn listing_prefix(w: &Words, sel: Select, v: &str, fam: u8) -> Result<Selector, CliError> {
    if fam != 0 && fam != AF_INET && fam != AF_INET6 {
        // `-0`: ip takes no prefix there either.
        return Err(w.err(format_args!(
            "{v:?} may be a prefix, but it is not allowed with this family"
        )));
    }
    let p = match (v, fam) {
        ("all" | "any", 0) => return Ok(None),
        ("default", 0) => None,
        ("default" | "all" | "any", f) => Some(Prefix::default_for(f)),
        _ => {
            let p = w.prefix_of(v)?;
            if fam != 0 && p.family() != fam {
                return Err(w.err(format_args!("{p} is not of the family asked for")));
            }
            Some(p)
        }
    };
    Ok(Some((sel, p)))
}

/// A TOS: a number (`0x10`, `16`) or a `rt_dsfield` name.
fn tos_of(w: &mut Words, kw: &str) -> Result<u8, CliError> {
    let v = w.value(kw)?;
    parse_num(v)
        .or_else(|| DSFIELD.iter().find(|d| d.1 == v).map(|d| d.0))
        .ok_or_else(|| w.err(format_args!("invalid TOS value {v:?}")))
}

/// `/etc/iproute2/rt_dsfield` (iproute2 6.1).
#[rustfmt::skip]
const DSFIELD: &[(u8, &str)] = &[
    (0x00, "default"), (0x28, "AF11"), (0x30, "AF12"), (0x38, "AF13"), (0x48, "AF21"),
    (0x50, "AF22"), (0x58, "AF23"), (0x68, "AF31"), (0x70, "AF32"), (0x78, "AF33"),
    (0x88, "AF41"), (0x90, "AF42"), (0x98, "AF43"), (0x20, "CS1"), (0x40, "CS2"),
    (0x60, "CS3"), (0x80, "CS4"), (0xa0, "CS5"), (0xc0, "CS6"), (0xe0, "CS7"), (0xb8, "EF"),
];

/// `realms [FROM/]TO` of a listing: the value and the mask iproute2
/// matches `RTA_FLOW` with (a side left empty or unnamed matches any).
fn realms_filter(w: &mut Words) -> Result<(u32, u32), CliError> {
    let v = w.value("realms")?;
    let bad = || w.err(format_args!("invalid realms {v:?}"));
    let side = |x: &str| -> Option<u32> {
        if x.is_empty() {
            Some(0)
        } else {
            parse_realms(x).filter(|&r| r <= 0xffff)
        }
    };
    let val = match v.split_once('/') {
        Some((f, t)) => side(f).ok_or_else(bad)? << 16 | side(t).ok_or_else(bad)?,
        None => side(v).ok_or_else(bad)?,
    };
    let mut mask = u32::MAX;
    if val & 0xffff == 0 && v.ends_with('/') {
        mask &= !0xffff;
    }
    if val & 0xffff_0000 == 0 && (!v.contains('/') || v.starts_with('/')) {
        mask &= !0xffff_0000;
    }
    Ok((val, mask))
}

fn parse_show(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let fam = super::family(g);
    let mut s = RouteShow {
        family: fam,
        table: RT_TABLE_MAIN,
        ..Default::default()
    };
    let mut via_words: Option<(Option<u8>, &str)> = None;
    let mut src_word: Option<&str> = None;
    while let Some(x) = w.next() {
        match x {
            "table" => match w.peek() {
                Some("all") => {
                    w.next();
                    s.table = 0;
                }
                // As ip: the table asked for so far stays.
                Some("cache") => {
                    w.next();
                    s.cloned = true;
                }
                _ => s.table = table_of(w, "table")?,
            },
            "vrf" => {
                s.table = r.vrf_table(w.value(x)?)?;
                s.vrf = true;
            }
            "proto" | "protocol" => {
                s.protocol = match w.peek() {
                    Some("all") => {
                        w.next();
                        None
                    }
                    _ => Some(protocol_of(w, x)?),
                }
            }
            "type" => s.kind = type_of(w, x)?,
            "dev" | "oif" => s.oif = Some(r.index(w.value(x)?)?),
            "iif" => s.iif = Some(r.index(w.value(x)?)?),
            "scope" => {
                s.scope = match w.peek() {
                    Some("all") => {
                        w.next();
                        None
                    }
                    _ => Some(scope_of(w)?),
                }
            }
            "tos" | "dsfield" => s.tos = Some(tos_of(w, x)?),
            "metric" | "priority" | "preference" => s.metric = Some(w.num(x)?),
            "mark" => s.mark = Some(w.num(x)?),
            _ if crate::args::matches(x, "cached") || crate::args::matches(x, "cloned") => {
                s.cloned = true
            }
            "realm" | "realms" => s.realms = Some(realms_filter(w)?),
            "via" => {
                let fam = match w.peek() {
                    Some("inet") => Some(AF_INET),
                    Some("inet6") => Some(AF_INET6),
                    _ => None,
                };
                if fam.is_some() {
                    w.next();
                }
                via_words = Some((fam, w.value("via")?));
            }
            "src" => src_word = Some(w.value("src")?),
            "from" => s.from = selector(w, "from", fam)?,
            "to" => s.select = selector(w, "to", fam)?,
            "exact" | "root" | "match" => {
                let sel = match x {
                    "root" => Select::Root,
                    "match" => Select::Match,
                    _ => Select::Exact,
                };
                let v = w.value(x)?;
                s.select = listing_prefix(w, sel, v, fam)?;
            }
            _ if s.select.is_none() && !x.starts_with('-') => {
                s.select = listing_prefix(w, Select::Exact, x, fam)?;
            }
            _ => return Err(w.unknown(x)),
        }
    }
    // As ip: a listing of one table (the main one unless told) without
    // -4/-6 is of IPv4; `table all` of both.
    if s.family == 0 && s.table != 0 {
        s.family = AF_INET;
    }
    if let Some((f, v)) = via_words {
        let p = w.prefix_of(v)?;
        if f.is_some_and(|f| f != p.family()) {
            return Err(w.err(format_args!("via {v}: not of the family named")));
        }
        s.via = Some(p);
    }
    if let Some(v) = src_word {
        s.prefsrc = Some(w.prefix_of(v)?);
    }
    Ok(Parsed::Show(Show::Route(s)))
}

fn parse_get(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut dst: Option<IpAddr> = None;
    let mut get = RouteGet::new(IpAddr::from([0u8; 4]));
    let mut connected = false;
    while let Some(x) = w.next() {
        match x {
            "to" => dst = Some(w.ip("to")?),
            "from" => get.src = Some(w.ip("from")?),
            "iif" => get.iif = Some(r.index(w.value("iif")?)?),
            "oif" | "dev" => get.oif = Some(r.index(w.value(x)?)?),
            "vrf" => {
                // As ip: the lookup goes out of the VRF device.
                let n = w.value(x)?;
                r.vrf_table(n)?;
                get.oif = Some(r.index(n)?);
            }
            "mark" => get.mark = Some(w.num("mark")?),
            "fibmatch" => get.fib_match = true,
            "tos" | "dsfield" => get.tos = tos_of(w, x)?,
            "uid" => get.uid = Some(w.num("uid")?),
            "ipproto" => {
                let v = w.value(x)?;
                get.ip_proto = Some(
                    parse_ip_proto(v)
                        .ok_or_else(|| w.err(format_args!("invalid \"ipproto\" value {v:?}")))?,
                );
            }
            "sport" => get.sport = Some(w.num(x)?),
            "dport" => get.dport = Some(w.num(x)?),
            "connected" => connected = true,
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
    Ok(Parsed::Show(Show::RouteGet(RouteGetCmd { get, connected })))
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
        "fastopen_no_cookie" => RTAX_FASTOPEN_NO_COOKIE,
        _ => return None,
    })
}

/// A time as iproute2's `get_time_rtt` reads it: `N` (raw kernel units:
/// `true`), `Nms`, `Ns`, `N.Ms` (milliseconds, rounded up).
fn time_rtt(v: &str) -> Option<(u32, bool)> {
    let end = v
        .find(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == 'x' || c == 'X'))
        .unwrap_or(v.len());
    // A hex number may end in digits that look like a unit: keep it whole.
    let (num, unit) = if v.starts_with("0x") || v.starts_with("0X") {
        (&v[..end], &v[end..])
    } else {
        let e = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(v.len());
        (&v[..e], &v[e..])
    };
    let t: f64 = if num.contains('.') {
        num.parse().ok()?
    } else {
        parse_num::<u32>(num)? as f64
    };
    let (t, raw) = match unit.to_ascii_lowercase().as_str() {
        "" => (t, true),
        "s" | "sec" | "secs" => (t * 1000.0, false),
        "ms" | "msec" | "msecs" => (t, false),
        _ => return None,
    };
    if !(0.0..=f64::from(u32::MAX)).contains(&t) {
        return None;
    }
    Some((t.ceil() as u32, raw))
}

/// `100/200`: an MPLS label stack (each label below 2^20).
fn mpls_label_words(v: &str) -> Option<Vec<u32>> {
    v.split('/')
        .map(|l| parse_num::<u32>(l).filter(|&l| l < 1 << 20))
        .collect()
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
    let mut cc: Option<String> = None;
    let mut flow: Option<u32> = None;
    let mut labels: Vec<u32> = Vec::new();
    while let Some(x) = w.next() {
        if let Some(k) = metric_kind(x) {
            // rto_min is always locked, as iproute2 sends it.
            if k == RTAX_RTO_MIN {
                lock |= 1 << k;
            } else if w.peek() == Some("lock") && k != RTAX_FEATURES && k != RTAX_QUICKACK {
                w.next();
                lock |= 1 << k;
            }
            let v: u32 = match k {
                RTAX_RTT | RTAX_RTTVAR | RTAX_RTO_MIN => {
                    let v = w.value(x)?;
                    let (t, raw) = time_rtt(v)
                        .ok_or_else(|| w.err(format_args!("\"{x}\" value is invalid: {v:?}")))?;
                    match (k, raw) {
                        (_, true) | (RTAX_RTO_MIN, _) => t,
                        (RTAX_RTT, false) => t.saturating_mul(8),
                        _ => t.saturating_mul(4),
                    }
                }
                RTAX_FEATURES => match w.value(x)? {
                    "ecn" => RTAX_FEATURE_ECN,
                    v => return Err(w.err(format_args!("\"features\" value not valid: {v:?}"))),
                },
                RTAX_QUICKACK | RTAX_FASTOPEN_NO_COOKIE => {
                    let v: u32 = w.num(x)?;
                    if v > 1 {
                        return Err(w.err(format_args!("\"{x}\" value should be 0 or 1")));
                    }
                    v
                }
                _ => w.num(x)?,
            };
            metrics.retain(|m| m.0 != k);
            metrics.push((k, v));
            continue;
        }
        match x {
            "congctl" => {
                if w.peek() == Some("lock") {
                    w.next();
                    lock |= 1 << RTAX_CC_ALGO;
                }
                cc = Some(w.value(x)?.to_string());
                continue;
            }
            "realm" | "realms" => {
                let v = w.value(x)?;
                flow = Some(
                    parse_realms(v).ok_or_else(|| w.err(format_args!("invalid realms {v:?}")))?,
                );
                continue;
            }
            "encap" => {
                match w.value(x)? {
                    "mpls" => {}
                    t => return Err(w.err(format_args!("encap {t:?}: only \"mpls\" is supported"))),
                }
                let v = w.value("encap mpls")?;
                labels = mpls_label_words(v)
                    .ok_or_else(|| w.err(format_args!("invalid MPLS label stack {v:?}")))?;
                continue;
            }
            _ => {}
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
            "vrf" => table = Some(r.vrf_table(w.value(x)?)?),
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
                        Some(x @ ("realm" | "realms")) => {
                            w.next();
                            let v = w.value(x)?;
                            h.flow = Some(
                                parse_realms(v)
                                    .ok_or_else(|| w.err(format_args!("invalid realms {v:?}")))?,
                            );
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
    req.route.cc_algo = cc;
    req.route.flow = flow;
    if !labels.is_empty() {
        req.route.encap_type = Some(LWTUNNEL_ENCAP_MPLS);
        req.route.mpls_labels = labels;
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

/// An address's bits, left-aligned in a `u128`.
fn addr_bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(a)) << 96,
        IpAddr::V6(a) => u128::from(a),
    }
}

/// True if the first `len` bits of `a` and `b` are the same.
pub(crate) fn same_bits(a: IpAddr, b: IpAddr, len: u8) -> bool {
    let m = match len {
        0 => 0,
        l => u128::MAX << (128 - u32::from(l.min(128))),
    };
    (addr_bits(a) ^ addr_bits(b)) & m == 0
}

/// True if the prefix `addr/len` (no address: all zeros) of family `fam`
/// is selected by `sel p` (no `p`: a /0 of `fam`), as iproute2's
/// `root`/`match`/`exact` select.
fn selected(addr: Option<IpAddr>, len: u8, fam: u8, sel: Select, p: Option<&Prefix>) -> bool {
    let p = &p.copied().unwrap_or(Prefix::default_for(fam));
    if fam != p.family() {
        return false;
    }
    let a = addr.unwrap_or(Prefix::default_for(fam).addr());
    match sel {
        Select::Exact => len == p.len() && same_bits(a, p.addr(), len),
        Select::Root => len >= p.len() && same_bits(a, p.addr(), p.len()),
        Select::Match => len <= p.len() && same_bits(a, p.addr(), len),
    }
}

/// True if `a` (none: all zeros) is inside `p`.
fn within(a: Option<IpAddr>, fam: u8, p: &Prefix) -> bool {
    let a = a.unwrap_or(Prefix::default_for(fam).addr());
    family_of(&a) == p.family() && same_bits(a, p.addr(), p.len())
}

/// Runs `route show`.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &RouteShow,
) -> Result<(), CliError> {
    let fmt = s.fmt(g);
    let json = out.json;
    list_begin(out)?;
    // One buffer for the whole dump, handed to stdout in large pieces.
    let mut buf: Vec<u8> = Vec::with_capacity(OUT_CHUNK + 4096);
    let mut first = true;
    let mut devs = DevNames::new(names);
    if g.details {
        devs.nh = Some(NhInfo::new(g));
    }
    let plain = s.plain();
    let each = |v: &RouteView<'_>| {
        if !(if plain { s.wants_plain(v) } else { s.wants(v) }) {
            return Ok(());
        }
        if json && first {
            // `[` (the array's, written lazily) before the first element.
            keep(out.array_sep())?;
        } else if json {
            buf.push(b',');
        }
        first = false;
        write_route(&mut buf, json, v, &mut devs, &fmt);
        if !json {
            buf.push(b'\n');
        }
        if buf.len() >= OUT_CHUNK {
            let r = out.raw(&buf);
            buf.clear();
            keep(r)?;
        }
        Ok(())
    };
    let mut r = Handle::with(conn).route_views(s.dump(), s.cloned, each);
    // A netns's IPv4 main table exists only once it holds a route: its
    // dump ends ENOENT before then. As ip, that is an empty listing (any
    // other table's ENOENT is an error, as there).
    if s.table == RT_TABLE_MAIN && matches!(&r, Err(e) if e.errno() == Some(ENOENT)) {
        r = Ok(());
    }
    let flushed = out.raw(&buf);
    super::finish(r)?;
    flushed?;
    devs.nh_error()?;
    list_end(out)
}

/// Bytes of output gathered before a write.
const OUT_CHUNK: usize = 256 << 10;

impl RouteShow {
    fn dump(&self) -> RouteDump {
        RouteDump {
            family: self.family,
            table: self.table,
            protocol: self.protocol.unwrap_or(0),
            kind: self.kind,
            oif: self.oif.unwrap_or(0),
        }
    }

    /// What a listing filtered this way leaves out, as iproute2 does.
    fn fmt(&self, g: &Global) -> RouteFmt {
        let host = |p: &Option<Prefix>| p.is_some_and(|p| p.len() == Prefix::host(p.addr()).len());
        RouteFmt {
            details: g.details,
            stats: g.stats > 0,
            omit_dev: self.oif.is_some(),
            omit_iif: self.iif.is_some(),
            omit_table: self.table != 0,
            omit_protocol: self.protocol.is_some(),
            omit_scope: self.scope.is_some(),
            omit_tos: self.tos.is_some(),
            omit_metric: self.metric.is_some(),
            omit_via: host(&self.via),
            omit_prefsrc: host(&self.prefsrc),
            omit_realms: self.realms.is_some_and(|r| r.1 == u32::MAX),
            oneline: g.oneline,
        }
    }

    /// True if no selector beyond family, table and `cached` is given (a
    /// plain listing: [`wants`](Self::wants) then needs three tests).
    fn plain(&self) -> bool {
        self.protocol.is_none()
            && self.kind == 0
            && self.oif.is_none()
            && self.iif.is_none()
            && self.scope.is_none()
            && self.select.is_none()
            && self.from.is_none()
            && self.tos.is_none()
            && self.metric.is_none()
            && self.via.is_none()
            && self.prefsrc.is_none()
            && self.realms.is_none()
            && self.mark.is_none()
            && !self.vrf
    }

    /// [`wants`](Self::wants) for a [`plain`](Self::plain) listing.
    #[inline(always)]
    fn wants_plain(&self, v: &RouteView<'_>) -> bool {
        let fam = v.family();
        (fam == AF_INET || fam == AF_INET6)
            && (self.family == 0 || fam == self.family)
            && (self.table == 0 || v.table() == self.table)
            && (v.flags() & RTM_F_CLONED != 0) == self.cloned
    }

    /// True if the listing (or the flush) takes this route.
    fn wants(&self, v: &RouteView<'_>) -> bool {
        let fam = v.family();
        if fam != AF_INET && fam != AF_INET6 {
            return false;
        }
        if (self.family != 0 && fam != self.family)
            || (self.table != 0 && v.table() != self.table)
            || self.protocol.is_some_and(|p| v.protocol() != p)
            || (self.kind != 0 && v.kind() != self.kind)
            || self.oif.is_some_and(|o| v.oif().unwrap_or(0) != o)
            || self.iif.is_some_and(|i| v.iif().unwrap_or(0) != i)
            || self.scope.is_some_and(|sc| v.scope() != sc)
            || self.tos.is_some_and(|t| v.header.tos != t)
            || self.metric.is_some_and(|m| v.priority().unwrap_or(0) != m)
            || self.mark.is_some_and(|m| v.mark().unwrap_or(0) != m)
            || self
                .realms
                .is_some_and(|(r, mask)| (v.flow().unwrap_or(0) ^ r) & mask != 0)
            || (v.flags() & RTM_F_CLONED != 0) != self.cloned
            || (self.vrf && (v.kind() == rtn::LOCAL || v.kind() == rtn::BROADCAST))
        {
            return false;
        }
        if let Some(p) = &self.via {
            let gw = v.gateway().or(v.via());
            let gfam = gw.map_or(fam, |a| family_of(&a));
            if gfam != p.family() || !within(gw, gfam, p) {
                return false;
            }
        }
        if let Some(p) = &self.prefsrc {
            if fam != p.family() || !within(v.prefsrc(), fam, p) {
                return false;
            }
        }
        if let Some((sel, p)) = &self.from {
            if !selected(v.src(), v.header.src_len, fam, *sel, p.as_ref()) {
                return false;
            }
        }
        match &self.select {
            Some((sel, p)) => selected(v.dst(), v.header.dst_len, fam, *sel, p.as_ref()),
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
    if s.cloned {
        // Never fall back to flushing the routes themselves.
        return Err(CliError::usage(
            "route flush: flushing the route cache (cached, table cache) is not supported by nlkit",
        ));
    }
    for _ in 0..10 {
        let mut victims: Vec<Route> = Vec::new();
        Handle::with(conn).routes(s.dump(), |v| {
            // iproute2 leaves the IPv6 tables' built-in unreachable default alone.
            let builtin = v.family() == AF_INET6
                && v.header.dst_len == 0
                && v.kind() == rtn::UNREACHABLE
                && v.priority() == Some(u32::MAX);
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
        stats: g.stats > 0,
        oneline: g.oneline,
        ..Default::default()
    };
    let mut devs = DevNames::new(names);
    if g.details {
        devs.nh = Some(NhInfo::new(g));
    }
    let mut b = Vec::new();
    write_route(&mut b, out.json, &v, &mut devs, &fmt);
    devs.nh_error()?;
    list_begin(out)?;
    // ip 6.1 prints a `connected` lookup without `from` twice (it asks
    // again with the same request); its JSON holds the answer once.
    let times = if c.connected && c.get.src.is_none() && !out.json {
        2
    } else {
        1
    };
    if !out.json {
        b.push(b'\n');
    }
    for _ in 0..times {
        // With `-p`, `Out` lays the JSON out as ip does.
        if out.json {
            out.array_sep()?;
        }
        out.raw(&b)?;
    }
    list_end(out)
}

fn host_len(fam: u8) -> u8 {
    if fam == AF_INET6 {
        128
    } else {
        32
    }
}

/// A destination or source as iproute2 writes it: `10.0.0.0/8`, a host
/// address, `default` (or `0/N` without an address).
struct PrefixText(Option<IpAddr>, u8, u8);

impl Put for PrefixText {
    fn put(&self, buf: &mut Vec<u8>) {
        match self.0 {
            Some(a) => {
                a.put(buf);
                if self.1 != host_len(self.2) {
                    buf.push(b'/');
                    self.1.put(buf);
                }
            }
            None if self.1 == 0 => buf.extend_from_slice(b"default"),
            None => {
                buf.extend_from_slice(b"0/");
                self.1.put(buf);
            }
        }
    }
}

fn family_word(ip: &IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "inet"
    } else {
        "inet6"
    }
}

/// Index → name for one listing: [`Names`], with the last answer kept so
/// that a dump of routes over one device hashes nothing; with `-d`, the
/// nexthop objects routes refer to.
pub struct DevNames<'n> {
    names: &'n mut Names,
    last: Option<u32>,
    name: String,
    /// The JSON string (quoted, escaped) of `last`'s name, once asked for.
    json: Vec<u8>,
    /// `-d`: the `nh_info` of routes with `nhid`.
    nh: Option<NhInfo>,
}

/// `-d`: each nexthop object a route names (`nhid N`), as ip's `nh_info`
/// prints it: asked for once per id (`RTM_GETNEXTHOP`) on a connection of
/// its own (the listing's is busy with its dump), as ip does, and kept in
/// the form being printed.
struct NhInfo {
    netns: Option<String>,
    conn: Option<Connection>,
    /// id → the object as printed (text, or a JSON object); `None`: gone.
    cache: HashMap<u32, Option<Vec<u8>>>,
    /// The first failure other than a nexthop gone, reported after the listing.
    error: Option<CliError>,
}

impl NhInfo {
    fn new(g: &Global) -> NhInfo {
        NhInfo {
            netns: g.netns.clone(),
            conn: None,
            cache: HashMap::new(),
            error: None,
        }
    }

    /// Nexthop `id` as printed, looked up if not yet.
    fn get(&mut self, names: &mut Names, id: u32, json: bool) -> Option<&[u8]> {
        if !self.cache.contains_key(&id) {
            let v = match self.fetch(names, id, json) {
                Ok(v) => v,
                Err(e) => {
                    self.error.get_or_insert(e);
                    None
                }
            };
            self.cache.insert(id, v);
        }
        self.cache.get(&id)?.as_deref()
    }

    fn fetch(
        &mut self,
        names: &mut Names,
        id: u32,
        json: bool,
    ) -> Result<Option<Vec<u8>>, CliError> {
        if self.conn.is_none() {
            self.conn = Some(super::connect_in(self.netns.as_deref())?);
        }
        let Some(conn) = &self.conn else {
            return Ok(None);
        };
        let q = NexthopGet { id };
        let bytes = match conn.get(&q) {
            Ok(b) => b,
            // Gone since the route was read: ip prints no nh_info then.
            Err(e) if e.errno() == Some(ENOENT) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let malformed = |e| nlkit::Error::Malformed {
            what: q.to_string(),
            source: e,
        };
        let Some(m) = nlkit::wire::MsgIter::new(&bytes).next() else {
            return Ok(None);
        };
        let (_, m) = m.map_err(malformed)?;
        let v = NexthopView::parse(&m).map_err(malformed)?;
        let mut b = Vec::new();
        write_nexthop(&mut Emit::new(&mut b, json), &v, names, true);
        Ok(Some(b))
    }
}

const ENOENT: i32 = 2;

impl<'n> DevNames<'n> {
    /// Lookups through `names`.
    pub fn new(names: &'n mut Names) -> DevNames<'n> {
        DevNames {
            names,
            last: None,
            name: String::new(),
            json: Vec::new(),
            nh: None,
        }
    }
    /// With `-d`: nexthop `id` as `nh_info` prints it.
    fn nh_info(&mut self, id: u32, json: bool) -> Option<&[u8]> {
        self.nh.as_mut()?.get(self.names, id, json)
    }
    /// The first failure to look a nexthop up, if any.
    fn nh_error(&mut self) -> Result<(), CliError> {
        match self.nh.as_mut().and_then(|n| n.error.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
    /// The name of `idx` (`ifN` for an unknown one).
    fn name(&mut self, idx: u32) -> &str {
        if self.last != Some(idx) {
            self.json.clear();
            self.name.clear();
            match self.names.get(idx) {
                Some(b) => self.name.push_str(&b.name),
                None => {
                    self.name.push_str("if");
                    self.name.push_str(&idx.to_string());
                }
            }
            self.last = Some(idx);
        }
        &self.name
    }
    /// The name of `idx` as a JSON string, quoted (kept with the name).
    fn json(&mut self, idx: u32) -> &[u8] {
        self.name(idx);
        if self.json.is_empty() {
            json_str(&mut self.json, &crate::output::json_name(&self.name));
        }
        &self.json
    }
}

/// An address as `ip` writes a host (`format_host`): with `-r` its name.
#[inline(always)]
pub(crate) fn write_host(e: &mut Emit<'_>, key: &str, pre: &str, a: IpAddr, post: &str) {
    match super::hosts::name(a) {
        Some(h) => e.str(key, pre, &h, post),
        None => e.plain_str(key, pre, a, post),
    }
}

/// `dev NAME ` (JSON `"dev": NAME`); an unknown index is `ifN`.
#[inline(always)]
fn write_dev(e: &mut Emit<'_>, names: &mut DevNames<'_>, key: &str, pre: &str, idx: u32) {
    if e.json {
        e.raw(key, names.json(idx));
    } else {
        e.str(key, pre, names.name(idx), " ");
    }
}

/// A name from a vocabulary, or the number.
pub(crate) fn write_name(
    e: &mut Emit<'_>,
    key: &str,
    pre: &str,
    name: Option<&str>,
    n: u32,
    post: &str,
) {
    match name {
        Some(s) => e.str(key, pre, s, post),
        None => e.plain_str(key, pre, n, post),
    }
}

/// `rtnl_dsfield_n2a` for the values a route or rule carries.
struct Tos(u8);

impl std::fmt::Display for Tos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:02x}", self.0)
    }
}

/// A realm: its name (`cosmos`) or number.
fn write_realm(e: &mut Emit<'_>, key: &str, pre: &str, r: u16, post: &str) {
    write_name(e, key, pre, realm_name(r), u32::from(r), post);
}

/// `realm[s] [FROM/]TO ` (JSON `"flow": {"from", "to"}`).
fn write_flow(e: &mut Emit<'_>, flow: u32) {
    let (from, to) = ((flow >> 16) as u16, flow as u16);
    e.open_obj(Some("flow"));
    if from != 0 {
        write_realm(e, "from", "realms ", from, "/");
        write_realm(e, "to", "", to, " ");
    } else {
        write_realm(e, "to", "realm ", to, " ");
    }
    e.close_obj();
}

/// Route flags as `print_rt_flags` writes them (JSON `"flags": [...]`).
#[inline]
fn write_flags(e: &mut Emit<'_>, flags: u32) {
    e.open_arr("flags");
    if flags != 0 {
        for &(bit, name) in ROUTE_FLAG_NAMES {
            if flags & bit != 0 {
                e.item(name, " ");
            }
        }
    }
    e.close_arr();
}

/// The cache flags of a cloned IPv4 route (`print_cache_flags`).
fn write_cache_flags(e: &mut Emit<'_>, flags: u32, oneline: bool) {
    const NAMES: &[(u32, &str)] = &[
        (0x8000_0000, "local"),
        (0x4000_0000, "reject"),
        (0x2000_0000, "mc"),
        (0x1000_0000, "brd"),
        (0x0800_0000, "dst-nat"),
        (0x0080_0000, "src-nat"),
        (0x0040_0000, "masq"),
        (0x0002_0000, "dst-direct"),
        (0x0400_0000, "src-direct"),
        (0x0004_0000, "redirected"),
        (0x0100_0000, "redirect"),
        (0x0020_0000, "fastroute"),
        (0x0001_0000, "notify"),
        (0x0008_0000, "proxy"),
    ];
    let mut left = flags & !0xffff;
    e.open_arr("cache");
    e.text(if oneline {
        "\\    cache "
    } else {
        "\n    cache "
    });
    if left != 0 {
        e.text("<");
        for &(bit, name) in NAMES {
            if left & bit != 0 {
                left &= !bit;
                e.item(name, if left != 0 { "," } else { "> " });
            }
        }
        if left != 0 && !e.json {
            e.text_val(format_args!("{left:x}>"));
        }
    }
    e.close_arr();
}

/// `RTA_CACHEINFO` as `print_rta_cacheinfo` writes it (`USER_HZ` = 100).
fn write_cacheinfo(e: &mut Emit<'_>, ci: &RtaCacheInfo, stats: bool) {
    const HZ: i32 = 100;
    let expires = ci.expires.get();
    if expires != 0 {
        e.num("expires", "expires ", expires / HZ, "sec ");
    }
    if ci.error.get() != 0 {
        e.num("error", "error ", ci.error.get(), " ");
    }
    if stats {
        if ci.clntref.get() != 0 {
            e.num("users", "users ", ci.clntref.get(), " ");
        }
        if ci.used.get() != 0 {
            e.num("used", "used ", ci.used.get(), " ");
        }
        if ci.lastuse.get() != 0 {
            e.num("age", "age ", ci.lastuse.get() / HZ as u32, "sec ");
        }
    }
    if ci.id.get() != 0 {
        e.plain_str("ipid", "ipid ", format_args!("0x{:04x}", ci.id.get()), " ");
    }
    if ci.ts.get() != 0 || ci.tsage.get() != 0 {
        e.plain_str("ts", "ts ", format_args!("{:#x}", ci.ts.get()), "");
        e.num("tsage", "tsage ", ci.tsage.get(), "sec ");
    }
}

/// A time metric in milliseconds as ip writes it: `12ms`, `1.5s` (`%g`).
struct Millis(u32);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 < 1000 {
            return write!(f, "{}ms", self.0);
        }
        // %g with 6 significant digits: at most 3 decimals here, zeros cut.
        let s = format!("{:.3}", f64::from(self.0) / 1e3);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{s}s")
    }
}

/// `RTA_METRICS` as `print_rta_metrics` writes it (JSON: an array of one object).
fn write_metrics(e: &mut Emit<'_>, v: &RouteView<'_>) {
    const MAX: usize = RTAX_FASTOPEN_NO_COOKIE as usize;
    let mut vals: [Option<u32>; MAX + 1] = [None; MAX + 1];
    let mut cc: Option<&[u8]> = None;
    if let Some(m) = v.metrics_attr() {
        for a in m.nested().map_while(Result::ok) {
            let k = usize::from(a.kind());
            if k > MAX {
                continue;
            }
            if a.kind() == RTAX_CC_ALGO {
                cc = Some(a.payload());
                vals[k] = Some(0);
            } else {
                vals[k] = Some(a.u32().unwrap_or(0));
            }
        }
    }
    let lock = vals[RTAX_LOCK as usize].unwrap_or(0);
    e.open_arr("metrics");
    e.open_obj(None);
    for (i, val) in vals.iter().enumerate().skip(2) {
        let locked = lock & (1 << i) != 0;
        if val.is_none() && !locked {
            continue;
        }
        let val = val.unwrap_or(0);
        let k = i as u16;
        if k == RTAX_HOPLIMIT && val == u32::MAX {
            continue;
        }
        let name = metric_word(k);
        if !e.json {
            e.text(name);
            e.text(if locked { " lock " } else { " " });
        }
        match k {
            RTAX_FEATURES => {
                let mut f = val;
                if f & RTAX_FEATURE_ECN != 0 {
                    e.null("ecn", "ecn ");
                    f &= !RTAX_FEATURE_ECN;
                }
                if f != 0 {
                    e.plain_str("features", "", format_args!("{val:#x}"), " ");
                }
            }
            RTAX_RTT | RTAX_RTTVAR | RTAX_RTO_MIN => {
                let ms = match k {
                    RTAX_RTT => val / 8,
                    RTAX_RTTVAR => val / 4,
                    _ => val,
                };
                if e.json {
                    e.json_num(name, ms);
                } else {
                    e.text_val(Fmt(Millis(ms)));
                    e.text(" ");
                }
            }
            RTAX_CC_ALGO => {
                let n = nlkit::schema::Name::new(cc.unwrap_or(&[]));
                e.name("congestion", "", n, " ");
            }
            _ => e.num(name, "", val, " "),
        }
    }
    e.close_obj();
    e.close_arr();
}

/// ip's word for a metric (`mx_names`).
fn metric_word(k: u16) -> &'static str {
    match k {
        RTAX_CC_ALGO => "congctl",
        RTAX_FASTOPEN_NO_COOKIE => "fastopen_no_cookie",
        _ => metric_name(k).unwrap_or("metric"),
    }
}

/// ` encap mpls  100/200 `, ip's spacing (JSON `"encap": "mpls", "dst": "100/200"`).
fn write_encap(e: &mut Emit<'_>, v: &RouteView<'_>) {
    let Some(stack) = v.mpls_encap() else {
        return;
    };
    e.str("encap", " encap ", "mpls", " ");
    // Rare: a String for the label stack is no cost worth avoiding.
    let mut labels = String::new();
    for l in mpls_labels(stack) {
        if !labels.is_empty() {
            labels.push('/');
        }
        labels += &l.to_string();
    }
    e.str("dst", " ", &labels, " ");
}

/// Writes one route as `ip route` (text, no final newline) or `ip -j
/// route` (one JSON object) prints it: every field through one call that
/// knows both forms, in iproute2's order (`print_route`), borrowed from the
/// message and written straight into `buf`.
pub fn write_route(
    buf: &mut Vec<u8>,
    json: bool,
    v: &RouteView<'_>,
    names: &mut DevNames<'_>,
    fmt: &RouteFmt,
) {
    let mut e = Emit::new(buf, json);
    let e = &mut e;
    let fam = v.family();
    let h = v.header;
    let cloned = v.flags() & RTM_F_CLONED != 0;
    e.open_obj(None);
    if v.kind() != rtn::UNICAST || fmt.details {
        write_name(
            e,
            "type",
            "",
            route_type_name(v.kind()),
            u32::from(v.kind()),
            " ",
        );
    }
    match (v.dst(), h.dst_len) {
        // ip 6.1 writes "0/N " and a blank after it.
        (None, l) if l != 0 => e.plain_str("dst", "", format_args!("0/{l} "), " "),
        (Some(d), l) if l == host_len(fam) => write_host(e, "dst", "", d, " "),
        (d, l) => e.plain_str("dst", "", PrefixText(d, l, fam), " "),
    }
    if let (Some(s), true) = (v.src(), h.src_len == host_len(fam)) {
        write_host(e, "from", "from ", s, " ");
    } else if v.src().is_some() {
        e.plain_str("from", "from ", PrefixText(v.src(), h.src_len, fam), " ");
    } else if h.src_len != 0 {
        e.plain_str("src", "from ", format_args!("0/{}", h.src_len), " ");
    }
    if let Some(id) = v.nh_id() {
        e.num("nhid", "nhid ", id, " ");
    }
    write_encap(e, v);
    if h.tos != 0 && !fmt.omit_tos {
        e.plain_str("tos", "tos ", Fmt(Tos(h.tos)), " ");
    }
    if let (Some(g), false) = (v.gateway(), fmt.omit_via) {
        write_host(e, "gateway", "via ", g, " ");
    }
    if let Some(g) = v.via() {
        e.open_obj(Some("via"));
        e.str("family", "via ", family_word(&g), " ");
        write_host(e, "host", "", g, " ");
        e.close_obj();
    }
    if let (Some(o), false) = (v.oif(), fmt.omit_dev) {
        write_dev(e, names, "dev", "dev ", o);
    }
    let table = v.table();
    if table != 0 && (table != RT_TABLE_MAIN || fmt.details) && !fmt.omit_table {
        write_name(e, "table", "table ", table_name(table), table, " ");
    }
    if !cloned {
        if (v.protocol() != rtprot::BOOT || fmt.details) && !fmt.omit_protocol {
            let p = v.protocol();
            write_name(e, "protocol", "proto ", protocol_name(p), u32::from(p), " ");
        }
        if (v.scope() != RT_SCOPE_UNIVERSE || fmt.details) && !fmt.omit_scope {
            let s = v.scope();
            write_name(e, "scope", "scope ", scope_name(s), u32::from(s), " ");
        }
    }
    if let (Some(p), false) = (v.prefsrc(), fmt.omit_prefsrc) {
        e.plain_str("prefsrc", "src ", p, " ");
    }
    if let (Some(m), false) = (v.priority(), fmt.omit_metric) {
        e.num("metric", "metric ", m, " ");
    }
    write_flags(e, v.flags());
    if let Some(m) = v.mark().filter(|&m| m != 0) {
        if e.json {
            e.json_num("mark", m);
        } else if m >= 16 {
            e.text_val(format_args!("mark {m:#x} "));
        } else {
            e.text_val(format_args!("mark {m} "));
        }
    }
    if let (Some(f), false) = (v.flow(), fmt.omit_realms) {
        write_flow(e, f);
    }
    if let Some(u) = v.uid() {
        e.num("uid", "uid ", u, " ");
    }
    if fam == AF_INET && cloned {
        write_cache_flags(e, v.flags(), fmt.oneline);
    }
    if fam == AF_INET || fam == AF_INET6 {
        if let Some(ci) = &v.cacheinfo() {
            write_cacheinfo(e, ci, fmt.stats);
        }
    }
    if v.metrics_attr().is_some() {
        write_metrics(e, v);
    }
    if let (Some(i), false) = (v.iif(), fmt.omit_iif) {
        write_dev(e, names, "iif", "iif ", i);
    }
    if let Some(p) = v.pref() {
        match pref_name(p) {
            Some(n) => e.str("pref", "pref ", n, ""),
            None => e.num("pref", "", p, ""),
        }
    }
    if let Some(t) = v.ttl_propagate() {
        e.json_bool("ttl-propogate", t != 0);
        e.text(if t != 0 {
            "ttl-propogate enabled"
        } else {
            "ttl-propogate disabled"
        });
    }
    if let (Some(id), true) = (v.nh_id(), fmt.details) {
        if let Some(b) = names.nh_info(id, e.json) {
            e.text("\n\tnh_info ");
            e.raw("nh_info", b);
        }
    }
    if v.multipath_attr().is_some() {
        e.open_arr("nexthops");
        for hop in v.multipath().map_while(Result::ok) {
            e.open_obj(None);
            e.text(if fmt.oneline {
                "\\\tnexthop "
            } else {
                "\n\tnexthop "
            });
            let attrs = AttrIter::new(hop.attrs).map_while(Result::ok);
            let (mut gw, mut via, mut flow) = (None, None, None);
            for a in attrs {
                match a.kind() {
                    RTA_GATEWAY => gw = a.ip().ok(),
                    RTA_VIA => via = read_rtvia(a.payload()),
                    RTA_FLOW => flow = a.u32().ok(),
                    _ => {}
                }
            }
            if let Some(g) = gw {
                write_host(e, "gateway", "via ", g, " ");
            }
            if let Some(g) = via {
                e.open_obj(Some("via"));
                e.str("family", "via ", family_word(&g), " ");
                write_host(e, "host", "", g, " ");
                e.close_obj();
            }
            if let Some(f) = flow {
                write_flow(e, f);
            }
            write_dev(e, names, "dev", "dev ", hop.header.ifindex.get() as u32);
            e.num("weight", "weight ", u16::from(hop.header.hops) + 1, " ");
            write_flags(e, u32::from(hop.header.flags));
            e.close_obj();
        }
        e.close_arr();
    }
    e.close_obj();
}

/// A `struct rtvia`'s address.
fn read_rtvia(p: &[u8]) -> Option<IpAddr> {
    let fam = u16::from_ne_bytes([*p.first()?, *p.get(1)?]);
    let a = p.get(2..)?;
    match (fam, a.len()) {
        (2, 4) => Some(IpAddr::from(<[u8; 4]>::try_from(a).ok()?)),
        (10, 16) => Some(IpAddr::from(<[u8; 16]>::try_from(a).ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(v: impl Put) -> String {
        let mut b = Vec::new();
        v.put(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn prefix_words() {
        assert_eq!(put(PrefixText(None, 0, AF_INET)), "default");
        assert_eq!(put(PrefixText(None, 8, AF_INET)), "0/8");
        let a = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(put(PrefixText(a("10.0.0.0"), 8, AF_INET)), "10.0.0.0/8");
        assert_eq!(put(PrefixText(a("10.0.0.1"), 32, AF_INET)), "10.0.0.1");
        assert_eq!(put(PrefixText(a("fd00::1"), 128, AF_INET6)), "fd00::1");
        assert_eq!(put(PrefixText(a("fd00::"), 64, AF_INET6)), "fd00::/64");
        assert_eq!(metric_kind("mtu"), Some(RTAX_MTU));
    }

    #[test]
    fn prefix_bits() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(same_bits(ip("10.1.2.3"), ip("10.1.0.0"), 16));
        assert!(!same_bits(ip("10.1.2.3"), ip("10.2.0.0"), 16));
        assert!(same_bits(ip("10.1.2.3"), ip("99.0.0.0"), 0));
        assert!(same_bits(ip("fd00::1"), ip("fd00::"), 64));
        assert!(!same_bits(ip("fd00::1"), ip("fd00::2"), 128));
        let p: Prefix = "10.0.0.0/8".parse().unwrap();
        assert!(selected(
            Some(ip("10.1.0.0")),
            16,
            AF_INET,
            Select::Root,
            Some(&p)
        ));
        assert!(!selected(
            Some(ip("10.1.0.0")),
            16,
            AF_INET,
            Select::Match,
            Some(&p)
        ));
        assert!(selected(None, 0, AF_INET, Select::Match, Some(&p)));
        assert!(selected(None, 0, AF_INET6, Select::Exact, None));
        assert!(!selected(
            Some(ip("fd00::")),
            8,
            AF_INET6,
            Select::Exact,
            None
        ));
        assert!(selected(
            Some(ip("10.0.0.0")),
            8,
            AF_INET,
            Select::Exact,
            Some(&p)
        ));
    }

    #[test]
    fn times_as_ip_reads_and_writes_them() {
        assert_eq!(time_rtt("12ms"), Some((12, false)));
        assert_eq!(time_rtt("1.5s"), Some((1500, false)));
        assert_eq!(time_rtt("2secs"), Some((2000, false)));
        assert_eq!(time_rtt("40"), Some((40, true)));
        assert_eq!(time_rtt("0.4ms"), Some((1, false)));
        assert_eq!(time_rtt("12h"), None);
        assert_eq!(time_rtt(""), None);
        assert_eq!(Millis(12).to_string(), "12ms");
        assert_eq!(Millis(1000).to_string(), "1s");
        assert_eq!(Millis(1500).to_string(), "1.5s");
        assert_eq!(Millis(12345).to_string(), "12.345s");
    }

    #[test]
    fn realm_filters_as_ip_builds_them() {
        let f = |v: &str| {
            let words = [v.to_string()];
            realms_filter(&mut Words::new("route show", &words)).ok()
        };
        assert_eq!(f("3/4"), Some((3 << 16 | 4, u32::MAX)));
        assert_eq!(f("7"), Some((7, 0xffff)));
        assert_eq!(f("3/"), Some((3 << 16, 0xffff_0000)));
        assert_eq!(f("/4"), Some((4, 0xffff)));
        assert_eq!(f("x"), None);
        assert_eq!(mpls_label_words("100/200"), Some(vec![100, 200]));
        assert_eq!(mpls_label_words("1048576"), None);
    }
}
