//! [`Handle`]: rtnetlink operations over a [`Connection`].

use super::link::AltNameRequest;
use super::nexthop::NexthopRequest;
use super::*;
use crate::conn::ToMsg;
use crate::error::{Error, Result};
use crate::wire::{Msg, MsgIter};
use std::borrow::Borrow;
use std::net::IpAddr;

/// rtnetlink operations over a [`Connection`](crate::Connection): owned
/// (`Handle::new()`), borrowed (`Handle::with(&conn)`) or shared
/// (`Handle::with(Arc<Connection>)`).
///
/// Dumps stream: `links(|v| ...)` hands each [`LinkView`] to the callback
/// straight from the receive buffer; the `*_list` methods collect owned
/// forms when a `Vec` is what the caller wants. Every dump asks the kernel
/// to filter (strict checking is on for `NETLINK_ROUTE` connections).
#[derive(Debug)]
pub struct Handle<C: Borrow<Connection> = Connection> {
    conn: C,
}

impl Handle<Connection> {
    /// Opens a `NETLINK_ROUTE` connection in the caller's network namespace.
    pub fn new() -> Result<Handle<Connection>> {
        Ok(Handle {
            conn: Connection::new(crate::Protocol::ROUTE)?,
        })
    }
}

/// The error for a message that does not parse (dumps match on the view's
/// `Result` instead of mapping it: a view is large, and `map_err` moves it).
fn malformed(what: &str) -> impl Fn(crate::wire::Error) -> Error + '_ {
    move |e| Error::Malformed {
        what: what.to_string(),
        source: e,
    }
}

fn first_msg(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    let (_, m) = MsgIter::new(bytes)
        .next()
        .ok_or_else(|| Error::Invalid(format!("{what}: empty reply")))?
        .map_err(malformed(what))?;
    Ok(m.as_bytes().to_vec())
}

use crate::Connection;

impl<C: Borrow<Connection>> Handle<C> {
    /// Uses an existing connection (`&Connection`, `Arc<Connection>`, or owned).
    pub fn with(conn: C) -> Handle<C> {
        Handle { conn }
    }

    /// The connection.
    pub fn conn(&self) -> &Connection {
        self.conn.borrow()
    }

    /// Sends any request and waits for its ACK; returns the kernel's warning, if any.
    pub fn exec(&self, req: &dyn ToMsg) -> Result<Option<String>> {
        self.conn().request(req, |_| Ok(()))
    }

    /// Runs a dump, handing each data message to `each`.
    pub fn dump_msgs(
        &self,
        req: &dyn ToMsg,
        mut each: impl FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<()> {
        let mut d = self.conn().dump(req)?;
        while let Some(m) = d.next() {
            each(m?)?;
        }
        Ok(())
    }

    // --- links -------------------------------------------------------------

    /// Streams every link.
    pub fn links(&self, f: impl FnMut(LinkView<'_>) -> Result<()>) -> Result<()> {
        self.links_filtered(&LinkDump::default(), f)
    }

    /// Streams the links the kernel's filter (master, kind) lets through.
    pub fn links_filtered(
        &self,
        dump: &LinkDump,
        mut f: impl FnMut(LinkView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.dump_msgs(dump, |m| {
            if m.msg_type() != RTM_NEWLINK {
                return Ok(());
            }
            match LinkView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump links")(e)),
            }
        })
    }

    /// Every link, owned.
    pub fn link_list(&self) -> Result<Vec<Link>> {
        let mut v = Vec::new();
        self.links(|l| {
            v.push(l.to_owned().map_err(malformed("dump links"))?);
            Ok(())
        })?;
        Ok(v)
    }

    fn get_link(&self, req: &LinkRequest) -> Result<Link> {
        let what = req.to_string();
        let bytes = first_msg(&self.conn().get(req)?, &what)?;
        let (_, m) = MsgIter::new(&bytes)
            .next()
            .expect("checked by first_msg")
            .map_err(malformed(&what))?;
        LinkView::parse(&m)
            .and_then(|v| v.to_owned())
            .map_err(malformed(&what))
    }

    /// The link called `name` (or with that alternative name); `ENODEV` if none.
    pub fn link_by_name(&self, name: &str) -> Result<Link> {
        self.get_link(&LinkRequest::get_by_name(name))
    }

    /// Link `index`; `ENODEV` if none.
    pub fn link_by_index(&self, index: u32) -> Result<Link> {
        self.get_link(&LinkRequest::get(index))
    }

    /// The index of the link called `name`.
    pub fn index_of(&self, name: &str) -> Result<u32> {
        self.link_by_name(name).map(|l| l.index)
    }

    /// Creates a link (`LinkRequest::add("v0").veth("v1")`).
    pub fn add_link(&self, req: &LinkRequest) -> Result<()> {
        self.exec(req).map(drop)
    }

    /// Changes a link (`LinkRequest::set(index).up().mtu(1400)`).
    pub fn set_link(&self, req: &LinkRequest) -> Result<()> {
        self.exec(req).map(drop)
    }

    /// Deletes link `index`.
    pub fn del_link(&self, index: u32) -> Result<()> {
        self.exec(&LinkRequest::delete(index)).map(drop)
    }

    /// Deletes the link called `name`.
    pub fn del_link_by_name(&self, name: &str) -> Result<()> {
        self.exec(&LinkRequest::delete_by_name(name)).map(drop)
    }

    /// Adds an alternative name to link `index`.
    pub fn add_alt_name(&self, index: u32, name: &str) -> Result<()> {
        self.exec(&AltNameRequest {
            index,
            alt_name: name.to_string(),
            add: true,
        })
        .map(drop)
    }

    /// Removes an alternative name from link `index`.
    pub fn del_alt_name(&self, index: u32, name: &str) -> Result<()> {
        self.exec(&AltNameRequest {
            index,
            alt_name: name.to_string(),
            add: false,
        })
        .map(drop)
    }

    // --- addresses ---------------------------------------------------------

    /// Streams addresses (filter by family and link).
    pub fn addrs(
        &self,
        filter: AddrDump,
        mut f: impl FnMut(AddrView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.dump_msgs(&filter, |m| {
            if m.msg_type() != RTM_NEWADDR {
                return Ok(());
            }
            match AddrView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump addresses")(e)),
            }
        })
    }

    /// Addresses, owned.
    pub fn addr_list(&self, filter: AddrDump) -> Result<Vec<Addr>> {
        let mut v = Vec::new();
        self.addrs(filter, |a| {
            v.push(a.to_owned());
            Ok(())
        })?;
        Ok(v)
    }

    /// `ip addr add PREFIX dev INDEX`.
    pub fn add_addr(&self, index: u32, p: Prefix) -> Result<()> {
        self.exec(&AddrRequest::add(index, p)).map(drop)
    }

    /// `ip addr replace PREFIX dev INDEX`.
    pub fn replace_addr(&self, index: u32, p: Prefix) -> Result<()> {
        self.exec(&AddrRequest::replace(index, p)).map(drop)
    }

    /// `ip addr del PREFIX dev INDEX`.
    pub fn del_addr(&self, index: u32, p: Prefix) -> Result<()> {
        self.exec(&AddrRequest::delete(index, p)).map(drop)
    }

    // --- routes ------------------------------------------------------------

    /// Streams routes (filter by family, table, protocol, type, device).
    /// Cloned/cached entries are not part of a route dump: see
    /// [`route_cache`](Self::route_cache).
    pub fn routes(
        &self,
        filter: RouteDump,
        mut f: impl FnMut(RouteView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.route_msgs(&filter, |v| f(*v))
    }

    /// [`routes`](Self::routes) or, with `cached`,
    /// [`route_cache`](Self::route_cache), each view lent where it was
    /// decoded (a view is a few hundred bytes: a long dump's printer takes
    /// this form, which copies none).
    pub fn route_views(
        &self,
        filter: RouteDump,
        cached: bool,
        f: impl FnMut(&RouteView<'_>) -> Result<()>,
    ) -> Result<()> {
        if cached {
            self.route_msgs(&RouteCacheDump(filter), f)
        } else {
            self.route_msgs(&filter, f)
        }
    }

    /// Streams the route cache (`ip route show cached`): the exceptions
    /// (learnt path MTUs, redirects; `RTM_F_CLONED`) of the routes `filter`
    /// selects, IPv4 and IPv6.
    pub fn route_cache(
        &self,
        filter: RouteDump,
        mut f: impl FnMut(RouteView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.route_msgs(&RouteCacheDump(filter), |v| f(*v))
    }

    fn route_msgs(
        &self,
        req: &dyn ToMsg,
        mut f: impl FnMut(&RouteView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.dump_msgs(req, |m| {
            if m.msg_type() != RTM_NEWROUTE {
                return Ok(());
            }
            // Lent from where it was decoded: a view is not moved.
            match &RouteView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump routes")(*e)),
            }
        })
    }

    /// Routes, owned.
    pub fn route_list(&self, filter: RouteDump) -> Result<Vec<Route>> {
        let mut v = Vec::new();
        self.routes(filter, |r| {
            v.push(r.to_owned().map_err(malformed("dump routes"))?);
            Ok(())
        })?;
        Ok(v)
    }

    fn check_route(req: &RouteRequest) -> Result<()> {
        let p = req.route.dst_prefix();
        if !p.is_network() {
            return Err(Error::Invalid(format!(
                "{req}: invalid prefix for its length: {}/{} has host bits set",
                p.addr(),
                p.len()
            )));
        }
        if let Some(g) = req.route.gateway {
            if family_of(&g) != req.route.family {
                return Err(Error::Invalid(format!(
                    "{req}: gateway {g} is not of the route's family"
                )));
            }
        }
        Ok(())
    }

    /// Sends a route request (add, replace, append, delete), after checking
    /// that the destination has no host bits set.
    pub fn route(&self, req: &RouteRequest) -> Result<()> {
        Self::check_route(req)?;
        self.exec(req).map(drop)
    }

    /// `ip route add` (see [`RouteRequest::add`]).
    pub fn add_route(&self, req: &RouteRequest) -> Result<()> {
        self.route(req)
    }

    /// `ip route get ADDR`: the route the kernel would use.
    pub fn route_get(&self, dst: IpAddr) -> Result<Route> {
        self.route_get_with(&RouteGet::new(dst))
    }

    /// `ip route get` with a source, input/output interface or mark.
    pub fn route_get_with(&self, req: &RouteGet) -> Result<Route> {
        let what = crate::conn::describe(req);
        let bytes = first_msg(&self.conn().get(req)?, &what)?;
        let (_, m) = MsgIter::new(&bytes)
            .next()
            .expect("checked by first_msg")
            .map_err(malformed(&what))?;
        RouteView::parse(&m)
            .and_then(|v| v.to_owned())
            .map_err(malformed(&what))
    }

    // --- neighbours --------------------------------------------------------

    /// Streams neighbours (filter by family, link, master).
    pub fn neighs(
        &self,
        filter: NeighDump,
        mut f: impl FnMut(NeighView<'_>) -> Result<()>,
    ) -> Result<()> {
        self.dump_msgs(&filter, |m| {
            if m.msg_type() != RTM_NEWNEIGH {
                return Ok(());
            }
            match NeighView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump neighbours")(e)),
            }
        })
    }

    /// Neighbours, owned.
    pub fn neigh_list(&self, filter: NeighDump) -> Result<Vec<Neigh>> {
        let mut v = Vec::new();
        self.neighs(filter, |n| {
            v.push(n.to_owned());
            Ok(())
        })?;
        Ok(v)
    }

    /// `ip neigh add ADDR lladdr MAC dev INDEX nud permanent`.
    pub fn add_neigh(&self, index: u32, dst: IpAddr, lladdr: &[u8]) -> Result<()> {
        self.exec(&NeighRequest::add(index, dst, lladdr)).map(drop)
    }

    /// `ip neigh replace ADDR lladdr MAC dev INDEX nud permanent`.
    pub fn replace_neigh(&self, index: u32, dst: IpAddr, lladdr: &[u8]) -> Result<()> {
        self.exec(&NeighRequest::replace(index, dst, lladdr))
            .map(drop)
    }

    /// `ip neigh del ADDR dev INDEX`.
    pub fn del_neigh(&self, index: u32, dst: IpAddr) -> Result<()> {
        self.exec(&NeighRequest::delete(index, dst)).map(drop)
    }

    // --- rules -------------------------------------------------------------

    /// Streams the rules of a family (0: all).
    pub fn rules(&self, family: u8, mut f: impl FnMut(RuleView<'_>) -> Result<()>) -> Result<()> {
        self.dump_msgs(&RuleDump { family }, |m| {
            if m.msg_type() != RTM_NEWRULE {
                return Ok(());
            }
            match RuleView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump rules")(e)),
            }
        })
    }

    /// Rules, owned.
    pub fn rule_list(&self, family: u8) -> Result<Vec<Rule>> {
        let mut v = Vec::new();
        self.rules(family, |r| {
            v.push(r.to_owned());
            Ok(())
        })?;
        Ok(v)
    }

    /// `ip rule add ...` (see [`RuleRequest`]).
    pub fn add_rule(&self, req: &RuleRequest) -> Result<()> {
        self.exec(req).map(drop)
    }

    /// `ip rule del ...`.
    pub fn del_rule(&self, req: &RuleRequest) -> Result<()> {
        self.exec(req).map(drop)
    }

    // --- nexthops ----------------------------------------------------------

    /// Streams nexthop objects.
    pub fn nexthops(&self, mut f: impl FnMut(NexthopView<'_>) -> Result<()>) -> Result<()> {
        self.dump_msgs(&NexthopDump::default(), |m| {
            if m.msg_type() != RTM_NEWNEXTHOP {
                return Ok(());
            }
            match NexthopView::parse(&m) {
                Ok(v) => f(v),
                Err(e) => Err(malformed("dump nexthops")(e)),
            }
        })
    }

    /// Nexthop objects, owned.
    pub fn nexthop_list(&self) -> Result<Vec<Nexthop>> {
        let mut v = Vec::new();
        self.nexthops(|n| {
            v.push(n.to_owned());
            Ok(())
        })?;
        Ok(v)
    }

    /// Creates or deletes a nexthop object.
    pub fn nexthop(&self, req: &NexthopRequest) -> Result<()> {
        self.exec(req).map(drop)
    }
}
