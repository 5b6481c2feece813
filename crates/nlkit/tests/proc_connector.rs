//! `nlkit::connector` against the real kernel. The proc connector exists only
//! in the initial network namespace, so these tests listen there: the one
//! exception to "a netns of its own", allowed because they only listen and
//! change nothing. Every process on the machine shows up; the tests pick
//! theirs out by pid.

use nlkit::connector::proc::EventSet;
use nlkit::connector::{ProcListener, ProcReceived};
use std::process::Command;
use std::time::{Duration, Instant};

/// True on kernels with `proc_input` (6.5+): they filter by kind, and answer it.
fn has_proc_input() -> bool {
    let r = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut v = r
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    (v.next().unwrap_or(0), v.next().unwrap_or(0)) >= (6, 5)
}

fn subscribe(events: &str) -> ProcListener {
    let l = ProcListener::subscribe(EventSet::parse(events).unwrap()).unwrap();
    // A missing event fails the test instead of hanging it.
    l.socket()
        .set_recv_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    l
}

/// What a test keeps of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    name: &'static str,
    pid: Option<i32>,
    tgid: Option<i32>,
    parent_pid: Option<i32>,
    parent_tgid: Option<i32>,
    exit_code: Option<u32>,
}

/// Receives until `stop` says so (or, with `stop` never true, until nothing
/// is queued on a non-blocking socket); returns what was seen and the number
/// of loss reports. Other processes' events keep coming, so a missed event
/// would not end in a receive timeout: a deadline ends the test instead.
fn collect(l: &mut ProcListener, mut stop: impl FnMut(&Seen) -> bool) -> (Vec<Seen>, u64) {
    let mut seen = Vec::new();
    let mut lost_reports = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        assert!(Instant::now() < deadline, "gave up waiting: {seen:?}");
        let r = match l.recv() {
            Err(e) if e.errno() == Some(libc::EAGAIN) => return (seen, lost_reports),
            r => r,
        };
        match r.unwrap_or_else(|e| panic!("recv: {e:#}")) {
            ProcReceived::Event(ev) => {
                let s = Seen {
                    name: ev.name(),
                    pid: ev.pid(),
                    tgid: ev.tgid(),
                    parent_pid: ev.parent_pid(),
                    parent_tgid: ev.parent_tgid(),
                    exit_code: ev.exit_code(),
                };
                let done = stop(&s);
                seen.push(s);
                if done {
                    return (seen, lost_reports);
                }
            }
            ProcReceived::Lost { .. } => lost_reports += 1,
            ProcReceived::Malformed { raw, error } => panic!("malformed {error}: {raw:02x?}"),
        }
    }
}

fn is_exit_of(s: &Seen, pid: i32) -> bool {
    s.name == "exit" && s.pid == Some(pid)
}

#[test]
fn fork_exec_and_exit_arrive_with_the_right_pids_and_code() {
    let mut l = subscribe("all");
    let me = std::process::id() as i32;
    let mut child = Command::new("sh")
        .args(["-c", "/bin/true; exit 3"])
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert_eq!(child.wait().unwrap().code(), Some(3));
    let (seen, _) = collect(&mut l, |s| is_exit_of(s, pid));
    let fork = seen
        .iter()
        .find(|s| s.name == "fork" && s.tgid == Some(pid))
        .unwrap_or_else(|| panic!("no fork of {pid}: {seen:?}"));
    assert_eq!(fork.parent_tgid, Some(me));
    assert_eq!(fork.pid, Some(pid));
    assert!(
        seen.iter()
            .any(|s| s.name == "exec" && s.pid == Some(pid) && s.tgid == Some(pid)),
        "no exec of {pid}"
    );
    let exit = seen.last().unwrap();
    assert_eq!(exit.exit_code, Some(3));
    assert_eq!(exit.tgid, Some(pid));
    // sh ran /bin/true as a child of its own: fork, exec, exit with code 0.
    let grandchild = seen
        .iter()
        .find(|s| s.name == "fork" && s.parent_tgid == Some(pid))
        .and_then(|s| s.tgid)
        .expect("sh forked /bin/true");
    let of_grandchild: Vec<_> = seen
        .iter()
        .filter(|s| s.tgid == Some(grandchild))
        .map(|s| (s.name, s.exit_code))
        .collect();
    assert_eq!(
        of_grandchild,
        [("fork", None), ("exec", None), ("exit", Some(0))]
    );
    let st = l.stats();
    assert_eq!((st.overruns, st.missing, st.malformed), (0, 0, 0), "{st:?}");
    assert_eq!(
        l.proc_input(),
        has_proc_input(),
        "6.5+ kernels answer proc_input"
    );
}

#[test]
fn with_only_exit_asked_for_nothing_else_arrives() {
    let mut l = subscribe("exit");
    assert_eq!(
        l.kernel_filter(),
        has_proc_input(),
        "6.5+ kernels filter by kind"
    );
    let mut child = Command::new("sh")
        .args(["-c", "/bin/true; exit 3"])
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    child.wait().unwrap();
    let (seen, _) = collect(&mut l, |s| is_exit_of(s, pid));
    assert!(seen.iter().all(|s| s.name == "exit"), "{seen:?}");
    assert_eq!(seen.last().unwrap().exit_code, Some(3));
}

#[test]
fn nonzero_exit_leaves_out_clean_exits() {
    let mut l = subscribe("nonzero-exit");
    let ok = Command::new("/bin/true").spawn().unwrap();
    let ok_pid = ok.id() as i32;
    let mut bad = Command::new("sh").args(["-c", "exit 7"]).spawn().unwrap();
    let bad_pid = bad.id() as i32;
    let _ = ok.wait_with_output();
    bad.wait().unwrap();
    // The clean exit happened first (it was waited for first) and must not come.
    let (seen, _) = collect(&mut l, |s| is_exit_of(s, bad_pid));
    assert!(!seen.iter().any(|s| s.pid == Some(ok_pid)), "{seen:?}");
    assert!(seen
        .iter()
        .all(|s| s.name == "exit" && s.exit_code != Some(0)));
    assert_eq!(seen.last().unwrap().exit_code, Some(7));
}

#[test]
fn comm_uid_and_gid_changes_arrive_with_their_values() {
    let mut l = ProcListener::subscribe(EventSet::parse("comm,uid,gid,exit").unwrap()).unwrap();
    l.socket()
        .set_recv_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // Naming a thread is PR_SET_NAME: a comm event for that thread.
    let named = std::thread::Builder::new()
        .name("nlkit-comm".into())
        .spawn(|| rustix::thread::gettid().as_raw_nonzero().get())
        .unwrap()
        .join()
        .unwrap();
    let mut child = Command::new("setpriv")
        .args([
            "--regid",
            "65533",
            "--reuid",
            "65534",
            "--clear-groups",
            "/bin/true",
        ])
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    assert!(child.wait().unwrap().success());
    let mut comm = None;
    let (mut uid, mut gid) = (None, None);
    loop {
        match l.recv().unwrap() {
            ProcReceived::Event(ev) => match (ev.name(), ev.pid()) {
                ("comm", Some(p)) if p == named => {
                    comm = ev.comm().map(<[u8]>::to_vec);
                    assert_eq!(ev.tgid(), Some(std::process::id() as i32));
                }
                ("uid", Some(p)) if p == pid => uid = Some(ev.to_string()),
                ("gid", Some(p)) if p == pid => gid = Some(ev.to_string()),
                ("exit", Some(p)) if p == pid => break,
                _ => {}
            },
            ProcReceived::Lost { .. } => panic!("lost events: {:?}", l.stats()),
            ProcReceived::Malformed { error, .. } => panic!("{error}"),
        }
    }
    assert_eq!(comm.as_deref(), Some(&b"nlkit-comm"[..]));
    assert_eq!(
        uid.as_deref(),
        Some(&*format!("uid pid {pid} ruid 65534 euid 65534"))
    );
    assert_eq!(
        gid.as_deref(),
        Some(&*format!("gid pid {pid} rgid 65533 egid 65533"))
    );
}

/// What a burst ran: the helper thread's id (the `parent_pid` of its forks)
/// and the children's pids.
struct Burst {
    tid: i32,
    pids: Vec<i32>,
}

/// Runs `n` short-lived `/bin/true`s one after the other on a helper thread.
fn burst(n: usize) -> std::thread::JoinHandle<Burst> {
    std::thread::spawn(move || {
        let tid = rustix::thread::gettid().as_raw_nonzero().get();
        let mut pids = Vec::with_capacity(n);
        for _ in 0..n {
            let mut c = Command::new("/bin/true").spawn().unwrap();
            pids.push(c.id() as i32);
            c.wait().unwrap();
        }
        Burst { tid, pids }
    })
}

/// Runs a process that exits with `code`; returns its pid.
fn marker(code: u8) -> i32 {
    let mut m = Command::new("sh")
        .args(["-c", &format!("exit {code}")])
        .spawn()
        .unwrap();
    let pid = m.id() as i32;
    m.wait().unwrap();
    pid
}

/// The burst's fork, exec and exit events among `seen`. Pids are reused
/// (`pid_max` may be 32768), so a child is known by its fork from the
/// burst's thread, and its exec and exit are counted while it lives.
fn count_for(seen: &[Seen], b: &Burst) -> u64 {
    let mut live = std::collections::HashSet::new();
    let mut n = 0;
    for s in seen {
        let (Some(pid), Some(tgid)) = (s.pid, s.tgid) else {
            continue;
        };
        let counted = pid == tgid
            && match s.name {
                "fork" => s.parent_pid == Some(b.tid) && live.insert(tgid),
                "exec" => live.contains(&tgid),
                "exit" => live.remove(&tgid),
                _ => false,
            };
        n += u64::from(counted);
    }
    n
}

/// True for the exit of a child of this process with `code`.
fn is_marker(s: &Seen, code: u32) -> bool {
    s.name == "exit"
        && s.exit_code == Some(code)
        && s.parent_tgid == Some(std::process::id() as i32)
}

#[test]
fn a_burst_of_20k_processes_loses_nothing_unreported() {
    let mut l = subscribe("all");
    // Receiving goes on while the burst runs; a marker process ends it.
    let h = std::thread::spawn(|| {
        let b = burst(20_000).join().unwrap();
        (b, marker(42))
    });
    let (seen, lost_reports) = collect(&mut l, |s| is_marker(s, 42));
    let (b, marker_pid) = h.join().unwrap();
    assert_eq!(seen.last().unwrap().pid, Some(marker_pid));
    let want = 3 * b.pids.len() as u64;
    let got = count_for(&seen, &b);
    let st = l.stats();
    println!(
        "burst: {} processes, {got}/{want} of their events seen, {} events handed out, \
         {} overruns, {} missing by sequence, {lost_reports} loss reports",
        b.pids.len(),
        st.events,
        st.overruns,
        st.missing
    );
    if st.missing == 0 && st.overruns == 0 {
        assert_eq!(got, want, "no loss reported, so every event arrived");
    } else {
        assert!(lost_reports > 0);
        // A missing fork also hides its child's exec and exit from the count.
        assert!(got + 3 * st.missing >= want || st.overruns > 0);
    }
}

#[test]
fn with_a_tiny_buffer_the_loss_is_reported() {
    let mut l = subscribe("all");
    l.socket().set_recv_buffer_size(1, true).unwrap();
    // Nothing is read until the burst is over: the buffer overflows.
    let b = burst(500).join().unwrap();
    // Room again, and the queue drained: an overflowed netlink socket takes
    // nothing more until its queue has been emptied once.
    l.socket().set_recv_buffer_size(8 << 20, true).unwrap();
    l.socket().set_nonblocking(true).unwrap();
    let (mut seen, mut lost_reports) = collect(&mut l, |_| false);
    l.socket().set_nonblocking(false).unwrap();
    let marker_pid = marker(43);
    let (rest, more_reports) = collect(&mut l, |s| is_marker(s, 43));
    assert_eq!(rest.last().unwrap().pid, Some(marker_pid));
    seen.extend(rest);
    lost_reports += more_reports;
    let want = 3 * b.pids.len() as u64;
    let got = count_for(&seen, &b);
    let st = l.stats();
    println!(
        "tiny buffer: {got}/{want} events seen, {} overruns, {} missing by sequence",
        st.overruns, st.missing
    );
    // The overrun is always reported. The count of missing events is only a
    // lower bound, possibly 0: a CPU's gap shows once an event from that CPU
    // came both before and after the loss.
    assert!(st.overruns >= 1 && lost_reports >= 1, "{st:?}");
    assert!(got < want);
}
