//! `nlkit link`: show, add, set, del.
//!
//! ```text
//! nlkit link [show] [[dev] NAME] [type KIND] [master M] [up]
//! nlkit link add [link P] [name] NAME [mtu N] [address MAC] [txqlen N] [alias TEXT]
//!                [master M] [up] type KIND [ARGS]
//!     veth    [peer [name] P]
//!     bridge  [stp_state N] [forward_delay N] [hello_time N] [max_age N]
//!             [ageing_time N] [priority N] [vlan_filtering 0|1] [mcast_snooping 0|1]
//!     vlan    id N [protocol 802.1Q|802.1ad]                (needs link P)
//!     macvlan [mode private|vepa|bridge|passthru|source]    (needs link P)
//!     vxlan   id N [dstport P] [local A] [remote A|group A] [dev D] [ttl N]
//!             [learning|nolearning] [ageing N]
//!     other kinds (dummy, ifb...) take no arguments
//! nlkit link set [dev] NAME [up|down] [mtu N] [name NEW] [address MAC] [master M]
//!                [nomaster] [txqlen N] [alias TEXT] [netns NAME|PID]
//!                [arp|multicast|allmulticast|promisc on|off]
//! nlkit link del [dev] NAME
//! ```
//!
//! Human output is `ip link`'s; `-d` adds promiscuity, MTU bounds, the kind
//! and its settings, and queue counts. JSON (`-j`), one object per link:
//! `ifindex`, `ifname`, `link` (or `link_index` + `link_netnsid` when the
//! peer is in another netns), `flags` (array), `mtu`, `qdisc`, `master`,
//! `operstate`, `linkmode`, `group`, `txqlen`, `link_type`, `address`,
//! `broadcast`, `permaddr`, `link_netnsid`, `ifalias`, `altnames`; with
//! `-d` also `promiscuity`, `min_mtu`, `max_mtu`, `linkinfo` (`info_kind`,
//! `info_data`, `info_slave_kind`), `num_tx_queues`, `num_rx_queues`.
//! `-s` adds the counters (`stats64`), `-br` prints one brief line (object)
//! per link; both as iproute2 6.1 (see `docs/json.md`).

use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, no_device, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::attrs::{mac_string, parse_mac};
use nlkit::route::link::{
    iff_names_iproute2, macvlan_mode_name, operstate_name, parse_macvlan_mode, Bridge, InfoData,
    Vxlan, IFF_ALLMULTI, IFF_MULTICAST, IFF_NOARP, IFF_PROMISC,
};
use nlkit::route::{Handle, LinkDump, LinkRequest, LinkView};
use nlkit::Connection;
use serde_json::{json, Map, Value};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;

/// `nlkit link help`.
pub const USAGE: &str = "\
Usage: nlkit [-br] [-s [-s]] link [show] [[dev] NAME] [type KIND] [master M] [up]
       nlkit link add [link P] [name] NAME [mtu N] [address MAC] [txqlen N] type KIND [ARGS]
           KIND := veth [peer [name] P] | bridge | dummy | vlan id N | macvlan mode M
                 | vxlan id N [dstport P] [local A] [remote A] [dev D]
       nlkit link set [dev] NAME [up|down] [mtu N] [name NEW] [address MAC] [master M]
                      [nomaster] [txqlen N] [alias TEXT] [netns NAME|PID]
       nlkit link del [dev] NAME";

/// What `link show` lists.
#[derive(Debug, Default)]
pub struct LinkShow {
    /// One device.
    pub dev: Option<String>,
    /// Only this kind (kernel filter).
    pub kind: Option<String>,
    /// Only ports of this master (kernel filter).
    pub master: Option<u32>,
    /// Only links that are up.
    pub up: bool,
}

/// Parses `nlkit link ...`.
pub fn parse(_g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => parse_show(&mut Words::new("link show", rest), r),
        "add" | "a" | "create" => parse_add(&mut Words::new("link add", rest), r),
        "set" | "change" => parse_set(&mut Words::new("link set", rest), r),
        c if is_delete(c) => parse_del(&mut Words::new("link delete", rest), r),
        c => Err(CliError::usage(format!(
            "link: unknown command {c:?}; try show, add, set, del"
        ))),
    }
}

fn parse_show(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut s = LinkShow::default();
    while let Some(x) = w.next() {
        match x {
            "dev" => s.dev = Some(w.value("dev")?.to_string()),
            "type" => s.kind = Some(w.value("type")?.to_string()),
            "master" => s.master = Some(r.index(w.value("master")?)?),
            "up" => s.up = true,
            _ if s.dev.is_none() && !x.starts_with('-') => s.dev = Some(x.to_string()),
            _ => return Err(w.unknown(x)),
        }
    }
    Ok(Parsed::Show(Show::Link(s)))
}

fn mac(w: &mut Words, kw: &str) -> Result<Vec<u8>, CliError> {
    let v = w.value(kw)?;
    match parse_mac(v) {
        Some(m) if !m.is_empty() => Ok(m),
        _ => Err(w.err(format_args!("{v:?} is not a valid link-layer address"))),
    }
}

fn on_off(w: &mut Words, kw: &str) -> Result<bool, CliError> {
    match w.value(kw)? {
        "on" => Ok(true),
        "off" => Ok(false),
        v => Err(w.err(format_args!("\"{kw}\" takes on or off, not {v:?}"))),
    }
}

/// Settings common to `add` and `set`.
#[derive(Default)]
struct Common {
    mtu: Option<u32>,
    address: Option<Vec<u8>>,
    txqlen: Option<u32>,
    alias: Option<String>,
    master: Option<u32>,
    nomaster: bool,
    up: Option<bool>,
    /// (flag, on) pairs.
    flags: Vec<(u32, bool)>,
}

impl Common {
    /// Takes `x` if it is a common keyword.
    fn take(&mut self, x: &str, w: &mut Words, r: &mut dyn Resolve) -> Result<bool, CliError> {
        match x {
            "mtu" => self.mtu = Some(w.num("mtu")?),
            "address" | "addr" | "lladdr" => self.address = Some(mac(w, x)?),
            "txqlen" | "txqueuelen" | "qlen" => self.txqlen = Some(w.num(x)?),
            "alias" => self.alias = Some(w.value("alias")?.to_string()),
            "master" => {
                self.master = Some(r.index(w.value("master")?)?);
                self.nomaster = false;
            }
            "nomaster" => {
                self.nomaster = true;
                self.master = None;
            }
            "up" => self.up = Some(true),
            "down" => self.up = Some(false),
            "arp" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_NOARP, !on));
            }
            "multicast" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_MULTICAST, on));
            }
            "allmulticast" | "allmulti" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_ALLMULTI, on));
            }
            "promisc" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_PROMISC, on));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply(self, mut req: LinkRequest) -> LinkRequest {
        if let Some(m) = self.mtu {
            req = req.mtu(m);
        }
        if let Some(a) = &self.address {
            req = req.address(a);
        }
        if let Some(q) = self.txqlen {
            req = req.txqlen(q);
        }
        if let Some(a) = &self.alias {
            req = req.alias(a);
        }
        if let Some(m) = self.master {
            req = req.master(m);
        }
        if self.nomaster {
            req = req.nomaster();
        }
        match self.up {
            Some(true) => req = req.up(),
            Some(false) => req = req.down(),
            None => {}
        }
        for (bit, on) in self.flags {
            if on {
                req.link.flags |= bit;
            } else {
                req.link.flags &= !bit;
            }
            req.link.change |= bit;
        }
        req
    }
}

fn parse_add(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut name: Option<String> = None;
    let mut parent: Option<u32> = None;
    let mut kind: Option<String> = None;
    let mut common = Common::default();
    let mut peer: Option<String> = None;
    let mut vlan_id: Option<u16> = None;
    let mut vlan_proto: Option<u16> = None;
    let mut mode: Option<u32> = None;
    let mut vx = Vxlan::default();
    let mut br = Bridge::default();
    while let Some(x) = w.next() {
        if common.take(x, w, r)? {
            continue;
        }
        match (kind.as_deref(), x) {
            (_, "link") => parent = Some(r.index(w.value("link")?)?),
            (Some("vxlan"), "dev") => vx.dev = Some(r.index(w.value("dev")?)?),
            (_, "name" | "dev") => name = Some(w.ifname(x)?.to_string()),
            (None, "type") => kind = Some(w.value("type")?.to_string()),
            (Some("veth"), "peer") => {
                if w.peek() == Some("name") {
                    w.next();
                }
                peer = Some(w.ifname("name")?.to_string());
            }
            (Some("vlan"), "id") => vlan_id = Some(w.num("id")?),
            (Some("vlan"), "protocol") => {
                vlan_proto = Some(match w.value("protocol")? {
                    p if p.eq_ignore_ascii_case("802.1q") => 0x8100,
                    p if p.eq_ignore_ascii_case("802.1ad") => 0x88a8,
                    p => return Err(w.err(format_args!("unknown VLAN protocol {p:?}"))),
                })
            }
            (Some("macvlan" | "macvtap"), "mode") => {
                let m = w.value("mode")?;
                mode = Some(
                    parse_macvlan_mode(m)
                        .ok_or_else(|| w.err(format_args!("unknown macvlan mode {m:?}")))?,
                );
            }
            (Some("vxlan"), "id" | "vni") => vx.id = Some(w.num(x)?),
            (Some("vxlan"), "dstport" | "port") => vx.port = Some(w.num(x)?),
            (Some("vxlan"), "local") => vx.local = Some(w.ip("local")?),
            (Some("vxlan"), "remote" | "group") => vx.remote = Some(w.ip(x)?),
            (Some("vxlan"), "ttl" | "hoplimit") => {
                vx.ttl = Some(match w.value(x)? {
                    "auto" | "inherit" => 0,
                    v => parse_num(v).ok_or_else(|| w.err(format_args!("invalid ttl {v:?}")))?,
                })
            }
            (Some("vxlan"), "learning") => vx.learning = Some(1),
            (Some("vxlan"), "nolearning") => vx.learning = Some(0),
            (Some("vxlan"), "ageing") => vx.ageing = Some(w.num("ageing")?),
            (Some("bridge"), "stp_state") => br.stp_state = Some(w.num(x)?),
            (Some("bridge"), "forward_delay") => br.forward_delay = Some(w.num(x)?),
            (Some("bridge"), "hello_time") => br.hello_time = Some(w.num(x)?),
            (Some("bridge"), "max_age") => br.max_age = Some(w.num(x)?),
            (Some("bridge"), "ageing_time") => br.ageing_time = Some(w.num(x)?),
            (Some("bridge"), "priority") => br.priority = Some(w.num(x)?),
            (Some("bridge"), "vlan_filtering") => br.vlan_filtering = Some(w.num(x)?),
            (Some("bridge"), "mcast_snooping") => br.mcast_snooping = Some(w.num(x)?),
            (None, _) if name.is_none() && !x.starts_with('-') => {
                name = Some(w.check_ifname("dev", x)?.to_string())
            }
            (Some(k), _) => {
                return Err(w.err(format_args!("unknown keyword {x:?} for type {k}")));
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let name = name.ok_or_else(|| w.err("a device name is needed"))?;
    let kind = kind.ok_or_else(|| w.err("\"type KIND\" is needed"))?;
    let mut req = LinkRequest::add(&name);
    req = match kind.as_str() {
        "veth" => match &peer {
            Some(p) => req.veth(p),
            None => req.other_kind("veth", None),
        },
        "bridge" => req.bridge(br),
        "vlan" => {
            let p = parent.ok_or_else(|| w.err("type vlan needs \"link PARENT\""))?;
            let id = vlan_id.ok_or_else(|| w.err("type vlan needs \"id N\""))?;
            if id >= 4095 {
                return Err(w.err(format_args!("VLAN id {id} is out of range (0-4094)")));
            }
            let mut req = req.vlan(p, id);
            if let Some(info) = req.link.info.as_mut() {
                if let InfoData::Vlan(v) = &mut info.data {
                    v.protocol = vlan_proto;
                }
            }
            req
        }
        "macvlan" | "macvtap" => {
            let p =
                parent.ok_or_else(|| w.err(format_args!("type {kind} needs \"link PARENT\"")))?;
            let mut req = req.macvlan(p, mode.unwrap_or(4));
            if let Some(info) = req.link.info.as_mut() {
                info.kind = kind.clone();
            }
            req
        }
        "vxlan" => {
            if vx.id.is_none() {
                return Err(w.err("type vxlan needs \"id VNI\""));
            }
            if parent.is_some() && vx.dev.is_none() {
                vx.dev = parent.take();
            }
            req.vxlan(vx)
        }
        k => req.other_kind(k, None),
    };
    if let Some(p) = parent {
        req.link.link = Some(p);
    }
    Ok(Parsed::Req(Req::Link(Box::new(common.apply(req)), None)))
}

fn device_word(w: &mut Words) -> Result<String, CliError> {
    match w.next() {
        Some("dev") => Ok(w.value("dev")?.to_string()),
        Some(x) => Ok(x.to_string()),
        None => Err(w.err("a device name is needed")),
    }
}

fn parse_set(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let dev = device_word(w)?;
    let idx = r.index(&dev)?;
    let mut common = Common::default();
    let mut new_name: Option<String> = None;
    let mut netns: Option<(Option<u32>, Option<std::fs::File>)> = None;
    while let Some(x) = w.next() {
        if common.take(x, w, r)? {
            continue;
        }
        match x {
            "name" => new_name = Some(w.ifname("name")?.to_string()),
            "netns" => {
                let v = w.value("netns")?;
                netns = Some(match parse_num::<u32>(v) {
                    Some(pid) => (Some(pid), None),
                    None => {
                        let path = std::path::Path::new("/run/netns").join(v);
                        let f = std::fs::File::open(&path).map_err(|e| {
                            CliError::Other(format!(
                                "link set: cannot open netns {v:?} ({}): {e}",
                                path.display()
                            ))
                        })?;
                        (None, Some(f))
                    }
                });
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let mut req = LinkRequest::set(idx).label(&dev);
    if let Some(n) = &new_name {
        req = req.name(n);
        r.forget(&dev);
        r.forget(n);
    }
    let mut file = None;
    let moving = netns.is_some();
    match netns {
        Some((Some(pid), _)) => req = req.netns_pid(pid),
        Some((None, Some(f))) => {
            req = req.netns_fd(f.as_raw_fd() as u32);
            file = Some(f);
        }
        _ => {}
    }
    if moving {
        r.forget(&dev);
    }
    Ok(Parsed::Req(Req::Link(Box::new(common.apply(req)), file)))
}

fn parse_del(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let dev = device_word(w)?;
    while let Some(x) = w.next() {
        match x {
            // iproute2 accepts (and ignores) the kind here.
            "type" => {
                w.value("type")?;
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let idx = r.index(&dev)?;
    r.forget(&dev);
    Ok(Parsed::Req(Req::Link(
        Box::new(LinkRequest::delete(idx).label(&dev)),
        None,
    )))
}

// ---------------------------------------------------------------------------
// Showing.

/// Runs `link show`.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &LinkShow,
) -> Result<(), CliError> {
    let h = Handle::with(conn);
    if let Some(dev) = &s.dev {
        let req = LinkRequest::get_by_name(dev);
        let bytes = match conn.get(&req) {
            Ok(b) => b,
            Err(e) if e.errno() == Some(19) => return Err(no_device(dev)),
            Err(e) => return Err(e.into()),
        };
        let (_, m) = nlkit::wire::MsgIter::new(&bytes)
            .next()
            .ok_or_else(|| CliError::Other(format!("get link {dev}: empty reply")))?
            .map_err(|e| nlkit::Error::Malformed {
                what: format!("get link {dev}"),
                source: e,
            })?;
        let v = LinkView::parse(&m).map_err(|e| nlkit::Error::Malformed {
            what: format!("get link {dev}"),
            source: e,
        })?;
        list_begin(out)?;
        if !s.up || v.is_up() {
            print_link_with(out, &v, names, g)?;
        }
        return list_end(out);
    }
    let dump = LinkDump {
        master: s.master,
        kind: s.kind.clone(),
    };
    list_begin(out)?;
    let r = h.links_filtered(&dump, |v| {
        if let Some(n) = v.name {
            names.note(v.index(), n, v.flags());
        }
        if s.up && !v.is_up() {
            return Ok(());
        }
        if s.master.is_some() && v.master != s.master {
            return Ok(());
        }
        if s.kind.is_some() && v.kind != s.kind.as_deref() {
            return Ok(());
        }
        keep(print_link_with(out, &v, names, g))
    });
    super::finish(r)?;
    list_end(out)
}

/// Prints one link (`ip link` style, or a JSON array element with `-j`).
pub fn print_link(
    out: &mut Out,
    v: &LinkView<'_>,
    names: &mut Names,
    details: bool,
) -> Result<(), CliError> {
    if out.json {
        out.array_item(&link_json(v, names, details))
    } else {
        out.line(link_text(v, names, details))
    }
}

/// Prints one link as the global options ask: `-br` (brief), `-s` (with
/// counters), `-d` (details).
pub fn print_link_with(
    out: &mut Out,
    v: &LinkView<'_>,
    names: &mut Names,
    g: &Global,
) -> Result<(), CliError> {
    if g.brief {
        if out.json {
            let mut o = brief_json_base(v, names);
            if let Some(a) = v.address {
                o.insert("address".into(), json!(hw_string(a)));
            }
            o.insert(
                "flags".into(),
                json!(iff_names_iproute2(v.flags(), lower_down(v, names))),
            );
            return out.array_item(&Value::Object(o));
        }
        let mut t = brief_head(v, names);
        if let Some(a) = v.address {
            t += &format!("{} ", hw_string(a));
        }
        t += &format!(
            "<{}> ",
            iff_names_iproute2(v.flags(), lower_down(v, names)).join(",")
        );
        return out.line(t);
    }
    if g.stats == 0 {
        return print_link(out, v, names, g.details);
    }
    if out.json {
        let mut o = link_json_base(v, names, g.details, true, true);
        if let Some(st) = stats_json(v, g.stats) {
            // iproute2 prints the counters before the altnames.
            let alt = o.remove("altnames");
            o.insert("stats64".into(), st);
            if let Some(a) = alt {
                o.insert("altnames".into(), a);
            }
        }
        return out.array_item(&Value::Object(o));
    }
    let mut t = link_head(v, names, true);
    t += &link_body(v, names, g.details, true, true, g.stats);
    out.line(t)
}

/// `NAME@PEER        STATE         `: the start of an `ip -br` line.
pub(crate) fn brief_head(v: &LinkView<'_>, names: &mut Names) -> String {
    let mut s = format!("{:<16} ", name_at(v, names));
    if let Some(o) = v.operstate {
        s += &format!("{:<14} ", operstate_name(o));
    }
    s
}

/// `link` (or `link_index`), `ifname`, `operstate`: the start of an `ip -j -br` object.
pub(crate) fn brief_json_base(v: &LinkView<'_>, names: &mut Names) -> Map<String, Value> {
    let mut o = Map::new();
    match (v.link, v.link_netnsid) {
        (Some(0), _) => {
            o.insert("link".into(), Value::Null);
        }
        (Some(l), Some(_)) => {
            o.insert("link_index".into(), json!(l));
        }
        (Some(l), None) => {
            o.insert("link".into(), json!(names.name(l)));
        }
        (None, _) => {}
    }
    if let Some(n) = v.name {
        o.insert("ifname".into(), json!(n.to_string()));
    }
    if let Some(st) = v.operstate {
        o.insert("operstate".into(), json!(operstate_name(st)));
    }
    o
}

/// The counters under a link as `ip -s` prints them (`level` 2: `ip -s -s`,
/// with the error counters), each line after a newline; empty for level 0
/// or without `IFLA_STATS64`.
pub(crate) fn stats_text(v: &LinkView<'_>, level: u8) -> String {
    let Some(st) = (level > 0).then_some(v.stats64).flatten() else {
        return String::new();
    };
    let cc = v.carrier_changes;
    let rx = [
        st.rx_bytes.get(),
        st.rx_packets.get(),
        st.rx_errors.get(),
        st.rx_dropped.get(),
        st.rx_missed_errors.get(),
        st.multicast.get(),
        st.rx_compressed.get(),
    ];
    let rx_err = [
        0,
        st.rx_length_errors.get(),
        st.rx_crc_errors.get(),
        st.rx_frame_errors.get(),
        st.rx_fifo_errors.get(),
        st.rx_over_errors.get(),
        st.rx_nohandler.get(),
    ];
    let tx = [
        st.tx_bytes.get(),
        st.tx_packets.get(),
        st.tx_errors.get(),
        st.tx_dropped.get(),
        st.tx_carrier_errors.get(),
        st.collisions.get(),
        st.tx_compressed.get(),
    ];
    let tx_err = [
        0,
        0,
        st.tx_aborted_errors.get(),
        st.tx_fifo_errors.get(),
        st.tx_window_errors.get(),
        st.tx_heartbeat_errors.get(),
        u64::from(cc.unwrap_or(0)),
    ];
    // iproute2 6.1's columns: at least the headers' widths, widened to fit.
    let mut c = [10usize, 7, 6, 7, 7, 7, 10];
    let mut size = |vals: &[u64; 7]| {
        for (w, x) in c.iter_mut().zip(vals) {
            *w = (*w).max(crate::output::num_width(*x));
        }
    };
    size(&rx);
    if level > 1 {
        size(&rx_err);
    }
    size(&tx);
    if level > 1 {
        size(&tx_err);
    }
    let nums = |vals: &[u64], from: usize| -> String {
        vals.iter()
            .enumerate()
            .map(|(i, x)| format!("{:>w$} ", crate::output::Num(*x), w = c[from + i]))
            .collect()
    };
    let head = |t: &str, h: [&str; 6], last: &str| -> String {
        format!(
            "\n    {t}: {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            h[0],
            h[1],
            h[2],
            h[3],
            h[4],
            h[5],
            last,
            w0 = c[0] - 4,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        )
    };
    let n_rx = if rx[6] != 0 { 7 } else { 6 };
    let n_tx = if tx[6] != 0 { 7 } else { 6 };
    let mut s = head(
        "RX",
        ["bytes", "packets", "errors", "dropped", "missed", "mcast"],
        if rx[6] != 0 { "compressed" } else { "" },
    );
    s += &format!("\n    {}", nums(&rx[..n_rx], 0));
    if level > 1 {
        s += &format!(
            "\n    RX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            "",
            "length",
            "crc",
            "frame",
            "fifo",
            "overrun",
            if rx_err[6] != 0 { "nohandler" } else { "" },
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        );
        let n = if rx_err[6] != 0 { 7 } else { 6 };
        s += &format!("\n{:w$}{}", "", nums(&rx_err[1..n], 1), w = c[0] + 5);
    }
    s += &head(
        "TX",
        [
            "bytes", "packets", "errors", "dropped", "carrier", "collsns",
        ],
        if tx[6] != 0 { "compressed" } else { "" },
    );
    s += &format!("\n    {}", nums(&tx[..n_tx], 0));
    if level > 1 {
        s += &format!(
            "\n    TX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}",
            "",
            "aborted",
            "fifo",
            "window",
            "heartbt",
            if cc.is_some() { "transns" } else { "" },
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
        );
        // iproute2 sizes these columns one place to the right of where it
        // prints them; so does this, to line up with it.
        let mut vals = vec![
            st.tx_aborted_errors.get(),
            st.tx_fifo_errors.get(),
            st.tx_window_errors.get(),
            st.tx_heartbeat_errors.get(),
        ];
        if let Some(n) = cc {
            vals.push(u64::from(n));
        }
        s += &format!("\n{:w$}{}", "", nums(&vals, 1), w = c[0] + 5);
    }
    s
}

/// The `stats64` object of `ip -j -s` (`level` 2: with the error counters).
pub(crate) fn stats_json(v: &LinkView<'_>, level: u8) -> Option<Value> {
    let st = v.stats64.filter(|_| level > 0)?;
    let mut rx = Map::new();
    let mut tx = Map::new();
    let put = |m: &mut Map<String, Value>, k: &str, x: u64| {
        m.insert(k.into(), json!(x));
    };
    put(&mut rx, "bytes", st.rx_bytes.get());
    put(&mut rx, "packets", st.rx_packets.get());
    put(&mut rx, "errors", st.rx_errors.get());
    put(&mut rx, "dropped", st.rx_dropped.get());
    put(&mut rx, "over_errors", st.rx_over_errors.get());
    put(&mut rx, "multicast", st.multicast.get());
    if st.rx_compressed.get() != 0 {
        put(&mut rx, "compressed", st.rx_compressed.get());
    }
    if level > 1 {
        put(&mut rx, "length_errors", st.rx_length_errors.get());
        put(&mut rx, "crc_errors", st.rx_crc_errors.get());
        put(&mut rx, "frame_errors", st.rx_frame_errors.get());
        put(&mut rx, "fifo_errors", st.rx_fifo_errors.get());
        put(&mut rx, "missed_errors", st.rx_missed_errors.get());
        if st.rx_nohandler.get() != 0 {
            put(&mut rx, "nohandler", st.rx_nohandler.get());
        }
    }
    put(&mut tx, "bytes", st.tx_bytes.get());
    put(&mut tx, "packets", st.tx_packets.get());
    put(&mut tx, "errors", st.tx_errors.get());
    put(&mut tx, "dropped", st.tx_dropped.get());
    put(&mut tx, "carrier_errors", st.tx_carrier_errors.get());
    put(&mut tx, "collisions", st.collisions.get());
    if st.tx_compressed.get() != 0 {
        put(&mut tx, "compressed", st.tx_compressed.get());
    }
    if level > 1 {
        put(&mut tx, "aborted_errors", st.tx_aborted_errors.get());
        put(&mut tx, "fifo_errors", st.tx_fifo_errors.get());
        put(&mut tx, "window_errors", st.tx_window_errors.get());
        put(&mut tx, "heartbeat_errors", st.tx_heartbeat_errors.get());
        if let Some(c) = v.carrier_changes {
            put(&mut tx, "carrier_changes", u64::from(c));
        }
    }
    Some(json!({"rx": rx, "tx": tx}))
}

/// `ARPHRD_*` names as iproute2 prints them after `link/`.
pub fn link_type_name(t: u16) -> String {
    match t {
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        4 => "pronet",
        5 => "chaos",
        6 => "ieee802",
        7 => "arcnet",
        8 => "appletlk",
        15 => "dlci",
        19 => "atm",
        23 => "metricom",
        24 => "ieee1394",
        27 => "eui64",
        32 => "infiniband",
        256 => "slip",
        257 => "cslip",
        258 => "slip6",
        259 => "cslip6",
        260 => "rsrvd",
        264 => "adapt",
        270 => "rose",
        271 => "x25",
        272 => "hwx25",
        280 => "can",
        512 => "ppp",
        513 => "cisco",
        516 => "lapb",
        517 => "ddcmp",
        518 => "rawhdlc",
        519 => "rawip",
        768 => "ipip",
        769 => "tunnel6",
        770 => "frad",
        771 => "skip",
        772 => "loopback",
        773 => "localtlk",
        774 => "fddi",
        775 => "bif",
        776 => "sit",
        777 => "ip/ddp",
        778 => "gre",
        779 => "pimreg",
        780 => "hippi",
        781 => "ash",
        782 => "econet",
        783 => "irda",
        800 => "tr",
        801 => "tr+",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        805 => "ieee802.15.4/monitor",
        820 => "phonet",
        821 => "phonet_pipe",
        822 => "caif",
        823 => "gre6",
        824 => "netlink",
        825 => "6lowpan",
        826 => "vsockmon",
        65534 => "none",
        65535 => "void",
        _ => return format!("[{t}]"),
    }
    .to_string()
}

/// A hardware address as iproute2 shows it: IPv4/IPv6 for tunnels, else `aa:bb:..`.
fn hw_string(b: &[u8]) -> String {
    match b.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(b).expect("4 bytes")).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("16 bytes")).to_string(),
        _ => mac_string(b),
    }
}

fn group_str(g: u32) -> String {
    if g == 0 {
        "default".into()
    } else {
        g.to_string()
    }
}

/// True when the link's `IFLA_LINK` device is here and down (`M-DOWN`).
fn lower_down(v: &LinkView<'_>, names: &mut Names) -> bool {
    match (v.link, v.link_netnsid) {
        (Some(l), None) if l != 0 => names
            .get(l)
            .is_some_and(|b| b.flags & nlkit::route::link::IFF_UP == 0),
        _ => false,
    }
}

/// `name@peer`, as iproute2 shows a link with an `IFLA_LINK`.
fn name_at(v: &LinkView<'_>, names: &mut Names) -> String {
    let name = v.name.map_or_else(|| "?".to_string(), |n| n.to_string());
    match (v.link, v.link_netnsid) {
        (Some(0), _) => format!("{name}@NONE"),
        (Some(l), Some(_)) => format!("{name}@if{l}"),
        (Some(l), None) => format!("{name}@{}", names.name(l)),
        (None, _) => name,
    }
}

/// The first line of `ip link` / `ip addr` for a link (`mode` only for `ip link`).
pub(crate) fn link_head(v: &LinkView<'_>, names: &mut Names, mode: bool) -> String {
    let mut s = format!(
        "{}: {}: <{}>",
        v.index(),
        name_at(v, names),
        iff_names_iproute2(v.flags(), lower_down(v, names)).join(",")
    );
    if let Some(m) = v.mtu {
        s += &format!(" mtu {m}");
    }
    if let Some(q) = v.qdisc {
        s += &format!(" qdisc {q}");
    }
    if let Some(m) = v.master {
        s += &format!(" master {}", names.name(m));
    }
    if let Some(o) = v.operstate {
        s += &format!(" state {}", operstate_name(o));
    }
    if mode {
        if let Some(m) = v.linkmode {
            s += if m == 1 {
                " mode DORMANT"
            } else {
                " mode DEFAULT"
            };
        }
    }
    if let Some(g) = v.group {
        s += &format!(" group {}", group_str(g));
    }
    if let Some(q) = v.txqlen {
        s += &format!(" qlen {q}");
    }
    s
}

/// `\n    link/ether ADDR brd BRD`, and with `details` the kind's line.
fn link_ll(v: &LinkView<'_>, names: &mut Names, details: bool) -> String {
    let mut s = format!("\n    link/{}", link_type_name(v.link_type()));
    if let Some(a) = v.address {
        s += &format!(" {}", hw_string(a));
    }
    if let Some(b) = v.broadcast {
        let pointopoint = v.flags() & nlkit::route::link::IFF_POINTOPOINT != 0;
        s += &format!(
            " {} {}",
            if pointopoint { "peer" } else { "brd" },
            hw_string(b)
        );
    }
    if let Some(p) = v.perm_address {
        if Some(p) != v.address {
            s += &format!(" permaddr {}", hw_string(p));
        }
    }
    if let Some(n) = v.link_netnsid {
        s += &format!(" link-netnsid {n}");
    }
    if details {
        if let Some(p) = v.promiscuity {
            s += &format!(" promiscuity {p}");
        }
        if let Some(m) = v.min_mtu {
            s += &format!(" minmtu {m}");
        }
        if let Some(m) = v.max_mtu {
            s += &format!(" maxmtu {m}");
        }
        if let Some(k) = v.kind {
            s += &format!("\n    {k}{}", kind_text(v, names));
        }
        if let Some(k) = v.slave_kind {
            s += &format!("\n    {k}_slave");
        }
        if let (Some(t), Some(r)) = (v.num_tx_queues, v.num_rx_queues) {
            s += &format!(" numtxqueues {t} numrxqueues {r}");
        }
    }
    s
}

/// The `link/ether ...` line with `ll` (and with `details` the kind's
/// line), then `alias` (with `alias`), the counters (with `stats` > 0, see
/// [`stats_text`]) and `altname` lines.
pub(crate) fn link_body(
    v: &LinkView<'_>,
    names: &mut Names,
    details: bool,
    alias: bool,
    ll: bool,
    stats: u8,
) -> String {
    let mut s = String::new();
    if ll {
        s += &link_ll(v, names, details);
    }
    if let (Some(a), true) = (v.alias, alias) {
        s += &format!("\n    alias {a}");
    }
    s += &stats_text(v, stats);
    for n in v.alt_names() {
        s += &format!("\n    altname {n}");
    }
    s
}

/// One link as `ip link show` prints it (two or more lines, no final newline).
pub fn link_text(v: &LinkView<'_>, names: &mut Names, details: bool) -> String {
    let mut s = link_head(v, names, true);
    s += &link_body(v, names, details, true, true, 0);
    s
}

fn vlan_proto_name(p: u16) -> String {
    match p {
        0x8100 => "802.1Q".into(),
        0x88a8 => "802.1ad".into(),
        p => format!("{p:#06x}"),
    }
}

/// ` id 42 remote ...`: a kind's settings, iproute2's words.
fn kind_text(v: &LinkView<'_>, names: &mut Names) -> String {
    let Ok(Some(info)) = v.info() else {
        return String::new();
    };
    let mut s = String::new();
    match &info.data {
        InfoData::Vxlan(x) => {
            if let Some(id) = x.id {
                s += &format!(" id {id}");
            }
            if let Some(r) = x.remote {
                let kw = if r.is_multicast() { "group" } else { "remote" };
                s += &format!(" {kw} {r}");
            }
            if let Some(l) = x.local {
                s += &format!(" local {l}");
            }
            if let Some(d) = x.dev {
                s += &format!(" dev {}", names.name(d));
            }
            if let Some(p) = x.port {
                s += &format!(" dstport {p}");
            }
            if x.learning == Some(0) {
                s += " nolearning";
            }
            match x.ttl {
                Some(0) => s += " ttl auto",
                Some(t) => s += &format!(" ttl {t}"),
                None => {}
            }
            if let Some(a) = x.ageing {
                s += &format!(" ageing {a}");
            }
        }
        InfoData::Macvlan(m) => {
            if let Some(n) = m.mode.and_then(macvlan_mode_name) {
                s += &format!(" mode {n}");
            }
        }
        InfoData::Vlan(vl) => {
            if let Some(p) = vl.protocol {
                s += &format!(" protocol {}", vlan_proto_name(p));
            }
            if let Some(id) = vl.id {
                s += &format!(" id {id}");
            }
        }
        InfoData::Bridge(b) => {
            let fields = [
                ("forward_delay", b.forward_delay),
                ("hello_time", b.hello_time),
                ("max_age", b.max_age),
                ("ageing_time", b.ageing_time),
                ("stp_state", b.stp_state),
                ("priority", b.priority.map(u32::from)),
                ("vlan_filtering", b.vlan_filtering.map(u32::from)),
            ];
            for (k, v) in fields {
                if let Some(v) = v {
                    s += &format!(" {k} {v}");
                }
            }
            if let Some(p) = b.vlan_protocol {
                s += &format!(" vlan_protocol {}", vlan_proto_name(p));
            }
            if let Some(m) = b.mcast_snooping {
                s += &format!(" mcast_snooping {m}");
            }
        }
        InfoData::Tun(t) => {
            match t.tun_type {
                Some(1) => s += " type tun",
                Some(2) => s += " type tap",
                _ => {}
            }
            let onoff = |x: Option<u8>| if x == Some(1) { "on" } else { "off" };
            s += &format!(
                " pi {} vnet_hdr {} persist {}",
                onoff(t.pi),
                onoff(t.vnet_hdr),
                onoff(t.persist)
            );
        }
        _ => {}
    }
    s
}

fn kind_json(v: &LinkView<'_>, names: &mut Names) -> Option<Value> {
    let info = v.info().ok()??;
    let mut d = Map::new();
    let mut put = |k: &str, x: Value| {
        d.insert(k.to_string(), x);
    };
    match &info.data {
        InfoData::Vxlan(x) => {
            if let Some(id) = x.id {
                put("id", json!(id));
            }
            if let Some(r) = x.remote {
                put(
                    if r.is_multicast() { "group" } else { "remote" },
                    json!(r.to_string()),
                );
            }
            if let Some(l) = x.local {
                put("local", json!(l.to_string()));
            }
            if let Some(dv) = x.dev {
                put("link", json!(names.name(dv)));
            }
            if let Some(p) = x.port {
                put("port", json!(p));
            }
            if let Some(l) = x.learning {
                put("learning", json!(l != 0));
            }
            if let Some(t) = x.ttl {
                put("ttl", json!(t));
            }
            if let Some(a) = x.ageing {
                put("ageing", json!(a));
            }
        }
        InfoData::Macvlan(m) => {
            if let Some(n) = m.mode.and_then(macvlan_mode_name) {
                put("mode", json!(n));
            }
        }
        InfoData::Vlan(vl) => {
            if let Some(p) = vl.protocol {
                put("protocol", json!(vlan_proto_name(p)));
            }
            if let Some(id) = vl.id {
                put("id", json!(id));
            }
        }
        InfoData::Bridge(b) => {
            let fields = [
                ("forward_delay", b.forward_delay),
                ("hello_time", b.hello_time),
                ("max_age", b.max_age),
                ("ageing_time", b.ageing_time),
                ("stp_state", b.stp_state),
                ("priority", b.priority.map(u32::from)),
                ("vlan_filtering", b.vlan_filtering.map(u32::from)),
                ("mcast_snooping", b.mcast_snooping.map(u32::from)),
            ];
            for (k, x) in fields {
                if let Some(x) = x {
                    put(k, json!(x));
                }
            }
            if let Some(p) = b.vlan_protocol {
                put("vlan_protocol", json!(vlan_proto_name(p)));
            }
        }
        InfoData::Tun(t) => {
            put(
                "type",
                json!(match t.tun_type {
                    Some(1) => "tun",
                    Some(2) => "tap",
                    _ => "unknown",
                }),
            );
            put("pi", json!(t.pi == Some(1)));
            put("vnet_hdr", json!(t.vnet_hdr == Some(1)));
            put("multi_queue", json!(t.multi_queue == Some(1)));
            put("persist", json!(t.persist == Some(1)));
        }
        _ => {}
    }
    Some(Value::Object(d))
}

/// The fields of `ip -j link` (`linkmode`: with `linkmode` and `ifalias`)
/// and `ip -j addr` (without).
pub(crate) fn link_json_base(
    v: &LinkView<'_>,
    names: &mut Names,
    details: bool,
    linkmode: bool,
    ll: bool,
) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("ifindex".into(), json!(v.index()));
    match (v.link, v.link_netnsid) {
        (Some(0), _) => {
            o.insert("link".into(), Value::Null);
        }
        (Some(l), Some(_)) => {
            o.insert("link_index".into(), json!(l));
        }
        (Some(l), None) => {
            o.insert("link".into(), json!(names.name(l)));
        }
        (None, _) => {}
    }
    if let Some(n) = v.name {
        o.insert("ifname".into(), json!(n.to_string()));
    }
    o.insert(
        "flags".into(),
        json!(iff_names_iproute2(v.flags(), lower_down(v, names))),
    );
    if let Some(m) = v.mtu {
        o.insert("mtu".into(), json!(m));
    }
    if let Some(q) = v.qdisc {
        o.insert("qdisc".into(), json!(q.to_string()));
    }
    if let Some(m) = v.master {
        o.insert("master".into(), json!(names.name(m)));
    }
    if let Some(s) = v.operstate {
        o.insert("operstate".into(), json!(operstate_name(s)));
    }
    if linkmode {
        if let Some(m) = v.linkmode {
            o.insert(
                "linkmode".into(),
                json!(if m == 1 { "DORMANT" } else { "DEFAULT" }),
            );
        }
    }
    if let Some(g) = v.group {
        o.insert("group".into(), json!(group_str(g)));
    }
    if let Some(q) = v.txqlen {
        o.insert("txqlen".into(), json!(q));
    }
    if ll {
        o.insert("link_type".into(), json!(link_type_name(v.link_type())));
        if let Some(a) = v.address {
            o.insert("address".into(), json!(hw_string(a)));
        }
        if let Some(b) = v.broadcast {
            o.insert("broadcast".into(), json!(hw_string(b)));
        }
        if let Some(p) = v.perm_address {
            if Some(p) != v.address {
                o.insert("permaddr".into(), json!(hw_string(p)));
            }
        }
    }
    if let Some(n) = v.link_netnsid {
        o.insert("link_netnsid".into(), json!(n));
    }
    if let (Some(a), true) = (v.alias, linkmode) {
        o.insert("ifalias".into(), json!(a.to_string()));
    }
    let alt: Vec<String> = v.alt_names().map(|n| n.to_string()).collect();
    if !alt.is_empty() {
        o.insert("altnames".into(), json!(alt));
    }
    if details {
        if let Some(p) = v.promiscuity {
            o.insert("promiscuity".into(), json!(p));
        }
        if let Some(m) = v.min_mtu {
            o.insert("min_mtu".into(), json!(m));
        }
        if let Some(m) = v.max_mtu {
            o.insert("max_mtu".into(), json!(m));
        }
        if v.kind.is_some() || v.slave_kind.is_some() {
            let mut li = Map::new();
            if let Some(k) = v.kind {
                li.insert("info_kind".into(), json!(k));
                if let Some(d) = kind_json(v, names) {
                    if d.as_object().is_some_and(|m| !m.is_empty()) {
                        li.insert("info_data".into(), d);
                    }
                }
            }
            if let Some(k) = v.slave_kind {
                li.insert("info_slave_kind".into(), json!(k));
            }
            o.insert("linkinfo".into(), Value::Object(li));
        }
        if let Some(t) = v.num_tx_queues {
            o.insert("num_tx_queues".into(), json!(t));
        }
        if let Some(r) = v.num_rx_queues {
            o.insert("num_rx_queues".into(), json!(r));
        }
    }
    o
}

/// One link as `ip -j link show` prints it.
pub fn link_json(v: &LinkView<'_>, names: &mut Names, details: bool) -> Value {
    Value::Object(link_json_base(v, names, details, true, true))
}
