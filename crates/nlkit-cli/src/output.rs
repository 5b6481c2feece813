//! The display layer shared by every command and the monitor: human text or
//! JSON, written to a locked stdout so that a closed pipe is an error we can
//! see (and exit quietly on) rather than a panic.
//!
//! Hooks for the printers (each object's printer stays the one place that
//! lays its object out):
//! - `-o` (`Out::oneline`): [`Out::line`] writes one object per line, the
//!   line breaks inside it written as `\`, as ip's `-oneline` does. A
//!   printer only has to hand one object per `line` call.
//! - `-h` / `-iec`: [`Num`] prints a counter as ip's `print_num` does
//!   (`1.50k`, `2.00Mi` (ip writes `ki`)...), or as a plain number without `-h`; [`num_width`]
//!   is its width, for columns. Set once from the command line ([`set_human`]).
//! - `-j`: a streamed array's `[` is written with its first element (or by
//!   [`Out::array_end`]), so an error before any object leaves stdout empty,
//!   as ip's does.
//! - Names from the kernel (link names, aliases, labels) are bytes, not
//!   always UTF-8. Text shows them as ip does, the very bytes: a printer
//!   puts [`name_text`] in its `String`s (each byte that is not UTF-8 held
//!   as a code point of its own, see [`CARRIER`]) and `Out` writes those
//!   back as the bytes. JSON shows [`json_name`], valid UTF-8 always (see
//!   `docs/json.md`, "Names that are not UTF-8").
//! - `-j -p`: printers write compact JSON; [`Pretty`] lays the bytes out as
//!   iproute2's json_writer does (four blanks a level, `"key": value`,
//!   `[ "a","b" ]`, `},{` between objects), streaming, so every printer's
//!   pretty output is ip's with no code of its own.

use crate::error::CliError;
use nlkit::schema::Name;
use std::borrow::Cow;
use std::io::{self, Write};

/// Where output goes, and how.
pub struct Out {
    w: io::BufWriter<Stdout>,
    /// JSON output.
    pub json: bool,
    /// One line per object (`-o`).
    pub oneline: bool,
    /// Elements written so far in the JSON array being streamed, if any.
    array: Option<usize>,
    /// `-j -p`: the layout of the JSON written so far.
    lay: Option<Pretty>,
    /// Scratch for the laid-out bytes.
    scratch: Vec<u8>,
    /// The buffer [`object`](Self::object) hands its printers.
    obj: Vec<u8>,
}

impl Out {
    /// Stdout, with the global options' format.
    pub fn new(g: &crate::Global) -> Out {
        Out {
            w: io::BufWriter::with_capacity(64 << 10, Stdout::new()),
            json: g.json,
            oneline: g.oneline,
            array: None,
            lay: (g.json && g.pretty).then(Pretty::default),
            scratch: Vec::new(),
            obj: Vec::new(),
        }
    }
    /// Writes JSON bytes, laid out as ip's `-p` with `-j -p`.
    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        match self.lay.as_mut() {
            Some(lay) => {
                self.scratch.clear();
                lay.feed(b, &mut self.scratch);
                self.w.write_all(&self.scratch)
            }
            None => self.w.write_all(b),
        }
    }
    /// Writes a JSON value compactly through [`put`](Self::put).
    fn put_value(&mut self, v: &serde_json::Value) -> io::Result<()> {
        if self.lay.is_none() {
            return serde_json::to_writer(&mut self.w, v).map_err(io::Error::from);
        }
        let mut b = std::mem::take(&mut self.scratch);
        b.clear();
        serde_json::to_writer(&mut b, v).map_err(io::Error::from)?;
        let r = self.put(&b);
        if self.scratch.capacity() < b.capacity() {
            self.scratch = b;
        }
        r
    }
    /// Writes a line of text: one object, which may span lines (with `-o`
    /// its line breaks are written as `\`, a trailing one dropped).
    pub fn line(&mut self, s: impl std::fmt::Display) -> Result<(), CliError> {
        if self.oneline {
            let t = s.to_string();
            let t = t.strip_suffix('\n').unwrap_or(&t);
            for (i, part) in t.split('\n').enumerate() {
                if i > 0 {
                    self.w.write_all(b"\\")?;
                }
                self.put_text(part.as_bytes())?;
            }
            self.w.write_all(b"\n")?;
        } else if self.json {
            writeln!(self.w, "{s}")?;
        } else {
            // Each piece `core::fmt` hands over is whole chars: a carrier is never cut.
            struct Bytes<'w, W: Write>(&'w mut W, io::Result<()>);
            impl<W: Write> std::fmt::Write for Bytes<'_, W> {
                fn write_str(&mut self, s: &str) -> std::fmt::Result {
                    self.1 = write_name_bytes(self.0, s.as_bytes());
                    self.1.as_ref().map_err(|_| std::fmt::Error).copied()
                }
            }
            let mut b = Bytes(&mut self.w, Ok(()));
            let _ = std::fmt::write(&mut b, format_args!("{s}\n"));
            b.1?;
        }
        Ok(())
    }
    /// Writes text, the names in it ([`name_text`]) as their bytes.
    fn put_text(&mut self, b: &[u8]) -> io::Result<()> {
        if self.json {
            self.w.write_all(b)
        } else {
            write_name_bytes(&mut self.w, b)
        }
    }
    /// Writes bytes a printer formatted itself (text, or JSON array
    /// elements with their commas).
    pub fn raw(&mut self, b: &[u8]) -> Result<(), CliError> {
        if self.json {
            self.put(b)?;
        } else {
            self.put_text(b)?;
        }
        Ok(())
    }
    /// Writes one object that `f` writes into a buffer reused from one
    /// object to the next (`f(buf, json)`): a JSON array element (after
    /// [`array_sep`](Self::array_sep)), or a line of text.
    pub fn object(&mut self, f: impl FnOnce(&mut Vec<u8>, bool)) -> Result<(), CliError> {
        let mut b = self.take_buf();
        f(&mut b, self.json);
        let r = if self.json {
            self.array_sep().and_then(|()| self.raw(&b))
        } else if self.oneline {
            self.line(String::from_utf8_lossy(&b))
        } else {
            b.push(b'\n');
            self.raw(&b)
        };
        self.give_buf(b);
        r
    }
    /// The reusable buffer of [`object`](Self::object), for a printer that
    /// lays out more than one object; hand it back with
    /// [`give_buf`](Self::give_buf).
    pub fn take_buf(&mut self) -> Vec<u8> {
        let mut b = std::mem::take(&mut self.obj);
        b.clear();
        b
    }
    /// Gives back the buffer [`take_buf`](Self::take_buf) took.
    pub fn give_buf(&mut self, b: Vec<u8>) {
        self.obj = b;
    }
    /// Writes a JSON value (pretty with `-p`), then a newline.
    pub fn json_value(&mut self, v: &serde_json::Value) -> Result<(), CliError> {
        self.put_value(v)?;
        self.put(b"\n")?;
        Ok(())
    }
    /// Starts a JSON array that is written one element at a time
    /// ([`array_item`](Self::array_item)), so that a long dump is never
    /// held in memory; [`array_end`](Self::array_end) closes it.
    pub fn array_begin(&mut self) -> Result<(), CliError> {
        // `[` goes out with the first element: an error before it leaves nothing.
        self.array = Some(0);
        Ok(())
    }
    /// Writes one element of the array started by [`array_begin`](Self::array_begin);
    /// with no array open, writes `v` on a line of its own (as a monitor prints events).
    pub fn array_item(&mut self, v: &serde_json::Value) -> Result<(), CliError> {
        let Some(n) = self.array.as_mut() else {
            return self.json_value(v);
        };
        let sep: &[u8] = if *n > 0 { b"," } else { b"[" };
        *n += 1;
        self.put(sep)?;
        self.put_value(v)?;
        Ok(())
    }
    /// Writes what comes before the next element of the array started by
    /// [`array_begin`](Self::array_begin) (`[` before the first, `,` before
    /// the others), for an element then written with [`raw`](Self::raw).
    pub fn array_sep(&mut self) -> Result<(), CliError> {
        if let Some(n) = self.array.as_mut() {
            let sep: &[u8] = if *n > 0 { b"," } else { b"[" };
            *n += 1;
            self.put(sep)?;
        }
        Ok(())
    }
    /// Closes the array (`]` and a newline).
    pub fn array_end(&mut self) -> Result<(), CliError> {
        if let Some(0) | None = self.array.take() {
            self.put(b"[")?;
        }
        self.put(b"]\n")?;
        Ok(())
    }
    /// Flushes (monitors flush after every event).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.w.flush()?;
        Ok(())
    }
}

/// Standard output without std's line buffering: a duplicate of fd 1
/// written whole (std's `Stdout` scans every chunk for its last `\n`), with
/// std's locked stdout only when fd 1 cannot be duplicated. Either way it is
/// the same open file, so what `Out` writes comes out in order; nothing else
/// writes to stdout while an `Out` lives (it holds the lock).
enum Stdout {
    Fd(std::fs::File, #[allow(dead_code)] io::StdoutLock<'static>),
    Std(io::StdoutLock<'static>),
}

impl Stdout {
    fn new() -> Stdout {
        use std::os::fd::AsFd;
        let mut lock = io::stdout().lock();
        // Anything std still holds goes out first.
        let _ = lock.flush();
        match lock.as_fd().try_clone_to_owned() {
            Ok(fd) => Stdout::Fd(std::fs::File::from(fd), lock),
            Err(_) => Stdout::Std(lock),
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Stdout::Fd(f, _) => f.write(b),
            Stdout::Std(s) => s.write(b),
        }
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Stdout::Fd(f, _) => f.write_all(b),
            Stdout::Std(s) => s.write_all(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stdout::Fd(f, _) => f.flush(),
            Stdout::Std(s) => s.flush(),
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        let _ = self.w.flush();
    }
}

// ---------------------------------------------------------------------------
// Names that are not UTF-8.

/// Where the code points that stand for bytes begin: byte `b` of a name
/// that is not part of valid UTF-8 is held in the printers' `String`s as
/// U+10FF00 + `b` (private use, plane 16), and written back as `b` by
/// [`Out`]. A name that really holds such a code point has each of its four
/// bytes held that way, so every name comes back byte for byte.
pub const CARRIER: u32 = 0x10_FF00;

/// Set once a [`name_text`] holds a carrier: until then no output has one
/// to write back, and [`Out`] writes text as it is, without a scan.
static CARRIED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn is_carrier(c: char) -> bool {
    (CARRIER..=CARRIER + 0xff).contains(&(c as u32))
}

/// True if `s` may hold a carrier (each one's UTF-8 starts with `F4`): a
/// byte search, quick on the common path.
fn may_carry(s: &str) -> bool {
    s.as_bytes().contains(&0xf4) && s.chars().any(is_carrier)
}

/// A name from the kernel as text for a printer's `String`: the name itself
/// when it is UTF-8 (the common case: borrowed), else with each byte that
/// is not UTF-8 held as a [`CARRIER`] code point. Text output writes it as
/// the name's bytes, as ip does; [`json_name`] turns it into JSON's form.
pub fn name_text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) if !may_carry(s) => Cow::Borrowed(s),
        _ => {
            CARRIED.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut out = String::with_capacity(b.len() * 2);
            let hold = |out: &mut String, x: u8| {
                out.push(char::from_u32(CARRIER + u32::from(x)).unwrap_or('?'))
            };
            for chunk in b.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if is_carrier(c) {
                        let mut u = [0u8; 4];
                        for &x in c.encode_utf8(&mut u).as_bytes() {
                            hold(&mut out, x);
                        }
                    } else {
                        out.push(c);
                    }
                }
                for &x in chunk.invalid() {
                    hold(&mut out, x);
                }
            }
            Cow::Owned(out)
        }
    }
}

/// [`name_text`] of a [`Name`].
pub fn name_str(n: Name<'_>) -> Cow<'_, str> {
    name_text(n.as_bytes())
}

/// The carrier at `b[i..]` (UTF-8 `F4 8F BC..BF 80..BF`): the byte it holds.
fn carrier_at(b: &[u8], i: usize) -> Option<u8> {
    match b.get(i..i + 4)? {
        [0xf4, 0x8f, c @ 0xbc..=0xbf, d @ 0x80..=0xbf] => Some(((c & 3) << 6) | (d & 0x3f)),
        _ => None,
    }
}

/// Writes text with the names in it ([`name_text`]) as their bytes.
fn write_name_bytes(w: &mut impl Write, b: &[u8]) -> io::Result<()> {
    if !CARRIED.load(std::sync::atomic::Ordering::Relaxed) || !b.contains(&0xf4) {
        return w.write_all(b);
    }
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match carrier_at(b, i) {
            Some(x) => {
                w.write_all(&b[start..i])?;
                w.write_all(&[x])?;
                i += 4;
                start = i;
            }
            None => i += 1,
        }
    }
    w.write_all(&b[start..])
}

/// How many bytes text output writes for `s` (a carrier is one byte).
pub fn shown_len(s: &str) -> usize {
    s.chars()
        .map(|c| if is_carrier(c) { 1 } else { c.len_utf8() })
        .sum()
}

/// The bytes a [`name_text`] stands for.
pub fn name_bytes(s: &str) -> Cow<'_, [u8]> {
    if !may_carry(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut v = Vec::with_capacity(s.len());
    let _ = write_name_bytes(&mut v, s.as_bytes());
    Cow::Owned(v)
}

/// A name ([`name_text`], or plain text) as its JSON string holds it,
/// always valid UTF-8: the name itself when it is UTF-8 and holds no `\x`
/// (every name ip's JSON shows validly: the same string); else escaped as
/// [`nlkit::schema::escape_bytes`] does, `\` for a backslash and `\xHH`
/// for a byte that is not UTF-8. So a string with `\x` in it is escaped,
/// any other is the name as it is: nothing is lost.
pub fn json_name(s: &str) -> Cow<'_, str> {
    let plain = |s: &str| !s.contains("\\x");
    if !may_carry(s) && plain(s) {
        return Cow::Borrowed(s);
    }
    let b = name_bytes(s);
    match std::str::from_utf8(&b) {
        Ok(t) if plain(t) => Cow::Owned(t.to_string()),
        _ => Cow::Owned(nlkit::schema::escape_bytes(&b).into_owned()),
    }
}

/// [`json_name`] of a [`Name`].
pub fn name_json(n: Name<'_>) -> Cow<'_, str> {
    match n.to_str() {
        Some(s) if !s.contains("\\x") => Cow::Borrowed(s),
        Some(_) | None => n.escaped(),
    }
}

/// The bytes of a name an owned form holds as text (`Link::name`,
/// `Addr::label`: written as [`nlkit::schema::escape_bytes`] writes it):
/// `\\` is a backslash, `\xHH` the byte HH.
pub fn unescape(s: &str) -> Cow<'_, [u8]> {
    if !s.contains('\\') {
        return Cow::Borrowed(s.as_bytes());
    }
    let b = s.as_bytes();
    let hex = |x: u8| (x as char).to_digit(16);
    let mut v = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let byte = match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'\\')) => Some((b'\\', 2)),
            (b'\\', Some(b'x')) => match (
                b.get(i + 2).and_then(|&x| hex(x)),
                b.get(i + 3).and_then(|&x| hex(x)),
            ) {
                (Some(h), Some(l)) => Some(((h * 16 + l) as u8, 4)),
                _ => None,
            },
            _ => None,
        };
        match byte {
            Some((x, n)) => {
                v.push(x);
                i += n;
            }
            None => {
                v.push(b[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(v)
}

/// Compact JSON re-laid as iproute2's json_writer writes it with `-p`: a
/// key on a line of its own, indented four blanks a level, then `: `; an
/// object's `}` on a line of its own (`{}` when empty); arrays as
/// `[ a,b ]` (`[ ]` when empty); DEL escaped as `\u007f`, as ip does. The
/// state carries over from one [`feed`](Self::feed) to the next, so JSON
/// may arrive in any pieces.
#[derive(Default, Debug)]
pub struct Pretty {
    /// Open containers: (an object, something written in it).
    open: Vec<(bool, bool)>,
    /// In a string; just after a backslash in it.
    in_str: bool,
    esc: bool,
    /// In an object, where the next string is a key.
    want_key: bool,
}

impl Pretty {
    fn eol(&self, out: &mut Vec<u8>) {
        out.push(b'\n');
        for _ in 0..self.open.len() {
            out.extend_from_slice(b"    ");
        }
    }

    fn mark(&mut self) {
        if let Some(top) = self.open.last_mut() {
            top.1 = true;
        }
    }

    /// Lays out `b` (compact JSON, or a piece of it), appending to `out`.
    pub fn feed(&mut self, b: &[u8], out: &mut Vec<u8>) {
        for &c in b {
            if self.in_str {
                match c {
                    _ if self.esc => {
                        self.esc = false;
                        out.push(c);
                    }
                    b'\\' => {
                        self.esc = true;
                        out.push(c);
                    }
                    b'"' => {
                        self.in_str = false;
                        out.push(c);
                    }
                    0x7f => out.extend_from_slice(b"\\u007f"),
                    _ => out.push(c),
                }
                continue;
            }
            match c {
                b'"' => {
                    if self.want_key {
                        self.want_key = false;
                        self.eol(out);
                    }
                    self.mark();
                    self.in_str = true;
                    out.push(c);
                }
                b'{' | b'[' => {
                    self.mark();
                    self.open.push((c == b'{', false));
                    self.want_key = c == b'{';
                    out.push(c);
                    if c == b'[' {
                        out.push(b' ');
                    }
                }
                b'}' | b']' => {
                    let (_, any) = self.open.pop().unwrap_or_default();
                    if any && c == b'}' {
                        self.eol(out);
                    } else if any {
                        out.push(b' ');
                    }
                    self.want_key = false;
                    out.push(c);
                }
                b',' => {
                    self.want_key = matches!(self.open.last(), Some((true, _)));
                    out.push(c);
                }
                b':' => out.extend_from_slice(b": "),
                b' ' | b'\t' | b'\r' => {}
                b'\n' if !self.open.is_empty() => {}
                _ => {
                    self.mark();
                    out.push(c);
                }
            }
        }
    }
}

/// `-h` and `-iec`, set once from the command line.
static HUMAN: std::sync::OnceLock<(bool, bool)> = std::sync::OnceLock::new();

/// Sets `-h` (`human`) and `-iec` for every [`Num`] printed after.
pub fn set_human(human: bool, iec: bool) {
    let _ = HUMAN.set((human, iec));
}

/// A counter as ip's `print_num` writes it: as is below 1000 (1024 with
/// `-iec`) or without `-h`; else scaled to `k`, `M`, `G`, `T`, `P`, `E` with
/// two, one or no decimals (three significant digits), `i` after the unit
/// with `-iec`. Width and padding are the caller's (`{:>w$}`, [`num_width`]).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub u64);

impl Num {
    fn fmt_with(self, f: &mut std::fmt::Formatter<'_>, human: bool, iec: bool) -> std::fmt::Result {
        let count = self.0;
        let base: u64 = if iec { 1024 } else { 1000 };
        if !human || count < base {
            return f.pad_integral(true, "", &count.to_string());
        }
        let units = b"kMGTPE";
        let mut unit = 0;
        let mut pow: u64 = 1;
        loop {
            pow *= base;
            if count / base < pow || unit + 1 == units.len() {
                break;
            }
            unit += 1;
        }
        let mut precision = 2;
        let mut powj: u64 = 1;
        while precision > 0 {
            powj *= 10;
            if count / pow < powj {
                break;
            }
            precision -= 1;
        }
        let s = format!(
            "{:.*}{}{}",
            precision,
            count as f64 / pow as f64,
            units[unit] as char,
            if iec { "i" } else { "" }
        );
        f.pad(&s)
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (human, iec) = HUMAN.get().copied().unwrap_or_default();
        self.fmt_with(f, human, iec)
    }
}

/// How many characters [`Num`] prints for `x`.
pub fn num_width(x: u64) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = std::fmt::write(&mut c, format_args!("{}", Num(x)));
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_as_their_bytes() {
        let odd: [&[u8]; 7] = [
            b"v0",
            b"\xff\xfe",
            b"caf\xe9 \"q\\x",
            "caf\u{e9}".as_bytes(),
            "\u{10ff41}x".as_bytes(),
            b"\xf4\x8f\xbc",
            b"a\\b",
        ];
        for b in odd {
            let t = name_text(b);
            let mut out = Vec::new();
            write_name_bytes(&mut out, format!("dev {t} x").as_bytes()).unwrap();
            assert_eq!(out, [b"dev ", b, b" x"].concat(), "{b:?}");
            assert_eq!(&*name_bytes(&t), b);
            // JSON: the name's text, or (not UTF-8, or holding `\x`) escaped.
            let j = json_name(&t);
            assert_eq!(j, name_json(Name::new(b)));
            match std::str::from_utf8(b) {
                Ok(s) if !s.contains("\\x") => assert_eq!(j, s),
                _ => assert_eq!(j, nlkit::schema::escape_bytes(b)),
            }
        }
        assert_eq!(json_name(&name_text(b"\xff\xfe")), "\\xff\\xfe");
        assert_eq!(json_name("a\\b"), "a\\b");
        assert_eq!(json_name("a\\xb"), "a\\\\xb");
        assert!(matches!(name_text(b"v0"), Cow::Borrowed(_)));
        assert_eq!(shown_len(&name_text(b"caf\xc3\xa9@\xe9")), 7);
        for b in odd {
            assert_eq!(&*unescape(&nlkit::schema::escape_bytes(b)), b, "{b:?}");
        }
    }

    #[test]
    fn pretty_json_as_ip_lays_it_out() {
        // The layout of iproute2 6.1's `ip -j -p` (lib/json_writer.c).
        let lay = |pieces: &[&str]| {
            let mut p = Pretty::default();
            let mut out = Vec::new();
            for s in pieces {
                p.feed(s.as_bytes(), &mut out);
            }
            String::from_utf8(out).unwrap()
        };
        assert_eq!(lay(&["[", "]\n"]), "[ ]\n");
        assert_eq!(
            lay(&[
                "[",
                r#"{"ifindex":1,"flags":["LOOPBACK","UP"],"e":[],"o":{},"#,
                r#""s":{"rx":{"bytes":0}},"q":"a,\"b:{"}"#,
                ",",
                r#"{"x":[{"a":null},{"b":true}],"d":"\u007f"}"#,
                "]\n",
            ]),
            concat!(
                "[ {\n",
                "        \"ifindex\": 1,\n",
                "        \"flags\": [ \"LOOPBACK\",\"UP\" ],\n",
                "        \"e\": [ ],\n",
                "        \"o\": {},\n",
                "        \"s\": {\n",
                "            \"rx\": {\n",
                "                \"bytes\": 0\n",
                "            }\n",
                "        },\n",
                "        \"q\": \"a,\\\"b:{\"\n",
                "    },{\n",
                "        \"x\": [ {\n",
                "                \"a\": null\n",
                "            },{\n",
                "                \"b\": true\n",
                "            } ],\n",
                "        \"d\": \"\\u007f\"\n",
                "    } ]\n",
            )
        );
        // A string split between two pieces, DEL in it.
        assert_eq!(
            lay(&["{\"k\":\"a\u{7f}", "b\"}"]),
            "{\n    \"k\": \"a\\u007fb\"\n}"
        );
    }

    struct H(u64, bool, bool);
    impl std::fmt::Display for H {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Num(self.0).fmt_with(f, self.1, self.2)
        }
    }

    #[test]
    fn counters_as_ip_prints_them_with_h_and_iec() {
        // Values worked out from iproute2 6.1's print_num.
        for (n, human, iec, want) in [
            (999, true, false, "999"),
            (1000, true, false, "1.00k"),
            (1536, true, true, "1.50ki"),
            (1023, true, true, "1023"),
            (12_345, true, false, "12.3k"),
            (123_456, true, false, "123k"),
            (1_234_567, true, false, "1.23M"),
            (5_000_000_000, true, false, "5.00G"),
            (u64::MAX, true, false, "18.4E"),
            (1_234_567, false, false, "1234567"),
        ] {
            assert_eq!(H(n, human, iec).to_string(), want, "{n} {human} {iec}");
        }
        assert_eq!(format!("{:>8}", H(1000, true, false)), "   1.00k");
    }
}
