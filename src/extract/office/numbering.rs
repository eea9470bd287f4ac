//! The lists of a Word document: the definitions of `word/numbering.xml`
//! and the numbers of the lists' items as the document is read.

use std::collections::HashMap;

use quick_xml::events::Event;

use super::lists::{Counters, Level, NumberStyle, MAX_LEVELS};
use super::{attribute, Nesting};
use crate::error::FileError;

/// The list definitions of `word/numbering.xml` and the lists' current
/// numbers. A list instance (`w:num`) points to an abstract definition
/// (`w:abstractNum`); instances of one definition count on together unless
/// one restarts a level (`w:startOverride`), as in Word.
#[derive(Default)]
pub(super) struct Numbering {
    /// Abstract definition id → its levels.
    definitions: HashMap<String, Vec<Level>>,
    /// Instance id → what it is.
    instances: HashMap<String, ListInstance>,
    /// Current numbers by definition id.
    counters: HashMap<String, Counters>,
}

/// A list instance (`w:num`): the definition it uses, and the levels it
/// restarts with the number each starts at.
#[derive(Default)]
struct ListInstance {
    definition: String,
    restarts: Vec<(usize, u32)>,
}

impl Numbering {
    /// Reads `word/numbering.xml`.
    pub(super) fn read(xml: &str, max_depth: usize) -> Result<Numbering, FileError> {
        let mut numbering = Numbering::default();
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut nesting = Nesting::new(max_depth);
        // The definition, level and instance being read.
        let mut definition: Option<(String, Vec<Level>)> = None;
        let mut level: Option<usize> = None;
        let mut instance: Option<(String, ListInstance)> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let event = reader.read_event();
            let (element, is_start) = match &event {
                Ok(Event::Start(e)) => (e, true),
                Ok(Event::Empty(e)) => (e, false),
                Ok(Event::End(e)) => {
                    nesting.end();
                    match e.name().into_inner() {
                        "w:abstractNum" => {
                            if let Some((id, levels)) = definition.take() {
                                numbering.definitions.insert(id, levels);
                            }
                        }
                        "w:lvl" => level = None,
                        "w:lvlOverride" => override_level = None,
                        "w:num" => {
                            if let Some((id, list)) = instance.take() {
                                numbering.instances.insert(id, list);
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                Ok(Event::Eof) => break,
                Ok(_) => continue,
                Err(e) => return Err(FileError::Damaged(format!("word/numbering.xml is not valid XML: {e}"))),
            };
            if is_start {
                nesting.start(false)?;
            }
            let value = || attribute(element, "w:val").unwrap_or_default();
            let level_index = || attribute(element, "w:ilvl").and_then(|v| v.parse::<usize>().ok());
            match element.name().into_inner() {
                "w:abstractNum" if is_start => {
                    let id = attribute(element, "w:abstractNumId").unwrap_or_default();
                    definition = Some((id, vec![Level::default(); MAX_LEVELS]));
                }
                "w:lvl" if is_start && definition.is_some() => level = level_index().filter(|&l| l < MAX_LEVELS),
                "w:num" if is_start => {
                    instance = Some((attribute(element, "w:numId").unwrap_or_default(), ListInstance::default()));
                }
                "w:abstractNumId" => {
                    if let Some((_, list)) = instance.as_mut() {
                        list.definition = value();
                    }
                }
                "w:lvlOverride" if is_start => override_level = level_index().filter(|&l| l < MAX_LEVELS),
                "w:startOverride" => {
                    if let (Some((_, list)), Some(at)) = (instance.as_mut(), override_level) {
                        list.restarts.push((at, value().parse().unwrap_or(1)));
                    }
                }
                name => {
                    let Some(at) = level.filter(|_| instance.is_none()) else { continue };
                    let Some(current) = definition.as_mut().and_then(|(_, levels)| levels.get_mut(at)) else {
                        continue;
                    };
                    match name {
                        "w:start" => current.start = value().parse().unwrap_or(1),
                        "w:numFmt" => current.style = NumberStyle::from_ooxml(&value()),
                        "w:lvlText" => current.template = value(),
                        _ => {}
                    }
                }
            }
        }
        Ok(numbering)
    }

    /// The label of the next item of list instance `id` at level `level`.
    pub(super) fn next_label(&mut self, id: &str, level: usize) -> Option<String> {
        let list = self.instances.get_mut(id)?;
        let levels = self.definitions.get(list.definition.as_str())?;
        let counters = self.counters.entry(list.definition.clone()).or_default();
        // A restart applies to the instance's first item at that level.
        let start_at = list.restarts.iter().position(|(at, _)| *at == level).map(|i| list.restarts.swap_remove(i).1);
        counters.next(levels, level, start_at)
    }
}
