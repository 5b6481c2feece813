//! NFLOG (`NFNL_SUBSYS_ULOG`): bind a log group, read the packets the
//! kernel logs to it (`log group N` in nft, `-j NFLOG` in xtables) as
//! zero-copy views.
//!
//! The kernel batches: one datagram holds up to `qthresh` packets (or what
//! `timeout` gathered, or what fits `nlbufsiz`), each an `NFULNL_MSG_PACKET`
//! with `NLM_F_MULTI`, the batch ending with `NLMSG_DONE`. [`Log::recv`]
//! hands them over one by one. An overrun (`ENOBUFS`) is counted and
//! reported as [`LogEvent::Lost`]; the log goes on.
//!
//! # References
//! uapi `linux/netfilter/nfnetlink_log.h`; the kernel's `net/netfilter/nfnetlink_log.c`.

use super::queue::CopyMode;
use super::reader::{with_hint, Next, Reader};
use super::{msg_type, NfGenMsg, NFNL_SUBSYS_ULOG};
use crate::conn::ToMsg;
use crate::error::{Error, Result};
use crate::route::attrs::{attr_table, Int, ValueKind::*};
use crate::socket::Socket;
use crate::wire::{self, Control, Msg, MsgWriter};
use crate::Protocol;
use std::fmt;

/// `NFULNL_MSG_PACKET`
pub const NFULNL_MSG_PACKET: u8 = 0;
/// `NFULNL_MSG_CONFIG`
pub const NFULNL_MSG_CONFIG: u8 = 1;

/// Message names by number, for decoders.
pub fn msg_name(msg: u8) -> Option<&'static str> {
    ["NFULNL_MSG_PACKET", "NFULNL_MSG_CONFIG"]
        .get(usize::from(msg))
        .copied()
}

/// The attribute set of a log message, for decoders.
pub fn attr_set(msg: u8) -> &'static crate::route::attrs::AttrSet {
    match msg {
        NFULNL_MSG_CONFIG => &NFULA_CFG_SET,
        _ => &NFULA_SET,
    }
}

attr_table! {
    /// A log attribute type (`NFULA_*`).
    enum LogAttr;
    /// The `NFULA_*` set.
    static NFULA_SET = "log";
    Unspec = 0, NFULA_UNSPEC, "NFULA_UNSPEC", Bytes;
    PacketHdr = 1, NFULA_PACKET_HDR, "NFULA_PACKET_HDR", Struct("nfulnl_msg_packet_hdr");
    Mark = 2, NFULA_MARK, "NFULA_MARK", BeU32;
    Timestamp = 3, NFULA_TIMESTAMP, "NFULA_TIMESTAMP", Struct("nfulnl_msg_packet_timestamp");
    IfindexIndev = 4, NFULA_IFINDEX_INDEV, "NFULA_IFINDEX_INDEV", BeU32;
    IfindexOutdev = 5, NFULA_IFINDEX_OUTDEV, "NFULA_IFINDEX_OUTDEV", BeU32;
    IfindexPhysindev = 6, NFULA_IFINDEX_PHYSINDEV, "NFULA_IFINDEX_PHYSINDEV", BeU32;
    IfindexPhysoutdev = 7, NFULA_IFINDEX_PHYSOUTDEV, "NFULA_IFINDEX_PHYSOUTDEV", BeU32;
    Hwaddr = 8, NFULA_HWADDR, "NFULA_HWADDR", Struct("nfulnl_msg_packet_hw");
    Payload = 9, NFULA_PAYLOAD, "NFULA_PAYLOAD", Bytes;
    Prefix = 10, NFULA_PREFIX, "NFULA_PREFIX", Str;
    Uid = 11, NFULA_UID, "NFULA_UID", BeU32;
    Seq = 12, NFULA_SEQ, "NFULA_SEQ", BeU32;
    SeqGlobal = 13, NFULA_SEQ_GLOBAL, "NFULA_SEQ_GLOBAL", BeU32;
    Gid = 14, NFULA_GID, "NFULA_GID", BeU32;
    Hwtype = 15, NFULA_HWTYPE, "NFULA_HWTYPE", BeU16;
    Hwheader = 16, NFULA_HWHEADER, "NFULA_HWHEADER", Bytes;
    Hwlen = 17, NFULA_HWLEN, "NFULA_HWLEN", BeU16;
    Ct = 18, NFULA_CT, "NFULA_CT", Nested(&super::conntrack::CTA_SET);
    CtInfo = 19, NFULA_CT_INFO, "NFULA_CT_INFO", BeU32;
    Vlan = 20, NFULA_VLAN, "NFULA_VLAN", NestedAny;
    L2hdr = 21, NFULA_L2HDR, "NFULA_L2HDR", Bytes;
}

attr_table! {
    /// A log configuration attribute type (`NFULA_CFG_*`).
    enum LogConfigAttr;
    /// The `NFULA_CFG_*` set.
    static NFULA_CFG_SET = "log-config";
    Unspec = 0, NFULA_CFG_UNSPEC, "NFULA_CFG_UNSPEC", Bytes;
    Cmd = 1, NFULA_CFG_CMD, "NFULA_CFG_CMD", U8;
    Mode = 2, NFULA_CFG_MODE, "NFULA_CFG_MODE", Struct("nfulnl_msg_config_mode");
    Nlbufsiz = 3, NFULA_CFG_NLBUFSIZ, "NFULA_CFG_NLBUFSIZ", BeU32;
    Timeout = 4, NFULA_CFG_TIMEOUT, "NFULA_CFG_TIMEOUT", BeU32;
    Qthresh = 5, NFULA_CFG_QTHRESH, "NFULA_CFG_QTHRESH", BeU32;
    Flags = 6, NFULA_CFG_FLAGS, "NFULA_CFG_FLAGS", Bits(Int::BeU16, LOG_FLAG_NAMES);
}

/// `NFULNL_CFG_F_*` bits.
pub const LOG_FLAG_NAMES: crate::route::attrs::Names =
    &[(1, "SEQ"), (2, "SEQ_GLOBAL"), (4, "CONNTRACK")];
/// `NFULNL_CFG_F_SEQ`: number packets per group.
pub const NFULNL_CFG_F_SEQ: u16 = 1;
/// `NFULNL_CFG_F_SEQ_GLOBAL`: number packets across groups.
pub const NFULNL_CFG_F_SEQ_GLOBAL: u16 = 2;
/// `NFULNL_CFG_F_CONNTRACK`: send conntrack information.
pub const NFULNL_CFG_F_CONNTRACK: u16 = 4;

/// `NFULNL_CFG_CMD_BIND`
pub const NFULNL_CFG_CMD_BIND: u8 = 1;
/// `NFULNL_CFG_CMD_UNBIND`
pub const NFULNL_CFG_CMD_UNBIND: u8 = 2;

/// `nfulnl_msg_packet_hdr`: hardware protocol and hook.
///
/// ```text
/// +-----------------+------+-----+
/// | hw_proto (be16) | hook | pad |
/// +-----------------+------+-----+
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[doc(alias = "nfulnl_msg_packet_hdr")]
pub struct LogHdr {
    /// Link-layer protocol (ethertype).
    pub hw_protocol: u16,
    /// Netfilter hook (`NF_INET_*`).
    pub hook: u8,
}

impl LogHdr {
    /// Reads `NFULA_PACKET_HDR` (the pad byte is not needed).
    pub fn read(a: &wire::Attr<'_>) -> wire::Result<LogHdr> {
        let [p0, p1, hook] = super::header_bytes(a)?;
        Ok(LogHdr {
            hw_protocol: u16::from_be_bytes([p0, p1]),
            hook,
        })
    }
}

super::packet_view! {
    /// A logged packet, borrowed from the receive buffer (`NFULNL_MSG_PACKET`).
    pub struct LogPacket<'a>: NFULA_SET, "a logged packet";
    mark = NFULA_MARK, timestamp = NFULA_TIMESTAMP, indev = NFULA_IFINDEX_INDEV,
    outdev = NFULA_IFINDEX_OUTDEV, physindev = NFULA_IFINDEX_PHYSINDEV,
    physoutdev = NFULA_IFINDEX_PHYSOUTDEV, hwaddr = NFULA_HWADDR, payload = NFULA_PAYLOAD,
    uid = NFULA_UID, gid = NFULA_GID, ct = NFULA_CT, ct_info = NFULA_CT_INFO,
    vlan = NFULA_VLAN, l2hdr = NFULA_L2HDR;
    {
        /// Hardware protocol and hook (`NFULA_PACKET_HDR`).
        pub hdr: LogHdr = NFULA_PACKET_HDR with LogHdr::read,
        /// The rule's prefix.
        pub prefix: crate::schema::Name<'a> = NFULA_PREFIX,
        /// Per-group sequence number (`NFULNL_CFG_F_SEQ`).
        pub seq: u32 as Be = NFULA_SEQ,
        /// Global sequence number (`NFULNL_CFG_F_SEQ_GLOBAL`).
        pub seq_global: u32 as Be = NFULA_SEQ_GLOBAL,
        /// `ARPHRD_*` of the input device.
        pub hwtype: u16 as Be = NFULA_HWTYPE,
        /// The link-layer header.
        pub hwheader: &'a [u8] = NFULA_HWHEADER,
        /// Its length.
        pub hwlen: u16 as Be = NFULA_HWLEN,
    }
}

impl<'a> LogPacket<'a> {
    /// The group (`res_id`).
    pub fn group(&self) -> u16 {
        self.header.res_id.get()
    }

    /// The netfilter hook (`NF_INET_*`), if the header read.
    pub fn hook(&self) -> Option<u8> {
        self.hdr.map(|h| h.hook)
    }

    /// The message's payload as received, in two parts: `nfgenmsg`, then
    /// the attributes (together, what a `LINKTYPE_NFLOG` pcap record holds).
    pub fn raw(&self) -> [&'a [u8]; 2] {
        use zerocopy::IntoBytes;
        [self.header.as_bytes(), self.attr_bytes()]
    }
}

/// How to set a log group up.
#[derive(Clone, Copy, Debug)]
pub struct LogConfig {
    /// Copy mode and range.
    pub copy: CopyMode,
    /// Packets per datagram at most (`NFULA_CFG_QTHRESH`).
    pub qthresh: Option<u32>,
    /// Flush a partial batch after this many 1/100 s (`NFULA_CFG_TIMEOUT`).
    pub timeout: Option<u32>,
    /// Kernel buffer per batch, bytes (`NFULA_CFG_NLBUFSIZ`).
    pub nlbufsiz: Option<u32>,
    /// `NFULNL_CFG_F_*`.
    pub flags: Option<u16>,
    /// Socket receive buffer to ask for.
    pub rcvbuf: Option<usize>,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            copy: CopyMode::Packet(0xffff),
            qthresh: None,
            timeout: None,
            nlbufsiz: None,
            flags: None,
            rcvbuf: None,
        }
    }
}

#[derive(Default)]
struct ConfigReq {
    group: u16,
    cmd: Option<u8>,
    mode: Option<CopyMode>,
    nlbufsiz: Option<u32>,
    timeout: Option<u32>,
    qthresh: Option<u32>,
    flags: Option<u16>,
    what: String,
}

impl ToMsg for ConfigReq {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, msg_type(NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG), 0, 0, 0);
        w.fixed(&NfGenMsg::new(libc::AF_UNSPEC as u8, self.group));
        if let Some(c) = self.cmd {
            w.attr_u8(NFULA_CFG_CMD, c)?;
        }
        if let Some(m) = self.mode {
            let (range, mode) = match m {
                CopyMode::None => (0, 0u8),
                CopyMode::Meta => (0, 1),
                CopyMode::Packet(r) => (r, 2),
            };
            let mut b = [0u8; 6];
            b[..4].copy_from_slice(&range.to_be_bytes());
            b[4] = mode;
            w.attr(NFULA_CFG_MODE, &b)?;
        }
        for (k, v) in [
            (NFULA_CFG_NLBUFSIZ, self.nlbufsiz),
            (NFULA_CFG_TIMEOUT, self.timeout),
            (NFULA_CFG_QTHRESH, self.qthresh),
        ] {
            if let Some(v) = v {
                w.attr_be_u32(k, v)?;
            }
        }
        if let Some(f) = self.flags {
            w.attr_be_u16(NFULA_CFG_FLAGS, f)?;
        }
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + NfGenMsg::LEN)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        NFULA_CFG_SET
            .resolve(path, None)
            .names
            .last()
            .cloned()
            .flatten()
    }
}

/// What [`Log::recv`] brings.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // handed out by value per packet: boxing would allocate
pub enum LogEvent<'a> {
    /// A logged packet.
    Packet(LogPacket<'a>),
    /// The socket overflowed (`ENOBUFS`): logged packets were lost.
    Lost,
    /// Nothing queued (only from [`Log::try_recv`]).
    Empty,
}

fn explain(e: Error, group: u16) -> Error {
    let hint = match e.errno() {
        Some(libc::EBUSY) => format!("group {group} is already bound by this socket"),
        Some(libc::EPERM) => {
            format!("group {group} belongs to another socket, or CAP_NET_ADMIN is missing")
        }
        Some(libc::ENODEV) => format!("group {group} is not bound (bind it first)"),
        _ => return e,
    };
    with_hint(e, hint)
}

/// One bound log group and its socket.
#[derive(Debug)]
pub struct Log {
    sock: Socket,
    group: u16,
    reader: Reader,
    packets: u64,
    overruns: u64,
}

impl Log {
    /// Opens a socket and binds `group` with `cfg`.
    pub fn open(group: u16, cfg: &LogConfig) -> Result<Log> {
        let sock = Socket::open(Protocol::NETFILTER)
            .map_err(|e| Error::io("open netfilter netlink socket", e))?;
        Log::bind(sock, group, cfg)
    }

    /// Binds `group` on `sock` and sets it up (the copy mode always).
    pub fn bind(sock: Socket, group: u16, cfg: &LogConfig) -> Result<Log> {
        let _ = sock.set_ext_ack(true);
        if let Some(b) = cfg.rcvbuf {
            if sock.set_recv_buffer_size(b, true).is_err() {
                let _ = sock.set_recv_buffer_size(b, false);
            }
        }
        let mut l = Log {
            sock,
            group,
            // One datagram at a time: the kernel already batches (up to `nlbufsiz`).
            reader: Reader::new(1, 256 * 1024),
            packets: 0,
            overruns: 0,
        };
        l.config(ConfigReq {
            cmd: Some(NFULNL_CFG_CMD_BIND),
            what: format!("bind log group {group}"),
            ..Default::default()
        })?;
        l.config(ConfigReq {
            mode: Some(cfg.copy),
            nlbufsiz: cfg.nlbufsiz,
            timeout: cfg.timeout,
            qthresh: cfg.qthresh,
            flags: cfg.flags,
            what: format!("configure log group {group}"),
            ..Default::default()
        })?;
        Ok(l)
    }

    fn config(&mut self, mut req: ConfigReq) -> Result<()> {
        req.group = self.group;
        let g = self.group;
        self.reader.request(&self.sock, &req, |e| explain(e, g))
    }

    /// The group.
    pub fn group(&self) -> u16 {
        self.group
    }

    /// Packets received.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Overruns (`ENOBUFS`) seen.
    pub fn lost(&self) -> u64 {
        self.overruns
    }

    /// Sets the flags (`NFULNL_CFG_F_*`).
    pub fn set_flags(&mut self, flags: u16) -> Result<()> {
        self.config(ConfigReq {
            flags: Some(flags),
            what: format!("set flags of log group {}", self.group),
            ..Default::default()
        })
    }

    /// Unbinds the group.
    pub fn unbind(&mut self) -> Result<()> {
        self.config(ConfigReq {
            cmd: Some(NFULNL_CFG_CMD_UNBIND),
            what: format!("unbind log group {}", self.group),
            ..Default::default()
        })
    }

    /// Waits until something can be received (or `timeout` passes: `false`).
    pub fn wait(&self, timeout: Option<std::time::Duration>) -> Result<bool> {
        if self.reader.pending() {
            return Ok(true);
        }
        self.sock
            .wait_readable(timeout)
            .map_err(|e| Error::io(format!("log group {}: wait", self.group), e))
    }

    /// The next logged packet (blocking).
    pub fn recv(&mut self) -> Result<LogEvent<'_>> {
        self.next(true)
    }

    /// The next logged packet, or [`LogEvent::Empty`] at once.
    pub fn try_recv(&mut self) -> Result<LogEvent<'_>> {
        self.next(false)
    }

    fn next(&mut self, block: bool) -> Result<LogEvent<'_>> {
        let what = format!("log group {}", self.group);
        let range = loop {
            let r = match self.reader.next(&self.sock, block, &what)? {
                Next::Msg(r) => r,
                Next::Lost => {
                    self.overruns += 1;
                    return Ok(LogEvent::Lost);
                }
                Next::Empty => return Ok(LogEvent::Empty),
            };
            let m =
                Msg::new_checked(&self.reader.buf()[r.clone()]).map_err(|e| Error::Malformed {
                    what: what.clone(),
                    source: e,
                })?;
            // NLMSG_DONE ends a batch; errors cannot come (no requests in flight).
            match Control::parse(&m) {
                Ok(None) if m.msg_type() == msg_type(NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET) => {
                    break r
                }
                _ => continue,
            }
        };
        self.packets += 1;
        let malformed = |e| Error::Malformed {
            what: format!("log group {}: packet", self.group),
            source: e,
        };
        let m = Msg::new_checked(&self.reader.buf()[range]).map_err(malformed)?;
        Ok(LogEvent::Packet(LogPacket::parse(&m).map_err(malformed)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_view() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, msg_type(NFNL_SUBSYS_ULOG, 0), 2, 0, 0); // MULTI
        w.fixed(&NfGenMsg::new(2, 5));
        w.attr(NFULA_PACKET_HDR, &[0x08, 0x00, 3, 0]).unwrap(); // IPv4, OUTPUT
        w.attr(NFULA_PREFIX, b"nlk: \0").unwrap();
        w.attr_be_u32(NFULA_SEQ, 7).unwrap();
        w.attr_be_u32(NFULA_UID, 1000).unwrap();
        w.attr(NFULA_PAYLOAD, &[0x45]).unwrap();
        w.finish().unwrap();
        let p = LogPacket::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        let hdr = LogHdr {
            hw_protocol: 0x0800,
            hook: 3,
        };
        assert_eq!((p.group(), p.hook(), p.hdr), (5, Some(3), Some(hdr)));
        assert_eq!(p.prefix.map(|n| n.to_string()).as_deref(), Some("nlk: "));
        assert_eq!((p.seq, p.uid), (Some(7), Some(1000)));
        assert_eq!(p.raw().concat(), &b[16..]);
        for n in 0..b.len() {
            if let Ok(m) = Msg::new_checked(&b[..n]) {
                let _ = LogPacket::parse(&m);
            }
        }
    }

    /// A rule's prefix is bytes: one that is not UTF-8 is kept, shown
    /// losslessly, and never fails the packet.
    #[test]
    fn a_prefix_that_is_not_utf8_is_kept() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, msg_type(NFNL_SUBSYS_ULOG, 0), 2, 0, 0);
        w.fixed(&NfGenMsg::new(2, 5));
        w.attr(NFULA_PREFIX, b"caf\xe9\0").unwrap();
        w.finish().unwrap();
        let p = LogPacket::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        let pfx = p.prefix.unwrap();
        assert_eq!(pfx.as_bytes(), b"caf\xe9");
        assert_eq!(pfx.to_string(), "caf\\xe9");
    }

    /// A wrong-size integer (a 2-byte `NFULA_SEQ`, a 3-byte `NFULA_MARK`)
    /// stays raw in `malformed_attrs()`; the prefix and payload still read.
    #[test]
    fn a_wrong_size_attribute_stays_raw() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, msg_type(NFNL_SUBSYS_ULOG, 0), 2, 0, 0);
        w.fixed(&NfGenMsg::new(2, 5));
        w.attr(NFULA_PACKET_HDR, &[0x08, 0x00, 1, 0]).unwrap();
        w.attr(NFULA_SEQ, &[0, 7]).unwrap();
        w.attr(NFULA_MARK, &[0, 0, 9]).unwrap();
        w.attr(NFULA_PREFIX, b"x\0").unwrap();
        w.attr(NFULA_PAYLOAD, &[0x45]).unwrap();
        w.finish().unwrap();
        let p = LogPacket::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!((p.seq, p.mark, p.hook()), (None, None, Some(1)));
        assert_eq!(p.prefix.map(|n| n.to_string()).as_deref(), Some("x"));
        assert_eq!(p.payload, Some(&[0x45][..]));
        let bad: Vec<_> = p.malformed_attrs().map(|a| a.kind()).collect();
        assert_eq!(bad, [NFULA_SEQ, NFULA_MARK]);
    }
}
