//! Broken specs get `file:line: what` errors (never a panic), and the spec
//! search path finds specs in the documented order, plain or gzipped.

use nlkit::ynl::spec::{AttrType, Family};
use nlkit::ynl::{load, SearchPath, Source};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A small valid spec; each broken case changes one thing.
const GOOD: &str = "\
name: demo
protocol: genetlink-legacy
definitions:
  -
    name: mode
    type: enum
    entries: [ off, on ]
  -
    name: hdr
    type: struct
    members:
      -
        name: a
        type: u16
      -
        name: b
        type: binary
        len: 6
attribute-sets:
  -
    name: main
    attributes:
      -
        name: id
        type: u32
      -
        name: mode
        type: u8
        enum: mode
      -
        name: inner
        type: nest
        nested-attributes: inner
      -
        name: addr
        type: binary
        struct: hdr
        value: 10
      -
        name: next
        type: string
  -
    name: inner
    attributes:
      -
        name: x
        type: u64
  -
    name: part
    subset-of: main
    attributes:
      -
        name: id
      -
        name: next
        type: binary
operations:
  list:
    -
      name: get
      attribute-set: main
      do:
        request:
          attributes: [ id ]
        reply:
          attributes: [ id, mode, inner ]
      dump:
        reply:
          attributes: [ id ]
    -
      name: ntf
      notify: get
      mcgrp: events
mcast-groups:
  list:
    -
      name: events
";

fn parse(text: &str) -> Result<Family, String> {
    Family::parse("demo.yaml", text).map_err(|e| e.to_string())
}

/// `GOOD` with `from` replaced by `to` (which must occur once).
fn broken(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "{from:?}");
    GOOD.replace(from, to)
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_good_spec_parses_with_numbers_and_subsets_resolved() {
    let f = parse(GOOD).unwrap();
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    let main = f.attribute_set("main").unwrap();
    let v: Vec<(&str, u16)> = main
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.value))
        .collect();
    assert_eq!(
        v,
        [
            ("id", 1),
            ("mode", 2),
            ("inner", 3),
            ("addr", 10),
            ("next", 11)
        ]
    );
    let part = f.attribute_set("part").unwrap();
    assert_eq!(part.attributes.len(), 2);
    assert_eq!(
        (part.attributes[0].value, part.attributes[0].ty),
        (1, AttrType::U32)
    );
    // The subset overrides the type, keeps the number.
    assert_eq!(
        (part.attributes[1].value, part.attributes[1].ty),
        (11, AttrType::Binary)
    );
    assert_eq!(f.struct_def("hdr").unwrap().size, 8);
    let get = f.operation("get").unwrap();
    assert_eq!((get.request_value, get.reply_value), (Some(1), Some(1)));
    let ntf = f.operation("ntf").unwrap();
    assert_eq!((ntf.request_value, ntf.reply_value), (Some(2), Some(2)));
    // A notification takes the notified operation's set.
    assert_eq!(ntf.attribute_set.as_deref(), Some("main"));
    assert_eq!(f.protonum, 16);
}

#[test]
fn broken_specs_name_the_file_the_line_and_the_problem() {
    let cases: Vec<(String, &str, &str)> = vec![
        // YAML syntax.
        (broken("    entries: [ off, on ]", "    entries: [ off, on"), "name: hdr", "YAML error"),
        // Unknown attribute type.
        (
            broken("        name: x\n        type: u64", "        name: x\n        type: u65"),
            "type: u65",
            "attribute-set \"inner\" attribute \"x\": unknown type \"u65\"",
        ),
        // Dangling references.
        (
            broken("nested-attributes: inner", "nested-attributes: innr"),
            "nested-attributes: innr",
            "attribute-set \"main\" attribute \"inner\": nested-attributes \"innr\" is not an attribute set",
        ),
        (
            broken("        enum: mode", "        enum: mood"),
            "enum: mood",
            "attribute-set \"main\" attribute \"mode\": enum \"mood\" is not an enum or flags definition",
        ),
        (
            broken("        struct: hdr", "        struct: mode"),
            "struct: mode",
            "attribute-set \"main\" attribute \"addr\": struct \"mode\" is enum, not a struct definition",
        ),
        (
            broken("    subset-of: main", "    subset-of: mian"),
            "subset-of: mian",
            "attribute-set \"part\": subset-of \"mian\" is not an attribute set",
        ),
        (
            broken("      -\n        name: id\n      -\n        name: next\n        type: binary", "      -\n        name: idd"),
            "name: idd",
            "attribute-set \"part\" attribute \"idd\": not in attribute-set \"main\"",
        ),
        (
            broken("      attribute-set: main", "      attribute-set: mains"),
            "attribute-set: mains",
            "operation \"get\": attribute-set \"mains\" is not an attribute set",
        ),
        (
            broken("      notify: get", "      notify: gett"),
            "notify: gett",
            "operation \"ntf\": notify \"gett\" is not an operation",
        ),
        (
            broken("      mcgrp: events", "      mcgrp: event"),
            "mcgrp: event",
            "operation \"ntf\": mcgrp \"event\" is not a multicast group",
        ),
        (
            broken("        len: 6", "        len: hdr-len"),
            "len: hdr-len",
            "definition \"hdr\" member \"b\": len \"hdr-len\" is neither a constant nor a type limit (u32-max...)",
        ),
        // Wrong field types and values.
        (
            broken("        value: 10", "        value: ten"),
            "value: ten",
            "attribute-set \"main\" attribute \"addr\": \"value\" must be an integer, not a string",
        ),
        (
            broken("        value: 10", "        value: 70000"),
            "value: 70000",
            "attribute-set \"main\" attribute \"addr\": \"value\" 70000 is out of range (0 to 65535)",
        ),
        (
            broken("    entries: [ off, on ]", "    entries: off"),
            "entries: off",
            "definition \"mode\": \"entries\" must be a list, not a string",
        ),
        (
            broken("        type: string", "        type: [ string ]"),
            "type: [ string ]",
            "attribute-set \"main\" attribute \"next\": \"type\" must be a string, not a list",
        ),
        // Missing things.
        (
            broken("        name: next\n        type: string", "        name: next"),
            "name: next",
            "attribute-set \"main\" attribute \"next\": \"type\" is missing",
        ),
        (
            broken("        nested-attributes: inner\n", ""),
            "name: inner",
            "attribute-set \"main\" attribute \"inner\": a nest needs \"nested-attributes\"",
        ),
        (
            broken("protocol: genetlink-legacy", "protocol: netlink-raw"),
            "name: demo",
            "family \"demo\": netlink-raw needs \"protonum\"",
        ),
        (
            broken("protocol: genetlink-legacy", "protocol: genetlink-modern"),
            "protocol: genetlink-modern",
            "family \"demo\": unknown protocol \"genetlink-modern\"",
        ),
        // Duplicates.
        (
            broken("        name: x\n", "        name: x\n        type: s8\n      -\n        name: x # again\n"),
            "x # again",
            "attribute-set \"inner\": attribute \"x\" is listed twice",
        ),
        // Attribute lists of operations.
        (
            broken("    -\n      name: ntf\n", "    -\n      name: ev\n      event:\n        attributes: [ id ] # event\n    -\n      name: ntf\n"),
            "# event",
            "operation \"ev\" event: attribute \"id\" but the operation has no attribute-set",
        ),
    ];
    for (text, at, want) in &cases {
        let err = parse(text).expect_err(want);
        let line = line_of(text, at);
        let prefix = format!("demo.yaml:{line}: ");
        assert!(
            err.starts_with(&prefix),
            "{err}\n  wanted prefix {prefix} ({want})"
        );
        assert!(err.contains(want), "{err}\n  wanted {want}");
    }
}

#[test]
fn documents_that_are_not_specs_are_errors() {
    for (text, want) in [
        ("", "demo.yaml:1: no YAML document"),
        (
            "- a\n- b\n",
            "demo.yaml:1: spec must be a mapping, not a list",
        ),
        (
            "name: a\n---\nname: b\n",
            "demo.yaml:3: more than one YAML document",
        ),
        ("doc: x\n", "demo.yaml:1: spec: \"name\" is missing"),
        (
            "name: [x]\n",
            "demo.yaml:1: spec: \"name\" must be a string, not a list",
        ),
        (
            "name: x\nattribute-sets: [ { name: \"a\"\n",
            "demo.yaml:3: YAML error",
        ),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.starts_with(want), "{text:?}: {err}");
    }
}

#[test]
fn unknown_keys_are_kept_as_warnings() {
    let text = broken(
        "        name: x\n",
        "        name: x\n        colour: blue\n",
    );
    let f = parse(&text).unwrap();
    assert_eq!(f.warnings.len(), 1);
    let w = f.warnings[0].to_string();
    let line = line_of(&text, "colour: blue");
    assert_eq!(
        w,
        format!("demo.yaml:{line}: attribute-set \"inner\" attribute \"x\": unknown key \"colour\" ignored")
    );
}

/// A spec from the kernel package, with a dangling reference: the error
/// names the real file's line.
#[test]
fn a_broken_ethtool_spec_names_its_line() {
    let Some(found) = SearchPath::under(Path::new("/"), None).find("ethtool") else {
        panic!("no ethtool spec installed (scripts/test.sh installs linux-doc-6.12)");
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&found.path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let needle = "nested-attributes: bitset-bits";
    let line = line_of(&text, needle);
    let text = text.replacen(needle, "nested-attributes: bitset-bitz", 1);
    let err = Family::parse("ethtool.yaml", &text)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("ethtool.yaml:{line}: attribute-set \"bitset\" attribute \"bits\": nested-attributes \"bitset-bitz\" is not an attribute set")
    );
}

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("nlkit-ynl-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spec_named(name: &str) -> String {
    GOOD.replacen("name: demo", &format!("name: {name}"), 1)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(path).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap();
    } else {
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn specs_are_found_in_order_plain_and_gzipped() {
    let t = TempDir::new("find");
    let root = &t.0;
    let doc = |v: &str| {
        root.join(format!(
            "usr/share/doc/linux-doc-{v}/Documentation/netlink/specs"
        ))
    };
    let env = root.join("mine");
    write(
        &doc("6.9").join("old_only.yaml.gz"),
        &spec_named("old-only"),
    );
    write(&doc("6.9").join("both.yaml.gz"), &spec_named("both-6.9"));
    write(&doc("6.12").join("both.yaml.gz"), &spec_named("both-6.12"));
    write(&doc("6.12").join("notes.rst.gz"), "not a spec");
    write(
        &root.join("usr/share/ynl/specs/inst.yaml"),
        &spec_named("inst"),
    );
    write(&doc("6.12").join("inst.yaml.gz"), &spec_named("inst-doc"));
    write(&env.join("rt_thing.yaml"), &spec_named("rt-thing"));
    write(
        &doc("6.12").join("rt_thing.yaml.gz"),
        &spec_named("rt-thing-doc"),
    );

    let path = SearchPath::under(root, Some(env.as_os_str()));
    let sources: Vec<&Source> = path.dirs.iter().map(|d| &d.source).collect();
    assert_eq!(
        sources,
        [
            &Source::Env,
            &Source::Installed,
            &Source::LinuxDoc("6.12".into()),
            &Source::LinuxDoc("6.9".into())
        ]
    );
    let name_of = |fam: &str| path.find(fam).map(|f| (f.load().unwrap().name, f.source));
    // Newest linux-doc first.
    assert_eq!(
        name_of("both"),
        Some(("both-6.12".into(), Source::LinuxDoc("6.12".into())))
    );
    assert_eq!(
        name_of("old_only"),
        Some(("old-only".into(), Source::LinuxDoc("6.9".into())))
    );
    // -/_ are the same; $NLKIT_YNL_SPECS wins; the ynl install beats linux-doc.
    assert_eq!(name_of("rt-thing"), Some(("rt-thing".into(), Source::Env)));
    assert_eq!(name_of("inst"), Some(("inst".into(), Source::Installed)));
    assert_eq!(name_of("notes"), None);
    assert_eq!(name_of("nothing"), None);

    let list = path.list();
    let stems: Vec<&str> = list.iter().map(|(f, _)| f.stem.as_str()).collect();
    assert_eq!(stems, ["both", "inst", "old_only", "rt_thing"]);
    let (both, hidden) = &list[0];
    assert_eq!(both.source, Source::LinuxDoc("6.12".into()));
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0].source, Source::LinuxDoc("6.9".into()));

    // Without the variable, the env folder is not searched.
    let path = SearchPath::under(root, None);
    assert_eq!(
        path.find("rt_thing").unwrap().source,
        Source::LinuxDoc("6.12".into())
    );
}

#[test]
fn file_errors_name_the_file() {
    let t = TempDir::new("files");
    let missing = t.0.join("missing.yaml");
    let e = load(&missing).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: cannot open", missing.display())),
        "{e}"
    );
    let bad_gz = t.0.join("bad.yaml.gz");
    std::fs::write(&bad_gz, b"not gzip at all").unwrap();
    let e = load(&bad_gz).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: cannot read (gzip)", bad_gz.display())),
        "{e}"
    );
    let latin1 = t.0.join("latin1.yaml");
    std::fs::write(&latin1, b"name: x\ndoc: caf\xe9\n").unwrap();
    let e = load(&latin1).unwrap_err().to_string();
    assert_eq!(e, format!("{}:2: not UTF-8", latin1.display()));
    let broken_gz = t.0.join("broken.yaml.gz");
    write(
        &broken_gz,
        &broken("nested-attributes: inner", "nested-attributes: innr"),
    );
    let e = load(&broken_gz).unwrap_err().to_string();
    let line = line_of(GOOD, "nested-attributes: inner");
    assert!(
        e.starts_with(&format!("{}:{line}: ", broken_gz.display())),
        "{e}"
    );
}

/// The example of `genetlink-legacy.rst` ("directional"): requests and
/// replies numbered separately, notifications taking reply numbers.
#[test]
fn directional_numbering_follows_the_kernel_documentation() {
    let text = "\
name: dir
protocol: genetlink-legacy
attribute-sets:
  -
    name: s
    attributes:
      -
        name: x
        type: u32
operations:
  enum-model: directional
  list:
    -
      name: a
      attribute-set: s
      do:
        request:
          value: 2
          attributes: [ x ]
        reply:
          value: 1
          attributes: [ x ]
    -
      name: b
      notify: a
    -
      name: c
      notify: a
      value: 7
    -
      name: d
      attribute-set: s
      do:
        request:
          attributes: [ x ]
        reply:
          attributes: [ x ]
    -
      name: e
      attribute-set: s
      value: 40
      do:
        request:
          attributes: [ x ]
";
    let f = Family::parse("dir.yaml", text).unwrap();
    let ids: Vec<(&str, Option<u16>, Option<u16>)> = f
        .operations
        .list
        .iter()
        .map(|o| (o.name.as_str(), o.request_value, o.reply_value))
        .collect();
    assert_eq!(
        ids,
        [
            ("a", Some(2), Some(1)),
            ("b", None, Some(2)),
            ("c", None, Some(7)),
            ("d", Some(3), Some(8)),
            ("e", Some(4), None),
        ]
    );
    // `value` on a directional do is not how ids are given: kept as a warning.
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    let line = line_of(text, "value: 40");
    let w = f.warnings[0].to_string();
    assert!(
        w.starts_with(&format!(
            "dir.yaml:{}: operation \"e\": \"value\" is ignored",
            line - 2
        )),
        "{w}"
    );
}
