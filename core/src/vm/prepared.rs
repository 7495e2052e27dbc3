//! A program ready for the interpreter: the decoded [`Program`] and its flat form
//! ([`super::flat`]), built once. Whoever runs a program more than once keeps its
//! `Prepared` (the kernel's loaded programs, which tail calls hand to the VM, and every
//! `Vm`), so that no run pays for flattening again.

use super::flat::{FlatCode, Op};
use crate::isa::Program;
use alloc::rc::Rc;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Prepared {
    program: Program,
    flat: FlatCode,
}

impl Prepared {
    pub fn new(program: Program) -> Self {
        let flat = FlatCode::build(program.slots());
        Prepared { program, flat }
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The flat form, one op per slot of [`Prepared::program`].
    pub(crate) fn ops(&self) -> &[Op] {
        self.flat.ops()
    }
}

impl From<Program> for Prepared {
    fn from(program: Program) -> Self {
        Prepared::new(program)
    }
}

impl From<Program> for Rc<Prepared> {
    fn from(program: Program) -> Self {
        Rc::new(Prepared::new(program))
    }
}
