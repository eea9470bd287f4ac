//! Issue #15, scanned PDFs: text recognition through pdftoppm and Tesseract.
//!
//! - Scans of the shared corpus PDFs (`pdftoppm -r 200 -gray`, then
//!   `img2pdf`, as a copier makes them) are indexed at once by their name,
//!   then read in the background pass: word F1 against
//!   `../shared/corpus/pdf-sources`, the language of every document, and a
//!   search that finds a word of page 2 on page 2, marked as OCR text. CI
//!   reads three of them (one per language); `TIETOPANKKI_OCR_ALL=1` reads
//!   all nineteen.
//! - A mixed PDF keeps its text layer and gets recognition on its scanned
//!   page only; a re-sync, a rebuilt index, a reopened bank and a copy of
//!   the file under another name read nothing again (Tesseract calls are
//!   counted by a wrapper, not timed).
//! - A 200-page scan stops at the page limit with a line in the report (a
//!   stand-in Tesseract that answers at once, so the test is quick).
//! - Without Tesseract a scan is "scanned, OCR not available" with the
//!   install line, found by its name, never "damaged".
//! - The server reads scans in the background and says so in `/api/status`;
//!   its hits and its page mark OCR text.
//!
//! Needs pdftoppm, img2pdf and Tesseract with fin/swe/eng (Debian's
//! poppler-utils, img2pdf, tesseract-ocr, tesseract-ocr-fin,
//! tesseract-ocr-swe); without them a visible skip, in CI a failure.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use tietopankki::extract::ocr::{OcrEngine, OcrPrograms};
use tietopankki::extract::{extract_file, ExtractLimits};
use tietopankki::{KnowledgeBank, OcrOptions, SearchRequest};

use crate::common::{shared_dir, tempdir};

/// Whether pdftoppm, img2pdf and Tesseract with its data are here; else a
/// visible skip (a failure in CI).
fn tools_available() -> bool {
    let found = match OcrEngine::find() {
        Ok(_) if Command::new("img2pdf").arg("--version").output().is_ok_and(|o| o.status.success()) => Ok(()),
        Ok(_) => Err("img2pdf is not installed (apt-get install img2pdf)".to_string()),
        Err(why) => Err(why),
    };
    match found {
        Ok(()) => true,
        Err(message) => {
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{message}");
            eprintln!("SKIPPED: {message}");
            false
        }
    }
}

/// A scan of `pdf` as a copier makes it: pages rendered in grey at 200 dpi,
/// put back into a PDF of images only.
fn scan(pdf: &Path, out: &Path) {
    let work = tempdir();
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png"])
        .arg(pdf)
        .arg(work.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm {}", pdf.display());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(work.path()).unwrap().flatten().map(|e| e.path()).collect();
    pages.sort();
    let status = Command::new("img2pdf").args(&pages).arg("-o").arg(out).status().unwrap();
    assert!(status.success(), "img2pdf {}", pdf.display());
}

/// A PDF of `pages` blank-ish grey pages (a small image each): a scan with
/// nothing to read, for tests that use a stand-in Tesseract.
fn image_pdf(out: &Path, pages: usize) {
    let work = tempdir();
    let image = work.path().join("page.pgm");
    let (w, h) = (120usize, 160usize);
    let mut pgm = format!("P5 {w} {h} 255\n").into_bytes();
    pgm.extend((0..w * h).map(|i| if (i / w) % 20 < 2 { 40u8 } else { 230u8 }));
    std::fs::write(&image, pgm).unwrap();
    let status = Command::new("img2pdf").args(std::iter::repeat_n(&image, pages)).arg("-o").arg(out).status().unwrap();
    assert!(status.success());
}

/// A shell script at `dir/name` with `body`, executable.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A wrapper around the real Tesseract that notes each recognition call
/// (`tesseract stdin ...`) in `log`.
fn counting_tesseract(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("tesseract-calls.log");
    let real = String::from_utf8(Command::new("sh").args(["-c", "command -v tesseract"]).output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let body = format!("if [ \"$1\" = stdin ]; then echo call >> '{}'; fi\nexec '{real}' \"$@\"", log.display());
    (script(dir, "tesseract", &body), log)
}

/// A stand-in Tesseract that reads every page as `words` at once.
fn instant_tesseract(dir: &Path, words: &[&str]) -> (PathBuf, PathBuf) {
    let log = dir.join("instant-calls.log");
    let mut rows =
        String::from("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n");
    for (i, word) in words.iter().enumerate() {
        rows.push_str(&format!("5\t1\t1\t1\t1\t{}\t0\t0\t10\t10\t91\t{word}\n", i + 1));
    }
    let body = format!(
        "if [ \"$1\" = --list-langs ]; then printf 'List of available languages (3):\\neng\\nfin\\nswe\\n'; exit 0; fi\n\
         cat > /dev/null\necho call >> '{}'\nprintf '%s' '{}'",
        log.display(),
        rows
    );
    (script(dir, "tesseract", &body), log)
}

fn calls(log: &Path) -> usize {
    std::fs::read_to_string(log).map(|s| s.lines().count()).unwrap_or(0)
}

fn bank(docs: &Path, index: &Path, ocr: OcrOptions) -> KnowledgeBank {
    KnowledgeBank::builder().documents_dir(docs).index_dir(index).ocr(ocr).open().unwrap()
}

fn recognise(bank: &KnowledgeBank) -> tietopankki::OcrReport {
    bank.recognise_scans(&Arc::new(AtomicBool::new(false)), &mut |_| {}).unwrap()
}

/// Word F1 of `text` against the Markdown `source`, by the shared extract-score.
fn word_f1(shared: &Path, source: &Path, text: &str) -> f64 {
    let work = tempdir();
    let file = work.path().join("extracted.txt");
    std::fs::write(&file, text).unwrap();
    let output = Command::new("python3")
        .arg(shared.join("tools/extract-score"))
        .arg(source)
        .arg(&file)
        .output()
        .expect("python3 runs extract-score");
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    v["f1"].as_f64().unwrap()
}

/// The text of page `page` (from 1) of an extracted document.
fn page_text(text: &str, starts: &[usize], page: usize) -> String {
    let start = starts[page - 1];
    let end = starts.get(page).copied().unwrap_or(text.len());
    text[start..end].to_string()
}

#[test]
#[ignore = "needs ../shared"]
fn scans_of_the_corpus_pdfs_are_read_in_their_language_and_found_on_their_page() {
    let shared = shared_dir("corpus/pdf-sources");
    if !tools_available() {
        return;
    }
    let corpus = shared.join("corpus/docs");
    let all = std::env::var("TIETOPANKKI_OCR_ALL").is_ok_and(|v| v == "1");
    let mut chosen: Vec<(String, String)> = Vec::new();
    for lang in ["fi", "sv", "en"] {
        let mut names: Vec<String> = std::fs::read_dir(corpus.join(lang))
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".pdf")).map(str::to_string))
            .collect();
        names.sort();
        if !all {
            // One two-page document per language in CI.
            let two_pages = names.iter().find(|n| {
                let pdf = corpus.join(lang).join(format!("{n}.pdf"));
                extract_file(&pdf, &ExtractLimits::default()).is_ok_and(|(_, d)| d.page_starts.len() == 2)
            });
            names = two_pages.into_iter().cloned().collect();
        }
        chosen.extend(names.into_iter().map(|n| (lang.to_string(), n)));
    }
    assert!(chosen.len() >= 3, "{chosen:?}");
    let docs = tempdir();
    let index = tempdir();
    for (lang, name) in &chosen {
        std::fs::create_dir_all(docs.path().join(lang)).unwrap();
        scan(&corpus.join(lang).join(format!("{name}.pdf")), &docs.path().join(lang).join(format!("{name}.pdf")));
    }
    let bank = bank(docs.path(), index.path(), OcrOptions::default());
    let report = bank.sync().unwrap();
    assert_eq!((report.added, report.failed.len()), (chosen.len(), 0), "{:?}", report.failed);

    // Searchable at once by the name, before any page is read.
    let status = bank.ocr_status().unwrap();
    assert!(status.available && status.pending_documents == chosen.len(), "{status:?}");
    let (lang0, name0) = &chosen[0];
    let by_name = bank.search(&SearchRequest::new(name0.replace('-', " "))).unwrap();
    assert!(by_name.hits.iter().any(|h| h.path == format!("{lang0}/{name0}.pdf")), "{name0} not found by its name");

    let started = std::time::Instant::now();
    let ocr = recognise(&bank);
    let seconds = started.elapsed().as_secs_f64();
    assert!(ocr.unavailable.is_none() && ocr.waiting.is_empty(), "{ocr:?}");
    assert_eq!(ocr.recognised.len(), chosen.len());
    let status = bank.ocr_status().unwrap();
    assert_eq!((status.pending_documents, status.pending_pages), (0, 0));

    let mut scores = Vec::new();
    let mut pages_read = 0;
    let mut page_checks = 0;
    for (lang, name) in &chosen {
        let path = format!("{lang}/{name}.pdf");
        let record = bank.document(&path).unwrap();
        let text = record.text.clone().unwrap_or_default();
        let pages = record.pages.unwrap_or(0) as usize;
        assert_eq!(record.ocr_pages, (1..=pages as u32).collect::<Vec<_>>(), "{path}: every page recognised");
        assert!(record.ocr_pending_pages.is_empty());
        assert_eq!(record.lang.code(), lang, "{path}: language");
        let confidence = record.ocr_confidence.unwrap_or(0.0);
        let f1 = word_f1(&shared, &shared.join(format!("corpus/pdf-sources/{lang}/{name}.md")), &text);
        println!("{path}: {pages} pages, word F1 {f1:.4}, mean confidence {confidence:.1}");
        scores.push(f1);
        pages_read += pages;

        // A word of page 2 (not on page 1) finds the scan on page 2, marked as OCR text.
        if pages >= 2 {
            let (_, original) =
                extract_file(&corpus.join(lang).join(format!("{name}.pdf")), &ExtractLimits::default()).unwrap();
            let first = page_text(&original.text, &original.page_starts, 1).to_lowercase();
            let starts: Vec<usize> = record.page_starts.iter().map(|&s| s as usize).collect();
            let scanned_second = page_text(&text, &starts, 2).to_lowercase();
            let second = page_text(&original.text, &original.page_starts, 2);
            let mut words: Vec<&str> = second
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| w.chars().count() >= 10)
                // Not even another form of it on page 1 (its first two thirds as a stand-in for the stem).
                .filter(|w| {
                    let lower = w.to_lowercase();
                    let stem: String = lower.chars().take(lower.chars().count() * 2 / 3).collect();
                    !first.contains(&stem) && scanned_second.contains(&lower)
                })
                .collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            let word = words.first().unwrap_or_else(|| panic!("{path}: no word of page 2 only"));
            let results = bank.search(&SearchRequest::new(*word).limit(20)).unwrap();
            let hit =
                results.hits.iter().find(|h| h.path == path).unwrap_or_else(|| panic!("{path}: '{word}' not found"));
            assert_eq!(hit.page, Some(2), "{path}: '{word}' is on page 2");
            assert!(hit.ocr, "{path}: the hit is marked as recognised text");
            page_checks += 1;
        }
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    let worst = scores.iter().cloned().fold(f64::INFINITY, f64::min);
    println!(
        "{} scans, {pages_read} pages in {seconds:.0} s ({:.1} s a page): mean word F1 {mean:.4}, worst {worst:.4}",
        scores.len(),
        seconds / pages_read.max(1) as f64
    );
    assert!(page_checks >= 1);
    assert!(mean >= 0.93, "mean word F1 {mean}");
    assert!(worst >= 0.85, "worst word F1 {worst}");
}

#[test]
#[ignore = "needs ../shared"]
fn a_mixed_pdf_keeps_its_text_layer_and_nothing_is_read_twice() {
    let shared = shared_dir("corpus/docs");
    if !tools_available() {
        return;
    }
    let work = tempdir();
    let docs = tempdir();
    let index = tempdir();
    // Two pages with a text layer, then one scanned page (from another document).
    let text_pdf = shared.join("corpus/docs/fi/valmiussuunnitelma.pdf");
    let scanned = work.path().join("scanned.pdf");
    scan(&shared.join("corpus/docs/en/data-protection.pdf"), &scanned);
    let one_page = work.path().join("one-page.pdf");
    let status = Command::new("pdfseparate").args(["-f", "1", "-l", "1"]).arg(&scanned).arg(&one_page).status();
    assert!(status.unwrap().success(), "pdfseparate (poppler-utils)");
    let mixed = docs.path().join("liitteineen.pdf");
    let status = Command::new("pdfunite").arg(&text_pdf).arg(&one_page).arg(&mixed).status();
    assert!(status.unwrap().success(), "pdfunite (poppler-utils)");

    let (_, original) = extract_file(&text_pdf, &ExtractLimits::default()).unwrap();
    let (_, before) = extract_file(&mixed, &ExtractLimits::default()).unwrap();
    assert_eq!(before.scanned_pages, vec![3], "only the image page is a scan");
    assert_eq!(page_text(&before.text, &before.page_starts, 1), page_text(&original.text, &original.page_starts, 1));

    let (tesseract, log) = counting_tesseract(work.path());
    let options =
        OcrOptions { programs: OcrPrograms { tesseract: Some(tesseract), pdftoppm: None }, ..OcrOptions::default() };
    let kb = bank(docs.path(), index.path(), options.clone());
    assert_eq!(kb.sync().unwrap().added, 1);
    let report = recognise(&kb);
    assert_eq!(report.recognised.len(), 1, "{report:?}");
    assert_eq!(report.recognised[0].pages_read, 1, "one scanned page read");
    let first_run = calls(&log);
    assert!((1..=2).contains(&first_run), "one page, at most two passes: {first_run} calls");

    let record = kb.document("liitteineen.pdf").unwrap();
    let text = record.text.clone().unwrap_or_default();
    let starts: Vec<usize> = record.page_starts.iter().map(|&s| s as usize).collect();
    assert_eq!(record.ocr_pages, vec![3]);
    for page in [1, 2] {
        assert_eq!(
            page_text(&text, &starts, page),
            page_text(&original.text, &original.page_starts, page),
            "page {page} keeps its text layer"
        );
    }
    assert!(page_text(&text, &starts, 3).to_lowercase().contains("personal data"), "page 3 read by recognition");
    let hit = kb.search(&SearchRequest::new("valmiussuunnitelma")).unwrap().hits.into_iter().next().unwrap();
    assert!(!hit.ocr && hit.page.is_some_and(|p| p < 3), "a text-layer hit is not marked as OCR: {hit:?}");

    // A re-sync, another recognition run, a reopened bank: no page is read again.
    assert!(!kb.sync().unwrap().changed_anything());
    assert!(recognise(&kb).recognised.is_empty());
    drop(kb);
    let kb = bank(docs.path(), index.path(), options.clone());
    kb.sync().unwrap();
    assert!(recognise(&kb).recognised.is_empty());
    drop(kb);
    // The index rebuilt from nothing but its cache folder, and a copy under another name.
    for entry in std::fs::read_dir(index.path()).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    std::fs::copy(&mixed, docs.path().join("kopio.pdf")).unwrap();
    let kb = bank(docs.path(), index.path(), options);
    assert_eq!(kb.sync().unwrap().added, 2);
    assert!(recognise(&kb).recognised.is_empty());
    assert_eq!(calls(&log), first_run, "Tesseract was called again");
    for path in ["liitteineen.pdf", "kopio.pdf"] {
        let record = kb.document(path).unwrap();
        assert_eq!(record.ocr_pages, vec![3], "{path}: recognised text from the cache");
        assert_eq!(record.text.as_deref(), Some(text.as_str()));
    }
}

#[test]
fn a_200_page_scan_stops_at_the_page_limit_with_a_report_line() {
    if !tools_available() {
        return;
    }
    let work = tempdir();
    let docs = tempdir();
    let index = tempdir();
    image_pdf(&docs.path().join("arkisto.pdf"), 200);
    let (tesseract, log) = instant_tesseract(work.path(), &["Arkiston", "sivu"]);
    let options =
        OcrOptions { programs: OcrPrograms { tesseract: Some(tesseract), pdftoppm: None }, ..OcrOptions::default() };
    assert_eq!(options.max_pages_per_document, 100, "the default limit");
    let kb = bank(docs.path(), index.path(), options);
    kb.sync().unwrap();
    assert_eq!(kb.ocr_status().unwrap().pending_pages, 100, "only pages within the limit wait");
    let report = recognise(&kb);
    assert_eq!(report.recognised.len(), 1);
    assert_eq!(report.recognised[0].pages_read, 100);
    assert!(report.waiting.is_empty(), "{:?}", report.waiting);
    let record = kb.document("arkisto.pdf").unwrap();
    assert_eq!(record.ocr_pages, (1..=100).collect::<Vec<u32>>());
    assert!(record.ocr_pending_pages.is_empty());
    let line = record.warnings.iter().find(|w| w.contains("page limit")).expect("a report line for the limit");
    assert!(line.contains("100 of 200"), "{line}");
    let made = calls(&log);
    assert!((100..=200).contains(&made), "{made} recognition calls for 100 pages");
    // The warning reaches the sync report too.
    std::fs::copy(docs.path().join("arkisto.pdf"), docs.path().join("arkisto-2.pdf")).unwrap();
    let again = kb.sync().unwrap();
    assert!(again.warnings.iter().any(|w| w.starts_with("arkisto-2.pdf: text recognition stopped at the page limit")));
}

#[test]
fn without_tesseract_a_scan_is_found_by_its_name_and_reported_as_waiting() {
    if Command::new("img2pdf").arg("--version").output().is_err() {
        let message = "img2pdf is not installed (apt-get install img2pdf)";
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{message}");
        eprintln!("SKIPPED: {message}");
        return;
    }
    let docs = tempdir();
    let index = tempdir();
    image_pdf(&docs.path().join("hallituksen-poytakirja.pdf"), 3);
    let out = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args(["index", "--documents"])
        .arg(docs.path())
        .arg("--index")
        .arg(index.path())
        .env("TIETOPANKKI_TESSERACT", "/nonexistent/tesseract")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 added") && stdout.contains("0 failed"), "{stdout}");
    assert!(
        stdout.contains("scanned, OCR not available: hallituksen-poytakirja.pdf (3 pages"),
        "the scan is listed as waiting: {stdout}"
    );
    assert!(stdout.contains("apt-get install") && stdout.contains("tesseract-ocr-fin"), "{stdout}");
    assert!(!stdout.contains("damaged"), "{stdout}");

    let json = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args(["index", "--json", "--documents"])
        .arg(docs.path())
        .arg("--index")
        .arg(index.path())
        .env("TIETOPANKKI_TESSERACT", "/nonexistent/tesseract")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["ocr"]["waiting"][0]["pages"], 3, "{v}");
    assert!(v["ocr"]["unavailable"].as_str().is_some_and(|s| s.contains("Tesseract")), "{v}");
    assert_eq!(v["documents"][0]["format"], "pdf");
    assert_eq!(v["documents"][0]["ocr_pages"], 0);

    let kb = bank(docs.path(), index.path(), OcrOptions::default());
    let hits = kb.search(&SearchRequest::new("pöytäkirja")).unwrap().hits;
    assert_eq!(hits.first().map(|h| h.path.as_str()), Some("hallituksen-poytakirja.pdf"), "found by its name");

    // `extract` says what a scan is, and exits with an error.
    let extract = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .arg("extract")
        .arg(docs.path().join("hallituksen-poytakirja.pdf"))
        .output()
        .unwrap();
    assert!(!extract.status.success());
    let stderr = String::from_utf8_lossy(&extract.stderr);
    assert!(stderr.contains("no text layer: a scanned document") && stderr.contains("--ocr"), "{stderr}");
}

#[cfg(feature = "server")]
#[test]
fn the_server_reads_scans_in_the_background_and_marks_their_hits() {
    use std::io::{Read, Write};
    if !tools_available() {
        return;
    }
    let work = tempdir();
    let docs = tempdir();
    let index = tempdir();
    image_pdf(&docs.path().join("skannattu.pdf"), 2);
    std::fs::write(docs.path().join("kotivara.md"), "# Kotivara\n\nVettä ja ruokaa kolmeksi päiväksi.\n").unwrap();
    let (tesseract, _) = instant_tesseract(work.path(), &["Varautuminen", "sähkökatkoon", "taloyhtiössä"]);
    let config = tietopankki::Config {
        addr: "127.0.0.1:0".to_string(),
        rescan_secs: 0,
        ocr: OcrOptions {
            programs: OcrPrograms { tesseract: Some(tesseract), pdftoppm: None },
            ..OcrOptions::default()
        },
        ..tietopankki::Config::new(docs.path(), index.path())
    };
    let server = tietopankki::server::start(config).unwrap();
    let get = |target: &str| -> String {
        let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default()
    };
    // Tesseract on a loaded machine: a longer wait than the usual deadline.
    let mut last = serde_json::Value::Null;
    let status = crate::common::poll_for(std::time::Duration::from_secs(120), || {
        last = serde_json::from_str(&get("/api/status")).unwrap();
        let ocr = &last["ocr"];
        (ocr["pending_pages"] == 0 && ocr["running"] == false && ocr["recognised_pages"] == 2).then(|| last.clone())
    })
    .unwrap_or_else(|| panic!("recognition did not finish: {last}"));
    assert_eq!(status["ocr"]["available"], true, "{status}");
    assert_eq!(status["documents"], 2);
    let results: serde_json::Value = serde_json::from_str(&get("/api/search?q=s%C3%A4hk%C3%B6katko")).unwrap();
    let hit = &results["hits"][0];
    assert_eq!(hit["path"], "skannattu.pdf", "{results}");
    assert_eq!(hit["ocr"], true);
    assert_eq!(hit["page"], 1);
    let other: serde_json::Value = serde_json::from_str(&get("/api/search?q=kotivara")).unwrap();
    assert_eq!(other["hits"][0]["ocr"], false);
    let page = get("/?q=s%C3%A4hk%C3%B6katko&ui=en");
    assert!(page.contains("class=\"badge ocr\"") && page.contains("text recognition"), "the page marks OCR text");
    server.shutdown();
}
