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
}

impl Out {
    /// Stdout, with the global options' format.
    pub fn new(g: &crate::Global) -> Out {
        Out {
            w: io::BufWriter::new(io::stdout().lock()),
            json: g.json,
            pretty: g.pretty,
        }
    }
    /// Writes a line of text.
    pub fn line(&mut self, s: impl std::fmt::Display) -> Result<(), CliError> {
        writeln!(self.w, "{s}")?;
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
