//! The `ip` parity suite: nlkit against the installed iproute2 (6.1), command
//! by command, on a rich state, both ways.
//!
//! Two fresh netns are built at the same time from `ip_parity/state.ip`: one
//! with `ip -force -batch`, one with `nlkit -force -batch`. Every line must
//! be accepted by `ip`; a line nlkit refuses is a finding (format `batch`).
//! Then, in each netns, every command of `ip_parity/commands.txt` runs
//! through `ip` and `nlkit`, as text (compared byte for byte, trailing
//! blanks included, and the exit status) and with `-j` (both parsed, compared
//! as their re-serialisation, which keeps key order: serde_json's
//! `preserve_order`). A command differs when it differs in either netns
//! (objects made by ip read by nlkit, objects made by nlkit read by nlkit).
//! Objects made by nlkit read by ip: `ip`'s readings of the two netns are
//! compared too (format `made`).
//!
//! Each difference must be listed in `ip_parity/known.txt`
//! (`command<TAB>text|json|made|batch<TAB>known-todo|ip-quirk<TAB>reason`);
//! the test fails on any other, and prints listed entries that are now
//! identical (stale) without failing. `NLKIT_PARITY_REPORT=1` prints the
//! whole current list in the file's format (reasons of listed entries kept).
//!
//! Readings that move on their own are handled so that the test cannot
//! flake: when nlkit's reading differs from ip's, ip reads once more and
//! nlkit's may match either (a lifetime or a counter that ticked between
//! the two; if it matches neither, the readings are taken again, three
//! times at most, as a loaded machine can let a lifetime tick twice); the `-s` commands run last in each netns, when the packets the
//! kernel sends after links come up are sent. Timers that count in hundredths (resilient buckets' idle time,
//! bridge timers) are not compared by value, only by presence and place. In
//! the `made` comparison (two netns built milliseconds apart) lifetimes and
//! expiry times are not compared by value, lines and JSON array elements
//! are compared sorted (neighbours come in a hash table's order, and the
//! kernel's own routes in the order links came up), and `-s` commands
//! (traffic counters) are left out.

use nlkit::socket::netns::in_new_netns;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/mod.rs"]
mod common;

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/ip_parity")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The commands of `commands.txt`, expanded (see its header).
fn commands() -> Vec<String> {
    let mut out = Vec::new();
    for l in data("commands.txt").lines() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        match l.split_once(" : ") {
            Some((opts, cmd)) => {
                for o in opts.split_whitespace() {
                    if o == "." {
                        out.push(cmd.to_string());
                    } else {
                        out.push(format!("{} {cmd}", o.replace('+', " ")));
                    }
                }
            }
            None => out.push(l.to_string()),
        }
    }
    let mut seen = BTreeSet::new();
    for c in &out {
        assert!(seen.insert(c), "commands.txt: {c:?} twice");
    }
    out
}

/// What one run printed on stdout, and whether it succeeded.
#[derive(Clone, Debug, PartialEq)]
struct Out {
    ok: bool,
    stdout: String,
}

fn run(prog: &str, args: &[&str], stdin: Option<&str>) -> (Out, String) {
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {prog}: {e}"));
    let mut sin = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        std::io::Write::write_all(&mut sin, s.as_bytes()).unwrap();
    }
    drop(sin);
    let o = child.wait_with_output().unwrap();
    (
        Out {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        },
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Ip,
    Nlkit,
}

fn tool_run(t: Tool, json: bool, cmd: &str) -> Out {
    let mut args: Vec<&str> = Vec::new();
    if json {
        args.push("-j");
    }
    args.extend(cmd.split_whitespace());
    let prog = match t {
        Tool::Ip => "ip",
        Tool::Nlkit => common::bin(),
    };
    run(prog, &args, None).0
}

/// Timers counted in hundredths: compared by presence, not value.
const TICKING: &[&str] = &[
    "idle_time",
    "unbalanced_time",
    "gc_timer",
    "hello_timer",
    "tcn_timer",
    "topology_change_timer",
];
/// Values set from the clock when an object is made: not compared between
/// the two netns.
const CLOCKED: &[&str] = &[
    "valid_lft",
    "preferred_lft",
    "expires",
    "valid_life_time",
    "preferred_life_time",
];

/// Text with the word after each of `keys` replaced by `#`, spacing kept.
fn mask_text(s: &str, keys: &[&str]) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut prev_key = false;
        for (j, w) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if w.is_empty() {
                continue;
            }
            if prev_key && w != "forever" {
                out.push('#');
            } else {
                out.push_str(w);
            }
            // `key value` in text, `"key": value` in `-j -p`.
            prev_key = keys.contains(&w)
                || w.strip_prefix('"')
                    .and_then(|w| w.strip_suffix("\":"))
                    .is_some_and(|w| keys.contains(&w));
        }
    }
    out
}

fn mask_json(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if keys.contains(&k.as_str()) && (x.is_number() || x.is_string()) {
                    *x = Value::Null;
                } else {
                    mask_json(x, keys);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_json(x, keys)),
        _ => {}
    }
}

/// The form two readings are compared in. JSON that parses is
/// re-serialised (key order kept); other output is compared as it is.
fn canon(o: &Out, json: bool, keys: &[&str], sort: bool) -> String {
    let body = if json {
        match serde_json::from_str::<Value>(&o.stdout) {
            Ok(mut v) => {
                mask_json(&mut v, keys);
                if let (true, Value::Array(a)) = (sort, &mut v) {
                    a.sort_by_key(|x| x.to_string());
                }
                v.to_string()
            }
            Err(_) => format!("(not JSON) {}", o.stdout),
        }
    } else {
        let t = mask_text(&o.stdout, keys);
        if sort {
            let mut l: Vec<&str> = t.lines().collect();
            l.sort();
            l.join("\n")
        } else {
            t
        }
    };
    format!("{}{body}", if o.ok { "" } else { "(failed) " })
}

/// Readings of one command in one netns.
#[derive(Debug, Default)]
struct Reading {
    /// ip's text (one or two readings), nlkit's text.
    ip_text: Vec<Out>,
    nl_text: Option<Out>,
    ip_json: Vec<Out>,
    nl_json: Option<Out>,
}

/// First difference between two canonical readings, short, on one line.
fn first_diff(ip: &str, nl: &str, json: bool) -> String {
    let clip = |s: &str| -> String {
        let s: String = s.chars().take(110).collect();
        s.replace('\t', "\\t").replace('\n', "\\n")
    };
    if json {
        let at = ip
            .char_indices()
            .zip(nl.chars())
            .find(|((_, a), b)| a != b)
            .map(|((i, _), _)| i)
            .unwrap_or(ip.len().min(nl.len()));
        let start = ip[..at].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
        let nl_start = nl
            .char_indices()
            .nth(ip[..start].chars().count())
            .map_or(nl.len(), |(i, _)| i);
        return format!(
            "ip: …{} | nlkit: …{}",
            clip(&ip[start..]),
            clip(&nl[nl_start..])
        );
    }
    let (il, nll): (Vec<&str>, Vec<&str>) = (ip.split('\n').collect(), nl.split('\n').collect());
    for i in 0..il.len().max(nll.len()) {
        let (a, b) = (il.get(i).copied(), nll.get(i).copied());
        if a != b {
            return format!(
                "line {}: ip: {:?} | nlkit: {:?}",
                i + 1,
                clip(a.unwrap_or("(none)")),
                clip(b.unwrap_or("(none)"))
            );
        }
    }
    "exit status".to_string()
}

/// Reads `cmd` with both tools; a second ip reading only when nlkit's
/// differs from the first. A lifetime that ticked twice between the two ip
/// readings (a loaded machine: more than a second between them) leaves
/// nlkit's matching neither: then the three readings are taken again, up
/// to three times in all; a real difference stays one.
fn read(cmd: &str, json: bool, r: &mut Reading) {
    let same = |a: &Out, b: &Out| canon(a, json, TICKING, false) == canon(b, json, TICKING, false);
    let mut tries = 0;
    let (ips, nl) = loop {
        tries += 1;
        let ip1 = tool_run(Tool::Ip, json, cmd);
        let nl = tool_run(Tool::Nlkit, json, cmd);
        if same(&ip1, &nl) {
            break (vec![ip1], nl);
        }
        let ip2 = tool_run(Tool::Ip, json, cmd);
        if same(&ip2, &nl) || tries == 3 {
            break (vec![ip1, ip2], nl);
        }
    };
    if json {
        r.ip_json = ips;
        r.nl_json = Some(nl);
    } else {
        r.ip_text = ips;
        r.nl_text = Some(nl);
    }
}

/// What applying `state.ip` told: the lines refused (with the message), and
/// the other lines written on stderr (warnings).
#[derive(Debug, Default)]
struct Built {
    refused: Vec<(String, String)>,
    said: Vec<String>,
}

/// Reads nlkit -batch's stderr: each failure is its message line(s), then
/// ip's `Command failed FILE:N`; other lines (a warning ip prints too) are
/// kept apart.
fn refusals(stderr: &str, script: &str) -> Built {
    let lines: Vec<&str> = script.lines().collect();
    let mut b = Built::default();
    let mut msg: Vec<&str> = Vec::new();
    for m in stderr.lines() {
        let at = m
            .strip_prefix("Command failed ")
            .and_then(|r| r.rsplit_once(':'))
            .and_then(|(_, n)| n.parse::<usize>().ok());
        match at {
            Some(n) => {
                let text = msg
                    .drain(..)
                    .map(|l| l.strip_prefix("nlkit: ").unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join(" / ");
                let line = match n {
                    1.. if n <= lines.len() => lines[n - 1].to_string(),
                    _ => format!("(line {n})"),
                };
                b.refused.push((line, text));
            }
            None if m.starts_with("nlkit: ") => msg.push(m),
            None => b.said.push(m.to_string()),
        }
    }
    b.said.extend(msg.into_iter().map(String::from));
    b
}

/// Applies `state.ip` with `tool`.
fn build(tool: Tool, script: &str) -> Built {
    for k in [
        "net.ipv6.conf.all.accept_dad=0",
        "net.ipv6.conf.default.accept_dad=0",
        "net.ipv6.conf.default.router_solicitations=0",
    ] {
        let (o, e) = run("sysctl", &["-qw", k], None);
        assert!(o.ok, "sysctl {k}: {e}");
    }
    let built = match tool {
        Tool::Ip => {
            // ip -batch takes no options: a `-6` line runs alone.
            let mut said = Vec::new();
            let mut seg = String::new();
            let flush = |seg: &mut String, said: &mut Vec<String>| {
                if !seg.is_empty() {
                    let (o, e) = run("ip", &["-force", "-batch", "-"], Some(seg));
                    assert!(o.ok, "ip -batch refused a line of state.ip: {e}");
                    said.extend(e.lines().map(String::from));
                    seg.clear();
                }
            };
            for l in script.lines() {
                if l.starts_with("-6 ") {
                    flush(&mut seg, &mut said);
                    let args: Vec<&str> = l.split_whitespace().collect();
                    let (o, e) = run("ip", &args, None);
                    assert!(o.ok, "ip {l}: {e}");
                    said.extend(e.lines().map(String::from));
                } else {
                    seg.push_str(l);
                    seg.push('\n');
                }
            }
            flush(&mut seg, &mut said);
            Built {
                refused: Vec::new(),
                said,
            }
        }
        Tool::Nlkit => {
            let (_, e) = run(common::bin(), &["-force", "-batch", "-"], Some(script));
            refusals(&e, script)
        }
    };
    // Neighbours made reachable stay so for the whole run; links come up.
    let (o, _) = run(
        "sysctl",
        &["-qw", "net.ipv4.neigh.v0.base_reachable_time_ms=3600000"],
        None,
    );
    let _ = o;
    wait_oper_up(&["v0", "v1", "p0", "p1"]);
    built
}

/// Waits (up to 5 s) until each of `devs` that exists has operstate UP (set
/// by the kernel's link-watch work, a moment after `link set up`).
fn wait_oper_up(devs: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    for d in devs {
        loop {
            let o = tool_run(Tool::Ip, true, &format!("link show {d}"));
            let up = serde_json::from_str::<Value>(&o.stdout)
                .map(|v| v[0]["operstate"] == "UP")
                .unwrap_or(false);
            if !o.ok || up || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

type Side = (Built, Vec<Reading>);

/// A command that shows traffic counters (`-s`), or pretty JSON (`-j -p`,
/// read for its layout: what each tool made is compared by the `-j`
/// reading of the same command); neither is compared between the two netns.
fn stats_cmd(c: &str) -> bool {
    c.split_whitespace().any(|w| w == "-s" || w == "-p")
}

fn side(tool: Tool, cmds: Vec<String>) -> std::thread::JoinHandle<Side> {
    std::thread::spawn(move || {
        in_new_netns(move || {
            let built = build(tool, &data("state.ip"));
            // The counters (`-s`) last: the few packets the kernel sends
            // after links come up (MLD reports) are long sent by then.
            let mut order: Vec<usize> = (0..cmds.len()).collect();
            order.sort_by_key(|&i| stats_cmd(&cmds[i]));
            let mut reads: Vec<Reading> = cmds.iter().map(|_| Reading::default()).collect();
            for i in order {
                read(&cmds[i], false, &mut reads[i]);
                read(&cmds[i], true, &mut reads[i]);
            }
            (built, reads)
        })
        .expect("new netns")
    })
}

#[derive(Clone, Debug)]
struct Entry {
    class: String,
    reason: String,
}

fn known() -> BTreeMap<(String, String), Entry> {
    let mut m = BTreeMap::new();
    for (i, l) in data("known.txt").lines().enumerate() {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = l.split('\t').collect();
        assert!(
            f.len() == 4
                && ["text", "json", "made", "batch"].contains(&f[1])
                && ["known-todo", "ip-quirk"].contains(&f[2]),
            "known.txt:{}: want command<TAB>text|json|made|batch<TAB>known-todo|ip-quirk<TAB>reason: {l:?}",
            i + 1
        );
        let k = (f[0].to_string(), f[1].to_string());
        let e = Entry {
            class: f[2].to_string(),
            reason: f[3].to_string(),
        };
        assert!(m.insert(k, e).is_none(), "known.txt:{}: twice", i + 1);
    }
    m
}

/// nlkit's reading of `cmd` against ip's in one netns: `None` if the same.
fn differs(ips: &[Out], nl: &Out, json: bool) -> Option<String> {
    let n = canon(nl, json, TICKING, false);
    if ips.iter().any(|i| canon(i, json, TICKING, false) == n) {
        return None;
    }
    Some(first_diff(&canon(&ips[0], json, TICKING, false), &n, json))
}

#[test]
fn ip_parity() {
    let cmds = commands();
    let a = side(Tool::Ip, cmds.clone());
    let b = side(Tool::Nlkit, cmds.clone());
    let (built_ip, by_ip) = a.join().unwrap();
    let (built, by_nl) = b.join().unwrap();
    assert!(built_ip.refused.is_empty());
    // What nlkit -batch said besides its refusals is a finding unless ip said it too.
    let mut refused = built.refused.clone();
    for m in built.said.iter().filter(|m| !built_ip.said.contains(m)) {
        refused.push(("(no line)".to_string(), m.clone()));
    }

    // The differences now, keyed like known.txt.
    let mut now: BTreeMap<(String, String), String> = BTreeMap::new();
    for (line, msg) in &refused {
        now.insert((line.clone(), "batch".into()), msg.replace('\t', " "));
    }
    for (i, c) in cmds.iter().enumerate() {
        let (x, y) = (&by_ip[i], &by_nl[i]);
        for (json, fmt) in [(false, "text"), (true, "json")] {
            let d = [(x, "made by ip"), (y, "made by nlkit")]
                .iter()
                .find_map(|(r, who)| {
                    let (ips, nl) = if json {
                        (&r.ip_json, r.nl_json.as_ref().unwrap())
                    } else {
                        (&r.ip_text, r.nl_text.as_ref().unwrap())
                    };
                    differs(ips, nl, json).map(|d| format!("{who}: {d}"))
                });
            if let Some(d) = d {
                now.insert((c.clone(), fmt.into()), d);
            }
        }
        // ip's reading of what each tool made.
        if stats_cmd(c) {
            continue;
        }
        let keys: Vec<&str> = TICKING.iter().chain(CLOCKED).copied().collect();
        for (json, xs, ys) in [
            (false, &x.ip_text, &y.ip_text),
            (true, &x.ip_json, &y.ip_json),
        ] {
            let cx: Vec<String> = xs.iter().map(|o| canon(o, json, &keys, true)).collect();
            let cy: Vec<String> = ys.iter().map(|o| canon(o, json, &keys, true)).collect();
            if !cx.iter().any(|p| cy.contains(p)) {
                let d = first_diff(&cx[0], &cy[0], json).replace("nlkit:", "made by nlkit:");
                now.entry((c.clone(), "made".into()))
                    .or_insert(format!("{}{d}", if json { "-j " } else { "" }));
                break;
            }
        }
    }

    let known = known();
    let mut counts: BTreeMap<&str, [usize; 4]> = BTreeMap::new(); // identical, known-todo, ip-quirk, new
    for c in &cmds {
        for fmt in ["text", "json", "made"] {
            if fmt == "made" && stats_cmd(c) {
                continue;
            }
            let k = (c.clone(), fmt.to_string());
            let slot = match (now.contains_key(&k), known.get(&k)) {
                (false, _) => 0,
                (true, Some(e)) if e.class == "known-todo" => 1,
                (true, Some(_)) => 2,
                (true, None) => 3,
            };
            counts.entry(fmt).or_default()[slot] += 1;
        }
    }
    let mut summary = format!(
        "ip parity: {} commands, {} lines of state ({} refused by nlkit -batch)\n",
        cmds.len(),
        data("state.ip")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count(),
        refused.len()
    );
    for (fmt, [same, todo, quirk, new]) in &counts {
        let _ = writeln!(
            summary,
            "  {fmt:4}: {} compared, {same} identical, {} differing ({todo} known-todo, {quirk} ip-quirk, {new} not listed)",
            same + todo + quirk + new,
            todo + quirk + new
        );
    }
    eprint!("{summary}");

    if std::env::var_os("NLKIT_PARITY_REPORT").is_some() {
        let mut rep = String::new();
        for ((c, f), d) in &now {
            let e = known.get(&(c.clone(), f.clone()));
            let class = e.map_or("known-todo", |e| e.class.as_str());
            let reason = e.map_or(d.as_str(), |e| e.reason.as_str());
            let _ = writeln!(rep, "{c}\t{f}\t{class}\t{reason}");
        }
        println!("{rep}");
    }

    let stale: Vec<String> = known
        .keys()
        .filter(|k| !now.contains_key(*k))
        .map(|(c, f)| format!("{c}\t{f}"))
        .collect();
    if !stale.is_empty() {
        eprintln!(
            "known.txt: {} entries now identical (stale, remove them):\n{}",
            stale.len(),
            stale.join("\n")
        );
    }
    let new: Vec<String> = now
        .iter()
        .filter(|(k, _)| !known.contains_key(*k))
        .map(|((c, f), d)| format!("{c}\t{f}\tknown-todo\t{d}"))
        .collect();
    assert!(
        new.is_empty(),
        "{} differences from ip not in known.txt:\n{}",
        new.len(),
        new.join("\n")
    );
}

#[test]
fn batch_refusals_read_with_their_lines() {
    let b = refusals(
        "nlkit: no such thing\nCommand failed -:2\nWarning: route NAT is deprecated\nnlkit: stray\n",
        "a\nb\nc\n",
    );
    assert_eq!(b.refused, [("b".to_string(), "no such thing".to_string())]);
    assert_eq!(b.said, ["Warning: route NAT is deprecated", "nlkit: stray"]);
}
