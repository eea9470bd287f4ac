//! The parameters of a search, shared by the API and the page: read by
//! `warp::query` into [`SearchQuery`], then checked into [`SearchParams`].

use serde::Deserialize;

use super::urls::encode_component;
use crate::search::{DEFAULT_OTHER_LANGUAGE_HITS, MAX_LIMIT, MAX_OFFSET, MAX_OTHER_LANGUAGE_HITS, MAX_QUERY_CHARS};
use crate::{Format, Lang, SearchRequest, Sort};

/// The last page that can be asked for: with at most 100 hits a page, the
/// deepest hit is within the engine's 10,000.
pub(crate) const MAX_PAGE: usize = 100;

/// Hits per page when `per_page` is not given.
pub(crate) const DEFAULT_PER_PAGE: usize = 10;

/// A search's query string as sent: every value text, checked by
/// [`SearchParams::from_query`] so that a bad one gets a message naming it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
    format: Option<String>,
    tag: Option<String>,
    folder: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    explain: Option<String>,
    ui: Option<String>,
    other_languages: Option<String>,
    other_limit: Option<String>,
    sort: Option<String>,
    from: Option<String>,
    to: Option<String>,
    year: Option<String>,
}

/// The checked parameters of a search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SearchParams {
    pub q: String,
    pub lang: Option<Lang>,
    pub format: Option<Format>,
    pub tag: Option<String>,
    pub folder: Option<String>,
    pub page: usize,
    pub per_page: usize,
    /// Whether each hit carries the evidence behind its score (`explain=true`).
    pub explain: bool,
    /// The page's interface language (`ui`); not used by the API.
    pub ui: Option<Lang>,
    /// `other_languages=true|false`: whether documents in the other
    /// languages are searched through translated concepts (the API's
    /// default is off, the page's on).
    pub other_languages: Option<bool>,
    /// `other_limit`: how many hits in other languages (1-20, default 5).
    pub other_limit: Option<usize>,
    /// `sort=date`: newest first (else by relevance).
    pub sort: Sort,
    /// `from=YYYY-MM-DD`: documents dated on or after this day.
    pub from: Option<String>,
    /// `to=YYYY-MM-DD`: documents dated on or before this day.
    pub to: Option<String>,
    /// `year=YYYY`: documents dated in this year (the year facet).
    pub year: Option<i64>,
}

impl Default for SearchParams {
    fn default() -> SearchParams {
        SearchParams {
            q: String::new(),
            lang: None,
            format: None,
            tag: None,
            folder: None,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            explain: false,
            ui: None,
            other_languages: None,
            other_limit: None,
            sort: Sort::Relevance,
            from: None,
            to: None,
            year: None,
        }
    }
}

/// `YYYY-MM-DD`, else the message for parameter `name`.
fn day(value: &str, name: &str) -> Result<String, String> {
    crate::search::parse_day(name, value).map(|_| value.to_string())
}

/// A value given and not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A whole number within `range`, else the message for parameter `name`.
fn number_in(value: &str, name: &str, range: std::ops::RangeInclusive<usize>) -> Result<usize, String> {
    value.parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        format!("'{name}' must be a whole number from {} to {} (got '{}')", range.start(), range.end(), shorten(value))
    })
}

/// `true`/`1` or `false`/`0`, else the message for parameter `name`.
fn boolean(value: &str, name: &str) -> Result<bool, String> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("'{name}' must be true or false (got '{}')", shorten(value))),
    }
}

impl SearchParams {
    /// Checks the parameters; `Err` says what is wrong, in English.
    pub fn from_query(query: &SearchQuery) -> Result<SearchParams, String> {
        let mut params = SearchParams { ui: query.ui.as_deref().and_then(|v| parse_lang(v.trim())), ..Self::default() };
        if let Some(q) = &query.q {
            let q = q.trim();
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(format!("'q' is longer than {MAX_QUERY_CHARS} characters"));
            }
            params.q = q.to_string();
        }
        if let Some(value) = given(&query.lang) {
            let lang = parse_lang(value);
            params.lang = Some(lang.ok_or_else(|| format!("'lang' must be fi, sv or en (got '{}')", shorten(value)))?);
        }
        if let Some(value) = given(&query.format) {
            params.format = Some(value.parse::<Format>().map_err(|_| {
                format!("'format' must be pdf, docx, odt, html, markdown or text (got '{}')", shorten(value))
            })?);
        }
        params.tag = given(&query.tag).map(str::to_string);
        params.folder = given(&query.folder).map(str::to_string);
        if let Some(value) = &query.page {
            params.page = number_in(value.trim(), "page", 1..=MAX_PAGE)?;
        }
        if let Some(value) = &query.per_page {
            params.per_page = number_in(value.trim(), "per_page", 1..=MAX_LIMIT)?;
        }
        if let Some(value) = &query.explain {
            params.explain = boolean(value.trim(), "explain")?;
        }
        if let Some(value) = &query.other_languages {
            params.other_languages = Some(boolean(value.trim(), "other_languages")?);
        }
        if let Some(value) = &query.other_limit {
            params.other_limit = Some(number_in(value.trim(), "other_limit", 1..=MAX_OTHER_LANGUAGE_HITS)?);
        }
        params.sort = match given(&query.sort) {
            None | Some("relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some(other) => return Err(format!("'sort' must be relevance or date (got '{}')", shorten(other))),
        };
        params.from = given(&query.from).map(|v| day(v, "from")).transpose()?;
        params.to = given(&query.to).map(|v| day(v, "to")).transpose()?;
        if let Some(value) = given(&query.year) {
            let year = value.parse::<i64>().ok().filter(|y| (1000..=9999).contains(y));
            params.year =
                Some(year.ok_or_else(|| format!("'year' must be a year such as 2025 (got '{}')", shorten(value)))?);
        }
        match params.offset() {
            Some(offset) if offset <= MAX_OFFSET => Ok(params),
            _ => Err(format!("paging deeper than {MAX_OFFSET} hits is not supported")),
        }
    }

    /// The parameters a page keeps after a bad one: the interface language
    /// and the words (cut to 200 characters), nothing else.
    pub fn fallback(query: &SearchQuery) -> SearchParams {
        let q = query.q.as_deref().map(|q| q.trim().chars().take(200).collect()).unwrap_or_default();
        SearchParams { ui: query.ui.as_deref().and_then(|v| parse_lang(v.trim())), q, ..Self::default() }
    }

    fn offset(&self) -> Option<usize> {
        self.page.checked_sub(1)?.checked_mul(self.per_page)
    }

    /// The library request for these parameters (with facets).
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            limit: self.per_page,
            offset: self.offset().unwrap_or(0),
            lang: self.lang,
            format: self.format,
            tag: self.tag.clone(),
            folder: self.folder.clone(),
            facets: true,
            explain: self.explain,
            other_languages: self.other_languages.unwrap_or(false),
            other_languages_limit: self.other_limit.unwrap_or(DEFAULT_OTHER_LANGUAGE_HITS),
            sort: self.sort,
            from: self.year.map(|y| format!("{y:04}-01-01")).or_else(|| self.from.clone()),
            to: self.year.map(|y| format!("{y:04}-12-31")).or_else(|| self.to.clone()),
        }
    }

    /// Whether there is anything to search for (words or a filter).
    pub fn is_search(&self) -> bool {
        !self.q.is_empty()
            || self.lang.is_some()
            || self.format.is_some()
            || self.tag.is_some()
            || self.folder.is_some()
            || self.year.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    /// A link to the page with these parameters, at result page `page`
    /// (always with `ui`, so the choice of language is remembered).
    pub fn page_url(&self, ui: Lang, page: usize) -> String {
        let mut url = format!("/?ui={}", ui.code());
        let mut add = |name: &str, value: &str| {
            url.push('&');
            url.push_str(name);
            url.push('=');
            url.push_str(&encode_component(value));
        };
        if !self.q.is_empty() {
            add("q", &self.q);
        }
        for (name, value) in self.active_filters() {
            add(name, &value);
        }
        if self.per_page != DEFAULT_PER_PAGE {
            add("per_page", &self.per_page.to_string());
        }
        if page > 1 {
            add("page", &page.to_string());
        }
        if self.other_languages == Some(false) {
            add("other_languages", "false");
        }
        if self.sort == Sort::Date {
            add("sort", "date");
        }
        url
    }

    /// The feed of the documents these parameters find, newest change
    /// first (`/feed.atom?q=…&lang=…`; the words and the filters only).
    pub fn feed_url(&self) -> String {
        let mut pairs: Vec<(&str, String)> = self.active_filters();
        if !self.q.is_empty() {
            pairs.insert(0, ("q", self.q.clone()));
        }
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", encode_component(v))).collect();
        if query.is_empty() {
            "/feed.atom".to_string()
        } else {
            format!("/feed.atom?{}", query.join("&"))
        }
    }

    /// The filters that are on, as (parameter, value).
    pub fn active_filters(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(lang) = self.lang {
            out.push(("lang", lang.code().to_string()));
        }
        if let Some(format) = self.format {
            out.push(("format", format.name().to_string()));
        }
        if let Some(tag) = &self.tag {
            out.push(("tag", tag.clone()));
        }
        if let Some(folder) = &self.folder {
            out.push(("folder", folder.clone()));
        }
        if let Some(year) = self.year {
            out.push(("year", year.to_string()));
        }
        if let Some(from) = &self.from {
            out.push(("from", from.clone()));
        }
        if let Some(to) = &self.to {
            out.push(("to", to.clone()));
        }
        out
    }
}

/// Only the codes `fi`, `sv` and `en` (any case).
pub(crate) fn parse_lang(value: &str) -> Option<Lang> {
    match value.to_ascii_lowercase().as_str() {
        "fi" => Some(Lang::Fi),
        "sv" => Some(Lang::Sv),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// A parameter value cut short for an error message.
fn shorten(value: &str) -> String {
    let mut out: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        out.push('…');
    }
    out
}
