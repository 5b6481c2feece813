//! `nlkit -batch FILE`: many commands applied through the engine's batch.
//!
//! FILE (`-` for stdin) holds one command per line, written as after
//! `nlkit`: `route add 10.1.0.0/24 via 10.9.0.2`, `addr add 10.0.0.1/24 dev
//! v0`, `link set v0 up`... Objects and verbs may be abbreviated as on the
//! command line (`ro a ...`: one table, [`crate::cmd::ip_object`]). As in
//! ip's batch files, `#` starts a comment anywhere (outside quotes), a `\`
//! at the end of a line continues the command on the next one (its number
//! is the last line's), and blank lines are skipped; words may be quoted
//! (`"..."`, `'...'`) and `\` escapes the next character. A line may start
//! with `-4` or `-6` (iproute2's batch files cannot).
//!
//! The file is read line by line and each line parsed into a request as it
//! comes (device names are looked up once and cached), so memory stays flat
//! however long the file. With `--force`, requests are sent in chunks of
//! [`CHUNK`] lines through [`Connection::batch`] with
//! [`AckMode::ErrorsOnly`]: the kernel answers only failures (and one ACK
//! per `sendmsg`), which is what makes a batch fast. Without `--force` each
//! request goes out on its own and is answered before the next is sent, as
//! ip does: the kernel carries out every message of a `sendmsg`, failed or
//! not, so a chunk could not stop at its first failure. A `show`/`get`
//! line, or a device name not yet known (made by an earlier line still
//! waiting in the chunk), sends the pending chunk first, so lines always
//! take effect in order.
//!
//! Every failure is printed, parse errors too, then where it was as ip says
//! it (`Command failed FILE:LINE`, FILE `-` for stdin):
//! `nlkit: add route 10.1.0.0/24 via 10.9.0.2: Network is unreachable
//! (ENETUNREACH): Nexthop has invalid gateway` / `Command failed
//! routes.txt:17`. Nothing is printed on success.
//!
//! Without `--force` the batch stops at the first failing line, and exits
//! 1: nothing after it is applied (ip's behaviour). A parse error stops
//! before its own line, after the lines before it. With `--force` every
//! line is tried and, as ip, the exit status is 1 if any failed.

use crate::cmd::route::{self, Names, Parsed, Req, Resolve, Resolver};
use crate::error::CliError;
use crate::output::Out;
use crate::Global;
use nlkit::{AckMode, Connection};
use std::io::{BufRead, BufReader};

/// Lines sent per [`Connection::batch`] call with `--force` (one without).
pub const CHUNK: usize = 4096;

struct Batch<'a> {
    g: &'a Global,
    /// The file's name, as given (`-` for stdin), for `Command failed FILE:LINE`.
    file: &'a str,
    conn: &'a Connection,
    names: Resolver,
    pending: Vec<Req>,
    lines: Vec<usize>,
    failed: usize,
    /// Set when a failure means stopping (no `--force`).
    stop: bool,
    /// An error that ends the batch at once (I/O, closed output).
    fatal: Option<CliError>,
    out: Out,
}

impl Batch<'_> {
    fn fail(&mut self, line: usize, msg: impl std::fmt::Display) {
        eprintln!(
            "nlkit: {}\nCommand failed {}:{line}",
            crate::error::shown(msg),
            self.file
        );
        self.failed += 1;
        if !self.g.force {
            self.stop = true;
        }
    }

    /// Sends the pending requests and reports their failures.
    fn flush(&mut self) {
        if self.pending.is_empty() || self.fatal.is_some() {
            return;
        }
        if !self.g.force {
            // One line in flight: sent with an ACK and answered before the
            // next is read, as a command of its own (its warning printed).
            let work: Vec<(Req, usize)> =
                self.pending.drain(..).zip(self.lines.drain(..)).collect();
            for (req, line) in work {
                match nlkit::route::Handle::with(self.conn).exec(&req) {
                    Ok(Some(w)) => eprintln!("nlkit: warning: {w}"),
                    Ok(None) => {}
                    // The socket itself failing ends the batch; anything
                    // else is this line's failure (as Connection::batch reports).
                    Err(e @ (nlkit::Error::Io { .. } | nlkit::Error::Overrun { .. })) => {
                        self.fatal = Some(e.into())
                    }
                    Err(e) => self.fail(line, e),
                }
            }
            return;
        }
        let lines = std::mem::take(&mut self.lines);
        let mut errors: Vec<(usize, nlkit::Error)> = Vec::new();
        let r = self
            .conn
            .batch(self.pending.drain(..), AckMode::ErrorsOnly, |i, res| {
                if let Err(e) = res {
                    errors.push((lines.get(i).copied().unwrap_or(0), e));
                }
            });
        for (line, e) in errors {
            self.fail(line, e);
        }
        if let Err(e) = r {
            self.fatal = Some(e.into());
        }
        self.lines = lines;
        self.lines.clear();
    }

    fn line(&mut self, n: usize, text: &str) {
        let words = match split_words(text) {
            Ok(w) => w,
            Err(e) => {
                self.flush();
                if !self.stop && self.fatal.is_none() {
                    self.fail(n, e);
                }
                return;
            }
        };
        // `-4` / `-6` may lead a line (an nlkit extension).
        let mut family = None;
        let mut words = &words[..];
        while let Some((first, rest)) = words.split_first() {
            match first.as_str() {
                "-4" => family = Some((true, false)),
                "-6" => family = Some((false, true)),
                _ => break,
            }
            words = rest;
        }
        let Some((object, rest)) = words.split_first() else {
            return;
        };
        let with_family;
        let g = match family {
            Some((ipv4, ipv6)) => {
                with_family = Global {
                    ipv4,
                    ipv6,
                    ..self.g.clone()
                };
                &with_family
            }
            None => self.g,
        };
        let parsed = route::parse(g, object, rest, self);
        if self.stop || self.fatal.is_some() {
            // A flush made while resolving a name failed: this line is not applied.
            return;
        }
        match parsed {
            Err(e) => {
                // Report (and, without --force, stop) in line order: the
                // lines before this one go first.
                self.flush();
                if !self.stop && self.fatal.is_none() {
                    self.fail(n, usage_text(&e));
                }
            }
            Ok(Parsed::Req(r)) => {
                self.pending.push(r);
                self.lines.push(n);
                // Without --force a line must be answered before the next
                // is sent (see the module's doc).
                if self.pending.len() >= CHUNK || !self.g.force {
                    self.flush();
                }
            }
            Ok(Parsed::Show(s)) => {
                self.flush();
                if self.stop || self.fatal.is_some() {
                    return;
                }
                let mut names = Names::new(g.netns.as_deref());
                let r = route::show(g, self.conn, &mut self.out, &mut names, &s)
                    .and_then(|()| self.out.flush());
                match r {
                    Ok(()) => {}
                    Err(e) if e.is_broken_pipe() => self.fatal = Some(e),
                    Err(e) => self.fail(n, e),
                }
            }
        }
    }
}

impl Resolve for Batch<'_> {
    fn index(&mut self, name: &str) -> Result<u32, CliError> {
        if let Some(i) = self.names.cached(name) {
            return Ok(i);
        }
        // An earlier line still waiting to be sent may create or rename it.
        self.flush();
        if self.stop {
            return Err(CliError::Other("stopped".into()));
        }
        if let Some(e) = self.fatal.take() {
            let msg = e.to_string();
            self.fatal = Some(e);
            return Err(CliError::Other(msg));
        }
        self.names.lookup(self.conn, name)
    }
    fn forget(&mut self, name: &str) {
        self.names.forget(name);
    }
    fn lladdr_len(&mut self, name: &str) -> Result<Option<usize>, CliError> {
        self.flush();
        route::lladdr_len_of(self.conn, name)
    }
    fn vrf_table(&mut self, name: &str) -> Result<u32, CliError> {
        // An earlier line still waiting to be sent may create it.
        self.flush();
        route::vrf_table_of(self.conn, name)
    }
}

/// A usage error's text without the `(see --help)` tail, for a batch line.
fn usage_text(e: &CliError) -> String {
    match e {
        CliError::Usage(s) => s.clone(),
        e => e.to_string(),
    }
}

/// Splits a line into words: whitespace separates, `"..."` and `'...'`
/// quote, `\` escapes (outside single quotes), `#` (outside quotes, not
/// escaped) comments out the rest of the line, as in ip's batch files.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' => break,
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(n) => cur.push(n),
                    None => return Err("a line ends with a lone \\".into()),
                }
            }
            q @ ('"' | '\'') => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(format!("unterminated quote {q}")),
                        Some(x) if x == q => break,
                        Some('\\') if q == '"' => match chars.next() {
                            Some(n) => cur.push(n),
                            None => return Err(format!("unterminated quote {q}")),
                        },
                        Some(x) => cur.push(x),
                    }
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Runs the commands of `g.batch`.
pub fn run(g: &Global, file: &str) -> Result<(), CliError> {
    let input: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| CliError::Other(format!("cannot open batch file {file:?}: {e}")))?;
        Box::new(BufReader::with_capacity(64 * 1024, f))
    };
    let conn = route::connect(g)?;
    let mut b = Batch {
        g,
        file,
        conn: &conn,
        names: Resolver::new(),
        pending: Vec::with_capacity(CHUNK),
        lines: Vec::with_capacity(CHUNK),
        failed: 0,
        stop: false,
        fatal: None,
        out: Out::new(g),
    };
    let mut input = input;
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    // A command continued over several lines (`\` at the end), so far.
    let mut cmd = String::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::Other(format!("read batch file {file:?}: {e}")))?;
        if read == 0 {
            if !cmd.is_empty() {
                b.flush();
                if !b.stop && b.fatal.is_none() {
                    b.fail(n, "Missing continuation line");
                }
            }
            break;
        }
        n += 1;
        match std::str::from_utf8(&buf) {
            Ok(text) => match continued(text) {
                Some(head) => cmd.push_str(head),
                None if cmd.is_empty() => b.line(n, text),
                None => {
                    cmd.push_str(text);
                    b.line(n, &cmd);
                    cmd.clear();
                }
            },
            Err(_) => {
                cmd.clear();
                b.flush();
                if !b.stop && b.fatal.is_none() {
                    b.fail(
                        n,
                        "the line is not UTF-8: nlkit takes names as UTF-8 text only",
                    );
                }
            }
        }
        if b.stop || b.fatal.is_some() {
            break;
        }
        if buf.capacity() > 64 * 1024 {
            buf = Vec::with_capacity(256);
        }
        if cmd.is_empty() && cmd.capacity() > 64 * 1024 {
            cmd = String::new();
        }
    }
    if !b.stop {
        b.flush();
    }
    b.out.flush()?;
    if let Some(e) = b.fatal {
        return Err(e);
    }
    // As ip: each failure said with its line, then exit status 1.
    match b.failed {
        0 => Ok(()),
        _ => Err(CliError::Quiet(1)),
    }
}

/// The line without its final `\` and line break, if it is continued on
/// the next (a `\` inside a comment does not continue it, as in ip).
fn continued(line: &str) -> Option<&str> {
    let body = line.strip_suffix('\n')?;
    let body = body.strip_suffix('\r').unwrap_or(body);
    let head = body.strip_suffix('\\')?;
    // An odd number of backslashes: the last one is not escaped.
    let run = head.len() - head.trim_end_matches('\\').len();
    if run % 2 == 1 {
        return None;
    }
    let mut probe = head.to_string();
    probe.push('x');
    // The `x` survives only if the end of the line is not in a comment or quote.
    match split_words(&probe) {
        Ok(w) if w.last().is_some_and(|l| l.ends_with('x')) => Some(head),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn words_quotes_comments() {
        assert_eq!(
            split_words("route add 10.0.0.0/8 dev v0\n").unwrap(),
            ["route", "add", "10.0.0.0/8", "dev", "v0"]
        );
        assert_eq!(
            split_words(r#"link set v0 alias "a b\"c" x'y z'"#).unwrap(),
            ["link", "set", "v0", "alias", "a b\"c", "xy z"]
        );
        assert_eq!(split_words("  # nothing").unwrap(), Vec::<String>::new());
        assert_eq!(split_words("a #b c").unwrap(), ["a"]);
        assert_eq!(split_words("a#b").unwrap(), ["a"]);
        assert_eq!(split_words("a\\#b '#c'").unwrap(), ["a#b", "#c"]);
        assert!(split_words("a \"b").is_err());
    }

    #[test]
    fn continuation_lines() {
        use super::continued;
        assert_eq!(continued("route add \\\n"), Some("route add "));
        assert_eq!(continued("route add \\\r\n"), Some("route add "));
        assert_eq!(continued("route add\n"), None);
        assert_eq!(
            continued("route add \\"),
            None,
            "no line break: the file's end"
        );
        assert_eq!(continued("a # comment \\\n"), None);
        assert_eq!(continued("a \\\\\n"), None, "an escaped backslash");
        assert_eq!(continued("a \\\\\\\n"), Some("a \\\\"));
    }
}
