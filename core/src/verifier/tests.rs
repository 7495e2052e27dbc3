use super::state::{MapInfo, RegSummary, RegType, State};
use crate::linux::MapType;
use crate::prelude::*;

/// The pruning pre-filter must never reject a state that `covered_by` accepts.
#[test]
fn reg_summary_never_rejects_a_covering_state() {
    let map = MapInfo {
        handle: 0xffff_8800_0000_3000,
        map_type: MapType::Hash,
        key_size: 4,
        value_size: 8,
    };
    let values = [
        RegType::NotInit,
        RegType::Unknown,
        RegType::Ctx,
        RegType::Imm(0),
        RegType::Imm(1),
        RegType::Stack(-8),
        RegType::MapValue(map),
        RegType::MapValueOrNull(map),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let states: Vec<State> = (0..400)
        .map(|_| {
            let mut state = State::entry();
            // Few registers vary, so that many pairs cover each other.
            for r in 0..4 {
                state.regs[r] = values[next() as usize % values.len()];
            }
            state
        })
        .collect();
    let mut covering_pairs = 0;
    for old in &states {
        for cur in &states {
            if cur.covered_by(old) {
                covering_pairs += 1;
                assert!(
                    RegSummary::of(old).may_cover(RegSummary::of(cur)),
                    "{old} should cover {cur}"
                );
            }
        }
    }
    assert!(
        covering_pairs > 1000,
        "only {covering_pairs} covering pairs"
    );
}

/// The rejections no program reaches (internal checks of 4.4, kept as 4.4 has them)
/// still print 4.4's text with its errno: the raw cases cannot show it.
#[test]
fn internal_rejections_print_4_4s_text() {
    use super::{MapPart, Reason};
    use crate::linux::Errno;
    let cases = [
        (
            Reason::InsnStateInternalBug,
            "insn state internal bug",
            Errno::EFAULT,
        ),
        (
            Reason::InvalidInsnIdx {
                idx: 7,
                insn_cnt: 7,
            },
            "invalid insn idx 7 insn_cnt 7",
            Errno::EFAULT,
        ),
        (
            Reason::MapArgWithoutMap {
                part: MapPart::Value,
            },
            "invalid map_ptr to access map->value",
            Errno::EACCES,
        ),
        (Reason::SizeWithoutStackBuffer, "", Errno::EACCES),
        (
            Reason::MisconfiguredVerifier,
            "kernel subsystem misconfigured verifier",
            Errno::EINVAL,
        ),
    ];
    for (reason, text, errno) in cases {
        assert_eq!(reason.to_string(), text);
        assert_eq!(reason.errno(), errno, "{reason:?}");
        assert_eq!(reason.is_silent(), text.is_empty(), "{reason:?}");
    }
}

/// Every check returns a `Check`; its size is what the walk moves around.
#[test]
fn check_results_stay_two_words() {
    assert_eq!(
        core::mem::size_of::<super::Check<usize>>(),
        2 * core::mem::size_of::<usize>()
    );
}
