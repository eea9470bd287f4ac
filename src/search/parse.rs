//! The query language people type: plain words, "quoted phrases",
//! `-excluded` words and the filters `lang:`, `tag:`, `format:`, `folder:`.
//! Parsing never fails: stray syntax (an unbalanced quote, a lone `:`,
//! `AND OR`) is read as text.

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Plain words, lowercased, in order.
    pub words: Vec<String>,
    /// Quoted phrases, each a list of lowercased words.
    pub phrases: Vec<Vec<String>>,
    /// Words (or phrases) that must not occur.
    pub excluded: Vec<Vec<String>>,
    /// `lang:` filters.
    pub langs: Vec<String>,
    /// `tag:` filters.
    pub tags: Vec<String>,
    /// `format:` filters.
    pub formats: Vec<String>,
    /// `folder:` filters.
    pub folders: Vec<String>,
}

impl ParsedQuery {
    /// Whether the query asks for nothing but filters (or nothing at all).
    pub fn has_terms(&self) -> bool {
        !self.words.is_empty() || !self.phrases.is_empty()
    }
}

/// Parses a query string.
pub fn parse(input: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    // Normalise typographic quotes; an unbalanced final quote is dropped.
    let normalised: String =
        input.chars().map(|c| if matches!(c, '“' | '”' | '„' | '«' | '»') { '"' } else { c }).collect();
    let quote_count = normalised.matches('"').count();
    let mut rest = normalised.as_str();
    let mut quotes_left = quote_count - quote_count % 2;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let negated = rest.starts_with("-\"") && quotes_left >= 2;
        let body = if negated { &rest[1..] } else { rest };
        if body.starts_with('"') && quotes_left >= 2 {
            let inner = &body[1..];
            let end = inner.find('"').unwrap_or(inner.len());
            let words = crate::analysis::words(&inner[..end])
                .into_iter()
                .filter(|w| !w.joined)
                .map(|w| w.lower)
                .collect::<Vec<_>>();
            if !words.is_empty() {
                if negated {
                    out.excluded.push(words);
                } else if words.len() == 1 {
                    out.words.extend(words);
                } else {
                    out.phrases.push(words);
                }
            }
            quotes_left -= 2;
            rest = inner.get(end + 1..).unwrap_or("");
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        let token = if quotes_left == 0 { token.trim_matches('"') } else { token };
        if let Some((field, value)) = token.split_once(':') {
            let value = value.trim_matches('"').trim().to_lowercase();
            let target = match field.to_ascii_lowercase().as_str() {
                "lang" | "kieli" | "språk" => Some(&mut out.langs),
                "tag" | "tagi" | "tagg" => Some(&mut out.tags),
                "format" | "muoto" => Some(&mut out.formats),
                "folder" | "kansio" | "mapp" => Some(&mut out.folders),
                _ => None,
            };
            if let (Some(target), false) = (target, value.is_empty()) {
                target.push(value);
                continue;
            }
        }
        if let Some(stripped) = token.strip_prefix('-') {
            let words: Vec<String> =
                crate::analysis::words(stripped).into_iter().filter(|w| !w.joined).map(|w| w.lower).collect();
            if stripped.starts_with(char::is_alphanumeric) && !words.is_empty() {
                out.excluded.push(words);
                continue;
            }
        }
        for word in crate::analysis::words(token) {
            // Boolean operators typed out of habit are not searched for.
            if matches!(word.lower.as_str(), "and" | "or" | "not") && token.chars().all(|c| c.is_ascii_uppercase()) {
                continue;
            }
            if !word.joined {
                out.words.push(word.lower);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_exclusions_filters() {
        let q = parse("Sähkökatko \"toiminnan jatkuvuus\" -kesä lang:fi tag:Kriisi format:pdf folder:fi");
        assert_eq!(q.words, vec!["sähkökatko"]);
        assert_eq!(q.phrases, vec![vec!["toiminnan".to_string(), "jatkuvuus".to_string()]]);
        assert_eq!(q.excluded, vec![vec!["kesä".to_string()]]);
        assert_eq!(q.langs, vec!["fi"]);
        assert_eq!(q.tags, vec!["kriisi"]);
        assert_eq!(q.formats, vec!["pdf"]);
        assert_eq!(q.folders, vec!["fi"]);
    }

    #[test]
    fn stray_syntax_is_text() {
        let q = parse("\"unbalanced quote : AND OR x:");
        assert_eq!(q.words, vec!["unbalanced", "quote", "x"]);
        assert!(q.phrases.is_empty());
        let q = parse("a - b -- c \"\"");
        assert_eq!(q.words, vec!["a", "b", "c"]);
        assert!(q.excluded.is_empty());
    }

    #[test]
    fn hyphenated_word_is_not_an_exclusion() {
        let q = parse("vuokra-avustus");
        assert_eq!(q.words, vec!["vuokra", "avustus"]);
    }
}
