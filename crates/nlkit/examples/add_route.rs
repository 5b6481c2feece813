//! Add a route and read it back, in a network namespace of its own (so it
//! changes nothing on your machine; needs root): a veth pair, an address, a
//! route in table 100, then a route the kernel refuses, to show what an
//! error says (errno, the kernel's extended-ACK message).
//!
//! ```text
//! # cargo run -p nlkit --example add_route
//! 10.1.0.0/24 via 10.9.0.2 dev 2 table 100
//! refused: add route 10.2.0.0/24 via 10.77.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway
//! ```

use nlkit::route::{Handle, Prefix, RouteDump, RouteRequest};
use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Runs in the calling thread's network namespace; returns what it prints.
pub fn add_route() -> Result<Vec<String>> {
    let h = Handle::new()?;
    let mut lines = Vec::new();
    h.add_link(&nlkit::route::LinkRequest::add("v0").veth("v1"))?;
    let v0 = h.index_of("v0")?;
    h.add_addr(v0, "10.9.0.1/24".parse::<Prefix>()?)?;
    h.set_link(&nlkit::route::LinkRequest::set(v0).up())?;
    h.route(
        &RouteRequest::add("10.1.0.0/24".parse()?)
            .via("10.9.0.2".parse()?)
            .dev(v0)
            .table(100),
    )?;
    let filter = RouteDump {
        table: 100,
        ..RouteDump::default()
    };
    h.routes(filter, |r| {
        let (Some(dst), Some(gw)) = (r.dst(), r.gateway()) else {
            return Ok(());
        };
        lines.push(format!(
            "{dst}/{} via {gw} dev {} table {}",
            r.header.dst_len,
            r.oif().unwrap_or(0),
            r.table()
        ));
        Ok(())
    })?;
    let refused = h.route(&RouteRequest::add("10.2.0.0/24".parse()?).via("10.77.0.2".parse()?));
    match refused {
        Err(e) => lines.push(format!("refused: {e}")),
        Ok(()) => lines.push("the kernel took a route via an unreachable gateway".into()),
    }
    Ok(lines)
}

fn main() -> Result<()> {
    let lines = nlkit::socket::netns::in_new_netns(add_route)??;
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

#[cfg(test)]
#[test]
fn adds_reads_and_is_refused() {
    let lines = nlkit::socket::netns::in_new_netns(add_route)
        .unwrap()
        .unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("10.1.0.0/24 via 10.9.0.2 dev "),
        "{lines:?}"
    );
    assert!(lines[0].ends_with(" table 100"), "{lines:?}");
    assert!(lines[1].contains("ENETUNREACH"), "{lines:?}");
}
