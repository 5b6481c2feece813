//! One module per object.

pub mod batch;
pub mod conntrack;
pub mod decode;
pub mod events;
pub mod genl;
pub mod monitor;
pub mod nflog;
pub mod nfqueue;
pub mod proc;
pub mod raw;
pub mod route;
pub mod ss;
pub mod uevent;
pub mod ynl;

use crate::error::CliError;
use crate::Global;

/// The words after an object (`add 10.0.0.0/8 via 10.9.0.2 dev v0`), parsed
/// with iproute2's keyword grammar by the object's module.
#[derive(clap::Args, Debug, Clone)]
pub struct Words {
    /// Command and arguments, as for `ip`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// rtnetlink objects: link, addr, route, neigh, rule, nexthop, monitor.
pub fn route_family(g: &Global, object: &str, w: Words) -> Result<(), CliError> {
    match object {
        "monitor" => monitor::run(g, &w.words),
        _ => route::run(g, object, &w.words),
    }
}

/// Generic netlink.
pub fn genl(g: &Global, w: Words) -> Result<(), CliError> {
    genl::run(g, &w.words)
}
