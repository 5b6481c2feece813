//! Generic netlink against the real kernel, in a netns of its own.

use nlkit::genl;
use nlkit::socket::netns::in_new_netns;
use nlkit::{Connection, Protocol};

#[test]
fn nlctrl_resolves_itself_and_lists_families() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::GENERIC).unwrap();
        let f = genl::resolve(&conn, "nlctrl").unwrap();
        assert_eq!(f.id, genl::GENL_ID_CTRL);
        assert_eq!(f.group("notify"), Some(0x10));
        assert!(f.op(genl::ctrl::CTRL_CMD_GETFAMILY).is_some());
        let all = genl::families(&conn).unwrap();
        assert!(all.iter().any(|f| f.name == "nlctrl"));
        assert!(all.len() > 1, "{all:?}");
        let e = genl::resolve(&conn, "no-such-family").unwrap_err();
        assert!(e.to_string().contains("no such family"), "{e}");
        let sock = nlkit::socket::Socket::open(Protocol::GENERIC).unwrap();
        assert_eq!(genl::join_group(&sock, &f, "notify").unwrap(), 0x10);
        assert_eq!(sock.memberships().unwrap(), [0x10]);
        assert!(genl::join_group(&sock, &f, "nope").is_err());
    })
    .unwrap();
}
