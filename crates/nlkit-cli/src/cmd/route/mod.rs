//! rtnetlink objects on the command line: `link`, `addr`, `route`, `neigh`,
//! `rule`, `nexthop`, with iproute2's keyword grammar (and `tuntap`, whose
//! changes are ioctls, run in order like a query).
//!
//! Each object's words are parsed into a [`Parsed`]: a request to send
//! ([`Req`], a [`ToMsg`]) or a query to run and print ([`Show`]). The same
//! parsers serve the command line and `nlkit -batch`. Device names are
//! resolved (through a [`Resolve`]) while parsing, so that a bad name is
//! reported before anything is sent.
//!
//! Printing lives beside each object: one writer per kind (`write_link`,
//! `write_addr_event`, `write_route`, `write_neigh`, `write_rule`,
//! `write_nexthop`, `write_netconf`) states each field once for text and
//! for JSON with iproute2's key names (see `crates/nlkit-cli/docs/json.md`),
//! through [`emit::Emit`], so that listings and the monitor share them.
//! `-j -p` needs nothing of a writer: [`Out`] lays compact JSON out as ip
//! does. They need a [`Names`] for index → name.
//! Dumps are printed as they arrive; JSON arrays are written element by
//! element.
//!
//! Exit codes: 2 for a grammar error (unknown keyword, missing value, bad
//! prefix), 1 for a device that does not exist or a kernel error.

pub mod addr;
pub mod emit;
pub mod hosts;
pub mod link;
pub mod names;
pub mod neigh;
pub mod netconf;
pub mod nexthop;
pub mod routes;
pub mod rule;
pub mod tuntap;
pub mod words;

// The one-object printers, for the monitor and other callers.
#[allow(unused_imports)]
pub use addr::write_addr_event;
#[allow(unused_imports)]
pub use link::write_link;
#[allow(unused_imports)]
pub use names::{LinkBrief, Names};
#[allow(unused_imports)]
pub use neigh::write_neigh;
#[allow(unused_imports)]
pub use netconf::write_netconf;
#[allow(unused_imports)]
pub use nexthop::write_nexthop;
#[allow(unused_imports)]
pub use routes::{write_route, DevNames, RouteFmt};
#[allow(unused_imports)]
pub use rule::{print_rule, write_rule};

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::route::{
    AddrRequest, Handle, LinkRequest, NeighRequest, RouteRequest, RuleRequest, AF_INET, AF_INET6,
};
use nlkit::socket::netns::Netns;
use nlkit::{Connection, Protocol, ToMsg};
use std::collections::HashMap;
use std::fmt;

/// A request that changes something, ready to send (alone or in a batch).
#[derive(Debug)]
pub enum Req {
    /// `link add|set|del`; the file keeps a `netns NAME` open until sent.
    Link(Box<LinkRequest>, #[allow(dead_code)] Option<std::fs::File>),
    /// `addr add|replace|del`.
    Addr(AddrRequest),
    /// `route add|replace|append|del`.
    Route(RouteRequest),
    /// `neigh add|replace|del`.
    Neigh(NeighRequest),
    /// `rule add|del`.
    Rule(RuleRequest),
    /// `nexthop add|replace|del`.
    Nexthop(nexthop::NhReq),
}

impl Req {
    fn inner(&self) -> &dyn ToMsg {
        match self {
            Req::Link(r, _) => &**r,
            Req::Addr(r) => r,
            Req::Route(r) => r,
            Req::Neigh(r) => r,
            Req::Rule(r) => r,
            Req::Nexthop(r) => r,
        }
    }
}

impl ToMsg for Req {
    fn write(&self, buf: &mut Vec<u8>) -> nlkit::wire::Result<usize> {
        self.inner().write(buf)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner().describe(f)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        self.inner().attr_name(path)
    }
}

/// A query: dump or get, then print; or a flush: dump, then delete what
/// was found.
#[derive(Debug)]
pub enum Show {
    /// `link show`.
    Link(link::LinkShow),
    /// `addr show`.
    Addr(addr::AddrShow),
    /// `route show`.
    Route(routes::RouteShow),
    /// `route get`.
    RouteGet(routes::RouteGetCmd),
    /// `neigh show`.
    Neigh(neigh::NeighShow),
    /// `neigh get ADDR dev D`.
    NeighGet(nlkit::route::NeighGet),
    /// `neigh flush`: the entries `neigh show` would list are deleted.
    NeighFlush(neigh::NeighShow),
    /// `rule show`.
    Rule(rule::RuleShow),
    /// `nexthop show`.
    Nexthop(nexthop::NexthopShow),
    /// `nexthop get id N`, `nexthop show id N`.
    NexthopGet(nlkit::route::NexthopGet),
    /// `nexthop flush`: the nexthops `nexthop show` would list are deleted.
    NexthopFlush(nexthop::NexthopShow),
    /// `nexthop bucket show|get`.
    NexthopBuckets(nexthop::BucketShow),
    /// `route flush`: the routes `route show` would list are deleted.
    RouteFlush(routes::RouteShow),
    /// `addr flush`: the addresses `addr show` would list are deleted.
    AddrFlush(addr::AddrShow),
    /// `rule flush`: the rules `rule show` would list are deleted.
    RuleFlush(rule::RuleShow),
    /// `tuntap add|del|show`: ioctls on `/dev/net/tun`, or a listing.
    Tuntap(tuntap::TuntapCmd),
    /// `netconf show`.
    Netconf(netconf::NetconfShow),
}

/// One parsed command.
// Transient (one at a time), and requests are the common case: not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Parsed {
    /// Send this.
    Req(Req),
    /// Run this and print.
    Show(Show),
}

/// Device name → index, for the parsers.
pub trait Resolve {
    /// The index of device `name`; `device "NAME" does not exist` if none.
    fn index(&mut self, name: &str) -> Result<u32, CliError>;
    /// Forgets a cached name (the command deletes, renames or moves it).
    fn forget(&mut self, name: &str);
    /// The length of device `name`'s link-layer address, if known (a
    /// neighbour's `lladdr` or a link's `address` must have it); `None`: not
    /// checked here.
    fn lladdr_len(&mut self, name: &str) -> Result<Option<usize>, CliError> {
        let _ = name;
        Ok(None)
    }
    /// The routing table of VRF device `name` (`vrf NAME`); ip's `Invalid
    /// VRF` if it is not one.
    fn vrf_table(&mut self, name: &str) -> Result<u32, CliError> {
        Err(invalid_vrf(name))
    }
}

/// ip's error for a `vrf NAME` that names no VRF device.
fn invalid_vrf(name: &str) -> CliError {
    CliError::usage(format!(
        "argument \"{}\" is wrong: Invalid VRF",
        crate::error::clip(name)
    ))
}

/// The routing table of VRF device `name`, as ip's `ipvrf_get_table`
/// finds it (`IFLA_VRF_TABLE` of the link's `vrf` data): `default`, when
/// no device has that name, is the main table; anything else that is not a
/// VRF device is `Invalid VRF`.
pub fn vrf_table_of(conn: &Connection, name: &str) -> Result<u32, CliError> {
    use nlkit::route::{InfoData, LinkInfo};
    let l = match Handle::with(conn).link_by_name(name) {
        Ok(l) => l,
        Err(e) if e.errno() == Some(ENODEV) && name == "default" => {
            return Ok(nlkit::route::RT_TABLE_MAIN)
        }
        Err(e) if e.errno() == Some(ENODEV) => return Err(invalid_vrf(name)),
        Err(e) => return Err(e.into()),
    };
    use link::IFLA_VRF_TABLE;
    match &l.info {
        Some(LinkInfo {
            kind,
            data: InfoData::Raw(b),
            ..
        }) if kind == "vrf" => nlkit::wire::AttrIter::new(b)
            .find(IFLA_VRF_TABLE)
            .ok()
            .flatten()
            .and_then(|a| a.u32().ok())
            .ok_or_else(|| invalid_vrf(name)),
        _ => Err(invalid_vrf(name)),
    }
}

/// The length of device `name`'s link-layer address (`RTM_GETLINK`);
/// `device "NAME" does not exist` if there is none.
pub fn lladdr_len_of(conn: &Connection, name: &str) -> Result<Option<usize>, CliError> {
    match Handle::with(conn).link_by_name(name) {
        Ok(l) => Ok(l.address.map(|a| a.len())),
        Err(e) if e.errno() == Some(ENODEV) => Err(no_device(name)),
        Err(e) => Err(e.into()),
    }
}

/// The error for a device that does not exist.
pub fn no_device(name: &str) -> CliError {
    CliError::Other(format!("device \"{name}\" does not exist"))
}

/// Cached name lookups over a connection.
pub struct Resolver {
    cache: HashMap<String, u32>,
}

/// More names than this and the cache starts over.
const MAX_NAMES: usize = 65_536;

impl Resolver {
    /// An empty cache.
    pub fn new() -> Resolver {
        Resolver {
            cache: HashMap::new(),
        }
    }
    /// The cached index of `name`, if known.
    pub fn cached(&self, name: &str) -> Option<u32> {
        self.cache.get(name).copied()
    }
    /// Looks `name` up (cache first, then `RTM_GETLINK`).
    pub fn lookup(&mut self, conn: &Connection, name: &str) -> Result<u32, CliError> {
        if let Some(i) = self.cached(name) {
            return Ok(i);
        }
        if name.is_empty() {
            return Err(CliError::usage("an empty device name"));
        }
        match Handle::with(conn).index_of(name) {
            Ok(i) => {
                if self.cache.len() >= MAX_NAMES {
                    self.cache.clear();
                }
                self.cache.insert(name.to_string(), i);
                Ok(i)
            }
            Err(e) if e.errno() == Some(ENODEV) => Err(no_device(name)),
            Err(e) => Err(e.into()),
        }
    }
    /// Forgets `name`.
    pub fn forget(&mut self, name: &str) {
        self.cache.remove(name);
    }
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver::new()
    }
}

const ENODEV: i32 = 19;

/// A [`Resolver`] bound to a connection.
pub struct ConnResolver<'c> {
    /// The connection lookups go through.
    pub conn: &'c Connection,
    /// The cache.
    pub names: Resolver,
}

impl Resolve for ConnResolver<'_> {
    fn index(&mut self, name: &str) -> Result<u32, CliError> {
        self.names.lookup(self.conn, name)
    }
    fn forget(&mut self, name: &str) {
        self.names.forget(name);
    }
    fn lladdr_len(&mut self, name: &str) -> Result<Option<usize>, CliError> {
        lladdr_len_of(self.conn, name)
    }
    fn vrf_table(&mut self, name: &str) -> Result<u32, CliError> {
        vrf_table_of(self.conn, name)
    }
}

/// Opens a `NETLINK_ROUTE` connection in `netns` (a name from `ip netns`), or here.
pub fn connect_in(netns: Option<&str>) -> Result<Connection, CliError> {
    let sock = match netns {
        Some(n) => Netns::Named(n).open(Protocol::ROUTE),
        None => nlkit::socket::Socket::open(Protocol::ROUTE),
    }
    .map_err(|e| match netns {
        Some(n) => nlkit::Error::io(format!("open route netlink socket in netns {n:?}"), e),
        None => nlkit::Error::io("open route netlink socket", e),
    })?;
    Ok(Connection::with_socket(sock)?)
}

/// Opens the connection for the global options (`-n NETNS`).
pub fn connect(g: &Global) -> Result<Connection, CliError> {
    connect_in(g.netns.as_deref())
}

/// The family the global options ask for (`-4`, `-6`, `-0` as `AF_PACKET`,
/// which dumps as ip's do: no addresses, routes or neighbours), or 0.
pub fn family(g: &Global) -> u8 {
    if g.ipv4 {
        AF_INET
    } else if g.ipv6 {
        AF_INET6
    } else if g.link_family {
        AF_PACKET
    } else {
        0
    }
}

/// `AF_PACKET`, ip's `-0` / `-f link`.
const AF_PACKET: u8 = 17;

/// The objects this module handles, matched as ip matches them (one table,
/// [`crate::cmd::ip_object`], for the command line and `-batch`), by canonical name.
pub fn object_name(w: &str) -> Option<&'static str> {
    match crate::cmd::ip_object(w)? {
        crate::cmd::IpObject::Nlkit(
            o @ ("link" | "addr" | "route" | "neigh" | "rule" | "nexthop" | "tuntap" | "netconf"),
        ) => Some(o),
        _ => None,
    }
}

/// `words` with its verb as ip would read it ([`crate::cmd::ip_verb`]:
/// `s` is `show`, `app` `append`...), copied only if that changes it.
fn with_verb<'w>(object: &str, words: &'w [String]) -> std::borrow::Cow<'w, [String]> {
    match words.split_first() {
        Some((v, rest)) if crate::cmd::ip_verb(object, v) != v => {
            let mut w = Vec::with_capacity(words.len());
            w.push(crate::cmd::ip_verb(object, v).to_string());
            w.extend_from_slice(rest);
            w.into()
        }
        _ => words.into(),
    }
}

/// Parses the words of `object` into a request or a query.
pub fn parse(
    g: &Global,
    object: &str,
    words: &[String],
    r: &mut dyn Resolve,
) -> Result<Parsed, CliError> {
    let words = &*with_verb(object_name(object).unwrap_or(object), words);
    match object_name(object) {
        Some("link") => link::parse(g, words, r),
        Some("addr") => addr::parse(g, words, r),
        Some("route") => routes::parse(g, words, r),
        Some("neigh") => neigh::parse(g, words, r),
        Some("rule") => rule::parse(g, words, r),
        Some("nexthop") => nexthop::parse(g, words, r),
        Some("tuntap") => tuntap::parse(words),
        Some("netconf") => netconf::parse(g, words, r),
        _ => Err(CliError::usage(match crate::cmd::ip_object(object) {
            Some(crate::cmd::IpObject::Unsupported(o)) => {
                format!("Object \"{o}\" is not supported by nlkit")
            }
            Some(_) => format!(
                "Object \"{}\" cannot be used here; try link, addr, route, neigh, rule, nexthop",
                crate::error::clip(object)
            ),
            None => format!(
                "Object \"{}\" is unknown, try \"ip help\".",
                crate::error::clip(object)
            ),
        })),
    }
}

/// Runs a query and prints what it finds.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &Show,
) -> Result<(), CliError> {
    match s {
        Show::Link(s) => link::show(g, conn, out, names, s),
        Show::Addr(s) => addr::show(g, conn, out, names, s),
        Show::Route(s) => routes::show(g, conn, out, names, s),
        Show::RouteGet(s) => routes::get(g, conn, out, names, s),
        Show::Neigh(s) => neigh::show(g, conn, out, names, s),
        Show::NeighGet(s) => neigh::get(g, conn, out, names, s),
        Show::NeighFlush(s) => neigh::flush(conn, out, s),
        Show::Rule(s) => rule::show(g, conn, out, s),
        Show::Nexthop(s) => nexthop::show(conn, out, names, s),
        Show::NexthopGet(s) => nexthop::get(g, conn, out, names, s),
        Show::NexthopFlush(s) => nexthop::flush(conn, out, s),
        Show::NexthopBuckets(s) => nexthop::buckets(conn, out, s),
        Show::RouteFlush(s) => routes::flush(conn, s),
        Show::AddrFlush(s) => addr::flush(conn, s),
        Show::RuleFlush(s) => rule::flush(conn, s),
        Show::Tuntap(c) => tuntap::run(g, conn, out, c),
        Show::Netconf(s) => netconf::show(conn, out, names, s),
    }
}

/// Sends one request and waits for its answer; a kernel warning goes to stderr.
pub fn exec(conn: &Connection, req: &Req) -> Result<(), CliError> {
    if let Some(w) = Handle::with(conn).exec(req)? {
        eprintln!("nlkit: warning: {w}");
    }
    Ok(())
}

/// Runs `nlkit OBJECT WORDS...` for an rtnetlink object.
pub fn run(g: &Global, object: &str, words: &[String]) -> Result<(), CliError> {
    if let Some(help) = help(object, words) {
        let mut out = Out::new(&Global::default());
        return out.line(help);
    }
    let conn = connect(g)?;
    let mut r = ConnResolver {
        conn: &conn,
        names: Resolver::new(),
    };
    match parse(g, object, words, &mut r)? {
        Parsed::Req(req) => exec(&conn, &req),
        Parsed::Show(s) => {
            let mut out = Out::new(g);
            let mut names = Names::new(g.netns.as_deref());
            show(g, &conn, &mut out, &mut names, &s)?;
            out.flush()
        }
    }
}

/// Helps with `nlkit OBJECT help`.
fn help(object: &str, words: &[String]) -> Option<&'static str> {
    let object = object_name(object)?;
    if object == "tuntap" {
        return tuntap::wants_help(words).then_some(tuntap::USAGE);
    }
    if words.first().map(|w| crate::cmd::ip_verb(object, w)) != Some("help") {
        return None;
    }
    Some(match object {
        "link" => link::USAGE,
        "addr" => addr::USAGE,
        "route" => routes::USAGE,
        "neigh" => neigh::USAGE,
        "nexthop" => nexthop::USAGE,
        "netconf" => netconf::USAGE,
        _ => rule::USAGE,
    })
}

/// What a request does, in words (`add route 10.0.0.0/8`).
pub fn describe(req: &dyn ToMsg) -> String {
    struct D<'a>(&'a dyn ToMsg);
    impl fmt::Display for D<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.describe(f)
        }
    }
    D(req).to_string()
}

impl fmt::Display for Req {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f)
    }
}

/// Turns the result of printing into what a dump callback returns: a
/// printing error (a closed pipe) rides through the library unchanged.
pub(crate) fn keep(r: Result<(), CliError>) -> nlkit::Result<()> {
    r.map_err(nlkit::Error::callback)
}

/// What a dump returned, with a printing error taken back out.
pub(crate) fn finish(r: nlkit::Result<()>) -> Result<(), CliError> {
    r.map_err(|e| e.into_callback::<CliError>().unwrap_or_else(CliError::from))
}

/// Starts output for a list: `[` in JSON.
pub(crate) fn list_begin(out: &mut Out) -> Result<(), CliError> {
    if out.json {
        out.array_begin()?;
    }
    Ok(())
}

/// Ends output for a list: `]` in JSON.
pub(crate) fn list_end(out: &mut Out) -> Result<(), CliError> {
    if out.json {
        out.array_end()?;
    }
    Ok(())
}
