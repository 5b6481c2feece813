//! `nlkit decode` on strace's hex dumps: a capture checked in
//! (`tests/fixtures/strace_ip_link_show.txt`: `strace -f -tt -x -e
//! read=all -e write=all ip -j link show lo`, made on this machine), and a
//! fresh one of `ip link show lo` when strace is installed, in a netns of its own.

mod common;

use common::{fixture_path, nlkit};
use serde_json::Value;

/// The `strace line ...` headers and the message lines of the text output.
fn check_ip_link_show(stdout: &str) {
    let heads: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("strace line"))
        .collect();
    // ip's probe (ENODEV answered), the GETLINK for lo and its answer, the dump.
    assert!(heads.len() >= 4, "{stdout}");
    assert!(
        heads[0].contains(": sendto(fd 3), 32 bytes, route"),
        "{}",
        heads[0]
    );
    assert!(stdout.contains("No such device (ENODEV)"), "{stdout}");
    assert!(
        stdout.contains("RTM_GETLINK (18) len 48 flags REQUEST (0x1)"),
        "{stdout}"
    );
    assert!(stdout.contains("    IFLA_IFNAME (3): \"lo\""), "{stdout}");
    assert!(
        stdout.contains("ifi_type 772 (LOOPBACK), ifi_index 1"),
        "{stdout}"
    );
    assert!(!stdout.contains("error at offset"), "{stdout}");
}

#[test]
fn a_checked_in_capture() {
    let path = fixture_path("strace_ip_link_show.txt");
    let r = nlkit(&["decode", path.to_str().unwrap()], None);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    check_ip_link_show(&r.stdout);
    // Its write(1, ...) of ip's JSON output is no netlink datagram: skipped.
    assert!(!r.stdout.contains("write("), "{}", r.stdout);

    // JSON: one object per datagram and line, with where it was.
    let r = nlkit(&["decode", "-j", path.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    assert_eq!(lines[0]["strace"]["syscall"], "sendto");
    assert_eq!(lines[0]["strace"]["fd"], 3);
    assert_eq!(lines[0]["strace"]["line"], 2);
    assert_eq!(lines[2]["messages"][0]["type_name"], "RTM_GETLINK");
    assert_eq!(lines[3]["messages"][0]["type_name"], "RTM_NEWLINK");
    assert_eq!(lines[3]["length"], 1100);
}

#[test]
fn a_broken_dump_is_an_error_naming_its_line() {
    let text = "sendmsg(4, {...}, 0) = 20\n * 20 bytes in buffer 0\n \
                | 00000  14 00 00 00 12 00 01 00  01 00 00 00 00 00 00 00  ................ |\n \
                | 00020  00 00 00 00                                       ....             |\n";
    let r = nlkit(&["decode"], Some(text.as_bytes()));
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "nlkit: strace input: line 4: offset 0x20 where 0x10 was expected\n"
    );
}

#[test]
fn a_fresh_trace_of_ip_link_show() {
    if std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("strace is not installed: only the checked-in capture is decoded");
        return;
    }
    let trace = nlkit::socket::netns::in_new_netns(|| {
        let out = std::process::Command::new("strace")
            .args([
                "-o",
                "/dev/stdout",
                "-e",
                "trace=socket,sendto,sendmsg,recvmsg",
            ])
            .args([
                "-e",
                "read=all",
                "-e",
                "write=all",
                "ip",
                "link",
                "show",
                "lo",
            ])
            .stderr(std::process::Stdio::null())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    })
    .unwrap();
    let r = nlkit(&["decode"], Some(trace.as_bytes()));
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}\n{trace}");
    check_ip_link_show(&r.stdout);
}
