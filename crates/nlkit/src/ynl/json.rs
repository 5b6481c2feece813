//! Messages written as JSON with the spec's names, straight to a writer:
//! no tree of values, no map per message, names borrowed from the schema.
//!
//! A message is one object: the fixed header's fields (not `genlmsghdr`'s),
//! then the attributes. Values, by kind: integers as numbers; enums by
//! name (a number without one); flags sets as arrays of names (bits
//! without a name as a `"0x.."` string); strings (bytes that are not UTF-8
//! as `\xNN`); addresses as text; structs and counters as objects (their
//! `binary` and `string` arrays as hex and text); nests as objects, a
//! sub-message format's fixed header as fields before its attributes;
//! indexed arrays and `multi-attr` attributes as arrays; opaque bytes as a hex string. Nothing is dropped and nothing aborts:
//! an attribute the spec does not know is `"<type>": "<hex>"`, a value
//! that does not fit its type is `{"raw": "<hex>", "note": ".."}`, and
//! attributes that do not parse end their object with
//! `"_malformed": "<why>"`.
//!
//! Keys are unique in each object: an attribute repeated in one message
//! though its spec does not say `multi-attr` is written as multi-attr is,
//! all its values in one array at its first occurrence (so is a repeated
//! attribute the spec does not know); a field of the fixed header named
//! as an attribute of the message's set (rt-addr's `ifa-flags`, the
//! `ifaddrmsg` byte and the 32-bit attribute) is written `"@<name>"`.

use super::schema::{Schema, GENL_HDRLEN};
use super::spec::Operation;
use crate::schema::{
    enum_name, escape_bytes, inner, typed, AttrSet, FixedHeader, Inner, Name, Num, RecordIter,
    Show, Siblings, Value, ValueKind, MAX_DEPTH,
};
use crate::wire::{self, Attr, AttrIter, Msg};
use std::io::{self, Write};

impl Schema {
    /// Writes `msg` as one JSON object (see the [module](self) doc): as a
    /// message of operation `op`, or of the operation its type or command
    /// names ([`Schema::op_of`]) when `op` is `None`.
    pub fn reply_to<W: Write + ?Sized>(
        &self,
        msg: &Msg<&[u8]>,
        op: Option<&Operation>,
        w: &mut W,
    ) -> io::Result<()> {
        self.payload_to(msg.msg_type(), msg.payload(), op, w)
    }

    /// Writes a notification as `{"name": "<op>", "msg": {..}}` (the op's
    /// name `null` if the spec has none for the message).
    pub fn notification_to<W: Write + ?Sized>(
        &self,
        msg: &Msg<&[u8]>,
        w: &mut W,
    ) -> io::Result<()> {
        let op = self.op_of(msg.msg_type(), msg.payload());
        w.write_all(b"{\"name\":")?;
        match op {
            Some(o) => string(w, &o.name)?,
            None => w.write_all(b"null")?,
        }
        w.write_all(b",\"msg\":")?;
        self.reply_to(msg, op, w)?;
        w.write_all(b"}")
    }

    /// Writes a message payload (after `nlmsghdr`) of type `msg_type` as one
    /// JSON object, as [`Schema::reply_to`] does.
    pub fn payload_to<W: Write + ?Sized>(
        &self,
        msg_type: u16,
        payload: &[u8],
        op: Option<&Operation>,
        w: &mut W,
    ) -> io::Result<()> {
        let op = op.or_else(|| self.op_of(msg_type, payload));
        let genl = if self.is_genetlink() { GENL_HDRLEN } else { 0 };
        let (fixed, set, start) = match op {
            Some(o) => (self.fixed_header(o), self.op_set(o), self.attrs_start(o)),
            None => (None, None, genl),
        };
        w.write_all(b"{")?;
        let mut first = true;
        if payload.len() < start {
            sep(w, &mut first)?;
            w.write_all(b"\"_malformed\":")?;
            let why = format!(
                "{} bytes of payload, the headers need {start}",
                payload.len()
            );
            string(w, &why)?;
            return w.write_all(b"}");
        }
        if let Some(h) = fixed {
            header_fields(w, h, &payload[genl..], set, &mut first)?;
        }
        let attrs = AttrIter::with_offset(&payload[start..], wire::NLMSG_HDRLEN + start);
        members(w, set, attrs, 0, &mut first)?;
        w.write_all(b"}")
    }
}

fn sep<W: Write + ?Sized>(w: &mut W, first: &mut bool) -> io::Result<()> {
    if !std::mem::take(first) {
        w.write_all(b",")?;
    }
    Ok(())
}

/// A JSON string. Spec names and most values need no escaping: those are
/// written as they are (what serde_json writes for them), the rest through
/// serde_json.
pub(crate) fn string<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    if s.bytes().all(plain) {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        return w.write_all(b"\"");
    }
    serde_json::to_writer(&mut *w, s).map_err(io::Error::from)
}

/// The decimal digits of `v`, at the end of `buf`.
fn decimal(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[i..];
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A byte a JSON string holds as it is.
fn plain(b: u8) -> bool {
    b >= 0x20 && b != b'"' && b != b'\\'
}

fn key<W: Write + ?Sized>(w: &mut W, first: &mut bool, k: &str) -> io::Result<()> {
    // `,"name":` in one write (names are short and plain).
    let mut buf = [0u8; 64];
    if k.len() <= buf.len() - 4 && k.bytes().all(plain) {
        let mut n = usize::from(!std::mem::take(first));
        buf[0] = b',';
        buf[n] = b'"';
        buf[n + 1..n + 1 + k.len()].copy_from_slice(k.as_bytes());
        n += 1 + k.len();
        buf[n..n + 2].copy_from_slice(b"\":");
        return w.write_all(&buf[..n + 2]);
    }
    sep(w, first)?;
    string(w, k)?;
    w.write_all(b":")
}

/// Bytes as a quoted hex string, `sep` between bytes if given.
fn hex_bytes<W: Write + ?Sized>(w: &mut W, b: &[u8], sep: Option<u8>) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut buf = [0u8; 96];
    let mut first = true;
    for chunk in b.chunks(32) {
        let mut n = 0;
        for x in chunk {
            if let (Some(c), false) = (sep, std::mem::take(&mut first)) {
                buf[n] = c;
                n += 1;
            }
            buf[n] = HEX[usize::from(x >> 4)];
            buf[n + 1] = HEX[usize::from(x & 0xf)];
            n += 2;
        }
        w.write_all(&buf[..n])?;
    }
    w.write_all(b"\"")
}

fn hex_string<W: Write + ?Sized>(w: &mut W, b: &[u8]) -> io::Result<()> {
    hex_bytes(w, b, None)
}

fn num<W: Write + ?Sized>(w: &mut W, n: Num) -> io::Result<()> {
    let mut buf = [0u8; 20];
    match n {
        Num::Unsigned(v) => w.write_all(decimal(v, &mut buf)),
        Num::Signed(v) => {
            if v < 0 {
                w.write_all(b"-")?;
            }
            w.write_all(decimal(v.unsigned_abs(), &mut buf))
        }
    }
}

/// An address as quoted text; IPv4 without the formatting machinery.
fn ip_text<W: Write + ?Sized>(w: &mut W, ip: std::net::IpAddr) -> io::Result<()> {
    let std::net::IpAddr::V4(v4) = ip else {
        return write!(w, "\"{ip}\"");
    };
    let mut out = [0u8; 17];
    out[0] = b'"';
    let mut n = 1;
    let mut buf = [0u8; 20];
    for (i, o) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out[n] = b'.';
            n += 1;
        }
        let d = decimal(u64::from(o), &mut buf);
        out[n..n + d.len()].copy_from_slice(d);
        n += d.len();
    }
    out[n] = b'"';
    w.write_all(&out[..=n])
}

fn raw<W: Write + ?Sized>(w: &mut W, p: &[u8], note: &str) -> io::Result<()> {
    w.write_all(b"{\"raw\":")?;
    hex_string(w, p)?;
    w.write_all(b",\"note\":")?;
    string(w, note)?;
    w.write_all(b"}")
}

fn names_or_num<W: Write + ?Sized>(
    w: &mut W,
    names: crate::schema::Names,
    n: Num,
) -> io::Result<()> {
    match enum_name(names, n.bits()) {
        Some(s) => string(w, s),
        None => num(w, n),
    }
}

fn bits<W: Write + ?Sized>(w: &mut W, names: crate::schema::Names, v: u64) -> io::Result<()> {
    w.write_all(b"[")?;
    let mut first = true;
    let mut rest = v;
    for &(bit, name) in names {
        let bit = u64::from(bit);
        if bit != 0 && rest & bit == bit {
            sep(w, &mut first)?;
            string(w, name)?;
            rest &= !bit;
        }
    }
    if rest != 0 {
        sep(w, &mut first)?;
        write!(w, "\"{rest:#x}\"")?;
    }
    w.write_all(b"]")
}

fn header_fields<W: Write + ?Sized>(
    w: &mut W,
    h: &FixedHeader,
    b: &[u8],
    set: Option<&'static AttrSet>,
    first: &mut bool,
) -> io::Result<()> {
    // Fields of nested structs are named `outer.inner`: each level an object.
    let mut open: Vec<&str> = Vec::new();
    let mut firsts: Vec<bool> = Vec::new();
    for f in h.fields {
        let size = match f.show {
            Show::Bytes(n) | Show::Text(n) => Some(n),
            _ => f.int.size(),
        };
        let Some(size) = size else { continue };
        let Some(field) = f
            .offset
            .checked_add(size)
            .and_then(|end| b.get(f.offset..end))
        else {
            continue;
        };
        let v = match f.show {
            Show::Bytes(_) | Show::Text(_) => None,
            _ => match f.int.read(field) {
                Some(v) => Some(v),
                None => continue,
            },
        };
        let mut path: Vec<&str> = f.name.split('.').collect();
        let leaf = path.pop().unwrap_or(f.name);
        let shared = open.iter().zip(&path).take_while(|(a, b)| a == b).count();
        while open.len() > shared {
            open.pop();
            firsts.pop();
            w.write_all(b"}")?;
        }
        for seg in &path[shared..] {
            key(w, firsts.last_mut().unwrap_or(first), seg)?;
            w.write_all(b"{")?;
            open.push(seg);
            firsts.push(true);
        }
        let first = firsts.last_mut().unwrap_or(first);
        // A top-level field named as an attribute of the set that follows
        // (rt-addr's `ifa-flags`) is written `@name`: keys stay unique.
        let clash = path.is_empty() && set.is_some_and(|s| s.defs.iter().any(|d| d.name == leaf));
        if clash {
            key(w, first, &format!("@{leaf}"))?;
        } else {
            key(w, first, leaf)?;
        }
        match (f.show, v) {
            (Show::Bytes(_), _) => hex_string(w, field)?,
            (Show::Text(_), _) => string(w, &escape_bytes(Name::new(field).as_bytes()))?,
            (Show::Enum(n), Some(v)) => names_or_num(w, n, v)?,
            (Show::Bits(n), Some(v)) => bits(w, n, v.bits())?,
            (Show::Dec | Show::Hex, Some(v)) => num(w, v)?,
            (_, None) => w.write_all(b"null")?,
        }
    }
    for _ in open {
        w.write_all(b"}")?;
    }
    Ok(())
}

/// Writes the members of a set as `"name": value` pairs.
fn members<W: Write + ?Sized>(
    w: &mut W,
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'_>,
    depth: usize,
    first: &mut bool,
) -> io::Result<()> {
    let sib = Siblings::scan(set, attrs.clone());
    let all = attrs.clone();
    let repeats = has_repeats(attrs.clone());
    for a in attrs {
        let a = match a {
            Ok(a) => a,
            Err(e) => {
                key(w, first, "_malformed")?;
                return string(w, &e.to_string());
            }
        };
        let def = set.and_then(|s| s.get(a.kind()));
        let Some(def) = def else {
            let n = if repeats {
                occurrences(&all, a.kind())
            } else {
                1
            };
            let earlier = n > 1
                && all
                    .clone()
                    .map_while(Result::ok)
                    .take_while(|x| x.offset() < a.offset())
                    .any(|x| x.kind() == a.kind());
            if earlier {
                continue;
            }
            sep(w, first)?;
            write!(w, "\"{}\":", a.kind())?;
            if n > 1 {
                w.write_all(b"[")?;
                let mut f2 = true;
                for x in all.clone().map_while(Result::ok) {
                    if x.kind() == a.kind() {
                        sep(w, &mut f2)?;
                        hex_string(w, x.payload())?;
                    }
                }
                w.write_all(b"]")?;
            } else {
                hex_string(w, a.payload())?;
            }
            continue;
        };
        match def.value {
            ValueKind::Pad => continue,
            ValueKind::Multi(item) => {
                // All occurrences in one array, at the first.
                let earlier = all
                    .clone()
                    .map_while(Result::ok)
                    .take_while(|x| x.offset() < a.offset())
                    .any(|x| x.kind() == a.kind());
                if earlier {
                    continue;
                }
                key(w, first, def.name)?;
                w.write_all(b"[")?;
                let mut f2 = true;
                for x in all.clone().map_while(Result::ok) {
                    if x.kind() == a.kind() && x.offset() >= a.offset() {
                        sep(w, &mut f2)?;
                        value(w, *item, &x, &sib, depth)?;
                    }
                }
                w.write_all(b"]")?;
            }
            k if repeats && occurrences(&all, a.kind()) > 1 => {
                // Repeated though the spec does not say multi-attr: all
                // occurrences in one array at the first, as multi-attr.
                let earlier = all
                    .clone()
                    .map_while(Result::ok)
                    .take_while(|x| x.offset() < a.offset())
                    .any(|x| x.kind() == a.kind());
                if earlier {
                    continue;
                }
                key(w, first, def.name)?;
                w.write_all(b"[")?;
                let mut f2 = true;
                for x in all.clone().map_while(Result::ok) {
                    if x.kind() == a.kind() {
                        sep(w, &mut f2)?;
                        value(w, k, &x, &sib, depth)?;
                    }
                }
                w.write_all(b"]")?;
            }
            k => {
                key(w, first, def.name)?;
                value(w, k, &a, &sib, depth)?;
            }
        }
    }
    Ok(())
}

/// True if some attribute type occurs more than once (one pass, no
/// allocation for types below 256).
fn has_repeats(attrs: AttrIter<'_>) -> bool {
    let mut seen = [0u64; 4];
    let mut high: Vec<u16> = Vec::new();
    for a in attrs.map_while(Result::ok) {
        let k = a.kind();
        if let Some(word) = seen.get_mut(usize::from(k / 64)) {
            let bit = 1u64 << (k % 64);
            if *word & bit != 0 {
                return true;
            }
            *word |= bit;
        } else if high.contains(&k) {
            return true;
        } else {
            high.push(k);
        }
    }
    false
}

fn occurrences(all: &AttrIter<'_>, kind: u16) -> usize {
    all.clone()
        .map_while(Result::ok)
        .filter(|x| x.kind() == kind)
        .count()
}

fn object<W: Write + ?Sized>(
    w: &mut W,
    set: Option<&'static AttrSet>,
    header: Option<(&FixedHeader, &[u8])>,
    attrs: AttrIter<'_>,
    depth: usize,
) -> io::Result<()> {
    w.write_all(b"{")?;
    let mut first = true;
    if let Some((h, b)) = header {
        header_fields(w, h, b, set, &mut first)?;
    }
    members(w, set, attrs, depth + 1, &mut first)?;
    w.write_all(b"}")
}

/// Writes one attribute's value as `kind` says.
fn value<W: Write + ?Sized>(
    w: &mut W,
    kind: ValueKind,
    a: &Attr<'_>,
    sib: &Siblings<'_>,
    depth: usize,
) -> io::Result<()> {
    let p = a.payload();
    if kind.is_nest() {
        if depth + 1 >= MAX_DEPTH {
            return raw(w, p, "nested too deep");
        }
        return match inner(Some(kind), a, sib) {
            Some(i @ Inner::Attrs { set, skip }) => {
                let header = match kind.one() {
                    ValueKind::HeaderThen(h, _) => Some(h),
                    ValueKind::SubMessage(m) => {
                        sib.value_of(m.selector).and_then(|v| m.header_for(v))
                    }
                    _ => None,
                };
                let header = header.map(|h| (h, &p[..skip.min(p.len())]));
                let attrs = i.attrs(a).unwrap_or(AttrIter::new(&[]));
                object(w, set, header, attrs, depth)
            }
            Some(Inner::Array(item)) => {
                w.write_all(b"[")?;
                let mut first = true;
                let none = Siblings::default();
                for x in a.nested() {
                    sep(w, &mut first)?;
                    match x {
                        Ok(x) => value(w, *item, &x, &none, depth + 1)?,
                        Err(e) => string(w, &e.to_string())?,
                    }
                }
                w.write_all(b"]")
            }
            Some(Inner::Records(r)) => {
                w.write_all(b"[")?;
                let mut first = true;
                for rec in RecordIter::new(r, a.kind(), p) {
                    sep(w, &mut first)?;
                    match rec {
                        Ok(rec) => {
                            let at = a.offset() + wire::NLA_HDRLEN + rec.attrs_at;
                            let attrs = AttrIter::with_offset(rec.attrs, at);
                            object(w, r.set, Some((r.header, rec.header)), attrs, depth)?;
                        }
                        Err(e) => string(w, &e.to_string())?,
                    }
                }
                w.write_all(b"]")
            }
            None => hex_string(w, p),
        };
    }
    match kind {
        ValueKind::Bytes | ValueKind::Struct(_) | ValueKind::Pad => return hex_string(w, p),
        ValueKind::Str => return string(w, &escape_bytes(Name::new(p).as_bytes())),
        ValueKind::Flag if p.is_empty() => return w.write_all(b"true"),
        ValueKind::Mac => return hex_bytes(w, p, Some(b':')),
        ValueKind::Enum(int, names) => {
            if let Some(n) = int.read(p) {
                return names_or_num(w, names, n);
            }
        }
        ValueKind::Bits(int, names) => {
            if let Some(n) = int.read(p) {
                return bits(w, names, n.bits());
            }
        }
        ValueKind::Fields(h) if p.len() >= h.size => {
            w.write_all(b"{")?;
            let mut first = true;
            header_fields(w, h, p, None, &mut first)?;
            return w.write_all(b"}");
        }
        ValueKind::Ip => {
            if let Ok(ip) = a.ip() {
                return ip_text(w, ip);
            }
        }
        k => {
            if let Some(int) = k.int() {
                if let Some(n) = int.read(p) {
                    return num(w, n);
                }
            }
        }
    }
    // Counters and lists (rare) through the shared reader; misfits raw.
    match typed(kind, a) {
        Ok(Some(t)) => match t.value {
            Value::Counters(c) => {
                w.write_all(b"{")?;
                let mut first = true;
                for (k, v) in &c {
                    key(w, &mut first, k)?;
                    num(w, *v)?;
                }
                w.write_all(b"}")
            }
            Value::List(l) => {
                w.write_all(b"[")?;
                let mut first = true;
                for v in l {
                    sep(w, &mut first)?;
                    num(w, v)?;
                }
                w.write_all(b"]")
            }
            _ => hex_string(w, p),
        },
        Ok(None) => hex_string(w, p),
        Err(note) => raw(w, p, &note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ynl::spec::Family;

    fn out(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut b = Vec::new();
        f(&mut b).unwrap();
        String::from_utf8(b).unwrap()
    }

    /// A message of the `demo` spec `spec` whose attributes `attrs` writes, as JSON.
    fn json_of(spec: &str, attrs: impl FnOnce(&mut wire::MsgWriter<'_>)) -> String {
        let s = Schema::new(Family::parse("demo.yaml", spec).unwrap());
        let mut buf = Vec::new();
        let mut m = wire::MsgWriter::new(&mut buf, 30, 0, 0, 0);
        m.fixed(&[1u8, 1, 0, 0]);
        attrs(&mut m);
        m.finish().unwrap();
        let msg = Msg::new_checked(&buf[..]).unwrap();
        out(|w| s.reply_to(&msg, None, w))
    }

    #[test]
    fn fast_writers_write_what_the_formatting_machinery_does() {
        for s in [
            "",
            "dev-name",
            "caf\u{e9}",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{7f}\u{1}",
        ] {
            assert_eq!(
                out(|w| string(w, s)),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
        let mut first = true;
        let keys = out(|w| {
            key(w, &mut first, "a-b")?;
            key(w, &mut first, "q\"uote")?;
            key(w, &mut first, &"x".repeat(70))
        });
        assert_eq!(
            keys,
            format!("\"a-b\":,\"q\\\"uote\":,\"{}\":", "x".repeat(70))
        );
        for v in [0u64, 7, 10, 99, 1234567890, u64::MAX] {
            assert_eq!(out(|w| num(w, Num::Unsigned(v))), v.to_string());
        }
        for v in [0i64, -1, -10, 42, i64::MIN, i64::MAX] {
            assert_eq!(out(|w| num(w, Num::Signed(v))), v.to_string());
        }
        let bytes: Vec<u8> = (0..70u8).map(|i| i.wrapping_mul(37)).collect();
        let plain: String = bytes.iter().map(|x| format!("{x:02x}")).collect();
        let colons: Vec<String> = bytes.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(out(|w| hex_string(w, &bytes)), format!("\"{plain}\""));
        assert_eq!(
            out(|w| hex_bytes(w, &bytes, Some(b':'))),
            format!("\"{}\"", colons.join(":"))
        );
        assert_eq!(out(|w| hex_bytes(w, &[], Some(b':'))), "\"\"");
        for ip in ["0.0.0.0", "10.255.0.1", "255.255.255.255", "2001:db8::1"] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(out(|w| ip_text(w, ip)), format!("\"{ip}\""));
        }
    }

    #[test]
    fn a_message_as_json() {
        let spec = r#"
name: demo
protocol: genetlink
definitions:
  - name: colour
    type: enum
    entries: [red, green]
attribute-sets:
  - name: main
    attributes:
      - name: name
        type: string
      - name: colour
        type: u32
        enum: colour
      - name: many
        type: u16
        multi-attr: true
      - name: inner
        type: nest
        nested-attributes: main
operations:
  list:
    - name: get
      attribute-set: main
      do:
        reply:
          attributes: [name]
"#;
        let s = Schema::new(Family::parse("demo.yaml", spec).unwrap());
        let mut buf = Vec::new();
        let mut m = wire::MsgWriter::new(&mut buf, 30, 0, 0, 0);
        m.fixed(&[1u8, 1, 0, 0]);
        m.attr_str(1, "caf").unwrap();
        m.attr_u16(3, 7).unwrap();
        m.attr_u32(2, 1).unwrap();
        m.attr_u16(3, 8).unwrap();
        m.attr(2, &[9]).unwrap(); // a second colour, too short
        m.attr_u32(77, 5).unwrap(); // unknown
        m.nest(4, |w| w.attr_u32(2, 9).map(drop)).unwrap();
        m.finish().unwrap();
        let msg = Msg::new_checked(&buf[..]).unwrap();
        let mut out = Vec::new();
        s.reply_to(&msg, None, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"name":"caf","many":[7,8],"colour":["green",{"raw":"09","note":"1 bytes of payload, expected 4"}],"77":"05000000","inner":{"colour":9}}"#
        );
    }

    #[test]
    fn nested_structs_are_nested_objects() {
        // tc's tc-tbf-qopt holds two tc-ratespec: their members must not clash.
        let spec = r#"
name: demo
protocol: genetlink
definitions:
  - name: spec
    type: struct
    members:
      - name: log
        type: u8
      - name: rate
        type: u32
  - name: qopt
    type: struct
    members:
      - name: rate
        type: binary
        struct: spec
      - name: peak
        type: binary
        struct: spec
      - name: limit
        type: u32
attribute-sets:
  - name: main
    attributes:
      - name: parms
        type: binary
        struct: qopt
operations:
  list:
    - name: get
      attribute-set: main
      do:
        reply:
          attributes: [parms]
"#;
        let mut parms = vec![3u8];
        parms.extend(125000u32.to_ne_bytes());
        parms.push(4);
        parms.extend(7u32.to_ne_bytes());
        parms.extend(1000u32.to_ne_bytes());
        let json = json_of(spec, |m| {
            m.attr(1, &parms).unwrap();
        });
        assert_eq!(
            json,
            r#"{"parms":{"rate":{"log":3,"rate":125000},"peak":{"log":4,"rate":7},"limit":1000}}"#
        );
    }

    const SUB_SPEC: &str = r#"
name: demo
protocol: genetlink
definitions:
  - name: fifo-qopt
    type: struct
    members:
      - name: limit
        type: u32
  - name: prio-qopt
    type: struct
    members:
      - name: bands
        type: u32
      - name: priomap
        type: binary
        len: 6
      - name: label
        type: string
        len: 6
attribute-sets:
  - name: main
    attributes:
      - name: kind
        type: string
      - name: options
        type: sub-message
        sub-message: opts
        selector: kind
  - name: red-attrs
    attributes:
      - name: max
        type: u32
operations:
  list:
    - name: get
      attribute-set: main
      do:
        reply:
          attributes: [kind, options]
sub-messages:
  - name: opts
    formats:
      - value: fifo
        fixed-header: fifo-qopt
      - value: prio
        fixed-header: prio-qopt
      - value: red
        fixed-header: fifo-qopt
        attribute-set: red-attrs
"#;

    #[test]
    fn sub_message_formats_with_a_fixed_header_show_its_fields() {
        let fifo = json_of(SUB_SPEC, |m| {
            m.attr_str(1, "fifo").unwrap();
            m.attr(2, &77u32.to_ne_bytes()).unwrap();
        });
        assert_eq!(fifo, r#"{"kind":"fifo","options":{"limit":77}}"#);
        // Header, then the format's attributes.
        let red = json_of(SUB_SPEC, |m| {
            m.attr_str(1, "red").unwrap();
            let mut p = 5u32.to_ne_bytes().to_vec();
            p.extend([8, 0, 1, 0]); // nlattr len 8, type 1 (max)
            p.extend(9u32.to_ne_bytes());
            m.attr(2, &p).unwrap();
        });
        assert_eq!(red, r#"{"kind":"red","options":{"limit":5,"max":9}}"#);
        // Shorter than the header: raw hex, no panic.
        let short = json_of(SUB_SPEC, |m| {
            m.attr_str(1, "fifo").unwrap();
            m.attr(2, &[1, 2]).unwrap();
        });
        assert_eq!(short, r#"{"kind":"fifo","options":"0102"}"#);
    }

    #[test]
    fn binary_and_string_struct_members_are_shown() {
        let json = json_of(SUB_SPEC, |m| {
            m.attr_str(1, "prio").unwrap();
            let mut p = 3u32.to_ne_bytes().to_vec();
            p.extend([1, 2, 2, 2, 1, 0xff]); // priomap
            p.extend(b"ab\0\0\0\0"); // label
            m.attr(2, &p).unwrap();
        });
        assert_eq!(
            json,
            r#"{"kind":"prio","options":{"bands":3,"priomap":"0102020201ff","label":"ab"}}"#
        );
    }

    #[test]
    fn keys_are_unique_repeats_and_header_clashes() {
        let spec = r#"
name: demo
protocol: netlink-raw
protonum: 0
definitions:
  - name: hdr
    type: struct
    members:
      - name: flags
        type: u8
      - name: scope
        type: u8
      - name: pad
        type: pad
        len: 2
attribute-sets:
  - name: main
    attributes:
      - name: label
        type: string
      - name: flags
        type: u32
operations:
  fixed-header: hdr
  list:
    - name: get
      value: 30
      attribute-set: main
      do:
        reply:
          value: 30
          attributes: [label, flags]
"#;
        let s = Schema::new(Family::parse("demo.yaml", spec).unwrap());
        let mut buf = Vec::new();
        let mut m = wire::MsgWriter::new(&mut buf, 30, 0, 0, 0);
        m.fixed(&[0x80u8, 200, 0, 0]);
        m.attr_str(1, "a").unwrap();
        m.attr_u32(2, 0x100).unwrap();
        m.attr_str(1, "b").unwrap();
        m.attr_u32(9, 1).unwrap();
        m.attr_u32(9, 2).unwrap();
        m.finish().unwrap();
        let msg = Msg::new_checked(&buf[..]).unwrap();
        let json = out(|w| s.reply_to(&msg, None, w));
        assert_eq!(
            json,
            r#"{"@flags":128,"scope":200,"label":["a","b"],"flags":256,"9":["01000000","02000000"]}"#
        );
        // Valid JSON, every key once.
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 5);
    }
}
