//! `nlkit genl`: generic netlink families, and the `nltest` family of
//! nlkit's kernel module.
//!
//! ```text
//! nlkit genl [list]                  every family: id, version, ops, groups
//! nlkit genl show NAME               one family
//! nlkit genl nltest echo TEXT        the module echoes TEXT
//! nlkit genl nltest notify [TEXT]    the module multicasts to group "events"
//! nlkit genl nltest listen [COUNT]   print "events" notifications
//! nlkit genl nltest dump [COUNT]     a multipart dump of COUNT entries
//! nlkit genl nltest require [NAME]   fails without NAME: shows the extended ACK
//! nlkit genl nltest bump | admin
//! ```
//!
//! JSON (`-j`): `list`/`show` print an array of
//! `{"id","name","version","hdrsize","maxattr","ops":[{"id","flags":[..]}],"groups":[{"name","id"}]}`.

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::genl::{self, nltest, op_flags, Family, GenlMsg};
use nlkit::socket::netns::Netns;
use nlkit::{Connection, Protocol};
use serde_json::json;

fn connect(g: &Global) -> Result<Connection, CliError> {
    let sock = match &g.netns {
        Some(n) => Netns::Named(n).open(Protocol::GENERIC),
        None => nlkit::socket::Socket::open(Protocol::GENERIC),
    }
    .map_err(|e| nlkit::Error::io("open generic netlink socket", e))?;
    Ok(Connection::with_socket(sock)?)
}

fn family_json(f: &Family) -> serde_json::Value {
    json!({
        "id": f.id,
        "name": f.name,
        "version": f.version,
        "hdrsize": f.hdrsize,
        "maxattr": f.maxattr,
        "ops": f.ops.iter().map(|o| json!({"id": o.id, "flags": op_flags::names(o.flags)})).collect::<Vec<_>>(),
        "groups": f.groups.iter().map(|g| json!({"name": g.name, "id": g.id})).collect::<Vec<_>>(),
    })
}

fn print_families(out: &mut Out, fams: &[Family], details: bool) -> Result<(), CliError> {
    if out.json {
        return out.json_value(&serde_json::Value::Array(
            fams.iter().map(family_json).collect(),
        ));
    }
    for f in fams {
        out.line(format_args!(
            "{:<20} id {:#06x} version {} hdrsize {} maxattr {}",
            f.name, f.id, f.version, f.hdrsize, f.maxattr
        ))?;
        if !f.ops.is_empty() && details {
            let ops: Vec<String> = f
                .ops
                .iter()
                .map(|o| format!("{}({})", o.id, op_flags::names(o.flags).join(",")))
                .collect();
            out.line(format_args!("    ops: {}", ops.join(" ")))?;
        }
        if !f.ops.is_empty() && !details {
            out.line(format_args!("    {} ops (-d to list them)", f.ops.len()))?;
        }
        if !f.groups.is_empty() {
            let groups: Vec<String> = f
                .groups
                .iter()
                .map(|g| format!("{}={}", g.name, g.id))
                .collect();
            out.line(format_args!("    groups: {}", groups.join(" ")))?;
        }
    }
    Ok(())
}

fn text(bytes: &[u8]) -> String {
    let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    match std::str::from_utf8(trimmed) {
        Ok(s) if !s.chars().any(|c| c.is_control()) => s.to_string(),
        _ => bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn count_arg(w: Option<&String>, what: &str) -> Result<Option<u32>, CliError> {
    w.map(|s| {
        s.parse::<u32>()
            .map_err(|_| CliError::usage(format!("{what}: {s:?} is not a number")))
    })
    .transpose()
}

/// Runs `nlkit genl ...`.
pub fn run(g: &Global, words: &[String]) -> Result<(), CliError> {
    let mut out = Out::new(g);
    let w: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
    match w.as_slice() {
        [] | ["list"] | ["show"] | ["ls"] => {
            let conn = connect(g)?;
            let fams = genl::families(&conn)?;
            print_families(&mut out, &fams, g.details)
        }
        ["show" | "get", name] => {
            let conn = connect(g)?;
            let f = genl::resolve(&conn, name)?;
            print_families(&mut out, std::slice::from_ref(&f), true)
        }
        ["nltest", rest @ ..] => nltest_cmd(g, &mut out, rest, &words[1..]),
        _ => Err(CliError::usage(format!(
            "genl: unknown command {:?}; try list, show NAME, nltest ...",
            words.join(" ")
        ))),
    }
}

fn nltest_cmd(g: &Global, out: &mut Out, w: &[&str], words: &[String]) -> Result<(), CliError> {
    let conn = connect(g)?;
    let client = nltest::Client::new(&conn)?;
    match w {
        ["echo", rest @ ..] => {
            let payload = rest.join(" ");
            let back = client.echo(payload.as_bytes())?;
            if out.json {
                out.json_value(&json!({"payload": text(&back), "len": back.len()}))
            } else {
                out.line(format_args!("Received message payload: {}", text(&back)))
            }
        }
        ["notify", rest @ ..] => {
            let payload = rest.join(" ");
            client.notify((!rest.is_empty()).then_some(payload.as_bytes()))?;
            Ok(())
        }
        ["dump", ..] => {
            let count = count_arg(words.get(1), "dump count")?;
            let mut n = 0u32;
            let mut err = None;
            let interrupted = client.dump(count, |idx, gen| {
                n += 1;
                if err.is_none() {
                    let r = if out.json {
                        out.json_value(&json!({"index": idx, "generation": gen}))
                    } else {
                        out.line(format_args!("index {idx} generation {gen}"))
                    };
                    err = r.err();
                }
            })?;
            if let Some(e) = err {
                return Err(e);
            }
            if interrupted {
                eprintln!("nlkit: warning: dump interrupted (NLM_F_DUMP_INTR): the entries may be inconsistent");
            }
            Ok(())
        }
        ["require", rest @ ..] => {
            let name = client.require(rest.first().copied())?;
            out.line(name)
        }
        ["bump"] => Ok(client.bump()?),
        ["admin"] => Ok(client.admin()?),
        ["listen", ..] => {
            let count = count_arg(words.get(1), "listen count")?;
            let sock = match &g.netns {
                Some(n) => Netns::Named(n).open(Protocol::GENERIC),
                None => nlkit::socket::Socket::open(Protocol::GENERIC),
            }
            .map_err(|e| nlkit::Error::io("open generic netlink socket", e))?;
            client.join_events(&sock)?;
            let mut buf = Vec::new();
            let mut seen = 0u32;
            while count.is_none_or(|c| seen < c) {
                sock.recv(&mut buf).map_err(|e| nlkit::Error::io("receive nltest events", e))?;
                for m in nlkit::wire::MsgIter::new(&buf) {
                    let (_, m) = m.map_err(|e| nlkit::Error::Malformed { what: "nltest event".into(), source: e })?;
                    let gm = GenlMsg::parse(&m).map_err(|e| nlkit::Error::Malformed { what: "nltest event".into(), source: e })?;
                    let payload = gm
                        .attr(nltest::NLTEST_A_PAYLOAD)
                        .map_err(|e| nlkit::Error::Malformed { what: "nltest event".into(), source: e })?
                        .map(|a| a.payload())
                        .unwrap_or(&[]);
                    if out.json {
                        out.json_value(&json!({"cmd": gm.header.cmd, "payload": text(payload)}))?;
                    } else {
                        out.line(format_args!("Received message payload: {}", text(payload)))?;
                    }
                    out.flush()?;
                    seen += 1;
                }
            }
            Ok(())
        }
        _ => Err(CliError::usage(format!(
            "genl nltest: unknown command {:?}; try echo, notify, listen, dump, require, bump, admin",
            words.join(" ")
        ))),
    }
}
