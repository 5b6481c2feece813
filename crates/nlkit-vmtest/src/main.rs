//! `nlkit-vmtest`: nlkit against its own kernel module (`kernel/module`),
//! inside the VM that `kernel/vm/run.sh` boots.
//!
//! Started by `kernel/vm/init.sh` once per phase, it prints `PASS name`,
//! `FAIL name: reason` and `SKIP name: reason` lines (names are
//! `nlkit-vmtest/<phase>/<test>`) and exits non-zero if anything failed. It
//! talks to the module only through the nlkit library; libc is used for
//! privileges alone. What it expects comes from the facts of the run (its
//! euid, the module's `unit` and `nonroot_recv` parameters), not from the
//! phase's name.
//!
//! Usage:
//! ```text
//! nlkit-vmtest                      the tests of $NLTEST_PHASE (root, unpriv, unpriv_recv, unit, unload):
//!                                   raw unit, genl nltest, the examples (NAME.example beside this
//!                                   program) and the nlkit CLI (/usr/bin/nlkit), as the run has them;
//!                                   in the root phase also dummy and vlan links (library and CLI),
//!                                   and a conntrack table (create, dump, get, delete, flush), NFQUEUE accept/drop;
//!                                   nltest through its YAML spec (library and `nlkit ynl`);
//!                                   ip beside nlkit on dummy, vlan, vrf and encap mpls state (ipdiff.rs)
//! nlkit-vmtest listen raw|genl      helper: one multicast listener (a child process of a test)
//! nlkit-vmtest hold raw             helper: keep a raw unit listener open (unload phase)
//! ```

mod child;
mod cli;
mod conntrack;
mod examples;
mod genl;
mod ipdiff;
mod links;
mod nfqueue;
mod raw;
mod unload;
mod ynl;

use std::any::Any;
use std::fmt::Display;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How long any single receive may block before a test calls it a failure.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(10);

/// A test's verdict when it does not fail.
pub enum Outcome {
    Pass,
    Skip(String),
}

/// What a test returns: `Err` is a failure with its reason.
pub type TestResult = Result<Outcome, String>;

/// Fails the test with a formatted reason unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Turns any displayable error into a failure reason, saying what was being done.
pub trait Context<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// The facts a test bases its expectations on.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// `NLTEST_PHASE`.
    pub phase: String,
    /// The raw netlink unit the module serves (`NLTEST_UNIT`, else sysfs, else 17).
    pub unit: i32,
    /// The module's `nonroot_recv` parameter.
    pub nonroot_recv: bool,
    /// Whether we run as root (after any privilege drop).
    pub root: bool,
    /// This program, to start helper processes.
    pub exe: PathBuf,
}

impl Ctx {
    /// May this process join the raw unit's group?
    pub fn may_join_raw_group(&self) -> bool {
        self.root || self.nonroot_recv
    }
}

/// Prints verdicts and counts them.
pub struct Report {
    prefix: String,
    failed: usize,
    times: Vec<(Duration, String)>,
    start: Instant,
}

impl Report {
    pub fn new(phase: &str) -> Report {
        Report {
            prefix: format!("nlkit-vmtest/{phase}"),
            failed: 0,
            times: Vec::new(),
            start: Instant::now(),
        }
    }

    /// Runs one test; a panic is a failure too.
    pub fn run(&mut self, name: &str, test: impl FnOnce() -> TestResult) {
        let t0 = Instant::now();
        let r =
            panic::catch_unwind(AssertUnwindSafe(test)).unwrap_or_else(|p| Err(panic_text(&*p)));
        let line = match r {
            Ok(Outcome::Pass) => format!("PASS {}/{name}", self.prefix),
            Ok(Outcome::Skip(why)) => format!("SKIP {}/{name}: {why}", self.prefix),
            Err(why) => {
                self.failed += 1;
                format!("FAIL {}/{name}: {}", self.prefix, why.replace('\n', " | "))
            }
        };
        self.times.push((t0.elapsed(), name.to_string()));
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// Prints how long the run took and its slowest tests (informational).
    pub fn timing(&mut self) {
        self.times.sort_by_key(|t| std::cmp::Reverse(t.0));
        let slow: Vec<String> = self
            .times
            .iter()
            .take(4)
            .map(|(d, n)| format!("{n} {:.2}s", d.as_secs_f64()))
            .collect();
        self.info(format_args!(
            "{} tests in {:.2}s; slowest: {}",
            self.times.len(),
            self.start.elapsed().as_secs_f64(),
            slow.join(", ")
        ));
    }

    /// Prints an informational line (not counted by the harness).
    pub fn info(&self, text: impl Display) {
        println!("INFO {}: {text}", self.prefix);
    }
}

fn panic_text(p: &(dyn Any + Send)) -> String {
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panicked: {msg}")
}

fn read_param(name: &str) -> Option<String> {
    std::fs::read_to_string(format!("/sys/module/nltest/parameters/{name}"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// The unit the module serves: `NLTEST_UNIT`, else its sysfs parameter, else 17.
pub fn unit_from_env() -> i32 {
    std::env::var("NLTEST_UNIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .or_else(|| read_param("unit").and_then(|s| s.parse().ok()))
        .unwrap_or(nlkit::genl::nltest::UNIT)
}

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid(2) takes no arguments and cannot fail.
    #[allow(unsafe_code)]
    unsafe {
        libc::geteuid()
    }
}

/// The drop hook of the harness: with `NLTEST_DROP_UID` set we were started
/// as root and become that user for good (as `drop_privileges()` in
/// `kernel/vm/smoke.c`). Done before any thread exists: glibc's `setuid`
/// then changes the whole process.
#[allow(unsafe_code)]
fn drop_privileges() -> Result<(), String> {
    let Some(uid) = std::env::var("NLTEST_DROP_UID")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return Ok(());
    };
    let uid: libc::uid_t = uid
        .parse()
        .map_err(|_| format!("NLTEST_DROP_UID {uid:?}"))?;
    let gid: libc::gid_t = match std::env::var("NLTEST_DROP_GID") {
        Ok(g) if !g.is_empty() => g.parse().map_err(|_| format!("NLTEST_DROP_GID {g:?}"))?,
        _ => uid,
    };
    // SAFETY: plain system calls with valid arguments (an empty group list).
    let failed = unsafe {
        libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(gid) != 0
            || libc::setuid(uid) != 0
    };
    if failed {
        return Err(format!(
            "drop to {uid}:{gid}: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: as above; this one must fail now.
    if unsafe { libc::setuid(0) } == 0 {
        return Err("could regain uid 0 after dropping privileges".into());
    }
    // The children we start are already unprivileged and must not try again.
    std::env::remove_var("NLTEST_DROP_UID");
    std::env::remove_var("NLTEST_DROP_GID");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        return child::main(&args);
    }
    let phase = std::env::var("NLTEST_PHASE").unwrap_or_else(|_| "root".into());
    let mut report = Report::new(&phase);
    // Before dropping privileges: a directory every phase's user may write.
    genl::prepare_id_dir();
    if std::env::var_os("NLTEST_DROP_UID").is_some() {
        let mut dropped = Ok(());
        report.run("drop_privileges", || {
            dropped = drop_privileges();
            dropped.clone().map(|()| Outcome::Pass)
        });
        if dropped.is_err() {
            return ExitCode::FAILURE;
        }
    }
    let ctx = Ctx {
        phase: phase.clone(),
        unit: unit_from_env(),
        nonroot_recv: matches!(read_param("nonroot_recv").as_deref(), Some("Y" | "1")),
        root: euid() == 0,
        exe: std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into()),
    };
    report.info(format_args!(
        "uid {}, unit {}, nonroot_recv {}, kernel {}",
        euid(),
        ctx.unit,
        ctx.nonroot_recv,
        std::env::var("NLTEST_KERNEL").unwrap_or_default()
    ));
    if phase == "unload" {
        unload::run(&ctx, &mut report);
    } else {
        raw::run(&ctx, &mut report);
        genl::run(&ctx, &mut report);
        examples::run(&ctx, &mut report);
        cli::run(&ctx, &mut report);
        links::run(&ctx, &mut report);
        ipdiff::run(&ctx, &mut report);
        nfqueue::run(&ctx, &mut report);
        conntrack::run(&ctx, &mut report);
        ynl::run(&ctx, &mut report);
    }
    report.timing();
    if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
