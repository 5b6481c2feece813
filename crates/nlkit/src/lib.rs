//! nlkit: Linux netlink, from bytes to typed families.
//!
//! Layers, each knowing only those below it:
//! - [`wire`]: bytes only (headers, attributes, control messages, extended ACKs);
//!   no I/O, no allocation when reading.
//! - [`socket`]: the only I/O and the only `unsafe`: netlink sockets, every
//!   option, groups, network namespaces (tokio behind the `tokio` feature).
//! - [`conn`]: the sans-IO request engine and the blocking [`Connection`]
//!   (requests, streamed dumps, packed batches), shareable by threads.
//! - [`schema`]: attribute sets, value kinds, fixed headers and name tables as
//!   data, shared by every family; the generic decoder walk.
//! - [`route`], [`genl`]: typed families; [`monitor`]: a monitor that never loses state.
//! - [`decode`]: any message explained, from a registry of family descriptors.
//! - [`ynl`]: the kernel's YAML netlink specs, found on the machine and read at run time.
//!
//! ```no_run
//! use nlkit::route::{Handle, RouteRequest};
//! use nlkit::{Connection, Protocol};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let conn = Connection::new(Protocol::ROUTE)?; // ext-ack, capped ACKs, strict checking on
//! let h = Handle::with(&conn);
//! let v0 = h.index_of("v0")?;
//! h.route(&RouteRequest::add("10.1.0.0/24".parse()?).via("10.9.0.2".parse()?).dev(v0).table(100))?;
//! h.routes(Default::default(), |r| {
//!     // streamed from the receive buffer: nothing is copied
//!     println!("{:?} via {:?}", r.dst(), r.gateway());
//!     Ok(())
//! })?;
//! # Ok(())
//! # }
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod conn;
pub mod connector;
pub mod decode;
pub mod diag;
pub mod errno;
pub mod error;
pub mod genl;
pub mod monitor;
pub mod netfilter;
pub mod route;
pub mod schema;
pub mod socket;
pub mod uevent;
pub mod wire;
pub mod ynl;

pub use conn::{AckMode, Connection, ToMsg};
pub use error::{Error, KernelError, Result};
pub use wire::Protocol;
