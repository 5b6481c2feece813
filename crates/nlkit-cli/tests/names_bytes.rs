//! Names that are not UTF-8 (and names with a backslash or `\x` in them),
//! `nlkit` against `ip` (iproute2 6.1) on the same objects, each test in a
//! network namespace of its own: text byte for byte (ip writes a name's raw
//! bytes), `-j` valid JSON that equals ip's once ip's strings are read as
//! `docs/json.md` says nlkit writes them; the monitor likewise. Then the
//! interface-name checks, refused and let through as ip refuses them.

mod common;

use common::{spawn_quiet, stop_bytes};
use nlkit::socket::netns::in_new_netns;
use std::process::Command;
use std::time::Duration;

const NLKIT: &str = env!("CARGO_BIN_EXE_nlkit");

/// Two ends `FF FE` and `a\b`; `FF FE` has the alias `caf<E9> "q\x`, an
/// address labelled `FF FE :x`, a route, a neighbour and a nexthop; a rule
/// names both ends. A second pair, `café` (UTF-8: 5 bytes, 4 chars) and
/// `E9 t E9`, for `-br`'s columns (ip pads to 16 bytes). A multipath route
/// goes through `FF FE` and `a\b`.
const SETUP: &str = r#"
ip link add $'\xff\xfe' type veth peer name 'a\b'
ip link add café type veth peer name $'\xe9t\xe9'
ip link set dev $'\xff\xfe' alias $'caf\xe9 "q\\x'
ip addr add 10.1.1.1/24 dev $'\xff\xfe' label $'\xff\xfe:x'
ip link set $'\xff\xfe' up
ip link set 'a\b' up
ip route add 10.2.0.0/16 dev $'\xff\xfe'
ip rule add iif $'\xff\xfe' oif 'a\b' table 100
ip neigh add 10.1.1.9 lladdr 00:11:22:33:44:55 dev $'\xff\xfe'
ip nexthop add id 1 dev $'\xff\xfe'
ip route add 10.5.0.0/16 nexthop dev $'\xff\xfe' nexthop dev 'a\b'
"#;

fn bash(script: &str) {
    let st = Command::new("bash").args(["-c", script]).status().unwrap();
    assert!(st.success(), "{script}");
}

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(prog: &str, args: &[&str]) -> Out {
    let o = Command::new(prog).args(args).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: o.stdout,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The show commands compared.
const SHOWS: &[&[&str]] = &[
    &["link", "show"],
    &["-d", "link", "show"],
    &["-br", "link", "show"],
    &["addr", "show"],
    &["-br", "addr", "show"],
    &["-o", "addr", "show"],
    &["-o", "link", "show"],
    &["route", "get", "10.2.0.1"],
    &["route", "show"],
    &["neigh", "show"],
    &["rule", "show"],
    &["nexthop", "show"],
];

fn shown(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn text_is_ip_byte_for_byte() {
    in_new_netns(|| {
        bash(SETUP);
        for args in SHOWS {
            let ip = run("ip", args);
            let nl = run(NLKIT, args);
            assert_eq!(ip.code, 0, "{args:?}: {}", ip.stderr);
            assert_eq!(nl.code, 0, "{args:?}: {}", nl.stderr);
            assert!(ip.stdout.windows(2).any(|w| w == b"\xff\xfe"), "{args:?}");
            assert_eq!(
                nl.stdout,
                ip.stdout,
                "{args:?}\nnlkit:\n{}\nip:\n{}",
                shown(&nl.stdout),
                shown(&ip.stdout)
            );
        }
    })
    .unwrap();
}

/// ip's JSON string `s` (its bytes, as ip wrote them between the quotes)
/// as nlkit writes it: the name as it is when it is UTF-8 and holds no
/// `\x`; else `\\` for a backslash and `\xHH` for a byte that is not UTF-8.
fn as_nlkit(s: &[u8]) -> String {
    // ip escapes `"` and `\` (and control characters, none here).
    let mut raw = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            raw.push(s[i + 1]);
            i += 2;
        } else {
            raw.push(s[i]);
            i += 1;
        }
    }
    let text = match std::str::from_utf8(&raw) {
        Ok(t) if !t.contains("\\x") => t.to_string(),
        _ => nlkit::schema::escape_bytes(&raw).into_owned(),
    };
    serde_json::to_string(&text).unwrap()
}

/// ip's `-j` output with every string rewritten by [`as_nlkit`].
fn ip_json_as_nlkit(b: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            while b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out += &as_nlkit(&b[start..j]);
            i = j + 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

#[test]
fn json_is_valid_and_ip_s_but_for_the_documented_escaping() {
    in_new_netns(|| {
        bash(SETUP);
        // `-j -o addr` is laid out otherwise by ip 6.1 (its own matter, not names').
        for args in SHOWS.iter().filter(|a| a[0] != "-o") {
            let args: Vec<&str> = std::iter::once("-j").chain(args.iter().copied()).collect();
            let ip = run("ip", &args);
            let nl = run(NLKIT, &args);
            assert_eq!(nl.code, 0, "{args:?}: {}", nl.stderr);
            // ip writes the raw bytes: not UTF-8, so not JSON.
            assert!(std::str::from_utf8(&ip.stdout).is_err(), "{args:?}");
            let text = String::from_utf8(nl.stdout).expect("nlkit -j is UTF-8");
            let v: serde_json::Value = serde_json::from_str(&text).expect("nlkit -j is JSON");
            assert_eq!(text, ip_json_as_nlkit(&ip.stdout), "{args:?}");
            if args[1..] == ["link", "show"] {
                let ends: Vec<&str> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|o| o["ifname"].as_str())
                    .collect();
                assert_eq!(ends, ["lo", "a\\b", "\\xff\\xfe", "\\xe9t\\xe9", "café"]);
                assert_eq!(v[2]["ifalias"], "caf\\xe9 \"q\\\\x");
            }
        }
    })
    .unwrap();
}

/// The event lines of the objects [`SETUP`] makes (not those the kernel
/// adds on its own, such as IPv6 link-local routes and neighbours, whose
/// timing is its own), links cut after their name (their other fields are
/// the monitor's own tests'), a line repeated at once kept once.
fn names_part(b: &[u8]) -> Vec<Vec<u8>> {
    let ours: [&[u8]; 6] = [
        b"10.1.1.",
        b"10.2.0.0",
        b"10.5.0.0",
        b"nexthop dev",
        b"id 1 ",
        b"32765:",
    ];
    let mut v: Vec<Vec<u8>> = b
        .split(|&c| c == b'\n')
        .filter_map(|l| match l.windows(3).position(|w| w == b": <") {
            Some(i) if l.first().is_some_and(u8::is_ascii_digit) => Some(l[..i].to_vec()),
            _ if ours.iter().any(|o| l.windows(o.len()).any(|w| w == *o)) => Some(l.to_vec()),
            _ => None,
        })
        .collect();
    v.dedup();
    v
}

#[test]
fn monitor_prints_names_as_ip_and_valid_json() {
    let (ip, nl, nlj) = in_new_netns(|| {
        let ip = spawn_quiet("ip", &["monitor"]);
        let nl = spawn_quiet(NLKIT, &["monitor"]);
        let nlj = spawn_quiet(NLKIT, &["-j", "monitor"]);
        std::thread::sleep(Duration::from_millis(400)); // all have joined their groups
        bash(SETUP);
        std::thread::sleep(Duration::from_millis(400)); // all have printed
        (stop_bytes(ip), stop_bytes(nl), stop_bytes(nlj))
    })
    .unwrap();
    let (ip, nl) = (names_part(&ip), names_part(&nl));
    for want in [
        &b"3: \xff\xfe@a\\b"[..],
        b"10.2.0.0/16 dev \xff\xfe ",
        b"32765:\tfrom all iif \xff\xfe oif a\\b",
    ] {
        assert!(ip.iter().any(|l| l.starts_with(want)), "{want:?}: {ip:?}");
    }
    assert_eq!(nl, ip, "\nnlkit: {nl:?}\nip: {ip:?}");
    let text = String::from_utf8(nlj).expect("UTF-8");
    let mut devs = 0;
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
        devs += usize::from(v["dev"] == "\\xff\\xfe" || v["ifname"] == "\\xff\\xfe");
    }
    assert!(devs >= 4, "{text}");
}

/// Interface names: what ip refuses itself (empty, 16 bytes or more after
/// `name`, `/`, white space) nlkit refuses with ip's words; what ip passes
/// on (`:`, `.`, `..`: the kernel's EINVAL; `a.b`: made) nlkit passes on.
#[test]
fn ifname_checks_as_ip() {
    in_new_netns(|| {
        bash("ip link add d0 type veth peer name d1");
        let cases = [
            "a:b",
            ".",
            "..",
            "a.b",
            "a/b",
            "a b",
            "a\tb",
            "a\x0bb",
            "",
            "sixteen-chars-xx",
        ];
        for n in cases {
            for (what, args) in [
                ("name", vec!["link", "set", "d0", "name", n]),
                (
                    "dev",
                    vec!["link", "add", n, "type", "veth", "peer", "name", "p0"],
                ),
                (
                    "name",
                    vec!["link", "add", "q0", "type", "veth", "peer", "name", n],
                ),
            ] {
                let ip = run("ip", &args);
                let _ = run("ip", &["link", "set", n, "name", "d0"]);
                let _ = run("ip", &["link", "del", "q0"]);
                let _ = run("ip", &["link", "del", n]);
                let nl = run(NLKIT, &args);
                let _ = run("ip", &["link", "set", n, "name", "d0"]);
                let _ = run("ip", &["link", "del", "q0"]);
                let _ = run("ip", &["link", "del", n]);
                assert_eq!(
                    nl.code == 0,
                    ip.code == 0,
                    "{args:?}: ip {} nlkit {}",
                    ip.stderr,
                    nl.stderr
                );
                let ip_own = format!("argument \"{n}\" is wrong: \"{what}\" not a valid ifname");
                if ip.stderr.contains(&ip_own) {
                    assert!(nl.stderr.contains(&ip_own), "{args:?}: {}", nl.stderr);
                    assert_eq!(nl.code, 2, "{args:?}");
                } else if ip.code != 0 {
                    // The kernel's answer, ip's `RTNETLINK answers: ...` / `Error: ...`.
                    assert!(
                        !nl.stderr.contains("not a valid ifname"),
                        "{args:?}: {}",
                        nl.stderr
                    );
                    let msg = ip
                        .stderr
                        .trim()
                        .trim_end_matches('.')
                        .rsplit(": ")
                        .next()
                        .unwrap()
                        .to_string();
                    assert!(
                        nl.stderr.contains(&msg),
                        "{args:?}: ip {} nlkit {}",
                        ip.stderr,
                        nl.stderr
                    );
                }
            }
        }
    })
    .unwrap();
}

/// An argument that is not UTF-8 is refused with a clear error, not a panic.
#[test]
fn an_argument_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let o = Command::new(NLKIT)
        .args(["link", "show", "dev"])
        .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        e,
        "nlkit: argument \"\\xFF\\xFE\" is not UTF-8: nlkit takes names as UTF-8 text only\n"
    );
}

/// A `-batch` line that is not UTF-8 stops the batch there (as ip, which
/// finds no such device), with a clear error.
#[test]
fn a_batch_line_that_is_not_utf8_stops_the_batch() {
    in_new_netns(|| {
        use std::io::Write;
        let mut c = Command::new(NLKIT)
            .args(["-batch", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin
            .take()
            .unwrap()
            .write_all(b"link show lo\nlink set \xff up\nlink show lo\n")
            .unwrap();
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            "nlkit: the line is not UTF-8: nlkit takes names as UTF-8 text only\nCommand failed -:2\n"
        );
        assert_eq!(String::from_utf8_lossy(&o.stdout).matches("1: lo:").count(), 1);
    })
    .unwrap();
}
