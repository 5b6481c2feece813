//! `nlkit listen` and `nlkit send`: raw messages on any protocol, between
//! processes or to the kernel. The article's two demos, today:
//!
//! ```text
//! nlkit listen --proto usersock --echo                 # prints "listening on usersock port 4242"
//! nlkit send --proto usersock --to-port 4242 --payload "Hello you!" --wait-reply
//!
//! nlkit listen --proto usersock --group 1 &            # twice
//! nlkit send --proto usersock --to-group 1 --payload "Greeting from kernel!"
//! ```
//!
//! Each received message is printed with the sender's port id, the group it
//! came on (`NETLINK_PKTINFO`), the netns id when the kernel gives one, the
//! header fields and the payload (decoded like `nlkit decode` where the
//! protocol has tables, else as text when printable, hex otherwise).

use super::decode::{json, parse_proto, render};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::socket::netns::Netns;
use nlkit::socket::{group_mask, is_overrun, Dest, RecvInfo, Socket};
use nlkit::wire::{Control, MsgFlags, MsgIter, MsgWriter, NLMSG_DONE, NLMSG_ERROR};
use nlkit::Protocol;
use serde_json::Value;
use std::io;
use std::time::{Duration, Instant};

/// JSON lines of `listen` and `send --wait-reply`, documented.
pub const LISTEN_JSON: &str = "\
JSON output (-j): one object per received message, one per line:
  from_port   sender's port id (0: the kernel)
  group       group it came on (NETLINK_PKTINFO), null for unicast
  groups      destination group mask of the datagram (0 for unicast)
  nsid        sender's netns id, when the kernel gives one (else null)
  message     the message, with the keys of `nlkit decode -j` messages
              (offset, len, type, type_name, flags, flag_names, seq, port_id,
              payload {len, text?, hex} | header/attributes | control ...)";

/// Arguments of `nlkit listen`.
#[derive(clap::Args, Debug)]
#[command(after_help = LISTEN_JSON)]
pub struct ListenArgs {
    /// Protocol: usersock, route, generic, ... or a number.
    #[arg(long, value_name = "PROTO", default_value = "usersock", value_parser = parse_proto)]
    pub proto: Protocol,
    /// Join multicast group N (repeat for more; numbers above 32 work too).
    #[arg(long = "group", value_name = "N")]
    pub groups: Vec<u32>,
    /// Bind to this port id (default: the kernel picks one).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u32>,
    /// Exit after N messages.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Exit after SECS seconds (with --count: fail if fewer messages came).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub timeout: Option<Duration>,
    /// Send every message back to its sender (the article's echo module, in user space).
    #[arg(long)]
    pub echo: bool,
}

/// Arguments of `nlkit send`.
#[derive(clap::Args, Debug)]
#[command(
    group = clap::ArgGroup::new("dest").required(true).args(["to_port", "to_group"]),
    group = clap::ArgGroup::new("body").required(true).args(["payload", "hex"]),
    after_help = LISTEN_JSON
)]
pub struct SendArgs {
    /// Protocol: usersock, route, generic, ... or a number.
    #[arg(long, value_name = "PROTO", default_value = "usersock", value_parser = parse_proto)]
    pub proto: Protocol,
    /// Send to this port id (0: the kernel).
    #[arg(long, value_name = "PORT")]
    pub to_port: Option<u32>,
    /// Send to multicast group N (1-32; repeat for more).
    #[arg(long = "to-group", value_name = "N")]
    pub to_group: Vec<u32>,
    /// Message type: a number (16, 0x10) or a name (RTM_GETLINK, NLMSG_NOOP).
    #[arg(long = "type", value_name = "T", default_value = "16")]
    pub ty: String,
    /// Flags: a number or names (REQUEST,ACK or REQUEST|DUMP). Default: REQUEST to the kernel, else 0.
    #[arg(long, value_name = "F", value_parser = parse_flags)]
    pub flags: Option<u16>,
    /// Sequence number.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seq: u32,
    /// nlmsg_pid (default: this socket's port id, as the article's getpid()).
    #[arg(long, value_name = "PID")]
    pub pid: Option<u32>,
    /// Payload text, sent NUL-terminated as strcpy would.
    #[arg(long, value_name = "TEXT")]
    pub payload: Option<String>,
    /// Payload bytes in hex (any layout `nlkit decode` reads).
    #[arg(long, value_name = "HEX")]
    pub hex: Option<String>,
    /// With --payload: do not add the NUL terminator.
    #[arg(long, requires = "payload")]
    pub no_nul: bool,
    /// Bind to this port id (default: the kernel picks one).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u32>,
    /// Wait for the reply (or the ACK, or the end of a dump) and print it.
    #[arg(long)]
    pub wait_reply: bool,
    /// How long --wait-reply waits, in seconds.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub timeout: Duration,
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(v).map_err(|_| format!("{s:?} is not a number of seconds"))
}

fn parse_num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Parses `--flags`: a number, or flag names joined by `,` or `|`.
pub fn parse_flags(s: &str) -> Result<u16, String> {
    if let Some(n) = parse_num(s) {
        return u16::try_from(n).map_err(|_| format!("flags {s} do not fit in 16 bits"));
    }
    let mut v = 0u16;
    for name in s.split([',', '|']).map(str::trim).filter(|n| !n.is_empty()) {
        let up = name.to_ascii_uppercase();
        let up = up.strip_prefix("NLM_F_").unwrap_or(&up);
        v |= match up {
            "REQUEST" => MsgFlags::REQUEST,
            "MULTI" => MsgFlags::MULTI,
            "ACK" => MsgFlags::ACK,
            "ECHO" => MsgFlags::ECHO,
            "DUMP_INTR" => MsgFlags::DUMP_INTR,
            "DUMP_FILTERED" => MsgFlags::DUMP_FILTERED,
            "ROOT" => MsgFlags::ROOT,
            "MATCH" => MsgFlags::MATCH,
            "ATOMIC" => MsgFlags::ATOMIC,
            "DUMP" => MsgFlags::DUMP,
            "REPLACE" => MsgFlags::REPLACE,
            "EXCL" => MsgFlags::EXCL,
            "CREATE" => MsgFlags::CREATE,
            "APPEND" => MsgFlags::APPEND,
            "NONREC" => MsgFlags::NONREC,
            "BULK" => MsgFlags::BULK,
            "CAPPED" => MsgFlags::CAPPED,
            "ACK_TLVS" => MsgFlags::ACK_TLVS,
            _ => {
                return Err(format!(
                    "unknown flag {name:?} (REQUEST, ACK, DUMP, CREATE, EXCL, ... or a number)"
                ))
            }
        };
    }
    Ok(v)
}

fn open(g: &Global, proto: Protocol, port: Option<u32>) -> Result<Socket, CliError> {
    let sock = match &g.netns {
        Some(n) => Netns::Named(n).run(|| Socket::new(proto)),
        None => Socket::new(proto),
    }
    .map_err(|e| CliError::Other(e.to_string()))?;
    sock.bind(port.unwrap_or(0), 0)
        .map_err(|e| CliError::Other(e.to_string()))?;
    Ok(sock)
}

fn io_err(what: &str, e: io::Error) -> CliError {
    CliError::Other(format!("{what}: {e}"))
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Prints every message of one received datagram; returns how many there were.
fn print_datagram(
    out: &mut Out,
    proto: Protocol,
    info: &RecvInfo,
    buf: &[u8],
) -> Result<u64, CliError> {
    let d = nlkit::decode::decode(proto, buf);
    let mut from = format!("from port {}", info.port_id);
    if let Some(g) = info.group {
        from.push_str(&format!(" group {g}"));
    } else if info.groups != 0 {
        from.push_str(&format!(" groups {:#x}", info.groups));
    }
    if let Some(n) = info.nsid {
        from.push_str(&format!(" nsid {n}"));
    }
    for m in &d.messages {
        if out.json {
            let mut obj = serde_json::Map::new();
            obj.insert("from_port".into(), info.port_id.into());
            obj.insert("group".into(), info.group.map_or(Value::Null, Value::from));
            obj.insert("groups".into(), info.groups.into());
            obj.insert("nsid".into(), info.nsid.map_or(Value::Null, Value::from));
            let mv = json::to_value(json::J(m))?;
            obj.insert("message".into(), mv);
            out.json_value(&Value::Object(obj))?;
            continue;
        }
        let mut first = format!("{from}: {}", render::header_text(m));
        let only_payload = m.header.is_none()
            && m.attributes.is_none()
            && m.control.is_none()
            && m.errors.is_empty();
        if only_payload {
            match m.payload {
                Some(p) => first.push_str(&format!(" payload {}", render::payload_text(p))),
                None => first.push_str(" (no payload)"),
            }
            out.line(first)?;
            continue;
        }
        out.line(first)?;
        let mut lines = Vec::new();
        render::msg_lines(m, None, 0, &mut lines);
        for l in lines.into_iter().skip(1) {
            out.line(l)?;
        }
    }
    if let Some(e) = &d.error {
        if out.json {
            let v = serde_json::json!({"from_port": info.port_id, "error": json::to_value(json::J(e))?});
            out.json_value(&v)?;
        } else {
            out.line(format!("{from}: {e}"))?;
        }
    }
    out.flush()?;
    Ok(d.messages.len() as u64)
}

/// Runs `nlkit listen`.
pub fn listen(g: &Global, a: ListenArgs) -> Result<(), CliError> {
    let sock = open(g, a.proto, a.port)?;
    for &grp in &a.groups {
        sock.add_membership(grp)
            .map_err(|e| CliError::Other(e.to_string()))?;
    }
    sock.set_pktinfo(true)
        .map_err(|e| io_err("NETLINK_PKTINFO", e))?;
    // Netns ids come only to sockets that ask (and are allowed); without it they are simply absent.
    let _ = sock.set_listen_all_nsid(true);
    let port = sock.port_id().map_err(|e| io_err("getsockname", e))?;
    let groups: Vec<String> = a.groups.iter().map(|g| g.to_string()).collect();
    eprintln!(
        "nlkit: listening on {} port {port}{}",
        a.proto,
        if groups.is_empty() {
            String::new()
        } else {
            format!(" groups {}", groups.join(","))
        }
    );
    let mut out = Out::new(g);
    let deadline = a.timeout.map(|t| Instant::now() + t);
    let mut seen = 0u64;
    let mut buf = Vec::new();
    while a.count.is_none_or(|c| seen < c) {
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => break,
            },
            None => None,
        };
        sock.set_recv_timeout(wait)
            .map_err(|e| io_err("SO_RCVTIMEO", e))?;
        let info = match sock.recv(&mut buf) {
            Ok(i) => i,
            Err(e) if timed_out(&e) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_overrun(&e) => {
                eprintln!("nlkit: receive buffer overrun (ENOBUFS): messages were lost");
                continue;
            }
            Err(e) => return Err(io_err("receive", e)),
        };
        seen += print_datagram(&mut out, a.proto, &info, &buf)?;
        if a.echo && info.port_id != 0 {
            sock.send_to(&buf, Dest::port(info.port_id))
                .map_err(|e| io_err(&format!("echo to port {}", info.port_id), e))?;
        }
    }
    out.flush()?;
    match a.count {
        Some(c) if seen < c => Err(CliError::Other(format!(
            "timed out after {:.1}s with {seen} of {c} messages",
            a.timeout.unwrap_or_default().as_secs_f64()
        ))),
        _ => Ok(()),
    }
}

fn parse_type(proto: Protocol, s: &str) -> Result<u16, CliError> {
    if let Some(n) = parse_num(s) {
        return u16::try_from(n)
            .map_err(|_| CliError::usage(format!("type {s} does not fit in 16 bits")));
    }
    nlkit::decode::type_from_name(proto, s).ok_or_else(|| {
        CliError::usage(format!(
            "unknown message type {s:?} for {proto}: use a number or a name such as RTM_GETLINK"
        ))
    })
}

/// Runs `nlkit send`.
pub fn send(g: &Global, a: SendArgs) -> Result<(), CliError> {
    let ty = parse_type(a.proto, &a.ty)?;
    let payload: Vec<u8> = match (&a.payload, &a.hex) {
        (Some(t), _) => {
            let mut v = t.as_bytes().to_vec();
            if !a.no_nul {
                v.push(0);
            }
            v
        }
        (None, Some(h)) => {
            nlkit::decode::hex::parse(h).map_err(|e| CliError::usage(format!("--hex: {e}")))?
        }
        (None, None) => Vec::new(),
    };
    let dest = match a.to_port {
        Some(p) => Dest::port(p),
        None => {
            let mut mask = 0;
            for &grp in &a.to_group {
                mask |= group_mask(grp).map_err(|e| CliError::usage(e.to_string()))?;
            }
            Dest {
                port_id: 0,
                groups: mask,
            }
        }
    };
    let flags = a.flags.unwrap_or(if a.to_port == Some(0) {
        MsgFlags::REQUEST
    } else {
        0
    });
    let sock = open(g, a.proto, a.port)?;
    let me = sock.port_id().map_err(|e| io_err("getsockname", e))?;
    let mut buf = Vec::new();
    let mut w = MsgWriter::new(&mut buf, ty, flags, a.seq, a.pid.unwrap_or(me));
    w.bytes(&payload);
    w.finish()
        .map_err(|e| CliError::Other(format!("build message: {e}")))?;
    let to = match a.to_port {
        Some(0) => "the kernel".to_string(),
        Some(p) => format!("port {p}"),
        None => format!(
            "group {}",
            a.to_group
                .iter()
                .map(|g| g.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    if a.wait_reply {
        sock.set_ext_ack(true).ok();
    }
    let n = sock
        .send_to(&buf, dest)
        .map_err(|e| io_err(&format!("send to {to}"), e))?;
    let mut out = Out::new(g);
    if out.json {
        out.json_value(&serde_json::json!({
            "sent": n, "from_port": me, "to_port": dest.port_id, "to_groups": dest.groups,
            "type": ty, "flags": flags, "seq": a.seq,
        }))?;
    } else {
        out.line(format!(
            "sent {n} bytes to {to} from port {me} (type {ty}, flags {flags:#x}, seq {})",
            a.seq
        ))?;
    }
    out.flush()?;
    if !a.wait_reply {
        return Ok(());
    }
    let deadline = Instant::now() + a.timeout;
    let mut rbuf = Vec::new();
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| no_reply(&a))?;
        sock.set_recv_timeout(Some(left))
            .map_err(|e| io_err("SO_RCVTIMEO", e))?;
        let info = match sock.recv(&mut rbuf) {
            Ok(i) => i,
            Err(e) if timed_out(&e) => return Err(no_reply(&a)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err("receive", e)),
        };
        print_datagram(&mut out, a.proto, &info, &rbuf)?;
        let mut finished = false;
        let mut multi = false;
        let mut failed = None;
        for (_, m) in MsgIter::new(&rbuf).flatten() {
            finished |= m.msg_type() == NLMSG_DONE || m.msg_type() == NLMSG_ERROR;
            multi |= m.flags().contains(MsgFlags::MULTI);
            if let Ok(Some(Control::Error(e))) = Control::parse(&m) {
                if !e.is_ack() {
                    failed = Some(e.errno());
                }
            }
        }
        if let Some(errno) = failed {
            // Printed above in full; the exit code tells scripts.
            return Err(CliError::Other(format!(
                "the reply is an error: {} ({})",
                nlkit::errno::describe(errno),
                nlkit::errno::name(errno).unwrap_or("unknown errno")
            )));
        }
        let want_ack = flags & MsgFlags::ACK != 0;
        if finished || !(multi || want_ack) {
            return Ok(());
        }
    }
}

fn no_reply(a: &SendArgs) -> CliError {
    CliError::Other(format!("no reply within {:.1}s", a.timeout.as_secs_f64()))
}
