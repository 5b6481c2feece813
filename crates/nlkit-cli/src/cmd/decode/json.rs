//! JSON of decoded messages: borrowed wrappers with a hand-written
//! `Serialize`, so that the keys (documented in [`super::JSON_KEYS`]) are
//! written here once and nothing is copied into an intermediate tree.

use nlkit::decode::{
    printable, printable_column, AttrDesc, ControlDesc, Decoded, ExtAckDesc, HeaderDesc, MsgDesc,
    Problem,
};
use nlkit::schema::{hex, Num, Value};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

/// A decoded thing, as JSON.
pub struct J<'a, T: ?Sized>(pub &'a T);

fn opt<M: SerializeMap, V: Serialize>(m: &mut M, key: &str, v: Option<V>) -> Result<(), M::Error> {
    match v {
        Some(v) => m.serialize_entry(key, &v),
        None => Ok(()),
    }
}

fn seq<S: Serializer, T, I>(s: S, items: I) -> Result<S::Ok, S::Error>
where
    I: ExactSizeIterator<Item = T>,
    T: Serialize,
{
    let mut q = s.serialize_seq(Some(items.len()))?;
    for i in items {
        q.serialize_element(&i)?;
    }
    q.end()
}

impl Serialize for J<'_, Decoded<'_>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("protocol", &d.protocol.to_string())?;
        m.serialize_entry("length", &d.input.len())?;
        m.serialize_entry("messages", &Msgs(&d.messages))?;
        opt(&mut m, "datagram", d.datagram.as_deref().map(Attrs))?;
        opt(&mut m, "error", d.error.as_ref().map(J))?;
        m.end()
    }
}

struct Msgs<'a, 'b>(&'a [MsgDesc<'b>]);

impl Serialize for Msgs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        seq(s, self.0.iter().map(J))
    }
}

impl Serialize for J<'_, Problem> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("offset", &self.0.offset)?;
        m.serialize_entry("reason", &self.0.reason)?;
        m.end()
    }
}

/// A payload that is not attributes: `{len, text?, hex}`.
struct Payload<'a>(&'a [u8]);

impl Serialize for Payload<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("len", &self.0.len())?;
        opt(&mut m, "text", printable(self.0))?;
        m.serialize_entry("hex", &hex(self.0))?;
        m.end()
    }
}

impl Serialize for J<'_, MsgDesc<'_>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("offset", &d.offset)?;
        m.serialize_entry("len", &d.len)?;
        m.serialize_entry("type", &d.ty)?;
        m.serialize_entry("type_name", &d.type_name)?;
        m.serialize_entry("flags", &d.flags)?;
        m.serialize_entry("flag_names", &d.flag_names)?;
        m.serialize_entry("seq", &d.seq)?;
        m.serialize_entry("port_id", &d.port_id)?;
        opt(&mut m, "header", d.header.as_ref().map(J))?;
        opt(&mut m, "control", d.control.as_ref().map(J))?;
        opt(&mut m, "attributes", d.attributes.as_deref().map(Attrs))?;
        opt(&mut m, "payload", d.payload.map(Payload))?;
        if !d.errors.is_empty() {
            m.serialize_entry("errors", &Problems(&d.errors))?;
        }
        m.end()
    }
}

struct Problems<'a>(&'a [Problem]);

impl Serialize for Problems<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        seq(s, self.0.iter().map(J))
    }
}

impl Serialize for J<'_, HeaderDesc> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Field<'a>(&'a nlkit::schema::FieldValue);
        impl Serialize for Field<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("name", self.0.name)?;
                m.serialize_entry("value", &(self.0.value.bits() as i64))?;
                opt(&mut m, "text", self.0.names.as_ref())?;
                m.end()
            }
        }
        struct Fields<'a>(&'a [nlkit::schema::FieldValue]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                seq(s, self.0.iter().map(Field))
            }
        }
        let h = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("struct", h.name)?;
        m.serialize_entry("fields", &Fields(&h.fields))?;
        opt(&mut m, "note", h.note.as_ref())?;
        m.end()
    }
}

struct Attrs<'a, 'b>(&'a [AttrDesc<'b>]);

impl Serialize for Attrs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        seq(s, self.0.iter().map(J))
    }
}

/// A typed value: a number, a string, `true`, an object of counters, an array.
struct Val<'a>(&'a Value);

struct N(Num);

impl Serialize for N {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Num::Unsigned(u) => s.serialize_u64(u),
            Num::Signed(i) => s.serialize_i64(i),
        }
    }
}

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Num(n) => N(*n).serialize(s),
            Value::Str(t) | Value::Mac(t) => s.serialize_str(t),
            Value::Ip(ip) => s.collect_str(ip),
            Value::Flag => s.serialize_bool(true),
            Value::Counters(fields) => {
                let mut m = s.serialize_map(Some(fields.len()))?;
                for (k, n) in fields {
                    m.serialize_entry(k, &N(*n))?;
                }
                m.end()
            }
            Value::List(nums) => seq(s, nums.iter().map(|n| N(*n))),
            _ => s.serialize_unit(),
        }
    }
}

impl Serialize for J<'_, AttrDesc<'_>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("offset", &a.offset)?;
        m.serialize_entry("type", &a.kind)?;
        m.serialize_entry("name", &a.name)?;
        m.serialize_entry("len", &a.payload.len())?;
        if a.nested {
            m.serialize_entry("nested", &true)?;
        }
        if a.net_byteorder {
            m.serialize_entry("net_byteorder", &true)?;
        }
        opt(&mut m, "value", a.value.as_ref().map(Val))?;
        opt(&mut m, "text", a.text.as_ref())?;
        if a.opaque {
            m.serialize_entry("hex", &hex(a.payload))?;
            if a.is_unknown() {
                m.serialize_entry("printable", &printable_column(a.payload))?;
            }
        }
        opt(&mut m, "note", a.note.as_ref())?;
        opt(&mut m, "attributes", a.attributes.as_deref().map(Attrs))?;
        m.end()
    }
}

impl Serialize for J<'_, ControlDesc<'_>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", c.kind)?;
        m.serialize_entry("summary", &c.summary)?;
        opt(&mut m, "code", c.code)?;
        opt(&mut m, "errno", c.errno)?;
        opt(&mut m, "errno_name", c.errno_name)?;
        opt(&mut m, "errno_text", c.errno_text.as_ref())?;
        opt(&mut m, "capped", c.capped)?;
        opt(&mut m, "ext_ack", c.ext_ack.as_ref().map(J))?;
        opt(&mut m, "request", c.request.as_deref().map(J))?;
        m.end()
    }
}

impl Serialize for J<'_, ExtAckDesc<'_>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        let mut m = s.serialize_map(None)?;
        opt(&mut m, "message", x.message.as_ref())?;
        opt(&mut m, "offset", x.offset)?;
        opt(&mut m, "attribute", x.attribute.as_ref())?;
        opt(&mut m, "attribute_input_offset", x.attribute_input_offset)?;
        opt(&mut m, "attribute_note", x.attribute_note.as_ref())?;
        opt(&mut m, "missing", x.missing)?;
        opt(&mut m, "missing_name", x.missing_name.as_ref())?;
        opt(&mut m, "missing_nest_offset", x.missing_nest_offset)?;
        opt(&mut m, "policy", x.policy.as_ref())?;
        opt(&mut m, "cookie", x.cookie.map(hex))?;
        m.end()
    }
}

/// `v` as a JSON value (for the output layer, which takes values).
pub fn to_value<T: Serialize>(v: T) -> Result<serde_json::Value, crate::error::CliError> {
    serde_json::to_value(v).map_err(|e| crate::error::CliError::Other(e.to_string()))
}
