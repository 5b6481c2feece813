//! Any netlink message explained, from a registry of family descriptors.
//!
//! [`Registry`] holds, per protocol (and per generic netlink family), what
//! the messages are: type names, flag meanings, the fixed header, the
//! attribute set ([`Family`], [`MsgSpec`]). A [`Decoder`] asks it to turn
//! bytes into a description ([`Decoded`], [`MsgDesc`], [`AttrDesc`]...):
//! every header field, every attribute as a tree with typed values where a
//! schema names it and its bytes where none does, control messages in
//! words (ACKs, errors with errno, the extended ACK's offending attribute
//! resolved against the echoed request). The same registry gives a
//! one-line [`summary`] (the monitor's fallback) and names attribute paths
//! for extended ACKs ([`attr_path_name`]). [`hex`] reads hex as people
//! paste it.
//!
//! Nothing here does I/O or lays out text or JSON (the CLI does), and
//! nothing panics on any input: problems are [`Problem`]s with offsets.
//!
//! ```
//! use nlkit::decode::Decoder;
//! use nlkit::wire::MsgWriter;
//! use nlkit::Protocol;
//!
//! let mut buf = Vec::new();
//! let mut w = MsgWriter::new(&mut buf, 18, 0x301, 1, 0); // RTM_GETLINK, REQUEST|DUMP
//! w.fixed(&[0u8; 16]);
//! w.attr_u32(29, 1).unwrap(); // IFLA_EXT_MASK
//! w.finish().unwrap();
//! let d = Decoder::new(Protocol::ROUTE).decode(&buf);
//! let m = &d.messages[0];
//! assert_eq!(m.type_name, Some("RTM_GETLINK"));
//! assert_eq!(m.flag_names, ["REQUEST", "DUMP"]);
//! assert_eq!(m.attributes.as_ref().unwrap()[0].name.as_deref(), Some("IFLA_EXT_MASK"));
//! ```

pub mod describe;
pub mod hex;
pub mod registry;

pub use describe::{
    printable, printable_column, wire_reason, AttrDesc, ControlDesc, Decoded, ExtAckDesc,
    HeaderDesc, MsgDesc, Problem,
};
pub use registry::{control_spec, Entry, Family, MsgSpec, Registry, BUILTIN};

use crate::wire::{AttrIter, Msg, NLMSG_HDRLEN};
use crate::Protocol;
use std::fmt;
use std::sync::Arc;

/// A protocol's messages, decoded with a registry: the built-in one, or one
/// with families registered at run time. On `NETLINK_GENERIC` it can be
/// told which family an id is ([`genl_id`](Self::genl_id)) or which family
/// to assume ([`genl_family`](Self::genl_family)); otherwise only fixed ids
/// (`nlctrl`) are named and other families get `genlmsghdr` and unnamed
/// attributes.
#[derive(Clone)]
pub struct Decoder<'r> {
    registry: &'r Registry,
    proto: Protocol,
    genl_ids: Vec<(u16, Arc<dyn Family>)>,
    genl_any: Option<Arc<dyn Family>>,
}

/// No descriptor for a generic netlink family of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFamily {
    /// The name asked for.
    pub name: String,
    /// The names the registry has.
    pub known: Vec<String>,
}

impl fmt::Display for UnknownFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no descriptor for generic netlink family {:?} (known: {})",
            self.name,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownFamily {}

impl Decoder<'static> {
    /// A decoder for `proto` with the built-in registry.
    pub fn new(proto: Protocol) -> Decoder<'static> {
        Decoder::with_registry(Registry::builtin(), proto)
    }
}

impl<'r> Decoder<'r> {
    /// A decoder for `proto` with `registry`.
    pub fn with_registry(registry: &'r Registry, proto: Protocol) -> Decoder<'r> {
        Decoder {
            registry,
            proto,
            genl_ids: Vec::new(),
            genl_any: None,
        }
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.proto
    }

    fn genl(&self, name: &str) -> Result<Arc<dyn Family>, UnknownFamily> {
        self.registry
            .genl(name)
            .cloned()
            .ok_or_else(|| UnknownFamily {
                name: name.to_string(),
                known: self.registry.genl_names().map(str::to_string).collect(),
            })
    }

    /// Generic netlink messages of type `id` belong to `family` (as
    /// resolved through `nlctrl` on the machine the bytes came from).
    pub fn genl_id(mut self, id: u16, family: &str) -> Result<Self, UnknownFamily> {
        let f = self.genl(family)?;
        self.genl_ids.retain(|(i, _)| *i != id);
        self.genl_ids.push((id, f));
        Ok(self)
    }

    /// Generic netlink messages of any type not otherwise known belong to `family`.
    pub fn genl_family(mut self, family: &str) -> Result<Self, UnknownFamily> {
        self.genl_any = Some(self.genl(family)?);
        Ok(self)
    }

    /// The descriptor of the protocol, if the registry has one.
    pub fn family(&self) -> Option<&dyn Family> {
        self.registry.protocol(self.proto).map(|f| &**f)
    }

    /// What the registry knows about a message of type `ty` whose payload is `payload`.
    pub fn spec(&self, ty: u16, payload: &[u8]) -> MsgSpec {
        if let Some(s) = control_spec(ty) {
            return s;
        }
        if self.proto == Protocol::GENERIC {
            let family = self
                .genl_ids
                .iter()
                .find(|(i, _)| *i == ty)
                .map(|(_, f)| f)
                .or_else(|| self.registry.genl_fixed(ty))
                .or(self.genl_any.as_ref());
            if let Some(s) = family.and_then(|f| f.message(ty, payload)) {
                return s;
            }
        }
        self.registry
            .protocol(self.proto)
            .and_then(|f| f.message(ty, payload))
            .unwrap_or(MsgSpec::RAW)
    }

    /// Names the attribute at `path` (types, outermost first) in a message
    /// of type `msg_type` whose payload (fixed header included) is
    /// `payload`: `IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID`. The
    /// payload's bytes name what depends on siblings (`IFLA_INFO_DATA` by
    /// `IFLA_INFO_KIND`); an empty payload names by the tables alone.
    /// `None` unless every level has a name.
    pub fn attr_path_name(&self, msg_type: u16, payload: &[u8], path: &[u16]) -> Option<String> {
        let spec = self.spec(msg_type, payload);
        let start = spec.attrs_start()?;
        let attrs =
            AttrIter::with_offset(payload.get(start..).unwrap_or(&[]), NLMSG_HDRLEN + start);
        describe::path_name(spec.attrs, attrs, path)
    }

    /// One line about `msg`: its type, flags, header fields and top-level
    /// attributes, or a control message's sentence.
    pub fn summary<'a>(&self, msg: &Msg<&'a [u8]>) -> Summary<'a> {
        Summary(self.describe(msg, 0))
    }
}

impl fmt::Debug for Decoder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("proto", &self.proto)
            .field(
                "genl_ids",
                &self
                    .genl_ids
                    .iter()
                    .map(|(i, f)| (*i, f.name()))
                    .collect::<Vec<_>>(),
            )
            .field("genl_any", &self.genl_any.as_ref().map(|f| f.name()))
            .finish()
    }
}

/// Decodes every message of `buf` as `proto`, with the built-in registry.
pub fn decode(proto: Protocol, buf: &[u8]) -> Decoded<'_> {
    Decoder::new(proto).decode(buf)
}

/// What the built-in registry knows about a message of type `ty` on `proto`.
pub fn message_spec(proto: Protocol, ty: u16, payload: &[u8]) -> MsgSpec {
    Decoder::new(proto).spec(ty, payload)
}

/// The message type called `name` on `proto` (`RTM_GETLINK` -> 18, any case).
pub fn type_from_name(proto: Protocol, name: &str) -> Option<u16> {
    Registry::builtin().type_from_name(proto, name)
}

/// Names the attribute at `path` in a message sent on `proto`, with the
/// built-in registry (see [`Decoder::attr_path_name`]): what an extended
/// ACK's offset resolves to, for any request.
pub fn attr_path_name(
    proto: Protocol,
    msg_type: u16,
    payload: &[u8],
    path: &[u16],
) -> Option<String> {
    Decoder::new(proto).attr_path_name(msg_type, payload, path)
}

/// Names the attribute at `path` in `request`, a whole message as it was
/// sent (`nlmsghdr` first), on `proto`, with the built-in registry: what
/// the request engine needs to name an extended ACK's offending or missing
/// attribute for any request, typed or raw.
pub fn request_attr_name(proto: Protocol, request: &[u8], path: &[u16]) -> Option<String> {
    let m = Msg::new_checked(request).ok()?;
    attr_path_name(proto, m.msg_type(), m.payload(), path)
}

/// One line about `msg` on `proto`, with the built-in registry (see [`Decoder::summary`]).
pub fn summary<'a>(proto: Protocol, msg: &Msg<&'a [u8]>) -> Summary<'a> {
    Decoder::new(proto).summary(msg)
}

/// A message in one line, for a monitor that has no printer for it:
/// `RTM_NEWNETCONF flags 0 seq 0 port 0: netconfmsg ncm_family 2 (AF_INET); NETCONFA_IFINDEX 1, ...`.
#[derive(Debug)]
pub struct Summary<'a>(MsgDesc<'a>);

impl<'a> Summary<'a> {
    /// The full description it was made from.
    pub fn desc(&self) -> &MsgDesc<'a> {
        &self.0
    }
}

fn hex_str(b: &[u8]) -> String {
    crate::schema::hex(b)
}

fn attr_short(a: &AttrDesc<'_>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &a.name {
        Some(n) => f.write_str(n)?,
        None => write!(f, "type {}", a.kind)?,
    }
    if let Some(kids) = &a.attributes {
        return write!(f, " {{{} attributes}}", kids.len());
    }
    if a.opaque {
        if a.payload.is_empty() {
            return f.write_str(" (empty)");
        }
        const MAX: usize = 16;
        let shown = &a.payload[..a.payload.len().min(MAX)];
        write!(f, " 0x{}", hex_str(shown))?;
        if a.payload.len() > MAX {
            write!(f, "... ({} bytes)", a.payload.len())?;
        }
        if a.is_unknown() {
            write!(f, " {:?}", printable_column(shown))?;
        }
        return Ok(());
    }
    write!(f, " {}", a.display)
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.0;
        match m.type_name {
            Some(n) => f.write_str(n)?,
            None => write!(f, "type {}", m.ty)?,
        }
        if m.flags == 0 {
            f.write_str(" flags 0")?;
        } else {
            write!(f, " flags {}", m.flag_names.join("|"))?;
        }
        write!(f, " seq {} port {}", m.seq, m.port_id)?;
        let mut sep = ": ";
        if let Some(c) = &m.control {
            write!(f, "{sep}{}", c.summary)?;
            if let Some(msg) = c.ext_ack.as_ref().and_then(|x| x.message.as_ref()) {
                write!(f, ": {msg:?}")?;
            }
        }
        if let Some(h) = &m.header {
            write!(f, "{sep}{}", h.name)?;
            for fv in &h.fields {
                write!(f, " {fv}")?;
            }
            sep = "; ";
        }
        if let Some(attrs) = &m.attributes {
            for (i, a) in attrs.iter().enumerate() {
                f.write_str(if i == 0 { sep } else { ", " })?;
                attr_short(a, f)?;
            }
        }
        if let Some(p) = m.payload {
            match printable(p) {
                Some(t) => write!(f, "{sep}payload {t:?}")?,
                None => write!(f, "{sep}payload 0x{}", hex_str(&p[..p.len().min(32)]))?,
            }
        }
        if let Some(e) = m.first_problem() {
            write!(f, " ({e})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{MsgIter, MsgWriter};
    use proptest::prelude::*;

    fn one(buf: &[u8]) -> Msg<&[u8]> {
        MsgIter::new(buf).next().unwrap().unwrap().1
    }

    /// A message of a generic netlink family nlkit has no tables for: a
    /// string, a u32, a nest.
    fn unknown_genl() -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 0x1d, 0, 5, 0);
        w.fixed(&[3u8, 1, 0, 0]); // genlmsghdr: cmd 3, version 1
        w.attr_str(2, "wlan0").unwrap();
        w.attr_u32(3, 7).unwrap();
        w.finish().unwrap();
        buf
    }

    #[test]
    fn genl_families_by_id_by_hint_and_unknown() {
        let buf = unknown_genl();
        let d = Decoder::new(Protocol::GENERIC);
        let m = d.describe(&one(&buf), 0);
        assert_eq!(m.type_name, None);
        assert_eq!(m.header.as_ref().unwrap().name, "genlmsghdr");
        let a = m.attributes.as_ref().unwrap();
        assert!(a[0].is_unknown() && a[0].opaque);
        assert_eq!(printable_column(a[0].payload), "wlan0.");
        // Told that 0x1d is nlctrl (as if it were), it is named as nlctrl.
        let d = Decoder::new(Protocol::GENERIC)
            .genl_id(0x1d, "nlctrl")
            .unwrap();
        let m = d.describe(&one(&buf), 0);
        assert_eq!(m.type_name, Some("GENL_ID_CTRL"));
        let a = m.attributes.unwrap();
        assert_eq!(a[0].name.as_deref(), Some("CTRL_ATTR_FAMILY_NAME"));
        assert_eq!(a[0].display, "\"wlan0\"");
        let d = Decoder::new(Protocol::GENERIC)
            .genl_family("NLCTRL")
            .unwrap();
        assert_eq!(d.spec(0x1d, &[]).name, Some("GENL_ID_CTRL"));
        let e = Decoder::new(Protocol::GENERIC)
            .genl_family("nope")
            .unwrap_err();
        assert!(e.to_string().contains("known: nlctrl, nltest"), "{e}");
        // The module's family, by its dynamic id: NLTEST_A_COUNT is a u32.
        let d = Decoder::new(Protocol::GENERIC)
            .genl_id(0x1d, "nltest")
            .unwrap();
        let m = d.describe(&one(&buf), 0);
        assert_eq!(m.type_label(), "nltest (29)");
        let a = m.attributes.unwrap();
        assert_eq!(a[0].name.as_deref(), Some("NLTEST_A_COUNT"));
        assert!(a[0].opaque && a[0].note.is_some()); // a string where a u32 belongs
        assert_eq!(
            (a[1].name.as_deref(), a[1].display.as_str()),
            (Some("NLTEST_A_INDEX"), "7")
        );
        // Ids other than the one named are still any family's.
        assert_eq!(d.spec(0x1e, &[]).name, None);
    }

    #[test]
    fn summaries() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, 80, 0, 0, 0); // RTM_NEWNETCONF
        w.fixed(&[2u8, 0, 0, 0]); // netconfmsg: AF_INET
        w.attr_i32(1, 1).unwrap(); // NETCONFA_IFINDEX
        w.attr(99, b"x\0").unwrap();
        w.finish().unwrap();
        let s = summary(Protocol::ROUTE, &one(&buf)).to_string();
        assert!(
            s.starts_with("RTM_NEWNETCONF flags 0 seq 0 port 0: netconfmsg ncm_family 2 (AF_INET); NETCONFA_IFINDEX"),
            "{s}"
        );
        assert!(s.ends_with(", type 99 0x7800 \"x.\""), "{s}");
        let s = summary(Protocol::GENERIC, &one(&unknown_genl())).to_string();
        assert_eq!(
            s,
            "type 29 flags 0 seq 5 port 0: genlmsghdr cmd 3 version 1; type 2 0x776c616e3000 \"wlan0.\", type 3 0x07000000 \"....\""
        );
        let mut ack = Vec::new();
        let mut w = MsgWriter::new(&mut ack, 2, 0x100, 3, 77);
        w.fixed(&0i32.to_ne_bytes());
        w.fixed(&[0u8; 16]);
        w.finish().unwrap();
        let s = summary(Protocol::ROUTE, &one(&ack)).to_string();
        assert!(
            s.starts_with("NLMSG_ERROR flags CAPPED seq 3 port 77: ACK for"),
            "{s}"
        );
    }

    #[test]
    fn attr_paths_of_requests() {
        use crate::route::RTM_NEWROUTE;
        assert_eq!(
            attr_path_name(Protocol::ROUTE, 16, &[], &[4]).as_deref(),
            Some("IFLA_MTU")
        );
        assert_eq!(
            attr_path_name(Protocol::ROUTE, RTM_NEWROUTE, &[], &[8, 2]).as_deref(),
            Some("RTA_METRICS > RTAX_MTU")
        );
        assert_eq!(attr_path_name(Protocol::ROUTE, 16, &[], &[999]), None);
        // A request's own bytes name what depends on a sibling.
        let mut req = Vec::new();
        let mut w = MsgWriter::new(&mut req, 16, 0x601, 1, 0); // RTM_NEWLINK, CREATE|EXCL
        w.fixed(&[0u8; 16]);
        w.nest(18, |w| {
            w.attr_str(1, "vxlan")?; // IFLA_INFO_KIND
            w.nest(2, |w| w.attr_u32(1, 42).map(drop)).map(drop) // IFLA_INFO_DATA { IFLA_VXLAN_ID }
        })
        .unwrap();
        w.finish().unwrap();
        assert_eq!(
            request_attr_name(Protocol::ROUTE, &req, &[18, 2, 1]).as_deref(),
            Some("IFLA_LINKINFO > IFLA_INFO_DATA > IFLA_VXLAN_ID")
        );
        assert_eq!(request_attr_name(Protocol::ROUTE, &req[..10], &[18]), None);
        assert_eq!(
            attr_path_name(Protocol::GENERIC, 0x10, &[3, 2, 0, 0], &[2]).as_deref(),
            Some("CTRL_ATTR_FAMILY_NAME")
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), ty in any::<u16>()) {
            for proto in [Protocol::ROUTE, Protocol::GENERIC, Protocol::USERSOCK] {
                let d = decode(proto, &bytes);
                let _ = d.first_problem();
                // The same bytes as the payload of a message of any type.
                let mut buf = Vec::new();
                let mut w = MsgWriter::new(&mut buf, ty, 0, 1, 0);
                w.fixed(bytes.as_slice());
                if w.finish().is_ok() {
                    let m = one(&buf);
                    let _ = summary(proto, &m).to_string();
                    let _ = Decoder::new(proto).describe(&m, 0);
                    let _ = attr_path_name(proto, ty, m.payload(), &[1, 2, 3]);
                }
            }
        }

        #[test]
        fn mutated_messages_never_panic(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            for (proto, base) in [
                (Protocol::ROUTE, include_bytes!("../../tests/fixtures/route/newlink_veth.bin").to_vec()),
                (Protocol::ROUTE, include_bytes!("../../tests/fixtures/route/newroute_local_lo.bin").to_vec()),
                (Protocol::GENERIC, unknown_genl()),
            ] {
                let mut b = base;
                for (i, v) in &flips {
                    let i = i.index(b.len());
                    b[i] = *v;
                }
                b.truncate(cut.index(b.len() + 1));
                let d = decode(proto, &b);
                for m in MsgIter::new(&b).flatten() {
                    let _ = summary(proto, &m.1).to_string();
                }
                let _ = d.first_problem();
            }
        }
    }
}
