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
    let stem_fields = [fields.title, fields.heads, fields.body];
    let keys = dedup(langs.iter().map(|&l| analyzer.stem(l, word)));
    let forms: Vec<String> = langs.iter().map(|&l| exact_key(l, word)).collect();
    let own_docs = total_freq(stats, &stem_fields, &keys)? + total_freq(stats, &[fields.exact], &forms)?;
    let mut out = ResolvedWord { typed: word.to_string(), evidence: Vec::new(), also_marks: Vec::new() };
    let mut own = Evidence {
        kind: EvidenceKind::Stem,
        word: word.to_string(),
        source: Source::Stems(keys.clone()),
        forms,
        confidence: confidence::STEM,
        form_confidence: confidence::SAME_FORM,
    };

    // The ä/ö/å restored: forms of the bank that fold to the typed word.
    let restored = restorations(stats, fields, langs, word)?;
    let mut groups: Vec<(String, Vec<String>, Vec<String>, u64)> = Vec::new(); // (stem, words, forms, docs)
    for (lang, form, docs) in restored {
        let stem = analyzer.stem(lang, &form);
        let key = exact_key(lang, &form);
        if keys.contains(&stem) {
            own.forms.push(key);
            continue;
        }
        match groups.iter_mut().find(|g| g.0 == stem) {
            Some(group) => {
                group.2.push(key);
                group.3 += docs;
                if !group.1.contains(&form) {
                    group.1.push(form);
                }
            }
            None => groups.push((stem, vec![form], vec![key], docs)),
        }
    }
    let found_as_typed = own_docs > 0;
    let most_used = groups.iter().map(|g| g.3).max().unwrap_or(0).max(if found_as_typed { own_docs } else { 0 });
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
    // Compound parts and near forms are looked for from the restored stems
    // too: typed without ä/ö/å, a word is widened as if typed with them.
    let mut widen_keys = keys.clone();
    for form in groups.iter().flat_map(|g| g.1.iter()) {
        for &lang in langs {
            let stem = analyzer.stem(lang, form);
            if !widen_keys.contains(&stem) {
                widen_keys.push(stem);
            }
        }
    }
    let restored_docs: u64 = groups.iter().map(|g| g.3).sum();
    for (stem, words, forms, docs) in groups {
        let scale = share(docs);
        out.also_marks.extend(words.iter().cloned());
        out.evidence.push(Evidence {
            kind: EvidenceKind::Restored,
            word: words.first().cloned().unwrap_or_default(),
            source: Source::Stems(vec![stem]),
            forms,
            confidence: confidence::STEM * scale,
            form_confidence: confidence::SAME_FORM * scale,
        });
    }
    let found_restored = out.evidence.len() > 1;

    // The accent-free keys (a text written without ä/ö/å, or a query typed so).
    let folded = dedup(langs.iter().map(|&l| analyzer.folded(l, word)));
    let folded_body: Vec<String> = folded.iter().filter(|k| !keys.contains(k)).cloned().collect();
    let folded_docs = total_freq(stats, &[fields.folded], &folded)? + total_freq(stats, &[fields.body], &folded_body)?;
    if folded_docs > 0 {
        out.evidence.push(Evidence {
            kind: EvidenceKind::Folded,
            word: folded.first().cloned().unwrap_or_default(),
            source: Source::Folded { folded: folded.clone(), body: folded_body },
            forms: Vec::new(),
            confidence: confidence::FOLDED,
            form_confidence: confidence::FOLDED,
        });
    }

    // Compounds that end with the word.
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

    // Near forms and compounds that begin with the word; a word already in
    // a large share of the bank needs no widening.
    let common = own_docs + restored_docs > COMMON_WORD_MIN_DOCS.max(stats.num_docs() / 20);
    if !common {
        let (near, heads) = related_keys(stats, fields, fields.body, &widen_keys)?;
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
        // Typed without ä/ö/å, and no word of the bank folds to it: its near
        // forms and compounds among the accent-free keys ("sahkokatkoksen"
        // → "sähkökatko", as "sähkökatkoksen" finds it).
        if !found_as_typed && !found_restored && !out.evidence.iter().any(|e| e.kind == EvidenceKind::Near) {
            let (near, heads) = related_keys(stats, fields, fields.folded, &folded)?;
            // The near forms the bank has with ä/ö/å count as those words
            // (title and headings weighted, as typed with the letters).
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
            for (kind, keys, confidence) in [
                (EvidenceKind::Near, near, confidence::NEAR),
                (EvidenceKind::CompoundHead, heads, confidence::COMPOUND_HEAD),
            ] {
                if let Some(first) = keys.first().cloned() {
                    out.evidence.push(Evidence {
                        kind,
                        word: first,
                        source: Source::Folded { folded: keys, body: Vec::new() },
                        forms: Vec::new(),
                        confidence,
                        form_confidence: confidence,
                    });
                }
            }
        }
    }

    let found = found_as_typed || found_restored || folded_docs > 0 || tail_docs > 0;
    if !found && word.chars().count() >= 5 {
        // Found in no form: a typo of the words of the bank one edit away.
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
        // A compound typed whole whose parts the text has apart.
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
    }
    Ok(out)
}

/// Documents a word's own forms must reach (and a twentieth of the bank)
/// before its near forms and compounds are left out.
const COMMON_WORD_MIN_DOCS: u64 = 500;
/// How many near forms and compounds of a word the snippet marks.
const MARKED_RELATED: usize = 4;
/// Shortest stem that takes part in near-form matching, in characters.
const NEAR_MIN_CHARS: usize = 5;
/// Shortest stem that can be the first part of a compound.
const HEAD_MIN_CHARS: usize = 4;
/// Shortest rest of a compound after its first part.
const HEAD_REST_MIN_CHARS: usize = 3;
/// How many dictionary terms of a prefix scan may give near forms.
const NEAR_SCAN_LIMIT: usize = 64;
/// How many dictionary terms one prefix scan reads at most, per segment.
const PREFIX_SCAN_LIMIT: usize = 2_000;

/// Body stems related to the query's stems, found in the index's own
/// vocabulary:
/// - near forms: stems one or two letters longer or shorter;
/// - compounds that begin with the word: a stem that starts with the query
///   stem and whose rest (after a Swedish linking -s-) is itself a stem of
///   the index, so "beredskap" finds "beredskapsplan" (plan is a word) and
///   "tila" finds "tilavuokra" but not "tilaisuus" (isuus is not).
///
/// `field` is the body's stems, or the folded keys for a word typed without
/// ä/ö/å that the bank has only with them.
fn related_keys(
    stats: &Statistics,
    fields: &Fields,
    field: Field,
    keys: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let mut near: Vec<String> = Vec::new();
    let mut heads: Vec<String> = Vec::new();
    let known = |term: &str| -> Result<bool> {
        Ok(stats.key_freq(field, term)? > 0 || (field != fields.body && stats.key_freq(fields.body, term)? > 0))
    };
    for key in keys {
        let chars: Vec<char> = key.chars().collect();
        if chars.len() < HEAD_MIN_CHARS || !chars.iter().all(|c| c.is_alphabetic()) {
            continue;
        }
        for cut in 1..=2 {
            if chars.len() < NEAR_MIN_CHARS + cut {
                break;
            }
            let shorter: String = chars[..chars.len() - cut].iter().collect();
            if !keys.contains(&shorter) && !near.contains(&shorter) && known(&shorter)? {
                near.push(shorter);
            }
        }
        for segment in stats.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().range().ge(key.as_bytes()).into_stream()?;
            let mut scanned = 0;
            while stream.advance() && scanned < PREFIX_SCAN_LIMIT {
                scanned += 1;
                let bytes = stream.key();
                if !bytes.starts_with(key.as_bytes()) {
                    break;
                }
                let Ok(term) = std::str::from_utf8(bytes) else { continue };
                if keys.iter().any(|k| k == term) || near.iter().any(|o| o == term) || heads.iter().any(|o| o == term) {
                    continue;
                }
                let Some(rest) = term.get(key.len()..) else { continue };
                let extra = rest.chars().count();
                if (1..=2).contains(&extra) {
                    // Near forms only from the first terms of the scan (the
                    // closest in the dictionary's order).
                    if chars.len() >= NEAR_MIN_CHARS && scanned <= NEAR_SCAN_LIMIT {
                        near.push(term.to_string());
                    }
                    continue;
                }
                let rest = rest.strip_prefix('s').filter(|r| r.chars().count() >= HEAD_REST_MIN_CHARS).unwrap_or(rest);
                if rest.chars().count() >= HEAD_REST_MIN_CHARS && rest.chars().all(char::is_alphabetic) && known(rest)?
                {
                    heads.push(term.to_string());
                }
            }
        }
    }
    near.truncate(12);
    heads.truncate(24);
    Ok((near, heads))
}
