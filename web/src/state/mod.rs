//! The playground's state: the [`Workspace`] (plain data: what the user made, and what
//! a share link, a workspace file and the autosave carry), the live [`Engine`] built
//! from it and owned beside it, and what is derived from both for the panels
//! ([`Program`], the view models of [`view`]). Components reach it only through
//! [`use_workspace`] and change it only by dispatching [`Action`]s; nothing here touches
//! the DOM, so the reducer is tested natively.
//!
//! | module | concern |
//! |---|---|
//! | [`engine`] | the live kernel, debugger and step history, built from a workspace |
//! | `debugger` | loading, verifying, running and stepping the active tab |
//! | [`program`] | the active program assembled and verified: listing, verdict |
//! | [`keys`] | the keyboard shortcuts |
//! | [`map_command`] | the map cards' and forms' bpftool commands |
//! | [`completion`] | Tab completion of the console's commands and pinned paths |
//! | [`preferences`] | the theme and the introduction, kept apart from the workspace |
//! | [`view`] | ready-to-render rows for the panels |
//! | [`storage`] | what the page opens with: autosave, link, damaged store |
//! | [`share`] | the Share button's link |
//! | [`error`] | typed errors, shown to the user as notices |
//! | [`context`] | the Yew context and `use_workspace()` |

pub mod completion;
pub mod context;
mod debugger;
pub mod engine;
pub mod error;
pub mod keys;
pub mod map_command;
pub mod preferences;
pub mod program;
pub mod share;
pub mod storage;
pub mod view;

pub use bpfplay_core::bpftool::Command;
pub use bpfplay_core::workspace::{MapSpec, Runner, Setup, Tab, Workspace};
pub use context::{WorkspaceHandle, use_workspace};
pub use engine::{ConsoleLine, Engine};
pub use error::{Error, Notice, Offer};
pub use preferences::{Preferences, Theme};
pub use program::{ListingRow, Program, Verdict};

use crate::examples::{EXAMPLES, Example};
use bpfplay_core::workspace::setup::{SkbFields, parse_packet};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::Reducible;

/// The reducer's state. Equality is identity plus a version bumped on every action,
/// so a dispatch always re-renders and nothing is compared deeply.
#[derive(Clone, Debug)]
pub struct Playground {
    /// What the user made. The kernel part is refreshed from the engine whenever no run
    /// holds kernel objects, so it is the kernel between runs.
    workspace: Rc<Workspace>,
    engine: Rc<RefCell<Engine>>,
    /// The active program assembled and verified.
    pub program: Program,
    /// The example the active tab was loaded from, until it is edited.
    pub example: Option<usize>,
    /// The instruction selected in the verifier log or listing.
    pub selected: Option<usize>,
    pub notice: Option<Notice>,
    /// The workspace that opening a link or file replaced, one click away.
    pub replaced: Option<Rc<Workspace>>,
    /// The reader's theme and introduction (not part of the workspace).
    pub preferences: Preferences,
    /// The page each map card shows: the position of its first entry, by map id (none
    /// is the first page).
    map_pages: BTreeMap<u32, u64>,
    version: u64,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.engine, &other.engine)
    }
}

/// A change of one setup field, as the setup bar's inputs give it; text is parsed by
/// the reducer and refused with a notice naming what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupField {
    /// A program type name, or `plain`.
    ProgType(String),
    Profile(String),
    Privileged(bool),
    /// Hex bytes.
    Packet(String),
    /// `mark=1 priority=7`.
    Skb(String),
    /// `hash:4:8:16,array:4:8:4`.
    Maps(String),
}

/// Where a workspace being opened comes from (for the notice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Link,
    /// A workspace file, by name.
    File(String),
}

pub enum Action {
    /// Typing: assembling and verifying wait for typing to pause ([`Action::Verify`])
    /// or for any other action.
    Edit(String),
    /// A paste (or drop): the text is assembled and verified at once, since no more
    /// typing is coming to wait for.
    Paste(String),
    SetSetup(SetupField),
    /// Load an example into the active tab, or into a new tab when the active one
    /// holds edits (its text is no example's), so that no edit is lost.
    LoadExample(usize),
    /// Assemble and verify the text (dispatched after typing pauses).
    Verify,
    /// Run or continue to the end or the next breakpoint (F8).
    Continue,
    Step,
    StepBack,
    /// Run the next slice of a long run and of a batch (the page schedules it, one
    /// task apart).
    RunSlice,
    /// Stop a long run where it is, paused, and end a batch (the Stop button).
    Stop,
    /// Run in the plain VM without verification (offered after a rejection).
    RunUnverified,
    /// Continue until the first instruction of a source line.
    RunToLine(usize),
    Reset,
    ToggleBreakpoint(usize),
    /// Toggle the breakpoint on a source line's first instruction.
    ToggleBreakpointLine(usize),
    /// A bpftool-style command against the kernel (the console).
    Console(String),
    /// A bpftool command built by a map card or form (the console's text parses into
    /// the same commands).
    Command(Command),
    /// Show a notice, or dismiss it.
    Notice(Option<Notice>),
    /// Select an instruction (from the verifier log or the listing).
    Select(Option<usize>),
    /// Choose the engine of Run.
    SetRunner(Runner),
    /// Switch to another program of the workspace.
    SwitchTab(usize),
    /// Add a program (a copy of the active one) and switch to it.
    NewTab,
    /// Remove a program (the last one stays).
    CloseTab(usize),
    /// Replace the workspace (checked already); the current one stays recoverable.
    Open(Box<Workspace>, Origin),
    /// Go back to the workspace the last [`Action::Open`] replaced.
    RestoreReplaced,
    /// Choose the theme (from then on the system's preference is not followed).
    SetTheme(Theme),
    /// Show the introduction (the `?` button) or dismiss it.
    ShowIntro(bool),
    /// Turn a map card to the page that starts at position `first` of the map's
    /// iteration order (a page is [`view::SHOWN_ENTRIES`] entries).
    MapPage {
        map: u32,
        first: u64,
    },
}

impl Default for Playground {
    fn default() -> Self {
        Playground::from_example(0)
    }
}

/// The tab an example makes.
fn example_tab(name: &str, example: &Example) -> Result<Tab, Error> {
    Ok(Tab {
        name: name.to_owned(),
        source: example.source.to_owned(),
        setup: Setup::from_headers(example.source).map_err(Error::Setup)?,
        breakpoints: Default::default(),
    })
}

impl Playground {
    /// A new workspace on an example.
    pub fn from_example(index: usize) -> Self {
        let example = &EXAMPLES[index.min(EXAMPLES.len() - 1)];
        let (tab, problem) = match example_tab("program1", example) {
            Ok(tab) => (tab, None),
            Err(e) => {
                let tab = Tab {
                    name: String::from("program1"),
                    source: example.source.to_owned(),
                    setup: Setup::default(),
                    breakpoints: Default::default(),
                };
                (tab, Some(e))
            }
        };
        let workspace = Workspace::new(tab);
        // A fresh workspace has a fresh kernel, which is the default engine's.
        let engine = Engine::build(&workspace).unwrap_or_default();
        let mut p = Playground::with_engine(workspace, engine);
        p.example = Some(index);
        if let Some(e) = problem {
            p.show(e);
        }
        p
    }

    /// The playground of a workspace: its engine is built from it, its program
    /// assembled and verified.
    pub fn open(workspace: Workspace) -> Result<Self, Error> {
        let engine = Engine::build(&workspace).map_err(Error::Workspace)?;
        Ok(Playground::with_engine(workspace, engine))
    }

    fn with_engine(workspace: Workspace, engine: Engine) -> Self {
        let mut p = Playground {
            workspace: Rc::new(workspace),
            engine: Rc::new(RefCell::new(engine)),
            program: Program::default(),
            example: None,
            selected: None,
            notice: None,
            replaced: None,
            preferences: Preferences::default(),
            map_pages: BTreeMap::new(),
            version: 0,
        };
        p.reassemble();
        p.verify();
        p
    }

    /// The workspace as it is now (the kernel as of the last moment no run held it).
    pub fn workspace(&self) -> &Rc<Workspace> {
        &self.workspace
    }

    /// The live engine (read by the views and tests).
    pub fn engine(&self) -> std::cell::Ref<'_, Engine> {
        self.engine.borrow()
    }

    /// Gives the engine a runner for the wasm JIT (the browser's WebAssembly).
    pub fn set_jit_host(&self, host: crate::jit::JitHost) {
        self.engine.borrow_mut().jit_host = Some(host);
    }

    /// The active tab: its program is the one edited and debugged.
    pub fn tab(&self) -> &Tab {
        self.workspace.tab()
    }

    fn tab_mut(&mut self) -> &mut Tab {
        let w = Rc::make_mut(&mut self.workspace);
        let active = w.active;
        &mut w.tabs[active]
    }

    /// The active program's text.
    pub fn source(&self) -> &str {
        &self.tab().source
    }

    /// Whether the active program holds the user's own text: it is no example's, and
    /// loading an example over it would lose something.
    pub fn has_edits(&self) -> bool {
        let source = self.source();
        !source.trim().is_empty() && !EXAMPLES.iter().any(|e| e.source == source)
    }

    /// The first of `names` that no tab has.
    fn unused_tab_name(&self, mut names: impl Iterator<Item = String>) -> String {
        names
            .find(|name| self.workspace.tab_named(name).is_none())
            .expect("an endless list of names has one no tab uses")
    }

    /// Whether the assembler or the verifier has yet to see the current text (after
    /// typing, they wait for the typing to pause).
    pub fn verify_pending(&self) -> bool {
        let program = &self.program;
        program.stale_text
            || program.stale_verdict
            || (program.verdict.is_none()
                && program.asm_error.is_none()
                && self.setup().prog_type.is_some())
    }

    /// The active program's setup.
    pub fn setup(&self) -> &Setup {
        &self.tab().setup
    }

    fn show(&mut self, error: Error) {
        self.notice = Some(Notice::from(error));
    }

    /// Dismisses a notice about the active tab's program or setup, which just changed.
    fn forget_tab_notice(&mut self) {
        if self.notice.as_ref().is_some_and(|n| n.about_tab) {
            self.notice = None;
        }
    }

    /// Makes the active tab's program the one edited and debugged.
    fn load_active(&mut self) {
        self.forget_tab_notice();
        self.example = None;
        self.engine.borrow_mut().reset();
        self.reassemble();
        self.verify();
    }

    /// Copies the engine's kernel into the workspace when no run holds kernel objects
    /// (a run's program and its references are not part of the workspace).
    fn sync_kernel(&mut self) {
        let Some((kernel, console_process, setup_maps)) = self.engine.borrow().settled() else {
            return;
        };
        let w = &self.workspace;
        if w.kernel != kernel || w.console_process != console_process || w.setup_maps != setup_maps
        {
            let w = Rc::make_mut(&mut self.workspace);
            w.kernel = kernel;
            w.console_process = console_process;
            w.setup_maps = setup_maps;
        }
    }

    fn set_setup(&mut self, field: SetupField) -> Result<(), Error> {
        let mut setup = self.setup().clone();
        match field {
            SetupField::ProgType(name) => {
                setup.prog_type = match name.as_str() {
                    "plain" => None,
                    _ => Some(bpfplay_core::linux::ProgType::from_name(&name).ok_or(
                        Error::Setup(bpfplay_core::workspace::setup::SetupError::ProgType(name)),
                    )?),
                }
            }
            SetupField::Profile(name) => {
                setup.profile = bpfplay_core::isa::Profile::from_name(&name).ok_or(Error::Setup(
                    bpfplay_core::workspace::setup::SetupError::Profile(name),
                ))?
            }
            SetupField::Privileged(on) => setup.privileged = on,
            SetupField::Packet(text) => setup.packet = parse_packet(&text).map_err(Error::Setup)?,
            SetupField::Skb(text) => setup.skb = text.parse::<SkbFields>().map_err(Error::Setup)?,
            SetupField::Maps(text) => {
                setup.maps = MapSpec::parse_list(&text).map_err(Error::Setup)?;
                setup.check(&self.tab().name).map_err(Error::MapSpec)?;
            }
        }
        self.tab_mut().setup = setup;
        Ok(())
    }

    /// Replaces the workspace, keeping the engine's JIT runner; the current workspace
    /// becomes [`Playground::replaced`].
    fn replace(&mut self, workspace: Workspace) -> Result<(), Error> {
        let jit_host = self.engine.borrow().jit_host.clone();
        let mut next = Playground::open(workspace)?;
        next.engine.borrow_mut().jit_host = jit_host;
        next.preferences = self.preferences.clone();
        next.replaced = Some(self.workspace.clone());
        *self = next;
        Ok(())
    }

    pub fn reduce_mut(&mut self, action: Action) {
        self.apply(action);
        self.sync_kernel();
        self.version += 1;
    }

    /// Assembles text typed since the last assembly.
    fn assemble_typed_text(&mut self) {
        if self.program.stale_text {
            self.reassemble();
        }
    }

    fn apply(&mut self, action: Action) {
        if !matches!(action, Action::Edit(_)) {
            self.assemble_typed_text();
        }
        match action {
            Action::Edit(source) if source == self.source() => {}
            Action::Edit(source) => {
                self.tab_mut().source = source;
                self.forget_tab_notice();
                self.example = None;
                self.engine.borrow_mut().reset();
                let program = &mut self.program;
                program.stale_text = true;
                program.stale_verdict = program.verdict.is_some();
            }
            Action::Paste(source) => {
                self.apply(Action::Edit(source));
                self.assemble_typed_text();
                if self.verify_pending() {
                    self.verify();
                }
            }
            Action::SetSetup(field) => match self.set_setup(field) {
                Ok(()) => {
                    self.forget_tab_notice();
                    self.engine.borrow_mut().reset();
                    self.verify();
                }
                Err(e) => self.show(e),
            },
            Action::LoadExample(index) => {
                let example = &EXAMPLES[index.min(EXAMPLES.len() - 1)];
                let keep = self.has_edits().then(|| self.tab().name.clone());
                let name = match &keep {
                    Some(_) => {
                        let stem = example.name.trim_end_matches(".s");
                        self.unused_tab_name(
                            std::iter::once(stem.to_owned())
                                .chain((2..).map(|n| format!("{stem}{n}"))),
                        )
                    }
                    None => self.tab().name.clone(),
                };
                match example_tab(&name, example) {
                    Ok(tab) => {
                        if let Some(edited) = keep {
                            let w = Rc::make_mut(&mut self.workspace);
                            w.tabs.push(tab);
                            w.active = w.tabs.len() - 1;
                            self.notice = Some(Notice::info(format!(
                                "Opened the example in a new tab, {name}, so that your edits in {edited} are kept."
                            )));
                        } else {
                            *self.tab_mut() = tab;
                        }
                        self.load_active();
                        self.example = Some(index);
                    }
                    Err(e) => self.show(e),
                }
            }
            Action::Verify => self.verify(),
            Action::Continue => {
                let jit = self.workspace.runner == Runner::WasmJit;
                let engine = self.engine.clone();
                let mut engine = engine.borrow_mut();
                if jit && engine.run.is_none() {
                    self.run_jit(&mut engine);
                } else {
                    self.continue_to(&mut engine, None);
                }
            }
            Action::RunUnverified => {
                let engine = self.engine.clone();
                self.run_unverified(&mut engine.borrow_mut());
            }
            Action::SetRunner(runner) => Rc::make_mut(&mut self.workspace).runner = runner,
            Action::RunToLine(line) => {
                let target = self.program.slot_of_line(line);
                let engine = self.engine.clone();
                self.continue_to(&mut engine.borrow_mut(), target);
            }
            Action::Step => {
                let engine = self.engine.clone();
                self.step(&mut engine.borrow_mut());
            }
            Action::StepBack => self.engine.borrow_mut().step_back(),
            Action::RunSlice => {
                let engine = self.engine.clone();
                self.next_slice(&mut engine.borrow_mut(), false);
                self.batch_slice();
            }
            Action::Stop => {
                let paused = self.engine.borrow_mut().halt();
                if paused.is_some_and(|run| run.jit.is_some()) {
                    self.show(Error::Jit(String::from(
                        "not run: the interpreter's run was stopped before its end, and the JIT runs only after it",
                    )));
                }
            }
            Action::Reset => self.engine.borrow_mut().reset(),
            Action::ToggleBreakpoint(pc) => self.toggle_breakpoint(pc),
            Action::ToggleBreakpointLine(line) => {
                if let Some(pc) = self.program.slot_of_line(line) {
                    self.toggle_breakpoint(pc);
                }
            }
            Action::Console(line) => self.console(&line),
            Action::Command(command) => self.command(command),
            Action::Notice(notice) => self.notice = notice,
            Action::Select(pc) => self.selected = pc,
            Action::SwitchTab(i) | Action::CloseTab(i) if i >= self.workspace.tabs.len() => {}
            Action::SwitchTab(i) => {
                Rc::make_mut(&mut self.workspace).active = i;
                self.load_active();
            }
            Action::NewTab => {
                let name = self.unused_tab_name((1..).map(|n| format!("program{n}")));
                let w = Rc::make_mut(&mut self.workspace);
                let tab = Tab {
                    name,
                    breakpoints: Default::default(),
                    ..w.tab().clone()
                };
                w.tabs.push(tab);
                w.active = w.tabs.len() - 1;
                self.load_active();
            }
            Action::CloseTab(i) => {
                let w = Rc::make_mut(&mut self.workspace);
                if w.tabs.len() > 1 {
                    w.tabs.remove(i);
                    // Keep the same program active; closing the active one selects its neighbour.
                    if i < w.active {
                        w.active -= 1;
                    }
                    w.active = w.active.min(w.tabs.len() - 1);
                    self.load_active();
                }
            }
            Action::Open(workspace, origin) => {
                let notice = match &origin {
                    Origin::Link => "Opened the workspace of the link.",
                    Origin::File(_) => "Opened the workspace file.",
                };
                match self.replace(*workspace) {
                    Ok(()) => {
                        self.notice = Some(Notice::info(format!(
                            "{notice} Your previous workspace is kept: “Restore previous” brings it back."
                        )))
                    }
                    Err(e) => self.show(match origin {
                        Origin::Link => e,
                        Origin::File(name) => Error::File {
                            name,
                            message: e.to_string(),
                        },
                    }),
                }
            }
            Action::RestoreReplaced => {
                if let Some(previous) = self.replaced.take() {
                    match self.replace((*previous).clone()) {
                        Ok(()) => {
                            self.notice = Some(Notice::info(String::from(
                                "Restored your previous workspace; “Restore previous” goes back to the other one.",
                            )))
                        }
                        Err(e) => self.show(e),
                    }
                }
            }
            Action::SetTheme(theme) => self.preferences.theme = Some(theme),
            Action::ShowIntro(show) => self.preferences.intro_dismissed = !show,
            Action::MapPage { map, first } => {
                self.map_pages.insert(map, first);
            }
        }
    }

    fn toggle_breakpoint(&mut self, pc: usize) {
        let breakpoints = &mut self.tab_mut().breakpoints;
        if !breakpoints.remove(&pc) {
            breakpoints.insert(pc);
        }
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.reduce_mut(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests;
