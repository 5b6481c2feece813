use core::fmt;

/// What is wrong with a buffer. Small and `Copy`: it says where (a byte offset
/// from the start of the buffer that was handed to the parser) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than a fixed-size header needs.
    Truncated {
        /// Offset where the header starts.
        at: usize,
        /// Bytes the header needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// `nlmsg_len` is shorter than the 16-byte header.
    MsgTooShort {
        /// Offset of the message.
        at: usize,
        /// The length it claims.
        len: u32,
    },
    /// `nlmsg_len` runs past the end of the buffer.
    MsgTooLong {
        /// Offset of the message.
        at: usize,
        /// The length it claims.
        len: u32,
        /// Bytes left from `at`.
        have: usize,
    },
    /// `nla_len` is shorter than the 4-byte attribute header.
    AttrTooShort {
        /// Offset of the attribute.
        at: usize,
        /// The length it claims.
        len: u16,
    },
    /// `nla_len` runs past the end of the enclosing set.
    AttrTooLong {
        /// Offset of the attribute.
        at: usize,
        /// The length it claims.
        len: u16,
        /// Bytes left from `at`.
        have: usize,
    },
    /// A typed getter was used on a payload of the wrong size.
    PayloadSize {
        /// Attribute type (without flags).
        kind: u16,
        /// Size the getter needs (for strings: at least).
        expected: usize,
        /// Size there is.
        got: usize,
    },
    /// A string attribute is not valid UTF-8.
    InvalidUtf8 {
        /// Attribute type.
        kind: u16,
        /// Bytes of valid UTF-8 before the first bad one.
        valid_up_to: usize,
    },
    /// A string attribute that must be NUL-terminated is not.
    MissingNul {
        /// Attribute type.
        kind: u16,
    },
    /// An attribute (or nest) would be longer than `nla_len` (u16) can say.
    AttrOverflow {
        /// Attribute type.
        kind: u16,
        /// Bytes it would need, header included.
        len: usize,
    },
    /// A message would be longer than `nlmsg_len` (u32) can say.
    MsgOverflow {
        /// Bytes it would need.
        len: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { at, need, have } => {
                write!(
                    f,
                    "truncated at offset {at}: a header needs {need} bytes, {have} left"
                )
            }
            Error::MsgTooShort { at, len } => {
                write!(f, "length {len} is shorter than the header at offset {at}")
            }
            Error::MsgTooLong { at, len, have } => {
                write!(f, "length {len} runs past the end of the buffer at offset {at} ({have} bytes left)")
            }
            Error::AttrTooShort { at, len } => {
                write!(
                    f,
                    "attribute length {len} is shorter than its header at offset {at}"
                )
            }
            Error::AttrTooLong { at, len, have } => {
                write!(f, "attribute length {len} runs past the end of its set at offset {at} ({have} bytes left)")
            }
            Error::PayloadSize {
                kind,
                expected,
                got,
            } => {
                write!(
                    f,
                    "attribute {kind} has {got} bytes of payload, expected {expected}"
                )
            }
            Error::InvalidUtf8 { kind, valid_up_to } => {
                write!(
                    f,
                    "attribute {kind} is not valid UTF-8 (bad byte at {valid_up_to})"
                )
            }
            Error::MissingNul { kind } => write!(f, "attribute {kind} is not NUL-terminated"),
            Error::AttrOverflow { kind, len } => {
                write!(
                    f,
                    "attribute {kind} would be {len} bytes, more than the 65535 an nlattr can hold"
                )
            }
            Error::MsgOverflow { len } => write!(
                f,
                "message would be {len} bytes, more than nlmsg_len can hold"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The same error with every offset moved by `base` (for errors found
    /// inside a sub-slice, reported relative to the outer buffer).
    pub fn offset_by(self, base: usize) -> Error {
        match self {
            Error::Truncated { at, need, have } => Error::Truncated {
                at: at + base,
                need,
                have,
            },
            Error::MsgTooShort { at, len } => Error::MsgTooShort { at: at + base, len },
            Error::MsgTooLong { at, len, have } => Error::MsgTooLong {
                at: at + base,
                len,
                have,
            },
            Error::AttrTooShort { at, len } => Error::AttrTooShort { at: at + base, len },
            Error::AttrTooLong { at, len, have } => Error::AttrTooLong {
                at: at + base,
                len,
                have,
            },
            other => other,
        }
    }

    /// Byte offset the error points at, when it has one.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Error::Truncated { at, .. }
            | Error::MsgTooShort { at, .. }
            | Error::MsgTooLong { at, .. }
            | Error::AttrTooShort { at, .. }
            | Error::AttrTooLong { at, .. } => Some(at),
            _ => None,
        }
    }
}
