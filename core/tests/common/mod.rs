//! Workspaces the tests share.

use bpfplay_core::bpftool::{FileSource, Session};
use bpfplay_core::isa::Program;
use bpfplay_core::workspace::{Setup, Tab, Workspace};

/// The console reads no files in these tests.
struct NoFiles;

impl FileSource for NoFiles {
    fn program(&mut self, name: &str) -> Result<Program, String> {
        Err(format!("no program {name}"))
    }

    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String> {
        Err(format!("no packet {name}"))
    }
}

/// Runs console commands on the workspace's kernel, as the playground's console does.
pub fn console(workspace: &mut Workspace, commands: &[&str]) {
    let kernel = workspace.check().expect("a valid workspace");
    let mut session = Session::resume(kernel, workspace.console_process);
    for command in commands {
        session
            .run_line(command, &mut NoFiles)
            .unwrap_or_else(|e| panic!("{command}: {e}"));
    }
    workspace.kernel = session.kernel.snapshot();
    workspace.console_process = session.current();
}

/// The README's typical workspace: one 30-line program (tc-nat without its description),
/// a 60-byte packet and one map holding 4 entries, with a breakpoint.
pub fn typical() -> Workspace {
    let example = include_str!("../../../static/examples/tc-nat.s");
    let source: String = example
        .lines()
        .filter(|l| !l.starts_with("; ") || l.contains(':'))
        .filter(|l| !l.starts_with("; result"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(source.lines().count(), 30);
    let mut setup = Setup::from_headers(&source).unwrap();
    setup.packet.truncate(60);
    let mut tab = Tab {
        name: String::from("program1"),
        source,
        setup,
        breakpoints: Default::default(),
    };
    tab.breakpoints.insert(12);
    let mut workspace = Workspace::new(tab);
    console(
        &mut workspace,
        &[
            "map create /sys/fs/bpf/counts type hash key 4 value 8 entries 16 name counts",
            "map update pinned /sys/fs/bpf/counts key 1 0 0 0 value 10 0 0 0 0 0 0 0",
            "map update pinned /sys/fs/bpf/counts key 2 0 0 0 value 20 0 0 0 0 0 0 0",
            "map update pinned /sys/fs/bpf/counts key 6 0 0 0 value 0x2a 0 0 0 0 0 0 0",
            "map update pinned /sys/fs/bpf/counts key 17 0 0 0 value 3 1 0 0 0 0 0 0",
        ],
    );
    workspace
}
