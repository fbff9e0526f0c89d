//! Counts over a project: documents by status, spans by label, attribute values, relations,
//! suggestions by source and review, the most frequent names (speakers by entity) and
//! choice values per text value (stance polarity per target). `marginalia stats` prints
//! them (or writes CSV); the statistics window charts them.

use crate::model::{AttrKind, Project, Review, Schema, Status};
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
    /// Per label with a name attribute (a free-text attribute called `entity` or `name`,
    /// like a speaker's): how often each name occurs; the span's text when it is unset.
    pub names: BTreeMap<String, BTreeMap<String, usize>>,
    /// Per label with a free-text and a choice attribute: choice values per text value
    /// (stance `polarity` per `target`).
    pub crosstabs: Vec<Crosstab>,
}

/// Counts of one choice attribute's values for each value of a text attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Crosstab {
    pub label: String,
    /// The text attribute (rows), e.g. `target`.
    pub rows: String,
    /// The choice attribute (columns), e.g. `polarity`.
    pub columns: String,
    /// The choice values in schema order.
    pub values: Vec<String>,
    /// Row value → column value → count. Spans without the row value are under "".
    pub counts: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Crosstab {
    /// Rows by total, largest first (ties by name), at most `n`.
    pub fn top_rows(&self, n: usize) -> Vec<(&str, usize)> {
        let mut rows: Vec<(&str, usize)> = self
            .counts
            .iter()
            .map(|(r, c)| (r.as_str(), c.values().sum()))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        rows.truncate(n);
        rows
    }
}

/// The most frequent entries of a count map, largest first (ties by name), at most `n`.
pub fn top(counts: &BTreeMap<String, usize>, n: usize) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = counts.iter().map(|(k, c)| (k.as_str(), *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    v.truncate(n);
    v
}

/// The first free-text and the first choice attribute of each label that has both.
fn crosstab_shapes(schema: &Schema) -> Vec<Crosstab> {
    schema
        .labels
        .iter()
        .filter_map(|l| {
            let text = l.attributes.iter().find(|a| a.kind == AttrKind::Text)?;
            let (choice, values) = l.attributes.iter().find_map(|a| match &a.kind {
                AttrKind::Choice(values) => Some((a, values)),
                AttrKind::Text => None,
            })?;
            Some(Crosstab {
                label: l.name.clone(),
                rows: text.name.clone(),
                columns: choice.name.clone(),
                values: values.iter().map(|v| v.value.clone()).collect(),
                counts: BTreeMap::new(),
            })
        })
        .collect()
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
        s.crosstabs = crosstab_shapes(&project.schema);
        let name_attr: BTreeMap<&str, &str> = project
            .schema
            .labels
            .iter()
            .filter_map(|l| {
                let a = l.attributes.iter().find(|a| {
                    a.kind == AttrKind::Text
                        && ["entity", "name"].contains(&a.name.to_lowercase().as_str())
                })?;
                Some((l.name.as_str(), a.name.as_str()))
            })
            .collect();
        for d in &project.documents {
            *s.by_status.entry(d.status.name()).or_default() += 1;
            for span in d.spans() {
                *s.spans_by_label.entry(span.label.clone()).or_default() += 1;
                for (k, v) in &span.attrs {
                    *s.attributes
                        .entry((span.label.clone(), k.to_owned()))
                        .or_default()
                        .entry(v.to_owned())
                        .or_default() += 1;
                }
                s.notes += usize::from(span.note.is_some());
                if let Some(attr) = name_attr.get(span.label.as_str()) {
                    let name = span.attrs.get(attr).unwrap_or(&span.text);
                    *s.names
                        .entry(span.label.clone())
                        .or_default()
                        .entry(name.to_owned())
                        .or_default() += 1;
                }
                for t in s.crosstabs.iter_mut().filter(|t| t.label == span.label) {
                    if let Some(column) = span.attrs.get(&t.columns) {
                        let row = span
                            .attrs
                            .get(&t.rows)
                            .map(str::to_owned)
                            .unwrap_or_default();
                        *t.counts
                            .entry(row)
                            .or_default()
                            .entry(column.to_owned())
                            .or_default() += 1;
                    }
                }
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

impl ProjectStats {
    /// Every figure as CSV rows `section,group,item,detail,count`, for a spreadsheet.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("section,group,item,detail,count\n");
        let mut row = |section: &str, group: &str, item: &str, detail: &str, n: usize| {
            let cells = [section, group, item, detail].map(csv_cell);
            out.push_str(&format!("{},{n}\n", cells.join(",")));
        };
        for (status, n) in &self.by_status {
            row("documents", "status", status, "", *n);
        }
        for (label, n) in &self.spans_by_label {
            row("spans", "label", label, "", *n);
        }
        for ((label, name), values) in &self.attributes {
            for (value, n) in values {
                row("attributes", &format!("{label}.{name}"), value, "", *n);
            }
        }
        for (label, names) in &self.names {
            for (name, n) in names {
                row("names", label, name, "", *n);
            }
        }
        for t in &self.crosstabs {
            let group = format!("{}.{} by {}", t.label, t.columns, t.rows);
            for (r, columns) in &t.counts {
                for (c, n) in columns {
                    row("crosstab", &group, r, c, *n);
                }
            }
        }
        for (kind, n) in &self.relations_by_kind {
            row("relations", "type", kind, "", *n);
        }
        row("notes", "", "", "", self.notes);
        for (source, c) in &self.suggestions_by_source {
            row("suggestions", source, "pending", "", c.pending);
            row("suggestions", source, "accepted", "", c.accepted);
            row("suggestions", source, "rejected", "", c.rejected);
        }
        out
    }
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
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
        for (label, names) in &self.names {
            let shown: Vec<String> = top(names, 5)
                .iter()
                .map(|(k, n)| format!("{k} ({n})"))
                .collect();
            writeln!(f, "most frequent {label}s: {}", shown.join(", "))?;
        }
        for t in &self.crosstabs {
            if t.counts.is_empty() {
                continue;
            }
            writeln!(f, "{} {} by {}:", t.label, t.columns, t.rows)?;
            for (row, _) in t.top_rows(8) {
                let cells: Vec<String> = t
                    .counts
                    .get(row)
                    .into_iter()
                    .flatten()
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect();
                let row = if row.is_empty() { "(none)" } else { row };
                writeln!(f, "  {row}: {}", cells.join(", "))?;
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
