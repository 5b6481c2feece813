//! Reading values: by [`ValueKind`] for decoders ([`typed`],
//! [`format_value`]), and by Rust type for views and owned forms
//! ([`AttrValue`], which [`typed_attrs!`](crate::typed_attrs) goes through).
//! Strings are read as [`Name`]s: bytes kept as they came, never an error.

use super::{bits_text, enum_name, hex, mac_string, Int, Num, ValueKind};
use crate::wire::{self, Attr, MsgWriter};
use core::fmt;
use std::borrow::Cow;
use std::net::IpAddr;

/// An attribute's value, read as its [`ValueKind`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// An integer (plain, enumerated or bits).
    Num(Num),
    /// A string, up to its first NUL, escaped as [`escape_bytes`] does
    /// when it is not UTF-8.
    Str(String),
    /// An address.
    Ip(IpAddr),
    /// A link-layer address, `aa:bb:cc:dd:ee:ff`.
    Mac(String),
    /// A flag that is present.
    Flag,
    /// Named counters, in order.
    Counters(Vec<(String, Num)>),
    /// An array of integers.
    List(Vec<Num>),
}

/// A value read by [`typed`]: the value, its text, and the names of its value or bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    /// The value.
    pub value: Value,
    /// Shown for people: `65536`, `"lo"`, `2 (DOWN)`, `0x49 (UP|LOOPBACK|RUNNING)`,
    /// `rx_packets 3, tx_packets 3`, `[1, 0, 1]`.
    pub text: String,
    /// The symbolic value alone (`DOWN`, `UP|LOOPBACK`), for enums and bits.
    pub names: Option<String>,
}

impl Typed {
    fn plain(value: Value, text: String) -> Typed {
        Typed {
            value,
            text,
            names: None,
        }
    }
}

fn read_num(int: Int, p: &[u8]) -> Result<Num, String> {
    int.read(p).ok_or_else(|| int.size_note(p.len()))
}

fn read_nums(int: Int, p: &[u8], what: &str) -> Result<Vec<Num>, String> {
    let w = int.size().unwrap_or(8);
    if p.len() % w != 0 {
        return Err(format!(
            "{} bytes is not a whole number of {w}-byte {what}",
            p.len()
        ));
    }
    Ok(p.chunks(w).filter_map(|c| int.read(c)).collect())
}

/// Reads an attribute's value as `kind` says. `Ok(None)` for opaque
/// payloads (bytes, C structs without field names, nests); `Err` says why
/// the payload does not fit the kind (`2 bytes of payload, expected 4`):
/// the caller shows it raw, with that note.
pub fn typed(kind: ValueKind, a: &Attr<'_>) -> Result<Option<Typed>, String> {
    let p = a.payload();
    let t = match kind.one() {
        ValueKind::Enum(int, names) => {
            let n = read_num(int, p)?;
            let names = enum_name(names, n.bits()).map(str::to_string);
            let text = match &names {
                Some(t) => format!("{n} ({t})"),
                None => n.to_string(),
            };
            Typed {
                value: Value::Num(n),
                text,
                names,
            }
        }
        ValueKind::Bits(int, names) => {
            let n = read_num(int, p)?;
            let names = bits_text(names, n.bits());
            let text = match &names {
                Some(t) => format!("{:#x} ({t})", n.bits()),
                None => "0".to_string(),
            };
            Typed {
                value: Value::Num(n),
                text,
                names,
            }
        }
        ValueKind::Str => {
            let s = Name::new(p).to_string();
            Typed::plain(Value::Str(s.clone()), format!("{s:?}"))
        }
        ValueKind::Ip => {
            let ip = a
                .ip()
                .map_err(|_| format!("{} bytes is not an IPv4 or IPv6 address", p.len()))?;
            Typed::plain(Value::Ip(ip), ip.to_string())
        }
        ValueKind::Mac => {
            let s = mac_string(p);
            Typed::plain(Value::Mac(s.clone()), s)
        }
        ValueKind::Flag if p.is_empty() => Typed::plain(Value::Flag, "(flag)".into()),
        ValueKind::Flag => return Err(format!("a flag should be empty, has {} bytes", p.len())),
        ValueKind::Counters(int, names) => {
            let w = int.size().unwrap_or(8);
            if p.is_empty() {
                return Err(format!(
                    "0 bytes is not a whole number of {w}-byte counters"
                ));
            }
            let nums = read_nums(int, p, "counters")?;
            let fields: Vec<(String, Num)> = nums
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let key = names
                        .get(i)
                        .map_or_else(|| format!("field_{i}"), |n| n.to_string());
                    (key, v)
                })
                .collect();
            let nonzero: Vec<String> = fields
                .iter()
                .filter(|(_, v)| v.bits() != 0)
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let text = if nonzero.is_empty() {
                format!("all {} counters 0", fields.len())
            } else {
                nonzero.join(", ")
            };
            Typed::plain(Value::Counters(fields), text)
        }
        ValueKind::List(int) => {
            let nums = read_nums(int, p, "values")?;
            let shown: Vec<String> = nums.iter().take(16).map(|v| v.to_string()).collect();
            let mut text = format!("[{}", shown.join(", "));
            if nums.len() > 16 {
                text.push_str(&format!(", ... ({} values)", nums.len()));
            }
            text.push(']');
            Typed::plain(Value::List(nums), text)
        }
        ValueKind::Fields(h) => {
            if p.len() < h.size {
                return Err(format!(
                    "{} bytes of payload, struct {} is {}",
                    p.len(),
                    h.name,
                    h.size
                ));
            }
            let fields: Vec<(String, Num)> = h
                .read(p)
                .into_iter()
                .map(|f| (f.name.to_string(), f.value))
                .collect();
            let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k} {v}")).collect();
            Typed::plain(Value::Counters(fields), shown.join(", "))
        }
        ValueKind::Pad => return Ok(None),
        k => match k.int() {
            Some(int) => {
                let n = read_num(int, p)?;
                Typed::plain(Value::Num(n), n.to_string())
            }
            None => return Ok(None),
        },
    };
    Ok(Some(t))
}

/// Shows an attribute's value in one short word as `kind` says: a number
/// (enums and bits too), a string, an address, a MAC; hex when the payload
/// does not fit the kind or the kind is opaque (counters and lists too);
/// empty for nests (their children are shown by [`walk`](super::walk)).
/// [`typed`] says more.
pub fn format_value(kind: Option<ValueKind>, a: &Attr<'_>) -> String {
    let kind = kind.unwrap_or(ValueKind::Bytes);
    if kind.is_nest() {
        return String::new();
    }
    let shown = match typed(kind, a) {
        Ok(Some(t)) => match t.value {
            Value::Num(n) => Some(n.to_string()),
            Value::Str(s) => Some(format!("{s:?}")),
            Value::Ip(ip) => Some(ip.to_string()),
            Value::Mac(m) => Some(m),
            Value::Flag => Some("true".into()),
            Value::Counters(_) | Value::List(_) => None,
        },
        _ => None,
    };
    let p = a.payload();
    shown.unwrap_or_else(|| {
        if p.is_empty() {
            String::new()
        } else {
            format!("0x{}", hex(p))
        }
    })
}

// ---------------------------------------------------------------------------
// Names: strings kept as bytes.

/// `b` as text, losslessly: UTF-8 as it is, except that a backslash is
/// written `\\` and a byte that is not part of valid UTF-8 is written
/// `\xHH` (`caf\xe9`). Borrowed when there is nothing to escape (the
/// common case: no allocation).
pub fn escape_bytes(b: &[u8]) -> Cow<'_, str> {
    match core::str::from_utf8(b) {
        Ok(s) if !s.contains('\\') => Cow::Borrowed(s),
        _ => {
            let mut out = String::with_capacity(b.len() + 8);
            for chunk in b.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c == '\\' {
                        out.push_str("\\\\");
                    } else {
                        out.push(c);
                    }
                }
                for x in chunk.invalid() {
                    out.push_str(&format!("\\x{x:02x}"));
                }
            }
            Cow::Owned(out)
        }
    }
}

/// A string attribute as the kernel sent it (a link name, an alias, a rule's
/// interface name): the bytes up to the first NUL, which need not be UTF-8
/// (the kernel accepts any bytes but `/`, `:` and white space in a link
/// name). Reading one never fails.
///
/// `Display` shows it losslessly as [`escape_bytes`] does (`caf\xe9`);
/// [`to_str`](Name::to_str) gives the text when it is UTF-8.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Name<'a>(&'a [u8]);

impl<'a> Name<'a> {
    /// The name held by a payload: its bytes up to the first NUL.
    pub fn new(payload: &'a [u8]) -> Name<'a> {
        let end = payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(payload.len());
        Name(&payload[..end])
    }
    /// The raw bytes (without the NUL).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
    /// The text, if it is UTF-8.
    pub fn to_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.0).ok()
    }
    /// The text, escaped as [`escape_bytes`] does if needed.
    pub fn escaped(&self) -> Cow<'a, str> {
        escape_bytes(self.0)
    }
    /// True if the name is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The owned form.
    pub fn to_buf(&self) -> NameBuf {
        NameBuf(self.0.to_vec())
    }
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.escaped())
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.escaped())
    }
}

impl PartialEq<str> for Name<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Name<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl<'a> From<&'a str> for Name<'a> {
    fn from(s: &'a str) -> Name<'a> {
        Name(s.as_bytes())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Name<'_> {
    /// As a string, escaped as [`escape_bytes`] does.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.escaped())
    }
}

/// An owned [`Name`]: bytes, not necessarily UTF-8.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NameBuf(pub Vec<u8>);

impl NameBuf {
    /// The borrowed form.
    pub fn as_name(&self) -> Name<'_> {
        Name(&self.0)
    }
}

impl fmt::Display for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_name().fmt(f)
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_name().fmt(f)
    }
}

// ---------------------------------------------------------------------------
// Typed reading and writing, by Rust type.

/// A value one attribute carries, read from and written to the wire one way
/// (native-endian integers, addresses, strings, bytes). [`typed_attrs!`](crate::typed_attrs)
/// goes through it so that each attribute of a typed struct is named once.
pub trait AttrValue<'a>: Sized {
    /// Reads the payload of `a`.
    fn read(a: &Attr<'a>) -> wire::Result<Self>;
    /// Appends an attribute of type `kind` holding `self`.
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()>;
    /// The type to write `self` as, of the `kinds` one field may arrive as
    /// (`IFLA_VXLAN_GROUP | IFLA_VXLAN_GROUP6`): the first, by default.
    /// `kinds` is never empty (the macro's `= A | B` takes one or more).
    fn pick(&self, kinds: &[u16]) -> u16 {
        kinds[0]
    }
}

/// A big-endian (network order) integer, for [`typed_attrs!`](crate::typed_attrs)'s `as Be`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Be<T>(pub T);

macro_rules! attr_value_int {
    ($($ty:ty: $get:ident, $put:ident;)*) => {$(
        impl AttrValue<'_> for $ty {
            #[inline]
            fn read(a: &Attr<'_>) -> wire::Result<Self> {
                a.$get()
            }
            fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
                w.$put(kind, *self).map(drop)
            }
        }
    )*};
}

attr_value_int! {
    u8: u8, attr_u8;
    u16: u16, attr_u16;
    u32: u32, attr_u32;
    u64: u64, attr_u64;
    i32: i32, attr_i32;
}

impl AttrValue<'_> for Be<u16> {
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        a.be_u16().map(Be)
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr_be_u16(kind, self.0).map(drop)
    }
}

impl AttrValue<'_> for Be<u32> {
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        a.be_u32().map(Be)
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr_be_u32(kind, self.0).map(drop)
    }
}

impl AttrValue<'_> for Be<u64> {
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        a.be_u64().map(Be)
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr(kind, &self.0.to_be_bytes()).map(drop)
    }
}

impl AttrValue<'_> for IpAddr {
    #[inline]
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        a.ip()
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr_ip(kind, *self).map(drop)
    }
    /// The first kind for IPv4, the last for IPv6.
    fn pick(&self, kinds: &[u16]) -> u16 {
        match self {
            IpAddr::V4(_) => kinds[0],
            IpAddr::V6(_) => kinds[kinds.len() - 1],
        }
    }
}

impl<'a> AttrValue<'a> for Name<'a> {
    /// Never fails: any bytes are a name.
    fn read(a: &Attr<'a>) -> wire::Result<Self> {
        Ok(Name::new(a.payload()))
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        let mut b = Vec::with_capacity(self.0.len() + 1);
        b.extend_from_slice(self.0);
        b.push(0);
        w.attr(kind, &b).map(drop)
    }
}

impl<'a> AttrValue<'a> for &'a str {
    fn read(a: &Attr<'a>) -> wire::Result<Self> {
        a.str()
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr_str(kind, self).map(drop)
    }
}

impl<'a> AttrValue<'a> for &'a [u8] {
    fn read(a: &Attr<'a>) -> wire::Result<Self> {
        Ok(a.payload())
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr(kind, self).map(drop)
    }
}

impl AttrValue<'_> for String {
    /// Never fails: a string that is not UTF-8 is kept escaped, as
    /// [`escape_bytes`] writes it.
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        Ok(Name::new(a.payload()).to_string())
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr_str(kind, self).map(drop)
    }
}

impl AttrValue<'_> for Vec<u8> {
    fn read(a: &Attr<'_>) -> wire::Result<Self> {
        Ok(a.payload().to_vec())
    }
    fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
        w.attr(kind, self).map(drop)
    }
}

/// The owned form of a view's field value (`Name<'a>` to `String`,
/// `&'a [u8]` to `Vec<u8>`, plain values as they are), for the `to_owned`
/// that [`typed_attrs!`](crate::typed_attrs) generates.
pub trait FromView<V>: Sized {
    /// Converts.
    fn from_view(v: V) -> Self;
}

impl<T: Copy> FromView<T> for T {
    fn from_view(v: T) -> T {
        v
    }
}

impl FromView<Name<'_>> for String {
    /// The escaped text ([`escape_bytes`]).
    fn from_view(v: Name<'_>) -> String {
        v.to_string()
    }
}

impl FromView<&str> for String {
    fn from_view(v: &str) -> String {
        v.to_string()
    }
}

impl FromView<&[u8]> for Vec<u8> {
    fn from_view(v: &[u8]) -> Vec<u8> {
        v.to_vec()
    }
}

/// A pair of native-endian integers: a C range struct
/// (`fib_rule_port_range`, `fib_rule_uid_range`), exactly two integers long.
macro_rules! attr_value_pair {
    ($($ty:ty: $n:literal;)*) => {$(
        impl AttrValue<'_> for ($ty, $ty) {
            fn read(a: &Attr<'_>) -> wire::Result<Self> {
                let b: [u8; 2 * $n] = a.array()?;
                let (x, y) = b.split_at($n);
                Ok((
                    <$ty>::from_ne_bytes(x.try_into().unwrap_or_default()),
                    <$ty>::from_ne_bytes(y.try_into().unwrap_or_default()),
                ))
            }
            fn write(&self, w: &mut MsgWriter<'_>, kind: u16) -> wire::Result<()> {
                w.attr(kind, &[self.0.to_ne_bytes(), self.1.to_ne_bytes()].concat()).map(drop)
            }
        }
    )*};
}

attr_value_pair! {
    u16: 2;
    u32: 4;
}

/// A C struct payload (`ifa_cacheinfo`...), which must be exactly its size.
pub fn read_struct<T: zerocopy::FromBytes>(a: &Attr<'_>) -> wire::Result<T> {
    T::read_from_bytes(a.payload()).map_err(|_| wire::Error::PayloadSize {
        kind: a.kind(),
        expected: core::mem::size_of::<T>(),
        got: a.payload().len(),
    })
}

/// The bytes of a C struct payload, for [`struct_value!`](crate::struct_value).
pub fn struct_bytes<T: zerocopy::IntoBytes + zerocopy::Immutable>(t: &T) -> &[u8] {
    t.as_bytes()
}

/// The attribute itself, to be walked later (`RTA_MULTIPATH`, `IFLA_PROP_LIST`).
pub fn read_raw<'a>(a: &Attr<'a>) -> wire::Result<Attr<'a>> {
    Ok(*a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_bytes() {
        let n = Name::new(b"caf\xe9\0junk");
        assert_eq!(n.as_bytes(), b"caf\xe9");
        assert_eq!(n.to_str(), None);
        assert_eq!(n.to_string(), "caf\\xe9");
        assert_eq!(format!("{n:?}"), "\"caf\\\\xe9\"");
        assert_eq!(escape_bytes(b"lo"), Cow::Borrowed("lo"));
        assert_eq!(escape_bytes(b"a\\b"), "a\\\\b");
        assert_eq!(escape_bytes(b"\xc3\xa9\xff"), "é\\xff");
        assert_eq!(escape_bytes(b"\xc3"), "\\xc3");
        let ok = Name::new(b"eth0");
        assert_eq!(ok, "eth0");
        assert_eq!(ok.to_str(), Some("eth0"));
        // A string attribute that is not UTF-8 reads, typed and owned.
        let a = Attr::new(20, b"caf\xe9\0", 0);
        assert_eq!(<Name<'_> as AttrValue>::read(&a).unwrap(), n);
        assert_eq!(<String as AttrValue>::read(&a).unwrap(), "caf\\xe9");
        let t = typed(ValueKind::Str, &a).unwrap().unwrap();
        assert_eq!(t.value, Value::Str("caf\\xe9".into()));
        // Written back as the same bytes.
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 16, 0, 0, 0);
        n.write(&mut w, 20).unwrap();
        w.finish().unwrap();
        assert_eq!(&buf[20..25], b"caf\xe9\0");
    }
}
