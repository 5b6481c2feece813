//! `nlkit::route::tuntap` against the real kernel, in a network namespace of
//! its own: devices made and removed through `/dev/net/tun`, read back over
//! rtnetlink and through a sysfs instance of that namespace.

use nlkit::route::link::InfoData;
use nlkit::route::tuntap::*;
use nlkit::route::Handle;
use nlkit::socket::netns::{in_new_netns, Netns};
use nlkit::socket::tun::TunFile;
use nlkit::{Connection, Protocol};
use std::path::Path;

#[test]
fn add_read_and_del_in_a_netns() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::ROUTE).unwrap();
        let h = Handle::with(&conn);
        // This thread's netns, for the sysfs instance (made on a helper thread).
        let here = Netns::Path(Path::new("/proc/thread-self/ns/net"));
        let sysfs = Sysfs::of(Some(here)).unwrap();

        let mut t = TunTap::new("tq0", TunMode::Tap);
        t.one_queue = true;
        t.owner = Some(1000);
        assert_eq!(t.add(None).unwrap(), b"tq0");
        let mut u = TunTap::new("", TunMode::Tun);
        u.pi = true;
        u.vnet_hdr = true;
        u.multi_queue = true;
        u.group = Some(5);
        // No name: the kernel picks one.
        assert_eq!(u.add(None).unwrap(), b"tun0");
        // Removing needs the name (without, TUNSETIFF would make another).
        assert!(u
            .del(None)
            .unwrap_err()
            .to_string()
            .contains("a device name is needed"));
        u.name = b"tun0".to_vec();

        let p = sysfs.tun_props(b"tq0").unwrap();
        assert_eq!(
            p,
            TunProps {
                flags: IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | IFF_PERSIST,
                owner: 1000,
                group: -1
            }
        );
        let q = sysfs.tun_props(b"tun0").unwrap();
        assert_eq!(
            q.flags,
            IFF_TUN | IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_PERSIST
        );
        assert_eq!((q.owner, q.group), (-1, 5));
        assert_eq!(
            flag_words(q.flags).0,
            ["tun", "pi", "multi_queue", "vnet_hdr", "persist", "filter"]
        );
        // The netlink view agrees.
        match &h.link_by_name("tun0").unwrap().info.unwrap().data {
            InfoData::Tun(t) => {
                assert_eq!(t.tun_type, Some(1));
                assert_eq!(
                    (t.pi, t.vnet_hdr, t.multi_queue),
                    (Some(1), Some(1), Some(1))
                );
                assert_eq!((t.owner, t.group), (None, Some(5)));
            }
            d => panic!("{d:?}"),
        }
        // A property that is not there, in ip's words.
        let e = sysfs.net_prop(b"nope0", "tun_flags").unwrap_err();
        assert_eq!(
            e.to_string(),
            "fopen /sys/class/net/nope0/tun_flags: No such file or directory"
        );

        // Exclusive: a second add of the name is EBUSY; a del in the wrong mode EINVAL.
        let e = t.add(None).unwrap_err();
        assert_eq!(e.errno(), Some(16), "{e}");
        assert_eq!(e.to_string().split(':').next(), Some("ioctl(TUNSETIFF)"));
        let wrong = TunTap::new("tq0", TunMode::Tun);
        assert_eq!(wrong.del(None).unwrap_err().errno(), Some(22));

        // A holder is listed with its pid while it is attached.
        let f = TunFile::open(None).unwrap();
        f.set_iff(b"tq0", t.ifr_flags()).unwrap();
        // This process is left out (ip leaves itself out too).
        assert!(holders(b"tq0", |_| {}).is_empty());
        drop(f);

        t.del(None).unwrap();
        u.del(None).unwrap();
        for n in ["tq0", "tun0"] {
            assert_eq!(h.link_by_name(n).unwrap_err().errno(), Some(19), "{n}");
        }
    })
    .unwrap();
}
