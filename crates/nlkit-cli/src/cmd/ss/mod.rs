//! `nlkit ss`: sockets, as iproute2's `ss` lists them.
//!
//! ss's options and filter grammar; the text is ss's, byte for byte, for
//! the columns both show (tested against iproute2 6.1's `ss` with stdout to
//! a pipe); `-j` prints one JSON object per socket (keys in
//! `docs/json.md`). Dumps are streamed: the text goes through [`table`],
//! which holds at most what ss itself holds before it renders (about 5 MiB
//! of field text), so memory stays flat for any number of sockets.

mod cfmt;
mod names;
mod options;
mod table;

use crate::error::CliError;
use crate::Global;
use cfmt::g;
use names::Names;
use nlkit::diag::filter::{self, Expr, Subject};
use nlkit::diag::inet::{self, InetDestroy, InetDump, InetSock, TcpInfo};
use nlkit::diag::netlink::{NetlinkDump, NetlinkSock};
use nlkit::diag::packet::{PacketDump, PacketSock};
use nlkit::diag::unix::{UnixDump, UnixSock};
use nlkit::diag::{self, SkMemInfo, State, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX};
use nlkit::diag::{IPPROTO_MPTCP, IPPROTO_RAW, IPPROTO_TCP, IPPROTO_UDP};
use nlkit::socket::netns::Netns;
use nlkit::wire::{Msg, Protocol};
use nlkit::{Connection, ToMsg};
use options::{Db, Opts};
use std::io::{self, Write};
use table::{Col, Table};

const ENOENT: i32 = 2;
const EINVAL: i32 = 22;
const EOPNOTSUPP: i32 = 95;

/// Runs `nlkit ss ARGS...`.
pub fn run(g: &Global, args: &[String]) -> Result<(), CliError> {
    let Some(mut o) = options::parse(g, args)? else {
        return Ok(());
    };
    let stdout = io::stdout().lock();
    let out = io::BufWriter::with_capacity(1 << 16, stdout);
    if o.summary {
        let mut out = out;
        print_summary(&o, &mut out)?;
        out.flush()?;
        if o.only_summary {
            return Ok(());
        }
        return list(&mut o, out);
    }
    list(&mut o, out)
}

fn connect(o: &Opts) -> Result<Connection, CliError> {
    let sock = match &o.netns {
        Some(n) => Netns::Named(n).open(Protocol::SOCK_DIAG),
        None => nlkit::socket::Socket::open(Protocol::SOCK_DIAG),
    }
    .map_err(|e| match &o.netns {
        Some(n) => nlkit::Error::io(format!("open sock_diag netlink socket in netns {n:?}"), e),
        None => nlkit::Error::io("open sock_diag netlink socket", e),
    })?;
    Ok(Connection::with_socket(sock)?)
}

/// Where rows go: ss's table, or JSON objects.
enum Sink<W: Write> {
    Text(Table<W>),
    Json { out: W, first: bool },
}

/// One socket's facts, as the printers need them.
struct Row<'a> {
    netid: &'static str,
    state: u8,
    rq: u32,
    wq: u32,
    local: Addr<'a>,
    peer: Addr<'a>,
}

/// One end: the address text (with the `%dev` suffix and delimiter that ss
/// puts in the address column) and the port text.
struct Addr<'a> {
    addr: &'a str,
    delim: &'static str,
    port: &'a str,
}

struct Ctx<'o, W: Write> {
    o: &'o Opts,
    sink: Sink<W>,
    names: Names,
    /// Field text scratch, reused.
    s: String,
    json: String,
}

impl<W: Write> Ctx<'_, W> {
    /// Starts a row: Netid, State, Recv-Q, Send-Q, both addresses.
    fn row(&mut self, r: &Row<'_>) -> io::Result<()> {
        match &mut self.sink {
            Sink::Text(t) => {
                t.set(Col::Netid)?;
                t.out(r.netid);
                t.set(Col::State)?;
                t.out(State(r.state).ss_name());
                t.set(Col::RecvQ)?;
                t.outf(format_args!("{:<6}", r.rq as i32));
                t.set(Col::SendQ)?;
                t.outf(format_args!("{:<6}", r.wq as i32));
                t.set(Col::Addr)?;
                for a in [&r.local, &r.peer] {
                    t.out(a.addr);
                    t.out(a.delim);
                    t.next()?;
                    t.out(a.port);
                    t.next()?;
                }
            }
            Sink::Json { out, first } => {
                if !*first {
                    out.write_all(b",\n")?;
                }
                *first = false;
                let j = &mut self.json;
                j.clear();
                j.push('{');
                jstr(j, "netid", r.netid);
                jstr(j, "state", State(r.state).ss_name());
                jnum(j, "recv_q", r.rq);
                jnum(j, "send_q", r.wq);
                jstr(j, "local_address", r.local.addr);
                jstr(j, "local_port", r.local.port);
                jstr(j, "peer_address", r.peer.addr);
                jstr(j, "peer_port", r.peer.port);
            }
        }
        Ok(())
    }

    /// Text for the extension column (ignored for JSON).
    fn ext(&mut self, s: &str) {
        if let Sink::Text(t) = &mut self.sink {
            t.out(s);
        }
    }
    fn extf(&mut self, a: std::fmt::Arguments<'_>) {
        if let Sink::Text(t) = &mut self.sink {
            t.outf(a);
        }
    }
    fn jstr(&mut self, k: &str, v: &str) {
        if matches!(self.sink, Sink::Json { .. }) {
            jstr(&mut self.json, k, v);
        }
    }
    fn jnum(&mut self, k: &str, v: impl std::fmt::Display) {
        if matches!(self.sink, Sink::Json { .. }) {
            jnum(&mut self.json, k, v);
        }
    }
    fn jraw(&mut self, k: &str, v: &str) {
        if matches!(self.sink, Sink::Json { .. }) {
            jkey(&mut self.json, k);
            self.json.push_str(v);
        }
    }
    fn is_json(&self) -> bool {
        matches!(self.sink, Sink::Json { .. })
    }
    /// Ends a row (JSON: closes the object).
    fn end(&mut self) -> io::Result<()> {
        if let Sink::Json { out, .. } = &mut self.sink {
            self.json.push('}');
            out.write_all(self.json.as_bytes())?;
        }
        Ok(())
    }
}

fn jkey(j: &mut String, k: &str) {
    if !j.ends_with('{') {
        j.push(',');
    }
    j.push('"');
    j.push_str(k);
    j.push_str("\":");
}

fn jstr(j: &mut String, k: &str, v: &str) {
    jkey(j, k);
    j.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "null".into()));
}

fn jnum(j: &mut String, k: &str, v: impl std::fmt::Display) {
    use std::fmt::Write as _;
    jkey(j, k);
    let _ = write!(j, "{v}");
}

fn list<W: Write>(o: &mut Opts, out: W) -> Result<(), CliError> {
    let conn = connect(o)?;
    let kill_conn = if o.kill { Some(connect(o)?) } else { None };
    let sink = if o.json {
        let mut out = out;
        out.write_all(b"[")?;
        Sink::Json { out, first: true }
    } else {
        Sink::Text(Table::new(out, o.netid_column, o.state_column))
    };
    let mut cx = Ctx {
        o,
        sink,
        names: Names::new(o),
        s: String::new(),
        json: String::new(),
    };
    if let Sink::Text(t) = &mut cx.sink {
        if o.header {
            t.header()?;
        }
    }
    if o.has_db(Db::Netlink) && o.has_family(AF_NETLINK) && o.states & State::CLOSE.bit() != 0 {
        netlink_show(&mut cx, &conn)?;
    }
    if (o.has_db(Db::PacketDg) || o.has_db(Db::PacketR))
        && o.has_family(AF_PACKET)
        && o.states & State::CLOSE.bit() != 0
    {
        packet_show(&mut cx, &conn)?;
    }
    if o.has_family(AF_UNIX)
        && (o.has_db(Db::UnixSt) || o.has_db(Db::UnixDg) || o.has_db(Db::UnixSq))
    {
        unix_show(&mut cx, &conn)?;
    }
    let bytecode = match &o.filter {
        Some(e) if o.has_family(AF_INET) || o.has_family(AF_INET6) => {
            Some(filter::compile(e).map_err(|e| CliError::usage(format!("ss: {e}")))?)
        }
        _ => None,
    };
    for (db, proto) in [
        (Db::Raw, IPPROTO_RAW),
        (Db::Udp, IPPROTO_UDP),
        (Db::Tcp, IPPROTO_TCP),
        (Db::Mptcp, IPPROTO_MPTCP),
    ] {
        if o.has_db(db) && (o.has_family(AF_INET) || o.has_family(AF_INET6)) {
            inet_show(
                &mut cx,
                &conn,
                kill_conn.as_ref(),
                proto,
                bytecode.as_deref(),
            )?;
        }
    }
    match cx.sink {
        Sink::Text(t) => {
            t.finish()?;
        }
        Sink::Json { mut out, first } => {
            out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
            out.flush()?;
        }
    }
    Ok(())
}

fn each(
    conn: &Connection,
    req: &dyn ToMsg,
    mut f: impl FnMut(Msg<&[u8]>) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut d = conn.dump(req)?;
    while let Some(m) = d.next() {
        f(m?)?;
    }
    Ok(())
}

fn malformed(what: &str, e: nlkit::wire::Error) -> CliError {
    CliError::Nl(nlkit::Error::Malformed {
        what: what.to_string(),
        source: e,
    })
}

fn inet_show<W: Write>(
    cx: &mut Ctx<'_, W>,
    conn: &Connection,
    kill: Option<&Connection>,
    proto: u16,
    bytecode: Option<&[u8]>,
) -> Result<(), CliError> {
    let o = cx.o;
    let families: &[u8] = match o.preferred_family {
        AF_INET => &[AF_INET],
        AF_INET6 => &[AF_INET6],
        _ => &[AF_INET, AF_INET6],
    };
    for &family in families {
        let mut req = InetDump::new(family, proto).states(o.states);
        if o.show_mem {
            req = req
                .with(inet::INET_DIAG_MEMINFO)
                .with(inet::INET_DIAG_SKMEMINFO);
        }
        if o.show_tcpinfo {
            req = req
                .with(inet::INET_DIAG_INFO)
                .with(inet::INET_DIAG_VEGASINFO)
                .with(inet::INET_DIAG_CONG);
        }
        if o.show_tos {
            req = req.with(inet::INET_DIAG_TOS).with(inet::INET_DIAG_TCLASS);
        }
        if let Some(bc) = bytecode {
            req = req.filter(bc);
        }
        let r = each(conn, &req, |m| {
            let s = InetSock::parse(m).map_err(|e| malformed("read an inet socket", e))?;
            if !o.has_family(s.hdr.family) {
                return Ok(());
            }
            if let Some(k) = kill {
                match k.request(&InetDestroy::of(&s, proto), |_| Ok(())) {
                    Ok(_) => {}
                    Err(e) if matches!(e.errno(), Some(EOPNOTSUPP) | Some(ENOENT)) => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
            }
            inet_sock(cx, &s, proto)?;
            Ok(())
        });
        match r {
            // a kernel without this protocol's diag module (MPTCP, raw) has none to list
            Err(CliError::Nl(e))
                if proto != IPPROTO_TCP
                    && proto != IPPROTO_UDP
                    && matches!(e.errno(), Some(ENOENT) | Some(EINVAL)) => {}
            r => r?,
        }
    }
    Ok(())
}

/// ss's names of `idiag_timer` values.
const TIMERS: [&str; 6] = ["off", "on", "keepalive", "timewait", "persist", "unknown"];

fn proto_name(p: u8) -> &'static str {
    match p {
        0 => "raw",
        17 => "udp",
        6 => "tcp",
        33 => "dccp",
        58 => "icmp6",
        132 => "sctp",
        _ => "???",
    }
}

fn inet_sock<W: Write>(cx: &mut Ctx<'_, W>, s: &InetSock<'_>, proto: u16) -> io::Result<()> {
    let o = cx.o;
    let h = s.hdr;
    let ty: u8 = s.protocol().unwrap_or(proto as u8);
    let netid = if proto == IPPROTO_MPTCP && s.protocol().is_none() {
        "mptcp"
    } else {
        proto_name(ty)
    };
    let v6only = if h.family == AF_INET6 {
        s.v6only().unwrap_or(0)
    } else {
        0
    };
    let dg = match proto {
        IPPROTO_UDP => names::Proto::Udp,
        IPPROTO_RAW => names::Proto::Raw,
        _ => names::Proto::Tcp,
    };
    let mut la = std::mem::take(&mut cx.s);
    la.clear();
    let ifindex = h.id.ifindex.get();
    let (l0, l1) = cx
        .names
        .inet_addr(&mut la, h.family, &h.id.src, ifindex, v6only != 0);
    let (r0, r1) = cx
        .names
        .inet_addr(&mut la, h.family, &h.id.dst, 0, v6only != 0);
    let (p0, p1) = cx.names.service(&mut la, s.sport(), dg);
    let (q0, q1) = cx.names.service(&mut la, s.dport(), dg);
    let row = Row {
        netid,
        state: h.state,
        rq: h.rqueue.get(),
        wq: h.wqueue.get(),
        local: Addr {
            addr: &la[l0..l1],
            delim: ":",
            port: &la[p0..p1],
        },
        peer: Addr {
            addr: &la[r0..r1],
            delim: ":",
            port: &la[q0..q1],
        },
    };
    cx.row(&row)?;
    cx.s = la;
    users(cx, h.inode.get());
    if cx.is_json() {
        inet_json(cx, s, netid == "mptcp");
        return cx.end();
    }
    if o.show_options && h.timer != 0 {
        let t = TIMERS[(h.timer as usize).min(5)];
        cx.extf(format_args!(
            " timer:({t},{},{})",
            cfmt::ms_timer(h.expires.get()),
            h.retrans
        ));
    }
    if o.show_details > 0 {
        let uid = h.uid.get();
        if uid != 0 {
            cx.extf(format_args!(" uid:{uid}"));
        }
        cx.extf(format_args!(" ino:{}", h.inode.get()));
        cx.extf(format_args!(" sk:{:x}", h.id.cookie64()));
        if let Some(m) = s.mark().filter(|&m| m != 0) {
            cx.extf(format_args!(" fwmark:0x{m:x}"));
        }
        if let Some(c) = s.cgroup_id().filter(|&c| c != 0) {
            let p = cx.names.cgroup(c);
            cx.extf(format_args!(" cgroup:{p}"));
        }
        if h.family == AF_INET6 {
            if let Some(v) = s.v6only() {
                cx.extf(format_args!(" v6only:{v}"));
            }
        }
        if let Some(m) = s.shutdown() {
            cx.extf(format_args!(" {}", shutdown(m)));
        }
    }
    if o.show_tos {
        if let Some(v) = s.tos() {
            cx.extf(format_args!(" tos:{}", hash_x(v as u32)));
        }
        if let Some(v) = s.tclass() {
            cx.extf(format_args!(" tclass:{}", hash_x(v as u32)));
        }
        if let Some(v) = s.class_id() {
            cx.extf(format_args!(" class_id:{}", hash_x(v)));
        }
    }
    if o.show_cgroup {
        if let Some(c) = s.cgroup_id() {
            let p = cx.names.cgroup(c);
            cx.extf(format_args!(" cgroup:{p}"));
        }
    }
    if o.show_mem || (o.show_tcpinfo && ty != IPPROTO_UDP as u8) {
        if !o.oneline {
            cx.ext("\n\t");
        }
        if netid == "mptcp" {
            mptcp_show_info(cx, s);
        } else {
            tcp_show_info(cx, s);
        }
    }
    cx.end()
}

/// ss's ` users:((\"task\",pid=N,fd=M),...)` (`-p`); JSON: `users`.
fn users<W: Write>(cx: &mut Ctx<'_, W>, ino: u32) {
    if !cx.o.show_processes || ino == 0 {
        return;
    }
    let list = cx.names.users(ino);
    if list.is_empty() {
        return;
    }
    let mut t = String::new();
    let mut j = String::from("[");
    for (i, u) in list.iter().enumerate() {
        if i > 0 {
            t.push(',');
            j.push(',');
        }
        t.push_str(&format!("(\"{}\",pid={},fd={})", u.task, u.pid, u.fd));
        j.push_str(&format!(
            "{{\"name\":{},\"pid\":{},\"fd\":{}}}",
            serde_json::to_string(&u.task).unwrap_or_else(|_| "null".into()),
            u.pid,
            u.fd
        ));
    }
    j.push(']');
    if cx.is_json() {
        jkey(&mut cx.json, "users");
        cx.json.push_str(&j);
    } else {
        cx.extf(format_args!(" users:({t})"));
    }
}

/// C's `%#x`: `0` for zero, `0x..` otherwise.
fn hash_x(v: u32) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

fn shutdown(m: u8) -> String {
    format!(
        "{}-{}",
        if m & 1 != 0 { '-' } else { '<' },
        if m & 2 != 0 { '-' } else { '>' }
    )
}

fn skmem_text(m: &SkMemInfo<'_>) -> String {
    let mut s = format!(
        " skmem:(r{},rb{},t{},tb{},f{},w{},o{}",
        m.at(SkMemInfo::RMEM_ALLOC),
        m.at(SkMemInfo::RCVBUF),
        m.at(SkMemInfo::WMEM_ALLOC),
        m.at(SkMemInfo::SNDBUF),
        m.at(SkMemInfo::FWD_ALLOC),
        m.at(SkMemInfo::WMEM_QUEUED),
        m.at(SkMemInfo::OPTMEM)
    );
    if let Some(v) = m.get(SkMemInfo::BACKLOG) {
        s.push_str(&format!(",bl{v}"));
    }
    if let Some(v) = m.get(SkMemInfo::DROPS) {
        s.push_str(&format!(",d{v}"));
    }
    s.push(')');
    s
}

fn tcp_show_info<W: Write>(cx: &mut Ctx<'_, W>, s: &InetSock<'_>) {
    let o = cx.o;
    if let Some(m) = s.skmeminfo() {
        cx.ext(&skmem_text(&m));
    } else if let Some(m) = s.meminfo() {
        cx.extf(format_args!(
            " mem:(r{},w{},f{},t{})",
            m.rmem.get(),
            m.wmem.get(),
            m.fmem.get(),
            m.tmem.get()
        ));
    }
    if let Some(i) = s.tcp_info() {
        let text = tcp_info_text(o, s, &i);
        cx.ext(&text);
    }
    if let Some(u) = s.ulp_name() {
        cx.extf(format_args!(" tcp-ulp-{u}"));
    }
    if let Some(t) = s.mptcp_subflow() {
        use inet::subflow as sf;
        if let Some(f) = t.u32(sf::FLAGS).filter(|&f| f != 0) {
            let caps: String = "MmJjBbecv"
                .chars()
                .enumerate()
                .filter(|&(i, _)| f & (1 << i) != 0)
                .map(|(_, c)| c)
                .collect();
            cx.extf(format_args!(" flags:{caps}"));
        }
        if let (Some(tr), Some(tl), Some(ir), Some(il)) = (
            t.u32(sf::TOKEN_REM),
            t.u32(sf::TOKEN_LOC),
            t.u8(sf::ID_REM),
            t.u8(sf::ID_LOC),
        ) {
            cx.extf(format_args!(" token:{tr:04x}(id:{ir})/{tl:04x}(id:{il})"));
        }
        if let Some(v) = t.u64(sf::MAP_SEQ) {
            cx.extf(format_args!(" seq:{v:x}"));
        }
        for (k, n) in [
            (sf::MAP_SFSEQ, "sfseq"),
            (sf::SSN_OFFSET, "ssnoff"),
            (sf::MAP_DATALEN, "maplen"),
        ] {
            // MAP_DATALEN is a u16 that ss reads as a u32 (the padding is zero)
            if let Some(p) = t.get(k) {
                let mut b = [0u8; 4];
                let n4 = p.len().min(4);
                b[..n4].copy_from_slice(&p[..n4]);
                cx.extf(format_args!(" {n}:{:x}", u32::from_ne_bytes(b)));
            }
        }
    }
}

fn mptcp_show_info<W: Write>(cx: &mut Ctx<'_, W>, s: &InetSock<'_>) {
    if let Some(m) = s.skmeminfo() {
        cx.ext(&skmem_text(&m));
    }
    let Some(i) = s.mptcp_info() else { return };
    for (v, n) in [
        (i.subflows, "subflows"),
        (i.add_addr_signal, "add_addr_signal"),
        (i.add_addr_accepted, "add_addr_accepted"),
        (i.subflows_max, "subflows_max"),
        (i.add_addr_signal_max, "add_addr_signal_max"),
        (i.add_addr_accepted_max, "add_addr_accepted_max"),
    ] {
        if v != 0 {
            cx.extf(format_args!(" {n}:{v}"));
        }
    }
    let f = i.flags.get();
    if f & 1 != 0 {
        cx.ext(" fallback");
    }
    if f & 2 != 0 {
        cx.ext(" remote_key");
    }
    if i.token.get() != 0 {
        cx.extf(format_args!(" token:{:x}", i.token.get()));
    }
    for (v, n) in [
        (i.write_seq.get(), "write_seq"),
        (i.snd_una.get(), "snd_una"),
        (i.rcv_nxt.get(), "rcv_nxt"),
    ] {
        if v != 0 {
            cx.extf(format_args!(" {n}:{v:x}"));
        }
    }
}

/// ss's `tcp_stats_print` for one socket's `tcp_info` (and the
/// congestion-control attributes beside it).
fn tcp_info_text(o: &Opts, s: &InetSock<'_>, i: &TcpInfo) -> String {
    use inet::tcpi_opt as opt;
    use std::fmt::Write as _;
    let mut t = String::with_capacity(512);
    let has = |b: u8| i.options & b != 0;
    if o.show_options {
        for (b, n) in [
            (opt::TIMESTAMPS, " ts"),
            (opt::SACK, " sack"),
            (opt::ECN, " ecn"),
            (opt::ECN_SEEN, " ecnseen"),
            (opt::SYN_DATA, " fastopen"),
        ] {
            if has(b) {
                t.push_str(n);
            }
        }
    }
    if let Some(c) = s.cong().filter(|c| !c.is_empty()) {
        let c: String = c.chars().take(15).collect();
        let _ = write!(t, " {c}");
    }
    if has(opt::WSCALE) {
        let _ = write!(t, " wscale:{},{}", i.snd_wscale(), i.rcv_wscale());
    }
    let rto = i.rto.get();
    if rto != 0 && rto != 3_000_000 {
        let _ = write!(t, " rto:{}", g(rto as f64 / 1000.0, 6));
    }
    if i.backoff != 0 {
        let _ = write!(t, " backoff:{}", i.backoff);
    }
    if i.rtt.get() != 0 {
        let _ = write!(
            t,
            " rtt:{}/{}",
            g(i.rtt.get() as f64 / 1000.0, 6),
            g(i.rttvar.get() as f64 / 1000.0, 6)
        );
    }
    if i.ato.get() != 0 {
        let _ = write!(t, " ato:{}", g(i.ato.get() as f64 / 1000.0, 6));
    }
    let nz = |t: &mut String, name: &str, v: u64| {
        if v != 0 {
            let _ = write!(t, " {name}:{v}");
        }
    };
    nz(&mut t, "mss", i.snd_mss.get() as i32 as i64 as u64);
    nz(&mut t, "pmtu", i.pmtu.get() as u64);
    nz(&mut t, "rcvmss", i.rcv_mss.get() as u64);
    nz(&mut t, "advmss", i.advmss.get() as u64);
    nz(&mut t, "cwnd", i.snd_cwnd.get() as u64);
    let ssthresh = i.snd_ssthresh.get();
    if ssthresh < 0xffff {
        nz(&mut t, "ssthresh", ssthresh as u64);
    }
    nz(&mut t, "bytes_sent", i.bytes_sent.get());
    nz(&mut t, "bytes_retrans", i.bytes_retrans.get());
    nz(&mut t, "bytes_acked", i.bytes_acked.get());
    nz(&mut t, "bytes_received", i.bytes_received.get());
    nz(&mut t, "segs_out", i.segs_out.get() as u64);
    nz(&mut t, "segs_in", i.segs_in.get() as u64);
    nz(&mut t, "data_segs_out", i.data_segs_out.get() as u64);
    nz(&mut t, "data_segs_in", i.data_segs_in.get() as u64);
    if let Some(d) = s.dctcp() {
        if d.enabled.get() != 0 {
            let _ = write!(
                t,
                " dctcp:(ce_state:{},alpha:{},ab_ecn:{},ab_tot:{})",
                d.ce_state.get(),
                d.alpha.get(),
                d.ab_ecn.get(),
                d.ab_tot.get()
            );
        } else {
            t.push_str(" dctcp:fallback_mode");
        }
    }
    if let Some(b) = s.bbr() {
        let bw = (b.bw_hi.get() as u64) << 32 | b.bw_lo.get() as u64;
        let _ = write!(
            t,
            " bbr:(bw:{}bps,mrtt:{}",
            cfmt::bw(o.numeric, bw as f64 * 8.0),
            g(b.min_rtt.get() as f64 / 1000.0, 6)
        );
        if b.pacing_gain.get() != 0 {
            let _ = write!(
                t,
                ",pacing_gain:{}",
                g(b.pacing_gain.get() as f64 / 256.0, 6)
            );
        }
        if b.cwnd_gain.get() != 0 {
            let _ = write!(t, ",cwnd_gain:{}", g(b.cwnd_gain.get() as f64 / 256.0, 6));
        }
        t.push(')');
    }
    let mut rtt = i.rtt.get() as f64;
    if let Some(v) = s.vegas() {
        if v.enabled.get() != 0 && v.rtt.get() != 0 && v.rtt.get() != 0x7fff_ffff {
            rtt = v.rtt.get() as f64;
        }
    }
    if rtt > 0.0 && i.snd_mss.get() != 0 && i.snd_cwnd.get() != 0 {
        let bps = i.snd_cwnd.get() as f64 * i.snd_mss.get() as f64 * 8_000_000.0 / rtt;
        let _ = write!(t, " send {}bps", cfmt::bw(o.numeric, bps));
    }
    nz(&mut t, "lastsnd", i.last_data_sent.get() as u64);
    nz(&mut t, "lastrcv", i.last_data_recv.get() as u64);
    nz(&mut t, "lastack", i.last_ack_recv.get() as u64);
    let pr = i.pacing_rate.get();
    if pr != 0 && pr != u64::MAX {
        let _ = write!(
            t,
            " pacing_rate {}bps",
            cfmt::bw(o.numeric, pr as f64 * 8.0)
        );
        let mx = i.max_pacing_rate.get();
        if mx != 0 && mx != u64::MAX {
            let _ = write!(t, "/{}bps", cfmt::bw(o.numeric, mx as f64 * 8.0));
        }
    }
    let dr = i.delivery_rate.get() as f64 * 8.0;
    if dr != 0.0 {
        let _ = write!(t, " delivery_rate {}bps", cfmt::bw(o.numeric, dr));
    }
    nz(&mut t, "delivered", i.delivered.get() as u64);
    nz(&mut t, "delivered_ce", i.delivered_ce.get() as u64);
    if i.app_limited() {
        t.push_str(" app_limited");
    }
    let busy = i.busy_time.get();
    if busy != 0 {
        let _ = write!(t, " busy:{}ms", busy / 1000);
        for (name, v) in [
            ("rwnd_limited", i.rwnd_limited.get()),
            ("sndbuf_limited", i.sndbuf_limited.get()),
        ] {
            if v != 0 {
                let _ = write!(
                    t,
                    " {name}:{}ms({:.1}%)",
                    v / 1000,
                    100.0 * v as f64 / busy as f64
                );
            }
        }
    }
    nz(&mut t, "unacked", i.unacked.get() as u64);
    if i.retrans.get() != 0 || i.total_retrans.get() != 0 {
        let _ = write!(t, " retrans:{}/{}", i.retrans.get(), i.total_retrans.get());
    }
    nz(&mut t, "lost", i.lost.get() as u64);
    if s.hdr.state != State::LISTEN.0 {
        nz(&mut t, "sacked", i.sacked.get() as u64);
    }
    nz(&mut t, "dsack_dups", i.dsack_dups.get() as u64);
    nz(&mut t, "fackets", i.fackets.get() as u64);
    if i.reordering.get() != 3 {
        let _ = write!(t, " reordering:{}", i.reordering.get() as i32);
    }
    if i.reord_seen.get() != 0 {
        let _ = write!(t, " reord_seen:{}", i.reord_seen.get() as i32);
    }
    if i.rcv_rtt.get() != 0 {
        let _ = write!(t, " rcv_rtt:{}", g(i.rcv_rtt.get() as f64 / 1000.0, 6));
    }
    if i.rcv_space.get() != 0 {
        let _ = write!(t, " rcv_space:{}", i.rcv_space.get() as i32);
    }
    nz(&mut t, "rcv_ssthresh", i.rcv_ssthresh.get() as u64);
    nz(&mut t, "notsent", i.notsent_bytes.get() as u64);
    let mr = i.min_rtt.get();
    if mr != 0 && mr != u32::MAX {
        let _ = write!(t, " minrtt:{}", g(mr as f64 / 1000.0, 6));
    }
    nz(&mut t, "rcv_ooopack", i.rcv_ooopack.get() as u64);
    nz(&mut t, "snd_wnd", i.snd_wnd.get() as u64);
    t
}

fn inet_json<W: Write>(cx: &mut Ctx<'_, W>, s: &InetSock<'_>, mptcp: bool) {
    let h = s.hdr;
    if let Some(i) = Some(h.id.ifindex.get()).filter(|&i| i != 0) {
        cx.jnum("ifindex", i);
    }
    cx.jnum("uid", h.uid.get());
    cx.jnum("ino", h.inode.get());
    cx.jnum("sk", h.id.cookie64());
    if h.timer != 0 {
        cx.jraw(
            "timer",
            &format!(
                "{{\"name\":\"{}\",\"expires_ms\":{},\"retrans\":{}}}",
                TIMERS[(h.timer as usize).min(5)],
                h.expires.get(),
                h.retrans
            ),
        );
    }
    if let Some(m) = s.mark() {
        cx.jnum("fwmark", m);
    }
    if let Some(c) = s.cgroup_id() {
        let p = cx.names.cgroup(c);
        cx.jstr("cgroup", &p);
    }
    if let Some(v) = s.v6only() {
        cx.jnum("v6only", v);
    }
    if let Some(m) = s.shutdown() {
        cx.jnum("shutdown", m);
    }
    if let Some(v) = s.tos() {
        cx.jnum("tos", v);
    }
    if let Some(v) = s.tclass() {
        cx.jnum("tclass", v);
    }
    if let Some(v) = s.class_id() {
        cx.jnum("class_id", v);
    }
    if let Some(m) = s.skmeminfo() {
        cx.jraw("skmem", &skmem_json(&m));
    }
    if let Some(m) = s.meminfo() {
        cx.jraw(
            "mem",
            &format!(
                "{{\"r\":{},\"w\":{},\"f\":{},\"t\":{}}}",
                m.rmem.get(),
                m.wmem.get(),
                m.fmem.get(),
                m.tmem.get()
            ),
        );
    }
    if let Some(c) = s.cong() {
        cx.jstr("cong", c);
    }
    if let Some(u) = s.ulp_name() {
        cx.jstr("ulp", u);
    }
    if mptcp {
        if let Some(i) = s.mptcp_info() {
            cx.jraw(
                "mptcp_info",
                &format!(
                    "{{\"subflows\":{},\"subflows_max\":{},\"add_addr_signal\":{},\"add_addr_accepted\":{},\"flags\":{},\"token\":{},\"write_seq\":{},\"snd_una\":{},\"rcv_nxt\":{}}}",
                    i.subflows,
                    i.subflows_max,
                    i.add_addr_signal,
                    i.add_addr_accepted,
                    i.flags.get(),
                    i.token.get(),
                    i.write_seq.get(),
                    i.snd_una.get(),
                    i.rcv_nxt.get()
                ),
            );
        }
    } else if let Some(i) = s.tcp_info() {
        cx.jraw("tcp_info", &tcp_info_json(&i));
    }
}

fn skmem_json(m: &SkMemInfo<'_>) -> String {
    const K: [&str; 9] = ["r", "rb", "t", "tb", "f", "w", "o", "bl", "d"];
    let mut s = String::from("{");
    for (i, k) in K.iter().enumerate() {
        if let Some(v) = m.get(i) {
            if s.len() > 1 {
                s.push(',');
            }
            s.push_str(&format!("\"{k}\":{v}"));
        }
    }
    s.push('}');
    s
}

fn tcp_info_json(i: &TcpInfo) -> String {
    let mut s = String::from("{");
    macro_rules! f {
        ($($n:ident),*) => {$(
            if s.len() > 1 { s.push(','); }
            s.push_str(&format!(concat!("\"", stringify!($n), "\":{}"), i.$n.get()));
        )*};
    }
    s.push_str(&format!(
        "\"state\":{},\"ca_state\":{},\"retransmits\":{},\"probes\":{},\"backoff\":{},\"options\":{},\"snd_wscale\":{},\"rcv_wscale\":{},\"app_limited\":{}",
        i.state, i.ca_state, i.retransmits, i.probes, i.backoff, i.options, i.snd_wscale(), i.rcv_wscale(), i.app_limited()
    ));
    f!(
        rto,
        ato,
        snd_mss,
        rcv_mss,
        unacked,
        sacked,
        lost,
        retrans,
        fackets,
        last_data_sent,
        last_ack_sent,
        last_data_recv,
        last_ack_recv,
        pmtu,
        rcv_ssthresh,
        rtt,
        rttvar,
        snd_ssthresh,
        snd_cwnd,
        advmss,
        reordering,
        rcv_rtt,
        rcv_space,
        total_retrans,
        pacing_rate,
        max_pacing_rate,
        bytes_acked,
        bytes_received,
        segs_out,
        segs_in,
        notsent_bytes,
        min_rtt,
        data_segs_in,
        data_segs_out,
        delivery_rate,
        busy_time,
        rwnd_limited,
        sndbuf_limited,
        delivered,
        delivered_ce,
        bytes_sent,
        bytes_retrans,
        dsack_dups,
        reord_seen,
        rcv_ooopack,
        snd_wnd
    );
    s.push('}');
    s
}

fn unix_netid(ty: u8) -> &'static str {
    match ty {
        1 => "u_str",
        5 => "u_seq",
        _ => "u_dgr",
    }
}

fn unix_show<W: Write>(cx: &mut Ctx<'_, W>, conn: &Connection) -> Result<(), CliError> {
    let o = cx.o;
    use nlkit::diag::unix::show;
    let mut sh = show::NAME | show::PEER | show::RQLEN;
    if o.show_mem {
        sh |= show::MEMINFO;
    }
    if o.show_details > 0 {
        sh |= show::VFS | show::ICONS;
    }
    let req = UnixDump {
        states: o.states,
        show: sh,
    };
    let mut name = Vec::with_capacity(128);
    each(conn, &req, |m| {
        let s = UnixSock::parse(m).map_err(|e| malformed("read a unix socket", e))?;
        let db = match s.hdr.ty {
            1 => Db::UnixSt,
            2 => Db::UnixDg,
            5 => Db::UnixSq,
            _ => Db::UnixDg,
        };
        if matches!(s.hdr.ty, 1 | 2 | 5) && !o.has_db(db) {
            return Ok(());
        }
        name.clear();
        let has_name = match s.name() {
            Some(n) if n.first() == Some(&0) => {
                name.extend(n.iter().map(|&b| if b == 0 { b'@' } else { b }));
                true
            }
            Some(n) => {
                let end = n.iter().position(|&b| b == 0).unwrap_or(n.len());
                name.extend_from_slice(&n[..end]);
                true
            }
            None => false,
        };
        let name_s = String::from_utf8_lossy(&name);
        let ino = s.hdr.ino.get();
        let peer = s.peer().unwrap_or(0);
        if let Some(e) = &o.filter {
            let subj = Subject {
                family: AF_UNIX,
                lport: ino as i64,
                rport: peer as i64,
                local: has_name.then_some(&*name_s),
                remote: None,
            };
            if !e.matches(&subj) {
                return Ok(());
            }
        }
        let (rq, wq) = s.queues().unwrap_or((0, 0));
        let ino_s = ino.to_string();
        let peer_s = peer.to_string();
        let row = Row {
            netid: unix_netid(s.hdr.ty),
            state: s.hdr.state,
            rq,
            wq,
            local: Addr {
                addr: if has_name { &name_s } else { "*" },
                delim: " ",
                port: &ino_s,
            },
            peer: Addr {
                addr: "*",
                delim: " ",
                port: &peer_s,
            },
        };
        cx.row(&row)?;
        users(cx, ino);
        if cx.is_json() {
            if let Some(m) = s.skmeminfo() {
                cx.jraw("skmem", &skmem_json(&m));
            }
            if let Some(m) = s.shutdown() {
                cx.jnum("shutdown", m);
            }
            if let Some(v) = s.vfs() {
                cx.jraw(
                    "vfs",
                    &format!("{{\"ino\":{},\"dev\":{}}}", v.ino.get(), v.dev.get()),
                );
            }
            if s.attrs.get(nlkit::diag::unix::UNIX_DIAG_ICONS).is_some() {
                let v: Vec<String> = s.icons().map(|i| i.to_string()).collect();
                cx.jraw("pending", &format!("[{}]", v.join(",")));
            }
            cx.end()?;
            return Ok(());
        }
        if o.show_mem {
            if let Some(m) = s.skmeminfo() {
                cx.ext(&skmem_text(&m));
            }
        }
        if o.show_details > 0 {
            if let Some(m) = s.shutdown() {
                cx.extf(format_args!(" {}", shutdown(m)));
            }
            if let Some(v) = s.vfs() {
                let dev = v.dev.get() as u64;
                let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
                let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
                cx.extf(format_args!(" ino:{} dev:{major}/{minor}", v.ino.get()));
            }
            if s.attrs.get(nlkit::diag::unix::UNIX_DIAG_ICONS).is_some() {
                cx.ext(" peers:");
                for i in s.icons() {
                    cx.extf(format_args!(" {i}"));
                }
            }
        }
        cx.end()?;
        Ok(())
    })
}

fn netlink_show<W: Write>(cx: &mut Ctx<'_, W>, conn: &Connection) -> Result<(), CliError> {
    use nlkit::diag::netlink::{CONNECTED, PROTO_ALL, SHOW_GROUPS, SHOW_MEMINFO};
    let o = cx.o;
    let req = NetlinkDump {
        protocol: PROTO_ALL,
        show: SHOW_GROUPS | SHOW_MEMINFO,
    };
    each(conn, &req, |m| {
        let s = NetlinkSock::parse(m).map_err(|e| malformed("read a netlink socket", e))?;
        let h = s.hdr;
        let pid = h.portid.get() as i32;
        if let Some(e) = &o.filter {
            let subj = Subject {
                family: AF_NETLINK,
                lport: pid as i64,
                rport: -1,
                ..Default::default()
            };
            if !e.matches(&subj) {
                return Ok(());
            }
        }
        let (rq, wq) = s
            .skmeminfo()
            .map(|m| (m.at(SkMemInfo::RMEM_ALLOC), m.at(SkMemInfo::WMEM_ALLOC)))
            .unwrap_or((0, 0));
        let prot = if o.numeric {
            h.protocol.to_string()
        } else {
            diag::netlink::ss_proto_name(h.protocol)
                .map(str::to_string)
                .unwrap_or_else(|| h.protocol.to_string())
        };
        let proc = cx.names.netlink_port(pid);
        let (ra, rp) = if h.state == CONNECTED {
            (
                format!("{}", h.dst_group.get() as i32),
                format!("{}", h.dst_portid.get() as i32),
            )
        } else {
            (String::new(), String::new())
        };
        let connected = h.state == CONNECTED;
        let row = Row {
            netid: "nl",
            state: State::CLOSE.0,
            rq,
            wq,
            local: Addr {
                addr: &prot,
                delim: ":",
                port: &proc,
            },
            peer: Addr {
                addr: &ra,
                delim: if connected { ":" } else { "*" },
                port: &rp,
            },
        };
        cx.row(&row)?;
        if cx.is_json() {
            cx.jnum("groups", s.groups());
            if let Some(m) = s.skmeminfo() {
                cx.jraw("skmem", &skmem_json(&m));
            }
            return Ok(cx.end()?);
        }
        if o.show_details > 0 {
            cx.extf(format_args!(
                " sk=0 cb=0 groups=0x{:08x}",
                s.groups() as u32
            ));
        }
        if o.show_mem {
            cx.ext("\t");
            if let Some(m) = s.skmeminfo() {
                cx.ext(&skmem_text(&m));
            }
        }
        cx.end()?;
        Ok(())
    })
}

fn packet_show<W: Write>(cx: &mut Ctx<'_, W>, conn: &Connection) -> Result<(), CliError> {
    use nlkit::diag::packet::show;
    let o = cx.o;
    let req = PacketDump {
        show: show::INFO | show::MEMINFO | show::FILTER | show::RING_CFG | show::FANOUT,
    };
    each(conn, &req, |m| {
        let s = PacketSock::parse(m).map_err(|e| malformed("read a packet socket", e))?;
        let h = s.hdr;
        let db = if h.ty == 3 { Db::PacketR } else { Db::PacketDg };
        if !o.has_db(db) {
            return Ok(());
        }
        let rq = s
            .skmeminfo()
            .map(|m| m.at(SkMemInfo::RMEM_ALLOC))
            .unwrap_or(0);
        let info = s.info();
        let iface = info.map(|i| i.index.get()).unwrap_or(0);
        let prot = h.num.get();
        let addr = if prot == 3 {
            "*".to_string()
        } else {
            names::ether_proto(prot, o.numeric)
        };
        let port = if iface == 0 {
            "*".to_string()
        } else {
            cx.names.ifname(iface)
        };
        let row = Row {
            netid: if h.ty == 3 { "p_raw" } else { "p_dgr" },
            state: State::CLOSE.0,
            rq,
            wq: 0,
            local: Addr {
                addr: &addr,
                delim: ":",
                port: &port,
            },
            peer: Addr {
                addr: "",
                delim: "*",
                port: "",
            },
        };
        cx.row(&row)?;
        users(cx, h.ino.get());
        if cx.is_json() {
            cx.jnum("ino", h.ino.get());
            cx.jnum("ifindex", iface);
            if let Some(m) = s.skmeminfo() {
                cx.jraw("skmem", &skmem_json(&m));
            }
            return Ok(cx.end()?);
        }
        if o.show_details > 0 {
            let uid = s.uid().unwrap_or(0);
            if uid != 0 {
                cx.extf(format_args!(" uid:{uid}"));
            }
            cx.extf(format_args!(" ino:{}", h.ino.get()));
            let ck = (h.cookie[1].get() as u64) << 32 | h.cookie[0].get() as u64;
            cx.extf(format_args!(" sk:{ck:x}"));
            packet_details(cx, &s);
        }
        if o.show_mem {
            if let Some(m) = s.skmeminfo() {
                cx.ext(&skmem_text(&m));
            }
        }
        cx.end()?;
        Ok(())
    })
}

fn packet_details<W: Write>(cx: &mut Ctx<'_, W>, s: &PacketSock<'_>) {
    use nlkit::diag::packet::{PACKET_DIAG_RX_RING, PACKET_DIAG_TX_RING};
    let nl = if cx.o.oneline { " " } else { "\n\t" };
    if let Some(i) = s.info() {
        cx.extf(format_args!("{nl}ver:{}", i.version.get() as i32));
        cx.extf(format_args!(" cpy_thresh:{}", i.copy_thresh.get() as i32));
        cx.ext(" flags( ");
        let f = i.flags.get();
        for (b, n) in [
            (1, "running"),
            (2, " auxdata"),
            (4, " origdev"),
            (8, " vnethdr"),
            (16, " loss"),
        ] {
            if f & b != 0 {
                cx.ext(n);
            }
        }
        if f == 0 {
            cx.ext("0");
        }
        cx.ext(" )");
    }
    for (kind, name) in [
        (PACKET_DIAG_RX_RING, "ring_rx"),
        (PACKET_DIAG_TX_RING, "ring_tx"),
    ] {
        if let Some(r) = s.ring(kind) {
            cx.extf(format_args!(
                "{nl}{name}(blk_size:{},blk_nr:{},frm_size:{},frm_nr:{},tmo:{},features:0x{:x})",
                r.block_size.get() as i32,
                r.block_nr.get() as i32,
                r.frame_size.get() as i32,
                r.frame_nr.get() as i32,
                r.retire_tmo.get() as i32,
                r.features.get()
            ));
        }
    }
    if let Some(f) = s.fanout() {
        let ty = match (f >> 16) & 0xffff {
            0 => "hash".to_string(),
            1 => "lb".into(),
            2 => "cpu".into(),
            3 => "roll".into(),
            4 => "random".into(),
            5 => "qm".into(),
            t => format!("0x{t:x}"),
        };
        cx.extf(format_args!("{nl}fanout(id:{},type:{ty})", f & 0xffff));
    }
}

/// `ss -s`, from `/proc/net/sockstat{,6}` and `/proc/net/snmp` (read in the netns).
fn print_summary(o: &Opts, out: &mut impl Write) -> Result<(), CliError> {
    let read = || -> io::Result<(String, String, String)> {
        Ok((
            std::fs::read_to_string("/proc/net/sockstat")?,
            std::fs::read_to_string("/proc/net/sockstat6").unwrap_or_default(),
            std::fs::read_to_string("/proc/net/snmp").unwrap_or_default(),
        ))
    };
    let (s4, s6, snmp) = match &o.netns {
        Some(n) => Netns::Named(n).run(read),
        None => read(),
    }
    .map_err(|e| CliError::Other(format!("ss: read /proc/net/sockstat: {e}")))?;
    let mut v = std::collections::HashMap::<&str, Vec<i64>>::new();
    for l in s4.lines().chain(s6.lines()) {
        let mut it = l.split_whitespace();
        let Some(id) = it.next() else { continue };
        let nums: Vec<i64> = it.filter_map(|w| w.parse().ok()).collect();
        v.insert(id, nums);
    }
    let get = |k: &str, i: usize| v.get(k).and_then(|n| n.get(i)).copied().unwrap_or(0);
    let (tcp4, orphans, tws, total) = (
        get("TCP:", 0),
        get("TCP:", 1),
        get("TCP:", 2),
        get("TCP:", 3),
    );
    let tcp6 = get("TCP6:", 0);
    let (udp4, udp6, raw4, raw6) = (
        get("UDP:", 0),
        get("UDP6:", 0),
        get("RAW:", 0),
        get("RAW6:", 0),
    );
    let (frag4, frag6) = (get("FRAG:", 0), get("FRAG6:", 0));
    let mut estab = 0;
    let mut lines = snmp.lines().filter(|l| l.starts_with("Tcp:"));
    if let (Some(k), Some(val)) = (lines.next(), lines.next()) {
        if let Some(i) = k.split_whitespace().position(|w| w == "CurrEstab") {
            estab = val
                .split_whitespace()
                .nth(i)
                .and_then(|w| w.parse().ok())
                .unwrap_or(0);
        }
    }
    writeln!(out, "Total: {}", get("sockets:", 0))?;
    writeln!(
        out,
        "TCP:   {} (estab {estab}, closed {}, orphaned {orphans}, timewait {tws})",
        total + tws,
        total - (tcp4 + tcp6 - tws)
    )?;
    writeln!(out)?;
    writeln!(out, "Transport Total     IP        IPv6")?;
    for (n, a, b) in [
        ("RAW", raw4, raw6),
        ("UDP", udp4, udp6),
        ("TCP", tcp4, tcp6),
        ("INET", raw4 + udp4 + tcp4, raw6 + udp6 + tcp6),
        ("FRAG", frag4, frag6),
    ] {
        writeln!(out, "{n}\t  {:<9} {a:<9} {b:<9}", a + b)?;
    }
    writeln!(out)?;
    Ok(())
}

/// The filter, from the words after the options.
pub(crate) fn parse_filter(
    words: &[String],
    family: u8,
    names: &Names,
) -> Result<filter::Parsed, CliError> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    filter::parse(&w, family, names)
        .map_err(|e| CliError::usage(format!("ss: bad filter expression: {e}")))
}

#[allow(dead_code)]
fn _expr_is_used(_: &Expr) {}
