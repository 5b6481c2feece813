//! Where specs are found: the kernel's specs are looked up on the machine,
//! never copied into the project.
//!
//! Order: `--spec FILE` (the caller loads it with [`load`]), then the folder
//! in `$NLKIT_YNL_SPECS`, then `/usr/share/ynl/specs` (what the kernel's
//! `make -C tools/net/ynl install` writes), then
//! `/usr/share/doc/linux-doc-*/Documentation/netlink/specs` (Debian's
//! `linux-doc-6.12` ships them gzipped), newest kernel version first. In
//! each folder `NAME.yaml` and `NAME.yaml.gz` are read; a family name
//! matches its file with `-` and `_` taken as the same (`rt-link` is
//! `rt_link.yaml`).

use super::{Family, SpecError};
use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The environment variable naming a folder of specs, searched first.
pub const ENV: &str = "NLKIT_YNL_SPECS";

/// The largest spec read (decompressed): far above the largest kernel spec.
const MAX_SPEC: u64 = 16 << 20;

/// Where a folder of specs comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--spec FILE`.
    File,
    /// `$NLKIT_YNL_SPECS`.
    Env,
    /// `/usr/share/ynl/specs`.
    Installed,
    /// A `linux-doc-VERSION` package.
    LinuxDoc(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File => f.write_str("--spec"),
            Source::Env => write!(f, "${ENV}"),
            Source::Installed => f.write_str("ynl install"),
            Source::LinuxDoc(v) => write!(f, "linux-doc-{v}"),
        }
    }
}

/// A folder searched for specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecDir {
    /// The folder.
    pub path: PathBuf,
    /// Where it comes from.
    pub source: Source,
}

/// A spec file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The family name as the file names it (`rt_link`).
    pub stem: String,
    /// The file.
    pub path: PathBuf,
    /// Where it was found.
    pub source: Source,
}

impl Found {
    /// Loads and checks the spec.
    pub fn load(&self) -> Result<Family, SpecError> {
        load(&self.path)
    }
}

/// The folders searched, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchPath {
    /// Folders, first match wins.
    pub dirs: Vec<SpecDir>,
}

/// `6.12.3` → `[6, 12, 3]`, for ordering versions.
fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or(u64::MAX))
        .collect()
}

/// `rt-link` and `rt_link` are the same family.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || (x == b'-' || x == b'_') && (y == b'-' || y == b'_'))
}

/// The family stem of a spec file name (`rt_link.yaml.gz` → `rt_link`).
fn stem(name: &OsStr) -> Option<&str> {
    let n = name.to_str()?;
    n.strip_suffix(".yaml.gz")
        .or_else(|| n.strip_suffix(".yaml"))
        .filter(|s| !s.is_empty())
}

impl SearchPath {
    /// The standard search path: `$NLKIT_YNL_SPECS`, then the system folders.
    pub fn from_env() -> SearchPath {
        SearchPath::under(Path::new("/"), std::env::var_os(ENV).as_deref())
    }

    /// The standard search path with the system folders under `root`
    /// (`/` normally; a temporary folder in tests) and `env` as the value
    /// of `$NLKIT_YNL_SPECS`.
    pub fn under(root: &Path, env: Option<&OsStr>) -> SearchPath {
        let mut dirs = Vec::new();
        if let Some(e) = env.filter(|e| !e.is_empty()) {
            dirs.push(SpecDir {
                path: PathBuf::from(e),
                source: Source::Env,
            });
        }
        dirs.push(SpecDir {
            path: root.join("usr/share/ynl/specs"),
            source: Source::Installed,
        });
        let doc = root.join("usr/share/doc");
        let mut docs: Vec<(Vec<u64>, String)> = std::fs::read_dir(&doc)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let n = e
                    .file_name()
                    .to_str()?
                    .strip_prefix("linux-doc-")?
                    .to_string();
                Some((version_key(&n), n))
            })
            .collect();
        docs.sort_by(|a, b| b.cmp(a));
        for (_, v) in docs {
            dirs.push(SpecDir {
                path: doc.join(format!("linux-doc-{v}/Documentation/netlink/specs")),
                source: Source::LinuxDoc(v),
            });
        }
        SearchPath { dirs }
    }

    /// Spec files of one folder, sorted by name (a `.yaml` before its `.yaml.gz`).
    fn files(dir: &SpecDir) -> Vec<Found> {
        let mut out: Vec<Found> = std::fs::read_dir(&dir.path)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name();
                let s = stem(&name)?.to_string();
                Some(Found {
                    stem: s,
                    path: e.path(),
                    source: dir.source.clone(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// The spec of `family` (`ethtool`, `rt-link`): the first folder that
    /// has it wins.
    pub fn find(&self, family: &str) -> Option<Found> {
        self.dirs
            .iter()
            .flat_map(Self::files)
            .find(|f| same_name(&f.stem, family))
    }

    /// Every spec found, one per family (the first folder that has it), and
    /// the files it hides (the same family in later folders).
    pub fn list(&self) -> Vec<(Found, Vec<Found>)> {
        let mut out: Vec<(Found, Vec<Found>)> = Vec::new();
        for f in self.dirs.iter().flat_map(Self::files) {
            match out.iter_mut().find(|(g, _)| same_name(&g.stem, &f.stem)) {
                Some((_, hidden)) => hidden.push(f),
                None => out.push((f, Vec::new())),
            }
        }
        out.sort_by(|a, b| a.0.stem.cmp(&b.0.stem));
        out
    }
}

/// Reads a spec file (`.yaml`, or gzipped `.yaml.gz`) and checks it.
pub fn load(path: &Path) -> Result<Family, SpecError> {
    let file = path.display().to_string();
    let err = |msg: String| SpecError {
        file: file.clone(),
        line: None,
        msg,
    };
    let f = std::fs::File::open(path).map_err(|e| err(format!("cannot open: {e}")))?;
    let mut bytes = Vec::new();
    let gz = path.extension() == Some(OsStr::new("gz"));
    let r: Box<dyn Read> = if gz {
        Box::new(flate2::read::GzDecoder::new(f))
    } else {
        Box::new(f)
    };
    r.take(MAX_SPEC + 1).read_to_end(&mut bytes).map_err(|e| {
        err(format!(
            "cannot read{}: {e}",
            if gz { " (gzip)" } else { "" }
        ))
    })?;
    if bytes.len() as u64 > MAX_SPEC {
        return Err(err(format!("larger than {} MiB", MAX_SPEC >> 20)));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        SpecError {
            file: file.clone(),
            line: Some(line),
            msg: "not UTF-8".to_string(),
        }
    })?;
    Family::parse(&file, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically() {
        assert!(version_key("6.12") > version_key("6.9"));
        assert!(version_key("6.12.1") > version_key("6.12"));
        assert_eq!(version_key("6.1-rc2"), vec![6, 1, 2]);
    }

    #[test]
    fn names_match_across_dash_and_underscore() {
        assert!(same_name("rt-link", "rt_link"));
        assert!(same_name("ovs_flow", "ovs_flow"));
        assert!(!same_name("rt-link", "rt-addr"));
        assert!(!same_name("netdev", "netdevs"));
        assert_eq!(stem(OsStr::new("rt_link.yaml.gz")), Some("rt_link"));
        assert_eq!(stem(OsStr::new("x.yaml")), Some("x"));
        assert_eq!(stem(OsStr::new(".yaml")), None);
        assert_eq!(stem(OsStr::new("x.rst.gz")), None);
    }
}
