//! The kernel connector (`NETLINK_CONNECTOR`): `cn_msg` framing, and the
//! process events connector ([`proc`], `CN_IDX_PROC`).
//!
//! Every connector message is a netlink message (type `NLMSG_DONE`) whose
//! payload is a `struct cn_msg` followed by `cn_msg.len` bytes of data.
//! [`CnMsg::parse`] reads it in place and checks the lengths; nothing here
//! panics on any input.
//!
//! The connector exists only in the initial network namespace.
//!
//! ```
//! use nlkit::connector::proc::{EventSet, Subscription, PROC_CN_MCAST_LISTEN};
//! use nlkit::connector::{emit, CnMsg, CN_IDX_PROC, CN_VAL_PROC};
//! use nlkit::wire::Msg;
//!
//! // What a listener sends: listen, with the kernel filtering for exits (6.5+).
//! let sub = Subscription { op: PROC_CN_MCAST_LISTEN, events: Some(EventSet::parse("exit")?) };
//! let mut buf = Vec::new();
//! emit(&mut buf, 1234, (CN_IDX_PROC, CN_VAL_PROC), 7, 7, &sub.to_bytes())?;
//! let msg = Msg::new_checked(&buf[..])?;
//! let cn = CnMsg::from_msg(&msg)?;
//! assert_eq!((cn.id(), cn.seq(), cn.data().len()), ((1, 1), 7, 8));
//! assert_eq!(Subscription::parse(cn.data()), Some(sub));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # References
//! `include/uapi/linux/connector.h`, `drivers/connector/connector.c`.

mod listen;
pub mod proc;

pub use listen::{ProcListener, ProcReceived, ProcStats, SUBSCRIBE_TIMEOUT};

use crate::wire::{self, Msg, MsgWriter, NLMSG_DONE};
use core::fmt;
use zerocopy::byteorder::{NativeEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `CN_IDX_PROC`: the process events connector's index (and its multicast group).
pub const CN_IDX_PROC: u32 = 1;
/// `CN_VAL_PROC`.
pub const CN_VAL_PROC: u32 = 1;
/// Size of `struct cn_msg`.
pub const CN_MSG_LEN: usize = 20;

/// `struct cn_msg`, as it sits after the `nlmsghdr`.
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                        id.idx (u32)                           |
/// +---------------------------------------------------------------+
/// |                        id.val (u32)                           |
/// +---------------------------------------------------------------+
/// |                          seq (u32)                            |
/// +---------------------------------------------------------------+
/// |                          ack (u32)                            |
/// +-------------------------------+-------------------------------+
/// |           len (u16)           |          flags (u16)          |
/// +-------------------------------+-------------------------------+
/// |                     data (len bytes) ...                      |
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
)]
#[repr(C)]
#[doc(alias = "cn_msg")]
pub struct CnHeader {
    /// `id.idx`: which connector user (`CN_IDX_PROC`).
    pub idx: U32<NativeEndian>,
    /// `id.val`.
    pub val: U32<NativeEndian>,
    /// Sequence number.
    pub seq: U32<NativeEndian>,
    /// Acknowledgement number (an answer carries the request's + 1).
    pub ack: U32<NativeEndian>,
    /// Length of the data.
    pub len: U16<NativeEndian>,
    /// Flags (unused by the kernel).
    pub flags: U16<NativeEndian>,
}

/// One connector message, read in place: its header and its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CnMsg<'a> {
    header: &'a CnHeader,
    data: &'a [u8],
}

impl<'a> CnMsg<'a> {
    /// Reads a `cn_msg` from a netlink message's payload; `data` is exactly
    /// `cn_msg.len` bytes (more after it is ignored, as the kernel pads).
    /// Offsets in errors count from the start of `payload`.
    pub fn parse(payload: &'a [u8]) -> wire::Result<CnMsg<'a>> {
        let (header, rest) =
            CnHeader::ref_from_prefix(payload).map_err(|_| wire::Error::Truncated {
                at: 0,
                need: CN_MSG_LEN,
                have: payload.len(),
            })?;
        let len = header.len.get() as usize;
        let data = rest.get(..len).ok_or(wire::Error::Truncated {
            at: CN_MSG_LEN,
            need: len,
            have: rest.len(),
        })?;
        Ok(CnMsg { header, data })
    }

    /// Reads the `cn_msg` of a whole netlink message.
    pub fn from_msg(msg: &Msg<&'a [u8]>) -> wire::Result<CnMsg<'a>> {
        CnMsg::parse(msg.payload_ref()).map_err(|e| match e {
            wire::Error::Truncated { at, need, have } => wire::Error::Truncated {
                at: at + wire::NLMSG_HDRLEN,
                need,
                have,
            },
            e => e,
        })
    }

    /// The header.
    pub fn header(&self) -> &'a CnHeader {
        self.header
    }
    /// `(id.idx, id.val)`.
    pub fn id(&self) -> (u32, u32) {
        (self.header.idx.get(), self.header.val.get())
    }
    /// `seq`.
    pub fn seq(&self) -> u32 {
        self.header.seq.get()
    }
    /// `ack`.
    pub fn ack(&self) -> u32 {
        self.header.ack.get()
    }
    /// The data (`len` bytes).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

/// Appends a connector message to `buf`: `nlmsghdr` (type `NLMSG_DONE`, port
/// id `port_id`), `cn_msg` and `data`.
pub fn emit(
    buf: &mut Vec<u8>,
    port_id: u32,
    id: (u32, u32),
    seq: u32,
    ack: u32,
    data: &[u8],
) -> wire::Result<()> {
    let len = u16::try_from(data.len()).map_err(|_| wire::Error::MsgOverflow {
        len: CN_MSG_LEN + data.len(),
    })?;
    let mut w = MsgWriter::new(buf, NLMSG_DONE, 0, seq, port_id);
    w.fixed(&CnHeader {
        idx: id.0.into(),
        val: id.1.into(),
        seq: seq.into(),
        ack: ack.into(),
        len: len.into(),
        flags: 0.into(),
    });
    w.bytes(data);
    w.finish().map(|_| ())
}

/// A connector message's payload (the bytes after the `nlmsghdr`) explained:
/// a process event in words, another connector user's message by id, or why
/// it does not parse. For the decoder (`nlkit decode --proto connector`).
pub fn describe(payload: &[u8]) -> impl fmt::Display + '_ {
    Describe(payload)
}

struct Describe<'a>(&'a [u8]);

impl fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cn = match CnMsg::parse(self.0) {
            Ok(cn) => cn,
            Err(e) => return write!(f, "not a connector message: {e}"),
        };
        let (idx, val) = cn.id();
        write!(
            f,
            "cn_msg id {idx}:{val} seq {} ack {} len {}",
            cn.seq(),
            cn.ack(),
            cn.data().len()
        )?;
        if (idx, val) != (CN_IDX_PROC, CN_VAL_PROC) {
            return Ok(());
        }
        if let Some(sub) = proc::Subscription::parse(cn.data()) {
            return write!(f, ": {sub}");
        }
        match proc::ProcEvent::parse(cn.data()) {
            Ok(ev) => write!(f, ": {ev}"),
            Err(e) => write!(f, ": not a process event: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_and_parse() {
        let mut buf = Vec::new();
        emit(
            &mut buf,
            42,
            (CN_IDX_PROC, CN_VAL_PROC),
            7,
            9,
            &1u32.to_ne_bytes(),
        )
        .unwrap();
        let mut want = Vec::new();
        want.extend_from_slice(&40u32.to_ne_bytes()); // nlmsg_len: 16 + 20 + 4
        want.extend_from_slice(&3u16.to_ne_bytes()); // NLMSG_DONE
        want.extend_from_slice(&0u16.to_ne_bytes()); // flags
        want.extend_from_slice(&7u32.to_ne_bytes()); // nlmsg_seq
        want.extend_from_slice(&42u32.to_ne_bytes()); // nlmsg_pid
        want.extend_from_slice(&1u32.to_ne_bytes()); // id.idx = CN_IDX_PROC
        want.extend_from_slice(&1u32.to_ne_bytes()); // id.val = CN_VAL_PROC
        want.extend_from_slice(&7u32.to_ne_bytes()); // seq
        want.extend_from_slice(&9u32.to_ne_bytes()); // ack
        want.extend_from_slice(&4u16.to_ne_bytes()); // len
        want.extend_from_slice(&0u16.to_ne_bytes()); // flags
        want.extend_from_slice(&1u32.to_ne_bytes()); // PROC_CN_MCAST_LISTEN
        assert_eq!(buf, want);
        let msg = Msg::new_checked(&buf[..]).unwrap();
        let cn = CnMsg::from_msg(&msg).unwrap();
        assert_eq!(cn.id(), (1, 1));
        assert_eq!((cn.seq(), cn.ack()), (7, 9));
        assert_eq!(cn.data(), 1u32.to_ne_bytes());
        assert_eq!(
            describe(msg.payload()).to_string(),
            "cn_msg id 1:1 seq 7 ack 9 len 4: subscribe (listen, all events)"
        );
    }

    #[test]
    fn short_input_is_a_precise_error() {
        assert_eq!(
            CnMsg::parse(&[0; 12]),
            Err(wire::Error::Truncated {
                at: 0,
                need: 20,
                have: 12
            })
        );
        let mut hdr = [0u8; 24];
        hdr[16..18].copy_from_slice(&40u16.to_ne_bytes()); // len says 40, 4 follow
        assert_eq!(
            CnMsg::parse(&hdr),
            Err(wire::Error::Truncated {
                at: 20,
                need: 40,
                have: 4
            })
        );
        assert!(describe(&[0; 3])
            .to_string()
            .starts_with("not a connector message"));
        assert!(emit(&mut Vec::new(), 0, (1, 1), 0, 0, &[0; 70_000]).is_err());
    }
}
