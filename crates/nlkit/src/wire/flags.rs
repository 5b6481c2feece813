use core::fmt;

/// `nlmsg_flags`. The low byte means the same everywhere; the bits from 0x100
/// up mean different things for GET, NEW and DEL requests and for ACKs, so
/// naming them needs a [`FlagContext`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MsgFlags(pub u16);

/// Which meaning the high flag bits have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagContext {
    /// A GET request: `ROOT`, `MATCH`, `ATOMIC` (`DUMP` = `ROOT|MATCH`).
    Get,
    /// A NEW request: `REPLACE`, `EXCL`, `CREATE`, `APPEND`.
    New,
    /// A DEL request: `NONREC`, `BULK`.
    Delete,
    /// An `NLMSG_ERROR`/`NLMSG_DONE` from the kernel: `CAPPED`, `ACK_TLVS`.
    Ack,
    /// Unknown (a generic netlink command, a custom protocol): high bits are shown as a number.
    Unknown,
}

impl MsgFlags {
    /// `NLM_F_REQUEST`: a request.
    pub const REQUEST: u16 = 0x01;
    /// `NLM_F_MULTI`: part of a multipart reply, ended by `NLMSG_DONE`.
    pub const MULTI: u16 = 0x02;
    /// `NLM_F_ACK`: reply with an ACK (an `NLMSG_ERROR` with error 0).
    pub const ACK: u16 = 0x04;
    /// `NLM_F_ECHO`: echo the resulting notification back to the requester.
    pub const ECHO: u16 = 0x08;
    /// `NLM_F_DUMP_INTR`: the dump changed while it was being taken.
    pub const DUMP_INTR: u16 = 0x10;
    /// `NLM_F_DUMP_FILTERED`: the kernel applied the filter the request asked for.
    pub const DUMP_FILTERED: u16 = 0x20;
    /// `NLM_F_ROOT` (GET).
    pub const ROOT: u16 = 0x100;
    /// `NLM_F_MATCH` (GET).
    pub const MATCH: u16 = 0x200;
    /// `NLM_F_ATOMIC` (GET).
    pub const ATOMIC: u16 = 0x400;
    /// `NLM_F_DUMP` = `ROOT | MATCH` (GET).
    pub const DUMP: u16 = 0x300;
    /// `NLM_F_REPLACE` (NEW).
    pub const REPLACE: u16 = 0x100;
    /// `NLM_F_EXCL` (NEW).
    pub const EXCL: u16 = 0x200;
    /// `NLM_F_CREATE` (NEW).
    pub const CREATE: u16 = 0x400;
    /// `NLM_F_APPEND` (NEW).
    pub const APPEND: u16 = 0x800;
    /// `NLM_F_NONREC` (DEL).
    pub const NONREC: u16 = 0x100;
    /// `NLM_F_BULK` (DEL).
    pub const BULK: u16 = 0x200;
    /// `NLM_F_CAPPED` (ACK): the echoed request was cut to its header.
    pub const CAPPED: u16 = 0x100;
    /// `NLM_F_ACK_TLVS` (ACK): extended ACK attributes follow.
    pub const ACK_TLVS: u16 = 0x200;

    /// True if every bit of `bits` is set.
    #[inline]
    pub fn contains(self, bits: u16) -> bool {
        self.0 & bits == bits
    }

    /// Names of the set bits in this context (`["REQUEST", "ACK", "DUMP"]`); a
    /// bit without a name in this context is given as a hex number.
    pub fn names(self, ctx: FlagContext) -> impl Iterator<Item = FlagName> {
        let mut out = [FlagName::Bits(0); 16];
        let mut n = 0;
        let mut rest = self.0;
        let mut take = |bits: u16, name: &'static str, out: &mut [FlagName; 16], n: &mut usize| {
            if rest & bits == bits && bits != 0 {
                out[*n] = FlagName::Name(name);
                *n += 1;
                rest &= !bits;
            }
        };
        for (bit, name) in [
            (Self::REQUEST, "REQUEST"),
            (Self::MULTI, "MULTI"),
            (Self::ACK, "ACK"),
            (Self::ECHO, "ECHO"),
            (Self::DUMP_INTR, "DUMP_INTR"),
            (Self::DUMP_FILTERED, "DUMP_FILTERED"),
        ] {
            take(bit, name, &mut out, &mut n);
        }
        let high: &[(u16, &'static str)] = match ctx {
            FlagContext::Get => &[
                (Self::DUMP, "DUMP"),
                (Self::ROOT, "ROOT"),
                (Self::MATCH, "MATCH"),
                (Self::ATOMIC, "ATOMIC"),
            ],
            FlagContext::New => &[
                (Self::REPLACE, "REPLACE"),
                (Self::EXCL, "EXCL"),
                (Self::CREATE, "CREATE"),
                (Self::APPEND, "APPEND"),
            ],
            FlagContext::Delete => &[(Self::NONREC, "NONREC"), (Self::BULK, "BULK")],
            FlagContext::Ack => &[(Self::CAPPED, "CAPPED"), (Self::ACK_TLVS, "ACK_TLVS")],
            FlagContext::Unknown => &[],
        };
        for &(bit, name) in high {
            take(bit, name, &mut out, &mut n);
        }
        if rest != 0 {
            out[n] = FlagName::Bits(rest);
            n += 1;
        }
        out.into_iter().take(n)
    }

    /// `REQUEST|ACK|DUMP` style text for this context (`0` when no bit is set).
    pub fn display(self, ctx: FlagContext) -> impl fmt::Display {
        struct D(MsgFlags, FlagContext);
        impl fmt::Display for D {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut first = true;
                for name in self.0.names(self.1) {
                    if !first {
                        f.write_str("|")?;
                    }
                    first = false;
                    write!(f, "{name}")?;
                }
                if first {
                    f.write_str("0")?;
                }
                Ok(())
            }
        }
        D(self, ctx)
    }
}

/// One named flag, or bits without a name in the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagName {
    /// A named flag (`"ACK"`).
    Name(&'static str),
    /// Unnamed bits.
    Bits(u16),
}

impl fmt::Display for FlagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagName::Name(n) => f.write_str(n),
            FlagName::Bits(b) => write!(f, "{b:#x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_depend_on_context() {
        let f = MsgFlags(0x0305);
        assert_eq!(f.display(FlagContext::Get).to_string(), "REQUEST|ACK|DUMP");
        assert_eq!(
            f.display(FlagContext::New).to_string(),
            "REQUEST|ACK|REPLACE|EXCL"
        );
        assert_eq!(
            f.display(FlagContext::Ack).to_string(),
            "REQUEST|ACK|CAPPED|ACK_TLVS"
        );
        assert_eq!(
            f.display(FlagContext::Unknown).to_string(),
            "REQUEST|ACK|0x300"
        );
        assert_eq!(MsgFlags(0).display(FlagContext::Get).to_string(), "0");
        assert_eq!(
            MsgFlags(0x8000).display(FlagContext::New).to_string(),
            "0x8000"
        );
    }
}
