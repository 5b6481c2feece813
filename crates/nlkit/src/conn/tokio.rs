//! The request engine driven by tokio (feature `tokio`). Same [`Engine`],
//! same errors as the blocking [`Connection`](super::Connection); one
//! request at a time per `AsyncConnection` (`&mut self`), so tasks that want
//! to share one put it behind a `tokio::sync::Mutex` or open one each.

use super::{describe, kernel_error, Engine, Event, Route, Stats, ToMsg};
use crate::error::{Error, Result};
use crate::socket::tokio::AsyncSocket;
use crate::socket::{is_overrun, Dest, Socket};
use crate::wire::{Msg, MsgFlags, MsgIter, Protocol};

/// An async request/response connection.
#[derive(Debug)]
pub struct AsyncConnection {
    sock: AsyncSocket,
    engine: Engine,
    buf: Vec<u8>,
    out: Vec<u8>,
}

enum Step {
    Continue,
    Finished(Option<String>),
}

impl AsyncConnection {
    /// Opens a socket for `proto` with extended and capped ACKs (and strict
    /// checking on `NETLINK_ROUTE`), registered with the current reactor.
    pub fn new(proto: Protocol) -> Result<AsyncConnection> {
        let sock = Socket::open(proto)
            .map_err(|e| Error::io(format!("open netlink {proto} socket"), e))?;
        let _ = sock.set_ext_ack(true);
        let _ = sock.set_cap_ack(true);
        if proto == Protocol::ROUTE {
            sock.set_strict_check(true)
                .map_err(|e| Error::io("enable NETLINK_GET_STRICT_CHK", e))?;
        }
        let kernel = proto != Protocol::USERSOCK;
        Ok(AsyncConnection {
            sock: AsyncSocket::new(sock)
                .map_err(|e| Error::io("register netlink socket with tokio", e))?,
            engine: Engine::new(kernel),
            buf: Vec::new(),
            out: Vec::new(),
        })
    }

    /// The socket.
    pub fn socket(&self) -> &Socket {
        self.sock.get_ref()
    }

    /// The engine's counters.
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    async fn run(
        &mut self,
        req: &dyn ToMsg,
        flags: u16,
        on_reply: &mut dyn FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        let seq = self.engine.next_seq();
        self.out.clear();
        let attrs_at = req.write(&mut self.out).map_err(|e| Error::Build {
            what: describe(req),
            source: e,
        })?;
        {
            let mut m = Msg::new_checked(&mut self.out[..]).map_err(|e| Error::Build {
                what: describe(req),
                source: e,
            })?;
            m.set_seq(seq);
            m.set_flags(MsgFlags(m.flags().0 | MsgFlags::REQUEST | flags));
        }
        self.sock
            .send_to(&self.out, Dest::KERNEL)
            .await
            .map_err(|e| Error::io(format!("{}: send", describe(req)), e))?;
        loop {
            let info = match self.sock.recv(&mut self.buf).await {
                Ok(i) => i,
                Err(e) if is_overrun(&e) => {
                    self.engine.note_overrun();
                    return Err(Error::Overrun {
                        what: describe(req),
                    });
                }
                Err(e) => return Err(Error::io(format!("{}: receive", describe(req)), e)),
            };
            for m in MsgIter::new(&self.buf) {
                let (_, m) = m.map_err(|e| Error::Malformed {
                    what: describe(req),
                    source: e,
                })?;
                match self.engine.route(m.seq(), info.port_id, info.groups) {
                    Route::Reply(s) if s == seq => {}
                    Route::Reply(_) => {
                        self.engine.note_stale();
                        continue;
                    }
                    _ => continue,
                }
                let step = match Engine::decode(m) {
                    Event::Reply { msg, .. } => {
                        on_reply(msg)?;
                        Step::Continue
                    }
                    Event::Ack { ext_ack, .. } => {
                        Step::Finished(ext_ack.message().map(|m| m.into_owned()))
                    }
                    Event::Error { err, .. } => {
                        return Err(kernel_error(
                            err.code,
                            &err.ext_ack,
                            Some((&self.out, attrs_at, req)),
                            None,
                        ))
                    }
                    Event::Done { done, .. } if done.code != 0 => {
                        return Err(kernel_error(
                            done.code,
                            &done.ext_ack,
                            Some((&self.out, attrs_at, req)),
                            None,
                        ))
                    }
                    Event::Done { .. } => Step::Finished(None),
                    Event::Malformed(e) => {
                        return Err(Error::Malformed {
                            what: describe(req),
                            source: e,
                        })
                    }
                    _ => Step::Continue,
                };
                if let Step::Finished(w) = step {
                    return Ok(w);
                }
            }
        }
    }

    /// Sends a request with `NLM_F_ACK` and waits for its answer; data replies
    /// go to `on_reply`. Returns the ACK's warning, if any.
    pub async fn request(
        &mut self,
        req: &dyn ToMsg,
        mut on_reply: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        self.run(req, MsgFlags::ACK, &mut on_reply).await
    }

    /// Runs a dump; every message goes to `each`, straight from the receive
    /// buffer. Returns whether the dump was interrupted (`NLM_F_DUMP_INTR`).
    pub async fn dump(
        &mut self,
        req: &dyn ToMsg,
        mut each: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<bool> {
        let mut interrupted = false;
        self.run(req, 0, &mut |m| {
            interrupted |= m.flags().contains(MsgFlags::DUMP_INTR);
            each(m)
        })
        .await?;
        Ok(interrupted)
    }
}
