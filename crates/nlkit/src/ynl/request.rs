//! Requests built from JSON with the spec's names, checked against the
//! spec before anything is sent.
//!
//! The value is an object: the members of the operation's fixed header
//! (`ifi-index`) and attributes of its set (`{"header": {"dev-name": "v0"}}`).
//! Integers are numbers, or names for enum attributes (arrays of names, or
//! a number, for flags); strings are strings; binary attributes are hex
//! (`"0a0b"`, `"0a:0b"`), an address for an address hint, an object for a
//! struct, an array of numbers for a C array; flags are `true` (or `false`:
//! left out); nests are objects; `multi-attr` attributes and indexed arrays
//! are arrays; a sub-message is an object whose format its selector
//! sibling chooses; a `bitfield32` is `{"value": .., "selector": ..}`.
//!
//! Each mistake is a [`RequestError`] naming the JSON path
//! (`header.dev-name: unknown attribute ...`): an unknown attribute or
//! member, a value of the wrong JSON type, a number out of its type's range
//! or the spec's `checks` (min, max, min-len, max-len, exact-len), an
//! unknown enum name.

use super::schema::{member_size, Schema};
use super::spec::{AttrType, Attribute, AttributeSet, ByteOrder, DisplayHint, Member};
use crate::conn::ToMsg;
use crate::schema::AttrSet;
use crate::wire::{self, MsgFlags, MsgWriter};
use core::fmt;
use serde_json::{Map, Value};

/// Which handler of an operation a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `do`: one object, answered by a reply or an ACK.
    Do,
    /// `dump`: every object (`NLM_F_DUMP`), a reply each.
    Dump,
}

impl Mode {
    /// `do` or `dump`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Do => "do",
            Mode::Dump => "dump",
        }
    }
}

/// What is wrong with a JSON request, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    /// The JSON path (`header.dev-name`, `many[2]`); empty for the whole request.
    pub path: String,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.msg)
        } else {
            write!(f, "{}: {}", self.path, self.msg)
        }
    }
}

impl std::error::Error for RequestError {}

impl From<RequestError> for crate::Error {
    fn from(e: RequestError) -> crate::Error {
        crate::Error::Invalid(e.to_string())
    }
}

/// A request built by [`Schema::request`]: the payload (`genlmsghdr`,
/// fixed header, attributes) and what names its attributes for ext-acks.
/// On generic netlink the message type is the family id the client
/// resolved ([`Client`](super::Client) sets it); on netlink-raw it is the
/// operation's.
#[derive(Debug, Clone)]
pub struct Request {
    /// The message type (generic netlink: the family id, 0 until set).
    pub msg_type: u16,
    /// Flags besides `REQUEST`/`ACK` (`DUMP` for dumps; add `CREATE`,
    /// `EXCL`, `REPLACE`, `APPEND` for netlink-raw `new` operations).
    pub flags: u16,
    /// The operation's name.
    pub op: String,
    /// Do or dump.
    pub mode: Mode,
    payload: Vec<u8>,
    attrs_at: usize,
    set: Option<&'static AttrSet>,
    what: String,
}

impl Request {
    /// The payload: headers and attributes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// Where the attributes start in the payload.
    pub fn attrs_start(&self) -> usize {
        self.attrs_at
    }
    /// Names an attribute path (types, outermost first) with the spec's
    /// names, joined by `.` (`header.dev-index`); levels the spec does not
    /// name are their numbers.
    pub fn path_name(&self, path: &[u16]) -> Option<String> {
        let set = self.set?;
        let info = set.resolve(path, None);
        let parts: Vec<String> = info
            .names
            .into_iter()
            .zip(path)
            .map(|(n, t)| n.unwrap_or_else(|| t.to_string()))
            .collect();
        Some(parts.join("."))
    }
}

impl ToMsg for Request {
    fn write(&self, buf: &mut Vec<u8>) -> wire::Result<usize> {
        let mut w = MsgWriter::new(buf, self.msg_type, self.flags, 0, 0);
        w.bytes(&self.payload);
        w.finish()?;
        Ok(wire::NLMSG_HDRLEN + self.attrs_at)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        self.path_name(path)
    }
}

fn err(path: &str, msg: impl Into<String>) -> RequestError {
    RequestError {
        path: path.to_string(),
        msg: msg.into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// "a string", "an object"...: a JSON value's type, for messages.
fn jtype(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wire_err(path: &str, e: wire::Error) -> RequestError {
    err(path, format!("cannot be written: {e}"))
}

/// The range of an integer type.
fn type_range(ty: AttrType) -> (i128, i128) {
    match ty {
        AttrType::U8 => (0, u8::MAX.into()),
        AttrType::U16 => (0, u16::MAX.into()),
        AttrType::U32 => (0, u32::MAX.into()),
        AttrType::U64 | AttrType::Uint => (0, u64::MAX.into()),
        AttrType::S8 => (i8::MIN.into(), i8::MAX.into()),
        AttrType::S16 => (i16::MIN.into(), i16::MAX.into()),
        AttrType::S32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// The bytes of integer `v` of type `ty`.
fn int_bytes(ty: AttrType, order: Option<ByteOrder>, v: i128) -> Vec<u8> {
    let be = order == Some(ByteOrder::Big);
    let size = match ty {
        AttrType::Uint if v > i128::from(u32::MAX) => 8,
        AttrType::Sint if v < i128::from(i32::MIN) || v > i128::from(i32::MAX) => 8,
        AttrType::Uint | AttrType::Sint => 4,
        t => t.scalar_size().unwrap_or(8),
    };
    let u = v as u64;
    if be || cfg!(target_endian = "big") {
        u.to_be_bytes()[8 - size..].to_vec()
    } else {
        u.to_le_bytes()[..size].to_vec()
    }
}

/// The bytes a string stands for: an address for an address hint, else hex.
fn text_bytes(hint: Option<DisplayHint>, s: &str, path: &str) -> Result<Vec<u8>, RequestError> {
    match hint {
        Some(DisplayHint::Ipv4 | DisplayHint::Ipv6) => match s.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(ip)) => Ok(ip.octets().to_vec()),
            Ok(std::net::IpAddr::V6(ip)) => Ok(ip.octets().to_vec()),
            Err(_) => Err(err(path, format!("{s:?} is not an IP address"))),
        },
        _ => hex_bytes(s).ok_or_else(|| {
            err(
                path,
                format!("{s:?} is not hex bytes (\"0a0b\" or \"0a:0b\")"),
            )
        }),
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| *c != ':' && *c != ' ').collect();
    let clean = clean.strip_prefix("0x").unwrap_or(&clean);
    if clean.len() % 2 != 0 {
        return None;
    }
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(clean.get(i..i + 2)?, 16).ok())
        .collect()
}

/// How an integer's value is written: its type, byte order, enum and checks.
struct IntSpec<'a> {
    ty: AttrType,
    enum_def: Option<&'a str>,
    as_flags: bool,
    min: Option<i128>,
    max: Option<i128>,
}

impl Schema {
    /// Builds a request for operation `op` from `json` (see the
    /// [module](self) doc), checked against the spec. `json` may be `null`
    /// for no attributes.
    pub fn request(&self, op: &str, mode: Mode, json: &Value) -> Result<Request, RequestError> {
        let fam = &self.spec;
        let o = self.op(op).ok_or_else(|| {
            let names: Vec<&str> = fam
                .operations
                .list
                .iter()
                .filter(|o| o.request_value.is_some())
                .map(|o| o.name.as_str())
                .collect();
            err(
                "",
                format!(
                    "family \"{}\" has no operation \"{op}\" (it has: {})",
                    fam.name,
                    names.join(", ")
                ),
            )
        })?;
        let sub = match mode {
            Mode::Do => o.do_.as_ref(),
            Mode::Dump => o.dump.as_ref(),
        };
        let (Some(_), Some(id)) = (sub, o.request_value) else {
            return Err(err(
                "",
                format!("operation \"{op}\" has no {} handler", mode.name()),
            ));
        };
        let empty = Map::new();
        let obj = match json {
            Value::Null => &empty,
            Value::Object(m) => m,
            v => return Err(err("", format!("expected an object, not {}", jtype(v)))),
        };
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0, 0, 0, 0);
        let genl = self.is_genetlink();
        if genl {
            w.bytes(&[id as u8, fam.version, 0, 0]);
        }
        let mut members: Vec<&str> = Vec::new();
        if let Some(h) = o.fixed_header.as_deref() {
            let sd = fam
                .struct_def(h)
                .ok_or_else(|| err("", format!("fixed header \"{h}\" is not a struct")))?;
            members = sd.members.iter().map(|m| m.name.as_str()).collect();
            let b = self.struct_bytes(h, obj, "", true)?;
            w.fixed(&b[..]);
        }
        let set_spec = o
            .attribute_set
            .as_deref()
            .and_then(|s| fam.attribute_set(s));
        self.encode_set(&mut w, set_spec, obj, "", &members)?;
        w.finish().map_err(|e| wire_err("", e))?;
        let payload = buf[wire::NLMSG_HDRLEN..].to_vec();
        let flags = match mode {
            Mode::Do => 0,
            Mode::Dump => MsgFlags::DUMP,
        };
        Ok(Request {
            msg_type: if genl { 0 } else { id },
            flags,
            op: op.to_string(),
            mode,
            payload,
            attrs_at: self.attrs_start(o),
            set: self.op_set(o),
            what: format!("{} {} {}", fam.name, op, mode.name()),
        })
    }

    fn encode_set(
        &self,
        w: &mut MsgWriter<'_>,
        set: Option<&AttributeSet>,
        obj: &Map<String, Value>,
        path: &str,
        skip: &[&str],
    ) -> Result<(), RequestError> {
        for (k, v) in obj {
            if skip.contains(&k.as_str()) {
                continue;
            }
            let p = join(path, k);
            let Some(set) = set else {
                return Err(err(
                    &p,
                    "unknown attribute (the operation has no attribute set)",
                ));
            };
            let Some(a) = set.attr(k) else {
                let names: Vec<&str> = set
                    .attributes
                    .iter()
                    .filter(|a| !matches!(a.ty, AttrType::Unused | AttrType::Pad))
                    .map(|a| a.name.as_str())
                    .chain(skip.iter().copied())
                    .collect();
                return Err(err(
                    &p,
                    format!(
                        "unknown attribute (set \"{}\" has: {})",
                        set.name,
                        names.join(", ")
                    ),
                ));
            };
            if a.multi_attr {
                match v {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.encode_attr(w, obj, a, item, &format!("{p}[{i}]"))?;
                        }
                    }
                    v => self.encode_attr(w, obj, a, v, &p)?,
                }
            } else {
                self.encode_attr(w, obj, a, v, &p)?;
            }
        }
        Ok(())
    }

    fn int_value(&self, s: &IntSpec<'_>, v: &Value, path: &str) -> Result<i128, RequestError> {
        let fam = &self.spec;
        let en = s
            .enum_def
            .and_then(|e| fam.enum_def(e).map(|(d, f)| (e, d, f)));
        let bits = en.is_some_and(|(_, _, f)| f) || s.as_flags;
        let by_name = |name: &str| -> Result<i128, RequestError> {
            let Some((ename, def, _)) = en else {
                return Err(err(
                    path,
                    format!("expected a number, not a string ({name:?})"),
                ));
            };
            let Some(e) = def.entry(name) else {
                let names: Vec<&str> = def.entries.iter().map(|e| e.name.as_str()).collect();
                return Err(err(
                    path,
                    format!(
                        "\"{name}\" is not a value of {} {ename} (it has: {})",
                        if bits { "flags" } else { "enum" },
                        names.join(", ")
                    ),
                ));
            };
            Ok(if bits {
                1i128 << e.value.clamp(0, 63)
            } else {
                i128::from(e.value)
            })
        };
        let n = match v {
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => i128::from(u),
                (_, Some(i)) => i128::from(i),
                _ => return Err(err(path, format!("{n} is not an integer"))),
            },
            Value::String(name) => by_name(name)?,
            Value::Array(names) if bits => {
                let mut acc = 0i128;
                for (i, x) in names.iter().enumerate() {
                    match x {
                        Value::String(name) => {
                            acc |= by_name(name).map_err(|e| RequestError {
                                path: format!("{path}[{i}]"),
                                ..e
                            })?
                        }
                        x => {
                            return Err(err(
                                &format!("{path}[{i}]"),
                                format!("expected a flag name, not {}", jtype(x)),
                            ))
                        }
                    }
                }
                acc
            }
            v => {
                let want = if en.is_some() {
                    "a number or a name"
                } else {
                    "a number"
                };
                return Err(err(path, format!("expected {want}, not {}", jtype(v))));
            }
        };
        let (lo, hi) = type_range(s.ty);
        if n < lo || n > hi {
            return Err(err(
                path,
                format!("{n} is out of range for {} ({lo} to {hi})", s.ty.name()),
            ));
        }
        if let Some(min) = s.min.filter(|m| n < *m) {
            return Err(err(path, format!("{n} is below the minimum {min}")));
        }
        if let Some(max) = s.max.filter(|m| n > *m) {
            return Err(err(path, format!("{n} is above the maximum {max}")));
        }
        Ok(n)
    }

    fn limit(&self, l: &Option<super::spec::Limit>) -> Option<i128> {
        l.as_ref().and_then(|l| self.spec.limit_value(l))
    }

    fn check_len(
        &self,
        a: &Attribute,
        len: usize,
        what: &str,
        path: &str,
    ) -> Result<(), RequestError> {
        let len = len as i128;
        let c = &a.checks;
        if let Some(x) = self.limit(&c.exact_len).filter(|x| len != *x) {
            return Err(err(
                path,
                format!("{what} of {len} bytes, exact-len is {x}"),
            ));
        }
        if let Some(x) = self.limit(&c.min_len).filter(|x| len < *x) {
            return Err(err(
                path,
                format!("{what} of {len} bytes is shorter than min-len {x}"),
            ));
        }
        if let Some(x) = self.limit(&c.max_len).filter(|x| len > *x) {
            return Err(err(
                path,
                format!("{what} of {len} bytes is longer than max-len {x}"),
            ));
        }
        Ok(())
    }

    fn encode_attr(
        &self,
        w: &mut MsgWriter<'_>,
        siblings: &Map<String, Value>,
        a: &Attribute,
        v: &Value,
        path: &str,
    ) -> Result<(), RequestError> {
        let fam = &self.spec;
        let kind = a.value;
        let wrong = |want: &str| err(path, format!("expected {want}, not {}", jtype(v)));
        let put = |w: &mut MsgWriter<'_>, b: &[u8]| {
            w.attr(kind, b).map(drop).map_err(|e| wire_err(path, e))
        };
        match a.ty {
            AttrType::Unused | AttrType::Pad => {
                Err(err(path, format!("a {} attribute is never sent", a.ty)))
            }
            AttrType::Flag => match v {
                Value::Bool(true) => put(w, &[]),
                Value::Bool(false) => Ok(()),
                _ => Err(wrong("true or false (a flag)")),
            },
            t if t.is_int() => {
                let s = IntSpec {
                    ty: t,
                    enum_def: a.enum_def.as_deref(),
                    as_flags: a.enum_as_flags,
                    min: self.limit(&a.checks.min),
                    max: self.limit(&a.checks.max),
                };
                let n = self.int_value(&s, v, path)?;
                put(w, &int_bytes(t, a.byte_order, n))
            }
            AttrType::String => {
                let Value::String(s) = v else {
                    return Err(wrong("a string"));
                };
                self.check_len(a, s.len(), "a string", path)?;
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                put(w, &b)
            }
            AttrType::Binary => {
                let b = self.binary(a, v, path)?;
                self.check_len(a, b.len(), "a value", path)?;
                put(w, &b)
            }
            AttrType::Bitfield32 => {
                let Value::Object(m) = v else {
                    return Err(wrong("an object {\"value\": .., \"selector\": ..}"));
                };
                let mut b = Vec::with_capacity(8);
                for k in ["value", "selector"] {
                    let s = IntSpec {
                        ty: AttrType::U32,
                        enum_def: a.enum_def.as_deref(),
                        as_flags: true,
                        min: None,
                        max: None,
                    };
                    let x = m
                        .get(k)
                        .ok_or_else(|| err(path, format!("\"{k}\" is missing")))?;
                    let n = self.int_value(&s, x, &join(path, k))?;
                    b.extend_from_slice(&(n as u32).to_ne_bytes());
                }
                if let Some(k) = m.keys().find(|k| *k != "value" && *k != "selector") {
                    return Err(err(&join(path, k), "unknown member (value, selector)"));
                }
                put(w, &b)
            }
            AttrType::Nest => {
                let Value::Object(m) = v else {
                    return Err(wrong("an object"));
                };
                let inner = a
                    .nested_attributes
                    .as_deref()
                    .and_then(|n| fam.attribute_set(n));
                let nest = w.begin_nest(kind);
                self.encode_set(w, inner, m, path, &[])?;
                w.end_nest(nest).map(drop).map_err(|e| wire_err(path, e))
            }
            AttrType::IndexedArray => {
                let Value::Array(items) = v else {
                    return Err(wrong("an array"));
                };
                let inner = a
                    .nested_attributes
                    .as_deref()
                    .and_then(|n| fam.attribute_set(n));
                let nest = w.begin_nest(kind);
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    let idx = u16::try_from(i).map_err(|_| err(&p, "too many entries"))?;
                    match (a.sub_type, item) {
                        (Some(AttrType::Nest) | None, Value::Object(m)) => {
                            let n = w.begin_nest(idx);
                            self.encode_set(w, inner, m, &p, &[])?;
                            w.end_nest(n).map_err(|e| wire_err(&p, e))?;
                        }
                        (Some(AttrType::Nest) | None, x) => {
                            return Err(err(&p, format!("expected an object, not {}", jtype(x))))
                        }
                        (Some(t), x) => {
                            let item_attr = Attribute {
                                ty: t,
                                value: idx,
                                multi_attr: false,
                                ..a.clone()
                            };
                            self.encode_attr(w, siblings, &item_attr, x, &p)?;
                        }
                    }
                }
                w.end_nest(nest).map(drop).map_err(|e| wire_err(path, e))
            }
            AttrType::SubMessage => {
                let Value::Object(m) = v else {
                    return Err(wrong("an object"));
                };
                let sel = a.selector.as_deref().unwrap_or("");
                let Some(Value::String(choice)) = siblings.get(sel) else {
                    return Err(err(
                        path,
                        format!("needs its selector \"{sel}\" (a string) beside it to choose its format"),
                    ));
                };
                let sm = a.sub_message.as_deref().and_then(|s| fam.sub_message(s));
                let Some(f) = sm.and_then(|sm| sm.format(choice)) else {
                    let names: Vec<&str> = sm.map_or(Vec::new(), |sm| {
                        sm.formats.iter().map(|f| f.value.as_str()).collect()
                    });
                    return Err(err(
                        path,
                        format!(
                            "{sel} \"{choice}\" has no format (known: {})",
                            names.join(", ")
                        ),
                    ));
                };
                let nest = w.begin_nest(kind);
                let mut members: Vec<&str> = Vec::new();
                if let Some(h) = f.fixed_header.as_deref() {
                    if let Some(sd) = fam.struct_def(h) {
                        members = sd.members.iter().map(|m| m.name.as_str()).collect();
                    }
                    let b = self.struct_bytes(h, m, path, true)?;
                    w.fixed(&b[..]);
                }
                let inner = f
                    .attribute_set
                    .as_deref()
                    .and_then(|n| fam.attribute_set(n));
                self.encode_set(w, inner, m, path, &members)?;
                w.end_nest(nest).map(drop).map_err(|e| wire_err(path, e))
            }
            AttrType::NestTypeValue => Err(err(path, "nest-type-value attributes cannot be sent")),
            t => Err(err(path, format!("a {t} attribute cannot be sent"))),
        }
    }

    fn binary(&self, a: &Attribute, v: &Value, path: &str) -> Result<Vec<u8>, RequestError> {
        if let Some(st) = a.struct_def.as_deref() {
            let Value::Object(m) = v else {
                return Err(err(
                    path,
                    format!("expected an object (struct {st}), not {}", jtype(v)),
                ));
            };
            return self.struct_bytes(st, m, path, false);
        }
        if let (Some(t), Value::Array(items)) = (a.sub_type, v) {
            if t.is_int() {
                let mut b = Vec::new();
                for (i, x) in items.iter().enumerate() {
                    let s = IntSpec {
                        ty: t,
                        enum_def: None,
                        as_flags: false,
                        min: None,
                        max: None,
                    };
                    let n = self.int_value(&s, x, &format!("{path}[{i}]"))?;
                    b.extend(int_bytes(t, a.byte_order, n));
                }
                return Ok(b);
            }
        }
        let Value::String(s) = v else {
            return Err(err(
                path,
                format!("expected a string (hex bytes), not {}", jtype(v)),
            ));
        };
        text_bytes(a.display_hint, s, path)
    }

    /// The bytes of struct `name` from the members in `obj` (missing ones
    /// are 0). With `partial`, keys that are not members are left for the
    /// caller (they are attributes); otherwise they are errors.
    fn struct_bytes(
        &self,
        name: &str,
        obj: &Map<String, Value>,
        path: &str,
        partial: bool,
    ) -> Result<Vec<u8>, RequestError> {
        let fam = &self.spec;
        let sd = fam
            .struct_def(name)
            .ok_or_else(|| err(path, format!("\"{name}\" is not a struct")))?;
        if !partial {
            if let Some(k) = obj
                .keys()
                .find(|k| !sd.members.iter().any(|m| &m.name == *k))
            {
                let names: Vec<&str> = sd.members.iter().map(|m| m.name.as_str()).collect();
                return Err(err(
                    &join(path, k),
                    format!("unknown member (struct {name} has: {})", names.join(", ")),
                ));
            }
        }
        let mut b = Vec::with_capacity(sd.size);
        for m in &sd.members {
            let size = member_size(fam, m);
            let p = join(path, &m.name);
            let start = b.len();
            match obj.get(&m.name) {
                None => b.resize(start + size, 0),
                Some(v) => b.extend(self.member_bytes(m, v, &p, size)?),
            }
            b.resize(start + size, 0);
        }
        Ok(b)
    }

    fn member_bytes(
        &self,
        m: &Member,
        v: &Value,
        path: &str,
        size: usize,
    ) -> Result<Vec<u8>, RequestError> {
        if m.ty.is_int() {
            let s = IntSpec {
                ty: m.ty,
                enum_def: m.enum_def.as_deref(),
                as_flags: m.enum_as_flags,
                min: None,
                max: None,
            };
            let n = self.int_value(&s, v, path)?;
            return Ok(int_bytes(m.ty, m.byte_order, n));
        }
        if let Some(st) = m.struct_def.as_deref() {
            let Value::Object(o) = v else {
                return Err(err(
                    path,
                    format!("expected an object (struct {st}), not {}", jtype(v)),
                ));
            };
            return self.struct_bytes(st, o, path, false);
        }
        let b = match (m.ty, v) {
            (AttrType::String, Value::String(s)) => s.as_bytes().to_vec(),
            (_, Value::String(s)) => text_bytes(m.display_hint, s, path)?,
            (_, v) => return Err(err(path, format!("expected a string, not {}", jtype(v)))),
        };
        if b.len() > size {
            return Err(err(
                path,
                format!("{} bytes do not fit a {size}-byte member", b.len()),
            ));
        }
        Ok(b)
    }
}
