//! The kernel's YAML specs (Debian's `linux-doc-6.12`) against the running
//! kernel's own description of what it accepts (`CTRL_CMD_GETPOLICY`).
//!
//! For every generic netlink spec whose family nlctrl resolves here, and for
//! every operation of it the kernel has, the `do` and `dump` request policies
//! are walked together with the spec's attribute sets (nested policies with
//! the spec's `nested-attributes`): each attribute the kernel's policy
//! accepts and the spec names must have a compatible type (the spec type to
//! `NL_ATTR_TYPE_*` mapping in [`compatible`]), and where both state a range
//! or a length, they must agree. Every attribute an operation's spec request
//! lists must be one the kernel's policy has.
//!
//! The spec is 6.12's and the kernel may be newer (or older): attributes only
//! the kernel has are counted and printed, not failures. Real disagreements
//! between a spec and a kernel are in [`KNOWN`], each with its reason; any
//! other one fails the test. The summary (families, operations, attributes
//! and ranges compared) is printed: `cargo test --test ynl_policy -- --nocapture`.

use nlkit::genl::policy::{self, AttrPolicy, AttrType as K, FamilyPolicy, FamilyRef};
use nlkit::genl::{self, Family as GenlFamily};
use nlkit::socket::netns::in_new_netns;
use nlkit::wire::MsgWriter;
use nlkit::ynl::spec::{AttrType as S, Attribute, Family, Limit};
use nlkit::ynl::{load, SearchPath, Source};
use nlkit::{Connection, Protocol};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Real spec/kernel disagreements: (family, attribute set, what differs,
/// the attributes, why it is so). A finding matches an entry with the same
/// family, set and `what` whose attributes include the finding's.
///
/// The ethtool spec gives each `*-set` request the attribute list of the
/// matching `*-get` reply, read-only values included; the kernel's set
/// policies leave those out (`NLA_UNSPEC`, which strict validation refuses:
/// "Unsupported attribute"). The test sends each such request with the one
/// attribute and checks that the kernel does refuse it.
#[rustfmt::skip]
const KNOWN: &[(&str, &str, &str, &[&str], &str)] = &[
    ("ethtool", "channels", "channels-set do request", &["rx-max", "tx-max", "other-max", "combined-max"], READ_ONLY),
    ("ethtool", "eee", "eee-set do request", &["modes-peer", "active"], READ_ONLY),
    ("ethtool", "features", "features-set do request", &["hw", "active", "nochange"], READ_ONLY),
    ("ethtool", "fec", "fec-set do request", &["active", "stats"], READ_ONLY),
    ("ethtool", "linkinfo", "linkinfo-set do request", &["tp-mdix", "transceiver"], READ_ONLY),
    ("ethtool", "linkmodes", "linkmodes-set do request", &["peer", "master-slave-state", "rate-matching"], READ_ONLY),
    ("ethtool", "module", "module-set do request", &["power-mode"], READ_ONLY),
    ("ethtool", "pause", "pause-set do request", &["stats", "stats-src"], READ_ONLY),
    ("ethtool", "plca", "plca-set-cfg do request", &["version", "status"], READ_ONLY),
    ("ethtool", "rings", "rings-set do request", &["rx-max", "rx-mini-max", "rx-jumbo-max", "tx-max", "tx-push-buf-len-max"], READ_ONLY),
];

const READ_ONLY: &str = "the spec lists the get reply's read-only attributes in the set request; \
     the kernel refuses them (as unsupported, or above the policy's highest type)";

/// The generic netlink specs of the newest installed linux-doc package.
fn genetlink_specs() -> Vec<(PathBuf, Family)> {
    let path = SearchPath::under(Path::new("/"), None);
    let dir = path
        .dirs
        .iter()
        .find(|d| matches!(d.source, Source::LinuxDoc(_)) && d.path.is_dir())
        .expect("no linux-doc-* specs installed (scripts/test.sh installs linux-doc-6.12)");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir.path)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".yaml.gz"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let fam = load(&f).unwrap_or_else(|e| panic!("{e}"));
            (f, fam)
        })
        .filter(|(_, fam)| fam.level.is_genetlink())
        .collect()
}

/// The policy types a kernel may give an attribute of spec type `s`
/// (`net/netlink/policy.c` reports `NLA_BE32`/`NLA_MSECS`/`NLA_*_LEN` as the
/// plain integer or `BINARY`; an `NLA_UNSPEC` attribute is not reported).
fn compatible(s: S, multi: bool) -> &'static [K] {
    match s {
        S::Flag => &[K::Flag],
        S::U8 => &[K::U8],
        S::U16 => &[K::U16],
        S::U32 => &[K::U32],
        S::U64 => &[K::U64],
        S::S8 => &[K::S8],
        S::S16 => &[K::S16],
        S::S32 => &[K::S32],
        S::S64 => &[K::S64],
        // A variable-width integer: `NLA_UINT` (6.8+) or a fixed width the
        // kernel chose (a sender then must use that width).
        S::Uint => &[K::Uint, K::U32, K::U64],
        S::Sint => &[K::Sint, K::S32, K::S64],
        S::String => &[K::String, K::NulString],
        S::Binary => &[K::Binary],
        S::Bitfield32 => &[K::Bitfield32],
        S::Nest if multi => &[K::Nested, K::NestedArray],
        S::Nest => &[K::Nested],
        S::IndexedArray | S::NestTypeValue => &[K::NestedArray, K::Nested],
        S::SubMessage => &[K::Nested],
        // Never a request attribute: a kernel accepting one is a finding.
        S::Pad | S::Unused => &[],
    }
}

/// One disagreement between a spec and the kernel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    family: String,
    set: String,
    attr: String,
    what: String,
    detail: String,
    /// For an attribute the spec lists and the policy lacks: the command,
    /// the attribute's number and a payload of its spec type, to send.
    probe: Option<(u8, u16, Vec<u8>)>,
}

#[derive(Default)]
struct Tally {
    families: usize,
    ops: usize,
    policies: usize,
    attrs: usize,
    ranges: usize,
    lengths: usize,
    kernel_only: Vec<String>,
    findings: Vec<Finding>,
}

struct Walk<'a> {
    spec: &'a Family,
    kernel: &'a FamilyPolicy,
    /// (spec set, kernel policy) pairs already compared in this dump.
    seen: BTreeSet<(String, u32)>,
}

impl Walk<'_> {
    fn finding(&self, t: &mut Tally, set: &str, attr: &str, what: &str, detail: String) {
        t.findings.push(Finding {
            family: self.spec.name.clone(),
            set: set.to_string(),
            attr: attr.to_string(),
            what: what.to_string(),
            detail,
            probe: None,
        });
    }

    /// Compares kernel policy `idx` with spec attribute set `set`, and the
    /// policies it points at with the sets the spec nests there.
    fn compare(&mut self, t: &mut Tally, set: &str, idx: u32) {
        if !self.seen.insert((set.to_string(), idx)) {
            return;
        }
        t.policies += 1;
        let spec_set = self
            .spec
            .attribute_set(set)
            .unwrap_or_else(|| panic!("{}: no attribute set {set}", self.spec.name));
        let entries: Vec<&AttrPolicy> = self.kernel.policy(idx).collect();
        for k in entries {
            let Some(a) = spec_set.attr_by_value(k.attr) else {
                t.kernel_only.push(format!(
                    "{}: {set}: attribute {} ({}) only in the kernel",
                    self.spec.name,
                    k.attr,
                    k.kind.map_or("?".into(), |k| k.to_string())
                ));
                continue;
            };
            t.attrs += 1;
            let Some(kind) = k.kind else {
                self.finding(t, set, &a.name, "type", "no type in the policy".into());
                continue;
            };
            if !compatible(a.ty, a.multi_attr).contains(&kind) {
                self.finding(
                    t,
                    set,
                    &a.name,
                    "type",
                    format!("spec {} (line {}), kernel {kind}", a.ty, a.line),
                );
                continue;
            }
            self.ranges(t, set, a, k);
            if let (Some(p), Some(inner)) = (k.nested_policy, &a.nested_attributes) {
                let inner = inner.clone();
                self.compare(t, &inner, p);
            }
        }
    }

    /// Value ranges and lengths, where both the spec and the kernel state them.
    fn ranges(&self, t: &mut Tally, set: &str, a: &Attribute, k: &AttrPolicy) {
        let c = &a.checks;
        let val =
            |l: &Option<nlkit::ynl::spec::Limit>| l.as_ref().and_then(|l| self.spec.limit_value(l));
        let kernel_range: Option<(i128, i128)> = k
            .range_u
            .map(|(lo, hi)| (i128::from(lo), i128::from(hi)))
            .or(k.range_s.map(|(lo, hi)| (i128::from(lo), i128::from(hi))));
        if let Some((lo, hi)) = kernel_range {
            for (name, spec, kern) in [("min", val(&c.min), lo), ("max", val(&c.max), hi)] {
                let Some(spec) = spec else { continue };
                t.ranges += 1;
                if spec != kern {
                    self.finding(t, set, &a.name, name, format!("spec {spec}, kernel {kern}"));
                }
            }
        }
        let exact = val(&c.exact_len);
        for (name, spec, kern) in [
            ("min-len", val(&c.min_len).or(exact), k.min_len),
            ("max-len", val(&c.max_len).or(exact), k.max_len),
        ] {
            let (Some(spec), Some(kern)) = (spec, kern) else {
                continue;
            };
            t.lengths += 1;
            if spec != i128::from(kern) {
                self.finding(t, set, &a.name, name, format!("spec {spec}, kernel {kern}"));
            }
        }
    }
}

/// Checks one family: every op the spec and the kernel both have.
fn check_family(conn: &Connection, spec: &Family, kfam: &GenlFamily, t: &mut Tally) {
    t.families += 1;
    for op in &spec.operations.list {
        let Some(cmd) = op.request_value else {
            continue;
        };
        if op.is_notification() || kfam.op(cmd as u8).is_none() {
            continue;
        }
        let Some(set) = &op.attribute_set else {
            continue;
        };
        let kernel = policy::policy(conn, FamilyRef::Name(&spec.name), Some(u32::from(cmd)))
            .unwrap_or_else(|e| panic!("{}: {}: {e:#}", spec.name, op.name));
        let Some(kop) = kernel.op(u32::from(cmd)) else {
            // No policy at all for this op: the kernel takes no attributes.
            for (half, sub) in [("do", &op.do_), ("dump", &op.dump)] {
                let listed = sub.as_ref().and_then(|s| s.request.as_ref());
                if let Some(m) = listed.filter(|m| !m.attributes.is_empty()) {
                    t.findings.push(Finding {
                        family: spec.name.clone(),
                        set: set.clone(),
                        attr: m.attributes.join(","),
                        what: format!("{} {half} request", op.name),
                        detail: "listed by the spec, the kernel has no policy".into(),
                        probe: None,
                    });
                }
            }
            continue;
        };
        t.ops += 1;
        let mut w = Walk {
            spec,
            kernel: &kernel,
            seen: BTreeSet::new(),
        };
        for (half, sub, idx) in [
            ("do", &op.do_, kop.do_policy),
            ("dump", &op.dump, kop.dump_policy),
        ] {
            let listed = sub
                .as_ref()
                .and_then(|s| s.request.as_ref())
                .map(|m| m.attributes.clone())
                .unwrap_or_default();
            let Some(idx) = idx else {
                if !listed.is_empty() {
                    w.finding(
                        t,
                        set,
                        &listed.join(","),
                        &format!("{} {half} request", op.name),
                        "listed by the spec, the kernel has no policy".into(),
                    );
                }
                continue;
            };
            w.compare(t, set, idx);
            let spec_set = spec.attribute_set(set).unwrap();
            for name in &listed {
                let a = spec_set
                    .attr(name)
                    .unwrap_or_else(|| panic!("{}: {}: no attribute {name}", spec.name, op.name));
                if !kernel.policy(idx).any(|k| k.attr == a.value) {
                    let payload = vec![0; a.ty.scalar_size().unwrap_or(0)];
                    t.findings.push(Finding {
                        family: spec.name.clone(),
                        set: set.clone(),
                        attr: name.clone(),
                        what: format!("{} {half} request", op.name),
                        detail: format!(
                            "listed by the spec (number {}), not in the kernel's policy",
                            a.value
                        ),
                        probe: Some((cmd as u8, a.value, payload)),
                    });
                }
            }
        }
    }
}

/// Sends `cmd` with attribute `attr` alone; `Ok` with the kernel's ext-ack
/// message if the kernel refuses it with EINVAL pointing at that attribute.
fn refused(
    conn: &Connection,
    fam: &GenlFamily,
    (cmd, attr, payload): &(u8, u16, Vec<u8>),
) -> Result<String, String> {
    let what = format!("{} cmd {cmd} with attribute {attr}", fam.name);
    let write = |w: &mut MsgWriter<'_>| w.attr(*attr, payload).map(|_| ());
    let req = genl::Request {
        attrs: &write,
        ..genl::Request::new(fam.id, *cmd, fam.version as u8, &what)
    };
    match conn.request(&req, |_| Ok(())) {
        Ok(_) => Err(format!("{what}: accepted")),
        Err(e) => match e.kernel() {
            Some(k)
                if k.errno == libc::EINVAL
                    && k.attr.map(|p| p.types().to_vec()) == Some(vec![*attr]) =>
            {
                Ok(k.message.clone().unwrap_or_default())
            }
            _ => Err(format!("{what}: {e:#}")),
        },
    }
}

#[test]
fn specs_agree_with_the_kernels_policies() {
    let specs = genetlink_specs();
    in_new_netns(move || {
        let conn = Connection::new(Protocol::GENERIC).unwrap();
        let kernel_families = genl::families(&conn).unwrap();
        let mut t = Tally::default();
        let mut skipped = Vec::new();
        for (file, spec) in &specs {
            let Some(kfam) = kernel_families.iter().find(|f| f.name == spec.name) else {
                skipped.push(spec.name.clone());
                continue;
            };
            eprintln!("checking {} ({})", spec.name, file.display());
            check_family(&conn, spec, kfam, &mut t);
        }
        eprintln!("families not in this kernel: {}", skipped.join(" "));
        for k in &t.kernel_only {
            eprintln!("kernel only: {k}");
        }
        t.findings.sort();
        t.findings.dedup();
        let mut unexpected = Vec::new();
        let mut known = 0;
        for f in &t.findings {
            let entry = KNOWN.iter().find(|k| {
                (k.0, k.1, k.2) == (&f.family[..], &f.set[..], &f.what[..]) && k.3.contains(&&f.attr[..])
            });
            let Some(entry) = entry else {
                unexpected.push(f);
                continue;
            };
            known += 1;
            let mut note = String::new();
            if let Some(probe) = &f.probe {
                let kfam = kernel_families.iter().find(|k| k.name == f.family).unwrap();
                match refused(&conn, kfam, probe) {
                    Ok(msg) => note = format!("; the kernel refuses it: {msg:?}"),
                    Err(e) => panic!("KNOWN says the kernel refuses {} {} {}, but: {e}", f.family, f.what, f.attr),
                }
            }
            eprintln!(
                "known mismatch: {} {} {} {}: {} ({}){note}",
                f.family, f.set, f.attr, f.what, f.detail, entry.4
            );
        }
        eprintln!(
            "compared {} families, {} operations, {} policies, {} attributes, {} ranges, {} lengths; \
             {} attributes only in the kernel, {} known mismatches",
            t.families,
            t.ops,
            t.policies,
            t.attrs,
            t.ranges,
            t.lengths,
            t.kernel_only.len(),
            known
        );
        // The comparison finds what it is meant to find: nlctrl's spec with
        // family-id made a u32 (the kernel's policy says U16) and a maximum
        // on family-name's length the kernel does not have.
        let (_, nlctrl) = specs.iter().find(|(_, s)| s.name == "nlctrl").unwrap();
        let mut bad = nlctrl.clone();
        for set in &mut bad.attribute_sets {
            for a in &mut set.attributes {
                match a.name.as_str() {
                    "family-id" => a.ty = S::U32,
                    "family-name" => a.checks.max_len = Some(Limit::Int(7)),
                    _ => {}
                }
            }
        }
        let kfam = kernel_families.iter().find(|f| f.name == "nlctrl").unwrap();
        let mut bt = Tally::default();
        check_family(&conn, &bad, kfam, &mut bt);
        let found: BTreeSet<(&str, &str)> = bt
            .findings
            .iter()
            .map(|f| (&f.attr[..], &f.what[..]))
            .collect();
        assert!(found.contains(&("family-id", "type")), "{:?}", bt.findings);
        assert!(found.contains(&("family-name", "max-len")), "{:?}", bt.findings);
        // nlctrl is always there; netdev and ethtool are built into every
        // kernel this project targets.
        assert!(t.families >= 1 && t.ops >= 1 && t.attrs >= 1, "nothing compared");
        assert!(
            unexpected.is_empty(),
            "spec/kernel mismatches not in KNOWN:\n{}",
            unexpected
                .iter()
                .map(|f| format!("  {f:?}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    })
    .unwrap();
}
