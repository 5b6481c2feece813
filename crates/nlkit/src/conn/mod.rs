//! The request engine and its drivers.
//!
//! [`Engine`] is sans-IO and owns every rule of the exchange: sequence
//! numbers, matching replies to requests by sequence number and sender,
//! ACKs and errors with extended ACKs, dumps (`NLM_F_DUMP_INTR` on data and
//! on `DONE`), batches in both ACK modes, notifications and overruns. The
//! drivers only move bytes: [`Connection`] blocks and can be shared by
//! threads; `tokio::AsyncConnection` (feature `tokio`) awaits. Both run
//! over a [`Transport`] — a [`Socket`] normally, or the test-only
//! `fake::FakeKernel` (feature `fake-kernel`, and in nlkit's own tests),
//! which answers like a scripted kernel so the drivers can be tested
//! without one.
//!
//! Replies are matched by sequence number and by sender: on a kernel protocol
//! a message whose sender port id is not 0 is dropped and counted (nobody but
//! the kernel may answer), and notifications (sequence 0, or sent to groups)
//! never mix with replies.

mod ahead;
mod engine;
#[cfg(any(test, feature = "fake-kernel"))]
pub mod fake;
mod sync;
#[cfg(test)]
mod tests;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use engine::{
    AckMode, BatchSummary, DumpProbe, Engine, Kind, Outgoing, Output, Requests, Stats, Token,
};
pub use sync::{Connection, Dump};

use crate::error::{Error, KernelError, Result};
use crate::socket::{Dest, RecvInfo, Socket};
use crate::wire::{self, AttrPath, ExtAck, MsgWriter, Protocol};
use std::fmt;
use std::io;

/// What the drivers send and receive through: a netlink [`Socket`], or a
/// stand-in for the kernel in tests.
pub trait Transport {
    /// The netlink protocol.
    fn protocol(&self) -> Protocol;
    /// Sends one datagram.
    fn send_to(&self, buf: &[u8], dest: Dest) -> io::Result<usize>;
    /// Receives one whole datagram into `buf` (replacing its contents),
    /// blocking; an overrun is an `ENOBUFS` error.
    fn recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo>;
    /// Turns a `SOL_NETLINK` option of the engine's on or off.
    fn set_option(&self, opt: NlOption, on: bool) -> io::Result<()>;
    /// The receive buffer size.
    fn recv_buffer_size(&self) -> io::Result<usize>;
    /// Asks for a receive buffer size (`force`: past `rmem_max`, needs `CAP_NET_ADMIN`).
    fn set_recv_buffer_size(&self, bytes: usize, force: bool) -> io::Result<()>;
    /// The send buffer size.
    fn send_buffer_size(&self) -> io::Result<usize>;
    /// A receiver on the same socket that a thread of its own can own, as
    /// [`recv`](Self::recv) receives (the blocking driver's read-ahead of
    /// long dumps uses it); `None` (the default) if there is none: then
    /// dumps are received in line.
    fn receiver(&self) -> Option<Receiver> {
        None
    }
}

/// A receive of [`Transport::recv`]'s kind that a thread can own.
pub type Receiver = Box<dyn FnMut(&mut Vec<u8>) -> io::Result<RecvInfo> + Send>;

/// The socket options the drivers set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NlOption {
    /// `NETLINK_EXT_ACK`.
    ExtAck,
    /// `NETLINK_CAP_ACK`.
    CapAck,
    /// `NETLINK_GET_STRICT_CHK`.
    StrictCheck,
}

impl Transport for Socket {
    fn protocol(&self) -> Protocol {
        Socket::protocol(self)
    }
    fn send_to(&self, buf: &[u8], dest: Dest) -> io::Result<usize> {
        Socket::send_to(self, buf, dest)
    }
    fn recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        Socket::recv(self, buf)
    }
    fn set_option(&self, opt: NlOption, on: bool) -> io::Result<()> {
        match opt {
            NlOption::ExtAck => self.set_ext_ack(on),
            NlOption::CapAck => self.set_cap_ack(on),
            NlOption::StrictCheck => self.set_strict_check(on),
        }
    }
    fn recv_buffer_size(&self) -> io::Result<usize> {
        Socket::recv_buffer_size(self)
    }
    fn set_recv_buffer_size(&self, bytes: usize, force: bool) -> io::Result<()> {
        Socket::set_recv_buffer_size(self, bytes, force)
    }
    fn send_buffer_size(&self) -> io::Result<usize> {
        Socket::send_buffer_size(self)
    }
    /// A duplicate of the descriptor (`F_DUPFD_CLOEXEC`): the same socket.
    fn receiver(&self) -> Option<Receiver> {
        use std::os::fd::AsFd;
        let fd = self.as_fd().try_clone_to_owned().ok()?;
        let s = Socket::from_fd(fd, self.protocol());
        Some(Box::new(move |buf| s.recv(buf)))
    }
}

/// Sets a transport up for the engine, as both drivers do: extended ACKs
/// and capped ACKs on where the kernel has them (the engine keeps its own
/// copy of each request, so the kernel need not echo it), strict checking
/// on `NETLINK_ROUTE`. Returns an engine for the transport's protocol.
pub(crate) fn setup<T: Transport + ?Sized>(t: &T) -> Result<Engine> {
    let proto = t.protocol();
    // Older kernels or some protocols may lack these; they are improvements, not requirements.
    let _ = t.set_option(NlOption::ExtAck, true);
    let _ = t.set_option(NlOption::CapAck, true);
    if proto == Protocol::ROUTE {
        t.set_option(NlOption::StrictCheck, true).map_err(|e| {
            Error::io(
                format!("enable NETLINK_GET_STRICT_CHK on netlink {proto} socket"),
                e,
            )
        })?;
    }
    Ok(Engine::new(proto != Protocol::USERSOCK))
}

/// Bytes of receive buffer one answer may take (an skb's truesize for a
/// small ACK or error with an extended ACK), used to bound requests in flight.
const ANSWER_COST: usize = 1280;

/// Receive buffer a batch asks for.
const BATCH_RCVBUF: usize = 8 << 20;

/// Sizes a batch for a transport: asks for a receive buffer that lets
/// thousands of answers be in flight (`SO_RCVBUFFORCE` needs
/// `CAP_NET_ADMIN`; otherwise the kernel caps it at `rmem_max`) and returns
/// the window (requests in flight, so that their answers always fit what
/// was granted) and the most bytes one `sendmsg` may carry.
pub(crate) fn batch_limits<T: Transport + ?Sized>(t: &T) -> (usize, usize) {
    let mut rcv = t.recv_buffer_size().unwrap_or(212_992);
    if rcv < BATCH_RCVBUF {
        if t.set_recv_buffer_size(BATCH_RCVBUF, true).is_err() {
            let _ = t.set_recv_buffer_size(BATCH_RCVBUF, false);
        }
        rcv = t.recv_buffer_size().unwrap_or(rcv);
    }
    let snd = t.send_buffer_size().unwrap_or(212_992);
    let window = (rcv / ANSWER_COST).clamp(1, 65_536);
    let max_bytes = snd.saturating_sub(1024).max(4096);
    (window, max_bytes)
}

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
