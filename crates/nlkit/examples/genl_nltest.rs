//! The article's two demos over generic netlink, against the `nltest`
//! family of nlkit's own module (`kernel/module`): the family and its
//! `events` group are found by name (their ids change on every load), ECHO
//! is the unicast demo, NOTIFY the multicast one with two listeners.
//!
//! ```text
//! $ cargo run --example genl_nltest
//! Received message payload: Hello you!
//! Received message payload: Greeting from kernel!
//! Received message payload: Greeting from kernel!
//! ```
//!
//! Joining `events` needs no privilege.

use nlkit::genl::nltest::{self, Client};
use nlkit::genl::GenlMsg;
use nlkit::socket::Socket;
use nlkit::wire::Msg;
use nlkit::{Connection, Protocol};
use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

fn c_text(payload: &[u8]) -> String {
    let text = payload.split(|&b| b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(text).into_owned()
}

/// Waits for one `events` notification and prints its payload.
fn receive(sock: &Socket) -> Result<()> {
    let mut buf = Vec::new();
    sock.recv(&mut buf)?;
    let msg = Msg::new_checked(&buf[..])?;
    let payload = GenlMsg::parse(&msg)?
        .attr(nltest::NLTEST_A_PAYLOAD)?
        .map(|a| a.payload())
        .unwrap_or_default();
    println!("Received message payload: {}", c_text(payload));
    Ok(())
}

fn main() -> Result<()> {
    let conn = Connection::new(Protocol::GENERIC)?;
    let client = Client::new(&conn)?; // resolves "nltest" through nlctrl

    // Unicast: the kernel answers ECHO with our payload.
    let back = client.echo(b"Hello you!\0")?;
    println!("Received message payload: {}", c_text(&back));

    // Multicast: two listeners in "events", then NOTIFY (default payload:
    // the greeting). NOTIFY is acknowledged after the multicast went out.
    let listeners = [
        Socket::open(Protocol::GENERIC)?,
        Socket::open(Protocol::GENERIC)?,
    ];
    for l in &listeners {
        client.join_events(l)?;
    }
    std::thread::scope(|s| -> Result<()> {
        let threads: Vec<_> = listeners
            .iter()
            .map(|l| s.spawn(move || receive(l)))
            .collect();
        client.notify(None)?;
        for t in threads {
            t.join().expect("listener thread")?;
        }
        Ok(())
    })
}
