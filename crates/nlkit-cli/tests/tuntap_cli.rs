//! `nlkit tuntap` against `ip tuntap` (iproute2 6.1) on the real kernel,
//! both ways: devices made by ip read by nlkit, devices made by nlkit read
//! by ip, text and `-j` byte for byte; `-d link show` of the same devices;
//! errors as ip's. Each test uses network namespaces of its own, named
//! (`ip netns add`), because `ip tuntap show` reads sysfs and `ip -n`
//! mounts the namespace's own (nlkit makes one with `fsmount`).

mod route_common;

use nlkit::route::tuntap::{IFF_NO_PI, IFF_TAP};
use nlkit::socket::netns::Netns;
use nlkit::socket::tun::TunFile;
use route_common::*;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// One test at a time: a test that forks (every `Command`) hands the
/// `/dev/net/tun` descriptor another test holds to its child for a moment,
/// and `-d tuntap show` would list that child.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A named netns, deleted (with its devices) on drop, even if a test fails.
struct NamedNetns(String);

impl NamedNetns {
    fn new() -> NamedNetns {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "nlkit-tuntap-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        sh(&format!("ip netns add {name}"));
        NamedNetns(name)
    }
}

impl Drop for NamedNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// `TOOL -n NETNS ARGS`: (exit code, stdout, stderr).
fn run(tool: &str, ns: &NamedNetns, args: &str) -> (i32, String, String) {
    let prog = if tool == "ip" { "ip" } else { bin() };
    let o = Command::new(prog)
        .arg("-n")
        .arg(&ns.0)
        .args(args.split_whitespace())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs `ARGS` with `tool`, which must succeed and print nothing.
fn must(tool: &str, ns: &NamedNetns, args: &str) {
    let (code, out, err) = run(tool, ns, args);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", ""),
        "{tool} {args}"
    );
}

/// What is made: a tap with `one_queue` and an owner, a multi-queue tun
/// with packet information, vnet headers and a group, a tap whose name the
/// kernel picks, and abbreviated words (`tunt`, `tap`, `m`).
const MAKE: &[&str] = &[
    "tuntap add tap0 mode tap one_queue user 1000",
    "tunt a dev tun0 m tun pi vnet_hdr multi_queue group 5",
    "tap add mode tap",
    "tuntap add name tun1 mode tun user 4294967295 group 0",
];

/// The readings compared.
const SHOW: &[&str] = &[
    "tuntap",
    "tuntap show",
    "tuntap list",
    "tuntap lst tap0",
    "-j tuntap show",
    "-o tuntap show",
    "-d link show tun0",
    "-d link show tun1",
    "-d -j link show tun0",
    "-d -j link show tap0",
];

fn make(tool: &str) -> NamedNetns {
    let ns = NamedNetns::new();
    for l in MAKE {
        must(tool, &ns, l);
    }
    ns
}

#[test]
fn made_by_ip_read_by_nlkit_and_made_by_nlkit_read_by_ip() {
    let _one = one_at_a_time();
    let by_ip = make("ip");
    let by_nl = make("nlkit");
    for args in SHOW {
        let ip = run("ip", &by_ip, args);
        assert_eq!(ip.0, 0, "ip {args}: {ip:?}");
        assert!(!ip.1.is_empty(), "ip {args}");
        // nlkit reads ip's devices as ip does.
        assert_eq!(run("nlkit", &by_ip, args), ip, "nlkit {args} (made by ip)");
        // ip reads nlkit's devices as it reads its own (tap MAC addresses aside).
        let made = run("ip", &by_nl, args);
        if args.contains("tap0") && args.contains("link") {
            let strip = |s: &str| s.split("\"address\"").next().unwrap().to_string();
            assert_eq!(strip(&made.1), strip(&ip.1), "ip {args} (made by nlkit)");
        } else {
            assert_eq!(made, ip, "ip {args} (made by nlkit)");
        }
    }
    // The readings say what was asked for.
    let (_, text, _) = run("nlkit", &by_nl, "tuntap show");
    assert_eq!(
        text,
        "tap0: tap one_queue persist user 1000\n\
         tun0: tun pi multi_queue vnet_hdr persist filter group 5\n\
         tap1: tap persist\n\
         tun1: tun persist group 0\n"
    );
    // Deleted by each tool, whoever made them.
    for (tool, ns) in [("nlkit", &by_ip), ("ip", &by_nl)] {
        must(tool, ns, "tuntap del tap0 mode tap");
        must(tool, ns, "tuntap d tun0 mode tun multi_queue");
        let (_, text, _) = run(if tool == "ip" { "nlkit" } else { "ip" }, ns, "tuntap");
        assert_eq!(
            text, "tap1: tap persist\ntun1: tun persist group 0\n",
            "{tool}"
        );
    }
}

#[test]
fn refusals_and_kernel_errors_as_ip_says_them() {
    let _one = one_at_a_time();
    let ns = NamedNetns::new();
    must("nlkit", &ns, "tuntap add tap0 mode tap");
    for (args, ip_says, code) in [
        // The kernel's refusals: ip's words, exit 1.
        (
            "tuntap add tap0 mode tap",
            "ioctl(TUNSETIFF): Device or resource busy",
            1,
        ),
        (
            "tuntap del tap0 mode tun",
            "ioctl(TUNSETIFF): Invalid argument",
            1,
        ),
        (
            "tuntap del tap0 mode tap multi_queue",
            "ioctl(TUNSETIFF): Invalid argument",
            1,
        ),
        // Grammar: ip's words (nlkit's usage errors exit 2).
        ("tuntap add x1", "You failed to specify a tunnel mode", 2),
        ("tuntap add x1 mode foo", "Unknown tunnel mode \"foo\"", 2),
        (
            "tuntap add x1 mode tun mode tap",
            "You managed to ask for more than one tunnel mode.",
            2,
        ),
        (
            "tuntap add x1 y1 mode tun",
            "either \"name\" is duplicate, or \"y1\" is a garbage.",
            2,
        ),
        (
            "tuntap add x1 mode tun user no-such-user-x",
            "invalid user \"no-such-user-x\"",
            2,
        ),
        (
            "tuntap add mode tun dev a/b",
            "\"dev\" not a valid ifname",
            2,
        ),
        (
            "tuntap frob",
            "Command \"frob\" is unknown, try \"ip tuntap help\".",
            2,
        ),
    ] {
        let (c, out, err) = run("nlkit", &ns, args);
        assert_eq!((c, out.as_str()), (code, ""), "nlkit {args}: {err}");
        assert!(err.contains(ip_says), "nlkit {args}: {err}");
        let (ic, _, ierr) = run("ip", &ns, args);
        assert_ne!(ic, 0, "ip {args}");
        assert!(ierr.contains(ip_says), "ip {args}: {ierr}");
    }
    // ip 6.1 takes a del without a name and makes, then removes, a new
    // device (exit 0, nothing said); nlkit refuses it.
    let (c, _, err) = run("nlkit", &ns, "tuntap del mode tap");
    assert_eq!(c, 1, "{err}");
    assert!(err.contains("a device name is needed"), "{err}");
    // Nothing was made or lost.
    assert_eq!(run("ip", &ns, "tuntap").1, "tap0: tap persist\n");
    let (c, help, _) = run("nlkit", &ns, "tuntap help");
    assert_eq!(c, 0);
    assert!(
        help.contains("{ add | del | show | list | lst | help }"),
        "{help}"
    );
}

#[test]
fn a_batch_makes_them_in_order() {
    let _one = one_at_a_time();
    let ns = NamedNetns::new();
    let o = Command::new(bin())
        .args(["-n", &ns.0, "-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(b"tuntap add tap0 mode tap\nlink set tap0 address 02:00:00:00:00:0c\ntap add tun0 mode tun\ntuntap add tap0 mode tap\ntuntap show\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "nlkit: ioctl(TUNSETIFF): Device or resource busy\nCommand failed -:4\n"
    );
    // Without --force the batch stops at the failing line.
    assert_eq!(String::from_utf8_lossy(&o.stdout), "");
    let (_, link, _) = run("ip", &ns, "link show tap0");
    assert!(link.contains("link/ether 02:00:00:00:00:0c "), "{link}");
    assert_eq!(
        run("ip", &ns, "tuntap").1,
        "tap0: tap persist\ntun0: tun persist\n"
    );
}

#[test]
fn attached_processes_with_details() {
    let _one = one_at_a_time();
    let ns = NamedNetns::new();
    // fdinfo names the device, not its netns: a name no other test uses.
    let dev = format!("nt{}", std::process::id());
    must("ip", &ns, &format!("tuntap add {dev} mode tap"));
    must("ip", &ns, "tuntap add tun0 mode tun");
    // This test's process attaches to it (ip and nlkit list other processes).
    let f = TunFile::open(Some(Netns::Named(&ns.0))).unwrap();
    f.set_iff(dev.as_bytes(), (IFF_TAP | IFF_NO_PI) as u16)
        .unwrap();
    let me = std::fs::read_to_string("/proc/self/comm").unwrap();
    let me = format!("{}({})", me.trim_end(), std::process::id());
    for args in ["-d tuntap show", "-d -o tuntap show"] {
        let ip = run("ip", &ns, args);
        let nl = run("nlkit", &ns, args);
        // stderr may hold `readlink: ...` for processes hidden from us: both say the same.
        assert_eq!((nl.0, &nl.1), (ip.0, &ip.1), "{args}");
        assert!(
            nl.1.contains(&format!("Attached to processes:{me}")),
            "{}",
            nl.1
        );
    }
    // ip 6.1 writes `"processes":["name":...]` (not JSON); nlkit writes objects.
    let (_, out, _) = run("nlkit", &ns, "-d -j tuntap show");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["ifname"], dev.as_str());
    assert_eq!(v[0]["processes"][0]["pid"], std::process::id());
    assert_eq!(v[1]["processes"], serde_json::json!([]));
    drop(f);
    // It is persistent: still there once this process lets go.
    assert_eq!(
        run("nlkit", &ns, "tuntap").1,
        format!("{dev}: tap persist\ntun0: tun persist\n")
    );
}
