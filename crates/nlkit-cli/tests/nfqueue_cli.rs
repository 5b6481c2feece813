//! `nlkit nfqueue` in fresh network namespaces: UDP to a queued port is
//! dropped or accepted (payload intact), a mark given with the verdict is
//! matched by a later nft rule, batch verdicts, two queues by
//! `--queue-balance` both serve, JSON lines, and the pcap read by tshark.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `nlkit ARGS` and waits until queues `nums` are bound (the netns's
/// `/proc/.../nfnetlink_queue` lists them).
fn start(args: &str, nums: &[u16]) -> Reaped {
    let mut child = Reaped::new(
        Command::new(bin())
            .args(args.split_whitespace())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let t = Instant::now();
    loop {
        let s = std::fs::read_to_string("/proc/thread-self/net/netfilter/nfnetlink_queue")
            .unwrap_or_default();
        let bound: Vec<u16> = s
            .lines()
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        if nums.iter().all(|n| bound.contains(n)) {
            return child;
        }
        if t.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("queues {nums:?} never bound: {s}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(c: Reaped) -> Run {
    let out = c.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn receiver(port: u16) -> UdpSocket {
    let r = UdpSocket::bind(("127.0.0.1", port)).unwrap();
    r.set_read_timeout(Some(Duration::from_millis(400)))
        .unwrap();
    r
}

fn drain(r: &UdpSocket) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    let mut b = [0u8; 2048];
    while let Ok(n) = r.recv(&mut b) {
        got.push(b[..n].to_vec());
    }
    got
}

fn send(n: usize, port: u16) -> Vec<Vec<u8>> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    (0..n)
        .map(|i| {
            let m = format!("payload-{i}").into_bytes();
            s.send_to(&m, ("127.0.0.1", port)).unwrap();
            m
        })
        .collect()
}

#[test]
fn drop_and_accept() {
    in_new_netns(|| {
        sh("ip link set lo up");
        sh("iptables -A OUTPUT -p udp --dport 5000 -j NFQUEUE --queue-num 0");
        let r = receiver(5000);
        let c = start("nfqueue --queue 0 --verdict drop -c 5", &[0]);
        send(5, 5000);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(drain(&r).is_empty(), "dropped");
        assert_eq!(run.stdout.lines().count(), 5);
        for l in run.stdout.lines() {
            assert!(l.contains(" queue 0 id "), "{l}");
            assert!(
                l.contains(" hook OUTPUT in - out lo mark 0 uid 0 UDP 127.0.0.1:"),
                "{l}"
            );
            assert!(l.contains(" > 127.0.0.1:5000 len 37 verdict drop"), "{l}");
        }

        let c = start("nfqueue --queue 0 -c 5 -j", &[0]);
        let sent = send(5, 5000);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(drain(&r), sent, "accepted, payload intact");
        let objs: Vec<serde_json::Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(objs.len(), 5);
        for o in &objs {
            assert_eq!(o["verdict"], "accept");
            assert_eq!(o["queue"], 0);
            assert_eq!(o["proto"], "UDP");
            assert_eq!(o["dport"], 5000);
            assert_eq!(o["dst"], "127.0.0.1");
            assert_eq!(o["len"], 37);
            assert_eq!(o["outdev"], "lo");
            assert_eq!(o["hook"], "OUTPUT");
        }
        let ids: Vec<u64> = objs.iter().map(|o| o["id"].as_u64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    })
    .unwrap();
}

#[test]
fn mark_and_batch_verdicts() {
    in_new_netns(|| {
        sh("ip link set lo up");
        sh("iptables -A OUTPUT -p udp --dport 5001 -j NFQUEUE --queue-num 2");
        sh("nft add table ip m");
        sh("nft add chain ip m post '{ type filter hook postrouting priority 0; }'");
        sh("nft add rule ip m post meta mark 0x2a counter");
        let r = receiver(5001);
        let c = start("nfqueue --queue 2 --mark 42 -c 6", &[2]);
        let sent = send(6, 5001);
        assert_eq!(finish(c).code, 0);
        assert_eq!(drain(&r), sent);
        let rules = sh("nft list chain ip m post");
        assert!(rules.contains("packets 6 "), "{rules}");

        // Batches of 4 (and the rest when idle), with the mark.
        let c = start("nfqueue --queue 2 --batch 4 --mark 42 -c 10", &[2]);
        let sent = send(10, 5001);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(drain(&r), sent);
        assert!(sh("nft list chain ip m post").contains("packets 16 "));
        assert_eq!(run.stdout.lines().count(), 10);
    })
    .unwrap();
}

#[test]
fn queue_balance_serves_both() {
    in_new_netns(|| {
        sh("ip link set lo up");
        sh("iptables -A OUTPUT -p udp --dport 5002 -j NFQUEUE --queue-balance 3:4");
        let r = receiver(5002);
        let c = start("nfqueue --queue-balance 3:4 -c 40 -j", &[3, 4]);
        // The balance hashes addresses: 40 sources.
        for i in 0..40 {
            let s = UdpSocket::bind(format!("127.0.2.{}:0", i + 1)).unwrap();
            s.send_to(b"b", "127.0.0.1:5002").unwrap();
        }
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(drain(&r).len(), 40);
        let queues: Vec<u64> = run
            .stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["queue"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(queues.len(), 40);
        assert!(queues.contains(&3) && queues.contains(&4), "{queues:?}");
    })
    .unwrap();
}

#[test]
fn pcap_read_by_tshark() {
    in_new_netns(|| {
        sh("ip link set lo up");
        sh("iptables -A OUTPUT -p udp --dport 5003 -j NFQUEUE --queue-num 5");
        let dir = std::env::temp_dir().join(format!("nlkit-nfq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("q.pcap");
        let c = start(
            &format!("nfqueue --queue 5 -c 4 -w {}", file.display()),
            &[5],
        );
        send(4, 5003);
        assert_eq!(finish(c).code, 0);
        let out = sh(&format!(
            "tshark -r {} -T fields -e ip.dst -e udp.dstport -e data.data 2>/dev/null",
            file.display()
        ));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        for (i, l) in lines.iter().enumerate() {
            let hex: String = format!("payload-{i}")
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(*l, format!("127.0.0.1\t5003\t{hex}"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    })
    .unwrap();
}

#[test]
fn bad_arguments() {
    for (a, want) in [
        ("nfqueue", "--queue N or --queue-balance"),
        ("nfqueue --queue 1 --verdict maybe", "unknown verdict"),
        ("nfqueue --queue-balance 5", "A:B"),
        ("nfqueue --queue-balance 5:2", "A <= B"),
    ] {
        let r = nl(a);
        assert_eq!(r.code, 2, "{a}: {r:?}");
        assert!(r.stderr.contains(want), "{a}: {r:?}");
    }
}
