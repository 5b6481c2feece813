//! The registry of family descriptors: for each netlink protocol (and, on
//! `NETLINK_GENERIC`, each generic netlink family), what its messages are —
//! type names, the meaning of the high flag bits, the fixed family header,
//! the attribute set. `nlkit decode`, the monitor's generic rendering and
//! ext-ack naming all ask it, through [`Decoder`](super::Decoder).
//!
//! A family becomes decodable by implementing [`Family`] in its own folder
//! and adding one line to [`BUILTIN`]. Descriptors built at run time (a
//! generic netlink family loaded from a YAML spec) are registered the same
//! way on a [`Registry`] of one's own ([`Registry::add_protocol`],
//! [`Registry::add_genl`]); their tables are `&'static` by leaking what was
//! loaded (`Box::leak`), which a process that loads a spec once can afford.
//!
//! Generic netlink family ids are dynamic (except `nlctrl`'s `0x10`): a
//! [`Decoder`](super::Decoder) is told which id is which family, or given
//! one family to assume for every non-control message.

use super::AttrDesc;
use crate::schema::{AttrSet, FixedHeader};
use crate::wire::{FlagContext, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
use crate::{genl, netfilter, route, uevent, Protocol};
use std::sync::{Arc, OnceLock};

/// What a descriptor says about one message.
#[derive(Debug, Clone, Copy)]
pub struct MsgSpec {
    /// Type name (`RTM_NEWLINK`, `NLMSG_ERROR`, `GENL_ID_CTRL`), if known.
    pub name: Option<&'static str>,
    /// Which meaning the high flag bits have.
    pub flag_ctx: FlagContext,
    /// The fixed header after `nlmsghdr`, if the protocol has one.
    pub fixed: Option<&'static FixedHeader>,
    /// A shorter header some senders put instead of [`fixed`](Self::fixed)
    /// (old tools send a bare `rtgenmsg` in dump requests).
    pub legacy: Option<&'static FixedHeader>,
    /// True if attributes follow the fixed header.
    pub has_attrs: bool,
    /// The attribute set, when known.
    pub attrs: Option<&'static AttrSet>,
}

impl MsgSpec {
    /// Nothing known: the payload is bytes.
    pub const RAW: MsgSpec = MsgSpec {
        name: None,
        flag_ctx: FlagContext::Unknown,
        fixed: None,
        legacy: None,
        has_attrs: false,
        attrs: None,
    };

    /// Where the attributes start in the payload (after the aligned fixed
    /// header), if the message has attributes.
    pub fn attrs_start(&self) -> Option<usize> {
        self.has_attrs
            .then(|| self.fixed.map_or(0, |f| crate::wire::align(f.size)))
    }
}

/// A family's descriptor: what it knows about its messages. Implemented in
/// the family's own folder (`route::decode`, `genl::decode`); methods added
/// later have defaults, so a descriptor written today keeps compiling.
pub trait Family: Send + Sync {
    /// The family's name (`rtnetlink`, `nlctrl`).
    fn name(&self) -> &str;
    /// What the family knows about a message of type `ty` (never a control
    /// type: the decoder answers those) whose payload is `payload`; `None`
    /// if the type is not one of the family's.
    fn message(&self, ty: u16, payload: &[u8]) -> Option<MsgSpec>;
    /// The message type called `name` (any case), for `nlkit send --type`.
    fn type_by_name(&self, name: &str) -> Option<u16> {
        let _ = name;
        None
    }
    /// For a protocol whose datagrams are not netlink messages (kobject
    /// uevents, `action@devpath\0KEY=VAL\0...`, have no `nlmsghdr`): the
    /// whole datagram as named fields ([`AttrDesc::field`]). `None`, the
    /// default: the datagram is netlink messages.
    fn datagram<'a>(&self, buf: &'a [u8]) -> Option<Vec<AttrDesc<'a>>> {
        let _ = buf;
        None
    }
}

/// A built-in registry line.
#[derive(Clone, Copy)]
pub enum Entry {
    /// A family that is a whole netlink protocol (rtnetlink), or the
    /// fallback for a protocol whose messages belong to several families
    /// (any generic netlink message: `genlmsghdr`, unnamed attributes).
    Protocol(Protocol, &'static dyn Family),
    /// A generic netlink family, with its id if the id is fixed (`nlctrl`).
    Genl(&'static dyn Family, Option<u16>),
}

/// Every family nlkit decodes out of the box: one line per family.
pub const BUILTIN: &[Entry] = &[
    Entry::Protocol(Protocol::ROUTE, &route::decode::RTNETLINK),
    Entry::Protocol(Protocol::GENERIC, &genl::decode::GENERIC),
    Entry::Genl(&genl::decode::NLCTRL, Some(genl::GENL_ID_CTRL)),
    Entry::Genl(&genl::decode::NLTEST, None),
    Entry::Protocol(Protocol::KOBJECT_UEVENT, &uevent::decode::UEVENT),
    Entry::Protocol(Protocol::NETFILTER, &netfilter::decode::NFNETLINK),
];

#[derive(Clone)]
struct GenlEntry {
    family: Arc<dyn Family>,
    fixed_id: Option<u16>,
}

/// A set of family descriptors.
#[derive(Clone, Default)]
pub struct Registry {
    protocols: Vec<(Protocol, Arc<dyn Family>)>,
    genl: Vec<GenlEntry>,
}

/// A `&'static` descriptor as a shared one.
struct Static(&'static dyn Family);

impl Family for Static {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn message(&self, ty: u16, payload: &[u8]) -> Option<MsgSpec> {
        self.0.message(ty, payload)
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        self.0.type_by_name(name)
    }
    fn datagram<'a>(&self, buf: &'a [u8]) -> Option<Vec<AttrDesc<'a>>> {
        self.0.datagram(buf)
    }
}

impl Registry {
    /// A registry with no family.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// A registry holding the [`BUILTIN`] families, to extend.
    pub fn with_builtin() -> Registry {
        let mut r = Registry::empty();
        for e in BUILTIN {
            match *e {
                Entry::Protocol(p, f) => r.add_protocol(p, Arc::new(Static(f))),
                Entry::Genl(f, id) => r.add_genl(Arc::new(Static(f)), id),
            }
        }
        r
    }

    /// The built-in registry, shared.
    pub fn builtin() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(Registry::with_builtin)
    }

    /// Registers the descriptor of protocol `proto`; a later one for the
    /// same protocol replaces the earlier.
    pub fn add_protocol(&mut self, proto: Protocol, family: Arc<dyn Family>) {
        self.protocols.retain(|(p, _)| *p != proto);
        self.protocols.push((proto, family));
    }

    /// Registers a generic netlink family (`fixed_id`: its id if it never
    /// changes); one of the same name is replaced.
    pub fn add_genl(&mut self, family: Arc<dyn Family>, fixed_id: Option<u16>) {
        self.genl.retain(|e| e.family.name() != family.name());
        self.genl.push(GenlEntry { family, fixed_id });
    }

    /// The descriptor of protocol `proto`.
    pub fn protocol(&self, proto: Protocol) -> Option<&Arc<dyn Family>> {
        self.protocols
            .iter()
            .find(|(p, _)| *p == proto)
            .map(|(_, f)| f)
    }

    /// The generic netlink family called `name` (any case).
    pub fn genl(&self, name: &str) -> Option<&Arc<dyn Family>> {
        self.genl
            .iter()
            .find(|e| e.family.name().eq_ignore_ascii_case(name))
            .map(|e| &e.family)
    }

    /// The generic netlink family whose id is always `id` (`nlctrl`).
    pub fn genl_fixed(&self, id: u16) -> Option<&Arc<dyn Family>> {
        self.genl
            .iter()
            .find(|e| e.fixed_id == Some(id))
            .map(|e| &e.family)
    }

    /// The protocols that have a descriptor.
    pub fn protocols(&self) -> impl Iterator<Item = Protocol> + '_ {
        self.protocols.iter().map(|(p, _)| *p)
    }

    /// The names of the generic netlink families.
    pub fn genl_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.genl.iter().map(|e| e.family.name())
    }

    /// The message type called `name` on `proto` (any case): a control
    /// type, one of the protocol's, or (on `NETLINK_GENERIC`) a family with
    /// a fixed id, by its name or its type's (`nlctrl`, `GENL_ID_CTRL`).
    pub fn type_from_name(&self, proto: Protocol, name: &str) -> Option<u16> {
        if let Some(&(v, _)) = CONTROL.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
            return Some(v);
        }
        if let Some(t) = self.protocol(proto).and_then(|f| f.type_by_name(name)) {
            return Some(t);
        }
        if proto != Protocol::GENERIC {
            return None;
        }
        self.genl.iter().find_map(|e| {
            let id = e.fixed_id?;
            let f = &e.family;
            let type_name = f.message(id, &[]).and_then(|s| s.name);
            let named = f.name().eq_ignore_ascii_case(name)
                || type_name.is_some_and(|t| t.eq_ignore_ascii_case(name));
            named.then_some(id)
        })
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field(
                "protocols",
                &self
                    .protocols
                    .iter()
                    .map(|(p, d)| (p.0, d.name()))
                    .collect::<Vec<_>>(),
            )
            .field("genl", &self.genl_names().collect::<Vec<_>>())
            .finish()
    }
}

/// The control message types every protocol shares.
pub const CONTROL: &[(u16, &str)] = &[
    (NLMSG_NOOP, "NLMSG_NOOP"),
    (NLMSG_ERROR, "NLMSG_ERROR"),
    (NLMSG_DONE, "NLMSG_DONE"),
    (NLMSG_OVERRUN, "NLMSG_OVERRUN"),
];

/// The spec of control type `ty`, if it is one.
pub fn control_spec(ty: u16) -> Option<MsgSpec> {
    let &(_, name) = CONTROL.iter().find(|(t, _)| *t == ty)?;
    let flag_ctx = match ty {
        NLMSG_NOOP => FlagContext::Unknown,
        _ => FlagContext::Ack,
    };
    Some(MsgSpec {
        name: Some(name),
        flag_ctx,
        ..MsgSpec::RAW
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Toy;
    impl Family for Toy {
        fn name(&self) -> &str {
            "toy"
        }
        fn message(&self, ty: u16, _: &[u8]) -> Option<MsgSpec> {
            (ty == 0x20).then_some(MsgSpec {
                name: Some("TOY_HELLO"),
                ..MsgSpec::RAW
            })
        }
        fn type_by_name(&self, name: &str) -> Option<u16> {
            name.eq_ignore_ascii_case("TOY_HELLO").then_some(0x20)
        }
    }

    #[test]
    fn builtin_and_runtime_families() {
        let r = Registry::builtin();
        assert_eq!(r.protocol(Protocol::ROUTE).unwrap().name(), "rtnetlink");
        assert_eq!(r.genl_fixed(0x10).unwrap().name(), "nlctrl");
        assert!(r.genl("NLCTRL").is_some());
        assert_eq!(r.type_from_name(Protocol::ROUTE, "rtm_getroute"), Some(26));
        assert_eq!(r.type_from_name(Protocol::ROUTE, "nlmsg_done"), Some(3));
        assert_eq!(r.type_from_name(Protocol::GENERIC, "nlctrl"), Some(0x10));
        assert_eq!(r.type_from_name(Protocol::USERSOCK, "TOY_HELLO"), None);

        // A family registered at run time, on a protocol of its own and as a genl family.
        let mut r = Registry::with_builtin();
        r.add_protocol(Protocol::USERSOCK, Arc::new(Toy));
        r.add_genl(Arc::new(Toy), None);
        assert_eq!(
            r.type_from_name(Protocol::USERSOCK, "toy_hello"),
            Some(0x20)
        );
        assert_eq!(r.genl("toy").unwrap().name(), "toy");
        assert_eq!(r.protocols().count(), 5); // route, generic, uevent, netfilter, and the toy
                                              // Registering again replaces.
        r.add_genl(Arc::new(Toy), Some(0x30));
        assert_eq!(r.genl_names().filter(|n| *n == "toy").count(), 1);
        assert_eq!(r.genl_fixed(0x30).unwrap().name(), "toy");
    }

    /// A protocol without `nlmsghdr`, as kobject uevents are: `action@devpath\0KEY=VAL\0...`.
    struct Headerless;
    impl Family for Headerless {
        fn name(&self) -> &str {
            "headerless"
        }
        fn message(&self, _: u16, _: &[u8]) -> Option<MsgSpec> {
            None
        }
        fn datagram<'a>(&self, buf: &'a [u8]) -> Option<Vec<AttrDesc<'a>>> {
            let mut at = 0;
            let mut out = Vec::new();
            for part in buf.split(|&b| b == 0).filter(|p| !p.is_empty()) {
                let at_here = buf[at..].windows(part.len()).position(|w| w == part)? + at;
                let eq = part.iter().position(|&b| b == b'=').unwrap_or(0);
                let name = String::from_utf8_lossy(&part[..eq]).into_owned();
                let value = &part[if eq == 0 { 0 } else { eq + 1 }..];
                out.push(AttrDesc::field(at_here, name, value));
                at = at_here + part.len();
            }
            Some(out)
        }
    }

    #[test]
    fn a_protocol_without_nlmsghdr() {
        let mut r = Registry::empty();
        r.add_protocol(Protocol(15), Arc::new(Headerless));
        let buf = b"add@/devices/x\0ACTION=add\0SEQNUM=7\0";
        let d = crate::decode::Decoder::with_registry(&r, Protocol(15)).decode(buf);
        assert!(d.messages.is_empty() && d.error.is_none());
        let f = d.datagram.unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!((f[1].offset, f[1].name.as_deref()), (15, Some("ACTION")));
        assert_eq!(f[2].display, "\"7\"");
    }

    #[test]
    fn control_types() {
        assert_eq!(control_spec(2).unwrap().name, Some("NLMSG_ERROR"));
        assert_eq!(control_spec(2).unwrap().flag_ctx, FlagContext::Ack);
        assert_eq!(control_spec(1).unwrap().flag_ctx, FlagContext::Unknown);
        assert!(control_spec(16).is_none());
    }
}
