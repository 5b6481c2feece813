//! The display layer shared by every command and the monitor: human text or
//! JSON, written to a locked stdout so that a closed pipe is an error we can
//! see (and exit quietly on) rather than a panic.

use crate::error::CliError;
use std::io::{self, Write};

/// Where output goes, and how.
pub struct Out {
    w: io::BufWriter<io::StdoutLock<'static>>,
    /// JSON output.
    pub json: bool,
    /// Pretty JSON.
    pub pretty: bool,
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
            array: None,
        }
    }
    /// Writes a line of text.
    pub fn line(&mut self, s: impl std::fmt::Display) -> Result<(), CliError> {
        writeln!(self.w, "{s}")?;
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
        self.w.write_all(b"[")?;
        self.array = Some(0);
        Ok(())
    }
    /// Writes one element of the array started by [`array_begin`](Self::array_begin);
    /// with no array open, writes `v` on a line of its own (as a monitor prints events).
    pub fn array_item(&mut self, v: &serde_json::Value) -> Result<(), CliError> {
        let Some(n) = self.array.as_mut() else {
            return self.json_value(v);
        };
        if *n > 0 {
            self.w.write_all(b",")?;
        }
        *n += 1;
        if self.pretty {
            self.w.write_all(b"\n")?;
            serde_json::to_writer_pretty(&mut self.w, v).map_err(io::Error::from)?;
        } else {
            serde_json::to_writer(&mut self.w, v).map_err(io::Error::from)?;
        }
        Ok(())
    }
    /// Writes the comma before the next element of the array started by
    /// [`array_begin`](Self::array_begin), for an element then written with
    /// [`raw`](Self::raw).
    pub fn array_sep(&mut self) -> Result<(), CliError> {
        if let Some(n) = self.array.as_mut() {
            if *n > 0 {
                self.w.write_all(b",")?;
            }
            *n += 1;
        }
        Ok(())
    }
    /// Closes the array (`]` and a newline).
    pub fn array_end(&mut self) -> Result<(), CliError> {
        if self.pretty && self.array.is_some_and(|n| n > 0) {
            self.w.write_all(b"\n")?;
        }
        self.array = None;
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
