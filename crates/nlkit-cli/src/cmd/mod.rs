//! One module per object.

pub mod batch;
pub mod conntrack;
pub mod decode;
pub mod events;
pub mod genl;
pub mod monitor;
pub mod nflog;
pub mod nfqueue;
pub mod proc;
pub mod raw;
pub mod route;
pub mod ss;
pub mod uevent;
pub mod ynl;

use crate::error::CliError;
use crate::Global;

/// What an object word on the command line (or a `-batch` line) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpObject {
    /// One of nlkit's commands, by its canonical (clap) name.
    Nlkit(&'static str),
    /// `help`.
    Help,
    /// An object ip has and nlkit does not, by ip's full name.
    Unsupported(&'static str),
}

/// ip 6.1's objects in the order `ip.c` tries them (the first one the word
/// is a prefix of wins), with what nlkit runs for each.
const IP_OBJECTS: &[(&str, Option<&str>)] = &[
    ("address", Some("addr")),
    ("addrlabel", None),
    ("maddress", None),
    ("route", Some("route")),
    ("rule", Some("rule")),
    ("neighbor", Some("neigh")),
    ("neighbour", Some("neigh")),
    ("ntable", None),
    ("ntbl", None),
    ("link", Some("link")),
    ("l2tp", None),
    ("fou", None),
    ("ila", None),
    ("macsec", None),
    ("tunnel", None),
    ("tunl", None),
    ("tuntap", Some("tuntap")),
    ("tap", Some("tuntap")),
    ("token", None),
    ("tcpmetrics", None),
    ("tcp_metrics", None),
    ("monitor", Some("monitor")),
    ("xfrm", None),
    ("mroute", None),
    ("mrule", None),
    ("netns", None),
    ("netconf", Some("netconf")),
    ("vrf", None),
    ("sr", None),
    ("nexthop", Some("nexthop")),
    ("mptcp", None),
    ("ioam", None),
    ("help", Some("help")),
    ("stats", None),
];

/// nlkit's own objects, matched whole (before ip's table), and `nh`.
const NLKIT_OBJECTS: &[&str] = &[
    "decode",
    "listen",
    "send",
    "genl",
    "ss",
    "ynl",
    "conntrack",
    "nfqueue",
    "nflog",
];

/// The object `w` names, as ip matches it: nlkit's own commands whole, then
/// any prefix of ip's objects in ip's order (`a` address, `r` route, `n`
/// neighbour, `l` link, `ru` rule, `mo` monitor). One table for the command
/// line and `-batch`.
pub fn ip_object(w: &str) -> Option<IpObject> {
    if let Some(o) = NLKIT_OBJECTS.iter().find(|o| **o == w) {
        return Some(IpObject::Nlkit(o));
    }
    if w == "nh" {
        return Some(IpObject::Nlkit("nexthop"));
    }
    let &(full, ours) = IP_OBJECTS
        .iter()
        .find(|(full, _)| crate::args::matches(w, full))?;
    Some(match ours {
        Some("help") => IpObject::Help,
        Some(o) => IpObject::Nlkit(o),
        None => IpObject::Unsupported(full),
    })
}

/// (ip's word, matched by prefix, the word nlkit's parser takes).
type Verb = (&'static str, bool, &'static str);

/// ip 6.1's verbs for each rtnetlink object, in the order its `do_ip*()`
/// tries them: (word, matched by prefix, the word nlkit's parser takes).
/// `ip r a` is `add`, `ip r app` `append`, `ip a s` `show`, `ip l s` `set`
/// (as in ip), `ip ru l` `list`.
const IP_VERBS: &[(&str, &[Verb])] = &[
    (
        "route",
        &[
            ("add", true, "add"),
            ("change", true, "change"),
            ("chg", false, "change"),
            ("replace", true, "replace"),
            ("prepend", true, "prepend"),
            ("append", true, "append"),
            ("test", true, "test"),
            ("delete", true, "delete"),
            ("list", true, "show"),
            ("show", true, "show"),
            ("lst", true, "show"),
            ("get", true, "get"),
            ("flush", true, "flush"),
            ("save", true, "save"),
            ("restore", true, "restore"),
            ("showdump", true, "showdump"),
            ("help", true, "help"),
        ],
    ),
    (
        "addr",
        &[
            ("add", true, "add"),
            ("change", true, "change"),
            ("chg", false, "change"),
            ("replace", true, "replace"),
            ("delete", true, "delete"),
            ("list", true, "show"),
            ("show", true, "show"),
            ("lst", true, "show"),
            ("flush", true, "flush"),
            ("save", true, "save"),
            ("showdump", true, "showdump"),
            ("restore", true, "restore"),
            ("help", true, "help"),
        ],
    ),
    (
        "link",
        &[
            ("add", true, "add"),
            ("set", true, "set"),
            ("change", true, "set"),
            ("replace", true, "replace"),
            ("delete", true, "delete"),
            ("show", true, "show"),
            ("lst", true, "show"),
            ("list", true, "show"),
            ("xstats", true, "xstats"),
            ("afstats", true, "afstats"),
            ("property", true, "property"),
            ("help", true, "help"),
        ],
    ),
    (
        "neigh",
        &[
            ("add", true, "add"),
            ("change", true, "change"),
            ("chg", false, "change"),
            ("replace", true, "replace"),
            ("delete", true, "delete"),
            ("get", true, "get"),
            ("show", true, "show"),
            ("lst", true, "show"),
            ("list", true, "show"),
            ("flush", true, "flush"),
            ("help", true, "help"),
        ],
    ),
    (
        "rule",
        &[
            ("list", true, "show"),
            ("lst", true, "show"),
            ("show", true, "show"),
            ("save", true, "save"),
            ("restore", true, "restore"),
            ("add", true, "add"),
            ("delete", true, "delete"),
            ("flush", true, "flush"),
            ("help", true, "help"),
        ],
    ),
    (
        "nexthop",
        &[
            ("add", true, "add"),
            ("replace", true, "replace"),
            ("delete", true, "delete"),
            ("list", true, "show"),
            ("show", true, "show"),
            ("lst", true, "show"),
            ("get", true, "get"),
            ("flush", true, "flush"),
            ("bucket", true, "bucket"),
            ("help", true, "help"),
        ],
    ),
    (
        "netconf",
        &[
            ("show", true, "show"),
            ("lst", true, "show"),
            ("list", true, "show"),
            ("help", true, "help"),
        ],
    ),
];

/// The verb `w` of rtnetlink `object` (canonical name) is, matched as ip
/// matches it, in the word the object's parser takes; `w` itself if ip has
/// no such verb (the parser then names it in its error).
pub fn ip_verb<'a>(object: &str, w: &'a str) -> &'a str {
    let Some((_, verbs)) = IP_VERBS.iter().find(|(o, _)| *o == object) else {
        return w;
    };
    verbs
        .iter()
        .find(|(full, prefix, _)| crate::args::matches_row(w, full, *prefix))
        .map_or(w, |(_, _, ours)| ours)
}

/// The words after an object (`add 10.0.0.0/8 via 10.9.0.2 dev v0`), parsed
/// with iproute2's keyword grammar by the object's module.
#[derive(clap::Args, Debug, Clone)]
pub struct Words {
    /// Command and arguments, as for `ip`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// rtnetlink objects: link, addr, route, neigh, rule, nexthop, monitor.
pub fn route_family(g: &Global, object: &str, w: Words) -> Result<(), CliError> {
    match object {
        "monitor" => monitor::run(g, &w.words),
        _ => route::run(g, object, &w.words),
    }
}

/// Generic netlink.
pub fn genl(g: &Global, w: Words) -> Result<(), CliError> {
    genl::run(g, &w.words)
}

#[cfg(test)]
mod tests {
    use super::ip_verb;

    #[test]
    fn verbs_match_in_ips_order() {
        for (o, w, want) in [
            ("route", "a", "add"),
            ("route", "app", "append"),
            ("route", "r", "replace"),
            ("route", "c", "change"),
            ("route", "chg", "change"),
            ("route", "d", "delete"),
            ("route", "s", "show"),
            ("route", "l", "show"),
            ("route", "g", "get"),
            ("route", "f", "flush"),
            ("addr", "s", "show"),
            ("link", "s", "set"),
            ("link", "sh", "show"),
            ("link", "c", "set"),
            ("link", "create", "create"),
            ("neigh", "g", "get"),
            ("rule", "a", "add"),
            ("rule", "l", "show"),
            ("rule", "s", "show"),
            ("nexthop", "g", "get"),
            ("nexthop", "r", "replace"),
            ("route", "frob", "frob"),
        ] {
            assert_eq!(ip_verb(o, w), want, "{o} {w}");
        }
    }
}
