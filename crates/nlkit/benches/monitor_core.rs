//! The monitor's sans-IO core at scale, no kernel needed: what a resync
//! costs besides the dump itself. Prints numbers; asserts nothing.
//!
//! `cargo bench -p nlkit --bench monitor_core` (1M routes);
//! `NLKIT_BENCH_ROUTES=100000 cargo bench -p nlkit --bench monitor_core`.
//!
//! The messages are IPv4 /32 routes as the kernel sends them (header,
//! `RTA_TABLE`, `RTA_DST`, `RTA_OIF`), built once. Phases:
//! - snapshot: the first (silent) dump into an empty view;
//! - resync, nothing changed: overrun, then the same N messages dumped;
//! - resync, all changed: every route with another protocol, N events taken;
//! - resync, all gone: an empty dump, N synthesized deletes taken;
//! - notifications: N deletes then N adds in 32 KiB datagrams, every event taken.
//!
//! Each line: wall and CPU seconds (the machine may be shared), objects per
//! CPU second, and the process's resident set growth.

use nlkit::monitor::{Core, Step};
use nlkit::route::track::{Objects, RouteTracker};
use nlkit::route::{Prefix, Route};
use nlkit::wire::MsgIter;
use std::io;
use std::net::Ipv4Addr;
use std::time::Instant;

fn rss_kib() -> i64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// N route messages of type `ty`, concatenated.
fn routes(n: u32, ty: u16, protocol: u8) -> Vec<u8> {
    let mut buf = Vec::new();
    for i in 0..n {
        let dst: Prefix = format!("{}/32", Ipv4Addr::from(0x0a00_0000 | i))
            .parse()
            .unwrap();
        let mut r = Route::new(dst);
        r.oif = Some(1);
        r.protocol = protocol;
        r.scope = 253; // link
        r.write_msg(&mut buf, ty, 0).unwrap();
    }
    buf
}

fn dump(core: &mut Core<RouteTracker>, msgs: &[u8]) {
    while let Step::Dump(_) = core.step().unwrap() {
        for m in MsgIter::new(msgs) {
            core.resync_msg(m.unwrap().1).unwrap();
        }
        core.end_dump(false).unwrap();
    }
}

fn overrun(core: &mut Core<RouteTracker>) {
    core.handle_overrun();
    core.handle_recv(Err(io::Error::from(io::ErrorKind::WouldBlock)), &[])
        .unwrap();
}

/// Takes every ready event; their count.
fn take(core: &mut Core<RouteTracker>) -> u64 {
    let mut n = 0;
    while let Step::Event = core.step().unwrap() {
        let ev = core.poll_ready().unwrap();
        n += u64::from(!ev.msg.is_empty());
    }
    n
}

/// Feeds `msgs` as datagrams of at most 32 KiB, taking the events of each.
fn notify(core: &mut Core<RouteTracker>, msgs: &[u8]) -> u64 {
    let (mut start, mut n) = (0, 0);
    let mut it = MsgIter::new(msgs);
    loop {
        let at = it.offset();
        let next = it.next();
        if next.is_none() || at - start >= 32 << 10 {
            core.handle_datagram(&msgs[start..at]).unwrap();
            n += take(core);
            start = at;
        }
        if next.is_none() {
            return n;
        }
    }
}

/// CPU seconds this process used (user and system; the machine may be busy).
fn cpu_s() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0 // USER_HZ
}

struct Clock(Instant, f64);

fn start() -> Clock {
    Clock(Instant::now(), cpu_s())
}

fn line(what: &str, n: u64, t: Clock, rss0: i64) {
    let cpu = cpu_s() - t.1;
    println!(
        "{what:<34} {:>7.3} s wall {cpu:>7.2} s cpu {:>10.0} objects/cpu-s {:>+8.1} MiB",
        t.0.elapsed().as_secs_f64(),
        n as f64 / cpu.max(0.01),
        (rss_kib() - rss0) as f64 / 1024.0
    );
}

fn main() {
    let n: u32 = std::env::var("NLKIT_BENCH_ROUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let tracker = RouteTracker {
        objects: Objects {
            route: true,
            ..Objects::default()
        },
        family: libc::AF_INET as u8,
    };
    let boot = routes(n, 24, 3); // RTM_NEWROUTE, proto boot
    let stat = routes(n, 24, 4); // proto static
    let dels = routes(n, 25, 3); // RTM_DELROUTE
    let rss0 = rss_kib();
    let mut core = Core::new(tracker);
    println!(
        "monitor core, {n} routes ({} bytes a message)",
        boot.len() / n as usize
    );

    let t = start();
    dump(&mut core, &boot);
    line("snapshot", n.into(), t, rss0);
    println!(
        "  view: {} objects, {:.1} bytes each in the arena",
        core.len(),
        core.view_bytes() as f64 / core.len().max(1) as f64
    );

    let t = start();
    overrun(&mut core);
    dump(&mut core, &boot);
    let ev = take(&mut core);
    line(
        &format!("resync, nothing changed ({ev} ev)"),
        n.into(),
        t,
        rss0,
    );

    let t = start();
    overrun(&mut core);
    dump(&mut core, &stat);
    let ev = take(&mut core);
    line(&format!("resync, all changed ({ev} ev)"), n.into(), t, rss0);

    let t = start();
    overrun(&mut core);
    dump(&mut core, &[]);
    let ev = take(&mut core);
    line(&format!("resync, all gone ({ev} ev)"), n.into(), t, rss0);

    let t = start();
    let ev = notify(&mut core, &boot) + notify(&mut core, &dels);
    line(
        &format!("notifications ({ev} ev)"),
        2 * u64::from(n),
        t,
        rss0,
    );
}
