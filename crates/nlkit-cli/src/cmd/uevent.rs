//! `nlkit monitor uevent [--kernel|--udev] [--subsystem S[/DEVTYPE]]... [--property]`:
//! kobject uevents as `udevadm monitor` prints them.
//!
//! Text: first the banner `udevadm monitor` prints, then a line per event,
//! `KERNEL[1234.567890] add      /devices/virtual/net/d0 (net)` (`UDEV  [...]`
//! for udevd's events; the time is `CLOCK_MONOTONIC` at reception), and with
//! `--property` the event's `KEY=VALUE` lines and an empty line. Bytes that
//! are not UTF-8 (and control characters) are shown as `\xNN`.
//!
//! JSON (`-j`): one object per line, keys in [`JSON_KEYS`].
//!
//! Messages from untrusted senders are dropped; each drop is told on stderr
//! with the count so far. An overrun is a `lost` line (text) or object
//! (JSON) with the number of overruns since the start; the monitor carries on.

use super::events::{json_line, parse, print_malformed};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::socket::netns::Netns;
use nlkit::socket::Socket;
use nlkit::uevent::{Event, Listener, Received, Source, Sources};
use nlkit::wire::Escaped;
use nlkit::Protocol;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::time::Duration;

/// The JSON output, documented (shown by `nlkit monitor uevent --help`).
pub const JSON_KEYS: &str = "\
JSON output (-j): one object per line.
  source       \"kernel\" or \"udev\"
  action       add, remove, change, move, online, offline, bind, unbind (or as sent)
  devpath      the device path under /sys
  subsystem    SUBSYSTEM (null if absent)
  devtype      DEVTYPE (null if absent)
  seqnum       SEQNUM as a number (null if absent; a string if not a number)
  properties   every KEY=VALUE in the order sent, as an object (with --property)
  timestamp    CLOCK_MONOTONIC at reception, seconds, 6 decimals (as a string)
Strings are lossless: bytes that are not UTF-8 and control characters are
\\xNN, a backslash is \\\\.
An overrun is {\"lost\": true, \"overruns\": N} (N: overruns since the start).
A message that is not a uevent is {\"malformed\": REASON, \"hex\": BYTES}.";

/// Options of `nlkit monitor uevent`.
#[derive(clap::Parser, Debug)]
#[command(about = "Kobject uevents, as udevadm monitor prints them", after_help = JSON_KEYS)]
struct Args {
    /// The kernel's uevents only (group 1).
    #[arg(short = 'k', long)]
    kernel: bool,
    /// udevd's events only (group 2).
    #[arg(short = 'u', long)]
    udev: bool,
    /// Only events of this subsystem (and device type); may be repeated.
    #[arg(
        long,
        visible_alias = "subsystem-match",
        value_name = "SUBSYSTEM[/DEVTYPE]"
    )]
    subsystem: Vec<String>,
    /// Print each event's properties.
    #[arg(short = 'e', long, visible_alias = "environment")]
    property: bool,
    /// Stop after N events.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

/// Runs `nlkit monitor uevent ...`.
pub fn run(g: &Global, words: &[String]) -> Result<(), CliError> {
    let Some(a) = parse::<Args>("uevent", words)? else {
        return Ok(());
    };
    let sources = match (a.kernel, a.udev) {
        (true, false) => Sources::KERNEL,
        (false, true) => Sources::UDEV,
        _ => Sources::BOTH,
    };
    let filters: Vec<(String, Option<String>)> = a
        .subsystem
        .iter()
        .map(|s| match s.split_once('/') {
            Some((s, d)) => (s.to_string(), Some(d.to_string())),
            None => (s.clone(), None),
        })
        .collect();
    let sock = match &g.netns {
        Some(n) => Netns::Named(n).run(|| Socket::new(Protocol::KOBJECT_UEVENT)),
        None => Socket::new(Protocol::KOBJECT_UEVENT),
    }
    .map_err(|e| nlkit::Error::io("open uevent socket", e))?;
    let mut l = Listener::with_socket(sock, sources)?;
    let mut out = Out::new(g);
    if !out.json {
        out.line("monitor will print the received events for:")?;
        if sources.udev {
            out.line("UDEV - the event which udev sends out after rule processing")?;
        }
        if sources.kernel {
            out.line("KERNEL - the kernel uevent")?;
        }
        out.line("")?;
        out.flush()?;
    }
    eprintln!(
        "nlkit: monitor uevent: listening (receive buffer {} bytes)",
        l.recv_buffer()
    );
    let mut seen = 0u64;
    let mut untrusted = 0;
    while a.count.is_none_or(|c| seen < c) {
        match l.recv()? {
            Received::Event { event, at } => {
                let wanted = filters.is_empty()
                    || filters
                        .iter()
                        .any(|(s, d)| event.matches(s.as_bytes(), d.as_deref().map(str::as_bytes)));
                if wanted {
                    print_event(g, &mut out, &event, at, a.property)?;
                }
                seen += u64::from(wanted);
            }
            Received::Lost { overruns } => {
                if out.json {
                    out.line(format_args!("{{\"lost\":true,\"overruns\":{overruns}}}"))?;
                } else {
                    out.line(format_args!(
                        "lost: the kernel dropped uevents (receive buffer overrun), {overruns} overrun(s) since the start"
                    ))?;
                }
            }
            Received::Malformed { raw, error } => {
                print_malformed(g, &mut out, "not a uevent", raw, &error)?
            }
        }
        out.flush()?;
        // Drops happen inside recv(); told after the message that ended it.
        if l.stats().untrusted != untrusted {
            untrusted = l.stats().untrusted;
            eprintln!("nlkit: dropped a message from an untrusted sender ({untrusted} so far)");
        }
    }
    Ok(())
}

/// One event: a line as `udevadm monitor` prints it (and its properties), or a JSON object.
fn print_event(
    g: &Global,
    out: &mut Out,
    event: &Event<'_>,
    at: Duration,
    properties: bool,
) -> Result<(), CliError> {
    if out.json {
        let j = EventJson {
            event,
            at,
            properties,
        };
        return out.line(json_line(g, &j)?);
    }
    out.line(text_line(event, at))?;
    if properties {
        for (k, v) in event.properties() {
            out.line(format_args!("{}={}", Escaped::new(k), Escaped::new(v)))?;
        }
        out.line("")?;
    }
    Ok(())
}

/// `seconds.micros`, as `udevadm monitor` prints the time.
fn seconds(at: Duration) -> String {
    format!("{}.{:06}", at.as_secs(), at.subsec_micros())
}

/// `KERNEL[1234.567890] add      /devices/virtual/net/d0 (net)`.
fn text_line(ev: &Event<'_>, at: Duration) -> String {
    let source = match ev.source() {
        Source::Kernel => "KERNEL",
        Source::Udev => "UDEV",
    };
    format!(
        "{source:<6}[{}] {:<8} {} ({})",
        seconds(at),
        Escaped::new(ev.action_bytes()).to_string(),
        Escaped::new(ev.devpath()),
        Escaped::new(ev.subsystem().unwrap_or(b"n/a")),
    )
}

/// One event as a JSON object, written straight from the buffer.
struct EventJson<'a> {
    event: &'a Event<'a>,
    at: Duration,
    properties: bool,
}

/// A byte string as a lossless JSON string.
struct Str<'a>(&'a [u8]);

impl Serialize for Str<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Escaped::strict(self.0))
    }
}

/// The properties as an object, in the order sent (a repeated key stays repeated).
struct Props<'a>(&'a Event<'a>);

impl Serialize for Props<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.0.properties() {
            m.serialize_entry(&Str(k), &Str(v))?;
        }
        m.end()
    }
}

impl Serialize for EventJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.event;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("source", ev.source().name())?;
        m.serialize_entry("action", &Str(ev.action_bytes()))?;
        m.serialize_entry("devpath", &Str(ev.devpath()))?;
        m.serialize_entry("subsystem", &ev.subsystem().map(Str))?;
        m.serialize_entry("devtype", &ev.devtype().map(Str))?;
        match (ev.seqnum(), ev.seqnum_bytes()) {
            (Some(n), _) => m.serialize_entry("seqnum", &n)?,
            (None, b) => m.serialize_entry("seqnum", &b.map(Str))?,
        }
        if self.properties {
            m.serialize_entry("properties", &Props(ev))?;
        }
        m.serialize_entry("timestamp", &seconds(self.at))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nlkit::uevent::{emit_kernel, emit_udev};

    #[test]
    fn lines_as_udevadm_prints_them() {
        let mut b = Vec::new();
        emit_kernel(
            &mut b,
            b"add",
            b"/devices/virtual/net/d0",
            &[(b"SUBSYSTEM", b"net"), (b"SEQNUM", b"12")],
        );
        let ev = Event::parse(&b).unwrap();
        let at = Duration::new(1234, 567_890_123);
        assert_eq!(
            text_line(&ev, at),
            "KERNEL[1234.567890] add      /devices/virtual/net/d0 (net)"
        );
        let mut u = Vec::new();
        emit_udev(
            &mut u,
            &[
                (b"ACTION", b"remove"),
                (b"DEVPATH", b"/devices/x"),
                (b"SUBSYSTEM", b"block"),
            ],
        );
        let ev = Event::parse(&u).unwrap();
        assert_eq!(
            text_line(&ev, Duration::new(5, 1000)),
            "UDEV  [5.000001] remove   /devices/x (block)"
        );
    }

    #[test]
    fn json_is_lossless() {
        let mut b = Vec::new();
        emit_kernel(
            &mut b,
            b"change",
            b"/devices/\xff",
            &[
                (b"SUBSYSTEM", b"x"),
                (b"K", b"a\\b\x01"),
                (b"SEQNUM", b"nan"),
            ],
        );
        let ev = Event::parse(&b).unwrap();
        let j = EventJson {
            event: &ev,
            at: Duration::new(1, 0),
            properties: true,
        };
        let g = Global::default();
        assert_eq!(
            json_line(&g, &j).unwrap(),
            r#"{"source":"kernel","action":"change","devpath":"/devices/\\xff","subsystem":"x","devtype":null,"seqnum":"nan","properties":{"SUBSYSTEM":"x","K":"a\\\\b\\x01","SEQNUM":"nan"},"timestamp":"1.000000"}"#
        );
    }
}
