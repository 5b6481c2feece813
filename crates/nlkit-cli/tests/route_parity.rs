//! `ip route` and `ip rule` parity with iproute2 6.1, in fresh network
//! namespaces: one script of routes (metrics with units, features, congctl,
//! realms, multipath realms, tos, tables above 255) and rules (every
//! selector, realms, nat, suppress_ifgroup, tun_id) is run once with `ip`
//! and once with `nlkit`. In each namespace every show command's text must
//! be byte for byte `ip`'s (trailing blanks included) and its `-j` the
//! same JSON text (keys in `ip`'s order); and what `ip -j` reads back must
//! be the same in both (objects made by nlkit, read by iproute2).

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

const SCRIPT: &str = "\
link add v0 address 02:00:00:00:00:01 type veth peer name v1
link set v1 address 02:00:00:00:00:02
link set v0 up
link set v1 up
addr add 10.9.0.1/24 dev v0
addr add fd00::1/64 dev v0 nodad
route add 10.1.0.0/24 via 10.9.0.2 rtt 12ms rttvar 5ms rto_min 200ms features ecn congctl lock cubic realms 3/4 initcwnd 10 mtu lock 1400 fastopen_no_cookie 1 quickack 1
route add 10.11.0.0/24 via 10.9.0.2 rtt 1.5s rttvar lock 1s rto_min 2s ssthresh 7 cwnd 9 advmss 1300 reordering 4 window 65535 initrwnd 20 hoplimit 33
route add 10.12.0.0/24 via 10.9.0.2 rtt 40 rttvar 12
route add 10.2.0.0/24 via 10.9.0.2 congctl reno realm 7 metric 9
route add 10.4.0.0/24 dev v0 tos 0x10 metric 7
route add 10.5.0.0/24 nexthop via 10.9.0.2 dev v0 realms 5 weight 3 nexthop via 10.9.0.3 dev v0
route add 10.6.0.0/24 via 10.9.0.3 table 300 proto static src 10.9.0.1
route add blackhole 10.66.0.0/16 table 300
route add fd02::/64 via fd00::2 metric 10 mtu 1300 congctl reno
rule add from 1.2.3.4 realms 3/4 suppress_ifgroup 5 tun_id 7 ipproto tcp sport 1-5 dport 80 uidrange 1-10 table 5 prio 9
rule add from 1.2.3.5 prio 10 lookup 6 realms 2
rule add from 1.2.3.4 nat 5.6.7.8 prio 11
rule add fwmark 0x5/0xff priority 200 blackhole
rule add iif v0 goto 300 priority 250
rule add not to 192.168.0.0/16 lookup main priority 260 proto static
rule add to 10.0.0.0/8 tos 0x10 nop prio 270 ipproto 200 suppress_prefixlength 3
rule add from 1.0.0.0/8 oif v1 l3mdev prio 280 suppress_ifgroup default
rule add from 1.0.0.0/8 oif v1 lookup 1000 prio 290 ipproto udp dport 1000-2000
-6 rule add from fd00::/8 table 7 priority 7 sport 5
";

/// Show commands compared in text and JSON.
const SHOWS: &[&str] = &[
    "route show",
    "-d route show",
    "route show table all",
    "-d route show table all",
    "route show table 300",
    "-d route show table 300",
    "-6 route show",
    "-6 route show table all",
    "route show tos 0x10",
    "route show metric 9",
    "route show via 10.9.0.2",
    "route show via 10.9.0.0/24",
    "route show src 10.9.0.1",
    "route show realm 7",
    "route show realms 3/4",
    "route show realms 3/",
    "route show proto all",
    "route show proto static table all",
    "route show scope link",
    "route show type blackhole table all",
    "route show dev v0",
    "route show from 10.0.0.0/8",
    "route show root 10.0.0.0/8",
    "route show match 10.1.0.7",
    "route get 10.1.0.5 mark 0x10",
    "route get 10.1.0.5 mark 7",
    "route get 10.11.0.5",
    "route get 10.9.0.2 from 10.9.0.1 tos 0x10 ipproto tcp sport 10 dport 20 uid 7",
    "route get 10.5.0.1 fibmatch",
    "-6 route get fd02::1",
    "-6 route get fd02::1 ipproto udp dport 53",
    "rule show",
    "-d rule show",
    "-6 rule show",
    "-d -6 rule show",
    "rule show pref 9",
    "rule show not",
    "rule show from 1.2.3.0/24",
    "rule show to 10.0.0.0/8",
    "rule show table 6",
    "rule show lookup main",
    "rule show fwmark 0x5/0xff",
    "rule show iif v0",
    "rule show oif v1",
    "rule show ipproto tcp",
    "rule show sport 1-5",
    "rule show dport 1000-2000",
    "rule show uidrange 1-10",
    "rule show tun_id 7",
    "rule show tos 0x10",
    "rule show l3mdev",
];

/// In the current netns: every show command reads the same with both tools.
fn nlkit_shows_like_ip() {
    for args in SHOWS {
        let ours = ok(args);
        let theirs = sh(&format!("ip {args}"));
        assert_eq!(ours, theirs, "text of {args}");
        let ours = ok(&format!("-j {args}"));
        let theirs = sh(&format!("ip -j {args}"));
        assert_eq!(ours.trim_end(), theirs.trim_end(), "-j {args}");
    }
    // `connected` without `from`: ip 6.1 asks twice and prints the route twice.
    let args = "route get 10.9.0.5 connected";
    assert_eq!(ok(args), sh(&format!("ip {args}")), "{args}");
}

/// What iproute2 reads back.
fn ip_reads() -> Vec<(String, String)> {
    [
        "-d route show table all",
        "-d -6 route show table all",
        "-d rule show",
        "-d -6 rule show",
    ]
    .iter()
    .map(|a| (a.to_string(), sh(&format!("ip -j {a}"))))
    .collect()
}

fn made_by(tool: &'static str) -> Vec<(String, String)> {
    in_new_netns(move || {
        no_dad();
        for l in SCRIPT.lines() {
            if tool == "ip" {
                sh(&format!("ip {l} 2>/dev/null"));
            } else {
                let r = nl(l);
                // `nat` warns as ip does.
                assert_eq!(r.code, 0, "nlkit {l}: {r:?}");
            }
        }
        wait_oper_up(&["v0", "v1"]);
        nlkit_shows_like_ip();
        ip_reads()
    })
    .unwrap()
}

#[test]
fn routes_and_rules_read_like_ip_both_ways() {
    let by_ip = made_by("ip");
    let by_nlkit = made_by("nlkit");
    // The kernel's own IPv6 routes of v0 and v1 (fe80::/64, ff00::/8) are
    // listed in the order their links came up, which timing decides: those
    // readings are compared as sets of routes.
    let canon = |args: &str, j: &str| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(j).unwrap_or_else(|e| panic!("{args}: {e}"));
        let mut items: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.to_string())
            .collect();
        if args.contains("-6 route") {
            items.sort();
        }
        items
    };
    for ((args, a), (_, b)) in by_ip.iter().zip(&by_nlkit) {
        assert_eq!(
            canon(args, a),
            canon(args, b),
            "ip -j {args}: made by ip vs made by nlkit"
        );
    }
}

/// IPv6 `expires` is truncated to whole seconds as ip prints it. The two
/// readings may straddle a second: they are retried, never timed.
#[test]
fn ipv6_expires_like_ip() {
    in_new_netns(|| {
        no_dad();
        sh("ip link add v0 type veth peer name v1");
        sh("ip link set v0 up");
        sh("ip addr add fd00::1/64 dev v0 nodad");
        sh("ip route add fd05::/64 via fd00::2 expires 300");
        ok("route add fd06::/64 via fd00::2 expires 300");
        for args in ["-6 route show", "-j -6 route show"] {
            let same = (0..5).any(|_| ok(args) == sh(&format!("ip {args}")));
            assert!(
                same,
                "{args}: ours {:?}, ip {:?}",
                ok(args),
                sh(&format!("ip {args}"))
            );
        }
        // And the value is ip's: below 300, not rounded up.
        let v = j("-6 route show fd05::/64");
        let e = v[0]["expires"].as_u64().unwrap();
        assert!(e < 300, "{v}");
    })
    .unwrap();
}

/// `rule add` / `rule del` without words are refused, as ip 6.1 refuses
/// them; nothing is added.
#[test]
fn bare_rule_add_refused() {
    in_new_netns(|| {
        let before = sh("ip rule show");
        for args in ["rule add", "rule del", "-6 rule add"] {
            let r = nl(args);
            assert_ne!(r.code, 0, "{args}: {r:?}");
            assert!(r.stderr.contains("requires arguments"), "{args}: {r:?}");
        }
        assert_eq!(sh("ip rule show"), before);
    })
    .unwrap();
}

/// `rule flush SELECTOR` deletes what ip's would: the same rules left.
#[test]
fn rule_flush_like_ip() {
    let run = |tool: &'static str| {
        in_new_netns(move || {
            for l in SCRIPT.lines().filter(|l| l.contains("rule add")) {
                sh(&format!("ip {l} 2>/dev/null"));
            }
            let mut left = Vec::new();
            for f in [
                "rule flush table 5",
                "rule flush iif v0",
                "-6 rule flush",
                "rule flush",
            ] {
                if tool == "ip" {
                    sh(&format!("ip {f}"));
                } else {
                    ok(f);
                }
                left.push(sh("ip rule show") + &sh("ip -6 rule show"));
            }
            left
        })
        .unwrap()
    };
    assert_eq!(run("nlkit"), run("ip"));
}

/// A route with `encap mpls` is sent as ip sends it: the same answer from
/// the kernel (accepted with the MPLS tunnel module, refused without).
#[test]
fn encap_mpls_answered_like_ip() {
    in_new_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        sh("ip link set v0 up");
        sh("ip addr add 10.9.0.1/24 dev v0");
        let ip = std::process::Command::new("ip")
            .args("route add 10.3.0.0/24 encap mpls 100/200 via 10.9.0.2".split(' '))
            .output()
            .unwrap();
        let ours = nl("route add 10.3.1.0/24 encap mpls 100/200 via 10.9.0.2");
        assert_eq!(ours.code == 0, ip.status.success(), "{ours:?} vs {ip:?}");
        if ip.status.success() {
            let t = sh("ip route show 10.3.0.0/24");
            assert_eq!(ok("route show 10.3.0.0/24"), t);
            assert!(t.contains(" encap mpls  100/200 "), "{t}");
            assert_eq!(
                sh("ip route show 10.3.1.0/24"),
                t.replace("10.3.0.0", "10.3.1.0")
            );
        } else {
            assert!(ours.stderr.contains("not supported"), "{ours:?}");
        }
    })
    .unwrap();
}

/// Prefixes in iproute2's short and C-number forms (`10.1/16`, `010.2.0.0/16`
/// is 8.2.0.0, `0x0b/8`, `0/0`) mean what they mean to ip: the same routes
/// made, the same ones shown; a malformed one refused by both.
#[test]
fn short_prefixes_like_ip() {
    let run = |tool: &'static str| {
        in_new_netns(move || {
            sh("ip link set lo up");
            for p in ["10.1/16", "010.2.0.0/16", "0x0b/8", "12.0.0/24"] {
                if tool == "ip" {
                    sh(&format!("ip route add {p} dev lo"));
                } else {
                    ok(&format!("route add {p} dev lo"));
                }
            }
            let refused = if tool == "ip" {
                !std::process::Command::new("ip")
                    .args(["route", "add", "10./8", "dev", "lo"])
                    .output()
                    .unwrap()
                    .status
                    .success()
            } else {
                nl("route add 10./8 dev lo").code != 0
            };
            (
                sh("ip route show"),
                ok("route show root 0/0"),
                sh("ip route show root 0/0"),
                refused,
            )
        })
        .unwrap()
    };
    let (ours, theirs) = (run("nlkit"), run("ip"));
    assert_eq!(ours.0, theirs.0, "routes made");
    assert_eq!(ours.1, ours.2, "nlkit route show root 0/0 vs ip's");
    assert!(ours.3 && theirs.3, "10./8 refused by both");
    assert!(ours.0.contains("8.2.0.0/16") && ours.0.contains("11.0.0.0/8"));
}

/// A listing's prefix is read as ip reads it: its family never sets the
/// listing's (without -4/-6 the main table is listed for IPv4, so an IPv6
/// prefix selects nothing, with no error); `default` is a /0 of either
/// family and `all`/`any` no filter, unless -4/-6 names one; with -4/-6 a
/// prefix of the other family is refused by both. Stdout, stderr (empty
/// when ip's is) and success are compared, text and JSON.
#[test]
fn listing_prefix_family_like_ip() {
    in_new_netns(|| {
        no_dad();
        sh("ip link add v0 type veth peer name v1");
        sh("ip link set v0 up");
        sh("ip addr add 10.9.0.1/24 dev v0");
        sh("ip addr add fd00::1/64 dev v0 nodad");
        sh("ip route add 10.1.0.0/24 via 10.9.0.2");
        sh("ip route add default via 10.9.0.2");
        sh("ip route add fd03::/64 via fd00::2");
        sh("ip route add default via fd00::2");
        sh("ip route add default via 10.9.0.3 table 100");
        for args in [
            "route show fd03::/64",
            "route show root fd00::/16",
            "route show exact fd03::/64",
            "route show match fd03::1",
            "route show from ::/0",
            "route show table all fd03::/64",
            "route show table all root fd00::/16",
            "route show table all default",
            "route show table all exact default",
            "route show table all all",
            "route show table all from default",
            "route show default",
            "route show all",
            "route show any",
            "-4 route show all",
            "-4 route show root all",
            "-6 route show all",
            "-6 route show default",
            "-6 route show fd03::/64",
            "route show 10.1.0.0/24",
            "route show table all 10.1.0.0/24",
            "route show table all 0/0",
            "route show table all ::/0",
            "-4 route show fd03::/64",
            "-6 route show 10.1.0.0/24",
            "-0 route show default",
        ] {
            same_as_ip(args, |_, ours| {
                ours.contains("not of the family") || ours.contains("not allowed with this family")
            });
        }
    })
    .unwrap();
}

#[test]
fn empty_main_table_and_vrf_like_ip() {
    // A fresh netns has no IPv4 main table until a route is added: ip
    // lists it as empty, any other table's absence is an error.
    in_new_netns(|| {
        sh("ip link add v0 type veth peer name v1");
        for args in [
            "route show",
            "route show table main",
            "route show vrf default",
            "-6 route show",
            "route show table 100",
            "route show vrf v0",
            "route show vrf nosuchdev",
            "route add 10.1.0.0/24 dev v0 vrf v0",
        ] {
            same_as_ip(args, |ip, ours| {
                if ip.contains("Invalid VRF") {
                    ours.contains("Invalid VRF")
                } else {
                    ours.contains("table does not exist")
                }
            });
        }
    })
    .unwrap();
}

/// `ip ARGS` and `nlkit ARGS`, then both with `-j`: the same stdout, the
/// same success, and no stderr from nlkit where ip has none; where ip has
/// some, `stderr_ok(ip's, nlkit's)` must hold. (ip -j writes a lone `[`
/// before a dump's error, an ip quirk in docs/json.md: that stdout is not
/// compared.)
fn same_as_ip(args: &str, stderr_ok: impl Fn(&str, &str) -> bool) {
    for json in [false, true] {
        let full = if json {
            format!("-j {args}")
        } else {
            args.to_string()
        };
        let words: Vec<&str> = full.split_whitespace().collect();
        let ip = std::process::Command::new("ip")
            .args(&words)
            .output()
            .unwrap();
        let ours = nl(&full);
        let ip_out = String::from_utf8_lossy(&ip.stdout);
        if !(json && !ip.status.success() && ip_out.starts_with('[')) {
            assert_eq!(ours.stdout, ip_out, "stdout of {full}: {ours:?}");
        }
        assert_eq!(
            ours.code == 0,
            ip.status.success(),
            "status of {full}: {ours:?} / {ip:?}"
        );
        let ip_err = String::from_utf8_lossy(&ip.stderr);
        if ip_err.is_empty() {
            assert_eq!(ours.stderr, "", "stderr of {full}");
        } else {
            assert!(
                stderr_ok(&ip_err, &ours.stderr),
                "{full}: {ours:?} / {ip_err}"
            );
        }
    }
}
