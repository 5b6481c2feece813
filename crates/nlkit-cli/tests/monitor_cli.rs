//! `nlkit monitor` against the real kernel, in a netns of its own: a consumer
//! of its JSON lines ends with exactly the kernel's routes, even when a tiny
//! receive buffer forces overruns and resyncs.

mod common;

use common::Reaped;
use nlkit::socket::netns::in_new_netns;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const NLKIT: &str = env!("CARGO_BIN_EXE_nlkit");

/// Identity of a route in nlkit's JSON (defaults filled in as iproute2 leaves them out).
fn key(v: &Value) -> String {
    let s = |k: &str, d: &str| {
        v.get(k)
            .map(|x| x.to_string())
            .unwrap_or_else(|| d.to_string())
    };
    format!(
        "{} {} {} {}",
        s("type", "unicast"),
        s("dst", "?"),
        s("table", "main"),
        s("metric", "0")
    )
}

fn run(args: &[&str]) -> String {
    let out = Command::new(NLKIT).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "nlkit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `nlkit -batch -` with `batch` on its standard input.
fn batch_stdin(batch: &str) {
    let mut b = Command::new(NLKIT)
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    b.stdin.take().unwrap().write_all(batch.as_bytes()).unwrap();
    assert!(b.wait().unwrap().success());
}

#[test]
fn consumer_of_monitor_output_ends_with_kernel_state() {
    in_new_netns(|| {
        run(&["link", "set", "lo", "up"]);
        let mut mon = Reaped::new(
            Command::new(NLKIT)
                .args(["-j", "monitor", "route", "rcvbuf", "1"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let (tx, rx) = mpsc::channel::<String>();
        let stdout = mon.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        std::thread::sleep(Duration::from_millis(300)); // the monitor has joined and taken its snapshot
                                                        // The consumer starts from the routes that existed before (the monitor's snapshot is silent).
        let mut view: HashMap<String, Value> = HashMap::new();
        let before: Value =
            serde_json::from_str(&run(&["-j", "route", "show", "table", "all"])).unwrap();
        for r in before.as_array().unwrap() {
            view.insert(key(r), r.clone());
        }
        let mut batch = String::new();
        for i in 0..20_000u32 {
            batch += &format!("route add 10.{}.{}.0/24 dev lo\n", i >> 8, i & 255);
        }
        for i in (0..20_000u32).step_by(10) {
            batch += &format!("route del 10.{}.{}.0/24 dev lo\n", i >> 8, i & 255);
        }
        batch_stdin(&batch);
        // Apply events until the monitor has been quiet for 1.5 s.
        let (mut events, mut resynced) = (0, 0);
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(1500)) {
            let ev: Value = serde_json::from_str(&line).unwrap();
            events += 1;
            resynced += ev["resync"].as_bool().unwrap() as usize;
            match ev["event"].as_str().unwrap() {
                "new" => view.insert(key(&ev), ev),
                "del" => view.remove(&key(&ev)),
                e => panic!("unknown event {e}"),
            };
            assert!(Instant::now() < deadline, "the monitor never went quiet");
        }
        mon.kill().unwrap();
        let _ = mon.wait();
        assert!(
            resynced > 0,
            "no resync happened ({events} events): the test proves nothing"
        );
        let now: Value =
            serde_json::from_str(&run(&["-j", "route", "show", "table", "all"])).unwrap();
        let kernel: HashMap<String, Value> = now
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (key(r), r.clone()))
            .collect();
        let mut a: Vec<_> = view.keys().collect();
        let mut b: Vec<_> = kernel.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(
            a.len(),
            b.len(),
            "consumer {} routes, kernel {}",
            a.len(),
            b.len()
        );
        assert_eq!(a, b);
        assert_eq!(kernel.len(), before.as_array().unwrap().len() + 18_000);
    })
    .unwrap();
}

fn sh(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Lines of a child's stdout, on a channel.
fn lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Lines until `rx` has been quiet for 1.5 s.
fn until_quiet(rx: &mpsc::Receiver<String>) -> Vec<String> {
    let mut v = Vec::new();
    while let Ok(l) = rx.recv_timeout(Duration::from_millis(1500)) {
        v.push(l);
    }
    v
}

/// Deletes a resync synthesizes (the kernel's own were lost to an overrun)
/// print exactly as `ip monitor` prints the kernel's deletes of the same routes.
#[test]
fn synthesized_deletes_print_as_ip_monitor_prints_deletes() {
    in_new_netns(|| {
        sh("ip", &["link", "set", "lo", "up"]);
        sh(
            "ip",
            &["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
        );
        sh("ip", &["link", "set", "v0", "up"]);
        sh("ip", &["link", "set", "v1", "up"]);
        sh("ip", &["addr", "add", "10.9.0.1/24", "dev", "v0"]);
        let routes: &[&[&str]] = &[
            &["10.1.1.0/24", "dev", "lo"],
            &[
                "10.2.0.0/24",
                "via",
                "10.9.0.2",
                "metric",
                "5",
                "proto",
                "static",
            ],
            &["10.3.0.0/24", "dev", "v0", "table", "100"],
            &[
                "10.4.0.0/16",
                "dev",
                "v0",
                "scope",
                "host",
                "src",
                "10.9.0.1",
            ],
            &["blackhole", "10.5.0.0/24"],
            &["2001:db8::/64", "dev", "v0", "metric", "7"],
        ];
        for r in routes {
            sh("ip", &[&["route", "add"], *r].concat());
        }
        std::thread::sleep(Duration::from_millis(500)); // IPv6 link-local routes settle
        let mut ip = Reaped::new(
            Command::new("ip")
                .args(["monitor", "route"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut mon = Reaped::new(
            Command::new(NLKIT)
                .args(["monitor", "route", "rcvbuf", "1"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let (ip_rx, mon_rx) = (lines(&mut ip), lines(&mut mon));
        std::thread::sleep(Duration::from_millis(500)); // both listening, nlkit has its snapshot
        let pid = mon.id().to_string();
        sh("kill", &["-STOP", &pid]);
        for r in routes {
            sh("ip", &[&["route", "del"], *r].concat());
        }
        // Enough more to overrun the stopped monitor's tiny buffer (and little enough for ip's).
        let mut batch = String::new();
        for i in 0..250u32 {
            batch += &format!("route add 10.200.{}.0/24 dev lo\n", i);
        }
        for i in 0..250u32 {
            batch += &format!("route del 10.200.{}.0/24 dev lo\n", i);
        }
        batch_stdin(&batch);
        sh("kill", &["-CONT", &pid]);
        let (ip_lines, mon_lines) = (until_quiet(&ip_rx), until_quiet(&mon_rx));
        let _ = (mon.kill(), ip.kill(), mon.wait(), ip.wait());
        let ip_deleted: Vec<String> = ip_lines
            .iter()
            .filter(|l| l.starts_with("Deleted ") && !l.contains("10.200."))
            .map(|l| l.trim_end().to_string())
            .collect();
        assert_eq!(ip_deleted.len(), routes.len(), "ip monitor: {ip_lines:#?}");
        let synthesized: Vec<String> = mon_lines
            .iter()
            .filter_map(|l| l.strip_prefix("[resync] "))
            .filter(|l| l.starts_with("Deleted "))
            // Both end route lines in a blank, as ip does; compared without it.
            .map(|l| l.trim_end().to_string())
            .collect();
        assert!(
            !synthesized.is_empty(),
            "no resync happened: the test proves nothing; nlkit printed {mon_lines:#?}"
        );
        for l in &synthesized {
            assert!(
                ip_deleted.contains(l),
                "nlkit printed {l:?}, ip monitor printed {ip_deleted:#?}"
            );
        }
        // With the deletes that did arrive as notifications: every route deleted once.
        let mut a: Vec<String> = mon_lines
            .iter()
            .map(|l| l.trim_start_matches("[resync] "))
            .filter(|l| l.starts_with("Deleted ") && !l.contains("10.200."))
            .map(|l| l.trim_end().to_string())
            .collect();
        let mut want = ip_deleted.clone();
        a.sort();
        want.sort();
        assert_eq!(a, want, "every route deleted once, as ip monitor prints it");
    })
    .unwrap();
}
