//! End-to-end tests, built into one binary to keep link time down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod bad_input;
mod cli;
mod e2e;
mod eval_targets;
mod faults;
mod graph;
mod graphql;
mod http_limits;
mod parse_corpus;
mod readme;
mod store;
mod support;
