//! A spec turned into schema values: the same [`AttrSet`]s, [`ValueKind`]s
//! and [`FixedHeader`]s the typed families declare, so that decoding, JSON
//! and ext-ack naming go through the one schema code path.
//!
//! [`Schema::new`] leaks the tables it builds (`Box::leak`), once per loaded
//! spec, so that they are `&'static` like the typed families' tables. A
//! set that nests itself (directly or through others) is named down to the
//! second time it is met on a path; deeper, its members are shown unnamed.
//!
//! Attribute names in the tables are the spec's (`dev-name`), not C names.

use super::spec::{
    AttrType, Attribute, AttributeSet, ByteOrder, DisplayHint, EnumDef, Family, Level, Member,
    Operation, StructDef,
};
use super::SpecError;
use crate::schema::{
    AttrDef, AttrSet, Field, FixedHeader, Int, Names, Show, SubMessage, ValueKind,
};
use std::collections::HashMap;

/// `NETLINK_GENERIC`'s `genlmsghdr` size.
pub(crate) const GENL_HDRLEN: usize = 4;

/// A loaded spec and its schema values.
///
/// ```no_run
/// use nlkit::ynl::{Client, Mode, Schema};
///
/// let schema = Schema::find("netdev")?;               // looked up as `nlkit ynl` does
/// let client = Client::open(&schema)?;                // resolved through nlctrl
/// let op = schema.op("dev-get");
/// let mut out = Vec::new();
/// // A dump, each message written as JSON with the spec's names as it arrives.
/// client.dump(&schema, "dev-get", &serde_json::json!({}), &mut |m| {
///     schema.reply_to(&m, op, &mut out)?;
///     out.push(b'\n');
///     Ok(())
/// })?;
/// // A do, checked against the spec before it is sent.
/// let req = schema.request("dev-get", Mode::Do, &serde_json::json!({"ifindex": 1}))?;
/// client.request(&req, &mut |m| Ok(schema.reply_to(&m, op, &mut out)?))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Schema {
    /// The parsed spec.
    pub spec: Family,
    sets: HashMap<String, &'static AttrSet>,
    structs: HashMap<String, &'static FixedHeader>,
    /// Per operation (same order as `spec.operations.list`): the header of
    /// its messages (`genlmsghdr` and/or the fixed header), for decoders.
    op_headers: Vec<Option<&'static FixedHeader>>,
    op_names: Vec<&'static str>,
    /// Per operation: its fixed header and attribute set, looked up once
    /// (a decoder asks for them for every message).
    op_parts: Vec<(Option<&'static FixedHeader>, Option<&'static AttrSet>)>,
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

/// The integer layout of a spec type with a byte order.
pub(crate) fn int_of(ty: AttrType, order: Option<ByteOrder>) -> Option<Int> {
    let be = order == Some(ByteOrder::Big);
    Some(match (ty, be) {
        (AttrType::U8, _) => Int::U8,
        (AttrType::S8, _) => Int::I8,
        (AttrType::U16, false) => Int::U16,
        (AttrType::U16, true) => Int::BeU16,
        (AttrType::U32, false) => Int::U32,
        (AttrType::U32, true) => Int::BeU32,
        (AttrType::U64, false) => Int::U64,
        (AttrType::U64, true) => Int::BeU64,
        (AttrType::S16, _) => Int::I16,
        (AttrType::S32, _) => Int::I32,
        (AttrType::S64, _) => Int::I64,
        (AttrType::Uint, _) => Int::Uint,
        (AttrType::Sint, _) => Int::Sint,
        _ => return None,
    })
}

/// The names of an enum's values, or of its bits (`flags`, or an enum read
/// as flags: each value is a bit number).
pub(crate) fn enum_names(def: &EnumDef, as_bits: bool) -> Names {
    let v: Vec<(u32, &'static str)> = def
        .entries
        .iter()
        .filter_map(|e| {
            let v = if as_bits {
                1u64.checked_shl(u32::try_from(e.value).ok()?)?
            } else {
                u64::try_from(e.value).ok()?
            };
            Some((u32::try_from(v).ok()?, leak_str(&e.name)))
        })
        .collect();
    Box::leak(v.into_boxed_slice())
}

/// A struct member's size in bytes.
pub(crate) fn member_size(fam: &Family, m: &Member) -> usize {
    if let Some(s) = m.ty.scalar_size() {
        return s;
    }
    if let Some(sd) = m.struct_def.as_deref().and_then(|n| fam.struct_def(n)) {
        if m.len.is_none() {
            return sd.size;
        }
    }
    m.len
        .as_ref()
        .and_then(|l| fam.limit_value(l))
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(0)
}

struct Builder<'f> {
    fam: &'f Family,
    sets: HashMap<String, &'static AttrSet>,
    structs: HashMap<String, &'static FixedHeader>,
    subs: HashMap<String, &'static SubMessage>,
    stack: Vec<String>,
}

impl Builder<'_> {
    fn names_of(&self, enum_def: Option<&str>, as_flags: bool) -> Option<(Names, bool)> {
        let (def, flags) = self.fam.enum_def(enum_def?)?;
        let bits = flags || as_flags;
        Some((enum_names(def, bits), bits))
    }

    /// The integer fields of struct `sd` at `base`; the members of a nested
    /// struct are named `member.inner` (JSON shows them as a nested object,
    /// as requests take them), so that two of the same struct do not clash.
    fn fields(&mut self, sd: &StructDef, base: usize, prefix: &str, out: &mut Vec<Field>) {
        let mut at = base;
        for m in &sd.members {
            let size = member_size(self.fam, m);
            let name = if prefix.is_empty() {
                m.name.clone()
            } else {
                format!("{prefix}.{}", m.name)
            };
            if let Some(int) = int_of(m.ty, m.byte_order) {
                let show = match self.names_of(m.enum_def.as_deref(), m.enum_as_flags) {
                    Some((n, true)) => Show::Bits(n),
                    Some((n, false)) => Show::Enum(n),
                    None if m.display_hint == Some(DisplayHint::Hex) => Show::Hex,
                    None => Show::Dec,
                };
                out.push(Field {
                    name: leak_str(&name),
                    offset: at,
                    int,
                    show,
                });
            } else if let Some(inner) = m.struct_def.as_deref().and_then(|n| self.fam.struct_def(n))
            {
                self.fields(inner, at, &name, out);
            } else if matches!(m.ty, AttrType::Binary | AttrType::String) && size > 0 {
                // A fixed-size array: shown as an attribute of its type is.
                let show = if m.ty == AttrType::String {
                    Show::Text(size)
                } else {
                    Show::Bytes(size)
                };
                out.push(Field {
                    name: leak_str(&name),
                    offset: at,
                    int: Int::U8,
                    show,
                });
            }
            at += size;
        }
    }

    fn header(&mut self, name: &str) -> Option<&'static FixedHeader> {
        if let Some(h) = self.structs.get(name) {
            return Some(h);
        }
        let sd = self.fam.struct_def(name)?;
        let mut fields = Vec::new();
        self.fields(sd, 0, "", &mut fields);
        let h = leak(FixedHeader {
            name: leak_str(name),
            size: sd.size,
            fields: Box::leak(fields.into_boxed_slice()),
        });
        self.structs.insert(name.to_string(), h);
        Some(h)
    }

    fn set(&mut self, name: &str) -> Option<&'static AttrSet> {
        if let Some(s) = self.sets.get(name) {
            return Some(s);
        }
        if self.stack.iter().filter(|s| *s == name).count() >= 2 {
            return None;
        }
        let fam = self.fam;
        let spec = fam.attribute_set(name)?;
        self.stack.push(name.to_string());
        let defs: Vec<AttrDef> = spec
            .attributes
            .iter()
            .filter(|a| a.ty != AttrType::Unused)
            .map(|a| AttrDef {
                kind: a.value,
                name: leak_str(&a.name),
                value: self.kind(spec, a),
            })
            .collect();
        self.stack.pop();
        let set = leak(AttrSet {
            name: leak_str(name),
            defs: Box::leak(defs.into_boxed_slice()),
        });
        // Memoized only outside any cycle: inside one, the copy is cut short.
        if !self.stack.iter().any(|s| s == name) {
            self.sets.insert(name.to_string(), set);
        }
        Some(set)
    }

    fn sub_message(&mut self, name: &str, selector: u16, sel_name: &str) -> ValueKind {
        let key = format!("{name}/{selector}");
        if let Some(m) = self.subs.get(&key) {
            return ValueKind::SubMessage(m);
        }
        let Some(sm) = self.fam.sub_message(name) else {
            return ValueKind::NestedAny;
        };
        let empty: &'static AttrSet = leak(AttrSet {
            name: leak_str(name),
            defs: &[],
        });
        let sets: Vec<(&'static str, &'static AttrSet)> = sm
            .formats
            .iter()
            .map(|f| {
                let set = f
                    .attribute_set
                    .as_deref()
                    .and_then(|s| self.set(s))
                    .unwrap_or(empty);
                (leak_str(&f.value), set)
            })
            .collect();
        let headers: Vec<(&'static str, &'static FixedHeader)> = sm
            .formats
            .iter()
            .filter_map(|f| {
                let h = self.header(f.fixed_header.as_deref()?)?;
                Some((leak_str(&f.value), h))
            })
            .collect();
        let m = leak(SubMessage {
            name: leak_str(sel_name),
            selector,
            sets: Box::leak(sets.into_boxed_slice()),
            headers: Box::leak(headers.into_boxed_slice()),
        });
        self.subs.insert(key, m);
        ValueKind::SubMessage(m)
    }

    fn scalar(&mut self, a: &Attribute, ty: AttrType) -> ValueKind {
        let int = int_of(ty, a.byte_order);
        if let (Some(int), Some((names, bits))) =
            (int, self.names_of(a.enum_def.as_deref(), a.enum_as_flags))
        {
            return if bits {
                ValueKind::Bits(int, names)
            } else {
                ValueKind::Enum(int, names)
            };
        }
        match (ty, a.display_hint) {
            (AttrType::U32, Some(DisplayHint::Ipv4)) => ValueKind::Ip,
            (AttrType::Flag, _) => ValueKind::Flag,
            (AttrType::String, _) => ValueKind::Str,
            (AttrType::Pad, _) => ValueKind::Pad,
            (AttrType::Bitfield32, _) => ValueKind::Counters(Int::U32, &["value", "selector"]),
            _ => match int {
                // The kinds the typed families use for these layouts.
                Some(Int::U8) => ValueKind::U8,
                Some(Int::U16) => ValueKind::U16,
                Some(Int::U32) => ValueKind::U32,
                Some(Int::U64) => ValueKind::U64,
                Some(Int::I32) => ValueKind::I32,
                Some(Int::BeU16) => ValueKind::BeU16,
                Some(Int::BeU32) => ValueKind::BeU32,
                Some(i) => ValueKind::Int(i),
                None => ValueKind::Bytes,
            },
        }
    }

    fn kind(&mut self, set: &AttributeSet, a: &Attribute) -> ValueKind {
        let nested = a.nested_attributes.as_deref();
        let k = match a.ty {
            AttrType::Nest => match nested.and_then(|n| self.set(n)) {
                Some(s) => ValueKind::Nested(s),
                None => ValueKind::NestedAny,
            },
            AttrType::IndexedArray | AttrType::NestTypeValue => {
                let item = match a.sub_type {
                    Some(AttrType::Nest) | None => match nested.and_then(|n| self.set(n)) {
                        Some(s) => ValueKind::Nested(s),
                        None => ValueKind::NestedAny,
                    },
                    Some(t) => self.scalar(a, t),
                };
                ValueKind::Array(leak(item))
            }
            AttrType::SubMessage => {
                // The selector is a sibling: an attribute of the same set.
                let selector = a
                    .selector
                    .as_deref()
                    .and_then(|sel| Some((set.attr(sel)?.value, sel)));
                match (a.sub_message.as_deref(), selector) {
                    (Some(sm), Some((v, sel))) => self.sub_message(sm, v, sel),
                    _ => ValueKind::NestedAny,
                }
            }
            AttrType::Binary => {
                let st = a.struct_def.as_deref().and_then(|s| self.header(s));
                match (
                    st,
                    a.sub_type.and_then(|t| int_of(t, a.byte_order)),
                    a.display_hint,
                ) {
                    (Some(h), _, _) => ValueKind::Fields(h),
                    (None, Some(i), _) => ValueKind::List(i),
                    (None, None, Some(DisplayHint::Mac)) => ValueKind::Mac,
                    (None, None, Some(DisplayHint::Ipv4 | DisplayHint::Ipv6)) => ValueKind::Ip,
                    _ => ValueKind::Bytes,
                }
            }
            t => self.scalar(a, t),
        };
        if a.multi_attr {
            ValueKind::Multi(leak(k))
        } else {
            k
        }
    }
}

impl Schema {
    /// Builds the schema values of a parsed spec (leaking them: once per spec).
    pub fn new(spec: Family) -> Schema {
        let mut b = Builder {
            fam: &spec,
            sets: HashMap::new(),
            structs: HashMap::new(),
            subs: HashMap::new(),
            stack: Vec::new(),
        };
        for s in &spec.attribute_sets {
            b.set(&s.name);
        }
        let genl = spec.level.is_genetlink();
        let mut op_headers = Vec::new();
        let mut op_names = Vec::new();
        let mut op_fixed = Vec::new();
        for op in &spec.operations.list {
            let fixed = op.fixed_header.as_deref().and_then(|h| b.header(h));
            op_fixed.push(fixed);
            op_headers.push(match (genl, fixed) {
                (true, f) => Some(genl_header(&op.name, f)),
                (false, f) => f,
            });
            op_names.push(leak_str(&op.name));
        }
        let (sets, structs) = (b.sets, b.structs);
        let op_parts = spec
            .operations
            .list
            .iter()
            .zip(op_fixed)
            .map(|(op, fixed)| {
                let set = op
                    .attribute_set
                    .as_deref()
                    .and_then(|n| sets.get(n).copied());
                (fixed, set)
            })
            .collect();
        Schema {
            spec,
            sets,
            structs,
            op_headers,
            op_names,
            op_parts,
        }
    }

    /// Loads the spec file at `path` (`.yaml` or `.yaml.gz`).
    pub fn load(path: &std::path::Path) -> Result<Schema, SpecError> {
        super::load(path).map(Schema::new)
    }

    /// Finds the spec of family `name` where `nlkit ynl` looks
    /// ([`SearchPath::from_env`](super::SearchPath::from_env)) and loads it.
    pub fn find(name: &str) -> Result<Schema, SpecError> {
        match super::SearchPath::from_env().find(name) {
            Some(f) => f.load().map(Schema::new),
            None => Err(SpecError {
                file: name.to_string(),
                line: None,
                msg: format!("no spec for family \"{name}\" was found"),
            }),
        }
    }

    /// The family's name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The attribute set called `name`, as schema values.
    pub fn set(&self, name: &str) -> Option<&'static AttrSet> {
        self.sets.get(name).copied()
    }

    /// The struct called `name`, as a fixed header (its integer fields).
    pub fn header(&self, name: &str) -> Option<&'static FixedHeader> {
        self.structs.get(name).copied()
    }

    /// The operation called `name`.
    pub fn op(&self, name: &str) -> Option<&Operation> {
        self.spec.operation(name)
    }

    fn op_index(&self, name: &str) -> Option<usize> {
        self.spec
            .operations
            .list
            .iter()
            .position(|o| o.name == name)
    }

    /// The position of `op` in the spec's list: by address for one of this
    /// schema's own operations (no string compared), else by name.
    fn op_pos(&self, op: &Operation) -> Option<usize> {
        let list = &self.spec.operations.list;
        let (base, at) = (list.as_ptr() as usize, op as *const Operation as usize);
        let size = std::mem::size_of::<Operation>().max(1);
        match at.checked_sub(base).map(|d| (d / size, d % size)) {
            Some((i, 0)) if i < list.len() && std::ptr::eq(&list[i], op) => Some(i),
            _ => self.op_index(&op.name),
        }
    }

    /// The attribute set of operation `op`'s messages.
    pub fn op_set(&self, op: &Operation) -> Option<&'static AttrSet> {
        match self.op_pos(op) {
            Some(i) => self.op_parts[i].1,
            None => self.set(op.attribute_set.as_deref()?),
        }
    }

    /// The header of operation `op`'s messages as decoders show it:
    /// `genlmsghdr` (generic netlink) and the op's fixed header, if any.
    pub fn op_header(&self, op: &str) -> Option<&'static FixedHeader> {
        self.op_headers[self.op_index(op)?]
    }

    /// The fixed header struct of operation `op` (after `genlmsghdr` on generic netlink).
    pub fn fixed_header(&self, op: &Operation) -> Option<&'static FixedHeader> {
        match self.op_pos(op) {
            Some(i) => self.op_parts[i].0,
            None => self.header(op.fixed_header.as_deref()?),
        }
    }

    /// Where the attributes start in a message payload of operation `op`.
    pub fn attrs_start(&self, op: &Operation) -> usize {
        let genl = if self.spec.level.is_genetlink() {
            GENL_HDRLEN
        } else {
            0
        };
        genl + crate::wire::align(self.fixed_header(op).map_or(0, |h| h.size))
    }

    /// The operation a received message belongs to: by `genlmsghdr.cmd`
    /// (generic netlink) or message type (netlink-raw), a reply or
    /// notification id first, then a request id.
    pub fn op_of(&self, msg_type: u16, payload: &[u8]) -> Option<&Operation> {
        let id = if self.spec.level.is_genetlink() {
            u16::from(*payload.first()?)
        } else {
            msg_type
        };
        let ops = &self.spec.operations.list;
        ops.iter()
            .find(|o| o.reply_value == Some(id))
            .or_else(|| ops.iter().find(|o| o.request_value == Some(id)))
    }

    pub(crate) fn op_name_static(&self, op: &Operation) -> Option<&'static str> {
        Some(self.op_names[self.op_index(&op.name)?])
    }

    /// Whether the family is a generic netlink one.
    pub fn is_genetlink(&self) -> bool {
        self.spec.level != Level::NetlinkRaw
    }
}

/// A loaded spec is a decoder descriptor like the typed families' (for
/// `nlkit decode --family`): message types by operation, the operation's
/// headers and attribute set.
impl crate::decode::Family for Schema {
    fn name(&self) -> &str {
        &self.spec.name
    }
    fn message(&self, ty: u16, payload: &[u8]) -> Option<crate::decode::MsgSpec> {
        use crate::wire::FlagContext;
        let op = self.op_of(ty, payload);
        if op.is_none() && !self.is_genetlink() {
            return None;
        }
        let flag_ctx = match op.map(|o| o.name.as_str()) {
            Some(n) if n.starts_with("new") => FlagContext::New,
            Some(n) if n.starts_with("del") => FlagContext::Delete,
            _ => FlagContext::Get,
        };
        Some(crate::decode::MsgSpec {
            name: op.and_then(|o| self.op_name_static(o)),
            flag_ctx,
            fixed: match op {
                Some(o) => self.op_header(&o.name),
                None => Some(&crate::genl::GENLMSGHDR),
            },
            legacy: None,
            has_attrs: true,
            attrs: op.and_then(|o| self.op_set(o)),
        })
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        if self.is_genetlink() {
            return None;
        }
        self.spec
            .operations
            .list
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
            .and_then(|o| o.request_value.or(o.reply_value))
    }
}

/// `genlmsghdr` then an op's fixed header, as one header for decoders.
fn genl_header(op: &str, fixed: Option<&'static FixedHeader>) -> &'static FixedHeader {
    let mut fields = vec![
        Field {
            name: "cmd",
            offset: 0,
            int: Int::U8,
            show: Show::Dec,
        },
        Field {
            name: "version",
            offset: 1,
            int: Int::U8,
            show: Show::Dec,
        },
    ];
    let mut size = GENL_HDRLEN;
    let mut name = "genlmsghdr".to_string();
    if let Some(h) = fixed {
        fields.extend(h.fields.iter().map(|f| Field {
            offset: f.offset + GENL_HDRLEN,
            ..*f
        }));
        size += h.size;
        name = format!("genlmsghdr+{}", h.name);
    }
    let _ = op;
    leak(FixedHeader {
        name: leak_str(&name),
        size,
        fields: Box::leak(fields.into_boxed_slice()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
name: demo
protocol: genetlink-legacy
definitions:
  - name: colour
    type: enum
    entries: [red, green]
  - name: opts
    type: flags
    entries: [a, b, c]
  - name: hdr
    type: struct
    members:
      - name: idx
        type: u32
      - name: kind
        type: u16
        enum: colour
      - name: pad
        type: pad
        len: 2
attribute-sets:
  - name: main
    attributes:
      - name: name
        type: string
      - name: port
        type: u16
        byte-order: big-endian
      - name: opts
        type: u32
        enum: opts
      - name: inner
        type: nest
        nested-attributes: main
      - name: many
        type: u32
        multi-attr: true
      - name: st
        type: binary
        struct: hdr
operations:
  fixed-header: hdr
  list:
    - name: get
      attribute-set: main
      do:
        request:
          attributes: [name]
        reply:
          attributes: [name, port]
"#;

    #[test]
    fn spec_becomes_schema_values() {
        let fam = Family::parse("demo.yaml", SPEC).unwrap();
        let s = Schema::new(fam);
        let main = s.set("main").unwrap();
        assert_eq!(main.name_of(1), Some("name"));
        assert!(matches!(main.get(1).unwrap().value, ValueKind::Str));
        assert!(matches!(main.get(2).unwrap().value, ValueKind::BeU16));
        match main.get(3).unwrap().value {
            ValueKind::Bits(Int::U32, n) => assert_eq!(n, &[(1, "a"), (2, "b"), (4, "c")]),
            k => panic!("{k:?}"),
        }
        // A set that nests itself: named on the first levels, then cut.
        assert_eq!(
            main.path_name(&[4, 1], None).as_deref(),
            Some("inner > name")
        );
        assert_eq!(
            main.path_name(&[4, 4], None).as_deref(),
            Some("inner > inner")
        );
        assert_eq!(main.path_name(&[4, 4, 1], None), None);
        assert!(matches!(
            main.get(5).unwrap().value,
            ValueKind::Multi(ValueKind::U32)
        ));
        match main.get(6).unwrap().value {
            ValueKind::Fields(h) => {
                assert_eq!(h.size, 8);
                assert_eq!(h.fields.len(), 2);
                assert_eq!((h.fields[1].name, h.fields[1].offset), ("kind", 4));
            }
            k => panic!("{k:?}"),
        }
        let h = s.op_header("get").unwrap();
        assert_eq!(h.size, 12);
        assert_eq!(h.fields[3].offset, 8);
        assert_eq!(s.attrs_start(s.op("get").unwrap()), 12);
    }
}
