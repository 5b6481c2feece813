//! nlkit: Linux netlink, from bytes to typed families.
//!
//! Layers, each knowing only those below it:
//! - [`wire`]: bytes only (headers, attributes, control messages, extended ACKs);
//!   no I/O, no allocation when reading.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod conn;
pub mod errno;
pub mod error;
pub mod genl;
pub mod monitor;
pub mod route;
pub mod socket;
pub mod wire;

pub use conn::{AckMode, Connection, ToMsg};
pub use error::{Error, KernelError, Result};
pub use wire::Protocol;
