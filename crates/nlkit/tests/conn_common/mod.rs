//! What the blocking and tokio driver tests share: rtnetlink requests
//! written byte by byte, and the check of a batch's outcomes.
#![allow(dead_code)] // each test file uses its own part

use nlkit::conn::BatchSummary;
use nlkit::conn::RawRequest;

pub const RTM_NEWLINK: u16 = 16;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;

/// `struct ifinfomsg` for link `index`: family, pad, type, index, flags, change.
pub fn ifinfomsg(index: i32) -> Vec<u8> {
    let mut v = vec![0u8, 0]; // ifi_family AF_UNSPEC, pad
    v.extend_from_slice(&0u16.to_ne_bytes()); // ifi_type
    v.extend_from_slice(&index.to_ne_bytes()); // ifi_index
    v.extend_from_slice(&0u32.to_ne_bytes()); // ifi_flags
    v.extend_from_slice(&0u32.to_ne_bytes()); // ifi_change
    v
}

/// A dump of every link; `hdr` is an [`ifinfomsg`].
pub fn link_dump(hdr: &[u8]) -> RawRequest<'_> {
    RawRequest {
        msg_type: RTM_GETLINK,
        flags: nlkit::wire::MsgFlags::DUMP,
        payload: hdr,
        fixed_len: 16,
        what: "dump links",
    }
}

/// `n` SETLINK payloads on lo; every 100th (index `% 100 == bad`) names a
/// link that does not exist and must fail with ENODEV.
pub fn setlink_payloads(n: usize, bad: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| ifinfomsg(if i % 100 == bad { 9999 } else { 1 }))
        .collect()
}

/// The requests for [`setlink_payloads`].
pub fn setlinks(payloads: &[Vec<u8>]) -> impl Iterator<Item = RawRequest<'_>> {
    payloads.iter().map(|p| RawRequest {
        msg_type: RTM_SETLINK,
        flags: 0,
        payload: p,
        fixed_len: 16,
        what: "set link",
    })
}

/// Records a batch's outcomes and checks them against [`setlink_payloads`].
#[derive(Default)]
pub struct Outcomes {
    seen: Vec<usize>,
    failed: Vec<usize>,
}

impl Outcomes {
    /// One outcome, as `on_result` receives it.
    pub fn note(&mut self, i: usize, r: nlkit::Result<()>) {
        self.seen.push(i);
        if let Err(e) = r {
            assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
            assert_eq!(e.kernel().unwrap().index, Some(i));
            self.failed.push(i);
        }
    }

    /// Every request reported once, in order; exactly the bad ones failed.
    pub fn check(self, n: usize, bad: usize, sum: BatchSummary) {
        assert_eq!(self.seen, (0..n).collect::<Vec<_>>());
        let want: Vec<usize> = (0..n).filter(|i| i % 100 == bad).collect();
        assert_eq!((sum.ok, sum.failed), (n - want.len(), want.len()));
        assert_eq!(self.failed, want);
        assert!(sum.sends >= 1);
    }
}
