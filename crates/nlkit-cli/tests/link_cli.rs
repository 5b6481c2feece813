//! `nlkit link add/set/show` against the real kernel, each test in a fresh
//! netns, read back with iproute2: the peer's settings go to the peer, bad
//! input is refused as ip refuses it (and changes nothing), the keywords ip
//! has do what ip's do.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::Value;

/// `ip -j -d link show DEV`, the one object.
fn link(dev: &str) -> Value {
    ipj(&format!("-d link show {dev}"))[0].clone()
}

/// Runs `nlkit ARGS`, which must fail; returns its stderr.
fn refused(args: &str) -> String {
    let r = nl(args);
    assert_ne!(r.code, 0, "nlkit {args} succeeded: {r:?}");
    assert_eq!(r.stdout, "", "nlkit {args}");
    r.stderr
}

#[test]
fn veth_peer_settings_go_to_the_peer() {
    in_new_netns(|| {
        ok("link add x1 type veth peer name x2 mtu 1400 address 02:00:00:00:00:09 txqueuelen 77");
        let (a, b) = (link("x1"), link("x2"));
        assert_eq!(b["mtu"], 1400, "{b}");
        assert_eq!(b["address"], "02:00:00:00:00:09", "{b}");
        assert_eq!(b["txqlen"], 77, "{b}");
        assert_eq!(a["mtu"], 1500, "{a}");
        assert_ne!(a["address"], "02:00:00:00:00:09", "{a}");
        assert_eq!(a["txqlen"], 1000, "{a}");
        // Before `type`, the settings are the link's own; `peer` without `name`.
        ok("link add y1 mtu 1300 numtxqueues 3 type veth peer y2 numrxqueues 2");
        let (a, b) = (link("y1"), link("y2"));
        assert_eq!(
            (a["mtu"].clone(), b["mtu"].clone()),
            (1300.into(), 1500.into())
        );
        assert_eq!(a["num_tx_queues"], 3, "{a}");
        assert_eq!(b["num_rx_queues"], 2, "{b}");
        // The peer's tx queues stay the default (x2's).
        assert_eq!(b["num_tx_queues"], link("x2")["num_tx_queues"], "{b}");
    })
    .unwrap();
}

#[test]
fn bad_names_addresses_and_repeats_are_refused_and_change_nothing() {
    in_new_netns(|| {
        ok("link add x1 address 02:00:00:00:00:01 mtu 1450 type veth peer name x2");
        let before = link("x1");
        for (args, says) in [
            ("link set x1 name \"\"", "\"name\" not a valid ifname"),
            (
                "link set x1 name abcdefghijklmnop",
                "\"name\" not a valid ifname",
            ),
            ("link set x1 name a/b", "\"name\" not a valid ifname"),
            (
                "link set x1 address 02:00:00:00:00:00:07",
                "invalid address length 7 - must be 6 bytes",
            ),
            (
                "link set x1 mtu 1400 mtu 1500",
                "duplicate \"mtu\": \"1500\" is the second value",
            ),
            (
                "link set x1 txqlen 1 txqueuelen 2",
                "duplicate \"txqueuelen\"",
            ),
            ("link set x1 group 1 group 2", "duplicate \"group\""),
            ("link set x1 name y name z", "duplicate \"name\""),
            ("link set x1 group bogus", "Invalid \"group\" value"),
            (
                "link set x1 addrgenmode bogus",
                "Invalid address generation mode",
            ),
            ("link set x1 state bogus", "Invalid operstate"),
        ] {
            // The empty name, as a shell would pass it.
            let r = if args.contains("\"\"") {
                nlkit(&["link", "set", "x1", "name", ""], None)
            } else {
                nl(args)
            };
            assert_ne!(r.code, 0, "{args}: {r:?}");
            assert!(r.stderr.contains(says), "{args}: {:?}", r.stderr);
        }
        assert_eq!(link("x1"), before);
        for (args, says) in [
            (
                "link add z1 address 02:00:00:00:00:00:07 type veth",
                "invalid address length 7",
            ),
            (
                "link add z1 type veth peer name z2 address 02:00:00:00:00",
                "invalid address length 5",
            ),
            (
                "link add z1 mtu 1400 mtu 1300 type veth",
                "duplicate \"mtu\"",
            ),
            (
                "link add z1 type veth peer name z2 numtxqueues 3 numtxqueues 4",
                "duplicate \"numtxqueues\"",
            ),
            ("link add name z1 name z2 type veth", "duplicate \"name\""),
        ] {
            let e = refused(args);
            assert!(e.contains(says), "{args}: {e:?}");
        }
        assert!(
            ipj("link show").as_array().unwrap().len() == 3,
            "nothing made"
        );
        // In a batch too (the device's address length is asked there as well).
        let r = nlkit(
            &["-batch", "-"],
            Some(b"link set x1 address 02:00:00:00:00:00:07\n"),
        );
        assert_ne!(r.code, 0, "{r:?}");
        assert!(r.stderr.contains("invalid address length 7"), "{r:?}");
        assert_eq!(link("x1"), before);
    })
    .unwrap();
}

#[test]
fn group_queues_gso_state_addrgenmode_and_port_settings() {
    in_new_netns(|| {
        no_dad();
        ok("link add q0 numtxqueues 4 numrxqueues 2 gso_max_size 32000 gso_max_segs 100 group 7 type veth peer name q1");
        let a = link("q0");
        assert_eq!(a["num_tx_queues"], 4, "{a}");
        assert_eq!(a["num_rx_queues"], 2, "{a}");
        assert_eq!(a["gso_max_size"], 32000, "{a}");
        assert_eq!(a["gso_max_segs"], 100, "{a}");
        assert_eq!(a["group"], "7", "{a}");
        ok("link set q1 group 5 addrgenmode none mode dormant");
        let b = link("q1");
        assert_eq!(b["group"], "5", "{b}");
        assert_eq!(b["inet6_addr_gen_mode"], "none", "{b}");
        assert_eq!(b["linkmode"], "DORMANT", "{b}");
        // With addrgenmode none, no link-local address comes when it goes up.
        ok("link set q0 up");
        ok("link set q1 up");
        wait_oper_up(&["q0"]);
        let addrs = ipj("-6 addr show dev q1");
        assert!(
            addrs[0]["addr_info"].as_array().is_none_or(|a| a.is_empty()),
            "{addrs}"
        );
        // A bridge port's settings.
        ok("link add br0 type bridge group_fwd_mask 0x8");
        ok("link set q0 master br0");
        ok("link set q0 type bridge_slave cost 10 priority 5 learning off guard on hairpin on");
        let p = link("q0");
        let sd = &p["linkinfo"]["info_slave_data"];
        assert_eq!(sd["cost"], 10, "{p}");
        assert_eq!(sd["priority"], 5, "{p}");
        assert_eq!(sd["learning"], false, "{p}");
        assert_eq!(sd["guard"], true, "{p}");
        assert_eq!(sd["hairpin"], true, "{p}");
        assert_eq!(
            link("br0")["linkinfo"]["info_data"]["group_fwd_mask"],
            "0x8"
        );
        // The show filters, as ip prints them.
        for args in [
            "link show group 5",
            "link show group 7",
            "link show group default",
            "link show nomaster",
            "link show type bridge_slave",
            "-br link show type bridge_slave",
            "-br link show nomaster",
        ] {
            assert_eq!(ok(args), sh(&format!("ip {args}")), "{args}");
        }
        assert!(ok("-br link show type bridge_slave").starts_with("q0@q1 "));
    })
    .unwrap();
}

#[test]
fn netns_on_add_and_for_the_peer() {
    // A process in a netns of its own stands for that netns (by pid); it
    // is ended by its id at the end.
    let mut child = std::process::Command::new("unshare")
        .args(["-n", "sleep", "60"])
        .spawn()
        .expect("unshare");
    let pid = child.id();
    let inside = move |cmd: &str| sh(&format!("nsenter -t {pid} -n {cmd}"));
    // Wait until the child has entered its netns.
    let here = std::fs::read_link("/proc/self/ns/net").unwrap();
    while std::fs::read_link(format!("/proc/{pid}/ns/net")).ok() == Some(here.clone()) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let r = in_new_netns(move || {
        ok(&format!(
            "link add n0 type veth peer name n1 netns {pid} mtu 1400"
        ));
        ok(&format!("link add m0 netns {pid} type veth peer name m1"));
        let here = ipj("link show");
        let names: Vec<&str> = here
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["ifname"].as_str())
            .collect();
        assert_eq!(names, ["lo", "n0", "m1"], "{here}");
        let there = inside("ip -j link show n1");
        let v: Value = serde_json::from_str(&there).unwrap();
        assert_eq!(v[0]["mtu"], 1400, "{v}");
        inside("ip link show m0");
        // The peer is in another netns: ip and nlkit say so alike.
        for args in ["link show n0", "-d link show n0", "-br link show n0"] {
            assert_eq!(ok(args), sh(&format!("ip {args}")), "{args}");
        }
    });
    let _ = child.kill();
    let _ = child.wait();
    r.unwrap();
}

/// Deletes the named netns when dropped (the test made it).
struct NamedNetns(String);

impl Drop for NamedNetns {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.0])
            .status();
    }
}

#[test]
fn a_peer_in_a_named_netns_is_shown_by_name() {
    let name = format!("nlkit-link-test-{}", std::process::id());
    let r = in_new_netns(move || {
        sh(&format!("ip netns add {name}"));
        let _guard = NamedNetns(name.clone());
        ok("link add n0 type veth peer name n1");
        // Moved by name (nlkit opens /run/netns/NAME).
        ok(&format!("link set n1 netns {name}"));
        let text = ok("link show n0");
        assert!(text.contains(&format!(" link-netns {name}")), "{text}");
        for args in ["link show n0", "-d link show n0", "addr show n0"] {
            assert_eq!(ok(args), sh(&format!("ip {args}")), "{args}");
        }
        // JSON keeps the id, as ip's does.
        assert_eq!(j("link show n0"), ipj("link show n0"));
    });
    r.unwrap();
}

/// Filters as ip 6.1 applies them, with its `{}` for each link a filter
/// leaves out in JSON: a device asked for by name that is down (`up`) or
/// of another kind is `[{}]`; `nomaster` filters the kernel's dump only (a
/// port asked for by name is shown); `-d addr` has no `addrgenmode` (only
/// `-d link` has), but the alias.
#[test]
fn filters_and_details_as_ip() {
    in_new_netns(|| {
        sh("ip link add f0 address 02:00:00:00:00:21 type veth peer name f1 address 02:00:00:00:00:22");
        sh("ip link add fb0 address 02:00:00:00:00:23 type bridge");
        sh("ip link set f1 master fb0");
        sh("ip link set f0 alias up-link group 3");
        sh("ip link set f0 up");
        sh("ip link set f1 up");
        wait_oper_up(&["f0", "f1"]);
        for args in [
            "link show dev fb0 up",
            "link show dev f0 up",
            "link show dev f0 type bridge",
            "link show dev f0 master fb0",
            "link show dev f1 master fb0",
            "link show dev f1 nomaster",
            "link show nomaster",
            "link show group 3",
            "-br link show up",
            "-br link show type bridge_slave",
            "-d link show dev f0",
            "-d addr show dev f0",
            "-d -4 addr show dev f0",
        ] {
            assert_eq!(ok(args), sh(&format!("ip {args}")), "{args}");
            assert_eq!(
                j(args).to_string(),
                ipj(args).to_string(),
                "-j {args}, key order too"
            );
        }
        // Byte for byte (a parsed value would hide it): ip's JSON writes a
        // port's timers with two decimals, `"hold_timer":0.00`.
        let port = ok("-j -d link show dev f1");
        assert!(port.contains(r#""hold_timer":0.00,"#), "{port}");
        assert_eq!(port, sh("ip -j -d link show dev f1"));
        assert_eq!(j("link show dev f0 type bridge").to_string(), "[{}]");
        let d = j("-d addr show dev f0");
        assert!(d[0].get("inet6_addr_gen_mode").is_none(), "{d}");
        assert_eq!(d[0]["ifalias"], "up-link", "{d}");
        assert_eq!(j("-d link show dev f0")[0]["inet6_addr_gen_mode"], "eui64");
    })
    .unwrap();
}
