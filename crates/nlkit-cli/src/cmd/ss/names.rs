//! Names ss prints instead of numbers: services (`/etc/services`, skipping
//! the ephemeral range as ss does), IP protocols (`/etc/protocols`),
//! interfaces, cgroup paths, netlink peers' process names. Each source is
//! read once, on first use, in the namespace asked for.

use super::options::Opts;
use nlkit::diag::filter::Resolve;
use nlkit::diag::AF_INET;
use nlkit::socket::netns::Netns;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The protocol ports are resolved for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Raw,
}

#[derive(Default)]
struct Services {
    by_port: HashMap<(u16, bool), String>,
    by_name: HashMap<(String, bool), u16>,
}

pub struct Names {
    numeric: bool,
    netns: Option<String>,
    services: OnceCell<Services>,
    protocols: OnceCell<HashMap<u16, String>>,
    ephemeral: OnceCell<(u32, u32)>,
    links: OnceCell<HashMap<u32, String>>,
    cgroups: OnceCell<HashMap<u64, String>>,
    users: OnceCell<HashMap<u32, Vec<User>>>,
    tcp_udp: (bool, bool),
}

/// A process holding a socket (`-p`).
pub struct User {
    pub task: String,
    pub pid: u32,
    pub fd: u32,
}

fn in_netns<R: Send>(netns: &Option<String>, f: impl FnOnce() -> R + Send) -> Option<R> {
    match netns {
        Some(n) => Netns::Named(n).run(|| Ok(f())).ok(),
        None => Some(f()),
    }
}

impl Names {
    pub fn new(o: &Opts) -> Names {
        Names {
            numeric: o.numeric,
            netns: o.netns.clone(),
            services: OnceCell::new(),
            protocols: OnceCell::new(),
            ephemeral: OnceCell::new(),
            links: OnceCell::new(),
            cgroups: OnceCell::new(),
            users: OnceCell::new(),
            tcp_udp: (
                o.dbs & 1 != 0 || o.dbs == 0,
                o.dbs & (1 << 3) != 0 || o.dbs == 0,
            ),
        }
    }

    fn services(&self) -> &Services {
        self.services.get_or_init(|| {
            let mut s = Services::default();
            let text = std::fs::read_to_string("/etc/services").unwrap_or_default();
            for l in text.lines() {
                let l = l.split('#').next().unwrap_or("");
                let mut w = l.split_whitespace();
                let (Some(name), Some(pp)) = (w.next(), w.next()) else {
                    continue;
                };
                let Some((port, proto)) = pp.split_once('/') else {
                    continue;
                };
                let Ok(port) = port.parse::<u16>() else {
                    continue;
                };
                let udp = match proto {
                    "tcp" => false,
                    "udp" => true,
                    _ => continue,
                };
                s.by_port
                    .entry((port, udp))
                    .or_insert_with(|| name.to_string());
                for n in std::iter::once(name).chain(w) {
                    s.by_name.entry((n.to_string(), udp)).or_insert(port);
                }
            }
            s
        })
    }

    fn is_ephemeral(&self, port: u16) -> bool {
        let (lo, hi) = *self.ephemeral.get_or_init(|| {
            let read = || std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range");
            let t = in_netns(&self.netns, read).and_then(|r| r.ok());
            let v: Vec<u32> = t
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            match v[..] {
                [a, b, ..] => (a, b),
                _ => (1024, 4999),
            }
        });
        (lo..=hi).contains(&(port as u32))
    }

    /// Appends ss's text for `port` to `buf`; returns its range.
    pub fn service(&self, buf: &mut String, port: u16, proto: Proto) -> (usize, usize) {
        let at = buf.len();
        if port == 0 {
            buf.push('*');
        } else if self.numeric {
            let _ = write!(buf, "{port}");
        } else if proto == Proto::Raw {
            let p = self.protocols.get_or_init(|| {
                let mut m = HashMap::new();
                let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
                for l in text.lines() {
                    let mut w = l.split('#').next().unwrap_or("").split_whitespace();
                    if let (Some(n), Some(Ok(v))) = (w.next(), w.next().map(str::parse::<u16>)) {
                        m.entry(v).or_insert_with(|| n.to_string());
                    }
                }
                m
            });
            match p.get(&port) {
                Some(n) => buf.push_str(n),
                None => {
                    let _ = write!(buf, "ipproto-{port}");
                }
            }
        } else {
            let name = if self.is_ephemeral(port) {
                None
            } else {
                self.services().by_port.get(&(port, proto == Proto::Udp))
            };
            match name {
                Some(n) => buf.push_str(n),
                None => {
                    let _ = write!(buf, "{port}");
                }
            }
        }
        (at, buf.len())
    }

    /// Appends ss's text for an inet address (`*` for `::` unless v6only,
    /// IPv6 in brackets, `%dev` for a bound interface); returns its range.
    pub fn inet_addr(
        &self,
        buf: &mut String,
        family: u8,
        a: &[u8; 16],
        ifindex: u32,
        v6only: bool,
    ) -> (usize, usize) {
        let at = buf.len();
        if family == AF_INET {
            let _ = write!(buf, "{}", Ipv4Addr::new(a[0], a[1], a[2], a[3]));
        } else if !v6only && a == &[0; 16] {
            buf.push('*');
        } else {
            let _ = write!(
                buf,
                "[{}]",
                nlkit::wire::AddrText(Ipv6Addr::from(*a).into())
            );
        }
        if ifindex != 0 {
            buf.push('%');
            let n = self.ifname(ifindex);
            buf.push_str(&n);
        }
        (at, buf.len())
    }

    fn links(&self) -> &HashMap<u32, String> {
        self.links.get_or_init(|| {
            let mut m = HashMap::new();
            let Ok(conn) = crate::cmd::route::connect_in(self.netns.as_deref()) else {
                return m;
            };
            let h = nlkit::route::Handle::with(&conn);
            let _ = h.links(|l| {
                if let Some(n) = l.name {
                    m.insert(l.index(), n.to_string());
                }
                Ok(())
            });
            m
        })
    }

    /// An interface's name (its number if it has none).
    pub fn ifname(&self, index: u32) -> String {
        self.links()
            .get(&index)
            .cloned()
            .unwrap_or_else(|| index.to_string())
    }

    /// The path of a cgroup v2 id, as ss prints it (`/`, `/system.slice/...`).
    pub fn cgroup(&self, id: u64) -> String {
        let m = self.cgroups.get_or_init(|| {
            let mut m = HashMap::new();
            let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
            let root = mounts
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|w| w.get(2) == Some(&"cgroup2"))
                .and_then(|w| w.get(1).map(|s| s.to_string()));
            if let Some(root) = root {
                walk_cgroups(std::path::Path::new(&root), "", &mut m, 0);
            }
            m
        });
        match m.get(&id) {
            Some(p) => p.clone(),
            None => format!("unreachable:{id:x}"),
        }
    }

    /// The processes holding socket `ino` (`-p`), in the order ss lists them.
    pub fn users(&self, ino: u32) -> &[User] {
        let m = self.users.get_or_init(|| {
            let mut m: HashMap<u32, Vec<User>> = HashMap::new();
            let Ok(procs) = std::fs::read_dir("/proc") else {
                return m;
            };
            for p in procs.flatten() {
                let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
                    continue;
                };
                let mut task: Option<String> = None;
                for f in fds.flatten() {
                    let Some(fd) = f.file_name().to_str().and_then(|n| n.parse::<u32>().ok())
                    else {
                        continue;
                    };
                    let Ok(link) = std::fs::read_link(f.path()) else {
                        continue;
                    };
                    let Some(ino) = link
                        .to_str()
                        .and_then(|l| l.strip_prefix("socket:["))
                        .and_then(|l| l.strip_suffix(']'))
                        .and_then(|l| l.parse::<u32>().ok())
                    else {
                        continue;
                    };
                    let task = task
                        .get_or_insert_with(|| {
                            let stat =
                                std::fs::read_to_string(p.path().join("stat")).unwrap_or_default();
                            stat.split_once('(')
                                .and_then(|(_, r)| r.split(')').next())
                                .unwrap_or("")
                                .to_string()
                        })
                        .clone();
                    m.entry(ino).or_default().push(User { task, pid, fd });
                }
            }
            // ss keeps the newest first
            for v in m.values_mut() {
                v.reverse();
            }
            m
        });
        m.get(&ino).map_or(&[], Vec::as_slice)
    }

    /// A netlink port id as ss shows it: `kernel`, `comm/pid`, or the number.
    pub fn netlink_port(&self, pid: i32) -> String {
        if pid == -1 {
            return "*".into();
        }
        if self.numeric {
            return pid.to_string();
        }
        if pid == 0 {
            return "kernel".into();
        }
        if pid > 0 {
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                if let (Some(a), Some(b)) = (stat.find('('), stat.find(')')) {
                    if a < b {
                        return format!("{}/{pid}", &stat[a + 1..b]);
                    }
                }
            }
        }
        pid.to_string()
    }
}

fn walk_cgroups(dir: &std::path::Path, rel: &str, m: &mut HashMap<u64, String>, depth: usize) {
    use std::os::unix::fs::MetadataExt;
    if depth > 64 {
        return;
    }
    if let Ok(md) = std::fs::metadata(dir) {
        m.insert(
            md.ino(),
            if rel.is_empty() {
                "/".into()
            } else {
                rel.into()
            },
        );
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let name = e.file_name();
            let rel = format!("{rel}/{}", name.to_string_lossy());
            walk_cgroups(&e.path(), &rel, m, depth + 1);
        }
    }
}

/// A packet socket's protocol as ss shows it (`ip`, `[1234]`).
pub fn ether_proto(p: u16, numeric: bool) -> String {
    match nlkit::diag::packet::ether_proto_name(p) {
        Some(n) if !numeric => n.to_string(),
        _ => format!("[{p}]"),
    }
}

impl Resolve for Names {
    fn service(&self, name: &str) -> Option<u16> {
        let s = self.services();
        let (tcp, udp) = self.tcp_udp;
        let u = if udp {
            s.by_name.get(&(name.to_string(), true))
        } else {
            None
        };
        let t = if tcp {
            s.by_name.get(&(name.to_string(), false))
        } else {
            None
        };
        match (u, t) {
            (Some(a), Some(b)) if a != b => None,
            (Some(a), _) => Some(*a),
            (_, Some(b)) => Some(*b),
            _ => None,
        }
    }
    fn ifindex(&self, name: &str) -> Option<u32> {
        self.links()
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(i, _)| *i)
    }
    fn cgroup(&self, path: &str) -> Option<u64> {
        self.cgroup(0);
        let m = self.cgroups.get()?;
        m.iter().find(|(_, p)| p.as_str() == path).map(|(i, _)| *i)
    }
}
