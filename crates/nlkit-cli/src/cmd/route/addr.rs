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
//! link with none is left out when a family or another filter is given).
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

use super::link::{
    brief_head, brief_json_base, link_body, link_head, link_json_base, stats_json, stats_text,
};
use super::words::{is_delete, is_show, Words};
use super::{connect_in, keep, list_begin, list_end, no_device, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::addr::{parse_ifa_flag, IFA_F_PERMANENT, IFA_F_SECONDARY};
use nlkit::route::{
    parse_scope, scope_str, Addr, AddrDump, AddrRequest, AddrView, Handle, LinkRequest, LinkView,
    Prefix, AF_INET, AF_INET6, RT_SCOPE_HOST,
};
use nlkit::{AckMode, Connection};
use serde_json::{json, Map, Value};
use std::net::{IpAddr, Ipv4Addr};

/// `nlkit addr help`.
pub const USAGE: &str = "\
Usage: nlkit [-br] [-s [-s]] addr [show] [[dev] NAME] [label L] [scope S] [up] [-4|-6]
       nlkit addr add|replace|del PREFIX dev NAME [peer P] [broadcast B|+|-] [label L]
                  [scope S] [metric N] [nodad] [noprefixroute] [home] [mngtmpaddr]
                  [valid_lft N|forever] [preferred_lft N|forever]
       nlkit addr flush [dev] NAME [label L] [scope S] [-4|-6]";

/// What `addr show` lists.
#[derive(Debug, Default)]
pub struct AddrShow {
    /// One device.
    pub dev: Option<String>,
    /// `AF_INET`, `AF_INET6` or 0.
    pub family: u8,
    /// Only addresses with this label.
    pub label: Option<String>,
    /// Only addresses with this scope.
    pub scope: Option<u8>,
    /// Only links that are up.
    pub up: bool,
}

impl AddrShow {
    fn filtering(&self) -> bool {
        // `-0` (AF_PACKET, 17) lists every link, as ip does.
        (self.family != 0 && self.family != 17) || self.label.is_some() || self.scope.is_some()
    }
    fn wants(&self, a: &Addr) -> bool {
        self.label
            .as_ref()
            .is_none_or(|l| a.label.as_ref() == Some(l))
            && self.scope.is_none_or(|s| a.scope == s)
    }
}

/// Parses `nlkit addr ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => parse_show(g, &mut Words::new("addr show", rest)),
        "add" | "a" => parse_change(&mut Words::new("addr add", rest), r, Op::Add),
        "replace" | "change" => parse_change(&mut Words::new("addr replace", rest), r, Op::Replace),
        c if is_delete(c) => parse_change(&mut Words::new("addr delete", rest), r, Op::Delete),
        "flush" | "f" => match parse_show(g, &mut Words::new("addr flush", rest))? {
            Parsed::Show(Show::Addr(s)) => {
                if s.dev.is_none() && s.label.is_none() {
                    return Err(CliError::usage(
                        "addr flush: give what to flush (dev D, label L)",
                    ));
                }
                Ok(Parsed::Show(Show::AddrFlush(s)))
            }
            p => Ok(p),
        },
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

fn parse_show(g: &Global, w: &mut Words) -> Result<Parsed, CliError> {
    let mut s = AddrShow {
        family: super::family(g),
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "dev" => s.dev = Some(w.value("dev")?.to_string()),
            "label" => s.label = Some(w.value("label")?.to_string()),
            "scope" => s.scope = Some(scope_of(w)?),
            "up" => s.up = true,
            _ if s.dev.is_none() && !x.starts_with('-') => s.dev = Some(x.to_string()),
            _ => return Err(w.unknown(x)),
        }
    }
    Ok(Parsed::Show(Show::Addr(s)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Delete,
}

fn lifetime(w: &mut Words, kw: &str) -> Result<u32, CliError> {
    match w.value(kw)? {
        "forever" | "infinite" => Ok(u32::MAX),
        v => {
            let v = v.strip_suffix("sec").unwrap_or(v);
            super::words::parse_num(v)
                .ok_or_else(|| w.err(format_args!("invalid lifetime {v:?} for \"{kw}\"")))
        }
    }
}

/// The broadcast address of `p` (`broadcast +`), or its network (`-`).
fn brd(p: &Prefix, plus: bool) -> Option<IpAddr> {
    let IpAddr::V4(a) = p.addr() else {
        return None;
    };
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

fn parse_change(w: &mut Words, r: &mut dyn Resolve, op: Op) -> Result<Parsed, CliError> {
    let mut local: Option<(Prefix, bool)> = None;
    let mut peer: Option<(Prefix, bool)> = None;
    let mut broadcast: Option<String> = None;
    let mut anycast: Option<IpAddr> = None;
    let mut label: Option<String> = None;
    let mut scope: Option<u8> = None;
    let mut dev: Option<String> = None;
    let mut flags = 0u32;
    let mut valid: Option<u32> = None;
    let mut preferred: Option<u32> = None;
    let mut metric: Option<u32> = None;
    let prefix = |w: &Words, v: &str| -> Result<(Prefix, bool), CliError> {
        if v == "default" || v == "all" || v == "any" {
            return Err(w.err(format_args!("{v:?} is not an address")));
        }
        Ok((w.prefix_of(v)?, v.contains('/')))
    };
    while let Some(x) = w.next() {
        match x {
            "local" => {
                let v = w.value("local")?;
                local = Some(prefix(w, v)?);
            }
            "peer" | "remote" => {
                let v = w.value(x)?;
                peer = Some(prefix(w, v)?);
            }
            "broadcast" | "brd" => broadcast = Some(w.value(x)?.to_string()),
            "anycast" => anycast = Some(w.ip("anycast")?),
            "label" => label = Some(w.value("label")?.to_string()),
            "scope" => scope = Some(scope_of(w)?),
            "dev" => dev = Some(w.value("dev")?.to_string()),
            "valid_lft" => valid = Some(lifetime(w, x)?),
            "preferred_lft" => preferred = Some(lifetime(w, x)?),
            "metric" | "priority" | "prio" => metric = Some(w.num(x)?),
            "nodad" | "noprefixroute" | "home" | "mngtmpaddr" | "autojoin" | "optimistic" => {
                flags |= parse_ifa_flag(x).unwrap_or(0);
            }
            _ if local.is_none() && !x.starts_with('-') => local = Some(prefix(w, x)?),
            _ => return Err(w.unknown(x)),
        }
    }
    let (p, has_len) = local.ok_or_else(|| w.err("an address is needed"))?;
    let dev = dev.ok_or_else(|| w.err("\"dev NAME\" is needed"))?;
    let mut p = p;
    if let Some((pp, true)) = peer {
        // `10.0.0.1 peer 10.0.0.2/32`: the peer's length is the address's.
        p = Prefix::new(p.addr(), pp.len()).ok_or_else(|| {
            w.err(format_args!(
                "prefix length {} does not fit {}",
                pp.len(),
                p.addr()
            ))
        })?;
    }
    if let Some((pp, _)) = peer {
        if pp.family() != p.family() {
            return Err(w.err("the peer is not of the address's family"));
        }
    }
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
    if let Some((pp, _)) = peer {
        req = req.peer(pp.addr());
    }
    if let Some(b) = broadcast {
        let ip = match b.as_str() {
            "+" | "-" => {
                brd(&p, b == "+").ok_or_else(|| w.err("\"broadcast +\" is for IPv4 addresses"))?
            }
            v => v
                .parse::<IpAddr>()
                .map_err(|_| w.err(format_args!("{v:?} is not a valid broadcast address")))?,
        };
        req = req.broadcast(ip);
    }
    if let Some(a) = anycast {
        req.addr.anycast = Some(a);
    }
    if let Some(l) = &label {
        if p.family() == AF_INET && !l.starts_with(dev.as_str()) {
            return Err(w.err(format_args!(
                "label {l:?} must start with the device name {dev:?}"
            )));
        }
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

fn addrs_of(aux: &Connection, s: &AddrShow, index: u32) -> Result<Vec<Addr>, CliError> {
    let mut v = Vec::new();
    Handle::with(aux).addrs(
        AddrDump {
            family: s.family,
            index,
        },
        |a| {
            if a.index() == index {
                let a = a.to_owned();
                if s.wants(&a) {
                    v.push(a);
                }
            }
            Ok(())
        },
    )?;
    Ok(v)
}

fn print_link_addrs(
    out: &mut Out,
    v: &LinkView<'_>,
    addrs: &[Addr],
    names: &mut Names,
    g: &Global,
    ll: bool,
) -> Result<(), CliError> {
    let details = g.details;
    // `-0` / `-f link`: the links alone, as ip prints them (`-br`: link's brief line).
    let (addrs, ll) = if g.link_family {
        if g.brief {
            return super::link::print_link_with(out, v, names, g);
        }
        (&[][..], true)
    } else {
        (addrs, ll)
    };
    // `-o`: one line per address, after the link's index and name, as ip.
    if out.oneline && !g.brief && !out.json && !g.link_family {
        for a in addrs {
            let name = v.name.map(|n| n.to_string()).unwrap_or_default();
            out.line(format_args!("{}: {name}    {}", v.index(), addr_lines(a)))?;
        }
        return Ok(());
    }
    if g.brief {
        if out.json {
            let mut o = brief_json_base(v, names);
            o.insert(
                "addr_info".into(),
                Value::Array(addrs.iter().map(addr_brief_json).collect()),
            );
            return out.array_item(&Value::Object(o));
        }
        let mut t = brief_head(v, names);
        for a in addrs {
            t += &addr_brief(a);
        }
        return out.line(t);
    }
    if out.json {
        let mut o = link_json_base(v, names, details, false, ll);
        if !g.link_family {
            o.insert(
                "addr_info".into(),
                Value::Array(addrs.iter().map(addr_info_json).collect()),
            );
        }
        if let Some(st) = stats_json(v, g.stats) {
            o.insert("stats64".into(), st);
        }
        return out.array_item(&Value::Object(o));
    }
    let mut t = link_head(v, names, false);
    t += &link_body(v, names, details, false, ll, 0);
    for a in addrs {
        t += "\n    ";
        t += &addr_lines(a);
    }
    t += &stats_text(v, g.stats);
    out.line(t)
}

/// One address in `ip -br addr`: `10.0.0.1/24 `, `10.0.0.1 peer 10.0.0.2/32 `.
fn addr_brief(a: &Addr) -> String {
    let Some(l) = a.local_addr() else {
        return String::new();
    };
    match a.peer() {
        Some(p) => format!("{l} peer {p}/{} ", a.prefix_len),
        None => format!("{l}/{} ", a.prefix_len),
    }
}

/// One `addr_info` element of `ip -j -br addr`: `local`, `address` (the peer), `prefixlen`.
fn addr_brief_json(a: &Addr) -> Value {
    let mut o = Map::new();
    if let Some(l) = a.local_addr() {
        o.insert("local".into(), json!(l.to_string()));
        if let Some(p) = a.peer() {
            o.insert("address".into(), json!(p.to_string()));
        }
        o.insert("prefixlen".into(), json!(a.prefix_len));
    }
    Value::Object(o)
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
    let details = g.details;
    // As iproute2: the link-layer line only without a family filter, or with -d.
    let ll = s.family == 0 || details;
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
        let addrs = addrs_of(&aux, s, v.index())?;
        if (!s.up || v.is_up()) && (!s.filtering() || !addrs.is_empty()) {
            print_link_addrs(out, &v, &addrs, names, g, ll)?;
        }
        return list_end(out);
    }
    let r = Handle::with(conn).links(|v| {
        if let Some(n) = v.name {
            names.note(v.index(), n, v.flags());
        }
        if s.up && !v.is_up() {
            return Ok(());
        }
        let addrs = match addrs_of(&aux, s, v.index()) {
            Ok(a) => a,
            Err(e) => return keep(Err(e)),
        };
        if s.filtering() && addrs.is_empty() {
            return Ok(());
        }
        keep(print_link_addrs(out, &v, &addrs, names, g, ll))
    });
    super::finish(r)?;
    list_end(out)
}

const ESRCH: i32 = 3;
const EADDRNOTAVAIL: i32 = 99;

/// Runs `addr flush`: dumps the addresses `s` selects (on `dev`, of the
/// `-4`/`-6` family, with `label`, `scope`) and deletes them in one batch
/// (acks for errors only), as iproute2 does, in rounds until none is left
/// (at most 10). An address already gone (a secondary that went with its
/// primary: `EADDRNOTAVAIL`, `ESRCH`) is not an error. Prints nothing.
pub fn flush(conn: &Connection, s: &AddrShow) -> Result<(), CliError> {
    let index = match &s.dev {
        Some(d) => match Handle::with(conn).index_of(d) {
            Ok(i) => i,
            Err(e) if e.errno() == Some(19) => return Err(no_device(d)),
            Err(e) => return Err(e.into()),
        },
        None => 0,
    };
    for _ in 0..10 {
        let mut victims: Vec<Addr> = Vec::new();
        Handle::with(conn).addrs(
            AddrDump {
                family: s.family,
                index,
            },
            |v| {
                let a = v.to_owned();
                if (index == 0 || a.index == index)
                    && (s.family == 0 || a.family == s.family)
                    && s.wants(&a)
                {
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

/// `IFA_F_*` flags in iproute2's order and words; `permanent` is shown
/// inverted, as `dynamic`.
const FLAG_WORDS: &[(u32, &str)] = &[
    (0x01, "secondary"),
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (IFA_F_PERMANENT, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// The flag words iproute2 prints for an address.
fn flag_words(a: &Addr) -> Vec<&'static str> {
    let mut v = Vec::new();
    for &(bit, name) in FLAG_WORDS {
        if bit == IFA_F_PERMANENT {
            if a.flags & bit == 0 {
                v.push("dynamic");
            }
        } else if a.flags & bit != 0 {
            v.push(if bit == IFA_F_SECONDARY && a.family == AF_INET6 {
                "temporary"
            } else {
                name
            });
        }
    }
    v
}

fn lft(v: u32) -> String {
    if v == u32::MAX {
        "forever".into()
    } else {
        format!("{v}sec")
    }
}

fn family_word(f: u8) -> String {
    match f {
        AF_INET => "inet".into(),
        AF_INET6 => "inet6".into(),
        f => nlkit::route::family_name(f)
            .map(str::to_string)
            .unwrap_or_else(|| format!("family {f}")),
    }
}

/// `inet 10.0.0.1/24 brd 10.0.0.255 scope global v0` and the lifetimes line.
fn addr_lines(a: &Addr) -> String {
    let mut s = family_word(a.family);
    let local = a.local_addr();
    match (local, a.peer()) {
        (Some(l), Some(p)) => s += &format!(" {l} peer {p}/{}", a.prefix_len),
        (Some(l), None) => s += &format!(" {l}/{}", a.prefix_len),
        (None, _) => {}
    }
    if let Some(m) = a.rt_priority {
        s += &format!(" metric {m}");
    }
    if let Some(b) = a.broadcast {
        s += &format!(" brd {b}");
    }
    if let Some(x) = a.anycast {
        s += &format!(" any {x}");
    }
    s += &format!(" scope {}", scope_str(a.scope));
    for f in flag_words(a) {
        s += " ";
        s += f;
    }
    if let Some(l) = &a.label {
        if a.family == AF_INET {
            s += &format!(" {l}");
        }
    }
    if let Some(c) = &a.cacheinfo {
        s += &format!(
            "\n       valid_lft {} preferred_lft {}",
            lft(c.valid.get()),
            lft(c.preferred.get())
        );
    }
    s
}

/// One `addr_info` element, as `ip -j addr` prints it.
pub fn addr_info_json(a: &Addr) -> Value {
    let mut o = Map::new();
    o.insert("family".into(), json!(family_word(a.family)));
    if let Some(l) = a.local_addr() {
        o.insert("local".into(), json!(l.to_string()));
    }
    if let Some(p) = a.peer() {
        o.insert("address".into(), json!(p.to_string()));
    }
    o.insert("prefixlen".into(), json!(a.prefix_len));
    if let Some(m) = a.rt_priority {
        o.insert("metric".into(), json!(m));
    }
    if let Some(b) = a.broadcast {
        o.insert("broadcast".into(), json!(b.to_string()));
    }
    if let Some(x) = a.anycast {
        o.insert("anycast".into(), json!(x.to_string()));
    }
    o.insert("scope".into(), json!(scope_str(a.scope)));
    for f in flag_words(a) {
        o.insert(f.into(), json!(true));
    }
    if let Some(l) = &a.label {
        o.insert("label".into(), json!(l));
    }
    if let Some(c) = &a.cacheinfo {
        o.insert("valid_life_time".into(), json!(c.valid.get()));
        o.insert("preferred_life_time".into(), json!(c.preferred.get()));
    }
    Value::Object(o)
}

/// One address on its own, as `ip monitor` prints it:
/// `3: v0    inet 10.0.0.1/24 scope global v0` and the lifetimes line.
#[allow(dead_code)] // for the monitor
pub fn addr_text(v: &AddrView<'_>, names: &mut Names) -> String {
    let a = v.to_owned();
    format!("{}: {}    {}", a.index, names.name(a.index), addr_lines(&a))
}

/// One address on its own as JSON: `{"ifindex", "ifname", "addr_info": [..]}`.
#[allow(dead_code)] // for the monitor
pub fn addr_json(v: &AddrView<'_>, names: &mut Names) -> Value {
    let a = v.to_owned();
    json!({
        "ifindex": a.index,
        "ifname": names.name(a.index),
        "addr_info": [addr_info_json(&a)],
    })
}

/// Prints one address on its own (text, or a JSON array element).
#[allow(dead_code)] // for the monitor
pub fn print_addr(out: &mut Out, v: &AddrView<'_>, names: &mut Names) -> Result<(), CliError> {
    if out.json {
        out.array_item(&addr_json(v, names))
    } else {
        out.line(addr_text(v, names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            addr_lines(&a),
            "inet 10.9.0.1/24 brd 10.9.0.255 scope global v0\n       valid_lft forever preferred_lft forever"
        );
        let j = addr_info_json(&a);
        assert_eq!(j["local"], "10.9.0.1");
        assert_eq!(j["prefixlen"], 24);
        assert_eq!(j["valid_life_time"], 4294967295u32);
        assert!(j.get("dynamic").is_none());
    }
}
