//! Explain captured netlink bytes: the hex people paste (here the kernel's
//! answer to an `RTM_SETLINK` with a 2-byte `IFLA_MTU`, as `xxd` shows it)
//! read by `nlkit::decode::hex`, then every message described by the
//! decoder's registry: type, flags, the error, the extended ACK's message
//! and the attribute of the echoed request it points at.
//!
//! ```text
//! $ cargo run -p nlkit --example decode_bytes
//! NLMSG_ERROR: error -34 for RTM_SETLINK request seq 2 from port 21101: Numerical result out of range (ERANGE)
//!   kernel says: Attribute failed policy validation
//!   offending attribute: IFLA_MTU
//! ```

use nlkit::decode::{hex, Decoder};
use nlkit::Protocol;

/// `nlkit decode`'s README example, as `xxd` printed it.
const CAPTURED: &str = "\
00000000: 9000 0000 0200 0002 0200 0000 6d52 0000  ............mR..
00000010: deff ffff 2800 0000 1300 0500 0200 0000  ....(...........
00000020: 0000 0000 0000 0000 0100 0000 0000 0000  ................
00000030: 0000 0000 0600 0400 dc05 0000 2700 0100  ............'...
00000040: 4174 7472 6962 7574 6520 6661 696c 6564  Attribute failed
00000050: 2070 6f6c 6963 7920 7661 6c69 6461 7469   policy validati
00000060: 6f6e 0000 0800 0200 2000 0000 2400 0480  on...... ...$...
00000070: 0c00 0400 0000 0000 0000 0000 0c00 0500  ................
00000080: ffff ffff 0000 0000 0800 0100 0400 0000  ................
";

/// One line per message (and per extended-ACK fact), as the example prints them.
pub fn explain(text: &str) -> Result<Vec<String>, String> {
    let bytes = hex::parse(text).map_err(|e| e.to_string())?;
    let d = Decoder::new(Protocol::ROUTE).decode(&bytes);
    let mut out = Vec::new();
    for m in &d.messages {
        let name = m.type_name.unwrap_or("?");
        match &m.control {
            Some(c) => {
                out.push(format!("{name}: {}", c.summary));
                if let Some(x) = &c.ext_ack {
                    if let Some(msg) = &x.message {
                        out.push(format!("  kernel says: {msg}"));
                    }
                    if let Some(a) = &x.attribute {
                        out.push(format!("  offending attribute: {a}"));
                    }
                }
            }
            None => out.push(format!(
                "{name}: {} attributes",
                m.attributes.as_ref().map_or(0, |a| a.len())
            )),
        }
    }
    if let Some(e) = &d.error {
        out.push(format!("error: {e}"));
    }
    Ok(out)
}

fn main() {
    match explain(CAPTURED) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => eprintln!("decode_bytes: {e}"),
    }
}

#[cfg(test)]
#[test]
fn explains_the_captured_error() {
    let lines = explain(CAPTURED).unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("NLMSG_ERROR: error -34 for RTM_SETLINK"),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        "  kernel says: Attribute failed policy validation"
    );
    assert_eq!(lines[2], "  offending attribute: IFLA_MTU");
}
