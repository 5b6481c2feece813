//! ss's filter expressions, and their compilation to `INET_DIAG_REQ_BYTECODE`.
//!
//! [`parse`] takes the words after ss's options (`( dport = :22 or sport =
//! :22 )`, `src 10.0.0.0/8`, `dport > :1024`, `dev eth0`, `fwmark 0x5/0xff`,
//! `autobound`) with ss's grammar: operators chain left to right, `and` is
//! implied between two conditions. [`compile`] turns the tree into the
//! kernel's bytecode so that inet dumps are filtered in the kernel;
//! [`Expr::matches`] evaluates it in user space for the families the kernel
//! cannot filter (unix, netlink).
//!
//! The bytecode is a list of ops (`inet_diag_bc_op`: code, `yes`, `no`); a
//! condition that holds moves on by `yes` (the op's length), one that fails
//! jumps by `no`; landing exactly on the end accepts the socket, jumping 4
//! past it rejects it. Every compiled fragment follows that rule on its own,
//! so fragments are glued by moving their reject jumps.
//!
//! # References
//! `ss(8)` ("FILTER"), `net/ipv4/inet_diag.c` (`inet_diag_bc_run`, `inet_diag_bc_audit`).

use super::{AF_INET, AF_INET6, AF_UNIX};
use std::fmt;
use std::net::IpAddr;

/// `INET_DIAG_BC_JMP`.
pub const BC_JMP: u8 = 1;
/// `INET_DIAG_BC_S_GE`.
pub const BC_S_GE: u8 = 2;
/// `INET_DIAG_BC_S_LE`.
pub const BC_S_LE: u8 = 3;
/// `INET_DIAG_BC_D_GE`.
pub const BC_D_GE: u8 = 4;
/// `INET_DIAG_BC_D_LE`.
pub const BC_D_LE: u8 = 5;
/// `INET_DIAG_BC_AUTO`.
pub const BC_AUTO: u8 = 6;
/// `INET_DIAG_BC_S_COND`.
pub const BC_S_COND: u8 = 7;
/// `INET_DIAG_BC_D_COND`.
pub const BC_D_COND: u8 = 8;
/// `INET_DIAG_BC_DEV_COND`.
pub const BC_DEV_COND: u8 = 9;
/// `INET_DIAG_BC_MARK_COND`.
pub const BC_MARK_COND: u8 = 10;
/// `INET_DIAG_BC_CGROUP_COND`.
pub const BC_CGROUP_COND: u8 = 13;

/// An address condition (`src ...`, `dst ...`, `sport = :22`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// An inet prefix and/or a port.
    Inet {
        /// `AF_INET`, `AF_INET6`, or 0 for either.
        family: u8,
        /// Prefix length (0: any address).
        prefix_len: u8,
        /// The address, network order (IPv4 in the first four bytes).
        addr: [u8; 16],
        /// The port, if one is given.
        port: Option<u16>,
    },
    /// A unix socket name pattern (`unix:/run/*`; shell wildcards, case-insensitive).
    Unix(String),
}

/// A filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
    /// The local end matches.
    Src(Host),
    /// The remote end matches.
    Dst(Host),
    /// Local port >= n.
    SportGe(u16),
    /// Local port <= n.
    SportLe(u16),
    /// Remote port >= n.
    DportGe(u16),
    /// Remote port <= n.
    DportLe(u16),
    /// The local port was chosen by the kernel (`autobound`).
    Auto,
    /// Bound to this interface index.
    Dev(u32),
    /// `(mark & mask) == mark`.
    Mark {
        /// Value.
        mark: u32,
        /// Mask.
        mask: u32,
    },
    /// In this cgroup v2 (by id).
    Cgroup(u64),
}

/// Why an expression did not parse or compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

fn err<T>(s: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(s.into()))
}

/// Names the parser cannot know itself: services (`ssh`), interfaces, cgroups.
pub trait Resolve {
    /// The port of a service name.
    fn service(&self, _name: &str) -> Option<u16> {
        None
    }
    /// The index of an interface.
    fn ifindex(&self, _name: &str) -> Option<u32> {
        None
    }
    /// The id of a cgroup v2 path.
    fn cgroup(&self, _path: &str) -> Option<u64> {
        None
    }
}

/// A resolver that knows no names (numbers only).
#[derive(Clone, Copy, Debug, Default)]
pub struct Numeric;
impl Resolve for Numeric {}

/// What parsing found besides the tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The expression, `None` if there were no words.
    pub expr: Option<Expr>,
    /// A family named with a prefix (`unix:`, `inet:`, `inet6:`): ss then
    /// shows only that family. The last one wins.
    pub family: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Not,
    And,
    Or,
    Open,
    Close,
    Src,
    Dst,
    Sport,
    Dport,
    Dev,
    Fwmark,
    Cgroup,
    Ge,
    Le,
    Ne,
    Eq,
    Gt,
    Lt,
    Auto,
    Word(String),
}

fn lex(words: &[&str]) -> Vec<Tok> {
    let mut out = Vec::new();
    for w in words {
        for t in w.split_whitespace() {
            // "(dport" and "22)" as well as "( dport" and "22 )"
            let mut t = t;
            while let Some(r) = t.strip_prefix('(') {
                out.push(Tok::Open);
                t = r;
            }
            let mut closes = 0;
            while let Some(r) = t.strip_suffix(')') {
                closes += 1;
                t = r;
            }
            if !t.is_empty() {
                out.push(match t {
                    "!" | "not" => Tok::Not,
                    "&" | "&&" | "and" => Tok::And,
                    "|" | "||" | "or" => Tok::Or,
                    "dst" => Tok::Dst,
                    "src" => Tok::Src,
                    "dport" => Tok::Dport,
                    "sport" => Tok::Sport,
                    "dev" => Tok::Dev,
                    "fwmark" => Tok::Fwmark,
                    "cgroup" => Tok::Cgroup,
                    ">=" | "ge" | "geq" => Tok::Ge,
                    "<=" | "le" | "leq" => Tok::Le,
                    "!=" | "ne" | "neq" => Tok::Ne,
                    "=" | "==" | "eq" => Tok::Eq,
                    ">" | "gt" => Tok::Gt,
                    "<" | "lt" => Tok::Lt,
                    "autobound" => Tok::Auto,
                    w => Tok::Word(w.to_string()),
                });
            }
            out.extend(std::iter::repeat_n(Tok::Close, closes));
        }
    }
    out
}

struct Parser<'r> {
    toks: Vec<Tok>,
    pos: usize,
    family: u8,
    seen_family: Option<u8>,
    r: &'r dyn Resolve,
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

fn negate_if(neg: bool, e: Expr) -> Expr {
    if neg {
        not(e)
    } else {
        e
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn starts_expr(t: &Tok) -> bool {
        matches!(
            t,
            Tok::Open
                | Tok::Not
                | Tok::Src
                | Tok::Dst
                | Tok::Sport
                | Tok::Dport
                | Tok::Dev
                | Tok::Fwmark
                | Tok::Cgroup
                | Tok::Auto
        )
    }
    /// exprlist: expr { ('|' | '&' | nothing) expr }, left to right.
    fn list(&mut self) -> Result<Expr, FilterError> {
        let mut acc = self.expr()?;
        loop {
            match self.peek() {
                Some(Tok::Or) => {
                    self.pos += 1;
                    acc = Expr::Or(Box::new(acc), Box::new(self.expr()?));
                }
                Some(Tok::And) => {
                    self.pos += 1;
                    acc = Expr::And(Box::new(acc), Box::new(self.expr()?));
                }
                Some(t) if Self::starts_expr(t) => {
                    acc = Expr::And(Box::new(acc), Box::new(self.expr()?));
                }
                _ => return Ok(acc),
            }
        }
    }
    fn word(&mut self, what: &str) -> Result<String, FilterError> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            Some(t) => err(format!("expected {what}, found {}", tok_name(&t))),
            None => err(format!("expected {what} at the end of the expression")),
        }
    }
    fn expr(&mut self) -> Result<Expr, FilterError> {
        let Some(t) = self.next() else {
            return err("the expression ends where a condition is expected");
        };
        Ok(match t {
            Tok::Open => {
                let e = self.list()?;
                match self.next() {
                    Some(Tok::Close) => e,
                    Some(t) => return err(format!("expected ')', found {}", tok_name(&t))),
                    None => return err("unbalanced '(': missing ')'"),
                }
            }
            Tok::Not => not(self.expr()?),
            Tok::Src | Tok::Dst => {
                if self.peek() == Some(&Tok::Eq) {
                    self.pos += 1;
                }
                let w = self.word("an address")?;
                let h = self.host(&w, false)?;
                if t == Tok::Src {
                    Expr::Src(h)
                } else {
                    Expr::Dst(h)
                }
            }
            Tok::Sport | Tok::Dport => {
                let src = t == Tok::Sport;
                let op = match self.peek() {
                    Some(Tok::Ge | Tok::Le | Tok::Gt | Tok::Lt | Tok::Eq | Tok::Ne) => self.next(),
                    _ => None,
                };
                let w = self.word("a port")?;
                let h = self.host(&w, true)?;
                let port = match &h {
                    Host::Inet { port, .. } => *port,
                    Host::Unix(_) => None,
                };
                let need = || {
                    port.ok_or_else(|| {
                        FilterError(format!("\"{w}\" is not a port to compare with"))
                    })
                };
                type Mk = fn(u16) -> Expr;
                let (ge, le): (Mk, Mk) = if src {
                    (Expr::SportGe, Expr::SportLe)
                } else {
                    (Expr::DportGe, Expr::DportLe)
                };
                let cond = |h| if src { Expr::Src(h) } else { Expr::Dst(h) };
                match op {
                    Some(Tok::Ge) => ge(need()?),
                    Some(Tok::Le) => le(need()?),
                    Some(Tok::Gt) => not(le(need()?)),
                    Some(Tok::Lt) => not(ge(need()?)),
                    Some(Tok::Ne) => not(cond(h)),
                    _ => cond(h),
                }
            }
            Tok::Dev => {
                let neg = self.eq_or_ne();
                let w = self.word("a device")?;
                let idx = match w.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => self
                        .r
                        .ifindex(&w)
                        .ok_or_else(|| FilterError(format!("cannot find device \"{w}\"")))?,
                };
                negate_if(neg, Expr::Dev(idx))
            }
            Tok::Fwmark => {
                let neg = self.eq_or_ne();
                let w = self.word("a mark")?;
                let (m, k) = match w.split_once('/') {
                    Some((m, k)) => (parse_int(m), parse_int(k)),
                    None => (parse_int(&w), Some(u32::MAX)),
                };
                let (Some(mark), Some(mask)) = (m, k) else {
                    return err(format!("cannot parse mark \"{w}\""));
                };
                negate_if(neg, Expr::Mark { mark, mask })
            }
            Tok::Cgroup => {
                let neg = self.eq_or_ne();
                let w = self.word("a cgroup path")?;
                let id = self
                    .r
                    .cgroup(&w)
                    .ok_or_else(|| FilterError(format!("cannot find cgroup \"{w}\"")))?;
                negate_if(neg, Expr::Cgroup(id))
            }
            Tok::Auto => Expr::Auto,
            t => return err(format!("expected a condition, found {}", tok_name(&t))),
        })
    }
    fn eq_or_ne(&mut self) -> bool {
        match self.peek() {
            Some(Tok::Eq) => {
                self.pos += 1;
                false
            }
            Some(Tok::Ne) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn host(&mut self, w: &str, is_port: bool) -> Result<Host, FilterError> {
        let mut fam = self.family;
        let mut s = w;
        for (p, f) in [("unix:", AF_UNIX), ("inet:", AF_INET), ("inet6:", AF_INET6)] {
            if let Some(r) = s.strip_prefix(p) {
                fam = f;
                s = r;
                self.seen_family = Some(f);
            }
        }
        for p in ["link:", "netlink:", "vsock:"] {
            if s.starts_with(p) {
                return err(format!(
                    "\"{w}\": {p} addresses are not supported in filters"
                ));
            }
        }
        if fam == AF_UNIX {
            return Ok(Host::Unix(s.to_string()));
        }
        let (addr_part, port_part): (&str, Option<&str>) = if is_port {
            ("", Some(s.strip_prefix(':').unwrap_or(s)))
        } else if let Some(r) = s.strip_prefix('[') {
            let Some((a, rest)) = r.split_once(']') else {
                return err(format!("\"{w}\": missing ']'"));
            };
            (a, Some(rest.strip_prefix(':').unwrap_or(rest)))
        } else if let Some(r) = s.strip_prefix('*') {
            ("", Some(r.strip_prefix(':').unwrap_or(r)))
        } else {
            let from = s.find('/').unwrap_or(0);
            match s[from..].rfind(':') {
                Some(i) => (&s[..from + i], Some(&s[from + i + 1..])),
                None => (s, None),
            }
        };
        let port = match port_part {
            None | Some("") | Some("*") => None,
            Some(p) => Some(match p.parse::<u16>() {
                Ok(n) => n,
                Err(_) if p.bytes().all(|b| b.is_ascii_digit()) => {
                    return err(format!("\"{p}\" is not a valid port"))
                }
                Err(_) => self
                    .r
                    .service(p)
                    .ok_or_else(|| FilterError(format!("\"{p}\" does not look like a port")))?,
            }),
        };
        let mut addr = [0u8; 16];
        let mut prefix_len = 0;
        if !addr_part.is_empty() && addr_part != "*" {
            let (a, len) = match addr_part.split_once('/') {
                Some((a, l)) => (a, Some(l)),
                None => (addr_part, None),
            };
            let ip: IpAddr = a.parse().map_err(|_| {
                FilterError(format!(
                    "an inet prefix is expected rather than \"{addr_part}\""
                ))
            })?;
            let (f, max) = match ip {
                IpAddr::V4(v) => {
                    addr[..4].copy_from_slice(&v.octets());
                    (AF_INET, 32)
                }
                IpAddr::V6(v) => {
                    addr = v.octets();
                    (AF_INET6, 128)
                }
            };
            if fam != 0 && fam != f {
                return err(format!(
                    "\"{addr_part}\" is not an address of the family asked for"
                ));
            }
            fam = f;
            prefix_len = match len {
                None => max,
                Some(l) => match l.parse::<u8>() {
                    Ok(n) if n <= max => n,
                    _ => return err(format!("\"{addr_part}\": bad prefix length")),
                },
            };
        }
        Ok(Host::Inet {
            family: fam,
            prefix_len,
            addr,
            port,
        })
    }
}

fn parse_int(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

fn tok_name(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("\"{w}\""),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Not => "'not'".into(),
        Tok::And => "'and'".into(),
        Tok::Or => "'or'".into(),
        t => format!("{:?}", t).to_lowercase(),
    }
}

/// Parses ss's filter words. `family` is the family the command line asked
/// for (`-4`: `AF_INET`), 0 for any: port-only conditions carry it, as ss's do.
pub fn parse(words: &[&str], family: u8, r: &dyn Resolve) -> Result<Parsed, FilterError> {
    let toks = lex(words);
    if toks.is_empty() {
        return Ok(Parsed::default());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        family,
        seen_family: None,
        r,
    };
    let e = p.list()?;
    if let Some(t) = p.toks.get(p.pos) {
        return err(format!(
            "unexpected {} in the filter expression",
            tok_name(t)
        ));
    }
    Ok(Parsed {
        expr: Some(e),
        family: p.seen_family,
    })
}

fn op(code: u8, yes: usize, no: usize) -> Result<[u8; 4], FilterError> {
    let (Ok(y), Ok(n)) = (u8::try_from(yes), u16::try_from(no)) else {
        return err("the filter is too long for the kernel's bytecode");
    };
    let n = n.to_ne_bytes();
    Ok([code, y, n[0], n[1]])
}

/// Moves every reject jump (to 4 past the end) of `code` `by` bytes further.
fn relocate_rejects(code: &mut [u8], by: usize) -> Result<(), FilterError> {
    let len = code.len();
    let mut at = 0;
    while at < len {
        let yes = code[at + 1] as usize;
        let no = u16::from_ne_bytes([code[at + 2], code[at + 3]]) as usize;
        if no == len - at + 4 {
            let n = u16::try_from(no + by).map_err(|_| {
                FilterError("the filter is too long for the kernel's bytecode".into())
            })?;
            code[at + 2..at + 4].copy_from_slice(&n.to_ne_bytes());
        }
        if yes == 0 {
            return err("internal error: an op of length 0");
        }
        at += yes;
    }
    Ok(())
}

fn cond(code: u8, payload: &[u8]) -> Result<Vec<u8>, FilterError> {
    let len = 4 + payload.len();
    let mut v = op(code, len, len + 4)?.to_vec();
    v.extend_from_slice(payload);
    Ok(v)
}

fn port_cmp(code: u8, port: u16) -> Result<Vec<u8>, FilterError> {
    // the second op only carries the port in its `no` field
    let mut v = op(code, 8, 12)?.to_vec();
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&port.to_ne_bytes());
    Ok(v)
}

fn compile_into(e: &Expr) -> Result<Vec<u8>, FilterError> {
    Ok(match e {
        Expr::And(a, b) => {
            let mut x = compile_into(a)?;
            let y = compile_into(b)?;
            relocate_rejects(&mut x, y.len())?;
            x.extend_from_slice(&y);
            x
        }
        Expr::Or(a, b) => {
            let mut x = compile_into(a)?;
            let y = compile_into(b)?;
            x.extend_from_slice(&op(BC_JMP, 4, y.len() + 4)?);
            x.extend_from_slice(&y);
            x
        }
        Expr::Not(a) => {
            let mut x = compile_into(a)?;
            x.extend_from_slice(&op(BC_JMP, 4, 8)?);
            x
        }
        Expr::Src(h) | Expr::Dst(h) => {
            let code = if matches!(e, Expr::Src(_)) {
                BC_S_COND
            } else {
                BC_D_COND
            };
            let Host::Inet {
                family,
                prefix_len,
                addr,
                port,
            } = h
            else {
                return err("a unix address cannot be matched by the kernel's inet filter");
            };
            let alen = if *family == AF_INET6 { 16 } else { 4 };
            let mut p = vec![*family, *prefix_len, 0, 0];
            p.extend_from_slice(&port.map_or(-1i32, i32::from).to_ne_bytes());
            p.extend_from_slice(&addr[..alen]);
            cond(code, &p)?
        }
        Expr::SportGe(p) => port_cmp(BC_S_GE, *p)?,
        Expr::SportLe(p) => port_cmp(BC_S_LE, *p)?,
        Expr::DportGe(p) => port_cmp(BC_D_GE, *p)?,
        Expr::DportLe(p) => port_cmp(BC_D_LE, *p)?,
        Expr::Auto => cond(BC_AUTO, &[])?,
        Expr::Dev(i) => cond(BC_DEV_COND, &i.to_ne_bytes())?,
        Expr::Mark { mark, mask } => {
            let mut p = mark.to_ne_bytes().to_vec();
            p.extend_from_slice(&mask.to_ne_bytes());
            cond(BC_MARK_COND, &p)?
        }
        Expr::Cgroup(id) => cond(BC_CGROUP_COND, &id.to_ne_bytes())?,
    })
}

/// Compiles `e` to `INET_DIAG_REQ_BYTECODE`.
pub fn compile(e: &Expr) -> Result<Vec<u8>, FilterError> {
    compile_into(e)
}

/// A socket as user-space matching sees it (unix and netlink sockets, which
/// the kernel cannot filter).
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject<'a> {
    /// `AF_UNIX`, `AF_NETLINK`...
    pub family: u8,
    /// Local "port": the inode (unix), the port id (netlink).
    pub lport: i64,
    /// Remote "port": the peer's inode (unix).
    pub rport: i64,
    /// Local name (unix).
    pub local: Option<&'a str>,
    /// Remote name (unix).
    pub remote: Option<&'a str>,
}

impl Expr {
    /// Evaluates the expression for a socket of a family the kernel cannot
    /// filter, as ss does in user space.
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        match self {
            Expr::And(a, b) => a.matches(s) && b.matches(s),
            Expr::Or(a, b) => a.matches(s) || b.matches(s),
            Expr::Not(a) => !a.matches(s),
            Expr::Src(h) | Expr::Dst(h) => {
                let local = matches!(self, Expr::Src(_));
                match h {
                    Host::Unix(pat) => {
                        let name = if local { s.local } else { s.remote };
                        pat.is_empty() || glob(pat, name.unwrap_or(""))
                    }
                    Host::Inet {
                        port, prefix_len, ..
                    } => {
                        let p = if local { s.lport } else { s.rport };
                        port.is_none_or(|want| p == want as i64) && *prefix_len == 0
                    }
                }
            }
            Expr::SportGe(p) => s.lport >= *p as i64,
            Expr::SportLe(p) => s.lport <= *p as i64,
            Expr::DportGe(p) => s.rport >= *p as i64,
            Expr::DportLe(p) => s.rport <= *p as i64,
            Expr::Auto => match s.family {
                AF_UNIX => s.local.is_none_or(|n| {
                    n.len() == 6
                        && n.starts_with('@')
                        && n[1..]
                            .bytes()
                            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                }),
                _ => s.lport < 0,
            },
            Expr::Dev(_) | Expr::Mark { .. } | Expr::Cgroup(_) => false,
        }
    }
}

/// Shell wildcard match (`*`, `?`, `[...]`), case-insensitive, as `fnmatch(FNM_CASEFOLD)`.
pub fn glob(pat: &str, s: &str) -> bool {
    glob_with(pat, s, true)
}

/// Shell wildcard match (`*`, `?`, `[...]`) as `fnmatch(3)`: case-insensitive
/// if `fold` (`FNM_CASEFOLD`), else byte for byte (`ip addr show label`).
pub fn glob_with(pat: &str, s: &str, fold: bool) -> bool {
    fn go(p: &[u8], s: &[u8], fold: bool) -> bool {
        let low = |c: u8| if fold { c.to_ascii_lowercase() } else { c };
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|i| go(&p[1..], &s[i..], fold)),
            Some(b'?') => !s.is_empty() && go(&p[1..], &s[1..], fold),
            Some(b'[') => {
                let Some(end) = p.iter().skip(2).position(|&c| c == b']').map(|i| i + 2) else {
                    return !s.is_empty() && s[0] == b'[' && go(&p[1..], &s[1..], fold);
                };
                let Some(&c) = s.first() else { return false };
                let (neg, set) = match p[1] {
                    b'!' | b'^' => (true, &p[2..end]),
                    _ => (false, &p[1..end]),
                };
                let c = low(c);
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == b'-' {
                        let (lo, hi) = (low(set[i]), low(set[i + 2]));
                        hit |= lo <= c && c <= hi;
                        i += 3;
                    } else {
                        hit |= low(set[i]) == c;
                        i += 1;
                    }
                }
                hit != neg && go(&p[end + 1..], &s[1..], fold)
            }
            Some(&c) => !s.is_empty() && low(s[0]) == low(c) && go(&p[1..], &s[1..], fold),
        }
    }
    go(pat.as_bytes(), s.as_bytes(), fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse(&[s], 0, &Numeric).unwrap().expr.unwrap()
    }

    fn port(n: u16) -> Host {
        Host::Inet {
            family: 0,
            prefix_len: 0,
            addr: [0; 16],
            port: Some(n),
        }
    }

    #[test]
    fn grammar() {
        assert_eq!(
            p("( dport = :22 or sport = :22 )"),
            Expr::Or(Box::new(Expr::Dst(port(22))), Box::new(Expr::Src(port(22))))
        );
        assert_eq!(p("dport > :1024"), Expr::Not(Box::new(Expr::DportLe(1024))));
        assert_eq!(p("sport >= 80"), Expr::SportGe(80));
        let mut a = [0; 16];
        a[0] = 10;
        assert_eq!(
            p("src 10.0.0.0/8"),
            Expr::Src(Host::Inet {
                family: AF_INET,
                prefix_len: 8,
                addr: a,
                port: None
            })
        );
        // left to right, `and` implied
        assert_eq!(
            p("sport = :1 or sport = :2 dport = :3"),
            Expr::And(
                Box::new(Expr::Or(
                    Box::new(Expr::Src(port(1))),
                    Box::new(Expr::Src(port(2)))
                )),
                Box::new(Expr::Dst(port(3)))
            )
        );
        assert_eq!(p("! autobound"), Expr::Not(Box::new(Expr::Auto)));
        assert_eq!(
            p("fwmark = 0x5/0xff"),
            Expr::Mark {
                mark: 5,
                mask: 0xff
            }
        );
        let ip6 = p("dst [::1]:443");
        assert!(matches!(
            ip6,
            Expr::Dst(Host::Inet {
                family: AF_INET6,
                prefix_len: 128,
                port: Some(443),
                ..
            })
        ));
        let u = parse(&["src", "unix:/run/*"], 0, &Numeric).unwrap();
        assert_eq!(u.family, Some(AF_UNIX));
        assert_eq!(u.expr, Some(Expr::Src(Host::Unix("/run/*".into()))));
        assert_eq!(parse(&[], 0, &Numeric).unwrap().expr, None);
    }

    #[test]
    fn bad_expressions_are_clear_errors() {
        for (s, want) in [
            ("( dport = :22", "missing ')'"),
            ("dport = :22 )", "unexpected ')'"),
            ("sport = :http", "does not look like a port"),
            ("dport > :99999", "not a valid port"),
            ("src 10.0.0.300", "an inet prefix is expected"),
            ("src 10.0.0.0/40", "bad prefix length"),
            ("dport =", "expected a port"),
            ("or", "expected a condition"),
            ("dev nosuch0", "cannot find device"),
        ] {
            let e = parse(&[s], 0, &Numeric).unwrap_err();
            assert!(e.0.contains(want), "{s}: {e}");
        }
    }

    /// Runs bytecode the way the kernel does (`inet_diag_bc_run`), for ports only.
    fn run(bc: &[u8], sport: u16, dport: u16) -> bool {
        let mut at = 0usize;
        let len = bc.len();
        while at < len {
            let (code, yes, no) = (
                bc[at],
                bc[at + 1] as usize,
                u16::from_ne_bytes([bc[at + 2], bc[at + 3]]) as usize,
            );
            let arg = || u16::from_ne_bytes([bc[at + 6], bc[at + 7]]);
            let ok = match code {
                BC_JMP => false,
                BC_S_GE => sport >= arg(),
                BC_S_LE => sport <= arg(),
                BC_D_GE => dport >= arg(),
                BC_D_LE => dport <= arg(),
                BC_S_COND | BC_D_COND => {
                    let p = i32::from_ne_bytes(bc[at + 8..at + 12].try_into().unwrap());
                    p == -1
                        || p == if code == BC_S_COND {
                            sport as i32
                        } else {
                            dport as i32
                        }
                }
                c => panic!("op {c}"),
            };
            at += if ok { yes } else { no };
        }
        at == len
    }

    #[test]
    fn compiled_programs_decide_like_the_tree() {
        let cases = [
            "( dport = :22 or sport = :22 )",
            "dport > :1024",
            "not sport = :80",
            "sport >= :100 and sport <= :200",
            "( sport = :1 or sport = :2 ) and not ( dport = :3 or dport < :10 )",
            "sport != :5 dport != :6",
        ];
        for c in cases {
            let e = p(c);
            let bc = compile(&e).unwrap();
            for sp in [1u16, 2, 5, 22, 80, 100, 150, 200, 300, 2000] {
                for dp in [3u16, 6, 9, 22, 1024, 1025, 40000] {
                    let want = eval_ports(&e, sp, dp);
                    assert_eq!(run(&bc, sp, dp), want, "{c} with sport {sp} dport {dp}");
                }
            }
        }
    }

    fn eval_ports(e: &Expr, sp: u16, dp: u16) -> bool {
        match e {
            Expr::And(a, b) => eval_ports(a, sp, dp) && eval_ports(b, sp, dp),
            Expr::Or(a, b) => eval_ports(a, sp, dp) || eval_ports(b, sp, dp),
            Expr::Not(a) => !eval_ports(a, sp, dp),
            Expr::Src(Host::Inet { port, .. }) => port.is_none_or(|p| p == sp),
            Expr::Dst(Host::Inet { port, .. }) => port.is_none_or(|p| p == dp),
            Expr::SportGe(p) => sp >= *p,
            Expr::SportLe(p) => sp <= *p,
            Expr::DportGe(p) => dp >= *p,
            Expr::DportLe(p) => dp <= *p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn hostcond_bytes() {
        let bc = compile(&p("src 10.0.0.0/8")).unwrap();
        #[rustfmt::skip]
        let want = [
            BC_S_COND, 16, 20, 0,  // code, yes, no
            AF_INET, 8, 0, 0,      // family, prefix_len, pad
            0xff, 0xff, 0xff, 0xff, // port -1
            10, 0, 0, 0,           // address
        ];
        assert_eq!(bc, want);
    }

    #[test]
    fn unix_matching() {
        let e = parse(&["src", "unix:/run/*.sock"], 0, &Numeric)
            .unwrap()
            .expr
            .unwrap();
        let s = Subject {
            family: AF_UNIX,
            local: Some("/RUN/a.sock"),
            ..Default::default()
        };
        assert!(e.matches(&s));
        let s = Subject {
            family: AF_UNIX,
            local: Some("/tmp/a.sock"),
            ..Default::default()
        };
        assert!(!e.matches(&s));
        assert!(glob("a[0-9]?", "a5x"));
        assert!(glob("D0:*", "d0:b"), "case folded");
        assert!(!glob_with("D0:*", "d0:b", false), "byte for byte");
        assert!(glob_with("d0:[a-c]", "d0:b", false));
        assert!(!glob_with("d0:[A-C]", "d0:b", false));
        assert!(!glob("a[!0-9]", "a5"));
        assert!(Expr::Auto.matches(&Subject {
            family: AF_UNIX,
            local: Some("@0001f"),
            ..Default::default()
        }));
    }
}
