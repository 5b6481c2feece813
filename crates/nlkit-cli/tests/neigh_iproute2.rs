//! `nlkit neigh` against the installed iproute2 (6.1) in a fresh network
//! namespace: entries (every settable NUD state, router, proxies) made by
//! `ip` read the same by both tools, text byte for byte (each line's
//! trailing blank included) and `-j`, with the `show` selectors (`PREFIX`,
//! `to`, `dev`, `nud`, `proxy`, `-6`); proxies made by nlkit; what `ip`
//! refuses and what the kernel would truncate, refused.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

fn setup() {
    no_dad();
    sh("ip link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:02");
    sh("ip link set d0 up");
    sh("ip link set d1 up");
}

/// Lines sorted: the kernel lists a neighbour table in hash order, which
/// may differ between two dumps.
fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn read_like_ip() {
    in_new_netns(|| {
        setup();
        for c in [
            "neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev d0",
            "neigh add 10.0.1.8 lladdr 02:00:00:00:00:08 dev d0 nud stale",
            "neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev d0 nud reachable router",
            "neigh add fd00::9 lladdr 02:00:00:00:00:19 dev d0 nud noarp",
            "neigh add 10.0.0.61 dev d0 nud failed",
            "neigh add 10.0.0.62 lladdr 02:00:00:00:00:62 dev d0 nud delay",
            "neigh add 10.0.0.63 lladdr 02:00:00:00:00:63 dev d0 nud probe",
            "neigh add proxy 10.0.0.50 dev d0",
            "neigh add proxy fd00::50 dev d0",
        ] {
            sh(&format!("ip {c}"));
        }
        // Made by nlkit: a proxy, then gone again.
        ok("neigh add proxy 10.0.0.51 dev d1");
        assert!(sh("ip neigh show proxy").contains("10.0.0.51 dev d1 proxy \n"));
        ok("neigh del proxy 10.0.0.51 dev d1");
        assert!(!sh("ip neigh show proxy").contains("10.0.0.51"));
        for args in [
            "neigh show",
            "neigh show 10.0.0.0/24",
            "neigh show to 10.0.0.9",
            "neigh show 10.0.0.0/8 dev d0",
            "neigh show dev d0",
            "neigh show proxy",
            "neigh show nud all",
            "neigh show nud stale",
            "neigh show nud failed nud reachable",
            "-6 neigh show nud all",
            "neigh show fd00::/16 nud all",
        ] {
            let theirs = sh(&format!("ip {args}"));
            assert_eq!(sorted_lines(&ok(args)), sorted_lines(&theirs), "{args}");
            let mut ours: Vec<String> = j(args)
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.to_string())
                .collect();
            let mut ip: Vec<String> = ipj(args)
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.to_string())
                .collect();
            ours.sort();
            ip.sort();
            assert_eq!(ours, ip, "-j {args}");
        }
        assert!(ok("neigh show to 10.0.0.9").ends_with("PERMANENT \n"));
    })
    .unwrap();
}

#[test]
fn refused() {
    in_new_netns(|| {
        setup();
        for args in [
            // ip refuses these.
            "neigh add 10.0.0.4 lladdr 02:00:00:00:00:04 lladdr 02:00:00:00:00:05 dev d0",
            "neigh add 10.0.0.3 10.0.0.4 lladdr 02:00:00:00:00:04 dev d0",
            "neigh add 10.0.0.3 lladdr 02:zz:00:00:00:00 dev d0",
            // The kernel would keep 6 of these 7 bytes (ip lets it).
            "neigh add 10.0.0.3 lladdr 02:00:00:00:00:00:07 dev d0",
            "neigh add 10.0.0.3 lladdr 02:00:00:00:00 dev d0",
        ] {
            let r = nl(args);
            assert_eq!(r.code, 2, "nlkit {args}: {r:?}");
            assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
        }
        let r = nl("neigh add 10.0.0.3 lladdr 02:00:00:00:00:00:07 dev d0");
        assert!(
            r.stderr.starts_with(
                "nlkit: neigh add: lladdr 02:00:00:00:00:00:07 has 7 bytes; d0's addresses have 6"
            ),
            "{r:?}"
        );
        assert_eq!(sh("ip neigh show dev d0"), "", "nothing was added");
    })
    .unwrap();
}
