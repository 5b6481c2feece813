//! The conntrack library against the real kernel, each test in a netns of
//! its own: batched creates, streamed dumps (kernel and user-space filters
//! agree), get, update, delete, flush by family, count and per-CPU stats.

use nlkit::netfilter::conntrack::{self as ct, Conntrack, Filter, Spec, Table, Tuple};
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::{Msg, MsgFlags};
use nlkit::{Connection, Protocol};
use std::net::IpAddr;

fn udp(src: &str, dst: &str, sport: u16, dport: u16) -> Tuple {
    Tuple {
        src: Some(src.parse().unwrap()),
        dst: Some(dst.parse().unwrap()),
        proto: Some(17),
        sport: Some(sport),
        dport: Some(dport),
        ..Default::default()
    }
}

fn entry(t: Tuple, mark: u32) -> Spec {
    Spec {
        orig: Some(t),
        reply: Some(Tuple {
            src: t.dst,
            dst: t.src,
            sport: t.dport,
            dport: t.sport,
            ..t
        }),
        timeout: Some(300),
        mark: Some(mark),
        ..Default::default()
    }
}

fn all(conn: &Connection, f: &Filter) -> Vec<(Option<IpAddr>, Option<u16>, Option<u32>)> {
    let mut v = Vec::new();
    ct::dump(conn, Table::Main, f, |c| {
        let o = c.orig.unwrap();
        v.push((o.dst, o.sport, c.mark));
        Ok(())
    })
    .unwrap();
    v.sort();
    v
}

#[test]
fn create_dump_get_update_delete_flush() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::NETFILTER).unwrap();
        // 3000 IPv4 entries and 100 IPv6 ones, batched.
        let specs = (0..3000u32)
            .map(|i| entry(udp("10.5.0.1", "10.5.0.2", 1000 + i as u16, 53), i % 4))
            .chain((0..100u32).map(|i| entry(udp("fd05::1", "fd05::2", 1000 + i as u16, 53), 8)));
        let mut failed = 0;
        let sum = ct::batch(
            &conn,
            specs.map(|s| (ct::IPCTNL_MSG_CT_NEW, MsgFlags::CREATE | MsgFlags::EXCL, s)),
            |_, r| {
                if r.is_err() {
                    failed += 1
                }
            },
        )
        .unwrap();
        assert_eq!((sum.ok, sum.failed, failed), (3100, 0, 0));
        assert!(sum.sends < 3100, "packed: {sum:?}");
        assert_eq!(ct::count(&conn).unwrap().entries, 3100);

        // A create of an existing entry fails with EEXIST.
        let e = ct::create(&conn, &entry(udp("10.5.0.1", "10.5.0.2", 1000, 53), 0)).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EEXIST));

        let every = Filter::default();
        let s = ct::dump(&conn, Table::Main, &every, |_| Ok(())).unwrap();
        assert_eq!((s.received, s.shown), (3100, 3100));

        // Kernel-side filters (mark/mask, family, tuple) give what user space would.
        let by_mark = Filter {
            mark: Some((1, 3)),
            ..Default::default()
        };
        let got = all(&conn, &by_mark);
        assert_eq!(got.len(), 750);
        assert!(got.iter().all(|x| x.2 == Some(1)));
        let v6 = Filter {
            family: libc::AF_INET6 as u8,
            ..Default::default()
        };
        assert_eq!(all(&conn, &v6).len(), 100);
        let one = Filter {
            orig: Tuple {
                src: Some("10.5.0.1".parse().unwrap()),
                proto: Some(17),
                sport: Some(1500),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            all(&conn, &one),
            vec![(Some("10.5.0.2".parse().unwrap()), Some(1500), Some(0))]
        );
        let s = ct::dump(&conn, Table::Main, &one, |_| Ok(())).unwrap();
        assert!(s.received < 3100, "the kernel filtered: {s:?}");

        // get, update, get again.
        let key = Spec {
            orig: Some(udp("10.5.0.1", "10.5.0.2", 1500, 53)),
            ..Default::default()
        };
        let b = ct::get(&conn, &key).unwrap();
        let c = Conntrack::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(c.mark, Some(0));
        assert_eq!(c.timeout.map(|t| t <= 300 && t > 200), Some(true));
        ct::update(
            &conn,
            &Spec {
                mark: Some(77),
                timeout: Some(1000),
                ..key.clone()
            },
        )
        .unwrap();
        let b = ct::get(&conn, &key).unwrap();
        let c = Conntrack::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(c.mark, Some(77));
        assert!(c.timeout.unwrap() > 900);

        // delete one, then it is gone.
        ct::delete(&conn, &key).unwrap();
        assert_eq!(
            ct::get(&conn, &key).unwrap_err().errno(),
            Some(libc::ENOENT)
        );
        assert_eq!(
            ct::delete(&conn, &key).unwrap_err().errno(),
            Some(libc::ENOENT)
        );

        // delete by filter.
        let n = ct::delete_matching(&conn, &by_mark, |_| Ok(())).unwrap();
        assert_eq!(n, 750);
        assert_eq!(ct::count(&conn).unwrap().entries, 3100 - 751);

        // flush one family, then all.
        ct::flush(&conn, libc::AF_INET6 as u8).unwrap();
        assert_eq!(all(&conn, &v6).len(), 0);
        assert_eq!(ct::count(&conn).unwrap().entries, 3000 - 751);
        ct::flush(&conn, 0).unwrap();
        assert_eq!(ct::count(&conn).unwrap().entries, 0);

        let cpus = ct::cpu_stats(&conn).unwrap();
        assert!(!cpus.is_empty());
        assert!(cpus
            .iter()
            .all(|c| c.counters.iter().any(|(k, _)| *k == ct::CTA_STATS_FOUND)));
    })
    .unwrap();
}

#[test]
fn dump_consistent_folds_the_whole_table() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::NETFILTER).unwrap();
        let specs = (0..500u32).map(|i| {
            (
                ct::IPCTNL_MSG_CT_NEW,
                MsgFlags::CREATE,
                entry(udp("10.6.0.1", "10.6.0.2", 2000 + i as u16, 53), i),
            )
        });
        ct::batch(&conn, specs, |_, r| r.unwrap()).unwrap();
        let spec = Spec::default();
        let req = ct::Request::dump(0, &spec);
        let marks = conn
            .dump_consistent(&req, 3, Vec::new, |v, m| {
                let c = Conntrack::parse(&m).map_err(|e| nlkit::Error::Malformed {
                    what: "ct".into(),
                    source: e,
                })?;
                v.push(c.mark.unwrap());
                Ok(())
            })
            .unwrap();
        let mut marks = marks;
        marks.sort();
        assert_eq!(marks, (0..500).collect::<Vec<_>>());
    })
    .unwrap();
}

#[test]
fn events_with_resync_end_equal_to_the_table() {
    use nlkit::monitor::Monitor;
    use nlkit::netfilter::conntrack::track::{key, ConntrackTracker};
    use nlkit::socket::Socket;
    use std::collections::BTreeSet;
    in_new_netns(|| {
        let sock = Socket::open(Protocol::NETFILTER).unwrap();
        for g in [
            ct::NFNLGRP_CONNTRACK_NEW,
            ct::NFNLGRP_CONNTRACK_UPDATE,
            ct::NFNLGRP_CONNTRACK_DESTROY,
        ] {
            sock.add_membership(g).unwrap();
        }
        sock.set_recv_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let dump_conn = Connection::new(Protocol::NETFILTER).unwrap();
        // A small buffer: the storm overruns it.
        let mut mon = Monitor::new(sock, dump_conn, ConntrackTracker::new(0), 32 * 1024).unwrap();
        assert_eq!(mon.len(), 0);
        let conn = Connection::new(Protocol::NETFILTER).unwrap();
        let specs = (0..20_000u32).map(|i| {
            let t = udp(
                "10.7.0.1",
                "10.7.0.2",
                1 + (i % 60_000) as u16,
                53 + (i / 60_000) as u16,
            );
            (
                ct::IPCTNL_MSG_CT_NEW,
                MsgFlags::CREATE | MsgFlags::EXCL,
                entry(t, i),
            )
        });
        ct::batch(&conn, specs, |_, r| r.unwrap()).unwrap();
        let some = Filter {
            mark: Some((0, 3)),
            ..Default::default()
        };
        assert_eq!(ct::delete_matching(&conn, &some, |_| Ok(())).unwrap(), 5000);
        // Drain: every event, resyncs included, until the socket is quiet.
        let mut events = 0;
        loop {
            match mon.next() {
                Ok(_) => events += 1,
                Err(nlkit::Error::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    break
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert!(mon.resyncs() >= 1, "the storm overran the small buffer");
        assert!(events > 0);
        let view: BTreeSet<Vec<u8>> = mon
            .view()
            .map(|m| key(&Conntrack::parse(&m).unwrap()))
            .collect();
        let mut table = BTreeSet::new();
        ct::dump(&conn, Table::Main, &Filter::default(), |c| {
            table.insert(key(c));
            Ok(())
        })
        .unwrap();
        assert_eq!(table.len(), 15_000);
        assert!(
            view == table,
            "view {} entries, table {}",
            view.len(),
            table.len()
        );
    })
    .unwrap();
}
