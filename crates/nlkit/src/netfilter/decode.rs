//! nfnetlink's descriptor for [`nlkit::decode`](crate::decode): the
//! subsystem in the type's high byte (conntrack, queue, log), `nfgenmsg`
//! after the header, then the subsystem's attribute set; all from the
//! tables of this module's siblings.

use crate::decode::{Family, MsgSpec};

/// The descriptor ([`BUILTIN`](crate::decode::BUILTIN) registers it for `NETLINK_NETFILTER`).
pub static NFNETLINK: Nfnetlink = Nfnetlink;

/// nfnetlink, described from its tables.
#[derive(Debug)]
pub struct Nfnetlink;

impl Family for Nfnetlink {
    fn name(&self) -> &str {
        "nfnetlink"
    }
    fn message(&self, ty: u16, _payload: &[u8]) -> Option<MsgSpec> {
        let name = super::msg_type_name(ty)?;
        let attrs = super::attr_set(ty);
        Some(MsgSpec {
            name: Some(name),
            flag_ctx: super::flag_context(ty),
            fixed: super::fixed_header(ty),
            legacy: None,
            has_attrs: attrs.is_some(),
            attrs,
        })
    }
    fn type_by_name(&self, name: &str) -> Option<u16> {
        super::msg_type_from_name(name)
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::Decoder;
    use crate::netfilter::conntrack::{ct_type, IPCTNL_MSG_CT_NEW};
    use crate::netfilter::NfGenMsg;
    use crate::wire::{MsgFlags, MsgWriter};
    use crate::Protocol;

    #[test]
    fn a_conntrack_event_is_named() {
        let mut b = Vec::new();
        let mut w = MsgWriter::new(&mut b, ct_type(IPCTNL_MSG_CT_NEW), MsgFlags::CREATE, 0, 0);
        w.fixed(&NfGenMsg::new(2, 0));
        w.attr_u32(3, 0x0e00_0000).unwrap(); // CTA_STATUS, big-endian on the wire
        w.finish().unwrap();
        let d = Decoder::new(Protocol::NETFILTER).decode(&b);
        let m = &d.messages[0];
        assert_eq!(m.type_name, Some("IPCTNL_MSG_CT_NEW"));
        assert_eq!(m.header.as_ref().unwrap().name, "nfgenmsg");
        let a = &m.attributes.as_ref().unwrap()[0];
        assert_eq!(a.name.as_deref(), Some("CTA_STATUS"));
    }
}
