//! `nlkit link|addr|route|neigh|rule` against the real kernel, each test in a
//! fresh network namespace (the binary is spawned from inside it): every
//! object type created, changed, listed and deleted; bad input caught before
//! anything is sent; kernel errors with the kernel's words; a closed stdout.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::Value;
use std::io::Read;
use std::process::{Command, Stdio};

fn veth() {
    ok("link add v0 type veth peer name v1");
    ok("link set v0 up");
    ok("link set v1 up");
    wait_oper_up(&["v0", "v1"]);
}

fn find<'a>(arr: &'a Value, key: &str, val: &str) -> Option<&'a Value> {
    arr.as_array()
        .unwrap()
        .iter()
        .find(|o| o.get(key).and_then(Value::as_str) == Some(val))
}

#[test]
fn links_created_changed_listed_deleted() {
    in_new_netns(|| {
        veth();
        ok("link add br0 address 02:00:00:00:0b:00 type bridge stp_state 0 priority 1000");
        ok("link add vx0 type vxlan id 42 dstport 4789 local 10.9.0.1 remote 10.9.0.2 dev v0");
        ok("link add link v0 name mv0 type macvlan mode bridge");
        ok("link set dev v1 master br0 mtu 1400 alias hello txqlen 500");
        ok("link set v0 address 02:00:00:00:00:01");

        // Text like `ip link`.
        let t = ok("link show v1");
        let first = t.lines().next().unwrap();
        assert!(
            first.starts_with("2: v1@v0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400"),
            "{t}"
        );
        assert!(
            first.contains(" master br0 state UP mode DEFAULT group default qlen 500"),
            "{t}"
        );
        assert!(t.contains("\n    link/ether "), "{t}");
        assert!(t.contains("\n    alias hello"), "{t}");

        // JSON.
        let all = j("link show");
        let v0 = find(&all, "ifname", "v0").unwrap();
        assert_eq!(v0["address"], "02:00:00:00:00:01");
        assert_eq!(v0["link"], "v1");
        assert_eq!(v0["link_type"], "ether");
        assert_eq!(v0["operstate"], "UP");
        let v1 = find(&all, "ifname", "v1").unwrap();
        assert_eq!(v1["master"], "br0");
        assert_eq!(v1["mtu"], 1400);
        assert_eq!(v1["txqlen"], 500);
        assert_eq!(v1["ifalias"], "hello");

        // Details.
        let d = j("-d link show vx0");
        let info = &d[0]["linkinfo"];
        assert_eq!(info["info_kind"], "vxlan");
        assert_eq!(info["info_data"]["id"], 42);
        assert_eq!(info["info_data"]["port"], 4789);
        assert_eq!(info["info_data"]["remote"], "10.9.0.2");
        assert_eq!(info["info_data"]["local"], "10.9.0.1");
        assert_eq!(info["info_data"]["link"], "v0");
        let t = ok("-d link show mv0");
        assert!(t.contains("\n    macvlan mode bridge"), "{t}");
        let d = j("-d link show br0");
        assert_eq!(d[0]["linkinfo"]["info_data"]["priority"], 1000);
        assert_eq!(d[0]["address"], "02:00:00:00:0b:00");
        let d = j("-d link show v1");
        assert_eq!(d[0]["linkinfo"]["info_slave_kind"], "bridge");

        // Filters.
        let names = |v: &Value| -> Vec<String> {
            // `{}`: ip's placeholder for a link the filter leaves out.
            v.as_array()
                .unwrap()
                .iter()
                .filter(|o| o.as_object().is_some_and(|m| !m.is_empty()))
                .map(|o| o["ifname"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&j("link show type veth")), ["v1", "v0"]);
        assert_eq!(names(&j("link show master br0")), ["v1"]);
        assert_eq!(names(&j("link show up")), ["v1", "v0"]);

        // Changes.
        ok("link set v1 nomaster");
        assert!(find(&j("link show"), "ifname", "v1")
            .unwrap()
            .get("master")
            .is_none());
        ok("link set v1 down name v1x");
        let v = j("link show v1x");
        assert_eq!(v[0]["flags"], serde_json::json!(["BROADCAST", "MULTICAST"]));
        assert!(ok("link show v0").contains("M-DOWN"));
        ok("link set v1x arp off promisc on");
        let f = j("link show v1x")[0]["flags"].clone();
        assert!(f.as_array().unwrap().iter().any(|x| x == "NOARP"), "{f}");
        assert!(f.as_array().unwrap().iter().any(|x| x == "PROMISC"), "{f}");

        // Deletes.
        ok("link del vx0");
        ok("link delete dev mv0");
        ok("link del br0");
        ok("link del v0");
        assert_eq!(names(&j("link")), ["lo"]);
    })
    .unwrap();
}

#[test]
fn addresses_created_changed_listed_deleted() {
    in_new_netns(|| {
        no_dad();
        veth();
        ok("addr add 10.9.0.1/24 dev v0 broadcast +");
        ok("addr add 10.9.1.1 peer 10.9.1.2/32 dev v0 label v0:p");
        ok("addr add 10.9.2.1/24 dev v0 scope link valid_lft 300 preferred_lft 200");
        ok("-6 addr add fd00::1/64 dev v0 nodad");
        ok("address add 127.0.0.2/8 dev lo");

        let t = ok("addr show dev v0");
        assert!(t.contains("\n    inet 10.9.0.1/24 brd 10.9.0.255 scope global v0\n       valid_lft forever preferred_lft forever"), "{t}");
        assert!(t.contains("\n    inet 10.9.1.1 peer 10.9.1.2/32 scope global v0:p\n"), "{t}");
        assert!(t.contains("\n    inet 10.9.2.1/24 brd 10.9.2.255 scope link dynamic v0\n       valid_lft 300sec preferred_lft 200sec") || t.contains("inet 10.9.2.1/24 scope link dynamic v0\n       valid_lft 30"), "{t}");
        assert!(t.contains("\n    inet6 fd00::1/64 scope global nodad \n"), "{t}");

        let a = j("addr show v0");
        let info = a[0]["addr_info"].as_array().unwrap();
        let one = info.iter().find(|i| i["local"] == "10.9.0.1").unwrap();
        assert_eq!(one["family"], "inet");
        assert_eq!(one["prefixlen"], 24);
        assert_eq!(one["broadcast"], "10.9.0.255");
        assert_eq!(one["scope"], "global");
        assert_eq!(one["label"], "v0");
        assert_eq!(one["valid_life_time"], 4294967295u32);
        let p = info.iter().find(|i| i["local"] == "10.9.1.1").unwrap();
        assert_eq!(p["address"], "10.9.1.2");
        assert_eq!(p["label"], "v0:p");
        let d = info.iter().find(|i| i["local"] == "10.9.2.1").unwrap();
        assert_eq!(d["dynamic"], true);
        assert_eq!(d["scope"], "link");
        let six = info.iter().find(|i| i["local"] == "fd00::1").unwrap();
        assert_eq!(six["nodad"], true);
        let lo = j("addr show lo");
        let lo_info = lo[0]["addr_info"].as_array().unwrap();
        assert_eq!(lo_info[0]["scope"], "host", "127/8 gets scope host");

        // Families: -4 lists only links with IPv4 addresses, and only those.
        let four = j("-4 addr");
        for l in four.as_array().unwrap() {
            for i in l["addr_info"].as_array().unwrap() {
                assert_eq!(i["family"], "inet");
            }
        }
        assert!(find(&four, "ifname", "v1").is_none(), "v1 has no IPv4 address");
        let six = j("addr show -6");
        assert!(six.as_array().unwrap().iter().all(|l| l["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["family"] == "inet6")));

        // Replace changes the lifetimes of an existing address.
        ok("addr replace 10.9.0.1/24 dev v0 valid_lft 1000 preferred_lft 1000");
        let a = j("addr show v0");
        let one = a[0]["addr_info"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["local"] == "10.9.0.1")
            .unwrap()
            .clone();
        assert!(one["valid_life_time"].as_u64().unwrap() <= 1000, "{one}");

        // Deletes: a bare address matches whatever its length, as in ip.
        ok("addr del 10.9.0.1 dev v0");
        ok("addr del 10.9.1.1 peer 10.9.1.2/32 dev v0");
        ok("addr delete 10.9.2.1/24 dev v0");
        ok("-6 addr del fd00::1/64 dev v0");
        let left: Vec<Value> = j("addr show v0")[0]["addr_info"].as_array().unwrap().clone();
        assert!(left.iter().all(|i| i["scope"] == "link"), "{left:?}");
    })
    .unwrap();
}

#[test]
fn routes_created_changed_listed_deleted() {
    in_new_netns(|| {
        no_dad();
        veth();
        ok("addr add 10.9.0.1/24 dev v0");
        ok("-6 addr add fd00::1/64 dev v0");
        ok("route add 10.1.0.0/24 via 10.9.0.2");
        ok("route add 10.2.0.0/24 via 10.9.0.2 dev v0 table 100 metric 5 proto static mtu 1400 src 10.9.0.1");
        ok("route add 10.3.0.0/24 nexthop via 10.9.0.2 dev v0 weight 2 nexthop via 10.9.0.3 dev v0");
        ok("route add blackhole 10.66.0.0/16");
        ok("route add unreachable 10.67.0.0/16");
        ok("route add prohibit 10.68.0.0/16 metric 7");
        ok("route add local 10.9.0.77 dev v0");
        ok("route add 10.4.0.0/24 dev v0 scope link");
        ok("route add 10.5.0.0/24 via 10.77.0.1 dev v0 onlink");
        ok("route add default via 10.9.0.254");
        ok("route add default via fd00::fe dev v0");
        ok("route add 2001:db8::/32 via fd00::2");

        let t = ok("route show");
        let want = [
            "default via 10.9.0.254 dev v0",
            "10.1.0.0/24 via 10.9.0.2 dev v0",
            // ip ends each piece with a blank.
            "10.3.0.0/24 \n\tnexthop via 10.9.0.2 dev v0 weight 2 \n\tnexthop via 10.9.0.3 dev v0 weight 1",
            "10.4.0.0/24 dev v0 scope link",
            "10.5.0.0/24 via 10.77.0.1 dev v0 onlink",
            "10.9.0.0/24 dev v0 proto kernel scope link src 10.9.0.1",
            "blackhole 10.66.0.0/16",
            "unreachable 10.67.0.0/16",
            "prohibit 10.68.0.0/16 metric 7",
        ];
        for w in want {
            assert!(t.contains(w), "missing {w:?} in\n{t}");
        }
        assert!(!t.contains("10.2.0.0"), "table 100 is not main:\n{t}");
        let t100 = ok("route show table 100");
        assert_eq!(
            t100.trim(),
            "10.2.0.0/24 via 10.9.0.2 dev v0 proto static src 10.9.0.1 metric 5 mtu 1400"
        );
        let local = ok("route show table local");
        assert!(local.contains("\nlocal 10.9.0.77 dev v0 scope host \n"), "{local}");
        let six = ok("-6 route show");
        assert!(six.contains("default via fd00::fe dev v0 metric 1024 pref medium"), "{six}");
        assert!(six.contains("2001:db8::/32 via fd00::2 dev v0 metric 1024 pref medium"), "{six}");

        // JSON and filters.
        let r = j("route show table 100");
        assert_eq!(r[0]["dst"], "10.2.0.0/24");
        assert_eq!(r[0]["gateway"], "10.9.0.2");
        assert_eq!(r[0]["protocol"], "static");
        assert_eq!(r[0]["metric"], 5);
        assert_eq!(r[0]["prefsrc"], "10.9.0.1");
        assert_eq!(r[0]["metrics"][0]["mtu"], 1400);
        assert!(r[0].get("table").is_none(), "filtered by table: no table key");
        let all = j("route show table all");
        let mp = find(&all, "dst", "10.3.0.0/24").unwrap();
        assert_eq!(mp["nexthops"][0]["weight"], 2);
        assert_eq!(mp["nexthops"][1]["gateway"], "10.9.0.3");
        assert_eq!(find(&all, "dst", "10.2.0.0/24").unwrap()["table"], "100");
        assert!(find(&all, "dst", "2001:db8::/32").is_some(), "table all has IPv6");
        let bh = j("route show type blackhole");
        assert_eq!(bh.as_array().unwrap().len(), 1);
        assert_eq!(bh[0]["type"], "blackhole");
        let k = j("route show proto kernel");
        assert_eq!(k[0]["dst"], "10.9.0.0/24");
        let d = j("route show dev v0 table all");
        assert!(d.as_array().unwrap().iter().all(|r| r.get("dev").is_none()));
        assert_eq!(j("route show 10.1.0.0/24").as_array().unwrap().len(), 1);
        assert_eq!(j("route show root 10.0.0.0/8").as_array().unwrap().len(), 8);
        assert_eq!(j("route show match 10.1.0.7").as_array().unwrap().len(), 2);

        // get.
        let g = ok("route get 10.1.0.5");
        assert!(g.starts_with("10.1.0.5 via 10.9.0.2 dev v0 src 10.9.0.1"), "{g}");
        let g = j("route get 10.1.0.5 from 10.9.0.1");
        assert_eq!(g[0]["gateway"], "10.9.0.2");
        assert_eq!(g[0]["dev"], "v0");

        // replace, append, del.
        ok("route replace 10.1.0.0/24 via 10.9.0.3 metric 0");
        assert_eq!(j("route show 10.1.0.0/24")[0]["gateway"], "10.9.0.3");
        ok("route append 10.1.0.0/24 via 10.9.0.4 table 100");
        ok("route del 10.1.0.0/24");
        ok("route del 10.1.0.0/24 table 100");
        ok("route del 10.2.0.0/24 table 100");
        ok("route del blackhole 10.66.0.0/16");
        ok("route delete 10.67.0.0/16");
        ok("route del default");
        ok("-6 route del default");
        assert!(j("route show 10.1.0.0/24").as_array().unwrap().is_empty());
        assert!(j("route show table 100").as_array().unwrap().is_empty());
        assert!(find(&j("route"), "dst", "default").is_none());
    })
    .unwrap();
}

#[test]
fn neighbours_created_changed_listed_deleted() {
    in_new_netns(|| {
        veth();
        ok("addr add 10.9.0.1/24 dev v0");
        ok("neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev v0");
        ok("neighbour add 10.9.0.8 lladdr 02:00:00:00:00:08 dev v0 nud reachable router");
        ok("-6 neigh add fd00::9 lladdr 02:00:00:00:00:09 dev v0 nud stale");
        ok("neigh add 10.9.0.10 lladdr 02:00:00:00:00:0a dev v0 nud noarp");

        let t = ok("neigh show");
        assert!(
            t.contains("10.9.0.7 dev v0 lladdr 02:00:00:00:00:07 PERMANENT"),
            "{t}"
        );
        assert!(
            t.contains("10.9.0.8 dev v0 lladdr 02:00:00:00:00:08 router REACHABLE"),
            "{t}"
        );
        assert!(
            t.contains("fd00::9 dev v0 lladdr 02:00:00:00:00:09 STALE"),
            "{t}"
        );
        assert!(
            !t.contains("10.9.0.10"),
            "NOARP entries are hidden by default:\n{t}"
        );
        assert!(
            ok("neigh show nud all").contains("10.9.0.10 dev v0 lladdr 02:00:00:00:00:0a NOARP")
        );
        assert!(ok("neigh show nud noarp").contains("10.9.0.10"));

        let n = j("neigh show dev v0");
        let e = find(&n, "dst", "10.9.0.8").unwrap();
        assert_eq!(e["lladdr"], "02:00:00:00:00:08");
        assert_eq!(e["state"], serde_json::json!(["REACHABLE"]));
        assert!(e.get("router").is_some_and(Value::is_null));
        assert!(e.get("dev").is_none(), "filtered by dev: no dev key");
        assert_eq!(j("-4 neigh").as_array().unwrap().len(), 2);
        assert_eq!(j("-6 neigh").as_array().unwrap().len(), 1);

        ok("neigh replace 10.9.0.7 lladdr 02:00:00:00:00:77 dev v0 nud stale");
        let n = j("neigh");
        let e = find(&n, "dst", "10.9.0.7").unwrap();
        assert_eq!(e["lladdr"], "02:00:00:00:00:77");
        assert_eq!(e["state"], serde_json::json!(["STALE"]));

        ok("neigh del 10.9.0.7 dev v0");
        ok("neigh delete 10.9.0.8 dev v0");
        ok("neigh del fd00::9 dev v0");
        ok("neigh del 10.9.0.10 dev v0");
        let left = ok("neigh show nud all");
        assert!(!left.contains("02:00:00:00:00"), "{left}");
    })
    .unwrap();
}

#[test]
fn rules_created_listed_deleted() {
    in_new_netns(|| {
        ok("rule add from 10.0.0.0/8 table 100 priority 100");
        ok("rule add fwmark 0x5/0xff prio 200 blackhole");
        ok("rule add iif v9 goto 300 pref 250");
        ok("rule add not to 192.168.0.0/16 oif v8 lookup main prio 260");
        ok("rule add from 10.1.2.3 prohibit prio 270");
        ok("-6 rule add from fd00::/8 table 7 prio 7");
        ok("rule add to fd01::/16 unreachable prio 8");

        let t = ok("rule");
        let want = "0:\tfrom all lookup local\n\
                    100:\tfrom 10.0.0.0/8 lookup 100\n\
                    200:\tfrom all fwmark 0x5/0xff blackhole\n\
                    250:\tfrom all iif v9 [detached] goto 300 [unresolved]\n\
                    260:\tnot from all to 192.168.0.0/16 oif v8 [detached] lookup main\n\
                    270:\tfrom 10.1.2.3 prohibit\n\
                    32766:\tfrom all lookup main\n\
                    32767:\tfrom all lookup default\n";
        assert_eq!(t, want);
        let six = ok("-6 rule show");
        assert!(six.contains("7:\tfrom fd00::/8 lookup 7\n"), "{six}");
        assert!(six.contains("8:\tfrom all to fd01::/16 unreachable\n"), "{six}");

        let r = j("rule");
        let m = r.as_array().unwrap().iter().find(|x| x["priority"] == 200).unwrap();
        assert_eq!(m["fwmark"], "0x5");
        assert_eq!(m["fwmask"], "0xff");
        assert_eq!(m["action"], "blackhole");
        let g = r.as_array().unwrap().iter().find(|x| x["priority"] == 250).unwrap();
        assert_eq!(g["goto"], 300);
        assert_eq!(g["iif"], "v9");
        let f = r.as_array().unwrap().iter().find(|x| x["priority"] == 100).unwrap();
        assert_eq!(f["src"], "10.0.0.0");
        assert_eq!(f["srclen"], 8);
        assert_eq!(f["table"], "100");

        ok("rule del priority 100");
        ok("rule del fwmark 0x5/0xff prio 200 blackhole");
        ok("rule del prio 250");
        ok("rule del prio 260");
        ok("rule del from 10.1.2.3 prio 270");
        ok("-6 rule del prio 7");
        ok("-6 rule del prio 8");
        assert_eq!(
            ok("rule"),
            "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
        );
    })
    .unwrap();
}

/// Grammar errors exit 2 with a message and send nothing; a missing device
/// exits 1 before sending; kernel errors exit 1 with the kernel's words.
#[test]
fn bad_input() {
    in_new_netns(|| {
        veth();
        ok("addr add 10.9.0.1/24 dev v0");
        let usage = [
            ("route add 10.0.0.0/33 dev v0", "route add: \"10.0.0.0/33\" is not a valid prefix"),
            ("route add 10.0.0.1/24 dev v0", "route add: invalid prefix for its length: 10.0.0.1/24 has host bits set"),
            ("route add 10.0.0.0/24 dev v0 bogus 1", "route add: unknown keyword \"bogus\""),
            ("route add 10.0.0.0/24 via", "route add: \"via\" needs a value"),
            ("route add 10.0.0.0/24 via 10.9.0.x", "route add: \"10.9.0.x\" is not a valid IP address"),
            ("route add 10.0.0.0/24 metric x dev v0", "route add: invalid value \"x\" for \"metric\""),
            ("route add", "route add: a destination prefix is needed"),
            ("route frobnicate", "route: unknown command \"frobnicate\""),
            ("addr add 10.0.0.1/24", "addr add: \"dev NAME\" is needed"),
            ("addr add 10.0.0.0/33 dev v0", "addr add: \"10.0.0.0/33\" is not a valid prefix"),
            ("link add v5 type vlan id 5", "link add: type vlan needs \"link PARENT\""),
            ("link add v5", "link add: \"type KIND\" is needed"),
            ("link set v0 mtu", "link set: \"mtu\" needs a value"),
            ("link set v0 arp maybe", "link set: \"arp\" takes on or off"),
            ("neigh add 10.9.0.5 lladdr zz dev v0", "neigh add: \"zz\" is not a valid lladdr"),
            ("neigh add 10.9.0.5 lladdr 02:00:00:00:00:05 dev v0 nud sleepy", "neigh add: unknown state \"sleepy\""),
            ("rule add from 10.0.0.0/8 to fd00::/8", "rule add: \"from\" and \"to\" are not of the same family"),
            ("rule add table 5 blackhole", "rule add: one action only"),
            ("rule add fwmark x", "rule add: invalid fwmark \"x\""),
            ("-6 route add 10.0.0.0/24 dev v0", "route add: 10.0.0.0/24 is not of the family asked for"),
        ];
        for (args, msg) in usage {
            let r = nl(args);
            assert_eq!(r.code, 2, "nlkit {args}: {r:?}");
            assert!(r.stderr.starts_with(&format!("nlkit: {msg}")), "nlkit {args}: {:?}", r.stderr);
            assert_eq!(r.stderr.lines().count(), 1, "one line: {:?}", r.stderr);
            assert_eq!(r.stdout, "");
        }
        // Nothing was sent: no route to 10.0.0.0/24 came into being.
        assert_eq!(j("route show 10.0.0.0/24").as_array().unwrap().len(), 0);

        for args in [
            "link set v9 up",
            "link del v9",
            "link show v9",
            "addr add 10.0.0.1/24 dev v9",
            "addr show dev v9",
            "route add 10.0.0.0/24 dev v9",
            "route add 10.0.0.0/24 nexthop via 10.9.0.2 dev v9",
            "route show dev v9",
            "neigh add 10.9.0.5 lladdr 02:00:00:00:00:05 dev v9",
            "link add link v9 name mv9 type macvlan",
            "link set v0 master v9",
        ] {
            let r = nl(args);
            assert_eq!(r.code, 1, "nlkit {args}: {r:?}");
            assert_eq!(r.stderr, "nlkit: device \"v9\" does not exist\n", "nlkit {args}");
        }

        // Kernel errors: EEXIST with the kernel's message, ENETUNREACH, ESRCH.
        ok("route add 10.1.0.0/24 via 10.9.0.2");
        let r = nl("route add 10.1.0.0/24 via 10.9.0.2");
        assert_eq!(r.code, 1);
        assert_eq!(r.stderr, "nlkit: add route 10.1.0.0/24 via 10.9.0.2: File exists (EEXIST)\n");
        let r = nl("addr add 10.9.0.1/24 dev v0");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: add address 10.9.0.1/24 dev v0: File exists (EEXIST): ipv4: Address already assigned\n"
        );
        let r = nl("link add v0 type veth peer name v1");
        assert_eq!(r.code, 1);
        assert!(r.stderr.starts_with("nlkit: add link v0 type veth peer v1: File exists (EEXIST)"), "{r:?}");
        let r = nl("route add 10.2.0.0/24 via 10.99.0.2");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: add route 10.2.0.0/24 via 10.99.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway\n"
        );
        let r = nl("route del 10.3.0.0/24");
        assert_eq!(r.code, 1);
        assert!(r.stderr.starts_with("nlkit: delete route 10.3.0.0/24: No such process (ESRCH)"), "{r:?}");
        let r = nl("neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev v0");
        assert_eq!(r.code, 0, "{r:?}");
        let r = nl("neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev v0");
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("File exists (EEXIST)"), "{r:?}");
        let r = nl("rule add from 10.0.0.0/8 table 100 prio 100");
        assert_eq!(r.code, 0, "{r:?}");
        let r = nl("rule add from 10.0.0.0/8 table 100 prio 100");
        assert_eq!(r.code, 1);
        assert!(r.stderr.starts_with("nlkit: add rule priority 100 from 10.0.0.0/8 lookup 100: File exists (EEXIST)"), "{r:?}");
    })
    .unwrap();
}

/// `nlkit route show | head -1`: the reader goes away, nlkit exits 0 quietly.
#[test]
fn closed_stdout_exits_zero() {
    in_new_netns(|| {
        veth();
        let mut file = String::new();
        for i in 0..20_000u32 {
            file += &format!("route add 11.{}.{}.0/24 dev v0\n", i >> 8, i & 255);
        }
        let r = nlkit(&["-batch", "-"], Some(file.as_bytes()));
        assert_eq!(r.code, 0, "{:?}", r.stderr);
        for args in [&["route", "show"][..], &["-j", "route", "show"][..]] {
            let mut child = Command::new(bin())
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut out = child.stdout.take().unwrap();
            let mut first = [0u8; 64];
            out.read_exact(&mut first).unwrap();
            drop(out);
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            let st = child.wait().unwrap();
            assert_eq!(st.code(), Some(0), "{args:?}: {err}");
            assert_eq!(err, "", "{args:?}");
        }
    })
    .unwrap();
}

/// `-n NETNS` runs the command in a named namespace (`ip netns add`), and
/// `link set DEV netns NAME` moves a link there.
#[test]
fn named_netns() {
    in_new_netns(|| {
        let name = format!("nlkit-cli-test-{}", std::process::id());
        sh(&format!("ip netns add {name}"));
        struct Del(String);
        impl Drop for Del {
            fn drop(&mut self) {
                let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
            }
        }
        let _guard = Del(name.clone());
        veth();
        ok(&format!("link set v1 netns {name}"));
        assert!(j("link show")
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["ifname"] != "v1"));
        let there = j(&format!("-n {name} link show"));
        let v1 = find(&there, "ifname", "v1").expect("v1 moved");
        assert!(
            v1.get("link_index").is_some(),
            "peer in another netns: {v1}"
        );
        ok(&format!("-n {name} addr add 10.7.0.1/24 dev v1"));
        ok(&format!("--netns {name} link set v1 up"));
        let a = j(&format!("-n {name} addr show v1"));
        assert_eq!(a[0]["addr_info"][0]["local"], "10.7.0.1");
        let r = nl(&format!("-n {name} link show v0"));
        assert_eq!(r.stderr, "nlkit: device \"v0\" does not exist\n");
        let r = nl("-n no-such-netns-here link show");
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("no-such-netns-here"), "{r:?}");
    })
    .unwrap();
}
