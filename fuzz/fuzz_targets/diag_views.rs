//! Every sock_diag view, every accessor, and the filter parser and compiler
//! on arbitrary bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nlkit::diag::filter::{self, Numeric};
use nlkit::diag::inet::InetSock;
use nlkit::diag::netlink::NetlinkSock;
use nlkit::diag::packet::PacketSock;
use nlkit::diag::unix::UnixSock;
use nlkit::wire::MsgIter;

fuzz_target!(|data: &[u8]| {
    for (_, m) in MsgIter::new(data).flatten() {
        if let Ok(s) = InetSock::parse(m) {
            let _ = (s.src(), s.dst(), s.tcp_info(), s.mptcp_info(), s.meminfo(), s.vegas());
            let _ = (s.dctcp(), s.bbr(), s.cong(), s.ulp_name(), s.mptcp_subflow(), s.mark());
            let _ = s.skmeminfo().map(|m| (0..10).fold(0u32, |a, i| a ^ m.at(i)));
            let _ = s.attrs.iter().count();
        }
        if let Ok(s) = UnixSock::parse(m) {
            let _ = (s.name(), s.peer(), s.queues(), s.vfs(), s.icons().count(), s.uid());
        }
        if let Ok(s) = NetlinkSock::parse(m) {
            let _ = (s.groups(), s.skmeminfo(), s.flags());
        }
        if let Ok(s) = PacketSock::parse(m) {
            let _ = (s.info(), s.ring(2), s.ring(3), s.fanout(), s.uid());
        }
    }
    // the same bytes as filter words
    if let Ok(text) = std::str::from_utf8(data) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if let Ok(p) = filter::parse(&words, 0, &Numeric) {
            if let Some(e) = p.expr {
                let _ = filter::compile(&e);
            }
        }
    }
});
