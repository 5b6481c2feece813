//! `nlkit::uevent` against the real kernel. Every test runs in a network
//! namespace of its own: the veths it makes and the uevents it injects stay
//! there (net-device uevents and injected ones are delivered in their own
//! netns only). Host devices' uevents may also arrive; the tests pick theirs
//! out by devpath.

use nlkit::socket::netns::in_new_netns;
use nlkit::socket::{Dest, Socket};
use nlkit::uevent::{
    emit_kernel, emit_udev, inject, Action, Listener, ParseError, Received, Source, Sources,
};
use nlkit::Protocol;
use std::process::Command;
use std::time::Duration;

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn netns<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    in_new_netns(f).unwrap()
}

fn listener(sources: Sources) -> Listener {
    let l = Listener::open(sources).unwrap();
    // A missing event fails the test instead of hanging it.
    l.socket()
        .set_recv_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    l
}

/// What a test keeps of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    source: Source,
    action: Vec<u8>,
    devpath: Vec<u8>,
    subsystem: Option<Vec<u8>>,
    props: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Receives until an event for `devpath` comes (others are skipped).
fn next_for(l: &mut Listener, devpath: &[u8]) -> Seen {
    loop {
        match l.recv().unwrap() {
            Received::Event { event, .. } if event.devpath() == devpath => {
                return Seen {
                    source: event.source(),
                    action: event.action_bytes().to_vec(),
                    devpath: event.devpath().to_vec(),
                    subsystem: event.subsystem().map(<[u8]>::to_vec),
                    props: event
                        .properties()
                        .map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .collect(),
                }
            }
            Received::Event { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn marker(name: &str) -> Vec<u8> {
    let devpath = format!("/devices/virtual/nlkit-test/{name}");
    let mut b = Vec::new();
    emit_kernel(
        &mut b,
        b"change",
        devpath.as_bytes(),
        &[
            (b"ACTION", b"change"),
            (b"DEVPATH", devpath.as_bytes()),
            (b"SUBSYSTEM", b"nlkit-test"),
        ],
    );
    b
}

#[test]
fn veth_add_and_remove_come_as_net_uevents_in_their_own_netns_only() {
    // A second namespace listens too: it must not see the veth.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        netns(move || {
            let mut l = listener(Sources::KERNEL);
            ready_tx.send(()).unwrap();
            done_rx.recv().unwrap();
            // Anything queued before this marker arrives first.
            inject(&marker("other")).unwrap();
            let mut seen = Vec::new();
            loop {
                match l.recv().unwrap() {
                    Received::Event { event, .. } => {
                        if event.devpath() == b"/devices/virtual/nlkit-test/other" {
                            return seen;
                        }
                        seen.push(event.devpath().to_vec());
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        })
    });
    ready_rx.recv().unwrap();
    netns(|| {
        let mut l = listener(Sources::KERNEL);
        sh("ip link add ue0 type veth peer name ue1");
        let add = next_for(&mut l, b"/devices/virtual/net/ue0");
        assert_eq!(add.source, Source::Kernel);
        assert_eq!(add.action, b"add");
        assert_eq!(add.subsystem.as_deref(), Some(&b"net"[..]));
        assert!(add
            .props
            .contains(&(b"INTERFACE".to_vec(), b"ue0".to_vec())));
        assert_eq!(add.props.last().unwrap().0, b"SEQNUM", "SEQNUM comes last");
        sh("ip link del ue0");
        let remove = next_for(&mut l, b"/devices/virtual/net/ue0");
        assert_eq!(remove.action, b"remove");
        assert_eq!(remove.subsystem.as_deref(), Some(&b"net"[..]));
        let stats = l.stats();
        assert_eq!(
            (stats.untrusted, stats.overruns, stats.malformed),
            (0, 0, 0)
        );
    });
    done_tx.send(()).unwrap();
    let seen_elsewhere = other.join().unwrap();
    assert!(
        !seen_elsewhere
            .iter()
            .any(|p| p.starts_with(b"/devices/virtual/net/ue")),
        "another netns saw the veth: {seen_elsewhere:?}"
    );
}

#[test]
fn an_injected_uevent_comes_back_as_a_kernel_event_with_a_seqnum() {
    netns(|| {
        let mut l = listener(Sources::BOTH);
        let mut msg = Vec::new();
        emit_kernel(
            &mut msg,
            b"add",
            b"/devices/virtual/nlkit-test/inj\xff",
            &[
                (b"ACTION", b"add"),
                (b"DEVPATH", b"/devices/virtual/nlkit-test/inj\xff"),
                (b"SUBSYSTEM", b"nlkit-test"),
                (b"DEVTYPE", b"gadget"),
                (b"WEIRD", b"caf\xc3\xa9\xfe"),
            ],
        );
        inject(&msg).unwrap();
        let ev = next_for(&mut l, b"/devices/virtual/nlkit-test/inj\xff");
        assert_eq!(ev.source, Source::Kernel);
        assert_eq!(ev.action, b"add");
        assert_eq!(ev.subsystem.as_deref(), Some(&b"nlkit-test"[..]));
        assert_eq!(ev.props.len(), 6, "{:?}", ev.props);
        assert_eq!(
            ev.props[4],
            (b"WEIRD".to_vec(), b"caf\xc3\xa9\xfe".to_vec())
        );
        let (k, v) = &ev.props[5];
        assert_eq!(k, b"SEQNUM");
        assert!(std::str::from_utf8(v).unwrap().parse::<u64>().is_ok());
    });
}

#[test]
fn a_message_to_group_1_from_a_user_port_is_dropped_and_counted() {
    netns(|| {
        let mut l = listener(Sources::KERNEL);
        let user = Socket::open(Protocol::KOBJECT_UEVENT).unwrap();
        let forged = marker("forged");
        user.send_to(&forged, Dest::group(1).unwrap()).unwrap();
        // Then a real one: it is the first thing the listener hands out.
        inject(&marker("real")).unwrap();
        let ev = next_for(&mut l, b"/devices/virtual/nlkit-test/real");
        assert_eq!(ev.source, Source::Kernel);
        assert_eq!(l.stats().untrusted, 1);
        assert_eq!(l.stats().events, 1);
    });
}

#[test]
fn udev_messages_are_parsed_and_a_bad_magic_is_rejected_with_a_reason() {
    netns(|| {
        let mut l = listener(Sources::UDEV);
        // udevd sends from its own port to group 2, as root.
        let udevd = Socket::open(Protocol::KOBJECT_UEVENT).unwrap();
        let mut good = Vec::new();
        emit_udev(
            &mut good,
            &[
                (b"ACTION", b"bind"),
                (b"DEVPATH", b"/devices/virtual/nlkit-test/u0"),
                (b"SUBSYSTEM", b"nlkit-test"),
                (b"SEQNUM", b"77"),
                (b"ID_FOO", b"bar"),
            ],
        );
        let mut bad = good.clone();
        bad[8..12].copy_from_slice(&0xdeadbeefu32.to_be_bytes());
        let to = Dest::group(2).unwrap();
        udevd.send_to(&good, to).unwrap();
        udevd.send_to(&bad, to).unwrap();
        match l.recv().unwrap() {
            Received::Event { event, .. } => {
                assert_eq!(event.source(), Source::Udev);
                assert_eq!(event.action(), Some(Action::Bind));
                assert_eq!(event.devpath(), b"/devices/virtual/nlkit-test/u0");
                assert_eq!(event.seqnum(), Some(77));
                assert_eq!(event.property(b"ID_FOO"), Some(&b"bar"[..]));
                assert!(event.matches(b"nlkit-test", None));
            }
            other => panic!("unexpected {other:?}"),
        }
        match l.recv().unwrap() {
            Received::Malformed { raw, error } => {
                assert_eq!(raw, &bad[..]);
                assert_eq!(error, ParseError::BadMagic { found: 0xdeadbeef });
                assert!(error.to_string().contains("0xdeadbeef"), "{error}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(l.stats().malformed, 1);
    });
}

#[test]
fn an_overrun_is_reported_as_lost_and_the_listener_carries_on() {
    netns(|| {
        let mut l = listener(Sources::KERNEL);
        // The smallest buffer the kernel allows: a burst cannot fit.
        l.socket().set_recv_buffer_size(1, true).unwrap();
        for i in 0..200 {
            inject(&marker(&format!("burst{i}"))).unwrap();
        }
        let mut lost = None;
        let mut burst = 0;
        loop {
            l.socket().set_nonblocking(true).unwrap();
            match l.recv() {
                Ok(Received::Lost { overruns }) => lost = Some(overruns),
                Ok(Received::Event { .. }) => burst += 1,
                Ok(other) => panic!("unexpected {other:?}"),
                Err(e) if e.errno() == Some(libc::EAGAIN) => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(
            lost,
            Some(1),
            "one overrun reported ({burst} events got through)"
        );
        assert!(burst < 200);
        l.socket().set_nonblocking(false).unwrap();
        inject(&marker("after")).unwrap();
        let ev = next_for(&mut l, b"/devices/virtual/nlkit-test/after");
        assert_eq!(ev.action, b"change");
        assert_eq!(l.stats().overruns, 1);
    });
}

#[test]
fn too_big_an_injection_is_refused_with_the_kernels_reason() {
    netns(|| {
        let big = vec![b'x'; 3000];
        let mut msg = Vec::new();
        emit_kernel(
            &mut msg,
            b"add",
            b"/devices/virtual/nlkit-test/big",
            &[(b"X", &big)],
        );
        let e = inject(&msg).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        let k = e.kernel().expect("a kernel error");
        assert_eq!(k.message.as_deref(), Some("uevent message too big"), "{e}");
        assert!(e.to_string().starts_with("inject uevent: "), "{e}");
    });
}
