//! `nlkit monitor [link|addr|route|neigh|rule|nexthop|all]...`: rtnetlink events as
//! they happen, human or JSON lines (`-j`), with `-t` timestamps.
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
//! JSON lines: the object's own keys (as `nlkit OBJECT show -j` prints them),
//! plus `"event"`: `"new"` or `"del"`, `"object"`: `"link"`, `"addr"`,
//! `"route"`, `"neigh"`, `"rule"` or `"nexthop"`, `"resync"`: bool, and with `-t`
//! `"timestamp"`: RFC 3339 UTC with microseconds.

use super::route::{
    addr_json, addr_text, link_json, link_text, neigh_json, neigh_text, nexthop_json, nexthop_text,
    route_json, route_text, rule_json, rule_text, Names, RouteFmt,
};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::monitor::{Monitor, Tracker, MONITOR_RCVBUF};
use nlkit::route::track::{Objects, RouteTracker};
use nlkit::route::{AddrView, LinkView, NeighView, NexthopView, RouteView, RuleView};
use nlkit::socket::netns::Netns;
use nlkit::socket::Socket;
use nlkit::wire::Msg;
use nlkit::{Connection, Protocol};

fn open(g: &Global) -> Result<Socket, CliError> {
    match &g.netns {
        Some(n) => Netns::Named(n).open(Protocol::ROUTE),
        None => Socket::open(Protocol::ROUTE),
    }
    .map_err(|e| CliError::Nl(nlkit::Error::io("open rtnetlink socket", e)))
}

/// Runs `nlkit monitor ...`.
pub fn run(g: &Global, words: &[String]) -> Result<(), CliError> {
    if let Some(r) = super::events::dispatch(g, words) {
        return r; // monitor uevent, monitor proc
    }
    let mut objects = Objects::default();
    let mut count: Option<u64> = None;
    let mut rcvbuf = MONITOR_RCVBUF;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "rcvbuf" => {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::usage("monitor: rcvbuf needs a size in bytes"))?;
                rcvbuf = v.parse().map_err(|_| {
                    CliError::usage(format!("monitor: rcvbuf {v:?} is not a number"))
                })?;
            }
            "count" => {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::usage("monitor: count needs a number"))?;
                count = Some(v.parse().map_err(|_| {
                    CliError::usage(format!("monitor: count {v:?} is not a number"))
                })?);
            }
            w if objects.add(w) => {}
            w => {
                return Err(CliError::usage(format!(
                "monitor: unknown object {w:?}; use link, addr, route, neigh, rule, nexthop or all"
            )))
            }
        }
    }
    if objects == Objects::default() {
        objects = Objects::ALL;
    }
    let family = if g.ipv4 {
        2 // AF_INET
    } else if g.ipv6 {
        10 // AF_INET6
    } else {
        0
    };
    let tracker = RouteTracker { objects, family };
    let sock = open(g)?;
    for grp in tracker.groups() {
        sock.add_membership(grp)
            .map_err(|e| nlkit::Error::io(format!("join rtnetlink group {grp}"), e))?;
    }
    let conn = Connection::with_socket(open(g)?)?;
    let mut mon = Monitor::new(sock, conn, tracker, rcvbuf)?;
    let mut out = Out::new(g);
    let mut names = Names::new(g.netns.as_deref());
    let mut seen = 0u64;
    while count.is_none_or(|c| seen < c) {
        // One write per burst, not per event: flush only before waiting for the kernel.
        if !mon.has_event()? {
            out.flush()?;
        }
        let ev = mon.next()?;
        print_event(g, &mut out, &mut names, &ev.msg, ev.is_resync())?;
        seen += 1;
    }
    Ok(())
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
        104 | 105 => "nexthop",
        _ => "other",
    }
}

/// One event's object, in the one format asked for.
enum Shown {
    Text(String),
    Json(serde_json::Value),
}

/// Renders `v` with the text or the JSON printer, whichever `json` asks for (never both).
fn show<V>(
    json: bool,
    v: &V,
    names: &mut Names,
    text: impl FnOnce(&V, &mut Names) -> String,
    js: impl FnOnce(&V, &mut Names) -> serde_json::Value,
) -> Shown {
    if json {
        Shown::Json(js(v, names))
    } else {
        Shown::Text(text(v, names))
    }
}

/// Renders one object message as `nlkit OBJECT show` does.
fn render(g: &Global, json: bool, names: &mut Names, msg: &Msg<&[u8]>) -> Result<Shown, CliError> {
    // A message whose header does not read is shown generically; the monitor goes on.
    macro_rules! view {
        ($v:ty) => {
            match <$v>::parse(msg) {
                Ok(v) => v,
                Err(e) => return Ok(generic(json, msg, Some(e))),
            }
        };
    }
    let ty = msg.msg_type();
    let deleted = ty % 4 == 1;
    let d = g.details;
    Ok(match ty {
        16 | 17 => {
            let v = view!(LinkView);
            let shown = show(
                json,
                &v,
                names,
                |v, n| link_text(v, n, d),
                |v, n| link_json(v, n, d),
            );
            match (deleted, v.name) {
                (true, _) => names.forget(v.index()),
                (false, Some(n)) => names.note(v.index(), n, v.flags()),
                _ => {}
            }
            shown
        }
        20 | 21 => {
            let v = view!(AddrView);
            show(json, &v, names, addr_text, addr_json)
        }
        24 | 25 => {
            let v = view!(RouteView);
            let fmt = RouteFmt {
                details: d,
                ..RouteFmt::default()
            };
            show(
                json,
                &v,
                names,
                |v, n| route_text(v, n, &fmt),
                |v, n| route_json(v, n, &fmt),
            )
        }
        28 | 29 => {
            let v = view!(NeighView);
            show(
                json,
                &v,
                names,
                |v, n| neigh_text(v, n, false),
                |v, n| neigh_json(v, n, false),
            )
        }
        32 | 33 => {
            let v = view!(RuleView);
            show(json, &v, names, |v, _| rule_text(v), |v, _| rule_json(v))
        }
        104 | 105 => {
            let v = view!(NexthopView);
            show(json, &v, names, nexthop_text, nexthop_json)
        }
        _ => generic(json, msg, None),
    })
}

/// A message no printer shows (a type nlkit has no view for, or one whose
/// header does not read), in one line from the decoder's registry: its type
/// name, header fields and top-level attributes. The monitor goes on.
fn generic(json: bool, msg: &Msg<&[u8]>, problem: Option<nlkit::wire::Error>) -> Shown {
    let summary = nlkit::decode::summary(nlkit::Protocol::ROUTE, msg).to_string();
    if json {
        let mut v = serde_json::json!({ "type": msg.msg_type(), "summary": summary });
        if let Some(e) = problem {
            v["malformed"] = e.to_string().into();
        }
        Shown::Json(v)
    } else {
        match problem {
            Some(e) => Shown::Text(format!("{summary} (malformed: {e})")),
            None => Shown::Text(summary),
        }
    }
}

/// Prints one event as the object's own `show` output would, with its kind:
/// `Deleted ` before removed objects (as `ip monitor` does), `[resync]` for
/// differences found by a resync, `[TIMESTAMP]` with `-t`.
pub fn print_event(
    g: &Global,
    out: &mut Out,
    names: &mut Names,
    msg: &Msg<&[u8]>,
    resync: bool,
) -> Result<(), CliError> {
    let ty = msg.msg_type();
    let deleted = ty % 4 == 1; // RTM_DEL* types are RTM_NEW* + 1
    let text = match render(g, out.json, names, msg)? {
        Shown::Text(t) => t,
        Shown::Json(mut v) => {
            if let Some(o) = v.as_object_mut() {
                o.insert("event".into(), (if deleted { "del" } else { "new" }).into());
                o.insert("object".into(), object_name(ty).into());
                o.insert("resync".into(), resync.into());
                if g.timestamp {
                    o.insert("timestamp".into(), timestamp().into());
                }
            }
            return out.json_value(&v);
        }
    };
    let mut line = String::new();
    if g.timestamp {
        line.push_str(&format!("[{}] ", timestamp()));
    }
    if resync {
        line.push_str("[resync] ");
    }
    line.push_str(&format!("[{}] ", object_name(ty).to_ascii_uppercase()));
    if deleted {
        line.push_str("Deleted ");
    }
    line.push_str(text.trim_end_matches('\n'));
    out.line(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlkit::wire::MsgWriter;

    fn text(msg: &[u8]) -> String {
        let g = Global::default();
        let mut names = Names::new(None);
        let m = Msg::new_checked(msg).unwrap();
        match render(&g, false, &mut names, &m).unwrap() {
            Shown::Text(t) => t,
            Shown::Json(_) => unreachable!("asked for text"),
        }
    }

    #[test]
    fn a_type_without_a_printer_is_summarized_by_the_registry() {
        // RTM_NEWNETCONF: netconfmsg (family 2), NETCONFA_IFINDEX 1.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, 80, 0, 0, 0);
        w.fixed(&[2u8, 0, 0, 0]);
        w.attr_i32(1, 1).unwrap();
        w.finish().unwrap();
        let t = text(&b);
        assert!(t.contains("RTM_NEWNETCONF"), "{t}");
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
        let Shown::Json(v) = render(&g, true, &mut Names::new(None), &m).unwrap() else {
            unreachable!("asked for JSON")
        };
        assert_eq!(v["type"], 24);
        assert!(v["malformed"].is_string(), "{v}");
    }
}
