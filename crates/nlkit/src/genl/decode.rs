//! Generic netlink's decoder descriptors: any family's `genlmsghdr` with
//! unnamed attributes ([`GENERIC`], the fallback for ids nobody named), and
//! `nlctrl` ([`NLCTRL`], fixed id `GENL_ID_CTRL`) with the typed tables of
//! [`genl::ctrl`](super::ctrl).

use super::ctrl::{CTRL, CTRL_HDR};
use super::GENLMSGHDR;
use crate::decode::{Family, MsgSpec};
use crate::wire::FlagContext;

/// Any generic netlink family: the header is known, the names are not.
pub static GENERIC: Generic = Generic;

/// `nlctrl`, the family that lists the others.
pub static NLCTRL: Nlctrl = Nlctrl;

/// The descriptor of a generic netlink message of a family nlkit has no tables for.
#[derive(Debug)]
pub struct Generic;

/// The descriptor of `nlctrl`.
#[derive(Debug)]
pub struct Nlctrl;

impl Family for Generic {
    fn name(&self) -> &str {
        "generic"
    }
    fn message(&self, _ty: u16, _payload: &[u8]) -> Option<MsgSpec> {
        Some(MsgSpec {
            name: None,
            flag_ctx: FlagContext::Get,
            fixed: Some(&GENLMSGHDR),
            legacy: None,
            has_attrs: true,
            attrs: None,
        })
    }
}

impl Family for Nlctrl {
    fn name(&self) -> &str {
        "nlctrl"
    }
    fn message(&self, _ty: u16, payload: &[u8]) -> Option<MsgSpec> {
        let flag_ctx = match payload.first() {
            Some(1 | 4 | 7) => FlagContext::New,
            Some(2 | 5 | 8) => FlagContext::Delete,
            _ => FlagContext::Get,
        };
        Some(MsgSpec {
            name: Some("GENL_ID_CTRL"),
            flag_ctx,
            fixed: Some(&CTRL_HDR),
            legacy: None,
            has_attrs: true,
            attrs: Some(&CTRL),
        })
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        (name.eq_ignore_ascii_case("GENL_ID_CTRL") || name.eq_ignore_ascii_case("NLCTRL"))
            .then_some(super::GENL_ID_CTRL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nlctrl_and_any_family() {
        let s = NLCTRL.message(0x10, &[3, 2, 0, 0]).unwrap();
        assert_eq!(s.name, Some("GENL_ID_CTRL"));
        assert_eq!(s.flag_ctx, FlagContext::Get);
        assert_eq!(
            NLCTRL.message(0x10, &[1]).unwrap().flag_ctx,
            FlagContext::New
        );
        assert_eq!(
            NLCTRL.message(0x10, &[5]).unwrap().flag_ctx,
            FlagContext::Delete
        );
        assert_eq!(NLCTRL.type_by_name("nlctrl"), Some(0x10));
        let g = GENERIC.message(0x1234, &[]).unwrap();
        assert_eq!(
            (g.name, g.fixed.unwrap().size, g.attrs.is_none()),
            (None, 4, true)
        );
    }
}
