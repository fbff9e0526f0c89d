//! Counts over a project: documents by status, spans by label, attribute values, relations,
//! suggestions by source and review. `marginalia stats` prints them; the window shows them.

use crate::model::{Project, Review, Status};
use std::collections::BTreeMap;
use std::fmt;

/// Per suggestion source: how many are pending, accepted and rejected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    pub pending: usize,
    pub accepted: usize,
    pub rejected: usize,
}

impl ReviewCounts {
    /// Accepted among decided suggestions, when any was decided.
    pub fn precision(&self) -> Option<f64> {
        let decided = self.accepted + self.rejected;
        (decided > 0).then(|| self.accepted as f64 / decided as f64)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectStats {
    pub documents: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub spans_by_label: BTreeMap<String, usize>,
    /// (label, attribute) → value → count.
    pub attributes: BTreeMap<(String, String), BTreeMap<String, usize>>,
    pub relations_by_kind: BTreeMap<String, usize>,
    pub notes: usize,
    pub suggestions_by_source: BTreeMap<String, ReviewCounts>,
}

impl ProjectStats {
    pub fn of(project: &Project) -> Self {
        let mut s = Self {
            documents: project.documents.len(),
            ..Self::default()
        };
        for status in Status::ALL {
            s.by_status.insert(status.name(), 0);
        }
        for d in &project.documents {
            *s.by_status.entry(d.status.name()).or_default() += 1;
            for span in d.spans() {
                *s.spans_by_label.entry(span.label.clone()).or_default() += 1;
                for (k, v) in &span.attrs {
                    *s.attributes
                        .entry((span.label.clone(), k.clone()))
                        .or_default()
                        .entry(v.clone())
                        .or_default() += 1;
                }
                s.notes += usize::from(span.note.is_some());
            }
            for r in d.relations() {
                *s.relations_by_kind.entry(r.kind.clone()).or_default() += 1;
            }
            for sg in d.suggestions() {
                let c = s
                    .suggestions_by_source
                    .entry(sg.source.clone())
                    .or_default();
                match sg.review {
                    Review::Pending => c.pending += 1,
                    Review::Accepted => c.accepted += 1,
                    Review::Rejected => c.rejected += 1,
                }
            }
        }
        s
    }
}

impl fmt::Display for ProjectStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "documents: {}", self.documents)?;
        for (status, n) in &self.by_status {
            writeln!(f, "  {status}: {n}")?;
        }
        writeln!(f, "spans: {}", self.spans_by_label.values().sum::<usize>())?;
        for (label, n) in &self.spans_by_label {
            writeln!(f, "  {label}: {n}")?;
        }
        if !self.attributes.is_empty() {
            writeln!(f, "attributes:")?;
            for ((label, name), values) in &self.attributes {
                let mut v: Vec<_> = values.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                let shown: Vec<String> = v
                    .iter()
                    .take(8)
                    .map(|(k, n)| format!("{k} ({n})"))
                    .collect();
                let more = if v.len() > 8 {
                    format!(", … {} more", v.len() - 8)
                } else {
                    String::new()
                };
                writeln!(f, "  {label}.{name}: {}{more}", shown.join(", "))?;
            }
        }
        writeln!(
            f,
            "relations: {}",
            self.relations_by_kind.values().sum::<usize>()
        )?;
        for (kind, n) in &self.relations_by_kind {
            writeln!(f, "  {kind}: {n}")?;
        }
        writeln!(f, "notes: {}", self.notes)?;
        let total: usize = self
            .suggestions_by_source
            .values()
            .map(|c| c.pending + c.accepted + c.rejected)
            .sum();
        write!(f, "suggestions: {total}")?;
        for (source, c) in &self.suggestions_by_source {
            let precision = c
                .precision()
                .map_or(String::from("-"), |p| format!("{:.0}%", p * 100.0));
            write!(
                f,
                "\n  {source}: {} pending, {} accepted, {} rejected, precision {precision}",
                c.pending, c.accepted, c.rejected
            )?;
        }
        Ok(())
    }
}
