//! `nlkit decode` on captured kernel bytes (`tests/fixtures/`, written by
//! `decode_kernel.rs` with `NLKIT_WRITE_FIXTURES=1`): every hex layout people
//! paste, broken input, JSON keys, wrong arguments.

mod common;

use common::{fixture, fixture_path, nlkit};
use serde_json::Value;

fn decode_stdin(input: &[u8], extra: &[&str]) -> common::Run {
    let mut args = vec!["decode"];
    args.extend_from_slice(extra);
    nlkit(&args, Some(input))
}

#[test]
fn link_dump_of_lo() {
    let r = nlkit(
        &["decode", fixture_path("link_dump_lo.bin").to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let want = [
        "    0  message 1: RTM_NEWLINK (16) len 1468 flags MULTI (0x2) seq 1 port 21101",
        "   16    ifinfomsg: ifi_family 0 (AF_UNSPEC), ifi_type 772 (LOOPBACK), ifi_index 1, ifi_flags 0x8 (LOOPBACK), ifi_change 0x0",
        "   32    IFLA_IFNAME (3): \"lo\"",
        "   48    IFLA_OPERSTATE (16): 2 (DOWN)",
        "   72    IFLA_MTU (4): 65536",
        "  256    IFLA_ADDRESS (1): 00:00:00:00:00:00",
        "  280    IFLA_STATS64 (23): all 25 counters 0",
        "  596    IFLA_QDISC (6): \"noop\"",
        "  608    IFLA_AF_SPEC (26):",
        "  752      AF_INET6 (10):",
        " 1416        IFLA_INET6_ADDR_GEN_MODE (8): 0 (EUI64)",
        " 1460    IFLA_DEVLINK_PORT (62, nested): (empty)",
        " 1468  message 2: NLMSG_DONE (3) len 20 flags MULTI (0x2) seq 1 port 21101",
        "         end of dump (seq 1), status 0: success",
    ];
    for w in want {
        assert!(
            r.stdout.lines().any(|l| l == w),
            "missing {w:?} in\n{}",
            r.stdout
        );
    }
}

#[test]
fn error_with_ext_ack_resolves_the_attribute_in_the_echoed_request() {
    let r = decode_stdin(&fixture("setlink_bad_mtu_error.bin"), &[]);
    assert_eq!(r.code, 0, "{r:?}");
    let want = "    0  message 1: NLMSG_ERROR (2) len 144 flags ACK_TLVS (0x200) seq 2 port 21101
         error -34 for RTM_SETLINK request seq 2 from port 21101: Numerical result out of range (ERANGE)
         kernel says: \"Attribute failed policy validation\"
   52    offending attribute: IFLA_MTU (offset 32 in the request)
         policy: expected type u32
         echoed request:
   20      RTM_SETLINK (19) len 40 flags REQUEST|ACK (0x5) seq 2 port 0
   36        ifinfomsg: ifi_family 0 (AF_UNSPEC), ifi_type 0, ifi_index 1, ifi_flags 0x0, ifi_change 0x0
   52        IFLA_MTU (4, 2 bytes): dc 05  (2 bytes of payload, expected 4)
";
    assert_eq!(r.stdout, want);
}

#[test]
fn capped_ack_is_explained() {
    let r = decode_stdin(&fixture("setlink_capped_ack.bin"), &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r
        .stdout
        .contains("ACK for RTM_SETLINK request seq 3 from port 3119098001"));
    assert!(r
        .stdout
        .contains("echoed request (header only: NLM_F_CAPPED):"));
}

#[test]
fn generic_netlink_nlctrl_and_missing_attribute() {
    let r = decode_stdin(
        &fixture("genl_nlctrl_getfamily.bin"),
        &["--proto", "generic"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    for w in [
        "   16    genlmsghdr: cmd 1 (CTRL_CMD_NEWFAMILY), version 2",
        "   64    CTRL_ATTR_OPS (6):",
        "   68      [1]:",
        "   80        CTRL_ATTR_OP_FLAGS (2): 0xe (GENL_CMD_CAP_DO|GENL_CMD_CAP_DUMP|GENL_CMD_CAP_HASPOL)",
        "  124        CTRL_ATTR_MCAST_GRP_NAME (1): \"notify\"",
    ] {
        assert!(r.stdout.lines().any(|l| l == w), "missing {w:?} in\n{}", r.stdout);
    }
    let r = decode_stdin(&fixture("genl_netdev_missing_attr.bin"), &["--proto", "16"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("Invalid argument (EINVAL)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("missing attribute: type 1"),
        "{}",
        r.stdout
    );
}

fn spaced(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x} ")).collect()
}

#[test]
fn every_hex_layout_gives_the_same_decode() {
    let bytes = fixture("link_dump_lo.bin");
    let want = decode_stdin(&bytes, &[]);
    assert_eq!(want.code, 0);
    assert!(want.stdout.contains("IFLA_IFNAME"));
    let continuous: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
    let layouts: Vec<(&str, String)> = vec![
        ("pairs", spaced(&bytes)),
        ("pairs on lines of 16", {
            bytes.chunks(16).map(spaced).collect::<Vec<_>>().join("\n")
        }),
        ("continuous", continuous.clone()),
        ("continuous, wrapped", {
            continuous
                .as_bytes()
                .chunks(60)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        }),
        ("0x, commas", {
            bytes
                .iter()
                .map(|x| format!("0x{x:02x}"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        ("C array", {
            let body: Vec<String> = bytes.iter().map(|x| format!("0x{x:x}")).collect();
            format!("unsigned char buf[] = {{ {} }};", body.join(","))
        }),
        ("\\x escapes", {
            let s: String = bytes.iter().map(|x| format!("\\x{x:02x}")).collect();
            format!("\"{s}\"")
        }),
        ("uppercase", spaced(&bytes).to_uppercase()),
        (
            "xxd",
            String::from_utf8(fixture("link_dump_lo.xxd")).unwrap(),
        ),
        (
            "hexdump -C",
            String::from_utf8(fixture("link_dump_lo.hexdump")).unwrap(),
        ),
    ];
    for (name, text) in layouts {
        let r = decode_stdin(text.as_bytes(), &[]);
        assert_eq!(r.code, 0, "{name}: {r:?}");
        assert_eq!(r.stdout, want.stdout, "{name}");
    }
    // Binary: detected, or forced with --raw, from stdin or a file.
    let r = decode_stdin(&bytes, &["--raw"]);
    assert_eq!(r.stdout, want.stdout);
    let f = fixture_path("link_dump_lo.bin");
    let r = nlkit(&["decode", "--raw", f.to_str().unwrap()], None);
    assert_eq!(r.stdout, want.stdout);
    // --data on the command line.
    let r = nlkit(&["decode", "--data", &continuous], None);
    assert_eq!(r.stdout, want.stdout);
}

#[test]
fn hexdump_star_lines_are_expanded() {
    // 48 zero bytes where hexdump prints a `*`, after a DONE header: the zeros
    // are padding NOOP-free garbage, so build a message that holds them.
    let mut b = Vec::new();
    b.extend_from_slice(&68u32.to_ne_bytes()); // nlmsg_len: 16 + 52
    b.extend_from_slice(&0x10u16.to_ne_bytes()); // type
    b.extend_from_slice(&0u16.to_ne_bytes()); // flags
    b.extend_from_slice(&1u32.to_ne_bytes()); // seq
    b.extend_from_slice(&0u32.to_ne_bytes()); // pid
    b.extend_from_slice(&[0; 48]);
    b.extend_from_slice(b"end\0");
    let dir = std::env::temp_dir().join(format!("nlkit-star-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("in.bin");
    std::fs::write(&f, &b).unwrap();
    let out = std::process::Command::new("hexdump")
        .arg("-C")
        .arg(&f)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n*\n"), "{text}");
    let r = decode_stdin(text.as_bytes(), &["--proto", "usersock"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("payload (52 bytes): 00 00"),
        "{}",
        r.stdout
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn broken_input_prints_what_came_before_then_the_offset() {
    let mut b = fixture("link_dump_lo.bin");
    b.truncate(1468); // the NEWLINK only
    b.extend_from_slice(&12u32.to_ne_bytes()); // nlmsg_len 12 < 16
    b.extend_from_slice(&[3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    let r = decode_stdin(spaced(&b).as_bytes(), &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("IFLA_IFNAME (3): \"lo\""));
    assert!(r.stdout.contains("IFLA_DEVLINK_PORT"), "{}", r.stdout);
    let last = r.stdout.lines().last().unwrap();
    assert_eq!(
        last,
        " 1468  error at offset 1468: length 12 is shorter than the header"
    );
    assert_eq!(
        r.stderr,
        "nlkit: malformed input: error at offset 1468: length 12 is shorter than the header\n"
    );

    // Cut in the middle of a message.
    let b = &fixture("link_dump_lo.bin")[..1000];
    let r = decode_stdin(b, &["--raw"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "    0  error at offset 0: length 1468 runs past the end of the input (1000 bytes left)\n"
    );

    // An attribute that runs past its message: attributes before it are kept.
    let mut b = fixture("link_dump_lo.bin");
    b[40..42].copy_from_slice(&2000u16.to_ne_bytes()); // IFLA_TXQLEN's nla_len
    let r = decode_stdin(&b, &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("   32    IFLA_IFNAME (3): \"lo\"\n   40    error at offset 40: attribute length 2000 runs past the end of its set (1428 bytes left)\n"), "{}", r.stdout);
    // The next message is still decoded: the message boundary was intact.
    assert!(r.stdout.contains("message 2: NLMSG_DONE"));
}

#[test]
fn not_hex_is_explained() {
    let r = decode_stdin(b"14 00 zz", &["--hex"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not hex: line 1"), "{}", r.stderr);
    let r = nlkit(&["decode", "--data", "12 3"], None);
    assert_eq!(r.code, 1);
    let r = decode_stdin(b"", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr, "nlkit: no bytes to decode\n");
}

#[test]
fn json_keys() {
    let r = decode_stdin(&fixture("setlink_bad_mtu_error.bin"), &["-j"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["protocol"], "route");
    assert_eq!(v["length"], 144);
    assert!(v.get("error").is_none());
    let m = &v["messages"][0];
    assert_eq!(m["offset"], 0);
    assert_eq!(m["type"], 2);
    assert_eq!(m["type_name"], "NLMSG_ERROR");
    assert_eq!(m["flags"], 0x200);
    assert_eq!(m["flag_names"], serde_json::json!(["ACK_TLVS"]));
    assert_eq!(m["seq"], 2);
    assert_eq!(m["port_id"], 21101);
    let c = &m["control"];
    assert_eq!(c["kind"], "error");
    assert_eq!(c["code"], -34);
    assert_eq!(c["errno"], 34);
    assert_eq!(c["errno_name"], "ERANGE");
    assert_eq!(c["errno_text"], "Numerical result out of range");
    assert_eq!(c["capped"], false);
    let x = &c["ext_ack"];
    assert_eq!(x["message"], "Attribute failed policy validation");
    assert_eq!(x["offset"], 32);
    assert_eq!(x["attribute"], "IFLA_MTU");
    assert_eq!(x["attribute_input_offset"], 52);
    assert_eq!(x["policy"], "type u32");
    let req = &c["request"];
    assert_eq!(req["type_name"], "RTM_SETLINK");
    assert_eq!(req["header"]["struct"], "ifinfomsg");
    assert_eq!(req["header"]["fields"][2]["name"], "ifi_index");
    assert_eq!(req["header"]["fields"][2]["value"], 1);
    let a = &req["attributes"][0];
    assert_eq!(a["name"], "IFLA_MTU");
    assert_eq!(a["hex"], "dc05");
    assert_eq!(a["note"], "2 bytes of payload, expected 4");

    let r = decode_stdin(&fixture("link_dump_lo.bin"), &["-j"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let attrs = &v["messages"][0]["attributes"];
    assert_eq!(attrs[0]["name"], "IFLA_IFNAME");
    assert_eq!(attrs[0]["value"], "lo");
    assert_eq!(attrs[0]["offset"], 32);
    let opst = attrs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == 16)
        .unwrap();
    assert_eq!(opst["value"], 2);
    assert_eq!(opst["text"], "DOWN");
    let stats = attrs
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "IFLA_STATS64")
        .unwrap();
    assert_eq!(stats["value"]["rx_packets"], 0);
    let done = &v["messages"][1]["control"];
    assert_eq!(done["kind"], "done");
    assert_eq!(done["code"], 0);

    // Broken input: the break is in the document too, and the exit code says so.
    let r = decode_stdin(&fixture("link_dump_lo.bin")[..1000], &["-j", "--raw"]);
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["error"]["offset"], 0);
    assert_eq!(v["messages"], serde_json::json!([]));

    // usersock payloads as text.
    let mut b = Vec::new();
    b.extend_from_slice(&32u32.to_ne_bytes());
    b.extend_from_slice(&[0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(b"Hello you!\0\0\0\0\0\0");
    let r = decode_stdin(&b, &["-j", "--proto", "usersock"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["messages"][0]["payload"]["text"], "Hello you!");
    assert_eq!(v["messages"][0]["payload"]["len"], 16);
}

#[test]
fn help_documents_json_keys() {
    let r = nlkit(&["decode", "--help"], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("JSON output (-j"), "{}", r.stdout);
    assert!(r.stdout.contains("attribute_input_offset"));
}

#[test]
fn wrong_arguments_exit_2() {
    let r = nlkit(&["decode", "--proto", "bogus"], Some(b""));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown protocol \"bogus\""),
        "{}",
        r.stderr
    );
    let r = nlkit(&["decode", "--raw", "--hex"], Some(b""));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    let r = nlkit(&["decode", "--frobnicate"], Some(b""));
    assert_eq!(r.code, 2);
}

#[test]
fn closed_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // A big input whose output is far more than a pipe buffer; read one line, close.
    let one = fixture("link_dump_lo.bin");
    let many: Vec<u8> = one.iter().copied().cycle().take(one.len() * 200).collect();
    let mut child = Command::new(common::bin())
        .args(["decode", "--raw"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = sin.write_all(&many);
    });
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

/// A message of a generic netlink family nlkit has no descriptor for
/// (dynamic id 0x22): a short string, a string longer than an `xxd` row, a u32.
fn unknown_genl_message() -> Vec<u8> {
    fn attr(b: &mut Vec<u8>, kind: u16, p: &[u8]) {
        b.extend_from_slice(&((4 + p.len()) as u16).to_ne_bytes()); // nla_len
        b.extend_from_slice(&kind.to_ne_bytes()); // nla_type
        b.extend_from_slice(p);
        b.resize(b.len().next_multiple_of(4), 0); // padding
    }
    let mut body = vec![1, 1, 0, 0]; // genlmsghdr: cmd 1, version 1
    attr(&mut body, 1, b"eth0\0");
    attr(&mut body, 2, b"the quick brown fox jumps\0");
    attr(&mut body, 3, &7u32.to_ne_bytes());
    let mut b = Vec::new();
    b.extend_from_slice(&(16 + body.len() as u32).to_ne_bytes()); // nlmsg_len
    b.extend_from_slice(&0x22u16.to_ne_bytes()); // nlmsg_type: the family's id
    b.extend_from_slice(&0u16.to_ne_bytes()); // nlmsg_flags
    b.extend_from_slice(&9u32.to_ne_bytes()); // nlmsg_seq
    b.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid
    b.extend_from_slice(&body);
    b
}

#[test]
fn unknown_generic_family_shows_bytes_as_xxd_does() {
    let r = decode_stdin(
        spaced(&unknown_genl_message()).as_bytes(),
        &["--proto", "generic"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let want = "    0  message 1: type 34 len 72 flags 0 seq 9 port 0
   16    genlmsghdr: cmd 1, version 1
   20    type 1 (5 bytes): 65 74 68 30 00  eth0.
   32    type 2 (26 bytes):
   36      74 68 65 20 71 75 69 63 6b 20 62 72 6f 77 6e 20  the quick brown 
   52      66 6f 78 20 6a 75 6d 70 73 00                    fox jumps.
   64    type 3 (4 bytes): 07 00 00 00  ....
";
    assert_eq!(r.stdout, want);

    let r = decode_stdin(&unknown_genl_message(), &["--proto", "generic", "-j"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let a = &v["messages"][0]["attributes"];
    assert_eq!(a[0]["name"], Value::Null);
    assert_eq!(a[0]["hex"], "6574683000");
    assert_eq!(a[0]["printable"], "eth0.");
    assert_eq!(a[1]["printable"], "the quick brown fox jumps.");
    assert_eq!(a[2]["len"], 4);

    // Told which family the id is, the registry names it (nlctrl stands in
    // for a family loaded at run time); a family it lacks is a usage error.
    let r = decode_stdin(
        &unknown_genl_message(),
        &["--proto", "generic", "--family", "nlctrl=0x22"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("   16    genlmsghdr: cmd 1 (CTRL_CMD_NEWFAMILY), version 1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("CTRL_ATTR_FAMILY_NAME (2): \"the quick brown fox jumps\""),
        "{}",
        r.stdout
    );
    let r = decode_stdin(
        &unknown_genl_message(),
        &["--proto", "generic", "--family", "nlctrl=0x23"],
    );
    assert!(r.stdout.contains("type 2 (26 bytes):"), "{}", r.stdout);
    let r = decode_stdin(
        &unknown_genl_message(),
        &["--proto", "generic", "--family", "wireguard"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "no descriptor for generic netlink family \"wireguard\" (known: nlctrl, nltest)"
        ),
        "{}",
        r.stderr
    );
}

/// A kobject uevent is no netlink message: its fields, named, at their
/// offsets (text and JSON), and bytes that are not a uevent kept with the reason.
#[test]
fn uevent_datagram_fields() {
    let ev = b"remove@/devices/virtual/net/v\xe9\0ACTION=remove\0SUBSYSTEM=net\0SEQNUM=42\0";
    let r = decode_stdin(ev, &["--proto", "uevent", "--raw"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0].trim(), "0  action: \"remove\"");
    assert!(
        lines[1].contains("devpath: \"/devices/virtual/net/v\\xe9\""),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.trim() == "45  SUBSYSTEM: \"net\""),
        "{lines:?}"
    );
    let r = decode_stdin(ev, &["--proto", "uevent", "--raw", "-j"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["messages"], serde_json::json!([]));
    assert_eq!(v["datagram"][3]["name"], "SUBSYSTEM");
    assert_eq!(v["datagram"][3]["value"], "net");
    let r = decode_stdin(b"just some bytes", &["--proto", "uevent", "--raw"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("not a uevent"), "{r:?}");
}

/// nfnetlink (`--proto netfilter`): the subsystem's message and attribute
/// names, `nfgenmsg` field by field.
#[test]
fn netfilter_messages_are_named() {
    use nlkit::netfilter::conntrack::{ct_type, IPCTNL_MSG_CT_DELETE};
    use nlkit::netfilter::NfGenMsg;
    use nlkit::wire::MsgWriter;
    let mut b = Vec::new();
    let mut w = MsgWriter::new(&mut b, ct_type(IPCTNL_MSG_CT_DELETE), 0, 4, 0);
    w.fixed(&NfGenMsg::new(2, 0));
    w.attr_be_u32(8, 7).unwrap(); // CTA_MARK
    w.finish().unwrap();
    let r = decode_stdin(&b, &["--proto", "netfilter", "--raw"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("IPCTNL_MSG_CT_DELETE"), "{}", r.stdout);
    assert!(
        r.stdout.contains("nfgenmsg: nfgen_family 2"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("CTA_MARK"), "{}", r.stdout);
}
