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

/// A message as it is printed: every word (a run without whitespace) of more
/// than [`ECHO_MAX`] characters cut to that many and `...` (a closing quote
/// kept), so that an error about a huge input never echoes it whole,
/// whichever part of nlkit or the library worded it.
pub fn shown(msg: impl fmt::Display) -> String {
    struct Clip {
        out: String,
        word: usize,
        /// The last character cut off, while cutting.
        cut: Option<char>,
    }
    impl Clip {
        fn end_word(&mut self) {
            if let Some(last) = self.cut.take() {
                self.out.push_str("...");
                if last == '"' || last == '\'' {
                    self.out.push('"');
                }
            }
            self.word = 0;
        }
    }
    impl fmt::Write for Clip {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for c in s.chars() {
                if c.is_whitespace() {
                    self.end_word();
                    self.out.push(c);
                } else if self.word < ECHO_MAX {
                    self.word += 1;
                    self.out.push(c);
                } else {
                    self.cut = Some(c);
                }
            }
            Ok(())
        }
    }
    let mut c = Clip {
        out: String::new(),
        word: 0,
        cut: None,
    };
    let _ = fmt::write(&mut c, format_args!("{msg}"));
    c.end_word();
    c.out
}

#[cfg(test)]
mod tests {
    use super::{clip, shown};

    #[test]
    fn long_words_are_cut_in_messages() {
        let long = "x".repeat(1000);
        assert_eq!(clip(&long), format!("{}...", "x".repeat(64)));
        assert_eq!(clip("short"), "short");
        let m = shown(format!("device \"{long}\" does not exist"));
        assert_eq!(
            m,
            format!("device \"{}...\" does not exist", "x".repeat(63))
        );
        assert_eq!(shown("a b\tc"), "a b\tc");
        assert_eq!(shown(&long), format!("{}...", "x".repeat(64)));
    }
}
