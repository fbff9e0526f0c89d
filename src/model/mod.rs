//! The annotation model: projects, documents, spans, the schema, and the edits that change
//! them. Pure data and logic: no egui and no file I/O, so it is testable on its own and the
//! UI, the CLI and the file formats all share one definition of what a valid project is.

pub mod adjudication;
pub mod agreement;
pub mod attrs;
pub mod check;
pub mod consistency;
pub mod edit;
pub mod history;
pub mod project;
pub mod reanchor;
pub mod review;
pub mod review_order;
pub mod schema;
pub mod schema_change;
pub mod search;
pub mod stats;
pub mod tag_all;
pub mod team;
pub mod text;

pub use attrs::{Attrs, Meta};
pub use check::{EditError, SchemaProblem};
pub use edit::{Edit, IdMap};
pub use history::History;
pub use project::{
    DocId, DocSource, Document, Fragment, Project, Relation, Review, Score, Span, SpanId, SpanKey,
    Status, SuggestedLink, Suggestion, TextHash,
};
pub use schema::{AttrKind, AttributeDef, Choice, LabelDef, RelationType, Rgb, Schema};
