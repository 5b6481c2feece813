//! Both drivers against the fake kernel: requests, errors with extended
//! ACKs, dumps (interrupted on data and on DONE), batches in both ACK modes
//! with failures, overruns, a spoofed sender, threads sharing a connection.

use super::fake::{FakeExtAck, FakeKernel};
use super::{AckMode, Connection, ToMsg, Transport};
use crate::error::Error;
use crate::wire::{self, MsgFlags, MsgWriter, Protocol, NLMSG_ERROR};
use std::fmt;
use std::sync::Arc;

/// Echoes its value as one data message, then ACKs.
const T_GET: u16 = 0x20;
/// Answers by its value: see `SET_*`.
const T_SET: u16 = 0x21;
/// A dump of `value` messages, seven to a datagram; `how` says how it ends.
const T_DUMP: u16 = 0x22;
/// A notification to group 1, a forged EPERM from port 999 for the same
/// sequence number, then the ACK.
const T_SPOOF: u16 = 0x23;
/// The data messages' type.
const T_DATA: u16 = 0x30;

const SET_OK: u32 = 0;
const SET_WARN: u32 = 1;
const SET_BAD_VALUE: u32 = 2;
const SET_MISSING: u32 = 3;
const SET_OVERRUN: u32 = 4;
const SET_NODEV: u32 = 5;

const DUMP_CLEAN: u32 = 0;
const DUMP_INTR_ON_DATA: u32 = 1;
const DUMP_INTR_ON_DONE: u32 = 2;
const DUMP_FAILS: u32 = 3;
/// Interrupted (on DONE) the first two times, consistent after.
const DUMP_SETTLES: u32 = 4;
/// The receive buffer overflows after the first half of the messages; the
/// rest (and DONE) still arrive, as after a real overrun.
const DUMP_OVERRUNS: u32 = 5;

/// A request: a 4-byte fixed header (`how`) and attribute 1 (`value`, at offset 20).
#[derive(Clone, Copy, Debug)]
struct Req {
    ty: u16,
    flags: u16,
    how: u32,
    value: u32,
    unbuildable: bool,
}

impl Req {
    fn new(ty: u16, how: u32, value: u32) -> Req {
        Req {
            ty,
            flags: 0,
            how,
            value,
            unbuildable: false,
        }
    }
    fn set(how: u32) -> Req {
        Req::new(T_SET, how, 7)
    }
    fn dump(n: u32, how: u32) -> Req {
        Req {
            flags: MsgFlags::DUMP,
            ..Req::new(T_DUMP, how, n)
        }
    }
}

impl ToMsg for Req {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, self.ty, self.flags, 0, 0);
        w.bytes(&self.how.to_ne_bytes());
        w.attr_u32(1, self.value)?;
        if self.unbuildable {
            w.attr(2, &vec![0u8; 70_000])?;
        }
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + 4)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "test {:#x} {}", self.ty, self.value)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        match path {
            [1] => Some("TEST_VALUE".into()),
            [1, 7] => Some("TEST_INNER".into()),
            _ => None,
        }
    }
}

fn u32_at(p: &[u8], at: usize) -> u32 {
    p.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(u32::MAX, u32::from_ne_bytes)
}

/// The scripted kernel both drivers talk to.
fn kernel() -> FakeKernel {
    let mut settling = 0;
    FakeKernel::new(Protocol::ROUTE, move |m, r| {
        let p = m.payload();
        let (how, value) = (u32_at(p, 0), u32_at(p, 8));
        match (m.msg_type(), how) {
            (T_GET, _) => {
                r.data(m, T_DATA, 0, &value.to_ne_bytes());
                r.ack(m);
            }
            (T_SET, SET_OK) => r.ack(m),
            (T_SET, SET_WARN) => r.ack_with_warning(m, "deprecated"),
            (T_SET, SET_BAD_VALUE) => r.error(
                m,
                libc::ERANGE,
                &FakeExtAck {
                    offset: Some(20),
                    ..FakeExtAck::msg("value out of range")
                },
            ),
            (T_SET, SET_MISSING) => r.error(
                m,
                libc::EINVAL,
                &FakeExtAck {
                    missing: Some(7),
                    missing_nest: Some(20),
                    ..FakeExtAck::default()
                },
            ),
            (T_SET, SET_OVERRUN) => r.overrun(),
            (T_SET, _) => r.error(m, libc::ENODEV, &FakeExtAck::default()),
            (T_DUMP, _) => {
                for i in 0..value {
                    let intr = how == DUMP_INTR_ON_DATA && i == 2;
                    let flags = MsgFlags::MULTI | if intr { MsgFlags::DUMP_INTR } else { 0 };
                    r.data(m, T_DATA, flags, &i.to_ne_bytes());
                    if i % 7 == 6 {
                        r.split();
                    }
                    if how == DUMP_OVERRUNS && i == value / 2 {
                        r.overrun();
                    }
                }
                match how {
                    DUMP_INTR_ON_DONE => r.done(m, true),
                    DUMP_FAILS => r.done_error(m, libc::EMSGSIZE, &FakeExtAck::msg("too much")),
                    DUMP_SETTLES => {
                        settling += 1;
                        r.done(m, settling <= 2)
                    }
                    _ => r.done(m, false),
                }
            }
            (T_SPOOF, _) => {
                r.notify(1, T_DATA, &[0u8; 4]);
                r.from_port(999, forged_eperm(m.seq()));
                r.ack(m);
            }
            _ => r.error(m, libc::EOPNOTSUPP, &FakeExtAck::default()),
        }
    })
}

fn forged_eperm(seq: u32) -> Vec<u8> {
    let mut v = Vec::new();
    let mut w = MsgWriter::new(&mut v, NLMSG_ERROR, MsgFlags::CAPPED, seq, 4242);
    w.bytes(&(-libc::EPERM).to_ne_bytes());
    w.bytes(&[0u8; 16]);
    v
}

fn value_of(m: &wire::Msg<&[u8]>) -> u32 {
    u32_at(m.payload(), 0)
}

fn check_bad_value(e: &Error) {
    let k = e.kernel().expect("a kernel error");
    assert_eq!(k.errno, libc::ERANGE);
    assert_eq!(k.message.as_deref(), Some("value out of range"));
    assert_eq!(k.attr.unwrap().types(), &[1]);
    assert_eq!(k.attr_name.as_deref(), Some("TEST_VALUE"));
    assert_eq!(
        e.to_string(),
        "test 0x21 7: Numerical result out of range (ERANGE): value out of range [attribute TEST_VALUE]"
    );
}

/// 23 requests (one that cannot be built, at 9; ENODEV at 1, 5, 13, 17, 21).
fn batch_items() -> Vec<Req> {
    (0..23)
        .map(|i| Req {
            unbuildable: i == 9,
            ..Req::set(if i % 4 == 1 { SET_NODEV } else { SET_OK })
        })
        .collect()
}

/// Checks what a batch of [`batch_items`] reported.
fn check_batch(seen: &[(usize, Option<i32>)], sum: super::BatchSummary) {
    let want: Vec<(usize, Option<i32>)> = (0..23)
        .map(|i| match i {
            9 => (i, Some(-1)),
            i if i % 4 == 1 => (i, Some(libc::ENODEV)),
            i => (i, None),
        })
        .collect();
    assert_eq!(seen, want);
    assert_eq!((sum.ok, sum.failed), (17, 6));
}

/// Records a batch outcome: the errno, or -1 for a request that could not be built.
fn record(seen: &mut Vec<(usize, Option<i32>)>, i: usize, r: crate::Result<()>) {
    let code = r.err().map(|e| match &e {
        Error::Build { .. } => -1,
        e => {
            assert_eq!(e.kernel().unwrap().index, Some(i), "{e}");
            e.errno().unwrap_or(0)
        }
    });
    seen.push((i, code));
}

/// A window of 5 requests: the 23 go out in several `sendmsg` calls.
fn small_window_kernel() -> FakeKernel {
    kernel().with_rmem_max(5 * 1280)
}

mod blocking {
    use super::*;

    /// A GET of `v` answers `v`.
    fn check_get(c: &Connection<FakeKernel>, v: u32) {
        let reply = c.get(&Req::new(T_GET, 0, v)).unwrap();
        assert_eq!(value_of(&wire::Msg::new_checked(&reply[..]).unwrap()), v);
    }

    fn conn() -> Connection<FakeKernel> {
        Connection::with_transport(kernel()).unwrap()
    }

    #[test]
    fn sets_up_the_socket_options() {
        let c = conn();
        assert_eq!(c.socket().options(), (true, true, true));
    }

    #[test]
    fn get_request_and_warning() {
        let c = conn();
        check_get(&c, 99);
        assert_eq!(c.request(&Req::set(SET_OK), |_| Ok(())).unwrap(), None);
        assert_eq!(
            c.request(&Req::set(SET_WARN), |_| Ok(()))
                .unwrap()
                .as_deref(),
            Some("deprecated")
        );
        let e = c.get(&Req::set(SET_OK)).unwrap_err();
        assert!(matches!(e, Error::NoData { .. }), "{e}");
        assert_eq!(c.socket().queued(), 0, "every answer was read");
    }

    #[test]
    fn errors_name_the_attribute_and_the_missing_one() {
        let c = conn();
        check_bad_value(&c.request(&Req::set(SET_BAD_VALUE), |_| Ok(())).unwrap_err());
        let e = c.request(&Req::set(SET_MISSING), |_| Ok(())).unwrap_err();
        let k = e.kernel().unwrap();
        assert_eq!((k.errno, k.missing), (libc::EINVAL, Some(7)));
        assert_eq!(k.missing_name.as_deref(), Some("TEST_INNER"));
        assert!(
            e.to_string().ends_with("[missing attribute TEST_INNER]"),
            "{e}"
        );
    }

    #[test]
    fn dump_streams_every_message_over_many_datagrams() {
        let c = conn();
        let req = Req::dump(40, DUMP_CLEAN);
        let mut d = c.dump(&req).unwrap();
        let mut got = Vec::new();
        while let Some(m) = d.next() {
            got.push(value_of(&m.unwrap()));
        }
        assert_eq!(got, (0..40).collect::<Vec<_>>());
        assert!(!d.interrupted());
        assert!(d.next().is_none());
    }

    /// Every value of a dump of `n`, in order, and whether it was interrupted.
    fn dump_values(c: &Connection<FakeKernel>, n: u32, how: u32) -> (Vec<u32>, bool) {
        let req = Req::dump(n, how);
        let mut d = c.dump(&req).unwrap();
        let mut got = Vec::new();
        while let Some(m) = d.next() {
            got.push(value_of(&m.unwrap()));
        }
        (got, d.interrupted())
    }

    /// A dump of 1000 (143 datagrams) reads ahead on a second thread and
    /// hands over exactly what a dump received in line does; a dump of two
    /// datagrams, or a transport without a receiver, never starts one.
    #[test]
    fn long_dumps_read_ahead_small_ones_do_not() {
        let all: Vec<u32> = (0..1000).collect();
        let c = conn();
        assert_eq!(dump_values(&c, 1000, DUMP_CLEAN), (all.clone(), false));
        assert_eq!(
            c.socket().receiving_threads(),
            2,
            "a read-ahead thread received"
        );
        assert_eq!(c.socket().queued(), 0);
        for plain in [
            Connection::with_transport(kernel().without_receiver()).unwrap(),
            conn().with_read_ahead(false),
        ] {
            assert_eq!(dump_values(&plain, 1000, DUMP_CLEAN), (all.clone(), false));
            assert_eq!(plain.socket().receiving_threads(), 1);
        }
        let c = conn();
        assert_eq!(
            dump_values(&c, 10, DUMP_CLEAN).0,
            (0..10).collect::<Vec<_>>()
        );
        assert_eq!(c.socket().receiving_threads(), 1, "two datagrams: in line");
        assert_eq!(c.stats().stale, 0);
    }

    /// Read ahead, a dump still notes NLM_F_DUMP_INTR (on data and on DONE)
    /// and fails on an error DONE after every message before it.
    #[test]
    fn read_ahead_keeps_interruptions_and_errors() {
        let c = conn();
        let (v, intr) = dump_values(&c, 300, DUMP_INTR_ON_DONE);
        assert_eq!((v.len(), intr), (300, true));
        let (v, intr) = dump_values(&c, 300, DUMP_INTR_ON_DATA);
        assert_eq!((v.len(), intr), (300, true));
        let req = Req::dump(300, DUMP_FAILS);
        let mut d = c.dump(&req).unwrap();
        for i in 0..300 {
            assert_eq!(value_of(&d.next().unwrap().unwrap()), i);
        }
        let e = d.next().unwrap().unwrap_err();
        assert_eq!(e.errno(), Some(libc::EMSGSIZE), "{e}");
        assert!(d.next().is_none());
        drop(d);
        assert!(c.socket().receiving_threads() >= 2);
        assert_eq!((c.socket().queued(), c.stats().stale), (0, 0));
    }

    /// An overrun the read-ahead thread receives fails the dump; what the
    /// kernel sends after it is stale, and the connection goes on.
    #[test]
    fn read_ahead_overrun_fails_the_dump_and_the_connection_goes_on() {
        let c = conn();
        let req = Req::dump(300, DUMP_OVERRUNS);
        let mut d = c.dump(&req).unwrap();
        let mut n = 0;
        let e = loop {
            match d.next().unwrap() {
                Ok(m) => {
                    assert_eq!(value_of(&m), n);
                    n += 1;
                }
                Err(e) => break e,
            }
        };
        assert!(e.is_overrun(), "{e}");
        assert!((14..=151).contains(&n), "{n} messages before the overrun");
        assert!(d.next().is_none());
        drop(d);
        assert_eq!(c.socket().receiving_threads(), 2);
        c.request(&Req::set(SET_OK), |_| Ok(())).unwrap();
        assert_eq!(c.socket().queued(), 0);
        assert!(c.stats().stale > 0, "the rest of the dump is stale");
        assert_eq!(c.stats().overruns, 1);
    }

    /// A dump dropped while its thread reads ahead stops the thread (the
    /// drop returns); what it had received is fed to the engine by the next
    /// reader, so a request after it gets its own answer.
    #[test]
    fn read_ahead_dump_dropped_early_ends_its_thread() {
        let c = conn();
        let req = Req::dump(1000, DUMP_CLEAN);
        let mut d = c.dump(&req).unwrap();
        for i in 0..30 {
            assert_eq!(value_of(&d.next().unwrap().unwrap()), i);
        }
        drop(d);
        assert_eq!(c.socket().receiving_threads(), 2);
        check_get(&c, 5);
        assert_eq!(c.socket().queued(), 0);
        assert!(c.stats().stale > 0);
        // And the next dump reads ahead again, whole.
        let all: Vec<u32> = (0..500).collect();
        assert_eq!(dump_values(&c, 500, DUMP_CLEAN), (all, false));
    }

    /// Requests while a dump reads ahead: made between two `next` calls by
    /// the dump's own thread (a printer looking a name up), and by other
    /// threads all along. Each gets its answer; the dump loses nothing.
    #[test]
    fn requests_beside_a_dump_that_reads_ahead() {
        let c = Arc::new(conn());
        let others: Vec<_> = (0..3u32)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..100 {
                        let v = t * 1000 + i;
                        check_get(&c, v);
                    }
                })
            })
            .collect();
        let req = Req::dump(2000, DUMP_CLEAN);
        let mut d = c.dump(&req).unwrap();
        let mut n = 0;
        while let Some(m) = d.next() {
            assert_eq!(value_of(&m.unwrap()), n);
            if n % 250 == 100 {
                check_get(&c, 7);
            }
            n += 1;
        }
        assert_eq!(n, 2000);
        drop(d);
        for t in others {
            t.join().unwrap();
        }
        assert_eq!((c.stats().stale, c.socket().queued()), (0, 0));
    }

    #[test]
    fn dump_interrupted_on_data_or_on_done() {
        let c = conn();
        for how in [DUMP_INTR_ON_DATA, DUMP_INTR_ON_DONE] {
            let req = Req::dump(10, how);
            let mut d = c.dump(&req).unwrap();
            let mut n = 0;
            while let Some(m) = d.next() {
                m.unwrap();
                n += 1;
            }
            assert_eq!(n, 10);
            assert!(d.interrupted(), "how {how}");
        }
    }

    #[test]
    fn dump_failing_on_done_is_an_error() {
        let c = conn();
        let req = Req::dump(3, DUMP_FAILS);
        let mut d = c.dump(&req).unwrap();
        for _ in 0..3 {
            d.next().unwrap().unwrap();
        }
        let e = d.next().unwrap().unwrap_err();
        assert_eq!(e.errno(), Some(libc::EMSGSIZE));
        assert_eq!(e.kernel().unwrap().message.as_deref(), Some("too much"));
        assert!(d.next().is_none());
    }

    #[test]
    fn dump_consistent_retries_until_consistent() {
        let c = conn();
        let req = Req::dump(5, DUMP_SETTLES);
        let e = c
            .dump_consistent(&req, 2, Vec::new, |v, m| {
                v.push(value_of(&m));
                Ok(())
            })
            .unwrap_err();
        assert!(
            matches!(e, Error::DumpInterrupted { attempts: 2, .. }),
            "{e}"
        );
        let mut inits = 0;
        let v = c
            .dump_consistent(
                &req,
                3,
                || {
                    inits += 1;
                    Vec::new()
                },
                |v, m| {
                    v.push(value_of(&m));
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!((v, inits), (vec![0, 1, 2, 3, 4], 1));
    }

    #[test]
    fn batch_in_both_modes_reports_everything_in_order() {
        for mode in [AckMode::Every, AckMode::ErrorsOnly] {
            let c = Connection::with_transport(small_window_kernel()).unwrap();
            let mut seen = Vec::new();
            let sum = c
                .batch(batch_items(), mode, |i, r| record(&mut seen, i, r))
                .unwrap();
            check_batch(&seen, sum);
            assert!(sum.sends >= 5, "{sum:?}: a window of 5");
            assert_eq!(sum.sends, c.socket().sends());
            assert_eq!(c.socket().queued(), 0);
            assert_eq!(c.stats().stale, 0);
        }
    }

    #[test]
    fn overrun_fails_the_request_and_the_connection_goes_on() {
        let c = conn();
        let e = c.request(&Req::set(SET_OVERRUN), |_| Ok(())).unwrap_err();
        assert!(e.is_overrun(), "{e}");
        assert_eq!(c.stats().overruns, 1);
        c.request(&Req::set(SET_OK), |_| Ok(())).unwrap();
        let items = [Req::set(SET_OK), Req::set(SET_OVERRUN), Req::set(SET_OK)];
        let e = c.batch(items, AckMode::ErrorsOnly, |_, _| {}).unwrap_err();
        assert!(e.is_overrun(), "{e}");
    }

    #[test]
    fn spoofed_sender_is_dropped_and_counted() {
        let c = conn();
        // A forged error for the next request, queued before it is even sent.
        c.socket().inject(forged_eperm(1), 31337, 0);
        c.request(&Req::set(SET_OK), |_| Ok(())).unwrap();
        c.request(&Req::new(T_SPOOF, 0, 0), |_| Ok(())).unwrap();
        assert_eq!((c.stats().spoofed, c.stats().notifications), (2, 1));
    }

    #[test]
    fn callbacks_return_the_callers_error() {
        #[derive(Debug)]
        enum Mine {
            Nl(Error),
            Stop,
        }
        impl From<Error> for Mine {
            fn from(e: Error) -> Mine {
                Mine::Nl(e)
            }
        }
        let c = conn();
        let r = c.request_with(&Req::new(T_GET, 0, 1), |_| Err(Mine::Stop));
        assert!(matches!(r, Err(Mine::Stop)));
        let r = c.request_with(&Req::set(SET_NODEV), |_| Ok::<(), Mine>(()));
        assert!(matches!(r, Err(Mine::Nl(e)) if e.errno() == Some(libc::ENODEV)));
        // The abandoned request's ACK arrives later and is dropped as stale.
        c.request(&Req::set(SET_OK), |_| Ok(())).unwrap();
        assert_eq!(c.stats().stale, 1);
    }

    #[test]
    fn threads_share_one_connection() {
        let c = Arc::new(conn());
        let threads: Vec<_> = (0..8u32)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let v = t * 1000 + i;
                        check_get(&c, v);
                    }
                    let req = Req::dump(20, DUMP_CLEAN);
                    let mut d = c.dump(&req).unwrap();
                    let mut n = 0;
                    while let Some(m) = d.next() {
                        assert_eq!(value_of(&m.unwrap()), n);
                        n += 1;
                    }
                    assert_eq!(n, 20);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(c.stats().stale, 0);
        assert_eq!(c.socket().queued(), 0);
    }

    #[test]
    fn peer_on_usersock_may_answer() {
        let k = FakeKernel::new(Protocol::USERSOCK, |m, r| {
            r.from_port(77, {
                let mut v = Vec::new();
                let mut w = MsgWriter::new(&mut v, NLMSG_ERROR, MsgFlags::CAPPED, m.seq(), 0);
                w.bytes(&0i32.to_ne_bytes());
                w.bytes(&[0u8; 16]);
                v
            })
        });
        let c = Connection::with_transport(k)
            .unwrap()
            .with_peer(crate::socket::Dest::port(77));
        c.request(&Req::set(SET_OK), |_| Ok(())).unwrap();
        assert_eq!(c.socket().last_dest(), Some(crate::socket::Dest::port(77)));
        assert_eq!(c.socket().protocol(), Protocol::USERSOCK);
    }
}

#[cfg(feature = "tokio")]
mod tokio_driver {
    use super::*;
    use crate::conn::tokio::AsyncConnection;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        ::tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn conn() -> AsyncConnection<FakeKernel> {
        AsyncConnection::with_transport(kernel()).unwrap()
    }

    #[test]
    fn request_warning_and_errors() {
        block_on(async {
            let mut c = conn();
            assert_eq!(c.socket().options(), (true, true, true));
            let mut got = None;
            c.request(&Req::new(T_GET, 0, 5), |m| {
                got = Some(value_of(&m));
                Ok(())
            })
            .await
            .unwrap();
            assert_eq!(got, Some(5));
            let w = c.request(&Req::set(SET_WARN), |_| Ok(())).await.unwrap();
            assert_eq!(w.as_deref(), Some("deprecated"));
            let e = c
                .request(&Req::set(SET_BAD_VALUE), |_| Ok(()))
                .await
                .unwrap_err();
            check_bad_value(&e);
        });
    }

    /// The bug the engine fixes: `NLM_F_DUMP_INTR` only on the final DONE.
    #[test]
    fn dump_reports_interrupted_on_done_and_on_data() {
        block_on(async {
            let mut c = conn();
            let mut n = 0;
            let clean = c
                .dump(&Req::dump(30, DUMP_CLEAN), |m| {
                    assert_eq!(value_of(&m), n);
                    n += 1;
                    Ok(())
                })
                .await
                .unwrap();
            assert_eq!((n, clean), (30, false));
            for how in [DUMP_INTR_ON_DONE, DUMP_INTR_ON_DATA] {
                let intr = c.dump(&Req::dump(4, how), |_| Ok(())).await.unwrap();
                assert!(intr, "how {how}");
            }
            let e = c
                .dump(&Req::dump(2, DUMP_FAILS), |_| Ok(()))
                .await
                .unwrap_err();
            assert_eq!(e.errno(), Some(libc::EMSGSIZE));
            let v = c
                .dump_consistent(&Req::dump(3, DUMP_SETTLES), 3, Vec::new, |v, m| {
                    v.push(value_of(&m));
                    Ok(())
                })
                .await
                .unwrap();
            assert_eq!(v, [0, 1, 2]);
        });
    }

    #[test]
    fn batch_in_both_modes() {
        block_on(async {
            for mode in [AckMode::Every, AckMode::ErrorsOnly] {
                let mut c = AsyncConnection::with_transport(small_window_kernel()).unwrap();
                let mut seen = Vec::new();
                let sum = c
                    .batch(batch_items(), mode, |i, r| record(&mut seen, i, r))
                    .await
                    .unwrap();
                check_batch(&seen, sum);
                assert_eq!(sum.sends, c.socket().sends());
                assert_eq!(c.socket().queued(), 0);
            }
        });
    }

    #[test]
    fn overrun_and_spoofed_sender() {
        block_on(async {
            let mut c = conn();
            let e = c
                .request(&Req::set(SET_OVERRUN), |_| Ok(()))
                .await
                .unwrap_err();
            assert!(e.is_overrun(), "{e}");
            c.request(&Req::new(T_SPOOF, 0, 0), |_| Ok(()))
                .await
                .unwrap();
            let s = c.stats();
            assert_eq!(
                (s.overruns, s.spoofed, s.notifications, s.stale),
                (1, 1, 1, 0)
            );
        });
    }
}
