//! Control messages: `NLMSG_NOOP`, `NLMSG_ERROR` (and ACKs), `NLMSG_DONE`,
//! `NLMSG_OVERRUN`, and the extended ACK attributes they may carry.

use super::attr::AttrIter;
use super::msg::NLMSG_HDRLEN;
use super::{
    align, Error, Msg, MsgFlags, MsgHeader, Result, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP,
    NLMSG_OVERRUN,
};
use std::borrow::Cow;
use zerocopy::FromBytes;

/// `NLMSGERR_ATTR_MSG`: a human-readable message (string).
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute in the request (u32).
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: a subsystem-specific cookie (bytes).
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: the policy of the rejected attribute (nested).
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute (u32).
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest that misses it (u32).
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// A control message, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control<'a> {
    /// `NLMSG_NOOP`.
    Noop,
    /// `NLMSG_ERROR`: an error, or an ACK when the code is 0.
    Error(ErrorMsg<'a>),
    /// `NLMSG_DONE`: the end of a dump, with its status.
    Done(DoneMsg<'a>),
    /// `NLMSG_OVERRUN`.
    Overrun,
}

impl<'a> Control<'a> {
    /// Decodes `msg` if its type is a control type; `Ok(None)` otherwise.
    pub fn parse(msg: &Msg<&'a [u8]>) -> Result<Option<Control<'a>>> {
        Ok(Some(match msg.msg_type() {
            NLMSG_NOOP => Control::Noop,
            NLMSG_ERROR => Control::Error(ErrorMsg::parse(msg)?),
            NLMSG_DONE => Control::Done(DoneMsg::parse(msg)),
            NLMSG_OVERRUN => Control::Overrun,
            _ => return Ok(None),
        }))
    }
}

/// `struct nlmsgerr` and what follows it.
///
/// ```text
/// +----------------------------------------+
/// | error (i32): 0 = ACK, else -errno      |
/// +----------------------------------------+
/// | the request's nlmsghdr (16 bytes)      |
/// | the request's payload, unless CAPPED   |
/// +----------------------------------------+
/// | extended ACK TLVs, if ACK_TLVS         |
/// +----------------------------------------+
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorMsg<'a> {
    /// The code: 0 for an ACK, a negative errno for an error.
    pub code: i32,
    /// The echoed request: its header, and its payload unless `capped`.
    pub request: &'a [u8],
    /// `NLM_F_CAPPED`: only the request's header was echoed.
    pub capped: bool,
    /// Extended ACK attributes (empty when there are none).
    pub ext_ack: ExtAck<'a>,
}

impl<'a> ErrorMsg<'a> {
    /// Decodes the payload of an `NLMSG_ERROR` message.
    pub fn parse(msg: &Msg<&'a [u8]>) -> Result<Self> {
        let p = msg.payload_ref();
        let code: [u8; 4] = p
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or(Error::Truncated {
                at: NLMSG_HDRLEN,
                need: 4,
                have: p.len(),
            })?;
        let code = i32::from_ne_bytes(code);
        let rest = &p[4..];
        let flags = msg.flags();
        let capped = flags.contains(MsgFlags::CAPPED);
        let (req_hdr, _) = MsgHeader::ref_from_prefix(rest).map_err(|_| Error::Truncated {
            at: NLMSG_HDRLEN + 4,
            need: NLMSG_HDRLEN,
            have: rest.len(),
        })?;
        let echoed = if capped {
            NLMSG_HDRLEN
        } else {
            (req_hdr.len.get() as usize).max(NLMSG_HDRLEN)
        };
        let echoed = echoed.min(rest.len());
        let request = &rest[..echoed];
        let ext_ack = if flags.contains(MsgFlags::ACK_TLVS) {
            let start = align(echoed).min(rest.len());
            ExtAck::parse(&rest[start..], NLMSG_HDRLEN + 4 + start)
        } else {
            ExtAck::default()
        };
        Ok(ErrorMsg {
            code,
            request,
            capped,
            ext_ack,
        })
    }

    /// True for an ACK (code 0).
    pub fn is_ack(&self) -> bool {
        self.code == 0
    }
    /// The errno as a positive number (0 for an ACK).
    pub fn errno(&self) -> i32 {
        self.code.checked_neg().unwrap_or(i32::MAX)
    }
    /// The header of the request this answers.
    pub fn request_header(&self) -> Option<&'a MsgHeader> {
        MsgHeader::ref_from_prefix(self.request)
            .ok()
            .map(|(h, _)| h)
    }
}

/// `NLMSG_DONE`: the status of a dump and its extended ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoneMsg<'a> {
    /// 0 on success, a negative errno if the dump failed (0 when absent).
    pub code: i32,
    /// Extended ACK attributes (empty when there are none).
    pub ext_ack: ExtAck<'a>,
}

impl<'a> DoneMsg<'a> {
    /// Decodes the payload of an `NLMSG_DONE` message (an absent code is 0).
    pub fn parse(msg: &Msg<&'a [u8]>) -> Self {
        let p = msg.payload_ref();
        let code = p
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .map(i32::from_ne_bytes)
            .unwrap_or(0);
        let ext_ack = if msg.flags().contains(MsgFlags::ACK_TLVS) && p.len() > 4 {
            ExtAck::parse(&p[4..], NLMSG_HDRLEN + 4)
        } else {
            ExtAck::default()
        };
        DoneMsg { code, ext_ack }
    }
}

/// The extended ACK attributes (`NLMSGERR_ATTR_*`). Any of them may be
/// absent. A malformed TLV area does not lose the rest: what was read before
/// is kept and the problem is in `malformed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtAck<'a> {
    /// `NLMSGERR_ATTR_MSG`, as bytes (see [`ExtAck::message`]).
    pub msg: Option<&'a [u8]>,
    /// `NLMSGERR_ATTR_OFFS`: offset in the request of the attribute at fault.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_COOKIE`.
    pub cookie: Option<&'a [u8]>,
    /// `NLMSGERR_ATTR_POLICY`, decoded.
    pub policy: Option<PolicyInfo>,
    /// `NLMSGERR_ATTR_MISS_TYPE` (and `MISS_NEST`).
    pub missing: Option<MissingAttr>,
    /// The raw TLV area, unknown attributes included.
    pub raw: &'a [u8],
    /// A decoding problem in the TLV area, if any.
    pub malformed: Option<Error>,
}

/// A required attribute the kernel did not find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingAttr {
    /// Its type.
    pub kind: u32,
    /// Offset of the nest it should have been in (absent: top level).
    pub nest_offset: Option<u32>,
}

/// A decoded `NLMSGERR_ATTR_POLICY` (`NL_POLICY_TYPE_ATTR_*`): what the kernel
/// would have accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct PolicyInfo {
    /// `NL_ATTR_TYPE_*`.
    pub attr_type: Option<u32>,
    pub min_value_s: Option<i64>,
    pub max_value_s: Option<i64>,
    pub min_value_u: Option<u64>,
    pub max_value_u: Option<u64>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub policy_idx: Option<u32>,
    pub policy_maxtype: Option<u32>,
    pub bitfield32_mask: Option<u32>,
    pub mask: Option<u64>,
}

impl PolicyInfo {
    /// The name of `attr_type` (`"u32"`, `"nul-string"`...).
    pub fn type_name(&self) -> Option<&'static str> {
        Some(match self.attr_type? {
            1 => "flag",
            2 => "u8",
            3 => "u16",
            4 => "u32",
            5 => "u64",
            6 => "s8",
            7 => "s16",
            8 => "s32",
            9 => "s64",
            10 => "binary",
            11 => "string",
            12 => "nul-string",
            13 => "nested",
            14 => "nested-array",
            15 => "bitfield32",
            _ => return None,
        })
    }

    fn parse(set: AttrIter<'_>) -> core::result::Result<Self, Error> {
        let mut p = PolicyInfo::default();
        for a in set {
            let a = a?;
            match a.kind() {
                1 => p.attr_type = Some(a.u32()?),
                2 => p.min_value_s = Some(a.i64()?),
                3 => p.max_value_s = Some(a.i64()?),
                4 => p.min_value_u = Some(a.u64()?),
                5 => p.max_value_u = Some(a.u64()?),
                6 => p.min_length = Some(a.u32()?),
                7 => p.max_length = Some(a.u32()?),
                8 => p.policy_idx = Some(a.u32()?),
                9 => p.policy_maxtype = Some(a.u32()?),
                10 => p.bitfield32_mask = Some(a.u32()?),
                12 => p.mask = Some(a.uint()?),
                _ => {}
            }
        }
        Ok(p)
    }
}

impl core::fmt::Display for PolicyInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(t) = self.type_name() {
            parts.push(format!("type {t}"));
        }
        // A range that is the type's whole range says nothing: leave it out.
        let full_u = match self.attr_type {
            Some(2) => Some(u8::MAX as u64),
            Some(3) => Some(u16::MAX as u64),
            Some(4) => Some(u32::MAX as u64),
            Some(5) => Some(u64::MAX),
            _ => None,
        };
        if let (Some(a), Some(b)) = (self.min_value_u, self.max_value_u) {
            if !(a == 0 && Some(b) == full_u) {
                parts.push(format!("range {a}..={b}"));
            }
        }
        let full_s = match self.attr_type {
            Some(6) => Some((i8::MIN as i64, i8::MAX as i64)),
            Some(7) => Some((i16::MIN as i64, i16::MAX as i64)),
            Some(8) => Some((i32::MIN as i64, i32::MAX as i64)),
            Some(9) => Some((i64::MIN, i64::MAX)),
            _ => None,
        };
        if let (Some(a), Some(b)) = (self.min_value_s, self.max_value_s) {
            if Some((a, b)) != full_s {
                parts.push(format!("range {a}..={b}"));
            }
        }
        if let Some(l) = self.min_length {
            parts.push(format!("min length {l}"));
        }
        if let Some(l) = self.max_length {
            parts.push(format!("max length {l}"));
        }
        if let Some(m) = self.mask {
            parts.push(format!("mask {m:#x}"));
        }
        if let Some(m) = self.bitfield32_mask {
            parts.push(format!("bitfield32 mask {m:#x}"));
        }
        f.write_str(&parts.join(", "))
    }
}

impl<'a> ExtAck<'a> {
    /// Decodes a TLV area that starts at `base` in the message.
    pub fn parse(tlvs: &'a [u8], base: usize) -> Self {
        let mut e = ExtAck {
            raw: tlvs,
            ..ExtAck::default()
        };
        let mut miss_type = None;
        let mut miss_nest = None;
        let note = |r: Result<()>, e: &mut ExtAck<'a>| {
            if let Err(err) = r {
                e.malformed.get_or_insert(err);
            }
        };
        for a in AttrIter::with_offset(tlvs, base) {
            let a = match a {
                Ok(a) => a,
                Err(err) => {
                    e.malformed = Some(err);
                    break;
                }
            };
            match a.kind() {
                NLMSGERR_ATTR_MSG => {
                    let b = a.payload();
                    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                    e.msg = Some(&b[..end]);
                }
                NLMSGERR_ATTR_OFFS => note(a.u32().map(|v| e.offset = Some(v)), &mut e),
                NLMSGERR_ATTR_COOKIE => e.cookie = Some(a.payload()),
                NLMSGERR_ATTR_POLICY => note(
                    PolicyInfo::parse(a.nested()).map(|p| e.policy = Some(p)),
                    &mut e,
                ),
                NLMSGERR_ATTR_MISS_TYPE => note(a.u32().map(|v| miss_type = Some(v)), &mut e),
                NLMSGERR_ATTR_MISS_NEST => note(a.u32().map(|v| miss_nest = Some(v)), &mut e),
                _ => {} // kept in `raw`
            }
        }
        e.missing = miss_type.map(|kind| MissingAttr {
            kind,
            nest_offset: miss_nest,
        });
        e
    }

    /// True if no extended ACK attribute was present.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The message text (invalid UTF-8 replaced, without copying when valid).
    pub fn message(&self) -> Option<Cow<'a, str>> {
        self.msg.map(String::from_utf8_lossy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Msg, MsgWriter};

    /// An ACK for an RTM_NEWLINK request (seq 1, port 0x1234) with a warning,
    /// laid out as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK.
    fn ack_with_warning() -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&48u32.to_ne_bytes()); // nlmsg_len
        v.extend_from_slice(&2u16.to_ne_bytes()); // NLMSG_ERROR
        v.extend_from_slice(&0x300u16.to_ne_bytes()); // CAPPED|ACK_TLVS
        v.extend_from_slice(&1u32.to_ne_bytes()); // nlmsg_seq
        v.extend_from_slice(&0x1234u32.to_ne_bytes()); // nlmsg_pid
        v.extend_from_slice(&0i32.to_ne_bytes()); // error 0: ACK
        v.extend_from_slice(&60u32.to_ne_bytes()); // echoed nlmsg_len (of the original)
        v.extend_from_slice(&16u16.to_ne_bytes()); // RTM_NEWLINK
        v.extend_from_slice(&0x605u16.to_ne_bytes()); // REQUEST|ACK|EXCL|CREATE
        v.extend_from_slice(&1u32.to_ne_bytes()); // nlmsg_seq
        v.extend_from_slice(&0x1234u32.to_ne_bytes()); // nlmsg_pid
        v.extend_from_slice(&11u16.to_ne_bytes()); // nla_len
        v.extend_from_slice(&1u16.to_ne_bytes()); // NLMSGERR_ATTR_MSG
        v.extend_from_slice(b"warn\0\0\0\0"); // "warn", NUL, padding
        v
    }

    #[test]
    fn ack_carries_warning() {
        let b = ack_with_warning();
        let m = Msg::new_checked(&b[..]).unwrap();
        let Some(Control::Error(e)) = Control::parse(&m).unwrap() else {
            panic!("not an error message")
        };
        assert!(e.is_ack());
        assert!(e.capped);
        assert_eq!(e.request.len(), 16);
        let h = e.request_header().unwrap();
        assert_eq!(h.ty.get(), 16);
        assert_eq!(h.seq.get(), 1);
        assert_eq!(e.ext_ack.message().unwrap(), "warn");
        assert_eq!(e.ext_ack.offset, None);
    }

    #[test]
    fn uncapped_error_with_offset_policy_and_missing() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, NLMSG_ERROR, MsgFlags::ACK_TLVS, 9, 77);
        w.bytes(&(-22i32).to_ne_bytes()); // -EINVAL
                                          // echoed request: a 24-byte message (header + one u32 attribute)
        let mut req = Vec::new();
        let mut rw = MsgWriter::new(&mut req, 0x10, 5, 9, 77);
        rw.attr_u32(4, 1).unwrap();
        rw.finish().unwrap();
        w.bytes(&req);
        w.attr(NLMSGERR_ATTR_MSG, b"bad mtu\0").unwrap();
        w.attr_u32(NLMSGERR_ATTR_OFFS, 16).unwrap();
        w.nest(NLMSGERR_ATTR_POLICY, |w| {
            w.attr_u32(1, 4)?; // NL_POLICY_TYPE_ATTR_TYPE = u32
            w.attr_u64(4, 68)?; // MIN_VALUE_U
            w.attr_u64(5, 65535)?; // MAX_VALUE_U
            Ok(())
        })
        .unwrap();
        w.attr_u32(NLMSGERR_ATTR_MISS_TYPE, 3).unwrap();
        w.attr(99, b"future").unwrap(); // unknown: kept in raw, not an error
        let r = w.finish().unwrap();
        let m = Msg::new_checked(&buf[r]).unwrap();
        let Some(Control::Error(e)) = Control::parse(&m).unwrap() else {
            panic!()
        };
        assert_eq!(e.errno(), 22);
        assert!(!e.capped);
        assert_eq!(e.request, &req[..]);
        assert_eq!(e.ext_ack.message().unwrap(), "bad mtu");
        assert_eq!(e.ext_ack.offset, Some(16));
        let p = e.ext_ack.policy.unwrap();
        assert_eq!(p.type_name(), Some("u32"));
        assert_eq!(p.to_string(), "type u32, range 68..=65535");
        assert_eq!(
            e.ext_ack.missing,
            Some(MissingAttr {
                kind: 3,
                nest_offset: None
            })
        );
        assert_eq!(e.ext_ack.malformed, None);
    }

    #[test]
    fn done_with_error_and_truncated_error() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(
            &mut buf,
            NLMSG_DONE,
            MsgFlags::MULTI | MsgFlags::ACK_TLVS,
            3,
            0,
        );
        w.bytes(&(-16i32).to_ne_bytes()); // -EBUSY
        w.attr(NLMSGERR_ATTR_MSG, b"busy\0").unwrap();
        let r = w.finish().unwrap();
        let m = Msg::new_checked(&buf[r]).unwrap();
        let Some(Control::Done(d)) = Control::parse(&m).unwrap() else {
            panic!()
        };
        assert_eq!(d.code, -16);
        assert_eq!(d.ext_ack.message().unwrap(), "busy");

        let mut buf = Vec::new();
        let mut w = MsgWriter::new(&mut buf, NLMSG_ERROR, 0, 3, 0);
        w.bytes(&[1, 2]);
        let r = w.finish().unwrap();
        let m = Msg::new_checked(&buf[r]).unwrap();
        assert_eq!(
            Control::parse(&m).unwrap_err(),
            Error::Truncated {
                at: 16,
                need: 4,
                have: 2
            }
        );
    }

    #[test]
    fn malformed_tlvs_keep_what_was_read() {
        let mut buf = Vec::new();
        let mut w = MsgWriter::new(
            &mut buf,
            NLMSG_ERROR,
            MsgFlags::ACK_TLVS | MsgFlags::CAPPED,
            3,
            0,
        );
        w.bytes(&(-1i32).to_ne_bytes());
        w.bytes(zerocopy::IntoBytes::as_bytes(&MsgHeader::new(
            16, 0x10, 1, 3, 0,
        )));
        w.attr(NLMSGERR_ATTR_MSG, b"first\0").unwrap();
        w.bytes(&[40, 0, 2, 0]); // an attribute claiming 40 bytes
        let r = w.finish().unwrap();
        let m = Msg::new_checked(&buf[r]).unwrap();
        let Some(Control::Error(e)) = Control::parse(&m).unwrap() else {
            panic!()
        };
        assert_eq!(e.errno(), 1);
        assert_eq!(e.ext_ack.message().unwrap(), "first");
        assert!(matches!(
            e.ext_ack.malformed,
            Some(Error::AttrTooLong { len: 40, .. })
        ));
    }
}
