//! `nlkit nexthop` against the installed iproute2, in fresh network
//! namespaces: objects made by either tool read the same by both (JSON
//! equal, key order included; text equal but for trailing blanks), routes
//! through them (`nhid`), get, replace, delete, and bad input.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use serde_json::{json, Value};

/// Valid for both `ip` and `nlkit`.
const SCRIPT: &str = "\
nexthop add id 1 via 10.9.0.2 dev v0
nexthop add id 2 via 10.9.0.3 dev v0
nexthop add id 3 group 1/2
nexthop add id 4 blackhole
nexthop add id 5 dev v0
nexthop add id 6 group 1,3/2,5
nexthop add id 7 via fd00::2 dev v0
-6 nexthop add id 8 blackhole
nexthop add id 9 via 10.9.0.4 fdb
nexthop add id 10 group 9 fdb
nexthop add id 11 via 10.9.0.9 dev v0 onlink proto static
nexthop add id 12 via inet6 fd00::3 dev v0 proto 99
nexthop replace id 2 via 10.9.0.5 dev v0
nexthop replace id 13 blackhole
nexthop add id 14 group 7/12
route add 10.1.0.0/24 nhid 3
route add 10.2.0.0/24 nhid 4 metric 7
-6 route add fd01::/64 nhid 14
nexthop del id 13
";

fn setup() {
    no_dad();
    sh("ip link set lo up");
    sh("ip link add v0 type veth peer name v1");
    // Only v0 gets a link-local address: the kernel adds the two fe80::/64
    // routes of a veth pair in whichever order addrconf gets to them, and
    // the readings compared below list routes in the kernel's order.
    sh("ip link set v1 addrgenmode none");
    sh("ip link set v0 up");
    sh("ip link set v1 up");
    sh("ip addr add 10.9.0.1/24 dev v0");
    sh("ip addr add fd00::1/64 dev v0 nodad");
}

/// Readings valid for both tools.
const READS: &[&str] = &[
    "nexthop show",
    "nexthop",
    "nexthop list",
    "-4 nexthop show",
    "-6 nexthop show",
    "nexthop show id 3",
    "nexthop show id 6",
    "nexthop get id 1",
    "nexthop get id 11",
    "nexthop show dev v0",
    "nexthop show groups",
    "nexthop show dev lo",
    "route show",
    "-6 route show",
];

/// In the current netns: what nlkit reads equals what iproute2 reads.
fn nlkit_reads_like_ip() -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    for args in READS {
        let ours = j(args);
        let theirs = ipj(args);
        assert_eq!(
            ours.to_string(),
            theirs.to_string(),
            "-j {args} (key order too)"
        );
        let text = ok(args);
        assert_eq!(
            trimmed(&text),
            trimmed(&sh(&format!("ip {args}"))),
            "{args}"
        );
        seen.push((args.to_string(), theirs));
    }
    seen
}

fn made_by(tool: &'static str) -> Vec<(String, Value)> {
    in_new_netns(move || {
        setup();
        match tool {
            "ip" => {
                for l in SCRIPT.lines() {
                    sh(&format!("ip {l}"));
                }
            }
            "nlkit" => {
                for l in SCRIPT.lines() {
                    assert_eq!(ok(l), "", "{l} prints nothing");
                }
            }
            _ => {
                let r = nlkit(&["-batch", "-"], Some(SCRIPT.as_bytes()));
                assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
            }
        }
        let seen = nlkit_reads_like_ip();
        // `show fdb`: the fdb nexthops only (iproute2 6.1 lists them all).
        let fdb: Vec<Value> = ipj("nexthop show")
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n.get("fdb").is_some())
            .cloned()
            .collect();
        assert_eq!(j("nexthop show fdb"), Value::Array(fdb));
        assert_eq!(
            trimmed(&ok("nexthop show fdb")),
            "id 9 via 10.9.0.4 scope link fdb\nid 10 group 9 fdb"
        );
        seen
    })
    .unwrap()
}

#[test]
fn made_by_either_read_by_both() {
    let by_ip = made_by("ip");
    let by_nlkit = made_by("nlkit");
    let by_batch = made_by("batch");
    assert_eq!(by_ip, by_nlkit, "ip -j: made by ip vs made by nlkit");
    assert_eq!(by_ip, by_batch, "ip -j: made by ip vs made by nlkit -batch");
    // What the script made, as iproute2 reads it.
    let all = &by_nlkit[0].1;
    let ids: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);
    let by_id = |id: u64| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id(2),
        json!({"id": 2, "gateway": "10.9.0.5", "dev": "v0", "scope": "link", "flags": []})
    );
    assert_eq!(
        by_id(6),
        json!({"id": 6, "group": [{"id": 1, "weight": 3}, {"id": 2, "weight": 5}], "flags": []})
    );
    assert_eq!(by_id(4), json!({"id": 4, "blackhole": null, "flags": []}));
    assert_eq!(by_id(10)["fdb"], Value::Null);
    assert!(by_id(10).get("fdb").is_some());
    assert_eq!(by_id(11)["protocol"], "static");
    assert_eq!(by_id(11)["flags"], json!(["onlink"]));
    let routes = &by_nlkit.iter().find(|r| r.0 == "route show").unwrap().1;
    assert_eq!(routes[0]["dst"], "10.1.0.0/24");
    assert_eq!(routes[0]["nhid"], 3);
}

/// Text as `ip nexthop` prints it, and the life of one object.
#[test]
fn create_replace_get_delete() {
    in_new_netns(|| {
        setup();
        ok("nexthop add id 1 via 10.9.0.2 dev v0");
        ok("nh add id 2 via 10.9.0.3 dev v0");
        ok("nexthop add id 3 group 1/2,4");
        ok("nexthop add id 4 blackhole");
        assert_eq!(
            ok("nexthop show"),
            "id 1 via 10.9.0.2 dev v0 scope link \n\
             id 2 via 10.9.0.3 dev v0 scope link \n\
             id 3 group 1/2,4 \n\
             id 4 blackhole \n"
        );
        assert_eq!(ok("nexthop get id 3"), "id 3 group 1/2,4 \n");
        assert_eq!(
            j("nexthop get id 3"),
            json!([{"id": 3, "group": [{"id": 1}, {"id": 2, "weight": 4}], "flags": []}])
        );
        // `nh` (nlkit's alias; ip 6.1 has none), options after the words.
        assert_eq!(ok("nh show id 4 -j"), ok("-j nexthop get id 4"));
        assert_eq!(ok("nh"), ok("nexthop show"));
        // Replace changes it in place; routes through the group follow.
        ok("route add 10.1.0.0/24 nhid 3");
        ok("nexthop replace id 1 via 10.9.0.7 dev v0");
        assert_eq!(
            ok("nexthop show id 1"),
            "id 1 via 10.9.0.7 dev v0 scope link \n"
        );
        let r = j("route show 10.1.0.0/24");
        assert_eq!(r[0]["nhid"], 3);
        assert_eq!(r[0]["nexthops"][0]["gateway"], "10.9.0.7");
        // Without an id the kernel picks one.
        ok("nexthop add via 10.9.0.8 dev v0");
        let picked = j("nexthop show")
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["gateway"] == "10.9.0.8")
            .map(|n| n["id"].as_u64().unwrap())
            .unwrap();
        assert!(picked != 0);
        ok(&format!("nexthop del id {picked}"));
        // Delete: the group loses its member, then goes.
        ok("nexthop del id 2");
        assert_eq!(ok("nexthop get id 3"), "id 3 group 1 \n");
        ok("nexthop delete id 3");
        ok("nexthop del id 1");
        ok("nexthop del id 4");
        assert_eq!(ok("nexthop show"), "");
        assert_eq!(j("nexthop show"), json!([]));
        assert_eq!(j("route show 10.1.0.0/24"), json!([]));
    })
    .unwrap();
}

/// Grammar errors exit 2 and send nothing; a missing device exits 1 before
/// sending; kernel errors exit 1 with the kernel's words.
#[test]
fn bad_input() {
    in_new_netns(|| {
        setup();
        let usage = [
            (
                "nexthop add id 1 bogus",
                "nexthop add: unknown keyword \"bogus\"",
            ),
            ("nexthop add id 1 via", "nexthop add: \"via\" needs a value"),
            (
                "nexthop add id x dev v0",
                "nexthop add: invalid value \"x\" for \"id\"",
            ),
            (
                "nexthop add id 1 group 1,0",
                "nexthop add: invalid weight \"0\" (1 to 256)",
            ),
            (
                "nexthop add id 1 group 1/x",
                "nexthop add: invalid group \"1/x\"",
            ),
            (
                "-6 nexthop add id 1 via 10.9.0.2 dev v0",
                "nexthop add: address family mismatch for 10.9.0.2",
            ),
            ("nexthop del", "nexthop delete: \"id N\" is needed"),
            ("nexthop get", "nexthop get: \"id N\" is needed"),
            (
                "nexthop show bogus",
                "nexthop show: unknown keyword \"bogus\"",
            ),
            (
                "nexthop frobnicate",
                "nexthop: unknown command \"frobnicate\"",
            ),
        ];
        for (args, msg) in usage {
            let r = nl(args);
            assert_eq!(r.code, 2, "nlkit {args}: {r:?}");
            assert!(
                r.stderr.starts_with(&format!("nlkit: {msg}")),
                "nlkit {args}: {:?}",
                r.stderr
            );
            assert_eq!(r.stderr.lines().count(), 1, "one line: {:?}", r.stderr);
            assert_eq!(r.stdout, "");
        }
        assert_eq!(j("nexthop show"), json!([]), "nothing was sent");
        for args in [
            "nexthop add id 1 via 10.9.0.2 dev v9",
            "nexthop show dev v9",
        ] {
            let r = nl(args);
            assert_eq!(r.code, 1, "nlkit {args}: {r:?}");
            assert_eq!(
                r.stderr, "nlkit: device \"v9\" does not exist\n",
                "nlkit {args}"
            );
        }
        ok("nexthop add id 1 via 10.9.0.2 dev v0");
        let r = nl("nexthop add id 1 via 10.9.0.2 dev v0");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: add nexthop id 1 via 10.9.0.2 dev v0: File exists (EEXIST)\n"
        );
        let r = nl("nexthop add id 2 via 10.9.0.2");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: add nexthop id 2 via 10.9.0.2: Invalid argument (EINVAL): \
             Device attribute required for non-blackhole and non-fdb nexthops\n"
        );
        let r = nl("nexthop add id 3 group 1/77");
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .starts_with("nlkit: add nexthop id 3 group 1,1/77,1: "),
            "{r:?}"
        );
        let r = nl("nexthop get id 77");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: get nexthop id 77: No such file or directory (ENOENT)\n"
        );
        let r = nl("nexthop del id 77");
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr,
            "nlkit: delete nexthop id 77: No such file or directory (ENOENT)\n"
        );
        let r = nl("route add 10.1.0.0/24 nhid 77");
        assert_eq!(r.code, 1, "{r:?}");
        assert_eq!(j("nexthop show").as_array().unwrap().len(), 1);
    })
    .unwrap();
}
