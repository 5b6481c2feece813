//! The `nlkit` command (crates/nlkit-cli) against the module, as the README
//! shows it: run.sh installs it as `/usr/bin/nlkit` in the VM.

use crate::{ensure, Context, Ctx, Outcome, Report};
use std::path::Path;
use std::process::{Command, Output};

const NLKIT: &str = "/usr/bin/nlkit";

pub fn run(_ctx: &Ctx, r: &mut Report) {
    if !Path::new(NLKIT).is_file() {
        r.run("cli", || {
            Ok(Outcome::Skip(format!("{NLKIT} is not in the VM")))
        });
        return;
    }
    r.run("cli_genl_nltest_echo", || {
        let o = nlkit(&["genl", "nltest", "echo", "hello"])?;
        ok(&o)?;
        let out = String::from_utf8_lossy(&o.stdout);
        ensure!(out == "Received message payload: hello\n", "stdout {out:?}");
        Ok(Outcome::Pass)
    });
    r.run("cli_genl_nltest_dump", || {
        let o = nlkit(&["genl", "nltest", "dump", "3"])?;
        ok(&o)?;
        let out = String::from_utf8_lossy(&o.stdout);
        let idx: Vec<&str> = out
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap_or("?"))
            .collect();
        ensure!(
            idx == ["0", "1", "2"] && out.lines().all(|l| l.starts_with("index ")),
            "stdout {out:?}"
        );
        Ok(Outcome::Pass)
    });
    r.run("cli_genl_policy_nltest", || {
        // REQUIRE (op 4) takes NLTEST_A_NAME (4), NUL-terminated, at most 255 bytes.
        let o = nlkit(&["genl", "policy", "nltest", "op", "4"])?;
        ok(&o)?;
        let out = String::from_utf8_lossy(&o.stdout);
        ensure!(
            out.lines().count() == 2
                && out.contains(" op 4 policies: do=")
                && out.contains("attr[4]: type=NUL_STRING max len:255\n"),
            "stdout {out:?}"
        );
        Ok(Outcome::Pass)
    });
    r.run("cli_genl_nltest_require_ext_ack", || {
        let o = nlkit(&["genl", "nltest", "require"])?;
        ensure!(!o.status.success(), "succeeded without a name");
        let err = String::from_utf8_lossy(&o.stderr);
        let want = "nlkit: nltest require: Invalid argument (EINVAL): missing NLTEST_A_NAME \
                    [missing attribute NLTEST_A_NAME]\n";
        ensure!(err == want, "stderr {err:?}, want {want:?}");
        Ok(Outcome::Pass)
    });
}

fn nlkit(args: &[&str]) -> Result<Output, String> {
    Command::new(NLKIT)
        .args(args)
        .output()
        .ctx(&format!("run nlkit {}", args.join(" ")))
}

fn ok(o: &Output) -> Result<(), String> {
    ensure!(
        o.status.success(),
        "exit {}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr).trim()
    );
    Ok(())
}
