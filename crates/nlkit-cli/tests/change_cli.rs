//! `route change` and `neigh change` modify what exists and create nothing,
//! as `ip` does (`NLM_F_REPLACE` without `NLM_F_CREATE`): on a missing
//! object the kernel answers ENOENT and the table stays as it was. Each
//! test in a network namespace of its own.

#[path = "route_common/mod.rs"]
mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::{nl, ok, sh};

fn setup() {
    sh(
        "ip link set lo up && ip link add c0 type veth peer name c1 && ip link set c0 up \
        && ip addr add 10.9.0.1/24 dev c0",
    );
}

#[test]
fn route_change_creates_nothing_and_changes_what_exists() {
    in_new_netns(|| {
        setup();
        let r = nl("route change 10.5.0.0/24 via 10.9.0.2");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("change route 10.5.0.0/24") && r.stderr.contains("ENOENT"),
            "{r:?}"
        );
        assert_eq!(sh("ip route show 10.5.0.0/24"), "", "nothing was created");
        // ip refuses the same way.
        let ip = std::process::Command::new("ip")
            .args(["route", "change", "10.5.0.0/24", "via", "10.9.0.2"])
            .output()
            .unwrap();
        assert!(!ip.status.success());
        sh("ip route add 10.5.0.0/24 via 10.9.0.2");
        ok("route change 10.5.0.0/24 via 10.9.0.3");
        assert!(sh("ip route show 10.5.0.0/24").starts_with("10.5.0.0/24 via 10.9.0.3 dev c0"));
        // replace still creates.
        ok("route replace 10.6.0.0/24 via 10.9.0.2");
        assert!(sh("ip route show 10.6.0.0/24").starts_with("10.6.0.0/24 via 10.9.0.2"));
    })
    .unwrap();
}

#[test]
fn neigh_change_creates_nothing_and_changes_what_exists() {
    in_new_netns(|| {
        setup();
        let r = nl("neigh change 10.9.0.7 lladdr 02:00:00:00:00:07 dev c0");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stderr.contains("ENOENT"), "{r:?}");
        assert_eq!(
            sh("ip neigh show 10.9.0.7 dev c0"),
            "",
            "nothing was created"
        );
        sh("ip neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev c0");
        ok("neigh change 10.9.0.7 lladdr 02:00:00:00:00:08 dev c0");
        assert!(
            sh("ip neigh show 10.9.0.7 dev c0").contains("lladdr 02:00:00:00:00:08"),
            "changed"
        );
        ok("neigh replace 10.9.0.8 lladdr 02:00:00:00:00:09 dev c0");
        assert!(sh("ip neigh show 10.9.0.8 dev c0").contains("02:00:00:00:00:09"));
    })
    .unwrap();
}
