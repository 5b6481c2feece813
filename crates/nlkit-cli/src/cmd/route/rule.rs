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
//! JSON (`-j`), one object per rule: `priority`, `not` (null when set),
//! `src` (`all` when absent) and `srclen`, `dst` and `dstlen` (lengths only
//! when not a host length), `tos`, `fwmark` and `fwmask` (hex strings), `iif`,
//! `iif_detached`, `oif`, `oif_detached`, `l3mdev`, `uid_range`
//! (`{start, end}`), `ipproto`, `sport`, `dport` (`N` or `N-M`), `tun_id`,
//! `table` (a name or number, as a string), `suppress_prefixlen`, `goto` and
//! `unresolved`, `action` (`blackhole`, `unreachable`, `prohibit`, `nop`),
//! `protocol`.

use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::rule::{
    action_name, fr_act, FIB_RULE_IIF_DETACHED, FIB_RULE_INVERT, FIB_RULE_OIF_DETACHED,
    FIB_RULE_UNRESOLVED,
};
use nlkit::route::{
    parse_protocol, parse_table, protocol_str, table_str, Handle, Prefix, RuleRequest, RuleView,
    AF_INET, AF_INET6,
};
use nlkit::Connection;
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// `nlkit rule help`.
pub const USAGE: &str = "\
Usage: nlkit rule [show] [-4|-6]
       nlkit rule add|del [not] [from P|all] [to P|all] [fwmark M[/MASK]] [iif D] [oif D]
                  [priority N] [table T | blackhole | unreachable | prohibit | nop | goto N]";

/// What `rule show` lists.
#[derive(Debug, Default)]
pub struct RuleShow {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
}

/// Parses `nlkit rule ...`.
pub fn parse(g: &Global, words: &[String], _r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => {
            let mut w = Words::new("rule show", rest);
            if let Some(x) = w.next() {
                return Err(w.unknown(x));
            }
            let family = match super::family(g) {
                0 => AF_INET,
                f => f,
            };
            Ok(Parsed::Show(Show::Rule(RuleShow { family })))
        }
        "add" | "a" => parse_change(g, &mut Words::new("rule add", rest), true),
        c if is_delete(c) => parse_change(g, &mut Words::new("rule delete", rest), false),
        c => Err(CliError::usage(format!(
            "rule: unknown command {c:?}; try show, add, del"
        ))),
    }
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
                let bad = || w.err(format_args!("invalid fwmark {v:?}"));
                fwmark = Some(match v.split_once('/') {
                    Some((m, k)) => (
                        parse_num(m).ok_or_else(bad)?,
                        Some(parse_num(k).ok_or_else(bad)?),
                    ),
                    None => (parse_num(v).ok_or_else(bad)?, None),
                });
            }
            "iif" | "dev" => iif = Some(w.value(x)?.to_string()),
            "oif" => oif = Some(w.value(x)?.to_string()),
            "priority" | "pref" | "prio" | "preference" | "order" => prio = Some(w.num(x)?),
            "table" | "lookup" => {
                let v = w.value(x)?;
                table = Some(
                    parse_table(v)
                        .or_else(|| parse_num(v))
                        .ok_or_else(|| w.err(format_args!("unknown table {v:?}")))?,
                );
            }
            "protocol" | "proto" => {
                let v = w.value(x)?;
                proto = Some(
                    parse_protocol(v)
                        .or_else(|| parse_num(v))
                        .ok_or_else(|| w.err(format_args!("unknown protocol {v:?}")))?,
                );
            }
            "suppress_prefixlength" | "sup_pl" => suppress = Some(w.num(x)?),
            "l3mdev" => l3mdev = true,
            "uidrange" => {
                let v = w.value(x)?;
                let bad = || w.err(format_args!("invalid uidrange {v:?}"));
                let (a, b) = v.split_once('-').ok_or_else(bad)?;
                uid = Some((parse_num(a).ok_or_else(bad)?, parse_num(b).ok_or_else(bad)?));
            }
            "ipproto" => {
                let v = w.value(x)?;
                ipproto = Some(match v {
                    "tcp" => 6,
                    "udp" => 17,
                    "icmp" => 1,
                    "ipv6-icmp" | "icmpv6" => 58,
                    "sctp" => 132,
                    _ => {
                        parse_num(v).ok_or_else(|| w.err(format_args!("unknown ipproto {v:?}")))?
                    }
                });
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
    if !add && table.is_none() {
        // Deleting: match any table unless one is named.
        req.rule.table = 0;
    }
    Ok(Parsed::Req(Req::Rule(req)))
}

// ---------------------------------------------------------------------------
// Showing.

/// Runs `rule show`.
pub fn show(_g: &Global, conn: &Connection, out: &mut Out, s: &RuleShow) -> Result<(), CliError> {
    list_begin(out)?;
    let r = Handle::with(conn).rules(s.family, |v| {
        if v.header.family != s.family {
            return Ok(());
        }
        keep(print_rule(out, &v))
    });
    super::finish(r)?;
    list_end(out)
}

/// Prints one rule (text, or a JSON array element).
pub fn print_rule(out: &mut Out, v: &RuleView<'_>) -> Result<(), CliError> {
    if out.json {
        out.array_item(&rule_json(v))
    } else {
        out.line(rule_text(v))
    }
}

fn host_len(fam: u8) -> u8 {
    if fam == AF_INET6 {
        128
    } else {
        32
    }
}

fn side(a: Option<IpAddr>, len: u8, fam: u8) -> Option<String> {
    match a {
        Some(a) if len == host_len(fam) => Some(a.to_string()),
        Some(a) => Some(format!("{a}/{len}")),
        None if len != 0 => Some(format!("0/{len}")),
        None => None,
    }
}

fn range_str((a, b): (u16, u16)) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// One rule as `ip rule` prints it: `100:\tfrom 10.0.0.0/8 lookup 100`.
pub fn rule_text(v: &RuleView<'_>) -> String {
    let h = v.header;
    let fam = h.family;
    let flags = h.flags.get();
    let mut s = format!("{}:\t", v.priority.unwrap_or(0));
    if flags & FIB_RULE_INVERT != 0 {
        s += "not ";
    }
    s += "from ";
    s += &side(v.src, h.src_len, fam).unwrap_or_else(|| "all".into());
    if let Some(t) = side(v.dst, h.dst_len, fam) {
        s += &format!(" to {t}");
    }
    if h.tos != 0 {
        s += &format!(" tos {:#x}", h.tos);
    }
    if v.fwmark.is_some() || v.fwmask.is_some() {
        let m = v.fwmark.unwrap_or(0);
        match v.fwmask.filter(|&k| k != u32::MAX) {
            Some(k) => s += &format!(" fwmark {m:#x}/{k:#x}"),
            None => s += &format!(" fwmark {m:#x}"),
        }
    }
    if let Some(i) = v.iifname {
        s += &format!(" iif {i}");
        if flags & FIB_RULE_IIF_DETACHED != 0 {
            s += " [detached]";
        }
    }
    if let Some(o) = v.oifname {
        s += &format!(" oif {o}");
        if flags & FIB_RULE_OIF_DETACHED != 0 {
            s += " [detached]";
        }
    }
    if v.l3mdev == Some(1) {
        s += " lookup [l3mdev-table]";
    }
    if let Some((a, b)) = v.uid_range {
        s += &format!(" uidrange {a}-{b}");
    }
    if let Some(p) = v.ip_proto {
        s += &format!(" ipproto {p}");
    }
    if let Some(r) = v.sport_range {
        s += &format!(" sport {}", range_str(r));
    }
    if let Some(r) = v.dport_range {
        s += &format!(" dport {}", range_str(r));
    }
    if let Some(t) = v.tun_id {
        s += &format!(" tun_id {t}");
    }
    let table = v.table();
    if table != 0 {
        s += &format!(" lookup {}", table_str(table));
        if let Some(pl) = v.suppress_prefixlen.filter(|&p| p != u32::MAX) {
            s += &format!(" suppress_prefixlength {pl}");
        }
    }
    match v.action() {
        fr_act::GOTO => {
            match v.goto {
                Some(g) => s += &format!(" goto {g}"),
                None => s += " goto none",
            }
            if flags & FIB_RULE_UNRESOLVED != 0 {
                s += " [unresolved]";
            }
        }
        fr_act::NOP => s += " nop",
        fr_act::TO_TBL => {}
        a => {
            s += " ";
            s += action_name(a).unwrap_or("unknown");
        }
    }
    if let Some(p) = v.protocol {
        if p != 0 && p != nlkit::route::rtprot::KERNEL {
            s += &format!(" proto {}", protocol_str(p));
        }
    }
    s
}

/// One rule as `ip -j rule` prints it.
pub fn rule_json(v: &RuleView<'_>) -> Value {
    let h = v.header;
    let fam = h.family;
    let flags = h.flags.get();
    let mut o = Map::new();
    o.insert("priority".into(), json!(v.priority.unwrap_or(0)));
    if flags & FIB_RULE_INVERT != 0 {
        o.insert("not".into(), Value::Null);
    }
    match v.src {
        Some(a) => {
            o.insert("src".into(), json!(a.to_string()));
            if h.src_len != host_len(fam) {
                o.insert("srclen".into(), json!(h.src_len));
            }
        }
        None if h.src_len != 0 => {
            o.insert("src".into(), json!("0"));
            o.insert("srclen".into(), json!(h.src_len));
        }
        None => {
            o.insert("src".into(), json!("all"));
        }
    }
    if let Some(a) = v.dst {
        o.insert("dst".into(), json!(a.to_string()));
        if h.dst_len != host_len(fam) {
            o.insert("dstlen".into(), json!(h.dst_len));
        }
    }
    if h.tos != 0 {
        o.insert("tos".into(), json!(format!("{:#x}", h.tos)));
    }
    if v.fwmark.is_some() || v.fwmask.is_some() {
        o.insert(
            "fwmark".into(),
            json!(format!("{:#x}", v.fwmark.unwrap_or(0))),
        );
        if let Some(k) = v.fwmask.filter(|&k| k != u32::MAX) {
            o.insert("fwmask".into(), json!(format!("{k:#x}")));
        }
    }
    if let Some(i) = v.iifname {
        o.insert("iif".into(), json!(i.to_string()));
        if flags & FIB_RULE_IIF_DETACHED != 0 {
            o.insert("iif_detached".into(), Value::Null);
        }
    }
    if let Some(i) = v.oifname {
        o.insert("oif".into(), json!(i.to_string()));
        if flags & FIB_RULE_OIF_DETACHED != 0 {
            o.insert("oif_detached".into(), Value::Null);
        }
    }
    if v.l3mdev == Some(1) {
        o.insert("l3mdev".into(), Value::Null);
    }
    if let Some((a, b)) = v.uid_range {
        o.insert("uid_range".into(), json!({"start": a, "end": b}));
    }
    if let Some(p) = v.ip_proto {
        o.insert("ipproto".into(), json!(p));
    }
    if let Some(r) = v.sport_range {
        o.insert("sport".into(), json!(range_str(r)));
    }
    if let Some(r) = v.dport_range {
        o.insert("dport".into(), json!(range_str(r)));
    }
    if let Some(t) = v.tun_id {
        o.insert("tun_id".into(), json!(t));
    }
    let table = v.table();
    if table != 0 {
        o.insert("table".into(), json!(table_str(table)));
        if let Some(pl) = v.suppress_prefixlen.filter(|&p| p != u32::MAX) {
            o.insert("suppress_prefixlen".into(), json!(pl));
        }
    }
    match v.action() {
        fr_act::GOTO => {
            o.insert("goto".into(), json!(v.goto));
            if flags & FIB_RULE_UNRESOLVED != 0 {
                o.insert("unresolved".into(), Value::Null);
            }
        }
        fr_act::TO_TBL => {}
        a => {
            o.insert("action".into(), json!(action_name(a).unwrap_or("unknown")));
        }
    }
    if let Some(p) = v.protocol {
        if p != 0 && p != nlkit::route::rtprot::KERNEL {
            o.insert("protocol".into(), json!(protocol_str(p)));
        }
    }
    Value::Object(o)
}
