//! The tokio driver against the real kernel, in a netns of its own.
#![cfg(feature = "tokio")]

use nlkit::conn::tokio::AsyncConnection;
use nlkit::conn::RawRequest;
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::MsgFlags;
use nlkit::{AckMode, Protocol};

#[test]
fn async_dump_and_error() {
    in_new_netns(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
            let hdr = [0u8; 16]; // ifinfomsg
            let req = RawRequest {
                msg_type: 18,
                flags: MsgFlags::DUMP,
                payload: &hdr,
                fixed_len: 16,
                what: "dump links",
            };
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
        });
    })
    .unwrap();
}

/// `struct ifinfomsg` for link `index`: family, pad, type, index, flags, change.
fn ifinfomsg(index: i32) -> Vec<u8> {
    let mut v = vec![0u8, 0]; // ifi_family AF_UNSPEC, pad
    v.extend_from_slice(&0u16.to_ne_bytes()); // ifi_type
    v.extend_from_slice(&index.to_ne_bytes()); // ifi_index
    v.extend_from_slice(&0u32.to_ne_bytes()); // ifi_flags
    v.extend_from_slice(&0u32.to_ne_bytes()); // ifi_change
    v
}

/// The async batch against the kernel: 2000 SETLINKs on lo, every 100th on
/// a link that does not exist; both ACK modes report each failure in order.
#[test]
fn async_batch_reports_each_failure_in_order() {
    in_new_netns(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
            let payloads: Vec<Vec<u8>> = (0..2000)
                .map(|i| ifinfomsg(if i % 100 == 42 { 9999 } else { 1 }))
                .collect();
            for mode in [AckMode::ErrorsOnly, AckMode::Every] {
                let reqs = payloads.iter().map(|p| RawRequest {
                    msg_type: 19, // RTM_SETLINK
                    flags: 0,
                    payload: p,
                    fixed_len: 16,
                    what: "set link",
                });
                let mut seen = 0;
                let mut failed = Vec::new();
                let sum = conn
                    .batch(reqs, mode, |i, r| {
                        assert_eq!(i, seen);
                        seen += 1;
                        if let Err(e) = r {
                            assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
                            assert_eq!(e.kernel().unwrap().index, Some(i));
                            failed.push(i);
                        }
                    })
                    .await
                    .unwrap();
                assert_eq!(seen, 2000);
                assert_eq!(
                    failed,
                    (0..2000).filter(|i| i % 100 == 42).collect::<Vec<_>>()
                );
                assert_eq!((sum.ok, sum.failed), (1980, 20));
            }
            assert_eq!(conn.stats().stale, 0);
        });
    })
    .unwrap();
}

/// The async consistent dump folds the links of a namespace with three bridges.
#[test]
fn async_dump_consistent_sees_every_link() {
    in_new_netns(|| {
        for i in 0..3 {
            let st = std::process::Command::new("ip")
                .args(["link", "add", &format!("br{i}"), "type", "bridge"])
                .status()
                .unwrap();
            assert!(st.success());
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut conn = AsyncConnection::new(Protocol::ROUTE).unwrap();
            let hdr = ifinfomsg(0);
            let req = RawRequest {
                msg_type: 18, // RTM_GETLINK
                flags: MsgFlags::DUMP,
                payload: &hdr,
                fixed_len: 16,
                what: "dump links",
            };
            let n = conn
                .dump_consistent(
                    &req,
                    3,
                    || 0,
                    |n, m| {
                        assert_eq!(m.msg_type(), 16); // RTM_NEWLINK
                        *n += 1;
                        Ok(())
                    },
                )
                .await
                .unwrap();
            assert_eq!(n, 4); // lo and the three bridges
        });
    })
    .unwrap();
}
