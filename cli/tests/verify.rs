//! Every verifier case written as raw bytes (`-- raw` in tests/data/verifier) goes
//! through `bpfplay verify` as a .hex file, privileged and `--unprivileged`, with its
//! program type and maps: stdout and exit code against
//! tests/golden/verify/NAME.{priv,unpriv}.out (BLESS=1 refreshes them). So each of 4.4's
//! messages, malformed encodings included, is printed by the command line as 4.4 logs
//! it. Cases with another license than GPL run through PROG_LOAD only, as the command
//! line always loads GPL programs. One trial per case
//! (`cargo test -p bpfplay-cli --test verify -- 032-junk-insn`).

mod common;

use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::verifier_case::{Case, cases, golden_text, parse_case};
use bpfplay_tests::{check_golden, verify_golden};
use common::{bpfplay, stdout, temp_file};

fn check(case: &Case) -> Result<(), String> {
    let raw = case.raw.as_ref().ok_or("not a raw case")?;
    let hex: String = raw
        .chunks(8)
        .map(|slot| slot.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    let file = temp_file(&format!("{}.hex", case.name), hex.as_bytes());
    let mut problems = Vec::new();
    for (suffix, unprivileged) in [("priv", false), ("unpriv", true)] {
        let mut args = vec!["verify", "--type", case.prog_type.name()];
        if let Some(maps) = &case.maps_spec {
            args.extend(["--maps", maps.as_str()]);
        }
        if unprivileged {
            args.push("--unprivileged");
        }
        args.push(&file);
        let out = bpfplay(&args, "");
        let text = format!(
            "{}exit: {}\n",
            golden_text(&stdout(&out)),
            out.status.code().unwrap_or(-1)
        );
        problems.extend(check_golden(&verify_golden(&case.name, suffix), &text).err());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n"))
    }
}

fn main() {
    let cli_cases: Vec<Case> = cases()
        .iter()
        .map(|path| parse_case(path))
        .filter(Case::runs_through_cli)
        .collect();
    let count = cli_cases.len();
    let mut trials: Vec<_> = cli_cases
        .into_iter()
        .map(|case| trial(case.name.clone(), move || check(&case)))
        .collect();
    trials.push(trial("at_least_50_raw_cases", move || {
        (count >= 50).then_some(()).ok_or(format!(
            "only {count} raw cases run through the command line"
        ))
    }));
    harness::run(trials)
}
