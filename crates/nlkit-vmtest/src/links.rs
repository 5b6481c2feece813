//! dummy and 802.1Q VLAN links, live: the host kernel nlkit is developed on
//! has neither driver, so they are tested here, where init.sh has loaded the
//! kernel's own `dummy` and `8021q` modules (run.sh takes them from Debian's
//! image package). Through the library (`nlkit::route`) and through the CLI
//! (`/usr/bin/nlkit link ...`), each test in a network namespace of its own.
//! Root phase only: creating links needs `CAP_NET_ADMIN`.

use crate::{ensure, Context, Ctx, Outcome, Report, TestResult};
use nlkit::route::link::{InfoData, Vlan};
use nlkit::route::{Handle, Link, LinkDump, LinkRequest};
use nlkit::socket::netns::in_new_netns;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const NLKIT: &str = "/usr/bin/nlkit";

const ENODEV: i32 = 19;
const EEXIST: i32 = 17;
const EINVAL: i32 = 22;
const ERANGE: i32 = 34;
const ENETDOWN: i32 = 100;
const ETH_P_8021Q: u16 = 0x8100;
const ETH_P_8021AD: u16 = 0x88a8;

pub fn run(ctx: &Ctx, r: &mut Report) {
    if ctx.phase != "root" || !ctx.root {
        return;
    }
    r.run("links_modules_loaded", || {
        for m in ["8021q", "dummy"] {
            ensure!(
                Path::new("/sys/module").join(m).is_dir(),
                "module {m} is not loaded (init.sh loads /lib/modules-extra)"
            );
        }
        Ok(Outcome::Pass)
    });
    r.run("lib_dummy_create_change_list_delete", || netns(lib_dummy));
    r.run("lib_vlan_create_change_list_delete", || netns(lib_vlan));
    r.run("lib_vlan_follows_parent", || netns(lib_vlan_parent));
    r.run("lib_vlan_refused", || netns(lib_vlan_refused));
    if !Path::new(NLKIT).is_file() {
        r.run("cli_link", || {
            Ok(Outcome::Skip(format!("{NLKIT} is not in the VM")))
        });
        return;
    }
    r.run("cli_link_dummy", || netns(cli_dummy));
    r.run("cli_link_vlan", || netns(cli_vlan));
    r.run("cli_link_vlan_refused", || netns(cli_vlan_refused));
}

/// Runs a test in a new network namespace (a thread of its own, which the
/// CLI processes it starts inherit).
fn netns(f: fn() -> TestResult) -> TestResult {
    in_new_netns(f).ctx("new netns")?
}

fn handle() -> Result<Handle, String> {
    Handle::new().ctx("route handle")
}

fn get(h: &Handle, name: &str) -> Result<Link, String> {
    h.link_by_name(name).ctx(&format!("get {name}"))
}

fn errno_of(r: nlkit::Result<()>, what: &str) -> Result<i32, String> {
    match r {
        Ok(()) => Err(format!("{what}: succeeded")),
        Err(e) => e.errno().ok_or_else(|| format!("{what}: no errno in {e}")),
    }
}

fn gone(h: &Handle, name: &str) -> Result<(), String> {
    let e = errno_of(h.link_by_name(name).map(drop), &format!("get {name}"))?;
    ensure!(e == ENODEV, "get {name}: errno {e}, want ENODEV");
    Ok(())
}

fn names(h: &Handle) -> Result<Vec<String>, String> {
    Ok(h.link_list()
        .ctx("link list")?
        .into_iter()
        .filter_map(|l| l.name)
        .collect())
}

fn vlan_data(l: &Link) -> Option<Vlan> {
    match l.info.as_ref().map(|i| &i.data) {
        Some(InfoData::Vlan(v)) => Some(*v),
        _ => None,
    }
}

fn dummy_up(h: &Handle, name: &str) -> Result<u32, String> {
    h.add_link(&LinkRequest::add(name).other_kind("dummy", None).up())
        .ctx(&format!("add {name} type dummy up"))?;
    h.index_of(name).ctx(&format!("index of {name}"))
}

fn lib_dummy() -> TestResult {
    let h = handle()?;
    h.add_link(&LinkRequest::add("d0").other_kind("dummy", None).mtu(1400))
        .ctx("add d0 type dummy mtu 1400")?;
    let d0 = get(&h, "d0")?;
    ensure!(d0.kind() == Some("dummy"), "kind {:?}", d0.kind());
    ensure!(d0.mtu == Some(1400), "mtu {:?}", d0.mtu);
    ensure!(!d0.is_up(), "up right after creation");
    ensure!(
        d0.address.as_ref().map(Vec::len) == Some(6),
        "address {:?}",
        d0.address
    );
    ensure!(
        d0.info.as_ref().map(|i| &i.data) == Some(&InfoData::None),
        "info data {:?}",
        d0.info
    );

    h.set_link(&LinkRequest::set(d0.index).up().mtu(9000))
        .ctx("set d0 up mtu 9000")?;
    let l = get(&h, "d0")?;
    ensure!(
        l.is_up() && l.mtu == Some(9000),
        "after up mtu 9000: up {} mtu {:?}",
        l.is_up(),
        l.mtu
    );
    h.set_link(&LinkRequest::set_by_name("d0").down())
        .ctx("set d0 down")?;
    ensure!(!get(&h, "d0")?.is_up(), "still up after down");

    h.add_link(&LinkRequest::add("d1").other_kind("dummy", None))
        .ctx("add d1 type dummy")?;
    let all = names(&h)?;
    ensure!(
        all.iter().any(|n| n == "d0") && all.iter().any(|n| n == "d1"),
        "list {all:?}"
    );
    let mut dummies = Vec::new();
    let dump = LinkDump {
        master: None,
        kind: Some("dummy".into()),
        ..Default::default()
    };
    h.links_filtered(&dump, |v| {
        if v.kind == Some("dummy") {
            dummies.extend(v.name.map(|n| n.to_string()));
        }
        Ok(())
    })
    .ctx("dump type dummy")?;
    dummies.sort();
    ensure!(dummies == ["d0", "d1"], "dummies {dummies:?}");

    h.del_link(d0.index).ctx("del d0")?;
    h.del_link_by_name("d1").ctx("del d1")?;
    gone(&h, "d0")?;
    gone(&h, "d1")?;
    let e = errno_of(h.del_link_by_name("d0"), "del d0 again")?;
    ensure!(e == ENODEV, "del d0 again: errno {e}, want ENODEV");
    Ok(Outcome::Pass)
}

fn lib_vlan() -> TestResult {
    let h = handle()?;
    let d0 = dummy_up(&h, "d0")?;
    h.add_link(&LinkRequest::add("d0.5").vlan(d0, 5))
        .ctx("add d0.5 link d0 type vlan id 5")?;
    let v = get(&h, "d0.5")?;
    ensure!(v.kind() == Some("vlan"), "kind {:?}", v.kind());
    ensure!(
        vlan_data(&v)
            == Some(Vlan {
                id: Some(5),
                protocol: Some(ETH_P_8021Q)
            }),
        "vlan data {:?}",
        v.info
    );
    ensure!(v.link == Some(d0), "IFLA_LINK {:?}, want {d0}", v.link);
    ensure!(v.mtu == Some(1500), "mtu {:?} (the parent's)", v.mtu);
    ensure!(
        v.address == get(&h, "d0")?.address,
        "address {:?} is not the parent's",
        v.address
    );
    ensure!(!v.is_up(), "up right after creation");

    h.set_link(&LinkRequest::set(v.index).mtu(1400).up())
        .ctx("set d0.5 mtu 1400 up")?;
    let l = get(&h, "d0.5")?;
    ensure!(
        l.is_up() && l.mtu == Some(1400),
        "after mtu 1400 up: up {} mtu {:?}",
        l.is_up(),
        l.mtu
    );
    h.set_link(&LinkRequest::set(v.index).down())
        .ctx("set d0.5 down")?;
    ensure!(!get(&h, "d0.5")?.is_up(), "still up after down");

    // A second VLAN, 802.1ad, through the owned form.
    let mut req = LinkRequest::add("d0.7").vlan(d0, 7);
    if let Some(info) = req.link.info.as_mut() {
        info.data = InfoData::Vlan(Vlan {
            id: Some(7),
            protocol: Some(ETH_P_8021AD),
        });
    }
    h.add_link(&req)
        .ctx("add d0.7 type vlan id 7 protocol 802.1ad")?;
    let q = get(&h, "d0.7")?;
    ensure!(
        vlan_data(&q)
            == Some(Vlan {
                id: Some(7),
                protocol: Some(ETH_P_8021AD)
            }),
        "d0.7 vlan data {:?}",
        q.info
    );

    let mut vlans: Vec<(String, Option<u16>)> = h
        .link_list()
        .ctx("link list")?
        .into_iter()
        .filter(|l| l.kind() == Some("vlan"))
        .map(|l| {
            (
                l.name.clone().unwrap_or_default(),
                vlan_data(&l).and_then(|d| d.id),
            )
        })
        .collect();
    vlans.sort();
    ensure!(
        vlans == [("d0.5".into(), Some(5)), ("d0.7".into(), Some(7))],
        "vlans {vlans:?}"
    );

    h.del_link(v.index).ctx("del d0.5")?;
    gone(&h, "d0.5")?;
    h.del_link_by_name("d0.7").ctx("del d0.7")?;
    gone(&h, "d0.7")?;
    ensure!(
        get(&h, "d0")?.is_up(),
        "parent changed by deleting its vlans"
    );
    h.del_link(d0).ctx("del d0")?;
    Ok(Outcome::Pass)
}

fn lib_vlan_parent() -> TestResult {
    let h = handle()?;
    h.add_link(&LinkRequest::add("d0").other_kind("dummy", None))
        .ctx("add d0 type dummy")?;
    let d0 = h.index_of("d0").ctx("index of d0")?;
    h.add_link(&LinkRequest::add("d0.5").vlan(d0, 5))
        .ctx("add d0.5")?;
    let v = h.index_of("d0.5").ctx("index of d0.5")?;
    // Without loose binding a VLAN cannot go up while its parent is down.
    let e = errno_of(
        h.set_link(&LinkRequest::set(v).up()),
        "up with the parent down",
    )?;
    ensure!(
        e == ENETDOWN,
        "up with the parent down: errno {e}, want ENETDOWN"
    );
    h.set_link(&LinkRequest::set(d0).up()).ctx("set d0 up")?;
    h.set_link(&LinkRequest::set(v).up()).ctx("set d0.5 up")?;
    ensure!(get(&h, "d0.5")?.is_up(), "d0.5 not up");
    // The parent going down takes the VLAN down.
    h.set_link(&LinkRequest::set(d0).down())
        .ctx("set d0 down")?;
    ensure!(!get(&h, "d0.5")?.is_up(), "d0.5 still up after d0 down");
    // The parent's MTU bounds the VLAN's; lowering it lowers the VLAN's.
    h.set_link(&LinkRequest::set(d0).mtu(1300))
        .ctx("set d0 mtu 1300")?;
    let m = get(&h, "d0.5")?.mtu;
    ensure!(m == Some(1300), "d0.5 mtu {m:?} after d0 mtu 1300");
    // Deleting the parent deletes the VLAN.
    h.del_link(d0).ctx("del d0")?;
    gone(&h, "d0")?;
    gone(&h, "d0.5")?;
    Ok(Outcome::Pass)
}

fn lib_vlan_refused() -> TestResult {
    let h = handle()?;
    let d0 = dummy_up(&h, "d0")?;
    let cases: [(&str, LinkRequest, i32); 4] = [
        ("id 4095", LinkRequest::add("bad").vlan(d0, 4095), ERANGE),
        (
            "no such parent",
            LinkRequest::add("bad").vlan(99_999, 5),
            ENODEV,
        ),
        (
            "mtu above the parent's",
            LinkRequest::add("bad").vlan(d0, 6).mtu(1501),
            EINVAL,
        ),
        (
            "id 5 taken on d0",
            LinkRequest::add("bad").vlan(d0, 5),
            EEXIST,
        ),
    ];
    h.add_link(&LinkRequest::add("d0.5").vlan(d0, 5))
        .ctx("add d0.5")?;
    for (what, req, want) in cases {
        let e = errno_of(h.add_link(&req), what)?;
        ensure!(e == want, "{what}: errno {e}, want {want}");
        gone(&h, "bad")?;
    }
    let v = h.index_of("d0.5").ctx("index of d0.5")?;
    let e = errno_of(
        h.set_link(&LinkRequest::set(v).mtu(9000)),
        "set d0.5 mtu 9000",
    )?;
    ensure!(e == ERANGE, "set d0.5 mtu 9000: errno {e}, want ERANGE");
    let e = errno_of(
        h.add_link(&LinkRequest::add("d0.5").other_kind("dummy", None)),
        "add an existing name",
    )?;
    ensure!(e == EEXIST, "add an existing name: errno {e}, want EEXIST");
    Ok(Outcome::Pass)
}

// ---------------------------------------------------------------------------
// The CLI.

fn nlkit(args: &[&str]) -> Result<Output, String> {
    Command::new(NLKIT)
        .args(args)
        .output()
        .ctx(&format!("run nlkit {}", args.join(" ")))
}

/// Runs `nlkit ARGS`, which must succeed; returns its stdout.
fn ok(args: &[&str]) -> Result<String, String> {
    let o = nlkit(args)?;
    ensure!(
        o.status.success(),
        "nlkit {}: exit {}: {}",
        args.join(" "),
        o.status,
        String::from_utf8_lossy(&o.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Runs `nlkit ARGS`, which must fail; returns its stderr.
fn refused(args: &[&str]) -> Result<String, String> {
    let o = nlkit(args)?;
    ensure!(
        !o.status.success(),
        "nlkit {}: succeeded: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stdout).trim()
    );
    Ok(String::from_utf8_lossy(&o.stderr).into_owned())
}

/// `nlkit -j -d link show NAME`: the one object.
fn show_json(name: &str) -> Result<Value, String> {
    let out = ok(&["-j", "-d", "link", "show", name])?;
    let v: Value = serde_json::from_str(&out).ctx(&format!("JSON of link show {name}: {out:?}"))?;
    match v.as_array().map(Vec::as_slice) {
        Some([one]) => Ok(one.clone()),
        _ => Err(format!("link show {name}: not one object: {out}")),
    }
}

fn has_flag(v: &Value, flag: &str) -> bool {
    v["flags"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f == flag))
}

fn cli_dummy() -> TestResult {
    ok(&["link", "add", "d0", "type", "dummy"])?;
    let h = handle()?;
    let d0 = get(&h, "d0")?;
    ensure!(
        d0.kind() == Some("dummy"),
        "library sees kind {:?}",
        d0.kind()
    );
    let j = show_json("d0")?;
    ensure!(
        j["ifname"] == "d0"
            && j["ifindex"] == d0.index
            && j["linkinfo"]["info_kind"] == "dummy"
            && j["mtu"] == 1500
            && !has_flag(&j, "UP"),
        "show d0: {j}"
    );

    ok(&["link", "set", "d0", "mtu", "1400", "up"])?;
    let j = show_json("d0")?;
    ensure!(
        j["mtu"] == 1400 && has_flag(&j, "UP"),
        "after mtu 1400 up: {j}"
    );
    let l = get(&h, "d0")?;
    ensure!(
        l.is_up() && l.mtu == Some(1400),
        "library after mtu 1400 up: up {} mtu {:?}",
        l.is_up(),
        l.mtu
    );
    ok(&["link", "set", "dev", "d0", "down"])?;
    ensure!(!has_flag(&show_json("d0")?, "UP"), "still up after down");

    let text = ok(&["link", "show", "d0"])?;
    ensure!(
        text.starts_with(&format!("{}: d0: <BROADCAST,NOARP> mtu 1400 ", d0.index)),
        "text {text:?}"
    );
    let list = ok(&["-j", "link", "show", "type", "dummy"])?;
    let list: Value = serde_json::from_str(&list).ctx("JSON of link show type dummy")?;
    let n: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|l| l["ifname"].as_str()).collect())
        .unwrap_or_default();
    ensure!(n == ["d0"], "link show type dummy: {n:?}");

    ok(&["link", "del", "d0"])?;
    gone(&h, "d0")?;
    let err = refused(&["link", "show", "d0"])?;
    ensure!(
        err.contains("does not exist"),
        "show after del: stderr {err:?}"
    );
    Ok(Outcome::Pass)
}

fn cli_vlan() -> TestResult {
    ok(&["link", "add", "d0", "type", "dummy"])?;
    ok(&[
        "link", "add", "link", "d0", "name", "d0.5", "type", "vlan", "id", "5",
    ])?;
    let h = handle()?;
    let d0 = h.index_of("d0").ctx("index of d0")?;
    let v = get(&h, "d0.5")?;
    ensure!(
        vlan_data(&v)
            == Some(Vlan {
                id: Some(5),
                protocol: Some(ETH_P_8021Q)
            })
            && v.link == Some(d0),
        "library sees link {:?}, info {:?}",
        v.link,
        v.info
    );
    let j = show_json("d0.5")?;
    let li = &j["linkinfo"];
    ensure!(
        li["info_kind"] == "vlan"
            && li["info_data"]["id"] == 5
            && li["info_data"]["protocol"] == "802.1Q"
            && j["link"] == "d0"
            && j["ifindex"] == v.index,
        "show d0.5: {j}"
    );
    let text = ok(&["link", "show", "d0.5"])?;
    ensure!(
        text.starts_with(&format!("{}: d0.5@d0: ", v.index)),
        "text {text:?}"
    );
    let text = ok(&["-d", "link", "show", "d0.5"])?;
    ensure!(
        text.contains("vlan protocol 802.1Q id 5"),
        "details {text:?}"
    );

    // Change: up needs the parent up; mtu; down.
    ok(&["link", "set", "d0", "up"])?;
    ok(&["link", "set", "d0.5", "mtu", "1400", "up"])?;
    let j = show_json("d0.5")?;
    ensure!(
        j["mtu"] == 1400 && has_flag(&j, "UP"),
        "after mtu 1400 up: {j}"
    );
    ok(&["link", "set", "d0.5", "down"])?;
    ensure!(!has_flag(&show_json("d0.5")?, "UP"), "still up after down");

    // A second one, 802.1ad; listing by kind.
    ok(&[
        "link", "add", "link", "d0", "name", "d0.7", "type", "vlan", "id", "7", "protocol",
        "802.1ad",
    ])?;
    let j = show_json("d0.7")?;
    ensure!(
        j["linkinfo"]["info_data"]["protocol"] == "802.1ad"
            && j["linkinfo"]["info_data"]["id"] == 7,
        "show d0.7: {j}"
    );
    let q = get(&h, "d0.7")?;
    ensure!(
        vlan_data(&q).and_then(|d| d.protocol) == Some(ETH_P_8021AD),
        "library sees d0.7 {:?}",
        q.info
    );
    let list = ok(&["-j", "-d", "link", "show", "type", "vlan"])?;
    let list: Value = serde_json::from_str(&list).ctx("JSON of link show type vlan")?;
    let mut n: Vec<(String, i64)> = list
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    (
                        l["ifname"].as_str().unwrap_or("?").to_string(),
                        l["linkinfo"]["info_data"]["id"].as_i64().unwrap_or(-1),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    n.sort();
    ensure!(
        n == [("d0.5".to_string(), 5), ("d0.7".to_string(), 7)],
        "link show type vlan: {n:?}"
    );

    // A VLAN made by the library, shown by the CLI.
    h.add_link(&LinkRequest::add("d0.9").vlan(d0, 9))
        .ctx("add d0.9")?;
    let j = show_json("d0.9")?;
    ensure!(
        j["linkinfo"]["info_kind"] == "vlan"
            && j["linkinfo"]["info_data"]["id"] == 9
            && j["linkinfo"]["info_data"]["protocol"] == "802.1Q",
        "show d0.9: {j}"
    );

    ok(&["link", "del", "d0.5"])?;
    gone(&h, "d0.5")?;
    refused(&["link", "show", "d0.5"])?;
    // Deleting the parent deletes the rest.
    ok(&["link", "del", "dev", "d0", "type", "dummy"])?;
    for n in ["d0", "d0.7", "d0.9"] {
        gone(&h, n)?;
    }
    Ok(Outcome::Pass)
}

fn cli_vlan_refused() -> TestResult {
    ok(&["link", "add", "d0", "type", "dummy"])?;
    ok(&[
        "link", "add", "link", "d0", "name", "d0.5", "type", "vlan", "id", "5",
    ])?;
    for args in [
        &[
            "link", "add", "link", "d0", "name", "bad", "type", "vlan", "id", "4095",
        ][..],
        &[
            "link", "add", "link", "d0", "name", "bad", "type", "vlan", "id", "5",
        ],
        &[
            "link", "add", "link", "nope", "name", "bad", "type", "vlan", "id", "6",
        ],
        &["link", "add", "name", "bad", "type", "vlan", "id", "6"],
    ] {
        let err = refused(args)?;
        ensure!(
            err.starts_with("nlkit: "),
            "nlkit {}: stderr {err:?}",
            args.join(" ")
        );
    }
    let h = handle()?;
    gone(&h, "bad")?;
    let err = refused(&["link", "set", "d0.5", "mtu", "9000"])?;
    ensure!(err.contains("ERANGE"), "mtu 9000 on d0.5: stderr {err:?}");
    let err = refused(&["link", "set", "d0.5", "up"])?;
    ensure!(
        err.contains("ENETDOWN"),
        "up with the parent down: stderr {err:?}"
    );
    ensure!(get(&h, "d0.5")?.mtu == Some(1500), "mtu changed");
    Ok(Outcome::Pass)
}
