//! A cursor over an object's words with iproute2-style error messages:
//! every error is a usage error (exit code 2) that names the command.

use crate::error::CliError;
use nlkit::route::Prefix;
use std::net::IpAddr;
use std::str::FromStr;

/// The words of one command (`add 10.0.0.0/8 via 10.9.0.2`), read left to right.
pub struct Words<'a> {
    w: &'a [String],
    i: usize,
    /// The command, for messages (`route add`).
    pub cmd: String,
}

impl<'a> Words<'a> {
    /// Reads `w`; `cmd` prefixes error messages.
    pub fn new(cmd: impl Into<String>, w: &'a [String]) -> Words<'a> {
        Words {
            w,
            i: 0,
            cmd: cmd.into(),
        }
    }
    /// The next word.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<&'a str> {
        let s = self.w.get(self.i)?;
        self.i += 1;
        Some(s.as_str())
    }
    /// The next word, without taking it.
    pub fn peek(&self) -> Option<&'a str> {
        self.w.get(self.i).map(String::as_str)
    }
    /// A usage error for this command.
    pub fn err(&self, msg: impl std::fmt::Display) -> CliError {
        CliError::usage(format!("{}: {msg}", self.cmd))
    }
    /// The value after keyword `kw`.
    pub fn value(&mut self, kw: &str) -> Result<&'a str, CliError> {
        self.next()
            .ok_or_else(|| self.err(format_args!("\"{kw}\" needs a value")))
    }
    /// The value after `kw`, parsed as a number (decimal, or hex with `0x`).
    pub fn num<T: TryFrom<u64>>(&mut self, kw: &str) -> Result<T, CliError> {
        let v = self.value(kw)?;
        parse_num(v).ok_or_else(|| self.err(format_args!("invalid value {v:?} for \"{kw}\"")))
    }
    /// The value after `kw`, parsed with `FromStr`.
    pub fn parse<T: FromStr>(&mut self, kw: &str, what: &str) -> Result<T, CliError> {
        let v = self.value(kw)?;
        v.parse()
            .map_err(|_| self.err(format_args!("{v:?} is not a valid {what} (after \"{kw}\")")))
    }
    /// The value after `kw` as an IP address.
    pub fn ip(&mut self, kw: &str) -> Result<IpAddr, CliError> {
        self.parse(kw, "IP address")
    }
    /// A prefix word (`10.0.0.0/8`, an address, `default`).
    pub fn prefix_of(&self, v: &str) -> Result<Prefix, CliError> {
        v.parse::<Prefix>()
            .map_err(|_| self.err(format_args!("{v:?} is not a valid prefix")))
    }
    /// A positional value: `x` itself, or the word after it when `x` is
    /// the optional keyword `kw` (`local ADDR`, `to ADDR`, `dev NAME`).
    /// An error if it looks like an option, or if `taken` (a second one,
    /// refused in iproute2's words).
    pub fn positional(&mut self, x: &'a str, kw: &str, taken: bool) -> Result<&'a str, CliError> {
        let v = if x == kw { self.value(kw)? } else { x };
        if v.starts_with('-') && x != kw {
            return Err(self.unknown(v));
        }
        if taken {
            return Err(self.err(format_args!(
                "either \"{kw}\" is duplicate, or {v:?} is garbage"
            )));
        }
        Ok(v)
    }
    /// Sets `slot` to `v` (read from `word`) once: a second value is an
    /// error, in iproute2's words (`duplicate "peer": "X" is the second value`).
    pub fn set_once<T>(
        &self,
        slot: &mut Option<T>,
        kw: &str,
        word: &str,
        v: T,
    ) -> Result<(), CliError> {
        if slot.is_some() {
            return Err(self.err(format_args!(
                "duplicate \"{kw}\": {word:?} is the second value"
            )));
        }
        *slot = Some(v);
        Ok(())
    }
    /// `v` (read after `kw`) as a new interface name, checked as ip 6.1's
    /// `check_ifname` checks one: 1 to 15 bytes, no `/` and no white space
    /// (C's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`), refused as ip
    /// refuses it: `argument "a/b" is wrong: "name" not a valid ifname`.
    /// What ip lets through and the kernel's `dev_valid_name` refuses (`:`,
    /// `.`, `..`) goes to the kernel, whose EINVAL is the answer, as with ip.
    pub fn check_ifname<'v>(&self, kw: &str, v: &'v str) -> Result<&'v str, CliError> {
        if v.len() < 16 {
            self.check_altifname(kw, v)
        } else {
            Err(self.bad_ifname(kw, v))
        }
    }
    /// `v` checked as ip's `check_altifname` (the name after `link add`,
    /// `kw` being `dev`): as [`check_ifname`](Self::check_ifname) but of any
    /// length (a long one is refused by the kernel's policy).
    pub fn check_altifname<'v>(&self, kw: &str, v: &'v str) -> Result<&'v str, CliError> {
        let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
        if v.is_empty() || v.bytes().any(|b| b == b'/' || space(b)) {
            Err(self.bad_ifname(kw, v))
        } else {
            Ok(v)
        }
    }
    fn bad_ifname(&self, kw: &str, v: &str) -> CliError {
        self.err(format_args!(
            "argument \"{}\" is wrong: \"{kw}\" not a valid ifname",
            crate::error::clip(v)
        ))
    }
    /// An unexpected word.
    pub fn unknown(&self, word: &str) -> CliError {
        self.err(format_args!("unknown keyword {word:?}"))
    }
}

/// A number: decimal or `0x` hex.
pub fn parse_num<T: TryFrom<u64>>(v: &str) -> Option<T> {
    let n = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok()?,
        None => v.parse::<u64>().ok()?,
    };
    T::try_from(n).ok()
}

/// True if `w` is `word` or an abbreviation of it at least `min` long
/// (iproute2 accepts `sh` for `show`, `del` for `delete`).
pub fn is(w: &str, word: &str, min: usize) -> bool {
    w.len() >= min && word.starts_with(w)
}

/// A word that can be a sub-command's name: `show`, `list`, `ls`, `lst`...
pub fn is_show(w: &str) -> bool {
    is(w, "show", 1) || is(w, "list", 1) || w == "ls" || w == "lst"
}

/// `delete`, `del`.
pub fn is_delete(w: &str) -> bool {
    is(w, "delete", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_words() {
        assert_eq!(parse_num::<u32>("10"), Some(10));
        assert_eq!(parse_num::<u32>("0x10"), Some(16));
        assert_eq!(parse_num::<u8>("256"), None);
        assert_eq!(parse_num::<u32>("x"), None);
        assert!(is_show("sh") && is_show("list") && is_show("ls") && !is_show("add"));
        assert!(is_delete("del") && is_delete("d") && !is_delete("dx"));
        let w = vec!["via".to_string()];
        let mut c = Words::new("route add", &w);
        assert_eq!(c.next(), Some("via"));
        let e = c.value("via").unwrap_err().to_string();
        assert!(e.starts_with("route add: \"via\" needs a value"), "{e}");
        // As ip 6.1's check_ifname: what it refuses, with its message.
        for bad in [
            "",
            "a/b",
            "a b",
            "a\tb",
            "a\x0bb",
            "a\rb",
            "sixteen-chars-xx",
        ] {
            let w = vec![];
            let e = Words::new("link set", &w)
                .check_ifname("name", bad)
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!("link set: argument \"{bad}\" is wrong: \"name\" not a valid ifname (see --help)")
            );
        }
        // What ip passes on to the kernel (which refuses `:`, `.`, `..`).
        let w = vec![];
        for ok in ["fifteen-chars-x", "a:b", ".", "..", "a.b", "caf\u{e9}"] {
            assert_eq!(Words::new("x", &w).check_ifname("name", ok).unwrap(), ok);
        }
        let long = "a-name-longer-than-fifteen";
        assert_eq!(
            Words::new("x", &w).check_altifname("dev", long).unwrap(),
            long
        );
        assert!(Words::new("x", &w).check_altifname("dev", "a b").is_err());
    }
}
