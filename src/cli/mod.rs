//! The command line's own modules (the binary only; the library knows
//! nothing of them).

pub(crate) mod args;
pub(crate) mod exit;
pub(crate) mod export;
