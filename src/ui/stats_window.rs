//! View → Statistics…: charts of the project's figures (egui_plot), recomputed only when the
//! project changes, and the same figures as CSV.

use crate::model::stats::{Crosstab, ProjectStats, top};
use crate::model::{Schema, Status};
use crate::session::Session;
use crate::ui::commands::Command;
use crate::ui::doc_list::status_color;
use crate::ui::panel::PanelContext;
use crate::ui::theme::color;
use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Plot};

/// How many names or targets a chart shows.
const TOP: usize = 10;
const CHART_HEIGHT: f32 = 170.0;

#[derive(Default)]
pub struct StatsState {
    pub open: bool,
    /// History version the figures are for.
    version: Option<(u64, usize)>,
    stats: Option<ProjectStats>,
    csv_path: String,
    message: Option<String>,
}

impl StatsState {
    /// The figures on screen (tests, and the CSV button).
    pub fn stats(&self) -> Option<&ProjectStats> {
        self.stats.as_ref()
    }

    fn refresh(&mut self, session: &Session) {
        let key = (session.version(), session.project().documents.len());
        if self.version != Some(key) {
            self.version = Some(key);
            self.stats = Some(ProjectStats::of(session.project()));
        }
    }
}

/// Colours for the values of a choice attribute, in order.
const SERIES_COLORS: [Color32; 7] = [
    Color32::from_rgb(46, 134, 78),
    Color32::from_rgb(200, 60, 50),
    Color32::from_rgb(120, 120, 130),
    Color32::from_rgb(220, 160, 30),
    Color32::from_rgb(60, 110, 200),
    Color32::from_rgb(150, 80, 180),
    Color32::from_rgb(30, 160, 170),
];

/// A static bar chart: categories on one axis, named by `names`.
fn chart<'a>(id: &str, names: Vec<String>, horizontal: bool) -> Plot<'a> {
    let label_of = move |value: f64| {
        let i = value.round();
        if (value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        names
            .get(i as usize)
            .map(|n| crate::model::text::excerpt(n, 24))
            .unwrap_or_default()
    };
    let plot = Plot::new(id)
        .height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid(false);
    if horizontal {
        plot.y_axis_formatter(move |mark, _| label_of(mark.value))
            .y_axis_min_width(140.0)
            .include_x(0.0)
    } else {
        plot.x_axis_formatter(move |mark, _| label_of(mark.value))
            .include_y(0.0)
    }
}

impl StatsState {
    /// View → Statistics.
    pub fn show(&mut self, ctx: &egui::Context, cx: &PanelContext<'_>, out: &mut Vec<Command>) {
        stats_window_ui(ctx, self, cx.session, out);
    }
}

fn stats_window_ui(
    ctx: &egui::Context,
    state: &mut StatsState,
    session: &Session,
    _out: &mut Vec<Command>,
) {
    if !state.open {
        return;
    }
    state.refresh(session);
    let mut open = true;
    egui::Window::new("Statistics")
        .open(&mut open)
        .default_size([640.0, 640.0])
        .vscroll(true)
        .show(ctx, |ui| {
            let Some(stats) = state.stats.clone() else {
                return;
            };
            let schema = &session.project().schema;
            ui.label(
                RichText::new(format!(
                    "{} documents · {} spans · {} relations",
                    stats.documents,
                    stats.spans_by_label.values().sum::<usize>(),
                    stats.relations_by_kind.values().sum::<usize>()
                ))
                .strong(),
            );
            labels_chart_ui(ui, schema, &stats);
            for t in &stats.crosstabs {
                crosstab_chart_ui(ui, t);
            }
            names_charts_ui(ui, schema, &stats);
            status_chart_ui(ui, &stats);
            suggestions_chart_ui(ui, &stats);
            ui.separator();
            csv_ui(ui, state, session, &stats);
        });
    if !open {
        state.open = false;
    }
}

fn labels_chart_ui(ui: &mut egui::Ui, schema: &Schema, stats: &ProjectStats) {
    ui.heading("Spans per label");
    let labels: Vec<(String, usize, Color32)> = schema
        .labels
        .iter()
        .map(|l| {
            let n = stats.spans_by_label.get(&l.name).copied().unwrap_or(0);
            (l.name.clone(), n, color(l.color))
        })
        .collect();
    let names = labels.iter().map(|(n, _, _)| n.clone()).collect();
    chart("stats-labels", names, false).show(ui, |p| {
        let bars = labels
            .iter()
            .enumerate()
            .map(|(i, (name, n, c))| Bar::new(i as f64, *n as f64).name(name).fill(*c).width(0.6))
            .collect();
        p.bar_chart(BarChart::new("spans", bars));
    });
}

/// One attribute's values per text of a label (stance polarity per target...), stacked.
fn crosstab_chart_ui(ui: &mut egui::Ui, t: &Crosstab) {
    let rows = t.top_rows(TOP);
    if rows.is_empty() {
        return;
    }
    ui.heading(format!("{} {} per {}", t.label, t.columns, t.rows));
    let names = rows
        .iter()
        .map(|(r, _)| {
            if r.is_empty() {
                "(none)".to_owned()
            } else {
                (*r).to_owned()
            }
        })
        .collect();
    // Room on the right for the legend, so it never hides a bar.
    let widest = rows.iter().map(|(_, n)| *n).max().unwrap_or(1) as f64;
    let used: Vec<(usize, &String)> = t
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| t.counts.values().any(|c| c.contains_key(*v)))
        .collect();
    chart(&format!("stats-cross-{}", t.label), names, true)
        .legend(Legend::default())
        .include_x(widest * 1.45)
        .show(ui, |p| {
            let mut charts: Vec<BarChart> = Vec::new();
            for (k, value) in used {
                let bars = rows
                    .iter()
                    .enumerate()
                    .map(|(i, (r, _))| {
                        let n = t
                            .counts
                            .get(*r)
                            .and_then(|c| c.get(value))
                            .copied()
                            .unwrap_or(0);
                        Bar::new(i as f64, n as f64).width(0.6)
                    })
                    .collect();
                let c = SERIES_COLORS
                    .get(k % SERIES_COLORS.len())
                    .copied()
                    .unwrap_or(Color32::GRAY);
                let below: Vec<&BarChart> = charts.iter().collect();
                let chart = BarChart::new(value.clone(), bars)
                    .color(c)
                    .horizontal()
                    .stack_on(&below);
                charts.push(chart);
            }
            for c in charts {
                p.bar_chart(c);
            }
        });
}

/// The most frequent texts of each label with names (speakers...).
fn names_charts_ui(ui: &mut egui::Ui, schema: &Schema, stats: &ProjectStats) {
    for (label, counts) in &stats.names {
        let rows = top(counts, TOP);
        if rows.is_empty() {
            continue;
        }
        ui.heading(format!("Most frequent {label}s"));
        let c = schema
            .label(label)
            .map_or(Color32::GRAY, |l| color(l.color));
        let names = rows.iter().map(|(n, _)| (*n).to_owned()).collect();
        chart(&format!("stats-names-{label}"), names, true).show(ui, |p| {
            let bars = rows
                .iter()
                .enumerate()
                .map(|(i, (n, k))| Bar::new(i as f64, *k as f64).name(n).width(0.6))
                .collect();
            p.bar_chart(BarChart::new(label.clone(), bars).color(c).horizontal());
        });
    }
}

fn status_chart_ui(ui: &mut egui::Ui, stats: &ProjectStats) {
    ui.heading("Documents by status");
    let statuses: Vec<(Status, usize)> = Status::ALL
        .iter()
        .map(|s| (*s, stats.by_status.get(s.name()).copied().unwrap_or(0)))
        .collect();
    let names = statuses.iter().map(|(s, _)| s.name().to_owned()).collect();
    chart("stats-status", names, false).show(ui, |p| {
        let bars = statuses
            .iter()
            .enumerate()
            .map(|(i, (s, n))| {
                Bar::new(i as f64, *n as f64)
                    .name(s.name())
                    .fill(status_color(*s))
                    .width(0.6)
            })
            .collect();
        p.bar_chart(BarChart::new("documents", bars));
    });
}

/// Accepted, rejected and pending suggestions per source, and each source's precision.
fn suggestions_chart_ui(ui: &mut egui::Ui, stats: &ProjectStats) {
    if stats.suggestions_by_source.is_empty() {
        return;
    }
    ui.heading("Suggestions per source");
    let sources: Vec<String> = stats.suggestions_by_source.keys().cloned().collect();
    // Room above the tallest bar for the legend, so it never hides one.
    let tallest = stats
        .suggestions_by_source
        .values()
        .map(|c| c.accepted.max(c.rejected).max(c.pending))
        .max()
        .unwrap_or(1) as f64;
    chart("stats-sources", sources.clone(), false)
        .legend(Legend::default())
        .include_y(tallest * 1.6)
        .show(ui, |p| {
            let series = [
                ("accepted", Color32::from_rgb(46, 134, 78), -0.25),
                ("rejected", Color32::from_rgb(200, 60, 50), 0.0),
                ("pending", Color32::from_rgb(150, 150, 160), 0.25),
            ];
            for (name, c, offset) in series {
                let bars = sources
                    .iter()
                    .enumerate()
                    .map(|(i, src)| {
                        let r = stats
                            .suggestions_by_source
                            .get(src)
                            .cloned()
                            .unwrap_or_default();
                        let n = match name {
                            "accepted" => r.accepted,
                            "rejected" => r.rejected,
                            _ => r.pending,
                        };
                        Bar::new(i as f64 + offset, n as f64).width(0.22)
                    })
                    .collect();
                p.bar_chart(BarChart::new(name, bars).color(c));
            }
        });
    for (source, c) in &stats.suggestions_by_source {
        let precision = c
            .precision()
            .map_or("-".to_owned(), |p| format!("{:.0}%", p * 100.0));
        ui.label(format!(
            "{source}: {} accepted, {} rejected, {} pending, precision {precision}",
            c.accepted, c.rejected, c.pending
        ));
    }
}

/// Saves the figures as CSV, next to the project unless the user types another path.
fn csv_ui(ui: &mut egui::Ui, state: &mut StatsState, session: &Session, stats: &ProjectStats) {
    if state.csv_path.is_empty()
        && let Some(p) = session.path()
    {
        state.csv_path = p.with_extension("stats.csv").display().to_string();
    }
    ui.horizontal(|ui| {
        ui.label("CSV:");
        ui.add(egui::TextEdit::singleline(&mut state.csv_path).desired_width(320.0))
            .accessible_name("CSV file");
        if ui
            .add_enabled(
                !state.csv_path.trim().is_empty(),
                egui::Button::new("Save CSV"),
            )
            .clicked()
        {
            let path = std::path::PathBuf::from(state.csv_path.trim());
            state.message = Some(
                match crate::persist::atomic::write_atomic(&path, stats.to_csv().as_bytes()) {
                    Ok(()) => format!("Saved {}", path.display()),
                    Err(e) => format!("Not saved: {}", crate::persist::Problem::io(&path, &e)),
                },
            );
        }
    });
    if let Some(m) = &state.message {
        ui.label(RichText::new(m).weak());
    }
}
