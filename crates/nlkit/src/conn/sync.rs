//! The blocking driver of the [`Engine`], shareable by threads. It only
//! moves bytes: every rule of the exchange is the engine's.
//!
//! Data replies come from the engine a run per datagram and are walked in
//! the receive buffer ([`Walk`]): no lock, queue entry or engine step per
//! message. A dump that has taken two datagrams and goes on reads ahead
//! (see [`ahead`](super::ahead)): a thread receives its next datagrams
//! while the caller works through the last ones, so the kernel's dump work
//! runs beside the caller's; small dumps never start one.

use super::ahead::{Ahead, Helper};
use super::engine::{Batcher, Walk};
use super::{batch_limits, describe, setup, AckMode, BatchSummary, Engine, Kind, Outgoing};
use super::{Output, Requests, Stats, ToMsg, Token, Transport};
use crate::error::{Error, Result};
use crate::socket::{Dest, RecvInfo, Socket};
use crate::wire::{Msg, MsgFlags, Protocol};
use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A request/response connection over one socket (or another [`Transport`]).
///
/// Every method takes `&self`: share it between threads (in an `Arc`) and
/// each thread gets its own replies. One thread at a time reads the socket;
/// messages for another thread's request are handed to it (copied), messages
/// for the reader itself are parsed in place from its receive buffer.
///
/// Long dumps read ahead on a thread of their own (on by default; see
/// [`Connection::with_read_ahead`]).
#[derive(Debug)]
pub struct Connection<T: Transport = Socket> {
    sock: T,
    dest: Dest,
    read_ahead: bool,
    inner: Mutex<Inner>,
    cond: Condvar,
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    reading: bool,
    /// Threads waiting for the reader (none: no wake-up, no system call).
    waiting: usize,
    /// What a dump's read-ahead thread received: while it is here, the
    /// reader takes datagrams from it, not from the socket.
    ahead: Option<Arc<Ahead>>,
}

/// A caller's side of an exchange: its receive buffer, the outputs it took
/// from the engine and has not used yet, and where it is in the last run.
#[derive(Debug, Default)]
struct Local {
    buf: Vec<u8>,
    ready: VecDeque<Output>,
    walk: Walk,
    /// Datagrams it received (a dump reads ahead from its third on).
    received: usize,
    /// Its read-ahead thread (a dump's, once started).
    helper: Option<Helper>,
}

/// Most outputs the blocking driver takes from the engine under one lock.
const READY_RUN: usize = 256;

/// An exchange registered with the engine; forgotten when dropped.
struct Ticket<'c, T: Transport> {
    conn: &'c Connection<T>,
    token: Token,
}

impl<T: Transport> Drop for Ticket<'_, T> {
    fn drop(&mut self) {
        self.conn.lock().engine.release(self.token);
    }
}

impl Connection<Socket> {
    /// Opens a socket for `proto` (port id chosen by the kernel) with extended
    /// ACKs and capped ACKs on, and strict checking for `NETLINK_ROUTE`.
    pub fn new(proto: Protocol) -> Result<Connection> {
        let sock = Socket::open(proto)
            .map_err(|e| Error::io(format!("open netlink {proto} socket"), e))?;
        Connection::with_socket(sock)
    }

    /// Uses an open, bound socket. Turns on `NETLINK_EXT_ACK` and
    /// `NETLINK_CAP_ACK` (the engine keeps its own copy of each request, so
    /// the kernel need not echo it), and `NETLINK_GET_STRICT_CHK` on `NETLINK_ROUTE`.
    pub fn with_socket(sock: Socket) -> Result<Connection> {
        Connection::with_transport(sock)
    }
}

impl<T: Transport> Connection<T> {
    /// Uses any transport (a [`Socket`], or the test kernel), set up as
    /// [`Connection::with_socket`] does.
    pub fn with_transport(sock: T) -> Result<Connection<T>> {
        let engine = setup(&sock)?;
        Ok(Connection {
            sock,
            dest: Dest::KERNEL,
            read_ahead: true,
            inner: Mutex::new(Inner {
                engine,
                reading: false,
                waiting: 0,
                ahead: None,
            }),
            cond: Condvar::new(),
        })
    }

    /// Whether long dumps read ahead (default: yes): once a dump has taken
    /// two datagrams and goes on, a thread receives its next ones (at most
    /// four, 32 KiB each, ahead) while the caller handles the last, so that
    /// the kernel's work for the dump runs beside the caller's. Only for
    /// kernel protocols and transports that give a [`Transport::receiver`].
    /// Threads sharing the connection are served as without it.
    pub fn with_read_ahead(mut self, on: bool) -> Connection<T> {
        self.read_ahead = on;
        self
    }

    /// Sends requests to `dest` instead of the kernel (a process on USERSOCK),
    /// and accepts answers from any port id.
    pub fn with_peer(mut self, dest: Dest) -> Connection<T> {
        self.dest = dest;
        let kernel =
            dest.port_id == 0 && dest.groups == 0 && self.sock.protocol() != Protocol::USERSOCK;
        self.inner
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .engine = Engine::new(kernel);
        self
    }

    /// The socket.
    pub fn socket(&self) -> &T {
        &self.sock
    }

    /// The engine's counters (spoofed and stale messages dropped, overruns).
    pub fn stats(&self) -> Stats {
        self.lock().engine.stats()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers `out` with the engine and sends it.
    fn start<R: Requests + ?Sized>(&self, out: &mut Outgoing, reqs: &R) -> Result<Ticket<'_, T>> {
        let token = self.lock().engine.start(out);
        let ticket = Ticket { conn: self, token };
        self.sock
            .send_to(out.bytes(), self.dest)
            .map_err(|e| Error::io(format!("{}: send", out.what(reqs)), e))?;
        Ok(ticket)
    }

    /// The next output for `token`, receiving into the caller's buffer when
    /// this thread may read and nothing is queued, or waiting for the thread
    /// that reads. Outputs are taken from the engine in runs of up to
    /// [`READY_RUN`] into `local.ready` (one lock per run, not per output; a
    /// batch's thousands of outcomes are not all copied out at once). A
    /// `dump` may start its read-ahead here.
    fn wait<R: Requests + ?Sized>(
        &self,
        token: Token,
        out: &Outgoing,
        reqs: &R,
        local: &mut Local,
        dump: bool,
    ) -> Result<Output> {
        if let Some(o) = local.ready.pop_front() {
            return Ok(o);
        }
        let mut g = self.lock();
        loop {
            g.engine
                .poll_into(token, out, reqs, READY_RUN, &mut local.ready);
            if let Some(o) = local.ready.pop_front() {
                return Ok(o);
            }
            if g.reading {
                g.waiting += 1;
                g = self.cond.wait(g).unwrap_or_else(|p| p.into_inner());
                g.waiting -= 1;
                continue;
            }
            g.reading = true;
            if dump && local.received >= 2 {
                self.start_read_ahead(&mut g, token, local);
            }
            let ahead = g.ahead.clone();
            drop(g);
            let r = self.receive(ahead, &mut local.buf);
            local.received += 1;
            g = self.lock();
            g.reading = false;
            let handled = g.engine.handle_recv(r, &local.buf, token, out, reqs);
            if g.waiting > 0 {
                self.cond.notify_all();
            }
            handled?;
        }
    }

    /// Starts dump `token`'s read-ahead thread if it may have one (see
    /// [`Connection::with_read_ahead`]) and has none yet. The caller is the reader.
    fn start_read_ahead(&self, g: &mut Inner, token: Token, local: &mut Local) {
        if !self.read_ahead || local.helper.is_some() || g.ahead.is_some() {
            return;
        }
        let Some(probe) = g.engine.dump_probe(token) else {
            return;
        };
        if let Some(h) = self.sock.receiver().and_then(|r| Helper::spawn(r, probe)) {
            g.ahead = Some(h.shared());
            local.helper = Some(h);
        }
    }

    /// One receive by the reader: the next datagram a read-ahead thread
    /// received, while there is one, else from the socket.
    fn receive(&self, ahead: Option<Arc<Ahead>>, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        if let Some(a) = ahead {
            if let Some(r) = a.take(buf) {
                return r;
            }
            // The thread ended and all it received was taken: the socket is the reader's again.
            let mut g = self.lock();
            if g.ahead.as_ref().is_some_and(|x| Arc::ptr_eq(x, &a)) {
                g.ahead = None;
            }
        }
        self.sock.recv(buf)
    }

    /// Sends one request (with `NLM_F_ACK`) and waits for its answer. Data
    /// replies are handed to `on_reply` as they come (a GET answers with one,
    /// `NLM_F_ECHO` with the notification). Returns the warning the kernel
    /// attached to its ACK, if any; an error answer is an [`Error::Kernel`]
    /// that names the request and the attribute at fault.
    pub fn request(
        &self,
        req: &dyn ToMsg,
        on_reply: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        self.request_with(req, on_reply)
    }

    /// [`Connection::request`] with a callback that returns the caller's
    /// error type (which nlkit's errors convert into).
    pub fn request_with<E: From<Error>>(
        &self,
        req: &dyn ToMsg,
        mut on_reply: impl FnMut(Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<Option<String>, E> {
        let mut out = Outgoing::new(Kind::Request);
        out.push(req, MsgFlags::ACK)?;
        let t = self.start(&mut out, req)?;
        let mut l = Local::default();
        loop {
            while let Some(m) = l.walk.next(&l.buf) {
                on_reply(m?)?;
            }
            let o = self.wait(t.token, &out, req, &mut l, false)?;
            if let Some(end) = l.walk.take(o, &mut l.buf)? {
                return Ok(end.warning);
            }
        }
    }

    /// Sends a request and returns its single data reply, copied (for GETs).
    pub fn get(&self, req: &dyn ToMsg) -> Result<Vec<u8>> {
        let mut reply = None;
        self.request(req, |m| {
            reply.get_or_insert_with(|| m.as_bytes().to_vec());
            Ok(())
        })?;
        reply.ok_or_else(|| Error::NoData {
            what: describe(req),
        })
    }

    /// Starts a dump (`req` should carry `NLM_F_DUMP`). The returned [`Dump`]
    /// streams the reply messages straight out of its receive buffer: memory
    /// stays flat however long the dump.
    pub fn dump<'c>(&'c self, req: &'c dyn ToMsg) -> Result<Dump<'c, T>> {
        let mut out = Outgoing::new(Kind::Dump);
        out.push(req, 0)?;
        let ticket = self.start(&mut out, req)?;
        Ok(Dump {
            ticket,
            req,
            out,
            local: Local::default(),
            done: false,
            interrupted: false,
        })
    }

    /// Dumps and folds every message into a fresh `T`; if the dump comes back
    /// interrupted (`NLM_F_DUMP_INTR`), starts over with a new `T`, up to
    /// `attempts` times in all. A fold that sees a restart never mixes two dumps.
    pub fn dump_consistent<A>(
        &self,
        req: &dyn ToMsg,
        attempts: u32,
        init: impl FnMut() -> A,
        each: impl FnMut(&mut A, Msg<&[u8]>) -> Result<()>,
    ) -> Result<A> {
        self.dump_consistent_with(req, attempts, init, each)
    }

    /// [`Connection::dump_consistent`] with a fold that returns the caller's error type.
    pub fn dump_consistent_with<A, E: From<Error>>(
        &self,
        req: &dyn ToMsg,
        attempts: u32,
        mut init: impl FnMut() -> A,
        mut each: impl FnMut(&mut A, Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<A, E> {
        let mut tries = Attempts::new(attempts);
        while tries.next() {
            let mut acc = init();
            let mut d = self.dump(req)?;
            while let Some(m) = d.next() {
                each(&mut acc, m?)?;
            }
            if !d.interrupted() {
                return Ok(acc);
            }
        }
        Err(tries.exhausted(req).into())
    }

    /// Sends many requests, packed into as few `sendmsg` calls as the send
    /// buffer allows, with the number in flight bounded so that the answers
    /// always fit the receive buffer. `on_result(index, result)` is called for
    /// every request, in order. Returns counts, or the first error that stops
    /// the batch (I/O, overrun); kernel errors do not stop it.
    pub fn batch<I: ToMsg>(
        &self,
        items: impl IntoIterator<Item = I>,
        mode: AckMode,
        mut on_result: impl FnMut(usize, Result<()>),
    ) -> Result<BatchSummary> {
        let (window, max_bytes) = batch_limits(&self.sock);
        let mut b = Batcher::new(items.into_iter(), mode, window, max_bytes);
        let mut l = Local::default();
        while b.fill(&mut on_result) {
            let (out, chunk) = b.chunk();
            let t = self.start(out, chunk)?;
            let mut complete = false;
            while !complete {
                let (out, chunk) = b.chunk();
                let o = self.wait(t.token, out, chunk, &mut l, false)?;
                complete = b.report(o, &mut on_result)?;
            }
        }
        Ok(b.summary())
    }
}

/// Counts the tries of a consistent dump (shared by both drivers).
pub(crate) struct Attempts {
    left: u32,
    total: u32,
}

impl Attempts {
    pub(crate) fn new(attempts: u32) -> Attempts {
        let total = attempts.max(1);
        Attempts { left: total, total }
    }
    /// True while another try is allowed.
    pub(crate) fn next(&mut self) -> bool {
        let more = self.left > 0;
        self.left = self.left.saturating_sub(1);
        more
    }
    /// The error once every try came back interrupted.
    pub(crate) fn exhausted(&self, req: &dyn ToMsg) -> Error {
        Error::DumpInterrupted {
            what: describe(req),
            attempts: self.total,
        }
    }
}

/// A dump in progress: call [`Dump::next`] until it returns `None`. Messages
/// borrow the dump's receive buffer and are valid until the next call.
/// Dropped early, it stops its read-ahead thread (if any) and waits for it.
pub struct Dump<'c, T: Transport = Socket> {
    ticket: Ticket<'c, T>,
    req: &'c dyn ToMsg,
    out: Outgoing,
    local: Local,
    done: bool,
    interrupted: bool,
}

impl<T: Transport> std::fmt::Debug for Dump<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dump")
            .field("done", &self.done)
            .field("interrupted", &self.interrupted)
            .finish()
    }
}

impl<T: Transport> Dump<'_, T> {
    /// The next message of the dump; `None` at the end. An error ends the dump.
    #[allow(clippy::should_implement_trait)] // a lending iterator: items borrow the dump
    pub fn next(&mut self) -> Option<Result<Msg<&[u8]>>> {
        if self.done {
            return None;
        }
        while self.local.walk.is_empty() {
            let l = &mut self.local;
            let o = self
                .ticket
                .conn
                .wait(self.ticket.token, &self.out, self.req, l, true);
            match o.and_then(|o| l.walk.take(o, &mut l.buf)) {
                Ok(None) => {}
                Ok(Some(end)) => {
                    self.done = true;
                    self.interrupted |= end.interrupted;
                    self.local.helper = None;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    self.local.helper = None;
                    return Some(Err(e));
                }
            }
        }
        let m = self.local.walk.next(&self.local.buf);
        if let Some(Err(_)) = &m {
            self.done = true;
        }
        m
    }

    /// True if any message so far carried `NLM_F_DUMP_INTR` (on data or on
    /// `DONE`): the dump may be inconsistent (something changed while it was taken).
    pub fn interrupted(&self) -> bool {
        self.interrupted
            || self
                .ticket
                .conn
                .lock()
                .engine
                .interrupted(self.ticket.token)
    }
}
