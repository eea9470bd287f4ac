//! Scoring: every query word counts once per document, with its best
//! evidence there ([`super::resolve`]), never the sum of its variants.
//!
//! A word's value in a document is
//! `idf(word) × confidence(evidence) × (COORDINATION + saturation(tf))`,
//! where the term frequency is BM25F-style: the word's occurrences in the
//! title, the headings and tags, and the body, each weighted and normalised
//! by the field's length, then saturated (`tf / (K1 + tf)`, below 1). The
//! constant `COORDINATION` makes matching a word worth more than any number
//! of its occurrences, so a document with more of the query's informative
//! words ranks first (coordination, each word weighted by its IDF), and
//! among those, the title and frequency decide. Very common words have an
//! IDF near zero and never carry a ranking alone.
//!
//! Among the best candidates, documents where the query's words stand close
//! together get a proximity bonus; then the query's language, then recency
//! break ties.

use tantivy::postings::Postings;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, SegmentReader, Term, TERMINATED};

use super::proximity::add_proximity;
pub(crate) use super::ranking::{weight, Candidate, Constraints, DocMask, WordMatch};
use super::resolve::{confidence, Evidence, ResolvedWord, Source};
use super::stats::Statistics;
use crate::error::Result;
use crate::index::schema::Fields;

/// How many of the best candidates get the proximity bonus.
const PROXIMITY_CANDIDATES: usize = 60;

/// One query word in one document: its best evidence there.
#[derive(Debug, Clone, Copy, Default)]
struct WordSlot {
    /// The best evidence's value.
    best: f32,
    /// The best confidence of a form of the word found in the title.
    in_title: f32,
    /// Which evidence gave `best`.
    which: u8,
    /// Whether evidence of primary confidence was found.
    primary: bool,
}

impl WordSlot {
    /// The word's value in the document, before its IDF.
    fn value(&self) -> f32 {
        self.best + weight::TITLE_MENTION * self.in_title
    }
}

/// No slots yet for a document.
const NO_SLOT: u32 = u32::MAX;

/// Per segment: each word's best evidence in each document the words touch.
struct SegmentScores {
    /// Per document: where its slots start in `slots`, or [`NO_SLOT`].
    slot_of: Vec<u32>,
    /// The touched documents' slots, `words` of them each, in `touched` order.
    slots: Vec<WordSlot>,
    words: usize,
    touched: Vec<DocId>,
    eligible: DocMask,
    language: Option<DocMask>,
}

impl SegmentScores {
    /// A word's slot in a document (an empty one when the document was not touched).
    fn slot(&self, doc: usize, word: usize) -> WordSlot {
        match self.slot_of[doc] {
            NO_SLOT => WordSlot::default(),
            start => self.slots[start as usize + word],
        }
    }

    /// A word's slot in a document, made when it is the document's first.
    fn slot_mut(&mut self, doc: DocId, word: usize) -> &mut WordSlot {
        let d = doc as usize;
        if self.slot_of[d] == NO_SLOT {
            self.slot_of[d] = self.slots.len() as u32;
            self.slots.extend(std::iter::repeat_n(WordSlot::default(), self.words));
            self.touched.push(doc);
        }
        let start = self.slot_of[d] as usize;
        &mut self.slots[start + word]
    }

    /// Records the `which`th evidence of query word `word` in the eligible
    /// documents `scratch` found it in, where it is the word's best so far.
    fn add_evidence(
        &mut self,
        scratch: &Scratch,
        word: usize,
        which: u8,
        evidence: &Evidence,
        forms: Option<&DocMask>,
    ) {
        for &doc in &scratch.touched {
            let d = doc as usize;
            let tf = scratch.tf[d];
            if tf <= 0.0 || !self.eligible[d] {
                continue;
            }
            let conf = match forms {
                Some(mask) if mask[d] => evidence.form_confidence,
                _ => evidence.confidence,
            };
            let value = conf * (weight::COORDINATION + tf / (weight::K1 + tf));
            let in_title = scratch.in_title[d];
            let slot = self.slot_mut(doc, word);
            if in_title && conf > slot.in_title {
                slot.in_title = conf;
            }
            if value > slot.best {
                slot.best = value;
                slot.which = which;
            }
            slot.primary |= evidence.confidence >= confidence::PRIMARY * 0.999;
        }
    }

    /// A document's score: each word's value there times the word's IDF.
    fn score(&self, doc: usize, idf: &[f32]) -> f32 {
        let mut score = 0.0;
        for (w, word_idf) in idf.iter().enumerate() {
            let value = self.slot(doc, w).value();
            if value > 0.0 {
                score += word_idf * value;
            }
        }
        score
    }
}

/// What [`rank`] found.
pub(crate) struct Ranking {
    /// The best documents, best first, each with its word matches (the
    /// proximity bonus computed for the best [`PROXIMITY_CANDIDATES`]).
    pub best: Vec<Candidate>,
    /// How many documents match.
    pub total: usize,
    /// Per segment, the matching documents in id order (when asked for).
    pub matching: Vec<Vec<DocId>>,
    /// Each query word's IDF.
    pub idf: Vec<f32>,
}

/// A matching document before it is one of the best: small, as a common
/// word can match most of the bank.
#[derive(Clone, Copy)]
struct Scored {
    score: f32,
    language: f32,
    address: DocAddress,
}

/// Ranks the documents matching `words` under `constraints`, keeping the
/// best `keep` (at least [`PROXIMITY_CANDIDATES`]) in order, and listing all
/// matching documents per segment when `list_matching` (for facets).
pub(crate) fn rank(
    stats: &Statistics,
    fields: &Fields,
    words: &[ResolvedWord],
    constraints: &Constraints,
    keep: usize,
    list_matching: bool,
) -> Result<Ranking> {
    let num_docs = stats.num_docs().max(1) as f32;
    let lengths = FieldLengths::new(stats, fields)?;
    let mut doc_counts = DocCounts::new(words.len());
    let mut segments: Vec<SegmentScores> = Vec::new();
    let required_weights = constraints
        .required
        .iter()
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(stats)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut scratch = Scratch::new(0);
    for segment in stats.segment_readers().iter() {
        let scores = score_segment(segment, fields, &lengths, words, constraints, &required_weights, &mut scratch)?;
        doc_counts.add(&scores);
        segments.push(scores);
    }
    let idf = doc_counts.idf(num_docs);
    let (scored, matching) = score_documents(&segments, &idf, words.is_empty(), constraints, list_matching);
    let total = scored.len();
    let mut best = best_candidates(scored, keep, &segments, &idf);
    if words.len() >= 2 {
        let top = best.len().min(PROXIMITY_CANDIDATES);
        add_proximity(stats, fields, words, &idf, &mut best[..top])?;
        sort(&mut best);
    }
    Ok(Ranking { best, total, matching, idf })
}

/// One segment's scores: which of its documents may match, which are in
/// the query's language, and each word's best evidence in each document.
fn score_segment(
    segment: &SegmentReader,
    fields: &Fields,
    lengths: &FieldLengths,
    words: &[ResolvedWord],
    constraints: &Constraints,
    required_weights: &[Box<dyn Weight>],
    scratch: &mut Scratch,
) -> Result<SegmentScores> {
    let max_doc = segment.max_doc() as usize;
    let eligible = eligible_docs(segment, constraints, required_weights)?;
    let language = match &constraints.language {
        Some((term, _)) => {
            let mut mask = vec![false; max_doc];
            for_each_posting(segment, term, IndexRecordOption::Basic, |doc, _| mask[doc as usize] = true)?;
            Some(mask)
        }
        None => None,
    };
    let mut scores = SegmentScores {
        slot_of: vec![NO_SLOT; max_doc],
        slots: Vec::new(),
        words: words.len(),
        touched: Vec::new(),
        eligible,
        language,
    };
    scratch.reset(max_doc);
    for (w, word) in words.iter().enumerate() {
        for (e, evidence) in word.evidence.iter().enumerate().take(u8::MAX as usize) {
            scratch.clear();
            accumulate(segment, fields, lengths, &evidence.source, scratch)?;
            let forms = form_mask(segment, fields, evidence, max_doc)?;
            scores.add_evidence(scratch, w, e as u8, evidence, forms.as_ref());
        }
    }
    if words.is_empty() {
        // Filters only: every eligible document, equal scores.
        scores.touched = (0..max_doc as DocId).filter(|&d| scores.eligible[d as usize]).collect();
    }
    Ok(scores)
}

/// The documents of a segment that may match: alive, holding a term of
/// each filter group and no excluded term, and matching every required
/// query (phrases).
fn eligible_docs(
    segment: &SegmentReader,
    constraints: &Constraints,
    required_weights: &[Box<dyn Weight>],
) -> Result<DocMask> {
    let max_doc = segment.max_doc() as usize;
    let mut eligible: DocMask = vec![true; max_doc];
    if let Some(alive) = segment.alive_bitset() {
        for (doc, slot) in eligible.iter_mut().enumerate() {
            *slot = alive.is_alive(doc as DocId);
        }
    }
    for group in &constraints.filters {
        let mut any = vec![false; max_doc];
        for term in group {
            for_each_posting(segment, term, IndexRecordOption::Basic, |doc, _| any[doc as usize] = true)?;
        }
        for (slot, ok) in eligible.iter_mut().zip(any) {
            *slot &= ok;
        }
    }
    for term in &constraints.excluded {
        for_each_posting(segment, term, IndexRecordOption::Basic, |doc, _| eligible[doc as usize] = false)?;
    }
    for weight in required_weights {
        let mut any = vec![false; max_doc];
        let mut scorer = weight.scorer(segment, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            any[doc as usize] = true;
            doc = scorer.advance();
        }
        for (slot, ok) in eligible.iter_mut().zip(any) {
            *slot &= ok;
        }
    }
    Ok(eligible)
}

/// Per query word, how many documents it matches: with evidence of primary
/// confidence, and with any evidence (the document frequencies of its IDF).
struct DocCounts {
    /// Documents with evidence of primary confidence, per word.
    primary: Vec<u64>,
    /// Documents with any evidence, per word.
    any: Vec<u64>,
}

impl DocCounts {
    /// No documents yet for `words` query words.
    fn new(words: usize) -> DocCounts {
        DocCounts { primary: vec![0; words], any: vec![0; words] }
    }

    /// Counts the documents of one segment.
    fn add(&mut self, scores: &SegmentScores) {
        for (i, slot) in scores.slots.iter().enumerate() {
            if slot.best > 0.0 {
                self.any[i % scores.words] += 1;
                self.primary[i % scores.words] += u64::from(slot.primary);
            }
        }
    }

    /// Each word's IDF, from its primary document frequency when it has
    /// one, else from any.
    fn idf(&self, num_docs: f32) -> Vec<f32> {
        let idf: Vec<f32> = (0..self.any.len())
            .map(|w| {
                let df = if self.primary[w] > 0 { self.primary[w] } else { self.any[w] } as f32;
                (1.0 + (num_docs - df + 0.5) / (df + 0.5)).ln().max(0.0)
            })
            .collect();
        // A floor, so that a query of very common words still ranks by them.
        idf.iter().map(|&i| i.max(0.05)).collect()
    }
}

/// Scores every eligible document the words touch (all alike when there
/// are `no_words`), with the language bonus; and, when `list_matching`,
/// lists the matching documents of each segment in id order.
fn score_documents(
    segments: &[SegmentScores],
    idf: &[f32],
    no_words: bool,
    constraints: &Constraints,
    list_matching: bool,
) -> (Vec<Scored>, Vec<Vec<DocId>>) {
    let mean_idf = if idf.is_empty() { 1.0 } else { idf.iter().sum::<f32>() / idf.len() as f32 };
    let language_share = constraints.language.as_ref().map_or(0.0, |(_, share)| *share);
    let language_bonus = weight::LANGUAGE * language_share * mean_idf;
    let touched: usize = segments.iter().map(|s| s.touched.len()).sum();
    let mut scored: Vec<Scored> = Vec::with_capacity(touched);
    let mut matching: Vec<Vec<DocId>> = vec![Vec::new(); if list_matching { segments.len() } else { 0 }];
    for (ord, scores) in segments.iter().enumerate() {
        let first = scored.len();
        for &doc in &scores.touched {
            let d = doc as usize;
            if !scores.eligible[d] {
                continue;
            }
            let score = if no_words { 1.0 } else { scores.score(d, idf) };
            if score <= 0.0 {
                continue;
            }
            let language = match &scores.language {
                Some(mask) if mask[d] => language_bonus,
                _ => 0.0,
            };
            scored.push(Scored { score: score + language, language, address: DocAddress::new(ord as u32, doc) });
        }
        if let Some(docs) = matching.get_mut(ord) {
            *docs = in_id_order(scores.eligible.len(), &scored[first..]);
        }
    }
    (scored, matching)
}

/// The ids of `found`, documents of one segment of `max_doc`, in id order
/// without a sort: a bit per document of the segment.
fn in_id_order(max_doc: usize, found: &[Scored]) -> Vec<DocId> {
    let mut bits = vec![0u64; max_doc.div_ceil(64)];
    for one in found {
        let d = one.address.doc_id as usize;
        bits[d / 64] |= 1 << (d % 64);
    }
    let mut docs = Vec::with_capacity(found.len());
    for (i, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            docs.push((i * 64) as DocId + word.trailing_zeros());
            word &= word - 1;
        }
    }
    docs
}

/// The best `keep` (at least [`PROXIMITY_CANDIDATES`]) of the scored
/// documents, best first, each with its word matches; the rest only count.
fn best_candidates(mut scored: Vec<Scored>, keep: usize, segments: &[SegmentScores], idf: &[f32]) -> Vec<Candidate> {
    let kept = keep.max(PROXIMITY_CANDIDATES).min(scored.len());
    let by_score = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.address.cmp(&b.address));
    if kept < scored.len() {
        scored.select_nth_unstable_by(kept, by_score);
    }
    scored.truncate(kept);
    scored.sort_by(by_score);
    scored
        .into_iter()
        .map(|found| {
            let scores = &segments[found.address.segment_ord as usize];
            let d = found.address.doc_id as usize;
            let matches = idf
                .iter()
                .enumerate()
                .map(|(w, word_idf)| {
                    let slot = scores.slot(d, w);
                    let value = slot.value();
                    (value > 0.0)
                        .then(|| WordMatch { evidence: usize::from(slot.which), contribution: word_idf * value })
                })
                .collect();
            Candidate { address: found.address, score: found.score, matches, proximity: 0.0, language: found.language }
        })
        .collect()
}

/// Best first; equal scores in index order.
fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.address.cmp(&b.address))
}

fn sort(candidates: &mut [Candidate]) {
    candidates.sort_by(order);
}

/// Mean lengths of the scored fields.
struct FieldLengths {
    title: f32,
    heads: f32,
    body: f32,
    folded: f32,
}

impl FieldLengths {
    fn new(stats: &Statistics, fields: &Fields) -> Result<FieldLengths> {
        Ok(FieldLengths {
            title: stats.mean_length(fields.title)?,
            heads: stats.mean_length(fields.heads)?,
            body: stats.mean_length(fields.body)?,
            folded: stats.mean_length(fields.folded)?,
        })
    }
}

/// Weighted, length-normalised term frequencies of one evidence, per document.
struct Scratch {
    tf: Vec<f32>,
    /// Whether the document's title holds one of the keys.
    in_title: Vec<bool>,
    touched: Vec<DocId>,
}

impl Scratch {
    fn new(max_doc: usize) -> Scratch {
        Scratch { tf: vec![0.0; max_doc], in_title: vec![false; max_doc], touched: Vec::new() }
    }

    /// Makes the scratch ready for a segment of `max_doc` documents.
    fn reset(&mut self, max_doc: usize) {
        self.clear();
        self.tf.resize(max_doc, 0.0);
        self.in_title.resize(max_doc, false);
    }

    fn clear(&mut self) {
        for &doc in &self.touched {
            self.tf[doc as usize] = 0.0;
            self.in_title[doc as usize] = false;
        }
        self.touched.clear();
    }

    fn add(&mut self, doc: DocId, value: f32) {
        let slot = &mut self.tf[doc as usize];
        if *slot == 0.0 {
            self.touched.push(doc);
        }
        *slot += value;
    }
}

/// Calls `f(doc, term frequency)` for each document of a term's postings.
fn for_each_posting(
    segment: &SegmentReader,
    term: &Term,
    option: IndexRecordOption,
    mut f: impl FnMut(DocId, u32),
) -> Result<()> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(mut postings) = inverted.read_postings(term, option)? else { return Ok(()) };
    let mut doc = postings.doc();
    while doc != TERMINATED {
        f(doc, postings.term_freq());
        doc = postings.advance();
    }
    Ok(())
}

/// Adds the BM25F frequencies of `keys` in `field` to `scratch`.
fn add_field(
    segment: &SegmentReader,
    field: Field,
    keys: &[String],
    (weight, b, mean): (f32, f32, f32),
    presence: bool,
    scratch: &mut Scratch,
    marks_title: bool,
) -> Result<()> {
    let norms = if presence { None } else { segment.get_fieldnorms_reader(field).ok() };
    let option = if presence { IndexRecordOption::Basic } else { IndexRecordOption::WithFreqs };
    for key in keys {
        let term = Term::from_field_text(field, key);
        let inverted = segment.inverted_index(field)?;
        let Some(mut postings) = inverted.read_postings(&term, option)? else { continue };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let tf = if presence { 1.0 } else { postings.term_freq() as f32 };
            let length = norms.as_ref().map_or(mean, |n| n.fieldnorm(doc) as f32);
            let normalised = tf / (1.0 - b + b * length / mean);
            scratch.add(doc, weight * normalised);
            if marks_title {
                scratch.in_title[doc as usize] = true;
            }
            doc = postings.advance();
        }
    }
    Ok(())
}

/// Accumulates the frequencies of one evidence's source.
fn accumulate(
    segment: &SegmentReader,
    fields: &Fields,
    lengths: &FieldLengths,
    source: &Source,
    scratch: &mut Scratch,
) -> Result<()> {
    let title = (weight::TITLE, weight::B_TITLE, lengths.title);
    let heads = (weight::HEADS, weight::B_HEADS, lengths.heads);
    let body = (weight::BODY, weight::B_BODY, lengths.body);
    match source {
        Source::Stems(keys) => {
            add_field(segment, fields.title, keys, title, false, scratch, true)?;
            add_field(segment, fields.heads, keys, heads, false, scratch, false)?;
            add_field(segment, fields.body, keys, body, false, scratch, false)?;
        }
        Source::Folded { folded, body: body_keys } => {
            add_field(
                segment,
                fields.folded,
                folded,
                (weight::BODY, weight::B_BODY, lengths.folded),
                false,
                scratch,
                false,
            )?;
            add_field(segment, fields.body, body_keys, body, false, scratch, false)?;
        }
        Source::Tails(keys) => add_field(segment, fields.tails, keys, body, true, scratch, false)?,
        Source::Exact(keys) => add_field(segment, fields.exact, keys, body, true, scratch, false)?,
        Source::Parts(first, second) => {
            // Both parts must be there; the document gets their mean.
            let mut other = Scratch::new(scratch.tf.len());
            for (keys, into) in [(first, &mut *scratch), (second, &mut other)] {
                add_field(segment, fields.title, keys, title, false, into, true)?;
                add_field(segment, fields.heads, keys, heads, false, into, false)?;
                add_field(segment, fields.body, keys, body, false, into, false)?;
            }
            for i in 0..scratch.touched.len() {
                let d = scratch.touched[i] as usize;
                let second = other.tf[d];
                scratch.tf[d] = if second > 0.0 { (scratch.tf[d] + second) / 2.0 } else { 0.0 };
            }
        }
    }
    Ok(())
}

/// The documents holding one of an evidence's exact forms.
fn form_mask(segment: &SegmentReader, fields: &Fields, evidence: &Evidence, max_doc: usize) -> Result<Option<DocMask>> {
    if evidence.forms.is_empty() || evidence.form_confidence == evidence.confidence {
        return Ok(None);
    }
    let mut mask = vec![false; max_doc];
    for key in &evidence.forms {
        let term = Term::from_field_text(fields.exact, key);
        for_each_posting(segment, &term, IndexRecordOption::Basic, |doc, _| mask[doc as usize] = true)?;
    }
    Ok(Some(mask))
}
