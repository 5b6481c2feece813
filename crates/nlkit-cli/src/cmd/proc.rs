//! `nlkit monitor proc [--events fork,exec,exit,...]`: process events from
//! the proc connector, a line per event (`exit pid 1234 code 3`) or, with
//! `-j`, a JSON object per line (keys in [`JSON_KEYS`]). `-t` puts the
//! event's kernel timestamp (`CLOCK_MONOTONIC`) before each line.
//!
//! Lost events (an overrun, or a gap in the kernel's sequence numbers) are a
//! `lost` line or object with the counts since the start; the monitor
//! carries on. The proc connector exists only in the initial network
//! namespace and answers only processes in the initial user and pid
//! namespaces; elsewhere subscribing fails with an error that says so.

use super::events::{json_line, parse, print_malformed};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::connector::proc::{EventData, EventSet, ProcEvent};
use nlkit::connector::{ProcListener, ProcReceived};
use nlkit::wire::Escaped;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The JSON output, documented (shown by `nlkit monitor proc --help`).
pub const JSON_KEYS: &str = "\
JSON output (-j): one object per line; every key is present (null where it
does not apply to the event):
  event         fork, exec, uid, gid, sid, ptrace, comm, coredump, exit
  pid, tgid     the thread and process the event is about (fork: the child)
  parent_pid, parent_tgid   fork, coredump, exit: the parent
  exit_code     exit: the code passed to exit() (null if killed by a signal)
  exit_signal   exit: the signal sent to the parent (the kernel's exit_signal: usually 17, -1 for a thread)
  comm          comm: the new name (lossless: \\xNN for bytes that are not UTF-8)
  cpu           the CPU that reported it
  timestamp_ns  CLOCK_MONOTONIC nanoseconds
and, by event: exit: status (raw wait status), signal (the killing signal
or null), core_dumped; uid: ruid, euid; gid: rgid, egid; ptrace:
tracer_pid, tracer_tgid.
Lost events are {\"event\": \"lost\", \"overruns\": N, \"missing\": M} (counts
since the start; missing counts gaps in the kernel's sequence numbers).
A message that does not parse is {\"malformed\": REASON, \"hex\": BYTES}.";

/// Options of `nlkit monitor proc`.
#[derive(clap::Parser, Debug)]
#[command(about = "Process events from the proc connector", after_help = JSON_KEYS)]
struct Args {
    /// Events to show: fork, exec, uid, gid, sid, ptrace, comm, coredump,
    /// exit, nonzero-exit, all (comma-separated; filtered in the kernel on 6.5+).
    #[arg(long, value_name = "LIST", default_value = "all", value_parser = EventSet::parse)]
    events: EventSet,
    /// Stop after N events.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

/// Runs `nlkit monitor proc ...`.
pub fn run(g: &Global, words: &[String]) -> Result<(), CliError> {
    let Some(a) = parse::<Args>("proc", words)? else {
        return Ok(());
    };
    if g.netns.is_some() {
        return Err(CliError::usage(
            "monitor proc: the proc connector exists only in the initial network namespace (no --netns)",
        ));
    }
    let mut l = ProcListener::subscribe(a.events)?;
    eprintln!(
        "nlkit: monitor proc: listening for {} ({})",
        a.events,
        match (l.kernel_filter(), l.proc_input()) {
            (true, _) => "filtered by the kernel",
            (false, true) => "proc_input",
            (false, false) => "4-byte subscription, filtered here",
        }
    );
    let mut out = Out::new(g);
    let mut seen = 0u64;
    while a.count.is_none_or(|c| seen < c) {
        match l.recv()? {
            ProcReceived::Event(ev) => {
                if out.json {
                    out.line(json_line(g, &EventJson(&ev))?)?;
                } else if g.timestamp {
                    let t = ev.timestamp_ns();
                    out.line(format_args!(
                        "[{}.{:09}] {ev}",
                        t / 1_000_000_000,
                        t % 1_000_000_000
                    ))?;
                } else {
                    out.line(ev)?;
                }
                seen += 1;
            }
            ProcReceived::Lost { overruns, missing } => {
                if out.json {
                    out.line(format_args!(
                        "{{\"event\":\"lost\",\"overruns\":{overruns},\"missing\":{missing}}}"
                    ))?;
                } else {
                    out.line(format_args!(
                        "lost: {overruns} overrun(s), {missing} event(s) known missing since the start"
                    ))?;
                }
            }
            ProcReceived::Malformed { raw, error } => {
                print_malformed(g, &mut out, "malformed proc event", raw, &error)?
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// One event as a JSON object.
struct EventJson<'a>(&'a ProcEvent<'a>);

impl Serialize for EventJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("event", ev.name())?;
        m.serialize_entry("pid", &ev.pid())?;
        m.serialize_entry("tgid", &ev.tgid())?;
        m.serialize_entry("parent_pid", &ev.parent_pid())?;
        m.serialize_entry("parent_tgid", &ev.parent_tgid())?;
        m.serialize_entry("exit_code", &ev.exit_code())?;
        m.serialize_entry("exit_signal", &ev.exit_signal())?;
        m.serialize_entry("comm", &ev.comm().map(|c| Escaped::strict(c).to_string()))?;
        m.serialize_entry("cpu", &ev.cpu())?;
        m.serialize_entry("timestamp_ns", &ev.timestamp_ns())?;
        match ev.data() {
            EventData::Exit(_) => {
                m.serialize_entry("status", &ev.exit_status())?;
                m.serialize_entry("signal", &ev.term_signal())?;
                m.serialize_entry("core_dumped", &ev.core_dumped())?;
            }
            EventData::Uid(d) => {
                m.serialize_entry("ruid", &d.real.get())?;
                m.serialize_entry("euid", &d.effective.get())?;
            }
            EventData::Gid(d) => {
                m.serialize_entry("rgid", &d.real.get())?;
                m.serialize_entry("egid", &d.effective.get())?;
            }
            EventData::Ptrace(d) => {
                m.serialize_entry("tracer_pid", &d.tracer_pid.get())?;
                m.serialize_entry("tracer_tgid", &d.tracer_tgid.get())?;
            }
            _ => {}
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_as_json() {
        let mut b = Vec::new();
        for w in [0x8000_0000u32, 1] {
            b.extend_from_slice(&w.to_ne_bytes()); // what = EXIT, cpu
        }
        b.extend_from_slice(&5u64.to_ne_bytes()); // timestamp_ns
        for w in [1234u32, 1234, 3 << 8, 17, 1, 1] {
            b.extend_from_slice(&w.to_ne_bytes()); // pid, tgid, exit_code, exit_signal, parent
        }
        let ev = ProcEvent::parse(&b).unwrap();
        assert_eq!(
            json_line(&Global::default(), &EventJson(&ev)).unwrap(),
            r#"{"event":"exit","pid":1234,"tgid":1234,"parent_pid":1,"parent_tgid":1,"exit_code":3,"exit_signal":17,"comm":null,"cpu":1,"timestamp_ns":5,"status":768,"signal":null,"core_dumped":false}"#
        );
    }
}
