//! Differential: rtnetlink dumps of a rich state (links, addresses, routes;
//! see `ynl_diff_state`) decoded twice from the same bytes, by the typed
//! views (`nlkit::route`: `LinkView`, `AddrView`, `RouteView`) and by the
//! kernel's `rt-link`, `rt-addr`, `rt-route` specs through `nlkit::ynl`.
//! Every value the typed views decode must be in the spec decode with the
//! same value, over the whole dump.
//!
//! The typed side lists its facts as (path of spec names, value); the spec
//! side is the JSON the codec writes, read at that path and normalised by
//! the spec itself (an enum or flags name back to its number, an address
//! as text or hex back to an address). Where the 6.12 spec does not
//! describe what the typed views decode (a link kind without a sub-message
//! format: macvlan, vxlan, veth in 6.12), the fact is counted as not
//! comparable and printed; anything else the spec does not describe fails.
//! Real disagreements would go in `KNOWN`, each with its reason (none
//! found on 6.18 with the 6.12 specs). The counts are printed:
//! `cargo test --test ynl_diff_route -- --nocapture`.
//!
//! rt-addr names both a header field and an attribute `ifa-flags`: the
//! codec writes the header's as `@ifa-flags` (keys are unique), which is
//! what a header fact `@name` is looked up as first.

mod ynl_diff_state;

use nlkit::conn::Connection;
use nlkit::route::addr::AddrDump;
use nlkit::route::addr::AddrView;
use nlkit::route::link::{InfoData, LinkDump, LinkView, LINK_STATS_FIELDS};
use nlkit::route::routes::{NextHopIter, RouteDump, RouteView};
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::Msg;
use nlkit::ynl::spec::{AttrType, Family};
use nlkit::ynl::Schema;
use nlkit::{Protocol, ToMsg};
use serde_json::Value;
use std::net::IpAddr;
use zerocopy::IntoBytes;

/// A value the typed views decoded.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Num(i128),
    Ip(IpAddr),
    Bytes(Vec<u8>),
    Str(String),
    Strs(Vec<String>),
}

/// Facts of one message: (path of spec names joined by `/`, value); a
/// field of the fixed header is `@name` (a header field and an attribute
/// may have the same name: rt-addr's `ifa-flags`).
type Facts = Vec<(String, V)>;

fn num(f: &mut Facts, path: &str, v: Option<impl Into<i128>>) {
    if let Some(v) = v {
        f.push((path.to_string(), V::Num(v.into())));
    }
}
fn ip(f: &mut Facts, path: &str, v: Option<IpAddr>) {
    if let Some(v) = v {
        f.push((path.to_string(), V::Ip(v)));
    }
}
fn bytes(f: &mut Facts, path: &str, v: Option<&[u8]>) {
    if let Some(v) = v {
        f.push((path.to_string(), V::Bytes(v.to_vec())));
    }
}
fn string(f: &mut Facts, path: &str, v: Option<String>) {
    if let Some(v) = v {
        f.push((path.to_string(), V::Str(v)));
    }
}

/// `u64` fields of a zerocopy struct of `u64`s, in order.
fn u64s(b: &[u8]) -> Vec<u64> {
    b.chunks_exact(8)
        .map(|c| u64::from_ne_bytes(c.try_into().unwrap()))
        .collect()
}

// --- the typed side ---------------------------------------------------------

fn link_facts(v: &LinkView<'_>) -> Facts {
    let mut f = Facts::new();
    num(&mut f, "@ifi-family", Some(v.header.family));
    num(&mut f, "@ifi-type", Some(v.link_type()));
    num(&mut f, "@ifi-index", Some(v.index()));
    num(&mut f, "@ifi-flags", Some(v.flags()));
    num(&mut f, "@ifi-change", Some(v.header.change.get()));
    string(&mut f, "ifname", v.name.map(|n| n.to_string()));
    num(&mut f, "mtu", v.mtu);
    bytes(&mut f, "address", v.address);
    bytes(&mut f, "broadcast", v.broadcast);
    num(&mut f, "txqlen", v.txqlen);
    num(&mut f, "master", v.master);
    num(&mut f, "link", v.link);
    num(&mut f, "link-netnsid", v.link_netnsid);
    num(&mut f, "operstate", v.operstate);
    num(&mut f, "linkmode", v.linkmode);
    string(&mut f, "qdisc", v.qdisc.map(|n| n.to_string()));
    string(&mut f, "ifalias", v.alias.map(|n| n.to_string()));
    num(&mut f, "group", v.group);
    num(&mut f, "num-tx-queues", v.num_tx_queues);
    num(&mut f, "num-rx-queues", v.num_rx_queues);
    num(&mut f, "carrier", v.carrier);
    num(&mut f, "min-mtu", v.min_mtu);
    num(&mut f, "max-mtu", v.max_mtu);
    bytes(&mut f, "perm-address", v.perm_address);
    num(&mut f, "promiscuity", v.promiscuity);
    num(&mut f, "carrier-changes", v.carrier_changes);
    if let Some(s) = &v.stats64 {
        for (name, val) in LINK_STATS_FIELDS.iter().zip(u64s(s.as_bytes())) {
            num(
                &mut f,
                &format!("stats64/{}", name.replace('_', "-")),
                Some(val),
            );
        }
    }
    let alt: Vec<String> = v.alt_names().map(|n| n.to_string()).collect();
    if !alt.is_empty() {
        f.push(("prop-list/alt-ifname".into(), V::Strs(alt)));
    }
    string(&mut f, "linkinfo/kind", v.kind.map(str::to_string));
    string(
        &mut f,
        "linkinfo/slave-kind",
        v.slave_kind.map(str::to_string),
    );
    let info = v.info().expect("typed linkinfo");
    let d = "linkinfo/data";
    match info.map(|i| i.data) {
        Some(InfoData::Bridge(b)) => {
            num(&mut f, &format!("{d}/forward-delay"), b.forward_delay);
            num(&mut f, &format!("{d}/hello-time"), b.hello_time);
            num(&mut f, &format!("{d}/max-age"), b.max_age);
            num(&mut f, &format!("{d}/ageing-time"), b.ageing_time);
            num(&mut f, &format!("{d}/stp-state"), b.stp_state);
            num(&mut f, &format!("{d}/priority"), b.priority);
            num(&mut f, &format!("{d}/vlan-filtering"), b.vlan_filtering);
            num(&mut f, &format!("{d}/vlan-protocol"), b.vlan_protocol);
            num(
                &mut f,
                &format!("{d}/vlan-default-pvid"),
                b.vlan_default_pvid,
            );
            num(&mut f, &format!("{d}/mcast-snooping"), b.mcast_snooping);
        }
        Some(InfoData::Vlan(x)) => {
            num(&mut f, &format!("{d}/id"), x.id);
            num(&mut f, &format!("{d}/protocol"), x.protocol);
        }
        Some(InfoData::Macvlan(x)) => {
            num(&mut f, &format!("{d}/mode"), x.mode);
            num(&mut f, &format!("{d}/flags"), x.flags);
        }
        Some(InfoData::Vxlan(x)) => {
            num(&mut f, &format!("{d}/id"), x.id);
            let six = |a: &Option<IpAddr>| matches!(a, Some(IpAddr::V6(_)));
            let g = if six(&x.remote) { "group6" } else { "group" };
            ip(&mut f, &format!("{d}/{g}"), x.remote);
            let l = if six(&x.local) { "local6" } else { "local" };
            ip(&mut f, &format!("{d}/{l}"), x.local);
            num(&mut f, &format!("{d}/link"), x.dev);
            num(&mut f, &format!("{d}/port"), x.port);
            num(&mut f, &format!("{d}/ttl"), x.ttl);
            num(&mut f, &format!("{d}/learning"), x.learning);
            num(&mut f, &format!("{d}/ageing"), x.ageing);
        }
        _ => {}
    }
    f
}

fn addr_facts(v: &AddrView<'_>) -> Facts {
    let mut f = Facts::new();
    num(&mut f, "@ifa-family", Some(v.family()));
    num(&mut f, "@ifa-prefixlen", Some(v.prefix_len()));
    num(&mut f, "@ifa-flags", Some(v.header.flags));
    num(&mut f, "@ifa-scope", Some(v.scope()));
    num(&mut f, "@ifa-index", Some(v.index()));
    ip(&mut f, "ifa-local", v.local);
    ip(&mut f, "ifa-address", v.address);
    string(&mut f, "ifa-label", v.label.map(|n| n.to_string()));
    ip(&mut f, "ifa-broadcast", v.broadcast);
    ip(&mut f, "ifa-anycast", v.anycast);
    ip(&mut f, "ifa-multicast", v.multicast);
    if let Some(c) = &v.cacheinfo {
        num(
            &mut f,
            "ifa-cacheinfo/ifa-prefered",
            Some(c.preferred.get()),
        );
        num(&mut f, "ifa-cacheinfo/ifa-valid", Some(c.valid.get()));
        num(&mut f, "ifa-cacheinfo/cstamp", Some(c.cstamp.get()));
        num(&mut f, "ifa-cacheinfo/tstamp", Some(c.tstamp.get()));
    }
    num(&mut f, "ifa-flags", v.flags32);
    num(&mut f, "ifa-rt-priority", v.rt_priority);
    num(&mut f, "ifa-proto", v.proto);
    f
}

fn route_facts(v: &RouteView<'_>, spec: &Family) -> Facts {
    let mut f = Facts::new();
    let h = v.header;
    num(&mut f, "@rtm-family", Some(h.family));
    num(&mut f, "@rtm-dst-len", Some(h.dst_len));
    num(&mut f, "@rtm-src-len", Some(h.src_len));
    num(&mut f, "@rtm-tos", Some(h.tos));
    num(&mut f, "@rtm-table", Some(h.table));
    num(&mut f, "@rtm-protocol", Some(h.protocol));
    num(&mut f, "@rtm-scope", Some(h.scope));
    num(&mut f, "@rtm-type", Some(h.ty));
    num(&mut f, "@rtm-flags", Some(v.flags()));
    ip(&mut f, "rta-dst", v.dst());
    ip(&mut f, "rta-src", v.src());
    num(&mut f, "rta-iif", v.iif());
    num(&mut f, "rta-oif", v.oif());
    ip(&mut f, "rta-gateway", v.gateway());
    num(&mut f, "rta-priority", v.priority());
    ip(&mut f, "rta-prefsrc", v.prefsrc());
    num(&mut f, "rta-table", v.table_attr());
    num(&mut f, "rta-mark", v.mark());
    num(&mut f, "rta-pref", v.pref());
    num(&mut f, "rta-expires", v.expires());
    num(&mut f, "rta-nh-id", v.nh_id());
    num(&mut f, "rta-uid", v.uid());
    if let Some(via) = v.via() {
        // `struct rtvia`: the family (u16), then the address; the 6.12 spec has it as binary.
        let (fam, octets): (u16, Vec<u8>) = match via {
            IpAddr::V4(a) => (2, a.octets().to_vec()),
            IpAddr::V6(a) => (10, a.octets().to_vec()),
        };
        let mut b = fam.to_ne_bytes().to_vec();
        b.extend(octets);
        bytes(&mut f, "rta-via", Some(&b));
    }
    let metrics = spec.attribute_set("rta-metrics").unwrap();
    for (kind, val) in v.metrics() {
        let a = metrics.attr_by_value(kind).expect("metric the spec names");
        num(&mut f, &format!("rta-metrics/{}", a.name), Some(val));
    }
    if let Some(mp) = v.multipath_attr() {
        // The 6.12 spec has RTA_MULTIPATH as binary: the records compare as bytes,
        // and each hop the typed iterator reads must be inside them.
        bytes(&mut f, "rta-multipath", Some(mp.payload()));
        assert!(NextHopIter::new(mp.payload()).all(|h| h.is_ok()));
    }
    if let Some(c) = &v.cacheinfo() {
        num(&mut f, "rta-cacheinfo/rta-clntref", Some(c.clntref.get()));
        num(&mut f, "rta-cacheinfo/rta-lastuse", Some(c.lastuse.get()));
        num(
            &mut f,
            "rta-cacheinfo/rta-expires",
            Some(c.expires.get() as u32),
        );
        num(&mut f, "rta-cacheinfo/rta-error", Some(c.error.get()));
        num(&mut f, "rta-cacheinfo/rta-used", Some(c.used.get()));
    }
    f
}

// --- the spec side ------------------------------------------------------------

/// What a fact's path names in the spec: the enum or flags definition of its
/// values, if any; `None` if the spec does not describe the path at all.
fn spec_enum(
    spec: &Family,
    op: &str,
    path: &str,
    msg: &Value,
) -> Option<Option<(nlkit::ynl::spec::EnumDef, bool)>> {
    let op = spec.operation(op).unwrap();
    let segs: Vec<&str> = path.split('/').collect();
    let enum_of = |name: &Option<String>, as_flags: bool| {
        name.as_ref()
            .and_then(|n| spec.enum_def(n))
            .map(|(e, flags)| (e.clone(), flags || as_flags))
    };
    if let Some(field) = path.strip_prefix('@') {
        let st = spec.struct_def(op.fixed_header.as_deref()?)?;
        let m = st.members.iter().find(|m| m.name == field)?;
        return Some(enum_of(&m.enum_def, m.enum_as_flags));
    }
    let mut set = spec.attribute_set(op.attribute_set.as_deref()?)?;
    let mut here = msg;
    for (i, seg) in segs.iter().enumerate() {
        let a = set.attr(seg)?;
        let last = i + 1 == segs.len();
        if last {
            return Some(enum_of(&a.enum_def, a.enum_as_flags));
        }
        match a.ty {
            AttrType::Nest | AttrType::IndexedArray | AttrType::NestTypeValue => {
                set = spec.attribute_set(a.nested_attributes.as_deref()?)?;
            }
            AttrType::SubMessage => {
                let selector = here.get(a.selector.as_deref()?)?.as_str()?;
                let format = spec
                    .sub_message(a.sub_message.as_deref()?)?
                    .format(selector)?;
                set = spec.attribute_set(format.attribute_set.as_deref()?)?;
            }
            AttrType::Binary => {
                let st = spec.struct_def(a.struct_def.as_deref()?)?;
                let m = st.members.iter().find(|m| m.name == segs[i + 1])?;
                return (i + 2 == segs.len()).then(|| enum_of(&m.enum_def, m.enum_as_flags));
            }
            _ => return None,
        }
        here = here.get(seg)?;
    }
    None
}

/// Bytes from the codec's hex (`"0a0b"`, or with `:` between bytes).
fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let digits: String = s.chars().filter(|c| *c != ':').collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect()
}

/// The number a JSON value stands for, the spec's enum or flags names
/// resolved.
fn json_num(j: &Value, en: &Option<(nlkit::ynl::spec::EnumDef, bool)>) -> Option<i128> {
    let name_value = |s: &str| -> Option<i128> {
        if let Some(h) = s.strip_prefix("0x") {
            return i128::from_str_radix(h, 16).ok();
        }
        let (e, flags) = en.as_ref()?;
        let v = i128::from(e.entry(s)?.value);
        Some(if *flags { 1 << v } else { v })
    };
    match j {
        Value::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
        Value::String(s) => name_value(s),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().and_then(name_value))
            .sum::<Option<i128>>(),
        _ => None,
    }
}

fn json_ip(j: &Value) -> Option<IpAddr> {
    let s = j.as_str()?;
    if let Ok(a) = s.parse() {
        return Some(a);
    }
    let b = unhex(s)?;
    match b.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(&b[..]).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(&b[..]).ok()?)),
        _ => None,
    }
}

/// Whether the spec decode's `j` is the typed value `want`.
fn same(j: &Value, want: &V, en: &Option<(nlkit::ynl::spec::EnumDef, bool)>) -> bool {
    match want {
        V::Num(n) => json_num(j, en) == Some(*n),
        V::Ip(a) => json_ip(j) == Some(*a),
        V::Bytes(b) => j.as_str().and_then(unhex).as_ref() == Some(b),
        V::Str(s) => j.as_str() == Some(s),
        V::Strs(v) => {
            j.as_array()
                .map(|a| a.iter().map(|x| x.as_str()).collect::<Vec<_>>())
                == Some(v.iter().map(|s| Some(s.as_str())).collect())
        }
    }
}

/// The value at `path` in the spec decode `msg` (every key is written once).
fn lookup(msg: &Value, path: &str) -> Option<Value> {
    if let Some(field) = path.strip_prefix('@') {
        // A header field is written `@name` where the set has an attribute
        // of that name (rt-addr's `ifa-flags`), `name` otherwise.
        return msg.get(path).or_else(|| msg.get(field)).cloned();
    }
    path.split('/').try_fold(msg, |j, seg| j.get(seg)).cloned()
}

// --- the comparison -------------------------------------------------------------

/// Real disagreements: (spec family, path, why). The typed view's value is
/// the kernel's (checked against `ip` elsewhere); the spec's decode differs.
const KNOWN: &[(&str, &str, &str)] = &[];

#[derive(Default)]
struct Tally {
    messages: usize,
    compared: usize,
    /// Paths the spec does not describe (counted per path).
    undescribed: std::collections::BTreeMap<String, usize>,
    /// KNOWN disagreements met.
    known: std::collections::BTreeMap<String, usize>,
    bad: Vec<String>,
}

/// Decodes `msg` with the spec and checks each of the typed `facts`.
fn check(schema: &Schema, op: &str, msg: &Msg<&[u8]>, facts: Facts, t: &mut Tally) {
    t.messages += 1;
    let text = spec_json(schema, op, msg);
    let j: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{op}: {e}: {text}"));
    if schema.spec.name == "rt-addr" {
        // The ifaddrmsg byte is `@ifa-flags`, the attribute `ifa-flags`.
        assert!(j.get("@ifa-flags").is_some(), "{op}: {text}");
    }
    for (path, want) in facts {
        let Some(en) = spec_enum(&schema.spec, op, &path, &j) else {
            match undescribed_kind(&schema.spec, &path, &j) {
                Some(kind) => *t.undescribed.entry(format!("{kind}: {path}")).or_default() += 1,
                None => t.bad.push(format!(
                    "{} {op}: {path}: the spec does not describe it\n  message: {text}",
                    schema.spec.name
                )),
            }
            continue;
        };
        let got = lookup(&j, &path);
        if got.as_ref().is_some_and(|g| same(g, &want, &en)) {
            t.compared += 1;
            continue;
        }
        if let Some(k) = KNOWN
            .iter()
            .find(|k| k.0 == schema.spec.name && k.1 == path)
        {
            *t.known
                .entry(format!("{}: {} ({})", k.0, k.1, k.2))
                .or_default() += 1;
            continue;
        }
        t.bad.push(format!(
            "{} {op}: {path}: typed {want:?}, spec {}\n  message: {text}",
            schema.spec.name,
            got.map_or("absent".to_string(), |g| g.to_string())
        ));
    }
}

/// The spec decode of `msg` as operation `op`'s reply: its JSON text.
fn spec_json(schema: &Schema, op: &str, msg: &Msg<&[u8]>) -> String {
    let mut out = Vec::new();
    schema
        .reply_to(msg, schema.op(op), &mut out)
        .unwrap_or_else(|e| panic!("{op}: {e}"));
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The one thing the typed views decode that the 6.12 spec may not
/// describe: `IFLA_INFO_DATA` of a link kind its `linkinfo-data-msg` has no
/// format for (macvlan, vxlan, veth...). That kind, or `None`.
fn undescribed_kind(spec: &Family, path: &str, msg: &Value) -> Option<String> {
    path.strip_prefix("linkinfo/data/")?;
    let kind = msg.get("linkinfo")?.get("kind")?.as_str()?;
    let sub = spec.sub_message("linkinfo-data-msg")?;
    sub.format(kind).is_none().then(|| kind.to_string())
}

fn report(what: &str, t: &Tally) {
    eprintln!(
        "{what}: {} messages, {} values compared, {} known mismatches, {} undescribed by the spec",
        t.messages,
        t.compared,
        t.known.values().sum::<usize>(),
        t.undescribed.values().sum::<usize>()
    );
    for (k, n) in &t.known {
        eprintln!("  known mismatch x{n}: {k}");
    }
    for (p, n) in &t.undescribed {
        eprintln!("  not in the spec x{n}: {p}");
    }
    assert!(t.messages > 0 && t.compared > 0, "{what}: nothing compared");
    assert!(
        t.bad.is_empty(),
        "{what}: {} mismatches:\n{}",
        t.bad.len(),
        t.bad.join("\n")
    );
}

/// Dumps with `req` and hands each message to `each`.
fn dump(req: &dyn ToMsg, mut each: impl FnMut(&Msg<&[u8]>)) {
    let conn = Connection::new(Protocol::ROUTE).unwrap();
    let mut d = conn.dump(req).unwrap();
    while let Some(m) = d.next() {
        each(&m.unwrap());
    }
}

#[test]
fn rt_link_getlink_dump_agrees_with_link_views() {
    in_new_netns(|| {
        ynl_diff_state::rich_state();
        let schema = Schema::find("rt-link").unwrap();
        let mut t = Tally::default();
        let mut kinds = std::collections::BTreeSet::new();
        let mut wrong = Tally::default();
        dump(&LinkDump::default(), |m| {
            let v = LinkView::parse(m).unwrap();
            kinds.insert(v.kind.unwrap_or("-").to_string());
            check(&schema, "getlink", m, link_facts(&v), &mut t);
            // The comparison catches a wrong value: each fact of the message changed.
            let changed = link_facts(&v).into_iter().map(|(p, x)| {
                let x = match x {
                    V::Num(n) => V::Num(n + 1),
                    V::Ip(_) => V::Ip(IpAddr::from([0, 0, 0, 9])),
                    V::Bytes(mut b) => {
                        b.push(0);
                        V::Bytes(b)
                    }
                    V::Str(s) => V::Str(s + "x"),
                    V::Strs(v) => V::Strs([v, vec!["x".into()]].concat()),
                };
                (p, x)
            });
            check(&schema, "getlink", m, changed.collect(), &mut wrong);
        });
        assert_eq!(wrong.bad.len(), t.compared, "every changed value is caught");
        eprintln!("link kinds: {kinds:?}");
        for k in ["veth", "bridge", "vxlan", "macvlan"] {
            assert!(kinds.contains(k), "no {k} in the dump: {kinds:?}");
        }
        report("rt-link getlink", &t);
    })
    .unwrap();
}

#[test]
fn rt_addr_getaddr_dump_agrees_with_addr_views() {
    in_new_netns(|| {
        ynl_diff_state::rich_state();
        let schema = Schema::find("rt-addr").unwrap();
        let mut t = Tally::default();
        dump(&AddrDump::default(), |m| {
            let v = AddrView::parse(m).unwrap();
            check(&schema, "getaddr", m, addr_facts(&v), &mut t);
        });
        assert!(t.messages >= 15, "{} addresses", t.messages);
        report("rt-addr getaddr", &t);
    })
    .unwrap();
}

#[test]
fn rt_route_getroute_dump_agrees_with_route_views() {
    in_new_netns(|| {
        ynl_diff_state::rich_state();
        let schema = Schema::find("rt-route").unwrap();
        let mut t = Tally::default();
        let mut tables = std::collections::BTreeSet::new();
        dump(&RouteDump::default(), |m| {
            let v = RouteView::parse(m).unwrap();
            tables.insert(v.table());
            check(
                &schema,
                "getroute",
                m,
                route_facts(&v, &schema.spec),
                &mut t,
            );
        });
        assert!(
            tables.contains(&70000) && tables.contains(&5000),
            "{tables:?}"
        );
        report("rt-route getroute", &t);
    })
    .unwrap();
}
