//! `nlkit listen` and `nlkit send`: raw messages on any protocol.

use crate::error::CliError;
use crate::Global;

/// Arguments of `nlkit listen`.
#[derive(clap::Args, Debug)]
pub struct ListenArgs {}

/// Arguments of `nlkit send`.
#[derive(clap::Args, Debug)]
pub struct SendArgs {}

/// Runs `nlkit listen`.
pub fn listen(_g: &Global, _a: ListenArgs) -> Result<(), CliError> {
    Err(CliError::Other("`nlkit listen` is not built yet".into()))
}

/// Runs `nlkit send`.
pub fn send(_g: &Global, _a: SendArgs) -> Result<(), CliError> {
    Err(CliError::Other("`nlkit send` is not built yet".into()))
}
