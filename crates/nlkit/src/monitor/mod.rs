//! A monitor that never loses state.
//!
//! It listens to a protocol's notification groups and keeps a view of every
//! object it has seen (keyed by the object's identity, which a [`Tracker`]
//! says). When the kernel reports an overrun (`ENOBUFS`: notifications were
//! dropped because the receive buffer was full), it dumps the full state
//! again, compares it with its view and hands out the differences as events
//! marked as coming from a resync — new and changed objects as they are now,
//! vanished ones as synthesized delete messages — then carries on. The
//! notifications queued at the overrun are older than the ones lost and are
//! dropped before the dump; those that arrive during and after it are a
//! complete run of newer events, and the followed families' notifications
//! carry whole objects, so replaying them on top of the dump converges: a
//! consumer that applies every event ends with exactly the kernel's state.
//!
//! The logic lives once, without I/O, in [`Core`]: datagrams, overruns and
//! dumped messages in, [`Event`]s and [`Step`]s (what I/O to do next) out.
//! [`Monitor`] drives it with a blocking socket and [`Connection`], and
//! `AsyncMonitor` (feature `tokio`) with tokio; both only move bytes.
//!
//! Normal notifications are handed out straight from the received datagram;
//! only the view keeps a copy of each object, packed in one arena (see
//! `view`): about the message plus 25 bytes per object. Whether an object
//! changed is decided by a 64-bit fingerprint of its state, in which the
//! tracker leaves out attributes that change by themselves (counters, cache
//! timers).
//!
//! Nothing here panics on bad input: malformed messages are errors, and no
//! message is dropped silently (skipped ones are those the tracker does not
//! follow and does not want).
//!
//! [`Connection`]: crate::Connection

mod core;
mod sync;
#[cfg(feature = "tokio")]
mod tokio;
mod view;

pub use self::core::{Core, Stats, Step};
pub use self::sync::Monitor;
#[cfg(feature = "tokio")]
pub use self::tokio::AsyncMonitor;

use crate::conn::ToMsg;
use crate::wire::{self, Msg, MsgWriter};
use std::hash::{DefaultHasher, Hasher};

/// What a notification does to the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The object exists (new or changed).
    Set,
    /// The object is gone.
    Remove,
}

/// What a family supplies to a monitor: groups, dumps, identities, deletes
/// and state equality. Everything else (view, diff, resync) is generic.
pub trait Tracker {
    /// The multicast groups to join.
    fn groups(&self) -> Vec<u32>;

    /// The dump requests whose replies make up the full state.
    fn dumps(&self) -> Vec<Box<dyn ToMsg + Send + Sync>>;

    /// Appends to `key` (empty on entry) the identity of the object `msg`
    /// describes — bytes equal for the same object, different for different
    /// ones — and says what the message does to it; `Ok(None)` for messages
    /// this tracker does not follow, an error for a malformed one.
    fn identify(&self, msg: &Msg<&[u8]>, key: &mut Vec<u8>) -> wire::Result<Option<Change>>;

    /// Whether a message [`Tracker::identify`] does not follow is reported
    /// anyway (passed through, the view untouched). By default, no.
    fn wants(&self, msg: &Msg<&[u8]>) -> bool {
        let _ = msg;
        false
    }

    /// Feeds the object's state to `h`: two messages for the same object
    /// describe the same state if they feed the same bytes. By default the
    /// type and the whole payload; trackers leave out volatile attributes.
    fn state(&self, msg: &Msg<&[u8]>, h: &mut dyn Hasher) {
        h.write_u16(msg.msg_type());
        h.write(msg.payload());
    }

    /// [`Tracker::identify`] and, for a [`Change::Set`], [`Tracker::state`]
    /// into `h`, in one go: the monitor calls this. A tracker that decodes
    /// the message for both overrides it to decode once.
    fn identify_state(
        &self,
        msg: &Msg<&[u8]>,
        key: &mut Vec<u8>,
        h: &mut dyn Hasher,
    ) -> wire::Result<Option<Change>> {
        let change = self.identify(msg, key)?;
        if change == Some(Change::Set) {
            self.state(msg, h);
        }
        Ok(change)
    }

    /// The message type that deletes an object described by a message of type `new_type`.
    fn delete_type(&self, new_type: u16) -> u16;

    /// Writes to `out` (empty on entry) the message that reports the object
    /// last seen as `last` gone. By default: `last`'s payload under
    /// [`Tracker::delete_type`].
    fn delete(&self, last: &Msg<&[u8]>, out: &mut Vec<u8>) -> wire::Result<()> {
        let mut w = MsgWriter::new(out, self.delete_type(last.msg_type()), 0, 0, 0);
        w.bytes(last.payload());
        w.finish().map(|_| ())
    }
}

/// The 64-bit fingerprint of a message's state, as `tracker` sees it.
pub fn fingerprint<T: Tracker + ?Sized>(tracker: &T, msg: &Msg<&[u8]>) -> u64 {
    let mut bytes = Vec::new();
    let mut h = Collect(&mut bytes);
    tracker.state(msg, &mut h);
    h.finish()
}

/// Whether `a` and `b` describe the same state of an object, as `tracker` sees it.
pub fn same<T: Tracker + ?Sized>(tracker: &T, a: &Msg<&[u8]>, b: &Msg<&[u8]>) -> bool {
    fingerprint(tracker, a) == fingerprint(tracker, b)
}

/// A [`Hasher`] that collects what it is fed and hashes it in one pass at
/// the end: trackers feed a state in many small writes, and SipHash is
/// much faster over one run of bytes than over many short ones.
struct Collect<'a>(&'a mut Vec<u8>);

impl Hasher for Collect<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        key_hash(self.0)
    }
}

/// Identity and state fingerprint of `msg`: the key in `key`, the
/// fingerprint (of a [`Change::Set`]) returned beside the change. `state`
/// is scratch space.
pub(crate) fn observe<T: Tracker + ?Sized>(
    tracker: &T,
    msg: &Msg<&[u8]>,
    key: &mut Vec<u8>,
    state: &mut Vec<u8>,
) -> wire::Result<Option<(Change, u64)>> {
    key.clear();
    state.clear();
    let mut h = Collect(state);
    let change = tracker.identify_state(msg, key, &mut h)?;
    Ok(change.map(|c| (c, h.finish())))
}

/// The hash of an identity (key), as the view indexes it.
pub(crate) fn key_hash(key: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(key);
    h.finish()
}

/// Where an event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A kernel notification, as received.
    Notified,
    /// A resync found an object the view did not have (the dumped message).
    New,
    /// A resync found an object in another state (the dumped message).
    Changed,
    /// A resync found an object gone (a synthesized delete message).
    Deleted,
}

/// One event: a notification, or a difference found by a resync.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// The message (a kernel notification, a dumped object, or a synthesized delete).
    pub msg: Msg<&'a [u8]>,
    /// Where it comes from.
    pub kind: EventKind,
}

impl Event<'_> {
    /// True if a resync after an overrun produced it.
    pub fn is_resync(&self) -> bool {
        self.kind != EventKind::Notified
    }
}

/// Receive buffer a monitor asks for, so that an ordinary storm causes no overrun.
pub const MONITOR_RCVBUF: usize = 32 << 20;

/// Asks for `bytes` of receive buffer (forced when privileged); 0 leaves it.
fn set_rcvbuf(sock: &crate::socket::Socket, bytes: usize) {
    if bytes > 0 && sock.set_recv_buffer_size(bytes, true).is_err() {
        let _ = sock.set_recv_buffer_size(bytes, false);
    }
}
