//! `nlkit decode`: netlink bytes, as people paste them, explained.
//!
//! The knowledge is the library's (`nlkit::decode`: the registry of family
//! descriptors, the description, the hex reader); this module reads the
//! arguments and the input and lays the description out as text
//! ([`render`]) or JSON ([`json`]).
//!
//! Input is hex in any common layout (see `nlkit::decode::hex`) or raw binary
//! (`--raw`, or detected: input that is not text is binary). Every message is
//! printed: header fields with flag names for its type, type names for the
//! protocol, the family's fixed header, attributes as a tree with names and
//! typed values (unknown ones as hex with a printable column, as `xxd`), control messages in words (ACKs,
//! errors with errno, extended ACK, the offending attribute resolved against
//! the echoed request, missing attribute and policy; DONE with its status),
//! and the echoed request inside an error decoded like any message.
//!
//! Broken input: everything before the break is printed, then
//! `error at offset N: why`, and the exit code is 1.
//!
//! JSON (`-j`) keys are listed in [`JSON_KEYS`], which is also the tail of
//! `nlkit decode --help`.

pub mod json;
pub mod render;

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::decode::{hex as hexinput, Decoder, Registry};
use nlkit::Protocol;
use std::io::Read;
use std::sync::Arc;

/// The JSON output, documented (shown by `nlkit decode --help`).
pub const JSON_KEYS: &str = "\
JSON output (-j, -p to pretty-print) is one object:
  protocol        protocol the types were named for (\"route\", \"usersock\", ...)
  length          input size in bytes
  messages        array of messages, in order
  datagram        for a protocol without nlmsghdr (uevents): its fields, as
                  attributes {offset, type 0, name, len, value} (absent otherwise)
  error           {offset, reason}: where the input breaks (absent when it does not)
Each message:
  offset, len, type, type_name (null if unknown), flags, flag_names, seq, port_id
  header          fixed family header: {struct, fields: [{name, value, text?}], note?}
  attributes      array of attributes: {offset, type, name (null if unknown), len,
                  nested?, net_byteorder?, value? (typed), text? (symbolic value),
                  hex? (unknown or opaque payload), printable? (unknown: the
                  payload as xxd's ASCII column, '.' for unprintable bytes),
                  note?, attributes? (nested)}
  payload         for protocols without attributes: {len, text? (if printable), hex}
  control         NLMSG_ERROR/DONE/NOOP/OVERRUN: {kind (ack|error|done|noop|overrun),
                  summary, code?, errno?, errno_name?, errno_text?, capped?,
                  ext_ack?: {message?, offset?, attribute?, attribute_input_offset?,
                             attribute_note?, missing?, missing_name?,
                             missing_nest_offset?, policy?, cookie?},
                  request?: the echoed request, decoded as a message}
  errors          problems inside the message: [{offset, reason}]
Offsets count from the start of the input. Keys marked ? are absent when empty.";

/// Arguments of `nlkit decode`.
#[derive(clap::Args, Debug)]
#[command(after_help = JSON_KEYS)]
pub struct Args {
    /// Input file ('-' or absent: stdin).
    pub file: Option<String>,
    /// Netlink protocol the bytes belong to: route, generic, usersock, ... or a number.
    #[arg(long, value_name = "PROTO", default_value = "route", value_parser = parse_proto)]
    pub proto: Protocol,
    /// The input is raw binary (default: binary unless it is valid hex text).
    #[arg(long, conflicts_with = "hex")]
    pub raw: bool,
    /// The input must be hex text: fail instead of falling back to binary.
    #[arg(long)]
    pub hex: bool,
    /// Decode this hex instead of reading a file.
    #[arg(long, value_name = "HEX", conflicts_with_all = ["file", "raw"])]
    pub data: Option<String>,
    /// Generic netlink: decode messages of ids nlkit does not know as this
    /// family (NAME), or only id ID as it (NAME=ID); repeatable.
    #[arg(long, value_name = "NAME[=ID]")]
    pub family: Vec<String>,
}

/// A decoder for `proto` with the `--family` hints. A family nlkit has no
/// descriptor for is decoded by its YAML spec (found as `nlkit ynl` finds
/// it): a generic netlink one as that family, a netlink-raw one as its
/// protocol's descriptor.
pub fn decoder(proto: Protocol, families: &[String]) -> Result<Decoder<'static>, CliError> {
    let builtin = Registry::builtin();
    let mut reg: Option<Registry> = None;
    for f in families {
        let name = f.split_once('=').map_or(f.as_str(), |(n, _)| n);
        if builtin.genl(name).is_some() {
            continue;
        }
        let Ok(schema) = nlkit::ynl::Schema::find(name) else {
            continue; // named below, with what the registry has
        };
        let r = reg.get_or_insert_with(Registry::with_builtin);
        if schema.is_genetlink() {
            r.add_genl(Arc::new(schema), None);
        } else {
            let p = Protocol(schema.spec.protonum as i32);
            r.add_protocol(p, Arc::new(schema));
        }
    }
    // Leaked once per run: the registry lives as long as the decoder.
    let registry: &'static Registry = match reg {
        Some(r) => Box::leak(Box::new(r)),
        None => builtin,
    };
    let mut d = Decoder::with_registry(registry, proto);
    for f in families {
        let bad = |e: nlkit::decode::UnknownFamily| {
            CliError::usage(format!(
                "--family: {e}, and no YAML spec of that name was found"
            ))
        };
        d = match f.split_once('=') {
            Some((name, id)) => {
                let id = parse_id(id).ok_or_else(|| {
                    CliError::usage(format!("--family {f}: {id:?} is not a family id (0-65535)"))
                })?;
                d.genl_id(id, name).map_err(bad)?
            }
            None if registry.genl(f).is_none()
                && registry.protocols().any(|p| {
                    registry
                        .protocol(p)
                        .is_some_and(|x| x.name().eq_ignore_ascii_case(f))
                }) =>
            {
                d // a netlink-raw family: its protocol's descriptor now
            }
            None => d.genl_family(f).map_err(bad)?,
        };
    }
    Ok(d)
}

fn parse_id(s: &str) -> Option<u16> {
    match s.strip_prefix("0x") {
        Some(h) => u16::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Parses `--proto`.
pub fn parse_proto(s: &str) -> Result<Protocol, String> {
    Protocol::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Protocol::KNOWN
            .iter()
            .filter_map(|p| p.short_name())
            .collect();
        format!(
            "unknown protocol {s:?}: use one of {} or a number 0-31",
            names.join(", ")
        )
    })
}

fn read_input(a: &Args) -> Result<Vec<u8>, CliError> {
    if let Some(d) = &a.data {
        return Ok(d.as_bytes().to_vec());
    }
    match a.file.as_deref() {
        None | Some("-") => {
            let mut v = Vec::new();
            std::io::stdin()
                .read_to_end(&mut v)
                .map_err(|e| CliError::Other(format!("read stdin: {e}")))?;
            Ok(v)
        }
        Some(f) => std::fs::read(f).map_err(|e| CliError::Other(format!("read {f}: {e}"))),
    }
}

/// Turns the input into bytes: hex text, or binary.
pub fn input_bytes(raw_input: Vec<u8>, raw: bool, must_be_hex: bool) -> Result<Vec<u8>, CliError> {
    if raw {
        return Ok(raw_input);
    }
    if !hexinput::is_text(&raw_input) {
        if must_be_hex {
            return Err(CliError::Other(
                "--hex: the input is binary, not hex text".into(),
            ));
        }
        return Ok(raw_input);
    }
    let text = String::from_utf8_lossy(&raw_input);
    match hexinput::parse(&text) {
        Ok(b) => Ok(b),
        Err(e) if must_be_hex => Err(CliError::Other(format!("not hex: {e}"))),
        Err(e) => {
            eprintln!(
                "nlkit: note: the input is text but not hex ({e}); decoding it as raw binary (--hex to insist)"
            );
            Ok(raw_input)
        }
    }
}

/// Runs `nlkit decode`.
pub fn run(g: &Global, a: Args) -> Result<(), CliError> {
    let input = read_input(&a)?;
    let bytes = input_bytes(input, a.raw, a.hex || a.data.is_some())?;
    if bytes.is_empty() {
        return Err(CliError::Other("no bytes to decode".into()));
    }
    let decoded = decoder(a.proto, &a.family)?.decode(&bytes);
    let mut out = Out::new(g);
    if out.json {
        out.json_value(&json::to_value(json::J(&decoded))?)?;
    } else {
        for l in render::decoded_lines(&decoded) {
            out.line(l)?;
        }
    }
    out.flush()?;
    match decoded.first_problem() {
        Some(p) => Err(CliError::Other(format!("malformed input: {p}"))),
        None => Ok(()),
    }
}
