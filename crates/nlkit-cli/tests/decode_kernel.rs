//! `nlkit decode` on bytes the kernel sends right now, in a fresh netns:
//! a link dump, an error with an extended ACK, a capped ACK, an `nlctrl`
//! reply and a missing-attribute error.
//!
//! With `NLKIT_WRITE_FIXTURES=1` the captures are also written to
//! `tests/fixtures/` (with `xxd` and `hexdump -C` renderings) for the
//! fixture tests in `decode.rs`, which pin the output on known bytes.

mod common;

use common::{fixture_path, nlkit};
use nlkit::socket::netns::in_new_netns;
use nlkit::socket::Socket;
use nlkit::wire::{MsgFlags, MsgIter, MsgWriter, NLMSG_DONE, NLMSG_ERROR};
use nlkit::Protocol;
use std::process::Command;

const RTM_GETLINK: u16 = 18;
const RTM_SETLINK: u16 = 19;
const IFLA_MTU: u16 = 4;

fn ifinfomsg(index: i32) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[4..8].copy_from_slice(&index.to_ne_bytes()); // ifi_index
    h
}

/// Sends one request and collects every datagram of the answer (up to DONE or ERROR).
fn exchange(sock: &Socket, req: &[u8]) -> Vec<u8> {
    sock.set_recv_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    sock.send(req).unwrap();
    let mut all = Vec::new();
    let mut buf = Vec::new();
    loop {
        sock.recv(&mut buf).unwrap();
        all.extend_from_slice(&buf);
        let last = MsgIter::new(&buf).any(|m| {
            matches!(m, Ok((_, m)) if m.msg_type() == NLMSG_DONE || m.msg_type() == NLMSG_ERROR)
        });
        let multi = MsgIter::new(&buf)
            .any(|m| matches!(m, Ok((_, m)) if m.flags().contains(MsgFlags::MULTI)));
        if last || !multi {
            return all;
        }
    }
}

struct Captures {
    link_dump: Vec<u8>,
    bad_mtu: Vec<u8>,
    capped_ack: Vec<u8>,
    nlctrl: Vec<u8>,
    missing: Option<Vec<u8>>,
}

fn capture() -> Captures {
    in_new_netns(|| {
        let s = Socket::open(Protocol::ROUTE).unwrap();
        s.set_ext_ack(true).unwrap();
        let mut req = Vec::new();
        let mut w = MsgWriter::new(
            &mut req,
            RTM_GETLINK,
            MsgFlags::REQUEST | MsgFlags::DUMP,
            1,
            0,
        );
        w.fixed(&ifinfomsg(0));
        w.finish().unwrap();
        let link_dump = exchange(&s, &req);

        // IFLA_MTU must be a u32: send a u16.
        let mut req = Vec::new();
        let mut w = MsgWriter::new(
            &mut req,
            RTM_SETLINK,
            MsgFlags::REQUEST | MsgFlags::ACK,
            2,
            0,
        );
        w.fixed(&ifinfomsg(1));
        w.attr_u16(IFLA_MTU, 1500).unwrap();
        w.finish().unwrap();
        let bad_mtu = exchange(&s, &req);

        let c = Socket::open(Protocol::ROUTE).unwrap();
        c.set_ext_ack(true).unwrap();
        c.set_cap_ack(true).unwrap();
        let mut req = Vec::new();
        let mut w = MsgWriter::new(
            &mut req,
            RTM_SETLINK,
            MsgFlags::REQUEST | MsgFlags::ACK,
            3,
            0,
        );
        w.fixed(&ifinfomsg(1));
        w.attr_u32(IFLA_MTU, 65536).unwrap();
        w.finish().unwrap();
        let capped_ack = exchange(&c, &req);

        let g = Socket::open(Protocol::GENERIC).unwrap();
        g.set_ext_ack(true).unwrap();
        let mut req = Vec::new();
        let mut w = MsgWriter::new(&mut req, 0x10, MsgFlags::REQUEST, 4, 0);
        w.fixed(&[3u8, 1, 0, 0]); // CTRL_CMD_GETFAMILY, version 1
        w.attr_str(2, "nlctrl").unwrap(); // CTRL_ATTR_FAMILY_NAME
        w.finish().unwrap();
        let nlctrl = exchange(&g, &req);

        // The "netdev" family's DEV_GET needs NETDEV_A_DEV_IFINDEX: leave it out.
        let mut req = Vec::new();
        let mut w = MsgWriter::new(&mut req, 0x10, MsgFlags::REQUEST, 5, 0);
        w.fixed(&[3u8, 1, 0, 0]);
        w.attr_str(2, "netdev").unwrap();
        w.finish().unwrap();
        let fam = exchange(&g, &req);
        let missing = family_id(&fam).map(|id| {
            let mut req = Vec::new();
            let mut w = MsgWriter::new(&mut req, id, MsgFlags::REQUEST | MsgFlags::ACK, 6, 0);
            w.fixed(&[1u8, 1, 0, 0]); // NETDEV_CMD_DEV_GET
            w.finish().unwrap();
            exchange(&g, &req)
        });
        Captures {
            link_dump,
            bad_mtu,
            capped_ack,
            nlctrl,
            missing,
        }
    })
    .unwrap()
}

fn family_id(reply: &[u8]) -> Option<u16> {
    let (_, m) = MsgIter::new(reply).next()?.ok()?;
    if m.msg_type() != 0x10 {
        return None;
    }
    let attrs = m.payload().get(4..)?;
    nlkit::wire::AttrIter::new(attrs).find(1).ok()??.u16().ok()
}

fn write_fixture(name: &str, bytes: &[u8]) {
    let bin = fixture_path(&format!("{name}.bin"));
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::write(&bin, bytes).unwrap();
    for (tool, args, ext) in [("xxd", &[][..], "xxd"), ("hexdump", &["-C"][..], "hexdump")] {
        let out = Command::new(tool).args(args).arg(&bin).output().unwrap();
        assert!(out.status.success());
        std::fs::write(fixture_path(&format!("{name}.{ext}")), out.stdout).unwrap();
    }
}

fn decode_hex(bytes: &[u8], proto: &str) -> common::Run {
    let hex: String = bytes.iter().map(|b| format!("{b:02x} ")).collect();
    nlkit(&["decode", "--proto", proto], Some(hex.as_bytes()))
}

#[test]
fn live_kernel_replies_decode() {
    let c = capture();
    if std::env::var_os("NLKIT_WRITE_FIXTURES").is_some() {
        write_fixture("link_dump_lo", &c.link_dump);
        write_fixture("setlink_bad_mtu_error", &c.bad_mtu);
        write_fixture("setlink_capped_ack", &c.capped_ack);
        write_fixture("genl_nlctrl_getfamily", &c.nlctrl);
        if let Some(m) = &c.missing {
            write_fixture("genl_netdev_missing_attr", m);
        }
    }

    let r = decode_hex(&c.link_dump, "route");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("RTM_NEWLINK (16)"), "{}", r.stdout);
    assert!(r.stdout.contains("IFLA_IFNAME (3): \"lo\""), "{}", r.stdout);
    assert!(
        r.stdout.contains("end of dump (seq 1), status 0: success"),
        "{}",
        r.stdout
    );

    let r = decode_hex(&c.bad_mtu, "route");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("error -34 for RTM_SETLINK request seq 2"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(ERANGE)"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("offending attribute: IFLA_MTU (offset 32 in the request)"),
        "{}",
        r.stdout
    );

    let r = decode_hex(&c.capped_ack, "route");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("ACK for RTM_SETLINK request seq 3 from port"),
        "{}",
        r.stdout
    );

    let r = decode_hex(&c.nlctrl, "generic");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("CTRL_ATTR_FAMILY_NAME (2): \"nlctrl\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("CTRL_ATTR_MCAST_GRP_NAME (1): \"notify\""),
        "{}",
        r.stdout
    );

    if let Some(m) = &c.missing {
        let r = decode_hex(m, "generic");
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.contains("missing attribute: type 1"),
            "{}",
            r.stdout
        );
    }
}
