//! A rich rtnetlink state for the differential tests, made with `ip` in
//! the calling thread's netns (call it inside `in_new_netns`): veth pairs,
//! a bridge with a port, vlan, dummy (or ifb), vxlan, macvlan; IPv4 and
//! IPv6 addresses with labels, peers, flags and lifetimes; routes of every
//! type, with metrics, multipath, preferences, expiry, `via` another
//! family, tables above 255.
//!
//! Link kinds the running kernel does not have (it answers "Unknown device
//! type") are left out and reported; everything else must succeed.
#![allow(dead_code)]

use std::process::Command;

/// `(optional, command)`: an optional command may fail only because the
/// kernel lacks the link kind.
const STATE: &[(bool, &str)] = &[
    (false, "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0"),
    (false, "ip link set lo up"),
    (false, "ip link add v0 type veth peer name v1"),
    (false, "ip link add br0 type bridge stp_state 0 forward_delay 400 vlan_default_pvid 7 priority 4096"),
    (false, "ip link set v1 master br0"),
    (true, "ip link add link v0 name v0.10 type vlan id 10 protocol 802.1ad"),
    (true, "ip link add link v0 name v0.20 type vlan id 20"),
    (true, "ip link add d0 type dummy"),
    // ifb where dummy is not built: a plain device to put addresses on.
    (false, "ip link show d0 >/dev/null 2>&1 || ip link add d0 type ifb"),
    (false, "ip link set d0 alias 'the d0' mtu 9000 txqueuelen 77 group 5"),
    (true, "ip link property add dev d0 altname dzero"),
    (false, "ip link add vx0 type vxlan id 42 dstport 4789 local 10.9.0.1 remote 10.9.0.2 dev v0 ttl 9 ageing 120"),
    (false, "ip link add vx6 type vxlan id 43 dstport 8472 local 2001:db8::1 group ff05::100 dev v0 nolearning"),
    (false, "ip link add mv0 link d0 type macvlan mode bridge"),
    (false, "ip link add mv1 link v0 type macvlan mode private"),
    (false, "ip link add v2 type veth peer name v3"),
    (false, "ip link set v2 address 02:00:00:00:00:d1 broadcast 02:ff:ff:ff:ff:ff"),
    (false, "for d in v0 v1 br0 d0 vx0 mv0 v2; do ip link set $d up; done"),
    (true, "ip link set v0.10 up"),
    (false, "ip addr add 10.9.0.1/24 dev v0"),
    (false, "ip addr add 10.9.0.5/24 dev v0"),
    (false, "ip addr add 10.20.0.1/16 brd + dev d0 label d0:a"),
    (false, "ip addr add 192.0.2.1/32 peer 192.0.2.2 dev d0"),
    (false, "ip addr add 10.30.0.1/24 dev br0 valid_lft 1000 preferred_lft 500"),
    (false, "ip addr add 10.31.0.1/24 dev br0 metric 33 noprefixroute"),
    (false, "ip addr add 10.32.0.1/24 dev v2 scope link"),
    (false, "ip addr add 2001:db8::1/64 dev v0 nodad"),
    (false, "ip addr add 2001:db8:1::1/64 dev d0 valid_lft 3600 preferred_lft 1800"),
    (false, "ip addr add 2001:db8:2::1/64 dev d0 noprefixroute home"),
    (false, "ip addr add 2001:db8:3::1/64 dev d0 mngtmpaddr"),
    (false, "ip addr add 2001:db8:4::1/64 dev mv0 preferred_lft 0"),
    (false, "ip route add 10.1.0.0/24 via 10.9.0.2 dev v0 metric 5"),
    (false, "ip route add 10.2.0.0/24 via 10.9.0.2 table 100 proto static"),
    (false, "ip route add 10.3.0.0/24 via 10.9.0.2 table 1000"),
    (false, "ip route add 10.3.1.0/24 dev d0 table 70000 scope link"),
    (false, "ip route add blackhole 10.4.0.0/24"),
    (false, "ip route add unreachable 10.5.0.0/24 metric 9"),
    (false, "ip route add prohibit 10.6.0.0/24"),
    (false, "ip route add throw 10.7.0.0/24 table 100"),
    (false, "ip route add 10.8.0.0/24 dev d0 scope link src 10.20.0.1 proto 99"),
    (false, "ip route add 10.10.0.0/24 via 10.9.0.2 mtu lock 1400 advmss 1300 window 65535 rtt 10ms initcwnd 10 hoplimit 33 congctl cubic"),
    (false, "ip route add 10.11.0.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.20.0.2 dev d0 weight 3"),
    (false, "ip route add 10.12.0.0/24 via 10.9.0.2 realm 5"),
    (false, "ip route add local 10.13.0.1 dev d0 table 200"),
    (false, "ip route add 10.14.0.0/24 via inet6 fe80::1 dev v0"),
    (false, "ip -6 route add 2001:db8:5::/64 via 2001:db8::2 metric 100 pref high"),
    (false, "ip -6 route add 2001:db8:6::/64 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8:1::2 dev d0"),
    (false, "ip -6 route add blackhole 2001:db8:7::/64 table 5000"),
    (false, "ip -6 route add 2001:db8:8::/64 via 2001:db8::2 expires 600"),
    (false, "ip -6 route add 2001:db8:9::/64 dev d0 mtu 1280 hoplimit 10"),
    (false, "ip -6 route add unreachable 2001:db8:a::/64"),
];

/// What [`rich_state`] made, and what the kernel could not make.
#[derive(Debug, Default)]
pub struct Made {
    /// Optional commands the kernel refused (kinds it lacks), with its answer.
    pub skipped: Vec<(String, String)>,
}

/// Runs `cmd` with `sh -c`; its output, or the failure's stderr.
fn run(cmd: &str) -> Result<String, String> {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Makes the state (see the module doc) in the current netns.
pub fn rich_state() -> Made {
    let mut made = Made::default();
    for (optional, cmd) in STATE {
        match run(cmd) {
            Ok(_) => {}
            Err(e)
                if *optional
                    && (e.contains("Unknown device type")
                        || e.contains("not supported")
                        || e.contains("Cannot find device")) =>
            {
                made.skipped.push((cmd.to_string(), e))
            }
            Err(e) => panic!("{cmd}: {e}"),
        }
    }
    for (cmd, e) in &made.skipped {
        eprintln!("this kernel could not: {cmd}: {e}");
    }
    made
}

/// Runs a shell command, which must succeed; its stdout.
pub fn sh(cmd: &str) -> String {
    run(cmd).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}
