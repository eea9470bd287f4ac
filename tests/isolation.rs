//! Issue #13: extraction that cannot take the process down. The `index`
//! binary reads files in worker processes with a memory limit and a
//! wall-clock kill; hostile files each cost one report line, good files are
//! all indexed, and memory stays bounded.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::TempBank;

/// A PDF whose one content stream inflates to `inflated` bytes of zeros.
fn decompression_bomb(inflated: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..inflated >> 20 {
        encoder.write_all(&block).unwrap();
    }
    let stream = encoder.finish().unwrap();
    let mut pdf = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n\
        2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n\
        3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>> endobj\n"
        .to_vec();
    pdf.extend_from_slice(format!("4 0 obj <</Length {}/Filter/FlateDecode>> stream\n", stream.len()).as_bytes());
    pdf.extend_from_slice(&stream);
    pdf.extend_from_slice(b"\nendstream endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");
    pdf
}

/// A Word file whose document part inflates to `inflated` bytes of zeros
/// (about a thousandth of that on disk): a zip bomb.
fn zip_bomb_docx(inflated: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(inflated > u32::MAX as usize);
    zip.start_file("word/document.xml", options).unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..inflated >> 20 {
        zip.write_all(&block).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The 388-byte "billion laughs" front matter of the issue.
fn yaml_bomb() -> String {
    let mut bomb = String::from("---\na: &a [x,x,x,x,x,x,x,x,x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        bomb.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    bomb.push_str("tags: *i\n---\n# Laughs\n\nThe body of the bomb.\n");
    bomb
}

/// Peak resident memory (VmHWM, kB) of a process and of each of its
/// children, polled until it exits.
#[cfg(target_os = "linux")]
fn watch_peak_memory(child: &mut std::process::Child) -> (u64, u64) {
    let pid = child.id();
    let hwm = |pid: u32| -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
    };
    // Children by their parent id (field 4 of /proc/PID/stat, after the
    // parenthesised name).
    let children = |pid: u32| -> Vec<u32> {
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
            .filter(|&c| {
                std::fs::read_to_string(format!("/proc/{c}/stat")).ok().is_some_and(|stat| {
                    stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                        == Some(pid)
                })
            })
            .collect()
    };
    let (mut own, mut worker) = (0, 0);
    while child.try_wait().unwrap().is_none() {
        own = own.max(hwm(pid).unwrap_or(0));
        for c in children(pid) {
            worker = worker.max(hwm(c).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (own, worker)
}

#[cfg(target_os = "linux")]
#[test]
fn hostile_files_cost_one_line_each_and_bounded_memory() {
    let tb = TempBank::new();
    for i in 0..1000 {
        tb.write(
            &format!("good/doc-{i:04}.md"),
            format!("# Ohje {i}\n\nYhdistyksen kokous numero {i} ja sen pöytäkirja."),
        );
    }
    tb.write("bad/laughs.md", yaml_bomb());
    tb.write("bad/inflates.pdf", decompression_bomb(1 << 30));
    tb.write("bad/inflates.docx", zip_bomb_docx(1 << 30));
    tb.write("bad/endless.md", "# Endless\n\nA parser loop (test hook).");
    tb.write("bad/hungry.md", "# Hungry\n\nA reader that wants all memory (test hook).");

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tietopankki"))
        .args(["index", "--json", "--file-timeout", "3", "--file-memory-mb", "256", "--documents"])
        .arg(tb.docs.path())
        .arg("--index")
        .arg(tb.index.path())
        .env(tietopankki::extract::worker::HANG_ON_ENV, "endless.md")
        .env(tietopankki::extract::worker::ALLOCATE_ON_ENV, "hungry.md")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its output is read meanwhile: a full pipe would stop it.
    let mut stdout = child.stdout.take().unwrap();
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut bytes);
        bytes
    });
    let (own_kb, worker_kb) = watch_peak_memory(&mut child);
    let status = child.wait().unwrap();
    let stdout = reading.join().unwrap();
    let elapsed = started.elapsed();
    // Exit code 1: done, but the hostile files failed (as they should).
    assert_eq!(status.code(), Some(1), "index failed");
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    println!(
        "1,000 good files + 5 hostile ones: {:.1} s; peak memory: index {} MB, largest worker {} MB",
        elapsed.as_secs_f64(),
        own_kb / 1024,
        worker_kb / 1024
    );

    let failed: Vec<(String, String)> = report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["reason"].as_str().unwrap().to_string()))
        .collect();
    let reason = |path: &str| failed.iter().find(|(p, _)| p == path).map(|(_, r)| r.clone());
    assert!(reason("bad/endless.md").is_some_and(|r| r.contains("timed out")), "{failed:?}");
    assert!(reason("bad/hungry.md").is_some_and(|r| r.contains("256 MB memory limit")), "{failed:?}");
    assert!(reason("bad/inflates.pdf").is_some(), "{failed:?}");
    assert!(reason("bad/inflates.docx").is_some_and(|r| r.contains("zip bomb")), "{failed:?}");
    assert_eq!(failed.len(), 4, "{failed:?}");
    // The YAML bomb loses its front matter, not its body.
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("bad/laughs.md") && w.as_str().unwrap().contains("aliases")),
        "{warnings:?}"
    );
    assert_eq!(report["added"], 1001, "all good files and the bomb's body");

    let bank = tb.open();
    assert_eq!(bank.search(&tietopankki::SearchRequest::new("pöytäkirja").limit(1)).unwrap().total, 1000);
    assert!(own_kb < 300 * 1024, "index used {} MB", own_kb / 1024);
    assert!(worker_kb < 300 * 1024, "a worker used {} MB", worker_kb / 1024);
}
