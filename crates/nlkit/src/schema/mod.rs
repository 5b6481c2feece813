//! The schema shared by every family: attribute sets, value kinds, fixed
//! headers and name tables, as data.
//!
//! A family declares each attribute once, as one row of an [`attr_table!`]
//! (its number, its constant name, its [`ValueKind`]); typed views and owned
//! forms are declared with [`typed_attrs!`] over the same constants, fixed
//! headers with [`fixed_header!`] from their zerocopy struct. The decoders
//! ([`walk`], [`typed`], [`format_value`], [`inner`]) need nothing else:
//! what is special-cased in one family is a general kind here (a sub-message
//! chosen by a sibling attribute, a fixed header then attributes, an array
//! of fixed records each followed by attributes).
//!
//! This module imports [`wire`](crate::wire) only, never a family. Its
//! types hold `&'static` data so that static tables cost nothing; a schema
//! built at run time (a YAML spec) produces the same values by leaking its
//! tables (`Box::leak`), once per loaded spec. Nothing here panics on any
//! input: a value that does not fit its kind is shown raw, with a note.

mod macros;
mod value;
mod walk;

pub use value::{
    escape_bytes, format_value, read_raw, read_struct, struct_bytes, typed, AttrValue, Be,
    FromView, Name, NameBuf, Typed, Value,
};
pub use walk::{inner, unknown, walk, AttrNode, Inner, Record, RecordIter, Siblings, MAX_DEPTH};

#[doc(inline)]
pub use crate::{attr_table, fixed_header, struct_value, typed_attrs, value_names};

use crate::wire;
use core::fmt;
use core::fmt::Write as _;

/// Names of the values (or bits) of an integer: `(value, name)`.
pub type Names = &'static [(u32, &'static str)];

/// How an integer is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Int {
    /// `u8`.
    U8,
    /// Native-endian `u16`.
    U16,
    /// Native-endian `u32`.
    U32,
    /// Native-endian `u64`.
    U64,
    /// Native-endian `i32`.
    I32,
    /// Native-endian `i64`.
    I64,
    /// Big-endian `u16`.
    BeU16,
    /// Big-endian `u32`.
    BeU32,
    /// Big-endian `u64` (a tunnel id).
    BeU64,
    /// `NLA_UINT`: a native-endian `u32` or `u64`.
    Uint,
    /// `i8`.
    I8,
    /// Native-endian `i16`.
    I16,
    /// `NLA_SINT`: a native-endian `i32` or `i64`.
    Sint,
}

/// An integer read from the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    /// From an unsigned layout.
    Unsigned(u64),
    /// From a signed layout.
    Signed(i64),
}

impl Num {
    /// The value's bits as a `u64` (two's complement for negative values).
    pub fn bits(self) -> u64 {
        match self {
            Num::Unsigned(v) => v,
            Num::Signed(v) => v as u64,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Unsigned(v) => write!(f, "{v}"),
            Num::Signed(v) => write!(f, "{v}"),
        }
    }
}

impl Int {
    /// Payload size; `None` for [`Int::Uint`] (4 or 8).
    pub const fn size(self) -> Option<usize> {
        Some(match self {
            Int::U8 | Int::I8 => 1,
            Int::U16 | Int::BeU16 | Int::I16 => 2,
            Int::U32 | Int::I32 | Int::BeU32 => 4,
            Int::U64 | Int::I64 | Int::BeU64 => 8,
            Int::Uint | Int::Sint => return None,
        })
    }
    /// Reads `b`, which must be exactly the integer's size.
    pub fn read(self, b: &[u8]) -> Option<Num> {
        use Num::{Signed as S, Unsigned as U};
        Some(match (self, b.len()) {
            (Int::U8, 1) => U(u64::from(b[0])),
            (Int::U16, 2) => U(u64::from(u16::from_ne_bytes(b.try_into().ok()?))),
            (Int::BeU16, 2) => U(u64::from(u16::from_be_bytes(b.try_into().ok()?))),
            (Int::U32 | Int::Uint, 4) => U(u64::from(u32::from_ne_bytes(b.try_into().ok()?))),
            (Int::BeU32, 4) => U(u64::from(u32::from_be_bytes(b.try_into().ok()?))),
            (Int::I32, 4) => S(i64::from(i32::from_ne_bytes(b.try_into().ok()?))),
            (Int::U64 | Int::Uint, 8) => U(u64::from_ne_bytes(b.try_into().ok()?)),
            (Int::I64, 8) => S(i64::from_ne_bytes(b.try_into().ok()?)),
            (Int::BeU64, 8) => U(u64::from_be_bytes(b.try_into().ok()?)),
            (Int::I8, 1) => S(i64::from(b[0] as i8)),
            (Int::I16, 2) => S(i64::from(i16::from_ne_bytes(b.try_into().ok()?))),
            (Int::Sint, 4) => S(i64::from(i32::from_ne_bytes(b.try_into().ok()?))),
            (Int::Sint, 8) => S(i64::from_ne_bytes(b.try_into().ok()?)),
            _ => return None,
        })
    }
    /// Why a payload of `got` bytes is not this integer.
    pub(crate) fn size_note(self, got: usize) -> String {
        match self.size() {
            Some(n) => format!("{got} bytes of payload, expected {n}"),
            None => format!("{got} bytes of payload, expected 4 or 8"),
        }
    }
}

/// The name of value `v` in `names`.
pub fn enum_name(names: Names, v: u64) -> Option<&'static str> {
    names
        .iter()
        .find(|(n, _)| u64::from(*n) == v)
        .map(|(_, s)| *s)
}

/// The names of the bits set in `v`, joined by `|`, bits without a name
/// as one hex number at the end (`UP|LOOPBACK|0x100000`); `None` for 0.
pub fn bits_text(names: Names, v: u64) -> Option<String> {
    if v == 0 {
        return None;
    }
    let mut rest = v;
    let mut out = Vec::new();
    for &(bit, name) in names {
        let bit = u64::from(bit);
        if bit != 0 && rest & bit == bit {
            out.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    Some(out.join("|"))
}

/// How an attribute's value is laid out.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum ValueKind {
    /// Opaque bytes (shown as hex).
    Bytes,
    /// `u8`.
    U8,
    /// Native-endian `u16`.
    U16,
    /// Native-endian `u32`.
    U32,
    /// Native-endian `u64` (older kernels send some as 4 bytes: read as `NLA_UINT`).
    U64,
    /// Native-endian `i32`.
    I32,
    /// Big-endian `u16` (a port, an ethertype).
    BeU16,
    /// Big-endian `u32`.
    BeU32,
    /// Any other integer layout (`NLA_UINT`, `i64`, big-endian `u64`).
    Int(Int),
    /// An integer with names for its values (`IF_OPER_*`).
    Enum(Int, Names),
    /// An integer made of flag bits, with their names (`IFA_F_*`).
    Bits(Int, Names),
    /// A C struct of counters of one width, with the field names
    /// (`rtnl_link_stats64`); extra counters are shown as `field_N`.
    Counters(Int, &'static [&'static str]),
    /// An array of integers (`IFLA_INET6_CONF`).
    List(Int),
    /// A string, NUL-terminated or not; bytes that are not UTF-8 are kept
    /// (see [`Name`]).
    Str,
    /// An IPv4 or IPv6 address.
    Ip,
    /// A link-layer address (shown `aa:bb:..`).
    Mac,
    /// A flag: present, no payload.
    Flag,
    /// A nested set.
    Nested(&'static AttrSet),
    /// A nested set whose members nlkit cannot name (shown as a tree of types).
    NestedAny,
    /// A nested array (also "nest-type-value"): each member's type is its
    /// index or key, and each holds this kind.
    Array(&'static ValueKind),
    /// A sub-message: the set of the nested attributes is chosen by the
    /// value of a sibling attribute (`IFLA_INFO_DATA` by `IFLA_INFO_KIND`,
    /// `TCA_OPTIONS` by `TCA_KIND`).
    SubMessage(&'static SubMessage),
    /// A fixed header, then attributes of a set (`VETH_INFO_PEER`: an
    /// `ifinfomsg`, then link attributes).
    HeaderThen(&'static FixedHeader, &'static AttrSet),
    /// An array of fixed records, each followed by attributes
    /// (`RTA_MULTIPATH`: `rtnexthop`s).
    Records(&'static Records),
    /// A C struct, by name (shown as hex).
    Struct(&'static str),
    /// A C struct whose integer fields have names (a YAML spec's `binary`
    /// with `struct:`): read field by field as a [`FixedHeader`] is.
    Fields(&'static FixedHeader),
    /// An attribute that may appear several times in its set (a spec's
    /// `multi-attr`); each occurrence holds this kind.
    Multi(&'static ValueKind),
    /// Padding (`IFLA_PAD`): present for alignment, carries nothing.
    Pad,
}

impl ValueKind {
    /// The kind of one occurrence: the item of a [`ValueKind::Multi`],
    /// any other kind as it is.
    pub fn one(self) -> ValueKind {
        match self {
            ValueKind::Multi(k) => *k,
            k => k,
        }
    }
    /// The integer layout of an integer kind.
    pub fn int(self) -> Option<Int> {
        Some(match self.one() {
            ValueKind::U8 => Int::U8,
            ValueKind::U16 => Int::U16,
            ValueKind::U32 => Int::U32,
            // `a.uint()` semantics: older kernels send some 64-bit values as 4 bytes.
            ValueKind::U64 => Int::Uint,
            ValueKind::I32 => Int::I32,
            ValueKind::BeU16 => Int::BeU16,
            ValueKind::BeU32 => Int::BeU32,
            ValueKind::Int(i) | ValueKind::Enum(i, _) | ValueKind::Bits(i, _) => i,
            _ => return None,
        })
    }
    /// True for the kinds whose payload is more attributes (or records).
    pub fn is_nest(self) -> bool {
        matches!(
            self.one(),
            ValueKind::Nested(_)
                | ValueKind::NestedAny
                | ValueKind::Array(_)
                | ValueKind::SubMessage(_)
                | ValueKind::HeaderThen(..)
                | ValueKind::Records(_)
        )
    }
    /// The attribute sets this kind refers to directly (for walking a schema).
    pub fn sets(self) -> Vec<&'static AttrSet> {
        match self.one() {
            ValueKind::Nested(s) | ValueKind::HeaderThen(_, s) => vec![s],
            ValueKind::Array(k) => k.sets(),
            ValueKind::SubMessage(m) => m.sets.iter().map(|(_, s)| *s).collect(),
            ValueKind::Records(r) => r.set.into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// A sub-message: nested attributes whose set is chosen by the value of a
/// sibling attribute, read as a string (`IFLA_INFO_KIND` `"vxlan"`).
#[derive(Debug)]
pub struct SubMessage {
    /// The name of the selector attribute (`IFLA_INFO_KIND`), for messages.
    pub name: &'static str,
    /// The type of the sibling attribute whose value chooses the set.
    pub selector: u16,
    /// `(selector value, set)`; a value not listed leaves the nest unnamed.
    pub sets: &'static [(&'static str, &'static AttrSet)],
    /// `(selector value, fixed header)`: formats whose payload starts with
    /// a struct (tc's `tc-fifo-qopt` for `pfifo`), before their attributes
    /// (if any). [`SubMessage::NO_HEADERS`] for tables without any.
    pub headers: &'static [(&'static str, &'static FixedHeader)],
}

impl SubMessage {
    /// The `headers` of a sub-message whose formats are attributes only.
    pub const NO_HEADERS: &'static [(&'static str, &'static FixedHeader)] = &[];

    /// The fixed header for selector value `v`, if its format has one.
    pub fn header_for(&self, v: &[u8]) -> Option<&'static FixedHeader> {
        self.headers
            .iter()
            .find(|(k, _)| k.as_bytes() == v)
            .map(|(_, h)| *h)
    }
    /// The set for selector value `v`.
    pub fn set_for(&self, v: &[u8]) -> Option<&'static AttrSet> {
        self.sets
            .iter()
            .find(|(k, _)| k.as_bytes() == v)
            .map(|(_, s)| *s)
    }
}

/// An array of fixed records, each followed by attributes (`rtnexthop`).
#[derive(Debug)]
pub struct Records {
    /// The record's fixed part.
    pub header: &'static FixedHeader,
    /// Where in the fixed part a native-endian `u16` holds the whole
    /// record's length (header and attributes); `None`: records are the
    /// header alone.
    pub len_at: Option<usize>,
    /// The set of the attributes after each header.
    pub set: Option<&'static AttrSet>,
}

/// One attribute of a set.
#[derive(Clone, Copy, Debug)]
pub struct AttrDef {
    /// Type number.
    pub kind: u16,
    /// Kernel constant name (`IFLA_MTU`).
    pub name: &'static str,
    /// Value layout.
    pub value: ValueKind,
}

/// A set of attributes (`IFLA_*`, `RTA_*`, `CTRL_ATTR_*`...).
#[derive(Debug)]
pub struct AttrSet {
    /// The set's name (`link`, `route`...).
    pub name: &'static str,
    /// Its attributes, by type number.
    pub defs: &'static [AttrDef],
}

impl AttrSet {
    /// The definition of attribute `kind`, if known.
    pub fn get(&self, kind: u16) -> Option<&'static AttrDef> {
        // Tables are mostly numbered densely from their first row: try the
        // row at that position before searching.
        let first = self.defs.first()?.kind;
        let at = usize::from(kind.wrapping_sub(first));
        match self.defs.get(at) {
            Some(d) if d.kind == kind => Some(d),
            _ => self.defs.iter().find(|d| d.kind == kind),
        }
    }
    /// True if `kind` is in this set.
    pub fn knows(&self, kind: u16) -> bool {
        self.get(kind).is_some()
    }
    /// The constant name of attribute `kind` (`IFLA_MTU`).
    pub fn name_of(&self, kind: u16) -> Option<&'static str> {
        self.get(kind).map(|d| d.name)
    }
    /// Names a path of attribute types (`[18, 2, 1]` with `selector`
    /// `vxlan` is `IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID`); `None`
    /// if any level is unknown. `selector` is the value of the sibling that
    /// chooses a sub-message's set (the link kind); without it, a
    /// sub-message stops the naming.
    pub fn path_name(&self, path: &[u16], selector: Option<&str>) -> Option<String> {
        let names: Option<Vec<String>> = self.resolve(path, selector).names.into_iter().collect();
        Some(names?.join(" > "))
    }
    /// Follows a path of attribute types through nests: each level's name
    /// (`[i]` for a member of a nested array, `None` where the tables stop
    /// knowing), and the set the last attribute holds.
    pub fn resolve<'s>(&'s self, path: &[u16], selector: Option<&str>) -> PathInfo<'s> {
        let mut set: Option<&'s AttrSet> = Some(self);
        let mut item: Option<&'static ValueKind> = None;
        let mut names = Vec::with_capacity(path.len());
        for &t in path {
            let kind = match item {
                Some(it) => {
                    names.push(Some(format!("[{t}]")));
                    Some(*it)
                }
                None => {
                    let d = set.and_then(|s| s.get(t));
                    names.push(d.map(|d| d.name.to_string()));
                    d.map(|d| d.value.one())
                }
            };
            (set, item) = match kind {
                Some(ValueKind::Nested(s) | ValueKind::HeaderThen(_, s)) => (Some(s), None),
                Some(ValueKind::Array(it)) => (None, Some(it)),
                Some(ValueKind::SubMessage(m)) => {
                    (selector.and_then(|v| m.set_for(v.as_bytes())), None)
                }
                Some(ValueKind::Records(r)) => (r.set, None),
                _ => (None, None),
            };
        }
        PathInfo { names, set }
    }
}

/// A path of attribute types, named by [`AttrSet::resolve`].
#[derive(Clone, Debug)]
pub struct PathInfo<'s> {
    /// Each level's name, `None` where unknown.
    pub names: Vec<Option<String>>,
    /// The set the last attribute holds, if it is a nest of a known set.
    pub set: Option<&'s AttrSet>,
}

// ---------------------------------------------------------------------------
// Fixed headers.

/// How a field of a family header is shown.
#[derive(Clone, Copy, Debug)]
pub enum Show {
    /// Decimal.
    Dec,
    /// Hex.
    Hex,
    /// A value with names (`AF_INET`).
    Enum(Names),
    /// Flag bits with names (`UP|LOOPBACK`), in hex.
    Bits(Names),
    /// A fixed-size byte array of this many bytes (a spec's `binary`
    /// struct member, tc's `priomap`), shown as hex; the field's `int` is
    /// not used.
    Bytes(usize),
    /// A fixed-size char array of this many bytes (a `string` struct
    /// member), shown as text up to the first NUL; `int` is not used.
    Text(usize),
}

/// One field of a family header (`ifi_flags`).
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The C field name.
    pub name: &'static str,
    /// Byte offset in the struct.
    pub offset: usize,
    /// Layout.
    pub int: Int,
    /// How to show it.
    pub show: Show,
}

/// A field, for tables: `field("ifi_index", 4, Int::I32, Show::Dec)`.
/// Headers that have a zerocopy struct are declared with [`fixed_header!`],
/// which takes the offsets from the struct.
pub const fn field(name: &'static str, offset: usize, int: Int, show: Show) -> Field {
    Field {
        name,
        offset,
        int,
        show,
    }
}

/// A family header (`struct ifinfomsg`), field by field; padding and
/// reserved fields are left out.
#[derive(Debug)]
pub struct FixedHeader {
    /// The C struct name.
    pub name: &'static str,
    /// `sizeof` (before alignment).
    pub size: usize,
    /// The fields worth showing.
    pub fields: &'static [Field],
}

/// A field read from a header: `ifi_flags 0x49 (UP|LOOPBACK|RUNNING)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldValue {
    /// The C field name.
    pub name: &'static str,
    /// The value.
    pub value: Num,
    /// The symbolic value (`AF_INET`, `UP|LOOPBACK`), when known.
    pub names: Option<String>,
    /// Shown in hex.
    pub hex: bool,
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.name)?;
        if self.hex {
            write!(f, "{:#x}", self.value.bits())?;
        } else {
            write!(f, "{}", self.value)?;
        }
        match &self.names {
            Some(t) => write!(f, " ({t})"),
            None => Ok(()),
        }
    }
}

impl Field {
    /// This field's value in `header` (`None` if the header is too short).
    pub fn read(&self, header: &[u8]) -> Option<FieldValue> {
        if matches!(self.show, Show::Bytes(_) | Show::Text(_)) {
            return None;
        }
        let size = self.int.size()?;
        let value = self
            .int
            .read(header.get(self.offset..self.offset + size)?)?;
        let (names, hex) = match self.show {
            Show::Dec => (None, false),
            Show::Hex => (None, true),
            Show::Enum(n) => (enum_name(n, value.bits()).map(str::to_string), false),
            Show::Bits(n) => (bits_text(n, value.bits()), true),
            Show::Bytes(_) | Show::Text(_) => return None,
        };
        Some(FieldValue {
            name: self.name,
            value,
            names,
            hex,
        })
    }
}

impl FixedHeader {
    /// The fields of the header at the start of `payload`, as far as it goes.
    pub fn read(&self, payload: &[u8]) -> Vec<FieldValue> {
        self.fields.iter().filter_map(|f| f.read(payload)).collect()
    }
}

/// Where a message's attributes start, given its family header `H`: the
/// attributes after `H` in `payload` (empty if short) and their offset in
/// the message.
pub fn split_payload<H>(payload: &[u8]) -> (&[u8], usize) {
    let at = wire::align(core::mem::size_of::<H>());
    (payload.get(at..).unwrap_or(&[]), wire::NLMSG_HDRLEN + at)
}

/// Splits a message payload into its family header `H` and the attributes
/// after it (with their offset in the message); `Truncated` if the payload
/// is shorter than the header.
pub fn split_header<H>(payload: &[u8]) -> wire::Result<(&H, &[u8], usize)>
where
    H: zerocopy::FromBytes + zerocopy::KnownLayout + zerocopy::Immutable,
{
    let (header, _) = H::ref_from_prefix(payload).map_err(|_| wire::Error::Truncated {
        at: wire::NLMSG_HDRLEN,
        need: core::mem::size_of::<H>(),
        have: payload.len(),
    })?;
    let (attrs, attrs_at) = split_payload::<H>(payload);
    Ok((header, attrs, attrs_at))
}

// ---------------------------------------------------------------------------
// Text helpers.

/// Lowercase hex of `b`, no separators.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// A link-layer address as `aa:bb:cc:dd:ee:ff` (any length).
pub fn mac_string(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Parses `aa:bb:cc:dd:ee:ff` (any number of bytes).
pub fn parse_mac(s: &str) -> Option<Vec<u8>> {
    s.split(':')
        .map(|p| {
            if p.is_empty() || p.len() > 2 {
                None
            } else {
                u8::from_str_radix(p, 16).ok()
            }
        })
        .collect()
}
