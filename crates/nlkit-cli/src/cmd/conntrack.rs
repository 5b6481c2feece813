//! `nlkit conntrack`: conntrack-tools' grammar and text output (`conntrack`
//! 1.4.7, line for line, with its summary line on stderr), plus `-j`: one
//! JSON array of entries (keys in `docs/json.md`).
//!
//! Commands: `-L [conntrack|dying|unconfirmed]`, `-G`, `-D`, `-I`, `-U`, `-F`,
//! `-C`, `-S`. Selection: `-s -d -r -q -p --sport --dport --reply-port-src
//! --reply-port-dst --icmp-type --icmp-code --icmp-id --state -m MARK[/MASK]
//! -u STATUS -w ZONE -f FAMILY -n -g`; `-t` timeout, `-z` zero counters, `-o
//! extended|id|ktimestamp|timestamp|save`, `-b` receive buffer.

use crate::error::CliError;
use nlkit::netfilter::conntrack::labels::{self, LabelMap};
use nlkit::netfilter::conntrack::{self as ct, Conntrack, Filter, Spec, Table, Tuple};
use nlkit::netfilter::{l3_name, parse_l3};
use nlkit::socket::netns::Netns;
use nlkit::socket::Socket;
use nlkit::wire::AddrText;
use nlkit::{Connection, Protocol};
use serde::ser::{SerializeMap, Serializer};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

const TOOL: &str = "conntrack v1.4.7 (conntrack-tools)";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Command {
    List,
    Get,
    Delete,
    Create,
    Update,
    Flush,
    Count,
    Stats,
    Event,
}

/// Output options of `-o`.
#[derive(Clone, Debug, Default)]
pub struct OutOpts {
    /// `extended`: layer-3 name and number first.
    pub extended: bool,
    /// `id`: `id=N` last.
    pub id: bool,
    /// `ktimestamp`: `[start=...] [stop=...]`.
    pub ktimestamp: bool,
    /// `save`: as `conntrack -I` arguments.
    pub save: bool,
    /// `timestamp`: events start with the time they were read (`[SECS.USECS]\t`).
    pub timestamp: bool,
    /// The label names (`labels`, or any label option): `labels=a,b` last.
    pub labels: Option<std::rc::Rc<LabelMap>>,
}

#[derive(Debug, Default)]
struct Args {
    cmd: Option<Command>,
    table: Table,
    filter: Filter,
    timeout: Option<u32>,
    status: Option<u32>,
    mark: Option<(u32, u32)>,
    zero: bool,
    out: OutOpts,
    json: bool,
    rcvbuf: Option<usize>,
    /// `-e`: the event kinds `-E` shows (new, update, destroy); all when unset.
    event_mask: Option<[bool; 3]>,
    /// `-o labels` or a label option: the label names are read.
    want_labels: bool,
    /// `-l`: names of labels an entry must all have.
    label: Vec<String>,
    /// `--label-add`: names of labels to set.
    label_add: Vec<String>,
    /// `--label-del`: names of labels to clear (`Some(empty)`: all).
    label_del: Option<Vec<String>>,
}

fn usage(s: impl Into<String>) -> CliError {
    CliError::usage(format!("conntrack: {}", s.into()))
}

fn num<T: std::str::FromStr>(opt: &str, v: &str) -> Result<T, CliError> {
    let parsed = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u64::from_str_radix(h, 16)
            .ok()
            .and_then(|n| n.to_string().parse().ok())
    } else {
        v.parse().ok()
    };
    parsed.ok_or_else(|| usage(format!("{opt}: {v:?} is not a valid number")))
}

fn addr(opt: &str, v: &str) -> Result<IpAddr, CliError> {
    v.parse()
        .map_err(|_| usage(format!("{opt}: {v:?} is not an IPv4 or IPv6 address")))
}

fn parse_args(words: &[String]) -> Result<Args, CliError> {
    let mut a = Args::default();
    let mut it = words.iter().peekable();
    let set_cmd = |a: &mut Args, c: Command| -> Result<(), CliError> {
        if a.cmd.is_some_and(|o| o != c) {
            return Err(usage(
                "only one command (-L -G -D -I -U -F -C -S) at a time",
            ));
        }
        a.cmd = Some(c);
        Ok(())
    };
    let mut state: Option<String> = None;
    while let Some(w) = it.next() {
        let (opt, inline) = match w.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let val = |it: &mut std::iter::Peekable<std::slice::Iter<'_, String>>| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| usage(format!("option {opt} needs a value")))
        };
        match opt {
            "-L" | "--dump" => {
                set_cmd(&mut a, Command::List)?;
                if let Some(t) = it.peek() {
                    a.table = match t.as_str() {
                        "conntrack" => Table::Main,
                        "dying" => Table::Dying,
                        "unconfirmed" => Table::Unconfirmed,
                        "expect" => return Err(usage("the expectation table is not supported")),
                        _ => continue,
                    };
                    it.next();
                }
            }
            "-G" | "--get" => set_cmd(&mut a, Command::Get)?,
            "-D" | "--delete" => set_cmd(&mut a, Command::Delete)?,
            "-I" | "--create" => set_cmd(&mut a, Command::Create)?,
            "-U" | "--update" => set_cmd(&mut a, Command::Update)?,
            "-F" | "--flush" => set_cmd(&mut a, Command::Flush)?,
            "-C" | "--count" => set_cmd(&mut a, Command::Count)?,
            "-S" | "--stats" => set_cmd(&mut a, Command::Stats)?,
            "-E" | "--event" => set_cmd(&mut a, Command::Event)?,
            "-s" | "--src" | "--orig-src" => a.filter.orig.src = Some(addr(opt, &val(&mut it)?)?),
            "-d" | "--dst" | "--orig-dst" => a.filter.orig.dst = Some(addr(opt, &val(&mut it)?)?),
            "-r" | "--reply-src" => a.filter.reply.src = Some(addr(opt, &val(&mut it)?)?),
            "-q" | "--reply-dst" => a.filter.reply.dst = Some(addr(opt, &val(&mut it)?)?),
            "-p" | "--proto" => {
                let v = val(&mut it)?;
                let p = ct::parse_l4(&v).ok_or_else(|| usage(format!("unknown protocol {v:?}")))?;
                a.filter.orig.proto = Some(p);
            }
            "--sport" | "--orig-port-src" => a.filter.orig.sport = Some(num(opt, &val(&mut it)?)?),
            "--dport" | "--orig-port-dst" => a.filter.orig.dport = Some(num(opt, &val(&mut it)?)?),
            "--reply-port-src" => a.filter.reply.sport = Some(num(opt, &val(&mut it)?)?),
            "--reply-port-dst" => a.filter.reply.dport = Some(num(opt, &val(&mut it)?)?),
            "--icmp-type" | "--icmpv6-type" => {
                a.filter.orig.icmp_type = Some(num(opt, &val(&mut it)?)?)
            }
            "--icmp-code" | "--icmpv6-code" => {
                a.filter.orig.icmp_code = Some(num(opt, &val(&mut it)?)?)
            }
            "--icmp-id" | "--icmpv6-id" => a.filter.orig.icmp_id = Some(num(opt, &val(&mut it)?)?),
            "--state" => state = Some(val(&mut it)?),
            "-m" | "--mark" => {
                let v = val(&mut it)?;
                let (m, mask) = match v.split_once('/') {
                    Some((m, k)) => (num(opt, m)?, num(opt, k)?),
                    None => (num(opt, &v)?, u32::MAX),
                };
                a.mark = Some((m, mask));
            }
            "-u" | "--status" => {
                let v = val(&mut it)?;
                a.status = Some(
                    ct::parse_status(&v).ok_or_else(|| usage(format!("unknown status {v:?}")))?,
                );
            }
            "-t" | "--timeout" => a.timeout = Some(num(opt, &val(&mut it)?)?),
            "-w" | "--zone" => a.filter.zone = Some(num(opt, &val(&mut it)?)?),
            "--zone-orig" | "--orig-zone" => a.filter.orig.zone = Some(num(opt, &val(&mut it)?)?),
            "--zone-reply" | "--reply-zone" => {
                a.filter.reply.zone = Some(num(opt, &val(&mut it)?)?)
            }
            "-f" | "--family" => {
                let v = val(&mut it)?;
                a.filter.family =
                    parse_l3(&v).ok_or_else(|| usage(format!("unknown family {v:?}")))?;
            }
            "-n" | "--src-nat" => a.filter.nat.get_or_insert((false, false)).0 = true,
            "-g" | "--dst-nat" => a.filter.nat.get_or_insert((false, false)).1 = true,
            "-z" | "--zero" => a.zero = true,
            "-e" | "--event-mask" => {
                let mut m = [false; 3];
                for w in val(&mut it)?.split(',') {
                    match w.to_ascii_uppercase().as_str() {
                        "ALL" => m = [true; 3],
                        "NEW" => m[0] = true,
                        "UPDATE" | "UPDATES" => m[1] = true,
                        "DESTROY" => m[2] = true,
                        _ => return Err(usage(format!("unknown event type {w:?}"))),
                    }
                }
                a.event_mask = Some(m);
            }
            "-b" | "--buffer-size" => a.rcvbuf = Some(num(opt, &val(&mut it)?)?),
            "-o" | "--output" => {
                for o in val(&mut it)?.split(',') {
                    match o {
                        "extended" => a.out.extended = true,
                        "id" => a.out.id = true,
                        "ktimestamp" => a.out.ktimestamp = true,
                        "timestamp" => a.out.timestamp = true,
                        "labels" => a.want_labels = true,
                        "userspace" => {}
                        "save" => a.out.save = true,
                        "xml" => return Err(usage("-o xml is not supported (use -j)")),
                        _ => return Err(usage(format!("unknown output option {o:?}"))),
                    }
                }
            }
            "-j" | "--json" => a.json = true,
            "-l" | "--label" => {
                a.want_labels = true;
                a.label.extend(val(&mut it)?.split(',').map(String::from));
            }
            "--label-add" => {
                a.want_labels = true;
                a.label_add
                    .extend(val(&mut it)?.split(',').map(String::from));
            }
            "--label-del" => {
                a.want_labels = true;
                let del = a.label_del.get_or_insert_with(Vec::new);
                // The name is optional: without one, every label goes.
                if let Some(v) = inline
                    .clone()
                    .or_else(|| it.next_if(|n| !n.starts_with('-')).cloned())
                {
                    del.extend(v.split(',').map(String::from));
                }
            }
            _ => return Err(usage(format!("unknown option {w:?}"))),
        }
    }
    if let Some(s) = state {
        let p = a.filter.orig.proto.unwrap_or(6);
        a.filter.state =
            Some(ct::parse_state(p, &s).ok_or_else(|| usage(format!("unknown state {s:?}")))?);
    }
    // Reply ports and addresses use the protocol of the original direction.
    if a.filter.reply != Tuple::default() {
        a.filter.reply.proto = a.filter.orig.proto;
    }
    Ok(a)
}

fn connect(netns: Option<&str>, rcvbuf: Option<usize>) -> Result<Connection, CliError> {
    let sock = match netns {
        Some(n) => Netns::Named(n).open(Protocol::NETFILTER),
        None => Socket::open(Protocol::NETFILTER),
    }
    .map_err(|e| nlkit::Error::io("open netfilter netlink socket", e))?;
    if let Some(b) = rcvbuf {
        if sock.set_recv_buffer_size(b, true).is_err() {
            let _ = sock.set_recv_buffer_size(b, false);
        }
    }
    Ok(Connection::with_socket(sock)?)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `Tue Dec  1 08:57:37 2026` (UTC), as `ctime` prints it (also `ip monitor -t`'s).
pub(crate) fn ctime(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem / 60 % 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mon = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mon <= 2);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        WD[days.rem_euclid(7) as usize],
        MO[(mon - 1) as usize],
        d,
        h,
        m,
        s,
        y
    )
}

fn write_tuple(s: &mut String, t: &Tuple, proto: Option<u8>) {
    if let (Some(a), Some(b)) = (t.src, t.dst) {
        let _ = write!(s, "src={} dst={} ", AddrText(a), AddrText(b));
    }
    match proto {
        Some(6 | 17 | 136 | 132 | 33) => {
            let _ = write!(
                s,
                "sport={} dport={} ",
                t.sport.unwrap_or(0),
                t.dport.unwrap_or(0)
            );
        }
        Some(1 | 58) => {
            let _ = write!(
                s,
                "type={} code={} id={} ",
                t.icmp_type.unwrap_or(0),
                t.icmp_code.unwrap_or(0),
                t.icmp_id.unwrap_or(0)
            );
        }
        _ => {}
    }
}

/// One entry as `conntrack` prints it (without the newline).
pub fn text(c: &Conntrack<'_>, o: &OutOpts, now: u64) -> String {
    if o.save {
        return save_text(c);
    }
    let mut s = String::with_capacity(256);
    let proto = c.proto();
    if o.extended {
        let _ = write!(s, "{:<8} {} ", l3_name(c.family()), c.family());
    }
    let p = proto.unwrap_or(0);
    let _ = write!(s, "{:<8} {} ", ct::l4_name(p), p);
    if let Some(t) = c.timeout {
        let _ = write!(s, "{t} ");
    }
    if let Some(st) = c.state_name() {
        let _ = write!(s, "{st} ");
    }
    let dir = |s: &mut String, t: &Option<Tuple>, cnt: &Option<ct::Counters>, tag: &str| {
        if let Some(t) = t {
            write_tuple(s, t, proto);
            if let Some(z) = t.zone {
                let _ = write!(s, "zone-{tag}={z} ");
            }
        }
        if let Some(k) = cnt {
            let _ = write!(s, "packets={} bytes={} ", k.packets, k.bytes);
        }
    };
    dir(&mut s, &c.orig, &c.counters_orig, "orig");
    if c.status.is_some() && !c.has_status(ct::IPS_SEEN_REPLY) {
        s.push_str("[UNREPLIED] ");
    }
    dir(&mut s, &c.reply, &c.counters_reply, "reply");
    if c.has_status(ct::IPS_OFFLOAD) {
        s.push_str("[OFFLOAD] ");
    }
    if c.has_status(ct::IPS_HW_OFFLOAD) {
        s.push_str("[HW_OFFLOAD] ");
    }
    if c.has_status(ct::IPS_ASSURED) {
        s.push_str("[ASSURED] ");
    }
    if let Some(m) = c.mark {
        let _ = write!(s, "mark={m} ");
    }
    if let Some(m) = c.secmark {
        let _ = write!(s, "secmark={m} ");
    }
    if let Some(x) = c.secctx {
        let _ = write!(s, "secctx={x} ");
    }
    if let Some(z) = c.zone {
        let _ = write!(s, "zone={z} ");
    }
    if let Some(start) = c.ts_start {
        let stop = c.ts_stop.map_or(now, |t| t / 1_000_000_000);
        let delta = stop.wrapping_sub(start / 1_000_000_000);
        let _ = write!(s, "delta-time={delta} ");
        if o.ktimestamp {
            let _ = write!(s, "[start={}] ", ctime(start / 1_000_000_000));
            if let Some(t) = c.ts_stop {
                let _ = write!(s, "[stop={}] ", ctime(t / 1_000_000_000));
            }
        }
    }
    if let Some(h) = c.helper {
        let _ = write!(s, "helper={h} ");
    }
    if let Some(u) = c.use_count {
        let _ = write!(s, "use={u} ");
    }
    if o.id {
        if let Some(i) = c.id {
            let _ = write!(s, "id={i} ");
        }
    }
    if let (Some(map), Some(l)) = (&o.labels, c.labels) {
        let names = map.names_of(l);
        if !names.is_empty() {
            let _ = write!(s, "labels={} ", names.join(","));
        }
    }
    while s.ends_with(' ') {
        s.pop();
    }
    s
}

/// `-o save`: the entry as `conntrack -I` arguments.
fn save_text(c: &Conntrack<'_>) -> String {
    let mut s = String::from("-A ");
    if let Some(t) = c.timeout {
        let _ = write!(s, "-t {t} ");
    }
    let st = c.status.unwrap_or(0);
    let names: Vec<&str> = [
        (1u32 << 0, "EXPECTED"),
        (1 << 1, "SEEN_REPLY"),
        (1 << 2, "ASSURED"),
    ]
    .iter()
    .filter(|(b, _)| st & b != 0)
    .map(|(_, n)| *n)
    .collect();
    let _ = write!(
        s,
        "-u {} ",
        if names.is_empty() {
            "UNSET".to_string()
        } else {
            names.join(",")
        }
    );
    if let Some(z) = c.zone {
        let _ = write!(s, "-w {z} ");
    }
    let proto = c.proto();
    for (t, a, b) in [(&c.orig, "-s", "-d"), (&c.reply, "-r", "-q")] {
        if let Some(t) = t {
            if let (Some(x), Some(y)) = (t.src, t.dst) {
                let _ = write!(s, "{a} {} {b} {} ", AddrText(x), AddrText(y));
            }
        }
    }
    if let Some(p) = proto {
        let _ = write!(s, "-p {} ", ct::l4_name(p));
        let (o, r) = (c.orig.unwrap_or_default(), c.reply.unwrap_or_default());
        match p {
            6 | 17 | 136 | 132 | 33 => {
                let _ = write!(
                    s,
                    "--sport {} --dport {} --reply-port-src {} --reply-port-dst {} ",
                    o.sport.unwrap_or(0),
                    o.dport.unwrap_or(0),
                    r.sport.unwrap_or(0),
                    r.dport.unwrap_or(0)
                );
            }
            1 | 58 => {
                let v6 = if p == 58 { "v6" } else { "" };
                let _ = write!(
                    s,
                    "--icmp{v6}-type {} --icmp{v6}-code {} --icmp{v6}-id {} ",
                    o.icmp_type.unwrap_or(0),
                    o.icmp_code.unwrap_or(0),
                    o.icmp_id.unwrap_or(0)
                );
            }
            _ => {}
        }
    }
    if let Some(st) = c.state_name() {
        let _ = write!(s, "--state {st} ");
    }
    while s.ends_with(' ') {
        s.pop();
    }
    s
}

struct JsonTuple<'a>(&'a Tuple, Option<&'a ct::Counters>, Option<u8>);

/// An address in JSON as the text output writes it (`inet_ntop`'s form).
struct JsonAddr(IpAddr);

impl serde::Serialize for JsonAddr {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_str(&AddrText(self.0))
    }
}

impl serde::Serialize for JsonTuple<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let mut m = ser.serialize_map(None)?;
        if let Some(a) = t.src {
            m.serialize_entry("src", &JsonAddr(a))?;
        }
        if let Some(a) = t.dst {
            m.serialize_entry("dst", &JsonAddr(a))?;
        }
        match self.2 {
            Some(1 | 58) => {
                m.serialize_entry("type", &t.icmp_type)?;
                m.serialize_entry("code", &t.icmp_code)?;
                m.serialize_entry("id", &t.icmp_id)?;
            }
            _ => {
                if let Some(p) = t.sport {
                    m.serialize_entry("sport", &p)?;
                }
                if let Some(p) = t.dport {
                    m.serialize_entry("dport", &p)?;
                }
            }
        }
        if let Some(z) = t.zone {
            m.serialize_entry("zone", &z)?;
        }
        if let Some(k) = self.1 {
            m.serialize_entry("packets", &k.packets)?;
            m.serialize_entry("bytes", &k.bytes)?;
        }
        m.end()
    }
}

/// One entry as JSON (keys in `docs/json.md`).
pub struct Json<'a, 'b>(pub &'a Conntrack<'b>);

impl serde::Serialize for Json<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let proto = c.proto();
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("family", l3_name(c.family()))?;
        m.serialize_entry("proto", ct::l4_name(proto.unwrap_or(0)))?;
        m.serialize_entry("protonum", &proto.unwrap_or(0))?;
        if let Some(t) = c.timeout {
            m.serialize_entry("timeout", &t)?;
        }
        if let Some(st) = c.state_name() {
            m.serialize_entry("state", st)?;
        }
        if let Some(t) = &c.orig {
            m.serialize_entry("orig", &JsonTuple(t, c.counters_orig.as_ref(), proto))?;
        }
        if let Some(t) = &c.reply {
            m.serialize_entry("reply", &JsonTuple(t, c.counters_reply.as_ref(), proto))?;
        }
        if let Some(st) = c.status {
            let names: Vec<&str> = ct::IPS_NAMES
                .iter()
                .filter(|(b, _)| st & b != 0)
                .map(|(_, n)| *n)
                .collect();
            m.serialize_entry("status", &names)?;
        }
        for (k, v) in [
            ("mark", c.mark),
            ("secmark", c.secmark),
            ("zone", c.zone.map(u32::from)),
            ("use", c.use_count),
            ("id", c.id),
        ] {
            if let Some(v) = v {
                m.serialize_entry(k, &v)?;
            }
        }
        if let Some(x) = c.secctx {
            m.serialize_entry("secctx", &x.to_string())?;
        }
        if let Some(x) = c.helper {
            m.serialize_entry("helper", &x.to_string())?;
        }
        if let Some(x) = c.ts_start {
            m.serialize_entry("start", &x)?;
        }
        if let Some(x) = c.ts_stop {
            m.serialize_entry("stop", &x)?;
        }
        if let Some(l) = c.labels {
            let hex: String = l.iter().map(|b| format!("{b:02x}")).collect();
            m.serialize_entry("labels", &hex)?;
        }
        // Attributes whose value did not read (a wrong size): kept, raw.
        let bad: Vec<serde_json::Value> = c
            .malformed_attrs()
            .map(|a| {
                let name = ct::CtAttr::from_u16(a.kind()).c_name();
                let hex: String = a.payload().iter().map(|b| format!("{b:02x}")).collect();
                serde_json::json!({"type": a.kind(), "name": name, "hex": hex})
            })
            .collect();
        if !bad.is_empty() {
            m.serialize_entry("malformed", &bad)?;
        }
        for (k, n) in [("nat_src", &c.nat_src), ("nat_dst", &c.nat_dst)] {
            if let Some(n) = n {
                m.serialize_entry(
                    k,
                    &serde_json::json!({"min": n.min_ip.map(|a| AddrText(a).to_string()),
                        "max": n.max_ip.map(|a| AddrText(a).to_string()),
                        "port_min": n.min_port, "port_max": n.max_port}),
                )?;
            }
        }
        m.end()
    }
}

/// Streams entries as text lines or one JSON array.
struct Printer<W: Write> {
    w: W,
    json: bool,
    opts: OutOpts,
    n: usize,
    now: u64,
}

impl<W: Write> Printer<W> {
    fn begin(&mut self) -> io::Result<()> {
        if self.json {
            self.w.write_all(b"[")?;
        }
        Ok(())
    }
    fn entry(&mut self, c: &Conntrack<'_>) -> io::Result<()> {
        if self.json {
            if self.n > 0 {
                self.w.write_all(b",")?;
            }
            serde_json::to_writer(&mut self.w, &Json(c)).map_err(io::Error::from)?;
        } else {
            let line = text(c, &self.opts, self.now);
            self.w.write_all(line.as_bytes())?;
            self.w.write_all(b"\n")?;
        }
        self.n += 1;
        Ok(())
    }
    fn end(&mut self) -> io::Result<()> {
        if self.json {
            self.w.write_all(b"]\n")?;
        }
        self.w.flush()
    }
}

fn io_err(e: io::Error) -> nlkit::Error {
    nlkit::Error::io("write output", e)
}

fn summary(json: bool, what: &str, n: usize) {
    if json {
        return; // JSON consumers get the entries only
    }
    eprintln!("{TOOL}: {n} flow entries have been {what}.");
}

fn failed(e: &nlkit::Error) -> CliError {
    let msg = match e.errno() {
        Some(libc::ENOENT) => "such conntrack doesn't exist".to_string(),
        Some(libc::EEXIST) => "conntrack already exists".to_string(),
        _ => format!("{e}"),
    };
    CliError::Other(format!("conntrack: Operation failed: {msg}"))
}

/// The full original tuple `-G`/`-I`/`-U` need, and the reply tuple (the
/// inverse of the original unless `-r -q` say otherwise).
fn tuples(f: &Filter) -> Result<(Tuple, Tuple), CliError> {
    let o = f.orig;
    if o.src.is_none() || o.dst.is_none() || o.proto.is_none() {
        return Err(usage("this command needs -s, -d and -p (and ports)"));
    }
    let mut r = Tuple {
        src: f.reply.src.or(o.dst),
        dst: f.reply.dst.or(o.src),
        proto: o.proto,
        sport: f.reply.sport.or(o.dport),
        dport: f.reply.dport.or(o.sport),
        icmp_id: o.icmp_id,
        icmp_type: o.icmp_type.map(|t| match (o.proto, t) {
            (Some(1), 8) => 0,
            (Some(58), 128) => 129,
            (_, t) => t,
        }),
        icmp_code: o.icmp_code,
        zone: f.reply.zone,
    };
    if !matches!(o.proto, Some(1 | 58)) {
        r.icmp_type = None;
    }
    Ok((o, r))
}

fn parse_reply(bytes: &[u8]) -> Result<Conntrack<'_>, CliError> {
    let malformed = |e| nlkit::Error::Malformed {
        what: "get conntrack entry".into(),
        source: e,
    };
    let m = nlkit::wire::Msg::new_checked(bytes).map_err(malformed)?;
    Ok(Conntrack::parse(&m).map_err(malformed)?)
}

/// `-E`: events as `conntrack -E` prints them (`    [NEW] tcp ...`), on the
/// resyncing monitor: after an overrun the table is dumped again and the
/// differences are printed as events, so what was printed adds up to the table.
fn events(
    g: &crate::Global,
    a: &Args,
    p: &mut Printer<io::BufWriter<io::StdoutLock<'static>>>,
) -> Result<(), CliError> {
    use nlkit::monitor::{EventKind as MonitorEvent, Monitor, Tracker};
    use nlkit::netfilter::conntrack::track::{event_kind, ConntrackTracker, EventKind};
    let sock = match g.netns.as_deref() {
        Some(n) => Netns::Named(n).open(Protocol::NETFILTER),
        None => Socket::open(Protocol::NETFILTER),
    }
    .map_err(|e| nlkit::Error::io("open netfilter netlink socket", e))?;
    let tracker = ConntrackTracker::new(a.filter.family);
    for grp in tracker.groups() {
        sock.add_membership(grp)
            .map_err(|e| nlkit::Error::io("join conntrack event groups", e))?;
    }
    let conn = connect(g.netns.as_deref(), None)?;
    let rcvbuf = a.rcvbuf.unwrap_or(nlkit::monitor::MONITOR_RCVBUF);
    let mut mon = Monitor::new(sock, conn, tracker, rcvbuf)?;
    loop {
        let ev = mon.next()?;
        let Ok(c) = Conntrack::parse(&ev.msg) else {
            continue;
        };
        if !a.filter.matches(&c) {
            continue;
        }
        // A resync's difference says what it is; a notification its flags.
        let kind = match ev.kind {
            MonitorEvent::New => EventKind::New,
            MonitorEvent::Changed => EventKind::Update,
            MonitorEvent::Deleted => EventKind::Destroy,
            _ => event_kind(&ev.msg).unwrap_or(EventKind::Update),
        };
        // `-e`: the kinds asked for (the monitor still follows them all,
        // so that its resyncs stay right).
        let shown = match kind {
            EventKind::New => 0,
            EventKind::Update => 1,
            EventKind::Destroy => 2,
        };
        if a.event_mask.is_some_and(|m| !m[shown]) {
            continue;
        }
        if p.json {
            let v = serde_json::json!({
                "event": match kind { EventKind::New => "new", EventKind::Update => "update", EventKind::Destroy => "destroy" },
                "resync": ev.is_resync(),
                "entry": serde_json::to_value(Json(&c)).map_err(io::Error::from)?,
            });
            serde_json::to_writer(&mut p.w, &v).map_err(io::Error::from)?;
            p.w.write_all(b"\n")?;
        } else {
            p.now = now_secs();
            let mut line = String::new();
            if p.opts.timestamp {
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                let _ = write!(line, "[{}.{:06}]\t", t.as_secs(), t.subsec_micros());
            }
            let _ = write!(line, "{:>9} {}", kind.tag(), text(&c, &p.opts, p.now));
            // A change made by a process names its netlink port (and program).
            let port = ev.msg.port_id();
            if port != 0 && !ev.is_resync() {
                let _ = write!(line, " [USERSPACE] portid={port}");
                if let Some(name) = progname(port) {
                    let _ = write!(line, " progname={name}");
                }
            }
            writeln!(p.w, "{line}")?;
        }
        p.w.flush()?;
    }
}

/// The program whose netlink socket has port id `port` in this netns, if it
/// still runs (`/proc/net/netlink` gives the socket's inode, `/proc/*/fd` its owner).
fn progname(port: u32) -> Option<String> {
    let table = std::fs::read_to_string("/proc/thread-self/net/netlink").ok()?;
    let inode = table.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.get(1) == Some(&"12") && f.get(2).and_then(|p| p.parse::<u32>().ok()) == Some(port))
            .then(|| f.get(9).map(|s| s.to_string()))
            .flatten()
    })?;
    let want = format!("socket:[{inode}]");
    for d in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(fds) = std::fs::read_dir(d.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == want) {
                let comm = std::fs::read_to_string(d.path().join("comm")).ok()?;
                return Some(comm.trim_end().to_string());
            }
        }
    }
    None
}

/// The label options, by bit: read once the names are (`connlabel.conf`).
#[derive(Default)]
struct Labels {
    add: Vec<u8>,
    /// `--label-del`: the bits to clear (all for a bare `--label-del`).
    del: Option<Vec<u8>>,
}

impl Labels {
    /// Reads the label names if an option wants them (as conntrack does,
    /// a missing file is said on stderr and the labels go unnamed), puts
    /// them in the output options and `-l` in the filter.
    fn resolve(a: &mut Args) -> Result<Labels, CliError> {
        if !a.want_labels {
            return Ok(Labels::default());
        }
        let map = match std::fs::read_to_string(labels::CONNLABEL_CONF) {
            Ok(t) => LabelMap::parse(&t).map_err(|e| {
                CliError::Other(format!("conntrack: {}: {e}", labels::CONNLABEL_CONF))
            })?,
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.split(" (os error").next().unwrap_or(&msg);
                eprintln!("nfct_labelmap_new: {msg}");
                LabelMap::default()
            }
        };
        let bits = |names: &[String]| -> Result<Vec<u8>, CliError> {
            let mut v = Vec::new();
            for n in names {
                let b = map
                    .bit(n)
                    .ok_or_else(|| usage(format!("unknown label '{n}'")))?;
                labels::set_bit(&mut v, b);
            }
            Ok(v)
        };
        if !a.label.is_empty() {
            a.filter.labels = Some(bits(&a.label)?);
        }
        let l = Labels {
            add: bits(&a.label_add)?,
            del: match &a.label_del {
                Some(d) if d.is_empty() => Some(vec![0xff; labels::LABELS_LEN]),
                Some(d) => Some(bits(d)?),
                None => None,
            },
        };
        a.out.labels = Some(std::rc::Rc::new(map));
        Ok(l)
    }

    /// The labels to send for an entry that has `old`: `None` when no
    /// label option changes them.
    fn apply(&self, old: Option<&[u8]>) -> Option<Vec<u8>> {
        if self.add.is_empty() && self.del.is_none() {
            return None;
        }
        let mut v = vec![0u8; labels::LABELS_LEN];
        for (i, x) in v.iter_mut().enumerate() {
            let old = old.and_then(|o| o.get(i)).copied().unwrap_or(0);
            let del = self
                .del
                .as_ref()
                .and_then(|d| d.get(i))
                .copied()
                .unwrap_or(0);
            *x = (old & !del) | self.add.get(i).copied().unwrap_or(0);
        }
        Some(v)
    }
}

/// Runs `nlkit conntrack ...`.
pub fn run(g: &crate::Global, words: &[String]) -> Result<(), CliError> {
    let mut a = parse_args(words)?;
    a.json |= g.json;
    if let Some((m, mask)) = a.mark {
        a.filter.mark = Some((m, mask));
    }
    let cmd = a
        .cmd
        .ok_or_else(|| usage("a command is needed: -L -G -D -I -U -F -C -S"))?;
    let lab = Labels::resolve(&mut a)?;
    let conn = connect(g.netns.as_deref(), a.rcvbuf)?;
    let stdout = io::stdout().lock();
    let mut p = Printer {
        w: io::BufWriter::with_capacity(1 << 16, stdout),
        json: a.json,
        opts: a.out.clone(),
        n: 0,
        now: now_secs(),
    };
    match cmd {
        Command::List => {
            if let Some((s, _)) = a.status.map(|s| (s, s)) {
                a.filter.status = Some((s, s));
            }
            let table = if a.zero && a.table == Table::Main {
                Table::ZeroCounters
            } else {
                a.table
            };
            p.begin().map_err(io_err)?;
            let sum = ct::dump(&conn, table, &a.filter, |c| p.entry(c).map_err(io_err))?;
            p.end().map_err(io_err)?;
            summary(a.json, "shown", sum.shown);
        }
        Command::Get => {
            let (o, _) = tuples(&a.filter)?;
            let spec = Spec {
                orig: Some(o),
                zone: a.filter.zone,
                ..Default::default()
            };
            let bytes = ct::get(&conn, &spec).map_err(|e| failed(&e))?;
            let c = parse_reply(&bytes)?;
            p.begin().map_err(io_err)?;
            p.entry(&c).map_err(io_err)?;
            p.end().map_err(io_err)?;
            summary(a.json, "shown", 1);
        }
        Command::Delete => {
            if let Some(s) = a.status {
                a.filter.status = Some((s, s));
            }
            p.begin().map_err(io_err)?;
            let n = ct::delete_matching(&conn, &a.filter, |c| p.entry(c).map_err(io_err))?;
            p.end().map_err(io_err)?;
            summary(a.json, "deleted", n);
            if n == 0 {
                return Err(CliError::Quiet(1));
            }
        }
        Command::Create => {
            let (o, r) = tuples(&a.filter)?;
            if a.timeout.is_none() {
                return Err(usage("-I needs a timeout (-t)"));
            }
            let spec = Spec {
                orig: Some(o),
                reply: Some(r),
                status: a.status,
                timeout: a.timeout,
                mark: a.mark.map(|(m, _)| m),
                zone: a.filter.zone,
                state: a.filter.state,
                labels: lab.apply(None),
                ..Default::default()
            };
            ct::create(&conn, &spec).map_err(|e| failed(&e))?;
            summary(a.json, "created", 1);
        }
        Command::Update => {
            let mut f = a.filter.clone();
            f.mark = None; // -m is the new mark here
            let mut keys = Vec::new();
            ct::dump(&conn, Table::Main, &f, |c| {
                keys.push((ct::key_of(c), c.labels.map(<[u8]>::to_vec)));
                Ok(())
            })?;
            // As conntrack does: update each, then print it as the kernel now has it.
            let mut updated = 0;
            p.begin().map_err(io_err)?;
            for (key, old) in keys {
                let spec = Spec {
                    id: None,
                    mark: a.mark.map(|(m, _)| m),
                    timeout: a.timeout,
                    status: a.status,
                    labels: lab.apply(old.as_deref()),
                    ..key.clone()
                };
                match ct::update(&conn, &spec) {
                    Ok(()) => updated += 1,
                    Err(e) if e.errno() == Some(libc::ENOENT) => continue,
                    Err(e) => {
                        eprintln!("nlkit: {}", failed(&e));
                        continue;
                    }
                }
                let key = Spec { id: None, ..key };
                if let Ok(bytes) = ct::get(&conn, &key) {
                    let c = parse_reply(&bytes)?;
                    p.entry(&c).map_err(io_err)?;
                }
            }
            p.end().map_err(io_err)?;
            summary(a.json, "updated", updated);
            if updated == 0 {
                return Err(CliError::Quiet(1));
            }
        }
        Command::Flush => {
            ct::flush(&conn, a.filter.family)?;
            eprintln!("{TOOL}: connection tracking table has been emptied.");
        }
        Command::Count => {
            let s = ct::count(&conn)?;
            writeln!(p.w, "{}", s.entries).map_err(io_err)?;
            p.w.flush().map_err(io_err)?;
        }
        Command::Event => return events(g, &a, &mut p),
        Command::Stats => {
            let all = ct::cpu_stats(&conn)?;
            for s in &all {
                let mut line = format!("cpu={:<4}\t", s.cpu);
                for (k, v) in &s.counters {
                    let name = ct::STATS_NAMES
                        .iter()
                        .find(|(t, _)| t == k)
                        .map_or_else(|| format!("attr{k}"), |(_, n)| n.to_string());
                    let _ = write!(line, "{name}={v} ");
                }
                writeln!(p.w, "{line}").map_err(io_err)?;
                for (k, raw) in &s.malformed {
                    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
                    eprintln!(
                        "nlkit: cpu {}: counter type {k} has {} bytes, not 4: 0x{hex}",
                        s.cpu,
                        raw.len()
                    );
                }
            }
            p.w.flush().map_err(io_err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ctime;

    #[test]
    fn ctime_like_libc() {
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(1_796_115_457), "Tue Dec  1 08:57:37 2026");
        assert_eq!(ctime(951_782_400), "Tue Feb 29 00:00:00 2000");
    }
}
