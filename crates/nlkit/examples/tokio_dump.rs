//! A dump on tokio: every route of the main table, streamed from the
//! receive buffer by `AsyncConnection::dump`, which also says whether the
//! kernel flagged the dump as interrupted (`NLM_F_DUMP_INTR`, on a data
//! message or on `NLMSG_DONE`). Needs the `tokio` feature.
//!
//! ```text
//! $ cargo run -p nlkit --features tokio --example tokio_dump
//! 10.0.0.0/24 dev 2
//! 3 routes (consistent)
//! ```

use nlkit::conn::tokio::AsyncConnection;
use nlkit::route::{RouteDump, RouteView};
use nlkit::Protocol;
use std::error::Error;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The routes of the main table, one line each, and whether the dump was interrupted.
pub async fn main_table() -> Result<(Vec<String>, bool)> {
    let mut conn = AsyncConnection::new(Protocol::ROUTE)?;
    let mut lines = Vec::new();
    let filter = RouteDump {
        table: 254,
        ..RouteDump::default()
    };
    let interrupted = conn
        .dump(&filter, |m| {
            let r = RouteView::parse(&m).map_err(|e| nlkit::Error::Malformed {
                what: "dump routes".into(),
                source: e,
            })?;
            let dst = r.dst().map_or("default".to_string(), |d| {
                format!("{d}/{}", r.header.dst_len)
            });
            lines.push(format!("{dst} dev {}", r.oif().unwrap_or(0)));
            Ok(())
        })
        .await?;
    Ok((lines, interrupted))
}

fn main() -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (lines, interrupted) = rt.block_on(main_table())?;
    for l in &lines {
        println!("{l}");
    }
    let how = if interrupted {
        "interrupted: dump again"
    } else {
        "consistent"
    };
    println!("{} routes ({how})", lines.len());
    Ok(())
}

#[cfg(test)]
#[test]
fn dumps_a_route_in_a_fresh_netns() {
    let (lines, interrupted) = nlkit::socket::netns::in_new_netns(|| {
        let ok = std::process::Command::new("sh")
            .args([
                "-c",
                "ip link set lo up && ip route add 10.42.0.0/24 dev lo",
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(main_table()).unwrap()
    })
    .unwrap();
    assert!(!interrupted);
    assert_eq!(lines, ["10.42.0.0/24 dev 1"]);
}
