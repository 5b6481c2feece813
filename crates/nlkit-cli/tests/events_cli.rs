//! `nlkit monitor uevent` (each test in a netns of its own) and `nlkit
//! monitor proc` (in the initial netns, where the proc connector lives: these
//! only listen) against the real kernel.

use nlkit::socket::netns::in_new_netns;
use nlkit::socket::{Dest, Socket};
use nlkit::uevent::{emit_kernel, emit_udev, inject};
use nlkit::Protocol;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const NLKIT: &str = env!("CARGO_BIN_EXE_nlkit");

/// A running monitor: its stdout lines come through a channel.
struct Monitor {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Monitor {
    /// Starts `nlkit ARGS` and waits until it says it is listening.
    fn start(args: &[&str]) -> Monitor {
        let mut child = Command::new(NLKIT)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe = |r: Box<dyn std::io::Read + Send>| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for l in BufReader::new(r).lines() {
                    if tx.send(l.unwrap()).is_err() {
                        break;
                    }
                }
            });
            rx
        };
        let lines = pipe(Box::new(child.stdout.take().unwrap()));
        let stderr = pipe(Box::new(child.stderr.take().unwrap()));
        let m = Monitor {
            child,
            lines,
            stderr,
        };
        let first = m.err_line();
        assert!(first.contains("listening"), "{first}");
        m
    }
    fn line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(60))
            .expect("a line from the monitor")
    }
    fn err_line(&self) -> String {
        self.stderr
            .recv_timeout(Duration::from_secs(60))
            .expect("a line on the monitor's stderr")
    }
    /// Waits for the monitor to end by itself (`--count`); its exit status.
    fn wait(mut self) -> bool {
        self.child.wait().unwrap().success()
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sh(cmd: &str) {
    assert!(Command::new("sh")
        .args(["-c", cmd])
        .status()
        .unwrap()
        .success());
}

/// `[1234.567890] ` checked and cut off a udevadm line after its source.
fn after_time(line: &str, source: &str) -> String {
    let rest = line
        .strip_prefix(source)
        .unwrap_or_else(|| panic!("{line}"));
    let (time, rest) = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once("] "))
        .unwrap_or_else(|| panic!("{line}"));
    let (s, us) = time.split_once('.').unwrap();
    assert!(
        s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty(),
        "{line}"
    );
    assert!(
        us.len() == 6 && us.bytes().all(|b| b.is_ascii_digit()),
        "{line}"
    );
    rest.to_string()
}

#[test]
fn uevent_lines_as_udevadm_prints_them() {
    in_new_netns(|| {
        let m = Monitor::start(&[
            "monitor",
            "uevent",
            "--kernel",
            "--subsystem",
            "net",
            "--count",
            "2",
        ]);
        assert_eq!(m.line(), "monitor will print the received events for:");
        assert_eq!(m.line(), "KERNEL - the kernel uevent");
        assert_eq!(m.line(), "");
        sh("ip link add d0 type veth peer name d1");
        let mut got = vec![
            after_time(&m.line(), "KERNEL"),
            after_time(&m.line(), "KERNEL"),
        ];
        got.sort();
        assert_eq!(
            got,
            [
                "add      /devices/virtual/net/d0 (net)",
                "add      /devices/virtual/net/d1 (net)"
            ]
        );
        assert!(m.wait());
    })
    .unwrap();
}

#[test]
fn uevent_json_with_properties_is_lossless() {
    in_new_netns(|| {
        let m = Monitor::start(&[
            "-j",
            "monitor",
            "uevent",
            "--property",
            "--subsystem",
            "nlkit-test/gadget",
            "--count",
            "1",
        ]);
        let devpath = b"/devices/virtual/nlkit-test/j\xff";
        let online = |devtype: &[u8], extra: &[(&[u8], &[u8])]| {
            let mut props: Vec<(&[u8], &[u8])> = vec![
                (b"ACTION", b"online"),
                (b"DEVPATH", devpath),
                (b"SUBSYSTEM", b"nlkit-test"),
                (b"DEVTYPE", devtype),
            ];
            props.extend_from_slice(extra);
            let mut ev = Vec::new();
            emit_kernel(&mut ev, b"online", devpath, &props);
            inject(&ev).unwrap();
        };
        online(b"other", &[]); // filtered out by the devtype
        online(b"gadget", &[(b"PATH", b"C:\\x")]);
        let v: Value = serde_json::from_str(&m.line()).unwrap();
        assert_eq!(v["source"], "kernel");
        assert_eq!(v["action"], "online");
        assert_eq!(v["devpath"], "/devices/virtual/nlkit-test/j\\xff");
        assert_eq!(v["subsystem"], "nlkit-test");
        assert_eq!(v["devtype"], "gadget");
        assert!(v["seqnum"].is_u64(), "{v}");
        let p = v["properties"].as_object().unwrap();
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "ACTION",
                "DEVPATH",
                "SUBSYSTEM",
                "DEVTYPE",
                "PATH",
                "SEQNUM"
            ]
        );
        assert_eq!(p["PATH"], "C:\\\\x");
        assert_eq!(p["SEQNUM"].as_str().unwrap(), v["seqnum"].to_string());
        assert!(m.wait());
    })
    .unwrap();
}

#[test]
fn udev_events_and_untrusted_senders() {
    in_new_netns(|| {
        let m = Monitor::start(&["monitor", "uevent", "--count", "1"]);
        for _ in 0..4 {
            m.line(); // the banner
        }
        let user = Socket::open(Protocol::KOBJECT_UEVENT).unwrap();
        let mut forged = Vec::new();
        emit_kernel(&mut forged, b"add", b"/devices/forged", &[]);
        user.send_to(&forged, Dest::group(1).unwrap()).unwrap();
        let mut udev = Vec::new();
        emit_udev(
            &mut udev,
            &[
                (b"ACTION", b"unbind"),
                (b"DEVPATH", b"/devices/virtual/nlkit-test/u"),
                (b"SUBSYSTEM", b"nlkit-test"),
                (b"SEQNUM", b"5"),
            ],
        );
        user.send_to(&udev, Dest::group(2).unwrap()).unwrap();
        assert_eq!(
            after_time(&m.line(), "UDEV  "),
            "unbind   /devices/virtual/nlkit-test/u (nlkit-test)"
        );
        assert_eq!(
            m.err_line(),
            "nlkit: dropped a message from an untrusted sender (1 so far)"
        );
        assert!(m.wait());
    })
    .unwrap();
}

#[test]
fn proc_lines_for_a_child_that_execs_and_exits_3() {
    let m = Monitor::start(&["monitor", "proc", "--events", "fork,exec,exit"]);
    let me = std::process::id();
    let mut child = Command::new("sh")
        .args(["-c", "/bin/true; exit 3"])
        .spawn()
        .unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let want_exit = format!("exit pid {pid} code 3");
    let mut lines = Vec::new();
    while !lines.contains(&want_exit) {
        lines.push(m.line());
    }
    let fork = format!("fork pid {pid} parent {me}");
    assert!(lines.contains(&fork), "no {fork:?} in {lines:?}");
    assert!(lines.contains(&format!("exec pid {pid}")), "{lines:?}");
    for l in &lines {
        let word = l.split(' ').next().unwrap();
        assert!(matches!(word, "fork" | "exec" | "exit"), "{l}");
    }
}

#[test]
fn proc_json_with_only_exit() {
    let m = Monitor::start(&["-j", "monitor", "proc", "--events", "exit"]);
    let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    loop {
        let v: Value = serde_json::from_str(&m.line()).unwrap();
        assert_eq!(v["event"], "exit", "{v}");
        for k in [
            "pid",
            "tgid",
            "parent_pid",
            "parent_tgid",
            "exit_code",
            "exit_signal",
            "comm",
            "cpu",
            "timestamp_ns",
        ] {
            assert!(v.get(k).is_some(), "{k} missing: {v}");
        }
        if v["pid"] == pid {
            assert_eq!(v["exit_code"], 3);
            assert_eq!(v["tgid"], pid);
            assert_eq!(v["parent_tgid"], std::process::id());
            assert_eq!(v["exit_signal"], 17); // SIGCHLD
            break;
        }
    }
}

#[test]
fn proc_refuses_a_netns() {
    let out = Command::new(NLKIT)
        .args(["-n", "x", "monitor", "proc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("initial network namespace"));
    let out = Command::new(NLKIT)
        .args(["monitor", "proc", "--events", "bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown process event \"bogus\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn proc_outside_the_initial_pid_namespace_is_a_clear_error() {
    // The kernel does not answer: the monitor says why instead of hanging.
    let out = Command::new("unshare")
        .args(["--pid", "--fork", NLKIT, "monitor", "proc"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no answer from the kernel")
            && err.contains("initial user and pid namespaces"),
        "{err}"
    );
}
