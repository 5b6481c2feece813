//! The article's second demo ("Why and How to Use Netlink Socket", multicast
//! from a kernel module to two applications), against nlkit's own module
//! (`kernel/module`). The module broadcasts "Greeting from kernel!" to group
//! 1 of its raw unit whenever it gets a message of type 0x11.
//!
//! ```text
//! $ cargo run --example nltest_multicast          # two listener threads, then the trigger
//! Received message payload: Greeting from kernel!
//! Received message payload: Greeting from kernel!
//!
//! $ nltest_multicast listen &                     # as the article runs nl_recv, twice
//! Waiting for message from kernel
//! $ nltest_multicast listen &
//! Waiting for message from kernel
//! $ nltest_multicast send                         # makes the kernel broadcast
//! Received message payload: Greeting from kernel!
//! Received message payload: Greeting from kernel!
//! ```
//!
//! Joining group 1 needs `CAP_NET_ADMIN` unless the module was loaded with
//! `nonroot_recv=1`; without it `bind` fails with EPERM. The unit is
//! `$NLTEST_UNIT`, or 17.

use nlkit::genl::nltest;
use nlkit::socket::{group_mask, Socket};
use nlkit::wire::{Msg, MsgFlags, MsgWriter};
use nlkit::Protocol;
use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

fn unit() -> i32 {
    std::env::var("NLTEST_UNIT")
        .ok()
        .and_then(|u| u.parse().ok())
        .unwrap_or(nltest::UNIT)
}

/// A socket bound to group 1, as the article's receiver binds
/// (`nl_groups = 1`, a mask: group 1 is bit 0).
fn listener() -> Result<Socket> {
    let sock =
        Socket::new(Protocol(unit())).map_err(|e| format!("{e} (is the nltest module loaded?)"))?;
    sock.bind(0, group_mask(nltest::RAW_GROUP)?)?;
    Ok(sock)
}

/// Waits for one message and prints its payload (a C string).
fn receive(sock: &Socket) -> Result<()> {
    let mut buf = Vec::new();
    sock.recv(&mut buf)?;
    let msg = Msg::new_checked(&buf[..])?;
    let text = msg.payload().split(|&b| b == 0).next().unwrap_or_default();
    println!(
        "Received message payload: {}",
        String::from_utf8_lossy(text)
    );
    Ok(())
}

/// Asks the module to broadcast; returns once it has (its echo to us comes
/// after the broadcast).
fn trigger() -> Result<()> {
    let sock = Socket::open(Protocol(unit()))?;
    let mut buf = Vec::new();
    let mut w = MsgWriter::new(&mut buf, nltest::MSG_BROADCAST, MsgFlags::REQUEST, 1, 0);
    w.bytes(b"broadcast, please\0");
    w.finish()?;
    sock.send(&buf)?;
    sock.recv(&mut buf)?;
    Ok(())
}

fn main() -> Result<()> {
    match std::env::args().nth(1).as_deref() {
        None => {
            // Both listeners are members before the kernel broadcasts.
            let listeners = [listener()?, listener()?];
            std::thread::scope(|s| -> Result<()> {
                let threads: Vec<_> = listeners
                    .iter()
                    .map(|l| s.spawn(move || receive(l)))
                    .collect();
                trigger()?;
                for t in threads {
                    t.join().expect("listener thread")?;
                }
                Ok(())
            })
        }
        Some("listen") => {
            let sock = listener()?;
            println!("Waiting for message from kernel");
            receive(&sock)
        }
        Some("send") => trigger(),
        Some(other) => Err(format!("unknown mode {other:?}: use listen, send or nothing").into()),
    }
}
