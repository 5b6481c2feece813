//! `nlkit monitor [link|addr|route|neigh|rule|all]`.

use crate::error::CliError;
use crate::Global;

/// Runs `nlkit monitor ...`.
pub fn run(_g: &Global, _words: &[String]) -> Result<(), CliError> {
    Err(CliError::Other("`nlkit monitor` is not built yet".into()))
}
