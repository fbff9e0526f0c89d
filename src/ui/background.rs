//! Work that must not freeze the window (native file dialogs, loading a project, reading a
//! corpus) runs on a thread; the app polls for the result once per frame.

use std::sync::mpsc;

pub struct Task<T> {
    rx: mpsc::Receiver<T>,
    /// What is running, for the status bar ("Loading seed-news.ron…").
    pub what: String,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `f` on a new thread and wakes the UI when it is done.
    pub fn spawn(
        ctx: &egui::Context,
        what: impl Into<String>,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = f();
            // The receiver is gone only if the app closed; nothing to report then.
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        Self {
            rx,
            what: what.into(),
        }
    }

    /// The result, once it is there.
    pub fn poll(&self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}
