//! Subscribing to process events and receiving them without losing any
//! unnoticed.

use super::proc::{EventSet, ProcEvent, Subscription, PROC_CN_MCAST_IGNORE, PROC_CN_MCAST_LISTEN};
use super::{emit, CnMsg, CN_IDX_PROC, CN_MSG_LEN, CN_VAL_PROC};
use crate::socket::{group_mask, is_overrun, Socket};
use crate::wire::{self, Msg, Protocol, NLMSG_DONE, NLMSG_HDRLEN};
use crate::{Error, KernelError, Result};
use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

/// How long [`ProcListener::subscribe`] waits for each answer of the kernel.
pub const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(1);
/// The receive buffer a listener asks for (`SO_RCVBUFFORCE` when privileged).
const RECV_BUFFER: usize = 64 << 20;

/// What a [`ProcListener`] has seen since it subscribed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcStats {
    /// Events handed out.
    pub events: u64,
    /// Events of kinds not asked for (before the kernel's filter took over,
    /// or on kernels without one), not handed out.
    pub filtered: u64,
    /// Subscription answers (ours and other listeners': the kernel sends them to all).
    pub acks: u64,
    /// Messages that were not process events (another sender, another connector user).
    pub foreign: u64,
    /// Malformed messages (handed out as [`ProcReceived::Malformed`]).
    pub malformed: u64,
    /// Overruns (`ENOBUFS`).
    pub overruns: u64,
    /// Events known to be lost: gaps in the kernel's per-CPU sequence numbers
    /// (counted only when the kernel does not filter for this socket, as then
    /// every event reaches it). A lower bound: a gap shows only on a CPU that
    /// had sent an event before the loss and sends another after it; an
    /// overrun is always reported as such.
    pub missing: u64,
}

/// One thing a [`ProcListener`] received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcReceived<'a> {
    /// An event of a kind asked for.
    Event(ProcEvent<'a>),
    /// Events were lost: the receive buffer overflowed (`ENOBUFS`), or a gap
    /// in the sequence numbers showed that the kernel could not send some.
    /// The listener carries on.
    Lost {
        /// Overruns since the subscription.
        overruns: u64,
        /// Events known to be missing since the subscription.
        missing: u64,
    },
    /// A message from the kernel that does not parse; kept whole.
    Malformed {
        /// The datagram.
        raw: &'a [u8],
        /// Where and why (offsets from the start of the datagram).
        error: wire::Error,
    },
}

#[derive(Debug)]
enum Pending {
    Datagram(Vec<u8>),
    Overrun,
}

/// What a datagram turned out to be.
enum Outcome {
    Event,
    Skip,
    Gap,
    Malformed(wire::Error),
}

/// A subscription to the process events connector.
///
/// Only processes in the initial user and pid namespaces may subscribe, and
/// the connector lives in the initial network namespace only. Dropping the
/// listener unsubscribes (`PROC_CN_MCAST_IGNORE`).
#[derive(Debug)]
pub struct ProcListener {
    sock: Socket,
    port_id: u32,
    buf: Vec<u8>,
    events: EventSet,
    kernel_filter: bool,
    proc_input: bool,
    stats: ProcStats,
    last_seq: Vec<Option<u32>>,
    pending: VecDeque<Pending>,
    hold: bool,
    token: u32,
}

impl ProcListener {
    /// Subscribes to `events` in the current (initial) network namespace.
    pub fn subscribe(events: EventSet) -> Result<ProcListener> {
        let sock =
            Socket::new(Protocol::CONNECTOR).map_err(|e| Error::io("open connector socket", e))?;
        ProcListener::subscribe_with(sock, events, SUBSCRIBE_TIMEOUT)
    }

    /// Subscribes with `sock`, a fresh unbound `NETLINK_CONNECTOR` socket,
    /// waiting up to `timeout` for each answer.
    ///
    /// Sends `proc_input` (listen, every kind) and waits for the kernel's
    /// `PROC_EVENT_NONE` answer; kernels before 6.5 ignore that form, so
    /// without an answer it sends the 4-byte form and waits again. With an
    /// answer to `proc_input` and a smaller set than all, it then sends
    /// `proc_input` with the set so that the kernel filters (no answer comes
    /// to that one: the kernel's filter drops it for this socket). Events of
    /// other kinds that arrive meanwhile (or on older kernels) are filtered
    /// here.
    ///
    /// No answer at all within `timeout` is [`Error::Invalid`]: the kernel
    /// answers only processes in the initial user and pid namespaces.
    pub fn subscribe_with(
        sock: Socket,
        events: EventSet,
        timeout: Duration,
    ) -> Result<ProcListener> {
        let what = "subscribe to proc events";
        let io = |e| Error::io(what, e);
        let mask = group_mask(CN_IDX_PROC).map_err(io)?;
        sock.bind(0, mask).map_err(io)?;
        if sock.set_recv_buffer_size(RECV_BUFFER, true).is_err() {
            sock.set_recv_buffer_size(RECV_BUFFER, false).map_err(io)?;
        }
        let port_id = sock.port_id().map_err(io)?;
        // Answers go to every listener: a token of our own tells ours apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = (nanos ^ (port_id << 12)) & !3;
        let mut l = ProcListener {
            sock,
            port_id,
            buf: Vec::with_capacity(256),
            events,
            kernel_filter: false,
            proc_input: false,
            stats: ProcStats::default(),
            last_seq: Vec::new(),
            pending: VecDeque::new(),
            hold: false,
            token,
        };
        let listen_all = Subscription {
            op: PROC_CN_MCAST_LISTEN,
            events: Some(EventSet::ALL),
        };
        let listen_old = Subscription {
            op: PROC_CN_MCAST_LISTEN,
            events: None,
        };
        let err = match l.ask(listen_all, token, timeout)? {
            Some(err) => {
                l.proc_input = true;
                err
            }
            None => l.ask(listen_old, token + 1, timeout)?.ok_or_else(|| {
                Error::Invalid(format!(
                    "{what}: no answer from the kernel within {timeout:?}: the proc connector \
                     answers only processes in the initial user and pid namespaces (and needs \
                     CONFIG_PROC_EVENTS)"
                ))
            })?,
        };
        if err != 0 {
            return Err(Error::Kernel(Box::new(KernelError {
                errno: err as i32,
                what: Some(what.into()),
                ..Default::default()
            })));
        }
        if l.proc_input && !events.is_all() {
            let filtered = Subscription {
                op: PROC_CN_MCAST_LISTEN,
                events: Some(events),
            };
            l.send(filtered, token + 2).map_err(io)?;
            l.kernel_filter = true;
        }
        l.sock.set_recv_timeout(None).map_err(io)?;
        Ok(l)
    }

    fn send(&self, sub: Subscription, token: u32) -> io::Result<()> {
        let mut buf = Vec::new();
        emit(
            &mut buf,
            self.port_id,
            (CN_IDX_PROC, CN_VAL_PROC),
            token,
            token,
            &sub.to_bytes(),
        )
        .map_err(|e| io::Error::other(e.to_string()))?;
        self.sock.send(&buf).map(|_| ())
    }

    /// Sends `sub` and waits for its answer (`ack == token + 1`); `None` on
    /// timeout. Everything received meanwhile is kept for [`ProcListener::recv`].
    fn ask(&mut self, sub: Subscription, token: u32, timeout: Duration) -> Result<Option<u32>> {
        let what = "subscribe to proc events";
        self.send(sub, token).map_err(|e| Error::io(what, e))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.sock
                .set_recv_timeout(Some(left))
                .map_err(|e| Error::io(what, e))?;
            let mut buf = Vec::new();
            match self.sock.recv(&mut buf) {
                Err(e) if is_overrun(&e) => self.pending.push_back(Pending::Overrun),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(what, e)),
                Ok(_) => {
                    let answer = answer_to(&buf, token);
                    self.pending.push_back(Pending::Datagram(buf));
                    if answer.is_some() {
                        return Ok(answer);
                    }
                }
            }
        }
    }

    /// The socket (for a receive timeout, polling...).
    pub fn socket(&self) -> &Socket {
        &self.sock
    }
    /// The kinds asked for.
    pub fn events(&self) -> EventSet {
        self.events
    }
    /// True if the kernel filters by kind for this socket (6.5+ and a set smaller than all).
    pub fn kernel_filter(&self) -> bool {
        self.kernel_filter
    }
    /// True if the kernel understood `proc_input` (6.5+); false: the 4-byte form was used.
    pub fn proc_input(&self) -> bool {
        self.proc_input
    }
    /// Counts since the subscription.
    pub fn stats(&self) -> ProcStats {
        self.stats
    }

    /// Waits for the next event of a kind asked for, or a loss report, or a
    /// malformed message. Answers to subscriptions and other kinds are
    /// skipped (and counted). A receive timeout set on
    /// [`ProcListener::socket`] ends the wait with an [`Error::Io`] of kind
    /// `WouldBlock`.
    pub fn recv(&mut self) -> Result<ProcReceived<'_>> {
        loop {
            if self.hold {
                self.hold = false;
            } else {
                match self.pending.pop_front() {
                    Some(Pending::Datagram(b)) => self.buf = b,
                    Some(Pending::Overrun) => return Ok(self.overrun()),
                    None => match self.sock.recv(&mut self.buf) {
                        Err(e) if is_overrun(&e) => return Ok(self.overrun()),
                        // A signal (with a receive timeout set, receives are not restarted).
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(Error::io("receive proc events", e)),
                        Ok(info) if info.port_id != 0 => {
                            self.stats.foreign += 1;
                            continue;
                        }
                        Ok(_) => {}
                    },
                }
            }
            match self.classify() {
                Outcome::Skip => {}
                Outcome::Event => break,
                Outcome::Gap => {
                    // Report the loss now, hand out this event on the next call.
                    self.hold = true;
                    return Ok(self.lost());
                }
                Outcome::Malformed(error) => {
                    self.stats.malformed += 1;
                    return Ok(ProcReceived::Malformed {
                        raw: &self.buf,
                        error,
                    });
                }
            }
        }
        match parse(&self.buf) {
            Ok(Some(ev)) => Ok(ProcReceived::Event(ev)),
            // classify() parsed the same bytes successfully.
            _ => Err(Error::Invalid("proc event changed under the parser".into())),
        }
    }

    fn overrun(&mut self) -> ProcReceived<'static> {
        self.stats.overruns += 1;
        self.lost()
    }

    fn lost(&self) -> ProcReceived<'static> {
        ProcReceived::Lost {
            overruns: self.stats.overruns,
            missing: self.stats.missing,
        }
    }

    fn classify(&mut self) -> Outcome {
        let ev = match parse(&self.buf) {
            Err(e) => return Outcome::Malformed(e),
            Ok(None) => {
                self.stats.foreign += 1;
                return Outcome::Skip;
            }
            Ok(Some(ev)) => ev,
        };
        let (cpu, what, accepted) = (ev.cpu(), ev.what(), self.events.accepts(&ev));
        let seq = match Msg::new_checked(&self.buf[..]) {
            Ok(m) => m.seq(),
            Err(e) => return Outcome::Malformed(e),
        };
        if !self.kernel_filter && self.note_seq(cpu, seq) {
            return Outcome::Gap;
        }
        if what == super::proc::PROC_EVENT_NONE {
            self.stats.acks += 1;
            Outcome::Skip
        } else if !accepted {
            self.stats.filtered += 1;
            Outcome::Skip
        } else {
            self.stats.events += 1;
            Outcome::Event
        }
    }

    /// Records `seq` from `cpu`; true if messages before it are missing.
    fn note_seq(&mut self, cpu: u32, seq: u32) -> bool {
        let cpu = cpu as usize;
        if cpu >= 1 << 16 {
            return false; // not a CPU number: nothing to track
        }
        if self.last_seq.len() <= cpu {
            self.last_seq.resize(cpu + 1, None);
        }
        let prev = self.last_seq[cpu].replace(seq);
        let Some(prev) = prev else { return false };
        let gap = seq.wrapping_sub(prev.wrapping_add(1));
        // A "gap" of more than 2^31 is a message older than the last one: not a loss.
        if gap != 0 && gap < 1 << 31 {
            self.stats.missing += gap as u64;
            return true;
        }
        false
    }
}

/// The process event in a datagram; `None` if it is not one (another
/// connector user, a netlink control message).
fn parse(buf: &[u8]) -> wire::Result<Option<ProcEvent<'_>>> {
    let msg = Msg::new_checked(buf)?;
    if msg.msg_type() != NLMSG_DONE {
        return Ok(None);
    }
    let cn = CnMsg::from_msg(&msg)?;
    if cn.id() != (CN_IDX_PROC, CN_VAL_PROC) {
        return Ok(None);
    }
    ProcEvent::parse(cn.data()).map(Some).map_err(|e| match e {
        wire::Error::Truncated { at, need, have } => wire::Error::Truncated {
            at: at + NLMSG_HDRLEN + CN_MSG_LEN,
            need,
            have,
        },
        e => e,
    })
}

/// The `ack.err` of the kernel's answer to the subscription sent with `token`.
fn answer_to(buf: &[u8], token: u32) -> Option<u32> {
    let msg = Msg::new_checked(buf).ok()?;
    let cn = CnMsg::from_msg(&msg).ok()?;
    let ev = ProcEvent::parse(cn.data()).ok()?;
    if cn.id() == (CN_IDX_PROC, CN_VAL_PROC) && cn.ack() == token.wrapping_add(1) {
        ev.ack_err()
    } else {
        None
    }
}

impl Drop for ProcListener {
    fn drop(&mut self) {
        let ignore = Subscription {
            op: PROC_CN_MCAST_IGNORE,
            events: None,
        };
        // Nothing to do about a failure here: closing the socket ends delivery anyway.
        let _ = self.send(ignore, self.token.wrapping_add(3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A datagram as the kernel sends it: nlmsghdr, cn_msg, proc_event.
    fn datagram(seq: u32, ack: u32, what: u32, cpu: u32, data: &[i32]) -> Vec<u8> {
        let mut ev = Vec::new();
        ev.extend_from_slice(&what.to_ne_bytes());
        ev.extend_from_slice(&cpu.to_ne_bytes());
        ev.extend_from_slice(&0u64.to_ne_bytes());
        for w in data {
            ev.extend_from_slice(&w.to_ne_bytes());
        }
        ev.resize(40, 0);
        let mut b = Vec::new();
        emit(&mut b, 0, (CN_IDX_PROC, CN_VAL_PROC), seq, ack, &ev).unwrap();
        b
    }

    #[test]
    fn answers_are_matched_by_ack() {
        let ack = datagram(5, 101, 0, 0, &[0]);
        assert_eq!(answer_to(&ack, 100), Some(0));
        assert_eq!(answer_to(&ack, 7), None, "another listener's answer");
        let refused = datagram(5, 101, 0, 0, &[libc::EINVAL]);
        assert_eq!(answer_to(&refused, 100), Some(libc::EINVAL as u32));
        let fork = datagram(5, 101, 1, 0, &[1, 1, 2, 2]);
        assert_eq!(answer_to(&fork, 100), None);
    }

    #[test]
    fn truncated_events_point_into_the_datagram() {
        let mut b = datagram(0, 0, super::super::proc::PROC_EVENT_EXIT, 0, &[]);
        // Cut the proc_event to 20 bytes, keeping the lengths consistent.
        b.truncate(NLMSG_HDRLEN + CN_MSG_LEN + 20);
        let len = b.len() as u32;
        b[..4].copy_from_slice(&len.to_ne_bytes());
        b[NLMSG_HDRLEN + 16..NLMSG_HDRLEN + 18].copy_from_slice(&20u16.to_ne_bytes());
        assert_eq!(
            parse(&b),
            Err(wire::Error::Truncated {
                at: 52,
                need: 24,
                have: 4
            })
        );
    }
}
