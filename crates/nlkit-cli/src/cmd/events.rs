//! `nlkit monitor uevent|proc`: the monitors that are not rtnetlink's, and
//! what they share (option parsing, JSON lines).

use crate::error::CliError;
use crate::output::Out;
use crate::Global;

/// Runs `nlkit monitor WORDS` if the first word names one of these monitors.
pub fn dispatch(g: &Global, words: &[String]) -> Option<Result<(), CliError>> {
    let (first, rest) = words.split_first()?;
    match first.as_str() {
        "uevent" => Some(super::uevent::run(g, rest)),
        "proc" => Some(super::proc::run(g, rest)),
        _ => None,
    }
}

/// Parses `words` with clap as the options of `nlkit monitor NAME`; `Ok(None)`
/// when help or the version was asked for (and printed).
pub fn parse<A: clap::Parser>(name: &str, words: &[String]) -> Result<Option<A>, CliError> {
    let argv = std::iter::once(format!("nlkit monitor {name}")).chain(words.iter().cloned());
    match A::try_parse_from(argv) {
        Ok(a) => Ok(Some(a)),
        Err(e) if !e.use_stderr() => {
            print!("{e}");
            Ok(None)
        }
        Err(e) => Err(CliError::usage(
            e.render()
                .to_string()
                .lines()
                .next()
                .unwrap_or("bad arguments")
                .trim_start_matches("error: ")
                .to_string(),
        )),
    }
}

/// One JSON object, as a line (pretty with `-p`).
pub fn json_line(g: &Global, v: &impl serde::Serialize) -> Result<String, CliError> {
    let s = if g.pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    s.map_err(|e| CliError::Other(format!("JSON output: {e}")))
}

/// Lowercase hex of `b`, for bytes kept whole.
fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A message that does not parse, kept whole: `{"malformed": REASON, "hex":
/// BYTES}` on stdout with `-j`, a line on stderr (`nlkit: WHAT (N bytes):
/// REASON: HEX`) otherwise.
pub fn print_malformed(
    g: &Global,
    out: &mut Out,
    what: &str,
    raw: &[u8],
    error: &dyn std::fmt::Display,
) -> Result<(), CliError> {
    if out.json {
        let j = serde_json::json!({ "malformed": error.to_string(), "hex": hex(raw) });
        return out.line(json_line(g, &j)?);
    }
    eprintln!("nlkit: {what} ({} bytes): {error}: {}", raw.len(), hex(raw));
    Ok(())
}
