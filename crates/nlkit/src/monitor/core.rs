//! The monitor's logic without I/O: view, diff, drain-before-redump, resync.
//!
//! A driver asks [`Core::step`] what to do, does that I/O and hands the
//! result back: [`Step::Recv`] (a blocking receive, then
//! [`Core::handle_recv`]), [`Step::Drain`] (the same without blocking),
//! [`Step::Dump`] (run the dump, each message to [`Core::resync_msg`], then
//! [`Core::end_dump`]) or [`Step::Event`] ([`Core::poll_ready`] hands it out).
//! Tests feed it built bytes the same way.

use super::view::{self, View};
use super::{key_hash, observe, Change, Event, EventKind, Tracker};
use crate::conn::ToMsg;
use crate::error::{Error, Result};
use crate::socket::{is_overrun, RecvInfo};
use crate::wire::{align, Msg, MsgIter};
use std::collections::VecDeque;
use std::io;
use std::ops::Range;

/// Datagrams drained at most before a resync dump (bounds the work under an endless storm;
/// a storm that outruns it causes another overrun and another resync).
const MAX_DRAIN: usize = 1 << 20;

/// Times a resync starts over because a dump came back interrupted (`NLM_F_DUMP_INTR`).
const MAX_ATTEMPTS: u32 = 5;

/// What the driver does next.
pub enum Step {
    /// An event is ready: take it with [`Core::poll_ready`].
    Event,
    /// Receive a datagram (blocking) and give it to [`Core::handle_recv`].
    Recv,
    /// Receive without blocking (draining the queue before a resync) and give
    /// the result, `WouldBlock` included, to [`Core::handle_recv`].
    Drain,
    /// Run this dump, each message to [`Core::resync_msg`], then [`Core::end_dump`].
    Dump(Box<dyn ToMsg + Send + Sync>),
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Event => f.write_str("Event"),
            Step::Recv => f.write_str("Recv"),
            Step::Drain => f.write_str("Drain"),
            Step::Dump(req) => write!(f, "Dump({})", crate::conn::describe(req.as_ref())),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Following notifications.
    Live,
    /// After an overrun: dropping what is queued, then a resync.
    Draining { left: usize },
    /// Dumping (`quiet`: the first snapshot, whose differences are not reported).
    Resync {
        quiet: bool,
        dump: usize,
        attempt: u32,
    },
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    off: u32,
    kind: EventKind,
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Overruns recovered by a resync.
    pub resyncs: u64,
    /// Dumps started over because they came back interrupted.
    pub restarts: u64,
    /// Datagrams dropped by the drain before a resync (superseded by its dump).
    pub drained: u64,
    /// Events handed out.
    pub events: u64,
}

/// The sans-IO monitor. See the module docs.
pub struct Core<T: Tracker> {
    tracker: T,
    view: View,
    epoch: u32,
    state: State,
    /// Notifications received and not yet handled (whole messages, aligned).
    buf: Vec<u8>,
    pos: usize,
    /// A handled notification waiting to be handed out.
    ready: Option<Range<usize>>,
    pending: VecDeque<Pending>,
    out: Vec<u8>,
    key: Vec<u8>,
    stats: Stats,
}

impl<T: Tracker> std::fmt::Debug for Core<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("objects", &self.view.len())
            .field("state", &self.state)
            .field("stats", &self.stats)
            .finish()
    }
}

fn malformed(what: &str) -> impl FnOnce(crate::wire::Error) -> Error + '_ {
    move |source| Error::Malformed {
        what: what.into(),
        source,
    }
}

impl<T: Tracker> Core<T> {
    /// A core whose first steps take the initial snapshot (not reported).
    pub fn new(tracker: T) -> Self {
        Core {
            tracker,
            view: View::default(),
            epoch: 1,
            state: State::Resync {
                quiet: true,
                dump: 0,
                attempt: 0,
            },
            buf: Vec::new(),
            pos: 0,
            ready: None,
            pending: VecDeque::new(),
            out: Vec::new(),
            key: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The tracker.
    pub fn tracker(&self) -> &T {
        &self.tracker
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many resyncs (overruns recovered) happened.
    pub fn resyncs(&self) -> u64 {
        self.stats.resyncs
    }

    /// Number of objects in the view.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    /// True if the view is empty.
    pub fn is_empty(&self) -> bool {
        self.view.len() == 0
    }

    /// Bytes the view's arena holds.
    pub fn view_bytes(&self) -> usize {
        self.view.arena_bytes()
    }

    /// The current view: the last message of every object.
    pub fn view(&self) -> impl Iterator<Item = Msg<&[u8]>> {
        self.view.iter().filter_map(|(_, r)| view::msg(r.msg).ok())
    }

    /// True while a resync (or the first snapshot) is under way.
    pub fn resyncing(&self) -> bool {
        !matches!(self.state, State::Live)
    }

    /// What to do next. Handles buffered notifications (updating the view)
    /// until one is to be reported.
    pub fn step(&mut self) -> Result<Step> {
        match self.state {
            State::Draining { .. } => return Ok(Step::Drain),
            State::Resync { dump, .. } => match self.tracker.dumps().into_iter().nth(dump) {
                Some(req) => return Ok(Step::Dump(req)),
                None => self.finish_resync(),
            },
            State::Live => {}
        }
        if self.ready.is_some() || !self.pending.is_empty() {
            return Ok(Step::Event);
        }
        while self.pos < self.buf.len() {
            let at = self.pos;
            let m = Msg::new_checked(&self.buf[at..]).map_err(malformed("monitor"))?;
            let len = m.len() as usize;
            self.pos = (at + align(len)).min(self.buf.len());
            if self.notification(at..at + len)? {
                self.ready = Some(at..at + len);
                return Ok(Step::Event);
            }
        }
        self.buf.clear();
        self.pos = 0;
        if self.view.wants_compaction() {
            self.view.compact();
        }
        Ok(Step::Recv)
    }

    /// The event [`Core::step`] announced.
    pub fn poll_ready(&mut self) -> Result<Event<'_>> {
        if let Some(r) = self.ready.take() {
            self.stats.events += 1;
            let msg = Msg::new_checked(&self.buf[r]).map_err(malformed("monitor"))?;
            return Ok(Event {
                msg,
                kind: EventKind::Notified,
            });
        }
        let Some(p) = self.pending.pop_front() else {
            return Err(Error::Invalid(
                "monitor: no event is ready (Core::step says when)".into(),
            ));
        };
        self.stats.events += 1;
        let rec = self
            .view
            .get(p.off)
            .ok_or_else(|| Error::Invalid("monitor: lost a resync record".into()))?;
        let stored = view::msg(rec.msg).map_err(malformed("monitor view"))?;
        if p.kind != EventKind::Deleted {
            return Ok(Event {
                msg: stored,
                kind: p.kind,
            });
        }
        self.out.clear();
        self.tracker
            .delete(&stored, &mut self.out)
            .map_err(|e| Error::Build {
                what: "monitor: synthesized delete".into(),
                source: e,
            })?;
        let msg =
            Msg::new_checked(&self.out[..]).map_err(malformed("monitor: synthesized delete"))?;
        Ok(Event {
            msg,
            kind: EventKind::Deleted,
        })
    }

    /// The result of the receive [`Step::Recv`] or [`Step::Drain`] asked for,
    /// with the buffer it filled. Datagrams not from the kernel are dropped
    /// (only the kernel speaks on kernel protocols).
    pub fn handle_recv(&mut self, r: io::Result<RecvInfo>, dgram: &[u8]) -> Result<()> {
        match r {
            Ok(info) if info.port_id != 0 => Ok(()),
            Ok(_) => self.handle_datagram(dgram),
            Err(e) if is_overrun(&e) => {
                self.handle_overrun();
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => match self.state {
                State::Draining { .. } => {
                    self.begin_resync();
                    Ok(())
                }
                _ => Err(Error::io("monitor: receive", e)),
            },
            Err(e) => Err(Error::io("monitor: receive", e)),
        }
    }

    /// A datagram of notifications from the kernel. While draining after an
    /// overrun it is dropped (the coming dump supersedes it); otherwise its
    /// messages are queued for [`Core::step`]. A malformed message is an
    /// error; the messages before it are kept.
    pub fn handle_datagram(&mut self, dgram: &[u8]) -> Result<()> {
        if let State::Draining { left } = &mut self.state {
            self.stats.drained += 1;
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.begin_resync();
            }
            return Ok(());
        }
        if self.pos == self.buf.len() && self.ready.is_none() {
            self.buf.clear();
            self.pos = 0;
        }
        for m in MsgIter::new(dgram) {
            let (_, m) = m.map_err(malformed("monitor"))?;
            self.buf.extend_from_slice(m.as_bytes());
            self.buf.resize(align(self.buf.len()), 0);
        }
        Ok(())
    }

    /// The kernel reported an overrun (`ENOBUFS`). It reports it *before*
    /// the notifications still queued, and those are older than the ones it
    /// dropped: replayed on top of a fresh dump they would bring back stale
    /// state. So the queue is drained (and dropped: the dump supersedes it)
    /// before dumping, and so are buffered notifications not yet handled.
    /// What arrives after the drain is a complete run of newer events.
    pub fn handle_overrun(&mut self) {
        if matches!(self.state, State::Draining { .. }) {
            return; // still draining: the same resync covers it
        }
        self.stats.resyncs += 1;
        self.buf
            .truncate(self.ready.as_ref().map_or(0, |r| align(r.end)));
        self.pos = self.buf.len();
        self.state = State::Draining { left: MAX_DRAIN };
    }

    fn begin_resync(&mut self) {
        self.epoch = self.epoch.wrapping_add(1).max(1);
        self.state = State::Resync {
            quiet: false,
            dump: 0,
            attempt: 0,
        };
    }

    /// One message of the dump [`Step::Dump`] asked for: compared with the
    /// view, the difference (if any) queued as an event. Messages the tracker
    /// does not follow are skipped.
    pub fn resync_msg(&mut self, msg: Msg<&[u8]>) -> Result<()> {
        let State::Resync { quiet, .. } = self.state else {
            return Err(Error::Invalid(
                "monitor: a dumped message outside a resync".into(),
            ));
        };
        let Some((Change::Set, fp)) =
            observe(&self.tracker, &msg, &mut self.key).map_err(malformed("monitor resync"))?
        else {
            return Ok(());
        };
        let hash = key_hash(&self.key);
        let (view, epoch) = (&mut self.view, self.epoch);
        let (stored, kind) = match view.find(hash, &self.key) {
            Some(off) if view.get(off).is_some_and(|r| r.fingerprint == fp) => {
                view.set_epoch(off, epoch);
                return Ok(());
            }
            Some(off) => (
                view.replace(off, fp, epoch, msg.as_bytes()),
                EventKind::Changed,
            ),
            None => (
                view.insert(hash, &self.key, fp, epoch, msg.as_bytes()),
                EventKind::New,
            ),
        };
        let off = stored.ok_or_else(too_big)?;
        if !quiet {
            self.pending.push_back(Pending { off, kind });
        }
        Ok(())
    }

    /// The end of the dump [`Step::Dump`] asked for, and whether it came back
    /// interrupted (`NLM_F_DUMP_INTR`): then the resync starts over (its
    /// differences so far stay queued; objects seen only by the interrupted
    /// attempt are reported gone if the next one misses them).
    pub fn end_dump(&mut self, interrupted: bool) -> Result<()> {
        let State::Resync {
            quiet,
            dump,
            attempt,
        } = self.state
        else {
            return Err(Error::Invalid(
                "monitor: the end of a dump outside a resync".into(),
            ));
        };
        if !interrupted {
            self.state = State::Resync {
                quiet,
                dump: dump + 1,
                attempt,
            };
            if dump + 1 >= self.tracker.dumps().len() {
                self.finish_resync();
            }
            return Ok(());
        }
        self.stats.restarts += 1;
        self.epoch = self.epoch.wrapping_add(1).max(1);
        let attempt = attempt + 1;
        self.state = State::Resync {
            quiet,
            dump: 0,
            attempt: if attempt >= MAX_ATTEMPTS { 0 } else { attempt },
        };
        if attempt >= MAX_ATTEMPTS {
            return Err(Error::DumpInterrupted {
                what: "monitor resync".into(),
                attempts: MAX_ATTEMPTS,
            });
        }
        Ok(())
    }

    /// Every object the resync's dumps did not give is gone.
    fn finish_resync(&mut self) {
        let State::Resync { quiet, .. } = self.state else {
            return;
        };
        let pending = &mut self.pending;
        self.view.sweep(self.epoch, |off| {
            if !quiet {
                pending.push_back(Pending {
                    off,
                    kind: EventKind::Deleted,
                })
            }
        });
        self.state = State::Live;
    }

    /// Applies the notification at `range` of the buffer; whether it is reported.
    fn notification(&mut self, range: Range<usize>) -> Result<bool> {
        let msg = Msg::new_checked(&self.buf[range]).map_err(malformed("monitor"))?;
        let observed = observe(&self.tracker, &msg, &mut self.key).map_err(malformed("monitor"))?;
        let Some((change, fp)) = observed else {
            return Ok(self.tracker.wants(&msg));
        };
        let hash = key_hash(&self.key);
        let found = self.view.find(hash, &self.key);
        match (change, found) {
            (Change::Set, Some(off)) => {
                self.view
                    .replace(off, fp, self.epoch, msg.as_bytes())
                    .ok_or_else(too_big)?;
            }
            (Change::Set, None) => {
                self.view
                    .insert(hash, &self.key, fp, self.epoch, msg.as_bytes())
                    .ok_or_else(too_big)?;
            }
            (Change::Remove, Some(off)) => self.view.remove(off),
            (Change::Remove, None) => {}
        }
        Ok(true)
    }
}

fn too_big() -> Error {
    Error::Invalid("monitor: the view outgrew 16 GiB (or a message is not whole)".into())
}
