//! `nlkit monitor [link|addr|route|neigh|rule|all]...`: rtnetlink events as
//! they happen, human or JSON lines (`-j`), with `-t` timestamps.
//!
//! The monitor never loses state: it asks for a 32 MiB receive buffer (so an
//! ordinary storm causes no overrun at all), and if the kernel still reports
//! an overrun (`ENOBUFS`), it re-dumps what it watches and prints the
//! differences as events marked as coming from a resync (`resync` in human
//! output, `"resync": true` in JSON), then carries on. A consumer that applies
//! every event ends with exactly the kernel's state.
//!
//! JSON lines: the object's own keys (as `nlkit OBJECT show -j` prints them),
//! plus `"event"`: `"new"` or `"del"`, `"object"`: `"link"`, `"addr"`,
//! `"route"`, `"neigh"` or `"rule"`, `"resync"`: bool, and with `-t`
//! `"timestamp"`: RFC 3339 UTC with microseconds.

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::monitor::{Monitor, MONITOR_RCVBUF};
use nlkit::route::track::{Objects, RouteTracker};
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
    let mut objects = Objects::default();
    let mut count: Option<u64> = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        match w.as_str() {
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
                    "monitor: unknown object {w:?}; use link, addr, route, neigh, rule or all"
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
    let mut mon = Monitor::new(sock, conn, tracker, MONITOR_RCVBUF)?;
    let mut out = Out::new(g);
    let mut seen = 0u64;
    while count.is_none_or(|c| seen < c) {
        let ev = mon.next()?;
        print_event(g, &mut out, &ev.msg, ev.resync)?;
        out.flush()?;
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
        _ => "other",
    }
}

/// Prints one event as the object's own `show` output would, with its kind.
pub fn print_event(
    g: &Global,
    out: &mut Out,
    msg: &Msg<&[u8]>,
    resync: bool,
) -> Result<(), CliError> {
    let ty = msg.msg_type();
    let deleted = ty % 4 == 1; // RTM_DEL* types are RTM_NEW* + 1
    if out.json {
        let mut v = event_json(msg);
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
    line.push_str(&event_text(msg));
    out.line(line)
}

/// A generic rendering of one object message: its top-level attributes by name.
fn event_text(msg: &Msg<&[u8]>) -> String {
    let mut parts = vec![nlkit::route::msg_type_name(msg.msg_type())
        .unwrap_or("?")
        .to_string()];
    walk_top(msg, &mut |name, value| {
        parts.push(format!("{name} {value}"))
    });
    parts.join(" ")
}

/// The same as JSON.
fn event_json(msg: &Msg<&[u8]>) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    walk_top(msg, &mut |name, value| {
        o.insert(name.to_string(), value.into());
    });
    serde_json::Value::Object(o)
}

fn walk_top(msg: &Msg<&[u8]>, f: &mut dyn FnMut(&str, String)) {
    let ty = msg.msg_type();
    let fixed = nlkit::route::fixed_header_len(ty).unwrap_or(0);
    let attrs = msg
        .payload()
        .get(nlkit::wire::align(fixed)..)
        .unwrap_or(&[]);
    let _ = nlkit::route::attrs::walk(
        nlkit::route::attr_set(ty),
        nlkit::wire::AttrIter::new(attrs),
        0,
        &mut |n| {
            if n.depth == 0 {
                f(n.name().unwrap_or("?"), n.value());
            }
        },
    );
}
