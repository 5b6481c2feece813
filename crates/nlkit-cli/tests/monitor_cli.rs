//! `nlkit monitor` against the real kernel, in a netns of its own: a consumer
//! of its JSON lines ends with exactly the kernel's routes, even when a tiny
//! receive buffer forces overruns and resyncs.

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

#[test]
fn consumer_of_monitor_output_ends_with_kernel_state() {
    in_new_netns(|| {
        run(&["link", "set", "lo", "up"]);
        let mut mon = Command::new(NLKIT)
            .args(["-j", "monitor", "route", "rcvbuf", "1"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
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
        let mut b = Command::new(NLKIT)
            .args(["-batch", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        b.stdin.take().unwrap().write_all(batch.as_bytes()).unwrap();
        assert!(b.wait().unwrap().success());
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
