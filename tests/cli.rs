//! The command-line binary: JSON contracts, exit codes, extract.

use std::process::Command;

use crate::common::{fixtures, shared_dir, TempBank};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tietopankki"))
}

#[test]
fn index_and_search_json_contracts() {
    let tb = TempBank::new();
    tb.write("fi/kotivara.md", "---\ntitle: Kotivara\n---\nKotivaraan kuuluu vettä ja ruokaa kolmeksi vuorokaudeksi.");
    tb.write("broken.pdf", "not a pdf");
    let out = bin()
        .args(["index", "--json", "--documents"])
        .arg(tb.docs.path())
        .arg("--index")
        .arg(tb.index.path())
        .output()
        .unwrap();
    // The readable file is indexed; the exit code says one was not.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["added"], 1);
    assert_eq!(report["updated"], 0);
    assert_eq!(report["removed"], 0);
    assert_eq!(report["unchanged"], 0);
    assert_eq!(report["failed"][0]["path"], "broken.pdf");
    assert!(report["failed"][0]["reason"].as_str().unwrap().contains("not a PDF"));
    let doc = &report["documents"][0];
    assert_eq!(doc["path"], "fi/kotivara.md");
    assert_eq!(doc["lang"], "fi");
    assert_eq!(doc["format"], "markdown");
    assert!(doc["pages"].is_null());
    assert_eq!(doc["title"], "Kotivara");

    let out = bin().args(["search", "--json", "--index"]).arg(tb.index.path()).arg("kotivaran").output().unwrap();
    assert!(out.status.success());
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results["query"], "kotivaran");
    assert_eq!(results["total"], 1);
    let hit = &results["hits"][0];
    assert_eq!(hit["path"], "fi/kotivara.md");
    assert_eq!(hit["title"], "Kotivara");
    assert_eq!(hit["lang"], "fi");
    assert_eq!(hit["format"], "markdown");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(hit["page"].is_null());
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"));

    let out = bin().args(["search", "--index"]).arg(tb.index.path()).arg("kotivara").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("fi/kotivara.md"));
}

#[test]
fn fatal_errors_exit_non_zero_with_one_line() {
    let out = bin().args(["index", "--documents", "/nonexistent/docs", "--index", "/tmp/unused-idx"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("documents folder not found"));
    assert_eq!(out.status.code(), Some(2), "a missing documents folder is bad usage");
    let out = bin().args(["search", "--index", "/nonexistent/idx", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a missing index is bad usage");
}

/// The exit codes `--help` and README.md document: 0 done, 1 some files
/// failed, 2 bad usage, 3 the index in use, 4 internal (a damaged index).
#[test]
fn exit_codes_tell_what_went_wrong() {
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nAlpha.");
    let index = |tb: &TempBank| {
        bin().args(["index", "--documents"]).arg(tb.docs.path()).arg("--index").arg(tb.index.path()).output().unwrap()
    };
    assert_eq!(index(&tb).status.code(), Some(0));
    // 1: a file that cannot be read (the rest is indexed).
    tb.write("broken.pdf", "not a pdf");
    assert_eq!(index(&tb).status.code(), Some(1));
    std::fs::remove_file(tb.docs.path().join("broken.pdf")).unwrap();
    assert_eq!(index(&tb).status.code(), Some(0));
    // 2: a flag that does not exist (clap), and the codes are in --help.
    assert_eq!(bin().args(["index", "--no-such-flag"]).output().unwrap().status.code(), Some(2));
    let help = bin().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes: 0 done; 1 some files"));
    // 3: another process holds the index writer lock while a change waits.
    tb.write("b.md", "# B\n\nBeta.");
    let lock = tb.index.path().join(".tantivy-writer.lock");
    let mut holder = std::process::Command::new("flock").arg(&lock).args(["sleep", "30"]).spawn().unwrap();
    crate::common::wait_until("flock(1) holds the writer lock", || {
        std::process::Command::new("flock").arg("-n").arg(&lock).arg("true").status().is_ok_and(|s| !s.success())
    });
    let locked = index(&tb);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(locked.status.code(), Some(3), "{}", String::from_utf8_lossy(&locked.stderr));
    assert!(String::from_utf8_lossy(&locked.stderr).contains("being updated by another"));
    // 4: a damaged index.
    std::fs::write(tb.index.path().join("meta.json"), b"{ not json").unwrap();
    let out = bin().args(["search", "--index"]).arg(tb.index.path()).arg("alpha").output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn extract_prints_text_or_a_reason() {
    let out = bin().arg("extract").arg(fixtures().join("md/front-yaml.md")).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("sähkökatkos"));
    let tb = TempBank::new();
    let empty = tb.write("empty.pdf", "");
    let out = bin().arg("extract").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a file that cannot be read");
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
}

/// `extract` over every tricky PDF ends (no panic, no hang) with text or a one-line reason.
#[test]
#[ignore = "needs ../shared"]
fn extract_survives_the_tricky_folder() {
    let shared = shared_dir("pdf/tricky");
    for entry in std::fs::read_dir(shared.join("pdf/tricky")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("pdf") {
            continue;
        }
        let out = bin().arg("extract").arg(&path).output().unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0) | Some(1)), "{}: ended with {:?} (a crash?)", path.display(), out.status);
        if code == Some(1) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.trim().lines().count(), 1, "{}: {stderr}", path.display());
        }
    }
}

#[test]
fn help_explains_the_commands() {
    let out = bin().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["index", "search", "extract", "serve"] {
        assert!(help.contains(command), "{help}");
    }
}

/// Runs `tietopankki index` on a bank and returns its stdout; the run ends
/// with 0, or 1 when some files failed (the banks here hold such files).
fn index_output(tb: &TempBank) -> String {
    let out =
        bin().args(["index", "--documents"]).arg(tb.docs.path()).arg("--index").arg(tb.index.path()).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn file_names_cannot_forge_report_lines_or_drive_the_terminal() {
    let tb = TempBank::new();
    // Empty files fail, so their names are printed in "failed:" lines.
    tb.write("a\n  failed: forged.md: fake reason.md", "");
    tb.write("clear\x1b[2Jscreen.md", "");
    tb.write("title.md", "---\ntitle: \"Evil\\u001b]0;owned\\u0007 title\"\n---\nA document about umbrellas.");
    let report = index_output(&tb);
    assert!(!report.contains('\x1b'), "an escape reached the terminal: {report:?}");
    let failed: Vec<&str> = report.lines().filter(|l| l.trim_start().starts_with("failed:")).collect();
    assert_eq!(failed.len(), 2, "one line per failed file, none forged: {report}");
    assert!(report.contains("a\\u{a}  failed: forged.md"), "{report}");
    assert!(report.contains("clear\\u{1b}[2Jscreen.md"), "{report}");

    let out = bin().args(["search", "--index"]).arg(tb.index.path()).arg("umbrellas").output().unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("Evil\\u{1b}]0;owned\\u{7} title"), "{shown}");
    assert!(!shown.contains('\x1b') && !shown.contains('\x07'), "{shown:?}");
}

#[cfg(unix)]
#[test]
fn entries_that_cannot_be_read_are_each_one_report_line() {
    use std::os::unix::ffi::OsStrExt;
    let tb = TempBank::new();
    tb.write("good.md", "# Good\n\nA readable document.");
    let outside = crate::common::tempdir();
    std::fs::write(outside.path().join("secret.md"), "# Secret\n\nOutside.").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), tb.docs.path().join("link-out.md")).unwrap();
    std::os::unix::fs::symlink(tb.docs.path().join("nowhere.md"), tb.docs.path().join("dangling.md")).unwrap();
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(tb.docs.path().join(latin1), "# Cafe\n\nA name in Latin-1.").unwrap();
    let fifo = tb.docs.path().join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let socket_path = tb.docs.path().join("socket.md");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();

    let report = index_output(&tb);
    assert!(report.starts_with("1 added"), "{report}");
    let skipped: Vec<&str> = report.lines().filter(|l| l.trim_start().starts_with("skipped:")).collect();
    let expected = 4 + usize::from(made);
    assert_eq!(skipped.len(), expected, "{report}");
    for (name, reason) in [
        ("link-out.md", "outside the documents folder"),
        ("dangling.md", "target does not exist"),
        ("caf\u{fffd}.md", "not valid UTF-8"),
        ("socket.md", "not a regular file"),
    ] {
        assert!(skipped.iter().any(|l| l.ends_with(name) && l.contains(reason)), "{name}: {report}");
    }
    if made {
        assert!(skipped.iter().any(|l| l.ends_with("pipe.md") && l.contains("not a regular file")), "{report}");
    }
}
