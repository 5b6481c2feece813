use super::attr::{NLA_F_NESTED, NLA_HDRLEN};
use super::msg::NLMSG_HDRLEN;
use super::{align, Error, MsgHeader, Result};
use core::ops::Range;
use std::net::IpAddr;
use zerocopy::{Immutable, IntoBytes};

/// Appends one netlink message to a reusable `Vec<u8>`: header, then a family's
/// fixed header, then attributes (nested with [`MsgWriter::nest`]).
///
/// `nlmsg_len` and nest lengths are patched as the message grows, so the
/// buffer always holds well-formed messages. An attribute or nest longer than
/// `nla_len` can say is an `Err` and leaves the buffer as it was before that
/// call. Call `MsgWriter::new` again on the same buffer to batch several
/// messages into one datagram.
///
/// ```
/// use nlkit::wire::{AttrIter, Msg, MsgWriter};
/// let mut buf = Vec::new();
/// let mut w = MsgWriter::new(&mut buf, 0x10, 0x05, 1, 0);
/// w.fixed(&[0u8; 4]); // a family header
/// w.attr_str(3, "v0").unwrap();
/// w.nest(18, |w| w.attr_u32(1, 7).map(|_| ())).unwrap();
/// let range = w.finish().unwrap();
/// let msg = Msg::new_checked(&buf[range]).unwrap();
/// let (_, attrs) = msg.fixed::<[u8; 4]>().unwrap();
/// let names: Vec<u16> = AttrIter::new(attrs).map(|a| a.unwrap().kind()).collect();
/// assert_eq!(names, [3, 18]);
/// ```
#[derive(Debug)]
pub struct MsgWriter<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
}

/// An open nest: where its header is.
#[derive(Debug)]
#[must_use = "a nest must be closed with MsgWriter::end_nest"]
pub struct Nest {
    at: usize,
    kind: u16,
}

impl<'b> MsgWriter<'b> {
    /// Starts a message at the (aligned) end of `buf`.
    pub fn new(buf: &'b mut Vec<u8>, ty: u16, flags: u16, seq: u32, pid: u32) -> Self {
        let start = align(buf.len());
        buf.resize(start, 0);
        buf.extend_from_slice(MsgHeader::new(NLMSG_HDRLEN as u32, ty, flags, seq, pid).as_bytes());
        MsgWriter { buf, start }
    }

    /// Offset of this message's header in the buffer.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Bytes written so far for this message, header included.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Always false: a message has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn sync_len(&mut self) {
        let len = u32::try_from(self.buf.len() - self.start).unwrap_or(u32::MAX);
        self.buf[self.start..self.start + 4].copy_from_slice(&len.to_ne_bytes());
    }

    fn pad(&mut self) {
        let end = align(self.buf.len());
        self.buf.resize(end, 0);
    }

    /// Appends a family's fixed header (`ifinfomsg`, `genlmsghdr`, ...), padded to 4 bytes.
    pub fn fixed<H: IntoBytes + Immutable + ?Sized>(&mut self, h: &H) -> &mut Self {
        self.buf.extend_from_slice(h.as_bytes());
        self.pad();
        self.sync_len();
        self
    }

    /// Appends raw payload bytes, unpadded (for protocols without attributes).
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self.sync_len();
        self
    }

    /// Appends an attribute with this type (flags may be included) and payload.
    pub fn attr(&mut self, kind: u16, payload: &[u8]) -> Result<&mut Self> {
        let len = NLA_HDRLEN + payload.len();
        let nla_len = u16::try_from(len).map_err(|_| Error::AttrOverflow { kind, len })?;
        self.pad();
        self.buf.extend_from_slice(&nla_len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.pad();
        self.sync_len();
        Ok(self)
    }

    /// A `u8` attribute.
    pub fn attr_u8(&mut self, kind: u16, v: u8) -> Result<&mut Self> {
        self.attr(kind, &[v])
    }
    /// A native-endian `u16` attribute.
    pub fn attr_u16(&mut self, kind: u16, v: u16) -> Result<&mut Self> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// A native-endian `u32` attribute.
    pub fn attr_u32(&mut self, kind: u16, v: u32) -> Result<&mut Self> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// A native-endian `u64` attribute.
    pub fn attr_u64(&mut self, kind: u16, v: u64) -> Result<&mut Self> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// A native-endian `i32` attribute.
    pub fn attr_i32(&mut self, kind: u16, v: i32) -> Result<&mut Self> {
        self.attr(kind, &v.to_ne_bytes())
    }
    /// A big-endian `u16` attribute (a port).
    pub fn attr_be_u16(&mut self, kind: u16, v: u16) -> Result<&mut Self> {
        self.attr(kind, &v.to_be_bytes())
    }
    /// A big-endian `u32` attribute.
    pub fn attr_be_u32(&mut self, kind: u16, v: u32) -> Result<&mut Self> {
        self.attr(kind, &v.to_be_bytes())
    }
    /// A NUL-terminated string attribute.
    pub fn attr_str(&mut self, kind: u16, s: &str) -> Result<&mut Self> {
        let len = NLA_HDRLEN + s.len() + 1;
        let nla_len = u16::try_from(len).map_err(|_| Error::AttrOverflow { kind, len })?;
        self.pad();
        self.buf.extend_from_slice(&nla_len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        self.pad();
        self.sync_len();
        Ok(self)
    }
    /// A flag attribute: no payload.
    pub fn attr_flag(&mut self, kind: u16) -> Result<&mut Self> {
        self.attr(kind, &[])
    }
    /// An IP address attribute: 4 or 16 bytes.
    pub fn attr_ip(&mut self, kind: u16, ip: IpAddr) -> Result<&mut Self> {
        match ip {
            IpAddr::V4(a) => self.attr(kind, &a.octets()),
            IpAddr::V6(a) => self.attr(kind, &a.octets()),
        }
    }

    /// Opens a nest of type `kind` (`NLA_F_NESTED` is added); close it with [`MsgWriter::end_nest`].
    pub fn begin_nest(&mut self, kind: u16) -> Nest {
        self.pad();
        let at = self.buf.len();
        self.buf
            .extend_from_slice(&(NLA_HDRLEN as u16).to_ne_bytes());
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
        self.sync_len();
        Nest { at, kind }
    }

    /// Closes a nest, patching its length. If the nest is longer than
    /// `nla_len` can say, it is removed from the buffer and an error returned.
    pub fn end_nest(&mut self, nest: Nest) -> Result<&mut Self> {
        let len = self.buf.len() - nest.at;
        match u16::try_from(len) {
            Ok(l) => {
                self.buf[nest.at..nest.at + 2].copy_from_slice(&l.to_ne_bytes());
                self.sync_len();
                Ok(self)
            }
            Err(_) => {
                self.buf.truncate(nest.at);
                self.sync_len();
                Err(Error::AttrOverflow {
                    kind: nest.kind,
                    len,
                })
            }
        }
    }

    /// Writes a nest: `f` appends its attributes. On error (from `f` or from
    /// an oversized nest) the nest is removed and the error returned.
    pub fn nest(
        &mut self,
        kind: u16,
        f: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<&mut Self> {
        let nest = self.begin_nest(kind);
        let at = nest.at;
        match f(self) {
            Ok(()) => self.end_nest(nest),
            Err(e) => {
                self.buf.truncate(at);
                self.sync_len();
                Err(e)
            }
        }
    }

    /// Ends the message; returns where it sits in the buffer.
    pub fn finish(self) -> Result<Range<usize>> {
        let len = self.buf.len() - self.start;
        if u32::try_from(len).is_err() {
            self.buf.truncate(self.start);
            return Err(Error::MsgOverflow { len });
        }
        Ok(self.start..self.buf.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{AttrIter, Msg, MsgIter};

    #[test]
    fn emit_matches_bytes() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x10, 0x0405, 42, 0);
        w.fixed(&[0u8; 16]);
        w.attr_u32(4, 9000).unwrap();
        w.attr_str(3, "v0").unwrap();
        let r = w.finish().unwrap();
        let mut want = Vec::new();
        want.extend_from_slice(&48u32.to_ne_bytes()); // nlmsg_len
        want.extend_from_slice(&0x10u16.to_ne_bytes()); // nlmsg_type
        want.extend_from_slice(&0x0405u16.to_ne_bytes()); // nlmsg_flags
        want.extend_from_slice(&42u32.to_ne_bytes()); // nlmsg_seq
        want.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid
        want.extend_from_slice(&[0; 16]); // fixed header
        want.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&4u16.to_ne_bytes()); // IFLA_MTU
        want.extend_from_slice(&9000u32.to_ne_bytes());
        want.extend_from_slice(&7u16.to_ne_bytes()); // nla_len
        want.extend_from_slice(&3u16.to_ne_bytes()); // IFLA_IFNAME
        want.extend_from_slice(b"v0\0\0"); // "v0", NUL, padding
        assert_eq!(&buf[r], &want[..]);
    }

    #[test]
    fn nest_and_batch() {
        let mut buf = Vec::new();
        for seq in 1..=3u32 {
            let mut w = MsgWriter::new(&mut buf, 0x10, 1, seq, 0);
            w.bytes(b"abc"); // unaligned raw payload: the next message must still be aligned
            w.finish().unwrap();
        }
        let mut w = MsgWriter::new(&mut buf, 0x11, 1, 4, 0);
        w.nest(1, |w| {
            w.attr_u8(2, 1)?;
            w.nest(3, |w| w.attr_u16(4, 5).map(|_| ()))?;
            Ok(())
        })
        .unwrap();
        w.finish().unwrap();
        let msgs: Vec<_> = MsgIter::new(&buf).map(|m| m.unwrap().1).collect();
        assert_eq!(msgs.len(), 4);
        assert_eq!(msgs[2].payload(), b"abc");
        let outer = AttrIter::new(msgs[3].payload()).next().unwrap().unwrap();
        assert!(outer.is_nested());
        let inner: Vec<_> = outer.nested().map(|a| a.unwrap()).collect();
        assert_eq!(inner[0].u8().unwrap(), 1);
        assert_eq!(inner[1].nested().next().unwrap().unwrap().u16().unwrap(), 5);
    }

    #[test]
    fn oversize_is_error_and_buffer_unchanged() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x10, 1, 1, 0);
        w.attr_u32(1, 1).unwrap();
        let before = w.len();
        let big = vec![0u8; 65532];
        assert_eq!(
            w.attr(2, &big).unwrap_err(),
            Error::AttrOverflow {
                kind: 2,
                len: 65536
            }
        );
        assert_eq!(w.len(), before);
        let e = w
            .nest(3, |w| {
                w.attr(4, &big[..40000])?;
                w.attr(5, &big[..40000])?;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(e, Error::AttrOverflow { kind: 3, .. }));
        assert_eq!(w.len(), before);
        let r = w.finish().unwrap();
        assert!(Msg::new_checked(&buf[r]).is_ok());
    }
}
