//! The tokio driver against the real kernel, in a netns of its own.
#![cfg(feature = "tokio")]

use nlkit::conn::tokio::AsyncConnection;
use nlkit::conn::RawRequest;
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::MsgFlags;
use nlkit::Protocol;

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
