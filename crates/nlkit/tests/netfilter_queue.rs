//! NFQUEUE against the real kernel, each test in a netns of its own, with
//! the xtables `NFQUEUE` target (iptables-nft): accept and drop with the
//! payload intact, a mark set by the verdict matched by a later nft rule,
//! batch verdicts, a refused verdict reported with its packet id, fail-open,
//! ENOBUFS counted, GSO packets larger than the MTU with CAP_LEN, and two
//! queues served by two threads (`--queue-balance`).

use nlkit::netfilter::queue::*;
use nlkit::netfilter::summary::Summary;
use nlkit::socket::netns::in_new_netns;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;

fn sh(cmd: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn receiver(port: u16) -> UdpSocket {
    let r = UdpSocket::bind(("127.0.0.1", port)).unwrap();
    r.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    r
}

/// Everything `r` receives until it has been quiet for a while.
fn drain(r: &UdpSocket) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let mut b = [0u8; 2048];
    while let Ok(n) = r.recv(&mut b) {
        got.push(b[..n].to_vec());
    }
    got
}

fn setup_udp(port: &str, queue: &str) {
    sh("ip link set lo up");
    sh(&format!(
        "iptables -A OUTPUT -p udp --dport {port} -j NFQUEUE {queue}"
    ));
}

/// The next packet's id, payload, hook and queue.
fn next_packet(q: &mut Queue) -> (u32, Vec<u8>, (u8, u16)) {
    loop {
        match q.recv().unwrap() {
            Event::Packet(p) => {
                assert_eq!(p.malformed_attrs().count(), 0, "{p:?}");
                let payload = p.payload.unwrap_or(&[]).to_vec();
                return (p.id().unwrap(), payload, (p.hook().unwrap(), p.queue()));
            }
            Event::Lost => continue,
            e => panic!("unexpected {e:?}"),
        }
    }
}

#[test]
fn accept_and_drop_payload_intact() {
    in_new_netns(|| {
        setup_udp("5000", "--queue-num 0");
        let mut q = Queue::open(0, &Config::default()).unwrap();
        let r = receiver(5000);
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        for i in 0..10 {
            s.send_to(format!("pkt-{i}").as_bytes(), "127.0.0.1:5000")
                .unwrap();
        }
        for i in 0..10 {
            let (id, payload, (hook, queue)) = next_packet(&mut q);
            let sum = Summary::parse(&payload).unwrap();
            assert_eq!((sum.proto, sum.dport), (17, Some(5000)));
            assert_eq!(
                &payload[28..],
                format!("pkt-{i}").as_bytes(),
                "payload intact"
            );
            assert_eq!(hook, 3, "LOCAL_OUT");
            assert_eq!(queue, 0);
            q.verdict(
                id,
                if i % 2 == 0 {
                    Verdict::Accept
                } else {
                    Verdict::Drop
                },
            )
            .unwrap();
        }
        let got = drain(&r);
        let want: Vec<Vec<u8>> = (0..10)
            .step_by(2)
            .map(|i| format!("pkt-{i}").into_bytes())
            .collect();
        assert_eq!(got, want);
        assert_eq!(q.stats().packets, 10);
    })
    .unwrap();
}

#[test]
fn verdict_mark_is_seen_by_a_later_rule_and_batches_work() {
    in_new_netns(|| {
        setup_udp("5001", "--queue-num 3");
        sh("nft add table ip m");
        sh("nft add chain ip m post '{ type filter hook postrouting priority 0; }'");
        sh("nft add rule ip m post meta mark 0x42 counter");
        let mut q = Queue::open(3, &Config::default()).unwrap();
        let r = receiver(5001);
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..4 {
            s.send_to(b"m", "127.0.0.1:5001").unwrap();
        }
        for _ in 0..4 {
            let (id, _, _) = next_packet(&mut q);
            q.verdict_with(
                id,
                Verdict::Accept,
                &VerdictOpts {
                    mark: Some(0x42),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        assert_eq!(drain(&r).len(), 4);
        let rules = sh("nft list chain ip m post");
        assert!(rules.contains("packets 4 "), "{rules}");

        // Batch: hold 20 packets, one verdict for them all (with a mark).
        for _ in 0..20 {
            s.send_to(b"b", "127.0.0.1:5001").unwrap();
        }
        let mut last = 0;
        for _ in 0..20 {
            last = next_packet(&mut q).0;
        }
        assert!(drain(&r).is_empty(), "held in the queue");
        q.verdict_batch(last, Verdict::Accept, Some(0x42)).unwrap();
        assert_eq!(drain(&r).len(), 20);
        assert!(sh("nft list chain ip m post").contains("packets 24 "));

        // A verdict for an id the kernel never gave: refused, with the id.
        q.verdict(999_999, Verdict::Accept).unwrap();
        match q.recv().unwrap() {
            Event::VerdictFailed { id, error } => {
                assert_eq!(id, 999_999);
                assert_eq!(error.errno(), Some(libc::ENOENT));
                assert!(error.to_string().contains("999999"), "{error}");
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(q.stats().verdict_errors, 1);
    })
    .unwrap();
}

#[test]
fn bind_errors_are_explained() {
    in_new_netns(|| {
        let _a = Queue::open(7, &Config::default()).unwrap();
        let e = Queue::open(7, &Config::default()).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EPERM));
        assert!(e.to_string().contains("belongs to another socket"), "{e}");
        // Unknown flags: EOPNOTSUPP means unsupported.
        let mut b = Queue::open(8, &Config::default()).unwrap();
        assert!(b.probe_flag(NFQA_CFG_F_GSO).unwrap());
        assert!(!b.probe_flag(1 << 20).unwrap());
    })
    .unwrap();
}

#[test]
fn fail_open_passes_packets_when_the_queue_is_full() {
    in_new_netns(|| {
        setup_udp("5002", "--queue-num 1");
        let cfg = Config {
            maxlen: Some(5),
            flags: NFQA_CFG_F_FAIL_OPEN,
            ..Config::default()
        };
        let mut q = Queue::open(1, &cfg).unwrap();
        let r = receiver(5002);
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..30 {
            s.send_to(b"f", "127.0.0.1:5002").unwrap();
        }
        // The reader stalls: 5 wait in the queue, 25 pass.
        assert_eq!(drain(&r).len(), 25);
        for _ in 0..5 {
            let (id, _, _) = next_packet(&mut q);
            q.verdict(id, Verdict::Accept).unwrap();
        }
        assert_eq!(drain(&r).len(), 5);
    })
    .unwrap();
}

#[test]
fn a_stalled_readers_enobufs_is_counted() {
    in_new_netns(|| {
        setup_udp("5003", "--queue-num 2");
        let cfg = Config {
            maxlen: Some(10_000),
            rcvbuf: Some(16 * 1024),
            ..Config::default()
        };
        let mut q = Queue::open(2, &cfg).unwrap();
        let r = receiver(5003);
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..200 {
            s.send_to(&[7u8; 1000], "127.0.0.1:5003").unwrap();
        }
        let mut packets = 0;
        let mut lost_events = 0;
        loop {
            if !q.wait(Some(Duration::from_millis(200))).unwrap() {
                break;
            }
            match q.recv().unwrap() {
                Event::Packet(p) => {
                    let id = p.id().unwrap();
                    packets += 1;
                    q.verdict(id, Verdict::Accept).unwrap();
                }
                Event::Lost => lost_events += 1,
                e => panic!("{e:?}"),
            }
        }
        assert!(lost_events >= 1, "ENOBUFS reported");
        assert_eq!(q.lost(), lost_events);
        assert!(
            packets > 0 && packets < 200,
            "some lost, the queue went on: {packets}"
        );
        assert_eq!(drain(&r).len(), packets as usize);
    })
    .unwrap();
}

#[test]
fn gso_packets_larger_than_the_mtu_with_cap_len() {
    in_new_netns(|| {
        sh("ip link set lo up mtu 1500");
        sh("iptables -A OUTPUT -p tcp --dport 6000 -j NFQUEUE --queue-num 4");
        let cfg = Config {
            copy: CopyMode::Packet(128),
            flags: NFQA_CFG_F_GSO,
            ..Config::default()
        };
        let mut q = Queue::open(4, &cfg).unwrap();
        let l = TcpListener::bind("127.0.0.1:6000").unwrap();
        let server = std::thread::spawn(move || {
            let (mut c, _) = l.accept().unwrap();
            let mut n = 0;
            let mut b = vec![0u8; 65536];
            while let Ok(k) = c.read(&mut b) {
                if k == 0 {
                    break;
                }
                n += k;
            }
            n
        });
        let client = std::thread::spawn(|| {
            let mut c = TcpStream::connect("127.0.0.1:6000").unwrap();
            c.write_all(&vec![1u8; 512 * 1024]).unwrap();
        });
        let mut biggest = 0;
        let mut gso = 0;
        while q.wait(Some(Duration::from_millis(500))).unwrap() {
            if let Event::Packet(p) = q.recv().unwrap() {
                let id = p.id().unwrap();
                assert!(p.payload.unwrap().len() <= 128);
                if p.is_gso() {
                    gso += 1;
                    assert!(p.cap_len.is_some(), "a cut GSO packet has CAP_LEN");
                }
                biggest = biggest.max(p.len());
                q.verdict(id, Verdict::Accept).unwrap();
            }
        }
        client.join().unwrap();
        assert_eq!(server.join().unwrap(), 512 * 1024);
        assert!(gso > 0, "GSO packets seen");
        assert!(biggest > 1500, "larger than the MTU: {biggest}");
    })
    .unwrap();
}

#[test]
fn two_queues_two_threads() {
    in_new_netns(|| {
        setup_udp("5100", "--queue-balance 5:6");
        let r = receiver(5100);
        let workers: Vec<_> = [5u16, 6]
            .into_iter()
            .map(|n| {
                let mut q = Queue::open(n, &Config::default()).unwrap();
                std::thread::spawn(move || {
                    let mut served = 0;
                    while q.wait(Some(Duration::from_millis(500))).unwrap() {
                        if let Event::Packet(p) = q.recv().unwrap() {
                            assert_eq!(p.queue(), n);
                            let id = p.id().unwrap();
                            q.verdict(id, Verdict::Accept).unwrap();
                            served += 1;
                        }
                    }
                    served
                })
            })
            .collect();
        // The balance hashes addresses: 64 sources.
        for i in 0..64 {
            let s = UdpSocket::bind(format!("127.0.1.{}:0", i + 1)).unwrap();
            s.send_to(b"q", "127.0.0.1:5100").unwrap();
        }
        let served: Vec<u32> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(served.iter().sum::<u32>(), 64);
        assert!(served.iter().all(|&n| n > 0), "both served: {served:?}");
        assert_eq!(drain(&r).len(), 64);
    })
    .unwrap();
}
