//! `nlkit ynl`: listing families (with `$NLKIT_YNL_SPECS` searched first),
//! the operations and attributes of the project's own nltest spec and of a
//! kernel spec, and the errors of a broken spec and an unknown family.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const NLKIT: &str = env!("CARGO_BIN_EXE_nlkit");

fn nltest_yaml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kernel/module/nltest.yaml")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn nlkit(env: Option<&Path>, args: &[&str]) -> Run {
    let mut c = Command::new(NLKIT);
    c.args(args);
    match env {
        Some(p) => c.env("NLKIT_YNL_SPECS", p),
        None => c.env_remove("NLKIT_YNL_SPECS"),
    };
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(r: &Run) -> Value {
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// A temporary folder of specs, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("nlkit-ynl-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn list_families_searches_the_env_folder_first() {
    let d = Dir::new("list");
    std::fs::copy(nltest_yaml(), d.0.join("nltest.yaml")).unwrap();
    // An nlctrl of our own hides the installed one.
    let nlctrl = std::fs::read_to_string(nltest_yaml()).unwrap().replacen(
        "name: nltest\n",
        "name: nlctrl\n",
        1,
    );
    std::fs::write(d.0.join("nlctrl.yaml"), nlctrl).unwrap();
    let v = json(&nlkit(Some(&d.0), &["ynl", "--list-families", "-j"]));
    let rows = v.as_array().unwrap();
    let row = |n: &str| {
        rows.iter()
            .find(|r| r["name"] == n)
            .unwrap_or_else(|| panic!("{n}: {v}"))
    };
    let nl = row("nltest");
    assert_eq!(nl["protocol"], "genetlink-c");
    assert_eq!(nl["source"], "$NLKIT_YNL_SPECS");
    assert_eq!(nl["path"], d.0.join("nltest.yaml").display().to_string());
    let ctrl = row("nlctrl");
    assert_eq!(ctrl["source"], "$NLKIT_YNL_SPECS");
    let hidden = ctrl["hidden"].as_array().unwrap();
    assert!(
        hidden
            .iter()
            .any(|h| h.as_str().unwrap().contains("linux-doc-")),
        "the linux-doc nlctrl is hidden: {ctrl}"
    );
    // The kernel's specs are listed too (CI installs linux-doc-6.12).
    let eth = row("ethtool");
    assert_eq!(eth["protocol"], "genetlink-legacy");
    assert!(eth["source"].as_str().unwrap().starts_with("linux-doc-"));
    let rt = row("rt-link");
    assert_eq!(rt["protocol"], "netlink-raw");
    assert_eq!(rt["file"], "rt_link");

    // Without the variable the folder is not searched.
    let v = json(&nlkit(None, &["ynl", "--list-families", "-j"]));
    assert!(v.as_array().unwrap().iter().all(|r| r["name"] != "nltest"));
    // Text: one line per family.
    let t = nlkit(Some(&d.0), &["ynl", "--list-families"]);
    assert_eq!(t.code, 0);
    let line = t.stdout.lines().find(|l| l.starts_with("nltest ")).unwrap();
    assert!(
        line.contains("genetlink-c") && line.contains("$NLKIT_YNL_SPECS"),
        "{line}"
    );
}

#[test]
fn list_ops_of_the_nltest_spec() {
    let spec = nltest_yaml();
    let spec = spec.to_str().unwrap();
    let v = json(&nlkit(None, &["ynl", "--spec", spec, "--list-ops", "-j"]));
    let ops: Vec<(String, u64, bool, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert_eq!(o["request_value"], o["reply_value"]);
            assert_eq!(o["attribute_set"], "nltest");
            (
                o["name"].as_str().unwrap().to_string(),
                o["request_value"].as_u64().unwrap(),
                o["do"].as_bool().unwrap(),
                o["dump"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("echo", 1, true, false),
        ("notify", 2, true, false),
        ("dump", 3, false, true),
        ("require", 4, true, false),
        ("bump", 5, true, false),
        ("admin", 6, true, false),
    ];
    let want: Vec<(String, u64, bool, bool)> = want
        .iter()
        .map(|(n, v, d, u)| (n.to_string(), *v, *d, *u))
        .collect();
    assert_eq!(ops, want);
    assert_eq!(v[1]["mcgrp"], "events");
    assert_eq!(v[1]["event"], true);
    assert_eq!(v[5]["flags"], serde_json::json!(["admin-perm"]));

    let t = nlkit(None, &["ynl", "--spec", spec, "--list-ops"]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    let lines: Vec<Vec<&str>> = t
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["OPERATION", "VALUE", "KINDS", "ATTRIBUTE-SET"]);
    assert_eq!(lines[3], ["dump", "3", "dump", "nltest"]);
    assert_eq!(lines.len(), 7);
}

#[test]
fn list_attrs_with_types_and_fixed_headers() {
    let spec = nltest_yaml();
    let spec = spec.to_str().unwrap();
    let v = json(&nlkit(
        None,
        &["ynl", "--spec", spec, "--list-attrs", "dump", "-j"],
    ));
    assert_eq!(v["operation"], "dump");
    assert!(v.get("do").is_none());
    let names = |m: &Value| -> Vec<(String, u64, String)> {
        m.as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["name"].as_str().unwrap().to_string(),
                    a["value"].as_u64().unwrap(),
                    a["type"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        names(&v["dump"]["request"]),
        [("count".to_string(), 2, "u32".to_string())]
    );
    assert_eq!(
        names(&v["dump"]["reply"]),
        [
            ("index".to_string(), 3, "u32".to_string()),
            ("generation".to_string(), 5, "u32".to_string())
        ]
    );
    let v = json(&nlkit(
        None,
        &["ynl", "--spec", spec, "--list-attrs", "require", "-j"],
    ));
    assert_eq!(v["do"]["request"][0]["checks"]["max_len"], "name-maxlen");
    let t = nlkit(None, &["ynl", "--spec", spec, "--list-attrs", "require"]);
    assert!(
        t.stdout.contains("string max-len name-maxlen"),
        "{}",
        t.stdout
    );

    // A kernel spec: rt-link's getlink names its ifinfomsg members and nests.
    let v = json(&nlkit(
        None,
        &[
            "ynl",
            "--family",
            "rt-link",
            "--list-attrs",
            "getlink",
            "-j",
        ],
    ));
    assert_eq!(v["fixed_header"], "ifinfomsg");
    let reply = v["do"]["reply"].as_array().unwrap();
    let find = |n: &str| {
        reply
            .iter()
            .find(|a| a["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(find("ifi-index")["header"], true);
    assert_eq!(find("mtu")["value"], 4);
    assert_eq!(find("linkinfo")["type"], "nest");
    assert_eq!(find("linkinfo")["nested_attributes"], "linkinfo-attrs");
    // A notification lists the replies of the operation it notifies.
    let v = json(&nlkit(
        None,
        &[
            "ynl",
            "--family",
            "ethtool",
            "--list-attrs",
            "linkinfo-ntf",
            "-j",
        ],
    ));
    assert_eq!(v["notify"][0]["name"], "header");
}

#[test]
fn errors_name_the_spec_line_or_the_family() {
    let d = Dir::new("err");
    let bad = d.0.join("bad.yaml");
    let text = std::fs::read_to_string(nltest_yaml()).unwrap().replacen(
        "attributes: [ count ]",
        "attributes: [ cuont ]",
        1,
    );
    std::fs::write(&bad, &text).unwrap();
    // An unknown name in an operation's list is a warning (kernel specs have them).
    let r = nlkit(
        None,
        &["ynl", "--spec", bad.to_str().unwrap(), "--list-ops", "-d"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = text.lines().position(|l| l.contains("cuont")).unwrap() + 1;
    assert!(
        r.stderr.contains(&format!("{}:{line}: operation \"dump\" dump request: attribute \"cuont\" is not in attribute-set \"nltest\"", bad.display())),
        "{}",
        r.stderr
    );
    let text = text.replacen("type: u32", "type: u23", 1);
    std::fs::write(&bad, &text).unwrap();
    let r = nlkit(
        None,
        &["ynl", "--spec", bad.to_str().unwrap(), "--list-ops"],
    );
    assert_eq!(r.code, 1);
    let line = text.lines().position(|l| l.contains("u23")).unwrap() + 1;
    assert!(
        r.stderr.starts_with(&format!(
            "nlkit: {}:{line}: attribute-set \"nltest\" attribute \"count\": unknown type \"u23\"",
            bad.display()
        )),
        "{}",
        r.stderr
    );
    let r = nlkit(
        Some(&d.0),
        &["ynl", "--family", "no-such-family", "--list-ops"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no spec for family \"no-such-family\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&d.0.display().to_string()),
        "{}",
        r.stderr
    );
    let r = nlkit(
        None,
        &[
            "ynl",
            "--spec",
            nltest_yaml().to_str().unwrap(),
            "--list-attrs",
            "nope",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("has no operation \"nope\" (it has: echo, notify, dump"),
        "{}",
        r.stderr
    );
}
