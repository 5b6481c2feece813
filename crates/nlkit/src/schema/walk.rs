//! The tree walk: every attribute of a message, depth first, through nested
//! sets, sub-messages chosen by a sibling, headers then attributes, nested
//! arrays and arrays of records, with each attribute's definition when the
//! schema knows it.

use super::{AttrDef, AttrSet, Records, ValueKind};
use crate::wire::{self, Attr, AttrIter};

/// How deep [`walk`] follows nests.
pub const MAX_DEPTH: usize = 32;

/// One attribute met by [`walk`].
#[derive(Clone, Copy, Debug)]
pub struct AttrNode<'a> {
    /// Nesting depth (0 for the message's own attributes).
    pub depth: usize,
    /// The attribute.
    pub attr: Attr<'a>,
    /// The set it belongs to, when known.
    pub set: Option<&'static AttrSet>,
    /// Its definition, when known.
    pub def: Option<&'static AttrDef>,
    /// Its value kind: the definition's, or a nested array's item kind.
    pub kind: Option<ValueKind>,
}

impl AttrNode<'_> {
    /// The constant name, or `None` for an unknown attribute (or an array index).
    pub fn name(&self) -> Option<&'static str> {
        self.def.map(|d| d.name)
    }
    /// The value, shown as [`format_value`](super::format_value) does.
    pub fn value(&self) -> String {
        super::format_value(self.kind, &self.attr)
    }
}

/// The attributes of one nest, kept to look up the sibling a sub-message's
/// set depends on ([`SubMessage::selector`](super::SubMessage)).
#[derive(Clone, Debug, Default)]
pub struct Siblings<'a> {
    attrs: Option<AttrIter<'a>>,
}

impl<'a> Siblings<'a> {
    /// The siblings of the members of `attrs` (a set's members; `set` is
    /// not needed any more and kept for callers).
    pub fn scan(_set: Option<&'static AttrSet>, attrs: AttrIter<'a>) -> Siblings<'a> {
        Siblings { attrs: Some(attrs) }
    }
    /// The payload of the first sibling of type `kind`, if any.
    pub fn payload_of(&self, kind: u16) -> Option<&'a [u8]> {
        self.attrs
            .clone()?
            .map_while(Result::ok)
            .find(|a| a.kind() == kind)
            .map(|a| a.payload())
    }
    /// The string value of the first sibling of type `kind` (up to its NUL).
    pub fn value_of(&self, kind: u16) -> Option<&'a [u8]> {
        self.payload_of(kind)
            .map(|p| super::Name::new(p).as_bytes())
    }
}

/// What the payload of a nested attribute holds.
#[derive(Clone, Copy, Debug)]
pub enum Inner {
    /// Attributes of `set` (`None`: members nlkit cannot name), after
    /// `skip` bytes (a fixed header, as `VETH_INFO_PEER`'s `ifinfomsg`).
    Attrs {
        /// Their set.
        set: Option<&'static AttrSet>,
        /// Bytes before them.
        skip: usize,
    },
    /// A nested array: each member's type is its index, each holds this kind.
    Array(&'static ValueKind),
    /// Fixed records, each followed by attributes ([`RecordIter`]).
    Records(&'static Records),
}

/// What attribute `a` of kind `kind` holds inside, if it is a nest: a
/// sub-message by the sibling in `sib` its kind names, anything flagged
/// `NLA_F_NESTED` as a nest of unknown members.
pub fn inner(kind: Option<ValueKind>, a: &Attr<'_>, sib: &Siblings<'_>) -> Option<Inner> {
    let attrs = |set| Some(Inner::Attrs { set, skip: 0 });
    match kind.map(ValueKind::one) {
        Some(ValueKind::Nested(s)) => attrs(Some(s)),
        Some(ValueKind::Array(item)) => Some(Inner::Array(item)),
        Some(ValueKind::SubMessage(m)) => {
            let v = sib.value_of(m.selector);
            let set = v.and_then(|v| m.set_for(v));
            match v.and_then(|v| m.header_for(v)) {
                // A format with a fixed header: its attributes after it.
                Some(h) => {
                    let skip = wire::align(h.size);
                    (a.payload().len() >= skip).then_some(Inner::Attrs { set, skip })
                }
                None => attrs(set),
            }
        }
        Some(ValueKind::HeaderThen(h, s)) => {
            let skip = wire::align(h.size);
            (a.payload().len() >= skip).then_some(Inner::Attrs { set: Some(s), skip })
        }
        Some(ValueKind::Records(r)) => Some(Inner::Records(r)),
        Some(ValueKind::NestedAny) => attrs(None),
        _ if a.is_nested() => attrs(None),
        _ => None,
    }
}

impl Inner {
    /// The attributes inside `a` when they are one set (not an array or records).
    pub fn attrs<'a>(&self, a: &Attr<'a>) -> Option<AttrIter<'a>> {
        match *self {
            Inner::Attrs { skip, .. } => Some(AttrIter::with_offset(
                a.payload().get(skip..)?,
                a.offset() + wire::NLA_HDRLEN + skip,
            )),
            _ => None,
        }
    }
}

/// One record of a [`Records`] array.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// The fixed part (`rtnexthop`), exactly `header.size` bytes.
    pub header: &'a [u8],
    /// The attributes after it.
    pub attrs: &'a [u8],
    /// Offset of `header` in the payload iterated over.
    pub at: usize,
    /// Offset of `attrs` in the payload iterated over.
    pub attrs_at: usize,
}

/// Iterates over an array of records ([`Records`]); stops after the first
/// error (a record shorter than its header, or longer than what is left).
#[derive(Clone, Debug)]
pub struct RecordIter<'a> {
    spec: &'static Records,
    kind: u16,
    buf: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> RecordIter<'a> {
    /// Iterates over `payload`, the payload of an attribute of type `kind`
    /// (named in errors).
    pub fn new(spec: &'static Records, kind: u16, payload: &'a [u8]) -> Self {
        RecordIter {
            spec,
            kind,
            buf: payload,
            pos: 0,
            failed: false,
        }
    }

    fn record(&mut self) -> wire::Result<Record<'a>> {
        let hl = self.spec.header.size;
        let bad = |expected, got| wire::Error::PayloadSize {
            kind: self.kind,
            expected,
            got,
        };
        if self.buf.len() < hl {
            return Err(bad(hl, self.buf.len()));
        }
        let len = match self.spec.len_at {
            Some(at) => match self.buf.get(at..at + 2) {
                Some(b) => usize::from(u16::from_ne_bytes([b[0], b[1]])),
                None => return Err(bad(at + 2, self.buf.len())),
            },
            None => hl,
        };
        if len < hl || len > self.buf.len() {
            return Err(bad(len.max(hl), self.buf.len()));
        }
        let r = Record {
            header: &self.buf[..hl],
            attrs: &self.buf[hl..len],
            at: self.pos,
            attrs_at: self.pos + hl,
        };
        let step = wire::align(len).max(1);
        self.buf = self.buf.get(step..).unwrap_or(&[]);
        self.pos += step;
        Ok(r)
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = wire::Result<Record<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let r = self.record();
        self.failed = r.is_err();
        Some(r)
    }
}

/// Walks a set of attributes depth first, calling `f` for each (nests before
/// their children), following nested sets, sub-messages, headers then
/// attributes, nested arrays and records, down to [`MAX_DEPTH`]. A
/// malformed attribute stops the walk with an error; the caller's output so
/// far stays valid.
pub fn walk<'a>(
    set: Option<&'static AttrSet>,
    attrs: AttrIter<'a>,
    depth: usize,
    f: &mut dyn FnMut(&AttrNode<'a>),
) -> wire::Result<()> {
    let sib = Siblings::scan(set, attrs.clone());
    for a in attrs {
        let a = a?;
        let def = set.and_then(|s| s.get(a.kind()));
        let kind = def.map(|d| d.value);
        visit(a, set, def, kind, &sib, depth, f)?;
    }
    Ok(())
}

fn visit<'a>(
    a: Attr<'a>,
    set: Option<&'static AttrSet>,
    def: Option<&'static AttrDef>,
    kind: Option<ValueKind>,
    sib: &Siblings<'_>,
    depth: usize,
    f: &mut dyn FnMut(&AttrNode<'a>),
) -> wire::Result<()> {
    f(&AttrNode {
        depth,
        attr: a,
        set,
        def,
        kind,
    });
    if depth + 1 >= MAX_DEPTH {
        return Ok(());
    }
    match inner(kind, &a, sib) {
        Some(i @ Inner::Attrs { set, .. }) => {
            walk(set, i.attrs(&a).unwrap_or(AttrIter::new(&[])), depth + 1, f)?
        }
        Some(Inner::Array(item)) => {
            for k in a.nested() {
                visit(k?, None, None, Some(*item), sib, depth + 1, f)?;
            }
        }
        Some(Inner::Records(r)) => {
            for rec in RecordIter::new(r, a.kind(), a.payload()) {
                let Ok(rec) = rec else { break };
                let at = a.offset() + wire::NLA_HDRLEN + rec.attrs_at;
                walk(r.set, AttrIter::with_offset(rec.attrs, at), depth + 1, f)?;
            }
        }
        None => {}
    }
    Ok(())
}

/// Iterates over attributes a table does not know (kept raw).
pub fn unknown<'a>(
    set: &'static AttrSet,
    attrs: AttrIter<'a>,
) -> impl Iterator<Item = Attr<'a>> + 'a {
    attrs
        .map_while(Result::ok)
        .filter(move |a| !set.knows(a.kind()))
}
