//! A stand-in for the kernel, for unit tests of the drivers (feature
//! `fake-kernel`; always built for nlkit's own tests).
//!
//! [`FakeKernel`] is a [`Transport`]: every datagram sent to it is split
//! into messages and each one is handed to a handler the test writes, which
//! answers through [`Replies`] the way the kernel would: data (spread over
//! as many datagrams as it likes), ACKs with or without a warning, errors
//! with extended ACKs (`MSG`, `OFFS`, `MISS_TYPE`/`MISS_NEST`), `NLMSG_DONE`
//! with or without `NLM_F_DUMP_INTR`, an overrun (`ENOBUFS`), messages from
//! another port id. It honours `NETLINK_EXT_ACK` and `NETLINK_CAP_ACK` as
//! the drivers set them. A receive with nothing queued waits for another
//! thread's send, and fails after a while rather than hanging a test. It
//! gives a [`Transport::receiver`] (so dumps read ahead, as on a socket)
//! and counts the threads that received from it.
//!
//! It never replaces tests against the real kernel; it covers what the
//! kernel will not do on demand.

use super::{NlOption, Receiver, Transport};
use crate::socket::{Dest, RecvInfo};
use crate::wire::{
    Msg, MsgFlags, MsgIter, MsgWriter, Protocol, NLMSGERR_ATTR_MISS_NEST, NLMSGERR_ATTR_MISS_TYPE,
    NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
};
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// How long a receive waits for something to be queued before it fails.
const RECV_PATIENCE: Duration = Duration::from_secs(20);

/// The handler: called for every message sent, in order.
type Handler = Box<dyn FnMut(Msg<&[u8]>, &mut Replies<'_>) + Send>;

/// A scripted kernel. See the [module docs](self).
pub struct FakeKernel {
    proto: Protocol,
    port_id: u32,
    /// Shared with the receivers it hands out.
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    cond: Condvar,
}

struct State {
    handler: Handler,
    queue: VecDeque<Arrival>,
    ext_ack: bool,
    cap_ack: bool,
    strict_check: bool,
    rcvbuf: usize,
    rmem_max: usize,
    sends: usize,
    last_dest: Option<Dest>,
    /// Threads that received, in the order of their first receive.
    receivers: Vec<ThreadId>,
    gives_receiver: bool,
}

enum Arrival {
    Datagram(Vec<u8>, RecvInfo),
    Overrun,
}

/// A datagram from `port_id` to `groups`, as `recvmsg` reports it.
fn datagram(bytes: Vec<u8>, port_id: u32, groups: u32) -> Arrival {
    let len = bytes.len();
    Arrival::Datagram(
        bytes,
        RecvInfo {
            len,
            port_id,
            groups,
            ..RecvInfo::default()
        },
    )
}

impl fmt::Debug for FakeKernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("FakeKernel")
            .field("proto", &self.proto)
            .field("queued", &st.queue.len())
            .field("sends", &st.sends)
            .finish()
    }
}

/// Extended ACK attributes an error carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FakeExtAck {
    /// `NLMSGERR_ATTR_MSG`.
    pub msg: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: offset of the attribute at fault, from the request's header.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`.
    pub missing: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest it was missing from.
    pub missing_nest: Option<u32>,
}

impl FakeExtAck {
    /// Just a message.
    pub fn msg(m: &str) -> FakeExtAck {
        FakeExtAck {
            msg: Some(m.into()),
            ..FakeExtAck::default()
        }
    }
}

impl FakeKernel {
    /// A kernel for `proto` that answers every message with `handler`.
    /// Replies are addressed to port id `4242` (the connection's, as the
    /// kernel would see it).
    pub fn new(
        proto: Protocol,
        handler: impl FnMut(Msg<&[u8]>, &mut Replies<'_>) + Send + 'static,
    ) -> FakeKernel {
        FakeKernel {
            proto,
            port_id: 4242,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    handler: Box::new(handler),
                    queue: VecDeque::new(),
                    ext_ack: false,
                    cap_ack: false,
                    strict_check: false,
                    rcvbuf: 212_992,
                    rmem_max: usize::MAX,
                    sends: 0,
                    last_dest: None,
                    receivers: Vec::new(),
                    gives_receiver: true,
                }),
                cond: Condvar::new(),
            }),
        }
    }

    /// Gives no [`Transport::receiver`] (as a transport that has none): the
    /// drivers receive every datagram in line.
    pub fn without_receiver(self) -> FakeKernel {
        self.lock().gives_receiver = false;
        self
    }

    /// How many threads have received from it (a dump's read-ahead thread is one).
    pub fn receiving_threads(&self) -> usize {
        self.lock().receivers.len()
    }

    /// Caps the receive buffer a socket may get, as `rmem_max` would for a
    /// process without `CAP_NET_ADMIN` (bounds a batch's window).
    pub fn with_rmem_max(self, bytes: usize) -> FakeKernel {
        {
            let mut st = self.lock();
            st.rmem_max = bytes;
            st.rcvbuf = st.rcvbuf.min(bytes);
        }
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a datagram as if `port_id` (0: the kernel) had sent it to the
    /// socket, to `groups` (0: unicast).
    pub fn inject(&self, bytes: Vec<u8>, port_id: u32, groups: u32) {
        self.lock()
            .queue
            .push_back(datagram(bytes, port_id, groups));
        self.shared.cond.notify_all();
    }

    /// `sendmsg` calls the kernel received.
    pub fn sends(&self) -> usize {
        self.lock().sends
    }

    /// Datagrams (and overruns) queued for the socket and not yet received.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Where the last datagram was sent.
    pub fn last_dest(&self) -> Option<Dest> {
        self.lock().last_dest
    }

    /// Whether `NETLINK_EXT_ACK`, `NETLINK_CAP_ACK` and `NETLINK_GET_STRICT_CHK` are on.
    pub fn options(&self) -> (bool, bool, bool) {
        let st = self.lock();
        (st.ext_ack, st.cap_ack, st.strict_check)
    }

    /// Receives what is queued, without waiting: `WouldBlock` when nothing is.
    pub fn try_recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        let mut st = self.lock();
        Self::pop(&mut st, buf).unwrap_or_else(|| {
            Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "fake kernel: nothing queued",
            ))
        })
    }

    fn pop(st: &mut State, buf: &mut Vec<u8>) -> Option<io::Result<RecvInfo>> {
        Some(match st.queue.pop_front()? {
            Arrival::Datagram(bytes, info) => {
                buf.clear();
                buf.extend_from_slice(&bytes);
                Ok(info)
            }
            Arrival::Overrun => Err(io::Error::from_raw_os_error(libc::ENOBUFS)),
        })
    }
}

impl Transport for FakeKernel {
    fn protocol(&self) -> Protocol {
        self.proto
    }

    fn send_to(&self, buf: &[u8], dest: Dest) -> io::Result<usize> {
        let mut st = self.lock();
        st.sends += 1;
        st.last_dest = Some(dest);
        let State {
            handler,
            queue,
            ext_ack,
            cap_ack,
            ..
        } = &mut *st;
        let mut r = Replies {
            queue,
            cur: Vec::new(),
            port_id: self.port_id,
            ext_ack: *ext_ack,
            cap_ack: *cap_ack,
        };
        for m in MsgIter::new(buf) {
            let (_, m) = m.map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("fake kernel: {e}"))
            })?;
            handler(m, &mut r);
        }
        r.split();
        drop(st);
        self.shared.cond.notify_all();
        Ok(buf.len())
    }

    fn recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        let deadline = Instant::now() + RECV_PATIENCE;
        let mut st = self.lock();
        let me = std::thread::current().id();
        if !st.receivers.contains(&me) {
            st.receivers.push(me);
        }
        loop {
            if let Some(r) = Self::pop(&mut st, buf) {
                return r;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "fake kernel: nothing was queued to receive",
                ));
            }
            st = self
                .shared
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn set_option(&self, opt: NlOption, on: bool) -> io::Result<()> {
        let mut st = self.lock();
        match opt {
            NlOption::ExtAck => st.ext_ack = on,
            NlOption::CapAck => st.cap_ack = on,
            NlOption::StrictCheck => st.strict_check = on,
        }
        Ok(())
    }

    fn recv_buffer_size(&self) -> io::Result<usize> {
        Ok(self.lock().rcvbuf)
    }

    fn set_recv_buffer_size(&self, bytes: usize, _force: bool) -> io::Result<()> {
        let mut st = self.lock();
        // The kernel doubles what is asked for (room for its bookkeeping).
        st.rcvbuf = bytes.saturating_mul(2).min(st.rmem_max);
        Ok(())
    }

    fn send_buffer_size(&self) -> io::Result<usize> {
        Ok(212_992)
    }

    fn receiver(&self) -> Option<Receiver> {
        if !self.lock().gives_receiver {
            return None;
        }
        let k = FakeKernel {
            proto: self.proto,
            port_id: self.port_id,
            shared: self.shared.clone(),
        };
        Some(Box::new(move |buf| k.recv(buf)))
    }
}

#[cfg(feature = "tokio")]
impl super::tokio::AsyncTransport for FakeKernel {
    type Blocking = FakeKernel;
    fn get_ref(&self) -> &FakeKernel {
        self
    }
    /// Answers are queued as the request is sent, so a receive never needs
    /// to wait; with nothing queued it fails (`WouldBlock`) instead of hanging.
    fn recv(&self, buf: &mut Vec<u8>) -> impl std::future::Future<Output = io::Result<RecvInfo>> {
        std::future::ready(self.try_recv(buf))
    }
}

/// How a handler answers: what it writes is queued for the socket, in order.
pub struct Replies<'a> {
    queue: &'a mut VecDeque<Arrival>,
    cur: Vec<u8>,
    port_id: u32,
    ext_ack: bool,
    cap_ack: bool,
}

impl Replies<'_> {
    fn push(&mut self, bytes: Vec<u8>, port_id: u32, groups: u32) {
        self.queue.push_back(datagram(bytes, port_id, groups));
    }

    /// Ends the datagram being filled with data; what follows goes in a new one.
    pub fn split(&mut self) {
        if !self.cur.is_empty() {
            let d = std::mem::take(&mut self.cur);
            self.push(d, 0, 0);
        }
    }

    /// A data message answering `req` (added to the current datagram).
    pub fn data(&mut self, req: Msg<&[u8]>, msg_type: u16, flags: u16, payload: &[u8]) {
        MsgWriter::new(&mut self.cur, msg_type, flags, req.seq(), self.port_id).bytes(payload);
    }

    fn control(&mut self, req: Msg<&[u8]>, code: i32, ext: Option<&FakeExtAck>) {
        self.split();
        let tlvs = self.ext_ack && ext.is_some_and(|e| *e != FakeExtAck::default());
        // An ACK echoes only the header; an error the whole request unless NETLINK_CAP_ACK.
        let capped = code == 0 || self.cap_ack;
        let mut flags = 0;
        if capped {
            flags |= MsgFlags::CAPPED;
        }
        if tlvs {
            flags |= MsgFlags::ACK_TLVS;
        }
        let mut v = Vec::new();
        let mut w = MsgWriter::new(&mut v, NLMSG_ERROR, flags, req.seq(), self.port_id);
        w.bytes(&code.to_ne_bytes());
        let echo = req.as_bytes();
        w.bytes(if capped { &echo[..NLMSG_HDRLEN] } else { echo });
        if let (true, Some(e)) = (tlvs, ext) {
            write_ext_ack(&mut w, e);
        }
        self.push(v, 0, 0);
    }

    /// Acknowledges `req` if it asked for an ACK (`NLM_F_ACK`), as the kernel does.
    pub fn ack(&mut self, req: Msg<&[u8]>) {
        if req.flags().contains(MsgFlags::ACK) {
            self.control(req, 0, None);
        }
    }

    /// Acknowledges `req` (if it asked) with a warning in its extended ACK.
    pub fn ack_with_warning(&mut self, req: Msg<&[u8]>, warning: &str) {
        if req.flags().contains(MsgFlags::ACK) {
            self.control(req, 0, Some(&FakeExtAck::msg(warning)));
        }
    }

    /// Fails `req` with `errno` (positive) and an extended ACK; always
    /// answered, with or without `NLM_F_ACK`.
    pub fn error(&mut self, req: Msg<&[u8]>, errno: i32, ext: &FakeExtAck) {
        self.control(req, -errno, Some(ext));
    }

    /// Ends the dump `req` (`NLMSG_DONE` in the current datagram, which it
    /// closes), with `NLM_F_DUMP_INTR` when `interrupted`.
    pub fn done(&mut self, req: Msg<&[u8]>, interrupted: bool) {
        let mut flags = MsgFlags::MULTI;
        if interrupted {
            flags |= MsgFlags::DUMP_INTR;
        }
        MsgWriter::new(&mut self.cur, NLMSG_DONE, flags, req.seq(), self.port_id)
            .bytes(&0i32.to_ne_bytes());
        self.split();
    }

    /// Ends the dump `req` with an error (`NLMSG_DONE` carrying `-errno`).
    pub fn done_error(&mut self, req: Msg<&[u8]>, errno: i32, ext: &FakeExtAck) {
        let tlvs = self.ext_ack && *ext != FakeExtAck::default();
        let mut flags = MsgFlags::MULTI;
        if tlvs {
            flags |= MsgFlags::ACK_TLVS;
        }
        let mut w = MsgWriter::new(&mut self.cur, NLMSG_DONE, flags, req.seq(), self.port_id);
        w.bytes(&(-errno).to_ne_bytes());
        if tlvs {
            write_ext_ack(&mut w, ext);
        }
        self.split();
    }

    /// The receive buffer overflowed: the socket reports `ENOBUFS` next
    /// (whatever the handler adds afterwards still arrives, as after a real overrun).
    pub fn overrun(&mut self) {
        self.split();
        self.queue.push_back(Arrival::Overrun);
    }

    /// A datagram from another socket (`port_id` not 0: not the kernel).
    pub fn from_port(&mut self, port_id: u32, bytes: Vec<u8>) {
        self.split();
        self.push(bytes, port_id, 0);
    }

    /// A notification to group mask `groups` (sequence 0).
    pub fn notify(&mut self, groups: u32, msg_type: u16, payload: &[u8]) {
        self.split();
        let mut v = Vec::new();
        MsgWriter::new(&mut v, msg_type, 0, 0, 0).bytes(payload);
        self.push(v, 0, groups);
    }
}

fn write_ext_ack(w: &mut MsgWriter<'_>, e: &FakeExtAck) {
    // Writing small attributes into a Vec cannot overflow their u16 length.
    if let Some(m) = &e.msg {
        let _ = w.attr_str(NLMSGERR_ATTR_MSG, m);
    }
    if let Some(o) = e.offset {
        let _ = w.attr_u32(NLMSGERR_ATTR_OFFS, o);
    }
    if let Some(t) = e.missing {
        let _ = w.attr_u32(NLMSGERR_ATTR_MISS_TYPE, t);
    }
    if let Some(n) = e.missing_nest {
        let _ = w.attr_u32(NLMSGERR_ATTR_MISS_NEST, n);
    }
}
