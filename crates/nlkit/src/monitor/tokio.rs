//! The tokio driver (feature `tokio`): the same [`Core`], an [`AsyncSocket`]
//! for notifications and an [`AsyncConnection`] for the dumps.

use super::core::{Core, Step};
use super::{set_rcvbuf, Event, Tracker};
use crate::conn::tokio::AsyncConnection;
use crate::conn::ToMsg;
use crate::error::{Error, Result};
use crate::socket::tokio::AsyncSocket;
use crate::socket::Socket;

/// A resyncing monitor for tokio. See the [module docs](super).
pub struct AsyncMonitor<T: Tracker> {
    sock: AsyncSocket,
    conn: AsyncConnection,
    core: Core<T>,
    buf: Vec<u8>,
}

impl<T: Tracker> std::fmt::Debug for AsyncMonitor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncMonitor")
            .field("core", &self.core)
            .finish()
    }
}

impl<T: Tracker> AsyncMonitor<T> {
    /// As [`Monitor::new`](super::Monitor::new), registered with the current
    /// tokio reactor (an error, not a panic, outside a runtime).
    pub async fn new(
        sock: Socket,
        conn: AsyncConnection,
        tracker: T,
        rcvbuf: usize,
    ) -> Result<Self> {
        set_rcvbuf(&sock, rcvbuf);
        let sock = AsyncSocket::new(sock)
            .map_err(|e| Error::io("register the monitor socket with tokio", e))?;
        let mut m = AsyncMonitor {
            sock,
            conn,
            core: Core::new(tracker),
            buf: Vec::new(),
        };
        while let Step::Dump(req) = m.core.step()? {
            m.dump(req.as_ref()).await?;
        }
        Ok(m)
    }

    /// The sans-IO core: view, counters, tracker.
    pub fn core(&self) -> &Core<T> {
        &self.core
    }

    async fn dump(&mut self, req: &(dyn ToMsg + Send + Sync)) -> Result<()> {
        let core = &mut self.core;
        let interrupted = self.conn.dump(req, |m| core.resync_msg(m)).await?;
        core.end_dump(interrupted)
    }

    /// The next event; waits until there is one. Cancel-safe: dropped
    /// between awaits (a `timeout`, a `select!`), it loses nothing — a dump
    /// cut short is run again by the next call.
    pub async fn next(&mut self) -> Result<Event<'_>> {
        loop {
            match self.core.step()? {
                Step::Event => return self.core.poll_ready(),
                Step::Recv => {
                    let r = self.sock.recv(&mut self.buf).await;
                    self.core.handle_recv(r, &self.buf)?;
                }
                Step::Drain => {
                    let r = self.sock.get_ref().recv_nonblocking(&mut self.buf);
                    self.core.handle_recv(r, &self.buf)?;
                }
                Step::Dump(req) => self.dump(req.as_ref()).await?,
            }
        }
    }
}
