//! Every error type of the crate in one place, and [`Error`], which wraps each module's
//! error for callers that handle them alike (print it, pass it up with `?`).

pub use crate::asm::{AsmError, AsmErrorKind};
pub use crate::bpftool::{
    Error as BpftoolError, MapListError, MapListErrorKind, ParseError, ParseErrorKind,
};
pub use crate::isa::{DecodeError, DecodeErrorKind, HexError, HexErrorKind, ProfileError};
pub use crate::jit::JitError;
pub use crate::jit::host::JitHostError;
pub use crate::kernel::UnboundMapIndex;
pub use crate::kernel::snapshot::SnapshotError;
pub use crate::linux::Errno;
pub use crate::verifier::{Reason, Rejection};
pub use crate::vm::{AccessError, Fault, FaultKind};
pub use crate::workspace::WorkspaceError;
pub use crate::workspace::document::{DocumentError, JsonError};
pub use crate::workspace::link::{LinkError, ShareError};
pub use crate::workspace::run::MapCreateError;
pub use crate::workspace::setup::SetupError;
use core::fmt;

/// The enum, and `From<ModuleError> for Error` so that `?` lifts each module's error:
/// one list of the wrapped errors.
macro_rules! wrap {
    ($(#[doc = $doc:literal] $variant:ident($error:ty)),* $(,)?) => {
        /// Any error of the crate: the module's own error, unchanged. `Display` prints the
        /// module's message, and [`core::error::Error::source`] gives the module's error.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Error {
            $(#[doc = $doc] $variant($error),)*
        }

        $(
            impl From<$error> for Error {
                #[cold]
                fn from(error: $error) -> Self {
                    Error::$variant(error)
                }
            }
        )*

        impl Error {
            /// The module's error, as a trait object.
            fn inner(&self) -> &(dyn core::error::Error + 'static) {
                match self {
                    $(Error::$variant(error) => error,)*
                }
            }
        }
    };
}

wrap! {
    /// Assembly text that does not assemble ([`crate::asm`]).
    Asm(AsmError),
    /// A bpftool command that failed ([`crate::bpftool`]).
    Bpftool(BpftoolError),
    /// Wire bytes that are not a valid program ([`crate::isa`]).
    Decode(DecodeError),
    /// Hex text that is not bytes ([`crate::isa::parse_hex_bytes`]).
    Hex(HexError),
    /// An instruction the chosen profile does not include ([`crate::isa`]).
    Profile(ProfileError),
    /// A run that faulted ([`crate::vm`]).
    Fault(Fault),
    /// A program the verifier rejected ([`crate::verifier`]).
    Verifier(Rejection),
    /// A bpf(2) command that failed ([`crate::kernel`], numbers from [`crate::linux`]).
    Errno(Errno),
    /// A kernel snapshot that cannot be restored ([`crate::kernel::snapshot`]).
    Snapshot(SnapshotError),
    /// A program the JIT cannot compile ([`crate::jit`]).
    Jit(JitError),
    /// A JIT run whose host failed ([`crate::jit::host`]).
    JitHost(JitHostError),
    /// A workspace that cannot be opened as it is ([`crate::workspace`]).
    Workspace(WorkspaceError),
    /// A workspace file or autosave that cannot be read ([`crate::workspace::document`]).
    Document(DocumentError),
    /// A share link that cannot be opened ([`crate::workspace::link`]).
    Link(LinkError),
    /// A workspace too large to share as a link ([`crate::workspace::link`]).
    Share(ShareError),
    /// A setup map the kernel refused ([`crate::workspace::run`]).
    MapCreate(MapCreateError),
    /// Setup text that does not parse ([`crate::workspace::setup`]).
    Setup(SetupError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner(), f)
    }
}

/// `core::error::Error` is `std::error::Error` when `std` is linked, so this one impl
/// serves both builds.
impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(self.inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn lift<E>(error: E) -> Result<(), Error>
    where
        Error: From<E>,
    {
        Err(error)?
    }

    #[test]
    fn module_errors_lift_with_their_message_and_stay_the_source() {
        let decode = crate::isa::Program::decode(&[0x07, 0x10, 0, 0, 0, 0, 0, 0]).unwrap_err();
        let error = lift(decode.clone()).unwrap_err();
        assert_eq!(error, Error::Decode(decode.clone()));
        assert_eq!(error.to_string(), decode.to_string());
        let source = core::error::Error::source(&error).unwrap();
        assert_eq!(source.to_string(), decode.to_string());
        let errno = lift(Errno::EBADF).unwrap_err();
        assert_eq!(errno.to_string(), "EBADF: Bad file descriptor");
        let link = crate::workspace::link::decode("#w=eJ").unwrap_err();
        let error = lift(link.clone()).unwrap_err();
        assert_eq!(error, Error::Link(link.clone()));
        assert_eq!(error.to_string(), link.to_string());
    }
}
