//! `-r` / `-resolve` against `ip -r` 6.1: host names where ip prints them
//! (route destinations and sources of host length, gateways, `via inet6`
//! hosts, multipath hops; address local, peer and broadcast; neighbours;
//! nexthop gateways), text byte for byte and `-j` with key order.
//!
//! Both tools run in this test's netns and in a mount namespace of their
//! own whose `/etc/hosts` is a file of the test's, bind-mounted (the host's
//! `/etc` is not touched). Addresses the file does not name stay addresses
//! (DNS is unreachable from the netns: it fails at once).

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

const HOSTS: &str = "\
127.0.0.1 localhost
10.9.0.254 gw.example
10.9.0.1 me.example
10.9.0.255 bcast.example
10.1.0.5 host5.example
fd09::fe gw6.example
fd01::5 host6.example
";

/// `TOOL ARGS` with `hosts` bind-mounted on `/etc/hosts`; stdout (must succeed).
fn with_hosts(hosts: &std::path::Path, tool: &str, args: &str) -> String {
    let mount = format!("mount --bind {} /etc/hosts", hosts.display());
    let (out, err, code) = with_mounts(&mount, tool, args);
    assert_eq!(code, 0, "{tool} {args}: {err}");
    out
}

#[test]
fn host_names_as_ip_resolves_them() {
    let dir = std::env::temp_dir().join(format!("nlkit-resolve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, HOSTS).unwrap();
    let file = hosts.clone();
    in_new_netns(move || {
        let hosts = file;
        sh("ip link set lo up; ip link add v0 type veth peer name v1; \
            ip link set v0 up; ip link set v1 up; \
            ip addr add 10.9.0.1/24 brd + dev v0; \
            ip addr add 10.9.0.1/32 peer 10.9.0.254 dev v1; \
            ip -6 addr add fd09::1/64 dev v0 nodad; \
            ip route add 10.1.0.0/24 via 10.9.0.254; \
            ip route add 10.1.0.5 via 10.9.0.254 src 10.9.0.1; \
            ip route add 10.2.0.0/24 nexthop via 10.9.0.254 dev v0 nexthop via 10.9.0.1 dev v1; \
            ip route add 10.3.0.0/24 via inet6 fd09::fe dev v0; \
            ip -6 route add fd01::/64 via fd09::fe; \
            ip -6 route add fd01::5/128 via fd09::fe; \
            ip neigh add 10.9.0.254 lladdr 02:00:00:00:00:01 dev v0; \
            ip -6 neigh add fd09::fe lladdr 02:00:00:00:00:02 dev v0; \
            ip nexthop add id 1 via 10.9.0.254 dev v0; \
            ip nexthop add id 2 via fd09::fe dev v0");
        let nl = bin();
        let mine = with_hosts(&hosts, nl, "-r route");
        assert!(
            mine.contains("host5.example via gw.example dev v1 src 10.9.0.1 "),
            "names, and src left as an address (as ip): {mine}"
        );
        assert!(mine.contains("10.1.0.0/24 via gw.example "), "{mine}");
        // Without -r: addresses, with the same hosts file.
        assert!(!with_hosts(&hosts, nl, "route").contains("example"));
        for c in [
            "route",
            "route show table all",
            "-d route",
            "-6 route",
            "route get 10.1.0.5",
            "-6 route get fd01::5",
            "addr",
            "-br addr",
            "addr show dev v1",
            "neigh",
            "-6 neigh",
            "nexthop",
            "rule",
        ] {
            for json in ["", "-j "] {
                let args = format!("-r {json}{c}");
                assert_eq!(
                    with_hosts(&hosts, nl, &args),
                    with_hosts(&hosts, "ip", &args),
                    "nlkit {args}"
                );
            }
        }
        // ip's spelling, and -batch.
        assert_eq!(
            with_hosts(&hosts, nl, "-resolve neigh"),
            with_hosts(&hosts, "ip", "-r neigh")
        );
    })
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
