//! Stage 1: extraction of Markdown, text and PDF files.

use tietopankki::extract::{extract_file, ExtractLimits};
use tietopankki::{FileError, Format};

use crate::common::{fixtures, shared_dir};

#[test]
fn markdown_fixtures() {
    let limits = ExtractLimits::default();
    let (format, yaml) = extract_file(&fixtures().join("md/front-yaml.md"), &limits).unwrap();
    assert_eq!(format, Format::Markdown);
    assert_eq!(yaml.title.as_deref(), Some("Kokeiluotsikko"));
    assert_eq!(yaml.tags, vec!["testi", "varautuminen"]);
    assert_eq!(yaml.date.as_deref(), Some("2025-03-01"));
    assert!(yaml.text.contains("sähkökatkos"));
    assert!(!yaml.text.contains("title:"), "front matter must not be in the body");

    let (_, toml) = extract_file(&fixtures().join("md/front-toml.md"), &limits).unwrap();
    assert_eq!(toml.title.as_deref(), Some("Testdokument på svenska"));

    let (_, plain) = extract_file(&fixtures().join("md/no-front.md"), &limits).unwrap();
    assert_eq!(plain.title.as_deref(), Some("Heading Title Here"));

    let (_, broken) = extract_file(&fixtures().join("md/malformed-front.md"), &limits).unwrap();
    assert!(broken.warnings.iter().any(|w| w.contains("malformed front matter")), "{:?}", broken.warnings);
    assert!(broken.text.contains("perustelut"));

    let (_, markup) = extract_file(&fixtures().join("md/markup.md"), &limits).unwrap();
    for kept in ["inline_code_token", "codeblocktoken", "cellalpha", "image alt text", "link text"] {
        assert!(markup.text.contains(kept), "{kept} missing from {}", markup.text);
    }
    for dropped in ["http://x", "<script", "alert(1)", "**", "](", "|---"] {
        assert!(!markup.text.contains(dropped), "{dropped} left in {}", markup.text);
    }
}

#[test]
fn text_fixture() {
    let (format, doc) = extract_file(&fixtures().join("txt/plain.txt"), &ExtractLimits::default()).unwrap();
    assert_eq!(format, Format::Text);
    assert!(doc.text.contains('ä') || doc.text.contains('å') || doc.text.contains('ö'));
    let bytes = std::fs::read(fixtures().join("txt/plain.txt")).unwrap();
    assert_eq!(doc.source_hash, xxhash_rust::xxh3::xxh3_64(&bytes), "the hash is of the file's bytes");
}

#[test]
fn shipped_pdfs_keep_nordic_letters_and_pages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("documents");
    let mut pdfs = 0;
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        if Format::from_path(entry.path()) != Some(Format::Pdf) {
            continue;
        }
        pdfs += 1;
        let (_, doc) = extract_file(entry.path(), &ExtractLimits::default()).unwrap();
        assert!(doc.pages().unwrap_or(0) >= 1);
        assert!(doc.title.is_some(), "{} has an info title", entry.path().display());
        let lang_folder = entry.path().parent().unwrap().file_name().unwrap().to_str().unwrap();
        if lang_folder != "en" {
            assert!(
                doc.text.contains('ä') || doc.text.contains('ö') || doc.text.contains('å'),
                "{}",
                entry.path().display()
            );
        }
    }
    assert!(pdfs >= 3, "documents/ ships at least three PDFs");
}

/// Every file of the tricky folder ends with the outcome EXPECTED.tsv names:
/// the phrase for text files, a clear error for broken ones; never a panic.
#[test]
#[ignore = "needs ../shared"]
fn tricky_pdfs_give_text_or_clear_errors() {
    let shared = shared_dir("pdf/tricky/EXPECTED.tsv");
    let tricky = shared.join("pdf/tricky");
    let expected = std::fs::read_to_string(tricky.join("EXPECTED.tsv")).unwrap();
    let limits = ExtractLimits::default();
    let mut checked = 0;
    for line in expected.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expect, absent) = (cols[0], cols[1], cols.get(2).copied().unwrap_or(""));
        let outcome = extract_file(&tricky.join(file), &limits).map(|(_, doc)| doc);
        checked += 1;
        if let Some(phrase) = expect.strip_prefix("text:") {
            let doc = outcome.unwrap_or_else(|e| panic!("{file}: expected text, got error {e}"));
            let flat = doc.text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(phrase), "{file}: phrase '{phrase}' not in extracted text");
            if !absent.is_empty() {
                assert!(!flat.contains(absent), "{file}: superseded text '{absent}' extracted");
            }
        } else if let Some(kind) = expect.strip_prefix("error:") {
            match (&outcome, kind) {
                (Err(FileError::Empty), "empty")
                | (Err(FileError::NotAPdf), "not-a-pdf")
                | (Err(FileError::Truncated | FileError::Damaged(_)), "truncated")
                | (Err(FileError::PasswordRequired), "encrypted")
                | (Err(FileError::ResourceLimit(_)), "resource-limit") => {}
                // A scan: no text, its page listed for text recognition.
                (Ok(doc), "no-text-layer") => {
                    assert!(doc.text.trim().is_empty() && doc.scanned_pages == vec![1], "{file}: {doc:?}")
                }
                // A bomb may also be read up to the cap, with a warning.
                (Ok(doc), "resource-limit") => assert!(!doc.warnings.is_empty(), "{file}: cap hit without a warning"),
                // Recovering real text from a truncated file is allowed too.
                (Ok(doc), "truncated") => assert!(doc.text.contains("yhdistys"), "{file}: garbage recovered"),
                _ => panic!("{file}: expected error:{kind}, got {outcome:?}"),
            }
            if let Err(err) = &outcome {
                let reason = err.to_string();
                assert!(!reason.contains('\n') && reason.len() < 200, "{file}: reason is one clear line: {reason}");
            }
        }
    }
    assert_eq!(checked, 29);
}

/// Every corpus PDF's text is scored against its Markdown source with the
/// shared `extract-score` tool: word F1 of at least 0.95 each (the PDF
/// fidelity issue aims higher; this guards the foundation).
#[test]
#[ignore = "needs ../shared"]
fn corpus_pdfs_score_against_their_sources() {
    let shared = shared_dir("corpus/pdf-sources");
    let sources = shared.join("corpus/pdf-sources");
    let out = crate::common::tempdir();
    let limits = ExtractLimits::default();
    let mut count = 0;
    for entry in walkdir::WalkDir::new(&sources) {
        let entry = entry.unwrap();
        if entry.path().extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let rel = entry.path().strip_prefix(&sources).unwrap().with_extension("pdf");
        let pdf = shared.join("corpus/docs").join(&rel);
        let (_, doc) = extract_file(&pdf, &limits).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
        let target = out.path().join(rel.with_extension("txt"));
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, &doc.text).unwrap();
        count += 1;
    }
    assert_eq!(count, 19, "the corpus has 19 PDFs");
    let output = std::process::Command::new("python3")
        .arg(shared.join("tools/extract-score"))
        .arg("--dir")
        .arg(&sources)
        .arg(out.path())
        .output()
        .expect("python3 runs extract-score");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut scored = 0;
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v.get("summary").is_some() {
            println!("extract-score summary: {line}");
            continue;
        }
        let f1 = v["f1"].as_f64().unwrap();
        assert!(f1 >= 0.95, "{}: word F1 {f1} below 0.95", v["id"]);
        scored += 1;
    }
    assert_eq!(scored, 19, "extract-score output: {stdout} {}", String::from_utf8_lossy(&output.stderr));
}

/// Issue #15: on each real PDF of `../shared/realcorpus`, our words agree
/// with poppler's pdftotext at word F1 ≥ 0.98 (with `extract-score`, the
/// pdftotext text as the expected one). One of them is LaTeX with OT1
/// fonts, whose accents are glyphs of their own ("Link¨oping" before they
/// were composed). Needs pdftotext (Debian's poppler-utils): without it a
/// visible skip, in CI a failure.
#[test]
#[ignore = "needs ../shared"]
fn real_pdfs_agree_with_pdftotext() {
    let shared = shared_dir("realcorpus/docs");
    if std::process::Command::new("pdftotext").arg("-v").output().is_err() {
        let message = "pdftotext is not installed (apt-get install poppler-utils)";
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{message}");
        eprintln!("SKIPPED: {message}");
        return;
    }
    let work = crate::common::tempdir();
    let limits = ExtractLimits::default();
    let mut pdfs = Vec::new();
    for entry in walkdir::WalkDir::new(shared.join("realcorpus/docs")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().and_then(|e| e.to_str()) != Some("pdf") {
            continue;
        }
        let name = entry.file_name().to_string_lossy().replace(".pdf", "");
        let theirs = work.path().join(format!("{name}.pdftotext.txt"));
        let status = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(entry.path())
            .arg(&theirs)
            .status()
            .unwrap();
        assert!(status.success(), "pdftotext failed on {name}");
        let (_, doc) = extract_file(entry.path(), &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = work.path().join(format!("{name}.ours.txt"));
        std::fs::write(&ours, &doc.text).unwrap();
        pdfs.push((name, theirs, ours));
    }
    assert_eq!(pdfs.len(), 16, "the real corpus has 16 PDFs");
    let mut low = Vec::new();
    for (name, theirs, ours) in &pdfs {
        let output = std::process::Command::new("python3")
            .arg(shared.join("tools/extract-score"))
            .arg(theirs)
            .arg(ours)
            .output()
            .expect("python3 runs extract-score");
        let v: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&output.stderr)));
        let f1 = v["f1"].as_f64().unwrap();
        println!("{name}: word F1 {f1:.4} against pdftotext");
        if f1 < 0.98 {
            low.push(format!("{name}: {f1:.4}"));
        }
    }
    assert!(low.is_empty(), "below 0.98 against pdftotext: {low:?}");
}
