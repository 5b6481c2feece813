//! The article's first demo ("Why and How to Use Netlink Socket", unicast
//! between an application and a kernel module), against nlkit's own module
//! (`kernel/module`): send "Hello you!" to the kernel on the module's raw
//! unit, and print what comes back:
//!
//! ```text
//! $ cargo run --example nltest_echo
//! Received message payload: Hello you!
//! ```
//!
//! The module echoes every request (type >= 0x10, `NLM_F_REQUEST` set; the
//! article's sender left the flags at 0, which this module ignores). The
//! unit is `$NLTEST_UNIT`, or 17 (the article's `NETLINK_TEST`).

use nlkit::genl::nltest;
use nlkit::socket::Socket;
use nlkit::wire::{Msg, MsgFlags, MsgWriter};
use nlkit::Protocol;
use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let unit = std::env::var("NLTEST_UNIT")
        .ok()
        .and_then(|u| u.parse().ok())
        .unwrap_or(nltest::UNIT);
    // socket() + bind(): the kernel picks our port id (the article's
    // nl_pid = getpid() is only a convention).
    let sock =
        Socket::open(Protocol(unit)).map_err(|e| format!("{e} (is the nltest module loaded?)"))?;

    // The request: a netlink header and the C string as payload.
    let mut buf = Vec::new();
    let mut w = MsgWriter::new(&mut buf, nltest::MSG_ECHO, MsgFlags::REQUEST, 1, 0);
    w.bytes(b"Hello you!\0");
    w.finish()?;
    sock.send(&buf)?; // to port id 0: the kernel

    // Read message from kernel.
    sock.recv(&mut buf)?;
    let reply = Msg::new_checked(&buf[..])?;
    let text = reply
        .payload()
        .split(|&b| b == 0)
        .next()
        .unwrap_or_default();
    println!(
        "Received message payload: {}",
        String::from_utf8_lossy(text)
    );
    Ok(())
}
