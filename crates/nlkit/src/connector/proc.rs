//! Process events (`CN_IDX_PROC`): `struct proc_event` and its union
//! members read in place, the subscription messages, and event sets.
//!
//! A `proc_event` is a 16-byte header (`what`, `cpu`, `timestamp_ns`)
//! followed by the member of `event_data` that `what` names. Unknown kinds
//! are kept raw ([`EventData::Unknown`]); data too short for its member is a
//! [`wire::Error::Truncated`], never a panic.
//!
//! # References
//! `include/uapi/linux/cn_proc.h`, `drivers/connector/cn_proc.c`.

use crate::wire::{self, Escaped};
use core::fmt;
use zerocopy::byteorder::{NativeEndian, I32, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `PROC_CN_MCAST_LISTEN`: start sending events to this socket.
pub const PROC_CN_MCAST_LISTEN: u32 = 1;
/// `PROC_CN_MCAST_IGNORE`: stop.
pub const PROC_CN_MCAST_IGNORE: u32 = 2;

/// `PROC_EVENT_NONE`: the kernel's answer to a subscription (`ack.err`).
pub const PROC_EVENT_NONE: u32 = 0;
/// `PROC_EVENT_FORK`.
pub const PROC_EVENT_FORK: u32 = 0x0000_0001;
/// `PROC_EVENT_EXEC`.
pub const PROC_EVENT_EXEC: u32 = 0x0000_0002;
/// `PROC_EVENT_UID`.
pub const PROC_EVENT_UID: u32 = 0x0000_0004;
/// `PROC_EVENT_GID`.
pub const PROC_EVENT_GID: u32 = 0x0000_0040;
/// `PROC_EVENT_SID`.
pub const PROC_EVENT_SID: u32 = 0x0000_0080;
/// `PROC_EVENT_PTRACE`.
pub const PROC_EVENT_PTRACE: u32 = 0x0000_0100;
/// `PROC_EVENT_COMM`.
pub const PROC_EVENT_COMM: u32 = 0x0000_0200;
/// `PROC_EVENT_NONZERO_EXIT`: only a filter bit (exits with a nonzero status); events come as `EXIT`.
pub const PROC_EVENT_NONZERO_EXIT: u32 = 0x2000_0000;
/// `PROC_EVENT_COREDUMP`.
pub const PROC_EVENT_COREDUMP: u32 = 0x4000_0000;
/// `PROC_EVENT_EXIT`.
pub const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// Size of the `proc_event` header (`what`, `cpu`, `timestamp_ns`).
pub const PROC_EVENT_HEADER_LEN: usize = 16;

/// The header of `struct proc_event`.
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                     what (u32, PROC_EVENT_*)                  |
/// +---------------------------------------------------------------+
/// |                           cpu (u32)                           |
/// +---------------------------------------------------------------+
/// |              timestamp_ns (u64, since boot, monotonic)        |
/// +---------------------------------------------------------------+
/// |                  event_data (union) ...                       |
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
#[doc(alias = "proc_event")]
pub struct ProcEventHeader {
    /// `PROC_EVENT_*`.
    pub what: U32<NativeEndian>,
    /// The CPU that sent it.
    pub cpu: U32<NativeEndian>,
    /// `ktime_get_ns()`: nanoseconds of `CLOCK_MONOTONIC`.
    pub timestamp_ns: U64<NativeEndian>,
}

macro_rules! member {
    ($(#[$m:meta])* $name:ident $alias:literal { $($(#[$fm:meta])* $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
        #[repr(C)]
        #[doc(alias = $alias)]
        pub struct $name { $($(#[$fm])* pub $f: $t,)* }
    };
}

member!(
    /// `ack`: the answer to a subscription.
    AckData "ack" {
        /// 0, or a positive errno.
        err: U32<NativeEndian>,
    }
);
member!(
    /// `fork_proc_event`.
    ForkData "fork_proc_event" {
        /// Parent's thread id.
        parent_pid: I32<NativeEndian>,
        /// Parent's process id.
        parent_tgid: I32<NativeEndian>,
        /// Child's thread id.
        child_pid: I32<NativeEndian>,
        /// Child's process id.
        child_tgid: I32<NativeEndian>,
    }
);
member!(
    /// `exec_proc_event`, and `sid_proc_event` (the same layout).
    TaskData "exec_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
    }
);
member!(
    /// `id_proc_event`: uid or gid change.
    IdData "id_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
        /// Real uid (or gid), in the initial user namespace.
        real: U32<NativeEndian>,
        /// Effective uid (or gid).
        effective: U32<NativeEndian>,
    }
);
member!(
    /// `ptrace_proc_event`.
    PtraceData "ptrace_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
        /// Tracer's thread id (0: detached).
        tracer_pid: I32<NativeEndian>,
        /// Tracer's process id.
        tracer_tgid: I32<NativeEndian>,
    }
);
member!(
    /// `comm_proc_event`.
    CommData "comm_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
        /// The new name, NUL-padded.
        comm: [u8; 16],
    }
);
member!(
    /// `coredump_proc_event`.
    CoredumpData "coredump_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
        /// Parent's thread id.
        parent_pid: I32<NativeEndian>,
        /// Parent's process id.
        parent_tgid: I32<NativeEndian>,
    }
);
member!(
    /// `exit_proc_event`.
    ExitData "exit_proc_event" {
        /// Thread id.
        process_pid: I32<NativeEndian>,
        /// Process id.
        process_tgid: I32<NativeEndian>,
        /// The wait status (`task->exit_code`): `code << 8`, or the signal (+ 0x80 with a core dump).
        exit_code: U32<NativeEndian>,
        /// The signal the parent is sent (`task->exit_signal`: usually SIGCHLD; -1 for a thread).
        exit_signal: I32<NativeEndian>,
        /// Parent's thread id.
        parent_pid: I32<NativeEndian>,
        /// Parent's process id.
        parent_tgid: I32<NativeEndian>,
    }
);

/// The union member of a [`ProcEvent`], by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventData<'a> {
    /// `PROC_EVENT_NONE`: an answer to a subscription.
    Ack(&'a AckData),
    /// `PROC_EVENT_FORK`.
    Fork(&'a ForkData),
    /// `PROC_EVENT_EXEC`.
    Exec(&'a TaskData),
    /// `PROC_EVENT_UID`.
    Uid(&'a IdData),
    /// `PROC_EVENT_GID`.
    Gid(&'a IdData),
    /// `PROC_EVENT_SID`.
    Sid(&'a TaskData),
    /// `PROC_EVENT_PTRACE`.
    Ptrace(&'a PtraceData),
    /// `PROC_EVENT_COMM`.
    Comm(&'a CommData),
    /// `PROC_EVENT_COREDUMP`.
    Coredump(&'a CoredumpData),
    /// `PROC_EVENT_EXIT`.
    Exit(&'a ExitData),
    /// A kind this version does not know: the data, kept.
    Unknown(&'a [u8]),
}

/// One process event, read in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcEvent<'a> {
    header: &'a ProcEventHeader,
    data: EventData<'a>,
}

fn member<T: FromBytes + KnownLayout + Immutable + Unaligned>(rest: &[u8]) -> wire::Result<&T> {
    T::ref_from_prefix(rest)
        .map(|(t, _)| t)
        .map_err(|_| wire::Error::Truncated {
            at: PROC_EVENT_HEADER_LEN,
            need: core::mem::size_of::<T>(),
            have: rest.len(),
        })
}

impl<'a> ProcEvent<'a> {
    /// Reads a `proc_event` from a connector message's data. Offsets in
    /// errors count from the start of `data`.
    pub fn parse(data: &'a [u8]) -> wire::Result<ProcEvent<'a>> {
        let (header, rest) =
            ProcEventHeader::ref_from_prefix(data).map_err(|_| wire::Error::Truncated {
                at: 0,
                need: PROC_EVENT_HEADER_LEN,
                have: data.len(),
            })?;
        let data = match header.what.get() {
            PROC_EVENT_NONE => EventData::Ack(member(rest)?),
            PROC_EVENT_FORK => EventData::Fork(member(rest)?),
            PROC_EVENT_EXEC => EventData::Exec(member(rest)?),
            PROC_EVENT_UID => EventData::Uid(member(rest)?),
            PROC_EVENT_GID => EventData::Gid(member(rest)?),
            PROC_EVENT_SID => EventData::Sid(member(rest)?),
            PROC_EVENT_PTRACE => EventData::Ptrace(member(rest)?),
            PROC_EVENT_COMM => EventData::Comm(member(rest)?),
            PROC_EVENT_COREDUMP => EventData::Coredump(member(rest)?),
            PROC_EVENT_EXIT => EventData::Exit(member(rest)?),
            _ => EventData::Unknown(rest),
        };
        Ok(ProcEvent { header, data })
    }

    /// The header.
    pub fn header(&self) -> &'a ProcEventHeader {
        self.header
    }
    /// The union member.
    pub fn data(&self) -> EventData<'a> {
        self.data
    }
    /// `what` (`PROC_EVENT_*`).
    pub fn what(&self) -> u32 {
        self.header.what.get()
    }
    /// The kind's name: `fork`, `exec`, `uid`, `gid`, `sid`, `ptrace`,
    /// `comm`, `coredump`, `exit`, `ack` or `unknown`.
    pub fn name(&self) -> &'static str {
        match self.data {
            EventData::Ack(_) => "ack",
            EventData::Fork(_) => "fork",
            EventData::Exec(_) => "exec",
            EventData::Uid(_) => "uid",
            EventData::Gid(_) => "gid",
            EventData::Sid(_) => "sid",
            EventData::Ptrace(_) => "ptrace",
            EventData::Comm(_) => "comm",
            EventData::Coredump(_) => "coredump",
            EventData::Exit(_) => "exit",
            EventData::Unknown(_) => "unknown",
        }
    }
    /// The CPU that sent it.
    pub fn cpu(&self) -> u32 {
        self.header.cpu.get()
    }
    /// Nanoseconds of `CLOCK_MONOTONIC` when it happened.
    pub fn timestamp_ns(&self) -> u64 {
        self.header.timestamp_ns.get()
    }
    /// `(pid, tgid)` of the task the event is about.
    fn task(&self) -> Option<(i32, i32)> {
        let (pid, tgid) = match self.data {
            EventData::Fork(d) => (d.child_pid, d.child_tgid),
            EventData::Exec(d) | EventData::Sid(d) => (d.process_pid, d.process_tgid),
            EventData::Uid(d) | EventData::Gid(d) => (d.process_pid, d.process_tgid),
            EventData::Ptrace(d) => (d.process_pid, d.process_tgid),
            EventData::Comm(d) => (d.process_pid, d.process_tgid),
            EventData::Coredump(d) => (d.process_pid, d.process_tgid),
            EventData::Exit(d) => (d.process_pid, d.process_tgid),
            EventData::Ack(_) | EventData::Unknown(_) => return None,
        };
        Some((pid.get(), tgid.get()))
    }
    /// The thread the event is about (for `fork`: the child).
    pub fn pid(&self) -> Option<i32> {
        self.task().map(|t| t.0)
    }
    /// The process (thread group) the event is about.
    pub fn tgid(&self) -> Option<i32> {
        self.task().map(|t| t.1)
    }
    /// The parent's thread id (`fork`, `coredump`, `exit`).
    pub fn parent_pid(&self) -> Option<i32> {
        match self.data {
            EventData::Fork(d) => Some(d.parent_pid.get()),
            EventData::Coredump(d) => Some(d.parent_pid.get()),
            EventData::Exit(d) => Some(d.parent_pid.get()),
            _ => None,
        }
    }
    /// The parent's process id (`fork`, `coredump`, `exit`).
    pub fn parent_tgid(&self) -> Option<i32> {
        match self.data {
            EventData::Fork(d) => Some(d.parent_tgid.get()),
            EventData::Coredump(d) => Some(d.parent_tgid.get()),
            EventData::Exit(d) => Some(d.parent_tgid.get()),
            _ => None,
        }
    }
    /// `exit`: the raw wait status (the kernel's `exit_code` field).
    pub fn exit_status(&self) -> Option<u32> {
        match self.data {
            EventData::Exit(d) => Some(d.exit_code.get()),
            _ => None,
        }
    }
    /// `exit`: the code the process passed to `exit()`, if it was not killed.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_status()
            .filter(|s| s & 0x7f == 0)
            .map(|s| (s >> 8) & 0xff)
    }
    /// `exit`: the signal that killed the process, if one did.
    pub fn term_signal(&self) -> Option<u32> {
        self.exit_status().map(|s| s & 0x7f).filter(|&s| s != 0)
    }
    /// `exit`: true if the process dumped core.
    pub fn core_dumped(&self) -> bool {
        self.exit_status().is_some_and(|s| s & 0x80 != 0)
    }
    /// `exit`: the signal sent to the parent (the kernel's `exit_signal`:
    /// usually SIGCHLD, -1 for a thread).
    pub fn exit_signal(&self) -> Option<i32> {
        match self.data {
            EventData::Exit(d) => Some(d.exit_signal.get()),
            _ => None,
        }
    }
    /// `comm`: the new name, up to its first NUL (bytes: not necessarily UTF-8).
    pub fn comm(&self) -> Option<&'a [u8]> {
        match self.data {
            EventData::Comm(d) => {
                let n = d.comm.iter().position(|&b| b == 0).unwrap_or(16);
                Some(&d.comm[..n])
            }
            _ => None,
        }
    }
    /// `ack`: 0 or the errno of a refused subscription.
    pub fn ack_err(&self) -> Option<u32> {
        match self.data {
            EventData::Ack(d) => Some(d.err.get()),
            _ => None,
        }
    }
}

impl fmt::Display for ProcEvent<'_> {
    /// One line: `exit pid 1234 code 3`, `fork pid 1235 parent 1234`...
    /// (`tgid T` is added when a thread is not its process's leader).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Some((pid, tgid)) = self.task() {
            write!(f, " pid {pid}")?;
            if tgid != pid {
                write!(f, " tgid {tgid}")?;
            }
        }
        match self.data {
            EventData::Ack(d) => write!(f, " err {}", d.err.get()),
            EventData::Fork(d) => write!(f, " parent {}", d.parent_tgid.get()),
            EventData::Exec(_) | EventData::Sid(_) => Ok(()),
            EventData::Uid(d) => write!(f, " ruid {} euid {}", d.real.get(), d.effective.get()),
            EventData::Gid(d) => write!(f, " rgid {} egid {}", d.real.get(), d.effective.get()),
            EventData::Ptrace(d) => write!(f, " tracer {}", d.tracer_tgid.get()),
            EventData::Comm(_) => write!(f, " comm {}", Escaped::new(self.comm().unwrap_or(b""))),
            EventData::Coredump(d) => write!(f, " parent {}", d.parent_tgid.get()),
            EventData::Exit(_) => {
                match (self.exit_code(), self.term_signal()) {
                    (Some(c), _) => write!(f, " code {c}")?,
                    (None, Some(s)) => write!(f, " signal {s}")?,
                    (None, None) => {}
                }
                if self.core_dumped() {
                    f.write_str(" (core dumped)")?;
                }
                Ok(())
            }
            EventData::Unknown(d) => write!(f, " what {:#x} ({} bytes)", self.what(), d.len()),
        }
    }
}

/// A set of event kinds, as `proc_input.event_type` carries it (the
/// `PROC_EVENT_*` bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventSet(pub u32);

/// Names of the kinds that can be asked for, and their bits.
const NAMES: &[(&str, u32)] = &[
    ("fork", PROC_EVENT_FORK),
    ("exec", PROC_EVENT_EXEC),
    ("uid", PROC_EVENT_UID),
    ("gid", PROC_EVENT_GID),
    ("sid", PROC_EVENT_SID),
    ("ptrace", PROC_EVENT_PTRACE),
    ("comm", PROC_EVENT_COMM),
    ("coredump", PROC_EVENT_COREDUMP),
    ("exit", PROC_EVENT_EXIT),
    ("nonzero-exit", PROC_EVENT_NONZERO_EXIT),
];

impl EventSet {
    /// `PROC_EVENT_ALL`: every kind.
    #[doc(alias = "PROC_EVENT_ALL")]
    pub const ALL: EventSet = EventSet(
        PROC_EVENT_FORK
            | PROC_EVENT_EXEC
            | PROC_EVENT_UID
            | PROC_EVENT_GID
            | PROC_EVENT_SID
            | PROC_EVENT_PTRACE
            | PROC_EVENT_COMM
            | PROC_EVENT_NONZERO_EXIT
            | PROC_EVENT_COREDUMP
            | PROC_EVENT_EXIT,
    );

    /// Parses `fork,exec,exit` (names: fork, exec, uid, gid, sid, ptrace,
    /// comm, coredump, exit, nonzero-exit, all).
    pub fn parse(s: &str) -> Result<EventSet, String> {
        let mut bits = 0;
        for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            bits |= match w {
                "all" => EventSet::ALL.0,
                w => NAMES
                    .iter()
                    .find(|(n, _)| *n == w)
                    .map(|(_, b)| *b)
                    .ok_or_else(|| {
                        let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                        format!(
                            "unknown process event {w:?}: use {} or all",
                            names.join(", ")
                        )
                    })?,
            };
        }
        if bits == 0 {
            return Err("no process events named".into());
        }
        Ok(EventSet(bits))
    }

    /// True if every kind is in the set.
    pub fn is_all(self) -> bool {
        self.0 & EventSet::ALL.0 == EventSet::ALL.0
    }

    /// True if `ev` passes this set, as the kernel's filter decides (6.5+):
    /// an `exit` passes `nonzero-exit` only with a nonzero status.
    pub fn accepts(self, ev: &ProcEvent<'_>) -> bool {
        if self.is_all() {
            return true;
        }
        let what = ev.what();
        if self.0 & PROC_EVENT_NONZERO_EXIT != 0
            && what == PROC_EVENT_EXIT
            && ev.exit_status().unwrap_or(0) != 0
        {
            return true;
        }
        self.0 & what != 0
    }
}

impl fmt::Display for EventSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("all events");
        }
        let mut first = true;
        for (n, b) in NAMES {
            if self.0 & b != 0 {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(n)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// A subscription message (what a listener sends): the 4-byte
/// `proc_cn_mcast_op` of kernels before 6.5, or `struct proc_input`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// `PROC_CN_MCAST_LISTEN` or `PROC_CN_MCAST_IGNORE`.
    pub op: u32,
    /// `proc_input.event_type`; `None` for the 4-byte form (all events).
    pub events: Option<EventSet>,
}

impl Subscription {
    /// The bytes to send as the connector message's data.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut b = self.op.to_ne_bytes().to_vec();
        if let Some(e) = self.events {
            b.extend_from_slice(&e.0.to_ne_bytes());
        }
        b
    }
    /// Reads one (4 or 8 bytes), as the kernel does.
    pub fn parse(data: &[u8]) -> Option<Subscription> {
        let word = |i: usize| {
            data.get(i..i + 4)
                .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        };
        match data.len() {
            4 => Some(Subscription {
                op: word(0)?,
                events: None,
            }),
            8 => Some(Subscription {
                op: word(0)?,
                events: Some(EventSet(word(4)?)),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            PROC_CN_MCAST_LISTEN => "listen",
            PROC_CN_MCAST_IGNORE => "ignore",
            _ => "unknown op",
        };
        match self.events {
            None => write!(f, "subscribe ({op}, all events)"),
            Some(e) if e.0 == 0 => write!(f, "subscribe ({op}, all events)"),
            Some(e) => write!(f, "subscribe ({op}, {e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `proc_event` of kind `what` with a union member `data`, padded to the kernel's 40 bytes.
    fn event(what: u32, cpu: u32, ts: u64, data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&what.to_ne_bytes()); // what
        b.extend_from_slice(&cpu.to_ne_bytes()); // cpu
        b.extend_from_slice(&ts.to_ne_bytes()); // timestamp_ns
        b.extend_from_slice(data); // event_data
        b.resize(40, 0);
        b
    }

    fn words(w: &[i32]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    #[test]
    fn fork_exec_exit() {
        let fork = event(PROC_EVENT_FORK, 1, 99, &words(&[10, 10, 11, 11]));
        let ev = ProcEvent::parse(&fork).unwrap();
        assert_eq!(ev.name(), "fork");
        assert_eq!((ev.pid(), ev.tgid()), (Some(11), Some(11)));
        assert_eq!((ev.parent_pid(), ev.parent_tgid()), (Some(10), Some(10)));
        assert_eq!((ev.cpu(), ev.timestamp_ns()), (1, 99));
        assert_eq!(ev.to_string(), "fork pid 11 parent 10");

        let exec = event(PROC_EVENT_EXEC, 0, 0, &words(&[12, 11]));
        let ev = ProcEvent::parse(&exec).unwrap();
        assert_eq!(ev.to_string(), "exec pid 12 tgid 11");

        // exit(3): wait status 3 << 8, SIGCHLD to the parent
        let exit = event(
            PROC_EVENT_EXIT,
            0,
            0,
            &words(&[1234, 1234, 3 << 8, 17, 10, 10]),
        );
        let ev = ProcEvent::parse(&exit).unwrap();
        assert_eq!(ev.to_string(), "exit pid 1234 code 3");
        assert_eq!(ev.exit_code(), Some(3));
        assert_eq!(ev.exit_status(), Some(768));
        assert_eq!(ev.exit_signal(), Some(17));
        assert_eq!(ev.term_signal(), None);
        // killed by SIGSEGV with a core dump
        let killed = event(PROC_EVENT_EXIT, 0, 0, &words(&[5, 5, 11 | 0x80, 17, 1, 1]));
        let ev = ProcEvent::parse(&killed).unwrap();
        assert_eq!(ev.to_string(), "exit pid 5 signal 11 (core dumped)");
        assert_eq!(ev.exit_code(), None);
    }

    /// The one-line form of an event of kind `what` with union member `data`.
    fn line(what: u32, data: &[u8]) -> String {
        ProcEvent::parse(&event(what, 0, 0, data))
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_other_kinds() {
        let mut comm = words(&[7, 7]);
        comm.extend_from_slice(b"wor\xffker\0\0\0\0\0\0\0\0\0");
        let b = event(PROC_EVENT_COMM, 0, 0, &comm);
        let ev = ProcEvent::parse(&b).unwrap();
        assert_eq!(ev.comm(), Some(&b"wor\xffker"[..]));
        assert_eq!(ev.to_string(), "comm pid 7 comm wor\\xffker");
        let uid = line(PROC_EVENT_UID, &words(&[7, 7, 1000, 0]));
        assert_eq!(uid, "uid pid 7 ruid 1000 euid 0");
        let gid = line(PROC_EVENT_GID, &words(&[7, 7, 5, 6]));
        assert_eq!(gid, "gid pid 7 rgid 5 egid 6");
        assert_eq!(line(PROC_EVENT_SID, &words(&[7, 7])), "sid pid 7");
        let ptrace = line(PROC_EVENT_PTRACE, &words(&[7, 7, 9, 9]));
        assert_eq!(ptrace, "ptrace pid 7 tracer 9");
        let core = line(PROC_EVENT_COREDUMP, &words(&[7, 7, 1, 1]));
        assert_eq!(core, "coredump pid 7 parent 1");
        let b = event(PROC_EVENT_NONE, 0, 0, &words(&[0]));
        let ev = ProcEvent::parse(&b).unwrap();
        assert_eq!((ev.name(), ev.ack_err()), ("ack", Some(0)));
        assert_eq!(line(0x400, &[]), "unknown what 0x400 (24 bytes)");
    }

    #[test]
    fn short_data_is_a_precise_error() {
        assert_eq!(
            ProcEvent::parse(&[0; 10]),
            Err(wire::Error::Truncated {
                at: 0,
                need: 16,
                have: 10
            })
        );
        let exit = event(PROC_EVENT_EXIT, 0, 0, &[]);
        assert_eq!(
            ProcEvent::parse(&exit[..30]),
            Err(wire::Error::Truncated {
                at: 16,
                need: 24,
                have: 14
            })
        );
    }

    #[test]
    fn event_sets_filter_as_the_kernel_does() {
        let set = EventSet::parse("fork, exit").unwrap();
        assert_eq!(set.0, PROC_EVENT_FORK | PROC_EVENT_EXIT);
        assert_eq!(set.to_string(), "fork,exit");
        assert!(EventSet::parse("fork,bogus").unwrap_err().contains("bogus"));
        assert!(EventSet::parse("").is_err());
        assert!(EventSet::parse("all").unwrap().is_all());
        let ok = event(PROC_EVENT_EXIT, 0, 0, &words(&[1, 1, 0, 17, 0, 0]));
        let bad = event(PROC_EVENT_EXIT, 0, 0, &words(&[1, 1, 1 << 8, 17, 0, 0]));
        let fork = event(PROC_EVENT_FORK, 0, 0, &words(&[1, 1, 2, 2]));
        let nz = EventSet::parse("nonzero-exit").unwrap();
        let (ok, bad, fork) = (
            ProcEvent::parse(&ok).unwrap(),
            ProcEvent::parse(&bad).unwrap(),
            ProcEvent::parse(&fork).unwrap(),
        );
        assert!(!nz.accepts(&ok) && nz.accepts(&bad) && !nz.accepts(&fork));
        assert!(set.accepts(&ok) && set.accepts(&fork));
        assert!(EventSet::ALL.accepts(&fork));
    }

    #[test]
    fn subscriptions() {
        let s = Subscription {
            op: PROC_CN_MCAST_LISTEN,
            events: Some(EventSet(PROC_EVENT_EXIT)),
        };
        let b = s.to_bytes();
        assert_eq!(
            b,
            [1u32.to_ne_bytes(), 0x8000_0000u32.to_ne_bytes()].concat()
        );
        assert_eq!(Subscription::parse(&b), Some(s));
        assert_eq!(s.to_string(), "subscribe (listen, exit)");
        assert_eq!(Subscription::parse(&[0; 5]), None);
    }
}
