//! A direct writer for one printed object, in `ip`'s text or in JSON.
//!
//! iproute2 prints each field once through a call that knows both forms
//! (`print_string(PRINT_ANY, key, fmt, value)`); [`Emit`] does the same, so
//! that a printer states each field once and the key order of the JSON is
//! the order of the text. Nothing is allocated: values are borrowed and
//! written straight into the caller's buffer (reused from one object to the
//! next), numbers and addresses with `write!` into it.
//!
//! Text: each call writes its words as given (`pre`, value, `post`), with
//! the trailing blanks `ip` leaves. JSON: `"key":value`, commas placed by
//! the writer; strings escaped as `serde_json` escapes them.

use nlkit::schema::Name;
use std::fmt::Display;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

/// A value written straight into the buffer: numbers and IPv4 addresses
/// without `core::fmt` (the hot path of a dump), anything else through
/// [`Fmt`].
pub trait Put {
    /// Appends the value's text.
    fn put(&self, buf: &mut Vec<u8>);
}

/// Two decimal digits for each value below 100.
const DIGITS2: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Appends all of `chunk` and keeps its first `len` bytes: a copy of a
/// fixed size compiles to a few moves where one of a variable size is a
/// call to `memcpy` (the hot path writes many short pieces).
#[inline(always)]
fn put_prefix<const N: usize>(buf: &mut Vec<u8>, chunk: &[u8; N], len: usize) {
    let start = buf.len();
    buf.extend_from_slice(chunk);
    buf.truncate(start + len);
}

/// Appends `n` in decimal.
#[inline]
pub fn put_u64(buf: &mut Vec<u8>, mut n: u64) {
    if n < 10 {
        buf.push(b'0' + n as u8);
        return;
    }
    // Digits right-aligned at 20, then the 20 bytes from the first one.
    let mut d = [0u8; 40];
    let mut i = 20;
    while n >= 100 {
        let r = (n % 100) as usize;
        n /= 100;
        i -= 2;
        d[i..i + 2].copy_from_slice(&DIGITS2[2 * r..2 * r + 2]);
    }
    if n >= 10 {
        i -= 2;
        d[i..i + 2].copy_from_slice(&DIGITS2[2 * n as usize..2 * n as usize + 2]);
    } else {
        i -= 1;
        d[i] = b'0' + n as u8;
    }
    let chunk: &[u8; 20] = d[i..i + 20].try_into().unwrap_or(&[0; 20]);
    put_prefix(buf, chunk, 20 - i);
}

/// Each byte's decimal text (up to 3 bytes) and, last, its length.
const OCTETS: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 100 {
            [b'0' + b / 100, b'0' + b / 10 % 10, b'0' + b % 10, 3]
        } else if b >= 10 {
            [b'0' + b / 10, b'0' + b % 10, 0, 2]
        } else {
            [b'0' + b, 0, 0, 1]
        };
        i += 1;
    }
    t
};

/// Appends an IPv4 address in dotted decimal.
#[inline]
pub fn put_ipv4(buf: &mut Vec<u8>, o: [u8; 4]) {
    // At most 15 bytes; each octet is copied as 4 and the length advanced.
    let mut t = [0u8; 20];
    let mut n = 0;
    for (k, &b) in o.iter().enumerate() {
        if k > 0 {
            t[n] = b'.';
            n += 1;
        }
        let e = OCTETS[usize::from(b)];
        t[n..n + 4].copy_from_slice(&e);
        n += usize::from(e[3]);
    }
    put_prefix(buf, &t, n);
}

macro_rules! put_unsigned {
    ($($t:ty),*) => {$(
        impl Put for $t {
            #[inline]
            fn put(&self, buf: &mut Vec<u8>) {
                put_u64(buf, u64::from(*self));
            }
        }
    )*};
}
put_unsigned!(u8, u16, u32, u64);

impl Put for i32 {
    fn put(&self, buf: &mut Vec<u8>) {
        if *self < 0 {
            buf.push(b'-');
        }
        put_u64(buf, u64::from(self.unsigned_abs()));
    }
}

impl Put for Ipv4Addr {
    #[inline]
    fn put(&self, buf: &mut Vec<u8>) {
        put_ipv4(buf, self.octets());
    }
}

/// Appends an IPv6 address as `inet_ntop(3)` (and so ip) writes it.
#[inline]
pub fn put_ipv6(buf: &mut Vec<u8>, a: &std::net::Ipv6Addr) {
    let mut t = [0u8; nlkit::wire::IPV6_TEXT_MAX];
    let n = nlkit::wire::ipv6_text(a, &mut t);
    put_prefix(buf, &t, n);
}

impl Put for std::net::Ipv6Addr {
    #[inline]
    fn put(&self, buf: &mut Vec<u8>) {
        put_ipv6(buf, self);
    }
}

impl Put for IpAddr {
    #[inline]
    fn put(&self, buf: &mut Vec<u8>) {
        match self {
            IpAddr::V4(a) => a.put(buf),
            IpAddr::V6(a) => put_ipv6(buf, a),
        }
    }
}

impl Put for &str {
    #[inline]
    fn put(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.as_bytes());
    }
}

impl Put for std::fmt::Arguments<'_> {
    fn put(&self, buf: &mut Vec<u8>) {
        let _ = buf.write_fmt(*self);
    }
}

/// A hardware address as `aa:bb:cc`, lower-case hex.
pub struct Mac<'a>(pub &'a [u8]);

impl Put for Mac<'_> {
    fn put(&self, buf: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, &b) in self.0.iter().enumerate() {
            if i > 0 {
                buf.push(b':');
            }
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 15)]);
        }
    }
}

/// Any `Display` value, through `core::fmt`.
pub struct Fmt<T>(pub T);

impl<T: Display> Put for Fmt<T> {
    fn put(&self, buf: &mut Vec<u8>) {
        let _ = write!(buf, "{}", self.0);
    }
}

/// Writes one object (or several) into `buf`, as text or as JSON.
pub struct Emit<'b> {
    /// Where the bytes go.
    pub buf: &'b mut Vec<u8>,
    /// JSON, else text.
    pub json: bool,
    /// A JSON value was written at this level: the next one needs a comma.
    comma: bool,
}

impl<'b> Emit<'b> {
    /// A writer appending to `buf`.
    #[inline]
    pub fn new(buf: &'b mut Vec<u8>, json: bool) -> Emit<'b> {
        Emit {
            buf,
            json,
            comma: false,
        }
    }

    /// Text only: words as they are.
    #[inline(always)]
    pub fn text(&mut self, s: &str) {
        if !self.json {
            self.buf.extend_from_slice(s.as_bytes());
        }
    }

    /// Text only: a value.
    #[inline(always)]
    pub fn text_val(&mut self, v: impl Put) {
        if !self.json {
            v.put(self.buf);
        }
    }

    /// JSON only: `"key":` (with the comma before it if needed).
    #[inline(always)]
    fn key(&mut self, key: &str) {
        let k = key.as_bytes();
        let c = usize::from(self.comma);
        self.comma = true;
        let t = k.len();
        if t <= 28 {
            // `,"key":` in one piece: the key (a literal, once inlined) and
            // its punctuation are copied as one fixed-size chunk.
            let mut b = [0u8; 32];
            b[0] = b',';
            b[c] = b'"';
            b[c + 1..c + 1 + t].copy_from_slice(k);
            b[c + 1 + t] = b'"';
            b[c + 2 + t] = b':';
            put_prefix(self.buf, &b, c + 3 + t);
            return;
        }
        if c == 1 {
            self.buf.push(b',');
        }
        self.buf.push(b'"');
        self.buf.extend_from_slice(k);
        self.buf.extend_from_slice(b"\":");
    }

    /// JSON only: a bare value in an array (a comma before it if needed).
    #[inline(always)]
    fn elem(&mut self) {
        if self.comma {
            self.buf.push(b',');
        }
        self.comma = true;
    }

    /// A string: text `pre` `val` `post`; JSON `"key":"val"`.
    #[inline(always)]
    pub fn str(&mut self, key: &str, pre: &str, val: &str, post: &str) {
        if self.json {
            self.key(key);
            json_str(self.buf, val);
        } else {
            self.buf.extend_from_slice(pre.as_bytes());
            self.buf.extend_from_slice(val.as_bytes());
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// A name from the kernel (bytes): in text the bytes as they are (as
    /// [`name_text`](crate::output::name_text) holds them for `Out`), in
    /// JSON as [`name_json`](crate::output::name_json) writes it.
    pub fn name(&mut self, key: &str, pre: &str, val: Name<'_>, post: &str) {
        if self.json {
            self.key(key);
            json_str(self.buf, &crate::output::name_json(val));
        } else {
            self.buf.extend_from_slice(pre.as_bytes());
            let t = crate::output::name_str(val);
            self.buf.extend_from_slice(t.as_bytes());
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// The name of link `idx` (borrowed from the cache; `if{idx}` for an
    /// unknown one, as ip): text `pre` name `post`; JSON `"key":"name"`.
    pub fn dev(&mut self, key: &str, pre: &str, names: &mut super::Names, idx: u32, post: &str) {
        // The held name is text's form (raw bytes as carriers); JSON takes
        // its escaped form.
        match names.get(idx) {
            Some(b) if self.json => {
                let j = crate::output::json_name(&b.name);
                self.str(key, pre, &j, post)
            }
            Some(b) => self.str(key, pre, &b.name, post),
            None => self.plain_str(key, pre, format_args!("if{idx}"), post),
        }
    }

    /// A value that needs no escaping in JSON (an address, a formatted
    /// number) written as a JSON string: text `pre` `val` `post`.
    #[inline(always)]
    pub fn plain_str(&mut self, key: &str, pre: &str, val: impl Put, post: &str) {
        if self.json {
            self.key(key);
            self.buf.push(b'"');
            val.put(self.buf);
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(pre.as_bytes());
            val.put(self.buf);
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// A number: text `pre` `val` `post`; JSON `"key":val`.
    #[inline(always)]
    pub fn num(&mut self, key: &str, pre: &str, val: impl Put, post: &str) {
        if self.json {
            self.key(key);
        } else {
            self.buf.extend_from_slice(pre.as_bytes());
        }
        val.put(self.buf);
        if !self.json {
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// A flag: text `words`; JSON `"key":null`.
    #[inline(always)]
    pub fn null(&mut self, key: &str, words: &str) {
        if self.json {
            self.key(key);
            self.buf.extend_from_slice(b"null");
        } else {
            self.buf.extend_from_slice(words.as_bytes());
        }
    }

    /// A flag: text `word` `post`; JSON `"key":true` (ip's `print_bool`).
    pub fn truth(&mut self, key: &str, word: &str, post: &str) {
        if self.json {
            self.key(key);
            self.buf.extend_from_slice(b"true");
        } else {
            self.buf.extend_from_slice(word.as_bytes());
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// Bytes already in the output's form: text as they are; JSON `"key":`
    /// and the bytes (a JSON value).
    #[inline]
    pub fn raw(&mut self, key: &str, bytes: &[u8]) {
        if self.json {
            self.key(key);
        }
        self.buf.extend_from_slice(bytes);
    }

    /// JSON only: `"key":true|false`.
    #[inline]
    pub fn json_bool(&mut self, key: &str, v: bool) {
        if self.json {
            self.key(key);
            self.buf
                .extend_from_slice(if v { b"true" } else { b"false" });
        }
    }

    /// JSON only: `"key":val` for a number.
    #[inline(always)]
    pub fn json_num(&mut self, key: &str, val: impl Put) {
        if self.json {
            self.key(key);
            val.put(self.buf);
        }
    }

    /// An element of a JSON array of strings; text `val` `post`.
    #[inline(always)]
    pub fn item(&mut self, val: &str, post: &str) {
        if self.json {
            self.elem();
            json_str(self.buf, val);
        } else {
            self.buf.extend_from_slice(val.as_bytes());
            self.buf.extend_from_slice(post.as_bytes());
        }
    }

    /// JSON only: opens an object (`"key":{`, or `{` in an array or at the top).
    #[inline(always)]
    pub fn open_obj(&mut self, key: Option<&str>) {
        if self.json {
            match key {
                Some(k) => self.key(k),
                None => self.elem(),
            }
            self.buf.push(b'{');
            self.comma = false;
        }
    }

    /// JSON only: closes an object.
    #[inline(always)]
    pub fn close_obj(&mut self) {
        if self.json {
            self.buf.push(b'}');
            self.comma = true;
        }
    }

    /// JSON only: opens an object `"key":{` that
    /// [`close_obj_or_drop`](Self::close_obj_or_drop) closes, or takes
    /// back when nothing was written in it (ip leaves out an empty one).
    pub fn open_obj_mark(&mut self, key: &str) -> ObjMark {
        let (start, comma) = (self.buf.len(), self.comma);
        self.open_obj(Some(key));
        ObjMark {
            start,
            comma,
            opened: self.buf.len(),
        }
    }

    /// JSON only: closes the object [`open_obj_mark`](Self::open_obj_mark)
    /// opened, or takes it back (its key too) if it is empty.
    pub fn close_obj_or_drop(&mut self, m: ObjMark) {
        if self.json && self.buf.len() == m.opened {
            self.buf.truncate(m.start);
            self.comma = m.comma;
        } else {
            self.close_obj();
        }
    }

    /// JSON only: opens an array (`"key":[`).
    #[inline(always)]
    pub fn open_arr(&mut self, key: &str) {
        if self.json {
            self.key(key);
            self.buf.push(b'[');
            self.comma = false;
        }
    }

    /// JSON only: closes an array.
    #[inline(always)]
    pub fn close_arr(&mut self) {
        if self.json {
            self.buf.push(b']');
            self.comma = true;
        }
    }
}

/// Where an object that may be left out began (see [`Emit::open_obj_mark`]).
#[derive(Clone, Copy)]
pub struct ObjMark {
    start: usize,
    comma: bool,
    opened: usize,
}

/// Writes `s` as a JSON string, escaped as `serde_json` escapes it.
pub fn json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&b[start..i]);
        if esc.is_empty() {
            let _ = write!(buf, "\\u{c:04x}");
        } else {
            buf.extend_from_slice(esc);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&b[start..]);
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_display_writes_them() {
        // Every octet value in every place, and the widest address.
        let mut b = Vec::new();
        for x in 0..=255u8 {
            for o in [
                [x, 0, 0, 0],
                [1, x, 22, 3],
                [9, 99, x, 255],
                [255, 10, 100, x],
                [x; 4],
            ] {
                b.clear();
                b.extend_from_slice(b"<");
                put_ipv4(&mut b, o);
                b.extend_from_slice(b">");
                assert_eq!(b, format!("<{}>", std::net::Ipv4Addr::from(o)).as_bytes());
            }
        }
    }

    #[test]
    fn json_strings_escape_as_serde_json() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "tab\tnl\ncr\r",
            "\u{1}\u{1f}\u{7f}",
            "é✓",
        ] {
            let mut b = Vec::new();
            json_str(&mut b, s);
            assert_eq!(
                String::from_utf8(b).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn macs_as_mac_string_writes_them() {
        for m in [&[][..], &[0], &[0x02, 0xab, 0, 0xff, 0x10, 0x9c]] {
            let mut b = Vec::new();
            Mac(m).put(&mut b);
            assert_eq!(String::from_utf8(b).unwrap(), nlkit::schema::mac_string(m));
        }
    }

    #[test]
    fn numbers_and_addresses_as_display_writes_them() {
        for n in [0u64, 7, 10, 99, 100, 65535, u64::from(u32::MAX), u64::MAX] {
            let mut b = Vec::new();
            n.put(&mut b);
            assert_eq!(String::from_utf8(b).unwrap(), n.to_string());
        }
        // Every digit count, on both sides of each power of ten.
        let mut p = 1u64;
        for _ in 0..20 {
            for n in [p - 1, p, p + 1, p.saturating_mul(7) / 3] {
                let mut b = vec![b'x'];
                n.put(&mut b);
                assert_eq!(String::from_utf8(b).unwrap(), format!("x{n}"));
            }
            p = p.saturating_mul(10);
        }
        // Every octet value in every position.
        for o in 0..=255u8 {
            for a in [
                [o, 0, 0, 0],
                [9, o, 99, 100],
                [255, 10, o, 1],
                [1, 2, 3, o],
                [o; 4],
            ] {
                let ip = Ipv4Addr::from(a);
                let mut b = vec![b'x'];
                ip.put(&mut b);
                assert_eq!(String::from_utf8(b).unwrap(), format!("x{ip}"));
            }
        }
        for n in [0i32, -1, 299, -300, i32::MIN, i32::MAX] {
            let mut b = Vec::new();
            n.put(&mut b);
            assert_eq!(String::from_utf8(b).unwrap(), n.to_string());
        }
        for a in [
            "0.0.0.0",
            "10.9.0.1",
            "255.255.255.255",
            "fd00::1",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = a.parse().unwrap();
            let mut b = Vec::new();
            ip.put(&mut b);
            assert_eq!(String::from_utf8(b).unwrap(), ip.to_string());
        }
    }

    #[test]
    fn both_forms_from_one_set_of_calls() {
        let run = |json| {
            let mut b = Vec::new();
            let mut e = Emit::new(&mut b, json);
            e.open_obj(None);
            e.str("dst", "", "default", " ");
            e.num("metric", "metric ", 5, " ");
            e.open_arr("flags");
            e.item("onlink", " ");
            e.item("dead", " ");
            e.close_arr();
            e.open_obj(Some("flow"));
            e.plain_str("to", "realm ", 7u16, " ");
            e.close_obj();
            let m = e.open_obj_mark("empty");
            e.close_obj_or_drop(m);
            let m = e.open_obj_mark("some");
            e.num("n", "n ", 1u8, " ");
            e.close_obj_or_drop(m);
            e.null("ecn", "ecn ");
            e.truth("nodad", "nodad", " ");
            e.close_obj();
            String::from_utf8(b).unwrap()
        };
        assert_eq!(
            run(false),
            "default metric 5 onlink dead realm 7 n 1 ecn nodad "
        );
        assert_eq!(
            run(true),
            r#"{"dst":"default","metric":5,"flags":["onlink","dead"],"flow":{"to":"7"},"some":{"n":1},"ecn":null,"nodad":true}"#
        );
    }
}
