//! Related documents (issue #17): documents on the same subject, in any
//! language, from a document's distinctive words.

use std::collections::HashMap;

use crate::common::{shared_dir, TempBank};

#[test]
fn related_documents_share_the_subject_and_never_the_document_itself() {
    let tb = TempBank::new();
    tb.write("fi/avustus.md", "# Avustuksen haku\n\nAvustushakemus, avustuksen käyttö ja avustuksen raportointi. Avustus haetaan keväällä ja raportti palautetaan.\n");
    tb.write(
        "fi/raportti.md",
        "# Avustuksen raportointi\n\nRaportointi avustuksen käytöstä: avustus, tilinpäätös ja raportti.\n",
    );
    tb.write("fi/tilat.md", "# Tilavaraukset\n\nKokoustilan varaus, avaimet ja tilan siivous.\n");
    tb.write(
        "sv/bidrag.md",
        "# Bidrag\n\nAnsökan om bidrag och redovisning av bidraget: verksamhetsbidrag och rapport.\n",
    );
    let bank = tb.open();
    bank.sync().unwrap();
    let related = bank.related("fi/avustus.md", 5).unwrap();
    let paths: Vec<&str> = related.iter().map(|h| h.path.as_str()).collect();
    // The Swedish grant document through the translated concepts, the
    // Finnish one through the words themselves.
    assert!(paths.contains(&"sv/bidrag.md") && paths.contains(&"fi/raportti.md"), "{paths:?}");
    assert!(!paths.contains(&"fi/avustus.md"), "never the document itself: {paths:?}");
    assert!(!paths.contains(&"fi/tilat.md"), "not a document on another subject: {paths:?}");
    assert!(related.len() <= 5);
    assert!(matches!(bank.related("fi/puuttuu.md", 5), Err(tietopankki::Error::NotFound(_))));
}

#[test]
#[ignore = "needs ../shared"]
fn related_documents_of_the_shared_corpus_are_mostly_on_the_same_topic() {
    let shared = shared_dir("corpus/docs");
    let corpus = shared.join("corpus");
    let mut topic: HashMap<String, String> = HashMap::new();
    for lang in ["fi", "sv", "en"] {
        let manifest = std::fs::read_to_string(corpus.join(format!("manifest-{lang}.tsv"))).unwrap();
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            topic.insert(cols[0].to_string(), cols[1].to_string());
        }
    }
    let tb = TempBank::new();
    crate::common::copy_tree(&corpus.join("docs"), tb.docs.path());
    let bank = tb.open();
    bank.sync().unwrap();
    let id = |path: &str| path.rsplit_once('.').map_or(path, |(stem, _)| stem).to_string();
    let mut size: HashMap<&str, usize> = HashMap::new();
    for t in topic.values() {
        *size.entry(t.as_str()).or_default() += 1;
    }
    // Of the first k related, with k the topic's other documents (at most
    // 5): how many are on the same topic; and the share of all five.
    let (mut same_k, mut all_k, mut same, mut all, mut other_lang) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for document in bank.documents().unwrap() {
        let Some(own) = topic.get(&id(&document.path)) else { continue };
        let k = (size[own.as_str()] - 1).min(5);
        for (rank, hit) in bank.related(&document.path, 5).unwrap().iter().enumerate() {
            let on_topic = topic.get(&id(&hit.path)) == Some(own);
            all += 1;
            same += usize::from(on_topic);
            if rank < k {
                all_k += 1;
                same_k += usize::from(on_topic);
            }
            other_lang += usize::from(hit.lang != document.lang);
        }
    }
    let precision = same_k as f64 / all_k.max(1) as f64;
    println!(
        "related: {all} listed, {same} on the same topic ({:.1} %); of the first k (k = the topic's other documents, at most 5): {same_k} of {all_k} ({:.1} %); {other_lang} in another language",
        100.0 * same as f64 / all.max(1) as f64,
        precision * 100.0
    );
    assert!(all_k > 0 && precision >= 0.5, "{same_k} of {all_k} on the same topic");
    assert!(other_lang > 0, "related documents come in other languages too");
}
