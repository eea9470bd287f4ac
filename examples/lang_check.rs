//! Measures language detection against a folder whose first-level folders
//! name the true language (`fi/`, `sv/`, `en/`), as in the shared corpus and
//! the generated banks:
//!
//! `cargo run --release --example lang_check -- FOLDER`
//!
//! Prints how many Markdown files were detected in their folder's language,
//! and the ones that were not.

use std::path::Path;

use tietopankki::Lang;

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: lang_check FOLDER");
        std::process::exit(2);
    };
    let (mut right, mut wrong) = (0usize, 0usize);
    for lang in Lang::ALL {
        let folder = Path::new(&root).join(lang.code());
        for entry in walkdir::WalkDir::new(&folder).into_iter().filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else { continue };
            match tietopankki::lang::detect(&text) {
                Some(found) if found.lang == lang => right += 1,
                found => {
                    wrong += 1;
                    println!("{}: {:?}", path.display(), found.map(|d| d.lang));
                }
            }
        }
    }
    println!("{right} of {} in their folder's language ({wrong} not)", right + wrong);
}
