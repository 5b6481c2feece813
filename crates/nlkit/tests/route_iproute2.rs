//! Differential tests against the installed iproute2 (`ip -j`): objects made
//! by nlkit read back by `ip` match, and objects made by `ip` read back by
//! nlkit match, for links, addresses, routes, neighbours and rules. Both
//! directions go through one comparison per object type, which normalises
//! what iproute2 leaves out (table main, protocol boot, scope global...).
//! Each test runs in a fresh network namespace.

use nlkit::route::addr::{ifa_flag_names, IFA_F_NODAD, IFA_F_PERMANENT};
use nlkit::route::attrs::mac_string;
use nlkit::route::link::{iff_names_iproute2, operstate_name, Bridge, Vxlan};
use nlkit::route::neigh::{nud_names, NTF_ROUTER, NUD_NOARP};
use nlkit::route::rule::{action_name, fr_act, FIB_RULE_INVERT};
use nlkit::route::*;
use nlkit::socket::netns::in_new_netns;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::process::Command;

// --- a small JSON reader (no serde_json among the dependencies) -------------

#[derive(Clone, Debug, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn get(&self, k: &str) -> Option<&J> {
        match self {
            J::Obj(v) => v.iter().find(|(n, _)| n == k).map(|(_, v)| v),
            _ => None,
        }
    }
    fn has(&self, k: &str) -> bool {
        self.get(k).is_some()
    }
    fn str(&self, k: &str) -> Option<String> {
        match self.get(k)? {
            J::Str(s) => Some(s.clone()),
            J::Num(n) => Some(format!("{n}")),
            _ => None,
        }
    }
    fn num(&self, k: &str) -> Option<u64> {
        match self.get(k)? {
            J::Num(n) => Some(*n as u64),
            _ => None,
        }
    }
    fn arr(&self) -> &[J] {
        match self {
            J::Arr(v) => v,
            _ => &[],
        }
    }
    fn strs(&self, k: &str) -> Vec<String> {
        self.get(k)
            .map(|a| {
                a.arr()
                    .iter()
                    .filter_map(|x| match x {
                        J::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn parse_json(s: &str) -> J {
    fn ws(b: &[u8], i: &mut usize) {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    }
    fn val(b: &[u8], i: &mut usize) -> J {
        ws(b, i);
        match b[*i] {
            b'{' => {
                *i += 1;
                let mut v = Vec::new();
                loop {
                    ws(b, i);
                    if b[*i] == b'}' {
                        *i += 1;
                        return J::Obj(v);
                    }
                    let J::Str(k) = val(b, i) else { panic!("key") };
                    ws(b, i);
                    assert_eq!(b[*i], b':');
                    *i += 1;
                    let x = val(b, i);
                    v.push((k, x));
                    ws(b, i);
                    if b[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'[' => {
                *i += 1;
                let mut v = Vec::new();
                loop {
                    ws(b, i);
                    if b[*i] == b']' {
                        *i += 1;
                        return J::Arr(v);
                    }
                    v.push(val(b, i));
                    ws(b, i);
                    if b[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'"' => {
                *i += 1;
                let mut s = String::new();
                while b[*i] != b'"' {
                    if b[*i] == b'\\' {
                        *i += 1;
                        match b[*i] {
                            b'n' => s.push('\n'),
                            b't' => s.push('\t'),
                            b'u' => {
                                let h = std::str::from_utf8(&b[*i + 1..*i + 5]).unwrap();
                                s.push(
                                    char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap(),
                                );
                                *i += 4;
                            }
                            c => s.push(c as char),
                        }
                    } else {
                        s.push(b[*i] as char);
                    }
                    *i += 1;
                }
                *i += 1;
                J::Str(s)
            }
            b't' => {
                *i += 4;
                J::Bool(true)
            }
            b'f' => {
                *i += 5;
                J::Bool(false)
            }
            b'n' => {
                *i += 4;
                J::Null
            }
            _ => {
                let st = *i;
                while *i < b.len()
                    && (b[*i] == b'-' || b[*i] == b'.' || b[*i].is_ascii_alphanumeric())
                {
                    *i += 1;
                }
                J::Num(std::str::from_utf8(&b[st..*i]).unwrap().parse().unwrap())
            }
        }
    }
    let b = s.as_bytes();
    if b.iter().all(|c| c.is_ascii_whitespace()) {
        return J::Arr(vec![]);
    }
    let mut i = 0;
    val(b, &mut i)
}

#[test]
fn json_reader() {
    let j = parse_json(r#"[{"a":1,"b":"x\"y","c":[true,null],"d":{"e":-2.5}}]"#);
    let o = &j.arr()[0];
    assert_eq!(o.num("a"), Some(1));
    assert_eq!(o.str("b").as_deref(), Some("x\"y"));
    assert!(o.has("c"));
    assert_eq!(o.get("d").unwrap().get("e"), Some(&J::Num(-2.5)));
}

// --- helpers -----------------------------------------------------------------

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// No duplicate address detection in this netns, so that no address is
/// tentative between one tool's read and the other's (a race otherwise).
fn no_dad() {
    sh("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
}

fn ipj(args: &str) -> J {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ip -j {args}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ip -j {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_json(&String::from_utf8(out.stdout).unwrap())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn pfx(s: &str) -> Prefix {
    s.parse().unwrap()
}

fn names(h: &Handle) -> BTreeMap<u32, String> {
    h.link_list()
        .unwrap()
        .into_iter()
        .map(|l| (l.index, l.name.unwrap()))
        .collect()
}

// --- comparisons -------------------------------------------------------------

/// Waits until link flags and operstates stop changing: carrier and operstate
/// changes reach the kernel's link watch asynchronously (up to a second
/// later), and two reads that straddle one would differ for no fault of ours.
fn settle(h: &Handle) {
    let snap = || -> Vec<(u32, u32, Option<u8>)> {
        h.link_list()
            .unwrap()
            .into_iter()
            .map(|l| (l.index, l.flags, l.operstate))
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut last = snap();
    let mut stable_since = std::time::Instant::now();
    while std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let now = snap();
        if now != last {
            last = now;
            stable_since = std::time::Instant::now();
        } else if stable_since.elapsed() > std::time::Duration::from_millis(1200) {
            return;
        }
    }
}

/// Every link `ip -j -d link show` lists matches what nlkit reads, field by field.
fn compare_links(h: &Handle) -> usize {
    let ours: BTreeMap<u32, Link> = h
        .link_list()
        .unwrap()
        .into_iter()
        .map(|l| (l.index, l))
        .collect();
    let idx = names(h);
    let theirs = ipj("-d link show");
    assert_eq!(theirs.arr().len(), ours.len());
    for t in theirs.arr() {
        let i = t.num("ifindex").unwrap() as u32;
        let l = &ours[&i];
        let ctx = format!("{t:?}\nvs {l:?}");
        assert_eq!(t.str("ifname"), l.name, "{ctx}");
        assert_eq!(t.num("mtu"), l.mtu.map(u64::from), "{ctx}");
        assert_eq!(t.num("min_mtu"), l.min_mtu.map(u64::from), "{ctx}");
        assert_eq!(t.num("max_mtu"), l.max_mtu.map(u64::from), "{ctx}");
        let lower_down = l.link_netnsid.is_none()
            && l.link
                .is_some_and(|k| ours.get(&k).is_some_and(|p| !p.is_up()));
        assert_eq!(
            t.strs("flags"),
            iff_names_iproute2(l.flags, lower_down),
            "{ctx}"
        );
        assert_eq!(
            t.str("operstate").as_deref(),
            l.operstate.map(operstate_name),
            "{ctx}"
        );
        assert_eq!(t.num("txqlen"), l.txqlen.map(u64::from), "{ctx}");
        assert_eq!(t.str("qdisc"), l.qdisc, "{ctx}");
        assert_eq!(
            t.str("address"),
            l.address.as_deref().map(mac_string),
            "{ctx}"
        );
        assert_eq!(
            t.str("broadcast"),
            l.broadcast.as_deref().map(mac_string),
            "{ctx}"
        );
        assert_eq!(t.str("master"), l.master.map(|m| idx[&m].clone()), "{ctx}");
        if l.link_netnsid.is_none() {
            assert_eq!(t.str("link"), l.link.map(|m| idx[&m].clone()), "{ctx}");
        }
        assert_eq!(t.str("ifalias"), l.alias, "{ctx}");
        assert_eq!(t.strs("altnames"), l.alt_names, "{ctx}");
        assert_eq!(
            t.num("num_tx_queues"),
            l.num_tx_queues.map(u64::from),
            "{ctx}"
        );
        let info = t.get("linkinfo");
        assert_eq!(
            info.and_then(|i| i.str("info_kind")),
            l.kind().map(str::to_string),
            "{ctx}"
        );
        assert_eq!(
            info.and_then(|i| i.str("info_slave_kind")),
            l.info.as_ref().and_then(|i| i.slave_kind.clone()),
            "{ctx}"
        );
        let data = info.and_then(|i| i.get("info_data"));
        match l.info.as_ref().map(|i| &i.data) {
            Some(InfoData::Vxlan(x)) => {
                let d = data.unwrap();
                assert_eq!(d.num("id"), x.id.map(u64::from), "{ctx}");
                assert_eq!(d.num("port"), x.port.map(u64::from), "{ctx}");
                assert_eq!(d.str("local"), x.local.map(|a| a.to_string()), "{ctx}");
                assert_eq!(
                    d.str("remote").or(d.str("group")),
                    x.remote.map(|a| a.to_string()),
                    "{ctx}"
                );
                assert_eq!(d.str("link"), x.dev.map(|m| idx[&m].clone()), "{ctx}");
                assert_eq!(d.num("ttl"), x.ttl.map(u64::from), "{ctx}");
            }
            Some(InfoData::Macvlan(m)) => {
                let d = data.unwrap();
                assert_eq!(
                    d.str("mode").as_deref(),
                    m.mode.and_then(nlkit::route::link::macvlan_mode_name),
                    "{ctx}"
                );
            }
            Some(InfoData::Bridge(b)) => {
                let d = data.unwrap();
                assert_eq!(d.num("stp_state"), b.stp_state.map(u64::from), "{ctx}");
                assert_eq!(d.num("priority"), b.priority.map(u64::from), "{ctx}");
                assert_eq!(d.num("ageing_time"), b.ageing_time.map(u64::from), "{ctx}");
                assert_eq!(
                    d.num("forward_delay"),
                    b.forward_delay.map(u64::from),
                    "{ctx}"
                );
            }
            Some(InfoData::Tun(tn)) => {
                let d = data.unwrap();
                let ty = match tn.tun_type {
                    Some(1) => "tun",
                    Some(2) => "tap",
                    _ => "unknown",
                };
                assert_eq!(d.str("type").as_deref(), Some(ty), "{ctx}");
            }
            _ => {}
        }
        if let Some(s) = &l.stats64 {
            // Counters move (IPv6 autoconf sends packets); ip -s shows them, -d does not.
            let _ = s.rx_packets.get();
        }
    }
    ours.len()
}

/// Every address of `ip -j addr show` matches nlkit's dump.
fn compare_addrs(h: &Handle) -> usize {
    let ours = h.addr_list(AddrDump::default()).unwrap();
    let mut n = 0;
    for link in ipj("addr show").arr() {
        let i = link.num("ifindex").unwrap() as u32;
        for t in link.get("addr_info").unwrap().arr() {
            n += 1;
            let local = ip(&t.str("local").unwrap());
            let a = ours
                .iter()
                .find(|a| a.index == i && a.local_addr() == Some(local))
                .unwrap_or_else(|| panic!("nlkit misses {t:?}"));
            let ctx = format!("{t:?}\nvs {a:?}");
            assert_eq!(t.num("prefixlen"), Some(u64::from(a.prefix_len)), "{ctx}");
            assert_eq!(t.str("family").as_deref(), family_name(a.family), "{ctx}");
            assert_eq!(t.str("scope"), Some(scope_str(a.scope)), "{ctx}");
            if a.family == AF_INET {
                assert_eq!(t.str("label"), a.label, "{ctx}");
                assert_eq!(
                    t.str("broadcast"),
                    a.broadcast.map(|b| b.to_string()),
                    "{ctx}"
                );
            }
            if let Some(p) = a.peer() {
                assert_eq!(t.str("address"), Some(p.to_string()), "{ctx}");
            }
            for f in ifa_flag_names(a.flags) {
                if f == "permanent" {
                    continue;
                }
                assert!(t.has(f), "flag {f}: {ctx}");
            }
            for f in [
                "nodad",
                "tentative",
                "deprecated",
                "dadfailed",
                "secondary",
                "noprefixroute",
            ] {
                assert_eq!(
                    t.has(f),
                    ifa_flag_names(a.flags).contains(&f),
                    "flag {f}: {ctx}"
                );
            }
            assert_eq!(t.has("dynamic"), a.flags & IFA_F_PERMANENT == 0, "{ctx}");
            let ci = a.cacheinfo.unwrap();
            let near = |x: Option<u64>, y: u32| {
                let x = x.unwrap();
                x == u64::from(y) || x.abs_diff(u64::from(y)) <= 2
            };
            assert!(near(t.num("valid_life_time"), ci.valid.get()), "{ctx}");
            assert!(
                near(t.num("preferred_life_time"), ci.preferred.get()),
                "{ctx}"
            );
        }
    }
    assert_eq!(n, ours.len());
    n
}

/// One route, as both sides can say it.
fn route_key_ours(r: &Route, idx: &BTreeMap<u32, String>) -> String {
    let mut s = format!(
        "{} {} table {} proto {} scope {}",
        route_type_str(r.kind),
        r.dst_prefix(),
        table_str(r.table),
        protocol_str(r.protocol),
        scope_str(r.scope)
    );
    if let Some(g) = r.gateway {
        s += &format!(" via {g}");
    }
    if let Some(o) = r.oif {
        s += &format!(" dev {}", idx[&o]);
    }
    if let Some(m) = r.priority {
        s += &format!(" metric {m}");
    }
    if let Some(p) = r.prefsrc {
        s += &format!(" src {p}");
    }
    if let Some(m) = r.metric(nlkit::route::routes::RTAX_MTU) {
        s += &format!(" mtu {m}");
    }
    for h in &r.multipath {
        s += &format!(
            " nexthop via {} dev {} weight {}",
            h.gateway.map(|g| g.to_string()).unwrap_or_default(),
            idx[&h.ifindex],
            h.weight
        );
    }
    if let Some(id) = r.nh_id {
        s += &format!(" nhid {id}");
    }
    s
}

fn route_key_theirs(t: &J) -> String {
    let mut s = format!(
        "{} {} table {} proto {} scope {}",
        t.str("type").unwrap_or("unicast".into()),
        t.str("dst").unwrap(),
        t.str("table").unwrap_or("main".into()),
        t.str("protocol").unwrap_or("boot".into()),
        t.str("scope").unwrap_or("global".into()),
    );
    if let Some(g) = t.str("gateway") {
        s += &format!(" via {g}");
    }
    if let Some(d) = t.str("dev") {
        s += &format!(" dev {d}");
    }
    if let Some(m) = t.num("metric") {
        s += &format!(" metric {m}");
    }
    if let Some(p) = t.str("prefsrc") {
        s += &format!(" src {p}");
    }
    for m in t.get("metrics").map(J::arr).unwrap_or(&[]) {
        if let Some(v) = m.num("mtu") {
            s += &format!(" mtu {v}");
        }
    }
    for h in t.get("nexthops").map(J::arr).unwrap_or(&[]) {
        s += &format!(
            " nexthop via {} dev {} weight {}",
            h.str("gateway").unwrap_or_default(),
            h.str("dev").unwrap(),
            h.num("weight").unwrap_or(1)
        );
    }
    if let Some(id) = t.num("nhid") {
        s += &format!(" nhid {id}");
    }
    s
}

fn compare_routes(h: &Handle) -> usize {
    let idx = names(h);
    let ours: BTreeSet<String> = h
        .route_list(RouteDump::default())
        .unwrap()
        .iter()
        .map(|r| route_key_ours(r, &idx))
        .collect();
    let mut theirs = BTreeSet::new();
    for fam in ["-4", "-6"] {
        for t in ipj(&format!("{fam} route show table all")).arr() {
            theirs.insert(route_key_theirs(t));
        }
    }
    assert_eq!(ours, theirs);
    ours.len()
}

fn compare_neighs(h: &Handle) -> usize {
    let idx = names(h);
    let ours: BTreeSet<String> = h
        .neigh_list(NeighDump::default())
        .unwrap()
        .iter()
        .filter(|n| n.state != 0 && n.state & NUD_NOARP == 0 && n.family != AF_BRIDGE)
        .map(|n| {
            format!(
                "{} dev {} lladdr {} router {} {}",
                n.dst.unwrap(),
                idx[&n.ifindex],
                n.lladdr.as_deref().map(mac_string).unwrap_or_default(),
                n.flags & NTF_ROUTER != 0,
                nud_names(n.state).join(",")
            )
        })
        .collect();
    let theirs: BTreeSet<String> = ipj("neigh show")
        .arr()
        .iter()
        .map(|t| {
            format!(
                "{} dev {} lladdr {} router {} {}",
                t.str("dst").unwrap(),
                t.str("dev").unwrap(),
                t.str("lladdr").unwrap_or_default(),
                t.has("router"),
                t.strs("state").join(",")
            )
        })
        .collect();
    assert_eq!(ours, theirs);
    ours.len()
}

fn compare_rules(h: &Handle) -> usize {
    let mut n = 0;
    for (fam, flag) in [(AF_INET, "-4"), (AF_INET6, "-6")] {
        let ours: Vec<String> = h
            .rule_list(fam)
            .unwrap()
            .iter()
            .map(|r| {
                let mut s = format!("{}", r.priority.unwrap_or(0));
                if r.flags & FIB_RULE_INVERT != 0 {
                    s += " not";
                }
                match r.src {
                    Some(a) => s += &format!(" from {a}/{}", r.src_len),
                    None => s += " from all",
                }
                if let Some(d) = r.dst {
                    s += &format!(" to {d}/{}", r.dst_len);
                }
                if let Some(m) = r.fwmark {
                    s += &format!(" fwmark {m:#x}");
                }
                if let Some(m) = r.fwmask.filter(|&m| m != u32::MAX) {
                    s += &format!(" fwmask {m:#x}");
                }
                if let Some(i) = &r.iifname {
                    s += &format!(" iif {i}");
                }
                if let Some(o) = &r.oifname {
                    s += &format!(" oif {o}");
                }
                match r.action {
                    fr_act::TO_TBL => s += &format!(" lookup {}", table_str(r.table)),
                    fr_act::GOTO => s += &format!(" goto {}", r.goto.unwrap()),
                    a => s += &format!(" {}", action_name(a).unwrap()),
                }
                s
            })
            .collect();
        let theirs: Vec<String> = ipj(&format!("{flag} rule show"))
            .arr()
            .iter()
            .map(|t| {
                let mut s = format!("{}", t.num("priority").unwrap());
                if t.has("not") {
                    s += " not";
                }
                match t.num("srclen") {
                    Some(l) => s += &format!(" from {}/{l}", t.str("src").unwrap()),
                    None => s += " from all",
                }
                if let Some(l) = t.num("dstlen") {
                    s += &format!(" to {}/{l}", t.str("dst").unwrap());
                }
                if let Some(m) = t.str("fwmark") {
                    s += &format!(" fwmark {m}");
                }
                if let Some(m) = t.str("fwmask") {
                    s += &format!(" fwmask {m}");
                }
                if let Some(i) = t.str("iif") {
                    s += &format!(" iif {i}");
                }
                if let Some(o) = t.str("oif") {
                    s += &format!(" oif {o}");
                }
                if let Some(tb) = t.str("table") {
                    s += &format!(" lookup {tb}");
                } else if let Some(g) = t.num("goto") {
                    s += &format!(" goto {g}");
                } else {
                    s += &format!(" {}", t.str("action").unwrap());
                }
                s
            })
            .collect();
        assert_eq!(ours, theirs);
        n += ours.len();
    }
    n
}

fn compare_all(h: &Handle) -> [usize; 5] {
    settle(h);
    [
        compare_links(h),
        compare_addrs(h),
        compare_routes(h),
        compare_neighs(h),
        compare_rules(h),
    ]
}

// --- the tests -------------------------------------------------------------------

#[test]
fn made_by_nlkit_read_by_ip() {
    let counts = in_new_netns(|| {
        no_dad();
        let h = Handle::new().unwrap();
        h.set_link(&LinkRequest::set(1).up()).unwrap();
        h.add_link(&LinkRequest::add("v0").veth("v1").mtu(1400).alias("uplink"))
            .unwrap();
        let v0 = h.index_of("v0").unwrap();
        let v1 = h.index_of("v1").unwrap();
        h.add_alt_name(v1, "the-other-end-of-v0").unwrap();
        h.add_link(&LinkRequest::add("br0").bridge(Bridge {
            stp_state: Some(0),
            priority: Some(8192),
            ..Default::default()
        }))
        .unwrap();
        let br = h.index_of("br0").unwrap();
        h.add_link(&LinkRequest::add("v2").veth("v3")).unwrap();
        let v2 = h.index_of("v2").unwrap();
        h.set_link(&LinkRequest::set(v2).master(br).up()).unwrap();
        for i in [v0, v1, br] {
            h.set_link(&LinkRequest::set(i).up()).unwrap();
        }
        h.add_link(&LinkRequest::add("mv0").macvlan(v0, 4)).unwrap();
        h.add_link(&LinkRequest::add("vx0").vxlan(Vxlan {
            id: Some(7),
            port: Some(4789),
            local: Some(ip("10.9.0.1")),
            remote: Some(ip("10.9.0.2")),
            dev: Some(v0),
            ..Default::default()
        }))
        .unwrap();

        h.exec(
            &AddrRequest::add(v0, pfx("10.9.0.1/24"))
                .broadcast(ip("10.9.0.255"))
                .label("v0:x"),
        )
        .unwrap();
        h.add_addr(v1, pfx("10.8.0.1/24")).unwrap();
        h.exec(&AddrRequest::add(v1, pfx("10.7.0.1/32")).peer(ip("10.7.0.2")))
            .unwrap();
        h.exec(&AddrRequest::add(v0, pfx("fd00::1/64")).flags(IFA_F_NODAD))
            .unwrap();
        h.exec(&AddrRequest::add(v0, pfx("fd00:1::1/64")).lifetimes(300, 0))
            .unwrap();

        h.route(
            &RouteRequest::add(pfx("10.1.0.0/24"))
                .via(ip("10.9.0.2"))
                .table(100)
                .metric(10)
                .mtu(1300),
        )
        .unwrap();
        h.route(
            &RouteRequest::add(pfx("10.2.0.0/24"))
                .dev(v0)
                .prefsrc(ip("10.9.0.1")),
        )
        .unwrap();
        h.route(&RouteRequest::add(pfx("10.3.0.0/24")).kind(rtn::BLACKHOLE))
            .unwrap();
        h.route(
            &RouteRequest::add(pfx("10.4.0.0/24"))
                .kind(rtn::UNREACHABLE)
                .table(5000),
        )
        .unwrap();
        h.route(
            &RouteRequest::add(pfx("default"))
                .via(ip("10.9.0.254"))
                .protocol(rtprot::STATIC),
        )
        .unwrap();
        h.route(&RouteRequest::add(pfx("10.5.0.0/24")).multipath(vec![
            NextHop {
                weight: 1,
                ifindex: v0,
                gateway: Some(ip("10.9.0.2")),
                ..Default::default()
            },
            NextHop {
                weight: 3,
                ifindex: v1,
                gateway: Some(ip("10.8.0.2")),
                ..Default::default()
            },
        ]))
        .unwrap();
        h.route(
            &RouteRequest::add(pfx("fd10::/64"))
                .via(ip("fd00::2"))
                .metric(5),
        )
        .unwrap();

        let mac = [2, 0, 0, 0, 0, 0x42];
        h.add_neigh(v0, ip("10.9.0.5"), &mac).unwrap();
        h.exec(&NeighRequest::add(v0, ip("fd00::5"), &mac).flags(NTF_ROUTER))
            .unwrap();

        h.add_rule(
            &RuleRequest::add(AF_INET)
                .from(pfx("10.0.0.0/8"))
                .to(pfx("192.168.0.0/16"))
                .table(100)
                .priority(1000),
        )
        .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .iif("v0")
                .fwmark(0x10, Some(0xff))
                .table(5000)
                .priority(1001),
        )
        .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .priority(1002)
                .action(fr_act::BLACKHOLE),
        )
        .unwrap();
        h.add_rule(&RuleRequest::add(AF_INET).priority(1003).goto(1005))
            .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .priority(1004)
                .from(pfx("1.2.3.0/24"))
                .oif("v1")
                .invert()
                .action(fr_act::UNREACHABLE),
        )
        .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET6)
                .from(pfx("fd00::/16"))
                .table(200)
                .priority(2000),
        )
        .unwrap();
        compare_all(&h)
    })
    .unwrap();
    eprintln!("compared links, addrs, routes, neighs, rules: {counts:?}");
    assert!(
        counts[0] >= 8 && counts[1] >= 6 && counts[2] >= 12 && counts[3] >= 2 && counts[4] >= 10
    );
}

#[test]
fn made_by_ip_read_by_nlkit() {
    let counts = in_new_netns(|| {
        no_dad();
        sh("ip link set lo up
            ip link add v0 mtu 1400 type veth peer name v1
            ip link set v0 address 02:00:00:00:00:10 alias uplink up
            ip link set v1 up
            ip link property add dev v1 altname the-other-end
            ip link add br0 type bridge stp_state 0 priority 4096
            ip link add v2 type veth peer name v3
            ip link set v2 master br0 up
            ip link set br0 up
            ip link add mv0 link v0 type macvlan mode private
            ip link add vx0 type vxlan id 9 dstport 4790 local 10.9.0.1 group 239.1.1.1 dev v0 ttl 5
            ip tuntap add tp0 mode tun
            ip addr add 10.9.0.1/24 brd + dev v0 label v0:y
            ip addr add 10.8.0.1/24 dev v1
            ip addr add 10.7.0.1 peer 10.7.0.2 dev v1
            ip -6 addr add fd00::1/64 dev v0 nodad
            ip -6 addr add fd00:1::1/64 dev v0 valid_lft 300 preferred_lft 0
            ip route add 10.1.0.0/24 via 10.9.0.2 table 100 metric 10 mtu 1300
            ip route add 10.2.0.0/24 dev v0 src 10.9.0.1
            ip route add blackhole 10.3.0.0/24
            ip route add prohibit 10.4.0.0/24 table 5000
            ip route add default via 10.9.0.254 proto static
            ip route add 10.5.0.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.8.0.2 dev v1 weight 4
            ip nexthop add id 1 via 10.9.0.2 dev v0
            ip route add 10.6.0.0/24 nhid 1
            ip -6 route add fd10::/64 via fd00::2 metric 5
            ip neigh add 10.9.0.5 lladdr 02:00:00:00:00:42 dev v0 nud permanent
            ip -6 neigh add fd00::5 lladdr 02:00:00:00:00:43 dev v0 router nud permanent
            ip rule add from 10.0.0.0/8 to 192.168.0.0/16 lookup 100 prio 1000
            ip rule add iif v0 oif v1 fwmark 0x10/0xff lookup 5000 prio 1001
            ip rule add prio 1002 prohibit
            ip rule add prio 1003 goto 1005
            ip rule add prio 1004 not from 1.2.3.0/24 unreachable
            ip -6 rule add from fd00::/16 lookup 200 prio 2000");
        let h = Handle::new().unwrap();
        // Spot checks of what ip made, beyond the field-by-field comparison.
        let vx = h.link_by_name("vx0").unwrap();
        match vx.info.unwrap().data {
            InfoData::Vxlan(x) => {
                assert_eq!((x.id, x.port, x.ttl), (Some(9), Some(4790), Some(5)));
                assert_eq!(x.remote, Some(ip("239.1.1.1")));
            }
            d => panic!("{d:?}"),
        }
        let r = h
            .route_list(RouteDump {
                family: AF_INET,
                table: RT_TABLE_MAIN,
                ..Default::default()
            })
            .unwrap();
        let mp = r.iter().find(|r| r.dst_prefix() == pfx("10.5.0.0/24")).unwrap();
        assert_eq!(mp.multipath.iter().map(|h| h.weight).collect::<Vec<_>>(), [1, 4]);
        let nh = r.iter().find(|r| r.dst_prefix() == pfx("10.6.0.0/24")).unwrap();
        assert_eq!(nh.nh_id, Some(1));
        assert_eq!(h.nexthop_list().unwrap()[0].gateway, Some(ip("10.9.0.2")));
        compare_all(&h)
    })
    .unwrap();
    eprintln!("compared links, addrs, routes, neighs, rules: {counts:?}");
    assert!(
        counts[0] >= 9 && counts[1] >= 6 && counts[2] >= 12 && counts[3] >= 2 && counts[4] >= 10
    );
}
