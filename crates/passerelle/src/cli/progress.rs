//! Progress bars on a terminal; invisible when stderr is not one.
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;

use passerelle_app::progress::Progress;

/// Draws each stage of a task on stderr.
pub struct Terminal {
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    pub fn new() -> Self {
        Self {
            bar: Mutex::new(None),
        }
    }
}

impl Progress for Terminal {
    fn stage(&self, name: &str, total: Option<u64>) {
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:20} [{bar:40}] {pos}/{len}")
                    .expect("valid template")
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(name.to_owned());
        if let Some(old) = self.bar.lock().expect("progress lock").replace(bar) {
            old.finish_and_clear();
        }
    }

    fn set(&self, done: u64) {
        if let Some(bar) = self.bar.lock().expect("progress lock").as_ref() {
            bar.set_position(done);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().expect("progress lock").take() {
            bar.finish_and_clear();
        }
    }
}
