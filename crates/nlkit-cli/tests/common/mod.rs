//! Running the built `nlkit` binary.
#![allow(dead_code)]

use std::io::Write;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// What a run of `nlkit` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_nlkit")
}

/// Runs `nlkit args...` with `stdin`, waits, and collects everything.
pub fn nlkit(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nlkit");
    let mut sin = child.stdin.take().unwrap();
    if let Some(b) = stdin {
        sin.write_all(b).unwrap();
    }
    drop(sin);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Starts `prog args...` (a listener: `ip monitor`, `nlkit monitor`) with
/// its stdout piped and its stderr dropped.
pub fn spawn_quiet(prog: &str, args: &[&str]) -> Reaped {
    Reaped::new(
        Command::new(prog)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {prog}: {e}")),
    )
}

/// Kills a [`spawn_quiet`] child; what it printed.
pub fn stop_bytes(mut c: Reaped) -> Vec<u8> {
    let _ = c.kill();
    c.wait_with_output().unwrap().stdout
}

/// `tests/fixtures/NAME`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The bytes of `tests/fixtures/NAME`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A child process that is killed and reaped when dropped: a test that fails
/// half-way (a panic in an assert) leaves no monitor running behind it,
/// holding the test's output pipe open or a netns alive.
pub struct Reaped(Option<Child>);

impl Reaped {
    pub fn new(child: Child) -> Self {
        Reaped(Some(child))
    }

    /// Waits for the child's end and collects its output (as
    /// [`Child::wait_with_output`]); the child is then no longer killed on
    /// drop, since it has ended.
    pub fn wait_with_output(mut self) -> std::io::Result<Output> {
        self.0.take().expect("child present").wait_with_output()
    }
}

impl Deref for Reaped {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("child present")
    }
}

impl DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("child present")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs `TOOL ARGS` (split on blanks) in a mount namespace of its own
/// (private propagation: nothing leaks to the host's mounts) after the
/// shell command `mount` (an overlay on `/etc`, a bind mount on
/// `/etc/hosts`...); returns (stdout, stderr, exit code).
pub fn with_mounts(mount: &str, tool: &str, args: &str) -> (String, String, i32) {
    let script = format!("{mount} && exec \"$@\"");
    let out = Command::new("unshare")
        .args([
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
            "sh",
            tool,
        ])
        .args(args.split_whitespace())
        .output()
        .expect("run unshare");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}
