//! Hex as people paste it, back to bytes.
//!
//! Accepted, per input (formats are not mixed):
//! - `xxd` output: `00000010: 1000 0000 ...  ascii` (offset and ascii columns ignored);
//! - `hexdump -C` output: `00000010  10 00 00 00 ...  |ascii|` (offset and ascii
//!   columns ignored, `*` repeat lines expanded);
//! - anything else made of hex digits: space-separated pairs, `0x` prefixes,
//!   `\x` escapes, commas, C array braces and quotes, continuous hex, over any
//!   number of lines. `#` and `//` start comments.
//!
//! Never panics, and never allocates more than the text stands for (a
//! `*` line of `hexdump -C` is capped at [`MAX_REPEAT`]); bad input is a
//! [`HexError`] that says where.

use std::fmt;

/// Why text is not hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// Which layout the text has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `xxd`.
    Xxd,
    /// `hexdump -C`.
    HexdumpC,
    /// Free-form hex.
    Plain,
}

/// True if `data` looks like text (so it may be hex) rather than binary.
pub fn is_text(data: &[u8]) -> bool {
    match std::str::from_utf8(data) {
        Ok(s) => s
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')),
        Err(_) => false,
    }
}

fn is_hex_token(s: &str, min: usize) -> bool {
    s.len() >= min && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `00000010: ...`: an offset with a colon.
fn xxd_line(l: &str) -> bool {
    l.split_once(':')
        .is_some_and(|(off, rest)| is_hex_token(off, 4) && rest.starts_with(' '))
}

/// `00000010  10 00 ...`: an offset, two spaces, then pairs (or the offset alone at the end).
fn hexdump_line(l: &str) -> bool {
    let mut toks = l.split_whitespace();
    let Some(off) = toks.next() else { return false };
    if !is_hex_token(off, 6) {
        return false;
    }
    let rest = &l[off.len()..];
    rest.is_empty() || (rest.starts_with("  ") && rest.contains('|'))
}

/// Detects the layout of `text`.
pub fn layout(text: &str) -> Layout {
    let lines: Vec<&str> = meaningful_lines(text).map(|(_, l)| l).collect();
    if !lines.is_empty() && lines.iter().all(|l| xxd_line(l)) {
        return Layout::Xxd;
    }
    if lines.iter().any(|l| l.contains('|')) && lines.iter().all(|l| *l == "*" || hexdump_line(l)) {
        return Layout::HexdumpC;
    }
    Layout::Plain
}

fn meaningful_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| {
            let t = l.trim();
            !(t.is_empty() || t.starts_with('#') || t.starts_with("//"))
        })
}

/// Parses hex text in any supported layout.
pub fn parse(text: &str) -> Result<Vec<u8>, HexError> {
    match layout(text) {
        Layout::Xxd => parse_xxd(text),
        Layout::HexdumpC => parse_hexdump(text),
        Layout::Plain => parse_plain(text),
    }
}

fn push_digits(out: &mut Vec<u8>, digits: &str, line: usize) -> Result<(), HexError> {
    if digits.len() % 2 != 0 {
        return Err(HexError {
            line,
            what: format!("odd number of hex digits in {digits:?}"),
        });
    }
    for pair in digits.as_bytes().chunks(2) {
        let s = std::str::from_utf8(pair).unwrap_or("??");
        let b = u8::from_str_radix(s, 16).map_err(|_| HexError {
            line,
            what: format!("{s:?} is not a hex byte"),
        })?;
        out.push(b);
    }
    Ok(())
}

fn parse_xxd(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    for (n, l) in meaningful_lines(text) {
        let (_, rest) = l.split_once(':').unwrap_or(("", l));
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        // The hex area ends at the first double space (the ascii column follows).
        let hex = match rest.find("  ") {
            Some(i) => &rest[..i],
            None => rest,
        };
        let digits: String = hex.split_whitespace().collect();
        push_digits(&mut out, &digits, n)?;
    }
    Ok(out)
}

/// How far `*` lines of `hexdump -C` may repeat (the offset they repeat up
/// to; a netlink datagram is far smaller): a typo in an offset is an error,
/// not gigabytes of zeros.
pub const MAX_REPEAT: usize = 16 << 20;

fn parse_hexdump(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out: Vec<u8> = Vec::new();
    let mut base: Option<usize> = None;
    let mut last: Vec<u8> = Vec::new();
    let mut repeat = false;
    for (n, l) in meaningful_lines(text) {
        if l.trim() == "*" {
            repeat = true;
            continue;
        }
        let hex_area = match l.find('|') {
            Some(i) => &l[..i],
            None => l,
        };
        let mut toks = hex_area.split_whitespace();
        let off_tok = toks.next().unwrap_or("0");
        let off = usize::from_str_radix(off_tok, 16).map_err(|_| HexError {
            line: n,
            what: format!("bad offset {off_tok:?}"),
        })?;
        let base = *base.get_or_insert(off);
        let rel = off.saturating_sub(base);
        if repeat && !last.is_empty() {
            // `*`: the previous line repeats up to this offset.
            if rel > MAX_REPEAT {
                return Err(HexError {
                    line: n,
                    what: format!(
                        "a `*` line repeats up to offset {off_tok}: more than {MAX_REPEAT} bytes"
                    ),
                });
            }
            while out.len() < rel {
                let take = last.len().min(rel - out.len());
                out.extend_from_slice(&last[..take]);
            }
            repeat = false;
        }
        let start = out.len();
        for t in toks {
            if !is_hex_token(t, 2) || t.len() != 2 {
                return Err(HexError {
                    line: n,
                    what: format!("{t:?} is not a hex byte"),
                });
            }
            push_digits(&mut out, t, n)?;
        }
        if out.len() > start {
            last = out[start..].to_vec();
        }
    }
    Ok(out)
}

fn parse_plain(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    for (n, l) in meaningful_lines(text) {
        // Cut trailing comments.
        let l = l.split("//").next().unwrap_or("");
        let l = l.split('#').next().unwrap_or("");
        // A C declaration (`unsigned char buf[] = { 0x14, ... };`): keep what is inside the braces.
        let l = l.rsplit_once('{').map_or(l, |(_, r)| r);
        let l = l.split_once('}').map_or(l, |(inside, _)| inside);
        let mut cleaned = String::with_capacity(l.len());
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '0' if matches!(chars.peek(), Some('x' | 'X')) => {
                    chars.next();
                    cleaned.push(' ');
                }
                '\\' if matches!(chars.peek(), Some('x' | 'X')) => {
                    chars.next();
                    cleaned.push(' ');
                }
                ',' | ';' | '{' | '}' | '[' | ']' | '"' | '\'' | ':' | '-' => cleaned.push(' '),
                c => cleaned.push(c),
            }
        }
        for tok in cleaned.split_whitespace() {
            if !tok.bytes().all(|b| b.is_ascii_hexdigit()) {
                let bad = tok.chars().find(|c| !c.is_ascii_hexdigit()).unwrap_or('?');
                return Err(HexError {
                    line: n,
                    what: format!("{bad:?} in {tok:?} is not a hex digit"),
                });
            }
            if tok.len() == 1 {
                // `0x0`, `\x5`: one digit is one byte.
                out.push(u8::from_str_radix(tok, 16).unwrap_or(0));
            } else {
                push_digits(&mut out, tok, n)?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: [u8; 20] = [
        0x14, 0, 0, 0, 0x03, 0, 0x02, 0, 0x01, 0, 0, 0, 0x39, 0x30, 0, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn every_layout() {
        let inputs = [
            "14 00 00 00 03 00 02 00 01 00 00 00 39 30 00 00 00 00 00 00",
            "1400000003000200010000003930000000000000",
            "0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,\n0x01, 0x00, 0x00, 0x00, 0x39, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00",
            "\"\\x14\\x00\\x00\\x00\\x03\\x00\\x02\\x00\\x01\\x00\\x00\\x00\\x39\\x30\\x00\\x00\\x00\\x00\\x00\\x00\"",
            "static const unsigned char ack[20] = { 0x14,0x0,0x0,0x0, 0x3,0x0,0x2,0x0, 0x1,0,0,0, 0x39,0x30,0,0, 0,0,0,0 };",
            "00000000  14 00 00 00 03 00 02 00  01 00 00 00 39 30 00 00  |............90..|\n00000010  00 00 00 00                                       |....|\n00000014\n",
            "00000000: 1400 0000 0300 0200 0100 0000 3930 0000  ............90..\n00000010: 0000 0000                                ....\n",
            "# an ACK\n14 00 00 00  // nlmsg_len\n03 00 02 00\n01 00 00 00 39 30 00 00\n00000000\n",
        ];
        for i in inputs {
            assert_eq!(parse(i).unwrap(), BYTES, "{i}");
        }
    }

    #[test]
    fn hexdump_star_repeats() {
        let t = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000030  01 02                                             |..|\n00000032\n";
        let b = parse(t).unwrap();
        assert_eq!(b.len(), 50);
        assert_eq!(&b[48..], &[1, 2]);
    }

    #[test]
    fn xxd_ascii_column_with_hex_letters_is_ignored() {
        // The ascii column reads "dead beef cafe.." which must not be taken as hex.
        let t = "00000000: 6465 6164 2062 6565 6620 6361 6665 0000  dead beef cafe..\n";
        assert_eq!(parse(t).unwrap(), b"dead beef cafe\0\0");
    }

    #[test]
    fn a_huge_repeat_is_an_error() {
        let t = "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\nffffffff0  01                                             |.|\n";
        assert!(parse(t).unwrap_err().what.contains("repeats up to offset"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_bytes_or_an_error(s in "\\PC{0,200}") {
            let _ = parse(&s);
            let _ = is_text(s.as_bytes());
        }

        #[test]
        fn pasted_layouts_round_trip(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..300)) {
            let pairs: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            proptest::prop_assert_eq!(parse(&pairs.join(" ")).unwrap(), b.clone());
            let c: Vec<String> = b.iter().map(|x| format!("0x{x:x}")).collect();
            proptest::prop_assert_eq!(parse(&format!("{{ {} }};", c.join(", "))).unwrap(), b.clone());
            // xxd: 16 bytes a line, in groups of two, with an ASCII column.
            let xxd: Vec<String> = b.chunks(16).enumerate().map(|(i, row)| {
                let groups: Vec<String> = row.chunks(2).map(|g| g.iter().map(|x| format!("{x:02x}")).collect()).collect();
                format!("{:08x}: {:<39}  {}", i * 16, groups.join(" "), crate::decode::printable_column(row))
            }).collect();
            proptest::prop_assert_eq!(parse(&xxd.join("\n")).unwrap(), b);
        }
    }

    #[test]
    fn errors_say_where() {
        let e = parse("14 00\n00 zz").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse("abc").is_err());
        assert!(is_text(b"14 00"));
        assert!(!is_text(&BYTES));
    }
}
