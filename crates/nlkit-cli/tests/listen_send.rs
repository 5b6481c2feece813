//! `nlkit listen` / `nlkit send` between processes, in a fresh netns: the
//! binaries are spawned from inside `in_new_netns`, so they inherit it.

mod common;

use common::{bin, nlkit, Reaped};
use nlkit::socket::netns::in_new_netns;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// Starts `nlkit listen ARGS` and returns it with its port id (read from its first stderr line).
fn listener(args: &[&str]) -> (Reaped, u32) {
    let mut child = Reaped::new(
        Command::new(bin())
            .arg("listen")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    // "nlkit: listening on usersock port 1234 groups 1"
    let port = line
        .split_whitespace()
        .skip_while(|w| *w != "port")
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    child.stderr = None;
    (child, port)
}

fn finish(mut c: Reaped) -> (i32, String) {
    let mut out = String::new();
    c.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let st = c.wait().unwrap();
    (st.code().unwrap_or(-1), out)
}

#[test]
fn unicast_echo_like_the_article() {
    in_new_netns(|| {
        let (server, port) = listener(&["--proto", "usersock", "--echo", "--count", "1", "--timeout", "10"]);
        let port_s = port.to_string();
        let r = nlkit(
            &["send", "--proto", "usersock", "--to-port", &port_s, "--payload", "Hello you!", "--wait-reply"],
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        let mut lines = r.stdout.lines();
        let sent = lines.next().unwrap();
        assert!(sent.starts_with(&format!("sent 27 bytes to port {port} from port ")), "{sent}");
        let me: u32 = sent.split_whitespace().nth(8).unwrap().parse().unwrap();
        assert_eq!(
            lines.next().unwrap(),
            format!("from port {port}: type 16 len 27 flags 0 seq 1 port {me} payload (11 bytes): \"Hello you!\" + NUL")
        );
        let (code, out) = finish(server);
        assert_eq!(code, 0);
        assert_eq!(
            out,
            format!("from port {me}: type 16 len 27 flags 0 seq 1 port {me} payload (11 bytes): \"Hello you!\" + NUL\n")
        );
    })
    .unwrap();
}

#[test]
fn group_reaches_two_listeners_unicast_reaches_one() {
    in_new_netns(|| {
        let (a, a_port) = listener(&["--group", "1", "--count", "2", "--timeout", "10"]);
        let (b, _) = listener(&["--group", "1", "--count", "1", "--timeout", "10", "-j"]);
        let a_s = a_port.to_string();
        let r = nlkit(
            &[
                "send",
                "--to-port",
                &a_s,
                "--payload",
                "just a",
                "--seq",
                "7",
            ],
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        // USERSOCK has no kernel socket: the kernel answers ECONNREFUSED after the
        // group delivery, which is not a failure.
        let r = nlkit(
            &[
                "send",
                "--to-group",
                "1",
                "--payload",
                "Greeting from kernel!",
                "--seq",
                "8",
            ],
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.starts_with("sent 38 bytes to group 1 from port "),
            "{}",
            r.stdout
        );

        let (code, out) = finish(a);
        assert_eq!(code, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].contains("seq 7") && lines[0].ends_with("payload (7 bytes): \"just a\" + NUL"),
            "{out}"
        );
        assert!(!lines[0].contains("group"), "{out}");
        assert!(
            lines[1].contains(" group 1: ")
                && lines[1].ends_with("\"Greeting from kernel!\" + NUL"),
            "{out}"
        );

        let (code, out) = finish(b);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["group"], 1);
        assert_eq!(v["groups"], 1);
        assert_eq!(v["message"]["seq"], 8);
        assert_eq!(v["message"]["payload"]["text"], "Greeting from kernel!");
        assert!(v["from_port"].as_u64().unwrap() > 0);
    })
    .unwrap();
}

#[test]
fn listen_timeout_with_count_fails_clearly() {
    in_new_netns(|| {
        let r = nlkit(&["listen", "--count", "1", "--timeout", "0.2"], None);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr
                .ends_with("nlkit: timed out after 0.2s with 0 of 1 messages\n"),
            "{}",
            r.stderr
        );
        let r = nlkit(&["listen", "--timeout", "0.1"], None);
        assert_eq!(r.code, 0, "{r:?}");
    })
    .unwrap();
}

#[test]
fn send_to_the_kernel_and_errors() {
    in_new_netns(|| {
        // A dump of links, decoded.
        let r = nlkit(
            &[
                "send",
                "--proto",
                "route",
                "--to-port",
                "0",
                "--type",
                "RTM_GETLINK",
                "--flags",
                "REQUEST|DUMP",
                "--hex",
                "00000000 00000000 00000000 00000000",
                "--wait-reply",
            ],
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.contains("from port 0: RTM_NEWLINK (16)"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("IFLA_IFNAME (3): \"lo\""), "{}", r.stdout);
        assert!(r.stdout.contains("end of dump"), "{}", r.stdout);
        // IFLA_MTU as a u16: the kernel's error, explained, and exit code 1.
        let r = nlkit(
            &[
                "send",
                "--proto",
                "route",
                "--to-port",
                "0",
                "--type",
                "19",
                "--flags",
                "REQUEST,ACK",
                "--hex",
                "00000000 01000000 00000000 00000000 0600 0400 dc05 0000",
                "--wait-reply",
            ],
            None,
        );
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stdout.contains("offending attribute: IFLA_MTU"),
            "{}",
            r.stdout
        );
        assert_eq!(
            r.stderr,
            "nlkit: the reply is an error: Numerical result out of range (ERANGE)\n"
        );
        // Nobody at that port.
        let r = nlkit(&["send", "--to-port", "424242", "--payload", "x"], None);
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .starts_with("nlkit: send to port 424242: Connection refused"),
            "{}",
            r.stderr
        );
    })
    .unwrap();
}

#[test]
fn wrong_arguments_exit_2() {
    for args in [
        &["send", "--payload", "x"][..], // no destination
        &["send", "--to-port", "1"],     // no body
        &[
            "send",
            "--to-port",
            "1",
            "--to-group",
            "1",
            "--payload",
            "x",
        ],
        &["send", "--to-port", "1", "--payload", "x", "--hex", "00"],
        &[
            "send",
            "--to-port",
            "1",
            "--payload",
            "x",
            "--flags",
            "BOGUS",
        ],
        &[
            "send",
            "--to-port",
            "1",
            "--payload",
            "x",
            "--type",
            "RTM_BOGUS",
        ],
        &["send", "--to-group", "40", "--payload", "x"],
        &["send", "--to-port", "1", "--hex", "zz"],
        &["listen", "--count", "many"],
        &["listen", "--proto", "nope"],
        &["listen", "--timeout", "-1"],
    ] {
        let r = nlkit(args, None);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
        assert!(r.stdout.is_empty(), "{args:?}");
    }
    let r = nlkit(
        &[
            "send",
            "--to-port",
            "1",
            "--payload",
            "x",
            "--type",
            "RTM_BOGUS",
        ],
        None,
    );
    assert_eq!(
        r.stderr,
        "nlkit: unknown message type \"RTM_BOGUS\" for usersock: use a number or a name such as RTM_GETLINK (see --help)\n"
    );
    let r = nlkit(&["send", "--to-group", "40", "--payload", "x"], None);
    assert!(
        r.stderr.contains("group 40 has no bit in a 32-bit mask"),
        "{}",
        r.stderr
    );
}
