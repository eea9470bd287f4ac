//! Accent folding for the folded keys (its own module so that the stop-word
//! lists can fold without depending on the analyser that uses them).

/// Removes accents: ä→a, ö→o, å→a, é→e, ü→u, ø→o, æ→ae, ß→ss, ...
/// Only used for the separate folded keys, never for the main stem keys.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        push_folded(&mut out, c);
    }
    out
}

/// Appends the folded form of one character (see [`fold`]).
pub fn push_folded(out: &mut String, c: char) {
    match c {
        'ä' | 'å' | 'á' | 'à' | 'â' | 'ã' => out.push('a'),
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
        'é' | 'è' | 'ê' | 'ë' => out.push('e'),
        'ü' | 'ú' | 'ù' | 'û' => out.push('u'),
        'í' | 'ì' | 'î' | 'ï' => out.push('i'),
        'ç' => out.push('c'),
        'ñ' => out.push('n'),
        'š' => out.push('s'),
        'ž' => out.push('z'),
        'ý' | 'ÿ' => out.push('y'),
        'æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        c => out.push(c),
    }
}
