//! The monitor's logic without I/O: view, diff, drain-before-redump, resync.
//!
//! A driver asks [`Core::step`] what to do, does that I/O and hands the
//! result back: [`Step::Recv`] (a blocking receive, then
//! [`Core::handle_recv`]), [`Step::Drain`] (the same without blocking),
//! [`Step::Dump`] (run the dump, each message to [`Core::resync_msg`], then
//! [`Core::end_dump`]) or [`Step::Event`] ([`Core::poll_ready`] hands it out).
//! Tests feed it built bytes the same way.

use super::view::{self, Record, View};
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
    state_bytes: Vec<u8>,
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
            state_bytes: Vec::new(),
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
            observe(&self.tracker, &msg, &mut self.key, &mut self.state_bytes)
                .map_err(malformed("monitor resync"))?
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
                view.insert(Record::new(hash, &self.key, fp, epoch, msg.bytes_ref())),
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
        let observed = observe(&self.tracker, &msg, &mut self.key, &mut self.state_bytes)
            .map_err(malformed("monitor"))?;
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
                    .insert(Record::new(
                        hash,
                        &self.key,
                        fp,
                        self.epoch,
                        msg.bytes_ref(),
                    ))
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

#[cfg(test)]
mod tests {
    //! The core against built bytes, with a toy family: type 16 sets object
    //! `id`, type 17 removes it, payload `[id u32][state u32][counter u32]`
    //! (the counter is volatile); type 99 is reported but not followed.
    use super::*;
    use crate::conn::RawRequest;
    use crate::wire::{Error as WireError, MsgWriter};
    use std::collections::BTreeMap;
    use std::hash::Hasher;

    const NEW: u16 = 16;
    const DEL: u16 = 17;
    const OTHER: u16 = 99;

    struct Toy {
        dumps: usize,
    }

    fn word(p: &[u8], i: usize) -> Result<u32, WireError> {
        p.get(i * 4..i * 4 + 4)
            .map(|b| u32::from_ne_bytes(b.try_into().unwrap_or([0; 4])))
            .ok_or(WireError::Truncated {
                at: 16 + i * 4,
                need: 4,
                have: p.len().saturating_sub(i * 4),
            })
    }

    impl Tracker for Toy {
        fn groups(&self) -> Vec<u32> {
            vec![1]
        }
        fn dumps(&self) -> Vec<Box<dyn ToMsg + Send + Sync>> {
            (0..self.dumps)
                .map(|_| {
                    Box::new(RawRequest {
                        msg_type: NEW + 2,
                        flags: 0x300,
                        payload: &[],
                        fixed_len: 0,
                        what: "dump toys",
                    }) as Box<dyn ToMsg + Send + Sync>
                })
                .collect()
        }
        fn identify(
            &self,
            msg: &Msg<&[u8]>,
            key: &mut Vec<u8>,
        ) -> crate::wire::Result<Option<Change>> {
            let change = match msg.msg_type() {
                NEW => Change::Set,
                DEL => Change::Remove,
                _ => return Ok(None),
            };
            key.extend_from_slice(&word(msg.payload(), 0)?.to_ne_bytes());
            Ok(Some(change))
        }
        fn wants(&self, msg: &Msg<&[u8]>) -> bool {
            msg.msg_type() == OTHER
        }
        fn state(&self, msg: &Msg<&[u8]>, h: &mut dyn Hasher) {
            h.write(msg.payload().get(..8).unwrap_or(msg.payload()));
        }
        fn delete_type(&self, _new_type: u16) -> u16 {
            DEL
        }
    }

    fn msg(ty: u16, id: u32, state: u32, counter: u32) -> Vec<u8> {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ty, 0, 0, 0);
        w.bytes(&id.to_ne_bytes())
            .bytes(&state.to_ne_bytes())
            .bytes(&counter.to_ne_bytes());
        w.finish().unwrap();
        b
    }

    fn datagram(msgs: &[Vec<u8>]) -> Vec<u8> {
        msgs.concat()
    }

    /// (type, id, state) of a message.
    fn fields(m: &Msg<&[u8]>) -> (u16, u32, u32) {
        let p = m.payload();
        (m.msg_type(), word(p, 0).unwrap(), word(p, 1).unwrap_or(0))
    }

    /// Runs every dump of the core's current resync with `objects` as the kernel's state.
    fn dump(core: &mut Core<Toy>, objects: &[(u32, u32, u32)]) {
        while let Step::Dump(_) = core.step().unwrap() {
            for &(id, state, counter) in objects {
                core.resync_msg(Msg::new_checked(&msg(NEW, id, state, counter)[..]).unwrap())
                    .unwrap();
            }
            core.end_dump(false).unwrap();
        }
    }

    /// Every event ready now, as (kind, type, id, state).
    fn events(core: &mut Core<Toy>) -> Vec<(EventKind, u16, u32, u32)> {
        let mut out = Vec::new();
        while let Step::Event = core.step().unwrap() {
            let ev = core.poll_ready().unwrap();
            let (ty, id, state) = fields(&ev.msg);
            out.push((ev.kind, ty, id, state));
        }
        out
    }

    fn view(core: &Core<Toy>) -> BTreeMap<u32, u32> {
        core.view()
            .map(|m| {
                let (_, id, state) = fields(&m);
                (id, state)
            })
            .collect()
    }

    fn started(objects: &[(u32, u32, u32)]) -> Core<Toy> {
        let mut core = Core::new(Toy { dumps: 1 });
        dump(&mut core, objects);
        core
    }

    fn would_block() -> io::Result<RecvInfo> {
        Err(io::Error::from(io::ErrorKind::WouldBlock))
    }

    fn from(port_id: u32) -> io::Result<RecvInfo> {
        Ok(RecvInfo {
            len: 0,
            port_id,
            groups: 1,
            group: Some(1),
            nsid: None,
            creds: None,
        })
    }

    #[test]
    fn the_first_snapshot_is_silent() {
        let mut core = started(&[(1, 10, 0), (2, 20, 0)]);
        assert!(!core.resyncing());
        assert_eq!(view(&core), BTreeMap::from([(1, 10), (2, 20)]));
        assert!(matches!(core.step().unwrap(), Step::Recv));
        assert_eq!(events(&mut core), vec![]);
    }

    #[test]
    fn notifications_set_and_remove_and_pass_through() {
        let mut core = started(&[(1, 10, 0)]);
        let d = datagram(&[msg(NEW, 2, 20, 0), msg(NEW, 1, 11, 0), msg(DEL, 1, 11, 0)]);
        core.handle_recv(from(0), &d).unwrap();
        assert_eq!(
            events(&mut core),
            vec![
                (EventKind::Notified, NEW, 2, 20),
                (EventKind::Notified, NEW, 1, 11),
                (EventKind::Notified, DEL, 1, 11),
            ]
        );
        assert_eq!(view(&core), BTreeMap::from([(2, 20)]));
        // Not followed: reported if wanted (the view untouched), else skipped.
        let d = datagram(&[msg(OTHER, 7, 0, 0), msg(50, 8, 0, 0), msg(DEL, 9, 0, 0)]);
        core.handle_recv(from(0), &d).unwrap();
        assert_eq!(
            events(&mut core),
            vec![
                (EventKind::Notified, OTHER, 7, 0),
                (EventKind::Notified, DEL, 9, 0), // a delete of an unknown object is still news
            ]
        );
        assert_eq!(view(&core), BTreeMap::from([(2, 20)]));
        // Only the kernel speaks: a datagram from another port is dropped.
        core.handle_recv(from(1234), &msg(NEW, 3, 30, 0)).unwrap();
        assert_eq!(events(&mut core), vec![]);
        assert_eq!(core.stats().events, 5);
    }

    #[test]
    fn overrun_drains_then_resync_reports_the_differences() {
        let mut core = started(&[(1, 10, 0), (2, 20, 0), (3, 30, 0)]);
        core.handle_recv(Err(io::Error::from_raw_os_error(libc::ENOBUFS)), &[])
            .unwrap();
        assert!(matches!(core.step().unwrap(), Step::Drain));
        // Queued before the overrun, so older than what was lost: dropped, never replayed.
        core.handle_recv(from(0), &msg(NEW, 4, 40, 0)).unwrap();
        core.handle_recv(Err(io::Error::from_raw_os_error(libc::ENOBUFS)), &[])
            .unwrap(); // more of the same overrun
        core.handle_recv(from(0), &msg(DEL, 1, 10, 0)).unwrap();
        assert!(matches!(core.step().unwrap(), Step::Drain));
        core.handle_recv(would_block(), &[]).unwrap();
        assert!(core.resyncing());
        // The kernel now: 1 as it was (its counter moved: volatile), 2 changed, 3 gone, 5 new.
        dump(&mut core, &[(1, 10, 99), (2, 21, 0), (5, 50, 0)]);
        assert_eq!(
            events(&mut core),
            vec![
                (EventKind::Changed, NEW, 2, 21),
                (EventKind::New, NEW, 5, 50),
                (EventKind::Deleted, DEL, 3, 30), // synthesized from the last message
            ]
        );
        assert_eq!(view(&core), BTreeMap::from([(1, 10), (2, 21), (5, 50)]));
        let s = core.stats();
        assert_eq!((s.resyncs, s.drained), (1, 2));
        // Notifications after the drain replay on top.
        core.handle_recv(from(0), &msg(DEL, 5, 50, 0)).unwrap();
        assert_eq!(events(&mut core), vec![(EventKind::Notified, DEL, 5, 50)]);
        assert_eq!(view(&core), BTreeMap::from([(1, 10), (2, 21)]));
    }

    #[test]
    fn volatile_attributes_are_not_changes() {
        let mut core = started(&[(1, 10, 0)]);
        core.handle_overrun();
        core.handle_recv(would_block(), &[]).unwrap();
        dump(&mut core, &[(1, 10, 12345)]);
        assert_eq!(events(&mut core), vec![]);
    }

    #[test]
    fn a_handled_notification_survives_an_overrun() {
        let mut core = started(&[]);
        let d = datagram(&[msg(NEW, 1, 10, 0), msg(NEW, 2, 20, 0)]);
        core.handle_datagram(&d).unwrap();
        assert!(matches!(core.step().unwrap(), Step::Event)); // 1 is in the view now
        core.handle_overrun(); // 2 was not handled yet: dropped with the queue
        let ev = core.poll_ready().unwrap();
        assert_eq!(fields(&ev.msg), (NEW, 1, 10));
        assert!(matches!(core.step().unwrap(), Step::Drain));
        core.handle_recv(would_block(), &[]).unwrap();
        dump(&mut core, &[(1, 10, 0), (2, 20, 0)]);
        assert_eq!(events(&mut core), vec![(EventKind::New, NEW, 2, 20)]);
    }

    #[test]
    fn an_interrupted_dump_starts_the_resync_over() {
        let mut core = Core::new(Toy { dumps: 2 });
        dump(&mut core, &[(1, 10, 0), (2, 20, 0)]);
        core.handle_overrun();
        core.handle_recv(would_block(), &[]).unwrap();
        // First attempt: sees 6, then the second dump comes back interrupted.
        let Step::Dump(_) = core.step().unwrap() else {
            panic!("no dump")
        };
        for m in [msg(NEW, 1, 10, 0), msg(NEW, 6, 60, 0)] {
            core.resync_msg(Msg::new_checked(&m[..]).unwrap()).unwrap();
        }
        core.end_dump(true).unwrap();
        // The second attempt does not see 6: reported new, then gone.
        dump(&mut core, &[(1, 10, 0), (2, 20, 0)]);
        assert_eq!(core.stats().restarts, 1);
        assert_eq!(
            events(&mut core),
            vec![
                (EventKind::New, NEW, 6, 60),
                (EventKind::Deleted, DEL, 6, 60)
            ]
        );
        assert_eq!(view(&core), BTreeMap::from([(1, 10), (2, 20)]));
    }

    #[test]
    fn endlessly_interrupted_dumps_are_an_error() {
        let mut core = started(&[]);
        core.handle_overrun();
        core.handle_recv(would_block(), &[]).unwrap();
        let mut last = Ok(());
        for _ in 0..MAX_ATTEMPTS {
            assert!(matches!(core.step().unwrap(), Step::Dump(_)));
            last = core.end_dump(true);
        }
        assert!(
            matches!(last, Err(Error::DumpInterrupted { .. })),
            "{last:?}"
        );
        // Still resyncing: the next call tries again.
        assert!(matches!(core.step().unwrap(), Step::Dump(_)));
    }

    #[test]
    fn malformed_input_is_an_error_and_loses_nothing_before_it() {
        let mut core = started(&[]);
        let mut d = msg(NEW, 1, 10, 0);
        d.extend_from_slice(&[0xff; 7]); // a truncated header after a good message
        assert!(matches!(
            core.handle_recv(from(0), &d),
            Err(Error::Malformed { .. })
        ));
        assert_eq!(events(&mut core), vec![(EventKind::Notified, NEW, 1, 10)]);
        // A message the tracker cannot identify: an error, not a silent skip.
        let mut short = Vec::new();
        MsgWriter::new(&mut short, NEW, 0, 0, 0).finish().unwrap();
        core.handle_recv(from(0), &short).unwrap();
        assert!(matches!(core.step(), Err(Error::Malformed { .. })));
        assert!(matches!(core.step().unwrap(), Step::Recv));
        // Asking for an event when none is ready, or feeding a dump outside a resync: errors.
        assert!(core.poll_ready().is_err());
        assert!(core
            .resync_msg(Msg::new_checked(&msg(NEW, 1, 1, 0)[..]).unwrap())
            .is_err());
        assert!(core.end_dump(false).is_err());
        // Receive errors other than overruns are reported.
        let e = core.handle_recv(Err(io::Error::from_raw_os_error(libc::EBADF)), &[]);
        assert!(matches!(e, Err(Error::Io { .. })));
        assert!(matches!(
            core.handle_recv(would_block(), &[]),
            Err(Error::Io { .. })
        ));
    }

    /// Random notifications, overruns at random points and random kernel
    /// changes while the queue is lost: a consumer that applies every event
    /// always ends with the kernel's state, and so does the view.
    #[test]
    fn a_consumer_of_every_event_converges() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut kinds = BTreeMap::new();
        for _round in 0..50 {
            let mut kernel: BTreeMap<u32, u32> = BTreeMap::new();
            let mut core = started(&[]);
            let mut consumer: BTreeMap<u32, u32> = BTreeMap::new();
            for _ in 0..200 {
                let id = rand(40) as u32;
                let (ty, state) = if rand(3) == 0 {
                    kernel.remove(&id);
                    (DEL, 0)
                } else {
                    let s = rand(5) as u32;
                    kernel.insert(id, s);
                    (NEW, s)
                };
                if rand(10) == 0 {
                    // This one is lost with the queue: overrun, drain, dump.
                    core.handle_overrun();
                    core.handle_recv(from(0), &msg(ty, id, state, 0)).unwrap();
                    core.handle_recv(would_block(), &[]).unwrap();
                    let now: Vec<_> = kernel
                        .iter()
                        .map(|(&i, &s)| (i, s, rand(9) as u32))
                        .collect();
                    dump(&mut core, &now);
                } else {
                    core.handle_recv(from(0), &msg(ty, id, state, rand(9) as u32))
                        .unwrap();
                }
                for (kind, ty, id, state) in events(&mut core) {
                    *kinds.entry(format!("{kind:?}")).or_insert(0) += 1;
                    match ty {
                        NEW => consumer.insert(id, state),
                        _ => consumer.remove(&id),
                    };
                }
            }
            assert_eq!(consumer, kernel);
            assert_eq!(view(&core), kernel);
            // Deletes and replacements left garbage; compaction keeps the view.
            core.view.compact();
            assert_eq!(view(&core), kernel);
        }
        // Every kind of event happened (the test proves something).
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }
}
