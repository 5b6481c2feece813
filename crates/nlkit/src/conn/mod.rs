//! The request engine: sequence numbers, matching replies to requests,
//! ACKs, errors with extended ACKs, dumps, batches and overruns.
//!
//! [`Engine`] is sans-IO: it is handed messages and says what each one is
//! ([`Event`]); it never calls the kernel, so it is tested with captured
//! bytes. [`Connection`] is the short blocking loop that drives it over a
//! [`Socket`](crate::socket::Socket) and can be shared by many threads; the
//! tokio flavour (feature `tokio`) drives the same engine.
//!
//! Replies are matched by sequence number and by sender: on a kernel protocol
//! a message whose sender port id is not 0 is dropped and counted (nobody but
//! the kernel may answer), and notifications (sequence 0, or sent to groups)
//! never mix with replies.

mod sync;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use sync::{AckMode, BatchSummary, Connection, Dump};

use crate::error::{Error, KernelError};
use crate::wire::{self, AttrPath, Control, ExtAck, Msg, MsgFlags, MsgWriter};
use std::fmt;

/// A request message that can be written into a send buffer.
///
/// The engine sets `nlmsg_seq`, `nlmsg_pid` and the `REQUEST`/`ACK` flags
/// after `write`; everything else (type, the family's flags such as `DUMP`
/// or `CREATE|EXCL`, the payload) is the request's.
pub trait ToMsg {
    /// Appends the message to `buf` with a [`MsgWriter`] and returns the
    /// offset, from the message's start, where its attributes begin (used to
    /// name the attribute an extended ACK points at).
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize>;

    /// What this request does, for error messages (`add route 10.0.0.0/8`).
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// The name of an attribute of this request (`IFLA_MTU`), given its type
    /// at each nesting level, if the request's family knows it.
    fn attr_name(&self, _path: &[u16]) -> Option<String> {
        None
    }
}

/// A request made of ready bytes (a message type, flags and payload).
#[derive(Clone, Debug)]
pub struct RawRequest<'a> {
    /// Message type.
    pub msg_type: u16,
    /// Flags besides `REQUEST`/`ACK` (e.g. `DUMP`).
    pub flags: u16,
    /// Payload: the family's fixed header and attributes.
    pub payload: &'a [u8],
    /// Size of the family's fixed header in `payload` (attributes start after it).
    pub fixed_len: usize,
    /// What it does, for error messages.
    pub what: &'a str,
}

impl ToMsg for RawRequest<'_> {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, self.msg_type, self.flags, 0, 0);
        w.bytes(self.payload);
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + wire::align(self.fixed_len))
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
}

/// Formats a request's description.
pub(crate) fn describe(req: &dyn ToMsg) -> String {
    struct D<'a>(&'a dyn ToMsg);
    impl fmt::Display for D<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.describe(f)
        }
    }
    D(req).to_string()
}

/// What one received message is.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A data message answering request `seq` (a dump part when `MULTI` is set).
    Reply {
        /// The request's sequence number.
        seq: u32,
        /// The message.
        msg: Msg<&'a [u8]>,
    },
    /// An ACK for `seq`; a non-empty extended ACK is a warning.
    Ack {
        /// The request's sequence number.
        seq: u32,
        /// Extended ACK (a warning), possibly empty.
        ext_ack: ExtAck<'a>,
    },
    /// An error for `seq`.
    Error {
        /// The request's sequence number.
        seq: u32,
        /// The error message, decoded.
        err: wire::ErrorMsg<'a>,
    },
    /// The end of the dump `seq`.
    Done {
        /// The dump's sequence number.
        seq: u32,
        /// Its status.
        done: wire::DoneMsg<'a>,
        /// `NLM_F_DUMP_INTR` on the DONE message.
        interrupted: bool,
    },
    /// A notification: sequence 0, or delivered to a group.
    Notification(Msg<&'a [u8]>),
    /// `NLMSG_NOOP`.
    Noop,
    /// `NLMSG_OVERRUN`.
    Overrun,
    /// Dropped: the sender may not answer on this protocol.
    Spoofed {
        /// The sender's port id.
        port_id: u32,
    },
    /// A control message that could not be decoded.
    Malformed(wire::Error),
}

/// Who a received message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A reply to the request with this sequence number.
    Reply(u32),
    /// A notification.
    Notification,
    /// Dropped: a process may not answer on a kernel protocol.
    Spoofed,
}

/// Counters the engine keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages dropped because a non-kernel port id sent them on a kernel protocol.
    pub spoofed: u64,
    /// Messages whose sequence number matched no request in flight.
    pub stale: u64,
    /// Notifications seen by the request engine.
    pub notifications: u64,
    /// Overruns (`ENOBUFS`) seen.
    pub overruns: u64,
}

/// The sans-IO request engine.
#[derive(Debug, Clone)]
pub struct Engine {
    kernel_protocol: bool,
    next_seq: u32,
    stats: Stats,
}

impl Engine {
    /// An engine for a protocol whose only legitimate replier is the kernel
    /// (`kernel_protocol`), or one where processes talk to each other (USERSOCK).
    pub fn new(kernel_protocol: bool) -> Engine {
        Engine {
            kernel_protocol,
            next_seq: 1,
            stats: Stats::default(),
        }
    }

    /// Takes the next sequence number (wrapping, never 0: 0 marks notifications).
    pub fn next_seq(&mut self) -> u32 {
        self.take_seqs(1)
    }

    /// Takes `n` consecutive sequence numbers (none of them 0) and returns the first.
    pub fn take_seqs(&mut self, n: u32) -> u32 {
        let mut first = self.next_seq;
        if first == 0 || first.checked_add(n.saturating_sub(1)).is_none() {
            first = 1;
        }
        self.next_seq = first.wrapping_add(n);
        first
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Counts a stale message (matched no request).
    pub fn note_stale(&mut self) {
        self.stats.stale += 1;
    }

    /// Counts an overrun.
    pub fn note_overrun(&mut self) {
        self.stats.overruns += 1;
    }

    /// Decides who a message is for, from its sequence number and the
    /// datagram's sender port id and destination groups (as `recvmsg` gave them).
    pub fn route(&mut self, seq: u32, from_port: u32, groups: u32) -> Route {
        if self.kernel_protocol && from_port != 0 {
            self.stats.spoofed += 1;
            return Route::Spoofed;
        }
        if groups != 0 || seq == 0 {
            self.stats.notifications += 1;
            return Route::Notification;
        }
        Route::Reply(seq)
    }

    /// Says what `msg` is. `from_port` and `groups` are the datagram's sender
    /// port id and destination groups as `recvmsg` reported them.
    pub fn classify<'a>(&mut self, msg: Msg<&'a [u8]>, from_port: u32, groups: u32) -> Event<'a> {
        match self.route(msg.seq(), from_port, groups) {
            Route::Spoofed => Event::Spoofed { port_id: from_port },
            Route::Notification => Event::Notification(msg),
            Route::Reply(_) => Engine::decode(msg),
        }
    }

    /// Says what a reply message is (after [`Engine::route`] found it is one).
    pub fn decode(msg: Msg<&[u8]>) -> Event<'_> {
        let seq = msg.seq();
        match Control::parse(&msg) {
            Ok(None) => Event::Reply { seq, msg },
            Ok(Some(Control::Error(err))) if err.is_ack() => Event::Ack {
                seq,
                ext_ack: err.ext_ack,
            },
            Ok(Some(Control::Error(err))) => Event::Error { seq, err },
            Ok(Some(Control::Done(done))) => Event::Done {
                seq,
                done,
                interrupted: msg.flags().contains(MsgFlags::DUMP_INTR),
            },
            Ok(Some(Control::Noop)) => Event::Noop,
            Ok(Some(Control::Overrun)) => Event::Overrun,
            Err(e) => Event::Malformed(e),
        }
    }
}

/// Builds a [`KernelError`] from an error code and extended ACK, resolving
/// the attribute offset against the request that was sent (`request`: its
/// bytes; `attrs_at`: where its attributes begin).
pub fn kernel_error(
    code: i32,
    ext: &ExtAck<'_>,
    request: Option<(&[u8], usize, &dyn ToMsg)>,
    index: Option<usize>,
) -> Error {
    let mut k = KernelError {
        errno: code.checked_neg().unwrap_or(i32::MAX),
        message: ext.message().map(|m| m.into_owned()),
        policy: ext.policy,
        missing: ext.missing.map(|m| m.kind),
        index,
        ..KernelError::default()
    };
    if let Some((bytes, attrs_at, req)) = request {
        k.what = Some(describe(req));
        if let Some(off) = ext.offset {
            k.attr = AttrPath::resolve(bytes, attrs_at, off as usize);
            k.attr_name = k.attr.and_then(|p| req.attr_name(p.types()));
        }
        if let Some(m) = ext.missing {
            let mut path: Vec<u16> = Vec::new();
            if let Some(nest) = m.nest_offset {
                if let Some(p) = AttrPath::resolve(bytes, attrs_at, nest as usize) {
                    path.extend_from_slice(p.types());
                }
            }
            path.push(m.kind as u16);
            k.missing_name = req.attr_name(&path);
        }
    }
    Error::Kernel(Box::new(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{MsgIter, NLMSG_DONE, NLMSG_ERROR};

    fn one(buf: &[u8]) -> Msg<&[u8]> {
        MsgIter::new(buf).next().unwrap().unwrap().1
    }

    #[test]
    fn seqs_wrap_and_skip_zero() {
        let mut e = Engine::new(true);
        assert_eq!(e.next_seq(), 1);
        assert_eq!(e.next_seq(), 2);
        e.next_seq = u32::MAX - 1;
        assert_eq!(e.take_seqs(5), 1);
        assert_eq!(e.next_seq(), 6);
        e.next_seq = u32::MAX;
        assert_eq!(e.next_seq(), u32::MAX);
        assert_eq!(e.next_seq(), 1);
    }

    #[test]
    fn classify_kinds() {
        let mut e = Engine::new(true);
        let mut b = Vec::new();
        MsgWriter::new(&mut b, 16, MsgFlags::MULTI, 5, 77)
            .finish()
            .unwrap();
        assert!(matches!(
            e.classify(one(&b), 0, 0),
            Event::Reply { seq: 5, .. }
        ));
        assert!(matches!(
            e.classify(one(&b), 1234, 0),
            Event::Spoofed { port_id: 1234 }
        ));
        assert!(matches!(e.classify(one(&b), 0, 1), Event::Notification(_)));
        assert_eq!(e.stats().spoofed, 1);
        // On USERSOCK a process may answer.
        let mut u = Engine::new(false);
        assert!(matches!(u.classify(one(&b), 1234, 0), Event::Reply { .. }));

        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, NLMSG_ERROR, MsgFlags::CAPPED, 5, 77);
        w.bytes(&0i32.to_ne_bytes());
        w.bytes(&[0u8; 16]);
        w.finish().unwrap();
        assert!(matches!(
            e.classify(one(&b), 0, 0),
            Event::Ack { seq: 5, .. }
        ));

        let mut b = Vec::new();
        let mut w = MsgWriter::new(
            &mut b,
            NLMSG_DONE,
            MsgFlags::MULTI | MsgFlags::DUMP_INTR,
            6,
            77,
        );
        w.bytes(&0i32.to_ne_bytes());
        w.finish().unwrap();
        assert!(matches!(
            e.classify(one(&b), 0, 0),
            Event::Done {
                seq: 6,
                interrupted: true,
                ..
            }
        ));

        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, NLMSG_ERROR, 0, 7, 77);
        w.bytes(&[1, 2]);
        w.finish().unwrap();
        assert!(matches!(e.classify(one(&b), 0, 0), Event::Malformed(_)));
    }
}
