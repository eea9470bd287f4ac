//! The evidence behind a hit's score, word by word ([`Explanation`]): which
//! index word each query word reached, how, in which field, and what it
//! contributed.

use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::resolve::{self, ResolvedWord};
use super::results::{Explanation, WordEvidence};
use super::score;
use super::stats::Statistics;
use crate::error::Result;
use crate::index::schema::Fields;

/// The evidence behind one hit.
pub(super) fn explain(
    stats: &Statistics,
    fields: &Fields,
    words: &[ResolvedWord],
    idf: &[f32],
    candidate: &score::Candidate,
) -> Result<Explanation> {
    let segment = stats.segment_reader(candidate.address.segment_ord);
    let doc = candidate.address.doc_id;
    let holds = |field: tantivy::schema::Field, keys: &[String]| -> Result<bool> {
        let inverted = segment.inverted_index(field)?;
        for key in keys {
            let term = Term::from_field_text(field, key);
            if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
                if tantivy::DocSet::seek(&mut postings, doc) == doc {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    };
    let mut out = Vec::new();
    for (w, word) in words.iter().enumerate() {
        let found = candidate.matches.get(w).copied().flatten();
        let evidence = found.and_then(|m| word.evidence.get(m.evidence));
        let field = match evidence.map(|e| &e.source) {
            Some(resolve::Source::Stems(keys)) | Some(resolve::Source::Parts(keys, _)) => {
                let mut named = None;
                for (field, name) in [(fields.title, "title"), (fields.heads, "headings"), (fields.body, "body")] {
                    if holds(field, keys)? {
                        named = Some(name);
                        break;
                    }
                }
                named
            }
            Some(resolve::Source::Folded { .. }) => Some("folded"),
            Some(resolve::Source::Tails(_)) => Some("compound"),
            Some(resolve::Source::Exact(_)) => Some("exact"),
            None => None,
        };
        let confidence = match evidence {
            Some(e) if evidence_has_form(stats, fields, e, candidate.address)? => e.form_confidence,
            Some(e) => e.confidence,
            None => 0.0,
        };
        out.push(WordEvidence {
            word: word.typed.clone(),
            kind: evidence.map(|e| e.kind),
            matched: evidence.map(|e| e.word.clone()),
            field: field.map(str::to_string),
            idf: idf.get(w).copied().unwrap_or(0.0),
            confidence,
            contribution: found.map_or(0.0, |m| m.contribution),
        });
    }
    Ok(Explanation { words: out, proximity: candidate.proximity, language: candidate.language })
}

/// Whether the document holds one of the evidence's exact forms.
fn evidence_has_form(
    stats: &Statistics,
    fields: &Fields,
    evidence: &resolve::Evidence,
    address: DocAddress,
) -> Result<bool> {
    let segment = stats.segment_reader(address.segment_ord);
    let inverted = segment.inverted_index(fields.exact)?;
    for key in &evidence.forms {
        let term = Term::from_field_text(fields.exact, key);
        if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
            if tantivy::DocSet::seek(&mut postings, address.doc_id) == address.doc_id {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
