//! Values the kernel accepts but that are not text: a link name and an alias
//! that are not UTF-8, a rule's interface name likewise. Text shows the raw
//! bytes, as ip does (read here through a lossy UTF-8 conversion: `v\u{fffd}`;
//! `tests/names_bytes.rs` compares the bytes with ip's), JSON escapes them
//! (`caf\xe9`, see `docs/json.md`); none ends a listing: every link, route
//! and rule is printed, and `-j` is one whole JSON array.
//! Each test runs in a fresh network namespace.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::Value;

/// A veth pair whose first end is called `v<0xe9>`, with addresses and up;
/// the peer `p0` has the alias `caf<0xe9>`.
fn odd_links() {
    sh(r#"ip link add "$(printf 'v\351')" type veth peer name p0"#);
    sh(r#"ip link set dev p0 alias "$(printf 'caf\351')""#);
    sh(r#"ip addr add 10.9.0.1/24 dev "$(printf 'v\351')""#);
    sh(r#"ip link set "$(printf 'v\351')" up"#);
    sh("ip link set p0 up");
}

fn by_name<'a>(arr: &'a Value, name: &str) -> &'a Value {
    arr.as_array()
        .unwrap()
        .iter()
        .find(|o| o["ifname"] == name)
        .unwrap_or_else(|| panic!("no {name} in {arr}"))
}

#[test]
fn links_with_names_that_are_not_utf8() {
    in_new_netns(|| {
        odd_links();
        let t = ok("link show");
        assert!(t.contains(": p0@v\u{fffd}: <"), "{t}");
        assert!(t.contains(": v\u{fffd}@p0: <"), "{t}");
        assert!(t.contains("\n    alias caf\u{fffd}"), "{t}");
        // Three links, the one after the odd ones too.
        assert_eq!(t.matches("link/").count(), 3, "{t}");

        let all = j("link show");
        assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
        let p0 = by_name(&all, "p0");
        assert_eq!(p0["ifalias"], "caf\\xe9");
        assert_eq!(p0["link"], "v\\xe9");
        let v = by_name(&all, "v\\xe9");
        assert_eq!(v["link"], "p0");

        // One link by its odd alias' owner, and the brief form.
        let one = j("link show p0");
        assert_eq!(one[0]["ifalias"], "caf\\xe9");
        let addrs = j("addr show");
        assert!(
            addrs
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["ifname"] == "v\\xe9"),
            "{addrs}"
        );
    })
    .unwrap();
}

#[test]
fn routes_and_rules_name_odd_devices() {
    in_new_netns(|| {
        odd_links();
        let t = ok("route show");
        assert!(
            t.contains("10.9.0.0/24 dev v\u{fffd} proto kernel scope link src 10.9.0.1"),
            "{t}"
        );
        let r = j("route show");
        assert_eq!(r[0]["dev"], "v\\xe9", "{r}");

        sh(r#"ip rule add iif "$(printf 'v\351')" table 100 pref 100"#);
        sh("ip rule add iif p0 table 101 pref 101");
        let t = ok("rule show");
        assert!(t.contains("100:\tfrom all iif v\u{fffd} lookup 100"), "{t}");
        // The rule after the odd one is there too.
        assert!(t.contains("101:\tfrom all iif p0 lookup 101"), "{t}");
        let rules = j("rule show");
        let odd = rules
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["priority"] == 100)
            .unwrap_or_else(|| panic!("{rules}"));
        assert_eq!(odd["iif"], "v\\xe9");
    })
    .unwrap();
}
