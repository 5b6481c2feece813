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
//! nlkit genl policy [name] NAME [op OP]   what the family accepts (CTRL_CMD_GETPOLICY),
//! nlkit genl policy id ID [op OP]         printed as `genl ctrl policy` prints it
//! nlkit genl ctrl policy name NAME        the same, in iproute2's words
//! ```
//!
//! JSON (`-j`): `list`/`show` print an array of
//! `{"id","name","version","hdrsize","maxattr","ops":[{"id","flags":[..]}],"groups":[{"name","id"}]}`;
//! `policy` prints one object (see `docs/json.md`).

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::genl::policy::{self, AttrPolicy, FamilyRef, OpPolicy, PolicyMsg};
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
        ["policy", rest @ ..] | ["ctrl", "policy", rest @ ..] => policy_cmd(g, &mut out, rest),
        _ => Err(CliError::usage(format!(
            "genl: unknown command {:?}; try list, show NAME, policy NAME [op OP], nltest ...",
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

fn parse_num(s: &str, what: &str) -> Result<u32, CliError> {
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse::<u32>(),
    };
    v.map_err(|_| CliError::usage(format!("genl policy: {what} {s:?} is not a number")))
}

/// `policy [name] NAME | id ID [op OP]`.
fn policy_args<'a>(w: &[&'a str]) -> Result<(FamilyRef<'a>, Option<u32>), CliError> {
    let usage = || {
        CliError::usage(format!(
            "genl policy: expected [name] NAME | id ID, then optionally op OP; got {:?}",
            w.join(" ")
        ))
    };
    let (family, rest) = match w {
        ["name", n, rest @ ..] => (FamilyRef::Name(n), rest),
        ["id", i, rest @ ..] => {
            let id = parse_num(i, "id")?;
            let id = u16::try_from(id)
                .map_err(|_| CliError::usage(format!("genl policy: id {i} is above 65535")))?;
            (FamilyRef::Id(id), rest)
        }
        [n, rest @ ..] if !matches!(*n, "op" | "name" | "id") => (FamilyRef::Name(n), rest),
        _ => return Err(usage()),
    };
    let op = match rest {
        [] => None,
        ["op", o] => Some(parse_num(o, "op")?),
        _ => return Err(usage()),
    };
    Ok((family, op))
}

fn policy_cmd(g: &Global, out: &mut Out, w: &[&str]) -> Result<(), CliError> {
    let (family, op) = policy_args(w)?;
    let conn = connect(g)?;
    if out.json {
        let p = policy::policy(&conn, family, op)?;
        return out.json_value(&policy_json(&p));
    }
    let details = g.details;
    let mut line = String::new();
    let mut failed = None;
    policy::dump(&conn, family, op, |m| {
        line.clear();
        policy_line(&m, details, &mut line);
        if failed.is_none() {
            failed = out.line(&line).err();
        }
        Ok(())
    })?;
    failed.map_or(Ok(()), Err)
}

/// One message as `genl ctrl policy` prints it (its line, without the newline).
/// With `details`, the limits iproute2 leaves out are added (masks, limits
/// this nlkit does not know, as hex).
fn policy_line(m: &PolicyMsg, details: bool, s: &mut String) {
    use std::fmt::Write as _;
    if let Some(id) = m.family_id {
        let _ = write!(s, "\tID: {id:#x} ");
    }
    for o in &m.ops {
        let _ = write!(s, " op {} policies:", o.op);
        if let Some(d) = o.do_policy {
            let _ = write!(s, " do={d}");
        }
        if let Some(d) = o.dump_policy {
            let _ = write!(s, " dump={d}");
        }
    }
    for a in &m.attrs {
        let _ = write!(s, " policy[{}]:", a.policy);
        if let Some(k) = a.kind {
            let _ = write!(s, "attr[{}]: type={k}", a.attr);
        }
        if let Some(p) = a.nested_policy {
            let _ = write!(s, " policy:{p}");
        }
        if let Some(p) = a.nested_maxtype {
            let _ = write!(s, " maxattr:{p}");
        }
        if let Some((lo, hi)) = a.range_s {
            let _ = write!(s, " range:[{lo},{hi}]");
        }
        if let Some((lo, hi)) = a.range_u {
            let _ = write!(s, " range:[{lo},{hi}]");
        }
        if let Some(l) = a.min_len {
            let _ = write!(s, " min len:{l}");
        }
        if let Some(l) = a.max_len {
            let _ = write!(s, " max len:{l}");
        }
        if details {
            if let Some(m) = a.mask {
                let _ = write!(s, " mask:{m:#x}");
            }
            if let Some(m) = a.bitfield32_mask {
                let _ = write!(s, " bitfield32 mask:{m:#x}");
            }
            for (k, v) in &a.unknown {
                let _ = write!(s, " limit[{k}]:{}", text(v));
            }
        }
    }
}

fn op_json(o: &OpPolicy) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("op".into(), o.op.into());
    if let Some(d) = o.do_policy {
        v.insert("do".into(), d.into());
    }
    if let Some(d) = o.dump_policy {
        v.insert("dump".into(), d.into());
    }
    v.into()
}

fn attr_json(a: &AttrPolicy) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("attr".into(), a.attr.into());
    v.insert(
        "type".into(),
        a.kind
            .map_or(serde_json::Value::Null, |k| k.to_string().into()),
    );
    if let Some(p) = a.nested_policy {
        v.insert("policy".into(), p.into());
    }
    if let Some(p) = a.nested_maxtype {
        v.insert("maxattr".into(), p.into());
    }
    if let Some((lo, hi)) = a.range_s {
        v.insert("min_value".into(), lo.into());
        v.insert("max_value".into(), hi.into());
    }
    if let Some((lo, hi)) = a.range_u {
        v.insert("min_value".into(), lo.into());
        v.insert("max_value".into(), hi.into());
    }
    if let Some(l) = a.min_len {
        v.insert("min_length".into(), l.into());
    }
    if let Some(l) = a.max_len {
        v.insert("max_length".into(), l.into());
    }
    if let Some(m) = a.mask {
        v.insert("mask".into(), m.into());
    }
    if let Some(m) = a.bitfield32_mask {
        v.insert("bitfield32_mask".into(), m.into());
    }
    if !a.unknown.is_empty() {
        let u: Vec<_> = a
            .unknown
            .iter()
            .map(|(k, p)| json!({"type": k, "hex": text(p)}))
            .collect();
        v.insert("unknown".into(), u.into());
    }
    v.into()
}

/// `{"id", "ops": [{"op","do"?,"dump"?}], "policies": [{"policy", "attrs": [...]}]}`,
/// policies in order of first appearance, attributes in the kernel's order.
fn policy_json(p: &policy::FamilyPolicy) -> serde_json::Value {
    let mut order: Vec<u32> = Vec::new();
    for a in &p.attrs {
        if !order.contains(&a.policy) {
            order.push(a.policy);
        }
    }
    let policies: Vec<_> = order
        .iter()
        .map(|&i| json!({"policy": i, "attrs": p.policy(i).map(attr_json).collect::<Vec<_>>()}))
        .collect();
    json!({
        "id": p.family_id,
        "ops": p.ops.iter().map(op_json).collect::<Vec<_>>(),
        "policies": policies,
    })
}
