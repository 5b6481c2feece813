//! sock_diag against the real kernel, each test in a fresh network namespace:
//! inet dumps (TCP over IPv4 and IPv6, UDP) with their attributes, filters
//! compiled to bytecode and run by the kernel, `SOCK_DESTROY`, unix and
//! netlink dumps, and a malformed filter refused with a clear error.

use nlkit::diag::filter::{self, Numeric};
use nlkit::diag::inet::{self, InetDestroy, InetDump, InetSock};
use nlkit::diag::netlink::{NetlinkDump, NetlinkSock, PROTO_ALL, SHOW_GROUPS, SHOW_MEMINFO};
use nlkit::diag::unix::{show, UnixDump, UnixSock};
use nlkit::diag::{states, State, AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP};
use nlkit::socket::netns::in_new_netns;
use nlkit::{Connection, Protocol, ToMsg};
use std::io::Read;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::Command;

fn lo_up() {
    let st = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .unwrap();
    assert!(st.success());
}

/// (state, sport, dport, inode) of every socket a dump returns.
fn dump(conn: &Connection, req: &dyn ToMsg) -> Vec<(u8, u16, u16, u32)> {
    let mut v = Vec::new();
    let mut d = conn.dump(req).unwrap();
    while let Some(m) = d.next() {
        let s = InetSock::parse(m.unwrap()).unwrap();
        v.push((s.hdr.state, s.sport(), s.dport(), s.hdr.inode.get()));
    }
    v
}

#[test]
fn tcp_dump_with_every_asked_attribute() {
    in_new_netns(|| {
        lo_up();
        let l = TcpListener::bind("127.0.0.1:4000").unwrap();
        let c = TcpStream::connect("127.0.0.1:4000").unwrap();
        let (_a, _) = l.accept().unwrap();
        let l6 = TcpListener::bind("[::1]:4001").unwrap();
        let conn = Connection::new(Protocol::SOCK_DIAG).unwrap();
        let req = InetDump::new(AF_INET, IPPROTO_TCP)
            .with(inet::INET_DIAG_INFO)
            .with(inet::INET_DIAG_CONG)
            .with(inet::INET_DIAG_SKMEMINFO)
            .with(inet::INET_DIAG_MEMINFO);
        let mut d = conn.dump(&req).unwrap();
        let mut seen = 0;
        while let Some(m) = d.next() {
            let s = InetSock::parse(m.unwrap()).unwrap();
            assert_eq!(s.hdr.family, AF_INET);
            assert_eq!(s.src(), "127.0.0.1".parse::<std::net::IpAddr>().unwrap());
            let info = s.tcp_info().expect("tcp_info asked for");
            assert!(info.snd_cwnd.get() > 0);
            assert!(s.cong().is_some_and(|c| !c.is_empty()));
            let sk = s.skmeminfo().expect("skmeminfo asked for");
            assert!(sk.at(nlkit::diag::SkMemInfo::RCVBUF) > 0);
            assert!(s.meminfo().is_some());
            if s.state() == State::LISTEN {
                assert_eq!(s.sport(), 4000);
                assert_eq!(info.state, 10);
            } else {
                assert_eq!(s.state(), State::ESTABLISHED);
                let cport = c.local_addr().unwrap().port();
                assert!(
                    (s.sport(), s.dport()) == (4000, cport)
                        || (s.sport(), s.dport()) == (cport, 4000)
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 3, "a listener and both ends of one connection");
        // IPv6 is its own dump
        let v6 = dump(&conn, &InetDump::new(AF_INET6, IPPROTO_TCP));
        assert_eq!(v6.len(), 1);
        assert_eq!((v6[0].0, v6[0].1), (10, l6.local_addr().unwrap().port()));
        // states are filtered by the kernel
        let listening = dump(
            &conn,
            &InetDump::new(AF_INET, IPPROTO_TCP).states(State::LISTEN.bit()),
        );
        assert_eq!(listening.len(), 1);
    })
    .unwrap();
}

#[test]
fn filters_run_in_the_kernel() {
    in_new_netns(|| {
        lo_up();
        let l = TcpListener::bind("127.0.0.1:22").unwrap();
        let l2 = TcpListener::bind("127.0.0.1:2000").unwrap();
        let mut keep = Vec::new();
        for _ in 0..3 {
            keep.push(TcpStream::connect("127.0.0.1:22").unwrap());
            keep.push(l.accept().unwrap().0);
        }
        keep.push(TcpStream::connect("127.0.0.1:2000").unwrap());
        keep.push(l2.accept().unwrap().0);
        let conn = Connection::new(Protocol::SOCK_DIAG).unwrap();
        let all = dump(&conn, &InetDump::new(AF_INET, IPPROTO_TCP));
        assert_eq!(all.len(), 10);
        type Want = fn(u16, u16) -> bool;
        let cases: [(&str, Want); 5] = [
            ("( dport = :22 or sport = :22 )", |s, d| s == 22 || d == 22),
            ("sport = :22", |s, _| s == 22),
            ("dport > :1024", |_, d| d > 1024),
            ("not sport = :2000 and dport != :2000", |s, d| {
                s != 2000 && d != 2000
            }),
            ("sport >= :22 sport <= :2000", |s, _| {
                (22..=2000).contains(&s)
            }),
        ];
        for (expr, want) in cases {
            let e = filter::parse(&[expr], 0, &Numeric).unwrap().expr.unwrap();
            let bc = filter::compile(&e).unwrap();
            let got = dump(&conn, &InetDump::new(AF_INET, IPPROTO_TCP).filter(&bc));
            let mut expect: Vec<_> = all.iter().filter(|x| want(x.1, x.2)).copied().collect();
            let mut got_sorted = got.clone();
            expect.sort();
            got_sorted.sort();
            assert_eq!(got_sorted, expect, "{expr}");
            assert!(!got.is_empty() && got.len() < all.len(), "{expr}: {got:?}");
        }
        // address prefixes: 127.0.0.0/8 matches all, 10.0.0.0/8 none; listeners have no peer
        for (expr, n) in [
            ("src 127.0.0.0/8", 10),
            ("src 10.0.0.0/8", 0),
            ("dst 127.0.0.1", 8),
        ] {
            let e = filter::parse(&[expr], 0, &Numeric).unwrap().expr.unwrap();
            let bc = filter::compile(&e).unwrap();
            assert_eq!(
                dump(&conn, &InetDump::new(AF_INET, IPPROTO_TCP).filter(&bc)).len(),
                n,
                "{expr}"
            );
        }
    })
    .unwrap();
}

#[test]
fn bad_bytecode_is_refused_clearly() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::SOCK_DIAG).unwrap();
        // a jump past the end by more than 4: the kernel's audit refuses it
        let bc = [1u8, 4, 12, 0];
        let req = InetDump::new(AF_INET, IPPROTO_TCP).filter(&bc);
        let mut d = conn.dump(&req).unwrap();
        let e = d.next().expect("an answer").unwrap_err();
        assert_eq!(e.errno(), Some(22), "{e}");
        let text = e.to_string();
        assert!(text.contains("dump IPv4 tcp sockets"), "{text}");
    })
    .unwrap();
}

#[test]
fn sock_destroy_closes_a_connection() {
    in_new_netns(|| {
        lo_up();
        let l = TcpListener::bind("127.0.0.1:4100").unwrap();
        let mut c = TcpStream::connect("127.0.0.1:4100").unwrap();
        let (_a, _) = l.accept().unwrap();
        let cport = c.local_addr().unwrap().port();
        let conn = Connection::new(Protocol::SOCK_DIAG).unwrap();
        let e = filter::parse(&[&format!("sport = :{cport}")], 0, &Numeric)
            .unwrap()
            .expr
            .unwrap();
        let bc = filter::compile(&e).unwrap();
        let req = InetDump::new(AF_INET, IPPROTO_TCP).filter(&bc);
        let mut victims = Vec::new();
        {
            let mut d = conn.dump(&req).unwrap();
            while let Some(m) = d.next() {
                let s = InetSock::parse(m.unwrap()).unwrap();
                victims.push(InetDestroy::of(&s, IPPROTO_TCP));
            }
        }
        assert_eq!(victims.len(), 1);
        conn.request(&victims[0], |_| Ok(())).unwrap();
        let mut b = [0u8; 1];
        let r = c.read(&mut b);
        assert!(matches!(r, Err(_) | Ok(0)), "{r:?}");
        // gone: destroying it again finds nothing
        let again = conn.request(&victims[0], |_| Ok(())).unwrap_err();
        assert_eq!(again.errno(), Some(2), "{again}");
        assert!(
            again.to_string().contains("destroy tcp socket 127.0.0.1"),
            "{again}"
        );
        assert!(dump(&conn, &req).is_empty());
    })
    .unwrap();
}

#[test]
fn udp_unix_and_netlink_dumps() {
    in_new_netns(|| {
        lo_up();
        let u = UdpSocket::bind("127.0.0.1:5353").unwrap();
        let conn = Connection::new(Protocol::SOCK_DIAG).unwrap();
        let got = dump(
            &conn,
            &InetDump::new(AF_INET, IPPROTO_UDP).states(states::ALL),
        );
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].0, got[0].1),
            (State::CLOSE.0, u.local_addr().unwrap().port())
        );

        let dir = std::env::temp_dir().join(format!("nlkit-diag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        let ul = UnixListener::bind(&path).unwrap();
        let uc = UnixStream::connect(&path).unwrap();
        let (ua, _) = ul.accept().unwrap();
        let mut names = Vec::new();
        let mut peers = Vec::new();
        let mut d = conn
            .dump(&UnixDump {
                states: states::ALL,
                show: show::NAME | show::PEER | show::RQLEN,
            })
            .unwrap();
        while let Some(m) = d.next() {
            let s = UnixSock::parse(m.unwrap()).unwrap();
            if let Some(n) = s.name() {
                names.push((
                    s.hdr.state,
                    String::from_utf8_lossy(n)
                        .trim_end_matches('\0')
                        .to_string(),
                ));
            }
            peers.push((s.hdr.ino.get(), s.peer().unwrap_or(0)));
        }
        drop(d);
        let p = path.to_string_lossy().to_string();
        assert!(names.contains(&(State::LISTEN.0, p.clone())), "{names:?}");
        assert!(names.contains(&(State::ESTABLISHED.0, p)), "{names:?}");
        // the two ends of the connection name each other
        assert!(
            peers
                .iter()
                .any(|&(i, p)| p != 0 && peers.contains(&(p, i))),
            "{peers:?}"
        );
        drop((uc, ua, ul));
        std::fs::remove_dir_all(&dir).unwrap();

        let n = nlkit::socket::Socket::new(Protocol::ROUTE).unwrap();
        n.bind(1_234_567_890, 1).unwrap();
        let mut found = false;
        let mut d = conn
            .dump(&NetlinkDump {
                protocol: PROTO_ALL,
                show: SHOW_GROUPS | SHOW_MEMINFO,
            })
            .unwrap();
        while let Some(m) = d.next() {
            let s = NetlinkSock::parse(m.unwrap()).unwrap();
            if s.hdr.portid.get() == 1_234_567_890 {
                assert_eq!(s.hdr.protocol, 0);
                assert_eq!(s.groups(), 1);
                assert!(s.skmeminfo().is_some());
                found = true;
            }
        }
        assert!(found);
    })
    .unwrap();
}
