//! The blocking driver's read-ahead against the real kernel, in a network
//! namespace of its own: a route dump of 6000 routes read ahead
//! is exactly a dump received in line, message for message; a dump dropped
//! early ends its thread, and the connection goes on.

use nlkit::conn::RawRequest;
use nlkit::socket::netns::in_new_netns;
use nlkit::{Connection, Protocol};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The tests count this process's read-ahead threads: one test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;
/// Enough for 13 datagrams or more (a dump datagram holds at most ~480 of
/// these routes): while the consumer is at the third, its read-ahead thread
/// (at most four datagrams ahead) cannot have reached the end.
const ROUTES: usize = 6000;

/// `struct rtmsg` for AF_INET, everything else 0 (no filter).
const RTMSG_INET: [u8; 12] = [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

fn route_dump() -> RawRequest<'static> {
    RawRequest {
        msg_type: RTM_GETROUTE,
        flags: nlkit::wire::MsgFlags::DUMP,
        payload: &RTMSG_INET,
        fixed_len: 12,
        what: "dump IPv4 routes",
    }
}

fn ip_batch(lines: &str) {
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "ip -batch failed");
}

/// A veth pair with 10.255.0.1/16 and `ROUTES` /32 routes via 10.255.0.2.
fn many_routes() {
    let mut b = String::from(
        "link add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\n\
         addr add 10.255.0.1/16 dev d0\n",
    );
    for i in 0..ROUTES {
        b.push_str(&format!(
            "route add 10.1.{}.{}/32 via 10.255.0.2\n",
            i >> 8,
            i & 255
        ));
    }
    ip_batch(&b);
}

/// This process's threads named as the driver names its read-ahead threads.
fn read_ahead_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|c| c.trim_end() == "nlkit-read-ahea") // the name, cut to 15 bytes
        .count()
}

/// Every message of a route dump, copied (but for the port id it was sent
/// to), and the most read-ahead threads seen during it.
fn dump_all(conn: &Connection) -> (Vec<Vec<u8>>, usize) {
    let req = route_dump();
    let mut d = conn.dump(&req).unwrap();
    let mut msgs = Vec::new();
    let mut threads = 0;
    while let Some(m) = d.next() {
        let mut m = m.unwrap().as_bytes().to_vec();
        m[12..16].fill(0); // nlmsg_pid: the socket's port id
        msgs.push(m);
        if msgs.len() % 100 == 0 {
            threads = threads.max(read_ahead_threads());
        }
    }
    assert!(!d.interrupted());
    (msgs, threads)
}

fn routes_in(msgs: &[Vec<u8>]) -> usize {
    msgs.iter()
        .filter(|m| u16::from_ne_bytes([m[4], m[5]]) == RTM_NEWROUTE)
        .count()
}

#[test]
fn read_ahead_dump_is_the_plain_dump() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    in_new_netns(|| {
        many_routes();
        let plain = Connection::new(Protocol::ROUTE)
            .unwrap()
            .with_read_ahead(false);
        let (want, threads) = dump_all(&plain);
        assert_eq!(threads, 0, "no read-ahead when it is off");
        assert!(routes_in(&want) >= ROUTES, "{} routes", routes_in(&want));
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let (got, threads) = dump_all(&conn);
        assert_eq!(threads, 1, "the dump read ahead on one thread");
        assert_eq!(got.len(), want.len());
        assert!(
            got == want,
            "read ahead, the dump differs from the plain one"
        );
        assert_eq!(read_ahead_threads(), 0, "the thread ended with the dump");
        let s = conn.stats();
        assert_eq!((s.stale, s.spoofed, s.overruns), (0, 0, 0));
    })
    .unwrap();
}

/// `struct ifinfomsg` for link 1 (lo).
const IFINFO_LO: [u8; 16] = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

#[test]
fn read_ahead_dump_dropped_early_does_not_hang() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    in_new_netns(|| {
        many_routes();
        for keep in [1, 700] {
            let conn = Connection::new(Protocol::ROUTE).unwrap();
            let req = route_dump();
            let mut d = conn.dump(&req).unwrap();
            for _ in 0..keep {
                d.next().unwrap().unwrap();
            }
            drop(d); // as `nlkit route show | head -1` does on EPIPE
            assert_eq!(read_ahead_threads(), 0, "the thread ended with the dump");
            // The rest of the abandoned dump is stale; a request gets its answer.
            let get_lo = RawRequest {
                msg_type: RTM_GETLINK,
                flags: 0,
                payload: &IFINFO_LO,
                fixed_len: 16,
                what: "get lo",
            };
            let reply = conn.get(&get_lo).unwrap();
            assert_eq!(u16::from_ne_bytes([reply[4], reply[5]]), RTM_NEWLINK);
            assert!(conn.stats().stale > 0, "keep {keep}");
        }
    })
    .unwrap();
}
