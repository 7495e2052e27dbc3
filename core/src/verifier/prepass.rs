//! The pre-pass before the control-flow check (replace_map_fd_with_map_ptr): reserved
//! LDX/STX fields, the shape of each ld_imm64, and the maps it loads.

use super::{Check, Reason, Verifier};
use crate::isa::Imm64Kind;
use crate::isa::table::{LDDW, class, mode};

/// Distinct maps one program may use (MAX_USED_MAPS).
const MAX_USED_MAPS: usize = 64;

impl Verifier<'_, '_> {
    /// replace_map_fd_with_map_ptr: reserved LDX/STX fields, ld_imm64 shape and maps.
    pub(super) fn prepass(&mut self) -> Check {
        let mut i = 0;
        while i < self.insns.len() {
            let insn = self.insns[i];
            if insn.class() == class::LDX && (insn.mode() != mode::MEM || insn.imm != 0) {
                return Err(self.reject(Reason::LdxReserved));
            }
            if insn.class() == class::STX
                && (!matches!(insn.mode(), mode::MEM | mode::ATOMIC) || insn.imm != 0)
            {
                return Err(self.reject(Reason::StxReserved));
            }
            if insn.opcode == LDDW {
                let second = self.insns.get(i + 1);
                if second.is_none_or(|s| s.opcode != 0 || s.dst != 0 || s.src != 0 || s.off != 0) {
                    return Err(self.reject(Reason::InvalidLdImm64));
                }
                if insn.src != Imm64Kind::Imm.code() {
                    if insn.src != Imm64Kind::MapFd.code() {
                        return Err(self.reject(Reason::UnrecognizedLdImm64));
                    }
                    let fd = insn.imm;
                    let map = match (self.env.resolve_map)(fd) {
                        Ok(m) => m,
                        Err(errno) => return Err(self.reject(Reason::BadMapFd { fd, errno })),
                    };
                    if !self.used_maps.iter().any(|m| m.handle == map.handle) {
                        if self.used_maps.len() >= MAX_USED_MAPS {
                            return Err(self.reject(Reason::TooManyMaps));
                        }
                        self.used_maps.push(map);
                    }
                    self.map_at[i] = Some(map);
                }
                i += 1;
            }
            i += 1;
        }
        Ok(())
    }
}
