//! `nlkit genl policy` against iproute2's `genl ctrl policy`, over every
//! generic netlink family of the running kernel that has policies, in a
//! network namespace of the test's own (policies are global; nothing is
//! changed). Text is compared byte for byte, with one documented
//! difference: iproute2 6.1 prints the types added after it (`SINT`,
//! `UINT`) as `unknown`, nlkit names them.

#[path = "route_common/mod.rs"]
mod route_common;

use nlkit::genl::policy::{self, FamilyRef};
use nlkit::socket::netns::in_new_netns;
use nlkit::{Connection, Protocol};
use route_common::{nl, ok, sh};
use serde_json::Value;

/// nlkit's text with the type names iproute2 6.1 does not know spelled as it spells them.
fn as_iproute2_6_1(s: &str) -> String {
    s.replace("type=UINT", "type=unknown")
        .replace("type=SINT", "type=unknown")
}

use nlkit::genl::op_flags::{GENL_CMD_CAP_DO, GENL_CMD_CAP_HASPOL};

/// Every family with at least one op that has a policy.
fn families_with_policies_full() -> Vec<nlkit::genl::Family> {
    let conn = Connection::new(Protocol::GENERIC).unwrap();
    let fams = nlkit::genl::families(&conn).unwrap();
    fams.into_iter()
        .filter(|f| f.ops.iter().any(|o| o.flags & GENL_CMD_CAP_HASPOL != 0))
        .collect()
}

fn families_with_policies() -> Vec<String> {
    families_with_policies_full()
        .into_iter()
        .map(|f| f.name)
        .collect()
}

#[test]
fn text_equals_genl_ctrl_policy_for_every_family() {
    in_new_netns(|| {
        let fams = families_with_policies();
        assert!(
            fams.iter().any(|f| f == "nlctrl"),
            "nlctrl has policies: {fams:?}"
        );
        let mut lines = 0;
        let mut renamed = 0;
        for f in &fams {
            let theirs = sh(&format!("genl ctrl policy name {f}"));
            let ours = ok(&format!("genl policy {f}"));
            renamed += ours.matches("type=UINT").count() + ours.matches("type=SINT").count();
            assert_eq!(as_iproute2_6_1(&ours), theirs, "family {f}");
            // iproute2's grammar is accepted too, with the same output.
            assert_eq!(ok(&format!("genl ctrl policy name {f}")), ours, "family {f}");
            lines += theirs.lines().count();
        }
        eprintln!(
            "{} families, {lines} lines identical ({renamed} with a type iproute2 6.1 calls unknown)",
            fams.len()
        );
        assert!(lines > 0);
    })
    .unwrap();
}

#[test]
fn by_id_equals_by_name() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::GENERIC).unwrap();
        let f = nlkit::genl::resolve(&conn, "nlctrl").unwrap();
        assert_eq!(
            ok(&format!("genl policy id {:#x}", f.id)),
            ok("genl policy name nlctrl")
        );
        assert_eq!(
            ok(&format!("genl policy id {}", f.id)),
            sh(&format!("genl ctrl policy id {}", f.id))
        );
    })
    .unwrap();
}

#[test]
fn one_op_has_the_policy_the_full_dump_gives_it() {
    in_new_netns(|| {
        let conn = Connection::new(Protocol::GENERIC).unwrap();
        let mut dump_only_as_0 = 0;
        for f in families_with_policies_full() {
            let fam = f.name.clone();
            let full = policy::policy(&conn, FamilyRef::Name(&fam), None).unwrap();
            // The ops with a policy, in the family's order, are the dump's ops in its order.
            let with_policy: Vec<_> = f
                .ops
                .iter()
                .filter(|o| o.flags & GENL_CMD_CAP_HASPOL != 0)
                .collect();
            assert_eq!(full.ops.len(), with_policy.len(), "{fam}: {:?}", full.ops);
            for (op, real) in full.ops.iter().zip(&with_policy) {
                if op.op != real.id {
                    // The kernel's quirk: a dump-only op is numbered 0 in the full dump.
                    assert_eq!(op.op, 0, "{fam}: {op:?} for {real:?}");
                    assert_eq!(real.flags & GENL_CMD_CAP_DO, 0, "{fam}: {real:?}");
                    assert_eq!(op.do_policy, None, "{fam}: {op:?}");
                    dump_only_as_0 += 1;
                }
                let one = policy::policy(&conn, FamilyRef::Name(&fam), Some(real.id)).unwrap();
                assert_eq!(one.family_id, full.family_id);
                assert_eq!(one.ops.len(), 1, "{fam} op {}: {:?}", real.id, one.ops);
                let o = one.ops[0];
                assert_eq!(o.op, real.id, "asked for one op, the kernel names it");
                // Policy indexes are numbered per dump; compare the attributes they hold.
                // (The kernel may list an empty policy in one dump and none in the
                // other: both accept no attribute.)
                let attrs = |p: &policy::FamilyPolicy, idx: Option<u32>| {
                    idx.map(|i| {
                        p.policy(i)
                            .map(|a| (a.attr, a.kind, a.range_u, a.range_s, a.max_len))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                };
                assert_eq!(
                    attrs(&one, o.do_policy),
                    attrs(&full, op.do_policy),
                    "{fam} op {} do",
                    op.op
                );
                assert_eq!(
                    attrs(&one, o.dump_policy),
                    attrs(&full, op.dump_policy),
                    "{fam} op {} dump",
                    op.op
                );
            }
        }
        eprintln!("{dump_only_as_0} dump-only ops numbered 0 by the kernel");
    })
    .unwrap();
}

#[test]
fn json_holds_what_the_text_shows() {
    in_new_netns(|| {
        for fam in ["nlctrl", "ethtool"] {
            let text = ok(&format!("genl policy {fam}"));
            let out = ok(&format!("-j genl policy {fam}"));
            let v: Value = serde_json::from_str(&out).unwrap();
            let ops = v["ops"].as_array().unwrap();
            let attrs: usize = v["policies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["attrs"].as_array().unwrap().len())
                .sum();
            assert_eq!(ops.len(), text.matches(" policies:").count(), "{fam}");
            assert_eq!(attrs, text.matches(":attr[").count(), "{fam}");
            assert!(
                v["policies"][0]["attrs"][0]["type"].as_str().is_some(),
                "{fam}: {v}"
            );
            // Keys in a fixed order: id, ops, policies.
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(keys, ["id", "ops", "policies"]);
        }
        let v: Value = serde_json::from_str(&ok("-j genl policy nlctrl op 3")).unwrap();
        assert_eq!(v["ops"].as_array().unwrap().len(), 1);
        assert_eq!(v["ops"][0]["op"], 3);
    })
    .unwrap();
}

#[test]
fn bad_arguments_and_unknown_families() {
    for args in [
        "genl policy",
        "genl policy nlctrl op",
        "genl policy nlctrl op x",
        "genl policy id 70000",
        "genl policy nlctrl extra words",
    ] {
        let r = nl(args);
        assert_eq!(r.code, 2, "{args}: {r:?}");
        assert!(r.stderr.contains("genl policy"), "{args}: {r:?}");
        assert_eq!(r.stdout, "", "{args}: nothing is printed");
    }
    in_new_netns(|| {
        let r = nl("genl policy nosuchfam");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("nosuchfam") && r.stderr.contains("no such family"),
            "{r:?}"
        );
        // A name longer than the kernel's GENL_NAMSIZ: its policy answers, by name.
        let r = nl("genl policy a_name_far_longer_than_sixteen");
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("Attribute failed policy validation")
                && r.stderr.contains("CTRL_ATTR_FAMILY_NAME"),
            "{r:?}"
        );
        // An op the family does not have.
        let r = nl("genl policy nlctrl op 200");
        assert_ne!(r.code, 0, "{r:?}");
        assert!(r.stderr.contains("op 200"), "{r:?}");
    })
    .unwrap();
}
