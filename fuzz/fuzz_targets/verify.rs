//! Any instruction words through the 4.4 verifier, as each program type, privileged or
//! not, with map fds 3 and 4 resolving to a hash and an array map: a verdict, never a
//! panic. The first byte picks the program type and privilege.
#![no_main]

use bpfplay_core::isa::RawInsn;
use bpfplay_core::linux::{Errno, MapType, ProgType};
use bpfplay_core::verifier::{Env, MapInfo, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, words)) = data.split_first() else {
        return;
    };
    let insns: Vec<RawInsn> = words
        .chunks_exact(8)
        .map(|c| RawInsn::from_bytes(c.try_into().unwrap()))
        .collect();
    let mut resolve = |fd: i32| -> Result<MapInfo, Errno> {
        match fd {
            3 => Ok(MapInfo {
                handle: 0xffff_8800_0000_1000,
                map_type: MapType::Hash,
                key_size: 8,
                value_size: 16,
            }),
            4 => Ok(MapInfo {
                handle: 0xffff_8800_0000_2000,
                map_type: MapType::Array,
                key_size: 4,
                value_size: 8,
            }),
            _ => Err(Errno::EBADF),
        }
    };
    let env = Env {
        prog_type: ProgType::ALL[usize::from(choice) % ProgType::ALL.len()],
        privileged: choice & 0x80 != 0,
        gpl_compatible: choice & 0x40 != 0,
        log: choice & 0x20 != 0,
        resolve_map: &mut resolve,
    };
    let report = verify(&insns, env);
    if let Err(rejection) = &report.result {
        let _ = rejection.to_string();
    }
});
