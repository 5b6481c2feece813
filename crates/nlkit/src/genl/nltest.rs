//! A typed client for `nltest`, the generic netlink family of nlkit's own
//! kernel module (`kernel/module`), and the constants of its raw protocol.
//! Mirrors `kernel/module/nltest_uapi.h`.

use super::{join_group, resolve, Family, GenlMsg, Request};
use crate::conn::Connection;
use crate::error::{Error, Result};
use crate::schema::{attr_table, ValueKind::*};
use crate::socket::Socket;
use crate::wire::{self, MsgFlags, MsgWriter};

/// Raw protocol number of the module (module parameter `unit`).
pub const UNIT: i32 = 17;
/// Group number of the raw broadcast.
pub const RAW_GROUP: u32 = 1;
/// A message type the raw protocol echoes.
pub const MSG_ECHO: u16 = 0x10;
/// The raw broadcast trigger: broadcast [`GREETING`] to [`RAW_GROUP`], then echo.
pub const MSG_BROADCAST: u16 = 0x11;
/// Payload of the raw broadcast (sent with its NUL).
pub const GREETING: &str = "Greeting from kernel!";

/// Family name.
pub const FAMILY: &str = "nltest";
/// Family version.
pub const VERSION: u8 = 1;
/// Multicast group of NOTIFY.
pub const GROUP_EVENTS: &str = "events";

/// Reply with `NLTEST_A_PAYLOAD`.
pub const NLTEST_CMD_ECHO: u8 = 1;
/// Multicast `NLTEST_A_PAYLOAD` to `events`.
pub const NLTEST_CMD_NOTIFY: u8 = 2;
/// Dump `NLTEST_A_COUNT` entries.
pub const NLTEST_CMD_DUMP: u8 = 3;
/// Needs `NLTEST_A_NAME`; replies with it.
pub const NLTEST_CMD_REQUIRE: u8 = 4;
/// Generation + 1 (running dumps become `DUMP_INTR`).
pub const NLTEST_CMD_BUMP: u8 = 5;
/// Needs `CAP_NET_ADMIN`.
pub const NLTEST_CMD_ADMIN: u8 = 6;

attr_table! {
    /// An `nltest` attribute (`NLTEST_A_*`).
    enum NltestAttr;
    /// The family's attributes.
    static ATTRS = "nltest";
    // Binary payload.
    Payload = 1, NLTEST_A_PAYLOAD, "NLTEST_A_PAYLOAD", Bytes;
    // Entries to dump.
    Count = 2, NLTEST_A_COUNT, "NLTEST_A_COUNT", U32;
    // Entry index in a dump.
    Index = 3, NLTEST_A_INDEX, "NLTEST_A_INDEX", U32;
    // NUL-terminated string.
    Name = 4, NLTEST_A_NAME, "NLTEST_A_NAME", Str;
    // Generation counter.
    Generation = 5, NLTEST_A_GENERATION, "NLTEST_A_GENERATION", U32;
}

/// Name of a command.
pub fn cmd_name(cmd: u8) -> Option<&'static str> {
    Some(match cmd {
        1 => "NLTEST_CMD_ECHO",
        2 => "NLTEST_CMD_NOTIFY",
        3 => "NLTEST_CMD_DUMP",
        4 => "NLTEST_CMD_REQUIRE",
        5 => "NLTEST_CMD_BUMP",
        6 => "NLTEST_CMD_ADMIN",
        _ => return None,
    })
}

/// A client of the `nltest` family over a connection.
#[derive(Debug)]
pub struct Client<'c> {
    conn: &'c Connection,
    family: Family,
}

fn malformed(what: &str) -> impl Fn(wire::Error) -> Error + '_ {
    move |e| Error::Malformed {
        what: what.to_string(),
        source: e,
    }
}

impl<'c> Client<'c> {
    /// Resolves the family by name (its id is dynamic).
    pub fn new(conn: &'c Connection) -> Result<Client<'c>> {
        Ok(Client {
            conn,
            family: resolve(conn, FAMILY)?,
        })
    }

    /// The family as `nlctrl` described it.
    pub fn family(&self) -> &Family {
        &self.family
    }

    fn req<'a>(
        &self,
        cmd: u8,
        what: &'a str,
        attrs: &'a dyn Fn(&mut MsgWriter<'_>) -> wire::Result<()>,
    ) -> Request<'a> {
        Request {
            attrs,
            names: Some(&ATTRS),
            ..Request::new(self.family.id, cmd, VERSION, what)
        }
    }

    /// ECHO: the kernel answers with the same payload.
    pub fn echo(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let what = format!("nltest echo ({} bytes)", payload.len());
        let attrs = |w: &mut MsgWriter<'_>| w.attr(NLTEST_A_PAYLOAD, payload).map(|_| ());
        let mut out = None;
        self.conn
            .request(&self.req(NLTEST_CMD_ECHO, &what, &attrs), |m| {
                let g = GenlMsg::parse(&m).map_err(malformed(&what))?;
                let p = g.attr(NLTEST_A_PAYLOAD).map_err(malformed(&what))?;
                out = Some(p.map(|a| a.payload().to_vec()).unwrap_or_default());
                Ok(())
            })?;
        out.ok_or_else(|| Error::Invalid(format!("{what}: no reply")))
    }

    /// NOTIFY: the kernel multicasts the payload (or its greeting) to `events`.
    pub fn notify(&self, payload: Option<&[u8]>) -> Result<()> {
        let what = "nltest notify";
        let attrs = |w: &mut MsgWriter<'_>| match payload {
            Some(p) => w.attr(NLTEST_A_PAYLOAD, p).map(|_| ()),
            None => Ok(()),
        };
        self.conn
            .request(&self.req(NLTEST_CMD_NOTIFY, what, &attrs), |_| Ok(()))?;
        Ok(())
    }

    /// DUMP: streams `count` entries to `each(index, generation)`. Returns
    /// whether the dump was interrupted (the generation changed mid-dump).
    pub fn dump(&self, count: Option<u32>, mut each: impl FnMut(u32, u32)) -> Result<bool> {
        let what = "nltest dump";
        let attrs = |w: &mut MsgWriter<'_>| match count {
            Some(c) => w.attr_u32(NLTEST_A_COUNT, c).map(|_| ()),
            None => Ok(()),
        };
        let req = Request {
            flags: MsgFlags::DUMP,
            ..self.req(NLTEST_CMD_DUMP, what, &attrs)
        };
        let mut d = self.conn.dump(&req)?;
        while let Some(m) = d.next() {
            let g = GenlMsg::parse(&m?).map_err(malformed(what))?;
            let (mut idx, mut gen) = (None, None);
            for a in g.attrs() {
                let a = a.map_err(malformed(what))?;
                match a.kind() {
                    NLTEST_A_INDEX => idx = Some(a.u32().map_err(malformed(what))?),
                    NLTEST_A_GENERATION => gen = Some(a.u32().map_err(malformed(what))?),
                    _ => {}
                }
            }
            each(idx.unwrap_or(u32::MAX), gen.unwrap_or(0));
        }
        Ok(d.interrupted())
    }

    /// REQUIRE: sends `name` (or nothing, which the kernel refuses with an
    /// extended ACK naming `NLTEST_A_NAME`) and returns the name echoed.
    pub fn require(&self, name: Option<&str>) -> Result<String> {
        let what = "nltest require";
        let attrs = |w: &mut MsgWriter<'_>| match name {
            Some(n) => w.attr_str(NLTEST_A_NAME, n).map(|_| ()),
            None => Ok(()),
        };
        let mut out = String::new();
        self.conn
            .request(&self.req(NLTEST_CMD_REQUIRE, what, &attrs), |m| {
                let g = GenlMsg::parse(&m).map_err(malformed(what))?;
                if let Some(a) = g.attr(NLTEST_A_NAME).map_err(malformed(what))? {
                    out = a.str().map_err(malformed(what))?.to_string();
                }
                Ok(())
            })?;
        Ok(out)
    }

    /// BUMP: the generation counter goes up by one.
    pub fn bump(&self) -> Result<()> {
        self.conn.request(
            &self.req(NLTEST_CMD_BUMP, "nltest bump", &|_| Ok(())),
            |_| Ok(()),
        )?;
        Ok(())
    }

    /// ADMIN: allowed only with `CAP_NET_ADMIN`.
    pub fn admin(&self) -> Result<()> {
        self.conn.request(
            &self.req(NLTEST_CMD_ADMIN, "nltest admin", &|_| Ok(())),
            |_| Ok(()),
        )?;
        Ok(())
    }

    /// Joins `events` on `sock` (a `NETLINK_GENERIC` socket).
    pub fn join_events(&self, sock: &Socket) -> Result<u32> {
        join_group(sock, &self.family, GROUP_EVENTS)
    }
}
