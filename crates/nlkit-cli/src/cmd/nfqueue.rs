//! `nlkit nfqueue (--queue N | --queue-balance A:B) [--verdict V] [--mark M]
//! [--fail-open] [--no-gso] [--copy-range B] [--maxlen N] [--batch N]
//! [-c COUNT] [-j] [-w FILE.pcap]`: serves NFQUEUE queues, one thread per
//! queue, printing each packet as `nflog` does (JSON adds `id`, `queue` and
//! `verdict`) and issuing the verdict. Also the shared packet printing and the
//! pcap writer `nflog` uses.

use super::route::names::Names;
use crate::error::CliError;
use nlkit::netfilter::l3_name;
use nlkit::netfilter::queue::{self as nfq, Config, CopyMode, Event, Queue, Verdict};
use nlkit::netfilter::summary::Summary;
use serde::ser::{SerializeMap, Serializer};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Arguments of `nlkit nfqueue`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Queue number to serve.
    #[arg(long, conflicts_with = "queue_balance")]
    pub queue: Option<u16>,
    /// Serve queues A to B, one thread each (as `--queue-balance A:B` spreads them).
    #[arg(long, value_name = "A:B")]
    pub queue_balance: Option<String>,
    /// Verdict for every packet: accept, drop, repeat, stop or queue:N.
    #[arg(long, default_value = "accept")]
    pub verdict: String,
    /// Set this mark with the verdict.
    #[arg(long, value_parser = parse_u32)]
    pub mark: Option<u32>,
    /// Let packets through when the queue is full (NFQA_CFG_F_FAIL_OPEN).
    #[arg(long)]
    pub fail_open: bool,
    /// Have the kernel segment GSO packets (without: take them whole, NFQA_CFG_F_GSO).
    #[arg(long)]
    pub no_gso: bool,
    /// Bytes of each packet to copy.
    #[arg(long, default_value_t = 0xffff)]
    pub copy_range: u32,
    /// Packets waiting at most.
    #[arg(long)]
    pub maxlen: Option<u32>,
    /// One verdict per N packets (NFQNL_MSG_VERDICT_BATCH), and whenever the
    /// queue is idle (`--batch N` after `nfqueue` means this).
    #[arg(long = "verdict-batch", value_name = "N", default_value_t = 1)]
    pub verdict_batch: u32,
    /// Stop after COUNT packets (all queues together).
    #[arg(short = 'c', long)]
    pub count: Option<u64>,
    /// Also write the packets to FILE.pcap (LINKTYPE_RAW: IP packets).
    #[arg(short = 'w', long, value_name = "FILE")]
    pub write: Option<String>,
    /// Print nothing per packet (counts only at the end): for benchmarks.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_u32(s: &str) -> Result<u32, String> {
    match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).map_err(|e| e.to_string()),
        None => s
            .parse()
            .map_err(|e: std::num::ParseIntError| e.to_string()),
    }
}

/// Hook names (`NF_INET_*`).
pub fn hook_name(hook: u8) -> &'static str {
    match hook {
        0 => "PREROUTING",
        1 => "INPUT",
        2 => "FORWARD",
        3 => "OUTPUT",
        4 => "POSTROUTING",
        5 => "INGRESS",
        _ => "?",
    }
}

/// What a packet line shows, computed once per packet.
pub struct Facts<'a> {
    /// Seconds and microseconds.
    pub time: (u64, u64),
    /// `queue` or `group`.
    pub source: (&'static str, u16),
    /// NFLOG prefix.
    pub prefix: Option<&'a str>,
    /// Hook.
    pub hook: u8,
    /// Family (`nfgen_family`).
    pub family: u8,
    /// The headers.
    pub summary: Option<Summary>,
    /// Payload length when not IP.
    pub raw_len: usize,
    /// Mark.
    pub mark: Option<u32>,
    /// Input device name.
    pub indev: Option<String>,
    /// Output device name.
    pub outdev: Option<String>,
    /// Owner uid/gid.
    pub uid: Option<u32>,
    /// Owner gid.
    pub gid: Option<u32>,
    /// NFLOG sequence number.
    pub seq: Option<u32>,
    /// Queue packet id and verdict.
    pub verdict: Option<(u32, String)>,
}

/// The time now, as (seconds, microseconds).
pub fn now() -> (u64, u64) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), u64::from(d.subsec_micros()))
}

/// A device name for an ifindex.
pub fn dev(names: &mut Names, idx: Option<u32>) -> Option<String> {
    let i = idx?;
    Some(
        names
            .get(i)
            .map_or_else(|| format!("if{i}"), |l| l.name.clone()),
    )
}

impl Facts<'_> {
    /// The text line.
    pub fn text(&self) -> String {
        use std::fmt::Write as _;
        let (s, us) = self.time;
        let day = s % 86_400;
        let mut o = format!(
            "{:02}:{:02}:{:02}.{:06} {} {}",
            day / 3600,
            day / 60 % 60,
            day % 60,
            us,
            self.source.0,
            self.source.1
        );
        if let Some(p) = self.prefix {
            let _ = write!(o, " prefix {p:?}");
        }
        if let Some((id, _)) = &self.verdict {
            let _ = write!(o, " id {id}");
        }
        let _ = write!(
            o,
            " hook {} in {} out {} mark {} uid {}",
            hook_name(self.hook),
            self.indev.as_deref().unwrap_or("-"),
            self.outdev.as_deref().unwrap_or("-"),
            self.mark.unwrap_or(0),
            self.uid.map_or_else(|| "-".to_string(), |u| u.to_string())
        );
        match &self.summary {
            Some(s) => {
                let _ = write!(o, " {s}");
            }
            None => {
                let _ = write!(o, " {} len {}", l3_name(self.family), self.raw_len);
            }
        }
        if let Some((_, v)) = &self.verdict {
            let _ = write!(o, " verdict {v}");
        }
        o
    }
}

impl serde::Serialize for Facts<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry(self.source.0, &self.source.1)?;
        if let Some((id, v)) = &self.verdict {
            m.serialize_entry("id", id)?;
            m.serialize_entry("verdict", v)?;
        } else {
            m.serialize_entry("prefix", &self.prefix)?;
        }
        m.serialize_entry("hook", hook_name(self.hook))?;
        m.serialize_entry("family", l3_name(self.family))?;
        let s = self.summary.as_ref();
        m.serialize_entry("src", &s.map(|s| s.src))?;
        m.serialize_entry("dst", &s.map(|s| s.dst))?;
        m.serialize_entry("proto", &s.map(|s| s.proto_name()))?;
        m.serialize_entry("sport", &s.and_then(|s| s.sport))?;
        m.serialize_entry("dport", &s.and_then(|s| s.dport))?;
        m.serialize_entry("len", &s.map_or(self.raw_len, |s| s.len))?;
        m.serialize_entry("mark", &self.mark.unwrap_or(0))?;
        m.serialize_entry("indev", &self.indev)?;
        m.serialize_entry("outdev", &self.outdev)?;
        m.serialize_entry("uid", &self.uid)?;
        m.serialize_entry("gid", &self.gid)?;
        if self.verdict.is_none() {
            m.serialize_entry("seq", &self.seq)?;
        }
        let (sec, usec) = self.time;
        m.serialize_entry("time", &format!("{sec}.{usec:06}"))?;
        m.end()
    }
}

/// A pcap file (microsecond timestamps).
pub struct Pcap {
    w: BufWriter<File>,
}

impl Pcap {
    /// Creates `path` with the given link type (101 raw IP, 239 NFLOG).
    pub fn create(path: &str, linktype: u32) -> Result<Pcap, CliError> {
        let f = File::create(path).map_err(|e| CliError::Other(format!("create {path}: {e}")))?;
        let mut w = BufWriter::new(f);
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_c3d4u32.to_ne_bytes()); // magic
        h.extend_from_slice(&2u16.to_ne_bytes()); // version 2.4
        h.extend_from_slice(&4u16.to_ne_bytes());
        h.extend_from_slice(&0i32.to_ne_bytes()); // thiszone
        h.extend_from_slice(&0u32.to_ne_bytes()); // sigfigs
        h.extend_from_slice(&0xffffu32.to_ne_bytes()); // snaplen
        h.extend_from_slice(&linktype.to_ne_bytes());
        w.write_all(&h)?;
        Ok(Pcap { w })
    }
    /// Appends one record of a packet cut to `data` from `orig_len` bytes.
    pub fn record_cut(&mut self, time: (u64, u64), data: &[u8], orig_len: usize) -> io::Result<()> {
        self.write_record(time, &[data], orig_len)
    }
    /// Appends one record made of `parts`, whole.
    pub fn record(&mut self, time: (u64, u64), parts: &[&[u8]]) -> io::Result<()> {
        self.write_record(time, parts, 0)
    }
    fn write_record(
        &mut self,
        time: (u64, u64),
        parts: &[&[u8]],
        orig_len: usize,
    ) -> io::Result<()> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut h = [0u8; 16];
        h[..4].copy_from_slice(&(time.0 as u32).to_ne_bytes());
        h[4..8].copy_from_slice(&(time.1 as u32).to_ne_bytes());
        h[8..12].copy_from_slice(&(len as u32).to_ne_bytes());
        h[12..].copy_from_slice(&(orig_len.max(len) as u32).to_ne_bytes());
        self.w.write_all(&h)?;
        for p in parts {
            self.w.write_all(p)?;
        }
        Ok(())
    }
    /// Flushes.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Prints a line or a JSON object per packet, shared by threads.
pub struct Sink {
    out: Mutex<BufWriter<io::Stdout>>,
    json: bool,
    quiet: bool,
}

impl Sink {
    /// Stdout, text or JSON lines.
    pub fn new(json: bool, quiet: bool) -> Sink {
        Sink {
            out: Mutex::new(BufWriter::new(io::stdout())),
            json,
            quiet,
        }
    }
    /// Prints one packet (flushed at once: these are live events).
    pub fn packet(&self, f: &Facts<'_>) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut o = self.out.lock().unwrap_or_else(|p| p.into_inner());
        if self.json {
            serde_json::to_writer(&mut *o, f).map_err(io::Error::from)?;
        } else {
            o.write_all(f.text().as_bytes())?;
        }
        o.write_all(b"\n")?;
        o.flush()
    }
}

fn queues(a: &Args) -> Result<Vec<u16>, CliError> {
    match (&a.queue, &a.queue_balance) {
        (Some(q), None) => Ok(vec![*q]),
        (None, Some(r)) => {
            let (x, y) = r
                .split_once(':')
                .ok_or_else(|| CliError::usage("nfqueue: --queue-balance takes A:B"))?;
            let p = |s: &str| {
                s.parse::<u16>()
                    .map_err(|_| CliError::usage(format!("nfqueue: bad queue number {s:?}")))
            };
            let (x, y) = (p(x)?, p(y)?);
            if x > y {
                return Err(CliError::usage("nfqueue: --queue-balance A:B needs A <= B"));
            }
            Ok((x..=y).collect())
        }
        _ => Err(CliError::usage(
            "nfqueue: --queue N or --queue-balance A:B is needed",
        )),
    }
}

struct Shared {
    sink: Sink,
    seen: AtomicU64,
    stop: AtomicBool,
    lost: AtomicU64,
    pcap: Option<Mutex<Pcap>>,
}

/// Runs `nlkit nfqueue`.
pub fn run(g: &crate::Global, a: Args) -> Result<(), CliError> {
    let verdict = Verdict::parse(&a.verdict)
        .ok_or_else(|| CliError::usage(format!("nfqueue: unknown verdict {:?}", a.verdict)))?;
    let nums = queues(&a)?;
    let mut flags = 0;
    let mut clear = 0;
    if a.fail_open {
        flags |= nfq::NFQA_CFG_F_FAIL_OPEN;
    } else {
        clear |= nfq::NFQA_CFG_F_FAIL_OPEN;
    }
    if a.no_gso {
        clear |= nfq::NFQA_CFG_F_GSO;
    } else {
        flags |= nfq::NFQA_CFG_F_GSO;
    }
    flags |= nfq::NFQA_CFG_F_UID_GID;
    let cfg = Config {
        copy: CopyMode::Packet(a.copy_range),
        maxlen: a.maxlen,
        flags,
        clear,
        rcvbuf: Some(8 << 20),
    };
    // Bind every queue before serving any: errors show at once.
    let mut bound = Vec::new();
    for n in &nums {
        let sock = match &g.netns {
            Some(ns) => nlkit::socket::netns::Netns::Named(ns).open(nlkit::Protocol::NETFILTER),
            None => nlkit::socket::Socket::open(nlkit::Protocol::NETFILTER),
        }
        .map_err(|e| nlkit::Error::io("open netfilter netlink socket", e))?;
        bound.push(Queue::bind(sock, *n, &cfg)?);
    }
    let pcap = match &a.write {
        Some(p) => Some(Mutex::new(Pcap::create(p, 101)?)),
        None => None,
    };
    let shared = Arc::new(Shared {
        sink: Sink::new(g.json, a.quiet),
        seen: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        lost: AtomicU64::new(0),
        pcap,
    });
    let multi = bound.len() > 1;
    let handles: Vec<_> = bound
        .into_iter()
        .map(|q| {
            let sh = Arc::clone(&shared);
            let a = a.clone();
            let netns = g.netns.clone();
            std::thread::spawn(move || serve(q, &a, verdict, &sh, netns.as_deref(), multi))
        })
        .collect();
    let mut first_err = None;
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first_err.get_or_insert(e);
            }
            Err(_) => {
                first_err.get_or_insert(CliError::Other("a queue thread panicked".into()));
            }
        }
    }
    if let Some(p) = &shared.pcap {
        p.lock().unwrap_or_else(|p| p.into_inner()).flush()?;
    }
    let lost = shared.lost.load(Ordering::Relaxed);
    if lost > 0 {
        eprintln!("nlkit nfqueue: the socket overflowed {lost} times (ENOBUFS): packets were lost");
    }
    if a.quiet {
        eprintln!(
            "nlkit nfqueue: {} packets",
            shared.seen.load(Ordering::Relaxed)
        );
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn serve(
    mut q: Queue,
    a: &Args,
    verdict: Verdict,
    sh: &Shared,
    netns: Option<&str>,
    multi: bool,
) -> Result<(), CliError> {
    let mut names = Names::new(netns);
    let vname = verdict.name();
    let batch = a.verdict_batch.max(1);
    let mut pending: Option<u32> = None;
    let mut held = 0u32;
    let tick = Some(std::time::Duration::from_millis(100));
    loop {
        if sh.stop.load(Ordering::Relaxed) {
            break;
        }
        // Blocking (one system call per packet) unless a batch is pending (flush it
        // when the queue goes idle) or other threads may reach the count (then wait
        // in ticks, to see it).
        let ev = if pending.is_some() || multi {
            q.try_recv()?
        } else {
            q.recv()?
        };
        let id = match ev {
            Event::Packet(p) => {
                let Some(id) = p.id() else {
                    // Without its header the packet has no id: nothing can be given a verdict.
                    eprintln!(
                        "nlkit nfqueue: queue {}: a packet without a readable NFQA_PACKET_HDR \
                         (no id, no verdict possible); going on",
                        p.queue()
                    );
                    continue;
                };
                let n = sh.seen.fetch_add(1, Ordering::Relaxed) + 1;
                if a.count.is_some_and(|c| n > c) {
                    // Past the count (another thread reached it): closing the socket would
                    // drop this packet; let it through instead.
                    q.verdict(id, Verdict::Accept)?;
                    sh.stop.store(true, Ordering::Relaxed);
                    break;
                }
                if !sh.sink.quiet || sh.pcap.is_some() {
                    let payload = p.payload.unwrap_or(&[]);
                    let time = p.timestamp.unwrap_or_else(now);
                    let facts = Facts {
                        time,
                        source: ("queue", p.queue()),
                        prefix: None,
                        hook: p.hook().unwrap_or(u8::MAX),
                        family: p.family(),
                        summary: Summary::parse(payload),
                        raw_len: p.len(),
                        mark: a.mark.or(p.mark),
                        indev: dev(&mut names, p.indev),
                        outdev: dev(&mut names, p.outdev),
                        uid: p.uid,
                        gid: p.gid,
                        seq: None,
                        verdict: Some((id, vname.clone())),
                    };
                    sh.sink.packet(&facts)?;
                    if let Some(pc) = &sh.pcap {
                        pc.lock().unwrap_or_else(|p| p.into_inner()).record_cut(
                            time,
                            payload,
                            p.len(),
                        )?;
                    }
                }
                if a.count.is_some_and(|c| n >= c) {
                    sh.stop.store(true, Ordering::Relaxed);
                }
                Some(id)
            }
            Event::VerdictFailed { id, error } => {
                eprintln!("nlkit nfqueue: verdict for packet {id} refused: {error}");
                None
            }
            Event::Lost => {
                sh.lost.fetch_add(1, Ordering::Relaxed);
                None
            }
            Event::Empty => {
                if let Some(last) = pending.take() {
                    q.verdict_batch(last, verdict, a.mark)?;
                    held = 0;
                }
                // Alone, the next receive blocks; with other threads, wait in ticks.
                if multi {
                    q.wait(tick)?;
                }
                continue;
            }
        };
        if let Some(id) = id {
            if batch == 1 {
                match a.mark {
                    Some(m) => q.verdict_with(
                        id,
                        verdict,
                        &nfq::VerdictOpts {
                            mark: Some(m),
                            ..Default::default()
                        },
                    )?,
                    None => q.verdict(id, verdict)?,
                }
            } else {
                pending = Some(id);
                held += 1;
                if held >= batch {
                    q.verdict_batch(id, verdict, a.mark)?;
                    pending = None;
                    held = 0;
                }
            }
        }
        if sh.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    if let Some(last) = pending {
        q.verdict_batch(last, verdict, a.mark)?;
    }
    Ok(())
}
