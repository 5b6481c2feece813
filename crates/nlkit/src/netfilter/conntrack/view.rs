//! A conntrack entry read in place from an `IPCTNL_MSG_CT_NEW` message.

use super::schema::*;
use crate::netfilter::NfGenMsg;
use crate::wire::{self, Attr, AttrIter, Msg};
use std::net::IpAddr;

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
    /// Reads a `CTA_TUPLE_*` nest.
    pub fn parse(nest: &Attr<'_>) -> wire::Result<Tuple> {
        let mut t = Tuple::default();
        for a in nest.nested() {
            let a = a?;
            match a.kind() {
                CTA_TUPLE_IP => {
                    for a in a.nested() {
                        let a = a?;
                        match a.kind() {
                            CTA_IP_V4_SRC => t.src = Some(IpAddr::V4(a.ipv4()?)),
                            CTA_IP_V4_DST => t.dst = Some(IpAddr::V4(a.ipv4()?)),
                            CTA_IP_V6_SRC => t.src = Some(IpAddr::V6(a.ipv6()?)),
                            CTA_IP_V6_DST => t.dst = Some(IpAddr::V6(a.ipv6()?)),
                            _ => {}
                        }
                    }
                }
                CTA_TUPLE_PROTO => {
                    for a in a.nested() {
                        let a = a?;
                        match a.kind() {
                            CTA_PROTO_NUM => t.proto = Some(a.u8()?),
                            CTA_PROTO_SRC_PORT => t.sport = Some(a.be_u16()?),
                            CTA_PROTO_DST_PORT => t.dport = Some(a.be_u16()?),
                            CTA_PROTO_ICMP_ID | CTA_PROTO_ICMPV6_ID => {
                                t.icmp_id = Some(a.be_u16()?)
                            }
                            CTA_PROTO_ICMP_TYPE | CTA_PROTO_ICMPV6_TYPE => {
                                t.icmp_type = Some(a.u8()?)
                            }
                            CTA_PROTO_ICMP_CODE | CTA_PROTO_ICMPV6_CODE => {
                                t.icmp_code = Some(a.u8()?)
                            }
                            _ => {}
                        }
                    }
                }
                CTA_TUPLE_ZONE => t.zone = Some(a.be_u16()?),
                _ => {}
            }
        }
        Ok(t)
    }
}

/// Packet and byte counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

/// TCP state (`CTA_PROTOINFO_TCP`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpInfo {
    /// `TCP_CONNTRACK_*`.
    pub state: Option<u8>,
    /// Window scale, original direction.
    pub wscale_orig: Option<u8>,
    /// Window scale, reply direction.
    pub wscale_reply: Option<u8>,
    /// `IP_CT_TCP_FLAG_*` and mask, original direction.
    pub flags_orig: Option<[u8; 2]>,
    /// `IP_CT_TCP_FLAG_*` and mask, reply direction.
    pub flags_reply: Option<[u8; 2]>,
}

/// SCTP state (`CTA_PROTOINFO_SCTP`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SctpInfo {
    /// `SCTP_CONNTRACK_*`.
    pub state: Option<u8>,
    /// Verification tag, original direction.
    pub vtag_orig: Option<u32>,
    /// Verification tag, reply direction.
    pub vtag_reply: Option<u32>,
}

/// DCCP state (`CTA_PROTOINFO_DCCP`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DccpInfo {
    /// `CT_DCCP_*`.
    pub state: Option<u8>,
    /// Role.
    pub role: Option<u8>,
    /// Handshake sequence.
    pub handshake_seq: Option<u64>,
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

/// Sequence adjustment (`CTA_SEQ_ADJ_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeqAdj {
    /// Correction position.
    pub correction_pos: Option<u32>,
    /// Offset before.
    pub offset_before: Option<u32>,
    /// Offset after.
    pub offset_after: Option<u32>,
}

/// Synproxy state (`CTA_SYNPROXY`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Synproxy {
    /// Initial sequence number.
    pub isn: Option<u32>,
    /// Initial timestamp.
    pub its: Option<u32>,
    /// Timestamp offset.
    pub tsoff: Option<u32>,
}

/// One conntrack entry, borrowed from the message it was read from.
///
/// Every `CTA_*` attribute of today's uapi has a field; attributes nlkit does
/// not know stay in [`Conntrack::attrs`] and come out of [`Conntrack::unknown`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conntrack<'a> {
    /// `nfgen_family`: `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// Original direction.
    pub orig: Option<Tuple>,
    /// Reply direction.
    pub reply: Option<Tuple>,
    /// Master connection of an expected one.
    pub master: Option<Tuple>,
    /// `IPS_*` bits.
    pub status: Option<u32>,
    /// Seconds left.
    pub timeout: Option<u32>,
    /// Connection mark.
    pub mark: Option<u32>,
    /// Reference count.
    pub use_count: Option<u32>,
    /// Entry id.
    pub id: Option<u32>,
    /// Zone.
    pub zone: Option<u16>,
    /// Security mark (obsolete, still sent by some kernels).
    pub secmark: Option<u32>,
    /// Security context name.
    pub secctx: Option<crate::schema::Name<'a>>,
    /// Helper name.
    pub helper: Option<crate::schema::Name<'a>>,
    /// Helper-private data (`CTA_HELP_INFO`).
    pub helper_info: Option<&'a [u8]>,
    /// Counters, original direction.
    pub counters_orig: Option<Counters>,
    /// Counters, reply direction.
    pub counters_reply: Option<Counters>,
    /// TCP state.
    pub tcp: Option<TcpInfo>,
    /// SCTP state.
    pub sctp: Option<SctpInfo>,
    /// DCCP state.
    pub dccp: Option<DccpInfo>,
    /// Source NAT.
    pub nat_src: Option<Nat>,
    /// Destination NAT.
    pub nat_dst: Option<Nat>,
    /// Sequence adjustment, original direction.
    pub seq_adj_orig: Option<SeqAdj>,
    /// Sequence adjustment, reply direction.
    pub seq_adj_reply: Option<SeqAdj>,
    /// Synproxy.
    pub synproxy: Option<Synproxy>,
    /// Start time, nanoseconds since the epoch.
    pub ts_start: Option<u64>,
    /// Stop time (a destroyed entry), nanoseconds since the epoch.
    pub ts_stop: Option<u64>,
    /// Connection labels (a bit field).
    pub labels: Option<&'a [u8]>,
    /// Labels mask.
    pub labels_mask: Option<&'a [u8]>,
    /// Time of the event, nanoseconds (`CTA_TIMESTAMP_EVENT`).
    pub ts_event: Option<u64>,
    /// All the message's attributes, as received.
    pub attrs: &'a [u8],
}

impl<'a> Conntrack<'a> {
    /// Reads an entry from a `IPCTNL_MSG_CT_NEW`/`DELETE` message.
    pub fn parse(m: &Msg<&'a [u8]>) -> wire::Result<Conntrack<'a>> {
        let h = NfGenMsg::of(m)?;
        let payload = m.payload_ref();
        let attrs = payload.get(NfGenMsg::LEN..).unwrap_or(&[]);
        Conntrack::parse_attrs(h.family, attrs)
    }

    /// Reads an entry from its attributes (after the `nfgenmsg`).
    pub fn parse_attrs(family: u8, attrs: &'a [u8]) -> wire::Result<Conntrack<'a>> {
        let mut c = Conntrack {
            family,
            attrs,
            ..Default::default()
        };
        for a in AttrIter::new(attrs) {
            let a = a?;
            match a.kind() {
                CTA_TUPLE_ORIG => c.orig = Some(Tuple::parse(&a)?),
                CTA_TUPLE_REPLY => c.reply = Some(Tuple::parse(&a)?),
                CTA_TUPLE_MASTER => c.master = Some(Tuple::parse(&a)?),
                CTA_STATUS => c.status = Some(a.be_u32()?),
                CTA_TIMEOUT => c.timeout = Some(a.be_u32()?),
                CTA_MARK => c.mark = Some(a.be_u32()?),
                CTA_USE => c.use_count = Some(a.be_u32()?),
                CTA_ID => c.id = Some(a.be_u32()?),
                CTA_ZONE => c.zone = Some(a.be_u16()?),
                CTA_SECMARK => c.secmark = Some(a.be_u32()?),
                CTA_SECCTX => {
                    if let Some(n) = a.nested().find(CTA_SECCTX_NAME)? {
                        c.secctx = Some(crate::schema::Name::new(n.payload()));
                    }
                }
                CTA_HELP => {
                    for h in a.nested() {
                        let h = h?;
                        match h.kind() {
                            CTA_HELP_NAME => c.helper = Some(crate::schema::Name::new(h.payload())),
                            CTA_HELP_INFO => c.helper_info = Some(h.payload()),
                            _ => {}
                        }
                    }
                }
                CTA_COUNTERS_ORIG => c.counters_orig = Some(counters(&a)?),
                CTA_COUNTERS_REPLY => c.counters_reply = Some(counters(&a)?),
                CTA_PROTOINFO => c.protoinfo(&a)?,
                CTA_NAT_SRC => c.nat_src = Some(nat(&a)?),
                CTA_NAT_DST => c.nat_dst = Some(nat(&a)?),
                CTA_SEQ_ADJ_ORIG => c.seq_adj_orig = Some(seqadj(&a)?),
                CTA_SEQ_ADJ_REPLY => c.seq_adj_reply = Some(seqadj(&a)?),
                CTA_SYNPROXY => {
                    let mut s = Synproxy::default();
                    for x in a.nested() {
                        let x = x?;
                        match x.kind() {
                            CTA_SYNPROXY_ISN => s.isn = Some(x.be_u32()?),
                            CTA_SYNPROXY_ITS => s.its = Some(x.be_u32()?),
                            CTA_SYNPROXY_TSOFF => s.tsoff = Some(x.be_u32()?),
                            _ => {}
                        }
                    }
                    c.synproxy = Some(s);
                }
                CTA_TIMESTAMP => {
                    for x in a.nested() {
                        let x = x?;
                        match x.kind() {
                            CTA_TIMESTAMP_START => c.ts_start = Some(x.be_u64()?),
                            CTA_TIMESTAMP_STOP => c.ts_stop = Some(x.be_u64()?),
                            _ => {}
                        }
                    }
                }
                CTA_TIMESTAMP_EVENT => c.ts_event = Some(a.be_u64()?),
                CTA_LABELS => c.labels = Some(a.payload()),
                CTA_LABELS_MASK => c.labels_mask = Some(a.payload()),
                _ => {}
            }
        }
        Ok(c)
    }

    fn protoinfo(&mut self, a: &Attr<'a>) -> wire::Result<()> {
        for p in a.nested() {
            let p = p?;
            match p.kind() {
                CTA_PROTOINFO_TCP => {
                    let mut t = TcpInfo::default();
                    for x in p.nested() {
                        let x = x?;
                        match x.kind() {
                            CTA_PROTOINFO_TCP_STATE => t.state = Some(x.u8()?),
                            CTA_PROTOINFO_TCP_WSCALE_ORIGINAL => t.wscale_orig = Some(x.u8()?),
                            CTA_PROTOINFO_TCP_WSCALE_REPLY => t.wscale_reply = Some(x.u8()?),
                            CTA_PROTOINFO_TCP_FLAGS_ORIGINAL => t.flags_orig = Some(x.array()?),
                            CTA_PROTOINFO_TCP_FLAGS_REPLY => t.flags_reply = Some(x.array()?),
                            _ => {}
                        }
                    }
                    self.tcp = Some(t);
                }
                CTA_PROTOINFO_SCTP => {
                    let mut s = SctpInfo::default();
                    for x in p.nested() {
                        let x = x?;
                        match x.kind() {
                            CTA_PROTOINFO_SCTP_STATE => s.state = Some(x.u8()?),
                            CTA_PROTOINFO_SCTP_VTAG_ORIGINAL => s.vtag_orig = Some(x.be_u32()?),
                            CTA_PROTOINFO_SCTP_VTAG_REPLY => s.vtag_reply = Some(x.be_u32()?),
                            _ => {}
                        }
                    }
                    self.sctp = Some(s);
                }
                CTA_PROTOINFO_DCCP => {
                    let mut d = DccpInfo::default();
                    for x in p.nested() {
                        let x = x?;
                        match x.kind() {
                            CTA_PROTOINFO_DCCP_STATE => d.state = Some(x.u8()?),
                            CTA_PROTOINFO_DCCP_ROLE => d.role = Some(x.u8()?),
                            CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ => d.handshake_seq = Some(x.be_u64()?),
                            _ => {}
                        }
                    }
                    self.dccp = Some(d);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Top-level attributes this view has no field for, as received.
    pub fn unknown(&self) -> impl Iterator<Item = Attr<'a>> + 'a {
        AttrIter::new(self.attrs)
            .map_while(|a| a.ok())
            .filter(|a| CtAttr::from_u16(a.kind()) == CtAttr::Unknown(a.kind()))
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

fn counters(a: &Attr<'_>) -> wire::Result<Counters> {
    let mut c = Counters::default();
    for x in a.nested() {
        let x = x?;
        match x.kind() {
            CTA_COUNTERS_PACKETS => c.packets = x.be_u64()?,
            CTA_COUNTERS_BYTES => c.bytes = x.be_u64()?,
            CTA_COUNTERS32_PACKETS => c.packets = u64::from(x.be_u32()?),
            CTA_COUNTERS32_BYTES => c.bytes = u64::from(x.be_u32()?),
            _ => {}
        }
    }
    Ok(c)
}

fn nat(a: &Attr<'_>) -> wire::Result<Nat> {
    let mut n = Nat::default();
    for x in a.nested() {
        let x = x?;
        match x.kind() {
            CTA_NAT_V4_MINIP => n.min_ip = Some(IpAddr::V4(x.ipv4()?)),
            CTA_NAT_V4_MAXIP => n.max_ip = Some(IpAddr::V4(x.ipv4()?)),
            CTA_NAT_V6_MINIP => n.min_ip = Some(IpAddr::V6(x.ipv6()?)),
            CTA_NAT_V6_MAXIP => n.max_ip = Some(IpAddr::V6(x.ipv6()?)),
            CTA_NAT_PROTO => {
                for p in x.nested() {
                    let p = p?;
                    match p.kind() {
                        CTA_PROTONAT_PORT_MIN => n.min_port = Some(p.be_u16()?),
                        CTA_PROTONAT_PORT_MAX => n.max_port = Some(p.be_u16()?),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(n)
}

fn seqadj(a: &Attr<'_>) -> wire::Result<SeqAdj> {
    let mut s = SeqAdj::default();
    for x in a.nested() {
        let x = x?;
        match x.kind() {
            CTA_SEQADJ_CORRECTION_POS => s.correction_pos = Some(x.be_u32()?),
            CTA_SEQADJ_OFFSET_BEFORE => s.offset_before = Some(x.be_u32()?),
            CTA_SEQADJ_OFFSET_AFTER => s.offset_after = Some(x.be_u32()?),
            _ => {}
        }
    }
    Ok(s)
}

/// One CPU's counters (`IPCTNL_MSG_CT_GET_STATS_CPU`), in the order the kernel sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuStats {
    /// The CPU (`res_id`).
    pub cpu: u16,
    /// `(CTA_STATS_* type, value)`.
    pub counters: Vec<(u16, u32)>,
}

impl CpuStats {
    /// Reads a per-CPU statistics message.
    pub fn parse(m: &Msg<&[u8]>) -> wire::Result<CpuStats> {
        let h = NfGenMsg::of(m)?;
        let attrs = m.payload_ref().get(NfGenMsg::LEN..).unwrap_or(&[]);
        let mut s = CpuStats {
            cpu: h.res_id.get(),
            counters: Vec::new(),
        };
        for a in AttrIter::new(attrs) {
            let a = a?;
            s.counters.push((a.kind(), a.be_u32()?));
        }
        Ok(s)
    }
}
