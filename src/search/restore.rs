//! Restoring ä/ö/å: the forms of the bank's vocabulary a word typed
//! without them may stand for, found by walking the exact field's term
//! dictionary once with an automaton instead of looking up every spelling.

use std::collections::HashMap;

use tantivy_fst::Automaton;

use super::stats::Statistics;
use crate::error::Result;
use crate::index::schema::Fields;
use crate::lang::Lang;

/// Forms of the bank's vocabulary that the typed word may stand for with
/// its ä/ö/å restored: each plain a may be ä (or å in Swedish), each o an ö.
/// Returns (language, form, documents) for forms other than the typed one.
pub(super) fn restorations(
    stats: &Statistics,
    fields: &Fields,
    langs: &[Lang],
    word: &str,
) -> Result<Vec<(Lang, String, u64)>> {
    let mut found: HashMap<(Lang, String), u64> = HashMap::new();
    for &lang in langs {
        let Some(automaton) = Restore::new(lang, word) else { continue };
        for segment in stats.segment_readers() {
            let inverted = segment.inverted_index(fields.exact)?;
            let mut stream = inverted.terms().search(automaton.clone()).into_stream()?;
            while stream.advance() {
                let Ok(key) = std::str::from_utf8(stream.key()) else { continue };
                let Some((_, form)) = key.split_once(':') else { continue };
                if form == word {
                    continue;
                }
                *found.entry((lang, form.to_string())).or_insert(0) += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut out: Vec<(Lang, String, u64)> = found.into_iter().map(|((l, f), d)| (l, f, d)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    Ok(out)
}

/// An automaton over exact-field keys (`fi:word`) that accepts the keys
/// whose letters equal the typed word's, a plain a or o also matching the
/// letters with ä/ö/å.
#[derive(Clone)]
struct Restore {
    /// For each character of the key, the byte strings it may be.
    alternatives: Vec<Vec<Vec<u8>>>,
}

impl Restore {
    /// None when the word has no letter to restore in `lang`.
    fn new(lang: Lang, word: &str) -> Option<Restore> {
        let options: &[(char, &[&str])] = match lang {
            Lang::Fi => &[('a', &["a", "ä"]), ('o', &["o", "ö"])],
            Lang::Sv => &[('a', &["a", "ä", "å"]), ('o', &["o", "ö"])],
            Lang::En => return None,
        };
        let mut alternatives: Vec<Vec<Vec<u8>>> = Vec::new();
        for c in lang.code().chars().chain(std::iter::once(':')) {
            alternatives.push(vec![c.to_string().into_bytes()]);
        }
        let mut restorable = false;
        for c in word.chars() {
            match options.iter().find(|(plain, _)| *plain == c) {
                Some((_, alts)) => {
                    restorable = true;
                    alternatives.push(alts.iter().map(|a| a.as_bytes().to_vec()).collect());
                }
                None => alternatives.push(vec![c.to_string().into_bytes()]),
            }
        }
        restorable.then_some(Restore { alternatives })
    }

    fn all(&self, position: usize) -> u8 {
        self.alternatives.get(position).map_or(0, |a| ((1u16 << a.len()) - 1) as u8)
    }
}

/// (character position, alternatives still possible as a bit mask, bytes
/// of the current character read); `None` once the key cannot match.
type RestoreState = Option<(usize, u8, usize)>;

impl Automaton for Restore {
    type State = RestoreState;

    fn start(&self) -> RestoreState {
        Some((0, self.all(0), 0))
    }

    fn is_match(&self, state: &RestoreState) -> bool {
        matches!(state, Some((position, _, 0)) if *position == self.alternatives.len())
    }

    fn can_match(&self, state: &RestoreState) -> bool {
        state.is_some()
    }

    fn accept(&self, state: &RestoreState, byte: u8) -> RestoreState {
        let (position, mask, offset) = (*state)?;
        let alternatives = self.alternatives.get(position)?;
        let mut still = 0u8;
        let mut complete = false;
        for (i, alternative) in alternatives.iter().enumerate() {
            if mask & (1 << i) != 0 && alternative.get(offset) == Some(&byte) {
                still |= 1 << i;
                complete |= alternative.len() == offset + 1;
            }
        }
        if still == 0 {
            None
        } else if complete {
            Some((position + 1, self.all(position + 1), 0))
        } else {
            Some((position, still, offset + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(automaton: &Restore, key: &str) -> bool {
        let mut state = automaton.start();
        for &b in key.as_bytes() {
            state = automaton.accept(&state, b);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn restoring_accepts_forms_with_the_letters_and_nothing_else() {
        let fi = Restore::new(Lang::Fi, "sahkokatkon").unwrap();
        assert!(accepts(&fi, "fi:sähkökatkon"));
        assert!(accepts(&fi, "fi:sahkokatkon"));
        assert!(accepts(&fi, "fi:sähkokatkon"));
        assert!(!accepts(&fi, "fi:sähkökatko"));
        assert!(!accepts(&fi, "sv:sähkökatkon"));
        assert!(!accepts(&fi, "fi:såhkokatkon"), "å is not Finnish");
        let sv = Restore::new(Lang::Sv, "far").unwrap();
        assert!(accepts(&sv, "sv:får") && accepts(&sv, "sv:fär") && !accepts(&sv, "sv:fåra"));
        assert!(Restore::new(Lang::Fi, "kissi").is_none());
        assert!(Restore::new(Lang::En, "grant").is_none());
    }
}
