//! Word resolution: before anything is scored, each typed word becomes a
//! short list of candidate index words, each with the kind of evidence
//! behind it and a confidence ([`Evidence`]). The candidates come from the
//! bank's own vocabulary (its term dictionaries), so a word typed without
//! ä/ö/å that the bank knows in one form only *is* that word, and a typo is
//! read as the word of the bank one edit away.
//!
//! The kinds, strongest first: the same form or the same stem, the ä/ö/å
//! restored, the accent-free form, joined with the next word, split into
//! parts the text has apart, a one-edit correction, a near form of the
//! stem, the last part of a compound, the first part of a compound.

use tantivy::schema::Field;

use super::related::related_keys;
use super::restore::restorations;
use super::spelling::{corrections, dedup, split_compound};
use super::stats::Statistics;
use crate::analysis::{exact_key, Analyzer, MIN_TAIL_CHARS};
use crate::error::Result;
use crate::index::schema::Fields;
use crate::lang::Lang;

/// How a query word reached an index word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The word as typed, or a form with the same stem.
    Stem,
    /// The word with its ä/ö/å restored from the bank's vocabulary.
    Restored,
    /// The accent-free form of the word (in a text written without ä/ö/å,
    /// or the other way round).
    Folded,
    /// The word joined with its neighbour in the query ("avustus kalenteri").
    Joined,
    /// The word split into two words the text has apart.
    Split,
    /// A word of the bank one edit away (a typo).
    Correction,
    /// A stem one or two letters longer or shorter.
    Near,
    /// The last part of a compound in the text ("suunnitelma" in "valmiussuunnitelma").
    CompoundPart,
    /// The first part of a compound in the text ("beredskap" in "beredskapsplan").
    CompoundHead,
    /// The exact form only (words the stem fields leave out: stop words).
    Exact,
    /// A term of another language for the same concept (cross-language search).
    Translated,
}

impl EvidenceKind {
    /// The kind's name, as in the JSON and `--explain`.
    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::Stem => "stem",
            EvidenceKind::Restored => "restored",
            EvidenceKind::Folded => "folded",
            EvidenceKind::Joined => "joined",
            EvidenceKind::Split => "split",
            EvidenceKind::Correction => "correction",
            EvidenceKind::Near => "near",
            EvidenceKind::CompoundPart => "compound_part",
            EvidenceKind::CompoundHead => "compound_head",
            EvidenceKind::Exact => "exact",
            EvidenceKind::Translated => "translated",
        }
    }
}

/// Confidences of the kinds of evidence: how sure the bank is that the
/// index word is the word the person meant. A document gets a query word's
/// best evidence, times its confidence, never a sum of its variants.
pub(crate) mod confidence {
    /// The very form typed (or restored) is in the document.
    pub const SAME_FORM: f32 = 1.0;
    /// Another form of the same stem.
    pub const STEM: f32 = 0.9;
    /// The accent-free key.
    pub const FOLDED: f32 = 0.85;
    /// Joined with the neighbouring query word.
    pub const JOINED: f32 = 0.8;
    /// Split into parts the text has apart.
    pub const SPLIT: f32 = 0.75;
    /// One edit away.
    pub const CORRECTION: f32 = 0.75;
    /// A near form of the stem.
    pub const NEAR: f32 = 0.7;
    /// The last part of a compound.
    pub const COMPOUND_PART: f32 = 0.8;
    /// The first part of a compound.
    pub const COMPOUND_HEAD: f32 = 0.5;
    /// An ambiguous restoration gets at least this share of its confidence
    /// (the form the bank uses most gets all of it).
    pub const AMBIGUOUS_FLOOR: f32 = 0.7;
    /// Evidence at least this confident counts for a word's informativeness.
    pub const PRIMARY: f32 = 0.85;
}

/// Where the index words of one piece of evidence are looked up.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Stem keys in the title, headings and body (BM25F).
    Stems(Vec<String>),
    /// Folded keys in the folded field, and keys in the body field (texts
    /// written without ä/ö/å).
    Folded { folded: Vec<String>, body: Vec<String> },
    /// Compound-part keys in the tails field (presence only).
    Tails(Vec<String>),
    /// Exact-form keys (presence only).
    Exact(Vec<String>),
    /// Two words that must both be in the document.
    Parts(Vec<String>, Vec<String>),
}

/// One candidate index word of a query word.
#[derive(Debug, Clone)]
pub(crate) struct Evidence {
    pub kind: EvidenceKind,
    /// The index word, as shown by explain.
    pub word: String,
    pub source: Source,
    /// Exact-field keys: a document holding one of them has the very form,
    /// and gets `form_confidence` instead of `confidence`.
    pub forms: Vec<String>,
    pub confidence: f32,
    pub form_confidence: f32,
}

/// A query word and its candidate index words.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedWord {
    /// The word as typed, lowercased.
    pub typed: String,
    pub evidence: Vec<Evidence>,
    /// Words the snippet marks besides the typed one (restored forms, split parts).
    pub also_marks: Vec<String>,
}

/// Resolves the words of a query; neighbouring words also get the evidence
/// of their joined form.
pub(crate) fn resolve_words(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    words: &[String],
) -> Result<Vec<ResolvedWord>> {
    let mut resolved = Vec::with_capacity(words.len());
    for word in words {
        resolved.push(resolve_word(stats, fields, langs, word)?);
    }
    let analyzer = Analyzer::get();
    let stem_fields = [fields.title, fields.heads, fields.body];
    for i in 1..words.len() {
        // Both orders, so that "kalenteri avustus" finds "avustuskalenteri"
        // as "avustus kalenteri" does: reordering a query keeps its ranking.
        // An order whose very form is in the bank wins over one only a
        // stemmer makes something of ("tabletime" → "tablet").
        let mut orders = [format!("{}{}", words[i - 1], words[i]), format!("{}{}", words[i], words[i - 1])];
        orders.sort();
        let mut found: Option<(bool, String, Vec<String>)> = None;
        for joined in orders {
            let keys = dedup(langs.iter().map(|&l| analyzer.stem(l, &joined)));
            if total_freq(stats, &stem_fields, &keys)? == 0 {
                continue;
            }
            let forms: Vec<String> = langs.iter().map(|&l| exact_key(l, &joined)).collect();
            let as_written = total_freq(stats, &[fields.exact], &forms)? > 0;
            if found.as_ref().is_none_or(|(best, _, _)| as_written && !best) {
                found = Some((as_written, joined, keys));
            }
        }
        let Some((_, joined, keys)) = found else { continue };
        let evidence = Evidence {
            kind: EvidenceKind::Joined,
            word: joined.clone(),
            source: Source::Stems(keys),
            forms: Vec::new(),
            confidence: confidence::JOINED,
            form_confidence: confidence::JOINED,
        };
        resolved[i - 1].evidence.push(evidence.clone());
        resolved[i - 1].also_marks.push(joined.clone());
        resolved[i].evidence.push(evidence);
    }
    Ok(resolved)
}

/// A word made of stop words only is looked up by its exact forms.
pub(crate) fn resolve_exact(langs: &[Lang], word: &str) -> ResolvedWord {
    let forms: Vec<String> = langs.iter().map(|&l| exact_key(l, word)).collect();
    ResolvedWord {
        typed: word.to_string(),
        evidence: vec![Evidence {
            kind: EvidenceKind::Exact,
            word: word.to_string(),
            source: Source::Exact(forms),
            forms: Vec::new(),
            confidence: confidence::SAME_FORM,
            form_confidence: confidence::SAME_FORM,
        }],
        also_marks: Vec::new(),
    }
}

/// Documents holding any of `keys` in any of `fields`, counted per field and key.
fn total_freq(stats: &Statistics, fields: &[Field], keys: &[String]) -> Result<u64> {
    let mut total = 0;
    for &field in fields {
        for key in keys {
            total += stats.key_freq(field, key)?;
        }
    }
    Ok(total)
}

/// The candidates of one typed word.
fn resolve_word(stats: &Statistics, fields: &Fields, langs: &[Lang], word: &str) -> Result<ResolvedWord> {
    let analyzer = Analyzer::get();
    let keys = dedup(langs.iter().map(|&l| analyzer.stem(l, word)));
    let mut out = ResolvedWord { typed: word.to_string(), evidence: Vec::new(), also_marks: Vec::new() };
    let own = add_own_and_restored(stats, fields, langs, word, &keys, &mut out)?;
    let found_as_typed = own.own_docs > 0;
    let found_restored = out.evidence.len() > 1;
    let folded = dedup(langs.iter().map(|&l| analyzer.folded(l, word)));
    let folded_docs = add_folded(stats, fields, &keys, &folded, &mut out)?;
    let tail_docs = add_compound_tails(stats, fields, &own.widen_keys, &mut out)?;

    // Near forms and compounds that begin with the word; a word already in
    // a large share of the bank needs no widening.
    let common = own.own_docs + own.restored_docs > COMMON_WORD_MIN_DOCS.max(stats.num_docs() / 20);
    if !common {
        add_near_and_heads(stats, fields, &own.widen_keys, &mut out)?;
        // Typed without ä/ö/å, and no word of the bank folds to it: its near
        // forms and compounds among the accent-free keys ("sahkokatkoksen"
        // → "sähkökatko", as "sähkökatkoksen" finds it).
        if !found_as_typed && !found_restored && !out.evidence.iter().any(|e| e.kind == EvidenceKind::Near) {
            add_folded_near_and_heads(stats, fields, langs, &keys, &folded, &mut out)?;
        }
    }

    let found = found_as_typed || found_restored || folded_docs > 0 || tail_docs > 0;
    if !found && word.chars().count() >= 5 {
        // Found in no form: a typo of the words of the bank one edit away.
        add_corrections(stats, fields, langs, word, &mut out)?;
        // A compound typed whole whose parts the text has apart.
        add_split(stats, fields, langs, word, &mut out)?;
    }
    Ok(out)
}

/// The forms of the bank that fold to the typed word and have another
/// stem than its own, grouped by stem.
struct RestoredGroup {
    /// The stem the forms share.
    stem: String,
    /// The forms, as the bank has them.
    words: Vec<String>,
    /// Their exact-field keys.
    forms: Vec<String>,
    /// Documents holding them.
    docs: u64,
}

/// What the word's own and restored forms found, which decides the other
/// evidence looked for.
struct OwnForms {
    /// Documents holding the word's own stems or very forms.
    own_docs: u64,
    /// Documents holding its restored forms.
    restored_docs: u64,
    /// The word's own stems and those of its restored forms: compound parts
    /// and near forms are looked for from them.
    widen_keys: Vec<String>,
}

/// The word as typed (its stems `keys`), and with its ä/ö/å restored from
/// the bank's vocabulary; when both or several restorations are in the
/// bank, each by how much the bank uses it.
fn add_own_and_restored(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
    keys: &[String],
    out: &mut ResolvedWord,
) -> Result<OwnForms> {
    let stem_fields = [fields.title, fields.heads, fields.body];
    let forms: Vec<String> = langs.iter().map(|&l| exact_key(l, word)).collect();
    let own_docs = total_freq(stats, &stem_fields, keys)? + total_freq(stats, &[fields.exact], &forms)?;
    let mut own = Evidence {
        kind: EvidenceKind::Stem,
        word: word.to_string(),
        source: Source::Stems(keys.to_vec()),
        forms,
        confidence: confidence::STEM,
        form_confidence: confidence::SAME_FORM,
    };
    let groups = restored_groups(stats, fields, langs, word, keys, &mut own.forms)?;
    let found_as_typed = own_docs > 0;
    let most_used = groups.iter().map(|g| g.docs).max().unwrap_or(0).max(if found_as_typed { own_docs } else { 0 });
    let ambiguous = groups.len() + usize::from(found_as_typed) > 1;
    let share = |docs: u64| -> f32 {
        if !ambiguous || most_used == 0 {
            1.0
        } else {
            let floor = confidence::AMBIGUOUS_FLOOR;
            floor + (1.0 - floor) * (docs as f32 / most_used as f32).min(1.0)
        }
    };
    if found_as_typed || groups.is_empty() {
        let scale = share(own_docs);
        own.confidence *= scale;
        own.form_confidence *= scale;
    }
    out.evidence.push(own);
    let widen_keys = widened_keys(langs, keys, &groups);
    let restored_docs: u64 = groups.iter().map(|g| g.docs).sum();
    for group in groups {
        let scale = share(group.docs);
        out.also_marks.extend(group.words.iter().cloned());
        out.evidence.push(Evidence {
            kind: EvidenceKind::Restored,
            word: group.words.first().cloned().unwrap_or_default(),
            source: Source::Stems(vec![group.stem]),
            forms: group.forms,
            confidence: confidence::STEM * scale,
            form_confidence: confidence::SAME_FORM * scale,
        });
    }
    Ok(OwnForms { own_docs, restored_docs, widen_keys })
}

/// The ä/ö/å restored: forms of the bank that fold to the typed word,
/// grouped by stem. The exact keys of those with one of the word's own
/// stems `keys` go to `own_forms` instead.
fn restored_groups(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
    keys: &[String],
    own_forms: &mut Vec<String>,
) -> Result<Vec<RestoredGroup>> {
    let analyzer = Analyzer::get();
    let mut groups: Vec<RestoredGroup> = Vec::new();
    for (lang, form, docs) in restorations(stats, fields, langs, word)? {
        let stem = analyzer.stem(lang, &form);
        let key = exact_key(lang, &form);
        if keys.contains(&stem) {
            own_forms.push(key);
            continue;
        }
        match groups.iter_mut().find(|g| g.stem == stem) {
            Some(group) => {
                group.forms.push(key);
                group.docs += docs;
                if !group.words.contains(&form) {
                    group.words.push(form);
                }
            }
            None => groups.push(RestoredGroup { stem, words: vec![form], forms: vec![key], docs }),
        }
    }
    Ok(groups)
}

/// The word's stems `keys` and those of its restored forms: typed without
/// ä/ö/å, a word is widened as if typed with them.
fn widened_keys(langs: &[Lang], keys: &[String], groups: &[RestoredGroup]) -> Vec<String> {
    let analyzer = Analyzer::get();
    let mut widen_keys = keys.to_vec();
    for form in groups.iter().flat_map(|g| g.words.iter()) {
        for &lang in langs {
            let stem = analyzer.stem(lang, form);
            if !widen_keys.contains(&stem) {
                widen_keys.push(stem);
            }
        }
    }
    widen_keys
}

/// The accent-free keys `folded` (a text written without ä/ö/å, or a query
/// typed so); those that are not also stem keys are looked for in the body
/// too. Returns the documents found.
fn add_folded(
    stats: &Statistics,
    fields: &Fields,
    keys: &[String],
    folded: &[String],
    out: &mut ResolvedWord,
) -> Result<u64> {
    let folded_body: Vec<String> = folded.iter().filter(|k| !keys.contains(k)).cloned().collect();
    let folded_docs = total_freq(stats, &[fields.folded], folded)? + total_freq(stats, &[fields.body], &folded_body)?;
    if folded_docs > 0 {
        out.evidence.push(Evidence {
            kind: EvidenceKind::Folded,
            word: folded.first().cloned().unwrap_or_default(),
            source: Source::Folded { folded: folded.to_vec(), body: folded_body },
            forms: Vec::new(),
            confidence: confidence::FOLDED,
            form_confidence: confidence::FOLDED,
        });
    }
    Ok(folded_docs)
}

/// Compounds that end with the word (one of `widen_keys` long enough to be
/// a tail). Returns the documents found.
fn add_compound_tails(
    stats: &Statistics,
    fields: &Fields,
    widen_keys: &[String],
    out: &mut ResolvedWord,
) -> Result<u64> {
    let tail_keys: Vec<String> = widen_keys.iter().filter(|k| k.chars().count() >= MIN_TAIL_CHARS).cloned().collect();
    let tail_docs = total_freq(stats, &[fields.tails], &tail_keys)?;
    if tail_docs > 0 {
        out.evidence.push(Evidence {
            kind: EvidenceKind::CompoundPart,
            word: tail_keys.first().cloned().unwrap_or_default(),
            source: Source::Tails(tail_keys),
            forms: Vec::new(),
            confidence: confidence::COMPOUND_PART,
            form_confidence: confidence::COMPOUND_PART,
        });
    }
    Ok(tail_docs)
}

/// Near forms and compounds that begin with the word, among the body's
/// stems related to `widen_keys`; the snippet marks the closest of them.
fn add_near_and_heads(
    stats: &Statistics,
    fields: &Fields,
    widen_keys: &[String],
    out: &mut ResolvedWord,
) -> Result<()> {
    let (near, heads) = related_keys(stats, fields, fields.body, widen_keys)?;
    // The snippet marks the closest of them too, so a hit shows why it is one.
    out.also_marks.extend(near.iter().chain(&heads).take(MARKED_RELATED).cloned());
    if !near.is_empty() {
        out.evidence.push(Evidence {
            kind: EvidenceKind::Near,
            word: near[0].clone(),
            source: Source::Stems(near),
            forms: Vec::new(),
            confidence: confidence::NEAR,
            form_confidence: confidence::NEAR,
        });
    }
    if !heads.is_empty() {
        out.evidence.push(Evidence {
            kind: EvidenceKind::CompoundHead,
            word: heads[0].clone(),
            source: Source::Stems(heads),
            forms: Vec::new(),
            confidence: confidence::COMPOUND_HEAD,
            form_confidence: confidence::COMPOUND_HEAD,
        });
    }
    Ok(())
}

/// Near forms and compounds of the word among the accent-free keys, for a
/// word typed without ä/ö/å that no word of the bank folds to. The near
/// forms the bank has with ä/ö/å count as those words (title and headings
/// weighted, as typed with the letters).
fn add_folded_near_and_heads(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    keys: &[String],
    folded: &[String],
    out: &mut ResolvedWord,
) -> Result<()> {
    let analyzer = Analyzer::get();
    let (near, heads) = related_keys(stats, fields, fields.folded, folded)?;
    let mut restored_near: Vec<String> = Vec::new();
    let mut shown = None;
    for key in &near {
        for (lang, form, _) in restorations(stats, fields, langs, key)? {
            let stem = analyzer.stem(lang, &form);
            if !restored_near.contains(&stem) && !keys.contains(&stem) {
                shown.get_or_insert(form);
                restored_near.push(stem);
            }
        }
    }
    let near = if shown.is_some() { Vec::new() } else { near };
    if let Some(word) = shown {
        out.also_marks.push(word.clone());
        out.evidence.push(Evidence {
            kind: EvidenceKind::Near,
            word,
            source: Source::Stems(restored_near),
            forms: Vec::new(),
            confidence: confidence::NEAR,
            form_confidence: confidence::NEAR,
        });
    }
    for (kind, related, conf) in
        [(EvidenceKind::Near, near, confidence::NEAR), (EvidenceKind::CompoundHead, heads, confidence::COMPOUND_HEAD)]
    {
        if let Some(first) = related.first().cloned() {
            out.evidence.push(Evidence {
                kind,
                word: first,
                source: Source::Folded { folded: related, body: Vec::new() },
                forms: Vec::new(),
                confidence: conf,
                form_confidence: conf,
            });
        }
    }
    Ok(())
}

/// A typo: the words of the bank one edit away.
fn add_corrections(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
    out: &mut ResolvedWord,
) -> Result<()> {
    let analyzer = Analyzer::get();
    for correction in corrections(stats, fields, langs, word)? {
        let keys = dedup(langs.iter().map(|&l| analyzer.stem(l, &correction)));
        out.evidence.push(Evidence {
            kind: EvidenceKind::Correction,
            word: correction.clone(),
            source: Source::Stems(keys),
            forms: langs.iter().map(|&l| exact_key(l, &correction)).collect(),
            confidence: confidence::CORRECTION,
            form_confidence: confidence::CORRECTION,
        });
    }
    Ok(())
}

/// A compound typed whole whose parts the text has apart; the snippet
/// marks both parts.
fn add_split(stats: &Statistics, fields: &Fields, langs: &[Lang], word: &str, out: &mut ResolvedWord) -> Result<()> {
    let analyzer = Analyzer::get();
    if let Some((head, rest)) = split_compound(stats, fields, langs, word)? {
        let head_keys = dedup(langs.iter().map(|&l| analyzer.stem(l, &head)));
        let rest_keys = dedup(langs.iter().map(|&l| analyzer.stem(l, &rest)));
        out.also_marks.push(head.clone());
        out.also_marks.push(rest.clone());
        out.evidence.push(Evidence {
            kind: EvidenceKind::Split,
            word: format!("{head} {rest}"),
            source: Source::Parts(head_keys, rest_keys),
            forms: Vec::new(),
            confidence: confidence::SPLIT,
            form_confidence: confidence::SPLIT,
        });
    }
    Ok(())
}

/// Documents a word's own forms must reach (and a twentieth of the bank)
/// before its near forms and compounds are left out.
const COMMON_WORD_MIN_DOCS: u64 = 500;
/// How many near forms and compounds of a word the snippet marks.
const MARKED_RELATED: usize = 4;
