//! The sans-IO request engine: every rule for completing a request lives
//! here, once.
//!
//! A driver writes requests into an [`Outgoing`], registers it with
//! [`Engine::start`] (which numbers the messages), sends the bytes, and then
//! alternates between [`Engine::poll`] (what happened to its request) and
//! receiving: each datagram goes to [`Engine::handle_datagram`], an overrun
//! (`ENOBUFS`) to [`Engine::handle_overrun`]. The engine matches replies by
//! sequence number and sender, ends requests on their ACK or error, dumps on
//! `NLMSG_DONE` (noting `NLM_F_DUMP_INTR` on data and on `DONE`), batches when
//! every request (or the barrier) has answered, and builds errors with the
//! extended ACK resolved against the bytes that were sent. It never does I/O,
//! never blocks and never panics; drivers only move bytes.
//!
//! Replies for the reader's own request stay in the reader's buffer
//! ([`Output::Message`] is a range into it); replies for another request
//! (another thread's, on a shared blocking connection) are copied into that
//! request's queue ([`Output::Copied`]).

use super::{describe, kernel_error, ToMsg};
use crate::error::{Error, Result};
use crate::socket::{is_overrun, RecvInfo};
use crate::wire::{self, Control, Msg, MsgFlags, MsgIter};
use std::collections::VecDeque;
use std::io;
use std::ops::Range;

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
    /// Datagrams that could not be split into messages.
    pub malformed: u64,
}

/// What kind of exchange an [`Outgoing`] starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One request; data replies until its ACK or error.
    Request,
    /// A dump: data until `NLMSG_DONE` (or an error).
    Dump,
    /// Part of a batch: one answer per request ([`AckMode::Every`]) or only
    /// failures and the barrier's ACK ([`AckMode::ErrorsOnly`]).
    Batch {
        /// How ACKs are asked for.
        mode: AckMode,
        /// Index of the chunk's first request in the whole batch.
        first_index: usize,
    },
}

/// A request (or a batch chunk) in flight, as the engine knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token(u64);

/// The bytes of one exchange: its messages, where each begins and where
/// its attributes begin (to name the attribute an extended ACK points at).
#[derive(Debug)]
pub struct Outgoing {
    kind: Kind,
    buf: Vec<u8>,
    msgs: Vec<Sent>,
}

#[derive(Clone, Copy, Debug)]
struct Sent {
    start: usize,
    attrs_at: usize,
}

impl Outgoing {
    /// An empty exchange of `kind`.
    pub fn new(kind: Kind) -> Outgoing {
        Outgoing {
            kind,
            buf: Vec::new(),
            msgs: Vec::new(),
        }
    }

    /// Empties it for a new exchange of `kind`, keeping the allocations.
    pub fn reset(&mut self, kind: Kind) {
        self.kind = kind;
        self.buf.clear();
        self.msgs.clear();
    }

    /// The kind of exchange.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Appends `req` with `NLM_F_REQUEST` and `flags` (its sequence number is
    /// set by [`Engine::start`]). A request that cannot be built is an
    /// [`Error::Build`] and leaves nothing behind.
    pub fn push(&mut self, req: &dyn ToMsg, flags: u16) -> Result<()> {
        let start = wire::align(self.buf.len());
        let build = |e| Error::Build {
            what: describe(req),
            source: e,
        };
        let written = req.write(&mut self.buf).and_then(|attrs_at| {
            let mut m = Msg::new_checked(&mut self.buf[start..])?;
            m.set_flags(MsgFlags(m.flags().0 | MsgFlags::REQUEST | flags));
            Ok(attrs_at)
        });
        match written {
            Ok(attrs_at) => {
                self.msgs.push(Sent { start, attrs_at });
                Ok(())
            }
            Err(e) => {
                self.buf.truncate(start.min(self.buf.len()));
                Err(build(e))
            }
        }
    }

    /// Removes the last message.
    pub fn pop(&mut self) {
        if let Some(s) = self.msgs.pop() {
            self.buf.truncate(s.start);
        }
    }

    /// Adds `NLM_F_ACK` to the last message (a batch's barrier).
    pub fn ack_last(&mut self) {
        if let Some(s) = self.msgs.last() {
            if let Ok(mut m) = Msg::new_checked(&mut self.buf[s.start..]) {
                m.set_flags(MsgFlags(m.flags().0 | MsgFlags::ACK));
            }
        }
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.msgs.len()
    }

    /// True if it holds no message.
    pub fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// The bytes to send, as one datagram.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Message `i`'s bytes and where its attributes begin.
    fn message(&self, i: usize) -> Option<(&[u8], usize)> {
        let s = self.msgs.get(i)?;
        let end = self.msgs.get(i + 1).map_or(self.buf.len(), |n| n.start);
        Some((self.buf.get(s.start..end)?, s.attrs_at))
    }

    /// What this exchange does, for error messages.
    pub fn what<R: Requests + ?Sized>(&self, reqs: &R) -> String {
        match self.kind {
            Kind::Batch { first_index, .. } => {
                format!(
                    "batch of {} requests from #{}",
                    self.msgs.len(),
                    first_index + 1
                )
            }
            _ => reqs.request(0).map(describe).unwrap_or_default(),
        }
    }
}

/// The requests behind an [`Outgoing`], by index (for descriptions and
/// attribute names in errors).
pub trait Requests {
    /// Request `index`, if there is one.
    fn request(&self, index: usize) -> Option<&dyn ToMsg>;
}

impl Requests for dyn ToMsg + '_ {
    fn request(&self, index: usize) -> Option<&dyn ToMsg> {
        (index == 0).then_some(self)
    }
}

impl<T: ToMsg> Requests for [T] {
    fn request(&self, index: usize) -> Option<&dyn ToMsg> {
        self.get(index).map(|t| t as &dyn ToMsg)
    }
}

/// What happened to a request in flight ([`Engine::poll`]).
#[derive(Debug)]
pub enum Output {
    /// A data reply, at this range of the datagram the reader handed to
    /// [`Engine::handle_datagram`] (valid until it receives again).
    Message(Range<usize>),
    /// A data reply another reader received, copied.
    Copied(Vec<u8>),
    /// The request was acknowledged; a non-empty extended ACK is a warning. Final.
    Ack {
        /// The warning, if any.
        warning: Option<String>,
    },
    /// The dump (or a request answered like one) ended. Final.
    Done {
        /// `NLM_F_DUMP_INTR` on a data message or on `DONE`: the dump may be inconsistent.
        interrupted: bool,
    },
    /// The exchange failed: a kernel error (ext-ack resolved), an overrun,
    /// a malformed answer. Final.
    Failed(Error),
    /// A batch request's outcome; outcomes come in order once the chunk is complete.
    Result {
        /// Index in the whole batch.
        index: usize,
        /// Its outcome.
        result: Result<()>,
    },
    /// Every outcome of the batch chunk was reported. Final.
    BatchDone,
}

/// An answer kept until it is polled: errors are copied as received and
/// built (with names from the request) when polled.
#[derive(Debug)]
enum Stored {
    Message(Range<usize>),
    Copied(Vec<u8>),
    Ack(Option<String>),
    Done,
    /// A copy of the `NLMSG_ERROR`/`NLMSG_DONE` message with a non-zero code.
    Kernel(Vec<u8>),
    Overrun,
    Malformed(wire::Error),
}

impl Stored {
    fn is_final(&self) -> bool {
        !matches!(self, Stored::Message(_) | Stored::Copied(_))
    }
}

#[derive(Debug)]
struct Pending {
    token: u64,
    first: u32,
    count: u32,
    kind: Kind,
    queue: VecDeque<Stored>,
    /// A final answer was queued: later messages for it are stale.
    finished: bool,
    /// The final output was polled: nothing more comes.
    delivered: bool,
    interrupted: bool,
    batch: BatchState,
}

/// A batch chunk's answers so far.
#[derive(Debug, Default)]
struct BatchState {
    /// Answers received, by index (`Every`: all of them; `ErrorsOnly`: failures and the barrier).
    answers: Vec<Option<Stored>>,
    unanswered: usize,
    /// Next outcome to report once complete.
    cursor: usize,
}

impl Pending {
    fn index_of(&self, seq: u32) -> Option<usize> {
        let i = seq.wrapping_sub(self.first);
        (i < self.count).then_some(i as usize)
    }

    fn finish(&mut self, s: Stored) {
        self.queue.push_back(s);
        self.finished = true;
    }

    /// Takes one message for this exchange. `at` is its range in the
    /// datagram when the datagram is the owner's own buffer.
    fn accept(&mut self, m: Msg<&[u8]>, at: Option<Range<usize>>, idx: usize) {
        let intr = m.flags().contains(MsgFlags::DUMP_INTR);
        let parsed = Control::parse(&m);
        if let Kind::Batch { mode, .. } = self.kind {
            let answer = match parsed {
                Ok(Some(Control::Error(e))) if e.is_ack() => Stored::Ack(None),
                Ok(Some(Control::Error(_))) => Stored::Kernel(m.as_bytes().to_vec()),
                Err(e) => Stored::Malformed(e),
                _ => return, // data, DONE, NOOP: not an answer to a batched request
            };
            let b = &mut self.batch;
            let last = self.count as usize - 1;
            let Some(slot) = b.answers.get_mut(idx) else {
                return;
            };
            let first_answer = slot.is_none();
            if first_answer {
                *slot = Some(answer);
            }
            let completes = match mode {
                AckMode::Every => first_answer,
                AckMode::ErrorsOnly => idx == last && first_answer,
            };
            if completes {
                b.unanswered -= 1;
                if b.unanswered == 0 {
                    self.finished = true;
                }
            }
            return;
        }
        self.interrupted |= intr;
        let kernel = || Stored::Kernel(m.as_bytes().to_vec());
        match parsed {
            Ok(None) => self.queue.push_back(match at {
                Some(r) => Stored::Message(r),
                None => Stored::Copied(m.as_bytes().to_vec()),
            }),
            Ok(Some(Control::Error(e))) if e.is_ack() => {
                // A dump ends with DONE; an ACK there (NLM_F_ACK on a dump) is not its end.
                if self.kind == Kind::Request {
                    self.finish(Stored::Ack(e.ext_ack.message().map(|m| m.into_owned())));
                }
            }
            Ok(Some(Control::Error(_))) => self.finish(kernel()),
            Ok(Some(Control::Done(d))) if d.code != 0 => self.finish(kernel()),
            Ok(Some(Control::Done(_))) => self.finish(Stored::Done),
            Ok(Some(Control::Noop | Control::Overrun)) => {}
            Err(e) => self.finish(Stored::Malformed(e)),
        }
    }

    /// Ends the exchange for a reason that is not its answer (overrun, a datagram that cannot be split).
    fn fail(&mut self, s: Stored) {
        if !self.finished {
            self.batch.answers.clear();
            self.finish(s);
        }
    }
}

/// The sans-IO request engine. See the [module docs](self).
#[derive(Debug)]
pub struct Engine {
    kernel_protocol: bool,
    next_seq: u32,
    next_token: u64,
    pending: Vec<Pending>,
    stats: Stats,
}

impl Engine {
    /// An engine for a protocol whose only legitimate replier is the kernel
    /// (`kernel_protocol`), or one where processes talk to each other (USERSOCK).
    pub fn new(kernel_protocol: bool) -> Engine {
        Engine {
            kernel_protocol,
            next_seq: 1,
            next_token: 0,
            pending: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Takes `n` consecutive sequence numbers (none of them 0: 0 marks
    /// notifications; they wrap) and returns the first.
    fn take_seqs(&mut self, n: u32) -> u32 {
        let mut first = self.next_seq;
        if first == 0 || first.checked_add(n.saturating_sub(1)).is_none() {
            first = 1;
        }
        self.next_seq = first.wrapping_add(n);
        first
    }

    /// Registers an exchange: numbers its messages and returns its token.
    /// Send `out.bytes()` next; until [`Engine::release`], answers are kept
    /// for it.
    pub fn start(&mut self, out: &mut Outgoing) -> Token {
        let count = out.msgs.len().max(1) as u32;
        let first = self.take_seqs(count);
        for (i, s) in out.msgs.iter().enumerate() {
            if let Ok(mut m) = Msg::new_checked(&mut out.buf[s.start..]) {
                m.set_seq(first.wrapping_add(i as u32));
            }
        }
        let token = self.next_token;
        self.next_token += 1;
        let mut batch = BatchState::default();
        if let Kind::Batch { mode, .. } = out.kind {
            batch.answers.resize_with(count as usize, || None);
            batch.unanswered = match mode {
                AckMode::Every => count as usize,
                AckMode::ErrorsOnly => 1,
            };
        }
        self.pending.push(Pending {
            token,
            first,
            count,
            kind: out.kind,
            queue: VecDeque::new(),
            finished: false,
            delivered: false,
            interrupted: false,
            batch,
        });
        Token(token)
    }

    /// Forgets an exchange (answered or abandoned); later messages for it are stale.
    pub fn release(&mut self, token: Token) {
        self.pending.retain(|p| p.token != token.0);
    }

    /// True if a message of this dump so far carried `NLM_F_DUMP_INTR`.
    pub fn interrupted(&self, token: Token) -> bool {
        self.pending
            .iter()
            .any(|p| p.token == token.0 && p.interrupted)
    }

    /// Takes in one received datagram. `reader` is the exchange whose
    /// driver owns `buf`: its replies are handed out as ranges of `buf`;
    /// replies for any other exchange are copied.
    pub fn handle_datagram(&mut self, buf: &[u8], info: &RecvInfo, reader: Option<Token>) {
        if self.kernel_protocol && info.port_id != 0 {
            // Nobody but the kernel may answer: drop all of it, unread.
            let n = MsgIter::new(buf).take_while(|m| m.is_ok()).count();
            self.stats.spoofed += n.max(1) as u64;
            return;
        }
        for m in MsgIter::new(buf) {
            let (at, m) = match m {
                Ok(x) => x,
                Err(e) => {
                    // What follows cannot be attributed: every exchange may have lost an answer.
                    self.stats.malformed += 1;
                    self.fail_all(|| Stored::Malformed(e));
                    return;
                }
            };
            let seq = m.seq();
            if info.groups != 0 || seq == 0 {
                self.stats.notifications += 1;
                continue;
            }
            let Some((p, idx)) = self
                .pending
                .iter_mut()
                .filter(|p| !p.finished)
                .find_map(|p| p.index_of(seq).map(|i| (p, i)))
            else {
                self.stats.stale += 1;
                continue;
            };
            let own = reader == Some(Token(p.token));
            p.accept(m, own.then(|| at..at + m.len() as usize), idx);
        }
    }

    /// The socket reported an overrun (`ENOBUFS`): answers were lost, so
    /// every exchange in flight fails with [`Error::Overrun`].
    pub fn handle_overrun(&mut self) {
        self.stats.overruns += 1;
        self.fail_all(|| Stored::Overrun);
    }

    /// Takes the outcome of one receive: a datagram, an overrun, or an I/O
    /// error (returned, naming the exchange `out`).
    pub fn handle_recv<R: Requests + ?Sized>(
        &mut self,
        r: io::Result<RecvInfo>,
        buf: &[u8],
        reader: Token,
        out: &Outgoing,
        reqs: &R,
    ) -> Result<()> {
        match r {
            Ok(info) => {
                self.handle_datagram(buf, &info, Some(reader));
                Ok(())
            }
            Err(e) if is_overrun(&e) => {
                self.handle_overrun();
                Ok(())
            }
            Err(e) => Err(Error::io(format!("{}: receive", out.what(reqs)), e)),
        }
    }

    fn fail_all(&mut self, s: impl Fn() -> Stored) {
        for p in self.pending.iter_mut() {
            p.fail(s());
        }
    }

    /// The next thing that happened to exchange `token`, if any; `out` and
    /// `reqs` are what was sent (to describe it and resolve extended ACKs).
    /// After a final output, `None` forever.
    pub fn poll<R: Requests + ?Sized>(
        &mut self,
        token: Token,
        out: &Outgoing,
        reqs: &R,
    ) -> Option<Output> {
        let p = self.pending.iter_mut().find(|p| p.token == token.0)?;
        if let Some(s) = p.queue.pop_front() {
            p.delivered |= s.is_final();
            return Some(build(s, 0, p.interrupted, out, reqs, None));
        }
        let Kind::Batch { first_index, .. } = p.kind else {
            return None;
        };
        if p.delivered || !p.finished {
            return None;
        }
        let b = &mut p.batch;
        let i = b.cursor;
        b.cursor += 1;
        let Some(slot) = b.answers.get_mut(i) else {
            p.delivered = true;
            return Some(Output::BatchDone);
        };
        let index = first_index + i;
        Some(match slot.take() {
            None | Some(Stored::Ack(_)) => Output::Result {
                index,
                result: Ok(()),
            },
            Some(s) => match build(s, i, false, out, reqs, Some(index)) {
                Output::Failed(e) => Output::Result {
                    index,
                    result: Err(e),
                },
                o => o,
            },
        })
    }
}

/// Turns a stored answer into an output, building errors against message
/// `i` of `out` (and request `i` of `reqs`).
fn build<R: Requests + ?Sized>(
    s: Stored,
    i: usize,
    interrupted: bool,
    out: &Outgoing,
    reqs: &R,
    index: Option<usize>,
) -> Output {
    match s {
        Stored::Message(r) => Output::Message(r),
        Stored::Copied(v) => Output::Copied(v),
        Stored::Ack(warning) => Output::Ack { warning },
        Stored::Done => Output::Done { interrupted },
        Stored::Overrun => Output::Failed(Error::Overrun {
            what: out.what(reqs),
        }),
        Stored::Malformed(e) => Output::Failed(Error::Malformed {
            what: out.what(reqs),
            source: e,
        }),
        Stored::Kernel(bytes) => {
            let sent = out.message(i).zip(reqs.request(i));
            let ctx = sent.map(|((b, at), r)| (b, at, r));
            let err = Msg::new_checked(&bytes[..])
                .and_then(|m| Control::parse(&m).map(|c| (c, m)))
                .map(|(c, _)| match c {
                    Some(Control::Error(e)) => kernel_error(e.code, &e.ext_ack, ctx, index),
                    Some(Control::Done(d)) => kernel_error(d.code, &d.ext_ack, ctx, index),
                    _ => Error::Invalid("engine kept a message that is no error".into()),
                });
            Output::Failed(err.unwrap_or_else(|e| Error::Malformed {
                what: out.what(reqs),
                source: e,
            }))
        }
    }
}

/// What a request or dump driver does next with an output.
pub(crate) enum Next<'b> {
    /// Hand this data message to the caller.
    Msg(Msg<&'b [u8]>),
    /// The exchange ended well: the ACK's warning, and whether a dump was interrupted.
    End {
        warning: Option<String>,
        interrupted: bool,
    },
}

/// Resolves an output of a request or dump against the driver's receive
/// buffer (a copied message replaces its contents). Failures are errors.
pub(crate) fn next_step(o: Output, buf: &mut Vec<u8>) -> Result<Next<'_>> {
    let range = match o {
        Output::Message(r) => r,
        Output::Copied(v) => {
            *buf = v;
            0..buf.len()
        }
        Output::Ack { warning } => {
            return Ok(Next::End {
                warning,
                interrupted: false,
            })
        }
        Output::Done { interrupted } => {
            return Ok(Next::End {
                warning: None,
                interrupted,
            })
        }
        Output::Failed(e) => return Err(e),
        Output::Result { .. } | Output::BatchDone => {
            return Err(Error::Invalid(
                "batch outcome for a request that is not a batch".into(),
            ))
        }
    };
    let bytes = buf.get(range).unwrap_or_default();
    Msg::new_checked(bytes)
        .map(Next::Msg)
        .map_err(|e| Error::Malformed {
            what: "reply".into(),
            source: e,
        })
}

/// Cuts a batch into chunks: as many requests as fit one `sendmsg` and the
/// in-flight window, each chunk ending with a barrier that asks for an ACK.
/// Requests that cannot be built are reported in order and never sent.
/// Both drivers feed it; it does no I/O.
pub(crate) struct Batcher<I: Iterator> {
    items: std::iter::Peekable<I>,
    mode: AckMode,
    window: usize,
    max_bytes: usize,
    next_index: usize,
    chunk: Vec<I::Item>,
    out: Outgoing,
    summary: BatchSummary,
}

impl<I: Iterator> Batcher<I>
where
    I::Item: ToMsg,
{
    /// A batcher over `items` sending at most `window` requests and
    /// `max_bytes` bytes at a time.
    pub(crate) fn new(items: I, mode: AckMode, window: usize, max_bytes: usize) -> Self {
        Batcher {
            items: items.peekable(),
            mode,
            window: window.max(1),
            max_bytes,
            next_index: 0,
            chunk: Vec::new(),
            out: Outgoing::new(Kind::Request),
            summary: BatchSummary::default(),
        }
    }

    fn kind(&self) -> Kind {
        Kind::Batch {
            mode: self.mode,
            first_index: self.next_index,
        }
    }

    /// Fills the next chunk; returns false when every request was sent.
    /// Requests that cannot be built before it are reported to `on_result`.
    pub(crate) fn fill(&mut self, on_result: &mut dyn FnMut(usize, Result<()>)) -> bool {
        let flags = match self.mode {
            AckMode::Every => MsgFlags::ACK,
            AckMode::ErrorsOnly => 0,
        };
        self.chunk.clear();
        self.out.reset(self.kind());
        while self.chunk.len() < self.window {
            let Some(item) = self.items.peek() else { break };
            if let Err(e) = self.out.push(item, flags) {
                if !self.chunk.is_empty() {
                    break; // reported after the requests before it
                }
                self.items.next();
                self.summary.failed += 1;
                on_result(self.next_index, Err(e));
                self.next_index += 1;
                self.out.reset(self.kind());
                continue;
            }
            if self.out.bytes().len() > self.max_bytes && !self.chunk.is_empty() {
                self.out.pop();
                break;
            }
            match self.items.next() {
                Some(item) => self.chunk.push(item),
                None => self.out.pop(),
            }
        }
        if self.chunk.is_empty() {
            return false;
        }
        // The last request of the chunk is the barrier: it always asks for an ACK.
        self.out.ack_last();
        self.next_index += self.chunk.len();
        self.summary.sends += 1;
        true
    }

    /// The chunk to send, and its requests.
    pub(crate) fn chunk(&mut self) -> (&mut Outgoing, &[I::Item]) {
        (&mut self.out, &self.chunk)
    }

    /// Reports one output of the chunk; true when the chunk is complete.
    /// A failure of the whole chunk (an overrun) is the batch's error.
    pub(crate) fn report(
        &mut self,
        o: Output,
        on_result: &mut dyn FnMut(usize, Result<()>),
    ) -> Result<bool> {
        match o {
            Output::Result { index, result } => {
                match result {
                    Ok(()) => self.summary.ok += 1,
                    Err(_) => self.summary.failed += 1,
                }
                on_result(index, result);
                Ok(false)
            }
            Output::Failed(e) => Err(e),
            Output::BatchDone => Ok(true),
            _ => Ok(false),
        }
    }

    /// What the batch did.
    pub(crate) fn summary(&self) -> BatchSummary {
        self.summary
    }
}
