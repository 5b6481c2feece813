//! Bytes to a description of every message: header fields with flag names,
//! type names, fixed headers, attributes as a tree with typed values,
//! control messages explained in words. The descriptions borrow the input
//! (payloads are slices of it); laying them out as text or JSON is the
//! caller's business.
//!
//! Never panics on any input: every problem becomes a [`Problem`] with the
//! offset (from the start of the input) where it was found, and the
//! description holds everything before it.

use super::registry::MsgSpec;
use super::Decoder;
use crate::schema::{
    self, AttrSet, FieldValue, FixedHeader, Inner, RecordIter, Records, Siblings, ValueKind,
};
use crate::wire::{
    self, align, Attr, AttrIter, AttrPath, Control, Msg, MsgFlags, MsgHeader, MsgIter, NLMSG_HDRLEN,
};
use crate::Protocol;
use std::fmt;

/// How deep nested attributes are followed before the rest is shown as bytes.
pub const MAX_DEPTH: usize = 32;

/// A problem in the input: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
#[derive(Debug)]
pub struct Decoded<'a> {
    /// Protocol the types were named for.
    pub protocol: Protocol,
    /// The input.
    pub input: &'a [u8],
    /// Every message decoded, in order.
    pub messages: Vec<MsgDesc<'a>>,
    /// For a protocol without `nlmsghdr` (uevents): the datagram's fields,
    /// as its descriptor reads them ([`Family::datagram`](super::Family::datagram)).
    pub datagram: Option<Vec<AttrDesc<'a>>>,
    /// Where the input breaks, if it does: nothing after it was decoded.
    pub error: Option<Problem>,
}

impl Decoded<'_> {
    /// The first problem anywhere (one inside a message, or the break).
    pub fn first_problem(&self) -> Option<&Problem> {
        self.messages
            .iter()
            .find_map(MsgDesc::first_problem)
            .or(self.error.as_ref())
    }
}

/// One message.
#[derive(Debug)]
pub struct MsgDesc<'a> {
    /// Offset of its header in the input.
    pub offset: usize,
    /// `nlmsg_len`.
    pub len: u32,
    /// `nlmsg_type`.
    pub ty: u16,
    /// Type name, `None` when unknown.
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
    pub header: Option<HeaderDesc>,
    /// A control message explained.
    pub control: Option<ControlDesc<'a>>,
    /// Attributes (a tree), for protocols that have them.
    pub attributes: Option<Vec<AttrDesc<'a>>>,
    /// The payload, when it is not a header and attributes (usersock, a
    /// header too short to read).
    pub payload: Option<&'a [u8]>,
    /// Problems found inside this message.
    pub errors: Vec<Problem>,
}

impl MsgDesc<'_> {
    /// The first problem in this message or its echoed request.
    pub fn first_problem(&self) -> Option<&Problem> {
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
#[derive(Debug)]
pub struct HeaderDesc {
    /// C struct name (`ifinfomsg`).
    pub name: &'static str,
    /// Fields, in order (each displays as `ifi_flags 0x49 (UP|LOOPBACK|RUNNING)`).
    pub fields: Vec<FieldValue>,
    /// Something to know about it (a legacy short header...).
    pub note: Option<String>,
}

/// One attribute.
#[derive(Debug)]
pub struct AttrDesc<'a> {
    /// Offset of its header in the input.
    pub offset: usize,
    /// `nla_type` without flags.
    pub kind: u16,
    /// Name (`IFLA_MTU`, `[2]` for a member of an array), `None` when no
    /// schema names it.
    pub name: Option<String>,
    /// The payload.
    pub payload: &'a [u8],
    /// `NLA_F_NESTED` was set.
    pub nested: bool,
    /// `NLA_F_NET_BYTEORDER` was set.
    pub net_byteorder: bool,
    /// Typed value, when the type is known and the payload fits it.
    pub value: Option<schema::Value>,
    /// The value shown for people (`65536`, `"lo"`, `2 (DOWN)`), with `value`.
    pub display: String,
    /// Symbolic value (enum or flag names).
    pub text: Option<String>,
    /// The payload is shown as bytes: unknown, opaque, or not fitting its type.
    pub opaque: bool,
    /// Something odd about it (wrong size for its type...).
    pub note: Option<String>,
    /// Nested attributes.
    pub attributes: Option<Vec<AttrDesc<'a>>>,
}

impl<'a> AttrDesc<'a> {
    /// No schema names it: show its bytes with a printable column.
    pub fn is_unknown(&self) -> bool {
        self.name.is_none()
    }
    /// A named text field of a datagram that has no attributes (a uevent's
    /// `ACTION=add`), at `offset` of the input.
    pub fn field(offset: usize, name: impl Into<String>, value: &'a [u8]) -> AttrDesc<'a> {
        let text = schema::Name::new(value).to_string();
        AttrDesc {
            offset,
            kind: 0,
            name: Some(name.into()),
            payload: value,
            nested: false,
            net_byteorder: false,
            display: quoted(value),
            value: Some(schema::Value::Str(text)),
            text: None,
            opaque: false,
            note: None,
            attributes: None,
        }
    }
}

/// `b` in double quotes, losslessly and on one line: UTF-8 escaped as Rust
/// escapes a string (`\"`, `\\`, `\n`), a byte that is not part of valid
/// UTF-8 as `\xHH` (`"caf\xe9"`).
pub fn quoted(b: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        out.extend(chunk.valid().chars().flat_map(char::escape_debug));
        for x in chunk.invalid() {
            let _ = write!(out, "\\x{x:02x}");
        }
    }
    out.push('"');
    out
}

/// A control message (`NLMSG_ERROR`, `NLMSG_DONE`, ...), in words.
#[derive(Debug, Default)]
pub struct ControlDesc<'a> {
    /// `ack`, `error`, `done`, `noop` or `overrun`.
    pub kind: &'static str,
    /// One sentence.
    pub summary: String,
    /// The raw code (0, or a negative errno).
    pub code: Option<i32>,
    /// Positive errno.
    pub errno: Option<i32>,
    /// Its constant name.
    pub errno_name: Option<&'static str>,
    /// Its text.
    pub errno_text: Option<String>,
    /// `NLM_F_CAPPED`: only the request's header was echoed.
    pub capped: Option<bool>,
    /// Extended ACK.
    pub ext_ack: Option<ExtAckDesc<'a>>,
    /// The echoed request, decoded.
    pub request: Option<Box<MsgDesc<'a>>>,
}

/// Extended ACK attributes, resolved.
#[derive(Debug, Default)]
pub struct ExtAckDesc<'a> {
    /// `NLMSGERR_ATTR_MSG`.
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: offset in the request.
    pub offset: Option<u32>,
    /// The attribute that offset points at (`IFLA_MTU`, `IFLA_LINKINFO > IFLA_INFO_KIND`).
    pub attribute: Option<String>,
    /// Where that attribute is in the input.
    pub attribute_input_offset: Option<usize>,
    /// Why the offset could not be resolved.
    pub attribute_note: Option<String>,
    /// `NLMSGERR_ATTR_MISS_TYPE`.
    pub missing: Option<u32>,
    /// Its name.
    pub missing_name: Option<String>,
    /// `NLMSGERR_ATTR_MISS_NEST`.
    pub missing_nest_offset: Option<u32>,
    /// `NLMSGERR_ATTR_POLICY`, in words.
    pub policy: Option<String>,
    /// `NLMSGERR_ATTR_COOKIE`.
    pub cookie: Option<&'a [u8]>,
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

/// The printable column of `xxd`: each byte as its ASCII character when
/// printable (space to `~`), `.` otherwise; one character per byte.
pub fn printable_column(p: &[u8]) -> String {
    p.iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect()
}

impl Decoder<'_> {
    /// Decodes every message of `buf`.
    pub fn decode<'a>(&self, buf: &'a [u8]) -> Decoded<'a> {
        let datagram = self.family().and_then(|f| f.datagram(buf));
        if datagram.is_some() {
            return Decoded {
                protocol: self.protocol(),
                input: buf,
                messages: Vec::new(),
                datagram,
                error: None,
            };
        }
        let mut messages = Vec::new();
        let mut error = None;
        for m in MsgIter::new(buf) {
            match m {
                Ok((at, msg)) => messages.push(self.describe(&msg, at)),
                Err(e) => {
                    error = Some(Problem::wire(e));
                    break;
                }
            }
        }
        Decoded {
            protocol: self.protocol(),
            input: buf,
            messages,
            datagram: None,
            error,
        }
    }

    /// Describes one message found at offset `at` of the input.
    pub fn describe<'a>(&self, msg: &Msg<&'a [u8]>, at: usize) -> MsgDesc<'a> {
        self.describe_at(msg, at, 0)
    }

    fn describe_at<'a>(&self, msg: &Msg<&'a [u8]>, at: usize, depth: usize) -> MsgDesc<'a> {
        let payload = msg.payload_ref();
        let spec = self.spec(msg.msg_type(), payload);
        let mut d = header_only(msg.header(), &spec, at);
        let body_at = at + NLMSG_HDRLEN;
        match Control::parse(msg) {
            Ok(Some(ctrl)) => {
                d.control = Some(self.describe_control(msg, ctrl, at, depth, &mut d.errors));
                return d;
            }
            Err(e) => {
                d.errors.push(Problem::wire(e));
                d.payload = Some(payload);
                return d;
            }
            Ok(None) => {}
        }
        let mut attrs_from = 0;
        if let Some(fixed) = spec.fixed {
            if payload.len() < fixed.size {
                if let Some(legacy) = spec.legacy.filter(|l| {
                    !payload.is_empty() && payload.len() <= align(l.size) && payload.len() >= l.size
                }) {
                    let mut h = describe_fixed(legacy, payload);
                    h.note = Some(format!(
                        "shorter than {} ({} bytes): a legacy {} dump request",
                        fixed.name, fixed.size, legacy.name
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
                d.payload = Some(payload);
                return d;
            }
            d.header = Some(describe_fixed(fixed, payload));
            attrs_from = align(fixed.size).min(payload.len());
        }
        if spec.has_attrs {
            let attrs = AttrIter::with_offset(&payload[attrs_from..], body_at + attrs_from);
            d.attributes = Some(describe_attrs(spec.attrs, attrs, depth, &mut d.errors));
        } else if !payload.is_empty() {
            d.payload = Some(payload);
        }
        d
    }

    fn describe_control<'a>(
        &self,
        msg: &Msg<&'a [u8]>,
        ctrl: Control<'a>,
        at: usize,
        depth: usize,
        errors: &mut Vec<Problem>,
    ) -> ControlDesc<'a> {
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
                    c.ext_ack = Some(describe_ext_ack(&done.ext_ack, None, 0, false, errors));
                }
                c
            }
            Control::Error(e) => {
                let req_hdr = e.request_header();
                let req_payload = e.request.get(NLMSG_HDRLEN..).unwrap_or(&[]);
                let req_spec = req_hdr.map(|h| self.spec(h.ty.get(), req_payload));
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
                    let target = req_spec.and_then(|s| {
                        let start = NLMSG_HDRLEN + s.attrs_start()?;
                        Some(Target {
                            request: e.request,
                            start,
                            set: s.attrs,
                        })
                    });
                    c.ext_ack = Some(describe_ext_ack(
                        &e.ext_ack, target, req_at, e.capped, errors,
                    ));
                }
                if let (Some(h), Some(spec)) = (req_hdr, req_spec) {
                    c.request = Some(Box::new(if e.capped || e.request.len() <= NLMSG_HDRLEN {
                        header_only(h, &spec, req_at)
                    } else {
                        match Msg::new_checked(e.request) {
                            Ok(m) => self.describe_at(&m, req_at, depth + 1),
                            Err(err) => {
                                let mut r = header_only(h, &spec, req_at);
                                r.errors.push(Problem::wire(err.offset_by(req_at)));
                                r
                            }
                        }
                    }));
                }
                c
            }
        }
    }
}

fn errno_parts(errno: i32) -> (Option<&'static str>, String) {
    (crate::errno::name(errno), crate::errno::describe(errno))
}

fn header_only<'a>(h: &MsgHeader, spec: &MsgSpec, at: usize) -> MsgDesc<'a> {
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

fn describe_fixed(fixed: &FixedHeader, p: &[u8]) -> HeaderDesc {
    HeaderDesc {
        name: fixed.name,
        fields: fixed.read(p),
        note: None,
    }
}

fn describe_attrs<'a>(
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'a>,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> Vec<AttrDesc<'a>> {
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

fn blank<'a>(a: &Attr<'a>, name: Option<String>) -> AttrDesc<'a> {
    AttrDesc {
        offset: a.offset(),
        kind: a.kind(),
        name,
        payload: a.payload(),
        nested: a.is_nested(),
        net_byteorder: a.is_net_byteorder(),
        value: None,
        display: String::new(),
        text: None,
        opaque: false,
        note: None,
        attributes: None,
    }
}

fn describe_attr<'a>(
    name: Option<String>,
    kind: Option<ValueKind>,
    a: Attr<'a>,
    sib: &Siblings<'_>,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> AttrDesc<'a> {
    let mut d = blank(&a, name);
    if let Some(inner) = schema::inner(kind, &a, sib) {
        if depth >= MAX_DEPTH {
            d.opaque = true;
            d.note = Some(format!(
                "nested deeper than {MAX_DEPTH} levels: not decoded"
            ));
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
            Inner::Records(r) => describe_records(r, &a, depth + 1, errors),
        };
        d.attributes = Some(kids);
        return d;
    }
    let Some(kind) = kind else {
        d.opaque = true;
        return d;
    };
    match schema::typed(kind, &a) {
        Ok(Some(t)) => {
            d.value = Some(t.value);
            d.display = t.text;
            d.text = t.names;
        }
        Ok(None) => d.opaque = true,
        Err(note) => {
            d.opaque = true;
            d.note = Some(note);
        }
    }
    d
}

/// An array of fixed records each followed by attributes (`RTA_MULTIPATH`'s
/// `rtnexthop`s): one `[i]` entry per record, its header's fields in the
/// note, its attributes nested.
fn describe_records<'a>(
    r: &'static Records,
    a: &Attr<'a>,
    depth: usize,
    errors: &mut Vec<Problem>,
) -> Vec<AttrDesc<'a>> {
    let p = a.payload();
    let base = a.offset() + wire::NLA_HDRLEN;
    let mut kids = Vec::new();
    for (i, rec) in RecordIter::new(r, a.kind(), p).enumerate() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                errors.push(Problem::at(base, wire_reason(&e)));
                break;
            }
        };
        let fields: Vec<String> = r
            .header
            .read(rec.header)
            .iter()
            .map(|f| f.to_string())
            .collect();
        let attrs = AttrIter::with_offset(rec.attrs, base + rec.attrs_at);
        kids.push(AttrDesc {
            offset: base + rec.at,
            kind: u16::try_from(i).unwrap_or(u16::MAX),
            name: Some(format!("[{i}]")),
            payload: &p[rec.at..rec.attrs_at + rec.attrs.len()],
            nested: false,
            net_byteorder: false,
            value: None,
            display: String::new(),
            text: None,
            opaque: false,
            note: Some(format!("{}: {}", r.header.name, fields.join(", "))),
            attributes: Some(describe_attrs(r.set, attrs, depth, errors)),
        });
    }
    kids
}

/// The request an extended ACK's offsets point into.
#[derive(Clone, Copy)]
struct Target<'a> {
    request: &'a [u8],
    /// Where its attributes start.
    start: usize,
    set: Option<&'static AttrSet>,
}

impl<'a> Target<'a> {
    fn attrs(&self) -> AttrIter<'a> {
        AttrIter::with_offset(self.request.get(self.start..).unwrap_or(&[]), self.start)
    }
}

/// Names of each level of `path` (attribute types, outermost first) among
/// `attrs`, members of `set`, following the bytes where they are there (so
/// that a nest whose set depends on a sibling, `IFLA_INFO_DATA` by
/// `IFLA_INFO_KIND`, is named) and the tables where they are not; `[i]`
/// for a member of an array, `None` where nothing knows. Also the set the
/// last attribute holds.
pub(crate) fn path_names(
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'_>,
    path: &[u16],
) -> (Vec<Option<String>>, Option<&'static AttrSet>) {
    let mut names = Vec::with_capacity(path.len());
    let mut level = Some((set, None::<&'static ValueKind>, attrs));
    let mut held = None;
    for (i, &t) in path.iter().enumerate() {
        held = None;
        let Some((set, item, attrs)) = level.take() else {
            names.push(None);
            continue;
        };
        let (name, kind) = match item {
            Some(k) => (Some(format!("[{t}]")), Some(*k)),
            None => {
                let d = set.and_then(|s| s.get(t));
                (d.map(|d| d.name.to_string()), d.map(|d| d.value))
            }
        };
        let sib = Siblings::scan(set, attrs.clone());
        let Some(a) = attrs.map_while(Result::ok).find(|a| a.kind() == t) else {
            // Not in the bytes (a capped request, no payload): the tables alone.
            match (item, set) {
                (None, Some(s)) => {
                    let info = s.resolve(&path[i..], None);
                    names.extend(info.names);
                    return (names, info.set);
                }
                _ => {
                    names.push(name);
                    continue;
                }
            }
        };
        names.push(name);
        match schema::inner(kind, &a, &sib) {
            Some(inner @ Inner::Attrs { set, .. }) => {
                held = set;
                level = inner.attrs(&a).map(|it| (set, None, it));
            }
            Some(Inner::Array(item)) => level = Some((None, Some(item), a.nested())),
            Some(Inner::Records(_)) | None => {}
        }
    }
    (names, held)
}

/// `IFLA_LINKINFO > IFLA_INFO_KIND`: each level's name, `type N` where unknown.
fn join_names(names: Vec<Option<String>>, path: &[u16]) -> String {
    let parts: Vec<String> = path
        .iter()
        .zip(names.into_iter().chain(std::iter::repeat(None)))
        .map(|(t, n)| n.unwrap_or_else(|| format!("type {t}")))
        .collect();
    parts.join(" > ")
}

/// Names a path of attribute types among `attrs` (members of `set`); `None`
/// unless every level has a name.
pub(crate) fn path_name(
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'_>,
    path: &[u16],
) -> Option<String> {
    let (names, _) = path_names(set, attrs, path);
    let names: Option<Vec<String>> = names.into_iter().collect();
    names
        .filter(|n| n.len() == path.len())
        .map(|n| n.join(" > "))
}

fn describe_ext_ack<'a>(
    x: &wire::ExtAck<'a>,
    target: Option<Target<'_>>,
    req_at: usize,
    capped: bool,
    errors: &mut Vec<Problem>,
) -> ExtAckDesc<'a> {
    let mut d = ExtAckDesc {
        message: x.message().map(|m| m.into_owned()),
        offset: x.offset,
        policy: x.policy.map(|p| p.to_string()).filter(|s| !s.is_empty()),
        cookie: x.cookie,
        ..Default::default()
    };
    if let Some(err) = x.malformed {
        errors.push(Problem::wire(err));
    }
    if let Some(off) = x.offset {
        if capped {
            d.attribute_note = Some(format!(
                "offset {off} is in the request, which was not echoed (NLM_F_CAPPED)"
            ));
        } else if let Some(t) = target {
            match AttrPath::resolve(t.request, t.start, off as usize) {
                Some(p) => {
                    let (names, _) = path_names(t.set, t.attrs(), p.types());
                    d.attribute = Some(join_names(names, p.types()));
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
            (None, t) => t.and_then(|t| t.set),
            (Some(nest), Some(t)) if !capped => {
                AttrPath::resolve(t.request, t.start, nest as usize)
                    .and_then(|p| path_names(t.set, t.attrs(), p.types()).1)
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
    use crate::wire::MsgWriter;

    fn link_msg() -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 16, MsgFlags::MULTI, 7, 99);
        let mut ifi = [0u8; 16];
        ifi[4..8].copy_from_slice(&1i32.to_ne_bytes()); // ifi_index
        ifi[8..12].copy_from_slice(&0x49u32.to_ne_bytes()); // ifi_flags
        w.fixed(&ifi);
        w.attr_str(3, "lo").unwrap(); // IFLA_IFNAME
        w.attr_u32(4, 65536).unwrap(); // IFLA_MTU
        w.nest(18, |w| w.attr_str(1, "veth").map(|_| ())).unwrap(); // IFLA_LINKINFO { KIND }
        w.attr(200, &[1, 2, 3]).unwrap(); // unknown
        w.finish().unwrap();
        buf
    }

    #[test]
    fn link_message_with_nested_and_unknown() {
        let buf = link_msg();
        let d = Decoder::new(Protocol::ROUTE).decode(&buf);
        assert!(d.error.is_none());
        let m = &d.messages[0];
        assert_eq!(m.type_name, Some("RTM_NEWLINK"));
        assert_eq!(m.flag_names, ["MULTI"]);
        let h = m.header.as_ref().unwrap();
        assert_eq!(
            h.fields[3].to_string(),
            "ifi_flags 0x49 (UP|LOOPBACK|RUNNING)"
        );
        let a = m.attributes.as_ref().unwrap();
        assert_eq!(a[0].name.as_deref(), Some("IFLA_IFNAME"));
        assert_eq!(a[0].value, Some(schema::Value::Str("lo".into())));
        assert_eq!(a[1].display, "65536");
        let kids = a[2].attributes.as_ref().unwrap();
        assert_eq!(kids[0].name.as_deref(), Some("IFLA_INFO_KIND"));
        assert!(a[3].is_unknown() && a[3].opaque);
        assert_eq!(a[3].payload, [1, 2, 3]);
        assert_eq!(a[0].offset, 32);
    }

    #[test]
    fn broken_length_reports_offset() {
        let mut buf = Vec::new();
        MsgWriter::new(&mut buf, 0x10, 0, 1, 0).finish().unwrap();
        buf.extend_from_slice(&12u32.to_ne_bytes()); // nlmsg_len 12: shorter than a header
        buf.extend_from_slice(&[0; 12]);
        let d = Decoder::new(Protocol::USERSOCK).decode(&buf);
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
        assert_eq!(printable_column(b"eth0\0\x7f~ \xff"), "eth0..~ .");
    }

    #[test]
    fn multipath_records() {
        // RTM_NEWROUTE, RTA_MULTIPATH { rtnexthop ifindex 2 + RTA_GATEWAY, rtnexthop ifindex 3 }
        let mut hops = Vec::new();
        hops.extend_from_slice(&16u16.to_ne_bytes()); // rtnh_len: 8 + an 8-byte RTA_GATEWAY
        hops.extend_from_slice(&[0, 4]); // rtnh_flags, rtnh_hops (weight 5)
        hops.extend_from_slice(&2i32.to_ne_bytes()); // rtnh_ifindex
        hops.extend_from_slice(&8u16.to_ne_bytes()); // nla_len
        hops.extend_from_slice(&5u16.to_ne_bytes()); // RTA_GATEWAY
        hops.extend_from_slice(&[10, 9, 0, 2]);
        hops.extend_from_slice(&8u16.to_ne_bytes()); // rtnh_len: the header alone
        hops.extend_from_slice(&[0, 0]);
        hops.extend_from_slice(&3i32.to_ne_bytes());
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 24, 0, 1, 0);
        w.fixed(&[2u8, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]); // rtmsg: AF_INET /24 main boot universe unicast
        w.attr(9, &hops).unwrap(); // RTA_MULTIPATH
        w.finish().unwrap();
        let d = Decoder::new(Protocol::ROUTE).decode(&buf);
        let a = &d.messages[0].attributes.as_ref().unwrap()[0];
        assert_eq!(a.name.as_deref(), Some("RTA_MULTIPATH"));
        let kids = a.attributes.as_ref().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].name.as_deref(), Some("[0]"));
        assert_eq!(kids[0].offset, 32);
        assert!(
            kids[0].note.as_deref().unwrap().starts_with("rtnexthop: "),
            "{:?}",
            kids[0].note
        );
        assert!(
            kids[0].note.as_deref().unwrap().contains("rtnh_ifindex 2"),
            "{:?}",
            kids[0].note
        );
        let gw = &kids[0].attributes.as_ref().unwrap()[0];
        assert_eq!(
            (gw.name.as_deref(), gw.display.as_str()),
            (Some("RTA_GATEWAY"), "10.9.0.2")
        );
        assert_eq!(kids[1].offset, 48);
        assert!(kids[1].attributes.as_ref().unwrap().is_empty());
        assert!(d.first_problem().is_none());
    }

    #[test]
    fn paths_are_named_through_the_bytes() {
        use crate::route::link::{IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, LINK_SET};
        // IFLA_LINKINFO { IFLA_INFO_KIND "vlan", IFLA_INFO_DATA { IFLA_VLAN_ID 5 } }
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 16, 0, 1, 0);
        w.fixed(&[0u8; 16]);
        w.nest(IFLA_LINKINFO, |w| {
            w.attr_str(IFLA_INFO_KIND, "vlan")?;
            w.nest(IFLA_INFO_DATA, |w| w.attr_u16(1, 5).map(drop))
                .map(drop)
        })
        .unwrap();
        w.finish().unwrap();
        let attrs = AttrIter::with_offset(&buf[32..], 32);
        let path = [IFLA_LINKINFO, IFLA_INFO_DATA, 1];
        assert_eq!(
            path_name(Some(&LINK_SET), attrs.clone(), &path).as_deref(),
            Some("IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VLAN_ID")
        );
        // Without the bytes the tables stop at the kind-dependent nest.
        assert_eq!(path_name(Some(&LINK_SET), AttrIter::new(&[]), &path), None);
        let (names, _) = path_names(Some(&LINK_SET), AttrIter::new(&[]), &[4]);
        assert_eq!(names, [Some("IFLA_MTU".to_string())]);
        assert_eq!(join_names(vec![None], &[77]), "type 77");
    }
}
