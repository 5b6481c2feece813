//! Helpers for the rtnetlink CLI tests: run `nlkit` or `ip` (in the calling
//! thread's netns: call them inside `in_new_netns`) and read their output.
#![allow(dead_code)]

use serde_json::Value;
use std::process::Command;

#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)]
pub use common::{bin, nlkit, with_mounts, Reaped, Run};

/// Runs `nlkit` with words split on spaces.
pub fn nl(args: &str) -> Run {
    let v: Vec<&str> = args.split_whitespace().collect();
    nlkit(&v, None)
}

/// Runs `nlkit ARGS`, which must succeed; returns its stdout.
pub fn ok(args: &str) -> String {
    let r = nl(args);
    assert_eq!(r.code, 0, "nlkit {args}: {r:?}");
    assert_eq!(r.stderr, "", "nlkit {args}: {r:?}");
    r.stdout
}

/// Runs `nlkit -j ARGS` and parses the JSON.
pub fn j(args: &str) -> Value {
    let out = ok(&format!("-j {args}"));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("nlkit -j {args}: {e}: {out:?}"))
}

/// Runs a shell command, which must succeed; returns its stdout.
pub fn sh(cmd: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs each line of `script` with `tool`: `ip LINE` (which must succeed) or
/// `nlkit LINE` (which must succeed and print nothing).
pub fn run_lines(tool: &str, script: &str) {
    for l in script.lines().filter(|l| !l.trim().is_empty()) {
        if tool == "ip" {
            sh(&format!("ip {l}"));
        } else {
            assert_eq!(ok(l), "", "nlkit {l} prints nothing");
        }
    }
}

/// `ip -j ARGS`, parsed (an empty output is an empty array).
pub fn ipj(args: &str) -> Value {
    let out = sh(&format!("ip -j {args}"));
    if out.trim().is_empty() {
        return Value::Array(vec![]);
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("ip -j {args}: {e}: {out:?}"))
}

/// No duplicate address detection in this netns: no address is tentative
/// between one tool's read and the other's.
pub fn no_dad() {
    sh("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
}

/// Text with trailing blanks cut from each line (iproute2 leaves some).
pub fn trimmed(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// Asserts that every key of `ours` is in `theirs` with the same value
/// (objects recursively); `path` names where, for messages.
pub fn assert_subset(ours: &Value, theirs: &Value, path: &str) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let t = b
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: ours has {v}, iproute2 has none\nours:   {ours}\ntheirs: {theirs}"));
                assert_subset(v, t, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(
                a.len(),
                b.len(),
                "{path}: lengths differ\nours:   {ours}\ntheirs: {theirs}"
            );
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(ours, theirs, "{path}"),
    }
}

/// Asserts that `ours` has each of `keys` that `theirs` has.
pub fn assert_has_keys(ours: &Value, theirs: &Value, keys: &[&str], path: &str) {
    for k in keys {
        if theirs.get(k).is_some() {
            assert!(
                ours.get(k).is_some(),
                "{path}: ours lacks {k}\nours:   {ours}\ntheirs: {theirs}"
            );
        }
    }
}

/// Waits (up to 5 s) until each of `devs` has operstate UP: the kernel sets
/// it from its link-watch work, which may lag a second behind `link set up`.
pub fn wait_oper_up(devs: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    for d in devs {
        loop {
            let v = ipj(&format!("link show {d}"));
            if v[0]["operstate"] == "UP" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{d} never came up: {v}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
