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

use crate::error::CliError;
use std::io::{self, Write};

/// Where output goes, and how.
pub struct Out {
    w: io::BufWriter<io::StdoutLock<'static>>,
    /// JSON output.
    pub json: bool,
    /// Pretty JSON.
    pub pretty: bool,
    /// One line per object (`-o`).
    pub oneline: bool,
    /// Elements written so far in the JSON array being streamed, if any.
    array: Option<usize>,
}

impl Out {
    /// Stdout, with the global options' format.
    pub fn new(g: &crate::Global) -> Out {
        Out {
            w: io::BufWriter::with_capacity(64 << 10, io::stdout().lock()),
            json: g.json,
            pretty: g.pretty,
            oneline: g.oneline,
            array: None,
        }
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
                self.w.write_all(part.as_bytes())?;
            }
            self.w.write_all(b"\n")?;
        } else {
            writeln!(self.w, "{s}")?;
        }
        Ok(())
    }
    /// Writes bytes a printer formatted itself (text, or JSON array
    /// elements with their commas).
    pub fn raw(&mut self, b: &[u8]) -> Result<(), CliError> {
        self.w.write_all(b)?;
        Ok(())
    }
    /// Writes a JSON value (pretty with `-p`), then a newline.
    pub fn json_value(&mut self, v: &serde_json::Value) -> Result<(), CliError> {
        if self.pretty {
            serde_json::to_writer_pretty(&mut self.w, v).map_err(io::Error::from)?;
        } else {
            serde_json::to_writer(&mut self.w, v).map_err(io::Error::from)?;
        }
        writeln!(self.w)?;
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
        self.w.write_all(if *n > 0 { b"," } else { b"[" })?;
        *n += 1;
        if self.pretty {
            self.w.write_all(b"\n")?;
            serde_json::to_writer_pretty(&mut self.w, v).map_err(io::Error::from)?;
        } else {
            serde_json::to_writer(&mut self.w, v).map_err(io::Error::from)?;
        }
        Ok(())
    }
    /// Writes what comes before the next element of the array started by
    /// [`array_begin`](Self::array_begin) (`[` before the first, `,` before
    /// the others), for an element then written with [`raw`](Self::raw).
    pub fn array_sep(&mut self) -> Result<(), CliError> {
        if let Some(n) = self.array.as_mut() {
            self.w.write_all(if *n > 0 { b"," } else { b"[" })?;
            *n += 1;
        }
        Ok(())
    }
    /// Closes the array (`]` and a newline).
    pub fn array_end(&mut self) -> Result<(), CliError> {
        match self.array.take() {
            Some(0) | None => self.w.write_all(b"[")?,
            Some(_) if self.pretty => self.w.write_all(b"\n")?,
            Some(_) => {}
        }
        self.w.write_all(b"]\n")?;
        Ok(())
    }
    /// Flushes (monitors flush after every event).
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.w.flush()?;
        Ok(())
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        let _ = self.w.flush();
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
    use super::Num;

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
