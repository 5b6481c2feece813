//! Error hygiene, against the real kernel in a network namespace of its own:
//! with `-j` nothing on stdout before an error (no lone `[`), errors never
//! echo a huge input whole, invalid interface names refused by name (as ip
//! refuses them) before anything is sent, kernel errors with errno,
//! extended-ACK message and the attribute it points at.

mod common;

use common::nlkit;
use nlkit::socket::netns::in_new_netns;

fn ip(args: &str) -> String {
    let out = std::process::Command::new("ip")
        .args(args.split_whitespace())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn json_errors_leave_stdout_empty() {
    in_new_netns(|| {
        for args in [
            &["-j", "link", "show", "dev", "nosuch"][..],
            &["-j", "addr", "show", "dev", "nosuch"],
            &["-j", "route", "show", "table", "999"],
            &["-j", "-p", "route", "show", "table", "999"],
            &["-j", "neigh", "show", "dev", "nosuch"],
        ] {
            let r = nlkit(args, None);
            assert_eq!(r.code, 1, "{args:?}: {r:?}");
            assert_eq!(r.stdout, "", "{args:?}: {r:?}");
            assert!(r.stderr.starts_with("nlkit: "), "{args:?}: {r:?}");
        }
        // An empty listing is still an empty array.
        assert_eq!(ip("link set lo up"), "");
        let r = nlkit(&["-j", "route", "show", "table", "main"], None);
        assert_eq!((r.code, r.stdout.as_str()), (0, "[]\n"), "{r:?}");
        // Pretty, as `ip -j -p`: `[ ]`.
        let r = nlkit(&["-j", "-p", "neigh", "show"], None);
        assert_eq!((r.code, r.stdout.as_str()), (0, "[ ]\n"), "{r:?}");
    })
    .unwrap();
}

#[test]
fn huge_inputs_are_not_echoed_whole() {
    in_new_netns(|| {
        let big = "x".repeat(100_000);
        for args in [
            vec!["link", "show", big.as_str()],
            vec!["route", "add", "10.0.0.0/24", "dev", big.as_str()],
            vec!["route", "add", big.as_str(), "dev", "lo"],
            vec!["link", "set", "lo", "mtu", big.as_str()],
            vec!["link", "set", "lo", big.as_str()],
            vec!["decode", "--data", big.as_str()],
        ] {
            let r = nlkit(&args, None);
            assert_ne!(r.code, 0, "{:?}", &args[..2]);
            assert!(
                r.stderr.len() < 400,
                "{:?}: {} bytes: {}",
                &args[..2],
                r.stderr.len(),
                &r.stderr[..r.stderr.len().min(400)]
            );
            assert!(
                r.stderr.contains("xxxx..."),
                "{:?}: {}",
                &args[..2],
                r.stderr
            );
        }
        // A 5 MB line in a batch file: its error is one short line and the line number.
        let line = format!("link set lo alias {}\n", "y".repeat(5 << 20));
        let r = nlkit(&["-batch", "-"], Some(line.as_bytes()));
        assert_eq!(r.code, 1, "{}", &r.stderr[..r.stderr.len().min(400)]);
        assert!(r.stderr.len() < 400, "{} bytes", r.stderr.len());
        assert!(r.stderr.ends_with("Command failed -:1\n"), "{}", r.stderr);
    })
    .unwrap();
}

#[test]
fn invalid_interface_names_are_refused_as_ip_does() {
    in_new_netns(|| {
        // What ip 6.1's check_ifname refuses, in its words.
        for (args, kw, name) in [
            ("link add a/b type veth", "dev", "a/b"),
            ("link add name sixteen-chars-xx type veth", "name", "sixteen-chars-xx"),
            ("link add v0 type veth peer name x/y", "name", "x/y"),
            ("link set lo name a/b", "name", "a/b"),
        ] {
            let r = nlkit(&args.split(' ').collect::<Vec<_>>(), None);
            assert_eq!(r.code, 2, "{args}: {r:?}");
            let cmd = if args.starts_with("link add") { "link add" } else { "link set" };
            assert_eq!(
                r.stderr,
                format!("nlkit: {cmd}: argument \"{name}\" is wrong: \"{kw}\" not a valid ifname (see --help)\n"),
                "{args}"
            );
        }
        let r = nlkit(&["link", "set", "lo", "name", ""], None);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.contains("argument \"\" is wrong"), "{r:?}");
        // What ip passes on, the kernel refuses (dev_valid_name): EINVAL.
        for args in [
            "link add name a:b type veth",
            "link add v0 type veth peer name ..",
            "link set lo name .",
        ] {
            let r = nlkit(&args.split(' ').collect::<Vec<_>>(), None);
            assert_eq!(r.code, 1, "{args}: {r:?}");
            assert!(r.stderr.contains("Invalid argument (EINVAL)"), "{args}: {r:?}");
        }
        // Nothing was made or renamed.
        let links = ip("-o link show");
        assert_eq!(links.lines().count(), 1, "{links}");
        assert!(links.starts_with("1: lo: "), "{links}");
    })
    .unwrap();
}

#[test]
fn kernel_errors_say_errno_ext_ack_and_attribute() {
    in_new_netns(|| {
        let alias = "a".repeat(300);
        let r = nlkit(&["link", "set", "lo", "alias", &alias], None);
        assert_eq!(r.code, 1, "{r:?}");
        assert_eq!(
            r.stderr,
            "nlkit: set link lo: Numerical result out of range (ERANGE): Attribute failed policy validation [attribute IFLA_IFALIAS] [expected type binary, max length 255]\n"
        );
    })
    .unwrap();
}
