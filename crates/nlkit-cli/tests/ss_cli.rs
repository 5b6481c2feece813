//! `nlkit ss` against the installed iproute2 `ss`, in fresh network
//! namespaces: the same sockets (TCP listeners and connected pairs over IPv4
//! and IPv6, UDP, unix stream/dgram/seqpacket, netlink) listed by both, with
//! stdout to a pipe, must print the same bytes; `-K` closes a connection;
//! bad expressions get a clear error; `-j` is valid JSON with the documented keys.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::process::{Command, Stdio};

/// Sockets of every kind the tests list; kept open while they run.
#[allow(dead_code)]
struct Sockets {
    tcp: Vec<TcpStream>,
    listeners: Vec<TcpListener>,
    udp: Vec<UdpSocket>,
    unix: Vec<UnixStream>,
    unix_l: Vec<UnixListener>,
    unix_d: Vec<UnixDatagram>,
    nl: Vec<nlkit::socket::Socket>,
    dir: std::path::PathBuf,
}

impl Drop for Sockets {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn setup() -> Sockets {
    sh("ip link set lo up");
    sh("ip addr add 10.7.0.1/24 dev lo");
    // An IPv4-compatible IPv6 address: ss writes it `[::1.2.3.4]` (inet_ntop).
    sh("ip -6 addr add ::1.2.3.4/96 dev lo nodad");
    let mut s = Sockets {
        tcp: vec![],
        listeners: vec![],
        udp: vec![],
        unix: vec![],
        unix_l: vec![],
        unix_d: vec![],
        nl: vec![],
        dir: std::env::temp_dir().join(format!(
            "nlkit-ss-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )),
    };
    std::fs::create_dir_all(&s.dir).unwrap();
    let l = TcpListener::bind("127.0.0.1:22").unwrap();
    for _ in 0..3 {
        let c = TcpStream::connect("127.0.0.1:22").unwrap();
        let (a, _) = l.accept().unwrap();
        s.tcp.extend([c, a]);
    }
    s.listeners.push(l);
    s.listeners.push(TcpListener::bind("[::]:8080").unwrap());
    s.listeners
        .push(TcpListener::bind("[::1.2.3.4]:8081").unwrap());
    let l6 = TcpListener::bind("[::1]:8443").unwrap();
    let mut c6 = TcpStream::connect("[::1]:8443").unwrap();
    let (a6, _) = l6.accept().unwrap();
    // queued, unread bytes: a non-zero Recv-Q
    c6.write_all(&[7u8; 3000]).unwrap();
    s.tcp.extend([c6, a6]);
    s.listeners.push(l6);
    s.listeners
        .push(TcpListener::bind("10.7.0.1:3000").unwrap());
    let u = UdpSocket::bind("0.0.0.0:5353").unwrap();
    let u2 = UdpSocket::bind("10.7.0.1:0").unwrap();
    u2.connect("10.7.0.1:5353").unwrap();
    u2.send(b"hello").unwrap();
    s.udp.extend([u, u2, UdpSocket::bind("[::]:53").unwrap()]);
    let p = s.dir.join("stream.sock");
    let ul = UnixListener::bind(&p).unwrap();
    let uc = UnixStream::connect(&p).unwrap();
    let (ua, _) = ul.accept().unwrap();
    s.unix.extend([uc, ua]);
    s.unix_l.push(ul);
    let (x, y) = UnixStream::pair().unwrap();
    s.unix.extend([x, y]);
    s.unix_d
        .push(UnixDatagram::bind(s.dir.join("dgram.sock")).unwrap());
    let (d1, d2) = UnixDatagram::pair().unwrap();
    s.unix_d.extend([d1, d2]);
    // a netlink socket with a wide, fixed port id: the tools' own sockets
    // (whose port is their pid) never decide a column's width
    let n = nlkit::socket::Socket::new(nlkit::Protocol::ROUTE).unwrap();
    n.bind(1_234_567_890, 0).unwrap();
    s.nl.push(n);
    s
}

/// stdout of `prog args` (stdout to a pipe), and the child's pid.
fn run(prog: &str, args: &[&str]) -> (String, u32, i32, String) {
    let child = Command::new(prog)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        pid,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ss(args: &str) -> (String, String) {
    let a: Vec<&str> = args.split_whitespace().collect();
    let (theirs, tpid, tc, terr) = run("ss", &a);
    assert_eq!(tc, 0, "ss {args}: {terr}");
    let mut b = vec!["ss"];
    b.extend(&a);
    let (ours, opid, oc, oerr) = run(bin(), &b);
    assert_eq!(oc, 0, "nlkit ss {args}: {oerr}");
    (drop_own(&theirs, tpid), drop_own(&ours, opid))
}

/// Without the line of the tool's own sock_diag socket (its port is its pid).
fn drop_own(s: &str, pid: u32) -> String {
    let tag = format!(":{pid} ");
    s.lines()
        .filter(|l| !l.contains(&tag))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn same(args: &str) -> String {
    let (theirs, ours) = ss(args);
    assert_eq!(ours, theirs, "nlkit ss {args} differs from ss {args}");
    assert!(
        theirs.lines().count() > 1,
        "ss {args} listed nothing:\n{theirs}"
    );
    ours
}

/// For `-i`: the times since the last send/receive tick between the two
/// runs (and are left out while 0), so they are dropped, and the widths they
/// may change with them.
fn normalized(s: &str) -> Vec<Vec<String>> {
    s.lines()
        .map(|l| {
            l.split_whitespace()
                .filter(|w| {
                    !w.split_once(':').is_some_and(|(k, _)| {
                        ["lastsnd", "lastrcv", "lastack", "busy"].contains(&k)
                    })
                })
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn listings_are_ss_byte_for_byte() {
    in_new_netns(|| {
        let _s = setup();
        for args in [
            "-tan",
            "-tln",
            "-uan",
            "-xa",
            "-ta",
            "-tl",
            "-ua",
            "-tuan",
            "-4tan",
            "-6tan",
            "-H -tan",
            "-tanm",
            "-tlnm",
            "-xam",
            "-tane",
            "-tano",
            "-uane",
            "-xae",
            "-x",
            "-t",
            "-an",
            "-A netlink -an",
            "-A inet,unix -an",
            "-f inet6 -an",
            "-ua --tos",
            "-tanO -m",
        ] {
            same(args);
        }
        // tables with nothing in them here: the same header, nothing else
        for args in ["-wa", "-Mtan", "-tan sport = :1"] {
            let (theirs, ours) = ss(args);
            assert_eq!(ours, theirs, "nlkit ss {args}");
        }
    })
    .unwrap();
}

#[test]
fn state_and_expression_filters_match_ss() {
    in_new_netns(|| {
        let _s = setup();
        for args in [
            "-tan state listening",
            "-tan state established",
            "-tn state connected",
            "-at exclude listening",
            "-tan state all",
            "-tan ( dport = :22 or sport = :22 )",
            "-tan dport > :1024",
            "-tan sport < :1024",
            "-tan sport >= :8080 and sport <= :8443",
            "-tan src 127.0.0.0/8",
            "-tan dst [::1]",
            "-tan not src 127.0.0.1",
            "-tan sport = :22 or dst [::1]",
            "-uan sport = :5353",
            "-tan state established ! ( sport = :22 )",
            "-xa src unix:*stream*",
        ] {
            let out = same(args);
            let _ = out;
        }
        // the expression is really applied: the listing shrinks
        let all = same("-tan").lines().count();
        let some = same("-tan sport = :8443").lines().count();
        assert!(some < all && some >= 2);
    })
    .unwrap();
}

/// `nlkit ss ARGS` equals `ss ARGS` once [`normalized`]; returns our output.
fn same_info(args: &str) -> String {
    let a: Vec<&str> = args.split_whitespace().collect();
    let (theirs, _, _, _) = run("ss", &a);
    let mut b = vec!["ss"];
    b.extend(&a);
    let (ours, _, code, err) = run(bin(), &b);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        normalized(&ours),
        normalized(&theirs),
        "nlkit ss {args}\nours:\n{ours}\ntheirs:\n{theirs}"
    );
    ours
}

#[test]
fn tcp_info_matches_ss() {
    in_new_netns(|| {
        let _s = setup();
        for args in ["-ti", "-tani", "-tn -i -e", "-tan -io"] {
            let ours = same_info(args);
            assert!(ours.contains("rtt:") && ours.contains("cwnd:"), "{ours}");
        }
    })
    .unwrap();
}

#[test]
fn kill_closes_a_connection() {
    in_new_netns(|| {
        sh("ip link set lo up");
        let l = TcpListener::bind("127.0.0.1:7000").unwrap();
        let mut c = TcpStream::connect("127.0.0.1:7000").unwrap();
        let (_a, _) = l.accept().unwrap();
        let keep = TcpStream::connect("127.0.0.1:7000").unwrap();
        let (_b, _) = l.accept().unwrap();
        let port = c.local_addr().unwrap().port();
        let out = ok(&format!("ss -tnK sport = :{port}"));
        assert!(out.contains(&format!("127.0.0.1:{port}")), "{out}");
        assert_eq!(out.lines().count(), 2, "{out}");
        // the killed socket is gone: reads fail, ss no longer lists it
        let mut buf = [0u8; 1];
        let r = c.read(&mut buf);
        assert!(r.is_err() || r.unwrap() == 0, "the connection still works");
        let after = run("ss", &["-tn", "sport", "=", &format!(":{port}")]).0;
        assert_eq!(after.lines().count(), 1, "{after}");
        // the other connection is untouched
        let other = keep.local_addr().unwrap().port();
        let left = run("ss", &["-tn", "sport", "=", &format!(":{other}")]).0;
        assert_eq!(left.lines().count(), 2, "{left}");
    })
    .unwrap();
}

#[test]
fn bad_expressions_get_clear_errors() {
    in_new_netns(|| {
        sh("ip link set lo up");
        for (args, want) in [
            ("ss -tan ( dport = :22", "missing ')'"),
            ("ss -tan dport = :22 )", "unexpected ')'"),
            (
                "ss -tan sport = :nosuchservice",
                "does not look like a port",
            ),
            ("ss -tan src 10.0.0.999", "an inet prefix is expected"),
            ("ss -tan dport >", "expected a port"),
            ("ss -tan state nosuchstate", "wrong state name"),
            ("ss -Q", "invalid option"),
            ("ss -A nosuchtable", "illegal socket table id"),
        ] {
            let r = nl(args);
            assert_eq!(r.code, 2, "{args}: {r:?}");
            assert!(r.stderr.contains(want), "{args}: {}", r.stderr);
            assert_eq!(r.stdout, "", "{args}");
        }
    })
    .unwrap();
}

#[test]
fn json_has_the_documented_keys() {
    in_new_netns(|| {
        let _s = setup();
        let v: serde_json::Value = serde_json::from_str(&ok("ss -tanij")).unwrap();
        let a = v.as_array().unwrap();
        let text = same("-tan");
        assert_eq!(a.len(), text.lines().count() - 1);
        let est = a
            .iter()
            .find(|o| o["state"] == "ESTAB" && o["local_port"] == "22")
            .unwrap();
        for k in [
            "netid",
            "state",
            "recv_q",
            "send_q",
            "local_address",
            "local_port",
            "peer_address",
            "peer_port",
            "ino",
            "sk",
            "uid",
            "tcp_info",
            "cong",
        ] {
            assert!(est.get(k).is_some(), "no {k} in {est}");
        }
        assert_eq!(est["local_address"], "127.0.0.1");
        assert!(est["tcp_info"]["snd_cwnd"].as_u64().unwrap() > 0);
        let v: serde_json::Value = serde_json::from_str(&ok("ss -xaj")).unwrap();
        assert!(v
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["netid"] == "u_str" && o["state"] == "LISTEN"));
        let empty: serde_json::Value = serde_json::from_str(&ok("ss -tanj sport = :1")).unwrap();
        assert_eq!(empty, serde_json::json!([]));
    })
    .unwrap();
}

/// `-N NETNS` lists the sockets of a named namespace, as ss does.
#[test]
fn named_netns() {
    in_new_netns(|| {
        let name = format!("nlkit-ss-test-{}", std::process::id());
        sh(&format!("ip netns add {name}"));
        struct Del(String);
        impl Drop for Del {
            fn drop(&mut self) {
                let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
            }
        }
        let _guard = Del(name.clone());
        sh(&format!("ip -n {name} link set lo up"));
        let _l = nlkit::socket::netns::Netns::Named(&name)
            .run(|| TcpListener::bind("127.0.0.1:4242"))
            .unwrap();
        let there = same(&format!("-N {name} -tln"));
        assert!(there.contains("127.0.0.1:4242"), "{there}");
        let here = ok("ss -tln");
        assert!(!here.contains("4242"), "{here}");
        let r = nl("ss -N no-such-netns-here -tln");
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("no-such-netns-here"), "{r:?}");
    })
    .unwrap();
}

/// An MPTCP socket (std cannot make one), as a std socket type.
fn mptcp<T: From<std::os::fd::OwnedFd>>() -> T {
    use rustix::net::{ipproto, socket, AddressFamily, SocketType};
    T::from(
        socket(
            AddressFamily::INET,
            SocketType::STREAM,
            Some(ipproto::MPTCP),
        )
        .unwrap(),
    )
}

/// MPTCP sockets (`-M`) and their TCP subflows, with `-i` and `-m`.
#[test]
fn mptcp_matches_ss() {
    in_new_netns(|| {
        sh("ip link set lo up");
        let addr = std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 9000);
        let l: TcpListener = mptcp();
        rustix::net::bind(&l, &addr).unwrap();
        rustix::net::listen(&l, 16).unwrap();
        let c: TcpStream = mptcp();
        rustix::net::connect(&c, &addr).unwrap();
        let (_a, _) = l.accept().unwrap();
        let out = same("-Mtan");
        assert!(out.contains("mptcp ESTAB"), "{out}");
        same("-Mtanm");
        for args in ["-Mtani", "-tani"] {
            let ours = same_info(args);
            assert!(ours.contains("tcp-ulp-mptcp"), "{ours}");
        }
    })
    .unwrap();
}

/// `-s`: the same summary as ss. Only the per-namespace counts are compared
/// (the transport table, `estab`): `Total:`, `closed` and `orphaned` come
/// from system-wide counters that other tests move meanwhile.
#[test]
fn summary_matches_ss() {
    in_new_netns(|| {
        let _s = setup();
        let strip = |s: &str| -> String {
            let table = s.split_once("\n\n").map_or("", |(_, t)| t).to_string();
            let estab = s.split("estab ").nth(1).and_then(|r| r.split(',').next());
            format!("estab {estab:?}\n{table}")
        };
        let theirs = run("ss", &["-s"]).0;
        let ours = ok("ss -s");
        assert_eq!(strip(&ours), strip(&theirs));
        assert!(
            ours.contains("TCP:   ") && ours.contains("estab 8,"),
            "{ours}"
        );
    })
    .unwrap();
}
