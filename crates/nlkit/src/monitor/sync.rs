//! The blocking driver: a [`Socket`] for notifications, a [`Connection`] for
//! the dumps, and a loop that does what [`Core::step`] asks.

use super::core::{Core, Step};
use super::{set_rcvbuf, Event, Tracker};
use crate::conn::{Connection, ToMsg};
use crate::error::Result;
use crate::socket::Socket;
use crate::wire::Msg;

/// A resyncing monitor on blocking sockets. See the [module docs](super).
pub struct Monitor<T: Tracker> {
    sock: Socket,
    conn: Connection,
    core: Core<T>,
    buf: Vec<u8>,
}

impl<T: Tracker> std::fmt::Debug for Monitor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor").field("core", &self.core).finish()
    }
}

impl<T: Tracker> Monitor<T> {
    /// A monitor on `sock` (bound, already joined to the tracker's groups),
    /// dumping through `conn` (same protocol and namespace). It asks for a
    /// large receive buffer (`rcvbuf` bytes, forced when privileged; 0
    /// leaves it), then takes a first snapshot into its view without
    /// reporting it.
    pub fn new(sock: Socket, conn: Connection, tracker: T, rcvbuf: usize) -> Result<Self> {
        set_rcvbuf(&sock, rcvbuf);
        let mut m = Monitor {
            sock,
            conn,
            core: Core::new(tracker),
            buf: Vec::new(),
        };
        while let Step::Dump(req) = m.core.step()? {
            m.dump(req.as_ref())?;
        }
        Ok(m)
    }

    /// The notification socket.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The sans-IO core: view, counters, tracker.
    pub fn core(&self) -> &Core<T> {
        &self.core
    }

    /// How many resyncs (overruns recovered) happened.
    pub fn resyncs(&self) -> u64 {
        self.core.resyncs()
    }

    /// The current view: one message per object.
    pub fn view(&self) -> impl Iterator<Item = Msg<&[u8]>> {
        self.core.view()
    }

    /// Number of objects in the view.
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// True if the view is empty.
    pub fn is_empty(&self) -> bool {
        self.core.is_empty()
    }

    /// Whether [`Monitor::next`] has an event without receiving (a printer
    /// flushes its output when not).
    pub fn has_event(&mut self) -> Result<bool> {
        Ok(matches!(self.core.step()?, Step::Event))
    }

    fn dump(&mut self, req: &dyn ToMsg) -> Result<()> {
        let mut d = self.conn.dump(req)?;
        while let Some(m) = d.next() {
            self.core.resync_msg(m?)?;
        }
        let interrupted = d.interrupted();
        drop(d);
        self.core.end_dump(interrupted)
    }

    /// The next event. Blocks until there is one (or the socket's receive
    /// timeout passes: then an I/O error of kind `WouldBlock`).
    #[allow(clippy::should_implement_trait)] // lending: events borrow the monitor
    pub fn next(&mut self) -> Result<Event<'_>> {
        loop {
            match self.core.step()? {
                Step::Event => return self.core.poll_ready(),
                Step::Recv => {
                    let r = self.sock.recv(&mut self.buf);
                    self.core.handle_recv(r, &self.buf)?;
                }
                Step::Drain => {
                    let r = self.sock.recv_nonblocking(&mut self.buf);
                    self.core.handle_recv(r, &self.buf)?;
                }
                Step::Dump(req) => self.dump(req.as_ref())?,
            }
        }
    }
}
