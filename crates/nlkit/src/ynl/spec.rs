//! The spec model: a kernel YAML netlink spec (`Documentation/netlink/specs`)
//! parsed into typed structs, every reference checked.
//!
//! [`Family::parse`] reads the four schema levels (`genetlink`,
//! `genetlink-c`, `genetlink-legacy`, `netlink-raw`): definitions (const,
//! enum, flags, struct), attribute sets (with `subset-of` resolved: a subset
//! attribute is its main set's attribute with the subset's overrides),
//! sub-messages, operations (numbered by the unified or the directional
//! model) and multicast groups.
//!
//! Numbering follows `Documentation/userspace-api/netlink/specs.rst` and
//! `genetlink-legacy.rst`: attributes and operations without `value` take
//! the previous one's plus one, starting at 1; enum entries start at
//! `value-start` (default 0); a flags entry's value is a bit number
//! (`1 << n` on the wire). In the directional model requests and replies
//! are numbered separately and notifications take reply numbers.
//!
//! Every reference is checked: `nested-attributes`, `enum`, `struct`,
//! `sub-message`, `selector` (a sibling attribute), sub-message formats,
//! `fixed-header`, the attribute lists of operations, `notify`, `mcgrp`,
//! `checks` limits naming constants. A bad spec is a [`SpecError`] with the
//! file, the line and what is wrong; parsing never panics. Keys the loader
//! does not know are kept as [`Family::warnings`], not dropped silently.

use super::yaml::{Cx, Node, Obj};
use super::SpecError;
use saphyr::{LoadableYamlNode, MarkedYaml};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// Defines an enum of spec keywords with its names, once.
macro_rules! keywords {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v,)* }
        impl $name {
            /// Every keyword.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// The name as written in specs.
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
            fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)* _ => None }
            }
            fn list() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
                names.join(", ")
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

keywords! {
    /// The spec's schema level (`protocol:`).
    Level {
        /// `genetlink` (the default): new generic netlink families.
        Genetlink = "genetlink",
        /// `genetlink-c`: `genetlink` plus C naming overrides.
        GenetlinkC = "genetlink-c",
        /// `genetlink-legacy`: structs, fixed headers, directional ids...
        GenetlinkLegacy = "genetlink-legacy",
        /// `netlink-raw`: protocols other than generic netlink (`protonum`).
        NetlinkRaw = "netlink-raw",
    }
}

impl Level {
    /// Whether the family is a generic netlink family (resolved through nlctrl).
    pub fn is_genetlink(self) -> bool {
        self != Level::NetlinkRaw
    }
}

keywords! {
    /// The type of an attribute (also used for `sub-type`).
    AttrType {
        /// A reserved number, never sent.
        Unused = "unused",
        /// Padding for 64-bit alignment.
        Pad = "pad",
        /// Present or absent, no payload.
        Flag = "flag",
        /// Bytes (maybe a struct, a C array or an address).
        Binary = "binary",
        /// `struct nla_bitfield32`: value and selector.
        Bitfield32 = "bitfield32",
        /// u8.
        U8 = "u8",
        /// u16.
        U16 = "u16",
        /// u32.
        U32 = "u32",
        /// u64.
        U64 = "u64",
        /// s8.
        S8 = "s8",
        /// s16.
        S16 = "s16",
        /// s32.
        S32 = "s32",
        /// s64.
        S64 = "s64",
        /// Unsigned, 32 or 64 bits on the wire.
        Uint = "uint",
        /// Signed, 32 or 64 bits on the wire.
        Sint = "sint",
        /// NUL-terminated string.
        String = "string",
        /// Nested attributes of `nested-attributes`.
        Nest = "nest",
        /// A nest of entries whose types are their indexes.
        IndexedArray = "indexed-array",
        /// Nests whose types carry a value (`type-value`).
        NestTypeValue = "nest-type-value",
        /// Attributes chosen by a sibling's value (`selector`).
        SubMessage = "sub-message",
    }
}

impl AttrType {
    /// The size of a fixed-width scalar.
    pub fn scalar_size(self) -> Option<usize> {
        Some(match self {
            AttrType::U8 | AttrType::S8 => 1,
            AttrType::U16 | AttrType::S16 => 2,
            AttrType::U32 | AttrType::S32 => 4,
            AttrType::U64 | AttrType::S64 => 8,
            AttrType::Bitfield32 => 8,
            _ => return None,
        })
    }

    /// Whether the type is an integer (fixed or variable width).
    pub fn is_int(self) -> bool {
        self.scalar_size().is_some() && self != AttrType::Bitfield32
            || matches!(self, AttrType::Uint | AttrType::Sint)
    }

    /// Whether values of this type hold attributes of a set.
    pub fn is_nest(self) -> bool {
        matches!(
            self,
            AttrType::Nest | AttrType::IndexedArray | AttrType::NestTypeValue
        )
    }
}

keywords! {
    /// Byte order of an integer.
    ByteOrder {
        /// Little-endian.
        Little = "little-endian",
        /// Big-endian (network order).
        Big = "big-endian",
    }
}

keywords! {
    /// How to show a value (only for display).
    DisplayHint {
        /// Hexadecimal.
        Hex = "hex",
        /// A MAC address.
        Mac = "mac",
        /// An FDDI address.
        Fddi = "fddi",
        /// An IPv4 address.
        Ipv4 = "ipv4",
        /// An IPv6 address.
        Ipv6 = "ipv6",
        /// A UUID.
        Uuid = "uuid",
    }
}

keywords! {
    /// How operations are numbered.
    EnumModel {
        /// One number per operation, the same for request and reply.
        Unified = "unified",
        /// Requests and replies (and notifications) numbered separately.
        Directional = "directional",
    }
}

/// A number or the name of something that has one (a constant, `u32-max`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// A literal.
    Int(i64),
    /// A constant of the spec or a type limit (`u16-max`, `s32-min`).
    Name(String),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Int(i) => write!(f, "{i}"),
            Limit::Name(n) => f.write_str(n),
        }
    }
}

/// The value of a type limit name: `u8-max`, `s64-min`...
fn type_limit(name: &str) -> Option<i128> {
    let (ty, end) = name.split_once('-')?;
    let bits: u32 = ty.get(1..)?.parse().ok()?;
    if ![8, 16, 32, 64].contains(&bits) {
        return None;
    }
    match (ty.as_bytes()[0], end) {
        (b'u', "min") => Some(0),
        (b'u', "max") => Some((1i128 << bits) - 1),
        (b's', "min") => Some(-(1i128 << (bits - 1))),
        (b's', "max") => Some((1i128 << (bits - 1)) - 1),
        _ => None,
    }
}

/// Kernel input validation of an attribute (`checks:`), kept for display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// Smallest value.
    pub min: Option<Limit>,
    /// Largest value.
    pub max: Option<Limit>,
    /// Shortest payload.
    pub min_len: Option<Limit>,
    /// Longest payload (strings: not counting the NUL).
    pub max_len: Option<Limit>,
    /// Exact payload length.
    pub exact_len: Option<Limit>,
    /// A flags definition whose bits are the only ones allowed.
    pub flags_mask: Option<String>,
    /// A string need not be NUL-terminated.
    pub unterminated_ok: bool,
}

impl Checks {
    /// Whether there is no check at all.
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }

    /// The checks that are set, with their spec keys (`max-len`, `name-maxlen`);
    /// `unterminated-ok` as `true`.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let limits = [
            ("min", &self.min),
            ("max", &self.max),
            ("min-len", &self.min_len),
            ("max-len", &self.max_len),
            ("exact-len", &self.exact_len),
        ];
        let mut out: Vec<(&'static str, String)> = limits
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_ref()?.to_string())))
            .collect();
        if let Some(m) = &self.flags_mask {
            out.push(("flags-mask", m.clone()));
        }
        if self.unterminated_ok {
            out.push(("unterminated-ok", "true".to_string()));
        }
        out
    }
}

/// One attribute of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The spec's name (`dev-name`).
    pub name: String,
    /// Its number on the wire.
    pub value: u16,
    /// Its type.
    pub ty: AttrType,
    /// Documentation.
    pub doc: Option<String>,
    /// Byte order of an integer (default: host).
    pub byte_order: Option<ByteOrder>,
    /// May appear several times (an array of attributes).
    pub multi_attr: bool,
    /// The set inside a nest / indexed array / nest-type-value.
    pub nested_attributes: Option<String>,
    /// The enum or flags definition of an integer's values.
    pub enum_def: Option<String>,
    /// Read the enum as flags.
    pub enum_as_flags: bool,
    /// Kernel validation.
    pub checks: Checks,
    /// Element type of an indexed array or a binary C array.
    pub sub_type: Option<AttrType>,
    /// How to show the value.
    pub display_hint: Option<DisplayHint>,
    /// The struct definition of a binary attribute.
    pub struct_def: Option<String>,
    /// The sub-message definition of a `sub-message` attribute.
    pub sub_message: Option<String>,
    /// The sibling attribute whose value selects the sub-message format.
    pub selector: Option<String>,
    /// Names of the values carried in nest types (`nest-type-value`).
    pub type_value: Vec<String>,
    /// Line of the attribute in the spec.
    pub line: usize,
}

/// An attribute set (an "attribute space").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSet {
    /// The spec's name.
    pub name: String,
    /// The main set this one is a part of.
    pub subset_of: Option<String>,
    /// C enum prefix (`name-prefix`).
    pub name_prefix: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// The attributes, in spec order.
    pub attributes: Vec<Attribute>,
    /// Line of the set in the spec.
    pub line: usize,
}

impl AttributeSet {
    /// The attribute named `name`.
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The attribute numbered `value`.
    pub fn attr_by_value(&self, value: u16) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.value == value)
    }
}

/// A constant (`type: const`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstValue {
    /// A number.
    Int(i64),
    /// A string.
    Str(String),
}

/// One entry of an enum or flags definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumEntry {
    /// The spec's name.
    pub name: String,
    /// The value (for flags: the bit number).
    pub value: i64,
    /// Documentation.
    pub doc: Option<String>,
}

/// An enum or flags definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// Entries in order.
    pub entries: Vec<EnumEntry>,
    /// C prefix of the entries.
    pub name_prefix: Option<String>,
}

impl EnumDef {
    /// The entry named `name`.
    pub fn entry(&self, name: &str) -> Option<&EnumEntry> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// One member of a struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The spec's name.
    pub name: String,
    /// Its type: a fixed-width integer, `string`, `binary`, `pad` or `bitfield32`.
    pub ty: AttrType,
    /// Length of a binary, string or pad member.
    pub len: Option<Limit>,
    /// Byte order of an integer.
    pub byte_order: Option<ByteOrder>,
    /// The enum or flags definition of its values.
    pub enum_def: Option<String>,
    /// Read the enum as flags.
    pub enum_as_flags: bool,
    /// How to show the value.
    pub display_hint: Option<DisplayHint>,
    /// A nested struct (binary members).
    pub struct_def: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
}

/// A struct definition (packed, as the kernel's C struct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructDef {
    /// Members in order.
    pub members: Vec<Member>,
    /// Size in bytes (members packed, no implicit padding).
    pub size: usize,
}

/// What a definition defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefKind {
    /// A constant.
    Const(ConstValue),
    /// An enumeration.
    Enum(EnumDef),
    /// Bit flags.
    Flags(EnumDef),
    /// A struct.
    Struct(StructDef),
}

impl DefKind {
    /// The spec keyword (`const`, `enum`, `flags`, `struct`).
    pub fn keyword(&self) -> &'static str {
        match self {
            DefKind::Const(_) => "const",
            DefKind::Enum(_) => "enum",
            DefKind::Flags(_) => "flags",
            DefKind::Struct(_) => "struct",
        }
    }
}

/// One entry of `definitions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The spec's name.
    pub name: String,
    /// What it is.
    pub kind: DefKind,
    /// Documentation.
    pub doc: Option<String>,
    /// A C header that already defines it.
    pub header: Option<String>,
    /// Line of the definition in the spec.
    pub line: usize,
}

/// One format of a sub-message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    /// The selector value choosing this format.
    pub value: String,
    /// A struct before the attributes.
    pub fixed_header: Option<String>,
    /// The attribute set of the attributes.
    pub attribute_set: Option<String>,
}

/// A sub-message: formats chosen by a selector's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubMessage {
    /// The spec's name.
    pub name: String,
    /// Formats in order.
    pub formats: Vec<Format>,
}

impl SubMessage {
    /// The format for selector value `value`.
    pub fn format(&self, value: &str) -> Option<&Format> {
        self.formats.iter().find(|f| f.value == value)
    }
}

/// The attributes of a request or a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Attribute names (of the operation's set).
    pub attributes: Vec<String>,
    /// Its own message id (directional model).
    pub value: Option<u16>,
}

/// A `do` or `dump` of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubOp {
    /// What is sent.
    pub request: Option<Message>,
    /// What comes back.
    pub reply: Option<Message>,
    /// Kernel hook before the handler.
    pub pre: Option<String>,
    /// Kernel hook after the handler.
    pub post: Option<String>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The spec's name.
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Message id of requests (`None`: the kernel never receives one).
    pub request_value: Option<u16>,
    /// Message id of replies and notifications (`None`: the kernel never sends one).
    pub reply_value: Option<u16>,
    /// The attribute set of its messages (for `notify`: the notified operation's).
    pub attribute_set: Option<String>,
    /// The fixed header struct (the operation's or the default of `operations`).
    pub fixed_header: Option<String>,
    /// `admin-perm`, `uns-admin-perm`.
    pub flags: Vec<String>,
    /// Kernel validation the operation skips.
    pub dont_validate: Vec<String>,
    /// Kernel config option gating it.
    pub config_cond: Option<String>,
    /// The `do` handler.
    pub do_: Option<SubOp>,
    /// The `dump` handler.
    pub dump: Option<SubOp>,
    /// A notification with the replies of this other operation.
    pub notify: Option<String>,
    /// A notification with these attributes.
    pub event: Option<Message>,
    /// The multicast group of the notification.
    pub mcgrp: Option<String>,
    /// Line of the operation in the spec.
    pub line: usize,
}

impl Operation {
    /// Whether the operation is a notification (`notify` or `event`).
    pub fn is_notification(&self) -> bool {
        self.notify.is_some() || self.event.is_some()
    }
}

/// The `operations` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operations {
    /// How ids are assigned.
    pub enum_model: EnumModel,
    /// C prefix of the command enum.
    pub name_prefix: Option<String>,
    /// C prefix of notifications.
    pub async_prefix: Option<String>,
    /// Default fixed header of every operation.
    pub fixed_header: Option<String>,
    /// Operations in order.
    pub list: Vec<Operation>,
}

/// A multicast group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McastGroup {
    /// Its name (resolved through nlctrl for genetlink).
    pub name: String,
    /// Its number (netlink-raw).
    pub value: Option<u32>,
    /// `admin-perm`...
    pub flags: Vec<String>,
}

/// A parsed, checked spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The family name (`ethtool`, `rt-link`).
    pub name: String,
    /// Schema level.
    pub level: Level,
    /// Netlink protocol number (netlink-raw; `NETLINK_GENERIC` otherwise).
    pub protonum: u32,
    /// Generic netlink version (default 1).
    pub version: u8,
    /// Documentation.
    pub doc: Option<String>,
    /// The uapi header.
    pub uapi_header: Option<String>,
    /// `split`, `per-op` or `global` (genetlink-legacy).
    pub kernel_policy: Option<String>,
    /// Type and constant definitions.
    pub definitions: Vec<Definition>,
    /// Attribute sets, subsets resolved.
    pub attribute_sets: Vec<AttributeSet>,
    /// Sub-messages (netlink-raw).
    pub sub_messages: Vec<SubMessage>,
    /// Operations.
    pub operations: Operations,
    /// Multicast groups.
    pub mcast_groups: Vec<McastGroup>,
    /// Keys the loader did not know, with their lines (nothing is dropped silently).
    pub warnings: Vec<SpecError>,
}

/// `NETLINK_GENERIC`.
const NETLINK_GENERIC: u32 = 16;

impl Family {
    /// The attribute set named `name`.
    pub fn attribute_set(&self, name: &str) -> Option<&AttributeSet> {
        self.attribute_sets.iter().find(|s| s.name == name)
    }

    /// The definition named `name`.
    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }

    /// The struct definition named `name`.
    pub fn struct_def(&self, name: &str) -> Option<&StructDef> {
        match &self.definition(name)?.kind {
            DefKind::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The enum or flags definition named `name` (and whether it is flags).
    pub fn enum_def(&self, name: &str) -> Option<(&EnumDef, bool)> {
        match &self.definition(name)?.kind {
            DefKind::Enum(e) => Some((e, false)),
            DefKind::Flags(e) => Some((e, true)),
            _ => None,
        }
    }

    /// The operation named `name`.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.list.iter().find(|o| o.name == name)
    }

    /// The sub-message named `name`.
    pub fn sub_message(&self, name: &str) -> Option<&SubMessage> {
        self.sub_messages.iter().find(|s| s.name == name)
    }

    /// The multicast group named `name`.
    pub fn mcast_group(&self, name: &str) -> Option<&McastGroup> {
        self.mcast_groups.iter().find(|g| g.name == name)
    }

    /// The value of a limit: a literal, a constant of the spec, or a type
    /// limit (`u32-max`).
    pub fn limit_value(&self, l: &Limit) -> Option<i128> {
        match l {
            Limit::Int(i) => Some(i128::from(*i)),
            Limit::Name(n) => match self.definition(n).map(|d| &d.kind) {
                Some(DefKind::Const(ConstValue::Int(i))) => Some(i128::from(*i)),
                _ => type_limit(n),
            },
        }
    }

    /// Parses and checks a spec. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Family, SpecError> {
        let cx = Cx {
            file,
            warnings: RefCell::new(Vec::new()),
        };
        let docs = MarkedYaml::load_from_str(text).map_err(|e| {
            cx.err(
                e.marker().line().max(1),
                format!("YAML error: {}", e.info()),
            )
        })?;
        let root = match docs.as_slice() {
            [d] => Node(d),
            [] => return Err(cx.err(1, "no YAML document")),
            [_, d, ..] => {
                return Err(cx.err(Node(d).line(), "more than one YAML document"));
            }
        };
        let mut fam = parse_family(&cx, root)?;
        fam.warnings = cx.warnings.into_inner();
        Ok(fam)
    }
}

/// Names of everything that can be referenced, gathered before the full
/// parse so that each reference is checked where it is read.
#[derive(Default)]
struct Index<'a> {
    defs: HashMap<&'a str, &'a str>,
    sets: HashMap<&'a str, ()>,
    subs: HashMap<&'a str, ()>,
    groups: HashMap<&'a str, ()>,
}

fn names<'a>(root: &mut Obj<'a, '_>, key: &str) -> Vec<(&'a str, Option<&'a str>)> {
    let mut out = Vec::new();
    let mut list = root.get(key);
    if key == "mcast-groups" {
        list = list.and_then(|n| match &n.0.data {
            saphyr::YamlData::Mapping(m) => m
                .iter()
                .find(|(k, _)| k.data.as_str() == Some("list"))
                .map(|(_, v)| Node(v)),
            _ => None,
        });
    }
    if let Some(saphyr::YamlData::Sequence(s)) = list.map(|n| &n.0.data) {
        for item in s {
            if let saphyr::YamlData::Mapping(m) = &item.data {
                let field = |f: &str| {
                    m.iter()
                        .find(|(k, _)| k.data.as_str() == Some(f))
                        .and_then(|(_, v)| v.data.as_str())
                };
                if let Some(n) = field("name") {
                    out.push((n, field("type")));
                }
            }
        }
    }
    out
}

/// What kinds of definition a reference accepts.
#[derive(Clone, Copy)]
enum Want {
    Struct,
    Enum,
    Flags,
}

impl Index<'_> {
    fn check_def(&self, name: &str, want: Want) -> Result<(), String> {
        let ok: &[&str] = match want {
            Want::Struct => &["struct"],
            Want::Enum => &["enum", "flags"],
            Want::Flags => &["flags"],
        };
        let what = match want {
            Want::Struct => "a struct",
            Want::Enum => "an enum or flags",
            Want::Flags => "a flags",
        };
        match self.defs.get(name) {
            Some(t) if ok.contains(t) => Ok(()),
            Some(t) => Err(format!("\"{name}\" is {t}, not {what} definition")),
            None => Err(format!("\"{name}\" is not {what} definition")),
        }
    }

    /// A limit is a literal, a constant or a type limit.
    fn check_limit(&self, l: &Limit) -> Result<(), String> {
        match l {
            Limit::Int(_) => Ok(()),
            Limit::Name(n) if self.defs.get(n.as_str()) == Some(&"const") => Ok(()),
            Limit::Name(n) if type_limit(n).is_some() => Ok(()),
            Limit::Name(n) => Err(format!(
                "\"{n}\" is neither a constant nor a type limit (u32-max...)"
            )),
        }
    }
}

fn parse_family(cx: &Cx<'_>, root: Node<'_, '_>) -> Result<Family, SpecError> {
    let mut top = root.obj(cx, "spec".to_string())?;
    let mut ix = Index::default();
    for (n, t) in names(&mut top, "definitions") {
        ix.defs.insert(n, t.unwrap_or(""));
    }
    for (n, _) in names(&mut top, "attribute-sets") {
        ix.sets.insert(n, ());
    }
    for (n, _) in names(&mut top, "sub-messages") {
        ix.subs.insert(n, ());
    }
    for (n, _) in names(&mut top, "mcast-groups") {
        ix.groups.insert(n, ());
    }

    let name = top.req_str(cx, "name")?.to_string();
    top.what = format!("family \"{name}\"");
    let level = match top.str(cx, "protocol")? {
        None => Level::Genetlink,
        Some(p) => Level::parse(p).ok_or_else(|| {
            top.err_at(
                cx,
                "protocol",
                format!("unknown protocol \"{p}\" ({})", Level::list()),
            )
        })?,
    };
    let protonum = match (level, top.int(cx, "protonum", 0, 31)?) {
        (Level::NetlinkRaw, Some(p)) => p as u32,
        (Level::NetlinkRaw, None) => {
            return Err(cx.err(
                top.line,
                format!("{}: netlink-raw needs \"protonum\"", top.what),
            ))
        }
        (_, Some(_)) => {
            return Err(top.err_at(cx, "protonum", "\"protonum\" is only for netlink-raw"))
        }
        (_, None) => NETLINK_GENERIC,
    };
    let version = top.int(cx, "version", 1, 255)?.unwrap_or(1) as u8;
    let doc = top.string(cx, "doc")?;
    let uapi_header = top.string(cx, "uapi-header")?;
    let kernel_policy = top.string(cx, "kernel-policy")?;
    // Only for C code generation: read, nothing to keep.
    for k in [
        "c-family-name",
        "c-version-name",
        "max-by-define",
        "cmd-max-name",
        "cmd-cnt-name",
        "kernel-family",
        "license",
    ] {
        top.get(k);
    }

    let mut definitions = Vec::new();
    for d in top.seq(cx, "definitions")? {
        let d = parse_definition(cx, &ix, &definitions, Node(d))?;
        if definitions.iter().any(|x: &Definition| x.name == d.name) {
            return Err(cx.err(
                d.line,
                format!("definition \"{}\" is defined twice", d.name),
            ));
        }
        definitions.push(d);
    }
    size_structs(cx, &mut definitions)?;

    let mut raw_sets = Vec::new();
    for s in top.seq(cx, "attribute-sets")? {
        let s = parse_set(cx, &ix, Node(s))?;
        if raw_sets.iter().any(|x: &RawSet| x.name == s.name) {
            return Err(cx.err(
                s.line,
                format!("attribute-set \"{}\" is defined twice", s.name),
            ));
        }
        raw_sets.push(s);
    }
    let attribute_sets = resolve_sets(cx, raw_sets)?;

    let mut sub_messages = Vec::new();
    for s in top.seq(cx, "sub-messages")? {
        sub_messages.push(parse_sub_message(cx, &ix, Node(s))?);
    }

    let mcast_groups = match top.obj(cx, "mcast-groups")? {
        None => Vec::new(),
        Some(mut g) => {
            let mut out = Vec::new();
            for n in g.seq(cx, "list")? {
                let mut o = Node(n).obj(cx, "mcast group".to_string())?;
                let name = o.req_str(cx, "name")?.to_string();
                o.what = format!("mcast group \"{name}\"");
                let value = o.int(cx, "value", 0, u32::MAX.into())?.map(|v| v as u32);
                let flags = o.str_list(cx, "flags")?;
                o.get("c-define-name");
                o.finish(cx);
                out.push(McastGroup { name, value, flags });
            }
            g.finish(cx);
            out
        }
    };

    let operations = match top.obj(cx, "operations")? {
        Some(o) => parse_operations(cx, &ix, level, &attribute_sets, &definitions, o)?,
        None => Operations {
            enum_model: EnumModel::Unified,
            name_prefix: None,
            async_prefix: None,
            fixed_header: None,
            list: Vec::new(),
        },
    };
    top.finish(cx);
    Ok(Family {
        name,
        level,
        protonum,
        version,
        doc,
        uapi_header,
        kernel_policy,
        definitions,
        attribute_sets,
        sub_messages,
        operations,
        mcast_groups,
        warnings: Vec::new(),
    })
}

/// Reads a keyword (`type: u32`) from `key`.
fn keyword<K>(
    cx: &Cx<'_>,
    o: &mut Obj<'_, '_>,
    key: &str,
    parse: fn(&str) -> Option<K>,
    list: fn() -> String,
) -> Result<Option<K>, SpecError> {
    match o.str(cx, key)? {
        None => Ok(None),
        Some(s) => match parse(s) {
            Some(k) => Ok(Some(k)),
            None => Err(o.err_at(cx, key, format!("unknown {key} \"{s}\" ({})", list()))),
        },
    }
}

/// Reads a limit (`max: u32-max`, `len: 16`) and checks what it names.
fn limit(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    o: &mut Obj<'_, '_>,
    key: &str,
) -> Result<Option<Limit>, SpecError> {
    let Some(n) = o.get(key) else {
        return Ok(None);
    };
    let l = match (n.as_int(), n.as_str()) {
        (Some(i), _) => Limit::Int(i),
        (_, Some(s)) => Limit::Name(s.to_string()),
        _ => {
            return Err(cx.err(
                n.line(),
                format!(
                    "{}: \"{key}\" must be a number or a constant, not {}",
                    o.what,
                    n.kind()
                ),
            ))
        }
    };
    ix.check_limit(&l)
        .map_err(|m| cx.err(n.line(), format!("{}: {key} {m}", o.what)))?;
    Ok(Some(l))
}

/// Reads a reference to a definition and checks it.
fn def_ref(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    o: &mut Obj<'_, '_>,
    key: &str,
    want: Want,
) -> Result<Option<String>, SpecError> {
    let Some(s) = o.string(cx, key)? else {
        return Ok(None);
    };
    ix.check_def(&s, want)
        .map_err(|m| o.err_at(cx, key, format!("{key} {m}")))?;
    Ok(Some(s))
}

/// Reads a reference to an attribute set and checks it.
fn set_ref(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    o: &mut Obj<'_, '_>,
    key: &str,
) -> Result<Option<String>, SpecError> {
    let Some(s) = o.string(cx, key)? else {
        return Ok(None);
    };
    if !ix.sets.contains_key(s.as_str()) {
        return Err(o.err_at(cx, key, format!("{key} \"{s}\" is not an attribute set")));
    }
    Ok(Some(s))
}

fn parse_definition(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    prev: &[Definition],
    n: Node<'_, '_>,
) -> Result<Definition, SpecError> {
    let mut o = n.obj(cx, "definition".to_string())?;
    let name = o.req_str(cx, "name")?.to_string();
    o.what = format!("definition \"{name}\"");
    let ty = o.req_str(cx, "type")?;
    let doc = o.string(cx, "doc")?;
    let header = o.string(cx, "header")?;
    for k in ["scope", "enum-name", "render-max", "enum-cnt-name"] {
        o.get(k);
    }
    let kind = match ty {
        "const" => match o.get("value") {
            Some(v) => match (v.as_int(), v.as_str()) {
                (Some(i), _) => DefKind::Const(ConstValue::Int(i)),
                (_, Some(s)) => DefKind::Const(ConstValue::Str(s.to_string())),
                _ => {
                    return Err(cx.err(
                        v.line(),
                        format!(
                            "{}: \"value\" must be a number or a string, not {}",
                            o.what,
                            v.kind()
                        ),
                    ))
                }
            },
            None => return Err(cx.err(o.line, format!("{}: \"value\" is missing", o.what))),
        },
        "enum" | "flags" => {
            let start = match limit(cx, ix, &mut o, "value-start")? {
                None => 0,
                Some(Limit::Int(i)) => i,
                Some(Limit::Name(c)) => match prev.iter().find(|d| d.name == c).map(|d| &d.kind) {
                    Some(DefKind::Const(ConstValue::Int(i))) => *i,
                    _ => {
                        return Err(o.err_at(
                            cx,
                            "value-start",
                            format!("value-start \"{c}\" is not a numeric constant defined before"),
                        ))
                    }
                },
            };
            let flags = ty == "flags";
            let mut entries: Vec<EnumEntry> = Vec::new();
            for e in o.seq(cx, "entries")? {
                let e = Node(e);
                let next = entries.last().map_or(start, |p| p.value.saturating_add(1));
                let entry = match e.as_str() {
                    Some(s) => EnumEntry {
                        name: s.to_string(),
                        value: next,
                        doc: None,
                    },
                    None => {
                        let mut eo = e.obj(cx, format!("{} entry", o.what))?;
                        let ename = eo.req_str(cx, "name")?.to_string();
                        eo.what = format!("{} entry \"{ename}\"", o.what);
                        let value = eo.int(cx, "value", i64::MIN, i64::MAX)?.unwrap_or(next);
                        let doc = eo.string(cx, "doc")?;
                        eo.finish(cx);
                        EnumEntry {
                            name: ename,
                            value,
                            doc,
                        }
                    }
                };
                if flags && !(0..64).contains(&entry.value) {
                    return Err(cx.err(
                        e.line(),
                        format!(
                            "{}: flag \"{}\" is bit {}, not 0 to 63",
                            o.what, entry.name, entry.value
                        ),
                    ));
                }
                if entries.iter().any(|x| x.name == entry.name) {
                    return Err(cx.err(
                        e.line(),
                        format!("{}: entry \"{}\" is listed twice", o.what, entry.name),
                    ));
                }
                entries.push(entry);
            }
            let def = EnumDef {
                entries,
                name_prefix: o.string(cx, "name-prefix")?,
            };
            if flags {
                DefKind::Flags(def)
            } else {
                DefKind::Enum(def)
            }
        }
        "struct" => {
            let mut members = Vec::new();
            for m in o.seq(cx, "members")? {
                members.push(parse_member(cx, ix, &o.what, Node(m))?);
            }
            DefKind::Struct(StructDef { members, size: 0 })
        }
        other => {
            return Err(o.err_at(
                cx,
                "type",
                format!("unknown definition type \"{other}\" (const, enum, flags, struct)"),
            ))
        }
    };
    let line = o.line;
    o.finish(cx);
    Ok(Definition {
        name,
        kind,
        doc,
        header,
        line,
    })
}

fn parse_member(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    what: &str,
    n: Node<'_, '_>,
) -> Result<Member, SpecError> {
    let mut o = n.obj(cx, format!("{what} member"))?;
    let name = o.req_str(cx, "name")?.to_string();
    o.what = format!("{what} member \"{name}\"");
    let ty = match keyword(cx, &mut o, "type", AttrType::parse, AttrType::list)? {
        Some(t) => t,
        None => return Err(cx.err(o.line, format!("{}: \"type\" is missing", o.what))),
    };
    if !(ty.scalar_size().is_some()
        || matches!(ty, AttrType::String | AttrType::Binary | AttrType::Pad))
    {
        return Err(o.err_at(
            cx,
            "type",
            format!("a struct member cannot be {ty} (integers, string, binary, pad, bitfield32)"),
        ));
    }
    let len = limit(cx, ix, &mut o, "len")?;
    let struct_def = def_ref(cx, ix, &mut o, "struct", Want::Struct)?;
    if len.is_none()
        && struct_def.is_none()
        && matches!(ty, AttrType::String | AttrType::Binary | AttrType::Pad)
    {
        return Err(cx.err(o.line, format!("{}: a {ty} member needs \"len\"", o.what)));
    }
    let m = Member {
        name,
        ty,
        len,
        byte_order: keyword(cx, &mut o, "byte-order", ByteOrder::parse, ByteOrder::list)?,
        enum_def: def_ref(cx, ix, &mut o, "enum", Want::Enum)?,
        enum_as_flags: o.bool(cx, "enum-as-flags")?,
        display_hint: keyword(
            cx,
            &mut o,
            "display-hint",
            DisplayHint::parse,
            DisplayHint::list,
        )?,
        struct_def,
        doc: o.string(cx, "doc")?,
    };
    o.finish(cx);
    Ok(m)
}

/// Computes every struct's size (nested structs included), rejecting cycles.
fn size_structs(cx: &Cx<'_>, defs: &mut [Definition]) -> Result<(), SpecError> {
    fn size_of(
        cx: &Cx<'_>,
        defs: &[Definition],
        i: usize,
        depth: usize,
    ) -> Result<usize, SpecError> {
        let d = &defs[i];
        let DefKind::Struct(s) = &d.kind else {
            return Ok(0);
        };
        if depth > defs.len() {
            return Err(cx.err(d.line, format!("struct \"{}\" contains itself", d.name)));
        }
        let mut total = 0usize;
        for m in &s.members {
            let sz = if let Some(l) = &m.len {
                let v =
                    match l {
                        Limit::Int(i) => Some(i128::from(*i)),
                        Limit::Name(n) => defs.iter().find(|x| &x.name == n).and_then(|x| match &x
                            .kind
                        {
                            DefKind::Const(ConstValue::Int(i)) => Some(i128::from(*i)),
                            _ => None,
                        }),
                    };
                match v
                    .and_then(|v| usize::try_from(v).ok())
                    .filter(|v| *v <= 65535)
                {
                    Some(v) => v,
                    None => {
                        return Err(cx.err(
                            d.line,
                            format!(
                                "struct \"{}\" member \"{}\": len {l} is not a length (0 to 65535)",
                                d.name, m.name
                            ),
                        ))
                    }
                }
            } else if let Some(sn) = &m.struct_def {
                let j = defs.iter().position(|x| &x.name == sn).unwrap_or(i);
                size_of(cx, defs, j, depth + 1)?
            } else {
                m.ty.scalar_size().unwrap_or(0)
            };
            total = total.saturating_add(sz);
        }
        Ok(total)
    }
    for i in 0..defs.len() {
        let sz = size_of(cx, defs, i, 0)?;
        if let DefKind::Struct(s) = &mut defs[i].kind {
            s.size = sz;
        }
    }
    Ok(())
}

/// An attribute as written: every field optional, so that a subset can
/// override only what it says.
struct RawAttr {
    name: String,
    value: Option<u16>,
    ty: Option<AttrType>,
    doc: Option<String>,
    byte_order: Option<ByteOrder>,
    multi_attr: Option<bool>,
    nested_attributes: Option<String>,
    enum_def: Option<String>,
    enum_as_flags: Option<bool>,
    checks: Option<Checks>,
    sub_type: Option<AttrType>,
    display_hint: Option<DisplayHint>,
    struct_def: Option<String>,
    sub_message: Option<String>,
    selector: Option<(String, usize)>,
    type_value: Option<Vec<String>>,
    line: usize,
    what: String,
}

struct RawSet {
    name: String,
    subset_of: Option<(String, usize)>,
    name_prefix: Option<String>,
    doc: Option<String>,
    attrs: Vec<RawAttr>,
    line: usize,
}

fn parse_set(cx: &Cx<'_>, ix: &Index<'_>, n: Node<'_, '_>) -> Result<RawSet, SpecError> {
    let mut o = n.obj(cx, "attribute-set".to_string())?;
    let name = o.req_str(cx, "name")?.to_string();
    o.what = format!("attribute-set \"{name}\"");
    let subset_of = match o.get("subset-of") {
        None => None,
        Some(v) => match v.as_str() {
            Some(s) if ix.sets.contains_key(s) => Some((s.to_string(), v.line())),
            Some(s) => {
                return Err(cx.err(
                    v.line(),
                    format!("{}: subset-of \"{s}\" is not an attribute set", o.what),
                ))
            }
            None => {
                return Err(cx.err(
                    v.line(),
                    format!(
                        "{}: \"subset-of\" must be a string, not {}",
                        o.what,
                        v.kind()
                    ),
                ))
            }
        },
    };
    let name_prefix = o.string(cx, "name-prefix")?;
    let doc = o.string(cx, "doc")?;
    for k in ["enum-name", "attr-cnt-name", "attr-max-name"] {
        o.get(k);
    }
    let mut attrs: Vec<RawAttr> = Vec::new();
    let Some(list) = o.get("attributes") else {
        return Err(cx.err(o.line, format!("{}: \"attributes\" is missing", o.what)));
    };
    for a in list.seq(cx, &format!("{}: \"attributes\"", o.what))? {
        let a = parse_attr(cx, ix, &o.what, Node(a))?;
        if attrs.iter().any(|x| x.name == a.name) {
            let msg = format!("{}: attribute \"{}\" is listed twice", o.what, a.name);
            if subset_of.is_none() {
                return Err(cx.err(a.line, msg));
            }
            // A subset naming an attribute twice names it once (devlink's specs do).
            cx.warn(a.line, format!("{msg}; the second is ignored"));
            continue;
        }
        attrs.push(a);
    }
    let line = o.line;
    o.finish(cx);
    Ok(RawSet {
        name,
        subset_of,
        name_prefix,
        doc,
        attrs,
        line,
    })
}

fn parse_checks(cx: &Cx<'_>, ix: &Index<'_>, mut o: Obj<'_, '_>) -> Result<Checks, SpecError> {
    let c = Checks {
        min: limit(cx, ix, &mut o, "min")?,
        max: limit(cx, ix, &mut o, "max")?,
        min_len: limit(cx, ix, &mut o, "min-len")?,
        max_len: limit(cx, ix, &mut o, "max-len")?,
        exact_len: limit(cx, ix, &mut o, "exact-len")?,
        flags_mask: def_ref(cx, ix, &mut o, "flags-mask", Want::Flags)?,
        unterminated_ok: o.bool(cx, "unterminated-ok")?,
    };
    o.finish(cx);
    Ok(c)
}

fn parse_attr(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    set: &str,
    n: Node<'_, '_>,
) -> Result<RawAttr, SpecError> {
    let mut o = n.obj(cx, format!("{set} attribute"))?;
    let name = o.req_str(cx, "name")?.to_string();
    o.what = format!("{set} attribute \"{name}\"");
    let ty = keyword(cx, &mut o, "type", AttrType::parse, AttrType::list)?;
    let sub_type = keyword(cx, &mut o, "sub-type", AttrType::parse, AttrType::list)?;
    let sub_message = match o.string(cx, "sub-message")? {
        Some(s) if !ix.subs.contains_key(s.as_str()) => {
            return Err(o.err_at(
                cx,
                "sub-message",
                format!("sub-message \"{s}\" is not a sub-message"),
            ))
        }
        s => s,
    };
    let selector = match o.get("selector") {
        None => None,
        Some(v) => match v.as_str() {
            Some(s) => Some((s.to_string(), v.line())),
            None => {
                return Err(cx.err(
                    v.line(),
                    format!(
                        "{}: \"selector\" must be a string, not {}",
                        o.what,
                        v.kind()
                    ),
                ))
            }
        },
    };
    let checks = match o.obj(cx, "checks")? {
        Some(c) => Some(parse_checks(cx, ix, c)?),
        None => None,
    };
    let multi_attr = match o.get("multi-attr") {
        Some(_) => Some(o.bool(cx, "multi-attr")?),
        None => None,
    };
    let enum_as_flags = match o.get("enum-as-flags") {
        Some(_) => Some(o.bool(cx, "enum-as-flags")?),
        None => None,
    };
    let type_value = match o.get("type-value") {
        Some(_) => Some(o.str_list(cx, "type-value")?),
        None => None,
    };
    o.get("name-prefix");
    let a = RawAttr {
        value: o
            .int(cx, "value", 0, i64::from(u16::MAX))?
            .map(|v| v as u16),
        doc: o.string(cx, "doc")?,
        byte_order: keyword(cx, &mut o, "byte-order", ByteOrder::parse, ByteOrder::list)?,
        nested_attributes: set_ref(cx, ix, &mut o, "nested-attributes")?,
        enum_def: def_ref(cx, ix, &mut o, "enum", Want::Enum)?,
        display_hint: keyword(
            cx,
            &mut o,
            "display-hint",
            DisplayHint::parse,
            DisplayHint::list,
        )?,
        struct_def: def_ref(cx, ix, &mut o, "struct", Want::Struct)?,
        name,
        ty,
        multi_attr,
        enum_as_flags,
        checks,
        sub_type,
        sub_message,
        selector,
        type_value,
        line: o.line,
        what: o.what.clone(),
    };
    o.finish(cx);
    Ok(a)
}

/// Checks what a complete attribute needs given its type.
fn check_attr(cx: &Cx<'_>, a: &Attribute, what: &str) -> Result<(), SpecError> {
    let need = |ok: bool, msg: &str| {
        if ok {
            Ok(())
        } else {
            Err(cx.err(a.line, format!("{what}: {msg}")))
        }
    };
    match a.ty {
        AttrType::Nest | AttrType::NestTypeValue => need(
            a.nested_attributes.is_some(),
            &format!("a {} needs \"nested-attributes\"", a.ty),
        ),
        AttrType::IndexedArray => {
            need(a.sub_type.is_some(), "an indexed-array needs \"sub-type\"")?;
            need(
                a.sub_type != Some(AttrType::Nest) || a.nested_attributes.is_some(),
                "an indexed-array of nests needs \"nested-attributes\"",
            )
        }
        AttrType::SubMessage => {
            need(
                a.sub_message.is_some(),
                "a sub-message needs \"sub-message\"",
            )?;
            need(a.selector.is_some(), "a sub-message needs \"selector\"")
        }
        _ => Ok(()),
    }
}

/// Builds the sets: main sets number their attributes, subsets take each
/// attribute from their main set (recursively) with their own overrides.
fn resolve_sets(cx: &Cx<'_>, raw: Vec<RawSet>) -> Result<Vec<AttributeSet>, SpecError> {
    let mut done: Vec<Option<AttributeSet>> = vec![None; raw.len()];
    fn build(
        cx: &Cx<'_>,
        raw: &[RawSet],
        done: &mut Vec<Option<AttributeSet>>,
        i: usize,
        depth: usize,
    ) -> Result<(), SpecError> {
        if done[i].is_some() {
            return Ok(());
        }
        let r = &raw[i];
        let what = format!("attribute-set \"{}\"", r.name);
        let main = match &r.subset_of {
            None => None,
            Some((m, line)) => {
                let j = raw.iter().position(|s| &s.name == m).unwrap_or(i);
                if j == i || depth > raw.len() {
                    return Err(cx.err(*line, format!("{what}: subset-of \"{m}\" is circular")));
                }
                build(cx, raw, done, j, depth + 1)?;
                done[j].clone()
            }
        };
        let mut attributes: Vec<Attribute> = Vec::with_capacity(r.attrs.len());
        let mut next: u32 = 1;
        for a in &r.attrs {
            let base = match &main {
                Some(m) => match m.attr(&a.name) {
                    Some(b) => {
                        if a.value.is_some_and(|v| v != b.value) {
                            return Err(cx.err(
                                a.line,
                                format!(
                                    "{}: value {} differs from {} in attribute-set \"{}\"",
                                    a.what,
                                    a.value.unwrap_or(0),
                                    b.value,
                                    m.name
                                ),
                            ));
                        }
                        b.clone()
                    }
                    None => {
                        return Err(cx.err(
                            a.line,
                            format!("{}: not in attribute-set \"{}\"", a.what, m.name),
                        ))
                    }
                },
                None => {
                    let value = u32::from(a.value.unwrap_or(0));
                    let value = if a.value.is_some() { value } else { next };
                    let Ok(value) = u16::try_from(value) else {
                        return Err(
                            cx.err(a.line, format!("{}: value {value} is out of range", a.what))
                        );
                    };
                    let Some(ty) = a.ty else {
                        return Err(cx.err(a.line, format!("{}: \"type\" is missing", a.what)));
                    };
                    next = u32::from(value) + 1;
                    Attribute {
                        name: a.name.clone(),
                        value,
                        ty,
                        doc: None,
                        byte_order: None,
                        multi_attr: false,
                        nested_attributes: None,
                        enum_def: None,
                        enum_as_flags: false,
                        checks: Checks::default(),
                        sub_type: None,
                        display_hint: None,
                        struct_def: None,
                        sub_message: None,
                        selector: None,
                        type_value: Vec::new(),
                        line: a.line,
                    }
                }
            };
            let mut b = base;
            b.line = a.line;
            macro_rules! over {
                ($($f:ident),*) => { $(if let Some(v) = &a.$f { b.$f = v.clone().into(); })* };
            }
            over!(
                ty,
                doc,
                byte_order,
                multi_attr,
                nested_attributes,
                enum_def,
                enum_as_flags
            );
            over!(
                checks,
                sub_type,
                display_hint,
                struct_def,
                sub_message,
                type_value
            );
            if let Some((s, _)) = &a.selector {
                b.selector = Some(s.clone());
            }
            check_attr(cx, &b, &a.what)?;
            attributes.push(b);
        }
        done[i] = Some(AttributeSet {
            name: r.name.clone(),
            subset_of: r.subset_of.as_ref().map(|(m, _)| m.clone()),
            name_prefix: r.name_prefix.clone(),
            doc: r.doc.clone(),
            attributes,
            line: r.line,
        });
        Ok(())
    }
    for i in 0..raw.len() {
        build(cx, &raw, &mut done, i, 0)?;
    }
    let sets: Vec<AttributeSet> = done.into_iter().flatten().collect();
    for r in &raw {
        for a in &r.attrs {
            if let Some((s, line)) = &a.selector {
                if !selector_visible(&sets, &r.name, s) {
                    return Err(cx.err(
                        *line,
                        format!(
                            "{}: selector \"{s}\" is not an attribute of the set nor of a set nesting it",
                            a.what
                        ),
                    ));
                }
            }
        }
    }
    Ok(sets)
}

/// Whether `selector` names an attribute of `set` or of a set that nests
/// it (directly or further up): the kernel's tc spec selects a nested
/// sub-message by the `kind` of the enclosing message.
fn selector_visible(sets: &[AttributeSet], set: &str, selector: &str) -> bool {
    let mut frontier = vec![set];
    let mut seen: Vec<&str> = Vec::new();
    while let Some(s) = frontier.pop() {
        if seen.contains(&s) {
            continue;
        }
        seen.push(s);
        if sets
            .iter()
            .any(|x| x.name == s && x.attr(selector).is_some())
        {
            return true;
        }
        for p in sets {
            if p.attributes
                .iter()
                .any(|a| a.nested_attributes.as_deref() == Some(s))
            {
                frontier.push(&p.name);
            }
        }
    }
    false
}

fn parse_sub_message(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    n: Node<'_, '_>,
) -> Result<SubMessage, SpecError> {
    let mut o = n.obj(cx, "sub-message".to_string())?;
    let name = o.req_str(cx, "name")?.to_string();
    o.what = format!("sub-message \"{name}\"");
    let mut formats: Vec<Format> = Vec::new();
    let Some(list) = o.get("formats") else {
        return Err(cx.err(o.line, format!("{}: \"formats\" is missing", o.what)));
    };
    for f in list.seq(cx, &format!("{}: \"formats\"", o.what))? {
        let mut fo = Node(f).obj(cx, format!("{} format", o.what))?;
        let Some(value) = fo.string_or_int(cx, "value")? else {
            return Err(cx.err(fo.line, format!("{} format: \"value\" is missing", o.what)));
        };
        fo.what = format!("{} format \"{value}\"", o.what);
        if formats.iter().any(|x| x.value == value) {
            return Err(cx.err(fo.line, format!("{}: listed twice", fo.what)));
        }
        let f = Format {
            fixed_header: def_ref(cx, ix, &mut fo, "fixed-header", Want::Struct)?,
            attribute_set: set_ref(cx, ix, &mut fo, "attribute-set")?,
            value,
        };
        fo.finish(cx);
        formats.push(f);
    }
    o.finish(cx);
    Ok(SubMessage { name, formats })
}

/// What an operation's attribute lists may name: attributes of its set, or
/// members of its fixed header (the rt-* specs list `ifi-index`...).
#[derive(Clone, Copy)]
struct Scope<'a> {
    set: Option<&'a AttributeSet>,
    header: Option<&'a StructDef>,
}

/// Reads a `request`/`reply`/`event` attribute list and checks each name.
fn parse_message(cx: &Cx<'_>, scope: Scope<'_>, mut o: Obj<'_, '_>) -> Result<Message, SpecError> {
    let attributes = o.str_list(cx, "attributes")?;
    let list = o.seq(cx, "attributes")?;
    for (name, n) in attributes.iter().zip(list) {
        let in_header = scope
            .header
            .is_some_and(|h| h.members.iter().any(|m| &m.name == name));
        match scope.set {
            _ if in_header => {}
            Some(s) if s.attr(name).is_some() => {}
            // The kernel's own specs have such slips (nftables "newrule"):
            // kept, and reported.
            Some(s) => cx.warn(
                Node(n).line(),
                format!(
                    "{}: attribute \"{name}\" is not in attribute-set \"{}\"",
                    o.what, s.name
                ),
            ),
            None => {
                return Err(cx.err(
                    Node(n).line(),
                    format!(
                        "{}: attribute \"{name}\" but the operation has no attribute-set",
                        o.what
                    ),
                ))
            }
        }
    }
    let value = o
        .int(cx, "value", 0, i64::from(u16::MAX))?
        .map(|v| v as u16);
    o.finish(cx);
    Ok(Message { attributes, value })
}

fn parse_subop(cx: &Cx<'_>, scope: Scope<'_>, mut o: Obj<'_, '_>) -> Result<SubOp, SpecError> {
    let request = match o.obj(cx, "request")? {
        Some(r) => Some(parse_message(cx, scope, r)?),
        None => None,
    };
    let reply = match o.obj(cx, "reply")? {
        Some(r) => Some(parse_message(cx, scope, r)?),
        None => None,
    };
    let s = SubOp {
        request,
        reply,
        pre: o.string(cx, "pre")?,
        post: o.string(cx, "post")?,
    };
    o.finish(cx);
    Ok(s)
}

fn parse_operations(
    cx: &Cx<'_>,
    ix: &Index<'_>,
    level: Level,
    sets: &[AttributeSet],
    defs: &[Definition],
    mut o: Obj<'_, '_>,
) -> Result<Operations, SpecError> {
    o.what = "operations".to_string();
    let enum_model = keyword(cx, &mut o, "enum-model", EnumModel::parse, EnumModel::list)?
        .unwrap_or(EnumModel::Unified);
    let name_prefix = o.string(cx, "name-prefix")?;
    let async_prefix = o.string(cx, "async-prefix")?;
    let fixed_header = def_ref(cx, ix, &mut o, "fixed-header", Want::Struct)?;
    for k in ["enum-name", "async-enum"] {
        o.get(k);
    }
    let max_value: u32 = if level.is_genetlink() { 255 } else { 65535 };
    let mut list: Vec<Operation> = Vec::new();
    let Some(items) = o.get("list") else {
        return Err(cx.err(o.line, "operations: \"list\" is missing"));
    };
    let (mut next_req, mut next_rsp) = (1u32, 1u32);
    let mut pending_notify: Vec<(usize, String, usize)> = Vec::new();
    for item in items.seq(cx, "operations: \"list\"")? {
        let mut op = Node(item).obj(cx, "operation".to_string())?;
        let name = op.req_str(cx, "name")?.to_string();
        op.what = format!("operation \"{name}\"");
        if list.iter().any(|x| x.name == name) {
            return Err(cx.err(op.line, format!("{} is listed twice", op.what)));
        }
        let attribute_set = set_ref(cx, ix, &mut op, "attribute-set")?;
        let set = attribute_set
            .as_deref()
            .and_then(|s| sets.iter().find(|x| x.name == s));
        let value = op.int(cx, "value", 0, max_value.into())?.map(|v| v as u32);
        let op_header = def_ref(cx, ix, &mut op, "fixed-header", Want::Struct)?
            .or_else(|| fixed_header.clone());
        let scope = Scope {
            set,
            header: op_header.as_deref().and_then(|h| {
                defs.iter()
                    .find(|d| d.name == h)
                    .and_then(|d| match &d.kind {
                        DefKind::Struct(s) => Some(s),
                        _ => None,
                    })
            }),
        };
        let what = op.what.clone();
        let sub = |op: &mut Obj<'_, '_>, key: &str| -> Result<Option<SubOp>, SpecError> {
            match op.obj(cx, key)? {
                Some(mut s) => {
                    s.what = format!("{what} {key}");
                    parse_subop(cx, scope, s).map(Some)
                }
                None => Ok(None),
            }
        };
        let do_ = sub(&mut op, "do")?;
        let dump = sub(&mut op, "dump")?;
        let event = match op.obj(cx, "event")? {
            Some(mut e) => {
                e.what = format!("{what} event");
                Some(parse_message(cx, scope, e)?)
            }
            None => None,
        };
        let notify = match op.get("notify") {
            Some(n) => match n.as_str() {
                Some(s) => {
                    pending_notify.push((list.len(), s.to_string(), n.line()));
                    Some(s.to_string())
                }
                None => {
                    return Err(cx.err(
                        n.line(),
                        format!("{what}: \"notify\" must be a string, not {}", n.kind()),
                    ))
                }
            },
            None => None,
        };
        let mcgrp = match op.string(cx, "mcgrp")? {
            Some(g) if !ix.groups.contains_key(g.as_str()) => {
                return Err(op.err_at(
                    cx,
                    "mcgrp",
                    format!("mcgrp \"{g}\" is not a multicast group"),
                ))
            }
            g => g,
        };
        let line = op.line;
        let too_big = |v: u32| {
            cx.err(
                line,
                format!("{what}: message id {v} is out of range (0 to {max_value})"),
            )
        };
        let is_notification = notify.is_some() || event.is_some();
        let (request_value, reply_value) = match enum_model {
            EnumModel::Unified => {
                let v = value.unwrap_or(next_req);
                next_req = v + 1;
                (Some(v), Some(v))
            }
            EnumModel::Directional if is_notification => {
                let v = value.unwrap_or(next_rsp);
                next_rsp = v + 1;
                (None, Some(v))
            }
            EnumModel::Directional => {
                if value.is_some() {
                    cx.warn(
                        line,
                        format!("{what}: \"value\" is ignored here: the directional model numbers do/dump by their request and reply values"),
                    );
                }
                let Some(m) = do_.as_ref().or(dump.as_ref()) else {
                    return Err(cx.err(
                        line,
                        format!("{what}: a directional operation needs do, dump, notify or event"),
                    ));
                };
                let req = m
                    .request
                    .as_ref()
                    .and_then(|r| r.value)
                    .map_or(next_req, u32::from);
                next_req = req + 1;
                let rsp = match &m.reply {
                    Some(r) => {
                        let v = r.value.map_or(next_rsp, u32::from);
                        next_rsp = v + 1;
                        Some(v)
                    }
                    None => None,
                };
                (Some(req), rsp)
            }
        };
        let fit = |v: Option<u32>| -> Result<Option<u16>, SpecError> {
            match v {
                Some(v) if v > max_value => Err(too_big(v)),
                Some(v) => Ok(Some(v as u16)),
                None => Ok(None),
            }
        };
        let o2 = Operation {
            request_value: fit(request_value)?,
            reply_value: fit(reply_value)?,
            fixed_header: op_header,
            doc: op.string(cx, "doc")?,
            flags: op.str_list(cx, "flags")?,
            dont_validate: op.str_list(cx, "dont-validate")?,
            config_cond: op.string(cx, "config-cond")?,
            name,
            attribute_set,
            do_,
            dump,
            notify,
            event,
            mcgrp,
            line,
        };
        op.finish(cx);
        list.push(o2);
    }
    for (i, target, line) in pending_notify {
        let Some(t) = list.iter().find(|x| x.name == target) else {
            return Err(cx.err(
                line,
                format!(
                    "operation \"{}\": notify \"{target}\" is not an operation",
                    list[i].name
                ),
            ));
        };
        if list[i].attribute_set.is_none() {
            list[i].attribute_set = t.attribute_set.clone();
        }
    }
    o.finish(cx);
    Ok(Operations {
        enum_model,
        name_prefix,
        async_prefix,
        fixed_header,
        list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_limits() {
        assert_eq!(type_limit("u8-max"), Some(255));
        assert_eq!(type_limit("u32-max"), Some(u32::MAX.into()));
        assert_eq!(type_limit("s16-min"), Some(i16::MIN.into()));
        assert_eq!(type_limit("s64-max"), Some(i64::MAX.into()));
        assert_eq!(type_limit("u64-min"), Some(0));
        for bad in ["u7-max", "x32-max", "u32-top", "-max", "u-max", "max", ""] {
            assert_eq!(type_limit(bad), None, "{bad}");
        }
    }

    #[test]
    fn keywords_round_trip() {
        for t in AttrType::ALL {
            assert_eq!(AttrType::parse(t.name()), Some(*t));
        }
        for l in Level::ALL {
            assert_eq!(Level::parse(l.name()), Some(*l));
        }
        assert_eq!(AttrType::parse("u65"), None);
        assert!(AttrType::list().starts_with("unused, pad, flag"));
        assert!(AttrType::U32.is_int() && AttrType::Sint.is_int());
        assert!(!AttrType::Bitfield32.is_int() && !AttrType::String.is_int());
        assert_eq!(AttrType::Bitfield32.scalar_size(), Some(8));
    }

    #[test]
    fn flags_past_bit_63_are_errors() {
        let e = Family::parse(
            "f.yaml",
            "name: f\ndefinitions:\n  - name: fl\n    type: flags\n    value-start: 63\n    entries: [ a, b ]\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.yaml:6: definition \"fl\": flag \"b\" is bit 64, not 0 to 63"
        );
    }
}
