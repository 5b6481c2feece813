//! `nlkit::route` against the real kernel: every object type created,
//! changed, listed and deleted through the library, and bad input. Each test
//! runs in a network namespace of its own: the host is never touched.

use nlkit::route::addr::{IFA_F_DEPRECATED, IFA_F_NODAD, IFA_F_PERMANENT, IFA_F_TENTATIVE};
use nlkit::route::link::{Bridge, InfoData, Vxlan, IFF_UP};
use nlkit::route::neigh::{NUD_PERMANENT, NUD_REACHABLE};
use nlkit::route::nexthop::NexthopRequest;
use nlkit::route::routes::RTAX_MTU;
use nlkit::route::rule::fr_act;
use nlkit::route::*;
use nlkit::socket::netns::{in_new_netns, Netns};
use nlkit::{Connection, Error, Protocol};
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd};
use std::process::Command;
use std::time::{Duration, Instant};

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn pfx(s: &str) -> Prefix {
    s.parse().unwrap()
}

fn netns<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    in_new_netns(f).unwrap()
}

/// A veth pair v0/v1, both up.
fn veth_up(h: &Handle) -> (u32, u32) {
    h.add_link(&LinkRequest::add("v0").veth("v1")).unwrap();
    let a = h.index_of("v0").unwrap();
    let b = h.index_of("v1").unwrap();
    h.set_link(&LinkRequest::set(a).up()).unwrap();
    h.set_link(&LinkRequest::set(b).up()).unwrap();
    (a, b)
}

fn errno(e: &Error) -> i32 {
    e.errno().unwrap_or_else(|| panic!("no errno in {e}"))
}

#[test]
fn veth_create_change_list_delete() {
    netns(|| {
        let h = Handle::new().unwrap();
        h.add_link(&LinkRequest::add("v0").veth("v1").mtu(1400))
            .unwrap();
        let v0 = h.link_by_name("v0").unwrap();
        let v1 = h.link_by_name("v1").unwrap();
        assert_eq!(v0.mtu, Some(1400));
        assert_eq!(v0.kind(), Some("veth"));
        assert_eq!(v0.link, Some(v1.index), "IFLA_LINK is the peer");
        assert_eq!(v0.link_netnsid, None);
        assert!(!v0.is_up());
        assert_eq!(v0.min_mtu, Some(68));
        assert!(v0.max_mtu.unwrap() >= 65535);
        assert!(v0.txqlen.is_some());
        assert_eq!(v0.address.as_ref().map(Vec::len), Some(6));
        assert!(v0.stats64.is_some());
        assert_eq!(
            h.link_by_index(v0.index).unwrap().name.as_deref(),
            Some("v0")
        );

        // Change: up, mtu, mac, alias, alt name.
        h.set_link(
            &LinkRequest::set(v0.index)
                .up()
                .mtu(1300)
                .address(&[2, 0, 0, 0, 0, 0x10])
                .alias("uplink"),
        )
        .unwrap();
        h.add_alt_name(v0.index, "very-long-alternative-name-0")
            .unwrap();
        let l = h.link_by_name("very-long-alternative-name-0").unwrap();
        assert_eq!(l.index, v0.index);
        assert!(l.is_up());
        assert_eq!(l.mtu, Some(1300));
        assert_eq!(l.address.as_deref(), Some(&[2, 0, 0, 0, 0, 0x10][..]));
        assert_eq!(l.alias.as_deref(), Some("uplink"));
        assert_eq!(l.alt_names, ["very-long-alternative-name-0"]);
        h.del_alt_name(v0.index, "very-long-alternative-name-0")
            .unwrap();
        assert!(h.link_by_index(v0.index).unwrap().alt_names.is_empty());

        // Rename needs the link down.
        h.set_link(&LinkRequest::set(v0.index).down().name("w0"))
            .unwrap();
        let l = h.link_by_index(v0.index).unwrap();
        assert_eq!(l.name.as_deref(), Some("w0"));
        assert_eq!(l.flags & IFF_UP, 0);

        // List: streaming, and filtered by kind.
        let mut names = Vec::new();
        h.links(|v| {
            names.push(v.name.unwrap().to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(names, ["lo", "v1", "w0"]);
        let mut veths = Vec::new();
        h.links_filtered(
            &LinkDump {
                kind: Some("veth".into()),
                ..Default::default()
            },
            |v| {
                veths.push(v.index());
                Ok(())
            },
        )
        .unwrap();
        veths.sort();
        assert_eq!(veths.len(), 2);

        h.del_link(v0.index).unwrap();
        assert_eq!(
            h.link_list().unwrap().len(),
            1,
            "deleting one end deletes both"
        );
    });
}

#[test]
fn bridge_master_nomaster_and_filter() {
    netns(|| {
        let h = Handle::new().unwrap();
        // (No vlan_filtering: this kernel may lack CONFIG_BRIDGE_VLAN_FILTERING.)
        h.add_link(&LinkRequest::add("br0").bridge(Bridge {
            stp_state: Some(0),
            ageing_time: Some(20000),
            priority: Some(4096),
            ..Default::default()
        }))
        .unwrap();
        let br = h.link_by_name("br0").unwrap();
        match &br.info.as_ref().unwrap().data {
            InfoData::Bridge(b) => {
                assert_eq!(b.stp_state, Some(0));
                assert_eq!(b.ageing_time, Some(20000));
                assert_eq!(b.priority, Some(4096));
                assert!(b.forward_delay.is_some());
            }
            d => panic!("{d:?}"),
        }
        h.add_link(&LinkRequest::add("v0").veth("v1")).unwrap();
        let v0 = h.index_of("v0").unwrap();
        h.set_link(&LinkRequest::set(v0).master(br.index)).unwrap();
        let l = h.link_by_index(v0).unwrap();
        assert_eq!(l.master, Some(br.index));
        assert_eq!(
            l.info.as_ref().unwrap().slave_kind.as_deref(),
            Some("bridge")
        );
        let ports = {
            let mut p = Vec::new();
            h.links_filtered(
                &LinkDump {
                    master: Some(br.index),
                    ..Default::default()
                },
                |v| {
                    p.push(v.name.unwrap().to_string());
                    Ok(())
                },
            )
            .unwrap();
            p
        };
        assert_eq!(ports, ["v0"]);
        h.set_link(&LinkRequest::set(v0).nomaster()).unwrap();
        assert_eq!(h.link_by_index(v0).unwrap().master, None);
        h.del_link(br.index).unwrap();
    });
}

#[test]
fn vxlan_macvlan_tun_and_vlan() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, _) = veth_up(&h);
        h.add_link(&LinkRequest::add("vx0").vxlan(Vxlan {
            id: Some(42),
            port: Some(4789),
            local: Some(ip("10.9.0.1")),
            remote: Some(ip("10.9.0.2")),
            dev: Some(v0),
            ttl: Some(16),
            ..Default::default()
        }))
        .unwrap();
        let vx = h.link_by_name("vx0").unwrap();
        match &vx.info.as_ref().unwrap().data {
            InfoData::Vxlan(x) => {
                assert_eq!(x.id, Some(42));
                assert_eq!(x.port, Some(4789));
                assert_eq!(x.local, Some(ip("10.9.0.1")));
                assert_eq!(x.remote, Some(ip("10.9.0.2")));
                assert_eq!(x.dev, Some(v0));
                assert_eq!(x.ttl, Some(16));
            }
            d => panic!("{d:?}"),
        }

        h.add_link(&LinkRequest::add("mv0").macvlan(v0, 4)).unwrap();
        let mv = h.link_by_name("mv0").unwrap();
        assert_eq!(mv.link, Some(v0));
        match &mv.info.as_ref().unwrap().data {
            InfoData::Macvlan(m) => assert_eq!(m.mode, Some(4)),
            d => panic!("{d:?}"),
        }

        // tun/tap cannot be created over rtnetlink: ip tuntap uses /dev/net/tun.
        sh("ip tuntap add tp0 mode tap");
        let tp = h.link_by_name("tp0").unwrap();
        assert_eq!(tp.kind(), Some("tun"));
        match &tp.info.as_ref().unwrap().data {
            InfoData::Tun(t) => {
                assert_eq!(t.tun_type, Some(2), "tap");
                assert_eq!(t.persist, Some(1));
            }
            d => panic!("{d:?}"),
        }
        h.del_link_by_name("tp0").unwrap();

        match h.add_link(&LinkRequest::add("v0.10").vlan(v0, 10)) {
            Ok(()) => {
                let l = h.link_by_name("v0.10").unwrap();
                match &l.info.as_ref().unwrap().data {
                    InfoData::Vlan(v) => {
                        assert_eq!(v.id, Some(10));
                        assert_eq!(v.protocol, Some(0x8100));
                    }
                    d => panic!("{d:?}"),
                }
            }
            Err(e) if errno(&e) == libc::EOPNOTSUPP => {
                eprintln!("note: no 8021q in this kernel, live VLAN part skipped: {e}")
            }
            Err(e) => panic!("{e}"),
        }
    });
}

#[test]
fn move_link_to_other_netns_by_fd_and_pid() {
    // A second namespace, kept alive by an open descriptor.
    let other = in_new_netns(|| std::fs::File::open("/proc/thread-self/ns/net").unwrap()).unwrap();
    let other_fd = other.as_raw_fd() as u32;
    netns(move || {
        let h = Handle::new().unwrap();
        h.add_link(&LinkRequest::add("v0").veth("v1")).unwrap();
        let v1 = h.index_of("v1").unwrap();
        h.set_link(&LinkRequest::set(v1).netns_fd(other_fd))
            .unwrap();
        let e = h.link_by_name("v1").unwrap_err();
        assert_eq!(errno(&e), libc::ENODEV);
        // v0's peer now lives in a netns with an id.
        let v0 = h.link_by_name("v0").unwrap();
        assert!(v0.link_netnsid.is_some(), "{v0:?}");
        let sock = Netns::Fd(other.as_fd()).open(Protocol::ROUTE).unwrap();
        let there = Handle::with(Connection::with_socket(sock).unwrap());
        let v1 = there.link_by_name("v1").unwrap();
        assert_eq!(v1.kind(), Some("veth"));
        // Back by pid: ours is the test process's netns? No: this thread's
        // netns is not the process's, so go by fd of our own netns instead.
        let ours = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
        there
            .set_link(&LinkRequest::set(v1.index).netns_fd(ours.as_raw_fd() as u32))
            .unwrap();
        assert!(h.link_by_name("v1").is_ok());
        // By pid: move into the netns of a process that lives in `other`.
        let v1 = h.index_of("v1").unwrap();
        let mut child = Netns::Fd(other.as_fd())
            .run(|| Command::new("sleep").arg("5").spawn())
            .unwrap();
        h.set_link(&LinkRequest::set(v1).netns_pid(child.id()))
            .unwrap();
        assert!(h.link_by_name("v1").is_err());
        assert!(there.link_by_name("v1").is_ok());
        let _ = child.kill();
        let _ = child.wait();
    });
}

#[test]
fn link_errors() {
    netns(|| {
        let h = Handle::new().unwrap();
        let e = h.link_by_name("nope0").unwrap_err();
        assert_eq!(errno(&e), libc::ENODEV, "{e}");
        assert!(
            e.to_string()
                .starts_with("get link nope0: No such device (ENODEV)"),
            "{e}"
        );
        h.add_link(&LinkRequest::add("v0").veth("v1")).unwrap();
        let e = h.add_link(&LinkRequest::add("v0").veth("v2")).unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        assert!(
            e.to_string()
                .starts_with("add link v0 type veth peer v2: File exists (EEXIST)"),
            "{e}"
        );
        let e = h.set_link(&LinkRequest::set(999).mtu(1400)).unwrap_err();
        assert_eq!(errno(&e), libc::ENODEV, "{e}");
        let v0 = h.index_of("v0").unwrap();
        let e = h.set_link(&LinkRequest::set(v0).mtu(10)).unwrap_err();
        assert_eq!(errno(&e), libc::EINVAL, "{e}");
        let k = e.kernel().unwrap();
        assert!(k.message.as_deref().unwrap_or("").contains("mtu"), "{e}");
        // An attribute inside the link info is named by its whole path.
        let e = h
            .add_link(&LinkRequest::add("vx9").vxlan(Vxlan {
                id: Some(1 << 24),
                ..Default::default()
            }))
            .unwrap_err();
        let k = e.kernel().unwrap();
        assert_eq!(k.errno, libc::ERANGE, "{e}");
        assert_eq!(
            k.attr_name.as_deref(),
            Some("IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID"),
            "{e}"
        );
    });
}

#[test]
fn addresses_v4_v6_flags_lifetimes() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, v1) = veth_up(&h);
        h.exec(
            &AddrRequest::add(v0, pfx("10.9.0.1/24"))
                .broadcast(ip("10.9.0.255"))
                .label("v0:a"),
        )
        .unwrap();
        h.exec(&AddrRequest::add(v0, pfx("fd00::1/64")).flags(IFA_F_NODAD))
            .unwrap();
        h.exec(&AddrRequest::add(v0, pfx("fd00:1::1/64")).lifetimes(100, 0))
            .unwrap();
        h.exec(&AddrRequest::add(v1, pfx("fd00:2::1/64"))).unwrap();

        let v4 = h
            .addr_list(AddrDump {
                family: AF_INET,
                index: v0,
            })
            .unwrap();
        assert_eq!(v4.len(), 1);
        let a = &v4[0];
        assert_eq!(a.prefix(), Some(pfx("10.9.0.1/24")));
        assert_eq!(a.broadcast, Some(ip("10.9.0.255")));
        assert_eq!(a.label.as_deref(), Some("v0:a"));
        assert_eq!(a.scope, RT_SCOPE_UNIVERSE);
        assert!(a.flags & IFA_F_PERMANENT != 0);

        let v6 = h
            .addr_list(AddrDump {
                family: AF_INET6,
                index: v0,
            })
            .unwrap();
        let find = |p: &str| v6.iter().find(|a| a.prefix() == Some(pfx(p))).cloned();
        let nodad = find("fd00::1/64").expect("fd00::1");
        assert!(nodad.flags & IFA_F_NODAD != 0);
        assert!(nodad.flags & IFA_F_TENTATIVE == 0);
        let dep = find("fd00:1::1/64").expect("fd00:1::1");
        assert!(dep.flags & IFA_F_DEPRECATED != 0, "{:?}", dep);
        assert!(dep.flags & IFA_F_PERMANENT == 0);
        let ci = dep.cacheinfo.unwrap();
        assert!(ci.valid.get() <= 100 && ci.valid.get() > 90);
        assert_eq!(ci.preferred.get(), 0);
        // The link-local address appears when the carrier comes up, which the kernel's link watch
        // reports asynchronously: wait for it (up to 5 s) rather than race it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let has_ll = || {
            h.addr_list(AddrDump {
                family: AF_INET6,
                index: v0,
            })
            .unwrap()
            .iter()
            .any(|a| a.scope == RT_SCOPE_LINK)
        };
        while !has_ll() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(has_ll(), "a link-local address on an up veth");

        // DAD in progress: v1's address starts tentative.
        let t = h
            .addr_list(AddrDump {
                family: AF_INET6,
                index: v1,
            })
            .unwrap();
        let a = t
            .iter()
            .find(|a| a.prefix() == Some(pfx("fd00:2::1/64")))
            .unwrap();
        assert!(a.flags & IFA_F_TENTATIVE != 0, "{a:?}");

        // Every address: a dump with no filter sees lo too (none: lo is down in a new netns).
        let all = h.addr_list(AddrDump::default()).unwrap();
        assert!(all.len() >= 5);

        // Replace, then delete.
        // (Replacing an IPv4 address updates its lifetimes and metric, not its label.)
        h.exec(&AddrRequest::replace(v0, pfx("10.9.0.1/24")).lifetimes(500, 400))
            .unwrap();
        let a = h
            .addr_list(AddrDump {
                family: AF_INET,
                index: v0,
            })
            .unwrap();
        assert_eq!(a.len(), 1);
        assert!(a[0].cacheinfo.unwrap().valid.get() <= 500);
        assert!(a[0].flags & IFA_F_PERMANENT == 0);
        h.del_addr(v0, pfx("10.9.0.1/24")).unwrap();
        assert!(h
            .addr_list(AddrDump {
                family: AF_INET,
                index: v0
            })
            .unwrap()
            .is_empty());
    });
}

#[test]
fn dad_failure_is_reported() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, v1) = veth_up(&h);
        h.exec(&AddrRequest::add(v0, pfx("fd00::5/64")).flags(IFA_F_NODAD))
            .unwrap();
        h.exec(&AddrRequest::add(v1, pfx("fd00::5/64"))).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let a = h
                .addr_list(AddrDump {
                    family: AF_INET6,
                    index: v1,
                })
                .unwrap();
            let a = a
                .iter()
                .find(|a| a.prefix() == Some(pfx("fd00::5/64")))
                .unwrap();
            if a.flags & nlkit::route::addr::IFA_F_DADFAILED != 0 {
                assert!(a.flags & IFA_F_TENTATIVE != 0);
                break;
            }
            assert!(Instant::now() < deadline, "no DADFAILED: {a:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    });
}

#[test]
fn address_errors() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, _) = veth_up(&h);
        h.add_addr(v0, pfx("10.9.0.1/24")).unwrap();
        let e = h.add_addr(v0, pfx("10.9.0.1/24")).unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        assert!(
            e.to_string()
                .starts_with("add address 10.9.0.1/24 dev index"),
            "{e}"
        );
        let e = h.del_addr(v0, pfx("10.9.9.9/24")).unwrap_err();
        assert_eq!(errno(&e), libc::EADDRNOTAVAIL, "{e}");
        let e = h.add_addr(4242, pfx("10.9.1.1/24")).unwrap_err();
        assert_eq!(errno(&e), libc::ENODEV, "{e}");
        assert!("10.0.0.1/33".parse::<Prefix>().is_err());
    });
}

#[test]
fn routes_add_replace_append_delete_get() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, v1) = veth_up(&h);
        h.add_addr(v0, pfx("10.9.0.1/24")).unwrap();
        h.add_addr(v1, pfx("10.8.0.1/24")).unwrap();
        h.exec(&AddrRequest::add(v0, pfx("fd09::1/64")).flags(IFA_F_NODAD))
            .unwrap();

        h.add_route(
            &RouteRequest::add(pfx("10.1.0.0/24"))
                .via(ip("10.9.0.2"))
                .table(100)
                .metric(10)
                .mtu(1400),
        )
        .unwrap();
        let t100 = h
            .route_list(RouteDump {
                family: AF_INET,
                table: 100,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(t100.len(), 1);
        let r = &t100[0];
        assert_eq!(r.dst_prefix(), pfx("10.1.0.0/24"));
        assert_eq!(r.gateway, Some(ip("10.9.0.2")));
        assert_eq!(r.oif, Some(v0));
        assert_eq!(r.priority, Some(10));
        assert_eq!(r.table, 100);
        assert_eq!(r.protocol, rtprot::BOOT);
        assert_eq!(r.kind, rtn::UNICAST);
        assert_eq!(r.scope, RT_SCOPE_UNIVERSE);
        assert_eq!(r.metric(RTAX_MTU), Some(1400));

        // A big table id goes in RTA_TABLE.
        h.add_route(&RouteRequest::add(pfx("10.2.0.0/16")).dev(v0).table(5000))
            .unwrap();
        let big = h
            .route_list(RouteDump {
                family: AF_INET,
                table: 5000,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(big.len(), 1);
        assert_eq!(big[0].scope, RT_SCOPE_LINK);
        assert_eq!(big[0].table, 5000);

        // Replace changes the gateway; append adds a second route (another metric).
        h.route(
            &RouteRequest::replace(pfx("10.1.0.0/24"))
                .via(ip("10.8.0.2"))
                .table(100)
                .metric(10),
        )
        .unwrap();
        h.route(
            &RouteRequest::append(pfx("10.1.0.0/24"))
                .via(ip("10.9.0.3"))
                .table(100)
                .metric(20),
        )
        .unwrap();
        let mut gws: Vec<_> = h
            .route_list(RouteDump {
                family: AF_INET,
                table: 100,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| (r.priority, r.gateway))
            .collect();
        gws.sort();
        assert_eq!(
            gws,
            [
                (Some(10), Some(ip("10.8.0.2"))),
                (Some(20), Some(ip("10.9.0.3")))
            ]
        );

        // Types.
        for (p, t) in [
            ("10.50.0.0/24", rtn::BLACKHOLE),
            ("10.51.0.0/24", rtn::UNREACHABLE),
            ("10.52.0.0/24", rtn::PROHIBIT),
        ] {
            h.route(&RouteRequest::add(pfx(p)).kind(t)).unwrap();
        }
        let mut kinds = Vec::new();
        h.routes(
            RouteDump {
                family: AF_INET,
                table: RT_TABLE_MAIN,
                ..Default::default()
            },
            |v| {
                if !matches!(v.kind(), rtn::UNICAST) {
                    kinds.push((
                        v.dst_prefix().unwrap().to_string(),
                        route_type_str(v.kind()),
                    ));
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            kinds,
            [
                ("10.50.0.0/24".to_string(), "blackhole".to_string()),
                ("10.51.0.0/24".into(), "unreachable".into()),
                ("10.52.0.0/24".into(), "prohibit".into())
            ]
        );

        // Filter by protocol: the kernel's own routes.
        let kernel = h
            .route_list(RouteDump {
                family: AF_INET,
                protocol: rtprot::KERNEL,
                table: RT_TABLE_MAIN,
                ..Default::default()
            })
            .unwrap();
        let mut k: Vec<String> = kernel.iter().map(|r| r.dst_prefix().to_string()).collect();
        k.sort();
        assert_eq!(k, ["10.8.0.0/24", "10.9.0.0/24"]);

        // Multipath with weights.
        h.route(&RouteRequest::add(pfx("10.60.0.0/24")).multipath(vec![
            NextHop {
                weight: 1,
                ifindex: v0,
                gateway: Some(ip("10.9.0.2")),
                ..Default::default()
            },
            NextHop {
                weight: 5,
                ifindex: v1,
                gateway: Some(ip("10.8.0.2")),
                ..Default::default()
            },
        ]))
        .unwrap();
        let mp = h
            .route_list(RouteDump {
                family: AF_INET,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|r| r.dst_prefix() == pfx("10.60.0.0/24"))
            .unwrap();
        let w: Vec<_> = mp
            .multipath
            .iter()
            .map(|h| (h.ifindex, h.weight, h.gateway))
            .collect();
        assert_eq!(
            w,
            [(v0, 1, Some(ip("10.9.0.2"))), (v1, 5, Some(ip("10.8.0.2")))]
        );

        // IPv6 with pref and expires, and an IPv4 route via an IPv6 gateway (RTA_VIA).
        h.route(
            &RouteRequest::add(pfx("fd10::/64"))
                .via(ip("fd09::2"))
                .pref(1)
                .expires(300),
        )
        .unwrap();
        let r6 = h
            .route_list(RouteDump {
                family: AF_INET6,
                table: RT_TABLE_MAIN,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|r| r.dst_prefix() == pfx("fd10::/64"))
            .unwrap();
        assert_eq!(r6.gateway, Some(ip("fd09::2")));
        assert_eq!(r6.pref, Some(1));
        let exp = r6.expires_secs().unwrap();
        assert!(exp > 290 && exp <= 300, "{exp}");
        h.route(
            &RouteRequest::add(pfx("10.70.0.0/24"))
                .via(ip("fe80::1"))
                .dev(v0),
        )
        .unwrap();
        let via = h
            .route_list(RouteDump {
                family: AF_INET,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|r| r.dst_prefix() == pfx("10.70.0.0/24"))
            .unwrap();
        assert_eq!(via.via, Some(ip("fe80::1")));

        // route get.
        h.route(&RouteRequest::add(pfx("10.1.0.0/24")).via(ip("10.9.0.2")))
            .unwrap();
        let got = h.route_get(ip("10.1.0.5")).unwrap();
        assert_eq!(got.dst, Some(ip("10.1.0.5")));
        assert_eq!(got.gateway, Some(ip("10.9.0.2")));
        assert_eq!(got.oif, Some(v0));
        assert_eq!(got.prefsrc, Some(ip("10.9.0.1")));
        assert!(got.flags & nlkit::route::routes::RTM_F_CLONED != 0);

        // Delete.
        h.route(
            &RouteRequest::delete(pfx("10.1.0.0/24"))
                .table(100)
                .metric(20),
        )
        .unwrap();
        assert_eq!(
            h.route_list(RouteDump {
                family: AF_INET,
                table: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
        let e = h
            .route(&RouteRequest::delete(pfx("10.99.0.0/24")))
            .unwrap_err();
        assert_eq!(errno(&e), libc::ESRCH, "{e}");
    });
}

#[test]
fn route_errors_read_like_iproute2() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, _) = veth_up(&h);
        h.add_addr(v0, pfx("10.9.0.1/24")).unwrap();
        let e = h
            .route(&RouteRequest::add(pfx("10.1.0.0/24")).via(ip("10.77.0.2")))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "add route 10.1.0.0/24 via 10.77.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway"
        );
        h.route(&RouteRequest::add(pfx("10.1.0.0/24")).via(ip("10.9.0.2")))
            .unwrap();
        let e = h
            .route(&RouteRequest::add(pfx("10.1.0.0/24")).via(ip("10.9.0.2")))
            .unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        // Invalid prefix: rejected before sending.
        let e = h
            .route(&RouteRequest::add(pfx("10.1.0.1/24")).via(ip("10.9.0.2")))
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e}");
        assert!(e.to_string().contains("host bits"), "{e}");
        // Nonexistent device.
        let e = h
            .route(&RouteRequest::add(pfx("10.3.0.0/24")).dev(4242))
            .unwrap_err();
        assert_eq!(errno(&e), libc::ENODEV, "{e}");
    });
}

#[test]
fn nexthop_objects() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, v1) = veth_up(&h);
        h.add_addr(v0, pfx("10.9.0.1/24")).unwrap();
        h.add_addr(v1, pfx("10.8.0.1/24")).unwrap();
        h.nexthop(&NexthopRequest::add_gateway(1, ip("10.9.0.2"), v0))
            .unwrap();
        h.nexthop(&NexthopRequest::add_gateway(2, ip("10.8.0.2"), v1))
            .unwrap();
        // A blackhole nexthop sits on lo, which must be up.
        h.set_link(&LinkRequest::set(1).up()).unwrap();
        h.nexthop(&NexthopRequest::add_blackhole(3, AF_INET))
            .unwrap();
        h.nexthop(&NexthopRequest::add_group(10, vec![(1, 1), (2, 4)]))
            .unwrap();
        let mut all = h.nexthop_list().unwrap();
        all.sort_by_key(|n| n.id);
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].gateway, Some(ip("10.9.0.2")));
        assert_eq!(all[0].oif, Some(v0));
        assert_eq!(all[0].family, AF_INET);
        assert!(all[2].blackhole);
        assert_eq!(all[3].group, [(1, 1), (2, 4)]);
        h.route(&RouteRequest::add(pfx("10.40.0.0/24")).nh_id(10))
            .unwrap();
        let r = h
            .route_list(RouteDump {
                family: AF_INET,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|r| r.dst_prefix() == pfx("10.40.0.0/24"))
            .unwrap();
        assert_eq!(r.nh_id, Some(10));
        let e = h
            .nexthop(&NexthopRequest::add_blackhole(3, AF_INET))
            .unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        h.nexthop(&NexthopRequest::delete(10)).unwrap();
        h.nexthop(&NexthopRequest::delete(3)).unwrap();
        assert_eq!(h.nexthop_list().unwrap().len(), 2);
    });
}

#[test]
fn neighbours() {
    netns(|| {
        let h = Handle::new().unwrap();
        let (v0, v1) = veth_up(&h);
        h.add_addr(v0, pfx("10.9.0.1/24")).unwrap();
        let mac = [2, 0, 0, 0, 0, 0x42];
        h.add_neigh(v0, ip("10.9.0.5"), &mac).unwrap();
        h.exec(&NeighRequest::add(v0, ip("fd00::5"), &mac).flags(nlkit::route::neigh::NTF_ROUTER))
            .unwrap();
        h.add_neigh(v1, ip("10.8.0.5"), &mac).unwrap();
        let mine = h
            .neigh_list(NeighDump {
                ifindex: v0,
                ..Default::default()
            })
            .unwrap();
        assert!(mine.iter().all(|n| n.ifindex == v0));
        let n4 = mine.iter().find(|n| n.dst == Some(ip("10.9.0.5"))).unwrap();
        assert_eq!(n4.lladdr.as_deref(), Some(&mac[..]));
        assert_eq!(n4.state, NUD_PERMANENT);
        assert!(n4.cacheinfo.is_some());
        let n6 = mine.iter().find(|n| n.dst == Some(ip("fd00::5"))).unwrap();
        assert!(n6.flags & nlkit::route::neigh::NTF_ROUTER != 0);
        assert_eq!(
            h.neigh_list(NeighDump {
                family: AF_INET,
                ifindex: v1,
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
        let e = h.add_neigh(v0, ip("10.9.0.5"), &mac).unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        h.exec(
            &NeighRequest::replace(v0, ip("10.9.0.5"), &[2, 0, 0, 0, 0, 0x43]).state(NUD_REACHABLE),
        )
        .unwrap();
        let n = h
            .neigh_list(NeighDump {
                family: AF_INET,
                ifindex: v0,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|n| n.dst == Some(ip("10.9.0.5")))
            .unwrap();
        assert_eq!(n.lladdr.as_deref(), Some(&[2, 0, 0, 0, 0, 0x43][..]));
        assert_eq!(n.state, NUD_REACHABLE);
        h.del_neigh(v0, ip("10.9.0.5")).unwrap();
        let e = h.del_neigh(v0, ip("10.9.0.5")).unwrap_err();
        assert_eq!(errno(&e), libc::ENOENT, "{e}");
    });
}

#[test]
fn rules() {
    netns(|| {
        let h = Handle::new().unwrap();
        let before = h.rule_list(AF_INET).unwrap();
        assert_eq!(before.len(), 3, "local, main, default");
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .from(pfx("10.0.0.0/8"))
                .to(pfx("192.168.0.0/16"))
                .table(100)
                .priority(1000),
        )
        .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .iif("v0")
                .oif("v1")
                .fwmark(0x10, Some(0xff))
                .table(5000)
                .priority(1001),
        )
        .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET)
                .priority(1002)
                .action(fr_act::BLACKHOLE),
        )
        .unwrap();
        h.add_rule(&RuleRequest::add(AF_INET).priority(1003).goto(1005))
            .unwrap();
        h.add_rule(
            &RuleRequest::add(AF_INET6)
                .from(pfx("fd00::/16"))
                .priority(1004)
                .action(fr_act::UNREACHABLE),
        )
        .unwrap();
        let rules = h.rule_list(AF_INET).unwrap();
        let by = |p: u32| {
            rules
                .iter()
                .find(|r| r.priority == Some(p))
                .unwrap()
                .clone()
        };
        let r = by(1000);
        assert_eq!(
            (r.src, r.src_len, r.dst, r.dst_len),
            (Some(ip("10.0.0.0")), 8, Some(ip("192.168.0.0")), 16)
        );
        assert_eq!((r.table, r.action), (100, fr_act::TO_TBL));
        assert_eq!(
            r.to_string(),
            "from 10.0.0.0/8 to 192.168.0.0/16 lookup 100"
        );
        let r = by(1001);
        assert_eq!(r.iifname.as_deref(), Some("v0"));
        assert_eq!(r.oifname.as_deref(), Some("v1"));
        assert_eq!((r.fwmark, r.fwmask), (Some(0x10), Some(0xff)));
        assert_eq!(r.table, 5000);
        assert_eq!(by(1002).action, fr_act::BLACKHOLE);
        let g = by(1003);
        assert_eq!((g.action, g.goto), (fr_act::GOTO, Some(1005)));
        let v6 = h.rule_list(AF_INET6).unwrap();
        assert!(v6
            .iter()
            .any(|r| r.priority == Some(1004) && r.action == fr_act::UNREACHABLE));
        let e = h
            .add_rule(
                &RuleRequest::add(AF_INET)
                    .from(pfx("10.0.0.0/8"))
                    .to(pfx("192.168.0.0/16"))
                    .table(100)
                    .priority(1000),
            )
            .unwrap_err();
        assert_eq!(errno(&e), libc::EEXIST, "{e}");
        h.del_rule(&RuleRequest::delete(AF_INET).priority(1000))
            .unwrap();
        h.del_rule(&RuleRequest::delete_rule(by(1001))).unwrap();
        let left: Vec<_> = h
            .rule_list(AF_INET)
            .unwrap()
            .into_iter()
            .map(|r| r.priority.unwrap_or(0))
            .collect();
        assert_eq!(left, [0, 1002, 1003, 32766, 32767]);
        let e = h
            .del_rule(&RuleRequest::delete(AF_INET).priority(4242))
            .unwrap_err();
        assert_eq!(errno(&e), libc::ENOENT, "{e}");
    });
}

#[test]
fn shared_connection_handle() {
    netns(|| {
        let conn = std::sync::Arc::new(Connection::new(Protocol::ROUTE).unwrap());
        let h = Handle::with(conn.clone());
        let h2 = Handle::with(&*conn);
        h.add_link(&LinkRequest::add("v0").veth("v1")).unwrap();
        assert_eq!(h2.link_list().unwrap().len(), 3);
    });
}

#[test]
fn names_that_are_not_utf8_never_end_a_dump() {
    netns(|| {
        sh(r#"ip link add "$(printf 'v\351')" type veth peer name p0"#);
        sh(r#"ip link set dev p0 alias "$(printf 'caf\351')""#);
        sh(r#"ip rule add iif "$(printf 'v\351')" table 100 pref 100"#);
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let h = Handle::with(&conn);
        // The views hold the bytes.
        let mut seen = Vec::new();
        h.links(|v| {
            seen.push((
                v.name.unwrap().as_bytes().to_vec(),
                v.alias.map(|a| a.as_bytes().to_vec()),
            ));
            Ok(())
        })
        .unwrap();
        assert!(seen.contains(&(b"v\xe9".to_vec(), None)), "{seen:?}");
        assert!(
            seen.contains(&(b"p0".to_vec(), Some(b"caf\xe9".to_vec()))),
            "{seen:?}"
        );
        // The owned forms hold the escaped text, and the dump is whole.
        let links = h.link_list().unwrap();
        assert_eq!(links.len(), 3);
        let p0 = links
            .iter()
            .find(|l| l.name.as_deref() == Some("p0"))
            .unwrap();
        assert_eq!(p0.alias.as_deref(), Some("caf\\xe9"));
        assert!(links.iter().any(|l| l.name.as_deref() == Some("v\\xe9")));
        let rules = h.rule_list(AF_INET).unwrap();
        let odd = rules.iter().find(|r| r.priority == Some(100)).unwrap();
        assert_eq!(odd.iifname.as_deref(), Some("v\\xe9"));
    });
}
