//! `nlkit nexthop` (`nh`): nexthop objects, as `ip nexthop`.
//!
//! ```text
//! nlkit nexthop [show|flush] [id N] [dev D] [master D|vrf D] [groups] [fdb] [proto P]
//! nlkit nexthop get id N
//! nlkit nexthop add|replace id N [via [inet|inet6] GW] [dev D] [onlink]
//!                                [blackhole] [fdb] [proto P]
//! nlkit nexthop add|replace id N group ID[,WEIGHT][/ID[,WEIGHT]]...
//!               [type mpath|resilient [buckets N] [idle_timer S] [unbalanced_timer S]] [fdb]
//! nlkit nexthop del id N
//! nlkit nexthop bucket [show|list] [id N] [nhid N] [dev D] [master D|vrf D]
//! nlkit nexthop bucket get id N index I
//! ```
//!
//! `flush` deletes what `show` with the same selectors lists (all: the
//! groups first), one by one, and says `Flushed N nexthops` or `Nothing to
//! flush`, as iproute2.
//!
//! As with `ip nexthop`: `add` without `id` lets the kernel pick one;
//! `show id N` asks for that one object (`get`); a nexthop through a device
//! or a blackhole is `inet` unless `-6` or the gateway says otherwise; `-4`
//! and `-6` with `show` leave out the other family (and groups, which have
//! none); the protocol is `unspec` unless `proto` says otherwise. Routes use
//! them with `nlkit route add PREFIX nhid N`. `show fdb` lists only the
//! fdb nexthops (iproute2 6.1 takes the word but lists every nexthop).
//!
//! Lines as `ip nexthop` prints them, each word followed by a blank (but a
//! final `fdb`): `id 1 via 10.9.0.2 dev v0 scope link `, `id 3 group 1/2,3 `,
//! `id 5 group 1/2 type resilient buckets 8 idle_timer 120 unbalanced_timer 0
//! unbalanced_time 0 ` (timers in seconds, as C's `%g`), `id 4 blackhole `;
//! `-d` adds the scope and protocol always. JSON (`-j`), one object per
//! nexthop: `id`, `group` (array of `{id, weight}`, `weight` left out when 1),
//! `type` (`resilient`), `resilient_args` (`{buckets, idle_timer,
//! unbalanced_timer, unbalanced_time}`), `gateway`, `dev`, `scope` (absent:
//! global), `blackhole` (`null`, when set), `protocol` (absent: unspec),
//! `flags` (array, always there), `fdb` (`null`, when set). Buckets:
//! `id 5 index 0 idle_time 1.5 nhid 1 `, JSON `{id, bucket: {index,
//! idle_time, nhid}, flags}`.

use super::emit::Emit;
use super::routes::write_host;
use super::words::{is, is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::nexthop::{NEXTHOP_GRP_TYPE_MPATH, NEXTHOP_GRP_TYPE_RES};
use nlkit::route::routes::{ROUTE_FLAG_NAMES, RTNH_F_ONLINK};
use nlkit::route::{
    family_of, parse_protocol, protocol_name, scope_name, Handle, NewMode, Nexthop,
    NexthopBucketDump, NexthopBucketView, NexthopDump, NexthopGet, NexthopRequest, NexthopView,
    ResGroup, AF_INET, AF_INET6, RTM_NEWNEXTHOP, RTM_NEWNEXTHOPBUCKET, RT_SCOPE_UNIVERSE,
};
use nlkit::{Connection, ToMsg};
use std::fmt;

/// `nlkit nexthop help`.
pub const USAGE: &str = "\
Usage: nlkit nexthop [show|flush] [id N] [dev D] [master D] [groups] [fdb] [proto P]
       nlkit nexthop get id N
       nlkit nexthop add|replace id N [via [inet|inet6] GW] [dev D] [onlink] [blackhole] [fdb] [proto P]
       nlkit nexthop add|replace id N group ID[,WEIGHT][/ID[,WEIGHT]]...
                     [type mpath|resilient [buckets N] [idle_timer S] [unbalanced_timer S]] [fdb]
       nlkit nexthop del id N
       nlkit nexthop bucket [show] [id N] [nhid N] [dev D] [master D]
       nlkit nexthop bucket get id N index I";

/// What `nexthop show` lists.
#[derive(Debug, Default)]
pub struct NexthopShow {
    /// Only this family (`-4`, `-6`; groups have none); 0: all.
    pub family: u8,
    /// Only nexthops through this device.
    pub dev: Option<u32>,
    /// Only groups.
    pub groups: bool,
    /// Only fdb nexthops.
    pub fdb: bool,
    /// Only this protocol.
    pub proto: Option<u8>,
    /// Only nexthops whose device has this master (`master D`, `vrf D`).
    pub master: Option<u32>,
    /// `-d`: the scope and protocol always.
    pub details: bool,
    /// No selector at all (a `flush` of everything: groups first).
    pub all: bool,
}

/// What `nexthop bucket show` lists, or (with `index`) the one bucket of
/// `nexthop bucket get`.
#[derive(Debug, Default)]
pub struct BucketShow {
    /// The kernel's filters.
    pub dump: NexthopBucketDump,
}

/// A nexthop request, described with the device's name.
#[derive(Debug)]
pub struct NhReq {
    /// The request.
    pub req: NexthopRequest,
    /// The name given for `dev`.
    pub dev: Option<String>,
}

impl ToMsg for NhReq {
    fn write(&self, buf: &mut Vec<u8>) -> nlkit::wire::Result<usize> {
        self.req.write(buf)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.req.to_string();
        match (&self.dev, s.split_once(" dev index ")) {
            (Some(d), Some((head, tail))) => {
                let tail = tail.split_once(' ').map(|t| t.1);
                write!(f, "{head} dev {d}")?;
                match tail {
                    Some(t) => write!(f, " {t}"),
                    None => Ok(()),
                }
            }
            _ => f.write_str(&s),
        }
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        self.req.attr_name(path)
    }
}

/// Parses `nlkit nexthop ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        "add" | "a" => parse_change(g, &mut Words::new("nexthop add", rest), r, NewMode::Add),
        c if is(c, "replace", 1) => parse_change(
            g,
            &mut Words::new("nexthop replace", rest),
            r,
            NewMode::Replace,
        ),
        c if is_delete(c) => parse_delete(&mut Words::new("nexthop delete", rest)),
        c if is_show(c) => parse_show(g, &mut Words::new("nexthop show", rest), r),
        c if is(c, "get", 1) => parse_get(&mut Words::new("nexthop get", rest)),
        c if is(c, "flush", 1) => match parse_show(g, &mut Words::new("nexthop flush", rest), r)? {
            Parsed::Show(Show::Nexthop(s)) => Ok(Parsed::Show(Show::NexthopFlush(s))),
            Parsed::Show(Show::NexthopGet(get)) => Ok(Parsed::Req(Req::Nexthop(NhReq {
                req: NexthopRequest::delete(get.id),
                dev: None,
            }))),
            p => Ok(p),
        },
        c if is(c, "bucket", 1) => parse_bucket(rest, r),
        c => Err(CliError::usage(format!(
            "nexthop: unknown command {c:?}; try show, get, add, replace, del, flush, bucket"
        ))),
    }
}

fn id_of(w: &mut Words) -> Result<u32, CliError> {
    let id: u32 = w.num("id")?;
    if id == 0 {
        return Err(w.err("\"id\" must not be 0"));
    }
    Ok(id)
}

fn protocol_of(w: &mut Words, kw: &str) -> Result<u8, CliError> {
    let v = w.value(kw)?;
    parse_protocol(v)
        .or_else(|| parse_num(v))
        .ok_or_else(|| w.err(format_args!("unknown protocol {v:?}")))
}

fn parse_show(g: &Global, w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut s = NexthopShow {
        family: super::family(g),
        details: g.details,
        all: w.peek().is_none(),
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "id" => return Ok(Parsed::Show(Show::NexthopGet(NexthopGet { id: id_of(w)? }))),
            x if is(x, "dev", 1) => s.dev = Some(r.index(w.value("dev")?)?),
            x if is(x, "groups", 1) => s.groups = true,
            x if is(x, "master", 1) || is(x, "vrf", 1) => s.master = Some(r.index(w.value(x)?)?),
            x if is(x, "fdb", 1) => s.fdb = true,
            x if is(x, "protocol", 1) => s.proto = Some(protocol_of(w, x)?),
            _ => return Err(w.unknown(x)),
        }
    }
    Ok(Parsed::Show(Show::Nexthop(s)))
}

/// `nexthop bucket [show|list] ...`, `nexthop bucket get id N index I`.
fn parse_bucket(words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (get, rest) = match words.split_first() {
        Some((c, rest)) if is_show(c) => (false, rest),
        Some((c, rest)) if is(c, "get", 1) => (true, rest),
        _ => (false, words),
    };
    let w = &mut Words::new(
        if get {
            "nexthop bucket get"
        } else {
            "nexthop bucket show"
        },
        rest,
    );
    let mut d = NexthopBucketDump::default();
    while let Some(x) = w.next() {
        match x {
            "id" => d.id = Some(id_of(w)?),
            "index" if get => d.index = Some(w.num("index")?),
            "nhid" if !get => d.nh_id = Some(id_of(w)?),
            x if !get && is(x, "dev", 1) => d.oif = Some(r.index(w.value("dev")?)?),
            x if !get && (is(x, "master", 1) || is(x, "vrf", 1)) => {
                d.master = Some(r.index(w.value(x)?)?)
            }
            _ => return Err(w.unknown(x)),
        }
    }
    if get && (d.id.is_none() || d.index.is_none()) {
        return Err(w.err("\"id N\" and \"index I\" are needed"));
    }
    Ok(Parsed::Show(Show::NexthopBuckets(BucketShow { dump: d })))
}

/// A timer in seconds (`idle_timer 120`), sent in `clock_t` (1/100 s).
fn timer_of(w: &mut Words, kw: &str) -> Result<u32, CliError> {
    let v: u32 = w.num(kw)?;
    if v >= u32::MAX / 100 {
        return Err(w.err(format_args!("invalid {kw} value {v}")));
    }
    Ok(v * 100)
}

fn parse_get(w: &mut Words) -> Result<Parsed, CliError> {
    let mut id = None;
    while let Some(x) = w.next() {
        match x {
            "id" => id = Some(id_of(w)?),
            _ => return Err(w.unknown(x)),
        }
    }
    let id = id.ok_or_else(|| w.err("\"id N\" is needed"))?;
    Ok(Parsed::Show(Show::NexthopGet(NexthopGet { id })))
}

fn parse_delete(w: &mut Words) -> Result<Parsed, CliError> {
    let mut id = None;
    while let Some(x) = w.next() {
        match x {
            "id" => id = Some(id_of(w)?),
            _ => return Err(w.unknown(x)),
        }
    }
    let id = id.ok_or_else(|| w.err("\"id N\" is needed"))?;
    Ok(Parsed::Req(Req::Nexthop(NhReq {
        req: NexthopRequest::delete(id),
        dev: None,
    })))
}

/// `ID[,WEIGHT][/ID[,WEIGHT]]...`.
fn group_of(w: &mut Words) -> Result<Vec<(u32, u16)>, CliError> {
    let v = w.value("group")?;
    let bad = || w.err(format_args!("invalid group {v:?}"));
    let mut members = Vec::new();
    for m in v.split('/') {
        let (id, weight) = match m.split_once(',') {
            Some((id, wt)) => {
                let wt: u16 = parse_num(wt)
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| w.err(format_args!("invalid weight {wt:?} (1 to 256)")))?;
                (id, wt)
            }
            None => (m, 1),
        };
        let id: u32 = parse_num(id).filter(|&n| n != 0).ok_or_else(bad)?;
        members.push((id, weight));
    }
    Ok(members)
}

fn parse_change(
    g: &Global,
    w: &mut Words,
    r: &mut dyn Resolve,
    mode: NewMode,
) -> Result<Parsed, CliError> {
    let mut family = super::family(g);
    let mut n = Nexthop::default();
    let mut dev: Option<String> = None;
    while let Some(x) = w.next() {
        match x {
            "id" => n.id = id_of(w)?,
            "dev" => {
                dev = Some(w.value("dev")?.to_string());
                if family == 0 {
                    family = AF_INET;
                }
            }
            "via" => {
                let (want, gw) = match w.peek() {
                    Some("inet") => (AF_INET, {
                        w.next();
                        w.ip("via")?
                    }),
                    Some("inet6") => (AF_INET6, {
                        w.next();
                        w.ip("via")?
                    }),
                    _ => (0, w.ip("via")?),
                };
                let gf = family_of(&gw);
                if (want != 0 && want != gf) || (family != 0 && family != gf) {
                    return Err(w.err(format_args!("address family mismatch for {gw}")));
                }
                family = gf;
                n.gateway = Some(gw);
            }
            "blackhole" => {
                n.blackhole = true;
                if family == 0 {
                    family = AF_INET;
                }
            }
            "fdb" => n.fdb = true,
            "onlink" => n.flags |= RTNH_F_ONLINK,
            "group" => n.group = group_of(w)?,
            "type" => match w.value("type")? {
                "mpath" => n.group_type = Some(NEXTHOP_GRP_TYPE_MPATH),
                "resilient" => {
                    n.group_type = Some(NEXTHOP_GRP_TYPE_RES);
                    n.res_group.get_or_insert_with(ResGroup::default);
                }
                t => {
                    return Err(w.err(format_args!(
                        "unsupported group type {t:?} (mpath, resilient)"
                    )))
                }
            },
            "buckets" | "idle_timer" | "unbalanced_timer" => {
                if n.group_type != Some(NEXTHOP_GRP_TYPE_RES) {
                    return Err(w.err(format_args!("\"{x}\" is for \"type resilient\"")));
                }
                let g = n.res_group.get_or_insert_with(ResGroup::default);
                match x {
                    "buckets" => g.buckets = Some(w.num(x)?),
                    "idle_timer" => g.idle_timer = Some(timer_of(w, x)?),
                    _ => g.unbalanced_timer = Some(timer_of(w, x)?),
                }
            }
            x if is(x, "protocol", 1) => n.protocol = protocol_of(w, x)?,
            _ => return Err(w.unknown(x)),
        }
    }
    if let Some(d) = &dev {
        n.oif = Some(r.index(d)?);
    }
    n.family = family;
    Ok(Parsed::Req(Req::Nexthop(NhReq {
        req: NexthopRequest::create(n, mode),
        dev,
    })))
}

// ---------------------------------------------------------------------------
// Showing.

fn malformed(what: &str) -> impl Fn(nlkit::wire::Error) -> nlkit::Error + '_ {
    move |e| nlkit::Error::Malformed {
        what: what.into(),
        source: e,
    }
}

/// Streams the nexthops `s` selects. The kernel filters by device (a
/// blackhole counts as `lo`'s, as in `ip nexthop show dev lo`), master and
/// groups; family, `fdb` and protocol are filtered here.
fn each_selected(
    conn: &Connection,
    s: &NexthopShow,
    groups_only: bool,
    mut f: impl FnMut(&NexthopView<'_>) -> nlkit::Result<()>,
) -> Result<(), CliError> {
    let dump = NexthopDump {
        oif: s.dev.unwrap_or(0),
        groups: groups_only,
        master: s.master.unwrap_or(0),
    };
    let r = Handle::with(conn).dump_msgs(&dump, |m| {
        if m.msg_type() != RTM_NEWNEXTHOP {
            return Ok(());
        }
        let v = NexthopView::parse(&m).map_err(malformed("dump nexthops"))?;
        if (s.family != 0 && v.header.family != s.family)
            || (s.fdb && !v.fdb)
            || (groups_only && v.group_raw.is_none())
            || s.proto.is_some_and(|p| v.header.protocol != p)
        {
            return Ok(());
        }
        f(&v)
    });
    super::finish(r)
}

/// Runs `nexthop show`.
pub fn show(
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &NexthopShow,
) -> Result<(), CliError> {
    list_begin(out)?;
    each_selected(conn, s, s.groups, |v| {
        keep(print_nexthop_with(out, v, names, s.details))
    })?;
    list_end(out)
}

const ENOENT: i32 = 2;

/// Runs `nexthop flush`: deletes what `show` would list, one by one (a
/// nexthop already gone with its group is not an error); everything, groups
/// first, without selectors. Prints `Flushed N nexthops` or `Nothing to
/// flush`, as iproute2.
pub fn flush(conn: &Connection, out: &mut Out, s: &NexthopShow) -> Result<(), CliError> {
    let mut flushed = 0usize;
    let rounds: &[bool] = if s.all { &[true, false] } else { &[s.groups] };
    for &groups in rounds {
        let mut ids = Vec::new();
        each_selected(conn, s, groups, |v| {
            ids.extend(v.id);
            Ok(())
        })?;
        for id in ids {
            match Handle::with(conn).exec(&NexthopRequest::delete(id)) {
                Ok(_) => flushed += 1,
                Err(e) if e.errno() == Some(ENOENT) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    if flushed == 0 {
        out.line("Nothing to flush")
    } else {
        out.line(format_args!("Flushed {flushed} nexthops"))
    }
}

/// Runs `nexthop get id N` (and `show id N`).
pub fn get(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    get: &NexthopGet,
) -> Result<(), CliError> {
    let bytes = conn.get(get)?;
    let what = get.to_string();
    let (_, m) = nlkit::wire::MsgIter::new(&bytes)
        .next()
        .ok_or_else(|| CliError::Other(format!("{what}: empty reply")))?
        .map_err(malformed(&what))?;
    let v = NexthopView::parse(&m).map_err(malformed(&what))?;
    list_begin(out)?;
    print_nexthop_with(out, &v, names, g.details)?;
    list_end(out)
}

/// Runs `nexthop bucket show` (a dump) or `nexthop bucket get` (one).
pub fn buckets(conn: &Connection, out: &mut Out, s: &BucketShow) -> Result<(), CliError> {
    list_begin(out)?;
    let mut print = |m: &nlkit::wire::Msg<&[u8]>| -> nlkit::Result<()> {
        if m.msg_type() != RTM_NEWNEXTHOPBUCKET {
            return Ok(());
        }
        let v = NexthopBucketView::parse(m).map_err(malformed("dump nexthop buckets"))?;
        keep(out.object(|b, json| write_bucket(&mut Emit::new(b, json), &v)))
    };
    if s.dump.index.is_some() {
        let bytes = conn.get(&s.dump)?;
        if let Some(m) = nlkit::wire::MsgIter::new(&bytes).next() {
            let (_, m) = m.map_err(malformed("get nexthop bucket"))?;
            super::finish(print(&m))?;
        }
    } else {
        super::finish(Handle::with(conn).dump_msgs(&s.dump, |m| print(&m)))?;
    }
    list_end(out)
}

fn print_nexthop_with(
    out: &mut Out,
    v: &NexthopView<'_>,
    names: &mut Names,
    details: bool,
) -> Result<(), CliError> {
    out.object(|b, json| write_nexthop(&mut Emit::new(b, json), v, names, details))
}

/// A number as C's `printf("%g")` writes it: six significant digits,
/// trailing zeros dropped, an exponent below 1e-4 or from 1e6.
fn fmt_g(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let sci = format!("{x:.5e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip(mant), exp.abs())
    } else {
        strip(&format!("{x:.*}", (5 - exp) as usize))
    }
}

/// A `clock_t` (1/100 s) in seconds, as iproute2 prints timers (`%g`, in
/// text and JSON alike).
fn secs(ticks: u64) -> String {
    fmt_g((ticks / 100) as f64 + ((ticks % 100) * 10_000) as f64 / 1e6)
}

/// A scope or protocol: its name, else its number (a JSON string).
fn name_or_num(e: &mut Emit<'_>, key: &str, pre: &str, name: Option<&str>, n: u8) {
    match name {
        Some(s) => e.str(key, pre, s, " "),
        None => e.plain_str(key, pre, n, " "),
    }
}

/// The `RTNH_F_*` words (text, each followed by a blank) or the JSON
/// `"flags"` array (always written, as ip).
fn write_flags(e: &mut Emit<'_>, flags: u32) {
    e.open_arr("flags");
    for &(bit, f) in ROUTE_FLAG_NAMES {
        if flags & bit == bit && bit != 0 {
            e.item(f, " ");
        }
    }
    e.close_arr();
}

/// One nexthop, as `ip nexthop` or an element of `ip -j nexthop`;
/// `details`: `-d` (scope and protocol always).
pub fn write_nexthop(e: &mut Emit<'_>, v: &NexthopView<'_>, names: &mut Names, details: bool) {
    e.open_obj(None);
    e.num("id", "id ", v.id.unwrap_or(0), " ");
    if v.group_raw.is_some() {
        e.text("group ");
        e.open_arr("group");
        for (i, (id, w)) in v.group().enumerate() {
            if i > 0 {
                e.text("/");
            }
            e.open_obj(None);
            e.num("id", "", id, "");
            if w > 1 {
                e.num("weight", ",", w, "");
            }
            e.close_obj();
        }
        e.close_arr();
        e.text(" ");
    }
    match v.group_type {
        None | Some(NEXTHOP_GRP_TYPE_MPATH) => {}
        Some(NEXTHOP_GRP_TYPE_RES) => e.str("type", "type ", "resilient", " "),
        Some(_) => e.str("type", "type ", "<unknown type>", " "),
    }
    if let Some(g) = &v.res_group {
        // 0 for a value the kernel left out, as iproute2.
        e.open_obj(Some("resilient_args"));
        e.num("buckets", "buckets ", g.buckets.unwrap_or(0), " ");
        for (k, t) in [
            ("idle_timer", u64::from(g.idle_timer.unwrap_or(0))),
            (
                "unbalanced_timer",
                u64::from(g.unbalanced_timer.unwrap_or(0)),
            ),
            ("unbalanced_time", g.unbalanced_time.unwrap_or(0)),
        ] {
            e.text(k);
            e.num(k, " ", secs(t).as_str(), " ");
        }
        e.close_obj();
    }
    if let Some(gw) = v.gateway {
        write_host(e, "gateway", "via ", gw, " ");
    }
    if let Some(o) = v.oif {
        e.dev("dev", "dev ", names, o, " ");
    }
    let h = &v.header;
    if h.scope != RT_SCOPE_UNIVERSE || details {
        name_or_num(e, "scope", "scope ", scope_name(h.scope), h.scope);
    }
    if v.blackhole {
        e.null("blackhole", "blackhole ");
    }
    if h.protocol != 0 || details {
        name_or_num(
            e,
            "protocol",
            "proto ",
            protocol_name(h.protocol),
            h.protocol,
        );
    }
    write_flags(e, h.flags.get());
    if v.fdb {
        e.null("fdb", "fdb");
    }
    e.close_obj();
}

/// One bucket as `ip nexthop bucket` prints it (`id 5 index 0 idle_time
/// 1.5 nhid 1 `), or an element of `ip -j nexthop bucket`.
fn write_bucket(e: &mut Emit<'_>, v: &NexthopBucketView<'_>) {
    e.open_obj(None);
    if let Some(id) = v.id {
        e.num("id", "id ", id, " ");
    }
    e.open_obj(Some("bucket"));
    if let Some(i) = v.index {
        e.num("index", "index ", i, " ");
    }
    if let Some(t) = v.idle_time {
        e.num("idle_time", "idle_time ", secs(t).as_str(), " ");
    }
    if let Some(n) = v.nh_id {
        e.num("nhid", "nhid ", n, " ");
    }
    e.close_obj();
    write_flags(e, v.header.flags.get());
    e.close_obj();
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoDevs;
    impl Resolve for NoDevs {
        fn index(&mut self, name: &str) -> Result<u32, CliError> {
            match name {
                "v0" => Ok(3),
                _ => Err(super::super::no_device(name)),
            }
        }
        fn forget(&mut self, _: &str) {}
    }

    fn p(s: &str) -> Result<Parsed, CliError> {
        let w: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&Global::default(), &w, &mut NoDevs)
    }

    fn req(s: &str) -> NhReq {
        match p(s) {
            Ok(Parsed::Req(Req::Nexthop(r))) => r,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn timers_as_c_g() {
        for (x, want) in [
            (0.0, "0"),
            (120.0, "120"),
            (0.07, "0.07"),
            (1.5, "1.5"),
            (42949672.95, "4.29497e+07"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ] {
            assert_eq!(fmt_g(x), want, "{x}");
        }
        assert_eq!(secs(12_000), "120");
        assert_eq!(secs(7), "0.07");
    }

    #[test]
    fn grammar() {
        let r = req("add id 1 via 10.9.0.2 dev v0");
        assert_eq!(
            super::super::describe(&r),
            "add nexthop id 1 via 10.9.0.2 dev v0"
        );
        assert_eq!(r.req.nexthop.family, AF_INET);
        assert_eq!(r.req.nexthop.protocol, 0);
        let r = req("replace id 3 group 1,3/2");
        assert_eq!(r.req.nexthop.group, [(1, 3), (2, 1)]);
        assert_eq!(r.req.nexthop.family, 0);
        let r = req("add id 4 blackhole proto static");
        assert!(r.req.nexthop.blackhole);
        assert_eq!((r.req.nexthop.family, r.req.nexthop.protocol), (AF_INET, 4));
        assert_eq!(
            req("add id 7 via inet6 fd00::2 dev v0").req.nexthop.family,
            AF_INET6
        );
        assert_eq!(
            super::super::describe(&req("del id 9")),
            "delete nexthop id 9"
        );
        // No id: the kernel picks one.
        assert_eq!(req("add dev v0").req.nexthop.id, 0);
        for bad in [
            "add id 1 bogus",
            "add id 1 group 1,0",
            "add id 1 group 1,257",
            "add id 1 group x",
            "add id 1 via inet6 10.9.0.2",
            "add id 1 type weird",
            "add id 1 group 1/2 buckets 8",
            "del",
            "get",
            "show bogus",
            "frob",
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}: {e}");
        }
        assert_eq!(p("add id 1 dev v9").unwrap_err().exit_code(), 1);
        assert!(matches!(
            p("show id 5"),
            Ok(Parsed::Show(Show::NexthopGet(NexthopGet { id: 5 })))
        ));
        assert!(matches!(p(""), Ok(Parsed::Show(Show::Nexthop(_)))));
    }
}
