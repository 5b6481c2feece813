//! The command line as `ip` reads it, turned into what clap parses.
//!
//! Before the object, options are matched as iproute2 6.1's `ip.c` matches
//! them: one or two leading dashes, any prefix of the option's name, the
//! names tried in ip's order (so `-s` is `-stats`, `-b` is `-batch`, `-br`
//! `-brief`, `-h` `-human`, `-r` `-resolve`, `-t` `-timestamp`, `-ts`
//! `-tshort`). Family options (`-4`, `-6`, `-0`, `-f inet|inet6|link`)
//! override each other: the last one wins. Repeated flags (`-j -j`) are
//! allowed. An option ip does not know is refused with ip's message and exit
//! status 255; one ip knows and nlkit does not implement is refused by name.
//!
//! The object is matched the same way, against ip's table in ip's order
//! ([`crate::cmd::ip_object`]: `a` is address, `r` route, `n` neighbour,
//! `l` link, `ru` rule, `mo` monitor, `nex` nexthop), after nlkit's own
//! objects (`decode`, `ss`, `genl`...), which are matched whole.
//!
//! Display options written after an rtnetlink object's words (`nlkit route
//! show -j`, an nlkit extension) are moved before it.

use crate::cmd::{ip_object, IpObject};

/// Why the command line is refused: ip's text, and its exit status.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    /// What to print on stderr.
    pub message: String,
    /// The exit status.
    pub code: u8,
}

/// ip exits with -1 (255) for a bad option.
const BAD_OPTION: u8 = 255;

fn refuse(message: String, code: u8) -> Refused {
    Refused { message, code }
}

/// ip's `matches()`: `w` is a non-empty prefix of `name`.
pub fn matches(w: &str, name: &str) -> bool {
    !w.is_empty() && name.starts_with(w)
}

/// A row of one of ip's word tables: `w` is `name` or, if `prefix`, any
/// non-empty prefix of it (ip's `matches()`; else its `strcmp()`).
pub fn matches_row(w: &str, name: &str, prefix: bool) -> bool {
    if prefix {
        matches(w, name)
    } else {
        w == name
    }
}

/// What a global option does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    /// Becomes this clap flag.
    Flag(&'static str),
    /// Becomes this clap option, with the next argument as its value.
    Value(&'static str),
    /// `-f FAMILY`.
    Family,
    /// A family flag (`-4`...): the last one wins.
    FamilyIs(&'static str),
    /// `-color[=WHEN]`.
    Color,
    /// `-help`, `-Version`.
    Clap(&'static str),
    /// ip has it, nlkit does not.
    Unsupported,
}

/// ip 6.1's options, in the order `ip.c` tries them. `true`: matched by
/// prefix; `false`: the whole word only.
const OPTIONS: &[(&str, bool, Opt)] = &[
    ("-loops", true, Opt::Unsupported),
    ("-family", true, Opt::Family),
    ("-4", false, Opt::FamilyIs("-4")),
    ("-6", false, Opt::FamilyIs("-6")),
    ("-0", false, Opt::FamilyIs("-0")),
    ("-M", false, Opt::Unsupported),
    ("-B", false, Opt::Unsupported),
    ("-human", true, Opt::Flag("--human")),
    ("-human-readable", true, Opt::Flag("--human")),
    ("-iec", true, Opt::Flag("--iec")),
    ("-stats", true, Opt::Flag("-s")),
    ("-statistics", true, Opt::Flag("-s")),
    ("-details", true, Opt::Flag("--details")),
    ("-resolve", true, Opt::Flag("--resolve")),
    ("-oneline", true, Opt::Flag("--oneline")),
    ("-timestamp", true, Opt::Flag("--timestamp")),
    ("-tshort", true, Opt::Flag("--tshort")),
    ("-Version", true, Opt::Clap("--version")),
    ("-force", true, Opt::Flag("--force")),
    ("-batch", true, Opt::Value("--batch")),
    ("-brief", true, Opt::Flag("--brief")),
    ("-json", true, Opt::Flag("--json")),
    ("-pretty", true, Opt::Flag("--pretty")),
    ("-rcvbuf", true, Opt::Unsupported),
    ("-color", true, Opt::Color),
    ("-help", true, Opt::Clap("--help")),
    ("-netns", true, Opt::Value("--netns")),
    ("-Numeric", true, Opt::Unsupported),
    ("-all", true, Opt::Unsupported),
    ("-echo", false, Opt::Unsupported),
];

/// Looks `opt` (one leading dash) up in ip's table.
fn option(opt: &str) -> Option<(&'static str, Opt)> {
    // `-color=never`: the name is what comes before `=`.
    let name = opt.split_once('=').map_or(opt, |(n, _)| n);
    OPTIONS.iter().find_map(|&(full, prefix, what)| {
        let hit = matches_row(name, full, prefix) && (name == opt || what == Opt::Color);
        hit.then_some((full, what))
    })
}

/// The options before the object, read as ip reads them.
#[derive(Default)]
struct Options {
    flags: Vec<String>,
    family: Option<&'static str>,
}

impl Options {
    /// Reads one option (`a`, with its value taken from `rest` if it has
    /// one). `Ok(false)`: not an ip option.
    fn read(&mut self, a: &str, rest: &mut dyn Iterator<Item = String>) -> Result<bool, Refused> {
        // nlkit's own spellings, kept: `--version`, `-ss`.
        match a {
            "--version" | "-V" => {
                self.flags.push("--version".into());
                return Ok(true);
            }
            "-ss" => {
                self.flags.extend(["-s".into(), "-s".into()]);
                return Ok(true);
            }
            _ => {}
        }
        let opt = a
            .strip_prefix('-')
            .filter(|o| o.starts_with('-'))
            .unwrap_or(a);
        let Some((full, what)) = option(opt) else {
            return Ok(false);
        };
        match what {
            Opt::Flag(f) | Opt::Clap(f) => self.flags.push(f.into()),
            Opt::FamilyIs(f) => self.family = Some(f),
            Opt::Value(f) => {
                let what = if f == "--batch" {
                    "batch file"
                } else {
                    "netns name"
                };
                let v = rest.next().ok_or_else(|| missing(what))?;
                self.flags.extend([f.to_string(), v]);
            }
            Opt::Family => {
                let v = rest.next().ok_or_else(|| missing("family type"))?;
                self.family = Some(match v.as_str() {
                    "inet" => "-4",
                    "inet6" => "-6",
                    "link" => "-0",
                    "help" => {
                        self.flags.push("--help".into());
                        return Ok(true);
                    }
                    "mpls" | "bridge" => {
                        return Err(refuse(
                            format!("Error: family \"{v}\" is not supported by nlkit"),
                            BAD_OPTION,
                        ))
                    }
                    _ => {
                        return Err(refuse(
                            format!(
                                "Error: argument \"{}\" is wrong: invalid protocol family",
                                crate::error::clip(&v)
                            ),
                            BAD_OPTION,
                        ))
                    }
                });
            }
            Opt::Color => match opt.split_once('=').map(|(_, w)| w) {
                None => self.flags.push("--color=always".into()),
                Some(w @ ("always" | "auto" | "never")) => self.flags.push(format!("--color={w}")),
                Some(_) => return Ok(false),
            },
            Opt::Unsupported => {
                return Err(refuse(
                    format!("Option \"{full}\" is not supported by nlkit"),
                    BAD_OPTION,
                ))
            }
        }
        Ok(true)
    }

    /// The clap arguments, the family last.
    fn into_args(self) -> impl Iterator<Item = String> {
        self.flags.into_iter().chain(self.family.map(String::from))
    }
}

fn missing(what: &str) -> Refused {
    refuse(
        format!("Error: argument \"{what}\" is required"),
        BAD_OPTION,
    )
}

fn unknown_option(a: &str) -> Refused {
    refuse(
        format!(
            "Option \"{}\" is unknown, try \"ip -help\".",
            crate::error::clip(a)
        ),
        BAD_OPTION,
    )
}

/// Display options that may follow an rtnetlink object's (or `genl`'s) words.
const HOISTED: &[&str] = &[
    "-j",
    "--json",
    "-json",
    "-p",
    "--pretty",
    "-pretty",
    "-d",
    "--details",
    "-details",
    "-t",
    "--timestamp",
    "-ts",
    "-o",
    "-oneline",
    "--oneline",
    "-br",
    "-brief",
    "--brief",
    "-s",
    "-ss",
    "-stats",
    "-statistics",
    "--stats",
    "-h",
    "-human",
    "--human",
    "-iec",
    "--iec",
    "-4",
    "-6",
    "-0",
];

/// Turns the user's arguments into clap's (see the module's doc).
pub fn normalize(args: impl IntoIterator<Item = String>) -> Result<Vec<String>, Refused> {
    let mut args = args.into_iter();
    let mut out: Vec<String> = args.next().into_iter().collect();
    let mut opts = Options::default();
    let mut object = None;
    while let Some(a) = args.next() {
        if a == "--" {
            object = args.next();
            break;
        }
        if !a.starts_with('-') || a == "-" {
            object = Some(a);
            break;
        }
        if !opts.read(&a, &mut args)? {
            return Err(unknown_option(&a));
        }
    }
    let Some(object) = object else {
        out.extend(opts.into_args());
        return Ok(out);
    };
    let object = match ip_object(&object) {
        Some(IpObject::Nlkit(o)) => o,
        Some(IpObject::Help) => {
            out.extend(opts.into_args());
            out.push("--help".into());
            return Ok(out);
        }
        Some(IpObject::Unsupported(o)) => {
            return Err(refuse(
                format!("Object \"{o}\" is not supported by nlkit"),
                1,
            ));
        }
        None => {
            return Err(refuse(
                format!(
                    "Object \"{}\" is unknown, try \"ip help\".",
                    crate::error::clip(&object)
                ),
                1,
            ))
        }
    };
    match object {
        // ss's and conntrack's options are their own (`-t` is TCP for ss,
        // `-s` a source address for conntrack): hand them over untouched.
        "ss" | "conntrack" => {
            out.extend(opts.into_args());
            out.extend([object.to_string(), "--".to_string()]);
            out.extend(args);
        }
        // The other commands have options of their own (clap's).
        // `ynl --json '{..}'` is the request, not the global `--json` flag.
        "ynl" => {
            out.extend(opts.into_args());
            out.push(object.into());
            out.extend(args.map(|a| match a.strip_prefix("--json") {
                Some(rest) if rest.is_empty() || rest.starts_with('=') => {
                    format!("--request-json{rest}")
                }
                _ => a,
            }));
        }
        "decode" | "listen" | "send" | "nflog" => {
            out.extend(opts.into_args());
            out.push(object.into());
            out.extend(args);
        }
        // `nfqueue --batch N` is its verdict batch, not the global `--batch FILE`.
        "nfqueue" => {
            out.extend(opts.into_args());
            out.push(object.into());
            out.extend(args.map(|a| {
                if a == "--batch" {
                    "--verdict-batch".into()
                } else {
                    a
                }
            }));
        }
        _ => {
            let mut words = Vec::new();
            let mut none = std::iter::empty();
            for a in args {
                if HOISTED.contains(&a.as_str()) {
                    opts.read(&a, &mut none)?;
                } else {
                    words.push(a);
                }
            }
            out.extend(opts.into_args());
            out.push(object.into());
            out.extend(words);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    fn n(s: &str) -> Vec<String> {
        normalize(s.split(' ').map(String::from)).unwrap()
    }
    fn refused(s: &str) -> (String, u8) {
        let r = normalize(s.split(' ').map(String::from)).unwrap_err();
        (r.message, r.code)
    }

    #[test]
    fn options_after_words_move_before_the_object() {
        assert_eq!(
            n("nlkit route show -j table 100"),
            n("nlkit -j route show table 100")
        );
        assert_eq!(
            n("nlkit -n link genl list -p"),
            ["nlkit", "--netns", "link", "--pretty", "genl", "list"]
        );
        assert_eq!(n("nlkit -batch f"), n("nlkit --batch f"));
        assert_eq!(n("nlkit -br link"), n("nlkit --brief link"));
        assert_eq!(n("nlkit link show -br -s"), n("nlkit --brief -s link show"));
        assert_eq!(n("nlkit nh show -j"), n("nlkit -j nh show"));
        assert_eq!(
            n("nlkit nexthop get id 1 -p -j"),
            n("nlkit -p -j nexthop get id 1")
        );
        assert_eq!(n("nlkit decode -j x"), ["nlkit", "decode", "-j", "x"]);
        // ss's options are ss's own: passed on untouched
        assert_eq!(n("nlkit ss -tan -4"), ["nlkit", "ss", "--", "-tan", "-4"]);
        assert_eq!(
            n("nlkit -n ss ss -t"),
            ["nlkit", "--netns", "ss", "ss", "--", "-t"]
        );
        assert_eq!(
            n("nlkit -n x conntrack -L -s 1.2.3.4 -j"),
            [
                "nlkit",
                "--netns",
                "x",
                "conntrack",
                "--",
                "-L",
                "-s",
                "1.2.3.4",
                "-j"
            ]
        );
        assert_eq!(
            n("nlkit nfqueue --queue 1 --batch 8"),
            n("nlkit nfqueue --queue 1 --verdict-batch 8")
        );
    }

    #[test]
    fn options_match_as_ip_matches_them() {
        assert_eq!(
            n("nlkit -s -st -stat -statistics l"),
            ["nlkit", "-s", "-s", "-s", "-s", "link"]
        );
        assert_eq!(n("nlkit -b f"), ["nlkit", "--batch", "f"]);
        assert_eq!(
            n("nlkit -br -bri a"),
            ["nlkit", "--brief", "--brief", "addr"]
        );
        assert_eq!(
            n("nlkit -h -hum -iec l"),
            ["nlkit", "--human", "--human", "--iec", "link"]
        );
        assert_eq!(n("nlkit -he"), ["nlkit", "--help"]);
        assert_eq!(
            n("nlkit --json -j r"),
            ["nlkit", "--json", "--json", "route"]
        );
        assert_eq!(
            n("nlkit -t -ts mo"),
            ["nlkit", "--timestamp", "--tshort", "monitor"]
        );
        assert_eq!(
            n("nlkit -o -onel l"),
            ["nlkit", "--oneline", "--oneline", "link"]
        );
        assert_eq!(
            n("nlkit -c -color=never -col=auto l"),
            [
                "nlkit",
                "--color=always",
                "--color=never",
                "--color=auto",
                "link"
            ]
        );
        assert_eq!(n("nlkit -V"), ["nlkit", "--version"]);
        assert_eq!(
            n("nlkit -d -det l"),
            ["nlkit", "--details", "--details", "link"]
        );
        assert_eq!(n("nlkit -- l"), ["nlkit", "link"]);
    }

    #[test]
    fn the_last_family_wins() {
        assert_eq!(n("nlkit -4 -6 a"), ["nlkit", "-6", "addr"]);
        assert_eq!(n("nlkit -6 -4 a"), ["nlkit", "-4", "addr"]);
        assert_eq!(n("nlkit -f inet6 -0 a"), ["nlkit", "-0", "addr"]);
        assert_eq!(n("nlkit -fam link a"), ["nlkit", "-0", "addr"]);
        assert_eq!(
            n("nlkit -4 route show -6"),
            ["nlkit", "-6", "route", "show"]
        );
        assert_eq!(
            refused("nlkit -f foo a"),
            (
                "Error: argument \"foo\" is wrong: invalid protocol family".into(),
                255
            )
        );
        assert_eq!(
            refused("nlkit -f"),
            ("Error: argument \"family type\" is required".into(), 255)
        );
    }

    #[test]
    fn unknown_options_and_objects_are_refused_as_ip_does() {
        assert_eq!(
            refused("nlkit -x a"),
            ("Option \"-x\" is unknown, try \"ip -help\".".into(), 255)
        );
        assert_eq!(
            refused("nlkit -color=bad a"),
            (
                "Option \"-color=bad\" is unknown, try \"ip -help\".".into(),
                255
            )
        );
        assert_eq!(
            refused("nlkit -e a"),
            ("Option \"-e\" is unknown, try \"ip -help\".".into(), 255)
        );
        assert_eq!(
            refused("nlkit -M a"),
            ("Option \"-M\" is not supported by nlkit".into(), 255)
        );
        assert_eq!(
            refused("nlkit foo"),
            ("Object \"foo\" is unknown, try \"ip help\".".into(), 1)
        );
        assert_eq!(
            refused("nlkit m"),
            ("Object \"maddress\" is not supported by nlkit".into(), 1)
        );
        let long = format!("nlkit -{}", "x".repeat(10_000));
        let (m, _) = refused(&long);
        assert!(m.len() < 120, "{m}");
    }

    #[test]
    fn objects_match_in_ips_order() {
        for (w, o) in [
            ("a", "addr"),
            ("ad", "addr"),
            ("address", "addr"),
            ("r", "route"),
            ("ro", "route"),
            ("ru", "rule"),
            ("n", "neigh"),
            ("neighb", "neigh"),
            ("neighbour", "neigh"),
            ("l", "link"),
            ("li", "link"),
            ("mo", "monitor"),
            ("nex", "nexthop"),
            ("nh", "nexthop"),
            ("listen", "listen"),
            ("ss", "ss"),
            ("decode", "decode"),
        ] {
            assert_eq!(n(&format!("nlkit {w}"))[1], o, "{w}");
        }
    }
}
