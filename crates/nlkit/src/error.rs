//! nlkit's error: I/O, a kernel error with its extended ACK, an overrun, or a
//! malformed message. Kernel errors say what was being done, the errno (number,
//! name and text), the kernel's message and the attribute it points at:
//!
//! `add route 10.1.0.0/24 via 10.9.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway`

use crate::errno;
use crate::wire::{self, AttrPath, PolicyInfo};
use std::fmt;
use std::io;

/// `Result` with an nlkit [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking netlink.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed.
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: io::Error,
    },
    /// The kernel (or the peer) answered with an error.
    Kernel(Box<KernelError>),
    /// The socket's receive buffer overflowed (`ENOBUFS`): messages were lost.
    /// A request may or may not have been carried out; a monitor should re-dump.
    Overrun {
        /// What was being done.
        what: String,
    },
    /// A message from the kernel could not be parsed.
    Malformed {
        /// What was being done.
        what: String,
        /// Where and why.
        source: wire::Error,
    },
    /// A request could not be built (an attribute too long, ...).
    Build {
        /// What was being built.
        what: String,
        /// Why.
        source: wire::Error,
    },
    /// A dump stayed inconsistent (`NLM_F_DUMP_INTR`) after every retry allowed.
    DumpInterrupted {
        /// What was being dumped.
        what: String,
        /// How many times it was tried.
        attempts: u32,
    },
    /// A request that should have been answered with data (a GET) was
    /// acknowledged without any.
    NoData {
        /// What was asked.
        what: String,
    },
    /// An argument was wrong (a name that does not resolve, a bad value...)
    /// where no other variant fits.
    Invalid(String),
    /// A callback's own error, carried out unchanged through a method whose
    /// callbacks return nlkit's `Result` (see [`Error::callback`] and
    /// [`Error::into_callback`]). Its text is the callback error's.
    Callback(Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// An error answer: errno and extended ACK, and which request it was.
/// Built by the engine; elsewhere start from [`KernelError::new`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KernelError {
    /// Positive errno.
    pub errno: i32,
    /// The extended ACK message.
    pub message: Option<String>,
    /// The attribute of the request the kernel points at (`NLMSGERR_ATTR_OFFS`).
    pub attr: Option<AttrPath>,
    /// That attribute's name, when the request's family knows it (`IFLA_MTU`).
    pub attr_name: Option<String>,
    /// A missing required attribute (`NLMSGERR_ATTR_MISS_TYPE`), by number.
    pub missing: Option<u32>,
    /// Its name, when known.
    pub missing_name: Option<String>,
    /// The policy the attribute broke.
    pub policy: Option<PolicyInfo>,
    /// What was being done (`add route 10.1.0.0/24 via 10.9.0.2`).
    pub what: Option<String>,
    /// In a batch: the request's index (0-based).
    pub index: Option<usize>,
}

impl KernelError {
    /// An error with this (positive) errno and nothing else known.
    pub fn new(errno: i32) -> KernelError {
        KernelError {
            errno,
            ..KernelError::default()
        }
    }
    /// The same error with the kernel's message.
    pub fn with_message(mut self, message: impl Into<String>) -> KernelError {
        self.message = Some(message.into());
        self
    }
    /// The same error saying what was being done.
    pub fn with_what(mut self, what: impl Into<String>) -> KernelError {
        self.what = Some(what.into());
        self
    }
    /// The errno's constant name (`ENETUNREACH`).
    pub fn errno_name(&self) -> Option<&'static str> {
        errno::name(self.errno)
    }
    /// The errno as an `io::Error`.
    pub fn io_error(&self) -> io::Error {
        io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(w) = &self.what {
            write!(f, "{w}: ")?;
        }
        f.write_str(&errno::describe(self.errno))?;
        match self.errno_name() {
            Some(n) => write!(f, " ({n})")?,
            None => write!(f, " (errno {})", self.errno)?,
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        match (&self.attr_name, &self.attr) {
            (Some(n), _) => write!(f, " [attribute {n}]")?,
            (None, Some(p)) => write!(f, " [attribute {p} at offset {}]", p.offset)?,
            _ => {}
        }
        match (&self.missing_name, self.missing) {
            (Some(n), _) => write!(f, " [missing attribute {n}]")?,
            (None, Some(t)) => write!(f, " [missing attribute {t}]")?,
            _ => {}
        }
        if let Some(p) = &self.policy {
            let s = p.to_string();
            if !s.is_empty() {
                write!(f, " [expected {s}]")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Kernel(k) => k.fmt(f),
            Error::Overrun { what } => write!(
                f,
                "{what}: receive buffer overrun (ENOBUFS): the kernel dropped messages; results may be incomplete"
            ),
            Error::Malformed { what, source } => write!(f, "{what}: malformed message: {source}"),
            Error::Build { what, source } => write!(f, "{what}: cannot build request: {source}"),
            Error::DumpInterrupted { what, attempts } => {
                write!(f, "{what}: dump interrupted by concurrent changes (NLM_F_DUMP_INTR) {attempts} times")
            }
            Error::NoData { what } => write!(f, "{what}: the kernel answered with no data"),
            Error::Invalid(s) => f.write_str(s),
            Error::Callback(e) => e.fmt(f),
        }
    }
}

/// `source()` is always `None`: the text above already holds the cause, and
/// reporters that walk the chain (anyhow's `{:#}`) would print it twice.
/// The cause stays reachable as a field and through [`Error::io_error`].
impl std::error::Error for Error {}

impl Error {
    /// An I/O error, saying what was being done.
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
    /// The kernel error, if this is one.
    pub fn kernel(&self) -> Option<&KernelError> {
        match self {
            Error::Kernel(k) => Some(k),
            _ => None,
        }
    }
    /// The errno behind this error, if there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel(k) => Some(k.errno),
            Error::Io { source, .. } => crate::socket::errno(source),
            Error::Overrun { .. } => Some(libc::ENOBUFS),
            _ => None,
        }
    }
    /// Wraps a callback's own error to return it from a callback that must
    /// return nlkit's `Result`; [`Error::into_callback`] takes it back out.
    pub fn callback(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Callback(Box::new(e))
    }
    /// The callback error of type `T` this carries, or the error itself.
    pub fn into_callback<T: std::error::Error + 'static>(self) -> std::result::Result<T, Error> {
        match self {
            Error::Callback(e) => match e.downcast::<T>() {
                Ok(t) => Ok(*t),
                Err(e) => Err(Error::Callback(e)),
            },
            e => Err(e),
        }
    }
    /// The I/O error behind an [`Error::Io`].
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
    /// True for an overrun.
    pub fn is_overrun(&self) -> bool {
        matches!(self, Error::Overrun { .. })
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io {
            what: "netlink".into(),
            source: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_like_the_style_guide() {
        let e = Error::Kernel(Box::new(
            KernelError::new(libc::ENETUNREACH)
                .with_message("Nexthop has invalid gateway")
                .with_what("add route 10.1.0.0/24 via 10.9.0.2"),
        ));
        assert_eq!(
            e.to_string(),
            "add route 10.1.0.0/24 via 10.9.0.2: Network is unreachable (ENETUNREACH): Nexthop has invalid gateway"
        );
    }

    /// A reporter that walks `source()` (anyhow's `{:#}`) prints each cause once.
    #[test]
    fn chain_does_not_repeat_the_cause() {
        fn chain(e: &dyn std::error::Error) -> String {
            let mut s = e.to_string();
            let mut cur = e.source();
            while let Some(c) = cur {
                s.push_str(&format!(": {c}"));
                cur = c.source();
            }
            s
        }
        let io = io::Error::from_raw_os_error(libc::EPERM);
        let e = Error::io("open netlink route socket", io);
        let text = chain(&e);
        assert_eq!(text, e.to_string());
        assert_eq!(text.matches("Operation not permitted").count(), 1, "{text}");
        assert_eq!(
            e.io_error().and_then(|e| e.raw_os_error()),
            Some(libc::EPERM)
        );
        let e = Error::Malformed {
            what: "dump links".into(),
            source: wire::Error::Truncated {
                at: 0,
                need: 16,
                have: 3,
            },
        };
        assert_eq!(chain(&e), e.to_string());
        let e = Error::NoData {
            what: "get link 1".into(),
        };
        assert_eq!(
            e.to_string(),
            "get link 1: the kernel answered with no data"
        );
        // A callback's error goes through unchanged and comes back out by type.
        let e = Error::callback(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
        assert_eq!(e.to_string(), "closed");
        let back = e.into_callback::<io::Error>().unwrap();
        assert_eq!(back.kind(), io::ErrorKind::BrokenPipe);
        let e = Error::callback(io::Error::other("x")).into_callback::<std::fmt::Error>();
        assert!(matches!(e, Err(Error::Callback(_))));
        let e = Error::NoData {
            what: "get link 1".into(),
        };
        assert_eq!(
            e.to_string(),
            "get link 1: the kernel answered with no data"
        );
    }
}
