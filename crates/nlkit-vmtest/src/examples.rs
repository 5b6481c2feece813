//! The examples of `crates/nlkit/examples` (the article's demos against the
//! module) run as separate programs, their output compared with what the
//! article shows. run.sh puts them next to this program as `NAME.example`;
//! init.sh does not run `*.example` files itself.

use crate::{ensure, Context, Ctx, Outcome, Report, TestResult};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ECHO_LINE: &str = "Received message payload: Hello you!";
const GREETING_LINE: &str = "Received message payload: Greeting from kernel!";

pub fn run(ctx: &Ctx, r: &mut Report) {
    r.run("example_nltest_echo", || {
        let out = run_example(ctx, "nltest_echo", &[])?;
        out.ok()?;
        ensure!(
            out.stdout == format!("{ECHO_LINE}\n"),
            "stdout {:?}",
            out.stdout
        );
        Ok(Outcome::Pass)
    });
    r.run("example_nltest_multicast", || {
        let out = run_example(ctx, "nltest_multicast", &[])?;
        if ctx.may_join_raw_group() {
            out.ok()?;
            ensure!(
                out.stdout == format!("{GREETING_LINE}\n{GREETING_LINE}\n"),
                "stdout {:?}",
                out.stdout
            );
        } else {
            ensure!(
                !out.success,
                "succeeded without permission to join: {:?}",
                out.stdout
            );
            ensure!(
                out.stderr.contains("Operation not permitted"),
                "stderr {:?}, want EPERM",
                out.stderr
            );
        }
        Ok(Outcome::Pass)
    });
    if ctx.may_join_raw_group() {
        r.run("example_nltest_multicast_two_processes", || {
            article_processes(ctx)
        });
    }
    r.run("example_genl_nltest", || {
        let out = run_example(ctx, "genl_nltest", &[])?;
        out.ok()?;
        ensure!(
            out.stdout == format!("{ECHO_LINE}\n{GREETING_LINE}\n{GREETING_LINE}\n"),
            "stdout {:?}",
            out.stdout
        );
        Ok(Outcome::Pass)
    });
}

fn example_path(ctx: &Ctx, name: &str) -> Option<PathBuf> {
    let p = ctx.exe.parent()?.join(format!("{name}.example"));
    p.is_file().then_some(p)
}

struct Output {
    success: bool,
    status: String,
    stdout: String,
    stderr: String,
}

impl Output {
    fn ok(&self) -> Result<(), String> {
        ensure!(
            self.success,
            "exited with {}; stdout {:?}, stderr {:?}",
            self.status,
            self.stdout,
            self.stderr
        );
        Ok(())
    }
}

/// Runs an example to its end (killed after 30 s).
fn run_example(ctx: &Ctx, name: &str, args: &[&str]) -> Result<Output, String> {
    let path = example_path(ctx, name).ok_or_else(|| format!("{name}.example is not in the VM"))?;
    let mut child = Command::new(&path)
        .args(args)
        .env("NLTEST_UNIT", ctx.unit.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ctx(&format!("start {name}"))?;
    let t0 = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().ctx("wait")? {
            break st;
        }
        if t0.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{name} still running after 30 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut o) = child.stdout.take() {
        o.read_to_string(&mut stdout).ctx("stdout")?;
    }
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr).ctx("stderr")?;
    }
    Ok(Output {
        success: status.success(),
        status: status.to_string(),
        stdout,
        stderr,
    })
}

/// The article's way: two `nltest_multicast listen` processes wait ("Waiting
/// for message from kernel"), then `nltest_multicast send` makes the kernel
/// broadcast, and both print the greeting.
fn article_processes(ctx: &Ctx) -> TestResult {
    let path =
        example_path(ctx, "nltest_multicast").ok_or("nltest_multicast.example is not in the VM")?;
    let mut kids = Kids(Vec::new());
    let watchdog = Watchdog::new(Duration::from_secs(30));
    for _ in 0..2 {
        let mut c = Command::new(&path)
            .arg("listen")
            .env("NLTEST_UNIT", ctx.unit.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .ctx("start a listener")?;
        let out = BufReader::new(c.stdout.take().expect("piped"));
        watchdog.watch(c.id());
        kids.0.push((c, out));
    }
    for (_, out) in kids.0.iter_mut() {
        let mut l = String::new();
        out.read_line(&mut l).ctx("listener output")?;
        ensure!(
            l == "Waiting for message from kernel\n",
            "listener said {l:?}"
        );
    }
    let sent = run_example(ctx, "nltest_multicast", &["send"])?;
    sent.ok()?;
    for (c, out) in kids.0.iter_mut() {
        let mut rest = String::new();
        out.read_to_string(&mut rest).ctx("listener output")?;
        let st = c.wait().ctx("wait")?;
        ensure!(st.success(), "listener exited with {st}");
        ensure!(
            rest == format!("{GREETING_LINE}\n"),
            "listener printed {rest:?}"
        );
    }
    Ok(Outcome::Pass)
}

/// Example processes, killed and reaped if a test leaves them running.
struct Kids(Vec<(std::process::Child, BufReader<std::process::ChildStdout>)>);

impl Drop for Kids {
    fn drop(&mut self) {
        for (c, _) in self.0.iter_mut() {
            if let Ok(None) = c.try_wait() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

/// Kills the processes it watches if they are still there after a while: a
/// listener that never gets its message must not hang the test.
struct Watchdog {
    pids: std::sync::Arc<std::sync::Mutex<Vec<u32>>>,
    stop: Option<std::sync::mpsc::Sender<()>>,
}

impl Watchdog {
    fn new(after: Duration) -> Watchdog {
        let pids = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u32>::new()));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let p = pids.clone();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(after) {
                for &pid in p.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                    // SAFETY: kill(2) with a pid of our own child; at worst it is gone (ESRCH).
                    #[allow(unsafe_code)]
                    unsafe {
                        libc::kill(pid as libc::pid_t, libc::SIGKILL);
                    }
                }
            }
        });
        Watchdog {
            pids,
            stop: Some(tx),
        }
    }

    fn watch(&self, pid: u32) {
        self.pids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(pid);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
