//! The article's unicast demo ("Why and How to Use Netlink Socket"), between
//! two processes on `NETLINK_USERSOCK` instead of a kernel module: a client
//! sends "Hello you!", a server echoes it back to the sender's port id, and
//! the client prints what the article prints:
//!
//! ```text
//! Received message payload: Hello you!
//! ```
//!
//! ```text
//! cargo run -p nlkit --example usersock_echo                 # server and client in one process
//! cargo run -p nlkit --example usersock_echo -- server       # prints its port id, echoes forever
//! cargo run -p nlkit --example usersock_echo -- client PORT
//! ```

use nlkit::socket::{Dest, Socket};
use nlkit::wire::{Msg, MsgWriter, NLMSG_MIN_TYPE};
use nlkit::Protocol;
use std::io;
use std::time::Duration;

/// The article's `MAX_PAYLOAD`: the message is `NLMSG_SPACE(MAX_PAYLOAD)` long.
const MAX_PAYLOAD: usize = 1024;

fn invalid(e: nlkit::wire::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// The payload as C's `printf("%s")` would show it: up to the first NUL.
fn c_str(payload: &[u8]) -> String {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    String::from_utf8_lossy(&payload[..end]).into_owned()
}

/// Receives one message and sends it back to whoever sent it (what the
/// article's kernel module does with `netlink_unicast(nl_sk, skb, pid, ...)`).
fn serve_one(sock: &Socket) -> io::Result<()> {
    let mut buf = Vec::new();
    let from = sock.recv(&mut buf)?;
    let msg = Msg::new_checked(&buf[..]).map_err(invalid)?;
    eprintln!(
        "netlink_test: received netlink message payload: {}",
        c_str(msg.payload())
    );
    sock.send_to(msg.as_bytes(), Dest::port(from.port_id))?;
    Ok(())
}

fn client(sock: &Socket, server_port: u32) -> io::Result<()> {
    let mut payload = [0u8; MAX_PAYLOAD];
    payload[..11].copy_from_slice(b"Hello you!\0"); // strcpy(NLMSG_DATA(nlh), "Hello you!")
    let mut buf = Vec::new();
    // nlmsg_pid is our own port id, as the article sets it to getpid().
    MsgWriter::new(&mut buf, NLMSG_MIN_TYPE, 0, 1, sock.port_id()?).bytes(&payload);
    sock.send_to(&buf, Dest::port(server_port))?;

    sock.set_recv_timeout(Some(Duration::from_secs(5)))?;
    sock.recv(&mut buf)?;
    let reply = Msg::new_checked(&buf[..]).map_err(invalid)?;
    println!("Received message payload: {}", c_str(reply.payload()));
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("server") => {
            let sock = Socket::open(Protocol::USERSOCK)?;
            eprintln!("server listening on port {}", sock.port_id()?);
            loop {
                serve_one(&sock)?;
            }
        }
        Some("client") => {
            let port = args
                .get(1)
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "usage: client PORT"))?;
            client(&Socket::open(Protocol::USERSOCK)?, port)
        }
        None => {
            // Both ends in one process: the server on its own thread.
            let server = Socket::open(Protocol::USERSOCK)?;
            let port = server.port_id()?;
            let t = std::thread::spawn(move || serve_one(&server));
            client(&Socket::open(Protocol::USERSOCK)?, port)?;
            t.join().expect("server thread")
        }
        Some(other) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unknown mode {other:?}: use server, client PORT, or nothing"),
        )),
    }
}
