//! List the links of this network namespace, streamed from the kernel's
//! dump: each `LinkView` borrows the receive buffer, nothing is copied.
//! Names are shown losslessly (a name that is not UTF-8 prints as `caf\xe9`).
//!
//! ```text
//! $ cargo run -p nlkit --example list_links
//!     1 lo               mtu 65536 UP
//!     2 eth0             mtu 1500  UP
//! ```

use nlkit::route::link::IFF_UP;
use nlkit::route::Handle;
use std::error::Error;

/// Prints every link of the calling thread's network namespace; returns how many.
pub fn list_links(out: &mut impl std::io::Write) -> Result<usize, Box<dyn Error>> {
    let h = Handle::new()?;
    let mut n = 0;
    let mut write_err = None;
    h.links(|l| {
        n += 1;
        let up = if l.header.flags.get() & IFF_UP != 0 {
            "UP"
        } else {
            "DOWN"
        };
        let name = l.name.map(|n| n.to_string()).unwrap_or_default();
        let mtu = l.mtu.map(|m| m.to_string()).unwrap_or_default();
        if let Err(e) = writeln!(out, "{:5} {name:16} mtu {mtu:5} {up}", l.header.index.get()) {
            write_err.get_or_insert(e);
        }
        Ok(())
    })?;
    match write_err {
        Some(e) => Err(e.into()),
        None => Ok(n),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    list_links(&mut std::io::stdout().lock())?;
    Ok(())
}

#[cfg(test)]
#[test]
fn lists_lo_in_a_fresh_netns() {
    let (n, text) = nlkit::socket::netns::in_new_netns(|| {
        let mut out = Vec::new();
        let n = list_links(&mut out).unwrap();
        (n, String::from_utf8(out).unwrap())
    })
    .unwrap();
    assert_eq!(n, 1, "{text}");
    assert!(text.starts_with("    1 lo "), "{text}");
}
