//! The server-rendered search page at `/` (works without JavaScript).
//!
//! Everything that comes from a document or a request is escaped here,
//! except the hits' snippets, which the library already made HTML-safe.

use std::fmt::Write;
use std::sync::Arc;

use warp::http::header::{self, HeaderValue};
use warp::http::StatusCode;

use super::api::{document_url, run_search, SearchParams, DEFAULT_PER_PAGE};
use super::http::{encode_component, iso_utc, response, short_utc, Request, Resp};
use super::i18n::{self, Texts};
use super::state::AppState;
use crate::index::now_secs;
use crate::snippet::escape_html;
use crate::{Error, FacetCount, Format, Lang, SearchHit, SearchResults};

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    escape_html(text)
}

/// The UI language: `ui=` in the URL, else `Accept-Language`.
fn ui_language(request: &Request, params: Option<&SearchParams>) -> Lang {
    params.and_then(|p| p.ui).unwrap_or_else(|| i18n::negotiate(request.header(header::ACCEPT_LANGUAGE)))
}

/// A link to the page with these parameters (always with `ui`, so the choice is remembered).
fn page_link(ui: Lang, params: &SearchParams, page: usize) -> String {
    let mut url = format!("/?ui={}", ui.code());
    if !params.q.is_empty() {
        let _ = write!(url, "&q={}", encode_component(&params.q));
    }
    if let Some(lang) = params.lang {
        let _ = write!(url, "&lang={}", lang.code());
    }
    if let Some(format) = params.format {
        let _ = write!(url, "&format={}", format.name());
    }
    if let Some(tag) = &params.tag {
        let _ = write!(url, "&tag={}", encode_component(tag));
    }
    if let Some(folder) = &params.folder {
        let _ = write!(url, "&folder={}", encode_component(folder));
    }
    if params.per_page != DEFAULT_PER_PAGE {
        let _ = write!(url, "&per_page={}", params.per_page);
    }
    if page > 1 {
        let _ = write!(url, "&page={page}");
    }
    if params.other_languages == Some(false) {
        url.push_str("&other_languages=false");
    }
    url
}

/// `GET /`.
pub(crate) async fn search_page(state: &Arc<AppState>, request: &Request) -> Resp {
    let parsed = request.params().and_then(|pairs| SearchParams::parse(&pairs));
    let (params, error) = match parsed {
        Ok(params) => (params, None),
        Err(message) => {
            // Keep the interface language and the words; drop the bad parameter.
            let pairs = request.params().unwrap_or_default();
            let ui = ui_param(&pairs);
            let q = pairs.iter().rev().find(|(k, _)| k == "q").map(|(_, v)| v.trim().chars().take(200).collect());
            let params =
                SearchParams { ui, q: q.unwrap_or_default(), page: 1, per_page: 10, ..SearchParams::default() };
            (params, Some(message))
        }
    };
    let ui = ui_language(request, Some(&params));
    let t = i18n::texts(ui);
    let mut results = None;
    let mut error = error;
    let mut fault = false;
    if error.is_none() && params.is_search() {
        // The page shows the other languages' part unless it is switched off.
        let mut request = params.request();
        request.other_languages = params.other_languages.unwrap_or(true);
        match run_search(state, request).await {
            Ok(found) => results = Some(found),
            Err(Error::InvalidRequest(message)) => error = Some(message),
            Err(err) => {
                // The service's fault, not the user's: 500, and said so.
                tracing::error!(%err, "search failed");
                fault = true;
            }
        }
    }
    let status = page_status(fault, error.is_some());

    let mut body = String::with_capacity(16 * 1024);
    let title = if params.q.is_empty() { t.site.to_string() } else { format!("{} – {}", params.q, t.site) };
    head(&mut body, ui, &title);
    header_bar(&mut body, ui, t, &params);
    body.push_str("<main id=\"main\" tabindex=\"-1\">\n");
    search_form(&mut body, ui, t, &params);
    status_line(&mut body, state, ui, t);
    if let Some(message) = &error {
        let _ = writeln!(
            body,
            "<div class=\"alert\" role=\"alert\"><h2>{}</h2><p lang=\"en\">{}</p></div>",
            esc(t.bad_request),
            esc(message)
        );
    }
    if fault {
        let _ = writeln!(
            body,
            "<div class=\"alert\" role=\"alert\"><h2>{}</h2><p>{}</p></div>",
            esc(t.server_error),
            esc(t.server_error_text)
        );
    }
    match &results {
        Some(results) => results_section(&mut body, ui, t, &params, results),
        None if error.is_none() && !fault => intro(&mut body, ui, t),
        None => {}
    }
    body.push_str("</main>\n");
    footer(&mut body, t);
    body.push_str("</body>\n</html>\n");
    let mut resp = response(status, "text/html; charset=utf-8", body);
    resp.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    resp
}

/// The page's status: a fault of the service is 500, never blamed on the
/// user; a request the user can fix is 400.
fn page_status(fault: bool, user_error: bool) -> StatusCode {
    if fault {
        StatusCode::INTERNAL_SERVER_ERROR
    } else if user_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

fn head(out: &mut String, ui: Lang, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"/assets/style.css\">\n\
         <link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n\
         <script src=\"/assets/app.js\" defer></script>\n</head>\n<body>\n",
        ui.code(),
        esc(title)
    );
}

fn header_bar(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams) {
    let _ = write!(
        out,
        "<a class=\"skip\" href=\"#main\">{}</a>\n<header class=\"site\">\n<div class=\"wrap bar\">\n\
         <p class=\"brand\"><a href=\"/?ui={}\">{}</a> <span class=\"tagline\">{}</span></p>\n\
         <nav class=\"langs\" aria-label=\"{}\"><ul>",
        esc(t.skip),
        ui.code(),
        esc(t.site),
        esc(t.tagline),
        esc(t.choose_language)
    );
    for lang in Lang::ALL {
        let link = page_link(lang, params, params.page);
        let current = if lang == ui { " aria-current=\"true\"" } else { "" };
        let _ = write!(
            out,
            "<li><a href=\"{}\" lang=\"{code}\" hreflang=\"{code}\"{current}>{}</a></li>",
            esc(&link),
            i18n::endonym(lang),
            code = lang.code()
        );
    }
    out.push_str("</ul></nav>\n</div>\n</header>\n");
}

fn search_form(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams) {
    let _ = write!(
        out,
        "<div class=\"wrap\">\n<h1>{}</h1>\n<form class=\"search\" role=\"search\" method=\"get\" action=\"/\">\n\
         <input type=\"hidden\" name=\"ui\" value=\"{}\">\n",
        esc(t.heading),
        ui.code()
    );
    // Filters stay on for a new search; each can be removed from the list below.
    for (name, value) in active_filters(params) {
        let _ = writeln!(out, "<input type=\"hidden\" name=\"{name}\" value=\"{}\">", esc(&value));
    }
    let _ = write!(
        out,
        "<label for=\"q\">{}</label>\n<div class=\"field\">\
         <input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" maxlength=\"1000\" autocomplete=\"off\" \
         aria-describedby=\"search-hint\">\
         <button type=\"submit\">{}</button></div>\n\
         <p id=\"search-hint\" class=\"hint\">{}</p>\n</form>\n",
        esc(t.search_label),
        esc(&params.q),
        esc(t.search_button),
        esc(t.search_hint)
    );
}

fn active_filters(params: &SearchParams) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(lang) = params.lang {
        out.push(("lang", lang.code().to_string()));
    }
    if let Some(format) = params.format {
        out.push(("format", format.name().to_string()));
    }
    if let Some(tag) = &params.tag {
        out.push(("tag", tag.clone()));
    }
    if let Some(folder) = &params.folder {
        out.push(("folder", folder.clone()));
    }
    out
}

fn status_line(out: &mut String, state: &AppState, ui: Lang, t: &Texts) {
    let status = state.bank.status().ok();
    let documents = status.as_ref().map(|s| s.documents).unwrap_or(0);
    let updated = status.as_ref().and_then(|s| s.last_sync).or(state.sync_info().finished);
    let _ = write!(out, "<p class=\"status\" id=\"status\">{} ", esc(&i18n::documents_updated(ui, documents)));
    match updated {
        Some(secs) => {
            let _ = write!(
                out,
                "<time datetime=\"{}\" data-local=\"{}\">{}</time>",
                iso_utc(secs),
                ui.code(),
                short_utc(secs, now_secs())
            );
        }
        None => out.push_str(&esc(t.not_updated)),
    }
    if state.is_syncing() {
        let _ = write!(out, " <span class=\"syncing\">({})</span>", esc(t.syncing));
    }
    out.push_str("</p>\n");
    if let Some(failed) = status.as_ref().map(|s| &s.failed).filter(|f| !f.is_empty()) {
        failed_files(out, ui, failed);
    }
    out.push_str("</div>\n");
}

/// Files that could not be indexed, with the reasons, folded away.
fn failed_files(out: &mut String, ui: Lang, failed: &[crate::FailedFile]) {
    let n = failed.len();
    let summary = match ui {
        Lang::Fi => format!("{n} tiedostoa ei voitu lisätä hakuun"),
        Lang::Sv => format!("{n} filer kunde inte indexeras"),
        Lang::En if n == 1 => "1 file could not be indexed".to_string(),
        Lang::En => format!("{n} files could not be indexed"),
    };
    let _ = write!(out, "<details class=\"failed\" id=\"failed\"><summary>{}</summary>\n<ul>", esc(&summary));
    for file in failed {
        let _ = write!(out, "<li><code>{}</code>: {}</li>", esc(&file.path), esc(&file.reason));
    }
    out.push_str("</ul></details>\n");
}

fn intro(out: &mut String, ui: Lang, t: &Texts) {
    let _ = write!(out, "<div class=\"wrap intro\">\n<h2>{}</h2>\n<ul class=\"examples\">", esc(t.examples));
    for example in i18n::examples(ui) {
        let params = SearchParams { q: example.to_string(), page: 1, per_page: 10, ..SearchParams::default() };
        let _ = write!(out, "<li><a href=\"{}\">{}</a></li>", esc(&page_link(ui, &params, 1)), esc(example));
    }
    let _ = write!(out, "</ul>\n<h2>{}</h2>\n<ul class=\"examples\">", esc(t.browse));
    for lang in Lang::ALL {
        let params = SearchParams { lang: Some(lang), page: 1, per_page: 10, ..SearchParams::default() };
        let _ = write!(out, "<li><a href=\"{}\">{}</a></li>", esc(&page_link(ui, &params, 1)), esc(t.lang_name(lang)));
    }
    out.push_str("</ul>\n</div>\n");
}

fn results_section(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams, results: &SearchResults) {
    out.push_str("<div class=\"wrap results-layout\">\n");
    facets(out, ui, t, params, results);
    let _ = write!(
        out,
        "<section class=\"results\" id=\"results\" aria-labelledby=\"results-h\">\n<h2 id=\"results-h\">{}</h2>\n\
         <p class=\"count\" role=\"status\">{}</p>\n",
        esc(t.results),
        esc(&i18n::result_count(ui, results.total, &params.q))
    );
    if results.hits.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">{}</p>", esc(t.no_results));
    } else {
        let start = (params.page - 1) * params.per_page + 1;
        let _ = writeln!(out, "<ol class=\"hits\" start=\"{start}\">");
        for hit in &results.hits {
            hit_item(out, ui, t, hit);
        }
        out.push_str("</ol>\n");
    }
    pagination(out, ui, t, params, results.total);
    other_languages(out, ui, t, params, results);
    out.push_str("</section>\n</div>\n");
}

/// The documents in the other languages, found through translated terms:
/// a section of its own under the main results, with a link that switches
/// it off (or back on).
fn other_languages(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams, results: &SearchResults) {
    if params.other_languages == Some(false) {
        if !params.q.is_empty() {
            let on = SearchParams { other_languages: None, ..params.clone() };
            let _ = writeln!(
                out,
                "<p class=\"other-toggle\"><a href=\"{}\">{}</a></p>",
                esc(&page_link(ui, &on, params.page)),
                esc(t.other_languages_on)
            );
        }
        return;
    }
    let Some(other) = results.other_languages.as_ref().filter(|o| !o.hits.is_empty()) else { return };
    let _ = write!(
        out,
        "<section class=\"other-languages\" aria-labelledby=\"other-h\">\n<h2 id=\"other-h\">{}</h2>\n<p class=\"note\">{}</p>\n<ol class=\"hits\">\n",
        esc(&i18n::other_languages_heading(ui, &other.langs)),
        esc(t.other_languages_note)
    );
    for hit in &other.hits {
        hit_item(out, ui, t, hit);
    }
    let off = SearchParams { other_languages: Some(false), ..params.clone() };
    let _ = writeln!(
        out,
        "</ol>\n<p class=\"other-toggle\"><a href=\"{}\">{}</a></p>\n</section>",
        esc(&page_link(ui, &off, params.page)),
        esc(t.other_languages_off)
    );
}

fn hit_item(out: &mut String, ui: Lang, t: &Texts, hit: &SearchHit) {
    let other = hit.lang != ui;
    let lang_attr = if other { format!(" lang=\"{}\"", hit.lang.code()) } else { String::new() };
    let ui_attr = if other { format!(" lang=\"{}\"", ui.code()) } else { String::new() };
    let url = document_url(&hit.path, hit.page);
    let _ = write!(
        out,
        "<li class=\"hit\"{lang_attr}>\n<h3><a href=\"{}\">{}</a></h3>\n<p class=\"meta\"{ui_attr}>\
         <span class=\"badge\">{}</span> <span class=\"badge\">{}</span>",
        esc(&url),
        esc(if hit.title.is_empty() { &hit.path } else { &hit.title }),
        esc(t.lang_name(hit.lang)),
        esc(t.format_name(hit.format)),
    );
    if let Some(page) = hit.page {
        let _ = write!(out, " <span class=\"page\">{}</span>", esc(&i18n::page_number(ui, page)));
    }
    if hit.ocr {
        let _ = write!(out, " <span class=\"badge ocr\" title=\"{}\">{}</span>", esc(t.ocr_note), esc(t.ocr_label));
    }
    let _ = writeln!(out, " <span class=\"path\">{}</span></p>", esc(&hit.path));
    if !hit.via.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"via\"{ui_attr}>{} <span{lang_attr}>{}</span></p>",
            esc(t.found_via),
            esc(&hit.via.join(", "))
        );
    }
    // The snippet is HTML-safe already: escaped text with <mark> around matches.
    let _ = write!(out, "<p class=\"snippet\">{}</p>\n</li>\n", hit.snippet);
}

fn facets(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams, results: &SearchResults) {
    let _ = write!(
        out,
        "<aside class=\"facets\" aria-labelledby=\"facets-h\">\n<h2 id=\"facets-h\">{}</h2>\n",
        esc(t.filters)
    );
    let active = active_filters(params);
    if !active.is_empty() {
        let cleared =
            SearchParams { q: params.q.clone(), page: 1, per_page: params.per_page, ..SearchParams::default() };
        let _ = writeln!(
            out,
            "<p class=\"clear\"><a href=\"{}\">{}</a></p>",
            esc(&page_link(ui, &cleared, 1)),
            esc(t.clear_filters)
        );
    }
    let Some(facets) = &results.facets else {
        out.push_str("</aside>\n");
        return;
    };
    let label_lang =
        |value: &str| value.parse::<Lang>().map(|l| t.lang_name(l).to_string()).unwrap_or_else(|_| value.to_string());
    let label_format = |value: &str| {
        value.parse::<Format>().map(|f| t.format_name(f).to_string()).unwrap_or_else(|_| value.to_string())
    };
    let label_plain = |value: &str| value.to_string();
    facet_group(out, ui, t, params, "lang", t.facet_lang, &facets.lang, &label_lang);
    facet_group(out, ui, t, params, "format", t.facet_format, &facets.format, &label_format);
    facet_group(out, ui, t, params, "folder", t.facet_folder, &facets.folder, &label_plain);
    facet_group(out, ui, t, params, "tag", t.facet_tag, &facets.tag, &label_plain);
    out.push_str("</aside>\n");
}

#[allow(clippy::too_many_arguments)]
fn facet_group(
    out: &mut String,
    ui: Lang,
    t: &Texts,
    params: &SearchParams,
    name: &str,
    heading: &str,
    counts: &[FacetCount],
    label: &dyn Fn(&str) -> String,
) {
    let current: Option<String> = match name {
        "lang" => params.lang.map(|l| l.code().to_string()),
        "format" => params.format.map(|f| f.name().to_string()),
        "tag" => params.tag.clone(),
        _ => params.folder.clone(),
    };
    if counts.is_empty() && current.is_none() {
        return;
    }
    let _ = write!(out, "<h3>{}</h3>\n<ul class=\"facet\">", esc(heading));
    let mut shown_current = false;
    for count in counts.iter().take(12) {
        let is_current = current.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(&count.value));
        shown_current |= is_current;
        facet_link(out, ui, t, params, name, &count.value, &label(&count.value), Some(count.count), is_current);
    }
    if let (Some(value), false) = (&current, shown_current) {
        facet_link(out, ui, t, params, name, value, &label(value), None, true);
    }
    out.push_str("</ul>\n");
}

#[allow(clippy::too_many_arguments)]
fn facet_link(
    out: &mut String,
    ui: Lang,
    t: &Texts,
    params: &SearchParams,
    name: &str,
    value: &str,
    label: &str,
    count: Option<u64>,
    is_current: bool,
) {
    let mut next = params.clone();
    next.page = 1;
    let set = if is_current { None } else { Some(value.to_string()) };
    match name {
        "lang" => next.lang = set.and_then(|v| v.parse().ok()),
        "format" => next.format = set.and_then(|v| v.parse().ok()),
        "tag" => next.tag = set,
        _ => next.folder = set,
    }
    let count = count.map(|c| format!(" <span class=\"n\">{c}</span>")).unwrap_or_default();
    if is_current {
        let _ = write!(
            out,
            "<li><a class=\"on\" href=\"{}\" aria-current=\"true\"><span class=\"check\" aria-hidden=\"true\">✓</span> {}{count}<span class=\"visually-hidden\"> ({})</span></a></li>",
            esc(&page_link(ui, &next, 1)),
            esc(label),
            esc(t.remove_filter)
        );
    } else {
        let _ = write!(out, "<li><a href=\"{}\">{}{count}</a></li>", esc(&page_link(ui, &next, 1)), esc(label));
    }
}

fn pagination(out: &mut String, ui: Lang, t: &Texts, params: &SearchParams, total: usize) {
    let last = total.div_ceil(params.per_page).min(super::api::MAX_PAGE);
    if last <= 1 {
        return;
    }
    let page = params.page;
    let _ = write!(out, "<nav class=\"pages\" aria-label=\"{}\"><ul>", esc(t.pagination));
    if page > 1 {
        let _ = write!(
            out,
            "<li><a href=\"{}\" rel=\"prev\">‹ {}</a></li>",
            esc(&page_link(ui, params, page - 1)),
            esc(t.previous)
        );
    }
    let from = page.saturating_sub(3).max(1);
    let to = (from + 6).min(last);
    for n in from..=to {
        if n == page {
            let _ = write!(
                out,
                "<li><a href=\"{}\" aria-current=\"page\" aria-label=\"{}\">{n}</a></li>",
                esc(&page_link(ui, params, n)),
                esc(&i18n::result_page(ui, n))
            );
        } else {
            let _ = write!(
                out,
                "<li><a href=\"{}\" aria-label=\"{}\">{n}</a></li>",
                esc(&page_link(ui, params, n)),
                esc(&i18n::result_page(ui, n))
            );
        }
    }
    if page < last {
        let _ = write!(
            out,
            "<li><a href=\"{}\" rel=\"next\">{} ›</a></li>",
            esc(&page_link(ui, params, page + 1)),
            esc(t.next)
        );
    }
    out.push_str("</ul></nav>\n");
}

fn footer(out: &mut String, t: &Texts) {
    let _ = writeln!(
        out,
        "<footer class=\"site\"><div class=\"wrap\"><p>{} · <a href=\"/api/openapi.json\">{}</a> · \
         <a href=\"/api/status\">{}</a></p></div></footer>",
        esc(t.site),
        esc(t.api),
        esc(t.status)
    );
}

/// An HTML error page (404 and the like) in the visitor's language.
/// The page's answer to a request it refuses before any search (an address
/// too long, a body too large, a host name not served): the site's own
/// page in the user's language, with the reason.
pub(crate) fn refused_page(request: &Request, status: StatusCode, reason: &str) -> Resp {
    let ui = i18n::negotiate(request.header(header::ACCEPT_LANGUAGE));
    let t = i18n::texts(ui);
    let mut body = String::new();
    head(&mut body, ui, &format!("{} – {}", t.refused, t.site));
    header_bar(&mut body, ui, t, &SearchParams { page: 1, per_page: 10, ..SearchParams::default() });
    let _ = writeln!(
        body,
        "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\"><h1>{}</h1><p lang=\"en\">{}</p><p><a href=\"/?ui={}\">{}</a></p></div></main>",
        esc(t.refused),
        esc(reason),
        ui.code(),
        esc(t.back_to_search)
    );
    footer(&mut body, t);
    body.push_str("</body>\n</html>\n");
    response(status, "text/html; charset=utf-8", body)
}

/// The page language a request asks for with `ui=` (the last one wins),
/// read as the search parameters read it: `fi`, `sv` or `en` only.
fn ui_param(pairs: &[(String, String)]) -> Option<Lang> {
    pairs.iter().rev().find(|(k, _)| k == "ui").and_then(|(_, v)| super::api::parse_lang(v.trim()))
}

pub(crate) fn error_page(request: &Request, status: StatusCode) -> Resp {
    let pairs = request.params().unwrap_or_default();
    let ui = ui_param(&pairs).unwrap_or_else(|| i18n::negotiate(request.header(header::ACCEPT_LANGUAGE)));
    let t = i18n::texts(ui);
    let mut body = String::new();
    head(&mut body, ui, &format!("{} – {}", t.not_found, t.site));
    header_bar(&mut body, ui, t, &SearchParams { page: 1, per_page: 10, ..SearchParams::default() });
    let _ = writeln!(
        body,
        "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\"><h1>{}</h1><p>{}</p><p><a href=\"/?ui={}\">{}</a></p></div></main>",
        esc(t.not_found),
        esc(t.not_found_text),
        ui.code(),
        esc(t.back_to_search)
    );
    footer(&mut body, t);
    body.push_str("</body>\n</html>\n");
    response(status, "text/html; charset=utf-8", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_of_the_service_is_500_not_400() {
        assert_eq!(page_status(true, false), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(page_status(true, true), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(page_status(false, true), StatusCode::BAD_REQUEST);
        assert_eq!(page_status(false, false), StatusCode::OK);
    }
}
