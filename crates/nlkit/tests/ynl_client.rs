//! The runtime YNL client against the host kernel, each test in a netns of
//! its own, with the kernel's specs (Debian's `linux-doc-6.12`): nlctrl,
//! netdev and ethtool through their specs, checked against the typed path
//! and `ip -j`.

use nlkit::socket::netns::in_new_netns;
use nlkit::ynl::{Client, Mode, Schema};
use nlkit::{genl, Connection, Protocol};
use serde_json::{json, Value};
use std::process::Command;

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ipj(args: &str) -> Value {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ip -j {args}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "ip -j {args}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every message of a dump of `op`, each as the JSON the schema writes.
fn dump(schema: &Schema, client: &Client, op: &str, req: Value) -> Vec<Value> {
    let o = schema.op(op);
    let mut out = Vec::new();
    client
        .dump(schema, op, &req, &mut |m| {
            let mut b = Vec::new();
            schema.reply_to(&m, o, &mut b)?;
            out.push(serde_json::from_slice(&b).expect("valid JSON"));
            Ok(())
        })
        .unwrap();
    out
}

/// The reply of a do of `op` (None for a bare ACK).
fn do_(schema: &Schema, client: &Client, op: &str, req: Value) -> nlkit::Result<Option<Value>> {
    let r = schema.request(op, Mode::Do, &req)?;
    let o = schema.op(op);
    let mut reply = None;
    client.request(&r, &mut |m| {
        let mut b = Vec::new();
        schema.reply_to(&m, o, &mut b)?;
        reply = Some(serde_json::from_slice(&b).expect("valid JSON"));
        Ok(())
    })?;
    Ok(reply)
}

#[test]
fn nlctrl_getfamily_dump_equals_typed_families() {
    in_new_netns(|| {
        let schema = Schema::find("nlctrl").unwrap();
        let client = Client::open(&schema).unwrap();
        let spec = dump(&schema, &client, "getfamily", json!({}));
        let typed = genl::families(&Connection::new(Protocol::GENERIC).unwrap()).unwrap();
        assert!(typed.len() >= 3, "{typed:?}");
        assert_eq!(spec.len(), typed.len());
        for (s, t) in spec.iter().zip(&typed) {
            assert_eq!(s["family-name"], t.name, "{s}");
            assert_eq!(s["family-id"], t.id, "{s}");
            assert_eq!(s["version"], t.version, "{s}");
            assert_eq!(s["hdrsize"], t.hdrsize, "{s}");
            assert_eq!(s["maxattr"], t.maxattr, "{s}");
            let ops = s["ops"].as_array().map_or(&[][..], |v| v);
            assert_eq!(ops.len(), t.ops.len(), "{s}");
            for (so, to) in ops.iter().zip(&t.ops) {
                assert_eq!(so["id"], to.id, "{s}");
            }
            let groups = s["mcast-groups"].as_array().map_or(&[][..], |v| v);
            assert_eq!(groups.len(), t.groups.len(), "{s}");
            for (sg, tg) in groups.iter().zip(&t.groups) {
                assert_eq!(sg["name"], tg.name, "{s}");
                assert_eq!(sg["id"], tg.id, "{s}");
            }
        }
    })
    .unwrap();
}

#[test]
fn netdev_dev_get_dump_lists_each_device_as_ip_does() {
    in_new_netns(|| {
        sh("ip link add yv0 type veth peer name yv1 && ip link set lo up");
        let schema = Schema::find("netdev").unwrap();
        let client = Client::open(&schema).unwrap();
        let devs = dump(&schema, &client, "dev-get", json!({}));
        let mut got: Vec<u64> = devs
            .iter()
            .map(|d| d["ifindex"].as_u64().unwrap())
            .collect();
        let mut want: Vec<u64> = ipj("link show")
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["ifindex"].as_u64().unwrap())
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(got.len(), 3);
        // xdp-features is a flags set: an array of names.
        assert!(
            devs.iter().all(|d| d["xdp-features"].is_array()),
            "{devs:?}"
        );
        // A do for one device answers with that device.
        let lo = do_(&schema, &client, "dev-get", json!({"ifindex": 1}))
            .unwrap()
            .unwrap();
        assert_eq!(lo["ifindex"], 1);
    })
    .unwrap();
}

#[test]
fn ethtool_linkinfo_and_channels_of_a_veth() {
    in_new_netns(|| {
        sh("ip link add yv0 numtxqueues 3 numrxqueues 2 type veth peer name yv1");
        let schema = Schema::find("ethtool").unwrap();
        let client = Client::open(&schema).unwrap();
        let dev = json!({"header": {"dev-name": "yv0"}});
        let li = do_(&schema, &client, "linkinfo-get", dev.clone())
            .unwrap()
            .unwrap();
        let link = &ipj("-d link show yv0")[0];
        assert_eq!(li["header"]["dev-name"], "yv0", "{li}");
        assert_eq!(li["header"]["dev-index"], link["ifindex"], "{li}");
        // veth_get_link_ksettings: PORT_TP (0), XCVR_INTERNAL (0).
        assert_eq!(li["port"], 0, "{li}");
        assert_eq!(li["transceiver"], 0, "{li}");
        let ch = do_(&schema, &client, "channels-get", dev).unwrap().unwrap();
        // veth reports its queues as combined channels: what `ip -d` says.
        let rx = link["num_rx_queues"].as_u64().unwrap();
        let tx = link["num_tx_queues"].as_u64().unwrap();
        assert_eq!(ch["rx-count"], rx, "{ch}");
        assert_eq!(ch["tx-count"], tx, "{ch}");
        assert_eq!(ch["header"]["dev-name"], "yv0", "{ch}");
    })
    .unwrap();
}

#[test]
fn kernel_errors_name_the_attribute_with_spec_names() {
    in_new_netns(|| {
        let schema = Schema::find("ethtool").unwrap();
        let client = Client::open(&schema).unwrap();
        // No such device: ENODEV, the ext-ack pointing at the name in the header nest.
        let e = do_(
            &schema,
            &client,
            "linkinfo-get",
            json!({"header": {"dev-name": "nosuchdev"}}),
        )
        .unwrap_err();
        let k = e.kernel().expect("a kernel error");
        assert_eq!(k.errno, libc::ENODEV, "{e}");
        assert_eq!(k.attr_name.as_deref(), Some("header.dev-name"), "{e:#}");
        assert_eq!(
            k.message.as_deref(),
            Some("no device matches name"),
            "{e:#}"
        );
    })
    .unwrap();
}

#[test]
fn json_requests_are_checked_before_sending() {
    let schema = Schema::find("ethtool").unwrap();
    let bad = |op: &str, j: Value| schema.request(op, Mode::Do, &j).unwrap_err().to_string();
    assert_eq!(
        bad("linkinfo-get", json!({"header": {"dev-nam": "v0"}})),
        "header.dev-nam: unknown attribute (set \"header\" has: dev-index, dev-name, flags, phy-index)"
    );
    assert_eq!(
        bad("linkinfo-get", json!({"header": {"dev-name": 3}})),
        "header.dev-name: expected a string, not a number"
    );
    assert_eq!(
        bad("linkinfo-get", json!({"header": {"dev-index": 1u64 << 33}})),
        "header.dev-index: 8589934592 is out of range for u32 (0 to 4294967295)"
    );
    assert_eq!(
        bad("linkinfo-get", json!({"header": {"dev-index": -1}})),
        "header.dev-index: -1 is out of range for u32 (0 to 4294967295)"
    );
    assert_eq!(
        bad("linkinfo-get", json!({"header": {"flags": ["compact-bitsets", "bogus"]}})),
        "header.flags[1]: \"bogus\" is not a value of flags header-flags (it has: compact-bitsets, omit-reply, stats)"
    );
    assert_eq!(
        bad("linkinfo-get", json!({"header": 1})),
        "header: expected an object, not a number"
    );
    assert_eq!(
        bad("linkinfo-get", json!([1])),
        "expected an object, not an array"
    );
    assert_eq!(
        bad("no-such-op", json!({}))
            .split(" (it has")
            .next()
            .unwrap(),
        "family \"ethtool\" has no operation \"no-such-op\""
    );
    // checks: max-len of a string (netdev has none; the nltest spec does).
    let nl = Schema::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../kernel/module/nltest.yaml"
    )))
    .unwrap();
    let long = "x".repeat(300);
    let e = nl
        .request("echo", Mode::Do, &json!({"name": long}))
        .unwrap_err();
    assert_eq!(e.path, "name");
    assert!(e.msg.contains("longer than max-len"), "{e}");
    // Enum names are accepted, and the request is built.
    let r = schema
        .request(
            "linkinfo-get",
            Mode::Do,
            &json!({"header": {"dev-name": "v0", "flags": ["omit-reply"]}}),
        )
        .unwrap();
    assert_eq!(r.payload()[0], 2 /* ETHTOOL_MSG_LINKINFO_GET */);
}

#[test]
fn rt_link_newlink_with_a_sub_message_then_getlink_dump() {
    in_new_netns(|| {
        sh("ip link add yv0 type veth peer name yv1");
        let schema = Schema::find("rt-link").unwrap();
        let client = Client::open(&schema).unwrap();
        // A bridge made through the spec: linkinfo's data chosen by its kind
        // (the bridge is built in; this kernel loads no modules).
        let mut req = schema
            .request(
                "newlink",
                Mode::Do,
                &json!({"ifname": "ybr", "mtu": 1400, "linkinfo": {"kind": "bridge",
                        "data": {"priority": 1234, "stp-state": 1}}}),
            )
            .unwrap();
        req.flags |= nlkit::wire::MsgFlags::CREATE | nlkit::wire::MsgFlags::EXCL;
        let mut replies = 0;
        client
            .request(&req, &mut |_| {
                replies += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(replies, 0, "a bare ACK");
        let ip = ipj("-d link show ybr");
        assert_eq!(ip[0]["mtu"], 1400);
        assert_eq!(ip[0]["linkinfo"]["info_kind"], "bridge");
        assert_eq!(ip[0]["linkinfo"]["info_data"]["priority"], 1234);
        assert_eq!(ip[0]["linkinfo"]["info_data"]["stp_state"], 1);
        // The dump: the fixed header's fields and the attributes by name.
        let links = dump(&schema, &client, "getlink", json!({}));
        let ipl = ipj("-d link show");
        assert_eq!(links.len(), ipl.as_array().unwrap().len());
        for (l, i) in links.iter().zip(ipl.as_array().unwrap()) {
            assert_eq!(l["ifi-index"], i["ifindex"], "{l}");
            assert_eq!(l["ifname"], i["ifname"], "{l}");
            assert_eq!(l["mtu"], i["mtu"], "{l}");
            assert_eq!(l["address"], i["address"], "{l}");
            let flags = l["ifi-flags"].as_array().unwrap();
            let ip_up = i["flags"].as_array().unwrap().contains(&json!("UP"));
            assert_eq!(flags.contains(&json!("up")), ip_up, "{l}");
        }
        let br = links.iter().find(|l| l["ifname"] == "ybr").unwrap();
        assert_eq!(br["linkinfo"]["kind"], "bridge", "{br}");
        assert_eq!(br["linkinfo"]["data"]["priority"], 1234, "{br}");
        assert_eq!(br["linkinfo"]["data"]["stp-state"], 1, "{br}");
        // A binary attribute with a struct: its members by name.
        assert_eq!(
            br["linkinfo"]["data"]["bridge-id"]["prio"],
            json!(1234u16.to_be()),
            "{br}"
        );
        let veth = links.iter().find(|l| l["ifname"] == "yv0").unwrap();
        assert_eq!(veth["linkinfo"]["kind"], "veth", "{veth}");
    })
    .unwrap();
}

mod never_aborts {
    use super::*;
    use nlkit::wire::{Msg, MsgWriter};
    use proptest::prelude::*;

    /// Attributes: (type, payload, nested (type, payload)s).
    type Attrs = Vec<(u16, Vec<u8>, Vec<(u16, Vec<u8>)>)>;

    fn attrs() -> impl Strategy<Value = Attrs> {
        prop::collection::vec(
            (
                0u16..70,
                prop::collection::vec(any::<u8>(), 0..24),
                prop::collection::vec((0u16..12, prop::collection::vec(any::<u8>(), 0..12)), 0..4),
            ),
            0..12,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any attributes, of any size, in an rt-link getlink or an ethtool
        /// linkinfo reply: the JSON is always valid, nothing panics.
        #[test]
        fn random_replies_give_valid_json(list in attrs(), header in prop::collection::vec(any::<u8>(), 0..20)) {
            use std::sync::OnceLock;
            static SPECS: OnceLock<(Schema, Schema)> = OnceLock::new();
            let (link, eth) = SPECS.get_or_init(|| {
                (Schema::find("rt-link").unwrap(), Schema::find("ethtool").unwrap())
            });
            for (schema, op, ty, fixed) in [(link, "getlink", 16u16, 16usize), (eth, "linkinfo-get", 30, 4)] {
                let mut buf = Vec::new();
                let mut w = MsgWriter::new(&mut buf, ty, 0, 0, 0);
                let mut h = header.clone();
                h.resize(fixed, 0);
                w.fixed(&h[..]);
                for (k, p, inner) in &list {
                    if inner.is_empty() {
                        w.attr(*k, p).unwrap();
                    } else {
                        w.nest(*k, |w| {
                            for (ik, ip) in inner {
                                w.attr(*ik, ip)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                    }
                }
                w.finish().unwrap();
                let m = Msg::new_checked(&buf[..]).unwrap();
                let mut out = Vec::new();
                schema.reply_to(&m, schema.op(op), &mut out).unwrap();
                let v: Result<Value, _> = serde_json::from_slice(&out);
                prop_assert!(v.is_ok(), "{}", String::from_utf8_lossy(&out));
                // One object per message, whatever was in it.
                prop_assert!(v.unwrap().is_object());
            }
        }
    }
}
