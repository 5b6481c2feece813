//! The blocking driver of the [`Engine`](super::Engine), shareable by threads.

use super::{describe, kernel_error, Engine, Event, Route, Stats, ToMsg};
use crate::error::{Error, Result};
use crate::socket::{is_overrun, Dest, Socket};
use crate::wire::{self, Msg, MsgFlags, MsgIter, Protocol};
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Condvar, Mutex, MutexGuard};

/// A request/response connection over one socket.
///
/// Every method takes `&self`: share it between threads (in an `Arc`) and
/// each thread gets its own replies. One thread at a time reads the socket;
/// messages for another thread's request are handed to it (copied), messages
/// for the reader itself are parsed in place from its receive buffer.
#[derive(Debug)]
pub struct Connection {
    sock: Socket,
    dest: Dest,
    inner: Mutex<Inner>,
    cond: Condvar,
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    owners: Vec<Owner>,
    next_owner: u64,
    reading: bool,
}

#[derive(Debug)]
struct Owner {
    id: u64,
    first: u32,
    count: u32,
    queue: VecDeque<Vec<u8>>,
    overrun: bool,
}

impl Owner {
    fn has(&self, seq: u32) -> bool {
        seq.wrapping_sub(self.first) < self.count
    }
}

/// How a batch asks for ACKs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckMode {
    /// Every request carries `NLM_F_ACK`: one answer per request.
    Every,
    /// Only the last request of each `sendmsg` carries `NLM_F_ACK` (a barrier);
    /// the kernel still reports every failure, so nothing is lost, and
    /// successes cost no answer at all.
    ErrorsOnly,
}

/// What a batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Requests that succeeded.
    pub ok: usize,
    /// Requests that failed.
    pub failed: usize,
    /// `sendmsg` calls made.
    pub sends: usize,
}

/// Bytes of receive buffer one answer may take (an skb's truesize for a
/// small ACK or error with an extended ACK), used to bound requests in flight.
const ANSWER_COST: usize = 1280;

/// Receive buffer a batch asks for.
const BATCH_RCVBUF: usize = 8 << 20;

struct OwnerGuard<'c> {
    conn: &'c Connection,
    id: u64,
}

impl Drop for OwnerGuard<'_> {
    fn drop(&mut self) {
        let mut g = self.conn.lock();
        g.owners.retain(|o| o.id != self.id);
    }
}

impl Connection {
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
        let what = |o: &str| format!("enable {o} on netlink {} socket", sock.protocol());
        // Older kernels or some protocols may lack these; they are improvements, not requirements.
        let _ = sock
            .set_ext_ack(true)
            .map_err(|e| Error::io(what("NETLINK_EXT_ACK"), e));
        let _ = sock.set_cap_ack(true);
        if sock.protocol() == Protocol::ROUTE {
            sock.set_strict_check(true)
                .map_err(|e| Error::io(what("NETLINK_GET_STRICT_CHK"), e))?;
        }
        let kernel = sock.protocol() != Protocol::USERSOCK;
        Ok(Connection {
            sock,
            dest: Dest::KERNEL,
            inner: Mutex::new(Inner {
                engine: Engine::new(kernel),
                owners: Vec::new(),
                next_owner: 0,
                reading: false,
            }),
            cond: Condvar::new(),
        })
    }

    /// Sends requests to `dest` instead of the kernel (a process on USERSOCK),
    /// and accepts answers from any port id.
    pub fn with_peer(mut self, dest: Dest) -> Connection {
        self.dest = dest;
        self.inner
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .engine = Engine::new(
            dest.port_id == 0 && dest.groups == 0 && self.sock.protocol() != Protocol::USERSOCK,
        );
        self
    }

    /// The socket.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The engine's counters (spoofed and stale messages dropped, overruns).
    pub fn stats(&self) -> Stats {
        self.lock().engine.stats()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn register(&self, count: u32) -> (OwnerGuard<'_>, u32) {
        let mut g = self.lock();
        let first = g.engine.take_seqs(count);
        let id = g.next_owner;
        g.next_owner += 1;
        g.owners.push(Owner {
            id,
            first,
            count,
            queue: VecDeque::new(),
            overrun: false,
        });
        (OwnerGuard { conn: self, id }, first)
    }

    /// Waits until at least one message for owner `me` is in `buf`; their
    /// ranges are appended to `mine`.
    fn fill(
        &self,
        me: u64,
        buf: &mut Vec<u8>,
        mine: &mut VecDeque<Range<usize>>,
        what: &dyn Fn() -> String,
    ) -> Result<()> {
        let mut g = self.lock();
        loop {
            let Some(o) = g.owners.iter_mut().find(|o| o.id == me) else {
                return Err(Error::Invalid("request no longer registered".into()));
            };
            if o.overrun {
                o.overrun = false;
                return Err(Error::Overrun { what: what() });
            }
            if let Some(m) = o.queue.pop_front() {
                drop(g);
                *buf = m;
                mine.push_back(0..buf.len());
                return Ok(());
            }
            if g.reading {
                g = self.cond.wait(g).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            g.reading = true;
            drop(g);
            let r = self.sock.recv(buf);
            g = self.lock();
            g.reading = false;
            let info = match r {
                Ok(info) => info,
                Err(e) if is_overrun(&e) => {
                    g.engine.note_overrun();
                    for o in g.owners.iter_mut() {
                        o.overrun = true;
                    }
                    self.cond.notify_all();
                    continue;
                }
                Err(e) => {
                    self.cond.notify_all();
                    return Err(Error::io(format!("{}: receive", what()), e));
                }
            };
            let mut malformed = None;
            for m in MsgIter::new(buf) {
                let (at, m) = match m {
                    Ok(x) => x,
                    Err(e) => {
                        malformed = Some(e);
                        break;
                    }
                };
                let Route::Reply(seq) = g.engine.route(m.seq(), info.port_id, info.groups) else {
                    continue;
                };
                match g.owners.iter_mut().find(|o| o.has(seq)) {
                    Some(o) if o.id == me => mine.push_back(at..at + m.len() as usize),
                    Some(o) => o.queue.push_back(m.as_bytes().to_vec()),
                    None => g.engine.note_stale(),
                }
            }
            self.cond.notify_all();
            if let Some(e) = malformed {
                return Err(Error::Malformed {
                    what: what(),
                    source: e,
                });
            }
            if !mine.is_empty() {
                return Ok(());
            }
        }
    }

    /// Writes `req` into `buf` with sequence `seq` and the given extra flags;
    /// returns its range and where its attributes begin.
    fn emit(
        req: &dyn ToMsg,
        buf: &mut Vec<u8>,
        seq: u32,
        flags: u16,
    ) -> Result<(Range<usize>, usize)> {
        let start = wire::align(buf.len());
        let attrs_at = req.write(buf).map_err(|e| Error::Build {
            what: describe(req),
            source: e,
        })?;
        let mut m = Msg::new_checked(&mut buf[start..]).map_err(|e| Error::Build {
            what: describe(req),
            source: e,
        })?;
        m.set_seq(seq);
        m.set_flags(MsgFlags(m.flags().0 | MsgFlags::REQUEST | flags));
        Ok((start..buf.len(), attrs_at))
    }

    fn send(&self, buf: &[u8], req: &dyn ToMsg) -> Result<()> {
        self.sock
            .send_to(buf, self.dest)
            .map_err(|e| Error::io(format!("{}: send", describe(req)), e))?;
        Ok(())
    }

    /// Sends one request (with `NLM_F_ACK`) and waits for its answer. Data
    /// replies are handed to `on_reply` as they come (a GET answers with one,
    /// `NLM_F_ECHO` with the notification). Returns the warning the kernel
    /// attached to its ACK, if any; an error answer is an [`Error::Kernel`]
    /// that names the request and the attribute at fault.
    pub fn request(
        &self,
        req: &dyn ToMsg,
        mut on_reply: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        let (guard, seq) = self.register(1);
        let mut out = Vec::with_capacity(256);
        let (range, attrs_at) = Self::emit(req, &mut out, seq, MsgFlags::ACK)?;
        self.send(&out, req)?;
        let mut buf = Vec::new();
        let mut mine = VecDeque::new();
        let what = || describe(req);
        loop {
            self.fill(guard.id, &mut buf, &mut mine, &what)?;
            while let Some(r) = mine.pop_front() {
                let m = Msg::new_checked(&buf[r]).map_err(|e| Error::Malformed {
                    what: what(),
                    source: e,
                })?;
                match Engine::decode(m) {
                    Event::Reply { msg, .. } => on_reply(msg)?,
                    Event::Ack { ext_ack, .. } => {
                        return Ok(ext_ack.message().map(|m| m.into_owned()))
                    }
                    Event::Error { err, .. } => {
                        return Err(kernel_error(
                            err.code,
                            &err.ext_ack,
                            Some((&out[range.clone()], attrs_at, req)),
                            None,
                        ))
                    }
                    Event::Done { done, .. } if done.code != 0 => {
                        return Err(kernel_error(
                            done.code,
                            &done.ext_ack,
                            Some((&out[range.clone()], attrs_at, req)),
                            None,
                        ))
                    }
                    Event::Done { .. } => return Ok(None),
                    Event::Malformed(e) => {
                        return Err(Error::Malformed {
                            what: what(),
                            source: e,
                        })
                    }
                    _ => {}
                }
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
        reply.ok_or_else(|| {
            Error::Invalid(format!(
                "{}: the kernel answered with no data",
                describe(req)
            ))
        })
    }

    /// Starts a dump (`req` should carry `NLM_F_DUMP`). The returned [`Dump`]
    /// streams the reply messages straight out of its receive buffer: memory
    /// stays flat however long the dump.
    pub fn dump<'c>(&'c self, req: &'c dyn ToMsg) -> Result<Dump<'c>> {
        let (guard, seq) = self.register(1);
        let mut out = Vec::with_capacity(128);
        let (_, attrs_at) = Self::emit(req, &mut out, seq, 0)?;
        self.send(&out, req)?;
        Ok(Dump {
            conn: self,
            guard,
            req,
            out,
            attrs_at,
            buf: Vec::new(),
            mine: VecDeque::new(),
            done: false,
            interrupted: false,
        })
    }

    /// Dumps and folds every message into a fresh `T`; if the dump comes back
    /// interrupted (`NLM_F_DUMP_INTR`), starts over with a new `T`, up to
    /// `attempts` times in all. A fold that sees a restart never mixes two dumps.
    pub fn dump_consistent<T>(
        &self,
        req: &dyn ToMsg,
        attempts: u32,
        mut init: impl FnMut() -> T,
        mut each: impl FnMut(&mut T, Msg<&[u8]>) -> Result<()>,
    ) -> Result<T> {
        let attempts = attempts.max(1);
        for _ in 0..attempts {
            let mut acc = init();
            let mut d = self.dump(req)?;
            while let Some(m) = d.next() {
                each(&mut acc, m?)?;
            }
            if !d.interrupted() {
                return Ok(acc);
            }
        }
        Err(Error::DumpInterrupted {
            what: describe(req),
            attempts,
        })
    }

    /// Sends many requests, packed into as few `sendmsg` calls as the send
    /// buffer allows, with the number in flight bounded so that the answers
    /// always fit the receive buffer. `on_result(index, result)` is called for
    /// every request, in order. Returns counts, or the first error that stops
    /// the batch (I/O, overrun); kernel errors do not stop it.
    pub fn batch<T: ToMsg>(
        &self,
        items: impl IntoIterator<Item = T>,
        mode: AckMode,
        mut on_result: impl FnMut(usize, Result<()>),
    ) -> Result<BatchSummary> {
        // Ask for a receive buffer that lets thousands of answers be in flight (SO_RCVBUFFORCE needs
        // CAP_NET_ADMIN; otherwise the kernel caps SO_RCVBUF at rmem_max). The window follows what we got.
        let mut rcv = self.sock.recv_buffer_size().unwrap_or(212_992);
        if rcv < BATCH_RCVBUF {
            if self.sock.set_recv_buffer_size(BATCH_RCVBUF, true).is_err() {
                let _ = self.sock.set_recv_buffer_size(BATCH_RCVBUF, false);
            }
            rcv = self.sock.recv_buffer_size().unwrap_or(rcv);
        }
        let snd = self.sock.send_buffer_size().unwrap_or(212_992);
        let window = (rcv / ANSWER_COST).clamp(1, 65_536) as u32;
        let max_bytes = snd.saturating_sub(1024).max(4096);
        let mut items = items.into_iter().peekable();
        let mut summary = BatchSummary::default();
        let mut out: Vec<u8> = Vec::with_capacity(max_bytes.min(1 << 20));
        let mut chunk: Vec<(T, Range<usize>, usize)> = Vec::new();
        let mut results: Vec<Option<Error>> = Vec::new();
        let mut base = 0usize;
        let mut buf = Vec::new();
        let mut mine = VecDeque::new();
        while items.peek().is_some() {
            let (guard, first) = self.register(window);
            out.clear();
            chunk.clear();
            while chunk.len() < window as usize {
                let Some(item) = items.peek() else { break };
                let before = out.len();
                let seq = first.wrapping_add(chunk.len() as u32);
                let flags = if mode == AckMode::Every {
                    MsgFlags::ACK
                } else {
                    0
                };
                let (range, attrs_at) = match Self::emit(item, &mut out, seq, flags) {
                    Ok(x) => x,
                    Err(e) => {
                        // Cannot be built: report it in order, send nothing for it.
                        out.truncate(before);
                        if !chunk.is_empty() {
                            break; // report after the requests before it
                        }
                        let _ = items.next();
                        on_result(base, Err(e));
                        summary.failed += 1;
                        base += 1;
                        continue;
                    }
                };
                if out.len() > max_bytes && !chunk.is_empty() {
                    out.truncate(before);
                    break;
                }
                let item = items.next().expect("peeked");
                chunk.push((item, range, attrs_at));
            }
            if chunk.is_empty() {
                continue;
            }
            // The last request of the chunk is the barrier: it always asks for an ACK.
            let last = chunk.len() - 1;
            {
                let r = chunk[last].1.clone();
                let mut m = Msg::new_checked(&mut out[r]).map_err(|e| Error::Malformed {
                    what: "batch".into(),
                    source: e,
                })?;
                m.set_flags(MsgFlags(m.flags().0 | MsgFlags::ACK));
            }
            let what = || format!("batch of {} requests from #{}", chunk.len(), base + 1);
            self.sock
                .send_to(&out, self.dest)
                .map_err(|e| Error::io(format!("{}: send", what()), e))?;
            summary.sends += 1;
            results.clear();
            results.resize_with(chunk.len(), || None);
            let mut answered = vec![
                false;
                if mode == AckMode::Every {
                    chunk.len()
                } else {
                    0
                }
            ];
            let mut pending = if mode == AckMode::Every {
                chunk.len()
            } else {
                1
            };
            while pending > 0 {
                self.fill(guard.id, &mut buf, &mut mine, &what)?;
                while let Some(r) = mine.pop_front() {
                    let Ok(m) = Msg::new_checked(&buf[r]) else {
                        continue;
                    };
                    let idx = m.seq().wrapping_sub(first) as usize;
                    if idx >= chunk.len() {
                        continue;
                    }
                    let (item, range, attrs_at) = &chunk[idx];
                    let answer = match Engine::decode(m) {
                        Event::Ack { .. } => None,
                        Event::Error { err, .. } => Some(kernel_error(
                            err.code,
                            &err.ext_ack,
                            Some((&out[range.clone()], *attrs_at, item as &dyn ToMsg)),
                            Some(base + idx),
                        )),
                        _ => continue,
                    };
                    let final_answer = match mode {
                        AckMode::Every => {
                            if std::mem::replace(&mut answered[idx], true) {
                                continue;
                            }
                            true
                        }
                        AckMode::ErrorsOnly => idx == last,
                    };
                    results[idx] = answer;
                    if final_answer {
                        pending -= 1;
                    }
                }
            }
            drop(guard);
            for (i, r) in results.drain(..).enumerate() {
                match r {
                    None => {
                        summary.ok += 1;
                        on_result(base + i, Ok(()));
                    }
                    Some(e) => {
                        summary.failed += 1;
                        on_result(base + i, Err(e));
                    }
                }
            }
            base += chunk.len();
        }
        Ok(summary)
    }
}

/// A dump in progress: call [`Dump::next`] until it returns `None`. Messages
/// borrow the dump's receive buffer and are valid until the next call.
pub struct Dump<'c> {
    conn: &'c Connection,
    guard: OwnerGuard<'c>,
    req: &'c dyn ToMsg,
    out: Vec<u8>,
    attrs_at: usize,
    buf: Vec<u8>,
    mine: VecDeque<Range<usize>>,
    done: bool,
    interrupted: bool,
}

impl std::fmt::Debug for Dump<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dump")
            .field("done", &self.done)
            .field("interrupted", &self.interrupted)
            .finish()
    }
}

impl Dump<'_> {
    /// The next message of the dump; `None` at the end. An error ends the dump.
    #[allow(clippy::should_implement_trait)] // a lending iterator: items borrow the dump
    pub fn next(&mut self) -> Option<Result<Msg<&[u8]>>> {
        let what = || describe(self.req);
        let range = loop {
            if self.done {
                return None;
            }
            let Some(r) = self.mine.pop_front() else {
                if let Err(e) = self
                    .conn
                    .fill(self.guard.id, &mut self.buf, &mut self.mine, &what)
                {
                    self.done = true;
                    return Some(Err(e));
                }
                continue;
            };
            let m = match Msg::new_checked(&self.buf[r.clone()]) {
                Ok(m) => m,
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::Malformed {
                        what: what(),
                        source: e,
                    }));
                }
            };
            if m.flags().contains(MsgFlags::DUMP_INTR) {
                self.interrupted = true;
            }
            match Engine::decode(m) {
                Event::Reply { .. } => break r,
                Event::Done { done, .. } => {
                    self.done = true;
                    if done.code != 0 {
                        return Some(Err(kernel_error(
                            done.code,
                            &done.ext_ack,
                            Some((&self.out, self.attrs_at, self.req)),
                            None,
                        )));
                    }
                    return None;
                }
                Event::Error { err, .. } => {
                    self.done = true;
                    return Some(Err(kernel_error(
                        err.code,
                        &err.ext_ack,
                        Some((&self.out, self.attrs_at, self.req)),
                        None,
                    )));
                }
                Event::Malformed(e) => {
                    self.done = true;
                    return Some(Err(Error::Malformed {
                        what: what(),
                        source: e,
                    }));
                }
                _ => continue,
            }
        };
        Some(Ok(
            Msg::new_checked(&self.buf[range]).expect("checked above")
        ))
    }

    /// True if any message so far carried `NLM_F_DUMP_INTR`: the dump may be
    /// inconsistent (something changed while it was taken).
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }
}
