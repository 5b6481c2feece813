//! `nlkit neigh`: show, add, replace, del.
//!
//! ```text
//! nlkit neigh [show] [[to] PREFIX] [dev D] [nud STATE|all] [proxy] [-4|-6]
//! nlkit neigh add|replace|change|del {[to] ADDR|proxy ADDR} [lladdr MAC|null] dev D
//!             [nud permanent|noarp|reachable|stale|...] [router]
//! ```
//!
//! As with `ip neigh`, `show` leaves out `NOARP` and `NONE` entries unless
//! `nud all` (or that state) is asked for, and `dev` is left out of each line
//! when the listing is filtered by device. `add` makes a `permanent` entry
//! unless `nud` says otherwise. A second address or `lladdr` is an error,
//! as in iproute2; an `lladdr` whose length is not the device's is refused
//! (the kernel would keep its first bytes).
//!
//! JSON (`-j`), one object per entry: `dst`, `dev`, `lladdr`, `router`,
//! `proxy`, `extern_learn`, `offload` (present, `null`, when set, as in
//! iproute2), `state` (array of `NUD_*` names: `REACHABLE`, `PERMANENT`...).

use super::words::{is, is_delete, is_show, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::attrs::{mac_string, parse_mac};
use nlkit::route::neigh::{
    nud_names, parse_nud, NTF_EXT_LEARNED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NUD_NOARP,
    NUD_PERMANENT,
};
use nlkit::route::{Handle, NeighDump, NeighRequest, NeighView, AF_INET, AF_INET6};
use nlkit::Connection;
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// `nlkit neigh help`.
pub const USAGE: &str = "\
Usage: nlkit neigh [show] [[to] PREFIX] [dev D] [nud STATE|all] [proxy] [-4|-6]
       nlkit neigh add|replace|del {ADDR|proxy ADDR} [lladdr MAC|null] dev D [nud STATE] [router]
       STATE := permanent | noarp | reachable | stale | none | incomplete | delay | probe | failed";

/// What `neigh show` lists.
#[derive(Debug, Default)]
pub struct NeighShow {
    /// `AF_INET`, `AF_INET6` or 0.
    pub family: u8,
    /// Only this device.
    pub dev: Option<u32>,
    /// Only these states (`None`: all but `NOARP` and `NONE`); `Some(u16::MAX)` for `all`.
    pub nud: Option<u16>,
    /// Proxy entries instead of the cache.
    pub proxy: bool,
    /// Only entries inside this prefix (`show 10.0.0.0/24`, `to ADDR`).
    pub to: Option<nlkit::route::Prefix>,
}

/// Parses `nlkit neigh ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => parse_show(g, &mut Words::new("neigh show", rest), r),
        "add" | "a" => parse_change(g, &mut Words::new("neigh add", rest), r, Op::Add),
        "replace" => parse_change(g, &mut Words::new("neigh replace", rest), r, Op::Replace),
        "change" => parse_change(g, &mut Words::new("neigh change", rest), r, Op::Change),
        c if is_delete(c) => parse_change(g, &mut Words::new("neigh delete", rest), r, Op::Delete),
        c => Err(CliError::usage(format!(
            "neigh: unknown command {c:?}; try show, add, replace, del"
        ))),
    }
}

fn nud_of(w: &mut Words) -> Result<u16, CliError> {
    let v = w.value("nud")?;
    parse_nud(v).ok_or_else(|| w.err(format_args!("unknown state {v:?}")))
}

fn parse_show(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut s = NeighShow {
        family: super::family(g),
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "dev" => s.dev = Some(r.index(w.value("dev")?)?),
            "nud" => {
                let st = if w.peek() == Some("all") {
                    w.next();
                    u16::MAX
                } else {
                    nud_of(w)?
                };
                s.nud = Some(s.nud.filter(|&n| n != u16::MAX).unwrap_or(0) | st);
            }
            "proxy" => s.proxy = true,
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
    Ok(Parsed::Show(Show::Neigh(s)))
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
    let mut dev: Option<String> = None;
    let mut nud: Option<u16> = None;
    let mut flags = 0u8;
    let addr = |w: &Words, v: &str| -> Result<IpAddr, CliError> {
        v.parse()
            .map_err(|_| w.err(format_args!("{v:?} is not a valid address")))
    };
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
                let v = w.value("proxy")?;
                if dst.is_some() {
                    return Err(w.err(format_args!(
                        "duplicate \"address\": {v:?} is the second value"
                    )));
                }
                dst = Some(addr(w, v)?);
                flags |= NTF_PROXY;
            }
            "router" => flags |= NTF_ROUTER,
            _ if is(x, "extern_learn", 1) => flags |= NTF_EXT_LEARNED,
            "dev" => dev = Some(w.value("dev")?.to_string()),
            _ => {
                let v = w.positional(x, "to", dst.is_some())?;
                dst = Some(addr(w, v)?);
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
    Ok(Parsed::Req(Req::Neigh(req)))
}

// ---------------------------------------------------------------------------
// Showing.

/// Runs `neigh show`.
pub fn show(
    _g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &NeighShow,
) -> Result<(), CliError> {
    let dump = NeighDump {
        family: s.family,
        ifindex: s.dev.unwrap_or(0),
        master: 0,
        proxy: s.proxy,
    };
    list_begin(out)?;
    let r = Handle::with(conn).neighs(dump, |v| {
        let fam = v.family();
        if fam != AF_INET && fam != AF_INET6 {
            return Ok(());
        }
        if s.family != 0 && fam != s.family {
            return Ok(());
        }
        if s.dev.is_some_and(|d| v.ifindex() != d) {
            return Ok(());
        }
        if let Some(p) = &s.to {
            if !p.is_empty() && !v.dst.is_some_and(|d| p.contains(&d)) {
                return Ok(());
            }
        }
        if !s.proxy {
            let st = v.state();
            let ok = match s.nud {
                None => st != 0 && st & NUD_NOARP == 0,
                Some(u16::MAX) => true,
                Some(want) => st & want != 0 || (want == 0 && st == 0),
            };
            if !ok {
                return Ok(());
            }
        }
        keep(print_neigh(out, &v, names, s.dev.is_some()))
    });
    super::finish(r)?;
    list_end(out)
}

/// Prints one neighbour (text, or a JSON array element); `omit_dev` when the
/// listing is filtered by device.
pub fn print_neigh(
    out: &mut Out,
    v: &NeighView<'_>,
    names: &mut Names,
    omit_dev: bool,
) -> Result<(), CliError> {
    if out.json {
        out.array_item(&neigh_json(v, names, omit_dev))
    } else {
        out.line(neigh_text(v, names, omit_dev))
    }
}

const FLAG_WORDS: &[(u8, &str)] = &[
    (NTF_ROUTER, "router"),
    (NTF_PROXY, "proxy"),
    (NTF_EXT_LEARNED, "extern_learn"),
    (NTF_OFFLOADED, "offload"),
];

/// One neighbour as `ip neigh` prints it, trailing blank included.
pub fn neigh_text(v: &NeighView<'_>, names: &mut Names, omit_dev: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = v.dst {
        parts.push(d.to_string());
    }
    if !omit_dev && v.ifindex() != 0 {
        parts.push(format!("dev {}", names.name(v.ifindex())));
    }
    if let Some(l) = v.lladdr {
        parts.push(format!("lladdr {}", mac_string(l)));
    }
    for &(bit, w) in FLAG_WORDS {
        if v.flags() & bit != 0 {
            parts.push(w.to_string());
        }
    }
    if v.state() != 0 {
        parts.push(nud_names(v.state()).join(" "));
    }
    // iproute2 follows each word with a blank, the last one too.
    let mut s = parts.join(" ");
    s.push(' ');
    s
}

/// One neighbour as `ip -j neigh` prints it.
pub fn neigh_json(v: &NeighView<'_>, names: &mut Names, omit_dev: bool) -> Value {
    let mut o = Map::new();
    if let Some(d) = v.dst {
        o.insert("dst".into(), json!(d.to_string()));
    }
    if !omit_dev && v.ifindex() != 0 {
        o.insert("dev".into(), json!(names.name(v.ifindex())));
    }
    if let Some(l) = v.lladdr {
        o.insert("lladdr".into(), json!(mac_string(l)));
    }
    for &(bit, w) in FLAG_WORDS {
        if v.flags() & bit != 0 {
            o.insert(w.into(), Value::Null);
        }
    }
    if v.state() != 0 {
        o.insert("state".into(), json!(nud_names(v.state())));
    }
    Value::Object(o)
}
