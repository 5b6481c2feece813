//! ss's command line: getopt-style options (clustered, in any position),
//! `state`/`exclude` words, then a filter expression; and ss's rules for
//! which tables, families and states that selects.

use super::names::Names;
use crate::error::CliError;
use crate::Global;
use nlkit::diag::filter::Expr;
use nlkit::diag::{states, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX};

/// ss's socket tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)]
pub enum Db {
    Tcp = 0,
    Mptcp,
    Dccp,
    Udp,
    Raw,
    UnixDg,
    UnixSt,
    UnixSq,
    PacketDg,
    PacketR,
    Netlink,
    Sctp,
    VsockSt,
    VsockDg,
    Tipc,
    Xdp,
}

const MAX_DB: usize = 16;
const AF_VSOCK: u8 = 40;
const AF_TIPC: u8 = 30;
const AF_XDP: u8 = 44;

const SS_CONN: u32 = states::SS_CONN;
const CLOSE: u32 = 1 << 7;
const EST: u32 = 1 << 1;
const TIPC_CONN: u32 = EST | (1 << 10) | CLOSE;

fn fam(f: u8) -> u64 {
    1u64 << f
}
const INET_FAMS: u64 = (1 << AF_INET) | (1 << AF_INET6);

/// (states, families) each table adds when chosen.
const DB_DEFAULTS: [(u32, u64); MAX_DB] = [
    (SS_CONN, INET_FAMS),
    (SS_CONN, INET_FAMS),
    (SS_CONN, INET_FAMS),
    (EST, INET_FAMS),
    (EST, INET_FAMS),
    (CLOSE, 1 << AF_UNIX),
    (SS_CONN, 1 << AF_UNIX),
    (SS_CONN, 1 << AF_UNIX),
    (CLOSE, 1 << AF_PACKET),
    (CLOSE, 1 << AF_PACKET),
    (CLOSE, 1 << AF_NETLINK),
    (SS_CONN, INET_FAMS),
    (SS_CONN, 1 << AF_VSOCK),
    (SS_CONN, 1 << AF_VSOCK),
    (TIPC_CONN, 1 << AF_TIPC),
    (CLOSE, 1 << AF_XDP),
];

fn dbm(dbs: &[Db]) -> u32 {
    dbs.iter().fold(0, |a, &d| a | 1 << d as u32)
}

/// (tables, states) each family adds when chosen.
fn af_defaults(af: u8) -> (u32, u32) {
    use Db::*;
    match af {
        AF_INET | AF_INET6 => (dbm(&[Tcp, Mptcp, Dccp, Udp, Sctp, Raw]), SS_CONN),
        AF_UNIX => (dbm(&[UnixDg, UnixSt, UnixSq]), SS_CONN),
        AF_PACKET => (dbm(&[PacketDg, PacketR]), CLOSE),
        AF_NETLINK => (dbm(&[Netlink]), CLOSE),
        AF_VSOCK => (dbm(&[VsockSt, VsockDg]), SS_CONN),
        AF_TIPC => (dbm(&[Tipc]), TIPC_CONN),
        AF_XDP => (dbm(&[Xdp]), CLOSE),
        _ => (0, 0),
    }
}

fn db_names(s: &str) -> Option<&'static [Db]> {
    use Db::*;
    Some(match s {
        "all" => &[
            Udp, Dccp, Tcp, Mptcp, Raw, UnixSt, UnixDg, UnixSq, PacketR, PacketDg, Netlink, Sctp,
            VsockSt, VsockDg, Xdp,
        ],
        "inet" => &[Udp, Dccp, Tcp, Mptcp, Sctp, Raw],
        "udp" => &[Udp],
        "dccp" => &[Dccp],
        "tcp" => &[Tcp],
        "mptcp" => &[Mptcp],
        "sctp" => &[Sctp],
        "raw" => &[Raw],
        "unix" => &[UnixSt, UnixDg, UnixSq],
        "unix_stream" | "u_str" => &[UnixSt],
        "unix_dgram" | "u_dgr" => &[UnixDg],
        "unix_seqpacket" | "u_seq" => &[UnixSq],
        "packet" => &[PacketR, PacketDg],
        "packet_raw" | "p_raw" => &[PacketR],
        "packet_dgram" | "p_dgr" => &[PacketDg],
        "netlink" => &[Netlink],
        "tipc" => &[Tipc],
        "vsock" => &[VsockSt, VsockDg],
        "vsock_stream" | "v_str" => &[VsockSt],
        "vsock_dgram" | "v_dgr" => &[VsockDg],
        "xdp" => &[Xdp],
        _ => return None,
    })
}

/// Everything the command line chose.
#[derive(Debug, Default)]
pub struct Opts {
    pub numeric: bool,
    pub show_options: bool,
    pub show_details: u8,
    pub show_mem: bool,
    pub show_tcpinfo: bool,
    pub show_tos: bool,
    pub show_cgroup: bool,
    pub show_processes: bool,
    pub summary: bool,
    /// `-s` alone: the summary and nothing else.
    pub only_summary: bool,
    pub kill: bool,
    pub header: bool,
    pub oneline: bool,
    pub json: bool,
    pub netns: Option<String>,
    pub dbs: u32,
    pub states: u32,
    pub families: u64,
    pub preferred_family: u8,
    pub filter: Option<Expr>,
    pub netid_column: bool,
    pub state_column: bool,
}

impl Opts {
    pub fn has_db(&self, d: Db) -> bool {
        self.dbs & (1 << d as u32) != 0
    }
    pub fn has_family(&self, f: u8) -> bool {
        self.families & fam(f) != 0
    }
}

struct Sel {
    dbs: u32,
    states: u32,
    families: u64,
    do_default: bool,
    preferred: u8,
}

impl Sel {
    fn db_set(&mut self, db: Db, on: bool) {
        if on {
            self.states |= DB_DEFAULTS[db as usize].0;
            self.dbs |= 1 << db as u32;
        } else {
            self.dbs &= !(1 << db as u32);
        }
        self.do_default = false;
    }
    fn db_parse(&mut self, s: &str) -> bool {
        let (on, s) = match s.strip_prefix('!') {
            Some(r) => (false, r),
            None => (true, s),
        };
        match db_names(s) {
            Some(l) => {
                for &d in l {
                    self.db_set(d, on);
                }
                true
            }
            None => false,
        }
    }
    fn af_set(&mut self, af: u8) {
        self.states |= af_defaults(af).1;
        self.families |= fam(af);
        self.do_default = false;
        self.preferred = af;
    }
    fn merge_defaults(&mut self) {
        for (db, &(_, f)) in DB_DEFAULTS.iter().enumerate() {
            if self.dbs & (1 << db) != 0 && f & self.families == 0 {
                self.families |= f;
            }
        }
        for af in 0..64u8 {
            if self.families & fam(af) != 0 {
                let d = af_defaults(af).0;
                if d & self.dbs == 0 {
                    self.dbs |= d;
                }
            }
        }
    }
}

/// The usage text (`-h`).
pub const USAGE: &str = "\
Usage: nlkit ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -i, --info          show internal TCP information
       --tos           show tos and priority information
       --cgroup        show cgroup information
   -p, --processes     show process using socket
   -s, --summary       show socket usage summary
   -K, --kill          forcibly close sockets, display what was closed
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line
   -j, --json          one JSON object per socket (nlkit's own; see docs/json.md)

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKet sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -u, --udp           display only UDP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink|help}

   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|netlink}[,QUERY]

   -N, --net=NETNS     switch to the specified network namespace name

   FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
   STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
     TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
   EXPRESSION: ( dport = :22 or sport = :22 ), src 10.0.0.0/8, dport > :1024, dev NAME, fwmark 0x5/0xff, autobound
";

fn unsupported(what: &str) -> CliError {
    CliError::usage(format!("ss: {what} is not supported by nlkit ss"))
}

/// Parses the arguments after `ss`; `None` if the command is done (`-h`, `-V`).
pub fn parse(g: &Global, args: &[String]) -> Result<Option<Opts>, CliError> {
    let mut o = Opts {
        header: true,
        json: g.json,
        netns: g.netns.clone(),
        ..Default::default()
    };
    let mut sel = Sel {
        dbs: 0,
        states: 0,
        families: 0,
        do_default: true,
        preferred: 0,
    };
    if g.ipv4 {
        sel.af_set(AF_INET);
    }
    if g.ipv6 {
        sel.af_set(AF_INET6);
    }
    let mut state_filter = 0u32;
    let mut saw_query = false;
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    let mut only_positional = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if only_positional || a == "-" || !a.starts_with('-') {
            rest.push(a.clone());
            continue;
        }
        if a == "--" {
            only_positional = true;
            continue;
        }
        // (option letter, value)
        let mut opts: Vec<(char, Option<String>)> = Vec::new();
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let c = match name {
                "numeric" => 'n',
                "resolve" => 'r',
                "all" => 'a',
                "listening" => 'l',
                "options" => 'o',
                "extended" => 'e',
                "memory" => 'm',
                "info" => 'i',
                "processes" => 'p',
                "threads" => 'T',
                "bpf" => 'b',
                "events" => 'E',
                "dccp" => 'd',
                "tcp" => 't',
                "sctp" => 'S',
                "udp" => 'u',
                "raw" => 'w',
                "unix" => 'x',
                "mptcp" => 'M',
                "all-sockets" => 'a',
                "ipv4" => '4',
                "ipv6" => '6',
                "packet" => '0',
                "family" => 'f',
                "socket" | "query" => 'A',
                "summary" => 's',
                "diag" => 'D',
                "filter" => 'F',
                "version" => 'V',
                "help" => 'h',
                "context" => 'Z',
                "contexts" => 'z',
                "net" => 'N',
                "kill" => 'K',
                "no-header" => 'H',
                "oneline" => 'O',
                "json" => 'j',
                "tos" => '\u{1}',
                "cgroup" => '\u{2}',
                "inet-sockopt" | "vsock" | "tipc" | "tipcinfo" | "xdp" => {
                    return Err(unsupported(&format!("--{name}")))
                }
                _ => return Err(CliError::usage(format!("ss: unknown option --{name}"))),
            };
            let val = if "fADFN".contains(c) && val.is_none() {
                let v = args.get(i).cloned();
                i += 1;
                Some(v.ok_or_else(|| CliError::usage(format!("ss: --{name} needs a value")))?)
            } else {
                val
            };
            opts.push((c, val));
        } else {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                if "fADFN".contains(c) {
                    let v = if k < chars.len() {
                        let v: String = chars[k..].iter().collect();
                        k = chars.len();
                        v
                    } else {
                        let v = args.get(i).cloned();
                        i += 1;
                        v.ok_or_else(|| CliError::usage(format!("ss: -{c} needs a value")))?
                    };
                    opts.push((c, Some(v)));
                } else {
                    opts.push((c, None));
                }
            }
        }
        for (c, v) in opts {
            let v = v.unwrap_or_default();
            match c {
                'n' => o.numeric = true,
                'o' => o.show_options = true,
                'e' => {
                    o.show_options = true;
                    o.show_details += 1;
                }
                'm' => o.show_mem = true,
                'i' => o.show_tcpinfo = true,
                't' => sel.db_set(Db::Tcp, true),
                'u' => sel.db_set(Db::Udp, true),
                'w' => sel.db_set(Db::Raw, true),
                'M' => sel.db_set(Db::Mptcp, true),
                'x' => sel.af_set(AF_UNIX),
                'a' => state_filter = states::ALL,
                'l' => state_filter = (1 << 10) | CLOSE,
                '4' => sel.af_set(AF_INET),
                '6' => sel.af_set(AF_INET6),
                '0' => sel.af_set(AF_PACKET),
                'f' => match v.as_str() {
                    "inet" => sel.af_set(AF_INET),
                    "inet6" => sel.af_set(AF_INET6),
                    "link" => sel.af_set(AF_PACKET),
                    "unix" => sel.af_set(AF_UNIX),
                    "netlink" => sel.af_set(AF_NETLINK),
                    "help" => {
                        print!("{USAGE}");
                        return Ok(None);
                    }
                    f => return Err(CliError::usage(format!("ss: \"{f}\" is invalid family"))),
                },
                'A' => {
                    if !saw_query {
                        sel.dbs = 0;
                        if state_filter == 0 {
                            state_filter = SS_CONN;
                        }
                        saw_query = true;
                        sel.do_default = false;
                    }
                    for p in v.split(',') {
                        if !sel.db_parse(p) {
                            return Err(CliError::usage(format!(
                                "ss: \"{p}\" is illegal socket table id"
                            )));
                        }
                    }
                }
                's' => o.summary = true,
                'N' => o.netns = Some(v),
                'K' => o.kill = true,
                'H' => o.header = false,
                'O' => o.oneline = true,
                'j' => o.json = true,
                '\u{1}' => o.show_tos = true,
                '\u{2}' => o.show_cgroup = true,
                'V' | 'v' => {
                    println!("ss utility (nlkit {})", env!("CARGO_PKG_VERSION"));
                    return Ok(None);
                }
                'h' => {
                    print!("{USAGE}");
                    return Ok(None);
                }
                'r' => return Err(unsupported("-r (resolving host names)")),
                'p' => o.show_processes = true,
                'T' => return Err(unsupported("-T (threads)")),
                'b' => return Err(unsupported("-b (BPF filters)")),
                'E' => return Err(unsupported("-E (events)")),
                'd' => return Err(unsupported("-d (DCCP)")),
                'S' => return Err(unsupported("-S (SCTP)")),
                'D' | 'F' => return Err(unsupported(&format!("-{c}"))),
                'z' | 'Z' => return Err(unsupported("-Z (SELinux contexts)")),
                c => return Err(CliError::usage(format!("ss: invalid option -- '{c}'"))),
            }
        }
    }
    if o.summary && sel.do_default && rest.is_empty() {
        o.only_summary = true;
        return Ok(Some(o));
    }
    let mut saw_states = false;
    let mut k = 0;
    while k < rest.len() {
        let w = rest[k].as_str();
        if w != "state" && w != "exclude" && w != "excl" {
            break;
        }
        let Some(v) = rest.get(k + 1) else {
            return Err(CliError::usage(format!("ss: \"{w}\" needs a state")));
        };
        let m = states::parse(v)
            .ok_or_else(|| CliError::usage(format!("ss: wrong state name: {v}")))?;
        if w == "state" {
            if !saw_states {
                state_filter = 0;
            }
            state_filter |= m;
        } else {
            if !saw_states {
                state_filter = states::ALL;
            }
            state_filter &= !m;
        }
        saw_states = true;
        k += 2;
    }
    let rest = &rest[k..];
    if sel.do_default {
        if state_filter == 0 {
            state_filter = SS_CONN;
        }
        sel.db_parse("all");
    }
    if state_filter != 0 {
        sel.states = state_filter;
    }
    sel.merge_defaults();
    if sel.dbs == 0 {
        return Err(CliError::Other(
            "ss: no socket tables to show with such filter.".into(),
        ));
    }
    if sel.families == 0 {
        return Err(CliError::Other(
            "ss: no families to show with such filter.".into(),
        ));
    }
    if sel.states == 0 {
        return Err(CliError::Other(
            "ss: no socket states to show with such filter.".into(),
        ));
    }
    o.dbs = sel.dbs;
    let names = Names::new(&o);
    let parsed = super::parse_filter(rest, sel.preferred, &names)?;
    if let Some(f) = parsed.family {
        let st = sel.states;
        sel.families = 0;
        sel.af_set(f);
        sel.states = st;
    }
    o.filter = parsed.expr;
    o.netid_column = sel.dbs & (sel.dbs.wrapping_sub(1)) != 0;
    o.state_column = sel.states & (sel.states.wrapping_sub(1)) != 0;
    o.dbs = sel.dbs;
    o.states = sel.states;
    o.families = sel.families;
    o.preferred_family = sel.preferred;
    Ok(Some(o))
}
