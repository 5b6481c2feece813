//! `nlkit netconf show [dev D]` (`ip netconf`): the per-device IP settings
//! (`forwarding`, `rp_filter`, `mc_forwarding`, `proxy_neigh`,
//! `ignore_routes_with_linkdown`, `input`) of each family, as ip 6.1 prints
//! them, text and `-j`; and the one printer the monitor shares.
//!
//! As ip: with `dev D` and a family (`-4`, `-6`), one `RTM_GETNETCONF` for
//! that device; otherwise a dump (of the family, or of every family: if
//! the kernel refuses a dump of `AF_UNSPEC`, of `inet` then `inet6`),
//! filtered by family and device. Unlike ip, nlkit refuses words it does
//! not know after `show` (ip ignores them).

use super::emit::Emit;
use super::names::Names;
use super::{finish, keep, list_begin, list_end, Parsed, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::netconf::{rp_filter_name, NetconfAttr};
use nlkit::route::{
    family_name, Handle, NetconfDev, NetconfDump, NetconfGet, NetconfView, AF_INET, AF_INET6,
    RTM_DELNETCONF, RTM_NEWNETCONF,
};
use nlkit::Connection;

/// Usage, as `nlkit netconf help` prints it.
pub const USAGE: &str = "Usage: nlkit netconf show [ dev STRING ]";

/// What `netconf show` lists.
#[derive(Debug, Default)]
pub struct NetconfShow {
    /// `AF_INET`, `AF_INET6`, ... or 0 (all).
    pub family: u8,
    /// `dev D`: its index.
    pub ifindex: Option<u32>,
}

/// Parses `nlkit netconf ...`.
pub fn parse(g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (verb, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((v, rest)) => (v.as_str(), rest),
    };
    if verb != "show" {
        return Err(CliError::usage(format!(
            "Command \"{}\" is unknown, try \"ip netconf help\".",
            crate::error::clip(verb)
        )));
    }
    let mut s = NetconfShow {
        family: super::family(g),
        ifindex: None,
    };
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "dev" => {
                let d = it
                    .next()
                    .ok_or_else(|| CliError::usage("netconf show: dev needs a device name"))?;
                s.ifindex = Some(r.index(d)?);
            }
            x => {
                return Err(CliError::usage(format!(
                    "netconf show: unknown argument {:?}; {USAGE}",
                    crate::error::clip(x)
                )))
            }
        }
    }
    Ok(Parsed::Show(Show::Netconf(s)))
}

/// `EOPNOTSUPP`: a kernel without a dump of every family.
const EOPNOTSUPP: i32 = 95;

/// Runs `netconf show`.
pub fn show(
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &NetconfShow,
) -> Result<(), CliError> {
    let h = Handle::with(conn);
    list_begin(out)?;
    let mut buf = Vec::new();
    let mut print = |out: &mut Out, v: &NetconfView<'_>| -> Result<(), CliError> {
        if s.family != 0 && v.family() != s.family {
            return Ok(());
        }
        if let Some(i) = s.ifindex {
            if v.dev() != Some(NetconfDev::Index(i as i32)) {
                return Ok(());
            }
        }
        buf.clear();
        write_netconf(&mut buf, out.json, v, names);
        if out.json {
            out.array_sep()?;
            out.raw(&buf)
        } else {
            out.raw(&buf)?;
            out.raw(b"\n")
        }
    };
    let malformed = |what: String| {
        move |e| nlkit::Error::Malformed {
            what: what.clone(),
            source: e,
        }
    };
    match (s.ifindex, s.family) {
        (Some(i), fam) if fam != 0 => {
            let req = NetconfGet {
                family: fam,
                ifindex: i as i32,
            };
            let bytes = conn.get(&req)?;
            let what = super::describe(&req);
            if let Some(m) = nlkit::wire::MsgIter::new(&bytes).next() {
                let (_, m) = m.map_err(malformed(what.clone()))?;
                let v = NetconfView::parse(&m).map_err(malformed(what))?;
                print(out, &v)?;
            }
        }
        (_, fam) => {
            let mut dump = |fam: u8, out: &mut Out| {
                h.dump_msgs(&NetconfDump { family: fam }, |m| {
                    if !matches!(m.msg_type(), RTM_NEWNETCONF | RTM_DELNETCONF) {
                        return Ok(());
                    }
                    let v = NetconfView::parse(&m).map_err(malformed("dump netconf".into()))?;
                    keep(print(out, &v))
                })
            };
            match dump(fam, out) {
                Err(e) if fam == 0 && e.errno() == Some(EOPNOTSUPP) => {
                    finish(dump(AF_INET, out))?;
                    finish(dump(AF_INET6, out))?;
                }
                r => finish(r)?,
            }
        }
    }
    list_end(out)
}

/// One netconf message as `ip netconf` / `ip monitor netconf` prints it
/// (its text ends in a blank, as ip's), or ip's `-j` object: `family`,
/// `interface`, then each setting present (booleans; `rp_filter` by name);
/// a setting whose value has the wrong size is named after them
/// (`malformed NETCONFA_FORWARDING `, JSON `"malformed": [..]`).
pub fn write_netconf(buf: &mut Vec<u8>, json: bool, v: &NetconfView<'_>, names: &mut Names) {
    let mut e = Emit::new(buf, json);
    e.open_obj(None);
    let fam = v.family();
    match family_name(fam) {
        Some(f) => e.str("family", "", f, " "),
        None => e.plain_str("family", "", fam, " "),
    }
    match v.dev() {
        Some(NetconfDev::All) => e.str("interface", "", "all", " "),
        Some(NetconfDev::Default) => e.str("interface", "", "default", " "),
        Some(NetconfDev::Index(i)) => {
            // Text holds a name's raw bytes; JSON their escaped form.
            let n = if e.json {
                names.json_name(i as u32)
            } else {
                names.name(i as u32)
            };
            e.str("interface", "", &n, " ")
        }
        None => {}
    }
    for (_, name, val) in v.settings() {
        match name {
            // ip 6.1 does not print it.
            "bc_forwarding" => {}
            "rp_filter" => match rp_filter_name(val) {
                Some(s) => e.str(name, "rp_filter ", s, " "),
                None => e.num(name, "rp_filter ", val as u32, " "),
            },
            _ => {
                e.text(name);
                e.text(if val != 0 { " on " } else { " off " });
                e.json_bool(name, val != 0);
            }
        }
    }
    // A value of the wrong size (ip would read past it): named, not dropped.
    let mut bad = v.malformed_attrs().peekable();
    if bad.peek().is_some() {
        e.open_arr("malformed");
        for a in bad {
            let k = NetconfAttr::from_u16(a.kind());
            let name = k.c_name().unwrap_or("?");
            e.text("malformed ");
            e.item(name, " ");
        }
        e.close_arr();
    }
    e.close_obj();
}
