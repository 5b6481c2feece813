//! Memory stays flat: the peak RSS (`VmHWM`) of `nlkit -batch` does not grow
//! with the length of the file, nor that of `nlkit route show` with the
//! number of routes (iproute2's batch grows ~4 KiB per line). The peak is
//! read from `/proc/PID/status` while the process is still alive: the batch
//! is kept waiting on an open stdin after a last `show` line has answered,
//! and the dump is kept blocked on its stdout pipe.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

/// `VmHWM` of a live process, in KiB (`None` once it has exited: a zombie has none).
fn peak_kib(c: &Child) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{}/status", c.id())).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn routes(from: u32, n: u32) -> String {
    let mut f = String::with_capacity(n as usize * 40);
    for i in from..from + n {
        let (a, b, c) = (20 + (i >> 16), (i >> 8) & 255, i & 255);
        writeln!(f, "route add {a}.{b}.{c}.0/24 dev v0").unwrap();
    }
    f
}

/// Peak RSS of `nlkit -batch -` after it has applied `lines`.
fn batch_peak(lines: String) -> u64 {
    let mut child = Command::new(bin())
        // --force: lines packed in chunks (without it, one line is in flight at a time).
        .args(["--force", "-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        stdin.write_all(lines.as_bytes()).unwrap();
        stdin.write_all(b"link show lo\n").unwrap();
        stdin // kept open: nlkit waits for more
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("1: lo: "), "{first:?}");
    let peak = peak_kib(&child).expect("nlkit waits on its stdin");
    drop(w.join().unwrap());
    assert!(child.wait().unwrap().success());
    peak
}

/// Peak RSS of `nlkit ARGS` (a dump) while it writes its output.
fn dump_peak(args: &[&str]) -> u64 {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 4096];
    let mut peak = 0;
    loop {
        peak = peak.max(peak_kib(&child).unwrap_or(0));
        if out.read(&mut buf).unwrap() == 0 {
            break;
        }
    }
    assert!(child.wait().unwrap().success());
    assert!(
        peak > 0,
        "measured while it ran (blocked on its full stdout)"
    );
    peak
}

#[test]
fn batch_and_dump_memory_stays_flat() {
    in_new_netns(|| {
        ok("link add v0 type veth peer name v1");
        ok("link set v0 up");
        let small = 5_000;
        let big = 200_000;
        let b_small = batch_peak(routes(0, small));
        let d_small = dump_peak(&["-j", "route", "show"]);
        let b_big = batch_peak(routes(small, big));
        let d_big = dump_peak(&["-j", "route", "show"]);
        let t_big = dump_peak(&["route", "show"]);
        eprintln!(
            "peak RSS, KiB: batch {b_small} ({small} lines) -> {b_big} ({big} lines); \
             -j route show {d_small} ({small} routes) -> {d_big} ({} routes), text {t_big}",
            small + big
        );
        // 40 times the lines; iproute2 would need ~800 MiB more. Allow 4 MiB.
        assert!(b_big < b_small + 4096, "batch: {b_small} -> {b_big} KiB");
        assert!(d_big < d_small + 4096, "dump: {d_small} -> {d_big} KiB");
        assert!(t_big < d_small + 4096, "dump: {d_small} -> {t_big} KiB");
    })
    .unwrap();
}
