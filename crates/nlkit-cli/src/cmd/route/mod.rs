//! rtnetlink objects on the command line: `link`, `addr`, `route`, `neigh`,
//! `rule`, with iproute2's keyword grammar.

use crate::error::CliError;
use crate::Global;

/// Runs `nlkit OBJECT WORDS...` for an rtnetlink object.
pub fn run(_g: &Global, object: &str, _words: &[String]) -> Result<(), CliError> {
    Err(CliError::Other(format!(
        "`nlkit {object}` is not built yet"
    )))
}
