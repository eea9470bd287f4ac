//! The searcher with its term statistics remembered for one search: a query
//! names the same terms many times (while its words are resolved and while
//! they are scored), and each look-up reads every segment's dictionary.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// A searcher and the document frequencies and field lengths looked up so far.
pub(crate) struct Statistics<'a> {
    searcher: &'a Searcher,
    doc_freqs: RefCell<HashMap<Term, u64>>,
    num_tokens: RefCell<HashMap<Field, u64>>,
}

impl<'a> Statistics<'a> {
    pub(crate) fn new(searcher: &'a Searcher) -> Self {
        Statistics { searcher, doc_freqs: Default::default(), num_tokens: Default::default() }
    }

    /// The number of documents holding `term` (remembered).
    pub(crate) fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&count) = self.doc_freqs.borrow().get(term) {
            return Ok(count);
        }
        let count = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), count);
        Ok(count)
    }

    /// The number of documents holding `key` in `field`.
    pub(crate) fn key_freq(&self, field: Field, key: &str) -> tantivy::Result<u64> {
        self.doc_freq(&Term::from_field_text(field, key))
    }

    /// The mean length of `field` in tokens over the bank's documents (at least 1).
    pub(crate) fn mean_length(&self, field: Field) -> tantivy::Result<f32> {
        let cached = self.num_tokens.borrow().get(&field).copied();
        let total = match cached {
            Some(total) => total,
            None => {
                let mut total = 0u64;
                for segment in self.searcher.segment_readers() {
                    total += segment.inverted_index(field)?.total_num_tokens();
                }
                self.num_tokens.borrow_mut().insert(field, total);
                total
            }
        };
        let docs = self.searcher.num_docs().max(1);
        Ok((total as f32 / docs as f32).max(1.0))
    }
}

impl std::ops::Deref for Statistics<'_> {
    type Target = Searcher;

    fn deref(&self) -> &Searcher {
        self.searcher
    }
}
