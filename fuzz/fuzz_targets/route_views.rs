//! Every rtnetlink view and the attribute walker on arbitrary bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlkit::route::{attrs, AddrView, LinkView, NeighView, NexthopView, RouteView, RuleView};
use nlkit::wire::{AttrIter, MsgIter};

fuzz_target!(|data: &[u8]| {
    // The payload as each view.
    let _ = LinkView::parse_payload(data).map(|v| (v.to_owned(), v.unknown_attrs().count()));
    let _ = AddrView::parse_payload(data).map(|v| (v.to_owned(), v.unknown_attrs().count()));
    let _ = RouteView::parse_payload(data)
        .map(|v| (v.to_owned(), v.multipath().count(), v.metrics().count()));
    let _ = NeighView::parse_payload(data).map(|v| v.to_owned());
    let _ = RuleView::parse_payload(data).map(|v| v.to_owned());
    let _ = NexthopView::parse_payload(data).map(|v| v.to_owned());
    // Whole messages, walked with the tables of their type, as `nlkit decode` and the monitor do.
    for m in MsgIter::new(data).flatten() {
        let (_, m) = m;
        let ty = m.msg_type();
        let fixed = nlkit::route::fixed_header_len(ty).unwrap_or(0);
        let a = m.payload().get(nlkit::wire::align(fixed)..).unwrap_or(&[]);
        let _ = attrs::walk(nlkit::route::attr_set(ty), AttrIter::new(a), 0, &mut |n| {
            let _ = (n.name(), n.value());
        });
        let _ = nlkit::route::describe_fixed(ty, m.payload());
    }
});
