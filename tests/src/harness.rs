//! The data-driven tests run under libtest-mimic (`harness = false`): one trial per data
//! file, so that `cargo test -- NAME` runs one case and a failure names its file.

pub use libtest_mimic::Trial;

/// A trial whose body fails by returning the reason or by panicking.
pub fn trial(
    name: impl Into<String>,
    body: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Trial {
    Trial::test(name, move || body().map_err(Into::into))
}

/// Runs `trials` with libtest's command line (filters, `--exact`, `--list`,
/// `--ignored`...) and exits with its status.
pub fn run(trials: Vec<Trial>) -> ! {
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit()
}
