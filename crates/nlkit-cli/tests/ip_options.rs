//! ip's global options and abbreviations, nlkit against the installed `ip`
//! (iproute2 6.1) in a network namespace of its own: the same command line
//! gives the same bytes on stdout and stderr and the same exit status.

mod common;

use nlkit::socket::netns::in_new_netns;
use std::process::Command;

/// stdout, stderr and the exit status of `prog args...`.
fn run(prog: &str, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(prog).args(args).output().expect("spawn");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn ip(args: &str) {
    let a: Vec<&str> = args.split_whitespace().collect();
    let (_, err, code) = run("ip", &a);
    assert_eq!(code, 0, "ip {args}: {err}");
}

/// A veth pair with IPv4 addresses only (no IPv6 link-local: nothing sends
/// on its own), and traffic on lo for the counters.
fn state() {
    ip("link set lo up");
    ip("link add d0 type veth peer name d1");
    ip("link set d0 addrgenmode none");
    ip("link set d1 addrgenmode none");
    ip("link set d0 up");
    ip("link set d1 up");
    ip("addr add 10.0.0.1/24 dev d0");
    ip("addr add 10.0.0.5/24 dev d0");
    ip("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev d0");
    // 1.5 MB through lo, so -h has something to scale.
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let r = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..1500 {
        s.send_to(&[0u8; 1000], r.local_addr().unwrap()).unwrap();
    }
}

/// Every command line here is run by both; the differences are listed.
fn differences(lines: &[&str]) -> Vec<String> {
    let mut diffs = Vec::new();
    for l in lines {
        let a: Vec<&str> = l.split_whitespace().collect();
        let want = run("ip", &a);
        let got = run(common::bin(), &a);
        if want != got {
            diffs.push(format!("{l}:\n  ip:    {want:?}\n  nlkit: {got:?}"));
        }
    }
    diffs
}

#[test]
fn global_options_and_abbreviations_as_ip() {
    in_new_netns(|| {
        state();
        let d = differences(&[
            // -o: one line per object
            "-o l",
            "-o -s l sh lo",
            "-o -4 a",
            "-oneline -4 a s dev d0",
            // -h / -iec with -s
            "-s -h l sh lo",
            "-s -human -iec l sh lo",
            "-s -iec l sh lo",
            // families: the last one wins; -0 / -f link
            "-6 -4 a",
            "-f inet6 -4 a s dev d0",
            "-0 a",
            "-f link a",
            "-br -0 a",
            "-o -0 a",
            "-j -0 a",
            "-0 r",
            "-0 -j n",
            // repeated flags, long forms with two dashes
            "-j -j l sh d0",
            "--json -j -4 a s lo",
            // colour: never when not a terminal
            "-color=never l sh lo",
            "-color=auto l sh lo",
            // objects and verbs abbreviated (JSON where ip's text has trailing
            // spaces nlkit's printers do not write yet)
            "-o -j r",
            "-o -j n",
            "-j -4 ro",
            "-j ro sh",
            "-j r l",
            "-j rou li",
            "-j n",
            "-j ne sh",
            "-j neighb sh dev d0",
            "-j n l",
            "-j -4 a l",
            "-j -4 a lst",
            "-j l sh dev d0",
            "-j l ls d0",
            "-j nex",
            "-j ru s",
            "l",
            "li sh lo",
            "-4 a s",
            "ad sh dev d0",
            "ru",
            "ru sh",
            "-4 ru l",
            // refused as ip refuses
            "-x l",
            "-color=bad l",
            "-f foo a",
            "foo",
        ]);
        assert!(d.is_empty(), "{} differ:\n{}", d.len(), d.join("\n"));
        // `-c` alone is accepted; ip then colours even into a pipe, nlkit
        // never does: its output is ip's without -c.
        for c in ["-c", "-col", "-color"] {
            let got = run(common::bin(), &[c, "-4", "a", "s", "lo"]);
            assert_eq!(got, run("ip", &["-4", "a", "s", "lo"]), "{c}");
        }
    })
    .unwrap();
}

#[test]
fn options_ip_has_and_nlkit_does_not_are_refused_by_name() {
    for (args, want) in [
        (
            &["-M", "r"][..],
            "Option \"-M\" is not supported by nlkit\n",
        ),
        (
            &["-rc", "1", "mo"][..],
            "Option \"-rcvbuf\" is not supported by nlkit\n",
        ),
        (
            &["maddr"][..],
            "Object \"maddress\" is not supported by nlkit\n",
        ),
        (
            &["-f", "mpls", "r"][..],
            "Error: family \"mpls\" is not supported by nlkit\n",
        ),
    ] {
        let r = common::nlkit(args, None);
        assert_eq!(
            (r.stdout.as_str(), r.stderr.as_str()),
            ("", want),
            "{args:?}"
        );
        assert_ne!(r.code, 0, "{args:?}");
    }
    // A huge unknown option is not echoed whole.
    let long = format!("-{}", "x".repeat(100_000));
    let r = common::nlkit(&[&long, "l"], None);
    assert_eq!(r.code, 255);
    assert!(
        r.stderr.len() < 200 && r.stderr.contains("xxx...\""),
        "{}",
        &r.stderr[..r.stderr.len().min(300)]
    );
}
