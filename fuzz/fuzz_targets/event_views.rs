#![no_main]
//! The uevent and proc connector views on arbitrary bytes: both uevent
//! formats and their properties, `cn_msg`, `proc_event` and every accessor,
//! and the decoder's descriptions.

use libfuzzer_sys::fuzz_target;
use nlkit::connector::proc::{ProcEvent, Subscription};
use nlkit::connector::{self, CnMsg};
use nlkit::uevent::{self, Event};
use nlkit::wire::Escaped;

fuzz_target!(|data: &[u8]| {
    if let Ok(ev) = Event::parse(data) {
        let _ = (ev.action(), ev.seqnum(), ev.subsystem(), ev.devtype(), ev.udev_header());
        for (k, v) in ev.properties() {
            let _ = (Escaped::new(k).to_string(), Escaped::strict(v).to_string());
        }
        let _ = ev.to_string();
    }
    let _ = uevent::describe(data).to_string();
    if let Ok(cn) = CnMsg::parse(data) {
        if let Ok(ev) = ProcEvent::parse(cn.data()) {
            let _ = (ev.pid(), ev.tgid(), ev.parent_pid(), ev.exit_code(), ev.term_signal());
            let _ = (ev.comm(), ev.exit_signal(), ev.ack_err(), ev.to_string());
        }
        let _ = Subscription::parse(cn.data());
    }
    let _ = connector::describe(data).to_string();
});
