//! `nlkit nflog --group N [--range B] [--qthresh N] [--timeout CS]
//! [--nlbufsiz BYTES] [-c COUNT] [-j] [-w FILE.pcap]`: prints the packets
//! logged to an NFLOG group, one line (or JSON object) each; `-w` writes
//! them to a pcap with LINKTYPE_NFLOG (239), as tcpdump and tshark read it.

use super::nfqueue::{dev, now, Facts, Pcap, Sink};
use super::route::names::Names;
use crate::error::CliError;
use nlkit::netfilter::log::{self as nflog, Log, LogConfig, LogEvent};
use nlkit::netfilter::queue::CopyMode;
use nlkit::netfilter::summary::Summary;

/// Arguments of `nlkit nflog`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The log group (`log group N` in nft).
    #[arg(long)]
    pub group: u16,
    /// Bytes of each packet to copy.
    #[arg(long, default_value_t = 0xffff)]
    pub range: u32,
    /// Packets per batch at most (the kernel sends a batch per datagram).
    #[arg(long)]
    pub qthresh: Option<u32>,
    /// Send a partial batch after this many 1/100 s.
    #[arg(long, value_name = "CS")]
    pub timeout: Option<u32>,
    /// Kernel batch buffer, bytes.
    #[arg(long)]
    pub nlbufsiz: Option<u32>,
    /// Stop after COUNT packets.
    #[arg(short = 'c', long)]
    pub count: Option<u64>,
    /// Also write the packets to FILE.pcap (LINKTYPE_NFLOG).
    #[arg(short = 'w', long, value_name = "FILE")]
    pub write: Option<String>,
}

/// Runs `nlkit nflog`.
pub fn run(g: &crate::Global, a: Args) -> Result<(), CliError> {
    let sock = match &g.netns {
        Some(ns) => nlkit::socket::netns::Netns::Named(ns).open(nlkit::Protocol::NETFILTER),
        None => nlkit::socket::Socket::open(nlkit::Protocol::NETFILTER),
    }
    .map_err(|e| nlkit::Error::io("open netfilter netlink socket", e))?;
    let cfg = LogConfig {
        copy: CopyMode::Packet(a.range),
        qthresh: a.qthresh,
        timeout: a.timeout,
        nlbufsiz: a.nlbufsiz,
        flags: Some(nflog::NFULNL_CFG_F_SEQ),
        rcvbuf: Some(8 << 20),
    };
    let mut log = Log::bind(sock, a.group, &cfg)?;
    let mut pcap = match &a.write {
        Some(p) => Some(Pcap::create(p, 239)?),
        None => None,
    };
    let sink = Sink::new(g.json, false);
    let mut names = Names::new(g.netns.as_deref());
    let mut seen = 0u64;
    while a.count.is_none_or(|c| seen < c) {
        match log.recv()? {
            LogEvent::Packet(p) => {
                seen += 1;
                let payload = p.payload.unwrap_or(&[]);
                // Shown losslessly: a prefix that is not UTF-8 is escaped (`\xNN`).
                let prefix = p.prefix.map(|n| n.to_string()).unwrap_or_default();
                let time = p.timestamp.unwrap_or_else(now);
                let f = Facts {
                    time,
                    source: ("group", p.group()),
                    prefix: Some(&prefix),
                    hook: p.hook().unwrap_or(u8::MAX),
                    family: p.family(),
                    summary: Summary::parse(payload),
                    raw_len: payload.len(),
                    mark: p.mark,
                    indev: dev(&mut names, p.indev),
                    outdev: dev(&mut names, p.outdev),
                    uid: p.uid,
                    gid: p.gid,
                    seq: p.seq,
                    verdict: None,
                };
                sink.packet(&f)?;
                if let Some(pc) = &mut pcap {
                    pc.record(time, &p.raw())?;
                    pc.flush()?;
                }
            }
            LogEvent::Lost => {
                eprintln!("nlkit nflog: the socket overflowed (ENOBUFS): logged packets were lost");
            }
            LogEvent::Empty => {}
        }
    }
    Ok(())
}
