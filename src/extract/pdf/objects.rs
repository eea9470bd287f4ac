//! PDF objects: following references. Its own module, shared by the reader
//! and its submodules (the content interpreter, the fonts), which therefore
//! do not depend on the reader that calls them.

use lopdf::{Dictionary, Document, Object};

/// Follows references (at most 8 deep, so a reference cycle ends); a
/// dangling or too deep reference is `Null`.
pub(super) fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    let mut cur = o;
    for _ in 0..8 {
        match cur {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(n) => cur = n,
                Err(_) => return &Object::Null,
            },
            _ => return cur,
        }
    }
    &Object::Null
}

/// The numbers of an array entry of a dictionary (`/BBox`, `/Rect`), each
/// reference followed; a non-number is 0, a missing or non-array entry an
/// empty list.
pub(super) fn number_array(doc: &Document, dict: &Dictionary, key: &[u8]) -> Vec<f32> {
    match dict.get(key).ok().map(|o| deref(doc, o)) {
        Some(Object::Array(items)) => items
            .iter()
            .map(|o| match deref(doc, o) {
                Object::Integer(i) => *i as f32,
                Object::Real(r) => *r,
                _ => 0.0,
            })
            .collect(),
        _ => Vec::new(),
    }
}
