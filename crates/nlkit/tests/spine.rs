//! The spine against the real kernel. Every test runs in a network namespace
//! of its own (`in_new_netns`): the host's interfaces are never touched.

use nlkit::conn::RawRequest;
use nlkit::socket::netns::in_new_netns;
use nlkit::socket::{is_overrun, Dest, Socket};
use nlkit::wire::{AttrIter, MsgFlags, MsgWriter, NLMSG_ERROR};
use nlkit::{AckMode, Connection, Protocol};
use std::process::Command;
use std::sync::Arc;

const RTM_GETADDR: u16 = 22;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;

mod conn_common;
use conn_common::{ifinfomsg, link_dump, setlink_payloads, setlinks, Outcomes};
use conn_common::{RTM_GETLINK, RTM_NEWLINK, RTM_SETLINK};

fn link_name(msg: &[u8]) -> String {
    let attrs = &msg[16 + 16..];
    AttrIter::new(attrs)
        .find(IFLA_IFNAME)
        .unwrap()
        .unwrap()
        .cstr()
        .unwrap()
        .to_string()
}

/// Dumps the links `conn` sees and returns their names, checking each
/// message is an `RTM_NEWLINK`; also whether the dump was interrupted.
fn dump_link_names(conn: &Connection) -> (Vec<String>, bool) {
    let hdr = ifinfomsg(0);
    let req = link_dump(&hdr);
    let mut d = conn.dump(&req).unwrap();
    let mut names = Vec::new();
    while let Some(m) = d.next() {
        let m = m.unwrap();
        assert_eq!(m.msg_type(), RTM_NEWLINK);
        names.push(link_name(m.as_bytes()));
    }
    (names, d.interrupted())
}

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd} failed");
}

#[test]
fn link_dump_sees_lo() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let (names, interrupted) = dump_link_names(&conn);
        assert_eq!(names, ["lo"]);
        assert!(!interrupted);
    })
    .unwrap();
}

#[test]
fn invalid_request_shows_ext_ack_and_attribute() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        // IFLA_MTU must be a u32: send a u16.
        let mut payload = ifinfomsg(1);
        payload.extend_from_slice(&6u16.to_ne_bytes()); // nla_len
        payload.extend_from_slice(&IFLA_MTU.to_ne_bytes()); // IFLA_MTU
        payload.extend_from_slice(&[0xdc, 0x05, 0, 0]); // u16 1500 + padding
        let req = RawRequest {
            msg_type: RTM_SETLINK,
            flags: 0,
            payload: &payload,
            fixed_len: 16,
            what: "set lo mtu",
        };
        let err = conn.request(&req, |_| Ok(())).unwrap_err();
        let k = err.kernel().expect("a kernel error");
        eprintln!("{err}");
        assert_eq!(k.errno, libc::ERANGE, "{err}");
        assert!(
            k.message.as_deref().unwrap_or("").contains("policy"),
            "{err}"
        );
        assert_eq!(k.attr.unwrap().types(), &[IFLA_MTU]);
        assert_eq!(k.attr.unwrap().offset, 32);
        let text = err.to_string();
        assert!(
            text.starts_with("set lo mtu: Numerical result out of range (ERANGE): "),
            "{text}"
        );
        assert!(text.contains("[attribute 4 at offset 32]"), "{text}");
    })
    .unwrap();
}

#[test]
fn strict_check_rejects_malformed_dump() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        // ifaddrmsg with a prefix length set: strict checking refuses it for a dump.
        let hdr = [0u8, 24, 0, 0, 0, 0, 0, 0]; // family, prefixlen 24, flags, scope, index
        let req = RawRequest {
            msg_type: RTM_GETADDR,
            flags: MsgFlags::DUMP,
            payload: &hdr,
            fixed_len: 8,
            what: "dump addresses",
        };
        let mut d = conn.dump(&req).unwrap();
        let err = d.next().unwrap().unwrap_err();
        let k = err.kernel().unwrap();
        assert_eq!(k.errno, libc::EINVAL);
        assert!(
            k.message
                .as_deref()
                .unwrap_or("")
                .contains("Invalid values in header"),
            "{err}"
        );
        assert!(d.next().is_none());
    })
    .unwrap();
}

#[test]
fn usersock_multicast_two_listeners_and_unicast_one() {
    in_new_netns(|| {
        let a = Socket::open(Protocol::USERSOCK).unwrap();
        let b = Socket::open(Protocol::USERSOCK).unwrap();
        for s in [&a, &b] {
            s.add_membership(1).unwrap();
            s.set_pktinfo(true).unwrap();
            s.set_recv_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
        }
        assert_eq!(a.memberships().unwrap(), [1]);
        let tx = Socket::open(Protocol::USERSOCK).unwrap();
        let tx_port = tx.port_id().unwrap();
        let mut msg = Vec::new();
        MsgWriter::new(&mut msg, 0x10, 0, 1, tx_port).bytes(b"Greeting\0");
        // The kernel refuses the unicast part (no kernel socket on USERSOCK) after delivering: not an error.
        tx.send_to(&msg, Dest::group(1).unwrap()).unwrap();
        let mut buf = Vec::new();
        for s in [&a, &b] {
            let info = s.recv(&mut buf).unwrap();
            assert_eq!(info.port_id, tx_port);
            assert_eq!(info.groups, 1);
            assert_eq!(info.group, Some(1));
            assert_eq!(&buf[16..25], b"Greeting\0");
        }
        // Unicast to b only.
        let mut msg = Vec::new();
        MsgWriter::new(&mut msg, 0x10, 0, 2, tx_port).bytes(b"just b");
        tx.send_to(&msg, Dest::port(b.port_id().unwrap())).unwrap();
        let info = b.recv(&mut buf).unwrap();
        assert_eq!((info.groups, info.group), (0, None));
        assert_eq!(&buf[16..info.len], b"just b");
        let e = a.recv_nonblocking(&mut buf).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
        a.drop_membership(1).unwrap();
        assert!(a.memberships().unwrap().is_empty());
    })
    .unwrap();
}

#[test]
fn groups_above_32_and_credentials() {
    in_new_netns(|| {
        // rtnetlink has more than 32 groups: 33 (RTNLGRP_BRVLAN) has no bind-mask bit.
        let route = Socket::open(Protocol::ROUTE).unwrap();
        route.add_membership(1).unwrap();
        route.add_membership(33).unwrap();
        assert_eq!(route.memberships().unwrap(), [1, 33]);
        assert!(Dest::group(33).is_err());
        let rx = Socket::open(Protocol::USERSOCK).unwrap();
        rx.set_passcred(true).unwrap();
        let tx = Socket::open(Protocol::USERSOCK).unwrap();
        let mut msg = Vec::new();
        MsgWriter::new(&mut msg, 0x10, 0, 1, 0).bytes(b"x");
        tx.send_to(&msg, Dest::port(rx.port_id().unwrap())).unwrap();
        let mut buf = Vec::new();
        let info = rx.recv(&mut buf).unwrap();
        let c = info.creds.expect("credentials");
        assert_eq!(c.pid, std::process::id());
        assert_eq!(c.uid, unsafe_free_uid());
    })
    .unwrap();
}

fn unsafe_free_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

#[test]
fn overrun_is_reported_as_overrun() {
    in_new_netns(|| {
        let rx = Socket::open(Protocol::USERSOCK).unwrap();
        rx.set_recv_buffer_size(1, false).unwrap(); // the kernel's minimum
        rx.add_membership(1).unwrap();
        let tx = Socket::open(Protocol::USERSOCK).unwrap();
        let mut msg = Vec::new();
        MsgWriter::new(&mut msg, 0x10, 0, 1, 0).bytes(&[7u8; 512]);
        for _ in 0..200 {
            tx.send_to(&msg, Dest::group(1).unwrap()).unwrap();
        }
        let mut buf = Vec::new();
        let e = rx.recv(&mut buf).unwrap_err();
        assert!(is_overrun(&e), "{e}");
        // After the overrun is reported, the queued messages are still readable.
        rx.recv(&mut buf).unwrap();
        assert_eq!(buf.len(), 16 + 512);
    })
    .unwrap();
}

#[test]
fn spoofed_reply_from_user_port_is_dropped() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let port = conn.socket().port_id().unwrap();
        // A forged error for the connection's first sequence number, from another process's socket.
        let evil = Socket::open(Protocol::ROUTE).unwrap();
        let mut forged = Vec::new();
        let mut w = MsgWriter::new(&mut forged, NLMSG_ERROR, 0, 1, port);
        w.bytes(&(-libc::EPERM).to_ne_bytes());
        w.bytes(&[0u8; 16]);
        w.finish().unwrap();
        evil.send_to(&forged, Dest::port(port)).unwrap();
        let hdr = ifinfomsg(1);
        let req = RawRequest {
            msg_type: RTM_GETLINK,
            flags: 0,
            payload: &hdr,
            fixed_len: 16,
            what: "get lo",
        };
        let reply = conn.get(&req).unwrap();
        assert_eq!(link_name(&reply), "lo");
        assert_eq!(conn.stats().spoofed, 1);
    })
    .unwrap();
}

#[test]
fn eight_threads_share_one_connection() {
    in_new_netns(|| {
        for i in 0..8 {
            sh(&format!("ip link add br{i} type bridge"));
        }
        let conn = Arc::new(Connection::new(Protocol::ROUTE).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let conn = conn.clone();
                std::thread::spawn(move || {
                    let name = format!("br{i}");
                    let mut payload = ifinfomsg(0);
                    payload.extend_from_slice(&((4 + name.len() + 1) as u16).to_ne_bytes()); // nla_len
                    payload.extend_from_slice(&IFLA_IFNAME.to_ne_bytes()); // IFLA_IFNAME
                    payload.extend_from_slice(name.as_bytes());
                    payload.push(0);
                    while payload.len() % 4 != 0 {
                        payload.push(0);
                    }
                    let req = RawRequest {
                        msg_type: RTM_GETLINK,
                        flags: 0,
                        payload: &payload,
                        fixed_len: 16,
                        what: "get link",
                    };
                    for _ in 0..125 {
                        let reply = conn.get(&req).unwrap();
                        assert_eq!(link_name(&reply), name);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(conn.stats().stale, 0);
    })
    .unwrap();
}

/// Batches: both ACK modes report every failure with its index, in order.
#[test]
fn batch_reports_each_failure_in_order() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        // 3000 SETLINK requests on lo; every 100th names a nonexistent index and must fail with ENODEV.
        let payloads = setlink_payloads(3000, 7);
        for mode in [AckMode::ErrorsOnly, AckMode::Every] {
            let mut o = Outcomes::default();
            let sum = conn
                .batch(setlinks(&payloads), mode, |i, r| o.note(i, r))
                .unwrap();
            o.check(3000, 7, sum);
        }
        assert_eq!(conn.stats().stale, 0);
    })
    .unwrap();
}

/// `NETLINK_LISTEN_ALL_NSID`: a notification from another namespace comes
/// with that namespace's id as this namespace knows it.
#[test]
fn notifications_from_another_netns_carry_its_nsid() {
    use std::sync::mpsc;
    in_new_netns(|| {
        // Namespace B lives on its own thread until told to make a link.
        let (tid_tx, tid_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let b = std::thread::spawn(move || {
            in_new_netns(move || {
                tid_tx
                    .send(rustix::thread::gettid().as_raw_nonzero().get())
                    .unwrap();
                go_rx.recv().unwrap();
                sh("ip link add brb type bridge");
            })
            .unwrap();
        });
        let tid = tid_rx.recv().unwrap();
        let nsfile = std::fs::File::open(format!("/proc/self/task/{tid}/ns/net")).unwrap();
        // RTM_NEWNSID: give B the id 7 here.
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let mut payload = vec![0u8; 4]; // rtgenmsg (AF_UNSPEC) + padding
        payload.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        payload.extend_from_slice(&3u16.to_ne_bytes()); // NETNSA_FD
        payload.extend_from_slice(&(std::os::fd::AsRawFd::as_raw_fd(&nsfile) as u32).to_ne_bytes());
        payload.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        payload.extend_from_slice(&1u16.to_ne_bytes()); // NETNSA_NSID
        payload.extend_from_slice(&7i32.to_ne_bytes());
        let req = RawRequest {
            msg_type: 88,
            flags: 0,
            payload: &payload,
            fixed_len: 1,
            what: "set nsid",
        };
        conn.request(&req, |_| Ok(())).unwrap();
        let rx = Socket::open(Protocol::ROUTE).unwrap();
        rx.set_listen_all_nsid(true).unwrap();
        rx.add_membership(1).unwrap(); // RTNLGRP_LINK
        rx.set_recv_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        go_tx.send(()).unwrap();
        b.join().unwrap();
        let mut buf = Vec::new();
        loop {
            let info = rx.recv(&mut buf).unwrap();
            let m = nlkit::wire::MsgIter::new(&buf).next().unwrap().unwrap().1;
            if m.msg_type() == RTM_NEWLINK && link_name(m.as_bytes()) == "brb" {
                assert_eq!(info.nsid, Some(7));
                assert_eq!(info.group, None);
                break;
            }
        }
    })
    .unwrap();
}

/// A socket opened in another namespace by path sees that namespace, and the
/// caller's thread never leaves its own.
#[test]
fn open_socket_in_another_netns_without_moving() {
    use nlkit::socket::netns::Netns;
    use std::sync::mpsc;
    let (tid_tx, tid_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        in_new_netns(move || {
            sh("ip link add brx type bridge");
            tid_tx
                .send(rustix::thread::gettid().as_raw_nonzero().get())
                .unwrap();
            done_rx.recv().unwrap();
        })
        .unwrap();
    });
    let tid = tid_rx.recv().unwrap();
    let before = std::fs::metadata("/proc/thread-self/ns/net")
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    let path = std::path::PathBuf::from(format!("/proc/self/task/{tid}/ns/net"));
    let sock = Netns::Path(&path).open(Protocol::ROUTE).unwrap();
    let after = std::fs::metadata("/proc/thread-self/ns/net")
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    assert_eq!(before, after, "the caller's thread changed namespace");
    let conn = Connection::with_socket(sock).unwrap();
    let (mut names, _) = dump_link_names(&conn);
    names.sort();
    assert_eq!(names, ["brx", "lo"]);
    done_tx.send(()).unwrap();
    holder.join().unwrap();
    let e = Netns::Named("nlkit-no-such-netns")
        .open(Protocol::ROUTE)
        .unwrap_err();
    assert!(
        e.to_string().contains("/run/netns/nlkit-no-such-netns"),
        "{e}"
    );
}

/// Every protocol the issue names can be opened and bound (the kernel
/// chooses the port id); one the kernel lacks says so clearly.
#[test]
fn open_each_protocol() {
    in_new_netns(|| {
        for p in [
            Protocol::ROUTE,
            Protocol::USERSOCK,
            Protocol::GENERIC,
            Protocol::KOBJECT_UEVENT,
            Protocol::NETFILTER,
            Protocol::CONNECTOR,
            Protocol::SOCK_DIAG,
        ] {
            match Socket::open(p) {
                Ok(s) => {
                    assert_eq!(s.protocol(), p);
                    assert_ne!(
                        s.port_id().unwrap(),
                        0,
                        "{p}: bound with a kernel-chosen port id"
                    );
                }
                // A protocol whose kernel side is not built in (connector, nfnetlink) is refused, clearly.
                Err(e) => {
                    assert_eq!(
                        nlkit::socket::errno(&e),
                        Some(libc::EPROTONOSUPPORT),
                        "{p}: {e}"
                    );
                    assert!(e.to_string().contains(&p.to_string()), "{e}");
                }
            }
        }
        // A custom unit with no kernel module behind it: refused with EPROTONOSUPPORT, naming the unit.
        let e = Socket::open(Protocol(17)).unwrap_err();
        assert_eq!(nlkit::socket::errno(&e), Some(libc::EPROTONOSUPPORT), "{e}");
        assert!(e.to_string().contains("17"), "{e}");
        // A chosen port id is honoured.
        let s = Socket::new(Protocol::USERSOCK).unwrap();
        s.bind(4242_4242, 0).unwrap();
        assert_eq!(s.port_id().unwrap(), 4242_4242);
    })
    .unwrap();
}
