//! Showing bytes that are meant to be text but may not be: uevent properties,
//! a task's `comm`. Nothing is lost and nothing panics.

use core::fmt;

/// Bytes shown as text: valid UTF-8 as it is, every byte that is not part of
/// valid UTF-8 and every control character (C0 and DEL) as `\xNN`.
///
/// [`Escaped::strict`] also doubles backslashes, so that the text maps back to
/// exactly the original bytes (`\\` is a backslash, `\xNN` a byte, anything
/// else itself); nlkit's JSON output uses it. The plain form keeps backslashes
/// as they are, as `udevadm` prints them (udev's own `\x20` escapes in
/// `ID_*_ENC` properties stay readable), at the price that a literal `\x41`
/// in the input and an escaped byte look alike.
///
/// ```
/// use nlkit::wire::Escaped;
/// assert_eq!(Escaped::new(b"eth0").to_string(), "eth0");
/// assert_eq!(Escaped::new(b"a\xffb\n").to_string(), "a\\xffb\\x0a");
/// assert_eq!(Escaped::strict(b"a\\x20").to_string(), "a\\\\x20");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escaped<'a> {
    bytes: &'a [u8],
    strict: bool,
}

impl<'a> Escaped<'a> {
    /// The plain form (backslashes kept as they are).
    pub fn new(bytes: &'a [u8]) -> Self {
        Escaped {
            bytes,
            strict: false,
        }
    }
    /// The lossless form (backslashes doubled).
    pub fn strict(bytes: &'a [u8]) -> Self {
        Escaped {
            bytes,
            strict: true,
        }
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '\\' if self.strict => f.write_str("\\\\")?,
                    c if c.is_ascii_control() => write!(f, "\\x{:02x}", c as u32)?,
                    c => fmt::Write::write_char(f, c)?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The strict form's round trip is a property test (tests/proptest_events.rs).

    #[test]
    fn strict_form_escapes_backslashes_too() {
        assert_eq!(Escaped::strict(b"\\x41 \xff").to_string(), "\\\\x41 \\xff");
        assert_eq!(Escaped::strict("é\t".as_bytes()).to_string(), "é\\x09");
    }

    #[test]
    fn plain_form_escapes_only_what_is_not_text() {
        assert_eq!(Escaped::new(b"a\\x20b").to_string(), "a\\x20b");
        assert_eq!(Escaped::new(b"\xc3\xa9\xc3").to_string(), "é\\xc3");
        assert_eq!(Escaped::new(b"\x00").to_string(), "\\x00");
    }
}

/// The longest text [`ipv6_text`] writes (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`).
pub const IPV6_TEXT_MAX: usize = 45;

/// Writes `a` into `out` as `inet_ntop(3)` does, and so as `ip`, `ss` and
/// `conntrack` print it: lower-case hex words, the first longest run of two
/// or more zero words as `::`, and the last 32 bits in dotted decimal for
/// an IPv4-mapped (`::ffff:1.2.3.4`) or IPv4-compatible (`::1.2.3.4`)
/// address. (`Ipv6Addr`'s `Display` writes the latter `::102:304`.)
/// Returns the text's length.
///
/// ```
/// use nlkit::wire::ipv6_text;
/// let mut b = [0u8; nlkit::wire::IPV6_TEXT_MAX];
/// let n = ipv6_text(&"::1.2.3.4".parse().unwrap(), &mut b);
/// assert_eq!(&b[..n], b"::1.2.3.4");
/// ```
pub fn ipv6_text(a: &core::net::Ipv6Addr, out: &mut [u8; IPV6_TEXT_MAX]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let w = a.segments();
    // The first longest run of zero words (at least two).
    let (mut best, mut best_len) = (8, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        (best, best_len) = (8, 0);
    }
    let mut n = 0;
    let mut put = |out: &mut [u8; IPV6_TEXT_MAX], b: u8| {
        if let Some(c) = out.get_mut(n) {
            *c = b;
        }
        n += 1;
    };
    for (i, &word) in w.iter().enumerate() {
        if (best..best + best_len).contains(&i) {
            if i == best {
                put(out, b':');
            }
            continue;
        }
        if i != 0 {
            put(out, b':');
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            for (k, &b) in o[12..].iter().enumerate() {
                if k > 0 {
                    put(out, b'.');
                }
                if b >= 100 {
                    put(out, b'0' + b / 100);
                }
                if b >= 10 {
                    put(out, b'0' + b / 10 % 10);
                }
                put(out, b'0' + b % 10);
            }
            return n;
        }
        let mut shift = 12;
        while shift > 0 && (word >> shift) == 0 {
            shift -= 4;
        }
        loop {
            put(out, HEX[usize::from((word >> shift) & 0xf)]);
            if shift == 0 {
                break;
            }
            shift -= 4;
        }
    }
    if best_len > 0 && best + best_len == 8 {
        put(out, b':');
    }
    n
}

/// An address shown as [`ipv6_text`] (IPv6) or in dotted decimal (IPv4):
/// the form `inet_ntop(3)` gives, so the form the C tools print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrText(pub core::net::IpAddr);

impl fmt::Display for AddrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            core::net::IpAddr::V4(a) => fmt::Display::fmt(&a, f),
            core::net::IpAddr::V6(a) => {
                let mut b = [0u8; IPV6_TEXT_MAX];
                let n = ipv6_text(&a, &mut b);
                // Only ASCII is written.
                f.pad(core::str::from_utf8(&b[..n]).unwrap_or("?"))
            }
        }
    }
}

#[cfg(test)]
mod ipv6_tests {
    use super::*;
    use core::net::Ipv6Addr;

    fn text(s: &str) -> String {
        AddrText(s.parse().unwrap()).to_string()
    }

    #[test]
    fn as_inet_ntop_writes_them() {
        // What glibc's inet_ntop gives for each (checked against `ip`).
        for (i, o) in [
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("fe80::1", "fe80::1"),
            ("2001:db8::1.2.3.4", "2001:db8::102:304"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::0.1.0.0", "::0.1.0.0"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::ffff:0:0", "::ffff:0.0.0.0"),
            ("1:0:0:2::3", "1:0:0:2::3"),
            ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
            ("1:0::2:0:0:3", "1::2:0:0:3"),
            (
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ),
            ("0:0:1::", "0:0:1::"),
            (
                "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
                "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
            ),
        ] {
            assert_eq!(text(i), o, "{i}");
        }
        assert_eq!(text("10.0.0.1"), "10.0.0.1");
    }

    proptest::proptest! {
        /// Always the longest form fits, and the text parses back to the address;
        /// outside the two IPv4 forms it is `Ipv6Addr`'s own text.
        #[test]
        fn reads_back(o in proptest::array::uniform16(proptest::prelude::any::<u8>())) {
            let a = Ipv6Addr::from(o);
            let t = AddrText(a.into()).to_string();
            proptest::prop_assert!(t.len() <= IPV6_TEXT_MAX);
            proptest::prop_assert_eq!(t.parse::<Ipv6Addr>().unwrap(), a);
            let w = a.segments();
            if w[..5] != [0; 5] || (w[5] != 0 && w[5] != 0xffff) || (w[5] == 0 && w[6] == 0) {
                proptest::prop_assert_eq!(t, a.to_string());
            }
        }
    }
}
