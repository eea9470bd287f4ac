//! The index template that makes the exported fields searchable, and an
//! example query that searches them in the spirit of tietopankki's ranking.
//!
//! The template is the body of `PUT _index_template/<name>` (composable
//! index templates: `index_patterns` and a `template` with `settings` and
//! `mappings`), the same in Elasticsearch 7.8+ and OpenSearch
//! (<https://www.elastic.co/guide/en/elasticsearch/reference/current/index-templates.html>,
//! <https://docs.opensearch.org/docs/im-plugin/index-templates>).

use serde_json::{json, Value};

use crate::analysis::{for_each_word, Analyzer};
use crate::lang::Lang;

/// The name of the analyzer of the `tp.*` fields: the keys are already
/// made by tietopankki, so it only splits at whitespace.
pub const KEYS_ANALYZER: &str = "tp_keys";

/// The engine's built-in analyzer for each language's text field.
pub fn language_analyzer(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "finnish",
        Lang::Sv => "swedish",
        Lang::En => "english",
    }
}

/// A `{fi, sv, en}` object of text fields, each with its language's analyzer.
fn per_language() -> Value {
    let mut properties = serde_json::Map::new();
    for lang in [Lang::Fi, Lang::Sv, Lang::En] {
        properties.insert(lang.code().into(), json!({ "type": "text", "analyzer": language_analyzer(lang) }));
    }
    json!({ "properties": properties })
}

/// The mappings of the exported fields (see [`super::ExportSource`]).
/// `dynamic: strict` makes the cluster reject a field the template does
/// not name, so a change of the export cannot go unnoticed.
pub fn mappings(city_shape: bool) -> Value {
    let keyword = json!({ "type": "keyword" });
    let keys =
        |index_options: &str| json!({ "type": "text", "analyzer": KEYS_ANALYZER, "index_options": index_options });
    let title = if city_shape {
        per_language()
    } else {
        json!({ "type": "text", "analyzer": "standard", "fields": { "keyword": { "type": "keyword", "ignore_above": 512 } } })
    };
    json!({
        "dynamic": "strict",
        "properties": {
            "path": keyword,
            "url": { "type": "keyword", "index": false },
            "title": title,
            "lang": keyword,
            "format": keyword,
            "tags": keyword,
            "folder": keyword,
            "date": { "type": "date", "format": "strict_date" },
            "pages": { "type": "integer" },
            "page": { "type": "integer" },
            "content_hash": { "type": "keyword", "index": false },
            "text": per_language(),
            "tp": { "properties": {
                "title": keys("positions"),
                "stems": keys("positions"),
                "compounds": keys("docs"),
                "folded": keys("freqs"),
            } },
        }
    })
}

/// The settings: the whitespace analyzer of the `tp.*` fields.
pub fn settings() -> Value {
    json!({ "analysis": { "analyzer": { KEYS_ANALYZER: { "type": "custom", "tokenizer": "whitespace" } } } })
}

/// The body of `PUT _index_template/<index_name>`, for indices named `index_name`.
pub fn index_template(index_name: &str, city_shape: bool) -> Value {
    json!({
        "index_patterns": [index_name],
        "template": { "settings": settings(), "mappings": mappings(city_shape) },
        "_meta": { "description": "tietopankki export: documents, per-language text and tietopankki's analysis keys" },
    })
}

/// Field weights of [`example_query`], following tietopankki's ranking
/// (see `src/search/score.rs`): a title match is worth four body matches,
/// exact-stem matches come before bridges (folded forms, compound parts),
/// and the engine's own per-language analysis and fuzzy matching add recall.
pub mod weights {
    /// `tp.title`: the title's stems (tietopankki's TITLE weight).
    pub const TITLE: f32 = 4.0;
    /// `tp.stems`: all stems (between tietopankki's HEADS and BODY: one
    /// field for both).
    pub const STEMS: f32 = 2.0;
    /// `tp.stems` as a phrase with slop 3: words near each other
    /// (tietopankki's proximity bonus).
    pub const PROXIMITY: f32 = 1.0;
    /// `text.fi|sv|en`: the engine's Snowball analyzers, typo-tolerant.
    pub const TEXT: f32 = 1.0;
    /// `tp.compounds`: a query word as the last part of a compound.
    pub const COMPOUNDS: f32 = 0.5;
    /// `tp.folded`: the query typed without ä/ö/å.
    pub const FOLDED: f32 = 0.5;
    /// `tp.stems` with fuzziness: typos in the stems.
    pub const FUZZY_STEMS: f32 = 0.3;
}

/// The query's keys as tietopankki makes them: stems and folded stems,
/// in one language or (without one) in all three.
fn query_keys(query: &str, lang: Option<Lang>) -> (String, String) {
    let analyzer = Analyzer::get();
    let (mut stems, mut folded): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let langs = lang.map(|l| vec![l]).unwrap_or_else(|| vec![Lang::Fi, Lang::Sv, Lang::En]);
    for lang in langs {
        for_each_word(query, |_, _, _, joined, lower| {
            let keys = analyzer.keys(lang, lower);
            if keys.stop || joined {
                return;
            }
            if !stems.contains(&keys.stem) {
                stems.push(keys.stem.clone());
            }
            if !folded.contains(&keys.folded) {
                folded.push(keys.folded.clone());
            }
        });
    }
    (stems.join(" "), folded.join(" "))
}

/// A query DSL body for `POST <index>/_search` that combines the
/// per-language text fields with tietopankki's keys (see [`weights`]).
/// The `tp.*` clauses hold the query analysed by tietopankki, which the
/// engine cannot do itself, so a program that searches the cluster makes
/// this query with this function (or the same analysis).
pub fn example_query(query: &str, lang: Option<Lang>, city_shape: bool) -> Value {
    use weights::*;
    let (stems, folded) = query_keys(query, lang);
    let title_fields: Vec<String> = if city_shape {
        ["title.fi", "title.sv", "title.en"].iter().map(|f| format!("{f}^{TITLE}")).collect()
    } else {
        vec![format!("title^{TITLE}")]
    };
    let mut text_fields: Vec<String> =
        ["text.fi", "text.sv", "text.en"].iter().map(|f| format!("{f}^{TEXT}")).collect();
    text_fields.extend(title_fields);
    json!({
        "query": { "bool": {
            "should": [
                { "match": { "tp.title": { "query": stems, "boost": TITLE } } },
                { "match": { "tp.stems": { "query": stems, "boost": STEMS } } },
                { "match_phrase": { "tp.stems": { "query": stems, "slop": 3, "boost": PROXIMITY } } },
                { "multi_match": { "query": query, "fields": text_fields, "type": "most_fields",
                                   "fuzziness": "AUTO", "prefix_length": 1, "boost": TEXT } },
                { "match": { "tp.compounds": { "query": stems, "boost": COMPOUNDS } } },
                { "match": { "tp.folded": { "query": folded, "boost": FOLDED } } },
                { "match": { "tp.stems": { "query": stems, "fuzziness": "AUTO", "prefix_length": 1, "boost": FUZZY_STEMS } } },
            ],
            "minimum_should_match": 1,
        } },
        "highlight": { "fields": { "text.fi": {}, "text.sv": {}, "text.en": {} } },
        "aggs": {
            "lang": { "terms": { "field": "lang" } },
            "format": { "terms": { "field": "format" } },
            "tags": { "terms": { "field": "tags" } },
        },
    })
}
