//! What the queue and log subsystems share: a fixed receive buffer cut into
//! slots, filled with up to one datagram each by one system call
//! (`recvmmsg`) and walked message by message without copying, and
//! configuration requests answered by an ACK on the same socket while
//! packets may arrive.

use crate::conn::{kernel_error, ToMsg};
use crate::error::{Error, Result};
use crate::socket::{is_overrun, Socket};
use crate::wire::{self, Control, Msg, MsgFlags, MsgIter};
use std::collections::VecDeque;
use std::ops::Range;

/// Sequence numbers of configuration requests have the top bit set (queue
/// verdicts use the packet id as theirs).
pub(crate) const CONFIG_SEQ: u32 = 0x8000_0000;

/// What [`Reader::next`] found.
pub(crate) enum Next {
    /// A message, at this range of [`Reader::buf`].
    Msg(Range<usize>),
    /// The socket overflowed (`ENOBUFS`).
    Lost,
    /// Nothing queued (non-blocking only).
    Empty,
}

/// A receive buffer of `slots` datagrams and the unread part of them.
#[derive(Debug)]
pub(crate) struct Reader {
    buf: Vec<u8>,
    /// Bytes per datagram slot.
    slot: usize,
    /// Full length of each datagram the last receive brought.
    lens: Vec<usize>,
    /// How many it brought, and the one being walked.
    count: usize,
    cur: usize,
    /// The unread part of the current datagram.
    at: usize,
    len: usize,
    /// A datagram that did not fit: the slot size to grow to before the next receive.
    grow: Option<usize>,
    /// Datagrams read out of turn (during a configuration request), in order.
    stash: VecDeque<Vec<u8>>,
    seq: u32,
}

impl Reader {
    /// A reader taking up to `slots` datagrams of up to `slot` bytes per system call.
    pub(crate) fn new(slots: usize, slot: usize) -> Reader {
        let slots = slots.clamp(1, crate::socket::MAX_RECV_MANY);
        Reader {
            buf: vec![0; slots * slot],
            slot,
            lens: vec![0; slots],
            count: 0,
            cur: 0,
            at: 0,
            len: 0,
            grow: None,
            stash: VecDeque::new(),
            seq: 0,
        }
    }

    pub(crate) fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// True if a received datagram (or part of one) is still unread.
    pub(crate) fn pending(&self) -> bool {
        self.len > 0 || self.cur + 1 < self.count || !self.stash.is_empty()
    }

    /// Starts walking datagram `i` of the last receive.
    fn start(&mut self, i: usize, what: &str) -> Result<()> {
        self.cur = i;
        self.at = i * self.slot;
        let full = self.lens[i];
        if full > self.slot {
            self.len = 0;
            let to = full.next_power_of_two();
            self.grow = Some(self.grow.map_or(to, |g| g.max(to)));
            return Err(Error::Invalid(format!(
                "{what}: a {full}-byte datagram did not fit the {}-byte buffer \
                 (lower the copy range); the buffer was grown for the next ones",
                self.slot
            )));
        }
        self.len = full;
        Ok(())
    }

    /// The next message (receiving datagrams if none is left).
    pub(crate) fn next(&mut self, sock: &Socket, block: bool, what: &str) -> Result<Next> {
        if self.len == 0 {
            if self.cur + 1 < self.count {
                self.start(self.cur + 1, what)?;
            } else if let Some(d) = self.stash.pop_front() {
                if self.buf.len() < d.len() {
                    self.buf.resize(d.len(), 0);
                }
                self.buf[..d.len()].copy_from_slice(&d);
                (self.count, self.cur, self.at, self.len) = (0, 0, 0, d.len());
            } else {
                self.count = 0;
                if let Some(g) = self.grow.take() {
                    self.slot = self.slot.max(g);
                    self.buf.resize(self.lens.len() * self.slot, 0);
                }
                match sock.recv_many(&mut self.buf, self.slot, &mut self.lens, block) {
                    Ok(0) => return Ok(Next::Empty),
                    Ok(n) => {
                        self.count = n;
                        self.start(0, what)?;
                    }
                    Err(e) if is_overrun(&e) => return Ok(Next::Lost),
                    Err(e) if !block && e.kind() == std::io::ErrorKind::WouldBlock => {
                        return Ok(Next::Empty)
                    }
                    Err(e) => return Err(Error::io(format!("{what}: receive"), e)),
                }
            }
        }
        let (at, len) = (self.at, self.len);
        let mlen = match Msg::new_checked(&self.buf[at..at + len]) {
            Ok(m) => m.len() as usize,
            Err(e) => {
                self.len = 0;
                return Err(Error::Malformed {
                    what: format!("{what}: receive"),
                    source: e,
                });
            }
        };
        let step = wire::align(mlen).min(len);
        self.at += step;
        self.len -= step;
        Ok(Next::Msg(at..at + mlen))
    }

    /// Sends a configuration request with `NLM_F_ACK` and waits for its
    /// answer; datagrams that come first are kept for [`Reader::next`].
    pub(crate) fn request(
        &mut self,
        sock: &Socket,
        req: &dyn ToMsg,
        explain: impl Fn(Error) -> Error,
    ) -> Result<()> {
        let what = crate::conn::describe(req);
        self.seq = self.seq.wrapping_add(1);
        let seq = CONFIG_SEQ | (self.seq & !CONFIG_SEQ);
        let mut out = Vec::with_capacity(64);
        let build = |e| Error::Build {
            what: what.clone(),
            source: e,
        };
        let attrs_at = req.write(&mut out).map_err(build)?;
        let mut m = Msg::new_checked(&mut out[..]).map_err(build)?;
        m.set_seq(seq);
        m.set_flags(MsgFlags(m.flags().0 | MsgFlags::REQUEST | MsgFlags::ACK));
        sock.send(&out)
            .map_err(|e| Error::io(format!("{what}: send"), e))?;
        let mut buf = Vec::new();
        loop {
            match sock.recv(&mut buf) {
                Err(e) if is_overrun(&e) => continue,
                Err(e) => return Err(Error::io(format!("{what}: receive"), e)),
                Ok(_) => {}
            }
            let mut answer = None;
            for m in MsgIter::new(&buf) {
                let Ok((_, m)) = m else { break };
                if m.seq() != seq {
                    continue;
                }
                match Control::parse(&m) {
                    Ok(Some(Control::Error(err))) if err.is_ack() => answer = Some(Ok(())),
                    Ok(Some(Control::Error(err))) => {
                        answer = Some(Err(explain(kernel_error(
                            err.code,
                            &err.ext_ack,
                            Some((&out, attrs_at, req)),
                            None,
                        ))))
                    }
                    _ => {}
                }
            }
            match answer {
                Some(a) => return a,
                None => self.stash.push_back(std::mem::take(&mut buf)),
            }
        }
    }
}

/// Adds a hint to a kernel error's message.
pub(crate) fn with_hint(e: Error, hint: String) -> Error {
    match e {
        Error::Kernel(mut k) => {
            k.message = Some(match k.message.take() {
                Some(m) => format!("{m}; {hint}"),
                None => hint,
            });
            Error::Kernel(k)
        }
        e => e,
    }
}
