//! Interface index → name, for printing (`dev v0`, `master br0`, `v1@v0`).
//!
//! Looked up lazily with `RTM_GETLINK` on a connection of its own (so a
//! lookup can happen while a dump is being read on another) and cached, so
//! that a dump of a million routes over three devices asks three times.

use super::connect_in;
use crate::output::name_str;
use nlkit::schema::Name;
use nlkit::Connection;
use std::collections::HashMap;

/// What printing needs to know about a link other than the one printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkBrief {
    /// Its name, as [`crate::output::name_text`] holds it (text output
    /// writes its bytes; [`crate::output::json_name`] for JSON).
    pub name: String,
    /// Its `IFF_*` flags (for `M-DOWN`).
    pub flags: u32,
}

/// Cached index → name lookups in one network namespace.
pub struct Names {
    netns: Option<String>,
    conn: Option<Connection>,
    cache: HashMap<u32, Option<LinkBrief>>,
    /// (nsid, name) of the netns under `/run/netns`, once asked.
    netns_ids: Option<Vec<(i32, String)>>,
}

/// The ids this netns gives the named netns (`/run/netns/NAME`).
fn named_netns_ids(conn: &Connection) -> Vec<(i32, String)> {
    use std::os::fd::AsRawFd;
    let Ok(dir) = std::fs::read_dir("/run/netns") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in dir.flatten() {
        let Ok(f) = std::fs::File::open(e.path()) else {
            continue;
        };
        let req = nlkit::route::link::NsidRequest {
            fd: f.as_raw_fd() as u32,
        };
        let Ok(bytes) = conn.get(&req) else {
            continue;
        };
        let id = nlkit::wire::MsgIter::new(&bytes)
            .next()
            .and_then(Result::ok)
            .and_then(|(_, m)| nlkit::route::link::nsid_from_reply(m.payload()));
        if let Some(id) = id {
            out.push((id, e.file_name().to_string_lossy().into_owned()));
        }
    }
    out
}

/// More entries than this and the cache starts over (memory stays bounded).
const MAX_CACHED: usize = 65_536;

impl Names {
    /// Lookups in the netns `netns` (`None`: ours), connecting on first need.
    pub fn new(netns: Option<&str>) -> Names {
        Names {
            netns: netns.map(str::to_string),
            conn: None,
            cache: HashMap::new(),
            netns_ids: None,
        }
    }

    /// The link with index `idx`, if it exists.
    pub fn get(&mut self, idx: u32) -> Option<&LinkBrief> {
        if !self.cache.contains_key(&idx) {
            let found = self.lookup(idx);
            if self.cache.len() >= MAX_CACHED {
                self.cache.clear();
            }
            self.cache.insert(idx, found);
        }
        self.cache.get(&idx).and_then(Option::as_ref)
    }

    fn lookup(&mut self, idx: u32) -> Option<LinkBrief> {
        if self.conn.is_none() {
            self.conn = connect_in(self.netns.as_deref()).ok();
        }
        // The view, not the owned form: the name's bytes as they are.
        let req = nlkit::route::link::LinkRequest::get(idx);
        let bytes = self.conn.as_ref()?.get(&req).ok()?;
        let (_, m) = nlkit::wire::MsgIter::new(&bytes).next()?.ok()?;
        let v = nlkit::route::link::LinkView::parse(&m).ok()?;
        Some(LinkBrief {
            name: v
                .name
                .map_or_else(|| format!("if{idx}"), |n| name_str(n).into_owned()),
            flags: v.flags(),
        })
    }

    /// The name under `/run/netns` of the netns this one calls `nsid`, as
    /// `ip` finds it (the names' ids are asked once, then kept).
    pub fn netns_name(&mut self, nsid: i32) -> Option<String> {
        if self.netns_ids.is_none() {
            if self.conn.is_none() {
                self.conn = connect_in(self.netns.as_deref()).ok();
            }
            let ids = match &self.conn {
                Some(c) => named_netns_ids(c),
                None => Vec::new(),
            };
            self.netns_ids = Some(ids);
        }
        let ids = self.netns_ids.as_ref()?;
        ids.iter()
            .find(|(id, _)| *id == nsid)
            .map(|(_, n)| n.clone())
    }

    /// The name of link `idx` ([`name_text`](crate::output::name_text)'s
    /// form: for text), or `if{idx}` as iproute2 shows an unknown one.
    pub fn name(&mut self, idx: u32) -> String {
        match self.get(idx) {
            Some(b) => b.name.clone(),
            None => format!("if{idx}"),
        }
    }

    /// The name of link `idx` for JSON ([`json_name`](crate::output::json_name)).
    pub fn json_name(&mut self, idx: u32) -> String {
        crate::output::json_name(&self.name(idx)).into_owned()
    }

    /// Records a link seen in a dump or an event.
    pub fn note(&mut self, idx: u32, name: Name<'_>, flags: u32) {
        if self.cache.len() >= MAX_CACHED {
            self.cache.clear();
        }
        self.cache.insert(
            idx,
            Some(LinkBrief {
                name: name_str(name).into_owned(),
                flags,
            }),
        );
    }

    /// Forgets link `idx` (deleted, renamed or moved away).
    #[allow(dead_code)] // for the monitor
    pub fn forget(&mut self, idx: u32) {
        self.cache.remove(&idx);
    }
}
