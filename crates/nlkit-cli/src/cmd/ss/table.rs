//! ss's column layout: fields are buffered, each column is as wide as its
//! widest field, and the buffer is rendered when ss would render it.
//!
//! ss keeps fields in 1 MiB chunks and renders everything buffered once five
//! chunks are in use (at the end of a line), measuring column widths over
//! everything seen so far (widths never shrink). The same accounting is kept
//! here, byte for byte, so that the output is the same for any number of
//! sockets, and memory stays bounded (about 5 MiB of field text) however many
//! sockets are listed. With stdout not a terminal, as here, ss fits no screen
//! width: each column is its widest field, plus its delimiter.

use std::io::{self, Write};

/// The columns, in ss's order (all are filled; only some are named).
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Col {
    Netid = 0,
    State,
    RecvQ,
    SendQ,
    Addr,
    Serv,
    RAddr,
    RServ,
    Ext,
    Proc,
}

const NCOLS: usize = 10;
const LAST: usize = NCOLS - 1;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

struct ColDef {
    align: Align,
    header: &'static str,
    ldelim: &'static str,
}

const COLS: [ColDef; NCOLS] = [
    ColDef {
        align: Align::Left,
        header: "Netid",
        ldelim: "",
    },
    ColDef {
        align: Align::Left,
        header: "State",
        ldelim: " ",
    },
    ColDef {
        align: Align::Left,
        header: "Recv-Q",
        ldelim: " ",
    },
    ColDef {
        align: Align::Left,
        header: "Send-Q",
        ldelim: " ",
    },
    ColDef {
        align: Align::Right,
        header: "Local Address:",
        ldelim: " ",
    },
    ColDef {
        align: Align::Left,
        header: "Port",
        ldelim: "",
    },
    ColDef {
        align: Align::Right,
        header: "Peer Address:",
        ldelim: " ",
    },
    ColDef {
        align: Align::Left,
        header: "Port",
        ldelim: "",
    },
    ColDef {
        align: Align::Left,
        header: "Process",
        ldelim: "",
    },
    ColDef {
        align: Align::Left,
        header: "",
        ldelim: "",
    },
];

/// Bytes of field data one of ss's chunks holds (1 MiB less its header).
const CHUNK: usize = 1024 * 1024 - 16;
/// Chunks ss fills before it renders.
const CHUNKS_MAX: usize = 5;

/// The buffered table.
pub struct Table<W: Write> {
    out: W,
    disabled: [bool; NCOLS],
    max_len: [usize; NCOLS],
    /// The fields, one after another, each a native-endian `u16` length and
    /// its text (ss's own layout, without its alignment padding).
    text: Vec<u8>,
    /// Where the current (unfinished) field's length is, in `text`.
    cur_start: usize,
    cur: usize,
    // ss's chunk accounting
    chunks: usize,
    end: usize,
    tok_off: usize,
    tok_len: usize,
}

impl<W: Write> Table<W> {
    /// A table writing to `out`; `disabled` columns take no fields.
    pub fn new(out: W, netid: bool, state: bool) -> Self {
        let mut disabled = [false; NCOLS];
        disabled[Col::Netid as usize] = !netid;
        disabled[Col::State as usize] = !state;
        Table {
            out,
            disabled,
            max_len: [0; NCOLS],
            text: {
                // what ss buffers before it renders, at most: never reallocated
                let mut v = Vec::with_capacity(CHUNK * CHUNKS_MAX + (1 << 16));
                v.extend_from_slice(&[0, 0]);
                v
            },
            cur_start: 0,
            cur: 0,
            chunks: 0,
            end: 0,
            tok_off: 0,
            tok_len: 0,
        }
    }

    fn new_chunk(&mut self) {
        self.chunks += 1;
        self.tok_off = 0;
        self.tok_len = 0;
        self.end = 2;
    }

    /// Appends to the current field.
    pub fn out(&mut self, s: &str) {
        self.out_bytes(s.as_bytes())
    }

    /// Appends formatted text to the current field.
    pub fn outf(&mut self, a: std::fmt::Arguments<'_>) {
        if self.disabled[self.cur] {
            return;
        }
        let at = self.text.len();
        let _ = self.text.write_fmt(a);
        let n = self.text.len() - at;
        self.account(n);
    }

    fn out_bytes(&mut self, b: &[u8]) {
        if self.disabled[self.cur] {
            return;
        }
        self.text.extend_from_slice(b);
        self.account(b.len());
    }

    fn account(&mut self, len: usize) {
        if self.chunks == 0 {
            self.new_chunk();
        }
        if !(len < CHUNK - self.end || self.tok_off == 0) {
            // ss moves the field to a new chunk and writes it again there
            let moved = self.tok_len;
            self.new_chunk();
            self.end = 2 + moved;
            self.tok_len = moved;
        }
        self.end += len;
        self.tok_len += len;
    }

    fn flush(&mut self) {
        let c = self.cur;
        if self.disabled[c] {
            return;
        }
        if self.chunks == 0 {
            self.new_chunk();
        }
        self.close_field();
        let len = self.text.len() - self.cur_start - 2;
        self.max_len[c] = self.max_len[c].max(len);
        self.cur_start = self.text.len();
        self.text.extend_from_slice(&[0, 0]);
        let pad = self.tok_len % 2;
        if (CHUNK as isize - self.end as isize - pad as isize) < 2 {
            self.end += pad;
            self.new_chunk();
        } else {
            self.tok_off += 2 + self.tok_len + pad;
            self.tok_len = 0;
            self.end = self.tok_off + 2;
        }
    }

    /// Writes the current field's length (cut to 64 KiB, as ss cuts it).
    fn close_field(&mut self) {
        let max = self.cur_start + 2 + u16::MAX as usize;
        if self.text.len() > max {
            self.text.truncate(max);
        }
        let len = (self.text.len() - self.cur_start - 2) as u16;
        self.text[self.cur_start..self.cur_start + 2].copy_from_slice(&len.to_ne_bytes());
    }

    /// Finishes the current field and moves to the next column (rendering
    /// first when ss would).
    pub fn next(&mut self) -> io::Result<()> {
        if self.cur == LAST && self.chunks >= CHUNKS_MAX {
            return self.render();
        }
        self.flush();
        self.cur = if self.cur == LAST { 0 } else { self.cur + 1 };
        Ok(())
    }

    /// Moves to column `c`, finishing the fields on the way.
    pub fn set(&mut self, c: Col) -> io::Result<()> {
        while self.cur != c as usize {
            self.next()?;
        }
        Ok(())
    }

    /// The header line, as ss buffers it.
    pub fn header(&mut self) -> io::Result<()> {
        while self.cur != LAST {
            if !self.disabled[self.cur] {
                self.out(COLS[self.cur].header);
            }
            self.next()?;
        }
        Ok(())
    }

    /// Writes everything buffered, laid out, and empties the buffer.
    pub fn render(&mut self) -> io::Result<()> {
        if self.chunks == 0 {
            return Ok(());
        }
        // the current field is rendered too, though not finished
        self.close_field();
        let mut width = [0usize; NCOLS];
        let mut first = true;
        for c in 0..NCOLS {
            if self.disabled[c] {
                continue;
            }
            width[c] = if !first && self.max_len[c] > 0 {
                self.max_len[c] + COLS[c].ldelim.len()
            } else {
                self.max_len[c]
            };
            if width[c] > 0 {
                first = false;
            }
        }
        let mut f = (0..NCOLS).find(|&c| width[c] > 0).unwrap_or(0);
        let mut line_started = false;
        let mut at = 0;
        let spaces = [b' '; 256];
        let pad = |out: &mut W, n: usize| -> io::Result<()> {
            let mut n = n;
            while n > 0 {
                let k = n.min(spaces.len());
                out.write_all(&spaces[..k])?;
                n -= k;
            }
            Ok(())
        };
        while at + 2 <= self.text.len() {
            let len = u16::from_ne_bytes([self.text[at], self.text[at + 1]]) as usize;
            let tok = &self.text[at + 2..at + 2 + len];
            at += 2 + len;
            let def = &COLS[f];
            let mut printed = 0;
            if line_started {
                self.out.write_all(def.ldelim.as_bytes())?;
                printed = def.ldelim.len();
            }
            line_started = true;
            if width[f] > 0 && def.align == Align::Right {
                let s = width[f] as isize - tok.len() as isize - printed as isize;
                if s > 0 {
                    pad(&mut self.out, s as usize)?;
                    printed += s as usize;
                }
            }
            self.out.write_all(tok)?;
            printed += tok.len();
            if width[f] > 0 && def.align == Align::Left && width[f] > printed {
                pad(&mut self.out, width[f] - printed)?;
            }
            loop {
                if f == LAST {
                    self.out.write_all(b"\n")?;
                    f = 0;
                    line_started = false;
                } else {
                    f += 1;
                }
                if !self.disabled[f] {
                    break;
                }
            }
        }
        if line_started {
            self.out.write_all(b"\n")?;
        }
        self.text.clear();
        self.text.extend_from_slice(&[0, 0]);
        self.cur_start = 0;
        self.cur = 0;
        self.chunks = 0;
        Ok(())
    }

    /// Renders what is left and flushes the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.render()?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: &mut Table<Vec<u8>>, f: [&str; 6]) {
        t.set(Col::Netid).unwrap();
        t.out("tcp");
        t.set(Col::State).unwrap();
        t.out(f[0]);
        t.set(Col::RecvQ).unwrap();
        t.outf(format_args!("{:<6}", f[1]));
        t.set(Col::SendQ).unwrap();
        t.outf(format_args!("{:<6}", 0));
        t.set(Col::Addr).unwrap();
        t.out(f[2]);
        t.next().unwrap();
        t.out(f[3]);
        t.next().unwrap();
        t.out(f[4]);
        t.next().unwrap();
        t.out(f[5]);
        t.next().unwrap();
    }

    #[test]
    fn widths_follow_the_widest_field() {
        let mut t = Table::new(Vec::new(), false, true);
        t.header().unwrap();
        row(&mut t, ["LISTEN", "0", "127.0.0.1:", "22", "0.0.0.0:", "*"]);
        row(
            &mut t,
            ["ESTAB", "0", "127.0.0.1:", "22", "127.0.0.1:", "54136"],
        );
        let out = String::from_utf8(t.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
             LISTEN 0      0          127.0.0.1:22        0.0.0.0:*           \n\
             ESTAB  0      0          127.0.0.1:22      127.0.0.1:54136       \n"
        );
    }

    #[test]
    fn renders_in_batches_when_ss_would() {
        let mut t = Table::new(Vec::new(), false, true);
        let mut renders = 0;
        for i in 0..120_000u32 {
            let before = t.chunks;
            row(
                &mut t,
                [
                    "ESTAB",
                    "0",
                    "127.0.0.1:",
                    &i.to_string(),
                    "127.0.0.2:",
                    "80",
                ],
            );
            if t.chunks < before {
                renders += 1;
            }
        }
        assert!(renders >= 1, "no render after 120k rows");
        assert!(t.text.len() < 6 << 20);
    }
}
