//! What the queue and log subsystems share: a fixed receive buffer walked
//! message by message (one `recv` per datagram, no copy), and configuration
//! requests answered by an ACK on the same socket while packets may arrive.

use crate::conn::{kernel_error, ToMsg};
use crate::error::{Error, Result};
use crate::socket::{is_overrun, Socket};
use crate::wire::{self, Control, Msg, MsgFlags, MsgIter};
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

/// A receive buffer and the unread part of the last datagram.
#[derive(Debug)]
pub(crate) struct Reader {
    buf: Vec<u8>,
    at: usize,
    len: usize,
    seq: u32,
}

impl Reader {
    pub(crate) fn new(size: usize) -> Reader {
        Reader {
            buf: vec![0; size],
            at: 0,
            len: 0,
            seq: 0,
        }
    }

    pub(crate) fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// True if part of a datagram is still unread.
    pub(crate) fn pending(&self) -> bool {
        self.len > 0
    }

    /// Keeps a datagram read out of turn (during a configuration request).
    fn stash(&mut self, d: &[u8]) {
        let end = self.at + self.len;
        if self.buf.len() < end + d.len() {
            self.buf.resize(end + d.len(), 0);
        }
        self.buf[end..end + d.len()].copy_from_slice(d);
        self.len += d.len();
    }

    /// The next message (receiving a datagram if none is left).
    pub(crate) fn next(&mut self, sock: &Socket, block: bool, what: &str) -> Result<Next> {
        if self.len == 0 {
            self.at = 0;
            match sock.recv_into(&mut self.buf, block) {
                Ok((n, full)) if full > n => {
                    self.buf.resize(full.next_power_of_two(), 0);
                    return Err(Error::Invalid(format!(
                        "{what}: a {full}-byte datagram did not fit the {n}-byte buffer \
                         (lower the copy range); the buffer was grown for the next ones"
                    )));
                }
                Ok((n, _)) => self.len = n,
                Err(e) if is_overrun(&e) => return Ok(Next::Lost),
                Err(e) if !block && e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Ok(Next::Empty)
                }
                Err(e) => return Err(Error::io(format!("{what}: receive"), e)),
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
                None => self.stash(&buf),
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
