//! `nlkit link`: show, add, set, del.
//!
//! ```text
//! nlkit link [show] [[dev] NAME] [type KIND|KIND_slave] [master M] [nomaster]
//!                [group G] [up]
//! nlkit link add [link P] [name] NAME [LINKOPTS] type KIND [ARGS]
//!     LINKOPTS := mtu N | address MAC | txqlen N | alias TEXT | master M | up
//!               | group G | numtxqueues N | numrxqueues N | gso_max_size N
//!               | gso_max_segs N | gro_max_size N | state OPERSTATE
//!               | mode default|dormant | addrgenmode eui64|none|stable_secret|random
//!               | netns NAME|PID
//!     veth    [peer [name] P [LINKOPTS]]        (all after peer is the peer's)
//!     bridge  [stp_state N] [forward_delay N] [hello_time N] [max_age N]
//!             [ageing_time N] [priority N] [vlan_filtering 0|1] [vlan_default_pvid N]
//!             [mcast_snooping 0|1] [group_fwd_mask N]
//!     vlan    id N [protocol 802.1Q|802.1ad]                (needs link P)
//!     macvlan [mode private|vepa|bridge|passthru|source]    (needs link P)
//!     vxlan   id N [dstport P] [srcport LO HI] [local A] [remote A|group A] [dev D]
//!             [ttl N|auto] [tos N|inherit] [[no]learning] [ageing N] [maxaddress N]
//!             [[no]proxy] [[no]rsc] [[no]l2miss] [[no]l3miss] [[no]udpcsum]
//!             [[no]udp6zerocsumtx] [[no]udp6zerocsumrx]
//!     vrf     table N
//!     other kinds (dummy, ifb...) take no arguments
//! nlkit link set [dev] NAME [up|down] [name NEW] [LINKOPTS] [nomaster]
//!                [arp|multicast|allmulticast|promisc on|off]
//!                [type bridge_slave [cost N] [priority N] [state N] [guard|hairpin|
//!                 root_block|fastleave|learning|flood on|off]]
//! nlkit link del [dev] NAME
//! ```
//!
//! As ip: a name is 1 to 15 bytes without `/` or blanks; an address must
//! have the device's (or the kind's) length; `mtu`, `txqueuelen`, `group`,
//! `name`, `netns`, `numtxqueues`, `numrxqueues` may not come twice.
//!
//! Human output is `ip link`'s; `-d` adds promiscuity, allmulti, MTU bounds,
//! the kind and its settings, the port's settings, addrgenmode, queue counts
//! and gso/tso/gro limits, in ip 6.1's order and spacing; a peer in a named
//! netns shows as `link-netns NAME`. JSON (`-j`), one object per link:
//! `ifindex`, `ifname`, `link` (or `link_index` + `link_netnsid` when the
//! peer is in another netns), `flags` (array), `mtu`, `qdisc`, `master`,
//! `operstate`, `linkmode`, `group`, `txqlen`, `link_type`, `address`,
//! `broadcast`, `permaddr`, `link_netnsid`, `ifalias`, `altnames`; with
//! `-d` also `promiscuity`, `min_mtu`, `max_mtu`, `linkinfo` (`info_kind`,
//! `info_data`, `info_slave_kind`), `num_tx_queues`, `num_rx_queues`.
//! `-s` adds the counters (`stats64`), `-br` prints one brief line (object)
//! per link; both as iproute2 6.1 (see `docs/json.md`). With a filter,
//! each link it leaves out is `{}` in JSON, as ip 6.1 writes it (but the
//! links a kernel-filtered dump leaves out: `master`, `nomaster`, `type`).

use super::emit::Emit;
use super::words::{is_delete, is_show, parse_num, Words};
use super::{keep, list_begin, list_end, no_device, Names, Parsed, Req, Resolve, Show};
use crate::error::CliError;
use crate::output::{name_json, name_str, shown_len, Out};
use crate::Global;
use nlkit::route::attrs::{mac_string, parse_mac};
use nlkit::route::link::{
    iff_names_iproute2, macvlan_mode_name, operstate_name, parse_macvlan_mode, Bridge, BridgePort,
    InfoData, Link, NetnsTarget, Vxlan, IFF_ALLMULTI, IFF_MULTICAST, IFF_NOARP, IFF_PROMISC,
    IFF_UP,
};
use nlkit::route::tuntap::IdDb;
use nlkit::route::{Handle, LinkDump, LinkRequest, LinkView};
use nlkit::Connection;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;

/// `nlkit link help`.
pub const USAGE: &str = "\
Usage: nlkit [-br] [-s [-s]] link [show] [[dev] NAME] [type KIND|KIND_slave] [master M]
                              [nomaster] [group G] [up]
       nlkit link add [link P] [name] NAME [LINKOPTS] type KIND [ARGS]
           LINKOPTS := mtu N | address MAC | txqlen N | alias TEXT | master M | up | group G
                     | numtxqueues N | numrxqueues N | gso_max_size N | gso_max_segs N
                     | state OPERSTATE | mode default|dormant | addrgenmode MODE | netns NAME|PID
           KIND := veth [peer [name] P [LINKOPTS]] | bridge | dummy | vlan id N | macvlan mode M | vrf table N
                 | vxlan id N [dstport P] [local A] [remote A|group A] [dev D] [tos T] ...
       nlkit link set [dev] NAME [up|down] [name NEW] [LINKOPTS] [nomaster]
                      [type bridge_slave [cost N] [priority N] [learning on|off] ...]
       nlkit link del [dev] NAME";

/// What `link show` lists.
#[derive(Debug, Default)]
pub struct LinkShow {
    /// One device.
    pub dev: Option<String>,
    /// Only this kind (kernel filter).
    pub kind: Option<String>,
    /// Only ports of this master (kernel filter).
    pub master: Option<u32>,
    /// Only links that are up.
    pub up: bool,
    /// Only ports of this kind of master (`type bridge_slave`).
    pub slave_kind: Option<String>,
    /// Only links in this group.
    pub group: Option<u32>,
    /// Only links without a master.
    pub nomaster: bool,
}

/// Parses `nlkit link ...`.
pub fn parse(_g: &Global, words: &[String], r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let (cmd, rest) = match words.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match cmd {
        c if is_show(c) => parse_show(&mut Words::new("link show", rest), r),
        "add" | "a" | "create" => parse_add(&mut Words::new("link add", rest), r),
        "set" | "change" => parse_set(&mut Words::new("link set", rest), r),
        c if is_delete(c) => parse_del(&mut Words::new("link delete", rest), r),
        c => Err(CliError::usage(format!(
            "link: unknown command {c:?}; try show, add, set, del"
        ))),
    }
}

fn parse_show(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut s = LinkShow::default();
    while let Some(x) = w.next() {
        match x {
            "dev" => s.dev = Some(w.value("dev")?.to_string()),
            "type" => {
                let k = w.value("type")?;
                match k.strip_suffix("_slave") {
                    Some(sk) => s.slave_kind = Some(sk.to_string()),
                    None => s.kind = Some(k.to_string()),
                }
            }
            "master" => s.master = Some(r.index(w.value("master")?)?),
            "nomaster" => s.nomaster = true,
            "group" => {
                let v = w.value("group")?;
                s.group = Some(match v {
                    "default" => 0,
                    v => parse_num(v).ok_or_else(|| {
                        w.err(format_args!(
                            "argument {v:?} is wrong: Invalid \"group\" value"
                        ))
                    })?,
                });
            }
            "up" => s.up = true,
            _ if s.dev.is_none() && !x.starts_with('-') => s.dev = Some(x.to_string()),
            _ => return Err(w.unknown(x)),
        }
    }
    Ok(Parsed::Show(Show::Link(s)))
}

fn mac(w: &mut Words, kw: &str) -> Result<Vec<u8>, CliError> {
    let v = w.value(kw)?;
    match parse_mac(v) {
        Some(m) if !m.is_empty() => Ok(m),
        _ => Err(w.err(format_args!("{v:?} is not a valid link-layer address"))),
    }
}

/// An address of `len` bytes (the device's, or its kind's), as ip checks it:
/// a longer one would be cut by the kernel without a word.
fn check_mac_len(w: &Words, a: &[u8], len: Option<usize>) -> Result<(), CliError> {
    match len {
        Some(n) if a.len() != n => Err(w.err(format_args!(
            "invalid address length {} - must be {n} bytes",
            a.len()
        ))),
        _ => Ok(()),
    }
}

/// A name ip would take (`Words::check_ifname`), owned.
fn ifname(w: &mut Words, kw: &str, v: &str) -> Result<String, CliError> {
    Ok(w.check_ifname(kw, v)?.to_string())
}

fn on_off(w: &mut Words, kw: &str) -> Result<bool, CliError> {
    match w.value(kw)? {
        "on" => Ok(true),
        "off" => Ok(false),
        v => Err(w.err(format_args!("\"{kw}\" takes on or off, not {v:?}"))),
    }
}

/// `IF_OPER_*` by ip's names (any case).
fn parse_operstate(v: &str) -> Option<u8> {
    (0..=6u8).find(|&i| operstate_name(i).eq_ignore_ascii_case(v))
}

/// A netns given by pid or by name (`/run/netns/NAME`, kept open until sent).
enum NetnsArg {
    Pid(u32),
    File(std::fs::File),
}

fn netns_arg(w: &mut Words) -> Result<NetnsArg, CliError> {
    let v = w.value("netns")?;
    Ok(match parse_num::<u32>(v) {
        Some(pid) => NetnsArg::Pid(pid),
        None => {
            let path = std::path::Path::new("/run/netns").join(v);
            let f = std::fs::File::open(&path).map_err(|e| {
                CliError::Other(format!("cannot open netns {v:?} ({}): {e}", path.display()))
            })?;
            NetnsArg::File(f)
        }
    })
}

impl NetnsArg {
    fn target(&self) -> NetnsTarget {
        match self {
            NetnsArg::Pid(p) => NetnsTarget::Pid(*p),
            NetnsArg::File(f) => NetnsTarget::Fd(f.as_raw_fd() as u32),
        }
    }
}

/// Settings common to `add`, `set` and a veth peer.
#[derive(Default)]
struct Common {
    name: Option<String>,
    mtu: Option<u32>,
    address: Option<Vec<u8>>,
    txqlen: Option<u32>,
    alias: Option<String>,
    master: Option<u32>,
    nomaster: bool,
    up: Option<bool>,
    group: Option<u32>,
    num_tx_queues: Option<u32>,
    num_rx_queues: Option<u32>,
    gso_max_size: Option<u32>,
    gso_max_segs: Option<u32>,
    gro_max_size: Option<u32>,
    operstate: Option<u8>,
    linkmode: Option<u8>,
    addr_gen_mode: Option<u8>,
    netns: Option<NetnsArg>,
    /// (flag, on) pairs.
    flags: Vec<(u32, bool)>,
}

/// Refuses a second value for `kw`, as ip does (`mtu 1 mtu 2`).
fn once<T>(w: &Words, slot: &Option<T>, kw: &str, v: &str) -> Result<(), CliError> {
    if slot.is_some() {
        return Err(w.err(format_args!(
            "duplicate \"{kw}\": {v:?} is the second value"
        )));
    }
    Ok(())
}

impl Common {
    /// Takes `x` if it is a common keyword.
    fn take(&mut self, x: &str, w: &mut Words, r: &mut dyn Resolve) -> Result<bool, CliError> {
        macro_rules! num_once {
            ($slot:ident, $kw:expr) => {{
                let v = w.peek().unwrap_or("");
                once(w, &self.$slot, $kw, v)?;
                self.$slot = Some(w.num(x)?);
            }};
        }
        match x {
            "mtu" => num_once!(mtu, "mtu"),
            "address" | "addr" | "lladdr" => self.address = Some(mac(w, x)?),
            "txqlen" | "txqueuelen" | "qlen" => num_once!(txqlen, "txqueuelen"),
            "numtxqueues" => num_once!(num_tx_queues, "numtxqueues"),
            "numrxqueues" => num_once!(num_rx_queues, "numrxqueues"),
            "gso_max_size" => self.gso_max_size = Some(w.num(x)?),
            "gso_max_segs" => self.gso_max_segs = Some(w.num(x)?),
            "gro_max_size" => self.gro_max_size = Some(w.num(x)?),
            "alias" => self.alias = Some(w.value("alias")?.to_string()),
            "group" => {
                let v = w.value("group")?;
                once(w, &self.group, "group", v)?;
                self.group = Some(match v {
                    "default" => 0,
                    v => parse_num(v).ok_or_else(|| {
                        w.err(format_args!(
                            "argument {v:?} is wrong: Invalid \"group\" value"
                        ))
                    })?,
                });
            }
            "state" => {
                let v = w.value("state")?;
                self.operstate = Some(parse_operstate(v).ok_or_else(|| {
                    w.err(format_args!("argument {v:?} is wrong: Invalid operstate"))
                })?);
            }
            "mode" => {
                self.linkmode = Some(match w.value("mode")? {
                    v if v.eq_ignore_ascii_case("default") => 0,
                    v if v.eq_ignore_ascii_case("dormant") => 1,
                    v => {
                        return Err(
                            w.err(format_args!("argument {v:?} is wrong: Invalid link mode"))
                        )
                    }
                });
            }
            "addrgenmode" => {
                let v = w.value("addrgenmode")?;
                self.addr_gen_mode = Some(match v {
                    "eui64" => 0,
                    "none" => 1,
                    "stable_secret" => 2,
                    "random" => 3,
                    _ => {
                        return Err(w.err(format_args!(
                            "argument {v:?} is wrong: Invalid address generation mode"
                        )))
                    }
                });
            }
            "netns" => {
                let v = w.peek().unwrap_or("");
                once(w, &self.netns, "netns", v)?;
                self.netns = Some(netns_arg(w)?);
            }
            "master" => {
                self.master = Some(r.index(w.value("master")?)?);
                self.nomaster = false;
            }
            "nomaster" => {
                self.nomaster = true;
                self.master = None;
            }
            "up" => self.up = Some(true),
            "down" => self.up = Some(false),
            "arp" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_NOARP, !on));
            }
            "multicast" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_MULTICAST, on));
            }
            "allmulticast" | "allmulti" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_ALLMULTI, on));
            }
            "promisc" => {
                let on = on_off(w, x)?;
                self.flags.push((IFF_PROMISC, on));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Takes `name NAME` (once).
    fn take_name(&mut self, w: &mut Words, kw: &str) -> Result<(), CliError> {
        let v = w.value(kw)?;
        once(w, &self.name, "name", v)?;
        self.name = Some(ifname(w, "name", v)?);
        Ok(())
    }

    /// Puts the settings into `link` (and the flags to change).
    fn apply_link(&self, l: &mut Link) {
        let set = |dst: &mut Option<u32>, v: Option<u32>| {
            if v.is_some() {
                *dst = v;
            }
        };
        set(&mut l.mtu, self.mtu);
        set(&mut l.txqlen, self.txqlen);
        set(&mut l.master, self.master);
        set(&mut l.group, self.group);
        set(&mut l.num_tx_queues, self.num_tx_queues);
        set(&mut l.num_rx_queues, self.num_rx_queues);
        set(&mut l.gso_max_size, self.gso_max_size);
        set(&mut l.gso_max_segs, self.gso_max_segs);
        set(&mut l.gro_max_size, self.gro_max_size);
        if let Some(a) = &self.address {
            l.address = Some(a.clone());
        }
        if let Some(a) = &self.alias {
            l.alias = Some(a.clone());
        }
        if self.operstate.is_some() {
            l.operstate = self.operstate;
        }
        if self.linkmode.is_some() {
            l.linkmode = self.linkmode;
        }
        if let Some(up) = self.up {
            self.flag(l, IFF_UP, up);
        }
        for &(bit, on) in &self.flags {
            self.flag(l, bit, on);
        }
    }

    fn flag(&self, l: &mut Link, bit: u32, on: bool) {
        if on {
            l.flags |= bit;
        } else {
            l.flags &= !bit;
        }
        l.change |= bit;
    }

    fn apply(self, mut req: LinkRequest) -> (LinkRequest, Option<std::fs::File>) {
        self.apply_link(&mut req.link);
        if self.nomaster {
            req = req.nomaster();
        }
        if let Some(m) = self.addr_gen_mode {
            req = req.addr_gen_mode(m);
        }
        let mut file = None;
        if let Some(n) = self.netns {
            req.netns = Some(n.target());
            if let NetnsArg::File(f) = n {
                file = Some(f);
            }
        }
        (req, file)
    }
}

/// Kinds whose address is an Ethernet one (6 bytes).
fn ether_kind(kind: &str) -> bool {
    matches!(
        kind,
        "veth" | "bridge" | "vlan" | "macvlan" | "macvtap" | "vxlan" | "ifb" | "dummy"
    )
}

fn on_u8(on: bool) -> Option<u8> {
    Some(u8::from(on))
}

/// `IFLA_VRF_TABLE`, the one attribute of a vrf's `IFLA_INFO_DATA` (a u32).
pub(crate) const IFLA_VRF_TABLE: u16 = 1;

/// vrf's `IFLA_INFO_DATA`: its `IFLA_VRF_TABLE`.
fn vrf_data(table: u32) -> Vec<u8> {
    let mut b = Vec::with_capacity(8);
    b.extend_from_slice(&8u16.to_ne_bytes());
    b.extend_from_slice(&IFLA_VRF_TABLE.to_ne_bytes());
    b.extend_from_slice(&table.to_ne_bytes());
    b
}

fn parse_add(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let mut parent: Option<u32> = None;
    let mut kind: Option<String> = None;
    let mut common = Common::default();
    let mut peer: Option<Common> = None;
    let mut vlan_id: Option<u16> = None;
    let mut vlan_proto: Option<u16> = None;
    let mut vrf_table: Option<u32> = None;
    let mut mode: Option<u32> = None;
    let mut vx = Vxlan::default();
    let mut br = Bridge::default();
    while let Some(x) = w.next() {
        if let Some(p) = peer.as_mut() {
            // Everything after `peer` is the peer's, as in ip.
            if p.take(x, w, r)? {
                continue;
            }
            match x {
                "name" | "dev" => p.take_name(w, x)?,
                _ if p.name.is_none() && !x.starts_with('-') => {
                    p.name = Some(ifname(w, "name", x)?)
                }
                _ => return Err(w.err(format_args!("unknown keyword {x:?} for the veth peer"))),
            }
            continue;
        }
        // After `type`, a word the kind has is the kind's (`mode`, vxlan's
        // `group`); before it, the link's.
        let kinds = matches!(
            (kind.as_deref(), x),
            (Some(_), "mode") | (Some("vxlan"), "group")
        );
        if !kinds && common.take(x, w, r)? {
            continue;
        }
        match (kind.as_deref(), x) {
            (_, "link") => parent = Some(r.index(w.value("link")?)?),
            (Some("vxlan"), "dev") => vx.dev = Some(r.index(w.value("dev")?)?),
            (_, "name" | "dev") => common.take_name(w, x)?,
            (None, "type") => kind = Some(w.value("type")?.to_string()),
            (Some("veth"), "peer") => peer = Some(Common::default()),
            (Some("vlan"), "id") => vlan_id = Some(w.num("id")?),
            (Some("vrf"), "table") => vrf_table = Some(w.num("table")?),
            (Some("vlan"), "protocol") => {
                vlan_proto = Some(match w.value("protocol")? {
                    p if p.eq_ignore_ascii_case("802.1q") => 0x8100,
                    p if p.eq_ignore_ascii_case("802.1ad") => 0x88a8,
                    p => return Err(w.err(format_args!("unknown VLAN protocol {p:?}"))),
                })
            }
            (Some("macvlan" | "macvtap"), "mode") => {
                let m = w.value("mode")?;
                mode = Some(
                    parse_macvlan_mode(m)
                        .ok_or_else(|| w.err(format_args!("unknown macvlan mode {m:?}")))?,
                );
            }
            (Some("vxlan"), "id" | "vni") => vx.id = Some(w.num(x)?),
            (Some("vxlan"), "dstport" | "port") => vx.port = Some(w.num(x)?),
            (Some("vxlan"), "local") => vx.local = Some(w.ip("local")?),
            (Some("vxlan"), "remote" | "group") => vx.remote = Some(w.ip(x)?),
            (Some("vxlan"), "ttl" | "hoplimit") => {
                vx.ttl = Some(match w.value(x)? {
                    "auto" | "inherit" => 0,
                    v => parse_num(v).ok_or_else(|| w.err(format_args!("invalid ttl {v:?}")))?,
                })
            }
            (Some("vxlan"), "tos" | "dsfield") => {
                vx.tos = Some(match w.value(x)? {
                    "inherit" => 1,
                    v => parse_num(v).ok_or_else(|| w.err(format_args!("invalid tos {v:?}")))?,
                })
            }
            (Some("vxlan"), "srcport") => {
                let lo: u16 = w.num("srcport")?;
                let hi: u16 = w.num("srcport")?;
                vx.port_range = Some(u32::from(lo) << 16 | u32::from(hi));
            }
            (Some("vxlan"), "learning") => vx.learning = Some(1),
            (Some("vxlan"), "nolearning") => vx.learning = Some(0),
            (Some("vxlan"), "ageing") => vx.ageing = Some(w.num("ageing")?),
            (Some("vxlan"), "maxaddress") => vx.limit = Some(w.num(x)?),
            (Some("vxlan"), "proxy" | "noproxy") => vx.proxy = on_u8(x == "proxy"),
            (Some("vxlan"), "rsc" | "norsc") => vx.rsc = on_u8(x == "rsc"),
            (Some("vxlan"), "l2miss" | "nol2miss") => vx.l2miss = on_u8(x == "l2miss"),
            (Some("vxlan"), "l3miss" | "nol3miss") => vx.l3miss = on_u8(x == "l3miss"),
            (Some("vxlan"), "udpcsum" | "noudpcsum") => vx.udp_csum = on_u8(x == "udpcsum"),
            (Some("vxlan"), "udp6zerocsumtx" | "noudp6zerocsumtx") => {
                vx.udp_zero_csum6_tx = on_u8(x == "udp6zerocsumtx")
            }
            (Some("vxlan"), "udp6zerocsumrx" | "noudp6zerocsumrx") => {
                vx.udp_zero_csum6_rx = on_u8(x == "udp6zerocsumrx")
            }
            (Some("bridge"), "stp_state") => br.stp_state = Some(w.num(x)?),
            (Some("bridge"), "forward_delay") => br.forward_delay = Some(w.num(x)?),
            (Some("bridge"), "hello_time") => br.hello_time = Some(w.num(x)?),
            (Some("bridge"), "max_age") => br.max_age = Some(w.num(x)?),
            (Some("bridge"), "ageing_time") => br.ageing_time = Some(w.num(x)?),
            (Some("bridge"), "priority") => br.priority = Some(w.num(x)?),
            (Some("bridge"), "vlan_filtering") => br.vlan_filtering = Some(w.num(x)?),
            (Some("bridge"), "vlan_default_pvid") => br.vlan_default_pvid = Some(w.num(x)?),
            (Some("bridge"), "mcast_snooping") => br.mcast_snooping = Some(w.num(x)?),
            (Some("bridge"), "group_fwd_mask") => br.group_fwd_mask = Some(w.num(x)?),
            (None, _) if common.name.is_none() && !x.starts_with('-') => {
                common.name = Some(w.check_altifname("dev", x)?.to_string())
            }
            (Some(k), _) => {
                return Err(w.err(format_args!("unknown keyword {x:?} for type {k}")));
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let name = common
        .name
        .clone()
        .ok_or_else(|| w.err("a device name is needed"))?;
    let kind = kind.ok_or_else(|| w.err("\"type KIND\" is needed"))?;
    if ether_kind(&kind) {
        for a in [
            &common.address,
            &peer.as_ref().and_then(|p| p.address.clone()),
        ]
        .into_iter()
        .flatten()
        {
            check_mac_len(w, a, Some(6))?;
        }
    }
    let mut req = LinkRequest::add(&name);
    let mut peer_file = None;
    req = match kind.as_str() {
        "veth" => match peer {
            Some(p) => {
                let pname = p
                    .name
                    .clone()
                    .ok_or_else(|| w.err("\"peer\" needs a name"))?;
                let mut l = Link::named(&pname);
                p.apply_link(&mut l);
                match p.netns {
                    Some(n) => {
                        let t = n.target();
                        if let NetnsArg::File(f) = n {
                            peer_file = Some(f);
                        }
                        req.veth_peer_in(l, t)
                    }
                    None => req.veth_peer(l),
                }
            }
            None => req.other_kind("veth", None),
        },
        "bridge" => req.bridge(br),
        "vlan" => {
            let p = parent.ok_or_else(|| w.err("type vlan needs \"link PARENT\""))?;
            let id = vlan_id.ok_or_else(|| w.err("type vlan needs \"id N\""))?;
            if id >= 4095 {
                return Err(w.err(format_args!("VLAN id {id} is out of range (0-4094)")));
            }
            let mut req = req.vlan(p, id);
            if let Some(info) = req.link.info.as_mut() {
                if let InfoData::Vlan(v) = &mut info.data {
                    v.protocol = vlan_proto;
                }
            }
            req
        }
        "macvlan" | "macvtap" => {
            let p =
                parent.ok_or_else(|| w.err(format_args!("type {kind} needs \"link PARENT\"")))?;
            let mut req = req.macvlan(p, mode.unwrap_or(4));
            if let Some(info) = req.link.info.as_mut() {
                info.kind = kind.clone();
            }
            req
        }
        "vxlan" => {
            if vx.id.is_none() {
                return Err(w.err("type vxlan needs \"id VNI\""));
            }
            if parent.is_some() && vx.dev.is_none() {
                vx.dev = parent.take();
            }
            req.vxlan(vx)
        }
        "vrf" => {
            let t = vrf_table.ok_or_else(|| w.err("type vrf needs \"table N\""))?;
            req.other_kind("vrf", Some(vrf_data(t)))
        }
        k => req.other_kind(k, None),
    };
    if let Some(p) = parent {
        req.link.link = Some(p);
    }
    let (req, file) = common.apply(req);
    let file = match (file, peer_file) {
        (Some(_), Some(_)) => {
            return Err(w.err("a netns by name for both the link and its peer: give one as a pid"))
        }
        (a, b) => a.or(b),
    };
    Ok(Parsed::Req(Req::Link(Box::new(req), file)))
}

fn device_word(w: &mut Words) -> Result<String, CliError> {
    match w.next() {
        Some("dev") => Ok(w.value("dev")?.to_string()),
        Some(x) => Ok(x.to_string()),
        None => Err(w.err("a device name is needed")),
    }
}

fn parse_set(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let dev = device_word(w)?;
    let idx = r.index(&dev)?;
    let mut common = Common::default();
    let mut port: Option<BridgePort> = None;
    while let Some(x) = w.next() {
        if let Some(p) = port.as_mut() {
            match x {
                "cost" => p.cost = Some(w.num(x)?),
                "priority" => p.priority = Some(w.num(x)?),
                "state" => p.state = Some(w.num(x)?),
                "guard" => p.guard = on_u8(on_off(w, x)?),
                "hairpin" => p.hairpin = on_u8(on_off(w, x)?),
                "root_block" => p.root_block = on_u8(on_off(w, x)?),
                "fastleave" => p.fast_leave = on_u8(on_off(w, x)?),
                "learning" => p.learning = on_u8(on_off(w, x)?),
                "flood" => p.flood = on_u8(on_off(w, x)?),
                _ => return Err(w.err(format_args!("unknown keyword {x:?} for type bridge_slave"))),
            }
            continue;
        }
        if common.take(x, w, r)? {
            continue;
        }
        match x {
            "name" => common.take_name(w, x)?,
            "type" => match w.value("type")? {
                "bridge_slave" => port = Some(BridgePort::default()),
                k => return Err(w.err(format_args!("cannot set settings of type {k:?}"))),
            },
            _ => return Err(w.unknown(x)),
        }
    }
    if let Some(a) = &common.address {
        check_mac_len(w, a, r.lladdr_len(&dev)?)?;
    }
    let mut req = LinkRequest::set(idx).label(&dev);
    if let Some(p) = port {
        req = req.bridge_port(p).map_err(|e| nlkit::Error::Malformed {
            what: format!("set link {dev} type bridge_slave"),
            source: e,
        })?;
    }
    if let Some(n) = common.name.take() {
        req = req.name(&n);
        r.forget(&dev);
        r.forget(&n);
    }
    if common.netns.is_some() {
        r.forget(&dev);
    }
    let (req, file) = common.apply(req);
    Ok(Parsed::Req(Req::Link(Box::new(req), file)))
}

fn parse_del(w: &mut Words, r: &mut dyn Resolve) -> Result<Parsed, CliError> {
    let dev = device_word(w)?;
    while let Some(x) = w.next() {
        match x {
            // iproute2 accepts (and ignores) the kind here.
            "type" => {
                w.value("type")?;
            }
            _ => return Err(w.unknown(x)),
        }
    }
    let idx = r.index(&dev)?;
    r.forget(&dev);
    Ok(Parsed::Req(Req::Link(
        Box::new(LinkRequest::delete(idx).label(&dev)),
        None,
    )))
}

// ---------------------------------------------------------------------------
// Showing.

/// Runs `link show`.
pub fn show(
    g: &Global,
    conn: &Connection,
    out: &mut Out,
    names: &mut Names,
    s: &LinkShow,
) -> Result<(), CliError> {
    let h = Handle::with(conn);
    if let Some(dev) = &s.dev {
        let req = LinkRequest::get_by_name(dev);
        let bytes = match conn.get(&req) {
            Ok(b) => b,
            Err(e) if e.errno() == Some(19) => return Err(no_device(dev)),
            Err(e) => return Err(e.into()),
        };
        let (_, m) = nlkit::wire::MsgIter::new(&bytes)
            .next()
            .ok_or_else(|| CliError::Other(format!("get link {dev}: empty reply")))?
            .map_err(|e| nlkit::Error::Malformed {
                what: format!("get link {dev}"),
                source: e,
            })?;
        let v = LinkView::parse(&m).map_err(|e| nlkit::Error::Malformed {
            what: format!("get link {dev}"),
            source: e,
        })?;
        list_begin(out)?;
        show_one(out, &v, names, g, s, false)?;
        return list_end(out);
    }
    // The kernel filters the dump on the master (`nomaster`: none) and the kind.
    let dump = LinkDump {
        master: s.master.or(s.nomaster.then_some(u32::MAX)),
        kind: s.kind.clone(),
        ..Default::default()
    };
    list_begin(out)?;
    let r = h.links_filtered(&dump, |v| {
        if let Some(n) = v.name {
            names.note(v.index(), n, v.flags());
        }
        keep(show_one(out, &v, names, g, s, true))
    });
    super::finish(r)?;
    list_end(out)
}

/// Prints link `v` if `s` selects it; else, as ip 6.1, `{}` in JSON,
/// nothing in text (`dumped`: a link of a dump the kernel filtered on the
/// master and the kind, which ip leaves out without a `{}`). As ip,
/// `nomaster` only filters a dump: a device asked for by name is shown
/// whatever its master.
fn show_one(
    out: &mut Out,
    v: &LinkView<'_>,
    names: &mut Names,
    g: &Global,
    s: &LinkShow,
    dumped: bool,
) -> Result<(), CliError> {
    let master = v.master.filter(|&m| m != 0);
    let kernel_ok = (s.master.is_none() || master == s.master)
        && (!s.nomaster || !dumped || master.is_none())
        && (s.kind.is_none() || v.kind == s.kind.as_deref());
    if dumped && !kernel_ok {
        return Ok(());
    }
    let ok = kernel_ok
        && (!s.up || v.is_up())
        && (s.slave_kind.is_none() || v.slave_kind == s.slave_kind.as_deref())
        && (s.group.is_none() || v.group == s.group);
    if ok {
        print_link_with(out, v, names, g)
    } else {
        super::addr::placeholder(out)
    }
}

/// What [`write_link_fields`] writes: `details` (`-d`), `do_link` (`link
/// show`: `mode`, `alias`, `addrgenmode`; not for `addr show`), `ll` (the
/// `link/ether` line) and the counters (`stats`, see [`write_stats`]).
#[derive(Clone, Copy)]
pub(crate) struct LinkOpts {
    pub details: bool,
    pub do_link: bool,
    pub ll: bool,
    pub stats: u8,
}

impl LinkOpts {
    /// `link show` (and the monitor): the link-layer line, no counters.
    pub(crate) fn link(details: bool) -> LinkOpts {
        LinkOpts {
            details,
            do_link: true,
            ll: true,
            stats: 0,
        }
    }
}

/// Prints one link as the global options ask: `-br` (brief), `-s` (with
/// counters), `-d` (details).
pub fn print_link_with(
    out: &mut Out,
    v: &LinkView<'_>,
    names: &mut Names,
    g: &Global,
) -> Result<(), CliError> {
    let opts = LinkOpts {
        stats: g.stats,
        ..LinkOpts::link(g.details)
    };
    out.object(|b, json| {
        let e = &mut Emit::new(b, json);
        e.open_obj(None);
        if g.brief {
            write_brief_fields(e, v, names);
            if let Some(a) = v.address {
                e.str("address", "", &hw_string(a), " ");
            }
            write_flags(e, v, names, "<", "> ");
        } else {
            write_link_fields(e, v, names, opts);
        }
        e.close_obj();
    })
}

/// One link as `ip link show` prints it (text: two or more lines, no final
/// newline; JSON: one object), as the monitor prints a link event.
pub fn write_link(e: &mut Emit<'_>, v: &LinkView<'_>, names: &mut Names, details: bool) {
    e.open_obj(None);
    write_link_fields(e, v, names, LinkOpts::link(details));
    e.close_obj();
}

/// JSON only: `link` (or `link_index` when the peer is in another netns),
/// `ifname`.
fn write_link_names(e: &mut Emit<'_>, v: &LinkView<'_>, names: &mut Names) {
    match (v.link, v.link_netnsid) {
        (Some(0), _) => e.null("link", ""),
        (Some(l), Some(_)) => e.json_num("link_index", l),
        (Some(l), None) => e.dev("link", "", names, l, ""),
        (None, _) => {}
    }
    if let Some(n) = v.name {
        e.name("ifname", "", n, "");
    }
}

/// The flags: text `pre` `A,B` `post`; JSON `"flags":["A","B"]`.
fn write_flags(e: &mut Emit<'_>, v: &LinkView<'_>, names: &mut Names, pre: &str, post: &str) {
    e.open_arr("flags");
    e.text(pre);
    for (i, f) in iff_names_iproute2(v.flags(), lower_down(v, names))
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            e.text(",");
        }
        e.item(f, "");
    }
    e.text(post);
    e.close_arr();
}

/// The start of an `ip -br` line (`NAME@PEER        STATE         `), or of
/// an `ip -j -br` object (`link`, `ifname`, `operstate`).
pub(crate) fn write_brief_fields(e: &mut Emit<'_>, v: &LinkView<'_>, names: &mut Names) {
    if e.json {
        write_link_names(e, v, names);
    } else {
        // Padded to 16 bytes of output, as ip's `%-16s` pads (not 16 chars).
        let s = name_at(v, names);
        let pad = 16usize.saturating_sub(shown_len(&s));
        e.text(&s);
        e.text_val(format_args!("{:pad$} ", ""));
    }
    if let Some(o) = v.operstate {
        let n = operstate_name(o);
        if e.json {
            e.str("operstate", "", n, "");
        } else {
            e.text_val(format_args!("{n:<14} "));
        }
    }
}

/// The counters: text as `ip -s` prints them (see [`stats_text`]); JSON
/// the `stats64` object of `ip -j -s` (`level` 2: with the error counters).
pub(crate) fn write_stats(e: &mut Emit<'_>, v: &LinkView<'_>, level: u8) {
    if !e.json {
        e.text(&stats_text(v, level));
        return;
    }
    let Some(st) = v.stats64.filter(|_| level > 0) else {
        return;
    };
    let errs = level > 1;
    e.open_obj(Some("stats64"));
    write_dir(
        e,
        "rx",
        [
            ("bytes", st.rx_bytes.get()),
            ("packets", st.rx_packets.get()),
            ("errors", st.rx_errors.get()),
            ("dropped", st.rx_dropped.get()),
            ("over_errors", st.rx_over_errors.get()),
            ("multicast", st.multicast.get()),
        ],
        st.rx_compressed.get(),
        errs.then_some(&[
            ("length_errors", st.rx_length_errors.get()),
            ("crc_errors", st.rx_crc_errors.get()),
            ("frame_errors", st.rx_frame_errors.get()),
            ("fifo_errors", st.rx_fifo_errors.get()),
            ("missed_errors", st.rx_missed_errors.get()),
        ]),
        Some(("nohandler", st.rx_nohandler.get())).filter(|&(_, n)| n != 0),
    );
    write_dir(
        e,
        "tx",
        [
            ("bytes", st.tx_bytes.get()),
            ("packets", st.tx_packets.get()),
            ("errors", st.tx_errors.get()),
            ("dropped", st.tx_dropped.get()),
            ("carrier_errors", st.tx_carrier_errors.get()),
            ("collisions", st.collisions.get()),
        ],
        st.tx_compressed.get(),
        errs.then_some(&[
            ("aborted_errors", st.tx_aborted_errors.get()),
            ("fifo_errors", st.tx_fifo_errors.get()),
            ("window_errors", st.tx_window_errors.get()),
            ("heartbeat_errors", st.tx_heartbeat_errors.get()),
        ]),
        v.carrier_changes.map(|c| ("carrier_changes", u64::from(c))),
    );
    e.close_obj();
}

/// JSON only: one direction of `stats64`: its six counters, `compressed`
/// when not 0, then (`ip -s -s`) the error counters and `last`.
fn write_dir(
    e: &mut Emit<'_>,
    key: &str,
    main: [(&str, u64); 6],
    compressed: u64,
    errs: Option<&[(&str, u64)]>,
    last: Option<(&str, u64)>,
) {
    e.open_obj(Some(key));
    for (k, n) in main {
        e.json_num(k, n);
    }
    if compressed != 0 {
        e.json_num("compressed", compressed);
    }
    if let Some(errs) = errs {
        for &(k, n) in errs.iter().chain(last.as_ref()) {
            e.json_num(k, n);
        }
    }
    e.close_obj();
}
/// The counters under a link as `ip -s` prints them (`level` 2: `ip -s -s`,
/// with the error counters), each line after a newline; empty for level 0
/// or without `IFLA_STATS64`.
pub(crate) fn stats_text(v: &LinkView<'_>, level: u8) -> String {
    let Some(st) = (level > 0).then_some(v.stats64).flatten() else {
        return String::new();
    };
    let cc = v.carrier_changes;
    let rx = [
        st.rx_bytes.get(),
        st.rx_packets.get(),
        st.rx_errors.get(),
        st.rx_dropped.get(),
        st.rx_missed_errors.get(),
        st.multicast.get(),
        st.rx_compressed.get(),
    ];
    let rx_err = [
        0,
        st.rx_length_errors.get(),
        st.rx_crc_errors.get(),
        st.rx_frame_errors.get(),
        st.rx_fifo_errors.get(),
        st.rx_over_errors.get(),
        st.rx_nohandler.get(),
    ];
    let tx = [
        st.tx_bytes.get(),
        st.tx_packets.get(),
        st.tx_errors.get(),
        st.tx_dropped.get(),
        st.tx_carrier_errors.get(),
        st.collisions.get(),
        st.tx_compressed.get(),
    ];
    let tx_err = [
        0,
        0,
        st.tx_aborted_errors.get(),
        st.tx_fifo_errors.get(),
        st.tx_window_errors.get(),
        st.tx_heartbeat_errors.get(),
        u64::from(cc.unwrap_or(0)),
    ];
    // iproute2 6.1's columns: at least the headers' widths, widened to fit.
    let mut c = [10usize, 7, 6, 7, 7, 7, 10];
    let mut size = |vals: &[u64; 7]| {
        for (w, x) in c.iter_mut().zip(vals) {
            *w = (*w).max(crate::output::num_width(*x));
        }
    };
    size(&rx);
    if level > 1 {
        size(&rx_err);
    }
    size(&tx);
    if level > 1 {
        size(&tx_err);
    }
    let nums = |vals: &[u64], from: usize| -> String {
        vals.iter()
            .enumerate()
            .map(|(i, x)| format!("{:>w$} ", crate::output::Num(*x), w = c[from + i]))
            .collect()
    };
    let head = |t: &str, h: [&str; 6], last: &str| -> String {
        format!(
            "\n    {t}: {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            h[0],
            h[1],
            h[2],
            h[3],
            h[4],
            h[5],
            last,
            w0 = c[0] - 4,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        )
    };
    let n_rx = if rx[6] != 0 { 7 } else { 6 };
    let n_tx = if tx[6] != 0 { 7 } else { 6 };
    let mut s = head(
        "RX",
        ["bytes", "packets", "errors", "dropped", "missed", "mcast"],
        if rx[6] != 0 { "compressed" } else { "" },
    );
    s += &format!("\n    {}", nums(&rx[..n_rx], 0));
    if level > 1 {
        let line = format!(
            "\n    RX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            "",
            "length",
            "crc",
            "frame",
            "fifo",
            "overrun",
            if rx_err[6] != 0 { "nohandler" } else { "" },
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        );
        // Without a nohandler column ip's line ends at "overrun".
        s += if rx_err[6] != 0 {
            &line
        } else {
            line.trim_end()
        };
        let n = if rx_err[6] != 0 { 7 } else { 6 };
        s += &format!("\n{:w$}{}", "", nums(&rx_err[1..n], 1), w = c[0] + 5);
    }
    s += &head(
        "TX",
        [
            "bytes", "packets", "errors", "dropped", "carrier", "collsns",
        ],
        if tx[6] != 0 { "compressed" } else { "" },
    );
    s += &format!("\n    {}", nums(&tx[..n_tx], 0));
    if level > 1 {
        s += &format!(
            "\n    TX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}",
            "",
            "aborted",
            "fifo",
            "window",
            "heartbt",
            if cc.is_some() { "transns" } else { "" },
            w0 = c[0] - 10,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
        );
        // iproute2 sizes these columns one place to the right of where it
        // prints them; so does this, to line up with it.
        let mut vals = vec![
            st.tx_aborted_errors.get(),
            st.tx_fifo_errors.get(),
            st.tx_window_errors.get(),
            st.tx_heartbeat_errors.get(),
        ];
        if let Some(n) = cc {
            vals.push(u64::from(n));
        }
        s += &format!("\n{:w$}{}", "", nums(&vals, 1), w = c[0] + 5);
    }
    s
}

/// `ARPHRD_*` names as iproute2 prints them after `link/`.
pub fn link_type_name(t: u16) -> String {
    match t {
        0 => "netrom",
        1 => "ether",
        2 => "eether",
        3 => "ax25",
        4 => "pronet",
        5 => "chaos",
        6 => "ieee802",
        7 => "arcnet",
        8 => "appletlk",
        15 => "dlci",
        19 => "atm",
        23 => "metricom",
        24 => "ieee1394",
        27 => "eui64",
        32 => "infiniband",
        256 => "slip",
        257 => "cslip",
        258 => "slip6",
        259 => "cslip6",
        260 => "rsrvd",
        264 => "adapt",
        270 => "rose",
        271 => "x25",
        272 => "hwx25",
        280 => "can",
        512 => "ppp",
        513 => "cisco",
        516 => "lapb",
        517 => "ddcmp",
        518 => "rawhdlc",
        519 => "rawip",
        768 => "ipip",
        769 => "tunnel6",
        770 => "frad",
        771 => "skip",
        772 => "loopback",
        773 => "localtlk",
        774 => "fddi",
        775 => "bif",
        776 => "sit",
        777 => "ip/ddp",
        778 => "gre",
        779 => "pimreg",
        780 => "hippi",
        781 => "ash",
        782 => "econet",
        783 => "irda",
        800 => "tr",
        801 => "tr+",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        805 => "ieee802.15.4/monitor",
        820 => "phonet",
        821 => "phonet_pipe",
        822 => "caif",
        823 => "gre6",
        824 => "netlink",
        825 => "6lowpan",
        826 => "vsockmon",
        65534 => "none",
        65535 => "void",
        _ => return format!("[{t}]"),
    }
    .to_string()
}

/// A hardware address as iproute2 shows it: IPv4/IPv6 for tunnels, else `aa:bb:..`.
fn hw_string(b: &[u8]) -> String {
    match b.len() {
        4 => Ipv4Addr::from(<[u8; 4]>::try_from(b).expect("4 bytes")).to_string(),
        16 => Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("16 bytes")).to_string(),
        _ => mac_string(b),
    }
}

fn group_str(g: u32) -> String {
    if g == 0 {
        "default".into()
    } else {
        g.to_string()
    }
}

/// True when the link's `IFLA_LINK` device is here and down (`M-DOWN`).
fn lower_down(v: &LinkView<'_>, names: &mut Names) -> bool {
    match (v.link, v.link_netnsid) {
        (Some(l), None) if l != 0 => names
            .get(l)
            .is_some_and(|b| b.flags & nlkit::route::link::IFF_UP == 0),
        _ => false,
    }
}

/// `name@peer`, as iproute2 shows a link with an `IFLA_LINK`.
fn name_at(v: &LinkView<'_>, names: &mut Names) -> String {
    let name = v
        .name
        .map_or_else(|| "?".to_string(), |n| name_str(n).into_owned());
    match (v.link, v.link_netnsid) {
        (Some(0), _) => format!("{name}@NONE"),
        (Some(l), Some(_)) => format!("{name}@if{l}"),
        (Some(l), None) => format!("{name}@{}", names.name(l)),
        (None, _) => name,
    }
}

/// A link's fields, as `ip link` / `ip addr` print them (text: the first
/// line, the `link/ether` line with `opts.ll`, the kind's lines with
/// `opts.details`, alias, counters, altnames; JSON: the members of its
/// object, in the same order, as ip 6.1).
pub(crate) fn write_link_fields(
    e: &mut Emit<'_>,
    v: &LinkView<'_>,
    names: &mut Names,
    opts: LinkOpts,
) {
    e.num("ifindex", "", v.index(), ": ");
    if e.json {
        write_link_names(e, v, names);
    } else {
        let n = name_at(v, names);
        e.text(&n);
        e.text(": ");
    }
    write_flags(e, v, names, "<", ">");
    if let Some(m) = v.mtu {
        e.num("mtu", " mtu ", m, "");
    }
    if let Some(q) = v.qdisc {
        e.str("qdisc", " qdisc ", &q.to_string(), "");
    }
    if let Some(m) = v.master {
        e.dev("master", " master ", names, m, "");
    }
    if let Some(o) = v.operstate {
        e.str("operstate", " state ", operstate_name(o), "");
    }
    if let Some(m) = v.linkmode.filter(|_| opts.do_link) {
        let n = if m == 1 { "DORMANT" } else { "DEFAULT" };
        e.str("linkmode", " mode ", n, "");
    }
    if let Some(g) = v.group {
        e.str("group", " group ", &group_str(g), "");
    }
    if let Some(q) = v.txqlen {
        e.num("txqlen", " qlen ", q, "");
    }
    if opts.ll {
        e.str(
            "link_type",
            "\n    link/",
            &link_type_name(v.link_type()),
            "",
        );
        match v.address {
            Some(a) => e.str("address", " ", &hw_string(a), ""),
            // ip leaves a blank after the type when there is no address.
            None => e.text(" "),
        }
        if let Some(b) = v.broadcast {
            let pointopoint = v.flags() & nlkit::route::link::IFF_POINTOPOINT != 0;
            let pre = if pointopoint { " peer " } else { " brd " };
            e.str("broadcast", pre, &hw_string(b), "");
        }
        if let Some(p) = v.perm_address.filter(|&p| Some(p) != v.address) {
            e.str("permaddr", " permaddr ", &hw_string(p), "");
        }
    }
    if let Some(n) = v.link_netnsid {
        if e.json {
            e.json_num("link_netnsid", n);
        } else if opts.ll {
            // ip names the peer's netns when it has a name under /run/netns.
            match names.netns_name(n) {
                Some(name) => e.text_val(format_args!(" link-netns {name}")),
                None if n >= 0 => e.text_val(format_args!(" link-netnsid {n}")),
                None => e.text(" link-netnsid unknown"),
            }
        }
    }
    if opts.details && (opts.ll || e.json) {
        // ip's spacing: ` promiscuity 0 `, ` allmulti 0 `, then `word value ` each.
        if let Some(p) = v.promiscuity {
            e.num("promiscuity", " promiscuity ", p, " ");
        }
        if let Some(a) = v.allmulti {
            e.num("allmulti", " allmulti ", a, " ");
        }
        if let Some(m) = v.min_mtu {
            e.num("min_mtu", "minmtu ", m, " ");
        }
        if let Some(m) = v.max_mtu {
            e.num("max_mtu", "maxmtu ", m, " ");
        }
        if v.kind.is_some() || v.slave_kind.is_some() {
            e.open_obj(Some("linkinfo"));
            if let Some(k) = v.kind {
                e.str("info_kind", "\n    ", k, " ");
                let m = e.open_obj_mark("info_data");
                write_kind_details(e, v, names);
                e.close_obj_or_drop(m);
            }
            if let Some(k) = v.slave_kind {
                e.str("info_slave_kind", "\n    ", k, "_slave ");
                let m = e.open_obj_mark("info_slave_data");
                write_slave_details(e, v);
                e.close_obj_or_drop(m);
            }
            e.close_obj();
        }
        if let Some(m) = v.addr_gen_mode().filter(|_| opts.do_link) {
            e.str(
                "inet6_addr_gen_mode",
                "addrgenmode ",
                addr_gen_mode_name(m),
                " ",
            );
        }
        for (word, key, n) in queue_details(v) {
            if let Some(n) = n {
                e.num(key, word, n, " ");
            }
        }
    }
    // With -d, ip prints the alias and altnames after the details.
    if let (Some(a), true) = (v.alias, opts.do_link || opts.details) {
        e.name("ifalias", "\n    alias ", a, "");
    }
    write_stats(e, v, opts.stats);
    if v.alt_names().next().is_some() {
        e.open_arr("altnames");
        for n in v.alt_names() {
            if e.json {
                e.item(&name_json(n), "");
            } else {
                e.text("\n    altname ");
                e.text(&name_str(n));
            }
        }
        e.close_arr();
    }
}

fn vlan_proto_name(p: u16) -> String {
    match p {
        0x8100 => "802.1Q".into(),
        0x88a8 => "802.1ad".into(),
        p => format!("{p:#06x}"),
    }
}

/// `IFLA_INFO_DATA` of `v` as ip prints it: text items (`id 42 `, each
/// with its trailing blank), JSON the members of `info_data`.
fn write_kind_details(e: &mut Emit<'_>, v: &LinkView<'_>, names: &mut Names) {
    let Ok(Some(info)) = v.info() else {
        return;
    };
    let on = |x: Option<u8>| x.is_some_and(|x| x != 0);
    match &info.data {
        InfoData::Vxlan(x) => {
            if let Some(id) = x.id {
                e.num("id", "id ", id, " ");
            }
            if let Some(r) = x.remote {
                let (key, pre) = match (r.is_multicast(), r.is_ipv6()) {
                    (true, false) => ("group", "group "),
                    (true, true) => ("group6", "group "),
                    (false, false) => ("remote", "remote "),
                    (false, true) => ("remote6", "remote "),
                };
                e.plain_str(key, pre, r, " ");
            }
            if let Some(l) = x.local {
                let key = if l.is_ipv6() { "local6" } else { "local" };
                e.plain_str(key, "local ", l, " ");
            }
            if let Some(dv) = x.dev {
                e.dev("link", "dev ", names, dv, " ");
            }
            if let Some(pr) = x.port_range {
                e.open_obj(Some("port_range"));
                e.num("low", "srcport ", pr >> 16, " ");
                e.num("high", "", pr & 0xffff, " ");
                e.close_obj();
            }
            if let Some(p) = x.port {
                e.num("port", "dstport ", p, " ");
            }
            if let Some(l) = x.learning {
                if l == 0 {
                    e.text("nolearning ");
                }
                e.json_bool("learning", l != 0);
            }
            for (set, word) in [
                (x.proxy, "proxy"),
                (x.rsc, "rsc"),
                (x.l2miss, "l2miss"),
                (x.l3miss, "l3miss"),
            ] {
                if on(set) {
                    e.truth(word, word, " ");
                }
            }
            match x.tos {
                // ip 6.1 prints `tos inherit` but "0x1" in JSON.
                Some(1) => json_or_text(e, |e| e.str("tos", "", "0x1", ""), "tos inherit "),
                Some(t) if t != 0 => e.plain_str("tos", "tos ", format_args!("{t:#x}"), " "),
                _ => {}
            }
            match x.ttl {
                Some(0) => json_or_text(e, |e| e.json_num("ttl", 0u8), "ttl auto "),
                Some(t) => e.num("ttl", "ttl ", t, " "),
                None => {}
            }
            match x.df {
                Some(1) => e.str("df", "df ", "set", " "),
                Some(2) => e.str("df", "df ", "inherit", " "),
                Some(_) => json_or_text(e, |e| e.str("df", "", "unset", ""), ""),
                None => {}
            }
            if let Some(l) = x.label.filter(|&l| l != 0) {
                e.plain_str("label", "flowlabel ", format_args!("{l:#x}"), " ");
            }
            if let Some(a) = x.ageing {
                e.num("ageing", "ageing ", a, " ");
            }
            if let Some(l) = x.limit.filter(|&l| l != 0) {
                e.num("limit", "maxaddr ", l, " ");
            }
            for (set, word, key) in [
                (x.udp_csum, "udpcsum ", "udp_csum"),
                (x.udp_zero_csum6_tx, "udp6zerocsumtx ", "udp_zero_csum6_tx"),
                (x.udp_zero_csum6_rx, "udp6zerocsumrx ", "udp_zero_csum6_rx"),
            ] {
                if let Some(c) = set {
                    if c == 0 {
                        e.text("no");
                    }
                    e.text(word);
                    e.json_bool(key, c != 0);
                }
            }
        }
        InfoData::Macvlan(m) => {
            if let Some(n) = m.mode.and_then(macvlan_mode_name) {
                e.str("mode", "mode ", n, " ");
            }
            if let Some(q) = m.bc_queue_len {
                e.num("bcqueuelen", "bcqueuelen ", q, " ");
            }
            if let Some(q) = m.bc_queue_len_used {
                e.num("usedbcqueuelen", "usedbcqueuelen ", q, " ");
            }
        }
        InfoData::Vlan(vl) => {
            if let Some(p) = vl.protocol {
                e.str("protocol", "protocol ", &vlan_proto_name(p), " ");
            }
            if let Some(id) = vl.id {
                e.num("id", "id ", id, " ");
            }
            if let Some(f) = v.info_data.and_then(vlan_flags) {
                write_vlan_flags(e, f);
            }
        }
        InfoData::Bridge(_) => {
            if let Some(a) = v.info_data {
                write_table(e, a, BRIDGE_DETAILS);
            }
        }
        InfoData::Tun(t) => {
            // As ip's tun_print_opt: each attribute only if the kernel sent it.
            if let Some(ty) = t.tun_type {
                match ty {
                    1 => e.str("type", "type ", "tun", " "),
                    2 => e.str("type", "type ", "tap", " "),
                    n => e.plain_str("type", "type ", format_args!("UNKNOWN:{n}"), " "),
                }
            }
            for (v, k) in [(t.pi, "pi "), (t.vnet_hdr, "vnet_hdr ")] {
                if let Some(x) = v {
                    write_on_off(e, k.trim_end(), k, x != 0);
                }
            }
            if t.multi_queue.is_some_and(|m| m != 0) {
                e.truth("multi_queue", "multi_queue", " ");
                for (v, k, pre) in [
                    (t.num_queues, "numqueues", "numqueues "),
                    (t.num_disabled_queues, "numdisabled", "numdisabled "),
                ] {
                    if let Some(n) = v {
                        e.num(k, pre, n, " ");
                    }
                }
            } else {
                e.json_bool("multi_queue", false);
            }
            if let Some(x) = t.persist {
                write_on_off(e, "persist", "persist ", x != 0);
            }
            // A name from the user or group database, else the number.
            for (v, k, pre, db) in [
                (t.owner, "user", "user ", IdDb::Users),
                (t.group, "group", "group ", IdDb::Groups),
            ] {
                if let Some(id) = v {
                    match db.name(id) {
                        Some(n) => e.str(k, pre, &n, " "),
                        None => e.num(k, pre, id, " "),
                    }
                }
            }
        }
        _ => {
            if let (Some("vrf"), Some(a)) = (v.kind, v.info_data) {
                write_table(e, a, VRF_DETAILS);
            }
        }
    }
}

/// JSON: what `json` writes; text: `text`.
fn json_or_text(e: &mut Emit<'_>, json: impl FnOnce(&mut Emit<'_>), text: &str) {
    if e.json {
        json(e);
    } else {
        e.text(text);
    }
}

/// Text `pre` `on|off` and a blank; JSON `"key":true|false`.
fn write_on_off(e: &mut Emit<'_>, key: &str, pre: &str, on: bool) {
    if e.json {
        e.json_bool(key, on);
    } else {
        e.text(pre);
        e.text(if on { "on " } else { "off " });
    }
}
/// How ip prints one attribute of a bridge or bridge port.
#[derive(Clone, Copy)]
enum Fmt {
    /// A number (u8, u16, u32 or u64 by its length).
    Num,
    /// `on`/`off`; a bool in JSON.
    OnOff,
    /// `0x%x`, also in JSON (a string).
    Hex,
    /// C's `%#x` (as `0x%x`, but 0 is `0`), also in JSON (a string).
    CHex,
    /// A number in text, its decimal digits as a string in JSON.
    NumStr,
    /// Hundredths of a second: `%7.2f` in text, a number in JSON.
    Timer,
    /// `struct ifla_bridge_id`: `0064.2:0:0:0:0:3`.
    BridgeId,
    /// A MAC address.
    Mac,
    /// A port state (`BR_STATE_*`) by name.
    PortState,
    /// One bit of `IFLA_BR_MULTI_BOOLOPT`'s value, as 0 or 1.
    BoolOpt(u32),
    /// Text only (ip 6.1 leaves it out of JSON).
    TextOnOff,
}

use nlkit::route::link::{
    IFLA_BRPORT_BCAST_FLOOD, IFLA_BRPORT_BRIDGE_ID, IFLA_BRPORT_CONFIG_PENDING, IFLA_BRPORT_COST,
    IFLA_BRPORT_DESIGNATED_COST, IFLA_BRPORT_DESIGNATED_PORT, IFLA_BRPORT_FAST_LEAVE,
    IFLA_BRPORT_FORWARD_DELAY_TIMER, IFLA_BRPORT_GROUP_FWD_MASK, IFLA_BRPORT_GUARD,
    IFLA_BRPORT_HOLD_TIMER, IFLA_BRPORT_ID, IFLA_BRPORT_ISOLATED, IFLA_BRPORT_LEARNING,
    IFLA_BRPORT_LOCKED, IFLA_BRPORT_MCAST_FLOOD, IFLA_BRPORT_MCAST_TO_UCAST,
    IFLA_BRPORT_MESSAGE_AGE_TIMER, IFLA_BRPORT_MODE, IFLA_BRPORT_MULTICAST_ROUTER,
    IFLA_BRPORT_NEIGH_SUPPRESS, IFLA_BRPORT_NO, IFLA_BRPORT_PRIORITY, IFLA_BRPORT_PROTECT,
    IFLA_BRPORT_PROXYARP, IFLA_BRPORT_PROXYARP_WIFI, IFLA_BRPORT_ROOT_ID, IFLA_BRPORT_STATE,
    IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, IFLA_BRPORT_UNICAST_FLOOD, IFLA_BRPORT_VLAN_TUNNEL,
    IFLA_BR_AGEING_TIME, IFLA_BR_BRIDGE_ID, IFLA_BR_FORWARD_DELAY, IFLA_BR_GC_TIMER,
    IFLA_BR_GROUP_ADDR, IFLA_BR_GROUP_FWD_MASK, IFLA_BR_HELLO_TIME, IFLA_BR_HELLO_TIMER,
    IFLA_BR_MAX_AGE, IFLA_BR_MCAST_HASH_ELASTICITY, IFLA_BR_MCAST_HASH_MAX,
    IFLA_BR_MCAST_IGMP_VERSION, IFLA_BR_MCAST_LAST_MEMBER_CNT, IFLA_BR_MCAST_LAST_MEMBER_INTVL,
    IFLA_BR_MCAST_MEMBERSHIP_INTVL, IFLA_BR_MCAST_MLD_VERSION, IFLA_BR_MCAST_QUERIER,
    IFLA_BR_MCAST_QUERIER_INTVL, IFLA_BR_MCAST_QUERY_INTVL, IFLA_BR_MCAST_QUERY_RESPONSE_INTVL,
    IFLA_BR_MCAST_QUERY_USE_IFADDR, IFLA_BR_MCAST_ROUTER, IFLA_BR_MCAST_SNOOPING,
    IFLA_BR_MCAST_STARTUP_QUERY_CNT, IFLA_BR_MCAST_STARTUP_QUERY_INTVL,
    IFLA_BR_MCAST_STATS_ENABLED, IFLA_BR_MULTI_BOOLOPT, IFLA_BR_NF_CALL_ARPTABLES,
    IFLA_BR_NF_CALL_IP6TABLES, IFLA_BR_NF_CALL_IPTABLES, IFLA_BR_PRIORITY, IFLA_BR_ROOT_ID,
    IFLA_BR_ROOT_PATH_COST, IFLA_BR_ROOT_PORT, IFLA_BR_STP_STATE, IFLA_BR_TCN_TIMER,
    IFLA_BR_TOPOLOGY_CHANGE, IFLA_BR_TOPOLOGY_CHANGE_DETECTED, IFLA_BR_TOPOLOGY_CHANGE_TIMER,
    IFLA_BR_VLAN_DEFAULT_PVID, IFLA_BR_VLAN_FILTERING, IFLA_BR_VLAN_PROTOCOL,
    IFLA_BR_VLAN_STATS_ENABLED,
};

/// A bridge's settings in ip 6.1's order: (attribute, text word, JSON key, format).
#[rustfmt::skip]
const BRIDGE_DETAILS: &[(u16, &str, &str, Fmt)] = &[
    (IFLA_BR_FORWARD_DELAY, "forward_delay", "forward_delay", Fmt::Num),
    (IFLA_BR_HELLO_TIME, "hello_time", "hello_time", Fmt::Num),
    (IFLA_BR_MAX_AGE, "max_age", "max_age", Fmt::Num),
    (IFLA_BR_AGEING_TIME, "ageing_time", "ageing_time", Fmt::Num),
    (IFLA_BR_STP_STATE, "stp_state", "stp_state", Fmt::Num),
    (IFLA_BR_PRIORITY, "priority", "priority", Fmt::Num),
    (IFLA_BR_VLAN_FILTERING, "vlan_filtering", "vlan_filtering", Fmt::Num),
    (IFLA_BR_VLAN_PROTOCOL, "vlan_protocol", "vlan_protocol", Fmt::CHex),
    (IFLA_BR_BRIDGE_ID, "bridge_id", "bridge_id", Fmt::BridgeId),
    (IFLA_BR_ROOT_ID, "designated_root", "root_id", Fmt::BridgeId),
    (IFLA_BR_ROOT_PORT, "root_port", "root_port", Fmt::Num),
    (IFLA_BR_ROOT_PATH_COST, "root_path_cost", "root_path_cost", Fmt::Num),
    (IFLA_BR_TOPOLOGY_CHANGE, "topology_change", "topology_change", Fmt::Num),
    (IFLA_BR_TOPOLOGY_CHANGE_DETECTED, "topology_change_detected", "topology_change_detected", Fmt::Num),
    (IFLA_BR_HELLO_TIMER, "hello_timer", "hello_timer", Fmt::Timer),
    (IFLA_BR_TCN_TIMER, "tcn_timer", "tcn_timer", Fmt::Timer),
    (IFLA_BR_TOPOLOGY_CHANGE_TIMER, "topology_change_timer", "topology_change_timer", Fmt::Timer),
    (IFLA_BR_GC_TIMER, "gc_timer", "gc_timer", Fmt::Timer),
    (IFLA_BR_VLAN_DEFAULT_PVID, "vlan_default_pvid", "vlan_default_pvid", Fmt::Num),
    (IFLA_BR_VLAN_STATS_ENABLED, "vlan_stats_enabled", "vlan_stats_enabled", Fmt::Num),
    (IFLA_BR_GROUP_FWD_MASK, "group_fwd_mask", "group_fwd_mask", Fmt::CHex),
    (IFLA_BR_GROUP_ADDR, "group_address", "group_addr", Fmt::Mac),
    (IFLA_BR_MCAST_SNOOPING, "mcast_snooping", "mcast_snooping", Fmt::Num),
    (IFLA_BR_MULTI_BOOLOPT, "no_linklocal_learn", "no_linklocal_learn", Fmt::BoolOpt(0)),
    (IFLA_BR_MULTI_BOOLOPT, "mcast_vlan_snooping", "mcast_vlan_snooping", Fmt::BoolOpt(1)),
    (IFLA_BR_MCAST_ROUTER, "mcast_router", "mcast_router", Fmt::Num),
    (IFLA_BR_MCAST_QUERY_USE_IFADDR, "mcast_query_use_ifaddr", "mcast_query_use_ifaddr", Fmt::Num),
    (IFLA_BR_MCAST_QUERIER, "mcast_querier", "mcast_querier", Fmt::Num),
    (IFLA_BR_MCAST_HASH_ELASTICITY, "mcast_hash_elasticity", "mcast_hash_elasticity", Fmt::Num),
    (IFLA_BR_MCAST_HASH_MAX, "mcast_hash_max", "mcast_hash_max", Fmt::Num),
    (IFLA_BR_MCAST_LAST_MEMBER_CNT, "mcast_last_member_count", "mcast_last_member_cnt", Fmt::Num),
    (IFLA_BR_MCAST_STARTUP_QUERY_CNT, "mcast_startup_query_count", "mcast_startup_query_cnt", Fmt::Num),
    (IFLA_BR_MCAST_LAST_MEMBER_INTVL, "mcast_last_member_interval", "mcast_last_member_intvl", Fmt::Num),
    (IFLA_BR_MCAST_MEMBERSHIP_INTVL, "mcast_membership_interval", "mcast_membership_intvl", Fmt::Num),
    (IFLA_BR_MCAST_QUERIER_INTVL, "mcast_querier_interval", "mcast_querier_intvl", Fmt::Num),
    (IFLA_BR_MCAST_QUERY_INTVL, "mcast_query_interval", "mcast_query_intvl", Fmt::Num),
    (IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, "mcast_query_response_interval", "mcast_query_response_intvl", Fmt::Num),
    (IFLA_BR_MCAST_STARTUP_QUERY_INTVL, "mcast_startup_query_interval", "mcast_startup_query_intvl", Fmt::Num),
    (IFLA_BR_MCAST_STATS_ENABLED, "mcast_stats_enabled", "mcast_stats_enabled", Fmt::Num),
    (IFLA_BR_MCAST_IGMP_VERSION, "mcast_igmp_version", "mcast_igmp_version", Fmt::Num),
    (IFLA_BR_MCAST_MLD_VERSION, "mcast_mld_version", "mcast_mld_version", Fmt::Num),
    (IFLA_BR_NF_CALL_IPTABLES, "nf_call_iptables", "nf_call_iptables", Fmt::Num),
    (IFLA_BR_NF_CALL_IP6TABLES, "nf_call_ip6tables", "nf_call_ip6tables", Fmt::Num),
    (IFLA_BR_NF_CALL_ARPTABLES, "nf_call_arptables", "nf_call_arptables", Fmt::Num),
];

/// A bridge port's settings in ip 6.1's order.
#[rustfmt::skip]
/// `IFLA_VLAN_FLAGS` (2, `struct ifla_vlan_flags`): its `flags`.
fn vlan_flags(data: nlkit::wire::Attr<'_>) -> Option<u32> {
    let a = data.nested().map_while(Result::ok).find(|a| a.kind() == 2)?;
    Some(u32::from_ne_bytes(a.payload().get(..4)?.try_into().ok()?))
}

/// ip's `<REORDER_HDR,...>` (JSON `"flags": [...]`), in ip's order; bits
/// it has no name for as hex, as ip prints them.
fn write_vlan_flags(e: &mut Emit<'_>, mut f: u32) {
    e.open_arr("flags");
    e.text("<");
    let mut first = true;
    for (bit, name) in [
        (0x1, "REORDER_HDR"),
        (0x2, "GVRP"),
        (0x8, "MVRP"),
        (0x4, "LOOSE_BINDING"),
        (0x10, "BRIDGE_BINDING"),
    ] {
        if f & bit != 0 {
            f &= !bit;
            if !first {
                e.text(",");
            }
            first = false;
            e.item(name, "");
        }
    }
    if f != 0 {
        if !first {
            e.text(",");
        }
        e.item(&format!("{f:x}"), "");
    }
    e.text("> ");
    e.close_arr();
}
/// vrf's `IFLA_VRF_TABLE` and its port's `IFLA_VRF_PORT_TABLE` (both 1).
const VRF_DETAILS: &[(u16, &str, &str, Fmt)] = &[(IFLA_VRF_TABLE, "table", "table", Fmt::Num)];

const BRPORT_DETAILS: &[(u16, &str, &str, Fmt)] = &[
    (IFLA_BRPORT_STATE, "state", "state", Fmt::PortState),
    (IFLA_BRPORT_PRIORITY, "priority", "priority", Fmt::Num),
    (IFLA_BRPORT_COST, "cost", "cost", Fmt::Num),
    (IFLA_BRPORT_MODE, "hairpin", "hairpin", Fmt::OnOff),
    (IFLA_BRPORT_GUARD, "guard", "guard", Fmt::OnOff),
    (IFLA_BRPORT_PROTECT, "root_block", "root_block", Fmt::OnOff),
    (IFLA_BRPORT_FAST_LEAVE, "fastleave", "fastleave", Fmt::OnOff),
    (IFLA_BRPORT_LEARNING, "learning", "learning", Fmt::OnOff),
    (IFLA_BRPORT_UNICAST_FLOOD, "flood", "flood", Fmt::OnOff),
    (IFLA_BRPORT_ID, "port_id", "id", Fmt::CHex),
    (IFLA_BRPORT_NO, "port_no", "no", Fmt::CHex),
    (
        IFLA_BRPORT_DESIGNATED_PORT,
        "designated_port",
        "designated_port",
        Fmt::Num,
    ),
    (
        IFLA_BRPORT_DESIGNATED_COST,
        "designated_cost",
        "designated_cost",
        Fmt::Num,
    ),
    (
        IFLA_BRPORT_BRIDGE_ID,
        "designated_bridge",
        "bridge_id",
        Fmt::BridgeId,
    ),
    (
        IFLA_BRPORT_ROOT_ID,
        "designated_root",
        "root_id",
        Fmt::BridgeId,
    ),
    (
        IFLA_BRPORT_HOLD_TIMER,
        "hold_timer",
        "hold_timer",
        Fmt::Timer,
    ),
    (
        IFLA_BRPORT_MESSAGE_AGE_TIMER,
        "message_age_timer",
        "message_age_timer",
        Fmt::Timer,
    ),
    (
        IFLA_BRPORT_FORWARD_DELAY_TIMER,
        "forward_delay_timer",
        "forward_delay_timer",
        Fmt::Timer,
    ),
    (
        IFLA_BRPORT_TOPOLOGY_CHANGE_ACK,
        "topology_change_ack",
        "topology_change_ack",
        Fmt::Num,
    ),
    (
        IFLA_BRPORT_CONFIG_PENDING,
        "config_pending",
        "config_pending",
        Fmt::Num,
    ),
    (IFLA_BRPORT_PROXYARP, "proxy_arp", "proxy_arp", Fmt::OnOff),
    (
        IFLA_BRPORT_PROXYARP_WIFI,
        "proxy_arp_wifi",
        "proxy_arp_wifi",
        Fmt::OnOff,
    ),
    (
        IFLA_BRPORT_MULTICAST_ROUTER,
        "mcast_router",
        "multicast_router",
        Fmt::Num,
    ),
    (
        IFLA_BRPORT_FAST_LEAVE,
        "mcast_fast_leave",
        "",
        Fmt::TextOnOff,
    ),
    (
        IFLA_BRPORT_MCAST_FLOOD,
        "mcast_flood",
        "mcast_flood",
        Fmt::OnOff,
    ),
    (
        IFLA_BRPORT_BCAST_FLOOD,
        "bcast_flood",
        "bcast_flood",
        Fmt::OnOff,
    ),
    (
        IFLA_BRPORT_MCAST_TO_UCAST,
        "mcast_to_unicast",
        "mcast_to_unicast",
        Fmt::OnOff,
    ),
    (
        IFLA_BRPORT_NEIGH_SUPPRESS,
        "neigh_suppress",
        "neigh_suppress",
        Fmt::OnOff,
    ),
    (
        IFLA_BRPORT_GROUP_FWD_MASK,
        "group_fwd_mask",
        "group_fwd_mask",
        Fmt::NumStr,
    ),
    (
        IFLA_BRPORT_GROUP_FWD_MASK,
        "group_fwd_mask_str",
        "group_fwd_mask_str",
        Fmt::Hex,
    ),
    (
        IFLA_BRPORT_VLAN_TUNNEL,
        "vlan_tunnel",
        "vlan_tunnel",
        Fmt::OnOff,
    ),
    (IFLA_BRPORT_ISOLATED, "isolated", "isolated", Fmt::OnOff),
    (IFLA_BRPORT_LOCKED, "locked", "locked", Fmt::OnOff),
];

/// The unsigned number in `b` (1, 2, 4 or 8 bytes, host order).
fn ne_uint(b: &[u8]) -> Option<u64> {
    Some(match b.len() {
        1 => u64::from(b[0]),
        2 => u64::from(u16::from_ne_bytes(b.try_into().ok()?)),
        4 => u64::from(u32::from_ne_bytes(b.try_into().ok()?)),
        8 => u64::from_ne_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// Writes the attributes of the nest `a` that `table` names, in its order:
/// text `word value `, JSON `"key":value`.
fn write_table(e: &mut Emit<'_>, a: nlkit::wire::Attr<'_>, table: &[(u16, &str, &str, Fmt)]) {
    let attrs: Vec<(u16, &[u8])> = a
        .nested()
        .map_while(Result::ok)
        .map(|x| (x.kind(), x.payload()))
        .collect();
    for &(ty, word, key, fmt) in table {
        let Some(&(_, b)) = attrs.iter().find(|(t, _)| *t == ty) else {
            continue;
        };
        // Each is `word value ` in text; the value follows a blank.
        e.text(word);
        // A value of an unexpected size is shown as its bytes, not dropped.
        let n = ne_uint(b);
        match (fmt, n) {
            (Fmt::Num, Some(n)) => e.num(key, " ", n, " "),
            (Fmt::NumStr, Some(n)) => e.plain_str(key, " ", n, " "),
            (Fmt::Hex | Fmt::CHex, Some(n)) => {
                // The VLAN protocol travels big-endian.
                let n = if ty == IFLA_BR_VLAN_PROTOCOL {
                    u64::from((n as u16).swap_bytes())
                } else {
                    n
                };
                match (fmt, n) {
                    (Fmt::CHex, 0) => e.plain_str(key, " ", "0", " "),
                    _ => e.plain_str(key, " ", format_args!("{n:#x}"), " "),
                }
            }
            (Fmt::OnOff, Some(n)) => write_on_off(e, key, " ", n != 0),
            (Fmt::TextOnOff, Some(n)) => e.text(if n != 0 { " on " } else { " off " }),
            (Fmt::Timer, Some(n)) => {
                // Hundredths of a second: `%7.2f` in text; in JSON two
                // decimals too (`0.00`), as ip prints them.
                if e.json {
                    e.json_num(key, format_args!("{}.{:02}", n / 100, n % 100));
                } else {
                    e.text_val(format_args!(" {:7.2} ", n as f64 / 100.0));
                }
            }
            (Fmt::PortState, Some(n)) => match n {
                0 => e.str(key, " ", "disabled", " "),
                1 => e.str(key, " ", "listening", " "),
                2 => e.str(key, " ", "learning", " "),
                3 => e.str(key, " ", "forwarding", " "),
                4 => e.str(key, " ", "blocking", " "),
                n => e.plain_str(key, " ", n, " "),
            },
            (Fmt::BoolOpt(bit), _) if b.len() >= 4 => {
                let val = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
                e.num(key, " ", (val >> bit) & 1, " ");
            }
            (Fmt::BridgeId, _) if b.len() == 8 => e.plain_str(
                key,
                " ",
                format_args!(
                    "{:02x}{:02x}.{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
                    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
                ),
                " ",
            ),
            _ => e.str(key, " ", &hw_string(b), " "),
        }
    }
}

/// `IFLA_INFO_SLAVE_DATA` of `v` (bridge and vrf ports), as ip prints it.
fn write_slave_details(e: &mut Emit<'_>, v: &LinkView<'_>) {
    match (v.slave_kind, v.slave_data) {
        (Some("bridge"), Some(a)) => write_table(e, a, BRPORT_DETAILS),
        (Some("vrf"), Some(a)) => write_table(e, a, VRF_DETAILS),
        _ => {}
    }
}
/// ip's names of `IN6_ADDR_GEN_MODE_*`.
fn addr_gen_mode_name(m: u8) -> &'static str {
    match m {
        0 => "eui64",
        1 => "none",
        2 => "stable_secret",
        3 => "random",
        _ => "unknown_mode",
    }
}

/// The counts ip prints after a link's kind with `-d`: (text word and its
/// blank, JSON key, value).
fn queue_details(v: &LinkView<'_>) -> [(&'static str, &'static str, Option<u32>); 7] {
    [
        ("numtxqueues ", "num_tx_queues", v.num_tx_queues),
        ("numrxqueues ", "num_rx_queues", v.num_rx_queues),
        ("gso_max_size ", "gso_max_size", v.gso_max_size),
        ("gso_max_segs ", "gso_max_segs", v.gso_max_segs),
        ("tso_max_size ", "tso_max_size", v.tso_max_size),
        ("tso_max_segs ", "tso_max_segs", v.tso_max_segs),
        ("gro_max_size ", "gro_max_size", v.gro_max_size),
    ]
}
