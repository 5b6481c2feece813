//! A monitor that survives overrun. It watches routes with the smallest
//! receive buffer the kernel allows while another thread adds 20,000 routes
//! in a batch: the kernel drops notifications (`ENOBUFS`), the monitor
//! re-dumps, hands out the differences marked as resync events, and goes
//! on. A consumer that applies every event ends with exactly the kernel's
//! routes. Runs in a network namespace of its own (needs root).
//!
//! ```text
//! # cargo run -p nlkit --release --example monitor_resync
//! 20000 routes added; 18734 events, 3 resyncs; the consumer holds 20000 routes, the kernel 20000
//! ```

use nlkit::monitor::{Monitor, Tracker};
use nlkit::route::track::{Objects, RouteTracker};
use nlkit::route::{Handle, RouteRequest, RouteView};

/// `RTM_DELROUTE`.
const RTM_DELROUTE: u16 = 25;
use nlkit::socket::Socket;
use nlkit::{AckMode, Connection, Protocol};
use std::collections::HashSet;
use std::error::Error;
use std::net::{IpAddr, Ipv4Addr};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

const ROUTES: u32 = 20_000;

/// What happened: routes added, events seen, resyncs, routes the consumer holds, routes the kernel holds.
pub fn run() -> Result<(u32, u64, u64, usize, usize)> {
    let h = Handle::new()?;
    h.add_link(&nlkit::route::LinkRequest::add("m0").veth("m1"))?;
    let m0 = h.index_of("m0")?;
    h.add_addr(m0, "10.9.0.1/24".parse()?)?;
    h.set_link(&nlkit::route::LinkRequest::set(m0).up())?;

    let tracker = RouteTracker {
        objects: Objects {
            route: true,
            ..Objects::default()
        },
        family: libc::AF_INET as u8,
    };
    let sock = Socket::open(Protocol::ROUTE)?;
    for g in tracker.groups() {
        sock.add_membership(g)?;
    }
    // 1 byte: the kernel rounds it up to its minimum, so a storm overruns it.
    let mut mon = Monitor::new(sock, Connection::new(Protocol::ROUTE)?, tracker, 1)?;

    // The consumer: what the events say the main table holds (10.x routes via m0).
    let mut have: HashSet<(IpAddr, u8)> = HashSet::new();
    let add = std::thread::spawn(move || -> Result<u32> {
        let conn = Connection::new(Protocol::ROUTE)?;
        let reqs = (0..ROUTES).map(|i| {
            let dst = Ipv4Addr::from(0x0a80_0000 + (i << 8));
            RouteRequest::add(format!("{dst}/24").parse().expect("a prefix"))
                .via("10.9.0.2".parse().expect("an address"))
                .dev(m0)
        });
        let s = conn.batch(reqs, AckMode::ErrorsOnly, |_, r| {
            if let Err(e) = r {
                eprintln!("{e}");
            }
        })?;
        Ok(s.ok as u32)
    });
    let mut events = 0u64;
    // Events until the consumer holds every route (bounded: a lost route would never arrive).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while have.len() < ROUTES as usize && std::time::Instant::now() < deadline {
        let ev = mon.next()?;
        events += 1;
        let Ok(r) = RouteView::parse(&ev.msg) else {
            continue;
        };
        let (Some(dst), true) = (r.dst(), r.oif() == Some(m0) && r.gateway().is_some()) else {
            continue;
        };
        if ev.msg.msg_type() == RTM_DELROUTE {
            have.remove(&(dst, r.header.dst_len));
        } else {
            have.insert((dst, r.header.dst_len));
        }
    }
    let added = add.join().map_err(|_| "the adding thread panicked")??;
    let mut kernel = 0;
    h.routes(Default::default(), |r| {
        if r.oif() == Some(m0) && r.gateway().is_some() {
            kernel += 1;
        }
        Ok(())
    })?;
    Ok((added, events, mon.resyncs(), have.len(), kernel))
}

fn main() -> Result<()> {
    let (added, events, resyncs, have, kernel) = nlkit::socket::netns::in_new_netns(run)??;
    println!(
        "{added} routes added; {events} events, {resyncs} resyncs; \
         the consumer holds {have} routes, the kernel {kernel}"
    );
    Ok(())
}

#[cfg(test)]
#[test]
fn the_consumer_ends_with_the_kernels_routes() {
    let (added, _events, _resyncs, have, kernel) =
        nlkit::socket::netns::in_new_netns(run).unwrap().unwrap();
    assert_eq!(added, ROUTES);
    assert_eq!(kernel, ROUTES as usize);
    assert_eq!(have, kernel);
}
