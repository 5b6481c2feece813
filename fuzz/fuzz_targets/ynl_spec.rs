//! The YAML spec loader on arbitrary text: an error or a checked spec,
//! never a panic, and every reference of a spec it accepts resolves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlkit::ynl::spec::Family;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(f) = Family::parse("fuzz.yaml", text) else {
        return;
    };
    for s in &f.attribute_sets {
        for a in &s.attributes {
            if let Some(n) = &a.nested_attributes {
                assert!(f.attribute_set(n).is_some(), "{n}");
            }
            if let Some(e) = &a.enum_def {
                assert!(f.enum_def(e).is_some(), "{e}");
            }
            if let Some(st) = &a.struct_def {
                assert!(f.struct_def(st).is_some(), "{st}");
            }
            if let Some(m) = &a.sub_message {
                assert!(f.sub_message(m).is_some(), "{m}");
            }
            for l in [&a.checks.min, &a.checks.max, &a.checks.max_len].into_iter().flatten() {
                assert!(f.limit_value(l).is_some(), "{l}");
            }
        }
    }
    for op in &f.operations.list {
        if let Some(s) = &op.attribute_set {
            assert!(f.attribute_set(s).is_some(), "{s}");
        }
        if let Some(g) = &op.mcgrp {
            assert!(f.mcast_group(g).is_some(), "{g}");
        }
    }
});
