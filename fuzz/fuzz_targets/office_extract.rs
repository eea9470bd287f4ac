//! Word and OpenDocument extraction. The input is read two ways: as the
//! whole file (the zip container, its limits and error paths), and as the
//! XML of every part of a well-formed package (the text walk, styles,
//! numbering, properties), which random bytes would seldom reach. Panics
//! are crashes.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use tietopankki::extract::{extract_bytes, ExtractLimits};
use tietopankki::Format;

/// A stored (uncompressed) zip package whose parts all hold `xml`.
fn package(names: &[&str], xml: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in names {
        zip.start_file(*name, options).ok()?;
        zip.write_all(xml).ok()?;
    }
    Some(zip.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    let limits = ExtractLimits::default();
    for format in [Format::Docx, Format::Odt] {
        let _ = extract_bytes(format, data, "fuzz", &limits);
    }
    let word = ["word/document.xml", "word/styles.xml", "word/numbering.xml", "word/footnotes.xml", "word/header1.xml", "docProps/core.xml"];
    if let Some(bytes) = package(&word, data) {
        let _ = extract_bytes(Format::Docx, &bytes, "fuzz", &limits);
    }
    let odt = ["content.xml", "styles.xml", "meta.xml"];
    if let Some(bytes) = package(&odt, data) {
        let _ = extract_bytes(Format::Odt, &bytes, "fuzz", &limits);
    }
});
