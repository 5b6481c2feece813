//! rtnetlink's decoder descriptor: type names, flag context, family headers
//! and attribute sets all come from the tables of this module's siblings.

use crate::decode::{Family, MsgSpec};
use crate::schema::FixedHeader;

/// The rtnetlink descriptor ([`BUILTIN`](crate::decode::BUILTIN) registers it for `NETLINK_ROUTE`).
pub static RTNETLINK: Rtnetlink = Rtnetlink;

/// rtnetlink, described from its tables.
#[derive(Debug)]
pub struct Rtnetlink;

/// Old tools send a bare `rtgenmsg` (the family) in dump requests of any type.
static LEGACY: &FixedHeader = &super::other::RTGENMSG;

impl Family for Rtnetlink {
    fn name(&self) -> &str {
        "rtnetlink"
    }
    fn message(&self, ty: u16, _payload: &[u8]) -> Option<MsgSpec> {
        let name = super::msg_type_name(ty)?;
        let flag_ctx = super::flag_context(ty);
        Some(MsgSpec {
            name: Some(name),
            flag_ctx,
            fixed: super::fixed_header(ty),
            legacy: (flag_ctx == crate::wire::FlagContext::Get).then_some(LEGACY),
            has_attrs: true,
            attrs: super::attr_set(ty),
        })
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        super::msg_type_from_name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::FlagContext;

    #[test]
    fn rtm_types_have_their_headers() {
        let m = |ty| RTNETLINK.message(ty, &[]).unwrap();
        assert_eq!(m(18).name, Some("RTM_GETLINK"));
        assert_eq!(m(18).fixed.unwrap().size, 16);
        assert_eq!(m(18).flag_ctx, FlagContext::Get);
        assert_eq!(m(18).legacy.unwrap().name, "rtgenmsg");
        assert!(m(16).legacy.is_none());
        assert_eq!(m(24).fixed.unwrap().size, 12);
        assert_eq!(m(20).fixed.unwrap().size, 8);
        assert_eq!(m(104).fixed.unwrap().size, 8);
        assert!(RTNETLINK.message(2, &[]).is_none());
        assert!(RTNETLINK.message(0x7fff, &[]).is_none());
    }
}
