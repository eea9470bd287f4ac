//! The `tietopankki` command: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tietopankki::{Format, KnowledgeBank, SearchRequest, SyncProgress};

mod cli;

use cli::args::{Cli, Command, ServeArgs};
use cli::exit::Failure;

fn main() -> ExitCode {
    // An extraction worker (started by this binary itself): before any
    // argument parsing, so that it stays out of `--help`.
    #[cfg(unix)]
    {
        let mut args = std::env::args();
        if args.nth(1).as_deref() == Some(tietopankki::extract::worker::WORKER_ARG) {
            let memory = args.next().and_then(|m| m.parse().ok()).unwrap_or(1 << 30);
            return ExitCode::from(tietopankki::extract::worker::run_worker(memory).clamp(0, 255) as u8);
        }
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Index { documents, index, json, limits, ocr } => {
            run_index(documents, index, json, limits.limits(), ocr.options())
        }
        Command::Search { index, limit, json, explain, other_languages, glossary, query } => {
            let options = SearchOptions { limit, json, explain, other_languages, glossary };
            run_search(index, options, query.join(" "))
        }
        Command::Extract { file, meta, ocr, limits } => run_extract(file, meta, ocr, limits.limits()),
        Command::Serve(args) => run_serve(args),
        Command::Export(args) => cli::export::run(args).map_err(Failure::usage),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("tietopankki: {}", failure.message);
            failure.exit_code()
        }
    }
}

/// This binary, to start extraction workers from (`None`: read in-process).
fn worker_exe() -> Option<PathBuf> {
    if cfg!(unix) {
        std::env::current_exe().ok()
    } else {
        None
    }
}

fn run_index(
    documents: PathBuf,
    index: PathBuf,
    json: bool,
    limits: tietopankki::ExtractLimits,
    ocr: tietopankki::OcrOptions,
) -> Result<ExitCode, Failure> {
    if !documents.is_dir() {
        return Err(Failure::usage(format!("documents folder not found: {}", documents.display())));
    }
    let mut builder = KnowledgeBank::builder().documents_dir(&documents).index_dir(&index).limits(limits).ocr(ocr);
    if let Some(exe) = worker_exe() {
        builder = builder.extract_worker(exe);
    }
    let bank = builder.open()?;
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} files")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut on_progress = |p: SyncProgress| {
        if let Some(bar) = &bar {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(format!("{:?}", p.stage).to_lowercase());
        }
    };
    let report = bank.sync_with_progress(&mut on_progress)?;
    // Scanned pages are read after the sync: everything else is searchable meanwhile.
    let mut on_page = |p: &tietopankki::recognition::OcrProgress| {
        if let Some(bar) = &bar {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(format!(
                "text recognition, document {}/{}: {} page {}",
                p.documents_done + 1,
                p.documents_total,
                terminal_safe(&p.path),
                p.page
            ));
        }
    };
    let ocr_report =
        bank.recognise_scans(&std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)), &mut on_page)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if json {
        let documents = bank.documents()?;
        let out = serde_json::json!({
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "failed": report.failed,
            "skipped": report.skipped,
            "warnings": report.warnings,
            "ocr": ocr_report,
            "cross_language": cross_language_json(&bank),
            "documents": documents,
        });
        let _ = writeln!(std::io::stdout().lock(), "{out}");
    } else {
        print_index_report(&bank, &index, &report, &ocr_report);
    }
    // Everything readable is indexed either way; the code tells a script
    // that some files were not.
    if report.failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(cli::exit::FILES_FAILED))
    }
}

/// The human-readable report of `index`: the counts, one line per failed,
/// skipped or warned file, the scans, and what cross-language search has.
fn print_index_report(
    bank: &KnowledgeBank,
    index: &std::path::Path,
    report: &tietopankki::SyncReport,
    ocr_report: &tietopankki::OcrReport,
) {
    let mut out = std::io::stdout().lock();
    let total = bank.status().map(|s| s.documents).unwrap_or(0);
    let _ = writeln!(
        out,
        "{} added, {} updated, {} removed, {} unchanged, {} failed; {} documents in {}",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
        report.failed.len(),
        total,
        index.display()
    );
    // File names and document text are printed escaped: a name with a
    // newline must not forge a report line, nor one with ESC drive the terminal.
    for failed in &report.failed {
        let _ = writeln!(out, "  failed: {}: {}", terminal_safe(&failed.path), terminal_safe(&failed.reason));
    }
    for skipped in &report.skipped {
        let _ = writeln!(out, "  {}: {}", terminal_safe(&skipped.reason), terminal_safe(&skipped.path));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "  warning: {}", terminal_safe(warning));
    }
    print_ocr_report(&mut out, ocr_report);
    let (concepts, freedict) = bank.translation_status();
    let dictionaries = if freedict.found.is_empty() {
        "no FreeDict dictionaries (optional)".to_string()
    } else {
        format!("FreeDict {}", freedict.found.join(", "))
    };
    let _ = writeln!(out, "  cross-language search: {concepts} concepts in the term list, {dictionaries}");
    if let Some(hint) = freedict.install_hint() {
        let _ = writeln!(out, "  for words outside the term list: {hint}");
    }
}

/// What cross-language search translates with, for `index --json`.
fn cross_language_json(bank: &KnowledgeBank) -> serde_json::Value {
    let (concepts, freedict) = bank.translation_status();
    serde_json::json!({ "concepts": concepts, "freedict": freedict, "install": freedict.install_hint() })
}

/// The lines of `index` about scanned documents.
fn print_ocr_report(out: &mut impl Write, report: &tietopankki::OcrReport) {
    for scan in &report.recognised {
        let confidence = scan.confidence.map(|c| format!(", mean confidence {c:.0}")).unwrap_or_default();
        let failed = match scan.failed_pages {
            0 => String::new(),
            n => format!(", {n} pages could not be read"),
        };
        let _ = writeln!(
            out,
            "  text recognition: {}: {} pages read ({} in all{confidence}{failed}), language {}",
            terminal_safe(&scan.path),
            scan.pages_read,
            scan.ocr_pages,
            scan.lang
        );
        if let Some(why) = &scan.stopped {
            let _ =
                writeln!(out, "  text recognition stopped at {}: {}", terminal_safe(why), terminal_safe(&scan.path));
        }
    }
    let reason = if report.unavailable.is_some() {
        "OCR not available"
    } else if report.cancelled {
        "text recognition stopped, continues next time"
    } else {
        "OCR switched off (--no-ocr)"
    };
    for scan in &report.waiting {
        let _ = writeln!(
            out,
            "  scanned, {reason}: {} ({} pages without a text layer; found by its title until they are read)",
            terminal_safe(&scan.path),
            scan.pages
        );
    }
    if let Some(why) = &report.unavailable {
        let _ = writeln!(out, "  text recognition is not available: {}", terminal_safe(why));
    }
}

/// How `search` searches and prints.
struct SearchOptions {
    limit: usize,
    json: bool,
    explain: bool,
    other_languages: bool,
    glossary: Option<PathBuf>,
}

fn run_search(index: PathBuf, options: SearchOptions, query: String) -> Result<ExitCode, Failure> {
    let SearchOptions { limit, json, explain, other_languages, glossary } = options;
    if !index.join("meta.json").exists() {
        return Err(Failure::usage(format!("no index at {} (run `tietopankki index` first)", index.display())));
    }
    let mut builder = KnowledgeBank::builder().index_dir(&index);
    if let Some(path) = glossary {
        builder = builder.glossary(tietopankki::Glossary::load(&path)?);
    }
    let bank = builder.open()?;
    let mut request = SearchRequest::new(query).limit(limit).other_languages(other_languages);
    if explain {
        request = request.with_explain();
    }
    let results = bank.search(&request)?;
    if json {
        let out = serde_json::to_string(&results).map_err(|e| Failure::internal(e.to_string()))?;
        // A reader that stops early (`| head`) is not an error.
        let _ = writeln!(std::io::stdout().lock(), "{out}");
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    if results.hits.is_empty() {
        let _ = writeln!(out, "No documents match \"{}\".", terminal_safe(&results.query));
    }
    for (i, hit) in results.hits.iter().enumerate() {
        print_hit(&mut out, i + 1, hit, color);
    }
    if results.total > results.hits.len() {
        let _ = writeln!(out, "({} of {} matching documents shown)", results.hits.len(), results.total);
    }
    if let Some(other) = results.other_languages.as_ref().filter(|o| !o.hits.is_empty()) {
        let langs: Vec<&str> = other.langs.iter().map(|l| l.code()).collect();
        let _ =
            writeln!(out, "\nAlso in {} ({} documents), through translated terms:", langs.join(" and "), other.total);
        for (i, hit) in other.hits.iter().enumerate() {
            print_hit(&mut out, i + 1, hit, color);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one hit: its number and title, where it is (and, for a hit in
/// another language, the terms it was found by), its snippet, its evidence.
fn print_hit(out: &mut impl Write, number: usize, hit: &tietopankki::SearchHit, color: bool) {
    let page = hit.page.map(|p| format!(", page {p}")).unwrap_or_default();
    let via = if hit.via.is_empty() { String::new() } else { format!(" via {}", hit.via.join(", ")) };
    let _ = writeln!(out, "{number}. {}", terminal_safe(&hit.title));
    let _ =
        writeln!(out, "   {} ({}, {}{page}){}", terminal_safe(&hit.path), hit.lang, hit.format, terminal_safe(&via));
    let _ = writeln!(out, "   {}", snippet_for_terminal(&hit.snippet, color));
    if let Some(explanation) = &hit.explain {
        print_explanation(out, hit.score, explanation);
    }
}

/// Prints the evidence behind one hit's score, a line per query word.
fn print_explanation(out: &mut impl Write, score: f32, explanation: &tietopankki::search::Explanation) {
    let _ = writeln!(
        out,
        "   score {score:.2} = words + proximity {:.2} + language {:.2}",
        explanation.proximity, explanation.language
    );
    for word in &explanation.words {
        match (&word.kind, &word.matched) {
            (Some(kind), Some(matched)) => {
                let _ = writeln!(
                    out,
                    "     {:<20} {:<10} {:<20} in {:<8} idf {:.2} × conf {:.2} → {:.2}",
                    word.word,
                    kind.name(),
                    matched,
                    word.field.as_deref().unwrap_or("-"),
                    word.idf,
                    word.confidence,
                    word.contribution
                );
            }
            _ => {
                let _ = writeln!(out, "     {:<20} not in this document (idf {:.2})", word.word, word.idf);
            }
        }
    }
}

/// Text from files (names, titles, snippets) made safe to print on a
/// terminal: control characters (newlines, ESC, C1 codes) and the marks that
/// reorder text (bidi overrides) are shown as `\u{..}` escapes.
fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Turns the HTML snippet into terminal text: marks become bold (or «»), entities are decoded.
fn snippet_for_terminal(html: &str, color: bool) -> String {
    let (open, close) = if color { ("\x1b[1m", "\x1b[0m") } else { ("«", "»") };
    // The document's own text is escaped first; only our marks drive the terminal.
    let one_line: String = html.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    terminal_safe(&one_line)
        .replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn run_extract(file: PathBuf, meta: bool, ocr: bool, limits: tietopankki::ExtractLimits) -> Result<ExitCode, Failure> {
    let (format, mut doc) = match tietopankki::extract::extract_file(&file, &limits) {
        Ok(found) => found,
        Err(err) => return Err(Failure::file(format!("{}: {err}", file.display()))),
    };
    if !doc.scanned_pages.is_empty() {
        if ocr {
            recognise_for_extract(&file, &mut doc)?;
        } else if doc.text.trim().is_empty() {
            return Err(Failure::file(format!("{}: {}", file.display(), tietopankki::FileError::NoTextLayer)));
        } else {
            let pages: Vec<String> = doc.scanned_pages.iter().map(u32::to_string).collect();
            doc.warnings
                .push(format!("pages {} are scanned, without a text layer: add --ocr to read them", pages.join(", ")));
        }
    }
    let mut out = std::io::stdout().lock();
    if meta {
        let lang = doc.language();
        let _ = writeln!(out, "title: {}", doc.title.as_deref().unwrap_or(""));
        let _ = writeln!(out, "language: {lang}");
        let _ = writeln!(out, "format: {format}");
        if let Some(pages) = doc.pages() {
            let _ = writeln!(out, "pages: {pages}");
        }
        for (key, value) in
            [("author", &doc.author), ("date", &doc.date), ("modified", &doc.modified), ("subject", &doc.subject)]
        {
            if let Some(value) = value {
                let _ = writeln!(out, "{key}: {value}");
            }
        }
        if !doc.tags.is_empty() {
            let _ = writeln!(out, "tags: {}", doc.tags.join(", "));
        }
        if !doc.ocr_pages.is_empty() {
            let pages: Vec<String> = doc.ocr_pages.iter().map(u32::to_string).collect();
            let confidence = doc.ocr_confidence.map(|c| format!(" (mean confidence {c:.1})")).unwrap_or_default();
            let _ = writeln!(out, "text recognition: pages {}{confidence}", pages.join(", "));
        }
        let _ = writeln!(out);
    }
    if format == Format::Pdf && !doc.page_starts.is_empty() {
        let mut starts = doc.page_starts.clone();
        starts.push(doc.text.len());
        for (i, pair) in starts.windows(2).enumerate() {
            if i > 0 {
                let _ = writeln!(out, "\x0c");
            }
            let _ = write!(out, "{}", doc.text.get(pair[0]..pair[1]).unwrap_or(""));
        }
    } else {
        let _ = writeln!(out, "{}", doc.text);
    }
    for warning in &doc.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the scanned pages of `doc` (from `file`) by text recognition, a
/// page at a time, saying on stderr which page it is on.
fn recognise_for_extract(file: &std::path::Path, doc: &mut tietopankki::Extracted) -> Result<(), Failure> {
    use tietopankki::extract::ocr::{cache, OcrEngine};
    let engine = OcrEngine::find()
        .map_err(|why| Failure::file(format!("{}: text recognition is not available: {why}", file.display())))?;
    let options = tietopankki::OcrOptions::default();
    let mut record = cache::ScanRecord::default();
    let pages = record.pending(&doc.scanned_pages, options.max_pages_per_document);
    for (i, &page) in pages.iter().enumerate() {
        eprintln!("text recognition: page {page} ({}/{})", i + 1, pages.len());
        match engine.recognise_page(file, page as usize, options.page_timeout) {
            Ok(read) => {
                record.pages.insert(page, read);
            }
            Err(err) => {
                record.failed.insert(page, err.to_string());
            }
        }
    }
    let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or("document");
    cache::apply(doc, &record, options.max_pages_per_document, name);
    Ok(())
}

#[cfg(feature = "server")]
fn run_serve(args: ServeArgs) -> Result<ExitCode, Failure> {
    let config = tietopankki::Config {
        addr: args.addr,
        admin_token: args.admin_token.filter(|t| !t.is_empty()),
        cors_origins: args.cors_origin,
        rescan_secs: args.rescan,
        limits: args.limits.limits(),
        allowed_hosts: args.allowed_host,
        extract_worker: worker_exe(),
        ocr: args.ocr.options(),
        glossary: args.glossary,
        ..tietopankki::Config::new(args.documents, args.index)
    };
    tietopankki::server::run(config).map(|_| ExitCode::SUCCESS).map_err(Failure::from)
}

#[cfg(not(feature = "server"))]
fn run_serve(_args: ServeArgs) -> Result<ExitCode, Failure> {
    Err(Failure::usage("this build has no web server: rebuild with `--features server` (on by default)"))
}
