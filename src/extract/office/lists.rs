//! Numbered lists. The number a word processor draws before a list item
//! ("1.", "b)", "iv.") is not in the text of the file: it follows from the
//! list's definition and the items before it. Readers see it and refer to it
//! ("point 3 of the agenda"), so it is computed here the same way and put in
//! front of the item's text. Bullets are left out.

/// How the numbers of one list level are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberStyle {
    /// 1, 2, 3
    Decimal,
    /// a, b, c … z, aa, bb
    LowerLetter,
    /// A, B, C
    UpperLetter,
    /// i, ii, iii
    LowerRoman,
    /// I, II, III
    UpperRoman,
}

impl NumberStyle {
    /// An OpenDocument `style:num-format` ("1", "a", "A", "i", "I"); an
    /// empty one means no number.
    pub fn from_odf(format: &str) -> Option<NumberStyle> {
        match format {
            "" => None,
            "a" => Some(NumberStyle::LowerLetter),
            "A" => Some(NumberStyle::UpperLetter),
            "i" => Some(NumberStyle::LowerRoman),
            "I" => Some(NumberStyle::UpperRoman),
            _ => Some(NumberStyle::Decimal),
        }
    }

    /// A WordprocessingML `w:numFmt`; bullets and "none" have no number,
    /// formats we do not write (ordinal words, CJK digits) are written as decimals.
    pub fn from_ooxml(format: &str) -> Option<NumberStyle> {
        match format {
            "bullet" | "none" => None,
            "lowerLetter" => Some(NumberStyle::LowerLetter),
            "upperLetter" => Some(NumberStyle::UpperLetter),
            "lowerRoman" => Some(NumberStyle::LowerRoman),
            "upperRoman" => Some(NumberStyle::UpperRoman),
            _ => Some(NumberStyle::Decimal),
        }
    }

    /// `n` written in this style.
    pub fn write(self, n: u32) -> String {
        match self {
            NumberStyle::Decimal => n.to_string(),
            NumberStyle::LowerLetter => letters(n),
            NumberStyle::UpperLetter => letters(n).to_uppercase(),
            NumberStyle::LowerRoman => roman(n).to_lowercase(),
            NumberStyle::UpperRoman => roman(n),
        }
    }
}

/// a … z, then aa … zz, as word processors count (0 and very large numbers as decimals).
fn letters(n: u32) -> String {
    if n == 0 || n > 26 * 20 {
        return n.to_string();
    }
    let letter = char::from(b'a' + ((n - 1) % 26) as u8);
    std::iter::repeat_n(letter, ((n - 1) / 26 + 1) as usize).collect()
}

/// Roman numerals up to 3999 (beyond, decimals).
fn roman(mut n: u32) -> String {
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// The deepest level kept apart (Word has 9, OpenDocument 10).
pub(crate) const MAX_LEVELS: usize = 10;

/// One level of a list definition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Level {
    /// How its numbers are written; `None` for bullets.
    pub style: Option<NumberStyle>,
    /// The first number.
    pub start: u32,
    /// The label, with `%1` … `%9` standing for the current numbers of levels
    /// 1 … 9 (Word's `w:lvlText`, e.g. `%1.%2.`).
    pub template: String,
}

impl Default for Level {
    fn default() -> Self {
        Level { style: None, start: 1, template: String::new() }
    }
}

/// The current numbers of one list's levels.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counters {
    values: [Option<u32>; MAX_LEVELS],
}

impl Counters {
    /// Moves level `level` (0-based) on to its next number, or to `start_at`,
    /// restarts the levels below it, and returns the item's label (`None`
    /// for a bullet).
    pub fn next(&mut self, levels: &[Level], level: usize, start_at: Option<u32>) -> Option<String> {
        let level = level.min(MAX_LEVELS - 1);
        let definition = levels.get(level).cloned().unwrap_or_default();
        let value = start_at.unwrap_or_else(|| self.values[level].map_or(definition.start, |v| v.saturating_add(1)));
        self.values[level] = Some(value);
        for deeper in &mut self.values[level + 1..] {
            *deeper = None;
        }
        definition.style?;
        let label = self.label(levels, &definition.template);
        (!label.trim().is_empty()).then_some(label)
    }

    /// Fills in `%1` … `%9` of `template`.
    fn label(&self, levels: &[Level], template: &str) -> String {
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            let digit = chars.peek().and_then(|d| d.to_digit(10)).filter(|d| (1..=9).contains(d));
            match (c, digit) {
                ('%', Some(d)) => {
                    chars.next();
                    let at = d as usize - 1;
                    let level = levels.get(at).cloned().unwrap_or_default();
                    let value = self.values[at].unwrap_or(level.start);
                    out.push_str(&level.style.unwrap_or(NumberStyle::Decimal).write(value));
                }
                _ => out.push(c),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(template: &str) -> Level {
        Level { style: Some(NumberStyle::Decimal), start: 1, template: template.to_string() }
    }

    #[test]
    fn numbers_in_every_style() {
        assert_eq!(NumberStyle::Decimal.write(12), "12");
        assert_eq!(NumberStyle::LowerLetter.write(1), "a");
        assert_eq!(NumberStyle::LowerLetter.write(28), "bb");
        assert_eq!(NumberStyle::UpperLetter.write(3), "C");
        assert_eq!(NumberStyle::LowerRoman.write(4), "iv");
        assert_eq!(NumberStyle::UpperRoman.write(1994), "MCMXCIV");
        assert_eq!(NumberStyle::UpperRoman.write(0), "0");
        assert_eq!(NumberStyle::from_ooxml("bullet"), None);
        assert_eq!(NumberStyle::from_odf(""), None);
    }

    #[test]
    fn levels_count_and_restart_below() {
        let levels = vec![decimal("%1."), Level { style: Some(NumberStyle::LowerLetter), ..decimal("%1.%2)") }];
        let mut counters = Counters::default();
        assert_eq!(counters.next(&levels, 0, None).as_deref(), Some("1."));
        assert_eq!(counters.next(&levels, 1, None).as_deref(), Some("1.a)"));
        assert_eq!(counters.next(&levels, 1, None).as_deref(), Some("1.b)"));
        assert_eq!(counters.next(&levels, 0, None).as_deref(), Some("2."));
        assert_eq!(counters.next(&levels, 1, None).as_deref(), Some("2.a)"));
        assert_eq!(counters.next(&levels, 0, Some(7)).as_deref(), Some("7."));
        // A level without a definition is a bullet; a level past the last is the last.
        assert_eq!(counters.next(&levels, 5, None), None);
        assert_eq!(counters.next(&levels, 99, None), None);
    }
}
