//! Text recognition for scanned PDF pages, through the programs Recoll and
//! Paperless-ngx use: poppler's `pdftoppm` renders a page, Tesseract reads
//! it. Both are found at run time and never linked; when one of them or a
//! language pack is missing, [`OcrEngine::find`] says what to install.
//!
//! [`OcrEngine`] is the recognition step: a page in, its text and
//! Tesseract's mean word confidence out. The language is chosen per page: a
//! first pass with Finnish, Swedish and English together, then, when the
//! text is clearly in one of them, a second pass with that language alone,
//! and the pass with the higher confidence is kept. [`cache`] keeps what was
//! read, by the file's content hash, and puts it into the document.

pub mod cache;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::FileError;
use crate::lang::Lang;

/// Resolution pages are rendered at for recognition (Tesseract reads best
/// at about 300 dpi).
const RENDER_DPI: u32 = 300;

/// The Tesseract language pack of each of our languages.
fn tesseract_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "fin",
        Lang::Sv => "swe",
        Lang::En => "eng",
    }
}

/// What to install for text recognition, for a report line.
pub const INSTALL_HINT: &str = "apt-get install poppler-utils tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe";

pub use crate::config::OcrPrograms;

/// The recognition programs found on this machine.
#[derive(Debug, Clone)]
pub struct OcrEngine {
    pdftoppm: PathBuf,
    tesseract: PathBuf,
    /// When set, a running program is killed and the page given up.
    cancel: Option<Arc<AtomicBool>>,
}

/// One recognised page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecognisedPage {
    /// The page's text, a line of text a line.
    pub text: String,
    /// Tesseract's mean word confidence, 0–100.
    pub confidence: f32,
    /// The language the kept pass was run with (`None`: all three together).
    pub lang: Option<Lang>,
}

impl OcrEngine {
    /// Finds `pdftoppm` and `tesseract` (on `PATH`, or where the
    /// `TIETOPANKKI_PDFTOPPM` and `TIETOPANKKI_TESSERACT` variables point),
    /// and checks that Tesseract has the Finnish, Swedish and English data.
    /// The error says what is missing and how to install it.
    pub fn find() -> Result<OcrEngine, String> {
        Self::find_with(&OcrPrograms::default())
    }

    /// [`find`](Self::find), with the programs `programs` names first.
    pub fn find_with(programs: &OcrPrograms) -> Result<OcrEngine, String> {
        let program = |given: &Option<PathBuf>, var: &str, name: &str| {
            given.clone().or_else(|| std::env::var_os(var).map(PathBuf::from)).unwrap_or_else(|| name.into())
        };
        let pdftoppm = program(&programs.pdftoppm, "TIETOPANKKI_PDFTOPPM", "pdftoppm");
        let tesseract = program(&programs.tesseract, "TIETOPANKKI_TESSERACT", "tesseract");
        let runs = |path: &Path, arg: &str| Command::new(path).arg(arg).output().ok();
        if runs(&pdftoppm, "-v").is_none() {
            return Err(format!("pdftoppm is not installed ({INSTALL_HINT})"));
        }
        let Some(listed) = runs(&tesseract, "--list-langs") else {
            return Err(format!("Tesseract is not installed ({INSTALL_HINT})"));
        };
        let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
        let missing: Vec<&str> = Lang::ALL
            .iter()
            .map(|&l| tesseract_lang(l))
            .filter(|code| !listed.lines().any(|line| line.trim() == *code))
            .collect();
        if !missing.is_empty() {
            return Err(format!("Tesseract has no language data for {} ({INSTALL_HINT})", missing.join(", ")));
        }
        Ok(OcrEngine { pdftoppm, tesseract, cancel: None })
    }

    /// Makes a running recognition stop (its programs killed, the page
    /// given up with an error) as soon as `flag` is set.
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> OcrEngine {
        self.cancel = Some(flag);
        self
    }

    /// Recognises page `page` (from 1) of the PDF at `pdf`, within `budget`
    /// for both passes together.
    pub fn recognise_page(&self, pdf: &Path, page: usize, budget: Duration) -> Result<RecognisedPage, FileError> {
        let deadline = Instant::now() + budget;
        let page_arg = page.to_string();
        // A relative name starting with '-' would be read as an option.
        let pdf = if pdf.is_relative() { Path::new(".").join(pdf) } else { pdf.to_path_buf() };
        // pdftoppm writes the image to a file of a folder of our own, removed after.
        let scratch = Scratch::new()?;
        let root = scratch.0.join("page");
        run(
            Command::new(&self.pdftoppm)
                .args(["-r", &RENDER_DPI.to_string(), "-gray", "-png", "-singlefile"])
                .args(["-f", &page_arg, "-l", &page_arg])
                .arg(&pdf)
                .arg(&root),
            &[],
            self.limits(deadline, budget),
        )?;
        let image = std::fs::read(root.with_extension("png"))
            .map_err(|e| FileError::Internal(format!("the rendered page cannot be read: {e}")))?;
        let all = Lang::ALL.iter().map(|&l| tesseract_lang(l)).collect::<Vec<_>>().join("+");
        let first = self.read_image(&image, &all, deadline, budget)?;
        let mut best = RecognisedPage { text: first.0, confidence: first.1, lang: None };
        let detected = crate::lang::detect(&best.text).filter(|d| d.reliable);
        if let Some(detection) = detected {
            if let Ok((text, confidence)) = self.read_image(&image, tesseract_lang(detection.lang), deadline, budget) {
                if confidence > best.confidence {
                    best = RecognisedPage { text, confidence, lang: Some(detection.lang) };
                }
            }
        }
        Ok(best)
    }

    /// One Tesseract pass over a PNG image: (text, mean word confidence).
    fn read_image(
        &self,
        image: &[u8],
        langs: &str,
        deadline: Instant,
        budget: Duration,
    ) -> Result<(String, f32), FileError> {
        let tsv = run(
            Command::new(&self.tesseract)
                .args(["stdin", "stdout", "-l", langs, "--psm", "3", "tsv"])
                // Tesseract's OpenMP threads spin against each other: one
                // thread reads a page about three times faster on two cores.
                .env("OMP_THREAD_LIMIT", "1"),
            image,
            self.limits(deadline, budget),
        )?;
        Ok(parse_tsv(&String::from_utf8_lossy(&tsv)))
    }

    fn limits(&self, deadline: Instant, budget: Duration) -> RunLimits<'_> {
        RunLimits { deadline, budget, cancel: self.cancel.as_deref() }
    }
}

/// When a program is killed.
struct RunLimits<'a> {
    deadline: Instant,
    budget: Duration,
    cancel: Option<&'a AtomicBool>,
}

/// A folder of its own in the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, FileError> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tietopankki-ocr-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| FileError::Internal(format!("no temporary folder for text recognition: {e}")))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a program with `input` on its stdin and returns its stdout, killing
/// it at the deadline or when cancelled.
fn run(command: &mut Command, input: &[u8], limits: RunLimits<'_>) -> Result<Vec<u8>, FileError> {
    let mut child: Child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| FileError::Internal(format!("cannot start the text recognition: {e}")))?;
    // Input and output move on threads of their own so that neither pipe can fill up and stall.
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(&input);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            let _ = stdout.read_to_end(&mut out);
        }
        out
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= limits.deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(FileError::TimedOut(limits.budget.as_secs().max(1)));
            }
            Ok(None) if limits.cancel.is_some_and(|c| c.load(Ordering::SeqCst)) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(FileError::Internal("text recognition was stopped".to_string()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(FileError::Internal(format!("text recognition: {e}"))),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(FileError::Damaged("the page could not be rendered or read for text recognition".to_string()));
    }
    Ok(out)
}

/// Text and mean word confidence from Tesseract's TSV output: words (level 5)
/// joined by spaces, a line of the page a line of text.
fn parse_tsv(tsv: &str) -> (String, f32) {
    let mut text = String::new();
    let mut line_key: Option<(&str, &str, &str, &str)> = None;
    let (mut sum, mut words) = (0f64, 0u32);
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let [level, page, block, par, line, _word, _left, _top, _width, _height, conf, word] = cols[..] else {
            continue;
        };
        if level != "5" || word.trim().is_empty() {
            continue;
        }
        let key = (page, block, par, line);
        match line_key {
            Some(previous) if previous == key => text.push(' '),
            Some(_) => text.push('\n'),
            None => {}
        }
        line_key = Some(key);
        text.push_str(word.trim());
        if let Ok(c) = conf.parse::<f64>() {
            if c >= 0.0 {
                sum += c;
                words += 1;
            }
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    (text, if words == 0 { 0.0 } else { (sum / f64::from(words)) as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tesseract_tsv_becomes_lines_and_a_mean_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tKotivara\n\
            5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t93.5\tkuntoon\n\
            5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t80\tvesi\n\
            5\t1\t1\t1\t2\t2\t0\t0\t10\t10\t-1\t \n";
        let (text, confidence) = parse_tsv(tsv);
        assert_eq!(text, "Kotivara kuntoon\nvesi\n");
        assert!((confidence - 90.0).abs() < 1e-3, "{confidence}");
        assert_eq!(parse_tsv(""), (String::new(), 0.0));
    }
}
