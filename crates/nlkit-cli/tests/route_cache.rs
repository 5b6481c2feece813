//! The route cache (exceptions) as `ip` 6.1 shows it: `route get` of a
//! destination with a learnt path MTU (`cache expires 599sec mtu 1300`),
//! and `route show cached` / `cloned` / `table cache`, IPv4 and IPv6, text
//! byte for byte and `-j` with key order, against the installed `ip`.
//!
//! The exceptions are real: this test's netns sends 1400-byte datagrams
//! through a router netns whose way on has an MTU of 1300; the router's
//! "fragmentation needed" / "packet too big" make them. Only the seconds
//! left (`expires`) and the age are masked: they tick between the two runs.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::net::UdpSocket;

/// Deletes the router netns however the test ends.
struct Router(String);

impl Drop for Router {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.0])
            .status();
    }
}

/// `expires 598sec` / `"expires":598` (and `age`) with the number masked.
fn mask(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = ["expires", "age"]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| (i, k.len())))
        .min()
        .map(|(i, n)| i + n)
    {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let sep = rest.len() - rest.trim_start_matches([' ', '"', ':']).len();
        out.push_str(&rest[..sep]);
        rest = &rest[sep..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('N');
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn masking_touches_only_the_times() {
    assert_eq!(
        mask("cache expires 598sec users 1 age 12sec mtu 1300 "),
        "cache expires Nsec users 1 age Nsec mtu 1300 "
    );
    assert_eq!(
        mask(r#"{"expires":598,"users":2,"age":0,"metrics":[{"mtu":1300}]}"#),
        r#"{"expires":N,"users":2,"age":N,"metrics":[{"mtu":1300}]}"#
    );
}

#[test]
fn route_cache_as_ip_shows_it() {
    in_new_netns(|| {
        let router = Router(format!("nlkit-rcache-{}", std::process::id()));
        let r = &router.0;
        sh(&format!(
            "ip netns add {r}; ip link set lo up; \
             ip link add v0 type veth peer name v1 netns {r}; ip link set v0 up; \
             ip addr add 10.9.0.1/24 dev v0; ip -6 addr add fd09::1/64 dev v0 nodad; \
             ip -n {r} link set v1 up; ip -n {r} addr add 10.9.0.254/24 dev v1; \
             ip -n {r} -6 addr add fd09::fe/64 dev v1 nodad; \
             ip -n {r} link add d0 mtu 1300 type veth peer name d1 mtu 1300; \
             ip -n {r} link set d0 up; ip -n {r} link set d1 up; \
             ip -n {r} route add 10.1.0.0/24 dev d0; ip -n {r} -6 route add fd01::/64 dev d0; \
             ip netns exec {r} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; \
             ip route add 10.1.0.0/24 via 10.9.0.254; ip -6 route add fd01::/64 via fd09::fe; \
             ip neigh replace 10.9.0.254 lladdr $(ip -n {r} -br link show v1 | awk '{{print $3}}') dev v0; \
             ip -6 neigh replace fd09::fe lladdr $(ip -n {r} -br link show v1 | awk '{{print $3}}') dev v0"
        ));
        // Datagrams too big for the router's way on (DF is set: the
        // default path MTU discovery of UDP sockets).
        let big = [0u8; 1400];
        for (from, to) in [("10.9.0.1:0", "10.1.0.5:9"), ("[fd09::1]:0", "[fd01::5]:9")] {
            let s = UdpSocket::bind(from).unwrap();
            // The first may go before the neighbour is confirmed; send a few.
            for _ in 0..3 {
                let _ = s.send_to(&big, to);
            }
        }
        // The ICMP errors come back asynchronously: wait until ip sees both.
        for _ in 0..100 {
            let v4 = sh("ip route show cached");
            let v6 = sh("ip -6 route show cached");
            if v4.contains("mtu 1300") && v6.contains("mtu 1300") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let v4 = sh("ip route get 10.1.0.5");
        assert!(v4.contains("cache expires") && v4.contains("mtu 1300"), "{v4}");
        let v6 = sh("ip -6 route show cached");
        assert!(v6.contains("fd01::5") && v6.contains("mtu 1300"), "{v6}");
        for c in [
            "route get 10.1.0.5",
            "-d route get 10.1.0.5",
            "-s route get 10.1.0.5",
            "route get 10.1.0.5 mark 0x10",
            "route get 10.9.0.1",
            "-6 route get fd01::5",
            "-s -6 route get fd01::5",
            "route show cached",
            "route show cloned",
            "route show cache",
            "route show table cache",
            "-s route show cached",
            "-d route show cached",
            "-6 route show cached",
            "-6 route show table cache",
            "-d -6 route show cached",
            "-o route show cached",
            "route show table all cached",
            "route show",
            "-6 route show",
        ] {
            for json in ["", "-j "] {
                let theirs = mask(&sh(&format!("ip {json}{c}")));
                let mine = mask(&ok(&format!("{json}{c}")));
                assert_eq!(mine, theirs, "nlkit {json}{c}");
            }
        }
        // ip flushes the cache through /proc; nlkit refuses rather than
        // flushing the routes themselves.
        let f = nl("route flush cache");
        assert_eq!(f.code, 2, "{f:?}");
        assert!(f.stderr.contains("not supported"), "{f:?}");
        assert!(sh("ip route show").contains("10.1.0.0/24"));
    })
    .unwrap();
}
