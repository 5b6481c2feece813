//! The tokio driver against the real kernel, in a netns of its own.
#![cfg(feature = "tokio")]

use nlkit::conn::tokio::AsyncConnection;
use nlkit::conn::RawRequest;
use nlkit::socket::netns::in_new_netns;
use nlkit::{AckMode, Protocol};
use std::future::Future;

mod conn_common;
use conn_common::{ifinfomsg, link_dump, setlink_payloads, setlinks, Outcomes, RTM_NEWLINK};

/// Runs `f` on a tokio runtime in a network namespace of its own.
fn in_netns_async<F: Future<Output = ()>>(f: impl FnOnce() -> F + Send + 'static) {
    in_new_netns(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f())
    })
    .unwrap();
}

#[test]
fn async_dump_and_error() {
    in_netns_async(|| async {
        {
            let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
            let hdr = [0u8; 16]; // ifinfomsg
            let req = link_dump(&hdr);
            let mut n = 0;
            let intr = conn
                .dump(&req, |m| {
                    assert_eq!(m.msg_type(), 16); // RTM_NEWLINK
                    n += 1;
                    Ok(())
                })
                .await
                .unwrap();
            assert_eq!((n, intr), (1, false));
            let mut bad = [0u8; 16];
            bad[4..8].copy_from_slice(&4242i32.to_ne_bytes()); // no such ifindex
            let req = RawRequest {
                msg_type: 18,
                flags: 0,
                payload: &bad,
                fixed_len: 16,
                what: "get link 4242",
            };
            let e = conn.request(&req, |_| Ok(())).await.unwrap_err();
            assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
            assert!(
                e.to_string()
                    .starts_with("get link 4242: No such device (ENODEV)"),
                "{e}"
            );
        }
    });
}

/// The async batch against the kernel: both ACK modes report each failure in order.
#[test]
fn async_batch_reports_each_failure_in_order() {
    in_netns_async(|| async {
        let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
        let payloads = setlink_payloads(2000, 42);
        for mode in [AckMode::ErrorsOnly, AckMode::Every] {
            let mut o = Outcomes::default();
            let sum = conn
                .batch(setlinks(&payloads), mode, |i, r| o.note(i, r))
                .await
                .unwrap();
            o.check(2000, 42, sum);
        }
        assert_eq!(conn.stats().stale, 0);
    });
}

/// The async consistent dump folds the links of a namespace with three bridges.
#[test]
fn async_dump_consistent_sees_every_link() {
    in_netns_async(|| async {
        for i in 0..3 {
            let st = std::process::Command::new("ip")
                .args(["link", "add", &format!("br{i}"), "type", "bridge"])
                .status()
                .unwrap();
            assert!(st.success());
        }
        let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
        let hdr = ifinfomsg(0);
        let req = link_dump(&hdr);
        let each = |n: &mut usize, m: nlkit::wire::Msg<&[u8]>| {
            assert_eq!(m.msg_type(), RTM_NEWLINK);
            *n += 1;
            Ok(())
        };
        let n = conn.dump_consistent(&req, 3, || 0, each).await.unwrap();
        assert_eq!(n, 4); // lo and the three bridges
    });
}
