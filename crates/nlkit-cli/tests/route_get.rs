//! `RTM_GETROUTE` for one destination (`ip route get`), IPv4 and IPv6, in a
//! network namespace of the test's own, compared with what `ip -j route get`
//! reports for the same lookups: the table, the device, the preferred source.
//! (IPv6 lookups once failed with "ipv6: Invalid flags for get route
//! request": the kernel's strict check refuses `RTM_F_LOOKUP_TABLE` there.)

use nlkit::route::{Handle, RouteGet};
use nlkit::socket::netns::in_new_netns;
use nlkit::{Connection, Protocol};
use serde_json::Value;
use std::net::IpAddr;
use std::process::Command;

fn sh(cmd: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ip_get(dst: &str) -> Value {
    let v: Value = serde_json::from_str(&sh(&format!("ip -j route get {dst}"))).unwrap();
    v[0].clone()
}

#[test]
fn ipv4_and_ipv6_lookups_agree_with_ip() {
    in_new_netns(|| {
        sh("ip link set lo up; ip link add g0 type veth peer name g1; \
            ip link set g0 up; ip link set g1 up; \
            ip addr add 10.7.0.1/24 dev g0; \
            ip -6 addr add 2001:db8:7::1/64 dev g0 nodad; \
            ip route add 10.8.0.0/24 via 10.7.0.2 table 300; \
            ip rule add to 10.8.0.0/24 table 300 pref 100; \
            ip -6 route add 2001:db8:8::/64 via 2001:db8:7::2 dev g0 table 301; \
            ip -6 rule add to 2001:db8:8::/64 table 301 pref 100");
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let h = Handle::with(&conn);
        let g0 = h.index_of("g0").unwrap();
        for (dst, table) in [
            ("10.8.0.9", 300),
            ("10.7.0.5", 254),
            ("127.0.0.1", 255),
            ("2001:db8:8::9", 301),
            ("2001:db8:7::5", 254),
            ("::1", 255),
        ] {
            let addr: IpAddr = dst.parse().unwrap();
            let r = h
                .route_get_with(&RouteGet::new(addr))
                .unwrap_or_else(|e| panic!("get {dst}: {e}"));
            let theirs = ip_get(dst);
            assert_eq!(r.dst, Some(addr), "{dst}");
            assert_eq!(r.table, table, "{dst}: table, ip says {theirs}");
            let want_table = match table {
                254 => "main".to_string(),
                255 => "local".to_string(),
                t => t.to_string(),
            };
            // ip prints the table only when it is not main.
            if table != 254 {
                assert_eq!(theirs["table"], want_table.as_str(), "{dst}: {theirs}");
            }
            let dev = theirs["dev"].as_str().unwrap();
            assert_eq!(r.oif, Some(h.index_of(dev).unwrap()), "{dst}: dev {dev}");
            if !dst.starts_with("127.") && dst != "::1" {
                assert_eq!(r.oif, Some(g0), "{dst}");
            }
            if let Some(src) = theirs["prefsrc"].as_str() {
                assert_eq!(r.prefsrc, Some(src.parse().unwrap()), "{dst}: {theirs}");
            }
            if let Some(gw) = theirs["gateway"].as_str() {
                assert_eq!(r.gateway, Some(gw.parse().unwrap()), "{dst}: {theirs}");
            }
        }
        // fibmatch: the FIB entry itself, for both families.
        for (dst, prefix) in [("10.8.0.9", "10.8.0.0"), ("2001:db8:8::9", "2001:db8:8::")] {
            let mut g = RouteGet::new(dst.parse().unwrap());
            g.fib_match = true;
            let r = h
                .route_get_with(&g)
                .unwrap_or_else(|e| panic!("fibmatch {dst}: {e}"));
            assert_eq!(r.dst, Some(prefix.parse().unwrap()), "fibmatch {dst}");
        }
    })
    .unwrap();
}
