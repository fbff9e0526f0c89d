//! Fixing a finding of the consistency report: the majority annotation applied to every
//! place of the finding, as one undoable edit.

use super::MarginaliaApp;

impl MarginaliaApp {
    /// Applies the majority annotation to every place of consistency finding `i`.
    pub(super) fn fix_finding(&mut self, i: usize) {
        let Some(finding) = self.panels.consistency.finding(i).cloned() else {
            return;
        };
        let annotator = self.annotator.clone();
        let Some(session) = self.session.as_ref() else {
            return;
        };
        match finding.fix(session.project(), annotator.as_deref()) {
            None => self.say("Nothing left to change there."),
            Some(edit) => {
                let n = finding.places.len();
                if self.edit(edit) {
                    self.say(format!(
                        "Applied “{}” to {n} places of “{}” (Ctrl+Z undoes it).",
                        finding.majority,
                        crate::model::text::excerpt(&finding.text, 30)
                    ));
                }
            }
        }
    }
}
