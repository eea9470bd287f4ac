//! The web page's words in Finnish, Swedish and English, and choosing among them.

use crate::{Format, Lang};

/// The page's fixed texts in one language.
pub(crate) struct Texts {
    pub site: &'static str,
    pub tagline: &'static str,
    pub heading: &'static str,
    pub skip: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub search_hint: &'static str,
    pub examples: &'static str,
    pub browse: &'static str,
    pub results: &'static str,
    pub no_results: &'static str,
    pub filters: &'static str,
    pub facet_lang: &'static str,
    pub facet_format: &'static str,
    pub facet_tag: &'static str,
    pub facet_folder: &'static str,
    pub remove_filter: &'static str,
    pub clear_filters: &'static str,
    pub pagination: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub choose_language: &'static str,
    pub not_updated: &'static str,
    pub bad_request: &'static str,
    /// Heading of a server fault (HTTP 500).
    pub server_error: &'static str,
    /// What a server fault means for the user.
    pub server_error_text: &'static str,
    /// Heading of a refused address (HTTP 414, 421, 413).
    pub refused: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub back_to_search: &'static str,
    pub api: &'static str,
    pub status: &'static str,
    pub text_format: &'static str,
    pub lang_names: [&'static str; 3],
    pub syncing: &'static str,
    /// Label of a passage read from a scanned page by text recognition.
    pub ocr_label: &'static str,
    /// Its explanation (the label's title).
    pub ocr_note: &'static str,
    /// What the other-languages section is.
    pub other_languages_note: &'static str,
    /// Before the translated terms a hit was found by.
    pub found_via: &'static str,
    /// The link that hides the other-languages section.
    pub other_languages_off: &'static str,
    /// The link that shows it again.
    pub other_languages_on: &'static str,
    /// Heading of the year facet.
    pub facet_year: &'static str,
    /// Label of the choice of order.
    pub sort_label: &'static str,
    /// Best match first.
    pub sort_relevance: &'static str,
    /// Newest first.
    pub sort_date: &'static str,
    /// Before a hit's date.
    pub dated: &'static str,
    /// Before the corrected query.
    pub did_you_mean: &'static str,
    /// The title of the feed of new documents.
    pub feed_title: &'static str,
    /// The heading of the start page's newest documents.
    pub recent: &'static str,
}

const FI: Texts = Texts {
    site: "Tietopankki",
    tagline: "Ohjeet ja asiakirjat suomeksi, ruotsiksi ja englanniksi",
    heading: "Hae tietopankista",
    skip: "Siirry sisältöön",
    search_label: "Hakusanat",
    search_button: "Hae",
    search_hint: "Kirjoita sanat niin kuin ne tulevat mieleen: taivutetut muodot ja sanat ilman ä- ja ö-kirjaimia löytyvät. \"Lainausmerkeissä\" oleva fraasi haetaan sellaisenaan, -sana jättää sanan pois.",
    examples: "Esimerkkejä",
    browse: "Selaa kielen mukaan",
    results: "Tulokset",
    no_results: "Ei osumia. Kokeile toista sanaa tai poista rajauksia.",
    filters: "Rajaa hakua",
    facet_lang: "Kieli",
    facet_format: "Tiedostomuoto",
    facet_tag: "Asiasana",
    facet_folder: "Kansio",
    remove_filter: "poista rajaus",
    clear_filters: "Poista kaikki rajaukset",
    pagination: "Tulossivut",
    previous: "Edellinen",
    next: "Seuraava",
    choose_language: "Valitse kieli",
    not_updated: "ei vielä päivitetty",
    bad_request: "Hakua ei voitu tehdä",
    server_error: "Palvelussa tapahtui virhe",
    server_error_text: "Vika on palvelussa, ei haussasi. Yritä hetken päästä uudelleen; jos virhe toistuu, kerro siitä ylläpitäjälle.",
    refused: "Pyyntöä ei voitu käsitellä",
    not_found: "Sivua ei löytynyt",
    not_found_text: "Osoitteessa ei ole sivua eikä asiakirjaa. Asiakirja on ehkä poistettu tai siirretty.",
    back_to_search: "Takaisin hakuun",
    api: "Rajapinta (JSON)",
    status: "Tila",
    text_format: "teksti",
    lang_names: ["suomi", "ruotsi", "englanti"],
    syncing: "päivitys käynnissä",
    ocr_label: "tekstintunnistus",
    ocr_note: "Teksti on luettu skannatusta sivusta tekstintunnistuksella, ja siinä voi olla virheitä.",
    other_languages_note: "Löytyivät hakusanojen käännöksillä yhdistystoiminnan sanastosta.",
    found_via: "Löytyi sanoilla:",
    other_languages_off: "Piilota muunkieliset tulokset",
    other_languages_on: "Näytä myös muunkieliset tulokset",
    facet_year: "Vuosi",
    sort_label: "Järjestys",
    sort_relevance: "osuvin ensin",
    sort_date: "uusin ensin",
    dated: "Päivätty",
    did_you_mean: "Tarkoititko",
    feed_title: "Tietopankki – uudet ja muuttuneet asiakirjat",
    recent: "Viimeksi lisätyt",
};

const SV: Texts = Texts {
    site: "Kunskapsbanken",
    tagline: "Anvisningar och dokument på finska, svenska och engelska",
    heading: "Sök i kunskapsbanken",
    skip: "Hoppa till innehållet",
    search_label: "Sökord",
    search_button: "Sök",
    search_hint: "Skriv orden som du tänker dem: böjda former och ord utan å, ä och ö hittas. En fras inom \"citattecken\" söks som den är, -ord utesluter ett ord.",
    examples: "Exempel",
    browse: "Bläddra efter språk",
    results: "Träffar",
    no_results: "Inga träffar. Prova ett annat ord eller ta bort filter.",
    filters: "Filtrera",
    facet_lang: "Språk",
    facet_format: "Filformat",
    facet_tag: "Ämnesord",
    facet_folder: "Mapp",
    remove_filter: "ta bort filter",
    clear_filters: "Ta bort alla filter",
    pagination: "Resultatsidor",
    previous: "Föregående",
    next: "Nästa",
    choose_language: "Välj språk",
    not_updated: "inte uppdaterat ännu",
    bad_request: "Sökningen kunde inte göras",
    server_error: "Ett fel uppstod i tjänsten",
    server_error_text: "Felet ligger i tjänsten, inte i din sökning. Försök igen om en stund; om felet upprepas, meddela administratören.",
    refused: "Begäran kunde inte behandlas",
    not_found: "Sidan hittades inte",
    not_found_text: "Det finns ingen sida eller inget dokument på adressen. Dokumentet kan ha tagits bort eller flyttats.",
    back_to_search: "Tillbaka till sökningen",
    api: "Gränssnitt (JSON)",
    status: "Status",
    text_format: "text",
    lang_names: ["finska", "svenska", "engelska"],
    syncing: "uppdatering pågår",
    ocr_label: "textigenkänning",
    ocr_note: "Texten har lästs från en skannad sida med textigenkänning och kan innehålla fel.",
    other_languages_note: "Hittade med sökordens översättningar i föreningsordlistan.",
    found_via: "Hittad med:",
    other_languages_off: "Dölj resultat på andra språk",
    other_languages_on: "Visa även resultat på andra språk",
    facet_year: "År",
    sort_label: "Ordning",
    sort_relevance: "bästa träff först",
    sort_date: "nyaste först",
    dated: "Daterad",
    did_you_mean: "Menade du",
    feed_title: "Kunskapsbanken – nya och ändrade dokument",
    recent: "Senast tillagda",
};

const EN: Texts = Texts {
    site: "Knowledge bank",
    tagline: "Guides and documents in Finnish, Swedish and English",
    heading: "Search the knowledge bank",
    skip: "Skip to content",
    search_label: "Search terms",
    search_button: "Search",
    search_hint: "Type words as they come to mind: inflected forms and words without ä, ö and å are found. A \"quoted phrase\" is searched as written, -word leaves a word out.",
    examples: "Examples",
    browse: "Browse by language",
    results: "Results",
    no_results: "No results. Try another word or remove filters.",
    filters: "Filter results",
    facet_lang: "Language",
    facet_format: "File format",
    facet_tag: "Topic",
    facet_folder: "Folder",
    remove_filter: "remove filter",
    clear_filters: "Clear all filters",
    pagination: "Result pages",
    previous: "Previous",
    next: "Next",
    choose_language: "Choose language",
    not_updated: "not updated yet",
    bad_request: "The search could not be run",
    server_error: "Something went wrong in the service",
    server_error_text: "The fault is in the service, not in your search. Try again in a moment; if it happens again, tell the administrator.",
    refused: "The request could not be handled",
    not_found: "Page not found",
    not_found_text: "There is no page or document at this address. The document may have been removed or moved.",
    back_to_search: "Back to search",
    api: "API (JSON)",
    status: "Status",
    text_format: "text",
    lang_names: ["Finnish", "Swedish", "English"],
    syncing: "update in progress",
    ocr_label: "text recognition",
    ocr_note: "The text was read from a scanned page by text recognition and may contain errors.",
    other_languages_note: "Found through the search words' translations in the associations' term list.",
    found_via: "Found by:",
    other_languages_off: "Hide results in other languages",
    other_languages_on: "Show results in other languages too",
    facet_year: "Year",
    sort_label: "Order",
    sort_relevance: "best match first",
    sort_date: "newest first",
    dated: "Dated",
    did_you_mean: "Did you mean",
    feed_title: "Knowledge bank – new and changed documents",
    recent: "Recently added",
};

/// The texts of a UI language.
pub(crate) fn texts(ui: Lang) -> &'static Texts {
    match ui {
        Lang::Fi => &FI,
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

impl Texts {
    /// A document language's name in this UI language.
    pub fn lang_name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fi => self.lang_names[0],
            Lang::Sv => self.lang_names[1],
            Lang::En => self.lang_names[2],
        }
    }

    pub fn format_name(&self, format: Format) -> &'static str {
        match format {
            Format::Pdf => "PDF",
            Format::Markdown => "Markdown",
            Format::Text => self.text_format,
            Format::Docx => "Word",
            Format::Odt => "OpenDocument",
            Format::Html => "HTML",
        }
    }
}

/// The language's own name, for the language switch.
pub(crate) fn endonym(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "Suomi",
        Lang::Sv => "Svenska",
        Lang::En => "English",
    }
}

/// "12 results for “x”" and its translations.
pub(crate) fn result_count(ui: Lang, total: usize, query: &str) -> String {
    let query = query.trim();
    match (ui, total == 1, query.is_empty()) {
        (Lang::Fi, true, false) => format!("1 osuma haulle ”{query}”"),
        (Lang::Fi, false, false) => format!("{total} osumaa haulle ”{query}”"),
        (Lang::Fi, true, true) => "1 asiakirja".to_string(),
        (Lang::Fi, false, true) => format!("{total} asiakirjaa"),
        (Lang::Sv, true, false) => format!("1 träff för ”{query}”"),
        (Lang::Sv, false, false) => format!("{total} träffar för ”{query}”"),
        (Lang::Sv, true, true) => "1 dokument".to_string(),
        (Lang::Sv, false, true) => format!("{total} dokument"),
        (Lang::En, true, false) => format!("1 result for “{query}”"),
        (Lang::En, false, false) => format!("{total} results for “{query}”"),
        (Lang::En, true, true) => "1 document".to_string(),
        (Lang::En, false, true) => format!("{total} documents"),
    }
}

/// "N documents, updated " (the time follows).
pub(crate) fn documents_updated(ui: Lang, documents: u64) -> String {
    match (ui, documents == 1) {
        (Lang::Fi, true) => "1 asiakirja, päivitetty".to_string(),
        (Lang::Fi, false) => format!("{documents} asiakirjaa, päivitetty"),
        (Lang::Sv, true) => "1 dokument, uppdaterat".to_string(),
        (Lang::Sv, false) => format!("{documents} dokument, uppdaterat"),
        (Lang::En, true) => "1 document, updated".to_string(),
        (Lang::En, false) => format!("{documents} documents, updated"),
    }
}

/// "page 3" / "sivu 3" / "sida 3".
/// The heading of the other-languages section, naming the languages it
/// holds: "Myös ruotsiksi ja englanniksi", "Även på finska och engelska",
/// "Also in Finnish and Swedish".
pub(crate) fn other_languages_heading(ui: Lang, langs: &[Lang]) -> String {
    let name = |lang: Lang| match (ui, lang) {
        (Lang::Fi, Lang::Fi) => "suomeksi",
        (Lang::Fi, Lang::Sv) => "ruotsiksi",
        (Lang::Fi, Lang::En) => "englanniksi",
        (Lang::Sv, Lang::Fi) => "finska",
        (Lang::Sv, Lang::Sv) => "svenska",
        (Lang::Sv, Lang::En) => "engelska",
        (Lang::En, Lang::Fi) => "Finnish",
        (Lang::En, Lang::Sv) => "Swedish",
        (Lang::En, Lang::En) => "English",
    };
    let names: Vec<&str> = langs.iter().map(|&l| name(l)).collect();
    let (lead, and) = match ui {
        Lang::Fi => ("Myös", "ja"),
        Lang::Sv => ("Även på", "och"),
        Lang::En => ("Also in", "and"),
    };
    match names.as_slice() {
        [one] => format!("{lead} {one}"),
        [first @ .., last] => format!("{lead} {} {and} {last}", first.join(", ")),
        [] => lead.to_string(),
    }
}

pub(crate) fn page_number(ui: Lang, page: u32) -> String {
    match ui {
        Lang::Fi => format!("sivu {page}"),
        Lang::Sv => format!("sida {page}"),
        Lang::En => format!("page {page}"),
    }
}

/// "Page 2 of 5" for the pagination's current page.
pub(crate) fn result_page(ui: Lang, page: usize) -> String {
    match ui {
        Lang::Fi => format!("Tulossivu {page}"),
        Lang::Sv => format!("Resultatsida {page}"),
        Lang::En => format!("Result page {page}"),
    }
}

/// Example searches for the front page.
pub(crate) fn examples(ui: Lang) -> &'static [&'static str] {
    match ui {
        Lang::Fi => &["kotivara", "avustuksen raportointi", "tilavaraus"],
        Lang::Sv => &["strömavbrott", "bidragsansökan", "tillgänglighet"],
        Lang::En => &["volunteer", "grant reporting", "home supplies"],
    }
}

/// Picks the UI language from an `Accept-Language` header: the supported
/// language with the highest weight; Finnish without a header, English when
/// the header names none of the three.
pub(crate) fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(header) = accept_language.filter(|h| !h.trim().is_empty()) else {
        return Lang::Fi;
    };
    let mut best: Option<(f32, usize, Lang)> = None;
    for (position, item) in header.split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut weight = 1.0f32;
        for param in parts {
            if let Some(q) = param.trim().strip_prefix("q=") {
                weight = q.trim().parse().unwrap_or(0.0);
            }
        }
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "fi" => Lang::Fi,
            "sv" => Lang::Sv,
            "en" => Lang::En,
            "*" => Lang::Fi,
            _ => continue,
        };
        if weight <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((w, p, _)) => weight > w || (weight == w && position < p),
        };
        if better {
            best = Some((weight, position, lang));
        }
    }
    best.map(|(_, _, lang)| lang).unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_other_languages_heading_names_the_two_other_languages() {
        assert_eq!(other_languages_heading(Lang::Fi, &[Lang::Sv, Lang::En]), "Myös ruotsiksi ja englanniksi");
        assert_eq!(other_languages_heading(Lang::Sv, &[Lang::Fi, Lang::En]), "Även på finska och engelska");
        assert_eq!(other_languages_heading(Lang::En, &[Lang::Fi, Lang::Sv]), "Also in Finnish and Swedish");
    }

    #[test]
    fn accept_language() {
        assert_eq!(negotiate(None), Lang::Fi);
        assert_eq!(negotiate(Some("sv-FI,sv;q=0.9,en;q=0.8")), Lang::Sv);
        assert_eq!(negotiate(Some("de-DE,de;q=0.9,en;q=0.5,fi;q=0.7")), Lang::Fi);
        assert_eq!(negotiate(Some("de")), Lang::En);
        assert_eq!(negotiate(Some("en-GB;q=0.8,sv;q=0.9")), Lang::Sv);
        assert_eq!(negotiate(Some("fi;q=0, en")), Lang::En);
    }
}
