//! The interface between a compiled module and its host: the imports and exports by
//! name, the layout of linear memory, and the codes the module passes to its imports.
//! The builders ([`super::compile`]), the host side ([`super::host`]) and an engine's
//! import glue all read them from here.

/// The module name of every import.
pub const IMPORT_MODULE: &str = "env";
/// The imported linear memory.
pub const IMPORT_MEMORY: &str = "memory";
/// `(pc: i32, id: i32, r1..r5: i64) -> i64`: a helper call; the host writes a
/// [`HelperStatus`] at [`STATUS_ADDR`].
pub const IMPORT_HELPER: &str = "helper";
/// `(pc: i32, kind: i32, detail: i64)`: the program faulted ([`FaultCode`]); the module
/// then traps.
pub const IMPORT_FAULT: &str = "fault";
/// `(pc: i32, kind: i32)`: Linux 4.4 ends the program with r0 = 0 ([`EarlyExitCode`]).
pub const IMPORT_EARLY_EXIT: &str = "early_exit";
/// `() -> i64`: runs the program from the registers at [`REGS_ADDR`] and returns r0.
pub const EXPORT_RUN: &str = "run";

/// Linear address of the helper status word (i32, written by the host's `env.helper`).
pub const STATUS_ADDR: u32 = 0;
/// Linear address of the number of regions (i32).
pub const REGION_COUNT_ADDR: u32 = 4;
/// Linear address of the index + 1 of the packet region, 0 when there is none (i32).
pub const PACKET_REGION_ADDR: u32 = 8;
/// Linear address of r0..r10 (eleven i64): `run` starts from them, and a tail call
/// leaves the registers there for the next program's `run`.
pub const REGS_ADDR: u32 = 16;
/// Linear address of the region table: per region, linear base, length and writable
/// (three little-endian u32) and 4 bytes of padding.
pub const REGION_TABLE_ADDR: u32 = 128;
/// Bytes per region-table entry.
pub const REGION_ENTRY_SIZE: u32 = 16;
/// Regions the table has room for.
pub const MAX_REGIONS: u32 = 64;
/// Linear address of the saved frames of local calls (written and read only by the
/// module): per frame, the return block, r6..r9 and r10 (six i64).
pub const FRAMES_ADDR: u32 = REGION_TABLE_ADDR + REGION_ENTRY_SIZE * MAX_REGIONS;
/// Bytes per saved frame.
pub const FRAME_SIZE: u32 = 48;
/// Frames (including the entry frame) the JIT supports; the profiles' limit is at most this.
pub const MAX_FRAMES: u32 = 8;
/// Where region bytes start in linear memory.
pub const DATA_ADDR: u32 = FRAMES_ADDR + FRAME_SIZE * MAX_FRAMES;

/// Guest offset of a region's first byte inside its 4 GiB window (the interpreter's).
pub(super) const REGION_START: i64 = crate::vm::memory::REGION_START as i64;

/// What the host's `env.helper` writes at [`STATUS_ADDR`] before returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum HelperStatus {
    /// r0 = the returned value; go on.
    Value = 0,
    /// r0 unchanged (a void helper); go on.
    Void = 1,
    /// End the program with r0 = the returned value (the conformance unwind helper).
    Stop = 2,
    /// A successful tail call: `run` saves r0..r10 at [`REGS_ADDR`] and returns, and the
    /// host runs the next program's module on the same linear memory.
    TailCall = 3,
}

/// Fault kinds passed to `env.fault`, mirroring [`crate::vm::FaultKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum FaultCode {
    /// Access to an address in no region (includes NULL).
    Unmapped = 1,
    /// Access past either end of its region.
    OutOfBounds = 2,
    /// Write to a read-only region.
    ReadOnly = 3,
    /// `callx` with a register that does not hold an i32 helper id.
    UnknownHelper = 4,
    /// r10 is read-only.
    WriteToR10 = 5,
    /// A jump outside the program.
    JumpOutOfRange = 6,
    /// A jump to the second slot of an `lddw`.
    JumpIntoImm64 = 7,
    /// Ran past the last instruction (reported at pc = program length).
    FellOffEnd = 8,
    /// A kfunc call, which this emulator does not implement.
    UnsupportedCall = 9,
    /// Local calls nested deeper than the profile's frame limit.
    CallDepthExceeded = 10,
}

impl FaultCode {
    pub const ALL: [FaultCode; 10] = [
        FaultCode::Unmapped,
        FaultCode::OutOfBounds,
        FaultCode::ReadOnly,
        FaultCode::UnknownHelper,
        FaultCode::WriteToR10,
        FaultCode::JumpOutOfRange,
        FaultCode::JumpIntoImm64,
        FaultCode::FellOffEnd,
        FaultCode::UnsupportedCall,
        FaultCode::CallDepthExceeded,
    ];

    pub fn from_i32(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as i32 == code)
    }
}

/// Early-exit kinds passed to `env.early_exit`, mirroring [`crate::vm::EarlyExit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum EarlyExitCode {
    DivisionByZero = 1,
    PacketOutOfBounds = 2,
}
