//! Connection tracking over ctnetlink (`NFNL_SUBSYS_CTNETLINK`): streamed
//! dumps with kernel-side filters (and the same filter applied again in user
//! space, for kernels that ignore part of it), get, create, update, delete,
//! flush, zeroing counters, per-CPU and global statistics.
//!
//! Entries are read in place ([`Conntrack`] borrows the receive buffer);
//! requests are [`Request`]s over an owned [`Spec`]. Nothing here panics on
//! odd input: a malformed message is a [`wire::Error`].
//!
//! # References
//! uapi `linux/netfilter/nfnetlink_conntrack.h`, `nf_conntrack_common.h`;
//! the kernel's `net/netfilter/nf_conntrack_netlink.c`; `conntrack(8)`.

pub mod labels;
mod schema;
pub mod track;
mod view;

pub use schema::*;
pub use view::{
    Conntrack, Counters, CpuStats, DccpInfo, Nat, SctpInfo, SeqAdj, Synproxy, TcpFlags, TcpInfo,
    Tuple,
};

use super::{msg_type, NfGenMsg, NFNETLINK_V0, NFNETLINK_V1, NFNL_SUBSYS_CTNETLINK};
use crate::conn::ToMsg;
use crate::error::{Error, Result};
use crate::wire::{self, AttrIter, Msg, MsgFlags, MsgWriter};
use crate::{AckMode, Connection};
use std::fmt;
use std::net::IpAddr;

/// `IPCTNL_MSG_CT_NEW`: create/update, and every entry of a dump or event (NEW and UPDATE).
pub const IPCTNL_MSG_CT_NEW: u8 = 0;
/// `IPCTNL_MSG_CT_GET`
pub const IPCTNL_MSG_CT_GET: u8 = 1;
/// `IPCTNL_MSG_CT_DELETE`: delete, flush, and the DESTROY event.
pub const IPCTNL_MSG_CT_DELETE: u8 = 2;
/// `IPCTNL_MSG_CT_GET_CTRZERO`: dump and zero the counters.
pub const IPCTNL_MSG_CT_GET_CTRZERO: u8 = 3;
/// `IPCTNL_MSG_CT_GET_STATS_CPU`
pub const IPCTNL_MSG_CT_GET_STATS_CPU: u8 = 4;
/// `IPCTNL_MSG_CT_GET_STATS`
pub const IPCTNL_MSG_CT_GET_STATS: u8 = 5;
/// `IPCTNL_MSG_CT_GET_DYING`
pub const IPCTNL_MSG_CT_GET_DYING: u8 = 6;
/// `IPCTNL_MSG_CT_GET_UNCONFIRMED`
pub const IPCTNL_MSG_CT_GET_UNCONFIRMED: u8 = 7;

/// `NFNLGRP_CONNTRACK_NEW`
pub const NFNLGRP_CONNTRACK_NEW: u32 = 1;
/// `NFNLGRP_CONNTRACK_UPDATE`
pub const NFNLGRP_CONNTRACK_UPDATE: u32 = 2;
/// `NFNLGRP_CONNTRACK_DESTROY`
pub const NFNLGRP_CONNTRACK_DESTROY: u32 = 3;

const MSG_NAMES: &[&str] = &[
    "IPCTNL_MSG_CT_NEW",
    "IPCTNL_MSG_CT_GET",
    "IPCTNL_MSG_CT_DELETE",
    "IPCTNL_MSG_CT_GET_CTRZERO",
    "IPCTNL_MSG_CT_GET_STATS_CPU",
    "IPCTNL_MSG_CT_GET_STATS",
    "IPCTNL_MSG_CT_GET_DYING",
    "IPCTNL_MSG_CT_GET_UNCONFIRMED",
];

/// The name of a ctnetlink message (`IPCTNL_MSG_CT_NEW`).
pub fn msg_name(msg: u8) -> Option<&'static str> {
    MSG_NAMES.get(usize::from(msg)).copied()
}

/// The attribute set of a ctnetlink message's payload (after `nfgenmsg`), for decoders.
pub fn attr_set(msg: u8) -> &'static crate::route::attrs::AttrSet {
    match msg {
        IPCTNL_MSG_CT_GET_STATS_CPU => &CTA_STATS_SET,
        IPCTNL_MSG_CT_GET_STATS => &CTA_STATS_GLOBAL_SET,
        _ => &CTA_SET,
    }
}

/// The message type of ctnetlink message `msg`.
pub const fn ct_type(msg: u8) -> u16 {
    msg_type(NFNL_SUBSYS_CTNETLINK, msg)
}

/// The attributes a request carries (an owned conntrack entry, or a filter
/// as the kernel reads one). Unset fields are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    /// `CTA_TUPLE_ORIG`.
    pub orig: Option<Tuple>,
    /// `CTA_TUPLE_REPLY`.
    pub reply: Option<Tuple>,
    /// `CTA_STATUS`.
    pub status: Option<u32>,
    /// `CTA_STATUS_MASK` (dump filter).
    pub status_mask: Option<u32>,
    /// `CTA_TIMEOUT`, seconds.
    pub timeout: Option<u32>,
    /// `CTA_MARK`.
    pub mark: Option<u32>,
    /// `CTA_MARK_MASK` (dump filter, flush).
    pub mark_mask: Option<u32>,
    /// `CTA_ZONE`.
    pub zone: Option<u16>,
    /// `CTA_ID`.
    pub id: Option<u32>,
    /// `CTA_PROTOINFO_TCP_STATE` (or SCTP/DCCP by the tuple's protocol).
    pub state: Option<u8>,
    /// `CTA_LABELS`.
    pub labels: Option<Vec<u8>>,
    /// `CTA_LABELS_MASK`.
    pub labels_mask: Option<Vec<u8>>,
    /// `CTA_FILTER`: the `CTA_FILTER_FLAG_*` bits of the original and reply tuples to compare.
    pub filter: Option<(u32, u32)>,
}

/// Writes a tuple nest: addresses and ports by the rows that read them.
fn write_tuple(w: &mut MsgWriter<'_>, kind: u16, t: &Tuple) -> wire::Result<()> {
    w.nest(kind, |w| {
        if t.src.is_some() || t.dst.is_some() {
            let ip = view::TupleIp {
                src: t.src,
                dst: t.dst,
            };
            w.nest(CTA_TUPLE_IP, |w| ip.write_attrs(w))?;
        }
        if let Some(p) = t.proto {
            let icmpv6 = p == 58;
            // The rows write ICMP's types; ICMPv6 has its own.
            let l4 = view::TupleProto {
                proto: Some(p),
                sport: t.sport,
                dport: t.dport,
                icmp_id: t.icmp_id.filter(|_| !icmpv6),
                icmp_type: t.icmp_type.filter(|_| !icmpv6),
                icmp_code: t.icmp_code.filter(|_| !icmpv6),
            };
            w.nest(CTA_TUPLE_PROTO, |w| {
                l4.write_attrs(w)?;
                if icmpv6 {
                    if let Some(v) = t.icmp_id {
                        w.attr_be_u16(CTA_PROTO_ICMPV6_ID, v)?;
                    }
                    if let Some(v) = t.icmp_type {
                        w.attr_u8(CTA_PROTO_ICMPV6_TYPE, v)?;
                    }
                    if let Some(v) = t.icmp_code {
                        w.attr_u8(CTA_PROTO_ICMPV6_CODE, v)?;
                    }
                }
                Ok(())
            })?;
        }
        if let Some(z) = t.zone {
            w.attr_be_u16(CTA_TUPLE_ZONE, z)?;
        }
        Ok(())
    })?;
    Ok(())
}

impl Spec {
    /// Appends the attributes.
    pub fn write(&self, w: &mut MsgWriter<'_>) -> wire::Result<()> {
        self.write_for(w, IPCTNL_MSG_CT_GET)
    }

    /// Appends the attributes for message `msg`: in a create or update
    /// (`IPCTNL_MSG_CT_NEW`) the status carries `IPS_CONFIRMED`, which every
    /// entry in the table has (without it the kernel answers `EBUSY`).
    pub fn write_for(&self, w: &mut MsgWriter<'_>, msg: u8) -> wire::Result<()> {
        if let Some(t) = &self.orig {
            write_tuple(w, CTA_TUPLE_ORIG, t)?;
        }
        if let Some(t) = &self.reply {
            write_tuple(w, CTA_TUPLE_REPLY, t)?;
        }
        if let Some(v) = self.status {
            let v = if msg == IPCTNL_MSG_CT_NEW {
                v | IPS_CONFIRMED
            } else {
                v
            };
            w.attr_be_u32(CTA_STATUS, v)?;
        }
        if let Some(v) = self.status_mask {
            w.attr_be_u32(CTA_STATUS_MASK, v)?;
        }
        if let Some(v) = self.timeout {
            w.attr_be_u32(CTA_TIMEOUT, v)?;
        }
        if let Some(v) = self.mark {
            w.attr_be_u32(CTA_MARK, v)?;
        }
        if let Some(v) = self.mark_mask {
            w.attr_be_u32(CTA_MARK_MASK, v)?;
        }
        if let Some(v) = self.zone {
            w.attr_be_u16(CTA_ZONE, v)?;
        }
        if let Some(v) = self.id {
            w.attr_be_u32(CTA_ID, v)?;
        }
        if let Some(s) = self.state {
            let proto = self.orig.and_then(|t| t.proto).unwrap_or(6);
            let (info, state) = match proto {
                132 => (CTA_PROTOINFO_SCTP, CTA_PROTOINFO_SCTP_STATE),
                33 => (CTA_PROTOINFO_DCCP, CTA_PROTOINFO_DCCP_STATE),
                _ => (CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE),
            };
            w.nest(CTA_PROTOINFO, |w| {
                w.nest(info, |w| w.attr_u8(state, s).map(|_| ()))?;
                Ok(())
            })?;
        }
        if let Some(l) = &self.labels {
            w.attr(CTA_LABELS, l)?;
        }
        if let Some(l) = &self.labels_mask {
            w.attr(CTA_LABELS_MASK, l)?;
        }
        if let Some((o, r)) = self.filter {
            w.nest(CTA_FILTER, |w| {
                w.attr_u32(CTA_FILTER_ORIG_FLAGS, o)?;
                w.attr_u32(CTA_FILTER_REPLY_FLAGS, r)?;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// The address family the tuples imply (`AF_INET`/`AF_INET6`), if any.
    pub fn family(&self) -> Option<u8> {
        [self.orig, self.reply]
            .iter()
            .flatten()
            .flat_map(|t| [t.src, t.dst])
            .flatten()
            .next()
            .map(family_of)
    }
}

fn family_of(ip: IpAddr) -> u8 {
    match ip {
        IpAddr::V4(_) => libc::AF_INET as u8,
        IpAddr::V6(_) => libc::AF_INET6 as u8,
    }
}

/// One ctnetlink request: a message, its flags, the `nfgenmsg` and a [`Spec`].
#[derive(Clone, Debug)]
pub struct Request<'s> {
    /// `IPCTNL_MSG_*`.
    pub msg: u8,
    /// Netlink flags besides `REQUEST`/`ACK` (`DUMP`, `CREATE|EXCL`...).
    pub flags: u16,
    /// The `nfgenmsg`.
    pub header: NfGenMsg,
    /// The attributes.
    pub spec: &'s Spec,
    /// What it does, for errors.
    pub what: &'static str,
}

impl<'s> Request<'s> {
    fn new(msg: u8, flags: u16, family: u8, spec: &'s Spec, what: &'static str) -> Self {
        Request {
            msg,
            flags,
            header: NfGenMsg::new(family, 0),
            spec,
            what,
        }
    }
    /// A dump of the table (`-L`), filtered by the kernel as `spec` says.
    pub fn dump(family: u8, spec: &'s Spec) -> Self {
        Request::new(
            IPCTNL_MSG_CT_GET,
            MsgFlags::DUMP,
            family,
            spec,
            "dump conntrack table",
        )
    }
    /// A dump that zeroes the counters it reports.
    pub fn dump_zero(family: u8, spec: &'s Spec) -> Self {
        Request::new(
            IPCTNL_MSG_CT_GET_CTRZERO,
            MsgFlags::DUMP,
            family,
            spec,
            "dump and zero conntrack counters",
        )
    }
    /// Gets one entry by its tuple (and zone).
    pub fn get(spec: &'s Spec) -> Self {
        let f = spec.family().unwrap_or(libc::AF_INET as u8);
        Request::new(IPCTNL_MSG_CT_GET, 0, f, spec, "get conntrack entry")
    }
    /// Creates an entry (fails with `EEXIST` if it exists).
    pub fn create(spec: &'s Spec) -> Self {
        let f = spec.family().unwrap_or(libc::AF_INET as u8);
        Request::new(
            IPCTNL_MSG_CT_NEW,
            MsgFlags::CREATE | MsgFlags::EXCL,
            f,
            spec,
            "create conntrack entry",
        )
    }
    /// Updates an existing entry (fails with `ENOENT` if it does not exist).
    pub fn update(spec: &'s Spec) -> Self {
        let f = spec.family().unwrap_or(libc::AF_INET as u8);
        Request::new(IPCTNL_MSG_CT_NEW, 0, f, spec, "update conntrack entry")
    }
    /// Deletes one entry by tuple (and zone) or id.
    pub fn delete(spec: &'s Spec) -> Self {
        let f = spec.family().unwrap_or(libc::AF_INET as u8);
        Request::new(IPCTNL_MSG_CT_DELETE, 0, f, spec, "delete conntrack entry")
    }
    /// Flushes the table: one family (`nfgenmsg.version` 1) or all (`AF_UNSPEC`).
    /// `spec` may carry a mark and mask to flush only those entries.
    pub fn flush(family: u8, spec: &'s Spec) -> Self {
        let mut r = Request::new(
            IPCTNL_MSG_CT_DELETE,
            0,
            family,
            spec,
            "flush conntrack table",
        );
        r.header.version = if family == 0 {
            NFNETLINK_V0
        } else {
            NFNETLINK_V1
        };
        r
    }
}

impl ToMsg for Request<'_> {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, ct_type(self.msg), self.flags, 0, 0);
        w.fixed(&self.header);
        self.spec.write_for(&mut w, self.msg)?;
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + NfGenMsg::LEN)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        let info = CTA_SET.resolve(path, None);
        info.names.last().cloned().flatten()
    }
}

/// A request with no attributes (statistics).
struct Bare {
    msg: u8,
    flags: u16,
    what: &'static str,
}

impl ToMsg for Bare {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, ct_type(self.msg), self.flags, 0, 0);
        w.fixed(&NfGenMsg::new(0, 0));
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + NfGenMsg::LEN)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
}

/// What to select in a dump, a delete or a flush. Every set field must match.
///
/// The kernel filters what it can (family, mark/mask, status/mask, zone,
/// `CTA_FILTER` tuple fields); [`Filter::matches`] checks everything again in
/// user space, so a kernel that ignores a filter gives the same result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Address family (0: any).
    pub family: u8,
    /// Original-direction fields (unset: any).
    pub orig: Tuple,
    /// Reply-direction fields (unset: any).
    pub reply: Tuple,
    /// Mark and mask.
    pub mark: Option<(u32, u32)>,
    /// Status bits and mask.
    pub status: Option<(u32, u32)>,
    /// Zone.
    pub zone: Option<u16>,
    /// Protocol state (TCP/SCTP/DCCP).
    pub state: Option<u8>,
    /// Source NAT done (`--src-nat`) / destination NAT done (`--dst-nat`).
    pub nat: Option<(bool, bool)>,
    /// Label bits an entry must all have (`--label`; matched in user space:
    /// the kernel's dump filter has no labels).
    pub labels: Option<Vec<u8>>,
}

fn tuple_flags(t: &Tuple) -> u32 {
    use schema::filter_flag::*;
    let icmp6 = t.proto == Some(58);
    let mut f = 0;
    for (set, bit) in [
        (t.src.is_some(), IP_SRC),
        (t.dst.is_some(), IP_DST),
        (t.zone.is_some(), TUPLE_ZONE),
        (t.proto.is_some(), PROTO_NUM),
        (t.sport.is_some(), PROTO_SRC_PORT),
        (t.dport.is_some(), PROTO_DST_PORT),
        (
            t.icmp_type.is_some(),
            if icmp6 { ICMPV6_TYPE } else { ICMP_TYPE },
        ),
        (
            t.icmp_code.is_some(),
            if icmp6 { ICMPV6_CODE } else { ICMP_CODE },
        ),
        (t.icmp_id.is_some(), if icmp6 { ICMPV6_ID } else { ICMP_ID }),
    ] {
        if set {
            f |= bit;
        }
    }
    f
}

fn tuple_matches(want: &Tuple, have: Option<&Tuple>) -> bool {
    let empty = Tuple::default();
    if want == &empty {
        return true;
    }
    let Some(h) = have else { return false };
    fn eq<T: PartialEq>(w: Option<T>, h: Option<T>) -> bool {
        w.is_none() || w == h
    }
    eq(want.src, h.src)
        && eq(want.dst, h.dst)
        && eq(want.proto, h.proto)
        && eq(want.sport, h.sport)
        && eq(want.dport, h.dport)
        && eq(want.icmp_type, h.icmp_type)
        && eq(want.icmp_code, h.icmp_code)
        && eq(want.icmp_id, h.icmp_id)
        && eq(want.zone, h.zone)
}

impl Filter {
    /// The family the filter implies: its own, or its addresses'.
    pub fn effective_family(&self) -> u8 {
        if self.family != 0 {
            return self.family;
        }
        [self.orig.src, self.orig.dst, self.reply.src, self.reply.dst]
            .into_iter()
            .flatten()
            .next()
            .map_or(0, family_of)
    }

    /// The attributes that ask the kernel to filter a dump.
    pub fn kernel_spec(&self) -> Spec {
        let mut s = Spec::default();
        if let Some((m, mask)) = self.mark {
            s.mark = Some(m);
            s.mark_mask = Some(mask);
        }
        if let Some((st, mask)) = self.status {
            s.status = Some(st);
            s.status_mask = Some(mask);
        }
        s.zone = self.zone;
        // Address filters need the family to be parsed by the kernel; it is set
        // whenever an address is given (effective_family).
        // IPv6 address filters match nothing on the kernels tried (6.1 to 6.18):
        // those stay in user space, as do tuple filters without a family, which
        // the kernel refuses (EOPNOTSUPP).
        let kernel_tuple = |t: &Tuple| {
            let mut t = *t;
            if t.src.is_some_and(|a| a.is_ipv6()) {
                t.src = None;
            }
            if t.dst.is_some_and(|a| a.is_ipv6()) {
                t.dst = None;
            }
            t
        };
        let (ko, kr) = (kernel_tuple(&self.orig), kernel_tuple(&self.reply));
        let (o, r) = (tuple_flags(&ko), tuple_flags(&kr));
        if o | r != 0 && self.effective_family() != 0 {
            s.filter = Some((o, r));
            // The kernel parses the protocol fields only with a protocol number.
            if o != 0 {
                s.orig = Some(ko);
            }
            if r != 0 {
                s.reply = Some(kr);
            }
        }
        s
    }

    /// True if `c` is selected by every field set here.
    pub fn matches(&self, c: &Conntrack<'_>) -> bool {
        let fam = self.effective_family();
        if fam != 0 && c.family() != fam {
            return false;
        }
        if let Some((m, mask)) = self.mark {
            if c.mark.unwrap_or(0) & mask != m & mask {
                return false;
            }
        }
        if let Some((s, mask)) = self.status {
            if c.status.unwrap_or(0) & mask != s & mask {
                return false;
            }
        }
        if self.zone.is_some() && c.zone.or(Some(0)) != self.zone {
            return false;
        }
        if self.state.is_some() && c.state() != self.state {
            return false;
        }
        if let Some((snat, dnat)) = self.nat {
            let st = c.status.unwrap_or(0);
            if snat && st & (1 << 4) == 0 || dnat && st & (1 << 5) == 0 {
                return false;
            }
        }
        if let Some(want) = &self.labels {
            let have = c.labels.unwrap_or(&[]);
            let all = (0..want.len() * 8).all(|b| {
                let b = b as u16;
                !labels::has_bit(want, b) || labels::has_bit(have, b)
            });
            if !all {
                return false;
            }
        }
        tuple_matches(&self.orig, c.orig.as_ref()) && tuple_matches(&self.reply, c.reply.as_ref())
    }
}

/// What a dump did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DumpSummary {
    /// Entries the kernel sent.
    pub received: usize,
    /// Entries that passed the filter and were handed over.
    pub shown: usize,
    /// The dump carried `NLM_F_DUMP_INTR`: the table changed while it was read.
    pub interrupted: bool,
}

/// Which table a dump reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Table {
    /// The conntrack table.
    #[default]
    Main,
    /// The same, zeroing the counters it reports (`IPCTNL_MSG_CT_GET_CTRZERO`).
    ZeroCounters,
    /// Dying entries.
    Dying,
    /// Unconfirmed entries.
    Unconfirmed,
}

/// Streams the entries `filter` selects to `each`, straight from the receive
/// buffer (memory stays flat however large the table). A dump the kernel
/// marks interrupted is reported in the summary, not retried: entries were
/// already handed over (use [`Connection::dump_consistent`] to fold instead).
pub fn dump(
    conn: &Connection,
    table: Table,
    filter: &Filter,
    mut each: impl FnMut(&Conntrack<'_>) -> Result<()>,
) -> Result<DumpSummary> {
    let spec = filter.kernel_spec();
    match dump_with(conn, table, filter, &spec, &mut each) {
        // A kernel that cannot filter this way (older, or a filter it refuses) says so
        // before sending anything: dump everything and filter here.
        Err((e, 0))
            if spec != Spec::default()
                && matches!(e.errno(), Some(libc::EOPNOTSUPP | libc::EINVAL)) =>
        {
            dump_with(conn, table, filter, &Spec::default(), &mut each).map_err(|(e, _)| e)
        }
        r => r.map_err(|(e, _)| e),
    }
}

fn dump_with(
    conn: &Connection,
    table: Table,
    filter: &Filter,
    spec: &Spec,
    each: &mut impl FnMut(&Conntrack<'_>) -> Result<()>,
) -> std::result::Result<DumpSummary, (Error, usize)> {
    let fam = filter.effective_family();
    let mut req = Request::dump(fam, spec);
    req.msg = match table {
        Table::Main => IPCTNL_MSG_CT_GET,
        Table::ZeroCounters => IPCTNL_MSG_CT_GET_CTRZERO,
        Table::Dying => IPCTNL_MSG_CT_GET_DYING,
        Table::Unconfirmed => IPCTNL_MSG_CT_GET_UNCONFIRMED,
    };
    let mut sum = DumpSummary::default();
    let mut d = conn.dump(&req).map_err(|e| (e, 0))?;
    while let Some(m) = d.next() {
        let m = m.map_err(|e| (e, sum.received))?;
        let c = Conntrack::parse(&m).map_err(|e| {
            (
                Error::Malformed {
                    what: "dump conntrack table".into(),
                    source: e,
                },
                sum.received,
            )
        })?;
        sum.received += 1;
        if filter.matches(&c) {
            sum.shown += 1;
            each(&c).map_err(|e| (e, sum.received))?;
        }
    }
    sum.interrupted = d.interrupted();
    Ok(sum)
}

/// Gets one entry by its original (or reply) tuple and zone; returns the message bytes
/// (read them with [`Conntrack::parse`]).
pub fn get(conn: &Connection, spec: &Spec) -> Result<Vec<u8>> {
    conn.get(&Request::get(spec))
}

/// Creates one entry.
pub fn create(conn: &Connection, spec: &Spec) -> Result<()> {
    conn.request(&Request::create(spec), |_| Ok(())).map(|_| ())
}

/// Updates one entry (mark, timeout, status, labels...).
pub fn update(conn: &Connection, spec: &Spec) -> Result<()> {
    conn.request(&Request::update(spec), |_| Ok(())).map(|_| ())
}

/// Deletes one entry.
pub fn delete(conn: &Connection, spec: &Spec) -> Result<()> {
    conn.request(&Request::delete(spec), |_| Ok(())).map(|_| ())
}

/// Flushes the table of `family` (0: every family) in one request.
pub fn flush(conn: &Connection, family: u8) -> Result<()> {
    let spec = Spec::default();
    conn.request(&Request::flush(family, &spec), |_| Ok(()))
        .map(|_| ())
}

/// The spec that names one existing entry (its original tuple, zone and id) for
/// a delete or an update.
pub fn key_of(c: &Conntrack<'_>) -> Spec {
    Spec {
        orig: c.orig,
        zone: c.zone,
        id: c.id,
        ..Default::default()
    }
}

/// Sends many create/update/delete requests packed into few `sendmsg`s
/// (`AckMode::ErrorsOnly`); `on_result(index, result)` for each.
pub fn batch(
    conn: &Connection,
    reqs: impl IntoIterator<Item = (u8, u16, Spec)>,
    mut on_result: impl FnMut(usize, Result<()>),
) -> Result<crate::conn::BatchSummary> {
    struct Owned(u8, u16, Spec);
    impl ToMsg for Owned {
        fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
            let f = self.2.family().unwrap_or(libc::AF_INET as u8);
            Request::new(self.0, self.1, f, &self.2, "").write(buf)
        }
        fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let what = match (self.0, self.1 & MsgFlags::CREATE != 0) {
                (IPCTNL_MSG_CT_NEW, true) => "create",
                (IPCTNL_MSG_CT_NEW, false) => "update",
                (IPCTNL_MSG_CT_DELETE, _) => "delete",
                _ => "request",
            };
            write!(f, "{what} conntrack entry")
        }
    }
    conn.batch(
        reqs.into_iter().map(|(m, fl, s)| Owned(m, fl, s)),
        AckMode::ErrorsOnly,
        &mut on_result,
    )
}

/// Deletes every entry `filter` selects: one dump, then the deletes in
/// batches. `each` sees every entry before it is deleted; returns how many
/// were deleted (an entry already gone by then, `ENOENT`, is not counted).
pub fn delete_matching(
    conn: &Connection,
    filter: &Filter,
    mut each: impl FnMut(&Conntrack<'_>) -> Result<()>,
) -> Result<usize> {
    let mut keys = Vec::new();
    dump(conn, Table::Main, filter, |c| {
        keys.push(key_of(c));
        each(c)
    })?;
    let mut deleted = 0;
    let mut first_err = None;
    batch(
        conn,
        keys.into_iter().map(|k| (IPCTNL_MSG_CT_DELETE, 0, k)),
        |_, r| match r {
            Ok(()) => deleted += 1,
            Err(e) if e.errno() == Some(libc::ENOENT) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        },
    )?;
    match first_err {
        Some(e) => Err(e),
        None => Ok(deleted),
    }
}

/// The table's size (`IPCTNL_MSG_CT_GET_STATS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalStats {
    /// Entries now.
    pub entries: u32,
    /// The table's limit (`nf_conntrack_max`), if sent.
    pub max_entries: Option<u32>,
}

/// How many entries the table holds.
pub fn count(conn: &Connection) -> Result<GlobalStats> {
    let req = Bare {
        msg: IPCTNL_MSG_CT_GET_STATS,
        flags: 0,
        what: "get conntrack statistics",
    };
    let bytes = conn.get(&req)?;
    let parse = || -> wire::Result<GlobalStats> {
        let m = Msg::new_checked(&bytes[..])?;
        let attrs = m.payload_ref().get(NfGenMsg::LEN..).unwrap_or(&[]);
        let mut s = GlobalStats::default();
        for a in AttrIter::new(attrs) {
            let a = a?;
            match a.kind() {
                CTA_STATS_GLOBAL_ENTRIES => s.entries = a.be_u32()?,
                CTA_STATS_GLOBAL_MAX_ENTRIES => s.max_entries = Some(a.be_u32()?),
                _ => {}
            }
        }
        Ok(s)
    };
    parse().map_err(|e| Error::Malformed {
        what: "get conntrack statistics".into(),
        source: e,
    })
}

/// Per-CPU counters (`IPCTNL_MSG_CT_GET_STATS_CPU`), one per possible CPU.
pub fn cpu_stats(conn: &Connection) -> Result<Vec<CpuStats>> {
    let req = Bare {
        msg: IPCTNL_MSG_CT_GET_STATS_CPU,
        flags: MsgFlags::DUMP,
        what: "dump conntrack per-CPU statistics",
    };
    let mut out = Vec::new();
    let mut d = conn.dump(&req)?;
    while let Some(m) = d.next() {
        let m = m?;
        out.push(CpuStats::parse(&m).map_err(|e| Error::Malformed {
            what: "dump conntrack per-CPU statistics".into(),
            source: e,
        })?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dump reply for one UDP entry, one field per line.
    fn udp_entry() -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(IPCTNL_MSG_CT_NEW), MsgFlags::MULTI, 1, 0);
        w.fixed(&NfGenMsg::new(libc::AF_INET as u8, 0));
        let t = Tuple {
            src: Some("10.0.0.1".parse().unwrap()),
            dst: Some("10.0.0.2".parse().unwrap()),
            proto: Some(17),
            sport: Some(1000),
            dport: Some(2000),
            ..Default::default()
        };
        let spec = Spec {
            orig: Some(t),
            reply: Some(Tuple {
                src: t.dst,
                dst: t.src,
                sport: t.dport,
                dport: t.sport,
                ..t
            }),
            status: Some(IPS_CONFIRMED),
            timeout: Some(30),
            mark: Some(7),
            zone: Some(3),
            id: Some(99),
            ..Default::default()
        };
        spec.write(&mut w).unwrap();
        w.attr(200, &[1, 2, 3, 4]).unwrap(); // unknown: kept
        w.finish().unwrap();
        b
    }

    #[test]
    fn parse_what_was_written() {
        let b = udp_entry();
        let m = Msg::new_checked(&b[..]).unwrap();
        let c = Conntrack::parse(&m).unwrap();
        assert_eq!(c.family(), libc::AF_INET as u8);
        let o = c.orig.unwrap();
        assert_eq!(o.src, Some("10.0.0.1".parse().unwrap()));
        assert_eq!(
            (o.proto, o.sport, o.dport),
            (Some(17), Some(1000), Some(2000))
        );
        assert_eq!(c.reply.unwrap().sport, Some(2000));
        assert_eq!(
            (c.status, c.timeout, c.mark, c.zone, c.id),
            (Some(IPS_CONFIRMED), Some(30), Some(7), Some(3), Some(99))
        );
        let unknown: Vec<_> = c.unknown().collect();
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].kind(), 200);
        assert_eq!(unknown[0].payload(), &[1, 2, 3, 4]);
        assert!(!c.has_status(IPS_SEEN_REPLY));
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let b = udp_entry();
        for n in 0..b.len() {
            let mut cut = b[..n].to_vec();
            if cut.len() >= 4 {
                let l = cut.len() as u32;
                cut[..4].copy_from_slice(&l.to_ne_bytes());
            }
            if let Ok(m) = Msg::new_checked(&cut[..]) {
                let _ = Conntrack::parse(&m);
            }
        }
    }

    #[test]
    fn filter_matches_in_user_space() {
        let b = udp_entry();
        let m = Msg::new_checked(&b[..]).unwrap();
        let c = Conntrack::parse(&m).unwrap();
        let mut f = Filter::default();
        assert!(f.matches(&c));
        f.orig.dport = Some(2000);
        f.mark = Some((7, 0xffff_ffff));
        f.zone = Some(3);
        assert!(f.matches(&c));
        f.orig.dport = Some(2001);
        assert!(!f.matches(&c));
        f.orig.dport = None;
        f.mark = Some((6, 0xffff_ffff));
        assert!(!f.matches(&c));
        f.mark = Some((6, 0x1));
        assert!(!f.matches(&c));
        f.mark = Some((6, 0x2)); // 7 & 2 == 6 & 2
        assert!(f.matches(&c));
        f.family = libc::AF_INET6 as u8;
        assert!(!f.matches(&c));
    }

    #[test]
    fn kernel_filter_flags() {
        let f = Filter {
            orig: Tuple {
                src: Some("10.0.0.1".parse().unwrap()),
                proto: Some(17),
                dport: Some(53),
                ..Default::default()
            },
            ..Default::default()
        };
        let s = f.kernel_spec();
        use schema::filter_flag::*;
        assert_eq!(s.filter, Some((IP_SRC | PROTO_NUM | PROTO_DST_PORT, 0)));
        assert_eq!(f.effective_family(), libc::AF_INET as u8);
    }

    #[test]
    fn flush_uses_version_1_for_one_family() {
        let s = Spec::default();
        let r = Request::flush(libc::AF_INET6 as u8, &s);
        let mut b = Vec::new();
        r.write(&mut b).unwrap();
        assert_eq!(&b[16..20], &[libc::AF_INET6 as u8, 1, 0, 0]);
        let r = Request::flush(0, &s);
        let mut b = Vec::new();
        r.write(&mut b).unwrap();
        assert_eq!(&b[16..20], &[0, 0, 0, 0]);
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), 0x0102);
    }
}
