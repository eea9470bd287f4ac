//! PDF objects: following references. Its own module, shared by the reader
//! and its submodules (the content interpreter, the fonts), which therefore
//! do not depend on the reader that calls them.

use lopdf::{Document, Object};

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
