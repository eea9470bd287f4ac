//! The whole shared corpus: every document indexed in the language of its folder.

use tietopankki::KnowledgeBank;

use crate::common::{shared_dir, tempdir};

#[test]
#[ignore = "needs ../shared"]
fn every_corpus_document_is_indexed_in_its_folder_language() {
    let shared = shared_dir("corpus/docs");
    let docs = shared.join("corpus/docs");
    let index = tempdir();
    let bank = KnowledgeBank::builder().documents_dir(&docs).index_dir(index.path()).open().unwrap();
    let report = bank.sync().unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let on_disk = walkdir::WalkDir::new(&docs)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && tietopankki::Format::from_path(e.path()).is_some())
        .count();
    let documents = bank.documents().unwrap();
    assert_eq!(documents.len(), on_disk);
    assert_eq!(report.added, on_disk);
    let wrong: Vec<String> = documents
        .iter()
        .filter(|d| d.path.split('/').next() != Some(d.lang.code()))
        .map(|d| format!("{} detected as {}", d.path, d.lang))
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
    let again = bank.sync().unwrap();
    assert_eq!(again.unchanged, on_disk);
    assert!(!again.changed_anything());
}
