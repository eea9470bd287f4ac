//! The ranking rules of the search stage, each on a small bank built for it:
//! the ways a person types a word do not change what comes first.

use tietopankki::{EvidenceKind, KnowledgeBank, SearchRequest};

use crate::common::{hit_paths, TempBank};

/// A small Finnish, Swedish and English bank where the rare words and the
/// common ones are in different documents.
fn bank() -> (TempBank, KnowledgeBank) {
    let tb = TempBank::new();
    let files = [
        (
            "fi/sahkokatko.md",
            "# Sähkökatkon aikana\n\nPitkän sähkökatkon aikana kerhotila voi toimia lämpimänä paikkana. Sähkökatko voi kestää päiviä.",
        ),
        (
            "fi/varautuminen.md",
            "# Varautuminen\n\nSähkökatko ja vesikatko ovat tavallisia häiriöitä. Kotivara auttaa niiden aikana.",
        ),
        (
            "fi/tilat.md",
            "# Tilavaraukset\n\nKokoustilan voi varata tapahtuman ajaksi. Kokouksen aikana tila on yhdistyksen käytössä. Aikana, jona tila on suljettu, avain palautetaan. Varauksen aikana siivous kuuluu varaajalle.",
        ),
        (
            "fi/paivakoti.md",
            "# Päiväkodin retki\n\nPäiväkodin lapset lähtevät retkelle. Retkellä tarvitaan säänmukaiset vaatteet.",
        ),
        (
            "fi/saa.md",
            "# Sää ja ulkoilu\n\nSää vaihtelee, joten retkellä tarvitaan hyvät vaatteet. Huono sää ei estä ulkoilua.",
        ),
        (
            "fi/saada.md",
            "# Avustusta saa hakea\n\nYhdistys saa hakea avustusta. Avustusta saa käyttää toimintaan, ja saa sitä hakea uudelleen. Tukea saa myös kaupungilta.",
        ),
        (
            "sv/raddning.md",
            "# Frivilliga räddningstjänsten\n\nDen frivilliga räddningstjänsten hjälper vid sökningar. Frivilliga räddningstjänsten utbildar medlemmar.",
        ),
        (
            "sv/frivilliga.md",
            "# Frivilliga i föreningen\n\nFrivilliga gör mycket för föreningen. Räddningstjänsten kan kallas vid brand.",
        ),
        (
            "en/accessibility.md",
            "# Accessible events\n\nAn accessible venue has step-free entrances and an induction loop. Check the venue before booking.",
        ),
        (
            "en/events.md",
            "# Events\n\nEvents need a venue, a date and volunteers. The event budget covers the venue.",
        ),
        (
            "en/volunteering.md",
            "# Volunteering\n\nVolunteers help at events. Thank the volunteers after the event.",
        ),
    ];
    for (path, text) in files {
        tb.write(path, text);
    }
    let bank = tb.open();
    bank.sync().unwrap();
    (tb, bank)
}

fn ranking(bank: &KnowledgeBank, query: &str) -> Vec<String> {
    hit_paths(bank, query)
}

#[test]
fn a_word_typed_without_umlauts_ranks_as_typed_with_them() {
    let (_tb, bank) = bank();
    for (with, without) in [
        ("sähkökatkon aikana", "sahkokatkon aikana"),
        ("sähkökatko", "sahkokatko"),
        ("räddningstjänsten frivilliga", "raddningstjansten frivilliga"),
    ] {
        let expected = ranking(&bank, with);
        assert!(!expected.is_empty(), "'{with}' finds nothing");
        assert_eq!(ranking(&bank, without), expected, "'{without}' ranks differently from '{with}'");
    }
    // The rare word decides, not the common "aikana" typed correctly.
    assert_eq!(ranking(&bank, "sahkokatkon aikana")[0], "fi/sahkokatko.md");
}

/// Paths and scores, best first.
fn scored(bank: &KnowledgeBank, query: &str) -> Vec<(String, f32)> {
    bank.search(&SearchRequest::new(query).limit(20)).unwrap().hits.into_iter().map(|h| (h.path, h.score)).collect()
}

#[test]
fn typed_without_umlauts_the_scores_are_the_same_too() {
    let (_tb, bank) = bank();
    // The language preference, a near form ("sähkökatkoksen" is not in the
    // bank, "sähkökatko" is), stop words typed without their letters, and
    // the parts of a compound.
    for (with, without) in [
        ("sähkökatkon", "sahkokatkon"),
        ("sähkökatkoksen", "sahkokatkoksen"),
        ("mitä sähkökatkon aikana", "mita sahkokatkon aikana"),
        ("räddningstjänsten på", "raddningstjansten pa"),
        // A compound typed whole, its parts apart in the text.
        ("frivilligräddningstjänsten", "frivilligraddningstjansten"),
    ] {
        let expected = scored(&bank, with);
        assert!(!expected.is_empty(), "'{with}' finds nothing");
        let got = scored(&bank, without);
        assert_eq!(got.len(), expected.len(), "'{without}': {got:?}, '{with}': {expected:?}");
        for ((path, score), (want_path, want_score)) in got.iter().zip(&expected) {
            assert_eq!(path, want_path, "'{without}': {got:?}, '{with}': {expected:?}");
            assert!((score - want_score).abs() < 1e-3, "'{without}': {got:?}, '{with}': {expected:?}");
        }
    }
}

#[test]
fn a_phrase_typed_without_umlauts_finds_what_it_finds_with_them() {
    let (_tb, bank) = bank();
    let with = ranking(&bank, "\"frivilliga räddningstjänsten\"");
    assert_eq!(with.first().map(String::as_str), Some("sv/raddning.md"), "{with:?}");
    assert_eq!(ranking(&bank, "\"frivilliga raddningstjansten\""), with);
}

#[test]
fn reversing_the_words_keeps_the_ranking() {
    let (_tb, bank) = bank();
    for query in ["accessible venue", "sähkökatkon aikana", "frivilliga räddningstjänsten", "volunteers event venue"]
    {
        let reversed: Vec<&str> = query.split_whitespace().rev().collect();
        let reversed = reversed.join(" ");
        let expected = ranking(&bank, query);
        assert!(!expected.is_empty(), "'{query}' finds nothing");
        assert_eq!(ranking(&bank, &reversed), expected, "'{reversed}' ranks differently from '{query}'");
    }
}

#[test]
fn a_stop_word_does_not_change_the_top_hit() {
    let (_tb, bank) = bank();
    for (plain, with_stop_word) in [
        ("accessible venue", "the accessible venue"),
        ("accessible venue", "an accessible venue for"),
        ("sähkökatko", "sähkökatko ja"),
        ("frivilliga räddningstjänsten", "den frivilliga räddningstjänsten"),
    ] {
        let top = ranking(&bank, plain);
        let other = ranking(&bank, with_stop_word);
        assert!(!top.is_empty(), "'{plain}' finds nothing");
        assert_eq!(other.first(), top.first(), "'{with_stop_word}' has another top hit than '{plain}'");
    }
}

#[test]
fn a_one_letter_typo_in_a_long_word_keeps_the_top_hit() {
    let (_tb, bank) = bank();
    for (right, typo) in [
        ("accessible venue", "accesible venue"),
        ("volunteering", "volunteerimg"),
        ("räddningstjänsten", "räddningstjänstem"),
        ("sähkökatkon", "sähkökatkom"),
    ] {
        let top = ranking(&bank, right);
        assert!(!top.is_empty(), "'{right}' finds nothing");
        assert_eq!(ranking(&bank, typo).first(), top.first(), "'{typo}' has another top hit than '{right}'");
    }
}

#[test]
fn every_meaningful_word_outranks_only_the_most_common_one() {
    let (_tb, bank) = bank();
    // "aikana" stands four times in the room page; "sähkökatkon" never.
    let hits = ranking(&bank, "sähkökatkon aikana");
    let outage = hits.iter().position(|p| p == "fi/sahkokatko.md").unwrap();
    let rooms = hits.iter().position(|p| p == "fi/tilat.md").unwrap();
    assert!(outage < rooms, "{hits:?}");
    // "venue" is in two documents, "accessible" in one; the one with both wins.
    assert_eq!(ranking(&bank, "accessible venue")[0], "en/accessibility.md");
}

#[test]
fn an_ambiguous_folded_word_ranks_the_exact_form_first() {
    let (_tb, bank) = bank();
    // "saa" folds both "sää" (weather) and is itself a form of "saada" (may).
    assert_eq!(ranking(&bank, "sää")[0], "fi/saa.md");
    assert_eq!(ranking(&bank, "saa")[0], "fi/saada.md");
    // Typed without the letters, both readings are kept.
    let folded = ranking(&bank, "saa");
    assert!(folded.contains(&"fi/saa.md".to_string()), "{folded:?}");
}

#[test]
fn explain_names_the_evidence_of_each_word() {
    let (_tb, bank) = bank();
    let results = bank.search(&SearchRequest::new("sahkokatkon aikana").with_explain()).unwrap();
    let top = &results.hits[0];
    let explanation = top.explain.as_ref().expect("explain was asked for");
    assert_eq!(explanation.words.len(), 2);
    let outage = &explanation.words[0];
    assert_eq!(outage.word, "sahkokatkon");
    assert_eq!(outage.kind, Some(EvidenceKind::Restored));
    assert_eq!(outage.matched.as_deref(), Some("sähkökatkon"));
    assert!(outage.contribution > 0.0);
    let total: f32 =
        explanation.words.iter().map(|w| w.contribution).sum::<f32>() + explanation.proximity + explanation.language;
    assert!((total - top.score).abs() < 0.01, "parts {total} do not add up to the score {}", top.score);
    // Without the flag, no explanation is carried.
    let plain = bank.search(&SearchRequest::new("sahkokatkon aikana")).unwrap();
    assert!(!plain.hits.is_empty() && plain.hits.iter().all(|h| h.explain.is_none()));
}

#[test]
fn a_compound_typed_whole_finds_its_parts_standing_apart() {
    let tb = TempBank::new();
    tb.write("fi/keinot.md", "# Viisi tutkittua keinoa lisätä hyvinvointia\n\nLiikunta ja uni tukevat hyvinvointia.");
    tb.write("fi/muu.md", "# Kokous\n\nHallitus kokoontuu kuukausittain.");
    let bank = tb.open();
    bank.sync().unwrap();
    assert_eq!(ranking(&bank, "hyvinvointikeinot"), vec!["fi/keinot.md".to_string()]);
}

#[test]
fn near_forms_are_marked_in_the_snippet() {
    let (_tb, bank) = bank();
    // "sähkökatkoksen" is not in the bank; "Sähkökatko" is, and is what the hit shows.
    for query in ["sähkökatkoksen", "sahkokatkoksen"] {
        let results = bank.search(&SearchRequest::new(query).limit(20)).unwrap();
        let hit = results.hits.iter().find(|h| h.path == "fi/varautuminen.md");
        let hit = hit.unwrap_or_else(|| panic!("'{query}' does not find fi/varautuminen.md: {:?}", results.hits));
        assert!(hit.snippet.contains("<mark>Sähkökatko</mark>"), "{query}: {}", hit.snippet);
    }
}
