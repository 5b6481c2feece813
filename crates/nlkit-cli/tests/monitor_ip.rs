//! `nlkit monitor` against `ip monitor` (iproute2 6.1) for a scripted
//! sequence in a network namespace of its own: both listen at once, so they
//! see the same events in the same order. NETCONF events, ip's `[OBJECT]`
//! prefixes (`all`), `Deleted`, and the `-t` / `-ts` timestamp layouts.

mod common;

use common::Reaped;
use nlkit::socket::netns::in_new_netns;
use std::process::Command;
use std::time::Duration;

const NLKIT: &str = env!("CARGO_BIN_EXE_nlkit");

fn sh(script: &str) {
    let st = Command::new("sh").args(["-c", script]).status().unwrap();
    assert!(st.success(), "{script}");
}

fn spawn(prog: &str, args: &[&str]) -> Reaped {
    common::spawn_quiet(prog, args)
}

fn stop(c: Reaped) -> Vec<String> {
    String::from_utf8_lossy(&common::stop_bytes(c))
        .lines()
        .map(String::from)
        .collect()
}

/// Runs `args` under ip and nlkit while the sequence runs; their lines.
fn both(args: &[&str]) -> (Vec<String>, Vec<String>) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    in_new_netns(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sh("ip link set lo up");
        let ip = spawn("ip", &args);
        let nl = spawn(NLKIT, &args);
        std::thread::sleep(Duration::from_millis(400)); // both have joined their groups
        sh("ip link add d0 type veth peer name d1 && ip addr add 10.0.0.1/24 dev d0 && ip link set d0 up");
        // The namespace's own settings (sh runs in it): each one a NETCONF event.
        sh("echo 1 > /proc/sys/net/ipv4/conf/d0/forwarding");
        sh("echo 2 > /proc/sys/net/ipv4/conf/d0/rp_filter");
        sh("echo 1 > /proc/sys/net/ipv6/conf/d0/forwarding");
        sh("echo 1 > /proc/sys/net/ipv4/conf/d0/proxy_arp");
        sh("echo 1 > /proc/sys/net/ipv4/conf/all/ignore_routes_with_linkdown");
        sh("echo 1 > /proc/sys/net/ipv6/conf/default/forwarding");
        sh("ip route add 10.1.0.0/24 via 10.0.0.2 && ip link del d0");
        std::thread::sleep(Duration::from_millis(400)); // both have printed
        (stop(ip), stop(nl))
    })
    .unwrap()
}

/// The `[OBJECT]` and `Deleted` of each event line (text after them is each
/// object printer's, tested in their own differential tests).
fn heads(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with('['))
        .map(|l| {
            let end = l.find(']').map_or(0, |i| i + 1);
            let deleted = l[end..].starts_with("Deleted ");
            format!("{}{}", &l[..end], if deleted { " Deleted" } else { "" })
        })
        .collect()
}

#[test]
fn monitor_all_prefixes_netconf_and_deletes_as_ip() {
    let (ip, nl) = both(&["monitor", "all"]);
    assert_eq!(heads(&ip), heads(&nl), "ip: {ip:#?}\nnlkit: {nl:#?}");
    let netconf = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| l.starts_with("[NETCONF]"))
            .cloned()
            .collect()
    };
    let (a, b) = (netconf(&ip), netconf(&nl));
    assert!(a.len() >= 10, "the script makes NETCONF events: {ip:#?}");
    assert_eq!(a, b, "NETCONF lines byte for byte");
    assert!(
        b.contains(&"[NETCONF]inet d0 rp_filter loose ".to_string()),
        "{b:#?}"
    );
    assert!(
        b.contains(&"[NETCONF]Deleted inet6 d0 ".to_string()),
        "{b:#?}"
    );
    // Address and neighbour lines (what their printers write) match too.
    let of = |v: &[String], p: &str| -> Vec<String> {
        v.iter()
            .filter(|l| l.starts_with(p))
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    assert_eq!(of(&ip, "[ADDR]"), of(&nl, "[ADDR]"));
    assert_eq!(of(&ip, "[NEIGH]"), of(&nl, "[NEIGH]"));
}

#[test]
fn monitor_objects_without_all_have_no_prefix_and_ts_is_ips() {
    let (ip, nl) = both(&["-ts", "monitor", "netconf"]);
    // `[2026-12-01T11:48:15.685544] inet d1 forwarding off ...`
    let split = |l: &String| -> (String, String) {
        let (ts, rest) = l.split_once("] ").expect("a timestamp");
        (ts.trim_start_matches('[').to_string(), rest.to_string())
    };
    let (ipt, ipr): (Vec<_>, Vec<_>) = ip.iter().map(split).unzip();
    let (nlt, nlr): (Vec<_>, Vec<_>) = nl.iter().map(split).unzip();
    assert_eq!(ipr, nlr, "the events, without prefixes, byte for byte");
    assert!(nlr.len() >= 10, "{nl:#?}");
    for (a, b) in ipt.iter().zip(&nlt) {
        // Same layout: YYYY-MM-DDTHH:MM:SS.uuuuuu.
        let shape = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_ascii_digit() { 'd' } else { c })
                .collect()
        };
        assert_eq!(shape(a), shape(b), "{a} / {b}");
        assert_eq!(shape(b), "dddd-dd-ddTdd:dd:dd.dddddd");
    }
}

#[test]
fn monitor_t_writes_a_timestamp_line_before_each_event() {
    let (ip, nl) = both(&["-t", "monitor", "netconf"]);
    let stamps = |v: &[String]| -> Vec<Vec<usize>> {
        v.iter()
            .filter_map(|l| l.strip_prefix("Timestamp: "))
            .map(|t| t.split(' ').map(str::len).collect())
            .collect()
    };
    let events = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.starts_with("Timestamp: "))
            .cloned()
            .collect()
    };
    assert_eq!(events(&ip), events(&nl));
    let (a, b) = (stamps(&ip), stamps(&nl));
    assert_eq!(a.len(), events(&ip).len(), "one per event: {ip:#?}");
    assert_eq!(b.len(), a.len(), "{nl:#?}");
    // `Tue Dec  1 11:48:16 2026 385628 usec`: the same words (the
    // microseconds' width may differ: ip does not pad them).
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.len(), y.len(), "{ip:#?} / {nl:#?}");
        assert_eq!(x[..x.len() - 2], y[..y.len() - 2], "{ip:#?} / {nl:#?}");
    }
    let first = nl.iter().find(|l| l.starts_with("Timestamp: ")).unwrap();
    assert!(first.ends_with(" usec"), "{first}");
}

#[test]
fn monitor_oneline_as_ip() {
    let (ip, nl) = both(&["-o", "-t", "monitor", "all"]);
    // One line per event, the timestamp line apart, as ip: the event lines
    // have the same prefixes, and every line break inside an object is `\`.
    let events = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.starts_with("Timestamp: "))
            .cloned()
            .collect()
    };
    let (a, b) = (events(&ip), events(&nl));
    assert_eq!(heads(&a), heads(&b), "ip: {ip:#?}\nnlkit: {nl:#?}");
    assert_eq!(a.len(), b.len(), "ip: {ip:#?}\nnlkit: {nl:#?}");
    assert!(b.iter().all(|l| l.starts_with('[')), "{nl:#?}");
    let link = b.iter().find(|l| l.starts_with("[LINK]")).unwrap();
    assert!(link.contains("\\    link/ether "), "{link}");
    assert_eq!(
        ip.len() - a.len(),
        nl.len() - b.len(),
        "a Timestamp line per event"
    );
}
