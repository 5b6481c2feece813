//! `nlkit ynl` on a netlink-raw family: a link made with rt-link's
//! `newlink` through `--do --create --excl --json` is what `ip -j -d link`
//! reads back (name, MTU, queue length, group, bridge settings from the
//! kind's sub-message), a second one is refused with the kernel's EEXIST,
//! and `--dump getlink` lists the links `ip` lists. Each test in a netns of
//! its own.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::{ipj, nlkit};
use serde_json::Value;

#[test]
fn newlink_through_ynl_do_is_read_back_by_ip() {
    in_new_netns(|| {
        let req = r#"{"ifname": "ybr0", "mtu": 1400, "txqlen": 321, "group": 7,
            "linkinfo": {"kind": "bridge", "data": {"forward-delay": 500,
            "hello-time": 300, "max-age": 2500, "ageing-time": 30000, "priority": 4096}}}"#;
        let args = [
            "ynl", "--family", "rt-link", "--do", "newlink", "--create", "--excl", "--json", req,
        ];
        let r = nlkit(&args, None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, "", "a bare ACK prints nothing");
        let ip = ipj("-d link show ybr0");
        let l = &ip[0];
        assert_eq!(l["ifname"], "ybr0");
        assert_eq!(l["mtu"], 1400);
        assert_eq!(l["txqlen"], 321);
        assert_eq!(l["group"], "7");
        let info = &l["linkinfo"];
        assert_eq!(info["info_kind"], "bridge", "{l}");
        let d = &info["info_data"];
        assert_eq!(d["forward_delay"], 500, "{l}");
        assert_eq!(d["hello_time"], 300, "{l}");
        assert_eq!(d["max_age"], 2500, "{l}");
        assert_eq!(d["ageing_time"], 30000, "{l}");
        assert_eq!(d["priority"], 4096, "{l}");

        // Again: the kernel refuses it (NLM_F_EXCL), and says so.
        let again = nlkit(&args, None);
        assert_ne!(again.code, 0);
        assert!(again.stderr.contains("EEXIST"), "{}", again.stderr);

        // The dump lists what ip lists, in the same order.
        let r = nlkit(&["ynl", "--family", "rt-link", "--dump", "getlink"], None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let ours: Value = serde_json::from_str(&r.stdout).unwrap();
        let ours = ours.as_array().unwrap();
        let theirs = ipj("link show");
        let theirs = theirs.as_array().unwrap();
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.iter().zip(theirs) {
            assert_eq!(o["ifi-index"], t["ifindex"], "{o}");
            assert_eq!(o["ifname"], t["ifname"], "{o}");
            assert_eq!(o["mtu"], t["mtu"], "{o}");
            assert_eq!(o["txqlen"], t["txqlen"], "{o}");
        }
    })
    .unwrap();
}
