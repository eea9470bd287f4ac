//! What a search asks for ([`SearchRequest`]) and the limits on it.

use crate::document::Format;
use crate::lang::Lang;

#[cfg(doc)]
use super::results::{SearchHit, SearchResults};

/// The most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// How deep paging may go.
pub const MAX_OFFSET: usize = 10_000;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// Most hits of the other-languages part.
pub const MAX_OTHER_LANGUAGE_HITS: usize = 20;
/// Hits of the other-languages part unless asked for more or fewer.
pub const DEFAULT_OTHER_LANGUAGE_HITS: usize = 5;

/// A search: the query text plus optional filters and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// What the person typed (may contain phrases, exclusions and filters).
    pub query: String,
    /// How many hits to return (at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// How many hits to skip (for paging).
    pub offset: usize,
    /// Only documents in this language.
    pub lang: Option<Lang>,
    /// Only documents of this format.
    pub format: Option<Format>,
    /// Only documents with this tag.
    pub tag: Option<String>,
    /// Only documents under this top-level folder.
    pub folder: Option<String>,
    /// Whether to count facets.
    pub facets: bool,
    /// Whether each hit carries the evidence behind its score ([`SearchHit::explain`]).
    pub explain: bool,
    /// Whether documents in the other languages are searched too, through
    /// the query's concepts translated ([`SearchResults::other_languages`]).
    pub other_languages: bool,
    /// How many of those to return (1 to [`MAX_OTHER_LANGUAGE_HITS`], default 5).
    pub other_languages_limit: usize,
    /// The order of the hits: by relevance (the default) or newest first.
    pub sort: Sort,
    /// Only documents dated on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only documents dated on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
}

/// The order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (ties: newest first).
    #[default]
    Relevance,
    /// Newest document date first (ties: best match first).
    Date,
}

impl SearchRequest {
    /// A request for `query` with 10 hits and no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            lang: None,
            format: None,
            tag: None,
            folder: None,
            facets: false,
            explain: false,
            other_languages: false,
            other_languages_limit: DEFAULT_OTHER_LANGUAGE_HITS,
            sort: Sort::Relevance,
            from: None,
            to: None,
        }
    }

    /// Sorts the hits newest first instead of by relevance.
    pub fn sort_by_date(mut self) -> Self {
        self.sort = Sort::Date;
        self
    }

    /// Keeps documents dated within `from..=to` (either end open), days as `YYYY-MM-DD`.
    pub fn dated(mut self, from: Option<&str>, to: Option<&str>) -> Self {
        self.from = from.map(str::to_string);
        self.to = to.map(str::to_string);
        self
    }

    /// The date range asked for, as seconds since 1970 (`to` at the end of
    /// its day); `Err` names a date that is not `YYYY-MM-DD`.
    pub(crate) fn date_range(&self) -> crate::Result<Option<(i64, i64)>> {
        let day = |value: &Option<String>, name: &str| -> crate::Result<Option<i64>> {
            match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => parse_day(name, v).map(Some).map_err(crate::Error::InvalidRequest),
            }
        };
        let from = day(&self.from, "from")?;
        let to = day(&self.to, "to")?.map(|t| t + 86_399);
        Ok((from.is_some() || to.is_some()).then(|| (from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX))))
    }

    /// Sets the number of hits.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets the paging offset.
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Restricts to one language.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Restricts to one format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Restricts to one tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Restricts to one top-level folder.
    pub fn folder(mut self, folder: impl Into<String>) -> Self {
        self.folder = Some(folder.into());
        self
    }

    /// Asks for facet counts.
    pub fn with_facets(mut self) -> Self {
        self.facets = true;
        self
    }

    /// Asks for the evidence behind each hit's score.
    pub fn with_explain(mut self) -> Self {
        self.explain = true;
        self
    }

    /// Asks for the documents in the other two languages on the same
    /// concepts, found through the term list, as a separate part of the
    /// results ([`SearchResults::other_languages`]).
    pub fn other_languages(mut self, on: bool) -> Self {
        self.other_languages = on;
        self
    }

    /// How many documents in the other languages to return (default 5, at most 20).
    pub fn other_languages_limit(mut self, limit: usize) -> Self {
        self.other_languages_limit = limit;
        self
    }
}

/// A day as `YYYY-MM-DD`, as seconds since 1970 at its start; `Err` says,
/// naming the parameter `name`, what is wrong.
pub(crate) fn parse_day(name: &str, value: &str) -> Result<i64, String> {
    let secs = (value.len() == 10).then(|| crate::dates::date_to_secs(value)).flatten();
    secs.ok_or_else(|| {
        let mut shown: String = value.chars().take(40).collect();
        if value.chars().count() > 40 {
            shown.push('…');
        }
        format!("'{name}' must be a day as YYYY-MM-DD (got '{shown}')")
    })
}
