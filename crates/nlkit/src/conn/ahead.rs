//! Read-ahead for the blocking driver's dumps: a thread that receives a
//! long dump's next datagrams while its consumer parses the last ones, so
//! that the kernel's dump work (done inside `recvmsg`) runs beside the
//! consumer's instead of between its steps.
//!
//! The thread only moves bytes: it receives into a small pool of buffers
//! ([`POOL`] of them, so memory stays flat) and queues each datagram, or the
//! receive's error, in order. It knows no protocol rule: after each datagram
//! it asks the engine's [`DumpProbe`] whether the dump may have ended there,
//! and stops if so (past a dump's end the kernel sends it nothing, so another
//! receive could block forever), on any receive error, and when told to stop.
//! Whichever thread reads the connection next takes the queued datagrams
//! ([`Ahead::take`]) and feeds them to the engine as it would a datagram it
//! received itself. While the thread runs nothing else receives from the
//! socket.
//!
//! Its receives always return: it receives only while the kernel's dump is
//! running, and the kernel queues the next part of a dump (or its end, or an
//! error) before the `recvmsg` that made room for it returns.

use super::engine::DumpProbe;
use super::Receiver;
use crate::socket::RecvInfo;
use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Buffers a read-ahead thread receives into (each grows to a dump
/// datagram, 32 KiB): how far it may run ahead of its consumer.
pub(crate) const POOL: usize = 4;

/// The datagrams a read-ahead thread received, shared with the readers of
/// its connection.
#[derive(Debug)]
pub(crate) struct Ahead {
    state: Mutex<State>,
    cond: Condvar,
}

#[derive(Debug)]
struct State {
    /// Buffers the thread may receive into.
    free: Vec<Vec<u8>>,
    /// What it received, in order.
    filled: VecDeque<(Vec<u8>, io::Result<RecvInfo>)>,
    /// The consumer asked it to stop.
    stop: bool,
    /// It receives nothing more (what it received may still be queued).
    ended: bool,
}

impl Ahead {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next datagram the thread received, in `buf` (buffers are
    /// swapped, and `buf`'s old one goes back to the pool); waits for one
    /// while the thread runs. `None` once it has ended and everything it
    /// received was taken.
    pub(crate) fn take(&self, buf: &mut Vec<u8>) -> Option<io::Result<RecvInfo>> {
        let mut st = self.lock();
        loop {
            if let Some((b, r)) = st.filled.pop_front() {
                let old = std::mem::replace(buf, b);
                if !st.ended {
                    st.free.push(old);
                    self.cond.notify_all();
                }
                return Some(r);
            }
            if st.ended {
                return None;
            }
            st = self.cond.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A running read-ahead thread: stopped and joined when dropped.
#[derive(Debug)]
pub(crate) struct Helper {
    shared: Arc<Ahead>,
    thread: Option<JoinHandle<()>>,
}

/// Marks the thread ended however it leaves its loop (a panic too), so
/// that no reader waits for it forever.
struct EndOnDrop<'a>(&'a Ahead);

impl Drop for EndOnDrop<'_> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.ended = true;
        st.free.clear();
        self.0.cond.notify_all();
    }
}

impl Helper {
    /// Starts a thread that receives with `recv` until `probe` says a
    /// datagram may end the dump. `None` if no thread can be started (the
    /// consumer then receives in line).
    pub(crate) fn spawn(mut recv: Receiver, probe: DumpProbe) -> Option<Helper> {
        let shared = Arc::new(Ahead {
            state: Mutex::new(State {
                free: (0..POOL).map(|_| Vec::new()).collect(),
                filled: VecDeque::with_capacity(POOL),
                stop: false,
                ended: false,
            }),
            cond: Condvar::new(),
        });
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("nlkit-read-ahead".into())
            .spawn(move || {
                let a = &*theirs;
                let _end = EndOnDrop(a);
                loop {
                    let mut b = {
                        let mut st = a.lock();
                        loop {
                            if st.stop {
                                return;
                            }
                            if let Some(b) = st.free.pop() {
                                break b;
                            }
                            st = a.cond.wait(st).unwrap_or_else(|p| p.into_inner());
                        }
                    };
                    let r = recv(&mut b);
                    let more = r.is_ok() && !probe.may_end(&b);
                    let mut st = a.lock();
                    st.filled.push_back((b, r));
                    a.cond.notify_all();
                    if !more {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Helper {
            shared,
            thread: Some(thread),
        })
    }

    /// What the thread received, for the connection's readers.
    pub(crate) fn shared(&self) -> Arc<Ahead> {
        self.shared.clone()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.cond.notify_all();
        if let Some(t) = self.thread.take() {
            // The thread only waits for a buffer (woken above) or in a
            // receive, which returns (see the module docs).
            let _ = t.join();
        }
    }
}
