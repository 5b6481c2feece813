//! The kernel's own specs (Debian's `linux-doc-6.12`, which CI installs) and
//! the project's `kernel/module/nltest.yaml`, loaded and checked against
//! independent sources: the spec text itself (counts), uapi headers and
//! libc's constants (numbers), the typed nltest client, and the running
//! kernel's families as nlctrl reports them.

use nlkit::ynl::spec::{AttrType, DefKind, EnumModel, Family, Level};
use nlkit::ynl::{load, SearchPath, Source};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every spec of every installed linux-doc package (at least one must be there).
fn linux_doc_specs() -> Vec<PathBuf> {
    let path = SearchPath::under(Path::new("/"), None);
    let mut files = Vec::new();
    for d in path
        .dirs
        .iter()
        .filter(|d| matches!(d.source, Source::LinuxDoc(_)))
    {
        for e in std::fs::read_dir(&d.path).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().ends_with(".yaml.gz") {
                files.push(e.path());
            }
        }
    }
    assert!(
        !files.is_empty(),
        "no linux-doc-* specs installed (scripts/test.sh installs linux-doc-6.12)"
    );
    files.sort();
    files
}

fn text_of(p: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Counts the items of a top-level list section by indentation alone:
/// `section:` at column 0, each item a `-` line at `indent` followed by a
/// `name:` line (the kernel's specs are all written this way).
fn count_items(text: &str, section: &str, item_indent: usize) -> usize {
    let mut inside = false;
    let mut n = 0;
    let dash = format!("{}-", " ".repeat(item_indent));
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside && (line.trim_end() == dash || line.starts_with(&format!("{dash} "))) {
            n += 1;
        }
    }
    n
}

#[test]
fn every_linux_doc_spec_loads_and_counts_agree_with_the_text() {
    let files = linux_doc_specs();
    let mut names = Vec::new();
    let mut subsets = 0;
    for f in &files {
        let fam = load(f).unwrap_or_else(|e| panic!("{e}"));
        let text = text_of(f);
        assert_eq!(
            fam.attribute_sets.len(),
            count_items(&text, "attribute-sets", 2),
            "{}: attribute sets",
            f.display()
        );
        assert_eq!(
            fam.definitions.len(),
            count_items(&text, "definitions", 2),
            "{}: definitions",
            f.display()
        );
        // Operations sit in `operations: list:`, items at 4 spaces.
        assert_eq!(
            fam.operations.list.len(),
            count_items(&text, "operations", 4),
            "{}: operations",
            f.display()
        );
        assert_eq!(
            fam.sub_messages.len(),
            count_items(&text, "sub-messages", 2),
            "{}: sub-messages",
            f.display()
        );
        assert!(!fam.operations.list.is_empty(), "{}", f.display());
        // A subset attribute has its main set's number.
        for s in &fam.attribute_sets {
            if let Some(m) = s.subset_of.as_deref() {
                let main = fam.attribute_set(m).unwrap();
                for a in &s.attributes {
                    assert_eq!(
                        Some(a.value),
                        main.attr(&a.name).map(|x| x.value),
                        "{}",
                        a.name
                    );
                }
                subsets += 1;
            }
        }
        names.push(fam.name.clone());
    }
    assert!(subsets > 10, "{subsets} subsets");
    // The 6.12 package has these (and more).
    for want in [
        "ethtool", "netdev", "nlctrl", "rt-link", "rt-route", "tc", "devlink",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} not among {names:?}"
        );
    }
}

fn doc_spec(name: &str) -> Family {
    let found = SearchPath::under(Path::new("/"), None)
        .find(name)
        .unwrap_or_else(|| panic!("no {name} spec installed"));
    found.load().unwrap()
}

#[test]
fn rt_link_numbers_match_libc() {
    let f = doc_spec("rt-link");
    assert_eq!(f.level, Level::NetlinkRaw);
    assert_eq!(f.protonum, libc::NETLINK_ROUTE as u32);
    assert_eq!(f.operations.enum_model, EnumModel::Directional);
    let op = |n: &str| f.operation(n).unwrap();
    assert_eq!(op("newlink").request_value, Some(libc::RTM_NEWLINK));
    assert_eq!(op("newlink").reply_value, None);
    assert_eq!(op("dellink").request_value, Some(libc::RTM_DELLINK));
    assert_eq!(op("getlink").request_value, Some(libc::RTM_GETLINK));
    assert_eq!(op("getlink").reply_value, Some(libc::RTM_NEWLINK));
    assert_eq!(op("setlink").request_value, Some(libc::RTM_SETLINK));
    assert_eq!(op("getstats").request_value, Some(libc::RTM_GETSTATS));
    assert_eq!(op("getstats").reply_value, Some(libc::RTM_NEWSTATS));
    assert_eq!(op("getlink").fixed_header.as_deref(), Some("ifinfomsg"));
    let set = f.attribute_set("link-attrs").unwrap();
    let v = |n: &str| set.attr(n).unwrap().value;
    assert_eq!(v("address"), libc::IFLA_ADDRESS);
    assert_eq!(v("ifname"), libc::IFLA_IFNAME);
    assert_eq!(v("mtu"), libc::IFLA_MTU);
    assert_eq!(v("linkinfo"), libc::IFLA_LINKINFO);
    assert_eq!(v("af-spec"), libc::IFLA_AF_SPEC);
    assert_eq!(set.attr("linkinfo").unwrap().ty, AttrType::Nest);
    assert_eq!(
        f.struct_def("ifinfomsg").unwrap().size,
        std::mem::size_of::<libc::ifinfomsg>()
    );
    // Sub-messages: linkinfo's data chosen by its kind.
    let data = f
        .attribute_set("linkinfo-attrs")
        .unwrap()
        .attr("data")
        .unwrap();
    assert_eq!(data.ty, AttrType::SubMessage);
    assert_eq!(data.selector.as_deref(), Some("kind"));
    let sm = f.sub_message(data.sub_message.as_deref().unwrap()).unwrap();
    let vlan = sm.format("vlan").unwrap();
    assert!(f
        .attribute_set(vlan.attribute_set.as_deref().unwrap())
        .is_some());
    // Multicast groups carry numbers in netlink-raw.
    assert_eq!(
        f.mcast_group("rtnlgrp-link").unwrap().value,
        Some(libc::RTNLGRP_LINK)
    );
}

#[test]
fn rt_route_and_rt_addr_numbers_match_libc() {
    let r = doc_spec("rt-route");
    assert_eq!(
        r.operation("getroute").unwrap().request_value,
        Some(libc::RTM_GETROUTE)
    );
    assert_eq!(
        r.operation("getroute").unwrap().reply_value,
        Some(libc::RTM_NEWROUTE)
    );
    let set = r.attribute_set("route-attrs").unwrap();
    assert_eq!(set.attr("rta-dst").unwrap().value, libc::RTA_DST);
    assert_eq!(set.attr("rta-gateway").unwrap().value, libc::RTA_GATEWAY);
    assert_eq!(set.attr("rta-table").unwrap().value, libc::RTA_TABLE);
    assert_eq!(r.struct_def("rtmsg").unwrap().size, 12);
    let a = doc_spec("rt-addr");
    assert_eq!(
        a.operation("newaddr").unwrap().request_value,
        Some(libc::RTM_NEWADDR)
    );
    assert_eq!(
        a.attribute_set("addr-attrs")
            .unwrap()
            .attr("ifa-local")
            .unwrap()
            .value,
        libc::IFA_LOCAL
    );
    assert_eq!(a.struct_def("ifaddrmsg").unwrap().size, 8);
}

#[test]
fn nlctrl_numbers_match_libc() {
    let f = doc_spec("nlctrl");
    assert_eq!(f.level, Level::GenetlinkLegacy);
    assert_eq!(f.protonum, libc::NETLINK_GENERIC as u32);
    assert_eq!(f.version, 1); // the spec does not say: the default
    let gf = f.operation("getfamily").unwrap();
    assert_eq!(gf.request_value, Some(libc::CTRL_CMD_GETFAMILY as u16));
    assert_eq!(gf.reply_value, Some(libc::CTRL_CMD_NEWFAMILY as u16));
    let set = f.attribute_set("ctrl-attrs").unwrap();
    let v = |n: &str| i32::from(set.attr(n).unwrap().value);
    assert_eq!(v("family-id"), libc::CTRL_ATTR_FAMILY_ID);
    assert_eq!(v("family-name"), libc::CTRL_ATTR_FAMILY_NAME);
    assert_eq!(v("mcast-groups"), libc::CTRL_ATTR_MCAST_GROUPS);
    let groups = set.attr("mcast-groups").unwrap();
    assert_eq!(groups.ty, AttrType::IndexedArray);
    assert_eq!(groups.sub_type, Some(AttrType::Nest));
}

/// `enum { A, B = 5, C, }` blocks of a C header, with implicit numbering.
fn c_enums(text: &str) -> Vec<Vec<(String, i64)>> {
    let mut clean = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        clean.push_str(&rest[..i]);
        rest = rest[i..].split_once("*/").map_or("", |(_, r)| r);
    }
    clean.push_str(rest);
    let mut out = Vec::new();
    let mut rest = clean.as_str();
    while let Some(i) = rest.find("enum") {
        rest = &rest[i + 4..];
        let Some((head, body)) = rest.split_once('{') else {
            break;
        };
        if head.contains(';') || head.contains('(') {
            continue;
        }
        let Some((body, tail)) = body.split_once('}') else {
            break;
        };
        rest = tail;
        let mut next = 0i64;
        let mut entries = Vec::new();
        for item in body.split(',') {
            let item = item.trim();
            if item.is_empty() || item.starts_with('#') {
                continue;
            }
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), v.trim().parse().unwrap_or(next)),
                None => (item, next),
            };
            entries.push((name.to_string(), value));
            next = value + 1;
        }
        out.push(entries);
    }
    out
}

#[test]
fn ethtool_directional_ids_match_the_uapi_header() {
    let f = doc_spec("ethtool");
    assert_eq!(f.operations.enum_model, EnumModel::Directional);
    let header = std::fs::read_to_string("/usr/include/linux/ethtool_netlink.h")
        .expect("linux-libc-dev's ethtool_netlink.h");
    let enums = c_enums(&header);
    let find = |first: &str| {
        enums
            .iter()
            .find(|e| e.first().is_some_and(|(n, _)| n == first))
            .unwrap_or_else(|| panic!("no enum starting with {first}"))
    };
    let spec_name = |c: &str| {
        c.trim_start_matches("ETHTOOL_MSG_")
            .to_lowercase()
            .replace('_', "-")
    };
    let mut checked = 0;
    for (c, v) in find("ETHTOOL_MSG_USER_NONE").iter().skip(1) {
        if c.starts_with("__") || c.ends_with("_MAX") {
            continue;
        }
        let op = f.operation(&spec_name(c)).unwrap_or_else(|| panic!("{c}"));
        assert_eq!(op.request_value.map(i64::from), Some(*v), "{c}");
        checked += 1;
    }
    for (c, v) in find("ETHTOOL_MSG_KERNEL_NONE").iter().skip(1) {
        if c.starts_with("__") || c.ends_with("_MAX") {
            continue;
        }
        let name = spec_name(c);
        let name = name.strip_suffix("-reply").unwrap_or(&name);
        let op = f.operation(name).unwrap_or_else(|| panic!("{c}"));
        assert_eq!(op.reply_value.map(i64::from), Some(*v), "{c}");
        checked += 1;
    }
    assert!(checked > 60, "only {checked} ids checked");
}

#[test]
fn flags_and_enums_are_numbered_as_documented() {
    let f = doc_spec("netdev");
    let Some(DefKind::Flags(xdp)) = f.definition("xdp-act").map(|d| &d.kind) else {
        panic!("netdev has flags xdp-act");
    };
    // NETDEV_XDP_ACT_BASIC = 1, _REDIRECT = 2, _NDO_XMIT = 4 (bits 0, 1, 2).
    assert_eq!(xdp.entry("basic").unwrap().value, 0);
    assert_eq!(xdp.entry("redirect").unwrap().value, 1);
    assert_eq!(xdp.entry("ndo-xmit").unwrap().value, 2);
    let dev = f.attribute_set("dev").unwrap();
    assert_eq!(
        dev.attr("xdp-features").unwrap().enum_def.as_deref(),
        Some("xdp-act")
    );
    let r = doc_spec("rt-route");
    let Some(DefKind::Enum(t)) = r.definition("rtm-type").map(|d| &d.kind) else {
        panic!("rt-route has enum rtm-type");
    };
    assert_eq!(
        t.entry("unicast").unwrap().value,
        i64::from(libc::RTN_UNICAST)
    );
    assert_eq!(
        t.entry("blackhole").unwrap().value,
        i64::from(libc::RTN_BLACKHOLE)
    );
}

fn nltest_spec() -> Family {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kernel/module/nltest.yaml");
    let f = load(&p).unwrap_or_else(|e| panic!("{e}"));
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    f
}

#[test]
fn nltest_spec_agrees_with_the_typed_client() {
    use nlkit::genl::nltest::*;
    let f = nltest_spec();
    assert_eq!(f.name, FAMILY);
    assert_eq!(f.level, Level::GenetlinkC);
    assert_eq!(f.version, VERSION);
    assert_eq!(f.mcast_groups.len(), 1);
    assert_eq!(f.mcast_groups[0].name, GROUP_EVENTS);
    let cmds = [
        ("echo", NLTEST_CMD_ECHO),
        ("notify", NLTEST_CMD_NOTIFY),
        ("dump", NLTEST_CMD_DUMP),
        ("require", NLTEST_CMD_REQUIRE),
        ("bump", NLTEST_CMD_BUMP),
        ("admin", NLTEST_CMD_ADMIN),
    ];
    assert_eq!(f.operations.list.len(), cmds.len());
    for (name, cmd) in cmds {
        let op = f.operation(name).unwrap();
        assert_eq!(op.request_value, Some(u16::from(cmd)), "{name}");
        assert_eq!(op.reply_value, Some(u16::from(cmd)), "{name}");
        assert_eq!(
            cmd_name(cmd),
            Some(format!("NLTEST_CMD_{}", name.to_uppercase()).as_str())
        );
    }
    let set = f.attribute_set("nltest").unwrap();
    let attrs = [
        ("payload", NLTEST_A_PAYLOAD, AttrType::Binary),
        ("count", NLTEST_A_COUNT, AttrType::U32),
        ("index", NLTEST_A_INDEX, AttrType::U32),
        ("name", NLTEST_A_NAME, AttrType::String),
        ("generation", NLTEST_A_GENERATION, AttrType::U32),
    ];
    assert_eq!(set.attributes.len(), attrs.len());
    assert_eq!(ATTRS.defs.len(), attrs.len());
    for ((name, value, ty), row) in attrs.into_iter().zip(ATTRS.defs) {
        let a = set.attr(name).unwrap();
        assert_eq!((a.value, a.ty), (value, ty), "{name}");
        assert_eq!(row.kind, value);
        assert_eq!(row.name, format!("NLTEST_A_{}", name.to_uppercase()));
    }
    let name = set.attr("name").unwrap();
    assert_eq!(
        f.limit_value(name.checks.max_len.as_ref().unwrap()),
        Some(255)
    );
    let admin = f.operation("admin").unwrap();
    assert_eq!(admin.flags, ["admin-perm"]);
    let dump = f.operation("dump").unwrap();
    assert!(dump.do_.is_none());
    let d = dump.dump.as_ref().unwrap();
    assert_eq!(d.request.as_ref().unwrap().attributes, ["count"]);
    assert_eq!(
        d.reply.as_ref().unwrap().attributes,
        ["index", "generation"]
    );
    assert_eq!(
        f.operation("notify").unwrap().mcgrp.as_deref(),
        Some(GROUP_EVENTS)
    );
}

#[test]
fn nltest_spec_agrees_with_the_uapi_header() {
    let f = nltest_spec();
    let h = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kernel/module/nltest_uapi.h"),
    )
    .unwrap();
    let enums = c_enums(&h);
    let by_first = |first: &str| -> HashMap<String, i64> {
        enums
            .iter()
            .find(|e| e.first().is_some_and(|(n, _)| n == first))
            .unwrap()
            .iter()
            .cloned()
            .collect()
    };
    let c_name = |prefix: &str, n: &str| format!("{prefix}{n}").to_uppercase().replace('-', "_");
    let cmds = by_first("NLTEST_CMD_UNSPEC");
    let prefix = f.operations.name_prefix.clone().unwrap();
    for op in &f.operations.list {
        let c = c_name(&prefix, &op.name);
        assert_eq!(
            cmds.get(&c).copied(),
            op.request_value.map(i64::from),
            "{c}"
        );
    }
    // Every command of the header is in the spec.
    assert_eq!(
        cmds.keys()
            .filter(|k| !k.starts_with("__") && !k.ends_with("UNSPEC"))
            .count(),
        6
    );
    let attrs = by_first("NLTEST_A_UNSPEC");
    let set = f.attribute_set("nltest").unwrap();
    let prefix = set.name_prefix.clone().unwrap();
    for a in &set.attributes {
        let c = c_name(&prefix, &a.name);
        assert_eq!(attrs.get(&c).copied(), Some(i64::from(a.value)), "{c}");
    }
    assert_eq!(attrs.len() - 2, set.attributes.len()); // minus UNSPEC and __MAX
    let define = |n: &str| -> String {
        h.lines()
            .find_map(|l| {
                l.strip_prefix("#define ")?
                    .strip_prefix(n)?
                    .trim()
                    .to_string()
                    .into()
            })
            .unwrap_or_else(|| panic!("#define {n}"))
    };
    assert_eq!(define("NLTEST_GENL_NAME\t"), format!("\"{}\"", f.name));
    assert_eq!(define("NLTEST_GENL_VERSION\t"), f.version.to_string());
    assert_eq!(
        define("NLTEST_GENL_MCGRP_EVENTS"),
        format!("\"{}\"", f.mcast_groups[0].name)
    );
    for (c, spec) in [
        ("NLTEST_NAME_MAXLEN", "name-maxlen"),
        ("NLTEST_DUMP_DEFAULT_COUNT", "dump-default-count"),
        ("NLTEST_GENERATION_INITIAL", "generation-initial"),
    ] {
        let want: i128 = define(c).parse().unwrap();
        let l = nlkit::ynl::spec::Limit::Name(spec.to_string());
        assert_eq!(f.limit_value(&l), Some(want), "{c}");
    }
}

/// The running kernel's genetlink families (nlctrl's view) against their
/// specs: every operation the spec says the kernel handles (do or dump) is
/// registered with those capabilities, and every
/// multicast group exists.
#[test]
fn genetlink_specs_agree_with_the_running_kernel() {
    use nlkit::genl::{self, op_flags};
    let specs: Vec<Family> = linux_doc_specs()
        .iter()
        .map(|p| load(p).unwrap())
        .filter(|f| f.level.is_genetlink())
        .collect();
    let fams = nlkit::socket::netns::in_new_netns(|| {
        let conn = nlkit::Connection::new(nlkit::Protocol::GENERIC).unwrap();
        genl::families(&conn).unwrap()
    })
    .unwrap();
    let mut compared = Vec::new();
    for f in &specs {
        let Some(k) = fams.iter().find(|k| k.name == f.name) else {
            continue;
        };
        for op in &f.operations.list {
            let Some(id) = op.request_value else { continue };
            if op.do_.is_none() && op.dump.is_none() || op.config_cond.is_some() {
                continue;
            }
            let kop = k
                .ops
                .iter()
                .find(|o| o.id == u32::from(id))
                .unwrap_or_else(|| panic!("{} {}: id {id} not registered", f.name, op.name));
            if op.do_.is_some() {
                assert!(
                    kop.flags & op_flags::GENL_CMD_CAP_DO != 0,
                    "{} {} do",
                    f.name,
                    op.name
                );
            }
            if op.dump.is_some() {
                assert!(
                    kop.flags & op_flags::GENL_CMD_CAP_DUMP != 0,
                    "{} {} dump",
                    f.name,
                    op.name
                );
            }
        }
        for g in &f.mcast_groups {
            assert!(
                k.groups.iter().any(|kg| kg.name == g.name),
                "{} group {}",
                f.name,
                g.name
            );
        }
        compared.push(f.name.clone());
    }
    assert!(compared.iter().any(|n| n == "nlctrl"), "{compared:?}");
    assert!(compared.len() >= 3, "only {compared:?} compared");
}
