//! The markup of the pages, as maud templates: every value written into
//! them is escaped unless it is wrapped in `PreEscaped`, which only the
//! snippets and passages are (the library made them HTML-safe: escaped
//! text with `<mark>` around the matches).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::i18n::{self, Texts};
use super::params::{SearchParams, MAX_PAGE};
use super::urls::document_url;
use crate::{FacetCount, FailedFile, Format, Lang, SearchHit, SearchResults, Sort};

/// The frame of every page: head, skip link, header with the language
/// switch, `main` holding `content`, footer.
pub(crate) fn layout(ui: Lang, title: &str, params: &SearchParams, content: Markup) -> Markup {
    let t = i18n::texts(ui);
    html! {
        (DOCTYPE)
        html lang=(ui.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/assets/style.css";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                link rel="alternate" type="application/atom+xml" title=(t.feed_title) href=(params.feed_url());
                script src="/assets/app.js" defer {}
            }
            body {
                a class="skip" href="#main" { (t.skip) }
                (header_bar(ui, t, params))
                main id="main" tabindex="-1" { (content) }
                footer class="site" {
                    div class="wrap" {
                        p { (t.site) " · " a href="/api/openapi.json" { (t.api) } " · " a href="/api/status" { (t.status) } }
                    }
                }
            }
        }
    }
}

fn header_bar(ui: Lang, t: &Texts, params: &SearchParams) -> Markup {
    html! {
        header class="site" {
            div class="wrap bar" {
                p class="brand" {
                    a href={ "/?ui=" (ui.code()) } { (t.site) } " " span class="tagline" { (t.tagline) }
                }
                nav class="langs" aria-label=(t.choose_language) {
                    ul {
                        @for lang in Lang::ALL {
                            li {
                                a href=(params.page_url(lang, params.page)) lang=(lang.code()) hreflang=(lang.code())
                                    aria-current=[(lang == ui).then_some("true")] { (i18n::endonym(lang)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The search form, the status line and the files that failed.
pub(crate) fn search_top(ui: Lang, params: &SearchParams, status: &StatusLine) -> Markup {
    let t = i18n::texts(ui);
    html! {
        div class="wrap" {
            h1 { (t.heading) }
            form class="search" role="search" method="get" action="/" {
                input type="hidden" name="ui" value=(ui.code());
                // Filters stay on for a new search; each can be removed from the list below.
                @for (name, value) in params.active_filters() {
                    input type="hidden" name=(name) value=(value);
                }
                label for="q" { (t.search_label) }
                div class="field" {
                    input type="search" id="q" name="q" value=(params.q) maxlength="1000" autocomplete="off"
                        aria-describedby="search-hint";
                    button type="submit" { (t.search_button) }
                }
                p id="search-hint" class="hint" { (t.search_hint) }
            }
            (status_line(ui, t, status))
        }
    }
}

/// What the status line says.
pub(crate) struct StatusLine {
    pub documents: u64,
    /// When the index was last updated, seconds since 1970.
    pub updated: Option<i64>,
    pub now: i64,
    pub syncing: bool,
    pub failed: Vec<FailedFile>,
}

fn status_line(ui: Lang, t: &Texts, status: &StatusLine) -> Markup {
    html! {
        p class="status" id="status" {
            (i18n::documents_updated(ui, status.documents)) " "
            @match status.updated {
                Some(secs) => time datetime=(crate::dates::iso_utc(secs)) data-local=(ui.code()) {
                    (crate::dates::short_utc(secs, status.now))
                },
                None => (t.not_updated),
            }
            @if status.syncing { " " span class="syncing" { "(" (t.syncing) ")" } }
        }
        @if !status.failed.is_empty() { (failed_files(ui, &status.failed)) }
    }
}

/// Files that could not be indexed, with the reasons, folded away.
fn failed_files(ui: Lang, failed: &[FailedFile]) -> Markup {
    let n = failed.len();
    let summary = match ui {
        Lang::Fi => format!("{n} tiedostoa ei voitu lisätä hakuun"),
        Lang::Sv => format!("{n} filer kunde inte indexeras"),
        Lang::En if n == 1 => "1 file could not be indexed".to_string(),
        Lang::En => format!("{n} files could not be indexed"),
    };
    html! {
        details class="failed" id="failed" {
            summary { (summary) }
            ul { @for file in failed { li { code { (file.path) } ": " (file.reason) } } }
        }
    }
}

/// An alert: a heading and its explanation (`lang` when it is not in the
/// page's language).
pub(crate) fn alert(heading: &str, text: &str, lang: Option<&str>) -> Markup {
    html! { div class="alert" role="alert" { h2 { (heading) } p lang=[lang] { (text) } } }
}

/// The start page's examples, the languages to browse and the documents
/// added last.
pub(crate) fn intro(ui: Lang, recent: &[crate::DocumentSummary]) -> Markup {
    let t = i18n::texts(ui);
    html! {
        div class="wrap intro" {
            @if !recent.is_empty() {
                h2 { (t.recent) }
                ol class="recent" {
                    @for document in recent {
                        li lang=[(document.lang != ui).then_some(document.lang.code())] {
                            a href=(document_url(&document.path, None)) {
                                (if document.title.is_empty() { &document.path } else { &document.title })
                            }
                            " " time datetime=(crate::dates::day_of(document.modified)) { (crate::dates::day_of(document.modified)) }
                        }
                    }
                }
                p { a href="/feed.atom" { (t.feed_title) " (Atom)" } }
            }
            h2 { (t.examples) }
            ul class="examples" {
                @for example in i18n::examples(ui) {
                    li { a href=(SearchParams { q: example.to_string(), ..SearchParams::default() }.page_url(ui, 1)) { (example) } }
                }
            }
            h2 { (t.browse) }
            ul class="examples" {
                @for lang in Lang::ALL {
                    li { a href=(SearchParams { lang: Some(lang), ..SearchParams::default() }.page_url(ui, 1)) { (t.lang_name(lang)) } }
                }
            }
        }
    }
}

/// The facets, the hits, the paging and the other languages' section.
pub(crate) fn results(ui: Lang, params: &SearchParams, results: &SearchResults) -> Markup {
    let t = i18n::texts(ui);
    html! {
        div class="wrap results-layout" {
            (facets(ui, t, params, results))
            section class="results" id="results" aria-labelledby="results-h" {
                h2 id="results-h" { (t.results) }
                p class="count" role="status" { (i18n::result_count(ui, results.total, &params.q)) }
                @if let Some(suggestion) = &results.suggestion {
                    p class="did-you-mean" {
                        (t.did_you_mean) " "
                        a href=(SearchParams { q: suggestion.clone(), page: 1, ..params.clone() }.page_url(ui, 1)) {
                            (suggestion)
                        }
                        "?"
                    }
                }
                @if results.total > 1 { (sort_choice(ui, t, params)) }
                @if results.hits.is_empty() {
                    p class="empty" { (t.no_results) }
                } @else {
                    ol class="hits" start=((params.page - 1) * params.per_page + 1) {
                        @for hit in &results.hits { (hit_item(ui, t, hit)) }
                    }
                }
                (pagination(ui, t, params, results.total))
                (other_languages(ui, t, params, results))
            }
        }
    }
}

/// Links between the two orders, the current one marked.
fn sort_choice(ui: Lang, t: &Texts, params: &SearchParams) -> Markup {
    let by_relevance = SearchParams { sort: Sort::Relevance, page: 1, ..params.clone() };
    let by_date = SearchParams { sort: Sort::Date, page: 1, ..params.clone() };
    html! {
        p class="sort" {
            (t.sort_label) ": "
            a href=(by_relevance.page_url(ui, 1)) aria-current=[(params.sort == Sort::Relevance).then_some("true")] {
                (t.sort_relevance)
            }
            " · "
            a href=(by_date.page_url(ui, 1)) aria-current=[(params.sort == Sort::Date).then_some("true")] { (t.sort_date) }
        }
    }
}

/// The documents in the other languages, found through translated terms:
/// a section of its own under the main results, with a link that switches
/// it off (or back on).
fn other_languages(ui: Lang, t: &Texts, params: &SearchParams, results: &SearchResults) -> Markup {
    if params.other_languages == Some(false) {
        let on = SearchParams { other_languages: None, ..params.clone() };
        return html! {
            @if !params.q.is_empty() { p class="other-toggle" { a href=(on.page_url(ui, params.page)) { (t.other_languages_on) } } }
        };
    }
    let Some(other) = results.other_languages.as_ref().filter(|o| !o.hits.is_empty()) else { return html! {} };
    let off = SearchParams { other_languages: Some(false), ..params.clone() };
    html! {
        section class="other-languages" aria-labelledby="other-h" {
            h2 id="other-h" { (i18n::other_languages_heading(ui, &other.langs)) }
            p class="note" { (t.other_languages_note) }
            ol class="hits" { @for hit in &other.hits { (hit_item(ui, t, hit)) } }
            p class="other-toggle" { a href=(off.page_url(ui, params.page)) { (t.other_languages_off) } }
        }
    }
}

fn hit_item(ui: Lang, t: &Texts, hit: &SearchHit) -> Markup {
    let other = hit.lang != ui;
    let hit_lang = other.then_some(hit.lang.code());
    let ui_lang = other.then_some(ui.code());
    html! {
        li class="hit" lang=[hit_lang] {
            h3 { a href=(document_url(&hit.path, hit.page)) { (if hit.title.is_empty() { &hit.path } else { &hit.title }) } }
            p class="meta" lang=[ui_lang] {
                span class="badge" { (t.lang_name(hit.lang)) } " "
                span class="badge" { (t.format_name(hit.format)) }
                @if let Some(page) = hit.page { " " span class="page" { (i18n::page_number(ui, page)) } }
                @if let Some(date) = &hit.date { " " time class="date" datetime=(date) title=(t.dated) { (date) } }
                @if hit.ocr { " " span class="badge ocr" title=(t.ocr_note) { (t.ocr_label) } }
                " " span class="path" { (hit.path) }
            }
            @if !hit.via.is_empty() {
                p class="via" lang=[ui_lang] { (t.found_via) " " span lang=[hit_lang] { (hit.via.join(", ")) } }
            }
            p class="snippet" { (PreEscaped(&hit.snippet)) }
            @if hit.passages.len() > 1 {
                ul class="passages" {
                    @for passage in &hit.passages[1..] {
                        li {
                            @if let Some(page) = passage.page {
                                a class="page" href=(document_url(&hit.path, Some(page))) lang=[ui_lang] {
                                    (i18n::page_number(ui, page))
                                }
                                " "
                            }
                            (PreEscaped(&passage.text))
                        }
                    }
                }
            }
        }
    }
}

fn facets(ui: Lang, t: &Texts, params: &SearchParams, results: &SearchResults) -> Markup {
    let cleared = SearchParams { q: params.q.clone(), per_page: params.per_page, ..SearchParams::default() };
    let label_lang =
        |value: &str| value.parse::<Lang>().map(|l| t.lang_name(l).to_string()).unwrap_or_else(|_| value.to_string());
    let label_format = |value: &str| {
        value.parse::<Format>().map(|f| t.format_name(f).to_string()).unwrap_or_else(|_| value.to_string())
    };
    let label_plain = |value: &str| value.to_string();
    html! {
        aside class="facets" aria-labelledby="facets-h" {
            h2 id="facets-h" { (t.filters) }
            @if !params.active_filters().is_empty() {
                p class="clear" { a href=(cleared.page_url(ui, 1)) { (t.clear_filters) } }
            }
            @if let Some(facets) = &results.facets {
                (facet_group(ui, params, Facet::Lang, t.facet_lang, &facets.lang, &label_lang))
                (facet_group(ui, params, Facet::Format, t.facet_format, &facets.format, &label_format))
                (facet_group(ui, params, Facet::Folder, t.facet_folder, &facets.folder, &label_plain))
                (facet_group(ui, params, Facet::Tag, t.facet_tag, &facets.tag, &label_plain))
                (facet_group(ui, params, Facet::Year, t.facet_year, &facets.year, &label_plain))
            }
        }
    }
}

/// The filters a facet sets.
#[derive(Clone, Copy)]
enum Facet {
    Lang,
    Format,
    Folder,
    Tag,
    Year,
}

impl Facet {
    fn current(self, params: &SearchParams) -> Option<String> {
        match self {
            Facet::Lang => params.lang.map(|l| l.code().to_string()),
            Facet::Format => params.format.map(|f| f.name().to_string()),
            Facet::Tag => params.tag.clone(),
            Facet::Folder => params.folder.clone(),
            Facet::Year => params.year.map(|y| y.to_string()),
        }
    }

    /// The parameters with this facet set to `value` (or taken off), on page 1.
    fn set(self, params: &SearchParams, value: Option<&str>) -> SearchParams {
        let mut next = SearchParams { page: 1, ..params.clone() };
        match self {
            Facet::Lang => next.lang = value.and_then(|v| v.parse().ok()),
            Facet::Format => next.format = value.and_then(|v| v.parse().ok()),
            Facet::Tag => next.tag = value.map(str::to_string),
            Facet::Folder => next.folder = value.map(str::to_string),
            Facet::Year => next.year = value.and_then(|v| v.parse().ok()),
        }
        next
    }
}

fn facet_group(
    ui: Lang,
    params: &SearchParams,
    facet: Facet,
    heading: &str,
    counts: &[FacetCount],
    label: &dyn Fn(&str) -> String,
) -> Markup {
    let current = facet.current(params);
    if counts.is_empty() && current.is_none() {
        return html! {};
    }
    let is_current = |value: &str| current.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(value));
    let shown_current = counts.iter().take(12).any(|c| is_current(&c.value));
    html! {
        h3 { (heading) }
        ul class="facet" {
            @for count in counts.iter().take(12) {
                (facet_link(ui, params, facet, &count.value, &label(&count.value), Some(count.count), is_current(&count.value)))
            }
            @if let (Some(value), false) = (&current, shown_current) {
                (facet_link(ui, params, facet, value, &label(value), None, true))
            }
        }
    }
}

fn facet_link(
    ui: Lang,
    params: &SearchParams,
    facet: Facet,
    value: &str,
    label: &str,
    count: Option<u64>,
    is_current: bool,
) -> Markup {
    let t = i18n::texts(ui);
    let next = facet.set(params, (!is_current).then_some(value));
    html! {
        li {
            @if is_current {
                a class="on" href=(next.page_url(ui, 1)) aria-current="true" {
                    span class="check" aria-hidden="true" { "✓" } " " (label)
                    @if let Some(count) = count { " " span class="n" { (count) } }
                    span class="visually-hidden" { " (" (t.remove_filter) ")" }
                }
            } @else {
                a href=(next.page_url(ui, 1)) {
                    (label) @if let Some(count) = count { " " span class="n" { (count) } }
                }
            }
        }
    }
}

fn pagination(ui: Lang, t: &Texts, params: &SearchParams, total: usize) -> Markup {
    let last = total.div_ceil(params.per_page).min(MAX_PAGE);
    if last <= 1 {
        return html! {};
    }
    let page = params.page;
    let from = page.saturating_sub(3).max(1);
    let to = (from + 6).min(last);
    html! {
        nav class="pages" aria-label=(t.pagination) {
            ul {
                @if page > 1 { li { a href=(params.page_url(ui, page - 1)) rel="prev" { "‹ " (t.previous) } } }
                @for n in from..=to {
                    li {
                        a href=(params.page_url(ui, n)) aria-current=[(n == page).then_some("page")]
                            aria-label=(i18n::result_page(ui, n)) { (n) }
                    }
                }
                @if page < last { li { a href=(params.page_url(ui, page + 1)) rel="next" { (t.next) " ›" } } }
            }
        }
    }
}

/// The body of an error page: a heading, what it means, the way back.
pub(crate) fn message(ui: Lang, heading: &str, text: &str, text_lang: Option<&str>) -> Markup {
    let t = i18n::texts(ui);
    html! {
        div class="wrap" {
            h1 { (heading) }
            p lang=[text_lang] { (text) }
            p { a href={ "/?ui=" (ui.code()) } { (t.back_to_search) } }
        }
    }
}
