//! `nlkit tuntap` (`tap`), as ip 6.1's `ip tuntap`: `add|del NAME mode
//! tun|tap [user U] [group G] [one_queue] [pi] [vnet_hdr] [multi_queue]
//! [name NAME]` (ioctls on `/dev/net/tun`, through
//! [`nlkit::route::tuntap`]) and `show|list|lst` (a link dump of kind `tun`,
//! then each device's sysfs flags, owner and group; with `-d` the
//! processes attached). Keywords are matched by prefix in ip's order; ip's
//! refusals are refused in its words. `show` takes no selectors (ip's
//! ignores any words after it, and so does this). One refusal ip lacks:
//! `del` without a name (ip's makes a new device and removes that one).

use super::words::Words;
use super::{list_begin, list_end, Parsed, Show};
use crate::args::matches;
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::tuntap::{self, IdDb, Sysfs, TunMode, TunTap};
use nlkit::route::{Handle, LinkDump};
use nlkit::socket::netns::Netns;
use nlkit::Connection;
use serde_json::{json, Map, Value};

/// `nlkit tuntap help`.
pub const USAGE: &str = "\
Usage: nlkit tuntap { add | del | show | list | lst | help } [ dev PHYS_DEV ]
       [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
       [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]

Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }";

/// A parsed `tuntap` command.
#[derive(Debug)]
pub enum TuntapCmd {
    /// `tuntap add`.
    Add(TunTap),
    /// `tuntap del`.
    Del(TunTap),
    /// `tuntap show`.
    Show,
}

/// The verb of `tuntap`, as ip's `do_iptuntap` matches it (`a` add, `d`
/// delete, `s`/`l` show, `h` help); none is `show`.
fn verb(w: Option<&str>) -> Option<&'static str> {
    let Some(w) = w else {
        return Some("show");
    };
    if matches(w, "add") {
        Some("add")
    } else if matches(w, "delete") {
        Some("delete")
    } else if matches(w, "show") || matches(w, "lst") || matches(w, "list") {
        Some("show")
    } else if matches(w, "help") {
        Some("help")
    } else {
        None
    }
}

/// True if `words` ask for `tuntap help` (the verb, or a `help` word where
/// ip's argument parser takes it).
pub fn wants_help(words: &[String]) -> bool {
    match verb(words.first().map(String::as_str)) {
        Some("help") => true,
        Some("add" | "delete") => parse_args(&words[1..], true).is_err_and(|e| e.is_none()),
        _ => false,
    }
}

/// Parses the words after `tuntap`.
pub fn parse(words: &[String]) -> Result<Parsed, CliError> {
    let cmd = match verb(words.first().map(String::as_str)) {
        Some("show") => TuntapCmd::Show,
        Some("add") => TuntapCmd::Add(args(words, true)?),
        Some("delete") => TuntapCmd::Del(args(words, false)?),
        Some(_) => return Err(CliError::usage(USAGE)),
        None => {
            return Err(CliError::usage(format!(
                "Command \"{}\" is unknown, try \"ip tuntap help\".",
                crate::error::clip(&words[0])
            )))
        }
    };
    Ok(Parsed::Show(Show::Tuntap(cmd)))
}

fn args(words: &[String], add: bool) -> Result<TunTap, CliError> {
    parse_args(&words[1..], add).map_err(|e| e.unwrap_or_else(|| CliError::usage(USAGE)))
}

/// ip's `parse_args`: `Err(None)` is a `help` word. `ids`: `user` and
/// `group` are keywords (add); for del they are names, as in ip.
fn parse_args(words: &[String], ids: bool) -> Result<TunTap, Option<CliError>> {
    let mut w = Words::new(if ids { "tuntap add" } else { "tuntap del" }, words);
    let mut t = TunTap::new(Vec::new(), TunMode::Tun);
    let mut mode = None;
    let mut name: Option<&str> = None;
    while let Some(x) = w.next() {
        if matches(x, "mode") {
            let v = w.value("mode")?;
            let m = if matches(v, "tun") {
                TunMode::Tun
            } else if matches(v, "tap") {
                TunMode::Tap
            } else {
                return Err(Some(w.err(format_args!(
                    "Unknown tunnel mode \"{}\"",
                    crate::error::clip(v)
                ))));
            };
            if mode.is_some_and(|o| o != m) {
                return Err(Some(
                    w.err("You managed to ask for more than one tunnel mode."),
                ));
            }
            mode = Some(m);
        } else if ids && matches(x, "user") {
            let v = w.value("user")?;
            t.owner = id(v, IdDb::Users)
                .ok_or_else(|| w.err(format_args!("invalid user \"{}\"", crate::error::clip(v))))?;
        } else if ids && matches(x, "group") {
            let v = w.value("group")?;
            t.group = id(v, IdDb::Groups).ok_or_else(|| {
                w.err(format_args!("invalid group \"{}\"", crate::error::clip(v)))
            })?;
        } else if matches(x, "pi") {
            t.pi = true;
        } else if matches(x, "one_queue") {
            t.one_queue = true;
        } else if matches(x, "vnet_hdr") {
            t.vnet_hdr = true;
        } else if matches(x, "multi_queue") {
            t.multi_queue = true;
        } else if matches(x, "dev") {
            let v = w.value("dev")?;
            name = Some(w.check_ifname("dev", v)?);
        } else {
            let v = if matches(x, "name") {
                w.value("name")?
            } else if matches(x, "help") {
                return Err(None);
            } else {
                x
            };
            if name.is_some() {
                return Err(Some(w.err(format_args!(
                    "either \"name\" is duplicate, or \"{}\" is a garbage.",
                    crate::error::clip(v)
                ))));
            }
            name = Some(w.check_ifname("name", v)?);
        }
    }
    t.mode = mode.ok_or_else(|| w.err("You failed to specify a tunnel mode"))?;
    t.name = name.unwrap_or_default().as_bytes().to_vec();
    Ok(t)
}

/// A `user`/`group` value as ip reads it: a decimal number (C's `strtol`,
/// cut to 32 bits; -1 is "not set"), else a name from the database.
/// `Some(None)`: not set.
fn id(v: &str, db: IdDb) -> Option<Option<u32>> {
    let n = match tuntap::c_strtol(v, 10) {
        Some(n) => n as u32,
        None => db.id(v)?,
    };
    Some((n != u32::MAX).then_some(n))
}

/// Runs a `tuntap` command.
pub fn run(g: &Global, conn: &Connection, out: &mut Out, c: &TuntapCmd) -> Result<(), CliError> {
    let ns = g.netns.as_deref().map(Netns::Named);
    let r = match c {
        TuntapCmd::Add(t) => t.add(ns).map(drop),
        TuntapCmd::Del(t) => t.del(ns),
        TuntapCmd::Show => return show(g, conn, out, ns),
    };
    // ip's words: `ioctl(TUNSETIFF): Device or resource busy`.
    r.map_err(|e| match e {
        nlkit::Error::Io { what, source } => {
            CliError::Other(format!("{what}: {}", tuntap::strerror(&source)))
        }
        e => e.into(),
    })
}

fn show(g: &Global, conn: &Connection, out: &mut Out, ns: Option<Netns>) -> Result<(), CliError> {
    let sysfs = Sysfs::of(ns).map_err(|e| {
        CliError::Other(format!(
            "sysfs of netns {:?}: {}",
            g.netns.as_deref().unwrap_or_default(),
            tuntap::strerror(&e)
        ))
    })?;
    let dump = LinkDump {
        kind: Some("tun".into()),
        ..Default::default()
    };
    list_begin(out)?;
    let r = Handle::with(conn).links_filtered(&dump, |v| {
        // As ip's print_tuntap: Ethernet or none links of kind tun, with a name.
        let (Some(name), Some("tun"), 1 | 0xfffe) = (v.name, v.kind, v.link_type()) else {
            return Ok(());
        };
        let p = match sysfs.tun_props(name.as_bytes()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                return Ok(());
            }
        };
        let holders = g.details.then(|| {
            tuntap::holders(name.as_bytes(), |e| {
                eprintln!("readlink: {}", tuntap::strerror(e))
            })
        });
        let (words, rest) = tuntap::flag_words(p.flags);
        let rest = (rest != 0).then(|| format!("{rest:#x}"));
        let owner = (p.owner != -1).then_some(p.owner);
        let group = (p.group != -1).then_some(p.group);
        super::keep(if out.json {
            let mut m = Map::new();
            m.insert("ifname".into(), json!(name.escaped()));
            let flags: Vec<&str> = words.iter().copied().chain(rest.as_deref()).collect();
            m.insert("flags".into(), json!(flags));
            for (k, v) in [("user", owner), ("group", group)] {
                if let Some(v) = v {
                    m.insert(k.into(), json!(v));
                }
            }
            if let Some(h) = &holders {
                let h: Vec<Value> = h
                    .iter()
                    .map(|h| json!({"name": h.comm.as_deref().unwrap_or("<NULL>"), "pid": h.pid}))
                    .collect();
                m.insert("processes".into(), Value::Array(h));
            }
            out.array_item(&Value::Object(m))
        } else {
            let mut t = format!("{name}:");
            for w in words.iter().copied().chain(rest.as_deref()) {
                t.push(' ');
                t.push_str(w);
            }
            for (k, v) in [("user", owner), ("group", group)] {
                if let Some(v) = v {
                    t.push_str(&format!(" {k} {v}"));
                }
            }
            if let Some(h) = &holders {
                t.push_str("\n\tAttached to processes:");
                for h in h {
                    t.push_str(&format!(
                        "{}({})",
                        h.comm.as_deref().unwrap_or("<NULL>"),
                        h.pid
                    ));
                }
            }
            out.line(t)
        })
    });
    super::finish(r)?;
    list_end(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<TunTap, Option<CliError>> {
        let w: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse_args(&w, true)
    }
    fn err(s: &str) -> String {
        match p(s) {
            Err(Some(e)) => e.to_string(),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn args_as_ip_reads_them() {
        let t = p("tap0 m ta pi v mu o u 1000 g 5").unwrap();
        assert_eq!(t.name, b"tap0");
        assert_eq!(t.mode, TunMode::Tap);
        assert!(t.pi && t.vnet_hdr && t.multi_queue && t.one_queue);
        assert_eq!((t.owner, t.group), (Some(1000), Some(5)));
        let t = p("mode tun dev x1 user -1 group 4294967296").unwrap();
        assert_eq!(t.name, b"x1");
        assert_eq!((t.owner, t.group), (None, Some(0)));
        assert_eq!(p("name n1 mode tun").unwrap().name, b"n1");
        assert!(p("mode tun help").is_err_and(|e| e.is_none()));
        assert!(err("x").contains("You failed to specify a tunnel mode"));
        assert!(err("x mode foo").contains("Unknown tunnel mode \"foo\""));
        assert!(err("x mode tun mode tap").contains("more than one tunnel mode"));
        assert!(
            err("x y mode tun").contains("either \"name\" is duplicate, or \"y\" is a garbage.")
        );
        assert!(err("mode tun user no-such-user-here").contains("invalid user"));
        assert!(err("mode tun dev a/b").contains("\"dev\" not a valid ifname"));
        assert!(err("mode tun name sixteen-chars-xx").contains("\"name\" not a valid ifname"));
        assert!(err("mode").contains("\"mode\" needs a value"));
        // For del, `user` is a name, as in ip.
        let w: Vec<String> = ["x", "user", "mode", "tun"].map(String::from).to_vec();
        assert!(parse_args(&w, false).is_err());
    }

    #[test]
    fn verbs() {
        for (w, v) in [
            (Some("a"), Some("add")),
            (Some("d"), Some("delete")),
            (Some("del"), Some("delete")),
            (Some("s"), Some("show")),
            (Some("l"), Some("show")),
            (Some("lis"), Some("show")),
            (Some("h"), Some("help")),
            (None, Some("show")),
            (Some("x"), None),
        ] {
            assert_eq!(verb(w), v, "{w:?}");
        }
    }
}
