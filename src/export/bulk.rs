//! The `_bulk` NDJSON format of Elasticsearch and OpenSearch: an action
//! line, then (for `index`) the document's source line, each a JSON
//! object on one line, and a newline after the last line
//! (<https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html>,
//! <https://opensearch.org/docs/latest/api-reference/document-apis/bulk/>).

use std::io::Write;

use serde::Serialize;

use super::ExportRecord;

/// The Content-Type of a `_bulk` request body.
pub const CONTENT_TYPE: &str = "application/x-ndjson";

/// The action line of one bulk item.
#[derive(Serialize)]
struct Action<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: &'a str,
}

/// Appends an `index` action and its source line for `record` (the
/// document is created or replaced under its id).
pub fn write_index(out: &mut impl Write, index: &str, record: &ExportRecord) -> std::io::Result<()> {
    let action = serde_json::json!({ "index": Action { index, id: &record.id } });
    serde_json::to_writer(&mut *out, &action)?;
    out.write_all(b"\n")?;
    serde_json::to_writer(&mut *out, &record.source)?;
    out.write_all(b"\n")
}

/// Appends a `delete` action for the record `id` (no source line).
pub fn write_delete(out: &mut impl Write, index: &str, id: &str) -> std::io::Result<()> {
    let action = serde_json::json!({ "delete": Action { index, id } });
    serde_json::to_writer(&mut *out, &action)?;
    out.write_all(b"\n")
}
