//! `ip` beside `nlkit`: the same state (dummy, vlan on a dummy, vrf with a
//! port, `encap mpls` routes, routes in the vrf's table (`table 10`, `vrf
//! vrf0`), an `l3mdev` rule)
//! made once by iproute2's `ip` and once by `nlkit`, each in a network
//! namespace of its own, then every show command below run by both tools
//! and their stdout compared byte for byte: made by ip read by nlkit, made
//! by nlkit read by ip. The host nlkit is developed on has no mpls, dummy,
//! 8021q or vrf modules; run.sh loads Debian's here and puts the host's `ip`
//! (with its shared libraries) in the image as `/usr/bin/ip` (`/bin/ip` is
//! busybox's). Also checked: `ip`'s view of the nlkit-made state equals its
//! view of the ip-made one (the links' addresses are given, so the two
//! namespaces agree byte for byte).
//!
//! A difference is a failure unless [`KNOWN`] lists it (then SKIP, with the
//! reason); a listed difference that is gone is a failure too, so the list
//! shrinks as nlkit's printers are fixed. Root phase only.

use crate::{Context, Ctx, Outcome, Report, TestResult};
use nlkit::socket::netns::in_new_netns;
use std::path::Path;
use std::process::Command;

const IP: &str = "/usr/bin/ip";
const NLKIT: &str = "/usr/bin/nlkit";

/// The state, in ip's words (nlkit takes the same).
const SETUP: &[&str] = &[
    "link add d0 address 02:00:00:00:00:01 type dummy",
    "link set d0 up",
    "link add link d0 name d0.10 type vlan id 10",
    "link set d0.10 up",
    "link add vrf0 address 02:00:00:00:00:02 type vrf table 10",
    "link set vrf0 up",
    "link add d1 address 02:00:00:00:00:03 type dummy",
    "link set d1 master vrf0",
    "link set d1 up",
    "addr add 10.0.0.1/24 dev d0",
    "addr add 10.1.0.1/24 dev d1",
    "addr add 2001:db8::1/64 dev d0 nodad",
    "route add 192.0.2.0/24 encap mpls 100 via 10.0.0.2 dev d0",
    "route add 198.51.100.0/24 encap mpls 100/200 via 10.0.0.2 dev d0",
    "route add 2001:db8:1::/64 encap mpls 300 via 2001:db8::2 dev d0",
    "route add 203.0.113.0/24 via 10.1.0.2 dev d1 table 10",
    "route add 203.0.114.0/24 via 10.1.0.3 dev d1 vrf vrf0",
    "rule add l3mdev pref 1000",
];

/// What is compared.
const SHOW: &[&str] = &[
    "link show",
    "-d link show",
    "route show",
    "route show table all",
    "-j link show",
    "-j -d link show",
    "-j route show",
    "-j route show table all",
    "route show vrf vrf0",
    "-6 route show vrf vrf0",
    "-j route show vrf vrf0",
    "route show vrf default",
    "-d route get 203.0.114.9 vrf vrf0",
];

/// Differences known today: (maker, show command, why). `*` is either maker.
const KNOWN: &[(&str, &str, &str)] = &[];

pub fn run(ctx: &Ctx, r: &mut Report) {
    if ctx.phase != "root" || !ctx.root {
        return;
    }
    r.run("ipdiff_tools_present", || {
        for (t, why) in [
            (IP, "run.sh installs the host's ip"),
            (NLKIT, "run.sh installs it"),
        ] {
            crate::ensure!(Path::new(t).is_file(), "{t} is not in the VM ({why})");
        }
        for m in ["mpls_router", "mpls_iptunnel", "vrf"] {
            crate::ensure!(
                Path::new("/sys/module").join(m).is_dir(),
                "module {m} is not loaded (init.sh loads /lib/modules-extra)"
            );
        }
        Ok(Outcome::Pass)
    });
    if !Path::new(IP).is_file() || !Path::new(NLKIT).is_file() {
        return;
    }
    let mut by_ip: Vec<Vec<u8>> = Vec::new();
    for maker in ["ip", "nlkit"] {
        let tool = if maker == "ip" { IP } else { NLKIT };
        let seen = match in_new_netns(move || made_by(tool)) {
            Ok(Ok(seen)) => seen,
            Ok(Err(e)) => {
                r.run(&format!("ipdiff_setup_by_{maker}"), || Err(e));
                continue;
            }
            Err(e) => {
                r.run(&format!("ipdiff_setup_by_{maker}"), || {
                    Err(format!("new netns: {e}"))
                });
                continue;
            }
        };
        r.run(&format!("ipdiff_setup_by_{maker}"), || Ok(Outcome::Pass));
        for (show, (ip_out, nl_out)) in SHOW.iter().zip(&seen) {
            let name = format!("ipdiff_by_{maker}_{}", slug(show));
            r.run(&name, || verdict(maker, show, ip_out, nl_out));
        }
        if maker == "ip" {
            by_ip = seen.into_iter().map(|(i, _)| i).collect();
        } else if by_ip.len() == SHOW.len() {
            for (show, (a, (b, _))) in SHOW.iter().zip(by_ip.iter().zip(&seen)) {
                r.run(
                    &format!("ipdiff_same_state_{}", slug(show)),
                    || match first_difference(a, b) {
                        None => Ok(Outcome::Pass),
                        Some(d) => Err(format!(
                            "ip {show}: the state nlkit made differs from ip's: {d}"
                        )),
                    },
                );
            }
        }
    }
}

/// One show command's stdout: ip's, nlkit's.
type Seen = (Vec<u8>, Vec<u8>);

/// In the current (new) netns: `tool` makes the state, then each show
/// command's stdout from ip and from nlkit.
fn made_by(tool: &str) -> Result<Vec<Seen>, String> {
    for cmd in SETUP {
        stdout_of(tool, cmd)?;
    }
    settle();
    SHOW.iter()
        .map(|show| Ok((stdout_of(IP, show)?, stdout_of(NLKIT, show)?)))
        .collect()
}

/// Waits (at most 3 s) until the vlan's operstate is UP: the kernel's
/// linkwatch moves a stacked device out of UNKNOWN up to a second after it
/// is set up, so reading at once would compare a moment, not the state.
fn settle() {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < until {
        match stdout_of(IP, "-o link show dev d0.10") {
            Ok(o) if o.windows(10).any(|w| w == b" state UP ") => return,
            _ => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

/// `tool CMD`'s stdout; a failure (with its stderr) unless it exits 0.
fn stdout_of(tool: &str, cmd: &str) -> Result<Vec<u8>, String> {
    let o = Command::new(tool)
        .args(cmd.split_whitespace())
        .output()
        .ctx(&format!("run {tool} {cmd}"))?;
    if !o.status.success() {
        return Err(format!(
            "{tool} {cmd}: {}: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    Ok(o.stdout)
}

fn slug(show: &str) -> String {
    show.replace("-j", "json")
        .replace("-d", "details")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
}

fn verdict(maker: &str, show: &str, ip_out: &[u8], nl_out: &[u8]) -> TestResult {
    let known = KNOWN
        .iter()
        .find(|(m, s, _)| (*m == "*" || *m == maker) && *s == show);
    match (first_difference(ip_out, nl_out), known) {
        (None, None) => Ok(Outcome::Pass),
        (None, Some(_)) => Err(format!(
            "{show}: identical now; remove it from ipdiff.rs's KNOWN"
        )),
        (Some(d), Some((_, _, why))) => Ok(Outcome::Skip(format!("known difference ({why}): {d}"))),
        (Some(d), None) => Err(format!("{show} (state made by {maker}): {d}")),
    }
}

/// `None` if `a` (ip's) and `b` (nlkit's) are the same bytes, else the
/// first line that differs, both ways.
fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let mut la = a.split(|&c| c == b'\n');
    let mut lb = b.split(|&c| c == b'\n');
    let mut n = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (Some(x), Some(y)) if x.len() > 200 || y.len() > 200 => {
                // A long (JSON) line: 100 bytes each side of the first difference.
                let at = x.iter().zip(y).take_while(|(p, q)| p == q).count();
                let part = |l: &[u8]| {
                    let from = at.saturating_sub(100);
                    let to = (at + 100).min(l.len());
                    format!("{:?}", String::from_utf8_lossy(&l[from.min(to)..to]))
                };
                return Some(format!(
                    "line {n}, byte {at}: ip ...{}... | nlkit ...{}...",
                    part(x),
                    part(y)
                ));
            }
            (x, y) => {
                let show = |l: Option<&[u8]>| {
                    l.map_or("<end>".to_string(), |l| {
                        format!("{:?}", String::from_utf8_lossy(l))
                    })
                };
                return Some(format!("line {n}: ip {} | nlkit {}", show(x), show(y)));
            }
        }
    }
}
