//! Markdown, web page and plain text extraction on arbitrary bytes:
//! decoding, front matter, the Markdown parser, the HTML walk and the final
//! text clean-up. Panics are crashes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tietopankki::extract::{markdown, normalise_text, text};

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = text::decode_text(data) {
        let doc = markdown::extract_markdown(&source, "fuzz");
        let _ = normalise_text(&doc.text);
        let _ = tietopankki::lang::document_language(&doc);
    }
    let _ = text::extract_text(data, "fuzz");
    let _ = tietopankki::extract::html::extract(data, "fuzz");
});
