//! Helpers shared by the UI tests (each test file is its own crate and includes this).

use egui_kittest::Harness;
use marginalia::ui::app::MarginaliaApp;

/// Steps until `done` holds (background work runs on threads), at most a few seconds.
pub fn wait_for(h: &mut Harness<'_, MarginaliaApp>, mut done: impl FnMut(&MarginaliaApp) -> bool) {
    for _ in 0..300 {
        h.step();
        if done(h.state()) {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!(
        "timed out; dialog {:?}, message {:?}",
        h.state().dialog(),
        h.state().message()
    );
}
