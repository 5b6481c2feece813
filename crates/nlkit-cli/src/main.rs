//! `nlkit`: an iproute2-style command line for Linux netlink.
//!
//! Thin by design: argument parsing, dispatch to one `cmd/` module per
//! object, printing through `output`. No protocol logic lives here.

mod args;
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

/// Options that apply to every command. Before the object they are read
/// as `ip` reads its options (`-j`, `-json`, `-s -s`, `-4`, `-f inet6`,
/// `-o`, `-h`...: see `args.rs`); the names below are what they become.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Global {
    /// JSON output (one object or array; `monitor` prints one JSON object per line).
    #[arg(short = 'j', long, global = true, overrides_with = "json")]
    pub json: bool,
    /// Pretty-print JSON.
    #[arg(short = 'p', long, global = true, overrides_with = "pretty")]
    pub pretty: bool,
    /// IPv4 only (`-4`, `-f inet`; the last family option wins, as in ip).
    #[arg(short = '4', global = true, overrides_with_all = ["ipv4", "ipv6", "link_family"])]
    pub ipv4: bool,
    /// IPv6 only (`-6`, `-f inet6`).
    #[arg(short = '6', global = true, overrides_with_all = ["ipv4", "ipv6", "link_family"])]
    pub ipv6: bool,
    /// Link layer only (`-0`, `-f link`): `addr show` lists the links without addresses.
    #[arg(short = '0', global = true, overrides_with_all = ["ipv4", "ipv6", "link_family"])]
    pub link_family: bool,
    /// Run in the network namespace NAME (`ip netns` name, /run/netns/NAME).
    #[arg(short = 'n', long, global = true, value_name = "NAME")]
    pub netns: Option<String>,
    /// Show details.
    #[arg(short = 'd', long, global = true, overrides_with = "details")]
    pub details: bool,
    /// Brief output, one line per link (`-br`, as `ip -br`): link and addr show.
    #[arg(long, global = true, overrides_with = "brief")]
    pub brief: bool,
    /// One line per object (`-o`, `-oneline`): line breaks inside an object become `\`.
    #[arg(long, global = true, overrides_with = "oneline")]
    pub oneline: bool,
    /// Statistics (RX/TX counters) with link and addr show; twice for the error counters.
    #[arg(short = 's', long = "stats", alias = "statistics", global = true, action = clap::ArgAction::Count)]
    pub stats: u8,
    /// Statistics in human units (`-h`, `-human`: 1.50k, 2.00M...).
    #[arg(long, global = true, overrides_with = "human")]
    pub human: bool,
    /// With `-h`: powers of 1024 (`1.50ki`), as `ip -iec`.
    #[arg(long, global = true, overrides_with = "iec")]
    pub iec: bool,
    /// Print timestamps (monitor).
    #[arg(short = 't', long, global = true, overrides_with = "timestamp")]
    pub timestamp: bool,
    /// Short timestamps (`-ts`, `-tshort`): `[2026-12-01T11:40:00.123456]`, as ip.
    #[arg(long, global = true, overrides_with = "tshort")]
    pub tshort: bool,
    /// Colour (`-c`, `-color[=always|auto|never]`): accepted, nlkit prints no colour.
    #[arg(long, global = true, value_name = "WHEN", num_args = 0..=1, require_equals = true, default_missing_value = "always")]
    pub color: Option<String>,
    /// Read commands from FILE ('-' for stdin), one per line, applied as one batch.
    #[arg(short = 'b', long = "batch", value_name = "FILE", global = true)]
    pub batch: Option<String>,
    /// With --batch: carry on past errors.
    #[arg(long, global = true, overrides_with = "force")]
    pub force: bool,
    /// Host names instead of addresses where ip shows them (`-r`, `-resolve`):
    /// getnameinfo(3), so /etc/hosts and DNS; each address asked once.
    #[arg(long, global = true, overrides_with = "resolve")]
    pub resolve: bool,
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
    /// tun/tap devices, as `ip tuntap`: add, del, show.
    Tuntap(cmd::Words),
    /// Per-device IP settings (forwarding, rp_filter...): show.
    Netconf(cmd::Words),
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

/// The arguments clap reads, from the ones the user typed, or the error
/// ip would give (its text and exit code). See [`args`].
fn normalize_args(args: impl IntoIterator<Item = String>) -> Result<Vec<String>, args::Refused> {
    args::normalize(args)
}

/// The command line, every argument UTF-8: a name given as other bytes is
/// refused with a clear error (never a panic), as `ip` would take it.
fn utf8_args() -> Result<Vec<String>, args::Refused> {
    std::env::args_os()
        .map(|a| {
            a.into_string().map_err(|a| args::Refused {
                message: format!(
                    "nlkit: argument {:?} is not UTF-8: nlkit takes names as UTF-8 text only",
                    a
                ),
                code: 2,
            })
        })
        .collect()
}

fn run(cli: Cli) -> Result<(), CliError> {
    let g = &cli.global;
    if g.resolve {
        cmd::route::hosts::enable();
    }
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
        Cmd::Tuntap(w) => cmd::route_family(g, "tuntap", w),
        Cmd::Netconf(w) => cmd::route_family(g, "netconf", w),
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
    let argv = match utf8_args().and_then(normalize_args) {
        Ok(a) => a,
        Err(r) => {
            eprintln!("{}", r.message);
            return ExitCode::from(r.code);
        }
    };
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => {
            output::set_human(c.global.human, c.global.iec);
            c
        }
        Err(e) if e.use_stderr() => {
            // clap echoes the offending argument: cut, as every error is.
            eprint!("{}", error::shown(e.render()));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(CliError::Quiet(code)) => ExitCode::from(code),
        Err(e) => {
            eprintln!("nlkit: {}", error::shown(format_args!("{e:#}")));
            ExitCode::from(e.exit_code())
        }
    }
}
