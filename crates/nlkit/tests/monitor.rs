//! The resyncing monitor against the real kernel, in a netns of its own.

use nlkit::monitor::{same, Change, Event, Monitor, Tracker};
use nlkit::route::track::{Objects, RouteTracker};
use nlkit::route::{LinkRequest, Prefix, RouteDump, RouteRequest};
use nlkit::socket::netns::in_new_netns;
use nlkit::socket::Socket;
use nlkit::wire::Msg;
use nlkit::{AckMode, Connection, Error, Protocol};
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

fn monitor(tracker: RouteTracker, rcvbuf: usize) -> Monitor<RouteTracker> {
    let sock = Socket::open(Protocol::ROUTE).unwrap();
    for g in tracker.groups() {
        sock.add_membership(g).unwrap();
    }
    let conn = Connection::new(Protocol::ROUTE).unwrap();
    let m = Monitor::new(sock, conn, tracker, rcvbuf).unwrap();
    m.socket()
        .set_recv_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    m
}

fn timed_out(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::WouldBlock)
}

fn prefix(i: u32) -> Prefix {
    let a = Ipv4Addr::from(0x0a00_0000 | i);
    format!("{a}/32").parse().unwrap()
}

/// The identity the tracker gives a message, and what it does.
fn identify(t: &RouteTracker, m: &Msg<&[u8]>) -> Option<(Vec<u8>, Change)> {
    let mut key = Vec::new();
    let change = t.identify(m, &mut key).unwrap()?;
    Some((key, change))
}

/// The state a fresh dump gives, keyed like the monitor keys it.
fn fresh(conn: &Connection, t: &RouteTracker) -> HashMap<Vec<u8>, Vec<u8>> {
    let dump = RouteDump {
        family: libc::AF_INET as u8,
        ..RouteDump::default()
    };
    conn.dump_consistent(&dump, 5, HashMap::new, |s, m| {
        if let Some((k, Change::Set)) = identify(t, &m) {
            s.insert(k, m.as_bytes().to_vec());
        }
        Ok(())
    })
    .unwrap()
}

fn msg(b: &[u8]) -> Msg<&[u8]> {
    Msg::new_checked(b).unwrap()
}

fn same_state(
    t: &RouteTracker,
    a: &HashMap<Vec<u8>, Vec<u8>>,
    b: &HashMap<Vec<u8>, Vec<u8>>,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| same(t, &msg(v), &msg(w))))
}

#[test]
fn notifications_update_the_view() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        conn.request(&LinkRequest::set(1).up(), |_| Ok(())).unwrap();
        let t = RouteTracker {
            objects: Objects {
                route: true,
                ..Objects::default()
            },
            family: libc::AF_INET as u8,
        };
        let mut m = monitor(t, 0);
        let before = m.len();
        conn.request(&RouteRequest::add(prefix(7)).dev(1), |_| Ok(()))
            .unwrap();
        let ev = m.next().unwrap();
        assert_eq!((ev.msg.msg_type(), ev.is_resync()), (24, false)); // RTM_NEWROUTE
        assert_eq!(m.len(), before + 1);
        conn.request(&RouteRequest::delete(prefix(7)).dev(1), |_| Ok(()))
            .unwrap();
        let ev = m.next().unwrap();
        assert_eq!((ev.msg.msg_type(), ev.is_resync()), (25, false)); // RTM_DELROUTE
        assert_eq!(m.len(), before);
        assert!(timed_out(&m.next().unwrap_err()));
        assert_eq!(m.resyncs(), 0);
    })
    .unwrap();
}

/// 100k routes inserted as fast as the batch engine goes, and 10k of them
/// deleted, while the monitor's receive buffer is tiny: overruns happen, the
/// monitor resyncs, and both its view and a consumer that applies its events
/// end with exactly the kernel's state.
#[test]
fn storm_with_tiny_buffer_resyncs_exactly() {
    storm(false);
}

/// The same while the storm runs on another thread: overruns and resyncs
/// interleave with live notifications.
#[test]
fn concurrent_storm_resyncs_exactly() {
    storm(true);
}

fn route_tracker() -> RouteTracker {
    RouteTracker {
        objects: Objects {
            route: true,
            ..Objects::default()
        },
        family: libc::AF_INET as u8,
    }
}

/// Adds `n` routes and deletes every tenth, as fast as the batch engine goes.
fn insert_and_delete(n: u32) {
    let conn = Connection::new(Protocol::ROUTE).unwrap();
    let adds = (0..n).map(|i| RouteRequest::add(prefix(i)).dev(1));
    let mut failed = 0;
    conn.batch(adds, AckMode::ErrorsOnly, |_, r| {
        failed += r.is_err() as usize
    })
    .unwrap();
    let dels = (0..n)
        .step_by(10)
        .map(|i| RouteRequest::delete(prefix(i)).dev(1));
    conn.batch(dels, AckMode::ErrorsOnly, |_, r| {
        failed += r.is_err() as usize
    })
    .unwrap();
    assert_eq!(failed, 0);
}

/// A consumer that starts from a monitor's view and applies every event.
struct Consumer {
    t: RouteTracker,
    state: HashMap<Vec<u8>, Vec<u8>>,
    events: u64,
    resync_events: u64,
}

impl Consumer {
    fn new<'a>(t: RouteTracker, view: impl Iterator<Item = Msg<&'a [u8]>>) -> Consumer {
        let state = view
            .map(|msg| (identify(&t, &msg).unwrap().0, msg.as_bytes().to_vec()))
            .collect();
        Consumer {
            t,
            state,
            events: 0,
            resync_events: 0,
        }
    }

    fn apply(&mut self, ev: &Event<'_>) {
        self.events += 1;
        self.resync_events += ev.is_resync() as u64;
        match identify(&self.t, &ev.msg) {
            Some((k, Change::Set)) => {
                self.state.insert(k, ev.msg.as_bytes().to_vec());
            }
            Some((k, Change::Remove)) => {
                self.state.remove(&k);
            }
            None => {}
        }
    }

    /// Both the monitor's view and this consumer hold exactly the kernel's routes.
    fn check<'a>(&self, resyncs: u64, view: impl Iterator<Item = Msg<&'a [u8]>>, at_least: usize) {
        assert!(resyncs > 0, "no overrun happened: the test proves nothing");
        assert!(self.resync_events > 0);
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let kernel = fresh(&conn, &self.t);
        let view: HashMap<Vec<u8>, Vec<u8>> = Consumer::new(self.t, view).state;
        assert!(kernel.len() >= at_least, "{}", kernel.len());
        assert!(
            same_state(&self.t, &view, &kernel),
            "monitor view {} objects, kernel {}",
            view.len(),
            kernel.len()
        );
        assert!(
            same_state(&self.t, &self.state, &kernel),
            "consumer {} objects, kernel {}",
            self.state.len(),
            kernel.len()
        );
        eprintln!(
            "events {}, from resyncs {}, resyncs {resyncs}",
            self.events, self.resync_events
        );
    }
}

fn storm(concurrent: bool) {
    in_new_netns(move || {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        conn.request(&LinkRequest::set(1).up(), |_| Ok(())).unwrap();
        let t = route_tracker();
        let mut m = monitor(t, 1); // the kernel's minimum receive buffer
        let mut consumer = Consumer::new(t, m.view());
        let inserter = if concurrent {
            Some(std::thread::spawn(|| insert_and_delete(100_000)))
        } else {
            insert_and_delete(100_000);
            None
        };
        loop {
            match m.next() {
                Ok(ev) => consumer.apply(&ev),
                Err(e) if timed_out(&e) && inserter.as_ref().is_none_or(|t| t.is_finished()) => {
                    break
                }
                Err(e) if timed_out(&e) => {}
                Err(e) => panic!("{e}"),
            }
        }
        if let Some(t) = inserter {
            t.join().unwrap();
        }
        consumer.check(m.resyncs(), m.view(), 90_000);
    })
    .unwrap();
}

/// The tokio driver: the same core through a concurrent storm with a tiny buffer.
#[cfg(feature = "tokio")]
#[test]
fn tokio_monitor_resyncs_exactly() {
    use nlkit::conn::tokio::AsyncConnection;
    use nlkit::monitor::AsyncMonitor;
    in_new_netns(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let conn = Connection::new(Protocol::ROUTE).unwrap();
            conn.request(&LinkRequest::set(1).up(), |_| Ok(())).unwrap();
            let t = route_tracker();
            let sock = Socket::open(Protocol::ROUTE).unwrap();
            for g in t.groups() {
                sock.add_membership(g).unwrap();
            }
            let dumper = AsyncConnection::new(Protocol::ROUTE).unwrap();
            let mut m = AsyncMonitor::new(sock, dumper, t, 1).await.unwrap();
            let mut consumer = Consumer::new(t, m.core().view());
            let inserter = std::thread::spawn(|| insert_and_delete(50_000));
            loop {
                match tokio::time::timeout(Duration::from_millis(500), m.next()).await {
                    Ok(Ok(ev)) => consumer.apply(&ev),
                    Ok(Err(e)) => panic!("{e}"),
                    Err(_) if inserter.is_finished() => break,
                    Err(_) => {}
                }
            }
            inserter.join().unwrap();
            let core = m.core();
            consumer.check(core.resyncs(), core.view(), 45_000);
        });
    })
    .unwrap();
}

/// Nexthop objects are tracked by id, through a storm and its resync too.
#[test]
fn nexthop_objects_resync_exactly() {
    use nlkit::route::NexthopRequest;
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        conn.request(&LinkRequest::set(1).up(), |_| Ok(())).unwrap(); // blackholes live on lo
        let t = RouteTracker {
            objects: Objects {
                nexthop: true,
                ..Objects::default()
            },
            family: 0,
        };
        let mut m = monitor(t, 1);
        assert_eq!(m.len(), 0);
        let adds = (1..=5000u32).map(|id| NexthopRequest::add_blackhole(id, libc::AF_INET as u8));
        let mut failed = 0;
        conn.batch(adds, AckMode::ErrorsOnly, |i, r| {
            if let Err(e) = r {
                if failed == 0 {
                    eprintln!("add #{i}: {e}");
                }
                failed += 1;
            }
        })
        .unwrap();
        let dels = (1..=5000u32).step_by(5).map(NexthopRequest::delete);
        conn.batch(dels, AckMode::ErrorsOnly, |_, r| {
            failed += r.is_err() as usize
        })
        .unwrap();
        assert_eq!(failed, 0);
        loop {
            match m.next() {
                Ok(_) => {}
                Err(e) if timed_out(&e) => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(m.resyncs() > 0, "no overrun: the test proves nothing");
        let mut ids: Vec<u32> = m
            .view()
            .map(|msg| nlkit::route::NexthopView::parse(&msg).unwrap().id.unwrap())
            .collect();
        ids.sort();
        let want: Vec<u32> = (1..=5000u32).filter(|id| (id - 1) % 5 != 0).collect();
        assert_eq!(ids, want);
    })
    .unwrap();
}
