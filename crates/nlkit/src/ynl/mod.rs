//! YAML netlink specs (YNL): the kernel's `Documentation/netlink/specs`
//! read at run time.
//!
//! - [`spec`]: a spec parsed into typed structs ([`Family`]), every
//!   reference checked; a bad spec is a [`SpecError`] with the file and the
//!   line, never a panic.
//! - [`find`]: where specs are looked up (`--spec FILE`, `$NLKIT_YNL_SPECS`,
//!   `/usr/share/ynl/specs`, Debian's `linux-doc-*` packages, newest first),
//!   plain `.yaml` or gzipped `.yaml.gz`.
//! - [`Schema`]: a spec as schema values (the same [`AttrSet`](crate::schema::AttrSet)s,
//!   kinds and fixed headers the typed families declare, leaked once per
//!   spec), a decoder descriptor for `nlkit decode --family`, and the JSON
//!   side: [`Schema::request`] builds a [`Request`] (a [`ToMsg`](crate::ToMsg))
//!   from a `serde_json::Value` with the spec's names, checked before
//!   sending ([`RequestError`] names the JSON path); [`Schema::reply_to`] and
//!   [`Schema::notification_to`] write a message as JSON straight to a
//!   writer (no tree, names borrowed: a dump streams in flat memory).
//! - [`Client`]: the family resolved through nlctrl (generic netlink) or
//!   opened by `protonum` (netlink-raw); `request` (do), `dump`,
//!   `subscribe(group)` ([`Subscription`]), over the one request engine, so
//!   kernel errors carry the ext-ack message and the attribute path in the
//!   spec's names (`header.dev-name`).
//!
//! The project does not ship the kernel's specs; it ships one of its own,
//! `kernel/module/nltest.yaml`, for its test module's family.
//!
//! # References
//! `Documentation/userspace-api/netlink/specs.rst` and
//! `genetlink-legacy.rst`; the meta-specs `Documentation/netlink/*.yaml`.

mod client;
pub mod find;
pub mod json;
pub mod request;
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
