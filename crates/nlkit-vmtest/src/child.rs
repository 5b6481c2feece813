//! Helper processes: this program started again with arguments, as a second
//! (third...) process listening on a group or holding a socket open. A
//! helper talks over its stdout, one line per event:
//!
//! ```text
//! listen raw    READY <port> | ERROR <ERRNO> <text>, then GOT <payload> | ERROR ...
//! listen genl   READY <port> | ERROR ..., then GOT <payload> | ERROR ...
//! hold raw      READY <port>; then per stdin line "echo": ECHO OK | ECHO FAIL <why>;
//!               exits (closing its socket) at end of input
//! ```
//!
//! Every receive in a helper gives up after [`RECV_TIMEOUT`], so a helper
//! never outlives a test by much.

use crate::{raw, unit_from_env, Context, Ctx, RECV_TIMEOUT};
use nlkit::genl::nltest::{self, MSG_ECHO, RAW_GROUP};
use nlkit::genl::GenlMsg;
use nlkit::socket::{group_mask, Socket};
use nlkit::wire::Msg;
use nlkit::{Connection, Protocol};
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout, Command, ExitCode, Stdio};

/// What a listener prints when it got the greeting.
pub const GOT_GREETING: &str = "GOT Greeting from kernel!";

/// A running helper process.
pub struct Child {
    proc: std::process::Child,
    out: BufReader<ChildStdout>,
    stdin: Option<ChildStdin>,
    what: String,
}

impl Child {
    /// Starts `nlkit-vmtest ARGS...` with the same environment and privileges.
    pub fn spawn(ctx: &Ctx, args: &[&str]) -> Result<Child, String> {
        let what = format!("helper '{}'", args.join(" "));
        let mut proc = Command::new(&ctx.exe)
            .args(args)
            .env("NLTEST_UNIT", ctx.unit.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ctx(&format!("start {what}"))?;
        let out = BufReader::new(proc.stdout.take().expect("piped"));
        let stdin = proc.stdin.take();
        Ok(Child {
            proc,
            out,
            stdin,
            what,
        })
    }

    /// The next line that starts with `ok` or `err` (other lines are echoed).
    pub fn expect_line(&mut self, ok: &str, err: &str) -> Result<String, String> {
        loop {
            let mut line = String::new();
            let n = self
                .out
                .read_line(&mut line)
                .ctx(&format!("read from {}", self.what))?;
            if n == 0 {
                return Err(format!("{} ended without a {ok} line", self.what));
            }
            let line = line.trim_end().to_string();
            if line.starts_with(ok) || line.starts_with(err) {
                return Ok(line);
            }
            println!("INFO {}: {line}", self.what);
        }
    }

    /// Sends one command line to the helper.
    pub fn say(&mut self, line: &str) -> Result<(), String> {
        let w = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(w, "{line}")
            .and_then(|_| w.flush())
            .ctx(&format!("write to {}", self.what))
    }

    /// Closes the helper's stdin (a `hold` helper then exits).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the helper; it must exit with status 0.
    pub fn wait_ok(mut self) -> Result<(), String> {
        self.stdin = None;
        let st = self.proc.wait().ctx(&format!("wait for {}", self.what))?;
        if st.success() {
            Ok(())
        } else {
            Err(format!("{} exited with {st}", self.what))
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // A helper left behind by a failed test: it would only time out.
        if let Ok(None) = self.proc.try_wait() {
            let _ = self.proc.kill();
            let _ = self.proc.wait();
        }
    }
}

fn say(line: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn errno_line(e: &std::io::Error) -> String {
    let n = nlkit::socket::errno(e).unwrap_or(0);
    format!(
        "ERROR {} {e}",
        nlkit::errno::name(n).unwrap_or("unknown-errno")
    )
}

/// The payload as the article prints it: a C string, up to the first NUL.
pub fn c_text(payload: &[u8]) -> String {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    String::from_utf8_lossy(&payload[..end]).into_owned()
}

/// Entry point for `nlkit-vmtest ARGS...`.
pub fn main(args: &[String]) -> ExitCode {
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let r = match a.as_slice() {
        ["listen", "raw"] => listen_raw(),
        ["listen", "genl"] => listen_genl(),
        ["hold", "raw"] => hold_raw(),
        _ => {
            eprintln!("usage: nlkit-vmtest [listen raw|listen genl|hold raw]");
            return ExitCode::from(2);
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(format_args!("ERROR {e}"));
            ExitCode::FAILURE
        }
    }
}

/// Joins group 1 as the article's receiver does (`bind` with the mask) and
/// prints the one datagram it gets.
fn listen_raw() -> Result<(), String> {
    let s = Socket::new(Protocol(unit_from_env())).ctx("socket")?;
    if let Err(e) = s.bind(0, group_mask(RAW_GROUP).ctx("mask")?) {
        // Refused is an answer, not a failure of the helper.
        say(errno_line(&e));
        return Ok(());
    }
    s.set_recv_timeout(Some(RECV_TIMEOUT)).ctx("SO_RCVTIMEO")?;
    say(format_args!("READY {}", s.port_id().ctx("getsockname")?));
    let mut buf = Vec::new();
    let info = s.recv(&mut buf).ctx("receive")?;
    raw::check_greeting(&buf, info)?;
    let m = Msg::new_checked(&buf[..]).ctx("greeting")?;
    say(format_args!("GOT {}", c_text(m.payload())));
    Ok(())
}

/// Joins the `nltest` family's `events` group and prints the one
/// notification it gets.
fn listen_genl() -> Result<(), String> {
    let conn = Connection::new(Protocol::GENERIC).ctx("connection")?;
    let client = nltest::Client::new(&conn).ctx("resolve nltest")?;
    let s = Socket::open(Protocol::GENERIC).ctx("socket")?;
    s.set_recv_timeout(Some(RECV_TIMEOUT)).ctx("SO_RCVTIMEO")?;
    client.join_events(&s).ctx("join events")?;
    say(format_args!("READY {}", s.port_id().ctx("getsockname")?));
    let mut buf = Vec::new();
    let info = s.recv(&mut buf).ctx("receive")?;
    let m = Msg::new_checked(&buf[..]).ctx("notification")?;
    let g = GenlMsg::parse(&m).ctx("notification")?;
    if info.port_id != 0
        || m.msg_type() != client.family().id
        || g.header.cmd != nltest::NLTEST_CMD_NOTIFY
    {
        return Err(format!(
            "unexpected message: port {} type {:#x} cmd {}",
            info.port_id,
            m.msg_type(),
            g.header.cmd
        ));
    }
    let p = g
        .attr(nltest::NLTEST_A_PAYLOAD)
        .ctx("payload")?
        .ok_or("notification without NLTEST_A_PAYLOAD")?;
    say(format_args!("GOT {}", c_text(p.payload())));
    Ok(())
}

/// Keeps a raw unit socket (a member of group 1) open until stdin ends;
/// echoes on request to show the module still answers.
fn hold_raw() -> Result<(), String> {
    let unit = unit_from_env();
    let s = raw::raw_socket(unit)?;
    s.add_membership(RAW_GROUP).ctx("join group 1")?;
    let port = s.port_id().ctx("getsockname")?;
    say(format_args!("READY {port}"));
    let mut seq = 1;
    for line in std::io::stdin().lock().lines() {
        let line = line.ctx("read stdin")?;
        if line.trim() != "echo" {
            continue;
        }
        let payload = format!("still here {seq}\0");
        let r = s
            .send(&raw::request_bytes(MSG_ECHO, seq, payload.as_bytes()))
            .ctx("send")
            .and_then(|_| {
                let mut buf = Vec::new();
                let info = s.recv(&mut buf).ctx("receive")?;
                raw::check_echo(&buf, info, MSG_ECHO, seq, payload.as_bytes(), port)
            });
        match r {
            Ok(()) => say("ECHO OK"),
            Err(e) => say(format_args!("ECHO FAIL {e}")),
        }
        seq += 1;
    }
    Ok(())
}
