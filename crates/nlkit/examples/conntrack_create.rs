//! Creates N UDP conntrack entries (10.88.x.y -> 10.89.0.1:53) with the
//! library's batched requests (`conntrack::batch`: many requests per
//! `sendmsg`, answers only for errors), in the current network namespace.
//! Used by `scripts/bench-netfilter.sh create`.

use nlkit::netfilter::conntrack::{self as ct, Spec, Tuple};
use nlkit::wire::MsgFlags;
use nlkit::{Connection, Protocol};
use std::net::{IpAddr, Ipv4Addr};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(100_000), |s| s.parse())?;
    let conn = Connection::new(Protocol::NETFILTER)?;
    let specs = (0..n).map(|i| {
        let src = IpAddr::V4(Ipv4Addr::from(0x0a58_0000 + i));
        let dst = IpAddr::V4(Ipv4Addr::new(10, 89, 0, 1));
        let orig = Tuple {
            src: Some(src),
            dst: Some(dst),
            proto: Some(17),
            sport: Some(1000),
            dport: Some(53),
            ..Default::default()
        };
        let reply = Tuple {
            src: Some(dst),
            dst: Some(src),
            sport: Some(53),
            dport: Some(1000),
            ..orig
        };
        let spec = Spec {
            orig: Some(orig),
            reply: Some(reply),
            timeout: Some(3600),
            ..Default::default()
        };
        (
            ct::IPCTNL_MSG_CT_NEW,
            MsgFlags::CREATE | MsgFlags::EXCL,
            spec,
        )
    });
    let mut first_err = None;
    let sum = ct::batch(&conn, specs, |i, r| {
        if let Err(e) = r {
            first_err.get_or_insert((i, e));
        }
    })?;
    println!(
        "{} created, {} failed, {} sendmsg calls",
        sum.ok, sum.failed, sum.sends
    );
    if let Some((i, e)) = first_err {
        eprintln!("first failure: #{i}: {e}");
        std::process::exit(1);
    }
    Ok(())
}
