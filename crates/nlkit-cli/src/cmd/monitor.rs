//! `nlkit monitor [all|label] [link|address|route|neigh|netconf|rule|nexthop]...`:
//! rtnetlink events as they happen, human or JSON lines (`-j`), as `ip
//! monitor` prints them.
//!
//! The words are matched as ip matches them (any prefix, in ip's order: `l`
//! is `label`, `a` `address`, `r` `route`, `n` `neigh`, `net` `netconf`, `nex`
//! `nexthop`); none means every object. As in ip, each event is prefixed
//! with its object (`[LINK]`, `[ADDR]`, `[ROUTE]`, `[NEIGH]`, `[NETCONF]`,
//! `[RULE]`, `[NEXTHOP]`) only with `all` or `label`. Timestamps as ip's:
//! `-t` a line `Timestamp: Tue Dec  1 11:48:16 2026 385628 usec` before the
//! event, `-ts` `[2026-12-01T11:48:16.385628] ` before it (nlkit writes UTC
//! where ip writes local time: the same on a machine whose zone is UTC).
//!
//! NETCONF events (`RTM_NEWNETCONF`/`RTM_DELNETCONF`: forwarding, rp_filter,
//! mc_forwarding, proxy_neigh, ignore_routes_with_linkdown, input) are
//! printed as `ip monitor netconf` prints them (`inet d0 forwarding on `);
//! they pass through (no state is kept for them, nothing to resync).
//!
//! The monitor never loses state: it asks for a 32 MiB receive buffer (so an
//! ordinary storm causes no overrun at all), and if the kernel still reports
//! an overrun (`ENOBUFS`), it re-dumps what it watches and prints the
//! differences as events marked as coming from a resync (`resync` in human
//! output, `"resync": true` in JSON), then carries on. A consumer that applies
//! every event ends with exactly the kernel's state.
//!
//! `count N` stops after N events; `rcvbuf BYTES` asks for another receive
//! buffer size than 32 MiB (a tiny one makes overruns, and so resyncs, easy
//! to see).
//!
//! JSON lines: the object's own keys (as `nlkit OBJECT show -j` prints them;
//! netconf: `family`, `interface`, then each setting present, `forwarding`,
//! `mc_forwarding`, `proxy_neigh`, `ignore_routes_with_linkdown`, `input` as
//! booleans and `rp_filter` as `off`/`strict`/`loose`, as `ip -j monitor`),
//! plus `"event"`: `"new"` or `"del"`, `"object"`: `"link"`, `"addr"`,
//! `"route"`, `"neigh"`, `"netconf"`, `"rule"` or `"nexthop"`, `"resync"`:
//! bool, and with `-t` or `-ts` `"timestamp"`: RFC 3339 UTC with microseconds.

use super::route::emit::{json_str, Emit};
use super::route::{
    write_addr_event, write_link, write_neigh, write_netconf, write_nexthop, write_route,
    write_rule, DevNames, Names, RouteFmt,
};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::monitor::{Change, Monitor, Tracker, MONITOR_RCVBUF};
use nlkit::route::netconf::NETCONF_GROUPS;
use nlkit::route::track::{Objects, RouteTracker};
use nlkit::route::{
    AddrView, LinkView, NeighView, NetconfView, NexthopView, RouteView, RuleView, RTM_DELNETCONF,
    RTM_NEWNETCONF,
};
use nlkit::socket::netns::Netns;
use nlkit::socket::Socket;
use nlkit::wire::{self, Msg};
use nlkit::{Connection, Protocol, ToMsg};
use std::hash::Hasher;

fn open(g: &Global) -> Result<Socket, CliError> {
    match &g.netns {
        Some(n) => Netns::Named(n).open(Protocol::ROUTE),
        None => Socket::open(Protocol::ROUTE),
    }
    .map_err(|e| CliError::Nl(nlkit::Error::io("open rtnetlink socket", e)))
}

/// What `nlkit monitor WORDS` watches.
#[derive(Debug, Default, PartialEq, Eq)]
struct Watch {
    objects: Objects,
    netconf: bool,
    /// `all` or `label`: each event prefixed with its object, as ip.
    banner: bool,
    count: Option<u64>,
    rcvbuf: Option<usize>,
}

/// ip's `monitor` words in the order `do_ipmonitor()` tries them: (word,
/// matched by prefix, what nlkit does with it: an object, `label`, `all`,
/// or `None` for one nlkit does not have).
const WORDS: &[(&str, bool, Option<&str>)] = &[
    ("file", true, None),
    ("label", true, Some("label")),
    ("link", true, Some("link")),
    ("address", true, Some("addr")),
    ("maddress", true, None),
    ("acaddress", false, None),
    ("route", true, Some("route")),
    ("mroute", true, None),
    ("prefix", true, None),
    ("neigh", true, Some("neigh")),
    ("netconf", true, Some("netconf")),
    ("rule", true, Some("rule")),
    ("nsid", true, None),
    ("nexthop", true, Some("nexthop")),
    ("stats", false, None),
    ("all", false, Some("all")),
    ("all-nsid", true, None),
    ("dev", false, None),
];

fn parse_words(words: &[String]) -> Result<Watch, CliError> {
    let mut w = Watch::default();
    let mut it = words.iter();
    let number = |v: Option<&String>, what: &str| -> Result<u64, CliError> {
        let v = v.ok_or_else(|| CliError::usage(format!("monitor: {what} needs a number")))?;
        v.parse().map_err(|_| {
            CliError::usage(format!(
                "monitor: {what} {:?} is not a number",
                crate::error::clip(v)
            ))
        })
    };
    while let Some(word) = it.next() {
        match word.as_str() {
            // nlkit's own words, matched whole.
            "rcvbuf" => {
                w.rcvbuf = Some(usize::try_from(number(it.next(), "rcvbuf")?).unwrap_or(usize::MAX))
            }
            "count" => w.count = Some(number(it.next(), "count")?),
            "nh" => w.objects.nexthop = true,
            x => {
                let hit = WORDS
                    .iter()
                    .find(|(full, prefix, _)| crate::args::matches_row(x, full, *prefix));
                match hit {
                    Some((_, _, Some("label" | "all"))) => w.banner = true,
                    Some((_, _, Some("netconf"))) => w.netconf = true,
                    Some((_, _, Some(o))) => {
                        w.objects.add(o);
                    }
                    Some((full, _, None)) => {
                        return Err(CliError::usage(format!(
                            "monitor: \"{full}\" is not supported by nlkit"
                        )))
                    }
                    None => {
                        return Err(CliError::usage(format!(
                            "monitor: argument \"{}\" is unknown; use all, label, link, address, route, neigh, netconf, rule or nexthop",
                            crate::error::clip(x)
                        )))
                    }
                }
            }
        }
    }
    if w.objects == Objects::default() && !w.netconf {
        w.objects = Objects::ALL;
        w.netconf = true;
    }
    Ok(w)
}

/// The route tracker, and NETCONF messages passed through (they describe
/// settings, not objects a dump gives back: nothing to keep or resync).
struct CliTracker {
    route: RouteTracker,
    netconf: bool,
}

impl Tracker for CliTracker {
    fn groups(&self) -> Vec<u32> {
        let mut g = self.route.groups();
        if self.netconf {
            let fam = self.route.family;
            g.extend(
                NETCONF_GROUPS
                    .iter()
                    .filter(|(f, _)| fam == 0 || fam == *f)
                    .map(|(_, grp)| *grp),
            );
        }
        g
    }
    fn dumps(&self) -> Vec<Box<dyn ToMsg + Send + Sync>> {
        self.route.dumps()
    }
    fn identify(&self, msg: &Msg<&[u8]>, key: &mut Vec<u8>) -> wire::Result<Option<Change>> {
        self.route.identify(msg, key)
    }
    fn wants(&self, msg: &Msg<&[u8]>) -> bool {
        (self.netconf && matches!(msg.msg_type(), RTM_NEWNETCONF | RTM_DELNETCONF))
            || self.route.wants(msg)
    }
    fn state(&self, msg: &Msg<&[u8]>, h: &mut dyn Hasher) {
        self.route.state(msg, h)
    }
    fn identify_state(
        &self,
        msg: &Msg<&[u8]>,
        key: &mut Vec<u8>,
        h: &mut dyn Hasher,
    ) -> wire::Result<Option<Change>> {
        self.route.identify_state(msg, key, h)
    }
    fn delete_type(&self, new_type: u16) -> u16 {
        self.route.delete_type(new_type)
    }
    fn delete(&self, last: &Msg<&[u8]>, out: &mut Vec<u8>) -> wire::Result<()> {
        self.route.delete(last, out)
    }
}

/// Runs `nlkit monitor ...`.
pub fn run(g: &Global, words: &[String]) -> Result<(), CliError> {
    if let Some(r) = super::events::dispatch(g, words) {
        return r; // monitor uevent, monitor proc
    }
    let w = parse_words(words)?;
    let family = if g.ipv4 {
        2 // AF_INET
    } else if g.ipv6 {
        10 // AF_INET6
    } else {
        0
    };
    let tracker = CliTracker {
        route: RouteTracker {
            objects: w.objects,
            family,
        },
        netconf: w.netconf,
    };
    let sock = open(g)?;
    for grp in tracker.groups() {
        sock.add_membership(grp)
            .map_err(|e| nlkit::Error::io(format!("join rtnetlink group {grp}"), e))?;
    }
    let conn = Connection::with_socket(open(g)?)?;
    let mut mon = Monitor::new(sock, conn, tracker, w.rcvbuf.unwrap_or(MONITOR_RCVBUF))?;
    let mut out = Out::new(g);
    let mut names = Names::new(g.netns.as_deref());
    let mut seen = 0u64;
    let head = Head {
        banner: w.banner,
        ..Head::of(g)
    };
    while w.count.is_none_or(|c| seen < c) {
        // One write per burst, not per event: flush only before waiting for the kernel.
        if !mon.has_event()? {
            out.flush()?;
        }
        let ev = mon.next()?;
        print_event(g, &head, &mut out, &mut names, &ev.msg, ev.is_resync())?;
        seen += 1;
    }
    Ok(())
}

/// What goes before each event's text.
#[derive(Clone, Copy, Debug, Default)]
pub struct Head {
    /// `[LINK]`... (`all`, `label`).
    pub banner: bool,
    /// `-t`: a `Timestamp: ...` line.
    pub long_time: bool,
    /// `-ts`: `[2026-12-01T11:48:16.385628] `.
    pub short_time: bool,
}

impl Head {
    /// The timestamps the global options ask for; no banner.
    pub fn of(g: &Global) -> Head {
        Head {
            banner: false,
            long_time: g.timestamp && !g.tshort,
            short_time: g.tshort,
        }
    }
}

/// `Tue Dec  1 11:48:16 2026 385628 usec` (ip's `-t`, asctime's layout) and
/// `2026-12-01T11:48:16.385628` (ip's `-ts`) for `t`, in UTC.
fn ip_times(t: std::time::SystemTime) -> (String, String) {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let long = format!(
        "{} {} usec",
        super::conntrack::ctime(d.as_secs()),
        d.subsec_micros()
    );
    let short = humantime::format_rfc3339_micros(t).to_string();
    let short = short.trim_end_matches('Z').to_string();
    (long, short)
}

/// RFC 3339 UTC with microseconds, for `-t`.
fn timestamp() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

fn object_name(ty: u16) -> &'static str {
    match ty {
        16 | 17 => "link",
        20 | 21 => "addr",
        24 | 25 => "route",
        28 | 29 => "neigh",
        32 | 33 => "rule",
        80 | 81 => "netconf",
        104 | 105 => "nexthop",
        _ => "other",
    }
}

/// Renders one object message as `nlkit OBJECT show` does, in the one
/// format `json` asks for, appending to `buf` (text without a newline, or
/// one JSON object).
fn render(
    g: &Global,
    json: bool,
    names: &mut Names,
    msg: &Msg<&[u8]>,
    buf: &mut Vec<u8>,
) -> Result<(), CliError> {
    // A message whose header does not read is shown generically; the monitor goes on.
    macro_rules! view {
        ($v:ty) => {
            match <$v>::parse(msg) {
                Ok(v) => v,
                Err(e) => return Ok(generic(json, msg, Some(e), buf)),
            }
        };
    }
    let ty = msg.msg_type();
    let deleted = ty % 4 == 1;
    let d = g.details;
    match ty {
        16 | 17 => {
            let v = view!(LinkView);
            write_link(&mut Emit::new(buf, json), &v, names, d);
            match (deleted, v.name) {
                (true, _) => names.forget(v.index()),
                (false, Some(n)) => names.note(v.index(), n, v.flags()),
                _ => {}
            }
        }
        20 | 21 => write_addr_event(&mut Emit::new(buf, json), &view!(AddrView), names),
        24 | 25 => {
            let v = view!(RouteView);
            let fmt = RouteFmt {
                details: d,
                ..RouteFmt::default()
            };
            write_route(buf, json, &v, &mut DevNames::new(names), &fmt);
        }
        28 | 29 => write_neigh(
            &mut Emit::new(buf, json),
            &view!(NeighView),
            names,
            false,
            0,
        ),
        32 | 33 => write_rule(buf, json, &view!(RuleView), false),
        104 | 105 => write_nexthop(&mut Emit::new(buf, json), &view!(NexthopView), names, false),
        RTM_NEWNETCONF | RTM_DELNETCONF => write_netconf(buf, json, &view!(NetconfView), names),
        _ => generic(json, msg, None, buf),
    }
    Ok(())
}

/// A message no printer shows (a type nlkit has no view for, or one whose
/// header does not read), in one line from the decoder's registry: its type
/// name, header fields and top-level attributes. The monitor goes on.
fn generic(json: bool, msg: &Msg<&[u8]>, problem: Option<nlkit::wire::Error>, buf: &mut Vec<u8>) {
    let summary = nlkit::decode::summary(nlkit::Protocol::ROUTE, msg).to_string();
    let mut e = Emit::new(buf, json);
    e.open_obj(None);
    e.json_num("type", msg.msg_type());
    e.str("summary", "", &summary, "");
    if let Some(p) = problem {
        e.str("malformed", " (malformed: ", &p.to_string(), ")");
    }
    e.close_obj();
}

/// Prints one event as the object's own `show` output would, with its kind:
/// `Deleted ` before removed objects (as `ip monitor` does), `[resync]` for
/// differences found by a resync, and `head` before it: timestamps and,
/// with `all` or `label`, the object (`[ROUTE]`), as ip. JSON: the object's
/// keys, then `event`, `object`, `resync` (and `timestamp`), written
/// straight after them.
pub fn print_event(
    g: &Global,
    head: &Head,
    out: &mut Out,
    names: &mut Names,
    msg: &Msg<&[u8]>,
    resync: bool,
) -> Result<(), CliError> {
    let ty = msg.msg_type();
    let deleted = ty % 4 == 1; // RTM_DEL* types are RTM_NEW* + 1
    let json = out.json;
    let mut buf = out.take_buf();
    if json {
        render(g, json, names, msg, &mut buf)?;
        // The object's `}` gives way to the event's keys.
        if buf.last() == Some(&b'}') {
            buf.pop();
        }
        if buf.last() != Some(&b'{') {
            buf.push(b',');
        }
        buf.extend_from_slice(if deleted {
            b"\"event\":\"del\""
        } else {
            b"\"event\":\"new\""
        });
        buf.extend_from_slice(b",\"object\":\"");
        buf.extend_from_slice(object_name(ty).as_bytes());
        buf.extend_from_slice(if resync {
            b"\",\"resync\":true"
        } else {
            b"\",\"resync\":false"
        });
        if g.timestamp || g.tshort {
            buf.extend_from_slice(b",\"timestamp\":");
            json_str(&mut buf, &timestamp());
        }
        buf.extend_from_slice(b"}\n");
        let r = out.raw(&buf);
        out.give_buf(buf);
        return r;
    }
    if head.long_time || head.short_time {
        let (long, short) = ip_times(std::time::SystemTime::now());
        if head.short_time {
            buf.push(b'[');
            buf.extend_from_slice(short.as_bytes());
            buf.extend_from_slice(b"] ");
        } else {
            // A line of its own, even with `-o` (ip writes a real newline there).
            out.line(format_args!("Timestamp: {long}"))?;
        }
    }
    if resync {
        buf.extend_from_slice(b"[resync] ");
    }
    if head.banner {
        buf.push(b'[');
        buf.extend_from_slice(object_name(ty).to_ascii_uppercase().as_bytes());
        buf.push(b']');
    }
    if deleted {
        buf.extend_from_slice(b"Deleted ");
    }
    render(g, json, names, msg, &mut buf)?;
    while buf.last() == Some(&b'\n') {
        buf.pop();
    }
    let r = out.line(String::from_utf8_lossy(&buf));
    out.give_buf(buf);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlkit::wire::MsgWriter;

    fn text(msg: &[u8]) -> String {
        let g = Global::default();
        let mut names = Names::new(None);
        let m = Msg::new_checked(msg).unwrap();
        let mut b = Vec::new();
        render(&g, false, &mut names, &m, &mut b).unwrap();
        String::from_utf8(b).unwrap()
    }

    fn json(g: &Global, m: &Msg<&[u8]>) -> serde_json::Value {
        let mut b = Vec::new();
        render(g, true, &mut Names::new(None), m, &mut b).unwrap();
        serde_json::from_slice(&b).unwrap()
    }

    #[test]
    fn a_type_without_a_printer_is_summarized_by_the_registry() {
        // RTM_NEWNSID (88): no printer.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, 88, 0, 0, 0);
        w.fixed(&[0u8, 0, 0, 0]);
        w.attr_i32(1, 1).unwrap();
        w.finish().unwrap();
        let t = text(&b);
        assert!(t.contains("RTM_NEWNSID"), "{t}");
    }

    #[test]
    fn netconf_as_ip_prints_it() {
        // RTM_NEWNETCONF: netconfmsg (family 2), ifindex -1 (all), forwarding 1, rp_filter 2.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, 80, 0, 0, 0);
        w.fixed(&[2u8, 0, 0, 0]);
        w.attr_i32(1, -1).unwrap();
        w.attr_i32(2, 1).unwrap();
        w.attr_i32(3, 2).unwrap();
        w.attr_i32(6, 0).unwrap();
        w.finish().unwrap();
        assert_eq!(
            text(&b),
            "inet all forwarding on rp_filter loose ignore_routes_with_linkdown off "
        );
        let m = Msg::new_checked(&b[..]).unwrap();
        let v = json(&Global::default(), &m);
        assert_eq!(
            v.to_string(),
            r#"{"family":"inet","interface":"all","forwarding":true,"rp_filter":"loose","ignore_routes_with_linkdown":false}"#
        );
        // A value that is not 4 bytes: named, not fatal, not dropped.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, 80, 0, 0, 0);
        w.fixed(&[10u8, 0, 0, 0]);
        w.attr(2, &[1]).unwrap();
        w.attr_i32(5, 1).unwrap();
        w.finish().unwrap();
        assert_eq!(
            text(&b),
            "inet6 proxy_neigh on malformed NETCONFA_FORWARDING "
        );
        // A header that does not read: the registry's summary.
        let mut b = Vec::new();
        MsgWriter::new(&mut b, 80, 0, 0, 0).finish().unwrap();
        let t = text(&b);
        assert!(
            t.contains("RTM_NEWNETCONF") && t.contains("malformed"),
            "{t}"
        );
    }

    #[test]
    fn words_as_ip_matches_them() {
        let w = |s: &str| parse_words(&s.split(' ').map(String::from).collect::<Vec<_>>());
        let all = w("all").unwrap();
        assert!(all.banner && all.netconf && all.objects == Objects::ALL);
        let l = w("l").unwrap();
        assert!(l.banner, "l is label, as in ip");
        let x = w("r net nex").unwrap();
        assert!(x.netconf && x.objects.route && x.objects.nexthop && !x.objects.link && !x.banner);
        assert!(w("a").unwrap().objects.addr);
        assert!(w("n").unwrap().objects.neigh);
        assert_eq!(w("count 3").unwrap().count, Some(3));
        let e = w("mroute").unwrap_err().to_string();
        assert!(e.contains("\"mroute\" is not supported by nlkit"), "{e}");
        let e = w("bogus").unwrap_err().to_string();
        assert!(e.contains("argument \"bogus\" is unknown"), "{e}");
    }

    #[test]
    fn timestamps_as_ip_writes_them() {
        // 2026-12-01 09:05:03.000042 UTC, a Tuesday.
        let t = std::time::UNIX_EPOCH + std::time::Duration::new(1_796_115_903, 42_000);
        let (long, short) = ip_times(t);
        assert_eq!(long, "Tue Dec  1 09:05:03 2026 42 usec");
        assert_eq!(short, "2026-12-01T09:05:03.000042");
        let (long, _) = ip_times(std::time::UNIX_EPOCH);
        assert_eq!(long, "Thu Jan  1 00:00:00 1970 0 usec");
    }

    #[test]
    fn a_message_whose_header_is_short_is_shown_not_fatal() {
        // RTM_NEWROUTE with 4 bytes where rtmsg needs 12.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, 24, 0, 0, 0);
        w.fixed(&[2u8, 24, 0, 0]);
        w.finish().unwrap();
        let t = text(&b);
        assert!(t.contains("RTM_NEWROUTE") && t.contains("malformed"), "{t}");
        let g = Global::default();
        let m = Msg::new_checked(&b[..]).unwrap();
        let v = json(&g, &m);
        assert_eq!(v["type"], 24);
        assert!(v["malformed"].is_string(), "{v}");
    }
}
