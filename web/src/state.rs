//! The playground state and its reducer. No DOM here: everything is plain data over
//! `bpfplay-core`, so it is tested natively.

use crate::examples::EXAMPLES;
use bpfplay_core::asm::assemble;
use bpfplay_core::disasm::listing;
use bpfplay_core::isa::{Profile, parse_hex_bytes};
use bpfplay_core::syntax::Syntax;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, State, Vm};
use std::rc::Rc;
use yew::Reducible;

/// What the last run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    NotRun,
    Exited { r0: u64, executed: u64, note: Option<String> },
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Playground {
    pub source: String,
    pub profile: Profile,
    /// Hex bytes that r1 points at (r2 = length).
    pub memory: String,
    /// Disassembly of the last successful assembly, by slot: (pc, text).
    pub listing: Vec<(usize, String)>,
    pub outcome: Outcome,
}

pub enum Action {
    Edit(String),
    EditMemory(String),
    SetProfile(Profile),
    LoadExample(usize),
    Run,
}

impl Default for Playground {
    fn default() -> Self {
        Playground::from_example(0)
    }
}

impl Playground {
    /// Loading an example runs it at once, so the page opens on a result.
    fn from_example(index: usize) -> Self {
        Self::example_source(index).run()
    }

    fn example_source(index: usize) -> Self {
        let source = EXAMPLES.get(index).map_or("", |e| e.source);
        let header = |key: &str| {
            source.lines().find_map(|l| l.trim_start().strip_prefix(';')?.trim().strip_prefix(key).map(str::trim))
        };
        Playground {
            source: source.to_owned(),
            profile: header("profile:").and_then(Profile::from_name).unwrap_or_default(),
            memory: header("mem:").unwrap_or_default().to_owned(),
            listing: Vec::new(),
            outcome: Outcome::NotRun,
        }
    }

    /// Assembles, runs and records the result.
    fn run(mut self) -> Self {
        self.listing.clear();
        let assembled = match assemble(&self.source, None) {
            Ok(a) => a,
            Err(e) => {
                self.outcome = Outcome::Failed(format!("assembler: {e}"));
                return self;
            }
        };
        self.listing = listing(&assembled.program, Syntax::Llvm);
        let memory = match parse_hex_bytes(&self.memory) {
            Ok(m) => m,
            Err(e) => {
                self.outcome = Outcome::Failed(format!("memory: {e}"));
                return self;
            }
        };
        let vm = match Vm::new(assembled.program, Config::for_profile(self.profile)) {
            Ok(vm) => vm,
            Err(e) => {
                self.outcome = Outcome::Failed(e.to_string());
                return self;
            }
        };
        let mut vm = vm.with_input(memory);
        self.outcome = match vm.run(&mut NoHelpers, &[]) {
            RunStop::Exited { r0 } => {
                let note = match vm.state() {
                    State::Exited { early: Some(reason), .. } => Some(reason.to_string()),
                    _ => None,
                };
                Outcome::Exited { r0, executed: vm.executed(), note }
            }
            RunStop::Faulted(fault) => Outcome::Failed(fault.to_string()),
            RunStop::Breakpoint { pc } => Outcome::Failed(format!("stopped at breakpoint {pc}")),
        };
        self
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let state = (*self).clone();
        Rc::new(match action {
            Action::Edit(source) => Playground { source, outcome: Outcome::NotRun, ..state },
            Action::EditMemory(memory) => Playground { memory, outcome: Outcome::NotRun, ..state },
            Action::SetProfile(profile) => Playground { profile, outcome: Outcome::NotRun, ..state },
            Action::LoadExample(index) => Playground::from_example(index),
            Action::Run => state.run(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: Playground, actions: impl IntoIterator<Item = Action>) -> Playground {
        let mut s = Rc::new(state);
        for a in actions {
            s = s.reduce(a);
        }
        (*s).clone()
    }

    #[test]
    fn the_page_opens_on_the_first_example_and_its_result() {
        let s = Playground::default();
        assert!(matches!(s.outcome, Outcome::Exited { r0: 42, executed: 3, note: None }), "{:?}", s.outcome);
        assert_eq!(s.listing, vec![(0, "r0 = 6".into()), (1, "r0 *= 7".into()), (2, "exit".into())]);
    }

    #[test]
    fn every_example_loads_with_its_profile_and_memory_and_runs() {
        for (index, example) in EXAMPLES.iter().enumerate() {
            let s = reduce(Playground::default(), [Action::LoadExample(index)]);
            assert!(matches!(s.outcome, Outcome::Exited { .. }), "{}: {:?}", example.name, s.outcome);
        }
    }

    #[test]
    fn profile_changes_division_by_zero() {
        let div = EXAMPLES.iter().position(|e| e.name == "div-by-zero.s").unwrap();
        let s = reduce(Playground::default(), [Action::LoadExample(div)]);
        assert!(matches!(&s.outcome, Outcome::Exited { r0: 0, note: Some(_), .. }), "{:?}", s.outcome);
        let s = reduce(s, [Action::SetProfile(Profile::Rfc9669), Action::Run]);
        assert!(matches!(s.outcome, Outcome::Exited { r0: 100, note: None, .. }), "{:?}", s.outcome);
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        let s = reduce(Playground::default(), [Action::Edit("r0 = \nexit".into()), Action::Run]);
        assert_eq!(s.outcome, Outcome::Failed("assembler: line 1, column 5: expected an immediate, found end of line".into()));
        let s = reduce(s, [Action::Edit("r0 = *(u64 *)(r1 +0)\nexit".into()), Action::Run]);
        assert!(matches!(&s.outcome, Outcome::Failed(m) if m.contains("no memory region")), "{:?}", s.outcome);
        let s = reduce(s, [Action::EditMemory("zz".into()), Action::Run]);
        assert!(matches!(&s.outcome, Outcome::Failed(m) if m.starts_with("memory:")), "{:?}", s.outcome);
    }
}
