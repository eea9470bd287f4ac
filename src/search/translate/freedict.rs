//! Debian's FreeDict dictionaries (`dict-freedict-fin-eng` and the other
//! five pairs of fi/sv/en), used for words the domain term list does not
//! know. They are found at run time in `/usr/share/dictd` (or where
//! `TIETOPANKKI_FREEDICT_DIR` points), never required, and trusted less
//! than the term list ([`TermSource::Dictionary`]).
//!
//! A dictionary is a dictd pair: `NAME.index` (headword, offset and length
//! in base64, tab-separated) and `NAME.dict.dz` (the entries, gzip with
//! random-access chunks; read whole here with flate2). Of each entry only
//! the first sense's translations are kept: the line after the headword,
//! split at commas.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::glossary::{Concept, TermSource};
use crate::lang::Lang;

/// The six dictionaries between our languages, as Debian names them.
const PAIRS: [(Lang, Lang); 6] = [
    (Lang::Fi, Lang::En),
    (Lang::Fi, Lang::Sv),
    (Lang::Sv, Lang::Fi),
    (Lang::Sv, Lang::En),
    (Lang::En, Lang::Fi),
    (Lang::En, Lang::Sv),
];

/// Where Debian installs dictd data.
const DEFAULT_DIR: &str = "/usr/share/dictd";

/// A dictionary file larger than this is not read (the largest is 13 MB inflated).
const MAX_DICT_BYTES: u64 = 64 << 20;

/// Translations kept per headword and target language.
const MAX_TRANSLATIONS: usize = 2;

/// What was found of the FreeDict dictionaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FreeDictStatus {
    /// The folder looked in.
    pub dir: PathBuf,
    /// The pairs found and read (`fin-eng`, ...).
    pub found: Vec<String>,
    /// The pairs not installed (or not readable), with what to install.
    pub missing: Vec<String>,
}

impl FreeDictStatus {
    /// The `apt-get` line for the missing dictionaries, if any are missing.
    pub fn install_hint(&self) -> Option<String> {
        (!self.missing.is_empty()).then(|| {
            let packages: Vec<String> = self.missing.iter().map(|m| format!("dict-freedict-{m}")).collect();
            format!("apt-get install {}", packages.join(" "))
        })
    }
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "fin",
        Lang::Sv => "swe",
        Lang::En => "eng",
    }
}

/// The dictionary folder: `TIETOPANKKI_FREEDICT_DIR`, else Debian's.
pub fn default_dir() -> PathBuf {
    std::env::var_os("TIETOPANKKI_FREEDICT_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_DIR))
}

/// The FreeDict dictionaries in a compact form: every string in one
/// buffer, an entry per source headword, and a sorted table from the hash
/// of (language, stem of the headword) to entries, so that 120,000
/// headwords take a few megabytes.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    text: String,
    entries: Vec<Entry>,
    /// Every entry's translations, an entry's side by side: (target language, span in `text`).
    translations: Vec<(Lang, (u32, u32))>,
    /// (hash of language and stem, entry), sorted.
    keys: Vec<(u64, u32)>,
}

#[derive(Debug, Clone)]
struct Entry {
    from: Lang,
    headword: (u32, u32),
    /// Where the entry's translations start in `translations`, and how many.
    first: u32,
    count: u32,
}

impl Dictionary {
    /// The number of headwords.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no dictionary was read.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn span(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    fn push(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        (start, self.text.len() as u32)
    }

    /// The concepts of the headwords of `lang` whose stem is `stem`: the
    /// headword and its translations, as a [`Concept`] of the dictionary.
    pub(crate) fn concepts_named(&self, lang: Lang, stem: &str) -> Vec<Concept> {
        let key = key_hash(lang, stem);
        let start = self.keys.partition_point(|(k, _)| *k < key);
        let analyzer = crate::analysis::Analyzer::get();
        let mut out = Vec::new();
        for &(k, entry) in &self.keys[start..] {
            if k != key {
                break;
            }
            let Some(entry) = self.entries.get(entry as usize) else { continue };
            let headword = self.span(entry.headword);
            if entry.from != lang || analyzer.stem(lang, headword) != stem {
                continue;
            }
            let mut terms: [Vec<String>; 3] = Default::default();
            terms[slot(lang)].push(headword.to_string());
            let range = entry.first as usize..(entry.first + entry.count) as usize;
            for &(to, span) in self.translations.get(range).unwrap_or(&[]) {
                terms[slot(to)].push(self.span(span).to_string());
            }
            out.push(Concept::new(headword.to_string(), terms, TermSource::Dictionary));
        }
        out
    }
}

fn key_hash(lang: Lang, stem: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(lang.code().as_bytes());
    hasher.update(&[0]);
    hasher.update(stem.as_bytes());
    hasher.digest()
}

/// Which dictionaries `dir` holds (both files of a pair), without reading them.
pub fn probe(dir: &Path) -> FreeDictStatus {
    let mut status = FreeDictStatus { dir: dir.to_path_buf(), ..FreeDictStatus::default() };
    for (from, to) in PAIRS {
        let name = format!("{}-{}", code(from), code(to));
        let present = ["index", "dict.dz"].iter().all(|ext| dir.join(format!("freedict-{name}.{ext}")).is_file());
        if present {
            status.found.push(name);
        } else {
            status.missing.push(name);
        }
    }
    status
}

/// Reads the dictionaries in `dir`, and says which were found. Each
/// dictionary's entries go straight into the compact store (a headword of
/// two dictionaries is an entry of each).
pub fn load(dir: &Path) -> (Dictionary, FreeDictStatus) {
    let mut status = FreeDictStatus { dir: dir.to_path_buf(), ..FreeDictStatus::default() };
    let mut dictionary = Dictionary::default();
    for (from, to) in PAIRS {
        let name = format!("{}-{}", code(from), code(to));
        match read_pair(dir, &name, from, to, &mut dictionary) {
            Ok(()) => status.found.push(name),
            Err(why) => {
                tracing::debug!(dictionary = %name, %why, "FreeDict dictionary not used");
                status.missing.push(name);
            }
        }
    }
    dictionary.keys.sort_unstable();
    dictionary.text.shrink_to_fit();
    dictionary.entries.shrink_to_fit();
    dictionary.translations.shrink_to_fit();
    dictionary.keys.shrink_to_fit();
    (dictionary, status)
}

fn slot(lang: Lang) -> usize {
    Lang::ALL.iter().position(|&l| l == lang).unwrap_or(0)
}

/// Adds the headwords of one dictionary, with their first sense's
/// translations, to `dictionary`.
fn read_pair(dir: &Path, name: &str, from: Lang, to: Lang, dictionary: &mut Dictionary) -> Result<(), String> {
    let index_path = dir.join(format!("freedict-{name}.index"));
    let dict_path = dir.join(format!("freedict-{name}.dict.dz"));
    let index = std::fs::read_to_string(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?;
    let file = std::fs::File::open(&dict_path).map_err(|e| format!("{}: {e}", dict_path.display()))?;
    let mut dict = Vec::new();
    flate2::read::MultiGzDecoder::new(file)
        .take(MAX_DICT_BYTES)
        .read_to_end(&mut dict)
        .map_err(|e| format!("{}: {e}", dict_path.display()))?;
    let analyzer = crate::analysis::Analyzer::get();
    let mut last: Option<(String, u32)> = None;
    for line in index.lines() {
        let mut cols = line.split('\t');
        let (Some(headword), Some(offset), Some(length)) = (cols.next(), cols.next(), cols.next()) else { continue };
        if headword.starts_with("00database") || headword.contains(' ') {
            continue;
        }
        let (Some(offset), Some(length)) = (base64_number(offset), base64_number(length)) else { continue };
        let Some(entry) = dict.get(offset..offset.saturating_add(length)) else { continue };
        let translations = first_sense(&String::from_utf8_lossy(entry));
        if translations.is_empty() {
            continue;
        }
        let headword = headword.to_lowercase();
        // A headword with several entries (senses, parts of speech): one entry, its translations together.
        let id = match &last {
            Some((previous, id)) if *previous == headword => *id,
            _ => {
                let id = dictionary.entries.len() as u32;
                let span = dictionary.push(&headword);
                let first = dictionary.translations.len() as u32;
                dictionary.entries.push(Entry { from, headword: span, first, count: 0 });
                dictionary.keys.push((key_hash(from, &analyzer.stem(from, &headword)), id));
                last = Some((headword, id));
                id
            }
        };
        // The entry's translations are the last ones pushed: the index is sorted by headword.
        let Some(&Entry { first, .. }) = dictionary.entries.get(id as usize) else { continue };
        for t in translations {
            let kept = dictionary.translations.get(first as usize..).unwrap_or(&[]);
            if kept.len() < MAX_TRANSLATIONS && !kept.iter().any(|&(_, span)| dictionary.span(span) == t) {
                let span = dictionary.push(&t);
                dictionary.translations.push((to, span));
                if let Some(e) = dictionary.entries.get_mut(id as usize) {
                    e.count += 1;
                }
            }
        }
    }
    Ok(())
}

/// dictd's base64 numbers (`A`–`Z`, `a`–`z`, `0`–`9`, `+`, `/`).
fn base64_number(text: &str) -> Option<usize> {
    let mut n: usize = 0;
    for c in text.bytes() {
        let digit = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        n = n.checked_mul(64)?.checked_add(usize::from(digit))?;
    }
    Some(n)
}

/// The translations of an entry's first sense: the line after the
/// headword, without its sense number, split at commas; short terms only.
fn first_sense(entry: &str) -> Vec<String> {
    let Some(line) = entry.lines().nth(1) else { return Vec::new() };
    let line = line.trim();
    let line = line.strip_prefix("1.").unwrap_or(line).trim();
    // "bibliotek 2." : a following sense's number is glued to the line's end.
    let line = line.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.').trim();
    line.split([',', ';'])
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.split_whitespace().count() <= 3 && t.chars().any(char::is_alphabetic))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_give_their_first_sense() {
        assert_eq!(first_sense("vesi /vˈesɪ/ <n>\nvatten, vätur\nkahdesta vety- ja yhdestä..."), ["vatten", "vätur"]);
        assert_eq!(first_sense("kirjasto /k/ <n>\n1. bibliotek 2.\nvaltion tai kunnan..."), ["bibliotek"]);
        assert_eq!(first_sense("library /l/\n"), Vec::<String>::new());
        assert_eq!(base64_number("GTDJ"), Some(((6 * 64 + 19) * 64 + 3) * 64 + 9));
        assert_eq!(base64_number("A!"), None);
    }

    #[test]
    fn a_folder_without_dictionaries_gives_none_and_says_what_to_install() {
        let dir = tempfile::tempdir().unwrap();
        let (dictionary, status) = load(dir.path());
        assert!(dictionary.is_empty() && status.found.is_empty());
        assert_eq!(status.missing.len(), 6);
        assert!(status.install_hint().is_some_and(|h| h.contains("dict-freedict-fin-eng")));
    }

    #[test]
    fn a_small_dictionary_pair_is_read() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let body = "kirjasto /k/ <n>\nlibrary\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body.as_bytes()).unwrap();
        std::fs::write(dir.path().join("freedict-fin-eng.dict.dz"), gz.finish().unwrap()).unwrap();
        std::fs::write(dir.path().join("freedict-fin-eng.index"), format!("kirjasto\tA\t{}\n", "Z")).unwrap();
        let (dictionary, status) = load(dir.path());
        assert_eq!(status.found, ["fin-eng"]);
        assert_eq!(dictionary.len(), 1);
        let stem = crate::analysis::Analyzer::get().stem(Lang::Fi, "kirjastossa");
        let concepts = dictionary.concepts_named(Lang::Fi, &stem);
        assert_eq!(concepts.len(), 1, "found by an inflected form's stem");
        assert_eq!(concepts[0].terms(Lang::En), ["library"]);
        assert_eq!(concepts[0].source, TermSource::Dictionary);
        assert!(dictionary.concepts_named(Lang::Sv, &stem).is_empty());
    }
}
