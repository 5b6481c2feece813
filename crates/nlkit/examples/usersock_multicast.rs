//! The article's multicast demo ("Why and How to Use Netlink Socket"), on
//! `NETLINK_USERSOCK`: two listeners bound to group 1 wait, a sender (the
//! article's kernel module) sends "Greeting from kernel!" to the group, and
//! both listeners print it with who sent it:
//!
//! ```text
//! Waiting for message from kernel
//! Waiting for message from kernel
//! Received message payload: Greeting from kernel! (listener 1, sender port 4242, group 1)
//! Received message payload: Greeting from kernel! (listener 2, sender port 4242, group 1)
//! ```
//!
//! ```text
//! cargo run -p nlkit --example usersock_multicast            # two listeners and the sender, threads
//! cargo run -p nlkit --example usersock_multicast -- listen  # one listener (run two, like nl_recv &)
//! cargo run -p nlkit --example usersock_multicast -- send
//! ```

use nlkit::socket::{group_mask, Dest, Socket};
use nlkit::wire::{Msg, MsgWriter, NLMSG_MIN_TYPE};
use nlkit::Protocol;
use std::io;
use std::sync::{Arc, Barrier};
use std::time::Duration;

const MAX_PAYLOAD: usize = 1024;
const GROUP: u32 = 1;

/// A socket bound with `nl_groups = 1`, as the article's `nl_recv` does.
fn listener() -> io::Result<Socket> {
    let sock = Socket::new(Protocol::USERSOCK)?;
    sock.bind(0, group_mask(GROUP)?)?;
    sock.set_pktinfo(true)?; // tell us which group each message came on
    Ok(sock)
}

fn receive(sock: &Socket, name: &str) -> io::Result<()> {
    let mut buf = Vec::new();
    let from = sock.recv(&mut buf)?;
    let msg =
        Msg::new_checked(&buf[..]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let p = msg.payload();
    let text = String::from_utf8_lossy(&p[..p.iter().position(|&b| b == 0).unwrap_or(p.len())]);
    println!(
        "Received message payload: {text} ({name}, sender port {}, group {})",
        from.port_id,
        from.group.unwrap_or(0)
    );
    Ok(())
}

fn send() -> io::Result<()> {
    let sock = Socket::open(Protocol::USERSOCK)?;
    let mut payload = [0u8; MAX_PAYLOAD];
    payload[..22].copy_from_slice(b"Greeting from kernel!\0");
    let mut buf = Vec::new();
    MsgWriter::new(&mut buf, NLMSG_MIN_TYPE, 0, 1, sock.port_id()?).bytes(&payload);
    // The kernel answers ECONNREFUSED after delivering to the group (USERSOCK has
    // no kernel socket); nlkit knows that is a success.
    sock.send_to(&buf, Dest::group(GROUP)?)?;
    Ok(())
}

fn main() -> io::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("listen") => {
            let sock = listener()?;
            println!("Waiting for message from kernel");
            receive(&sock, &format!("listener on port {}", sock.port_id()?))
        }
        Some("send") => send(),
        None => {
            // Both listeners must have joined before the sender sends.
            let ready = Arc::new(Barrier::new(3));
            let threads: Vec<_> = (1..=2)
                .map(|i| {
                    let ready = ready.clone();
                    std::thread::spawn(move || -> io::Result<()> {
                        let sock = listener()?;
                        sock.set_recv_timeout(Some(Duration::from_secs(5)))?;
                        println!("Waiting for message from kernel");
                        ready.wait();
                        receive(&sock, &format!("listener {i}"))
                    })
                })
                .collect();
            ready.wait();
            send()?;
            for t in threads {
                t.join().expect("listener thread")?;
            }
            Ok(())
        }
        Some(other) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unknown mode {other:?}: use listen, send, or nothing"),
        )),
    }
}
