//! The CLI's error: one line on stderr, a non-zero exit code.

use std::fmt;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Wrong arguments (exit code 2).
    Usage(String),
    /// A netlink error (kernel error with errno and extended ACK, I/O...).
    Nl(nlkit::Error),
    /// An I/O error (reading input, writing output).
    Io(std::io::Error),
    /// Anything else, already worded.
    Other(String),
    /// Exit with this code, having said everything already.
    Quiet(u8),
}

impl CliError {
    /// A usage error.
    pub fn usage(s: impl Into<String>) -> CliError {
        CliError::Usage(s.into())
    }
    /// True if writing to a closed pipe (`nlkit ... | head`): exit quietly.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            CliError::Io(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            CliError::Nl(nlkit::Error::Io { source, .. }) => {
                source.kind() == std::io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Quiet(c) => *c,
            _ => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(s) => write!(f, "{s} (see --help)"),
            CliError::Nl(e) => write!(f, "{e}"),
            CliError::Io(e) => write!(f, "{e}"),
            CliError::Other(s) => f.write_str(s),
            CliError::Quiet(_) => Ok(()),
        }
    }
}

impl std::error::Error for CliError {}

/// The longest user input an error message echoes, in characters.
pub const ECHO_MAX: usize = 64;

/// `s` as an error message echoes it: at most [`ECHO_MAX`] characters, then
/// `...` (so a 50 MB argument is never printed back whole).
pub fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(ECHO_MAX) {
        None => s.into(),
        Some((at, _)) => format!("{}...", &s[..at]).into(),
    }
}

impl From<nlkit::Error> for CliError {
    fn from(e: nlkit::Error) -> Self {
        CliError::Nl(e)
    }
}
impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}
