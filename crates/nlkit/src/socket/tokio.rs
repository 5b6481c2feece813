//! A netlink socket for tokio (feature `tokio`): the same [`Socket`], made
//! non-blocking and registered with the reactor.

use super::{Dest, RecvInfo, Socket};
use std::io;
use tokio::io::unix::AsyncFd;

/// A [`Socket`] driven by tokio.
#[derive(Debug)]
pub struct AsyncSocket {
    fd: AsyncFd<Socket>,
}

impl AsyncSocket {
    /// Registers `sock` (made non-blocking) with the current tokio reactor; an
    /// error (not a panic) outside a runtime.
    pub fn new(sock: Socket) -> io::Result<AsyncSocket> {
        sock.set_nonblocking(true)?;
        Ok(AsyncSocket {
            fd: super::sys::register_tokio(sock)?,
        })
    }

    /// The socket.
    pub fn get_ref(&self) -> &Socket {
        self.fd.get_ref()
    }

    /// Receives one whole datagram (see [`Socket::recv`]).
    pub async fn recv(&self, buf: &mut Vec<u8>) -> io::Result<RecvInfo> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|s| s.get_ref().recv_nonblocking(buf)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }

    /// Sends one datagram. Netlink sends to the kernel complete synchronously,
    /// so this does not wait on the reactor.
    pub async fn send_to(&self, buf: &[u8], dest: Dest) -> io::Result<usize> {
        self.fd.get_ref().send_to(buf, dest)
    }
}
