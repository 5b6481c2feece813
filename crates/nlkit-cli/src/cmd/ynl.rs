//! `nlkit ynl`: the kernel's YAML netlink specs, found on the machine and
//! read at run time.
//!
//! `--list-families` lists every spec found (name, protocol, where);
//! `--family NAME | --spec FILE` with `--list-ops` lists the operations and
//! `--list-attrs OP` the attributes of an operation's messages. `-j` for
//! JSON (keys in [`JSON_KEYS`]), `-d` shows the spec's warnings.
//!
//! Talking to the family: `--do OP [--json '{..}']` prints the reply object
//! (nothing for a bare ACK), `--dump OP [--json ..]` a JSON array written
//! as the messages arrive, `--subscribe GROUP [-c COUNT]` one
//! `{"name": OP, "msg": {..}}` per line. The library (`nlkit::ynl`) checks
//! the request against the spec and writes the JSON; this module only moves
//! it to stdout.

use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::ynl::spec::{AttrType, Attribute, Family, Member, Operation, SubOp};
use nlkit::ynl::{self, Found, SearchPath, Source};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// The JSON output, documented (shown by `nlkit ynl --help`).
pub const JSON_KEYS: &str = "\
Specs are looked up in $NLKIT_YNL_SPECS, /usr/share/ynl/specs, then
/usr/share/doc/linux-doc-*/Documentation/netlink/specs (newest first).
JSON output (-j, -p to pretty-print):
  --list-families  [{name, file, protocol, source, path, hidden: [paths], error?}]
  --list-ops       [{name, request_value, reply_value, do, dump, notify?, event,
                     mcgrp?, attribute_set?, fixed_header?, flags}]
  --list-attrs OP  {operation, attribute_set?, fixed_header?,
                    do?: {request?, reply?}, dump?: {request?, reply?}, event?, notify?}
                   each message an array of {name, value?, type, header (a member
                   of the fixed header), multi_attr?, nested_attributes?, sub_type?,
                   enum?, enum_as_flags?, struct?, sub_message?, selector?,
                   byte_order?, display_hint?, checks?: {min?, max?, min_len?,
                   max_len?, exact_len?, flags_mask?, unterminated_ok?}}
Keys marked ? are absent when empty.
Talking to the family (output is always JSON with the spec's names):
  --do OP [--json '{..}']    the reply object (nothing for a bare ACK)
  --dump OP [--json '{..}']  an array, one element per message as it arrives
  --subscribe GROUP [-c N]   one {\"name\": OP, \"msg\": {..}} per line
  A message: fixed-header fields, then attributes: numbers, enum names, arrays of
  flag names, strings, addresses, objects (nests, structs), arrays (multi-attr,
  indexed arrays), hex (bytes); unknown attributes as \"<type>\": \"<hex>\",
  values that do not fit as {raw, note}.";

/// Arguments of `nlkit ynl`.
#[derive(clap::Args, Debug)]
#[command(after_help = JSON_KEYS)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["list_families", "list_ops", "list_attrs", "do_", "dump", "subscribe"])))]
pub struct Args {
    /// The family, its spec looked up by name (`ethtool`, `rt-link`).
    #[arg(long, value_name = "NAME", conflicts_with = "spec")]
    pub family: Option<String>,
    /// The spec file (`.yaml` or `.yaml.gz`).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// List every spec found: name, protocol, where.
    #[arg(long)]
    pub list_families: bool,
    /// List the family's operations.
    #[arg(long)]
    pub list_ops: bool,
    /// List the request and reply attributes of operation OP.
    #[arg(long, value_name = "OP")]
    pub list_attrs: Option<String>,
    /// Send a `do` request of operation OP; print the reply object (nothing for a bare ACK).
    #[arg(long = "do", value_name = "OP")]
    pub do_: Option<String>,
    /// Dump operation OP; print a JSON array, each message as it arrives.
    #[arg(long, value_name = "OP")]
    pub dump: Option<String>,
    /// The request (`--json '{"header": {"dev-name": "v0"}}'`), with the spec's names.
    #[arg(long = "request-json", value_name = "JSON")]
    pub request_json: Option<String>,
    /// Print the notifications of multicast group GROUP, one object per line.
    #[arg(long, value_name = "GROUP")]
    pub subscribe: Option<String>,
    /// With --subscribe: stop after COUNT notifications.
    #[arg(short = 'c', long, value_name = "COUNT")]
    pub count: Option<u64>,
    /// Add NLM_F_CREATE to the request (netlink-raw `new` operations).
    #[arg(long)]
    pub create: bool,
    /// Add NLM_F_EXCL.
    #[arg(long)]
    pub excl: bool,
    /// Add NLM_F_REPLACE.
    #[arg(long)]
    pub replace: bool,
    /// Add NLM_F_APPEND.
    #[arg(long)]
    pub append: bool,
}

/// Runs `nlkit ynl`.
pub fn run(g: &Global, a: Args) -> Result<(), CliError> {
    let mut out = Out::new(g);
    if a.list_families {
        return list_families(g, &mut out, &a);
    }
    let fam = open(g, &a)?;
    if a.do_.is_some() || a.dump.is_some() || a.subscribe.is_some() {
        let schema = ynl::Schema::new(fam);
        return match g.netns.as_deref() {
            Some(n) => nlkit::socket::netns::Netns::Named(n)
                .run(|| Ok(talk(g, &a, &schema)))
                .map_err(|e| CliError::Other(format!("ynl: enter netns {n:?}: {e}")))?,
            None => talk(g, &a, &schema),
        };
    }
    if a.list_ops {
        list_ops(&mut out, &fam)
    } else if let Some(op) = &a.list_attrs {
        list_attrs(&mut out, &fam, op)
    } else {
        Err(CliError::usage("ynl: nothing to do"))
    }
}

/// The JSON of one message, compact or (with `-p`) pretty.
struct Emit {
    pretty: bool,
    buf: Vec<u8>,
}

impl Emit {
    /// Writes what `f` wrote into the buffer to `w`, pretty-printed with `-p`.
    fn put(
        &mut self,
        w: &mut dyn Write,
        f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if !self.pretty {
            return f(w);
        }
        self.buf.clear();
        f(&mut self.buf)?;
        let v: Value = serde_json::from_slice(&self.buf).map_err(std::io::Error::from)?;
        serde_json::to_writer_pretty(&mut *w, &v).map_err(std::io::Error::from)
    }
}

/// Runs `--do`, `--dump` or `--subscribe`.
fn talk(g: &Global, a: &Args, schema: &ynl::Schema) -> Result<(), CliError> {
    let req_json: Value = match &a.request_json {
        Some(t) => serde_json::from_str(t)
            .map_err(|e| CliError::usage(format!("ynl: --json: not JSON: {e}")))?,
        None => Value::Null,
    };
    let (op, mode) = match (&a.do_, &a.dump) {
        (Some(op), _) => (Some(op.as_str()), ynl::Mode::Do),
        (None, Some(op)) => (Some(op.as_str()), ynl::Mode::Dump),
        _ => (None, ynl::Mode::Do),
    };
    // Checked against the spec before anything is opened or sent.
    let req = match op {
        Some(op) => {
            let mut r = schema
                .request(op, mode, &req_json)
                .map_err(|e| CliError::usage(format!("ynl: {e}")))?;
            use nlkit::wire::MsgFlags;
            for (on, f) in [
                (a.create, MsgFlags::CREATE),
                (a.excl, MsgFlags::EXCL),
                (a.replace, MsgFlags::REPLACE),
                (a.append, MsgFlags::APPEND),
            ] {
                if on {
                    r.flags |= f;
                }
            }
            Some(r)
        }
        None => None,
    };
    let client = ynl::Client::open(schema)?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut emit = Emit {
        pretty: g.pretty,
        buf: Vec::new(),
    };
    let op_def = op.and_then(|o| schema.op(o));
    match (req, &a.subscribe) {
        (Some(req), _) if mode == ynl::Mode::Do => {
            client.request(&req, &mut |m| {
                emit.put(&mut w, |b| schema.reply_to(&m, op_def, b))?;
                w.write_all(b"\n")?;
                Ok(())
            })?;
        }
        (Some(req), _) => {
            w.write_all(b"[")?;
            let mut n = 0u64;
            let r = client.dump_request(&req, &mut |m| {
                if n > 0 {
                    w.write_all(b",")?;
                }
                if g.pretty {
                    w.write_all(b"\n")?;
                }
                n += 1;
                emit.put(&mut w, |b| schema.reply_to(&m, op_def, b))?;
                Ok(())
            });
            // Close the array even when the dump fails half-way: what was
            // printed stays valid JSON.
            w.write_all(if g.pretty && n > 0 { b"\n]\n" } else { b"]\n" })?;
            if r? {
                eprintln!("nlkit: warning: the dump was interrupted (NLM_F_DUMP_INTR): it may be inconsistent");
            }
        }
        (None, Some(group)) => {
            let mut sub = client.subscribe(group)?;
            let mut left = a.count;
            while left != Some(0) {
                let r = sub.next(&mut |m| {
                    if left == Some(0) {
                        return Ok(());
                    }
                    emit.put(&mut w, |b| schema.notification_to(&m, b))?;
                    w.write_all(b"\n")?;
                    left = left.map(|l| l - 1);
                    Ok(())
                });
                match r {
                    Err(e) if e.is_overrun() => {
                        eprintln!("nlkit: warning: {e}");
                    }
                    r => {
                        r?;
                    }
                }
                w.flush()?;
            }
        }
        (None, None) => return Err(CliError::usage("ynl: nothing to do")),
    }
    w.flush()?;
    Ok(())
}

/// Prints the spec's warnings with `-d`, or says how many there are.
fn warnings(g: &Global, fam: &Family) {
    if fam.warnings.is_empty() {
        return;
    }
    if g.details {
        for w in &fam.warnings {
            eprintln!("nlkit: warning: {w}");
        }
    } else {
        let file = &fam.warnings[0].file;
        eprintln!(
            "nlkit: {} warning(s) in {file} (-d shows them)",
            fam.warnings.len()
        );
    }
}

fn spec_err(e: ynl::SpecError) -> CliError {
    CliError::Other(e.to_string())
}

fn open(g: &Global, a: &Args) -> Result<Family, CliError> {
    let fam = match (&a.spec, &a.family) {
        (Some(f), _) => ynl::load(f).map_err(spec_err)?,
        (None, Some(name)) => {
            let path = SearchPath::from_env();
            match path.find(name) {
                Some(f) => f.load().map_err(spec_err)?,
                None => {
                    let dirs: Vec<String> = path
                        .dirs
                        .iter()
                        .map(|d| d.path.display().to_string())
                        .collect();
                    return Err(CliError::Other(format!(
                        "ynl: no spec for family \"{name}\" in {}",
                        dirs.join(", ")
                    )));
                }
            }
        }
        (None, None) => {
            return Err(CliError::usage(
                "ynl: --family NAME or --spec FILE is needed",
            ))
        }
    };
    warnings(g, &fam);
    Ok(fam)
}

fn list_families(g: &Global, out: &mut Out, a: &Args) -> Result<(), CliError> {
    let mut found = SearchPath::from_env().list();
    if let Some(f) = &a.spec {
        let stem = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let me = Found {
            stem,
            path: f.clone(),
            source: Source::File,
        };
        found.insert(0, (me, Vec::new()));
    }
    let mut rows = Vec::new();
    for (f, hidden) in &found {
        let mut row = Map::new();
        match f.load() {
            Ok(fam) => {
                if g.details {
                    warnings(g, &fam);
                }
                row.insert("name".into(), json!(fam.name));
                row.insert("protocol".into(), json!(fam.level.name()));
            }
            Err(e) => {
                row.insert("name".into(), json!(f.stem));
                row.insert("protocol".into(), Value::Null);
                row.insert("error".into(), json!(e.to_string()));
            }
        }
        row.insert("file".into(), json!(f.stem));
        row.insert("source".into(), json!(f.source.to_string()));
        row.insert("path".into(), json!(f.path.display().to_string()));
        let hidden: Vec<String> = hidden
            .iter()
            .map(|h| h.path.display().to_string())
            .collect();
        row.insert("hidden".into(), json!(hidden));
        rows.push(Value::Object(row));
    }
    if out.json {
        return out.json_value(&Value::Array(rows));
    }
    if rows.is_empty() {
        return out.line("no specs found (install linux-doc-6.12, or set NLKIT_YNL_SPECS)");
    }
    for r in &rows {
        let s = |k: &str| r[k].as_str().unwrap_or("-").to_string();
        let mut line = format!(
            "{:<16} {:<17} {:<16} {}",
            s("name"),
            s("protocol"),
            s("source"),
            s("path")
        );
        if let Some(e) = r.get("error").and_then(Value::as_str) {
            line.push_str(&format!("\n  error: {e}"));
        }
        out.line(line)?;
    }
    Ok(())
}

/// `do,dump`, `notify(get)`, `event`.
fn kinds(op: &Operation) -> String {
    let mut k = Vec::new();
    if op.do_.is_some() {
        k.push("do".to_string());
    }
    if op.dump.is_some() {
        k.push("dump".to_string());
    }
    if let Some(n) = &op.notify {
        k.push(format!("notify({n})"));
    }
    if op.event.is_some() {
        k.push("event".to_string());
    }
    k.join(",")
}

/// `16`, or `18/16` when request and reply ids differ (`-` for none).
fn ids(op: &Operation) -> String {
    let v = |x: Option<u16>| x.map_or("-".to_string(), |v| v.to_string());
    if op.request_value == op.reply_value {
        v(op.request_value)
    } else {
        format!("{}/{}", v(op.request_value), v(op.reply_value))
    }
}

fn list_ops(out: &mut Out, fam: &Family) -> Result<(), CliError> {
    if out.json {
        let ops: Vec<Value> = fam
            .operations
            .list
            .iter()
            .map(|op| {
                let mut m = Map::new();
                m.insert("name".into(), json!(op.name));
                m.insert("request_value".into(), json!(op.request_value));
                m.insert("reply_value".into(), json!(op.reply_value));
                m.insert("do".into(), json!(op.do_.is_some()));
                m.insert("dump".into(), json!(op.dump.is_some()));
                opt(&mut m, "notify", op.notify.as_deref());
                m.insert("event".into(), json!(op.event.is_some()));
                opt(&mut m, "mcgrp", op.mcgrp.as_deref());
                opt(&mut m, "attribute_set", op.attribute_set.as_deref());
                opt(&mut m, "fixed_header", op.fixed_header.as_deref());
                m.insert("flags".into(), json!(op.flags));
                Value::Object(m)
            })
            .collect();
        return out.json_value(&Value::Array(ops));
    }
    out.line(format_args!(
        "{:<24} {:<9} {:<16} ATTRIBUTE-SET",
        "OPERATION", "VALUE", "KINDS"
    ))?;
    for op in &fam.operations.list {
        out.line(format_args!(
            "{:<24} {:<9} {:<16} {}",
            op.name,
            ids(op),
            kinds(op),
            op.attribute_set.as_deref().unwrap_or("-")
        ))?;
    }
    Ok(())
}

fn opt(m: &mut Map<String, Value>, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        m.insert(k.into(), json!(v));
    }
}

/// One attribute named by a message: of the operation's set, or a member of
/// its fixed header.
enum Named<'a> {
    Attr(&'a Attribute),
    Member(&'a Member),
    Unknown,
}

fn lookup<'a>(fam: &'a Family, op: &Operation, name: &str) -> Named<'a> {
    let header = op.fixed_header.as_deref().and_then(|h| fam.struct_def(h));
    if let Some(m) = header.and_then(|h| h.members.iter().find(|m| m.name == name)) {
        return Named::Member(m);
    }
    let set = op
        .attribute_set
        .as_deref()
        .and_then(|s| fam.attribute_set(s));
    match set.and_then(|s| s.attr(name)) {
        Some(a) => Named::Attr(a),
        None => Named::Unknown,
    }
}

/// An attribute as text: `u32 enum(state)`, `nest(link-attrs) multi-attr`...
fn attr_text(a: &Attribute) -> String {
    let mut t = a.ty.name().to_string();
    match (a.ty, &a.nested_attributes, a.sub_type) {
        (AttrType::IndexedArray, n, Some(st)) => {
            t = match n {
                Some(n) => format!("indexed-array({st} {n})"),
                None => format!("indexed-array({st})"),
            };
        }
        (_, Some(n), _) => t = format!("{t}({n})"),
        (_, None, Some(st)) => t = format!("{t}({st}[])"),
        _ => {}
    }
    if let Some(s) = &a.struct_def {
        t.push_str(&format!(" struct {s}"));
    }
    if let (Some(s), Some(sel)) = (&a.sub_message, &a.selector) {
        t = format!("sub-message({s} by {sel})");
    }
    if let Some(e) = &a.enum_def {
        let kind = if a.enum_as_flags { "flags" } else { "enum" };
        t.push_str(&format!(" {kind}({e})"));
    }
    if let Some(b) = a.byte_order {
        t.push_str(&format!(" {b}"));
    }
    if let Some(h) = a.display_hint {
        t.push_str(&format!(" ({h})"));
    }
    if a.multi_attr {
        t.push_str(" multi-attr");
    }
    for (k, v) in a.checks.entries() {
        t.push_str(&format!(" {k} {v}"));
    }
    t
}

fn attr_json(a: &Attribute) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(a.name));
    m.insert("value".into(), json!(a.value));
    m.insert("type".into(), json!(a.ty.name()));
    m.insert("header".into(), json!(false));
    if a.multi_attr {
        m.insert("multi_attr".into(), json!(true));
    }
    opt(&mut m, "nested_attributes", a.nested_attributes.as_deref());
    opt(&mut m, "sub_type", a.sub_type.map(AttrType::name));
    opt(&mut m, "enum", a.enum_def.as_deref());
    if a.enum_as_flags {
        m.insert("enum_as_flags".into(), json!(true));
    }
    opt(&mut m, "struct", a.struct_def.as_deref());
    opt(&mut m, "sub_message", a.sub_message.as_deref());
    opt(&mut m, "selector", a.selector.as_deref());
    opt(&mut m, "byte_order", a.byte_order.map(|b| b.name()));
    opt(&mut m, "display_hint", a.display_hint.map(|h| h.name()));
    if !a.checks.is_empty() {
        let mut cm = Map::new();
        for (k, v) in a.checks.entries() {
            let v = if k == "unterminated-ok" {
                json!(true)
            } else {
                json!(v)
            };
            cm.insert(k.replace('-', "_"), v);
        }
        m.insert("checks".into(), Value::Object(cm));
    }
    Value::Object(m)
}

fn member_json(mb: &Member) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(mb.name));
    m.insert("type".into(), json!(mb.ty.name()));
    m.insert("header".into(), json!(true));
    opt(&mut m, "enum", mb.enum_def.as_deref());
    opt(&mut m, "struct", mb.struct_def.as_deref());
    opt(&mut m, "byte_order", mb.byte_order.map(|b| b.name()));
    opt(&mut m, "display_hint", mb.display_hint.map(|h| h.name()));
    Value::Object(m)
}

/// The messages of an operation, labelled (`do request`...).
fn messages<'a>(fam: &'a Family, op: &'a Operation) -> Vec<(String, &'a [String])> {
    let mut v: Vec<(String, &[String])> = Vec::new();
    let mut sub = |label: &str, s: &'a Option<SubOp>| {
        if let Some(s) = s {
            if let Some(r) = &s.request {
                v.push((format!("{label} request"), &r.attributes));
            }
            if let Some(r) = &s.reply {
                v.push((format!("{label} reply"), &r.attributes));
            }
        }
    };
    sub("do", &op.do_);
    sub("dump", &op.dump);
    if let Some(e) = &op.event {
        v.push(("event".to_string(), &e.attributes));
    }
    // A notification carries the replies of the operation it names.
    if let Some(t) = op.notify.as_deref().and_then(|n| fam.operation(n)) {
        let reply = t
            .do_
            .as_ref()
            .and_then(|s| s.reply.as_ref())
            .or_else(|| t.dump.as_ref().and_then(|s| s.reply.as_ref()));
        if let Some(r) = reply {
            v.push((format!("notify ({} reply)", t.name), &r.attributes));
        }
    }
    v
}

fn list_attrs(out: &mut Out, fam: &Family, name: &str) -> Result<(), CliError> {
    let Some(op) = fam.operation(name) else {
        let names: Vec<&str> = fam
            .operations
            .list
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        return Err(CliError::Other(format!(
            "ynl: family \"{}\" has no operation \"{name}\" (it has: {})",
            fam.name,
            names.join(", ")
        )));
    };
    let msgs = messages(fam, op);
    if out.json {
        let mut m = Map::new();
        m.insert("operation".into(), json!(op.name));
        opt(&mut m, "attribute_set", op.attribute_set.as_deref());
        opt(&mut m, "fixed_header", op.fixed_header.as_deref());
        for (label, attrs) in &msgs {
            let list: Vec<Value> = attrs
                .iter()
                .map(|n| match lookup(fam, op, n) {
                    Named::Attr(a) => attr_json(a),
                    Named::Member(mb) => member_json(mb),
                    Named::Unknown => json!({"name": n, "type": null, "header": false}),
                })
                .collect();
            let path: Vec<&str> = label.split(' ').collect();
            match path.as_slice() {
                [k, dir] if *k == "do" || *k == "dump" => {
                    let e = m.entry(k.to_string()).or_insert_with(|| json!({}));
                    e[*dir] = Value::Array(list);
                }
                ["event"] => {
                    m.insert("event".into(), Value::Array(list));
                }
                _ => {
                    m.insert("notify".into(), Value::Array(list));
                }
            }
        }
        return out.json_value(&Value::Object(m));
    }
    let mut head = format!("{} ({})", op.name, kinds(op));
    if let Some(s) = &op.attribute_set {
        head.push_str(&format!(", attribute-set {s}"));
    }
    if let Some(h) = &op.fixed_header {
        head.push_str(&format!(", fixed header {h}"));
    }
    out.line(head)?;
    for (label, attrs) in &msgs {
        out.line(format_args!("  {label}:"))?;
        if attrs.is_empty() {
            out.line("    (no attributes)")?;
        }
        for n in attrs.iter() {
            let (value, text) = match lookup(fam, op, n) {
                Named::Attr(a) => (a.value.to_string(), attr_text(a)),
                Named::Member(mb) => ("hdr".to_string(), format!("{} (fixed header)", mb.ty)),
                Named::Unknown => ("?".to_string(), "not in the attribute set".to_string()),
            };
            out.line(format_args!("    {n:<28} {value:>5}  {text}"))?;
        }
    }
    Ok(())
}
