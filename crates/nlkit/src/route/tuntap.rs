//! tun/tap devices as `ip tuntap` knows them: made and removed through
//! `/dev/net/tun` ([`crate::socket::tun`], ioctls, not netlink), described
//! by the properties the kernel shows in sysfs (`tun_flags`, `owner`,
//! `group` under `class/net/NAME/`), and the processes that hold them.
//!
//! A device's netlink view (`IFLA_INFO_DATA` of kind `tun`: type, pi,
//! vnet_hdr, persist, queues, owner, group) is [`super::link::Tun`]; sysfs
//! also has the flags netlink leaves out (`one_queue`, `napi`...), which
//! is why `ip tuntap show` reads it. Nothing here panics; every failure is
//! an error that says what was tried.
//!
//! # References
//! `Documentation/networking/tuntap.rst`, `include/uapi/linux/if_tun.h`,
//! `drivers/net/tun.c` (`tun_flags_show`, `owner_show`, `group_show`).

use crate::error::{Error, Result};
use crate::socket::netns::Netns;
use crate::socket::tun::TunFile;
use std::fmt;
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;

/// `IFF_TUN`: a layer-3 device (IP packets).
pub const IFF_TUN: u32 = 0x0001;
/// `IFF_TAP`: a layer-2 device (Ethernet frames).
pub const IFF_TAP: u32 = 0x0002;
/// `IFF_NAPI`.
pub const IFF_NAPI: u32 = 0x0010;
/// `IFF_NAPI_FRAGS`.
pub const IFF_NAPI_FRAGS: u32 = 0x0020;
/// `IFF_MULTI_QUEUE`: several descriptors may attach, one queue each.
pub const IFF_MULTI_QUEUE: u32 = 0x0100;
/// `IFF_PERSIST`: the device outlives its descriptors.
pub const IFF_PERSIST: u32 = 0x0800;
/// `IFF_NO_PI`: no 4-byte packet information before each packet.
pub const IFF_NO_PI: u32 = 0x1000;
/// `IFF_NOFILTER`: the same bit as `IFF_NO_PI` (if_tun.h reuses it).
pub const IFF_NOFILTER: u32 = 0x1000;
/// `IFF_ONE_QUEUE`: kept for old users; the kernel ignores it.
pub const IFF_ONE_QUEUE: u32 = 0x2000;
/// `IFF_VNET_HDR`: a `virtio_net_hdr` before each packet.
pub const IFF_VNET_HDR: u32 = 0x4000;
/// `IFF_TUN_EXCL`: `TUNSETIFF` fails with `EBUSY` if the device exists.
pub const IFF_TUN_EXCL: u32 = 0x8000;

/// tun (layer 3) or tap (layer 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TunMode {
    /// `IFF_TUN`.
    Tun,
    /// `IFF_TAP`.
    Tap,
}

impl TunMode {
    /// The `IFF_*` bit.
    pub fn flag(self) -> u32 {
        match self {
            TunMode::Tun => IFF_TUN,
            TunMode::Tap => IFF_TAP,
        }
    }
}

/// A tun/tap device to make ([`TunTap::add`]) or remove ([`TunTap::del`]),
/// as `ip tuntap add|del` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TunTap {
    /// The device's name; empty: the kernel picks `tun%d` or `tap%d`.
    pub name: Vec<u8>,
    /// tun or tap.
    pub mode: TunMode,
    /// Packet information before each packet (`pi`: no `IFF_NO_PI`).
    pub pi: bool,
    /// `IFF_ONE_QUEUE`.
    pub one_queue: bool,
    /// `IFF_VNET_HDR`.
    pub vnet_hdr: bool,
    /// `IFF_MULTI_QUEUE`.
    pub multi_queue: bool,
    /// The user that may attach (`TUNSETOWNER`), on add.
    pub owner: Option<u32>,
    /// The group that may attach (`TUNSETGROUP`), on add.
    pub group: Option<u32>,
}

impl TunTap {
    /// A device of `mode` named `name`, no packet information, nothing else set.
    pub fn new(name: impl Into<Vec<u8>>, mode: TunMode) -> TunTap {
        TunTap {
            name: name.into(),
            mode,
            pi: false,
            one_queue: false,
            vnet_hdr: false,
            multi_queue: false,
            owner: None,
            group: None,
        }
    }

    /// The `ifr_flags` `TUNSETIFF` is given (without `IFF_TUN_EXCL`).
    pub fn ifr_flags(&self) -> u16 {
        let mut f = self.mode.flag();
        for (on, bit) in [
            (!self.pi, IFF_NO_PI),
            (self.one_queue, IFF_ONE_QUEUE),
            (self.vnet_hdr, IFF_VNET_HDR),
            (self.multi_queue, IFF_MULTI_QUEUE),
        ] {
            if on {
                f |= bit;
            }
        }
        f as u16
    }

    /// Makes the device (persistent, exclusively: an existing name is
    /// `EBUSY`), in `netns` if given, and returns its name. The errors say
    /// which step failed: `ioctl(TUNSETIFF): Device or resource busy`.
    pub fn add(&self, netns: Option<Netns<'_>>) -> Result<Vec<u8>> {
        let f = open(netns)?;
        let name = f
            .set_iff(&self.name, self.ifr_flags() | IFF_TUN_EXCL as u16)
            .map_err(|e| Error::io("ioctl(TUNSETIFF)", e))?;
        if let Some(uid) = self.owner {
            f.set_owner(uid)
                .map_err(|e| Error::io("ioctl(TUNSETOWNER)", e))?;
        }
        if let Some(gid) = self.group {
            f.set_group(gid)
                .map_err(|e| Error::io("ioctl(TUNSETGROUP)", e))?;
        }
        f.set_persist(true)
            .map_err(|e| Error::io("ioctl(TUNSETPERSIST)", e))?;
        Ok(name)
    }

    /// Removes the device: attaches to it (its mode and `multi_queue` must
    /// match, else `EINVAL`; another holder is `EBUSY`) and clears
    /// `IFF_PERSIST`, so it goes when the descriptor closes. The name is
    /// needed: without one `TUNSETIFF` would make a new device (and this
    /// would remove that one, which is what `ip tuntap del` without a name
    /// silently does).
    pub fn del(&self, netns: Option<Netns<'_>>) -> Result<()> {
        if self.name.is_empty() {
            return Err(Error::Invalid(
                "tuntap del: a device name is needed (dev NAME)".into(),
            ));
        }
        let f = open(netns)?;
        f.set_iff(&self.name, self.ifr_flags())
            .map_err(|e| Error::io("ioctl(TUNSETIFF)", e))?;
        f.set_persist(false)
            .map_err(|e| Error::io("ioctl(TUNSETPERSIST)", e))
    }
}

fn open(netns: Option<Netns<'_>>) -> Result<TunFile> {
    TunFile::open(netns).map_err(|e| Error::io("open", e))
}

/// The words `ip tuntap show` prints for `tun_flags`, in its order (`tun`,
/// `tap`, `pi`, `one_queue`, `multi_queue`, `vnet_hdr`, `persist`,
/// `filter`), and the bits it has no word for. `filter` is printed when
/// `IFF_NOFILTER` is clear, and that bit is `IFF_NO_PI`'s: ip prints
/// `filter` exactly when it prints `pi`.
pub fn flag_words(flags: u32) -> (Vec<&'static str>, u32) {
    let mut w = Vec::new();
    for (on, word) in [
        (flags & IFF_TUN != 0, "tun"),
        (flags & IFF_TAP != 0, "tap"),
        (flags & IFF_NO_PI == 0, "pi"),
        (flags & IFF_ONE_QUEUE != 0, "one_queue"),
        (flags & IFF_MULTI_QUEUE != 0, "multi_queue"),
        (flags & IFF_VNET_HDR != 0, "vnet_hdr"),
        (flags & IFF_PERSIST != 0, "persist"),
        (flags & IFF_NOFILTER == 0, "filter"),
    ] {
        if on {
            w.push(word);
        }
    }
    let known = IFF_TUN
        | IFF_TAP
        | IFF_NO_PI
        | IFF_ONE_QUEUE
        | IFF_MULTI_QUEUE
        | IFF_VNET_HDR
        | IFF_PERSIST
        | IFF_NOFILTER;
    (w, flags & !known)
}

/// Where sysfs is read: `/sys` as mounted, or an instance made for a
/// network namespace ([`Netns::sysfs`]), as `ip -n` remounts `/sys`.
#[derive(Debug)]
pub enum Sysfs {
    /// `/sys`.
    Root,
    /// A sysfs instance's root directory.
    Mount(OwnedFd),
}

impl Sysfs {
    /// The sysfs that shows `netns`'s devices (`/sys` for none).
    pub fn of(netns: Option<Netns<'_>>) -> io::Result<Sysfs> {
        match netns {
            None => Ok(Sysfs::Root),
            Some(ns) => ns.sysfs().map(Sysfs::Mount),
        }
    }

    /// The contents of `rel` (relative to sysfs's root).
    fn read(&self, rel: &[u8]) -> io::Result<Vec<u8>> {
        let mut f = match self {
            Sysfs::Root => {
                let mut p = b"/sys/".to_vec();
                p.extend_from_slice(rel);
                std::fs::File::open(std::ffi::OsStr::from_bytes(&p))?
            }
            Sysfs::Mount(dir) => std::fs::File::from(rustix::fs::openat(
                dir,
                std::ffi::OsStr::from_bytes(rel),
                rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::empty(),
            )?),
        };
        let mut v = Vec::new();
        f.by_ref().take(4096).read_to_end(&mut v)?;
        Ok(v)
    }

    /// Net device `dev`'s property `prop` (`class/net/DEV/PROP`), a number
    /// as C's `strtol(s, &end, 0)` reads it (`0x3802`, `-1`, `1000`), the
    /// first line only, as ip's `read_prop` does.
    pub fn net_prop(&self, dev: &[u8], prop: &str) -> std::result::Result<i64, PropError> {
        let mut rel = b"class/net/".to_vec();
        rel.extend_from_slice(dev);
        rel.push(b'/');
        rel.extend_from_slice(prop.as_bytes());
        let err = |kind| PropError {
            path: format!("/sys/{}", crate::schema::escape_bytes(&rel).into_owned()),
            prop: prop.to_string(),
            kind,
        };
        let bytes = self.read(&rel).map_err(|e| err(PropErrorKind::Open(e)))?;
        let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        if bytes.is_empty() {
            return Err(err(PropErrorKind::Empty));
        }
        let text = String::from_utf8_lossy(line);
        c_strtol(&text, 0).ok_or_else(|| err(PropErrorKind::NotNumber(text.into_owned())))
    }

    /// The three properties `ip tuntap show` prints.
    pub fn tun_props(&self, dev: &[u8]) -> std::result::Result<TunProps, PropError> {
        Ok(TunProps {
            flags: self.net_prop(dev, "tun_flags")? as u32,
            owner: self.net_prop(dev, "owner")?,
            group: self.net_prop(dev, "group")?,
        })
    }
}

/// A tun/tap device's sysfs properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TunProps {
    /// `tun_flags`: `IFF_*` bits ([`flag_words`]).
    pub flags: u32,
    /// `owner`: a uid, or -1 for none.
    pub owner: i64,
    /// `group`: a gid, or -1 for none.
    pub group: i64,
}

/// A sysfs property that could not be read.
#[derive(Debug)]
pub struct PropError {
    /// The file, as `/sys/class/net/DEV/PROP`.
    pub path: String,
    /// The property's name.
    pub prop: String,
    /// What went wrong.
    pub kind: PropErrorKind,
}

/// Why a property could not be read.
#[derive(Debug)]
pub enum PropErrorKind {
    /// The file did not open or read.
    Open(io::Error),
    /// It was empty.
    Empty,
    /// Its first line is not a number.
    NotNumber(String),
}

impl fmt::Display for PropError {
    /// ip's words (`fopen /sys/class/net/x/tun_flags: No such file or directory`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            PropErrorKind::Open(e) => write!(f, "fopen {}: {}", self.path, strerror(e)),
            PropErrorKind::Empty => write!(
                f,
                "property \"{}\" in file {} is currently unknown\nFailed to parse {}",
                self.prop, self.path, self.path
            ),
            PropErrorKind::NotNumber(v) => write!(
                f,
                "value \"{v}\" in file {} is not a number\nFailed to parse {}",
                self.path, self.path
            ),
        }
    }
}

impl std::error::Error for PropError {}

/// The C library's text for an I/O error (`Permission denied`), without
/// std's ` (os error N)`.
pub fn strerror(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => crate::errno::describe(n),
        None => e.to_string(),
    }
}

/// C's `strtol(s, &end, base)` when it must read all of `s` (`*end == 0`):
/// leading white space, a sign, then digits (base 0: `0x` hex, `0` octal,
/// else decimal). Out of range saturates, as strtol does. `None` if no
/// digit was read or something follows them.
pub fn c_strtol(s: &str, base: u32) -> Option<i64> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    fn hex(s: &str) -> Option<&str> {
        s.strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .filter(|r| r.starts_with(|c: char| c.is_ascii_hexdigit()))
    }
    let (radix, digits) = match base {
        0 => match hex(s) {
            Some(r) => (16, r),
            None if s.len() > 1 && s.starts_with('0') => (8, &s[1..]),
            None => (10, s),
        },
        16 => (16, hex(s).unwrap_or(s)),
        b => (b, s),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mut v: i128 = 0;
    for c in digits.chars() {
        v = (v * radix as i128 + c.to_digit(radix)? as i128).min(i64::MAX as i128 + 1);
    }
    let v = if neg { -v } else { v };
    Some(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// A process that holds a descriptor attached to a tun/tap device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// Its pid.
    pub pid: u32,
    /// Its name (`/proc/PID/comm`), if it could be read.
    pub comm: Option<String>,
}

/// The processes (other than this one) holding `/dev/net/tun` descriptors
/// attached to device `dev` (their `fdinfo` says `iff: DEV`), in pid and
/// descriptor order, one entry per descriptor, as `ip -d tuntap show`
/// finds them. A descriptor whose link cannot be read is handed to
/// `on_error` (ip prints `readlink: ERROR` for each) and skipped;
/// directories that cannot be listed are skipped silently, as ip's glob
/// skips them.
pub fn holders(dev: &[u8], mut on_error: impl FnMut(&io::Error)) -> Vec<Holder> {
    let me = std::process::id();
    let mut out = Vec::new();
    for pid in numbered(std::path::Path::new("/proc")) {
        let fd_dir = format!("/proc/{pid}/fd");
        for fd in numbered(std::path::Path::new(&fd_dir)) {
            if pid == me {
                continue;
            }
            match std::fs::read_link(format!("{fd_dir}/{fd}")) {
                Ok(t) if t.as_os_str().as_bytes() == crate::socket::tun::TUN_DEVICE.as_bytes() => {}
                Ok(_) => continue,
                Err(e) => {
                    on_error(&e);
                    continue;
                }
            }
            let Ok(info) = std::fs::read(format!("/proc/{pid}/fdinfo/{fd}")) else {
                continue;
            };
            for line in info.split(|&b| b == b'\n') {
                let Some(colon) = line.iter().position(|&b| b == b':') else {
                    continue;
                };
                let key = line[..colon].trim_ascii();
                let value = line[colon + 1..]
                    .trim_ascii_start()
                    .split(|b| b.is_ascii_whitespace())
                    .next()
                    .unwrap_or_default();
                if key == b"iff" && value == dev {
                    let comm = std::fs::read(format!("/proc/{pid}/comm")).ok().map(|c| {
                        let end = c.iter().position(|&b| b == b'\n').unwrap_or(c.len());
                        String::from_utf8_lossy(&c[..end]).into_owned()
                    });
                    out.push(Holder { pid, comm });
                }
            }
        }
    }
    out
}

/// The entries of `dir` whose names start with a digit and read as a
/// number, sorted (as `[0-9]*` matches them); none if it cannot be listed.
fn numbered(dir: &std::path::Path) -> Vec<u32> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<u32> = rd
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    v.sort_unstable();
    v
}

/// A user or group database (`/etc/passwd`, `/etc/group`): `name:x:id:...`
/// lines, read as the C library's `files` source reads them (NSS sources
/// other than files are not consulted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdDb {
    /// `/etc/passwd`.
    Users,
    /// `/etc/group`.
    Groups,
}

impl IdDb {
    fn entries(self) -> Vec<(String, u32)> {
        let path = match self {
            IdDb::Users => "/etc/passwd",
            IdDb::Groups => "/etc/group",
        };
        let Ok(text) = std::fs::read(path) else {
            return Vec::new();
        };
        String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let id = f.nth(1)?.parse().ok()?;
                (!name.is_empty() && !name.starts_with(['#', '+', '-']))
                    .then(|| (name.to_string(), id))
            })
            .collect()
    }

    /// The id of `name` (`getpwnam`, `getgrnam`).
    pub fn id(self, name: &str) -> Option<u32> {
        self.entries()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id)
    }

    /// The name of `id` (`getpwuid`, `getgrgid`): the first entry with it.
    pub fn name(self, id: u32) -> Option<String> {
        self.entries()
            .into_iter()
            .find(|(_, i)| *i == id)
            .map(|(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_as_ip_words_them() {
        // tap, no pi, one_queue, persist (a sysfs value read on a real device).
        assert_eq!(flag_words(0x3802), (vec!["tap", "one_queue", "persist"], 0));
        // pi also prints `filter`: IFF_NOFILTER is IFF_NO_PI's bit.
        assert_eq!(
            flag_words(IFF_TUN | IFF_MULTI_QUEUE | IFF_VNET_HDR | IFF_PERSIST),
            (
                vec!["tun", "pi", "multi_queue", "vnet_hdr", "persist", "filter"],
                0
            )
        );
        assert_eq!(flag_words(IFF_TAP | IFF_NO_PI | IFF_NAPI).1, IFF_NAPI);
    }

    #[test]
    fn ifr_flags() {
        let mut t = TunTap::new("tap0", TunMode::Tap);
        assert_eq!(t.ifr_flags(), (IFF_TAP | IFF_NO_PI) as u16);
        t.pi = true;
        t.vnet_hdr = true;
        t.multi_queue = true;
        t.one_queue = true;
        assert_eq!(
            t.ifr_flags(),
            (IFF_TAP | IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_ONE_QUEUE) as u16
        );
    }

    #[test]
    fn strtol_as_c() {
        assert_eq!(c_strtol("0x3802", 0), Some(0x3802));
        assert_eq!(c_strtol("-1", 0), Some(-1));
        assert_eq!(c_strtol("1000", 0), Some(1000));
        assert_eq!(c_strtol("010", 0), Some(8));
        assert_eq!(c_strtol("0", 0), Some(0));
        assert_eq!(c_strtol(" +5", 10), Some(5));
        assert_eq!(c_strtol("010", 10), Some(10));
        assert_eq!(c_strtol("99999999999999999999", 10), Some(i64::MAX));
        assert_eq!(c_strtol("-99999999999999999999", 10), Some(i64::MIN));
        for bad in ["", "x", "5x", "0x", "-", "1 ", "08"] {
            assert_eq!(c_strtol(bad, 0), None, "{bad:?}");
        }
    }
}
