//! The two uevent formats, read in place, and written.

use crate::wire::Escaped;
use core::fmt;
use zerocopy::byteorder::{BigEndian, NativeEndian, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// udev's magic number, stored big-endian (`htobe32(0xfeedcafe)`).
pub const UDEV_MAGIC: u32 = 0xfeed_cafe;
/// The prefix that tells a udev message from a kernel one.
pub const UDEV_PREFIX: &[u8; 8] = b"libudev\0";
/// Size of udev's `struct monitor_netlink_header`.
pub const UDEV_HEADER_LEN: usize = 40;

/// udev's `struct monitor_netlink_header`, as udevd sends it to group 2.
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                 prefix "libudev\0" (8 bytes)                  |
/// +---------------------------------------------------------------+
/// |                 magic 0xfeedcafe (big-endian)                 |
/// +---------------------------------------------------------------+
/// |                      header_size (u32)                        |
/// +---------------------------------------------------------------+
/// |                     properties_off (u32)                      |
/// +---------------------------------------------------------------+
/// |                     properties_len (u32)                      |
/// +---------------------------------------------------------------+
/// |            filter_subsystem_hash (u32, big-endian)            |
/// +---------------------------------------------------------------+
/// |             filter_devtype_hash (u32, big-endian)             |
/// +---------------------------------------------------------------+
/// |           filter_tag_bloom_hi, _lo (2 x u32, big-endian)      |
/// +---------------------------------------------------------------+
/// ```
/// The sizes and offsets are in the sender's byte order; the magic and the
/// filter hashes are big-endian so that socket filters can match them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
#[doc(alias = "monitor_netlink_header")]
pub struct UdevHeader {
    /// `"libudev\0"`.
    pub prefix: [u8; 8],
    /// [`UDEV_MAGIC`], big-endian.
    pub magic: U32<BigEndian>,
    /// Size of the header as the sender knows it.
    pub header_size: U32<NativeEndian>,
    /// Offset of the properties from the start of the message.
    pub properties_off: U32<NativeEndian>,
    /// Length of the properties.
    pub properties_len: U32<NativeEndian>,
    /// MurmurHash2 of `SUBSYSTEM` (see [`udev_hash`]).
    pub filter_subsystem_hash: U32<BigEndian>,
    /// MurmurHash2 of `DEVTYPE`.
    pub filter_devtype_hash: U32<BigEndian>,
    /// Upper half of the tag bloom filter.
    pub filter_tag_bloom_hi: U32<BigEndian>,
    /// Lower half of the tag bloom filter.
    pub filter_tag_bloom_lo: U32<BigEndian>,
}

/// Who formatted a uevent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The kernel (`action@devpath\0KEY=VAL\0...`), multicast to group 1.
    Kernel,
    /// udevd after rule processing (the `libudev` header), multicast to group 2.
    Udev,
}

impl Source {
    /// `"kernel"` or `"udev"`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Kernel => "kernel",
            Source::Udev => "udev",
        }
    }
}

/// A uevent action (`kobject_action` in the kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Action {
    Add,
    Remove,
    Change,
    Move,
    Online,
    Offline,
    Bind,
    Unbind,
}

impl Action {
    /// Every action, in the kernel's order.
    pub const ALL: [Action; 8] = [
        Action::Add,
        Action::Remove,
        Action::Change,
        Action::Move,
        Action::Online,
        Action::Offline,
        Action::Bind,
        Action::Unbind,
    ];
    /// The word on the wire (`add`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Remove => "remove",
            Action::Change => "change",
            Action::Move => "move",
            Action::Online => "online",
            Action::Offline => "offline",
            Action::Bind => "bind",
            Action::Unbind => "unbind",
        }
    }
    /// The action for a word on the wire, if it is one.
    pub fn from_bytes(b: &[u8]) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name().as_bytes() == b)
    }
}

/// Why bytes are not a uevent. Offsets count from the start of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing at all.
    Empty,
    /// A udev message shorter than its header.
    Truncated {
        /// Bytes the header needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// The `libudev` prefix with another magic number.
    BadMagic {
        /// The magic found (read big-endian).
        found: u32,
    },
    /// udev's `properties_off`/`properties_len` point outside the message or into the header.
    BadProperties {
        /// `properties_off`.
        off: u32,
        /// `properties_len`.
        len: u32,
        /// Message length.
        have: usize,
    },
    /// The kernel's first string (`action@devpath`) has no `@`.
    NoAt,
    /// The kernel's first string is not NUL-terminated (there is nothing else).
    Unterminated,
    /// A property without `=`.
    NoEquals {
        /// Offset of the property.
        at: usize,
    },
    /// A property every event of this format has is missing (`ACTION`, `DEVPATH`).
    Missing {
        /// Its key.
        key: &'static str,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParseError::Empty => f.write_str("empty message"),
            ParseError::Truncated { need, have } => write!(
                f,
                "udev message of {have} bytes is shorter than its {need}-byte header"
            ),
            ParseError::BadMagic { found } => write!(
                f,
                "udev message with magic {found:#010x}, expected {UDEV_MAGIC:#010x} (big-endian)"
            ),
            ParseError::BadProperties { off, len, have } => write!(
                f,
                "udev properties at offset {off}, {len} bytes, do not fit a {have}-byte message after its header"
            ),
            ParseError::NoAt => f.write_str("kernel uevent header has no '@' (expected action@devpath)"),
            ParseError::Unterminated => {
                f.write_str("kernel uevent header is not NUL-terminated")
            }
            ParseError::NoEquals { at } => {
                write!(f, "property at offset {at} has no '=' (expected KEY=VALUE)")
            }
            ParseError::Missing { key } => write!(f, "udev message has no {key} property"),
        }
    }
}

impl std::error::Error for ParseError {}

/// One uevent, read in place: every slice borrows the receive buffer.
///
/// [`Event::parse`] validates the whole message once; after that no accessor
/// fails or panics. Bytes are kept as they are (not necessarily UTF-8); show
/// them with [`Escaped`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    source: Source,
    raw: &'a [u8],
    props_at: usize,
    action: &'a [u8],
    devpath: &'a [u8],
    subsystem: Option<&'a [u8]>,
    devtype: Option<&'a [u8]>,
    seqnum: Option<&'a [u8]>,
}

impl<'a> Event<'a> {
    /// Reads either format: a message that starts with `libudev\0` is udev's,
    /// anything else the kernel's.
    pub fn parse(raw: &'a [u8]) -> Result<Event<'a>, ParseError> {
        if raw.is_empty() {
            return Err(ParseError::Empty);
        }
        if raw.starts_with(UDEV_PREFIX) {
            Self::parse_udev(raw)
        } else {
            Self::parse_kernel(raw)
        }
    }

    fn parse_kernel(raw: &'a [u8]) -> Result<Event<'a>, ParseError> {
        let nul = raw
            .iter()
            .position(|&b| b == 0)
            .ok_or(ParseError::Unterminated)?;
        let header = &raw[..nul];
        let at = header
            .iter()
            .position(|&b| b == b'@')
            .ok_or(ParseError::NoAt)?;
        let mut ev = Event {
            source: Source::Kernel,
            raw,
            props_at: nul + 1,
            action: &header[..at],
            devpath: &header[at + 1..],
            subsystem: None,
            devtype: None,
            seqnum: None,
        };
        ev.scan()?;
        Ok(ev)
    }

    fn parse_udev(raw: &'a [u8]) -> Result<Event<'a>, ParseError> {
        let (h, _) = UdevHeader::ref_from_prefix(raw).map_err(|_| ParseError::Truncated {
            need: UDEV_HEADER_LEN,
            have: raw.len(),
        })?;
        if h.magic.get() != UDEV_MAGIC {
            return Err(ParseError::BadMagic {
                found: h.magic.get(),
            });
        }
        let (off, len) = (h.properties_off.get(), h.properties_len.get());
        let end = off as u64 + len as u64;
        if (off as usize) < UDEV_HEADER_LEN || end > raw.len() as u64 {
            return Err(ParseError::BadProperties {
                off,
                len,
                have: raw.len(),
            });
        }
        let mut ev = Event {
            source: Source::Udev,
            raw: &raw[..end as usize],
            props_at: off as usize,
            action: &[],
            devpath: &[],
            subsystem: None,
            devtype: None,
            seqnum: None,
        };
        ev.scan()?;
        let props = ev.properties();
        let find = |key: &'static str| {
            props
                .clone()
                .find(|(k, _)| *k == key.as_bytes())
                .map(|(_, v)| v)
                .ok_or(ParseError::Missing { key })
        };
        ev.action = find("ACTION")?;
        ev.devpath = find("DEVPATH")?;
        Ok(ev)
    }

    /// Checks every property and notes the well-known ones.
    fn scan(&mut self) -> Result<(), ParseError> {
        let mut at = self.props_at;
        for entry in self.raw[self.props_at..].split(|&b| b == 0) {
            if !entry.is_empty() {
                let eq = entry
                    .iter()
                    .position(|&b| b == b'=')
                    .ok_or(ParseError::NoEquals { at })?;
                let (k, v) = (&entry[..eq], &entry[eq + 1..]);
                match k {
                    b"SUBSYSTEM" => self.subsystem = Some(v),
                    b"DEVTYPE" => self.devtype = Some(v),
                    b"SEQNUM" => self.seqnum = Some(v),
                    _ => {}
                }
            }
            at += entry.len() + 1;
        }
        Ok(())
    }

    /// Who formatted it.
    pub fn source(&self) -> Source {
        self.source
    }
    /// The whole message.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }
    /// The action word as sent (`add`); see [`Event::action`].
    pub fn action_bytes(&self) -> &'a [u8] {
        self.action
    }
    /// The action, if it is one of the eight the kernel knows.
    pub fn action(&self) -> Option<Action> {
        Action::from_bytes(self.action)
    }
    /// The device path under `/sys` (`/devices/virtual/net/d0`).
    pub fn devpath(&self) -> &'a [u8] {
        self.devpath
    }
    /// `SUBSYSTEM`.
    pub fn subsystem(&self) -> Option<&'a [u8]> {
        self.subsystem
    }
    /// `DEVTYPE`.
    pub fn devtype(&self) -> Option<&'a [u8]> {
        self.devtype
    }
    /// `SEQNUM` as sent.
    pub fn seqnum_bytes(&self) -> Option<&'a [u8]> {
        self.seqnum
    }
    /// `SEQNUM` as a number (`None` if absent or not a decimal u64).
    pub fn seqnum(&self) -> Option<u64> {
        core::str::from_utf8(self.seqnum?).ok()?.parse().ok()
    }
    /// The properties (`KEY=VALUE`), in the order they were sent.
    pub fn properties(&self) -> Properties<'a> {
        Properties {
            rest: &self.raw[self.props_at..],
        }
    }
    /// The value of the first property `key`.
    pub fn property(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.properties().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    /// The udev header, for a udev message.
    pub fn udev_header(&self) -> Option<&'a UdevHeader> {
        match self.source {
            Source::Udev => UdevHeader::ref_from_prefix(self.raw).ok().map(|(h, _)| h),
            Source::Kernel => None,
        }
    }
    /// True if the event matches `subsystem` (and `devtype`, when given), as
    /// `udevadm monitor --subsystem-match` does.
    pub fn matches(&self, subsystem: &[u8], devtype: Option<&[u8]>) -> bool {
        self.subsystem == Some(subsystem) && devtype.is_none_or(|d| self.devtype == Some(d))
    }
}

/// The properties of an [`Event`]: `(key, value)` pairs borrowed from the
/// buffer. Every entry was checked by [`Event::parse`], so this never fails.
#[derive(Clone, Debug)]
pub struct Properties<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Properties<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let end = self
                .rest
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(self.rest.len());
            let entry = &self.rest[..end];
            self.rest = self.rest.get(end + 1..).unwrap_or(&[]);
            if let Some(eq) = entry.iter().position(|&b| b == b'=') {
                return Some((&entry[..eq], &entry[eq + 1..]));
            }
            // Only empty entries get here (parse rejected the others): skip them.
        }
    }
}

impl fmt::Display for Event<'_> {
    /// `kernel add /devices/virtual/net/d0 (net) seqnum 1234`, then one
    /// `KEY=VALUE` per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} ({})",
            self.source.name(),
            Escaped::new(self.action),
            Escaped::new(self.devpath),
            Escaped::new(self.subsystem.unwrap_or(b"n/a"))
        )?;
        if let Some(s) = self.seqnum {
            write!(f, " seqnum {}", Escaped::new(s))?;
        }
        for (k, v) in self.properties() {
            write!(f, "\n  {}={}", Escaped::new(k), Escaped::new(v))?;
        }
        Ok(())
    }
}

/// Appends a message in the kernel's format: `action@devpath\0`, then each
/// property as `KEY=VALUE\0`. (The kernel itself also sends `ACTION`,
/// `DEVPATH`, `SUBSYSTEM` and, last, `SEQNUM` as properties; pass them if
/// you want them.)
pub fn emit_kernel(buf: &mut Vec<u8>, action: &[u8], devpath: &[u8], props: &[(&[u8], &[u8])]) {
    buf.extend_from_slice(action);
    buf.push(b'@');
    buf.extend_from_slice(devpath);
    buf.push(0);
    emit_props(buf, props);
}

fn emit_props(buf: &mut Vec<u8>, props: &[(&[u8], &[u8])]) {
    for (k, v) in props {
        buf.extend_from_slice(k);
        buf.push(b'=');
        buf.extend_from_slice(v);
        buf.push(0);
    }
}

/// Appends a message in udev's format: the header (magic, offsets, the
/// subsystem and devtype hashes filled in from the properties; no tag bloom
/// filter), then the properties. udev's messages carry at least `ACTION`,
/// `DEVPATH`, `SUBSYSTEM` and `SEQNUM`.
pub fn emit_udev(buf: &mut Vec<u8>, props: &[(&[u8], &[u8])]) {
    let start = buf.len();
    buf.resize(start + UDEV_HEADER_LEN, 0);
    emit_props(buf, props);
    let hash = |key: &[u8]| {
        props
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, v)| udev_hash(v))
    };
    let h = UdevHeader {
        prefix: *UDEV_PREFIX,
        magic: UDEV_MAGIC.into(),
        header_size: (UDEV_HEADER_LEN as u32).into(),
        properties_off: (UDEV_HEADER_LEN as u32).into(),
        properties_len: ((buf.len() - start - UDEV_HEADER_LEN) as u32).into(),
        filter_subsystem_hash: hash(b"SUBSYSTEM").into(),
        filter_devtype_hash: hash(b"DEVTYPE").into(),
        filter_tag_bloom_hi: 0.into(),
        filter_tag_bloom_lo: 0.into(),
    };
    buf[start..start + UDEV_HEADER_LEN].copy_from_slice(h.as_bytes());
}

/// The hash udev puts in its header for socket filters: MurmurHash2 (32-bit,
/// seed 0) of the value.
pub fn udev_hash(data: &[u8]) -> u32 {
    const M: u32 = 0x5bd1_e995;
    let mut h = data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u32) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET_ADD: &[u8] = b"add@/devices/virtual/net/d0\0\
ACTION=add\0\
DEVPATH=/devices/virtual/net/d0\0\
SUBSYSTEM=net\0\
INTERFACE=d0\0\
IFINDEX=7\0\
SEQNUM=4711\0";

    #[test]
    fn kernel_event() {
        let ev = Event::parse(NET_ADD).unwrap();
        assert_eq!(ev.source(), Source::Kernel);
        assert_eq!(ev.action(), Some(Action::Add));
        assert_eq!(ev.devpath(), b"/devices/virtual/net/d0");
        assert_eq!(ev.subsystem(), Some(&b"net"[..]));
        assert_eq!(ev.devtype(), None);
        assert_eq!(ev.seqnum(), Some(4711));
        assert_eq!(ev.property(b"IFINDEX"), Some(&b"7"[..]));
        let keys: Vec<&[u8]> = ev.properties().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                &b"ACTION"[..],
                b"DEVPATH",
                b"SUBSYSTEM",
                b"INTERFACE",
                b"IFINDEX",
                b"SEQNUM"
            ]
        );
        assert!(ev.matches(b"net", None));
        assert!(!ev.matches(b"net", Some(b"wlan")));
        assert!(!ev.matches(b"block", None));
        // emit gives the same bytes back
        let mut buf = Vec::new();
        let props: Vec<(&[u8], &[u8])> = ev.properties().collect();
        emit_kernel(&mut buf, b"add", b"/devices/virtual/net/d0", &props);
        assert_eq!(buf, NET_ADD);
    }

    #[test]
    fn kernel_event_without_trailing_nul_keeps_the_last_property() {
        let ev = Event::parse(b"change@/x\0A=1\0B=2").unwrap();
        assert_eq!(ev.action(), Some(Action::Change));
        assert_eq!(
            ev.properties().collect::<Vec<_>>(),
            [(&b"A"[..], &b"1"[..]), (b"B", b"2")]
        );
    }

    #[test]
    fn non_utf8_bytes_are_kept_and_escaped() {
        let ev = Event::parse(b"add@/devices/\xff\0NAME=caf\xc3\xa9\xfe\0SUBSYSTEM=x\0").unwrap();
        assert_eq!(ev.devpath(), b"/devices/\xff");
        assert_eq!(ev.property(b"NAME"), Some(&b"caf\xc3\xa9\xfe"[..]));
        assert_eq!(
            ev.to_string(),
            "kernel add /devices/\\xff (x)\n  NAME=café\\xfe\n  SUBSYSTEM=x"
        );
    }

    #[test]
    fn unknown_actions_are_kept() {
        let ev = Event::parse(b"frobnicate@/x\0").unwrap();
        assert_eq!(ev.action(), None);
        assert_eq!(ev.action_bytes(), b"frobnicate");
    }

    #[test]
    fn bad_kernel_events_say_why() {
        assert_eq!(Event::parse(b""), Err(ParseError::Empty));
        assert_eq!(Event::parse(b"add/devices\0"), Err(ParseError::NoAt));
        assert_eq!(Event::parse(b"add@/x"), Err(ParseError::Unterminated));
        assert_eq!(
            Event::parse(b"add@/x\0A=1\0junk\0"),
            Err(ParseError::NoEquals { at: 11 })
        );
    }

    fn udev_props() -> Vec<(&'static [u8], &'static [u8])> {
        vec![
            (b"ACTION", b"add"),
            (b"DEVPATH", b"/devices/virtual/net/d0"),
            (b"SUBSYSTEM", b"net"),
            (b"DEVTYPE", b"veth"),
            (b"SEQNUM", b"99"),
            (b"ID_NET_NAME", b"d0"),
        ]
    }

    #[test]
    fn udev_event() {
        let mut buf = Vec::new();
        emit_udev(&mut buf, &udev_props());
        // The header, field by field.
        let mut want = Vec::new();
        want.extend_from_slice(b"libudev\0"); // prefix
        want.extend_from_slice(&0xfeedcafeu32.to_be_bytes()); // magic, big-endian
        want.extend_from_slice(&40u32.to_ne_bytes()); // header_size
        want.extend_from_slice(&40u32.to_ne_bytes()); // properties_off
        want.extend_from_slice(&((buf.len() - 40) as u32).to_ne_bytes()); // properties_len
        want.extend_from_slice(&udev_hash(b"net").to_be_bytes()); // filter_subsystem_hash
        want.extend_from_slice(&udev_hash(b"veth").to_be_bytes()); // filter_devtype_hash
        want.extend_from_slice(&[0; 8]); // tag bloom
        want.extend_from_slice(b"ACTION=add\0DEVPATH=/devices/virtual/net/d0\0SUBSYSTEM=net\0");
        want.extend_from_slice(b"DEVTYPE=veth\0SEQNUM=99\0ID_NET_NAME=d0\0");
        assert_eq!(buf, want);

        let ev = Event::parse(&buf).unwrap();
        assert_eq!(ev.source(), Source::Udev);
        assert_eq!(ev.action(), Some(Action::Add));
        assert_eq!(ev.devpath(), b"/devices/virtual/net/d0");
        assert!(ev.matches(b"net", Some(b"veth")));
        assert_eq!(ev.seqnum(), Some(99));
        assert_eq!(ev.properties().count(), 6);
        assert_eq!(
            ev.udev_header().unwrap().filter_subsystem_hash.get(),
            udev_hash(b"net")
        );
    }

    #[test]
    fn bad_udev_events_say_why() {
        let mut buf = Vec::new();
        emit_udev(&mut buf, &udev_props());
        let mut bad = buf.clone();
        bad[8] = 0xca; // magic byte order swapped
        bad[9] = 0xfe;
        bad[10] = 0xed;
        bad[11] = 0xfe;
        assert_eq!(
            Event::parse(&bad),
            Err(ParseError::BadMagic { found: 0xcafeedfe })
        );
        assert_eq!(
            Event::parse(&buf[..20]),
            Err(ParseError::Truncated { need: 40, have: 20 })
        );
        let mut long = buf.clone();
        long[20..24].copy_from_slice(&1000u32.to_ne_bytes()); // properties_len
        assert!(matches!(
            Event::parse(&long),
            Err(ParseError::BadProperties { len: 1000, .. })
        ));
        let mut no_action = Vec::new();
        emit_udev(&mut no_action, &[(b"DEVPATH", b"/x")]);
        assert_eq!(
            Event::parse(&no_action),
            Err(ParseError::Missing { key: "ACTION" })
        );
        assert!(ParseError::BadMagic { found: 1 }
            .to_string()
            .contains("expected 0xfeedcafe"));
    }

    #[test]
    fn murmur_hash_matches_reference_values() {
        // MurmurHash2, seed 0, as computed by an independent (Python) implementation
        // of the published algorithm: every tail length is covered.
        assert_eq!(udev_hash(b""), 0);
        assert_eq!(udev_hash(b"a"), 0x92685f5e);
        assert_eq!(udev_hash(b"net"), 0xa74d3cc8);
        assert_eq!(udev_hash(b"block"), 0xf0031db7);
        assert_eq!(udev_hash(b"hello world"), 0x44a81419);
    }
}
