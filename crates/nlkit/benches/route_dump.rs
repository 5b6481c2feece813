//! Route dump and insert throughput against the real kernel, in a network
//! namespace of its own (needs root). Prints numbers; asserts nothing.
//!
//! `cargo bench -p nlkit --bench route_dump` (100k routes);
//! `NLKIT_BENCH_ROUTES=1000000 cargo bench -p nlkit --bench route_dump`.
//!
//! - insert: N `RTM_NEWROUTE` through `Connection::batch` in errors-only ACK
//!   mode (every failure would still be reported), routes/s;
//! - dump, raw: receive the whole dump and walk the message headers only;
//! - dump, parse: the same, and `RouteView::parse` every message (every
//!   attribute decoded) and touch every field;
//! - memory: the process's resident set growth over each phase.

use nlkit::route::{LinkRequest, Prefix, RouteDump, RouteRequest, RouteView};
use nlkit::socket::netns::in_new_netns;
use nlkit::{AckMode, Connection, Protocol};
use std::net::Ipv4Addr;
use std::time::Instant;

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn prefix(i: u32) -> Prefix {
    format!("{}/32", Ipv4Addr::from(0x0a00_0000 | i))
        .parse()
        .unwrap()
}

fn dump(conn: &Connection, parse: bool) -> (u64, u64) {
    let req = RouteDump {
        family: libc::AF_INET as u8,
        table: 254,
        ..RouteDump::default()
    };
    let mut d = conn.dump(&req).unwrap();
    let (mut n, mut sum) = (0u64, 0u64);
    while let Some(m) = d.next() {
        let m = m.unwrap();
        n += 1;
        if parse {
            let v = RouteView::parse(&m).unwrap();
            sum += v.header.dst_len as u64
                + v.oif().unwrap_or(0) as u64
                + v.priority().unwrap_or(0) as u64;
            sum += v.dst().map(|d| d.is_ipv4() as u64).unwrap_or(0)
                + v.table_attr().unwrap_or(0) as u64;
            sum += v.gateway().is_some() as u64
                + v.prefsrc().is_some() as u64
                + v.cacheinfo().is_some() as u64;
            sum += v.metrics_attr().is_some() as u64
                + v.multipath_attr().is_some() as u64
                + v.pref().unwrap_or(0) as u64;
        } else {
            sum += m.len() as u64;
        }
    }
    (n, sum)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a listing
    }
    let n: u32 = std::env::var("NLKIT_BENCH_ROUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runs: usize = std::env::var("NLKIT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    in_new_netns(move || {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        conn.request(&LinkRequest::set(1).up(), |_| Ok(())).unwrap();
        let rss0 = rss_kib();
        let t = Instant::now();
        let mut failed = 0usize;
        let sum = conn
            .batch((0..n).map(|i| RouteRequest::add(prefix(i)).dev(1)), AckMode::ErrorsOnly, |_, r| {
                failed += r.is_err() as usize
            })
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "insert: {n} routes in {secs:.3} s = {:.0} routes/s ({} sendmsg calls, {failed} failed), RSS +{} KiB",
            n as f64 / secs,
            sum.sends,
            rss_kib().saturating_sub(rss0)
        );
        // Raw and parsing runs alternate, so that neither gets a warmer or colder kernel.
        let rss0 = rss_kib();
        let (mut raw, mut parsed) = (Vec::new(), Vec::new());
        let mut count = 0;
        for _ in 0..runs {
            for parse in [false, true] {
                let t = Instant::now();
                let (c, s) = dump(&conn, parse);
                let dt = t.elapsed().as_secs_f64();
                if parse { parsed.push(dt) } else { raw.push(dt) }
                count = c;
                std::hint::black_box(s);
            }
        }
        let growth = rss_kib().saturating_sub(rss0);
        let (raw, parsed) = (median(raw), median(parsed));
        println!("dump raw receive loop: {count} routes, median {raw:.3} s = {:.0} routes/s", count as f64 / raw);
        println!(
            "dump parse every attribute: {count} routes, median {parsed:.3} s = {:.0} routes/s",
            count as f64 / parsed
        );
        println!("parse/raw: {:.3}x; RSS growth over {} dumps: {growth} KiB", parsed / raw, 2 * runs);
    })
    .unwrap();
}
