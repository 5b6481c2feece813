//! Differential tests against the installed iproute2, in fresh network
//! namespaces.
//!
//! One script of commands, valid for both tools, builds links, addresses,
//! routes, neighbours and rules: once with `ip`, once with `nlkit` (one
//! process per line), once with `nlkit -batch`. Then:
//! - what `ip -j` reads back is the same in all three namespaces (objects
//!   made by nlkit, read by iproute2);
//! - in each namespace, `nlkit -j` matches `ip -j` and `nlkit`'s text matches
//!   `ip`'s, trailing blanks aside (objects made by either, read by nlkit).

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::Value;

const SCRIPT: &str = "\
link add v0 address 02:00:00:00:00:01 type veth peer name v1
link set v1 address 02:00:00:00:00:02
link set v0 up
link set v1 up mtu 1400
link add br0 address 02:00:00:00:00:03 type bridge
link set v1 master br0
link add vx0 address 02:00:00:00:00:04 type vxlan id 42 dstport 4789 local 10.9.0.1 remote 10.9.0.2 dev v0
link add link v0 name mv0 address 02:00:00:00:00:05 type macvlan mode bridge
link set v0 alias uplink
addr add 10.9.0.1/24 dev v0 broadcast +
addr add 10.9.1.1 peer 10.9.1.2/32 dev v0
addr add 10.9.2.1/24 dev v0 label v0:x scope link
addr add fd00::1/64 dev v0 nodad
addr add fd00:1::1/64 dev v0 noprefixroute
route add 10.1.0.0/24 via 10.9.0.2
route add 10.2.0.0/24 via 10.9.0.2 table 100 metric 5 mtu 1400 src 10.9.0.1 proto static
route add 10.3.0.0/24 nexthop via 10.9.0.2 dev v0 weight 2 nexthop via 10.9.0.3 dev v0
route add blackhole 10.66.0.0/16
route add unreachable 10.67.0.0/16 metric 3
route add prohibit 10.68.0.0/16 table 100
route add local 10.9.0.77 dev v0
route add 10.4.0.0/24 dev v0 scope link
route add 10.5.0.0/24 via 10.77.0.1 dev v0 onlink
route add default via 10.9.0.254
route add fd02::/64 via fd00::2 metric 10
route add default via fd00::fe dev v0
route append 10.6.0.0/24 via 10.9.0.2 table 100
route replace 10.1.0.0/24 via 10.9.0.3
neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev v0
neigh add 10.9.0.8 lladdr 02:00:00:00:00:08 dev v0 nud permanent router
neigh add fd00::9 lladdr 02:00:00:00:00:09 dev v0 nud noarp
rule add from 10.0.0.0/8 table 100 priority 100
rule add fwmark 0x5/0xff priority 200 blackhole
rule add iif v0 goto 300 priority 250
rule add not to 192.168.0.0/16 lookup main priority 260
-6 rule add from fd00::/8 table 7 priority 7
";

/// What iproute2 reads back, in a fixed form.
fn ip_reads() -> Vec<(String, Value)> {
    [
        "link show",
        "-d link show vx0",
        "-d link show mv0",
        "addr show",
        "route show table all",
        "-6 route show table all",
        "neigh show nud all",
        "rule show",
        "-6 rule show",
    ]
    .iter()
    .map(|a| (a.to_string(), sorted(ipj(a))))
    .collect()
}

/// Neighbour entries may come in any order: sort arrays of objects by their text.
fn sorted(v: Value) -> Value {
    match v {
        Value::Array(mut a) => {
            a.sort_by_key(|x| x.to_string());
            Value::Array(a)
        }
        v => v,
    }
}

/// Keys `nlkit -j -d link` must have whenever `ip -j -d link` has them.
const LINK_KEYS: &[&str] = &[
    "ifindex",
    "ifname",
    "link",
    "flags",
    "mtu",
    "qdisc",
    "master",
    "operstate",
    "linkmode",
    "group",
    "txqlen",
    "link_type",
    "address",
    "broadcast",
    "ifalias",
    "promiscuity",
    "min_mtu",
    "max_mtu",
    "linkinfo",
    "num_tx_queues",
    "num_rx_queues",
];

/// In the current netns: nlkit's reading equals iproute2's.
fn nlkit_reads_like_ip() {
    // JSON, equal.
    for args in [
        "link show",
        "link show v0",
        "addr show",
        "-4 addr show",
        "addr show dev v0",
        "route show",
        "route show table all",
        "route show table 100",
        "route show dev v0",
        "route show proto kernel table all",
        "route show type local table local",
        "-6 route show",
        "-6 route show table all",
        "route get 10.1.0.5",
        "route get 10.2.0.9 from 10.9.0.1 mark 0x5",
        "neigh show",
        "neigh show dev v0",
        "-6 neigh show nud all",
        "rule show",
        "-6 rule show",
        "-br link show",
        "-br link show v0",
        "-br addr show",
        "-br -4 addr show",
        "-br -6 addr show",
        "-br addr show dev v0",
    ] {
        let ours = j(args);
        let theirs = ipj(args);
        if args.starts_with("neigh") || args.starts_with("-6 neigh") {
            assert_eq!(sorted(ours), sorted(theirs), "-j {args}");
        } else {
            assert_eq!(ours, theirs, "-j {args}");
            // And the same text: keys in iproute2's order (serde_json keeps insertion order).
            assert_eq!(ours.to_string(), theirs.to_string(), "-j {args}: key order");
        }
    }
    // `ip -6 addr` dumps links with family AF_INET6, for which the kernel
    // leaves out qdisc, master and group; nlkit shows them: a superset.
    assert_subset(&ipj("-6 addr show"), &j("-6 addr show"), "-6 addr");
    // With details: ours is a subset of iproute2's (it prints more), with the main keys.
    let ours = j("-d link show");
    let theirs = ipj("-d link show");
    for (o, t) in ours
        .as_array()
        .unwrap()
        .iter()
        .zip(theirs.as_array().unwrap())
    {
        assert_subset(o, t, "-d link");
        assert_has_keys(o, t, LINK_KEYS, "-d link");
        if let (Some(oi), Some(ti)) = (o.get("linkinfo"), t.get("linkinfo")) {
            assert_has_keys(
                oi,
                ti,
                &["info_kind", "info_data", "info_slave_kind"],
                "linkinfo",
            );
        }
    }
    assert_eq!(
        ours.as_array().unwrap().len(),
        theirs.as_array().unwrap().len()
    );
    // Text, equal but for trailing blanks.
    for args in [
        "link show",
        "addr show",
        "route show",
        "route show table all",
        "route show table 100",
        "route show dev v0",
        "-6 route show",
        "route get 10.1.0.5",
        "neigh show",
        "rule show",
        "-6 rule show",
        "-br link show",
        "-br link show up",
        "-br addr show",
        "-br -4 addr show",
        "-br -6 addr show",
    ] {
        let ours = ok(args);
        let theirs = sh(&format!("ip {args}"));
        assert_eq!(trimmed(&ours), trimmed(&theirs), "{args}");
    }
}

fn made_by(tool: &'static str) -> Vec<(String, Value)> {
    in_new_netns(move || {
        no_dad();
        match tool {
            "ip" => {
                for l in SCRIPT.lines() {
                    sh(&format!("ip {l}"));
                }
            }
            "nlkit" => {
                for l in SCRIPT.lines() {
                    ok(l);
                }
            }
            _ => {
                let r = nlkit(&["-batch", "-"], Some(SCRIPT.as_bytes()));
                assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
            }
        }
        wait_oper_up(&["v0", "v1"]);
        nlkit_reads_like_ip();
        ip_reads()
    })
    .unwrap()
}

#[test]
fn made_by_ip_read_by_nlkit_and_made_by_nlkit_read_by_ip() {
    let by_ip = made_by("ip");
    let by_nlkit = made_by("nlkit");
    let by_batch = made_by("batch");
    for ((args, a), ((_, b), (_, c))) in by_ip.iter().zip(by_nlkit.iter().zip(&by_batch)) {
        assert_eq!(a, b, "ip -j {args}: made by ip vs made by nlkit");
        assert_eq!(a, c, "ip -j {args}: made by ip vs made by nlkit -batch");
    }
}

/// `-s` / `-s -s`: the counters under each link, in iproute2's layout and
/// JSON. On links that stay down (and a loopback that carries nothing) the
/// counters do not move between the two readings.
#[test]
fn stats_like_ip() {
    in_new_netns(|| {
        no_dad();
        sh("ip link add s0 address 02:00:00:00:00:11 type veth peer name s1");
        sh("ip link add sbr0 type bridge");
        sh("ip link set s1 master sbr0");
        sh("ip link set s0 alias uplink");
        sh("ip link property add dev s0 altname stat0");
        sh("ip addr add 10.8.0.1/24 dev s0");
        sh("ip addr add 10.8.1.1 peer 10.8.1.2/32 dev s0");
        sh("ip addr add fd08::1/64 dev s0 nodad");
        for args in [
            "-s link show",
            "-s -s link show",
            "-s link show s0",
            "-s -s link show dev s0",
            "-s addr show",
            "-s -s addr show s0",
            "-s -4 addr show",
        ] {
            let ours = j(args);
            let theirs = ipj(args);
            assert_eq!(ours.to_string(), theirs.to_string(), "-j {args}");
            let ours = ok(args);
            let theirs = sh(&format!("ip {args}"));
            assert_eq!(trimmed(&ours), trimmed(&theirs), "{args}");
        }
        // The counters are where ip -j -s has them, with its key names.
        let v = j("-s -s link show s0");
        let st = &v[0]["stats64"];
        for k in [
            "bytes",
            "packets",
            "errors",
            "dropped",
            "over_errors",
            "multicast",
        ] {
            assert_eq!(st["rx"][k], 0, "rx.{k}: {v}");
        }
        for k in [
            "bytes",
            "packets",
            "errors",
            "dropped",
            "carrier_errors",
            "collisions",
        ] {
            assert_eq!(st["tx"][k], 0, "tx.{k}: {v}");
        }
        assert!(st["tx"]["carrier_changes"].is_u64(), "{v}");
        // Options after the words, as in `nlkit link show -s` (ip takes none there).
        assert_eq!(ok("link show s0 -s -s"), ok("-s -s link show s0"));
        assert_eq!(ok("addr show -br"), ok("-br addr show"));
        // Without -s, no counters.
        assert!(j("link show s0")[0].get("stats64").is_none());
    })
    .unwrap();
}

const FLUSH_SETUP: &str = "\
link add v0 address 02:00:00:00:00:01 type veth peer name v1
link set v1 address 02:00:00:00:00:02
link set v0 up
link set v1 up
addr add 10.9.0.1/24 dev v0
addr add 10.9.0.5/24 dev v0
addr add 10.8.0.1/24 dev v1
addr add fd00::1/64 dev v0 nodad
addr add fd08::1/64 dev v1 nodad
route add 10.1.0.0/24 via 10.9.0.2
route add 10.2.0.0/24 via 10.9.0.2 proto static
route add 10.3.0.0/24 dev v1
route add blackhole 10.66.0.0/16
route add 10.4.0.0/24 via 10.9.0.2 table 100
route add unreachable 10.5.0.0/24 table 100
route add 10.6.0.0/24 via 10.8.0.2 table 100
route add fd02::/64 via fd00::2
route add fd03::/64 via fd00::2 table 100
";

/// The flushes, each followed by a reading; valid for both tools.
const FLUSHES: &[&str] = &[
    "route flush proto static",
    "route flush type blackhole",
    "route flush dev v1",
    "route flush table 100 dev v0",
    "-6 route flush table 100",
    "route flush table 100",
    "-4 addr flush dev v0",
    "-6 addr flush dev v1",
    "addr flush dev v0",
];

/// Routes (both families, all tables) and addresses, in a fixed form.
fn routes_and_addrs() -> Value {
    serde_json::json!({
        "routes": sorted(ipj("route show table all")),
        "routes6": sorted(ipj("-6 route show table all")),
        "addrs": ipj("addr show"),
    })
}

/// `route flush` and `addr flush` delete what iproute2's delete, no more:
/// the same objects remain after each step whichever tool flushed.
#[test]
fn flush_like_ip() {
    let run = |tool: &'static str| {
        in_new_netns(move || {
            no_dad();
            for l in FLUSH_SETUP.lines() {
                sh(&format!("ip {l}"));
            }
            wait_oper_up(&["v0", "v1"]);
            let mut states = vec![routes_and_addrs()];
            for f in FLUSHES {
                match tool {
                    "ip" => {
                        sh(&format!("ip {f}"));
                    }
                    _ => {
                        assert_eq!(ok(f), "", "{f} prints nothing");
                    }
                }
                states.push(routes_and_addrs());
            }
            states
        })
        .unwrap()
    };
    let by_ip = run("ip");
    let by_nlkit = run("nlkit");
    for (i, (a, b)) in by_ip.iter().zip(&by_nlkit).enumerate() {
        let step = if i == 0 { "setup" } else { FLUSHES[i - 1] };
        assert_eq!(a, b, "after {step}: ip vs nlkit");
    }
    // Each step took something, and left the rest.
    for (i, w) in by_nlkit.windows(2).enumerate() {
        assert_ne!(w[0], w[1], "{} deleted nothing", FLUSHES[i]);
    }
    let dsts = |s: &Value, k: &str| -> Vec<String> {
        s[k].as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["dst"], r.get("table").unwrap_or(&Value::Null)))
            .collect()
    };
    let after_static = dsts(&by_nlkit[1], "routes");
    assert!(
        !after_static.iter().any(|d| d.contains("10.2.0.0")),
        "{after_static:?}"
    );
    assert!(
        after_static.iter().any(|d| d.contains("10.1.0.0")),
        "{after_static:?}"
    );
    let after_dev = dsts(&by_nlkit[3], "routes");
    assert!(
        !after_dev.iter().any(|d| d.contains("10.3.0.0")),
        "{after_dev:?}"
    );
    // `table 100`: its IPv4 routes only, the IPv6 one stays until `-6`.
    assert!(
        after_dev.iter().any(|d| d.contains("10.6.0.0")),
        "{after_dev:?}"
    );
    let last_routes = &by_nlkit[6];
    assert!(!dsts(last_routes, "routes")
        .iter()
        .any(|d| d.contains("\"100\"")));
    assert!(dsts(last_routes, "routes")
        .iter()
        .any(|d| d.contains("10.1.0.0")));
    assert!(dsts(last_routes, "routes6")
        .iter()
        .any(|d| d.contains("fd02::")));
    // `-4 addr flush dev v0` leaves v0's IPv6 addresses and v1's.
    let addrs = &by_nlkit[7]["addrs"];
    let of = |dev: &str, fam: &str| -> usize {
        addrs
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["ifname"] == dev)
            .flat_map(|l| l["addr_info"].as_array().unwrap())
            .filter(|a| a["family"] == fam)
            .count()
    };
    assert_eq!(of("v0", "inet"), 0);
    assert!(of("v0", "inet6") >= 1);
    assert_eq!(of("v1", "inet"), 1);
}

#[test]
fn flush_needs_a_selector() {
    in_new_netns(|| {
        assert_eq!(nl("route flush").code, 2);
        assert_eq!(nl("addr flush").code, 2);
        let r = nl("addr flush dev nosuch");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stderr.contains("\"nosuch\" does not exist"), "{r:?}");
    })
    .unwrap();
}
