//! YAML netlink specs (YNL): the kernel's `Documentation/netlink/specs`
//! read at run time.
//!
//! - [`spec`]: a spec parsed into typed structs ([`Family`]), every
//!   reference checked; a bad spec is a [`SpecError`] with the file and the
//!   line, never a panic.
//! - [`find`]: where specs are looked up (`--spec FILE`, `$NLKIT_YNL_SPECS`,
//!   `/usr/share/ynl/specs`, Debian's `linux-doc-*` packages, newest first),
//!   plain `.yaml` or gzipped `.yaml.gz`.
//!
//! The project does not ship the kernel's specs; it ships one of its own,
//! `kernel/module/nltest.yaml`, for its test module's family.
//!
//! # References
//! `Documentation/userspace-api/netlink/specs.rst` and
//! `genetlink-legacy.rst`; the meta-specs `Documentation/netlink/*.yaml`.

mod client;
pub mod find;
mod json;
mod request;
mod schema;
pub mod spec;
mod yaml;

pub use client::{Client, Subscription};
pub use find::{load, Found, SearchPath, Source};
pub use request::{Mode, Request, RequestError};
pub use schema::Schema;
pub use spec::Family;

use std::fmt;

/// What is wrong with a spec, and where: `ethtool.yaml:812: attribute-set
/// "bitset" attribute "bits": nested-attributes "bitset-bitz" is not an
/// attribute set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file (as given, or as found).
    pub file: String,
    /// The line (1-based), when the problem is in the text.
    pub line: Option<usize>,
    /// What is wrong.
    pub msg: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.msg),
            None => write!(f, "{}: {}", self.file, self.msg),
        }
    }
}

impl std::error::Error for SpecError {}
