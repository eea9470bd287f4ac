//! What the scorer ([`super::score`]) works with and gives: the constants of
//! the scoring model, the constraints of a search, and the ranked
//! candidates; their own module so that the proximity bonus, the
//! explanation and the search itself use them without depending on the
//! scorer's loop.

use tantivy::query::Query;
use tantivy::{DocAddress, Term};

/// The constants of the scoring model.
pub(crate) mod weight {
    /// What matching a word is worth beyond its saturated frequency (which is below 1).
    pub const COORDINATION: f32 = 2.0;
    /// BM25 saturation.
    pub const K1: f32 = 1.2;
    /// Field weights of BM25F.
    pub const TITLE: f32 = 4.0;
    pub const HEADS: f32 = 2.0;
    pub const BODY: f32 = 1.0;
    /// Length normalisation of each field.
    pub const B_TITLE: f32 = 0.5;
    pub const B_HEADS: f32 = 0.6;
    pub const B_BODY: f32 = 0.75;
    /// What a query word in the title adds, in any of its forms (a compound
    /// of it included), times the confidence of that form: a document
    /// whose title names the query's words is about them.
    pub const TITLE_MENTION: f32 = 0.5;
    /// The proximity bonus of two neighbouring query words standing next
    /// to each other, as a share of the rarer word's IDF.
    pub const PROXIMITY: f32 = 0.4;
    /// The bonus of a document in the query's language, as a share of the
    /// mean IDF of the query's words.
    pub const LANGUAGE: f32 = 0.3;
}

/// A document set over one segment's document ids.
pub(crate) type DocMask = Vec<bool>;

/// What a search asks of the scorer, beyond its words.
pub(crate) struct Constraints {
    /// Groups of filter terms: a document must hold one term of every group.
    pub filters: Vec<Vec<Term>>,
    /// Terms no document may hold.
    pub excluded: Vec<Term>,
    /// Queries every document must match (phrases).
    pub required: Vec<Box<dyn Query>>,
    /// Terms of the query's language, for the language bonus (with its share of the evidence).
    pub language: Option<(Term, f32)>,
}

/// One query word's contribution to a document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordMatch {
    /// Index of the evidence in the word's list.
    pub evidence: usize,
    /// The word's contribution to the score.
    pub contribution: f32,
}

/// A ranked document.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub address: DocAddress,
    pub score: f32,
    /// For each query word, its match in this document.
    pub matches: Vec<Option<WordMatch>>,
    /// The proximity and language bonuses.
    pub proximity: f32,
    pub language: f32,
}
