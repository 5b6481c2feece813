//! `nlkit neigh`: show, get, flush, add, replace, change, del.
//!
//! ```text
//! nlkit [-s] neigh [show|flush] [[to] PREFIX] [dev D] [master D|vrf D|nomaster]
//!             [nud STATE|all]... [proxy] [unused] [protocol P|all] [-4|-6]
//! nlkit [-s] neigh get {[to] ADDR|proxy ADDR} dev D
//! nlkit neigh add|replace|change|del {[to] ADDR|proxy ADDR} [lladdr MAC|null] dev D
//!             [nud permanent|noarp|reachable|stale|...] [router] [extern_learn] [proto P]
//! ```
//!
//! As with `ip neigh`, `show` leaves out `NOARP` and `NONE` entries unless
//! `nud all` (or that state) is asked for (an `extern_learn` entry is always
//! shown), and `dev` is left out of each line when the listing is filtered
//! by device; `master D` (`vrf D`, which must be a VRF) lists the
//! entries of D's ports and `nomaster` those of links without a master,
//! filtered by the kernel (`NDA_MASTER`) as for ip; `unused` leaves out
//! entries something holds (reference count not 0), `protocol P` those
//! another protocol added; `-s` adds `ref N used A/B/C probes N` (seconds). `flush`
//! deletes what `show` with the same words lists, but for `PERMANENT` and
//! `NOARP` entries unless asked for, in rounds (`FAILED` ones only in the
//! first, as iproute2); with `-s` it says so as iproute2 does. `add` makes a `permanent` entry
//! unless `nud` says otherwise. A second address or `lladdr` is an error,
//! as in iproute2; an `lladdr` whose length is not the device's is refused
//! (the kernel would keep its first bytes).
//!
//! JSON (`-j`), one object per entry: `dst`, `dev`, `lladdr`, `router`,
//! `proxy`, `managed`, `extern_learn`, `offload` (present, `null`, when set,
//! as in iproute2), with `-s` `refcnt` (when not 0), `used`, `confirmed`,
//! `updated`, `probes`; `state` (array of `NUD_*` names: `REACHABLE`,
//! `PERMANENT`...), `protocol`.

use super::emit::{Emit, Mac};
use super::routes::write_host;
use super::words::{is, is_delete, is_show, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::attrs::{mac_string, parse_mac};
use nlkit::route::neigh::{
    parse_nud, NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NUD_FAILED,
    NUD_NAMES, NUD_NOARP, NUD_PERMANENT,
};
use nlkit::route::{
    parse_protocol, protocol_name, Handle, NeighDump, NeighGet, NeighRequest, NeighView, AF_INET,
    AF_INET6,
};
use nlkit::{AckMode, Connection};
use std::net::IpAddr;

/// `nlkit neigh help`.
pub const USAGE: &str = "\
Usage: nlkit neigh [show|flush] [[to] PREFIX] [dev D] [master D|vrf D|nomaster]
                   [nud STATE|all] [proxy] [unused] [protocol P|all] [-4|-6]
       nlkit neigh get {ADDR|proxy ADDR} dev D
       nlkit neigh add|replace|del {ADDR|proxy ADDR} [lladdr MAC|null] dev D [nud STATE] [router]
       STATE := permanent | noarp | reachable | stale | none | incomplete | delay | probe | failed";

/// What `neigh show` lists.
#[derive(Clone, Debug, Default)]
pub struct NeighShow {
    /// `AF_INET`, `AF_INET6` or 0.
    pub family: u8,
    /// Only this device.
    pub dev: Option<u32>,
    /// Only ports of this master (`master D`, `vrf D`); `u32::MAX`:
    /// `nomaster`, links without one (the kernel filters).
    pub master: Option<u32>,
    /// `vrf D`: D, which must be a VRF (checked before the dump).
    pub vrf: Option<String>,
    /// `unused`: only entries nothing holds (reference count 0).
    pub unused: bool,
    /// `protocol P`: only entries added by P (`all`, 0: any).
    pub protocol: Option<u8>,
    /// The states shown, as iproute2's filter: `NUD_*` bits, and 0x100 for
    /// `NONE` (no state).
    pub state: u32,
    /// Proxy entries instead of the cache.
    pub proxy: bool,
    /// Only entries inside this prefix (`show 10.0.0.0/24`, `to ADDR`).
    pub to: Option<nlkit::route::Prefix>,
    /// `-s`: the cache times and probes; with `flush`, the rounds.
    pub stats: u8,
}

impl NeighShow {
    /// True if `v` is listed, as iproute2 decides.
    fn wants(&self, v: &NeighView<'_>) -> bool {
        let st = u32::from(v.state());
        let fam = v.family();
        (fam == AF_INET || fam == AF_INET6)
            && (self.family == 0 || fam == self.family)
            && self.dev.is_none_or(|d| v.ifindex() == d)
            && (self.state & st != 0
                || v.flags() & (NTF_PROXY | NTF_EXT_LEARNED) != 0
                || (st == 0 && self.state & STATE_NONE != 0))
            && self
                .to
                .is_none_or(|p| p.is_empty() || v.dst.is_some_and(|d| p.contains(&d)))
            && self.protocol.is_none_or(|p| v.protocol.unwrap_or(0) == p)
            && !(self.unused && v.cacheinfo.is_some_and(|c| c.refcnt.get() != 0))
    }
}

/// iproute2's bit for "no state" in a state filter.
const STATE_NONE: u32 = 0x100;

/// Parses `nlkit neigh ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => Ok(Parsed::Show(Show::Neigh(parse_show(
            g,
            &mut Words::new("neigh show", rest),
            r,
            false,
        )?))),
        c if is(c, "flush", 1) => {
            if rest.is_empty() {
                return Err(CliError::usage(
                    "neigh flush: flush requires arguments (dev D, nud S, a prefix...)",
                ));
            }
            let s = parse_show(g, &mut Words::new("neigh flush", rest), r, true)?;
            Ok(Parsed::Show(Show::NeighFlush(s)))
        }
        c if is(c, "get", 1) => parse_get(&mut Words::new("neigh get", rest), r),
        "add" | "a" => parse_change(g, &mut Words::new("neigh add", rest), r, Op::Add),
        "replace" => parse_change(g, &mut Words::new("neigh replace", rest), r, Op::Replace),
        "change" => parse_change(g, &mut Words::new("neigh change", rest), r, Op::Change),
        c if is_delete(c) => parse_change(g, &mut Words::new("neigh delete", rest), r, Op::Delete),
        c => Err(CliError::usage(format!(
            "neigh: unknown command {c:?}; try show, get, flush, add, replace, change, del"
        ))),
    }
}

fn nud_of(w: &mut Words) -> Result<u16, CliError> {
    let v = w.value("nud")?;
    parse_nud(v).ok_or_else(|| w.err(format_args!("unknown state {v:?}")))
}

fn parse_show(
    g: &Global,
    w: &mut Words,
    r: &mut dyn Resolve,
    flush: bool,
) -> Result<NeighShow, CliError> {
    let noarp = u32::from(NUD_NOARP);
    let mut s = NeighShow {
        family: super::family(g),
        state: if flush {
            !(u32::from(NUD_PERMANENT) | noarp)
        } else {
            0xff & !noarp
        },
        stats: g.stats,
        ..Default::default()
    };
    let mut state_given = false;
    while let Some(x) = w.next() {
        match x {
            "dev" => {
                let v = w.value("dev")?;
                if s.dev.is_some() {
                    return Err(w.err(format_args!("duplicate \"dev\": {v:?} is the second value")));
                }
                s.dev = Some(r.index(v)?);
            }
            "nud" => {
                if !state_given {
                    state_given = true;
                    s.state = 0;
                }
                let st = if w.peek() == Some("all") {
                    w.next();
                    if flush {
                        !noarp
                    } else {
                        u32::MAX
                    }
                } else {
                    match u32::from(nud_of(w)?) {
                        0 => STATE_NONE,
                        n => n,
                    }
                };
                s.state |= st;
            }
            "master" => s.master = Some(r.index(w.value(x)?)?),
            "vrf" => {
                let v = w.value(x)?;
                s.master = Some(r.index(v)?);
                s.vrf = Some(v.to_string());
            }
            "nomaster" => s.master = Some(u32::MAX),
            "unused" => s.unused = true,
            "proxy" => s.proxy = true,
            _ if is(x, "protocol", 1) => {
                s.protocol = if w.peek() == Some("all") {
                    w.next();
                    None
                } else {
                    Some(protocol_of(w, x)?).filter(|&p| p != 0)
                };
            }
            _ => {
                let v = w.positional(x, "to", false)?;
                let p = w.prefix_of(v)?;
                if s.family != 0 && p.family() != s.family {
                    return Err(w.err(format_args!("{v:?} is not of the family asked for")));
                }
                s.family = p.family();
                s.to = Some(p);
            }
        }
    }
    Ok(s)
}

/// The protocol after `kw`: a name from `rt_protos` or a number.
fn protocol_of(w: &mut Words, kw: &str) -> Result<u8, CliError> {
    let v = w.value(kw)?;
    parse_protocol(v)
        .or_else(|| super::words::parse_num(v))
        .ok_or_else(|| w.err(format_args!("invalid \"protocol\" value {v:?}")))
}

/// A neighbour's address.
fn addr_of(w: &Words, v: &str) -> Result<IpAddr, CliError> {
    v.parse()
        .map_err(|_| w.err(format_args!("{v:?} is not a valid address")))
}

/// `proxy ADDR`: the address, once.
fn proxy_of(w: &mut Words, dst: &mut Option<IpAddr>) -> Result<(), CliError> {
    let v = w.value("proxy")?;
    let ip = addr_of(w, v)?;
    w.set_once(dst, "address", v, ip)
}

/// `neigh get {[to] ADDR|proxy ADDR} dev D`.
fn parse_get(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut dst: Option<IpAddr> = None;
    let mut proxy = false;
    let mut dev: Option<String> = None;
    while let Some(x) = w.next() {
        match x {
            "dev" => dev = Some(w.value("dev")?.to_string()),
            _ if is(x, "proxy", 1) => {
                proxy_of(w, &mut dst)?;
                proxy = true;
            }
            _ => {
                let v = w.positional(x, "to", dst.is_some())?;
                dst = Some(addr_of(w, v)?);
            }
        }
    }
    let (Some(dst), Some(dev)) = (dst, dev) else {
        return Err(w.err("device and address are required arguments"));
    };
    let ifindex = r.index(&dev)?;
    Ok(Parsed::Show(Show::NeighGet(NeighGet {
        ifindex,
        dst,
        proxy,
    })))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    /// Change what exists, create nothing.
    Change,
    Delete,
}

fn parse_change(
    g: &Global,
    w: &mut Words,
    r: &mut dyn Resolve,
    op: Op,
) -> Result<Parsed, CliError> {
    let mut dst: Option<IpAddr> = None;
    let mut lladdr: Option<Vec<u8>> = None;
    let mut null_lladdr = false;
    let mut protocol: Option<u8> = None;
    let mut dev: Option<String> = None;
    let mut nud: Option<u16> = None;
    let mut flags = 0u8;
    // iproute2's order of tests and abbreviations (`l` is lladdr, `p` proxy).
    while let Some(x) = w.next() {
        match x {
            _ if is(x, "lladdr", 1) => {
                let v = w.value("lladdr")?;
                if lladdr.is_some() || null_lladdr {
                    return Err(w.err(format_args!(
                        "duplicate \"lladdr\": {v:?} is the second value"
                    )));
                }
                if v == "null" {
                    null_lladdr = true;
                    continue;
                }
                lladdr = Some(
                    parse_mac(v)
                        .filter(|m| !m.is_empty())
                        .ok_or_else(|| w.err(format_args!("{v:?} is not a valid lladdr")))?,
                );
            }
            "nud" => nud = Some(nud_of(w)?),
            _ if is(x, "proxy", 1) => {
                proxy_of(w, &mut dst)?;
                flags |= NTF_PROXY;
            }
            "router" => flags |= NTF_ROUTER,
            _ if is(x, "extern_learn", 1) => flags |= NTF_EXT_LEARNED,
            "dev" => dev = Some(w.value("dev")?.to_string()),
            _ if is(x, "protocol", 1) => protocol = Some(protocol_of(w, x)?),
            _ => {
                let v = w.positional(x, "to", dst.is_some())?;
                dst = Some(addr_of(w, v)?);
            }
        }
    }
    let dst = dst.ok_or_else(|| w.err("an address is needed"))?;
    let dev = dev.ok_or_else(|| w.err("\"dev NAME\" is needed"))?;
    let fam = super::family(g);
    if fam != 0 && nlkit::route::family_of(&dst) != fam {
        return Err(w.err(format_args!("{dst} is not of the family asked for")));
    }
    let idx = r.index(&dev)?;
    if let Some(m) = &lladdr {
        // The kernel takes the first bytes of a longer address: refuse it.
        if let Some(n) = r.lladdr_len(&dev)?.filter(|&n| n != m.len()) {
            return Err(w.err(format_args!(
                "lladdr {} has {} bytes; {dev}'s addresses have {n}",
                mac_string(m),
                m.len()
            )));
        }
    }
    let mut req = match op {
        Op::Add | Op::Replace | Op::Change => {
            let mac = lladdr.clone().unwrap_or_default();
            let mut req = match op {
                Op::Add => NeighRequest::add(idx, dst, &mac),
                Op::Change => NeighRequest::change(idx, dst, &mac),
                _ => NeighRequest::replace(idx, dst, &mac),
            };
            if lladdr.is_none() {
                req.neigh.lladdr = None;
            }
            req.state(nud.unwrap_or(NUD_PERMANENT))
        }
        Op::Delete => NeighRequest::delete(idx, dst),
    }
    .dev_name(&dev);
    if flags != 0 {
        req = req.flags(flags);
    }
    if protocol.is_some() {
        req.neigh.protocol = protocol;
    }
    Ok(Parsed::Req(Req::Neigh(req)))
}

// ---------------------------------------------------------------------------
// Showing.

fn dump_of(s: &NeighShow) -> NeighDump {
    NeighDump {
        family: s.family,
        ifindex: s.dev.unwrap_or(0),
        master: s.master.unwrap_or(0),
        proxy: s.proxy,
    }
}

/// Runs `neigh show`.
pub fn show(
    _g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &NeighShow,
) -> Result<(), CliError> {
    check_vrf(conn, s)?;
    list_begin(out)?;
    let r = Handle::with(conn).neighs(dump_of(s), |v| {
        if !s.wants(&v) {
            return Ok(());
        }
        keep(print_neigh_with(out, &v, names, s.dev.is_some(), s.stats))
    });
    super::finish(r)?;
    list_end(out)
}

/// Runs `neigh get`: the kernel's entry for that address and link.
pub fn get(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    q: &NeighGet,
) -> Result<(), CliError> {
    let bytes = conn.get(q)?;
    let what = q.to_string();
    let malformed = |e| nlkit::Error::Malformed {
        what: what.clone(),
        source: e,
    };
    let (_, m) = nlkit::wire::MsgIter::new(&bytes)
        .next()
        .ok_or_else(|| CliError::Other(format!("{what}: empty reply")))?
        .map_err(malformed)?;
    let v = NeighView::parse(&m).map_err(malformed)?;
    list_begin(out)?;
    print_neigh_with(out, &v, names, false, g.stats)?;
    list_end(out)
}

const ENOENT: i32 = 2;

/// `vrf D`: D must be a VRF device, as ip checks (`Not a valid VRF name`).
fn check_vrf(conn: &Connection, s: &NeighShow) -> Result<(), CliError> {
    let Some(name) = &s.vrf else {
        return Ok(());
    };
    let l = Handle::with(conn).link_by_name(name)?;
    if l.kind() == Some("vrf") {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "neigh: argument \"{}\" is wrong: Not a valid VRF name",
            crate::error::clip(name)
        )))
    }
}

/// Runs `neigh flush`: deletes what `s` selects in one batch per round
/// (an entry already gone is not an error), until none is left (at most
/// 10 rounds; `FAILED` entries only in the first, as iproute2). With `-s`
/// it prints iproute2's words for the rounds.
pub fn flush(conn: &Connection, out: &mut Out, s: &NeighShow) -> Result<(), CliError> {
    check_vrf(conn, s)?;
    let mut s2 = s.clone();
    for round in 0..10 {
        let mut victims: Vec<NeighRequest> = Vec::new();
        Handle::with(conn).neighs(dump_of(&s2), |v| {
            if s2.wants(&v) {
                if let Some(d) = v.dst {
                    victims.push(NeighRequest::delete(v.ifindex(), d));
                }
            }
            Ok(())
        })?;
        if victims.is_empty() {
            if s.stats > 0 {
                if round == 0 {
                    out.line("Nothing to flush.")?;
                } else {
                    let r = if round > 1 { "s" } else { "" };
                    out.line(format_args!(
                        "*** Flush is complete after {round} round{r} ***"
                    ))?;
                }
            }
            return Ok(());
        }
        let n = victims.len();
        let mut first = None;
        conn.batch(victims, AckMode::ErrorsOnly, |_, r| {
            if let Err(e) = r {
                if e.errno() != Some(ENOENT) && first.is_none() {
                    first = Some(e);
                }
            }
        })?;
        if let Some(e) = first {
            return Err(e.into());
        }
        if s.stats > 0 {
            out.line(format_args!(
                "\n*** Round {}, deleting {n} entries ***",
                round + 1
            ))?;
        }
        s2.state &= !u32::from(NUD_FAILED);
    }
    out.line("*** Flush not complete bailing out after 10 rounds")?;
    Err(CliError::Other(
        "neigh flush: not complete after 10 rounds".into(),
    ))
}

fn print_neigh_with(
    out: &mut Out,
    v: &NeighView<'_>,
    names: &mut Names,
    omit_dev: bool,
    stats: u8,
) -> Result<(), CliError> {
    out.object(|b, json| write_neigh(&mut Emit::new(b, json), v, names, omit_dev, stats))
}

/// The flag words iproute2 prints, in its order: `router`, `proxy`,
/// `managed` (`NDA_FLAGS_EXT`), `extern_learn`, `offload`.
fn flag_words(v: &NeighView<'_>) -> impl Iterator<Item = &'static str> {
    let f = v.flags();
    let managed = v.flags_ext.unwrap_or(0) & NTF_EXT_MANAGED != 0;
    [
        (f & NTF_ROUTER != 0, "router"),
        (f & NTF_PROXY != 0, "proxy"),
        (managed, "managed"),
        (f & NTF_EXT_LEARNED != 0, "extern_learn"),
        (f & NTF_OFFLOADED != 0, "offload"),
    ]
    .into_iter()
    .filter_map(|(on, w)| on.then_some(w))
}

/// The clock ticks per second of `NDA_CACHEINFO` (`USER_HZ`).
const USER_HZ: u32 = 100;

/// `-s`: `(refcnt, used, confirmed, updated)` in seconds, and the probes.
fn cache_stats(v: &NeighView<'_>) -> (Option<[u32; 4]>, Option<u32>) {
    let c = v.cacheinfo.map(|c| {
        [
            c.refcnt.get(),
            c.used.get() / USER_HZ,
            c.confirmed.get() / USER_HZ,
            c.updated.get() / USER_HZ,
        ]
    });
    (c, v.probes)
}

/// One neighbour, as `ip neigh` (each word followed by a blank, the cache
/// times excepted) or as an element of `ip -j neigh`; `stats`: `-s`.
pub fn write_neigh(
    e: &mut Emit<'_>,
    v: &NeighView<'_>,
    names: &mut Names,
    omit_dev: bool,
    stats: u8,
) {
    e.open_obj(None);
    if let Some(d) = v.dst {
        write_host(e, "dst", "", d, " ");
    }
    if !omit_dev && v.ifindex() != 0 {
        e.dev("dev", "dev ", names, v.ifindex(), " ");
    }
    if let Some(l) = v.lladdr {
        e.plain_str("lladdr", "lladdr ", Mac(l), " ");
    }
    for w in flag_words(v) {
        e.null(w, w);
        e.text(" ");
    }
    if stats > 0 {
        let (c, probes) = cache_stats(v);
        if let Some([refcnt, used, confirmed, updated]) = c {
            if refcnt != 0 {
                e.num("refcnt", " ref ", refcnt, "");
            }
            e.num("used", " used ", used, "/");
            e.num("confirmed", "", confirmed, "/");
            e.num("updated", "", updated, "");
        }
        if let Some(p) = probes {
            e.num("probes", "probes ", p, " ");
        }
    }
    let state = v.state();
    if state != 0 {
        e.open_arr("state");
        for &(bit, n) in NUD_NAMES {
            if state & bit as u16 == bit as u16 && bit != 0 {
                e.item(n, " ");
            }
        }
        e.close_arr();
    }
    if let Some(p) = v.protocol.filter(|&p| p != 0) {
        match protocol_name(p) {
            Some(n) => e.str("protocol", "proto ", n, " "),
            None => e.plain_str("protocol", "proto ", p, " "),
        }
    }
    e.close_obj();
}
