//! The generic netlink family `nltest`: resolution by name, echo, notify to
//! two listeners, a 10,000-entry dump, `NLM_F_DUMP_INTR` and
//! `dump_consistent`, the extended ACK of REQUIRE, ADMIN's permission, and
//! one connection shared by 8 threads.

use crate::child::{c_text, Child};
use crate::{ensure, Context, Ctx, Outcome, Report, TestResult, RECV_TIMEOUT};
use nlkit::genl::nltest::{self, Client};
use nlkit::genl::{op_flags, GenlMsg, Request};
use nlkit::socket::Socket;
use nlkit::wire::{Msg, MsgFlags, MsgWriter};
use nlkit::{Connection, Error, Protocol};
use std::cell::Cell;
use std::io;

/// Where the family id of the previous phase is kept (tmpfs, survives phases).
const ID_DIR: &str = "/tmp/nlkit-vmtest";

pub fn run(ctx: &Ctx, r: &mut Report) {
    let conn = match connection() {
        Ok(c) => c,
        Err(e) => {
            r.run("genl_connect", || Err(e));
            return;
        }
    };
    let client = match Client::new(&conn) {
        Ok(c) => c,
        Err(e) => {
            r.run("genl_resolve", || Err(format!("resolve nltest: {e}")));
            return;
        }
    };
    r.info(format_args!(
        "family nltest id {} events group {:?}",
        client.family().id,
        client.family().group(nltest::GROUP_EVENTS)
    ));
    r.run("genl_resolve", || resolve(&client));
    r.run("genl_family_id_changes_on_reload", || {
        id_changes(ctx, &client)
    });
    r.run("genl_echo", || echo(&client));
    r.run("genl_policy_as_declared", || {
        policy_as_declared(&conn, &client)
    });
    r.run("genl_notify_two_sockets", || {
        notify_two_sockets(&conn, &client)
    });
    r.run("genl_notify_two_processes", || {
        notify_two_processes(ctx, &client)
    });
    r.run("genl_dump_10000", || dump_10000(&client));
    r.run("genl_dump_intr_mid_dump", || dump_intr(&conn, &client));
    r.run("genl_dump_consistent_retries", || {
        dump_consistent(&conn, &client)
    });
    r.run("genl_require_missing_name_ext_ack", || {
        require_missing(&client)
    });
    r.run("genl_require_with_name", || {
        let back = client.require(Some("vmtest")).ctx("require vmtest")?;
        ensure!(back == "vmtest", "echoed {back:?}");
        Ok(Outcome::Pass)
    });
    r.run(
        if ctx.root {
            "genl_admin_root_allowed"
        } else {
            "genl_admin_unprivileged_eperm"
        },
        || admin(ctx, &client),
    );
    r.run("genl_8_threads_1000_requests", || threads(&conn, &client));
}

pub fn connection() -> Result<Connection, String> {
    let c = Connection::new(Protocol::GENERIC).ctx("open generic netlink connection")?;
    c.socket()
        .set_recv_timeout(Some(RECV_TIMEOUT))
        .ctx("SO_RCVTIMEO")?;
    Ok(c)
}

fn resolve(client: &Client) -> TestResult {
    let f = client.family();
    ensure!(f.name == nltest::FAMILY, "name {:?}", f.name);
    ensure!(f.id >= 0x10, "id {}", f.id);
    ensure!(f.version == nltest::VERSION as u32, "version {}", f.version);
    ensure!(f.maxattr == 5, "maxattr {}", f.maxattr);
    let cmds: Vec<u32> = f.ops.iter().map(|o| o.id).collect();
    ensure!(cmds == [1, 2, 3, 4, 5, 6], "ops {cmds:?}");
    let admin = f.op(nltest::NLTEST_CMD_ADMIN).ok_or("no ADMIN op")?;
    ensure!(
        admin.flags & op_flags::GENL_ADMIN_PERM != 0,
        "ADMIN flags {:#x}",
        admin.flags
    );
    let dump = f.op(nltest::NLTEST_CMD_DUMP).ok_or("no DUMP op")?;
    ensure!(
        dump.flags & op_flags::GENL_CMD_CAP_DUMP != 0,
        "DUMP flags {:#x}",
        dump.flags
    );
    ensure!(
        f.group(nltest::GROUP_EVENTS).is_some(),
        "no events group in {:?}",
        f.groups
    );
    Ok(Outcome::Pass)
}

/// The harness reloads the module between phases, so each phase must see
/// a family id other than the previous phase's (ids are dynamic).
fn id_changes(ctx: &Ctx, client: &Client) -> TestResult {
    let id = client.family().id;
    let last = format!("{ID_DIR}/last_family_id");
    let prev = std::fs::read_to_string(&last).ok();
    // Written by whoever runs; the directory is world-writable, not sticky,
    // so an unprivileged phase may replace root's file.
    let tmp = format!("{ID_DIR}/id.{}.{}", ctx.phase, std::process::id());
    std::fs::write(&tmp, format!("{} {id}\n", ctx.phase)).ctx("write the family id")?;
    std::fs::rename(&tmp, &last).ctx("record the family id")?;
    let Some(prev) = prev else {
        return Ok(Outcome::Skip(format!("first phase here: id {id} recorded")));
    };
    let mut it = prev.split_whitespace();
    let (pphase, pid) = (it.next().unwrap_or("?"), it.next().unwrap_or("?"));
    ensure!(
        pid != id.to_string(),
        "id {id} again after reload (phase {pphase} had {pid})"
    );
    Ok(Outcome::Pass)
}

/// Creates the shared directory for [`id_changes`]; run as root before
/// privileges are dropped, harmless afterwards.
pub fn prepare_id_dir() {
    use std::os::unix::fs::PermissionsExt;
    if std::fs::create_dir_all(ID_DIR).is_ok() {
        let _ = std::fs::set_permissions(ID_DIR, std::fs::Permissions::from_mode(0o777));
    }
}

/// `CTRL_CMD_GETPOLICY` for `nltest` reports exactly the module's per-op
/// policies (`nltest.c`): ECHO and NOTIFY take a binary PAYLOAD, DUMP a u32
/// COUNT, REQUIRE a NUL-terminated NAME of at most 255 bytes; BUMP and ADMIN
/// accept no attribute. Asked for one op, the same.
fn policy_as_declared(conn: &Connection, client: &Client) -> TestResult {
    use nlkit::genl::policy::{self, AttrType, FamilyPolicy, FamilyRef};
    let full = policy::policy(conn, FamilyRef::Name(nltest::FAMILY), None).ctx("policy dump")?;
    ensure!(
        full.family_id == client.family().id,
        "family id {} in the dump, {} resolved",
        full.family_id,
        client.family().id
    );
    // (attr, type, max_len, unsigned range) of the policy with this index; none: no attributes.
    let attrs = |p: &FamilyPolicy, idx: Option<u32>| -> Vec<_> {
        idx.map(|i| {
            p.policy(i)
                .map(|a| (a.attr, a.kind, a.max_len, a.range_u))
                .collect()
        })
        .unwrap_or_default()
    };
    let payload = vec![(nltest::NLTEST_A_PAYLOAD, Some(AttrType::Binary), None, None)];
    let count = vec![(
        nltest::NLTEST_A_COUNT,
        Some(AttrType::U32),
        None,
        Some((0, u64::from(u32::MAX))),
    )];
    let name = vec![(
        nltest::NLTEST_A_NAME,
        Some(AttrType::NulString),
        Some(255),
        None,
    )];
    let want = [
        (nltest::NLTEST_CMD_ECHO, &payload, false),
        (nltest::NLTEST_CMD_NOTIFY, &payload, false),
        (nltest::NLTEST_CMD_DUMP, &count, true),
        (nltest::NLTEST_CMD_REQUIRE, &name, false),
    ];
    for (cmd, attrs_want, is_dump) in want {
        let op = u32::from(cmd);
        for p in [
            &full,
            &policy::policy(conn, FamilyRef::Name(nltest::FAMILY), Some(op)).ctx("one op")?,
        ] {
            let o = p
                .op(op)
                .ok_or_else(|| format!("op {op} missing: {:?}", p.ops))?;
            let got = attrs(p, if is_dump { o.dump_policy } else { o.do_policy });
            ensure!(&got == attrs_want, "op {op}: {got:?}, want {attrs_want:?}");
        }
    }
    for cmd in [nltest::NLTEST_CMD_BUMP, nltest::NLTEST_CMD_ADMIN] {
        if let Some(o) = full.op(u32::from(cmd)) {
            let got = attrs(&full, o.do_policy);
            ensure!(got.is_empty(), "op {cmd} accepts {got:?}");
        }
    }
    Ok(Outcome::Pass)
}

fn echo(client: &Client) -> TestResult {
    let big: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
    for p in [&b"Hello you!\0"[..], b"", b"x", &big[..1000], &big[..]] {
        let back = client.echo(p).ctx(&format!("echo {} bytes", p.len()))?;
        ensure!(
            back == p,
            "echo of {} bytes came back as {} bytes",
            p.len(),
            back.len()
        );
    }
    Ok(Outcome::Pass)
}

/// A `NETLINK_GENERIC` socket in `events`, receives bounded by [`RECV_TIMEOUT`].
pub fn events_listener(client: &Client) -> Result<(Socket, u32), String> {
    let s = Socket::open(Protocol::GENERIC).ctx("socket")?;
    s.set_recv_timeout(Some(RECV_TIMEOUT)).ctx("SO_RCVTIMEO")?;
    let g = client.join_events(&s).ctx("join events")?;
    Ok((s, g))
}

/// Receives one notification of `family` on `s` and returns its payload.
pub fn recv_notification(s: &Socket, family: u16, group: u32) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let info = s.recv(&mut buf).ctx("receive a notification")?;
    let m = Msg::new_checked(&buf[..]).ctx("notification")?;
    let g = GenlMsg::parse(&m).ctx("notification")?;
    ensure!(info.port_id == 0, "from port {}", info.port_id);
    ensure!(
        group > 32 || info.groups == 1 << (group - 1),
        "groups {:#x} for group {group}",
        info.groups
    );
    ensure!(
        m.msg_type() == family,
        "type {:#x}, want family {family:#x}",
        m.msg_type()
    );
    ensure!(m.seq() == 0, "seq {}", m.seq());
    ensure!(
        g.header.cmd == nltest::NLTEST_CMD_NOTIFY,
        "cmd {}",
        g.header.cmd
    );
    let p = g
        .attr(nltest::NLTEST_A_PAYLOAD)
        .ctx("payload")?
        .ok_or("no NLTEST_A_PAYLOAD")?;
    Ok(p.payload().to_vec())
}

fn nothing_more(s: &Socket, what: &str) -> Result<(), String> {
    let mut buf = Vec::new();
    match s.recv_nonblocking(&mut buf) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(format!("{what}: {e}")),
        Ok(i) => Err(format!("{what}: an extra {}-byte datagram", i.len)),
    }
}

fn notify_two_sockets(conn: &Connection, client: &Client) -> TestResult {
    let (a, ga) = events_listener(client)?;
    let (b, _) = events_listener(client)?;
    let family = client.family().id;
    let greeting = format!("{}\0", nltest::GREETING);
    client.notify(None).ctx("notify")?;
    client
        .notify(Some(b"second, custom"))
        .ctx("notify custom")?;
    for (name, s) in [("listener a", &a), ("listener b", &b)] {
        let p = recv_notification(s, family, ga).map_err(|e| format!("{name}: {e}"))?;
        ensure!(
            p == greeting.as_bytes(),
            "{name}: first payload {:?}",
            c_text(&p)
        );
        let p = recv_notification(s, family, ga).map_err(|e| format!("{name}: {e}"))?;
        ensure!(
            p == b"second, custom",
            "{name}: second payload {:?}",
            c_text(&p)
        );
        nothing_more(s, name)?;
    }
    let st = conn.stats();
    ensure!(
        st.notifications == 0,
        "the requesting connection saw {} notifications",
        st.notifications
    );
    Ok(Outcome::Pass)
}

fn notify_two_processes(ctx: &Ctx, client: &Client) -> TestResult {
    let mut kids = vec![
        Child::spawn(ctx, &["listen", "genl"])?,
        Child::spawn(ctx, &["listen", "genl"])?,
    ];
    for k in kids.iter_mut() {
        let l = k.expect_line("READY", "ERROR")?;
        ensure!(l.starts_with("READY"), "listener: {l:?}");
    }
    client.notify(None).ctx("notify")?;
    for k in kids.iter_mut() {
        let l = k.expect_line("GOT", "ERROR")?;
        ensure!(l == crate::child::GOT_GREETING, "listener: {l:?}");
    }
    for k in kids {
        k.wait_ok()?;
    }
    Ok(Outcome::Pass)
}

fn dump_10000(client: &Client) -> TestResult {
    let mut got = Vec::with_capacity(10_000);
    let interrupted = client
        .dump(Some(10_000), |i, g| got.push((i, g)))
        .ctx("dump 10000")?;
    ensure!(!interrupted, "interrupted without any change");
    ensure!(got.len() == 10_000, "{} entries", got.len());
    for (n, &(i, _)) in got.iter().enumerate() {
        ensure!(i == n as u32, "entry {n} has index {i}");
    }
    let g0 = got[0].1;
    ensure!(g0 != 0, "generation 0");
    ensure!(
        got.iter().all(|&(_, g)| g == g0),
        "generation changed in a quiet dump"
    );
    Ok(Outcome::Pass)
}

/// One dump entry: index, generation, and whether it carried `NLM_F_DUMP_INTR`.
fn entry(m: &Msg<&[u8]>) -> Result<(u32, u32, bool), String> {
    let g = GenlMsg::parse(m).ctx("dump entry")?;
    let idx = g
        .attr(nltest::NLTEST_A_INDEX)
        .ctx("index")?
        .ok_or("no index")?;
    let gen = g
        .attr(nltest::NLTEST_A_GENERATION)
        .ctx("generation")?
        .ok_or("no generation")?;
    Ok((
        idx.u32().ctx("index")?,
        gen.u32().ctx("generation")?,
        m.flags().contains(MsgFlags::DUMP_INTR),
    ))
}

const COUNT: u32 = 10_000;
/// The entry after which the generation is bumped.
const BUMP_AT: u32 = 100;

fn count_attr(w: &mut MsgWriter<'_>) -> nlkit::wire::Result<()> {
    w.attr_u32(nltest::NLTEST_A_COUNT, COUNT).map(|_| ())
}

fn dump_request<'a>(client: &Client) -> Request<'a> {
    Request {
        flags: MsgFlags::DUMP,
        attrs: &count_attr,
        names: Some(&nltest::ATTRS),
        ..Request::new(
            client.family().id,
            nltest::NLTEST_CMD_DUMP,
            nltest::VERSION,
            "nltest dump 10000",
        )
    }
}

/// Reads part of a dump, bumps the generation from another connection, reads
/// the rest: the dump says it was interrupted, and exactly one entry carries
/// `NLM_F_DUMP_INTR`, the first one of the new generation.
fn dump_intr(_conn: &Connection, client: &Client) -> TestResult {
    let conn = connection()?;
    let c2 = Client::new(&conn).ctx("second client")?;
    let own = connection()?;
    let req = dump_request(client);
    let mut d = own.dump(&req).ctx("start the dump")?;
    let mut entries = Vec::new();
    while let Some(m) = d.next() {
        let m = m.ctx("dump")?;
        entries.push(entry(&m)?);
        if entries.len() as u32 == BUMP_AT {
            ensure!(!d.interrupted(), "interrupted before the bump");
            c2.bump().ctx("bump")?;
        }
    }
    ensure!(d.interrupted(), "not reported interrupted");
    drop(d);
    ensure!(entries.len() as u32 == COUNT, "{} entries", entries.len());
    for (n, e) in entries.iter().enumerate() {
        ensure!(e.0 == n as u32, "entry {n} has index {}", e.0);
    }
    let flagged: Vec<usize> = (0..entries.len()).filter(|&n| entries[n].2).collect();
    ensure!(
        flagged.len() == 1,
        "{} entries carry DUMP_INTR: {flagged:?}",
        flagged.len()
    );
    let at = flagged[0];
    let g0 = entries[0].1;
    ensure!(
        entries[..at].iter().all(|e| e.1 == g0),
        "generation changed before the flagged entry"
    );
    ensure!(
        entries[at..].iter().all(|e| e.1 == g0 + 1),
        "entries from {at} are not all generation {}",
        g0 + 1
    );
    ensure!(
        at as u32 >= BUMP_AT,
        "flagged entry {at} before the bump at {BUMP_AT}"
    );
    // And the typed client says so too.
    let mut n = 0;
    let intr = client
        .dump(Some(COUNT), |_, _| {
            n += 1;
            if n == BUMP_AT {
                let _ = c2.bump();
            }
        })
        .ctx("client dump")?;
    ensure!(intr, "Client::dump did not report the interruption");
    Ok(Outcome::Pass)
}

/// `dump_consistent` starts over after an interrupted attempt: the result is
/// one whole, consistent dump; with a single attempt allowed it is an error.
fn dump_consistent(_conn: &Connection, client: &Client) -> TestResult {
    let conn = connection()?;
    let c2 = Client::new(&conn).ctx("second client")?;
    let own = connection()?;
    let req = dump_request(client);
    let attempts = Cell::new(0u32);
    let bump_failed = Cell::new(None);
    let each = |v: &mut Vec<(u32, u32)>, m: Msg<&[u8]>| {
        let (i, g, _) = entry(&m).map_err(Error::Invalid)?;
        v.push((i, g));
        // Disturb only the first attempt.
        if attempts.get() == 1 && v.len() as u32 == BUMP_AT {
            if let Err(e) = c2.bump() {
                bump_failed.set(Some(e.to_string()));
            }
        }
        Ok(())
    };
    let init = || {
        attempts.set(attempts.get() + 1);
        Vec::new()
    };
    let v = own
        .dump_consistent(&req, 3, init, each)
        .ctx("dump_consistent")?;
    if let Some(e) = bump_failed.take() {
        return Err(format!("bump: {e}"));
    }
    ensure!(attempts.get() == 2, "{} attempts, want 2", attempts.get());
    ensure!(v.len() as u32 == COUNT, "{} entries", v.len());
    ensure!(
        v.iter().enumerate().all(|(n, e)| e.0 == n as u32),
        "indexes out of order"
    );
    ensure!(
        v.iter().all(|e| e.1 == v[0].1),
        "mixed generations in the result"
    );

    // One attempt only, disturbed: DumpInterrupted.
    attempts.set(0);
    let err = own
        .dump_consistent(
            &req,
            1,
            || {
                attempts.set(attempts.get() + 1);
                Vec::new()
            },
            |v: &mut Vec<(u32, u32)>, m| {
                v.push((entry(&m).map_err(Error::Invalid)?.0, 0));
                if v.len() as u32 == BUMP_AT {
                    let _ = c2.bump();
                }
                Ok(())
            },
        )
        .err()
        .ok_or("a disturbed single attempt succeeded")?;
    ensure!(
        matches!(err, Error::DumpInterrupted { attempts: 1, .. }),
        "error {err:?}"
    );
    ensure!(
        err.to_string() == "nltest dump 10000: dump interrupted by concurrent changes (NLM_F_DUMP_INTR) 1 times",
        "text {err}"
    );
    Ok(Outcome::Pass)
}

/// REQUIRE without NLTEST_A_NAME: EINVAL, the module's extended-ACK message,
/// the missing attribute by number and, through the attribute table, by name.
fn require_missing(client: &Client) -> TestResult {
    let e = client
        .require(None)
        .err()
        .ok_or("REQUIRE without a name succeeded")?;
    ensure!(
        e.errno() == Some(libc::EINVAL),
        "errno {:?} in {e}",
        e.errno()
    );
    let k = e
        .kernel()
        .ok_or_else(|| format!("not a kernel error: {e:?}"))?;
    ensure!(
        k.errno_name() == Some("EINVAL"),
        "errno name {:?}",
        k.errno_name()
    );
    ensure!(
        k.message.as_deref() == Some("missing NLTEST_A_NAME"),
        "message {:?}",
        k.message
    );
    ensure!(
        k.missing == Some(nltest::NLTEST_A_NAME as u32),
        "missing {:?}",
        k.missing
    );
    ensure!(
        k.missing_name.as_deref() == Some("NLTEST_A_NAME"),
        "missing name {:?}",
        k.missing_name
    );
    ensure!(
        k.what.as_deref() == Some("nltest require"),
        "what {:?}",
        k.what
    );
    let want = "nltest require: Invalid argument (EINVAL): missing NLTEST_A_NAME [missing attribute NLTEST_A_NAME]";
    ensure!(
        e.to_string() == want,
        "Display {:?}, want {want:?}",
        e.to_string()
    );
    Ok(Outcome::Pass)
}

fn admin(ctx: &Ctx, client: &Client) -> TestResult {
    match (ctx.root, client.admin()) {
        (true, Ok(())) => Ok(Outcome::Pass),
        (true, Err(e)) => Err(format!("as root: {e}")),
        (false, Ok(())) => Err("allowed without CAP_NET_ADMIN".into()),
        (false, Err(e)) => {
            ensure!(e.errno() == Some(libc::EPERM), "{e}, want EPERM");
            ensure!(
                e.to_string()
                    .starts_with("nltest admin: Operation not permitted (EPERM)"),
                "text {e}"
            );
            Ok(Outcome::Pass)
        }
    }
}

/// 1,000 echo requests from 8 threads over one shared connection, each with
/// its own payload, each answered with exactly that payload.
fn threads(conn: &Connection, client: &Client) -> TestResult {
    let before = conn.stats();
    let results: Vec<Result<(), String>> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..8usize)
            .map(|t| {
                sc.spawn(move || -> Result<(), String> {
                    for i in 0..125usize {
                        let mut p = format!("thread {t} request {i} ").into_bytes();
                        p.extend((0..(t * 97 + i * 13) % 1500).map(|k| (k ^ t ^ i) as u8));
                        let back = client.echo(&p).ctx(&format!("thread {t} request {i}"))?;
                        ensure!(back == p, "thread {t} request {i}: got another payload");
                    }
                    Ok(())
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    for r in results {
        r?;
    }
    let after = conn.stats();
    ensure!(
        after.stale == before.stale && after.spoofed == before.spoofed,
        "engine counters {before:?} -> {after:?}"
    );
    Ok(Outcome::Pass)
}
