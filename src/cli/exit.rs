//! The command's exit codes, one per blame of what went wrong (documented
//! in `--help` and README.md):
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done |
//! | 1 | done, but some files could not be read (`index`), the file could not be read (`extract`), or the cluster rejected some records (`export --to`) |
//! | 2 | bad usage: a bad flag or argument (clap's own code), a missing documents folder or index, a bad term list, an export the cluster refuses or cannot be reached for |
//! | 3 | the index is in use: another process is updating it, or another `serve` runs on it |
//! | 4 | internal: the search engine failed, or the index is damaged or unreadable (rebuild it) |

use std::process::ExitCode;

use tietopankki::{Blame, Error};

/// Some files failed, or the one file of `extract`.
pub(crate) const FILES_FAILED: u8 = 1;
/// Bad usage (clap exits with the same code for a bad flag).
pub(crate) const USAGE: u8 = 2;
/// The index is in use by another process.
pub(crate) const BUSY: u8 = 3;
/// An internal failure, a damaged index included.
pub(crate) const INTERNAL: u8 = 4;

/// The `--help` text of the exit codes.
pub(crate) const HELP: &str = "Exit codes: 0 done; 1 some files could not be read (index, extract) or records were \
rejected (export); 2 bad usage (a bad flag, a missing documents folder or index, a bad term list, a cluster that \
refuses an export); 3 the index is in use (another process is \
updating it, or another serve runs on it); 4 internal error (the search engine failed, or the index is damaged: \
delete it and run index again).";

/// Why a command stopped: the line to print and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// Bad usage: exit code 2.
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure { code: USAGE, message: message.into() }
    }

    /// A file could not be read: exit code 1.
    pub(crate) fn file(message: impl Into<String>) -> Failure {
        Failure { code: FILES_FAILED, message: message.into() }
    }

    /// An internal failure: exit code 4.
    pub(crate) fn internal(message: impl Into<String>) -> Failure {
        Failure { code: INTERNAL, message: message.into() }
    }

    /// The exit code.
    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

/// The code of a blame.
pub(crate) fn code_of(blame: Blame) -> u8 {
    match blame {
        Blame::Input => USAGE,
        Blame::File => FILES_FAILED,
        Blame::Busy => BUSY,
        Blame::Internal => INTERNAL,
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        Failure { code: code_of(err.blame()), message: err.to_string() }
    }
}

impl From<tietopankki::search::translate::GlossaryError> for Failure {
    fn from(err: tietopankki::search::translate::GlossaryError) -> Failure {
        Error::from(err).into()
    }
}
