//! Read-path benchmark: 100k route-like messages (an `rtmsg` and RTA_TABLE,
//! RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY, RTA_PREFSRC and a nested
//! RTA_METRICS each), packed into 32 KiB datagrams as a kernel dump would be,
//! parsed message by message and attribute by attribute with every value
//! summed so nothing is optimised away.
//!
//! Prints messages per second (criterion, `Throughput::Elements`) and
//! `allocations per message`, counted by a `#[global_allocator]` around one
//! full parse (the goal is 0: the read path borrows, it never allocates).
//!
//! `cargo bench -p nlkit --bench parse`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nlkit::route::routes::RouteView;
use nlkit::schema::{walk, ValueKind};
use nlkit::wire::{AttrIter, MsgIter, MsgWriter, NLA_F_NESTED};
use nlkit::ynl::Schema;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counts every allocation (and reallocation) made by the process.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; counting has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const MESSAGES: usize = 100_000;
const DATAGRAM: usize = 32 * 1024;

const RTM_NEWROUTE: u16 = 24;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_PREFSRC: u16 = 7;
const RTA_METRICS: u16 = 8;
const RTA_TABLE: u16 = 15;
const RTAX_MTU: u16 = 2;

/// The dump, as the datagrams a socket would hand over.
fn build() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dgram = Vec::with_capacity(DATAGRAM);
    let mut one = Vec::with_capacity(128);
    for i in 0..MESSAGES as u32 {
        one.clear();
        let mut w = MsgWriter::new(&mut one, RTM_NEWROUTE, 0x2, 1, 4242);
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        w.fixed(&[2u8, 24, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]);
        w.attr_u32(RTA_TABLE, 254).unwrap();
        w.attr(RTA_DST, &(0x0a00_0000 | (i << 8)).to_be_bytes())
            .unwrap();
        w.attr(RTA_GATEWAY, &[10, 255, 0, 1]).unwrap();
        w.attr_u32(RTA_OIF, 2 + i % 8).unwrap();
        w.attr_u32(RTA_PRIORITY, 100).unwrap();
        w.attr(RTA_PREFSRC, &[10, 255, 0, 2]).unwrap();
        w.nest(RTA_METRICS, |w| w.attr_u32(RTAX_MTU, 1400).map(|_| ()))
            .unwrap();
        w.finish().unwrap();
        if dgram.len() + one.len() > DATAGRAM {
            out.push(std::mem::replace(&mut dgram, Vec::with_capacity(DATAGRAM)));
        }
        dgram.extend_from_slice(&one);
    }
    out.push(dgram);
    out
}

/// Parses every message and every attribute; returns (messages, a checksum).
fn parse(dgrams: &[Vec<u8>]) -> (usize, u64) {
    let mut n = 0;
    let mut sum = 0u64;
    for d in dgrams {
        for m in MsgIter::new(d) {
            let (_, m) = m.expect("well-formed");
            n += 1;
            let (rtm, attrs) = m.fixed::<[u8; 12]>().expect("rtmsg");
            sum += rtm[1] as u64 + rtm[4] as u64;
            for a in AttrIter::with_offset(attrs, 28) {
                let a = a.expect("well-formed");
                sum += match a.kind() {
                    RTA_TABLE | RTA_OIF | RTA_PRIORITY => a.u32().unwrap() as u64,
                    RTA_DST | RTA_GATEWAY | RTA_PREFSRC => u32::from(a.ipv4().unwrap()) as u64,
                    RTA_METRICS => {
                        debug_assert!(a.raw_type() & NLA_F_NESTED != 0);
                        a.nested().map(|x| x.unwrap().u32().unwrap() as u64).sum()
                    }
                    _ => 0,
                };
            }
        }
    }
    (n, sum)
}

/// The same through the typed views (`RouteView`, one pass per message, its
/// metrics iterated); returns (messages, a checksum).
fn parse_views(dgrams: &[Vec<u8>]) -> (usize, u64) {
    let mut n = 0;
    let mut sum = 0u64;
    for d in dgrams {
        for m in MsgIter::new(d) {
            let (_, m) = m.expect("well-formed");
            let v = RouteView::parse(&m).expect("a route");
            n += 1;
            sum += u64::from(v.header.dst_len) + u64::from(v.table());
            sum += u64::from(v.oif().unwrap_or(0)) + u64::from(v.priority().unwrap_or(0));
            for a in [v.dst(), v.gateway(), v.prefsrc()].into_iter().flatten() {
                if let IpAddr::V4(a) = a {
                    sum += u64::from(u32::from(a));
                }
            }
            sum += v.metrics().map(|(_, x)| u64::from(x)).sum::<u64>();
        }
    }
    (n, sum)
}

/// The same through the rt-route spec's schema values, without JSON: the
/// fixed header's fields and the schema walk (every attribute with its
/// definition, nests followed), each value read as its spec kind says;
/// returns (messages, a checksum).
fn parse_spec_values(schema: &Schema, dgrams: &[Vec<u8>]) -> (usize, u64) {
    let op = schema.op("getroute").expect("getroute");
    let (set, start) = (schema.op_set(op), schema.attrs_start(op));
    let header = schema.fixed_header(op).expect("rtmsg");
    let mut n = 0;
    let mut sum = 0u64;
    for d in dgrams {
        for m in MsgIter::new(d) {
            let (_, m) = m.expect("well-formed");
            let p = m.payload();
            n += 1;
            for f in header.fields {
                let Some(size) = f.int.size() else { continue };
                if let Some(v) = p.get(f.offset..f.offset + size).and_then(|b| f.int.read(b)) {
                    sum += v.bits();
                }
            }
            let attrs = AttrIter::with_offset(&p[start..], nlkit::wire::NLMSG_HDRLEN + start);
            walk(set, attrs, 0, &mut |node| {
                let a = &node.attr;
                sum += match node.kind {
                    Some(ValueKind::Ip) => match a.ip() {
                        Ok(IpAddr::V4(x)) => u64::from(u32::from(x)),
                        _ => 0,
                    },
                    Some(k) => k
                        .int()
                        .and_then(|i| i.read(a.payload()))
                        .map_or(0, |v| v.bits()),
                    None => 0,
                };
                sum += node.name().map_or(0, |s| s.len() as u64);
            })
            .expect("well-formed");
        }
    }
    (n, sum)
}

/// The same through the rt-route spec: each message written as JSON with the
/// spec's names (`ynl::Schema::reply_to`, what `nlkit ynl --dump` prints)
/// into one reused buffer; returns (messages, bytes of JSON).
fn parse_spec(schema: &Schema, dgrams: &[Vec<u8>], out: &mut Vec<u8>) -> (usize, u64) {
    let op = schema.op("getroute");
    let mut n = 0;
    let mut bytes = 0u64;
    for d in dgrams {
        for m in MsgIter::new(d) {
            let (_, m) = m.expect("well-formed");
            out.clear();
            schema.reply_to(&m, op, out).expect("written");
            bytes += out.len() as u64;
            n += 1;
        }
    }
    (n, bytes)
}

/// This thread's CPU time, in seconds.
fn thread_cpu() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

fn bench(c: &mut Criterion) {
    let dgrams = build();
    let bytes: usize = dgrams.iter().map(Vec::len).sum();

    let before = ALLOCS.load(Ordering::Relaxed);
    let t = Instant::now();
    let (n, sum) = black_box(parse(black_box(&dgrams)));
    let took = t.elapsed();
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;
    assert_eq!(n, MESSAGES);
    println!(
        "{n} messages, {bytes} bytes in {} datagrams of at most {DATAGRAM} bytes (checksum {sum})",
        dgrams.len()
    );
    println!(
        "one pass: {:.1} ms, {:.0} messages/s",
        took.as_secs_f64() * 1e3,
        n as f64 / took.as_secs_f64()
    );
    println!("allocations per message: {:.3}", allocs as f64 / n as f64);

    // CPU time of this thread per pass (the best of 5), so that the ratios
    // hold on a machine busy with other work, where wall time does not.
    let cpu = |f: &mut dyn FnMut() -> (usize, u64)| {
        (0..5)
            .map(|_| {
                let t0 = thread_cpu();
                black_box(f());
                thread_cpu() - t0
            })
            .fold(f64::MAX, f64::min)
    };
    let raw = cpu(&mut || parse(&dgrams));
    let views = cpu(&mut || parse_views(&dgrams));
    println!(
        "CPU per pass: raw walk {:.1} ms, typed views {:.1} ms",
        raw * 1e3,
        views * 1e3
    );
    let schema = Schema::find("rt-route")
        .map_err(|e| println!("no rt-route spec ({e}): spec decode not measured"))
        .ok();
    if let Some(schema) = &schema {
        let mut out = Vec::with_capacity(4096);
        let values = cpu(&mut || parse_spec_values(schema, &dgrams));
        let json = cpu(&mut || parse_spec(schema, &dgrams, &mut out));
        println!(
            "CPU per pass: rt-route spec values {:.1} ms ({:.2}x the typed views), spec JSON {:.1} ms ({:.2}x)",
            values * 1e3,
            values / views,
            json * 1e3,
            json / views
        );
    }

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("route_dump_100k", |b| b.iter(|| parse(black_box(&dgrams))));
    g.bench_function("route_dump_100k_views", |b| {
        b.iter(|| parse_views(black_box(&dgrams)))
    });
    if let Some(schema) = &schema {
        let mut out = Vec::with_capacity(4096);
        let (n, json) = parse_spec(schema, &dgrams, &mut out);
        assert_eq!(n, MESSAGES);
        assert_eq!(parse_spec_values(schema, &dgrams).0, MESSAGES);
        println!("rt-route spec decode: {json} bytes of JSON for {n} messages");
        g.bench_function("route_dump_100k_spec_values", |b| {
            b.iter(|| parse_spec_values(schema, black_box(&dgrams)))
        });
        g.bench_function("route_dump_100k_spec_json", |b| {
            b.iter(|| parse_spec(schema, black_box(&dgrams), &mut out))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
