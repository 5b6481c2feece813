//! `nlkit addr`: show, add, replace, del.
//!
//! ```text
//! nlkit addr [show] [[dev] NAME] [label L] [scope S] [up] [-4|-6]
//! nlkit addr flush [dev] NAME [label L] [scope S] [-4|-6]
//! nlkit addr add|replace|change|del [local] PREFIX dev NAME [peer PREFIX]
//!            [broadcast ADDR|+|-] [label L] [scope S] [metric N]
//!            [nodad] [noprefixroute] [home] [mngtmpaddr] [autojoin] [optimistic]
//!            [valid_lft N|forever] [preferred_lft N|forever]
//! ```
//!
//! `show` prints each link followed by its addresses, as `ip addr` does (a
//! link with none is left out when a family or another filter is given);
//! with `-j`, what a filter leaves out of a kept link, or of its
//! `addr_info`, is an empty object `{}`, as ip 6.1 writes it
//! (`docs/json.md`, "Filters and `{}`").
//! Links stream from one dump; each link's addresses come from a dump the
//! kernel filters to that link, so memory holds one link at a time.
//!
//! `del` of a bare address (no `/len`) matches it whatever its prefix length,
//! as iproute2 does. `change` is `replace`.
//!
//! JSON (`-j`): one object per link with the keys of `nlkit link -j` (less
//! `linkmode`) and `addr_info`, an array of `{family, local, address (the
//! peer), prefixlen, broadcast, anycast, scope, <flag>: true..., dynamic,
//! label, metric, valid_life_time, preferred_life_time}`; flags are
//! `secondary`, `temporary`, `nodad`, `optimistic`, `dadfailed`, `home`,
//! `deprecated`, `tentative`, `mngtmpaddr`, `noprefixroute`, `autojoin`,
//! `stable-privacy`; `dynamic` stands for a missing `permanent`. Lifetimes
//! are seconds, 4294967295 for forever.

use super::emit::Emit;
use super::link::{write_brief_fields, write_link_fields, write_stats, LinkOpts};
use super::routes::write_host;
use super::words::{is, is_delete, is_show, Words};
use super::{connect_in, keep, list_begin, list_end, no_device, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::{name_json, name_str, unescape, Out};
use crate::Global;
use nlkit::diag::filter::glob_with;
use nlkit::route::addr::{
    parse_ifa_flag, IFA_FLAG_NAMES, IFA_F_DEPRECATED, IFA_F_PERMANENT, IFA_F_READONLY,
    IFA_F_SECONDARY, IFA_F_V6ONLY,
};
use nlkit::route::{
    parse_scope, scope_name, Addr, AddrDump, AddrRequest, AddrView, Handle, LinkDump, LinkRequest,
    LinkView, Prefix, AF_INET, AF_INET6, RT_SCOPE_HOST,
};
use nlkit::schema::Name;
use nlkit::{AckMode, Connection};
use serde_json::{Map, Value};
use std::net::{IpAddr, Ipv4Addr};

/// `nlkit addr help`.
pub const USAGE: &str = "\
Usage: nlkit [-br] [-s [-s]] addr [show] [[dev] NAME] [label L] [scope S] [up] [-4|-6]
       nlkit addr add|replace|del PREFIX dev NAME [peer P] [broadcast B|+|-] [label L]
                  [scope S] [metric N] [nodad] [noprefixroute] [home] [mngtmpaddr]
                  [valid_lft N|forever] [preferred_lft N|forever]
       nlkit addr flush [dev] NAME [label L] [scope S] [-4|-6]";

/// What `addr show` and `addr flush` select, as iproute2 6.1 does.
#[derive(Debug, Default)]
pub struct AddrShow {
    /// One device.
    pub dev: Option<String>,
    /// Addresses of this family (`-4`, `-6`, or that of `to`), or 0.
    pub family: u8,
    /// The family links are dumped with (`-4`/`-6` only): with `AF_INET6`
    /// the kernel answers with each link's IPv6 view, as for `ip -6 addr`.
    pub link_family: u8,
    /// Only addresses whose label (the device's name if none) matches this glob.
    pub label: Option<String>,
    /// Only addresses with this scope (`scope all`: any).
    pub scope: Option<u8>,
    /// Only addresses whose flags under `flagmask` are these
    /// (`secondary`, `-tentative`, `dynamic`, `primary`...).
    pub flags: u32,
    /// The flags `flags` speaks about.
    pub flagmask: u32,
    /// Only addresses inside this prefix (`to PREFIX`).
    pub to: Option<Prefix>,
    /// Only links that are up.
    pub up: bool,
    /// Only links in this group.
    pub group: Option<u32>,
    /// Only ports of this master (`master D`, `vrf D`); `u32::MAX`: `nomaster`.
    pub master: Option<u32>,
    /// Only links of this kind (`type veth`).
    pub kind: Option<String>,
    /// Only ports of this kind of master (`type bridge_slave`).
    pub slave_kind: Option<String>,
}

impl AddrShow {
    /// True if address `a` (on device `ifname`) is selected.
    fn wants(&self, a: &Addr, ifname: &str) -> bool {
        (self.family == 0 || a.family == self.family)
            && self.scope.is_none_or(|s| a.scope == s)
            && (self.flags ^ a.flags) & self.flagmask == 0
            && self
                .label
                .as_ref()
                .is_none_or(|pat| glob_with(pat, a.label.as_deref().unwrap_or(ifname), false))
            && self
                .to
                .is_none_or(|p| p.is_empty() || a.local_addr().is_none_or(|l| p.contains(&l)))
    }
    /// True if link `v` passes the link filters (`up`, `group`, `master`, `type`).
    fn wants_link(&self, v: &LinkView<'_>) -> bool {
        let master = v.master.filter(|&m| m != 0);
        (!self.up || v.is_up())
            && self.group.is_none_or(|g| v.group == Some(g))
            && match self.master {
                // `nomaster` filters the kernel's dump alone, as in ip: a
                // device asked for by name is kept whatever its master.
                None | Some(u32::MAX) => true,
                Some(m) => master == Some(m),
            }
            && self
                .kind
                .as_ref()
                .is_none_or(|k| v.kind == Some(k.as_str()))
            && self
                .slave_kind
                .as_ref()
                .is_none_or(|k| v.slave_kind == Some(k.as_str()))
    }
}

/// Parses `nlkit addr ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => Ok(Parsed::Show(Show::Addr(parse_show(
            g,
            &mut Words::new("addr show", rest),
            r,
        )?))),
        "add" | "a" => parse_change(g, &mut Words::new("addr add", rest), r, Op::Add),
        "replace" | "change" => {
            parse_change(g, &mut Words::new("addr replace", rest), r, Op::Replace)
        }
        c if is_delete(c) => parse_change(g, &mut Words::new("addr delete", rest), r, Op::Delete),
        "flush" | "f" => {
            if rest.is_empty() {
                return Err(CliError::usage(
                    "addr flush: flush requires arguments (dev D, label L, scope S, a flag...)",
                ));
            }
            let s = parse_show(g, &mut Words::new("addr flush", rest), r)?;
            Ok(Parsed::Show(Show::AddrFlush(s)))
        }
        c => Err(CliError::usage(format!(
            "addr: unknown command {c:?}; try show, add, replace, del, flush"
        ))),
    }
}

fn scope_of(w: &mut Words) -> Result<u8, CliError> {
    let v = w.value("scope")?;
    parse_scope(v)
        .or_else(|| super::words::parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown scope {v:?}")))
}

/// A flag selector of `addr show`: `secondary`, `-tentative`, `dynamic`
/// (not `permanent`), `primary` (not `secondary`): (bits, wanted set).
fn flag_selector(x: &str) -> Option<(u32, bool)> {
    let (inv, word) = match x.strip_prefix('-') {
        Some(w) => (true, w),
        None => (false, x),
    };
    let (inv, word) = match word {
        "dynamic" => (!inv, "permanent"),
        "primary" => (!inv, "secondary"),
        w => (inv, w),
    };
    parse_ifa_flag(word).map(|bit| (bit, !inv))
}

fn parse_show(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<AddrShow, CliError> {
    let fam = super::family(g);
    let mut s = AddrShow {
        family: fam,
        link_family: fam,
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "to" => {
                let v = w.value("to")?;
                let p = w.prefix_of(v)?;
                if s.family != 0 && p.family() != s.family {
                    return Err(w.err(format_args!("{v:?} is not of the family asked for")));
                }
                s.family = p.family();
                s.to = Some(p);
            }
            "scope" => {
                s.scope = if w.peek() == Some("all") {
                    w.next();
                    None
                } else {
                    Some(scope_of(w)?)
                }
            }
            "up" => s.up = true,
            _ if flag_selector(x).is_some() => {
                let (bit, set) = flag_selector(x).unwrap_or_default();
                if set {
                    s.flags |= bit;
                } else {
                    s.flags &= !bit;
                }
                s.flagmask |= bit;
            }
            "label" => s.label = Some(w.value("label")?.to_string()),
            "group" => {
                let v = w.value("group")?;
                s.group = Some(if v == "default" {
                    0
                } else {
                    super::words::parse_num(v)
                        .ok_or_else(|| w.err(format_args!("invalid \"group\" value {v:?}")))?
                });
            }
            "master" | "vrf" => s.master = Some(r.index(w.value(x)?)?),
            "nomaster" => s.master = Some(u32::MAX),
            "type" => {
                let v = w.value("type")?;
                match v.strip_suffix("_slave") {
                    Some(k) => s.slave_kind = Some(k.to_string()),
                    None => s.kind = Some(v.to_string()),
                }
            }
            _ => s.dev = Some(w.positional(x, "dev", s.dev.is_some())?.to_string()),
        }
    }
    Ok(s)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Delete,
}

/// A lifetime as iproute2 reads one: `forever` or a number of seconds.
fn lifetime(w: &mut Words, kw: &str) -> Result<u32, CliError> {
    match w.value(kw)? {
        "forever" => Ok(u32::MAX),
        v => super::words::parse_num(v)
            .ok_or_else(|| w.err(format_args!("invalid lifetime {v:?} for \"{kw}\""))),
    }
}

/// The broadcast address of `p` (`broadcast +`), or its network (`-`);
/// none for IPv6 or a prefix longer than /30, as iproute2.
fn brd(p: &Prefix, plus: bool) -> Option<IpAddr> {
    let IpAddr::V4(a) = p.addr() else {
        return None;
    };
    if p.len() > 30 {
        return None;
    }
    let mask = if p.is_empty() {
        0
    } else {
        u32::MAX << (32 - u32::from(p.len()))
    };
    let n = u32::from(a);
    Some(IpAddr::V4(Ipv4Addr::from(if plus {
        n | !mask
    } else {
        n & mask
    })))
}

fn parse_change(
    g: &Global,
    w: &mut Words,
    r: &mut dyn Resolve,
    op: Op,
) -> Result<Parsed, CliError> {
    let mut local: Option<(Prefix, bool)> = None;
    let mut peer: Option<Prefix> = None;
    let mut broadcast: Option<String> = None;
    let mut anycast: Option<IpAddr> = None;
    let mut label: Option<String> = None;
    let mut scope: Option<u8> = None;
    let mut dev: Option<String> = None;
    let mut flags = 0u32;
    let mut flag_words: Vec<&str> = Vec::new();
    let mut valid: Option<u32> = None;
    let mut preferred: Option<u32> = None;
    let mut metric: Option<u32> = None;
    let prefix = |w: &Words, v: &str| -> Result<(Prefix, bool), CliError> {
        if v == "default" || v == "all" || v == "any" {
            return Err(w.err(format_args!("{v:?} is not an address")));
        }
        Ok((w.prefix_of(v)?, v.contains('/')))
    };
    // iproute2's order of tests, and its abbreviations (`b` is broadcast,
    // `pref` a metric: `preference`).
    while let Some(x) = w.next() {
        match x {
            "peer" | "remote" => {
                let v = w.value(x)?;
                let (pp, _) = prefix(w, v)?;
                w.set_once(&mut peer, "peer", v, pp)?;
            }
            _ if is(x, "broadcast", 1) || x == "brd" => {
                let v = w.value(x)?;
                w.set_once(&mut broadcast, "broadcast", v, v.to_string())?;
            }
            "anycast" => {
                let v = w.value(x)?;
                let ip = v
                    .parse::<IpAddr>()
                    .map_err(|_| w.err(format_args!("{v:?} is not a valid anycast address")))?;
                w.set_once(&mut anycast, "anycast", v, ip)?;
            }
            "scope" => scope = Some(scope_of(w)?),
            "dev" => dev = Some(w.value("dev")?.to_string()),
            "label" => label = Some(w.value("label")?.to_string()),
            _ if is(x, "metric", 1) || is(x, "priority", 1) || is(x, "preference", 1) => {
                metric = Some(w.num(x)?)
            }
            _ if is(x, "valid_lft", 1) => {
                if valid.is_some() {
                    return Err(w.err("duplicate \"valid_lft\""));
                }
                valid = Some(lifetime(w, "valid_lft")?);
            }
            _ if is(x, "preferred_lft", 1) => {
                if preferred.is_some() {
                    return Err(w.err("duplicate \"preferred_lft\""));
                }
                preferred = Some(lifetime(w, "preferred_lft")?);
            }
            _ if parse_ifa_flag(x).is_some() => flag_words.push(x),
            _ => {
                let v = w.positional(x, "local", local.is_some())?;
                local = Some(prefix(w, v)?);
            }
        }
    }
    let (p, has_len) = local.ok_or_else(|| w.err("an address is needed"))?;
    let dev = dev.ok_or_else(|| w.err("\"dev NAME\" is needed"))?;
    let fam = super::family(g);
    if fam != 0 && p.family() != fam {
        return Err(w.err(format_args!("{} is not of the family asked for", p.addr())));
    }
    if peer.is_some_and(|pp| pp.family() != p.family()) {
        return Err(w.err("the peer is not of the address's family"));
    }
    // Flags iproute2 leaves out, with its warnings, in the order given.
    for x in flag_words {
        let bit = parse_ifa_flag(x).unwrap_or(0);
        if bit & IFA_F_READONLY != 0 {
            eprintln!("nlkit: warning: {x} option is not mutable from userspace");
        } else if bit & IFA_F_V6ONLY != 0 && p.family() != AF_INET6 {
            eprintln!("nlkit: warning: {x} option can be set only for IPv6 addresses");
        } else {
            flags |= bit;
        }
    }
    // The prefix length is the peer's when there is one (a bare peer is a
    // host: /32, /128), as iproute2 does.
    let p = match peer {
        Some(pp) => Prefix::new(p.addr(), pp.len()).ok_or_else(|| {
            w.err(format_args!(
                "prefix length {} does not fit {}",
                pp.len(),
                p.addr()
            ))
        })?,
        None => p,
    };
    let idx = r.index(&dev)?;
    let mut req = match op {
        Op::Add => AddrRequest::add(idx, p),
        Op::Replace => AddrRequest::replace(idx, p),
        Op::Delete => AddrRequest::delete(idx, p),
    }
    .dev_name(&dev);
    if op == Op::Delete && !has_len && peer.is_none() {
        // A bare address deletes it whatever its prefix length.
        req.addr.address = None;
    }
    if let Some(pp) = peer {
        req = req.peer(pp.addr());
    }
    if let Some(b) = broadcast {
        match b.as_str() {
            "+" | "-" if op != Op::Delete => {
                if p.family() != AF_INET {
                    return Err(w.err("broadcast can be set only for IPv4 addresses"));
                }
                // Computed from the peer if there is one, as iproute2.
                let base = Prefix::new(peer.map_or(p.addr(), |pp| pp.addr()), p.len());
                if let Some(ip) = base.and_then(|base| brd(&base, b == "+")) {
                    req = req.broadcast(ip);
                }
            }
            "+" | "-" => {}
            v => {
                let ip = v
                    .parse::<IpAddr>()
                    .map_err(|_| w.err(format_args!("{v:?} is not a valid broadcast address")))?;
                req = req.broadcast(ip);
            }
        }
    }
    if let Some(a) = anycast {
        req.addr.anycast = Some(a);
    }
    if let Some(l) = &label {
        req = req.label(l);
    }
    match scope {
        Some(s) => req = req.scope(s),
        None if op != Op::Delete => {
            if let IpAddr::V4(a) = p.addr() {
                if a.octets()[0] == 127 {
                    req = req.scope(RT_SCOPE_HOST);
                }
            }
        }
        None => {}
    }
    if flags != 0 {
        req = req.flags(flags);
    }
    if valid.is_some() || preferred.is_some() {
        let v = valid.unwrap_or(u32::MAX);
        let pr = preferred.unwrap_or(u32::MAX);
        if v == 0 {
            return Err(w.err("valid_lft is zero"));
        }
        if pr > v {
            return Err(w.err("preferred_lft is greater than valid_lft"));
        }
        req = req.lifetimes(v, pr);
    }
    if let Some(m) = metric {
        req = req.metric(m);
    }
    Ok(Parsed::Req(Req::Addr(req)))
}

// ---------------------------------------------------------------------------
// Showing.

/// The addresses of link `index` (named `ifname`) of the family `s` asks
/// for, each `Some` if `s` selects it; with `placeholders` also a `None`
/// for each one it leaves out (ip's `{}`), else those are not kept. And
/// how many addresses the link has in all, of any family.
fn addrs_of(
    aux: &Connection,
    s: &AddrShow,
    index: u32,
    ifname: &str,
    placeholders: bool,
) -> Result<(Vec<Option<Addr>>, usize), CliError> {
    let mut v = Vec::new();
    let mut total = 0;
    Handle::with(aux).addrs(AddrDump { family: 0, index }, |a| {
        if a.index() == index {
            total += 1;
            let a = a.to_owned();
            if s.wants(&a, ifname) {
                v.push(Some(a));
            } else if placeholders && (s.family == 0 || a.family == s.family) {
                v.push(None);
            }
        }
        Ok(())
    })?;
    Ok((v, total))
}

/// Shows link `v` and its addresses as iproute2 6.1's `addr show` does:
/// - a link is kept if one of its addresses is selected, or if it has none
///   at all and no family is asked for;
/// - a kept link that the link filters leave out (`up`, `group`,
///   `type X_slave`; for a device asked by name also `master`, `type`: the
///   kernel filters a dump on these) is `{}` in JSON, nothing in text. With
///   `label` only `up` applies (and the link itself is not shown); with `-o`
///   none does (ip prints no link then), but `up` drops the addresses of a
///   link that is down;
/// - with `-j`, `addr_info` has one element for each address of the family
///   asked for: `{}` for those the selectors leave out.
#[allow(clippy::too_many_arguments)]
fn show_link(
    aux: &Connection,
    out: &mut Out,
    v: &LinkView<'_>,
    names: &mut Names,
    g: &Global,
    s: &AddrShow,
    ll: bool,
) -> Result<(), CliError> {
    let by_label = s.label.is_some();
    let link_ok = if out.oneline && !g.brief && !g.link_family {
        true
    } else if by_label {
        !s.up || v.is_up()
    } else {
        s.wants_link(v)
    };
    if g.link_family {
        // `-0` / `-f link`: the links alone, as ip prints them (with
        // `label`, nothing of them).
        if !link_ok || by_label {
            return placeholder(out);
        }
        return print_link_addrs(out, v, &[], names, g, false, ll);
    }
    if !link_ok && !out.json {
        // Nothing of it in text: its addresses need not be read.
        return Ok(());
    }
    let ifname = v.name.map(|n| n.to_string()).unwrap_or_default();
    let (addrs, total) = addrs_of(aux, s, v.index(), &ifname, out.json)?;
    let kept = addrs.iter().any(Option::is_some) || (total == 0 && s.family == 0);
    if !kept {
        return Ok(());
    }
    if !link_ok {
        return placeholder(out);
    }
    let addrs = if s.up && !v.is_up() { &[][..] } else { &addrs };
    print_link_addrs(out, v, addrs, names, g, by_label, ll)
}

/// ip's `{}` for an object its filters leave out (JSON only).
pub(crate) fn placeholder(out: &mut Out) -> Result<(), CliError> {
    if out.json {
        out.array_item(&Value::Object(Map::new()))
    } else {
        Ok(())
    }
}

fn print_link_addrs(
    out: &mut Out,
    v: &LinkView<'_>,
    addrs: &[Option<Addr>],
    names: &mut Names,
    g: &Global,
    by_label: bool,
    ll: bool,
) -> Result<(), CliError> {
    let details = g.details;
    // `-0` / `-f link`: the links alone, as ip prints them (`-br`: link's brief line).
    let ll = if g.link_family {
        if g.brief {
            return super::link::print_link_with(out, v, names, g);
        }
        true
    } else {
        ll
    };
    let oneline = out.oneline && !g.brief && !g.link_family;
    let mut buf = Vec::new();
    let opts = LinkOpts {
        details,
        do_link: false,
        ll,
        stats: 0,
    };
    if out.json {
        // The link's keys (none with `-o` or `label`: ip prints no link
        // then), then `addr_info` and `stats64`.
        let mut e = Emit::new(&mut buf, true);
        e.open_obj(None);
        if by_label || oneline {
        } else if g.brief {
            write_brief_fields(&mut e, v, names);
        } else {
            write_link_fields(&mut e, v, names, opts);
        }
        if !g.link_family {
            let name = v.name.map(name_json).unwrap_or_default();
            let dev = oneline.then_some(&*name);
            e.open_arr("addr_info");
            for a in addrs {
                match a {
                    Some(a) => write_addr(&mut e, a, g.brief, dev),
                    None => {
                        e.open_obj(None);
                        e.close_obj();
                    }
                }
            }
            e.close_arr();
        }
        if !by_label && !g.brief && !oneline {
            write_stats(&mut e, v, g.stats);
        }
        e.close_obj();
        out.array_sep()?;
        return out.raw(&buf);
    }
    let selected = addrs.iter().flatten();
    // `-o`: one line per address, after the link's index and name, as ip.
    if oneline || by_label && !g.brief {
        let name = v.name.map(name_str).unwrap_or_default();
        let dev = oneline.then_some(&*name);
        for a in selected {
            buf.clear();
            write_addr(&mut Emit::new(&mut buf, false), a, false, dev);
            out.line(String::from_utf8_lossy(&buf))?;
        }
        return Ok(());
    }
    // With `label`, iproute2 prints the addresses without their link.
    let mut e = Emit::new(&mut buf, false);
    match (g.brief, by_label) {
        (_, true) => {}
        (true, false) => write_brief_fields(&mut e, v, names),
        (false, false) => write_link_fields(&mut e, v, names, opts),
    }
    for a in selected {
        if !g.brief {
            e.text("\n");
        }
        write_addr(&mut e, a, g.brief, None);
    }
    if !g.brief {
        write_stats(&mut e, v, g.stats);
    }
    out.line(String::from_utf8_lossy(&buf))
}

/// Runs `addr show`.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &AddrShow,
) -> Result<(), CliError> {
    let aux = connect_in(g.netns.as_deref())?;
    // As iproute2: the link-layer line only without a family filter, or with -d.
    let ll = s.family == 0 || g.details;
    list_begin(out)?;
    if let Some(dev) = &s.dev {
        let bytes = match conn.get(&LinkRequest::get_by_name(dev)) {
            Ok(b) => b,
            Err(e) if e.errno() == Some(19) => return Err(no_device(dev)),
            Err(e) => return Err(e.into()),
        };
        let malformed = |e| nlkit::Error::Malformed {
            what: format!("get link {dev}"),
            source: e,
        };
        let (_, m) = nlkit::wire::MsgIter::new(&bytes)
            .next()
            .ok_or_else(|| CliError::Other(format!("get link {dev}: empty reply")))?
            .map_err(malformed)?;
        let v = LinkView::parse(&m).map_err(malformed)?;
        show_link(&aux, out, &v, names, g, s, ll)?;
        return list_end(out);
    }
    let dump = LinkDump {
        master: s.master,
        kind: s.kind.clone(),
        family: s.link_family,
    };
    // The IPv6 view of a link has no queue length; iproute2 asks for it
    // (an ioctl) and prints it: read it from a full dump first.
    let mut qlens = std::collections::HashMap::new();
    if s.link_family == AF_INET6 {
        Handle::with(conn).links(|v| {
            if let Some(q) = v.txqlen.filter(|&q| q != 0) {
                qlens.insert(v.index(), q);
            }
            Ok(())
        })?;
    }
    let r = Handle::with(conn).links_filtered(&dump, |mut v| {
        if let Some(n) = v.name {
            names.note(v.index(), n, v.flags());
        }
        if v.txqlen.is_none() {
            v.txqlen = qlens.get(&v.index()).copied();
        }
        keep(show_link(&aux, out, &v, names, g, s, ll))
    });
    super::finish(r)?;
    list_end(out)
}

const ESRCH: i32 = 3;
const EADDRNOTAVAIL: i32 = 99;

/// Runs `addr flush`: dumps the addresses `s` selects (on `dev`, of the
/// family, `scope`, flags, `label`, `to`; link filters play no part, as in
/// iproute2) and deletes them in one batch (acks for errors only), in
/// rounds until none is left (at most 10). An address already gone (a
/// secondary that went with its primary: `EADDRNOTAVAIL`, `ESRCH`) is not
/// an error. Prints nothing.
pub fn flush(conn: &Connection, s: &AddrShow) -> Result<(), CliError> {
    let index = match &s.dev {
        Some(d) => match Handle::with(conn).index_of(d) {
            Ok(i) => i,
            Err(e) if e.errno() == Some(19) => return Err(no_device(d)),
            Err(e) => return Err(e.into()),
        },
        None => 0,
    };
    // A label glob matches an address without a label by its device's name.
    let mut ifnames = std::collections::HashMap::new();
    if s.label.is_some() {
        Handle::with(conn).links(|v| {
            if let Some(n) = v.name {
                ifnames.insert(v.index(), n.to_string());
            }
            Ok(())
        })?;
    }
    for _ in 0..10 {
        let mut victims: Vec<Addr> = Vec::new();
        Handle::with(conn).addrs(
            AddrDump {
                family: s.family,
                index,
            },
            |v| {
                let a = v.to_owned();
                let name = ifnames.get(&a.index).map_or("", String::as_str);
                if (index == 0 || a.index == index) && s.wants(&a, name) {
                    victims.push(a);
                }
                Ok(())
            },
        )?;
        if victims.is_empty() {
            return Ok(());
        }
        let mut first = None;
        conn.batch(
            victims.into_iter().map(AddrRequest::delete_addr),
            AckMode::ErrorsOnly,
            |_, r| {
                if let Err(e) = r {
                    let gone = matches!(e.errno(), Some(ESRCH | EADDRNOTAVAIL));
                    if !gone && first.is_none() {
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

/// Writes one address as iproute2 6.1's `print_addrinfo` does, through one
/// call per field for both forms ([`Emit`]): text, the `    inet A/LEN
/// ... LABEL` line and the lifetimes line (each word but the label followed
/// by a blank; an IPv6 line, which has no label, ends in one), or one
/// `addr_info` element of `ip -j addr`. `brief` (`-br`): only the address,
/// its peer, length and metric, without the family. `dev` (`-o`): the
/// link's index and name first (`3: v0`, `"index"`, `"dev"`), in the
/// form of the output asked ([`name_str`] for text, [`name_json`] for JSON).
fn write_addr(e: &mut Emit<'_>, a: &Addr, brief: bool, dev: Option<&str>) {
    e.open_obj(None);
    if !brief {
        if let Some(d) = dev {
            e.num("index", "", a.index, ": ");
            e.str("dev", "", d, "");
        }
        match a.family {
            AF_INET => e.str("family", "    ", "inet", " "),
            AF_INET6 => e.str("family", "    ", "inet6", " "),
            f => match nlkit::route::family_name(f) {
                Some(n) => e.str("family", "    ", n, " "),
                None => e.num("family_index", "    family ", f, " "),
            },
        }
    }
    if let Some(l) = a.local_addr() {
        write_host(e, "local", "", l, "");
        if let Some(p) = a.peer() {
            write_host(e, "address", " peer ", p, "");
        }
        e.num("prefixlen", "/", a.prefix_len, " ");
        if let Some(m) = a.rt_priority {
            e.num("metric", "metric ", m, " ");
        }
    }
    if brief {
        e.close_obj();
        return;
    }
    if let Some(b) = a.broadcast {
        write_host(e, "broadcast", "brd ", b, " ");
    }
    if let Some(x) = a.anycast {
        write_host(e, "anycast", "any ", x, " ");
    }
    match scope_name(a.scope) {
        Some(s) => e.str("scope", "scope ", s, " "),
        None => e.plain_str("scope", "scope ", a.scope, " "),
    }
    // ip's flag words in its order: `dynamic` where `permanent` is
    // missing, `temporary` for an IPv6 `secondary`; then the bits it has
    // no word for.
    let mut rest = a.flags;
    for &(bit, name) in IFA_FLAG_NAMES {
        let word = match (bit, a.flags & bit != 0) {
            (IFA_F_PERMANENT, false) => Some("dynamic"),
            (IFA_F_PERMANENT, true) => None,
            (IFA_F_SECONDARY, true) if a.family == AF_INET6 => Some("temporary"),
            (_, set) => set.then_some(name),
        };
        if let Some(w) = word {
            e.truth(w, w, " ");
        }
        rest &= !bit;
    }
    if rest != 0 {
        e.plain_str("ifa_flags", "flags ", format_args!("{rest:02x}"), " ");
    }
    if let Some(l) = &a.label {
        e.name("label", "", Name::new(&unescape(l)), "");
    }
    if let Some(c) = &a.cacheinfo {
        e.text("\n       valid_lft ");
        write_lft(e, "valid_life_time", c.valid.get(), false);
        e.text(" preferred_lft ");
        let deprecated = a.flags & IFA_F_DEPRECATED != 0;
        write_lft(e, "preferred_life_time", c.preferred.get(), deprecated);
    }
    e.close_obj();
}

/// A lifetime: text `forever` or `300sec`, JSON seconds (4294967295 for
/// forever); a deprecated address's preferred lifetime is signed, as
/// iproute2 prints it.
fn write_lft(e: &mut Emit<'_>, key: &str, v: u32, signed: bool) {
    if v == u32::MAX {
        e.json_num(key, v);
        e.text("forever");
    } else if signed {
        e.num(key, "", v as i32, "sec");
    } else {
        e.num(key, "", v, "sec");
    }
}

/// One address event, as `ip monitor` prints it: text `3: v0    inet ...`;
/// JSON `{"ifindex", "ifname", "addr_info": [..]}`.
pub fn write_addr_event(e: &mut Emit<'_>, v: &AddrView<'_>, names: &mut Names) {
    let a = v.to_owned();
    if !e.json {
        match names.get(a.index) {
            Some(b) => write_addr(e, &a, false, Some(&b.name)),
            None => write_addr(e, &a, false, Some(&format!("if{}", a.index))),
        }
        return;
    }
    e.open_obj(None);
    e.json_num("ifindex", a.index);
    e.dev("ifname", "", names, a.index, "");
    e.open_arr("addr_info");
    write_addr(e, &a, false, None);
    e.close_arr();
    e.close_obj();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One `addr_info` element, as `ip -j addr` prints it.
    fn addr_info_json(a: &Addr) -> Value {
        let mut b = Vec::new();
        write_addr(&mut Emit::new(&mut b, true), a, false, None);
        serde_json::from_slice(&b).unwrap()
    }

    /// `a` in text, as `ip addr` prints it under its link.
    fn text(a: &Addr, brief: bool) -> String {
        let mut b = Vec::new();
        write_addr(&mut Emit::new(&mut b, false), a, brief, None);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn broadcast_plus_minus() {
        let p: Prefix = "10.9.0.1/24".parse().unwrap();
        assert_eq!(brd(&p, true), Some("10.9.0.255".parse().unwrap()));
        assert_eq!(brd(&p, false), Some("10.9.0.0".parse().unwrap()));
        let p: Prefix = "fd00::1/64".parse().unwrap();
        assert_eq!(brd(&p, true), None);
    }

    #[test]
    fn lines_like_ip() {
        let a = Addr {
            family: AF_INET,
            prefix_len: 24,
            flags: IFA_F_PERMANENT,
            scope: 0,
            index: 3,
            local: Some("10.9.0.1".parse().unwrap()),
            address: Some("10.9.0.1".parse().unwrap()),
            label: Some("v0".into()),
            broadcast: Some("10.9.0.255".parse().unwrap()),
            cacheinfo: Some(nlkit::route::addr::IfaCacheInfo {
                preferred: u32::MAX.into(),
                valid: u32::MAX.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            text(&a, false),
            "    inet 10.9.0.1/24 brd 10.9.0.255 scope global v0\n       valid_lft forever preferred_lft forever"
        );
        // Every flag word in ip's order, a bit it has no word for, and a
        // deprecated address's preferred lifetime, signed.
        let v6 = Addr {
            family: AF_INET6,
            prefix_len: 64,
            flags: 0x1fff & !IFA_F_PERMANENT,
            scope: 0,
            local: Some("fd00::1".parse().unwrap()),
            cacheinfo: Some(nlkit::route::addr::IfaCacheInfo {
                preferred: (u32::MAX - 1).into(),
                valid: 300.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            text(&v6, false),
            "    inet6 fd00::1/64 scope global temporary nodad optimistic dadfailed home deprecated \
             tentative dynamic mngtmpaddr noprefixroute autojoin stable-privacy flags 1000 \n       \
             valid_lft 300sec preferred_lft -2sec"
        );
        let j = addr_info_json(&v6);
        assert_eq!(j["ifa_flags"], "1000");
        assert_eq!(j["preferred_life_time"], -2);
        assert_eq!(j["temporary"], true);
        assert!(j.get("secondary").is_none());
        let j = addr_info_json(&a);
        assert_eq!(j["local"], "10.9.0.1");
        assert_eq!(j["prefixlen"], 24);
        assert_eq!(j["valid_life_time"], 4294967295u32);
        assert!(j.get("dynamic").is_none());
    }

    #[test]
    fn brief_and_oneline_forms() {
        let a = Addr {
            family: AF_INET,
            prefix_len: 32,
            flags: IFA_F_PERMANENT,
            index: 3,
            local: Some("10.9.1.1".parse().unwrap()),
            address: Some("10.9.1.2".parse().unwrap()),
            rt_priority: Some(5),
            label: Some("v0".into()),
            ..Default::default()
        };
        assert_eq!(text(&a, true), "10.9.1.1 peer 10.9.1.2/32 metric 5 ");
        let json = |brief, dev| {
            let mut b = Vec::new();
            write_addr(&mut Emit::new(&mut b, true), &a, brief, dev);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(
            json(true, None),
            r#"{"local":"10.9.1.1","address":"10.9.1.2","prefixlen":32,"metric":5}"#
        );
        // `-o`: the link's index and name first; `dev` is ignored with `-br`, as ip.
        let mut b = Vec::new();
        write_addr(&mut Emit::new(&mut b, false), &a, false, Some("v0"));
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "3: v0    inet 10.9.1.1 peer 10.9.1.2/32 metric 5 scope global v0"
        );
        assert_eq!(
            json(false, Some("v0")),
            r#"{"index":3,"dev":"v0","family":"inet","local":"10.9.1.1","address":"10.9.1.2","prefixlen":32,"metric":5,"scope":"global","label":"v0"}"#
        );
        assert_eq!(json(true, Some("v0")), json(true, None));
    }
}
