//! Files on disk: RON project files and the corpus they point to.
//!
//! Everything that can go wrong with a user's file becomes a [`Problem`] with a location;
//! nothing here panics on bad input, and nothing is written except by an atomic replace.

pub mod atomic;
pub mod backup;
pub mod corpus;
pub mod demo;
pub mod journal;
pub mod lock;
pub mod paths;
pub mod problem;
pub mod project_file;
pub mod team;

pub use corpus::new_project;
pub use problem::{LoadError, Problem, ProblemKind};
pub use project_file::{
    FORMAT_VERSION, LoadOptions, Loaded, Reanchored, load_project, load_project_with,
    outside_folders, project_to_ron, remove_temp_files, save_project, save_project_keeping,
    write_project_text,
};
