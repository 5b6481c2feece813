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
