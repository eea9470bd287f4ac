//! Dates (issue #17): where each hit's date comes from, newest first, the
//! date range and the year facet.

use tietopankki::{DateSource, Error, SearchRequest};

use crate::common::TempBank;

/// A bank of three dated Markdown files and one undated text file.
fn dated_bank() -> (TempBank, tietopankki::KnowledgeBank) {
    let tb = TempBank::new();
    for (name, date) in [("vanha", "2023-05-01"), ("keski", "2024-02-10"), ("uusi", "2025-09-30")] {
        tb.write(
            &format!("fi/{name}.md"),
            format!("---\ntitle: Avustusohje {name}\ndate: {date}\n---\nAvustuksen hakeminen ja raportointi.\n"),
        );
    }
    tb.write("fi/muistio.txt", "Avustuksen raportointi muistiin.\n");
    let bank = tb.open();
    bank.sync().unwrap();
    (tb, bank)
}

fn paths(results: &tietopankki::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.path.as_str()).collect()
}

#[test]
fn each_hit_says_its_date_and_where_it_came_from() {
    let (_tb, bank) = dated_bank();
    let results = bank.search(&SearchRequest::new("avustus").limit(10)).unwrap();
    assert_eq!(results.total, 4);
    for hit in &results.hits {
        let date = hit.date.as_deref().expect("every hit has a date");
        assert_eq!(date.len(), 10, "{date}");
        if hit.path.ends_with(".md") {
            assert_eq!(hit.date_source, DateSource::FrontMatter, "{}", hit.path);
        } else {
            assert_eq!(hit.date_source, DateSource::FileModified, "{}", hit.path);
        }
    }
    let keski = results.hits.iter().find(|h| h.path == "fi/keski.md").unwrap();
    assert_eq!(keski.date.as_deref(), Some("2024-02-10"));
    // The file time's day is the date the range filter uses too.
    let memo = results.hits.iter().find(|h| h.path == "fi/muistio.txt").unwrap();
    let day = memo.date.as_deref();
    let same_day = bank.search(&SearchRequest::new("avustus").dated(day, day)).unwrap();
    assert!(paths(&same_day).contains(&"fi/muistio.txt"), "{:?}", paths(&same_day));
}

#[test]
fn newest_first_and_the_date_range() {
    let (_tb, bank) = dated_bank();
    let newest = bank.search(&SearchRequest::new("avustus").sort_by_date().limit(10)).unwrap();
    let dated: Vec<&str> = paths(&newest).into_iter().filter(|p| p.ends_with(".md")).collect();
    assert_eq!(dated, ["fi/uusi.md", "fi/keski.md", "fi/vanha.md"]);
    let dates: Vec<&str> = newest.hits.iter().filter_map(|h| h.date.as_deref()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");

    // Both ends are days, and both are inside the range.
    let range = bank.search(&SearchRequest::new("avustus").dated(Some("2024-02-10"), Some("2025-09-30"))).unwrap();
    let mut found = paths(&range);
    found.sort();
    assert_eq!(found, ["fi/keski.md", "fi/uusi.md"]);
    assert_eq!(range.total, 2, "the total counts only the documents in the range");
    let before = bank.search(&SearchRequest::new("avustus").dated(None, Some("2023-12-31"))).unwrap();
    assert_eq!(paths(&before), ["fi/vanha.md"]);
    // Paging newest first: the second page goes on where the first ended.
    let second = bank.search(&SearchRequest::new("avustus").sort_by_date().limit(1).offset(1)).unwrap();
    assert_eq!(paths(&second), [paths(&newest)[1]]);
}

#[test]
fn the_year_facet_counts_the_matching_documents_by_year() {
    let (_tb, bank) = dated_bank();
    let results = bank.search(&SearchRequest::new("avustus").with_facets()).unwrap();
    let years = &results.facets.as_ref().unwrap().year;
    let counts: Vec<(&str, u64)> = years.iter().map(|f| (f.value.as_str(), f.count)).collect();
    assert!(
        counts.contains(&("2025", 1)) && counts.contains(&("2024", 1)) && counts.contains(&("2023", 1)),
        "{counts:?}"
    );
    assert_eq!(counts.iter().map(|c| c.1).sum::<u64>(), 4, "every matching document in one year: {counts:?}");
    let values: Vec<&str> = counts.iter().map(|c| c.0).collect();
    let mut sorted = values.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(values, sorted, "newest year first");
    // Filtered by a year, the facet and the total follow.
    let filtered = bank
        .search(&SearchRequest::new("avustus").with_facets().dated(Some("2024-01-01"), Some("2024-12-31")))
        .unwrap();
    assert_eq!(filtered.total, 1);
    assert_eq!(filtered.facets.unwrap().year, vec![tietopankki::FacetCount { value: "2024".into(), count: 1 }]);
}

#[test]
fn a_day_that_is_not_a_day_is_an_invalid_request() {
    let (_tb, bank) = dated_bank();
    for bad in ["2024-13-01", "2024-1-1", "eilen", "2024-02-10T10:00"] {
        match bank.search(&SearchRequest::new("avustus").dated(Some(bad), None)) {
            Err(Error::InvalidRequest(message)) => assert!(message.contains("'from'"), "{message}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}
