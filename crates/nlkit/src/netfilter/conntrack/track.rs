//! Conntrack events on the generic resyncing monitor: a [`Tracker`] for
//! `NFNLGRP_CONNTRACK_NEW/UPDATE/DESTROY`. After an overrun the monitor
//! re-dumps the table and emits the differences, so a consumer ends with
//! the table. Written against the current `nlkit::monitor::Tracker` trait.
//!
//! NEW and UPDATE are both `IPCTNL_MSG_CT_NEW`, told apart by `NLM_F_CREATE`
//! ([`event_kind`]); DESTROY is `IPCTNL_MSG_CT_DELETE`.

use super::{ct_type, Conntrack, Request, Spec, Tuple, IPCTNL_MSG_CT_DELETE, IPCTNL_MSG_CT_NEW};
use crate::conn::ToMsg;
use crate::monitor::{Change, Tracker};
use crate::netfilter::{msg_of, subsys_of, NFNL_SUBSYS_CTNETLINK};
use crate::wire::{self, Msg, MsgFlags};
use std::hash::Hasher;
use std::net::IpAddr;
use std::sync::OnceLock;

/// What a conntrack event message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A new entry (`IPCTNL_MSG_CT_NEW` with `NLM_F_CREATE`).
    New,
    /// A changed entry (`IPCTNL_MSG_CT_NEW` without it).
    Update,
    /// A destroyed entry (`IPCTNL_MSG_CT_DELETE`).
    Destroy,
}

impl EventKind {
    /// The tag conntrack prints (`[NEW]`, `[UPDATE]`, `[DESTROY]`).
    pub fn tag(self) -> &'static str {
        match self {
            EventKind::New => "[NEW]",
            EventKind::Update => "[UPDATE]",
            EventKind::Destroy => "[DESTROY]",
        }
    }
}

/// The kind of a ctnetlink event message; `None` for other messages.
pub fn event_kind(m: &Msg<&[u8]>) -> Option<EventKind> {
    let ty = m.msg_type();
    if subsys_of(ty) != NFNL_SUBSYS_CTNETLINK {
        return None;
    }
    match msg_of(ty) {
        IPCTNL_MSG_CT_NEW if m.flags().contains(MsgFlags::CREATE) => Some(EventKind::New),
        IPCTNL_MSG_CT_NEW => Some(EventKind::Update),
        IPCTNL_MSG_CT_DELETE => Some(EventKind::Destroy),
        _ => None,
    }
}

/// Follows the conntrack table: entries keyed by family, original tuple and zone.
#[derive(Debug, Default)]
pub struct ConntrackTracker {
    /// Address family to follow (0: all).
    pub family: u8,
}

impl ConntrackTracker {
    /// Follows entries of `family` (0: all).
    pub fn new(family: u8) -> ConntrackTracker {
        ConntrackTracker { family }
    }
}

fn push_ip(k: &mut Vec<u8>, ip: Option<IpAddr>) {
    match ip {
        Some(IpAddr::V4(a)) => k.extend_from_slice(&a.octets()),
        Some(IpAddr::V6(a)) => k.extend_from_slice(&a.octets()),
        None => k.push(0),
    }
}

/// The identity of an entry: family, original tuple, zone.
pub fn key(c: &Conntrack<'_>) -> Vec<u8> {
    let t: Tuple = c.orig.unwrap_or_default();
    let mut k = Vec::with_capacity(48);
    k.push(c.family());
    push_ip(&mut k, t.src);
    push_ip(&mut k, t.dst);
    k.push(t.proto.unwrap_or(0));
    for v in [t.sport, t.dport, t.icmp_id, t.zone, c.zone] {
        k.extend_from_slice(&v.unwrap_or(0).to_be_bytes());
    }
    k.extend_from_slice(&[t.icmp_type.unwrap_or(0), t.icmp_code.unwrap_or(0)]);
    k
}

impl Tracker for ConntrackTracker {
    fn groups(&self) -> Vec<u32> {
        vec![
            super::NFNLGRP_CONNTRACK_NEW,
            super::NFNLGRP_CONNTRACK_UPDATE,
            super::NFNLGRP_CONNTRACK_DESTROY,
        ]
    }

    fn identify(&self, msg: &Msg<&[u8]>, k: &mut Vec<u8>) -> wire::Result<Option<Change>> {
        let Some(kind) = event_kind(msg) else {
            return Ok(None);
        };
        let c = Conntrack::parse(msg)?;
        if self.family != 0 && c.family() != self.family {
            return Ok(None);
        }
        k.extend_from_slice(&key(&c));
        Ok(Some(match kind {
            EventKind::Destroy => Change::Remove,
            _ => Change::Set,
        }))
    }

    fn dumps(&self) -> Vec<Box<dyn ToMsg + Send + Sync>> {
        // The whole table: no kernel-side filter (a dump request borrows its spec).
        static ALL: OnceLock<Spec> = OnceLock::new();
        vec![Box::new(Request::dump(
            self.family,
            ALL.get_or_init(Spec::default),
        ))]
    }

    fn delete_type(&self, _new_type: u16) -> u16 {
        ct_type(IPCTNL_MSG_CT_DELETE)
    }

    /// Timeouts and counters change all the time; an entry is the same while
    /// its status, mark, protocol state, labels and reply tuple are.
    fn state(&self, msg: &Msg<&[u8]>, h: &mut dyn Hasher) {
        match Conntrack::parse(msg) {
            Ok(c) => {
                let mut w = |b: &[u8]| h.write(b);
                w(&c.status.unwrap_or(0).to_ne_bytes());
                w(&c.mark.unwrap_or(0).to_ne_bytes());
                w(&[c.state().unwrap_or(0xff)]);
                let labels = c.labels.unwrap_or(&[]);
                w(&(labels.len() as u32).to_ne_bytes());
                w(labels);
                let r: Tuple = c.reply.unwrap_or_default();
                let mut rk = Vec::with_capacity(48);
                push_ip(&mut rk, r.src);
                push_ip(&mut rk, r.dst);
                rk.push(r.proto.unwrap_or(0));
                for v in [r.sport, r.dport, r.icmp_id, r.zone] {
                    rk.extend_from_slice(&v.unwrap_or(0).to_be_bytes());
                }
                w(&rk);
            }
            // Not readable: its bytes are its state.
            Err(_) => {
                h.write_u16(msg.msg_type());
                h.write(msg.payload());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netfilter::NfGenMsg;
    use crate::wire::MsgWriter;

    fn msg(ty: u8, flags: u16, mark: u32, timeout: u32) -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(ty), flags, 0, 0);
        w.fixed(&NfGenMsg::new(libc::AF_INET as u8, 0));
        let t = Tuple {
            src: Some("10.0.0.1".parse().unwrap()),
            dst: Some("10.0.0.2".parse().unwrap()),
            proto: Some(17),
            sport: Some(1),
            dport: Some(2),
            ..Default::default()
        };
        Spec {
            orig: Some(t),
            mark: Some(mark),
            timeout: Some(timeout),
            status: Some(8),
            ..Default::default()
        }
        .write(&mut w)
        .unwrap();
        w.finish().unwrap();
        b
    }

    #[test]
    fn kinds_keys_and_sameness() {
        let t = ConntrackTracker::new(0);
        let new = msg(IPCTNL_MSG_CT_NEW, MsgFlags::CREATE | MsgFlags::EXCL, 1, 30);
        let upd = msg(IPCTNL_MSG_CT_NEW, 0, 1, 20);
        let del = msg(IPCTNL_MSG_CT_DELETE, 0, 1, 0);
        let m = |b: &[u8]| Msg::new_checked(b).map(|m| event_kind(&m)).unwrap();
        assert_eq!(m(&new), Some(EventKind::New));
        assert_eq!(m(&upd), Some(EventKind::Update));
        assert_eq!(m(&del), Some(EventKind::Destroy));
        let id = |b: &[u8]| {
            let mut k = Vec::new();
            let c = t.identify(&Msg::new_checked(b).unwrap(), &mut k).unwrap();
            (k, c.unwrap())
        };
        assert_eq!(id(&new).0, id(&del).0);
        assert_eq!(id(&new).1, Change::Set);
        assert_eq!(id(&del).1, Change::Remove);
        let same = |a: &[u8], b: &[u8]| {
            crate::monitor::same(
                &t,
                &Msg::new_checked(a).unwrap(),
                &Msg::new_checked(b).unwrap(),
            )
        };
        assert!(same(&new, &upd), "a timeout change is no change");
        assert!(
            !same(&new, &msg(IPCTNL_MSG_CT_NEW, 0, 2, 30)),
            "a mark change is"
        );
        let mut k = Vec::new();
        assert_eq!(
            ConntrackTracker::new(libc::AF_INET6 as u8)
                .identify(&Msg::new_checked(&new[..]).unwrap(), &mut k)
                .unwrap(),
            None
        );
    }
}
