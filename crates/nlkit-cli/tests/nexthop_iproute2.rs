//! `nlkit nexthop` against the installed iproute2 (6.1) in fresh network
//! namespaces: resilient groups (buckets and timers) made by either tool
//! read the same by both, text byte for byte (trailing blanks included) and
//! `-j` with key order, with `-d`; `bucket show` with each selector and
//! `bucket get` (idle times masked: they grow between two reads); `flush`
//! with each selector deletes what ip's deletes and says so as ip does.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;

fn setup() {
    sh("ip link set lo up");
    sh("ip link add d0 address 02:00:00:00:00:01 type veth peer name d1 address 02:00:00:00:00:02");
    sh("ip link set d0 up");
    sh("ip link set d1 up");
    sh("ip addr add 10.0.0.1/24 dev d0");
    sh("ip addr add 10.1.0.1/24 dev d1");
}

/// Valid for both tools.
const SCRIPT: &str = "\
nexthop add id 1 via 10.0.0.2 dev d0
nexthop add id 2 via 10.0.0.3 dev d0
nexthop add id 7 via 10.1.0.3 dev d1 proto static
nexthop add id 3 group 1/2 type resilient buckets 8 idle_timer 120 unbalanced_timer 30
nexthop add id 4 group 1,2/2 type resilient buckets 4
nexthop add id 5 group 1/2 type mpath
nexthop add id 6 blackhole
nexthop add id 10 via 10.0.0.4 fdb
nexthop add id 11 group 10 fdb
nexthop replace id 4 group 1,3/2 type resilient buckets 4 idle_timer 7
";

const READS: &[&str] = &[
    "nexthop show",
    "-d nexthop show",
    "nexthop show id 3",
    "nexthop get id 4",
    "-d nexthop get id 6",
    "nexthop show groups",
    "nexthop show dev d1",
    "nexthop show proto 4",
    "-6 nexthop show",
];

const BUCKET_READS: &[&str] = &[
    "nexthop bucket show",
    "nexthop bucket show id 4",
    "nexthop bucket show nhid 1",
    "nexthop bucket show dev d0",
    "nexthop bucket list id 3 nhid 2",
    "nexthop bucket get id 3 index 2",
];

/// Idle times out: `idle_time 1.27` and `"idle_time":1.27` become `idle_time X`.
fn masked(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("idle_time") {
        let (head, tail) = rest.split_at(i + "idle_time".len());
        out += head;
        let skip = tail
            .find(|c: char| !(c == ' ' || c == '"' || c == ':'))
            .unwrap_or(tail.len());
        let num_end = tail[skip..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))
            .map_or(tail.len(), |e| skip + e);
        out += " X";
        rest = &tail[num_end..];
    }
    out + rest
}

/// Every reading of nlkit is ip's (text exact, `-j` with key order); returns ip's.
fn reads_like_ip() -> Vec<String> {
    let mut seen = Vec::new();
    for args in READS {
        let text = ok(args);
        assert_eq!(
            text,
            sh(&format!("ip {args}")),
            "{args}: text, byte for byte"
        );
        let ours = ok(&format!("-j {args}"));
        let theirs = sh(&format!("ip -j {args}"));
        assert_eq!(ours.trim_end(), theirs.trim_end(), "-j {args}");
        seen.push(text);
        seen.push(theirs);
    }
    for args in BUCKET_READS {
        let text = ok(args);
        assert_eq!(masked(&text), masked(&sh(&format!("ip {args}"))), "{args}");
        let ours = ok(&format!("-j {args}"));
        let theirs = sh(&format!("ip -j {args}"));
        assert_eq!(
            masked(ours.trim_end()),
            masked(theirs.trim_end()),
            "-j {args}"
        );
        seen.push(masked(&text));
    }
    seen
}

fn made_by(tool: &'static str) -> Vec<String> {
    in_new_netns(move || {
        setup();
        run_lines(tool, SCRIPT);
        reads_like_ip()
    })
    .unwrap()
}

#[test]
fn resilient_groups_made_by_either_read_by_both() {
    let by_ip = made_by("ip");
    let by_nlkit = made_by("nlkit");
    assert_eq!(by_ip, by_nlkit, "made by ip vs made by nlkit");
    let all = &by_nlkit[0];
    for line in [
        "id 3 group 1/2 type resilient buckets 8 idle_timer 120 unbalanced_timer 30 unbalanced_time 0 \n",
        "id 4 group 1,3/2 type resilient buckets 4 idle_timer 7 unbalanced_timer 0 unbalanced_time 0 \n",
        "id 1 via 10.0.0.2 dev d0 scope link \n",
        "id 6 blackhole \n",
        "id 11 group 10 fdb\n",
    ] {
        assert!(all.contains(line), "{line:?} in\n{all}");
    }
    assert!(by_nlkit[1].contains(
        r#""type":"resilient","resilient_args":{"buckets":8,"idle_timer":120,"unbalanced_timer":30,"unbalanced_time":0}"#
    ));
}

#[test]
fn flush_as_ip() {
    for f in [
        "nexthop flush",
        "nexthop flush dev d1",
        "nexthop flush groups",
        "nexthop flush proto 4",
        "nexthop flush id 6",
        "nexthop flush dev lo",
    ] {
        let after = |tool: &'static str| {
            in_new_netns(move || {
                setup();
                run_lines("ip", SCRIPT);
                let said = if tool == "ip" {
                    sh(&format!("ip {f}"))
                } else {
                    ok(f)
                };
                (said, sh("ip -j nexthop show"))
            })
            .unwrap()
        };
        assert_eq!(
            after("nlkit"),
            after("ip"),
            "after {f}: output and nexthops"
        );
    }
}

/// `fdb` selects the fdb nexthops (iproute2 6.1 takes the word and lists,
/// or flushes, every nexthop: docs/json.md).
#[test]
fn fdb_selects_fdb_nexthops() {
    in_new_netns(|| {
        setup();
        run_lines("ip", SCRIPT);
        assert_eq!(
            ok("nexthop show fdb"),
            "id 10 via 10.0.0.4 scope link fdb\nid 11 group 10 fdb\n"
        );
        let before = ok("nexthop show");
        assert!(ok("nexthop flush fdb").starts_with("Flushed "));
        assert_eq!(ok("nexthop show fdb"), "");
        let kept: Vec<&str> = before.lines().filter(|l| !l.ends_with("fdb")).collect();
        assert_eq!(ok("nexthop show").lines().collect::<Vec<_>>(), kept);
    })
    .unwrap();
}

#[test]
fn refused() {
    in_new_netns(|| {
        setup();
        ok("nexthop add id 1 via 10.0.0.2 dev d0");
        for args in [
            "nexthop add id 9 group 1 buckets 8",
            "nexthop add id 9 group 1 type resilient buckets 8 idle_timer 42949672",
            "nexthop add id 9 group 1 type resilient buckets x",
            "nexthop bucket get id 9",
            "nexthop bucket show index 1",
        ] {
            let r = nl(args);
            assert_eq!(r.code, 2, "nlkit {args}: {r:?}");
            assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
        }
        assert_eq!(ok("nexthop show"), "id 1 via 10.0.0.2 dev d0 scope link \n");
    })
    .unwrap();
}
