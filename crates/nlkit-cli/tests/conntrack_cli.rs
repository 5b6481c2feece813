//! `nlkit conntrack` against conntrack-tools 1.4.7 in fresh network
//! namespaces: a table made by real UDP/TCP/ICMP traffic (IPv4 and IPv6) and
//! by `conntrack -I` reads the same by both tools (text line for line, the
//! summary line too; timeouts and `delta-time` aside), entries made by either
//! are read by the other, filters, get, update, delete, flush, count, stats,
//! `-j`, and a table of 20k entries.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::process::Command;

const TRAFFIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/netfilter/ct_traffic.py"
);
const FLOOD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/netfilter/udp_flood.py"
);

/// Loopback up, conntrack active (a `ct state new` rule), counters and
/// timestamps on, long timeouts (so nothing expires during a test): all in
/// the test's own netns.
fn setup() {
    sh("ip link set lo up");
    sh("nft add table inet t");
    sh("nft add chain inet t c '{ type filter hook output priority 0; }'");
    sh("nft add rule inet t c ct state new counter");
    sh(
        "sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1 \
        net.netfilter.nf_conntrack_udp_timeout=600 net.netfilter.nf_conntrack_icmp_timeout=600 \
        net.netfilter.nf_conntrack_icmpv6_timeout=600",
    );
}

fn rich_table() {
    setup();
    sh(&format!("python3 {TRAFFIC} 5"));
    for c in [
        "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 1000 --dport 2000 --state ESTABLISHED -t 500 -u ASSURED -m 7",
        "-I -p udp -s 10.0.0.1 -d 10.0.0.2 --sport 1000 --dport 2000 -t 500 -w 3",
        "-I -p icmp -s 10.0.0.1 -d 10.0.0.3 --icmp-type 8 --icmp-code 0 --icmp-id 5 -t 100",
        "-I -p udp -s fd00::1 -d fd00::2 --sport 53 --dport 53 -t 300 -m 16 -u SEEN_REPLY",
        // IPv4-compatible: conntrack writes `src=::1.2.3.4` (inet_ntop).
        "-I -p tcp -s ::1.2.3.4 -d ::1.2.3.5 --sport 1 --dport 2 --state ESTABLISHED -t 400",
        "-I -p tcp -s 10.0.0.9 -d 10.0.0.8 --sport 5 --dport 6 --state SYN_SENT -t 50",
    ] {
        conntrack(c);
    }
}

/// Runs `conntrack ARGS` (split on spaces), returns (stdout, stderr, code).
fn ct_tool(args: &str) -> (String, String, i32) {
    let out = Command::new("conntrack")
        .args(args.split_whitespace())
        .output()
        .expect("run conntrack");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn conntrack(args: &str) -> String {
    let (o, e, c) = ct_tool(args);
    assert_eq!(c, 0, "conntrack {args}: {e}");
    o
}

/// Timeouts and delta-time change while the tools run: blank them.
fn norm(s: &str) -> String {
    s.lines()
        .map(|l| {
            let mut w: Vec<String> = l.split(' ').map(String::from).collect();
            // The timeout is the first number after the l4 name and number.
            let mut seen_nums = 0;
            for x in w.iter_mut() {
                if x.starts_with("delta-time=") {
                    *x = "delta-time=D".into();
                } else if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) {
                    seen_nums += 1;
                    let timeout_at = if l.starts_with("ipv") { 3 } else { 2 };
                    if seen_nums == timeout_at {
                        *x = "T".into();
                    }
                }
            }
            w.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn norm_save(s: &str) -> String {
    s.lines()
        .map(|l| {
            let mut w: Vec<&str> = l.split(' ').collect();
            if let Some(i) = w.iter().position(|x| *x == "-t") {
                if i + 1 < w.len() {
                    w[i + 1] = "T";
                }
            }
            w.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Both tools with the same arguments: equal stdout (normalised), stderr and exit code.
fn same(args: &str) -> String {
    let (to, te, tc) = ct_tool(args);
    let r = nl(&format!("conntrack {args}"));
    let n = if args.contains("save") {
        norm_save
    } else {
        norm
    };
    assert_eq!(n(&r.stdout), n(&to), "conntrack {args}: stdout differs");
    assert_eq!(r.stderr, te, "conntrack {args}: stderr differs");
    assert_eq!(r.code, tc, "conntrack {args}: exit code differs");
    r.stdout
}

#[test]
fn list_matches_conntrack_line_for_line() {
    in_new_netns(|| {
        rich_table();
        let out = same("-L");
        assert!(out.lines().count() >= 17, "a rich table: {out}");
        for needle in [
            "TIME_WAIT",
            "ESTABLISHED",
            "icmpv6",
            "[UNREPLIED]",
            "[ASSURED]",
            "zone=3",
            "mark=7",
            "packets=",
        ] {
            assert!(out.contains(needle), "{needle} missing in {out}");
        }
        for o in [
            "extended",
            "id",
            "extended,id",
            "ktimestamp",
            "extended,id,ktimestamp",
            "save",
            "timestamp",
            "labels",
            "extended,id,labels",
        ] {
            same(&format!("-L -o {o}"));
        }
        same("-S");
        same("-C");
    })
    .unwrap();
}

#[test]
fn filters_match_conntrack() {
    in_new_netns(|| {
        rich_table();
        for f in [
            "-p icmp",
            "-p icmpv6",
            "-p udp --dport 5001",
            "-p tcp --state TIME_WAIT",
            "-p tcp --state ESTABLISHED",
            "-s 10.0.0.1",
            "-d 10.0.0.2",
            "-s ::1",
            "-q ::1 -p tcp",
            "-r 10.0.0.2",
            "-s 10.0.0.1 -p udp --sport 1000",
            "-p udp --reply-port-src 6000",
            "-m 7",
            "-m 16/16",
            "-w 3",
            "-u ASSURED",
            "-u SEEN_REPLY",
            "-f ipv6",
            "-f ipv4 -p udp",
            "-s 10.99.99.99",
        ] {
            same(&format!("-L {f}"));
        }
    })
    .unwrap();
}

#[test]
fn made_by_one_read_by_the_other() {
    in_new_netns(|| {
        setup();
        let entries = [
            "-p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 40000 --dport 80 --state ESTABLISHED -t 300 -u SEEN_REPLY,ASSURED -m 42",
            "-p udp -s 10.1.0.1 -d 10.1.0.3 --sport 40001 --dport 53 -t 200 -w 9",
            "-p icmp -s 10.1.0.1 -d 10.1.0.4 --icmp-type 8 --icmp-code 0 --icmp-id 99 -t 100",
            "-p udp -s fd01::1 -d fd01::2 --sport 1 --dport 2 -t 100 -u SEEN_REPLY",
            "-p tcp -s fd01::1 -d fd01::3 --sport 3 --dport 4 --state SYN_SENT -t 100",
        ];
        // nlkit creates, conntrack reads.
        for e in entries {
            let r = nl(&format!("conntrack -I {e}"));
            assert_eq!(r.code, 0, "nlkit conntrack -I {e}: {r:?}");
            assert_eq!(
                r.stderr,
                "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been created.\n"
            );
        }
        let by_nlkit = conntrack("-L -o save");
        let r = nl("conntrack -I -p udp -s 10.1.0.1 -d 10.1.0.3 --sport 40001 --dport 53 -t 200 -w 9");
        assert_eq!(r.code, 1, "a second create fails: {r:?}");
        assert!(r.stderr.contains("already exists"), "{r:?}");
        sh("conntrack -F 2>/dev/null");
        // conntrack creates, nlkit reads: the same table.
        for e in entries {
            conntrack(&format!("-I {e}"));
        }
        let by_tool = conntrack("-L -o save");
        let mut a: Vec<_> = norm_save(&by_nlkit).lines().map(String::from).collect();
        let mut b: Vec<_> = norm_save(&by_tool).lines().map(String::from).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
        same("-L");
        // get
        same("-G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 40000 --dport 80");
        let r = nl("conntrack -G -p tcp -s 10.1.0.1 -d 10.1.0.2 --sport 40000 --dport 81");
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("such conntrack doesn't exist"), "{r:?}");
    })
    .unwrap();
}

#[test]
fn update_delete_flush() {
    in_new_netns(|| {
        rich_table();
        // update: conntrack and nlkit print the updated entries the same way.
        conntrack("-I -p udp -s 10.2.0.1 -d 10.2.0.2 --sport 7 --dport 8 -t 300");
        conntrack("-I -p udp -s 10.2.0.1 -d 10.2.0.3 --sport 7 --dport 8 -t 300");
        let r = nl("conntrack -U -s 10.2.0.1 -m 5");
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(r.stdout.lines().count(), 2, "{r:?}");
        assert!(r.stdout.lines().all(|l| l.contains("mark=5")), "{r:?}");
        assert_eq!(
            r.stderr,
            "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been updated.\n"
        );
        assert_eq!(conntrack("-L -m 5").lines().count(), 2);
        let (tool_out, _, _) = ct_tool("-U -s 10.2.0.1 -m 6");
        let r = nl("conntrack -U -s 10.2.0.1 -m 6");
        // conntrack 1.4.7 prints only some of the entries it updated; each one it
        // prints, nlkit prints the same (use counts and timeouts aside).
        let strip = |s: &str| norm(s).replace("use=2", "use=1");
        let ours = strip(&r.stdout);
        assert_eq!(ours.lines().count(), 2, "{r:?}");
        assert!(!tool_out.is_empty());
        for l in strip(&tool_out).lines() {
            assert!(ours.lines().any(|o| o == l), "{l} not in {ours}");
        }
        let r = nl("conntrack -U -s 10.99.0.1 -m 6");
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (
                1,
                "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been updated.\n"
            )
        );

        // delete: what is printed is what the filter selected; then it is gone.
        let before = conntrack("-L -p udp -s 127.0.0.1");
        assert!(before.lines().count() >= 5);
        let r = nl("conntrack -D -p udp -s 127.0.0.1");
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(norm(&r.stdout), norm(&before));
        assert_eq!(
            r.stderr,
            format!(
                "conntrack v1.4.7 (conntrack-tools): {} flow entries have been deleted.\n",
                before.lines().count()
            )
        );
        assert_eq!(conntrack("-L -p udp -s 127.0.0.1"), "");
        same("-D -p udp -s 127.0.0.1"); // nothing left: exit 1 for both

        // flush one family, then all.
        assert!(!conntrack("-L -f ipv6").is_empty());
        let r = nl("conntrack -F -f ipv6");
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(
            r.stderr,
            "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n"
        );
        assert_eq!(conntrack("-L -f ipv6"), "");
        assert!(!conntrack("-L -f ipv4").is_empty(), "ipv4 kept");
        same("-C");
        let r = nl("conntrack -F");
        assert_eq!(r.code, 0);
        assert_eq!(conntrack("-C").trim(), "0");
        same("-C");
    })
    .unwrap();
}

#[test]
fn json_has_the_entries() {
    in_new_netns(|| {
        rich_table();
        let v = j("conntrack -L");
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), conntrack("-L").lines().count());
        let e = arr
            .iter()
            .find(|e| e["mark"] == 7)
            .expect("the entry with mark 7");
        assert_eq!(e["family"], "ipv4");
        assert_eq!(e["proto"], "tcp");
        assert_eq!(e["protonum"], 6);
        assert_eq!(e["state"], "ESTABLISHED");
        assert_eq!(e["orig"]["src"], "10.0.0.1");
        assert_eq!(e["orig"]["dport"], 2000);
        assert_eq!(e["reply"]["sport"], 2000);
        assert!(e["status"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "ASSURED"));
        // An IPv4-compatible address as the text writes it.
        let c = arr
            .iter()
            .find(|e| e["orig"]["sport"] == 1 && e["family"] == "ipv6")
            .expect("the ::1.2.3.4 entry");
        assert_eq!(c["orig"]["src"], "::1.2.3.4");
        assert_eq!(c["reply"]["src"], "::1.2.3.5");
        let icmp = j("conntrack -L -p icmpv6");
        let icmp = icmp.as_array().unwrap();
        assert!(!icmp.is_empty());
        assert_eq!(icmp[0]["orig"]["type"], 128);
        assert_eq!(icmp[0]["reply"]["type"], 129);
        // -j also after the words.
        let r = nl("conntrack -L -w 3 -j");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["zone"], 3);
    })
    .unwrap();
}

#[test]
fn bad_input_is_refused() {
    for (args, want) in [
        ("conntrack", "a command is needed"),
        ("conntrack -L -s nothere", "not an IPv4 or IPv6 address"),
        ("conntrack -L -p nosuch", "unknown protocol"),
        ("conntrack -L -m x", "not a valid number"),
        ("conntrack -L -D", "only one command"),
        ("conntrack -L --bogus", "unknown option"),
        ("conntrack -G -s 10.0.0.1", "needs -s, -d and -p"),
        ("conntrack -L -p tcp --state NOPE", "unknown state"),
    ] {
        let r = nl(args);
        assert_eq!(r.code, 2, "{args}: {r:?}");
        assert!(r.stderr.contains(want), "{args}: {r:?}");
    }
}

#[test]
fn a_table_of_20k_entries() {
    in_new_netns(|| {
        setup();
        sh("ip addr add 10.77.0.1/8 dev lo");
        sh(&format!("python3 {FLOOD} 20000"));
        assert_eq!(conntrack("-C").trim(), "20000");
        same("-C");
        let r = nl("conntrack -L");
        let (to, te, _) = ct_tool("-L");
        assert_eq!(r.stderr, te);
        assert_eq!(
            te,
            "conntrack v1.4.7 (conntrack-tools): 20000 flow entries have been shown.\n"
        );
        let mut a: Vec<_> = norm(&r.stdout).lines().map(String::from).collect();
        let mut b: Vec<_> = norm(&to).lines().map(String::from).collect();
        a.sort();
        b.sort();
        assert_eq!(a.len(), 20000);
        assert!(a == b, "the 20k entries differ");
        same("-L -s 10.77.0.1 -p udp --sport 1500");
        let r = nl("conntrack -D -d 10.77.1.2 -p udp");
        assert_eq!(r.code, 0);
        assert_eq!(r.stdout.lines().count(), 20000);
        assert_eq!(conntrack("-C").trim(), "0");
    })
    .unwrap();
}

#[test]
fn events_match_conntrack_e() {
    in_new_netns(|| {
        setup();
        events_same(&[]);
        // `-o timestamp`: each event starts with the time it was read.
        let stamp = |l: &str| -> String {
            let (t, rest) = l.split_once('\t').unwrap_or(("", l));
            let ok = t.starts_with('[')
                && t.ends_with(']')
                && t[1..t.len() - 1].split_once('.').is_some_and(|(s, u)| {
                    s.len() >= 10
                        && u.len() == 6
                        && (s.to_owned() + u).bytes().all(|b| b.is_ascii_digit())
                });
            assert!(ok, "no [SECS.USECS] before a tab: {l:?}");
            format!("[T]\t{rest}")
        };
        // `-e`: only the kinds asked for.
        let (theirs, _) = events_same(&["-e", "NEW,DESTROY"]);
        assert!(
            !theirs.iter().any(|l| l.contains("[UPDATE]")),
            "{theirs:#?}"
        );
        assert!(
            theirs.iter().any(|l| l.contains("[DESTROY]")),
            "{theirs:#?}"
        );
        let (theirs, mine) = events_same(&["-o", "timestamp"]);
        let (theirs, mine): (Vec<_>, Vec<_>) = (
            theirs.iter().map(|l| stamp(l)).collect(),
            mine.iter().map(|l| stamp(l)).collect(),
        );
        assert_eq!(mine, theirs);
    })
    .unwrap();
}

/// `conntrack -E OPTS` and `nlkit conntrack -E OPTS` while a scripted
/// sequence runs: the same lines (timeouts and program names aside),
/// returned for more checks.
fn events_same(opts: &[&str]) -> (Vec<String>, Vec<String>) {
    {
        // Each run starts from an empty table (the sequence creates the same entries).
        let _ = ct_tool("-F");
        let spawn = |cmd: &mut Command| {
            Reaped::new(
                cmd.stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        };
        let tool = spawn(Command::new("conntrack").arg("-E").args(opts));
        let ours = spawn(Command::new(bin()).args(["conntrack", "-E"]).args(opts));
        std::thread::sleep(std::time::Duration::from_millis(500));
        for c in [
            "-I -p tcp -s 10.3.0.1 -d 10.3.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100 -m 3",
            "-U -s 10.3.0.1 -m 5",
            "-I -p udp -s 10.3.0.3 -d 10.3.0.4 --sport 1 --dport 2 -t 100",
            "-I -p icmp -s 10.3.0.5 -d 10.3.0.6 --icmp-type 8 --icmp-code 0 --icmp-id 9 -t 100",
            "-D -s 10.3.0.1",
            "-D -s 10.3.0.3",
        ] {
            let _ = ct_tool(c);
        }
        sh("python3 -c \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 7000))\"");
        std::thread::sleep(std::time::Duration::from_millis(500));
        let collect = |mut c: Reaped| {
            let _ = c.kill();
            let out = c.wait_with_output().unwrap();
            // The program name is looked up while the event is read: the process may be gone.
            norm(&String::from_utf8_lossy(&out.stdout))
                .lines()
                .map(|l| match l.find(" progname=") {
                    Some(i) => l[..i].to_string(),
                    None => l.to_string(),
                })
                .map(|l| {
                    // Blank the timeout after the tag (norm counts it as the 2nd number).
                    let w: Vec<&str> = l.split(' ').filter(|w| !w.is_empty()).collect();
                    let mut w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
                    if w.len() > 3 && w[3].bytes().all(|b| b.is_ascii_digit()) {
                        w[3] = "T".into();
                    }
                    w.join(" ")
                })
                .collect::<Vec<_>>()
        };
        let theirs = collect(tool);
        let mine = collect(ours);
        assert!(theirs.len() >= 6, "{theirs:#?}");
        if !opts.contains(&"timestamp") {
            assert_eq!(mine, theirs);
        }
        (theirs, mine)
    }
}

/// Runs `TOOL ARGS` in a mount namespace of its own whose `/etc` is the
/// host's with `xtables/connlabel.conf` from `upper` laid over it (an
/// overlay: the host's `/etc` is not touched); returns (stdout, stderr, code).
fn with_labels(upper: &std::path::Path, tool: &str, args: &str) -> (String, String, i32) {
    let work = upper.with_extension("work");
    std::fs::create_dir_all(&work).unwrap();
    let mount = format!(
        "mount -t overlay overlay -o lowerdir=/etc,upperdir={},workdir={} /etc",
        upper.display(),
        work.display()
    );
    route_common::with_mounts(&mount, tool, args)
}

#[test]
fn labels_match_conntrack() {
    in_new_netns(|| {
        setup();
        // Labels need the connlabel extension: a rule that reads a label.
        sh("nft add rule inet t c ct label 127 counter");
        let dir = std::env::temp_dir().join(format!("nlkit-ctlabels-{}", std::process::id()));
        let upper = dir.join("upper");
        std::fs::create_dir_all(upper.join("xtables")).unwrap();
        std::fs::write(
            upper.join("xtables/connlabel.conf"),
            "# test labels\n0 alpha\n1 beta\n5 gamma\n100 far\n",
        )
        .unwrap();
        let nlkit = bin();
        let tool = |args: &str| with_labels(&upper, "conntrack", args);
        let ours = |args: &str| with_labels(&upper, nlkit, &format!("conntrack {args}"));
        let ok = |r: (String, String, i32), what: &str| {
            assert_eq!(r.2, 0, "{what}: {}", r.1);
            r
        };
        // Made by conntrack, changed by nlkit, and the other way round.
        ok(tool("-I -p udp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 -t 500 --label-add alpha,gamma"), "tool -I");
        ok(ours("-I -p udp -s 10.5.0.3 -d 10.5.0.2 --sport 1 --dport 2 -t 500 --label-add beta,far"), "nlkit -I");
        ok(tool("-I -p tcp -s 10.5.0.4 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 500"), "tool -I");
        let (o, e) = (ours("-U -s 10.5.0.1 --label-add beta"), tool("-U -s 10.5.0.3 --label-add gamma"));
        assert_eq!(o.2, 0, "{}", o.1);
        assert_eq!(e.2, 0, "{}", e.1);
        assert!(norm(&o.0).contains("labels=alpha,beta,gamma"), "{o:?}");
        assert!(norm(&e.0).contains("labels=beta,gamma,far"), "{e:?}");
        // `--label-del NAME` clears that label. (conntrack 1.4.7 clears them
        // all: nlkit does what conntrack(8) says.)
        let d = ok(ours("-U -s 10.5.0.3 --label-del far"), "nlkit -U --label-del");
        assert!(norm(&d.0).ends_with("labels=beta,gamma"), "{d:?}");
        // nlkit's -U prints as conntrack's does (labels named).
        let (t, n) = (tool("-U -s 10.5.0.4 --label-add gamma"), ours("-U -s 10.5.0.4 --label-add gamma"));
        assert_eq!((norm(&n.0), n.1, n.2), (norm(&t.0), t.1, t.2));
        let (t, n) = (tool("-U -s 10.5.0.4 --label-del"), ours("-U -s 10.5.0.4 --label-add alpha --label-del"));
        assert_eq!(t.2, 0, "{}", t.1);
        assert_eq!(n.2, 0, "{}", n.1);
        assert!(norm(&n.0).contains("labels=alpha"), "{n:?}");
        for args in [
            "-L",
            "-L -o labels",
            "-L -o extended,id,labels",
            "-L -o ktimestamp,labels",
            "-L -l beta",
            "-L -l alpha,beta",
            "-L --label gamma -o labels",
            "-L -l far",
        ] {
            let (t, n) = (tool(args), ours(args));
            assert_eq!(norm(&n.0), norm(&t.0), "conntrack {args}: stdout differs");
            assert_eq!(n.1, t.1, "conntrack {args}: stderr differs");
            assert_eq!(n.2, t.2, "conntrack {args}: exit code differs");
        }
        // A name the map does not have: a usage error (nlkit words it its own way).
        for args in ["-L -l nosuch", "-U -s 10.5.0.9 --label-add nosuch"] {
            let (t, n) = (tool(args), ours(args));
            assert_eq!((n.2, t.2), (2, 2), "conntrack {args}: {n:?} {t:?}");
            assert!(n.1.contains("unknown label 'nosuch'"), "{n:?}");
            assert!(t.1.contains("unknown label 'nosuch'"), "{t:?}");
        }
        let all = norm(&tool("-L -o labels").0);
        for l in ["labels=alpha,beta,gamma", "labels=beta,gamma", "labels=alpha"] {
            assert!(all.lines().any(|x| x.ends_with(l)), "{l} missing: {all}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    })
    .unwrap();
}

/// A storm of new entries made by real traffic against small receive
/// buffers: `conntrack -E -b 32768` says it hit ENOBUFS and shows fewer
/// NEW events than entries were made; a consumer of nlkit's resyncing
/// monitor (same buffer size) that applies every event it is given, the
/// resyncs' differences included, ends with exactly the table's keys.
/// 50k entries by default (they overrun a 32 KiB buffer many times over
/// and keep CI's time in seconds); `NLKIT_STORM_N=200000` for the full storm.
#[test]
fn an_event_storm_loses_conntrack_e_events_but_not_the_monitors() {
    use nlkit::monitor::{EventKind, Monitor, Tracker};
    use nlkit::netfilter::conntrack::track::{key, ConntrackTracker};
    use nlkit::netfilter::conntrack::{self as ct, Conntrack, Filter, Table};
    use nlkit::socket::Socket;
    use nlkit::{Connection, Protocol};
    use std::collections::HashSet;
    use std::io::Read;
    let n: usize = std::env::var("NLKIT_STORM_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    in_new_netns(move || {
        setup();
        sh("ip addr add 10.77.0.1/8 dev lo");
        let mut tool = Reaped::new(
            Command::new("conntrack")
                .args(["-E", "-b", "32768"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
        // Count its NEW lines as they come (a full pipe would stall it).
        let mut out = tool.stdout.take().unwrap();
        let counter = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let (mut lines, mut carry) = (0usize, Vec::new());
            while let Ok(k) = out.read(&mut buf) {
                if k == 0 {
                    break;
                }
                carry.extend_from_slice(&buf[..k]);
                while let Some(i) = carry.iter().position(|&b| b == b'\n') {
                    if carry[..i].starts_with(b"    [NEW]") {
                        lines += 1;
                    }
                    carry.drain(..=i);
                }
            }
            lines
        });
        let tracker = ConntrackTracker::new(0);
        let sock = Socket::open(Protocol::NETFILTER).unwrap();
        for g in tracker.groups() {
            sock.add_membership(g).unwrap();
        }
        sock.set_recv_timeout(Some(std::time::Duration::from_millis(1000)))
            .unwrap();
        let dump = Connection::new(Protocol::NETFILTER).unwrap();
        let mut mon = Monitor::new(sock, dump, tracker, 32 * 1024).unwrap();
        // conntrack -E has joined its groups once it said its buffer size.
        let mut err = tool.stderr.take().unwrap();
        let mut notice = [0u8; 1];
        err.read_exact(&mut notice).unwrap();
        assert_eq!(sh(&format!("python3 {FLOOD} {n}")).trim(), n.to_string());
        // The consumer: every event applied to a set of keys, until the
        // socket is quiet (the storm is over and the last resync done).
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut resync_events = 0;
        loop {
            match mon.next() {
                Ok(ev) => {
                    resync_events += usize::from(ev.is_resync());
                    let c = Conntrack::parse(&ev.msg).unwrap();
                    let gone = ev.kind == EventKind::Deleted
                        || ev.msg.msg_type() & 0xff == u16::from(ct::IPCTNL_MSG_CT_DELETE);
                    if gone {
                        seen.remove(&key(&c));
                    } else {
                        seen.insert(key(&c));
                    }
                }
                Err(nlkit::Error::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::WouldBlock =>
                {
                    break
                }
                Err(e) => panic!("{e}"),
            }
        }
        let conn = Connection::new(Protocol::NETFILTER).unwrap();
        let mut table = HashSet::new();
        ct::dump(&conn, Table::Main, &Filter::default(), |c| {
            table.insert(key(c));
            Ok(())
        })
        .unwrap();
        assert_eq!(table.len(), n, "the flood made {n} entries");
        assert_eq!(conntrack("-C").trim(), n.to_string());
        let _ = tool.kill();
        let _ = tool.wait();
        let shown = counter.join().unwrap();
        let mut tool_err = String::from_utf8_lossy(&notice).into_owned();
        let _ = err.read_to_string(&mut tool_err);
        eprintln!(
            "storm of {n}: conntrack -E showed {shown} NEW events; nlkit's monitor: {} resyncs, {resync_events} resync events",
            mon.resyncs()
        );
        assert!(
            tool_err.contains("We have hit ENOBUFS! We are losing events."),
            "{tool_err}"
        );
        assert!(shown < n, "conntrack -E showed all {n} events");
        assert!(mon.resyncs() >= 1, "the storm overran the monitor's buffer");
        assert!(seen == table, "consumer {} keys, table {}", seen.len(), table.len());
    })
    .unwrap();
}
