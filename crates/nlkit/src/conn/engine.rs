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
//! Replies for the reader's own request stay in the reader's buffer: the
//! engine judges a datagram's messages once and hands out each run of
//! consecutive data replies as one range of it ([`Output::Messages`]), which
//! a driver walks header by header ([`Walk`]) with no further engine step,
//! lock or queue entry per message. Replies for another request (another
//! thread's, on a shared blocking connection) are copied into that request's
//! queue ([`Output::Copied`]).

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
    /// One or more data replies, consecutive whole messages at this range of
    /// the datagram the reader handed to [`Engine::handle_datagram`] (valid
    /// until it receives again). Every message in it was checked: its length,
    /// sender, sequence number and type (data, not control). Walk it with
    /// [`MsgIter`] over `&buf[range]`.
    Messages(Range<usize>),
    /// A data reply another reader received, copied (one whole message).
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
    /// A run of data replies in the reader's datagram.
    Run(Range<usize>),
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
        !matches!(self, Stored::Run(_) | Stored::Copied(_))
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
    /// datagram when the datagram is the owner's own buffer; `open` says
    /// whether a run of this datagram is open at the back of the queue (a
    /// data reply right after it extends it rather than queueing another),
    /// and is updated.
    #[inline]
    fn accept(&mut self, m: Msg<&[u8]>, at: Option<Range<usize>>, idx: usize, open: &mut bool) {
        let intr = m.flags().contains(MsgFlags::DUMP_INTR);
        let parsed = if is_control(m.msg_type()) {
            Control::parse(&m)
        } else {
            Ok(None)
        };
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
        let was_open = std::mem::replace(open, false);
        match parsed {
            Ok(None) => match at {
                Some(r) => {
                    *open = was_open;
                    self.push_run(r, open);
                }
                None => self.queue.push_back(Stored::Copied(m.as_bytes().to_vec())),
            },
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

    /// Queues data replies at `r` of the reader's datagram: extends the run
    /// at the back of the queue if it is this datagram's (`open`) and ends
    /// where `r` starts, else queues a new one (and opens it).
    #[inline]
    fn push_run(&mut self, r: Range<usize>, open: &mut bool) {
        if *open {
            if let Some(Stored::Run(run)) = self.queue.back_mut() {
                if wire::align(run.end) == r.start {
                    run.end = r.end;
                    return;
                }
            }
        }
        *open = true;
        self.queue.push_back(Stored::Run(r));
    }

    /// Ends the exchange for a reason that is not its answer (overrun, a datagram that cannot be split).
    fn fail(&mut self, s: Stored) {
        if !self.finished {
            self.batch.answers.clear();
            self.finish(s);
        }
    }
}

/// True for the message types [`Control::parse`] decodes (`NLMSG_NOOP` to
/// `NLMSG_OVERRUN`); every other type is data. Lets a dump's hundreds of data
/// replies per datagram skip the decoder.
#[inline]
fn is_control(msg_type: u16) -> bool {
    (wire::NLMSG_NOOP..=wire::NLMSG_OVERRUN).contains(&msg_type)
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
        // Whether a run of this datagram is open at the back of the reader's
        // queue (runs never span datagrams: a range is only valid in its own).
        let mut open = false;
        let mut it = MsgIter::new(buf);
        let mut next = it.next();
        while let Some(item) = next.take() {
            let (at, m) = match item {
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
                next = it.next();
                continue;
            }
            let Some((p, idx)) = self
                .pending
                .iter_mut()
                .filter(|p| !p.finished)
                .find_map(|p| p.index_of(seq).map(|i| (p, i)))
            else {
                self.stats.stale += 1;
                next = it.next();
                continue;
            };
            if reader != Some(Token(p.token)) {
                p.accept(m, None, idx, &mut false);
                next = it.next();
                continue;
            }
            if matches!(p.kind, Kind::Batch { .. }) || is_control(m.msg_type()) {
                p.accept(m, Some(at..at + m.len() as usize), idx, &mut open);
                next = it.next();
                continue;
            }
            // A data reply of the reader's own request or dump, and the ones
            // right after it with the same sequence number: one run, judged
            // here message by message (length, sequence, type, DUMP_INTR)
            // without an engine step for each.
            let mut end = at + m.len() as usize;
            let mut intr = m.flags().contains(MsgFlags::DUMP_INTR);
            loop {
                next = it.next();
                match &next {
                    Some(Ok((a, n))) if n.seq() == seq && !is_control(n.msg_type()) => {
                        intr |= n.flags().contains(MsgFlags::DUMP_INTR);
                        end = a + n.len() as usize;
                    }
                    _ => break,
                }
            }
            p.interrupted |= intr;
            p.push_run(at..end, &mut open);
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

    /// Moves up to `max` outputs of exchange `token` to the end of `into`,
    /// in order: what `max` calls of [`poll`](Self::poll) return, with the
    /// exchange looked up once (a batch's thousands of outcomes are taken a
    /// run at a time, not all at once). Returns how many.
    pub fn poll_into<R: Requests + ?Sized>(
        &mut self,
        token: Token,
        out: &Outgoing,
        reqs: &R,
        max: usize,
        into: &mut VecDeque<Output>,
    ) -> usize {
        let Some(p) = self.pending.iter_mut().find(|p| p.token == token.0) else {
            return 0;
        };
        let mut n = 0;
        while n < max {
            let Some(o) = p.poll(out, reqs) else {
                break;
            };
            into.push_back(o);
            n += 1;
        }
        n
    }

    /// A probe for a thread that receives ahead of dump `token`'s consumer
    /// (see [`DumpProbe`]), while the dump is in flight on a kernel
    /// protocol; `None` otherwise (a peer process may stop sending at any
    /// time, and only the kernel's dumps are sure to go on to their end).
    pub fn dump_probe(&self, token: Token) -> Option<DumpProbe> {
        let p = self.pending.iter().find(|p| p.token == token.0)?;
        (self.kernel_protocol && p.kind == Kind::Dump && !p.finished)
            .then_some(DumpProbe { seq: p.first })
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
        self.pending
            .iter_mut()
            .find(|p| p.token == token.0)?
            .poll(out, reqs)
    }
}

impl Pending {
    /// The next output of this exchange (see [`Engine::poll`]).
    fn poll<R: Requests + ?Sized>(&mut self, out: &Outgoing, reqs: &R) -> Option<Output> {
        if let Some(s) = self.queue.pop_front() {
            self.delivered |= s.is_final();
            return Some(build(s, 0, self.interrupted, out, reqs, None));
        }
        let Kind::Batch { first_index, .. } = self.kind else {
            return None;
        };
        if self.delivered || !self.finished {
            return None;
        }
        let b = &mut self.batch;
        let i = b.cursor;
        b.cursor += 1;
        let Some(slot) = b.answers.get_mut(i) else {
            self.delivered = true;
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
        Stored::Run(r) => Output::Messages(r),
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

/// How a request or dump ended well: the ACK's warning, and whether a dump
/// was interrupted.
#[derive(Debug)]
pub(crate) struct End {
    pub(crate) warning: Option<String>,
    pub(crate) interrupted: bool,
}

/// A driver's place in the data replies the engine handed it: the messages
/// of an [`Output::Messages`] run (or of a copy) not yet given to its
/// caller. It only walks headers; the engine judged every message already.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pos: usize,
    end: usize,
}

impl Walk {
    /// True when every message handed over was walked.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Takes an output of a request or dump: data replies are what
    /// [`next`](Self::next) hands out next (a copy replaces `buf`'s
    /// contents, so take one only once the walk is empty); a good end is
    /// returned; a failure is an error.
    pub(crate) fn take(&mut self, o: Output, buf: &mut Vec<u8>) -> Result<Option<End>> {
        match o {
            Output::Messages(r) => {
                (self.pos, self.end) = (r.start, r.end);
                Ok(None)
            }
            Output::Copied(v) => {
                *buf = v;
                (self.pos, self.end) = (0, buf.len());
                Ok(None)
            }
            Output::Ack { warning } => Ok(Some(End {
                warning,
                interrupted: false,
            })),
            Output::Done { interrupted } => Ok(Some(End {
                warning: None,
                interrupted,
            })),
            Output::Failed(e) => Err(e),
            Output::Result { .. } | Output::BatchDone => Err(Error::Invalid(
                "batch outcome for a request that is not a batch".into(),
            )),
        }
    }

    /// The next message in `buf` (the buffer the output was taken with);
    /// `None` once the walk is empty. A run that does not hold whole
    /// messages (which the engine never hands out) is an error, once.
    pub(crate) fn next<'b>(&mut self, buf: &'b [u8]) -> Option<Result<Msg<&'b [u8]>>> {
        if self.is_empty() {
            return None;
        }
        let mut it = MsgIter::new(buf.get(self.pos..self.end).unwrap_or_default());
        match it.next() {
            Some(Ok((_, m))) => {
                self.pos += it.offset();
                Some(Ok(m))
            }
            bad => {
                self.pos = self.end;
                let source = match bad {
                    Some(Err(e)) => e,
                    _ => wire::Error::Truncated {
                        at: 0,
                        need: wire::NLMSG_HDRLEN,
                        have: 0,
                    },
                };
                Some(Err(Error::Malformed {
                    what: "reply".into(),
                    source,
                }))
            }
        }
    }
}

/// Judges, for a thread that receives a dump's datagrams ahead of its
/// consumer (and feeds none of them to the engine itself), whether a
/// datagram may end the dump: past its end the kernel sends the dump
/// nothing more, so such a thread must not receive again. A pure function
/// of the datagram ([`Engine::dump_probe`] makes one); it errs towards
/// "may end" (the consumer then receives in line, as without read-ahead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DumpProbe {
    seq: u32,
}

impl DumpProbe {
    /// True if `datagram` cannot be split into messages, or holds a control
    /// message (`NLMSG_DONE`, `NLMSG_ERROR`, ...) with the dump's sequence
    /// number. Messages of other exchanges, notifications and forgeries do
    /// not end the dump (the engine drops or routes them).
    pub fn may_end(&self, datagram: &[u8]) -> bool {
        MsgIter::new(datagram).any(|m| match m {
            Ok((_, m)) => m.seq() == self.seq && m.msg_type() < wire::NLMSG_MIN_TYPE,
            Err(_) => true,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::RawRequest;
    use crate::wire::{MsgWriter, NLMSG_DONE, NLMSG_ERROR};
    use std::fmt;

    /// A SETLINK-like request: `ifinfomsg` (16 bytes), then IFLA_MTU (4).
    struct SetMtu;
    impl ToMsg for SetMtu {
        fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
            let mut w = MsgWriter::new(buf, 19, 0, 0, 0);
            w.bytes(&[0u8; 16]);
            w.attr_u32(4, 1500)?;
            w.finish()?;
            Ok(wire::NLMSG_HDRLEN + 16)
        }
        fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("set mtu")
        }
        fn attr_name(&self, path: &[u16]) -> Option<String> {
            match path {
                [4] => Some("IFLA_MTU".into()),
                [3] => Some("IFLA_IFNAME".into()),
                _ => None,
            }
        }
    }

    fn raw(flags: u16) -> RawRequest<'static> {
        RawRequest {
            msg_type: 18,
            flags,
            payload: &[0u8; 16],
            fixed_len: 16,
            what: "dump links",
        }
    }

    fn kernel() -> RecvInfo {
        RecvInfo::default()
    }

    fn data(buf: &mut Vec<u8>, seq: u32, flags: u16) {
        MsgWriter::new(buf, 16, MsgFlags::MULTI | flags, seq, 4242).bytes(&[0u8; 16]);
    }

    fn done(buf: &mut Vec<u8>, seq: u32, flags: u16, code: i32) {
        MsgWriter::new(buf, NLMSG_DONE, MsgFlags::MULTI | flags, seq, 4242)
            .bytes(&code.to_ne_bytes());
    }

    /// An ACK (code 0) or a bare error, header echoed (capped).
    fn answer(buf: &mut Vec<u8>, seq: u32, code: i32) {
        let mut w = MsgWriter::new(buf, NLMSG_ERROR, MsgFlags::CAPPED, seq, 4242);
        w.bytes(&code.to_ne_bytes());
        w.bytes(&[0u8; 16]);
    }

    fn start(e: &mut Engine, req: &dyn ToMsg, kind: Kind, flags: u16) -> (Token, Outgoing) {
        let mut out = Outgoing::new(kind);
        out.push(req, flags).unwrap();
        (e.start(&mut out), out)
    }

    #[test]
    fn seqs_wrap_and_skip_zero() {
        let mut e = Engine::new(true);
        assert_eq!(e.take_seqs(1), 1);
        assert_eq!(e.take_seqs(1), 2);
        e.next_seq = u32::MAX - 1;
        assert_eq!(e.take_seqs(5), 1);
        assert_eq!(e.take_seqs(1), 6);
        e.next_seq = u32::MAX;
        assert_eq!(e.take_seqs(1), u32::MAX);
        assert_eq!(e.take_seqs(1), 1);
    }

    #[test]
    fn start_numbers_and_flags_the_messages() {
        let mut e = Engine::new(true);
        let (_, out) = start(&mut e, &SetMtu, Kind::Request, MsgFlags::ACK);
        let m = Msg::new_checked(out.bytes()).unwrap();
        assert_eq!(m.seq(), 1);
        assert_eq!(m.flags().0, MsgFlags::REQUEST | MsgFlags::ACK);
        assert_eq!(out.what(&SetMtu as &dyn ToMsg), "set mtu");
    }

    /// The kernel's answer to SetMtu (seq 1) with NETLINK_EXT_ACK and
    /// NETLINK_CAP_ACK: ERANGE, a message, and IFLA_MTU at offset 32.
    #[test]
    fn error_resolves_ext_ack_against_the_sent_request() {
        let mut e = Engine::new(true);
        let req: &dyn ToMsg = &SetMtu;
        let (t, out) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        let mut b = Vec::new();
        b.extend_from_slice(&56u32.to_ne_bytes()); // nlmsg_len
        b.extend_from_slice(&NLMSG_ERROR.to_ne_bytes()); // nlmsg_type
        b.extend_from_slice(&0x0300u16.to_ne_bytes()); // NLM_F_CAPPED | NLM_F_ACK_TLVS
        b.extend_from_slice(&1u32.to_ne_bytes()); // nlmsg_seq
        b.extend_from_slice(&4242u32.to_ne_bytes()); // nlmsg_pid
        b.extend_from_slice(&(-libc::ERANGE).to_ne_bytes()); // error
        b.extend_from_slice(&40u32.to_ne_bytes()); // echoed nlmsg_len
        b.extend_from_slice(&19u16.to_ne_bytes()); // echoed nlmsg_type
        b.extend_from_slice(&5u16.to_ne_bytes()); // echoed nlmsg_flags
        b.extend_from_slice(&1u32.to_ne_bytes()); // echoed nlmsg_seq
        b.extend_from_slice(&0u32.to_ne_bytes()); // echoed nlmsg_pid
        b.extend_from_slice(&12u16.to_ne_bytes()); // nla_len
        b.extend_from_slice(&1u16.to_ne_bytes()); // NLMSGERR_ATTR_MSG
        b.extend_from_slice(b"too big\0"); // the message
        b.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        b.extend_from_slice(&2u16.to_ne_bytes()); // NLMSGERR_ATTR_OFFS
        b.extend_from_slice(&32u32.to_ne_bytes()); // offset of IFLA_MTU
        assert_eq!(b.len(), 56);
        e.handle_datagram(&b, &kernel(), Some(t));
        let Some(Output::Failed(err)) = e.poll(t, &out, req) else {
            panic!("no error");
        };
        let k = err.kernel().unwrap();
        assert_eq!(k.errno, libc::ERANGE);
        assert_eq!(k.attr.unwrap().types(), &[4]);
        assert_eq!(k.attr_name.as_deref(), Some("IFLA_MTU"));
        assert_eq!(
            err.to_string(),
            "set mtu: Numerical result out of range (ERANGE): too big [attribute IFLA_MTU]"
        );
        assert!(
            e.poll(t, &out, req).is_none(),
            "nothing after the final output"
        );
        // A late copy of the answer is stale, not a second answer.
        e.handle_datagram(&b, &kernel(), Some(t));
        assert!(e.poll(t, &out, req).is_none());
        assert_eq!(e.stats().stale, 1);
    }

    #[test]
    fn request_data_then_ack_with_warning() {
        let mut e = Engine::new(true);
        let req: &dyn ToMsg = &SetMtu;
        let (t, out) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        let mut b = Vec::new();
        data(&mut b, 1, 0);
        let mut w = MsgWriter::new(
            &mut b,
            NLMSG_ERROR,
            MsgFlags::CAPPED | MsgFlags::ACK_TLVS,
            1,
            4242,
        );
        w.bytes(&0i32.to_ne_bytes());
        w.bytes(&[0u8; 16]);
        w.attr_str(1, "deprecated").unwrap();
        e.handle_datagram(&b, &kernel(), Some(t));
        assert!(matches!(e.poll(t, &out, req), Some(Output::Messages(r)) if r == (0..32)));
        assert!(matches!(
            e.poll(t, &out, req),
            Some(Output::Ack { warning: Some(w) }) if w == "deprecated"
        ));
    }

    #[test]
    fn dump_over_datagrams_interrupted_on_done_only() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (t, out) = start(&mut e, req, Kind::Dump, 0);
        for _ in 0..3 {
            let mut b = Vec::new();
            data(&mut b, 1, 0);
            data(&mut b, 1, 0);
            e.handle_datagram(&b, &kernel(), Some(t));
            // Both replies in one run: one output per datagram, not per message.
            assert!(matches!(e.poll(t, &out, req), Some(Output::Messages(r)) if r == (0..64)));
            assert!(e.poll(t, &out, req).is_none());
        }
        assert!(!e.interrupted(t));
        let mut b = Vec::new();
        done(&mut b, 1, MsgFlags::DUMP_INTR, 0);
        e.handle_datagram(&b, &kernel(), Some(t));
        assert!(matches!(
            e.poll(t, &out, req),
            Some(Output::Done { interrupted: true })
        ));
        assert!(e.interrupted(t));
    }

    /// `poll_into` hands over what `poll` would, in order, at most `max` at a
    /// time: the run of data replies, then the final answer, then nothing.
    #[test]
    fn poll_into_takes_runs_in_order_up_to_max() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (t, out) = start(&mut e, req, Kind::Dump, 0);
        let mut b = Vec::new();
        for _ in 0..3 {
            data(&mut b, 1, 0);
        }
        done(&mut b, 1, 0, 0);
        e.handle_datagram(&b, &kernel(), Some(t));
        let mut q = VecDeque::new();
        assert_eq!(e.poll_into(t, &out, req, 1, &mut q), 1);
        assert_eq!(e.poll_into(t, &out, req, 5, &mut q), 1);
        assert_eq!(e.poll_into(t, &out, req, 5, &mut q), 0);
        let got: Vec<String> = q.iter().map(|o| format!("{o:?}")).collect();
        assert_eq!(got, ["Messages(0..96)", "Done { interrupted: false }"]);
        // An exchange the engine does not know: nothing.
        assert_eq!(e.poll_into(Token(999), &out, req, 5, &mut q), 0);
        assert_eq!(q.len(), 2);
    }

    /// A run holds only consecutive replies of the reader's own exchange in
    /// one datagram: another exchange's reply, a stale or a notification
    /// between them cuts it, and a run never reaches into the next datagram.
    #[test]
    fn runs_are_cut_by_other_messages_and_datagrams() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (a, out_a) = start(&mut e, req, Kind::Dump, 0);
        let (b, out_b) = start(&mut e, req, Kind::Dump, 0);
        let mut d = Vec::new();
        data(&mut d, 1, 0); // 0..32, a's
        data(&mut d, 1, MsgFlags::DUMP_INTR); // 32..64, a's
        data(&mut d, 2, 0); // b's: copied
        data(&mut d, 1, 0); // 96..128
        data(&mut d, 0, 0); // a notification
        data(&mut d, 1, 0); // 160..192
        data(&mut d, 77, 0); // stale
        data(&mut d, 1, 0); // 224..256
        data(&mut d, 1, 0); // 256..288
        e.handle_datagram(&d, &kernel(), Some(a));
        // The next datagram: b's replies, then one of a's at the offset where
        // a's last run (still queued) ended: a run of its own all the same.
        let mut d2 = Vec::new();
        for _ in 0..9 {
            data(&mut d2, 2, 0);
        }
        data(&mut d2, 1, 0); // 288..320
        e.handle_datagram(&d2, &kernel(), Some(a));
        let mut q = VecDeque::new();
        e.poll_into(a, &out_a, req, 10, &mut q);
        let got: Vec<String> = q.iter().map(|o| format!("{o:?}")).collect();
        assert_eq!(
            got,
            [
                "Messages(0..64)",
                "Messages(96..128)",
                "Messages(160..192)",
                "Messages(224..288)",
                "Messages(288..320)"
            ]
        );
        assert!(e.interrupted(a), "DUMP_INTR inside a run is noted");
        assert!(!e.interrupted(b));
        assert!(matches!(e.poll(b, &out_b, req), Some(Output::Copied(v)) if v == d[64..96]));
        let s = e.stats();
        assert_eq!((s.notifications, s.stale), (1, 1));
    }

    /// A driver walks a run message by message, and a copy the same way.
    #[test]
    fn walk_hands_out_each_message_of_a_run() {
        let mut b = Vec::new();
        data(&mut b, 1, 0);
        MsgWriter::new(&mut b, 16, MsgFlags::MULTI, 1, 4242).bytes(&[7u8; 5]); // 21 bytes, padded
        data(&mut b, 1, 0);
        let mut w = Walk::default();
        assert!(w.is_empty());
        assert!(w.next(&b).is_none());
        assert!(w
            .take(Output::Messages(0..b.len()), &mut b)
            .unwrap()
            .is_none());
        let lens: Vec<u32> = std::iter::from_fn(|| w.next(&b).map(|m| m.unwrap().len())).collect();
        assert_eq!(lens, [32, 21, 32]);
        assert!(w.is_empty());
        // A range that is not whole messages: one error, then nothing.
        assert!(w.take(Output::Messages(0..40), &mut b).unwrap().is_none());
        assert!(w.next(&b).unwrap().is_ok());
        assert!(matches!(w.next(&b), Some(Err(Error::Malformed { .. }))));
        assert!(w.next(&b).is_none());
        let end = w.take(Output::Done { interrupted: true }, &mut b).unwrap();
        assert!(end.unwrap().interrupted);
        let copy = b[..32].to_vec();
        assert!(w.take(Output::Copied(copy), &mut b).unwrap().is_none());
        assert_eq!(w.next(&b).unwrap().unwrap().len(), 32);
        assert!(w.next(&b).is_none());
    }

    /// The probe a read-ahead thread asks: only a control message of this
    /// dump (or a datagram that cannot be split) may end it.
    #[test]
    fn dump_probe_stops_at_the_dumps_end_only() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (t, _out) = start(&mut e, req, Kind::Dump, 0);
        let p = e.dump_probe(t).unwrap();
        let mut d = Vec::new();
        data(&mut d, 1, MsgFlags::DUMP_INTR);
        data(&mut d, 2, 0);
        done(&mut d, 2, 0, 0); // another exchange's end
        answer(&mut d, 0, 0); // seq 0
        assert!(!p.may_end(&d));
        let mut end = d.clone();
        done(&mut end, 1, 0, 0);
        assert!(p.may_end(&end));
        let mut err = d.clone();
        answer(&mut err, 1, -libc::EINVAL);
        assert!(p.may_end(&err));
        assert!(p.may_end(&[20, 0, 0, 0, 2, 0]));
        // No probe for requests, finished dumps, or peers that are not the kernel.
        let (r, _) = start(&mut e, &SetMtu, Kind::Request, MsgFlags::ACK);
        assert!(e.dump_probe(r).is_none());
        e.handle_datagram(&end, &kernel(), Some(t));
        assert!(e.dump_probe(t).is_none());
        let mut u = Engine::new(false);
        let (t, _) = start(&mut u, req, Kind::Dump, 0);
        assert!(u.dump_probe(t).is_none());
    }

    #[test]
    fn dump_interrupted_on_data_and_failed_by_done() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (t, out) = start(&mut e, req, Kind::Dump, 0);
        let mut b = Vec::new();
        data(&mut b, 1, MsgFlags::DUMP_INTR);
        e.handle_datagram(&b, &kernel(), Some(t));
        assert!(e.interrupted(t));
        let mut b = Vec::new();
        done(&mut b, 1, 0, -libc::EMSGSIZE);
        e.handle_datagram(&b, &kernel(), Some(t));
        assert!(matches!(e.poll(t, &out, req), Some(Output::Messages(_))));
        let Some(Output::Failed(err)) = e.poll(t, &out, req) else {
            panic!("the dump did not fail");
        };
        assert_eq!(err.errno(), Some(libc::EMSGSIZE));
        assert!(err.to_string().starts_with("dump links: "), "{err}");
    }

    #[test]
    fn other_readers_replies_are_copied() {
        let mut e = Engine::new(true);
        let req = raw(MsgFlags::DUMP);
        let req: &dyn ToMsg = &req;
        let (a, out_a) = start(&mut e, req, Kind::Dump, 0);
        let (b, out_b) = start(&mut e, req, Kind::Dump, 0);
        let mut d = Vec::new();
        data(&mut d, 2, 0);
        data(&mut d, 1, 0);
        e.handle_datagram(&d, &kernel(), Some(a));
        assert!(matches!(e.poll(a, &out_a, req), Some(Output::Messages(r)) if r == (32..64)));
        let Some(Output::Copied(v)) = e.poll(b, &out_b, req) else {
            panic!("not copied");
        };
        assert_eq!(v, &d[..32]);
        e.release(b);
        e.handle_datagram(&d, &kernel(), Some(a));
        assert_eq!(e.stats().stale, 1, "a released request's replies are stale");
    }

    #[test]
    fn spoofed_notifications_and_stale_are_counted_not_delivered() {
        let mut e = Engine::new(true);
        let req: &dyn ToMsg = &SetMtu;
        let (t, out) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        let mut d = Vec::new();
        answer(&mut d, 1, -libc::EPERM);
        let spoofed = RecvInfo {
            port_id: 999,
            ..RecvInfo::default()
        };
        e.handle_datagram(&d, &spoofed, Some(t));
        let group = RecvInfo {
            groups: 1,
            ..RecvInfo::default()
        };
        e.handle_datagram(&d, &group, Some(t));
        let mut n = Vec::new();
        data(&mut n, 0, 0);
        answer(&mut n, 77, 0);
        e.handle_datagram(&n, &kernel(), Some(t));
        assert!(e.poll(t, &out, req).is_none());
        let s = e.stats();
        assert_eq!((s.spoofed, s.notifications, s.stale), (1, 2, 1));
        // On USERSOCK, a process may answer.
        let mut u = Engine::new(false);
        let (t, out) = start(&mut u, req, Kind::Request, MsgFlags::ACK);
        u.handle_datagram(&d, &spoofed, Some(t));
        assert!(matches!(u.poll(t, &out, req), Some(Output::Failed(_))));
    }

    #[test]
    fn overrun_and_unsplittable_datagrams_fail_everything_in_flight() {
        let mut e = Engine::new(true);
        let req: &dyn ToMsg = &SetMtu;
        let (a, out_a) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        let (b, out_b) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        e.handle_overrun();
        for (t, out) in [(a, &out_a), (b, &out_b)] {
            let Some(Output::Failed(err)) = e.poll(t, out, req) else {
                panic!("no overrun");
            };
            assert!(err.is_overrun());
            assert!(err
                .to_string()
                .starts_with("set mtu: receive buffer overrun"));
        }
        let (c, out_c) = start(&mut e, req, Kind::Request, MsgFlags::ACK);
        e.handle_datagram(&[20, 0, 0, 0, 2, 0], &kernel(), Some(c));
        assert!(matches!(
            e.poll(c, &out_c, req),
            Some(Output::Failed(Error::Malformed { .. }))
        ));
        assert_eq!((e.stats().overruns, e.stats().malformed), (1, 1));
    }

    fn batch(e: &mut Engine, n: usize, mode: AckMode, first_index: usize) -> (Token, Outgoing) {
        let mut out = Outgoing::new(Kind::Batch { mode, first_index });
        let flags = if mode == AckMode::Every {
            MsgFlags::ACK
        } else {
            0
        };
        for _ in 0..n {
            out.push(&SetMtu, flags).unwrap();
        }
        out.ack_last();
        (e.start(&mut out), out)
    }

    fn outcomes(e: &mut Engine, t: Token, out: &Outgoing) -> Vec<(usize, Option<i32>)> {
        let reqs = [SetMtu, SetMtu, SetMtu, SetMtu];
        let mut v = Vec::new();
        loop {
            match e.poll(t, out, &reqs[..]) {
                Some(Output::Result { index, result }) => {
                    if let Err(err) = &result {
                        assert_eq!(err.kernel().unwrap().index, Some(index));
                        assert!(err.to_string().starts_with("set mtu: "), "{err}");
                    }
                    v.push((index, result.err().and_then(|e| e.errno())))
                }
                Some(Output::BatchDone) => return v,
                o => panic!("unexpected {o:?}"),
            }
        }
    }

    #[test]
    fn batch_every_waits_for_each_answer_and_reports_in_order() {
        let mut e = Engine::new(true);
        let (t, out) = batch(&mut e, 4, AckMode::Every, 10);
        let mut d = Vec::new();
        answer(&mut d, 1, 0);
        answer(&mut d, 2, -libc::ENODEV);
        answer(&mut d, 4, 0);
        e.handle_datagram(&d, &kernel(), Some(t));
        assert!(
            e.poll(t, &out, &[SetMtu][..]).is_none(),
            "#3 not answered yet"
        );
        let mut d = Vec::new();
        answer(&mut d, 3, -libc::EEXIST);
        e.handle_datagram(&d, &kernel(), Some(t));
        assert_eq!(
            outcomes(&mut e, t, &out),
            [
                (10, None),
                (11, Some(libc::ENODEV)),
                (12, Some(libc::EEXIST)),
                (13, None)
            ]
        );
        assert!(e.poll(t, &out, &[SetMtu][..]).is_none());
    }

    #[test]
    fn batch_errors_only_ends_on_the_barrier() {
        let mut e = Engine::new(true);
        let (t, out) = batch(&mut e, 4, AckMode::ErrorsOnly, 0);
        let flags: Vec<u16> = MsgIter::new(out.bytes())
            .map(|m| m.unwrap().1.flags().0 & MsgFlags::ACK)
            .collect();
        assert_eq!(
            flags,
            [0, 0, 0, MsgFlags::ACK],
            "only the barrier asks for an ACK"
        );
        let mut d = Vec::new();
        answer(&mut d, 2, -libc::ENODEV);
        e.handle_datagram(&d, &kernel(), Some(t));
        assert!(e.poll(t, &out, &[SetMtu][..]).is_none());
        let mut d = Vec::new();
        answer(&mut d, 4, -libc::EINVAL);
        e.handle_datagram(&d, &kernel(), Some(t));
        assert_eq!(
            outcomes(&mut e, t, &out),
            [
                (0, None),
                (1, Some(libc::ENODEV)),
                (2, None),
                (3, Some(libc::EINVAL))
            ]
        );
    }

    #[test]
    fn outgoing_leaves_nothing_of_a_request_that_cannot_be_built() {
        struct TooLong;
        impl ToMsg for TooLong {
            fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
                let mut w = MsgWriter::new(buf, 19, 0, 0, 0);
                w.attr(1, &vec![0u8; 70_000])?;
                w.finish()?;
                Ok(16)
            }
            fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("too long")
            }
        }
        let mut out = Outgoing::new(Kind::Request);
        out.push(&SetMtu, 0).unwrap();
        let before = out.bytes().to_vec();
        let err = out.push(&TooLong, 0).unwrap_err();
        assert!(matches!(err, Error::Build { .. }), "{err}");
        assert!(err
            .to_string()
            .starts_with("too long: cannot build request"));
        assert_eq!(out.bytes(), &before[..]);
        assert_eq!(out.len(), 1);
    }
}
