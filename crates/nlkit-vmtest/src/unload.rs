//! The `unload` phase: what listeners see when the module goes away.
//!
//! What the kernel does, and what is asserted:
//! - A raw unit socket pins the module (`netlink_create()` takes a
//!   reference on the module that registered the protocol): `rmmod` is
//!   refused (refcnt 1) and nothing changes; the module keeps answering.
//!   Once the socket is closed, `rmmod` succeeds and the unit is gone:
//!   `socket(AF_NETLINK, SOCK_RAW, unit)` is `EPROTONOSUPPORT`.
//! - A generic netlink listener does not pin it. Unregistering the family
//!   takes every socket out of its groups (`__netlink_clear_multicasts()`):
//!   the listener's socket stays open and healthy, it is simply no longer a
//!   member, so it receives nothing (no error, no message: the receive
//!   times out). nlctrl announces `CTRL_CMD_DELMCAST_GRP` for `events`,
//!   then `CTRL_CMD_DELFAMILY`. Requests to the old family id get `ENOENT`.
//! - After `insmod` the family has a new id; the old listener is still in no
//!   group until it joins again, and then receives as before.
//!
//! This program runs as root and calls `rmmod`/`insmod` itself
//! (`NLTEST_KO`, default `/nltest/nltest.ko`).

use crate::child::Child;
use crate::genl::{connection, events_listener, recv_notification};
use crate::{ensure, Context, Ctx, Outcome, Report, TestResult};
use nlkit::genl::nltest::{self, Client};
use nlkit::genl::{self, Family, GenlMsg};
use nlkit::socket::Socket;
use nlkit::wire::Msg;
use nlkit::{Connection, Protocol};
use std::io;
use std::process::Command;
use std::time::Duration;

const CTRL_CMD_NEWFAMILY: u8 = 1;
const CTRL_CMD_DELFAMILY: u8 = 2;
const CTRL_CMD_NEWMCAST_GRP: u8 = 7;
const CTRL_CMD_DELMCAST_GRP: u8 = 8;

fn loaded() -> bool {
    std::path::Path::new("/sys/module/nltest").exists()
}

fn refcnt() -> String {
    std::fs::read_to_string("/sys/module/nltest/refcnt")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|e| format!("({e})"))
}

fn sh(prog: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(prog)
        .args(args)
        .output()
        .ctx(&format!("run {prog}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{prog} {}: {}: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn insmod() -> Result<(), String> {
    let ko = std::env::var("NLTEST_KO").unwrap_or_else(|_| "/nltest/nltest.ko".into());
    let params = std::env::var("NLTEST_MODPARAMS").unwrap_or_default();
    let mut args = vec![ko.as_str()];
    args.extend(params.split_whitespace());
    sh("insmod", &args)
}

/// One nlctrl notification: command, family name and id, group name and id.
#[derive(Debug, PartialEq, Eq)]
struct CtrlEvent {
    cmd: u8,
    family: String,
    id: u16,
    groups: Vec<(String, u32)>,
}

/// The nlctrl notifications queued on `s` (waiting up to `wait` for the first).
fn ctrl_events(s: &Socket, wait: Duration) -> Result<Vec<CtrlEvent>, String> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    s.set_recv_timeout(Some(wait)).ctx("SO_RCVTIMEO")?;
    loop {
        let r = if out.is_empty() {
            s.recv(&mut buf)
        } else {
            s.recv_nonblocking(&mut buf)
        };
        match r {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(out),
            Err(e) => return Err(format!("nlctrl listener: {e}")),
        }
        let m = Msg::new_checked(&buf[..]).ctx("nlctrl message")?;
        let g = GenlMsg::parse(&m).ctx("nlctrl message")?;
        let f = Family::parse(&m).ctx("nlctrl message")?;
        out.push(CtrlEvent {
            cmd: g.header.cmd,
            family: f.name,
            id: f.id,
            groups: f.groups.into_iter().map(|g| (g.name, g.id)).collect(),
        });
    }
}

/// Nothing arrives on `s` within `wait`, and the receive fails with nothing
/// worse than the timeout.
fn silent(s: &Socket, wait: Duration, what: &str) -> Result<(), String> {
    s.set_recv_timeout(Some(wait)).ctx("SO_RCVTIMEO")?;
    let mut buf = Vec::new();
    match s.recv(&mut buf) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(format!("{what}: receive failed: {e}")),
        Ok(i) => Err(format!("{what}: received a {}-byte datagram", i.len)),
    }
}

pub fn run(ctx: &Ctx, r: &mut Report) {
    if !ctx.root {
        r.run("unload", || Ok(Outcome::Skip("needs root (rmmod)".into())));
        return;
    }
    if let Err(e) = scenario(ctx, r) {
        r.run("unload_setup", || Err(e));
    }
    if !loaded() {
        let _ = insmod();
    }
}

fn scenario(ctx: &Ctx, r: &mut Report) -> Result<(), String> {
    if !loaded() {
        insmod()?;
    }
    let conn = connection()?;
    let client = Client::new(&conn).ctx("resolve nltest")?;
    let id1 = client.family().id;
    let (ev, g1) = events_listener(&client)?;
    let nlctrl = genl::resolve(&conn, "nlctrl").ctx("resolve nlctrl")?;
    let ctl = Socket::open(Protocol::GENERIC).ctx("socket")?;
    genl::join_group(&ctl, &nlctrl, "notify").ctx("join nlctrl notify")?;
    r.info(format_args!("nltest id {id1}, events group {g1}"));

    let mut hold = Child::spawn(ctx, &["hold", "raw"])?;
    let l = hold.expect_line("READY", "ERROR")?;
    ensure!(l.starts_with("READY"), "raw holder: {l:?}");

    r.run("unload_rmmod_refused_with_raw_listener", || {
        ensure!(
            refcnt() == "1",
            "refcnt {} with one raw socket open, want 1",
            refcnt()
        );
        let e = sh("rmmod", &["nltest"])
            .err()
            .ok_or("rmmod succeeded with a raw socket open")?;
        ensure!(loaded(), "module gone after a refused rmmod ({e})");
        ensure!(
            refcnt() == "1",
            "refcnt {} after the refused rmmod",
            refcnt()
        );
        Ok(Outcome::Pass)
    });

    r.run("unload_refused_rmmod_changes_nothing", || {
        hold.say("echo")?;
        let l = hold.expect_line("ECHO", "ERROR")?;
        ensure!(l == "ECHO OK", "raw holder: {l:?}");
        ensure!(
            ev.memberships().ctx("memberships")? == [g1],
            "events membership lost"
        );
        client.notify(Some(b"still loaded")).ctx("notify")?;
        ev.set_recv_timeout(Some(crate::RECV_TIMEOUT))
            .ctx("SO_RCVTIMEO")?;
        let p = recv_notification(&ev, id1, g1)?;
        ensure!(p == b"still loaded", "payload {p:?}");
        let evs = ctrl_events(&ctl, Duration::from_millis(200))?;
        ensure!(evs.is_empty(), "nlctrl announced {evs:?}");
        Ok(Outcome::Pass)
    });

    hold.close_stdin();
    hold.wait_ok()?;

    r.run("unload_rmmod_after_raw_listener_closed", || {
        let mut tries = 0;
        loop {
            tries += 1;
            match sh("rmmod", &["nltest"]) {
                Ok(()) => break,
                Err(e) if tries >= 20 => {
                    return Err(format!("{e} (refcnt {}, {tries} tries)", refcnt()))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        ensure!(!loaded(), "/sys/module/nltest still there");
        Ok(Outcome::Pass)
    });
    if loaded() {
        return Err("module still loaded; the rest needs it gone".into());
    }

    r.run("unload_genl_listener_left_in_no_group", || {
        ensure!(
            ev.memberships().ctx("memberships")?.is_empty(),
            "still in groups {:?}",
            ev.memberships()
        );
        silent(&ev, Duration::from_millis(500), "events listener")?;
        ensure!(
            ev.port_id().ctx("getsockname")? != 0,
            "socket lost its port id"
        );
        Ok(Outcome::Pass)
    });

    r.run("unload_nlctrl_announces_removal", || {
        let evs = ctrl_events(&ctl, Duration::from_secs(2))?;
        let want = vec![
            CtrlEvent {
                cmd: CTRL_CMD_DELMCAST_GRP,
                family: nltest::FAMILY.into(),
                id: id1,
                groups: vec![(nltest::GROUP_EVENTS.into(), g1)],
            },
            CtrlEvent {
                cmd: CTRL_CMD_DELFAMILY,
                family: nltest::FAMILY.into(),
                id: id1,
                groups: vec![(nltest::GROUP_EVENTS.into(), g1)],
            },
        ];
        ensure!(evs == want, "nlctrl said {evs:?}, want {want:?}");
        Ok(Outcome::Pass)
    });

    r.run("unload_family_and_unit_gone", || {
        let e = client
            .echo(b"anyone?")
            .err()
            .ok_or("echo to the old family id answered")?;
        ensure!(
            e.errno() == Some(libc::ENOENT),
            "old family id: {e}, want ENOENT"
        );
        let e = genl::resolve(&conn, nltest::FAMILY)
            .err()
            .ok_or("nltest still resolves")?;
        ensure!(e.to_string().contains("no such family"), "resolve: {e}");
        match Socket::new(Protocol(ctx.unit)) {
            Err(e) if nlkit::socket::errno(&e) == Some(libc::EPROTONOSUPPORT) => {}
            Err(e) => return Err(format!("raw unit socket: {e}, want EPROTONOSUPPORT")),
            Ok(_) => return Err("raw unit socket opened without the module".into()),
        }
        Ok(Outcome::Pass)
    });

    insmod()?;
    r.run("unload_reload_new_id_listener_rejoins", || {
        reload(&conn, id1, &ev, &ctl)
    });
    Ok(())
}

fn reload(conn: &Connection, id1: u16, ev: &Socket, ctl: &Socket) -> TestResult {
    let client = Client::new(conn).ctx("resolve nltest after insmod")?;
    let id2 = client.family().id;
    let g2 = client
        .family()
        .group(nltest::GROUP_EVENTS)
        .ok_or("no events group")?;
    ensure!(id2 != id1, "same family id {id1} after reload");
    let evs = ctrl_events(ctl, Duration::from_secs(2))?;
    let cmds: Vec<(u8, &str, u16)> = evs
        .iter()
        .map(|e| (e.cmd, e.family.as_str(), e.id))
        .collect();
    ensure!(
        cmds == [
            (CTRL_CMD_NEWFAMILY, nltest::FAMILY, id2),
            (CTRL_CMD_NEWMCAST_GRP, nltest::FAMILY, id2)
        ],
        "nlctrl said {evs:?}"
    );
    client.notify(Some(b"new family")).ctx("notify")?;
    silent(
        ev,
        Duration::from_millis(500),
        "old listener before joining again",
    )?;
    client.join_events(ev).ctx("join events again")?;
    client.notify(Some(b"joined again")).ctx("notify")?;
    ev.set_recv_timeout(Some(crate::RECV_TIMEOUT))
        .ctx("SO_RCVTIMEO")?;
    let p = recv_notification(ev, id2, g2)?;
    ensure!(p == b"joined again", "payload {p:?}");
    Ok(Outcome::Pass)
}
