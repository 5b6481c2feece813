//! Generic netlink's decoder descriptors: any family's `genlmsghdr` with
//! unnamed attributes ([`GENERIC`], the fallback for ids nobody named), and
//! families described as data ([`GenlSpec`]): `nlctrl` ([`NLCTRL`], fixed
//! id `GENL_ID_CTRL`, the typed tables of [`genl::ctrl`](super::ctrl)) and
//! the module's `nltest` ([`NLTEST`]). A family loaded at run time (a YAML
//! spec) is a `GenlSpec` too, its tables leaked to be `&'static`.

use super::ctrl::{CTRL, CTRL_HDR};
use super::GENLMSGHDR;
use crate::decode::{Family, MsgSpec};
use crate::schema::{AttrSet, FixedHeader};
use crate::wire::FlagContext;

/// Any generic netlink family: the header is known, the names are not.
pub static GENERIC: Generic = Generic;

/// The descriptor of a generic netlink message of a family nlkit has no tables for.
#[derive(Debug)]
pub struct Generic;

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

/// A generic netlink family as data: what its messages are, whatever their
/// (dynamic) id.
#[derive(Debug, Clone, Copy)]
pub struct GenlSpec {
    /// The family's name (`nlctrl`), as `nlctrl` reports it.
    pub name: &'static str,
    /// What to call its message type (`GENL_ID_CTRL`); the name if `None`.
    pub type_name: Option<&'static str>,
    /// Its `genlmsghdr` (commands by name, where known).
    pub header: &'static FixedHeader,
    /// Its attribute set (one per family; a family whose commands have
    /// different sets uses the union, as the kernel's policies do).
    pub attrs: Option<&'static AttrSet>,
    /// Commands that create (their high flag bits mean `NLM_F_CREATE`...).
    pub new_cmds: &'static [u8],
    /// Commands that delete (`NLM_F_NONREC`...); any other command is a get.
    pub del_cmds: &'static [u8],
}

impl Family for GenlSpec {
    fn name(&self) -> &str {
        self.name
    }
    fn message(&self, _ty: u16, payload: &[u8]) -> Option<MsgSpec> {
        let flag_ctx = match payload.first() {
            Some(c) if self.new_cmds.contains(c) => FlagContext::New,
            Some(c) if self.del_cmds.contains(c) => FlagContext::Delete,
            _ => FlagContext::Get,
        };
        Some(MsgSpec {
            name: Some(self.type_name.unwrap_or(self.name)),
            flag_ctx,
            fixed: Some(self.header),
            legacy: None,
            has_attrs: true,
            attrs: self.attrs,
        })
    }
}

/// `nlctrl`, the family that lists the others (`CTRL_CMD_NEW*` and `DEL*`).
pub static NLCTRL: GenlSpec = GenlSpec {
    name: "nlctrl",
    type_name: Some("GENL_ID_CTRL"),
    header: &CTRL_HDR,
    attrs: Some(&CTRL),
    new_cmds: &[1, 4, 7],
    del_cmds: &[2, 5, 8],
};

/// `nltest`, the family of nlkit's kernel module.
pub static NLTEST: GenlSpec = GenlSpec {
    name: super::nltest::FAMILY,
    type_name: None,
    header: &GENLMSGHDR,
    attrs: Some(&super::nltest::ATTRS),
    new_cmds: &[],
    del_cmds: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_as_data() {
        let s = NLCTRL.message(0x10, &[3, 2, 0, 0]).unwrap();
        assert_eq!(s.name, Some("GENL_ID_CTRL"));
        assert_eq!(s.flag_ctx, FlagContext::Get);
        let ctx = |cmd| NLCTRL.message(0x10, &[cmd]).unwrap().flag_ctx;
        assert_eq!(
            (ctx(1), ctx(5), ctx(10)),
            (FlagContext::New, FlagContext::Delete, FlagContext::Get)
        );
        let t = NLTEST.message(0x1b, &[1, 1, 0, 0]).unwrap();
        assert_eq!(t.name, Some("nltest"));
        assert_eq!(t.attrs.unwrap().name_of(4), Some("NLTEST_A_NAME"));
        let g = GENERIC.message(0x1234, &[]).unwrap();
        assert_eq!(
            (g.name, g.fixed.unwrap().size, g.attrs.is_none()),
            (None, 4, true)
        );
    }
}
