//! The `nltest` family through its YAML spec (`kernel/module/nltest.yaml`,
//! built into this program): the runtime YNL client's echo, dump, notify
//! (subscribing to `events` by name) and the missing-attribute error with
//! its ext-ack text, through the library and through `nlkit ynl`.

use crate::{ensure, Context, Ctx, Outcome, Report, RECV_TIMEOUT};
use nlkit::ynl::{spec::Family, Client, Mode, Schema};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// The project's spec of its module's family.
const SPEC: &str = include_str!("../../../kernel/module/nltest.yaml");
/// Where the CLI tests find it in the VM.
const SPEC_FILE: &str = "/tmp/nlkit-vmtest-nltest.yaml";
const NLKIT: &str = "/usr/bin/nlkit";

fn json_of(schema: &Schema, m: &nlkit::wire::Msg<&[u8]>, op: &str) -> nlkit::Result<Value> {
    let mut b = Vec::new();
    schema.reply_to(m, schema.op(op), &mut b)?;
    serde_json::from_slice(&b).map_err(|e| nlkit::Error::Invalid(format!("reply JSON: {e}")))
}

fn do_(schema: &Schema, c: &Client, op: &str, req: Value) -> nlkit::Result<Vec<Value>> {
    let r = schema.request(op, Mode::Do, &req)?;
    let mut out = Vec::new();
    c.request(&r, &mut |m| {
        out.push(json_of(schema, &m, op)?);
        Ok(())
    })?;
    Ok(out)
}

pub fn run(ctx: &Ctx, r: &mut Report) {
    let schema = match Family::parse("nltest.yaml", SPEC) {
        Ok(f) => Schema::new(f),
        Err(e) => {
            r.run("ynl_spec", || Err(format!("nltest.yaml: {e}")));
            return;
        }
    };
    let client = match Client::open(&schema) {
        Ok(c) => c,
        Err(e) => {
            r.run("ynl_open", || Err(format!("open nltest by its spec: {e}")));
            return;
        }
    };
    r.run("ynl_nltest_echo", || {
        let got = do_(&schema, &client, "echo", json!({"payload": "68656c6c6f00"})).ctx("echo")?;
        ensure!(
            got == [json!({"payload": "68656c6c6f00"})],
            "replies {got:?}"
        );
        Ok(Outcome::Pass)
    });
    r.run("ynl_nltest_dump", || {
        let mut idx = Vec::new();
        client
            .dump(&schema, "dump", &json!({"count": 5}), &mut |m| {
                let v = json_of(&schema, &m, "dump")?;
                idx.push(v["index"].clone());
                Ok(())
            })
            .ctx("dump")?;
        ensure!(idx == [0, 1, 2, 3, 4], "indexes {idx:?}");
        Ok(Outcome::Pass)
    });
    r.run("ynl_nltest_notify_events", || {
        let mut sub = client.subscribe("events").ctx("subscribe events")?;
        sub.socket()
            .set_recv_timeout(Some(RECV_TIMEOUT))
            .ctx("recv timeout")?;
        let got = do_(&schema, &client, "notify", json!({"payload": "6869"})).ctx("notify")?;
        ensure!(got.is_empty(), "notify answered {got:?}");
        let mut lines = Vec::new();
        sub.next(&mut |m| {
            let mut b = Vec::new();
            schema.notification_to(&m, &mut b)?;
            lines.push(String::from_utf8_lossy(&b).into_owned());
            Ok(())
        })
        .ctx("receive the notification")?;
        ensure!(
            lines == [r#"{"name":"notify","msg":{"payload":"6869"}}"#],
            "notifications {lines:?}"
        );
        Ok(Outcome::Pass)
    });
    r.run("ynl_nltest_require_missing_name", || {
        let e = match do_(&schema, &client, "require", json!({})) {
            Ok(v) => return Err(format!("require without a name answered {v:?}")),
            Err(e) => e,
        };
        let k = e
            .kernel()
            .ok_or_else(|| format!("not a kernel error: {e}"))?;
        ensure!(k.errno == libc::EINVAL, "errno {}: {e}", k.errno);
        ensure!(
            k.message.as_deref() == Some("missing NLTEST_A_NAME"),
            "message {:?}",
            k.message
        );
        ensure!(
            k.missing_name.as_deref() == Some("name"),
            "missing {:?}: {e}",
            k.missing_name
        );
        Ok(Outcome::Pass)
    });
    cli(ctx, r);
}

fn cli(_ctx: &Ctx, r: &mut Report) {
    if !Path::new(NLKIT).is_file() {
        r.run("ynl_cli", || {
            Ok(Outcome::Skip(format!("{NLKIT} is not in the VM")))
        });
        return;
    }
    if let Err(e) = std::fs::write(SPEC_FILE, SPEC) {
        r.run("ynl_cli", || Err(format!("write {SPEC_FILE}: {e}")));
        return;
    }
    let run = |args: &[&str]| {
        let mut all = vec!["ynl", "--spec", SPEC_FILE];
        all.extend_from_slice(args);
        Command::new(NLKIT)
            .args(&all)
            .output()
            .ctx(&format!("run nlkit {}", all.join(" ")))
    };
    r.run("ynl_cli_echo", || {
        let o = run(&["--do", "echo", "--json", r#"{"payload": "6869"}"#])?;
        let out = String::from_utf8_lossy(&o.stdout);
        ensure!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ensure!(out == "{\"payload\":\"6869\"}\n", "stdout {out:?}");
        Ok(Outcome::Pass)
    });
    r.run("ynl_cli_dump", || {
        let o = run(&["--dump", "dump", "--json", r#"{"count": 2}"#])?;
        ensure!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).ctx("stdout JSON")?;
        let idx: Vec<Value> = v
            .as_array()
            .map(|a| a.iter().map(|e| e["index"].clone()).collect())
            .unwrap_or_default();
        ensure!(idx == [0, 1], "stdout {v}");
        Ok(Outcome::Pass)
    });
    r.run("ynl_cli_require_ext_ack", || {
        let o = run(&["--do", "require"])?;
        ensure!(!o.status.success(), "succeeded without a name");
        let err = String::from_utf8_lossy(&o.stderr);
        let want = "nlkit: nltest require do: Invalid argument (EINVAL): missing NLTEST_A_NAME \
                    [missing attribute name]\n";
        ensure!(err == want, "stderr {err:?}, want {want:?}");
        Ok(Outcome::Pass)
    });
}
