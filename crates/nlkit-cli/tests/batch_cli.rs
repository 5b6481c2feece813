//! `nlkit -batch FILE` against the real kernel, each test in a fresh network
//! namespace: errors reported with their line numbers, `--force` carrying
//! on, stopping at the failing line without it (as ip), `show` lines in order,
//! names made earlier in the same chunk, and a 100k-line file.

mod route_common;

use nlkit::socket::netns::in_new_netns;
use route_common::*;
use std::fmt::Write as _;

fn setup() {
    ok("link add v0 type veth peer name v1");
    ok("link set v0 up");
    ok("link set v1 up");
    ok("addr add 10.9.0.1/24 dev v0");
}

/// `nlkit ARGS -batch -` fed `file` from another thread (so that a long
/// stderr cannot block it while stdin is still being written).
fn batch(args: &[&str], file: &str) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin())
        .args(args)
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = file.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn count_routes(table: &str) -> usize {
    sh(&format!("ip route show table {table} | wc -l"))
        .trim()
        .parse()
        .unwrap()
}

/// Lines 1..=n: `route add 11.X.Y.0/24 dev v0`, with line `bad` unreachable.
fn routes_file(n: u32, bad: &[u32]) -> String {
    let mut f = String::new();
    for i in 1..=n {
        if bad.contains(&i) {
            writeln!(f, "route add 12.{}.{}.0/24 via 10.99.0.2", i >> 8, i & 255).unwrap();
        } else {
            writeln!(f, "route add 11.{}.{}.0/24 dev v0", i >> 8, i & 255).unwrap();
        }
    }
    f
}

#[test]
fn errors_in_the_middle_force_carries_on() {
    in_new_netns(|| {
        setup();
        let mut f = String::from("# routes\n\n");
        f += "route add 10.1.0.0/24 via 10.9.0.2\n"; // 3
        f += "route add 10.2.0.0/24 via 10.99.0.2\n"; // 4: unreachable gateway
        f += "route add 10.3.0.0/33 dev v0\n"; // 5: bad prefix
        f += "route add 10.4.0.0/24 dev v9\n"; // 6: no such device
        f += "  # indented comment\n"; // 7
        f += "route add 10.1.0.0/24 via 10.9.0.2\n"; // 8: exists
        f += "link set v0 alias \"the uplink\"\n"; // 9
        f += "route frob\n"; // 10
        f += "route add 10.5.0.0/24 via 10.9.0.2 # trailing comment\n"; // 11
        let r = batch(&["--force"], &f);
        assert_eq!(r.code, 1, "{r:?}");
        assert_eq!(r.stdout, "");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines,
            [
                "nlkit: add route 10.2.0.0/24 via 10.99.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway",
                "Command failed -:4",
                "nlkit: route add: \"10.3.0.0/33\" is not a valid prefix",
                "Command failed -:5",
                "nlkit: device \"v9\" does not exist",
                "Command failed -:6",
                "nlkit: add route 10.1.0.0/24 via 10.9.0.2: File exists (EEXIST)",
                "Command failed -:8",
                "nlkit: route: unknown command \"frob\"; try show, get, add, replace, append, del, flush",
                "Command failed -:10",
            ],
            "{}",
            r.stderr
        );
        let routes = ok("route show");
        assert!(routes.contains("10.1.0.0/24 via 10.9.0.2 dev v0"), "{routes}");
        assert!(routes.contains("10.5.0.0/24 via 10.9.0.2 dev v0"), "{routes}");
        assert_eq!(j("link show v0")[0]["ifalias"], "the uplink");
    })
    .unwrap();
}

/// Without `--force`: nothing after the first failing line is applied, as
/// with ip (the same file through `ip -batch` leaves the same routes, the
/// same exit status and the same `Command failed` line).
#[test]
fn without_force_stops_at_the_failing_line() {
    in_new_netns(|| {
        setup();
        let f = "route add 10.1.0.0/24 dev v0\n\
                 route add 10.2.0.0/24 via 10.99.0.2\n\
                 route add 10.3.0.0/24 dev v0\n";
        let mut shown = Vec::new();
        for tool in ["ip", bin()] {
            let out = {
                use std::io::Write;
                let mut c = std::process::Command::new(tool)
                    .args(["-batch", "-"])
                    .stdin(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                c.stdin.take().unwrap().write_all(f.as_bytes()).unwrap();
                c.wait_with_output().unwrap()
            };
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let routes = ok("route show root 10.0.0.0/14");
            sh("ip route flush root 10.0.0.0/14");
            shown.push((out.status.code(), stderr.lines().last().map(String::from), routes));
        }
        assert_eq!(shown[0], shown[1], "ip, then nlkit");
        assert_eq!(shown[1].0, Some(1));
        assert_eq!(shown[1].1.as_deref(), Some("Command failed -:2"));
        assert_eq!(shown[1].2, "10.1.0.0/24 dev v0 scope link \n", "line 3 not applied");

        // A longer file: line 5 fails, lines 6.. are not sent.
        let before = count_routes("main");
        let r = batch(&[], &routes_file(600, &[5]));
        assert_eq!(r.code, 1, "{r:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{}", r.stderr);
        assert!(lines[0].starts_with("nlkit: add route 12.0.5.0/24 via 10.99.0.2: Network is unreachable (ENETUNREACH)"), "{}", lines[0]);
        assert_eq!(lines[1], "Command failed -:5");
        assert_eq!(count_routes("main") - before, 4);
        assert_eq!(ok("route show 11.0.6.0/24"), "", "line 6 was not sent");

        // The same with --force: every line but 5 applied.
        let r = batch(&["--force"], &routes_file(6000, &[5, 5999]));
        assert_eq!(r.code, 1);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), (4 + 2) * 2, "EEXIST for the 4 already there, 5, 5999");
        assert!(r.stderr.contains("nlkit: add route 12.23.111.0/24 via 10.99.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway\nCommand failed -:5999\n"), "{}", lines.last().unwrap());
        assert_eq!(count_routes("main") - before, 6000 - 2, "across chunks of 4096");
    })
    .unwrap();
}

/// A parse error stops before its line (without `--force`), after sending
/// the lines before it.
#[test]
fn parse_error_stops_at_its_line() {
    in_new_netns(|| {
        setup();
        let f = "route add 10.1.0.0/24 via 10.9.0.2\n\
                 route add 10.2.0.0/24 via 10.9.0.2 metric x\n\
                 route add 10.3.0.0/24 via 10.9.0.2\n";
        let r = batch(&[], f);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr.starts_with(
                "nlkit: route add: invalid value \"x\" for \"metric\"\nCommand failed -:2\n"
            ),
            "{r:?}"
        );
        let routes = ok("route show");
        assert!(routes.contains("10.1.0.0/24"), "{routes}");
        assert!(!routes.contains("10.3.0.0/24"), "{routes}");
    })
    .unwrap();
}

/// `show`/`get` lines run in order with the changes around them; a device
/// made earlier in the same chunk resolves; quoting and comments.
#[test]
fn shows_in_order_and_names_made_in_the_same_chunk() {
    in_new_netns(|| {
        let f = "link add v5 type veth peer name v6\n\
                 link set v5 up\n\
                 addr add 10.5.0.1/24 dev v5\n\
                 route add 10.6.0.0/24 via 10.5.0.2 dev v5\n\
                 route show dev v5\n\
                 route del 10.6.0.0/24\n\
                 route show dev v5\n\
                 link set v6 name v7\n\
                 link set v7 alias 'a \"quoted\" alias' up\n\
                 link show v7\n\
                 -6 route show table local dev lo\n";
        let path =
            std::env::temp_dir().join(format!("nlkit-batch-test-{}.txt", std::process::id()));
        std::fs::write(&path, f).unwrap();
        let r = nlkit(&["-batch", path.to_str().unwrap()], None);
        std::fs::remove_file(&path).unwrap();
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
        // Route lines end in a blank, as ip prints them.
        let want_start = "10.5.0.0/24 proto kernel scope link src 10.5.0.1 linkdown \n\
                          10.6.0.0/24 via 10.5.0.2 linkdown \n\
                          10.5.0.0/24 proto kernel scope link src 10.5.0.1 linkdown \n";
        assert!(r.stdout.starts_with(want_start), "{}", r.stdout);
        assert!(r.stdout.contains(": v7@v5: "), "{}", r.stdout);
        assert!(
            r.stdout.contains("\n    alias a \"quoted\" alias\n"),
            "{}",
            r.stdout
        );

        // JSON: one array per show line.
        let r = batch(&["-j"], "route show dev v5\nlink show lo\n");
        assert_eq!(r.code, 0, "{r:?}");
        let mut it = r.stdout.lines();
        let a: serde_json::Value = serde_json::from_str(it.next().unwrap()).unwrap();
        assert_eq!(a[0]["dst"], "10.5.0.0/24");
        let b: serde_json::Value = serde_json::from_str(it.next().unwrap()).unwrap();
        assert_eq!(b[0]["ifname"], "lo");

        // A missing file.
        let r = nlkit(&["-batch", "/nonexistent/batch"], None);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .starts_with("nlkit: cannot open batch file \"/nonexistent/batch\""),
            "{r:?}"
        );
    })
    .unwrap();
}

/// 100k `route add` lines: all there afterwards.
#[test]
fn hundred_thousand_routes() {
    in_new_netns(|| {
        setup();
        let before = count_routes("main");
        let n: u32 = 100_000;
        let mut f = String::with_capacity(n as usize * 40);
        for i in 0..n {
            let (a, b, c) = (20 + (i >> 16), (i >> 8) & 255, i & 255);
            writeln!(f, "route add {a}.{b}.{c}.0/24 dev v0").unwrap();
        }
        // With --force: packed into chunks (without, each line waits for its answer).
        let t = std::time::Instant::now();
        let r = batch(&["--force"], &f);
        let took = t.elapsed();
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
        assert_eq!(r.stdout, "");
        assert_eq!(count_routes("main") - before, n as usize);
        eprintln!("100k routes through nlkit --force -batch (debug build): {took:?}");
        // And the listing streams them all.
        let listed = j("route show root 20.0.0.0/7");
        assert_eq!(listed.as_array().unwrap().len(), n as usize);
    })
    .unwrap();
}

/// The same batch file through `ip -batch` and `nlkit -batch` in two fresh
/// namespaces: continuation lines, comments anywhere, abbreviations,
/// `-force` past errors: the same routes afterwards, the same exit status,
/// and `Command failed -:LINE` at the same lines.
#[test]
fn continuation_comments_abbreviations_force_as_ip() {
    let file = "link add v0 type veth peer name v1\n\
                li set v0 up\n\
                a add 10.9.0.1/24 dev v0 # a comment after a command\n\
                # a comment line \\\n\
                ro add 10.1.0.0/24 \\\n\
                \x20  via 10.9.0.2 \\\n\
                \x20  metric 7\n\
                r add 10.2.0.0/24 via 10.99.0.2\n\
                \n\
                r a 10.3.0.0/24 dev v0 table 100\n\
                ro app 10.4.0.0/24 dev v0\n\
                r add 10.1.0.0/24 \\\n\
                via 10.9.0.2 metric 7\n\
                ru add pref 100 from 10.5.0.0/24 lookup 100\n\
                rou add 10.6.0.0/24 dev v0 # \\\n\
                route add 10.7.0.0/24 dev v0\n";
    let mut results = Vec::new();
    for prog in ["ip", bin()] {
        let r = in_new_netns(move || {
            use std::io::Write;
            use std::process::{Command, Stdio};
            let mut child = Command::new(prog)
                .args(["-force", "-batch", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(file.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let failed: Vec<String> = stderr
                .lines()
                .filter(|l| l.starts_with("Command failed"))
                .map(String::from)
                .collect();
            let routes =
                sh("ip route show table all type unicast | grep -v '^fe80\\|^local\\|^multicast'");
            let rules = sh("ip rule show pref 100");
            (
                out.status.code(),
                failed,
                routes,
                rules,
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
        .unwrap();
        results.push(r);
    }
    assert_eq!(results[0], results[1], "ip (left) and nlkit (right) differ");
    let (code, failed, routes, _, _) = &results[1];
    assert_eq!(*code, Some(1));
    assert_eq!(failed, &["Command failed -:8", "Command failed -:13"]);
    assert!(
        routes.contains("10.1.0.0/24 via 10.9.0.2 dev v0 metric 7"),
        "{routes}"
    );
    assert!(routes.contains("10.6.0.0/24 dev v0"), "{routes}");
    assert!(routes.contains("10.7.0.0/24 dev v0"), "{routes}");
}
