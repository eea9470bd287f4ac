//! Stage 4: incremental sync, removal, ignored files, failures.

use std::time::{Duration, SystemTime};

use tietopankki::{Error, KnowledgeBank};

use crate::common::{hit_paths, TempBank};

fn touch(path: &std::path::Path) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
}

#[test]
fn sync_is_incremental() {
    let tb = TempBank::new();
    tb.write("fi/kotivara.md", "# Kotivara\n\nKotivaraan kuuluu vettä, ruokaa ja lääkkeitä.");
    let sv = tb.write("sv/hemberedskap.md", "# Hemberedskap\n\nHemberedskap betyder att klara sig själv i tre dygn.");
    tb.write("en/outage.txt", "Power outage\nKeep a torch and a battery radio at home.");
    let bank = tb.open();

    let first = bank.sync().unwrap();
    assert_eq!((first.added, first.updated, first.removed, first.unchanged), (3, 0, 0, 0));
    assert!(first.failed.is_empty());

    let second = bank.sync().unwrap();
    assert_eq!((second.added, second.updated, second.removed, second.unchanged), (0, 0, 0, 3));

    touch(&sv);
    let third = bank.sync().unwrap();
    assert_eq!((third.added, third.updated, third.removed, third.unchanged), (0, 1, 0, 2));

    std::fs::remove_file(tb.docs.path().join("en/outage.txt")).unwrap();
    let fourth = bank.sync().unwrap();
    assert_eq!((fourth.added, fourth.updated, fourth.removed, fourth.unchanged), (0, 0, 1, 2));
    assert!(hit_paths(&bank, "torch radio").is_empty());
    assert_eq!(bank.status().unwrap().documents, 2);
}

#[test]
fn changed_content_replaces_the_old_version() {
    let tb = TempBank::new();
    let path = tb.write("note.md", "# Note\n\nThe meeting is about bicycles.");
    let bank = tb.open();
    bank.sync().unwrap();
    assert_eq!(hit_paths(&bank, "bicycles"), vec!["note.md"]);
    std::fs::write(&path, "# Note\n\nThe meeting is about umbrellas now.").unwrap();
    touch(&path);
    let report = bank.sync().unwrap();
    assert_eq!(report.updated, 1);
    assert!(hit_paths(&bank, "bicycles").is_empty());
    assert_eq!(hit_paths(&bank, "umbrellas"), vec!["note.md"]);
    assert_eq!(bank.status().unwrap().documents, 1, "no duplicate after an update");
}

#[test]
fn hidden_temp_and_foreign_files_are_ignored() {
    let tb = TempBank::new();
    tb.write("ok.md", "# Fine\n\nA normal document.");
    tb.write(".hidden.md", "# Hidden\n\nsecret");
    tb.write(".git/config.md", "# Git\n\nsecret");
    tb.write("~$draft.md", "secret");
    tb.write(".#lock.md", "secret");
    tb.write("notes.md.swp", "secret");
    tb.write("download.pdf.part", "secret");
    tb.write("image.png", "secret");
    let outside = crate::common::tempdir();
    std::fs::write(outside.path().join("outside.md"), "# Outside\n\nsecret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("outside.md"), tb.docs.path().join("link-out.md")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tb.docs.path().join("ok.md"), tb.docs.path().join("link-in.md")).unwrap();
    let bank = tb.open();
    let report = bank.sync().unwrap();
    let paths: Vec<String> = bank.documents().unwrap().into_iter().map(|d| d.path).collect();
    #[cfg(unix)]
    assert_eq!(paths, vec!["link-in.md", "ok.md"]);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(hit_paths(&bank, "secret").is_empty());
}

#[test]
fn broken_files_are_reported_not_fatal_and_not_retried() {
    let tb = TempBank::new();
    tb.write("good.md", "# Good\n\nReadable text about volunteering.");
    tb.write("broken.pdf", b"%PDF-1.4\n1 0 obj <<");
    tb.write("empty.pdf", b"");
    tb.write("renamed.pdf", "# Not a PDF at all");
    let bank = tb.open();
    let report = bank.sync().unwrap();
    assert_eq!(report.added, 1);
    let mut failed: Vec<(String, String)> = report.failed.iter().map(|f| (f.path.clone(), f.reason.clone())).collect();
    failed.sort();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(failed[1], ("empty.pdf".to_string(), "the file is empty (0 bytes)".to_string()));
    assert!(failed[2].1.contains("not a PDF"), "{failed:?}");
    // Unchanged broken files are reported again without work, and stay in the status.
    let again = bank.sync().unwrap();
    assert_eq!(again.failed.len(), 3);
    assert_eq!(again.added + again.updated, 0);
    assert_eq!(bank.status().unwrap().failed.len(), 3);
}

#[test]
fn a_failed_update_keeps_the_previous_version() {
    let tb = TempBank::new();
    let path = tb.write("guide.txt", "Guide to evacuation drills.");
    let bank = tb.open();
    bank.sync().unwrap();
    std::fs::write(&path, [0u8, 159, 146, 150, 0, 0]).unwrap();
    touch(&path);
    let report = bank.sync().unwrap();
    assert_eq!(report.failed.len(), 1);
    assert_eq!(hit_paths(&bank, "evacuation"), vec!["guide.txt"], "the old version stays searchable");
}

#[test]
fn missing_documents_folder_is_fatal() {
    let index = crate::common::tempdir();
    let bank = KnowledgeBank::builder().documents_dir("/nonexistent/folder").index_dir(index.path()).open().unwrap();
    assert!(matches!(bank.sync(), Err(Error::DocumentsNotFound(_))));
}

#[test]
fn documents_record_metadata() {
    let tb = TempBank::new();
    tb.write("fi/ohje.md", "---\ntitle: Ohje\ntags: [Kriisi, koti]\ndate: 2025-05-01\n---\n# Alku\n\nTämä on suomenkielinen ohje kotivarasta ja sähkökatkoista.");
    let bank = tb.open();
    bank.sync().unwrap();
    let doc = bank.document("fi/ohje.md").unwrap();
    assert_eq!(doc.title, "Ohje");
    assert_eq!(doc.lang, tietopankki::Lang::Fi);
    assert_eq!(doc.tags, vec!["koti", "kriisi"]);
    assert_eq!(doc.date.as_deref(), Some("2025-05-01"));
    assert_eq!(doc.headings, vec!["Alku"]);
    assert!(doc.text.unwrap().contains("kotivarasta"));
    assert!(matches!(bank.document("nope.md"), Err(Error::NotFound(_))));
}

#[test]
fn reopening_keeps_the_index() {
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nPersistence matters.");
    {
        let bank = tb.open();
        bank.sync().unwrap();
    }
    let bank = tb.open();
    assert_eq!(hit_paths(&bank, "persistence"), vec!["a.md"]);
    assert_eq!(bank.sync().unwrap().unchanged, 1);
}

#[test]
fn an_index_from_a_newer_version_is_refused_not_wiped() {
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nKept safe.");
    tb.open().sync().unwrap();
    // Pretend a newer tietopankki wrote the last commit.
    let meta_path = tb.index.path().join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let newer = format!("\\\"schema_version\\\":{}", tietopankki::SCHEMA_VERSION + 1);
    let current = format!("\\\"schema_version\\\":{}", tietopankki::SCHEMA_VERSION);
    assert!(meta.contains(&current), "{meta}");
    std::fs::write(&meta_path, meta.replace(&current, &newer)).unwrap();
    let opened = KnowledgeBank::builder().documents_dir(tb.docs.path()).index_dir(tb.index.path()).open();
    assert!(matches!(opened, Err(Error::SchemaMismatch { .. })));
    assert!(std::fs::read_dir(tb.index.path()).unwrap().count() > 2, "the index files are still there");
}

/// The modification time of a file, to copy it onto another the way
/// `cp -p`, `rsync -a`, tar and unzip do.
fn mtime_of(path: &std::path::Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_mtime(path: &std::path::Path, time: SystemTime) {
    std::fs::File::options().write(true).open(path).unwrap().set_modified(time).unwrap();
}

/// Writes `old` as an hour-old file, syncs, and checks it is searchable.
fn bank_with_an_old_file(old: &str) -> (TempBank, KnowledgeBank, std::path::PathBuf, SystemTime) {
    let tb = TempBank::new();
    let path = tb.write("minutes.md", old);
    let kept = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&path, kept);
    let bank = tb.open();
    assert_eq!(bank.sync().unwrap().added, 1);
    assert_eq!(hit_paths(&bank, "bicycles"), vec!["minutes.md"]);
    (tb, bank, path, kept)
}

const OLD_TEXT: &str = "# Minutes\n\nThe meeting decided on bicycles.";
const NEW_TEXT: &str = "# Minutes\n\nThe meeting decided on umbrellas";

fn assert_new_version_is_searched(bank: &KnowledgeBank) {
    let report = bank.sync().unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 0), "the changed file was missed: {report:?}");
    assert!(hit_paths(bank, "bicycles").is_empty(), "the old text is still searched");
    assert_eq!(hit_paths(bank, "umbrellas"), vec!["minutes.md"]);
}

#[test]
fn a_file_rewritten_in_place_with_its_size_and_time_kept_is_seen_as_changed() {
    // `cp -p new minutes.md`: the same inode, the same size and mtime.
    assert_eq!(OLD_TEXT.len(), NEW_TEXT.len());
    let (_tb, bank, path, kept) = bank_with_an_old_file(OLD_TEXT);
    std::fs::write(&path, NEW_TEXT).unwrap();
    set_mtime(&path, kept);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), OLD_TEXT.len() as u64);
    assert_eq!(mtime_of(&path), kept);
    assert_new_version_is_searched(&bank);
}

#[test]
fn a_file_renamed_over_with_its_size_and_time_kept_is_seen_as_changed() {
    // `rsync -a`, tar, unzip and editors write a temporary file and rename
    // it over the old one, with the old size and time.
    let (tb, bank, path, kept) = bank_with_an_old_file(OLD_TEXT);
    let temp = tb.docs.path().join(".minutes.md.rsync-tmp");
    std::fs::write(&temp, NEW_TEXT).unwrap();
    set_mtime(&temp, kept);
    std::fs::rename(&temp, &path).unwrap();
    assert_eq!(mtime_of(&path), kept);
    assert_new_version_is_searched(&bank);
}

#[test]
fn an_unchanged_file_stays_unchanged_after_a_sync_right_after_writing() {
    // Files written just before a sync have their content hash checked by
    // the next one; unchanged content is still no work.
    let tb = TempBank::new();
    tb.write("a.md", "# A\n\nJust written.");
    let bank = tb.open();
    assert_eq!(bank.sync().unwrap().added, 1);
    for _ in 0..2 {
        let again = bank.sync().unwrap();
        assert_eq!((again.updated, again.unchanged), (0, 1), "{again:?}");
    }
}

/// An index written by the previous schema version (10, before the OCR
/// fields; `tests/fixtures/index-schema-10`, made by that version's
/// `tietopankki index` from one document, "vanha.md") is rebuilt on open:
/// its files go, the new version's index takes their place, and nothing
/// else in the folder is touched (the OCR cache, a file of the user's).
#[test]
fn an_index_of_the_previous_schema_is_rebuilt_and_nothing_else_is_touched() {
    let tb = TempBank::new();
    crate::common::copy_tree(&crate::common::fixtures().join("index-schema-10"), tb.index.path());
    let meta = std::fs::read_to_string(tb.index.path().join("meta.json")).unwrap();
    assert!(meta.contains("\\\"schema_version\\\":10"), "the fixture is of schema 10: {meta}");
    let old_segment = tb.index.path().join("e2c67a339671450daf81050008f71ec2.store");
    assert!(old_segment.exists());
    let cache = tb.index.path().join("ocr-cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("00000000000000aa.json"), "{}").unwrap();
    std::fs::write(tb.index.path().join("LUEMINUT.txt"), "ylläpitäjän muistiinpano").unwrap();

    tb.write("uusi.md", "# Uusi\n\nUuden version teksti.\n");
    let bank = tb.open();
    assert_eq!(bank.status().unwrap().documents, 0, "the old documents are gone with the old schema");
    assert!(!old_segment.exists(), "the old segment files are removed");
    assert_eq!(bank.sync().unwrap().added, 1);
    assert_eq!(hit_paths(&bank, "uuden"), vec!["uusi.md"]);
    assert!(hit_paths(&bank, "vanhan").is_empty());
    let meta = std::fs::read_to_string(tb.index.path().join("meta.json")).unwrap();
    assert!(meta.contains(&format!("\\\"schema_version\\\":{}", tietopankki::SCHEMA_VERSION)), "{meta}");
    assert!(cache.join("00000000000000aa.json").exists(), "the OCR cache is kept");
    assert!(tb.index.path().join("LUEMINUT.txt").exists(), "other files are kept");
}
