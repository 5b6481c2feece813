//! A monitor that never loses state.
//!
//! It listens to a protocol's notification groups and keeps a view of every
//! object it has seen (keyed by the object's identity, which a [`Tracker`]
//! says). When the kernel reports an overrun (`ENOBUFS`: notifications were
//! dropped because the receive buffer was full), it dumps the full state
//! again, compares it with its view and hands out the differences as events
//! marked `resync` — changed and new objects as they are now, vanished ones as
//! synthesized delete messages — then carries on. The notifications queued at
//! the overrun are older than the ones lost and are dropped before the dump;
//! those that arrive during and after it are a complete run of newer events,
//! and rtnetlink notifications carry whole objects, so replaying them on top
//! of the dump converges: a consumer that applies every event ends with
//! exactly the kernel's state.
//!
//! Normal notifications are handed out straight from the receive buffer;
//! only the view keeps a copy of each object.

use crate::conn::{Connection, ToMsg};
use crate::error::{Error, Result};
use crate::socket::{is_overrun, Socket};
use crate::wire::{Msg, MsgIter, MsgWriter};
use std::collections::{HashMap, VecDeque};
use std::ops::Range;

/// What a notification does to the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The object exists (new or changed).
    Set,
    /// The object is gone.
    Remove,
}

/// Tells a monitor how to identify objects and how to dump them.
pub trait Tracker {
    /// The identity of the object `msg` describes (bytes that differ for
    /// different objects, equal for the same one) and what the message does
    /// to it; `None` for messages this tracker does not follow.
    fn identify(&self, msg: &Msg<&[u8]>) -> Option<(Vec<u8>, Change)>;
    /// Whether `msg` is reported at all (tracked or not): messages of other
    /// families or objects than asked for are skipped. By default, those
    /// [`Tracker::identify`] knows.
    fn wants(&self, msg: &Msg<&[u8]>) -> bool {
        self.identify(msg).is_some()
    }
    /// The dump requests whose replies make up the full state.
    fn dumps(&self) -> Vec<Box<dyn ToMsg + '_>>;
    /// The message type that deletes an object described by a message of type `new_type`.
    fn delete_type(&self, new_type: u16) -> u16;
    /// Whether two messages for the same object describe the same state
    /// (by default: the same type and payload).
    fn same(&self, a: &[u8], b: &[u8]) -> bool {
        a.get(4..6) == b.get(4..6) && a.get(16..) == b.get(16..)
    }
}

/// One event: a notification, or a difference found by a resync.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// The message (a kernel notification, a dumped object, or a synthesized delete).
    pub msg: Msg<&'a [u8]>,
    /// True if a resync after an overrun produced it.
    pub resync: bool,
}

/// A resyncing monitor. See the module docs.
pub struct Monitor<T: Tracker> {
    sock: Socket,
    conn: Connection,
    tracker: T,
    view: HashMap<Vec<u8>, Vec<u8>>,
    buf: Vec<u8>,
    ranges: VecDeque<Range<usize>>,
    resync_queue: VecDeque<Vec<u8>>,
    current: Vec<u8>,
    resyncs: u64,
}

impl<T: Tracker> std::fmt::Debug for Monitor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("objects", &self.view.len())
            .field("resyncs", &self.resyncs)
            .finish()
    }
}

/// Datagrams drained at most before a resync dump (bounds the work under an endless storm;
/// a storm that outruns it causes another overrun and another resync).
const MAX_DRAIN: usize = 1 << 20;

/// Receive buffer a monitor asks for, so that an ordinary storm causes no overrun.
pub const MONITOR_RCVBUF: usize = 32 << 20;

impl<T: Tracker> Monitor<T> {
    /// A monitor on `sock` (bound, already joined to the groups to watch),
    /// dumping through `conn` (same protocol and namespace). It asks for a
    /// large receive buffer (`rcvbuf`, forced when privileged), then takes a
    /// first snapshot into its view without reporting it.
    pub fn new(sock: Socket, conn: Connection, tracker: T, rcvbuf: usize) -> Result<Self> {
        if rcvbuf > 0 && sock.set_recv_buffer_size(rcvbuf, true).is_err() {
            let _ = sock.set_recv_buffer_size(rcvbuf, false);
        }
        let mut m = Monitor {
            sock,
            conn,
            tracker,
            view: HashMap::new(),
            buf: Vec::new(),
            ranges: VecDeque::new(),
            resync_queue: VecDeque::new(),
            current: Vec::new(),
            resyncs: 0,
        };
        m.view = m.snapshot()?;
        Ok(m)
    }

    /// The notification socket.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// How many resyncs (overruns recovered) happened.
    pub fn resyncs(&self) -> u64 {
        self.resyncs
    }

    /// The current view: one message per object.
    pub fn view(&self) -> impl Iterator<Item = Msg<&[u8]>> {
        self.view
            .values()
            .filter_map(|b| Msg::new_checked(&b[..]).ok())
    }

    /// Number of objects in the view.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    /// True if the view is empty.
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    fn snapshot(&self) -> Result<HashMap<Vec<u8>, Vec<u8>>> {
        let mut state = HashMap::new();
        for req in self.tracker.dumps() {
            let got = self
                .conn
                .dump_consistent(req.as_ref(), 5, HashMap::new, |s, m| {
                    if let Some((key, Change::Set)) = self.tracker.identify(&m) {
                        s.insert(key, m.as_bytes().to_vec());
                    }
                    Ok(())
                })?;
            state.extend(got);
        }
        Ok(state)
    }

    /// Re-dumps, queues the differences with the view, and adopts the new state.
    ///
    /// The kernel reports `ENOBUFS` *before* the notifications still queued,
    /// and those are older than the ones it dropped: replayed on top of a
    /// fresh dump they would bring back stale state. So the queue is drained
    /// (and dropped: the dump supersedes it) before dumping. What arrives
    /// after the drain is a complete run of newer events, which replays
    /// correctly on top of the dump.
    fn resync(&mut self) -> Result<()> {
        self.resyncs += 1;
        for _ in 0..MAX_DRAIN {
            match self.sock.recv_nonblocking(&mut self.buf) {
                Ok(_) => {}
                Err(e) if is_overrun(&e) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(Error::io("monitor: drain before resync", e)),
            }
        }
        let fresh = self.snapshot()?;
        for (key, old) in self.view.iter() {
            if !fresh.contains_key(key) {
                let mut gone = Vec::with_capacity(old.len());
                let m = Msg::new_checked(&old[..]).map_err(|e| Error::Malformed {
                    what: "monitor view".into(),
                    source: e,
                })?;
                let mut w =
                    MsgWriter::new(&mut gone, self.tracker.delete_type(m.msg_type()), 0, 0, 0);
                w.bytes(m.payload());
                w.finish().map_err(|e| Error::Build {
                    what: "monitor resync".into(),
                    source: e,
                })?;
                self.resync_queue.push_back(gone);
            }
        }
        for (key, now) in fresh.iter() {
            match self.view.get(key) {
                Some(old) if self.tracker.same(old, now) => {}
                _ => self.resync_queue.push_back(now.clone()),
            }
        }
        self.view = fresh;
        Ok(())
    }

    fn apply(&mut self, range: Range<usize>) -> bool {
        let Ok(m) = Msg::new_checked(&self.buf[range]) else {
            return false;
        };
        match self.tracker.identify(&m) {
            Some((key, Change::Set)) => {
                self.view.insert(key, m.as_bytes().to_vec());
                true
            }
            Some((key, Change::Remove)) => {
                self.view.remove(&key);
                true
            }
            None => false,
        }
    }

    /// The next event. Blocks until there is one (or the socket's receive
    /// timeout passes: then an I/O error of kind `WouldBlock`).
    #[allow(clippy::should_implement_trait)] // lending: events borrow the monitor
    pub fn next(&mut self) -> Result<Event<'_>> {
        loop {
            if let Some(b) = self.resync_queue.pop_front() {
                self.current = b;
                let msg = Msg::new_checked(&self.current[..]).map_err(|e| Error::Malformed {
                    what: "monitor resync".into(),
                    source: e,
                })?;
                return Ok(Event { msg, resync: true });
            }
            if let Some(r) = self.ranges.pop_front() {
                if self.apply(r.clone()) {
                    let msg = Msg::new_checked(&self.buf[r]).map_err(|e| Error::Malformed {
                        what: "monitor".into(),
                        source: e,
                    })?;
                    return Ok(Event { msg, resync: false });
                }
                continue;
            }
            match self.sock.recv(&mut self.buf) {
                Ok(info) => {
                    // Only the kernel speaks on kernel protocols: anything else is dropped.
                    if info.port_id != 0 {
                        continue;
                    }
                    for m in MsgIter::new(&self.buf) {
                        let (at, m) = m.map_err(|e| Error::Malformed {
                            what: "monitor".into(),
                            source: e,
                        })?;
                        self.ranges.push_back(at..at + m.len() as usize);
                    }
                }
                Err(e) if is_overrun(&e) => self.resync()?,
                Err(e) => return Err(Error::io("monitor: receive", e)),
            }
        }
    }
}
