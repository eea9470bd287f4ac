//! All integration tests in one binary (one link step instead of many).

mod common;

mod autocomplete;
mod cli;
mod corpus;
mod cross_language;
mod dates;
mod export;
mod extract;
mod feed;
mod hostile_http;
mod index;
mod isolation;
mod morphology;
mod ocr;
mod office;
mod passages;
mod ranking;
mod related;
mod relevance;
mod reliability;
mod robustness;
mod search;
mod server;
mod snapshots;
mod suggestions;
mod unicode;
