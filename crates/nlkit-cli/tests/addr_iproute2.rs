//! `nlkit addr` against the installed iproute2 (6.1), in fresh network
//! namespaces: one script of adds, run by `ip` in one netns and by `nlkit`
//! in another, gives the same addresses; every reading (show with each
//! selector, `-br`, `-o`, `-4`, `-6`, `-j`) prints the same bytes as `ip`'s,
//! trailing blanks, JSON key order and ip's `{}` placeholders included; commands `ip` refuses are refused
//! and change nothing; `flush` with selectors deletes what `ip`'s deletes.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::Value;

/// Links with fixed addresses, so both netns read the same.
fn setup() {
    no_dad();
    sh("ip link set lo up");
    sh("ip link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:02");
    sh("ip link set d0 addrgenmode none");
    sh("ip link set d1 addrgenmode none");
    sh("ip link add br0 address 02:00:00:00:00:03 type bridge");
    sh("ip link set d1 master br0");
    sh("ip link set d1 group 5");
    sh("ip link set d0 up");
    sh("ip link set d1 up");
    wait_oper_up(&["d0", "d1"]);
}

/// Valid for both tools. No finite valid lifetime: it counts down between
/// one tool's read and the other's.
const SCRIPT: &str = "\
addr add 10.0.0.1/24 dev d0 brd +
addr add 10.0.0.2/24 dev d0 label d0:b
addr add 10.0.1.1/24 dev d0 label d0:c metric 9
addr add 10.0.2.1/24 dev d1 scope link brd -
addr add 10.0.3.1 peer 10.0.3.2 dev d0
addr add 10.0.4.1 peer 10.0.4.0/24 dev d0 brd +
addr add 10.0.5.1/24 dev d0 label other
addr add 10.0.6.1/24 dev d0 pref 7 scope 200
addr add local 10.0.7.1/31 dev d0 brd +
addr add 10.0.8.1/24 dev d0 anycast 10.0.8.9 b 10.0.8.200
addr add 127.0.0.5/8 dev lo
addr add fd00::1/64 dev d0 nodad home
addr add fd00::2/64 dev d0 valid_lft forever preferred_lft 0 nodad
addr add fd00::3/64 dev d0 noprefixroute mngtmpaddr nodad
addr add fd00::4/64 dev d0 optimistic nodad
addr add fd00::5/64 peer fd00::6 dev d0 nodad
addr add fd01::1/64 dev d1 nodad
addr add 224.1.1.1/32 dev d1 autojoin
addr add ff05::7/128 dev d0 autojoin nodad
addr replace fd01::1/64 dev d1 metric 3 nodad
addr add fd02::1/64 dev d1 nodad
addr del fd02::1/64 dev d1
addr add 10.0.9.1/24 dev d0
addr del 10.0.9.1 dev d0
";

/// Readings, each compared byte for byte with `ip`'s (text and `-j`).
const READS: &[&str] = &[
    "addr show",
    "addr",
    "addr show dev d0",
    "addr show d1",
    "-4 addr show",
    "-6 addr show",
    "-6 addr show dev d0",
    "-br addr show",
    "-br -4 addr show",
    "-br -6 addr show",
    "addr show secondary",
    "addr show primary",
    "addr show -secondary",
    "addr show dynamic",
    "addr show permanent",
    "addr show deprecated",
    "addr show -deprecated",
    "addr show home",
    "addr show nodad",
    "addr show noprefixroute",
    "addr show mngtmpaddr",
    "addr show autojoin",
    "addr show optimistic",
    "addr show temporary",
    "addr show tentative",
    "-br addr show primary",
    "addr show to 10.0.0.0/30",
    "addr show to 10.0.0.0/16",
    "addr show to fd00::/16",
    "addr show to 10.0.1.1",
    "-4 addr show to 0.0.0.0/0",
    "addr show label d0:*",
    "addr show label d0",
    "addr show label d[01]",
    "addr show label othe?",
    "addr show scope link",
    "addr show scope host",
    "addr show scope global",
    "addr show scope 200",
    "-br addr show scope all",
    "addr show up",
    "-br addr show type veth",
    "-br addr show type bridge_slave",
    "-br addr show master br0",
    "-br addr show nomaster",
    "-br addr show group 5",
    "-br addr show group default",
    "addr show dev d0 secondary",
    "-6 addr show to fd00::/16",
    "-4 addr show dynamic",
    // ip 6.1's `{}` in JSON: for a link the link filters leave out, for an
    // address the selectors leave out; `-o`, where ip applies no link
    // filter but `up`; `nomaster`, which filters a dump only.
    "-br addr show up",
    "addr show up label d0*",
    "addr show group 5",
    "-br addr show group 5 secondary",
    "addr show dev d1 nomaster",
    "addr show dev d0 type bridge_slave",
    "-o addr show",
    "-o addr show dev d0 scope link",
    "-o addr show group 5",
    "-o -6 addr show up",
    "-o addr show label d0:*",
    "-0 addr show up",
    "-0 -br addr show group 5",
    "-d addr show dev d0",
];

/// In the current netns: every reading of nlkit is ip's; returns ip's.
fn reads_like_ip() -> Vec<(String, String, Value)> {
    let mut seen = Vec::new();
    for args in READS {
        let text = ok(args);
        let theirs_text = sh(&format!("ip {}", quote_globs(args)));
        assert_eq!(text, theirs_text, "{args}: text, byte for byte");
        let ours = j(args);
        let theirs = ipj(&quote_globs(args));
        assert_eq!(
            ours.to_string(),
            theirs.to_string(),
            "-j {args}, key order too"
        );
        seen.push((args.to_string(), theirs_text, theirs));
    }
    seen
}

/// The words for `sh`: a glob quoted.
fn quote_globs(args: &str) -> String {
    args.split(' ')
        .map(|w| {
            if w.contains(['*', '?', '[']) {
                format!("'{w}'")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn made_by(tool: &'static str) -> Vec<(String, String, Value)> {
    in_new_netns(move || {
        setup();
        run_lines(tool, SCRIPT);
        reads_like_ip()
    })
    .unwrap()
}

#[test]
fn made_by_either_read_by_both() {
    let by_ip = made_by("ip");
    let by_nlkit = made_by("nlkit");
    assert_eq!(by_ip.len(), READS.len());
    for (a, b) in by_ip.iter().zip(&by_nlkit) {
        assert_eq!(a.1, b.1, "ip {}: made by ip vs made by nlkit", a.0);
        assert_eq!(a.2, b.2, "ip -j {}: made by ip vs made by nlkit", a.0);
    }
    // Spot checks of what the script made, as ip prints it.
    let all = &by_nlkit[0].1;
    for line in [
        "    inet 10.0.3.1 peer 10.0.3.2/32 scope global d0\n",
        "    inet 10.0.4.1 peer 10.0.4.0/24 brd 10.0.4.255 scope global d0\n",
        "    inet 10.0.1.1/24 metric 9 scope global d0:c\n",
        "    inet 10.0.8.1/24 brd 10.0.8.200 scope global d0\n",
        "    inet 10.0.6.1/24 metric 7 scope site d0\n",
        "    inet6 fd00::1/64 scope global nodad home \n",
        "    inet6 fd00::5 peer fd00::6/128 scope global nodad \n",
        "    inet6 fd00::2/64 scope global nodad deprecated \n",
        "    inet 10.0.7.1/31 scope global d0\n",
    ] {
        assert!(all.contains(line), "{line:?} in\n{all}");
    }
    assert!(!all.contains("10.0.9.1"), "deleted by its bare address");
}

/// What `ip` refuses, nlkit refuses (exit 2, nothing sent); `ip`'s
/// warnings for flags it leaves out are nlkit's.
#[test]
fn refused_as_ip_refuses() {
    in_new_netns(|| {
        setup();
        let before = ipj("addr show");
        for args in [
            "addr add 1.2.3.4/24 local 1.2.3.5 dev d0",
            "addr add 1.2.3.4/24 dev d0 local 1.2.3.5/16",
            "addr add 1.2.3.4/24 1.2.3.6/24 dev d0",
            "addr add 1.2.3.4/24 dev d0 peer 1.2.3.3 peer 1.2.3.4",
            "addr add 1.2.3.4/24 dev d0 broadcast 1.2.3.3 broadcast 1.2.3.4",
            "addr add 1.2.3.4/24 dev d0 brd + brd -",
            "addr add 1.2.3.4/24 dev d0 anycast 1.2.3.1 anycast 1.2.3.2",
            "addr add 1.2.3.4/24 dev d0 valid_lft 100 valid_lft 200",
            "addr add 1.2.3.4/24 dev d0 preferred_lft 100 preferred_lft 100",
            "addr add 1.2.3.4/24 dev d0 valid_lft 100sec",
            "addr add 1.2.3.4/24 dev d0 valid_lft 0",
            "addr add 1.2.3.4/24 dev d0 metric x",
            "addr add fd00::9/64 dev d0 brd +",
            "addr add 1.2.3.4/24",
            "addr show dev d0 dev d1",
            "addr flush",
        ] {
            let theirs = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("ip {args}"))
                .output()
                .unwrap();
            assert!(!theirs.status.success(), "ip {args} succeeds");
            let r = nl(args);
            assert_eq!(r.code, 2, "nlkit {args}: {r:?}");
            assert_eq!(r.stdout, "", "nlkit {args}");
            assert_eq!(r.stderr.lines().count(), 1, "nlkit {args}: {r:?}");
            assert_eq!(ipj("addr show"), before, "nlkit {args} changed nothing");
        }
        let r = nl("addr show dev d0 dev d1");
        assert!(
            r.stderr
                .starts_with("nlkit: addr show: either \"dev\" is duplicate, or \"d1\" is garbage"),
            "{r:?}"
        );
        let r = nl("addr add 1.2.3.4/24 local 1.2.3.5 dev d0");
        assert!(
            r.stderr.starts_with(
                "nlkit: addr add: either \"local\" is duplicate, or \"1.2.3.5\" is garbage"
            ),
            "{r:?}"
        );
        let r = nl("addr add 1.2.3.4/24 dev d0 peer 1.2.3.3 peer 1.2.3.4");
        assert!(
            r.stderr
                .starts_with("nlkit: addr add: duplicate \"peer\": \"1.2.3.4\" is the second value"),
            "{r:?}"
        );
        // The last of a repeated metric, scope, label or dev counts, as in ip.
        ok("addr add 1.2.5.4/24 dev d1 dev d0 metric 1 metric 2 scope link scope host label d0:a label d0:b");
        assert_eq!(
            sh("ip addr show to 1.2.5.4"),
            ok("addr show to 1.2.5.4"),
        );
        assert!(ok("addr show dev d0").contains(
            "    inet 1.2.5.4/24 metric 2 scope host d0:b\n"
        ));
        // Flags ip leaves out, with its warning.
        let r = nl("addr add 1.2.6.4/24 dev d0 nodad home secondary");
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(
            r.stderr,
            "nlkit: warning: nodad option can be set only for IPv6 addresses\n\
             nlkit: warning: home option can be set only for IPv6 addresses\n\
             nlkit: warning: secondary option is not mutable from userspace\n"
        );
        assert!(ok("addr show dev d0").contains("    inet 1.2.6.4/24 scope global d0\n"));
    })
    .unwrap();
}

/// Flushes with each selector delete what ip's delete.
#[test]
fn flush_selects_as_ip() {
    let flushes = [
        "addr flush dev d0 secondary",
        "addr flush label d0:*",
        "addr flush scope link",
        "addr flush to 10.0.0.0/16",
        "-6 addr flush dev d0 noprefixroute",
        "addr flush dev d0 -deprecated",
        "addr flush permanent",
    ];
    for f in flushes {
        let after = |tool: &'static str| {
            in_new_netns(move || {
                setup();
                run_lines("ip", SCRIPT);
                if tool == "ip" {
                    sh(&format!("ip {}", quote_globs(f)));
                } else {
                    assert_eq!(ok(f), "", "nlkit {f}");
                }
                sh("ip addr show")
            })
            .unwrap()
        };
        let (theirs, ours) = (after("ip"), after("nlkit"));
        assert_eq!(ours, theirs, "after {f}");
    }
}
