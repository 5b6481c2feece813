use super::{align, Error, Result};
use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `NLA_F_NESTED`: the payload is a set of attributes.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_F_NET_BYTEORDER`: the payload is in network byte order.
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
/// `NLA_TYPE_MASK`: the bits of `nla_type` that are the type.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// Size of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

/// A view of one attribute (`struct nlattr` and its payload).
///
/// ```text
///  0                   1                   2                   3
/// +-------------------------------+-------------------------------+
/// |        nla_len (u16)          |  N|O|     nla_type (14 bits)  |
/// +-------------------------------+-------------------------------+
/// |   payload (nla_len - 4 bytes), then padding to 4 bytes        |
/// +---------------------------------------------------------------+
/// ```
///
/// The payload borrows the buffer it was parsed from: nothing is copied.
/// `at` is where the attribute starts, counted from the start of the buffer
/// the outermost iterator was given an offset for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    raw_type: u16,
    payload: &'a [u8],
    at: usize,
}

impl fmt::Debug for Attr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attr")
            .field("kind", &self.kind())
            .field("nested", &self.is_nested())
            .field("len", &self.payload.len())
            .field("at", &self.at)
            .finish()
    }
}

macro_rules! int_getter {
    ($(#[$m:meta])* $name:ident, $ty:ty, $conv:ident) => {
        $(#[$m])*
        #[inline]
        pub fn $name(&self) -> Result<$ty> {
            const N: usize = core::mem::size_of::<$ty>();
            let arr: [u8; N] = self.payload.try_into().map_err(|_| self.size_err(N))?;
            Ok(<$ty>::$conv(arr))
        }
    };
}

impl<'a> Attr<'a> {
    /// An attribute with this raw `nla_type` (flags included) and payload, found at offset `at`.
    #[inline]
    pub fn new(raw_type: u16, payload: &'a [u8], at: usize) -> Self {
        Attr {
            raw_type,
            payload,
            at,
        }
    }

    /// The attribute whose header is at offset `at` of `set` (a set that
    /// starts at offset `base` of its message), or `None` if its header or
    /// payload does not fit: for a place an [`AttrIter`] pass noted.
    #[inline]
    pub fn at_offset(set: &'a [u8], at: usize, base: usize) -> Option<Self> {
        let h = set.get(at..at.checked_add(NLA_HDRLEN)?)?;
        let len = usize::from(u16::from_ne_bytes([h[0], h[1]]));
        let raw_type = u16::from_ne_bytes([h[2], h[3]]);
        let payload = set.get(at + NLA_HDRLEN..at.checked_add(len)?)?;
        Some(Attr::new(raw_type, payload, base + at))
    }

    /// The type, without the `NESTED` and `NET_BYTEORDER` flags.
    #[inline]
    pub fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }
    /// `nla_type` as it was on the wire, flags included.
    #[inline]
    pub fn raw_type(&self) -> u16 {
        self.raw_type
    }
    /// `NLA_F_NESTED` is set.
    #[inline]
    pub fn is_nested(&self) -> bool {
        self.raw_type & NLA_F_NESTED != 0
    }
    /// `NLA_F_NET_BYTEORDER` is set.
    #[inline]
    pub fn is_net_byteorder(&self) -> bool {
        self.raw_type & NLA_F_NET_BYTEORDER != 0
    }
    /// The payload, borrowed from the buffer.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }
    /// Offset of the attribute header.
    #[inline]
    pub fn offset(&self) -> usize {
        self.at
    }

    fn size_err(&self, expected: usize) -> Error {
        Error::PayloadSize {
            kind: self.kind(),
            expected,
            got: self.payload.len(),
        }
    }

    int_getter!(/// A `u8` payload.
        u8, u8, from_ne_bytes);
    int_getter!(/// A native-endian `u16` payload.
        u16, u16, from_ne_bytes);
    int_getter!(/// A native-endian `u32` payload.
        u32, u32, from_ne_bytes);
    int_getter!(/// A native-endian `u64` payload.
        u64, u64, from_ne_bytes);
    int_getter!(/// An `i8` payload.
        i8, i8, from_ne_bytes);
    int_getter!(/// A native-endian `i16` payload.
        i16, i16, from_ne_bytes);
    int_getter!(/// A native-endian `i32` payload.
        i32, i32, from_ne_bytes);
    int_getter!(/// A native-endian `i64` payload.
        i64, i64, from_ne_bytes);
    int_getter!(/// A big-endian (network order) `u16` payload, such as a port.
        be_u16, u16, from_be_bytes);
    int_getter!(/// A big-endian (network order) `u32` payload.
        be_u32, u32, from_be_bytes);
    int_getter!(/// A big-endian (network order) `u64` payload.
        be_u64, u64, from_be_bytes);

    /// A variable-width unsigned integer (`NLA_UINT`): 4 or 8 bytes.
    #[inline]
    pub fn uint(&self) -> Result<u64> {
        match self.payload.len() {
            4 => self.u32().map(u64::from),
            _ => self.u64(),
        }
    }

    /// A NUL-terminated string (`NLA_NUL_STRING`); the NUL must be there, and
    /// the text is what comes before the first NUL.
    pub fn cstr(&self) -> Result<&'a str> {
        let nul = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .ok_or(Error::MissingNul { kind: self.kind() })?;
        self.utf8(&self.payload[..nul])
    }

    /// A string that may or may not be NUL-terminated (`NLA_STRING`): the text
    /// is everything up to the first NUL, or the whole payload.
    pub fn str(&self) -> Result<&'a str> {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        self.utf8(&self.payload[..end])
    }

    fn utf8(&self, b: &'a [u8]) -> Result<&'a str> {
        core::str::from_utf8(b).map_err(|e| Error::InvalidUtf8 {
            kind: self.kind(),
            valid_up_to: e.valid_up_to(),
        })
    }

    /// An IPv4 address (4 bytes, network order).
    #[inline]
    pub fn ipv4(&self) -> Result<Ipv4Addr> {
        let a: [u8; 4] = self.payload.try_into().map_err(|_| self.size_err(4))?;
        Ok(Ipv4Addr::from(a))
    }
    /// An IPv6 address (16 bytes).
    #[inline]
    pub fn ipv6(&self) -> Result<Ipv6Addr> {
        let a: [u8; 16] = self.payload.try_into().map_err(|_| self.size_err(16))?;
        Ok(Ipv6Addr::from(a))
    }
    /// An IPv4 or IPv6 address, told apart by the payload size (4 or 16).
    #[inline]
    pub fn ip(&self) -> Result<IpAddr> {
        match self.payload.len() {
            4 => self.ipv4().map(IpAddr::V4),
            16 => self.ipv6().map(IpAddr::V6),
            _ => Err(self.size_err(if self.payload.len() < 16 { 4 } else { 16 })),
        }
    }
    /// An Ethernet MAC address (6 bytes).
    pub fn mac(&self) -> Result<[u8; 6]> {
        self.payload.try_into().map_err(|_| self.size_err(6))
    }
    /// A fixed-size payload of `N` bytes.
    pub fn array<const N: usize>(&self) -> Result<[u8; N]> {
        self.payload.try_into().map_err(|_| self.size_err(N))
    }
    /// A flag attribute (`NLA_FLAG`): present, with no payload.
    pub fn flag(&self) -> Result<()> {
        if self.payload.is_empty() {
            Ok(())
        } else {
            Err(self.size_err(0))
        }
    }
    /// The attributes nested inside this one.
    pub fn nested(&self) -> AttrIter<'a> {
        AttrIter::with_offset(self.payload, self.at + NLA_HDRLEN)
    }
}

/// Iterates over a set of attributes. Each must satisfy 4 <= `nla_len` <=
/// bytes left; the next starts at the aligned end. After the first error the
/// iterator stops for good. Unknown types are yielded like any other.
#[derive(Clone, Debug)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

impl<'a> AttrIter<'a> {
    /// Iterates over `buf`; offsets are counted from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_offset(buf, 0)
    }
    /// Iterates over `buf`, which starts at offset `base` of some larger buffer
    /// (so that errors and [`Attr::offset`] are relative to that buffer).
    pub fn with_offset(buf: &'a [u8], base: usize) -> Self {
        AttrIter {
            buf,
            pos: 0,
            base,
            failed: false,
        }
    }
    /// Finds the first attribute of type `kind`; `Ok(None)` if absent, an
    /// error if the set is malformed before it is found.
    pub fn find(self, kind: u16) -> Result<Option<Attr<'a>>> {
        for a in self {
            let a = a?;
            if a.kind() == kind {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<Attr<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.pos..];
        let at = self.base + self.pos;
        if rest.len() < NLA_HDRLEN {
            self.failed = true;
            return Some(Err(Error::Truncated {
                at,
                need: NLA_HDRLEN,
                have: rest.len(),
            }));
        }
        let len = u16::from_ne_bytes([rest[0], rest[1]]);
        let raw_type = u16::from_ne_bytes([rest[2], rest[3]]);
        if (len as usize) < NLA_HDRLEN {
            self.failed = true;
            return Some(Err(Error::AttrTooShort { at, len }));
        }
        if len as usize > rest.len() {
            self.failed = true;
            return Some(Err(Error::AttrTooLong {
                at,
                len,
                have: rest.len(),
            }));
        }
        self.pos += align(len as usize).min(rest.len());
        Some(Ok(Attr {
            raw_type,
            payload: &rest[NLA_HDRLEN..len as usize],
            at,
        }))
    }
}

/// Where an attribute sits in a request: its type at each nesting level,
/// outermost first (at most 16 levels), and its offset in the message.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AttrPath {
    types: [u16; 16],
    depth: u8,
    /// Offset of the innermost attribute's header from the start of the message.
    pub offset: usize,
    /// True if the offset points inside the innermost attribute's payload
    /// rather than at its header.
    pub inside: bool,
}

impl AttrPath {
    /// Types from the outermost to the innermost attribute.
    pub fn types(&self) -> &[u16] {
        &self.types[..self.depth as usize]
    }
    /// The innermost attribute's type.
    pub fn leaf(&self) -> Option<u16> {
        self.types().last().copied()
    }

    /// Finds the attribute of a message that `offset` (from the start of the
    /// message, as in `NLMSGERR_ATTR_OFFS`) points at. `attrs_start` is where
    /// attributes begin (16 + aligned size of the family's fixed header).
    /// Nested sets are searched when the offset falls inside an attribute.
    pub fn resolve(msg: &[u8], attrs_start: usize, offset: usize) -> Option<AttrPath> {
        let mut path = AttrPath {
            types: [0; 16],
            depth: 0,
            offset: 0,
            inside: false,
        };
        let mut set = msg.get(attrs_start..)?;
        let mut base = attrs_start;
        'outer: loop {
            for a in AttrIter::with_offset(set, base) {
                let Ok(a) = a else { break 'outer };
                let end = a.offset() + NLA_HDRLEN + a.payload().len();
                if offset < a.offset() || offset >= end.max(a.offset() + NLA_HDRLEN) {
                    continue;
                }
                if (path.depth as usize) < path.types.len() {
                    path.types[path.depth as usize] = a.kind();
                    path.depth += 1;
                }
                path.offset = a.offset();
                path.inside = offset != a.offset();
                if offset == a.offset() || a.payload().len() < NLA_HDRLEN {
                    break 'outer;
                }
                // Offset inside the payload: try to read it as a nested set.
                set = a.payload();
                base = a.offset() + NLA_HDRLEN;
                continue 'outer;
            }
            break;
        }
        (path.depth > 0).then_some(path)
    }
}

impl fmt::Debug for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttrPath({self} at {})", self.offset)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.types().iter().enumerate() {
            if i > 0 {
                f.write_str(" > ")?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes()); // nla_len
        v.extend_from_slice(&kind.to_ne_bytes()); // nla_type
        v.extend_from_slice(payload);
        while v.len() % 4 != 0 {
            v.push(0); // padding
        }
        v
    }

    #[test]
    fn typed_getters() {
        let mut buf = attr(3, b"eth0\0"); // IFLA_IFNAME
        buf.extend(attr(4, &1500u32.to_ne_bytes())); // IFLA_MTU
        buf.extend(attr(1, &[0x02, 0, 0, 0, 0, 1])); // IFLA_ADDRESS
        buf.extend(attr(5, &[10, 0, 0, 1])); // an IPv4 address
        buf.extend(attr(6, &443u16.to_be_bytes())); // a port, network order
        buf.extend(attr(7, &(-5i64).to_ne_bytes()));
        let attrs: Vec<_> = AttrIter::new(&buf).collect::<Result<_>>().unwrap();
        assert_eq!(attrs[0].cstr().unwrap(), "eth0");
        assert_eq!(attrs[0].str().unwrap(), "eth0");
        assert_eq!(attrs[1].u32().unwrap(), 1500);
        assert_eq!(attrs[1].uint().unwrap(), 1500);
        assert_eq!(attrs[2].mac().unwrap(), [2, 0, 0, 0, 0, 1]);
        assert_eq!(
            attrs[3].ip().unwrap(),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(attrs[4].be_u16().unwrap(), 443);
        assert_eq!(attrs[5].i64().unwrap(), -5);
        assert_eq!(attrs[1].offset(), 12);
    }

    #[test]
    fn wrong_sizes_are_errors() {
        let buf = attr(4, &[1, 2, 3]);
        let a = AttrIter::new(&buf).next().unwrap().unwrap();
        assert_eq!(
            a.u32().unwrap_err(),
            Error::PayloadSize {
                kind: 4,
                expected: 4,
                got: 3
            }
        );
        assert_eq!(
            a.u8().unwrap_err(),
            Error::PayloadSize {
                kind: 4,
                expected: 1,
                got: 3
            }
        );
        assert!(a.ipv4().is_err());
        assert!(a.ip().is_err());
        assert_eq!(a.cstr().unwrap_err(), Error::MissingNul { kind: 4 });
        let bad = attr(9, &[0x66, 0xff, 0]);
        let a = AttrIter::new(&bad).next().unwrap().unwrap();
        assert_eq!(
            a.cstr().unwrap_err(),
            Error::InvalidUtf8 {
                kind: 9,
                valid_up_to: 1
            }
        );
    }

    #[test]
    fn flags_and_nesting() {
        let inner = [attr(1, &7u32.to_ne_bytes()), attr(2, b"x\0")].concat();
        let buf = attr(NLA_F_NESTED | 18, &inner); // IFLA_LINKINFO
        let a = AttrIter::new(&buf).next().unwrap().unwrap();
        assert!(a.is_nested());
        assert_eq!(a.kind(), 18);
        let kids: Vec<_> = a.nested().collect::<Result<_>>().unwrap();
        assert_eq!(kids[0].u32().unwrap(), 7);
        assert_eq!(kids[1].offset(), 12);
    }

    #[test]
    fn bad_lengths_stop_iteration() {
        let mut buf = attr(1, &[1, 2, 3, 4]);
        buf.extend_from_slice(&[2, 0, 1, 0]); // nla_len 2 < 4
        let mut it = AttrIter::new(&buf);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(
            it.next().unwrap().unwrap_err(),
            Error::AttrTooShort { at: 8, len: 2 }
        );
        assert!(it.next().is_none());
        let over = [20u8, 0, 1, 0, 0, 0, 0, 0];
        assert_eq!(
            AttrIter::new(&over).next().unwrap().unwrap_err(),
            Error::AttrTooLong {
                at: 0,
                len: 20,
                have: 8
            }
        );
        assert_eq!(
            AttrIter::with_offset(&[1, 0], 40)
                .next()
                .unwrap()
                .unwrap_err(),
            Error::Truncated {
                at: 40,
                need: 4,
                have: 2
            }
        );
    }

    #[test]
    fn resolve_nested_offset() {
        let inner = [attr(1, &7u32.to_ne_bytes()), attr(2, &[1, 2, 3, 4])].concat();
        let mut msg = vec![0u8; 16 + 16]; // nlmsghdr + a 16-byte fixed header
        msg.extend(attr(3, b"v0\0"));
        msg.extend(attr(NLA_F_NESTED | 18, &inner));
        // the second inner attribute starts at 32 + 8 + 4 + 8 = 52
        let p = AttrPath::resolve(&msg, 32, 52).unwrap();
        assert_eq!(p.types(), &[18, 2]);
        assert_eq!(p.offset, 52);
        assert!(!p.inside);
        assert_eq!(p.to_string(), "18 > 2");
        let p = AttrPath::resolve(&msg, 32, 32).unwrap();
        assert_eq!(p.types(), &[3]);
        assert!(AttrPath::resolve(&msg, 32, 4).is_none());
    }
}
