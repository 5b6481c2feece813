//! strace's hex dumps (`strace -e read=all -e write=all`, with or without
//! `-x`, `-f`, `-tt`, `-o`) back to the datagrams they show.
//!
//! strace prints each system call on a line (`sendmsg(4, {...}) = 48`, with a
//! pid and a time before it under `-f` / `-tt`), then, for the data it
//! moved, ` * 48 bytes in buffer 0` per iov buffer (not for `sendto`/`write`)
//! and lines ` | 00010  08 00 1d 00 09 00 00 00  07 00 03 00 6c 6f 00 00  ....lo.. |`
//! of at most 16 bytes, the offset counting from the buffer's start. The
//! buffers of one call are one datagram (the iovs of a `sendmsg` form one
//! netlink message train).
//!
//! Which dumps are netlink: when the trace has `socket(AF_NETLINK, ...,
//! NETLINK_X) = FD` lines, only the calls on those fds (and each datagram is
//! decoded as that protocol); without any, every `send*`/`recv*` call's
//! dump. Other dumps (`write(1, ...)` to a terminal) are skipped.
//!
//! Bad dump lines (an offset out of order, a byte that is not hex) are an
//! error naming the line; nothing is guessed.

use nlkit::Protocol;
use std::collections::HashMap;

/// One datagram of the trace.
#[derive(Debug, PartialEq, Eq)]
pub struct Datagram {
    /// The system call (`sendmsg`, `recvmsg`...).
    pub syscall: String,
    /// Its file descriptor.
    pub fd: Option<u32>,
    /// The protocol of the fd's `socket()` line, if the trace has it.
    pub protocol: Option<Protocol>,
    /// The line of the call (1-based).
    pub line: usize,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// True if `text` has strace hex dump lines.
pub fn looks_like(text: &str) -> bool {
    text.lines().any(|l| dump_line(l).is_some())
}

/// ` | 00010  08 00 ...  ascii |` → (offset, the hex columns).
fn dump_line(l: &str) -> Option<(usize, &str)> {
    let rest = l.strip_prefix(" | ")?;
    let (off, rest) = rest.split_at_checked(5)?;
    if !off.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hex = rest.strip_prefix("  ")?;
    // 16 columns of "xx " with one more space after the eighth: 49 characters.
    let hex = hex.get(..49.min(hex.len()))?;
    Some((usize::from_str_radix(off, 16).ok()?, hex))
}

/// The calls whose data is a socket's (used when the trace has no `socket()` lines).
fn is_socket_call(name: &str) -> bool {
    name.starts_with("send") || name.starts_with("recv")
}

/// A system call line: its name and first argument (the fd).
fn call_line(l: &str) -> Option<(&str, Option<u32>)> {
    // `<... recvmsg resumed>`: the call's data follows this line.
    if let Some(r) = l.split_once("<... ").map(|(_, r)| r) {
        let name = r.split_once(" resumed>")?.0;
        return Some((name, None));
    }
    let (head, args) = l.split_once('(')?;
    let name = head.rsplit([' ', ']']).next()?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let fd = args
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok());
    Some((name, fd))
}

/// `socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3` → (3, route).
fn netlink_socket(l: &str) -> Option<(u32, Option<Protocol>)> {
    let at = l.find("socket(AF_NETLINK, ")?;
    let rest = &l[at..];
    let proto = rest.split(", ").nth(2)?.split(')').next()?;
    let proto = Protocol::KNOWN
        .iter()
        .find(|p| p.c_name() == Some(proto))
        .copied()
        .or_else(|| Protocol::from_name(proto));
    let fd = rest.rsplit("= ").next()?.trim().parse().ok()?;
    Some((fd, proto))
}

/// The netlink datagrams of a trace, in order.
pub fn datagrams(text: &str) -> Result<Vec<Datagram>, String> {
    let mut sockets: HashMap<u32, Option<Protocol>> = HashMap::new();
    for l in text.lines() {
        if let Some((fd, p)) = netlink_socket(l) {
            sockets.insert(fd, p);
        }
    }
    let mut out: Vec<Datagram> = Vec::new();
    // The call the dump lines belong to, and the fd of each unfinished call by name.
    let mut current: Option<Datagram> = None;
    let mut unfinished: HashMap<String, Option<u32>> = HashMap::new();
    let mut buffer_at = 0usize; // where the current iov buffer starts in the datagram
    let keep = |d: Datagram, out: &mut Vec<Datagram>| {
        if !d.bytes.is_empty() {
            out.push(d);
        }
    };
    for (i, l) in text.lines().enumerate() {
        let n = i + 1;
        if let Some((off, hex)) = dump_line(l) {
            let Some(d) = current.as_mut() else {
                continue; // a dump of a call we skip
            };
            if off != d.bytes.len() - buffer_at {
                return Err(format!(
                    "line {n}: offset {off:#x} where {:#x} was expected",
                    d.bytes.len() - buffer_at
                ));
            }
            for tok in hex.split_whitespace() {
                let b = (tok.len() == 2)
                    .then(|| u8::from_str_radix(tok, 16).ok())
                    .flatten()
                    .ok_or_else(|| {
                        format!("line {n}: {:?} is not a hex byte", crate::error::clip(tok))
                    })?;
                d.bytes.push(b);
            }
            continue;
        }
        if l.trim_start().starts_with("* ") && l.contains(" bytes in buffer ") {
            if let Some(d) = current.as_ref() {
                buffer_at = d.bytes.len();
            }
            continue;
        }
        let Some((name, fd)) = call_line(l) else {
            continue;
        };
        if let Some(d) = current.take() {
            keep(d, &mut out);
        }
        buffer_at = 0;
        let fd = if l.contains("<unfinished ...>") {
            unfinished.insert(name.to_string(), fd);
            continue;
        } else if l.contains(" resumed>") {
            unfinished.remove(name).flatten()
        } else {
            fd
        };
        let wanted = match fd {
            Some(fd) if !sockets.is_empty() => sockets.contains_key(&fd),
            _ => sockets.is_empty() && is_socket_call(name),
        };
        if wanted {
            current = Some(Datagram {
                syscall: name.to_string(),
                fd,
                protocol: fd.and_then(|f| sockets.get(&f).copied().flatten()),
                line: n,
                bytes: Vec::new(),
            });
        }
    }
    if let Some(d) = current {
        keep(d, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "\
9588  11:45:50.521492 socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3
9588  11:45:50.521716 sendto(3, [{nlmsg_len=20, ...}], 20, 0, NULL, 0) = 20
 | 00000  14 00 00 00 03 00 02 00  01 00 00 00 00 00 00 00  ................ |
 | 00010  00 00 00 00                                       ....             |
9588  11:45:50.521800 write(1, \"[]\\n\", 3) = 3
 | 00000  5b 5d 0a                                          [].              |
9588  11:45:50.522033 recvmsg(3, {msg_iov=[{iov_base=..., iov_len=16384}]}, 0) = 20
 * 20 bytes in buffer 0
 | 00000  14 00 00 00 03 00 02 00  01 00 00 00 e0 0f 00 00  ................ |
 | 00010  00 00 00 00                                       ....             |
";

    #[test]
    fn calls_on_netlink_sockets_become_datagrams() {
        assert!(looks_like(TRACE));
        let d = datagrams(TRACE).unwrap();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(
            (d[0].syscall.as_str(), d[0].fd, d[0].line),
            ("sendto", Some(3), 2)
        );
        assert_eq!(d[0].protocol, Some(Protocol::ROUTE));
        assert_eq!(d[0].bytes.len(), 20);
        assert_eq!(&d[0].bytes[..6], &[0x14, 0, 0, 0, 3, 0]);
        assert_eq!((d[1].syscall.as_str(), d[1].line), ("recvmsg", 7));
        assert_eq!(&d[1].bytes[12..14], &[0xe0, 0x0f]);
    }

    /// A dump line as strace writes it: the hex columns padded to 49.
    fn dump(off: usize, hex: &str) -> String {
        format!(" | {off:05x}  {hex:<49} ................ |\n")
    }

    #[test]
    fn without_socket_lines_send_and_recv_calls_count() {
        let t = format!(
            "sendmsg(4, {{...}}, 0) = 4\n * 4 bytes in buffer 0\n{}write(1, \"x\", 1) = 1\n{}",
            dump(0, "01 02 03 04"),
            dump(0, "78")
        );
        let t = t.as_str();
        let d = datagrams(t).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].bytes, [1, 2, 3, 4]);
        assert_eq!(d[0].protocol, None);
    }

    #[test]
    fn two_iov_buffers_are_one_datagram_and_bad_lines_are_errors() {
        let t = format!(
            "sendmsg(4, {{...}}, 0) = 6\n * 4 bytes in buffer 0\n{} * 2 bytes in buffer 1\n{}",
            dump(0, "01 02 03 04"),
            dump(0, "05 06")
        );
        assert_eq!(datagrams(&t).unwrap()[0].bytes, [1, 2, 3, 4, 5, 6]);
        let skipped = format!(
            "sendmsg(4, {{...}}, 0) = 4\n{}{}",
            dump(0, "01 02 03 04"),
            dump(0x20, "05")
        );
        let e = datagrams(&skipped).unwrap_err();
        assert!(
            e.starts_with("line 3: offset 0x20 where 0x4 was expected"),
            "{e}"
        );
        let bad = format!("sendmsg(4, {{...}}, 0) = 4\n{}", dump(0, "01 0g"));
        let e = datagrams(&bad).unwrap_err();
        assert!(e.starts_with("line 2: \"0g\""), "{e}");
    }

    #[test]
    fn unfinished_and_resumed_calls_under_f() {
        let t = format!(
            "1 socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC) = 5\n\
             1 recvmsg(5,  <unfinished ...>\n\
             2 write(1, \"x\", 1) = 1\n\
             1 <... recvmsg resumed>{{msg_iov=[...]}}, 0) = 2\n * 2 bytes in buffer 0\n{}",
            dump(0, "aa bb")
        );
        let d = datagrams(&t).unwrap();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].fd, d[0].protocol, d[0].line),
            (Some(5), Some(Protocol::GENERIC), 4)
        );
        assert_eq!(d[0].bytes, [0xaa, 0xbb]);
    }
}
