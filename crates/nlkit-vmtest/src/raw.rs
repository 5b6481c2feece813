//! The raw protocol (unit 17, or the module's `unit`): unicast echo through a
//! [`Socket`] and through a [`Connection`], multicast of the greeting to two
//! listeners (two sockets, two processes), and who may join the group.

use crate::child::{self, Child};
use crate::{ensure, Context, Ctx, Outcome, Report, TestResult, RECV_TIMEOUT};
use nlkit::conn::RawRequest;
use nlkit::genl::nltest::{GREETING, MSG_BROADCAST, MSG_ECHO, RAW_GROUP};
use nlkit::socket::{group_mask, RecvInfo, Socket};
use nlkit::wire::{Msg, MsgFlags, MsgWriter};
use nlkit::{Connection, Protocol};
use std::io;

pub fn run(ctx: &Ctx, r: &mut Report) {
    r.run("raw_echo_sizes_socket", || echo_sizes_socket(ctx));
    let info = Report::new(&ctx.phase);
    r.run("raw_echo_largest_datagram", || echo_largest(ctx, &info));
    r.run("raw_echo_sizes_request", || echo_sizes_request(ctx));
    r.run("raw_request_largest_datagram", || request_largest(ctx));
    r.run("raw_request_8_threads_1000", || request_threads(ctx));
    if ctx.may_join_raw_group() {
        r.run("raw_multicast_two_sockets", || multicast_two_sockets(ctx));
        r.run("raw_multicast_two_processes", || {
            multicast_two_processes(ctx)
        });
    } else {
        r.run("raw_multicast_join_denied", || join_denied(ctx));
        r.run("raw_multicast_join_denied_processes", || {
            multicast_two_processes(ctx)
        });
    }
    if ctx.unit != nlkit::genl::nltest::UNIT {
        r.run("raw_unit_17_not_registered", unit_17_absent);
    }
}

/// An open raw unit socket whose receives give up after [`RECV_TIMEOUT`].
pub fn raw_socket(unit: i32) -> Result<Socket, String> {
    let s = Socket::open(Protocol(unit)).ctx(&format!("open raw unit {unit} socket"))?;
    s.set_recv_timeout(Some(RECV_TIMEOUT)).ctx("SO_RCVTIMEO")?;
    Ok(s)
}

/// One request message, as the article's sender builds it (plus `NLM_F_REQUEST`).
pub fn request_bytes(ty: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(16 + payload.len());
    let mut w = MsgWriter::new(&mut buf, ty, MsgFlags::REQUEST, seq, 0);
    w.bytes(payload);
    w.finish().expect("a message under 4 GiB");
    buf
}

/// A payload pattern that differs per size, so a mixed-up reply shows.
pub fn pattern(len: usize, salt: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ salt.wrapping_mul(7)) as u8)
        .collect()
}

/// Checks one echo: same type, seq and payload byte for byte (`nlmsg_len` is
/// exact, the datagram padded to 4 bytes), request flags removed, from the
/// kernel, addressed to us.
pub fn check_echo(
    buf: &[u8],
    info: RecvInfo,
    ty: u16,
    seq: u32,
    payload: &[u8],
    port: u32,
) -> Result<(), String> {
    let m = Msg::new_checked(buf).ctx("echo")?;
    let what = format!("echo of {} bytes", payload.len());
    ensure!(
        info.port_id == 0,
        "{what}: from port {}, want 0 (kernel)",
        info.port_id
    );
    ensure!(
        info.groups == 0,
        "{what}: sent to groups {:#x}",
        info.groups
    );
    // The datagram is padded to 4 bytes; nlmsg_len is not.
    let padded = nlkit::wire::align(16 + payload.len());
    ensure!(
        buf.len() == padded,
        "{what}: datagram of {} bytes, want {padded}",
        buf.len()
    );
    ensure!(
        m.len() as usize == 16 + payload.len(),
        "{what}: nlmsg_len {}",
        m.len()
    );
    ensure!(
        m.msg_type() == ty,
        "{what}: type {:#x}, want {ty:#x}",
        m.msg_type()
    );
    ensure!(m.seq() == seq, "{what}: seq {}, want {seq}", m.seq());
    ensure!(m.flags().0 == 0, "{what}: flags {:#x}, want 0", m.flags().0);
    ensure!(
        m.port_id() == port,
        "{what}: nlmsg_pid {}, want our port {port}",
        m.port_id()
    );
    if m.payload() != payload {
        let at = m
            .payload()
            .iter()
            .zip(payload)
            .position(|(a, b)| a != b)
            .unwrap_or(m.payload().len().min(payload.len()));
        return Err(format!("{what}: payload differs at byte {at}"));
    }
    Ok(())
}

/// Nothing else may be queued on `s`.
fn nothing_more(s: &Socket, what: &str) -> Result<(), String> {
    let mut buf = Vec::new();
    match s.recv_nonblocking(&mut buf) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        Err(e) => Err(format!("{what}: {e}")),
        Ok(i) => Err(format!(
            "{what}: an extra {}-byte datagram from port {}",
            i.len, i.port_id
        )),
    }
}

const SIZES: [(usize, u16, u32); 6] = [
    (0, MSG_ECHO, 1),
    (1, MSG_ECHO, 2),
    (3, 0x20, 3),
    (4096, 0x1234, 4),
    (32 * 1024, MSG_ECHO, 0xdead_beef),
    (64 * 1024, 0xffff, u32::MAX),
];

fn echo_sizes_socket(ctx: &Ctx) -> TestResult {
    let s = raw_socket(ctx.unit)?;
    let port = s.port_id().ctx("getsockname")?;
    let mut buf = Vec::new();
    for (i, &(size, ty, seq)) in SIZES.iter().enumerate() {
        let payload = pattern(size, i);
        s.send(&request_bytes(ty, seq, &payload))
            .ctx(&format!("send {size} bytes"))?;
        let info = s
            .recv(&mut buf)
            .ctx(&format!("receive the echo of {size} bytes"))?;
        check_echo(&buf, info, ty, seq, &payload, port)?;
    }
    nothing_more(&s, "after the echoes")?;
    Ok(Outcome::Pass)
}

/// The largest datagram the socket may send (`SO_SNDBUF` - 32, the check in
/// `netlink_sendmsg()`) is echoed whole; one byte more is `EMSGSIZE`.
fn echo_largest(ctx: &Ctx, r: &Report) -> TestResult {
    let s = raw_socket(ctx.unit)?;
    let port = s.port_id().ctx("getsockname")?;
    let sndbuf = s.send_buffer_size().ctx("SO_SNDBUF")?;
    let size = sndbuf - 32 - 16;
    let payload = pattern(size, 99);
    let seq = 77;
    s.send(&request_bytes(MSG_ECHO, seq, &payload))
        .ctx(&format!("send {size} bytes (SO_SNDBUF {sndbuf})"))?;
    let mut buf = Vec::new();
    let info = s
        .recv(&mut buf)
        .ctx(&format!("receive the echo of {size} bytes"))?;
    check_echo(&buf, info, MSG_ECHO, seq, &payload, port)?;
    r.info(format_args!(
        "largest echo: {size} bytes of payload (SO_SNDBUF {sndbuf})"
    ));
    let too_big = request_bytes(MSG_ECHO, seq + 1, &pattern(size + 1, 0));
    match s.send(&too_big) {
        Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {}
        Err(e) => return Err(format!("{} bytes: {e}, want EMSGSIZE", too_big.len())),
        Ok(_) => return Err(format!("{} bytes: sent, want EMSGSIZE", too_big.len())),
    }
    nothing_more(&s, "after the largest echo")?;
    Ok(Outcome::Pass)
}

fn raw_request<'a>(ty: u16, payload: &'a [u8], what: &'a str) -> RawRequest<'a> {
    RawRequest {
        msg_type: ty,
        flags: 0,
        payload,
        fixed_len: 0,
        what,
    }
}

fn raw_connection(unit: i32) -> Result<Connection, String> {
    let s = raw_socket(unit)?;
    Connection::with_socket(s).ctx("connection")
}

/// Through `Connection::request` (`NLM_F_ACK`): the echo is the one data
/// reply, then the ACK ends the request.
fn echo_sizes_request(ctx: &Ctx) -> TestResult {
    let conn = raw_connection(ctx.unit)?;
    for (i, &(size, ty, _)) in SIZES.iter().enumerate() {
        let payload = pattern(size, i + 10);
        let what = format!("raw echo of {size} bytes");
        let mut replies = Vec::new();
        let warning = conn
            .request(&raw_request(ty, &payload, &what), |m| {
                replies.push((m.msg_type(), m.flags().0, m.payload().to_vec()));
                Ok(())
            })
            .ctx(&what)?;
        ensure!(warning.is_none(), "{what}: ACK with a warning {warning:?}");
        ensure!(replies.len() == 1, "{what}: {} replies", replies.len());
        let (rty, flags, p) = &replies[0];
        ensure!(*rty == ty, "{what}: type {rty:#x}");
        ensure!(*flags == 0, "{what}: flags {flags:#x}");
        ensure!(*p == payload, "{what}: payload differs");
        let got = conn.get(&raw_request(ty, &payload, &what)).ctx(&what)?;
        ensure!(
            got.len() == 16 + size && got[16..] == payload[..],
            "{what}: get() differs"
        );
    }
    let st = conn.stats();
    ensure!(st.stale == 0 && st.spoofed == 0, "engine counters {st:?}");
    Ok(Outcome::Pass)
}

/// The largest datagram through `Connection::request`: the echo (about
/// 256 KiB of receive buffer) and then the ACK must both fit, so the
/// receive buffer is raised first (`SO_RCVBUF` 1 MiB: the kernel caps it at
/// twice `rmem_max` without privileges, which is enough). With the default
/// buffer the ACK does not fit: the kernel drops it and flags the socket,
/// and the request fails with `Error::Overrun` before it sees the echo.
fn request_largest(ctx: &Ctx) -> TestResult {
    let s = raw_socket(ctx.unit)?;
    let size = s.send_buffer_size().ctx("SO_SNDBUF")? - 32 - 16;
    let payload = pattern(size, 5);
    let what = format!("raw echo of {size} bytes");
    // Default receive buffer first.
    let conn = Connection::with_socket(s).ctx("connection")?;
    let rcv = conn.socket().recv_buffer_size().ctx("SO_RCVBUF")?;
    let mut n = 0;
    let res = conn.request(&raw_request(MSG_ECHO, &payload, &what), |m| {
        n += 1;
        ensure_payload(&m, &payload)
    });
    // The kernel queued the echo, could not queue the ACK behind it and
    // flagged the socket (ENOBUFS), which the next receive reports first.
    match res {
        Err(e) if e.is_overrun() && n == 0 => {}
        other => {
            return Err(format!(
                "with the default SO_RCVBUF {rcv}: {n} replies, then {:?}; want an overrun",
                other.map_err(|e| e.to_string())
            ))
        }
    }
    let s = raw_socket(ctx.unit)?;
    s.set_recv_buffer_size(1 << 20, false).ctx("SO_RCVBUF")?;
    let rcv = s.recv_buffer_size().ctx("SO_RCVBUF")?;
    let conn = Connection::with_socket(s).ctx("connection")?;
    let mut n = 0;
    conn.request(&raw_request(MSG_ECHO, &payload, &what), |m| {
        n += 1;
        ensure_payload(&m, &payload)
    })
    .ctx(&format!("{what} with SO_RCVBUF {rcv}"))?;
    ensure!(n == 1, "{n} data replies");
    Ok(Outcome::Pass)
}

fn ensure_payload(m: &Msg<&[u8]>, payload: &[u8]) -> nlkit::Result<()> {
    if m.payload() == payload && m.msg_type() == MSG_ECHO {
        Ok(())
    } else {
        Err(nlkit::Error::Invalid(format!(
            "reply of type {:#x} with {} bytes differs",
            m.msg_type(),
            m.payload().len()
        )))
    }
}

/// 8 threads share one connection; every request has its own payload and
/// must get exactly its own echo back.
fn request_threads(ctx: &Ctx) -> TestResult {
    let conn = raw_connection(ctx.unit)?;
    let results: Vec<Result<(), String>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let conn = &conn;
                sc.spawn(move || -> Result<(), String> {
                    for i in 0..125 {
                        let mut payload = format!("thread {t} request {i}:").into_bytes();
                        payload.extend(pattern((t * 131 + i * 17) % 2000, t * 1000 + i));
                        let what = format!("thread {t} request {i}");
                        let ty = MSG_ECHO + 0x100 * t as u16;
                        let mut got = None;
                        conn.request(&raw_request(ty, &payload, &what), |m| {
                            got = Some((m.msg_type(), m.payload().to_vec()));
                            Ok(())
                        })
                        .ctx(&what)?;
                        ensure!(got == Some((ty, payload)), "{what}: got another reply");
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    for r in results {
        r?;
    }
    let st = conn.stats();
    ensure!(st.stale == 0 && st.spoofed == 0, "engine counters {st:?}");
    Ok(Outcome::Pass)
}

/// Sends the broadcast trigger and checks the sender gets only its echo.
pub fn trigger_broadcast(unit: i32, seq: u32) -> Result<(), String> {
    let s = raw_socket(unit)?;
    let port = s.port_id().ctx("getsockname")?;
    let payload = b"trigger\0";
    s.send(&request_bytes(MSG_BROADCAST, seq, payload))
        .ctx("send the broadcast trigger")?;
    let mut buf = Vec::new();
    let info = s.recv(&mut buf).ctx("receive the trigger's echo")?;
    check_echo(&buf, info, MSG_BROADCAST, seq, payload, port)?;
    nothing_more(&s, "the sender (not a member)")
}

/// The greeting as a listener receives it: type 0x11, seq 0, from the
/// kernel, on group 1, 22 bytes with the NUL.
pub fn check_greeting(buf: &[u8], info: RecvInfo) -> Result<(), String> {
    let m = Msg::new_checked(buf).ctx("greeting")?;
    ensure!(info.port_id == 0, "greeting from port {}", info.port_id);
    ensure!(
        info.groups == group_mask(RAW_GROUP).unwrap_or(1),
        "greeting on groups {:#x}",
        info.groups
    );
    ensure!(
        m.msg_type() == MSG_BROADCAST,
        "greeting of type {:#x}",
        m.msg_type()
    );
    ensure!(m.seq() == 0, "greeting with seq {}", m.seq());
    let want = format!("{GREETING}\0");
    ensure!(
        m.payload() == want.as_bytes(),
        "greeting payload {:?}",
        String::from_utf8_lossy(m.payload())
    );
    Ok(())
}

/// Group 1 joined both ways: `bind()` with the mask (as the article does) and
/// `NETLINK_ADD_MEMBERSHIP`.
fn multicast_two_sockets(ctx: &Ctx) -> TestResult {
    let a = Socket::new(Protocol(ctx.unit)).ctx("socket")?;
    a.bind(0, group_mask(RAW_GROUP).ctx("mask")?)
        .ctx("bind with group 1")?;
    let b = raw_socket(ctx.unit)?;
    b.add_membership(RAW_GROUP).ctx("join group 1")?;
    a.set_recv_timeout(Some(RECV_TIMEOUT)).ctx("SO_RCVTIMEO")?;
    ensure!(
        b.memberships().ctx("memberships")? == [RAW_GROUP],
        "memberships"
    );
    trigger_broadcast(ctx.unit, 11)?;
    for (name, s) in [("bound listener", &a), ("joined listener", &b)] {
        let mut buf = Vec::new();
        let info = s.recv(&mut buf).ctx(name)?;
        check_greeting(&buf, info).map_err(|e| format!("{name}: {e}"))?;
        nothing_more(s, name)?;
    }
    Ok(Outcome::Pass)
}

/// Without `CAP_NET_ADMIN` and without `nonroot_recv`, both ways of joining
/// are refused with EPERM; unicast still works (the echo tests above).
fn join_denied(ctx: &Ctx) -> TestResult {
    let a = Socket::new(Protocol(ctx.unit)).ctx("socket")?;
    match a.bind(0, group_mask(RAW_GROUP).ctx("mask")?) {
        Err(e) if nlkit::socket::errno(&e) == Some(libc::EPERM) => {}
        Err(e) => return Err(format!("bind with group 1: {e}, want EPERM")),
        Ok(()) => return Err("bind with group 1 allowed".into()),
    }
    let b = raw_socket(ctx.unit)?;
    match b.add_membership(RAW_GROUP) {
        Err(e) if nlkit::socket::errno(&e) == Some(libc::EPERM) => {}
        Err(e) => return Err(format!("join group 1: {e}, want EPERM")),
        Ok(()) => return Err("join group 1 allowed".into()),
    }
    // The broadcast trigger is unicast to the kernel: allowed, echoed.
    trigger_broadcast(ctx.unit, 12)?;
    Ok(Outcome::Pass)
}

/// Two processes (this program, `listen raw`) each receive the greeting, or
/// are both refused the join.
fn multicast_two_processes(ctx: &Ctx) -> TestResult {
    let mut kids = Vec::new();
    for _ in 0..2 {
        kids.push(Child::spawn(ctx, &["listen", "raw"])?);
    }
    let mut ready = Vec::new();
    for k in kids.iter_mut() {
        ready.push(k.expect_line("READY", "ERROR")?);
    }
    if !ctx.may_join_raw_group() {
        for line in &ready {
            ensure!(
                line.starts_with("ERROR EPERM"),
                "listener: {line:?}, want ERROR EPERM"
            );
        }
        for k in kids {
            k.wait_ok()?;
        }
        return Ok(Outcome::Pass);
    }
    for line in &ready {
        ensure!(line.starts_with("READY"), "listener: {line:?}");
    }
    trigger_broadcast(ctx.unit, 13)?;
    for k in kids.iter_mut() {
        let line = k.expect_line("GOT", "ERROR")?;
        ensure!(line == child::GOT_GREETING, "listener: {line:?}");
    }
    for k in kids {
        k.wait_ok()?;
    }
    Ok(Outcome::Pass)
}

/// With the module on another unit, unit 17 has no kernel socket at all.
fn unit_17_absent() -> TestResult {
    match Socket::new(Protocol(nlkit::genl::nltest::UNIT)) {
        Err(e) if nlkit::socket::errno(&e) == Some(libc::EPROTONOSUPPORT) => Ok(Outcome::Pass),
        Err(e) => Err(format!("socket(unit 17): {e}, want EPROTONOSUPPORT")),
        Ok(_) => Err("socket(unit 17) opened".into()),
    }
}
