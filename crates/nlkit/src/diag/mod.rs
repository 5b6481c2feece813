//! sock_diag (`NETLINK_SOCK_DIAG`): dumps of the kernel's sockets, the way
//! `ss` reads them.
//!
//! - [`inet`]: TCP, UDP, raw and MPTCP sockets over IPv4/IPv6
//!   (`inet_diag_req_v2`), every reply attribute (`tcp_info`, memory,
//!   congestion, TOS/TCLASS, shutdown, mark, cgroup, ULP...), and
//!   `SOCK_DESTROY`.
//! - [`unix`], [`netlink`], [`packet`]: the other families' dumps.
//! - [`filter`]: ss's filter expressions (`( dport = :22 or sport = :22 )`),
//!   compiled to `INET_DIAG_REQ_BYTECODE` so the kernel does the filtering.
//!
//! Replies are views over the receive buffer (`#[repr(C)]` zerocopy headers
//! read with `ref_from_prefix`, attributes as borrowed slices): streamed with
//! [`Connection::dump`](crate::Connection::dump), a dump of any size keeps
//! memory flat. Unknown attributes are kept raw; odd input is an error, never
//! a panic.
//!
//! # References
//! `sock_diag(7)`; `linux/sock_diag.h`, `inet_diag.h`, `unix_diag.h`,
//! `netlink_diag.h`, `packet_diag.h`, `tcp.h` (`struct tcp_info`).

pub mod filter;
pub mod inet;
pub mod netlink;
pub mod packet;
pub mod unix;

use crate::wire::{self, AttrIter};

/// `SOCK_DIAG_BY_FAMILY`: the message type of every dump request and reply.
pub const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `SOCK_DESTROY`: close a socket (needs `CONFIG_INET_DIAG_DESTROY`).
pub const SOCK_DESTROY: u16 = 21;

/// `AF_UNIX`.
pub const AF_UNIX: u8 = 1;
/// `AF_INET`.
pub const AF_INET: u8 = 2;
/// `AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `AF_NETLINK`.
pub const AF_NETLINK: u8 = 16;
/// `AF_PACKET`.
pub const AF_PACKET: u8 = 17;

/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: u16 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: u16 = 17;
/// `IPPROTO_RAW`.
pub const IPPROTO_RAW: u16 = 255;
/// `IPPROTO_MPTCP` (above 255: sent as `INET_DIAG_REQ_PROTOCOL`).
pub const IPPROTO_MPTCP: u16 = 262;

/// A socket state, as the kernel numbers TCP states (`TCP_ESTABLISHED`...);
/// the other families map theirs onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct State(pub u8);

impl State {
    /// `TCP_ESTABLISHED`.
    pub const ESTABLISHED: State = State(1);
    /// `TCP_SYN_SENT`.
    pub const SYN_SENT: State = State(2);
    /// `TCP_SYN_RECV`.
    pub const SYN_RECV: State = State(3);
    /// `TCP_FIN_WAIT1`.
    pub const FIN_WAIT1: State = State(4);
    /// `TCP_FIN_WAIT2`.
    pub const FIN_WAIT2: State = State(5);
    /// `TCP_TIME_WAIT`.
    pub const TIME_WAIT: State = State(6);
    /// `TCP_CLOSE` (ss: UNCONN).
    pub const CLOSE: State = State(7);
    /// `TCP_CLOSE_WAIT`.
    pub const CLOSE_WAIT: State = State(8);
    /// `TCP_LAST_ACK`.
    pub const LAST_ACK: State = State(9);
    /// `TCP_LISTEN`.
    pub const LISTEN: State = State(10);
    /// `TCP_CLOSING`.
    pub const CLOSING: State = State(11);
    /// `TCP_NEW_SYN_RECV` (request sockets; ss shows them as SYN-RECV).
    pub const NEW_SYN_RECV: State = State(12);

    /// ss's name for the state (`ESTAB`, `LISTEN`, `UNCONN`...).
    pub fn ss_name(self) -> &'static str {
        match self.0 {
            1 => "ESTAB",
            2 => "SYN-SENT",
            3 => "SYN-RECV",
            4 => "FIN-WAIT-1",
            5 => "FIN-WAIT-2",
            6 => "TIME-WAIT",
            7 => "UNCONN",
            8 => "CLOSE-WAIT",
            9 => "LAST-ACK",
            10 => "LISTEN",
            11 => "CLOSING",
            _ => "UNKNOWN",
        }
    }

    /// The state for a name as ss's `state` keyword takes it (`established`,
    /// `syn-sent`, ..., `listening`, `closed`, also ss's column names).
    pub fn from_name(s: &str) -> Option<State> {
        Some(State(match s.to_ascii_lowercase().as_str() {
            "established" | "estab" => 1,
            "syn-sent" => 2,
            "syn-recv" => 3,
            "fin-wait-1" => 4,
            "fin-wait-2" => 5,
            "time-wait" => 6,
            "closed" | "unconn" | "unconnected" => 7,
            "close-wait" => 8,
            "last-ack" => 9,
            "listening" | "listen" => 10,
            "closing" => 11,
            _ => return None,
        }))
    }

    /// This state's bit in a `idiag_states` mask.
    pub fn bit(self) -> u32 {
        1u32.checked_shl(self.0 as u32).unwrap_or(0)
    }
}

/// Named groups of states, as ss's `state` keyword takes them.
pub mod states {
    /// Every state.
    pub const ALL: u32 = (1 << 12) - 1;
    /// `connected`: every state but listening and closed.
    pub const CONNECTED: u32 = ALL & !((1 << 10) | (1 << 7));
    /// `synchronized`: connected, but not syn-sent.
    pub const SYNCHRONIZED: u32 = CONNECTED & !(1 << 2);
    /// `bucket`: states kept as minisockets (syn-recv, time-wait).
    pub const BUCKET: u32 = (1 << 3) | (1 << 6);
    /// `big`: every state but the bucket ones.
    pub const BIG: u32 = ALL & !BUCKET;
    /// ss's default for TCP: connected, and not syn-recv or time-wait.
    pub const SS_CONN: u32 = ALL & !((1 << 10) | (1 << 7) | (1 << 6) | (1 << 3));

    /// The mask for one word of ss's `state` grammar (a state name or a group).
    pub fn parse(word: &str) -> Option<u32> {
        Some(match word.to_ascii_lowercase().as_str() {
            "all" => ALL,
            "connected" => CONNECTED,
            "synchronized" => SYNCHRONIZED,
            "bucket" => BUCKET,
            "big" => BIG,
            w => super::State::from_name(w)?.bit(),
        })
    }
}

/// The `SK_MEMINFO_*` array (`INET_DIAG_SKMEMINFO`, `UNIX_DIAG_MEMINFO`,
/// `NETLINK_DIAG_MEMINFO`): socket memory counters, as many as the kernel sent.
#[derive(Clone, Copy, Debug)]
pub struct SkMemInfo<'a>(&'a [u8]);

impl<'a> SkMemInfo<'a> {
    /// `SK_MEMINFO_RMEM_ALLOC`.
    pub const RMEM_ALLOC: usize = 0;
    /// `SK_MEMINFO_RCVBUF`.
    pub const RCVBUF: usize = 1;
    /// `SK_MEMINFO_WMEM_ALLOC`.
    pub const WMEM_ALLOC: usize = 2;
    /// `SK_MEMINFO_SNDBUF`.
    pub const SNDBUF: usize = 3;
    /// `SK_MEMINFO_FWD_ALLOC`.
    pub const FWD_ALLOC: usize = 4;
    /// `SK_MEMINFO_WMEM_QUEUED`.
    pub const WMEM_QUEUED: usize = 5;
    /// `SK_MEMINFO_OPTMEM`.
    pub const OPTMEM: usize = 6;
    /// `SK_MEMINFO_BACKLOG`.
    pub const BACKLOG: usize = 7;
    /// `SK_MEMINFO_DROPS`.
    pub const DROPS: usize = 8;

    /// Wraps an attribute payload.
    pub fn new(payload: &'a [u8]) -> Self {
        SkMemInfo(payload)
    }
    /// How many counters there are.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }
    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Counter `i`, if the kernel sent it.
    pub fn get(&self, i: usize) -> Option<u32> {
        let b = self.0.get(i * 4..i * 4 + 4)?;
        Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Counter `i`, 0 if absent.
    pub fn at(&self, i: usize) -> u32 {
        self.get(i).unwrap_or(0)
    }
}

/// The attributes of one reply indexed by type (types below `N`), in one
/// pass; the raw set stays available for the rest. A type seen twice keeps
/// its first occurrence.
#[derive(Clone, Copy, Debug)]
pub struct AttrTable<'a, const N: usize> {
    slots: [Option<&'a [u8]>; N],
    raw: &'a [u8],
}

impl<'a, const N: usize> AttrTable<'a, N> {
    /// Indexes `raw` (attributes starting at offset `base` of the message).
    pub fn parse(raw: &'a [u8], base: usize) -> wire::Result<Self> {
        let mut slots = [None; N];
        for a in AttrIter::with_offset(raw, base) {
            let a = a?;
            if let Some(s) = slots.get_mut(a.kind() as usize) {
                if s.is_none() {
                    *s = Some(a.payload());
                }
            }
        }
        Ok(AttrTable { slots, raw })
    }
    /// The payload of attribute `kind`, if present.
    #[inline]
    pub fn get(&self, kind: u16) -> Option<&'a [u8]> {
        self.slots.get(kind as usize).copied().flatten()
    }
    /// Every attribute as sent, known or not.
    pub fn iter(&self) -> AttrIter<'a> {
        AttrIter::new(self.raw)
    }
    /// The `u8` in attribute `kind`.
    pub fn u8(&self, kind: u16) -> Option<u8> {
        self.get(kind).and_then(|p| p.first().copied())
    }
    /// The native-endian `u32` in attribute `kind`.
    pub fn u32(&self, kind: u16) -> Option<u32> {
        let p = self.get(kind)?;
        Some(u32::from_ne_bytes(p.get(..4)?.try_into().ok()?))
    }
    /// The native-endian `u64` in attribute `kind`.
    pub fn u64(&self, kind: u16) -> Option<u64> {
        let p = self.get(kind)?;
        Some(u64::from_ne_bytes(p.get(..8)?.try_into().ok()?))
    }
    /// The string in attribute `kind` (up to a NUL), if it is UTF-8.
    pub fn str(&self, kind: u16) -> Option<&'a str> {
        let p = self.get(kind)?;
        let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
        std::str::from_utf8(&p[..end]).ok()
    }
}

/// Writes a dump request: `SOCK_DIAG_BY_FAMILY` with `NLM_F_DUMP` and the
/// family's request header `h`; returns where attributes would start.
pub(crate) fn write_dump<H: zerocopy::IntoBytes + zerocopy::Immutable>(
    buf: &mut Vec<u8>,
    h: &H,
) -> wire::Result<usize> {
    let mut w = wire::MsgWriter::new(buf, SOCK_DIAG_BY_FAMILY, wire::MsgFlags::DUMP, 0, 0);
    w.fixed(h);
    w.finish()?;
    Ok(wire::NLMSG_HDRLEN + wire::align(core::mem::size_of::<H>()))
}

/// Splits a reply into its family header (in place) and its indexed attributes.
pub(crate) fn parse_reply<'a, H, const N: usize>(
    msg: wire::Msg<&'a [u8]>,
) -> wire::Result<(&'a H, AttrTable<'a, N>)>
where
    H: zerocopy::FromBytes + zerocopy::KnownLayout + zerocopy::Immutable + zerocopy::Unaligned,
{
    let (hdr, rest) = msg.fixed::<H>()?;
    let base = wire::NLMSG_HDRLEN + wire::align(core::mem::size_of::<H>());
    Ok((hdr, AttrTable::parse(rest, base)?))
}

/// Reads a `T` from the start of `p`, zero-filling what a shorter (older
/// kernel's) struct lacks and ignoring what a newer one adds.
pub(crate) fn read_padded<T: zerocopy::FromBytes + zerocopy::IntoBytes + Copy>(p: &[u8]) -> T {
    let mut v = T::new_zeroed();
    let dst = v.as_mut_bytes();
    let n = dst.len().min(p.len());
    dst[..n].copy_from_slice(&p[..n]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_and_groups() {
        assert_eq!(State::LISTEN.ss_name(), "LISTEN");
        assert_eq!(State::CLOSE.ss_name(), "UNCONN");
        assert_eq!(State(0).ss_name(), "UNKNOWN");
        assert_eq!(State(200).ss_name(), "UNKNOWN");
        assert_eq!(State(200).bit(), 0);
        assert_eq!(states::parse("listening"), Some(1 << 10));
        assert_eq!(states::parse("established"), Some(1 << 1));
        assert_eq!(states::parse("connected").unwrap() & (1 << 10), 0);
        assert_eq!(states::parse("nonsense"), None);
    }

    #[test]
    fn attr_table_indexes_and_keeps_unknown() {
        let mut b = Vec::new();
        // type 4 (a string), type 40 (beyond the table), type 1 (u32)
        b.extend_from_slice(&8u16.to_ne_bytes());
        b.extend_from_slice(&4u16.to_ne_bytes());
        b.extend_from_slice(b"cub\0");
        b.extend_from_slice(&5u16.to_ne_bytes());
        b.extend_from_slice(&40u16.to_ne_bytes());
        b.extend_from_slice(&[9, 0, 0, 0]);
        b.extend_from_slice(&8u16.to_ne_bytes());
        b.extend_from_slice(&1u16.to_ne_bytes());
        b.extend_from_slice(&7u32.to_ne_bytes());
        let t = AttrTable::<'_, 8>::parse(&b, 0).unwrap();
        assert_eq!(t.str(4), Some("cub"));
        assert_eq!(t.u32(1), Some(7));
        assert_eq!(t.get(2), None);
        assert_eq!(
            t.iter()
                .filter_map(|a| a.ok())
                .map(|a| a.kind())
                .collect::<Vec<_>>(),
            [4, 40, 1]
        );
        // a length running past the end is an error, not a panic
        let bad = [200u8, 0, 1, 0];
        assert!(AttrTable::<'_, 8>::parse(&bad, 0).is_err());
    }

    #[test]
    fn skmeminfo_short_arrays() {
        let b: Vec<u8> = [1u32, 2, 3].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let m = SkMemInfo::new(&b);
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(2), Some(3));
        assert_eq!(m.get(3), None);
        assert_eq!(m.at(8), 0);
    }
}
