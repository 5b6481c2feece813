//! `nlkit -batch FILE`: many commands applied through the engine's batch.

use crate::error::CliError;
use crate::Global;

/// Runs the commands of `g.batch`.
pub fn run(_g: &Global, _file: &str) -> Result<(), CliError> {
    Err(CliError::Other("`nlkit -batch` is not built yet".into()))
}
