//! The uevent descriptor for [`nlkit::decode`](crate::decode): a datagram on
//! `NETLINK_KOBJECT_UEVENT` is no netlink message but `action@devpath\0`
//! then `KEY=VALUE\0` properties (or udev's `libudev\0` header, then the
//! properties); the decoder shows each as a named field at its offset. A
//! datagram that is neither is shown as one field holding its bytes, with
//! the reason in its note, never as a framing error of netlink messages it
//! never was.

use super::event::{Event, Source};
use crate::decode::{AttrDesc, Family, MsgSpec};

/// The descriptor ([`BUILTIN`](crate::decode::BUILTIN) registers it for `NETLINK_KOBJECT_UEVENT`).
pub static UEVENT: Uevent = Uevent;

/// kobject uevents, both forms.
#[derive(Debug)]
pub struct Uevent;

/// Where `part` (a slice of `buf`) starts in `buf`.
fn offset_in(buf: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize).saturating_sub(buf.as_ptr() as usize)
}

impl Family for Uevent {
    fn name(&self) -> &str {
        "kobject_uevent"
    }
    fn message(&self, _ty: u16, _payload: &[u8]) -> Option<MsgSpec> {
        None
    }
    fn datagram<'a>(&self, buf: &'a [u8]) -> Option<Vec<AttrDesc<'a>>> {
        let ev = match Event::parse(buf) {
            Ok(ev) => ev,
            Err(e) => {
                let mut raw = AttrDesc::field(0, "datagram", buf);
                raw.note = Some(format!("not a uevent: {e}"));
                return Some(vec![raw]);
            }
        };
        let mut fields = Vec::new();
        if ev.source() == Source::Kernel {
            let action = ev.action_bytes();
            fields.push(AttrDesc::field(offset_in(buf, action), "action", action));
            let devpath = ev.devpath();
            fields.push(AttrDesc::field(offset_in(buf, devpath), "devpath", devpath));
        }
        for (k, v) in ev.properties() {
            fields.push(AttrDesc::field(
                offset_in(buf, k),
                String::from_utf8_lossy(k).into_owned(),
                v,
            ));
        }
        Some(fields)
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::Decoder;
    use crate::Protocol;

    #[test]
    fn kernel_event_fields_at_their_offsets() {
        let mut b = Vec::new();
        super::super::event::emit_kernel(
            &mut b,
            b"add",
            b"/devices/virtual/net/d0",
            &[
                (b"ACTION", b"add"),
                (b"SUBSYSTEM", b"net"),
                (b"SEQNUM", b"7"),
            ],
        );
        let d = Decoder::new(Protocol::KOBJECT_UEVENT).decode(&b);
        assert!(d.messages.is_empty() && d.error.is_none());
        let f = d.datagram.unwrap();
        let names: Vec<_> = f.iter().map(|a| a.name.clone().unwrap()).collect();
        assert_eq!(
            names,
            ["action", "devpath", "ACTION", "SUBSYSTEM", "SEQNUM"]
        );
        assert_eq!(f[0].offset, 0);
        assert_eq!(f[1].offset, 4);
        assert_eq!(&b[f[3].offset..f[3].offset + 9], b"SUBSYSTEM");
        assert_eq!(f[3].payload, b"net");
    }

    #[test]
    fn not_a_uevent_is_kept_with_its_reason() {
        let b = b"no at sign here\0";
        let f = Decoder::new(Protocol::KOBJECT_UEVENT)
            .decode(b)
            .datagram
            .unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].payload, b);
        assert!(
            f[0].note.as_deref().unwrap().starts_with("not a uevent"),
            "{:?}",
            f[0].note
        );
    }
}
