//! NFQUEUE (`NFNL_SUBSYS_QUEUE`): bind a queue, read packets as zero-copy
//! views, issue verdicts (one by one or in batches).
//!
//! A [`Queue`] owns its socket: the kernel takes verdicts only from the port
//! that bound the queue. Verdicts are sent without `NLM_F_ACK`; the kernel
//! still answers a failed one (`ENOENT` for an unknown id, `EPERM`), with the
//! verdict's sequence number, which is the packet id: [`Queue::recv`] hands
//! it back as [`Event::VerdictFailed`]. An overrun (`ENOBUFS`: packets were
//! lost before we read them) is counted ([`Queue::lost`]) and reported as
//! [`Event::Lost`]; the queue goes on.
//!
//! One receive takes up to 32 queued packets (`recvmmsg`); [`Queue::recv`]
//! hands them out one by one. While packets already received are waiting
//! to be handed out, verdicts are held and go out together, one datagram
//! (one `sendmsg`) with one message per verdict, before the queue next waits
//! or receives ([`Queue::flush`] sends them at once; dropping the queue does too).
//!
//! A newly bound queue is in `NFQNL_COPY_NONE` mode, in which every packet
//! fails: [`Queue::bind`] always sets the copy mode it is given.
//!
//! # References
//! uapi `linux/netfilter/nfnetlink_queue.h`; the kernel's
//! `net/netfilter/nfnetlink_queue.c`.

use super::reader::{with_hint, Next, Reader, CONFIG_SEQ};
use super::{msg_type, NfGenMsg, NFNL_SUBSYS_QUEUE};
use crate::conn::{kernel_error, ToMsg};
use crate::error::{Error, Result};
use crate::route::attrs::{attr_table, Int, ValueKind::*};
use crate::socket::Socket;
use crate::wire::{self, Control, Msg, MsgFlags, MsgWriter};
use crate::Protocol;
use std::fmt;

/// `NFQNL_MSG_PACKET`: a packet, kernel to user space.
pub const NFQNL_MSG_PACKET: u8 = 0;
/// `NFQNL_MSG_VERDICT`
pub const NFQNL_MSG_VERDICT: u8 = 1;
/// `NFQNL_MSG_CONFIG`
pub const NFQNL_MSG_CONFIG: u8 = 2;
/// `NFQNL_MSG_VERDICT_BATCH`: a verdict for every packet id up to the given one.
pub const NFQNL_MSG_VERDICT_BATCH: u8 = 3;

/// Message names by number, for decoders.
pub fn msg_name(msg: u8) -> Option<&'static str> {
    [
        "NFQNL_MSG_PACKET",
        "NFQNL_MSG_VERDICT",
        "NFQNL_MSG_CONFIG",
        "NFQNL_MSG_VERDICT_BATCH",
    ]
    .get(usize::from(msg))
    .copied()
}

/// The attribute set of a queue message, for decoders.
pub fn attr_set(msg: u8) -> &'static crate::route::attrs::AttrSet {
    match msg {
        NFQNL_MSG_CONFIG => &NFQA_CFG_SET,
        _ => &NFQA_SET,
    }
}

attr_table! {
    /// A queue attribute type (`NFQA_*`).
    enum QueueAttr;
    /// The `NFQA_*` set (packets and verdicts).
    static NFQA_SET = "queue";
    Unspec = 0, NFQA_UNSPEC, "NFQA_UNSPEC", Bytes;
    PacketHdr = 1, NFQA_PACKET_HDR, "NFQA_PACKET_HDR", Struct("nfqnl_msg_packet_hdr");
    VerdictHdr = 2, NFQA_VERDICT_HDR, "NFQA_VERDICT_HDR", Struct("nfqnl_msg_verdict_hdr");
    Mark = 3, NFQA_MARK, "NFQA_MARK", BeU32;
    Timestamp = 4, NFQA_TIMESTAMP, "NFQA_TIMESTAMP", Struct("nfqnl_msg_packet_timestamp");
    IfindexIndev = 5, NFQA_IFINDEX_INDEV, "NFQA_IFINDEX_INDEV", BeU32;
    IfindexOutdev = 6, NFQA_IFINDEX_OUTDEV, "NFQA_IFINDEX_OUTDEV", BeU32;
    IfindexPhysindev = 7, NFQA_IFINDEX_PHYSINDEV, "NFQA_IFINDEX_PHYSINDEV", BeU32;
    IfindexPhysoutdev = 8, NFQA_IFINDEX_PHYSOUTDEV, "NFQA_IFINDEX_PHYSOUTDEV", BeU32;
    Hwaddr = 9, NFQA_HWADDR, "NFQA_HWADDR", Struct("nfqnl_msg_packet_hw");
    Payload = 10, NFQA_PAYLOAD, "NFQA_PAYLOAD", Bytes;
    Ct = 11, NFQA_CT, "NFQA_CT", Nested(&super::conntrack::CTA_SET);
    CtInfo = 12, NFQA_CT_INFO, "NFQA_CT_INFO", BeU32;
    CapLen = 13, NFQA_CAP_LEN, "NFQA_CAP_LEN", BeU32;
    SkbInfo = 14, NFQA_SKB_INFO, "NFQA_SKB_INFO", Bits(Int::BeU32, SKB_INFO_NAMES);
    Exp = 15, NFQA_EXP, "NFQA_EXP", NestedAny;
    Uid = 16, NFQA_UID, "NFQA_UID", BeU32;
    Gid = 17, NFQA_GID, "NFQA_GID", BeU32;
    Secctx = 18, NFQA_SECCTX, "NFQA_SECCTX", Str;
    Vlan = 19, NFQA_VLAN, "NFQA_VLAN", Nested(&NFQA_VLAN_SET);
    L2hdr = 20, NFQA_L2HDR, "NFQA_L2HDR", Bytes;
    Priority = 21, NFQA_PRIORITY, "NFQA_PRIORITY", BeU32;
}

attr_table! {
    /// A VLAN attribute type (`NFQA_VLAN_*`).
    enum VlanAttr;
    /// The `NFQA_VLAN_*` set.
    static NFQA_VLAN_SET = "queue-vlan";
    Unspec = 0, NFQA_VLAN_UNSPEC, "NFQA_VLAN_UNSPEC", Bytes;
    Proto = 1, NFQA_VLAN_PROTO, "NFQA_VLAN_PROTO", BeU16;
    Tci = 2, NFQA_VLAN_TCI, "NFQA_VLAN_TCI", BeU16;
}

attr_table! {
    /// A queue configuration attribute type (`NFQA_CFG_*`).
    enum ConfigAttr;
    /// The `NFQA_CFG_*` set.
    static NFQA_CFG_SET = "queue-config";
    Unspec = 0, NFQA_CFG_UNSPEC, "NFQA_CFG_UNSPEC", Bytes;
    Cmd = 1, NFQA_CFG_CMD, "NFQA_CFG_CMD", Struct("nfqnl_msg_config_cmd");
    Params = 2, NFQA_CFG_PARAMS, "NFQA_CFG_PARAMS", Struct("nfqnl_msg_config_params");
    QueueMaxlen = 3, NFQA_CFG_QUEUE_MAXLEN, "NFQA_CFG_QUEUE_MAXLEN", BeU32;
    Mask = 4, NFQA_CFG_MASK, "NFQA_CFG_MASK", Bits(Int::BeU32, CFG_FLAG_NAMES);
    Flags = 5, NFQA_CFG_FLAGS, "NFQA_CFG_FLAGS", Bits(Int::BeU32, CFG_FLAG_NAMES);
}

/// `NFQA_SKB_*` bits.
pub const SKB_INFO_NAMES: crate::route::attrs::Names =
    &[(1, "CSUMNOTREADY"), (2, "GSO"), (4, "CSUM_NOTVERIFIED")];
/// `NFQA_SKB_CSUMNOTREADY`: the checksum is not filled in yet (but it is fine).
pub const NFQA_SKB_CSUMNOTREADY: u32 = 1;
/// `NFQA_SKB_GSO`: a GSO packet (larger than the MTU).
pub const NFQA_SKB_GSO: u32 = 2;
/// `NFQA_SKB_CSUM_NOTVERIFIED`: the checksum was not verified.
pub const NFQA_SKB_CSUM_NOTVERIFIED: u32 = 4;

/// `NFQA_CFG_F_*` bits.
#[rustfmt::skip]
pub const CFG_FLAG_NAMES: crate::route::attrs::Names = &[
    (1, "FAIL_OPEN"), (2, "CONNTRACK"), (4, "GSO"), (8, "UID_GID"), (16, "SECCTX"),
];
/// `NFQA_CFG_F_FAIL_OPEN`: accept packets when the queue is full.
pub const NFQA_CFG_F_FAIL_OPEN: u32 = 1;
/// `NFQA_CFG_F_CONNTRACK`: send conntrack information.
pub const NFQA_CFG_F_CONNTRACK: u32 = 2;
/// `NFQA_CFG_F_GSO`: take GSO packets as they are (not segmented).
pub const NFQA_CFG_F_GSO: u32 = 4;
/// `NFQA_CFG_F_UID_GID`: send the socket's uid and gid.
pub const NFQA_CFG_F_UID_GID: u32 = 8;
/// `NFQA_CFG_F_SECCTX`: send the security context.
pub const NFQA_CFG_F_SECCTX: u32 = 16;

/// `NFQNL_CFG_CMD_BIND`
pub const NFQNL_CFG_CMD_BIND: u8 = 1;
/// `NFQNL_CFG_CMD_UNBIND`
pub const NFQNL_CFG_CMD_UNBIND: u8 = 2;

/// What the kernel copies of each packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyMode {
    /// `NFQNL_COPY_NONE`: nothing; every packet then fails. Never leave a queue in it.
    None,
    /// `NFQNL_COPY_META`: metadata only.
    Meta,
    /// `NFQNL_COPY_PACKET`: metadata and up to this many payload bytes.
    Packet(u32),
}

/// A verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `NF_DROP`
    Drop,
    /// `NF_ACCEPT`
    Accept,
    /// `NF_REPEAT`: run the hook again.
    Repeat,
    /// `NF_STOP`: accept, skipping the rest of the hook.
    Stop,
    /// `NF_QUEUE` to queue N (in the upper 16 bits).
    Queue(u16),
}

impl Verdict {
    /// The verdict word.
    pub fn code(self) -> u32 {
        match self {
            Verdict::Drop => 0,
            Verdict::Accept => 1,
            Verdict::Queue(n) => (u32::from(n) << 16) | 3,
            Verdict::Repeat => 4,
            Verdict::Stop => 5,
        }
    }
    /// Parses `accept`, `drop`, `repeat`, `stop`, `queue:N`.
    pub fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "accept" => Verdict::Accept,
            "drop" => Verdict::Drop,
            "repeat" => Verdict::Repeat,
            "stop" => Verdict::Stop,
            _ => Verdict::Queue(s.strip_prefix("queue:")?.parse().ok()?),
        })
    }
    /// The name as [`Verdict::parse`] takes it.
    pub fn name(self) -> String {
        match self {
            Verdict::Drop => "drop".into(),
            Verdict::Accept => "accept".into(),
            Verdict::Repeat => "repeat".into(),
            Verdict::Stop => "stop".into(),
            Verdict::Queue(n) => format!("queue:{n}"),
        }
    }
}

/// `nfqnl_msg_packet_hdr` (packed, 7 bytes).
///
/// ```text
/// +---------------------+----------------+------+
/// | packet_id (be32)    | hw_proto (be16)| hook |
/// +---------------------+----------------+------+
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[doc(alias = "nfqnl_msg_packet_hdr")]
pub struct PacketHdr {
    /// Packet id, for the verdict.
    pub id: u32,
    /// Link-layer protocol (ethertype).
    pub hw_protocol: u16,
    /// Netfilter hook (`NF_INET_*`).
    pub hook: u8,
}

impl PacketHdr {
    /// Reads `NFQA_PACKET_HDR` (7 bytes; more are allowed and ignored).
    pub fn read(a: &wire::Attr<'_>) -> wire::Result<PacketHdr> {
        let [i0, i1, i2, i3, p0, p1, hook] = super::header_bytes(a)?;
        Ok(PacketHdr {
            id: u32::from_be_bytes([i0, i1, i2, i3]),
            hw_protocol: u16::from_be_bytes([p0, p1]),
            hook,
        })
    }
}

super::packet_view! {
    /// A queued packet, borrowed from the receive buffer (`NFQNL_MSG_PACKET`).
    pub struct Packet<'a>: NFQA_SET, "a queued packet";
    mark = NFQA_MARK, timestamp = NFQA_TIMESTAMP, indev = NFQA_IFINDEX_INDEV,
    outdev = NFQA_IFINDEX_OUTDEV, physindev = NFQA_IFINDEX_PHYSINDEV,
    physoutdev = NFQA_IFINDEX_PHYSOUTDEV, hwaddr = NFQA_HWADDR, payload = NFQA_PAYLOAD,
    uid = NFQA_UID, gid = NFQA_GID, ct = NFQA_CT, ct_info = NFQA_CT_INFO,
    vlan = NFQA_VLAN, l2hdr = NFQA_L2HDR;
    {
        /// Packet id, hardware protocol and hook (`NFQA_PACKET_HDR`).
        pub hdr: PacketHdr = NFQA_PACKET_HDR with PacketHdr::read,
        /// The packet's full length when the payload was cut (`NFQA_CAP_LEN`).
        pub cap_len: u32 as Be = NFQA_CAP_LEN,
        /// `NFQA_SKB_*` bits.
        pub skb_info: u32 as Be = NFQA_SKB_INFO,
        /// Security context.
        pub secctx: crate::schema::Name<'a> = NFQA_SECCTX,
        /// `skb->priority`.
        pub priority: u32 as Be = NFQA_PRIORITY,
    }
}

impl Packet<'_> {
    /// The queue it came from (`res_id`).
    pub fn queue(&self) -> u16 {
        self.header.res_id.get()
    }

    /// The packet id, for the verdict (`None` without a readable `NFQA_PACKET_HDR`:
    /// such a packet cannot be given a verdict).
    pub fn id(&self) -> Option<u32> {
        self.hdr.map(|h| h.id)
    }

    /// The netfilter hook (`NF_INET_*`), if the header read.
    pub fn hook(&self) -> Option<u8> {
        self.hdr.map(|h| h.hook)
    }

    /// True for a GSO packet (`NFQA_SKB_GSO`).
    pub fn is_gso(&self) -> bool {
        self.skb_info.is_some_and(|i| i & NFQA_SKB_GSO != 0)
    }

    /// The packet's length: `NFQA_CAP_LEN` when cut, else the payload's.
    pub fn len(&self) -> usize {
        self.cap_len
            .map(|l| l as usize)
            .unwrap_or_else(|| self.payload.map_or(0, <[u8]>::len))
    }

    /// True with no payload at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How to set a queue up.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Copy mode and range.
    pub copy: CopyMode,
    /// `NFQA_CFG_QUEUE_MAXLEN`: packets waiting at most (kernel default 1024).
    pub maxlen: Option<u32>,
    /// `NFQA_CFG_F_*` to set; each is sent with its mask bit.
    pub flags: u32,
    /// `NFQA_CFG_F_*` to clear (mask bits without the flag).
    pub clear: u32,
    /// Socket receive buffer to ask for (bytes), if any.
    pub rcvbuf: Option<usize>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            copy: CopyMode::Packet(0xffff),
            maxlen: None,
            flags: 0,
            clear: 0,
            rcvbuf: None,
        }
    }
}

/// A configuration request.
struct ConfigReq {
    queue: u16,
    cmd: Option<u8>,
    params: Option<CopyMode>,
    maxlen: Option<u32>,
    flags: Option<(u32, u32)>,
    what: String,
}

impl ToMsg for ConfigReq {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, msg_type(NFNL_SUBSYS_QUEUE, NFQNL_MSG_CONFIG), 0, 0, 0);
        w.fixed(&NfGenMsg::new(libc::AF_UNSPEC as u8, self.queue));
        if let Some(c) = self.cmd {
            w.attr(NFQA_CFG_CMD, &[c, 0, 0, 0])?;
        }
        if let Some(m) = self.params {
            let (range, mode) = match m {
                CopyMode::None => (0, 0u8),
                CopyMode::Meta => (0, 1),
                CopyMode::Packet(r) => (r, 2),
            };
            let mut b = [0u8; 5];
            b[..4].copy_from_slice(&range.to_be_bytes());
            b[4] = mode;
            w.attr(NFQA_CFG_PARAMS, &b)?;
        }
        if let Some(n) = self.maxlen {
            w.attr_be_u32(NFQA_CFG_QUEUE_MAXLEN, n)?;
        }
        if let Some((flags, mask)) = self.flags {
            w.attr_be_u32(NFQA_CFG_MASK, mask)?;
            w.attr_be_u32(NFQA_CFG_FLAGS, flags)?;
        }
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + NfGenMsg::LEN)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NFQA_CFG_SET
            .resolve(path, None)
            .names
            .last()
            .cloned()
            .flatten()
    }
}

/// What [`Queue::recv`] brings.
#[derive(Debug)]
pub enum Event<'a> {
    /// A packet: give it a verdict.
    Packet(Packet<'a>),
    /// A verdict the kernel refused (`ENOENT`: unknown id, `EPERM`...).
    VerdictFailed {
        /// The packet id the verdict was for.
        id: u32,
        /// The kernel's error.
        error: Error,
    },
    /// The socket overflowed (`ENOBUFS`): packets were lost (counted in [`Queue::lost`]).
    Lost,
    /// Nothing queued (only from [`Queue::try_recv`]).
    Empty,
}

/// Counters of a queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Packets received.
    pub packets: u64,
    /// Overruns (`ENOBUFS`).
    pub overruns: u64,
    /// Verdicts sent (a batch verdict counts once).
    pub verdicts: u64,
    /// Verdicts the kernel refused.
    pub verdict_errors: u64,
}

/// Datagrams one receive takes at most (`recvmmsg`).
const RECV_SLOTS: usize = 32;
/// Bytes per datagram: more than any packet message (a payload is at most
/// `0xffff - 4` bytes, `NFQNL_MAX_COPY_RANGE`, plus the other attributes).
const RECV_SLOT: usize = 72 * 1024;

/// One bound NFQUEUE queue and its socket.
#[derive(Debug)]
pub struct Queue {
    sock: Socket,
    num: u16,
    reader: Reader,
    out: Vec<u8>,
    stats: QueueStats,
}

/// Explains the errors a queue configuration may get.
fn explain(e: Error, queue: u16) -> Error {
    let hint = match e.errno() {
        Some(libc::EBUSY) => format!("queue {queue} is being bound by another socket"),
        Some(libc::EPERM) => format!(
            "queue {queue} belongs to another socket (bound there), or CAP_NET_ADMIN is missing"
        ),
        Some(libc::ENODEV) => format!("queue {queue} is not bound (bind it first)"),
        Some(libc::EOPNOTSUPP) => "this kernel does not support a flag asked for".into(),
        _ => return e,
    };
    with_hint(e, hint)
}

impl Queue {
    /// Opens a socket and binds queue `num` with `cfg`.
    pub fn open(num: u16, cfg: &Config) -> Result<Queue> {
        let sock = Socket::open(Protocol::NETFILTER)
            .map_err(|e| Error::io("open netfilter netlink socket", e))?;
        Queue::bind(sock, num, cfg)
    }

    /// Binds queue `num` on `sock` and configures it: copy mode (always: a
    /// new queue copies nothing), max length, flags (each with its mask bit;
    /// `EOPNOTSUPP` means the kernel lacks one).
    pub fn bind(sock: Socket, num: u16, cfg: &Config) -> Result<Queue> {
        let _ = sock.set_ext_ack(true);
        if let Some(b) = cfg.rcvbuf {
            if sock.set_recv_buffer_size(b, true).is_err() {
                let _ = sock.set_recv_buffer_size(b, false);
            }
        }
        let mut q = Queue {
            sock,
            num,
            reader: Reader::new(RECV_SLOTS, RECV_SLOT),
            out: Vec::with_capacity(4096),
            stats: QueueStats::default(),
        };
        q.config(ConfigReq {
            queue: num,
            cmd: Some(NFQNL_CFG_CMD_BIND),
            params: None,
            maxlen: None,
            flags: None,
            what: format!("bind queue {num}"),
        })?;
        q.set_copy(cfg.copy)?;
        if let Some(n) = cfg.maxlen {
            q.set_maxlen(n)?;
        }
        if cfg.flags | cfg.clear != 0 {
            q.set_flags(cfg.flags, cfg.flags | cfg.clear)?;
        }
        Ok(q)
    }

    /// The queue number.
    pub fn number(&self) -> u16 {
        self.num
    }

    /// The socket.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// Counters.
    pub fn stats(&self) -> QueueStats {
        self.stats
    }

    /// Overruns seen (`ENOBUFS`): each lost one or more packets.
    pub fn lost(&self) -> u64 {
        self.stats.overruns
    }

    /// Sets the copy mode and range.
    pub fn set_copy(&mut self, mode: CopyMode) -> Result<()> {
        let num = self.num;
        self.config(ConfigReq {
            queue: num,
            cmd: None,
            params: Some(mode),
            maxlen: None,
            flags: None,
            what: format!("set copy mode of queue {num}"),
        })
    }

    /// Sets the maximum number of packets waiting.
    pub fn set_maxlen(&mut self, n: u32) -> Result<()> {
        let num = self.num;
        self.config(ConfigReq {
            queue: num,
            cmd: None,
            params: None,
            maxlen: Some(n),
            flags: None,
            what: format!("set max length of queue {num}"),
        })
    }

    /// Sets the flags under `mask` to `flags`.
    pub fn set_flags(&mut self, flags: u32, mask: u32) -> Result<()> {
        let num = self.num;
        self.config(ConfigReq {
            queue: num,
            cmd: None,
            params: None,
            maxlen: None,
            flags: Some((flags, mask)),
            what: format!("set flags {flags:#x}/{mask:#x} of queue {num}"),
        })
    }

    /// True if the kernel accepts flag `flag` (asks it; `EOPNOTSUPP` is false).
    /// The flag is left set if supported.
    pub fn probe_flag(&mut self, flag: u32) -> Result<bool> {
        match self.set_flags(flag, flag) {
            Ok(()) => Ok(true),
            Err(e) if e.errno() == Some(libc::EOPNOTSUPP) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Unbinds the queue (also done by the kernel when the socket closes).
    pub fn unbind(&mut self) -> Result<()> {
        let num = self.num;
        self.config(ConfigReq {
            queue: num,
            cmd: Some(NFQNL_CFG_CMD_UNBIND),
            params: None,
            maxlen: None,
            flags: None,
            what: format!("unbind queue {num}"),
        })
    }

    fn config(&mut self, req: ConfigReq) -> Result<()> {
        let num = self.num;
        self.reader.request(&self.sock, &req, |e| explain(e, num))
    }

    /// Waits for the next packet (or a refused verdict, or an overrun).
    /// The packet borrows the queue's buffer until the next call.
    pub fn recv(&mut self) -> Result<Event<'_>> {
        self.next(true)
    }

    /// Like [`Queue::recv`], but returns [`Event::Empty`] at once when nothing is queued
    /// (to flush a batch of verdicts before waiting).
    pub fn try_recv(&mut self) -> Result<Event<'_>> {
        self.next(false)
    }

    /// Waits until something can be received (or `timeout` passes: `false`).
    pub fn wait(&mut self, timeout: Option<std::time::Duration>) -> Result<bool> {
        if self.reader.pending() {
            return Ok(true);
        }
        self.flush()?;
        self.sock
            .wait_readable(timeout)
            .map_err(|e| Error::io(format!("queue {}: wait", self.num), e))
    }

    fn next(&mut self, block: bool) -> Result<Event<'_>> {
        let num = self.num;
        let what = || format!("queue {num}");
        let range = loop {
            if !self.reader.pending() {
                self.flush()?;
            }
            let r = match self.reader.next(&self.sock, block, &what())? {
                Next::Msg(r) => r,
                Next::Lost => {
                    self.stats.overruns += 1;
                    return Ok(Event::Lost);
                }
                Next::Empty => return Ok(Event::Empty),
            };
            let m =
                Msg::new_checked(&self.reader.buf()[r.clone()]).map_err(|e| Error::Malformed {
                    what: what(),
                    source: e,
                })?;
            let seq = m.seq();
            match Control::parse(&m) {
                Ok(None) if m.msg_type() == msg_type(NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET) => {
                    break r;
                }
                Ok(Some(Control::Error(err))) if !err.is_ack() && seq & CONFIG_SEQ == 0 => {
                    self.stats.verdict_errors += 1;
                    let mut e = kernel_error(err.code, &err.ext_ack, None, None);
                    if let Error::Kernel(k) = &mut e {
                        k.what = Some(format!("verdict for packet {seq} of queue {}", self.num));
                    }
                    return Ok(Event::VerdictFailed { id: seq, error: e });
                }
                _ => continue,
            }
        };
        self.stats.packets += 1;
        let malformed = |e| Error::Malformed {
            what: format!("queue {}: packet", self.num),
            source: e,
        };
        let m = Msg::new_checked(&self.reader.buf()[range]).map_err(malformed)?;
        Ok(Event::Packet(Packet::parse(&m).map_err(malformed)?))
    }

    /// Appends a verdict message to the pending ones; `more` adds its attributes.
    fn push_verdict(
        &mut self,
        msg: u8,
        id: u32,
        v: Verdict,
        what: impl FnOnce() -> String,
        more: impl FnOnce(&mut MsgWriter<'_>) -> wire::Result<()>,
    ) -> Result<()> {
        let start = self.out.len();
        let mut w = MsgWriter::new(
            &mut self.out,
            msg_type(NFNL_SUBSYS_QUEUE, msg),
            MsgFlags::REQUEST,
            id,
            0,
        );
        w.fixed(&NfGenMsg::new(libc::AF_UNSPEC as u8, self.num));
        let mut hdr = [0u8; 8];
        hdr[..4].copy_from_slice(&v.code().to_be_bytes());
        hdr[4..].copy_from_slice(&id.to_be_bytes());
        let r = (|| {
            w.attr(NFQA_VERDICT_HDR, &hdr)?;
            more(&mut w)?;
            w.finish().map(drop)
        })();
        if let Err(e) = r {
            self.out.truncate(start);
            return Err(Error::Build {
                what: what(),
                source: e,
            });
        }
        self.stats.verdicts += 1;
        // Packets already received are handed out without a system call:
        // their verdicts go with this one, in one datagram, before the next receive.
        if self.reader.pending() && self.out.len() < VERDICT_FLUSH {
            return Ok(());
        }
        self.flush()
    }

    /// Sends the verdicts not sent yet (one datagram). [`Queue::recv`],
    /// [`Queue::try_recv`] and [`Queue::wait`] do it before they wait or
    /// receive, and dropping the queue does it too.
    pub fn flush(&mut self) -> Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let r = self.sock.send(&self.out);
        self.out.clear();
        r.map(drop)
            .map_err(|e| Error::io(format!("queue {}: send verdicts", self.num), e))
    }

    /// Issues a verdict for packet `id`.
    pub fn verdict(&mut self, id: u32, v: Verdict) -> Result<()> {
        self.verdict_with(id, v, &VerdictOpts::default())
    }

    /// Issues a verdict with a new mark, conntrack mark/labels or payload.
    pub fn verdict_with(&mut self, id: u32, v: Verdict, o: &VerdictOpts<'_>) -> Result<()> {
        let what = || format!("verdict for packet {id}");
        self.push_verdict(NFQNL_MSG_VERDICT, id, v, what, |w| {
            if let Some(m) = o.mark {
                w.attr_be_u32(NFQA_MARK, m)?;
            }
            if o.ct_mark.is_some() || o.ct_labels.is_some() {
                w.nest(NFQA_CT, |w| {
                    if let Some(m) = o.ct_mark {
                        w.attr_be_u32(super::conntrack::CTA_MARK, m)?;
                    }
                    if let Some(l) = o.ct_labels {
                        w.attr(super::conntrack::CTA_LABELS, l)?;
                    }
                    Ok(())
                })?;
            }
            if let Some(p) = o.payload {
                w.attr(NFQA_PAYLOAD, p)?;
            }
            Ok(())
        })
    }

    /// One verdict for every packet with an id up to `id` (and a mark for them all).
    pub fn verdict_batch(&mut self, id: u32, v: Verdict, mark: Option<u32>) -> Result<()> {
        let what = || format!("batch verdict up to packet {id}");
        self.push_verdict(NFQNL_MSG_VERDICT_BATCH, id, v, what, |w| {
            if let Some(m) = mark {
                w.attr_be_u32(NFQA_MARK, m)?;
            }
            Ok(())
        })
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // Verdicts not sent yet: a closing socket would drop their packets.
        let _ = self.flush();
    }
}

/// Pending verdicts are sent once they reach this many bytes.
const VERDICT_FLUSH: usize = 32 * 1024;

/// What a verdict may change besides the verdict itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct VerdictOpts<'a> {
    /// A new `skb->mark`.
    pub mark: Option<u32>,
    /// A new conntrack mark.
    pub ct_mark: Option<u32>,
    /// New conntrack labels.
    pub ct_labels: Option<&'a [u8]>,
    /// A changed packet (from the network header).
    pub payload: Option<&'a [u8]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet_msg() -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(
            &mut b,
            msg_type(NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET),
            0,
            0,
            0,
        );
        w.fixed(&NfGenMsg::new(2, 7));
        let mut hdr = Vec::new();
        hdr.extend_from_slice(&42u32.to_be_bytes()); // packet_id
        hdr.extend_from_slice(&0x0800u16.to_be_bytes()); // hw_protocol
        hdr.push(3); // hook: LOCAL_OUT
        w.attr(NFQA_PACKET_HDR, &hdr).unwrap();
        w.attr_be_u32(NFQA_MARK, 9).unwrap();
        w.attr_be_u32(NFQA_IFINDEX_OUTDEV, 1).unwrap();
        w.attr(NFQA_PAYLOAD, &[0x45, 0, 0, 20]).unwrap();
        w.attr_be_u32(NFQA_CAP_LEN, 1500).unwrap();
        w.attr_be_u32(NFQA_SKB_INFO, NFQA_SKB_GSO).unwrap();
        w.attr(99, &[1]).unwrap();
        w.finish().unwrap();
        b
    }

    #[test]
    fn packet_view() {
        let b = packet_msg();
        let p = Packet::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        let hdr = PacketHdr {
            id: 42,
            hw_protocol: 0x0800,
            hook: 3,
        };
        assert_eq!((p.queue(), p.family(), p.hdr), (7, 2, Some(hdr)));
        assert_eq!((p.id(), p.hook()), (Some(42), Some(3)));
        assert_eq!((p.mark, p.outdev), (Some(9), Some(1)));
        assert_eq!(p.payload, Some(&[0x45, 0, 0, 20][..]));
        assert_eq!(p.len(), 1500);
        assert!(p.is_gso());
        assert!(p.attrs().any(|a| a.unwrap().kind() == 99));
        assert_eq!(
            p.unknown_attrs().map(|a| a.kind()).collect::<Vec<_>>(),
            [99]
        );
        assert_eq!(p.malformed_attrs().count(), 0);
        for n in 0..b.len() {
            if let Ok(m) = Msg::new_checked(&b[..n]) {
                let _ = Packet::parse(&m);
            }
        }
    }

    /// An integer attribute of the wrong size (a 2-byte `NFQA_MARK`, a
    /// 6-byte packet header) stays raw in `malformed_attrs()`: the rest of
    /// the packet reads, and so does the next packet.
    #[test]
    fn a_wrong_size_attribute_stays_raw() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(
            &mut b,
            msg_type(NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET),
            0,
            0,
            0,
        );
        w.fixed(&NfGenMsg::new(2, 7));
        w.attr(NFQA_PACKET_HDR, &[0, 0, 0, 42, 0x08, 0x00, 3])
            .unwrap();
        w.attr(NFQA_MARK, &[0, 9]).unwrap(); // 2 bytes, not 4
        w.attr(NFQA_UID, &[0, 0, 0, 0, 0, 0, 3, 0xe8]).unwrap(); // 8 bytes
        w.attr(NFQA_TIMESTAMP, &[1; 12]).unwrap(); // 12, not 16
        w.attr(NFQA_HWADDR, &[0]).unwrap(); // no room for its length
        w.attr_be_u32(NFQA_GID, 100).unwrap();
        w.attr(NFQA_PAYLOAD, &[0x45, 0, 0, 20]).unwrap();
        w.finish().unwrap();
        let p = Packet::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(p.id(), Some(42));
        assert_eq!(
            (p.mark, p.uid, p.timestamp, p.hwaddr),
            (None, None, None, None)
        );
        assert_eq!((p.gid, p.payload), (Some(100), Some(&[0x45, 0, 0, 20][..])));
        let bad: Vec<_> = p
            .malformed_attrs()
            .map(|a| (a.kind(), a.payload().len()))
            .collect();
        assert_eq!(
            bad,
            [
                (NFQA_MARK, 2),
                (NFQA_UID, 8),
                (NFQA_TIMESTAMP, 12),
                (NFQA_HWADDR, 1)
            ]
        );
        // A header too short for the packet id: no id (no verdict can be given), the rest reads.
        let mut b = Vec::new();
        let mut w = MsgWriter::new(
            &mut b,
            msg_type(NFNL_SUBSYS_QUEUE, NFQNL_MSG_PACKET),
            0,
            0,
            0,
        );
        w.fixed(&NfGenMsg::new(2, 7));
        w.attr(NFQA_PACKET_HDR, &[0, 0, 0, 42, 0x08, 0x00]).unwrap();
        w.attr_be_u32(NFQA_MARK, 5).unwrap();
        w.finish().unwrap();
        let p = Packet::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!((p.id(), p.hook(), p.mark), (None, None, Some(5)));
        assert_eq!(
            p.malformed_attrs().map(|a| a.kind()).collect::<Vec<_>>(),
            [NFQA_PACKET_HDR]
        );
    }

    #[test]
    fn verdict_codes() {
        assert_eq!(Verdict::Accept.code(), 1);
        assert_eq!(Verdict::Drop.code(), 0);
        assert_eq!(Verdict::Queue(5).code(), 0x0005_0003);
        assert_eq!(Verdict::parse("queue:5"), Some(Verdict::Queue(5)));
        assert_eq!(Verdict::parse("nope"), None);
        assert_eq!(Verdict::Queue(5).name(), "queue:5");
    }

    #[test]
    fn config_bytes() {
        let r = ConfigReq {
            queue: 3,
            cmd: None,
            params: Some(CopyMode::Packet(0xffff)),
            maxlen: None,
            flags: Some((NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO)),
            what: String::new(),
        };
        let mut b = Vec::new();
        r.write(&mut b).unwrap();
        #[rustfmt::skip]
        let want: Vec<u8> = [
            &(48u32).to_ne_bytes()[..],          // nlmsg_len
            &(0x0302u16).to_ne_bytes(),          // QUEUE << 8 | CONFIG
            &0u16.to_ne_bytes(), &0u32.to_ne_bytes(), &0u32.to_ne_bytes(),
            &[0, 0, 0, 3],                       // nfgenmsg: unspec, v0, queue 3
            &9u16.to_ne_bytes(), &2u16.to_ne_bytes(), // NFQA_CFG_PARAMS
            &[0, 0, 0xff, 0xff, 2, 0, 0, 0],     // range 0xffff, COPY_PACKET, pad
            &8u16.to_ne_bytes(), &4u16.to_ne_bytes(), &5u32.to_be_bytes(), // NFQA_CFG_MASK
            &8u16.to_ne_bytes(), &5u16.to_ne_bytes(), &1u32.to_be_bytes(), // NFQA_CFG_FLAGS
        ].concat();
        assert_eq!(b, want);
    }
}
