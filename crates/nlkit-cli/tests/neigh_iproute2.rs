//! `nlkit neigh` against the installed iproute2 (6.1) in fresh network
//! namespaces: entries (every settable NUD state, router, extern_learn,
//! protocols, proxies) read the same by both tools, text byte for byte (each
//! line's trailing blank included) and `-j`, with the `show` selectors
//! (`PREFIX`, `to`, `dev`, `nud`, `proxy`, `-6`), `-s`, and `get`; entries
//! made by nlkit read as made by ip; `flush` with each selector deletes what
//! ip's deletes (and says the same with `-s`); what `ip` refuses and what the
//! kernel would truncate, refused.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

fn setup() {
    no_dad();
    sh("ip link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:02");
    sh("ip link set d0 up");
    sh("ip link set d1 up");
    // In this netns only: `probe` entries hold still for minutes (the kernel
    // would move them on within seconds, between two reads).
    sh("sysctl -qw net.ipv4.neigh.d0.delay_first_probe_time=600 net.ipv4.neigh.d0.retrans_time_ms=600000");
}

/// Lines sorted: the kernel lists a neighbour table in hash order, which
/// may differ between two dumps.
fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// `used 3/3/1` (seconds, which may tick between two reads) as `used A/A/A`.
fn ages_out(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split(" used ").enumerate() {
        if i == 0 {
            out += part;
            continue;
        }
        out += " used ";
        let end = part
            .find(|c: char| !(c.is_ascii_digit() || c == '/'))
            .unwrap_or(part.len());
        out += "A/A/A";
        out += &part[end..];
    }
    out
}

/// The same for JSON: `used`, `confirmed`, `updated` set to 0.
fn json_ages_out(v: &serde_json::Value) -> String {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        for k in ["used", "confirmed", "updated"] {
            if let Some(x) = o.get_mut(k) {
                *x = serde_json::json!(0);
            }
        }
    }
    v.to_string()
}

#[test]
fn read_like_ip() {
    in_new_netns(|| {
        setup();
        for c in SCRIPT {
            sh(&format!("ip {c}"));
        }
        for c in [
            "neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev d0",
            "neigh add 10.0.1.8 lladdr 02:00:00:00:00:08 dev d0 nud stale",
            "neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev d0 nud reachable router",
            "neigh add fd00::9 lladdr 02:00:00:00:00:19 dev d0 nud noarp",
            "neigh add 10.0.0.61 dev d0 nud failed",
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
            "neigh show nud none",
            "neigh show nud all dev d0",
            "-s neigh show",
            "-s neigh show dev d0",
            "-s -s neigh show 10.0.2.0/24",
            "neigh get 10.0.0.9 dev d0",
            "-s neigh get 10.0.2.13 dev d0",
            "neigh get proxy 10.0.0.50 dev d0",
        ] {
            let theirs = sh(&format!("ip {args}"));
            assert_eq!(
                sorted_lines(&ages_out(&ok(args))),
                sorted_lines(&ages_out(&theirs)),
                "{args}"
            );
            let mut ours: Vec<String> = j(args)
                .as_array()
                .unwrap()
                .iter()
                .map(json_ages_out)
                .collect();
            if args.starts_with("-s") && args.contains(" get ") {
                // A get holds a reference while it answers (`ref 1`): the
                // text above matched ip's get; a show has none.
                continue;
            }
            // `ip -j neigh get` prints text (an iproute2 6.1 quirk): the
            // JSON to match is that of `show` for the one entry.
            let ip_args = match args.split_once(" get ") {
                Some((head, rest)) => {
                    let rest = rest.trim_end_matches(" dev d0");
                    match rest.strip_prefix("proxy ") {
                        Some(a) => format!("{head} show proxy to {a}"),
                        None => format!("{head} show to {rest}"),
                    }
                }
                None => args.to_string(),
            };
            let mut ip: Vec<String> = ipj(&ip_args)
                .as_array()
                .unwrap()
                .iter()
                .map(json_ages_out)
                .collect();
            ours.sort();
            ip.sort();
            assert_eq!(ours, ip, "-j {args}");
        }
        assert!(ok("neigh show to 10.0.0.9").ends_with("PERMANENT \n"));
        assert_eq!(
            ages_out(&ok("-s neigh show to 10.0.2.9")),
            "10.0.2.9 dev d0 lladdr 02:00:00:00:01:09  used A/A/Aprobes 0 PERMANENT proto static \n"
        );
    })
    .unwrap();
}

/// More entries, in every state `neigh add` can set but `delay` (the kernel
/// moves it on at once, to `reachable` or `probe`).
const SCRIPT: &[&str] = &[
    "neigh add 10.0.2.9 lladdr 02:00:00:00:01:09 dev d0 proto static",
    "neigh add 10.0.2.10 lladdr 02:00:00:00:01:0a dev d0 nud noarp",
    "neigh add 10.0.2.11 dev d0 nud none",
    "neigh add 10.0.2.12 lladdr 02:00:00:00:01:0c dev d0 extern_learn nud noarp",
    "neigh add 10.0.2.13 lladdr 02:00:00:00:01:0d dev d0 nud stale router",
    "neigh add 10.0.2.14 dev d0 nud failed",
    "neigh add 10.0.2.15 lladdr 02:00:00:00:01:0f dev d0 nud reachable",
    "neigh add 10.0.2.17 lladdr 02:00:00:00:01:11 dev d0 nud probe",
    "neigh add 10.0.2.18 dev d0 nud incomplete",
    "neigh add proxy 10.0.2.50 dev d0",
];

/// Every entry, as ip reads them (sorted: hash order), but the multicast
/// ones IPv6 adds when it gets to it.
fn all_entries() -> Vec<String> {
    let mut v = sorted_lines(&sh("ip neigh show nud all"));
    v.retain(|l| !l.starts_with("ff02::"));
    v.extend(sorted_lines(&sh("ip neigh show proxy")));
    v
}

#[test]
fn made_by_nlkit_as_by_ip() {
    let made = |tool: &'static str| {
        in_new_netns(move || {
            setup();
            for c in SCRIPT {
                if tool == "ip" {
                    sh(&format!("ip {c}"));
                } else {
                    assert_eq!(ok(c), "", "nlkit {c}");
                }
            }
            (all_entries(), sh("ip -j neigh show to 10.0.2.9"))
        })
        .unwrap()
    };
    assert_eq!(made("nlkit"), made("ip"));
}

#[test]
fn flush_as_ip() {
    for f in [
        "neigh flush dev d0",
        "neigh flush 10.0.2.0/29",
        "neigh flush nud stale",
        "neigh flush nud all",
        "neigh flush nud permanent",
        "neigh flush dev d0 nud noarp nud none",
        "-s neigh flush dev d0",
        "-s neigh flush 10.9.0.0/24",
    ] {
        let after = |tool: &'static str| {
            in_new_netns(move || {
                setup();
                for c in SCRIPT {
                    sh(&format!("ip {c}"));
                }
                let said = if tool == "ip" {
                    sh(&format!("ip {f}"))
                } else {
                    ok(f)
                };
                (said, all_entries())
            })
            .unwrap()
        };
        assert_eq!(after("nlkit"), after("ip"), "after {f}: output and entries");
    }
}

#[test]
fn refused() {
    in_new_netns(|| {
        setup();
        for args in [
            // ip refuses these.
            "neigh flush",
            "neigh get 10.0.0.4",
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
