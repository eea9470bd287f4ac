//! Tests of the folder watcher.

use super::*;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn a_written_file_triggers_once_settled() {
    let dir = tempdir();
    let (tx, rx) = mpsc::channel();
    let options = WatchOptions { rescan: None, ..WatchOptions::default() };
    let watcher = FolderWatcher::start(dir.path(), options, move |t| {
        let _ = tx.send(t);
    })
    .unwrap_or_else(|e| panic!("start: {e}"));
    assert!(watcher.has_events());
    let file = dir.path().join("new.md");
    std::fs::write(&file, "# New\n").unwrap_or_else(|e| panic!("write: {e}"));
    // Ignored names do not count.
    std::fs::write(dir.path().join(".hidden.md"), "x").unwrap_or_else(|e| panic!("write: {e}"));
    match rx.recv_timeout(Duration::from_secs(3)) {
        Ok(Trigger::Changed(paths)) => {
            assert!(paths.iter().any(|p| p.ends_with("new.md")), "{paths:?}");
            assert!(!paths.iter().any(|p| p.ends_with(".hidden.md")), "{paths:?}");
        }
        other => panic!("expected a change, got {other:?}"),
    }
    watcher.stop();
}

#[test]
fn rescan_fires_periodically() {
    let dir = tempdir();
    let (tx, rx) = mpsc::channel();
    let options = WatchOptions { rescan: Some(Duration::from_millis(200)), ..WatchOptions::default() };
    let watcher = FolderWatcher::start(dir.path(), options, move |t| {
        let _ = tx.send(t);
    })
    .unwrap_or_else(|e| panic!("start: {e}"));
    assert_eq!(rx.recv_timeout(Duration::from_secs(3)).ok(), Some(Trigger::Rescan));
    assert_eq!(rx.recv_timeout(Duration::from_secs(3)).ok(), Some(Trigger::Rescan));
    watcher.stop();
}

#[test]
fn a_growing_file_is_not_stable() {
    let dir = tempdir();
    let file = dir.path().join("growing.txt");
    std::fs::write(&file, "start\n").unwrap_or_else(|e| panic!("write: {e}"));
    let writer_path = file.clone();
    let writer = std::thread::spawn(move || {
        for i in 0..10 {
            std::thread::sleep(Duration::from_millis(40));
            let mut text = std::fs::read_to_string(&writer_path).unwrap_or_default();
            text.push_str(&format!("line {i}\n"));
            let _ = std::fs::write(&writer_path, text);
        }
    });
    let stable = wait_until_stable(dir.path(), std::slice::from_ref(&file), Duration::from_millis(100), Duration::ZERO);
    assert!(!stable, "a file written to meanwhile is not stable");
    let _ = writer.join();
    assert!(wait_until_stable(dir.path(), &[file], Duration::from_millis(100), Duration::from_secs(5)));
    assert!(!dir.path().join("missing.md").exists());
    assert!(wait_until_stable(dir.path(), &[dir.path().join("missing.md")], Duration::from_millis(50), Duration::ZERO));
}

#[test]
fn failed_event_setup_is_retried_soon_then_less_often() {
    assert_eq!(retry_delay(1), Duration::from_millis(250));
    assert_eq!(retry_delay(2), Duration::from_millis(500));
    assert_eq!(retry_delay(5), Duration::from_secs(4));
    assert_eq!(retry_delay(50), RETRY_ARM);
}

#[test]
fn a_folder_replaced_between_two_looks_is_watched_again() {
    let parent = tempdir();
    let dir = parent.path().join("documents");
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let (tx, rx) = mpsc::channel();
    // Looks far apart: `rm -rf documents && mkdir documents` falls between two.
    let options = WatchOptions { rescan: None, check: Duration::from_millis(700), ..WatchOptions::default() };
    let watcher = FolderWatcher::start(&dir, options, move |t| {
        let _ = tx.send(t);
    })
    .unwrap_or_else(|e| panic!("start: {e}"));
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("rm: {e}"));
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    // Whatever the inode of the new folder, a full look comes and then events again.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut rescanned = false;
    while !rescanned && Instant::now() < deadline {
        rescanned = rx.recv_timeout(Duration::from_millis(200)).ok() == Some(Trigger::Rescan);
    }
    assert!(rescanned, "no full look after the folder was replaced");
    assert!(eventually(|| watcher.is_watching()), "the new folder is not watched");
    std::fs::write(dir.join("new.md"), "# New\n").unwrap_or_else(|e| panic!("write: {e}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = false;
    while !seen && Instant::now() < deadline {
        if let Ok(Trigger::Changed(paths)) = rx.recv_timeout(Duration::from_millis(200)) {
            seen = paths.iter().any(|p| p.ends_with("new.md"));
        }
    }
    assert!(seen, "a file in the replaced folder raised no event");
    watcher.stop();
}

#[test]
fn missing_folder_is_an_error() {
    let dir = tempdir();
    assert!(FolderWatcher::start(dir.path().join("nope"), WatchOptions::default(), |_| {}).is_err());
}

/// Waits up to 10 s (a loaded CI machine) for `condition`.
fn eventually(condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_replaced_folder_is_watched_again() {
    let parent = tempdir();
    let dir = parent.path().join("documents");
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let (tx, rx) = mpsc::channel();
    let options = WatchOptions { rescan: None, check: Duration::from_millis(100), ..WatchOptions::default() };
    let watcher = FolderWatcher::start(&dir, options, move |t| {
        let _ = tx.send(t);
    })
    .unwrap_or_else(|e| panic!("start: {e}"));
    assert!(watcher.is_watching());

    // `rm -rf documents`: no events can come, and the watcher says so.
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("rm: {e}"));
    assert!(eventually(|| !watcher.is_watching()), "still claims to watch a removed folder");
    while rx.try_recv().is_ok() {}

    // `mkdir documents`: watched again, and a full look is due.
    std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    assert!(eventually(|| watcher.is_watching()), "the new folder is not watched");
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).ok(), Some(Trigger::Rescan));

    // A file dropped into the new folder is an event again, not a wait for a re-scan.
    std::fs::write(dir.join("new.md"), "# New\n").unwrap_or_else(|e| panic!("write: {e}"));
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Trigger::Changed(paths)) => assert!(paths.iter().any(|p| p.ends_with("new.md")), "{paths:?}"),
        other => panic!("expected a change in the new folder, got {other:?}"),
    }
    watcher.stop();
}
