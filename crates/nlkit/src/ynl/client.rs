//! Talking to a spec'd family: a generic netlink family resolved through
//! nlctrl (its id, its multicast groups), a netlink-raw one opened by its
//! protocol number; requests from [`Schema::request`] sent through the one
//! engine ([`Connection`]), so errors carry the kernel's ext-ack message and
//! the attribute it points at, named with the spec's names.

use super::request::{Mode, Request};
use super::schema::Schema;
use crate::conn::{Connection, ToMsg};
use crate::error::{Error, Result};
use crate::genl;
use crate::socket::{is_overrun, Socket};
use crate::wire::{Msg, MsgIter, Protocol};
use std::fmt;

/// A connection to one spec'd family.
#[derive(Debug)]
pub struct Client {
    conn: Connection,
    proto: Protocol,
    /// The family as nlctrl describes it (generic netlink only).
    genl: Option<genl::Family>,
    name: String,
    groups: Vec<(String, u32)>,
}

/// A request with the message type the client resolved.
struct Typed<'a> {
    req: &'a Request,
    msg_type: u16,
}

impl ToMsg for Typed<'_> {
    fn write(&self, buf: &mut Vec<u8>) -> crate::wire::Result<usize> {
        let start = buf.len();
        let at = self.req.write(buf)?;
        buf[start + 4..start + 6].copy_from_slice(&self.msg_type.to_ne_bytes());
        Ok(at)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.req.describe(f)
    }
    fn attr_name(&self, path: &[u16]) -> Option<String> {
        self.req.attr_name(path)
    }
}

impl Client {
    /// Opens a connection for `schema`'s family: `NETLINK_GENERIC` and the
    /// family resolved by name through nlctrl, or the spec's `protonum`.
    pub fn open(schema: &Schema) -> Result<Client> {
        let proto = if schema.is_genetlink() {
            Protocol::GENERIC
        } else {
            Protocol(schema.spec.protonum as i32)
        };
        Client::with_connection(schema, Connection::new(proto)?)
    }

    /// [`Client::open`] over a connection of one's own (opened in a netns).
    pub fn with_connection(schema: &Schema, conn: Connection) -> Result<Client> {
        let proto = conn.socket().protocol();
        let (genl, groups) = if schema.is_genetlink() {
            let f = genl::resolve(&conn, schema.name())?;
            let groups = f.groups.iter().map(|g| (g.name.clone(), g.id)).collect();
            (Some(f), groups)
        } else {
            let groups = schema
                .spec
                .mcast_groups
                .iter()
                .filter_map(|g| Some((g.name.clone(), g.value?)))
                .collect();
            (None, groups)
        };
        Ok(Client {
            conn,
            proto,
            genl,
            name: schema.name().to_string(),
            groups,
        })
    }

    /// The connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The family as nlctrl describes it (generic netlink only).
    pub fn genl_family(&self) -> Option<&genl::Family> {
        self.genl.as_ref()
    }

    fn typed<'a>(&self, req: &'a Request) -> Typed<'a> {
        Typed {
            req,
            msg_type: self.genl.as_ref().map_or(req.msg_type, |f| f.id),
        }
    }

    /// Sends a `do` request and hands each data reply to `on_reply` (none
    /// for a bare ACK). Returns the warning the kernel put on its ACK.
    pub fn request(
        &self,
        req: &Request,
        on_reply: &mut dyn FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<Option<String>> {
        self.conn.request(&self.typed(req), on_reply)
    }

    /// Sends a dump request and hands each message to `each` as it arrives
    /// (straight out of the receive buffer: memory stays flat). Returns
    /// true if the kernel marked the dump interrupted (`NLM_F_DUMP_INTR`).
    pub fn dump_request(
        &self,
        req: &Request,
        each: &mut dyn FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<bool> {
        let t = self.typed(req);
        let mut d = self.conn.dump(&t)?;
        while let Some(m) = d.next() {
            each(m?)?;
        }
        Ok(d.interrupted())
    }

    /// Builds a dump of operation `op` from `json` with `schema` and runs
    /// it ([`Client::dump_request`]).
    pub fn dump(
        &self,
        schema: &Schema,
        op: &str,
        json: &serde_json::Value,
        each: &mut dyn FnMut(Msg<&[u8]>) -> Result<()>,
    ) -> Result<bool> {
        let req = schema.request(op, Mode::Dump, json)?;
        self.dump_request(&req, each)
    }

    /// The number of multicast group `name` (nlctrl's for generic netlink,
    /// the spec's for netlink-raw).
    pub fn group(&self, name: &str) -> Result<u32> {
        self.groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| {
                let names: Vec<&str> = self.groups.iter().map(|(n, _)| n.as_str()).collect();
                Error::Invalid(format!(
                    "family {} has no multicast group \"{name}\" (it has: {})",
                    self.name,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            })
    }

    /// Opens a socket joined to multicast group `name` (in the netns the
    /// calling thread is in).
    pub fn subscribe(&self, name: &str) -> Result<Subscription> {
        let id = self.group(name)?;
        let what = format!("join {} group {name}", self.name);
        let sock = Socket::open(self.proto).map_err(|e| Error::io(&what, e))?;
        sock.add_membership(id).map_err(|e| Error::io(&what, e))?;
        Ok(Subscription {
            sock,
            family_id: self.genl.as_ref().map(|f| f.id),
            buf: Vec::new(),
            what,
        })
    }
}

/// A socket joined to one of a family's multicast groups.
#[derive(Debug)]
pub struct Subscription {
    sock: Socket,
    family_id: Option<u16>,
    buf: Vec<u8>,
    what: String,
}

impl Subscription {
    /// The socket (to set a timeout, to poll).
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// Waits for one datagram and hands each of the family's messages in it
    /// to `each` (on generic netlink, messages of other families sharing
    /// the group number are skipped; none do in practice). Returns the
    /// number handed. An overrun is [`Error::Overrun`]: messages were lost,
    /// and the subscription can go on.
    pub fn next(&mut self, each: &mut dyn FnMut(Msg<&[u8]>) -> Result<()>) -> Result<usize> {
        if let Err(e) = self.sock.recv(&mut self.buf) {
            if is_overrun(&e) {
                return Err(Error::Overrun {
                    what: self.what.clone(),
                });
            }
            return Err(Error::io(&self.what, e));
        }
        let mut n = 0;
        for m in MsgIter::new(&self.buf) {
            let (_, m) = m.map_err(|e| Error::Malformed {
                what: self.what.clone(),
                source: e,
            })?;
            if self.family_id.is_some_and(|id| id != m.msg_type()) {
                continue;
            }
            n += 1;
            each(m)?;
        }
        Ok(n)
    }
}
