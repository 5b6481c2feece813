//! Conntrack over ctnetlink on the VM's kernels (Debian 6.1 and 6.12, where
//! conntrack is modules: init.sh has loaded the kernel's own
//! `nf_conntrack_netlink` and its dependencies). Through the library
//! (`nlkit::netfilter::conntrack`), in a network namespace of its own:
//! entries made with create (one and batched), dumped and checked field by
//! field, read back with get, one deleted, the rest flushed. Root phase
//! only: ctnetlink changes need `CAP_NET_ADMIN`.

use crate::{ensure, Context, Ctx, Outcome, Report, TestResult};
use nlkit::netfilter::conntrack::{self as ct, Conntrack, Filter, Spec, Table, Tuple};
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::{Msg, MsgFlags};
use nlkit::{Connection, Protocol};
use std::path::Path;

const N: u16 = 100;

pub fn run(ctx: &Ctx, r: &mut Report) {
    if ctx.phase != "root" || !ctx.root {
        return;
    }
    r.run("conntrack_module_loaded", || {
        ensure!(
            Path::new("/sys/module/nf_conntrack_netlink").is_dir(),
            "nf_conntrack_netlink is not loaded (init.sh loads /lib/modules-extra)"
        );
        Ok(Outcome::Pass)
    });
    r.run("lib_conntrack_create_dump_get_delete_flush", || {
        in_new_netns(create_dump_get_delete_flush).ctx("new netns")?
    });
}

fn tuple(src: &str, dst: &str, proto: u8, sport: u16, dport: u16) -> Tuple {
    Tuple {
        src: src.parse().ok(),
        dst: dst.parse().ok(),
        proto: Some(proto),
        sport: Some(sport),
        dport: Some(dport),
        ..Default::default()
    }
}

fn entry(o: Tuple, mark: u32, timeout: u32) -> Spec {
    Spec {
        orig: Some(o),
        reply: Some(Tuple {
            src: o.dst,
            dst: o.src,
            sport: o.dport,
            dport: o.sport,
            ..o
        }),
        timeout: Some(timeout),
        mark: Some(mark),
        ..Default::default()
    }
}

/// An entry as the test checks it: protocol, source port, mark, whether
/// the timeout is in (0, 600], TCP state.
type Row = (u8, u16, Option<u32>, bool, Option<u8>);

/// Every entry, sorted.
fn table(conn: &Connection) -> Result<Vec<Row>, String> {
    let mut v = Vec::new();
    ct::dump(conn, Table::Main, &Filter::default(), |c| {
        let o = c.orig.unwrap_or_default();
        let fresh = c.timeout.is_some_and(|t| t > 0 && t <= 600);
        v.push((
            o.proto.unwrap_or(0),
            o.sport.unwrap_or(0),
            c.mark,
            fresh,
            c.tcp.and_then(|t| t.state),
        ));
        Ok(())
    })
    .ctx("dump")?;
    v.sort();
    Ok(v)
}

fn create_dump_get_delete_flush() -> TestResult {
    let conn = Connection::new(Protocol::NETFILTER).ctx("open ctnetlink")?;
    ct::flush(&conn, 0).ctx("flush at the start")?;
    // One TCP entry in ESTABLISHED, made alone.
    let mut tcp = entry(tuple("10.9.0.1", "10.9.0.2", 6, 40000, 80), 7, 600);
    tcp.state = Some(3);
    ct::create(&conn, &tcp).ctx("create the TCP entry")?;
    // N UDP entries, batched into few system calls.
    let specs = (0..N).map(|i| {
        let t = tuple("10.9.0.1", "10.9.0.3", 17, 1000 + i, 53);
        (
            ct::IPCTNL_MSG_CT_NEW,
            MsgFlags::CREATE | MsgFlags::EXCL,
            entry(t, u32::from(i), 300),
        )
    });
    let mut failed = Vec::new();
    ct::batch(&conn, specs, |i, r| {
        if let Err(e) = r {
            failed.push(format!("{i}: {e}"));
        }
    })
    .ctx("batched create")?;
    ensure!(failed.is_empty(), "batched creates failed: {failed:?}");
    let t = table(&conn)?;
    ensure!(
        t.len() == usize::from(N) + 1,
        "{} entries, want {}",
        t.len(),
        N + 1
    );
    ensure!(
        t[0] == (6, 40000, Some(7), true, Some(3)),
        "the TCP entry reads {:?}",
        t[0]
    );
    for (i, e) in t[1..].iter().enumerate() {
        let i = i as u16;
        ensure!(
            *e == (17, 1000 + i, Some(u32::from(i)), true, None),
            "UDP entry {i} reads {e:?}"
        );
    }
    // get: the entry with every field the request set.
    let key = Spec {
        orig: tcp.orig,
        ..Default::default()
    };
    let bytes = ct::get(&conn, &key).ctx("get the TCP entry")?;
    let m = Msg::new_checked(&bytes[..]).ctx("the reply")?;
    let c = Conntrack::parse(&m).ctx("the entry")?;
    ensure!(c.orig == tcp.orig, "orig {:?}", c.orig);
    ensure!(c.reply == tcp.reply, "reply {:?}", c.reply);
    ensure!(
        c.state_name() == Some("ESTABLISHED"),
        "state {:?}",
        c.state_name()
    );
    ensure!(c.has_status(ct::IPS_CONFIRMED), "status {:?}", c.status);
    ensure!(c.family() == libc::AF_INET as u8, "family {}", c.family());
    ensure!(c.malformed_attrs().count() == 0, "malformed attributes");
    // delete one, then flush the rest.
    ct::delete(&conn, &key).ctx("delete the TCP entry")?;
    let e = ct::get(&conn, &key);
    ensure!(
        e.as_ref().err().and_then(|e| e.errno()) == Some(libc::ENOENT),
        "get after delete: {:?}",
        e.map(|b| b.len())
    );
    ensure!(
        table(&conn)?.len() == usize::from(N),
        "delete took more than one"
    );
    ct::flush(&conn, 0).ctx("flush")?;
    let left = table(&conn)?;
    ensure!(left.is_empty(), "{} entries after flush", left.len());
    Ok(Outcome::Pass)
}
