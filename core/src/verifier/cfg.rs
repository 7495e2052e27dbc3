//! check_cfg: a depth-first walk that rejects loops, jumps out of the program and
//! unreachable instructions, and marks the pruning points (branch targets and the
//! instruction after each `ja`).

use super::{Check, Explored, Reason, Verifier};
use crate::isa::table::{class, op};
use crate::prelude::*;

const DISCOVERED: u8 = 0x10;
const EXPLORED: u8 = 0x20;
const FALLTHROUGH: u8 = 1;
const BRANCH: u8 = 2;

/// Outcome of following one edge.
enum Edge {
    /// A new instruction was pushed; continue from it.
    Pushed,
    Done,
}

struct Walk {
    state: Vec<u8>,
    stack: Vec<usize>,
}

impl Walk {
    fn push(&mut self, v: &mut Verifier<'_, '_>, t: usize, w: i64, e: u8) -> Check<Edge> {
        if e == FALLTHROUGH && self.state[t] >= DISCOVERED | FALLTHROUGH {
            return Ok(Edge::Done);
        }
        if e == BRANCH && self.state[t] >= DISCOVERED | BRANCH {
            return Ok(Edge::Done);
        }
        let Some(w) = usize::try_from(w).ok().filter(|w| *w < v.insns.len()) else {
            return Err(v.reject(Reason::JumpOutOfRange { from: t, to: w }));
        };
        if e == BRANCH {
            v.explored[w].get_or_insert_with(Explored::default);
        }
        match self.state[w] {
            0 => {
                self.state[t] = DISCOVERED | e;
                self.state[w] = DISCOVERED;
                self.stack.push(w);
                Ok(Edge::Pushed)
            }
            s if s & !(FALLTHROUGH | BRANCH) == DISCOVERED => {
                Err(v.reject(Reason::BackEdge { from: t, to: w }))
            }
            EXPLORED => {
                self.state[t] = DISCOVERED | e;
                Ok(Edge::Done)
            }
            _ => Err(v.reject(Reason::InsnStateInternalBug)),
        }
    }
}

pub(super) fn check(v: &mut Verifier<'_, '_>) -> Check {
    let n = v.insns.len();
    let mut walk = Walk {
        state: vec![0; n],
        stack: vec![0],
    };
    if n == 0 {
        return Ok(());
    }
    walk.state[0] = DISCOVERED;
    'peek: while let Some(&t) = walk.stack.last() {
        let insn = v.insns[t];
        let t64 = t as i64;
        if insn.class() == class::JMP {
            match insn.op() {
                op::EXIT => {}
                op::CALL => {
                    if let Edge::Pushed = walk.push(v, t, t64 + 1, FALLTHROUGH)? {
                        continue 'peek;
                    }
                }
                op::JA => {
                    // 4.4 refuses `ja` with the X bit here, without a message.
                    if insn.has_reg_source() {
                        return Err(v.reject(Reason::JaWithSourceBit));
                    }
                    if let Edge::Pushed =
                        walk.push(v, t, t64 + i64::from(insn.off) + 1, FALLTHROUGH)?
                    {
                        continue 'peek;
                    }
                    if t + 1 < n {
                        v.explored[t + 1].get_or_insert_with(Explored::default);
                    }
                }
                _ => {
                    if let Edge::Pushed = walk.push(v, t, t64 + 1, FALLTHROUGH)? {
                        continue 'peek;
                    }
                    if let Edge::Pushed = walk.push(v, t, t64 + i64::from(insn.off) + 1, BRANCH)? {
                        continue 'peek;
                    }
                }
            }
        } else if let Edge::Pushed = walk.push(v, t, t64 + 1, FALLTHROUGH)? {
            continue 'peek;
        }
        walk.state[t] = EXPLORED;
        walk.stack.pop();
    }
    if let Some(i) = walk.state.iter().position(|s| *s != EXPLORED) {
        return Err(v.reject(Reason::Unreachable { insn: i }));
    }
    Ok(())
}
