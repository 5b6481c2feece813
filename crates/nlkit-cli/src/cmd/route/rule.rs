//! `nlkit rule`: show, add, del.
//!
//! ```text
//! nlkit rule [show] [-4|-6]
//! nlkit rule add|del [not] [from PREFIX|all] [to PREFIX|all] [tos N]
//!            [fwmark M[/MASK]] [iif D] [oif D] [priority|pref N] [protocol P]
//!            [table|lookup T | blackhole | unreachable | prohibit | nop | goto N]
//!            [suppress_prefixlength N] [l3mdev] [uidrange A-B] [ipproto N]
//!            [sport N[-M]] [dport N[-M]]
//! ```
//!
//! As with `ip rule`, `show` lists IPv4 rules unless `-6` is given, and the
//! family of `add`/`del` follows the prefixes (else `-6`, else IPv4). A rule
//! may name an interface that does not exist yet (`iif`, `oif`): those names
//! are not resolved. `add` without an action looks up table main.
//!
//! `rule show` and `rule flush` take the selectors of `add` (`pref`,
//! `not`, `from`, `to`, `tos`, `fwmark`, `iif`, `oif`, `l3mdev`,
//! `uidrange`, `tun_id`, `table`, `ipproto`, `sport`, `dport`; `flush`
//! also `protocol`) and match as iproute2 6.1 does; `flush` deletes every
//! selected rule that has a priority (all but `0: lookup local`).
//! A bare `rule add` or `rule del` is refused, as ip refuses it.
//!
//! Text and JSON (`-j`) are `ip rule`'s, key for key: `priority`, `not`
//! (null), `src` (`all` when absent) and `srclen`, `dst` and `dstlen`
//! (lengths only when not a host length), `tos`, `fwmark` and `fwmask` (hex
//! strings), `iif`, `iif_detached`, `oif`, `oif_detached`, `l3mdev`,
//! `uid_start` and `uid_end`, `ipproto` (a name), `sport` or `sport_start`
//! and `sport_end` (numbers; the same for `dport`), `tun_id`, `table` (a
//! name or number, as a string), `suppress_prefixlen`, `suppress_ifgroup`,
//! `flow_from` and `flow_to` (realms), `nat_gateway` or `masquerade`,
//! `goto` (a number, or `"none"`) and `unresolved`, `nop`, `action`,
//! `protocol` (not `kernel` or `unspec` unless `-d`).

use super::emit::Emit;
use super::hosts::text as host;
use super::routes::{same_bits, write_name};
use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::routes::{parse_realms, realm_name};
use nlkit::route::rule::{
    fr_act, ip_proto_name, parse_ip_proto, FIB_RULE_IIF_DETACHED, FIB_RULE_INVERT,
    FIB_RULE_OIF_DETACHED, FIB_RULE_UNRESOLVED, FR_ACT_NAT,
};
use nlkit::route::{
    family_of, parse_protocol, parse_table, protocol_name, route_type_name, rtprot, table_name,
    Handle, Prefix, Rule, RuleRequest, RuleView, AF_INET, AF_INET6,
};
use nlkit::{AckMode, Connection};
use std::net::IpAddr;

/// `nlkit rule help`.
pub const USAGE: &str = "\
Usage: nlkit rule [show|flush] [-4|-6] [SELECTOR...]
       nlkit rule add|del [not] [from P|all] [to P|all] [fwmark M[/MASK]] [iif D] [oif D]
                  [priority N] [table T | blackhole | unreachable | prohibit | nop | goto N]";

/// What `rule show` lists (and `rule flush` deletes): iproute2's selectors.
#[derive(Debug, Default)]
pub struct RuleShow {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// `pref N`.
    pub priority: Option<u32>,
    /// `not`: inverted rules only.
    pub not: bool,
    /// `from PREFIX`: rules whose source is inside it.
    pub from: Option<Prefix>,
    /// `to PREFIX`.
    pub to: Option<Prefix>,
    /// `tos`.
    pub tos: Option<u8>,
    /// `fwmark M[/K]` (0: any).
    pub fwmark: u32,
    /// The mask of `fwmark M/K` (0: any).
    pub fwmask: u32,
    /// `iif NAME`.
    pub iif: Option<String>,
    /// `oif NAME`.
    pub oif: Option<String>,
    /// `l3mdev`.
    pub l3mdev: bool,
    /// `uidrange A-B`.
    pub uid_range: Option<(u32, u32)>,
    /// `tun_id N` (0: any).
    pub tun_id: u64,
    /// `table T` (0: any).
    pub table: u32,
    /// `ipproto P` (0: any).
    pub ip_proto: u8,
    /// `sport A[-B]` (start 0: any).
    pub sport: (u16, u16),
    /// `dport A[-B]`.
    pub dport: (u16, u16),
    /// `protocol P` (`flush` only, as in iproute2; `all`: none).
    pub protocol: Option<u8>,
}

/// Parses `nlkit rule ...`.
pub fn parse(g: &Global, words: &[String], _r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) || c == "ls" => {
            let s = parse_show(g, &mut Words::new("rule show", rest))?;
            Ok(Parsed::Show(Show::Rule(s)))
        }
        "flush" | "f" => {
            let s = parse_show(g, &mut Words::new("rule flush", rest))?;
            Ok(Parsed::Show(Show::RuleFlush(s)))
        }
        "add" | "a" => parse_change(g, &mut Words::new("rule add", rest), true),
        c if is_delete(c) => parse_change(g, &mut Words::new("rule delete", rest), false),
        c => Err(CliError::usage(format!(
            "rule: unknown command {c:?}; try show, flush, add, del"
        ))),
    }
}

fn parse_show(g: &Global, w: &mut Words) -> Result<RuleShow, CliError> {
    let mut s = RuleShow {
        family: match super::family(g) {
            0 => AF_INET,
            f => f,
        },
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "preference" | "pref" | "prio" | "priority" | "order" => s.priority = Some(w.num(x)?),
            "not" => s.not = true,
            "tos" | "dsfield" => s.tos = Some(w.num(x)?),
            "fwmark" => {
                let v = w.value(x)?;
                let (m, k) = fwmark_of(w, v)?;
                s.fwmark = m;
                s.fwmask = k.unwrap_or(0);
            }
            "dev" | "iif" => s.iif = Some(w.value(x)?.to_string()),
            "oif" => s.oif = Some(w.value(x)?.to_string()),
            "l3mdev" => s.l3mdev = true,
            "uidrange" => {
                let v = w.value(x)?;
                s.uid_range = Some(uid_range_of(w, v)?);
            }
            "tun_id" => s.tun_id = w.num(x)?,
            "lookup" | "table" => s.table = table_of(w, x)?,
            "from" | "src" => {
                let v = w.value(x)?;
                s.from = Some(rule_prefix(w, v, s.family)?);
            }
            "protocol" | "proto" => {
                s.protocol = match w.value(x)? {
                    "all" => None,
                    v => Some(protocol_of(w, v)?),
                }
            }
            "ipproto" => {
                let v = w.value(x)?;
                s.ip_proto = ip_proto_of(w, v)?;
            }
            "sport" | "dport" => {
                let v = w.value(x)?;
                let r = range16(w, v, x)?;
                if x == "sport" {
                    s.sport = r;
                } else {
                    s.dport = r;
                }
            }
            _ => {
                let v = if x == "to" || x == "dst" {
                    w.value(x)?
                } else {
                    x
                };
                s.to = Some(rule_prefix(w, v, s.family)?);
            }
        }
    }
    for p in [s.from, s.to].iter().flatten() {
        if p.family() != s.family {
            return Err(w.err(format_args!("{p} is not of the family asked for")));
        }
    }
    Ok(s)
}

/// A listing's prefix: `all`, `any` and `default` are the /0 of the
/// listing's family (ip reads them so).
fn rule_prefix(w: &Words, v: &str, family: u8) -> Result<Prefix, CliError> {
    match v {
        "all" | "any" | "default" => Ok(Prefix::default_for(family)),
        _ => w.prefix_of(v),
    }
}

fn fwmark_of(w: &Words, v: &str) -> Result<(u32, Option<u32>), CliError> {
    let bad = || w.err(format_args!("invalid fwmark {v:?}"));
    Ok(match v.split_once('/') {
        Some((m, k)) => (
            parse_num(m).ok_or_else(bad)?,
            Some(parse_num(k).ok_or_else(bad)?),
        ),
        None => (parse_num(v).ok_or_else(bad)?, None),
    })
}

fn uid_range_of(w: &Words, v: &str) -> Result<(u32, u32), CliError> {
    let bad = || w.err(format_args!("invalid uidrange {v:?}"));
    let (a, b) = v.split_once('-').ok_or_else(bad)?;
    Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
}

fn table_of(w: &mut Words, kw: &str) -> Result<u32, CliError> {
    let v = w.value(kw)?;
    parse_table(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown table {v:?}")))
}

fn protocol_of(w: &Words, v: &str) -> Result<u8, CliError> {
    parse_protocol(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown protocol {v:?}")))
}

fn ip_proto_of(w: &Words, v: &str) -> Result<u8, CliError> {
    parse_ip_proto(v).ok_or_else(|| w.err(format_args!("invalid \"ipproto\" value {v:?}")))
}

fn range16(w: &Words, v: &str, kw: &str) -> Result<(u16, u16), CliError> {
    let bad = || w.err(format_args!("invalid range {v:?} for \"{kw}\""));
    match v.split_once('-') {
        Some((a, b)) => Ok((parse_num(a).ok_or_else(bad)?, parse_num(b).ok_or_else(bad)?)),
        None => {
            let n = parse_num(v).ok_or_else(bad)?;
            Ok((n, n))
        }
    }
}

fn parse_change(g: &Global, w: &mut Words, add: bool) -> Result<Parsed, CliError> {
    if w.peek().is_none() {
        return Err(w.err(if add {
            "\"ip rule add\" requires arguments"
        } else {
            "\"ip rule del\" requires arguments"
        }));
    }
    let mut flow: Option<u32> = None;
    let mut tun_id: Option<u64> = None;
    let mut sup_group: Option<u32> = None;
    let mut nat: Option<IpAddr> = None;
    let mut from: Option<Prefix> = None;
    let mut to: Option<Prefix> = None;
    let mut invert = false;
    let mut tos: Option<u8> = None;
    let mut fwmark: Option<(u32, Option<u32>)> = None;
    let mut iif: Option<String> = None;
    let mut oif: Option<String> = None;
    let mut prio: Option<u32> = None;
    let mut table: Option<u32> = None;
    let mut action: Option<u8> = None;
    let mut goto: Option<u32> = None;
    let mut proto: Option<u8> = None;
    let mut suppress: Option<u32> = None;
    let mut l3mdev = false;
    let mut uid: Option<(u32, u32)> = None;
    let mut ipproto: Option<u8> = None;
    let mut sport: Option<(u16, u16)> = None;
    let mut dport: Option<(u16, u16)> = None;
    let any = |w: &Words, v: &str| -> Result<Option<Prefix>, CliError> {
        if v == "all" {
            Ok(None)
        } else {
            w.prefix_of(v).map(Some)
        }
    };
    while let Some(x) = w.next() {
        match x {
            "not" => invert = true,
            "from" => {
                let v = w.value(x)?;
                from = any(w, v)?;
            }
            "to" => {
                let v = w.value(x)?;
                to = any(w, v)?;
            }
            "tos" | "dsfield" => tos = Some(w.num(x)?),
            "fwmark" => {
                let v = w.value(x)?;
                fwmark = Some(fwmark_of(w, v)?);
            }
            "realms" | "realm" => {
                let v = w.value(x)?;
                flow = Some(
                    parse_realms(v).ok_or_else(|| w.err(format_args!("invalid realms {v:?}")))?,
                );
            }
            "tun_id" => tun_id = Some(w.num(x)?),
            "suppress_ifgroup" | "sup_group" => {
                let v = w.value(x)?;
                sup_group = Some(if v == "default" {
                    0
                } else {
                    parse_num(v).ok_or_else(|| {
                        w.err(format_args!("invalid \"suppress_ifgroup\" value {v:?}"))
                    })?
                });
            }
            "nat" | "map-to" => {
                let v = w.value(x)?;
                let a: std::net::Ipv4Addr = v
                    .parse()
                    .map_err(|_| w.err(format_args!("invalid address {v:?}")))?;
                eprintln!("Warning: route NAT is deprecated");
                nat = Some(IpAddr::V4(a));
            }
            "iif" | "dev" => iif = Some(w.value(x)?.to_string()),
            "oif" => oif = Some(w.value(x)?.to_string()),
            "priority" | "pref" | "prio" | "preference" | "order" => prio = Some(w.num(x)?),
            "table" | "lookup" => table = Some(table_of(w, x)?),
            "protocol" | "proto" => {
                let v = w.value(x)?;
                proto = Some(protocol_of(w, v)?);
            }
            "suppress_prefixlength" | "sup_pl" => suppress = Some(w.num(x)?),
            "l3mdev" => l3mdev = true,
            "uidrange" => {
                let v = w.value(x)?;
                uid = Some(uid_range_of(w, v)?);
            }
            "ipproto" => {
                let v = w.value(x)?;
                ipproto = Some(ip_proto_of(w, v)?);
            }
            "sport" => {
                let v = w.value(x)?;
                sport = Some(range16(w, v, x)?);
            }
            "dport" => {
                let v = w.value(x)?;
                dport = Some(range16(w, v, x)?);
            }
            "blackhole" => action = Some(fr_act::BLACKHOLE),
            "unreachable" => action = Some(fr_act::UNREACHABLE),
            "prohibit" => action = Some(fr_act::PROHIBIT),
            "nop" => action = Some(fr_act::NOP),
            "goto" => goto = Some(w.num(x)?),
            "type" => {
                let v = w.value(x)?;
                action = Some(match v {
                    "blackhole" => fr_act::BLACKHOLE,
                    "unreachable" => fr_act::UNREACHABLE,
                    "prohibit" => fr_act::PROHIBIT,
                    "nop" => fr_act::NOP,
                    "unicast" => fr_act::TO_TBL,
                    _ => return Err(w.err(format_args!("unknown rule type {v:?}"))),
                });
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let fam_opt = super::family(g);
    let fams: Vec<u8> = [from, to].iter().flatten().map(Prefix::family).collect();
    let family = fams
        .first()
        .copied()
        .unwrap_or(if fam_opt == 0 { AF_INET } else { fam_opt });
    if fams.iter().any(|&f| f != family) || (fam_opt != 0 && fam_opt != family) {
        return Err(w.err("\"from\" and \"to\" are not of the same family"));
    }
    let mut req = if add {
        RuleRequest::add(family)
    } else {
        RuleRequest::delete(family)
    };
    if let Some(p) = from {
        req = req.from(p);
    }
    if let Some(p) = to {
        req = req.to(p);
    }
    if invert {
        req = req.invert();
    }
    if let Some(t) = tos {
        req.rule.tos = t;
    }
    if let Some((m, k)) = fwmark {
        req = req.fwmark(m, k);
    }
    if let Some(i) = &iif {
        req = req.iif(i);
    }
    if let Some(o) = &oif {
        req = req.oif(o);
    }
    if let Some(p) = prio {
        req = req.priority(p);
    }
    if let Some(p) = proto {
        req = req.protocol(p);
    }
    if let Some(t) = table {
        req = req.table(t);
    }
    let n_actions = usize::from(table.is_some())
        + usize::from(action.is_some())
        + usize::from(goto.is_some())
        + usize::from(l3mdev);
    if n_actions > 1 {
        return Err(
            w.err("one action only: table, blackhole, unreachable, prohibit, nop, goto or l3mdev")
        );
    }
    if let Some(a) = action {
        req = req.action(a);
    }
    if let Some(t) = goto {
        req = req.goto(t);
    }
    if l3mdev {
        req = req.l3mdev();
    }
    if let Some(s) = suppress {
        req.rule.suppress_prefixlen = Some(s);
    }
    req.rule.uid_range = uid;
    req.rule.ip_proto = ipproto;
    req.rule.sport_range = sport;
    req.rule.dport_range = dport;
    req.rule.flow = flow;
    req.rule.tun_id = tun_id;
    req.rule.suppress_ifgroup = sup_group;
    if let Some(a) = nat {
        // As ip 6.1: action RTN_NAT, the address where RTA_GATEWAY would be.
        req.rule.action = FR_ACT_NAT;
        req.rule.nat_gateway = Some(a);
    }
    if !add && table.is_none() {
        // Deleting: match any table unless one is named.
        req.rule.table = 0;
    }
    Ok(Parsed::Req(Req::Rule(req)))
}

// ---------------------------------------------------------------------------
// Showing.

/// Runs `rule show`.
pub fn show(g: &Global, conn: &Connection, out: &mut Out, s: &RuleShow) -> Result<(), CliError> {
    list_begin(out)?;
    let r = Handle::with(conn).rules(s.family, |v| {
        if !s.wants(&v) {
            return Ok(());
        }
        keep(print_rule(out, &v, g.details))
    });
    super::finish(r)?;
    list_end(out)
}

/// Runs `rule flush`: deletes the rules `s` selects that have a priority
/// (`0: lookup local` has none), as iproute2 does, in one batch.
pub fn flush(conn: &Connection, s: &RuleShow) -> Result<(), CliError> {
    let mut victims: Vec<Rule> = Vec::new();
    Handle::with(conn).rules(s.family, |v| {
        let proto_ok = s.protocol.is_none_or(|p| v.protocol.is_none_or(|q| q == p));
        if s.wants(&v) && proto_ok && v.priority.is_some() {
            victims.push(v.to_owned());
        }
        Ok(())
    })?;
    let mut first = None;
    conn.batch(
        victims.into_iter().map(RuleRequest::delete_rule),
        AckMode::ErrorsOnly,
        |_, r| {
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        },
    )?;
    match first {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

impl RuleShow {
    /// True if the rule is selected (iproute2 6.1's `filter_nlmsg`).
    fn wants(&self, v: &RuleView<'_>) -> bool {
        let h = v.header;
        let prefix_ok = |p: &Option<Prefix>, a: Option<IpAddr>, len: u8| match p {
            None => true,
            Some(p) => {
                // As ip: a rule without the address (`from all`) is
                // inside a /0.
                h.family == p.family()
                    && p.len() <= len
                    && a.is_none_or(|a| {
                        family_of(&a) == p.family() && same_bits(a, p.addr(), p.len())
                    })
            }
        };
        let name_ok = |want: &Option<String>, have: Option<nlkit::schema::Name<'_>>| match want {
            None => true,
            Some(w) => have.is_some_and(|n| n.as_bytes() == w.as_bytes()),
        };
        h.family == self.family
            && self.priority.is_none_or(|p| v.priority.unwrap_or(0) == p)
            && (!self.not || h.flags.get() & FIB_RULE_INVERT != 0)
            && prefix_ok(&self.from, v.src, h.src_len)
            && prefix_ok(&self.to, v.dst, h.dst_len)
            && self.tos.is_none_or(|t| h.tos == t)
            && (self.fwmark == 0 || v.fwmark.unwrap_or(0) == self.fwmark)
            && (self.fwmask == 0 || v.fwmask.unwrap_or(0) == self.fwmask)
            && name_ok(&self.iif, v.iifname)
            && name_ok(&self.oif, v.oifname)
            && (!self.l3mdev || v.l3mdev.is_some_and(|m| m != 0))
            && self.uid_range.is_none_or(|r| v.uid_range == Some(r))
            && (self.ip_proto == 0 || v.ip_proto.unwrap_or(0) == self.ip_proto)
            && (self.sport.0 == 0 || v.sport_range == Some(self.sport))
            && (self.dport.0 == 0 || v.dport_range == Some(self.dport))
            && (self.tun_id == 0 || v.tun_id == Some(self.tun_id))
            && (self.table == 0 || v.table() == self.table)
    }
}

/// Prints one rule (text, or a JSON array element; `details`: `-d`).
pub fn print_rule(out: &mut Out, v: &RuleView<'_>, details: bool) -> Result<(), CliError> {
    if out.json {
        // `-p` is the display layer's (`output::Pretty`).
        let mut b = Vec::with_capacity(256);
        out.array_sep()?;
        write_rule(&mut b, true, v, details);
        out.raw(&b)
    } else {
        let mut b = Vec::with_capacity(256);
        write_rule(&mut b, false, v, details);
        b.push(b'\n');
        out.raw(&b)
    }
}

fn host_len(fam: u8) -> u8 {
    if fam == AF_INET6 {
        128
    } else {
        32
    }
}

/// A realm's name (`cosmos`) or number.
fn write_realm(e: &mut Emit<'_>, key: &str, pre: &str, r: u16) {
    write_name(e, key, pre, realm_name(r), u32::from(r), "");
}

/// `lo-hi` of a port range: `sport N` or `sport_start`/`sport_end`.
fn write_range(e: &mut Emit<'_>, key: &str, (a, b): (u16, u16)) {
    let pre = if key == "sport" { " sport " } else { " dport " };
    if a == b {
        e.num(key, pre, a, "");
    } else {
        e.num(&format!("{key}_start"), pre, a, "");
        e.num(&format!("{key}_end"), "-", b, "");
    }
}

/// Writes one rule as `ip rule` (text, no newline) or `ip -j rule` (one
/// JSON object) prints it, in iproute2 6.1's order (`print_rule`).
pub fn write_rule(buf: &mut Vec<u8>, json: bool, v: &RuleView<'_>, details: bool) {
    let mut e = Emit::new(buf, json);
    let e = &mut e;
    let h = v.header;
    let fam = h.family;
    let flags = h.flags.get();
    e.open_obj(None);
    e.num("priority", "", v.priority.unwrap_or(0), ":\t");
    if flags & FIB_RULE_INVERT != 0 {
        e.null("not", "not ");
    }
    match v.src {
        Some(a) => {
            e.plain_str("src", "from ", a, "");
            if h.src_len != host_len(fam) {
                e.num("srclen", "/", h.src_len, "");
            }
        }
        None if h.src_len != 0 => {
            e.str("src", "from ", "0", "");
            e.num("srclen", "/", h.src_len, "");
        }
        None => e.str("src", "from ", "all", ""),
    }
    match v.dst {
        Some(a) => {
            e.plain_str("dst", " to ", a, "");
            if h.dst_len != host_len(fam) {
                e.num("dstlen", "/", h.dst_len, "");
            }
        }
        None if h.dst_len != 0 => {
            e.str("dst", " to ", "0", "");
            e.num("dstlen", "/", h.dst_len, "");
        }
        None => {}
    }
    if h.tos != 0 {
        e.plain_str("tos", " tos ", format_args!("0x{:02x}", h.tos), "");
    }
    if v.fwmark.is_some() || v.fwmask.is_some() {
        let m = v.fwmark.unwrap_or(0);
        e.plain_str("fwmark", " fwmark ", format_args!("{m:#x}"), "");
        if let Some(k) = v.fwmask.filter(|&k| k != u32::MAX) {
            e.plain_str("fwmask", "/", format_args!("{k:#x}"), "");
        }
    }
    if let Some(i) = v.iifname {
        e.name("iif", " iif ", i, "");
        if flags & FIB_RULE_IIF_DETACHED != 0 {
            e.null("iif_detached", " [detached]");
        }
    }
    if let Some(o) = v.oifname {
        e.name("oif", " oif ", o, "");
        if flags & FIB_RULE_OIF_DETACHED != 0 {
            e.null("oif_detached", " [detached]");
        }
    }
    if v.l3mdev.is_some_and(|m| m != 0) {
        e.null("l3mdev", " lookup [l3mdev-table]");
    }
    if let Some((a, b)) = v.uid_range {
        e.num("uid_start", " uidrange ", a, "");
        e.num("uid_end", "-", b, "");
    }
    if let Some(p) = v.ip_proto {
        match ip_proto_name(p) {
            Some(n) => e.str("ipproto", " ipproto ", n, ""),
            None => e.plain_str("ipproto", " ipproto ", format_args!("ipproto-{p}"), ""),
        }
    }
    if let Some(r) = v.sport_range {
        write_range(e, "sport", r);
    }
    if let Some(r) = v.dport_range {
        write_range(e, "dport", r);
    }
    if let Some(t) = v.tun_id {
        e.num("tun_id", " tun_id ", t, "");
    }
    let table = v.table();
    if table != 0 {
        write_name(e, "table", " lookup ", table_name(table), table, "");
        if let Some(pl) = v.suppress_prefixlen.filter(|&p| p != u32::MAX) {
            e.num(
                "suppress_prefixlen",
                " suppress_prefixlength ",
                pl as i32,
                "",
            );
        }
        if let Some(g) = v.suppress_ifgroup.filter(|&g| g != u32::MAX) {
            if g == 0 {
                e.str("suppress_ifgroup", " suppress_ifgroup ", "default", "");
            } else {
                e.plain_str("suppress_ifgroup", " suppress_ifgroup ", g as i32, "");
            }
        }
    }
    if let Some(f) = v.flow {
        let (from, to) = ((f >> 16) as u16, f as u16);
        if from != 0 {
            write_realm(e, "flow_from", " realms ", from);
            e.text("/");
        } else {
            e.text(" realms ");
        }
        write_realm(e, "flow_to", "", to);
    }
    match v.action() {
        FR_ACT_NAT => match v.nat_gateway {
            Some(g) => e.str("nat_gateway", " map-to ", &host(g), ""),
            None => e.null("masquerade", " masquerade"),
        },
        fr_act::GOTO => {
            match v.goto {
                Some(g) => e.num("goto", " goto ", g, ""),
                None => e.str("goto", " goto ", "none", ""),
            }
            if flags & FIB_RULE_UNRESOLVED != 0 {
                e.null("unresolved", " [unresolved]");
            }
        }
        fr_act::NOP => e.null("nop", " nop"),
        fr_act::TO_TBL => {}
        a => write_name(e, "action", " ", route_type_name(a), u32::from(a), ""),
    }
    if let Some(p) = v.protocol {
        if (p != 0 && p != rtprot::KERNEL) || details {
            write_name(e, "protocol", " proto ", protocol_name(p), u32::from(p), "");
        }
    }
    e.close_obj();
}
