//! PDF extraction on arbitrary bytes. Calls the PDF reader directly (not
//! `extract_bytes`, which catches panics) so a panic is a crash here.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tietopankki::extract::pdf::{self, PdfLimits};

fuzz_target!(|data: &[u8]| {
    // A short time budget keeps slow inputs from looking like hangs; the
    // libFuzzer -timeout catches real ones.
    let limits = PdfLimits { max_time: Duration::from_secs(5), ..PdfLimits::default() };
    let _ = pdf::extract(data, &limits);
});
