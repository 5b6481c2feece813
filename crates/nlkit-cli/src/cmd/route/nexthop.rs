//! `nlkit nexthop` (`nh`): nexthop objects, as `ip nexthop`.
//!
//! ```text
//! nlkit nexthop [show] [id N] [dev D] [groups] [fdb] [proto P]
//! nlkit nexthop get id N
//! nlkit nexthop add|replace id N [via [inet|inet6] GW] [dev D] [onlink]
//!                                [blackhole] [fdb] [proto P]
//! nlkit nexthop add|replace id N group ID[,WEIGHT][/ID[,WEIGHT]]... [type mpath] [fdb]
//! nlkit nexthop del id N
//! ```
//!
//! As with `ip nexthop`: `add` without `id` lets the kernel pick one;
//! `show id N` asks for that one object (`get`); a nexthop through a device
//! or a blackhole is `inet` unless `-6` or the gateway says otherwise; `-4`
//! and `-6` with `show` leave out the other family (and groups, which have
//! none); the protocol is `unspec` unless `proto` says otherwise. Routes use
//! them with `nlkit route add PREFIX nhid N`. `show fdb` lists only the
//! fdb nexthops (iproute2 6.1 takes the word but lists every nexthop).
//!
//! Lines as `ip nexthop` prints them: `id 1 via 10.9.0.2 dev v0 scope link`,
//! `id 3 group 1/2,3`, `id 4 blackhole`. JSON (`-j`), one object per
//! nexthop: `id`, `group` (array of `{id, weight}`, `weight` left out when 1),
//! `gateway`, `dev`, `scope` (absent: global), `blackhole` (`null`, when
//! set), `protocol` (absent: unspec), `flags` (array, always there), `fdb`
//! (`null`, when set).

use super::words::{is, is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::routes::{route_flag_names, RTNH_F_ONLINK};
use nlkit::route::{
    family_of, parse_protocol, protocol_str, scope_str, Handle, NewMode, Nexthop, NexthopDump,
    NexthopGet, NexthopRequest, NexthopView, AF_INET, AF_INET6, RTM_NEWNEXTHOP, RT_SCOPE_UNIVERSE,
};
use nlkit::{Connection, ToMsg};
use serde_json::{json, Map, Value};
use std::fmt;

/// `nlkit nexthop help`.
pub const USAGE: &str = "\
Usage: nlkit nexthop [show] [id N] [dev D] [groups] [fdb] [proto P]
       nlkit nexthop get id N
       nlkit nexthop add|replace id N [via [inet|inet6] GW] [dev D] [onlink] [blackhole] [fdb] [proto P]
       nlkit nexthop add|replace id N group ID[,WEIGHT][/ID[,WEIGHT]]... [type mpath] [fdb]
       nlkit nexthop del id N";

/// `NEXTHOP_GRP_TYPE_MPATH`.
const GRP_TYPE_MPATH: u16 = 0;

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
        c => Err(CliError::usage(format!(
            "nexthop: unknown command {c:?}; try show, get, add, replace, del"
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
        ..Default::default()
    };
    while let Some(x) = w.next() {
        match x {
            "id" => return Ok(Parsed::Show(Show::NexthopGet(NexthopGet { id: id_of(w)? }))),
            x if is(x, "dev", 1) => s.dev = Some(r.index(w.value("dev")?)?),
            x if is(x, "groups", 1) => s.groups = true,
            x if is(x, "fdb", 1) => s.fdb = true,
            x if is(x, "protocol", 1) => s.proto = Some(protocol_of(w, x)?),
            _ => return Err(w.unknown(x)),
        }
    }
    Ok(Parsed::Show(Show::Nexthop(s)))
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
                "mpath" => n.group_type = Some(GRP_TYPE_MPATH),
                t => return Err(w.err(format_args!("unsupported group type {t:?} (mpath)"))),
            },
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

/// Runs `nexthop show`.
pub fn show(
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &NexthopShow,
) -> Result<(), CliError> {
    // The kernel filters by device (a blackhole counts as `lo`'s, as in
    // `ip nexthop show dev lo`) and groups; `fdb` is filtered here.
    let dump = NexthopDump {
        oif: s.dev.unwrap_or(0),
        groups: s.groups,
    };
    list_begin(out)?;
    let r = Handle::with(conn).dump_msgs(&dump, |m| {
        if m.msg_type() != RTM_NEWNEXTHOP {
            return Ok(());
        }
        let v = NexthopView::parse(&m).map_err(|e| nlkit::Error::Malformed {
            what: "dump nexthops".into(),
            source: e,
        })?;
        if (s.family != 0 && v.header.family != s.family)
            || (s.fdb && !v.fdb)
            || (s.groups && v.group_raw.is_none())
            || s.proto.is_some_and(|p| v.header.protocol != p)
        {
            return Ok(());
        }
        keep(print_nexthop(out, &v, names))
    });
    super::finish(r)?;
    list_end(out)
}

/// Runs `nexthop get id N` (and `show id N`).
pub fn get(
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    get: &NexthopGet,
) -> Result<(), CliError> {
    let bytes = conn.get(get)?;
    let what = || get.to_string();
    let (_, m) = nlkit::wire::MsgIter::new(&bytes)
        .next()
        .ok_or_else(|| CliError::Other(format!("{}: empty reply", what())))?
        .map_err(|e| nlkit::Error::Malformed {
            what: what(),
            source: e,
        })?;
    let v = NexthopView::parse(&m).map_err(|e| nlkit::Error::Malformed {
        what: what(),
        source: e,
    })?;
    list_begin(out)?;
    print_nexthop(out, &v, names)?;
    list_end(out)
}

/// Prints one nexthop (text, or a JSON array element with `-j`).
pub fn print_nexthop(
    out: &mut Out,
    v: &NexthopView<'_>,
    names: &mut Names,
) -> Result<(), CliError> {
    if out.json {
        out.array_item(&nexthop_json(v, names))
    } else {
        out.line(nexthop_text(v, names))
    }
}

fn group_text(v: &NexthopView<'_>) -> String {
    let members: Vec<String> = v
        .group()
        .map(|(id, w)| {
            if w > 1 {
                format!("{id},{w}")
            } else {
                id.to_string()
            }
        })
        .collect();
    members.join("/")
}

/// One nexthop as `ip nexthop` prints it.
pub fn nexthop_text(v: &NexthopView<'_>, names: &mut Names) -> String {
    let mut s = format!("id {}", v.id.unwrap_or(0));
    if v.group_raw.is_some() {
        s += &format!(" group {}", group_text(v));
    }
    if v.group_type == Some(1) {
        s += " type resilient";
    }
    if let Some(gw) = v.gateway {
        s += &format!(" via {gw}");
    }
    if let Some(o) = v.oif {
        s += &format!(" dev {}", names.name(o));
    }
    if v.header.scope != RT_SCOPE_UNIVERSE {
        s += &format!(" scope {}", scope_str(v.header.scope));
    }
    if v.blackhole {
        s += " blackhole";
    }
    if v.header.protocol != 0 {
        s += &format!(" proto {}", protocol_str(v.header.protocol));
    }
    for f in route_flag_names(v.header.flags.get()) {
        s += " ";
        s += f;
    }
    if v.fdb {
        s += " fdb";
    }
    s
}

/// One nexthop as `ip -j nexthop` prints it.
pub fn nexthop_json(v: &NexthopView<'_>, names: &mut Names) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(v.id.unwrap_or(0)));
    if v.group_raw.is_some() {
        let g: Vec<Value> = v
            .group()
            .map(|(id, w)| {
                if w > 1 {
                    json!({"id": id, "weight": w})
                } else {
                    json!({ "id": id })
                }
            })
            .collect();
        o.insert("group".into(), Value::Array(g));
    }
    if v.group_type == Some(1) {
        o.insert("type".into(), json!("resilient"));
    }
    if let Some(gw) = v.gateway {
        o.insert("gateway".into(), json!(gw.to_string()));
    }
    if let Some(i) = v.oif {
        o.insert("dev".into(), json!(names.name(i)));
    }
    if v.header.scope != RT_SCOPE_UNIVERSE {
        o.insert("scope".into(), json!(scope_str(v.header.scope)));
    }
    if v.blackhole {
        o.insert("blackhole".into(), Value::Null);
    }
    if v.header.protocol != 0 {
        o.insert("protocol".into(), json!(protocol_str(v.header.protocol)));
    }
    o.insert(
        "flags".into(),
        json!(route_flag_names(v.header.flags.get())),
    );
    if v.fdb {
        o.insert("fdb".into(), Value::Null);
    }
    Value::Object(o)
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
            "add id 1 type resilient",
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
