//! Text rendering of decoded messages: one line per header, field set,
//! attribute or explanation, with the input offset in a left column so that
//! every line can be found in the hex dump it came from. An attribute no
//! schema names is shown as `xxd` would: hex, then its printable column.

use nlkit::decode::{printable, printable_column, AttrDesc, ControlDesc, Decoded, MsgDesc};

/// Bytes of an unknown attribute per line (as `xxd`).
const ROW: usize = 16;

fn line(offset: Option<usize>, indent: usize, text: impl AsRef<str>) -> String {
    let off = offset.map_or(String::new(), |o| o.to_string());
    format!("{off:>5}  {}{}", "  ".repeat(indent), text.as_ref())
}

/// Hex of `b` for text output: spaced pairs, at most 32 bytes shown.
pub fn hex_short(b: &[u8]) -> String {
    const MAX: usize = 32;
    let s: Vec<String> = b.iter().take(MAX).map(|x| format!("{x:02x}")).collect();
    let mut s = s.join(" ");
    if b.len() > MAX {
        s.push_str(&format!(" ... ({} bytes)", b.len()));
    }
    s
}

/// Lines for a whole input.
pub fn decoded_lines(d: &Decoded<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, m) in d.messages.iter().enumerate() {
        msg_lines(m, Some(i + 1), 0, &mut out);
    }
    // A datagram without nlmsghdr: named fields, no type numbers.
    for f in d.datagram.iter().flatten() {
        let name = f.name.as_deref().unwrap_or("?");
        let mut s = format!("{name}: {}", f.display);
        if let Some(n) = &f.note {
            s.push_str(&format!("  ({n})"));
        }
        out.push(line(Some(f.offset), 0, s));
    }
    if let Some(e) = &d.error {
        out.push(line(e.offset, 0, e.to_string()));
    }
    if d.messages.is_empty() && d.datagram.is_none() && d.error.is_none() {
        out.push(line(None, 0, "no messages"));
    }
    out
}

/// `RTM_NEWLINK (16) len 1356 flags MULTI (0x2) seq 1 port 4242`.
pub fn header_text(m: &MsgDesc<'_>) -> String {
    let flags = if m.flags == 0 {
        "0".to_string()
    } else {
        format!("{} ({:#x})", m.flag_names.join("|"), m.flags)
    };
    format!(
        "{} len {} flags {} seq {} port {}",
        m.type_label(),
        m.len,
        flags,
        m.seq,
        m.port_id
    )
}

/// Lines for one message; `index` numbers top-level messages.
pub fn msg_lines(m: &MsgDesc<'_>, index: Option<usize>, indent: usize, out: &mut Vec<String>) {
    let head = match index {
        Some(i) => format!("message {i}: {}", header_text(m)),
        None => header_text(m),
    };
    out.push(line(Some(m.offset), indent, head));
    if let Some(h) = &m.header {
        let fields: Vec<String> = h.fields.iter().map(|f| f.to_string()).collect();
        let mut s = format!("{}: {}", h.name, fields.join(", "));
        if let Some(n) = &h.note {
            s.push_str(&format!(" ({n})"));
        }
        out.push(line(Some(m.offset + 16), indent + 1, s));
    }
    if let Some(c) = &m.control {
        control_lines(c, indent + 1, out);
    }
    if let Some(p) = m.payload {
        out.push(line(
            Some(m.offset + 16),
            indent + 1,
            format!("payload {}", payload_text(p)),
        ));
    }
    if let Some(attrs) = &m.attributes {
        for a in attrs {
            attr_lines(a, indent + 1, out);
        }
    }
    for e in &m.errors {
        out.push(line(e.offset, indent + 1, e.to_string()));
    }
}

/// `(10 bytes): "Hello you!"`, or hex.
pub fn payload_text(p: &[u8]) -> String {
    match printable(p) {
        Some(t) if t.len() + 1 == p.len() => format!("({} bytes): {t:?} + NUL", p.len()),
        Some(t) if t.len() < p.len() => {
            format!("({} bytes): {t:?} + {} NULs", p.len(), p.len() - t.len())
        }
        Some(t) => format!("({} bytes): {t:?}", p.len()),
        None if p.is_empty() => "(empty)".into(),
        None => format!("({} bytes): {}", p.len(), hex_short(p)),
    }
}

/// One `xxd` row: hex pairs (padded to a full row with `pad`), two spaces,
/// the printable column.
fn xxd_row(b: &[u8], pad: bool) -> String {
    let pairs: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    let w = if pad { ROW * 3 - 1 } else { 0 };
    format!("{:<w$}  {}", pairs.join(" "), printable_column(b))
}

fn attr_lines(a: &AttrDesc<'_>, indent: usize, out: &mut Vec<String>) {
    let mut parts = Vec::new();
    let is_index = a.name.as_deref().is_some_and(|n| n.starts_with('['));
    if a.name.is_some() && !is_index {
        parts.push(a.kind.to_string());
    }
    if a.nested {
        parts.push("nested".into());
    }
    if a.net_byteorder {
        parts.push("net byte order".into());
    }
    if a.opaque {
        parts.push(format!("{} bytes", a.payload.len()));
    }
    let label = match &a.name {
        Some(n) if parts.is_empty() => n.clone(),
        Some(n) => format!("{n} ({})", parts.join(", ")),
        None if parts.is_empty() => format!("type {}", a.kind),
        None => format!("type {} ({})", a.kind, parts.join(", ")),
    };
    // Unknown bytes longer than a row get rows of their own, as xxd prints them.
    let rows = a.opaque && a.is_unknown() && a.payload.len() > ROW;
    let mut s = if let Some(kids) = &a.attributes {
        if kids.is_empty() {
            format!("{label}: (empty)")
        } else {
            format!("{label}:")
        }
    } else if rows {
        format!("{label}:")
    } else if a.opaque && a.payload.is_empty() {
        format!("{label}: (empty)")
    } else if a.opaque && a.is_unknown() {
        format!("{label}: {}", xxd_row(a.payload, false))
    } else if a.opaque {
        format!("{label}: {}", hex_short(a.payload))
    } else {
        format!("{label}: {}", a.display)
    };
    if let Some(n) = &a.note {
        s.push_str(&format!("  ({n})"));
    }
    out.push(line(Some(a.offset), indent, s));
    if rows {
        let start = a.offset + 4;
        for (i, row) in a.payload.chunks(ROW).enumerate() {
            out.push(line(Some(start + i * ROW), indent + 1, xxd_row(row, true)));
        }
    }
    if let Some(kids) = &a.attributes {
        for k in kids {
            attr_lines(k, indent + 1, out);
        }
    }
}

fn control_lines(c: &ControlDesc<'_>, indent: usize, out: &mut Vec<String>) {
    out.push(line(None, indent, &c.summary));
    if let Some(x) = &c.ext_ack {
        if let Some(m) = &x.message {
            out.push(line(None, indent, format!("kernel says: {m:?}")));
        }
        match (&x.attribute, x.offset) {
            (Some(name), Some(off)) => {
                let mut s = format!("offending attribute: {name} (offset {off} in the request)");
                if let Some(n) = &x.attribute_note {
                    s.push_str(&format!(": {n}"));
                }
                out.push(line(x.attribute_input_offset, indent, s));
            }
            (None, Some(_)) => {
                if let Some(n) = &x.attribute_note {
                    out.push(line(None, indent, format!("offending attribute: {n}")));
                }
            }
            _ => {}
        }
        if let Some(m) = x.missing {
            let name = x
                .missing_name
                .clone()
                .unwrap_or_else(|| format!("type {m}"));
            let mut s = format!("missing attribute: {name}");
            if x.missing_name.is_some() {
                s.push_str(&format!(" ({m})"));
            }
            if let Some(n) = x.missing_nest_offset {
                s.push_str(&format!(", in the nest at offset {n} of the request"));
            }
            out.push(line(None, indent, s));
        }
        if let Some(p) = &x.policy {
            out.push(line(None, indent, format!("policy: expected {p}")));
        }
        if let Some(ck) = x.cookie {
            out.push(line(
                None,
                indent,
                format!("cookie: {}", nlkit::schema::hex(ck)),
            ));
        }
    }
    if let Some(r) = &c.request {
        let what = if c.capped == Some(true) {
            "echoed request (header only: NLM_F_CAPPED):"
        } else {
            "echoed request:"
        };
        out.push(line(None, indent, what));
        msg_lines(r, None, indent + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxd_rows() {
        // The printable column starts where a full row's would: 16 pairs, two spaces.
        let row = xxd_row(b"wlan0\0\x01", true);
        assert!(row.starts_with("77 6c 61 6e 30 00 01 "), "{row:?}");
        assert_eq!(&row[16 * 3 + 1..], "wlan0..");
        assert_eq!(
            xxd_row(b"wlan0\0\x01", false),
            "77 6c 61 6e 30 00 01  wlan0.."
        );
        assert_eq!(xxd_row(&[0x41; 16], true).len(), 47 + 2 + 16);
    }

    #[test]
    fn a_datagram_without_nlmsghdr_is_its_fields() {
        let input = b"add@/devices/x\0SEQNUM=7\0";
        let d = Decoded {
            protocol: nlkit::Protocol(15),
            input,
            messages: Vec::new(),
            datagram: Some(vec![
                AttrDesc::field(0, "add", &input[4..14]),
                AttrDesc::field(15, "SEQNUM", &input[22..23]),
            ]),
            error: None,
        };
        assert_eq!(
            decoded_lines(&d),
            ["    0  add: \"/devices/x\"", "   15  SEQNUM: \"7\""]
        );
        let v = serde_json::to_value(super::super::json::J(&d)).unwrap();
        assert_eq!(v["datagram"][1]["name"], "SEQNUM");
        assert_eq!(v["datagram"][1]["value"], "7");
    }
}
