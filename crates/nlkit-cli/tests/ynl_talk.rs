//! `nlkit ynl --do/--dump/--subscribe` and `nlkit decode --family` (a
//! family by its spec) against the host kernel, each test in a netns of its
//! own: the output's shape (one object, an array, one object per line),
//! the exit codes and the error texts.

mod common;

use common::{bin, nlkit, Reaped};
use nlkit::socket::netns::in_new_netns;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ifindex(dev: &str) -> u64 {
    let out = Command::new("ip")
        .args(["-j", "link", "show", dev])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0]["ifindex"].as_u64().unwrap()
}

#[test]
fn do_prints_the_reply_object_and_dump_an_array() {
    in_new_netns(|| {
        sh("ip link add yv0 type veth peer name yv1");
        let r = nlkit(&["ynl", "--family", "netdev", "--dump", "dev-get"], None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout.lines().count(), 1, "one line: {}", r.stdout);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let idx: Vec<u64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["ifindex"].as_u64().unwrap())
            .collect();
        let mut want = vec![1, ifindex("yv0"), ifindex("yv1")];
        want.sort();
        assert_eq!(idx, want, "in ifindex order");
        // -p: the same, pretty.
        let p = nlkit(
            &["-p", "ynl", "--family", "netdev", "--dump", "dev-get"],
            None,
        );
        assert!(p.stdout.lines().count() > 3, "{}", p.stdout);
        assert_eq!(serde_json::from_str::<Value>(&p.stdout).unwrap(), v);
        // A do: the reply object.
        let req = r#"{"header": {"dev-name": "yv0"}}"#;
        let d = nlkit(
            &[
                "ynl",
                "--family",
                "ethtool",
                "--do",
                "channels-get",
                "--json",
                req,
            ],
            None,
        );
        assert_eq!(d.code, 0, "{}", d.stderr);
        let c: Value = serde_json::from_str(&d.stdout).unwrap();
        assert!(c.is_object(), "{c}");
        assert_eq!(c["header"]["dev-index"], ifindex("yv0"));
        // A do answered by a bare ACK prints nothing.
        let d = nlkit(
            &[
                "ynl",
                "--family",
                "rt-link",
                "--do",
                "setlink",
                "--json",
                r#"{"ifname": "yv0", "mtu": 1400}"#,
            ],
            None,
        );
        assert_eq!(d.code, 0, "{}", d.stderr);
        assert_eq!(d.stdout, "");
        let out = Command::new("ip")
            .args(["-j", "link", "show", "yv0"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["mtu"], 1400);
    })
    .unwrap();
}

#[test]
fn errors_name_the_json_path_or_the_attribute() {
    in_new_netns(|| {
        // Caught before sending: exit 2, the JSON path.
        let r = nlkit(
            &["ynl", "--family", "ethtool", "--do", "channels-get", "--json", r#"{"header": {"dev-name": 7}}"#],
            None,
        );
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr.lines().next().unwrap(),
            "nlkit: ynl: header.dev-name: expected a string, not a number (see --help)"
        );
        // The kernel's: errno, its ext-ack message, the attribute by spec names.
        let r = nlkit(
            &["ynl", "--family", "ethtool", "--do", "channels-get", "--json", r#"{"header": {"dev-name": "nope"}}"#],
            None,
        );
        assert_eq!(r.code, 1);
        assert_eq!(
            r.stderr.trim_end(),
            "nlkit: ethtool channels-get do: No such device (ENODEV): no device matches name [attribute header.dev-name]"
        );
        let r = nlkit(&["ynl", "--family", "netdev", "--subscribe", "nosuch"], None);
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("no multicast group \"nosuch\" (it has: mgmt"), "{}", r.stderr);
    })
    .unwrap();
}

#[test]
fn subscribe_prints_one_object_per_notification() {
    in_new_netns(|| {
        let mut child = Reaped::new(
            Command::new(bin())
                .args([
                    "ynl",
                    "--family",
                    "netdev",
                    "--subscribe",
                    "mgmt",
                    "-c",
                    "2",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The listener joins the group some time after it starts: make
        // devices until it has seen two (bounded; no time is asserted).
        let mut made = Vec::new();
        let mut got = Vec::new();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in lines.by_ref() {
                if tx.send(l.unwrap()).is_err() {
                    break;
                }
            }
        });
        for i in 0..100 {
            sh(&format!("ip link add yd{i} type veth peer name ye{i}"));
            made.push(ifindex(&format!("yd{i}")));
            made.push(ifindex(&format!("ye{i}")));
            while let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(50)) {
                got.push(l);
            }
            if got.len() >= 2 {
                break;
            }
        }
        if got.len() < 2 {
            let _ = child.kill(); // never left waiting: the assert below says why
        }
        let status = child.wait().unwrap();
        while let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            got.push(l);
        }
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(status.success());
        for l in &got {
            let v: Value = serde_json::from_str(l).unwrap();
            // A new veth is announced (added), then changed (its peer, its
            // carrier): the op names of the spec's notifications.
            let name = v["name"].as_str().unwrap();
            assert!(["dev-add-ntf", "dev-change-ntf"].contains(&name), "{l}");
            let idx = v["msg"]["ifindex"].as_u64().unwrap();
            assert!(made.contains(&idx), "{l}");
        }
    })
    .unwrap();
}

#[test]
fn decode_family_names_attributes_by_the_spec() {
    // A netdev dev-get reply (family id 0x1a as captured), and an rt-link
    // getlink reply: neither has a typed descriptor, both have a spec.
    let netdev = "1c000000 1a00 0000 01000000 00000000 01010000 08000100 01000000";
    let r = nlkit(
        &[
            "decode", "--proto", "generic", "--family", "netdev", "--data", netdev,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "    0  message 1: dev-get (26) len 28 flags 0 seq 1 port 0\n   16    genlmsghdr: cmd 1, version 1\n   20    ifindex (1): 1\n"
    );
    let link = "30000000 1000 0000 01000000 00000000 00000403 01000000 49000100 00000000 08000300 6c6f0000 08000400 00000100";
    let r = nlkit(
        &["-j", "decode", "--family", "rt-link", "--data", link],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let m = &v["messages"][0];
    assert_eq!(m["type_name"], "getlink");
    assert_eq!(m["header"]["struct"], "ifinfomsg");
    assert_eq!(m["header"]["fields"][2]["name"], "ifi-index");
    assert_eq!(m["header"]["fields"][2]["value"], 1);
    let names: Vec<&str> = m["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ifname", "mtu"]);
    assert_eq!(m["attributes"][1]["value"], 65536);
}
