//! inet_diag: TCP, UDP, raw and MPTCP sockets over IPv4 and IPv6.
//!
//! [`InetDump`] asks for a dump (`inet_diag_req_v2`, states, extensions, an
//! optional `INET_DIAG_REQ_BYTECODE` filter); each reply is an [`InetSock`]
//! view: the `inet_diag_msg` header read in place, its attributes indexed in
//! one pass. [`InetDestroy`] is `SOCK_DESTROY` for one dumped socket.
//!
//! # References
//! `linux/inet_diag.h`, `net/ipv4/inet_diag.c`, `linux/tcp.h`.

use super::{read_padded, AttrTable, SkMemInfo, SOCK_DESTROY, SOCK_DIAG_BY_FAMILY};
use super::{AF_INET, AF_INET6};
use crate::conn::ToMsg;
use crate::route::attrs::attr_table;
use crate::wire::{self, Msg, MsgFlags, MsgWriter, NLMSG_HDRLEN};
use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use zerocopy::byteorder::{BigEndian, NativeEndian, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

attr_table! {
    /// A reply attribute type (`INET_DIAG_*`).
    enum InetAttr;
    /// The `INET_DIAG_*` set.
    static INET_DIAG_SET = "inet_diag";
    None = 0, INET_DIAG_NONE, "INET_DIAG_NONE", crate::route::attrs::ValueKind::Bytes;
    Meminfo = 1, INET_DIAG_MEMINFO, "INET_DIAG_MEMINFO", crate::route::attrs::ValueKind::Struct("inet_diag_meminfo");
    Info = 2, INET_DIAG_INFO, "INET_DIAG_INFO", crate::route::attrs::ValueKind::Struct("tcp_info");
    Vegasinfo = 3, INET_DIAG_VEGASINFO, "INET_DIAG_VEGASINFO", crate::route::attrs::ValueKind::Struct("tcpvegas_info");
    Cong = 4, INET_DIAG_CONG, "INET_DIAG_CONG", crate::route::attrs::ValueKind::Str;
    Tos = 5, INET_DIAG_TOS, "INET_DIAG_TOS", crate::route::attrs::ValueKind::U8;
    Tclass = 6, INET_DIAG_TCLASS, "INET_DIAG_TCLASS", crate::route::attrs::ValueKind::U8;
    Skmeminfo = 7, INET_DIAG_SKMEMINFO, "INET_DIAG_SKMEMINFO", crate::route::attrs::ValueKind::List(crate::route::attrs::Int::U32);
    Shutdown = 8, INET_DIAG_SHUTDOWN, "INET_DIAG_SHUTDOWN", crate::route::attrs::ValueKind::U8;
    Dctcpinfo = 9, INET_DIAG_DCTCPINFO, "INET_DIAG_DCTCPINFO", crate::route::attrs::ValueKind::Struct("tcp_dctcp_info");
    Protocol = 10, INET_DIAG_PROTOCOL, "INET_DIAG_PROTOCOL", crate::route::attrs::ValueKind::U8;
    Skv6only = 11, INET_DIAG_SKV6ONLY, "INET_DIAG_SKV6ONLY", crate::route::attrs::ValueKind::U8;
    Locals = 12, INET_DIAG_LOCALS, "INET_DIAG_LOCALS", crate::route::attrs::ValueKind::Bytes;
    Peers = 13, INET_DIAG_PEERS, "INET_DIAG_PEERS", crate::route::attrs::ValueKind::Bytes;
    Pad = 14, INET_DIAG_PAD, "INET_DIAG_PAD", crate::route::attrs::ValueKind::Bytes;
    Mark = 15, INET_DIAG_MARK, "INET_DIAG_MARK", crate::route::attrs::ValueKind::U32;
    Bbrinfo = 16, INET_DIAG_BBRINFO, "INET_DIAG_BBRINFO", crate::route::attrs::ValueKind::Struct("tcp_bbr_info");
    ClassId = 17, INET_DIAG_CLASS_ID, "INET_DIAG_CLASS_ID", crate::route::attrs::ValueKind::U32;
    Md5sig = 18, INET_DIAG_MD5SIG, "INET_DIAG_MD5SIG", crate::route::attrs::ValueKind::Bytes;
    UlpInfo = 19, INET_DIAG_ULP_INFO, "INET_DIAG_ULP_INFO", crate::route::attrs::ValueKind::NestedAny;
    SkBpfStorages = 20, INET_DIAG_SK_BPF_STORAGES, "INET_DIAG_SK_BPF_STORAGES", crate::route::attrs::ValueKind::NestedAny;
    CgroupId = 21, INET_DIAG_CGROUP_ID, "INET_DIAG_CGROUP_ID", crate::route::attrs::ValueKind::U64;
    Sockopt = 22, INET_DIAG_SOCKOPT, "INET_DIAG_SOCKOPT", crate::route::attrs::ValueKind::Struct("inet_diag_sockopt");
}

/// `INET_DIAG_REQ_BYTECODE`: the filter program of a dump request.
pub const INET_DIAG_REQ_BYTECODE: u16 = 1;
/// `INET_DIAG_REQ_PROTOCOL`: the protocol, when above 255 (MPTCP).
pub const INET_DIAG_REQ_PROTOCOL: u16 = 3;
/// `INET_ULP_INFO_NAME` (nested in `INET_DIAG_ULP_INFO`).
pub const INET_ULP_INFO_NAME: u16 = 1;
/// `INET_DIAG_NOCOOKIE`.
pub const NOCOOKIE: u32 = !0;

/// Extension bits for `idiag_ext`: attribute `kind` is asked for with bit `kind - 1`.
pub const fn ext(kind: u16) -> u8 {
    1 << (kind - 1)
}

/// `struct inet_diag_sockid`: ports and addresses in network order, the
/// interface, the socket cookie.
///
/// ```text
/// +----------------+----------------+
/// | sport (be16)   | dport (be16)   |
/// +----------------+----------------+
/// |  src (4 x be32: IPv4 in the first) |
/// |  dst (4 x be32)                    |
/// +---------------------------------+
/// | if (u32) | cookie (2 x u32)     |
/// +---------------------------------+
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "inet_diag_sockid")]
pub struct SockId {
    /// Source port (network order).
    pub sport: U16<BigEndian>,
    /// Destination port (network order).
    pub dport: U16<BigEndian>,
    /// Source address (IPv4 in the first four bytes).
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
    /// Bound interface index.
    pub ifindex: U32<NativeEndian>,
    /// Socket cookie (two u32 halves, low first).
    pub cookie: [U32<NativeEndian>; 2],
}

impl SockId {
    /// The cookie as one number (what ss prints as `sk:`).
    pub fn cookie64(&self) -> u64 {
        (self.cookie[1].get() as u64) << 32 | self.cookie[0].get() as u64
    }
}

/// `struct inet_diag_req_v2` (and `inet_diag_req_raw`, whose `pad` is the raw protocol).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "inet_diag_req_v2")]
pub struct InetDiagReqV2 {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// `IPPROTO_*` (low 8 bits; MPTCP goes in `INET_DIAG_REQ_PROTOCOL`).
    pub protocol: u8,
    /// Extensions asked for ([`ext`]).
    pub ext: u8,
    /// Padding, or `sdiag_raw_protocol` for raw sockets.
    pub pad: u8,
    /// States to dump, a bit per [`State`](super::State).
    pub states: U32<NativeEndian>,
    /// The socket (for `SOCK_DESTROY` and single-socket gets).
    pub id: SockId,
}

/// `struct inet_diag_msg`: the fixed part of every reply.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "inet_diag_msg")]
pub struct InetDiagMsg {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// [`State`](super::State) number.
    pub state: u8,
    /// Which timer runs (0 none, 1 retransmit, 2 keepalive, 3 time-wait, 4 probe).
    pub timer: u8,
    /// Retransmits (or probes) so far.
    pub retrans: u8,
    /// Ports, addresses, interface, cookie.
    pub id: SockId,
    /// Time until the timer fires, ms.
    pub expires: U32<NativeEndian>,
    /// Receive queue (listeners: accept queue).
    pub rqueue: U32<NativeEndian>,
    /// Send queue (listeners: backlog).
    pub wqueue: U32<NativeEndian>,
    /// Owner uid.
    pub uid: U32<NativeEndian>,
    /// Inode.
    pub inode: U32<NativeEndian>,
}

/// `struct inet_diag_meminfo` (`INET_DIAG_MEMINFO`).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct MemInfo {
    pub rmem: U32<NativeEndian>,
    pub wmem: U32<NativeEndian>,
    pub fmem: U32<NativeEndian>,
    pub tmem: U32<NativeEndian>,
}

/// `struct tcpvegas_info` (`INET_DIAG_VEGASINFO`).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct VegasInfo {
    pub enabled: U32<NativeEndian>,
    pub rttcnt: U32<NativeEndian>,
    pub rtt: U32<NativeEndian>,
    pub minrtt: U32<NativeEndian>,
}

/// `struct tcp_dctcp_info` (`INET_DIAG_DCTCPINFO`).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct DctcpInfo {
    pub enabled: U16<NativeEndian>,
    pub ce_state: U16<NativeEndian>,
    pub alpha: U32<NativeEndian>,
    pub ab_ecn: U32<NativeEndian>,
    pub ab_tot: U32<NativeEndian>,
}

/// `struct tcp_bbr_info` (`INET_DIAG_BBRINFO`).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[allow(missing_docs)]
pub struct BbrInfo {
    pub bw_lo: U32<NativeEndian>,
    pub bw_hi: U32<NativeEndian>,
    pub min_rtt: U32<NativeEndian>,
    pub pacing_gain: U32<NativeEndian>,
    pub cwnd_gain: U32<NativeEndian>,
}

/// `struct tcp_info` (`INET_DIAG_INFO` of a TCP socket), up to `tcpi_snd_wnd`.
/// Read with [`InetSock::tcp_info`]: fields an older kernel does not send are 0.
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "tcp_info")]
#[allow(missing_docs)]
pub struct TcpInfo {
    pub state: u8,
    pub ca_state: u8,
    pub retransmits: u8,
    pub probes: u8,
    pub backoff: u8,
    /// `TCPI_OPT_*`.
    pub options: u8,
    /// `snd_wscale` (low 4 bits) and `rcv_wscale` (high 4 bits).
    pub wscale: u8,
    /// `delivery_rate_app_limited` (bit 0), `fastopen_client_fail` (bits 1-2).
    pub flags: u8,
    pub rto: U32<NativeEndian>,
    pub ato: U32<NativeEndian>,
    pub snd_mss: U32<NativeEndian>,
    pub rcv_mss: U32<NativeEndian>,
    pub unacked: U32<NativeEndian>,
    pub sacked: U32<NativeEndian>,
    pub lost: U32<NativeEndian>,
    pub retrans: U32<NativeEndian>,
    pub fackets: U32<NativeEndian>,
    pub last_data_sent: U32<NativeEndian>,
    pub last_ack_sent: U32<NativeEndian>,
    pub last_data_recv: U32<NativeEndian>,
    pub last_ack_recv: U32<NativeEndian>,
    pub pmtu: U32<NativeEndian>,
    pub rcv_ssthresh: U32<NativeEndian>,
    pub rtt: U32<NativeEndian>,
    pub rttvar: U32<NativeEndian>,
    pub snd_ssthresh: U32<NativeEndian>,
    pub snd_cwnd: U32<NativeEndian>,
    pub advmss: U32<NativeEndian>,
    pub reordering: U32<NativeEndian>,
    pub rcv_rtt: U32<NativeEndian>,
    pub rcv_space: U32<NativeEndian>,
    pub total_retrans: U32<NativeEndian>,
    pub pacing_rate: U64<NativeEndian>,
    pub max_pacing_rate: U64<NativeEndian>,
    pub bytes_acked: U64<NativeEndian>,
    pub bytes_received: U64<NativeEndian>,
    pub segs_out: U32<NativeEndian>,
    pub segs_in: U32<NativeEndian>,
    pub notsent_bytes: U32<NativeEndian>,
    pub min_rtt: U32<NativeEndian>,
    pub data_segs_in: U32<NativeEndian>,
    pub data_segs_out: U32<NativeEndian>,
    pub delivery_rate: U64<NativeEndian>,
    pub busy_time: U64<NativeEndian>,
    pub rwnd_limited: U64<NativeEndian>,
    pub sndbuf_limited: U64<NativeEndian>,
    pub delivered: U32<NativeEndian>,
    pub delivered_ce: U32<NativeEndian>,
    pub bytes_sent: U64<NativeEndian>,
    pub bytes_retrans: U64<NativeEndian>,
    pub dsack_dups: U32<NativeEndian>,
    pub reord_seen: U32<NativeEndian>,
    pub rcv_ooopack: U32<NativeEndian>,
    pub snd_wnd: U32<NativeEndian>,
}

/// `struct mptcp_info` (`INET_DIAG_INFO` of an MPTCP socket).
#[derive(Clone, Copy, Debug, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
#[doc(alias = "mptcp_info")]
#[allow(missing_docs)]
pub struct MptcpInfo {
    pub subflows: u8,
    pub add_addr_signal: u8,
    pub add_addr_accepted: u8,
    pub subflows_max: u8,
    pub add_addr_signal_max: u8,
    pub add_addr_accepted_max: u8,
    pub pad: [u8; 2],
    /// `MPTCP_INFO_FLAG_*`: 1 fallback, 2 remote key received.
    pub flags: U32<NativeEndian>,
    pub token: U32<NativeEndian>,
    pub write_seq: U64<NativeEndian>,
    pub snd_una: U64<NativeEndian>,
    pub rcv_nxt: U64<NativeEndian>,
    pub local_addr_used: u8,
    pub local_addr_max: u8,
    pub csum_enabled: u8,
    pub pad2: [u8; 5],
}

/// `MPTCP_SUBFLOW_ATTR_*`: what `INET_ULP_INFO_MPTCP` holds for a subflow.
pub mod subflow {
    /// `MPTCP_SUBFLOW_ATTR_TOKEN_REM` (u32).
    pub const TOKEN_REM: u16 = 1;
    /// `MPTCP_SUBFLOW_ATTR_TOKEN_LOC` (u32).
    pub const TOKEN_LOC: u16 = 2;
    /// `MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ` (u32).
    pub const RELWRITE_SEQ: u16 = 3;
    /// `MPTCP_SUBFLOW_ATTR_MAP_SEQ` (u64).
    pub const MAP_SEQ: u16 = 4;
    /// `MPTCP_SUBFLOW_ATTR_MAP_SFSEQ` (u32).
    pub const MAP_SFSEQ: u16 = 5;
    /// `MPTCP_SUBFLOW_ATTR_SSN_OFFSET` (u32).
    pub const SSN_OFFSET: u16 = 6;
    /// `MPTCP_SUBFLOW_ATTR_MAP_DATALEN` (u32).
    pub const MAP_DATALEN: u16 = 7;
    /// `MPTCP_SUBFLOW_ATTR_FLAGS` (u32, `MPTCP_SUBFLOW_FLAG_*`).
    pub const FLAGS: u16 = 8;
    /// `MPTCP_SUBFLOW_ATTR_ID_REM` (u8).
    pub const ID_REM: u16 = 9;
    /// `MPTCP_SUBFLOW_ATTR_ID_LOC` (u8).
    pub const ID_LOC: u16 = 10;
}

/// `INET_ULP_INFO_TLS` (nested in `INET_DIAG_ULP_INFO`).
pub const INET_ULP_INFO_TLS: u16 = 2;
/// `INET_ULP_INFO_MPTCP` (nested in `INET_DIAG_ULP_INFO`).
pub const INET_ULP_INFO_MPTCP: u16 = 3;

/// `TCPI_OPT_*` bits of [`TcpInfo::options`].
pub mod tcpi_opt {
    /// `TCPI_OPT_TIMESTAMPS`.
    pub const TIMESTAMPS: u8 = 1;
    /// `TCPI_OPT_SACK`.
    pub const SACK: u8 = 2;
    /// `TCPI_OPT_WSCALE`.
    pub const WSCALE: u8 = 4;
    /// `TCPI_OPT_ECN`.
    pub const ECN: u8 = 8;
    /// `TCPI_OPT_ECN_SEEN`.
    pub const ECN_SEEN: u8 = 16;
    /// `TCPI_OPT_SYN_DATA`.
    pub const SYN_DATA: u8 = 32;
}

impl TcpInfo {
    /// `tcpi_snd_wscale`.
    pub fn snd_wscale(&self) -> u8 {
        self.wscale & 0xf
    }
    /// `tcpi_rcv_wscale`.
    pub fn rcv_wscale(&self) -> u8 {
        self.wscale >> 4
    }
    /// `tcpi_delivery_rate_app_limited`.
    pub fn app_limited(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// A dump request for inet sockets of one family and protocol.
#[derive(Clone, Debug)]
pub struct InetDump<'a> {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// `IPPROTO_TCP`, `IPPROTO_UDP`, `IPPROTO_RAW`, `IPPROTO_MPTCP`...
    pub protocol: u16,
    /// States, a bit per [`State`](super::State).
    pub states: u32,
    /// Extensions ([`ext`] bits).
    pub ext: u8,
    /// A compiled filter ([`filter::compile`](super::filter::compile)), if any.
    pub bytecode: Option<&'a [u8]>,
}

impl<'a> InetDump<'a> {
    /// Every socket of `protocol` over `family`, in every state.
    pub fn new(family: u8, protocol: u16) -> Self {
        InetDump {
            family,
            protocol,
            states: super::states::ALL,
            ext: 0,
            bytecode: None,
        }
    }
    /// Only these states.
    pub fn states(mut self, states: u32) -> Self {
        self.states = states;
        self
    }
    /// Ask for the attribute `kind` too (`INET_DIAG_INFO`...).
    pub fn with(mut self, kind: u16) -> Self {
        if (1..=8).contains(&kind) {
            self.ext |= ext(kind);
        }
        self
    }
    /// Filter in the kernel with this bytecode.
    pub fn filter(mut self, bytecode: &'a [u8]) -> Self {
        self.bytecode = Some(bytecode);
        self
    }
}

fn proto_name(p: u16) -> &'static str {
    match p {
        6 => "tcp",
        17 => "udp",
        255 => "raw",
        262 => "mptcp",
        33 => "dccp",
        132 => "sctp",
        _ => "inet",
    }
}

fn family_name(f: u8) -> &'static str {
    if f == AF_INET6 {
        "IPv6"
    } else {
        "IPv4"
    }
}

fn write_req(w: &mut MsgWriter<'_>, req: &InetDiagReqV2, protocol: u16) -> wire::Result<()> {
    w.fixed(req);
    if protocol > 255 {
        w.attr_u32(INET_DIAG_REQ_PROTOCOL, protocol as u32)?;
    }
    Ok(())
}

impl ToMsg for InetDump<'_> {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let req = InetDiagReqV2 {
            family: self.family,
            protocol: self.protocol as u8,
            ext: self.ext,
            pad: 0,
            states: self.states.into(),
            id: SockId {
                cookie: [NOCOOKIE.into(), NOCOOKIE.into()],
                ..SockId::default()
            },
        };
        let mut w = MsgWriter::new(buf, SOCK_DIAG_BY_FAMILY, MsgFlags::DUMP, 0, 0);
        write_req(&mut w, &req, self.protocol)?;
        if let Some(bc) = self.bytecode {
            w.attr(INET_DIAG_REQ_BYTECODE, bc)?;
        }
        w.finish()?;
        Ok(NLMSG_HDRLEN + core::mem::size_of::<InetDiagReqV2>())
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dump {} {} sockets",
            family_name(self.family),
            proto_name(self.protocol)
        )
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        match path {
            [1] => Some("INET_DIAG_REQ_BYTECODE".into()),
            [3] => Some("INET_DIAG_REQ_PROTOCOL".into()),
            _ => None,
        }
    }
}

/// `SOCK_DESTROY` for one socket, as a dump reported it.
#[derive(Clone, Copy, Debug)]
pub struct InetDestroy {
    /// The socket's family.
    pub family: u8,
    /// Its protocol.
    pub protocol: u16,
    /// For raw sockets, the raw protocol (`INET_DIAG_PROTOCOL` of the dump).
    pub raw_protocol: u8,
    /// Its id (ports, addresses, interface, cookie), from the dump.
    pub id: SockId,
}

impl InetDestroy {
    /// Destroys the socket `s` (of `protocol`) reported by a dump.
    pub fn of(s: &InetSock<'_>, protocol: u16) -> Self {
        InetDestroy {
            family: s.hdr.family,
            protocol,
            raw_protocol: s.attrs.u8(INET_DIAG_PROTOCOL).unwrap_or(0),
            id: s.hdr.id,
        }
    }
}

impl ToMsg for InetDestroy {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let req = InetDiagReqV2 {
            family: self.family,
            protocol: self.protocol as u8,
            ext: 0,
            pad: if self.protocol == super::IPPROTO_RAW {
                self.raw_protocol
            } else {
                0
            },
            states: 0.into(),
            id: self.id,
        };
        let mut w = MsgWriter::new(buf, SOCK_DESTROY, 0, 0, 0);
        write_req(&mut w, &req, self.protocol)?;
        w.finish()?;
        Ok(NLMSG_HDRLEN + core::mem::size_of::<InetDiagReqV2>())
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (src, dst) = (
            addr(self.family, &self.id.src),
            addr(self.family, &self.id.dst),
        );
        write!(
            f,
            "destroy {} socket {} port {} -> {} port {}",
            proto_name(self.protocol),
            src,
            self.id.sport.get(),
            dst,
            self.id.dport.get()
        )
    }
}

fn addr(family: u8, b: &[u8; 16]) -> IpAddr {
    if family == AF_INET {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*b))
    }
}

/// One socket of an inet dump: the header in place, the attributes indexed.
#[derive(Clone, Copy, Debug)]
pub struct InetSock<'a> {
    /// The fixed header.
    pub hdr: &'a InetDiagMsg,
    /// The attributes (`INET_DIAG_*`), indexed by type; unknown ones kept raw.
    pub attrs: AttrTable<'a, 24>,
}

impl<'a> InetSock<'a> {
    /// Parses one `SOCK_DIAG_BY_FAMILY` reply.
    pub fn parse(msg: Msg<&'a [u8]>) -> wire::Result<Self> {
        let (hdr, attrs) = super::parse_reply(msg)?;
        Ok(InetSock { hdr, attrs })
    }
    /// The socket's state.
    pub fn state(&self) -> super::State {
        super::State(self.hdr.state)
    }
    /// The local address.
    pub fn src(&self) -> IpAddr {
        addr(self.hdr.family, &self.hdr.id.src)
    }
    /// The remote address.
    pub fn dst(&self) -> IpAddr {
        addr(self.hdr.family, &self.hdr.id.dst)
    }
    /// The local port.
    pub fn sport(&self) -> u16 {
        self.hdr.id.sport.get()
    }
    /// The remote port.
    pub fn dport(&self) -> u16 {
        self.hdr.id.dport.get()
    }
    /// `struct tcp_info`, zero-filled past what the kernel sent.
    pub fn tcp_info(&self) -> Option<TcpInfo> {
        self.attrs.get(INET_DIAG_INFO).map(read_padded)
    }
    /// `INET_DIAG_MEMINFO`.
    pub fn meminfo(&self) -> Option<MemInfo> {
        self.attrs.get(INET_DIAG_MEMINFO).map(read_padded)
    }
    /// `INET_DIAG_SKMEMINFO`.
    pub fn skmeminfo(&self) -> Option<SkMemInfo<'a>> {
        self.attrs.get(INET_DIAG_SKMEMINFO).map(SkMemInfo::new)
    }
    /// `INET_DIAG_VEGASINFO`.
    pub fn vegas(&self) -> Option<VegasInfo> {
        self.attrs.get(INET_DIAG_VEGASINFO).map(read_padded)
    }
    /// `INET_DIAG_DCTCPINFO`.
    pub fn dctcp(&self) -> Option<DctcpInfo> {
        self.attrs.get(INET_DIAG_DCTCPINFO).map(read_padded)
    }
    /// `INET_DIAG_BBRINFO`.
    pub fn bbr(&self) -> Option<BbrInfo> {
        self.attrs.get(INET_DIAG_BBRINFO).map(read_padded)
    }
    /// The congestion control algorithm (`INET_DIAG_CONG`).
    pub fn cong(&self) -> Option<&'a str> {
        self.attrs.str(INET_DIAG_CONG)
    }
    /// The ULP name (`tls`, `mptcp`) from `INET_DIAG_ULP_INFO`.
    pub fn ulp_name(&self) -> Option<&'a str> {
        let p = self.attrs.get(INET_DIAG_ULP_INFO)?;
        let a = wire::AttrIter::new(p).find(INET_ULP_INFO_NAME).ok()??;
        a.cstr().ok()
    }
    /// `struct mptcp_info`, for an MPTCP socket (zero-filled past what was sent).
    pub fn mptcp_info(&self) -> Option<MptcpInfo> {
        self.attrs.get(INET_DIAG_INFO).map(read_padded)
    }
    /// The MPTCP subflow attributes (`INET_ULP_INFO_MPTCP`) of a TCP subflow.
    pub fn mptcp_subflow(&self) -> Option<AttrTable<'a, 12>> {
        let p = self.attrs.get(INET_DIAG_ULP_INFO)?;
        let a = wire::AttrIter::new(p).find(INET_ULP_INFO_MPTCP).ok()??;
        AttrTable::parse(a.payload(), 0).ok()
    }
    /// `INET_DIAG_SHUTDOWN`: bit 0 receive, bit 1 send.
    pub fn shutdown(&self) -> Option<u8> {
        self.attrs.u8(INET_DIAG_SHUTDOWN)
    }
    /// `INET_DIAG_MARK`.
    pub fn mark(&self) -> Option<u32> {
        self.attrs.u32(INET_DIAG_MARK)
    }
    /// `INET_DIAG_CGROUP_ID`.
    pub fn cgroup_id(&self) -> Option<u64> {
        self.attrs.u64(INET_DIAG_CGROUP_ID)
    }
    /// `INET_DIAG_TOS`.
    pub fn tos(&self) -> Option<u8> {
        self.attrs.u8(INET_DIAG_TOS)
    }
    /// `INET_DIAG_TCLASS`.
    pub fn tclass(&self) -> Option<u8> {
        self.attrs.u8(INET_DIAG_TCLASS)
    }
    /// `INET_DIAG_CLASS_ID`.
    pub fn class_id(&self) -> Option<u32> {
        self.attrs.u32(INET_DIAG_CLASS_ID)
    }
    /// `INET_DIAG_SKV6ONLY`.
    pub fn v6only(&self) -> Option<u8> {
        self.attrs.u8(INET_DIAG_SKV6ONLY)
    }
    /// `INET_DIAG_PROTOCOL` (the socket's own protocol: raw sockets, MPTCP subflows).
    pub fn protocol(&self) -> Option<u8> {
        self.attrs.u8(INET_DIAG_PROTOCOL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{states, IPPROTO_MPTCP, IPPROTO_TCP};

    #[test]
    fn layouts_match_the_uapi() {
        assert_eq!(core::mem::size_of::<SockId>(), 48);
        assert_eq!(core::mem::size_of::<InetDiagReqV2>(), 56);
        assert_eq!(core::mem::size_of::<InetDiagMsg>(), 72);
        assert_eq!(core::mem::size_of::<TcpInfo>(), 232);
        assert_eq!(core::mem::size_of::<DctcpInfo>(), 16);
        assert_eq!(core::mem::size_of::<BbrInfo>(), 20);
        assert_eq!(core::mem::size_of::<MptcpInfo>(), 48);
    }

    #[test]
    fn dump_request_bytes() {
        let bc = [1u8, 4, 8, 0];
        let req = InetDump::new(AF_INET, IPPROTO_TCP)
            .states(1 << 10)
            .with(INET_DIAG_INFO)
            .filter(&bc);
        let mut buf = Vec::new();
        let at = req.write(&mut buf).unwrap();
        assert_eq!(at, 16 + 56);
        let m = Msg::new_checked(&buf[..]).unwrap();
        assert_eq!(m.msg_type(), SOCK_DIAG_BY_FAMILY);
        assert!(m.flags().contains(MsgFlags::DUMP));
        let (r, rest) = m.fixed::<InetDiagReqV2>().unwrap();
        assert_eq!((r.family, r.protocol, r.ext), (AF_INET, 6, 0b10));
        assert_eq!(r.states.get(), 1 << 10);
        assert_eq!(r.id.cookie[0].get(), NOCOOKIE);
        #[rustfmt::skip]
        let attr = [
            8, 0,       // nla_len
            1, 0,       // INET_DIAG_REQ_BYTECODE
            1, 4, 8, 0, // JMP yes 4 no 8
        ];
        assert_eq!(rest, attr);
    }

    #[test]
    fn mptcp_goes_in_an_attribute() {
        let mut buf = Vec::new();
        InetDump::new(AF_INET6, IPPROTO_MPTCP)
            .states(states::ALL)
            .write(&mut buf)
            .unwrap();
        let m = Msg::new_checked(&buf[..]).unwrap();
        let (r, rest) = m.fixed::<InetDiagReqV2>().unwrap();
        assert_eq!(r.protocol, (IPPROTO_MPTCP & 0xff) as u8);
        let mut want = vec![8, 0, 3, 0];
        want.extend_from_slice(&262u32.to_ne_bytes());
        assert_eq!(rest, want);
    }

    fn reply(attrs: &[u8]) -> Vec<u8> {
        let hdr = InetDiagMsg {
            family: AF_INET,
            state: 1,
            id: SockId {
                sport: 22.into(),
                dport: 40000.into(),
                src: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                dst: [10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                ..Default::default()
            },
            inode: 77.into(),
            ..Default::default()
        };
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, SOCK_DIAG_BY_FAMILY, 2, 1, 0);
        w.fixed(&hdr);
        w.bytes(attrs);
        w.finish().unwrap();
        buf
    }

    #[test]
    fn parse_reply_and_short_tcp_info() {
        let mut attrs = Vec::new();
        // INET_DIAG_INFO with only the first 12 bytes (an "older kernel")
        attrs.extend_from_slice(&16u16.to_ne_bytes());
        attrs.extend_from_slice(&INET_DIAG_INFO.to_ne_bytes());
        attrs.extend_from_slice(&[1, 0, 0, 0, 0, 7, 0x53, 0]);
        attrs.extend_from_slice(&200_000u32.to_ne_bytes());
        // INET_DIAG_CONG "cubic"
        attrs.extend_from_slice(&10u16.to_ne_bytes());
        attrs.extend_from_slice(&INET_DIAG_CONG.to_ne_bytes());
        attrs.extend_from_slice(b"cubic\0\0\0");
        let buf = reply(&attrs);
        let m = Msg::new_checked(&buf[..]).unwrap();
        let s = InetSock::parse(m).unwrap();
        assert_eq!(s.src(), "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(s.dst(), "10.0.0.2".parse::<IpAddr>().unwrap());
        assert_eq!((s.sport(), s.dport()), (22, 40000));
        assert_eq!(s.hdr.inode.get(), 77);
        let ti = s.tcp_info().unwrap();
        assert_eq!(ti.options, 7);
        assert_eq!((ti.snd_wscale(), ti.rcv_wscale()), (3, 5));
        assert_eq!(ti.rto.get(), 200_000);
        assert_eq!(ti.snd_wnd.get(), 0);
        assert_eq!(s.cong(), Some("cubic"));
        assert!(s.meminfo().is_none());
    }

    #[test]
    fn truncated_reply_is_an_error() {
        let buf = reply(&[]);
        let mut short = buf[..40].to_vec();
        short[0..4].copy_from_slice(&40u32.to_ne_bytes());
        let m = Msg::new_checked(&short[..]).unwrap();
        assert!(InetSock::parse(m).is_err());
    }

    #[test]
    fn destroy_request_copies_the_id() {
        let buf = reply(&[]);
        let m = Msg::new_checked(&buf[..]).unwrap();
        let s = InetSock::parse(m).unwrap();
        let d = InetDestroy::of(&s, IPPROTO_TCP);
        let mut out = Vec::new();
        d.write(&mut out).unwrap();
        let m = Msg::new_checked(&out[..]).unwrap();
        assert_eq!(m.msg_type(), SOCK_DESTROY);
        let (r, _) = m.fixed::<InetDiagReqV2>().unwrap();
        assert_eq!(r.id, s.hdr.id);
        assert_eq!(r.protocol, 6);
        assert_eq!(
            crate::conn::describe(&d),
            "destroy tcp socket 127.0.0.1 port 22 -> 10.0.0.2 port 40000"
        );
    }
}
