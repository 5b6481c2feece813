use super::{align, Error, MsgFlags, Result};
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct nlmsghdr`, as it sits in the buffer.
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                       nlmsg_len (u32)                         |
/// +-------------------------------+-------------------------------+
/// |       nlmsg_type (u16)        |       nlmsg_flags (u16)       |
/// +-------------------------------+-------------------------------+
/// |                       nlmsg_seq (u32)                         |
/// +---------------------------------------------------------------+
/// |                       nlmsg_pid (u32)                         |
/// +---------------------------------------------------------------+
/// ```
///
/// Fields are native-endian and unaligned, so a header can be read from any
/// byte offset without `unsafe`.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "nlmsghdr")]
pub struct MsgHeader {
    /// Length of the message, header included.
    pub len: U32<NativeEndian>,
    /// Message type.
    pub ty: U16<NativeEndian>,
    /// Flags.
    pub flags: U16<NativeEndian>,
    /// Sequence number.
    pub seq: U32<NativeEndian>,
    /// Sender port id (0 for the kernel).
    pub pid: U32<NativeEndian>,
}

/// Size of `struct nlmsghdr` (`NLMSG_HDRLEN`).
pub const NLMSG_HDRLEN: usize = 16;

impl MsgHeader {
    /// A header with these fields.
    pub fn new(len: u32, ty: u16, flags: u16, seq: u32, pid: u32) -> Self {
        MsgHeader {
            len: len.into(),
            ty: ty.into(),
            flags: flags.into(),
            seq: seq.into(),
            pid: pid.into(),
        }
    }
}

/// A view of one netlink message: exactly `nlmsg_len` bytes, header first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg<T> {
    buf: T,
}

impl<T: AsRef<[u8]>> Msg<T> {
    /// Wraps a buffer that holds one whole message (`nlmsg_len` must equal the
    /// buffer's length, or be shorter: trailing bytes are ignored).
    pub fn new_checked(buf: T) -> Result<Self> {
        let b = buf.as_ref();
        let (hdr, _) = MsgHeader::ref_from_prefix(b).map_err(|_| Error::Truncated {
            at: 0,
            need: NLMSG_HDRLEN,
            have: b.len(),
        })?;
        let len = hdr.len.get();
        if (len as usize) < NLMSG_HDRLEN {
            return Err(Error::MsgTooShort { at: 0, len });
        }
        if len as usize > b.len() {
            return Err(Error::MsgTooLong {
                at: 0,
                len,
                have: b.len(),
            });
        }
        Ok(Msg { buf })
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buf
    }

    /// The header.
    #[inline]
    pub fn header(&self) -> &MsgHeader {
        // new_checked guarantees 16 bytes; ref_from_prefix cannot fail on an unaligned type of that size.
        match MsgHeader::ref_from_prefix(self.buf.as_ref()) {
            Ok((h, _)) => h,
            Err(_) => unreachable_header(),
        }
    }

    /// `nlmsg_len`.
    #[inline]
    pub fn len(&self) -> u32 {
        self.header().len.get()
    }
    /// Always false: a valid message has at least its header.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }
    /// `nlmsg_type`.
    #[inline]
    pub fn msg_type(&self) -> u16 {
        self.header().ty.get()
    }
    /// `nlmsg_flags`.
    #[inline]
    pub fn flags(&self) -> MsgFlags {
        MsgFlags(self.header().flags.get())
    }
    /// `nlmsg_seq`.
    #[inline]
    pub fn seq(&self) -> u32 {
        self.header().seq.get()
    }
    /// `nlmsg_pid`: the port id of the sender as the sender wrote it.
    #[inline]
    pub fn port_id(&self) -> u32 {
        self.header().pid.get()
    }
    /// The whole message, header included.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf.as_ref()[..self.len() as usize]
    }
    /// The payload (everything after the header, up to `nlmsg_len`).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buf.as_ref()[NLMSG_HDRLEN..self.len() as usize]
    }
}

impl<'a> Msg<&'a [u8]> {
    /// The payload, borrowed for as long as the buffer.
    #[inline]
    pub fn payload_ref(&self) -> &'a [u8] {
        let len = self.len() as usize;
        &self.buf[NLMSG_HDRLEN..len]
    }
    /// The whole message, borrowed for as long as the buffer.
    #[inline]
    pub fn bytes_ref(&self) -> &'a [u8] {
        let len = self.len() as usize;
        &self.buf[..len]
    }
    /// A family's fixed header (`ifinfomsg`, `genlmsghdr`...) at the start of
    /// the payload, and the bytes after it (aligned), where attributes start.
    pub fn fixed<H: FromBytes + KnownLayout + Immutable + Unaligned>(
        &self,
    ) -> Result<(&'a H, &'a [u8])> {
        let p = self.payload_ref();
        let (h, _) = H::ref_from_prefix(p).map_err(|_| Error::Truncated {
            at: NLMSG_HDRLEN,
            need: core::mem::size_of::<H>(),
            have: p.len(),
        })?;
        let rest = p.get(align(core::mem::size_of::<H>())..).unwrap_or(&[]);
        Ok((h, rest))
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Msg<T> {
    /// The header, to change it in place.
    pub fn header_mut(&mut self) -> &mut MsgHeader {
        match MsgHeader::mut_from_prefix(self.buf.as_mut()) {
            Ok((h, _)) => h,
            Err(_) => unreachable_header(),
        }
    }
    /// Sets `nlmsg_seq`.
    pub fn set_seq(&mut self, seq: u32) {
        self.header_mut().seq.set(seq)
    }
    /// Sets `nlmsg_pid`.
    pub fn set_port_id(&mut self, pid: u32) {
        self.header_mut().pid.set(pid)
    }
    /// Sets `nlmsg_flags`.
    pub fn set_flags(&mut self, flags: MsgFlags) {
        self.header_mut().flags.set(flags.0)
    }
}

#[cold]
fn unreachable_header() -> ! {
    // Only reachable if a Msg were built without new_checked, which the API does not allow.
    unreachable!("Msg always holds at least a full header")
}

/// Iterates over the messages of one datagram. Each message must satisfy
/// 16 <= `nlmsg_len` <= bytes left; the next one starts at the aligned end.
/// After the first error the iterator stops for good.
#[derive(Clone, Debug)]
pub struct MsgIter<'a> {
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> MsgIter<'a> {
    /// Iterates over the messages in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        MsgIter {
            buf,
            pos: 0,
            failed: false,
        }
    }
    /// Offset of the next message to be read.
    pub fn offset(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for MsgIter<'a> {
    type Item = Result<(usize, Msg<&'a [u8]>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let at = self.pos;
        let rest = &self.buf[at..];
        match Msg::new_checked(rest) {
            Ok(m) => {
                let len = m.len() as usize;
                self.pos = at.saturating_add(align(len)).min(self.buf.len());
                Some(Ok((at, Msg { buf: &rest[..len] })))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e.offset_by(at)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(len: u32, ty: u16, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&len.to_ne_bytes()); // nlmsg_len
        v.extend_from_slice(&ty.to_ne_bytes()); // nlmsg_type
        v.extend_from_slice(&flags.to_ne_bytes()); // nlmsg_flags
        v.extend_from_slice(&seq.to_ne_bytes()); // nlmsg_seq
        v.extend_from_slice(&pid.to_ne_bytes()); // nlmsg_pid
        v
    }

    #[test]
    fn two_messages_with_padding() {
        let mut buf = hdr(21, 0x10, 1, 7, 0);
        buf.extend_from_slice(b"hello\0\0\0"); // 5 bytes payload + 3 padding
        buf.extend_from_slice(&hdr(16, 3, 2, 8, 0));
        let msgs: Vec<_> = MsgIter::new(&buf).collect::<Result<_>>().unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].0, 0);
        assert_eq!(msgs[0].1.payload(), b"hello");
        assert_eq!(msgs[0].1.seq(), 7);
        assert_eq!(msgs[1].0, 24);
        assert_eq!(msgs[1].1.msg_type(), 3);
        assert_eq!(msgs[1].1.flags(), MsgFlags(2));
    }

    #[test]
    fn short_length_is_reported_with_offset() {
        let mut buf = hdr(16, 0x10, 0, 1, 0);
        buf.extend_from_slice(&hdr(12, 0x10, 0, 2, 0));
        let mut it = MsgIter::new(&buf);
        assert!(it.next().unwrap().is_ok());
        let e = it.next().unwrap().unwrap_err();
        assert_eq!(e, Error::MsgTooShort { at: 16, len: 12 });
        assert_eq!(
            e.to_string(),
            "length 12 is shorter than the header at offset 16"
        );
        assert!(it.next().is_none());
    }

    #[test]
    fn long_length_and_truncated_header() {
        let buf = hdr(100, 0x10, 0, 1, 0);
        assert_eq!(
            MsgIter::new(&buf).next().unwrap().unwrap_err(),
            Error::MsgTooLong {
                at: 0,
                len: 100,
                have: 16
            }
        );
        assert_eq!(
            MsgIter::new(&buf[..10]).next().unwrap().unwrap_err(),
            Error::Truncated {
                at: 0,
                need: 16,
                have: 10
            }
        );
    }

    #[test]
    fn set_fields() {
        let mut buf = hdr(16, 0x10, 0, 1, 0);
        let mut m = Msg::new_checked(&mut buf[..]).unwrap();
        m.set_seq(99);
        m.set_port_id(5);
        m.set_flags(MsgFlags(MsgFlags::REQUEST | MsgFlags::ACK));
        assert_eq!(buf, hdr(16, 0x10, 5, 99, 5));
    }
}
