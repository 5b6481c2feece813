//! `nlkit decode`.

use crate::error::CliError;
use crate::Global;

/// Arguments of `nlkit decode`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file ('-' or absent: stdin).
    pub file: Option<String>,
}

/// Runs `nlkit decode`.
pub fn run(_g: &Global, _a: Args) -> Result<(), CliError> {
    Err(CliError::Other("`nlkit decode` is not built yet".into()))
}
