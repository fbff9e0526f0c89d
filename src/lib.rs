//! Marginalia: a fast, keyboard-first desktop annotator for political news.
//!
//! - [`model`]: projects, spans, the schema and the edits that change them (no egui, no I/O);
//! - [`persist`]: reading and writing RON project files and corpus files;
//! - [`ui`]: the egui window, one file per panel;
//! - [`cli`]: the `marginalia` command line.

// User data must never crash the app: no unwrap/expect/unchecked indexing outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod cli;
pub mod formats;
pub mod generate;
pub mod model;
pub mod persist;
pub mod session;
pub mod suggest;
pub mod ui;
