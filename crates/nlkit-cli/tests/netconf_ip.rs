//! `nlkit netconf show [dev D]` against `ip netconf` 6.1, in a network
//! namespace of the test's own with settings changed from the defaults
//! (forwarding, rp_filter strict and loose, proxy_arp, proxy_ndp,
//! ignore_routes_with_linkdown): text byte for byte and `-j` with key
//! order, the dump of every family, of one, and the one-device get.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

#[test]
fn netconf_show_as_ip() {
    in_new_netns(|| {
        sh("ip link set lo up; ip link add v0 type veth peer name v1; \
            sysctl -qw net.ipv4.conf.v0.forwarding=1 net.ipv4.conf.v0.rp_filter=2 \
              net.ipv4.conf.v1.rp_filter=1 net.ipv4.conf.v0.proxy_arp=1 \
              net.ipv6.conf.v1.proxy_ndp=1 net.ipv6.conf.v0.forwarding=1 \
              net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
              net.ipv4.conf.default.rp_filter=2");
        let all = sh("ip netconf show");
        assert!(
            all.contains("inet v0 forwarding on rp_filter loose "),
            "{all}"
        );
        assert!(
            all.contains("inet6 v1 forwarding off mc_forwarding off proxy_neigh on "),
            "{all}"
        );
        for c in [
            "netconf show",
            "netconf",
            "netconf list",
            "netconf lst",
            "netconf show dev v0",
            "netconf show dev lo",
            "-4 netconf",
            "-6 netconf show",
            "-0 netconf",
            "-4 netconf show dev v0",
            "-6 netconf show dev v1",
        ] {
            assert_eq!(ok(c), sh(&format!("ip {c}")), "nlkit {c}");
            // ip 6.1 prints text for `-j` with a family and a device (one
            // get, no JSON context: docs/json.md); compare those with the
            // dump's JSON for the device instead.
            let get = c.contains(" dev ") && c.starts_with("-");
            let theirs = if get {
                let fam = c.split(' ').next().unwrap();
                let dev = c.rsplit(' ').next().unwrap();
                sh(&format!("ip -j {fam} netconf show"))
                    .trim()
                    .to_string()
                    .replace("},{", "}\n{")
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .lines()
                    .filter(|l| l.contains(&format!("\"interface\":\"{dev}\"")))
                    .map(|l| format!("[{l}]\n"))
                    .collect::<String>()
            } else {
                sh(&format!("ip -j {c}"))
            };
            assert_eq!(ok(&format!("-j {c}")), theirs, "nlkit -j {c}");
        }
        // Errors: ip's words, nlkit's exit codes.
        let r = nl("netconf show dev nope");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stderr.contains("\"nope\" does not exist"), "{r:?}");
        let r = nl("netconf bogus");
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.contains("Command \"bogus\" is unknown"), "{r:?}");
        // ip ignores words it does not know here; nlkit refuses them.
        let r = nl("netconf show dev v0 extra");
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stdout.is_empty(), "{r:?}");
        // -batch reads the same grammar.
        let b = nlkit(&["-batch", "-"], Some(b"netconf show dev v1\n"));
        assert_eq!(b.stdout, sh("ip netconf show dev v1"), "{b:?}");
    })
    .unwrap();
}
