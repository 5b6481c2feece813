//! Real kernel replies kept as fixtures (`tests/fixtures/route/`), and a
//! check that today's kernel still answers the same way.
//!
//! `NLKIT_WRITE_FIXTURES=1 cargo test -p nlkit --test route_fixtures` rewrites them.

use nlkit::route::{
    AddrDump, AddrView, LinkView, RouteDump, RouteView, AF_INET, RTM_NEWADDR, RTM_NEWLINK,
    RTM_NEWROUTE, RT_TABLE_LOCAL,
};
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::MsgIter;
use nlkit::{Connection, Protocol};
use std::path::PathBuf;
use std::process::Command;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/route")
}

fn sh(cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).status().unwrap();
    assert!(st.success(), "{cmd} failed");
}

/// Captures: lo's IPv4 address, the local route for 127.0.0.1, and a veth link.
fn capture() -> Vec<(&'static str, Vec<u8>)> {
    in_new_netns(|| {
        sh("ip link set lo up && ip link add fx0 type veth peer name fx1 && ip link set fx0 mtu 1400");
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let mut out = Vec::new();
        let mut d = conn
            .dump(&AddrDump {
                family: AF_INET,
                index: 1,
            })
            .unwrap();
        while let Some(m) = d.next() {
            let m = m.unwrap();
            if m.msg_type() == RTM_NEWADDR && out.is_empty() {
                out.push(("newaddr_lo_v4.bin", m.as_bytes().to_vec()));
            }
        }
        drop(d);
        let q = RouteDump {
            family: AF_INET,
            table: RT_TABLE_LOCAL,
            ..Default::default()
        };
        let mut d = conn.dump(&q).unwrap();
        while let Some(m) = d.next() {
            let m = m.unwrap();
            let v = RouteView::parse(&m).unwrap();
            if v.dst() == Some("127.0.0.1".parse().unwrap()) {
                out.push(("newroute_local_lo.bin", m.as_bytes().to_vec()));
            }
        }
        drop(d);
        let h = nlkit::route::Handle::with(&conn);
        let idx = h.index_of("fx0").unwrap();
        let bytes = conn.get(&nlkit::route::LinkRequest::get(idx)).unwrap();
        out.push(("newlink_veth.bin", bytes));
        out
    })
    .unwrap()
}

#[test]
fn fixtures_match_the_kernel() {
    let live = capture();
    if std::env::var_os("NLKIT_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(dir()).unwrap();
        for (name, b) in &live {
            std::fs::write(dir().join(name), b).unwrap();
        }
    }
    assert_eq!(live.len(), 3);
    for (name, b) in &live {
        let stored = std::fs::read(dir().join(name)).unwrap();
        let (_, s) = MsgIter::new(&stored).next().unwrap().unwrap();
        let (_, l) = MsgIter::new(b).next().unwrap().unwrap();
        assert_eq!(s.msg_type(), l.msg_type(), "{name}");
        match s.msg_type() {
            RTM_NEWADDR => {
                let (a, b) = (AddrView::parse(&s).unwrap(), AddrView::parse(&l).unwrap());
                assert_eq!(a.local_addr(), b.local_addr());
                assert_eq!(a.label, b.label);
                assert_eq!(a.flags(), b.flags());
            }
            RTM_NEWROUTE => {
                let (a, b) = (RouteView::parse(&s).unwrap(), RouteView::parse(&l).unwrap());
                assert_eq!(a.dst(), b.dst());
                assert_eq!(
                    (a.table(), a.kind(), a.scope()),
                    (b.table(), b.kind(), b.scope())
                );
            }
            RTM_NEWLINK => {
                let (a, b) = (LinkView::parse(&s).unwrap(), LinkView::parse(&l).unwrap());
                assert_eq!(a.name, b.name);
                assert_eq!(a.mtu, b.mtu);
                assert_eq!(a.kind, b.kind);
            }
            t => panic!("unexpected {t}"),
        }
    }
}
