//! A conntrack entry read in place from an `IPCTNL_MSG_CT_NEW` message.
//!
//! The attribute sets are `typed_attrs!` rows: a value that does not read
//! as its field's type (an integer of the wrong size) leaves that field
//! unset and never fails the entry or ends a dump. At the top level such an
//! attribute is kept raw in [`Conntrack::malformed_attrs`]; inside a nest
//! (a tuple's port, a counter) the other fields of the nest are kept.
//! Only attributes whose lengths do not add up (the structure itself) are
//! errors.

use super::schema::*;
use crate::netfilter::NfGenMsg;
use crate::schema::{AttrValue, Be, Name};
use crate::typed_attrs;
use crate::wire::{self, Attr, AttrIter, Msg};
use std::net::IpAddr;
use zerocopy::byteorder::{BigEndian, U16};

typed_attrs! {
    /// `CTA_TUPLE_IP`: the addresses of one direction.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub(super) struct TupleIp {
        pub(super) src: IpAddr = CTA_IP_V4_SRC | CTA_IP_V6_SRC,
        pub(super) dst: IpAddr = CTA_IP_V4_DST | CTA_IP_V6_DST,
    }
}

typed_attrs! {
    /// `CTA_TUPLE_PROTO`: the layer-4 fields of one direction.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    /// (ICMPv6's own types are read here, and written by the request.)
    pub(super) struct TupleProto {
        pub(super) proto: u8 = CTA_PROTO_NUM,
        pub(super) sport: u16 as Be = CTA_PROTO_SRC_PORT,
        pub(super) dport: u16 as Be = CTA_PROTO_DST_PORT,
        pub(super) icmp_id: u16 as Be = CTA_PROTO_ICMP_ID | CTA_PROTO_ICMPV6_ID,
        pub(super) icmp_type: u8 = CTA_PROTO_ICMP_TYPE | CTA_PROTO_ICMPV6_TYPE,
        pub(super) icmp_code: u8 = CTA_PROTO_ICMP_CODE | CTA_PROTO_ICMPV6_CODE,
    }
}

/// The nests nlkit only reads (no request carries them): their generated
/// writers are unused.
#[allow(dead_code)]
mod read_only {
    use super::*;

    typed_attrs! {
        /// `CTA_COUNTERS_*` as they come (64-bit or 32-bit).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(super) struct CounterAttrs {
            pub(super) packets: u64 as Be = CTA_COUNTERS_PACKETS,
            pub(super) bytes: u64 as Be = CTA_COUNTERS_BYTES,
            pub(super) packets32: u32 as Be = CTA_COUNTERS32_PACKETS,
            pub(super) bytes32: u32 as Be = CTA_COUNTERS32_BYTES,
        }
    }

    typed_attrs! {
        /// The addresses of a NAT range.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(super) struct NatIp {
            pub(super) min_ip: IpAddr = CTA_NAT_V4_MINIP | CTA_NAT_V6_MINIP,
            pub(super) max_ip: IpAddr = CTA_NAT_V4_MAXIP | CTA_NAT_V6_MAXIP,
        }
    }

    typed_attrs! {
        /// `CTA_NAT_PROTO`: the ports of a NAT range.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(super) struct NatPorts {
            pub(super) min_port: u16 as Be = CTA_PROTONAT_PORT_MIN,
            pub(super) max_port: u16 as Be = CTA_PROTONAT_PORT_MAX,
        }
    }

    typed_attrs! {
        /// `CTA_TIMESTAMP_*`: nanoseconds since the epoch.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(super) struct Timestamps {
            pub(super) start: u64 as Be = CTA_TIMESTAMP_START,
            pub(super) stop: u64 as Be = CTA_TIMESTAMP_STOP,
        }
    }
}

use read_only::{CounterAttrs, NatIp, NatPorts, Timestamps};

/// One direction's tuple (`CTA_TUPLE_*`): addresses, layer-4 fields, zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tuple {
    /// Source address.
    pub src: Option<IpAddr>,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Layer-4 protocol number.
    pub proto: Option<u8>,
    /// Source port (TCP, UDP, SCTP, DCCP...).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// ICMP/ICMPv6 id.
    pub icmp_id: Option<u16>,
    /// ICMP/ICMPv6 type.
    pub icmp_type: Option<u8>,
    /// ICMP/ICMPv6 code.
    pub icmp_code: Option<u8>,
    /// `CTA_TUPLE_ZONE`.
    pub zone: Option<u16>,
}

impl Tuple {
    /// Reads a `CTA_TUPLE_*` nest. A value of the wrong size leaves its
    /// field unset; only a nest whose lengths do not add up is an error.
    pub fn parse(nest: &Attr<'_>) -> wire::Result<Tuple> {
        let mut t = Tuple::default();
        for a in nest.nested() {
            let a = a?;
            match a.kind() {
                CTA_TUPLE_IP => {
                    let ip = TupleIp::parse_attrs(a.nested())?;
                    t.src = ip.src;
                    t.dst = ip.dst;
                }
                CTA_TUPLE_PROTO => {
                    let p = TupleProto::parse_attrs(a.nested())?;
                    t.proto = p.proto;
                    t.sport = p.sport;
                    t.dport = p.dport;
                    t.icmp_id = p.icmp_id;
                    t.icmp_type = p.icmp_type;
                    t.icmp_code = p.icmp_code;
                }
                CTA_TUPLE_ZONE => t.zone = Be::<u16>::read(&a).ok().map(|z| z.0),
                _ => {}
            }
        }
        Ok(t)
    }
}

fn read_tuple(a: &Attr<'_>) -> wire::Result<Tuple> {
    Tuple::parse(a)
}

/// Packet and byte counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

fn read_counters(a: &Attr<'_>) -> wire::Result<Counters> {
    let c = CounterAttrs::parse_attrs(a.nested())?;
    Ok(Counters {
        packets: c.packets.or(c.packets32.map(u64::from)).unwrap_or(0),
        bytes: c.bytes.or(c.bytes32.map(u64::from)).unwrap_or(0),
    })
}

/// `struct nf_ct_tcp_flags`: TCP flags (`IP_CT_TCP_FLAG_*`) and the mask of
/// the ones that apply.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    zerocopy::FromBytes,
    zerocopy::IntoBytes,
    zerocopy::KnownLayout,
    zerocopy::Immutable,
    zerocopy::Unaligned,
)]
#[repr(C)]
#[doc(alias = "nf_ct_tcp_flags")]
pub struct TcpFlags {
    /// The flags.
    pub flags: u8,
    /// The mask.
    pub mask: u8,
}

crate::struct_value!(TcpFlags);

typed_attrs! {
    /// TCP state (`CTA_PROTOINFO_TCP`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct TcpInfo {
        /// `TCP_CONNTRACK_*`.
        pub state: u8 = CTA_PROTOINFO_TCP_STATE,
        /// Window scale, original direction.
        pub wscale_orig: u8 = CTA_PROTOINFO_TCP_WSCALE_ORIGINAL,
        /// Window scale, reply direction.
        pub wscale_reply: u8 = CTA_PROTOINFO_TCP_WSCALE_REPLY,
        /// `IP_CT_TCP_FLAG_*` and mask, original direction.
        pub flags_orig: TcpFlags = CTA_PROTOINFO_TCP_FLAGS_ORIGINAL,
        /// `IP_CT_TCP_FLAG_*` and mask, reply direction.
        pub flags_reply: TcpFlags = CTA_PROTOINFO_TCP_FLAGS_REPLY,
    }
}

typed_attrs! {
    /// SCTP state (`CTA_PROTOINFO_SCTP`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SctpInfo {
        /// `SCTP_CONNTRACK_*`.
        pub state: u8 = CTA_PROTOINFO_SCTP_STATE,
        /// Verification tag, original direction.
        pub vtag_orig: u32 as Be = CTA_PROTOINFO_SCTP_VTAG_ORIGINAL,
        /// Verification tag, reply direction.
        pub vtag_reply: u32 as Be = CTA_PROTOINFO_SCTP_VTAG_REPLY,
    }
}

typed_attrs! {
    /// DCCP state (`CTA_PROTOINFO_DCCP`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct DccpInfo {
        /// `CT_DCCP_*`.
        pub state: u8 = CTA_PROTOINFO_DCCP_STATE,
        /// Role.
        pub role: u8 = CTA_PROTOINFO_DCCP_ROLE,
        /// Handshake sequence.
        pub handshake_seq: u64 as Be = CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ,
    }
}

/// A NAT range (`CTA_NAT_SRC`/`CTA_NAT_DST`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nat {
    /// Lowest address.
    pub min_ip: Option<IpAddr>,
    /// Highest address.
    pub max_ip: Option<IpAddr>,
    /// Lowest port.
    pub min_port: Option<u16>,
    /// Highest port.
    pub max_port: Option<u16>,
}

fn read_nat(a: &Attr<'_>) -> wire::Result<Nat> {
    let ip = NatIp::parse_attrs(a.nested())?;
    let mut n = Nat {
        min_ip: ip.min_ip,
        max_ip: ip.max_ip,
        ..Nat::default()
    };
    if let Some(p) = a.nested().find(CTA_NAT_PROTO)? {
        let p = NatPorts::parse_attrs(p.nested())?;
        n.min_port = p.min_port;
        n.max_port = p.max_port;
    }
    Ok(n)
}

typed_attrs! {
    /// Sequence adjustment (`CTA_SEQ_ADJ_*`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct SeqAdj {
        /// Correction position.
        pub correction_pos: u32 as Be = CTA_SEQADJ_CORRECTION_POS,
        /// Offset before.
        pub offset_before: u32 as Be = CTA_SEQADJ_OFFSET_BEFORE,
        /// Offset after.
        pub offset_after: u32 as Be = CTA_SEQADJ_OFFSET_AFTER,
    }
}

fn read_seqadj(a: &Attr<'_>) -> wire::Result<SeqAdj> {
    SeqAdj::parse_attrs(a.nested())
}

typed_attrs! {
    /// Synproxy state (`CTA_SYNPROXY`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Synproxy {
        /// Initial sequence number.
        pub isn: u32 as Be = CTA_SYNPROXY_ISN,
        /// Initial timestamp.
        pub its: u32 as Be = CTA_SYNPROXY_ITS,
        /// Timestamp offset.
        pub tsoff: u32 as Be = CTA_SYNPROXY_TSOFF,
    }
}

fn read_synproxy(a: &Attr<'_>) -> wire::Result<Synproxy> {
    Synproxy::parse_attrs(a.nested())
}

fn read_secctx<'a>(a: &Attr<'a>) -> wire::Result<Name<'a>> {
    a.nested()
        .find(CTA_SECCTX_NAME)?
        .map(|n| Name::new(n.payload()))
        // A nest without its name: the name's place holds nothing.
        .ok_or(wire::Error::PayloadSize {
            kind: CTA_SECCTX_NAME,
            expected: 1,
            got: 0,
        })
}

typed_attrs! {
    /// One conntrack entry, borrowed from the message it was read from.
    ///
    /// Every `CTA_*` attribute of today's uapi has a field. Attributes nlkit
    /// does not know come out of [`Conntrack::unknown_attrs`], values of the
    /// wrong size out of [`Conntrack::malformed_attrs`]; neither fails.
    #[derive(Clone, Copy, Debug)]
    pub struct Conntrack<'a>: NfGenMsg, CTA_SET, "a conntrack entry" {
        /// Original direction.
        pub orig: Tuple = CTA_TUPLE_ORIG with read_tuple,
        /// Reply direction.
        pub reply: Tuple = CTA_TUPLE_REPLY with read_tuple,
        /// Master connection of an expected one.
        pub master: Tuple = CTA_TUPLE_MASTER with read_tuple,
        /// `IPS_*` bits.
        pub status: u32 as Be = CTA_STATUS,
        /// Seconds left.
        pub timeout: u32 as Be = CTA_TIMEOUT,
        /// Connection mark.
        pub mark: u32 as Be = CTA_MARK,
        /// Reference count.
        pub use_count: u32 as Be = CTA_USE,
        /// Entry id.
        pub id: u32 as Be = CTA_ID,
        /// Zone.
        pub zone: u16 as Be = CTA_ZONE,
        /// Security mark (obsolete, still sent by some kernels).
        pub secmark: u32 as Be = CTA_SECMARK,
        /// Security context name (`CTA_SECCTX > CTA_SECCTX_NAME`).
        pub secctx: Name<'a> = CTA_SECCTX with read_secctx,
        /// Counters, original direction.
        pub counters_orig: Counters = CTA_COUNTERS_ORIG with read_counters,
        /// Counters, reply direction.
        pub counters_reply: Counters = CTA_COUNTERS_REPLY with read_counters,
        /// Source NAT.
        pub nat_src: Nat = CTA_NAT_SRC with read_nat,
        /// Destination NAT.
        pub nat_dst: Nat = CTA_NAT_DST with read_nat,
        /// Sequence adjustment, original direction.
        pub seq_adj_orig: SeqAdj = CTA_SEQ_ADJ_ORIG with read_seqadj,
        /// Sequence adjustment, reply direction.
        pub seq_adj_reply: SeqAdj = CTA_SEQ_ADJ_REPLY with read_seqadj,
        /// Synproxy.
        pub synproxy: Synproxy = CTA_SYNPROXY with read_synproxy,
        /// Connection labels (a bit field).
        pub labels: &'a [u8] = CTA_LABELS,
        /// Labels mask.
        pub labels_mask: &'a [u8] = CTA_LABELS_MASK,
        /// Time of the event, nanoseconds (`CTA_TIMESTAMP_EVENT`).
        pub ts_event: u64 as Be = CTA_TIMESTAMP_EVENT,
    }
    others (Self::nests) {
        /// Helper name (`CTA_HELP > CTA_HELP_NAME`).
        pub helper: Option<Name<'a>>,
        /// Helper-private data (`CTA_HELP > CTA_HELP_INFO`).
        pub helper_info: Option<&'a [u8]>,
        /// TCP state (`CTA_PROTOINFO > CTA_PROTOINFO_TCP`).
        pub tcp: Option<TcpInfo>,
        /// SCTP state.
        pub sctp: Option<SctpInfo>,
        /// DCCP state.
        pub dccp: Option<DccpInfo>,
        /// Start time, nanoseconds since the epoch (`CTA_TIMESTAMP > CTA_TIMESTAMP_START`).
        pub ts_start: Option<u64>,
        /// Stop time (a destroyed entry), nanoseconds since the epoch.
        pub ts_stop: Option<u64>,
    }
}

/// One `nfgenmsg` per family, for entries that come nested in another
/// family's message (a queued packet's or a logged one's `*_CT`), which
/// carry no header of their own.
static FAMILY_HEADERS: [NfGenMsg; 256] = {
    let mut h = [NfGenMsg {
        family: 0,
        version: 0,
        res_id: U16::<BigEndian>::ZERO,
    }; 256];
    let mut i = 0;
    while i < 256 {
        h[i].family = i as u8;
        i += 1;
    }
    h
};

impl<'a> Conntrack<'a> {
    /// Reads an entry from its attributes (after the `nfgenmsg`, or the
    /// payload of a `NFQA_CT`/`NFULA_CT` nest) of address family `family`.
    pub fn parse_attrs(family: u8, attrs: &'a [u8]) -> wire::Result<Conntrack<'a>> {
        Conntrack::from_parts(&FAMILY_HEADERS[usize::from(family)], attrs, 0)
    }

    /// `nfgen_family`: `AF_INET` or `AF_INET6`.
    pub fn family(&self) -> u8 {
        self.header.family
    }

    /// `CTA_HELP`, `CTA_PROTOINFO` and `CTA_TIMESTAMP`: nests that fill
    /// several fields. Values of the wrong size inside them leave their
    /// fields unset.
    fn nests(&mut self, a: Attr<'a>) -> wire::Result<()> {
        match a.kind() {
            CTA_HELP => {
                for h in a.nested() {
                    let h = h?;
                    match h.kind() {
                        CTA_HELP_NAME => self.helper = Some(Name::new(h.payload())),
                        CTA_HELP_INFO => self.helper_info = Some(h.payload()),
                        _ => {}
                    }
                }
            }
            CTA_PROTOINFO => {
                for p in a.nested() {
                    let p = p?;
                    match p.kind() {
                        CTA_PROTOINFO_TCP => self.tcp = Some(TcpInfo::parse_attrs(p.nested())?),
                        CTA_PROTOINFO_SCTP => self.sctp = Some(SctpInfo::parse_attrs(p.nested())?),
                        CTA_PROTOINFO_DCCP => self.dccp = Some(DccpInfo::parse_attrs(p.nested())?),
                        _ => {}
                    }
                }
            }
            CTA_TIMESTAMP => {
                let t = Timestamps::parse_attrs(a.nested())?;
                self.ts_start = t.start;
                self.ts_stop = t.stop;
            }
            _ => {}
        }
        Ok(())
    }

    /// Top-level attributes this view has no field for, as received.
    pub fn unknown(&self) -> impl Iterator<Item = Attr<'a>> + 'a {
        self.unknown_attrs()
    }

    /// The layer-4 protocol (from the original tuple).
    pub fn proto(&self) -> Option<u8> {
        self.orig.and_then(|t| t.proto)
    }

    /// The protocol state (TCP, SCTP or DCCP), if the entry has one.
    pub fn state(&self) -> Option<u8> {
        self.tcp
            .and_then(|t| t.state)
            .or(self.sctp.and_then(|s| s.state))
            .or(self.dccp.and_then(|d| d.state))
    }

    /// The name of the protocol state (`ESTABLISHED`), `UNKNOWN` out of range.
    pub fn state_name(&self) -> Option<&'static str> {
        let (names, v) = if let Some(s) = self.tcp.and_then(|t| t.state) {
            (TCP_STATE_NAMES, s)
        } else if let Some(s) = self.sctp.and_then(|t| t.state) {
            (SCTP_STATE_NAMES, s)
        } else {
            (DCCP_STATE_NAMES, self.dccp.and_then(|t| t.state)?)
        };
        Some(name_of(names, u32::from(v)).unwrap_or("UNKNOWN"))
    }

    /// True if `IPS_*` bit(s) `bits` are all set.
    pub fn has_status(&self, bits: u32) -> bool {
        self.status.is_some_and(|s| s & bits == bits)
    }
}

/// One CPU's counters (`IPCTNL_MSG_CT_GET_STATS_CPU`), in the order the kernel sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuStats {
    /// The CPU (`res_id`).
    pub cpu: u16,
    /// `(CTA_STATS_* type, value)`.
    pub counters: Vec<(u16, u32)>,
    /// `(CTA_STATS_* type, payload)` of counters that are not 4 bytes:
    /// kept, not an error.
    pub malformed: Vec<(u16, Vec<u8>)>,
}

impl CpuStats {
    /// Reads a per-CPU statistics message.
    pub fn parse(m: &Msg<&[u8]>) -> wire::Result<CpuStats> {
        let h = NfGenMsg::of(m)?;
        let attrs = m.payload_ref().get(NfGenMsg::LEN..).unwrap_or(&[]);
        let mut s = CpuStats {
            cpu: h.res_id.get(),
            ..CpuStats::default()
        };
        for a in AttrIter::new(attrs) {
            let a = a?;
            match Be::<u32>::read(&a) {
                Ok(v) => s.counters.push((a.kind(), v.0)),
                Err(_) => s.malformed.push((a.kind(), a.payload().to_vec())),
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netfilter::conntrack::{ct_type, IPCTNL_MSG_CT_NEW};
    use crate::wire::{MsgFlags, MsgWriter};

    /// An entry whose mark (2 bytes), status (3 bytes), tuple source port
    /// (1 byte) and TCP state (2 bytes) have the wrong sizes, between
    /// attributes that are right.
    fn crafted() -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(IPCTNL_MSG_CT_NEW), MsgFlags::MULTI, 1, 0);
        w.fixed(&NfGenMsg::new(libc::AF_INET as u8, 0));
        w.nest(CTA_TUPLE_ORIG, |w| {
            w.nest(CTA_TUPLE_IP, |w| {
                w.attr(CTA_IP_V4_SRC, &[10, 0, 0, 1])?; // right
                w.attr(CTA_IP_V4_DST, &[10, 0, 0, 2])?; // right
                Ok(())
            })?;
            w.nest(CTA_TUPLE_PROTO, |w| {
                w.attr(CTA_PROTO_NUM, &[17])?; // right
                w.attr(CTA_PROTO_SRC_PORT, &[0x03])?; // 1 byte: wrong
                w.attr(CTA_PROTO_DST_PORT, &2000u16.to_be_bytes())?; // right
                Ok(())
            })?;
            Ok(())
        })
        .unwrap();
        w.attr(CTA_STATUS, &[0, 0, 8]).unwrap(); // 3 bytes: wrong
        w.attr(CTA_TIMEOUT, &30u32.to_be_bytes()).unwrap(); // right
        w.attr(CTA_MARK, &[0, 7]).unwrap(); // 2 bytes: wrong
        w.nest(CTA_PROTOINFO, |w| {
            w.nest(CTA_PROTOINFO_TCP, |w| {
                w.attr(CTA_PROTOINFO_TCP_STATE, &[3, 0])?; // 2 bytes: wrong
                w.attr(CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, &[7])?; // right
                w.attr(CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, &[0x23, 0x23])?; // right
                Ok(())
            })?;
            Ok(())
        })
        .unwrap();
        w.attr(CTA_ID, &99u32.to_be_bytes()).unwrap(); // right
        w.finish().unwrap();
        b
    }

    #[test]
    fn wrong_sizes_stay_raw_and_the_rest_reads() {
        let b = crafted();
        let m = Msg::new_checked(&b[..]).unwrap();
        let c = Conntrack::parse(&m).unwrap();
        // The values that fit are read.
        assert_eq!(c.family(), libc::AF_INET as u8);
        let o = c.orig.unwrap();
        assert_eq!(o.src, Some("10.0.0.1".parse().unwrap()));
        assert_eq!((o.proto, o.dport), (Some(17), Some(2000)));
        assert_eq!((c.timeout, c.id), (Some(30), Some(99)));
        let tcp = c.tcp.unwrap();
        assert_eq!(tcp.wscale_orig, Some(7));
        assert_eq!(
            tcp.flags_orig,
            Some(TcpFlags {
                flags: 0x23,
                mask: 0x23
            })
        );
        // The ones that do not are unset ...
        assert_eq!(
            (o.sport, c.status, c.mark, tcp.state),
            (None, None, None, None)
        );
        // ... and the top-level ones are kept raw, in order.
        let bad: Vec<(u16, &[u8])> = c
            .malformed_attrs()
            .map(|a| (a.kind(), a.payload()))
            .collect();
        assert_eq!(
            bad,
            vec![(CTA_STATUS, &[0u8, 0, 8][..]), (CTA_MARK, &[0u8, 7][..])]
        );
        assert_eq!(c.unknown_attrs().count(), 0);
    }

    #[test]
    fn a_stats_counter_of_the_wrong_size_is_kept() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(4), MsgFlags::MULTI, 1, 0);
        w.fixed(&NfGenMsg::new(0, 1));
        w.attr(CTA_STATS_FOUND, &5u32.to_be_bytes()).unwrap();
        w.attr(CTA_STATS_NEW, &[0, 9]).unwrap(); // 2 bytes: wrong
        w.attr(CTA_STATS_DROP, &2u32.to_be_bytes()).unwrap();
        w.finish().unwrap();
        let s = CpuStats::parse(&Msg::new_checked(&b[..]).unwrap()).unwrap();
        assert_eq!(s.cpu, 1);
        assert_eq!(s.counters, vec![(CTA_STATS_FOUND, 5), (CTA_STATS_DROP, 2)]);
        assert_eq!(s.malformed, vec![(CTA_STATS_NEW, vec![0, 9])]);
    }

    #[test]
    fn a_nested_entry_reads_with_its_family() {
        let b = crafted();
        let m = Msg::new_checked(&b[..]).unwrap();
        let attrs = &m.payload_ref()[NfGenMsg::LEN..];
        let c = Conntrack::parse_attrs(libc::AF_INET6 as u8, attrs).unwrap();
        assert_eq!(c.family(), libc::AF_INET6 as u8);
        assert_eq!(c.id, Some(99));
        assert_eq!(c.malformed_attrs().count(), 2);
    }

    #[test]
    fn a_nest_whose_lengths_do_not_add_up_is_malformed_not_fatal() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(IPCTNL_MSG_CT_NEW), MsgFlags::MULTI, 1, 0);
        w.fixed(&NfGenMsg::new(libc::AF_INET as u8, 0));
        // A tuple nest holding an attribute that claims 200 bytes.
        w.attr(
            CTA_TUPLE_ORIG | crate::wire::NLA_F_NESTED,
            &[200, 0, 1, 0, 10, 0, 0, 1],
        )
        .unwrap();
        w.attr(CTA_MARK, &7u32.to_be_bytes()).unwrap();
        w.finish().unwrap();
        let m = Msg::new_checked(&b[..]).unwrap();
        let c = Conntrack::parse(&m).unwrap();
        assert_eq!((c.orig, c.mark), (None, Some(7)));
        let bad: Vec<u16> = c.malformed_attrs().map(|a| a.kind()).collect();
        assert_eq!(bad, vec![CTA_TUPLE_ORIG]);
    }
}
