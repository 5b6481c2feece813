//! The request engine driven by tokio (feature `tokio`). Same [`Engine`],
//! same rules, same errors as the blocking [`Connection`](super::Connection):
//! this loop only moves bytes. One exchange at a time per `AsyncConnection`
//! (`&mut self`), so tasks that want to share one put it behind a
//! `tokio::sync::Mutex` or open one each.

use super::engine::{Batcher, Walk};
use super::sync::Attempts;
use super::{batch_limits, setup, AckMode, BatchSummary, Engine, Kind, Outgoing, Output};
use super::{Requests, Stats, ToMsg, Token, Transport};
use crate::error::{Error, Result};
use crate::socket::tokio::AsyncSocket;
use crate::socket::{Dest, RecvInfo, Socket};
use crate::wire::{Msg, MsgFlags, Protocol};
use std::future::Future;
use std::io;

/// What the tokio driver receives through: a [`Transport`] whose receive can be awaited.
pub trait AsyncTransport {
    /// The transport that sends and holds the options.
    type Blocking: Transport;
    /// It.
    fn get_ref(&self) -> &Self::Blocking;
    /// Receives one whole datagram (see [`Transport::recv`]) without blocking the thread.
    fn recv(&self, buf: &mut Vec<u8>) -> impl Future<Output = io::Result<RecvInfo>>;
}

impl AsyncTransport for AsyncSocket {
    type Blocking = Socket;
    fn get_ref(&self) -> &Socket {
        AsyncSocket::get_ref(self)
    }
    fn recv(&self, buf: &mut Vec<u8>) -> impl Future<Output = io::Result<RecvInfo>> {
        AsyncSocket::recv(self, buf)
    }
}

/// An async request/response connection.
#[derive(Debug)]
pub struct AsyncConnection<T: AsyncTransport = AsyncSocket> {
    sock: T,
    engine: Engine,
    buf: Vec<u8>,
}

impl AsyncConnection<AsyncSocket> {
    /// Opens a socket for `proto` with extended and capped ACKs (and strict
    /// checking on `NETLINK_ROUTE`), registered with the current reactor.
    pub fn new(proto: Protocol) -> Result<AsyncConnection> {
        let sock = Socket::open(proto)
            .map_err(|e| Error::io(format!("open netlink {proto} socket"), e))?;
        let sock = AsyncSocket::new(sock)
            .map_err(|e| Error::io("register netlink socket with tokio", e))?;
        AsyncConnection::with_transport(sock)
    }
}

impl<T: AsyncTransport> AsyncConnection<T> {
    /// Uses any async transport, set up as the blocking driver sets up its own.
    pub fn with_transport(sock: T) -> Result<AsyncConnection<T>> {
        Ok(AsyncConnection {
            engine: setup(sock.get_ref())?,
            sock,
            buf: Vec::new(),
        })
    }

    /// The socket.
    pub fn socket(&self) -> &T::Blocking {
        self.sock.get_ref()
    }

    /// The engine's counters.
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    fn start<R: Requests + ?Sized>(&mut self, out: &mut Outgoing, reqs: &R) -> Result<Token> {
        let token = self.engine.start(out);
        if let Err(e) = self.sock.get_ref().send_to(out.bytes(), Dest::KERNEL) {
            self.engine.release(token);
            return Err(Error::io(format!("{}: send", out.what(reqs)), e));
        }
        Ok(token)
    }

    async fn wait<R: Requests + ?Sized>(
        &mut self,
        token: Token,
        out: &Outgoing,
        reqs: &R,
    ) -> Result<Output> {
        loop {
            if let Some(o) = self.engine.poll(token, out, reqs) {
                return Ok(o);
            }
            let r = self.sock.recv(&mut self.buf).await;
            self.engine.handle_recv(r, &self.buf, token, out, reqs)?;
        }
    }

    /// Runs one request or dump to its end, handing data to `each`.
    async fn run<E: From<Error>>(
        &mut self,
        req: &dyn ToMsg,
        kind: Kind,
        each: impl FnMut(Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<(Option<String>, bool), E> {
        let mut out = Outgoing::new(kind);
        let flags = if kind == Kind::Request {
            MsgFlags::ACK
        } else {
            0
        };
        out.push(req, flags)?;
        let token = self.start(&mut out, req)?;
        let r = self.exchange(token, &out, req, each).await;
        self.engine.release(token);
        r
    }

    async fn exchange<E: From<Error>>(
        &mut self,
        token: Token,
        out: &Outgoing,
        req: &dyn ToMsg,
        mut each: impl FnMut(Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<(Option<String>, bool), E> {
        let mut walk = Walk::default();
        loop {
            let o = self.wait(token, out, req).await?;
            if let Some(end) = walk.take(o, &mut self.buf)? {
                return Ok((end.warning, end.interrupted));
            }
            while let Some(m) = walk.next(&self.buf) {
                each(m?)?;
            }
        }
    }

    /// Sends a request with `NLM_F_ACK` and waits for its answer; data replies
    /// go to `on_reply`. Returns the ACK's warning, if any.
    pub async fn request(
        &mut self,
        req: &dyn ToMsg,
        on_reply: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        self.request_with(req, on_reply).await
    }

    /// [`AsyncConnection::request`] with a callback that returns the caller's error type.
    pub async fn request_with<E: From<Error>>(
        &mut self,
        req: &dyn ToMsg,
        on_reply: impl FnMut(Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<Option<String>, E> {
        Ok(self.run(req, Kind::Request, on_reply).await?.0)
    }

    /// Runs a dump; every message goes to `each`, straight from the receive
    /// buffer. Returns whether the dump was interrupted (`NLM_F_DUMP_INTR` on
    /// a data message or on `DONE`).
    pub async fn dump(
        &mut self,
        req: &dyn ToMsg,
        each: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<bool> {
        self.dump_with(req, each).await
    }

    /// [`AsyncConnection::dump`] with a callback that returns the caller's error type.
    pub async fn dump_with<E: From<Error>>(
        &mut self,
        req: &dyn ToMsg,
        each: impl FnMut(Msg<&[u8]>) -> Result<(), E>,
    ) -> Result<bool, E> {
        Ok(self.run(req, Kind::Dump, each).await?.1)
    }

    /// Dumps and folds every message into a fresh `A`, starting over while
    /// the dump comes back interrupted, up to `attempts` times in all (see
    /// [`Connection::dump_consistent`](super::Connection::dump_consistent)).
    pub async fn dump_consistent<A>(
        &mut self,
        req: &dyn ToMsg,
        attempts: u32,
        mut init: impl FnMut() -> A,
        mut each: impl FnMut(&mut A, Msg<&[u8]>) -> Result<()>,
    ) -> Result<A> {
        let mut tries = Attempts::new(attempts);
        while tries.next() {
            let mut acc = init();
            if !self.dump(req, |m| each(&mut acc, m)).await? {
                return Ok(acc);
            }
        }
        Err(tries.exhausted(req))
    }

    /// Sends many requests as [`Connection::batch`](super::Connection::batch)
    /// does: packed `sendmsg` calls, a bounded window, `on_result` for every
    /// request in order, kernel errors reported and not fatal.
    pub async fn batch<I: ToMsg>(
        &mut self,
        items: impl IntoIterator<Item = I>,
        mode: AckMode,
        mut on_result: impl FnMut(usize, Result<()>),
    ) -> Result<BatchSummary> {
        let (window, max_bytes) = batch_limits(self.sock.get_ref());
        let mut b = Batcher::new(items.into_iter(), mode, window, max_bytes);
        while b.fill(&mut on_result) {
            let (out, chunk) = b.chunk();
            let token = self.start(out, chunk)?;
            let r = self.chunk(token, &mut b, &mut on_result).await;
            self.engine.release(token);
            r?;
        }
        Ok(b.summary())
    }

    async fn chunk<It: Iterator>(
        &mut self,
        token: Token,
        b: &mut Batcher<It>,
        on_result: &mut dyn FnMut(usize, Result<()>),
    ) -> Result<()>
    where
        It::Item: ToMsg,
    {
        loop {
            let (out, chunk) = b.chunk();
            let o = self.wait(token, out, chunk).await?;
            if b.report(o, on_result)? {
                return Ok(());
            }
        }
    }
}
