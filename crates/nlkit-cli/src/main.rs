//! `nlkit`: an iproute2-style command line for Linux netlink.
//!
//! Thin by design: argument parsing, dispatch to one `cmd/` module per
//! object, printing through `output`. No protocol logic lives here.

mod cmd;
mod error;
mod output;

use clap::{Parser, Subcommand};
use error::CliError;
use std::process::ExitCode;

/// Linux netlink from the command line: links, addresses, routes, monitors,
/// generic netlink, raw messages and a decoder.
#[derive(Parser, Debug)]
#[command(name = "nlkit", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

/// Options that apply to every command.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Global {
    /// JSON output (one object or array; `monitor` prints one JSON object per line).
    #[arg(short = 'j', long, global = true)]
    pub json: bool,
    /// Pretty-print JSON.
    #[arg(short = 'p', long, global = true)]
    pub pretty: bool,
    /// IPv4 only.
    #[arg(short = '4', global = true, conflicts_with = "ipv6")]
    pub ipv4: bool,
    /// IPv6 only.
    #[arg(short = '6', global = true)]
    pub ipv6: bool,
    /// Run in the network namespace NAME (`ip netns` name, /run/netns/NAME).
    #[arg(short = 'n', long, global = true, value_name = "NAME")]
    pub netns: Option<String>,
    /// Show details.
    #[arg(short = 'd', long, global = true)]
    pub details: bool,
    /// Brief output, one line per link (`-br`, as `ip -br`): link and addr show.
    #[arg(long, global = true)]
    pub brief: bool,
    /// Statistics (RX/TX counters) with link and addr show; twice for the error counters.
    #[arg(short = 's', long = "stats", alias = "statistics", global = true, action = clap::ArgAction::Count)]
    pub stats: u8,
    /// Print timestamps (monitor).
    #[arg(short = 't', long, global = true)]
    pub timestamp: bool,
    /// Read commands from FILE ('-' for stdin), one per line, applied as one batch.
    #[arg(short = 'b', long = "batch", value_name = "FILE", global = true)]
    pub batch: Option<String>,
    /// With --batch: carry on past errors.
    #[arg(long, global = true)]
    pub force: bool,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Decode netlink bytes (hex as pasted: pairs, 0x, `hexdump -C`, `xxd`; or raw binary).
    Decode(cmd::decode::Args),
    /// Print raw messages received on any protocol (and groups).
    Listen(cmd::raw::ListenArgs),
    /// Send a raw message on any protocol to a port id or a group.
    Send(cmd::raw::SendArgs),
    /// Network interfaces: show, add, set, del.
    Link(cmd::Words),
    /// Addresses: show, add, replace, del, flush.
    #[command(alias = "address", alias = "a")]
    Addr(cmd::Words),
    /// Routes: show, get, add, replace, append, del, flush.
    #[command(alias = "r")]
    Route(cmd::Words),
    /// Neighbours (ARP/NDP): show, add, replace, del.
    #[command(alias = "neighbor", alias = "neighbour")]
    Neigh(cmd::Words),
    /// Policy routing rules: show, add, del.
    Rule(cmd::Words),
    /// Nexthop objects: show, get, add, replace, del.
    #[command(alias = "nh")]
    Nexthop(cmd::Words),
    /// Watch events: link, addr, route, neigh, rule, nexthop, all; uevent, proc.
    Monitor(cmd::Words),
    /// Generic netlink: list families, call the nltest family.
    Genl(cmd::Words),
    /// Sockets, as `ss` lists them (ss's options: `nlkit ss -tan`).
    Ss(cmd::Words),
    /// The kernel's YAML netlink specs: list families, operations, attributes.
    Ynl(cmd::ynl::Args),
    /// Connection tracking, with conntrack-tools' grammar and output (-L -G -D -I -U -F -C -S).
    Conntrack(cmd::Words),
    /// Serve NFQUEUE queues: print each packet and issue a verdict.
    Nfqueue(cmd::nfqueue::Args),
    /// Print the packets logged to an NFLOG group (and write a pcap).
    Nflog(cmd::nflog::Args),
}

/// iproute2 writes `-batch`, `-json`...: accept single-dash long options too.
/// Display options written after an object's words (`nlkit route show -j`)
/// are moved before it, where the parser expects them.
fn normalize_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    const WORD_OBJECTS: &[&str] = &[
        "link",
        "addr",
        "address",
        "a",
        "route",
        "r",
        "neigh",
        "neighbor",
        "neighbour",
        "rule",
        "nexthop",
        "nh",
        "monitor",
        "genl",
    ];
    const HOISTED: &[&str] = &[
        "-j",
        "--json",
        "-p",
        "--pretty",
        "-d",
        "--details",
        "-t",
        "--timestamp",
        "--brief",
        "-s",
        "-ss",
        "--stats",
        "-4",
        "-6",
    ];
    const NETFILTER_OBJECTS: &[&str] = &["conntrack"];
    let mut out: Vec<String> = Vec::new();
    let mut hoisted: Vec<String> = Vec::new();
    let mut object_at = None;
    let mut in_nfqueue = false;
    let mut in_ynl = false;
    let mut args = args.into_iter();
    for (i, a) in args.by_ref().enumerate() {
        let a = match a.as_str() {
            "-batch" | "-force" | "-json" | "-pretty" | "-details" | "-netns" | "-timestamp"
                if i > 0 =>
            {
                format!("-{a}")
            }
            "-br" | "-brief" if i > 0 => "--brief".to_string(),
            "-stats" | "-statistics" if i > 0 => "--stats".to_string(),
            _ => a,
        };
        // ss's and conntrack's options are their own (`-t` is TCP for ss, `-s`
        // a source address for conntrack): hand them over untouched.
        if object_at.is_none()
            && i > 0
            && (a == "ss" || NETFILTER_OBJECTS.contains(&a.as_str()))
            && !out.last().is_some_and(|p| takes_value(p))
        {
            out.extend([a, "--".to_string()]);
            out.extend(args.by_ref());
            break;
        }
        // `ynl --json '{..}'` is the request, not the global `--json` flag.
        if a == "ynl" && object_at.is_none() {
            in_ynl = true;
        } else if in_ynl && (a == "--json" || a.starts_with("--json=")) {
            out.push(a.replacen("--json", "--request-json", 1));
            continue;
        }
        // `nfqueue --batch N` is its verdict batch, not the global `--batch FILE`.
        if a == "nfqueue" && object_at.is_none() {
            in_nfqueue = true;
        } else if in_nfqueue && a == "--batch" {
            out.push("--verdict-batch".into());
            continue;
        }
        if object_at.is_some() && HOISTED.contains(&a.as_str()) {
            hoisted.push(a);
            continue;
        }
        if object_at.is_none()
            && i > 0
            && WORD_OBJECTS.contains(&a.as_str())
            && !out.last().is_some_and(|p| takes_value(p))
        {
            object_at = Some(out.len());
        }
        out.push(a);
    }
    if let Some(at) = object_at {
        out.splice(at..at, hoisted);
    }
    out
}

/// Global options that take a value (so the word after them is not an object).
fn takes_value(opt: &str) -> bool {
    matches!(opt, "-n" | "--netns" | "-b" | "--batch")
}

fn run(cli: Cli) -> Result<(), CliError> {
    let g = &cli.global;
    let Some(cmd) = cli.cmd else {
        return match &g.batch {
            Some(file) => cmd::batch::run(g, file),
            None => Err(CliError::usage("a command is needed (or --batch FILE)")),
        };
    };
    if g.batch.is_some() {
        return Err(CliError::usage(
            "--batch FILE takes no command; the commands come from the file",
        ));
    }
    match cmd {
        Cmd::Decode(a) => cmd::decode::run(g, a),
        Cmd::Listen(a) => cmd::raw::listen(g, a),
        Cmd::Send(a) => cmd::raw::send(g, a),
        Cmd::Link(w) => cmd::route_family(g, "link", w),
        Cmd::Addr(w) => cmd::route_family(g, "addr", w),
        Cmd::Route(w) => cmd::route_family(g, "route", w),
        Cmd::Neigh(w) => cmd::route_family(g, "neigh", w),
        Cmd::Rule(w) => cmd::route_family(g, "rule", w),
        Cmd::Nexthop(w) => cmd::route_family(g, "nexthop", w),
        Cmd::Monitor(w) => cmd::route_family(g, "monitor", w),
        Cmd::Genl(w) => cmd::genl(g, w),
        Cmd::Ss(w) => cmd::ss::run(g, &w.words),
        Cmd::Ynl(a) => cmd::ynl::run(g, a),
        Cmd::Conntrack(w) => cmd::conntrack::run(g, &w.words),
        Cmd::Nfqueue(a) => cmd::nfqueue::run(g, a),
        Cmd::Nflog(a) => cmd::nflog::run(g, a),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(normalize_args(std::env::args())) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(CliError::Quiet(code)) => ExitCode::from(code),
        Err(e) => {
            eprintln!("nlkit: {e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_args;

    fn n(s: &str) -> Vec<String> {
        normalize_args(s.split(' ').map(String::from))
    }

    #[test]
    fn options_after_words_move_before_the_object() {
        assert_eq!(
            n("nlkit route show -j table 100"),
            n("nlkit -j route show table 100")
        );
        assert_eq!(
            n("nlkit -n link genl list -p"),
            n("nlkit -n link -p genl list")
        );
        assert_eq!(n("nlkit -batch f"), n("nlkit --batch f"));
        assert_eq!(n("nlkit -br link"), n("nlkit --brief link"));
        assert_eq!(n("nlkit link show -br -s"), n("nlkit --brief -s link show"));
        assert_eq!(n("nlkit nh show -j"), n("nlkit -j nh show"));
        assert_eq!(
            n("nlkit nexthop get id 1 -p -j"),
            n("nlkit -p -j nexthop get id 1")
        );
        assert_eq!(n("nlkit decode -j x"), n("nlkit decode -j x"));
        // ss's options are ss's own: passed on untouched
        assert_eq!(n("nlkit ss -tan -4"), ["nlkit", "ss", "--", "-tan", "-4"]);
        assert_eq!(
            n("nlkit -n ss ss -t"),
            ["nlkit", "-n", "ss", "ss", "--", "-t"]
        );
        assert_eq!(
            n("nlkit -n x conntrack -L -s 1.2.3.4 -j"),
            "nlkit -n x conntrack -- -L -s 1.2.3.4 -j"
                .split(' ')
                .map(String::from)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            n("nlkit nfqueue --queue 1 --batch 8"),
            n("nlkit nfqueue --queue 1 --verdict-batch 8")
        );
    }
}
