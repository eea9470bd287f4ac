//! Stage 2: language detection, restricted to the knowledge bank's three
//! languages (Finnish, Swedish, English).

use std::fmt;
use std::str::FromStr;

use whatlang::{Detector, Lang as WLang};

/// One of the three languages of the knowledge bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Finnish (`fi`).
    Fi,
    /// Swedish (`sv`).
    Sv,
    /// English (`en`).
    En,
}

impl Lang {
    /// The language of a language tag such as `fi-FI`, `sv_SE` or `en`
    /// (its primary subtag), if it is one of ours.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        tag.trim().split(['-', '_']).next()?.parse().ok()
    }

    /// All languages, in a fixed order.
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// The ISO 639-1 code: `fi`, `sv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    fn from_whatlang(lang: WLang) -> Option<Lang> {
        match lang {
            WLang::Fin => Some(Lang::Fi),
            WLang::Swe => Some(Lang::Sv),
            WLang::Eng => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    /// Accepts `fi`/`sv`/`en` and a few common spellings (`fin`, `swe`, `finnish`, `svenska`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "fi" | "fin" | "finnish" | "suomi" | "fi-fi" => Ok(Lang::Fi),
            "sv" | "swe" | "swedish" | "svenska" | "ruotsi" | "sv-fi" | "sv-se" => Ok(Lang::Sv),
            "en" | "eng" | "english" | "englanti" | "en-gb" | "en-us" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (expected fi, sv or en)")),
        }
    }
}

/// The language a document is indexed in: what it declares, else the
/// detected dominant language of its text (or of its title), else English.
/// (Given the parts, not the [`Extracted`](crate::document::Extracted)
/// document, so that this module does not depend on the one that uses
/// [`Lang`]; [`Extracted::language`](crate::document::Extracted::language)
/// calls it.)
pub fn document_language(declared: Option<Lang>, text: &str, title: Option<&str>) -> Lang {
    if let Some(lang) = declared {
        return lang;
    }
    let detected = detect(text).or_else(|| title.and_then(detect));
    detected.map(|d| d.lang).unwrap_or(Lang::En)
}

/// The result of detecting a text's language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The dominant language.
    pub lang: Lang,
    /// Share of the sampled text's weight that voted for `lang` (0..=1).
    pub share: f64,
    /// Whether the detection is trustworthy (enough text, clear majority).
    pub reliable: bool,
}

/// How much text, at most, is sampled for detection (spread over the document).
const SAMPLE_CHARS: usize = 1_000;
/// Size of the chunks that vote.
const CHUNK_CHARS: usize = 500;

/// Detects the dominant language of a document.
///
/// The text is cut into chunks at paragraph or line boundaries; each chunk is
/// classified by whatlang (restricted to fi/sv/en) and votes with its length
/// times whatlang's confidence, so a Finnish document with an English
/// abstract stays Finnish. Returns `None` when the text holds no letters.
pub fn detect(text: &str) -> Option<Detection> {
    let detector = Detector::with_allowlist(vec![WLang::Fin, WLang::Swe, WLang::Eng]);
    let mut votes = [0.0f64; 3];
    let mut sampled = 0usize;
    let total_chars = text.len();
    // For very long texts take chunks spread evenly rather than only the start.
    let stride = (total_chars / SAMPLE_CHARS).max(1);
    for (index, chunk) in chunks(text, CHUNK_CHARS).enumerate() {
        if index % stride != 0 {
            continue;
        }
        let letters = chunk.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 12 {
            continue;
        }
        if let Some(info) = detector.detect(chunk) {
            if let Some(lang) = Lang::from_whatlang(info.lang()) {
                let slot = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
                votes[slot] += letters as f64 * (0.25 + info.confidence());
            }
        }
        sampled += chunk.len();
        if sampled > SAMPLE_CHARS {
            break;
        }
    }
    let total: f64 = votes.iter().sum();
    if total <= 0.0 {
        // Too little text for chunks: try the whole string at once.
        let info = detector.detect(text)?;
        let lang = Lang::from_whatlang(info.lang())?;
        return Some(Detection { lang, share: info.confidence(), reliable: false });
    }
    let (best, weight) = votes.iter().enumerate().fold((0, 0.0), |acc, (i, &w)| if w > acc.1 { (i, w) } else { acc });
    let share = weight / total;
    Some(Detection { lang: Lang::ALL[best], share, reliable: share > 0.6 && total > 200.0 })
}

/// Detects the language of a short query; `None` unless it is reliable.
///
/// Short queries are hard: this only answers when whatlang is confident and
/// the query contains letters typical of one language.
pub fn detect_query(text: &str) -> Option<Lang> {
    let detector = Detector::with_allowlist(vec![WLang::Fin, WLang::Swe, WLang::Eng]);
    let info = detector.detect(text)?;
    let words = text.split_whitespace().count();
    if words >= 3 && info.is_reliable() {
        Lang::from_whatlang(info.lang())
    } else {
        None
    }
}

/// Splits text into pieces of roughly `size` bytes at line breaks (or spaces).
fn chunks(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= size {
            let out = rest;
            rest = "";
            return Some(out);
        }
        let mut cut = size;
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        // Extend to the next line break (or space), within twice the size.
        let mut limit = (size * 2).min(rest.len());
        while !rest.is_char_boundary(limit) {
            limit += 1;
        }
        let extra = rest[cut..limit].find(['\n', ' ']).map(|p| p + 1).unwrap_or(limit - cut);
        let mut end = cut + extra;
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (head, tail) = rest.split_at(end);
        rest = tail;
        Some(head)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_three_languages() {
        let fi = "Yhdistyksen valmiussuunnitelma kertoo, miten toimimme sähkökatkon aikana ja kuka vastaa viestinnästä jäsenille.";
        let sv = "Föreningens beredskapsplan beskriver hur vi agerar under ett strömavbrott och vem som ansvarar för kommunikationen.";
        let en = "The association's preparedness plan describes how we act during a power outage and who is responsible for communication.";
        assert_eq!(detect(fi).map(|d| d.lang), Some(Lang::Fi));
        assert_eq!(detect(sv).map(|d| d.lang), Some(Lang::Sv));
        assert_eq!(detect(en).map(|d| d.lang), Some(Lang::En));
    }

    #[test]
    fn dominant_language_wins_in_mixed_text() {
        let text = format!(
            "{}\n\nAbstract: This report is about volunteers.\n\n{}",
            "Vapaaehtoistoiminta on yhdistyksen voimavara, ja sitä kannattaa kehittää suunnitelmallisesti. ".repeat(8),
            "Perehdytys, vakuutukset ja kiittäminen ovat tärkeitä asioita vapaaehtoisille. ".repeat(8)
        );
        assert_eq!(detect(&text).map(|d| d.lang), Some(Lang::Fi));
    }

    #[test]
    fn no_letters_no_language() {
        assert!(detect("123 456 --- ...").is_none());
    }

    #[test]
    fn parses_codes() {
        assert_eq!("SV".parse::<Lang>(), Ok(Lang::Sv));
        assert!("de".parse::<Lang>().is_err());
    }
}
