//! `nlkit nflog` in fresh network namespaces: packets logged by an nft
//! `log prefix ... group N` rule come out with the prefix and the fields
//! that were sent (text and JSON), batched by qthresh; the pcap (LINKTYPE_NFLOG)
//! read by tshark has the same packets.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setup(group: u16, port: u16) {
    sh("ip link set lo up");
    sh("nft add table inet t");
    sh("nft add chain inet t c '{ type filter hook output priority 0; }'");
    sh(&format!(
        "nft add rule inet t c udp dport {port} meta mark set 0x7 log prefix '\"nlk: \"' group {group}"
    ));
}

/// Starts `nlkit ARGS` and waits until log group `group` is bound.
fn start(args: &str, group: u16) -> Reaped {
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
        let s = std::fs::read_to_string("/proc/thread-self/net/netfilter/nfnetlink_log")
            .unwrap_or_default();
        if s.lines()
            .any(|l| l.split_whitespace().next() == Some(&group.to_string()))
        {
            return child;
        }
        if t.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("group {group} never bound: {s}");
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

fn send(n: usize, port: u16) -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..n {
        s.send_to(format!("log-{i}").as_bytes(), ("127.0.0.1", port))
            .unwrap();
    }
    s.local_addr().unwrap().port()
}

#[test]
fn prefix_and_fields_match_what_was_sent() {
    in_new_netns(|| {
        setup(5, 5000);
        let c = start("nflog --group 5 -c 4", 5);
        let sport = send(4, 5000);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 4);
        for l in &lines {
            let want = format!(
                " group 5 prefix \"nlk: \" hook OUTPUT in - out lo mark 7 uid 0 UDP 127.0.0.1:{sport} > 127.0.0.1:5000 len 33"
            );
            assert!(l.ends_with(&want), "{l}\n{want}");
        }

        // JSON, batched by qthresh 10 with a 0.2 s timeout.
        let c = start("-j nflog --group 5 -c 10 --qthresh 10 --timeout 20", 5);
        let sport = send(10, 5000);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        let objs: Vec<serde_json::Value> =
            run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(objs.len(), 10);
        for (i, o) in objs.iter().enumerate() {
            assert_eq!(o["group"], 5);
            assert_eq!(o["prefix"], "nlk: ");
            assert_eq!(o["hook"], "OUTPUT");
            assert_eq!(o["family"], "ipv4");
            assert_eq!(o["src"], "127.0.0.1");
            assert_eq!(o["dst"], "127.0.0.1");
            assert_eq!(o["proto"], "UDP");
            assert_eq!(o["sport"], sport);
            assert_eq!(o["dport"], 5000);
            assert_eq!(o["len"], 33);
            assert_eq!(o["mark"], 7);
            assert_eq!(o["indev"], serde_json::Value::Null);
            assert_eq!(o["outdev"], "lo");
            assert_eq!(o["uid"], 0);
            assert_eq!(o["gid"], 0);
            assert_eq!(o["seq"].as_u64(), Some(i as u64), "per-group sequence");
        }
    })
    .unwrap();
}

#[test]
fn pcap_read_by_tshark_has_the_same_packets() {
    in_new_netns(|| {
        setup(6, 5001);
        let dir = std::env::temp_dir().join(format!("nlkit-nflog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("log.pcap");
        let c = start(&format!("-j nflog --group 6 -c 5 -w {}", file.display()), 6);
        let sport = send(5, 5001);
        let run = finish(c);
        assert_eq!(run.code, 0, "{run:?}");
        let out = sh(&format!(
            "tshark -r {} -T fields -e nflog.prefix -e ip.src -e udp.srcport -e udp.dstport -e data.data 2>/dev/null",
            file.display()
        ));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5, "{out}");
        for (i, l) in lines.iter().enumerate() {
            let hex: String = format!("log-{i}").bytes().map(|b| format!("{b:02x}")).collect();
            assert_eq!(*l, format!("nlk: \t127.0.0.1\t{sport}\t5001\t{hex}"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    })
    .unwrap();
}
