//! Property tests for `nlkit::wire`: what `MsgWriter` writes, `MsgIter` and
//! `AttrIter` read back exactly (random attribute trees, batches of
//! messages), `AttrPath::resolve` finds every attribute by its offset, and
//! arbitrary bytes never make any parser panic.

use nlkit::wire::{
    align, Attr, AttrIter, AttrPath, Control, ExtAck, Msg, MsgFlags, MsgIter, MsgWriter,
    NLA_HDRLEN, NLMSG_HDRLEN,
};
use proptest::prelude::*;

/// An attribute tree as written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tree {
    Leaf(u16, Vec<u8>),
    Nest(u16, Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (1u16..0x3fff, prop::collection::vec(any::<u8>(), 0..40))
        .prop_map(|(k, p)| Tree::Leaf(k, p));
    leaf.prop_recursive(3, 48, 6, |inner| {
        (1u16..0x3fff, prop::collection::vec(inner, 0..6)).prop_map(|(k, kids)| Tree::Nest(k, kids))
    })
}

#[derive(Clone, Debug)]
struct MsgSpec {
    ty: u16,
    flags: u16,
    seq: u32,
    pid: u32,
    fixed: Vec<u8>,
    attrs: Vec<Tree>,
}

fn msg_spec() -> impl Strategy<Value = MsgSpec> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        prop::collection::vec(any::<u8>(), 0..20),
        prop::collection::vec(tree(), 0..8),
    )
        .prop_map(|(ty, flags, seq, pid, fixed, attrs)| MsgSpec {
            ty,
            flags,
            seq,
            pid,
            fixed,
            attrs,
        })
}

fn write_tree(w: &mut MsgWriter<'_>, t: &Tree) -> nlkit::wire::Result<()> {
    match t {
        Tree::Leaf(k, p) => w.attr(*k, p).map(|_| ()),
        Tree::Nest(k, kids) => w
            .nest(*k, |w| kids.iter().try_for_each(|t| write_tree(w, t)))
            .map(|_| ()),
    }
}

/// Reads a set back; nests are recognised by `NLA_F_NESTED`, which the writer sets.
fn read_set(it: AttrIter<'_>) -> Vec<Tree> {
    it.map(|a| {
        let a = a.expect("well-formed attribute");
        if a.is_nested() {
            Tree::Nest(a.kind(), read_set(a.nested()))
        } else {
            Tree::Leaf(a.kind(), a.payload().to_vec())
        }
    })
    .collect()
}

/// Every attribute's offset (from the message start) and its path of types.
fn offsets(it: AttrIter<'_>, path: &mut Vec<u16>, out: &mut Vec<(usize, Vec<u16>)>) {
    for a in it {
        let a = a.unwrap();
        path.push(a.kind());
        out.push((a.offset(), path.clone()));
        if a.is_nested() {
            offsets(a.nested(), path, out);
        }
        path.pop();
    }
}

fn write_all(specs: &[MsgSpec]) -> Vec<u8> {
    let mut buf = Vec::new();
    for s in specs {
        let mut w = MsgWriter::new(&mut buf, s.ty, s.flags, s.seq, s.pid);
        if !s.fixed.is_empty() {
            w.fixed(&s.fixed[..]);
        }
        for t in &s.attrs {
            write_tree(&mut w, t).unwrap();
        }
        w.finish().unwrap();
    }
    buf
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_parse_round_trips(specs in prop::collection::vec(msg_spec(), 1..4)) {
        let buf = write_all(&specs);
        let msgs: Vec<_> = MsgIter::new(&buf).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(msgs.len(), specs.len());
        for ((at, m), s) in msgs.iter().zip(&specs) {
            prop_assert_eq!(at % 4, 0);
            prop_assert_eq!(m.msg_type(), s.ty);
            prop_assert_eq!(m.flags(), MsgFlags(s.flags));
            prop_assert_eq!(m.seq(), s.seq);
            prop_assert_eq!(m.port_id(), s.pid);
            let fixed_len = align(s.fixed.len());
            prop_assert_eq!(&m.payload()[..s.fixed.len()], &s.fixed[..]);
            let attrs = &m.payload()[fixed_len..];
            prop_assert_eq!(read_set(AttrIter::new(attrs)), s.attrs.clone());

            // AttrPath::resolve finds every attribute by its offset in the message.
            let start = NLMSG_HDRLEN + fixed_len;
            let mut found = Vec::new();
            offsets(AttrIter::with_offset(attrs, start), &mut Vec::new(), &mut found);
            for (off, path) in found {
                let p = AttrPath::resolve(m.as_bytes(), start, off).unwrap();
                prop_assert_eq!(p.offset, off);
                prop_assert!(!p.inside);
                prop_assert_eq!(p.types(), &path[..path.len().min(16)]);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512),
                                   start in 0usize..600, off in 0usize..600) {
        poke(&bytes, start, off);
    }

    #[test]
    fn mutated_messages_never_panic(specs in prop::collection::vec(msg_spec(), 1..3),
                                    flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                                    cut in any::<prop::sample::Index>(),
                                    start in 0usize..200, off in 0usize..600) {
        // Well-formed messages with a few bytes changed and the end cut off
        // reach much deeper into the parsers than random bytes do.
        let mut buf = write_all(&specs);
        for (i, v) in flips {
            let i = i.index(buf.len());
            buf[i] = v;
        }
        buf.truncate(cut.index(buf.len() + 1));
        poke(&buf, start, off);
    }
}

/// Runs every parser and getter over `bytes`.
fn poke(bytes: &[u8], start: usize, off: usize) {
    let _ = Msg::new_checked(bytes);
    for m in MsgIter::new(bytes) {
        let Ok((_, m)) = m else { continue };
        let _ = (
            m.len(),
            m.msg_type(),
            m.flags(),
            m.seq(),
            m.port_id(),
            m.payload(),
        );
        let _ = m.fixed::<[u8; 4]>();
        match Control::parse(&m) {
            Ok(Some(Control::Error(e))) => {
                let _ = (e.errno(), e.is_ack(), e.request_header());
                let _ = e.ext_ack.message();
                let _ = e.ext_ack.policy.map(|p| (p.to_string(), p.type_name()));
                if let Some(o) = e.ext_ack.offset {
                    let _ = AttrPath::resolve(e.request, start, o as usize);
                }
            }
            Ok(Some(Control::Done(d))) => {
                let _ = d.ext_ack.message();
            }
            _ => {}
        }
        walk(AttrIter::new(m.payload()), 0);
        let _ = AttrPath::resolve(m.as_bytes(), start, off);
    }
    walk(AttrIter::new(bytes), 0);
    walk(AttrIter::with_offset(bytes, start), 0);
    let x = ExtAck::parse(bytes, start);
    let _ = (x.message(), x.is_empty(), x.policy.map(|p| p.to_string()));
    let _ = AttrPath::resolve(bytes, start, off);
    let _ = AttrPath::resolve(bytes, 0, off).map(|p| p.to_string());
}

fn walk(it: AttrIter<'_>, depth: usize) {
    for a in it {
        let Ok(a) = a else { return };
        getters(&a);
        if depth < 8 && a.payload().len() >= NLA_HDRLEN {
            walk(a.nested(), depth + 1);
        }
    }
}

fn getters(a: &Attr<'_>) {
    let _ = (
        a.u8(),
        a.u16(),
        a.u32(),
        a.u64(),
        a.i8(),
        a.i16(),
        a.i32(),
        a.i64(),
    );
    let _ = (a.be_u16(), a.be_u32(), a.be_u64(), a.uint());
    let _ = (
        a.cstr(),
        a.str(),
        a.ipv4(),
        a.ipv6(),
        a.ip(),
        a.mac(),
        a.flag(),
    );
    let _ = a.array::<3>();
    let _ = (
        a.kind(),
        a.raw_type(),
        a.is_nested(),
        a.is_net_byteorder(),
        a.offset(),
    );
    let _ = format!("{a:?}");
}
