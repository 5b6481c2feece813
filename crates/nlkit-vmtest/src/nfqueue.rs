//! NFQUEUE on Debian's 6.1 and 6.12, live: UDP over `lo` in a netns of its
//! own is queued to queue 0 by an nf_tables rule (`udp dport 5000 queue num
//! 0`) that this file builds as one `NFNL_MSG_BATCH_BEGIN .. END`
//! transaction with nlkit's writer (the VM has no `nft` or `iptables`);
//! accepted packets arrive with their payload, dropped ones never do.
//! init.sh has loaded nfnetlink_queue, nf_tables and nft_queue from the
//! kernel's own package (run.sh's EXTRA_MODULES).

use crate::{ensure, Context, Ctx, Outcome, Report, TestResult};
use nlkit::netfilter::queue::{Config, Event, Queue, Verdict};
use nlkit::netfilter::{msg_type, NfGenMsg, NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END};
use nlkit::route::{Handle, LinkRequest};
use nlkit::socket::netns::in_new_netns;
use nlkit::socket::Socket;
use nlkit::wire::{Control, MsgFlags, MsgIter, MsgWriter};
use nlkit::Protocol;
use std::net::UdpSocket;
use std::path::Path;
use std::time::Duration;

const PORT: u16 = 5000;

pub fn run(ctx: &Ctx, r: &mut Report) {
    if ctx.phase != "root" || !ctx.root {
        return;
    }
    r.run("nfqueue_modules_loaded", || {
        for m in ["nfnetlink_queue", "nf_tables", "nft_queue"] {
            ensure!(
                Path::new("/sys/module").join(m).is_dir(),
                "module {m} is not loaded (init.sh loads /lib/modules-extra)"
            );
        }
        Ok(Outcome::Pass)
    });
    r.run("nfqueue_accept_and_drop", || {
        in_new_netns(accept_and_drop).ctx("new netns")?
    });
}

// nf_tables numbers (uapi linux/netfilter/nf_tables.h).
const NFNL_SUBSYS_NFTABLES: u8 = 10;
const NFT_MSG_NEWTABLE: u8 = 0;
const NFT_MSG_NEWCHAIN: u8 = 3;
const NFT_MSG_NEWRULE: u8 = 6;
const NFTA_TABLE_NAME: u16 = 1;
const NFTA_CHAIN_TABLE: u16 = 1;
const NFTA_CHAIN_NAME: u16 = 3;
const NFTA_CHAIN_HOOK: u16 = 4;
const NFTA_CHAIN_TYPE: u16 = 7;
const NFTA_HOOK_HOOKNUM: u16 = 1;
const NFTA_HOOK_PRIORITY: u16 = 2;
const NFTA_RULE_TABLE: u16 = 1;
const NFTA_RULE_CHAIN: u16 = 2;
const NFTA_RULE_EXPRESSIONS: u16 = 4;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;
const NFT_REG_1: u32 = 1;
const NFTA_META_DREG: u16 = 1;
const NFTA_META_KEY: u16 = 2;
const NFT_META_L4PROTO: u32 = 16;
const NFTA_CMP_SREG: u16 = 1;
const NFTA_CMP_OP: u16 = 2;
const NFTA_CMP_DATA: u16 = 3;
const NFT_CMP_EQ: u32 = 0;
const NFTA_DATA_VALUE: u16 = 1;
const NFTA_PAYLOAD_DREG: u16 = 1;
const NFTA_PAYLOAD_BASE: u16 = 2;
const NFTA_PAYLOAD_OFFSET: u16 = 3;
const NFTA_PAYLOAD_LEN: u16 = 4;
const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;
const NFTA_QUEUE_NUM: u16 = 1;
const NFTA_QUEUE_TOTAL: u16 = 2;
const NF_INET_LOCAL_OUT: u32 = 3;

type W<'a> = MsgWriter<'a>;
type WResult = nlkit::wire::Result<()>;

/// One expression of a rule: `NFTA_LIST_ELEM { NAME, DATA { .. } }`.
fn expr(w: &mut W<'_>, name: &str, data: impl FnOnce(&mut W<'_>) -> WResult) -> WResult {
    w.nest(NFTA_LIST_ELEM, |w| {
        w.attr_str(NFTA_EXPR_NAME, name)?;
        w.nest(NFTA_EXPR_DATA, data)?;
        Ok(())
    })?;
    Ok(())
}

/// `cmp eq reg1 VALUE`.
fn cmp_eq(w: &mut W<'_>, value: &[u8]) -> WResult {
    expr(w, "cmp", |w| {
        w.attr_be_u32(NFTA_CMP_SREG, NFT_REG_1)?;
        w.attr_be_u32(NFTA_CMP_OP, NFT_CMP_EQ)?;
        w.nest(NFTA_CMP_DATA, |w| w.attr(NFTA_DATA_VALUE, value).map(drop))?;
        Ok(())
    })
}

/// The transaction: table `ip nlkq`, chain `out` on the output hook, rule
/// `meta l4proto udp udp dport PORT queue num 0`; each message asks for an ACK.
fn ruleset(buf: &mut Vec<u8>) -> nlkit::wire::Result<u32> {
    let ipv4 = libc::AF_INET as u8;
    let req = MsgFlags::REQUEST | MsgFlags::ACK | MsgFlags::CREATE;
    let mut w = MsgWriter::new(buf, NFNL_MSG_BATCH_BEGIN, MsgFlags::REQUEST, 1, 0);
    w.fixed(&NfGenMsg::new(
        libc::AF_UNSPEC as u8,
        NFNL_SUBSYS_NFTABLES.into(),
    ));
    w.finish()?;
    let nft = |m| msg_type(NFNL_SUBSYS_NFTABLES, m);
    let mut w = MsgWriter::new(buf, nft(NFT_MSG_NEWTABLE), req, 2, 0);
    w.fixed(&NfGenMsg::new(ipv4, 0));
    w.attr_str(NFTA_TABLE_NAME, "nlkq")?;
    w.finish()?;
    let mut w = MsgWriter::new(buf, nft(NFT_MSG_NEWCHAIN), req, 3, 0);
    w.fixed(&NfGenMsg::new(ipv4, 0));
    w.attr_str(NFTA_CHAIN_TABLE, "nlkq")?;
    w.attr_str(NFTA_CHAIN_NAME, "out")?;
    w.nest(NFTA_CHAIN_HOOK, |w| {
        w.attr_be_u32(NFTA_HOOK_HOOKNUM, NF_INET_LOCAL_OUT)?;
        w.attr_be_u32(NFTA_HOOK_PRIORITY, 0)?;
        Ok(())
    })?;
    w.attr_str(NFTA_CHAIN_TYPE, "filter")?;
    w.finish()?;
    let mut w = MsgWriter::new(buf, nft(NFT_MSG_NEWRULE), req, 4, 0);
    w.fixed(&NfGenMsg::new(ipv4, 0));
    w.attr_str(NFTA_RULE_TABLE, "nlkq")?;
    w.attr_str(NFTA_RULE_CHAIN, "out")?;
    w.nest(NFTA_RULE_EXPRESSIONS, |w| {
        expr(w, "meta", |w| {
            w.attr_be_u32(NFTA_META_DREG, NFT_REG_1)?;
            w.attr_be_u32(NFTA_META_KEY, NFT_META_L4PROTO)?;
            Ok(())
        })?;
        cmp_eq(w, &[libc::IPPROTO_UDP as u8])?;
        expr(w, "payload", |w| {
            w.attr_be_u32(NFTA_PAYLOAD_DREG, NFT_REG_1)?;
            w.attr_be_u32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER)?;
            w.attr_be_u32(NFTA_PAYLOAD_OFFSET, 2)?; // the destination port
            w.attr_be_u32(NFTA_PAYLOAD_LEN, 2)?;
            Ok(())
        })?;
        cmp_eq(w, &PORT.to_be_bytes())?;
        expr(w, "queue", |w| {
            w.attr_be_u16(NFTA_QUEUE_NUM, 0)?;
            w.attr_be_u16(NFTA_QUEUE_TOTAL, 1)?;
            Ok(())
        })
    })?;
    w.finish()?;
    let mut w = MsgWriter::new(buf, NFNL_MSG_BATCH_END, MsgFlags::REQUEST, 5, 0);
    w.fixed(&NfGenMsg::new(
        libc::AF_UNSPEC as u8,
        NFNL_SUBSYS_NFTABLES.into(),
    ));
    w.finish()?;
    Ok(3) // ACKs to wait for
}

/// Installs the ruleset and waits for the three ACKs (an error is the kernel's, with its ext-ack).
fn install_ruleset() -> Result<(), String> {
    let sock = Socket::open(Protocol::NETFILTER).ctx("netfilter socket")?;
    let _ = sock.set_ext_ack(true);
    sock.set_recv_timeout(Some(Duration::from_secs(5)))
        .ctx("timeout")?;
    let mut out = Vec::new();
    let mut left = ruleset(&mut out).ctx("build the nf_tables batch")?;
    sock.send(&out).ctx("send the nf_tables batch")?;
    let mut buf = Vec::new();
    while left > 0 {
        sock.recv(&mut buf).ctx("nf_tables answer")?;
        for m in MsgIter::new(&buf) {
            let (_, m) = m.ctx("nf_tables answer")?;
            if let Ok(Some(Control::Error(e))) = Control::parse(&m) {
                ensure!(
                    e.is_ack(),
                    "nf_tables refused message {} (1 begin, 2 table, 3 chain, 4 rule): errno {}: {}",
                    m.seq(),
                    -e.code,
                    e.ext_ack.msg.map(String::from_utf8_lossy).unwrap_or_default()
                );
                left -= 1;
            }
        }
    }
    Ok(())
}

fn accept_and_drop() -> TestResult {
    let h = Handle::new().ctx("route handle")?;
    h.set_link(&LinkRequest::set(1).up()).ctx("set lo up")?;
    install_ruleset()?;
    let mut q = Queue::open(0, &Config::default()).ctx("bind queue 0")?;
    let r = UdpSocket::bind(("127.0.0.1", PORT)).ctx("bind receiver")?;
    r.set_read_timeout(Some(Duration::from_millis(500)))
        .ctx("timeout")?;
    let s = UdpSocket::bind("127.0.0.1:0").ctx("bind sender")?;
    for i in 0..6 {
        s.send_to(format!("vm-{i}").as_bytes(), ("127.0.0.1", PORT))
            .ctx("send")?;
    }
    for i in 0..6 {
        ensure!(
            q.wait(Some(Duration::from_secs(5))).ctx("wait")?,
            "packet {i} never queued"
        );
        let (id, payload) = match q.recv().ctx("queue receive")? {
            Event::Packet(p) => {
                ensure!(p.malformed_attrs().count() == 0, "malformed: {p:?}");
                let id = p.id().ok_or("no packet id")?;
                (id, p.payload.unwrap_or(&[]).to_vec())
            }
            e => return Err(format!("packet {i}: {e:?}")),
        };
        ensure!(
            payload.get(28..) == Some(format!("vm-{i}").as_bytes()),
            "packet {i}: payload {payload:?}"
        );
        let v = if i % 2 == 0 {
            Verdict::Accept
        } else {
            Verdict::Drop
        };
        q.verdict(id, v).ctx("verdict")?;
    }
    q.flush().ctx("flush verdicts")?;
    let mut got = Vec::new();
    let mut b = [0u8; 64];
    while let Ok(n) = r.recv(&mut b) {
        got.push(String::from_utf8_lossy(&b[..n]).into_owned());
    }
    ensure!(
        got == ["vm-0", "vm-2", "vm-4"],
        "accepted ones arrive, dropped ones never: got {got:?}"
    );
    Ok(Outcome::Pass)
}
