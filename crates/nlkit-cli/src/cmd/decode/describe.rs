//! Bytes to a description of every message: header fields with flag names,
//! type names, fixed headers, attributes as a tree with typed values,
//! control messages explained in words. Shared by `decode`, `listen` and
//! `send --wait-reply`; rendered as text or JSON by `render`.
//!
//! Never panics on any input: every problem becomes a [`Problem`] with the
//! offset (from the start of the input) where it was found.

use super::tables::{self, MsgSpec};
use nlkit::route::attrs::{
    self, hex, AttrSet, FieldValue, FixedHeader, Inner, Num, Siblings, ValueKind,
};
use nlkit::wire::{
    self, align, Attr, AttrIter, AttrPath, Control, FlagContext, Msg, MsgFlags, MsgHeader, MsgIter,
    NLMSG_HDRLEN,
};
use nlkit::Protocol;
use serde::Serialize;
use serde_json::{json, Value};

/// How deep nested attributes are followed before the rest is shown as hex.
const MAX_DEPTH: usize = 32;

/// A problem in the input: where, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// Offset from the start of the input, when known.
    pub offset: Option<usize>,
    /// What is wrong, without the offset.
    pub reason: String,
}

impl Problem {
    fn wire(e: wire::Error) -> Problem {
        Problem {
            offset: e.offset(),
            reason: wire_reason(&e),
        }
    }
    fn at(offset: usize, reason: impl Into<String>) -> Problem {
        Problem {
            offset: Some(offset),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(o) => write!(f, "error at offset {o}: {}", self.reason),
            None => write!(f, "error: {}", self.reason),
        }
    }
}

/// A wire error's reason, worded without its offset.
pub fn wire_reason(e: &wire::Error) -> String {
    match *e {
        wire::Error::Truncated { need, have, .. } => {
            format!("a header needs {need} bytes, only {have} left")
        }
        wire::Error::MsgTooShort { len, .. } => {
            format!("length {len} is shorter than the header")
        }
        wire::Error::MsgTooLong { len, have, .. } => {
            format!("length {len} runs past the end of the input ({have} bytes left)")
        }
        wire::Error::AttrTooShort { len, .. } => {
            format!("attribute length {len} is shorter than its 4-byte header")
        }
        wire::Error::AttrTooLong { len, have, .. } => {
            format!("attribute length {len} runs past the end of its set ({have} bytes left)")
        }
        other => other.to_string(),
    }
}

/// A whole input (one datagram, or several back to back).
#[derive(Debug, Serialize)]
pub struct Decoded {
    /// Protocol the types were named for.
    pub protocol: String,
    /// Input size in bytes.
    pub length: usize,
    /// Every message decoded, in order.
    pub messages: Vec<MsgDesc>,
    /// Where the input breaks, if it does: nothing after it was decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
}

impl Decoded {
    /// The first problem anywhere (the break, or one inside a message).
    pub fn first_problem(&self) -> Option<&Problem> {
        self.messages
            .iter()
            .find_map(MsgDesc::first_problem)
            .or(self.error.as_ref())
    }
}

/// One message.
#[derive(Debug, Serialize)]
pub struct MsgDesc {
    /// Offset of its header in the input.
    pub offset: usize,
    /// `nlmsg_len`.
    pub len: u32,
    /// `nlmsg_type`.
    #[serde(rename = "type")]
    pub ty: u16,
    /// Type name, `null` when unknown.
    pub type_name: Option<&'static str>,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// Flag names for this type's context (`["REQUEST", "ACK", "DUMP"]`).
    pub flag_names: Vec<String>,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid`.
    pub port_id: u32,
    /// The family's fixed header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderDesc>,
    /// A control message explained.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<ControlDesc>,
    /// Attributes (a tree).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttrDesc>>,
    /// The payload of a protocol without attributes (usersock...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadDesc>,
    /// Problems found inside this message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
}

impl MsgDesc {
    fn first_problem(&self) -> Option<&Problem> {
        self.errors.first().or_else(|| {
            self.control
                .as_ref()
                .and_then(|c| c.request.as_ref())
                .and_then(|r| r.first_problem())
        })
    }
    /// `RTM_NEWLINK (16)` or `type 16`.
    pub fn type_label(&self) -> String {
        match self.type_name {
            Some(n) => format!("{n} ({})", self.ty),
            None => format!("type {}", self.ty),
        }
    }
}

/// A fixed header.
#[derive(Debug, Serialize)]
pub struct HeaderDesc {
    /// C struct name (`ifinfomsg`).
    #[serde(rename = "struct")]
    pub name: &'static str,
    /// Fields, in order.
    pub fields: Vec<FieldDesc>,
    /// Something to know about it (a legacy short header...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One field of a fixed header.
#[derive(Debug, Serialize)]
pub struct FieldDesc {
    /// Field name.
    pub name: &'static str,
    /// Its value.
    pub value: i64,
    /// Symbolic value (`AF_INET`, `UP|LOOPBACK`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip)]
    shown: String,
}

/// A payload that is not attributes.
#[derive(Debug, Serialize)]
pub struct PayloadDesc {
    /// Bytes.
    pub len: usize,
    /// The payload as text, if printable (trailing NULs dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The payload in hex.
    pub hex: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// One attribute.
#[derive(Debug, Serialize)]
pub struct AttrDesc {
    /// Offset of its header in the input.
    pub offset: usize,
    /// `nla_type` without flags.
    #[serde(rename = "type")]
    pub kind: u16,
    /// Name, `null` when unknown.
    pub name: Option<String>,
    /// Payload length.
    pub len: usize,
    /// `NLA_F_NESTED` was set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nested: bool,
    /// `NLA_F_NET_BYTEORDER` was set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub net_byteorder: bool,
    /// Typed value, when the type is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Symbolic value (enum or flag names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Payload in hex, for unknown and opaque attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// Something odd about it (wrong size for its type...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Nested attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttrDesc>>,
    /// Text-mode rendering of the value.
    #[serde(skip)]
    pub display: String,
}

/// A control message (`NLMSG_ERROR`, `NLMSG_DONE`, ...), in words.
#[derive(Debug, Serialize, Default)]
pub struct ControlDesc {
    /// `ack`, `error`, `done`, `noop` or `overrun`.
    pub kind: &'static str,
    /// One sentence.
    pub summary: String,
    /// The raw code (0, or a negative errno).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// Positive errno.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno: Option<i32>,
    /// Its constant name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno_name: Option<&'static str>,
    /// Its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno_text: Option<String>,
    /// `NLM_F_CAPPED`: only the request's header was echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped: Option<bool>,
    /// Extended ACK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_ack: Option<ExtAckDesc>,
    /// The echoed request, decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Box<MsgDesc>>,
}

/// Extended ACK attributes, resolved.
#[derive(Debug, Serialize, Default)]
pub struct ExtAckDesc {
    /// `NLMSGERR_ATTR_MSG`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: offset in the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// The attribute that offset points at (`IFLA_MTU`, `IFLA_LINKINFO > IFLA_INFO_KIND`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Where that attribute is in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_input_offset: Option<usize>,
    /// Why the offset could not be resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_note: Option<String>,
    /// `NLMSGERR_ATTR_MISS_TYPE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<u32>,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_name: Option<String>,
    /// `NLMSGERR_ATTR_MISS_NEST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_nest_offset: Option<u32>,
    /// `NLMSGERR_ATTR_POLICY`, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `NLMSGERR_ATTR_COOKIE`, hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie: Option<String>,
}

/// Decodes every message of `buf` as `proto`.
pub fn decode(proto: Protocol, buf: &[u8]) -> Decoded {
    let mut messages = Vec::new();
    let mut error = None;
    for m in MsgIter::new(buf) {
        match m {
            Ok((at, msg)) => messages.push(describe_msg(proto, &msg, at, 0)),
            Err(e) => {
                error = Some(Problem::wire(e));
                break;
            }
        }
    }
    Decoded {
        protocol: proto_name(proto),
        length: buf.len(),
        messages,
        error,
    }
}

/// `route`, `usersock`, or the number.
pub fn proto_name(p: Protocol) -> String {
    p.to_string()
}

/// Describes one message found at offset `at` of the input.
pub fn describe_msg(proto: Protocol, msg: &Msg<&[u8]>, at: usize, depth: usize) -> MsgDesc {
    let payload = msg.payload_ref();
    let spec = tables::message_spec(proto, msg.msg_type(), payload);
    let mut d = header_only(msg.header(), &spec, at);
    let body_at = at + NLMSG_HDRLEN;
    if let Ok(Some(ctrl)) = Control::parse(msg) {
        d.control = Some(describe_control(proto, msg, ctrl, at, depth, &mut d.errors));
        return d;
    } else if let Err(e) = Control::parse(msg) {
        d.errors.push(Problem::wire(e));
        d.payload = Some(raw_payload(payload));
        return d;
    }
    let mut attrs_from = 0;
    if let Some(fixed) = spec.fixed {
        if payload.len() < fixed.size {
            if spec.flag_ctx == FlagContext::Get && !payload.is_empty() && payload.len() <= 4 {
                // Old tools send a bare rtgenmsg (one byte, the family) in dump requests.
                let mut h = describe_fixed(&nlkit::route::other::RTGENMSG, payload);
                h.note = Some(format!(
                    "shorter than {} ({} bytes): a legacy rtgenmsg dump request",
                    fixed.name, fixed.size
                ));
                d.header = Some(h);
                return d;
            }
            d.errors.push(Problem::at(
                body_at,
                format!(
                    "payload is {} bytes, shorter than {} ({} bytes)",
                    payload.len(),
                    fixed.name,
                    fixed.size
                ),
            ));
            d.payload = Some(raw_payload(payload));
            return d;
        }
        d.header = Some(describe_fixed(fixed, payload));
        attrs_from = align(fixed.size).min(payload.len());
    }
    if spec.has_attrs {
        let attrs = AttrIter::with_offset(&payload[attrs_from..], body_at + attrs_from);
        d.attributes = Some(describe_attrs(spec.attrs, attrs, depth, &mut d.errors));
    } else if !payload.is_empty() {
        d.payload = Some(raw_payload(payload));
    }
    d
}

fn header_only(h: &MsgHeader, spec: &MsgSpec, at: usize) -> MsgDesc {
    let flags = MsgFlags(h.flags.get());
    MsgDesc {
        offset: at,
        len: h.len.get(),
        ty: h.ty.get(),
        type_name: spec.name,
        flags: flags.0,
        flag_names: flags.names(spec.flag_ctx).map(|n| n.to_string()).collect(),
        seq: h.seq.get(),
        port_id: h.pid.get(),
        header: None,
        control: None,
        attributes: None,
        payload: None,
        errors: Vec::new(),
    }
}

impl From<FieldValue> for FieldDesc {
    fn from(f: FieldValue) -> FieldDesc {
        FieldDesc {
            name: f.name,
            value: f.value.bits() as i64,
            shown: f.to_string(),
            text: f.names,
        }
    }
}

impl FieldDesc {
    /// `ifi_index 1`, `ifi_flags 0x10049 (UP|LOOPBACK)`.
    pub fn display(&self) -> String {
        self.shown.clone()
    }
}

fn describe_fixed(fixed: &FixedHeader, p: &[u8]) -> HeaderDesc {
    HeaderDesc {
        name: fixed.name,
        fields: fixed.read(p).into_iter().map(FieldDesc::from).collect(),
        note: None,
    }
}

/// Hex of `b` for text output: spaced pairs, at most 32 bytes shown.
pub fn hex_short(b: &[u8]) -> String {
    const MAX: usize = 32;
    let s: Vec<String> = b.iter().take(MAX).map(|x| format!("{x:02x}")).collect();
    let mut s = s.join(" ");
    if b.len() > MAX {
        s.push_str(&format!(" ... ({} bytes)", b.len()));
    }
    s
}

/// A payload shown as text when printable, hex otherwise.
pub fn raw_payload(p: &[u8]) -> PayloadDesc {
    PayloadDesc {
        len: p.len(),
        text: printable(p),
        hex: hex(p),
        bytes: p.to_vec(),
    }
}

/// `p` as text if it is printable UTF-8 once trailing NULs are dropped.
pub fn printable(p: &[u8]) -> Option<String> {
    let end = p.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let s = std::str::from_utf8(&p[..end]).ok()?;
    (!s.is_empty()
        && s.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\t')))
    .then(|| s.to_string())
}

fn describe_attrs(
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'_>,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> Vec<AttrDesc> {
    let sib = Siblings::scan(set, attrs.clone());
    let mut out = Vec::new();
    for a in attrs {
        match a {
            Ok(a) => {
                let def = set.and_then(|s| s.get(a.kind()));
                let name = def.map(|d| d.name.to_string());
                out.push(describe_attr(
                    name,
                    def.map(|d| d.value),
                    a,
                    &sib,
                    depth,
                    errors,
                ));
            }
            Err(e) => {
                errors.push(Problem::wire(e));
                break;
            }
        }
    }
    out
}

fn describe_attr(
    name: Option<String>,
    kind: Option<ValueKind>,
    a: Attr<'_>,
    sib: &Siblings<'_>,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> AttrDesc {
    let p = a.payload();
    let mut d = AttrDesc {
        offset: a.offset(),
        kind: a.kind(),
        name,
        len: p.len(),
        nested: a.is_nested(),
        net_byteorder: a.is_net_byteorder(),
        value: None,
        text: None,
        hex: None,
        note: None,
        attributes: None,
        display: String::new(),
    };
    let as_hex = |d: &mut AttrDesc, note: Option<String>| {
        d.hex = Some(hex(p));
        d.display = if p.is_empty() {
            "(empty)".into()
        } else {
            hex_short(p)
        };
        d.note = note;
    };
    if let Some(inner) = attrs::inner(kind, &a, sib) {
        if depth >= MAX_DEPTH {
            as_hex(
                &mut d,
                Some(format!(
                    "nested deeper than {MAX_DEPTH} levels: not decoded"
                )),
            );
            return d;
        }
        let kids = match inner {
            Inner::Attrs { set, .. } => {
                let attrs = inner.attrs(&a).unwrap_or(AttrIter::new(&[]));
                describe_attrs(set, attrs, depth + 1, errors)
            }
            Inner::Array(item) => {
                let mut kids = Vec::new();
                for k in a.nested() {
                    match k {
                        Ok(k) => {
                            let n = format!("[{}]", k.kind());
                            let no_sib = Siblings::default();
                            kids.push(describe_attr(
                                Some(n),
                                Some(*item),
                                k,
                                &no_sib,
                                depth + 1,
                                errors,
                            ));
                        }
                        Err(e) => {
                            errors.push(Problem::wire(e));
                            break;
                        }
                    }
                }
                kids
            }
            Inner::Records(_) => describe_hops(&a, depth + 1, errors),
        };
        d.display = format!("{} attributes", kids.len());
        d.attributes = Some(kids);
        return d;
    }
    let Some(kind) = kind else {
        as_hex(&mut d, None);
        return d;
    };
    match attrs::typed(kind, &a) {
        Ok(Some(t)) => {
            d.value = Some(json_value(&t.value));
            d.display = t.text;
            d.text = t.names;
        }
        Ok(None) => as_hex(&mut d, None),
        Err(note) => as_hex(&mut d, Some(note)),
    }
    d
}

/// The hops of `RTA_MULTIPATH`: one `[i]` entry per `rtnexthop`, its fields
/// in the note, its attributes nested.
fn describe_hops(a: &Attr<'_>, depth: usize, errors: &mut Vec<Problem>) -> Vec<AttrDesc> {
    use nlkit::route::routes::{NextHopIter, RTA_SET, RTNEXTHOP};
    let p = a.payload();
    let base = a.offset() + wire::NLA_HDRLEN;
    let mut kids = Vec::new();
    for (i, hop) in NextHopIter::new(p).enumerate() {
        let hop = match hop {
            Ok(h) => h,
            Err(e) => {
                errors.push(Problem::at(base, wire_reason(&e)));
                break;
            }
        };
        let head = &p[hop.attrs_at - RTNEXTHOP.size..hop.attrs_at];
        let fields: Vec<String> = RTNEXTHOP.read(head).iter().map(|f| f.to_string()).collect();
        let attrs = AttrIter::with_offset(hop.attrs, base + hop.attrs_at);
        kids.push(AttrDesc {
            offset: base + hop.attrs_at - RTNEXTHOP.size,
            kind: i as u16,
            name: Some(format!("[{i}]")),
            len: RTNEXTHOP.size + hop.attrs.len(),
            nested: false,
            net_byteorder: false,
            value: None,
            text: None,
            hex: None,
            note: Some(format!("{}: {}", RTNEXTHOP.name, fields.join(", "))),
            attributes: Some(describe_attrs(Some(&RTA_SET), attrs, depth, errors)),
            display: String::new(),
        });
    }
    kids
}

fn json_value(v: &attrs::Value) -> Value {
    use attrs::Value as V;
    let num = |n: &Num| match *n {
        Num::Unsigned(u) => json!(u),
        Num::Signed(i) => json!(i),
    };
    match v {
        V::Num(n) => num(n),
        V::Str(s) | V::Mac(s) => json!(s),
        V::Ip(ip) => json!(ip.to_string()),
        V::Flag => json!(true),
        V::Counters(fields) => {
            Value::Object(fields.iter().map(|(k, n)| (k.clone(), num(n))).collect())
        }
        V::List(nums) => Value::Array(nums.iter().map(num).collect()),
        _ => Value::Null,
    }
}

fn errno_parts(errno: i32) -> (Option<&'static str>, String) {
    (nlkit::errno::name(errno), nlkit::errno::describe(errno))
}

fn describe_control(
    proto: Protocol,
    msg: &Msg<&[u8]>,
    ctrl: Control<'_>,
    at: usize,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> ControlDesc {
    match ctrl {
        Control::Noop => ControlDesc {
            kind: "noop",
            summary: "NOOP: nothing to do, skip it".into(),
            ..Default::default()
        },
        Control::Overrun => ControlDesc {
            kind: "overrun",
            summary: "OVERRUN: messages were lost".into(),
            ..Default::default()
        },
        Control::Done(done) => {
            let mut c = ControlDesc {
                kind: "done",
                code: Some(done.code),
                ..Default::default()
            };
            if done.code == 0 {
                c.summary = format!("end of dump (seq {}), status 0: success", msg.seq());
            } else {
                let errno = done.code.checked_neg().unwrap_or(i32::MAX);
                let (name, text) = errno_parts(errno);
                c.summary = format!(
                    "end of dump (seq {}), status {}: the dump failed: {text} ({})",
                    msg.seq(),
                    done.code,
                    name.unwrap_or("unknown errno")
                );
                c.errno = Some(errno);
                c.errno_name = name;
                c.errno_text = Some(text);
            }
            if !done.ext_ack.is_empty() {
                c.ext_ack = Some(describe_ext_ack_in(&done.ext_ack, None, 0, false, errors));
            }
            c
        }
        Control::Error(e) => {
            let req_hdr = e.request_header();
            let req_payload = e.request.get(NLMSG_HDRLEN..).unwrap_or(&[]);
            let req_spec = req_hdr.map(|h| tables::message_spec(proto, h.ty.get(), req_payload));
            let what = match (req_hdr, req_spec.and_then(|s| s.name)) {
                (Some(h), Some(n)) => format!("{n} request seq {}", h.seq.get()),
                (Some(h), None) => format!("type {} request seq {}", h.ty.get(), h.seq.get()),
                (None, _) => "a request".to_string(),
            };
            let mut c = ControlDesc {
                code: Some(e.code),
                capped: Some(e.capped),
                ..Default::default()
            };
            if e.is_ack() {
                c.kind = "ack";
                c.summary = format!("ACK for {what} from port {}", msg.port_id());
            } else {
                let errno = e.errno();
                let (name, text) = errno_parts(errno);
                c.kind = "error";
                c.summary = format!(
                    "error {} for {what} from port {}: {text} ({})",
                    e.code,
                    msg.port_id(),
                    name.unwrap_or("unknown errno")
                );
                c.errno = Some(errno);
                c.errno_name = name;
                c.errno_text = Some(text);
            }
            // The request starts after nlmsghdr and the 4-byte error code.
            let req_at = at + NLMSG_HDRLEN + 4;
            if !e.ext_ack.is_empty() {
                let attrs_start = req_spec
                    .filter(|s| s.has_attrs)
                    .map(|s| NLMSG_HDRLEN + s.fixed.map_or(0, |f| align(f.size)));
                let target = attrs_start.map(|st| (e.request, st, req_spec.and_then(|s| s.attrs)));
                c.ext_ack = Some(describe_ext_ack_in(
                    &e.ext_ack, target, req_at, e.capped, errors,
                ));
            }
            if let Some(h) = req_hdr {
                if e.capped || e.request.len() <= NLMSG_HDRLEN {
                    let spec =
                        req_spec.unwrap_or_else(|| tables::message_spec(proto, h.ty.get(), &[]));
                    c.request = Some(Box::new(header_only(h, &spec, req_at)));
                } else {
                    match Msg::new_checked(e.request) {
                        Ok(m) => {
                            c.request = Some(Box::new(describe_msg(proto, &m, req_at, depth + 1)))
                        }
                        Err(err) => {
                            let spec = req_spec
                                .unwrap_or_else(|| tables::message_spec(proto, h.ty.get(), &[]));
                            let mut r = header_only(h, &spec, req_at);
                            r.errors.push(Problem::wire(err.offset_by(req_at)));
                            c.request = Some(Box::new(r));
                        }
                    }
                }
            }
            c
        }
    }
}

/// Names the attribute at `types` (outermost first) through nested sets:
/// constant names, `[i]` for array members, `type N` past what is known.
fn name_path(set: Option<&'static AttrSet>, types: &[u16]) -> String {
    let names = set
        .map(|s| s.resolve(types, None).names)
        .unwrap_or_default();
    let parts: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            names
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_else(|| format!("type {t}"))
        })
        .collect();
    parts.join(" > ")
}

fn describe_ext_ack_in(
    x: &wire::ExtAck<'_>,
    target: Option<(&[u8], usize, Option<&'static AttrSet>)>,
    req_at: usize,
    capped: bool,
    errors: &mut Vec<Problem>,
) -> ExtAckDesc {
    let mut d = ExtAckDesc {
        message: x.message().map(|m| m.into_owned()),
        offset: x.offset,
        policy: x.policy.map(|p| p.to_string()).filter(|s| !s.is_empty()),
        cookie: x.cookie.map(hex),
        ..Default::default()
    };
    if let Some(err) = x.malformed {
        errors.push(Problem::wire(err));
    }
    let top_set = target.and_then(|t| t.2);
    if let Some(off) = x.offset {
        if capped {
            d.attribute_note = Some(format!(
                "offset {off} is in the request, which was not echoed (NLM_F_CAPPED)"
            ));
        } else if let Some((req, start, set)) = target {
            match AttrPath::resolve(req, start, off as usize) {
                Some(p) => {
                    d.attribute = Some(name_path(set, p.types()));
                    d.attribute_input_offset = Some(req_at + p.offset);
                    if p.inside {
                        d.attribute_note = Some(format!(
                            "offset {off} points inside the attribute's payload"
                        ));
                    }
                }
                None => {
                    d.attribute_note = Some(format!(
                        "offset {off} is not at an attribute of the echoed request"
                    ))
                }
            }
        } else {
            d.attribute_note = Some(format!("offset {off} in a request of unknown layout"));
        }
    }
    if let Some(m) = x.missing {
        d.missing = Some(m.kind);
        d.missing_nest_offset = m.nest_offset;
        let set = match (m.nest_offset, target) {
            (None, _) => top_set,
            (Some(nest), Some((req, start, set))) if !capped => {
                AttrPath::resolve(req, start, nest as usize)
                    .and_then(|p| set?.resolve(p.types(), None).set)
            }
            _ => None,
        };
        d.missing_name = u16::try_from(m.kind)
            .ok()
            .and_then(|k| set.and_then(|s| s.get(k)))
            .map(|a| a.name.to_string());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlkit::wire::MsgWriter;

    #[test]
    fn link_message_with_nested_and_unknown() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 16, MsgFlags::MULTI, 7, 99);
        let mut ifi = [0u8; 16];
        ifi[4..8].copy_from_slice(&1i32.to_ne_bytes());
        ifi[8..12].copy_from_slice(&0x49u32.to_ne_bytes());
        w.fixed(&ifi);
        w.attr_str(3, "lo").unwrap();
        w.attr_u32(4, 65536).unwrap();
        w.nest(18, |w| w.attr_str(1, "veth").map(|_| ())).unwrap();
        w.attr(200, &[1, 2, 3]).unwrap();
        w.finish().unwrap();
        let d = decode(Protocol::ROUTE, &buf);
        assert!(d.error.is_none());
        let m = &d.messages[0];
        assert_eq!(m.type_name, Some("RTM_NEWLINK"));
        assert_eq!(m.flag_names, ["MULTI"]);
        let h = m.header.as_ref().unwrap();
        assert_eq!(
            h.fields[3].display(),
            "ifi_flags 0x49 (UP|LOOPBACK|RUNNING)"
        );
        let a = m.attributes.as_ref().unwrap();
        assert_eq!(a[0].name.as_deref(), Some("IFLA_IFNAME"));
        assert_eq!(a[0].value, Some(json!("lo")));
        assert_eq!(a[1].value, Some(json!(65536)));
        let kids = a[2].attributes.as_ref().unwrap();
        assert_eq!(kids[0].name.as_deref(), Some("IFLA_INFO_KIND"));
        assert_eq!(a[3].name, None);
        assert_eq!(a[3].hex.as_deref(), Some("010203"));
        assert_eq!(a[0].offset, 32);
    }

    #[test]
    fn broken_length_reports_offset() {
        let mut buf = Vec::new();
        MsgWriter::new(&mut buf, 0x10, 0, 1, 0).finish().unwrap();
        buf.extend_from_slice(&12u32.to_ne_bytes());
        buf.extend_from_slice(&[0; 12]);
        let d = decode(Protocol::USERSOCK, &buf);
        assert_eq!(d.messages.len(), 1);
        assert_eq!(
            d.error.unwrap().to_string(),
            "error at offset 16: length 12 is shorter than the header"
        );
    }

    #[test]
    fn printable_payloads() {
        assert_eq!(
            printable(b"Hello you!\0\0\0").as_deref(),
            Some("Hello you!")
        );
        assert_eq!(printable(&[1, 2, 3]), None);
        assert_eq!(printable(&[0, 0]), None);
    }
}
