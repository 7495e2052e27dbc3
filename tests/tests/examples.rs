//! Every shipped example assembles, runs under its declared profile (plain programs in
//! the VM with r1 = memory; typed programs in the emulated kernel with their maps and
//! packet) and returns the result its header states.

use bpfplay_core::asm::assemble;
use bpfplay_core::kernel::script::bind_maps;
use bpfplay_core::kernel::{Kernel, MapCreate, ProgLoad, RunInput, Settings};
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};

#[test]
fn examples_run_to_their_declared_result() {
    let examples = bpfplay_tests::examples();
    assert!(examples.len() >= 15, "expected the shipped examples, found {}", examples.len());
    for ex in examples {
        let program = assemble(&ex.source, None).unwrap_or_else(|e| panic!("{}: {e}", ex.name)).program;
        let Some(prog_type) = ex.prog_type else {
            let vm = Vm::new(program, Config::for_profile(ex.profile)).unwrap_or_else(|e| panic!("{}: {e}", ex.name));
            let stop = vm.with_input(ex.mem.clone()).run(&mut NoHelpers, &[]);
            assert_eq!(stop, RunStop::Exited { r0: ex.result.unwrap() }, "{}", ex.name);
            continue;
        };
        let mut kernel = Kernel::new(Settings { memlock_pages: None, ..Settings::default() });
        let pid = kernel.spawn("examples", 0);
        let mut fds = Vec::new();
        let defs = MapCreate::parse_list(ex.maps.as_deref().unwrap_or("")).unwrap();
        for (i, def) in defs.into_iter().enumerate() {
            fds.push((i as u32, kernel.map_create(pid, def, "").unwrap()));
        }
        let program = bind_maps(&program, &fds).unwrap();
        let loaded = kernel.prog_load(pid, &ProgLoad::new(prog_type, &program));
        let Some(expected) = ex.result else {
            assert!(loaded.fd.is_err(), "{} should be rejected", ex.name);
            continue;
        };
        let fd = loaded.fd.unwrap_or_else(|e| panic!("{}: {e}", ex.name));
        let input = if prog_type == bpfplay_core::kernel::ProgType::Kprobe {
            RunInput::Kprobe { regs: Default::default() }
        } else {
            RunInput::packet(if ex.mem.is_empty() { vec![0; 60] } else { ex.mem.clone() })
        };
        let report = kernel.run_prog(pid, fd, input).unwrap();
        assert_eq!(report.fault, None, "{}", ex.name);
        assert_eq!(u64::from(report.ret), expected, "{}", ex.name);
    }
}
